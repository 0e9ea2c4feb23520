// uuid_d: 16 raw bytes (Ceph src/include/uuid.h, uuid_d::encode/decode: encode_raw of the
// boost::uuids::uuid; = struct ceph_fsid in src/include/msgr.h). Used for cluster fsids.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "codec/json_writer.h"

namespace cephwire::codec {

struct uuid_d {
  static constexpr size_t kWireMinSize = 16;
  std::array<uint8_t, 16> bytes{};

  template <class V>
  bool visit(V& v) {
    return v.field(bytes);  // no sub-field name: errors are reported at the owning field
  }
  // "a1b4b34a-ce50-4940-bb1d-37e1d8982004", as Ceph prints it.
  std::string to_string() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (size_t i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
      s += kHex[bytes[i] >> 4];
      s += kHex[bytes[i] & 15];
    }
    return s;
  }
  // Parses the 36-character form (either case); nullopt otherwise.
  static std::optional<uuid_d> parse(std::string_view s) {
    if (s.size() != 36) return std::nullopt;
    uuid_d u;
    size_t j = 0;
    for (size_t i = 0; i < 36;) {
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (s[i] != '-') return std::nullopt;
        ++i;
        continue;
      }
      int hi = nibble(s[i]), lo = nibble(s[i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      u.bytes[j++] = static_cast<uint8_t>(hi << 4 | lo);
      i += 2;
    }
    return u;
  }
  bool is_zero() const {
    for (uint8_t b : bytes)
      if (b) return false;
    return true;
  }
  void dump(JsonWriter& w) const { w.value(to_string()); }
  bool operator==(const uuid_d&) const = default;

 private:
  static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
};

}  // namespace cephwire::codec
