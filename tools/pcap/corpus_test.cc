// The real recordings against the reference streams of tools/extract_streams.py (bytes and
// frame numbers), then captures doctored from them inside the test: reordered, duplicated,
// overlapping, dropped and mid-stream segments; other encapsulations (SLL, SLL2, NULL, LOOP,
// raw IP, VLAN), IPv6, pcapng, nanosecond pcap; truncated and non-pcap files; injected
// non-TCP traffic.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "tools/pcap/reader.h"
#include "tools/pcap/reassembler.h"
#include "tools/pcap/test_util.h"
#include "tools/pcap/writer.h"

namespace cephwire::pcap {
namespace {

using pcaptest::Collected;
using pcaptest::Frame;
using pcaptest::RefStream;
using FramePairs = std::vector<std::pair<uint64_t, uint64_t>>;
constexpr size_t c2s = 0, s2c = 1;

std::string tmp_path(const std::string& name) {
  const char* d = std::getenv("TEST_TMPDIR");
  return std::string(d != nullptr ? d : "/tmp") + "/" + name;
}

std::string pcap_path(const std::string& rec) { return "corpus/recordings/" + rec + ".pcap"; }

// Consecutive Data events of one frame count once, with the end of the last one.
FramePairs collapse(const FramePairs& in) {
  FramePairs out;
  for (const auto& p : in) {
    if (!out.empty() && out.back().second == p.second) {
      out.back().first = p.first;
    } else {
      out.push_back(p);
    }
  }
  return out;
}

using ConnKey = std::pair<uint16_t, uint16_t>;  // client port, server port

const pcaptest::ConnOut* find_conn(const Collected& got, ConnKey k) {
  for (const auto& [id, c] : got.conns) {
    if (c.opened.client.port == k.first && c.opened.server.port == k.second) return &c;
  }
  return nullptr;
}

void expect_well_formed(const Collected& got, const std::string& what) {
  for (const auto& [id, c] : got.conns) {
    EXPECT_TRUE(c.opened_once) << what << " conn " << id;
    EXPECT_FALSE(c.event_before_open) << what << " conn " << id;
    EXPECT_FALSE(c.event_after_close) << what << " conn " << id;
    EXPECT_TRUE(c.closed.has_value()) << what << " conn " << id;
    for (const auto& d : c.dir) EXPECT_TRUE(d.contiguous) << what << " conn " << id;
  }
}

using CloseMap = std::map<ConnKey, CloseReason>;

// Every connection equals its reference stream, from the SYN, without gaps, and closes as
// `closes` says; frames as given (nullptr: the reference's frame list mapped through
// frame_map, 1-based).
void expect_reference(const Collected& got, const std::vector<RefStream>& ref,
                      const CloseMap& closes, const std::string& what,
                      const std::map<ConnKey, std::array<FramePairs, 2>>* frames = nullptr,
                      const std::vector<uint64_t>* frame_map = nullptr) {
  expect_well_formed(got, what);
  ASSERT_EQ(got.conns.size(), ref.size()) << what;
  auto it = got.conns.begin();
  for (const RefStream& r : ref) {
    const ConnKey k{r.client_port, r.server_port};
    // Connection ids follow the order of the SYNs, as the reference numbers streams.
    const auto& c = (it++)->second;
    EXPECT_EQ(c.opened.client.port, r.client_port) << what;
    EXPECT_EQ(c.opened.server.port, r.server_port) << what;
    EXPECT_FALSE(c.opened.client_guessed) << what;
    EXPECT_FALSE(c.opened.midstream[0] || c.opened.midstream[1]) << what;
    ASSERT_TRUE(c.closed) << what;
    EXPECT_EQ(c.closed->how, closes.at(k)) << what << " " << k.first;
    for (size_t d = 0; d < 2; ++d) {
      const auto& out = c.dir[d];
      EXPECT_TRUE(out.gaps.empty()) << what << " " << k.first << " dir " << d;
      EXPECT_TRUE(out.bytes == r.bytes[d])
          << what << " " << k.first << " dir " << d << ": " << out.bytes.size() << " vs "
          << r.bytes[d].size() << " bytes";
      FramePairs want;
      if (frames != nullptr) {
        auto f = frames->find(k);
        if (f != frames->end()) want = f->second[d];
      } else {
        for (auto [end, f] : r.frames[d]) {
          want.emplace_back(end, frame_map != nullptr ? frame_map->at(f - 1) : f);
        }
      }
      EXPECT_EQ(collapse(out.frames), want) << what << " " << k.first << " dir " << d;
    }
  }
}

// The data segments of a capture, with stream offsets from each connection's SYN / SYN-ACK
// (learned from `original`, the unmodified recording).
struct Seg {
  size_t pos;  // index in the frame list
  ConnKey conn;
  size_t dir;
  uint64_t off;
  size_t len;
};

class Index {
 public:
  explicit Index(const std::vector<Frame>& original) {
    for (const Frame& f : original) {
      auto p = decode_frame(LinkType::kEthernet, f.data);
      if (!p) continue;
      if (p->has(tcp_flags::kSyn) && !p->has(tcp_flags::kAck)) {
        const ConnKey k{p->src.port, p->dst.port};
        if (!base_.count(k)) order_.push_back(k);
        base_[k][c2s] = p->seq + 1;
      } else if (p->has(tcp_flags::kSyn) && base_.count({p->dst.port, p->src.port})) {
        base_[{p->dst.port, p->src.port}][s2c] = p->seq + 1;
        synack_.insert({p->dst.port, p->src.port});
      }
    }
  }
  std::vector<Seg> segments(const std::vector<Frame>& frames) const {
    std::vector<Seg> out;
    for (size_t i = 0; i < frames.size(); ++i) {
      auto p = decode_frame(LinkType::kEthernet, frames[i].data);
      if (!p || p->payload.empty()) continue;
      Seg s{i, {p->src.port, p->dst.port}, c2s, 0, p->payload.size()};
      if (!base_.count(s.conn)) {
        s.conn = {p->dst.port, p->src.port};
        s.dir = s2c;
      }
      if (!base_.count(s.conn)) continue;  // not from a SYN: not part of the reference
      if (s.dir == s2c && !synack_.count(s.conn)) continue;
      s.off = static_cast<uint32_t>(p->seq - base_.at(s.conn)[s.dir]);
      out.push_back(s);
    }
    return out;
  }
  // What the reassembler must report: for each frame that extends a direction's contiguous
  // prefix, [new prefix end, frame number].
  std::map<ConnKey, std::array<FramePairs, 2>> model(const std::vector<Frame>& frames) const {
    std::map<ConnKey, std::array<FramePairs, 2>> out;
    std::map<std::pair<ConnKey, size_t>, std::pair<std::vector<bool>, uint64_t>> have;
    for (const Seg& s : segments(frames)) {
      auto& [h, prefix] = have[{s.conn, s.dir}];
      if (h.size() < s.off + s.len) h.resize(s.off + s.len);
      for (size_t i = 0; i < s.len; ++i) h[s.off + i] = true;
      uint64_t now = prefix;
      while (now < h.size() && h[now]) ++now;
      if (now > prefix) out[s.conn][s.dir].emplace_back(now, s.pos + 1);
      prefix = now;
    }
    return out;
  }
  // For each of segments(frames): the contiguous prefix of its direction when it arrives.
  std::vector<uint64_t> prefix_at_arrival(const std::vector<Frame>& frames) const {
    std::vector<uint64_t> out;
    std::map<std::pair<ConnKey, size_t>, std::pair<std::vector<bool>, uint64_t>> have;
    for (const Seg& s : segments(frames)) {
      auto& [h, prefix] = have[{s.conn, s.dir}];
      out.push_back(prefix);
      if (h.size() < s.off + s.len) h.resize(s.off + s.len);
      for (size_t i = 0; i < s.len; ++i) h[s.off + i] = true;
      while (prefix < h.size() && h[prefix]) ++prefix;
    }
    return out;
  }
  // How each connection ends in the capture: RST, both FINs, or neither (end of file).
  CloseMap closes(const std::vector<Frame>& frames) const {
    CloseMap out;
    std::map<ConnKey, std::array<bool, 2>> fin;
    for (const Frame& f : frames) {
      auto p = decode_frame(LinkType::kEthernet, f.data);
      if (!p) continue;
      ConnKey k{p->src.port, p->dst.port};
      size_t d = c2s;
      if (!base_.count(k)) {
        k = {p->dst.port, p->src.port};
        d = s2c;
      }
      if (!base_.count(k) || out.count(k)) continue;
      if (p->has(tcp_flags::kRst)) {
        out[k] = CloseReason::kRst;
      } else if (p->has(tcp_flags::kFin)) {
        fin[k][d] = true;
        if (fin[k][0] && fin[k][1]) out[k] = CloseReason::kFin;
      }
    }
    for (const auto& [k, b] : base_) out.try_emplace(k, CloseReason::kEof);
    return out;
  }
  // The reference streams as tools/extract_streams.py makes them (segments sorted by offset,
  // each appended where it extends the stream), for recordings it has not been run on.
  std::vector<RefStream> reference(const std::vector<Frame>& frames) const {
    std::map<std::pair<ConnKey, size_t>, std::vector<Seg>> by_dir;
    for (const Seg& s : segments(frames)) by_dir[{s.conn, s.dir}].push_back(s);
    std::vector<RefStream> out;
    for (const ConnKey& k : order_) {
      RefStream r;
      r.client_port = k.first;
      r.server_port = k.second;
      for (size_t d = 0; d < 2; ++d) {
        auto list = by_dir[{k, d}];
        std::stable_sort(list.begin(), list.end(),
                         [](const Seg& a, const Seg& b) { return a.off < b.off; });
        for (const Seg& s : list) {
          if (s.off + s.len <= r.bytes[d].size()) continue;
          EXPECT_LE(s.off, r.bytes[d].size()) << "a hole in the recording";
          auto p = decode_frame(LinkType::kEthernet, frames[s.pos].data);
          const size_t skip = r.bytes[d].size() - s.off;
          r.bytes[d].insert(r.bytes[d].end(), p->payload.begin() + static_cast<ptrdiff_t>(skip),
                            p->payload.end());
          r.frames[d].emplace_back(r.bytes[d].size(), s.pos + 1);
        }
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  size_t connections() const { return base_.size(); }

 private:
  std::map<ConnKey, std::array<uint32_t, 2>> base_;
  std::set<ConnKey> synack_;
  std::vector<ConnKey> order_;  // SYN order
};

// Rebuilds a frame's TCP segment with other sequence number / payload / flags.
Frame rebuild(const Frame& f, uint32_t seq_delta, std::span<const uint8_t> payload,
              uint8_t flags) {
  auto p = decode_frame(LinkType::kEthernet, f.data);
  EXPECT_TRUE(p.has_value());
  TcpSpec s;
  s.src = p->src;
  s.dst = p->dst;
  s.seq = p->seq + seq_delta;
  s.ack = p->ack;
  s.flags = flags;
  s.window = p->window;
  s.options = p->options;
  s.payload = payload;
  return Frame{f.ts, tcp_frame(LinkType::kEthernet, s)};
}

void save(const std::string& path, LinkType link, const std::vector<Frame>& frames,
          bool nano = false) {
  PcapWriter w(link, nano);
  for (const Frame& f : frames) w.add(f.ts, f.data);
  ASSERT_TRUE(w.save(path));
}

class Corpus : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    rec_ = GetParam();
    frames_ = pcaptest::load_frames(pcap_path(rec_), &link_);
    ASSERT_EQ(link_, LinkType::kEthernet);
    index_ = std::make_unique<Index>(frames_);
    ref_ = index_->reference(frames_);
    if (std::filesystem::exists("corpus/streams/" + rec_ + "/index.json")) {
      // The test's own reference agrees with tools/extract_streams.py, where that was run.
      const auto py = pcaptest::load_reference(rec_);
      ASSERT_EQ(py.size(), ref_.size());
      for (size_t i = 0; i < py.size(); ++i) {
        EXPECT_EQ(py[i].client_port, ref_[i].client_port);
        EXPECT_EQ(py[i].server_port, ref_[i].server_port);
        for (size_t d = 0; d < 2; ++d) {
          EXPECT_TRUE(py[i].bytes[d] == ref_[i].bytes[d]) << i << " dir " << d;
          EXPECT_EQ(py[i].frames[d], ref_[i].frames[d]) << i << " dir " << d;
        }
      }
      ref_ = py;
      from_python_ = true;
    }
    ASSERT_FALSE(ref_.empty());
    ASSERT_EQ(index_->connections(), ref_.size()) << "client ports must be unique";
    closes_ = index_->closes(frames_);
  }
  // Frame list -> file -> PcapReader -> reassembler.
  Collected through_file(const std::vector<Frame>& frames, LinkType link, const std::string& tag,
                         const ReassemblerOptions& o = {}) {
    const std::string path = tmp_path(rec_ + "." + tag + ".pcap");
    save(path, link, frames);
    return pcaptest::run_file(path, o);
  }
  std::string rec_;
  std::vector<RefStream> ref_;
  std::vector<Frame> frames_;
  LinkType link_ = LinkType::kEthernet;
  std::unique_ptr<Index> index_;
  CloseMap closes_;
  bool from_python_ = false;
};

TEST_P(Corpus, MatchesReferenceStreams) {
  RecordProperty("reference", from_python_ ? "tools/extract_streams.py" : "corpus_test Index");
  Collected got = pcaptest::run_file(pcap_path(rec_));
  expect_reference(got, ref_, closes_, rec_);
  EXPECT_EQ(got.stats.gaps, 0u);
  EXPECT_EQ(got.stats.out_of_order_segments, 0u);
  EXPECT_EQ(got.stats.overlap_conflicts, 0u);
  EXPECT_EQ(got.stats.stray_packets, 0u);
  EXPECT_EQ(got.skipped.total(), 0u);
  EXPECT_EQ(got.tcp_packets, frames_.size());
  // The sans-IO path over the same frames gives the same events; Data carries its frame's time.
  Reassembler re;
  uint64_t n = 0, data = 0;
  std::vector<Event> kinds;
  for (const Frame& f : frames_) {
    auto p = decode_frame(link_, f.data, ++n, f.ts);
    ASSERT_TRUE(p);
    for (const Event& e : re.feed(*p)) {
      if (const Data* d = std::get_if<Data>(&e)) {
        ++data;
        EXPECT_EQ(d->frame, n);
        EXPECT_EQ(d->ts, f.ts);
      }
    }
  }
  (void)re.finish();
  EXPECT_EQ(re.stats().delivered_bytes, got.stats.delivered_bytes);
  EXPECT_GT(data, 0u);
  // The expected-frames model reproduces the reference (it is used for doctored captures).
  auto model = index_->model(frames_);
  expect_reference(got, ref_, closes_, rec_ + " model", &model);
}

TEST_P(Corpus, ReorderedSegments) {
  // Within each connection, every other data segment swaps with the next one of the same
  // direction; the connection's frames in between (ACKs of the first one) move after both.
  std::vector<Frame> frames = frames_;
  auto segs = index_->segments(frames_);
  std::map<std::pair<ConnKey, size_t>, std::vector<Seg>> by_dir;
  for (const Seg& s : segs) by_dir[{s.conn, s.dir}].push_back(s);
  std::vector<bool> touched(frames.size());
  size_t swaps = 0;
  for (auto& [key, list] : by_dir) {
    for (size_t i = 0; i + 1 < list.size(); i += 2) {
      const size_t a = list[i].pos, b = list[i + 1].pos;
      bool free = true;
      for (size_t j = a; j <= b; ++j) free = free && !touched[j];
      if (!free) continue;
      std::vector<size_t> slots;  // positions of this connection's frames in [a, b]
      for (size_t j = a; j <= b; ++j) {
        auto p = decode_frame(LinkType::kEthernet, frames_[j].data);
        if (p && (ConnKey{p->src.port, p->dst.port} == key.first ||
                  ConnKey{p->dst.port, p->src.port} == key.first)) {
          slots.push_back(j);
        }
      }
      std::vector<Frame> order = {frames_[b], frames_[a]};
      for (size_t j : slots) {
        if (j != a && j != b) order.push_back(frames_[j]);
      }
      for (size_t j = 0; j < slots.size(); ++j) {
        frames[slots[j]] = order[j];
        touched[slots[j]] = true;
      }
      ++swaps;
    }
  }
  ASSERT_GT(swaps, ref_.size());
  auto want = index_->model(frames);
  Collected got = through_file(frames, LinkType::kEthernet, "reordered");
  expect_reference(got, ref_, closes_, "reordered", &want);
  EXPECT_EQ(got.stats.out_of_order_segments, swaps);
  EXPECT_EQ(got.stats.gaps, 0u);
}

TEST_P(Corpus, DuplicatedSegments) {
  std::vector<Frame> frames;
  uint64_t payload = 0;
  auto segs = index_->segments(frames_);
  std::set<size_t> data_pos;
  for (const Seg& s : segs) data_pos.insert(s.pos);
  for (size_t i = 0; i < frames_.size(); ++i) {
    frames.push_back(frames_[i]);
    if (data_pos.count(i)) {
      frames.push_back(frames_[i]);  // an immediate copy
      payload += index_->segments({frames_[i]}).at(0).len;
    }
    if (i >= 3 && data_pos.count(i - 3)) frames.push_back(frames_[i - 3]);  // a late one
  }
  auto want = index_->model(frames);
  Collected got = through_file(frames, LinkType::kEthernet, "duplicated");
  expect_reference(got, ref_, closes_, "duplicated", &want);
  EXPECT_GE(got.stats.retransmitted_bytes, payload);
  EXPECT_EQ(got.stats.overlap_conflicts, 0u);
}

// Each data segment of >= 6 bytes (of the connections in the reference) is sent as two
// overlapping pieces [a, a+2L/3), [a+L/3, b). mode 0: same bytes; 1: the second piece's overlap
// is corrupted (caught with overlap history); 2: the second piece goes first and the first
// piece's overlap is corrupted (caught against the buffered copy).
std::vector<Frame> overlapping(const std::vector<Frame>& in, const std::set<size_t>& which,
                               int mode) {
  std::vector<Frame> out;
  for (size_t i = 0; i < in.size(); ++i) {
    const Frame& f = in[i];
    auto p = decode_frame(LinkType::kEthernet, f.data);
    if (!which.count(i)) {
      out.push_back(f);
      continue;
    }
    const size_t L = p->payload.size(), m1 = L / 3, m2 = 2 * L / 3;
    std::vector<uint8_t> first(p->payload.begin(), p->payload.begin() + m2);
    std::vector<uint8_t> second(p->payload.begin() + m1, p->payload.end());
    if (mode == 1) {
      for (size_t j = 0; j < m2 - m1; ++j) second[j] ^= 0x5a;
    }
    if (mode == 2) {
      for (size_t j = m1; j < m2; ++j) first[j] ^= 0xa5;
    }
    const uint8_t flags = p->flags;
    Frame a = rebuild(f, 0, first, flags & ~tcp_flags::kFin);
    Frame b = rebuild(f, static_cast<uint32_t>(m1), second, flags);
    if (mode == 2) std::swap(a, b);
    out.push_back(a);
    out.push_back(b);
  }
  return out;
}

TEST_P(Corpus, OverlappingSegments) {
  const auto segs = index_->segments(frames_);
  const auto prefix = index_->prefix_at_arrival(frames_);
  std::set<size_t> which;
  size_t ahead = 0;  // segments whose second piece lands beyond what was already received
  for (size_t i = 0; i < segs.size(); ++i) {
    if (segs[i].len < 6) continue;
    which.insert(segs[i].pos);
    ahead += segs[i].off + segs[i].len / 3 > prefix[i];
  }
  ASSERT_GT(which.size(), 0u);
  for (int mode : {0, 1, 2}) {
    auto frames = overlapping(frames_, which, mode);
    ReassemblerOptions o;
    o.overlap_history = mode == 1 ? 1u << 20 : 0;
    auto want = index_->model(frames);
    Collected got = through_file(frames, LinkType::kEthernet, "overlap" + std::to_string(mode), o);
    const std::string what = "overlap mode " + std::to_string(mode);
    expect_reference(got, ref_, closes_, what, &want);
    EXPECT_GT(got.stats.retransmitted_bytes, 0u) << what;
    if (mode == 0) {
      EXPECT_EQ(got.stats.overlap_conflicts, 0u) << what;
    }
    if (mode == 1) {
      EXPECT_EQ(got.stats.overlap_conflicts, which.size()) << what;
    }
    if (mode == 2) {
      EXPECT_EQ(got.stats.overlap_conflicts, ahead) << what;
      EXPECT_EQ(got.stats.out_of_order_segments, ahead) << what;
      EXPECT_GT(ahead, which.size() / 2) << what;
    }
  }
}

TEST_P(Corpus, DroppedSegmentIsExactlyOneGap) {
  // In every direction with two or more new data segments, drop the middle one of those that
  // have a later one (so something waits behind the hole).
  const auto segs = index_->segments(frames_);
  const auto prefix = index_->prefix_at_arrival(frames_);
  std::map<std::pair<ConnKey, size_t>, std::vector<Seg>> by_dir;
  for (size_t i = 0; i < segs.size(); ++i) {
    if (segs[i].off == prefix[i]) by_dir[{segs[i].conn, segs[i].dir}].push_back(segs[i]);
  }
  std::map<std::pair<ConnKey, size_t>, Seg> dropped;
  std::set<size_t> drop_pos;
  for (auto& [key, list] : by_dir) {
    if (list.size() < 2) continue;
    const Seg& s = list[(list.size() - 1) / 2];
    // Not when the recording itself re-sends those bytes later (that would fill the hole).
    bool resent = false;
    for (const Seg& o : segs) {
      resent = resent || (o.conn == s.conn && o.dir == s.dir && o.pos > s.pos &&
                          o.off < s.off + s.len && o.off + o.len > s.off);
    }
    if (resent) continue;
    dropped.emplace(key, s);
    drop_pos.insert(s.pos);
  }
  ASSERT_FALSE(dropped.empty());
  std::vector<Frame> frames;
  for (size_t i = 0; i < frames_.size(); ++i) {
    if (!drop_pos.count(i)) frames.push_back(frames_[i]);
  }
  Collected got = through_file(frames, LinkType::kEthernet, "dropped");
  expect_well_formed(got, "dropped");
  ASSERT_EQ(got.conns.size(), ref_.size());
  size_t gaps = 0;
  for (const RefStream& r : ref_) {
    const ConnKey k{r.client_port, r.server_port};
    const auto* c = find_conn(got, k);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->closed->how, closes_.at(k)) << k.first;
    for (size_t d = 0; d < 2; ++d) {
      auto it = dropped.find({k, d});
      if (it == dropped.end()) {
        EXPECT_TRUE(c->dir[d].bytes == r.bytes[d]);
        EXPECT_TRUE(c->dir[d].gaps.empty());
        continue;
      }
      const Seg& s = it->second;
      ASSERT_EQ(c->dir[d].gaps.size(), 1u) << k.first << " dir " << d;
      EXPECT_EQ(c->dir[d].gaps[0].offset, s.off) << k.first << " dir " << d;
      EXPECT_EQ(c->dir[d].gaps[0].length, s.len) << k.first << " dir " << d;
      std::vector<uint8_t> want = r.bytes[d];
      want.erase(want.begin() + static_cast<ptrdiff_t>(s.off),
                 want.begin() + static_cast<ptrdiff_t>(s.off + s.len));
      EXPECT_TRUE(c->dir[d].bytes == want) << k.first << " dir " << d;
      EXPECT_EQ(c->dir[d].next, r.bytes[d].size());
      ++gaps;
    }
  }
  EXPECT_EQ(got.stats.gaps, gaps);
  EXPECT_EQ(gaps, dropped.size());
}

TEST_P(Corpus, CaptureStartingMidStream) {
  // Cut the capture just before the second new client data segment of the first connection
  // that has two.
  const auto segs = index_->segments(frames_);
  const auto prefix = index_->prefix_at_arrival(frames_);
  std::map<ConnKey, std::array<std::vector<Seg>, 2>> by_conn;
  for (size_t i = 0; i < segs.size(); ++i) {
    if (segs[i].off == prefix[i]) by_conn[segs[i].conn][segs[i].dir].push_back(segs[i]);
  }
  const RefStream* target = nullptr;
  for (const RefStream& r : ref_) {
    if (by_conn[{r.client_port, r.server_port}][c2s].size() >= 2) {
      target = &r;
      break;
    }
  }
  ASSERT_NE(target, nullptr);
  const ConnKey key{target->client_port, target->server_port};
  const auto& c0 = by_conn[key];
  const size_t cut = c0[c2s][1].pos;
  std::vector<Frame> frames(frames_.begin() + static_cast<ptrdiff_t>(cut), frames_.end());
  Collected got = through_file(frames, LinkType::kEthernet, "midstream");
  expect_well_formed(got, "midstream");

  // The connection cut in two: mid-stream, client guessed by the higher port.
  const bool client_is_higher = key.first > key.second;
  const ConnKey guessed = client_is_higher ? key : ConnKey{key.second, key.first};
  const auto* c = find_conn(got, guessed);
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->opened.client_guessed);
  EXPECT_TRUE(c->opened.midstream[0]);
  EXPECT_TRUE(c->opened.midstream[1]);
  EXPECT_EQ(c->closed->how, closes_.at(key));
  for (size_t d = 0; d < 2; ++d) {
    uint64_t start = target->bytes[d].size();
    for (const Seg& s : c0[d]) {
      if (s.pos >= cut) {
        start = s.off;
        break;
      }
    }
    const std::vector<uint8_t> want(target->bytes[d].begin() + static_cast<ptrdiff_t>(start),
                                    target->bytes[d].end());
    const auto& out = c->dir[client_is_higher ? d : 1 - d];
    EXPECT_TRUE(out.bytes == want) << "dir " << d << " from " << start;
    EXPECT_TRUE(out.gaps.empty());
    FramePairs fr;
    for (auto [end, f] : target->frames[d]) {
      if (end > start) fr.emplace_back(end - start, f - cut);
    }
    EXPECT_EQ(collapse(out.frames), fr) << "dir " << d;
  }
  // Connections that began before the cut are mid-stream too; the others are whole.
  std::vector<RefStream> rest;
  Collected others;
  for (const RefStream& r : ref_) {
    bool before = false;  // any of its frames (its SYN at least) before the cut
    for (size_t i = 0; i < cut && !before; ++i) {
      auto p = decode_frame(LinkType::kEthernet, frames_[i].data);
      before = p && ((p->src.port == r.client_port && p->dst.port == r.server_port) ||
                     (p->dst.port == r.client_port && p->src.port == r.server_port));
    }
    if (&r == target || before) continue;
    const auto* o = find_conn(got, {r.client_port, r.server_port});
    ASSERT_NE(o, nullptr) << r.client_port;
    others.conns[others.conns.size()] = *o;
    rest.push_back(r);
  }
  std::vector<uint64_t> map(frames_.size());
  for (size_t i = 0; i < map.size(); ++i) map[i] = i >= cut ? i - cut + 1 : 0;
  expect_reference(others, rest, closes_, "midstream others", nullptr, &map);
}

struct Encap {
  std::string name;
  LinkType link;
  LinkOptions opts;
  bool v6 = false;
};

TEST_P(Corpus, OtherEncapsulationsAndIpv6) {
  std::vector<Encap> encaps = {
      {"sll", LinkType::kLinuxSll, {}},
      {"sll2", LinkType::kLinuxSll2, {}},
      {"null", LinkType::kNull, {}},
      {"null-be", LinkType::kNull, {{}, true, false, 10}},
      {"loop", LinkType::kLoop, {}},
      {"loop-le", LinkType::kLoop, {{}, false, true, 10}},
      {"raw", LinkType::kRaw, {}},
      {"ipv4", LinkType::kIpv4, {}},
      {"vlan", LinkType::kEthernet, {{10, 20}, false, false, 10}},
      {"v6-ethernet", LinkType::kEthernet, {}, true},
      {"v6-raw", LinkType::kRaw, {}, true},
      {"v6-ipv6", LinkType::kIpv6, {}, true},
      {"v6-null-bsd", LinkType::kNull, {{}, false, false, 24}, true},
      {"v6-loop-darwin", LinkType::kLoop, {{}, false, false, 30}, true},
      {"v6-sll2", LinkType::kLinuxSll2, {}, true},
      {"v6-vlan", LinkType::kEthernet, {{5}, false, false, 10}, true},
  };
  for (const Encap& e : encaps) {
    std::vector<Frame> frames;
    for (const Frame& f : frames_) {
      std::span<const uint8_t> ip = std::span<const uint8_t>(f.data).subspan(14);
      std::vector<uint8_t> v6;
      if (e.v6) {
        v6 = ipv4_to_ipv6(ip);
        ASSERT_FALSE(v6.empty());
        ip = v6;
      }
      frames.push_back(Frame{f.ts, encapsulate(e.link, ip, e.opts)});
    }
    Collected got = through_file(frames, e.link, e.name);
    expect_reference(got, ref_, closes_, e.name);
    for (const auto& [id, c] : got.conns) {
      EXPECT_EQ(c.opened.client.ip.version, e.v6 ? 6 : 4) << e.name;
      if (e.v6) {
        EXPECT_EQ(c.opened.client.ip.to_string(), "fd00::7f00:1") << e.name;
      }
    }
  }
}

TEST_P(Corpus, PcapngAndNanosecondPcap) {
  PcapngWriter w(LinkType::kEthernet);
  for (size_t i = 0; i < frames_.size(); ++i) {
    if (i % 10 == 3) w.add_ignored_blocks();  // not frames: numbering must not move
    w.add(frames_[i].ts, frames_[i].data);
  }
  const std::string ng = tmp_path(rec_ + ".pcapng");
  ASSERT_TRUE(w.save(ng));
  std::optional<PcapError> err;
  Collected got = pcaptest::run_file(ng, {}, &err);
  EXPECT_FALSE(err) << err->to_string();
  expect_reference(got, ref_, closes_, "pcapng");
  auto r = PcapReader::open(ng);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->is_pcapng());
  for (const Frame& f : frames_) {
    auto rec = r->next_record();
    ASSERT_TRUE(rec && *rec);
    EXPECT_EQ((*rec)->ts, f.ts);
    EXPECT_TRUE(std::equal((*rec)->data.begin(), (*rec)->data.end(), f.data.begin(),
                           f.data.end()));
  }
  auto end = r->next_record();
  ASSERT_TRUE(end);
  EXPECT_FALSE(*end);

  const std::string nano = tmp_path(rec_ + ".nano.pcap");
  save(nano, LinkType::kEthernet, frames_, true);
  expect_reference(pcaptest::run_file(nano), ref_, closes_, "nanosecond pcap");
}

TEST_P(Corpus, InjectedNonTcpTrafficIsSkippedAndCounted) {
  const Endpoint a{IpAddress::v4(127, 0, 0, 1), 5353}, b{IpAddress::v4(127, 0, 0, 1), 53};
  std::array<uint8_t, 16> six{};
  six[15] = 1;
  const Endpoint a6{IpAddress::v6(six), 1000}, b6{IpAddress::v6(six), 2000};
  const std::vector<uint8_t> junk = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<Frame> frames;
  std::vector<uint64_t> map;
  size_t injected = 0;
  SkipStats want;
  for (size_t i = 0; i < frames_.size(); ++i) {
    const Timestamp ts = frames_[i].ts;
    switch (i % 7) {
      case 1:
        frames.push_back({ts, udp_frame(LinkType::kEthernet, a, b, junk)});
        want.add({SkipReason::kNotTcp, 17});
        break;
      case 2:
        frames.push_back({ts, icmp_echo_frame(LinkType::kEthernet, a.ip, b.ip)});
        want.add({SkipReason::kNotTcp, 1});
        break;
      case 3:
        frames.push_back({ts, arp_frame()});
        want.add({SkipReason::kNotIp, 0x0806});
        break;
      case 4: {  // an IPv4 fragment of a TCP packet
        auto ip = std::span<const uint8_t>(frames_[i].data).subspan(14);
        std::vector<uint8_t> frag(ip.begin(), ip.end());
        frag[6] |= 0x20;  // MF
        frames.push_back({ts, encapsulate(LinkType::kEthernet, frag)});
        want.add({SkipReason::kFragment, 6});
        break;
      }
      case 5:
        frames.push_back({ts, udp_frame(LinkType::kEthernet, a6, b6, junk)});
        want.add({SkipReason::kNotTcp, 17});
        break;
      case 6: {  // a TCP frame cut by the snaplen (a copy, so nothing is lost)
        std::vector<uint8_t> cut(frames_[i].data.begin(), frames_[i].data.begin() + 40);
        frames.push_back({ts, cut});
        want.add({SkipReason::kTruncated, 0});
        break;
      }
      default:
        break;
    }
    injected += i % 7 != 0;
    frames.push_back(frames_[i]);
    map.push_back(frames.size());
  }
  Collected got = through_file(frames, LinkType::kEthernet, "injected");
  expect_reference(got, ref_, closes_, "injected", nullptr, &map);
  EXPECT_EQ(got.skipped.total(), injected);
  EXPECT_EQ(got.skipped.by_reason, want.by_reason);
  EXPECT_EQ(got.skipped.ip_protocol, want.ip_protocol);
  EXPECT_EQ(got.tcp_packets, frames_.size());
}

TEST_P(Corpus, TruncatedFile) {
  const auto bytes = pcaptest::read_file(pcap_path(rec_));
  // Record offsets: 24-byte header, then 16-byte record headers.
  std::vector<size_t> rec_at;
  for (size_t off = 24; off + 16 <= bytes.size();) {
    rec_at.push_back(off);
    const uint32_t incl = uint32_t{bytes[off + 8]} | uint32_t{bytes[off + 9]} << 8 |
                          uint32_t{bytes[off + 10]} << 16 | uint32_t{bytes[off + 11]} << 24;
    off += 16 + incl;
  }
  ASSERT_EQ(rec_at.size(), frames_.size());
  const size_t k = frames_.size() / 2;  // records 1..k survive
  for (size_t cut : {rec_at[k] + 7, rec_at[k] + 16 + 3}) {
    const std::string path = tmp_path(rec_ + ".truncated.pcap");
    std::vector<uint8_t> head(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(cut));
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(head.data(), 1, head.size(), f), head.size());
    std::fclose(f);
    std::optional<PcapError> err;
    Collected got = pcaptest::run_file(path, {}, &err);
    ASSERT_TRUE(err.has_value()) << cut;
    EXPECT_EQ(err->kind, PcapErrorKind::kTruncated) << err->to_string();
    EXPECT_EQ(err->records_read, k) << err->to_string();
    EXPECT_NE(err->to_string().find("after " + std::to_string(k) + " records"),
              std::string::npos)
        << err->to_string();
    // What was read was reassembled: every stream is a prefix of its reference, and
    // connections still open at the cut are closed as kEof.
    expect_well_formed(got, "truncated");
    std::vector<Frame> first(frames_.begin(), frames_.begin() + static_cast<ptrdiff_t>(k));
    Collected direct = pcaptest::run(first, LinkType::kEthernet);
    ASSERT_EQ(got.conns.size(), direct.conns.size());
    for (const auto& [id, c] : got.conns) {
      const RefStream* rp = nullptr;
      for (const RefStream& r : ref_) {
        if (r.client_port == c.opened.client.port && r.server_port == c.opened.server.port) {
          rp = &r;
        }
      }
      ASSERT_NE(rp, nullptr);
      const RefStream& r = *rp;
      for (size_t d = 0; d < 2; ++d) {
        const auto& b = c.dir[d].bytes;
        ASSERT_LE(b.size(), r.bytes[d].size());
        EXPECT_TRUE(std::equal(b.begin(), b.end(), r.bytes[d].begin()));
        EXPECT_TRUE(b == direct.conns.at(id).dir[d].bytes);
      }
    }
    // The reader alone reports the same.
    auto reader = PcapReader::open(path);
    ASSERT_TRUE(reader);
    for (size_t i = 0; i < k; ++i) ASSERT_TRUE(reader->next_record().has_value());
    auto last = reader->next_record();
    ASSERT_FALSE(last.has_value());
    EXPECT_EQ(last.error().kind, PcapErrorKind::kTruncated);
    EXPECT_EQ(reader->records_read(), k);
  }
}

INSTANTIATE_TEST_SUITE_P(Recordings, Corpus, ::testing::ValuesIn(pcaptest::recordings()),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& ch : s) {
                             if (ch == '-') ch = '_';
                           }
                           return s;
                         });

TEST(CorpusFiles, NotPcapFiles) {
  auto r = PcapReader::open("corpus/recordings/v1-watch-notify-basic.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, PcapErrorKind::kNotPcap) << r.error().to_string();
  auto s = reassemble_file("corpus/streams/v1-watch-notify-basic/index.json", {},
                           [](const Event&) {});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, PcapErrorKind::kNotPcap);
  // The four recordings tools/extract_streams.py was run on are there (more may be).
  const auto recs = pcaptest::recordings();
  for (const char* r : {"v1-list-watchers", "v1-notify-timeout", "v1-watch-notify-basic",
                        "v2-watch-notify-basic"}) {
    EXPECT_NE(std::find(recs.begin(), recs.end(), r), recs.end()) << r;
  }
}

}  // namespace
}  // namespace cephwire::pcap
