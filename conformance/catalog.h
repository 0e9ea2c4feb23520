// The conformance catalog: every case cephwire checks, with a stable ID
// (`<area>/<section>/<slug>`), the requirement in one sentence, the source it comes from (file
// and function in Ceph or Linux, at a version) and the modes it runs in. The table is data, in
// catalog.cc; the rules that evaluate the cases live in checker.cc (capture mode).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace cephwire::conformance {

// How a case is driven: over any capture (`cephwire check`), by replaying recorded OSD traffic
// against the reference client core, or against a live cluster.
namespace mode {
inline constexpr uint8_t kCheck = 1, kReplay = 2, kLive = 4;
}

// pass: the rule held everywhere it applied. non-strict: allowed by Ceph but not what the
// reference (librados 16.2.15) does. fail: the rule was broken. informational: an observation,
// never a failure (e.g. how often the notify-completion race happened). unsupported: the input
// uses something cephwire does not check (msgr2 secure mode). not-exercised: the input never
// gave the rule anything to check.
enum class Verdict : uint8_t { kPass, kNonStrict, kFail, kInformational, kUnsupported, kNotExercised };
std::string_view to_string(Verdict v);
// Worst first, for one case's verdict over several inputs: fail > unsupported > non-strict >
// pass > informational > not-exercised.
int severity(Verdict v);

struct CaseInfo {
  std::string_view id;           // e.g. "notify/complete/exactly-once"
  std::string_view requirement;  // one sentence
  std::string_view source;       // "ceph v16.2.15 src/osd/Watch.cc Notify::maybe_complete_notify"
  uint8_t modes = mode::kCheck;
  bool informational = false;    // an observation: its verdict is informational when exercised
  std::string_view area() const { return id.substr(0, id.find('/')); }
};

std::span<const CaseInfo> catalog();
// nullptr when there is no such case.
const CaseInfo* find_case(std::string_view id);

}  // namespace cephwire::conformance
