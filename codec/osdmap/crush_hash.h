// CRUSH's integer hash: Robert Jenkins' 32-bit mix over 1..5 inputs (CRUSH_HASH_RJENKINS1).
// Sources: Ceph src/crush/hash.c and Linux net/ceph/crush/hash.c (crush_hashmix,
// crush_hash32_rjenkins1_2..5, crush_hash32_2..5 dispatch: unknown hash types give 0).
#pragma once

#include <cstdint>

namespace cephwire::codec {

inline constexpr int kCrushHashRjenkins1 = 0;

uint32_t crush_hash32_2(int type, uint32_t a, uint32_t b);
uint32_t crush_hash32_3(int type, uint32_t a, uint32_t b, uint32_t c);
uint32_t crush_hash32_4(int type, uint32_t a, uint32_t b, uint32_t c, uint32_t d);
uint32_t crush_hash32_5(int type, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e);

}  // namespace cephwire::codec
