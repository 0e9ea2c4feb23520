#include "codec/json_writer.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <charconv>
#include <cmath>

#include "codec/fuzz_feedback.h"

namespace cephwire::codec {

namespace {
constexpr char kHex[] = "0123456789abcdef";
}

// The per-byte loops that write strings and hex (escape, hex) take no decision from the wire
// that the fuzzers could learn from, yet clang's trace-cmp instrumentation of their comparisons
// cost a message target a tenth of its time: they are left out of coverage feedback
// (CEPHWIRE_NO_FUZZ_FEEDBACK, codec/fuzz_feedback.h).

CEPHWIRE_NO_FUZZ_FEEDBACK std::string to_hex(std::span<const uint8_t> b) {
  std::string s(b.size() * 2, '0');
  for (size_t i = 0; i < b.size(); ++i) {
    s[2 * i] = kHex[b[i] >> 4];
    s[2 * i + 1] = kHex[b[i] & 15];
  }
  return s;
}

std::string sha256_hex(std::span<const uint8_t> b) {
  // OpenSSL 3's one-shot SHA256() fetches the algorithm on every call (a provider lookup under a
  // lock, ~10x the cost of hashing a 4 KiB payload); fetch it once.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char md[SHA256_DIGEST_LENGTH];
  unsigned int len = 0;
  if (kSha256 == nullptr || EVP_Digest(b.data(), b.size(), md, &len, kSha256, nullptr) != 1 ||
      len != sizeof(md))
    SHA256(b.data(), b.size(), md);
  return to_hex({md, sizeof(md)});
}

void JsonWriter::sep() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (first_.back()) {
      first_.back() = 0;
    } else {
      out_ += ',';
    }
  }
}

void JsonWriter::begin_object() {
  sep();
  out_ += '{';
  first_.push_back(1);
}
void JsonWriter::end_object() {
  out_ += '}';
  first_.pop_back();
}
void JsonWriter::begin_array() {
  sep();
  out_ += '[';
  first_.push_back(1);
}
void JsonWriter::end_array() {
  out_ += ']';
  first_.pop_back();
}
void JsonWriter::key(std::string_view k) {
  sep();
  out_ += '"';
  escape(k);
  out_ += "\":";
  after_key_ = true;
}
namespace {
// Printable ASCII other than '"' and '\\' goes out as it is.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x7f; ++c) t[static_cast<size_t>(c)] = c != '"' && c != '\\';
  return t;
}();
}  // namespace

CEPHWIRE_NO_FUZZ_FEEDBACK void JsonWriter::escape(std::string_view s) {
  // Runs of characters that need no escaping (nearly all of them) are appended at once.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (kPlain[c]) [[likely]]
      continue;
    out_.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default: {
        // Non-ASCII bytes are escaped one by one so the output is always valid UTF-8.
        const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out_.append(u, 6);
      }
    }
  }
  out_.append(s.data() + run, s.size() - run);
}
void JsonWriter::value(std::string_view s) {
  sep();
  out_ += '"';
  escape(s);
  out_ += '"';
}
void JsonWriter::value(bool b) {
  sep();
  out_ += b ? "true" : "false";
}
void JsonWriter::value(uint64_t v) {
  sep();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_.append(buf, r.ptr);
}
void JsonWriter::value(int64_t v) {
  sep();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_.append(buf, r.ptr);
}
void JsonWriter::value(double v) {
  sep();
  if (!std::isfinite(v)) {
    out_ += "null";
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_.append(buf, r.ptr);
}
void JsonWriter::null() {
  sep();
  out_ += "null";
}
CEPHWIRE_NO_FUZZ_FEEDBACK void JsonWriter::hex(std::span<const uint8_t> b) {
  sep();
  out_ += '"';
  size_t at = out_.size();
  out_.resize(at + 2 * b.size());
  for (size_t i = 0; i < b.size(); ++i) {
    out_[at + 2 * i] = kHex[b[i] >> 4];
    out_[at + 2 * i + 1] = kHex[b[i] & 15];
  }
  out_ += '"';
}
void JsonWriter::bytes(std::span<const uint8_t> b) {
  if (b.size() <= kInlineHexLimit) {
    hex(b);
    return;
  }
  begin_object();
  kv("len", static_cast<uint64_t>(b.size()));
  kv("sha256", sha256_hex(b));
  key("hex_prefix");
  hex(b.first(64));
  end_object();
}
void JsonWriter::raw(std::string_view json) {
  sep();
  out_ += json;
}

}  // namespace cephwire::codec
