// cephwire scenario driver (tools/scenario): runs one named scenario against a cluster.
//
//   scenario --list
//   scenario --conf DIR/ceph.conf [--pool rbd] --scenario NAME
//            [--cluster-dir DIR --cluster-tool tools/cluster] [--pace-ms 100] [--deadline 300]
//            [--mount-timeout 30]
//
// stdout: one JSON object per line (ev = scenario | client | step | aio_issued |
// notify_received | notify_ack_sent | notify_not_acked | watch_error | note | mismatch |
// client_shutdown | summary). Exit status: 0 when every observation matched its expectation,
// 1 when one did not, 2 on usage errors, 3 when the deadline passed.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "tools/scenario/driver.h"

using cephwire::scenario::Ctx;
using cephwire::scenario::json;
using cephwire::scenario::Options;

namespace {

void on_alarm(int) {
  static const char msg[] = "{\"ev\":\"summary\",\"ok\":false,\"why\":\"deadline passed\"}\n";
  if (write(1, msg, sizeof msg - 1) < 0) _exit(3);
  _exit(3);
}

int usage() {
  std::cerr << "usage: scenario --list | --conf CONF --scenario NAME [--pool P] "
               "[--cluster-dir D --cluster-tool T] [--pace-ms N] [--deadline S] [--mount-timeout S]\n";
  return 2;
}

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  buf[n] = 0;
  return buf;
}

double wall_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  bool list = false;
  int deadline = 300;
  std::string child, child_role, child_object;
  int ctl_in = -1, ctl_out = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << a << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--list") list = true;
    else if (a == "--conf") opt.conf = val();
    else if (a == "--pool") opt.pool = val();
    else if (a == "--scenario") opt.scenario = val();
    else if (a == "--cluster-dir") opt.cluster_dir = val();
    else if (a == "--cluster-tool") opt.cluster_tool = val();
    else if (a == "--pace-ms") opt.pace_ms = std::atoi(val().c_str());
    else if (a == "--deadline") deadline = std::atoi(val().c_str());
    else if (a == "--mount-timeout") opt.mount_timeout_s = std::atoi(val().c_str());
    else if (a == "--t0-wall") opt.t0_wall = std::atof(val().c_str());
    else if (a == "--child") child = val();
    else if (a == "--child-role") child_role = val();
    else if (a == "--child-object") child_object = val();
    else if (a == "--ctl-in") ctl_in = std::atoi(val().c_str());
    else if (a == "--ctl-out") ctl_out = std::atoi(val().c_str());
    else return usage();
  }
  const auto& defs = cephwire::scenario::scenarios();
  if (list) {
    for (auto& d : defs)
      std::cout << json{{"name", d.name},
                        {"osds", d.osds},
                        {"needs_cluster", d.needs_cluster},
                        {"approx_s", d.approx_s},
                        {"description", d.description},
                        {"notes", d.notes}}
                       .dump()
                << "\n";
    return 0;
  }
  if (opt.conf.empty()) return usage();
  opt.self_exe = self_exe();
  if (opt.t0_wall == 0) opt.t0_wall = wall_now();
  signal(SIGALRM, on_alarm);
  signal(SIGPIPE, SIG_IGN);
  alarm(static_cast<unsigned>(deadline));

  if (!child.empty()) {
    return cephwire::scenario::child_main(opt, ctl_in, ctl_out, child, child_role, child_object);
  }

  const cephwire::scenario::ScenarioDef* def = nullptr;
  for (auto& d : defs)
    if (d.name == opt.scenario) def = &d;
  if (!def) {
    std::cerr << "unknown scenario " << opt.scenario << " (see --list)\n";
    return 2;
  }
  int major = 0, minor = 0, extra = 0;
  rados_version(&major, &minor, &extra);
  Ctx ctx(opt);
  ctx.out.emit(json{{"ev", "scenario"},
                    {"name", def->name},
                    {"description", def->description},
                    {"notes", def->notes},
                    {"osds", def->osds},
                    {"pool", opt.pool},
                    {"conf", opt.conf},
                    {"librados_version", std::to_string(major) + "." + std::to_string(minor) +
                                             "." + std::to_string(extra)},
                    {"pace_ms", opt.pace_ms},
                    {"driver_start_wall", opt.t0_wall},
                    {"t", 0.0}});
  try {
    def->run(ctx);
  } catch (const std::exception& e) {
    ctx.fail(std::string("scenario aborted: ") + e.what());
  }
  ctx.check_watch_errors();
  ctx.shutdown_all();
  json wj = json::object();
  for (auto& [k, v] : ctx.wire_counts()) wj[k] = v;
  ctx.out.emit(json{{"ev", "summary"}, {"ok", ctx.ok}, {"expected_wire_counts", wj}});
  return ctx.ok ? 0 : 1;
}
