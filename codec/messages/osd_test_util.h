// Test helpers for the OSD messages: a little-endian byte builder for hand-made vectors (written
// field by field from Ceph's layouts, independent of the codec), MessageParts construction,
// runfile reading, the message round trip and the truncation sweeps.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "codec/message.h"
#include "codec/testing/testing.h"

namespace cephwire::codec::osdtest {

using testing::hex;

// Little-endian builder: LE().u8(1).u32(7).str("oid").take()
class LE {
 public:
  LE& u8(uint8_t v) { return put(&v, 1); }
  LE& u16(uint16_t v) { return put(&v, 2); }
  LE& u32(uint32_t v) { return put(&v, 4); }
  LE& u64(uint64_t v) { return put(&v, 8); }
  LE& s8(int8_t v) { return put(&v, 1); }
  LE& s16(int16_t v) { return put(&v, 2); }
  LE& s32(int32_t v) { return put(&v, 4); }
  LE& s64(int64_t v) { return put(&v, 8); }
  LE& raw(std::string_view s) { return put(s.data(), s.size()); }
  LE& raw(const std::vector<uint8_t>& b) { return put(b.data(), b.size()); }
  LE& zeros(size_t n) {
    b_.insert(b_.end(), n, 0);
    return *this;
  }
  LE& str(std::string_view s) {  // le32 length + bytes (string, bufferlist)
    u32(static_cast<uint32_t>(s.size()));
    return raw(s);
  }
  LE& blob(const std::vector<uint8_t>& b) {
    u32(static_cast<uint32_t>(b.size()));
    return raw(b);
  }
  // ENCODE_START(v, compat) with the length of `body`.
  LE& envelope(uint8_t v, uint8_t compat, const std::vector<uint8_t>& body) {
    u8(v).u8(compat).u32(static_cast<uint32_t>(body.size()));
    return raw(body);
  }
  size_t size() const { return b_.size(); }
  std::vector<uint8_t> take() { return std::move(b_); }
  const std::vector<uint8_t>& bytes() const { return b_; }

 private:
  LE& put(const void* p, size_t n) {
    const auto* c = static_cast<const uint8_t*>(p);
    b_.insert(b_.end(), c, c + n);
    return *this;
  }
  std::vector<uint8_t> b_;
};

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

// codec/messages/testdata/<name> from the test's runfiles.
inline std::vector<uint8_t> read_testdata(const std::string& name) {
  const std::string path = "codec/messages/testdata/" + name;
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Decodes p as M; re-encodes into empty parts and checks type, version, compat_version and
// every segment byte for byte; decodes the result again and compares values.
template <class M>
M expect_message_round_trip(const MessageParts& p) {
  auto r = M::decode(p);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
  if (!r) return M{};
  MessageParts out;
  r->encode(out);
  EXPECT_EQ(out.type, p.type);
  EXPECT_EQ(out.version, p.version);
  EXPECT_EQ(out.compat_version, p.compat_version);
  EXPECT_EQ(hex(out.front.span()), hex(p.front.span())) << "front re-encode differs";
  EXPECT_TRUE(out.middle.empty());
  EXPECT_EQ(hex(out.data.span()), hex(p.data.span())) << "data re-encode differs";
  auto again = M::decode(out);
  EXPECT_TRUE(again.has_value()) << (again ? "" : again.error().to_string());
  if (again) {
    EXPECT_TRUE(*again == *r) << "decode(encode(x)) != x";
  }
  return std::move(*r);
}

// Every strict prefix of the front (data unchanged) fails with a typed error whose field is
// named and whose offset lies within the prefix.
template <class M>
void expect_every_front_truncation_fails(const MessageParts& p) {
  const auto front = p.front.span();
  for (size_t n = 0; n < front.size(); ++n) {
    MessageParts q = p;
    q.front = Bytes::view(front.first(n));
    auto r = M::decode(q);
    ASSERT_FALSE(r.has_value()) << "front prefix of " << n << " bytes decoded";
    EXPECT_LE(r.error().offset, n) << r.error().to_string();
    EXPECT_FALSE(r.error().field.empty()) << r.error().to_string();
  }
}

// Every strict prefix of the data segment (front unchanged) fails with a typed error; prefixes
// shorter than `from` are skipped (an empty NOTIFY_COMPLETE data segment is valid).
template <class M>
void expect_every_data_truncation_fails(const MessageParts& p, size_t from = 0) {
  const auto data = p.data.span();
  for (size_t n = from; n < data.size(); ++n) {
    MessageParts q = p;
    q.data = Bytes::view(data.first(n));
    auto r = M::decode(q);
    ASSERT_FALSE(r.has_value()) << "data prefix of " << n << " bytes decoded";
    EXPECT_LE(r.error().offset, n) << r.error().to_string();
    EXPECT_FALSE(r.error().field.empty()) << r.error().to_string();
  }
}

// One byte appended to the front is a kTrailingBytes error.
template <class M>
void expect_front_trailing_byte_fails(const MessageParts& p) {
  std::vector<uint8_t> longer = p.front.to_vector();
  longer.push_back(0);
  MessageParts q = p;
  q.front = Bytes::view(longer);
  auto r = M::decode(q);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes) << r.error().to_string();
}

}  // namespace cephwire::codec::osdtest
