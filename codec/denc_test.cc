#include "codec/denc.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "codec/testing/testing.h"

namespace cephwire::codec {
namespace {

using testing::from_hex;

struct Inner {
  uint32_t a = 0;
  std::string s;
  template <class V>
  bool visit(V& v) {
    return v("a", a) && v("s", s);
  }
  bool operator==(const Inner&) const = default;
};

// A versioned struct as Ceph writes it: ENCODE_START(3, 2); field c only from v2 on.
struct Versioned {
  Envelope env{3, 2};
  uint64_t b = 0;
  uint16_t c = 0;
  std::vector<Inner> items;
  std::map<uint32_t, Bytes> blobs;
  template <class V>
  bool visit(V& v) {
    return v.envelope("env", env, 3, [&](uint8_t sv) {
      return v("b", b) && (sv < 2 || v("c", c)) && v("items", items) && v("blobs", blobs);
    });
  }
  bool operator==(const Versioned&) const = default;
};

const char* kVersioned =
    "03 02 27000000"            // v3 compat2 len 39
    "0100000000000000"          // b
    "0700"                      // c
    "01000000 05000000 02000000 6869"  // items: [{a 5, s "hi"}]
    "01000000 09000000 03000000 aabbcc";  // blobs: {9: aabbcc}

TEST(Denc, VersionedRoundTrip) {
  auto wire = from_hex(kVersioned);
  auto v = testing::expect_round_trip<Versioned>(wire, {}, "Versioned");
  EXPECT_EQ(v.b, 1u);
  EXPECT_EQ(v.c, 7);
  ASSERT_EQ(v.items.size(), 1u);
  EXPECT_EQ(v.items[0].s, "hi");
  EXPECT_EQ(v.blobs.at(9).size(), 3u);
  testing::expect_every_truncation_fails<Versioned>(wire, {}, "Versioned");
}

TEST(Denc, EncoderAppendsAndTrimsWhatItGrewAhead) {
  // The encoder grows its vector ahead of what it writes and trims it when it goes: appended
  // after existing bytes, in buffers of every starting capacity, the result is exact.
  auto wire = from_hex(kVersioned);
  auto v = decode_as<Versioned>(wire, "Versioned");
  ASSERT_TRUE(v.has_value());
  for (size_t cap : {0, 1, 7, 64, 4096}) {
    std::vector<uint8_t> out = {0xaa, 0xbb};
    out.reserve(cap);
    encode_append(*v, out);
    ASSERT_EQ(out.size(), 2 + wire.size()) << cap;
    EXPECT_EQ(std::vector<uint8_t>(out.begin() + 2, out.end()), wire) << cap;
    encode_append(*v, out);  // twice: the second append lands right after the first
    EXPECT_EQ(out.size(), 2 + 2 * wire.size()) << cap;
    EXPECT_EQ(std::vector<uint8_t>(out.begin() + 2 + static_cast<long>(wire.size()), out.end()), wire);
  }
}

TEST(Denc, OlderStructVersionSkipsNewerFields) {
  auto wire = from_hex("01 01 10000000 0100000000000000 00000000 00000000");
  auto v = testing::expect_round_trip<Versioned>(wire, {}, "Versioned");
  EXPECT_EQ(v.env.struct_v, 1);
  EXPECT_EQ(v.c, 0);
}

TEST(Denc, CompatTooNewIsRejected) {
  auto wire = from_hex(kVersioned);
  wire[1] = 4;
  auto r = decode_as<Versioned>(wire, "Versioned");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
  EXPECT_EQ(r.error().field, "Versioned.env");
  EXPECT_EQ(r.error().offset, 0u);
}

TEST(Denc, EnvelopeLengthBeyondInput) {
  auto wire = from_hex(kVersioned);
  wire[2] = 0x28;
  auto r = decode_as<Versioned>(wire, "Versioned");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().offset, 2u);
}

TEST(Denc, FieldsMayNotRunPastTheEnvelope) {
  // len 8 covers only b: c would be read past the envelope's end.
  auto wire = from_hex("03 02 08000000 0100000000000000 0700 00000000 00000000");
  auto r = decode_as<Versioned>(wire, "Versioned");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTruncated);
  EXPECT_EQ(r.error().field, "Versioned.env.c");
  EXPECT_EQ(r.error().offset, 14u);
}

TEST(Denc, NestedPathAndOffsetOnError) {
  auto wire = from_hex(kVersioned);
  // items[0].s length 2 -> 0xff: larger than the bytes left.
  wire[24] = 0xff;
  auto r = decode_as<Versioned>(wire, "Versioned");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "Versioned.env.items[0].s");
  EXPECT_EQ(r.error().offset, 24u);
  EXPECT_NE(r.error().to_string().find("Versioned.env.items[0].s"), std::string::npos);
}

// decode_as decodes with a FastDecoder (no field path) and repeats with a Decoder only on error:
// every error must be exactly the one a path-keeping Decoder reports, and the fast decoder must
// fail exactly where the Decoder fails (same kind and offset) for every truncation and every
// corrupted byte.
TEST(Denc, FastDecoderFailsWhereDecoderFails) {
  const auto good = from_hex(kVersioned);
  std::vector<std::vector<uint8_t>> inputs;
  for (size_t n = 0; n < good.size(); ++n) inputs.emplace_back(good.begin(), good.begin() + n);
  for (size_t i = 0; i < good.size(); ++i) {
    auto w = good;
    w[i] ^= 0xff;
    inputs.push_back(w);
  }
  int failures = 0;
  for (const auto& w : inputs) {
    Versioned slow_v, fast_v;
    Decoder slow(w, "Versioned");
    FastDecoder fast(w, "Versioned");
    const bool slow_ok = slow.field(slow_v) && slow.expect_end();
    const bool fast_ok = fast.field(fast_v) && fast.expect_end();
    ASSERT_EQ(slow_ok, fast_ok);
    if (slow_ok) {
      EXPECT_EQ(slow_v, fast_v);
      continue;
    }
    ++failures;
    EXPECT_EQ(fast.error().kind, slow.error().kind);
    EXPECT_EQ(fast.error().offset, slow.error().offset);
    EXPECT_TRUE(fast.error().field.empty());  // the fast decoder keeps no path
    auto r = decode_as<Versioned>(w, "Versioned");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), slow.error());
  }
  EXPECT_GT(failures, static_cast<int>(good.size()));
}

TEST(Denc, HugeCountsFailBeforeAllocating) {
  auto wire = from_hex("03 02 0e000000 0100000000000000 0700 ffffffff");
  auto r = decode_as<Versioned>(wire, "Versioned");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "Versioned.env.items");
}

TEST(Denc, TrailingBytesAfterBodyAreAnError) {
  auto wire = from_hex(std::string(kVersioned) + "00");
  auto r = decode_as<Versioned>(wire, "Versioned");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
  EXPECT_EQ(r.error().offset, wire.size() - 1);
}

TEST(Denc, RepeatedMapKeyIsAnError) {
  auto wire = from_hex("03 02 22000000 0100000000000000 0700 00000000"
                       "02000000 09000000 00000000 09000000 00000000");
  auto r = decode_as<Versioned>(wire, "Versioned");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
}

TEST(Denc, JsonDump) {
  auto wire = from_hex(kVersioned);  // decoded Bytes are views: keep the input alive
  auto v = *decode_as<Versioned>(wire, "V");
  EXPECT_EQ(to_json(v),
            R"({"b":1,"c":7,"items":[{"a":5,"s":"hi"}],"blobs":[{"key":9,"value":"aabbcc"}]})");
}

TEST(Denc, DecodedBytesAreViewsNotCopies) {
  auto wire = from_hex(kVersioned);
  auto v = *decode_as<Versioned>(wire, "V");
  EXPECT_TRUE(v.blobs.at(9).is_view());
  EXPECT_EQ(v.blobs.at(9).data(), wire.data() + wire.size() - 3);
  Bytes own = v.blobs.at(9).owned();
  EXPECT_FALSE(own.is_view());
  EXPECT_EQ(own, v.blobs.at(9));
}

struct Legacy {
  Envelope env{5, 3};
  uint32_t x = 0;
  template <class V>
  bool visit(V& v) {
    return v.legacy_envelope("env", env, 5, 3, [&](uint8_t) { return v("x", x); });
  }
  bool operator==(const Legacy&) const = default;
};

TEST(Denc, LegacyCompatLen) {
  // struct_v 2 < lenv 3: no compat, no length.
  auto old = testing::expect_round_trip<Legacy>(from_hex("02 2a000000"));
  EXPECT_TRUE(old.env.headless);
  EXPECT_EQ(old.x, 42u);
  auto modern = testing::expect_round_trip<Legacy>(from_hex("05 03 04000000 2a000000"));
  EXPECT_FALSE(modern.env.headless);
}

struct Special {
  std::vector<uint32_t> ops;
  std::vector<int32_t> rvals;
  uint16_t port = 0;
  Bytes tail;
  template <class V>
  bool visit(V& v) {
    return v.vec16("ops", ops) && v.vec_n("rvals", rvals, ops.size()) && v.be("port", port) &&
           v.rest("tail", tail);
  }
  bool operator==(const Special&) const = default;
};

TEST(Denc, Vec16VecNBigEndianRest) {
  auto wire = from_hex("0200 01000000 02000000 ffffffff feffffff 1a90 c0ffee");
  auto s = testing::expect_round_trip<Special>(wire);
  EXPECT_EQ(s.ops.size(), 2u);
  EXPECT_EQ(s.rvals[1], -2);
  EXPECT_EQ(s.port, 6800);
  EXPECT_EQ(s.tail.size(), 3u);
}

}  // namespace
}  // namespace cephwire::codec
