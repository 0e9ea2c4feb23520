// entity_addr_t and entity_addrvec_t (Ceph src/msg/msg_types.h entity_addr_t::encode/decode,
// decode_legacy_addr_after_marker; src/msg/msg_types.cc entity_addrvec_t::encode/decode).
//
// Two wire forms of one address:
//  - legacy (= struct ceph_entity_addr, 136 bytes): u8 marker 0, u8, u16 (le32 type 0), le32 nonce, a
//    128-byte sockaddr_storage whose ss_family is big-endian (network order), port big-endian;
//  - addr2: u8 marker 1, ENCODE_START(1,1), le32 type, le32 nonce, le32 elen, then elen bytes
//    of sockaddr with a little-endian family (elen 16 for IPv4, 28 for IPv6).
// entity_addrvec_t: u8 marker 2 + u32 count + addrs; markers 0 and 1 mean one legacy / addr2
// address follows (the marker is that address's own first byte).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "codec/denc.h"

namespace cephwire::codec {

struct entity_addr_t {
  static constexpr size_t kWireMinSize = 1;
  static constexpr uint32_t kTypeNone = 0, kTypeLegacy = 1, kTypeMsgr2 = 2, kTypeAny = 3,
                            kTypeCidr = 4;
  static constexpr uint16_t kAfInet = 2, kAfInet6 = 10;

  bool legacy = false;        // wire form: legacy 136-byte (marker 0) or addr2 (marker 1)
  uint8_t legacy_marker2 = 0; // legacy: decode_legacy_addr_after_marker reads a second u8
  uint16_t legacy_rest = 0;   // ... and a u16 (with the marker: the le32 type 0 Ceph writes)
  uint32_t type = kTypeNone;  // addr2: TYPE_*; legacy decodes as TYPE_LEGACY
  uint32_t nonce = 0;
  uint32_t elen = 0;          // addr2: sockaddr length on the wire (0 = no address)
  uint16_t family = 0;        // AF_INET 2, AF_INET6 10
  std::array<uint8_t, 126> sa_data{};  // sockaddr bytes after the family (port BE, address, pad)
  Envelope env{1, 1};

  template <class V>
  bool visit(V& v) {
    uint8_t marker = legacy ? 0 : 1;
    if (!v("marker", marker)) return false;
    if constexpr (V::kDecoding) {
      if (marker > 1)
        return v.fail_field("marker", v.offset() - 1, ErrorKind::kBadValue,
                            "entity_addr_t marker must be 0 or 1");
      legacy = marker == 0;
    }
    return visit_after_marker(v);
  }

  template <class V>
  bool visit_after_marker(V& v) {
    if (legacy) {
      if constexpr (V::kDecoding) type = kTypeLegacy;
      if (!(v("marker2", legacy_marker2) && v("rest", legacy_rest) && v("nonce", nonce) && v.be("family", family))) return false;
      return sockaddr_bytes(v, 126);
    }
    return v.envelope("addr2", env, 1, [&](uint8_t) {
      if (!(v("type", type) && v("nonce", nonce) && v("elen", elen))) return false;
      if (elen == 0) return true;
      if (!v.check(elen >= 2, ErrorKind::kBadValue, "elen smaller than family len")) return false;
      if (!v("family", family)) return false;
      if (!v.check(elen <= (family == kAfInet ? 16u : 28u), ErrorKind::kBadValue,
                   "elen exceeds sockaddr len"))
        return false;
      return sockaddr_bytes(v, elen - 2);
    });
  }

  // Helpers for people and tools.
  uint16_t port() const { return static_cast<uint16_t>((sa_data[0] << 8) | sa_data[1]); }
  std::string ip_string() const;          // "127.0.0.1", "::1", or "" if not IP
  std::string to_string() const;          // Ceph's print: "v2:127.0.0.1:6800/1234"
  void dump(JsonWriter& w) const;
  static entity_addr_t make_ipv4(uint32_t type, const uint8_t ip[4], uint16_t port,
                                 uint32_t nonce, bool legacy_form = false);
  bool operator==(const entity_addr_t&) const = default;

 private:
  template <class V>
  bool sockaddr_bytes(V& v, size_t n) {
    Bytes b = Bytes::view({sa_data.data(), n});
    if (!v.raw("sa_data", b, n)) return false;
    if constexpr (V::kDecoding) std::memcpy(sa_data.data(), b.data(), n);
    return true;
  }
};

struct entity_addrvec_t {
  static constexpr size_t kWireMinSize = 1;
  uint8_t marker = 2;  // 0: a single legacy addr, 1: a single addr2, 2: a vector
  std::vector<entity_addr_t> v;

  template <class Vis>
  bool visit(Vis& vis) {
    if (!vis("marker", marker)) return false;
    if (marker == 2) return vis("v", v);
    if constexpr (Vis::kDecoding) {
      if (marker > 2)
        return vis.fail_field("marker", vis.offset() - 1, ErrorKind::kBadValue,
                              "entity_addrvec_t marker must be 0, 1 or 2");
      v.assign(1, entity_addr_t{});
      v[0].legacy = marker == 0;
    }
    if (v.size() != 1) return false;  // encoding a single-address form needs exactly one
    vis.push_for_path("v[0]");
    bool r = v[0].visit_after_marker(vis);
    vis.pop_for_path();
    return r;
  }
  std::string to_string() const;
  void dump(JsonWriter& w) const;
  bool operator==(const entity_addrvec_t&) const = default;
};

}  // namespace cephwire::codec
