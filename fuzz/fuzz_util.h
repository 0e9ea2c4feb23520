// Shared pieces of the cephwire fuzz targets (fuzz/*_fuzzer.cc):
//  - FUZZ_CHECK: a property violation prints what broke and aborts (libFuzzer saves the input;
//    the corpus replay test fails);
//  - Reader: consumes typed values from the front of the fuzz input (0 once exhausted), and
//    Rng: a splitmix64 stream for choices after the input ran out;
//  - json_valid: a strict JSON syntax check for every dump;
//  - the two input formats that seeds, targets and custom mutators share:
//
//  Message input (mosdop, mosdopreply, mwatchnotify, mon targets): a MessageParts built from
//    le16 type | le16 version | le16 compat_version | le32 front_len | le32 middle_len |
//    front | middle | data (= the rest)
//  (front_len / middle_len are clamped to what is there). serialize_parts() writes it.
//
//  Stream input (msgr1_stream, msgr2_stream targets): one TCP connection's two directions
//    u8 flags | le32 c2s_len | le32 s2c_len | le32 seed | c2s bytes | s2c bytes | schedule
//  flags bit 0: DecoderOptions.verify_crc = false (lenient), bit 1: DecoderOptions.midstream;
//  the schedule bytes (then the seed's Rng) choose chunk sizes and which direction goes next.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/fuzz_feedback.h"
#include "codec/message.h"

// Marks harness-only code (property bookkeeping, checkers) that is not code under test: not
// instrumented for libFuzzer's coverage feedback (no edge counters, no trace-cmp), so it costs
// no callbacks and adds no features. Never put it on a function that calls inline codec or
// client code: what gets inlined into it would lose its coverage too.
#define CEPHWIRE_HARNESS_ONLY CEPHWIRE_NO_FUZZ_FEEDBACK

namespace cephwire::fuzz {

[[noreturn]] void fail(const char* file, int line, const std::string& what);

#define FUZZ_CHECK(cond, msg)                                                           \
  do {                                                                                  \
    if (!(cond)) ::cephwire::fuzz::fail(__FILE__, __LINE__, std::string(#cond " : ") + (msg)); \
  } while (0)

// splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed = 0) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform-ish in [0, n) (n > 0).
  uint64_t below(uint64_t n) { return n ? next() % n : 0; }
  bool one_in(uint64_t n) { return below(n) == 0; }

 private:
  uint64_t s_;
};

// Consumes the fuzz input from the front. Past the end every value is 0 (so a short input is
// a short run, never an error).
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : p_(in.data()), n_(in.size()) {}
  size_t remaining() const { return n_; }
  bool empty() const { return n_ == 0; }
  template <class T>
  T get() {
    T v{};
    const size_t k = n_ < sizeof(T) ? n_ : sizeof(T);
    if (k) std::memcpy(&v, p_, k);
    p_ += k;
    n_ -= k;
    return v;
  }
  uint8_t u8() { return get<uint8_t>(); }
  uint16_t u16() { return get<uint16_t>(); }
  uint32_t u32() { return get<uint32_t>(); }
  uint64_t u64() { return get<uint64_t>(); }
  // A value in [0, n).
  uint32_t below(uint32_t n) {
    if (n <= 1) return 0;
    if (n <= 256) return u8() % n;
    if (n <= 65536) return u16() % n;
    return u32() % n;
  }
  bool flag() { return u8() & 1; }
  std::span<const uint8_t> bytes(size_t n) {
    if (n > n_) n = n_;
    std::span<const uint8_t> s(p_, n);
    p_ += n;
    n_ -= n;
    return s;
  }
  std::span<const uint8_t> rest() { return bytes(n_); }

 private:
  const uint8_t* p_;
  size_t n_;
};

// Strict JSON syntax check (RFC 8259 grammar, any nesting up to 512 levels).
bool json_valid(std::string_view s);

// Whether this input's JSON dumps are produced and checked (json_valid) by the target.
// The g++ replay and mutator tests (//fuzz:<t>_fuzzer, //fuzz:<t>_fuzzer_mutator_test) and
// the coverage build check every input. The libFuzzer build (--config=fuzz, which defines
// CEPHWIRE_FUZZING) checks a deterministic 1 in kJsonSampleEvery of the inputs, chosen by a
// hash of the whole input (so a crash in the dump reproduces from its input): the dump and
// its validation were a third of a message target's time, and its edges most of the features
// libFuzzer's entropic schedule updates per exec. CEPHWIRE_FUZZ_JSON_EVERY=N in the
// environment overrides the rate of a libFuzzer binary (1: every input).
#if defined(CEPHWIRE_JSON_SAMPLE_EVERY)
inline constexpr uint32_t kJsonSampleEvery = CEPHWIRE_JSON_SAMPLE_EVERY;
#elif defined(CEPHWIRE_FUZZING)
inline constexpr uint32_t kJsonSampleEvery = 16;
#else
inline constexpr uint32_t kJsonSampleEvery = 1;
#endif
bool check_json_for(std::span<const uint8_t> input);
inline bool check_json_for(const uint8_t* data, size_t size) {
  return check_json_for({data, size});
}

// ---- message input ----
inline constexpr size_t kPartsHeaderSize = 14;
// Views into `in` (keep it alive). nullopt when `in` is shorter than the header.
std::optional<codec::MessageParts> parse_parts(std::span<const uint8_t> in);
std::vector<uint8_t> serialize_parts(const codec::MessageParts& p);
// The same into `out` (cleared first; its capacity is reused).
void serialize_parts(const codec::MessageParts& p, std::vector<uint8_t>& out);
// Checks an error's offset against the segments it can refer to.
void check_parts_error_offset(const codec::MessageParts& p, const codec::DecodeError& e);

// ---- stream input ----
inline constexpr size_t kStreamHeaderSize = 13;
inline constexpr uint8_t kStreamLenient = 1, kStreamMidstream = 2;
struct StreamInput {
  uint8_t flags = 0;
  uint32_t seed = 0;
  std::span<const uint8_t> c2s, s2c, schedule;
};
std::optional<StreamInput> parse_stream(std::span<const uint8_t> in);
std::vector<uint8_t> serialize_stream(uint8_t flags, uint32_t seed, std::span<const uint8_t> c2s,
                                      std::span<const uint8_t> s2c,
                                      std::span<const uint8_t> schedule = {});

}  // namespace cephwire::fuzz
