// Hand-built vectors (from the layouts in src/osd/osd_types.{h,cc} and src/include/rados.h) for
// the OSD types inside MOSDOp / MOSDOpReply, their limits and truncations.
#include <gtest/gtest.h>

#include "codec/messages/blkin_trace_info.h"
#include "codec/messages/ceph_osd_op.h"
#include "codec/messages/object_locator_t.h"
#include "codec/messages/old_pg_t.h"
#include "codec/messages/osd_reqid_t.h"
#include "codec/messages/osd_test_util.h"
#include "codec/messages/pg_t.h"
#include "codec/messages/rados.h"
#include "codec/messages/request_redirect_t.h"
#include "codec/messages/spg_t.h"

namespace cephwire::codec {
namespace {

using osdtest::LE;
using testing::expect_every_truncation_fails;
using testing::expect_round_trip;
using testing::hex;

std::vector<uint8_t> pg_bytes(uint64_t pool, uint32_t seed) {
  return LE().u8(1).u64(pool).u32(seed).s32(-1).take();
}

TEST(PgT, EncodeDecode) {
  auto wire = pg_bytes(1, 0x1f406);
  ASSERT_EQ(wire.size(), 17u);
  auto pg = expect_round_trip<pg_t>(wire, {}, "pg_t");
  EXPECT_EQ(pg.pool, 1u);
  EXPECT_EQ(pg.seed, 0x1f406u);
  EXPECT_EQ(pg.to_string(), "1.1f406");
  EXPECT_EQ(to_json(pg), R"({"pgid":"1.1f406","pool":1,"seed":128006})");
  expect_every_truncation_fails<pg_t>(wire, {}, "pg_t");
  // Ceph's decoder ignores v and preferred; they are kept so re-encoding is exact.
  auto odd = LE().u8(7).u64(2).u32(3).s32(5).take();
  auto o = expect_round_trip<pg_t>(odd, {}, "pg_t");
  EXPECT_EQ(o.v, 7);
  EXPECT_EQ(o.preferred, 5);
}

TEST(OldPgT, Raw8Bytes) {
  auto wire = LE().s16(-1).u16(0x1f).u32(3).take();
  auto pg = expect_round_trip<old_pg_t>(wire, {}, "old_pg_t");
  EXPECT_EQ(pg.preferred, -1);
  EXPECT_EQ(pg.ps, 0x1f);
  EXPECT_EQ(pg.pool, 3u);
  EXPECT_EQ(pg.to_string(), "3.1f");
  expect_every_truncation_fails<old_pg_t>(wire, {}, "old_pg_t");
}

TEST(SpgT, FromRecordingAndStrictness) {
  // The first 24 bytes of every MOSDOp v8 in v1-list-watchers: pg 1.2, NO_SHARD.
  auto wire = testing::from_hex("010112000000" "01" "0100000000000000" "02000000" "ffffffff" "ff");
  ASSERT_EQ(wire.size(), 24u);
  auto s = expect_round_trip<spg_t>(wire, {}, "spg_t");
  EXPECT_EQ(s.pgid.pool, 1u);
  EXPECT_EQ(s.pgid.seed, 2u);
  EXPECT_EQ(s.shard, spg_t::kNoShard);
  EXPECT_EQ(s.to_string(), "1.2");
  expect_every_truncation_fails<spg_t>(wire, {}, "spg_t");

  // A newer encoder's extra field inside the envelope is kept and re-encoded.
  auto body = LE().raw(pg_bytes(5, 9)).s8(2).u8(0xaa).take();
  auto tail = LE().envelope(2, 1, body).take();
  auto t = expect_round_trip<spg_t>(tail, {}, "spg_t");
  EXPECT_EQ(t.shard, 2);
  EXPECT_EQ(t.to_string(), "5.9s2");
  EXPECT_EQ(t.env.unknown_tail.size(), 1u);

  // compat 2 > DECODE_START(1)
  auto newer = LE().envelope(2, 2, LE().raw(pg_bytes(1, 1)).s8(-1).take()).take();
  auto r = decode_as<spg_t>(newer, "spg_t");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
  EXPECT_EQ(r.error().field, "spg_t.spg_t");

  // struct length larger than what is left
  auto longlen = LE().u8(1).u8(1).u32(0xffffffff).raw(pg_bytes(1, 1)).s8(-1).take();
  r = decode_as<spg_t>(longlen, "spg_t");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  // struct length shorter than the fields
  auto shortlen = LE().u8(1).u8(1).u32(10).raw(pg_bytes(1, 1)).s8(-1).take();
  r = decode_as<spg_t>(shortlen, "spg_t");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTruncated);
}

TEST(OsdReqidT, EncodeDecode) {
  auto wire = LE().envelope(2, 2, LE().u8(8).s64(4133).u64(7).s32(3).take()).take();
  ASSERT_EQ(wire.size(), 27u);
  auto id = expect_round_trip<osd_reqid_t>(wire, {}, "reqid");
  EXPECT_EQ(id.name.to_string(), "client.4133");
  EXPECT_EQ(id.tid, 7u);
  EXPECT_EQ(id.inc, 3);
  EXPECT_EQ(to_json(id), R"({"name":"client.4133","inc":3,"tid":7})");
  expect_every_truncation_fails<osd_reqid_t>(wire, {}, "reqid");
  // What librados and the kernel send: all zero.
  auto zero = LE().envelope(2, 2, LE().zeros(21).take()).take();
  auto z = expect_round_trip<osd_reqid_t>(zero, {}, "reqid");
  EXPECT_TRUE(z == osd_reqid_t{});
  auto newer = LE().envelope(3, 3, LE().zeros(21).take()).take();
  auto r = decode_as<osd_reqid_t>(newer, "reqid");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
}

TEST(BlkinTraceInfo, TwentyFourBytes) {
  auto wire = LE().u64(1).u64(2).u64(3).take();
  auto t = expect_round_trip<blkin_trace_info>(wire, {}, "trace");
  EXPECT_EQ(t.trace_id, 1u);
  EXPECT_EQ(t.parent_span_id, 3u);
  EXPECT_FALSE(t.empty());
  expect_every_truncation_fails<blkin_trace_info>(wire, {}, "trace");
}

std::vector<uint8_t> oloc_v6(uint8_t compat, int64_t pool, std::string_view key,
                             std::string_view ns, int64_t hash) {
  return LE().envelope(6, compat, LE().s64(pool).s32(-1).str(key).str(ns).s64(hash).take()).take();
}

TEST(ObjectLocatorT, LibradosV6) {
  // As in the recorded MOSDOps: pool 1, no key, no namespace, no hash (compat 3).
  auto wire = oloc_v6(3, 1, "", "", -1);
  EXPECT_EQ(hex(wire), "06031c0000000100000000000000ffffffff0000000000000000ffffffffffffffff");
  auto o = expect_round_trip<object_locator_t>(wire, {}, "oloc");
  EXPECT_EQ(o.pool, 1);
  EXPECT_EQ(o.hash, -1);
  EXPECT_TRUE(o == object_locator_t::make(1));
  EXPECT_EQ(hex(encode_to_vector(object_locator_t::make(1))), hex(wire));
  EXPECT_EQ(to_json(o), R"({"pool":1,"key":"","namespace":"","hash":-1})");
  expect_every_truncation_fails<object_locator_t>(wire, {}, "oloc");
}

TEST(ObjectLocatorT, HashRaisesCompatTo6) {
  // ENCODE_FINISH_NEW_COMPAT: a hash needs compat 6.
  auto wire = oloc_v6(6, 3, "", "ns", 0x1234);
  EXPECT_EQ(hex(encode_to_vector(object_locator_t::make(3, "ns", "", 0x1234))), hex(wire));
  auto o = expect_round_trip<object_locator_t>(wire, {}, "oloc");
  EXPECT_EQ(o.nspace, "ns");
  EXPECT_EQ(o.hash, 0x1234);
}

TEST(ObjectLocatorT, KernelV5) {
  // net/ceph/osd_client.c encode_oloc: v5 compat 4, pool, -1, empty key, nspace; no hash.
  auto wire = LE().envelope(5, 4, LE().s64(2).s32(-1).u32(0).str("ns").take()).take();
  auto o = expect_round_trip<object_locator_t>(wire, {}, "oloc");
  EXPECT_EQ(o.pool, 2);
  EXPECT_EQ(o.nspace, "ns");
  EXPECT_EQ(o.hash, -1);
  expect_every_truncation_fails<object_locator_t>(wire, {}, "oloc");
}

TEST(ObjectLocatorT, LegacyHeadless) {
  // struct_v 1: no compat/len; s32 pool, s16 preferred, key.
  auto v1 = LE().u8(1).s32(7).s16(-1).str("k").take();
  auto o = expect_round_trip<object_locator_t>(v1, {}, "oloc");
  EXPECT_TRUE(o.env.headless);
  EXPECT_EQ(o.pool, 7);
  EXPECT_EQ(o.preferred, -1);
  EXPECT_EQ(o.key, "k");
  expect_every_truncation_fails<object_locator_t>(v1, {}, "oloc");
  // struct_v 2: s64 pool, s32 preferred, key.
  auto v2 = LE().u8(2).s64(8).s32(-1).str("").take();
  o = expect_round_trip<object_locator_t>(v2, {}, "oloc");
  EXPECT_EQ(o.pool, 8);
  expect_every_truncation_fails<object_locator_t>(v2, {}, "oloc");
  // struct_v 3 has compat and length.
  auto v3 = LE().envelope(3, 3, LE().s64(9).s32(-1).str("key").take()).take();
  o = expect_round_trip<object_locator_t>(v3, {}, "oloc");
  EXPECT_FALSE(o.env.headless);
  EXPECT_EQ(o.key, "key");
}

TEST(ObjectLocatorT, Rejects) {
  // hash together with a key (Ceph asserts).
  auto both = oloc_v6(6, 1, "key", "", 5);
  auto r = decode_as<object_locator_t>(both, "oloc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  // compat 7 > DECODE_START_LEGACY_COMPAT_LEN(6, ...)
  auto newer = oloc_v6(7, 1, "", "", -1);
  r = decode_as<object_locator_t>(newer, "oloc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
  // key length beyond the struct
  auto longkey = LE().envelope(6, 3, LE().s64(1).s32(-1).u32(0x7fffffff).take()).take();
  r = decode_as<object_locator_t>(longkey, "oloc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "oloc.object_locator_t.key");
  EXPECT_EQ(r.error().offset, 18u);
}

TEST(RequestRedirectT, EncodeDecode) {
  auto oloc = oloc_v6(3, 4, "", "", -1);
  auto wire = LE().envelope(1, 1, LE().raw(oloc).str("target").u32(0).take()).take();
  auto rr = expect_round_trip<request_redirect_t>(wire, {}, "redirect");
  EXPECT_EQ(rr.redirect_locator.pool, 4);
  EXPECT_EQ(rr.redirect_object, "target");
  expect_every_truncation_fails<request_redirect_t>(wire, {}, "redirect");
  // Legacy osd_instructions bytes are skipped by Ceph; kept here.
  auto legacy = LE().envelope(1, 1, LE().raw(oloc).str("").str("xyz").take()).take();
  rr = expect_round_trip<request_redirect_t>(legacy, {}, "redirect");
  EXPECT_EQ(rr.legacy_osd_instructions.str(), "xyz");
}

// ---- ceph_osd_op ----

std::vector<uint8_t> watch_op_bytes(uint64_t cookie, uint8_t op, uint32_t gen, uint32_t timeout) {
  return LE().u16(0x220f).u32(0).u64(cookie).u64(0).u8(op).u32(gen).u32(timeout).zeros(3).u32(0)
      .take();
}

TEST(CephOsdOp, WatchView) {
  auto wire = watch_op_bytes(93900685762448ULL, watch_op::kWatch, 2, 45);
  ASSERT_EQ(wire.size(), 38u);
  auto op = expect_round_trip<ceph_osd_op>(wire, {}, "op");
  EXPECT_EQ(op.op, osd_op::kWatch);
  EXPECT_EQ(op.kind(), ceph_osd_op::Kind::kWatch);
  auto v = std::get<ceph_osd_op::watch_t>(op.view());
  EXPECT_EQ(v.cookie, 93900685762448ULL);
  EXPECT_EQ(v.op, watch_op::kWatch);
  EXPECT_EQ(v.gen, 2u);
  EXPECT_EQ(v.timeout, 45u);
  EXPECT_TRUE(op.union_tail_is_zero());
  EXPECT_EQ(to_json(op),
            R"({"op":"watch","code":8719,"flags":0,"cookie":93900685762448,"ver":0,)"
            R"("watch_op":"watch","gen":2,"timeout":45,"payload_len":0})");
  EXPECT_TRUE(op == ceph_osd_op::make_watch(93900685762448ULL, watch_op::kWatch, 2, 45));
  expect_every_truncation_fails<ceph_osd_op>(wire, {}, "op");
}

TEST(CephOsdOp, ExtentNotifyClsRaw) {
  auto wf = ceph_osd_op::make_extent(osd_op::kWriteFull, 0, 34);
  wf.payload_len = 34;
  EXPECT_EQ(hex(encode_to_vector(wf)),
            "0222" "00000000" "0000000000000000" "2200000000000000" "0000000000000000" "00000000"
            "22000000");
  EXPECT_EQ(std::get<ceph_osd_op::extent_t>(wf.view()).length, 34u);
  EXPECT_EQ(to_json(wf),
            R"({"op":"writefull","code":8706,"flags":0,"offset":0,"length":34,)"
            R"("truncate_size":0,"truncate_seq":0,"payload_len":34})");

  auto n = ceph_osd_op::make_notify(0x1122334455667788ULL);
  EXPECT_EQ(n.kind(), ceph_osd_op::Kind::kNotify);
  EXPECT_EQ(std::get<ceph_osd_op::notify_t>(n.view()).cookie, 0x1122334455667788ULL);

  auto c = ceph_osd_op::make_call(4, 6, 100);
  auto cv = std::get<ceph_osd_op::cls_t>(c.view());
  EXPECT_EQ(cv.class_len, 4);
  EXPECT_EQ(cv.method_len, 6);
  EXPECT_EQ(cv.indata_len, 100u);
  EXPECT_EQ(hex({c.u.data(), 7}), "04060064000000");

  // Ops without a typed view keep all 28 bytes; non-zero ones show up as "raw".
  ceph_osd_op lw = ceph_osd_op::make(osd_op::kListWatchers);
  EXPECT_EQ(lw.kind(), ceph_osd_op::Kind::kRaw);
  EXPECT_EQ(to_json(lw), R"({"op":"list-watchers","code":4617,"flags":0,"payload_len":0})");
  lw.u[27] = 0x5a;
  EXPECT_NE(to_json(lw).find(R"("raw":")"), std::string::npos);
  auto back = expect_round_trip<ceph_osd_op>(encode_to_vector(lw), {}, "op");
  EXPECT_EQ(back.u[27], 0x5a);

  // Bytes beyond a typed view are kept and reported.
  auto w = ceph_osd_op::make_watch(1, watch_op::kPing, 3);
  w.u[26] = 1;
  EXPECT_FALSE(w.union_tail_is_zero());
  EXPECT_NE(to_json(w).find(R"("union_tail":"000100")"), std::string::npos) << to_json(w);
  EXPECT_NE(to_json(w).find(R"("watch_op":"ping")"), std::string::npos);

  // Unknown op codes and watch ops are printed as numbers.
  ceph_osd_op unk = ceph_osd_op::make(0x7777);
  unk.flags = osd_op::kFlagFailOk;
  EXPECT_EQ(to_json(unk),
            R"({"op":"unknown","code":30583,"flags":2,"flags_str":"failok","payload_len":0})");
  auto odd = ceph_osd_op::make_watch(1, 9);
  EXPECT_NE(to_json(odd).find(R"("watch_op":9)"), std::string::npos);
}

TEST(CephOsdOp, ViewsAreIndependentOfSetters) {
  ceph_osd_op o = ceph_osd_op::make(osd_op::kNotifyAck);
  ceph_osd_op::watch_t w{0xabcdef, 0x55, watch_op::kReconnect, 0x01020304, 0x0a0b0c0d};
  o.set_watch(w);
  EXPECT_TRUE(o.watch() == w);
  EXPECT_EQ(o.notify().cookie, 0xabcdefu);  // same bytes, as in a C union
  ceph_osd_op::extent_t e{1, 2, 3, 4};
  o.set_extent(e);
  EXPECT_TRUE(o.extent() == e);
}

TEST(Rados, Names) {
  EXPECT_STREQ(ceph_osd_op_name(osd_op::kWatch), "watch");
  EXPECT_STREQ(ceph_osd_op_name(osd_op::kNotify), "notify");
  EXPECT_STREQ(ceph_osd_op_name(osd_op::kNotifyAck), "notify-ack");
  EXPECT_STREQ(ceph_osd_op_name(osd_op::kListWatchers), "list-watchers");
  EXPECT_STREQ(ceph_osd_op_name(osd_op::kWriteFull), "writefull");
  EXPECT_STREQ(ceph_osd_op_name(osd_op::kCall), "call");
  EXPECT_STREQ(ceph_osd_op_name(osd_op::kCreate), "create");
  EXPECT_EQ(ceph_osd_op_name(0x7777), nullptr);
  EXPECT_EQ(ceph_osd_op_from_name("notify-ack"), osd_op::kNotifyAck);
  EXPECT_EQ(ceph_osd_op_from_name("nope"), 0);
  // Values from __CEPH_OSD_OP(mode, type, nr).
  EXPECT_EQ(osd_op::kWatch, osd_op::kModeWr | osd_op::kTypeData | 15);
  EXPECT_EQ(osd_op::kNotify, osd_op::kModeRd | osd_op::kTypeData | 6);
  EXPECT_EQ(osd_op::kTierEvict, osd_op::kModeCache | osd_op::kTypeData | 44);
  EXPECT_EQ(osd_op::kOmapRmKeyRange, osd_op::kModeWr | osd_op::kTypeData | 44);
  EXPECT_EQ(osd_op::kCall, osd_op::kModeRd | osd_op::kTypeExec | 1);
  // The recorded flags: 4194340 (watch / writefull) and 4194324 (notify / list-watchers).
  EXPECT_EQ(ceph_osd_flag_string(4194340), "ondisk+write+known_if_redirected");
  EXPECT_EQ(ceph_osd_flag_string(4194324), "ondisk+read+known_if_redirected");
  EXPECT_EQ(ceph_osd_flag_string(0), "-");
  EXPECT_EQ(ceph_osd_flag_string(0x80000001u), "ack+0x80000000");
  EXPECT_STREQ(ceph_osd_watch_op_name(watch_op::kPing), "ping");
  EXPECT_STREQ(ceph_osd_watch_op_name(watch_op::kUnwatch), "unwatch");
  EXPECT_EQ(ceph_osd_watch_op_name(2), nullptr);
  EXPECT_STREQ(ceph_watch_event_name(watch_event::kNotifyComplete), "notify_complete");
  EXPECT_EQ(ceph_watch_event_name(9), nullptr);
}

}  // namespace
}  // namespace cephwire::codec
