// build_report against expected results, the expected-results file format, and the escaping of
// the HTML report.
#include "conformance/report.h"

#include <gtest/gtest.h>

namespace cephwire::conformance {
namespace {

InputRun run_with(std::string_view id, Verdict v, std::string text = "broken") {
  InputRun run;
  run.name = "x.pcap";
  for (const auto& c : catalog()) {
    if (!(c.modes & mode::kCheck)) continue;
    CaseResult r;
    r.info = &c;
    r.verdict = c.id == id ? v : Verdict::kPass;
    r.checked = 1;
    if (c.id == id && v == Verdict::kFail) r.failures.push_back({7, 1, text});
    r.examples.emplace_back(7, 1);
    run.results.push_back(r);
  }
  run.wire[{7, 1}] = "frame 7 ... MWatchNotify";
  return run;
}

const CaseReport& find(const Report& r, std::string_view id) {
  for (const auto& c : r.cases)
    if (c.info->id == id) return c;
  throw std::runtime_error("no case");
}

constexpr std::string_view kId = "notify/complete/exactly-once";

TEST(Report, FailureWithoutExpectationFailsTheRun) {
  const auto rep = build_report({run_with(kId, Verdict::kFail)}, nullptr);
  EXPECT_EQ(rep.failed, 1u);
  EXPECT_EQ(rep.unexpected, 1u);
  EXPECT_TRUE(find(rep, kId).unexpected);
  EXPECT_EQ(find(rep, kId).wire_log.size(), 1u);
}

TEST(Report, ExpectedFailureDoesNotFailTheRun) {
  Expected e;
  e.verdicts.emplace(std::string(kId), Verdict::kFail);
  const auto rep = build_report({run_with(kId, Verdict::kFail)}, &e);
  EXPECT_EQ(rep.unexpected, 0u);
  EXPECT_EQ(rep.expected_failures, 1u);
}

TEST(Report, ExpectedFailureThatStartsPassingFailsTheRun) {
  Expected e;
  e.verdicts.emplace(std::string(kId), Verdict::kFail);
  const auto rep = build_report({run_with(kId, Verdict::kPass)}, &e);
  EXPECT_EQ(rep.unexpected, 1u);
  EXPECT_TRUE(find(rep, kId).unexpected);
  EXPECT_NE(to_junit(rep).find("expected to fail but pass"), std::string::npos);
}

TEST(Report, WorstVerdictOverInputs) {
  auto a = run_with(kId, Verdict::kPass), b = run_with(kId, Verdict::kFail);
  b.name = "y.pcap";
  const auto rep = build_report({a, b}, nullptr);
  EXPECT_EQ(find(rep, kId).verdict, Verdict::kFail);
  ASSERT_EQ(find(rep, kId).inputs.size(), 2u);
}

TEST(Report, ExpectedFileRoundTripAndErrors) {
  const auto rep = build_report({run_with(kId, Verdict::kFail)}, nullptr);
  std::string err;
  auto e = parse_expected(to_expected_json(rep, "librados 16.2.15"), &err);
  ASSERT_TRUE(e) << err;
  EXPECT_EQ(e->implementation, "librados 16.2.15");
  EXPECT_EQ(e->verdicts.at(std::string(kId)), Verdict::kFail);
  EXPECT_EQ(e->verdicts.size(), rep.cases.size());
  EXPECT_FALSE(parse_expected(R"({"verdicts": {"no/such/case": "pass"}})", &err));
  EXPECT_NE(err.find("unknown case"), std::string::npos);
  EXPECT_FALSE(parse_expected(R"({"verdicts": {"framing/v1/crc": "great"}})", &err));
  EXPECT_FALSE(parse_expected("not json", &err));
}

TEST(Report, HtmlCannotBeBrokenByFindings) {
  const auto rep = build_report({run_with(kId, Verdict::kFail, "</script><b>x</b>")}, nullptr);
  const std::string html = to_html(rep);
  EXPECT_EQ(html.find("</script><b>"), std::string::npos);
  EXPECT_NE(html.find("<\\/script>"), std::string::npos);
  const std::string xml = to_junit(rep);
  EXPECT_EQ(xml.find("<b>x"), std::string::npos);
}

}  // namespace
}  // namespace cephwire::conformance
