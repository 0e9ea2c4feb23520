// Messenger v1 constants: the banner, CEPH_MSGR_TAG_*, connect flags, footer flags, the
// feature bits the framing depends on, fixed sizes and this codec's length limits.
// Sources: ceph/ceph src/include/msgr.h (CEPH_BANNER, CEPH_MSGR_TAG_*, CEPH_MSG_CONNECT_LOSSY,
// CEPH_MSG_FOOTER_*, struct sizes), src/include/ceph_features.h (MSG_AUTH bit 23,
// RECONNECT_SEQ bit 6, MSGR_KEEPALIVE2 bit 42), src/include/ceph_fs.h (CEPH_*_PROTOCOL),
// src/msg/async/ProtocolV1.cc (wait_connect_reply_auth: reply authorizer_len < 4096) and
// Linux net/ceph/messenger_v1.c read_partial_message (CEPH_MSG_MAX_{FRONT,MIDDLE}_LEN).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cephwire::codec::msgr1 {

// CEPH_BANNER: 9 ASCII bytes, no NUL, no length.
inline constexpr std::string_view kBanner = "ceph v027";
inline constexpr size_t kBannerLen = 9;
// sizeof(struct ceph_entity_addr): the legacy entity_addr_t form used in the banner exchange.
inline constexpr size_t kLegacyAddrLen = 136;
inline constexpr size_t kClientBannerLen = kBannerLen + kLegacyAddrLen;      // 145
inline constexpr size_t kServerBannerLen = kBannerLen + 2 * kLegacyAddrLen;  // 281

// CEPH_MSGR_TAG_*.
inline constexpr uint8_t kTagReady = 1;          // server->client: ready for messages
inline constexpr uint8_t kTagResetSession = 2;   // server->client: reset, try again
inline constexpr uint8_t kTagWait = 3;           // server->client: wait for racing connection
inline constexpr uint8_t kTagRetrySession = 4;   // server->client + cseq: try higher cseq
inline constexpr uint8_t kTagRetryGlobal = 5;    // server->client + gseq: try higher gseq
inline constexpr uint8_t kTagClose = 6;          // closing pipe
inline constexpr uint8_t kTagMsg = 7;            // message
inline constexpr uint8_t kTagAck = 8;            // message ack (+ le64 seq)
inline constexpr uint8_t kTagKeepalive = 9;      // just a keepalive byte
inline constexpr uint8_t kTagBadProtoVer = 10;   // bad protocol version
inline constexpr uint8_t kTagBadAuthorizer = 11; // bad authorizer
inline constexpr uint8_t kTagFeatures = 12;      // insufficient features
inline constexpr uint8_t kTagSeq = 13;           // le64 seen seq follows
inline constexpr uint8_t kTagKeepalive2 = 14;    // + ceph_timespec
inline constexpr uint8_t kTagKeepalive2Ack = 15; // + ceph_timespec (echo)
inline constexpr uint8_t kTagChallengeAuthorizer = 16;  // cephx v2 server challenge

// "ready", "msg", ... for tags 1..16; nullptr otherwise.
const char* tag_name(uint8_t tag);
// Tags a ceph_msg_connect_reply may carry (everything the server's accept path sends).
bool is_connect_reply_tag(uint8_t tag);

// ceph_msg_connect.flags / ceph_msg_connect_reply.flags.
inline constexpr uint8_t kConnectLossy = 1;  // CEPH_MSG_CONNECT_LOSSY

// ceph_msg_footer.flags.
inline constexpr uint8_t kFooterComplete = 1 << 0;  // CEPH_MSG_FOOTER_COMPLETE: not aborted
inline constexpr uint8_t kFooterNoCrc = 1 << 1;     // CEPH_MSG_FOOTER_NOCRC: no data crc
inline constexpr uint8_t kFooterSigned = 1 << 2;    // CEPH_MSG_FOOTER_SIGNED

// Feature bits the v1 framing depends on.
inline constexpr uint64_t kFeatureReconnectSeq = 1ull << 6;     // server answers TAG_SEQ
inline constexpr uint64_t kFeatureMsgAuth = 1ull << 23;         // 21-byte footer with sig
inline constexpr uint64_t kFeatureMsgrKeepalive2 = 1ull << 42;  // KEEPALIVE2 instead of KEEPALIVE
// CEPH_FEATURES_ALL of Ceph 16.2.15 (what librados advertises; protocol-notes.md 1.9).
inline constexpr uint64_t kFeaturesAllPacific = 0x3f01cfbdfffdffffull;

// ceph_msg_connect.authorizer_protocol (CEPH_AUTH_*, src/include/ceph_fs.h).
inline constexpr uint32_t kAuthUnknown = 0;  // no authorizer
inline constexpr uint32_t kAuthNone = 1;
inline constexpr uint32_t kAuthCephx = 2;

// ceph_msg_connect.protocol_version (src/include/ceph_fs.h).
inline constexpr uint32_t kProtoOsdc = 24;  // CEPH_OSDC_PROTOCOL: client <-> OSD
inline constexpr uint32_t kProtoMonc = 15;  // CEPH_MONC_PROTOCOL: client <-> mon
inline constexpr uint32_t kProtoMdsc = 32;  // CEPH_MDSC_PROTOCOL: client <-> MDS

// Packed struct sizes.
inline constexpr size_t kConnectLen = 33;       // sizeof(ceph_msg_connect)
inline constexpr size_t kConnectReplyLen = 26;  // sizeof(ceph_msg_connect_reply)
inline constexpr size_t kHeaderLen = 53;        // sizeof(ceph_msg_header)
inline constexpr size_t kHeaderCrcLen = 49;     // header bytes covered by header.crc
inline constexpr size_t kFooterLen = 21;        // sizeof(ceph_msg_footer)
inline constexpr size_t kFooterOldLen = 13;     // sizeof(ceph_msg_footer_old)

// Limits this codec enforces before buffering a frame:
//  - authorizers: ProtocolV1::wait_connect_reply_auth asserts reply authorizer_len < 4096 (its
//    read buffer is 4096 bytes); we apply the same bound to the connect's authorizer.
//  - front and middle: Linux's CEPH_MSG_MAX_FRONT_LEN / CEPH_MSG_MAX_MIDDLE_LEN (16 MiB).
//  - data: 128 MiB = Ceph's default osd_max_object_size, so any single object read or write
//    (osd_max_write_size defaults to 90 MiB) fits; Linux uses 64 MiB.
inline constexpr uint32_t kMaxAuthorizerLen = 4095;
inline constexpr uint32_t kMaxFrontLen = 16u << 20;
inline constexpr uint32_t kMaxMiddleLen = 16u << 20;
inline constexpr uint32_t kMaxDataLen = 128u << 20;

}  // namespace cephwire::codec::msgr1
