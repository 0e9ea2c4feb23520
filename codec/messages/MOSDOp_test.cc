// MOSDOp front layouts v1..v8 built field by field from src/messages/MOSDOp.h
// (encode_payload / decode_payload / finish_decode), the data-segment split, limits and
// truncations.
#include "codec/messages/MOSDOp.h"

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

constexpr uint64_t kFeatures = 0x3f01cfbdfffdffffULL;  // librados 16.2.15
constexpr uint32_t kHash = 0xf2bba161;                 // "cephwire-timeout"

std::vector<uint8_t> pg(uint64_t pool, uint32_t seed) {
  return LE().u8(1).u64(pool).u32(seed).s32(-1).take();
}
std::vector<uint8_t> oloc(int64_t pool) {
  return LE().envelope(6, 3, LE().s64(pool).s32(-1).str("").str("").s64(-1).take()).take();
}
std::vector<uint8_t> reqid_zero() { return LE().envelope(2, 2, LE().zeros(21).take()).take(); }
std::vector<uint8_t> watch_op(uint64_t cookie, uint8_t wop, uint32_t timeout = 0) {
  return LE().u16(0x220f).u32(0).u64(cookie).u64(0).u8(wop).u32(0).u32(timeout).zeros(3).u32(0)
      .take();
}
std::vector<uint8_t> extent_op(uint16_t code, uint64_t off, uint64_t len, uint32_t payload) {
  return LE().u16(code).u32(0).u64(off).u64(len).u64(0).u32(0).u32(payload).take();
}
std::vector<uint8_t> notify_op(uint64_t cookie, uint32_t payload) {
  return LE().u16(0x1206).u32(0).u64(cookie).zeros(20).u32(payload).take();
}
std::vector<uint8_t> join(const std::vector<std::vector<uint8_t>>& parts) {
  LE b;
  for (const auto& p : parts) b.raw(p);
  return b.take();
}

// Everything after the trace (v8) / reqid (v7): the finish_decode part.
std::vector<uint8_t> tail_v7(const std::vector<std::vector<uint8_t>>& ops, std::string_view oid,
                             std::vector<uint64_t> snaps = {}) {
  LE b;
  b.u32(0).u32(1700000000).u32(123).raw(oloc(1)).str(oid).u16(static_cast<uint16_t>(ops.size()))
      .raw(join(ops)).u64(kNoSnap).u64(snaps.empty() ? 0 : snaps[0]).u32(static_cast<uint32_t>(snaps.size()));
  for (auto s : snaps) b.u64(s);
  return b.s32(0).u64(kFeatures).take();
}

std::vector<uint8_t> front_v8(const std::vector<std::vector<uint8_t>>& ops,
                              std::string_view oid = "cephwire-timeout", uint32_t flags = 0x400024,
                              std::vector<uint64_t> snaps = {}) {
  return LE()
      .envelope(1, 1, LE().raw(pg(1, 1)).s8(-1).take())
      .u32(kHash)
      .u32(9)
      .u32(flags)
      .raw(reqid_zero())
      .zeros(24)
      .raw(tail_v7(ops, oid, std::move(snaps)))
      .take();
}

TEST(MOSDOp, V8WatchHandBuilt) {
  auto front = front_v8({watch_op(93900685762448ULL, 3)});
  ASSERT_EQ(front.size(), 225u);  // the size of the recorded watch MOSDOp front
  auto p = make_parts(42, 8, 3, front);
  auto m = expect_message_round_trip<MOSDOp>(p);
  EXPECT_EQ(m.header_version, 8);
  EXPECT_EQ(m.pgid.pgid.pool, 1u);
  EXPECT_EQ(m.pgid.pgid.seed, 1u);
  EXPECT_EQ(m.pgid.shard, -1);
  EXPECT_EQ(m.hash, kHash);
  EXPECT_EQ(m.osdmap_epoch, 9u);
  EXPECT_EQ(m.flags, 0x400024u);
  EXPECT_TRUE(m.reqid == osd_reqid_t{});
  EXPECT_TRUE(m.trace.empty());
  EXPECT_EQ(m.mtime.sec, 1700000000u);
  EXPECT_EQ(m.mtime.nsec, 123u);
  EXPECT_EQ(m.oloc.pool, 1);
  EXPECT_EQ(m.oid, "cephwire-timeout");
  ASSERT_EQ(m.ops.size(), 1u);
  EXPECT_EQ(m.ops[0].op.op, osd_op::kWatch);
  EXPECT_EQ(m.ops[0].op.watch().cookie, 93900685762448ULL);
  EXPECT_EQ(m.ops[0].op.watch().op, watch_op::kWatch);
  EXPECT_EQ(m.snapid, kNoSnap);
  EXPECT_EQ(m.retry_attempt, 0);
  EXPECT_EQ(m.features, kFeatures);
  expect_every_front_truncation_fails<MOSDOp>(p);
  expect_front_trailing_byte_fails<MOSDOp>(p);

  const std::string json = to_json(m);
  EXPECT_NE(json.find(R"("flags_str":"ondisk+write+known_if_redirected")"), std::string::npos);
  EXPECT_NE(json.find(R"("ops":[{"op":"watch","code":8719,"flags":0,"cookie":93900685762448,)"
                      R"("ver":0,"watch_op":"watch","gen":0,"timeout":0,"payload_len":0}])"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("pgid":{"pgid":"1.1","pool":1,"seed":1,"shard":-1})"), std::string::npos);
}

TEST(MOSDOp, V8TwoOpsSplitsData) {
  // WRITE (5 bytes) then NOTIFY (12 + 2 bytes of input): data = both inputs in op order.
  auto notify_in = LE().u32(1).u32(5).str("hi").take();
  auto data = join({LE().raw("hello").take(), notify_in});
  auto front = front_v8({extent_op(0x2201, 4096, 5, 5),
                         notify_op(42, static_cast<uint32_t>(notify_in.size()))},
                        "obj", 0x400034, {7, 3});
  auto p = make_parts(42, 8, 3, front, data);
  auto m = expect_message_round_trip<MOSDOp>(p);
  ASSERT_EQ(m.ops.size(), 2u);
  EXPECT_EQ(m.ops[0].indata.str(), "hello");
  EXPECT_EQ(m.ops[0].indata.data(), data.data());  // a view into the data segment
  EXPECT_EQ(m.ops[1].indata.size(), notify_in.size());
  EXPECT_EQ(m.snaps, (std::vector<uint64_t>{7, 3}));
  EXPECT_FALSE(m.op_input(2));
  auto in = m.op_input(1);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<notify_indata_t>(*in).payload.str(), "hi");
  expect_every_front_truncation_fails<MOSDOp>(p);
  expect_every_data_truncation_fails<MOSDOp>(p);

  // data_len must equal the sum of payload_len.
  auto longer = data;
  longer.push_back(0);
  auto r = MOSDOp::decode(make_parts(42, 8, 3, front, longer));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
  EXPECT_EQ(r.error().field, "MOSDOp.data");
  EXPECT_EQ(r.error().offset, data.size());
  r = MOSDOp::decode(make_parts(42, 8, 3, front, {}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "MOSDOp.ops[0].payload_len");
  EXPECT_EQ(r.error().offset, 0u);

  // The JSON shows the interpreted inputs.
  const std::string json = to_json(m);
  EXPECT_NE(json.find(R"("indata":"68656c6c6f")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("indata":{"prot_ver":1,"timeout":5,"payload":"6869"})"),
            std::string::npos)
      << json;
}

// A watch ping as Objecter::_send_linger_ping builds it: WATCH op PING, cookie, gen =
// register_gen (no ping is in the v1 recordings; hand-built from src/osdc/Objecter.cc).
TEST(MOSDOp, V8WatchPing) {
  auto ping = LE().u16(0x220f).u32(0).u64(93900685762448ULL).u64(0).u8(7).u32(2).u32(0).zeros(3)
                  .u32(0).take();
  auto front = front_v8({ping}, "cephwire-timeout", osd_flag::kRead | osd_flag::kKnownRedir);
  auto p = make_parts(42, 8, 3, front);
  auto m = expect_message_round_trip<MOSDOp>(p);
  auto w = std::get<ceph_osd_op::watch_t>(m.ops[0].op.view());
  EXPECT_EQ(w.op, watch_op::kPing);
  EXPECT_EQ(w.gen, 2u);
  EXPECT_EQ(w.cookie, 93900685762448ULL);
  EXPECT_NE(to_json(m).find(R"("watch_op":"ping","gen":2)"), std::string::npos);
  expect_every_front_truncation_fails<MOSDOp>(p);
}

TEST(MOSDOp, EncodeFromScratch) {
  MOSDOp m;
  m.pgid.pgid.pool = 1;
  m.pgid.pgid.seed = 1;
  m.hash = kHash;
  m.osdmap_epoch = 9;
  m.flags = osd_flag::kOnDisk | osd_flag::kWrite | osd_flag::kKnownRedir;
  m.mtime = {1700000000, 123};
  m.oloc = object_locator_t::make(1);
  m.oid = "cephwire-timeout";
  m.ops.emplace_back(ceph_osd_op::make_watch(93900685762448ULL, watch_op::kWatch));
  m.features = kFeatures;
  MessageParts p;
  p.data_off = 77;
  m.encode(p);
  EXPECT_EQ(p.type, 42);
  EXPECT_EQ(p.version, 8);
  EXPECT_EQ(p.compat_version, 3);
  EXPECT_EQ(p.data_off, 77);  // left alone
  EXPECT_EQ(testing::hex(p.front.span()), testing::hex(front_v8({watch_op(93900685762448ULL, 3)})));
  EXPECT_TRUE(p.data.empty());

  // payload_len is written from the indata, whatever the op says.
  m.ops[0] = make_write_op(osd_op::kWriteFull, 0, Bytes::from_string("abc"));
  m.ops[0].op.payload_len = 999;
  m.encode(p);
  auto back = MOSDOp::decode(p);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->ops[0].op.payload_len, 3u);
  EXPECT_EQ(back->ops[0].indata.str(), "abc");
}

TEST(MOSDOp, V7) {
  auto front = LE()
                   .raw(pg(1, kHash))  // raw pg: the full hash as the seed
                   .u32(9)
                   .u32(0x400024)
                   .u64(0).u32(0)  // reassert_version
                   .raw(reqid_zero())
                   .raw(tail_v7({watch_op(5, 1)}, "o"))
                   .take();
  auto p = make_parts(42, 7, 3, front);
  auto m = expect_message_round_trip<MOSDOp>(p);
  EXPECT_EQ(m.pgid.pgid.seed, kHash);
  EXPECT_EQ(m.ops[0].op.watch().op, watch_op::kLegacyWatch);
  EXPECT_NE(to_json(m).find(R"("reassert_version":{"version":0,"epoch":0})"), std::string::npos);
  expect_every_front_truncation_fails<MOSDOp>(p);
  expect_front_trailing_byte_fails<MOSDOp>(p);
}

// v2..v6: client_inc | epoch | flags | mtime | reassert | oloc | pgid | oid | ops | snapid |
// snap_seq | snaps | [v4 retry] [v5 features] [v6 reqid]
std::vector<uint8_t> front_v2_6(uint16_t v, const std::vector<uint8_t>& op) {
  LE b;
  b.u32(3).u32(9).u32(0x24).u32(1).u32(2).u64(0).u32(0).raw(oloc(1));
  if (v < 3) {
    b.s16(-1).u16(0x61).u32(1);  // old_pg_t
  } else {
    b.raw(pg(1, kHash));
  }
  b.str("obj").u16(1).raw(op).u64(kNoSnap).u64(0).u32(0);
  if (v >= 4) b.s32(2);
  if (v >= 5) b.u64(kFeatures);
  if (v >= 6) b.envelope(2, 2, LE().u8(8).s64(4133).u64(11).s32(3).take());
  return b.take();
}

TEST(MOSDOp, V2ToV6) {
  for (uint16_t v = 2; v <= 6; ++v) {
    SCOPED_TRACE("version " + std::to_string(v));
    auto front = front_v2_6(v, extent_op(0x2202, 0, 4, 4));
    auto data = LE().raw("abcd").take();
    auto p = make_parts(42, v, v < 3 ? v : 3, front, data);
    auto m = expect_message_round_trip<MOSDOp>(p);
    EXPECT_EQ(m.client_inc, 3u);
    EXPECT_EQ(m.oid, "obj");
    EXPECT_EQ(m.ops[0].indata.str(), "abcd");
    if (v < 3) {
      EXPECT_EQ(m.old_pgid.ps, 0x61);
    } else {
      EXPECT_EQ(m.pgid.pgid.seed, kHash);
    }
    EXPECT_EQ(m.retry_attempt, v >= 4 ? 2 : 0);
    EXPECT_EQ(m.features, v >= 5 ? kFeatures : 0);
    EXPECT_EQ(m.reqid.tid, v >= 6 ? 11u : 0u);
    expect_every_front_truncation_fails<MOSDOp>(p);
    expect_every_data_truncation_fails<MOSDOp>(p);
    expect_front_trailing_byte_fails<MOSDOp>(p);
  }
}

TEST(MOSDOp, V1PackedHead) {
  // ceph_osd_request_head: client_inc | ceph_object_layout (ceph_pg + stripe_unit) | epoch |
  // flags | mtime | reassert_version | object_len | snapid | snap_seq | num_snaps | num_ops |
  // ops | object name | snaps
  auto front = LE()
                   .u32(1)
                   .s16(-1).u16(0x1234).u32(2)
                   .u32(0)
                   .u32(9)
                   .u32(0x24)
                   .u32(5).u32(6)
                   .u64(0).u32(0)
                   .u32(5)
                   .u64(kNoSnap)
                   .u64(4)
                   .u32(2)
                   .u16(1)
                   .raw(extent_op(0x2201, 8, 2, 2))
                   .raw("hello")
                   .u64(4).u64(2)
                   .take();
  auto data = LE().raw("xy").take();
  for (uint16_t v : {0, 1}) {
    SCOPED_TRACE("version " + std::to_string(v));
    auto p = make_parts(42, v, v, front, data);
    auto m = expect_message_round_trip<MOSDOp>(p);
    EXPECT_EQ(m.old_pgid.pool, 2u);
    EXPECT_EQ(m.old_pgid.ps, 0x1234);
    EXPECT_EQ(m.oid, "hello");
    EXPECT_EQ(m.snap_seq, 4u);
    EXPECT_EQ(m.snaps, (std::vector<uint64_t>{4, 2}));
    EXPECT_EQ(m.ops[0].indata.str(), "xy");
    expect_every_front_truncation_fails<MOSDOp>(p);
    expect_every_data_truncation_fails<MOSDOp>(p);
    expect_front_trailing_byte_fails<MOSDOp>(p);
  }
}

TEST(MOSDOp, HugeCountsRejectedBeforeAllocating) {
  // num_ops 0xffff with one op's worth of bytes.
  auto front = front_v8({watch_op(1, 3)});
  const size_t num_ops_at = 24 + 4 + 4 + 4 + 27 + 24 + 4 + 8 + 34 + 4 + 16;
  ASSERT_EQ(front[num_ops_at], 1);
  front[num_ops_at] = 0xff;
  front[num_ops_at + 1] = 0xff;
  auto r = MOSDOp::decode(make_parts(42, 8, 3, front));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "MOSDOp.ops");

  // snaps count 0xffffffff
  auto f2 = front_v8({watch_op(1, 3)});
  const size_t snaps_at = f2.size() - 4 - 8 - 4;
  ASSERT_EQ(f2[snaps_at], 0);
  for (int i = 0; i < 4; ++i) f2[snaps_at + i] = 0xff;
  r = MOSDOp::decode(make_parts(42, 8, 3, f2));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "MOSDOp.snaps");
  EXPECT_EQ(r.error().offset, snaps_at);

  // oid length 0xffffffff
  auto f3 = front_v8({watch_op(1, 3)}, "x");
  const size_t oid_at = 24 + 4 + 4 + 4 + 27 + 24 + 4 + 8 + 34;
  ASSERT_EQ(f3[oid_at], 1);
  for (int i = 0; i < 4; ++i) f3[oid_at + i] = 0xff;
  r = MOSDOp::decode(make_parts(42, 8, 3, f3));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "MOSDOp.oid");
  EXPECT_EQ(r.error().offset, oid_at);

  // v1: object_len and num_snaps beyond the front.
  auto v1 = LE().zeros(4 + 8 + 4 + 4 + 4 + 8 + 12).u32(0xffffffff).u64(0).u64(0).u32(0xffffffff)
                .u16(0).take();
  r = MOSDOp::decode(make_parts(42, 1, 1, v1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "MOSDOp.oid");
  EXPECT_EQ(r.error().kind, ErrorKind::kTruncated);
}

TEST(MOSDOp, RejectsBadParts) {
  auto front = front_v8({watch_op(1, 3)});
  auto r = MOSDOp::decode(make_parts(42, 9, 3, front));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
  EXPECT_EQ(r.error().field, "MOSDOp.header.version");
  r = MOSDOp::decode(make_parts(42, 8, 9, front));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "MOSDOp.header.compat_version");
  r = MOSDOp::decode(make_parts(43, 8, 3, front));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  auto p = make_parts(42, 8, 3, front);
  auto mid = LE().u8(1).take();
  p.middle = Bytes::view(mid);
  r = MOSDOp::decode(p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "MOSDOp.middle");

  // An object locator with both a hash and a key is malformed.
  auto bad = front_v8({watch_op(1, 3)});
  const size_t oloc_at = 24 + 4 + 4 + 4 + 27 + 24 + 4 + 8;
  auto bad_oloc =
      LE().envelope(6, 6, LE().s64(1).s32(-1).str("").str("").s64(5).take()).take();
  std::copy(bad_oloc.begin(), bad_oloc.end(), bad.begin() + oloc_at);
  ASSERT_TRUE(MOSDOp::decode(make_parts(42, 8, 3, bad)));  // hash without a key is fine
  auto with_key = front_v8({watch_op(1, 3)});
  auto oloc_key = LE().envelope(6, 6, LE().s64(1).s32(-1).str("k").str("").s64(5).take()).take();
  with_key.erase(with_key.begin() + oloc_at, with_key.begin() + oloc_at + 34);
  with_key.insert(with_key.begin() + oloc_at, oloc_key.begin(), oloc_key.end());
  r = MOSDOp::decode(make_parts(42, 8, 3, with_key));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(r.error().field, "MOSDOp.oloc.object_locator_t");
}

TEST(MOSDOp, LargeWriteIsNotCopied) {
  for (size_t size : {size_t{4096}, size_t{4} << 20}) {
    std::vector<uint8_t> data(size, 0x5a);
    auto front = front_v8({extent_op(0x2201, 0, size, static_cast<uint32_t>(size))}, "big");
    auto p = make_parts(42, 8, 3, front, data);
    auto m = MOSDOp::decode(p);
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(m->ops[0].indata.data(), data.data());
    EXPECT_EQ(m->ops[0].indata.size(), size);
    MessageParts out;
    m->encode(out);
    EXPECT_EQ(out.data.data(), data.data());  // the view is passed through
    EXPECT_EQ(testing::hex(out.front.span()), testing::hex(front));
    // The JSON summarises large payloads.
    if (size > 4096) {
      EXPECT_NE(to_json(*m).find(R"("indata":{"len":4194304,"sha256":)"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace cephwire::codec
