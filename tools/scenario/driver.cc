// cephwire scenario driver: the client operations and their JSON records (see driver.h).
#include "tools/scenario/driver.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <list>
#include <set>
#include <sstream>
#include <thread>

namespace cephwire::scenario {

namespace {

double wall_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

double round6(double x) { return static_cast<double>(static_cast<int64_t>(x * 1e6 + 0.5)) / 1e6; }

std::string hex(const void* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  s.reserve(n * 2);
  auto* b = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; ++i) {
    s.push_back(d[b[i] >> 4]);
    s.push_back(d[b[i] & 15]);
  }
  return s;
}

const char* policy_name(Policy p) {
  switch (p) {
    case Policy::kAck: return "ack";
    case Policy::kNever: return "never ack";
    case Policy::kAckEmpty: return "ack with an empty reply";
  }
  return "?";
}

void watch_cb(void* arg, uint64_t notify_id, uint64_t cookie, uint64_t notifier_gid, void* data,
              size_t len) {
  auto* w = static_cast<Watch*>(arg);
  w->ctx->on_notify(*w, notify_id, cookie, notifier_gid, data, len);
}

void watch_err_cb(void* arg, uint64_t cookie, int err) {
  auto* w = static_cast<Watch*>(arg);
  w->ctx->on_error(*w, cookie, err);
}

std::string join_names(const std::vector<Watch*>& ws) {
  std::string s;
  for (auto* w : ws) {
    if (!s.empty()) s += ", ";
    s += w->name;
  }
  return s;
}

}  // namespace

std::string pattern_payload(const std::string& tag, size_t n) {
  std::string s;
  s.reserve(n + 64);
  char line[96];
  while (s.size() < n) {
    int k = std::snprintf(line, sizeof line, "%s %08zu\n", tag.c_str(), s.size());
    s.append(line, static_cast<size_t>(k));
  }
  s.resize(n);
  return s;
}

std::string sha256_hex(const void* p, size_t n) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(p, n, md, &len, EVP_sha256(), nullptr);
  return hex(md, len);
}

json bytes_json(const void* p, size_t n) {
  json j;
  j["len"] = n;
  j["sha256"] = sha256_hex(p, n);
  auto* b = static_cast<const unsigned char*>(p);
  bool printable = true;
  for (size_t i = 0; i < n; ++i) {
    if (b[i] < 0x20 && b[i] != '\n') printable = false;
    if (b[i] >= 0x7f) printable = false;
  }
  if (n <= 512) {
    if (printable) j["text"] = std::string(static_cast<const char*>(p), n);
    j["hex"] = hex(p, n);
  } else {
    j["hex_head"] = hex(p, 64);
    j["hex_tail"] = hex(b + n - 16, 16);
  }
  return j;
}

std::string errno_name(int r) {
  if (r >= 0) return std::to_string(r);
  return std::to_string(r) + " (" + std::strerror(-r) + ")";
}

// ---------------------------------------------------------------- Out

Out::Out(double t0_wall) : t0_wall_(t0_wall) {}

double Out::now_t() const { return round6(wall_now() - t0_wall_); }

void Out::emit(json j) {
  double w = wall_now();
  if (!j.contains("t")) j["t"] = round6(w - t0_wall_);
  j["wall"] = round6(w);
  std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  s.push_back('\n');
  std::lock_guard<std::mutex> l(m_);
  const char* p = s.data();
  size_t left = s.size();
  while (left > 0) {
    ssize_t k = ::write(1, p, left);
    if (k < 0) {
      if (errno == EINTR) continue;
      break;
    }
    p += k;
    left -= static_cast<size_t>(k);
  }
}

// ---------------------------------------------------------------- Step

Step::Step(Ctx& ctx, const std::string& actor, const std::string& call, const std::string& did,
           const std::string& expect)
    : ctx_(ctx), n_(ctx.next_step()), t_start_(ctx.out.now_t()) {
  j_["ev"] = "step";
  j_["step"] = n_;
  j_["actor"] = actor;
  j_["call"] = call;
  j_["did"] = did;
  j_["expect"] = expect;
}

bool Step::end(bool ok, const std::string& observed) {
  j_["t_start"] = t_start_;
  j_["t_end"] = ctx_.out.now_t();
  j_["ok"] = ok;
  j_["observed"] = observed;
  ctx_.out.emit(j_);
  if (!ok) ctx_.fail("step " + std::to_string(n_) + " (" + j_["call"].get<std::string>() +
                     "): expected " + j_["expect"].get<std::string>() + ", observed " + observed);
  return ok;
}

// ---------------------------------------------------------------- Ctx

Ctx::Ctx(Options o) : opt(std::move(o)), out(opt.t0_wall) {}

Ctx::~Ctx() { shutdown_all(); }

int Ctx::next_step() { return fixed_step > 0 ? fixed_step : ++step_; }

void Ctx::pace() const {
  if (opt.pace_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(opt.pace_ms));
}

void Ctx::fail(const std::string& why) {
  ok = false;
  out.emit(json{{"ev", "mismatch"}, {"what", why}});
}

void Ctx::count(const std::string& key, int n) {
  std::lock_guard<std::mutex> l(wire_m_);
  wire[key] += n;
}

std::map<std::string, int> Ctx::wire_counts() {
  std::lock_guard<std::mutex> l(wire_m_);
  return wire;
}

void Ctx::check_watch_errors() {
  for (auto& w : watches) {
    if (w->client->remote) continue;
    size_t n;
    {
      std::lock_guard<std::mutex> l(w->m);
      n = w->errors.size();
    }
    if (static_cast<int>(n) != w->expect_errors)
      fail("watch " + w->name + ": " + std::to_string(n) + " error callback(s), expected " +
           std::to_string(w->expect_errors));
  }
}

void Ctx::note(const std::string& text) { out.emit(json{{"ev", "note"}, {"text", text}}); }

Client& Ctx::connect(const std::string& name, const std::string& role, const std::string& ns,
                     const std::vector<std::pair<std::string, std::string>>& conf) {
  auto c = std::make_unique<Client>();
  c->name = name;
  c->role = role;
  c->ns = ns;
  int n = next_step();
  double t_start = out.now_t();
  json j{{"ev", "client"}, {"step", n}, {"name", name}, {"role", role}};
  int r = rados_create(&c->cluster, nullptr);
  if (r == 0) r = rados_conf_read_file(c->cluster, opt.conf.c_str());
  json confj = json::object();
  for (auto& [k, v] : conf) {
    if (r == 0) r = rados_conf_set(c->cluster, k.c_str(), v.c_str());
    confj[k] = v;
  }
  // bounded waits instead of hanging forever if the cluster is gone
  if (r == 0)
    r = rados_conf_set(c->cluster, "client_mount_timeout",
                       std::to_string(opt.mount_timeout_s).c_str());
  if (r == 0) r = rados_connect(c->cluster);
  if (r == 0) r = rados_ioctx_create(c->cluster, opt.pool.c_str(), &c->io);
  if (r == 0 && !ns.empty()) rados_ioctx_set_namespace(c->io, ns.c_str());
  if (r == 0) {
    c->gid = rados_get_instance_id(c->cluster);
    char* addrs = nullptr;
    if (rados_getaddrs(c->cluster, &addrs) == 0 && addrs) {
      c->addrs = addrs;
      std::free(addrs);
    }
  }
  j["gid"] = c->gid;
  j["entity"] = "client." + std::to_string(c->gid);
  j["addrs"] = c->addrs;
  j["pool"] = opt.pool;
  j["namespace"] = ns;
  if (!conf.empty()) j["conf_overrides"] = confj;
  j["did"] = "rados_create + rados_conf_read_file + rados_connect (own mon and OSD sessions)";
  j["t_start"] = t_start;
  j["ret"] = r;
  j["ok"] = r == 0;
  out.emit(j);
  if (r != 0) {
    fail("client " + name + " could not connect: " + errno_name(r));
    throw std::runtime_error("connect failed");
  }
  clients.push_back(std::move(c));
  pace();
  return *clients.back();
}

void Ctx::shutdown(Client& c) {
  if (!c.cluster) return;
  int n = next_step();
  if (c.io) rados_ioctx_destroy(c.io);
  rados_shutdown(c.cluster);
  c.io = nullptr;
  c.cluster = nullptr;
  out.emit(json{{"ev", "client_shutdown"},
                {"step", n},
                {"name", c.name},
                {"gid", c.gid},
                {"did", "rados_ioctx_destroy + rados_shutdown (closes its sessions)"}});
}

void Ctx::shutdown_all() {
  for (auto& c : clients) shutdown(*c);
}

int Ctx::write_full(Client& c, const std::string& obj, const std::string& data, int expect) {
  Step s(*this, c.name, "rados_write_full",
         expect == 0 ? "create/overwrite the object so it can be watched"
                     : "write the object",
         "ret == " + errno_name(expect));
  s.j()["namespace"] = c.ns;
  s.j()["object"] = obj;
  s.j()["data"] = bytes_json(data);
  int r = rados_write_full(c.io, obj.c_str(), data.data(), data.size());
  count("osd_op.writefull");
  s.j()["ret"] = r;
  s.end(r == expect, "ret " + errno_name(r));
  pace();
  return r;
}

Watch& Ctx::watch(Client& c, const std::string& wname, const std::string& obj, Policy policy,
                  const std::string& reply, std::optional<uint32_t> timeout_s, int expect) {
  auto w = std::make_unique<Watch>();
  w->ctx = this;
  w->client = &c;
  w->name = wname;
  w->object = obj;
  w->policy = policy;
  w->reply = reply;
  w->api = timeout_s ? "rados_watch3" : "rados_watch2";
  w->timeout_s = timeout_s.value_or(0);
  Watch& wr = *w;
  watches.push_back(std::move(w));
  std::string did = "register watch " + wname +
                    " (linger op: CEPH_OSD_OP_WATCH, watch op WATCH)" +
                    (timeout_s ? " with timeout " + std::to_string(*timeout_s) + " s" : "");
  Step s(*this, c.name, wr.api, did,
         expect == 0 ? "ret == 0 and a non-zero cookie" : "ret == " + errno_name(expect));
  s.j()["watch"] = wname;
  s.j()["namespace"] = c.ns;
  s.j()["object"] = obj;
  s.j()["timeout_s"] = timeout_s ? json(*timeout_s) : json("default (osd_client_watch_timeout = 30)");
  s.j()["notify_policy"] = policy_name(policy);
  if (policy != Policy::kNever) s.j()["ack_reply"] = bytes_json(reply);
  uint64_t cookie = 0;
  int r = timeout_s ? rados_watch3(c.io, obj.c_str(), &cookie, watch_cb, watch_err_cb, *timeout_s,
                                   &wr)
                    : rados_watch2(c.io, obj.c_str(), &cookie, watch_cb, watch_err_cb, &wr);
  count("osd_op.watch.watch");
  wr.cookie = cookie;
  s.j()["ret"] = r;
  s.j()["cookie"] = cookie;
  s.j()["client_gid"] = c.gid;
  bool ok = expect == 0 ? (r == 0 && cookie != 0) : r == expect;
  s.end(ok, "ret " + errno_name(r) + ", cookie " + std::to_string(cookie));
  pace();
  return wr;
}

int Ctx::watch_check(Watch& w, bool expect_ok, int expect_err) {
  Step s(*this, w.client->name, "rados_watch_check", "check watch " + w.name,
         expect_ok ? "ret > 0 (1 + ms since the watch was last confirmed)"
                   : "ret == " + errno_name(expect_err) + " (the watch's last error)");
  s.j()["watch"] = w.name;
  s.j()["cookie"] = w.cookie.load();
  int r = rados_watch_check(w.client->io, w.cookie);
  s.j()["ret"] = r;
  s.end(expect_ok ? r > 0 : r == expect_err, "ret " + errno_name(r));
  pace();
  return r;
}

int Ctx::unwatch(Watch& w, int expect, const std::string& why) {
  Step s(*this, w.client->name, "rados_unwatch2",
         "unregister watch " + w.name + " (CEPH_OSD_OP_WATCH, watch op UNWATCH)" +
             (why.empty() ? "" : "; " + why),
         "ret == " + errno_name(expect));
  s.j()["watch"] = w.name;
  s.j()["cookie"] = w.cookie.load();
  int r = rados_unwatch2(w.client->io, w.cookie);
  count("osd_op.watch.unwatch");
  s.j()["ret"] = r;
  s.end(r == expect, "ret " + errno_name(r));
  pace();
  return r;
}

int Ctx::watch_flush(Client& c) {
  Step s(*this, c.name, "rados_watch_flush", "wait until all queued watch/notify callbacks ran",
         "ret == 0");
  int r = rados_watch_flush(c.cluster);
  s.j()["ret"] = r;
  s.end(r == 0, "ret " + errno_name(r));
  pace();
  return r;
}

void Ctx::on_notify(Watch& w, uint64_t notify_id, uint64_t cookie, uint64_t notifier_gid,
                    const void* data, size_t len) {
  std::string sha = sha256_hex(data, len);
  json j{{"ev", "notify_received"}, {"watch", w.name},        {"client", w.client->name},
         {"client_gid", w.client->gid}, {"cookie", cookie}, {"notify_id", notify_id},
         {"notifier_gid", notifier_gid}, {"payload", bytes_json(data, len)}};
  if (w.cookie != 0 && cookie != w.cookie) {
    j["cookie_mismatch"] = w.cookie.load();
  }
  out.emit(j);
  if (w.cookie != 0 && cookie != w.cookie)
    fail("watch " + w.name + ": callback cookie " + std::to_string(cookie) + " != " +
         std::to_string(w.cookie.load()));
  if (w.policy == Policy::kNever) {
    out.emit(json{{"ev", "notify_not_acked"},
                  {"watch", w.name},
                  {"cookie", cookie},
                  {"notify_id", notify_id},
                  {"why", "policy: this watcher never acks"}});
  } else {
    const std::string& reply = w.policy == Policy::kAck ? w.reply : std::string();
    int r = rados_notify_ack(w.client->io, w.object.c_str(), notify_id, cookie, reply.data(),
                             reply.size());
    count("osd_op.notify-ack");
    out.emit(json{{"ev", "notify_ack_sent"},
                  {"watch", w.name},
                  {"cookie", cookie},
                  {"notify_id", notify_id},
                  {"ret", r},
                  {"reply", bytes_json(reply)}});
    if (r != 0) fail("rados_notify_ack from " + w.name + " returned " + errno_name(r));
  }
  {
    std::lock_guard<std::mutex> l(w.m);
    w.seen.push_back({notify_id, cookie, notifier_gid, sha, len});
  }
  w.cv.notify_all();
}

void Ctx::on_error(Watch& w, uint64_t cookie, int err) {
  out.emit(json{{"ev", "watch_error"},
                {"watch", w.name},
                {"client", w.client->name},
                {"client_gid", w.client->gid},
                {"cookie", cookie},
                {"err", err},
                {"err_name", errno_name(err)}});
  {
    std::lock_guard<std::mutex> l(w.m);
    w.errors.push_back(err);
  }
  w.cv.notify_all();
}

bool Ctx::wait_for_notify(Watch& w, const std::string& sha, double timeout_s, NotifySeen* o) {
  std::unique_lock<std::mutex> l(w.m);
  auto pred = [&] {
    return std::any_of(w.seen.begin(), w.seen.end(),
                       [&](const NotifySeen& n) { return n.payload_sha == sha; });
  };
  if (!w.cv.wait_for(l, std::chrono::duration<double>(timeout_s), pred)) return false;
  for (auto& n : w.seen)
    if (n.payload_sha == sha) {
      if (o) *o = n;
      break;
    }
  return true;
}

bool Ctx::wait_for_error(Watch& w, double timeout_s, int* err) {
  std::unique_lock<std::mutex> l(w.m);
  if (!w.cv.wait_for(l, std::chrono::duration<double>(timeout_s),
                     [&] { return !w.errors.empty(); }))
    return false;
  if (err) *err = w.errors.front();
  return true;
}

NotifyResult Ctx::notify(Client& c, const std::string& nname, const std::string& obj,
                         const std::string& payload, uint64_t timeout_ms, const NotifyExpect& e) {
  int n = next_step();
  double t_start = out.now_t();
  char* reply = nullptr;
  size_t reply_len = 0;
  int r = rados_notify2(c.io, obj.c_str(), payload.data(), payload.size(), timeout_ms, &reply,
                        &reply_len);
  auto res = finish_notify(c, nname, obj, payload, timeout_ms, e, r, reply, reply_len, n, t_start,
                           "rados_notify2");
  if (reply) rados_buffer_free(reply);
  pace();
  return res;
}

std::unique_ptr<AioNotify> Ctx::aio_notify(Client& c, const std::string& nname,
                                           const std::string& obj, const std::string& payload,
                                           uint64_t timeout_ms, const NotifyExpect& e) {
  auto a = std::make_unique<AioNotify>();
  a->client = &c;
  a->name = nname;
  a->object = obj;
  a->payload = payload;
  a->timeout_ms = timeout_ms;
  a->expect = e;
  a->step = next_step();
  a->t_start = out.now_t();
  rados_aio_create_completion2(nullptr, nullptr, &a->comp);
  int r = rados_aio_notify(c.io, obj.c_str(), a->comp, payload.data(), payload.size(), timeout_ms,
                           &a->reply, &a->reply_len);
  out.emit(json{{"ev", "aio_issued"},
                {"step", a->step},
                {"actor", c.name},
                {"call", "rados_aio_notify"},
                {"notify", nname},
                {"ret", r}});
  if (r != 0) fail("rados_aio_notify " + nname + " returned " + errno_name(r));
  return a;
}

NotifyResult Ctx::aio_notify_wait(AioNotify& a) {
  rados_aio_wait_for_complete(a.comp);
  int r = rados_aio_get_return_value(a.comp);
  rados_aio_release(a.comp);
  a.comp = nullptr;
  auto res = finish_notify(*a.client, a.name, a.object, a.payload, a.timeout_ms, a.expect, r,
                           a.reply, a.reply_len, a.step, a.t_start, "rados_aio_notify");
  if (a.reply) rados_buffer_free(a.reply);
  a.reply = nullptr;
  return res;
}

NotifyResult Ctx::finish_notify(Client& c, const std::string& nname, const std::string& obj,
                                const std::string& payload, uint64_t timeout_ms,
                                const NotifyExpect& e, int r, char* reply, size_t reply_len,
                                int step, double t_start, const std::string& api) {
  NotifyResult res;
  res.ret = r;
  count("osd_op.notify");
  json j{{"ev", "step"}, {"step", step}, {"actor", c.name}, {"call", api}};
  j["did"] = "notify " + nname + " (CEPH_OSD_OP_NOTIFY, timeout " + std::to_string(timeout_ms) +
             " ms)";
  std::string exp = "ret == " + errno_name(e.ret);
  if (e.ret == 0 || e.ret == -ETIMEDOUT) {
    exp += "; reply lists " + std::to_string(e.acks.size()) + " ack(s)";
    if (!e.acks.empty()) exp += " [" + join_names(e.acks) + "]";
    exp += " and " + std::to_string(e.timeouts.size()) + " timeout(s)";
    if (!e.timeouts.empty()) exp += " [" + join_names(e.timeouts) + "]";
  }
  j["expect"] = exp;
  j["notify"] = nname;
  j["namespace"] = c.ns;
  j["object"] = obj;
  j["timeout_ms"] = timeout_ms;
  j["payload"] = bytes_json(payload);
  json ej{{"ret", e.ret}};
  ej["acks"] = json::array();
  for (auto* w : e.acks)
    ej["acks"].push_back({{"watch", w->name},
                          {"gid", w->client->gid},
                          {"cookie", w->cookie.load()},
                          {"payload", bytes_json(w->policy == Policy::kAck ? w->reply : "")}});
  ej["timeouts"] = json::array();
  for (auto* w : e.timeouts)
    ej["timeouts"].push_back(
        {{"watch", w->name}, {"gid", w->client->gid}, {"cookie", w->cookie.load()}});
  j["expected"] = ej;
  j["ret"] = r;
  j["reply_len"] = reply_len;
  bool ok = r == e.ret;
  std::string observed = "ret " + errno_name(r);
  // The reply buffer: le32 n; {le64 gid, le64 cookie, bufferlist} x n; le32 m; {gid, cookie} x m
  if (reply && reply_len > 0) {
    struct notify_ack_t* acks = nullptr;
    struct notify_timeout_t* tos = nullptr;
    size_t nacks = 0, ntos = 0;
    int dr = rados_decode_notify_response(reply, reply_len, &acks, &nacks, &tos, &ntos);
    json rj;
    rj["acks"] = json::array();
    rj["timeouts"] = json::array();
    std::set<std::tuple<uint64_t, uint64_t, std::string>> got_acks, want_acks;
    std::set<std::pair<uint64_t, uint64_t>> got_tos, want_tos;
    if (dr == 0) {
      for (size_t i = 0; i < nacks; ++i) {
        rj["acks"].push_back({{"gid", acks[i].notifier_id},
                              {"cookie", acks[i].cookie},
                              {"payload", bytes_json(acks[i].payload, acks[i].payload_len)}});
        got_acks.insert({acks[i].notifier_id, acks[i].cookie,
                         sha256_hex(acks[i].payload, acks[i].payload_len)});
      }
      for (size_t i = 0; i < ntos; ++i) {
        rj["timeouts"].push_back({{"gid", tos[i].notifier_id}, {"cookie", tos[i].cookie}});
        got_tos.insert({tos[i].notifier_id, tos[i].cookie});
      }
      rados_free_notify_response(acks, nacks, tos);
    }
    rj["decoded_fully"] = dr == 0;
    j["reply"] = rj;
    for (auto* w : e.acks)
      want_acks.insert({w->client->gid, w->cookie.load(),
                        sha256_hex(w->policy == Policy::kAck ? w->reply.data() : "",
                                   w->policy == Policy::kAck ? w->reply.size() : 0)});
    for (auto* w : e.timeouts) want_tos.insert({w->client->gid, w->cookie.load()});
    observed += "; " + std::to_string(nacks) + " ack(s), " + std::to_string(ntos) + " timeout(s)";
    if (dr != 0) observed += "; reply not decodable (" + errno_name(dr) + ")";
    if (e.ret == 0 || e.ret == -ETIMEDOUT) ok = ok && dr == 0 && got_acks == want_acks && got_tos == want_tos;
  } else if (e.ret == 0 || e.ret == -ETIMEDOUT) {
    observed += "; no reply buffer";
    ok = false;
  }
  // Every watcher that should have been notified got the callback with this payload.
  std::string sha = sha256_hex(payload.data(), payload.size());
  json received = json::array();
  std::set<uint64_t> ids;
  if (r == 0 || r == -ETIMEDOUT) {
    count("watch_notify.notify_complete");
    std::vector<Watch*> all = e.acks;
    all.insert(all.end(), e.timeouts.begin(), e.timeouts.end());
    for (auto* w : all) {
      count("watch_notify.notify");
      if (w->client->remote) continue;  // its callbacks are in the child's own lines
      NotifySeen seen{};
      if (wait_for_notify(*w, sha, 5.0, &seen)) {
        std::vector<NotifySeen> all_seen;
        {
          std::lock_guard<std::mutex> l(w->m);
          for (auto& x : w->seen)
            if (x.payload_sha == sha) all_seen.push_back(x);
        }
        for (auto& x : all_seen) {
          received.push_back({{"watch", w->name}, {"cookie", x.cookie}, {"notify_id", x.notify_id},
                              {"notifier_gid", x.notifier_gid}});
          ids.insert(x.notify_id);
          if (x.notifier_gid != c.gid) {
            ok = false;
            observed += "; " + w->name + " saw notifier gid " + std::to_string(x.notifier_gid);
          }
        }
        if (all_seen.size() != 1) {
          ok = false;
          observed += "; " + w->name + " got " + std::to_string(all_seen.size()) +
                      " callbacks for this notify (a resent notify linger op)";
        }
      } else {
        ok = false;
        observed += "; " + w->name + " got no callback";
      }
    }
  }
  j["received_by"] = received;
  j["notify_id_seen_by_watchers"] = json(std::vector<uint64_t>(ids.begin(), ids.end()));
  if (ids.size() > 1) {
    ok = false;
    observed += "; watchers saw different notify ids";
  }
  j["t_start"] = t_start;
  j["t_end"] = out.now_t();
  j["ok"] = ok;
  j["observed"] = observed;
  out.emit(j);
  if (!ok) fail("step " + std::to_string(step) + " (" + api + " " + nname + "): expected " + exp +
                ", observed " + observed);
  res.ok = ok;
  res.j = j;
  return res;
}

int Ctx::notify_ack(Client& c, const std::string& obj, uint64_t notify_id, uint64_t cookie,
                    const std::string& payload, const std::string& did, int expect) {
  Step s(*this, c.name, "rados_notify_ack", did,
         "ret == " + errno_name(expect) +
             " (librados sends NOTIFY_ACK as a read op and does not wait for its reply)");
  s.j()["namespace"] = c.ns;
  s.j()["object"] = obj;
  s.j()["notify_id"] = notify_id;
  s.j()["cookie"] = cookie;
  s.j()["reply"] = bytes_json(payload);
  int r = rados_notify_ack(c.io, obj.c_str(), notify_id, cookie, payload.data(), payload.size());
  count("osd_op.notify-ack");
  s.j()["ret"] = r;
  s.end(r == expect, "ret " + errno_name(r));
  pace();
  return r;
}

int Ctx::list_watchers(Client& c, const std::string& obj, const std::vector<Watch*>& expect) {
  std::string exp = "ret == 0 and exactly " + std::to_string(expect.size()) + " watcher(s)";
  if (!expect.empty()) exp += ": " + join_names(expect);
  Step s(*this, c.name, "IoCtx::list_watchers",
         "list the object's watchers (CEPH_OSD_OP_LIST_WATCHERS)", exp);
  s.j()["namespace"] = c.ns;
  s.j()["object"] = obj;
  librados::IoCtx io;
  librados::IoCtx::from_rados_ioctx_t(c.io, io);
  std::list<obj_watch_t> lst;
  int r = io.list_watchers(obj, &lst);
  count("osd_op.list-watchers");
  s.j()["ret"] = r;
  json arr = json::array();
  std::set<std::tuple<int64_t, uint64_t, uint32_t>> got, want;
  for (auto& w : lst) {
    arr.push_back({{"addr", w.addr},
                   {"watcher_id", w.watcher_id},
                   {"cookie", w.cookie},
                   {"timeout_seconds", w.timeout_seconds}});
    got.insert({w.watcher_id, w.cookie, w.timeout_seconds});
  }
  for (auto* w : expect)
    want.insert({static_cast<int64_t>(w->client->gid), w->cookie.load(),
                 w->timeout_s ? w->timeout_s : 30u});
  s.j()["watchers"] = arr;
  s.j()["expected_watchers"] = json::array();
  for (auto* w : expect)
    s.j()["expected_watchers"].push_back({{"watch", w->name},
                                          {"watcher_id", w->client->gid},
                                          {"cookie", w->cookie.load()},
                                          {"timeout_seconds", w->timeout_s ? w->timeout_s : 30u}});
  s.end(r == 0 && got == want,
        "ret " + errno_name(r) + ", " + std::to_string(lst.size()) + " watcher(s)");
  pace();
  return r;
}

// Runs argv with stdout captured (stderr passes through to ours), with a deadline.
int Ctx::external(const std::string& actor, const std::vector<std::string>& argv,
                  const std::string& did, int expect_rc, std::string* outp, double timeout_s) {
  std::string cmdline;
  for (auto& a : argv) cmdline += (cmdline.empty() ? "" : " ") + a;
  Step s(*this, actor, argv.empty() ? "" : argv[0], did, "exit status " + std::to_string(expect_rc));
  s.j()["argv"] = argv;
  int pfd[2];
  if (pipe(pfd) != 0) {
    s.end(false, "pipe failed");
    return -1;
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pfd[1], 1);
    close(pfd[0]);
    close(pfd[1]);
    std::vector<char*> av;
    for (auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
    av.push_back(nullptr);
    execvp(av[0], av.data());
    _exit(127);
  }
  close(pfd[1]);
  std::string output;
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  bool timed_out = false;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    struct pollfd p{pfd[0], POLLIN, 0};
    int pr = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (pr < 0 && errno == EINTR) continue;
    if (pr > 0) {
      ssize_t k = read(pfd[0], buf, sizeof buf);
      if (k <= 0) break;
      output.append(buf, static_cast<size_t>(k));
    }
  }
  close(pfd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  s.j()["rc"] = rc;
  std::string shown = output.size() > 2000 ? output.substr(0, 2000) + "..." : output;
  s.j()["stdout"] = shown;
  if (outp) *outp = output;
  s.end(!timed_out && rc == expect_rc,
        timed_out ? "timed out after " + std::to_string(timeout_s) + " s" : "exit status " + std::to_string(rc));
  pace();
  return timed_out ? -1 : rc;
}

int Ctx::cluster(const std::vector<std::string>& args, const std::string& did, std::string* o) {
  if (opt.cluster_tool.empty() || opt.cluster_dir.empty()) {
    Step s(*this, "driver", "tools/cluster", did, "--cluster-tool and --cluster-dir given");
    s.end(false, "missing --cluster-tool/--cluster-dir");
    throw std::runtime_error("no cluster tool");
  }
  std::vector<std::string> argv{opt.cluster_tool};
  argv.push_back(args[0]);
  argv.push_back("--dir");
  argv.push_back(opt.cluster_dir);
  argv.insert(argv.end(), args.begin() + 1, args.end());
  return external("driver", argv, did, 0, o, 120);
}

namespace {
int raw_mon_command(Client& c, const std::string& cmd, std::string* out, std::string* status) {
  const char* cmds[] = {cmd.c_str()};
  char* outbuf = nullptr;
  char* outs = nullptr;
  size_t outlen = 0, outslen = 0;
  int r = rados_mon_command(c.cluster, cmds, 1, "", 0, &outbuf, &outlen, &outs, &outslen);
  if (out) out->assign(outbuf ? outbuf : "", outbuf ? outlen : 0);
  if (status) status->assign(outs ? outs : "", outs ? outslen : 0);
  if (outbuf) rados_buffer_free(outbuf);
  if (outs) rados_buffer_free(outs);
  return r;
}
}  // namespace

int Ctx::mon_command(Client& c, const json& cmd, const std::string& did, std::string* out,
                     int expect) {
  Step s(*this, c.name, "rados_mon_command", did, "ret == " + errno_name(expect));
  s.j()["command"] = cmd;
  std::string o, st;
  int r = raw_mon_command(c, cmd.dump(), &o, &st);
  s.j()["ret"] = r;
  s.j()["status"] = st;
  s.j()["output"] = o.size() > 2000 ? o.substr(0, 2000) + "..." : o;
  if (out) *out = o;
  s.end(r == expect, "ret " + errno_name(r) + (st.empty() ? "" : " (" + st + ")"));
  pace();
  return r;
}

bool Ctx::poll_mon(Client& c, const json& cmd, const std::string& did, const std::string& expect,
                   const std::function<bool(const json&)>& pred, double timeout_s, json* last) {
  Step s(*this, c.name, "rados_mon_command (polled every 0.5 s)", did, expect);
  s.j()["command"] = cmd;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  int polls = 0;
  bool ok = false;
  json j;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string o;
    ++polls;
    if (raw_mon_command(c, cmd.dump(), &o, nullptr) == 0) {
      try {
        j = json::parse(o);
        if (pred(j)) {
          ok = true;
          break;
        }
      } catch (const std::exception&) {
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  s.j()["polls"] = polls;
  if (last) *last = j;
  s.end(ok, ok ? "true after " + std::to_string(polls) + " poll(s)"
               : "still false after " + std::to_string(polls) + " poll(s)");
  pace();
  return ok;
}

int Ctx::wait_for_latest_osdmap(Client& c, const std::string& why) {
  Step s(*this, c.name, "rados_wait_for_latest_osdmap", why, "ret == 0");
  int r = rados_wait_for_latest_osdmap(c.cluster);
  s.j()["ret"] = r;
  s.end(r == 0, "ret " + errno_name(r));
  pace();
  return r;
}

void Ctx::wait(double seconds, const std::string& why) {
  Step s(*this, "driver", "sleep", why, "-");
  s.j()["seconds"] = seconds;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  s.end(true, "slept " + std::to_string(seconds) + " s");
}

}  // namespace cephwire::scenario
