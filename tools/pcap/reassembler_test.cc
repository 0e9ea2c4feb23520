// Synthetic segment sequences for every reassembly rule (no capture files involved).
#include "tools/pcap/reassembler.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "tools/pcap/test_util.h"

namespace cephwire::pcap {
namespace {

using pcaptest::Collected;
using pcaptest::collect;
constexpr Dir C2S = Dir::kClientToServer;
constexpr Dir S2C = Dir::kServerToClient;
using namespace tcp_flags;

// A scripted two-party TCP conversation; builds TcpPackets whose payload spans view storage
// owned by the script.
class Script {
 public:
  Script(Endpoint client, Endpoint server, uint32_t cisn, uint32_t sisn)
      : client_(client), server_(server), isn_{cisn, sisn} {}
  Script() : Script(ep(10, 0, 0, 1, 50000), ep(10, 0, 0, 2, 6789), 1000, 5000) {}

  static Endpoint ep(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
    return Endpoint{IpAddress::v4(a, b, c, d), port};
  }

  // Segment in direction d carrying stream bytes [off, off + data.size()).
  TcpPacket seg(Dir d, uint64_t off, std::string_view data, uint8_t flags = kAck | kPsh) {
    auto& store = storage_.emplace_back(data.begin(), data.end());
    TcpPacket p = base(d, flags);
    p.seq = static_cast<uint32_t>(isn_[idx(d)] + 1 + off);
    p.payload = store;
    return p;
  }
  TcpPacket syn() {
    TcpPacket p = base(C2S, kSyn);
    p.seq = isn_[0];
    p.ack = 0;
    return p;
  }
  TcpPacket synack() {
    TcpPacket p = base(S2C, kSyn | kAck);
    p.seq = isn_[1];
    p.ack = isn_[0] + 1;
    return p;
  }
  // Pure ACK from d acknowledging `acked` bytes of the other direction.
  TcpPacket ack(Dir d, uint64_t own_off, uint64_t acked, uint8_t flags = kAck) {
    TcpPacket p = base(d, flags);
    p.seq = static_cast<uint32_t>(isn_[idx(d)] + 1 + own_off);
    p.ack = static_cast<uint32_t>(isn_[1 - idx(d)] + 1 + acked);
    return p;
  }
  TcpPacket fin(Dir d, uint64_t off, uint64_t acked) { return ack(d, off, acked, kFin | kAck); }
  TcpPacket rst(Dir d, uint64_t off) {
    TcpPacket p = base(d, kRst);
    p.seq = static_cast<uint32_t>(isn_[idx(d)] + 1 + off);
    return p;
  }
  void set_ack(TcpPacket& p, uint64_t acked) {
    const Dir d = p.src == client_ ? C2S : S2C;
    p.ack = static_cast<uint32_t>(isn_[1 - idx(d)] + 1 + acked);
  }

  uint64_t frame = 0;

 private:
  static size_t idx(Dir d) { return static_cast<size_t>(d); }
  TcpPacket base(Dir d, uint8_t flags) {
    TcpPacket p;
    p.frame = ++frame;
    p.ts = Timestamp{1700000000, static_cast<uint32_t>(frame * 1000)};
    p.src = d == C2S ? client_ : server_;
    p.dst = d == C2S ? server_ : client_;
    p.flags = flags;
    p.window = 1000;
    return p;
  }
  Endpoint client_, server_;
  uint32_t isn_[2];
  std::deque<std::vector<uint8_t>> storage_;
};

struct Harness {
  explicit Harness(ReassemblerOptions o = {}) : re(o) {}
  void feed(const TcpPacket& p) {
    for (const Event& e : re.feed(p)) collect(out, e);
  }
  void finish() {
    for (const Event& e : re.finish()) collect(out, e);
    out.stats = re.stats();
  }
  std::string str(ConnId c, Dir d) {
    auto& b = out.conns.at(c).dir[static_cast<size_t>(d)].bytes;
    return std::string(b.begin(), b.end());
  }
  pcaptest::DirOut& dir(ConnId c, Dir d) { return out.conns.at(c).dir[static_cast<size_t>(d)]; }
  Reassembler re;
  Collected out;
};

void handshake(Script& s, Harness& r) {
  r.feed(s.syn());
  r.feed(s.synack());
  r.feed(s.ack(C2S, 0, 0));
}

TEST(Reassembler, HandshakeDataFin) {
  Script s;
  Harness r;
  r.feed(s.syn());
  EXPECT_TRUE(r.out.order.empty()) << "Opened waits for the SYN-ACK";
  r.feed(s.synack());
  ASSERT_EQ(r.out.order.size(), 1u);
  const auto& o = std::get<ConnectionOpened>(r.out.order[0]);
  EXPECT_EQ(o.conn, 0u);
  EXPECT_EQ(o.client.to_string(), "10.0.0.1:50000");
  EXPECT_EQ(o.server.to_string(), "10.0.0.2:6789");
  EXPECT_FALSE(o.client_guessed);
  EXPECT_FALSE(o.midstream[0]);
  EXPECT_FALSE(o.midstream[1]);
  EXPECT_EQ(o.frame, 1u);
  r.feed(s.ack(C2S, 0, 0));
  r.feed(s.seg(C2S, 0, "hello "));
  r.feed(s.seg(C2S, 6, "world"));
  r.feed(s.seg(S2C, 0, "hi", kAck));
  r.feed(s.fin(C2S, 11, 2));
  EXPECT_FALSE(r.out.conns.at(0).closed);
  r.feed(s.fin(S2C, 2, 12));
  ASSERT_TRUE(r.out.conns.at(0).closed);
  EXPECT_EQ(r.out.conns.at(0).closed->how, CloseReason::kFin);
  EXPECT_EQ(r.out.conns.at(0).closed->frame, 8u);
  r.feed(s.ack(C2S, 12, 3));  // the last ACK: absorbed by the closed connection
  r.finish();
  EXPECT_EQ(r.str(0, C2S), "hello world");
  EXPECT_EQ(r.str(0, S2C), "hi");
  EXPECT_EQ(r.dir(0, C2S).frames, (std::vector<std::pair<uint64_t, uint64_t>>{{6, 4}, {11, 5}}));
  EXPECT_EQ(r.dir(0, S2C).frames, (std::vector<std::pair<uint64_t, uint64_t>>{{2, 6}}));
  EXPECT_EQ(r.out.stats.packets_after_close, 1u);
  EXPECT_EQ(r.out.stats.connections, 1u);
  EXPECT_EQ(r.out.stats.gaps, 0u);
  EXPECT_EQ(r.out.order.size(), 5u);  // opened, 3 data, closed; nothing at finish
  EXPECT_EQ(r.re.tracked_connections(), 0u);
}

TEST(Reassembler, DataSpanFields) {
  Script s;
  Harness r;
  handshake(s, r);
  TcpPacket p = s.seg(C2S, 0, "abc");
  auto ev = r.re.feed(p);
  ASSERT_EQ(ev.size(), 1u);
  const Data& d = std::get<Data>(ev[0]);
  EXPECT_EQ(d.conn, 0u);
  EXPECT_EQ(d.dir, C2S);
  EXPECT_EQ(d.offset, 0u);
  EXPECT_EQ(d.bytes.data(), p.payload.data()) << "in-order data is not copied";
  EXPECT_EQ(d.frame, p.frame);
  EXPECT_EQ(d.ts, p.ts);
}

TEST(Reassembler, OutOfOrderUsesTheFrameThatFilledTheHole) {
  Script s;
  Harness r;
  handshake(s, r);
  r.feed(s.seg(C2S, 5, "56789"));  // frame 4
  r.feed(s.seg(C2S, 10, "ABC"));   // frame 5
  EXPECT_TRUE(r.dir(0, C2S).bytes.empty());
  EXPECT_EQ(r.re.buffered_bytes(), 8u);
  r.feed(s.seg(C2S, 0, "01234"));  // frame 6 fills the hole
  EXPECT_EQ(r.str(0, C2S), "0123456789ABC");
  EXPECT_EQ(r.dir(0, C2S).frames,
            (std::vector<std::pair<uint64_t, uint64_t>>{{5, 6}, {10, 6}, {13, 6}}));
  EXPECT_TRUE(r.dir(0, C2S).contiguous);
  EXPECT_EQ(r.re.buffered_bytes(), 0u);
  r.finish();
  EXPECT_EQ(r.out.stats.out_of_order_segments, 2u);
  EXPECT_EQ(r.out.stats.peak_buffered_bytes, 8u);
  EXPECT_EQ(r.out.stats.gaps, 0u);
}

TEST(Reassembler, RetransmissionsAndOverlapsFirstCopyWins) {
  Script s;
  Harness r;
  handshake(s, r);
  r.feed(s.seg(C2S, 0, "abcdef"));
  r.feed(s.seg(C2S, 0, "abcdef"));     // exact retransmission
  r.feed(s.seg(C2S, 3, "defGHI"));     // overlaps delivered bytes, extends
  r.feed(s.seg(C2S, 12, "mnop"));      // out of order
  r.feed(s.seg(C2S, 14, "OPqr"));      // overlaps the buffered chunk: "op" kept, conflict
  r.feed(s.seg(C2S, 9, "jklMN"));      // fills the hole, overlaps "mn": conflict
  r.finish();
  EXPECT_EQ(r.str(0, C2S), "abcdefGHIjklmnopqr");
  EXPECT_TRUE(r.dir(0, C2S).contiguous);
  EXPECT_EQ(r.out.stats.retransmitted_bytes, 6u + 3u + 2u + 2u);
  EXPECT_EQ(r.out.stats.overlap_conflicts, 2u);
  EXPECT_EQ(r.out.stats.overlap_conflict_bytes, 4u);
}

TEST(Reassembler, OverlapHistoryComparesDeliveredBytes) {
  for (size_t history : {size_t{0}, size_t{4}, size_t{64}}) {
    ReassemblerOptions o;
    o.overlap_history = history;
    Script s;
    Harness r(o);
    handshake(s, r);
    r.feed(s.seg(C2S, 0, "abcdefgh"));
    r.feed(s.seg(C2S, 2, "cdXfghij"));  // X differs at offset 4
    r.feed(s.seg(C2S, 0, "ab"));        // same bytes
    r.finish();
    EXPECT_EQ(r.str(0, C2S), "abcdefghij");
    // history 4 keeps offsets 4..7 when the second segment arrives: offset 4 is covered.
    EXPECT_EQ(r.out.stats.overlap_conflicts, history == 0 ? 0u : 1u) << history;
    EXPECT_EQ(r.out.stats.overlap_conflict_bytes, history == 0 ? 0u : 1u) << history;
  }
}

TEST(Reassembler, SequenceWrap) {
  Script s(Script::ep(1, 2, 3, 4, 40000), Script::ep(5, 6, 7, 8, 80), 0xfffffff0u, 0xffffffffu);
  Harness r;
  handshake(s, r);
  std::string all;
  for (int i = 0; i < 10; ++i) {
    std::string chunk(7, static_cast<char>('a' + i));
    r.feed(s.seg(C2S, all.size(), chunk));
    r.feed(s.seg(S2C, all.size(), chunk));
    all += chunk;
  }
  r.finish();
  EXPECT_EQ(r.str(0, C2S), all);
  EXPECT_EQ(r.str(0, S2C), all);
  EXPECT_TRUE(r.dir(0, C2S).contiguous);
  EXPECT_EQ(r.out.stats.gaps, 0u);
}

// > 4 GiB of sequence space in one direction, starting just before a wrap, with reordered
// segments on the way (also across the 4 GiB offset). Byte at stream offset o is o % 256.
TEST(Reassembler, LongerThan4GiB) {
  constexpr size_t kSeg = 65536;
  constexpr uint64_t kSegs = (uint64_t{5} << 32) / kSeg;  // 5 GiB
  std::vector<uint8_t> pattern(kSeg);
  for (size_t i = 0; i < kSeg; ++i) pattern[i] = static_cast<uint8_t>(i);
  const Endpoint c = Script::ep(10, 0, 0, 1, 40000), sv = Script::ep(10, 0, 0, 2, 42000);
  const uint32_t isn = 0xffff0000u;
  Reassembler re;
  uint64_t frame = 0, expect_next = 0, delivered = 0, data_events = 0;
  bool ok = true;
  auto feed = [&](const TcpPacket& p) {
    for (const Event& e : re.feed(p)) {
      if (const Data* d = std::get_if<Data>(&e)) {
        ++data_events;
        if (d->offset != expect_next || d->bytes.empty() ||
            d->bytes[0] != static_cast<uint8_t>(d->offset) ||
            d->bytes.back() != static_cast<uint8_t>(d->offset + d->bytes.size() - 1)) {
          ok = false;
        }
        expect_next = d->offset + d->bytes.size();
        delivered += d->bytes.size();
      } else if (std::holds_alternative<Gap>(e)) {
        ok = false;
      }
    }
  };
  TcpPacket p;
  p.src = c;
  p.dst = sv;
  p.flags = kSyn;
  p.seq = isn;
  p.frame = ++frame;
  feed(p);
  p.src = sv;
  p.dst = c;
  p.flags = kSyn | kAck;
  p.seq = 7;
  p.ack = isn + 1;
  p.frame = ++frame;
  feed(p);
  const uint64_t total_segs = kSegs;
  auto data = [&](uint64_t i, size_t cut = 0) {
    TcpPacket q;
    q.src = c;
    q.dst = sv;
    q.flags = kAck;
    q.ack = 8;
    q.seq = static_cast<uint32_t>(isn + 1 + i * kSeg + cut);
    q.payload = std::span<const uint8_t>(pattern).subspan(cut);
    q.frame = ++frame;
    return q;
  };
  const uint64_t at4g = (uint64_t{1} << 32) / kSeg;
  for (uint64_t i = 0; i < total_segs; ++i) {
    if (i % 9973 == 5 || i == at4g - 1) {  // send i+1 first, then i
      feed(data(i + 1));
      feed(data(i));
      ++i;
    } else if (i % 7919 == 3) {  // a partial retransmission after the segment
      feed(data(i));
      feed(data(i, 1000));
    } else {
      feed(data(i));
    }
  }
  p.src = c;
  p.dst = sv;
  p.flags = kFin | kAck;
  p.seq = static_cast<uint32_t>(isn + 1 + total_segs * kSeg);
  p.frame = ++frame;
  feed(p);
  for (const Event& e : re.finish()) (void)e;
  EXPECT_TRUE(ok);
  EXPECT_EQ(delivered, total_segs * kSeg);
  EXPECT_GT(delivered, uint64_t{1} << 32);
  EXPECT_EQ(expect_next, total_segs * kSeg);
  EXPECT_EQ(re.stats().gaps, 0u);
  EXPECT_GT(re.stats().out_of_order_segments, 8u);
  EXPECT_GT(re.stats().retransmitted_bytes, 0u);
  EXPECT_EQ(data_events, total_segs);
}

TEST(Reassembler, LostSegmentIsOneGapWhenTheReceiverAcksPastIt) {
  Script s;
  Harness r;
  handshake(s, r);
  r.feed(s.seg(C2S, 0, "aaaa"));
  r.feed(s.ack(S2C, 0, 4));
  // "bbbb" at 4 was lost by the capture
  r.feed(s.ack(S2C, 0, 8));   // the server got it: no data waits, no gap yet
  EXPECT_TRUE(r.dir(0, C2S).gaps.empty());
  r.feed(s.seg(C2S, 8, "cccc"));  // now data waits behind a hole the server acknowledged
  ASSERT_EQ(r.dir(0, C2S).gaps.size(), 1u);
  EXPECT_EQ(r.dir(0, C2S).gaps[0].offset, 4u);
  EXPECT_EQ(r.dir(0, C2S).gaps[0].length, 4u);
  EXPECT_EQ(r.dir(0, C2S).gaps[0].frame, s.frame);
  EXPECT_EQ(r.str(0, C2S), "aaaacccc");
  r.feed(s.seg(C2S, 12, "dd"));
  r.feed(s.seg(C2S, 4, "bbbb"));  // a late copy: already gapped, ignored
  r.finish();
  EXPECT_EQ(r.str(0, C2S), "aaaaccccdd");
  EXPECT_TRUE(r.dir(0, C2S).contiguous);
  EXPECT_EQ(r.out.stats.gaps, 1u);
  EXPECT_EQ(r.out.stats.gap_bytes, 4u);
}

TEST(Reassembler, AckBeforeTheBufferedDataArrives) {
  Script s;
  Harness r;
  handshake(s, r);
  r.feed(s.seg(C2S, 0, "aaaa"));
  r.feed(s.seg(C2S, 8, "cccc"));       // "bbbb" lost, "cccc" waits
  EXPECT_TRUE(r.dir(0, C2S).gaps.empty()) << "reordering: wait for the retransmission";
  r.feed(s.ack(S2C, 0, 4));            // dup ack: the receiver misses it too
  EXPECT_TRUE(r.dir(0, C2S).gaps.empty());
  r.feed(s.ack(S2C, 0, 6));            // partial: [4, 6) reached the receiver
  ASSERT_EQ(r.dir(0, C2S).gaps.size(), 1u);
  EXPECT_EQ(r.dir(0, C2S).gaps[0].length, 2u);
  r.feed(s.seg(C2S, 6, "bb"));         // the rest arrives
  r.finish();
  EXPECT_EQ(r.str(0, C2S), "aaaabbcccc");
  EXPECT_EQ(r.out.stats.gaps, 1u);
}

TEST(Reassembler, NoGapOnAckWhenDisabledButWaitLimit) {
  ReassemblerOptions o;
  o.gap_on_ack = false;
  o.max_hole_wait_packets = 5;
  Script s;
  Harness r(o);
  handshake(s, r);
  r.feed(s.seg(C2S, 0, "aaaa"));
  r.feed(s.seg(C2S, 8, "cccc"));  // hole opens at the 5th packet of the connection
  for (int i = 0; i < 4; ++i) r.feed(s.ack(S2C, 0, 12));
  EXPECT_TRUE(r.dir(0, C2S).gaps.empty());
  r.feed(s.ack(S2C, 0, 12));  // 5 packets later
  ASSERT_EQ(r.dir(0, C2S).gaps.size(), 1u);
  EXPECT_EQ(r.dir(0, C2S).gaps[0].offset, 4u);
  EXPECT_EQ(r.dir(0, C2S).gaps[0].length, 4u);
  EXPECT_EQ(r.str(0, C2S), "aaaacccc");
  r.finish();
}

TEST(Reassembler, PerDirectionBufferLimitDeclaresGaps) {
  ReassemblerOptions o;
  o.max_buffered_per_direction = 10;
  o.gap_on_ack = false;
  Script s;
  Harness r(o);
  handshake(s, r);
  r.feed(s.seg(C2S, 0, "aa"));
  r.feed(s.seg(C2S, 4, "cccc"));     // hole [2,4)
  r.feed(s.seg(C2S, 10, "eeee"));    // hole [8,10)
  EXPECT_EQ(r.re.buffered_bytes(), 8u);
  r.feed(s.seg(C2S, 16, "gggg"));    // would be 12 > 10: the first hole becomes a gap
  ASSERT_EQ(r.dir(0, C2S).gaps.size(), 1u);
  EXPECT_EQ(r.dir(0, C2S).gaps[0].offset, 2u);
  EXPECT_EQ(r.dir(0, C2S).gaps[0].length, 2u);
  EXPECT_EQ(r.str(0, C2S), "aacccc");
  EXPECT_EQ(r.re.buffered_bytes(), 8u);
  r.feed(s.seg(C2S, 30, std::string(20, 'z')));  // larger than the limit on its own
  EXPECT_EQ(r.dir(0, C2S).gaps.size(), 4u);
  EXPECT_EQ(r.re.buffered_bytes(), 0u);
  EXPECT_EQ(r.dir(0, C2S).next, 50u);
  r.finish();
  EXPECT_LE(r.out.stats.peak_buffered_bytes, 10u);
  EXPECT_TRUE(r.dir(0, C2S).contiguous);
}

TEST(Reassembler, TotalBufferLimitAcrossConnections) {
  ReassemblerOptions o;
  o.max_buffered_total = 12;
  o.gap_on_ack = false;
  Harness r(o);
  Script a(Script::ep(10, 0, 0, 1, 50001), Script::ep(10, 0, 0, 2, 80), 1, 2);
  Script b(Script::ep(10, 0, 0, 1, 50002), Script::ep(10, 0, 0, 2, 80), 3, 4);
  handshake(a, r);
  handshake(b, r);
  r.feed(a.seg(C2S, 4, std::string(8, 'a')));
  r.feed(b.seg(C2S, 4, std::string(8, 'b')));  // 16 > 12: b gives up its own hole
  EXPECT_EQ(r.re.buffered_bytes(), 8u);
  EXPECT_EQ(r.dir(1, C2S).gaps.size(), 1u);
  EXPECT_EQ(r.str(1, C2S), std::string(8, 'b'));
  r.finish();
  EXPECT_LE(r.out.stats.peak_buffered_bytes, 12u);
  EXPECT_EQ(r.str(0, C2S), std::string(8, 'a'));  // a's hole became a gap at the end
}

TEST(Reassembler, FinishDeclaresHolesAndTailGaps) {
  Script s;
  Harness r;
  handshake(s, r);
  r.feed(s.seg(C2S, 0, "ab"));
  r.feed(s.seg(C2S, 5, "fg"));
  r.feed(s.seg(S2C, 0, "xy", kAck));
  r.feed(s.ack(C2S, 0, 6));  // the client acknowledged 4 server bytes it never sent us
  r.finish();
  const auto& c = r.out.conns.at(0);
  ASSERT_TRUE(c.closed);
  EXPECT_EQ(c.closed->how, CloseReason::kEof);
  EXPECT_EQ(r.str(0, C2S), "abfg");
  ASSERT_EQ(r.dir(0, C2S).gaps.size(), 1u);
  EXPECT_EQ(r.dir(0, C2S).gaps[0].offset, 2u);
  EXPECT_EQ(r.dir(0, C2S).gaps[0].length, 3u);
  ASSERT_EQ(r.dir(0, S2C).gaps.size(), 1u);
  EXPECT_EQ(r.dir(0, S2C).gaps[0].offset, 2u);
  EXPECT_EQ(r.dir(0, S2C).gaps[0].length, 4u);
  // Order: the gap, then the data behind it, then the close.
  const auto& ev = r.out.order;
  ASSERT_GE(ev.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<ConnectionClosed>(ev.back()));
}

TEST(Reassembler, FinWithHoleClosesAfterGap) {
  Script s;
  Harness r;
  handshake(s, r);
  r.feed(s.seg(C2S, 0, "ab"));
  r.feed(s.seg(S2C, 0, "x", kAck));
  r.feed(s.fin(C2S, 4, 1));   // "cd" lost, FIN at 4
  EXPECT_TRUE(r.dir(0, C2S).gaps.empty());
  r.feed(s.fin(S2C, 1, 5));   // the server acks the FIN: it had "cd"
  ASSERT_EQ(r.dir(0, C2S).gaps.size(), 1u);
  EXPECT_EQ(r.dir(0, C2S).gaps[0].offset, 2u);
  EXPECT_EQ(r.dir(0, C2S).gaps[0].length, 2u);
  ASSERT_TRUE(r.out.conns.at(0).closed);
  EXPECT_EQ(r.out.conns.at(0).closed->how, CloseReason::kFin);
  r.finish();
}

TEST(Reassembler, RstClosesAndFlushes) {
  Script s;
  Harness r;
  handshake(s, r);
  r.feed(s.seg(C2S, 0, "ab"));
  r.feed(s.seg(C2S, 4, "ef"));
  r.feed(s.rst(S2C, 0));
  ASSERT_TRUE(r.out.conns.at(0).closed);
  EXPECT_EQ(r.out.conns.at(0).closed->how, CloseReason::kRst);
  EXPECT_EQ(r.str(0, C2S), "abef");
  EXPECT_EQ(r.dir(0, C2S).gaps.size(), 1u);
  r.feed(s.seg(C2S, 6, "gh"));  // after the RST: ignored
  r.finish();
  EXPECT_EQ(r.out.stats.packets_after_close, 1u);
  EXPECT_EQ(r.str(0, C2S), "abef");
}

TEST(Reassembler, RefusedConnection) {
  Script s;
  Harness r;
  r.feed(s.syn());
  TcpPacket rst = s.rst(S2C, 0);
  rst.flags = kRst | kAck;
  rst.ack = s.synack().ack;
  r.feed(rst);
  ASSERT_EQ(r.out.conns.size(), 1u);
  ASSERT_TRUE(r.out.conns.at(0).closed);
  EXPECT_EQ(r.out.conns.at(0).closed->how, CloseReason::kRst);
  EXPECT_FALSE(r.out.conns.at(0).opened.midstream[1]);
  r.finish();
}

TEST(Reassembler, RetransmittedSynIsTheSameConnection) {
  Script s;
  Harness r;
  r.feed(s.syn());
  r.feed(s.syn());
  r.feed(s.synack());
  r.feed(s.synack());
  r.feed(s.ack(C2S, 0, 0));
  r.feed(s.seg(C2S, 0, "x"));
  r.finish();
  EXPECT_EQ(r.out.conns.size(), 1u);
  EXPECT_EQ(r.str(0, C2S), "x");
}

TEST(Reassembler, ReuseOfTheFourTupleIsANewConnection) {
  Script s1;
  Script s2(Script::ep(10, 0, 0, 1, 50000), Script::ep(10, 0, 0, 2, 6789), 90000, 777);
  Harness r;
  handshake(s1, r);
  r.feed(s1.seg(C2S, 0, "one"));
  r.feed(s1.fin(C2S, 3, 0));
  r.feed(s1.fin(S2C, 0, 4));
  r.feed(s1.ack(C2S, 4, 1));
  s2.frame = s1.frame;
  handshake(s2, r);
  r.feed(s2.seg(C2S, 0, "two"));
  // A new SYN while connection 1 is still open (its close was not captured).
  Script s3(Script::ep(10, 0, 0, 1, 50000), Script::ep(10, 0, 0, 2, 6789), 5, 6);
  s3.frame = s2.frame;
  handshake(s3, r);
  r.feed(s3.seg(C2S, 0, "three"));
  r.finish();
  ASSERT_EQ(r.out.conns.size(), 3u);
  EXPECT_EQ(r.str(0, C2S), "one");
  EXPECT_EQ(r.str(1, C2S), "two");
  EXPECT_EQ(r.str(2, C2S), "three");
  EXPECT_EQ(r.out.conns.at(0).closed->how, CloseReason::kFin);
  EXPECT_EQ(r.out.conns.at(1).closed->how, CloseReason::kReused);
  EXPECT_EQ(r.out.conns.at(2).closed->how, CloseReason::kEof);
  for (auto& [id, c] : r.out.conns) {
    EXPECT_TRUE(c.opened_once);
    EXPECT_FALSE(c.event_before_open);
    EXPECT_FALSE(c.event_after_close);
  }
}

TEST(Reassembler, MidstreamGuessesTheClientByPort) {
  // The first segment seen goes server -> client; the client has the higher port.
  Script s(Script::ep(10, 0, 0, 1, 51000), Script::ep(10, 0, 0, 2, 6789), 100, 200);
  Harness r;
  r.feed(s.ack(C2S, 50, 70));        // a pure ACK of an unknown connection: stray
  r.feed(s.seg(S2C, 70, "srv"));     // connection starts here
  r.feed(s.seg(C2S, 50, "cli"));
  r.feed(s.seg(S2C, 65, "oldsrsrv01"));  // partly before the start: dropped bytes
  r.finish();
  ASSERT_EQ(r.out.conns.size(), 1u);
  const auto& o = r.out.conns.at(0).opened;
  EXPECT_TRUE(o.client_guessed);
  EXPECT_EQ(o.client.port, 51000);
  EXPECT_EQ(o.server.port, 6789);
  EXPECT_TRUE(o.midstream[0]);
  EXPECT_TRUE(o.midstream[1]);
  EXPECT_EQ(r.str(0, S2C), "srv01");
  EXPECT_EQ(r.str(0, C2S), "cli");
  EXPECT_EQ(r.out.stats.bytes_before_start, 5u);
  EXPECT_EQ(r.out.stats.stray_packets, 1u);
  EXPECT_EQ(r.out.stats.midstream_connections, 1u);

  // Reversed ports: the side with the higher port is taken as the client.
  Script t(Script::ep(10, 0, 0, 1, 80), Script::ep(10, 0, 0, 2, 40000), 1, 2);
  Harness r2;
  r2.feed(t.seg(C2S, 0, "x"));
  r2.finish();
  EXPECT_EQ(r2.out.conns.at(0).opened.client.port, 40000);
  EXPECT_EQ(r2.str(0, S2C), "x");
}

TEST(Reassembler, SynAckFirstKnowsTheClient) {
  Script s;
  Harness r;
  r.feed(s.synack());  // the SYN was not captured
  r.feed(s.ack(C2S, 0, 0));
  r.feed(s.seg(C2S, 0, "abc"));
  r.feed(s.seg(S2C, 0, "de"));
  r.finish();
  const auto& o = r.out.conns.at(0).opened;
  EXPECT_FALSE(o.client_guessed);
  EXPECT_EQ(o.client.port, 50000);
  EXPECT_FALSE(o.midstream[0]);
  EXPECT_FALSE(o.midstream[1]);
  EXPECT_EQ(r.str(0, C2S), "abc");
  EXPECT_EQ(r.str(0, S2C), "de");
}

TEST(Reassembler, MissingSynAckUsesTheHandshakeAck) {
  Script s;
  Harness r;
  r.feed(s.syn());
  r.feed(s.ack(C2S, 0, 0));  // SYN-ACK not captured
  r.feed(s.seg(S2C, 0, "banner"));
  r.finish();
  EXPECT_EQ(r.str(0, S2C), "banner");
  EXPECT_TRUE(r.dir(0, S2C).gaps.empty());
}

TEST(Reassembler, DataPastFinIsDropped) {
  Script s;
  Harness r;
  handshake(s, r);
  r.feed(s.seg(C2S, 0, "abc"));
  r.feed(s.fin(C2S, 3, 0));
  r.feed(s.seg(C2S, 2, "cXY"));
  r.finish();
  EXPECT_EQ(r.str(0, C2S), "abc");
  EXPECT_EQ(r.out.stats.bytes_after_fin, 2u);
}

TEST(Reassembler, LingerExpiryForgetsClosedConnections) {
  ReassemblerOptions o;
  o.closed_linger_packets = 3;
  Script s;
  Harness r(o);
  handshake(s, r);
  r.feed(s.rst(C2S, 0));
  r.feed(s.seg(C2S, 0, "a"));  // absorbed
  EXPECT_EQ(r.out.conns.size(), 1u);
  for (int i = 0; i < 3; ++i) r.feed(s.ack(S2C, 0, 0));
  EXPECT_EQ(r.re.tracked_connections(), 0u);
  r.feed(s.seg(C2S, 1, "b"));  // a new, mid-stream connection
  r.finish();
  EXPECT_EQ(r.out.conns.size(), 2u);
  EXPECT_TRUE(r.out.conns.at(1).opened.client_guessed);
}

TEST(Reassembler, Ipv6Endpoints) {
  std::array<uint8_t, 16> a{}, b{};
  a[15] = 1;
  b[0] = 0xfd;
  b[15] = 2;
  Script s(Endpoint{IpAddress::v6(a), 50000}, Endpoint{IpAddress::v6(b), 42000}, 1, 2);
  Harness r;
  handshake(s, r);
  r.feed(s.seg(C2S, 0, "v6"));
  r.finish();
  EXPECT_EQ(r.out.conns.at(0).opened.client.to_string(), "[::1]:50000");
  EXPECT_EQ(r.out.conns.at(0).opened.server.to_string(), "[fd00::2]:42000");
  EXPECT_EQ(r.str(0, C2S), "v6");
}

// Random segmentation, reordering, duplication and overlap of a stream: the output is always
// the stream, contiguous, without gaps (nothing is lost and every hole is eventually filled).
TEST(Reassembler, RandomizedShuffles) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 200; ++round) {
    std::string stream(1 + rng() % 3000, '\0');
    for (char& ch : stream) ch = static_cast<char>('a' + rng() % 26);
    struct Piece {
      uint64_t off;
      std::string data;
    };
    std::vector<Piece> pieces;
    for (uint64_t off = 0; off < stream.size();) {
      const uint64_t len = std::min<uint64_t>(1 + rng() % 200, stream.size() - off);
      pieces.push_back({off, stream.substr(off, len)});
      if (rng() % 5 == 0) {  // an overlapping re-send
        const uint64_t o2 = off + rng() % len;
        pieces.push_back({o2, stream.substr(o2, 1 + rng() % 150)});
      }
      off += len;
    }
    // Local shuffles only (a window of 6), so that no hole outlives the wait limit.
    for (size_t i = 0; i + 1 < pieces.size(); ++i) {
      const size_t j = i + rng() % std::min<size_t>(6, pieces.size() - i);
      std::swap(pieces[i], pieces[j]);
    }
    ReassemblerOptions o;
    o.overlap_history = rng() % 2 ? 4096 : 0;
    Script s;
    Harness r(o);
    handshake(s, r);
    for (const Piece& p : pieces) r.feed(s.seg(C2S, p.off, p.data));
    r.feed(s.fin(C2S, stream.size(), 0));
    r.feed(s.fin(S2C, 0, stream.size() + 1));
    ASSERT_TRUE(r.out.conns.at(0).closed) << round;
    EXPECT_EQ(r.out.conns.at(0).closed->how, CloseReason::kFin);
    r.finish();
    ASSERT_EQ(r.str(0, C2S), stream) << round;
    EXPECT_TRUE(r.dir(0, C2S).contiguous);
    EXPECT_EQ(r.out.stats.gaps, 0u);
    EXPECT_EQ(r.out.stats.overlap_conflicts, 0u);
    EXPECT_EQ(r.re.buffered_bytes(), 0u);
  }
}

}  // namespace
}  // namespace cephwire::pcap
