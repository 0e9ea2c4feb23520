// The per-op payloads (Objecter.h notify / notify_ack / call; PrimaryLogPG.cc STAT, NOTIFY,
// LIST_WATCHERS outputs; Watch.cc notify completion), the data-segment split/merge and the
// interpretation by op code.
#include <gtest/gtest.h>

#include "codec/messages/OSDOp.h"
#include "codec/messages/notify_completion_t.h"
#include "codec/messages/osd_test_util.h"
#include "codec/messages/rados.h"

namespace cephwire::codec {
namespace {

using osdtest::LE;
using testing::expect_every_truncation_fails;
using testing::expect_round_trip;
using testing::hex;

TEST(NotifyIndata, Layout) {
  auto wire = LE().u32(1).u32(3).str("notify that times out").take();
  auto n = expect_round_trip<notify_indata_t>(wire, {}, "notify");
  EXPECT_EQ(n.prot_ver, 1u);
  EXPECT_EQ(n.timeout, 3u);
  EXPECT_EQ(n.payload.str(), "notify that times out");
  expect_every_truncation_fails<notify_indata_t>(wire, {}, "notify");
  auto huge = LE().u32(1).u32(3).u32(0xffffffff).take();
  auto r = decode_as<notify_indata_t>(huge, "notify");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "notify.payload");
  EXPECT_EQ(r.error().offset, 8u);
}

TEST(NotifyAckIndata, Forms) {
  // librados: notify_id, cookie, reply bufferlist.
  auto full = LE().u64(38654705664ULL).u64(93900685762448ULL).str("ack: got it").take();
  auto a = expect_round_trip<notify_ack_indata_t>(full, {}, "ack");
  EXPECT_FALSE(a.legacy);
  EXPECT_TRUE(a.has_reply);
  EXPECT_EQ(a.notify_id, 38654705664ULL);
  EXPECT_EQ(a.cookie, 93900685762448ULL);
  EXPECT_EQ(a.reply.str(), "ack: got it");
  // The reply is optional (the OSD decodes it only if bytes remain).
  auto noreply = LE().u64(1).u64(2).take();
  a = expect_round_trip<notify_ack_indata_t>(noreply, {}, "ack");
  EXPECT_FALSE(a.has_reply);
  // Empty input: the legacy form.
  a = expect_round_trip<notify_ack_indata_t>(std::vector<uint8_t>{}, {}, "ack");
  EXPECT_TRUE(a.legacy);
  // Anything between is malformed.
  for (size_t n = 1; n < 16; ++n) {
    auto r = decode_as<notify_ack_indata_t>(std::span(full).first(n), "ack");
    EXPECT_FALSE(r) << n;
  }
  for (size_t n = 17; n < full.size(); ++n) {
    auto r = decode_as<notify_ack_indata_t>(std::span(full).first(n), "ack");
    EXPECT_FALSE(r) << n;
  }
  auto longer = full;
  longer.push_back(0);
  auto r = decode_as<notify_ack_indata_t>(longer, "ack");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
}

std::vector<uint8_t> completion_bytes() {
  // Two acks in (gid, cookie) order, one timeout.
  return LE()
      .u32(2)
      .u64(4135).u64(10).str("first")
      .u64(4135).u64(11).str("")
      .u32(1)
      .u64(4137).u64(12)
      .take();
}

TEST(NotifyCompletion, Layout) {
  auto wire = completion_bytes();
  auto c = expect_round_trip<notify_completion_t>(wire, {}, "completion");
  ASSERT_EQ(c.acks.size(), 2u);
  EXPECT_EQ(c.acks.begin()->first, (notify_completion_t::Key{4135, 10}));
  EXPECT_EQ(c.acks.begin()->second.str(), "first");
  EXPECT_TRUE(std::next(c.acks.begin())->second.empty());
  ASSERT_EQ(c.timeouts.size(), 1u);
  EXPECT_EQ(c.timeouts[0], (notify_completion_t::Key{4137, 12}));
  EXPECT_EQ(to_json(c),
            R"({"acks":[{"gid":4135,"cookie":10,"payload":"6669727374"},)"
            R"({"gid":4135,"cookie":11,"payload":""}],"timeouts":[{"gid":4137,"cookie":12}]})");
  expect_every_truncation_fails<notify_completion_t>(wire, {}, "completion");
  // An empty completion (no watchers).
  auto empty = LE().u32(0).u32(0).take();
  c = expect_round_trip<notify_completion_t>(empty, {}, "completion");
  EXPECT_TRUE(c.acks.empty() && c.timeouts.empty());
}

TEST(NotifyCompletion, StrictMapOrderAndCounts) {
  auto unordered = LE().u32(2).u64(5).u64(1).str("").u64(4).u64(1).str("").u32(0).take();
  auto r = decode_as<notify_completion_t>(unordered, "completion");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(r.error().field, "completion.acks[1]");
  EXPECT_EQ(r.error().offset, 24u);
  auto repeated = LE().u32(2).u64(5).u64(1).str("").u64(5).u64(1).str("").u32(0).take();
  r = decode_as<notify_completion_t>(repeated, "completion");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  // Huge counts are rejected before anything is allocated.
  auto many_acks = LE().u32(0xffffffff).u64(1).take();
  r = decode_as<notify_completion_t>(many_acks, "completion");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "completion.acks");
  auto many_timeouts = LE().u32(0).u32(0x10000000).u64(1).u64(2).take();
  r = decode_as<notify_completion_t>(many_timeouts, "completion");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "completion.timeouts");
}

std::vector<uint8_t> addr2_ipv4(uint32_t nonce) {
  // entity_addr_t addr2: marker 1, ENCODE_START(1,1) len 28, TYPE_LEGACY, nonce, elen 16,
  // AF_INET (LE), port 0 (BE), 127.0.0.1, 8 zero bytes.
  return LE().u8(1).u8(1).u8(1).u32(28).u32(1).u32(nonce).u32(16).u16(2).u16(0)
      .raw(std::string_view("\x7f\x00\x00\x01", 4)).zeros(8).take();
}

TEST(WatchItem, Versions) {
  // v2 with an addr2 address (as the recorded LIST_WATCHERS replies).
  auto body = LE().u8(8).s64(4135).u64(94673545057744ULL).u32(30).raw(addr2_ipv4(505401788)).take();
  auto v2 = LE().envelope(2, 1, body).take();
  auto w = expect_round_trip<watch_item_t>(v2, {}, "watch_item");
  EXPECT_EQ(w.name.to_string(), "client.4135");
  EXPECT_EQ(w.cookie, 94673545057744ULL);
  EXPECT_EQ(w.timeout_seconds, 30u);
  EXPECT_EQ(w.addr.to_string(), "v1:127.0.0.1:0/505401788");
  expect_every_truncation_fails<watch_item_t>(v2, {}, "watch_item");
  // v2 with the legacy 136-byte address (a client without MSG_ADDR2).
  auto legacy = LE().u32(0).u32(77).u16(0x0200).u16(0x901a)
      .raw(std::string_view("\x7f\x00\x00\x01", 4)).zeros(120).take();
  ASSERT_EQ(legacy.size(), 136u);
  auto v2l = LE().envelope(2, 1, LE().u8(8).s64(9).u64(1).u32(5).raw(legacy).take()).take();
  w = expect_round_trip<watch_item_t>(v2l, {}, "watch_item");
  EXPECT_TRUE(w.addr.legacy);
  EXPECT_EQ(w.addr.to_string(), "v1:127.0.0.1:6800/77");
  // v1: no address.
  auto v1 = LE().envelope(1, 1, LE().u8(8).s64(9).u64(1).u32(5).take()).take();
  w = expect_round_trip<watch_item_t>(v1, {}, "watch_item");
  EXPECT_EQ(to_json(w), R"({"watcher":"client.9","cookie":1,"timeout":5})");
  // compat 3 > DECODE_START(2)
  auto newer = LE().envelope(3, 3, body).take();
  auto r = decode_as<watch_item_t>(newer, "watch_item");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
}

TEST(ObjListWatchResponse, Layout) {
  auto item = [](int64_t gid, uint64_t cookie, uint32_t timeout, uint32_t nonce) {
    return LE().envelope(2, 1, LE().u8(8).s64(gid).u64(cookie).u32(timeout)
                                   .raw(addr2_ipv4(nonce)).take()).take();
  };
  auto wire = LE().envelope(1, 1, LE().u32(2).raw(item(4135, 1, 30, 2)).raw(item(4137, 3, 45, 4))
                                      .take()).take();
  auto l = expect_round_trip<obj_list_watch_response_t>(wire, {}, "list");
  ASSERT_EQ(l.entries.size(), 2u);
  EXPECT_EQ(l.entries[1].timeout_seconds, 45u);
  expect_every_truncation_fails<obj_list_watch_response_t>(wire, {}, "list");
  // The empty list is 10 bytes (the recorded reply after the last unwatch).
  auto empty = LE().envelope(1, 1, LE().u32(0).take()).take();
  EXPECT_EQ(hex(empty), "01010400000000000000");
  l = expect_round_trip<obj_list_watch_response_t>(empty, {}, "list");
  EXPECT_TRUE(l.entries.empty());
  auto huge = LE().envelope(1, 1, LE().u32(0x40000000).zeros(12).take()).take();
  auto r = decode_as<obj_list_watch_response_t>(huge, "list");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "list.obj_list_watch_response_t.entries");
}

TEST(SmallOutputs, StatAndNotify) {
  auto stat = LE().u64(34).u32(1700000000).u32(5).take();
  auto s = expect_round_trip<stat_outdata_t>(stat, {}, "stat");
  EXPECT_EQ(s.size, 34u);
  EXPECT_EQ(s.mtime.sec, 1700000000u);
  expect_every_truncation_fails<stat_outdata_t>(stat, {}, "stat");
  auto nid = LE().u64(38654705664ULL).take();
  auto n = expect_round_trip<notify_outdata_t>(nid, {}, "notify");
  EXPECT_EQ(n.notify_id, 38654705664ULL);
  expect_every_truncation_fails<notify_outdata_t>(nid, {}, "notify");
}

TEST(CallIndata, LengthsFromTheOp) {
  auto op = ceph_osd_op::make_call(4, 8, 3);
  auto wire = LE().raw("lock").raw("get_info").raw("abc").take();
  auto c = expect_round_trip<call_indata_t>(wire, call_indata_t::for_op(op), "call");
  EXPECT_EQ(c.class_name, "lock");
  EXPECT_EQ(c.method_name, "get_info");
  EXPECT_EQ(c.input.str(), "abc");
  expect_every_truncation_fails<call_indata_t>(wire, call_indata_t::for_op(op), "call");
  auto made = call_indata_t::make("lock", "get_info", Bytes::from_string("abc"));
  EXPECT_EQ(hex(encode_to_vector(made)), hex(wire));
  EXPECT_EQ(to_json(made), R"({"class":"lock","method":"get_info","input":"616263"})");
  auto longer = wire;
  longer.push_back('!');
  auto r = decode_into(call_indata_t::for_op(op), longer, "call");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
}

// ---- split / merge / interpret ----

TEST(OSDOpData, SplitIsViewsAndStrict) {
  std::vector<OSDOp> ops(3);
  ops[0].op.payload_len = 3;
  ops[1].op.payload_len = 0;
  ops[2].op.payload_len = 2;
  auto data = LE().raw("abcde").take();
  Bytes seg = Bytes::view(data);
  ASSERT_TRUE(split_osd_op_vector_in_data(ops, seg, "M"));
  EXPECT_EQ(ops[0].indata.str(), "abc");
  EXPECT_TRUE(ops[1].indata.empty());
  EXPECT_EQ(ops[2].indata.str(), "de");
  EXPECT_EQ(ops[0].indata.data(), data.data());  // a view, not a copy
  EXPECT_EQ(ops[2].indata.data(), data.data() + 3);
  EXPECT_EQ(total_indata(ops), 5u);

  // Merge of several slices: one owned buffer.
  Bytes merged = merge_osd_op_vector_in_data(ops);
  EXPECT_FALSE(merged.is_view());
  EXPECT_EQ(merged.str(), "abcde");
  // A single view slice is passed through.
  std::vector<OSDOp> one(2);
  one[1].indata = Bytes::view(data);
  Bytes m1 = merge_osd_op_vector_in_data(one);
  EXPECT_TRUE(m1.is_view());
  EXPECT_EQ(m1.data(), data.data());

  // payload_len running past the data segment.
  ops[2].op.payload_len = 3;
  auto r = split_osd_op_vector_in_data(ops, seg, "M");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "M.ops[2].payload_len");
  EXPECT_EQ(r.error().offset, 3u);
  // Data left over.
  ops[2].op.payload_len = 1;
  r = split_osd_op_vector_out_data(ops, seg, "M");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
  EXPECT_EQ(r.error().field, "M.data");
  EXPECT_EQ(r.error().offset, 4u);
  // A huge payload_len.
  ops[0].op.payload_len = 0xffffffff;
  r = split_osd_op_vector_in_data(ops, seg, "M");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "M.ops[0].payload_len");
}

TEST(OSDOpData, InterpretInput) {
  OSDOp notify = make_notify_op(77, notify_indata_t{1, 5, Bytes::from_string("hi")});
  EXPECT_EQ(notify.op.payload_len, notify.indata.size());
  auto in = interpret_indata(notify);
  ASSERT_TRUE(in);
  auto& n = std::get<notify_indata_t>(*in);
  EXPECT_EQ(n.timeout, 5u);
  EXPECT_EQ(n.payload.str(), "hi");

  OSDOp ack = make_notify_ack_op({false, 9, 10, true, Bytes::from_string("r")});
  in = interpret_indata(ack);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<notify_ack_indata_t>(*in).cookie, 10u);

  // Legacy NOTIFY_ACK: no input, the notify id in op.watch.cookie.
  OSDOp legacy = make_notify_ack_op({true, 1234, 0, false, {}});
  EXPECT_TRUE(legacy.indata.empty());
  EXPECT_EQ(legacy.op.watch().cookie, 1234u);
  in = interpret_indata(legacy);
  ASSERT_TRUE(in);
  EXPECT_TRUE(std::get<notify_ack_indata_t>(*in).legacy);
  EXPECT_EQ(std::get<notify_ack_indata_t>(*in).notify_id, 1234u);

  OSDOp call = make_call_op(call_indata_t::make("cls", "m", Bytes::from_string("xy")));
  in = interpret_indata(call);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<call_indata_t>(*in).method_name, "m");

  OSDOp write = make_write_op(osd_op::kWrite, 4096, Bytes::from_string("data"));
  EXPECT_EQ(write.op.extent().offset, 4096u);
  EXPECT_EQ(write.op.extent().length, 4u);
  in = interpret_indata(write);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<Bytes>(*in).str(), "data");

  OSDOp watch(ceph_osd_op::make_watch(1, watch_op::kWatch));
  in = interpret_indata(watch);
  ASSERT_TRUE(in);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(*in));

  // Malformed inputs are typed errors naming the op.
  OSDOp bad(ceph_osd_op::make_notify(1), Bytes::from_string("abc"));
  auto r = interpret_indata(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTruncated);
  EXPECT_EQ(r.error().field, "notify.indata.prot_ver");
  OSDOp badcall(ceph_osd_op::make_call(3, 1, 10), Bytes::from_string("clsm"));
  r = interpret_indata(badcall);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "call.indata.input");
}

TEST(OSDOpData, InterpretOutput) {
  OSDOp notify(ceph_osd_op::make_notify(1));
  auto nid = LE().u64(38654705664ULL).take();
  notify.outdata = Bytes::view(nid);
  auto out = interpret_outdata(notify);
  ASSERT_TRUE(out);
  EXPECT_EQ(std::get<notify_outdata_t>(*out).notify_id, 38654705664ULL);

  OSDOp stat(ceph_osd_op::make_extent(osd_op::kStat, 0, 0));
  auto st = LE().u64(5).u32(6).u32(7).take();
  stat.outdata = Bytes::view(st);
  out = interpret_outdata(stat);
  ASSERT_TRUE(out);
  EXPECT_EQ(std::get<stat_outdata_t>(*out).size, 5u);

  OSDOp lw(ceph_osd_op::make(osd_op::kListWatchers));
  auto empty_list = LE().envelope(1, 1, LE().u32(0).take()).take();
  lw.outdata = Bytes::view(empty_list);
  out = interpret_outdata(lw);
  ASSERT_TRUE(out);
  EXPECT_TRUE(std::get<obj_list_watch_response_t>(*out).entries.empty());

  OSDOp read(ceph_osd_op::make_extent(osd_op::kRead, 0, 3));
  auto rd = LE().raw("xyz").take();
  read.outdata = Bytes::view(rd);
  out = interpret_outdata(read);
  ASSERT_TRUE(out);
  EXPECT_EQ(std::get<Bytes>(*out).str(), "xyz");

  read.outdata = Bytes();
  out = interpret_outdata(read);
  ASSERT_TRUE(out);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(*out));

  auto nine = LE().u64(1).u8(0).take();
  notify.outdata = Bytes::view(nine);
  auto r = interpret_outdata(notify);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
  EXPECT_EQ(r.error().field, "notify.outdata");
}

}  // namespace
}  // namespace cephwire::codec
