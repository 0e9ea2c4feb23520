// What net/bench_cephwire.cc and net/bench_librados.cc share: their options, the process's RSS
// and CPU time, percentiles, and the JSON records tools/bench_live.sh reads (one format for
// both, so the script puts them side by side).
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace cephwire::bench {

struct Opts {
  std::string conf, pool, object, msgr;
  int watchers = 1, count = 200, objects = 10000, watches = 10000;
  double seconds = 60;
};

// VmRSS of this process in KiB (-1 if unreadable).
inline long rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// User + system CPU seconds of the whole process (all threads).
inline double cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The p-quantile (0..1) by nearest rank; 0 for no samples.
inline double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// {"impl", "mode": "latency", watchers, count, p50_us, p99_us, mean_us, max_us, failures}
inline void print_latency(const char* impl, const Opts& o, const std::vector<double>& lat_us,
                          int failures) {
  double sum = 0;
  for (double x : lat_us) sum += x;
  std::printf(
      "{\"impl\":\"%s\",\"mode\":\"latency\",\"watchers\":%d,\"count\":%d,\"p50_us\":%.0f,"
      "\"p99_us\":%.0f,\"mean_us\":%.0f,\"max_us\":%.0f,\"failures\":%d}\n",
      impl, o.watchers, static_cast<int>(lat_us.size()), pct(lat_us, 0.5), pct(lat_us, 0.99),
      lat_us.empty() ? 0 : sum / static_cast<double>(lat_us.size()), pct(lat_us, 1.0), failures);
}

// {"impl", "mode": "hold", watches, objects, register_s, rss_kb_before/after/end, cpu_s,
//  seconds, cpu_s_per_min, errors}
inline void print_hold(const char* impl, const Opts& o, double register_s, long rss_before,
                       long rss_after, long rss_end, double cpu, int errors) {
  std::printf(
      "{\"impl\":\"%s\",\"mode\":\"hold\",\"watches\":%d,\"objects\":%d,"
      "\"register_s\":%.2f,\"rss_kb_before\":%ld,\"rss_kb_after\":%ld,\"rss_kb_end\":%ld,"
      "\"cpu_s\":%.3f,\"seconds\":%.0f,\"cpu_s_per_min\":%.3f,\"errors\":%d}\n",
      impl, o.watches, o.objects, register_s, rss_before, rss_after, rss_end, cpu, o.seconds,
      cpu * 60.0 / o.seconds, errors);
  std::fflush(stdout);
}

}  // namespace cephwire::bench
