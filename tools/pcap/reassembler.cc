#include "tools/pcap/reassembler.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>

namespace cephwire::pcap {

namespace {

constexpr size_t idx(Dir d) { return static_cast<size_t>(d); }
constexpr Dir other(Dir d) {
  return d == Dir::kClientToServer ? Dir::kServerToClient : Dir::kClientToServer;
}
constexpr uint64_t kMaxAckAhead = uint64_t{1} << 30;  // the largest TCP window (RFC 7323)

}  // namespace

std::string_view to_string(CloseReason r) {
  switch (r) {
    case CloseReason::kFin: return "fin";
    case CloseReason::kRst: return "rst";
    case CloseReason::kEof: return "eof";
    case CloseReason::kReused: return "reused";
  }
  return "?";
}

struct Reassembler::DirState {
  // Hot fields first: every segment reads them.
  bool started = false;
  bool midstream = false;
  bool fin = false;
  bool acked_valid = false;
  bool hole_open = false;   // a hole exists and hole_since says since when
  uint32_t base = 0;        // sequence number of stream offset 0
  uint64_t next = 0;        // next in-order stream offset
  uint64_t fin_off = 0;
  uint64_t acked = 0;       // highest offset the peer acknowledged
  size_t ooo_bytes = 0;     // bytes in ooo (0 exactly when ooo is empty)
  uint64_t hole_since = 0;  // connection packet count when next last stopped advancing
  std::map<uint64_t, std::vector<uint8_t>> ooo;  // disjoint chunks, all starting after next
  std::vector<uint8_t> hist;  // ring of the last delivered bytes (overlap_history)
  uint64_t hist_from = 0;     // the ring holds no byte before this offset

  // Nothing missing and nothing to watch: the usual case, checked on every segment.
  bool quiet() const {
    return !hole_open && ooo_bytes == 0 && !fin && (!acked_valid || acked <= next);
  }
  // Nearest 64-bit offset to `next` with these low 32 bits (sequence space unwrapping).
  int64_t unwrap(uint32_t seq) const {
    const uint32_t rel = seq - base;
    const auto diff = static_cast<int32_t>(rel - static_cast<uint32_t>(next));
    return static_cast<int64_t>(next) + diff;
  }
  uint64_t acked_end() const { return fin ? std::min(acked, fin_off) : acked; }
  // Data or the FIN is known to exist after a hole at `next`.
  bool waiting() const { return !ooo.empty() || (fin && fin_off > next); }
  bool any_hole() const { return waiting() || (acked_valid && acked_end() > next); }
  bool done() const { return fin && next >= fin_off && ooo.empty(); }
};

struct Reassembler::Conn {
  ConnId id = 0;
  Key key;
  bool client_is_a = true;
  bool guessed = false;
  bool opened = false;  // ConnectionOpened emitted
  bool closed = false;
  bool syn_seen = false;
  uint32_t syn_seq = 0;
  bool synack_seen = false;
  uint32_t synack_seq = 0;
  uint64_t packets = 0;
  At first;
  DirState dir[2];
};

size_t Reassembler::KeyHash::operator()(const Key& k) const {
  uint64_t h = (uint64_t{k.pa} << 32 | uint64_t{k.pb} << 16 | k.version) * 0x9e3779b97f4a7c15u;
  for (uint64_t x : {k.a[0], k.a[1], k.b[0], k.b[1]}) {
    h = (h ^ x) * 0xbf58476d1ce4e5b9u;
    h ^= h >> 31;
  }
  return static_cast<size_t>(h);
}

Reassembler::Table::Slot* Reassembler::Table::find(const Key& k) {
  if (live == 0) return nullptr;
  const size_t mask = slots.size() - 1;
  for (size_t i = KeyHash()(k) & mask;; i = (i + 1) & mask) {
    Slot& s = slots[i];
    if (s.state == 0) return nullptr;
    if (s.state == 1 && s.key == k) return &s;
  }
}

Reassembler::Table::Slot& Reassembler::Table::insert(const Key& k) {
  if (Slot* s = find(k)) return *s;
  if ((used + 1) * 4 > slots.size() * 3) grow();
  const size_t mask = slots.size() - 1;
  for (size_t i = KeyHash()(k) & mask;; i = (i + 1) & mask) {
    Slot& s = slots[i];
    if (s.state != 1) {
      if (s.state == 0) ++used;
      s.state = 1;
      s.key = k;
      ++live;
      return s;
    }
  }
}

void Reassembler::Table::erase(Slot& s) {
  s.state = 2;
  s.conn.reset();
  --live;
}

void Reassembler::Table::clear() {
  slots.clear();
  live = used = 0;
}

void Reassembler::Table::grow() {
  // Double when more than half the slots are live; otherwise rebuild to drop erased slots.
  size_t n = slots.empty() ? 64 : slots.size();
  if ((live + 1) * 2 > n) n *= 2;
  std::vector<Slot> old = std::move(slots);
  slots = std::vector<Slot>(n);
  live = used = 0;
  const size_t mask = n - 1;
  for (Slot& o : old) {
    if (o.state != 1) continue;
    for (size_t i = KeyHash()(o.key) & mask;; i = (i + 1) & mask) {
      if (slots[i].state == 0) {
        slots[i].state = 1;
        slots[i].key = o.key;
        slots[i].conn = std::move(o.conn);
        ++live;
        ++used;
        break;
      }
    }
  }
}

Reassembler::Reassembler(ReassemblerOptions opts) : opts_(opts) {}
Reassembler::~Reassembler() = default;

Reassembler::Key Reassembler::make_key(const TcpPacket& p, bool* src_is_a) const {
  uint64_t s[2], d[2];
  std::memcpy(s, p.src.ip.bytes.data(), 16);
  std::memcpy(d, p.dst.ip.bytes.data(), 16);
  // Any total order will do: addresses as two integers, then the port.
  const bool src_first = s[0] != d[0]   ? s[0] < d[0]
                         : s[1] != d[1] ? s[1] < d[1]
                                        : p.src.port <= p.dst.port;
  Key k;
  k.version = p.src.ip.version;
  if (src_first) {
    k.a[0] = s[0], k.a[1] = s[1], k.b[0] = d[0], k.b[1] = d[1];
    k.pa = p.src.port, k.pb = p.dst.port;
  } else {
    k.a[0] = d[0], k.a[1] = d[1], k.b[0] = s[0], k.b[1] = s[1];
    k.pa = p.dst.port, k.pb = p.src.port;
  }
  *src_is_a = src_first;
  return k;
}

Reassembler::Conn* Reassembler::lookup(const Key& k) {
  if (last_conn_ != nullptr && last_key_ == k) return last_conn_;
  Table::Slot* s = table_.find(k);
  if (s == nullptr) return nullptr;
  last_key_ = k;
  last_conn_ = s->conn.get();
  return last_conn_;
}

Reassembler::Conn* Reassembler::create(const Key& k, const TcpPacket& p, bool client_is_a,
                                       bool guessed) {
  auto c = std::make_unique<Conn>();
  c->id = next_id_++;
  c->key = k;
  c->client_is_a = client_is_a;
  c->guessed = guessed;
  c->first = At{p.frame, p.ts};
  Conn* raw = c.get();
  table_.insert(k).conn = std::move(c);  // replaces a closed connection on this 4-tuple
  last_key_ = k;
  last_conn_ = raw;
  return raw;
}

std::span<const Event> Reassembler::feed(const TcpPacket& p) {
  events_.clear();
  retired_.clear();
  ++stats_.packets;
  ++capture_packets_;
  const At at{p.frame, p.ts};
  last_.frame = p.frame;
  last_.ts.sec = p.ts.sec;
  last_.ts.nsec = p.ts.nsec;
  if (!closed_.empty() && capture_packets_ - closed_.front().at > opts_.closed_linger_packets) {
    expire_closed();
  }

  bool src_is_a = true;
  const Key k = make_key(p, &src_is_a);
  Conn* c = lookup(k);
  const bool syn = p.has(tcp_flags::kSyn), ack = p.has(tcp_flags::kAck);

  if (syn && !ack) {
    if (c != nullptr && !c->closed) {
      if (c->syn_seen && src_is_a == c->client_is_a && p.seq == c->syn_seq) {
        ++c->packets;  // a retransmitted SYN
        return events_;
      }
      close(*c, CloseReason::kReused, at);
    }
    c = create(k, p, src_is_a, false);
    c->syn_seen = true;
    c->syn_seq = p.seq;
    DirState& d = c->dir[idx(Dir::kClientToServer)];
    d.started = true;
    d.base = p.seq + 1;
  } else if (syn && ack) {
    if (c != nullptr && c->closed) {
      if (c->synack_seen && c->synack_seq == p.seq) {
        ++stats_.packets_after_close;  // a retransmitted SYN-ACK of the old connection
        return events_;
      }
      c = nullptr;
    }
    if (c == nullptr) {  // the SYN was not captured: the SYN-ACK's receiver is the client
      c = create(k, p, !src_is_a, false);
      DirState& d = c->dir[idx(Dir::kClientToServer)];
      d.started = true;
      d.base = p.ack;  // the client's ISN + 1
    }
  } else if (c == nullptr) {
    if (p.payload.empty()) {  // RST, FIN or pure ACK of a connection we know nothing of
      ++stats_.stray_packets;
      return events_;
    }
    // Mid-stream: the client is the side with the higher (ephemeral) port, a guess.
    const bool src_client = p.src.port >= p.dst.port;
    c = create(k, p, src_client ? src_is_a : !src_is_a, true);
  }
  if (c->closed) {
    ++stats_.packets_after_close;
    return events_;
  }
  handle(*c, p, src_is_a);
  return events_;
}

void Reassembler::handle(Conn& c, const TcpPacket& p, bool src_is_a) {
  const At at{p.frame, p.ts};
  ++c.packets;
  const Dir d = src_is_a == c.client_is_a ? Dir::kClientToServer : Dir::kServerToClient;
  DirState& D = c.dir[idx(d)];
  DirState& O = c.dir[idx(other(d))];

  if (p.has(tcp_flags::kRst)) {
    close(c, CloseReason::kRst, at);
    return;
  }
  uint32_t seq = p.seq;
  if (p.has(tcp_flags::kSyn)) {
    ++seq;  // the SYN occupies one sequence number before stream offset 0
    if (p.has(tcp_flags::kAck) && d == Dir::kServerToClient && !c.synack_seen) {
      c.synack_seen = true;
      c.synack_seq = p.seq;
      if (!D.started) {
        D.started = true;
        D.base = seq;
      }
    }
  }
  if (p.has(tcp_flags::kAck)) {
    // The handshake ACK tells where the server's stream starts when its SYN-ACK was missed.
    if (!O.started && !c.guessed) {
      O.started = true;
      O.base = p.ack;
    }
    if (O.started) {
      const int64_t a = O.unwrap(p.ack);
      if (a > 0 && static_cast<uint64_t>(a) <= O.next + kMaxAckAhead &&
          (!O.acked_valid || static_cast<uint64_t>(a) > O.acked)) {
        O.acked_valid = true;
        O.acked = static_cast<uint64_t>(a);
      }
    }
  }
  const bool fin = p.has(tcp_flags::kFin);
  if (!D.started && (!p.payload.empty() || fin)) {
    D.started = true;  // no SYN for this direction: start at its first segment
    D.midstream = true;
    D.base = seq;
  }
  if (D.started) {
    const int64_t off = D.unwrap(seq);
    if (!p.payload.empty()) on_payload(c, d, off, p.payload, at);
    if (fin && !D.fin) {
      const int64_t fin_off = off + static_cast<int64_t>(p.payload.size());
      if (fin_off >= static_cast<int64_t>(D.next)) {
        D.fin = true;
        D.fin_off = static_cast<uint64_t>(fin_off);
        // Buffered bytes past the FIN cannot be stream data.
        while (!D.ooo.empty()) {
          auto last = std::prev(D.ooo.end());
          const uint64_t end = last->first + last->second.size();
          if (end <= D.fin_off) break;
          const size_t drop = last->first >= D.fin_off ? last->second.size()
                                                       : static_cast<size_t>(end - D.fin_off);
          stats_.bytes_after_fin += drop;
          D.ooo_bytes -= drop;
          buffered_total_ -= drop;
          if (drop == last->second.size()) {
            D.ooo.erase(last);
          } else {
            last->second.resize(last->second.size() - drop);
          }
        }
      }
    }
  }
  if (!c.dir[0].quiet() || !c.dir[1].quiet()) {
    check_holes(c, at);
    if (c.closed) return;
  }
  if (c.dir[0].done() && c.dir[1].done()) {
    close(c, CloseReason::kFin, at);
    return;
  }
  if (!c.opened && c.dir[0].started && c.dir[1].started) emit_opened(c);
}

void Reassembler::emit_opened(Conn& c) {
  c.opened = true;
  ConnectionOpened o;
  o.conn = c.id;
  Endpoint a, b;
  a.ip.version = b.ip.version = c.key.version;
  std::memcpy(a.ip.bytes.data(), c.key.a, 16);
  a.port = c.key.pa;
  std::memcpy(b.ip.bytes.data(), c.key.b, 16);
  b.port = c.key.pb;
  o.client = c.client_is_a ? a : b;
  o.server = c.client_is_a ? b : a;
  o.client_guessed = c.guessed;
  bool any = false;
  for (size_t i = 0; i < 2; ++i) {
    o.midstream[i] = c.dir[i].started ? c.dir[i].midstream : c.guessed;
    any = any || o.midstream[i];
  }
  o.frame = c.first.frame;
  o.ts = c.first.ts;
  ++stats_.connections;
  if (any) ++stats_.midstream_connections;
  events_.emplace_back(o);
}

void Reassembler::on_payload(Conn& c, Dir d, int64_t off, std::span<const uint8_t> bytes,
                             const At& at) {
  DirState& D = c.dir[idx(d)];
  if (off < 0) {
    const size_t n = static_cast<size_t>(std::min<int64_t>(-off, std::ssize(bytes)));
    stats_.bytes_before_start += n;
    bytes = bytes.subspan(n);
    off = 0;
  }
  uint64_t uoff = static_cast<uint64_t>(off);
  if (D.fin && uoff + bytes.size() > D.fin_off) {
    const size_t keep = uoff >= D.fin_off ? 0 : static_cast<size_t>(D.fin_off - uoff);
    stats_.bytes_after_fin += bytes.size() - keep;
    bytes = bytes.first(keep);
  }
  if (bytes.empty()) return;
  if (uoff < D.next) {  // already delivered (or gapped) bytes: the first copy won
    const size_t n = static_cast<size_t>(std::min<uint64_t>(D.next - uoff, bytes.size()));
    stats_.retransmitted_bytes += n;
    if (opts_.overlap_history != 0) compare_history(c, d, uoff, bytes.first(n));
    bytes = bytes.subspan(n);
    uoff = D.next;
    if (bytes.empty()) return;
  }
  if (uoff == D.next) {
    deliver_in_order(c, d, bytes, at);
  } else {
    buffer_segment(c, d, uoff, bytes, at);
  }
}

void Reassembler::deliver_in_order(Conn& c, Dir d, std::span<const uint8_t> seg, const At& at) {
  DirState& D = c.dir[idx(d)];
  const uint64_t seg_off = D.next;
  const uint64_t seg_end = seg_off + seg.size();
  for (;;) {
    auto it = D.ooo.begin();
    if (it != D.ooo.end() && it->first <= D.next) {
      // Buffered bytes were received first: they win over the segment's copy.
      std::vector<uint8_t> chunk = std::move(it->second);
      const uint64_t start = it->first;
      D.ooo.erase(it);
      D.ooo_bytes -= chunk.size();
      buffered_total_ -= chunk.size();
      const uint64_t cend = start + chunk.size();
      if (cend <= D.next) continue;  // cannot happen (chunks start after next); be safe
      const size_t skip = static_cast<size_t>(D.next - start);
      if (D.next < seg_end) {
        const uint64_t ov_end = std::min(cend, seg_end);
        const size_t n = static_cast<size_t>(ov_end - D.next);
        stats_.retransmitted_bytes += n;
        compare({chunk.data() + skip, n}, seg.subspan(static_cast<size_t>(D.next - seg_off), n));
      }
      retired_.push_back(std::move(chunk));
      const std::vector<uint8_t>& kept = retired_.back();
      emit_data(c, d, D.next, std::span<const uint8_t>(kept).subspan(skip), at);
      continue;
    }
    if (D.next < seg_end) {
      const uint64_t limit = it != D.ooo.end() ? std::min(seg_end, it->first) : seg_end;
      emit_data(c, d, D.next,
                seg.subspan(static_cast<size_t>(D.next - seg_off),
                            static_cast<size_t>(limit - D.next)),
                at);
      continue;
    }
    break;
  }
}

void Reassembler::buffer_segment(Conn& c, Dir d, uint64_t off, std::span<const uint8_t> bytes,
                                 const At& at) {
  DirState& D = c.dir[idx(d)];
  const size_t need = bytes.size();
  auto over = [&] {
    return D.ooo_bytes + need > opts_.max_buffered_per_direction ||
           buffered_total_ + need > opts_.max_buffered_total;
  };
  // Bounded memory: rather than grow past the limits, give up on the oldest hole (and, when
  // nothing is buffered here, on the hole before this segment).
  while (over()) {
    const uint64_t hole_end = D.ooo.empty() ? off : std::min(D.ooo.begin()->first, off);
    declare_gap(c, d, hole_end, at);
    if (off <= D.next) {  // the gaps caught up with this segment
      on_payload(c, d, static_cast<int64_t>(off), bytes, at);
      return;
    }
  }
  ++stats_.out_of_order_segments;

  const uint64_t end = off + bytes.size();
  uint64_t pos = off;
  auto piece = [&](uint64_t from, uint64_t to) {
    return bytes.subspan(static_cast<size_t>(from - off), static_cast<size_t>(to - from));
  };
  auto it = D.ooo.upper_bound(pos);
  if (it != D.ooo.begin()) {
    auto prev = std::prev(it);
    const uint64_t pend = prev->first + prev->second.size();
    if (pend > pos) {
      const uint64_t ov = std::min(pend, end);
      stats_.retransmitted_bytes += ov - pos;
      compare({prev->second.data() + (pos - prev->first), static_cast<size_t>(ov - pos)},
              piece(pos, ov));
      pos = ov;
    }
  }
  while (pos < end) {
    it = D.ooo.lower_bound(pos);
    const uint64_t piece_end = (it != D.ooo.end() && it->first < end) ? it->first : end;
    if (pos < piece_end) {
      auto p = piece(pos, piece_end);
      D.ooo.emplace_hint(it, pos, std::vector<uint8_t>(p.begin(), p.end()));
      D.ooo_bytes += p.size();
      buffered_total_ += p.size();
      pos = piece_end;
    }
    if (pos < end) {  // it->first == pos: overlaps a buffered chunk, which wins
      const uint64_t cend = it->first + it->second.size();
      const uint64_t ov = std::min(cend, end);
      stats_.retransmitted_bytes += ov - pos;
      compare({it->second.data(), static_cast<size_t>(ov - pos)}, piece(pos, ov));
      pos = ov;
    }
  }
  stats_.peak_buffered_bytes = std::max<uint64_t>(stats_.peak_buffered_bytes, buffered_total_);
}

void Reassembler::emit_data(Conn& c, Dir d, uint64_t off, std::span<const uint8_t> bytes,
                            const At& at) {
  DirState& D = c.dir[idx(d)];
  if (bytes.empty()) return;
  if (!c.opened) emit_opened(c);
  events_.emplace_back(Data{c.id, d, off, bytes, at.frame, at.ts});
  stats_.delivered_bytes += bytes.size();
  D.next = off + bytes.size();
  D.hole_open = false;
  if (opts_.overlap_history != 0) {
    const size_t w = opts_.overlap_history;
    if (D.hist.empty()) D.hist.resize(w);
    if (bytes.size() > w) {
      off += bytes.size() - w;
      bytes = bytes.last(w);
    }
    size_t pos = static_cast<size_t>(off % w);
    const size_t first = std::min(bytes.size(), w - pos);
    std::memcpy(D.hist.data() + pos, bytes.data(), first);
    std::memcpy(D.hist.data(), bytes.data() + first, bytes.size() - first);
  }
}

void Reassembler::declare_gap(Conn& c, Dir d, uint64_t upto, const At& at) {
  DirState& D = c.dir[idx(d)];
  if (upto <= D.next) return;
  if (!c.opened) emit_opened(c);
  events_.emplace_back(Gap{c.id, d, D.next, upto - D.next, at.frame, at.ts});
  ++stats_.gaps;
  stats_.gap_bytes += upto - D.next;
  D.next = upto;
  D.hist_from = upto;
  D.hole_open = false;
  drain(c, d, at);
}

void Reassembler::drain(Conn& c, Dir d, const At& at) {
  DirState& D = c.dir[idx(d)];
  while (!D.ooo.empty() && D.ooo.begin()->first <= D.next) {
    deliver_in_order(c, d, {}, at);  // delivers every chunk that is now contiguous
  }
}

bool Reassembler::gap_first_hole(Conn& c, Dir d, const At& at) {
  DirState& D = c.dir[idx(d)];
  uint64_t end = std::numeric_limits<uint64_t>::max();
  if (!D.ooo.empty()) end = D.ooo.begin()->first;
  if (D.fin && D.fin_off > D.next) end = std::min(end, D.fin_off);
  if (end == std::numeric_limits<uint64_t>::max()) {
    if (!D.acked_valid || D.acked_end() <= D.next) return false;
    end = D.acked_end();  // the peer received bytes the capture does not have
  }
  if (end <= D.next) return false;
  declare_gap(c, d, end, at);
  return true;
}

void Reassembler::check_holes(Conn& c, const At& at) {
  for (Dir d : {Dir::kClientToServer, Dir::kServerToClient}) {
    DirState& D = c.dir[idx(d)];
    if (!D.started) continue;
    if (D.quiet()) continue;
    if (opts_.gap_on_ack) {
      // The receiver acknowledged bytes at the hole while later data (or the FIN) waits:
      // the capture lost them.
      while (D.waiting() && D.acked_valid && D.acked_end() > D.next) {
        uint64_t end = D.acked_end();
        if (!D.ooo.empty()) end = std::min(end, D.ooo.begin()->first);
        if (D.fin) end = std::min(end, D.fin_off);
        if (end <= D.next) break;
        declare_gap(c, d, end, at);
      }
    }
    if (!D.any_hole()) {
      D.hole_open = false;
    } else if (!D.hole_open) {
      D.hole_open = true;
      D.hole_since = c.packets;
    } else if (c.packets - D.hole_since >= opts_.max_hole_wait_packets) {
      gap_first_hole(c, d, at);
      if (D.any_hole()) {
        D.hole_open = true;
        D.hole_since = c.packets;
      }
    }
  }
}

void Reassembler::close(Conn& c, CloseReason how, const At& at) {
  for (Dir d : {Dir::kClientToServer, Dir::kServerToClient}) {
    while (gap_first_hole(c, d, at)) {
    }
  }
  if (!c.opened) emit_opened(c);
  events_.emplace_back(ConnectionClosed{c.id, how, at.frame, at.ts});
  c.closed = true;
  for (DirState& D : c.dir) {
    buffered_total_ -= D.ooo_bytes;
    D.ooo_bytes = 0;
    D.ooo.clear();
    std::vector<uint8_t>().swap(D.hist);
  }
  closed_.push_back(Closed{capture_packets_, c.key, c.id});
}

void Reassembler::compare(std::span<const uint8_t> kept, std::span<const uint8_t> resent) {
  const size_t n = std::min(kept.size(), resent.size());
  if (std::memcmp(kept.data(), resent.data(), n) == 0) return;
  uint64_t diff = 0;
  for (size_t i = 0; i < n; ++i) diff += kept[i] != resent[i];
  ++stats_.overlap_conflicts;
  stats_.overlap_conflict_bytes += diff;
}

void Reassembler::compare_history(Conn& c, Dir d, uint64_t off, std::span<const uint8_t> bytes) {
  DirState& D = c.dir[idx(d)];
  const size_t w = opts_.overlap_history;
  if (D.hist.empty()) return;
  uint64_t lo = std::max(D.hist_from, D.next > w ? D.next - w : 0);
  uint64_t from = std::max(lo, off);
  const uint64_t to = std::min<uint64_t>(off + bytes.size(), D.next);
  if (from >= to) return;
  std::vector<uint8_t> kept(static_cast<size_t>(to - from));
  for (size_t i = 0; i < kept.size(); ++i) kept[i] = D.hist[static_cast<size_t>((from + i) % w)];
  compare(kept, bytes.subspan(static_cast<size_t>(from - off), kept.size()));
}

void Reassembler::expire_closed() {
  while (!closed_.empty() && capture_packets_ - closed_.front().at > opts_.closed_linger_packets) {
    const Closed& e = closed_.front();
    Table::Slot* s = table_.find(e.key);
    if (s != nullptr && s->conn->closed && s->conn->id == e.id) {
      if (last_conn_ == s->conn.get()) last_conn_ = nullptr;
      table_.erase(*s);
    }
    closed_.pop_front();
  }
}

std::span<const Event> Reassembler::finish() {
  events_.clear();
  retired_.clear();
  std::vector<Conn*> open;
  for (auto& slot : table_.slots) {
    if (slot.state == 1 && !slot.conn->closed) open.push_back(slot.conn.get());
  }
  std::sort(open.begin(), open.end(), [](const Conn* x, const Conn* y) { return x->id < y->id; });
  for (Conn* c : open) {
    for (Dir d : {Dir::kClientToServer, Dir::kServerToClient}) {
      while (gap_first_hole(*c, d, last_)) {
      }
    }
    close(*c, c->dir[0].done() && c->dir[1].done() ? CloseReason::kFin : CloseReason::kEof,
          last_);
  }
  table_.clear();
  closed_.clear();
  last_conn_ = nullptr;
  buffered_total_ = 0;
  return events_;
}

}  // namespace cephwire::pcap
