// Sans-IO TCP stream reassembly: feed TCP segments in capture order, get per-connection,
// per-direction ordered byte streams back as events.
//
// Behaviour follows what Wireshark's TCP dissector does with "reassemble out-of-order
// segments" on (epan/dissectors/packet-tcp.c, tcp_analyze_sequence_number /
// desegment_tcp; epan/reassemble.c for overlap handling: the bytes received first win and
// disagreeing overlaps are flagged), and Zeek's TCP_Reassembler for content gaps (a hole the
// receiver has acknowledged was lost by the capture, not by the network).
//
//  - Connections are keyed by the 4-tuple; a SYN (without ACK) on a closed 4-tuple, or with a
//    new ISN on an open one, starts a new connection. The SYN sender is the client; a
//    connection first seen at its SYN-ACK takes the SYN-ACK's receiver as the client; a
//    connection first seen mid-way takes the side with the higher port as the client
//    (`client_guessed`) and both directions are `midstream` (stream offset 0 = the sequence
//    number of the first segment seen in that direction).
//  - Stream offsets are 64-bit: sequence numbers are unwrapped against the next expected
//    offset, so wrap-around and streams longer than 4 GiB work.
//  - Out-of-order data is buffered (copied) until the hole before it is filled. A hole becomes
//    a Gap event (and the stream continues after it) when: the peer acknowledged bytes past
//    the hole while data or the FIN after the hole is waiting; the per-direction or total
//    buffer limit would be exceeded; the hole stayed open for max_hole_wait_packets packets of
//    its connection; or at RST, connection reuse and finish() (end of capture). At those
//    points a known missing tail (up to the FIN, or up to what the peer acknowledged) is a Gap
//    too.
//  - Data events carry the frame whose arrival made those bytes contiguous: for in-order
//    segments the segment's own frame, for buffered data the frame that filled the hole (or
//    at which the hole was declared a gap).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "tools/pcap/packet.h"

namespace cephwire::pcap {

using ConnId = uint64_t;  // 0, 1, 2, ... in the order connections are first seen

struct ReassemblerOptions {
  size_t max_buffered_per_direction = 16u << 20;  // out-of-order bytes held for one direction
  size_t max_buffered_total = 256u << 20;         // ... and for all connections together
  uint64_t max_hole_wait_packets = 1024;  // packets of the connection a hole may stay open
  bool gap_on_ack = true;  // the peer acked past a hole that has data waiting after it: gap now
  // Keep the last N delivered bytes of each direction to compare retransmissions of already
  // delivered data with (overlap conflicts). 0: compare only with buffered out-of-order data.
  size_t overlap_history = 0;
  // A closed connection's 4-tuple keeps absorbing stray segments (final ACKs, retransmitted
  // FINs) for this many capture packets before it is forgotten.
  uint64_t closed_linger_packets = 1u << 16;
};

enum class CloseReason : uint8_t {
  kFin,     // both directions sent FIN and every byte before the FINs was delivered or gapped
  kRst,     // a RST
  kEof,     // the capture ended (finish())
  kReused,  // a new SYN (other ISN) took over the 4-tuple of a connection still open
};
std::string_view to_string(CloseReason r);

struct ConnectionOpened {
  ConnId conn = 0;
  Endpoint client, server;
  bool client_guessed = false;      // no SYN / SYN-ACK seen: client = higher port
  std::array<bool, 2> midstream{};  // [Dir]: that direction did not start at a SYN
  uint64_t frame = 0;               // first frame of the connection
  Timestamp ts;
};

struct Data {
  ConnId conn = 0;
  Dir dir = Dir::kClientToServer;
  uint64_t offset = 0;              // stream offset of bytes[0]
  std::span<const uint8_t> bytes;   // valid until the next feed() / finish()
  uint64_t frame = 0;               // the frame whose arrival completed these bytes
  Timestamp ts;
};

struct Gap {
  ConnId conn = 0;
  Dir dir = Dir::kClientToServer;
  uint64_t offset = 0;              // first missing stream offset
  uint64_t length = 0;              // missing bytes; data continues at offset + length
  uint64_t frame = 0;               // frame at which the gap was declared
  Timestamp ts;
};

struct ConnectionClosed {
  ConnId conn = 0;
  CloseReason how = CloseReason::kEof;
  uint64_t frame = 0;
  Timestamp ts;
};

using Event = std::variant<ConnectionOpened, Data, Gap, ConnectionClosed>;

struct ReassemblyStats {
  uint64_t packets = 0;               // segments fed
  uint64_t connections = 0;           // ConnectionOpened events
  uint64_t midstream_connections = 0; // ... of which started without SYN / SYN-ACK
  uint64_t delivered_bytes = 0;       // bytes in Data events
  uint64_t out_of_order_segments = 0; // segments that had to be buffered
  uint64_t retransmitted_bytes = 0;   // bytes received again (ignored: first copy wins)
  uint64_t overlap_conflicts = 0;     // overlapping ranges whose re-sent bytes differ from the
                                      // copy kept (buffered, or in overlap_history)
  uint64_t overlap_conflict_bytes = 0;  // differing bytes in those ranges
  uint64_t gaps = 0;
  uint64_t gap_bytes = 0;
  uint64_t bytes_before_start = 0;    // data before a direction's offset 0 (dropped)
  uint64_t bytes_after_fin = 0;       // data past a direction's FIN (dropped)
  uint64_t packets_after_close = 0;   // segments on a closed connection (ignored)
  uint64_t stray_packets = 0;         // RST / SYN-less pure control for no known connection
  uint64_t peak_buffered_bytes = 0;   // high-water mark of all buffered out-of-order bytes
};

class Reassembler {
 public:
  explicit Reassembler(ReassemblerOptions opts = {});
  ~Reassembler();
  Reassembler(const Reassembler&) = delete;
  Reassembler& operator=(const Reassembler&) = delete;

  // One segment, in capture order. The returned events (and the Data spans, which may view
  // p.payload: keep it alive meanwhile) are valid until the next feed() / finish().
  std::span<const Event> feed(const TcpPacket& p);

  // End of the capture: declare remaining holes as gaps, deliver what was buffered behind
  // them, close every open connection (kEof, or kFin if both FINs are complete). Connections
  // are handled in ConnId order. The reassembler is empty afterwards (it can be fed again).
  std::span<const Event> finish();

  const ReassemblyStats& stats() const { return stats_; }
  size_t buffered_bytes() const { return buffered_total_; }
  size_t tracked_connections() const { return table_.live; }

 private:
  struct Conn;
  struct DirState;
  struct Key {  // the two endpoints in a canonical order
    uint64_t a[2] = {0, 0}, b[2] = {0, 0};  // address bytes
    uint16_t pa = 0, pb = 0;
    uint8_t version = 4;
    bool operator==(const Key& o) const {
      return ((a[0] ^ o.a[0]) | (a[1] ^ o.a[1]) | (b[0] ^ o.b[0]) | (b[1] ^ o.b[1])) == 0 &&
             pa == o.pa && pb == o.pb && version == o.version;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };

  struct At {  // where an event happens: the frame being handled (or the last one, at finish)
    uint64_t frame = 0;
    Timestamp ts;
  };
  struct Closed {
    uint64_t at;  // capture packet count at close
    Key key;
    ConnId id;
  };

  Key make_key(const TcpPacket& p, bool* src_is_a) const;
  Conn* lookup(const Key& k);
  Conn* create(const Key& k, const TcpPacket& p, bool client_is_a, bool guessed);
  void handle(Conn& c, const TcpPacket& p, bool src_is_a);
  void emit_opened(Conn& c);
  void on_payload(Conn& c, Dir d, int64_t off, std::span<const uint8_t> bytes, const At& at);
  void deliver_in_order(Conn& c, Dir d, std::span<const uint8_t> seg, const At& at);
  void buffer_segment(Conn& c, Dir d, uint64_t off, std::span<const uint8_t> bytes,
                      const At& at);
  void emit_data(Conn& c, Dir d, uint64_t off, std::span<const uint8_t> bytes, const At& at);
  void declare_gap(Conn& c, Dir d, uint64_t upto, const At& at);
  void drain(Conn& c, Dir d, const At& at);
  bool gap_first_hole(Conn& c, Dir d, const At& at);
  void check_holes(Conn& c, const At& at);
  void close(Conn& c, CloseReason how, const At& at);
  void compare(std::span<const uint8_t> kept, std::span<const uint8_t> resent);
  void compare_history(Conn& c, Dir d, uint64_t off, std::span<const uint8_t> bytes);
  void expire_closed();

  ReassemblerOptions opts_;
  ReassemblyStats stats_;
  // 4-tuple -> connection: open addressing, linear probing, tombstones (one cache line per
  // lookup in the usual case, which std::unordered_map's nodes do not give).
  struct Table {
    struct Slot {
      Key key;
      uint8_t state = 0;  // 0 empty, 1 full, 2 erased
      std::unique_ptr<Conn> conn;
    };
    std::vector<Slot> slots;
    size_t live = 0, used = 0;  // used counts erased slots too
    Slot* find(const Key& k);
    Slot& insert(const Key& k);  // the slot for k, full or new (conn then null)
    void erase(Slot& s);
    void clear();
    void grow();
  };
  Table table_;
  Key last_key_;
  Conn* last_conn_ = nullptr;
  ConnId next_id_ = 0;
  size_t buffered_total_ = 0;
  uint64_t capture_packets_ = 0;
  At last_;  // the most recent segment's frame and time (finish() events use them)
  std::deque<Closed> closed_;
  std::vector<Event> events_;
  std::vector<std::vector<uint8_t>> retired_;  // drained buffers the last events' spans view
};

}  // namespace cephwire::pcap
