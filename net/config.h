// Finding the monitors: `mon host` from a ceph.conf, or an address given on the command line.
// Follows ceph/ceph src/mon/MonMap.cc MonMap::build_initial / init_with_addrs and
// src/msg/msg_types.cc entity_addrvec_t::parse / entity_addr_t::parse:
//   mon host = [v2:10.0.0.1:3300,v1:10.0.0.1:6789],[v2:10.0.0.2:3300/0,v1:10.0.0.2:6789/0]
//   mon host = 10.0.0.1:6789, 10.0.0.2          (bare: v1; no port: both v2:3300 and v1:6789)
//   mon host = v1:127.0.0.1:31000
// Entries are separated by ',', ';' or whitespace outside brackets. Only IPv4 literals (and
// "localhost") are accepted: this client does no DNS. Option names match with '_' or ' '
// (Ceph treats them alike) in [client.<id>], else [client], else [global].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/error.h"
#include "codec/types/entity_addr_t.h"

namespace cephwire::net {

inline constexpr uint16_t kMonPortV2 = 3300;  // CEPH_MON_PORT_IANA
inline constexpr uint16_t kMonPortV1 = 6789;  // CEPH_MON_PORT_LEGACY

// One monitor: its addresses (v2 and/or v1 entries; type TYPE_MSGR2 / TYPE_LEGACY, nonce 0).
struct MonAddrs {
  std::vector<codec::entity_addr_t> addrs;
  const codec::entity_addr_t* of_type(uint32_t type) const;
  std::string to_string() const;
};

// One address: "v2:1.2.3.4:3300", "v1:1.2.3.4:6789/0", "1.2.3.4:6789" (v1), "1.2.3.4" (no
// port: v2:3300 and v1:6789).
codec::Result<std::vector<codec::entity_addr_t>> parse_addr(std::string_view text);
// A whole `mon host` / -m value.
codec::Result<std::vector<MonAddrs>> parse_mon_host(std::string_view text);

// The value of `option` (e.g. "mon host") in a ceph.conf text for client.<id>.
std::optional<std::string> conf_value(std::string_view conf_text, std::string_view option,
                                      std::string_view client_id = "admin");
// Reads `path` and parses its `mon host`. Errors name the file.
codec::Result<std::vector<MonAddrs>> mon_host_from_conf(const std::string& path,
                                                        std::string_view client_id = "admin");

}  // namespace cephwire::net
