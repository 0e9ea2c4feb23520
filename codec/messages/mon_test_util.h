// Test helpers for the typed messages: MessageParts from hex / files, the message-level round
// trip (decode, re-encode byte-exact, decode again) and the truncation sweep over the front.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "codec/message.h"
#include "codec/testing/testing.h"

namespace cephwire::codec::testing {

// Parts whose segments are views into the given vectors (keep them alive).
inline MessageParts make_parts(uint16_t type, uint16_t version, uint16_t compat,
                               const std::vector<uint8_t>& front,
                               const std::vector<uint8_t>& data = {}) {
  MessageParts p;
  p.type = type;
  p.version = version;
  p.compat_version = compat;
  p.front = Bytes::view(front);
  p.data = Bytes::view(data);
  return p;
}

// A file from the test's runfiles (paths relative to the workspace root).
inline std::vector<uint8_t> read_testdata(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Decodes p as M, re-encodes it into empty parts and into a copy of p's header, checks every
// header field and segment comes back byte for byte, and that decoding the result gives the
// same value. Returns the decoded message.
template <class M>
M expect_message_round_trip(const MessageParts& p) {
  auto r = M::decode(p);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
  if (!r) return M{};
  for (int variant = 0; variant < 2; ++variant) {
    MessageParts out;
    if (variant == 1) {
      out.type = p.type;
      out.version = p.version;
      out.compat_version = p.compat_version;
    }
    r->encode(out);
    EXPECT_EQ(out.type, p.type);
    EXPECT_EQ(out.version, p.version) << "variant " << variant;
    EXPECT_EQ(out.compat_version, p.compat_version) << "variant " << variant;
    EXPECT_EQ(hex(out.front.span()), hex(p.front.span())) << "front re-encode differs";
    EXPECT_EQ(hex(out.middle.span()), hex(p.middle.span()));
    EXPECT_EQ(hex(out.data.span()), hex(p.data.span()));
    auto again = M::decode(out);
    EXPECT_TRUE(again.has_value()) << (again ? "" : again.error().to_string());
    if (again) {
      EXPECT_TRUE(*again == *r) << "decode(encode(x)) != x";
    }
  }
  return *r;
}

// Every strict prefix of p's front must fail with a typed error inside the prefix that names a
// field of M, except a prefix of `valid_prefix` bytes (a front whose last field is optional).
template <class M>
void expect_every_front_truncation_fails(const MessageParts& p, size_t valid_prefix = SIZE_MAX) {
  for (size_t n = 0; n < p.front.size(); ++n) {
    if (n == valid_prefix) {
      MessageParts q = p;
      q.front = Bytes::view(p.front.span().first(n));
      EXPECT_TRUE(M::decode(q).has_value()) << M::kName << ": valid prefix of " << n << " bytes";
      continue;
    }
    MessageParts q = p;
    q.front = Bytes::view(p.front.span().first(n));
    auto r = M::decode(q);
    EXPECT_FALSE(r.has_value()) << M::kName << ": prefix of " << n << " bytes decoded";
    if (!r) {
      EXPECT_LE(r.error().offset, n) << r.error().to_string();
      EXPECT_EQ(r.error().field.rfind(M::kName, 0), 0u) << r.error().to_string();
    }
  }
}

}  // namespace cephwire::codec::testing
