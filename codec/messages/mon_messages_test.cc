// Hand-built vectors for every mon-session message, written field by field from the Ceph
// sources cited in each header; limits, truncation, huge counts, header checks, dispatch.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "codec/messages/mon_messages.h"
#include "codec/messages/mon_test_util.h"

namespace cephwire::codec {
namespace {

using testing::expect_every_front_truncation_fails;
using testing::expect_message_round_trip;
using testing::from_hex;
using testing::hex;
using testing::make_parts;

const char* kFsidHex = "a1b4b34ace504940bb1d37e1d8982004";

// ---- MAuth -------------------------------------------------------------------------------

const char* kMAuth =
    "0807060504030201"  // paxos version
    "ffff"              // deprecated_session_mon -1
    "8877665544332211"  // deprecated_session_mon_tid
    "02000000"          // protocol cephx
    "03000000 aabbcc"   // auth_payload
    "09000000";         // monmap_epoch

TEST(MAuth, HandBuilt) {
  auto front = from_hex(kMAuth);
  auto p = make_parts(17, 1, 1, front);
  auto m = expect_message_round_trip<MAuth>(p);
  EXPECT_EQ(m.paxos.version, 0x0102030405060708u);
  EXPECT_EQ(m.paxos.deprecated_session_mon, -1);
  EXPECT_EQ(m.paxos.deprecated_session_mon_tid, 0x1122334455667788u);
  EXPECT_EQ(m.protocol, kCephAuthCephx);
  EXPECT_EQ(hex(m.auth_payload.span()), "aabbcc");
  EXPECT_TRUE(m.has_monmap_epoch);
  EXPECT_EQ(m.monmap_epoch, 9u);
  // The payload is a view into the front (zero-copy).
  EXPECT_EQ(m.auth_payload.data(), front.data() + 26);
}

TEST(MAuth, MonmapEpochIsOptional) {
  auto front = from_hex(kMAuth);
  front.erase(front.end() - 4, front.end());
  auto p = make_parts(17, 1, 1, front);
  auto m = expect_message_round_trip<MAuth>(p);
  EXPECT_FALSE(m.has_monmap_epoch);
  // 1..3 bytes of a monmap_epoch are a truncation, not an absent field.
  for (size_t extra = 1; extra < 4; ++extra) {
    auto f2 = front;
    f2.insert(f2.end(), extra, 0);
    auto r = MAuth::decode(make_parts(17, 1, 1, f2));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kTruncated);
    EXPECT_EQ(r.error().field, "MAuth.monmap_epoch");
  }
}

TEST(MAuth, TruncationAtEveryOffset) {
  auto front = from_hex(kMAuth);
  // Every prefix shorter than the one without monmap_epoch must fail; the prefix that ends
  // exactly after auth_payload is the valid "no monmap_epoch" form.
  auto p = make_parts(17, 1, 1, front);
  for (size_t n = 0; n < front.size(); ++n) {
    MessageParts q = p;
    q.front = Bytes::view(std::span(front).first(n));
    auto r = MAuth::decode(q);
    if (n == front.size() - 4) {
      EXPECT_TRUE(r) << r.error().to_string();
      continue;
    }
    ASSERT_FALSE(r) << n;
    EXPECT_LE(r.error().offset, n);
    EXPECT_EQ(r.error().field.rfind("MAuth.", 0), 0u) << r.error().to_string();
  }
}

TEST(MAuth, HugeAuthPayloadLengthRejected) {
  auto front = from_hex(kMAuth);
  front[22] = front[23] = front[24] = front[25] = 0xff;  // auth_payload length 0xffffffff
  auto r = MAuth::decode(make_parts(17, 1, 1, front));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "MAuth.auth_payload");
  EXPECT_EQ(r.error().offset, 22u);
}

TEST(MAuth, HelloPayload) {
  AuthHelloPayload h;
  h.supported_methods = {kCephAuthCephx, kCephAuthNone};
  h.entity_name = {8, "admin"};
  h.global_id = 4133;
  MAuth m = MAuth::make_hello(h, 3);
  MessageParts p;
  m.encode(p);
  EXPECT_EQ(p.type, 17);
  EXPECT_EQ(p.version, 1);
  EXPECT_EQ(p.compat_version, 1);
  EXPECT_EQ(hex(p.front.span()),
            hex(from_hex(
            "0000000000000000" "ffff" "0000000000000000"  // paxos header
            "00000000"                                     // protocol 0
            "22000000"                                     // auth_payload, 34 bytes
            "01"                                           // struct_v
            "02000000 02000000 01000000"                   // supported [cephx, none]
            "08000000 05000000 61646d696e"                 // client.admin
            "2510000000000000"                             // global_id 4133
            "03000000")));                                 // monmap_epoch
  auto back = MAuth::decode(p);
  ASSERT_TRUE(back) << back.error().to_string();
  auto hb = back->hello();
  ASSERT_TRUE(hb) << hb.error().to_string();
  EXPECT_EQ(*hb, h);
  EXPECT_EQ(hb->entity_name.to_string(), "client.admin");
  // A payload with a byte too many is not a hello payload.
  MAuth bad = *back;
  auto v = bad.auth_payload.to_vector();
  v.push_back(0);
  bad.auth_payload = Bytes(v);
  auto r = bad.hello();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
  // Every truncation of the payload is an error of the payload.
  auto wire = encode_to_vector(h);
  testing::expect_every_truncation_fails<AuthHelloPayload>(wire, {}, "AuthHelloPayload");
}

TEST(MAuth, JsonShowsHello) {
  AuthHelloPayload h;
  h.supported_methods = {kCephAuthNone};
  h.entity_name = {8, "admin"};
  JsonWriter w;
  MAuth::make_hello(h).dump(w);
  const std::string& s = w.str();
  EXPECT_NE(s.find("\"type_name\":\"MAuth\""), std::string::npos) << s;
  EXPECT_NE(s.find("\"name\":\"client.admin\""), std::string::npos) << s;
  EXPECT_NE(s.find("\"supported_methods\":[1]"), std::string::npos) << s;
  EXPECT_NE(s.find("\"deprecated_session_mon\":-1"), std::string::npos) << s;
}

// ---- MAuthReply --------------------------------------------------------------------------

TEST(MAuthReply, HandBuiltAtLimits) {
  auto front = from_hex(
      "01000000"          // protocol none
      "00000080"          // result INT32_MIN
      "ffffffffffffffff"  // global_id UINT64_MAX
      "02000000 beef"     // result_bl
      "02000000 6f6b");   // result_msg "ok"
  auto p = make_parts(18, 1, 1, front);
  auto m = expect_message_round_trip<MAuthReply>(p);
  EXPECT_EQ(m.protocol, kCephAuthNone);
  EXPECT_EQ(m.result, std::numeric_limits<int32_t>::min());
  EXPECT_EQ(m.global_id, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(hex(m.result_bl.span()), "beef");
  EXPECT_EQ(m.result_msg, "ok");
  expect_every_front_truncation_fails<MAuthReply>(p);
  JsonWriter w;
  m.dump(w);
  EXPECT_NE(w.str().find("\"global_id\":18446744073709551615"), std::string::npos) << w.str();
  EXPECT_NE(w.str().find("\"result\":-2147483648"), std::string::npos) << w.str();
}

TEST(MAuthReply, TrailingByteRejected) {
  auto front = from_hex("01000000 00000000 2510000000000000 00000000 00000000 00");
  auto r = MAuthReply::decode(make_parts(18, 1, 1, front));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
  EXPECT_EQ(r.error().offset, 24u);
}

// ---- header checks common to all -------------------------------------------------------

TEST(MonMessages, HeaderChecks) {
  auto front = from_hex("01000000 00000000 2510000000000000 00000000 00000000");
  // compat_version newer than the head version we know: refused (Message.cc decode_message).
  {
    auto r = MAuthReply::decode(make_parts(18, 2, 2, front));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
    EXPECT_EQ(r.error().field, "MAuthReply.header.compat_version");
  }
  // A newer version that keeps compat 1 is decoded with the layout we know.
  {
    auto r = MAuthReply::decode(make_parts(18, 2, 1, front));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->header_version, 2);
    // Re-encoded without a compat_version, it gets one we accept (not "compat = version").
    MessageParts out;
    r->encode(out);
    EXPECT_EQ(out.version, 2);
    EXPECT_EQ(out.compat_version, 1);
    EXPECT_TRUE(MAuthReply::decode(out));
  }
  // Wrong type.
  {
    auto r = MAuthReply::decode(make_parts(17, 1, 1, front));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
    EXPECT_EQ(r.error().field, "MAuthReply.header.type");
  }
  // Middle and data must be empty.
  {
    std::vector<uint8_t> extra = {1, 2, 3};
    auto p = make_parts(18, 1, 1, front, extra);
    auto r = MAuthReply::decode(p);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
    EXPECT_EQ(r.error().field, "MAuthReply.data");
    p.data = Bytes();
    p.middle = Bytes::view(extra);
    r = MAuthReply::decode(p);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "MAuthReply.middle");
  }
  // MOSDMap: compat 4 is fine (== head), 5 is not.
  {
    auto f = from_hex(std::string(kFsidHex) + "00000000 00000000 01000000 02000000 00000000");
    EXPECT_TRUE(MOSDMap::decode(make_parts(41, 4, 4, f)));
    auto r = MOSDMap::decode(make_parts(41, 5, 5, f));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
  }
}

// ---- MMonSubscribe -------------------------------------------------------------------------

TEST(MMonSubscribe, V3) {
  auto front = from_hex(
      "02000000"
      "06000000 6d6f6e6d6170 ffffffffffffffff 00"   // monmap: start max, persistent
      "06000000 6f73646d6170 0a00000000000000 01"   // osdmap: start 10, ONETIME
      "04000000 686f7374");                          // hostname "host"
  auto p = make_parts(15, 3, 1, front);
  auto m = expect_message_round_trip<MMonSubscribe>(p);
  ASSERT_EQ(m.what.size(), 2u);
  EXPECT_EQ(m.what.at("osdmap").start, 10u);
  EXPECT_EQ(m.what.at("osdmap").flags, kCephSubscribeOnetime);
  EXPECT_EQ(m.what.at("monmap").start, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(m.hostname, "host");
  expect_every_front_truncation_fails<MMonSubscribe>(p);
  JsonWriter w;
  m.dump(w);
  EXPECT_NE(w.str().find("\"osdmap\":{\"start\":10,\"flags\":1,\"onetime\":true}"),
            std::string::npos)
      << w.str();
}

TEST(MMonSubscribe, V2KernelHasNoHostname) {
  auto front = from_hex("01000000 06000000 6f73646d6170 0000000000000000 00");
  auto p = make_parts(15, 2, 1, front);
  auto m = expect_message_round_trip<MMonSubscribe>(p);
  EXPECT_EQ(m.header_version, 2);
  EXPECT_TRUE(m.hostname.empty());
  // The same bytes read as v3 lack the hostname.
  auto r = MMonSubscribe::decode(make_parts(15, 3, 1, front));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "MMonSubscribe.hostname");
}

TEST(MMonSubscribe, OldItemsBeforeV2) {
  auto front = from_hex("01000000 06000000 6f73646d6170 0000000000000000 0500000000000000 01");
  auto p = make_parts(15, 0, 1, front);  // Ceph sends version 0 (compat stays 1) without SUBSCRIBE2
  auto m = expect_message_round_trip<MMonSubscribe>(p);
  ASSERT_EQ(m.what_old.size(), 1u);
  EXPECT_EQ(m.what_old.at("osdmap").have, 5u);
  EXPECT_EQ(m.what_old.at("osdmap").onetime, 1);
  EXPECT_TRUE(m.what.empty());
  expect_every_front_truncation_fails<MMonSubscribe>(p);
}

TEST(MMonSubscribe, HugeCountRejectedBeforeAllocation) {
  auto front = from_hex("ffffffff 06000000 6f73646d6170");
  auto r = MMonSubscribe::decode(make_parts(15, 3, 1, front));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "MMonSubscribe.what");
  EXPECT_EQ(r.error().offset, 0u);
}

TEST(MMonSubscribe, RepeatedKeyRejected) {
  auto front = from_hex(
      "02000000"
      "01000000 61 0000000000000000 00"
      "01000000 61 0000000000000000 00"
      "00000000");
  auto r = MMonSubscribe::decode(make_parts(15, 3, 1, front));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
}

TEST(MMonSubscribe, OutOfOrderKeysRejected) {
  // Ceph encodes the map sorted; "osdmap" before "monmap" would re-encode differently.
  auto front = from_hex(
      "02000000"
      "06000000 6f73646d6170 0000000000000000 00"
      "06000000 6d6f6e6d6170 0000000000000000 00"
      "00000000");
  auto r = MMonSubscribe::decode(make_parts(15, 3, 1, front));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(r.error().field, "MMonSubscribe.what[1]");
  EXPECT_EQ(r.error().offset, 4u + 19);
}

// ---- MMonSubscribeAck ----------------------------------------------------------------------

TEST(MMonSubscribeAck, HandBuilt) {
  auto front = from_hex(std::string("2c010000") + kFsidHex);
  auto p = make_parts(16, 1, 1, front);
  auto m = expect_message_round_trip<MMonSubscribeAck>(p);
  EXPECT_EQ(m.interval, 300u);
  EXPECT_EQ(m.fsid.to_string(), "a1b4b34a-ce50-4940-bb1d-37e1d8982004");
  expect_every_front_truncation_fails<MMonSubscribeAck>(p);
}

// ---- MMonGetVersion / Reply / MMonGetMap -----------------------------------------------------

TEST(MMonGetVersion, HandBuilt) {
  auto front = from_hex("0700000000000000 06000000 6f73646d6170");
  auto p = make_parts(19, 1, 1, front);
  auto m = expect_message_round_trip<MMonGetVersion>(p);
  EXPECT_EQ(m.handle, 7u);
  EXPECT_EQ(m.what, "osdmap");
  expect_every_front_truncation_fails<MMonGetVersion>(p);
}

TEST(MMonGetVersionReply, V2AndV1) {
  auto front = from_hex("0700000000000000 0900000000000000 0100000000000000");
  auto p = make_parts(20, 2, 2, front);  // no COMPAT_VERSION: compat goes out == version
  auto m = expect_message_round_trip<MMonGetVersionReply>(p);
  EXPECT_EQ(m.handle, 7u);
  EXPECT_EQ(m.version, 9u);
  EXPECT_EQ(m.oldest_version, 1u);
  expect_every_front_truncation_fails<MMonGetVersionReply>(p);

  auto f1 = from_hex("0700000000000000 0900000000000000");
  auto m1 = expect_message_round_trip<MMonGetVersionReply>(make_parts(20, 1, 1, f1));
  EXPECT_EQ(m1.oldest_version, 0u);
  // v1 bytes with the v2 field present: trailing bytes.
  auto r = MMonGetVersionReply::decode(make_parts(20, 1, 1, front));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
}

TEST(MMonGetMap, EmptyFront) {
  std::vector<uint8_t> none;
  auto m = expect_message_round_trip<MMonGetMap>(make_parts(5, 1, 1, none));
  EXPECT_EQ(m.header_version, 1);
  std::vector<uint8_t> one = {0};
  auto r = MMonGetMap::decode(make_parts(5, 1, 1, one));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
}

// ---- MConfig ---------------------------------------------------------------------------------

TEST(MConfig, HandBuilt) {
  auto good = from_hex(
      "02000000"
      "0b000000 6c6f675f746f5f66696c65 05000000 66616c7365"  // log_to_file = false
      "0d000000 6d735f62696e645f6d736772 32 04000000 74727565");  // ms_bind_msgr2 = true
  auto p = make_parts(62, 1, 1, good);
  auto m = expect_message_round_trip<MConfig>(p);
  ASSERT_EQ(m.config.size(), 2u);
  EXPECT_EQ(m.config.at("log_to_file"), "false");
  EXPECT_EQ(m.config.at("ms_bind_msgr2"), "true");
  expect_every_front_truncation_fails<MConfig>(p);
  JsonWriter w;
  m.dump(w);
  EXPECT_NE(w.str().find("\"config\":{\"log_to_file\":\"false\",\"ms_bind_msgr2\":\"true\"}"),
            std::string::npos)
      << w.str();
}

TEST(MConfig, HugeCountAndLengthRejected) {
  auto r = MConfig::decode(make_parts(62, 1, 1, from_hex("ffffffff")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  auto f2 = from_hex("01000000 ffffff7f 6100000000");
  r = MConfig::decode(make_parts(62, 1, 1, f2));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().offset, 4u);
}

// ---- MMgrMap -----------------------------------------------------------------------------------

TEST(MMgrMap, PrefixDecodedRestKept) {
  auto front = from_hex(
      "0c 06 32000000"           // ENCODE_START(12, 6), 50 bytes
      "07000000"                  // epoch 7
      "02 01000000"               // addrvec, 1 addr
      "01 01 01 1c000000 02000000 2a000000 10000000 0200 1a85 7f000001 0000000000000000"
      "9a10000000000000"          // active_gid 4250
      "01"                        // available
      "01000000 78"               // active_name "x"
      "0000");                    // 2 bytes of later fields (kept)
  // Fix the envelope length to the real body size.
  front[2] = static_cast<uint8_t>(front.size() - 6);
  auto p = make_parts(0x704, 1, 1, front);
  auto m = expect_message_round_trip<MMgrMap>(p);
  EXPECT_EQ(m.map.env.struct_v, 12);
  EXPECT_EQ(m.map.epoch, 7u);
  EXPECT_EQ(m.map.active_gid, 4250u);
  EXPECT_TRUE(m.map.available);
  EXPECT_EQ(m.map.active_name, "x");
  ASSERT_EQ(m.map.active_addrs.v.size(), 1u);
  EXPECT_EQ(m.map.active_addrs.to_string(), "v2:127.0.0.1:6789/42");
  EXPECT_EQ(m.map.env.unknown_tail.size(), 2u);
  expect_every_front_truncation_fails<MMgrMap>(p);

  // available must be 0 or 1 (else it would not re-encode to the same byte).
  auto bad = front;
  bad[front.size() - 8] = 2;
  auto r = MMgrMap::decode(make_parts(0x704, 1, 1, bad));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(r.error().field, "MMgrMap.map.MgrMap.available");

  // struct_compat newer than the layouts we know.
  bad = front;
  bad[1] = 13;
  r = MMgrMap::decode(make_parts(0x704, 1, 1, bad));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
}

// ---- MOSDMap -----------------------------------------------------------------------------------

std::string osdmap_front_v4() {
  return std::string(kFsidHex) +
         "02000000"                          // incremental_maps: 2
         "0a000000 02000000 aaaa"            //   10 -> aaaa
         "0b000000 00000000"                 //   11 -> (empty)
         "01000000 0b000000 03000000 bbbbbb"  // maps: 11 -> bbbbbb
         "01000000"                          // oldest_map 1
         "0b000000"                          // newest_map 11
         "01000000"                          // gap_removed_snaps: 1 pool
         "0200000000000000 01000000 0400000000000000 0200000000000000";  // pool 2: [4,+2)
}

TEST(MOSDMap, V4) {
  auto front = from_hex(osdmap_front_v4());
  auto p = make_parts(41, 4, 3, front);
  auto m = expect_message_round_trip<MOSDMap>(p);
  EXPECT_EQ(m.fsid.to_string(), "a1b4b34a-ce50-4940-bb1d-37e1d8982004");
  ASSERT_EQ(m.incremental_maps.size(), 2u);
  EXPECT_EQ(hex(m.incremental_maps.at(10).span()), "aaaa");
  EXPECT_TRUE(m.incremental_maps.at(11).empty());
  ASSERT_EQ(m.maps.size(), 1u);
  EXPECT_EQ(hex(m.maps.at(11).span()), "bbbbbb");
  EXPECT_EQ(m.oldest_map, 1u);
  EXPECT_EQ(m.newest_map, 11u);
  EXPECT_EQ(m.gap_removed_snaps.at(2).at(4), 2u);
  EXPECT_EQ(m.get_first(), 10u);
  EXPECT_EQ(m.get_last(), 11u);
  expect_every_front_truncation_fails<MOSDMap>(p);
}

TEST(MOSDMap, OlderHeaderVersions) {
  // v1: no oldest/newest; v2/v3: no gap_removed_snaps.
  auto v1 = from_hex(std::string(kFsidHex) + "00000000 01000000 05000000 01000000 cc");
  auto m1 = expect_message_round_trip<MOSDMap>(make_parts(41, 1, 1, v1));
  EXPECT_EQ(m1.maps.at(5).size(), 1u);
  EXPECT_EQ(m1.newest_map, 0u);
  auto v3 = from_hex(std::string(kFsidHex) + "00000000 00000000 03000000 07000000");
  auto m3 = expect_message_round_trip<MOSDMap>(make_parts(41, 3, 3, v3));
  EXPECT_EQ(m3.oldest_map, 3u);
  EXPECT_EQ(m3.newest_map, 7u);
  EXPECT_EQ(m3.get_first(), 0u);
  // The v3 bytes read as v4 lack gap_removed_snaps.
  auto r = MOSDMap::decode(make_parts(41, 4, 3, v3));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "MOSDMap.gap_removed_snaps");
  EXPECT_EQ(r.error().kind, ErrorKind::kTruncated);
}

TEST(MOSDMap, HugeCountsRejectedBeforeAllocation) {
  // incremental_maps count 0x40000000 with 12 bytes left.
  auto f = from_hex(std::string(kFsidHex) + "00000040 0000000000000000 00000000");
  auto r = MOSDMap::decode(make_parts(41, 4, 3, f));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "MOSDMap.incremental_maps");
  EXPECT_EQ(r.error().offset, 16u);
  // A map blob longer than the front.
  auto g = from_hex(std::string(kFsidHex) + "00000000 01000000 09000000 ffffff00 00");
  r = MOSDMap::decode(make_parts(41, 4, 3, g));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "MOSDMap.maps[0]");
  // gap_removed_snaps inner interval count too large.
  auto h = from_hex(std::string(kFsidHex) +
                    "00000000 00000000 01000000 01000000 01000000 0100000000000000 ffffffff");
  r = MOSDMap::decode(make_parts(41, 4, 3, h));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
}

TEST(MOSDMap, MapsAreViews) {
  auto front = from_hex(osdmap_front_v4());
  auto m = MOSDMap::decode(make_parts(41, 4, 3, front));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->maps.at(11).is_view());
  EXPECT_GE(m->maps.at(11).data(), front.data());
  EXPECT_LT(m->maps.at(11).data(), front.data() + front.size());
}

// ---- MMonCommand / Ack -----------------------------------------------------------------------

TEST(MMonCommand, FrontAndData) {
  auto front = from_hex(std::string("0000000000000000 ffff 0000000000000000") + kFsidHex +
                        "01000000 13000000 7b22707265666978223a22737461747573227d");
  std::vector<uint8_t> data = {'i', 'n'};
  auto p = make_parts(50, 1, 1, front, data);
  auto m = expect_message_round_trip<MMonCommand>(p);
  ASSERT_EQ(m.cmd.size(), 1u);
  EXPECT_EQ(m.cmd[0], "{\"prefix\":\"status\"}");
  EXPECT_EQ(m.inbl.str(), "in");
  expect_every_front_truncation_fails<MMonCommand>(p);
  // Middle is still not allowed.
  p.middle = Bytes::view(data);
  EXPECT_FALSE(MMonCommand::decode(p));
}

TEST(MMonCommandAck, FrontAndData) {
  auto front = from_hex(
      "0500000000000000 ffff 0000000000000000"
      "feffffff"                  // r = -ENOENT
      "04000000 6e6f7065"         // rs "nope"
      "02000000 01000000 61 00000000");  // cmd ["a", ""]
  std::vector<uint8_t> data = {'o', 'u', 't'};
  auto p = make_parts(51, 1, 1, front, data);
  auto m = expect_message_round_trip<MMonCommandAck>(p);
  EXPECT_EQ(m.paxos.version, 5u);
  EXPECT_EQ(m.r, -2);
  EXPECT_EQ(m.rs, "nope");
  EXPECT_EQ(m.cmd, (std::vector<std::string>{"a", ""}));
  EXPECT_EQ(m.outbl.str(), "out");
  expect_every_front_truncation_fails<MMonCommandAck>(p);
}

// ---- MPoolOp / MPoolOpReply / MPing -------------------------------------------------------------

const char* kPaxos0 = "0000000000000000 ffff 0000000000000000";

TEST(MPoolOp, V4) {
  auto front = from_hex(std::string(kPaxos0) + kFsidHex +
                        "05000000"            // pool 5
                        "12000000"            // op DELETE_SNAP
                        "0000000000000000"    // old_auid
                        "0700000000000000"    // snapid 7
                        "04000000 736e6170"   // name "snap"
                        "00"                  // pad
                        "ffff");              // crush_rule -1
  auto p = make_parts(49, 4, 2, front);
  auto m = expect_message_round_trip<MPoolOp>(p);
  EXPECT_EQ(m.pool, 5u);
  EXPECT_EQ(m.op, kPoolOpDeleteSnap);
  EXPECT_EQ(m.snapid, 7u);
  EXPECT_EQ(m.name, "snap");
  EXPECT_EQ(m.crush_rule, -1);
  expect_every_front_truncation_fails<MPoolOp>(p);
}

TEST(MPoolOp, OlderLayouts) {
  // v1: name right after pool; no pad, no crush_rule.
  auto v1 = from_hex(std::string(kPaxos0) + kFsidHex +
                     "05000000 01000000 70 01000000 0000000000000000 0000000000000000");
  auto m1 = expect_message_round_trip<MPoolOp>(make_parts(49, 1, 1, v1));
  EXPECT_EQ(m1.name, "p");
  EXPECT_EQ(m1.op, kPoolOpCreate);
  // v3: name after snapid, then the pad byte (which was the crush rule then).
  auto v3 = from_hex(std::string(kPaxos0) + kFsidHex +
                     "05000000 01000000 0000000000000000 0000000000000000 01000000 70 03");
  auto m3 = expect_message_round_trip<MPoolOp>(make_parts(49, 3, 2, v3));
  EXPECT_EQ(m3.name, "p");
  EXPECT_EQ(m3.pad, 3);
  // The v3 bytes read as v4 lack crush_rule.
  auto r = MPoolOp::decode(make_parts(49, 4, 2, v3));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "MPoolOp.crush_rule");
  // compat 5 > head 4.
  r = MPoolOp::decode(make_parts(49, 5, 5, v3));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
}

TEST(MPoolOpReply, WithAndWithoutResponseData) {
  auto with = from_hex(std::string("0a00000000000000 ffff 0000000000000000") + kFsidHex +
                       "eaffffff"                 // replyCode -22 as u32
                       "0a000000"                 // epoch 10
                       "01 08000000 0200000000000000");
  auto p = make_parts(48, 1, 1, with);
  auto m = expect_message_round_trip<MPoolOpReply>(p);
  EXPECT_EQ(static_cast<int32_t>(m.reply_code), -22);
  EXPECT_EQ(m.epoch, 10u);
  EXPECT_TRUE(m.has_response_data);
  EXPECT_EQ(hex(m.response_data.span()), "0200000000000000");
  expect_every_front_truncation_fails<MPoolOpReply>(p);

  auto without = from_hex(std::string(kPaxos0) + kFsidHex + "00000000 0b000000 00");
  auto m2 = expect_message_round_trip<MPoolOpReply>(make_parts(48, 1, 1, without));
  EXPECT_FALSE(m2.has_response_data);
  // has_response_data must be 0 or 1.
  without.back() = 2;
  auto r = MPoolOpReply::decode(make_parts(48, 1, 1, without));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(r.error().field, "MPoolOpReply.has_response_data");
  // Set, but the bufferlist length is past the end.
  auto huge = from_hex(std::string(kPaxos0) + kFsidHex + "00000000 0b000000 01 ffffffff");
  r = MPoolOpReply::decode(make_parts(48, 1, 1, huge));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
}

TEST(MPing, Empty) {
  std::vector<uint8_t> none;
  expect_message_round_trip<MPing>(make_parts(2, 1, 1, none));
  std::vector<uint8_t> one = {0};
  EXPECT_FALSE(MPing::decode(make_parts(2, 1, 1, one)));
  EXPECT_FALSE(MPing::decode(make_parts(2, 1, 1, none, one)));
}

// ---- OpaqueMessage and dispatch --------------------------------------------------------------

TEST(OpaqueMessage, KeepsEverything) {
  std::vector<uint8_t> f = {1, 2, 3}, mid = {4}, d = {5, 6};
  MessageParts p = make_parts(42, 8, 3, f, d);
  p.middle = Bytes::view(mid);
  auto m = OpaqueMessage::decode(p);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->describe(), "unknown type 42");
  MessageParts out;
  m->encode(out);
  EXPECT_EQ(out.type, 42);
  EXPECT_EQ(out.version, 8);
  EXPECT_EQ(out.compat_version, 3);
  EXPECT_EQ(hex(out.front.span()), "010203");
  EXPECT_EQ(hex(out.middle.span()), "04");
  EXPECT_EQ(hex(out.data.span()), "0506");
  JsonWriter w;
  m->dump(w);
  EXPECT_NE(w.str().find("\"note\":\"unknown type 42\""), std::string::npos) << w.str();
}

TEST(MonMessages, Dispatch) {
  auto front = from_hex("01000000 00000000 2510000000000000 00000000 00000000");
  auto r = decode_mon_message(make_parts(18, 1, 1, front));
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_TRUE(std::holds_alternative<MAuthReply>(*r));
  EXPECT_EQ(std::get<MAuthReply>(*r).global_id, 4133u);
  MessageParts out;
  encode_mon_message(*r, out);
  EXPECT_EQ(hex(out.front.span()), hex(front));

  // A typed decoder's error is returned, not turned into an opaque message.
  auto bad = decode_mon_message(make_parts(18, 1, 1, std::vector<uint8_t>{}));
  EXPECT_FALSE(bad);

  std::vector<uint8_t> any = {9};
  auto o = decode_mon_message(make_parts(1234, 1, 1, any));
  ASSERT_TRUE(o);
  ASSERT_TRUE(std::holds_alternative<OpaqueMessage>(*o));
  EXPECT_EQ(std::get<OpaqueMessage>(*o).describe(), "unknown type 1234");

  EXPECT_STREQ(mon_message_name(0x704), "MMgrMap");
  EXPECT_STREQ(mon_message_name(4), "MMonMap");
  EXPECT_EQ(mon_message_name(42), nullptr);
  EXPECT_TRUE(is_mon_message_type(62));
  EXPECT_TRUE(is_mon_message_type(2));
  EXPECT_STREQ(mon_message_name(49), "MPoolOp");
  EXPECT_FALSE(is_mon_message_type(44));
}

static_assert(WireMessage<MAuth> && WireMessage<MAuthReply> && WireMessage<MMonSubscribe> &&
              WireMessage<MMonSubscribeAck> && WireMessage<MMonMap> && WireMessage<MOSDMap> &&
              WireMessage<MConfig> && WireMessage<MMgrMap> && WireMessage<MMonGetVersion> &&
              WireMessage<MMonGetVersionReply> && WireMessage<MMonGetMap> &&
              WireMessage<MMonCommand> && WireMessage<MMonCommandAck> &&
              WireMessage<MPoolOp> && WireMessage<MPoolOpReply> && WireMessage<MPing> &&
              WireMessage<OpaqueMessage>);

}  // namespace
}  // namespace cephwire::codec
