#include "conformance/live_mode.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include "client/watch_client.h"
#include "client/wire.h"
#include "codec/messages/MOSDOp.h"
#include "codec/messages/registry.h"
#include "net/interceptor.h"
#include "net/rados_client.h"

namespace cephwire::conformance {

namespace {

namespace asio = boost::asio;
namespace osd_op = client::osd_op;
using Clock = std::chrono::steady_clock;
using codec::Bytes;

double secs_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// What the client delivered, copied (event payloads may view message buffers).
struct Ev {
  Clock::time_point t;
  enum Kind { kRegistered, kNotify, kError, kReconnected, kUnwatched, kNotifyDone, kOpDone };
  Kind kind = kRegistered;
  uint64_t cookie = 0, handle = 0, notify_id = 0, notifier_gid = 0;
  int32_t result = 0;
  std::string payload;
  std::vector<std::tuple<uint64_t, uint64_t, std::string>> acks;  // gid, cookie, payload
  std::vector<std::pair<uint64_t, uint64_t>> timeouts;            // gid, cookie
  std::vector<client::WatcherEntry> watchers;
  std::string list_error;  // list_watchers output that does not decode
};

struct CaseOut {
  uint64_t checked = 0;
  std::vector<std::string> failures;
  std::set<size_t> scenarios;
};

struct Scenario {
  std::string name;
  Clock::time_point start;
  double seconds = 0;
  std::vector<std::string> wire;
};

class Live {
 public:
  explicit Live(const LiveOptions& o) : o_(o) {
    prefix_ = o.object_prefix.empty()
                  ? "cephwire-conformance-" + std::to_string(::getpid()) + "-"
                  : o.object_prefix;
  }

  std::optional<InputRun> run(std::string* error);

 private:
  // ---- plumbing ----
  bool wait_until(const std::function<bool()>& pred, double secs) {
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(secs));
    while (!pred()) {
      if (Clock::now() >= deadline) return false;
      if (io_.stopped()) io_.restart();
      if (io_.run_one_for(std::chrono::milliseconds(50)) == 0 && io_.stopped())
        ::usleep(10000);
    }
    return true;
  }
  void pump(double secs) { wait_until([] { return false; }, secs); }

  void line(std::string text) {
    if (cur_ < 0) return;
    char t[32];
    std::snprintf(t, sizeof t, "+%.3fs ", secs_between(scen_[cur_].start, Clock::now()));
    scen_[cur_].wire.push_back(t + std::move(text));
  }

  void on_message(int32_t osd, bool sent, const codec::MessageParts& p) {
    const std::string me = "client." + std::to_string(gid_);
    const std::string peer = "osd." + std::to_string(osd);
    std::string l = (sent ? me : peer) + " -> " + (sent ? peer : me) + " " +
                    codec::message_type_name(p.type) + " tid=" + std::to_string(p.tid);
    if (auto m = codec::decode_message(p)) {
      const auto s = codec::summarize(*m);
      if (!s.text.empty()) l += " " + s.text;
      if (auto* op = std::get_if<codec::MOSDOp>(&*m); op && sent && !op->ops.empty() &&
                                                       op->ops[0].op.op == osd_op::kWatch) {
        const auto w = op->ops[0].op.watch();
        if (w.op == osd_op::kWatchPing) pings_.emplace_back(Clock::now(), w.cookie);
        if (w.op == osd_op::kWatchReconnect) reconnects_.emplace_back(Clock::now(), w.cookie);
      }
    }
    line(std::move(l));
  }

  void on_event(const client::Event& e) {
    Ev x;
    x.t = Clock::now();
    if (auto* r = std::get_if<client::ev::WatchRegistered>(&e)) {
      x.kind = Ev::kRegistered, x.cookie = r->cookie, x.result = r->result;
    } else if (auto* n = std::get_if<client::ev::WatchNotify>(&e)) {
      x.kind = Ev::kNotify, x.cookie = n->cookie, x.notify_id = n->notify_id;
      x.notifier_gid = n->notifier_gid;
      x.payload = std::string(n->payload.str());
      // The watch's callback: ack with its payload, unless it is a silent watch.
      if (auto a = ack_.find(n->cookie); a != ack_.end()) {
        auto o = obj_of_.find(n->cookie);
        if (o != obj_of_.end())
          cl_->notify_ack(o->second, n->notify_id, n->cookie, Bytes::from_string(a->second));
      }
    } else if (auto* w = std::get_if<client::ev::WatchError>(&e)) {
      x.kind = Ev::kError, x.cookie = w->cookie, x.result = w->error;
    } else if (auto* rc = std::get_if<client::ev::WatchReconnected>(&e)) {
      x.kind = Ev::kReconnected, x.cookie = rc->cookie;
    } else if (auto* u = std::get_if<client::ev::Unwatched>(&e)) {
      x.kind = Ev::kUnwatched, x.cookie = u->cookie, x.result = u->result;
    } else if (auto* d = std::get_if<client::ev::NotifyDone>(&e)) {
      x.kind = Ev::kNotifyDone, x.handle = d->handle, x.result = d->result;
      x.notify_id = d->notify_id;
      for (const auto& a : d->acks) x.acks.emplace_back(a.gid, a.cookie, std::string(a.payload.str()));
      for (const auto& t : d->timeouts) x.timeouts.emplace_back(t.gid, t.cookie);
    } else if (auto* op = std::get_if<client::ev::OpDone>(&e)) {
      x.kind = Ev::kOpDone, x.handle = op->handle, x.result = op->result;
      x.watchers = op->watchers;
      if (op->op == osd_op::kListWatchers && op->result == 0 && x.watchers.empty()) {
        // The core hands list_watchers' output over raw (obj_list_watch_response_t).
        if (auto w = client::wire::watchers_from(op->data)) x.watchers = std::move(*w);
        else x.list_error = w.error().to_string();
      }
    } else {
      return;
    }
    line("event " + client::event_name(e) + describe(x));
    events_.push_back(std::move(x));
  }

  static std::string describe(const Ev& x) {
    std::string s;
    if (x.cookie) s += " cookie=" + std::to_string(x.cookie);
    if (x.handle) s += " handle=" + std::to_string(x.handle);
    if (x.notify_id) s += " notify_id=" + std::to_string(x.notify_id);
    if (x.kind != Ev::kNotify) s += " result=" + std::to_string(x.result);
    if (x.kind == Ev::kNotify) s += " payload=" + quote(x.payload);
    for (const auto& [g, c, p] : x.acks)
      s += " ack(client." + std::to_string(g) + " cookie=" + std::to_string(c) + " " + quote(p) + ")";
    for (const auto& [g, c] : x.timeouts)
      s += " timeout(client." + std::to_string(g) + " cookie=" + std::to_string(c) + ")";
    for (const auto& w : x.watchers)
      s += " watcher(" + w.name + " cookie=" + std::to_string(w.cookie) + ")";
    if (!x.list_error.empty()) s += " (watchers do not decode: " + x.list_error + ")";
    return s;
  }

  const Ev* find(Ev::Kind k, uint64_t cookie, uint64_t handle = 0, size_t from = 0) const {
    for (size_t i = from; i < events_.size(); ++i) {
      const Ev& e = events_[i];
      if (e.kind == k && (cookie == 0 || e.cookie == cookie) && (handle == 0 || e.handle == handle))
        return &e;
    }
    return nullptr;
  }
  size_t count(Ev::Kind k, uint64_t cookie, uint64_t handle = 0, size_t from = 0) const {
    size_t n = 0;
    for (size_t i = from; i < events_.size(); ++i) {
      const Ev& e = events_[i];
      n += e.kind == k && (cookie == 0 || e.cookie == cookie) && (handle == 0 || e.handle == handle);
    }
    return n;
  }
  const Ev* wait_for(Ev::Kind k, uint64_t cookie, uint64_t handle = 0, size_t from = 0) {
    const Ev* found = nullptr;
    wait_until([&] { return (found = find(k, cookie, handle, from)) != nullptr; },
               o_.step_timeout_s);
    return found;
  }

  // ---- cases ----
  void check(std::string_view id, bool ok, const std::string& what) {
    CaseOut& c = cases_[std::string(id)];
    ++c.checked;
    if (cur_ >= 0) c.scenarios.insert(static_cast<size_t>(cur_));
    if (!ok) {
      c.failures.push_back((cur_ >= 0 ? "[" + scen_[cur_].name + "] " : std::string()) + what);
      line("FAILED " + std::string(id) + ": " + what);
    }
  }

  void begin(std::string name) {
    scen_.push_back({std::move(name), Clock::now(), 0, {}});
    cur_ = static_cast<int>(scen_.size()) - 1;
    if (o_.progress) o_.progress("live: " + scen_[cur_].name);
  }
  void end() {
    scen_[cur_].seconds = secs_between(scen_[cur_].start, Clock::now());
    cur_ = -1;
  }

  client::ObjectId object(const std::string& suffix) {
    client::ObjectId o;
    o.pool = pool_;
    o.name = prefix_ + suffix;
    return o;
  }
  bool write(const client::ObjectId& obj, std::string_view id) {
    const uint64_t h = cl_->write_full(obj, Bytes::from_string("cephwire conformance"));
    const Ev* e = wait_for(Ev::kOpDone, 0, h);
    const bool ok = e && e->result == 0;
    if (!ok)
      check(id, false, "write_full " + obj.name + ": " + (e ? std::to_string(e->result) : "no reply"));
    return ok;
  }
  // watch -> cookie (0 when it did not register; the failure is recorded against `id`).
  uint64_t watch(const client::ObjectId& obj, std::string_view id, const char* ack) {
    const uint64_t c = cl_->watch(obj, 0);
    obj_of_[c] = obj;
    if (ack) ack_[c] = ack;
    const Ev* r = wait_for(Ev::kRegistered, c);
    check(id, r && r->result == 0,
          "watch " + obj.name + " cookie " + std::to_string(c) + ": " +
              (r ? "registration result " + std::to_string(r->result) : "no registration"));
    return r && r->result == 0 ? c : 0;
  }
  void unwatch(uint64_t c) {
    if (!c) return;
    if (cl_->unwatch(c) == 0) wait_for(Ev::kUnwatched, c);
  }
  const Ev* notify(const client::ObjectId& obj, const std::string& payload, uint32_t timeout_ms,
                   uint64_t* handle = nullptr) {
    const uint64_t h = cl_->notify(obj, Bytes::from_string(payload), timeout_ms);
    if (handle) *handle = h;
    const Ev* d = nullptr;
    wait_until([&] { return (d = find(Ev::kNotifyDone, 0, h)) != nullptr; },
               o_.step_timeout_s + timeout_ms / 1000.0);
    return d;
  }
  const Ev* list(const client::ObjectId& obj) {
    const uint64_t h = cl_->list_watchers(obj);
    return wait_for(Ev::kOpDone, 0, h);
  }
  static bool lists(const Ev* l, const std::string& name, uint64_t cookie) {
    if (!l) return false;
    for (const auto& w : l->watchers)
      if (w.name == name && w.cookie == cookie) return true;
    return false;
  }

  void self_notify();
  void silent();
  void unwatch_then_notify();
  void pings();
  void reset();

  const LiveOptions& o_;
  std::string prefix_;
  asio::io_context io_;
  net::Interceptor interceptor_;
  std::unique_ptr<net::RadosClient> cl_;
  uint64_t gid_ = 0;
  int64_t pool_ = 0;
  std::vector<Ev> events_;
  std::map<uint64_t, std::string> ack_;            // cookie -> ack payload (absent: silent)
  std::map<uint64_t, client::ObjectId> obj_of_;    // cookie -> object
  std::vector<std::pair<Clock::time_point, uint64_t>> pings_, reconnects_;
  std::vector<Clock::time_point> resets_;
  std::map<std::string, CaseOut, std::less<>> cases_;
  std::vector<Scenario> scen_;
  int cur_ = -1;
};

void Live::self_notify() {
  begin("self-notify: watch, notify from the same client, ack, list_watchers");
  const auto obj = object("self");
  const std::string me = "client." + std::to_string(gid_);
  if (write(obj, "watch/register/commit")) {
    const uint64_t c = watch(obj, "watch/register/commit", "pong from the watch");
    const size_t from = events_.size();
    uint64_t h = 0;
    const std::string payload = "hello from cephwire";
    const Ev* d = notify(obj, payload, 10000, &h);
    const Ev* n = find(Ev::kNotify, c, 0, from);
    check("watch/register/commit", c && n, "the registered watch did not receive its own notify");
    check("notify/deliver/payload", n && n->payload == payload,
          "the watch got payload " + (n ? quote(n->payload) : "(no notify)") + ", sent " + quote(payload));
    check("notify/deliver/payload", n && n->notifier_gid == gid_,
          "notifier_gid " + (n ? std::to_string(n->notifier_gid) : "-") + ", expected " + std::to_string(gid_));
    check("notify/complete/return-code", d && d->result == 0 && d->timeouts.empty(),
          d ? "every watcher acked but the notify completed with " + std::to_string(d->result)
            : "the notify did not complete");
    const bool acked = d && d->acks.size() == 1 &&
                       d->acks[0] == std::make_tuple(gid_, c, std::string("pong from the watch"));
    check("notify/ack/payload", acked,
          d ? "acks in the completion: " + describe(*d) + ", expected ack(" + me + " cookie=" +
                  std::to_string(c) + " \"pong from the watch\")"
            : "the notify did not complete");
    pump(1.5);  // a second completion or delivery would show now
    check("notify/complete/exactly-once", count(Ev::kNotifyDone, 0, h) == 1,
          std::to_string(count(Ev::kNotifyDone, 0, h)) + " completions of notify handle " + std::to_string(h));
    check("notify/complete/exactly-once", n && count(Ev::kNotify, c, 0, from) == 1,
          std::to_string(count(Ev::kNotify, c, 0, from)) + " deliveries of the notify to cookie " + std::to_string(c));
    const Ev* l = list(obj);
    check("list-watchers/reply/known-watchers", l && l->result == 0 && lists(l, me, c),
          l ? "list_watchers" + describe(*l) + " does not show " + me + " cookie " + std::to_string(c)
            : "list_watchers did not complete");
    unwatch(c);
  }
  end();
}

void Live::silent() {
  begin("silent watcher: two watches, one never acks, notify timeout 3 s");
  const auto obj = object("silent");
  if (write(obj, "notify/complete/timeouts-unacked")) {
    const uint64_t c1 = watch(obj, "notify/complete/timeouts-unacked", "b1");
    const uint64_t c2 = watch(obj, "notify/complete/timeouts-unacked", nullptr);
    const size_t from = events_.size();
    const auto t0 = Clock::now();
    const Ev* d = notify(obj, "anyone?", 3000);
    const double took = d ? secs_between(t0, d->t) : 0;
    check("notify/complete/timeouts-unacked",
          d && d->timeouts == std::vector<std::pair<uint64_t, uint64_t>>{{gid_, c2}},
          d ? "timeouts" + describe(*d) + ": expected only the silent cookie " + std::to_string(c2)
            : "the notify did not complete");
    check("notify/complete/timeouts-unacked",
          d && d->acks.size() == 1 && std::get<1>(d->acks[0]) == c1 && std::get<2>(d->acks[0]) == "b1",
          d ? "acks" + describe(*d) + ": expected the ack of cookie " + std::to_string(c1) : "no completion");
    check("notify/complete/timeouts-unacked", d && took >= 2.5 && took < 15,
          "completed " + std::to_string(took) + " s after the notify (timeout 3 s)");
    check("notify/complete/return-code", d && d->result == -client::kETIMEDOUT,
          d ? "a watcher timed out and the notify completed with " + std::to_string(d->result) +
                  ", expected -110"
            : "the notify did not complete");
    check("notify/deliver/payload", find(Ev::kNotify, c2, 0, from) && find(Ev::kNotify, c1, 0, from),
          "both watches should receive the notify");
    unwatch(c1);
    unwatch(c2);
  }
  end();
}

void Live::unwatch_then_notify() {
  begin("unwatch: watch, unwatch, then notify");
  const auto obj = object("unwatch");
  const std::string me = "client." + std::to_string(gid_);
  if (write(obj, "watch/unwatch/no-events")) {
    const uint64_t c = watch(obj, "watch/unwatch/no-events", "should not ack");
    if (c) {
      const int rc = cl_->unwatch(c);
      const Ev* u = wait_for(Ev::kUnwatched, c);
      check("watch/unwatch/no-events", rc == 0 && u && u->result == 0,
            "unwatch rc " + std::to_string(rc) + ", completion " +
                (u ? std::to_string(u->result) : std::string("none")));
      const size_t from = events_.size();
      const Ev* d = notify(obj, "anyone left?", 3000);
      pump(0.5);
      check("watch/unwatch/no-events", !find(Ev::kNotify, c, 0, from),
            "the unwatched cookie " + std::to_string(c) + " received a notify");
      check("watch/unwatch/no-events", d && d->result == 0 && d->acks.empty() && d->timeouts.empty(),
            d ? "completion" + describe(*d) + ": expected result 0, no acks, no timeouts"
              : "the notify did not complete");
      const Ev* l = list(obj);
      check("watch/unwatch/no-events", l && l->result == 0 && !lists(l, me, c),
            l ? "list_watchers" + describe(*l) + " still shows cookie " + std::to_string(c)
              : "list_watchers did not complete");
    }
  }
  end();
}

void Live::pings() {
  begin("pings: a watch kept for two objecter ticks");
  const auto obj = object("pings");
  const double tick = std::chrono::duration<double>(client::ClientConfig{}.tick_interval).count();
  if (write(obj, "watch/ping/cadence")) {
    const uint64_t c = watch(obj, "watch/ping/cadence", "p");
    if (c) {
      const auto t_reg = Clock::now();
      const size_t first = pings_.size();
      auto mine = [&] {
        std::vector<Clock::time_point> v;
        for (size_t i = first; i < pings_.size(); ++i)
          if (pings_[i].second == c) v.push_back(pings_[i].first);
        return v;
      };
      wait_until([&] { return mine().size() >= 3; }, 3 * tick + 5);
      const auto p = mine();
      check("watch/ping/cadence", p.size() >= 3,
            std::to_string(p.size()) + " pings in " + std::to_string(3 * tick + 5) + " s");
      if (!p.empty())
        check("watch/ping/cadence", secs_between(t_reg, p[0]) <= tick + 1,
              "first ping " + std::to_string(secs_between(t_reg, p[0])) +
                  " s after the registration (tick " + std::to_string(tick) + " s)");
      for (size_t i = 1; i < p.size(); ++i) {
        const double gap = secs_between(p[i - 1], p[i]);
        check("watch/ping/cadence", gap >= 1.0 && gap >= tick - 1 && gap <= tick + 1 && gap < 30,
              "pings " + std::to_string(gap) + " s apart (objecter tick " + std::to_string(tick) +
                  " s, watch timeout 30 s)");
      }
      check("watch/ping/cadence", !find(Ev::kError, c), "the watch reported an error");
      unwatch(c);
    }
  }
  end();
}

void Live::reset() {
  begin("reset: the OSD session closed at a ping (fault layer), then a notify");
  const auto obj = object("reset");
  const std::string id = "watch/reconnect/after-reset";
  if (write(obj, id)) {
    const uint64_t c = watch(obj, id, "after the reset");
    if (c) {
      auto rule = net::FaultRule::parse("out:close:peer=osd:type=osd_op:op=watch:watch_op=ping");
      if (!rule) {
        check(id, false, "fault rule: " + rule.error().to_string());
      } else {
        const size_t resets0 = resets_.size(), from = events_.size();
        const size_t idx = interceptor_.add(*rule);
        const bool reset = wait_until([&] { return resets_.size() > resets0; }, 20);
        interceptor_.set_enabled(idx, false);
        check(id, reset, "the fault layer did not reset the OSD session within 20 s");
        if (reset) {
          const auto t_reset = resets_[resets0];
          const Ev* r = wait_for(Ev::kReconnected, c, 0, from);
          check(id, r != nullptr, "no reconnect completion for cookie " + std::to_string(c));
          bool sent = false;
          for (const auto& [t, k] : reconnects_) sent |= k == c && t >= t_reset;
          check(id, sent, "no RECONNECT sent for cookie " + std::to_string(c) + " after the reset");
          check(id, !find(Ev::kError, c, 0, from), "the watch reported an error");
          const size_t before = events_.size();
          const Ev* d = notify(obj, "after reset", 10000);
          check(id, find(Ev::kNotify, c, 0, before) != nullptr,
                "the reconnected watch did not receive a notify");
          check(id, d && d->result == 0 && d->acks.size() == 1,
                d ? "completion" + describe(*d) : "the notify did not complete");
        }
      }
      unwatch(c);
    }
  }
  end();
}

std::optional<InputRun> Live::run(std::string* error) {
  net::RadosClientConfig cfg;
  cfg.mons = o_.mons;
  cfg.msgr = o_.msgr;
  cfg.entity_id = o_.id;
  cfg.mount_timeout = std::chrono::duration_cast<net::Duration>(
      std::chrono::duration<double>(o_.mount_timeout_s));
  cfg.interceptor = &interceptor_;
  cfg.on_osd_message = [this](int32_t osd, bool sent, const codec::MessageParts& p) {
    on_message(osd, sent, p);
  };
  cl_ = std::make_unique<net::RadosClient>(io_, std::move(cfg));
  cl_->on_event([this](const client::Event& e) { on_event(e); });
  cl_->on_notice([this](const net::Notice& n) {
    const std::string peer = n.osd < 0 ? "mon" : "osd." + std::to_string(n.osd);
    if (n.kind == net::Notice::kSessionReset) {
      if (n.osd >= 0) resets_.push_back(Clock::now());
      line(peer + " session reset: " + n.detail);
    } else if (n.kind == net::Notice::kSessionUp) {
      line(peer + " session up");
    } else if (n.kind == net::Notice::kConnectError) {
      line(peer + " connect error: " + n.detail);
    }
  });
  const auto t0 = Clock::now();
  std::optional<int> rc;
  cl_->connect([&](int r) { rc = r; });
  wait_until([&] { return rc.has_value(); }, o_.mount_timeout_s + 5);
  if (!rc || *rc < 0) {
    *error = "cannot reach the cluster: " + (rc ? std::to_string(*rc) : std::string("no answer"));
    cl_->shutdown();
    return std::nullopt;
  }
  auto pool = cl_->lookup_pool(o_.pool);
  if (!pool) {
    *error = "no pool named \"" + o_.pool + "\"";
    cl_->shutdown();
    return std::nullopt;
  }
  pool_ = *pool;
  gid_ = cl_->global_id();
  InputRun run;
  run.mode = "live";
  std::string mon = o_.mons.empty() ? "?" : o_.mons[0].to_string();
  run.name = "live " + std::string(net::to_string(cl_->msgr())) + " " + mon;

  self_notify();
  silent();
  unwatch_then_notify();
  pings();
  reset();

  cl_->shutdown();
  pump(0.3);
  run.seconds = secs_between(t0, Clock::now());
  for (const auto& info : catalog()) {
    if (!(info.modes & mode::kLive)) continue;
    CaseResult r;
    r.info = &info;
    auto it = cases_.find(info.id);
    if (it != cases_.end()) {
      const CaseOut& c = it->second;
      r.checked = c.checked;
      for (const auto& f : c.failures) r.failures.push_back({0, 0, f});
      r.verdict = !c.failures.empty() ? Verdict::kFail : c.checked ? Verdict::kPass
                                                                   : Verdict::kNotExercised;
      r.seconds = 0;
      for (size_t s : c.scenarios) {
        r.seconds += scen_[s].seconds;
        const std::pair<uint64_t, uint64_t> key{0, s + 1};
        r.examples.push_back(key);
        if (!run.wire.count(key)) {
          std::string text = "scenario " + scen_[s].name + " (" +
                             std::to_string(scen_[s].wire.size()) + " lines)";
          size_t n = 0;
          for (const auto& l : scen_[s].wire) {
            if (++n > 200) {
              text += "\n... " + std::to_string(scen_[s].wire.size() - 200) + " more";
              break;
            }
            text += "\n" + l;
          }
          run.wire[key] = std::move(text);
        }
      }
    }
    run.results.push_back(std::move(r));
  }
  return run;
}

}  // namespace

std::optional<InputRun> run_live(const LiveOptions& o, std::string* error) {
  Live live(o);
  return live.run(error);
}

}  // namespace cephwire::conformance
