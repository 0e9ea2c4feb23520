// Object-name hashes and the "stable mod" that turn an object name into a placement group.
// Sources: Linux net/ceph/ceph_hash.c (ceph_str_hash_rjenkins: Bob Jenkins' 1996 lookup2 hash,
// ceph_str_hash_linux: the dcache hash, ceph_str_hash: dispatch on pg_pool_t::object_hash);
// Ceph src/common/ceph_hash.cc (same functions, userland); include/linux/ceph/rados.h
// ceph_stable_mod; net/ceph/osdmap.c calc_bits_of / calc_pg_masks (= Ceph's
// pg_pool_t::calc_pg_masks with cbits()).
#pragma once

#include <cstdint>
#include <string_view>

namespace cephwire::codec {

// pg_pool_t::object_hash values (CEPH_STR_HASH_*).
inline constexpr uint8_t kStrHashLinux = 1;
inline constexpr uint8_t kStrHashRjenkins = 2;

uint32_t ceph_str_hash_rjenkins(std::string_view s);
uint32_t ceph_str_hash_linux(std::string_view s);
// Unknown types hash to 0xffffffff, as ceph_str_hash() returns -1.
uint32_t ceph_str_hash(uint8_t type, std::string_view s);

// ceph_stable_mod(x, b, bmask): x mod b that stays stable while b grows towards bmask+1.
constexpr uint32_t ceph_stable_mod(uint32_t x, uint32_t b, uint32_t bmask) {
  return (x & bmask) < b ? (x & bmask) : (x & (bmask >> 1));
}

// Number of significant bits (calc_bits_of / cbits).
constexpr int calc_bits_of(uint32_t t) {
  int b = 0;
  while (t) {
    t >>= 1;
    ++b;
  }
  return b;
}
// Smallest 2^n-1 >= n-1 (pg_num_mask / pgp_num_mask); 0 for n <= 1.
constexpr uint32_t calc_pg_mask(uint32_t n) {
  const int bits = calc_bits_of(n - 1);  // n == 0 wraps to 32 bits, as in C
  return bits >= 32 ? 0xffffffffu : (1u << bits) - 1;
}

}  // namespace cephwire::codec
