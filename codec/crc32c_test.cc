#include "codec/crc32c.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace cephwire::codec {
namespace {

uint32_t crc(uint32_t seed, const std::string& s) {
  return ceph_crc32c(seed, reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Reference bitwise implementation of Ceph's sctp_crc32c / ceph_crc32c (reflected 0x82F63B78,
// no inversion) to cross-check ISA-L on arbitrary inputs.
uint32_t reference(uint32_t crc, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return crc;
}

// Vectors from ceph/ceph src/test/common/test_crc32c.cc (TEST(Crc32c, Small)).
TEST(Crc32c, CephTestVectors) {
  EXPECT_EQ(crc(0, "foo bar baz"), 4119623852u);
  EXPECT_EQ(crc(1234, "foo bar baz"), 881700046u);
}

TEST(Crc32c, StandardCheckValueWithInversion) {
  EXPECT_EQ(crc(0xFFFFFFFFu, "123456789") ^ 0xFFFFFFFFu, 0xE3069283u);
}

TEST(Crc32c, EmptyKeepsSeed) {
  EXPECT_EQ(ceph_crc32c(0xFFFFFFFFu, nullptr, 0), 0xFFFFFFFFu);
  EXPECT_EQ(ceph_crc32c(0, nullptr, 0), 0u);
}

TEST(Crc32c, MatchesBitwiseReferenceAtEveryLengthAndAlignment) {
  std::vector<uint8_t> buf(300);
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<uint8_t>(i * 131 + 7);
  for (size_t off = 0; off < 8; ++off) {
    for (size_t n = 0; n + off <= buf.size(); n += 13) {
      EXPECT_EQ(ceph_crc32c(0xDEADBEEF, buf.data() + off, n),
                reference(0xDEADBEEF, buf.data() + off, n))
          << "off " << off << " len " << n;
    }
  }
}

TEST(Crc32c, Zeros) {
  std::vector<uint8_t> z(10000, 0);
  EXPECT_EQ(ceph_crc32c_zeros(7, z.size()), ceph_crc32c(7, z.data(), z.size()));
}

TEST(Crc32c, Chaining) {
  const std::string a = "hello ", b = "world";
  EXPECT_EQ(crc(crc(5, a), b), crc(5, a + b));
}

}  // namespace
}  // namespace cephwire::codec
