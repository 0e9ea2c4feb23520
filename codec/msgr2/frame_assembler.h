// msgr2 frame framing in crc mode, rev0 (msgr2.0) and rev1 (msgr2.1).
// Follows Ceph src/msg/async/frames_v2.h (segment_t, preamble_block_t, epilogue_crc_rev0_block_t,
// epilogue_crc_rev1_block_t, FrameAssembler::get_*_onwire_len) and frames_v2.cc
// (calc_num_segments, FrameAssembler::fill_preamble, asm_crc_rev0, asm_crc_rev1,
// disassemble_preamble, disasm_all_crc_rev0, disasm_first_crc_rev1, disasm_remaining_crc_rev1,
// check_epilogue_late_status); Linux net/ceph/messenger_v2.c decode_preamble as a second opinion.
//
// On the wire (crc mode):
//   preamble (32 B): u8 tag | u8 num_segments | 4 x {le32 length, le16 alignment} | u8 reserved[2]
//                    | le32 crc = ceph_crc32c(0, first 28 bytes)
//   rev1: segment0 [+ le32 crc32c(-1, segment0) only if segment0 is non-empty]
//         segments 1..n-1, then only if n > 1: u8 late_status | le32 crc[3] (segments 1..3)
//   rev0: segments 0..n-1, then always: u8 late_flags | le32 crc[4] (segments 0..3)
// num_segments counts up to the last non-empty segment (at least 1); descriptors and epilogue
// crcs past num_segments are written as zero. Every value is kept as decoded, so a frame
// re-encodes byte for byte even where Ceph ignores a field (reserved bytes, unused slots).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "codec/denc.h"
#include "codec/msgr2/tag.h"

namespace cephwire::codec::msgr2 {

struct segment_t {
  static constexpr size_t kWireMinSize = 6;
  uint32_t length = 0;
  uint16_t alignment = 0;
  template <class V>
  bool visit(V& v) {
    return v("length", length) && v("alignment", alignment);
  }
  bool operator==(const segment_t&) const = default;
};

struct preamble_block_t {
  static constexpr size_t kWireMinSize = kPreambleSize;
  uint8_t tag = 0;
  uint8_t num_segments = 1;
  std::array<segment_t, kMaxNumSegments> segments{};
  std::array<uint8_t, 2> reserved{};
  uint32_t crc = 0;

  template <class V>
  bool visit(V& v) {
    return v("tag", tag) && v("num_segments", num_segments) && v("segment0", segments[0]) &&
           v("segment1", segments[1]) && v("segment2", segments[2]) &&
           v("segment3", segments[3]) && v("reserved", reserved) && v("crc", crc);
  }
  // ceph_crc32c(0, bytes 0..27) of this preamble as it would be encoded.
  uint32_t compute_crc() const;
  bool operator==(const preamble_block_t&) const = default;
};

// Everything of a frame except its segments' contents: the preamble, rev1's segment-0 crc and
// the epilogue, exactly as on the wire.
struct FrameLayout {
  Rev rev = Rev::kRev1;
  preamble_block_t preamble;
  uint32_t seg0_crc = 0;                      // rev1, present iff segment 0 is non-empty
  uint8_t late = 0;                           // rev0 late_flags / rev1 late_status
  std::array<uint32_t, kMaxNumSegments> epilogue_crcs{};  // rev0: 4 values; rev1: first 3 used

  bool has_seg0_crc() const { return rev == Rev::kRev1 && preamble.segments[0].length > 0; }
  bool has_epilogue() const { return rev == Rev::kRev0 || preamble.num_segments > 1; }
  size_t epilogue_size() const {
    return has_epilogue() ? (rev == Rev::kRev0 ? kEpilogueRev0Size : kEpilogueRev1Size) : 0;
  }
  // The sender gave up on this frame after sending its first segment (Ceph drops it).
  bool aborted() const;
  // Bytes of the whole frame on the wire.
  uint64_t onwire_size() const;

  void dump(JsonWriter& w) const;
  bool operator==(const FrameLayout&) const = default;
};

// Step 1 of decoding: the 32 preamble bytes. Checks, in Ceph's order: the preamble crc (a
// mismatch is kBadCrc unless !verify_crc, then *crc_ok = false), 1 <= num_segments <= 4, a last
// segment that is not empty, a known tag, and each segment length within `limits`.
// Errors name the preamble field; offsets are relative to the preamble start.
Result<preamble_block_t> check_preamble(std::span<const uint8_t> bytes, bool verify_crc,
                                        bool* crc_ok, const FrameLimits& limits = {});

// At least 32 bytes whose CRC field (bytes 28..31) is the crc32c of bytes 0..27: the cheap first
// test check_preamble makes, for scanning a stream for a frame boundary without building errors.
bool preamble_crc_matches(std::span<const uint8_t> bytes);

// Bytes on the wire of a frame with this (checked) preamble.
uint64_t frame_onwire_size(const preamble_block_t& p, Rev rev);

// A complete frame split into its parts; segments view into the decoded buffer.
struct DisassembledFrame {
  FrameLayout layout;
  std::array<std::span<const uint8_t>, kMaxNumSegments> segments{};
  bool crc_ok = true;
};

// Decodes the frame at the start of `buf` (which may hold more bytes): preamble checks as above,
// then segment 0's crc (rev1), the epilogue crcs and the late status/flags. With verify_crc a
// crc mismatch is a kBadCrc error naming the crc ("preamble.crc", "segment0_crc",
// "epilogue.crc[i]"); without, it sets crc_ok = false. A rev1 late_status whose low nibble is
// neither COMPLETE (0xe) nor ABORTED (0x1) is kBadValue. Not enough bytes is kTruncated.
Result<DisassembledFrame> disassemble_frame(std::span<const uint8_t> buf, Rev rev,
                                            bool verify_crc = true,
                                            const FrameLimits& limits = {});

// ---- encoding -------------------------------------------------------------------------------

struct Segment {
  std::span<const uint8_t> data;
  uint16_t alignment = kDefaultAlignment;
};

// FrameAssembler::assemble_frame for crc mode: drops trailing empty segments (keeping at least
// one), fills the preamble (unused descriptors zero), computes every crc, and writes the rev0
// or rev1 layout. 1..4 segments, each shorter than 4 GiB, else kBadValue.
Result<std::vector<uint8_t>> encode_frame(Tag tag, std::span<const Segment> segments, Rev rev);
inline Result<std::vector<uint8_t>> encode_frame(Tag tag, std::initializer_list<Segment> segments,
                                                 Rev rev) {
  return encode_frame(tag, std::span<const Segment>(segments.begin(), segments.size()), rev);
}
// The layout (lengths, crcs) encode_frame would produce for these segments.
FrameLayout make_layout(Tag tag, std::span<const Segment> segments, Rev rev);

// Writes `layout` and the given segment contents exactly as stored (no recomputation): the
// inverse of disassemble_frame. segments[i].size() must equal the preamble's lengths.
void assemble_exact(const FrameLayout& layout,
                    const std::array<std::span<const uint8_t>, kMaxNumSegments>& segments,
                    std::vector<uint8_t>& out);

}  // namespace cephwire::codec::msgr2
