// client/wire: the watch core's requests, converted by wire::to_message, must be the exact
// MOSDOp bytes librados 16.2.15 sent in the recordings (front, data and header fields), and
// the recorded replies / notifications must convert to what the core expects.
#include "client/wire.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "codec/connection.h"
#include "tools/capture/capture.h"
#include "codec/messages/obj_list_watch_response_t.h"

namespace cephwire::client {
namespace {

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

struct Recorded {
  std::vector<codec::AnyItem> items;  // keeps the bytes the parts view
  std::vector<const codec::MessageParts*> c2s, s2c;
};

Recorded load(const std::string& rec, int stream) {
  Recorded r;
  const std::string base = "corpus/streams/" + rec + "/" + std::to_string(stream);
  const auto c2s = slurp(base + ".c2s"), s2c = slurp(base + ".s2c");
  codec::ConnectionDecoder dec;
  dec.feed(codec::Dir::kClientToServer, c2s);
  dec.feed(codec::Dir::kServerToClient, s2c);
  while (auto it = dec.poll()) r.items.push_back(std::move(*it));
  for (const auto& it : r.items)
    if (it.message()) (it.dir() == codec::Dir::kClientToServer ? r.c2s : r.s2c).push_back(it.message());
  return r;
}

void expect_same_message(const codec::MessageParts& ours, const codec::MessageParts& theirs) {
  EXPECT_EQ(ours.type, theirs.type);
  EXPECT_EQ(ours.version, theirs.version);
  EXPECT_EQ(ours.compat_version, theirs.compat_version);
  EXPECT_EQ(ours.priority, theirs.priority);
  EXPECT_EQ(ours.tid, theirs.tid);
  EXPECT_EQ(ours.data_off, theirs.data_off);
  EXPECT_EQ(codec::to_hex(ours.front.span()), codec::to_hex(theirs.front.span()));
  EXPECT_EQ(codec::to_hex(ours.middle.span()), codec::to_hex(theirs.middle.span()));
  EXPECT_EQ(codec::to_hex(ours.data.span()), codec::to_hex(theirs.data.span()));
}

codec::MOSDOp recorded_op(const codec::MessageParts* p) { return *codec::MOSDOp::decode(*p); }

// Placement from the recorded request (what the shell computes from the OSDMap).
Placement placement_of(const codec::MOSDOp& m) {
  Target t{0, m.osdmap_epoch, m.pgid.pgid.seed, m.hash};
  return [t](const ObjectId&) { return t; };
}

// v1-watch-notify-basic, the watcher (client.4135): WATCH, NOTIFY_ACK, UNWATCH.
TEST(Wire, WatcherRequestsAreLibradosBytes) {
  const Recorded r = load("v1-watch-notify-basic", 5);
  ASSERT_EQ(r.c2s.size(), 3u);
  const codec::MOSDOp watch = recorded_op(r.c2s[0]);
  const uint64_t cookie = watch.ops[0].op.watch().cookie;
  ClientConfig cfg;
  cfg.first_cookie = cookie;
  WatchClient core(cfg, placement_of(watch), Instant{});
  const ObjectId obj{1, "", watch.oid, ""};

  core.watch(obj, 0, Instant{});
  auto req = core.poll_transmit();
  ASSERT_TRUE(req);
  wire::OpContext ctx;
  ctx.mtime = wire::mtime_for(*req, watch.mtime);
  EXPECT_EQ(ctx.mtime, watch.mtime);
  expect_same_message(wire::to_message(*req, ctx), *r.c2s[0]);

  // The WATCH reply registers the watch.
  auto reply = wire::decode_reply(*r.s2c[0], 0);
  ASSERT_TRUE(reply) << reply.error().to_string();
  EXPECT_EQ(reply->tid, 1u);
  EXPECT_EQ(reply->result, 0);
  core.handle_reply(*reply, Instant{});
  auto ev = core.poll_event();
  ASSERT_TRUE(ev);
  EXPECT_TRUE(std::holds_alternative<ev::WatchRegistered>(*ev));

  // The notification, then the app's ack with the recorded reply payload.
  auto wn = wire::decode_watch_notify(*r.s2c[1], 0);
  ASSERT_TRUE(wn) << wn.error().to_string();
  EXPECT_EQ(wn->opcode, kWatchEventNotify);
  EXPECT_EQ(wn->cookie, cookie);
  EXPECT_EQ(wn->notifier_gid, 4133u);
  EXPECT_EQ(wn->payload.str(), "hello watchers");
  core.handle_watch_notify(*wn, Instant{});
  ev = core.poll_event();
  ASSERT_TRUE(ev);
  auto& n = std::get<ev::WatchNotify>(*ev);
  const codec::MOSDOp ack = recorded_op(r.c2s[1]);
  auto in = ack.op_input(0);
  ASSERT_TRUE(in);
  const auto& ack_in = std::get<codec::notify_ack_indata_t>(*in);
  core.notify_ack(obj, n.notify_id, n.cookie, ack_in.reply, Instant{});
  req = core.poll_transmit();
  ASSERT_TRUE(req);
  ctx.mtime = wire::mtime_for(*req, {1, 1});
  EXPECT_EQ(ctx.mtime, codec::utime_t{});  // a read: no mtime
  expect_same_message(wire::to_message(*req, ctx), *r.c2s[1]);

  const codec::MOSDOp unwatch = recorded_op(r.c2s[2]);
  ASSERT_EQ(core.unwatch(cookie, Instant{}), 0);
  req = core.poll_transmit();
  ASSERT_TRUE(req);
  ctx.mtime = wire::mtime_for(*req, unwatch.mtime);
  expect_same_message(wire::to_message(*req, ctx), *r.c2s[2]);
}

// v1-watch-notify-basic, the notifier (client.4133): WRITEFULL, NOTIFY; the completion.
TEST(Wire, NotifierRequestsAreLibradosBytes) {
  const Recorded r = load("v1-watch-notify-basic", 4);
  ASSERT_EQ(r.c2s.size(), 2u);
  const codec::MOSDOp wf = recorded_op(r.c2s[0]);
  const codec::MOSDOp nt = recorded_op(r.c2s[1]);
  ClientConfig cfg;
  cfg.first_cookie = nt.ops[0].op.notify().cookie;
  WatchClient core(cfg, placement_of(wf), Instant{});
  const ObjectId obj{1, "", wf.oid, ""};

  core.write_full(obj, wf.ops[0].indata.owned(), Instant{});
  auto req = core.poll_transmit();
  ASSERT_TRUE(req);
  wire::OpContext ctx;
  ctx.mtime = wire::mtime_for(*req, wf.mtime);
  expect_same_message(wire::to_message(*req, ctx), *r.c2s[0]);

  auto in = nt.op_input(0);
  ASSERT_TRUE(in);
  const auto& notify_in = std::get<codec::notify_indata_t>(*in);
  const uint64_t h = core.notify(obj, notify_in.payload, notify_in.timeout * 1000, Instant{});
  req = core.poll_transmit();
  ASSERT_TRUE(req);
  ctx.mtime = wire::mtime_for(*req, {123, 456});
  expect_same_message(wire::to_message(*req, ctx), *r.c2s[1]);

  // Replies: WRITEFULL (tid 1), NOTIFY (tid 2, outdata = notify_id), NOTIFY_COMPLETE.
  for (size_t i = 0; i < 2; ++i) {
    auto rep = wire::decode_reply(*r.s2c[i], 0);
    ASSERT_TRUE(rep);
    core.handle_reply(*rep, Instant{});
  }
  auto done = wire::decode_watch_notify(*r.s2c[2], 0);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->opcode, kWatchEventNotifyComplete);
  EXPECT_EQ(done->data.size(), 44u);
  core.handle_watch_notify(*done, Instant{});
  bool got = false;
  while (auto e = core.poll_event()) {
    if (auto* d = std::get_if<ev::NotifyDone>(&*e)) {
      got = true;
      EXPECT_EQ(d->handle, h);
      EXPECT_EQ(d->result, 0);
      ASSERT_EQ(d->acks.size(), 1u);
      EXPECT_EQ(d->acks[0].gid, 4135u);
      EXPECT_EQ(d->acks[0].payload.str(), "ack from watcher");
      EXPECT_TRUE(d->timeouts.empty());
    }
  }
  EXPECT_TRUE(got);
}

// v1-list-watchers: the LIST_WATCHERS outdata as watcher entries.
TEST(Wire, ListWatchersOutdata) {
  size_t found = 0;
  for (int s = 0; s < 9; ++s) {
    const Recorded r = load("v1-list-watchers", s);
    for (const auto* p : r.s2c) {
      if (p->type != 43) continue;
      auto rep = codec::MOSDOpReply::decode(*p);
      ASSERT_TRUE(rep);
      if (rep->ops.empty() || rep->ops[0].op.op != osd_op::kListWatchers) continue;
      auto w = wire::watchers_from(rep->ops[0].outdata);
      ASSERT_TRUE(w) << w.error().to_string();
      auto typed = codec::decode_as<codec::obj_list_watch_response_t>(rep->ops[0].outdata.span(), "x");
      ASSERT_TRUE(typed);
      ASSERT_EQ(w->size(), typed->entries.size());
      for (size_t i = 0; i < w->size(); ++i) {
        EXPECT_EQ((*w)[i].name, "client." + std::to_string(typed->entries[i].name.num));
        EXPECT_EQ((*w)[i].cookie, typed->entries[i].cookie);
        EXPECT_EQ((*w)[i].timeout_seconds, typed->entries[i].timeout_seconds);
        EXPECT_EQ((*w)[i].addr.substr(0, 13), "v1:127.0.0.1:");
      }
      found += w->size();
    }
  }
  EXPECT_GT(found, 0u);
  EXPECT_FALSE(wire::watchers_from(codec::Bytes::from_string("junk")));
}

// librbd does its own object ops (class method CALLs, CREATE, SETALLOCHINT + WRITE with the
// image's snap context, ...): every such MOSDOp in v1-rbd / v2-rbd, re-made by the core's
// generic operate() (raw ops, flags, snap context) and wire::to_message, is byte-exact.
TEST(Wire, LibrbdOpsThroughOperateAreLibradosBytes) {
  size_t checked = 0, calls = 0, multi = 0, with_snaps = 0, writes = 0;
  for (const char* rec : {"v1-rbd", "v2-rbd"}) {
    auto cap = capture::Capture::open(std::string("corpus/recordings/") + rec + ".pcap");
    ASSERT_TRUE(cap) << rec;
    while (auto e = (*cap)->next()) {
      auto* it = std::get_if<capture::ev::Item>(&*e);
      if (!it) continue;
      const codec::MessageParts* p = it->item.message();
      if (!p || p->type != codec::MOSDOp::kType) continue;
      auto m = codec::MOSDOp::decode(*p);
      ASSERT_TRUE(m) << m.error().to_string();
      const uint16_t op = m->ops.empty() ? 0 : m->ops[0].op.op;
      if (op == osd_op::kWatch || op == osd_op::kNotify || op == osd_op::kNotifyAck) continue;
      WatchClient core(ClientConfig{}, placement_of(*m), Instant{});
      std::vector<OpSpec> ops;
      for (const auto& o : m->ops) {
        OpSpec s;
        s.op = o.op.op;
        s.flags = o.op.flags;
        s.raw_union = o.op.u;
        s.indata = o.indata;
        ops.push_back(s);
      }
      const ObjectId obj{m->oloc.pool, m->oloc.nspace, m->oid, m->oloc.key};
      core.operate(obj, m->flags & ~(osd_op::kFlagOndisk | osd_op::kFlagKnownRedir), ops,
                   SnapSpec{m->snapid, m->snap_seq, m->snaps}, Instant{});
      auto req = core.poll_transmit();
      ASSERT_TRUE(req);
      EXPECT_EQ(req->flags, m->flags);
      req->tid = p->tid;       // the core's own tids are checked by the replay
      req->attempt = m->retry_attempt;
      wire::OpContext ctx;
      ctx.mtime = wire::mtime_for(*req, m->mtime);
      ctx.features = m->features;
      EXPECT_EQ(ctx.mtime, m->mtime) << rec << " frame " << it->frame;
      SCOPED_TRACE(std::string(rec) + " frame " + std::to_string(it->frame));
      expect_same_message(wire::to_message(*req, ctx), *p);
      ++checked;
      calls += op == 0x1401;  // CEPH_OSD_OP_CALL
      multi += m->ops.size() > 1;
      with_snaps += !m->snaps.empty() || m->snap_seq != 0;
      writes += (m->flags & osd_op::kFlagWrite) != 0;
    }
  }
  EXPECT_GT(checked, 100u);
  EXPECT_GT(calls, 50u);
  EXPECT_GT(multi, 0u);
  EXPECT_GT(writes, 0u);
  RecordProperty("with_snaps", static_cast<int>(with_snaps));
}

// The snap side of a generic op lands in MOSDOp's snapid / snap_seq / snaps (the recordings'
// librbd ops all ran on the head with an empty snap context, so this one is hand-made).
TEST(Wire, OperateSnapContextIsEncoded) {
  OsdRequest req;
  req.tid = 7;
  req.target = Target{0, 12, 3, 0xabcdef03};
  req.obj = ObjectId{1, "ns", "rbd_data.1", ""};
  req.flags = osd_op::kFlagWrite | osd_op::kFlagOndisk | osd_op::kFlagKnownRedir;
  OpSpec w;
  w.op = 0x2201;  // WRITE
  std::array<uint8_t, 28> u{};
  u[0] = 0x10;  // extent.offset = 16
  u[8] = 4;     // extent.length = 4
  w.raw_union = u;
  w.indata = codec::Bytes::from_string("abcd");
  req.ops.push_back(w);
  req.snap = SnapSpec{kNoSnap, 5, {5, 3}};
  const codec::MessageParts p = wire::to_message(req, wire::OpContext{});
  auto m = codec::MOSDOp::decode(p);
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m->snapid, kNoSnap);
  EXPECT_EQ(m->snap_seq, 5u);
  EXPECT_EQ(m->snaps, (std::vector<uint64_t>{5, 3}));
  EXPECT_EQ(m->ops[0].op.u, u);
  EXPECT_EQ(m->ops[0].op.extent().offset, 16u);
  EXPECT_EQ(m->ops[0].indata.str(), "abcd");
  EXPECT_EQ(p.data_off, 16u);  // a WRITE's data offset, as MOSDOp::write sets it
  EXPECT_EQ(m->oloc.nspace, "ns");
}

TEST(Wire, MtimePolicy) {
  OsdRequest ping;
  ping.flags = osd_op::kFlagWrite | osd_op::kFlagOndisk;
  OpSpec op;
  op.op = osd_op::kWatch;
  op.watch_op = osd_op::kWatchPing;
  ping.ops.push_back(op);
  EXPECT_EQ(wire::mtime_for(ping, {5, 6}), codec::utime_t{});
  OsdRequest rc = ping;
  rc.ops[0].watch_op = osd_op::kWatchReconnect;
  EXPECT_EQ(wire::mtime_for(rc, {5, 6}, codec::utime_t{1, 2}), (codec::utime_t{1, 2}));
  EXPECT_EQ(wire::mtime_for(rc, {5, 6}), (codec::utime_t{5, 6}));
  OsdRequest w = rc;
  w.ops[0].watch_op = osd_op::kWatchWatch;
  EXPECT_EQ(wire::mtime_for(w, {5, 6}, codec::utime_t{1, 2}), (codec::utime_t{1, 2}));
  w.ops[0].watch_op = osd_op::kWatchUnwatch;
  EXPECT_EQ(wire::mtime_for(w, {5, 6}, codec::utime_t{1, 2}), (codec::utime_t{5, 6}));
  OsdRequest rd = rc;
  rd.flags = osd_op::kFlagRead;
  EXPECT_EQ(wire::mtime_for(rd, {5, 6}), codec::utime_t{});
  EXPECT_EQ(wire::first_op(rc), osd_op::kWatch);
  EXPECT_EQ(wire::first_watch_op(rc), osd_op::kWatchReconnect);
}

}  // namespace
}  // namespace cephwire::client
