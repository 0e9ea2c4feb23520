// bench_cephwire: the cephwire half of tools/bench_live.sh (net/bench_librados.cc is the
// librados half; both print the same JSON so the script can put them side by side).
//
//   bench_cephwire latency -c CONF -p POOL OBJ --watchers N --count M [--msgr v1|v2]
//     N watcher clients (each its own RadosClient: own mon session, own OSD session, own
//     global id) and one notifier client, all on ONE io_context (one thread). M notifies one
//     after the other; each is timed from the notify call to its completion with N acks.
//     -> {"impl":"cephwire","mode":"latency","watchers":N,"count":M,"p50_us":..,"p99_us":..,
//         "mean_us":..,"max_us":..,"failures":F}
//   bench_cephwire hold -c CONF -p POOL PREFIX --objects K --watches W --seconds S
//     one client, W watches over the K objects PREFIX.0 .. PREFIX.K-1 (round robin; the objects
//     must exist), then S seconds of steady pinging.
//     -> {"impl":"cephwire","mode":"hold","watches":W,"objects":K,"register_s":..,
//         "rss_kb_before":..,"rss_kb_after":..,"rss_kb_end":..,"cpu_s":..,"seconds":S,
//         "cpu_s_per_min":..,"errors":E}
//   (rss_kb_before: after connect, before the first watch.)
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "net/bench_common.h"
#include "net/config.h"
#include "net/rados_client.h"

namespace {

namespace asio = boost::asio;
using namespace cephwire;
using Clock = std::chrono::steady_clock;
using bench::cpu_s;
using bench::Opts;
using bench::rss_kb;

std::unique_ptr<net::RadosClient> make_client(asio::io_context& io, const Opts& o) {
  net::RadosClientConfig cfg;
  auto mons = net::mon_host_from_conf(o.conf, "admin");
  if (!mons) {
    std::fprintf(stderr, "bench: %s\n", mons.error().to_string().c_str());
    std::exit(2);
  }
  cfg.mons = std::move(*mons);
  if (o.msgr == "v1") cfg.msgr = net::Msgr::kV1;
  if (o.msgr == "v2") cfg.msgr = net::Msgr::kV2;
  return std::make_unique<net::RadosClient>(io, std::move(cfg));
}

int run_latency(const Opts& o) {
  asio::io_context io;
  std::vector<std::unique_ptr<net::RadosClient>> cls;
  for (int i = 0; i <= o.watchers; ++i) cls.push_back(make_client(io, o));
  auto& notifier = *cls.back();
  client::ObjectId obj;
  obj.name = o.object;
  int connected = 0, registered = 0, failures = 0, sent = 0;
  uint64_t handle = 0;
  Clock::time_point t0;
  std::vector<double> lat;
  const codec::Bytes payload = codec::Bytes::from_string("bench");
  const codec::Bytes reply = codec::Bytes::from_string("ack");

  auto shutdown_all = [&] {
    for (auto& c : cls) c->shutdown();
  };
  auto next = [&] {
    if (sent == o.count) return shutdown_all();
    ++sent;
    t0 = Clock::now();
    handle = notifier.notify(obj, payload, 10000);
  };
  for (int i = 0; i < o.watchers; ++i) {
    auto* c = cls[static_cast<size_t>(i)].get();
    c->on_event([&, c](const client::Event& e) {
      if (auto* r = std::get_if<client::ev::WatchRegistered>(&e)) {
        if (r->result < 0) {
          std::fprintf(stderr, "bench: watch failed: %d\n", r->result);
          return shutdown_all();
        }
        if (++registered == o.watchers) next();
      } else if (auto* n = std::get_if<client::ev::WatchNotify>(&e)) {
        c->notify_ack(obj, n->notify_id, n->cookie, reply);
      } else if (auto* err = std::get_if<client::ev::WatchError>(&e)) {
        std::fprintf(stderr, "bench: watch error %d\n", err->error);
      }
    });
  }
  notifier.on_event([&](const client::Event& e) {
    auto* d = std::get_if<client::ev::NotifyDone>(&e);
    if (!d || d->handle != handle) return;
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
    if (d->result != 0 || d->acks.size() != static_cast<size_t>(o.watchers))
      ++failures;
    else
      lat.push_back(us);
    // Post: don't start the next notify from inside the client's event dispatch.
    asio::post(io, next);
  });
  for (auto& c : cls) {
    auto* cp = c.get();
    cp->connect([&, cp](int r) {
      if (r < 0) {
        std::fprintf(stderr, "bench: connect: %d\n", r);
        return shutdown_all();
      }
      auto pool = cp->lookup_pool(o.pool);
      if (!pool) {
        std::fprintf(stderr, "bench: no pool %s\n", o.pool.c_str());
        return shutdown_all();
      }
      obj.pool = *pool;
      if (++connected == o.watchers + 1)
        for (int i = 0; i < o.watchers; ++i) cls[static_cast<size_t>(i)]->watch(obj, 0);
    });
  }
  io.run();
  bench::print_latency("cephwire", o, lat, failures);
  return failures == 0 && static_cast<int>(lat.size()) == o.count ? 0 : 1;
}

int run_hold(const Opts& o) {
  asio::io_context io;
  auto cl = make_client(io, o);
  asio::steady_timer timer(io);
  int registered = 0, errors = 0;
  long rss_before = 0, rss_after = 0;
  double cpu0 = 0;
  Clock::time_point t_watch;
  double register_s = 0;
  cl->on_event([&](const client::Event& e) {
    if (auto* r = std::get_if<client::ev::WatchRegistered>(&e)) {
      if (r->result < 0 && ++errors <= 5)
        std::fprintf(stderr, "bench: watch %lu registration %d\n",
                     static_cast<unsigned long>(r->cookie), r->result);
      if (++registered == o.watches) {
        register_s = std::chrono::duration<double>(Clock::now() - t_watch).count();
        rss_after = rss_kb();
        cpu0 = cpu_s();
        std::fprintf(stderr, "bench: %d watches registered in %.2f s; holding %.0f s\n",
                     o.watches, register_s, o.seconds);
        timer.expires_after(std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::duration<double>(o.seconds)));
        timer.async_wait([&](const boost::system::error_code& ec) {
          if (ec) return;
          const double cpu = cpu_s() - cpu0;
          bench::print_hold("cephwire", o, register_s, rss_before, rss_after, rss_kb(), cpu,
                            errors);
          cl->shutdown();
        });
      }
    } else if (auto* err = std::get_if<client::ev::WatchError>(&e)) {
      if (++errors <= 5) std::fprintf(stderr, "bench: watch %lu error %d\n",
                                      static_cast<unsigned long>(err->cookie), err->error);
    }
  });
  cl->connect([&](int r) {
    if (r < 0) {
      std::fprintf(stderr, "bench: connect: %d\n", r);
      return cl->shutdown();
    }
    auto pool = cl->lookup_pool(o.pool);
    if (!pool) {
      std::fprintf(stderr, "bench: no pool %s\n", o.pool.c_str());
      return cl->shutdown();
    }
    rss_before = rss_kb();
    t_watch = Clock::now();
    client::ObjectId obj;
    obj.pool = *pool;
    for (int i = 0; i < o.watches; ++i) {
      obj.name = o.object + "." + std::to_string(i % o.objects);
      cl->watch(obj, 0);
    }
  });
  io.run();
  return errors == 0 && registered == o.watches ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cephwire side of tools/bench_live.sh"};
  app.require_subcommand(1);
  Opts o;
  int rc = 0;
  for (const char* mode : {"latency", "hold"}) {
    auto* sub = app.add_subcommand(mode, mode);
    sub->add_option("-c,--conf", o.conf)->required();
    sub->add_option("-p,--pool", o.pool)->required();
    sub->add_option("--msgr", o.msgr);
    sub->add_option("object", o.object, "object (latency) or object name prefix (hold)")->required();
    sub->add_option("--watchers", o.watchers);
    sub->add_option("--count", o.count);
    sub->add_option("--objects", o.objects);
    sub->add_option("--watches", o.watches);
    sub->add_option("--seconds", o.seconds);
    const std::string m = mode;
    sub->callback([&o, &rc, m] { rc = m == "latency" ? run_latency(o) : run_hold(o); });
  }
  CLI11_PARSE(app, argc, argv);
  return rc;
}
