// MonMap / mon_info_t / MMonMap: hand-built vectors from src/mon/MonMap.cc (the Pacific v9
// layout and the older struct_v 3..8 forms), limits, truncation, compat checks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/messages/MMonMap.h"
#include "codec/messages/mon_test_util.h"

namespace cephwire::codec {
namespace {

using testing::expect_every_front_truncation_fails;
using testing::expect_message_round_trip;
using testing::from_hex;
using testing::hex;
using testing::make_parts;

// One addr2 entity_addr_t: v1:10.0.0.1:6789, nonce 0, inside an addrvec of one.
const char* kAddrvec =
    "02 01000000"
    "01 01 01 1c000000 01000000 00000000 10000000 0200 1a85 0a000001 0000000000000000";

// mon_info_t v5 for "b".
std::string mon_info_b() {
  return std::string("0501" "41000000") +  // ENCODE_START(5, 1), 65 bytes
         "01000000 62" + kAddrvec +      // name, public_addrs (5 + 40)
         "0700"                          // priority 7
         "0300"                          // weight 3
         "01000000 02000000 6463 02000000 7a31";  // crush_loc {dc: z1} (16)
}

// A v9 MonMap body after the envelope header, with every optional field non-empty.
std::string monmap_v9_body() {
  return std::string("a1b4b34ace504940bb1d37e1d8982004") +  // fsid
         "05000000"                                      // epoch 5
         "0100000002000000"                              // last_changed
         "0300000004000000"                              // created
         "01 01 08000000 ff00000000000000"               // persistent_features
         "01 01 08000000 0100000000000000"               // optional_features
         "01000000 01000000 62" + mon_info_b() +         // mon_info {b: ...}
         "01000000 01000000 62"                          // ranks [b]
         "10"                                            // min_mon_release 16
         "02000000 ffffffff 01000000"                    // removed_ranks {-1, 1}
         "03"                                            // strategy CONNECTIVITY
         "01000000 01000000 62"                          // disallowed_leaders {b}
         "01"                                            // stretch_mode_enabled
         "01000000 62"                                   // tiebreaker_mon "b"
         "01000000 01000000 62";                         // stretch_marked_down_mons {b}
}

std::vector<uint8_t> with_envelope(uint8_t v, uint8_t compat, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> out = {v, compat};
  uint32_t n = static_cast<uint32_t>(body.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(n >> (8 * i)));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<uint8_t> as_bufferlist(const std::vector<uint8_t>& b) {
  std::vector<uint8_t> out;
  uint32_t n = static_cast<uint32_t>(b.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(n >> (8 * i)));
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

TEST(MonMap, V9EveryField) {
  auto blob = with_envelope(9, 6, from_hex(monmap_v9_body()));
  auto m = testing::expect_round_trip<MonMap>(blob, {}, "MonMap");
  EXPECT_EQ(m.fsid.to_string(), "a1b4b34a-ce50-4940-bb1d-37e1d8982004");
  EXPECT_EQ(m.epoch, 5u);
  EXPECT_EQ(m.last_changed.sec, 1u);
  EXPECT_EQ(m.created.nsec, 4u);
  EXPECT_EQ(m.persistent_features.features, 0xffu);
  EXPECT_EQ(m.optional_features.features, 1u);
  ASSERT_EQ(m.mon_info.size(), 1u);
  const mon_info_t& b = m.mon_info.at("b");
  EXPECT_EQ(b.env.struct_v, 5);
  EXPECT_EQ(b.name, "b");
  EXPECT_EQ(b.public_addrs.to_string(), "v1:10.0.0.1:6789/0");
  EXPECT_EQ(b.priority, 7);
  EXPECT_EQ(b.weight, 3);
  EXPECT_EQ(b.crush_loc.at("dc"), "z1");
  EXPECT_EQ(m.ranks, (std::vector<std::string>{"b"}));
  EXPECT_EQ(m.min_mon_release, 16);
  EXPECT_EQ(m.removed_ranks, (std::set<int32_t>{-1, 1}));
  EXPECT_EQ(m.strategy, 3);
  EXPECT_EQ(m.disallowed_leaders.count("b"), 1u);
  EXPECT_TRUE(m.stretch_mode_enabled);
  EXPECT_EQ(m.tiebreaker_mon, "b");
  EXPECT_EQ(m.stretch_marked_down_mons.count("b"), 1u);
  EXPECT_TRUE(m.env.unknown_tail.empty());
  ASSERT_NE(m.addrs_of("b"), nullptr);
  EXPECT_EQ(m.addrs_of("c"), nullptr);
  testing::expect_every_truncation_fails<MonMap>(blob, {}, "MonMap");

  JsonWriter w;
  m.dump(w);
  const std::string& s = w.str();
  EXPECT_NE(s.find("\"fsid\":\"a1b4b34a-ce50-4940-bb1d-37e1d8982004\""), std::string::npos) << s;
  EXPECT_NE(s.find("\"mons\":[{\"rank\":0,\"name\":\"b\""), std::string::npos) << s;
  EXPECT_NE(s.find("\"crush_location\":{\"dc\":\"z1\"}"), std::string::npos) << s;
  EXPECT_NE(s.find("\"removed_ranks\":[-1,1]"), std::string::npos) << s;
}

TEST(MonMap, NewerStructVersionTailKept) {
  auto body = from_hex(monmap_v9_body());
  body.push_back(0xab);
  body.push_back(0xcd);
  auto blob = with_envelope(10, 6, body);
  auto m = testing::expect_round_trip<MonMap>(blob, {}, "MonMap");
  EXPECT_EQ(hex(m.env.unknown_tail.span()), "abcd");
}

TEST(MonMap, CompatTooNewRejected) {
  auto blob = with_envelope(10, 10, from_hex(monmap_v9_body()));
  auto r = decode_as<MonMap>(blob, "MonMap");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
  EXPECT_EQ(r.error().offset, 0u);
  // mon_info_t compat 6 > 5.
  auto body = monmap_v9_body();
  auto pos = body.find("050141000000");
  ASSERT_NE(pos, std::string::npos);
  body.replace(pos, 4, "0506");
  r = decode_as<MonMap>(with_envelope(9, 6, from_hex(body)), "MonMap");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
  EXPECT_EQ(r.error().field, "MonMap.MonMap.mon_info[0].mon_info_t");
}

TEST(MonMap, PreFireflyU16EncodingRefused) {
  auto blob = from_hex("0200 a1b4b34ace504940bb1d37e1d8982004 01000000");
  auto r = decode_as<MonMap>(blob, "MonMap");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
}

TEST(MonMap, StretchBoolMustBe0Or1) {
  auto body = monmap_v9_body();
  // stretch_mode_enabled is the byte before "01000000 62" (tiebreaker) at the end.
  auto tail = std::string("01") + "01000000 62" + "01000000 01000000 62";
  auto pos = body.rfind(tail);
  ASSERT_NE(pos, std::string::npos);
  body.replace(pos, 2, "02");
  auto r = decode_as<MonMap>(with_envelope(9, 6, from_hex(body)), "MonMap");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(r.error().field, "MonMap.MonMap.stretch_mode_enabled");
}

TEST(MonMap, UnsortedRemovedRanksRejected) {
  auto body = monmap_v9_body();
  auto pos = body.find("02000000 ffffffff 01000000");
  ASSERT_NE(pos, std::string::npos);
  body.replace(pos, 26, "02000000 01000000 ffffffff");
  auto r = decode_as<MonMap>(with_envelope(9, 6, from_hex(body)), "MonMap");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(r.error().field, "MonMap.MonMap.removed_ranks[1]");
}

TEST(MonMap, V6NautilusLayout) {
  // v6: ranks but no min_mon_release and nothing after.
  std::string body = std::string("a1b4b34ace504940bb1d37e1d8982004") + "01000000" +
                     "0000000000000000" "0000000000000000" +
                     "01 01 08000000 0000000000000000" "01 01 08000000 0000000000000000" +
                     "01000000 01000000 62" + mon_info_b() + "01000000 01000000 62";
  auto blob = with_envelope(6, 6, from_hex(body));
  auto m = testing::expect_round_trip<MonMap>(blob, {}, "MonMap");
  EXPECT_EQ(m.ranks.size(), 1u);
  EXPECT_EQ(m.min_mon_release, 0);
  EXPECT_EQ(m.strategy, 1);
  testing::expect_every_truncation_fails<MonMap>(blob, {}, "MonMap");
}

TEST(MonMap, V5AndV3LegacyLayouts) {
  // v5 (luminous/mimic peers): legacy mon_addr map, features, mon_info (v2, legacy addr).
  std::string legacy_addr =
      "00 00 0000 00000000 0002 1a85 0a000001" + std::string(240, '0');  // 136-byte form
  std::string info_v2 = "02 01 " + std::string("8f000000") + "01000000 62" + legacy_addr + "0000";
  std::string body5 = std::string("a1b4b34ace504940bb1d37e1d8982004") + "01000000" +
                      "01000000 01000000 62" + legacy_addr +       // mon_addr {b: ...}
                      "0000000000000000" "0000000000000000" +       // last_changed, created
                      "01 01 08000000 0000000000000000" "01 01 08000000 0000000000000000" +
                      "01000000 01000000 62" + info_v2;
  auto blob5 = with_envelope(5, 3, from_hex(body5));
  auto m5 = testing::expect_round_trip<MonMap>(blob5, {}, "MonMap");
  ASSERT_EQ(m5.mon_addr.size(), 1u);
  EXPECT_TRUE(m5.mon_addr.at("b").legacy);
  EXPECT_EQ(m5.mon_addr.at("b").to_string(), "v1:10.0.0.1:6789/0");
  EXPECT_EQ(m5.mon_info.at("b").public_addrs.to_string(), "v1:10.0.0.1:6789/0");
  EXPECT_TRUE(m5.ranks.empty());
  // v3: fsid, epoch, mon_addr, last_changed, created only.
  std::string body3 = std::string("a1b4b34ace504940bb1d37e1d8982004") + "02000000" +
                      "00000000" + "0000000000000000" "0000000000000000";
  auto blob3 = with_envelope(3, 3, from_hex(body3));
  auto m3 = testing::expect_round_trip<MonMap>(blob3, {}, "MonMap");
  EXPECT_EQ(m3.epoch, 2u);
  EXPECT_TRUE(m3.mon_info.empty());
}

TEST(MonMap, HugeMonInfoCountRejected) {
  std::string body = std::string("a1b4b34ace504940bb1d37e1d8982004") + "01000000" +
                     "0000000000000000" "0000000000000000" +
                     "01 01 08000000 0000000000000000" "01 01 08000000 0000000000000000" +
                     "ffffff0f 00000000";
  auto r = decode_as<MonMap>(with_envelope(9, 6, from_hex(body)), "MonMap");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "MonMap.MonMap.mon_info");
  EXPECT_EQ(r.error().offset, 6u + 16 + 4 + 16 + 14 + 14);
}

TEST(MMonMap, BufferlistMustBeFilledExactly) {
  auto blob = with_envelope(9, 6, from_hex(monmap_v9_body()));
  auto front = as_bufferlist(blob);
  auto p = make_parts(4, 1, 1, front);
  auto m = expect_message_round_trip<MMonMap>(p);
  EXPECT_EQ(m.monmap.epoch, 5u);
  expect_every_front_truncation_fails<MMonMap>(p);

  // A byte inside the bufferlist after the MonMap: the monmap does not fill it.
  auto blob2 = blob;
  blob2.push_back(0);
  auto front2 = as_bufferlist(blob2);
  auto r = MMonMap::decode(make_parts(4, 1, 1, front2));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
  EXPECT_EQ(r.error().field, "MMonMap.monmap");
  // A byte after the bufferlist: the front is not consumed.
  auto front3 = front;
  front3.push_back(0);
  r = MMonMap::decode(make_parts(4, 1, 1, front3));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
  EXPECT_EQ(r.error().offset, front.size());
  // A bufferlist length past the front.
  auto front4 = front;
  front4[3] = 0x7f;
  r = MMonMap::decode(make_parts(4, 1, 1, front4));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "MMonMap.monmap");
}

}  // namespace
}  // namespace cephwire::codec
