// cephwire scenario driver: the named, deterministic scenarios.
//
// Each scenario states, before each call, what it expects (from the Ceph v16.2.15 sources named
// in driver.h) and the step fails when librados returns something else.
#include <fcntl.h>
#include <rbd/librbd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "tools/scenario/driver.h"

namespace cephwire::scenario {

namespace {

constexpr const char* kObjectData = "cephwire watch/notify test object\n";

// ------------------------------------------------------------------ child client (parent side)
//
// A client in its own process (this binary with --child), driven over a pipe with one JSON
// command per line, so that the scenario can SIGSTOP it alone. Its JSON lines go to the same
// stdout; it uses the step numbers the parent gives it.
class Remote {
 public:
  Remote(Ctx& ctx, const std::string& name, const std::string& role, const std::string& object)
      : ctx_(ctx) {
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) throw std::runtime_error("pipe");
    std::vector<std::string> args{ctx.opt.self_exe,
                                  "--child", name,
                                  "--child-role", role,
                                  "--child-object", object,
                                  "--conf", ctx.opt.conf,
                                  "--pool", ctx.opt.pool,
                                  "--pace-ms", std::to_string(ctx.opt.pace_ms),
                                  "--t0-wall", std::to_string(ctx.opt.t0_wall),
                                  "--ctl-in", std::to_string(to_child[0]),
                                  "--ctl-out", std::to_string(from_child[1])};
    pid_ = fork();
    if (pid_ == 0) {
      close(to_child[1]);
      close(from_child[0]);
      std::vector<char*> av;
      for (auto& a : args) av.push_back(const_cast<char*>(a.c_str()));
      av.push_back(nullptr);
      execv(av[0], av.data());
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    to_ = to_child[1];
    from_ = from_child[0];
    fcntl(to_, F_SETFD, FD_CLOEXEC);
    fcntl(from_, F_SETFD, FD_CLOEXEC);
    auto c = std::make_unique<Client>();
    c->name = name;
    c->role = role;
    c->remote = true;
    client_ = c.get();
    ctx.clients.push_back(std::move(c));
  }
  ~Remote() {
    if (pid_ > 0) {
      kill(pid_, SIGCONT);
      close(to_);
      int st;
      // the child exits at EOF on its command pipe; don't wait forever
      for (int i = 0; i < 100; ++i) {
        if (waitpid(pid_, &st, WNOHANG) == pid_) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      kill(pid_, SIGKILL);
      waitpid(pid_, &st, 0);
    }
  }
  pid_t pid() const { return pid_; }
  Client& client() { return *client_; }

  // Sends one command with the next step number; returns the child's reply.
  json call(json cmd, double timeout_s = 60) {
    cmd["step"] = ctx_.next_step();
    std::string line = cmd.dump() + "\n";
    if (write(to_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
      throw std::runtime_error("child pipe write");
    std::string reply;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    char ch;
    while (true) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("child timeout");
      ssize_t k = read(from_, &ch, 1);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) throw std::runtime_error("child died");
      if (ch == '\n') break;
      reply.push_back(ch);
    }
    return json::parse(reply);
  }

  // Ends the child; merges its wire counts; returns its exit status.
  int finish() {
    json r = call({{"cmd", "shutdown"}});
    for (auto& [k, v] : r["wire"].items()) ctx_.count(k, v.get<int>());
    close(to_);
    int st = 0;
    waitpid(pid_, &st, 0);
    pid_ = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }

 private:
  Ctx& ctx_;
  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  Client* client_ = nullptr;
};

// A parent-side record of a watch that lives in a child (for expectations only).
Watch& remote_watch(Ctx& ctx, Remote& r, const std::string& name, const std::string& obj,
                    uint64_t cookie, uint32_t timeout_s, const std::string& reply) {
  auto w = std::make_unique<Watch>();
  w->ctx = &ctx;
  w->client = &r.client();
  w->name = name;
  w->object = obj;
  w->api = "rados_watch3";
  w->timeout_s = timeout_s;
  w->reply = reply;
  w->cookie = cookie;
  ctx.watches.push_back(std::move(w));
  return *ctx.watches.back();
}

// ------------------------------------------------------------------ scenarios

void basic(Ctx& ctx) {
  const std::string obj = "cephwire-basic";
  auto& notifier = ctx.connect("notifier", "writes the object and sends the notify");
  auto& watcher = ctx.connect("watcher", "watches the object and acks");
  ctx.write_full(notifier, obj, kObjectData);
  auto& w1 = ctx.watch(watcher, "w1", obj, Policy::kAck, "ack from watcher", std::nullopt);
  ctx.watch_check(w1, true);
  ctx.notify(notifier, "n1", obj, "hello, watchers", 5000, {0, {&w1}, {}});
  ctx.watch_flush(watcher);
  ctx.unwatch(w1);
  ctx.watch_flush(watcher);
  ctx.shutdown(notifier);
  ctx.shutdown(watcher);
}

void notify_timeout(Ctx& ctx) {
  const std::string obj = "cephwire-timeout";
  auto& notifier = ctx.connect("notifier", "writes the object and sends the notify");
  auto& wa = ctx.connect("watcher-acks", "watches and acks");
  auto& ws = ctx.connect("watcher-silent", "watches and never acks");
  ctx.write_full(notifier, obj, kObjectData);
  auto& w_ack = ctx.watch(wa, "w-ack", obj, Policy::kAck, "ack: got it", std::nullopt);
  auto& w_silent = ctx.watch(ws, "w-silent", obj, Policy::kNever, "", std::nullopt);
  ctx.notify(notifier, "n1", obj, "notify that times out", 3000,
             {-ETIMEDOUT, {&w_ack}, {&w_silent}});
  ctx.watch_check(w_ack, true);
  ctx.watch_check(w_silent, true);
  ctx.watch_flush(wa);
  ctx.watch_flush(ws);
  ctx.unwatch(w_ack);
  ctx.unwatch(w_silent);
  ctx.shutdown(notifier);
  ctx.shutdown(wa);
  ctx.shutdown(ws);
}

void multi_watchers(Ctx& ctx) {
  const std::string obj = "cephwire-multi";
  auto& notifier = ctx.connect("notifier", "writes the object and sends 3 notifies back to back");
  auto& c1 = ctx.connect("watcher-1", "one watch, acks");
  auto& c2 = ctx.connect("watcher-2", "one watch, acks");
  auto& c3 = ctx.connect("watcher-3", "two watches on the same object (same gid twice), both ack");
  ctx.write_full(notifier, obj, kObjectData);
  auto& w1 = ctx.watch(c1, "w1", obj, Policy::kAck, "w1 ack", std::nullopt);
  auto& w2 = ctx.watch(c2, "w2", obj, Policy::kAck, "w2 ack, a bit longer", std::nullopt);
  auto& w3a = ctx.watch(c3, "w3a", obj, Policy::kAck, "w3a", std::nullopt);
  auto& w3b = ctx.watch(c3, "w3b", obj, Policy::kAckEmpty, "", std::nullopt);
  ctx.list_watchers(notifier, obj, {&w1, &w2, &w3a, &w3b});
  int pace = ctx.opt.pace_ms;
  ctx.opt.pace_ms = 0;  // back to back
  for (int i = 1; i <= 3; ++i)
    ctx.notify(notifier, "n" + std::to_string(i), obj,
               "back-to-back notify #" + std::to_string(i), 5000, {0, {&w1, &w2, &w3a, &w3b}, {}});
  ctx.opt.pace_ms = pace;
  ctx.pace();
  for (auto* c : {&c1, &c2, &c3}) ctx.watch_flush(*c);
  ctx.unwatch(w1);
  ctx.unwatch(w2);
  ctx.unwatch(w3a);
  ctx.unwatch(w3b);
  ctx.list_watchers(notifier, obj, {});
  for (auto* c : {&notifier, &c1, &c2, &c3}) ctx.shutdown(*c);
}

void concurrent_notifies(Ctx& ctx) {
  const std::string obj = "cephwire-concurrent";
  auto& n1 = ctx.connect("notifier-1", "writes the object, sends 2 notifies at once");
  auto& n2 = ctx.connect("notifier-2", "sends 2 notifies at once");
  auto& c1 = ctx.connect("watcher-1", "watches and acks");
  auto& c2 = ctx.connect("watcher-2", "watches and acks");
  ctx.write_full(n1, obj, kObjectData);
  auto& w1 = ctx.watch(c1, "w1", obj, Policy::kAck, "w1 ack", std::nullopt);
  auto& w2 = ctx.watch(c2, "w2", obj, Policy::kAck, "w2 ack", std::nullopt);
  NotifyExpect e{0, {&w1, &w2}, {}};
  // four notifies in flight at the same time, two per notifier (rados_aio_notify)
  auto a = ctx.aio_notify(n1, "n1", obj, "concurrent notify n1 from notifier-1", 10000, e);
  auto b = ctx.aio_notify(n2, "n2", obj, "concurrent notify n2 from notifier-2", 10000, e);
  auto c = ctx.aio_notify(n1, "n3", obj, "concurrent notify n3 from notifier-1", 10000, e);
  auto d = ctx.aio_notify(n2, "n4", obj, "concurrent notify n4 from notifier-2", 10000, e);
  for (auto* x : {a.get(), b.get(), c.get(), d.get()}) ctx.aio_notify_wait(*x);
  ctx.pace();
  ctx.watch_flush(c1);
  ctx.watch_flush(c2);
  ctx.unwatch(w1);
  ctx.unwatch(w2);
  for (auto* x : {&n1, &n2, &c1, &c2}) ctx.shutdown(*x);
}

void large_payloads(Ctx& ctx) {
  const std::string obj = "cephwire-large";
  auto& notifier = ctx.connect("notifier", "writes the object and sends large notifies");
  auto& c1 = ctx.connect("watcher-big", "acks with a 200 KiB reply");
  auto& c2 = ctx.connect("watcher-small", "acks with a 5-byte reply");
  ctx.write_full(notifier, obj, kObjectData);
  auto& wb = ctx.watch(c1, "w-big", obj, Policy::kAck, pattern_payload("ack-w-big", 200 * 1024),
                       std::nullopt);
  auto& ws = ctx.watch(c2, "w-small", obj, Policy::kAck, "small", std::nullopt);
  ctx.notify(notifier, "n1", obj, pattern_payload("notify-n1", 300 * 1024), 10000,
             {0, {&wb, &ws}, {}});
  ctx.notify(notifier, "n2", obj, pattern_payload("notify-n2", 1), 10000, {0, {&wb, &ws}, {}});
  ctx.watch_flush(c1);
  ctx.watch_flush(c2);
  ctx.unwatch(wb);
  ctx.unwatch(ws);
  for (auto* x : {&notifier, &c1, &c2}) ctx.shutdown(*x);
}

void list_watchers(Ctx& ctx) {
  const std::string obj = "cephwire-list";
  auto& lister = ctx.connect("lister", "writes the object and lists watchers");
  auto& c1 = ctx.connect("watcher-1", "watch2 (default timeout)");
  auto& c2 = ctx.connect("watcher-2", "watch3 with a 45 s timeout");
  ctx.write_full(lister, obj, kObjectData);
  auto& w1 = ctx.watch(c1, "w1", obj, Policy::kAck, "w1", std::nullopt);
  auto& w2 = ctx.watch(c2, "w2", obj, Policy::kAck, "w2", 45u);
  ctx.list_watchers(lister, obj, {&w1, &w2});
  ctx.unwatch(w1);
  ctx.list_watchers(lister, obj, {&w2});
  ctx.unwatch(w2);
  ctx.list_watchers(lister, obj, {});
  for (auto* x : {&lister, &c1, &c2}) ctx.shutdown(*x);
}

void watch3_timeout(Ctx& ctx) {
  const std::string obj = "cephwire-watch3";
  auto& notifier = ctx.connect("notifier", "writes the object, lists watchers, notifies");
  auto& c1 = ctx.connect("watcher-10s", "rados_watch3 with a 10 s timeout");
  auto& c2 = ctx.connect("watcher-120s", "rados_watch3 with a 120 s timeout");
  ctx.write_full(notifier, obj, kObjectData);
  auto& w10 = ctx.watch(c1, "w10", obj, Policy::kAck, "w10", 10u);
  auto& w120 = ctx.watch(c2, "w120", obj, Policy::kAck, "w120", 120u);
  ctx.list_watchers(notifier, obj, {&w10, &w120});
  ctx.notify(notifier, "n1", obj, "notify to watch3 watchers", 5000, {0, {&w10, &w120}, {}});
  ctx.watch_check(w10, true);
  ctx.watch_check(w120, true);
  ctx.unwatch(w10);
  ctx.unwatch(w120);
  for (auto* x : {&notifier, &c1, &c2}) ctx.shutdown(*x);
}

void watch_pings(Ctx& ctx) {
  const std::string obj = "cephwire-pings";
  auto& notifier = ctx.connect("notifier", "writes the object and notifies after 32 s");
  auto& c1 = ctx.connect("watcher", "holds a watch for 32 s (librados pings every 5 s)");
  ctx.write_full(notifier, obj, kObjectData);
  auto& w1 = ctx.watch(c1, "w1", obj, Policy::kAck, "still here", std::nullopt);
  for (int i = 0; i < 4; ++i) {
    ctx.wait(8, "hold the watch: Objecter::tick (objecter_tick_interval = 5 s) sends WATCH PING");
    // A confirmed watch is at most ~5 s (one ping interval) + one round trip old.
    int r = ctx.watch_check(w1, true);
    if (r > 7000) ctx.fail("watch_check age " + std::to_string(r) + " ms > 7000: no recent ping");
  }
  ctx.notify(notifier, "n1", obj, "notify after 32 s of pings", 5000, {0, {&w1}, {}});
  ctx.unwatch(w1);
  ctx.watch_flush(c1);
  for (auto* x : {&notifier, &c1}) ctx.shutdown(*x);
}

void errors(Ctx& ctx) {
  const std::string obj = "cephwire-errors";
  const std::string missing = "cephwire-missing";
  auto& notifier = ctx.connect("notifier", "notifies (a missing object, then the real one)");
  auto& c1 = ctx.connect("watcher", "watches (a missing object, then the real one)");
  // WATCH on an object that does not exist: the OSD answers -ENOENT; librados cancels the linger
  ctx.watch(c1, "w-missing", missing, Policy::kAck, "", std::nullopt, -ENOENT);
  // NOTIFY on an object that does not exist: -ENOENT in the op reply, no NOTIFY_COMPLETE
  ctx.notify(notifier, "n-missing", missing, "notify to a missing object", 3000,
             {-ENOENT, {}, {}});
  ctx.write_full(notifier, obj, kObjectData);
  auto& w1 = ctx.watch(c1, "w1", obj, Policy::kAck, "real ack", std::nullopt);
  // NOTIFY_ACK for a notify id the OSD never issued: librados returns 0 at once; the OSD finds
  // no such notify in progress on that watch and ignores it (PrimaryLogPG do_osd_op_effects /
  // Watch::notify_ack)
  ctx.notify_ack(c1, obj, 0x0123456789abcdefull, w1.cookie, "stray ack",
                 "NOTIFY_ACK for a notify id that does not exist (w1's cookie)");
  // ... and for a cookie that is no watch of this client
  ctx.notify_ack(c1, obj, 0x0123456789abcdeeull, 0x42, "",
                 "NOTIFY_ACK for an unknown notify id with an unknown cookie (0x42)");
  // the real notify is unaffected by the stray acks
  ctx.notify(notifier, "n1", obj, "real notify after stray acks", 5000, {0, {&w1}, {}});
  ctx.unwatch(w1);
  ctx.watch_flush(c1);
  ctx.note("unwatch/watch_check of a cookie unknown to librados is not exercised: in 16.2.15 "
           "IoCtxImpl::unwatch and Objecter::linger_check cast the cookie to a LingerOp* and "
           "dereference it (undefined behaviour). UNWATCH of a cookie the OSD no longer knows "
           "is in the watch-error scenario.");
  for (auto* x : {&notifier, &c1}) ctx.shutdown(*x);
}

// osd.N's entry in an `osd dump` json
const json* osd_entry(const json& dump, int id) {
  for (auto& o : dump.at("osds"))
    if (o.at("osd").get<int>() == id) return &o;
  return nullptr;
}

void osd_restart(Ctx& ctx) {
  const std::string obj = "cephwire-restart";
  auto& admin = ctx.connect("admin", "mon commands only (osd dump) to see the OSD come back");
  auto& notifier = ctx.connect("notifier", "writes the object and notifies before/after");
  auto& c1 = ctx.connect("watcher", "holds a watch across the OSD restart");
  ctx.write_full(notifier, obj, kObjectData);
  auto& w1 = ctx.watch(c1, "w1", obj, Policy::kAck, "before/after", std::nullopt);
  ctx.notify(notifier, "n1", obj, "notify before the OSD restart", 5000, {0, {&w1}, {}});
  std::string dump;
  ctx.mon_command(admin, {{"prefix", "osd dump"}, {"format", "json"}},
                  "osd.0's address and up_from before the restart", &dump);
  int up_from = 0;
  try {
    up_from = osd_entry(json::parse(dump), 0)->at("up_from").get<int>();
  } catch (const std::exception&) {
    ctx.fail("cannot parse osd dump");
  }
  // SIGTERM (memstore saves its data on a clean umount), start again with a new address
  ctx.cluster({"restart-osd", "--id", "0", "--no-wait"},
              "restart osd.0 (SIGTERM; osd_fast_shutdown=false so memstore keeps the object; "
              "start again: new address nonce)");
  ctx.poll_mon(admin, {{"prefix", "osd dump"}, {"format", "json"}},
               "wait until the osdmap shows the new osd.0 up",
               "osd.0 up with up_from > " + std::to_string(up_from),
               [&](const json& d) {
                 auto* o = osd_entry(d, 0);
                 return o && o->at("up").get<int>() == 1 && o->at("up_from").get<int>() > up_from;
               },
               60, nullptr);
  // both clients fetch the newest map now (so the run does not depend on when they would
  // learn it by themselves); the watcher then resends its linger op (WATCH op=RECONNECT)
  ctx.wait_for_latest_osdmap(c1, "the watcher gets the new osdmap (new osd.0 address)");
  ctx.wait_for_latest_osdmap(notifier, "the notifier gets the new osdmap");
  ctx.wait(2, "let the watcher's linger reconnect complete");
  ctx.watch_check(w1, true);
  ctx.notify(notifier, "n2", obj, "notify after the OSD restart", 10000, {0, {&w1}, {}});
  ctx.list_watchers(notifier, obj, {&w1});
  ctx.unwatch(w1);
  ctx.watch_flush(c1);
  for (auto* x : {&notifier, &c1, &admin}) ctx.shutdown(*x);
}

void watch_error(Ctx& ctx) {
  const std::string obj = "cephwire-watch-error";
  const uint32_t timeout = 3;
  auto& notifier = ctx.connect("notifier", "writes the object and notifies");
  Remote child(ctx, "watcher", "separate process; watch3 with a 3 s timeout; gets SIGSTOPped",
               obj);
  // objecter_tick_interval = 1: pings every second, so a 3 s watch timeout is safe while running
  json r = child.call({{"cmd", "connect"}, {"conf", {{"objecter_tick_interval", "1"}}}});
  child.client().gid = r["gid"].get<uint64_t>();
  child.client().addrs = r["addrs"].get<std::string>();
  ctx.write_full(notifier, obj, kObjectData);
  r = child.call({{"cmd", "watch"}, {"watch", "w1"}, {"timeout_s", timeout}, {"reply", "w1 ack"},
                  {"expect_errors", 1}});
  if (r["ret"] != 0) throw std::runtime_error("child watch failed");
  auto& w1 = remote_watch(ctx, child, "w1", obj, r["cookie"].get<uint64_t>(), timeout, "w1 ack");
  ctx.notify(notifier, "n1", obj, "notify before SIGSTOP", 5000, {0, {&w1}, {}});
  {
    Step s(ctx, "driver", "kill(SIGSTOP)",
           "stop the watcher process (pid " + std::to_string(child.pid()) +
               ") so it sends no ping for longer than its 3 s watch timeout",
           "kill returns 0");
    int k = kill(child.pid(), SIGSTOP);
    s.j()["pid"] = child.pid();
    s.end(k == 0, "kill returned " + std::to_string(k));
  }
  ctx.wait(6, "the OSD's watch timer fires after 3 s without a ping and removes the watch");
  {
    Step s(ctx, "driver", "kill(SIGCONT)", "resume the watcher process", "kill returns 0");
    int k = kill(child.pid(), SIGCONT);
    s.end(k == 0, "kill returned " + std::to_string(k));
  }
  // next ping gets -ENOTCONN (watch gone from oi.watchers), or the OSD's DISCONNECT arrives:
  // either way the error callback gets -ENOTCONN
  r = child.call({{"cmd", "wait_error"}, {"watch", "w1"}, {"seconds", 10}, {"expect", -ENOTCONN}});
  child.call({{"cmd", "watch_check"}, {"watch", "w1"}, {"expect_ok", false}, {"expect_err", -ENOTCONN}});
  // watch again first (a new linger op, so a new cookie while the old LingerOp still exists)
  r = child.call({{"cmd", "watch"}, {"watch", "w2"}, {"timeout_s", timeout}, {"reply", "w2 ack"},
                  {"expect_errors", 0}});
  if (r["ret"] != 0) throw std::runtime_error("child re-watch failed");
  auto& w2 = remote_watch(ctx, child, "w2", obj, r["cookie"].get<uint64_t>(), timeout, "w2 ack");
  // UNWATCH of a cookie the OSD no longer has: the OSD answers 0 ("can't remove: no watch")
  child.call({{"cmd", "unwatch"},
              {"watch", "w1"},
              {"expect", 0},
              {"why", "the OSD no longer knows this cookie (it timed the watch out)"}});
  ctx.list_watchers(notifier, obj, {&w2});
  ctx.notify(notifier, "n2", obj, "notify after the re-watch", 5000, {0, {&w2}, {}});
  child.call({{"cmd", "unwatch"}, {"watch", "w2"}, {"expect", 0}, {"why", ""}});
  child.call({{"cmd", "flush"}});
  int st = child.finish();
  if (st != 0) ctx.fail("watcher child process exited with status " + std::to_string(st));
  ctx.shutdown(notifier);
}

void primary_out(Ctx& ctx) {
  const std::string obj = "cephwire-primary-out";
  auto& admin = ctx.connect("admin", "mon commands only (osd map, osd out)");
  auto& notifier = ctx.connect("notifier", "writes the object and notifies before/after");
  auto& c1 = ctx.connect("watcher", "holds a watch while its primary OSD is marked out");
  ctx.write_full(notifier, obj, kObjectData);
  auto& w1 = ctx.watch(c1, "w1", obj, Policy::kAck, "w1 ack", std::nullopt);
  ctx.notify(notifier, "n1", obj, "notify to the first primary", 5000, {0, {&w1}, {}});
  const json map_cmd{{"prefix", "osd map"}, {"pool", ctx.opt.pool}, {"object", obj},
                     {"format", "json"}};
  std::string out;
  ctx.mon_command(admin, map_cmd, "which OSD is the acting primary of the object's PG", &out);
  int p1 = -1;
  try {
    p1 = json::parse(out).at("acting_primary").get<int>();
  } catch (const std::exception&) {
    ctx.fail("cannot parse osd map output");
    return;
  }
  ctx.mon_command(admin, {{"prefix", "osd out"}, {"ids", {std::to_string(p1)}}},
                  "mark the primary osd." + std::to_string(p1) + " out (it stays up)");
  json last;
  ctx.poll_mon(admin, map_cmd, "wait until the object's PG has another acting primary",
               "acting_primary != " + std::to_string(p1),
               [&](const json& m) {
                 int p = m.at("acting_primary").get<int>();
                 return p >= 0 && p != p1;
               },
               60, &last);
  // both clients fetch the newest map now: the watcher's Objecter sees the new interval and
  // resends its linger op (WATCH op=RECONNECT) to the new primary; the notifier targets the new
  // primary directly (with a stale map its notify linger could be sent twice: two NOTIFYs)
  ctx.wait_for_latest_osdmap(c1, "the watcher gets the osdmap with the new acting primary");
  ctx.wait_for_latest_osdmap(notifier, "the notifier gets the new osdmap");
  ctx.wait(2, "let the watcher's linger reconnect complete");
  ctx.watch_check(w1, true);
  ctx.notify(notifier, "n2", obj, "notify to the new primary", 10000, {0, {&w1}, {}});
  ctx.list_watchers(notifier, obj, {&w1});
  ctx.unwatch(w1);
  ctx.watch_flush(c1);
  for (auto* x : {&notifier, &c1, &admin}) ctx.shutdown(*x);
}

void namespace_long_name(Ctx& ctx) {
  const std::string ns = "cephwire-namespace";
  std::string obj = "cephwire-long-name-";
  while (obj.size() < 1000) obj += "0123456789abcdefghijklmnopqrstuvwxyz-";
  obj.resize(1000);
  auto& notifier = ctx.connect("notifier", "writes the object and notifies", ns);
  auto& c1 = ctx.connect("watcher", "watches the object (namespace, 1000-byte name)", ns);
  ctx.write_full(notifier, obj, kObjectData);
  auto& w1 = ctx.watch(c1, "w1", obj, Policy::kAck, "ack in a namespace", std::nullopt);
  ctx.list_watchers(notifier, obj, {&w1});
  ctx.notify(notifier, "n1", obj, "notify in a namespace", 5000, {0, {&w1}, {}});
  ctx.unwatch(w1);
  ctx.watch_flush(c1);
  for (auto* x : {&notifier, &c1}) ctx.shutdown(*x);
}

// RBD: a librbd client holds the image open (it owns the exclusive lock, so its ImageWatcher
// serves the CLI's requests), the `rbd` CLI resizes, snapshots and locks it, and a plain
// librados watcher on the image header records every ImageWatcher notify payload.
void rbd(Ctx& ctx) {
  const std::string image = "cephwire-img";
  const std::string spec = ctx.opt.pool + "/" + image;
  const std::vector<std::string> rbd_cli{"rbd", "-c", ctx.opt.conf};
  auto cli = [&](std::vector<std::string> args, const std::string& did, int rc = 0,
                 std::string* out = nullptr) {
    std::vector<std::string> argv = rbd_cli;
    argv.insert(argv.end(), args.begin(), args.end());
    return ctx.external("rbd-cli", argv, did, rc, out, 60);
  };
  cli({"create", "--size", "16M", "--image-feature", "layering,exclusive-lock", spec},
      "rbd create (format 2, features layering + exclusive-lock)");
  auto& holder = ctx.connect("rbd-holder", "librbd: opens the image, writes (takes the "
                                           "exclusive lock) and keeps it open");
  auto& hw = ctx.connect("header-watcher", "plain librados watch on rbd_header.<id>, acks "
                                           "with an empty reply");
  rbd_image_t img = nullptr;
  {
    Step s(ctx, "rbd-holder", "rbd_open", "open the image (librbd registers its ImageWatcher "
                                          "watch on the header object)", "ret == 0");
    int r = rbd_open(holder.io, image.c_str(), &img, nullptr);
    s.j()["ret"] = r;
    if (!s.end(r == 0, "ret " + errno_name(r))) return;
    ctx.pace();
  }
  {
    Step s(ctx, "rbd-holder", "rbd_write", "write 4 KiB at offset 0 (acquires the exclusive "
                                           "lock: AcquiredLock notify)", "ret == 4096");
    std::string data = pattern_payload("rbd-data", 4096);
    ssize_t r = rbd_write(img, 0, data.size(), data.data());
    s.j()["ret"] = r;
    s.end(r == 4096, "ret " + std::to_string(r));
    ctx.pace();
  }
  std::string header;
  {
    Step s(ctx, "rbd-holder", "rbd_get_id + rbd_is_exclusive_lock_owner",
           "find the header object and check the holder owns the lock", "ret == 0, owner == 1");
    char id[64] = {0};
    int r = rbd_get_id(img, id, sizeof id);
    int owner = 0;
    int r2 = rbd_is_exclusive_lock_owner(img, &owner);
    header = std::string("rbd_header.") + id;
    s.j()["ret"] = r;
    s.j()["image_id"] = id;
    s.j()["header_object"] = header;
    s.j()["lock_owner"] = owner;
    s.end(r == 0 && r2 == 0 && owner == 1, "ret " + errno_name(r) + ", owner " + std::to_string(owner));
    ctx.pace();
  }
  auto& wh = ctx.watch(hw, "w-header", header, Policy::kAckEmpty, "", std::nullopt);
  cli({"resize", "--size", "32M", spec},
      "rbd resize 16M -> 32M: the CLI asks the lock owner (ImageWatcher ResizePayload), the owner "
      "resizes and sends HeaderUpdate");
  cli({"snap", "create", spec + "@snap1"},
      "rbd snap create: SnapCreatePayload to the lock owner");
  // the advisory lock and the exclusive lock are the same cls_lock ("rbd_lock") on the header:
  // while the holder owns the exclusive lock, `rbd lock add` gets -EBUSY (exit status 16)
  cli({"lock", "add", spec, "cephwire-lock"},
      "rbd lock add while the holder owns the exclusive lock (same cls_lock name rbd_lock)", 16);
  cli({"info", spec}, "rbd info");
  {
    Step s(ctx, "rbd-holder", "rbd_get_size", "the holder sees the new size", "size == 32 MiB");
    uint64_t size = 0;
    int r = rbd_get_size(img, &size);
    s.j()["ret"] = r;
    s.j()["size"] = size;
    s.end(r == 0 && size == 32ull << 20, "ret " + errno_name(r) + ", size " + std::to_string(size));
    ctx.pace();
  }
  {
    Step s(ctx, "rbd-holder", "rbd_close",
           "close the image (releases the exclusive lock: ReleasedLock notify; unwatch)",
           "ret == 0");
    int r = rbd_close(img);
    s.j()["ret"] = r;
    s.end(r == 0, "ret " + errno_name(r));
    ctx.pace();
  }
  cli({"lock", "add", spec, "cephwire-lock"}, "rbd lock add (advisory lock, now free)");
  std::string locks;
  cli({"lock", "ls", "--format", "json", spec}, "rbd lock ls", 0, &locks);
  std::string locker;
  try {
    for (auto& l : json::parse(locks))
      if (l.value("id", "") == "cephwire-lock") locker = l.value("locker", "");
  } catch (const std::exception&) {
  }
  if (locker.empty()) ctx.fail("rbd lock ls did not list cephwire-lock");
  cli({"lock", "rm", spec, "cephwire-lock", locker}, "rbd lock rm (break our own advisory lock)");
  ctx.watch_flush(hw);
  {
    Step s(ctx, "header-watcher", "check", "the header watcher saw ImageWatcher notifies",
           "at least 3 notifies (resize, snap create, header updates)");
    size_t n;
    {
      std::lock_guard<std::mutex> l(wh.m);
      n = wh.seen.size();
    }
    s.j()["notifies"] = n;
    s.end(n >= 3, std::to_string(n) + " notifies");
  }
  ctx.unwatch(wh);
  ctx.shutdown(holder);
  ctx.shutdown(hw);
  ctx.note("librbd and the rbd CLI send their own ops (header reads, cls calls, lock ops, "
           "ImageWatcher notifies and acks); expected_wire_counts lists only the driver's own "
           "librados calls");
}

}  // namespace

const std::vector<ScenarioDef>& scenarios() {
  static const std::vector<ScenarioDef> defs = {
      {"watch-notify-basic", 1, false, 2,
       "1 watcher, 1 notify with a small payload, small ack reply, unwatch",
       "The watcher acks with a 16-byte reply; the NOTIFY_COMPLETE data lists it.", basic},
      {"notify-timeout", 1, false, 5,
       "2 watchers, one never acks; notify with a 3 s timeout returns -ETIMEDOUT",
       "After the 3 s notify timeout the OSD sends NOTIFY_COMPLETE with return_code -110 "
       "(ETIMEDOUT); its data lists the acking watcher with its reply and the silent watcher "
       "among the timeouts.",
       notify_timeout},
      {"multi-watchers", 1, false, 4,
       "3 watcher clients (one with 2 watches on the object), 3 back-to-back notifies, all acked",
       "The client with two watches appears twice in each NOTIFY_COMPLETE (same gid, two "
       "cookies); w3b acks with an empty reply.",
       multi_watchers},
      {"concurrent-notifies", 1, false, 3,
       "2 notifiers with 2 rados_aio_notify each in flight at once, 2 watchers ack all 4",
       "Four notify linger ops are outstanding together; each watcher gets 4 NOTIFYs with "
       "distinct notify ids and acks each.",
       concurrent_notifies},
      {"large-payloads", 1, false, 3,
       "a 300 KiB notify payload and a 200 KiB ack reply; then a 1-byte notify",
       "Payloads are lines \"<tag> <offset>\\n\" truncated to the length (see payload sha256).",
       large_payloads},
      {"list-watchers", 1, false, 2,
       "2 watchers, list_watchers, one unwatch, list again, last unwatch, list",
       "list_watchers reports watcher_id (gid), cookie, timeout_seconds (30 default, 45 for "
       "watch3) and the client address.",
       list_watchers},
      {"watch3-timeout", 1, false, 3,
       "rados_watch3 with 10 s and 120 s timeouts; list_watchers shows them; notify",
       "The timeout is carried in the WATCH op (op.watch.timeout) and reported back by "
       "LIST_WATCHERS.",
       watch3_timeout},
      {"watch-pings", 1, false, 36,
       "a watch held for 32 s: librados sends WATCH PING every 5 s; watch_check stays fresh",
       "About 6 pings per watch are on the wire (Objecter::tick, objecter_tick_interval = 5 s); "
       "the driver does not count them.",
       watch_pings},
      {"errors", 1, false, 4,
       "watch and notify on a missing object (-ENOENT), NOTIFY_ACK for unknown notify ids",
       "Stray NOTIFY_ACKs are sent as read ops; librados does not wait for their replies.",
       errors},
      {"osd-restart", 1, true, 10,
       "a watch survives an OSD restart: the client reconnects its linger op",
       "osd.0 restarts with a new address; the watcher's Objecter resets its session and sends "
       "WATCH op=RECONNECT; a later notify reaches it.",
       osd_restart},
      {"watch-error", 1, false, 14,
       "the watcher process is SIGSTOPped past its 3 s watch3 timeout: -ENOTCONN, re-watch",
       "The watcher runs in its own process (objecter_tick_interval = 1). The OSD times the "
       "watch out; after SIGCONT the watcher's error callback gets -ENOTCONN; it watches again "
       "(w2, new cookie), then unwatches the old cookie, which the OSD no longer knows (ret 0).",
       watch_error},
      {"primary-out", 3, false, 8,
       "3 OSDs (pool size 3): the watched object's primary is marked out; the linger op is "
       "resent to the new primary",
       "After `ceph osd out` the PG's acting primary changes; the watcher's Objecter resends "
       "its linger (RECONNECT) to the new primary, which serves the next notify.",
       primary_out},
      {"namespace-long-name", 1, false, 2,
       "watch/notify on an object in a namespace with a 1000-byte name",
       "The namespace and the long name are in every MOSDOp's hobject and in list_watchers.",
       namespace_long_name},
      {"rbd", 1, true, 20,
       "real RBD: librbd holds an image open (exclusive lock owner) while the rbd CLI resizes, "
       "snapshots and locks it; a plain watcher on the header records the ImageWatcher payloads",
       "The ImageWatcher notify payloads (librbd WatchNotifyTypes) are in the header "
       "watcher's notify_received lines.",
       rbd},
  };
  return defs;
}

// ------------------------------------------------------------------ child client (child side)

int child_main(const Options& opt, int ctl_in, int ctl_out, const std::string& name,
               const std::string& role, const std::string& object) {
  Ctx ctx(opt);
  Client* client = nullptr;
  std::map<std::string, Watch*> ws;
  Watch* w = nullptr;
  FILE* in = fdopen(ctl_in, "r");
  auto reply = [&](json j) {
    std::string s = j.dump() + "\n";
    if (write(ctl_out, s.data(), s.size()) < 0) _exit(4);
  };
  char* line = nullptr;
  size_t cap = 0;
  while (getline(&line, &cap, in) > 0) {
    json cmd = json::parse(line);
    ctx.fixed_step = cmd["step"].get<int>();
    std::string c = cmd["cmd"];
    try {
      if (cmd.contains("watch") && ws.count(cmd["watch"].get<std::string>()))
        w = ws[cmd["watch"].get<std::string>()];
      if (c == "connect") {
        std::vector<std::pair<std::string, std::string>> conf;
        for (auto& [k, v] : cmd["conf"].items()) conf.emplace_back(k, v.get<std::string>());
        client = &ctx.connect(name, role, "", conf);
        reply({{"ok", true}, {"gid", client->gid}, {"addrs", client->addrs}});
      } else if (c == "watch") {
        w = &ctx.watch(*client, cmd["watch"], object, Policy::kAck, cmd["reply"],
                       cmd["timeout_s"].get<uint32_t>());
        w->expect_errors = cmd["expect_errors"].get<int>();
        ws[w->name] = w;
        reply({{"ret", w->cookie ? 0 : -1}, {"cookie", w->cookie.load()}});
      } else if (c == "wait_error") {
        Step s(ctx, name, "wait for the watch error callback",
               "the watch error callback of " + w->name + " runs",
               "err == " + errno_name(cmd["expect"].get<int>()));
        int err = 0;
        bool got = ctx.wait_for_error(*w, cmd["seconds"].get<double>(), &err);
        s.j()["err"] = err;
        s.end(got && err == cmd["expect"].get<int>(),
              got ? "err " + errno_name(err) : "no error callback");
        ctx.pace();
        reply({{"ret", err}});
      } else if (c == "watch_check") {
        int r = ctx.watch_check(*w, cmd["expect_ok"], cmd["expect_err"]);
        reply({{"ret", r}});
      } else if (c == "unwatch") {
        int r = ctx.unwatch(*w, cmd["expect"], cmd["why"]);
        reply({{"ret", r}});
      } else if (c == "flush") {
        reply({{"ret", ctx.watch_flush(*client)}});
      } else if (c == "shutdown") {
        ctx.check_watch_errors();
        if (client) ctx.shutdown(*client);
        json wj = json::object();
        for (auto& [k, v] : ctx.wire_counts()) wj[k] = v;
        reply({{"ok", ctx.ok}, {"wire", wj}});
        break;
      } else {
        reply({{"error", "unknown command"}});
      }
    } catch (const std::exception& e) {
      reply({{"error", e.what()}});
    }
  }
  free(line);
  return ctx.ok ? 0 : 1;
}

}  // namespace cephwire::scenario
