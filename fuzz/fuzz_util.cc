#include "fuzz/fuzz_util.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cephwire::fuzz {

void fail(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "\n==== cephwire fuzz property violated at %s:%d\n     %s\n", file, line,
               what.c_str());
  std::fflush(stderr);
  std::abort();
}

// ---- JSON ---------------------------------------------------------------------------------
namespace {

// The JSON checker is the harness's, not code under test: its per-character comparisons gave the
// fuzzer nothing but "some byte of the dump had value X" features, and tracing them (clang's
// trace-cmp) was a sixth of a message target's time. Not instrumented for coverage feedback.

class JsonCheck {
 public:
  explicit JsonCheck(std::string_view s) : s_(s) {}
  CEPHWIRE_HARNESS_ONLY bool run() {
    ws();
    if (!value(0)) return false;
    ws();
    return i_ == s_.size();
  }

 private:
  CEPHWIRE_HARNESS_ONLY bool value(int depth) {
    if (depth > 512 || i_ >= s_.size()) return false;
    switch (s_[i_]) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return string();
      case 't': return lit("true");
      case 'f': return lit("false");
      case 'n': return lit("null");
      default: return number();
    }
  }
  CEPHWIRE_HARNESS_ONLY bool object(int depth) {
    ++i_;
    ws();
    if (peek() == '}') return ++i_, true;
    for (;;) {
      ws();
      if (!string()) return false;
      ws();
      if (peek() != ':') return false;
      ++i_;
      ws();
      if (!value(depth + 1)) return false;
      ws();
      if (peek() == ',') { ++i_; continue; }
      if (peek() == '}') return ++i_, true;
      return false;
    }
  }
  CEPHWIRE_HARNESS_ONLY bool array(int depth) {
    ++i_;
    ws();
    if (peek() == ']') return ++i_, true;
    for (;;) {
      ws();
      if (!value(depth + 1)) return false;
      ws();
      if (peek() == ',') { ++i_; continue; }
      if (peek() == ']') return ++i_, true;
      return false;
    }
  }
  CEPHWIRE_HARNESS_ONLY bool string() {
    if (peek() != '"') return false;
    ++i_;
    while (i_ < s_.size()) {
      const unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') return ++i_, true;
      if (c < 0x20) return false;
      if (c == '\\') {
        ++i_;
        if (i_ >= s_.size()) return false;
        const char e = s_[i_];
        if (e == 'u') {
          for (int k = 0; k < 4; ++k) {
            ++i_;
            if (i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_]))) return false;
          }
        } else if (!std::strchr("\"\\/bfnrt", e) || e == 0) {
          return false;
        }
      }
      ++i_;
    }
    return false;
  }
  CEPHWIRE_HARNESS_ONLY bool number() {
    const size_t start = i_;
    if (peek() == '-') ++i_;
    if (peek() == '0') {
      ++i_;
    } else if (std::isdigit(static_cast<unsigned char>(peek()))) {
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++i_;
    } else {
      return false;
    }
    if (peek() == '.') {
      ++i_;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) return false;
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++i_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++i_;
      if (peek() == '+' || peek() == '-') ++i_;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) return false;
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++i_;
    }
    return i_ > start;
  }
  CEPHWIRE_HARNESS_ONLY bool lit(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  CEPHWIRE_HARNESS_ONLY void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  CEPHWIRE_HARNESS_ONLY char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }

  std::string_view s_;
  size_t i_ = 0;
};

void put16(std::vector<uint8_t>& o, uint16_t v) {
  o.push_back(static_cast<uint8_t>(v));
  o.push_back(static_cast<uint8_t>(v >> 8));
}
void put32(std::vector<uint8_t>& o, uint32_t v) {
  for (int i = 0; i < 4; ++i) o.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

CEPHWIRE_HARNESS_ONLY bool json_valid(std::string_view s) { return JsonCheck(s).run(); }

namespace {
uint32_t json_sample_every() {
  static const uint32_t every = [] {
    const char* e = std::getenv("CEPHWIRE_FUZZ_JSON_EVERY");
    if (!e || !*e) return kJsonSampleEvery;
    const unsigned long v = std::strtoul(e, nullptr, 10);
    return static_cast<uint32_t>(v == 0 ? 1 : v);
  }();
  return every;
}
}  // namespace

CEPHWIRE_HARNESS_ONLY bool check_json_for(std::span<const uint8_t> in) {
  if constexpr (kJsonSampleEvery == 1) return true;  // replay / mutator tests: every input
  const uint32_t every = json_sample_every();
  if (every <= 1) return true;
  // FNV-1a over 8-byte words, then a final mix: every byte of the input counts.
  uint64_t h = 0xcbf29ce484222325ull ^ in.size();
  size_t i = 0;
  for (; i + 8 <= in.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, in.data() + i, 8);
    h = (h ^ w) * 0x100000001b3ull;
  }
  for (; i < in.size(); ++i) h = (h ^ in[i]) * 0x100000001b3ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h % every == 0;
}

// ---- message input --------------------------------------------------------------------------

CEPHWIRE_HARNESS_ONLY std::optional<codec::MessageParts> parse_parts(std::span<const uint8_t> in) {
  if (in.size() < kPartsHeaderSize) return std::nullopt;
  Reader r(in);
  codec::MessageParts p;
  p.type = r.u16();
  p.version = r.u16();
  p.compat_version = r.u16();
  const uint32_t front_len = r.u32();
  const uint32_t middle_len = r.u32();
  p.front = codec::Bytes::view(r.bytes(front_len));
  p.middle = codec::Bytes::view(r.bytes(middle_len));
  p.data = codec::Bytes::view(r.rest());
  return p;
}

std::vector<uint8_t> serialize_parts(const codec::MessageParts& p) {
  std::vector<uint8_t> o;
  serialize_parts(p, o);
  return o;
}

CEPHWIRE_HARNESS_ONLY void serialize_parts(const codec::MessageParts& p, std::vector<uint8_t>& o) {
  o.clear();
  o.reserve(kPartsHeaderSize + p.front.size() + p.middle.size() + p.data.size());
  put16(o, p.type);
  put16(o, p.version);
  put16(o, p.compat_version);
  put32(o, static_cast<uint32_t>(p.front.size()));
  put32(o, static_cast<uint32_t>(p.middle.size()));
  o.insert(o.end(), p.front.data(), p.front.data() + p.front.size());
  o.insert(o.end(), p.middle.data(), p.middle.data() + p.middle.size());
  o.insert(o.end(), p.data.data(), p.data.data() + p.data.size());
}

void check_parts_error_offset(const codec::MessageParts& p, const codec::DecodeError& e) {
  const size_t limit = std::max({p.front.size(), p.middle.size(), p.data.size()});
  FUZZ_CHECK(e.offset <= limit, "error offset " + std::to_string(e.offset) +
                                    " beyond every segment (largest " + std::to_string(limit) +
                                    "): " + e.to_string());
}

// ---- stream input ---------------------------------------------------------------------------

CEPHWIRE_HARNESS_ONLY std::optional<StreamInput> parse_stream(std::span<const uint8_t> in) {
  if (in.size() < kStreamHeaderSize) return std::nullopt;
  Reader r(in);
  StreamInput s;
  s.flags = r.u8();
  const uint32_t c2s_len = r.u32();
  const uint32_t s2c_len = r.u32();
  s.seed = r.u32();
  s.c2s = r.bytes(c2s_len);
  s.s2c = r.bytes(s2c_len);
  s.schedule = r.rest();
  return s;
}

std::vector<uint8_t> serialize_stream(uint8_t flags, uint32_t seed, std::span<const uint8_t> c2s,
                                      std::span<const uint8_t> s2c,
                                      std::span<const uint8_t> schedule) {
  std::vector<uint8_t> o;
  o.push_back(flags);
  put32(o, static_cast<uint32_t>(c2s.size()));
  put32(o, static_cast<uint32_t>(s2c.size()));
  put32(o, seed);
  o.insert(o.end(), c2s.begin(), c2s.end());
  o.insert(o.end(), s2c.begin(), s2c.end());
  o.insert(o.end(), schedule.begin(), schedule.end());
  return o;
}

}  // namespace cephwire::fuzz
