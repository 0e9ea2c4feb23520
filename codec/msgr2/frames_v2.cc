#include "codec/msgr2/frames_v2.h"

#include <cstring>
#include <string>
#include <type_traits>

namespace cephwire::codec::msgr2 {
namespace {

template <class F>
Result<void> decode_control(std::span<const uint8_t> seg0, FramePayload& out) {
  if constexpr (std::is_same_v<F, MessageFrame> || std::is_same_v<F, AbortedFrame>) {
    return make_error(ErrorKind::kBadValue, "preamble.tag", 0, "not a control frame");
  } else {
    Decoder d(seg0, tag_name(F::kTag).data(), kPreambleSize);
    F& f = out.emplace<F>();
    if (!d.field(f) || !d.expect_end("bytes after the frame payload"))
      return tl::unexpected(d.take_error());
    return {};
  }
}

template <size_t... I>
Result<void> decode_control_by_index(size_t idx, std::span<const uint8_t> seg0, FramePayload& out,
                                     std::index_sequence<I...>) {
  Result<void> r = make_error(ErrorKind::kBadValue, "preamble.tag", 0, "unknown tag");
  ((idx == I ? (r = decode_control<std::variant_alternative_t<I, FramePayload>>(seg0, out), 0)
             : 0),
   ...);
  return r;
}

template <class T>
T rd(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace

std::optional<AuthNoneRequest> parse_auth_none(uint32_t method, std::span<const uint8_t> payload) {
  if (method != kAuthNone || payload.empty()) return std::nullopt;
  if (payload[0] != AuthNoneRequest::kModeMon && payload[0] != AuthNoneRequest::kAuthorizerV1)
    return std::nullopt;
  auto r = decode_as<AuthNoneRequest>(payload, "auth_none");
  if (!r) return std::nullopt;
  return std::move(*r);
}

bool MessageFrame::operator==(const MessageFrame& o) const {
  return header == o.header && parts.type == o.parts.type && parts.version == o.parts.version &&
         parts.compat_version == o.parts.compat_version && parts.priority == o.parts.priority &&
         parts.seq == o.parts.seq && parts.tid == o.parts.tid &&
         parts.data_off == o.parts.data_off && parts.src == o.parts.src &&
         parts.front == o.parts.front && parts.middle == o.parts.middle &&
         parts.data == o.parts.data;
}

std::string_view Frame::kind() const {
  if (aborted()) return "aborted";
  return tag_name(tag());
}

std::vector<uint8_t> Frame::encode() const {
  std::vector<uint8_t> out;
  encode_into(out);
  return out;
}

void Frame::encode_into(std::vector<uint8_t>& out) const {
  out.clear();
  out.reserve(layout.onwire_size());
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        std::array<std::span<const uint8_t>, kMaxNumSegments> segs{};
        if constexpr (std::is_same_v<T, MessageFrame>) {
          // Segment 0 is encoded into a per-thread scratch buffer (no allocation per frame).
          thread_local std::vector<uint8_t> h;
          h.clear();
          encode_append(p.header, h);
          segs = {std::span<const uint8_t>(h), p.parts.front.span(), p.parts.middle.span(),
                  p.parts.data.span()};
          assemble_exact(layout, segs, out);
        } else if constexpr (std::is_same_v<T, AbortedFrame>) {
          for (size_t i = 0; i < kMaxNumSegments; ++i) segs[i] = p.segments[i].span();
          assemble_exact(layout, segs, out);
        } else {
          thread_local std::vector<uint8_t> payload;
          payload.clear();
          encode_append(p, payload);
          segs[0] = payload;
          assemble_exact(layout, segs, out);
        }
      },
      payload);
}

void Frame::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("kind", kind());
  w.key("layout");
  layout.dump(w);
  w.key("payload");
  std::visit([&](const auto& p) { dump_json(p, w); }, payload);
  w.end_object();
}

ceph_msg_header2 read_header2(const uint8_t* p) {
  ceph_msg_header2 h;
  h.seq = rd<uint64_t>(p);
  h.tid = rd<uint64_t>(p + 8);
  h.type = rd<uint16_t>(p + 16);
  h.priority = rd<uint16_t>(p + 18);
  h.version = rd<uint16_t>(p + 20);
  h.data_pre_padding_len = rd<uint32_t>(p + 22);
  h.data_off = rd<uint16_t>(p + 26);
  h.ack_seq = rd<uint64_t>(p + 28);
  h.flags = p[36];
  h.compat_version = rd<uint16_t>(p + 37);
  h.reserved = rd<uint16_t>(p + 39);
  return h;
}

Result<void> decode_payload(const DisassembledFrame& f, FramePayload& out) {
  const preamble_block_t& pb = f.layout.preamble;
  if (f.layout.aborted()) {
    AbortedFrame& a = out.emplace<AbortedFrame>();
    a.tag = pb.tag;
    for (size_t i = 0; i < kMaxNumSegments; ++i) a.segments[i] = Bytes::view(f.segments[i]);
    return {};
  }
  const Tag tag = static_cast<Tag>(pb.tag);
  if (tag == Tag::kMessage) {
    if (pb.segments[0].length != ceph_msg_header2::kSize)
      return make_error(ErrorKind::kBadValue, "message.header", kPreambleSize,
                        "ceph_msg_header2 is 41 bytes, segment 0 has " +
                            std::to_string(pb.segments[0].length));
    MessageFrame& m = out.emplace<MessageFrame>();
    m.header = read_header2(f.segments[0].data());
    m.parts.type = m.header.type;
    m.parts.version = m.header.version;
    m.parts.compat_version = m.header.compat_version;
    m.parts.priority = m.header.priority;
    m.parts.seq = m.header.seq;
    m.parts.tid = m.header.tid;
    m.parts.data_off = m.header.data_off;
    m.parts.front = Bytes::view(f.segments[1]);
    m.parts.middle = Bytes::view(f.segments[2]);
    m.parts.data = Bytes::view(f.segments[3]);
    return {};
  }
  if (!is_known_tag(pb.tag))
    return make_error(ErrorKind::kBadValue, "preamble.tag", 0,
                      "unknown tag " + std::to_string(pb.tag));
  if (pb.num_segments != 1)
    return make_error(ErrorKind::kBadValue, "preamble.num_segments", 1,
                      std::string(tag_name(tag)) + " is a single-segment control frame, got " +
                          std::to_string(pb.num_segments) + " segments");
  return decode_control_by_index(
      pb.tag - 1, f.segments[0], out,
      std::make_index_sequence<std::variant_size_v<FramePayload> - 1>());
}

Result<void> decode_frame_into(std::span<const uint8_t> buf, Rev rev, bool verify_crc, Frame& out,
                               bool* crc_ok, const FrameLimits& limits) {
  auto d = disassemble_frame(buf, rev, verify_crc, limits);
  if (!d) return tl::unexpected(std::move(d.error()));
  auto p = decode_payload(*d, out.payload);
  if (!p) return p;
  out.layout = d->layout;
  if (crc_ok) *crc_ok = d->crc_ok;
  return {};
}

Result<Frame> decode_frame(std::span<const uint8_t> buf, Rev rev, bool verify_crc, bool* crc_ok,
                           size_t* consumed, const FrameLimits& limits) {
  Frame f;
  auto r = decode_frame_into(buf, rev, verify_crc, f, crc_ok, limits);
  if (!r) return tl::unexpected(std::move(r.error()));
  if (consumed) *consumed = static_cast<size_t>(f.layout.onwire_size());
  return f;
}

void write_header2(const ceph_msg_header2& h, uint8_t* p) {
  std::memcpy(p, &h.seq, 8);
  std::memcpy(p + 8, &h.tid, 8);
  std::memcpy(p + 16, &h.type, 2);
  std::memcpy(p + 18, &h.priority, 2);
  std::memcpy(p + 20, &h.version, 2);
  std::memcpy(p + 22, &h.data_pre_padding_len, 4);
  std::memcpy(p + 26, &h.data_off, 2);
  std::memcpy(p + 28, &h.ack_seq, 8);
  p[36] = h.flags;
  std::memcpy(p + 37, &h.compat_version, 2);
  std::memcpy(p + 39, &h.reserved, 2);
}

namespace {
// The one writer of a MESSAGE frame: header2 + front/middle/data segments appended to `out`
// (reserved exactly when `out` starts empty: a frame of its own, or a drained write buffer).
void append_frame(const ceph_msg_header2& h, std::span<const uint8_t> front,
                  std::span<const uint8_t> middle, std::span<const uint8_t> data, Rev rev,
                  std::vector<uint8_t>& out) {
  std::array<uint8_t, ceph_msg_header2::kSize> hb;
  write_header2(h, hb.data());
  const Segment segs[4] = {{hb, kDefaultAlignment},
                           {front, kDefaultAlignment},
                           {middle, kDefaultAlignment},
                           {data, kPageSizeAlignment}};
  const FrameLayout l = make_layout(Tag::kMessage, segs, rev);
  if (out.empty()) out.reserve(l.onwire_size());
  assemble_exact(l, {std::span<const uint8_t>(hb), front, middle, data}, out);
}

ceph_msg_header2 message_header2(const MessageParts& m, uint64_t ack_seq, uint8_t flags) {
  ceph_msg_header2 h;
  h.seq = m.seq;
  h.tid = m.tid;
  h.type = m.type;
  h.priority = m.priority;
  h.version = m.version;
  h.data_pre_padding_len = 0;
  h.data_off = m.data_off;
  h.ack_seq = ack_seq;
  h.flags = flags;
  h.compat_version = m.compat_version;
  h.reserved = 0;
  return h;
}
}  // namespace

std::vector<uint8_t> encode_message_frame(const ceph_msg_header2& h,
                                          std::span<const uint8_t> front,
                                          std::span<const uint8_t> middle,
                                          std::span<const uint8_t> data, Rev rev) {
  std::vector<uint8_t> out;
  append_frame(h, front, middle, data, rev, out);
  return out;
}
std::vector<uint8_t> encode_message_frame(const MessageParts& m, uint64_t ack_seq, uint8_t flags,
                                          Rev rev) {
  std::vector<uint8_t> out;
  append_message_frame(m, ack_seq, flags, rev, out);
  return out;
}
void append_message_frame(const MessageParts& m, uint64_t ack_seq, uint8_t flags, Rev rev,
                          std::vector<uint8_t>& out) {
  append_frame(message_header2(m, ack_seq, flags), m.front.span(), m.middle.span(), m.data.span(),
               rev, out);
}

}  // namespace cephwire::codec::msgr2
