#include "codec/crc32c.h"

#include <isa-l.h>

namespace cephwire::codec {

uint32_t ceph_crc32c(uint32_t seed, const uint8_t* data, size_t len) {
  if (len == 0) return seed;
  // crc32_iscsi takes a non-const pointer but does not write through it; its length is int.
  uint32_t crc = seed;
  auto* p = const_cast<uint8_t*>(data);
  while (len > 0) {
    const size_t chunk = len > (1u << 30) ? (1u << 30) : len;
    crc = crc32_iscsi(p, static_cast<int>(chunk), crc);
    p += chunk;
    len -= chunk;
  }
  return crc;
}

uint32_t ceph_crc32c_zeros(uint32_t seed, size_t len) {
  static const uint8_t kZeros[4096] = {};
  uint32_t crc = seed;
  while (len > 0) {
    const size_t chunk = len > sizeof(kZeros) ? sizeof(kZeros) : len;
    crc = ceph_crc32c(crc, kZeros, chunk);
    len -= chunk;
  }
  return crc;
}

}  // namespace cephwire::codec
