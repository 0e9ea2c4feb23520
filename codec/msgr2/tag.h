// msgr2 frame tags and protocol constants.
// Ceph src/msg/async/frames_v2.h (enum class Tag, segment_t::DEFAULT_ALIGNMENT /
// PAGE_SIZE_ALIGNMENT, FRAME_LATE_* and FRAME_CRC_SIZE), src/include/msgr.h (CEPH_BANNER_V2_PREFIX,
// DEFINE_MSGR2_FEATURE(0, 1, REVISION_1)), src/include/ceph_fs.h (CEPH_CON_MODE_*).
// Linux net/ceph/messenger_v2.c (FRAME_TAG_*, FRAME_LATE_STATUS_*) agrees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cephwire::codec::msgr2 {

enum class Tag : uint8_t {
  kHello = 1,
  kAuthRequest = 2,
  kAuthBadMethod = 3,
  kAuthReplyMore = 4,
  kAuthRequestMore = 5,
  kAuthDone = 6,
  kAuthSignature = 7,
  kClientIdent = 8,
  kServerIdent = 9,
  kIdentMissingFeatures = 10,
  kSessionReconnect = 11,
  kSessionReset = 12,
  kSessionRetry = 13,
  kSessionRetryGlobal = 14,
  kSessionReconnectOk = 15,
  kWait = 16,
  kMessage = 17,
  kKeepAlive2 = 18,
  kKeepAlive2Ack = 19,
  kAck = 20,
};
inline constexpr uint8_t kMaxKnownTag = 20;  // Pacific has no COMPRESSION_* frames (quincy+)

inline constexpr bool is_known_tag(uint8_t t) { return t >= 1 && t <= kMaxKnownTag; }

// Stable lowercase names (also the Item::kind() strings of control frames).
// At namespace scope: a local array was built on the stack at every call (once per frame).
inline constexpr std::string_view kTagNames[] = {
    "unknown",          "hello",          "auth_request",        "auth_bad_method",
    "auth_reply_more",  "auth_request_more", "auth_done",        "auth_signature",
    "client_ident",     "server_ident",   "ident_missing_features", "session_reconnect",
    "session_reset",    "session_retry",  "session_retry_global", "session_reconnect_ok",
    "wait",             "message",        "keepalive2",          "keepalive2_ack",
    "ack"};
inline constexpr std::string_view tag_name(Tag t) {
  const auto i = static_cast<uint8_t>(t);
  return i <= kMaxKnownTag ? kTagNames[i] : kTagNames[0];
}

// Which framing: msgr2.0 (rev0) or msgr2.1 (rev1). rev1 iff the peer's banner advertises
// CEPH_MSGR2_FEATURE_REVISION_1 (ProtocolV2::_handle_peer_banner_payload).
enum class Rev : uint8_t { kRev0 = 0, kRev1 = 1 };

inline constexpr uint64_t kFeatureRevision1 = 1ull << 0;    // CEPH_MSGR2_FEATURE_REVISION_1
inline constexpr uint64_t kFeatureCompression = 1ull << 1;  // quincy+, not understood here
inline constexpr uint64_t kSupportedFeatures = kFeatureRevision1;  // what Pacific advertises
inline constexpr uint64_t kRequiredFeatures = 0;                   // Pacific userland

inline constexpr size_t kMaxNumSegments = 4;
inline constexpr size_t kPreambleSize = 32;      // sizeof(preamble_block_t)
inline constexpr size_t kCrcSize = 4;            // FRAME_CRC_SIZE
inline constexpr size_t kEpilogueRev0Size = 17;  // epilogue_crc_rev0_block_t
inline constexpr size_t kEpilogueRev1Size = 13;  // epilogue_crc_rev1_block_t
inline constexpr uint16_t kDefaultAlignment = 8;     // segment_t::DEFAULT_ALIGNMENT (sizeof(void*))
inline constexpr uint16_t kPageSizeAlignment = 4096; // segment_t::PAGE_SIZE_ALIGNMENT

// rev0 epilogue late_flags
inline constexpr uint8_t kLateFlagAborted = 1 << 0;  // FRAME_LATE_FLAG_ABORTED
// rev1 epilogue late_status: low nibble is a code word, high nibble reserved
inline constexpr uint8_t kLateStatusAborted = 0x1;
inline constexpr uint8_t kLateStatusComplete = 0xe;
inline constexpr uint8_t kLateStatusAbortedMask = 0xf;

// Connection modes chosen by the server in AUTH_DONE (CEPH_CON_MODE_*).
inline constexpr uint32_t kConModeUnknown = 0;
inline constexpr uint32_t kConModeCrc = 1;
inline constexpr uint32_t kConModeSecure = 2;

// Auth methods (CEPH_AUTH_*, src/include/ceph_fs.h) and AUTH_MODE_MON (src/auth/Auth.h).
inline constexpr uint32_t kAuthUnknown = 0;
inline constexpr uint32_t kAuthNone = 1;
inline constexpr uint32_t kAuthCephx = 2;
inline constexpr uint8_t kAuthModeMon = 10;

// CEPH_MSG_CONNECT_LOSSY, the only CLIENT_IDENT/SERVER_IDENT flag.
inline constexpr uint64_t kIdentFlagLossy = 1;

// Upper bounds for one frame's segments: Linux net/ceph/messenger_v2.c decode_preamble()
// rejects control > CEPH_MSG_MAX_CONTROL_LEN (16 MiB), front > CEPH_MSG_MAX_FRONT_LEN (16 MiB),
// middle > CEPH_MSG_MAX_MIDDLE_LEN (16 MiB); the data limit is raised from the kernel's 64 MiB
// to 128 MiB so userland writes up to osd_max_write_size (90 MiB) fit.
struct FrameLimits {
  uint32_t max_segment_len[kMaxNumSegments] = {16u << 20, 16u << 20, 16u << 20, 128u << 20};
};

}  // namespace cephwire::codec::msgr2
