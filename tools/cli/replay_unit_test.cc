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

// Replays every client of a recording; each must match librados request for request.
// Returns the number of requests compared.
size_t replay_all_equal(const char* name, const LoadedRecording& r) {
  size_t requests = 0;
  for (const auto& c : r.clients) {
    const ClientResult res = client::replay::replay_client(c);
    EXPECT_TRUE(res.diffs.empty()) << name << " client." << c.gid << ":\n" << dump(res);
    EXPECT_EQ(res.matched, res.requests) << name << " client." << c.gid;
    requests += res.requests;
  }
  return requests;
}

TEST(Replay, RealRecordingsReplayEqual) {
  for (const char* name : {"v1-watch-notify-basic", "v2-watch-notify-basic", "v1-list-watchers",
                           "v1-notify-timeout", "v1-watch-pings", "v2-osd-restart",
                           "v1-concurrent-notifies", "v2-large-payloads"}) {
    const LoadedRecording r = load(name);
    ASSERT_FALSE(r.clients.empty()) << name;
    EXPECT_GT(replay_all_equal(name, r), 0u) << name;
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

TEST(Replay, LibrbdClientsReplayThroughOperate) {
  // librbd's own object ops (class CALLs, CREATE, SETALLOCHINT + WRITE, STAT, READ) go through
  // the core's generic operate(): every request of every client, byte for byte.
  for (const char* name : {"v1-rbd", "v2-rbd"}) {
    const LoadedRecording r = load(name);
    EXPECT_GT(replay_all_equal(name, r), 100u) << name;
  }
}

TEST(Replay, LibrbdCallWithoutItsFirstSendDiffers) {
  // A CALL recorded as a resend (retry_attempt 1) is not a user call: the core never sends it.
  const LoadedRecording r = load("v1-rbd");
  ClientRecording c = client_of(r, 4132);
  bool done = false;
  for (auto& in : c.inputs) {
    if (in.kind != InputKind::kRequest) continue;
    auto m = codec::MOSDOp::decode(in.msg);
    ASSERT_TRUE(m);
    if (m->ops.empty() || m->ops[0].op.op != 0x1401) continue;
    m->retry_attempt = 1;
    codec::MessageParts p = in.msg;
    m->encode(p);
    in.msg = p;
    done = true;
    break;
  }
  ASSERT_TRUE(done);
  const ClientResult res = client::replay::replay_client(c);
  EXPECT_TRUE(mentions(res, "missing request: recorded op 0x1401")) << dump(res);
}

TEST(Replay, MapEpochsDriveLingerResends) {
  // v1-primary-out: one MOSDMap takes the watcher from epoch 19 to 22; epochs 20 and 21 each
  // start a new interval for the watched PG, so librados sent two RECONNECTs. Replayed with
  // every epoch: equal; with only the last epoch: one RECONNECT is missing.
  const LoadedRecording r = load("v1-primary-out");
  ClientRecording c = client_of(r, 4160);
  ClientResult res = client::replay::replay_client(c);
  EXPECT_TRUE(res.diffs.empty()) << dump(res);
  bool done = false;
  for (auto& in : c.inputs) {
    if (in.kind != InputKind::kMap || in.map_epochs.size() != 3) continue;
    in.map_epochs.erase(in.map_epochs.begin(), in.map_epochs.end() - 1);
    done = true;
  }
  ASSERT_TRUE(done);
  res = client::replay::replay_client(c);
  EXPECT_TRUE(mentions(res, "missing request: recorded RECONNECT")) << dump(res);
}

TEST(Replay, StoppedWatcherGetsThePingsError) {
  // v1-watch-error: the watcher is SIGSTOPped 6 s past its 3 s watch timeout. On SIGCONT it
  // pings and gets -ENOTCONN: the error callback is -107, as recorded. If the replay did not
  // know the process was stopped, the core would have pinged meanwhile.
  const LoadedRecording r = load("v1-watch-error");
  ClientRecording c = client_of(r, 4132);
  ASSERT_EQ(c.frozen.size(), 1u);
  ClientResult res = client::replay::replay_client(c);
  EXPECT_TRUE(res.diffs.empty()) << dump(res);
  EXPECT_GE(res.callbacks_checked, 3u);
  c.frozen.clear();
  res = client::replay::replay_client(c);
  EXPECT_TRUE(mentions(res, "extra request: core sent PING")) << dump(res);
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
