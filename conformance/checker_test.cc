// The capture-mode checker: every recording (real librados 16.2.15 against real OSDs) comes
// out clean, and captures doctored here from the recorded streams (corpus/streams: a
// NOTIFY_ACK with a wrong cookie, a notify completed twice, a ping after unwatch, a flipped
// CRC) fail exactly the case that names the broken rule, at the doctored frame.
#include "conformance/checker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "codec/messages/MOSDOp.h"
#include "codec/messages/MWatchNotify.h"
#include "codec/msgr1/message_frame.h"
#include "conformance/check_capture.h"

namespace cephwire::conformance {
namespace {

namespace fs = std::filesystem;
using codec::Dir;

std::vector<CaseResult> check_pcap(const std::string& path) {
  auto cap = capture::Capture::open(path);
  EXPECT_TRUE(cap) << path;
  if (!cap) return Checker().finish();
  return check_capture(**cap);
}

const CaseResult& result(const std::vector<CaseResult>& rs, std::string_view id) {
  for (const auto& r : rs)
    if (r.info->id == id) return r;
  ADD_FAILURE() << "no case " << id;
  static CaseResult none;
  return none;
}

TEST(Catalog, AtLeastFortyCasesWithUniqueIdsAndSources) {
  std::set<std::string_view> ids, areas;
  for (const auto& c : catalog()) {
    EXPECT_TRUE(ids.insert(c.id).second) << c.id;
    EXPECT_EQ(std::count(c.id.begin(), c.id.end(), '/'), 2) << c.id;
    EXPECT_FALSE(c.requirement.empty()) << c.id;
    EXPECT_FALSE(c.source.empty()) << c.id;
    areas.insert(c.area());
    EXPECT_EQ(find_case(c.id), &c);
  }
  EXPECT_GE(ids.size(), 40u);
  for (auto a : {"framing", "encoding", "session", "watch", "notify", "list-watchers"})
    EXPECT_TRUE(areas.count(a)) << a;
}

// No false alarms on real captures; and across the corpus the core rules are exercised.
TEST(Checker, EveryRecordingIsClean) {
  std::map<std::string_view, int> passes;
  int files = 0;
  for (const auto& e : fs::directory_iterator("corpus/recordings")) {
    if (e.path().extension() != ".pcap") continue;
    ++files;
    for (const auto& r : check_pcap(e.path().string())) {
      for (const auto& f : r.failures)
        ADD_FAILURE() << e.path().filename() << " frame " << f.frame << " " << r.info->id << ": "
                      << f.text;
      if (r.verdict == Verdict::kPass) ++passes[r.info->id];
    }
  }
  EXPECT_GE(files, 28);
  for (auto id : {"framing/v1/crc", "framing/v2/crc", "framing/v1/seq", "framing/v2/seq",
                  "encoding/mosdop/byte-exact", "encoding/mwatchnotify/strict",
                  "session/reply/matches-request", "watch/ping/registered-only",
                  "watch/ping/cadence", "watch/reconnect/after-reset", "watch/reconnect/gen",
                  "watch/unwatch/last", "notify/complete/exactly-once",
                  "notify/complete/acks-match", "notify/complete/timeouts-unacked",
                  "notify/complete/return-code", "notify/deliver/payload",
                  "list-watchers/reply/known-watchers"})
    EXPECT_GT(passes[id], 0) << id << " never exercised by the recordings";
}

// ---- doctored captures, from the recorded byte streams of a v1 recording -------------------

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

struct Stream {
  std::vector<uint8_t> bytes[2];
  std::vector<std::pair<uint64_t, uint64_t>> frames[2];  // (stream end offset, pcap frame)
  // An edit: bytes [at, at + removed) became `inserted` bytes (for mapping offsets to frames).
  struct Edit { uint64_t at, removed, inserted; };
  std::vector<Edit> edits[2];
};

struct Recording {
  std::vector<Stream> streams;
};

Recording load(const std::string& name) {
  Recording r;
  const std::string base = "corpus/streams/" + name + "/";
  const auto index = nlohmann::json::parse(slurp(base + "index.json"));
  for (const auto& s : index) {
    Stream st;
    const std::string n = std::to_string(s["stream"].get<int>());
    st.bytes[0] = slurp(base + n + ".c2s");
    st.bytes[1] = slurp(base + n + ".s2c");
    for (const auto& p : s["c2s_frames"]) st.frames[0].emplace_back(p[0], p[1]);
    for (const auto& p : s["s2c_frames"]) st.frames[1].emplace_back(p[0], p[1]);
    r.streams.push_back(std::move(st));
  }
  return r;
}

// The pcap frame that completed the byte at doctored offset `end` - 1.
uint64_t frame_of(const Stream& s, int d, uint64_t end) {
  for (auto it = s.edits[d].rbegin(); it != s.edits[d].rend(); ++it) {
    if (end > it->at + it->inserted) {
      end = end - it->inserted + it->removed;
    } else if (end > it->at) {
      end = it->at + std::min<uint64_t>(end - it->at, it->removed ? it->removed : 1);
    }
  }
  for (const auto& [off, frame] : s.frames[d])
    if (off >= end) return frame;
  return s.frames[d].empty() ? 0 : s.frames[d].back().second;
}

struct Decoded {
  uint64_t frame, conn;
  int order;
  std::shared_ptr<codec::AnyItem> item;  // or a stream error
  std::optional<codec::StreamError> error;
};

std::vector<CaseResult> check_streams(const Recording& r) {
  std::vector<Decoded> all;
  int order = 0;
  for (size_t n = 0; n < r.streams.size(); ++n) {
    const Stream& s = r.streams[n];
    codec::ConnectionDecoder dec;
    dec.feed(Dir::kClientToServer, s.bytes[0]);
    dec.feed(Dir::kServerToClient, s.bytes[1]);
    while (auto it = dec.poll()) {
      const int d = it->dir() == Dir::kClientToServer ? 0 : 1;
      const uint64_t f = frame_of(s, d, it->end());
      all.push_back({f, n, order++, std::make_shared<codec::AnyItem>(std::move(*it)), {}});
    }
    while (auto e = dec.poll_error()) {
      const int d = e->dir == Dir::kClientToServer ? 0 : 1;
      all.push_back({frame_of(s, d, e->offset + 1), n, order++, nullptr, std::move(*e)});
    }
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const Decoded& a, const Decoded& b) { return a.frame < b.frame; });
  Checker ch;
  for (size_t n = 0; n < r.streams.size(); ++n) ch.on_open(n, "client", "server");
  for (const auto& d : all) {
    if (d.item) {
      ch.on_item(d.conn, d.frame, static_cast<double>(d.frame), *d.item);
    } else {
      ch.on_stream_error(d.conn, d.frame, codec::Msgr::kV1, *d.error);
    }
  }
  return ch.finish();
}

// The n-th message of `type` in stream `s` direction `d`: its bytes [begin, end) and parts.
struct Found {
  uint64_t begin = 0, end = 0;
  codec::MessageParts parts;
  bool auth_footer = true;
};
std::optional<Found> find_message(const Stream& s, int d, uint16_t type,
                                  const std::function<bool(const codec::MessageParts&)>& pred) {
  codec::ConnectionDecoder dec;
  dec.feed(Dir::kClientToServer, s.bytes[0]);
  dec.feed(Dir::kServerToClient, s.bytes[1]);
  while (auto it = dec.poll()) {
    const codec::MessageParts* p = it->message();
    if (!p || (it->dir() == Dir::kClientToServer ? 0 : 1) != d || p->type != type || !pred(*p))
      continue;
    Found f{it->begin(), it->end(), *p, true};
    // Owned copies (the item goes away).
    f.parts.front = f.parts.front.owned();
    f.parts.middle = f.parts.middle.owned();
    f.parts.data = f.parts.data.owned();
    f.auth_footer = codec::msgr1::encode_message(*p, p->src, true) == it->raw();
    return f;
  }
  return std::nullopt;
}

void replace(Stream& s, int d, uint64_t begin, uint64_t end, const std::vector<uint8_t>& with) {
  auto& b = s.bytes[d];
  b.erase(b.begin() + static_cast<ptrdiff_t>(begin), b.begin() + static_cast<ptrdiff_t>(end));
  b.insert(b.begin() + static_cast<ptrdiff_t>(begin), with.begin(), with.end());
  s.edits[d].push_back({begin, end - begin, with.size()});
}

const CaseResult& expect_fails_at(const std::vector<CaseResult>& rs, std::string_view id,
                                  uint64_t frame) {
  const CaseResult& r = result(rs, id);
  EXPECT_EQ(r.verdict, Verdict::kFail) << id;
  bool at = false;
  for (const auto& f : r.failures) at |= f.frame == frame;
  EXPECT_TRUE(at) << id << " does not name frame " << frame;
  return r;
}

constexpr const char* kBasic = "v1-watch-notify-basic";

TEST(Doctored, UntouchedStreamsAreClean) {
  for (const char* rec : {"v1-watch-notify-basic", "v1-notify-timeout", "v1-list-watchers"}) {
    for (const auto& r : check_streams(load(rec)))
      for (const auto& f : r.failures) ADD_FAILURE() << rec << " " << r.info->id << ": " << f.text;
  }
}

// The watcher acks with a cookie it was not notified on.
TEST(Doctored, NotifyAckWithWrongCookie) {
  Recording r = load(kBasic);
  for (auto& s : r.streams) {
    auto f = find_message(s, 0, codec::MOSDOp::kType, [](const codec::MessageParts& p) {
      auto m = codec::MOSDOp::decode(p);
      return m && !m->ops.empty() && m->ops[0].op.op == codec::osd_op::kNotifyAck;
    });
    if (!f) continue;
    auto m = *codec::MOSDOp::decode(f->parts);
    auto in = std::get<codec::notify_ack_indata_t>(*codec::interpret_indata(m.ops[0]));
    in.cookie += 1;
    m.ops[0] = codec::make_notify_ack_op(in);
    codec::MessageParts p = f->parts;
    m.encode(p);
    replace(s, 0, f->begin, f->end, codec::msgr1::encode_message(p, p.src, f->auth_footer));
    const uint64_t frame = frame_of(s, 0, f->begin + 1);
    const auto rs = check_streams(r);
    const auto& c = expect_fails_at(rs, "notify/ack/delivered", frame);
    ASSERT_FALSE(c.failures.empty());
    EXPECT_NE(c.failures[0].text.find("notified on cookie"), std::string::npos) << c.failures[0].text;
    // The completion (undoctored) lists an ack that, on this wire, was never sent.
    EXPECT_EQ(result(rs, "notify/complete/acks-match").verdict, Verdict::kFail);
    return;
  }
  FAIL() << "no NOTIFY_ACK in " << kBasic;
}

// The OSD completes the notify twice.
TEST(Doctored, NotifyWithTwoCompletions) {
  Recording r = load(kBasic);
  for (auto& s : r.streams) {
    auto f = find_message(s, 1, codec::MWatchNotify::kType, [](const codec::MessageParts& p) {
      auto m = codec::MWatchNotify::decode(p);
      return m && m->opcode == codec::watch_event::kNotifyComplete;
    });
    if (!f) continue;
    codec::MessageParts again = f->parts;
    again.seq += 1;
    std::vector<uint8_t> both = codec::msgr1::encode_message(f->parts, f->parts.src, f->auth_footer);
    const auto second = codec::msgr1::encode_message(again, again.src, f->auth_footer);
    both.insert(both.end(), second.begin(), second.end());
    replace(s, 1, f->begin, f->end, both);
    const uint64_t frame = frame_of(s, 1, f->end + 1);  // the copy's first byte
    const auto rs = check_streams(r);
    const auto& c = expect_fails_at(rs, "notify/complete/exactly-once", frame);
    ASSERT_FALSE(c.failures.empty());
    EXPECT_NE(c.failures[0].text.find("completed 2 times"), std::string::npos) << c.failures[0].text;
    return;
  }
  FAIL() << "no NOTIFY_COMPLETE in " << kBasic;
}

// The client pings a watch right after unwatching it.
TEST(Doctored, PingAfterUnwatch) {
  Recording r = load(kBasic);
  for (auto& s : r.streams) {
    auto f = find_message(s, 0, codec::MOSDOp::kType, [](const codec::MessageParts& p) {
      auto m = codec::MOSDOp::decode(p);
      return m && !m->ops.empty() && m->ops[0].op.op == codec::osd_op::kWatch &&
             m->ops[0].op.watch().op == codec::watch_op::kUnwatch;
    });
    if (!f) continue;
    auto m = *codec::MOSDOp::decode(f->parts);
    const auto w = m.ops[0].op.watch();
    m.ops[0].op = codec::ceph_osd_op::make_watch(w.cookie, codec::watch_op::kPing, w.gen);
    m.mtime = {};
    codec::MessageParts p = f->parts;
    p.seq += 1;
    p.tid += 1000;
    m.encode(p);
    const auto ping = codec::msgr1::encode_message(p, p.src, f->auth_footer);
    replace(s, 0, f->end, f->end, ping);
    const uint64_t frame = frame_of(s, 0, f->end + 1);
    const auto rs = check_streams(r);
    const auto& c = expect_fails_at(rs, "watch/unwatch/last", frame);
    ASSERT_FALSE(c.failures.empty());
    EXPECT_NE(c.failures[0].text.find("PING cookie"), std::string::npos) << c.failures[0].text;
    return;
  }
  FAIL() << "no UNWATCH in " << kBasic;
}

// One bit of a message's front CRC flipped on the wire.
TEST(Doctored, FlippedCrc) {
  Recording r = load(kBasic);
  for (auto& s : r.streams) {
    auto f = find_message(s, 1, codec::MWatchNotify::kType,
                          [](const codec::MessageParts&) { return true; });
    if (!f) continue;
    // The footer starts right after the segments: front_crc is its first field.
    const uint64_t footer = f->end - (f->auth_footer ? 21 : 13);
    std::vector<uint8_t> bytes(s.bytes[1].begin() + static_cast<ptrdiff_t>(f->begin),
                               s.bytes[1].begin() + static_cast<ptrdiff_t>(f->end));
    bytes[footer - f->begin] ^= 0x01;
    replace(s, 1, f->begin, f->end, bytes);
    const uint64_t frame = frame_of(s, 1, f->end);
    const auto rs = check_streams(r);
    const auto& c = expect_fails_at(rs, "framing/v1/crc", frame);
    ASSERT_FALSE(c.failures.empty());
    EXPECT_NE(c.failures[0].text.find("bad crc at MessageFrame.footer.front_crc"), std::string::npos) << c.failures[0].text;
    return;
  }
  FAIL() << "no MWatchNotify in " << kBasic;
}

}  // namespace
}  // namespace cephwire::conformance
