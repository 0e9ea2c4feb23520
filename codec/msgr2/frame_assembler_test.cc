// Framing vectors built by hand from frames_v2.h/.cc (preamble_block_t, asm_crc_rev0,
// asm_crc_rev1) and checked against the encoder, the decoder and real msgr2.1 bytes.
#include "codec/msgr2/frame_assembler.h"

#include <gtest/gtest.h>

#include <cstring>

#include "codec/crc32c.h"
#include "codec/msgr2/frames_v2.h"
#include "codec/testing/testing.h"

namespace cephwire::codec::msgr2 {
namespace {

using testing::from_hex;
using testing::hex;

void put32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
uint32_t crc_m1(const std::vector<uint8_t>& s) { return ceph_crc32c(0xFFFFFFFFu, s.data(), s.size()); }

struct HandSeg {
  std::vector<uint8_t> data;
  uint16_t align;
};

// A frame written field by field from the struct definitions (independent of encode_frame).
std::vector<uint8_t> hand_frame(uint8_t tag, const std::vector<HandSeg>& segs, Rev rev,
                                uint8_t late = 0xff) {
  std::vector<uint8_t> f;
  f.push_back(tag);
  f.push_back(static_cast<uint8_t>(segs.size()));
  for (size_t i = 0; i < 4; ++i) {
    put32(f, i < segs.size() ? static_cast<uint32_t>(segs[i].data.size()) : 0);
    put16(f, i < segs.size() ? segs[i].align : 0);
  }
  f.push_back(0);
  f.push_back(0);
  put32(f, ceph_crc32c(0, f.data(), 28));
  if (rev == Rev::kRev1) {
    f.insert(f.end(), segs[0].data.begin(), segs[0].data.end());
    if (!segs[0].data.empty()) put32(f, crc_m1(segs[0].data));
    if (segs.size() > 1) {
      for (size_t i = 1; i < segs.size(); ++i)
        f.insert(f.end(), segs[i].data.begin(), segs[i].data.end());
      f.push_back(late == 0xff ? 0x0e : late);
      for (size_t i = 1; i < 4; ++i) put32(f, i < segs.size() ? crc_m1(segs[i].data) : 0);
    }
  } else {
    for (auto& s : segs) f.insert(f.end(), s.data.begin(), s.data.end());
    f.push_back(late == 0xff ? 0 : late);
    for (size_t i = 0; i < 4; ++i) put32(f, i < segs.size() ? crc_m1(segs[i].data) : 0);
  }
  return f;
}

std::vector<Segment> as_segments(const std::vector<HandSeg>& h) {
  std::vector<Segment> s;
  for (auto& x : h) s.push_back({x.data, x.align});
  return s;
}

// The real HELLO a librados 16.2.15 client sent (corpus v2-watch-notify-basic stream 0 c2s).
const char* kRealHello =
    "010124000000080000000000000000000000000000000000000000003fbd6b06"
    "080101011c0000000200000000000000100000000200a4747f0000010000000000000000"
    "14edbd89";

TEST(FrameAssembler, PreambleLayoutAndCrcSeeds) {
  const auto real = from_hex(kRealHello);
  // preamble crc = ceph_crc32c(0, 28 bytes); segment crc = ceph_crc32c(-1, segment).
  uint32_t pcrc;
  std::memcpy(&pcrc, real.data() + 28, 4);
  EXPECT_EQ(pcrc, ceph_crc32c(0, real.data(), 28));
  uint32_t scrc;
  std::memcpy(&scrc, real.data() + 32 + 36, 4);
  EXPECT_EQ(scrc, ceph_crc32c(0xFFFFFFFFu, real.data() + 32, 36));

  const std::vector<uint8_t> payload(real.begin() + 32, real.begin() + 68);
  EXPECT_EQ(hex(hand_frame(1, {{payload, 8}}, Rev::kRev1)), hex(real));
  auto enc = encode_frame(Tag::kHello, {{payload, 8}}, Rev::kRev1);
  ASSERT_TRUE(enc.has_value());
  EXPECT_EQ(hex(*enc), hex(real));
  // preamble_block_t::visit declares the same 32 bytes.
  auto d = disassemble_frame(real, Rev::kRev1);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(hex(encode_to_vector(d->layout.preamble)), hex(std::span(real).first(32)));
  EXPECT_EQ(d->layout.preamble.compute_crc(), pcrc);
  auto back = decode_as<preamble_block_t>(std::span(real).first(32), "preamble");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, d->layout.preamble);
}

TEST(FrameAssembler, Rev1SingleSegmentHasNoEpilogue) {
  const std::vector<uint8_t> p = {1, 2, 3, 4, 5};
  auto f = hand_frame(18, {{p, 8}}, Rev::kRev1);
  EXPECT_EQ(f.size(), 32u + 5 + 4);
  auto d = disassemble_frame(f, Rev::kRev1);
  ASSERT_TRUE(d.has_value()) << d.error().to_string();
  EXPECT_FALSE(d->layout.has_epilogue());
  EXPECT_TRUE(d->layout.has_seg0_crc());
  EXPECT_EQ(d->layout.onwire_size(), f.size());
  EXPECT_EQ(hex(d->segments[0]), "0102030405");
}

TEST(FrameAssembler, Rev1EmptySegment0HasNoCrc) {
  // WAIT: one empty segment (alignment 8): preamble only.
  auto f = hand_frame(16, {{{}, 8}}, Rev::kRev1);
  EXPECT_EQ(f.size(), 32u);
  auto enc = encode_frame(Tag::kWait, {{{}, 8}}, Rev::kRev1);
  EXPECT_EQ(hex(*enc), hex(f));
  auto d = disassemble_frame(f, Rev::kRev1);
  ASSERT_TRUE(d.has_value());
  EXPECT_FALSE(d->layout.has_seg0_crc());
  // rev0: the 17-byte epilogue is always there; crc[0] = crc of the empty segment.
  auto f0 = hand_frame(16, {{{}, 8}}, Rev::kRev0);
  EXPECT_EQ(f0.size(), 32u + 17);
  EXPECT_EQ(hex(std::span(f0).subspan(32)), "00ffffffff000000000000000000000000");
  EXPECT_EQ(hex(*encode_frame(Tag::kWait, {{{}, 8}}, Rev::kRev0)), hex(f0));
}

TEST(FrameAssembler, Rev1MultiSegmentEpilogue) {
  const std::vector<uint8_t> h(41, 0x11), front = {1, 2, 3}, data = {9, 9};
  // front, empty middle, data: 4 segments, middle descriptor {0, 8}
  std::vector<HandSeg> segs = {{h, 8}, {front, 8}, {{}, 8}, {data, 4096}};
  auto f = hand_frame(17, segs, Rev::kRev1);
  EXPECT_EQ(f.size(), 32u + 41 + 4 + 3 + 2 + 13);
  auto enc = encode_frame(Tag::kMessage, as_segments(segs), Rev::kRev1);
  EXPECT_EQ(hex(*enc), hex(f));
  auto d = disassemble_frame(f, Rev::kRev1);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->layout.late, 0x0e);
  EXPECT_EQ(d->layout.epilogue_crcs[0], crc_m1(front));
  EXPECT_EQ(d->layout.epilogue_crcs[1], 0xFFFFFFFFu);  // empty middle: crc of nothing
  EXPECT_EQ(d->layout.epilogue_crcs[2], crc_m1(data));
  EXPECT_EQ(d->layout.preamble.segments[2], (segment_t{0, 8}));
  EXPECT_EQ(d->layout.preamble.segments[3], (segment_t{2, 4096}));
}

TEST(FrameAssembler, Rev0AlwaysHasFourCrcEpilogue) {
  const std::vector<uint8_t> h(41, 0x22), front = {7};
  std::vector<HandSeg> segs = {{h, 8}, {front, 8}};
  auto f = hand_frame(17, segs, Rev::kRev0);
  EXPECT_EQ(f.size(), 32u + 41 + 1 + 17);
  auto enc = encode_frame(Tag::kMessage,
                          {{h, 8}, {front, 8}, {{}, 8}, {{}, 4096}}, Rev::kRev0);
  EXPECT_EQ(hex(*enc), hex(f));  // trailing empty segments dropped, unused crcs zero
  auto d = disassemble_frame(f, Rev::kRev0);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->layout.late, 0);
  EXPECT_EQ(d->layout.epilogue_crcs[0], crc_m1(h));
  EXPECT_EQ(d->layout.epilogue_crcs[1], crc_m1(front));
  EXPECT_EQ(d->layout.epilogue_crcs[2], 0u);
  EXPECT_EQ(d->layout.epilogue_crcs[3], 0u);
}

TEST(FrameAssembler, NumSegmentsRules) {
  const std::vector<uint8_t> a = {1}, b = {2};
  // calc_num_segments: 1..4, trailing empties dropped, at least one.
  for (size_t n = 1; n <= 4; ++n) {
    std::vector<Segment> s(n);
    s[0].data = a;
    s[n - 1].data = b;
    if (n == 1) s[0].data = a;
    auto enc = encode_frame(Tag::kMessage, s, Rev::kRev1);
    ASSERT_TRUE(enc.has_value());
    EXPECT_EQ((*enc)[1], n);
    auto d = disassemble_frame(*enc, Rev::kRev1);
    ASSERT_TRUE(d.has_value()) << n;
    EXPECT_EQ(d->layout.preamble.num_segments, n);
  }
  std::vector<Segment> trailing = {{a}, {}, {}, {}};
  EXPECT_EQ((*encode_frame(Tag::kMessage, trailing, Rev::kRev1))[1], 1);
  std::vector<Segment> none = {{}, {}, {}, {}};
  EXPECT_EQ((*encode_frame(Tag::kMessage, none, Rev::kRev1))[1], 1);
  std::vector<Segment> five(5);
  EXPECT_FALSE(encode_frame(Tag::kMessage, five, Rev::kRev1).has_value());
  EXPECT_FALSE(encode_frame(Tag::kMessage, std::span<const Segment>(), Rev::kRev1).has_value());

  // Decoder: num_segments 0 and 5 rejected, last segment empty rejected (crc made valid).
  auto base = hand_frame(17, {{a, 8}, {b, 8}}, Rev::kRev1);
  auto patch = [&](std::vector<uint8_t> f, auto mut) {
    mut(f);
    uint32_t c = ceph_crc32c(0, f.data(), 28);
    std::memcpy(f.data() + 28, &c, 4);
    return f;
  };
  for (uint8_t n : {0, 5, 255}) {
    auto f = patch(base, [&](auto& v) { v[1] = n; });
    auto d = disassemble_frame(f, Rev::kRev1);
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().kind, ErrorKind::kBadValue);
    EXPECT_EQ(d.error().field, "preamble.num_segments");
    EXPECT_NE(d.error().detail.find("bad number of segments"), std::string::npos);
  }
  // num_segments 3 with segment 2 empty: "last segment empty".
  auto f3 = patch(base, [&](auto& v) { v[1] = 3; });
  auto d3 = disassemble_frame(f3, Rev::kRev1);
  ASSERT_FALSE(d3.has_value());
  EXPECT_EQ(d3.error().detail, "last segment empty");
  // One segment of length 0 is fine (WAIT); empty middle segments are fine.
  auto mid = hand_frame(17, {{a, 8}, {{}, 8}, {b, 8}}, Rev::kRev1);
  EXPECT_TRUE(disassemble_frame(mid, Rev::kRev1).has_value());
}

TEST(FrameAssembler, SegmentLengthLimits) {
  FrameLimits lim;
  lim.max_segment_len[0] = 4;
  const std::vector<uint8_t> four = {1, 2, 3, 4}, five = {1, 2, 3, 4, 5};
  auto ok = hand_frame(20, {{four, 8}}, Rev::kRev1);
  EXPECT_TRUE(disassemble_frame(ok, Rev::kRev1, true, lim).has_value());
  auto big = hand_frame(20, {{five, 8}}, Rev::kRev1);
  auto d = disassemble_frame(big, Rev::kRev1, true, lim);
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(d.error().field, "preamble.segment0.length");
  // Default limits: a 4 GiB-1 data segment in the preamble is rejected before any allocation.
  std::vector<uint8_t> pre = hand_frame(17, {{four, 8}, {four, 8}}, Rev::kRev1);
  pre.resize(32);
  const uint32_t huge = 0xFFFFFFFFu;
  std::memcpy(pre.data() + 8, &huge, 4);
  uint32_t c = ceph_crc32c(0, pre.data(), 28);
  std::memcpy(pre.data() + 28, &c, 4);
  bool crc_ok = true;
  auto r = check_preamble(pre, true, &crc_ok);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "preamble.segment1.length");
}

TEST(FrameAssembler, UnknownTagsAreTypedErrors) {
  const std::vector<uint8_t> p = {1};
  for (uint8_t tag : {0, 21, 22, 100, 255}) {
    auto f = hand_frame(tag, {{p, 8}}, Rev::kRev1);
    auto d = disassemble_frame(f, Rev::kRev1);
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().kind, ErrorKind::kBadValue);
    EXPECT_EQ(d.error().field, "preamble.tag");
    EXPECT_EQ(d.error().detail, "unknown tag " + std::to_string(tag));
  }
}

// Flip one byte anywhere: the right crc catches it.
void check_flips(const std::vector<uint8_t>& f, Rev rev) {
  auto good = disassemble_frame(f, rev);
  ASSERT_TRUE(good.has_value());
  const auto& l = good->layout;
  const size_t n = l.preamble.num_segments;
  size_t seg_start[4], pos = 32;
  for (size_t i = 0; i < n; ++i) {
    seg_start[i] = pos;
    pos += l.preamble.segments[i].length;
    if (i == 0 && l.has_seg0_crc()) pos += 4;
  }
  const size_t epi = pos;
  for (size_t at = 0; at < f.size(); ++at) {
    auto bad = f;
    bad[at] ^= 0x01;  // for late_status: 0x0e -> 0x0f, an invalid code word
    auto d = disassemble_frame(bad, rev);
    std::string want;
    if (at < 32) {
      want = "preamble.crc";
    } else if (at < epi) {
      size_t s = 0;
      while (s + 1 < n && at >= seg_start[s + 1]) ++s;
      const bool in_crc0 = s == 0 && l.has_seg0_crc() && at >= seg_start[0] + l.preamble.segments[0].length;
      if (rev == Rev::kRev1 && s == 0) want = "segment0_crc";
      else want = "epilogue.crc[" + std::to_string(rev == Rev::kRev1 ? s - 1 : s) + "]";
      (void)in_crc0;
    } else if (at == epi) {
      // late status/flags are not covered by a crc: rev1 rejects a bad code word, rev0 may abort.
      if (rev == Rev::kRev1) {
        ASSERT_FALSE(d.has_value()) << at;
        EXPECT_EQ(d.error().field, "epilogue.late_status");
      }
      continue;
    } else {
      const size_t ci = (at - epi - 1) / 4;
      if (ci >= (rev == Rev::kRev1 ? n - 1 : n)) {
        // unused crc slot: Ceph does not check it
        EXPECT_TRUE(d.has_value()) << at;
        continue;
      }
      want = "epilogue.crc[" + std::to_string(ci) + "]";
    }
    ASSERT_FALSE(d.has_value()) << "flip at " << at << " not caught";
    EXPECT_EQ(d.error().kind, ErrorKind::kBadCrc) << at;
    EXPECT_EQ(d.error().field, want) << at;
    // Lenient: decodes, crc_ok false.
    auto lenient = disassemble_frame(bad, rev, false);
    if (at >= 32) {
      ASSERT_TRUE(lenient.has_value()) << at;
      EXPECT_FALSE(lenient->crc_ok);
    }
  }
}

TEST(FrameAssembler, FlippedCrcsAreCaughtInEachPlace) {
  const std::vector<uint8_t> h(41, 0x33), front = {1, 2, 3, 4}, mid = {5, 6}, data = {7, 8, 9};
  std::vector<HandSeg> four = {{h, 8}, {front, 8}, {mid, 8}, {data, 4096}};
  check_flips(hand_frame(17, four, Rev::kRev1), Rev::kRev1);
  check_flips(hand_frame(17, four, Rev::kRev0), Rev::kRev0);
  check_flips(hand_frame(17, {{h, 8}, {front, 8}}, Rev::kRev1), Rev::kRev1);
  check_flips(from_hex(kRealHello), Rev::kRev1);
  check_flips(hand_frame(1, {{h, 8}}, Rev::kRev0), Rev::kRev0);
}

TEST(FrameAssembler, LateStatusVariants) {
  const std::vector<uint8_t> h(41, 0x44), front = {1};
  std::vector<HandSeg> segs = {{h, 8}, {front, 8}};
  struct Case {
    uint8_t late;
    bool ok;
    bool aborted;
  };
  // Low nibble: COMPLETE 0xe / ABORTED 0x1; high nibble reserved (TRUE 0x1_, FALSE 0xe_).
  for (Case c : {Case{0x0e, true, false}, Case{0x1e, true, false}, Case{0xee, true, false},
                 Case{0xfe, true, false}, Case{0x01, true, true}, Case{0x11, true, true},
                 Case{0xe1, true, true}, Case{0x00, false, false}, Case{0x0f, false, false},
                 Case{0x0d, false, false}, Case{0x10, false, false}, Case{0x02, false, false}}) {
    auto f = hand_frame(17, segs, Rev::kRev1, c.late);
    auto d = disassemble_frame(f, Rev::kRev1);
    if (!c.ok) {
      ASSERT_FALSE(d.has_value()) << int(c.late);
      EXPECT_EQ(d.error().kind, ErrorKind::kBadValue);
      EXPECT_EQ(d.error().field, "epilogue.late_status");
      EXPECT_EQ(d.error().offset, 32u + 41 + 4 + 1);
      continue;
    }
    ASSERT_TRUE(d.has_value()) << int(c.late);
    EXPECT_EQ(d->layout.aborted(), c.aborted) << int(c.late);
    auto fr = decode_frame(f, Rev::kRev1);
    ASSERT_TRUE(fr.has_value());
    EXPECT_EQ(fr->aborted(), c.aborted);
    EXPECT_EQ(fr->kind(), c.aborted ? "aborted" : "message");
    EXPECT_EQ(hex(fr->encode()), hex(f));
  }
  // rev0 late_flags: bit 0 = aborted, other bits ignored.
  for (uint8_t late : {0, 1, 2, 3, 0x80, 0x81, 0xfe}) {
    auto f = hand_frame(17, segs, Rev::kRev0, late);
    auto fr = decode_frame(f, Rev::kRev0);
    ASSERT_TRUE(fr.has_value()) << int(late);
    EXPECT_EQ(fr->aborted(), (late & 1) != 0);
    EXPECT_EQ(hex(fr->encode()), hex(f));
  }
}

TEST(FrameAssembler, EveryTruncationIsTruncated) {
  const std::vector<uint8_t> h(41, 0x55), front = {1, 2}, data = {3};
  for (Rev rev : {Rev::kRev0, Rev::kRev1}) {
    auto f = hand_frame(17, {{h, 8}, {front, 8}, {{}, 8}, {data, 4096}}, rev);
    for (size_t n = 0; n < f.size(); ++n) {
      auto d = decode_frame(std::span(f).first(n), rev);
      ASSERT_FALSE(d.has_value()) << n;
      EXPECT_EQ(d.error().kind, ErrorKind::kTruncated) << n;
      EXPECT_LE(d.error().offset, n);
    }
    EXPECT_TRUE(decode_frame(f, rev).has_value());
  }
}

TEST(FrameAssembler, ExactReencodeKeepsOddFields) {
  // Reserved bytes, unused descriptors and unused crc slots are kept as decoded.
  const std::vector<uint8_t> p = {1, 2, 3};
  auto f = hand_frame(20, {{p, 8}}, Rev::kRev0);
  f[26] = 0xaa;
  f[27] = 0xbb;
  f[2 + 6 * 3] = 7;  // an unused descriptor's length byte
  uint32_t c = ceph_crc32c(0, f.data(), 28);
  std::memcpy(f.data() + 28, &c, 4);
  f[f.size() - 1] = 0x99;  // unused crc slot 3
  auto d = disassemble_frame(f, Rev::kRev0);
  ASSERT_TRUE(d.has_value()) << d.error().to_string();
  std::vector<uint8_t> out;
  assemble_exact(d->layout, d->segments, out);
  EXPECT_EQ(hex(out), hex(f));
}

}  // namespace
}  // namespace cephwire::codec::msgr2
