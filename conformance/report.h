// The conformance report: per-case verdicts over every input, compared with an expected-results
// file, written as index.json, junit.xml and a static index.html (a matrix of areas and cases
// coloured by verdict; each case expands to its requirement, source, findings and wire log).
// Sans-IO: builds strings; the CLI (`cephwire conformance`) writes the files.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "conformance/catalog.h"
#include "conformance/checker.h"

namespace cephwire::conformance {

// One input checked in one mode: its results and the one-line decodes of the items the
// results point at, by (frame, conn). Modes: "check" (a capture through the Checker),
// "replay" (a recording's clients replayed through the core, conformance/replay_mode.h),
// "live" (the cases run against a cluster, conformance/live_mode.h).
struct InputRun {
  std::string name;       // e.g. "v1-watch-notify-basic.pcap"
  std::string mode = "check";
  double seconds = 0;     // time to check this input
  std::vector<CaseResult> results;
  std::map<std::pair<uint64_t, uint64_t>, std::string> wire;
};

// The modes in report order, with their names.
inline constexpr std::pair<uint8_t, std::string_view> kModeNames[] = {
    {mode::kCheck, "check"}, {mode::kReplay, "replay"}, {mode::kLive, "live"}};
// 0 when the name is not a mode.
uint8_t mode_bit(std::string_view name);

// Expected verdicts of one implementation under test (e.g. librados 16.2.15):
// {"implementation": "...", "verdicts": {"<case id>": "pass" | "fail" | ...},
//  "replay": {"<case id>": ...}, "live": {"<case id>": ...}} ("verdicts" is check mode; the
// replay and live sections are optional).
struct Expected {
  using Verdicts = std::map<std::string, Verdict, std::less<>>;
  std::string implementation;
  Verdicts verdicts;  // check mode
  Verdicts replay, live;
  const Verdicts& for_mode(std::string_view mode) const;
  Verdicts& for_mode(std::string_view mode);
};
std::optional<Expected> parse_expected(const std::string& json, std::string* error);
std::optional<Verdict> parse_verdict(std::string_view s);

// One case in one mode.
struct CaseReport {
  const CaseInfo* info = nullptr;
  std::string_view mode = "check";
  // Unique in a report: the case id in check mode, "<id>@<mode>" in the others.
  std::string key() const;
  Verdict verdict = Verdict::kNotExercised;       // the worst over the inputs
  std::optional<Verdict> expected;
  // A failure that was not expected, or an expected failure that no longer fails.
  bool unexpected = false;
  uint64_t checked = 0;
  double seconds = 0;  // time of the inputs in which the case applied (rules run in one pass)
  struct PerInput {
    std::string input;
    Verdict verdict;
    uint64_t checked;
  };
  std::vector<PerInput> inputs;
  std::vector<std::pair<std::string, Finding>> failures, notes;  // (input, finding)
  std::vector<std::string> wire_log;                               // "input: frame ... summary"
};

struct Report {
  std::string implementation;
  std::vector<std::string> inputs;
  std::vector<CaseReport> cases;  // catalog order
  size_t passed = 0, failed = 0, expected_failures = 0, unexpected = 0;
};

// One entry per case and mode, for the modes some run has (catalog order, then check, replay,
// live).
Report build_report(const std::vector<InputRun>& runs, const Expected* expected);
// The expected-results file that makes this run the reference; the sections of modes this run
// did not have are kept from `keep` (the file being rewritten) when given.
std::string to_expected_json(const Report& r, const std::string& implementation,
                             const Expected* keep = nullptr);
std::string to_json(const Report& r);
std::string to_junit(const Report& r);
std::string to_html(const Report& r);

}  // namespace cephwire::conformance
