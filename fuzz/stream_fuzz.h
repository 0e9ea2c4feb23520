// The stream-framing targets (msgr1_stream, msgr2_stream): one sans-IO ConnectionDecoder shape
// (/work/briefs/stream_api.md), two messengers.
//
// Input: the stream input format of fuzz_util.h (flags, both directions, a seed, schedule bytes).
// The same two byte streams are decoded three times:
//   A: all of c2s, then all of s2c, polled at the end;
//   B: all of s2c, then all of c2s (the other direction's facts arrive late, so A and B exercise
//      the "wait for the other direction" buffering both ways);
//   C: fuzzer-chosen chunk sizes (1 byte .. a whole direction) and a fuzzer-chosen interleaving
//      of the two directions, polling at fuzzer-chosen moments.
// Properties: per direction, A, B and C produce the same items (offsets, raw bytes, kind,
// crc_ok, message parts) and the same errors; items of one direction are in stream order and do
// not overlap; every item's raw is exactly [begin, end) of what was fed and re-encodes to raw
// (Item::encode); error offsets lie within what was fed; JSON dumps are valid.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "codec/json_writer.h"
#include "codec/message.h"
#include "codec/stream.h"
#include "fuzz/fuzz_util.h"

namespace cephwire::fuzz {

struct ItemSummary {
  uint64_t begin = 0, end = 0;
  std::vector<uint8_t> raw;
  std::string kind;
  bool crc_ok = true;
  bool is_message = false;
  codec::MessageParts header;  // segments left empty
  std::vector<uint8_t> front, middle, data;
  bool operator==(const ItemSummary& o) const {
    return begin == o.begin && end == o.end && raw == o.raw && kind == o.kind &&
           crc_ok == o.crc_ok && is_message == o.is_message && header.type == o.header.type &&
           header.version == o.header.version &&
           header.compat_version == o.header.compat_version &&
           header.priority == o.header.priority && header.seq == o.header.seq &&
           header.tid == o.header.tid && header.data_off == o.header.data_off &&
           header.src == o.header.src && front == o.front && middle == o.middle &&
           data == o.data;
  }
  std::string describe() const {
    return kind + " [" + std::to_string(begin) + ", " + std::to_string(end) + ")" +
           (crc_ok ? "" : " crc bad") +
           (is_message ? " type " + std::to_string(header.type) + " src " +
                             std::to_string(header.src.type) + "." +
                             std::to_string(header.src.num)
                       : "");
  }
};

struct Outcome {
  std::vector<ItemSummary> items[2];
  std::vector<codec::StreamError> errors[2];
};

inline size_t di(codec::Dir d) { return d == codec::Dir::kClientToServer ? 0 : 1; }

// Choices from the schedule bytes, then from the seed.
class Choices {
 public:
  Choices(std::span<const uint8_t> schedule, uint32_t seed) : r_(schedule), rng_(seed) {}
  uint8_t u8() { return r_.empty() ? static_cast<uint8_t>(rng_.next()) : r_.u8(); }

 private:
  Reader r_;
  Rng rng_;
};

template <class Decoder>
class StreamRun {
 public:
  StreamRun(const StreamInput& in, codec::DecoderOptions opts) : in_(in), dec_(opts) {}

  void feed(codec::Dir d, size_t n) {
    size_t& pos = pos_[di(d)];
    const std::span<const uint8_t> all = di(d) == 0 ? in_.c2s : in_.s2c;
    n = std::min(n, all.size() - pos);
    dec_.feed(d, all.subspan(pos, n));
    pos += n;
  }
  void poll() {
    while (auto it = dec_.poll()) take(*it);
    while (auto e = dec_.poll_error()) {
      const size_t k = di(e->dir);
      FUZZ_CHECK(e->offset <= pos_[k], "error offset " + std::to_string(e->offset) +
                                           " beyond the " + std::to_string(pos_[k]) +
                                           " bytes fed: " + e->error.to_string());
      out_.errors[k].push_back(std::move(*e));
    }
  }
  bool done() const { return pos_[0] == in_.c2s.size() && pos_[1] == in_.s2c.size(); }
  size_t left(codec::Dir d) const {
    return (di(d) == 0 ? in_.c2s.size() : in_.s2c.size()) - pos_[di(d)];
  }
  Outcome& outcome() { return out_; }
  Decoder& decoder() { return dec_; }

 private:
  template <class Item>
  void take(const Item& it) {
    const size_t k = di(it.dir);
    const std::span<const uint8_t> all = k == 0 ? in_.c2s : in_.s2c;
    FUZZ_CHECK(it.begin <= it.end && it.end <= pos_[k],
               "item [" + std::to_string(it.begin) + ", " + std::to_string(it.end) +
                   ") beyond the bytes fed (" + std::to_string(pos_[k]) + ")");
    FUZZ_CHECK(it.raw.size() == it.end - it.begin, "raw size != end - begin");
    FUZZ_CHECK(std::equal(it.raw.begin(), it.raw.end(), all.begin() + static_cast<std::ptrdiff_t>(it.begin)),
               "raw is not the bytes fed at [begin, end)");
    if (!out_.items[k].empty())
      FUZZ_CHECK(it.begin >= out_.items[k].back().end, "items overlap or go backwards");
    const std::vector<uint8_t> enc = it.encode();
    FUZZ_CHECK(enc == it.raw, "Item::encode() != raw for " + std::string(it.kind()) + " at " +
                                  std::to_string(it.begin));
    ItemSummary s;
    s.begin = it.begin;
    s.end = it.end;
    s.raw = it.raw;
    s.kind = std::string(it.kind());
    s.crc_ok = it.crc_ok;
    if (const codec::MessageParts* p = it.message()) {
      s.is_message = true;
      s.header = *p;
      s.header.front = s.header.middle = s.header.data = codec::Bytes();
      s.front = p->front.to_vector();
      s.middle = p->middle.to_vector();
      s.data = p->data.to_vector();
    }
    if (check_json_) {
      codec::JsonWriter w;
      it.dump(w);
      FUZZ_CHECK(json_valid(w.str()), "invalid item JSON: " + w.str().substr(0, 2000));
    }
    out_.items[k].push_back(std::move(s));
  }

 public:
  bool check_json_ = false;

 private:
  const StreamInput& in_;
  Decoder dec_;
  size_t pos_[2] = {0, 0};
  Outcome out_;
};

inline void compare(const Outcome& a, const Outcome& b, const char* what) {
  for (size_t k = 0; k < 2; ++k) {
    const char* dir = k == 0 ? "c2s" : "s2c";
    const auto& x = a.items[k];
    const auto& y = b.items[k];
    for (size_t i = 0; i < std::min(x.size(), y.size()); ++i)
      FUZZ_CHECK(x[i] == y[i], std::string(what) + ": " + dir + " item " + std::to_string(i) +
                                   " differs: " + x[i].describe() + " vs " + y[i].describe());
    FUZZ_CHECK(x.size() == y.size(),
               std::string(what) + ": " + dir + " has " + std::to_string(x.size()) + " vs " +
                   std::to_string(y.size()) + " items; next: " +
                   (x.size() > y.size() ? x[y.size()].describe() : y[x.size()].describe()));
    const auto& e = a.errors[k];
    const auto& f = b.errors[k];
    FUZZ_CHECK(e == f, std::string(what) + ": " + dir + " errors differ: " +
                           (e.empty() ? std::string("none") : e[0].error.to_string()) + " vs " +
                           (f.empty() ? std::string("none") : f[0].error.to_string()));
  }
}

template <class Decoder>
int run_stream(const uint8_t* data, size_t size) {
  auto in = parse_stream({data, size});
  if (!in) return 0;
  codec::DecoderOptions opts;
  opts.verify_crc = (in->flags & kStreamLenient) == 0;
  opts.midstream = (in->flags & kStreamMidstream) != 0;
  using codec::Dir;

  StreamRun<Decoder> a(*in, opts);
  a.check_json_ = true;
  a.feed(Dir::kClientToServer, in->c2s.size());
  a.feed(Dir::kServerToClient, in->s2c.size());
  a.poll();

  StreamRun<Decoder> b(*in, opts);
  b.feed(Dir::kServerToClient, in->s2c.size());
  b.poll();
  b.feed(Dir::kClientToServer, in->c2s.size());
  b.poll();
  compare(a.outcome(), b.outcome(), "s2c-first vs c2s-first");

  StreamRun<Decoder> c(*in, opts);
  Choices ch(in->schedule, in->seed);
  while (!c.done()) {
    const uint8_t x = ch.u8();
    Dir d = (x & 1) ? Dir::kServerToClient : Dir::kClientToServer;
    if (c.left(d) == 0) d = d == Dir::kClientToServer ? Dir::kServerToClient : Dir::kClientToServer;
    size_t n;
    switch ((x >> 1) & 7) {
      case 0: n = 1; break;
      case 1: n = 1 + ch.u8() % 8; break;
      case 2: case 3: n = 1 + ch.u8() % 64; break;
      case 4: {
        const size_t lo = ch.u8();
        const size_t hi = ch.u8();
        n = 1 + (lo | (hi << 8)) % 2048;
        break;
      }
      case 5: n = c.left(d); break;
      default: n = 1 + ch.u8(); break;
    }
    c.feed(d, n);
    if (x & 0x80) c.poll();
  }
  c.poll();
  compare(a.outcome(), c.outcome(), "chunked vs whole");
  return 0;
}

}  // namespace cephwire::fuzz
