// Sans-IO decoder of one msgr v1 TCP connection (both directions), the shape of
// /work/briefs/stream_api.md. It follows ceph/ceph src/msg/async/ProtocolV1.cc:
//   client -> server: banner + legacy addr (ClientBanner), connect (+authorizer) [repeated
//     after RETRY_SESSION / RETRY_GLOBAL / RESETSESSION / CHALLENGE_AUTHORIZER / WAIT /
//     BADPROTOVER / BADAUTHORIZER / FEATURES replies: the server's accept loop waits for the
//     next connect], after a SEQ reply the client's le64 in_seq, then tags and messages;
//   server -> client: banner + 2 legacy addrs (ServerBanner), one connect reply per connect,
//     after a SEQ reply the server's le64, then tags and messages.
// Cross-direction facts: what follows the client's connect depends on the server's reply tag,
// and the footer size of every message depends on MSG_AUTH in connect.features &
// reply.features (client_ready / open). A direction that needs a fact the other direction has
// not delivered yet keeps its bytes buffered and is decoded as soon as the fact arrives.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "codec/buffer_pool.h"
#include "codec/fifo.h"
#include "codec/message.h"
#include "codec/msgr1/banner.h"
#include "codec/msgr1/ceph_msg_connect.h"
#include "codec/msgr1/ceph_msg_connect_reply.h"
#include "codec/msgr1/encode.h"
#include "codec/msgr1/message_frame.h"
#include "codec/msgr1/tags.h"
#include "codec/stream.h"

namespace cephwire::codec::msgr1 {

// A message item: the v1 framing (tag, header, segments, footer) and the messenger-independent
// parts (whose front/middle/data are the same views into Item::raw).
struct Message {
  MessageFrame frame;
  MessageParts parts;
  template <class V>
  bool visit(V& v) {
    return frame.visit(v);
  }
};

using Frame = std::variant<ClientBanner, ServerBanner, Connect, ConnectReply, SeqExchange,
                           TagClose, TagKeepalive, TagKeepalive2, TagKeepalive2Ack, TagAck,
                           Message>;

// The stable kind name of a frame alternative: "banner", "connect", "connect_reply", "seq",
// "close", "keepalive", "keepalive2", "keepalive2_ack", "ack", "message".
std::string_view frame_kind(const Frame& f);

struct Item {
  Dir dir = Dir::kClientToServer;
  uint64_t begin = 0, end = 0;  // offsets of raw in this direction's stream (bytes fed)
  std::vector<uint8_t> raw;     // exactly the bytes [begin, end); `frame` views into it
  Frame frame;
  bool crc_ok = true;

  Item() = default;
  Item(Item&&) = default;
  Item& operator=(Item&&) = default;
  Item(const Item&) = delete;
  Item& operator=(const Item&) = delete;

  std::string_view kind() const { return frame_kind(frame); }
  const MessageParts* message() const;
  const MessageFrame* message_frame() const;
  std::vector<uint8_t> encode() const;  // from the decoded fields; == raw
  void encode_into(std::vector<uint8_t>& out) const;  // the same, into a reused buffer
  // {"dir", "begin", "end", "kind", "crc_ok", "frame": {...}}
  void dump(JsonWriter& w) const;
};

struct ConnectionFacts {
  std::optional<entity_addr_t> client_addr;                // the client's banner
  std::optional<entity_addr_t> server_addr;                // the server's banner
  std::optional<entity_addr_t> client_addr_seen_by_server; // the server's banner
  std::vector<ceph_msg_connect> connects;                  // every connect, in order
  std::vector<ceph_msg_connect_reply> replies;             // every connect reply, in order
  std::optional<size_t> accepted;    // index of the READY/SEQ reply (and of its connect)
  std::optional<uint64_t> features;  // connect.features & reply.features (or assumed)
  // From features; midstream (no features known) the first direction's inference from its own
  // messages (each direction infers its footer size on its own, see Side::msg_auth_inferred).
  std::optional<bool> msg_auth_footer;
  std::optional<uint64_t> server_in_seq, client_in_seq;  // the TAG_SEQ exchange
  std::optional<entity_name_t> client_name, server_name; // src of the messages seen
  std::optional<uint32_t> client_host_type() const {
    if (connects.empty()) return std::nullopt;
    return connects.back().host_type;
  }
};

class ConnectionDecoder {
 public:
  explicit ConnectionDecoder(DecoderOptions opts = {});

  // Bytes that arrived in direction d, in stream order. After an error in d, further bytes of
  // d are ignored (and counted as skipped) until resync(d).
  void feed(Dir d, std::span<const uint8_t> bytes);
  // The next complete item (both directions, in the order they became decodable).
  std::optional<Item> poll();
  std::optional<StreamError> poll_error();
  // An item's bytes handed back once its views are no longer used: later items reuse the
  // storage instead of allocating their own.
  void recycle(std::vector<uint8_t>&& raw) { pool_.give(std::move(raw)); }
  // Bytes are missing in d (capture gap) or d starts mid-way: drop the buffered partial item
  // (after an error: the failed item's first byte) and scan forward for a plausible item
  // boundary: a MSG tag whose header crc checks out (type != 0, a known src type, lengths
  // within limits), or a chain of at most 8 ACK / KEEPALIVE / KEEPALIVE2(_ACK) items that
  // ends in such a MSG. Items after it are decoded as in the READY state.
  void resync(Dir d);
  uint64_t skipped_bytes(Dir d) const { return side(d).skipped; }

  // Negotiated features known out of band (midstream captures): sets the footer size.
  void assume_features(uint64_t features);
  const ConnectionFacts& facts() const { return facts_; }
  bool failed(Dir d) const { return side(d).state == State::kFailed; }
  // Bytes held for an item not decodable yet (incomplete, or waiting for the other direction).
  size_t buffered_bytes(Dir d) const { return side(d).buf.size() - side(d).head; }
  // Stream offset of the first byte not yet decoded (or skipped) in d.
  uint64_t offset(Dir d) const { return side(d).pos; }

 private:
  enum class State : uint8_t {
    kClientBanner,
    kServerBanner,
    kConnect,       // c2s: next is a connect
    kAwaitReply,    // c2s: what follows depends on the reply to the last connect
    kConnectReply,  // s2c: next is a connect reply
    kSeq,           // next is the le64 of the TAG_SEQ exchange
    kOpen,          // tags and messages
    kClosed,        // after CLOSE: nothing may follow
    kScan,          // resync: looking for an item boundary
    kFailed,
  };
  enum class Step : uint8_t { kProgress, kNeedMore, kBlocked, kFailed };
  struct StepResult {
    Step step;
    size_t need = 0;  // kNeedMore: bytes needed from the start of the view
  };
  struct Side {
    State state = State::kClientBanner;
    std::vector<uint8_t> buf;  // unconsumed bytes: buf[head, size)
    size_t head = 0;
    std::span<const uint8_t> ext;  // the bytes of the current feed() not copied into buf
    uint64_t pos = 0;              // stream offset of the first unconsumed byte
    uint64_t fed = 0;              // bytes fed in total
    uint64_t skipped = 0;
    size_t handshakes = 0;         // c2s: connects decoded; s2c: replies decoded
    bool dropped_while_failed = false;
    bool running = false;
    // Midstream without known features: the footer size inferred from this direction's own
    // bytes. Never taken from the other direction, so that what a direction decodes does not
    // depend on which direction's bytes were fed first.
    std::optional<bool> msg_auth_inferred;
  };

  Side& side(Dir d) { return side_[static_cast<size_t>(d)]; }
  const Side& side(Dir d) const { return side_[static_cast<size_t>(d)]; }
  static Dir other(Dir d) {
    return d == Dir::kClientToServer ? Dir::kServerToClient : Dir::kClientToServer;
  }

  bool run(Dir d);
  void pump();
  StepResult step(Dir d, std::span<const uint8_t> view);
  void consume(Side& s, size_t n);
  StepResult fail(Dir d, DecodeError e);
  template <class T>
  StepResult emit(Dir d, std::span<const uint8_t> view, size_t len, T proto, const char* root);
  StepResult emit_message(Dir d, std::span<const uint8_t> view, size_t len, bool msg_auth);
  StepResult step_open(Dir d, std::span<const uint8_t> view);
  StepResult step_message(Dir d, std::span<const uint8_t> view);
  StepResult step_scan(Dir d, std::span<const uint8_t> view);
  bool after_item(Dir d, const Item& item);  // true: a fact the other direction may need
  void update_features();

  DecoderOptions opts_;
  std::array<Side, 2> side_;
  ConnectionFacts facts_;
  Fifo<Item> items_;  // a deque allocated a block per item
  BufferPool pool_;    // spare item buffers (recycle)
  std::deque<StreamError> errors_;
};

}  // namespace cephwire::codec::msgr1
