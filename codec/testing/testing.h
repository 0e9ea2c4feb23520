// Test helpers shared by every codec test: hex vectors, round trips, and the strictness sweep
// (every truncation of a valid encoding is a typed error, never a crash).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codec/denc.h"

namespace cephwire::codec::testing {

// "01 02 0a" or "01020a" -> bytes (whitespace ignored).
std::vector<uint8_t> from_hex(std::string_view hex);
std::string hex(std::span<const uint8_t> b);

// Decodes `wire` as T (starting from `proto`, which may carry context such as a version),
// checks it re-encodes to exactly `wire`, that the sizer agrees, and returns the value.
template <class T>
T expect_round_trip(std::span<const uint8_t> wire, T proto = T{}, const char* root = "T") {
  auto r = decode_into(proto, wire, root);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
  if (!r) return proto;
  std::vector<uint8_t> out = encode_to_vector(*r);
  EXPECT_EQ(hex(out), hex(wire)) << "re-encode differs";
  EXPECT_EQ(encoded_size(*r), wire.size());
  auto again = decode_into(proto, out, root);
  EXPECT_TRUE(again.has_value());
  if (again) {
    EXPECT_TRUE(*again == *r) << "decode(encode(x)) != x";
  }
  return *r;
}

// Every strict prefix of `wire` must fail to decode with a typed error whose offset lies
// within the input.
template <class T>
void expect_every_truncation_fails(std::span<const uint8_t> wire, T proto = T{},
                                   const char* root = "T") {
  for (size_t n = 0; n < wire.size(); ++n) {
    auto r = decode_into(proto, wire.first(n), root);
    EXPECT_FALSE(r.has_value()) << "prefix of " << n << " bytes decoded";
    if (!r) {
      EXPECT_LE(r.error().offset, n) << r.error().to_string();
      EXPECT_FALSE(r.error().field.empty()) << r.error().to_string();
    }
  }
}

}  // namespace cephwire::codec::testing
