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

// One input (a capture) checked: its results and the one-line decodes of the items the
// results point at, by (frame, conn).
struct InputRun {
  std::string name;       // e.g. "v1-watch-notify-basic.pcap"
  std::string mode = "check";
  double seconds = 0;     // time to check this input
  std::vector<CaseResult> results;
  std::map<std::pair<uint64_t, uint64_t>, std::string> wire;
};

// Expected verdicts of one implementation under test (e.g. librados 16.2.15):
// {"implementation": "...", "verdicts": {"<case id>": "pass" | "fail" | ...}}.
struct Expected {
  std::string implementation;
  std::map<std::string, Verdict, std::less<>> verdicts;
};
std::optional<Expected> parse_expected(const std::string& json, std::string* error);
std::optional<Verdict> parse_verdict(std::string_view s);

struct CaseReport {
  const CaseInfo* info = nullptr;
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

Report build_report(const std::vector<InputRun>& runs, const Expected* expected);
// The expected-results file that makes this run the reference.
std::string to_expected_json(const Report& r, const std::string& implementation);
std::string to_json(const Report& r);
std::string to_junit(const Report& r);
std::string to_html(const Report& r);

}  // namespace cephwire::conformance
