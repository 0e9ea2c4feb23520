// The msgr v1 banner exchange (ceph/ceph src/msg/async/ProtocolV1.cc: send_client_banner,
// handle_server_banner_and_identify, send_server_banner, handle_client_banner; CEPH_BANNER in
// src/include/msgr.h):
//   server -> client: "ceph v027" + its own address + the address it sees for the client,
//   client -> server: "ceph v027" (sent at once) + its own address (sent after reading the
//                     server's banner).
// Every address here is the legacy 136-byte struct ceph_entity_addr (encode(addr, bl, 0)), so
// this codec rejects any other entity_addr_t form (marker != 0) in the banner.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "codec/denc.h"
#include "codec/msgr1/msgr.h"
#include "codec/types/entity_addr_t.h"

namespace cephwire::codec::msgr1 {

using BannerText = std::array<uint8_t, kBannerLen>;
inline constexpr BannerText kBannerText = {'c', 'e', 'p', 'h', ' ', 'v', '0', '2', '7'};

inline std::string banner_mismatch_detail(size_t first_difference) {
  return "not the msgr v1 banner \"ceph v027\" (first difference at byte " +
         std::to_string(first_difference) + ")";
}

// The 9 banner bytes; a mismatch is kBadBanner naming the first differing byte.
template <class V>
bool visit_banner(V& v, BannerText& text) {
  if constexpr (V::kDecoding) {
    const size_t at = v.offset();
    if (!v("banner", text)) return false;
    for (size_t i = 0; i < kBannerLen; ++i) {
      if (text[i] != kBannerText[i])
        return v.fail_field("banner", at + i, ErrorKind::kBadBanner, banner_mismatch_detail(i));
    }
    return true;
  } else {
    return v("banner", text);
  }
}

// A legacy (136-byte, marker 0) entity_addr_t.
template <class V>
bool visit_legacy_addr(V& v, const char* name, entity_addr_t& a) {
  if constexpr (V::kDecoding) {
    if (v.remaining() >= 1 && *v.cursor() != 0)
      return v.fail_field(name, v.offset(), ErrorKind::kBadValue,
                          "msgr v1 banner addresses use the legacy ceph_entity_addr form "
                          "(marker 0)");
  }
  return v(name, a);
}

// What the client sends: banner, then (after the server's banner) its own legacy address.
struct ClientBanner {
  BannerText banner = kBannerText;
  entity_addr_t addr;  // messenger->get_myaddr_legacy(), legacy form

  template <class V>
  bool visit(V& v) {
    return visit_banner(v, banner) && visit_legacy_addr(v, "addr", addr);
  }
  bool operator==(const ClientBanner&) const = default;
};

// What the server sends first: banner, its own legacy address, and the client's address as
// the server sees it (the socket peer).
struct ServerBanner {
  BannerText banner = kBannerText;
  entity_addr_t addr;               // the server's legacy address
  entity_addr_t peer_addr_for_you;  // connection->target_addr: the client as seen from here

  template <class V>
  bool visit(V& v) {
    return visit_banner(v, banner) && visit_legacy_addr(v, "addr", addr) &&
           visit_legacy_addr(v, "peer_addr_for_you", peer_addr_for_you);
  }
  bool operator==(const ServerBanner&) const = default;
};

}  // namespace cephwire::codec::msgr1
