#include "codec/msgr2/frame_assembler.h"

#include <cstring>
#include <string>

#include "codec/crc32c.h"

namespace cephwire::codec::msgr2 {
namespace {

uint32_t le32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint16_t le16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  uint8_t b[4];
  std::memcpy(b, &v, 4);
  out.insert(out.end(), b, b + 4);
}

std::string hex32(uint32_t v) {
  static const char* d = "0123456789abcdef";
  std::string s = "0x";
  for (int i = 28; i >= 0; i -= 4) s.push_back(d[(v >> i) & 0xf]);
  return s;
}

std::string crc_detail(const char* what, uint32_t calculated, uint32_t expected) {
  return std::string("bad ") + what + " crc calculated=" + hex32(calculated) +
         " expected=" + hex32(expected);
}

preamble_block_t parse_preamble_raw(const uint8_t* p) {
  preamble_block_t pb;
  pb.tag = p[0];
  pb.num_segments = p[1];
  for (size_t i = 0; i < kMaxNumSegments; ++i) {
    pb.segments[i].length = le32(p + 2 + 6 * i);
    pb.segments[i].alignment = le16(p + 6 + 6 * i);
  }
  pb.reserved = {p[26], p[27]};
  pb.crc = le32(p + 28);
  return pb;
}

// The 32 preamble bytes (the layout preamble_block_t::visit declares, written directly: this is
// on every frame's encode path).
void write_preamble_raw(const preamble_block_t& pb, uint8_t* p) {
  p[0] = pb.tag;
  p[1] = pb.num_segments;
  for (size_t i = 0; i < kMaxNumSegments; ++i) {
    std::memcpy(p + 2 + 6 * i, &pb.segments[i].length, 4);
    std::memcpy(p + 6 + 6 * i, &pb.segments[i].alignment, 2);
  }
  p[26] = pb.reserved[0];
  p[27] = pb.reserved[1];
  std::memcpy(p + 28, &pb.crc, 4);
}

void write_preamble(const preamble_block_t& pb, std::vector<uint8_t>& out) {
  const size_t at = out.size();
  out.resize(at + kPreambleSize);
  write_preamble_raw(pb, out.data() + at);
}

uint32_t seg_crc(std::span<const uint8_t> s) { return ceph_crc32c(0xFFFFFFFFu, s); }

}  // namespace

uint32_t preamble_block_t::compute_crc() const {
  uint8_t b[kPreambleSize];
  write_preamble_raw(*this, b);
  return ceph_crc32c(0, b, kPreambleSize - 4);
}

bool FrameLayout::aborted() const {
  if (!has_epilogue()) return false;
  if (rev == Rev::kRev0) return (late & kLateFlagAborted) != 0;
  return (late & kLateStatusAbortedMask) == kLateStatusAborted;
}

uint64_t FrameLayout::onwire_size() const { return frame_onwire_size(preamble, rev); }

void FrameLayout::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("rev", static_cast<uint64_t>(rev));
  w.key("preamble");
  dump_json(preamble, w);
  if (has_seg0_crc()) w.kv("segment0_crc", seg0_crc);
  if (has_epilogue()) {
    w.key("epilogue");
    w.begin_object();
    w.kv(rev == Rev::kRev0 ? "late_flags" : "late_status", late);
    w.key("crc_values");
    w.begin_array();
    for (size_t i = 0; i < (rev == Rev::kRev0 ? 4u : 3u); ++i) w.value(epilogue_crcs[i]);
    w.end_array();
    w.end_object();
  }
  w.end_object();
}

bool preamble_crc_matches(std::span<const uint8_t> bytes) {
  return bytes.size() >= kPreambleSize &&
         ceph_crc32c(0, bytes.data(), kPreambleSize - 4) == le32(bytes.data() + 28);
}

Result<preamble_block_t> check_preamble(std::span<const uint8_t> bytes, bool verify_crc,
                                        bool* crc_ok, const FrameLimits& limits) {
  if (bytes.size() < kPreambleSize)
    return make_error(ErrorKind::kTruncated, "preamble", 0,
                      "need 32 bytes, " + std::to_string(bytes.size()) + " left");
  const preamble_block_t pb = parse_preamble_raw(bytes.data());
  const uint32_t calc = ceph_crc32c(0, bytes.data(), kPreambleSize - 4);
  if (calc != pb.crc) {
    if (verify_crc) return make_error(ErrorKind::kBadCrc, "preamble.crc", 28,
                                      crc_detail("preamble", calc, pb.crc));
    if (crc_ok) *crc_ok = false;
  }
  if (pb.num_segments < 1 || pb.num_segments > kMaxNumSegments)
    return make_error(ErrorKind::kBadValue, "preamble.num_segments", 1,
                      "bad number of segments num_segments=" + std::to_string(pb.num_segments));
  if (pb.num_segments > 1 && pb.segments[pb.num_segments - 1].length == 0)
    return make_error(ErrorKind::kBadValue, "preamble.num_segments", 1, "last segment empty");
  if (!is_known_tag(pb.tag))
    return make_error(ErrorKind::kBadValue, "preamble.tag", 0,
                      "unknown tag " + std::to_string(pb.tag));
  for (size_t i = 0; i < pb.num_segments; ++i) {
    if (pb.segments[i].length > limits.max_segment_len[i])
      return make_error(ErrorKind::kLengthTooLarge,
                        "preamble.segment" + std::to_string(i) + ".length", 2 + 6 * i,
                        "segment length " + std::to_string(pb.segments[i].length) +
                            " exceeds the limit " + std::to_string(limits.max_segment_len[i]));
  }
  return pb;
}

uint64_t frame_onwire_size(const preamble_block_t& p, Rev rev) {
  uint64_t n = kPreambleSize;
  const size_t num = p.num_segments < kMaxNumSegments ? p.num_segments : kMaxNumSegments;
  for (size_t i = 0; i < num; ++i) n += p.segments[i].length;
  if (rev == Rev::kRev1) {
    if (p.segments[0].length > 0) n += kCrcSize;
    if (num > 1) n += kEpilogueRev1Size;
  } else {
    n += kEpilogueRev0Size;
  }
  return n;
}

Result<DisassembledFrame> disassemble_frame(std::span<const uint8_t> buf, Rev rev,
                                            bool verify_crc, const FrameLimits& limits) {
  DisassembledFrame f;
  auto pre = check_preamble(buf, verify_crc, &f.crc_ok, limits);
  if (!pre) return tl::unexpected(std::move(pre.error()));
  f.layout.rev = rev;
  f.layout.preamble = *pre;
  const preamble_block_t& pb = f.layout.preamble;
  const uint64_t total = frame_onwire_size(pb, rev);
  if (buf.size() < total)
    return make_error(ErrorKind::kTruncated, "frame", 0,
                      "frame needs " + std::to_string(total) + " bytes, " +
                          std::to_string(buf.size()) + " left");
  size_t pos = kPreambleSize;
  const uint8_t* p = buf.data();
  for (size_t i = 0; i < pb.num_segments; ++i) {
    f.segments[i] = buf.subspan(pos, pb.segments[i].length);
    pos += pb.segments[i].length;
    if (i == 0 && f.layout.has_seg0_crc()) {
      f.layout.seg0_crc = le32(p + pos);
      const uint32_t calc = seg_crc(f.segments[0]);
      if (calc != f.layout.seg0_crc) {
        if (verify_crc)
          return make_error(ErrorKind::kBadCrc, "segment0_crc", pos,
                            crc_detail("segment", calc, f.layout.seg0_crc));
        f.crc_ok = false;
      }
      pos += kCrcSize;
    }
  }
  if (f.layout.has_epilogue()) {
    const size_t epi = pos;
    f.layout.late = p[pos++];
    const size_t ncrc = rev == Rev::kRev0 ? 4 : 3;
    for (size_t i = 0; i < ncrc; ++i, pos += 4) f.layout.epilogue_crcs[i] = le32(p + pos);
    // rev0 covers segments 0..n-1 with crc[i]; rev1 covers segments 1..n-1 with crc[i-1].
    const size_t first = rev == Rev::kRev0 ? 0 : 1;
    for (size_t s = first; s < pb.num_segments; ++s) {
      const size_t ci = s - first;
      const uint32_t calc = seg_crc(f.segments[s]);
      if (calc != f.layout.epilogue_crcs[ci]) {
        if (verify_crc)
          return make_error(ErrorKind::kBadCrc, "epilogue.crc[" + std::to_string(ci) + "]",
                            epi + 1 + 4 * ci,
                            crc_detail(("segment " + std::to_string(s)).c_str(), calc,
                                       f.layout.epilogue_crcs[ci]));
        f.crc_ok = false;
      }
    }
    if (rev == Rev::kRev1) {
      const uint8_t code = f.layout.late & kLateStatusAbortedMask;
      if (code != kLateStatusAborted && code != kLateStatusComplete)
        return make_error(ErrorKind::kBadValue, "epilogue.late_status", epi,
                          "bad late_status " + std::to_string(f.layout.late));
    }
  }
  return f;
}

FrameLayout make_layout(Tag tag, std::span<const Segment> segments, Rev rev) {
  FrameLayout l;
  l.rev = rev;
  size_t n = segments.size() < kMaxNumSegments ? segments.size() : kMaxNumSegments;
  // calc_num_segments: trailing empty segments are dropped, one segment always stays.
  while (n > 1 && segments[n - 1].data.empty()) --n;
  l.preamble.tag = static_cast<uint8_t>(tag);
  l.preamble.num_segments = static_cast<uint8_t>(n == 0 ? 1 : n);
  for (size_t i = 0; i < n; ++i) {
    l.preamble.segments[i].length = static_cast<uint32_t>(segments[i].data.size());
    l.preamble.segments[i].alignment = segments[i].alignment;
  }
  if (n == 0) l.preamble.segments[0].alignment = kDefaultAlignment;
  l.preamble.crc = l.preamble.compute_crc();
  if (rev == Rev::kRev1) {
    if (n > 0 && !segments[0].data.empty()) l.seg0_crc = seg_crc(segments[0].data);
    if (n > 1) {
      l.late = kLateStatusComplete;  // asm_crc_rev1: late_status |= COMPLETE
      for (size_t i = 1; i < n; ++i) l.epilogue_crcs[i - 1] = seg_crc(segments[i].data);
    }
  } else {
    l.late = 0;  // asm_crc_rev0: memset 0, no late flag
    for (size_t i = 0; i < n; ++i) l.epilogue_crcs[i] = seg_crc(segments[i].data);
  }
  return l;
}

Result<std::vector<uint8_t>> encode_frame(Tag tag, std::span<const Segment> segments, Rev rev) {
  if (segments.empty() || segments.size() > kMaxNumSegments)
    return make_error(ErrorKind::kBadValue, "segments", 0,
                      "a frame has 1 to 4 segments, got " + std::to_string(segments.size()));
  for (const Segment& s : segments)
    if (s.data.size() > UINT32_MAX)
      return make_error(ErrorKind::kLengthTooLarge, "segments", 0, "segment longer than 4 GiB");
  const FrameLayout l = make_layout(tag, segments, rev);
  std::array<std::span<const uint8_t>, kMaxNumSegments> segs{};
  for (size_t i = 0; i < l.preamble.num_segments; ++i) segs[i] = segments[i].data;
  std::vector<uint8_t> out;
  out.reserve(l.onwire_size());
  assemble_exact(l, segs, out);
  return out;
}

void assemble_exact(const FrameLayout& l,
                    const std::array<std::span<const uint8_t>, kMaxNumSegments>& segments,
                    std::vector<uint8_t>& out) {
  write_preamble(l.preamble, out);
  const size_t n = l.preamble.num_segments < kMaxNumSegments ? l.preamble.num_segments
                                                              : kMaxNumSegments;
  for (size_t i = 0; i < n; ++i) {
    out.insert(out.end(), segments[i].begin(), segments[i].end());
    if (i == 0 && l.has_seg0_crc()) put32(out, l.seg0_crc);
  }
  if (l.has_epilogue()) {
    out.push_back(l.late);
    const size_t ncrc = l.rev == Rev::kRev0 ? 4 : 3;
    for (size_t i = 0; i < ncrc; ++i) put32(out, l.epilogue_crcs[i]);
  }
}

}  // namespace cephwire::codec::msgr2
