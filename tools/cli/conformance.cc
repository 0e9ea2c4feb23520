// `cephwire conformance`: the catalog over the bundled recordings (or given captures), with a
// report (index.json, junit.xml, index.html) and an expected-results file per implementation.
// Modes: capture (the Checker over each capture) and replay (each recording's librados clients
// replayed through the core, conformance/replay_mode.h) by default; with --live, the live
// cases against a cluster (conformance/live_mode.h).
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "codec/messages/registry.h"
#include "conformance/check_capture.h"
#include "conformance/live_mode.h"
#include "conformance/replay_mode.h"
#include "conformance/report.h"
#include "net/config.h"
#include "tools/capture/capture.h"
#include "tools/cli/commands.h"
#include "tools/cli/replay_load.h"

namespace cephwire::cli {
namespace {

namespace fs = std::filesystem;
using conformance::Verdict;

struct ConformanceOptions {
  std::vector<std::string> files;
  std::string report;
  std::string expected;
  bool write_expected = false;
  std::string implementation = "librados 16.2.15";
  std::vector<std::string> modes;  // default: check, replay (live with --live)
  bool live = false;
  std::string conf, mon, pool = "rbd", msgr, id = "admin";
  double mount_timeout = 60;
};

bool read_file(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

bool write_file(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  return static_cast<bool>(f);
}

std::string one_line(const capture::ev::Item& it) {
  const codec::Dir d = it.item.dir();
  char t[48];
  std::snprintf(t, sizeof t, "%" PRId64 ".%06u", it.ts.sec, it.ts.usec());
  std::string line = "frame " + std::to_string(it.frame) + " " + t + " " + it.conn->endpoint(d) +
                     " -> " + it.conn->peer(d) + " " + std::string(codec::to_string(it.item.msgr()));
  if (const auto* p = it.item.message()) {
    line += " " + codec::message_type_name(p->type) + " seq=" + std::to_string(p->seq) +
            " tid=" + std::to_string(p->tid);
    if (auto m = codec::decode_message(*p)) {
      const auto s = codec::summarize(*m);
      if (!s.text.empty()) line += " " + s.text;
    }
  } else {
    line += " " + std::string(it.item.kind());
  }
  if (!it.item.crc_ok()) line += " [BAD CRC]";
  return line;
}

// Checks one capture; then a second pass decodes the items the results point at.
std::optional<conformance::InputRun> check_file(const std::string& file) {
  auto cap = capture::Capture::open(file);
  if (!cap) {
    std::fprintf(stderr, "cephwire: %s\n", cap.error().to_string().c_str());
    return std::nullopt;
  }
  conformance::InputRun run;
  run.name = fs::path(file).filename().string();
  const auto t0 = std::chrono::steady_clock::now();
  run.results = conformance::check_capture(**cap);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::set<std::pair<uint64_t, uint64_t>> wanted;
  for (const auto& r : run.results)
    for (const auto& ex : r.examples) wanted.insert(ex);
  auto again = capture::Capture::open(file);
  if (again) {
    while (auto e = (*again)->next()) {
      auto* it = std::get_if<capture::ev::Item>(&*e);
      if (!it || !wanted.count({it->frame, it->conn->id})) continue;
      auto& line = run.wire[{it->frame, it->conn->id}];
      if (!line.empty()) line += "\n";
      line += one_line(*it);
    }
  }
  return run;
}

// Replays the clients of one recording (pcap + manifest) through the core.
std::optional<conformance::InputRun> replay_file(const std::string& file) {
  LoadedRecording rec;
  std::string err;
  if (!load_recording(file, rec, &err)) {
    std::fprintf(stderr, "cephwire conformance: %s: %s\n", file.c_str(), err.c_str());
    return std::nullopt;
  }
  return conformance::replay_clients(rec.clients, fs::path(file).filename().string());
}

std::optional<conformance::InputRun> live_run(const ConformanceOptions& o) {
  conformance::LiveOptions lo;
  auto mons = !o.mon.empty()    ? net::parse_mon_host(o.mon)
              : !o.conf.empty() ? net::mon_host_from_conf(o.conf, o.id)
                                : net::mon_host_from_conf("/etc/ceph/ceph.conf", o.id);
  if (!mons) {
    std::fprintf(stderr, "cephwire conformance: %s\n", mons.error().to_string().c_str());
    return std::nullopt;
  }
  lo.mons = std::move(*mons);
  lo.pool = o.pool;
  lo.id = o.id;
  lo.mount_timeout_s = o.mount_timeout;
  if (o.msgr == "v1") lo.msgr = net::Msgr::kV1;
  if (o.msgr == "v2") lo.msgr = net::Msgr::kV2;
  lo.progress = [](const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); };
  std::string err;
  auto run = conformance::run_live(lo, &err);
  if (!run) std::fprintf(stderr, "cephwire conformance: --live: %s\n", err.c_str());
  return run;
}

int run_conformance(const ConformanceOptions& o) {
  std::set<std::string> modes(o.modes.begin(), o.modes.end());
  if (modes.empty()) modes = o.live ? std::set<std::string>{"live"}
                                    : std::set<std::string>{"check", "replay"};
  if (o.live) modes.insert("live");
  std::vector<std::string> files = o.files;
  if (files.empty() && (modes.count("check") || modes.count("replay"))) {
    const fs::path dir = "corpus/recordings";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().extension() == ".pcap") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      std::fprintf(stderr, "cephwire conformance: no captures given and none in %s\n",
                   dir.c_str());
      return 2;
    }
  }
  std::optional<conformance::Expected> expected;
  if (!o.expected.empty() && (!o.write_expected || fs::exists(o.expected))) {
    std::string text, err;
    if (!read_file(o.expected, &text)) {
      std::fprintf(stderr, "cephwire conformance: cannot read %s\n", o.expected.c_str());
      return 2;
    }
    expected = conformance::parse_expected(text, &err);
    if (!expected) {
      std::fprintf(stderr, "cephwire conformance: %s: %s\n", o.expected.c_str(), err.c_str());
      return 2;
    }
  }
  std::vector<conformance::InputRun> runs;
  int rc = 0;
  using FileMode = std::optional<conformance::InputRun> (*)(const std::string&);
  const std::pair<const char*, FileMode> file_modes[] = {{"check", check_file},
                                                         {"replay", replay_file}};
  for (const auto& f : files) {
    for (const auto& [mode, run_file] : file_modes) {
      if (!modes.count(mode)) continue;
      auto r = run_file(f);
      if (!r) {
        rc = 2;
      } else {
        runs.push_back(std::move(*r));
      }
    }
  }
  if (modes.count("live")) {
    auto r = live_run(o);
    if (!r) return 2;
    runs.push_back(std::move(*r));
  }
  auto rep = conformance::build_report(runs, expected && !o.write_expected ? &*expected : nullptr);
  if (rep.implementation.empty()) rep.implementation = o.implementation;
  if (o.write_expected) {
    if (o.expected.empty()) {
      std::fprintf(stderr, "cephwire conformance: --write-expected needs --expected FILE\n");
      return 2;
    }
    if (!write_file(o.expected, conformance::to_expected_json(rep, o.implementation,
                                                               expected ? &*expected : nullptr))) {
      std::fprintf(stderr, "cephwire conformance: cannot write %s\n", o.expected.c_str());
      return 2;
    }
    std::printf("wrote %s (%zu cases)\n", o.expected.c_str(), rep.cases.size());
  }
  if (!o.report.empty()) {
    std::error_code ec;
    fs::create_directories(o.report, ec);
    const fs::path d = o.report;
    if (!write_file(d / "index.json", conformance::to_json(rep)) ||
        !write_file(d / "junit.xml", conformance::to_junit(rep)) ||
        !write_file(d / "index.html", conformance::to_html(rep))) {
      std::fprintf(stderr, "cephwire conformance: cannot write the report in %s\n",
                   o.report.c_str());
      return 2;
    }
  }
  for (const auto& c : rep.cases) {
    std::string mark = c.unexpected ? (c.verdict == Verdict::kFail ? "FAIL" : "UNEXPECTED PASS")
                                    : std::string(to_string(c.verdict));
    if (c.verdict == Verdict::kFail && !c.unexpected) mark = "fail (expected)";
    std::printf("%-44s %-6s %s\n", std::string(c.info->id).c_str(), std::string(c.mode).c_str(),
                mark.c_str());
    if (c.unexpected)
      for (const auto& [in, f] : c.failures)
        std::printf("    %s: frame %" PRIu64 " stream %" PRIu64 ": %s\n", in.c_str(), f.frame,
                    f.conn, f.text.c_str());
  }
  if (!o.report.empty()) std::printf("report: %s/index.html\n", o.report.c_str());
  std::printf("%zu passed, %zu failed\n", rep.passed, rep.unexpected);
  if (rep.unexpected && rc == 0) rc = 1;
  return rc;
}

}  // namespace

void add_conformance(CLI::App& app, int* rc) {
  auto o = std::make_shared<ConformanceOptions>();
  auto* sub = app.add_subcommand(
      "conformance",
      "Run the conformance catalog over captures (default: corpus/recordings/*.pcap, from the "
      "repository root) in capture and replay modes, or against a cluster with --live, and "
      "report each case's verdict per mode. Exit 0 only if every case is as expected (with "
      "--expected) or nothing failed (without).");
  sub->add_option("pcap", o->files, "Captures (default: the bundled recordings)")
      ->check(CLI::ExistingFile);
  sub->add_option("--report", o->report,
                  "Write DIR/index.json (every case: verdict, timing, findings, wire log), "
                  "DIR/junit.xml and DIR/index.html");
  sub->add_option("--expected", o->expected,
                  "Expected-results file of the implementation under test (e.g. "
                  "conformance/expected/librados-16.2.15.json): an expected failure passes the "
                  "run, an expected failure that starts passing fails it");
  sub->add_flag("--write-expected", o->write_expected,
                "Write this run's verdicts into the --expected file");
  sub->add_option("--implementation", o->implementation,
                  "Name of the implementation under test (with --write-expected)");
  sub->add_option("--mode", o->modes,
                  "Modes to run (repeatable): check (capture), replay (recorded clients through "
                  "the core), live; default check and replay, or live with --live")
      ->check(CLI::IsMember({"check", "replay", "live"}));
  sub->add_flag("--live", o->live,
                "Run the live cases against a cluster (-c CONF or -m MON, -p POOL); only live "
                "mode unless --mode adds others");
  sub->add_option("-c,--conf", o->conf, "--live: ceph.conf to read `mon host` from");
  sub->add_option("-m,--mon", o->mon, "--live: monitor address(es), as in `mon host`");
  sub->add_option("-p,--pool", o->pool, "--live: pool for the test objects (default rbd)");
  sub->add_option("--msgr", o->msgr, "--live: v1 or v2 (default: v2 when offered)")
      ->check(CLI::IsMember({"v1", "v2"}));
  sub->add_option("--id", o->id, "--live: client id (client.ID)");
  sub->add_option("--mount-timeout", o->mount_timeout, "--live: seconds to wait for the cluster");
  sub->callback([o, rc] { *rc = run_conformance(*o); });
}

}  // namespace cephwire::cli
