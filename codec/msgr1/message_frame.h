// One msgr v1 message on the wire: CEPH_MSGR_TAG_MSG | ceph_msg_header (53) | front | middle |
// data | ceph_msg_footer (21) or ceph_msg_footer_old (13).
// Sources (ceph/ceph): src/msg/async/ProtocolV1.cc write_message (footer form by MSG_AUTH),
// handle_message_header (header crc), read_message_front/middle/data, read_message_footer and
// handle_message_footer (footer size by MSG_AUTH; a footer without CEPH_MSG_FOOTER_COMPLETE is
// an aborted message); src/msg/Message.cc Message::encode (compat_version defaults to version,
// footer flags COMPLETE, NOCRC when data crcs are off) and decode_message (front_crc and
// middle_crc are crc32c(0) of their segment; data_crc is checked unless the footer has NOCRC);
// src/msg/Message.h calc_header_crc / calc_front_crc / calc_data_crc.
// Linux net/ceph/messenger_v1.c (prepare_write_message, read_partial_message) agrees.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codec/denc.h"
#include "codec/message.h"
#include "codec/msgr1/ceph_msg_header.h"
#include "codec/msgr1/msgr.h"
#include "codec/msgr1/tags.h"

namespace cephwire::codec::msgr1 {

struct MessageFrame {
  uint8_t tag = kTagMsg;
  ceph_msg_header header;
  Bytes front, middle, data;  // views into the decoded buffer
  // Context, not on the wire: the connection lacks MSG_AUTH, so the footer is the 13-byte
  // ceph_msg_footer_old (footer.sig is then 0 and not encoded). Set before decoding.
  bool old_footer = false;
  ceph_msg_footer footer;

  template <class V>
  bool visit(V& v) {
    if (!visit_tag(v, tag, kTagMsg)) return false;
    if (!v("header", header)) return false;
    if constexpr (V::kDecoding) {
      if (!check_lengths(v, v.offset() - kHeaderLen)) return false;
    }
    if (!(v.raw("front", front, header.front_len) && v.raw("middle", middle, header.middle_len) &&
          v.raw("data", data, header.data_len)))
      return false;
    if (old_footer) {
      ceph_msg_footer_old o{footer.front_crc, footer.middle_crc, footer.data_crc, footer.flags};
      if (!v("footer", o)) return false;
      if constexpr (V::kDecoding) footer = {o.front_crc, o.middle_crc, o.data_crc, 0, o.flags};
    } else {
      if (!v("footer", footer)) return false;
    }
    if constexpr (V::kDecoding) {
      if ((footer.flags & kFooterComplete) == 0)
        return v.fail_field("footer.flags", v.offset() - 1, ErrorKind::kBadValue,
                            "footer lacks CEPH_MSG_FOOTER_COMPLETE (aborted message)");
    }
    return true;
  }

  size_t footer_len() const { return old_footer ? kFooterOldLen : kFooterLen; }
  // Total bytes on the wire, tag included.
  uint64_t wire_len() const {
    return 1 + kHeaderLen + uint64_t{header.front_len} + header.middle_len + header.data_len +
           footer_len();
  }
  // The messenger-independent view (front/middle/data are the same views).
  MessageParts parts() const;
  bool operator==(const MessageFrame&) const = default;

 private:
  // Linux-style caps (msgr.h kMax*Len) so a length field cannot make anyone buffer gigabytes.
  template <class V>
  bool check_lengths(V& v, size_t header_at) {
    auto too_big = [&](const char* f, size_t off, uint32_t n, uint32_t max) {
      return v.fail_field(f, header_at + off, ErrorKind::kLengthTooLarge,
                          std::to_string(n) + " > limit " + std::to_string(max));
    };
    if (header.front_len > kMaxFrontLen)
      return too_big("header.front_len", ceph_msg_header::kOffFrontLen, header.front_len,
                     kMaxFrontLen);
    if (header.middle_len > kMaxMiddleLen)
      return too_big("header.middle_len", ceph_msg_header::kOffMiddleLen, header.middle_len,
                     kMaxMiddleLen);
    if (header.data_len > kMaxDataLen)
      return too_big("header.data_len", ceph_msg_header::kOffDataLen, header.data_len,
                     kMaxDataLen);
    return true;
  }
};

struct MessageFrameOptions {
  bool msg_auth_footer = true;  // negotiated features have MSG_AUTH: 21-byte footer
  bool verify_crc = true;       // false: report CRC mismatches in crc_ok instead of failing
  size_t base = 0;              // offset of wire[0] in the stream, for error offsets
  const char* root = "MessageFrame";
};

struct DecodedMessage {
  MessageFrame frame;
  bool crc_ok = true;  // header crc, front/middle crc and (unless NOCRC) data crc all matched
};

// Decodes exactly one message item (tag byte to footer) that fills all of `wire`. Errors:
// kTruncated / kLengthTooLarge / kBadValue (tag, footer flags) / kTrailingBytes, and kBadCrc
// naming "header.crc", "footer.front_crc", "footer.middle_crc" or "footer.data_crc" with the
// offset of that CRC field (checked in Ceph's order: header, front, middle, data).
Result<DecodedMessage> decode_message_frame(std::span<const uint8_t> wire,
                                            const MessageFrameOptions& opts = {});

// The first CRC of a decoded frame that does not match, or nullopt. `wire` is the frame's
// encoding (the header crc is computed over its bytes 1..49).
std::optional<DecodeError> check_message_crcs(const MessageFrame& f,
                                              std::span<const uint8_t> wire, size_t base = 0,
                                              const char* root = "MessageFrame");

// Builds a frame from messenger-independent parts the way Message::encode + write_message do:
// lengths from the segments, compat_version = version when 0, reserved 0, footer flags
// COMPLETE, sig 0, all CRCs (header, front, middle, data) computed. front/middle/data of the
// result view the bytes of `p` (keep `p` alive while using the frame).
MessageFrame make_message_frame(const MessageParts& p, entity_name_t src, bool msg_auth_footer);

// make_message_frame, encoded: the bytes to write after the handshake.
std::vector<uint8_t> encode_message(const MessageParts& p, entity_name_t src,
                                    bool msg_auth_footer);
// The same bytes, appended to `out` (a connection's write buffer: no buffer per frame).
void append_message(const MessageParts& p, entity_name_t src, bool msg_auth_footer,
                    std::vector<uint8_t>& out);

}  // namespace cephwire::codec::msgr1
