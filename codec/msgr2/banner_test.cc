// Banner vectors from ProtocolV2::_banner_exchange: "ceph v2\n" | le16 16 | le64 supported |
// le64 required; Pacific sends supported = REVISION_1, required = 0.
#include "codec/msgr2/banner.h"

#include <gtest/gtest.h>

#include "codec/testing/testing.h"

namespace cephwire::codec::msgr2 {
namespace {

using testing::from_hex;
using testing::hex;

const char* kPacificBanner =
    "63 65 70 68 20 76 32 0a"    // "ceph v2\n"
    "10 00"                      // payload_len 16
    "01 00 00 00 00 00 00 00"    // supported = REVISION_1
    "00 00 00 00 00 00 00 00";   // required = 0

TEST(Banner, EncodeMatchesHandBuiltVector) {
  EXPECT_EQ(hex(encode_banner()), hex(from_hex(kPacificBanner)));
  // Linux sends required = REVISION_1 too.
  EXPECT_EQ(hex(encode_banner(1, 1)),
            "636570682076320a1000" "0100000000000000" "0100000000000000");
}

TEST(Banner, RoundTripAndFields) {
  const auto wire = from_hex(kPacificBanner);
  Banner b = testing::expect_round_trip<Banner>(wire, Banner{}, "banner");
  EXPECT_EQ(b.supported, 1u);
  EXPECT_EQ(b.required, 0u);
  EXPECT_TRUE(b.rev1());
  EXPECT_TRUE(b.extra.empty());
  EXPECT_EQ(b.wire_size(), 26u);
}

TEST(Banner, EveryTruncationFails) {
  testing::expect_every_truncation_fails<Banner>(from_hex(kPacificBanner), Banner{}, "banner");
}

TEST(Banner, LimitsOfFeatureWords) {
  const auto wire = from_hex(
      "636570682076320a1000 ffffffffffffffff ffffffffffffffff");
  Banner b = testing::expect_round_trip<Banner>(wire, Banner{}, "banner");
  EXPECT_EQ(b.supported, UINT64_MAX);
  EXPECT_EQ(b.required, UINT64_MAX);
}

TEST(Banner, LongerPayloadIsKeptAndReencoded) {
  // _handle_peer_banner_payload reads payload_len bytes and decodes only two u64s.
  const auto wire = from_hex("636570682076320a1400 0100000000000000 0000000000000000 deadbeef");
  Banner b = testing::expect_round_trip<Banner>(wire, Banner{}, "banner");
  EXPECT_EQ(hex(b.extra.span()), "deadbeef");
  // Max payload_len 0xffff: all of it needed.
  std::vector<uint8_t> big = from_hex("636570682076320affff");
  big.resize(10 + 0xffff, 0);
  auto r = decode_as<Banner>(big, "banner");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->extra.size(), 0xffffu - 16);
  big.pop_back();
  auto t = decode_as<Banner>(big, "banner");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().kind, ErrorKind::kTruncated);
}

TEST(Banner, ShortPayloadIsBadBanner) {
  const auto wire = from_hex("636570682076320a0f00 0100000000000000 00000000000000");
  auto r = decode_as<Banner>(wire, "banner");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kBadBanner);
  EXPECT_EQ(r.error().field, "banner.payload_len");
  EXPECT_EQ(r.error().offset, 8u);
}

TEST(Banner, MsgrV1BannerIsRecognised) {
  // "ceph v027" + the v1 server's address: ProtocolV2 says "is using msgr V1 protocol".
  const auto wire = from_hex("63657068207630323700000000000000000000000000000000000000");
  auto r = decode_as<Banner>(wire, "banner", 0, false);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kBadBanner);
  EXPECT_EQ(r.error().field, "banner.prefix");
  EXPECT_EQ(r.error().offset, 0u);
  EXPECT_EQ(r.error().detail, "peer is using msgr V1 protocol");
  auto g = decode_as<Banner>(from_hex("474554202f20485454502f312e310d0a0000000000000000000000"),
                             "banner", 0, false);
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().detail, "not a msgr2 banner");
}

}  // namespace
}  // namespace cephwire::codec::msgr2
