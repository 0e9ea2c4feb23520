// msgr2 (crc mode) frames and banners one at a time (codec/msgr2): byte 0 says how the rest is
// decoded: bit 0 rev1 (msgr2.1) else rev0, bit 1 lenient CRCs, bit 2 a banner instead of a frame.
// Properties: no crash; errors point inside the input; a decoded frame re-encodes (Frame::encode,
// framing values as decoded) to exactly the bytes it was decoded from and decodes again to an
// equal Frame; strict decoding never reports crc_ok = false; a frame whose layout is the
// canonical one (make_layout) with good CRCs is exactly what encode_frame writes for its
// segments; valid JSON (every input in the replay tests, a hash-chosen sample under libFuzzer:
// check_json_for in fuzz_util.h).
// Mutator: decode leniently, then mutate a field of the typed control payload, the MESSAGE
// header2 or one of its segments, re-frame a payload under another tag, or switch rev0/rev1;
// re-encode with fresh CRCs (so mutants get past the preamble/segment/epilogue CRCs).
#include <cstdint>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "codec/msgr2/banner.h"
#include "codec/msgr2/frame_assembler.h"
#include "codec/msgr2/frames_v2.h"
#include "fuzz/fuzz_util.h"
#include "fuzz/mutate.h"

using namespace cephwire;
using namespace cephwire::codec;
using namespace cephwire::codec::msgr2;
using fuzz::Rng;

namespace {

constexpr uint8_t kRev1 = 1, kLenient = 2, kBanner = 4;

void check_banner(std::span<const uint8_t> wire, bool json) {
  auto r = decode_as<Banner>(wire, "Banner");
  if (!r) {
    FUZZ_CHECK(r.error().offset <= wire.size(), r.error().to_string());
    return;
  }
  const std::vector<uint8_t> out = encode_to_vector(*r);
  FUZZ_CHECK(out.size() == wire.size() && std::memcmp(out.data(), wire.data(), out.size()) == 0,
             "Banner does not re-encode to its bytes");
  FUZZ_CHECK(r->wire_size() == wire.size(), "Banner::wire_size() wrong");
  auto again = decode_as<Banner>(out, "Banner");
  FUZZ_CHECK(again && *again == *r, "Banner: decode(encode(x)) != x");
  if (json) {
    thread_local JsonWriter w;  // reused: keeps its capacity between inputs
    w.clear();
    dump_json(*r, w);
    FUZZ_CHECK(fuzz::json_valid(w.str()), "invalid JSON " + w.str());
  }
}

void check_frame(std::span<const uint8_t> wire, Rev rev, bool verify, bool json) {
  bool crc_ok = true;
  size_t consumed = 0;
  auto r = decode_frame(wire, rev, verify, &crc_ok, &consumed);
  if (!r) {
    FUZZ_CHECK(r.error().offset <= wire.size(), r.error().to_string());
    if (!verify) FUZZ_CHECK(r.error().kind != ErrorKind::kBadCrc, "lenient decode failed on a crc");
    return;
  }
  if (verify) FUZZ_CHECK(crc_ok, "strict decode reported crc_ok = false");
  FUZZ_CHECK(consumed <= wire.size(), "consumed more than the input");
  const std::span<const uint8_t> frame_bytes = wire.first(consumed);
  const std::vector<uint8_t> out = r->encode();
  FUZZ_CHECK(out.size() == consumed && std::memcmp(out.data(), frame_bytes.data(), consumed) == 0,
             "Frame does not re-encode to its bytes (" + std::to_string(out.size()) + " vs " +
                 std::to_string(consumed) + ")");
  bool crc_ok2 = true;
  size_t consumed2 = 0;
  auto again = decode_frame(out, rev, verify, &crc_ok2, &consumed2);
  FUZZ_CHECK(again && *again == *r && crc_ok2 == crc_ok && consumed2 == consumed,
             "Frame: decode(encode(f)) != f");
  // Canonical frames are what the encoder writes.
  auto d = disassemble_frame(frame_bytes, rev, false);
  FUZZ_CHECK(d.has_value(), "disassemble_frame fails on a decoded frame");
  FUZZ_CHECK(d->crc_ok == crc_ok, "disassemble_frame disagrees on crc_ok");
  if (crc_ok && !r->aborted()) {
    const auto& pre = d->layout.preamble;
    std::vector<Segment> segs;
    for (size_t i = 0; i < pre.num_segments && i < kMaxNumSegments; ++i)
      segs.push_back(Segment{d->segments[i], pre.segments[i].alignment});
    const FrameLayout canon = make_layout(r->tag(), segs, rev);
    if (canon == d->layout) {
      auto enc = encode_frame(r->tag(), std::span<const Segment>(segs), rev);
      FUZZ_CHECK(enc.has_value(), "encode_frame refuses a canonical frame");
      FUZZ_CHECK(*enc == out, "encode_frame differs from a canonical frame");
    }
  }
  if (json) {
    thread_local JsonWriter w;
    w.clear();
    r->dump(w);
    FUZZ_CHECK(fuzz::json_valid(w.str()), "invalid JSON " + w.str().substr(0, 2000));
  }
}

// ---- mutator ------------------------------------------------------------------------------

// Mutator code: not instrumented (see fuzz/mutate.h).
CEPHWIRE_HARNESS_ONLY bool mutate_frame(std::span<const uint8_t> wire, Rev& rev,
                                        std::vector<uint8_t>& out, Rng& rng) {
  bool crc_ok = true;
  auto r = decode_frame(wire, rev, false, &crc_ok);
  if (!r || r->aborted()) return false;
  if (rng.one_in(10)) rev = rev == Rev::kRev1 ? Rev::kRev0 : Rev::kRev1;
  if (rng.one_in(10)) {
    // The same segments under another tag.
    auto d = disassemble_frame(wire, Rev(rev), false);
    if (!d) d = disassemble_frame(wire, rev == Rev::kRev1 ? Rev::kRev0 : Rev::kRev1, false);
    if (!d) return false;
    std::vector<Segment> segs;
    for (size_t i = 0; i < d->layout.preamble.num_segments && i < kMaxNumSegments; ++i)
      segs.push_back(Segment{d->segments[i], d->layout.preamble.segments[i].alignment});
    auto enc = encode_frame(static_cast<Tag>(1 + rng.below(kMaxKnownTag)),
                            std::span<const Segment>(segs), rev);
    if (!enc) return false;
    out = std::move(*enc);
    return true;
  }
  bool ok = false;
  std::visit(
      [&](auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, MessageFrame>) {
          MessageParts& p = x.parts;
          switch (rng.below(4)) {
            case 0: p.front = fuzz::mutate_bytes(p.front, rng, 2048); break;
            case 1: p.data = fuzz::mutate_bytes(p.data, rng, 2048); break;
            case 2: p.middle = fuzz::mutate_bytes(p.middle, rng, 64); break;
            default: fuzz::mutate_fields(x.header, rng); break;
          }
          out = encode_message_frame(x.header, p.front.span(), p.middle.span(), p.data.span(), rev);
          ok = true;
        } else if constexpr (!std::is_same_v<T, AbortedFrame>) {
          fuzz::mutate_fields(x, rng);
          out = encode_control_frame(x, rev);
          ok = true;
        }
      },
      r->payload);
  return ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  const std::span<const uint8_t> wire(data + 1, size - 1);
  // JSON: every input in the replay tests; a hash-chosen sample under libFuzzer (fuzz_util.h).
  const bool json = fuzz::check_json_for(data, size);
  if (mode & kBanner) {
    check_banner(wire, json);
  } else {
    check_frame(wire, (mode & kRev1) ? Rev::kRev1 : Rev::kRev0, (mode & kLenient) == 0, json);
  }
  return 0;
}

extern "C" CEPHWIRE_HARNESS_ONLY size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size,
                                                                size_t max_size,
                                                                unsigned int seed) {
  Rng rng(seed * 0x9e3779b97f4a7c15ull + size);
  if (size < 1 || rng.one_in(8)) return fuzz::raw_mutate(data, size, max_size, rng);
  // The decoded values view into data; the mutant is encoded into `body` before emit()
  // overwrites data, so the input needs no copy.
  uint8_t mode = data[0];
  const std::span<const uint8_t> wire(data + 1, size - 1);
  std::vector<uint8_t> body;
  bool ok = false;
  if (mode & kBanner) {
    auto b = decode_as<Banner>(wire, "Banner");
    if (b) {
      fuzz::mutate_fields(*b, rng);
      body = encode_to_vector(*b);
      ok = true;
    }
  } else {
    Rev rev = (mode & kRev1) ? Rev::kRev1 : Rev::kRev0;
    ok = mutate_frame(wire, rev, body, rng);
    mode = static_cast<uint8_t>((mode & ~kRev1) | (rev == Rev::kRev1 ? kRev1 : 0));
    if (ok && rng.one_in(16)) mode ^= kLenient;
  }
  if (!ok) return fuzz::raw_mutate(data, size, max_size, rng);
  return fuzz::emit(mode, body, data, size, max_size, rng);
}
