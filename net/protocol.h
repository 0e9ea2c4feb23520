// The client side of one messenger connection (msgr v1 or msgr v2 crc mode, auth none) as a
// sans-IO state machine: bytes and time in, bytes, messages and events out. The Asio layer
// (transport.h) only moves bytes and arms timers.
//
// Behaviour follows ceph/ceph src/msg/async/ProtocolV1.cc (client path: send_client_banner,
// handle_server_banner_and_identify, send_connect_message, handle_connect_reply_2 and its tags,
// handle_ack_seq, client_ready, handle_message / handle_keepalive2 / write_message) and
// src/msg/async/ProtocolV2.cc (client path: _banner_exchange, the HELLO written after the
// banner exchange, handle_hello, send_auth_request, handle_auth_done, the AUTH_SIGNATURE
// exchange, send_client_ident, handle_server_ident, handle_message, handle_keepalive2,
// write_message), for a LOSSY client policy
// (Policy::lossy_client: every fault ends the connection; the user resends). Linux
// net/ceph/messenger_v1.c / messenger_v2.c are the second reference.
//
// What goes on the wire imitates librados 16.2.15 as recorded in corpus/recordings: features
// 0x3f01cfbdfffdffff, v1 connect with the AuthNone authorizer to OSDs (none to mons), the
// learned address (peer's view, port 0, our nonce) in the v1 banner and in CLIENT_IDENT
// (TYPE_ANY), CLIENT_IDENT required features MSG_ADDR2|OSDREPLYMUX, flags LOSSY, cookie 0, v2
// header2 flags COMPLETE|NOCRC with ack_seq = in_seq, no ACKs on lossy connections.
//
// Incoming bytes are decoded by the codec's ConnectionDecoder (fed with both directions, so
// cross-direction facts such as the v1 footer size or the v2 framing revision come from the
// codec, not from guesses here).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "codec/fifo.h"
#include "codec/message.h"
#include "codec/types/entity_addr_t.h"
#include "codec/types/entity_name_t.h"
#include "codec/types/utime_t.h"

namespace cephwire::net {

// Monotonic time since an origin the caller chooses (same as client::Instant).
using Duration = std::chrono::nanoseconds;
using Instant = Duration;

enum class Msgr : uint8_t { kV1, kV2 };
std::string_view to_string(Msgr m);

// CEPH_FEATURES_ALL of Ceph 16.2.15: what librados advertises (protocol-notes.md 1.9).
inline constexpr uint64_t kFeaturesPacific = 0x3f01cfbdfffdffffull;
// CLIENT_IDENT required_features of librados 16.2.15 (recordings): MSG_ADDR2 | OSDREPLYMUX.
inline constexpr uint64_t kV2ClientRequired = (1ull << 59) | (1ull << 12);
inline constexpr uint16_t kPrioDefault = 127;  // CEPH_MSG_PRIO_DEFAULT
inline constexpr uint16_t kPrioOsdOp = 63;     // osd_client_op_priority default

// A message to send: the messenger-independent parts (front/middle/data owned or views into
// storage the message keeps) plus hints for the fault layer. seq, src and the crcs are set by
// the connection when it is written.
struct OutMessage {
  codec::MessageParts parts;
  uint16_t osd_op = 0;    // MOSDOp: the first op's code (fault-rule matching)
  uint8_t watch_op = 0;   // ... and its watch.op when that op is WATCH
};

// A received message: parts view into `raw` (keep the InMessage alive while using them).
struct InMessage {
  codec::MessageParts parts;
  std::vector<uint8_t> raw;
  InMessage() = default;
  InMessage(InMessage&&) noexcept = default;
  InMessage& operator=(InMessage&&) noexcept = default;
  InMessage(const InMessage&) = delete;
  InMessage& operator=(const InMessage&) = delete;
};

enum class Direction : uint8_t { kOut, kIn };  // client -> server / server -> client

// What the fault layer sees of one frame / stream item.
struct FrameInfo {
  Direction dir = Direction::kOut;
  uint8_t peer_type = 0;       // CEPH_ENTITY_TYPE_* of the server (mon 1, osd 4)
  std::string_view kind;       // the codec's item kind: "banner", "connect", "hello", "message",
                               // "keepalive2", "keepalive2_ack", "ack", ...
  uint16_t msg_type = 0;       // messages: header type
  uint16_t osd_op = 0;         // MOSDOp / MOSDOpReply: first op code
  uint8_t watch_op = 0;        // ... watch.op of a WATCH op
  uint8_t watch_event = 0;     // MWatchNotify opcode
};

class Interceptor;  // interceptor.h

struct ConnConfig {
  Msgr msgr = Msgr::kV1;
  uint8_t peer_type = codec::entity_name_t::kTypeOsd;
  codec::entity_addr_t target;     // the server's address (type, nonce as the map says)
  std::string entity_id = "admin";  // we are client.<entity_id> (auth name)
  int64_t my_gid = -1;             // client.<gid>: message src (v1), CLIENT_IDENT gid (v2)
  uint64_t global_id = 0;          // auth none: the global id in the auth request / authorizer
  uint32_t nonce = 0;              // our messenger's nonce
  uint32_t global_seq = 1;         // this attempt's global_seq
  uint64_t features = kFeaturesPacific;
  uint64_t v2_required = kV2ClientRequired;
  std::vector<uint32_t> v2_preferred_modes = {1};  // CEPH_CON_MODE_CRC
  // CEPH_MSG_CONNECT_LOSSY in the connect / CLIENT_IDENT. Always set by librados' main
  // messenger; the temporary "temp_mon_client" messenger of get_monmap_and_config does not
  // set it. Our connections behave as lossy either way (a fault ends them).
  bool announce_lossy = true;
  uint64_t v2_client_cookie = 0;  // CLIENT_IDENT cookie: 0 for lossy, random otherwise
  Duration handshake_timeout = std::chrono::seconds(30);
  Interceptor* interceptor = nullptr;  // optional fault injection (not owned)
};

namespace conn_ev {
struct Ready {
  uint64_t features = 0;            // negotiated
  codec::entity_name_t peer;        // e.g. osd.0 / mon.0 (v2: gid from SERVER_IDENT)
  std::optional<uint64_t> global_id;  // v2: AUTH_DONE's global id
  codec::entity_addr_t my_addr;     // what we sent as our address
};
struct Message {
  InMessage msg;
};
struct KeepaliveAck {
  codec::utime_t stamp;
};
// Terminal: the connection is dead. was_ready: a session had been established (for a lossy
// client this is a session reset: everything sent is lost).
struct Fault {
  std::string reason;
  bool was_ready = false;
  bool peer_wait = false;  // the server said WAIT (Ceph then backs off ms_max_backoff)
};
}  // namespace conn_ev
using ConnEvent = std::variant<conn_ev::Ready, conn_ev::Message, conn_ev::KeepaliveAck,
                               conn_ev::Fault>;

// One connection attempt (a TCP connection from connect to close). A new attempt is a new
// object, as in Ceph a lossy connection is never reused after a fault.
class Connection {
 public:
  virtual ~Connection();

  // The TCP connection is established: start the handshake (writes our banner).
  virtual void start(Instant now) = 0;
  // Bytes read from the socket, in order.
  void feed(std::span<const uint8_t> bytes, Instant now);
  // The socket reported EOF or an error.
  void on_socket_error(std::string reason, Instant now);
  // Queue a message; written once the session is ready (seq = ++out_seq then). Parts may view
  // the caller's storage: framed at once when ready, else copied.
  void send(OutMessage m, Instant now);
  // KEEPALIVE2 with this stamp (written when ready).
  void send_keepalive(codec::utime_t stamp, Instant now);
  // Graceful close: v1 writes TAG_CLOSE; then the connection is finished (no Fault event).
  virtual void close(Instant now) = 0;
  // Our gid changed (after authentication): later v1 headers carry src client.<gid>.
  void set_my_gid(int64_t gid) { cfg_.my_gid = gid; }

  // Outputs. poll_transmit returns the next bytes to write (already past the fault layer);
  // transmit_into appends them to `out` instead (false: nothing to write now).
  std::optional<std::vector<uint8_t>> poll_transmit(Instant now);
  bool transmit_into(std::vector<uint8_t>& out, Instant now);
  std::optional<ConnEvent> poll_event();
  std::optional<Instant> poll_timeout() const;
  void handle_timeout(Instant now);
  // A delivered message's bytes, handed back once it was handled: the decoder copies later
  // frames into this storage instead of allocating.
  virtual void recycle(std::vector<uint8_t>&&) {}

  bool ready() const { return ready_; }
  bool finished() const { return finished_; }
  uint64_t in_seq() const { return in_seq_; }
  uint64_t out_seq() const { return out_seq_; }
  const ConnConfig& config() const { return cfg_; }
  // Bytes written / read so far (for tests and logs).
  uint64_t bytes_out() const { return bytes_out_; }
  uint64_t bytes_in() const { return bytes_in_; }

 protected:
  explicit Connection(ConnConfig cfg) : cfg_(std::move(cfg)) {}

  // Protocol hooks.
  virtual void decode_incoming(std::span<const uint8_t> bytes) = 0;  // feed decoder (s2c)
  // Next decoded incoming item, classified; false when none. Items are processed one at a
  // time (the fault layer may hold or drop them).
  struct Pending {
    FrameInfo info;
    std::shared_ptr<void> item;  // protocol-specific decoded item
  };
  virtual std::optional<Pending> next_incoming() = 0;
  virtual void process_incoming(Pending& p, Instant now) = 0;
  // Append m's frame to `out` (when ready; sets m's seq).
  virtual void frame_message(OutMessage& m, std::vector<uint8_t>& out) = 0;
  virtual std::vector<uint8_t> frame_keepalive(codec::utime_t stamp) = 0;
  // Bytes that passed the fault layer and go to the socket, until the session is ready
  // (protocols feed their decoder's client-to-server side with them, so cross-direction facts
  // from the handshake come from the codec).
  virtual void record_outgoing(std::span<const uint8_t> bytes) = 0;

  // Helpers for protocols.
  void write(std::vector<uint8_t> bytes, FrameInfo info, Instant now);  // through fault layer
  void fail(std::string reason, bool peer_wait = false);
  void set_ready(conn_ev::Ready r, Instant now);
  void deliver(ConnEvent e) { events_.push_back(std::move(e)); }
  void finish() { finished_ = true; }
  bool accept_seq(uint64_t seq);  // lossy receive rule: drop seq <= in_seq

  ConnConfig cfg_;
  uint64_t in_seq_ = 0, out_seq_ = 0;
  Instant started_{};
  bool started_flag_ = false;

 private:
  void pump(Instant now);
  void flush_queued(Instant now);
  void emit_message(OutMessage& m, Instant now);
  // The fault layer's verdict on an outgoing frame: its release time, or none (dropped, or
  // the connection closed).
  std::optional<Instant> admit(const FrameInfo& info, Instant now);

  struct OutUnit {
    std::vector<uint8_t> bytes;
    Instant release{};
  };
  // Frames due now with nothing held before them, already in one buffer; out_ holds what
  // comes after them (units a delay rule holds, handshake frames).
  std::vector<uint8_t> direct_;
  std::deque<OutUnit> out_;
  struct Held {
    Pending p;
    Instant release{};
  };
  std::deque<Held> held_in_;
  std::deque<OutMessage> queued_;       // sent before ready
  std::deque<codec::utime_t> queued_keepalives_;
  codec::Fifo<ConnEvent> events_;  // a deque allocated a block per two events
  bool ready_ = false;
  bool finished_ = false;
  uint64_t bytes_out_ = 0, bytes_in_ = 0;
  Instant out_tail_release_{};  // release time of the last queued unit (order is kept)
};

// A new connection attempt of the given messenger version.
std::unique_ptr<Connection> make_connection(ConnConfig cfg);

// Our address as a v1 client announces it: the IP the peer sees, port 0, our nonce, legacy
// form (ProtocolV1::handle_server_banner_and_identify: learned_addr, get_myaddr_legacy).
codec::entity_addr_t learned_legacy_addr(const codec::entity_addr_t& peer_view, uint32_t nonce);
// ... and as a v2 client announces it in CLIENT_IDENT: TYPE_ANY, the learned IP, port 0.
codec::entity_addr_t learned_any_addr(const codec::entity_addr_t& peer_view, uint32_t nonce);

}  // namespace cephwire::net
