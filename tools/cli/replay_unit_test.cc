// client/replay (sans-IO) on real recordings loaded by tools/cli/replay_load, and on doctored
// copies of them: every doctoring must show up as a difference.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "client/replay.h"
#include "codec/denc.h"
#include "codec/messages/MOSDOp.h"
#include "codec/messages/MWatchNotify.h"
#include "tools/cli/replay_load.h"

namespace cephwire::cli {
namespace {

using client::replay::ClientRecording;
using client::replay::ClientResult;
using client::replay::InputKind;
namespace osd_op = client::osd_op;

LoadedRecording load(const std::string& name) {
  LoadedRecording r;
  std::string err;
  EXPECT_TRUE(load_recording("corpus/recordings/" + name + ".pcap", r, &err)) << err;
  return r;
}

const ClientRecording& client_of(const LoadedRecording& r, uint64_t gid) {
  for (const auto& c : r.clients)
    if (c.gid == gid) return c;
  ADD_FAILURE() << "no client." << gid << " in " << r.file;
  return r.clients.front();
}

std::string dump(const ClientResult& res) {
  std::string s;
  for (const auto& d : res.diffs) s += "  frame " + std::to_string(d.frame) + ": " + d.what + "\n";
  return s;
}

bool mentions(const ClientResult& res, const std::string& what) {
  return std::any_of(res.diffs.begin(), res.diffs.end(),
                     [&](const auto& d) { return d.what.find(what) != std::string::npos; });
}

// The watcher of v1-watch-pings (watch3, 6 pings on Objecter's 5 s tick) replays exactly.
constexpr uint64_t kPinger = 4130;

size_t request_index(const ClientRecording& c, uint8_t watch_op, size_t nth) {
  size_t seen = 0;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    if (c.inputs[i].kind != InputKind::kRequest) continue;
    auto m = codec::MOSDOp::decode(c.inputs[i].msg);
    if (!m || m->ops.empty() || m->ops[0].op.op != osd_op::kWatch) continue;
    if (m->ops[0].op.watch().op == watch_op && seen++ == nth) return i;
  }
  ADD_FAILURE() << "no such request";
  return 0;
}

TEST(Replay, RealRecordingsReplayEqual) {
  for (const char* name : {"v1-watch-notify-basic", "v2-watch-notify-basic", "v1-list-watchers",
                           "v1-notify-timeout", "v1-watch-pings", "v2-osd-restart",
                           "v1-concurrent-notifies", "v2-large-payloads"}) {
    const LoadedRecording r = load(name);
    ASSERT_FALSE(r.clients.empty()) << name;
    size_t requests = 0;
    for (const auto& c : r.clients) {
      const ClientResult res = client::replay::replay_client(c);
      EXPECT_TRUE(res.diffs.empty()) << name << " client." << c.gid << ":\n" << dump(res);
      EXPECT_EQ(res.matched, res.requests) << name << " client." << c.gid;
      requests += res.requests;
    }
    EXPECT_GT(requests, 0u) << name;
  }
}

TEST(Replay, PingsAndCallbacksAreChecked) {
  const LoadedRecording r = load("v1-watch-pings");
  const ClientResult res = client::replay::replay_client(client_of(r, kPinger));
  EXPECT_TRUE(res.diffs.empty()) << dump(res);
  EXPECT_EQ(res.pings, 6u);
  EXPECT_EQ(res.user_calls, 3u);
  EXPECT_TRUE(res.tids_exact);
  EXPECT_LT(res.max_ping_skew, std::chrono::milliseconds(50));
  EXPECT_GE(res.callbacks_checked, 1u);
}

TEST(Replay, PingMovedInTimeDiffers) {
  const LoadedRecording r = load("v1-watch-pings");
  ClientRecording c = client_of(r, kPinger);
  const size_t i = request_index(c, osd_op::kWatchPing, 2);
  c.inputs[i].time += std::chrono::seconds(2);  // later than the tolerance allows
  const ClientResult res = client::replay::replay_client(c);
  EXPECT_TRUE(mentions(res, "extra request: core sent PING")) << dump(res);
  EXPECT_TRUE(mentions(res, "missing request: recorded PING")) << dump(res);
}

TEST(Replay, DroppedPingDiffers) {
  const LoadedRecording r = load("v1-watch-pings");
  ClientRecording c = client_of(r, kPinger);
  c.inputs.erase(c.inputs.begin() + static_cast<long>(request_index(c, osd_op::kWatchPing, 3)));
  const ClientResult res = client::replay::replay_client(c);
  EXPECT_TRUE(mentions(res, "extra request: core sent PING")) << dump(res);
}

TEST(Replay, DroppedWatchReplyDiffers) {
  // Without the WATCH reply the core never registers the watch, so it sends no pings.
  const LoadedRecording r = load("v1-watch-pings");
  ClientRecording c = client_of(r, kPinger);
  const size_t w = request_index(c, osd_op::kWatchWatch, 0);
  size_t j = w + 1;
  while (j < c.inputs.size() && c.inputs[j].kind != InputKind::kReply) ++j;
  ASSERT_LT(j, c.inputs.size());
  c.inputs.erase(c.inputs.begin() + static_cast<long>(j));
  const ClientResult res = client::replay::replay_client(c);
  EXPECT_TRUE(mentions(res, "missing request: recorded PING")) << dump(res);
}

TEST(Replay, ChangedRecordedFlagsDiffer) {
  // The recorded WATCH with other flags: the field and the bytes comparison catch it.
  const LoadedRecording r = load("v1-watch-notify-basic");
  ClientRecording c = client_of(r, 4135);
  const size_t w = request_index(c, osd_op::kWatchWatch, 0);
  auto m = codec::MOSDOp::decode(c.inputs[w].msg);
  ASSERT_TRUE(m);
  m->flags |= osd_op::kFlagRead;
  codec::MessageParts doctored = c.inputs[w].msg;
  m->encode(doctored);
  c.inputs[w].msg = doctored;
  const ClientResult res = client::replay::replay_client(c);
  EXPECT_TRUE(mentions(res, "WATCH flags: core 0x400024, recorded 0x400034")) << dump(res);
}

TEST(Replay, ChangedNotificationPayloadDiffers) {
  const LoadedRecording r = load("v1-watch-notify-basic");
  ClientRecording c = client_of(r, 4135);
  // The user call is inferred from the recording, so change the core's side instead: a
  // recorded notification with another payload must fail the manifest's callback check.
  bool done = false;
  for (auto& in : c.inputs) {
    if (in.kind != InputKind::kWatchNotify) continue;
    auto m = codec::MWatchNotify::decode(in.msg);
    ASSERT_TRUE(m);
    m->bl = codec::Bytes::from_string("hello watcherz");
    codec::MessageParts p = in.msg;
    m->encode(p);
    in.msg = p;
    done = true;
    break;
  }
  ASSERT_TRUE(done);
  const ClientResult res = client::replay::replay_client(c);
  EXPECT_TRUE(mentions(res, "notify callback payload differs")) << dump(res);
}

TEST(Replay, UnknownOpIsReportedNotSkipped) {
  // v1-rbd: librbd's class calls have no user call in the core: reported, once each.
  const LoadedRecording r = load("v1-rbd");
  size_t calls = 0;
  for (const auto& c : r.clients) {
    const ClientResult res = client::replay::replay_client(c);
    for (const auto& d : res.diffs) {
      EXPECT_NE(d.what.find("no user call for op 0x"), std::string::npos) << d.what;
      ++calls;
    }
  }
  EXPECT_GT(calls, 0u);
}

TEST(Replay, EmptyRecording) {
  ClientRecording c;
  c.gid = 1;
  const ClientResult res = client::replay::replay_client(c);
  EXPECT_TRUE(res.diffs.empty());
  EXPECT_EQ(res.requests, 0u);
}

}  // namespace
}  // namespace cephwire::cli
