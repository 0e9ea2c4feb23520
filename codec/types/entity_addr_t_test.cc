#include "codec/types/entity_addr_t.h"

#include <gtest/gtest.h>

#include "codec/testing/testing.h"

namespace cephwire::codec {
namespace {

using testing::from_hex;

std::string zeros(size_t n) { return std::string(2 * n, '0'); }

// The client's legacy address from the v1 banner exchange in
// shared/recordings/v1-watch-notify-basic.pcap (stream 0, bytes 9..145).
const std::string kLegacyClient =
    "00000000" "0b480d48" "0002" "0000" "7f000001" + zeros(120);

TEST(EntityAddr, LegacyFromRecording) {
  auto wire = from_hex(kLegacyClient);
  ASSERT_EQ(wire.size(), 136u);
  auto a = testing::expect_round_trip<entity_addr_t>(wire);
  EXPECT_TRUE(a.legacy);
  EXPECT_EQ(a.type, entity_addr_t::kTypeLegacy);
  EXPECT_EQ(a.nonce, 0x480d480bu);
  EXPECT_EQ(a.family, entity_addr_t::kAfInet);
  EXPECT_EQ(a.ip_string(), "127.0.0.1");
  EXPECT_EQ(a.port(), 0);
  EXPECT_EQ(a.to_string(), "v1:127.0.0.1:0/1208829963");
  testing::expect_every_truncation_fails<entity_addr_t>(wire);
}

// addr2 of the mon as seen in a v2 HELLO (v2-watch-notify-basic.pcap):
// 01 | 01 01 1c000000 | type 2 | nonce 0 | elen 16 | family 2 (LE) | port 42100 BE | 127.0.0.1 | 8 zero
TEST(EntityAddr, Addr2Ipv4) {
  auto wire = from_hex("01 01011c000000 02000000 00000000 10000000 0200 a474 7f000001 0000000000000000");
  auto a = testing::expect_round_trip<entity_addr_t>(wire);
  EXPECT_FALSE(a.legacy);
  EXPECT_EQ(a.type, entity_addr_t::kTypeMsgr2);
  EXPECT_EQ(a.port(), 42100);
  EXPECT_EQ(a.to_string(), "v2:127.0.0.1:42100/0");
  testing::expect_every_truncation_fails<entity_addr_t>(wire);
}

TEST(EntityAddr, Addr2EmptySockaddr) {
  auto wire = from_hex("01 01010c000000 00000000 00000000 00000000");
  auto a = testing::expect_round_trip<entity_addr_t>(wire);
  EXPECT_EQ(a.elen, 0u);
  EXPECT_EQ(a.to_string(), "-");
}

TEST(EntityAddr, Addr2Ipv6) {
  // family 10, port 6800, flowinfo 0, ::1, scope 0 -> elen 28
  auto wire = from_hex("01 010128000000 02000000 05000000 1c000000 0a00 1a90 00000000" +
                       zeros(15) + "01" + "00000000");
  auto a = testing::expect_round_trip<entity_addr_t>(wire);
  EXPECT_EQ(a.to_string(), "v2:[::1]:6800/5");
}

TEST(EntityAddr, RejectsBadMarkerAndLengths) {
  auto bad_marker = from_hex("03" + zeros(40));
  auto r = decode_as<entity_addr_t>(bad_marker, "addr");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(r.error().field, "addr.marker");
  EXPECT_EQ(r.error().offset, 0u);

  // elen 1: smaller than the family
  auto short_elen = from_hex("01 01010d000000 02000000 00000000 01000000 02");
  r = decode_as<entity_addr_t>(short_elen, "addr");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);

  // elen 20 for AF_INET (max 16)
  auto long_elen = from_hex("01 010120000000 02000000 00000000 14000000 0200" + zeros(18));
  r = decode_as<entity_addr_t>(long_elen, "addr");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);

  // compat 2 is newer than addr2's DECODE_START(1)
  auto compat = from_hex("01 010208000000 00000000 00000000");
  r = decode_as<entity_addr_t>(compat, "addr");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
  EXPECT_EQ(r.error().field, "addr.addr2");
  EXPECT_EQ(r.error().offset, 1u);
}

TEST(EntityAddr, UnknownTailInsideEnvelopeIsKept) {
  // struct_v 2 with 3 extra bytes after the known fields: skipped as Ceph does, re-encoded.
  auto wire = from_hex("01 02010f000000 02000000 00000000 00000000 aabbcc");
  auto a = testing::expect_round_trip<entity_addr_t>(wire);
  EXPECT_EQ(a.env.struct_v, 2);
  EXPECT_EQ(a.env.unknown_tail.size(), 3u);
}

TEST(EntityAddrvec, VectorAndSingleForms) {
  auto vec = from_hex("02 02000000"
                      "01 01011c000000 02000000 00000000 10000000 0200 a474 7f000001 0000000000000000"
                      "01 01011c000000 01000000 00000000 10000000 0200 a410 7f000001 0000000000000000");
  auto v = testing::expect_round_trip<entity_addrvec_t>(vec);
  ASSERT_EQ(v.v.size(), 2u);
  EXPECT_EQ(v.to_string(), "[v2:127.0.0.1:42100/0,v1:127.0.0.1:42000/0]");
  testing::expect_every_truncation_fails<entity_addrvec_t>(vec);

  auto legacy = from_hex(kLegacyClient);
  auto l = testing::expect_round_trip<entity_addrvec_t>(legacy);
  EXPECT_EQ(l.marker, 0);
  ASSERT_EQ(l.v.size(), 1u);
  EXPECT_TRUE(l.v[0].legacy);

  auto single = from_hex("01 01011c000000 02000000 00000000 10000000 0200 a474 7f000001 0000000000000000");
  auto s = testing::expect_round_trip<entity_addrvec_t>(single);
  EXPECT_EQ(s.marker, 1);
  EXPECT_EQ(s.v[0].port(), 42100);
}

TEST(EntityAddrvec, HugeCountRejectedBeforeAllocation) {
  auto wire = from_hex("02 ffffffff 01");
  auto r = decode_as<entity_addrvec_t>(wire, "addrs");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "addrs.v");
  EXPECT_EQ(r.error().offset, 1u);
}

TEST(EntityAddr, JsonDump) {
  auto a = *decode_as<entity_addr_t>(from_hex(kLegacyClient), "a");
  EXPECT_EQ(to_json(a),
            R"({"type":"v1","addr":"127.0.0.1:0","nonce":1208829963,"encoding":"legacy"})");
}

}  // namespace
}  // namespace cephwire::codec
