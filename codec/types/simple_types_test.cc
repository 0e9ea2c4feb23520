#include <gtest/gtest.h>

#include "codec/testing/testing.h"
#include "codec/types/entity_name_t.h"
#include "codec/types/eversion_t.h"
#include "codec/types/utime_t.h"

namespace cephwire::codec {
namespace {

using testing::from_hex;

TEST(Utime, RoundTripAndDump) {
  auto wire = from_hex("7b000000 15cd5b07");
  auto t = testing::expect_round_trip<utime_t>(wire);
  EXPECT_EQ(t.sec, 123u);
  EXPECT_EQ(t.nsec, 123456789u);
  EXPECT_EQ(to_json(t), R"({"sec":123,"nsec":123456789,"stamp":"123.123456789"})");
  testing::expect_every_truncation_fails<utime_t>(wire);
}

TEST(Eversion, RoundTripLimits) {
  auto wire = from_hex("ffffffffffffffff ffffffff");
  auto e = testing::expect_round_trip<eversion_t>(wire);
  EXPECT_EQ(e.version, UINT64_MAX);
  EXPECT_EQ(e.epoch, UINT32_MAX);
  testing::expect_every_truncation_fails<eversion_t>(wire);
}

TEST(EntityName, ClientMinusOne) {
  // src of a v1 header before the client has its global id: client.-1
  auto wire = from_hex("08 ffffffffffffffff");
  auto n = testing::expect_round_trip<entity_name_t>(wire);
  EXPECT_EQ(n.to_string(), "client.-1");
  EXPECT_EQ(to_json(n), "\"client.-1\"");
  testing::expect_every_truncation_fails<entity_name_t>(wire);
}

TEST(EntityName, Osd) {
  auto n = testing::expect_round_trip<entity_name_t>(from_hex("04 0000000000000000"));
  EXPECT_EQ(n.to_string(), "osd.0");
}

}  // namespace
}  // namespace cephwire::codec
