// See ceph_hash.h for the sources followed.
#include "codec/osdmap/ceph_hash.h"

namespace cephwire::codec {
namespace {

// Bob Jenkins' 96-bit mix (lookup2), applied to the running state.
inline void jenkins_mix(uint32_t& a, uint32_t& b, uint32_t& c) {
  a -= b; a -= c; a ^= c >> 13;
  b -= c; b -= a; b ^= a << 8;
  c -= a; c -= b; c ^= b >> 13;
  a -= b; a -= c; a ^= c >> 12;
  b -= c; b -= a; b ^= a << 16;
  c -= a; c -= b; c ^= b >> 5;
  a -= b; a -= c; a ^= c >> 3;
  b -= c; b -= a; b ^= a << 10;
  c -= a; c -= b; c ^= b >> 15;
}

inline uint32_t le32_at(const unsigned char* k) {
  return uint32_t(k[0]) | uint32_t(k[1]) << 8 | uint32_t(k[2]) << 16 | uint32_t(k[3]) << 24;
}

}  // namespace

uint32_t ceph_str_hash_rjenkins(std::string_view s) {
  const auto* k = reinterpret_cast<const unsigned char*>(s.data());
  const auto length = static_cast<uint32_t>(s.size());
  uint32_t a = 0x9e3779b9, b = 0x9e3779b9, c = 0;
  uint32_t len = length;
  while (len >= 12) {  // whole 12-byte blocks
    a += le32_at(k);
    b += le32_at(k + 4);
    c += le32_at(k + 8);
    jenkins_mix(a, b, c);
    k += 12;
    len -= 12;
  }
  // The last 0..11 bytes; the low byte of c is reserved for the total length.
  c += length;
  for (uint32_t i = len; i-- > 0;) {
    const uint32_t byte = k[i];
    if (i >= 8) {
      c += byte << (8 * (i - 7));
    } else if (i >= 4) {
      b += byte << (8 * (i - 4));
    } else {
      a += byte << (8 * i);
    }
  }
  jenkins_mix(a, b, c);
  return c;
}

uint32_t ceph_str_hash_linux(std::string_view s) {
  // Ceph computes this in an unsigned long and returns its low 32 bits; with only + and *
  // the low 32 bits do not depend on the width.
  uint32_t hash = 0;
  for (unsigned char ch : s) hash = (hash + (uint32_t(ch) << 4) + (ch >> 4)) * 11;
  return hash;
}

uint32_t ceph_str_hash(uint8_t type, std::string_view s) {
  switch (type) {
    case kStrHashLinux:
      return ceph_str_hash_linux(s);
    case kStrHashRjenkins:
      return ceph_str_hash_rjenkins(s);
    default:
      return 0xffffffffu;
  }
}

}  // namespace cephwire::codec
