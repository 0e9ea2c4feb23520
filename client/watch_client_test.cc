// Every linger transition on a virtual clock: the test plays the OSD by hand.
#include "client/watch_client.h"

#include <gtest/gtest.h>

#include <cstring>

#include "codec/denc.h"

namespace cephwire::client {
namespace {

using namespace std::chrono_literals;
using codec::Bytes;

const ObjectId kObj{1, "", "rbd_header.abc", ""};

Target osd(int n) { return Target{n, 9, 1, 0x18742201}; }

struct Harness {
  Instant now{};
  int primary = 0;
  WatchClient c;
  std::vector<OsdRequest> sent;
  std::vector<Event> events;

  Harness()
      : c(ClientConfig{4135, 5s, 30, 10, 30, 1000}, [this](const ObjectId&) { return osd(primary); },
          Instant{}) {}

  void drain() {
    while (auto r = c.poll_transmit()) sent.push_back(std::move(*r));
    while (auto e = c.poll_event()) events.push_back(std::move(*e));
    auto inv = c.check_invariants(now);
    ASSERT_FALSE(inv.has_value()) << *inv;
  }
  // Advance the virtual clock, firing every deadline on the way.
  void advance(Duration d) {
    const Instant end = now + d;
    while (true) {
      auto t = c.poll_timeout();
      if (!t || *t > end) break;
      now = std::max(now, *t);
      c.handle_timeout(now);
      drain();
    }
    now = end;
    c.handle_timeout(now);
    drain();
  }
  OsdRequest last() { return sent.back(); }
  void reply(const OsdRequest& r, int32_t result, std::vector<Bytes> out = {}) {
    OsdReply rep;
    rep.osd = r.target.osd;
    rep.tid = r.tid;
    rep.result = result;
    rep.outdata = std::move(out);
    c.handle_reply(rep, now);
    drain();
  }
  void notify_event(uint8_t opcode, uint64_t cookie, uint64_t notify_id, Bytes data = {},
                    int32_t rc = 0) {
    WatchNotifyMsg m;
    m.osd = primary;
    m.opcode = opcode;
    m.cookie = cookie;
    m.notify_id = notify_id;
    m.payload = Bytes::from_string("hello");
    m.notifier_gid = 4133;
    m.return_code = rc;
    m.data = data;
    c.handle_watch_notify(m, now);
    drain();
  }
  template <class T>
  std::vector<T> events_of() const {
    std::vector<T> v;
    for (const auto& e : events)
      if (auto* x = std::get_if<T>(&e)) v.push_back(*x);
    return v;
  }
  uint64_t registered_watch() {
    uint64_t cookie = c.watch(kObj, 0, now);
    drain();
    reply(last(), 0);
    return cookie;
  }
};

Bytes le64(uint64_t v) {
  std::vector<uint8_t> b(8);
  std::memcpy(b.data(), &v, 8);
  return Bytes(std::move(b));
}

// acks {(4135, 1000): "ok"}, timeouts [(4137, 2000)]
Bytes completion(bool with_timeout) {
  std::map<std::pair<uint64_t, uint64_t>, Bytes> acks{{{4135, 1000}, Bytes::from_string("ok")}};
  std::vector<std::pair<uint64_t, uint64_t>> to;
  if (with_timeout) to.push_back({4137, 2000});
  std::vector<uint8_t> out;
  {
    codec::Encoder e(out);  // trims `out` when it goes
    e("acks", acks) && e("timeouts", to);
  }
  return Bytes(std::move(out));
}

TEST(WatchClient, RegistrationSendsWatchOpAndReportsCommit) {
  Harness h;
  uint64_t cookie = h.c.watch(kObj, 0, h.now);
  h.drain();
  ASSERT_EQ(h.sent.size(), 1u);
  const OsdRequest& r = h.sent[0];
  EXPECT_EQ(r.tid, 1u);
  EXPECT_EQ(r.target.osd, 0);
  EXPECT_EQ(r.flags, 0x400024u);  // KNOWN_REDIR | WRITE | ONDISK, as librados 16.2.15 sends it
  ASSERT_EQ(r.ops.size(), 1u);
  EXPECT_EQ(r.ops[0].op, osd_op::kWatch);
  EXPECT_EQ(r.ops[0].watch_op, osd_op::kWatchWatch);
  EXPECT_EQ(r.ops[0].cookie, cookie);
  EXPECT_EQ(r.ops[0].gen, 0u);
  EXPECT_EQ(h.c.linger_state(cookie), LingerState::kRegistering);
  h.reply(r, 0);
  ASSERT_EQ(h.events_of<ev::WatchRegistered>().size(), 1u);
  EXPECT_EQ(h.events_of<ev::WatchRegistered>()[0].result, 0);
  EXPECT_EQ(h.c.linger_state(cookie), LingerState::kEstablished);
}

TEST(WatchClient, RegistrationErrorCancelsTheLinger) {
  Harness h;
  uint64_t cookie = h.c.watch(kObj, 0, h.now);
  h.drain();
  h.reply(h.last(), -kENOENT);
  ASSERT_EQ(h.events_of<ev::WatchRegistered>().size(), 1u);
  EXPECT_EQ(h.events_of<ev::WatchRegistered>()[0].result, -kENOENT);
  EXPECT_FALSE(h.c.linger_state(cookie).has_value());
  EXPECT_EQ(h.c.watch_check(cookie, h.now), -kENOTCONN);
}

TEST(WatchClient, PingCadenceFollowsTheTick) {
  Harness h;
  uint64_t cookie = h.registered_watch();
  h.sent.clear();
  h.advance(4999ms);
  EXPECT_TRUE(h.sent.empty());
  h.advance(1ms);  // t = 5 s: first tick
  ASSERT_EQ(h.sent.size(), 1u);
  EXPECT_EQ(h.sent[0].ops[0].watch_op, osd_op::kWatchPing);
  EXPECT_EQ(h.sent[0].ops[0].cookie, cookie);
  EXPECT_EQ(h.sent[0].ops[0].gen, 0u);
  // librados 16.2.15 pings with the linger's flags, WRITE|ONDISK|KNOWN_REDIR, no READ
  // (corpus/recordings v1-/v2-watch-pings; found by `cephwire replay`).
  EXPECT_EQ(h.sent[0].flags, 0x400024u);
  h.advance(1s);
  h.reply(h.sent[0], 0);  // confirms as of the ping's send time (t = 5 s)
  EXPECT_EQ(h.c.watch_check(cookie, h.now), 1 + 1000);
  h.advance(4s);  // t = 10 s
  EXPECT_EQ(h.sent.size(), 2u);
  for (int i = 0; i < 10; ++i) {
    h.reply(h.last(), 0);
    h.advance(5s);
  }
  EXPECT_EQ(h.sent.size(), 2u + 10u) << "one ping per 5-s tick";
  EXPECT_TRUE(h.events_of<ev::WatchError>().empty());
}

TEST(WatchClient, PingErrorBecomesOneErrorEventAndStopsPings) {
  Harness h;
  uint64_t cookie = h.registered_watch();
  h.advance(5s);
  OsdRequest ping = h.last();
  h.reply(ping, -kENOENT);  // the OSD forgot the watch
  auto errs = h.events_of<ev::WatchError>();
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].error, -kENOTCONN) << "ENOENT is normalised to ENOTCONN";
  EXPECT_EQ(h.c.watch_check(cookie, h.now), -kENOTCONN);
  EXPECT_EQ(h.c.linger_state(cookie), LingerState::kError);
  size_t before = h.sent.size();
  h.advance(30s);
  EXPECT_EQ(h.sent.size(), before) << "no pings after an error";
  // Notifies to a broken watch are dropped; re-watching is the user's move.
  h.notify_event(kWatchEventNotify, cookie, 77);
  EXPECT_TRUE(h.events_of<ev::WatchNotify>().empty());
  EXPECT_EQ(h.c.unwatch(cookie, h.now), 0);
  h.drain();
  EXPECT_EQ(h.last().ops[0].watch_op, osd_op::kWatchUnwatch);
}

TEST(WatchClient, SessionResetWithWatchAndNotifyInFlight) {
  Harness h;
  uint64_t w = h.registered_watch();
  uint64_t n = h.c.notify(kObj, Bytes::from_string("hi"), 5000, h.now);
  h.drain();
  OsdRequest notify_req = h.last();
  h.sent.clear();
  h.c.handle_session_reset(0, h.now);
  h.drain();
  ASSERT_EQ(h.sent.size(), 2u);
  // The watch reconnects with a bumped gen ...
  EXPECT_EQ(h.sent[0].ops[0].watch_op, osd_op::kWatchReconnect);
  EXPECT_EQ(h.sent[0].ops[0].cookie, w);
  EXPECT_EQ(h.sent[0].ops[0].gen, 1u);
  EXPECT_EQ(h.c.linger_state(w), LingerState::kReconnecting);
  // ... and the notify is sent again under a new tid.
  EXPECT_EQ(h.sent[1].ops[0].op, osd_op::kNotify);
  EXPECT_NE(h.sent[1].tid, notify_req.tid);
  // A late reply to the old notify send is ignored.
  h.reply(notify_req, 0, {le64(111)});
  EXPECT_EQ(h.c.linger_state(n), LingerState::kNotifySent);
  h.reply(h.sent[0], 0);
  EXPECT_EQ(h.c.linger_state(w), LingerState::kEstablished);
  EXPECT_EQ(h.events_of<ev::WatchReconnected>().size(), 1u);
  // Pings carry the new gen.
  h.advance(5s);
  EXPECT_EQ(h.last().ops[0].watch_op, osd_op::kWatchPing);
  EXPECT_EQ(h.last().ops[0].gen, 1u);
}

TEST(WatchClient, ReconnectRefusedIsAnError) {
  Harness h;
  uint64_t w = h.registered_watch();
  h.c.handle_session_reset(0, h.now);
  h.drain();
  h.reply(h.last(), -kENOTCONN);
  ASSERT_EQ(h.events_of<ev::WatchError>().size(), 1u);
  EXPECT_EQ(h.events_of<ev::WatchError>()[0].error, -kENOTCONN);
  EXPECT_EQ(h.c.linger_state(w), LingerState::kError);
}

TEST(WatchClient, NotifyCompleteBeforeTheNotifyReply) {
  Harness h;
  uint64_t n = h.c.notify(kObj, Bytes::from_string("hi"), 5000, h.now);
  h.drain();
  OsdRequest req = h.last();
  // The race: NOTIFY_COMPLETE overtakes the op reply (notify_id still unknown = 0).
  h.notify_event(kWatchEventNotifyComplete, n, 38654705664, completion(false));
  EXPECT_TRUE(h.events_of<ev::NotifyDone>().empty()) << "wait for the op reply";
  EXPECT_EQ(h.c.linger_state(n), LingerState::kNotifyAwaitReply);
  h.reply(req, 0, {le64(38654705664)});
  auto done = h.events_of<ev::NotifyDone>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].result, 0);
  ASSERT_EQ(done[0].acks.size(), 1u);
  EXPECT_EQ(done[0].acks[0].gid, 4135u);
  EXPECT_EQ(done[0].acks[0].payload, Bytes::from_string("ok"));
  // A duplicate completion changes nothing: exactly once.
  h.notify_event(kWatchEventNotifyComplete, n, 38654705664, completion(false));
  h.advance(60s);
  EXPECT_EQ(h.events_of<ev::NotifyDone>().size(), 1u);
}

TEST(WatchClient, NotifyReplyThenCompleteWithSilentWatcher) {
  Harness h;
  uint64_t n = h.c.notify(kObj, Bytes::from_string("hi"), 3000, h.now);
  h.drain();
  OsdRequest req = h.last();
  ASSERT_EQ(req.ops[0].indata.size(), 4u + 4u + 4u + 2u);
  uint32_t timeout;
  std::memcpy(&timeout, req.ops[0].indata.data() + 4, 4);
  EXPECT_EQ(timeout, 3u);
  EXPECT_EQ(req.flags, 0x400014u);  // KNOWN_REDIR | READ | ONDISK
  h.reply(req, 0, {le64(42)});
  EXPECT_EQ(h.c.linger_state(n), LingerState::kNotifyAwaitComplete);
  // A completion for another notify id (an earlier send) is ignored.
  h.notify_event(kWatchEventNotifyComplete, n, 41, completion(false));
  EXPECT_TRUE(h.events_of<ev::NotifyDone>().empty());
  h.advance(3s);
  h.notify_event(kWatchEventNotifyComplete, n, 42, completion(true), -kETIMEDOUT);
  auto done = h.events_of<ev::NotifyDone>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].result, -kETIMEDOUT);
  EXPECT_EQ(done[0].acks.size(), 1u);
  ASSERT_EQ(done[0].timeouts.size(), 1u);
  EXPECT_EQ(done[0].timeouts[0].gid, 4137u);
  EXPECT_FALSE(h.c.linger_state(n).has_value());
}

TEST(WatchClient, ClientSideNotifyTimeout) {
  Harness h;
  uint64_t n = h.c.notify(kObj, Bytes::from_string("hi"), 2000, h.now);
  h.drain();
  h.reply(h.last(), 0, {le64(5)});
  h.advance(3999ms);
  EXPECT_TRUE(h.events_of<ev::NotifyDone>().empty());
  h.advance(1ms);  // 2 x timeout
  auto done = h.events_of<ev::NotifyDone>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].result, -kETIMEDOUT);
  EXPECT_FALSE(h.c.linger_state(n).has_value());
}

TEST(WatchClient, NotifyOpErrorCompletesOnce) {
  Harness h;
  h.c.notify(kObj, Bytes::from_string("hi"), 2000, h.now);
  h.drain();
  h.reply(h.last(), -kENOENT);
  auto done = h.events_of<ev::NotifyDone>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].result, -kENOENT);
  h.advance(10s);
  EXPECT_EQ(h.events_of<ev::NotifyDone>().size(), 1u);
}

TEST(WatchClient, UnwatchWhileAPingIsInFlight) {
  Harness h;
  uint64_t w = h.registered_watch();
  h.advance(5s);
  OsdRequest ping = h.last();
  ASSERT_EQ(ping.ops[0].watch_op, osd_op::kWatchPing);
  ASSERT_EQ(h.c.unwatch(w, h.now), 0);
  h.drain();
  OsdRequest unwatch = h.last();
  EXPECT_EQ(unwatch.ops[0].watch_op, osd_op::kWatchUnwatch);
  EXPECT_EQ(unwatch.flags, 0x400024u);
  // The ping's reply, an error, and a notify for the cookie: all dropped after the cancel.
  h.reply(ping, -kENOTCONN);
  h.notify_event(kWatchEventNotify, w, 9);
  h.notify_event(kWatchEventDisconnect, w, 0);
  EXPECT_TRUE(h.events_of<ev::WatchError>().empty());
  EXPECT_TRUE(h.events_of<ev::WatchNotify>().empty());
  EXPECT_EQ(h.c.watch_check(w, h.now), -kENOTCONN);
  h.reply(unwatch, 0);
  ASSERT_EQ(h.events_of<ev::Unwatched>().size(), 1u);
  EXPECT_FALSE(h.c.linger_state(w).has_value());
  size_t n = h.sent.size();
  h.advance(20s);
  EXPECT_EQ(h.sent.size(), n) << "no pings after unwatch";
  EXPECT_EQ(h.c.unwatch(w, h.now), -kENOTCONN) << "unknown cookie";
}

TEST(WatchClient, TargetChangeMidRegistration) {
  Harness h;
  uint64_t w = h.c.watch(kObj, 0, h.now);
  h.drain();
  OsdRequest first = h.last();
  EXPECT_EQ(first.target.osd, 0);
  h.primary = 2;
  h.c.handle_map_change([&](const ObjectId&) { return osd(2); }, h.now);
  h.drain();
  OsdRequest second = h.last();
  EXPECT_EQ(second.target.osd, 2);
  EXPECT_EQ(second.ops[0].watch_op, osd_op::kWatchWatch) << "not registered yet: WATCH again";
  EXPECT_NE(second.tid, first.tid);
  h.reply(first, 0);  // the old primary's reply is stale
  EXPECT_EQ(h.c.linger_state(w), LingerState::kRegistering);
  h.reply(second, 0);
  EXPECT_EQ(h.c.linger_state(w), LingerState::kEstablished);
  // A later move reconnects at the newest primary.
  h.c.handle_map_change([&](const ObjectId&) { return osd(1); }, h.now);
  h.drain();
  EXPECT_EQ(h.last().target.osd, 1);
  EXPECT_EQ(h.last().ops[0].watch_op, osd_op::kWatchReconnect);
}

TEST(WatchClient, DisconnectEventIsENOTCONN) {
  Harness h;
  uint64_t w = h.registered_watch();
  h.notify_event(kWatchEventDisconnect, w, 0);
  ASSERT_EQ(h.events_of<ev::WatchError>().size(), 1u);
  EXPECT_EQ(h.events_of<ev::WatchError>()[0].error, -kENOTCONN);
}

TEST(WatchClient, UnansweredPingsEndInATimeoutError) {
  Harness h;
  uint64_t w = h.registered_watch();
  h.advance(34s);
  EXPECT_TRUE(h.events_of<ev::WatchError>().empty());
  h.advance(1s);  // 30 s timeout + 5 s tick without confirmation
  ASSERT_EQ(h.events_of<ev::WatchError>().size(), 1u);
  EXPECT_EQ(h.events_of<ev::WatchError>()[0].error, -kETIMEDOUT);
  EXPECT_EQ(h.c.watch_check(w, h.now), -kETIMEDOUT);
}

TEST(WatchClient, NotifyEventsAndWatchCheckAge) {
  Harness h;
  uint64_t w = h.registered_watch();
  WatchNotifyMsg m;
  m.opcode = kWatchEventNotify;
  m.cookie = w;
  m.notify_id = 99;
  m.notifier_gid = 4133;
  std::string payload = "hello watchers";
  m.payload = Bytes::view({reinterpret_cast<const uint8_t*>(payload.data()), payload.size()});
  // Confirm at t = 5 s, then a notify at t = 6 s that the user has not taken yet, then a
  // confirming ping at t = 10 s: the undelivered notify keeps watch_check's stamp at 6 s.
  h.advance(5s);
  h.reply(h.last(), 0);
  h.now = 6s;
  h.c.handle_watch_notify(m, h.now);
  payload.assign(payload.size(), 'X');  // the event owns its copy
  h.now = 10s;
  h.c.handle_timeout(h.now);  // tick: ping
  auto ping = h.c.poll_transmit();
  ASSERT_TRUE(ping.has_value());
  OsdReply pr;
  pr.osd = 0;
  pr.tid = ping->tid;
  h.c.handle_reply(pr, h.now);
  h.now = 12s;
  EXPECT_EQ(h.c.watch_check(w, h.now), 1 + 6000);
  auto e = h.c.poll_event();
  ASSERT_TRUE(e.has_value());
  auto* n = std::get_if<ev::WatchNotify>(&*e);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->payload, Bytes::from_string("hello watchers"));
  EXPECT_EQ(n->notifier_gid, 4133u);
  // Delivered: now the last confirmation (the ping sent at t = 10 s) counts.
  EXPECT_EQ(h.c.watch_check(w, h.now), 1 + 2000);
  // notify_ack: indata = notify_id, cookie, reply
  h.c.notify_ack(kObj, 99, w, Bytes::from_string("ack"), h.now);
  h.drain();
  const OsdRequest& ack = h.last();
  EXPECT_EQ(ack.ops[0].op, osd_op::kNotifyAck);
  EXPECT_EQ(ack.flags, 0x400014u);
  EXPECT_EQ(ack.ops[0].indata.size(), 8u + 8u + 4u + 3u);
}

TEST(WatchClient, PlainOpsResendWithSameTidOnReset) {
  Harness h;
  uint64_t handle = h.c.write_full(kObj, Bytes::from_string("data"), h.now);
  h.drain();
  OsdRequest w = h.last();
  EXPECT_EQ(w.attempt, 0);
  h.c.handle_session_reset(0, h.now);
  h.drain();
  EXPECT_EQ(h.last().tid, w.tid);
  EXPECT_EQ(h.last().attempt, 1);
  h.reply(h.last(), 0);
  auto done = h.events_of<ev::OpDone>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].handle, handle);
  h.reply(w, 0);  // duplicate reply: ignored
  EXPECT_EQ(h.events_of<ev::OpDone>().size(), 1u);
}

// operate(): librados aio_operate with raw ops (here librbd's SETALLOCHINT + WRITE with a snap
// context): sent as given plus ONDISK | KNOWN_REDIR, one tid, resent with that tid and a bumped
// retry_attempt on a session reset and when its primary moves; not when only the epoch does.
TEST(WatchClient, OperateSendsRawOpsAndResendsLikePlainOps) {
  Harness h;
  OpSpec hint;
  hint.op = 0x2223;  // SETALLOCHINT
  hint.raw_union = std::array<uint8_t, 28>{};
  (*hint.raw_union)[2] = 0x40;  // expected_object_size = 4 MiB
  OpSpec write;
  write.op = 0x2201;  // WRITE
  write.flags = 0x20;  // an op flag (FADVISE_*) travels as given
  write.raw_union = std::array<uint8_t, 28>{};
  (*write.raw_union)[8] = 4;  // extent.length
  std::string data = "data";
  write.indata = Bytes::view({reinterpret_cast<const uint8_t*>(data.data()), data.size()});
  const SnapSpec snap{kNoSnap, 4, {4, 2}};
  const uint64_t handle = h.c.operate(kObj, osd_op::kFlagWrite, {hint, write}, snap, h.now);
  data = "XXXX";  // the core owns its copy of the input
  h.drain();
  ASSERT_EQ(h.sent.size(), 1u);
  const OsdRequest first = h.last();
  EXPECT_EQ(first.flags, 0x400024u);
  ASSERT_EQ(first.ops.size(), 2u);
  EXPECT_EQ(first.ops[0].op, 0x2223);
  EXPECT_EQ(first.ops[0].raw_union, hint.raw_union);
  EXPECT_EQ(first.ops[1].flags, 0x20u);
  EXPECT_EQ(first.ops[1].indata, Bytes::from_string("data"));
  EXPECT_EQ(first.snap, snap);
  EXPECT_EQ(first.attempt, 0);

  // Session reset: same tid, retry_attempt 1.
  h.c.handle_session_reset(0, h.now);
  h.drain();
  ASSERT_EQ(h.sent.size(), 2u);
  EXPECT_EQ(h.last().tid, first.tid);
  EXPECT_EQ(h.last().attempt, 1);
  EXPECT_EQ(h.last().ops, first.ops);
  // A new epoch that keeps the primary: nothing to resend.
  h.c.handle_map_change([](const ObjectId&) { return Target{0, 10, 1, 0x18742201}; }, h.now);
  h.drain();
  EXPECT_EQ(h.sent.size(), 2u);
  // The primary moves: resent to it, same tid, retry_attempt 2, the new epoch.
  h.primary = 2;
  h.c.handle_map_change([](const ObjectId&) { return Target{2, 11, 1, 0x18742201}; }, h.now);
  h.drain();
  ASSERT_EQ(h.sent.size(), 3u);
  EXPECT_EQ(h.last().tid, first.tid);
  EXPECT_EQ(h.last().attempt, 2);
  EXPECT_EQ(h.last().target.osd, 2);
  EXPECT_EQ(h.last().target.epoch, 11u);
  // The reply from the old primary is ignored; the new one completes it with every op's rval
  // and outdata.
  h.reply(first, 0);
  EXPECT_TRUE(h.events_of<ev::OpDone>().empty());
  OsdReply r;
  r.osd = 2;
  r.tid = first.tid;
  r.rvals = {0, 0};
  r.outdata = {Bytes{}, Bytes::from_string("out")};
  h.c.handle_reply(r, h.now);
  h.drain();
  auto done = h.events_of<ev::OpDone>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].handle, handle);
  EXPECT_EQ(done[0].op, 0x2223);
  EXPECT_EQ(done[0].rvals, (std::vector<int32_t>{0, 0}));
  ASSERT_EQ(done[0].outdata.size(), 2u);
  EXPECT_EQ(done[0].outdata[1], Bytes::from_string("out"));
  EXPECT_EQ(h.c.pending_requests(), 0u);
}

Target with_acting(int primary, uint32_t epoch, std::vector<int32_t> acting) {
  Target t = osd(primary);
  t.epoch = epoch;
  t.up = acting;
  t.up_primary = primary;
  t.acting = std::move(acting);
  t.size = 3;
  return t;
}

// One MOSDMap with epochs 20..22 (corpus/recordings v1-/v2-primary-out): 20 moves the primary
// 1 -> 0, 21 changes the acting set again (pg_temp) with the same primary, 22 changes nothing.
// Objecter::handle_osd_map scans per epoch: the watch is queued twice and resent twice after
// the last epoch (RECONNECT gen 1 and 2, both with epoch 22's target); a plain op in flight is
// resent once; a linger left homeless by an epoch is not resent until a primary appears.
TEST(WatchClient, MapWithSeveralEpochsResendsLingersPerEpoch) {
  Harness h;
  h.primary = 1;
  h.c.handle_map_change([](const ObjectId&) { return with_acting(1, 19, {1, 0, 2}); }, h.now);
  uint64_t w = h.registered_watch();
  EXPECT_EQ(h.last().target.osd, 1);
  const uint64_t op = h.c.stat(ObjectId{1, "", "other", ""}, h.now);
  h.drain();
  const OsdRequest stat = h.last();
  const size_t before = h.sent.size();

  std::vector<Placement> epochs = {
      [](const ObjectId&) { return with_acting(0, 20, {0, 2}); },
      [](const ObjectId&) { return with_acting(0, 21, {0, 2, 1}); },
      [](const ObjectId&) { return with_acting(0, 22, {0, 2, 1}); },
  };
  h.primary = 0;
  h.c.handle_map_change(epochs, h.now);
  h.drain();
  ASSERT_EQ(h.sent.size(), before + 3);
  // The op first (same tid, attempt 1), then the two RECONNECTs.
  EXPECT_EQ(h.sent[before].tid, stat.tid);
  EXPECT_EQ(h.sent[before].attempt, 1);
  EXPECT_EQ(h.sent[before].target.epoch, 22u);
  const OsdRequest& r1 = h.sent[before + 1];
  const OsdRequest& r2 = h.sent[before + 2];
  EXPECT_EQ(r1.ops[0].watch_op, osd_op::kWatchReconnect);
  EXPECT_EQ(r2.ops[0].watch_op, osd_op::kWatchReconnect);
  EXPECT_EQ(r1.ops[0].gen, 1u);
  EXPECT_EQ(r2.ops[0].gen, 2u);
  EXPECT_EQ(r1.target.osd, 0);
  EXPECT_EQ(r1.target.epoch, 22u);
  EXPECT_EQ(r2.target.epoch, 22u);
  EXPECT_EQ(r2.tid, r1.tid + 1);
  // Only the newest RECONNECT counts; the first one's reply is stale.
  h.reply(r1, 0);
  EXPECT_EQ(h.c.linger_state(w), LingerState::kReconnecting);
  h.reply(r2, 0);
  EXPECT_EQ(h.c.linger_state(w), LingerState::kEstablished);
  EXPECT_EQ(h.events_of<ev::WatchReconnected>().size(), 1u);
  (void)op;

  // An epoch without a primary, then one with it back, in one message: the homeless epoch
  // sends nothing, the linger goes out once (gen 3) to the new primary.
  const size_t n = h.sent.size();
  h.c.handle_map_change(std::vector<Placement>{
                            [](const ObjectId&) { return Target{-1, 23, 1, 0x18742201}; },
                        },
                        h.now);
  h.drain();
  EXPECT_EQ(h.sent.size(), n) << "homeless: nothing sent";
  EXPECT_EQ(h.c.register_gen(w), 2u);
  h.c.handle_map_change([](const ObjectId&) { return with_acting(2, 24, {2}); }, h.now);
  h.drain();
  ASSERT_EQ(h.sent.size(), n + 2);  // the stat (it had gone homeless too) and the RECONNECT
  EXPECT_EQ(h.last().ops[0].watch_op, osd_op::kWatchReconnect);
  EXPECT_EQ(h.last().ops[0].gen, 3u);
  EXPECT_EQ(h.last().target.osd, 2);
}

// A client that did not run for longer than its watch timeout (SIGSTOP: corpus/recordings
// v1-/v2-watch-error): on resuming it pings, and that ping's -ENOTCONN is the error the user
// gets (as from librados), not a local -ETIMEDOUT; had the ping gone unanswered, -ETIMEDOUT
// follows `timeout` after it. The invariants hold throughout.
TEST(WatchClient, StalledClientReportsThePingsError) {
  for (bool answered : {true, false}) {
    Harness h;
    uint64_t w = h.c.watch(kObj, 3, h.now);  // watch3, 3 s timeout (tick 5 s)
    h.drain();
    h.reply(h.last(), 0);
    // Stopped from 0 to 20 s: the first thing the client does is its overdue tick.
    h.now = 20s;
    h.c.handle_timeout(h.now);
    h.drain();
    const OsdRequest ping = h.last();
    ASSERT_EQ(ping.ops[0].watch_op, osd_op::kWatchPing);
    EXPECT_TRUE(h.events_of<ev::WatchError>().empty()) << "no local error before the ping's answer";
    EXPECT_EQ(h.c.linger_state(w), LingerState::kEstablished);
    ASSERT_TRUE(h.c.poll_timeout().has_value());
    EXPECT_EQ(*h.c.poll_timeout(), 23s) << "the ping gets the watch timeout to be answered";
    if (answered) {
      h.now = 20s + 1ms;
      h.reply(ping, -kENOTCONN);
      ASSERT_EQ(h.events_of<ev::WatchError>().size(), 1u);
      EXPECT_EQ(h.events_of<ev::WatchError>()[0].error, -kENOTCONN);
      EXPECT_EQ(h.c.watch_check(w, h.now), -kENOTCONN);
    } else {
      h.advance(3s - 1ms);
      EXPECT_TRUE(h.events_of<ev::WatchError>().empty());
      h.advance(1ms);
      ASSERT_EQ(h.events_of<ev::WatchError>().size(), 1u);
      EXPECT_EQ(h.events_of<ev::WatchError>()[0].error, -kETIMEDOUT);
    }
  }
}

TEST(WatchClient, HomelessUntilAMapGivesAPrimary) {
  Harness h;
  h.primary = -1;
  uint64_t w = h.c.watch(kObj, 0, h.now);
  h.drain();
  EXPECT_TRUE(h.sent.empty());
  h.primary = 1;
  h.c.handle_map_change([&](const ObjectId&) { return osd(1); }, h.now);
  h.drain();
  ASSERT_EQ(h.sent.size(), 1u);
  EXPECT_EQ(h.sent[0].target.osd, 1);
  h.reply(h.sent[0], 0);
  EXPECT_EQ(h.c.linger_state(w), LingerState::kEstablished);
}

TEST(WatchClient, FlushComesAfterQueuedEvents) {
  Harness h;
  uint64_t w = h.c.watch(kObj, 0, h.now);
  h.drain();
  OsdReply r;
  r.osd = 0;
  r.tid = h.last().tid;
  h.c.handle_reply(r, h.now);
  uint64_t token = h.c.watch_flush();
  auto a = h.c.poll_event();
  auto b = h.c.poll_event();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(std::get<ev::WatchRegistered>(*a).cookie, w);
  EXPECT_EQ(std::get<ev::FlushDone>(*b).token, token);
}

TEST(WatchClient, TracesEveryTransition) {
  Harness h;
  h.c.set_tracing(true);
  h.registered_watch();
  ASSERT_FALSE(h.c.trace().empty());
  EXPECT_NE(h.c.trace()[0].find("Registering --register_ok/deliver_registered--> Established"),
            std::string::npos);
}

}  // namespace
}  // namespace cephwire::client
