// Sans-IO decoder of one msgr2 (crc mode) TCP connection: both byte streams in, typed items out.
// The shape is shared with msgr1 (see /work/briefs/stream_api.md and codec/stream.h).
//
// Follows the receive paths of Ceph src/msg/async/ProtocolV2.cc: _handle_peer_banner(_payload)
// (banner; rev1 iff the peer's banner has CEPH_MSGR2_FEATURE_REVISION_1, for both framing
// directions), read_frame / handle_read_frame_preamble_main / _handle_read_frame_epilogue_main
// (framing, see frame_assembler.h), handle_frame_payload / handle_message (payloads), and the
// state checks of handle_hello, handle_auth_*, handle_client_ident, handle_server_ident,
// handle_reconnect*, handle_session_*, handle_keepalive2*, handle_message_ack.
//
// Cross-direction facts (bytes wait in their buffer until the fact is known, never guessed):
//  - framing revision: frames of either direction need both banners (rev1 iff both advertise
//    REVISION_1: a peer that does not know msgr2.1 uses rev0, and so then does the other side);
//  - secure mode: after each AUTH_REQUEST / AUTH_REQUEST_MORE the client's next frame depends on
//    the server's answer; AUTH_DONE with con_mode SECURE (2) means every later frame of both
//    directions is encrypted: both directions stop with kUnsupported "secure mode not supported".
// Message src is the sender's name: type from its HELLO, num = gid from its CLIENT_IDENT /
// SERVER_IDENT (what ProtocolV2 sets as peer_name), or a hint set with set_entity().
//
// Per-direction state checks (Ceph faults on these; here they are kBadValue errors):
//  client->server: HELLO, AUTH_REQUEST (then, per server answer: AUTH_REQUEST again after
//  AUTH_BAD_METHOD, AUTH_REQUEST_MORE after AUTH_REPLY_MORE, AUTH_SIGNATURE after AUTH_DONE),
//  CLIENT_IDENT | SESSION_RECONNECT, then MESSAGE / KEEPALIVE2 / KEEPALIVE2_ACK / ACK (and ident
//  frames again until the first of those);
//  server->client: HELLO, AUTH_BAD_METHOD | AUTH_REPLY_MORE (repeatable) | AUTH_DONE,
//  AUTH_SIGNATURE, then SERVER_IDENT | SESSION_RECONNECT_OK (-> ready) or IDENT_MISSING_FEATURES
//  | WAIT | SESSION_RESET | SESSION_RETRY | SESSION_RETRY_GLOBAL, then MESSAGE / KEEPALIVE2 /
//  KEEPALIVE2_ACK / ACK. After resync() (mid-stream) every known tag is accepted.
//
// Errors: StreamError.offset is the offset (in that direction's stream) of the item that could
// not be decoded; StreamError.error.offset is relative to that item's start, and error.field
// names the part ("preamble.crc", "segment0_crc", "epilogue.crc[1]", "hello.peer_addr...").
//
// Memory: bytes are copied only into the buffer of an incomplete item (and into each Item's own
// `raw`). A frame's segments are capped by FrameLimits (Linux's limits, see tag.h), so a length
// field never makes the decoder wait for more than that. A stopped direction keeps at most
// kMaxStoppedBuffer bytes for a later resync().
#pragma once

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
#include "codec/msgr2/banner.h"
#include "codec/msgr2/frames_v2.h"
#include "codec/stream.h"
#include "codec/types/entity_name_t.h"

namespace cephwire::codec::msgr2 {

using codec::DecoderOptions;
using codec::Dir;
using codec::StreamError;

// One complete thing decoded from one direction. Decoded Bytes view into `raw` (move-only).
struct Item {
  Dir dir = Dir::kClientToServer;
  uint64_t begin = 0, end = 0;      // offsets in that direction's stream
  std::vector<uint8_t> raw;         // exactly the bytes [begin, end)
  std::variant<Banner, Frame> body;
  bool crc_ok = true;               // every crc verified (or verify_crc was false and all matched)

  Item() = default;
  Item(Item&&) noexcept = default;
  Item& operator=(Item&&) noexcept = default;
  Item(const Item&) = delete;
  Item& operator=(const Item&) = delete;

  // "banner", "hello", "auth_request", ..., "message", "keepalive2", "ack", "aborted"
  std::string_view kind() const;
  const Banner* banner() const { return std::get_if<Banner>(&body); }
  const Frame* frame() const { return std::get_if<Frame>(&body); }
  template <class T>
  const T* as() const {
    const Frame* f = frame();
    return f ? std::get_if<T>(&f->payload) : nullptr;
  }
  const MessageParts* message() const {
    const MessageFrame* m = as<MessageFrame>();
    return m ? &m->parts : nullptr;
  }
  // Re-encodes from the decoded fields (framing values as decoded): == raw.
  std::vector<uint8_t> encode() const;
  void encode_into(std::vector<uint8_t>& out) const;  // the same, into a reused buffer
  void dump(JsonWriter& w) const;
};

class ConnectionDecoder {
 public:
  static constexpr size_t kMaxStoppedBuffer = 16u << 20;

  explicit ConnectionDecoder(DecoderOptions opts = {});

  // Bytes that arrived in direction d, in stream order. Never throws or crashes.
  void feed(Dir d, std::span<const uint8_t> bytes);
  // Items of both directions in the order they became decodable.
  std::optional<Item> poll();
  std::optional<StreamError> poll_error();
  // An item's bytes handed back once its views are no longer used: later items reuse the
  // storage instead of allocating their own.
  void recycle(std::vector<uint8_t>&& raw) { pool_.give(std::move(raw)); }
  // Drop the partial (or failed) item of d and scan forward for a preamble whose crc checks out
  // (plus sane num_segments, last segment non-empty, known tag, lengths within limits, unused
  // descriptors zero). If the framing revision is not known yet it is inferred from that
  // frame's crcs (segment 0's crc right after segment 0 = rev1, in the 17-byte epilogue = rev0);
  // frames whose segment 0 is empty cannot tell and are skipped. Items after the anchor are
  // decoded with every tag allowed.
  void resync(Dir d);
  uint64_t skipped_bytes(Dir d) const { return st(d).skipped; }

  // ---- connection facts learned so far ----
  // From both banners or set_rev(); else (mid-stream) what resync inferred, c2s's first.
  std::optional<Rev> rev() const {
    if (rev_) return rev_;
    return c2s_.inferred_rev ? c2s_.inferred_rev : s2c_.inferred_rev;
  }
  const Banner* banner(Dir d) const { return st(d).banner ? &*st(d).banner : nullptr; }
  std::optional<uint8_t> entity_type(Dir d) const { return st(d).entity_type; }  // d's HELLO
  std::optional<int64_t> gid(Dir d) const { return st(d).gid; }  // CLIENT_/SERVER_IDENT
  std::optional<uint64_t> features(Dir d) const { return st(d).features; }  // ident supported
  // client & server supported features, once both idents were seen
  std::optional<uint64_t> negotiated_features() const;
  std::optional<uint64_t> global_id() const { return global_id_; }  // from AUTH_DONE
  std::optional<uint32_t> con_mode() const { return con_mode_; }
  bool lossy() const { return lossy_; }
  // The name of the sender of d's messages (message src).
  entity_name_t peer_name(Dir d) const;
  bool ready(Dir d) const;
  bool stopped(Dir d) const { return st(d).stopped; }
  // End of the last item (or skipped region) of d, and all bytes fed to d.
  uint64_t offset(Dir d) const { return st(d).base; }
  uint64_t fed(Dir d) const { return st(d).fed; }

  // ---- hints for captures that lack the facts ----
  void set_rev(Rev rev) { rev_ = rev; }
  void set_entity(Dir d, entity_name_t name) { st(d).name_hint = name; }
  void set_limits(const FrameLimits& l) { limits_ = l; }

 private:
  enum class Phase : uint8_t {
    kBanner, kHello, kAuth, kAuthMore, kAuthWait, kSign, kSession, kSessionSent, kReady, kAny,
    kScan,
  };
  struct DirState {
    std::vector<uint8_t> buf;  // pending bytes; buf[0] is at stream offset `base`
    uint64_t partial = 0;      // on-wire size of the incomplete frame at buf[0], when known
    bool buf_taken = false;    // pump moved the whole of buf into an item's bytes
    uint64_t base = 0;
    uint64_t fed = 0;
    uint64_t skipped = 0;
    Phase phase = Phase::kBanner;
    bool stopped = false;
    bool lost = false;  // a stopped direction dropped bytes past kMaxStoppedBuffer
    std::optional<Banner> banner;  // owns its bytes
    std::optional<uint8_t> entity_type;
    std::optional<int64_t> gid;
    std::optional<uint64_t> features;
    std::optional<entity_name_t> name_hint;
    uint32_t auth_requests = 0;         // c2s: AUTH_REQUEST + AUTH_REQUEST_MORE frames
    std::vector<uint8_t> auth_replies;  // s2c: tag of each AUTH_BAD_METHOD/REPLY_MORE/DONE
    // Mid-stream without banners: the framing revision scan() inferred from this direction's
    // own anchor frame. A scanning direction never takes the other's inference (what it
    // decodes must not depend on which direction was fed first).
    std::optional<Rev> inferred_rev;
  };

  DirState& st(Dir d) { return d == Dir::kClientToServer ? c2s_ : s2c_; }
  const DirState& st(Dir d) const { return d == Dir::kClientToServer ? c2s_ : s2c_; }
  static Dir other(Dir d) {
    return d == Dir::kClientToServer ? Dir::kServerToClient : Dir::kClientToServer;
  }

  size_t pump(Dir d, std::span<const uint8_t> avail);
  void drain(Dir d);
  void settle();
  void fail(Dir d, uint64_t at, DecodeError e);
  bool scan(Dir d, std::span<const uint8_t> rest, uint64_t at, size_t* skip);
  bool tag_allowed(Dir d, Phase phase, Tag tag) const;
  std::optional<Rev> frame_rev(Dir d) const;
  void on_banners(Dir d, uint64_t at);
  void on_frame(Dir d, Frame& f, uint64_t end);

  DecoderOptions opts_;
  FrameLimits limits_;
  DirState c2s_, s2c_;
  std::optional<Rev> rev_;  // from both banners or set_rev() (inferences: DirState)
  std::optional<uint64_t> global_id_;
  std::optional<uint32_t> con_mode_;
  bool lossy_ = false;
  uint64_t version_ = 0;  // bumps on every state change (drives settle())
  Fifo<Item> items_;  // a deque allocated a block per item
  BufferPool pool_;    // spare item buffers (recycle)
  std::deque<StreamError> errors_;
};

}  // namespace cephwire::codec::msgr2
