// Replay mode: difference texts land in the right cases, a real recording replays with every
// exercised case passing, and doctored recordings (a ping removed, a callback payload changed)
// fail exactly the cases they concern, with the difference as the finding and a wire log.
#include "conformance/replay_mode.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "client/watch_client.h"
#include "codec/messages/MOSDOp.h"
#include "tools/cli/replay_load.h"

namespace cephwire::conformance {
namespace {

std::vector<std::string_view> ids(const DifferenceClass& c) {
  std::vector<std::string_view> v;
  for (const auto* i : c.cases) v.push_back(i->id);
  return v;
}

using V = std::vector<std::string_view>;

TEST(ReplayMode, ClassifiesDifferences) {
  EXPECT_EQ(ids(classify_difference("missing request: recorded RECONNECT cookie 94 tid 7 at "
                                    "+3.000 s was not sent by the core")),
            V{"watch/reconnect/after-reset"});
  EXPECT_EQ(ids(classify_difference("RECONNECT gen: core 1, recorded 2")),
            V{"watch/reconnect/gen"});
  EXPECT_EQ(ids(classify_difference("extra request: core sent PING cookie 3 at +5.000 s (no "
                                    "recorded ping left)")),
            V{"watch/ping/cadence"});
  EXPECT_EQ(ids(classify_difference("PING gen: core 2, recorded 1")), V{"watch/ping/gen"});
  EXPECT_EQ(ids(classify_difference("PING sent by the core out of the recorded order")),
            V{"watch/ping/cadence"});
  EXPECT_EQ(ids(classify_difference("WATCH flags: core 0x24, recorded 0x20")),
            (V{"watch/register/commit", "watch/register/write-flag"}));
  EXPECT_EQ(ids(classify_difference("WATCH(legacy) MOSDOp bytes differ: front (first "
                                    "difference at byte 4)")),
            (V{"watch/register/commit", "encoding/mosdop/byte-exact"}));
  EXPECT_EQ(ids(classify_difference("NOTIFY_ACK payload (12 bytes) differs from the recorded "
                                    "one (13 bytes)")),
            V{"notify/ack/payload"});
  EXPECT_EQ(ids(classify_difference("extra request: core sent NOTIFY cookie 5 tid 9 at +1 s")),
            V{"notify/complete/exactly-once"});
  EXPECT_EQ(ids(classify_difference("core refused unwatch of cookie 4: -107")),
            V{"watch/unwatch/last"});
  EXPECT_EQ(ids(classify_difference("UNWATCH sent by the core out of the recorded order")),
            V{"watch/unwatch/last"});
  EXPECT_EQ(ids(classify_difference("watch error callback differs: core cookie 1 notify_id 0 "
                                    "err -110, recorded cookie 1 notify_id 0 err -107")),
            V{"watch/error/callback"});
  EXPECT_EQ(ids(classify_difference("missing notify callback: cookie 1 notify_id 77")),
            V{"notify/deliver/callback"});
  EXPECT_EQ(ids(classify_difference("LIST_WATCHERS retry_attempt: core 0, recorded 1")),
            V{"session/ops/plain"});
  const auto u = classify_difference("no user call for op 0x1401 (the core has no such call)");
  EXPECT_TRUE(u.unsupported);
  EXPECT_TRUE(u.cases.empty());
  EXPECT_TRUE(classify_difference("recorded MOSDOp does not decode: short").cases.empty());
}

const CaseResult& result(const InputRun& run, std::string_view id) {
  for (const auto& r : run.results)
    if (r.info->id == id) return r;
  ADD_FAILURE() << "no result for " << id;
  static CaseResult none;
  return none;
}

TEST(ReplayMode, EveryReplayCaseHasAResultAndNothingIsExercisedWithoutClients) {
  const auto run = replay_clients({}, "empty");
  EXPECT_EQ(run.mode, "replay");
  size_t n = 0;
  for (const auto& c : catalog()) {
    if (!(c.modes & mode::kReplay)) continue;
    ++n;
    EXPECT_EQ(result(run, c.id).verdict, Verdict::kNotExercised) << c.id;
  }
  EXPECT_EQ(run.results.size(), n);
  EXPECT_GE(n, 12u);
}

struct Loaded {
  cli::LoadedRecording rec;
  explicit Loaded(const std::string& name) {
    std::string err;
    EXPECT_TRUE(cli::load_recording("corpus/recordings/" + name, rec, &err)) << err;
  }
};

TEST(ReplayMode, BasicRecordingPassesWhatItExercises) {
  Loaded l("v1-watch-notify-basic.pcap");
  ASSERT_FALSE(l.rec.clients.empty());
  const auto run = replay_clients(l.rec.clients, "v1-watch-notify-basic.pcap");
  for (auto id : {"watch/register/commit", "watch/register/write-flag",
                  "notify/complete/exactly-once", "notify/ack/payload",
                  "notify/deliver/callback", "encoding/mosdop/byte-exact",
                  "session/replay/identical"}) {
    const auto& r = result(run, id);
    EXPECT_EQ(r.verdict, Verdict::kPass) << id << ": "
                                         << (r.failures.empty() ? "" : r.failures[0].text);
    EXPECT_GT(r.checked, 0u) << id;
  }
  EXPECT_EQ(result(run, "watch/reconnect/after-reset").verdict, Verdict::kNotExercised);
  // The wire log: the recorded WATCH, decoded.
  const auto& commit = result(run, "watch/register/commit");
  ASSERT_FALSE(commit.examples.empty());
  auto it = run.wire.find(commit.examples[0]);
  ASSERT_NE(it, run.wire.end());
  EXPECT_NE(it->second.find("MOSDOp"), std::string::npos) << it->second;
  EXPECT_NE(it->second.find("watch"), std::string::npos) << it->second;
}

TEST(ReplayMode, PingsRecordingPassesTheCadence) {
  Loaded l("v2-watch-pings.pcap");
  const auto run = replay_clients(l.rec.clients, "v2-watch-pings.pcap");
  const auto& r = result(run, "watch/ping/cadence");
  EXPECT_EQ(r.verdict, Verdict::kPass) << (r.failures.empty() ? "" : r.failures[0].text);
  EXPECT_GE(r.checked, 2u);
  EXPECT_EQ(result(run, "watch/ping/gen").verdict, Verdict::kPass);
}

TEST(ReplayMode, ARemovedPingFailsTheCadenceCaseOnly) {
  Loaded l("v1-watch-pings.pcap");
  auto clients = l.rec.clients;
  bool removed = false;
  for (auto& c : clients) {
    for (auto it = c.inputs.begin(); it != c.inputs.end() && !removed; ++it) {
      if (it->kind != client::replay::InputKind::kRequest) continue;
      auto m = codec::MOSDOp::decode(it->msg);
      if (m && !m->ops.empty() && m->ops[0].op.op == client::osd_op::kWatch &&
          m->ops[0].op.watch().op == client::osd_op::kWatchPing) {
        c.inputs.erase(it);
        removed = true;
        break;
      }
    }
  }
  ASSERT_TRUE(removed) << "the recording has no ping";
  const auto run = replay_clients(clients, "doctored.pcap");
  const auto& cadence = result(run, "watch/ping/cadence");
  EXPECT_EQ(cadence.verdict, Verdict::kFail);
  ASSERT_FALSE(cadence.failures.empty());
  EXPECT_NE(cadence.failures[0].text.find("extra request: core sent PING"), std::string::npos)
      << cadence.failures[0].text;
  EXPECT_EQ(result(run, "session/replay/identical").verdict, Verdict::kFail);
  EXPECT_EQ(result(run, "watch/register/commit").verdict, Verdict::kPass);
  EXPECT_EQ(result(run, "watch/ping/gen").verdict, Verdict::kPass);
}

TEST(ReplayMode, AChangedCallbackPayloadFailsTheCallbackCase) {
  Loaded l("v1-watch-notify-basic.pcap");
  auto clients = l.rec.clients;
  bool changed = false;
  for (auto& c : clients) {
    if (!c.callbacks) continue;
    for (auto& cb : *c.callbacks)
      if (!changed && cb.kind == client::replay::ExpectedCallback::Kind::kNotify) {
        cb.payload_len += 1;
        changed = true;
      }
  }
  ASSERT_TRUE(changed) << "the manifest has no notify callback";
  const auto run = replay_clients(clients, "doctored.pcap");
  const auto& cb = result(run, "notify/deliver/callback");
  EXPECT_EQ(cb.verdict, Verdict::kFail);
  ASSERT_FALSE(cb.failures.empty());
  EXPECT_NE(cb.failures[0].text.find("notify callback payload differs"), std::string::npos)
      << cb.failures[0].text;
  EXPECT_EQ(result(run, "watch/register/commit").verdict, Verdict::kPass);
}

TEST(ReplayMode, RbdOpsTheCoreCannotIssueAreUnsupportedNotFailed) {
  Loaded l("v1-rbd.pcap");
  const auto run = replay_clients(l.rec.clients, "v1-rbd.pcap");
  const auto& all = result(run, "session/replay/identical");
  EXPECT_TRUE(all.verdict == Verdict::kUnsupported || all.verdict == Verdict::kPass)
      << to_string(all.verdict) << ": " << (all.failures.empty() ? "" : all.failures[0].text);
}

TEST(ReplayMode, ReportShowsReplayCasesBesideCheckCases) {
  Loaded l("v1-watch-notify-basic.pcap");
  InputRun check;
  check.name = "v1-watch-notify-basic.pcap";
  for (const auto& c : catalog()) {
    if (!(c.modes & mode::kCheck)) continue;
    CaseResult r;
    r.info = &c;
    r.verdict = Verdict::kPass;
    r.checked = 1;
    check.results.push_back(r);
  }
  const auto rep =
      build_report({check, replay_clients(l.rec.clients, "v1-watch-notify-basic.pcap")}, nullptr);
  size_t replay = 0, both = 0;
  for (const auto& c : rep.cases) {
    if (c.mode == "replay") ++replay;
    if (c.key() == "watch/register/write-flag@replay") {
      ++both;
      EXPECT_EQ(c.verdict, Verdict::kPass);
      EXPECT_FALSE(c.wire_log.empty());
    }
    if (c.key() == "watch/register/write-flag") ++both;
  }
  EXPECT_EQ(both, 2u);
  EXPECT_GE(replay, 12u);
  EXPECT_EQ(rep.unexpected, 0u);
  // The expected file keeps the modes apart.
  std::string err;
  auto e = parse_expected(to_expected_json(rep, "x"), &err);
  ASSERT_TRUE(e) << err;
  EXPECT_EQ(e->replay.at("watch/register/write-flag"), Verdict::kPass);
  EXPECT_TRUE(e->verdicts.count("watch/register/write-flag"));
  EXPECT_FALSE(e->verdicts.count("session/replay/identical"));
  EXPECT_TRUE(e->live.empty());
  EXPECT_FALSE(parse_expected(R"({"verdicts": {}, "replay": {"framing/v1/crc": "pass"}})", &err));
  EXPECT_NE(err.find("does not run in replay mode"), std::string::npos) << err;
}

}  // namespace
}  // namespace cephwire::conformance
