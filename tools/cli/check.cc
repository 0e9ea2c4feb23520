// `cephwire check`: the conformance catalog's capture-mode cases over any capture
// (conformance/checker.h does the work; this shell reads the pcaps).
#include <cinttypes>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "conformance/check_capture.h"
#include "tools/cli/commands.h"

namespace cephwire::cli {
namespace {

using conformance::Verdict;

struct CheckOptions {
  std::vector<std::string> files;
  bool verbose = false;
};

int run_check(const CheckOptions& o) {
  int rc = 0;
  std::map<std::string_view, Verdict> overall;
  for (const auto& info : conformance::catalog())
    if (info.modes & conformance::mode::kCheck) overall[info.id] = Verdict::kNotExercised;
  for (const auto& file : o.files) {
    auto cap = capture::Capture::open(file);
    if (!cap) {
      std::fprintf(stderr, "cephwire: %s\n", cap.error().to_string().c_str());
      rc = 1;
      continue;
    }
    const auto results = conformance::check_capture(**cap);
    if ((*cap)->error()) {
      std::fprintf(stderr, "cephwire: %s\n", (*cap)->error()->to_string().c_str());
      rc = 1;
    }
    for (const auto& r : results) {
      auto& v = overall[r.info->id];
      if (conformance::severity(r.verdict) > conformance::severity(v)) v = r.verdict;
      for (const auto& f : r.failures)
        std::printf("%s: frame %" PRIu64 " stream %" PRIu64 ": FAIL %s: %s\n", file.c_str(),
                    f.frame, f.conn, std::string(r.info->id).c_str(), f.text.c_str());
      if (o.verbose || r.verdict == Verdict::kNonStrict || r.verdict == Verdict::kUnsupported) {
        for (const auto& f : r.notes)
          std::printf("%s: frame %" PRIu64 " stream %" PRIu64 ": %s %s: %s\n", file.c_str(),
                      f.frame, f.conn, std::string(to_string(r.verdict)).c_str(),
                      std::string(r.info->id).c_str(), f.text.c_str());
      }
    }
  }
  uint64_t counts[6] = {};
  for (const auto& [id, v] : overall) {
    ++counts[static_cast<int>(v)];
    if (o.verbose) std::printf("%-40s %s\n", std::string(id).c_str(), std::string(to_string(v)).c_str());
  }
  const uint64_t passed = counts[static_cast<int>(Verdict::kPass)] +
                          counts[static_cast<int>(Verdict::kNonStrict)];
  const uint64_t failed = counts[static_cast<int>(Verdict::kFail)];
  std::printf("cases: %" PRIu64 " pass, %" PRIu64 " non-strict, %" PRIu64 " fail, %" PRIu64
              " informational, %" PRIu64 " unsupported, %" PRIu64 " not exercised\n",
              counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]);
  std::printf("%" PRIu64 " passed, %" PRIu64 " failed\n", passed, failed);
  if (failed) rc = 1;
  return rc;
}

}  // namespace

void add_check(CLI::App& app, int* rc) {
  auto o = std::make_shared<CheckOptions>();
  auto* sub = app.add_subcommand(
      "check",
      "Check captures against the watch/notify protocol rules of the conformance catalog "
      "(framing, strict encodings, request/reply pairing, watch registration, pings, "
      "reconnects, unwatch, notify completion and acks, list_watchers). One line per failure "
      "(file, frame, stream, case ID, what); ends with 'N passed, N failed'; exit 0 only if "
      "nothing failed.");
  sub->add_option("pcap", o->files, "Capture files (pcap or pcapng)")->required()->check(CLI::ExistingFile);
  sub->add_flag("-v,--verbose", o->verbose,
                "Also print every informational observation and each case's verdict");
  sub->callback([o, rc] { *rc = run_check(*o); });
}

}  // namespace cephwire::cli
