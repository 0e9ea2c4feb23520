// A small, fast JSON writer (append-only string). Integers are written as JSON numbers with
// their full 64-bit value; byte strings as lowercase hex, long ones as {len, sha256, hex_prefix}.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cephwire::codec {

class JsonWriter {
 public:
  // Byte strings longer than this are dumped as {len, sha256, hex_prefix}.
  static constexpr size_t kInlineHexLimit = 256;

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view k);
  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(bool b);
  void value(uint64_t v);
  void value(int64_t v);
  void value(uint32_t v) { value(static_cast<uint64_t>(v)); }
  void value(int32_t v) { value(static_cast<int64_t>(v)); }
  void value(uint16_t v) { value(static_cast<uint64_t>(v)); }
  void value(int16_t v) { value(static_cast<int64_t>(v)); }
  void value(uint8_t v) { value(static_cast<uint64_t>(v)); }
  void value(int8_t v) { value(static_cast<int64_t>(v)); }
  void value(double v);
  void null();
  void hex(std::span<const uint8_t> b);    // "0a1b..." always inline
  void bytes(std::span<const uint8_t> b);  // hex, or {len, sha256, hex_prefix} when long
  // Insert already-serialised JSON as a value.
  void raw(std::string_view json);

  template <class T>
  void kv(std::string_view k, const T& v) {
    key(k);
    value(v);
  }

  const std::string& str() const { return out_; }
  std::string take() {
    std::string s = std::move(out_);
    clear();
    return s;
  }
  void clear() {
    out_.clear();
    first_.clear();
    after_key_ = false;
  }

 private:
  void sep();
  void escape(std::string_view s);
  std::string out_;
  std::vector<char> first_;
  bool after_key_ = false;
};

std::string to_hex(std::span<const uint8_t> b);
std::string sha256_hex(std::span<const uint8_t> b);

}  // namespace cephwire::codec
