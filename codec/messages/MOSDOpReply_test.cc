// MOSDOpReply front layouts v1..v8 built field by field from src/messages/MOSDOpReply.h
// (encode_payload / decode_payload) and src/include/rados.h ceph_osd_reply_head, the outdata
// split, limits and truncations.
#include "codec/messages/MOSDOpReply.h"

#include <gtest/gtest.h>

#include "codec/messages/osd_test_util.h"

namespace cephwire::codec {
namespace {

using osdtest::expect_every_data_truncation_fails;
using osdtest::expect_every_front_truncation_fails;
using osdtest::expect_front_trailing_byte_fails;
using osdtest::expect_message_round_trip;
using osdtest::LE;
using osdtest::make_parts;

std::vector<uint8_t> notify_op(uint64_t cookie, uint32_t payload) {
  return LE().u16(0x1206).u32(0).u64(cookie).zeros(20).u32(payload).take();
}
std::vector<uint8_t> stat_op(uint32_t payload) {
  return LE().u16(0x1202).u32(0).zeros(28).u32(payload).take();
}

// v2+ layout, ops = {NOTIFY -> 8 bytes, STAT -> 16 bytes}.
std::vector<uint8_t> front(uint16_t v, uint8_t do_redirect = 0,
                           const std::vector<uint8_t>& redirect = {}) {
  LE b;
  b.str("cephwire-basic")
      .u8(1).u64(1).u32(1).s32(-1)     // pg_t 1.1
      .u64(0x400025)                   // flags (le64)
      .s32(0)                          // result
      .u64(1).u32(9)                   // bad_replay_version
      .u32(9)                          // osdmap_epoch
      .u32(2)                          // num_ops (le32)
      .raw(notify_op(94700651213744ULL, 8))
      .raw(stat_op(16));
  if (v >= 3) b.s32(0);                // retry_attempt
  if (v >= 4) b.s32(0).s32(-2);        // rvals
  if (v >= 5) b.u64(3).u32(9).u64(1);  // replay_version, user_version
  if (v == 6) b.raw(redirect);
  if (v >= 7) {
    b.u8(do_redirect);
    if (do_redirect) b.raw(redirect);
  }
  if (v >= 8) b.zeros(24);             // trace
  return b.take();
}
std::vector<uint8_t> outdata() {
  return LE().u64(38654705664ULL).u64(34).u32(1700000000).u32(0).take();
}
std::vector<uint8_t> redirect_bytes(std::string_view obj) {
  auto oloc = LE().envelope(6, 3, LE().s64(2).s32(-1).str("").str("").s64(-1).take()).take();
  return LE().envelope(1, 1, LE().raw(oloc).str(obj).u32(0).take()).take();
}

TEST(MOSDOpReply, V8HandBuilt) {
  auto f = front(8);
  auto d = outdata();
  auto p = make_parts(43, 8, 2, f, d);
  auto m = expect_message_round_trip<MOSDOpReply>(p);
  EXPECT_EQ(m.oid, "cephwire-basic");
  EXPECT_EQ(m.pgid.to_string(), "1.1");
  EXPECT_EQ(m.flags, 0x400025);
  EXPECT_EQ(m.bad_replay_version.version, 1u);
  EXPECT_EQ(m.bad_replay_version.epoch, 9u);
  ASSERT_EQ(m.ops.size(), 2u);
  EXPECT_EQ(m.ops[0].op.notify().cookie, 94700651213744ULL);
  EXPECT_EQ(m.ops[0].rval, 0);
  EXPECT_EQ(m.ops[1].rval, -2);
  EXPECT_EQ(m.ops[0].outdata.data(), d.data());
  EXPECT_EQ(m.replay_version.version, 3u);
  EXPECT_EQ(m.user_version, 1u);
  EXPECT_FALSE(m.do_redirect);
  auto n = m.op_output(0);
  ASSERT_TRUE(n);
  EXPECT_EQ(std::get<notify_outdata_t>(*n).notify_id, 38654705664ULL);
  auto s = m.op_output(1);
  ASSERT_TRUE(s);
  EXPECT_EQ(std::get<stat_outdata_t>(*s).size, 34u);
  const std::string json = to_json(m);
  EXPECT_NE(json.find(R"("rval":-2,"outdata":{"size":34,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("outdata":{"notify_id":38654705664})"), std::string::npos) << json;
  expect_every_front_truncation_fails<MOSDOpReply>(p);
  expect_every_data_truncation_fails<MOSDOpReply>(p);
  expect_front_trailing_byte_fails<MOSDOpReply>(p);
  auto longer = d;
  longer.push_back(1);
  auto r = MOSDOpReply::decode(make_parts(43, 8, 2, f, longer));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
  EXPECT_EQ(r.error().field, "MOSDOpReply.data");
}

TEST(MOSDOpReply, Redirect) {
  auto rr = redirect_bytes("elsewhere");
  auto f = front(8, 1, rr);
  auto d = outdata();
  auto p = make_parts(43, 8, 2, f, d);
  auto m = expect_message_round_trip<MOSDOpReply>(p);
  EXPECT_TRUE(m.do_redirect);
  EXPECT_EQ(m.redirect.redirect_object, "elsewhere");
  EXPECT_EQ(m.redirect.redirect_locator.pool, 2);
  EXPECT_NE(to_json(m).find(R"("redirect":{"object":"elsewhere")"), std::string::npos);
  expect_every_front_truncation_fails<MOSDOpReply>(p);
  // do_redirect is a bool: 2 would not re-encode.
  auto bad = front(8, 2, rr);
  auto r = MOSDOpReply::decode(make_parts(43, 8, 2, bad, d));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(r.error().field, "MOSDOpReply.do_redirect");
}

TEST(MOSDOpReply, V2ToV7) {
  auto rr = redirect_bytes("");
  for (uint16_t v = 2; v <= 7; ++v) {
    SCOPED_TRACE("version " + std::to_string(v));
    auto f = front(v, 0, rr);
    auto d = outdata();
    auto p = make_parts(43, v, 2, f, d);
    auto m = expect_message_round_trip<MOSDOpReply>(p);
    EXPECT_EQ(m.retry_attempt, v >= 3 ? 0 : -1);
    if (v >= 4) {
      EXPECT_EQ(m.ops[1].rval, -2);
      EXPECT_EQ(m.ops[1].outdata.size(), 16u);
      EXPECT_TRUE(m.unsplit_data.empty());
      expect_every_data_truncation_fails<MOSDOpReply>(p);
    } else {
      // Before v4 Ceph does not split the data segment.
      EXPECT_TRUE(m.ops[0].outdata.empty());
      EXPECT_EQ(m.unsplit_data.size(), d.size());
    }
    EXPECT_EQ(m.user_version, v >= 5 ? 1u : 0u);
    expect_every_front_truncation_fails<MOSDOpReply>(p);
    expect_front_trailing_byte_fails<MOSDOpReply>(p);
  }
}

TEST(MOSDOpReply, V1PackedHead) {
  // ceph_osd_reply_head: client_inc | flags (le32) | ceph_object_layout | osdmap_epoch |
  // ceph_eversion {le32 epoch, le64 version} | result | object_len | num_ops | ops | name
  auto f = LE()
               .u32(4)
               .u32(0x25)
               .s16(-1).u16(1).u32(1).u32(0)
               .u32(9)
               .u32(9).u64(17)
               .s32(-2)
               .u32(3)
               .u32(1)
               .raw(notify_op(5, 8))
               .raw("obj")
               .take();
  auto d = LE().u64(1).take();
  for (uint16_t v : {0, 1}) {
    SCOPED_TRACE("version " + std::to_string(v));
    auto p = make_parts(43, v, v, f, d);
    auto m = expect_message_round_trip<MOSDOpReply>(p);
    EXPECT_EQ(m.client_inc, 4u);
    EXPECT_EQ(m.flags, 0x25);
    EXPECT_EQ(m.replay_version.epoch, 9u);
    EXPECT_EQ(m.replay_version.version, 17u);
    EXPECT_EQ(m.result, -2);
    EXPECT_EQ(m.oid, "obj");
    EXPECT_EQ(m.unsplit_data.size(), 8u);
    expect_every_front_truncation_fails<MOSDOpReply>(p);
    expect_front_trailing_byte_fails<MOSDOpReply>(p);
  }
}

TEST(MOSDOpReply, Limits) {
  // num_ops 0xffffffff
  auto f = front(8);
  const size_t num_ops_at = 4 + 14 + 17 + 8 + 4 + 12 + 4;
  ASSERT_EQ(f[num_ops_at], 2);
  for (int i = 0; i < 4; ++i) f[num_ops_at + i] = 0xff;
  auto d = outdata();
  auto r = MOSDOpReply::decode(make_parts(43, 8, 2, f, d));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "MOSDOpReply.ops");
  // oid length beyond the front
  auto g = front(8);
  g[3] = 0x7f;
  r = MOSDOpReply::decode(make_parts(43, 8, 2, g, d));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "MOSDOpReply.oid");
  EXPECT_EQ(r.error().offset, 0u);
  // versions above 8 and compat above 8
  r = MOSDOpReply::decode(make_parts(43, 9, 2, front(8), d));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
  r = MOSDOpReply::decode(make_parts(42, 8, 2, front(8), d));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "MOSDOpReply.header.type");
}

TEST(MOSDOpReply, EncodeFromScratchSetsPayloadLen) {
  MOSDOpReply m;
  m.oid = "o";
  m.pgid.pool = 1;
  m.flags = 0x25;
  OSDOp op(ceph_osd_op::make_notify(3));
  auto nid = LE().u64(99).take();
  op.outdata = Bytes::view(nid);
  m.ops.push_back(op);
  m.retry_attempt = 0;
  MessageParts p;
  m.encode(p);
  EXPECT_EQ(p.version, 8);
  EXPECT_EQ(p.compat_version, 2);
  EXPECT_EQ(p.data.data(), nid.data());
  auto back = MOSDOpReply::decode(p);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->ops[0].op.payload_len, 8u);
  EXPECT_TRUE(*back == m || back->ops[0].op.payload_len != m.ops[0].op.payload_len);
}

}  // namespace
}  // namespace cephwire::codec
