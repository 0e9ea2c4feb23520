// See crush_hash.h for the sources followed.
#include "codec/osdmap/crush_hash.h"

namespace cephwire::codec {
namespace {

constexpr uint32_t kSeed = 1315423911u;
constexpr uint32_t kX = 231232u;
constexpr uint32_t kY = 1232u;

inline void hashmix(uint32_t& a, uint32_t& b, uint32_t& c) {
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

}  // namespace

uint32_t crush_hash32_2(int type, uint32_t a, uint32_t b) {
  if (type != kCrushHashRjenkins1) return 0;
  uint32_t h = kSeed ^ a ^ b, x = kX, y = kY;
  hashmix(a, b, h);
  hashmix(x, a, h);
  hashmix(b, y, h);
  return h;
}

uint32_t crush_hash32_3(int type, uint32_t a, uint32_t b, uint32_t c) {
  if (type != kCrushHashRjenkins1) return 0;
  uint32_t h = kSeed ^ a ^ b ^ c, x = kX, y = kY;
  hashmix(a, b, h);
  hashmix(c, x, h);
  hashmix(y, a, h);
  hashmix(b, x, h);
  hashmix(y, c, h);
  return h;
}

uint32_t crush_hash32_4(int type, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  if (type != kCrushHashRjenkins1) return 0;
  uint32_t h = kSeed ^ a ^ b ^ c ^ d, x = kX, y = kY;
  hashmix(a, b, h);
  hashmix(c, d, h);
  hashmix(a, x, h);
  hashmix(y, b, h);
  hashmix(c, x, h);
  hashmix(y, d, h);
  return h;
}

uint32_t crush_hash32_5(int type, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e) {
  if (type != kCrushHashRjenkins1) return 0;
  uint32_t h = kSeed ^ a ^ b ^ c ^ d ^ e, x = kX, y = kY;
  hashmix(a, b, h);
  hashmix(c, d, h);
  hashmix(e, x, h);
  hashmix(y, a, h);
  hashmix(b, x, h);
  hashmix(y, c, h);
  hashmix(d, x, h);
  hashmix(y, e, h);
  return h;
}

}  // namespace cephwire::codec
