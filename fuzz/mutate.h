// Structure-aware mutation for the cephwire custom mutators (LLVMFuzzerCustomMutator).
//
// Every wire type declares its fields once with visit() (codec/denc.h); FieldMutator is one
// more visitor over that list. A first pass counts the mutable slots of a decoded value
// (integers, bools, byte arrays, strings, byte buffers, container sizes, envelope versions and
// unknown tails), a second pass mutates one of them (boundary values, +-1, bit flips, powers of
// two, random; buffers resized or rewritten; elements erased or duplicated). Re-encoding the
// value with the codec's Encoder then writes consistent lengths and counts, so mutated inputs
// get past the length checks and reach the field decoders behind them; the framed targets also
// recompute every CRC.
//
// Outside libFuzzer (the corpus replay / mutator tests built with g++) LLVMFuzzerMutate does
// not exist; raw_mutate() falls back to a small byte mutator then.
//
// The mutators' top-level functions (LLVMFuzzerCustomMutator, mutate_message, mutate_bytes,
// raw_mutate, ...) are CEPHWIRE_HARNESS_ONLY (no coverage instrumentation): libFuzzer clears
// the coverage counters before each run, so edges hit while mutating never count, and their
// comparisons (Rng choices, sizes) only put mutator values into libFuzzer's table of recent
// compares, which the CMP mutations of LLVMFuzzerMutate draw from. FieldMutator's members are
// inlined into the codec's visit() instantiations and stay instrumented with them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "codec/denc.h"
#include "codec/types/entity_addr_t.h"
#include "fuzz/fuzz_util.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size)
    __attribute__((weak));

namespace cephwire::fuzz {

// libFuzzer's mutator on data[0, size) (capacity max_size), or the fallback.
size_t raw_mutate(uint8_t* data, size_t size, size_t max_size, Rng& rng);
// A mutated copy of b (at most max_len bytes), owned.
codec::Bytes mutate_bytes(const codec::Bytes& b, Rng& rng, size_t max_len = 4096,
                          bool keep_size = false);

template <class T>
CEPHWIRE_HARNESS_ONLY void mutate_int(T& v, Rng& r) {
  using U = std::make_unsigned_t<T>;
  constexpr unsigned kBits = sizeof(U) * 8;
  U u = static_cast<U>(v);
  switch (r.below(9)) {
    case 0: u = 0; break;
    case 1: u = static_cast<U>(u + 1); break;
    case 2: u = static_cast<U>(u - 1); break;
    case 3: u = static_cast<U>(~U{0}); break;
    case 4: u = static_cast<U>(u ^ static_cast<U>(U{1} << r.below(kBits))); break;
    case 5: u = static_cast<U>(r.below(17)); break;
    case 6: u = static_cast<U>(U{1} << r.below(kBits)); break;
    case 7: u = static_cast<U>(static_cast<U>(~U{0}) >> 1); break;  // signed max
    default: u = static_cast<U>(r.next()); break;
  }
  v = static_cast<T>(u);
}

class FieldMutator {
 public:
  static constexpr bool kDecoding = false;
  static constexpr bool kEncoding = false;
  static constexpr bool kDumping = true;

  // target < 0: only count the slots.
  FieldMutator(Rng& rng, int64_t target) : rng_(rng), target_(target) {}
  int64_t count() const { return slot_; }
  bool mutated() const { return mutated_; }

  bool fail(codec::ErrorKind, std::string = {}, size_t = 0) { return false; }
  bool check(bool, codec::ErrorKind, const char*) { return true; }
  bool expect_end(const char* = nullptr) { return true; }
  void push_for_path(const char*) {}
  void pop_for_path() {}

  template <class T>
  bool operator()(const char*, T& v) {
    return field(v);
  }

  template <codec::Integral T>
  bool field(T& v) {
    if (hit()) mutate_int(v, rng_);
    return true;
  }
  bool field(bool& v) {
    if (hit()) v = !v;
    return true;
  }
  template <class E>
    requires std::is_enum_v<E>
  bool field(E& v) {
    if (hit()) {
      auto u = static_cast<std::underlying_type_t<E>>(v);
      mutate_int(u, rng_);
      v = static_cast<E>(u);
    }
    return true;
  }
  bool field(std::string& s) {
    if (hit()) {
      codec::Bytes b = mutate_bytes(codec::Bytes::from_string(s), rng_, 256);
      s.assign(b.str());
    }
    return true;
  }
  bool field(codec::Bytes& b) {
    if (hit()) b = mutate_bytes(b, rng_);
    return true;
  }
  template <size_t N>
  bool field(std::array<uint8_t, N>& a) {
    if (hit() && N) {
      if (rng_.one_in(3)) {
        for (auto& x : a) x = static_cast<uint8_t>(rng_.next());
      } else {
        a[rng_.below(N)] ^= static_cast<uint8_t>(1u << rng_.below(8));
      }
    }
    return true;
  }
  template <class A, class B>
  bool field(std::pair<A, B>& p) {
    if constexpr (!std::is_const_v<A>) field(p.first);
    return field(p.second);
  }
  template <class T>
    requires(codec::is_vector<T>::value || codec::is_list<T>::value)
  bool field(T& c) {
    if (hit()) {
      resize(c);
      return true;
    }
    for (auto& e : c) field(e);
    return true;
  }
  template <class T>
    requires codec::is_set<T>::value
  bool field(T& c) {
    if (hit()) {
      if (!c.empty() && rng_.one_in(2)) {
        auto it = c.begin();
        std::advance(it, rng_.below(c.size()));
        c.erase(it);
      } else {
        typename T::value_type e{};
        if constexpr (codec::Integral<typename T::value_type>) mutate_int(e, rng_);
        c.insert(std::move(e));
      }
    }
    return true;
  }
  template <class T>
    requires codec::is_map<T>::value
  bool field(T& m) {
    if (hit()) {
      if (!m.empty() && rng_.one_in(2)) {
        auto it = m.begin();
        std::advance(it, rng_.below(m.size()));
        m.erase(it);
      } else {
        typename T::key_type k{};
        if constexpr (codec::Integral<typename T::key_type>) mutate_int(k, rng_);
        if constexpr (std::is_same_v<typename T::key_type, std::string>)
          k = std::string(1, static_cast<char>('a' + rng_.below(26)));
        if (!m.empty() && rng_.one_in(2)) {
          auto it = m.begin();
          std::advance(it, rng_.below(m.size()));
          m.emplace(std::move(k), it->second);
        } else {
          m.emplace(std::move(k), typename T::mapped_type{});
        }
      }
      return true;
    }
    for (auto& [k, v] : m) field(v);
    return true;
  }
  template <class T>
    requires requires(T t, FieldMutator& d) { t.visit(d); }
  bool field(T& t) {
    t.visit(*this);
    return true;
  }
  // The codec's encoder trusts elen (it writes elen - 2 bytes of the 126-byte sa_data), so a
  // mutant keeps elen at 0 or within [2, 28]: out-of-range values are decoder inputs, which
  // the raw mutations produce.
  bool field(codec::entity_addr_t& a) {
    a.visit(*this);
    clamp(a);
    return true;
  }
  // entity_addrvec_t's single-address forms visit their address without field().
  bool field(codec::entity_addrvec_t& av) {
    av.visit(*this);
    for (auto& a : av.v) clamp(a);
    return true;
  }

  template <class T>
  bool vec16(const char*, std::vector<T>& c) {
    return field(c);
  }
  template <class T>
  bool vec_n(const char*, std::vector<T>& c, size_t) {
    return field(c);
  }
  // A buffer whose length is stated elsewhere: keep its size most of the time.
  bool raw(const char*, codec::Bytes& b, size_t) {
    if (hit()) b = mutate_bytes(b, rng_, 4096, !rng_.one_in(4));
    return true;
  }
  bool rest(const char*, codec::Bytes& b) { return field(b); }
  template <codec::Integral T>
  bool be(const char*, T& v) {
    return field(v);
  }
  template <class F>
  bool envelope(const char*, codec::Envelope& e, uint8_t max_compat, F&& body) {
    mutate_envelope(e, max_compat);
    body(e.struct_v);
    return true;
  }
  template <class F>
  bool legacy_envelope(const char*, codec::Envelope& e, uint8_t max_compat, uint8_t lenv,
                       F&& body) {
    if (hit()) {
      e.headless = !e.headless;
      if (e.headless && e.struct_v >= lenv && lenv > 0) e.struct_v = static_cast<uint8_t>(lenv - 1);
    }
    mutate_envelope(e, max_compat);
    body(e.struct_v);
    return true;
  }

 private:
  void clamp(codec::entity_addr_t& a) {
    if (a.elen == 1 || a.elen > 28) a.elen = static_cast<uint32_t>(a.elen == 1 ? 0 : 2 + rng_.below(27));
  }
  bool hit() {
    const bool h = slot_++ == target_;
    if (h) mutated_ = true;
    return h;
  }
  void mutate_envelope(codec::Envelope& e, uint8_t max_compat) {
    if (hit()) {
      // Mostly neighbouring versions: they switch fields on and off.
      if (rng_.one_in(4)) mutate_int(e.struct_v, rng_);
      else e.struct_v = static_cast<uint8_t>(e.struct_v + (rng_.one_in(2) ? 1 : -1));
    }
    if (hit()) {
      if (rng_.one_in(2)) e.struct_compat = static_cast<uint8_t>(rng_.below(max_compat + 2u));
      else mutate_int(e.struct_compat, rng_);
    }
    if (hit()) e.unknown_tail = mutate_bytes(e.unknown_tail, rng_, 64);
  }
  template <class C>
  void resize(C& c) {
    if (!c.empty() && rng_.one_in(2)) {
      auto it = c.begin();
      std::advance(it, rng_.below(c.size()));
      c.erase(it);
    } else if (c.size() < 256) {
      if (!c.empty() && rng_.one_in(2)) {
        auto it = c.begin();
        std::advance(it, rng_.below(c.size()));
        auto copy = *it;
        c.insert(it, std::move(copy));
      } else {
        c.emplace_back();
      }
    }
  }

  Rng& rng_;
  int64_t target_;
  int64_t slot_ = 0;
  bool mutated_ = false;
};

// Mutates one slot of v (chosen at random). False if v has no slot.
template <class T>
CEPHWIRE_HARNESS_ONLY bool mutate_fields(T& v, Rng& rng) {
  FieldMutator counter(rng, -1);
  counter.field(v);
  if (counter.count() == 0) return false;
  FieldMutator m(rng, static_cast<int64_t>(rng.below(static_cast<uint64_t>(counter.count()))));
  m.field(v);
  return m.mutated();
}

// Writes `out` into the libFuzzer buffer, or falls back to raw_mutate when it does not fit.
size_t emit(const std::vector<uint8_t>& out, uint8_t* data, size_t size, size_t max_size,
            Rng& rng);
// The same for `head` followed by `body` (no concatenated copy).
size_t emit(uint8_t head, const std::vector<uint8_t>& body, uint8_t* data, size_t size,
            size_t max_size, Rng& rng);

}  // namespace cephwire::fuzz
