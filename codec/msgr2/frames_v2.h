// msgr2 frames: one typed struct per tag, each declaring its segment-0 payload with visit().
// Ceph src/msg/async/frames_v2.h: HelloFrame, AuthRequestFrame, AuthBadMethodFrame,
// AuthReplyMoreFrame, AuthRequestMoreFrame, AuthDoneFrame, AuthSignatureFrame, ClientIdentFrame,
// ServerIdentFrame, IdentMissingFeaturesFrame, ReconnectFrame, ResetFrame, RetryFrame,
// RetryGlobalFrame, ReconnectOkFrame, WaitFrame, MessageFrame, KeepAliveFrame,
// KeepAliveFrameAck, AckFrame (ControlFrame encodes its Args in order with features
// msgr2_frame_assumed = MSG_ADDR2 | SERVER_NAUTILUS, so addresses are addr2; vector<uint32_t> is
// u32 count + items; bufferlist is u32 length + bytes; sha256_digest_t is 32 raw bytes; bool is
// one byte). ProtocolV2.cc write_message / handle_message for MESSAGE (4 segments: header2,
// front, middle, data with alignments 8, 8, 8, 4096).
//
// Strictness beyond Ceph (which ignores such bytes): a control payload must be consumed exactly,
// a control frame has exactly one segment, and a MESSAGE header segment is exactly 41 bytes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "codec/denc.h"
#include "codec/message.h"
#include "codec/msgr2/auth_none.h"
#include "codec/msgr2/ceph_msg_header2.h"
#include "codec/msgr2/frame_assembler.h"
#include "codec/msgr2/tag.h"
#include "codec/types/entity_addr_t.h"
#include "codec/types/utime_t.h"

namespace cephwire::codec::msgr2 {

struct HelloFrame {
  static constexpr Tag kTag = Tag::kHello;
  uint8_t entity_type = 0;   // CEPH_ENTITY_TYPE_* of the sender
  entity_addr_t peer_addr;   // the address the sender sees for its peer
  template <class V>
  bool visit(V& v) {
    return v("entity_type", entity_type) && v("peer_addr", peer_addr);
  }
  bool operator==(const HelloFrame&) const = default;
};

// Returns the CEPH_AUTH_NONE initial request if `payload` is exactly one (see auth_none.h).
std::optional<AuthNoneRequest> parse_auth_none(uint32_t method, std::span<const uint8_t> payload);

struct AuthRequestFrame {
  static constexpr Tag kTag = Tag::kAuthRequest;
  uint32_t method = kAuthNone;
  std::vector<uint32_t> preferred_modes;
  Bytes auth_payload;                  // raw bytes as on the wire
  std::optional<AuthNoneRequest> none; // method none: the decoded payload; encoded from when set

  template <class V>
  bool visit(V& v) {
    if (!(v("method", method) && v("preferred_modes", preferred_modes))) return false;
    if constexpr (V::kDecoding) {
      if (!v("auth_payload", auth_payload)) return false;
      none = parse_auth_none(method, auth_payload.span());
      return true;
    } else if constexpr (V::kEncoding) {
      if (none) {
        Bytes b(encode_to_vector(*none));
        return v("auth_payload", b);
      }
      return v("auth_payload", auth_payload);
    } else {
      if (none) return v("auth_none", *none);
      return v("auth_payload", auth_payload);
    }
  }
  bool operator==(const AuthRequestFrame&) const = default;
};

struct AuthBadMethodFrame {
  static constexpr Tag kTag = Tag::kAuthBadMethod;
  uint32_t method = 0;
  int32_t result = 0;
  std::vector<uint32_t> allowed_methods;
  std::vector<uint32_t> allowed_modes;
  template <class V>
  bool visit(V& v) {
    return v("method", method) && v("result", result) && v("allowed_methods", allowed_methods) &&
           v("allowed_modes", allowed_modes);
  }
  bool operator==(const AuthBadMethodFrame&) const = default;
};

struct AuthReplyMoreFrame {
  static constexpr Tag kTag = Tag::kAuthReplyMore;
  Bytes auth_payload;
  template <class V>
  bool visit(V& v) {
    return v("auth_payload", auth_payload);
  }
  bool operator==(const AuthReplyMoreFrame&) const = default;
};

struct AuthRequestMoreFrame {
  static constexpr Tag kTag = Tag::kAuthRequestMore;
  Bytes auth_payload;
  template <class V>
  bool visit(V& v) {
    return v("auth_payload", auth_payload);
  }
  bool operator==(const AuthRequestMoreFrame&) const = default;
};

struct AuthDoneFrame {
  static constexpr Tag kTag = Tag::kAuthDone;
  uint64_t global_id = 0;
  uint32_t con_mode = kConModeCrc;  // CEPH_CON_MODE_SECURE (2): every later frame is encrypted
  Bytes auth_payload;
  template <class V>
  bool visit(V& v) {
    return v("global_id", global_id) && v("con_mode", con_mode) && v("auth_payload", auth_payload);
  }
  bool operator==(const AuthDoneFrame&) const = default;
};

// HMAC-SHA256(session_key, pre-auth bytes received), or 32 zero bytes without a session key
// (auth none).
struct AuthSignatureFrame {
  static constexpr Tag kTag = Tag::kAuthSignature;
  std::array<uint8_t, 32> signature{};
  template <class V>
  bool visit(V& v) {
    return v("signature", signature);
  }
  bool operator==(const AuthSignatureFrame&) const = default;
};

struct ClientIdentFrame {
  static constexpr Tag kTag = Tag::kClientIdent;
  entity_addrvec_t addrs;
  entity_addr_t target_addr;
  int64_t gid = -1;  // messenger->get_myname().num(): -1 before the client has a global id
  uint64_t global_seq = 0;
  uint64_t supported_features = 0;
  uint64_t required_features = 0;
  uint64_t flags = 0;  // CEPH_MSG_CONNECT_LOSSY
  uint64_t cookie = 0;
  template <class V>
  bool visit(V& v) {
    return v("addrs", addrs) && v("target_addr", target_addr) && v("gid", gid) &&
           v("global_seq", global_seq) && v("supported_features", supported_features) &&
           v("required_features", required_features) && v("flags", flags) &&
           v("cookie", cookie);
  }
  bool operator==(const ClientIdentFrame&) const = default;
};

struct ServerIdentFrame {
  static constexpr Tag kTag = Tag::kServerIdent;
  entity_addrvec_t addrs;
  int64_t gid = 0;
  uint64_t global_seq = 0;
  uint64_t supported_features = 0;
  uint64_t required_features = 0;
  uint64_t flags = 0;
  uint64_t cookie = 0;
  template <class V>
  bool visit(V& v) {
    return v("addrs", addrs) && v("gid", gid) && v("global_seq", global_seq) &&
           v("supported_features", supported_features) &&
           v("required_features", required_features) && v("flags", flags) &&
           v("cookie", cookie);
  }
  bool operator==(const ServerIdentFrame&) const = default;
};

struct IdentMissingFeaturesFrame {
  static constexpr Tag kTag = Tag::kIdentMissingFeatures;
  uint64_t features = 0;
  template <class V>
  bool visit(V& v) {
    return v("features", features);
  }
  bool operator==(const IdentMissingFeaturesFrame&) const = default;
};

// SESSION_RECONNECT
struct ReconnectFrame {
  static constexpr Tag kTag = Tag::kSessionReconnect;
  entity_addrvec_t addrs;
  uint64_t client_cookie = 0;
  uint64_t server_cookie = 0;
  uint64_t global_seq = 0;
  uint64_t connect_seq = 0;
  uint64_t msg_seq = 0;  // the sender's in_seq
  template <class V>
  bool visit(V& v) {
    return v("addrs", addrs) && v("client_cookie", client_cookie) &&
           v("server_cookie", server_cookie) && v("global_seq", global_seq) &&
           v("connect_seq", connect_seq) && v("msg_seq", msg_seq);
  }
  bool operator==(const ReconnectFrame&) const = default;
};

// SESSION_RESET. `full` is a bool on the wire; the byte is kept (Ceph reads any non-zero as true).
struct ResetFrame {
  static constexpr Tag kTag = Tag::kSessionReset;
  uint8_t full = 0;
  bool is_full() const { return full != 0; }
  template <class V>
  bool visit(V& v) {
    return v("full", full);
  }
  bool operator==(const ResetFrame&) const = default;
};

// SESSION_RETRY
struct RetryFrame {
  static constexpr Tag kTag = Tag::kSessionRetry;
  uint64_t connect_seq = 0;
  template <class V>
  bool visit(V& v) {
    return v("connect_seq", connect_seq);
  }
  bool operator==(const RetryFrame&) const = default;
};

// SESSION_RETRY_GLOBAL
struct RetryGlobalFrame {
  static constexpr Tag kTag = Tag::kSessionRetryGlobal;
  uint64_t global_seq = 0;
  template <class V>
  bool visit(V& v) {
    return v("global_seq", global_seq);
  }
  bool operator==(const RetryGlobalFrame&) const = default;
};

// SESSION_RECONNECT_OK
struct ReconnectOkFrame {
  static constexpr Tag kTag = Tag::kSessionReconnectOk;
  uint64_t msg_seq = 0;
  template <class V>
  bool visit(V& v) {
    return v("msg_seq", msg_seq);
  }
  bool operator==(const ReconnectOkFrame&) const = default;
};

// WAIT: an empty payload (one empty segment).
struct WaitFrame {
  static constexpr Tag kTag = Tag::kWait;
  template <class V>
  bool visit(V&) {
    return true;
  }
  bool operator==(const WaitFrame&) const = default;
};

// MESSAGE: header2 in segment 0, then front, middle and data segments. `parts` carries the
// header fields MessageParts has, src (set by the connection decoder from the ident exchange;
// left default by decode_frame) and the three payload segments (views into the decoded buffer).
struct MessageFrame {
  static constexpr Tag kTag = Tag::kMessage;
  ceph_msg_header2 header;
  MessageParts parts;

  // Dump only (the frame is encoded segment by segment, see Frame::encode).
  template <class V>
  bool visit(V& v) {
    static_assert(V::kDumping, "MessageFrame is encoded by encode_message_frame");
    uint64_t front_len = parts.front.size(), middle_len = parts.middle.size(),
             data_len = parts.data.size();
    return v("header", header) && v("src", parts.src) && v("front_len", front_len) &&
           v("middle_len", middle_len) && v("data_len", data_len) && v("front", parts.front) &&
           v("middle", parts.middle) && v("data", parts.data);
  }
  bool operator==(const MessageFrame& o) const;
};

// KEEPALIVE2: the sender's clock
struct KeepAliveFrame {
  static constexpr Tag kTag = Tag::kKeepAlive2;
  utime_t timestamp;
  template <class V>
  bool visit(V& v) {
    return v("timestamp", timestamp);
  }
  bool operator==(const KeepAliveFrame&) const = default;
};

// KEEPALIVE2_ACK: the stamp of the KEEPALIVE2 being answered
struct KeepAliveFrameAck {
  static constexpr Tag kTag = Tag::kKeepAlive2Ack;
  utime_t timestamp;
  template <class V>
  bool visit(V& v) {
    return v("timestamp", timestamp);
  }
  bool operator==(const KeepAliveFrameAck&) const = default;
};

struct AckFrame {
  static constexpr Tag kTag = Tag::kAck;
  uint64_t seq = 0;
  template <class V>
  bool visit(V& v) {
    return v("seq", seq);
  }
  bool operator==(const AckFrame&) const = default;
};

// A frame whose epilogue says the sender aborted it (rev0 late_flags bit 0, rev1 late_status
// ABORTED): Ceph drops it after checking its crcs; its segments are kept uninterpreted.
struct AbortedFrame {
  uint8_t tag = 0;
  std::array<Bytes, kMaxNumSegments> segments;
  template <class V>
  bool visit(V& v) {
    return v("tag", tag) && v("segment0", segments[0]) && v("segment1", segments[1]) &&
           v("segment2", segments[2]) && v("segment3", segments[3]);
  }
  bool operator==(const AbortedFrame&) const = default;
};

// Alternative index == tag - 1 for the 20 tags; AbortedFrame last.
using FramePayload =
    std::variant<HelloFrame, AuthRequestFrame, AuthBadMethodFrame, AuthReplyMoreFrame,
                 AuthRequestMoreFrame, AuthDoneFrame, AuthSignatureFrame, ClientIdentFrame,
                 ServerIdentFrame, IdentMissingFeaturesFrame, ReconnectFrame, ResetFrame,
                 RetryFrame, RetryGlobalFrame, ReconnectOkFrame, WaitFrame, MessageFrame,
                 KeepAliveFrame, KeepAliveFrameAck, AckFrame, AbortedFrame>;

// A decoded frame: its framing exactly as on the wire, and its typed payload.
struct Frame {
  FrameLayout layout;
  FramePayload payload;

  Tag tag() const { return static_cast<Tag>(layout.preamble.tag); }
  bool aborted() const { return std::holds_alternative<AbortedFrame>(payload); }
  // "hello", "auth_request", ..., "message", "aborted"
  std::string_view kind() const;
  // Re-encodes from the decoded fields, keeping every framing value as decoded (crcs included):
  // equals the bytes the frame was decoded from.
  std::vector<uint8_t> encode() const;
  void encode_into(std::vector<uint8_t>& out) const;  // the same, into a reused buffer
  void dump(JsonWriter& w) const;
  bool operator==(const Frame&) const = default;
};

// Decodes the typed payload of a disassembled frame into `out`. Errors are relative to the
// frame start.
Result<void> decode_payload(const DisassembledFrame& f, FramePayload& out);

// Decodes one complete frame from the start of `buf` into `out` (views into buf), without
// intermediate copies of the payload. *crc_ok as for disassemble_frame.
Result<void> decode_frame_into(std::span<const uint8_t> buf, Rev rev, bool verify_crc, Frame& out,
                               bool* crc_ok = nullptr, const FrameLimits& limits = {});

// Decodes one complete frame from the start of `buf` (views into buf). *consumed = frame size.
Result<Frame> decode_frame(std::span<const uint8_t> buf, Rev rev, bool verify_crc = true,
                           bool* crc_ok = nullptr, size_t* consumed = nullptr,
                           const FrameLimits& limits = {});

// ceph_msg_header2 from exactly 41 bytes (the fixed layout, read directly: the hot path of
// every MESSAGE frame; equal to decoding with ceph_msg_header2::visit, which the tests check).
ceph_msg_header2 read_header2(const uint8_t* p);
void write_header2(const ceph_msg_header2& h, uint8_t* p);  // 41 bytes

// ---- encoders (fresh crcs) ------------------------------------------------------------------

template <class F>
std::vector<uint8_t> encode_control_frame(const F& f, Rev rev) {
  const std::vector<uint8_t> payload = encode_to_vector(f);
  const Segment seg{payload, kDefaultAlignment};
  return *encode_frame(F::kTag, std::span<const Segment>(&seg, 1), rev);
}

// ProtocolV2::write_message: header2 {seq, tid, type, priority, version, data_pre_padding_len 0,
// data_off, ack_seq, flags, compat_version, reserved 0} + front/middle/data segments with
// alignments 8, 8, 8, 4096. (Payload segments of 4 GiB or more are not representable.)
std::vector<uint8_t> encode_message_frame(const MessageParts& m, uint64_t ack_seq, uint8_t flags,
                                          Rev rev);
// The same frame, appended to `out` (a connection's write buffer: no buffer per frame).
void append_message_frame(const MessageParts& m, uint64_t ack_seq, uint8_t flags, Rev rev,
                          std::vector<uint8_t>& out);
std::vector<uint8_t> encode_message_frame(const ceph_msg_header2& h,
                                          std::span<const uint8_t> front,
                                          std::span<const uint8_t> middle,
                                          std::span<const uint8_t> data, Rev rev);

// The ceph_msg_footer flag Ceph sets on every message it sends (CEPH_MSG_FOOTER_COMPLETE).
inline constexpr uint8_t kMsgFooterComplete = 1;

}  // namespace cephwire::codec::msgr2
