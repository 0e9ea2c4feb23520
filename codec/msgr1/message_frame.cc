#include "codec/msgr1/message_frame.h"

#include <cstring>

#include "codec/crc32c.h"

namespace cephwire::codec::msgr1 {

const char* tag_name(uint8_t tag) {
  switch (tag) {
    case kTagReady: return "ready";
    case kTagResetSession: return "resetsession";
    case kTagWait: return "wait";
    case kTagRetrySession: return "retry_session";
    case kTagRetryGlobal: return "retry_global";
    case kTagClose: return "close";
    case kTagMsg: return "msg";
    case kTagAck: return "ack";
    case kTagKeepalive: return "keepalive";
    case kTagBadProtoVer: return "badprotover";
    case kTagBadAuthorizer: return "badauthorizer";
    case kTagFeatures: return "features";
    case kTagSeq: return "seq";
    case kTagKeepalive2: return "keepalive2";
    case kTagKeepalive2Ack: return "keepalive2_ack";
    case kTagChallengeAuthorizer: return "challenge_authorizer";
    default: return nullptr;
  }
}

bool is_connect_reply_tag(uint8_t tag) {
  switch (tag) {
    case kTagReady:
    case kTagResetSession:
    case kTagWait:
    case kTagRetrySession:
    case kTagRetryGlobal:
    case kTagBadProtoVer:
    case kTagBadAuthorizer:
    case kTagFeatures:
    case kTagSeq:
    case kTagChallengeAuthorizer:
      return true;
    default:
      return false;
  }
}

uint32_t header_crc(std::span<const uint8_t> header53) {
  return ceph_crc32c(0, header53.data(), kHeaderCrcLen);
}

MessageParts MessageFrame::parts() const {
  MessageParts p;
  p.type = header.type;
  p.version = header.version;
  p.compat_version = header.compat_version;
  p.priority = header.priority;
  p.seq = header.seq;
  p.tid = header.tid;
  p.data_off = header.data_off;
  p.src = header.src;
  p.front = Bytes::view(front.span());
  p.middle = Bytes::view(middle.span());
  p.data = Bytes::view(data.span());
  return p;
}

namespace {

std::string crc_detail(uint32_t computed, uint32_t wire) {
  return "computed " + std::to_string(computed) + ", wire says " + std::to_string(wire);
}

std::string path(const char* root, const char* field) {
  std::string s = root ? root : "";
  if (!s.empty()) s += '.';
  return s + field;
}

}  // namespace

std::optional<DecodeError> check_message_crcs(const MessageFrame& f,
                                              std::span<const uint8_t> wire, size_t base,
                                              const char* root) {
  if (wire.size() >= 1 + kHeaderLen) {
    const uint32_t h = header_crc(wire.subspan(1, kHeaderLen));
    if (h != f.header.crc)
      return DecodeError{ErrorKind::kBadCrc, path(root, "header.crc"),
                         base + 1 + ceph_msg_header::kOffCrc, crc_detail(h, f.header.crc)};
  }
  const size_t footer_at =
      base + 1 + kHeaderLen + f.front.size() + f.middle.size() + f.data.size();
  const uint32_t fc = ceph_crc32c(0, f.front.span());
  if (fc != f.footer.front_crc)
    return DecodeError{ErrorKind::kBadCrc, path(root, "footer.front_crc"), footer_at,
                       crc_detail(fc, f.footer.front_crc)};
  const uint32_t mc = ceph_crc32c(0, f.middle.span());
  if (mc != f.footer.middle_crc)
    return DecodeError{ErrorKind::kBadCrc, path(root, "footer.middle_crc"), footer_at + 4,
                       crc_detail(mc, f.footer.middle_crc)};
  if ((f.footer.flags & kFooterNoCrc) == 0) {
    const uint32_t dc = ceph_crc32c(0, f.data.span());
    if (dc != f.footer.data_crc)
      return DecodeError{ErrorKind::kBadCrc, path(root, "footer.data_crc"), footer_at + 8,
                         crc_detail(dc, f.footer.data_crc)};
  }
  return std::nullopt;
}

Result<DecodedMessage> decode_message_frame(std::span<const uint8_t> wire,
                                            const MessageFrameOptions& opts) {
  DecodedMessage out;
  out.frame.old_footer = !opts.msg_auth_footer;
  // Ceph checks the header crc before it trusts the lengths (handle_message_header).
  if (opts.verify_crc && wire.size() >= 1 + kHeaderLen && wire[0] == kTagMsg) {
    uint32_t wire_crc;
    std::memcpy(&wire_crc, wire.data() + 1 + ceph_msg_header::kOffCrc, 4);
    const uint32_t h = header_crc(wire.subspan(1, kHeaderLen));
    if (h != wire_crc)
      return tl::unexpected(DecodeError{ErrorKind::kBadCrc, path(opts.root, "header.crc"),
                                        opts.base + 1 + ceph_msg_header::kOffCrc,
                                        crc_detail(h, wire_crc)});
  }
  Decoder d(wire, opts.root, opts.base);
  if (!d.field(out.frame) || !d.expect_end()) return tl::unexpected(d.take_error());
  if (auto e = check_message_crcs(out.frame, wire, opts.base, opts.root)) {
    if (opts.verify_crc) return tl::unexpected(std::move(*e));
    out.crc_ok = false;
  }
  return out;
}

namespace {
// make_message_frame without the header crc.
MessageFrame unsigned_message_frame(const MessageParts& p, entity_name_t src,
                                    bool msg_auth_footer) {
  MessageFrame f;
  f.old_footer = !msg_auth_footer;
  f.header.seq = p.seq;
  f.header.tid = p.tid;
  f.header.type = p.type;
  f.header.priority = p.priority;
  f.header.version = p.version;
  f.header.front_len = static_cast<uint32_t>(p.front.size());
  f.header.middle_len = static_cast<uint32_t>(p.middle.size());
  f.header.data_len = static_cast<uint32_t>(p.data.size());
  f.header.data_off = p.data_off;
  f.header.src = src;
  f.header.compat_version = p.compat_version ? p.compat_version : p.version;
  f.header.reserved = 0;
  f.front = Bytes::view(p.front.span());
  f.middle = Bytes::view(p.middle.span());
  f.data = Bytes::view(p.data.span());
  f.footer.front_crc = ceph_crc32c(0, f.front.span());
  f.footer.middle_crc = ceph_crc32c(0, f.middle.span());
  f.footer.data_crc = ceph_crc32c(0, f.data.span());
  f.footer.sig = 0;
  f.footer.flags = kFooterComplete;
  return f;
}
}  // namespace

MessageFrame make_message_frame(const MessageParts& p, entity_name_t src, bool msg_auth_footer) {
  MessageFrame f = unsigned_message_frame(p, src, msg_auth_footer);
  std::vector<uint8_t> hdr;
  hdr.reserve(kHeaderLen);
  encode_append(f.header, hdr);
  f.header.crc = header_crc(hdr);
  return f;
}

std::vector<uint8_t> encode_message(const MessageParts& p, entity_name_t src,
                                    bool msg_auth_footer) {
  return encode_to_vector(make_message_frame(p, src, msg_auth_footer));
}
void append_message(const MessageParts& p, entity_name_t src, bool msg_auth_footer,
                    std::vector<uint8_t>& out) {
  const size_t at = out.size();
  encode_append(unsigned_message_frame(p, src, msg_auth_footer), out);
  // The header crc covers the header as written (tag byte first): computed in place.
  const uint32_t crc = header_crc(std::span<const uint8_t>(out).subspan(at + 1, kHeaderLen));
  std::memcpy(out.data() + at + 1 + ceph_msg_header::kOffCrc, &crc, 4);
}

}  // namespace cephwire::codec::msgr1
