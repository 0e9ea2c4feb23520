// MgrMap, the part a client reads (Ceph src/mon/MgrMap.h, MgrMap::encode / decode). Pacific
// encodes ENCODE_START(11+, 6) for SERVER_NAUTILUS peers (12 was seen from 16.2.15) and
// ENCODE_START(5, 1) with a legacy active address otherwise; both start with
//   le32 epoch | entity_addrvec_t active_addrs | le64 active_gid | bool available |
//   string active_name
// followed by standbys, modules, available_modules, services, always_on_modules, clients...
// Those later fields are kept as opaque bytes (Envelope::unknown_tail) and re-encoded as they
// came, so the envelope and the whole map re-encode byte-exact.
#pragma once

#include <cstdint>
#include <string>

#include "codec/denc.h"
#include "codec/messages/mon_message_util.h"
#include "codec/types/entity_addr_t.h"

namespace cephwire::codec {

struct MgrMap {
  static constexpr uint8_t kMaxCompat = 12;  // the newest layout whose prefix is decoded here
  Envelope env{12, 6};
  uint32_t epoch = 0;
  entity_addrvec_t active_addrs;
  uint64_t active_gid = 0;
  bool available = false;
  std::string active_name;
  // Every field after active_name stays in env.unknown_tail.

  template <class V>
  bool visit(V& v) {
    return v.envelope("MgrMap", env, kMaxCompat, [&](uint8_t) {
      return v("epoch", epoch) && v("active_addrs", active_addrs) &&
             v("active_gid", active_gid) && mon_util::strict_bool(v, "available", available) &&
             v("active_name", active_name);
    });
  }
  void dump(JsonWriter& w) const;
  bool operator==(const MgrMap&) const = default;
};

}  // namespace cephwire::codec
