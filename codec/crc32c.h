// CRC-32C exactly as Ceph's ceph_crc32c(seed, data, len): reflected Castagnoli polynomial,
// no initial or final inversion (src/common/crc32c.cc, src/include/crc32c.h).
// ISA-L's crc32_iscsi() computes the same function with SIMD; a null buffer means "len zero
// bytes" in Ceph (ceph_crc32c_zeros), which we also provide.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace cephwire::codec {

uint32_t ceph_crc32c(uint32_t seed, const uint8_t* data, size_t len);

inline uint32_t ceph_crc32c(uint32_t seed, std::span<const uint8_t> b) {
  return ceph_crc32c(seed, b.data(), b.size());
}

// CRC of `len` zero bytes continuing from `seed` (Ceph: ceph_crc32c(seed, nullptr, len)).
uint32_t ceph_crc32c_zeros(uint32_t seed, size_t len);

}  // namespace cephwire::codec
