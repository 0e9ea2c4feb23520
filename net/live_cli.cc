// `cephwire watch`, `cephwire notify`, `cephwire listwatchers` (declared in net/live_cli.h and
// tools/cli/commands.h): the watch core on the network
// against a real cluster (net/rados_client.h), one JSON object per line on stdout.
//
//   cephwire watch -c CONF -p POOL OBJ [--ack-payload S] [--timeout S] [--for SECONDS]
//     {"ev":"connected",...} {"ev":"registered","cookie":C} then per event: "notify"
//     (notify_id, notifier_gid, payload as text when printable, payload_hex), "ack_sent",
//     "error" (code, errno name; the watch is then dropped and registered again: "rewatch"),
//     "reconnected" ("registered" and "reconnected" carry "osd": the object's acting primary
//     in the current map, where the linger was (re)sent), transport notices ("authenticated", "map" epoch, "session_up",
//     "session_reset", "connect_error"; peer "mon" or "osd.N"), and at the end "unwatched". Exit 0 after --for seconds (or SIGINT/SIGTERM), 1 on a failure.
//   cephwire notify -c CONF -p POOL OBJ PAYLOAD [--timeout S]
//     one object {"result", "notify_id", "acks": [{"gid","cookie","payload","payload_hex"}],
//     "timeouts": [{"gid","cookie"}]}; exit 0 when every watcher acked.
//   cephwire listwatchers -c CONF -p POOL OBJ
//     {"watchers": [{"watcher","cookie","timeout","addr"}]}
// Common: -m ADDR instead of -c, --msgr v1|v2 (default: what the monitors offer, v2 first),
// --id NAME (client.NAME, default admin), --mount-timeout S, --inject RULE (fault injection,
// see net/interceptor.h; repeatable), --debug (transport log on stderr).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "client/wire.h"
#include "codec/json_writer.h"
#include "net/config.h"
#include "net/interceptor.h"
#include "net/rados_client.h"
#include "net/live_cli.h"

namespace cephwire::cli {

namespace asio = boost::asio;
using codec::JsonWriter;

namespace {

struct Common {
  std::string conf;
  std::string mon;
  std::string pool;
  std::string msgr;
  std::string id = "admin";
  double mount_timeout = 60;
  std::vector<std::string> inject;
  bool debug = false;
  std::string object;
};

void add_common(CLI::App* sub, Common& c) {
  sub->add_option("-c,--conf", c.conf, "ceph.conf to read `mon host` from");
  sub->add_option("-m,--mon", c.mon, "monitor address(es), as in `mon host`");
  sub->add_option("-p,--pool", c.pool, "pool name")->required();
  sub->add_option("--msgr", c.msgr, "messenger: v1 or v2 (default: v2 when offered)")
      ->check(CLI::IsMember({"v1", "v2"}));
  sub->add_option("--id", c.id, "client id (client.ID)");
  sub->add_option("--mount-timeout", c.mount_timeout, "seconds to wait for the cluster");
  sub->add_option("--inject", c.inject, "fault-injection rule (net/interceptor.h), repeatable");
  sub->add_flag("--debug", c.debug, "transport log on stderr");
  sub->add_option("object", c.object, "object name")->required();
}

void emit(JsonWriter& w) {
  std::printf("%s\n", w.str().c_str());
  std::fflush(stdout);
  w.clear();
}

bool printable(std::span<const uint8_t> b) {
  for (uint8_t c : b)
    if ((c < 0x20 || c > 0x7e) && c != '\n' && c != '\t' && c != '\r') return false;
  return true;
}

// "payload": text (when printable) and "payload_hex".
void payload_fields(JsonWriter& w, const codec::Bytes& b, const char* key = "payload") {
  if (printable(b.span())) {
    w.key(key);
    w.value(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  }
  w.key(std::string(key) + "_hex");
  w.hex(b.span());
}

const char* errno_name(int e) {
  switch (e < 0 ? -e : e) {
    case 0: return "OK";
    case ENOENT: return "ENOENT";
    case EINVAL: return "EINVAL";
    case ENOTCONN: return "ENOTCONN";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ESHUTDOWN: return "ESHUTDOWN";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    default: return "E?";
  }
}

// Everything a command needs: the io_context, the client, the fault rules.
struct Run {
  asio::io_context io;
  net::Interceptor interceptor;
  std::unique_ptr<net::RadosClient> client;
  client::ObjectId obj;
  int rc = 1;
  JsonWriter w;

  bool setup(const Common& c) {
    net::RadosClientConfig cfg;
    codec::Result<std::vector<net::MonAddrs>> mons =
        !c.mon.empty() ? net::parse_mon_host(c.mon)
        : !c.conf.empty() ? net::mon_host_from_conf(c.conf, c.id)
                          : net::mon_host_from_conf("/etc/ceph/ceph.conf", c.id);
    if (!mons) {
      std::fprintf(stderr, "cephwire: %s\n", mons.error().to_string().c_str());
      rc = 2;
      return false;
    }
    cfg.mons = std::move(*mons);
    if (c.msgr == "v1") cfg.msgr = net::Msgr::kV1;
    if (c.msgr == "v2") cfg.msgr = net::Msgr::kV2;
    cfg.entity_id = c.id;
    cfg.mount_timeout = std::chrono::duration_cast<net::Duration>(
        std::chrono::duration<double>(c.mount_timeout));
    for (const auto& text : c.inject) {
      auto r = net::FaultRule::parse(text);
      if (!r) {
        std::fprintf(stderr, "cephwire: --inject %s: %s\n", text.c_str(), r.error().detail.c_str());
        rc = 2;
        return false;
      }
      interceptor.add(*r);
    }
    if (!c.inject.empty()) cfg.interceptor = &interceptor;
    debug = c.debug;
    if (c.debug) cfg.log = [](const std::string& s) { std::fprintf(stderr, "cephwire: %s\n", s.c_str()); };
    client = std::make_unique<net::RadosClient>(io, std::move(cfg));
    client->on_notice([this](const net::Notice& n) { notice(n); });
    obj.name = c.object;
    return true;
  }

  bool notices = false;  // watch: transport notices as JSON lines; otherwise stderr (--debug)
  bool debug = false;

  void notice(const net::Notice& n) {
    const std::string peer = n.osd < 0 ? "mon" : "osd." + std::to_string(n.osd);
    if (!notices) {
      if (debug || n.kind == net::Notice::kMapError)
        std::fprintf(stderr, "cephwire: %s %s %s\n", peer.c_str(), notice_name(n.kind),
                     n.detail.c_str());
      return;
    }
    w.begin_object();
    w.kv("ev", notice_name(n.kind));
    w.kv("peer", peer);
    switch (n.kind) {
      case net::Notice::kAuthenticated:
        w.kv("global_id", n.value);
        break;
      case net::Notice::kMapEpoch:
        w.kv("epoch", n.value);
        break;
      case net::Notice::kSessionReset:
      case net::Notice::kConnectError:
      case net::Notice::kMapError:
        w.kv("reason", n.detail);
        break;
      case net::Notice::kSessionUp:
        break;
    }
    w.end_object();
    emit(w);
  }

  static const char* notice_name(net::Notice::Kind k) {
    switch (k) {
      case net::Notice::kAuthenticated: return "authenticated";
      case net::Notice::kMapEpoch: return "map";
      case net::Notice::kSessionUp: return "session_up";
      case net::Notice::kSessionReset: return "session_reset";
      case net::Notice::kConnectError: return "connect_error";
      case net::Notice::kMapError: return "map_error";
    }
    return "?";
  }

  // Connects, resolves the pool, then calls `then`.
  void start(const Common& c, std::function<void()> then, bool announce) {
    client->connect([this, c, then = std::move(then), announce](int r) {
      if (r < 0) {
        std::fprintf(stderr, "cephwire: cannot reach the cluster: %s\n", std::strerror(-r));
        rc = 1;
        client->shutdown();
        return;
      }
      auto pool = client->lookup_pool(c.pool);
      if (!pool) {
        std::fprintf(stderr, "cephwire: no pool named \"%s\"\n", c.pool.c_str());
        rc = 1;
        client->shutdown();
        return;
      }
      obj.pool = *pool;
      if (announce) {
        w.begin_object();
        w.kv("ev", "connected");
        w.kv("global_id", client->global_id());
        w.kv("epoch", client->epoch());
        w.kv("msgr", std::string(net::to_string(client->msgr())));
        w.kv("pool", obj.pool);
        w.end_object();
        emit(w);
      }
      then();
    });
  }
};

// ---------------------------------------------------------------------------------------

struct WatchOpts {
  Common c;
  std::string ack_payload;
  uint32_t timeout = 0;
  double for_seconds = 0;
};

int run_watch(const WatchOpts& o) {
  Run run;
  run.notices = true;
  if (!run.setup(o.c)) return run.rc;
  auto& cl = *run.client;
  uint64_t cookie = 0;
  bool stopping = false;
  asio::steady_timer stop_timer(run.io);
  asio::steady_timer give_up(run.io);  // an unwatch that cannot complete (cluster gone)
  asio::signal_set signals(run.io, SIGINT, SIGTERM);

  auto stop = [&](int code) {
    if (stopping) return;
    stopping = true;
    run.rc = code;
    stop_timer.cancel();
    signals.cancel();
    if (cookie && cl.unwatch(cookie) == 0) {  // ev::Unwatched finishes
      give_up.expires_after(std::chrono::seconds(10));
      give_up.async_wait([&](const boost::system::error_code& ec) {
        if (ec) return;
        std::fprintf(stderr, "cephwire: the unwatch did not complete; exiting anyway\n");
        cl.shutdown();
      });
      return;
    }
    cl.shutdown();
  };

  cl.on_event([&](const client::Event& e) {
    JsonWriter& w = run.w;
    if (auto* r = std::get_if<client::ev::WatchRegistered>(&e)) {
      w.begin_object();
      if (r->result < 0) {
        w.kv("ev", "error");
        w.kv("cookie", r->cookie);
        w.kv("code", r->result);
        w.kv("error", errno_name(r->result));
        w.kv("during", "register");
        w.end_object();
        emit(w);
        cookie = 0;
        return stop(1);
      }
      w.kv("ev", "registered");
      w.kv("cookie", r->cookie);
      w.kv("osd", cl.target_osd(run.obj));
      w.end_object();
      emit(w);
    } else if (auto* n = std::get_if<client::ev::WatchNotify>(&e)) {
      w.begin_object();
      w.kv("ev", "notify");
      w.kv("cookie", n->cookie);
      w.kv("notify_id", n->notify_id);
      w.kv("notifier_gid", n->notifier_gid);
      payload_fields(w, n->payload);
      w.end_object();
      emit(w);
      const codec::Bytes reply = codec::Bytes::from_string(o.ack_payload);
      cl.notify_ack(run.obj, n->notify_id, n->cookie, reply);
      w.begin_object();
      w.kv("ev", "ack_sent");
      w.kv("cookie", n->cookie);
      w.kv("notify_id", n->notify_id);
      payload_fields(w, reply);
      w.end_object();
      emit(w);
    } else if (auto* err = std::get_if<client::ev::WatchError>(&e)) {
      w.begin_object();
      w.kv("ev", "error");
      w.kv("cookie", err->cookie);
      w.kv("code", err->error);
      w.kv("error", errno_name(err->error));
      w.end_object();
      emit(w);
      if (stopping) return;
      // librados: the watch is no longer valid; unwatch it and watch again.
      const uint64_t old = err->cookie;
      cl.unwatch(old);
      cookie = cl.watch(run.obj, o.timeout);
      w.begin_object();
      w.kv("ev", "rewatch");
      w.kv("old_cookie", old);
      w.kv("cookie", cookie);
      w.end_object();
      emit(w);
    } else if (auto* rc = std::get_if<client::ev::WatchReconnected>(&e)) {
      w.begin_object();
      w.kv("ev", "reconnected");
      w.kv("cookie", rc->cookie);
      w.kv("osd", cl.target_osd(run.obj));
      w.end_object();
      emit(w);
    } else if (auto* u = std::get_if<client::ev::Unwatched>(&e)) {
      if (u->cookie != cookie) return;  // an old watch dropped after an error
      w.begin_object();
      w.kv("ev", "unwatched");
      w.kv("cookie", u->cookie);
      w.kv("result", u->result);
      w.end_object();
      emit(w);
      give_up.cancel();
      cl.shutdown();
    }
  });

  run.start(o.c, [&] {
    cookie = cl.watch(run.obj, o.timeout);
    if (o.for_seconds > 0) {
      stop_timer.expires_after(std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::duration<double>(o.for_seconds)));
      stop_timer.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) stop(0);
      });
    }
  }, true);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) stop(0);
  });
  run.rc = 0;
  run.io.run();
  return run.rc;
}

struct NotifyOpts {
  Common c;
  std::string payload;
  double timeout = 10;
};

int run_notify(const NotifyOpts& o) {
  Run run;
  if (!run.setup(o.c)) return run.rc;
  auto& cl = *run.client;
  uint64_t handle = 0;
  cl.on_event([&](const client::Event& e) {
    auto* d = std::get_if<client::ev::NotifyDone>(&e);
    if (!d || d->handle != handle) return;
    JsonWriter& w = run.w;
    w.begin_object();
    w.kv("result", d->result);
    w.kv("error", errno_name(d->result));
    w.kv("notify_id", d->notify_id);
    w.key("acks");
    w.begin_array();
    for (const auto& a : d->acks) {
      w.begin_object();
      w.kv("gid", a.gid);
      w.kv("cookie", a.cookie);
      payload_fields(w, a.payload);
      w.end_object();
    }
    w.end_array();
    w.key("timeouts");
    w.begin_array();
    for (const auto& t : d->timeouts) {
      w.begin_object();
      w.kv("gid", t.gid);
      w.kv("cookie", t.cookie);
      w.end_object();
    }
    w.end_array();
    w.end_object();
    emit(w);
    run.rc = d->result == 0 && d->timeouts.empty() ? 0 : 1;
    cl.shutdown();
  });
  run.start(o.c, [&] {
    handle = cl.notify(run.obj, codec::Bytes::from_string(o.payload),
                       static_cast<uint32_t>(o.timeout * 1000));
  }, false);
  run.io.run();
  return run.rc;
}

int run_listwatchers(const Common& c) {
  Run run;
  if (!run.setup(c)) return run.rc;
  auto& cl = *run.client;
  uint64_t handle = 0;
  cl.on_event([&](const client::Event& e) {
    auto* d = std::get_if<client::ev::OpDone>(&e);
    if (!d || d->handle != handle) return;
    if (d->result < 0) {
      std::fprintf(stderr, "cephwire: list-watchers: %s (%d)\n", errno_name(d->result), d->result);
      run.rc = 1;
      return cl.shutdown();
    }
    auto watchers = client::wire::watchers_from(d->data);
    if (!watchers) {
      std::fprintf(stderr, "cephwire: list-watchers reply: %s\n", watchers.error().to_string().c_str());
      run.rc = 1;
      return cl.shutdown();
    }
    JsonWriter& w = run.w;
    w.begin_object();
    w.key("watchers");
    w.begin_array();
    for (const auto& x : *watchers) {
      w.begin_object();
      w.kv("watcher", x.name);
      w.kv("cookie", x.cookie);
      w.kv("timeout", x.timeout_seconds);
      w.kv("addr", x.addr);
      w.end_object();
    }
    w.end_array();
    w.end_object();
    emit(w);
    run.rc = 0;
    cl.shutdown();
  });
  run.start(c, [&] { handle = cl.list_watchers(run.obj); }, false);
  run.io.run();
  return run.rc;
}

}  // namespace

void add_watch(CLI::App& app, int* rc) {
  auto o = std::make_shared<WatchOpts>();
  auto* sub = app.add_subcommand("watch", "Watch an object on a live cluster; one JSON line per event");
  add_common(sub, o->c);
  sub->add_option("--ack-payload", o->ack_payload, "payload of our notify acks");
  sub->add_option("--timeout", o->timeout, "watch timeout in seconds (0: the OSD's default)");
  sub->add_option("--for", o->for_seconds, "unwatch and exit after this many seconds");
  sub->callback([o, rc] { *rc = run_watch(*o); });
}

void add_notify(CLI::App& app, int* rc) {
  auto o = std::make_shared<NotifyOpts>();
  auto* sub = app.add_subcommand("notify", "Notify an object's watchers on a live cluster");
  add_common(sub, o->c);
  sub->add_option("payload", o->payload, "notify payload")->required();
  sub->add_option("--timeout", o->timeout, "seconds the OSD waits for acks");
  sub->callback([o, rc] { *rc = run_notify(*o); });
}

void add_listwatchers(CLI::App& app, int* rc) {
  auto o = std::make_shared<Common>();
  auto* sub = app.add_subcommand("listwatchers", "List an object's watchers on a live cluster");
  add_common(sub, *o);
  sub->callback([o, rc] { *rc = run_listwatchers(*o); });
}

}  // namespace cephwire::cli
