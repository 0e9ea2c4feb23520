#include "client/replay.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "client/wire.h"
#include "codec/bytes.h"
#include "codec/denc.h"
#include "codec/messages/MOSDOp.h"
#include "codec/messages/notify_ack_indata_t.h"
#include "codec/messages/notify_indata_t.h"

namespace cephwire::client::replay {

using codec::Bytes;

namespace {

struct Rec {  // one recorded MOSDOp
  size_t input = 0;
  uint64_t frame = 0;
  Instant time{};
  int32_t osd = -1;
  const codec::MessageParts* parts = nullptr;
  codec::MOSDOp op;
  bool ok = false;
  bool ping = false;
  bool user_call = false;
  bool matched = false;
};

uint16_t op0(const codec::MOSDOp& m) { return m.ops.empty() ? 0 : m.ops[0].op.op; }
uint8_t wop0(const codec::MOSDOp& m) {
  return op0(m) == osd_op::kWatch ? m.ops[0].op.watch().op : 0;
}
uint64_t cookie0(const codec::MOSDOp& m) {
  if (op0(m) == osd_op::kWatch) return m.ops[0].op.watch().cookie;
  if (op0(m) == osd_op::kNotify) return m.ops[0].op.notify().cookie;
  return 0;
}
// Does a recorded request look exactly like what the core's specific call for its op sends
// (one op with the typed union only, no op flags, head object, no snap context, the call's
// CEPH_OSD_FLAG_*)? Otherwise it is replayed through the generic operate().
bool fits_simple_call(const codec::MOSDOp& m, uint32_t flags) {
  if (m.ops.size() != 1 || m.ops[0].op.flags != 0) return false;
  if (m.snapid != kNoSnap || m.snap_seq != 0 || !m.snaps.empty()) return false;
  if ((m.flags & ~(osd_op::kFlagOndisk | osd_op::kFlagKnownRedir)) != flags) return false;
  const auto& o = m.ops[0];
  OpSpec s;  // what the core's call builds (WatchClient::write_full / read / stat / list_watchers)
  s.op = o.op.op;
  if (s.op == osd_op::kWriteFull) s.length = o.indata.size();
  if (s.op == osd_op::kRead) s.offset = o.op.extent().offset, s.length = o.op.extent().length;
  if (s.op == osd_op::kListWatchers || s.op == osd_op::kStat) {
    if (!o.indata.empty()) return false;
  }
  return wire::to_osd_op(s).op.u == o.op.u;
}

uint64_t req_cookie(const OsdRequest& r) {
  return r.ops.empty() ? 0 : r.ops[0].cookie;
}

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

std::string op_name(uint16_t op, uint8_t wop) {
  switch (op) {
    case osd_op::kWatch:
      switch (wop) {
        case osd_op::kWatchUnwatch: return "UNWATCH";
        case osd_op::kWatchLegacy: return "WATCH(legacy)";
        case osd_op::kWatchWatch: return "WATCH";
        case osd_op::kWatchReconnect: return "RECONNECT";
        case osd_op::kWatchPing: return "PING";
        default: return "WATCH(op " + std::to_string(wop) + ")";
      }
    case osd_op::kNotify: return "NOTIFY";
    case osd_op::kNotifyAck: return "NOTIFY_ACK";
    case osd_op::kListWatchers: return "LIST_WATCHERS";
    case osd_op::kWriteFull: return "WRITEFULL";
    case osd_op::kRead: return "READ";
    case osd_op::kStat: return "STAT";
    default: return "op " + hex(op);
  }
}

std::string secs(Duration d) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f s", std::chrono::duration<double>(d).count());
  return b;
}

class Replayer {
 public:
  Replayer(const ClientRecording& rec, const Options& opts) : rec_(rec), opts_(opts) {}
  ClientResult run();

 private:
  void diff(uint64_t frame, std::string what) { res_.diffs.push_back({frame, std::move(what)}); }
  void learn_target(const Rec& r, Instant now);
  void user_call(Rec& r, Instant now);
  void drain(Instant now, uint64_t frame);
  void match(const OsdRequest& q, Instant now, uint64_t frame);
  void compare(const OsdRequest& q, Rec& r);
  void check_events();
  uint64_t to_core_cookie(uint64_t rec_cookie) const {
    auto it = cookie_rec2core_.find(rec_cookie);
    return it == cookie_rec2core_.end() ? rec_cookie : it->second;
  }
  uint64_t to_rec_cookie(uint64_t core_cookie) const {
    auto it = cookie_core2rec_.find(core_cookie);
    return it == cookie_core2rec_.end() ? core_cookie : it->second;
  }
  Placement placement() const {
    auto m = std::make_shared<std::map<ObjectId, Target>>(targets_);
    return [m](const ObjectId& o) {
      auto it = m->find(o);
      return it == m->end() ? Target{} : it->second;
    };
  }

  const ClientRecording& rec_;
  const Options& opts_;
  ClientResult res_;
  std::vector<Rec> recs_;
  std::map<size_t, size_t> rec_of_input_;
  std::unique_ptr<WatchClient> core_;
  std::map<ObjectId, Target> targets_;
  bool placement_stale_ = false;
  std::map<uint64_t, uint64_t> cookie_core2rec_, cookie_rec2core_;
  std::map<uint64_t, codec::utime_t> watch_mtime_;  // recorded cookie -> first WATCH's mtime
  std::map<uint64_t, uint64_t> tid_rec2core_;
  std::set<uint64_t> live_watch_, live_notify_, seen_plain_tid_;
  std::map<uint64_t, uint64_t> notify_tid_;  // recorded tid of a user NOTIFY -> its cookie
  std::map<int32_t, int> open_conns_;        // OSD -> open connections of the client
  Placement map_now_;                        // placement under the client's newest map
  std::set<int32_t> map_closed_;             // OSDs whose session a map closed
  std::set<int32_t> reopens_;                // OSDs the client connects to more than once
  size_t last_nonping_ = 0;
  bool any_nonping_ = false;
  struct Got { ExpectedCallback cb; uint64_t frame; };
  std::vector<Got> got_;
  uint64_t cur_frame_ = 0;
};

void Replayer::learn_target(const Rec& r, Instant now) {
  const ObjectId obj{r.op.oloc.pool, r.op.oloc.nspace, r.op.oid, r.op.oloc.key};
  Target t{r.osd, r.op.osdmap_epoch, r.op.pgid.pgid.seed, r.op.hash};
  if (map_now_) {  // the PG's interval is not on the wire: take it from the client's map
    const Target m = map_now_(obj);
    t.up = m.up;
    t.acting = m.acting;
    t.up_primary = m.up_primary;
    t.pg_num = m.pg_num;
    t.size = m.size;
    t.min_size = m.min_size;
  }
  auto it = targets_.find(obj);
  if (it != targets_.end() && it->second == t) return;
  const bool known = it != targets_.end();
  targets_[obj] = t;
  if (known) {
    core_->handle_map_change(placement(), now);
    placement_stale_ = false;
  } else {
    placement_stale_ = true;  // a new object: handed in before the next user call
  }
}

void Replayer::user_call(Rec& r, Instant now) {
  const codec::MOSDOp& m = r.op;
  const ObjectId obj{m.oloc.pool, m.oloc.nspace, m.oid, m.oloc.key};
  if (placement_stale_) {  // the core learns the placement of objects it has not seen yet
    core_->handle_map_change(placement(), now);
    placement_stale_ = false;
  }
  const uint16_t op = op0(m);
  if (op == osd_op::kWatch) {
    const auto w = m.ops[0].op.watch();
    if (w.op == osd_op::kWatchUnwatch) {
      const int rc = core_->unwatch(to_core_cookie(w.cookie), now);
      if (rc != 0) diff(r.frame, "core refused unwatch of cookie " + std::to_string(w.cookie) + ": " + std::to_string(rc));
    } else {
      const uint64_t c = core_->watch(obj, w.timeout, now);
      cookie_core2rec_[c] = w.cookie;
      cookie_rec2core_[w.cookie] = c;
    }
  } else if (op == osd_op::kNotify) {
    auto in = m.op_input(0);
    const auto* n = in ? std::get_if<codec::notify_indata_t>(&*in) : nullptr;
    if (!n) {
      diff(r.frame, "NOTIFY input does not decode");
      return;
    }
    const uint64_t c = core_->notify(obj, n->payload, n->timeout * 1000, now);
    cookie_core2rec_[c] = m.ops[0].op.notify().cookie;
    cookie_rec2core_[m.ops[0].op.notify().cookie] = c;
  } else if (op == osd_op::kNotifyAck) {
    auto in = m.op_input(0);
    const auto* a = in ? std::get_if<codec::notify_ack_indata_t>(&*in) : nullptr;
    if (!a) {
      diff(r.frame, "NOTIFY_ACK input does not decode");
      return;
    }
    core_->notify_ack(obj, a->notify_id, to_core_cookie(a->cookie), a->reply, now);
  } else if (op == osd_op::kListWatchers && fits_simple_call(m, osd_op::kFlagRead)) {
    core_->list_watchers(obj, now);
  } else if (op == osd_op::kWriteFull && fits_simple_call(m, osd_op::kFlagWrite)) {
    core_->write_full(obj, m.ops[0].indata, now);
  } else if (op == osd_op::kRead && fits_simple_call(m, osd_op::kFlagRead)) {
    core_->read(obj, m.ops[0].op.extent().offset, m.ops[0].op.extent().length, now);
  } else if (op == osd_op::kStat && fits_simple_call(m, osd_op::kFlagRead)) {
    core_->stat(obj, now);
  } else {
    // Anything else (librbd's class calls, CREATE, SETALLOCHINT + WRITE, snap reads, ...):
    // librados aio_operate with the recorded ops, flags and snap context.
    std::vector<OpSpec> ops;
    ops.reserve(m.ops.size());
    for (const auto& o : m.ops) {
      OpSpec s;
      s.op = o.op.op;
      s.flags = o.op.flags;
      s.raw_union = o.op.u;
      s.indata = o.indata;
      ops.push_back(std::move(s));
    }
    SnapSpec snap{m.snapid, m.snap_seq, m.snaps};
    core_->operate(obj, m.flags & ~(osd_op::kFlagOndisk | osd_op::kFlagKnownRedir),
                   std::move(ops), std::move(snap), now);
  }
}

void Replayer::drain(Instant now, uint64_t frame) {
  while (auto q = core_->poll_transmit()) match(*q, now, frame);
  while (auto e = core_->poll_event()) {
    if (auto* n = std::get_if<ev::WatchNotify>(&*e)) {
      ExpectedCallback cb;
      cb.kind = ExpectedCallback::Kind::kNotify;
      cb.cookie = to_rec_cookie(n->cookie);
      cb.notify_id = n->notify_id;
      cb.payload_head = std::string(n->payload.str());
      cb.payload_len = n->payload.size();
      got_.push_back({std::move(cb), frame});
    } else if (auto* w = std::get_if<ev::WatchError>(&*e)) {
      ExpectedCallback cb;
      cb.kind = ExpectedCallback::Kind::kWatchError;
      cb.cookie = to_rec_cookie(w->cookie);
      cb.err = w->error;
      got_.push_back({std::move(cb), frame});
    }
  }
}

void Replayer::match(const OsdRequest& q, Instant now, uint64_t frame) {
  const uint16_t op = q.ops.empty() ? 0 : q.ops[0].op;
  const uint8_t wop = op == osd_op::kWatch ? q.ops[0].watch_op : 0;
  const std::string name = op_name(op, wop);
  const bool has_cookie = op == osd_op::kWatch || op == osd_op::kNotify;
  const uint64_t rc = has_cookie ? to_rec_cookie(req_cookie(q)) : 0;
  if (q.target.osd >= 0 && reopens_.count(q.target.osd) && open_conns_[q.target.osd] == 0 &&
      !map_closed_.count(q.target.osd)) {
    ++res_.unobservable;  // queued to a closed session (see ClientResult::unobservable)
    return;
  }
  if (op == osd_op::kWatch && wop == osd_op::kWatchPing) {
    Rec* best = nullptr;
    Duration best_d{};
    for (auto& r : recs_) {
      if (!r.ok || r.matched || !r.ping || cookie0(r.op) != rc) continue;
      const Duration d = r.time > now ? r.time - now : now - r.time;
      if (!best || d < best_d) best = &r, best_d = d;
    }
    if (!best || best_d > opts_.ping_tolerance) {
      diff(frame, "extra request: core sent PING cookie " + std::to_string(rc) + " at +" +
                      secs(now - rec_.start) +
                      (best ? " (nearest recorded ping " + secs(best_d) + " away, frame " +
                                  std::to_string(best->frame) + ")"
                            : std::string(" (no recorded ping left)")));
      return;
    }
    best->matched = true;
    res_.max_ping_skew = std::max(res_.max_ping_skew, best_d);
    compare(q, *best);
    return;
  }
  for (size_t i = 0; i < recs_.size(); ++i) {
    Rec& r = recs_[i];
    if (!r.ok || r.matched || r.ping) continue;
    if (op0(r.op) != op || wop0(r.op) != wop) continue;
    if (has_cookie && cookie0(r.op) != rc) continue;
    if (!has_cookie && r.parts->tid != 0 && tid_rec2core_.count(r.parts->tid) &&
        tid_rec2core_[r.parts->tid] != q.tid)
      continue;  // a resend of another request
    r.matched = true;
    if (any_nonping_ && i < last_nonping_)
      diff(r.frame, name + " sent by the core out of the recorded order");
    any_nonping_ = true;
    last_nonping_ = std::max(last_nonping_, i);
    compare(q, r);
    return;
  }
  diff(frame, "extra request: core sent " + name +
                  (has_cookie ? " cookie " + std::to_string(rc) : std::string()) + " tid " +
                  std::to_string(q.tid) + " at +" + secs(now - rec_.start));
}

void Replayer::compare(const OsdRequest& q, Rec& r) {
  ++res_.matched;
  const codec::MOSDOp& m = r.op;
  const std::string name = op_name(op0(m), wop0(m));
  const uint64_t rtid = r.parts->tid;
  if (q.tid != rtid) res_.tids_exact = false;
  tid_rec2core_[rtid] = q.tid;
  const size_t before = res_.diffs.size();
  auto field = [&](const char* what, auto ours, auto theirs, bool as_hex = false) {
    if (ours == theirs) return;
    auto s = [&](auto v) {
      return as_hex ? hex(static_cast<uint64_t>(v)) : std::to_string(v);
    };
    diff(r.frame, name + " " + what + ": core " + s(ours) + ", recorded " + s(theirs));
  };
  field("flags", q.flags, m.flags, true);
  field("osd", q.target.osd, r.osd);
  field("epoch", q.target.epoch, m.osdmap_epoch);
  field("pg seed", q.target.pg_seed, m.pgid.pgid.seed, true);
  field("hash", q.target.hash, m.hash, true);
  field("retry_attempt", q.attempt, m.retry_attempt);
  if (q.obj.name != m.oid || q.obj.pool != m.oloc.pool || q.obj.nspace != m.oloc.nspace ||
      q.obj.key != m.oloc.key)
    diff(r.frame, name + " object: core " + q.obj.nspace + "/" + q.obj.name + ", recorded " +
                      m.oloc.nspace + "/" + m.oid);
  field("op count", q.ops.size(), m.ops.size());
  // The core's request with the recorded cookies (cookies are librados pointers).
  OsdRequest mapped = q;
  for (size_t i = 0; i < q.ops.size() && i < m.ops.size(); ++i) {
    OpSpec& o = mapped.ops[i];
    const auto& ro = m.ops[i];
    field("op", o.op, ro.op.op, true);
    field("op flags", o.flags, ro.op.flags, true);
    if (o.raw_union) {
      if (*o.raw_union != ro.op.u) diff(r.frame, name + " op " + std::to_string(i) + " arguments differ");
    } else if (o.op == osd_op::kWatch) {
      const auto w = ro.op.watch();
      o.cookie = to_rec_cookie(o.cookie);
      field("watch op", o.watch_op, w.op);
      field("cookie", o.cookie, w.cookie);
      field("gen", o.gen, w.gen);
      field("timeout", o.timeout, w.timeout);
    } else if (o.op == osd_op::kNotify) {
      o.cookie = to_rec_cookie(o.cookie);
      field("cookie", o.cookie, ro.op.notify().cookie);
    } else if (o.op == osd_op::kNotifyAck) {
      codec::notify_ack_indata_t a;
      auto dec = codec::decode_as<codec::notify_ack_indata_t>(o.indata.span(), "notify_ack");
      if (dec) {
        a = *dec;
        a.cookie = to_rec_cookie(a.cookie);
        std::vector<uint8_t> buf;
        Bytes reply = a.reply;
        {
          codec::Encoder e(buf);  // trims `buf` when it goes
          e("notify_id", a.notify_id) && e("cookie", a.cookie) && e("reply", reply);
        }
        o.indata = Bytes(std::move(buf));
      }
    } else if (o.op == osd_op::kRead) {
      field("offset", o.offset, ro.op.extent().offset);
      field("length", o.length, ro.op.extent().length);
    }
    if (o.indata.span().size() != ro.indata.size() ||
        !std::equal(o.indata.span().begin(), o.indata.span().end(), ro.indata.span().begin()))
      diff(r.frame, name + " payload (" + std::to_string(o.indata.size()) + " bytes) differs from the recorded one (" +
                        std::to_string(ro.indata.size()) + " bytes)");
  }
  // The whole message, with the recorded tid / epoch and mtime policy applied.
  mapped.tid = rtid;
  mapped.target.epoch = m.osdmap_epoch;
  wire::OpContext ctx;
  std::optional<codec::utime_t> wm;
  if (auto it = watch_mtime_.find(cookie0(m)); it != watch_mtime_.end()) wm = it->second;
  ctx.mtime = wire::mtime_for(mapped, m.mtime, wm);
  ctx.features = m.features;
  field("mtime (policy)", uint64_t{ctx.mtime.sec} * 1000000000 + ctx.mtime.nsec,
        uint64_t{m.mtime.sec} * 1000000000 + m.mtime.nsec);
  const codec::MessageParts ours = wire::to_message(mapped, ctx);
  const codec::MessageParts& theirs = *r.parts;
  auto same = [](const Bytes& a, const Bytes& b) {
    return a.size() == b.size() && std::equal(a.span().begin(), a.span().end(), b.span().begin());
  };
  if (res_.diffs.size() == before) {
    std::string what;
    if (ours.type != theirs.type || ours.version != theirs.version ||
        ours.compat_version != theirs.compat_version || ours.priority != theirs.priority ||
        ours.data_off != theirs.data_off)
      what = "header";
    else if (!same(ours.front, theirs.front)) {
      size_t i = 0;
      while (i < ours.front.size() && i < theirs.front.size() &&
             ours.front.data()[i] == theirs.front.data()[i])
        ++i;
      what = "front (first difference at byte " + std::to_string(i) + ")";
    } else if (!same(ours.middle, theirs.middle)) {
      what = "middle";
    } else if (!same(ours.data, theirs.data)) {
      what = "data";
    }
    if (!what.empty()) diff(r.frame, name + " MOSDOp bytes differ: " + what);
  }
}

void Replayer::check_events() {
  if (!rec_.callbacks) return;
  using K = ExpectedCallback::Kind;
  for (K kind : {K::kNotify, K::kWatchError}) {
    std::vector<const ExpectedCallback*> want;
    std::vector<const Got*> got;
    for (const auto& c : *rec_.callbacks)
      if (c.kind == kind) want.push_back(&c);
    for (const auto& g : got_)
      if (g.cb.kind == kind) got.push_back(&g);
    const char* what = kind == K::kNotify ? "notify callback" : "watch error callback";
    const size_t n = std::min(want.size(), got.size());
    for (size_t i = 0; i < n; ++i) {
      ++res_.callbacks_checked;
      const auto& w = *want[i];
      const auto& g = got[i]->cb;
      const std::string& p = g.payload_head;  // the core's whole payload
      const bool payload_ok =
          kind != K::kNotify ||
          (p.size() == w.payload_len && p.compare(0, w.payload_head.size(), w.payload_head) == 0 &&
           p.size() >= w.payload_tail.size() &&
           p.compare(p.size() - w.payload_tail.size(), w.payload_tail.size(), w.payload_tail) == 0);
      if (!payload_ok)
        diff(got[i]->frame, std::string(what) + " payload differs: core " +
                                std::to_string(p.size()) + " bytes, recorded " +
                                std::to_string(w.payload_len));
      if (w.cookie != g.cookie || w.notify_id != g.notify_id || w.err != g.err)
        diff(got[i]->frame, std::string(what) + " differs: core cookie " +
                                std::to_string(g.cookie) + " notify_id " +
                                std::to_string(g.notify_id) + " err " + std::to_string(g.err) +
                                ", recorded cookie " + std::to_string(w.cookie) + " notify_id " +
                                std::to_string(w.notify_id) + " err " + std::to_string(w.err));
    }
    for (size_t i = n; i < want.size(); ++i)
      diff(0, std::string("missing ") + what + ": cookie " + std::to_string(want[i]->cookie) +
                  (kind == K::kNotify ? " notify_id " + std::to_string(want[i]->notify_id)
                                      : " err " + std::to_string(want[i]->err)));
    for (size_t i = n; i < got.size(); ++i)
      diff(got[i]->frame, std::string("extra ") + what + " from the core: cookie " +
                              std::to_string(got[i]->cb.cookie) + " err " +
                              std::to_string(got[i]->cb.err));
  }
}

ClientResult Replayer::run() {
  res_.gid = rec_.gid;
  // Recorded requests and which of them are user calls.
  for (size_t i = 0; i < rec_.inputs.size(); ++i) {
    const Input& in = rec_.inputs[i];
    if (in.kind == InputKind::kWatchNotify) {  // a NOTIFY_COMPLETE ends the notify linger
      if (auto wn = wire::decode_watch_notify(in.msg, in.osd);
          wn && wn->opcode == kWatchEventNotifyComplete)
        live_notify_.erase(wn->cookie);
      continue;
    }
    if (in.kind == InputKind::kReply) {  // so does an error reply to the NOTIFY
      if (auto rep = wire::decode_reply(in.msg, in.osd); rep && rep->result < 0) {
        if (auto it = notify_tid_.find(rep->tid); it != notify_tid_.end())
          live_notify_.erase(it->second);
      }
      continue;
    }
    if (in.kind != InputKind::kRequest) continue;
    Rec r;
    r.input = i;
    r.frame = in.frame;
    r.time = in.time;
    r.osd = in.osd;
    r.parts = &in.msg;
    auto m = codec::MOSDOp::decode(in.msg);
    ++res_.requests;
    if (!m || m->ops.empty()) {
      diff(in.frame, "recorded MOSDOp does not decode" +
                         (m ? std::string(" (no ops)") : ": " + m.error().to_string()));
      continue;
    }
    r.op = std::move(*m);
    r.ok = true;
    const uint16_t op = op0(r.op);
    const uint8_t wop = wop0(r.op);
    const uint64_t c = cookie0(r.op);
    r.ping = op == osd_op::kWatch && wop == osd_op::kWatchPing;
    if (r.ping) ++res_.pings;
    // librados cookies are LingerOp addresses, which the allocator reuses once a linger is
    // gone: a WATCH / NOTIFY of a cookie is a user call unless that cookie's linger is still
    // live (then it is the Objecter re-sending it).
    if (op == osd_op::kWatch && (wop == osd_op::kWatchWatch || wop == osd_op::kWatchLegacy)) {
      r.user_call = live_watch_.insert(c).second;
      if (r.user_call) watch_mtime_[c] = r.op.mtime;
    } else if (op == osd_op::kWatch && wop == osd_op::kWatchUnwatch) {
      r.user_call = live_watch_.erase(c) > 0;
    } else if (op == osd_op::kNotify) {
      r.user_call = live_notify_.insert(c).second;
      if (r.user_call) notify_tid_[in.msg.tid] = c;
    } else if (op != osd_op::kWatch) {
      r.user_call = r.op.retry_attempt == 0 && seen_plain_tid_.insert(in.msg.tid).second;
    }
    if (r.user_call) ++res_.user_calls;
    rec_of_input_[i] = recs_.size();
    recs_.push_back(std::move(r));
  }

  ClientConfig cfg;
  cfg.gid = rec_.gid;
  cfg.tick_interval = rec_.tick_interval;
  // Objecter's tick phase is not on the wire (its timer starts inside rados_connect): align
  // the core's ticks with the client's first recorded ping, when there is one, so every later
  // ping is checked against the tick interval; otherwise tick from the first packet.
  Instant origin = rec_.start;
  for (const auto& r : recs_) {
    if (!r.ok || !r.ping || r.time < rec_.start || rec_.tick_interval.count() <= 0) continue;
    const auto n = (r.time - rec_.start + rec_.tick_interval - Duration{1}) / rec_.tick_interval;
    origin = r.time - n * rec_.tick_interval;
    break;
  }
  core_ = std::make_unique<WatchClient>(cfg, placement(), origin);
  std::map<int32_t, int> conns_per_osd;  // connections ever opened to each OSD
  {
    std::map<int32_t, int> n;
    for (const auto& in : rec_.inputs)
      if (in.kind == InputKind::kOpened && ++n[in.osd] > 1) reopens_.insert(in.osd);
  }
  auto later_open = [&](size_t from, int32_t osd) {
    for (size_t j = from + 1; j < rec_.inputs.size(); ++j)
      if (rec_.inputs[j].kind == InputKind::kOpened && rec_.inputs[j].osd == osd) return true;
    return false;
  };

  auto thawed = [&](Instant t) {  // when a stopped process gets to handle time t
    for (const auto& [from, to] : rec_.frozen)
      if (t >= from && t < to) return to;
    return t;
  };
  auto advance = [&](Instant t) {
    for (int guard = 0; guard < 1000000; ++guard) {
      auto d = core_->poll_timeout();
      if (!d || *d > t) break;
      const Instant at = thawed(*d);
      if (at > t) break;
      core_->handle_timeout(at);
      drain(at, cur_frame_);
    }
  };

  for (size_t i = 0; i < rec_.inputs.size(); ++i) {
    Input in_copy;
    const Input* inp = &rec_.inputs[i];
    if (const Instant at = thawed(inp->time); at != inp->time) {
      in_copy = *inp;
      in_copy.time = at;
      inp = &in_copy;
    }
    const Input& in = *inp;
    advance(in.time);
    cur_frame_ = in.frame;
    switch (in.kind) {
      case InputKind::kOpened: {
        // The Objecter has the map before it opens a session: learn the targets of the
        // requests this connection will carry, then a re-opened session resets the old one.
        std::set<ObjectId> seen;
        for (size_t j = i + 1; j < rec_.inputs.size(); ++j) {
          const Input& n = rec_.inputs[j];
          if (n.conn != in.conn) continue;
          if (n.kind == InputKind::kClosed) break;
          auto it = rec_of_input_.find(j);
          if (it == rec_of_input_.end() || !recs_[it->second].ok) continue;
          const Rec& r = recs_[it->second];
          const ObjectId obj{r.op.oloc.pool, r.op.oloc.nspace, r.op.oid, r.op.oloc.key};
          if (seen.insert(obj).second) learn_target(r, in.time);
        }
        drain(in.time, in.frame);
        ++open_conns_[in.osd];
        // Unless a map closed the old session (then this is a new one; what the core sent to
        // it meanwhile went out on this connection).
        const bool new_session = map_closed_.erase(in.osd) > 0;
        if (conns_per_osd[in.osd]++ > 0 && !new_session)
          core_->handle_session_reset(in.osd, in.time);
        drain(in.time, in.frame);
        break;
      }
      case InputKind::kClosed:
        // A session that the client re-opens later was reset (OSD restart, fault): the
        // Objecter resends at once, into the dead session, and again when it re-opens.
        if (--open_conns_[in.osd] == 0 && reopens_.count(in.osd) && later_open(i, in.osd) &&
            !map_closed_.count(in.osd)) {
          core_->handle_session_reset(in.osd, in.time);
          drain(in.time, in.frame);
        }
        break;
      case InputKind::kRequest: {
        auto it = rec_of_input_.find(i);
        if (it == rec_of_input_.end()) break;
        Rec& r = recs_[it->second];
        learn_target(r, in.time);
        drain(in.time, in.frame);
        if (r.user_call) user_call(r, in.time);
        drain(in.time, in.frame);
        break;
      }
      case InputKind::kReply: {
        auto rep = wire::decode_reply(in.msg, in.osd);
        if (!rep) {
          diff(in.frame, "recorded MOSDOpReply does not decode: " + rep.error().to_string());
          break;
        }
        auto t = tid_rec2core_.find(rep->tid);
        if (t == tid_rec2core_.end()) break;  // its request was not matched (reported there)
        rep->tid = t->second;
        core_->handle_reply(*rep, in.time);
        drain(in.time, in.frame);
        break;
      }
      case InputKind::kMap: {
        if (in.map_epochs.empty()) break;
        map_now_ = in.map_epochs.back();
        for (int32_t osd : in.map_closed) map_closed_.insert(osd);
        if (targets_.empty()) break;  // nothing placed yet
        // Every object the core knows follows the map from now on (learn_target still checks
        // each recorded request against it).
        for (auto& [obj, t] : targets_) t = in.map_epochs.back()(obj);
        core_->handle_map_change(in.map_epochs, in.time);
        placement_stale_ = false;
        drain(in.time, in.frame);
        break;
      }
      case InputKind::kWatchNotify: {
        auto wn = wire::decode_watch_notify(in.msg, in.osd);
        if (!wn) {
          diff(in.frame, "recorded MWatchNotify does not decode: " + wn.error().to_string());
          break;
        }
        wn->cookie = to_core_cookie(wn->cookie);
        core_->handle_watch_notify(*wn, in.time);
        drain(in.time, in.frame);
        break;
      }
    }
  }
  // Pings the recording may still show up to the tolerance after its last item.
  if (!rec_.inputs.empty()) advance(rec_.inputs.back().time + opts_.ping_tolerance);
  for (const auto& r : recs_) {
    if (r.ok && !r.matched)
      diff(r.frame, "missing request: recorded " + op_name(op0(r.op), wop0(r.op)) +
                        (cookie0(r.op) ? " cookie " + std::to_string(cookie0(r.op)) : std::string()) +
                        " tid " + std::to_string(r.parts->tid) + " at +" + secs(r.time - rec_.start) +
                        " was not sent by the core");
  }
  check_events();
  std::stable_sort(res_.diffs.begin(), res_.diffs.end(),
                   [](const Difference& a, const Difference& b) { return a.frame < b.frame; });
  return std::move(res_);
}

}  // namespace

ClientResult replay_client(const ClientRecording& rec, const Options& opts) {
  return Replayer(rec, opts).run();
}

}  // namespace cephwire::client::replay
