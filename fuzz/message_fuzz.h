// The message-family fuzz targets (mosdop, mosdopreply, mwatchnotify, mon): one driver and one
// structure-aware mutator over an adapter per family.
//
// Input: the message input format of fuzz_util.h (header fields + front/middle/data).
// Properties checked on every input:
//  - decoding never crashes; a decode error's offset lies inside the segment it names;
//  - whatever decodes re-encodes to exactly the same type/version/compat_version and
//    front/middle/data bytes, and decoding that again gives an equal value (operator==);
//  - the JSON dump is valid JSON (every input in the replay tests; a hash-chosen 1 in
//    kJsonSampleEvery under libFuzzer, see check_json_for in fuzz_util.h);
//  - family extras (OSD: every op's typed payload re-encodes to its slice, see osd adapter).
// Mutator: decode, then one of: a field of the message (FieldMutator over visit()), a header
// version switch (the same value re-encoded in another layout), a family extra (OSD: add /
// remove / mutate ops, resize their payloads, mutate their typed payloads), or a raw mutation
// of one segment; re-encode (consistent lengths) and serialize. Inputs that do not decode get
// LLVMFuzzerMutate on one segment or on the whole input.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "codec/json_writer.h"
#include "codec/message.h"
#include "fuzz/fuzz_util.h"
#include "fuzz/mutate.h"

namespace cephwire::fuzz {

inline std::string first_difference(const codec::Bytes& a, const codec::Bytes& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a.data()[i] == b.data()[i]) ++i;
  return "sizes " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) +
         ", first difference at byte " + std::to_string(i);
}

inline void copy_header(const codec::MessageParts& from, codec::MessageParts& to) {
  to.type = from.type;
  to.version = from.version;
  to.compat_version = from.compat_version;
  to.priority = from.priority;
  to.seq = from.seq;
  to.tid = from.tid;
  to.data_off = from.data_off;
  to.src = from.src;
}

// Adapter A: using Value; static void fix(MessageParts&) (pick the type);
// static Result<Value> decode(const MessageParts&); static void encode(const Value&,
// MessageParts&); static void dump(const Value&, JsonWriter&); static void extra_checks(const
// Value&, bool json) (json: check the JSON dumps too); static bool mutate_extra(Value&, Rng&);
// static uint16_t head_version(const Value&); static void set_header_version(Value&, uint16_t).
template <class A>
int run_message(const uint8_t* data, size_t size) {
  auto p = parse_parts({data, size});
  if (!p) return 0;
  A::fix(*p);
  auto r = A::decode(*p);
  if (!r) {
    check_parts_error_offset(*p, r.error());
    FUZZ_CHECK(!r.error().field.empty(), "error without a field path: " + r.error().to_string());
    return 0;
  }
  codec::MessageParts q;
  copy_header(*p, q);
  A::encode(*r, q);
  FUZZ_CHECK(q.type == p->type, "re-encoded type " + std::to_string(q.type));
  FUZZ_CHECK(q.version == p->version, "re-encoded version " + std::to_string(q.version) +
                                          " != " + std::to_string(p->version));
  if (p->compat_version != 0)
    FUZZ_CHECK(q.compat_version == p->compat_version, "compat_version changed");
  FUZZ_CHECK(q.front == p->front, "front differs: " + first_difference(q.front, p->front));
  FUZZ_CHECK(q.middle == p->middle, "middle differs: " + first_difference(q.middle, p->middle));
  FUZZ_CHECK(q.data == p->data, "data differs: " + first_difference(q.data, p->data));
  auto again = A::decode(q);
  FUZZ_CHECK(again.has_value(), "re-encoded message does not decode: " +
                                    (again ? std::string() : again.error().to_string()));
  FUZZ_CHECK(*again == *r, "decode(encode(m)) != m");
  const bool json = check_json_for(data, size);  // every input outside --config=fuzz
  if (json) {
    thread_local codec::JsonWriter w;  // reused: its buffer keeps its capacity between inputs
    w.clear();
    A::dump(*r, w);
    FUZZ_CHECK(json_valid(w.str()), "invalid JSON: " + w.str().substr(0, 2000));
  }
  A::extra_checks(*r, json);
  return 0;
}

// Mutator code: not instrumented (see mutate.h).
template <class A>
CEPHWIRE_HARNESS_ONLY size_t mutate_message(uint8_t* data, size_t size, size_t max_size,
                                            unsigned int seed) {
  Rng rng(seed * 0x9e3779b97f4a7c15ull + size);
  if (rng.one_in(8)) return raw_mutate(data, size, max_size, rng);
  // p, m and q view into data: every read of them is done (serialize_parts into `out`) before
  // emit() writes data, so the input needs no copy.
  auto p = parse_parts({data, size});
  if (!p) return raw_mutate(data, size, max_size, rng);
  A::fix(*p);
  auto m = A::decode(*p);
  codec::MessageParts q;
  copy_header(*p, q);
  if (!m || rng.one_in(6)) {
    // Raw mutation of one segment, the header and the other segments kept.
    q.front = p->front;
    q.middle = p->middle;
    q.data = p->data;
    codec::Bytes& seg = p->data.empty() || rng.one_in(2) ? q.front : q.data;
    seg = mutate_bytes(seg, rng, max_size);
    if (rng.one_in(16)) mutate_int(q.version, rng);
    thread_local std::vector<uint8_t> out;
    serialize_parts(q, out);
    return emit(out, data, size, max_size, rng);
  }
  auto& v = *m;
  switch (rng.below(8)) {
    case 0: {
      // Another layout of the same value: neighbours and the oldest ones.
      const uint16_t hv = A::head_version(v);
      const uint16_t nv = rng.one_in(2) ? static_cast<uint16_t>(rng.below(hv + 2u))
                                        : static_cast<uint16_t>(hv + (rng.one_in(2) ? 1 : -1));
      A::set_header_version(v, nv);
      q.version = nv;
      break;
    }
    case 1:
    case 2:
      if (A::mutate_extra(v, rng)) break;
      [[fallthrough]];
    default:
      if (!A::mutate_fields(v, rng)) A::mutate_extra(v, rng);
      break;
  }
  A::encode(v, q);
  if (rng.one_in(32)) mutate_int(q.compat_version, rng);
  thread_local std::vector<uint8_t> out;
  serialize_parts(q, out);
  return emit(out, data, size, max_size, rng);
}

}  // namespace cephwire::fuzz
