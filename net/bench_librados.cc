// bench_librados: the librados 16.2.15 half of tools/bench_live.sh (same modes, arguments and
// JSON as net/bench_cephwire.cc, "impl":"librados"), with librados's C API.
//
//   bench_librados latency -c CONF -p POOL OBJ --watchers N --count M
//     N watcher clients (each its own rados_t: own mon session, OSD session, global id and
//     threads) acking with rados_notify_ack from their watch callback, and one notifier
//     rados_t; M rados_notify2 one after the other, each timed until it returns with N acks.
//   bench_librados hold -c CONF -p POOL PREFIX --objects K --watches W --seconds S
//     one rados_t, W watches (rados_aio_watch2, default timeout) over PREFIX.0 .. PREFIX.K-1.
//   bench_librados create -c CONF -p POOL PREFIX --objects K
//     writes the K objects (rados_aio_write_full, 64 in flight).
#include <rados/librados.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/bench_common.h"

namespace {

using namespace cephwire;
using Clock = std::chrono::steady_clock;
using bench::cpu_s;
using bench::Opts;
using bench::rss_kb;

struct Client {
  rados_t cluster = nullptr;
  rados_ioctx_t io = nullptr;
};

bool open_client(const Opts& o, Client& c) {
  int r = rados_create(&c.cluster, "admin");
  if (r == 0) r = rados_conf_read_file(c.cluster, o.conf.c_str());
  if (r == 0) r = rados_connect(c.cluster);
  if (r == 0) r = rados_ioctx_create(c.cluster, o.pool.c_str(), &c.io);
  if (r < 0) {
    std::fprintf(stderr, "bench: librados setup: %s\n", std::strerror(-r));
    return false;
  }
  return true;
}

void close_client(Client& c) {
  if (c.io) rados_ioctx_destroy(c.io);
  if (c.cluster) rados_shutdown(c.cluster);
  c = {};
}

struct Watcher {
  Client c;
  std::string obj;
  uint64_t cookie = 0;
};

void on_notify(void* arg, uint64_t notify_id, uint64_t cookie, uint64_t, void*, size_t) {
  auto* w = static_cast<Watcher*>(arg);
  rados_notify_ack(w->c.io, w->obj.c_str(), notify_id, cookie, "ack", 3);
}

std::atomic<int> g_errors{0};
void on_error(void*, uint64_t, int err) {
  std::fprintf(stderr, "bench: watch error %d\n", err);
  ++g_errors;
}

int run_latency(const Opts& o) {
  std::vector<std::unique_ptr<Watcher>> ws;
  for (int i = 0; i < o.watchers; ++i) {
    auto w = std::make_unique<Watcher>();
    w->obj = o.object;
    if (!open_client(o, w->c)) return 1;
    int r = rados_watch2(w->c.io, o.object.c_str(), &w->cookie, on_notify, on_error, w.get());
    if (r < 0) {
      std::fprintf(stderr, "bench: rados_watch2: %s\n", std::strerror(-r));
      return 1;
    }
    ws.push_back(std::move(w));
  }
  Client n;
  if (!open_client(o, n)) return 1;
  std::vector<double> lat;
  int failures = 0;
  for (int i = 0; i < o.count; ++i) {
    char* reply = nullptr;
    size_t reply_len = 0;
    const auto t0 = Clock::now();
    int r = rados_notify2(n.io, o.object.c_str(), "bench", 5, 10000, &reply, &reply_len);
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
    uint32_t acks = 0;
    if (reply && reply_len >= 4) std::memcpy(&acks, reply, 4);  // le32 number of acks
    if (reply) rados_buffer_free(reply);
    if (r != 0 || acks != static_cast<uint32_t>(o.watchers))
      ++failures;
    else
      lat.push_back(us);
  }
  for (auto& w : ws) {
    rados_unwatch2(w->c.io, w->cookie);
    close_client(w->c);
  }
  close_client(n);
  bench::print_latency("librados", o, lat, failures);
  return failures == 0 ? 0 : 1;
}

int run_hold(const Opts& o) {
  Client c;
  if (!open_client(o, c)) return 1;
  const long rss_before = rss_kb();
  std::vector<Watcher> ws(static_cast<size_t>(o.watches));
  std::vector<rados_completion_t> comps(ws.size());
  const auto t0 = Clock::now();
  for (size_t i = 0; i < ws.size(); ++i) {
    ws[i].c = c;
    ws[i].obj = o.object + "." + std::to_string(i % static_cast<size_t>(o.objects));
    rados_aio_create_completion2(nullptr, nullptr, &comps[i]);
    int r = rados_aio_watch2(c.io, ws[i].obj.c_str(), comps[i], &ws[i].cookie, on_notify,
                             on_error, 0, &ws[i]);
    if (r < 0) ++g_errors;
  }
  for (auto& cp : comps) {
    rados_aio_wait_for_complete(cp);
    if (rados_aio_get_return_value(cp) < 0) ++g_errors;
    rados_aio_release(cp);
  }
  const double register_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const long rss_after = rss_kb();
  std::fprintf(stderr, "bench: %d watches registered in %.2f s; holding %.0f s\n", o.watches,
               register_s, o.seconds);
  const double cpu0 = cpu_s();
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  const double cpu = cpu_s() - cpu0;
  const long rss_end = rss_kb();
  bench::print_hold("librados", o, register_s, rss_before, rss_after, rss_end, cpu,
                    g_errors.load());
  // Exit without 10,000 unwatches (the OSD drops the watches with the session).
  rados_ioctx_destroy(c.io);
  rados_shutdown(c.cluster);
  return g_errors == 0 ? 0 : 1;
}

int run_create(const Opts& o) {
  Client c;
  if (!open_client(o, c)) return 1;
  const char data[] = "cephwire bench object\n";
  std::vector<rados_completion_t> window;
  int errors = 0;
  auto drain = [&] {
    for (auto& cp : window) {
      rados_aio_wait_for_complete(cp);
      if (rados_aio_get_return_value(cp) < 0) ++errors;
      rados_aio_release(cp);
    }
    window.clear();
  };
  for (int i = 0; i < o.objects; ++i) {
    rados_completion_t cp;
    rados_aio_create_completion2(nullptr, nullptr, &cp);
    const std::string name = o.object + "." + std::to_string(i);
    rados_aio_write_full(c.io, name.c_str(), cp, data, sizeof(data) - 1);
    window.push_back(cp);
    if (window.size() == 64) drain();
  }
  drain();
  close_client(c);
  std::fprintf(stderr, "bench: created %d objects (%d errors)\n", o.objects, errors);
  return errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"librados side of tools/bench_live.sh"};
  app.require_subcommand(1);
  Opts o;
  int rc = 0;
  for (const char* mode : {"latency", "hold", "create"}) {
    auto* sub = app.add_subcommand(mode, mode);
    sub->add_option("-c,--conf", o.conf)->required();
    sub->add_option("-p,--pool", o.pool)->required();
    sub->add_option("--msgr", o.msgr, "ignored (librados follows ceph.conf)");
    sub->add_option("object", o.object, "object (latency) or object name prefix")->required();
    sub->add_option("--watchers", o.watchers);
    sub->add_option("--count", o.count);
    sub->add_option("--objects", o.objects);
    sub->add_option("--watches", o.watches);
    sub->add_option("--seconds", o.seconds);
    const std::string m = mode;
    sub->callback([&o, &rc, m] {
      rc = m == "latency" ? run_latency(o) : m == "hold" ? run_hold(o) : run_create(o);
    });
  }
  CLI11_PARSE(app, argc, argv);
  return rc;
}
