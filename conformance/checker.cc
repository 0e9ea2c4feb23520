#include "conformance/checker.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string_view>
#include <tuple>
#include <variant>

#include "codec/messages/MOSDOp.h"
#include "codec/messages/MOSDOpReply.h"
#include "codec/messages/MWatchNotify.h"
#include "codec/messages/OSDOp.h"
#include "codec/messages/registry.h"

namespace cephwire::conformance {

using codec::Dir;

namespace {

constexpr int32_t kETimedOut = -110;

std::string fmt(const char* f, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, f, args...);
  return buf;
}

struct Tally {
  uint64_t checked = 0;
  std::vector<std::pair<uint64_t, uint64_t>> examples;  // (frame, conn) of the first applications
  bool nonstrict = false;
  bool unsupported = false;
  std::vector<Finding> failures, notes;
};

// One client request (MOSDOp), by (client, tid).
struct Request {
  uint64_t conn = 0;
  uint64_t frame = 0;
  double t = 0;
  std::string oid;
  std::vector<uint16_t> op_codes;
  uint16_t op = 0;        // first op
  uint8_t watch_op = 0;   // first op's watch sub-op (op == WATCH)
  uint64_t cookie = 0;    // watch cookie / notify cookie
  bool replied = false;
  uint64_t reply_frame = 0;
  int32_t result = 0;
  uint32_t replies_on_conn = 0;
  std::vector<uint64_t> resent_on;  // connections it was sent on again
};

struct Watch {
  bool sent = false;           // WATCH sent
  bool registered = false;     // a WATCH / RECONNECT reply with result 0 (librados keeps
                               // LingerOp::registered through reconnects)
  bool unwatched = false;      // UNWATCH sent
  uint64_t unwatch_frame = 0;
  uint32_t gen = 0;            // gen of the latest registration sent
  uint32_t timeout = 30;
  uint64_t reg_conn = 0;       // connection of the latest registration sent
  uint32_t reg_epoch = 0;      // its osdmap epoch
  bool reg_answered = false;   // its reply has arrived
  uint64_t last_ping_conn = 0;
  double last_ping_t = -1;
  std::vector<uint64_t> disconnect_frames;
  uint64_t last_register_frame = 0;
};

struct NotifyReq {   // a NOTIFY op (librados may reuse a cookie for a later notify)
  std::string client;
  uint64_t cookie = 0;
  uint64_t tid = 0, frame = 0, conn = 0;
  std::string payload;
  bool replied = false;
  int32_t result = 0;
  uint64_t reply_frame = 0;
  std::optional<uint64_t> notify_id;
};

struct Completion {
  std::string client;
  uint64_t cookie = 0, notify_id = 0, frame = 0, conn = 0;
  int32_t rc = 0;
  // Owned copies: the message's bytes are gone by the time the capture ends.
  std::map<std::pair<uint64_t, uint64_t>, std::string> acks;
  std::vector<std::pair<uint64_t, uint64_t>> timeouts;
};

struct Delivery {  // an MWatchNotify NOTIFY to a watcher
  std::string client;
  uint64_t cookie = 0, notify_id = 0, frame = 0, conn = 0, notifier_gid = 0;
  bool has_gid = false;
  std::string payload;
};

struct Ack {
  uint64_t gid = 0, cookie = 0, frame = 0, conn = 0;
  std::string payload;
};

struct ListReply {
  std::string client;
  uint64_t frame = 0, conn = 0;
  std::vector<std::pair<int64_t, uint64_t>> watchers;  // (client num, cookie)
};

struct Conn {
  std::string client_ep, server_ep;
  std::string client;  // entity name of the client, once a message shows it
  codec::Msgr msgr = codec::Msgr::kUnknown;
  bool closed = false;
  uint64_t close_frame = 0;
  std::optional<uint64_t> last_seq[2];
  uint64_t last_reply_frame = 0;
};

}  // namespace

struct Checker::State {
  std::map<std::string, Tally> tally;
  std::map<uint64_t, Conn> conns;
  std::map<std::pair<std::string, uint64_t>, Request> requests;
  std::map<std::pair<std::string, uint64_t>, Watch> watches;
  std::vector<NotifyReq> notifies;
  std::map<std::pair<std::string, uint64_t>, size_t> notify_by_tid;     // (client, tid)
  std::map<std::pair<std::string, uint64_t>, size_t> notify_latest;     // (client, cookie)
  std::map<std::pair<std::string, uint64_t>, uint32_t> completes;       // (client, notify_id)
  std::map<std::pair<std::string, uint64_t>, std::string> unknown_acks;  // (client, tid)
  std::map<std::string, uint32_t> epochs;
  std::set<std::string> clients;  // every client seen
  std::vector<Completion> completions;
  std::vector<Delivery> deliveries;
  std::set<std::tuple<std::string, uint64_t, uint64_t>> delivered;  // (client, notify_id, cookie)
  std::map<uint64_t, std::vector<Ack>> acks;                          // by notify_id
  std::set<std::tuple<std::string, uint64_t, uint64_t>> acked;
  std::vector<ListReply> lists;

  static constexpr size_t kExamples = 4;
  Tally& applied(const char* id, uint64_t frame, uint64_t conn) {
    auto& t = tally[id];
    ++t.checked;
    if (t.examples.size() < kExamples && frame) t.examples.emplace_back(frame, conn);
    return t;
  }
  void pass(const char* id, uint64_t frame, uint64_t conn) { applied(id, frame, conn); }
  void fail(const char* id, uint64_t frame, uint64_t conn, std::string text) {
    auto& t = tally[id];
    ++t.checked;
    if (frame) t.examples.emplace_back(frame, conn);
    t.failures.push_back({frame, conn, std::move(text)});
  }
  void note(const char* id, uint64_t frame, uint64_t conn, std::string text) {
    auto& t = applied(id, frame, conn);
    t.notes.push_back({frame, conn, std::move(text)});
  }
  void nonstrict(const char* id, uint64_t frame, uint64_t conn, std::string text) {
    auto& t = tally[id];
    t.nonstrict = true;
    note(id, frame, conn, std::move(text));
  }
  void check(bool ok, const char* id, uint64_t frame, uint64_t conn, auto&& text_fn) {
    if (ok) {
      pass(id, frame, conn);
    } else {
      fail(id, frame, conn, text_fn());
    }
  }

  static int64_t gid_of(const std::string& client) {
    const auto dot = client.find('.');
    if (dot == std::string::npos) return -1;
    return std::strtoll(client.c_str() + dot + 1, nullptr, 10);
  }

  void on_mosdop(uint64_t conn, uint64_t frame, double t, const std::string& client,
                 const codec::MessageParts& p, const codec::MOSDOp& m);
  void on_reply(uint64_t conn, uint64_t frame, const std::string& client,
                const codec::MessageParts& p, const codec::MOSDOpReply& r);
  void on_watch_notify(uint64_t conn, uint64_t frame, const std::string& client,
                       const codec::MWatchNotify& n);
  void finish_rules();
};

Checker::Checker() : s_(std::make_unique<State>()) {}
Checker::~Checker() = default;

void Checker::on_open(uint64_t conn, std::string client, std::string server) {
  auto& c = s_->conns[conn];
  c.client_ep = std::move(client);
  c.server_ep = std::move(server);
}

void Checker::on_close(uint64_t conn, uint64_t frame) {
  auto& c = s_->conns[conn];
  c.closed = true;
  c.close_frame = frame;
}

void Checker::on_gap(uint64_t conn, uint64_t frame, Dir d, uint64_t offset, uint64_t length) {
  s_->note("framing/stream/gaps", frame, conn,
           fmt("%s: %" PRIu64 " bytes missing at stream offset %" PRIu64,
               std::string(codec::to_string(d)).c_str(), length, offset));
}

void Checker::on_truncated(uint64_t conn, uint64_t frame, Dir d, uint64_t pending) {
  s_->note("framing/stream/complete", frame, conn,
           fmt("%s: the capture ends inside an item (%" PRIu64 " bytes never completed)",
               std::string(codec::to_string(d)).c_str(), pending));
}

void Checker::on_stream_error(uint64_t conn, uint64_t frame, codec::Msgr msgr,
                              const codec::StreamError& e) {
  const std::string what = e.error.to_string();
  if (what.find("secure mode not supported") != std::string::npos) {
    auto& t = s_->tally["framing/v2/secure-mode"];
    t.unsupported = true;
    s_->note("framing/v2/secure-mode", frame, conn, "msgr v2 secure mode: not checked");
    return;
  }
  const bool v2 = msgr == codec::Msgr::kV2;
  const char* id = e.error.kind == codec::ErrorKind::kBadCrc
                       ? (v2 ? "framing/v2/crc" : "framing/v1/crc")
                       : (v2 ? "framing/v2/strict" : "framing/v1/strict");
  s_->fail(id, frame, conn,
           fmt("%s stream offset %" PRIu64 ": %s", std::string(codec::to_string(e.dir)).c_str(),
               e.offset, what.c_str()));
}

void Checker::on_item(uint64_t conn, uint64_t frame, double t, const codec::AnyItem& item) {
  State& s = *s_;
  Conn& c = s.conns[conn];
  c.msgr = item.msgr();
  const bool v2 = c.msgr == codec::Msgr::kV2;
  const Dir d = item.dir();
  // framing: CRCs, strictness (the item decoded), byte-exact re-encoding
  s.check(item.crc_ok(), v2 ? "framing/v2/crc" : "framing/v1/crc", frame, conn, [&] {
    return fmt("%s %s: CRC mismatch", std::string(codec::to_string(d)).c_str(),
               std::string(item.kind()).c_str());
  });
  s.pass(v2 ? "framing/v2/strict" : "framing/v1/strict", frame, conn);
  s.check(item.encode() == item.raw(), v2 ? "framing/v2/byte-exact" : "framing/v1/byte-exact",
          frame, conn, [&] {
            return fmt("%s %s re-encodes differently", std::string(codec::to_string(d)).c_str(),
                       std::string(item.kind()).c_str());
          });
  const codec::MessageParts* p = item.message();
  if (p == nullptr) return;
  // sequence numbers
  auto& last = c.last_seq[static_cast<int>(d)];
  if (last) {
    s.check(p->seq == *last + 1, v2 ? "framing/v2/seq" : "framing/v1/seq", frame, conn, [&] {
      return fmt("%s: message seq %" PRIu64 " after %" PRIu64,
                 std::string(codec::to_string(d)).c_str(), p->seq, *last);
    });
  }
  last = p->seq;
  if (d == Dir::kClientToServer && p->src.type == codec::entity_name_t::kTypeClient &&
      p->src.num >= 0 && c.client.empty()) {
    c.client = p->src.to_string();
    s.clients.insert(c.client);
  }
  // the message: strict decode, byte-exact re-encode
  const char* strict_id = "encoding/mon/strict";
  const char* exact_id = "encoding/mon/strict";
  switch (p->type) {
    case codec::MOSDOp::kType:
      strict_id = "encoding/mosdop/strict";
      exact_id = "encoding/mosdop/byte-exact";
      break;
    case codec::MOSDOpReply::kType:
      strict_id = "encoding/mosdopreply/strict";
      exact_id = "encoding/mosdopreply/byte-exact";
      break;
    case codec::MWatchNotify::kType:
      strict_id = "encoding/mwatchnotify/strict";
      exact_id = "encoding/mwatchnotify/byte-exact";
      break;
    default: break;
  }
  auto m = codec::decode_message(*p);
  if (!m) {
    s.fail(strict_id, frame, conn,
           codec::message_type_name(p->type) + ": " + m.error().to_string());
    return;
  }
  s.pass(strict_id, frame, conn);
  codec::MessageParts again = *p;
  codec::encode_message(*m, again);
  s.check(again.front == p->front && again.middle == p->middle && again.data == p->data,
          exact_id, frame, conn, [&] {
            return codec::message_type_name(p->type) + ": re-encoded segments differ";
          });
  if (const auto* op = std::get_if<codec::MOSDOp>(&*m)) {
    if (!c.client.empty()) s.on_mosdop(conn, frame, t, c.client, *p, *op);
  } else if (const auto* r = std::get_if<codec::MOSDOpReply>(&*m)) {
    if (!c.client.empty()) s.on_reply(conn, frame, c.client, *p, *r);
    c.last_reply_frame = frame;
  } else if (const auto* n = std::get_if<codec::MWatchNotify>(&*m)) {
    if (!c.client.empty()) s.on_watch_notify(conn, frame, c.client, *n);
  }
}

void Checker::State::on_mosdop(uint64_t conn, uint64_t frame, double t, const std::string& client,
                               const codec::MessageParts& p, const codec::MOSDOp& m) {
  if (m.header_version == 8) {
    pass("encoding/mosdop/v8", frame, conn);
  } else {
    nonstrict("encoding/mosdop/v8", frame, conn,
              fmt("MOSDOp header version %u (librados 16.2.15 sends 8)", m.header_version));
  }
  // epochs
  if (auto it = epochs.find(client); it != epochs.end()) {
    check(m.osdmap_epoch >= it->second, "session/epoch/monotonic", frame, conn, [&] {
      return fmt("%s tid %" PRIu64 ": osdmap epoch %u after %u", client.c_str(), p.tid,
                 m.osdmap_epoch, it->second);
    });
    it->second = std::max(it->second, m.osdmap_epoch);
  } else {
    epochs[client] = m.osdmap_epoch;
  }
  // every op's input
  for (size_t i = 0; i < m.ops.size(); ++i) {
    auto in = codec::interpret_indata(m.ops[i]);
    check(static_cast<bool>(in), "encoding/osd-op/indata", frame, conn, [&] {
      return fmt("tid %" PRIu64 " op %zu: %s", p.tid, i, in.error().to_string().c_str());
    });
  }
  // the request, by (client, tid)
  Request req;
  req.conn = conn;
  req.frame = frame;
  req.t = t;
  req.oid = m.oid;
  for (const auto& o : m.ops) req.op_codes.push_back(o.op.op);
  if (!m.ops.empty()) {
    req.op = m.ops[0].op.op;
    if (req.op == codec::osd_op::kWatch) {
      const auto w = m.ops[0].op.watch();
      req.watch_op = w.op;
      req.cookie = w.cookie;
    } else if (req.op == codec::osd_op::kNotify) {
      req.cookie = m.ops[0].op.notify().cookie;
    }
  }
  const auto key = std::make_pair(client, p.tid);
  if (auto it = requests.find(key); it != requests.end()) {
    Request& old = it->second;
    const bool same = old.oid == req.oid && old.op_codes == req.op_codes;
    check(same, "session/tid/unique", frame, conn, [&] {
      return fmt("%s reuses tid %" PRIu64 " (frame %" PRIu64 ") for a different request",
                 client.c_str(), p.tid, old.frame);
    });
    if (same) {  // a resend: same tid, same ops
      if (conn != old.conn)
        note("session/resend/after-reset", frame, conn,
             fmt("%s tid %" PRIu64 " resent on a new session", client.c_str(), p.tid));
      old.resent_on.push_back(conn);
      old.conn = conn;
      old.replies_on_conn = 0;
    }
  } else {
    pass("session/tid/unique", frame, conn);
    requests.emplace(key, req);
  }
  if (m.ops.empty()) return;
  const auto& op0 = m.ops[0];
  if (req.op == codec::osd_op::kWatch) {
    const auto w = op0.op.watch();
    Watch& wt = watches[{client, w.cookie}];
    const bool after_unwatch = wt.unwatched;
    switch (w.op) {
      case codec::watch_op::kWatch:
      case codec::watch_op::kLegacyWatch:
        check((m.flags & codec::osd_flag::kWrite) != 0, "watch/register/write-flag", frame, conn,
              [&] { return fmt("WATCH cookie %" PRIu64 " without the WRITE flag", w.cookie); });
        check(!after_unwatch, "watch/unwatch/last", frame, conn, [&] {
          return fmt("WATCH cookie %" PRIu64 " after its UNWATCH (frame %" PRIu64 ")", w.cookie,
                     wt.unwatch_frame);
        });
        wt.sent = true;
        wt.gen = w.gen;
        wt.timeout = w.timeout ? w.timeout : 30;
        wt.reg_conn = conn;
        wt.reg_epoch = m.osdmap_epoch;
        wt.reg_answered = false;
        wt.last_register_frame = frame;
        break;
      case codec::watch_op::kReconnect:
        check(!after_unwatch, "watch/unwatch/last", frame, conn, [&] {
          return fmt("RECONNECT cookie %" PRIu64 " after its UNWATCH (frame %" PRIu64 ")",
                     w.cookie, wt.unwatch_frame);
        });
        // A new session (reset, or another primary), or the same one after a map change (the
        // Objecter resends lingers whose PG mapping changed: Objecter::_scan_requests).
        // Also while the previous registration on this session is unanswered: librados 16.2.15
        // re-sends the linger from both the map change and the new session (two RECONNECTs,
        // gen 1 and 2, back to back: corpus/recordings/v1-primary-out.pcap frame 199).
        check(!wt.sent || wt.reg_conn != conn || m.osdmap_epoch > wt.reg_epoch || !wt.reg_answered,
              "watch/reconnect/after-reset", frame, conn, [&] {
                return fmt("RECONNECT cookie %" PRIu64 " on the session that holds its "
                           "registration, with no newer map (epoch %u)", w.cookie, m.osdmap_epoch);
              });
        check(!wt.sent || w.gen > wt.gen, "watch/reconnect/gen", frame, conn, [&] {
          return fmt("RECONNECT cookie %" PRIu64 " gen %u, previous gen %u", w.cookie, w.gen,
                     wt.gen);
        });
        wt.sent = true;
        wt.gen = w.gen;
        wt.reg_conn = conn;
        wt.reg_epoch = m.osdmap_epoch;
        wt.reg_answered = false;
        wt.last_register_frame = frame;
        break;
      case codec::watch_op::kPing: {
        check(!after_unwatch, "watch/unwatch/last", frame, conn, [&] {
          return fmt("PING cookie %" PRIu64 " after its UNWATCH (frame %" PRIu64 ")", w.cookie,
                     wt.unwatch_frame);
        });
        check(wt.registered, "watch/ping/registered-only", frame, conn, [&] {
          return fmt("PING cookie %" PRIu64 " for a watch the OSD has not confirmed", w.cookie);
        });
        check(w.gen == wt.gen, "watch/ping/gen", frame, conn, [&] {
          return fmt("PING cookie %" PRIu64 " gen %u, latest registration gen %u", w.cookie,
                     w.gen, wt.gen);
        });
        if (wt.last_ping_t >= 0 && wt.last_ping_conn == conn) {
          const double dt = t - wt.last_ping_t;
          if (dt < 1.0) {
            fail("watch/ping/cadence", frame, conn,
                 fmt("PING cookie %" PRIu64 " %.3f s after the previous one", w.cookie, dt));
          } else if (dt >= wt.timeout) {
            nonstrict("watch/ping/cadence", frame, conn,
                      fmt("PING cookie %" PRIu64 " %.1f s after the previous one (watch timeout "
                          "%u s)", w.cookie, dt, wt.timeout));
          } else {
            pass("watch/ping/cadence", frame, conn);
          }
        }
        wt.last_ping_t = t;
        wt.last_ping_conn = conn;
        break;
      }
      case codec::watch_op::kUnwatch:
        if (!wt.unwatched) wt.unwatch_frame = frame;
        wt.unwatched = true;
        break;
      default: break;
    }
  } else if (req.op == codec::osd_op::kNotify) {
    if (auto it = notify_by_tid.find(key); it != notify_by_tid.end()) {
      notifies[it->second].conn = conn;  // a resend
      return;
    }
    NotifyReq n;
    n.client = client;
    n.cookie = req.cookie;
    n.tid = p.tid;
    n.frame = frame;
    n.conn = conn;
    if (auto in = codec::interpret_indata(op0); in) {
      if (const auto* ni = std::get_if<codec::notify_indata_t>(&*in))
        n.payload = std::string(ni->payload.str());
    }
    notify_by_tid[key] = notifies.size();
    notify_latest[{client, req.cookie}] = notifies.size();
    notifies.push_back(std::move(n));
  } else if (req.op == codec::osd_op::kNotifyAck) {
    auto in = codec::interpret_indata(op0);
    if (!in) return;
    const auto* a = std::get_if<codec::notify_ack_indata_t>(&*in);
    if (a == nullptr) return;
    if (a->legacy) {
      const uint64_t nid = a->notify_id;
      bool found = false;
      for (const auto& [c, id, ck] : delivered) found |= c == client && id == nid;
      check(found, "notify/ack/delivered", frame, conn, [&] {
        return fmt("%s acks notify %" PRIu64 " it was never sent", client.c_str(), nid);
      });
      return;
    }
    std::optional<uint64_t> notified_cookie;  // the cookie this notify reached this client on
    for (auto it = delivered.lower_bound({client, a->notify_id, 0});
         it != delivered.end() && std::get<0>(*it) == client && std::get<1>(*it) == a->notify_id;
         ++it)
      if (!notified_cookie || std::get<2>(*it) == a->cookie) notified_cookie = std::get<2>(*it);
    if (delivered.count({client, a->notify_id, a->cookie}) > 0) {
      pass("notify/ack/delivered", frame, conn);
    } else if (notified_cookie) {
      fail("notify/ack/delivered", frame, conn,
           fmt("%s acks notify %" PRIu64 " for cookie %" PRIu64 ", but it was notified on cookie "
               "%" PRIu64, client.c_str(), a->notify_id, a->cookie, *notified_cookie));
    } else {
      // librados passes any (notify_id, cookie) the user gives it; judged when the OSD answers.
      unknown_acks[key] = fmt("%s acks notify %" PRIu64 " for cookie %" PRIu64
                              ", which it was not notified of",
                              client.c_str(), a->notify_id, a->cookie);
    }
    const auto ack_key = std::make_tuple(client, a->notify_id, a->cookie);
    check(acked.insert(ack_key).second, "notify/ack/once", frame, conn, [&] {
      return fmt("%s acks notify %" PRIu64 " cookie %" PRIu64 " a second time", client.c_str(),
                 a->notify_id, a->cookie);
    });
    acks[a->notify_id].push_back(Ack{static_cast<uint64_t>(gid_of(client)), a->cookie, frame,
                                     conn, std::string(a->reply.str())});
  }
}

void Checker::State::on_reply(uint64_t conn, uint64_t frame, const std::string& client,
                              const codec::MessageParts& p, const codec::MOSDOpReply& r) {
  auto it = requests.find({client, p.tid});
  if (it == requests.end() || it->second.conn != conn) {
    fail("session/reply/matches-request", frame, conn,
         fmt("reply tid %" PRIu64 " to %s matches no request on this connection", p.tid,
             client.c_str()));
    return;
  }
  pass("session/reply/matches-request", frame, conn);
  Request& req = it->second;
  ++req.replies_on_conn;
  check(req.replies_on_conn == 1, "session/reply/once", frame, conn, [&] {
    return fmt("tid %" PRIu64 " answered %u times", p.tid, req.replies_on_conn);
  });
  req.replied = true;
  req.reply_frame = frame;
  req.result = r.result;
  // every op's output
  if (r.result >= 0) {
    for (size_t i = 0; i < r.ops.size(); ++i) {
      if (r.ops[i].rval < 0) continue;
      auto out = codec::interpret_outdata(r.ops[i]);
      check(static_cast<bool>(out), "encoding/osd-op/outdata", frame, conn, [&] {
        return fmt("tid %" PRIu64 " op %zu: %s", p.tid, i, out.error().to_string().c_str());
      });
    }
  }
  if (req.op == codec::osd_op::kWatch) {
    Watch& wt = watches[{client, req.cookie}];
    if ((req.watch_op == codec::watch_op::kWatch || req.watch_op == codec::watch_op::kLegacyWatch ||
         req.watch_op == codec::watch_op::kReconnect)) {
      pass("watch/register/reply", frame, conn);
      if (r.result == 0) wt.registered = true;
      if (wt.reg_conn == conn) wt.reg_answered = true;
    } else if (req.watch_op == codec::watch_op::kUnwatch) {
      pass("watch/unwatch/reply", frame, conn);
      wt.registered = false;
    }
  } else if (req.op == codec::osd_op::kNotifyAck) {
    if (auto u = unknown_acks.find({client, p.tid}); u != unknown_acks.end()) {
      // The OSD ignores an ack for a notify or watcher it does not know (Watch::notify_ack
      // finds nothing; the op succeeds), and librados passes on whatever the user acks: allowed,
      // but not what a client that acks its callbacks does.
      nonstrict("notify/ack/delivered", frame, conn,
                u->second + fmt(" (the OSD answered %d)", r.result));
      unknown_acks.erase(u);
    }
  } else if (req.op == codec::osd_op::kNotify) {
    pass("notify/op/reply", frame, conn);
    auto nt = notify_by_tid.find({client, p.tid});
    if (nt == notify_by_tid.end()) return;
    NotifyReq& n = notifies[nt->second];
    n.replied = true;
    n.result = r.result;
    n.reply_frame = frame;
    if (r.result == 0 && !r.ops.empty()) {
      if (auto out = codec::interpret_outdata(r.ops[0]); out) {
        if (const auto* no = std::get_if<codec::notify_outdata_t>(&*out)) n.notify_id = no->notify_id;
      }
    }
  } else if (req.op == codec::osd_op::kListWatchers && r.result == 0 && !r.ops.empty()) {
    auto out = codec::interpret_outdata(r.ops[0]);
    const auto* lw = out ? std::get_if<codec::obj_list_watch_response_t>(&*out) : nullptr;
    check(lw != nullptr, "list-watchers/reply/decodes", frame, conn, [&] {
      return fmt("tid %" PRIu64 ": %s", p.tid,
                 out ? "no obj_list_watch_response_t" : out.error().to_string().c_str());
    });
    if (lw) {
      ListReply l{client, frame, conn, {}};
      for (const auto& e : lw->entries) l.watchers.emplace_back(e.name.num, e.cookie);
      lists.push_back(std::move(l));
    }
  }
}

void Checker::State::on_watch_notify(uint64_t conn, uint64_t frame, const std::string& client,
                                     const codec::MWatchNotify& n) {
  using namespace codec::watch_event;
  if (n.opcode == kNotify || n.opcode == kDisconnect) {
    auto it = watches.find({client, n.cookie});
    check(it != watches.end() && it->second.sent, "watch/events/registered-only", frame, conn, [&] {
      return fmt("%s event for cookie %" PRIu64 ", which %s never registered",
                 n.opcode == kNotify ? "NOTIFY" : "DISCONNECT", n.cookie, client.c_str());
    });
    if (it != watches.end() && it->second.unwatched) {
      note("watch/events/after-unwatch", frame, conn,
           fmt("%s event for cookie %" PRIu64 " after its UNWATCH (frame %" PRIu64
               "): the client must drop it",
               n.opcode == kNotify ? "NOTIFY" : "DISCONNECT", n.cookie, it->second.unwatch_frame));
    }
    if (n.opcode == kNotify) {
      delivered.insert({client, n.notify_id, n.cookie});
      deliveries.push_back(Delivery{client, n.cookie, n.notify_id, frame, conn, n.notifier_gid,
                                    n.header_version >= 3, std::string(n.bl.str())});
    } else if (it != watches.end()) {
      it->second.disconnect_frames.push_back(frame);
    }
    return;
  }
  if (n.opcode == kNotifyComplete) {
    const uint32_t times = ++completes[{client, n.notify_id}];
    check(times == 1, "notify/complete/exactly-once", frame, conn, [&] {
      return fmt("notify %" PRIu64 " (cookie %" PRIu64 ") completed %u times", n.notify_id,
                 n.cookie, times);
    });
    if (auto l = notify_latest.find({client, n.cookie}); l != notify_latest.end()) {
      NotifyReq& req = notifies[l->second];
      if (!req.notify_id && !req.replied) req.notify_id = n.notify_id;
      if (!req.replied)
        note("notify/complete/before-op-reply", frame, conn,
             fmt("NOTIFY_COMPLETE of notify %" PRIu64 " before the notify op's reply (tid %" PRIu64
                 ")", n.notify_id, req.tid));
    }
    Completion c{client, n.cookie, n.notify_id, frame, conn, n.return_code, {}, {}};
    if (n.completion) {
      for (const auto& [k, v] : n.completion->acks) c.acks.emplace(k, std::string(v.str()));
      c.timeouts = n.completion->timeouts;
    }
    const bool timed_out = !c.timeouts.empty();
    check(timed_out ? n.return_code == kETimedOut : n.return_code == 0,
          "notify/complete/return-code", frame, conn, [&] {
            return fmt("notify %" PRIu64 ": return code %d with %zu timed-out watchers",
                       n.notify_id, n.return_code, c.timeouts.size());
          });
    completions.push_back(std::move(c));
  }
}

void Checker::State::finish_rules() {
  // Requests never answered: a failure only when the OSD answered later requests on the same
  // connection (a reply lost on a live session), a note when the session ended first.
  for (const auto& [key, req] : requests) {
    if (req.replied) continue;
    const char* id = nullptr;
    if (req.op == codec::osd_op::kWatch) {
      if (req.watch_op == codec::watch_op::kWatch || req.watch_op == codec::watch_op::kLegacyWatch ||
          req.watch_op == codec::watch_op::kReconnect)
        id = "watch/register/reply";
      else if (req.watch_op == codec::watch_op::kUnwatch)
        id = "watch/unwatch/reply";
    } else if (req.op == codec::osd_op::kNotify) {
      id = "notify/op/reply";
    }
    const Conn& c = conns[req.conn];
    if (c.last_reply_frame > req.frame) {
      if (id)
        fail(id, req.frame, req.conn,
             fmt("%s tid %" PRIu64 " never answered although later requests were",
                 key.first.c_str(), key.second));
    } else {
      note("session/resend/after-reset", req.frame, req.conn,
           fmt("%s tid %" PRIu64 " had no reply when its session %s", key.first.c_str(),
               key.second, c.closed ? "closed" : "ended with the capture"));
    }
  }
  for (const auto& [key, text] : unknown_acks)
    nonstrict("notify/ack/delivered", requests[key].frame, requests[key].conn, text + " (no reply)");
  // Each accepted notify: exactly one completion (when its session lasted).
  for (const auto& n : notifies) {
    if (!n.replied || n.result != 0 || !n.notify_id) continue;
    if (completes[{n.client, *n.notify_id}] > 0) continue;
    const Conn& c = conns[n.conn];
    if (c.closed) {
      note("notify/complete/exactly-once", n.frame, n.conn,
           fmt("notify tid %" PRIu64 ": the session closed before a completion", n.tid));
    } else {
      fail("notify/complete/exactly-once", n.reply_frame, n.conn,
           fmt("notify tid %" PRIu64 " (cookie %" PRIu64 ") accepted but never completed", n.tid,
               n.cookie));
    }
  }
  auto client_seen = [&](uint64_t gid) { return clients.count("client." + std::to_string(gid)) > 0; };
  // Completions against the acks the watchers sent.
  for (const auto& c : completions) {
    const auto& sent = acks[c.notify_id];
    for (const auto& [k, payload] : c.acks) {
      const auto [gid, cookie] = k;
      const Ack* a = nullptr;
      for (const auto& x : sent)
        if (x.gid == gid && x.cookie == cookie) a = &x;
      if (a) {
        check(a->payload == payload, "notify/complete/acks-match", c.frame, c.conn, [&] {
          return fmt("notify %" PRIu64 ": ack of client.%" PRIu64 " cookie %" PRIu64
                     " listed with a payload other than the one it sent (frame %" PRIu64 ")",
                     c.notify_id, gid, cookie, a->frame);
        });
      } else if (client_seen(gid)) {
        fail("notify/complete/acks-match", c.frame, c.conn,
             fmt("notify %" PRIu64 ": lists an ack of client.%" PRIu64 " cookie %" PRIu64
                 " that was never sent",
                 c.notify_id, gid, cookie));
      } else {
        note("notify/complete/acks-match", c.frame, c.conn,
             fmt("notify %" PRIu64 ": ack of client.%" PRIu64 " (not in the capture)", c.notify_id,
                 gid));
      }
    }
    for (const auto& a : sent) {
      if (a.frame > c.frame) continue;
      // An ack after the watcher's UNWATCH: the OSD dropped that watcher from the notify when
      // the watch went (Watch::remove -> Notify::complete_watcher_remove) and ignores the ack.
      if (auto w = watches.find({"client." + std::to_string(a.gid), a.cookie});
          w != watches.end() && w->second.unwatched && w->second.unwatch_frame < a.frame) {
        note("notify/complete/acks-match", a.frame, a.conn,
             fmt("notify %" PRIu64 ": client.%" PRIu64 " acked after its UNWATCH (frame %" PRIu64
                 "); the OSD ignores that ack", c.notify_id, a.gid, w->second.unwatch_frame));
        continue;
      }
      const bool listed = c.acks.count({a.gid, a.cookie}) > 0;
      const bool timed_out = std::find(c.timeouts.begin(), c.timeouts.end(),
                                       std::make_pair(a.gid, a.cookie)) != c.timeouts.end();
      if (timed_out) {
        fail("notify/complete/timeouts-unacked", c.frame, c.conn,
             fmt("notify %" PRIu64 ": client.%" PRIu64 " cookie %" PRIu64
                 " listed as timed out but acked at frame %" PRIu64,
                 c.notify_id, a.gid, a.cookie, a.frame));
      } else {
        check(listed, "notify/complete/acks-match", c.frame, c.conn, [&] {
          return fmt("notify %" PRIu64 ": the ack of client.%" PRIu64 " cookie %" PRIu64
                     " (frame %" PRIu64 ") is missing from the completion",
                     c.notify_id, a.gid, a.cookie, a.frame);
        });
      }
    }
    for (const auto& [gid, cookie] : c.timeouts) {
      bool acked_before = false;
      for (const auto& a : sent) acked_before |= a.gid == gid && a.cookie == cookie && a.frame < c.frame;
      if (!acked_before) pass("notify/complete/timeouts-unacked", c.frame, c.conn);
    }
  }
  // Deliveries: the notifier's payload and gid.
  for (const auto& d : deliveries) {
    const NotifyReq* src = nullptr;
    std::string notifier;
    for (const auto& n : notifies)
      if (n.notify_id && *n.notify_id == d.notify_id) src = &n, notifier = n.client;
    if (src == nullptr) continue;  // the notifier is not in the capture
    check(src->payload == d.payload, "notify/deliver/payload", d.frame, d.conn, [&] {
      return fmt("notify %" PRIu64 " reached %s cookie %" PRIu64 " with a different payload",
                 d.notify_id, d.client.c_str(), d.cookie);
    });
    if (d.has_gid)
      check(static_cast<int64_t>(d.notifier_gid) == gid_of(notifier), "notify/deliver/payload",
            d.frame, d.conn, [&] {
              return fmt("notify %" PRIu64 " names notifier gid %" PRIu64 ", sent by %s",
                         d.notify_id, d.notifier_gid, notifier.c_str());
            });
  }
  // Disconnects: did the client register again or unwatch?
  for (const auto& [key, w] : watches) {
    for (uint64_t f : w.disconnect_frames) {
      const bool again = w.last_register_frame > f || (w.unwatched && w.unwatch_frame > f);
      note("watch/error/disconnect", f, 0,
           fmt("%s cookie %" PRIu64 ": DISCONNECT; %s", key.first.c_str(), key.second,
               again ? "the client registered again or unwatched" : "nothing followed"));
    }
  }
  // list_watchers: every listed watcher was registered by a client in the capture.
  for (const auto& l : lists) {
    for (const auto& [num, cookie] : l.watchers) {
      const std::string who = "client." + std::to_string(num);
      if (clients.count(who) == 0) {
        note("list-watchers/reply/known-watchers", l.frame, l.conn,
             fmt("%s cookie %" PRIu64 " (a client not in the capture)", who.c_str(), cookie));
        continue;
      }
      auto it = watches.find({who, cookie});
      check(it != watches.end() && it->second.sent, "list-watchers/reply/known-watchers", l.frame,
            l.conn, [&] {
              return fmt("lists %s cookie %" PRIu64 ", which that client never registered",
                         who.c_str(), cookie);
            });
    }
  }
}

std::vector<CaseResult> Checker::finish() {
  s_->finish_rules();
  std::vector<CaseResult> out;
  for (const auto& info : catalog()) {
    if (!(info.modes & mode::kCheck)) continue;
    CaseResult r;
    r.info = &info;
    auto it = s_->tally.find(std::string(info.id));
    if (it != s_->tally.end()) {
      Tally& t = it->second;
      r.checked = t.checked;
      r.examples = std::move(t.examples);
      r.failures = std::move(t.failures);
      r.notes = std::move(t.notes);
      if (t.unsupported) {
        r.verdict = Verdict::kUnsupported;
      } else if (!r.failures.empty()) {
        r.verdict = Verdict::kFail;
      } else if (t.nonstrict) {
        r.verdict = Verdict::kNonStrict;
      } else if (info.informational) {
        r.verdict = r.checked ? Verdict::kInformational : Verdict::kNotExercised;
      } else {
        r.verdict = r.checked ? Verdict::kPass : Verdict::kNotExercised;
      }
    } else {
      r.verdict = Verdict::kNotExercised;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace cephwire::conformance
