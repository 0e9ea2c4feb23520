// One field list, four uses: every wire type declares its fields once,
//
//   template <class V> bool visit(V& v) { return v("epoch", epoch) && v("flags", flags); }
//
// and four visitors walk that list: Decoder (strict, bounds-checked, typed errors), Encoder,
// Sizer and Dumper (JSON). Encode/decode symmetry therefore holds by construction.
// Models: Ceph src/include/denc.h (DENC bodies that are sizer, encoder and decoder at once) and
// src/include/encoding.h (ENCODE_START / DECODE_START / DECODE_START_LEGACY_COMPAT_LEN); Linux
// include/linux/ceph/decode.h for checked decoding (ceph_decode_need, ceph_start_decoding).
//
// Default encodings (Ceph's): integers little-endian; bool one byte; std::string and Bytes as
// u32 length + bytes; std::vector / std::list / std::set as u32 count + elements; std::map as
// u32 count + key/value pairs; std::pair as first then second; std::array<uint8_t, N> as N raw
// bytes; any class with a visit() member as its fields. Other wire forms are explicit visitor
// calls (vec16, vec_n, raw, rest, be, envelope, legacy_envelope).
//
// Strictness: the decoder checks every length and count against the bytes left before it
// allocates anything, rejects struct_compat newer than the type understands, and records the
// field path and byte offset of the first error. Bytes inside a versioned envelope after the
// fields we know are kept (Envelope::unknown_tail) and re-encoded, as Ceph skips them. std::map
// keys and std::set elements must be strictly increasing (as Ceph encodes them), else the value
// would not re-encode to the same bytes.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <list>
#include <map>
#include <set>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "codec/bytes.h"
#include "codec/error.h"
#include "codec/json_writer.h"

namespace cephwire::codec {

// What ENCODE_START wrote: kept per value so re-encoding reproduces the bytes exactly.
struct Envelope {
  uint8_t struct_v = 0;
  uint8_t struct_compat = 0;
  Bytes unknown_tail;     // bytes inside the envelope after the fields this codec knows
  bool headless = false;  // DECODE_START_LEGACY_COMPAT_LEN with struct_v < lenv: no compat, no len
  bool operator==(const Envelope&) const = default;
};

// ---- type traits -------------------------------------------------------------------------
template <class T> struct is_vector : std::false_type {};
template <class T, class A> struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T> struct is_list : std::false_type {};
template <class T, class A> struct is_list<std::list<T, A>> : std::true_type {};
template <class T> struct is_set : std::false_type {};
template <class T, class C, class A> struct is_set<std::set<T, C, A>> : std::true_type {};
template <class T> struct is_map : std::false_type {};
template <class K, class V, class C, class A> struct is_map<std::map<K, V, C, A>> : std::true_type {};
template <class T> struct is_pair : std::false_type {};
template <class A, class B> struct is_pair<std::pair<A, B>> : std::true_type {};
template <class T> struct is_byte_array : std::false_type {};
template <size_t N> struct is_byte_array<std::array<uint8_t, N>> : std::true_type {};

template <class T>
concept Integral = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// Smallest number of wire bytes one element of T can take: bounds counts before allocation.
template <class T>
constexpr size_t wire_min_size() {
  if constexpr (std::is_same_v<T, bool>) return 1;
  else if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) return sizeof(T);
  else if constexpr (is_pair<T>::value)
    return wire_min_size<typename T::first_type>() + wire_min_size<typename T::second_type>();
  else if constexpr (is_byte_array<T>::value) return std::tuple_size_v<T> ? std::tuple_size_v<T> : 1;
  else if constexpr (requires { T::kWireMinSize; }) return T::kWireMinSize;
  else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Bytes> ||
                     is_vector<T>::value || is_list<T>::value || is_set<T>::value ||
                     is_map<T>::value)
    return 4;
  else return 1;
}

// ---- Decoder ----------------------------------------------------------------------------
// BasicDecoder<true> (= Decoder) keeps the field path as it goes, so an error names its field.
// BasicDecoder<false> (= FastDecoder) keeps no path: the hot messages decode with it first and,
// only when that fails, decode again with a Decoder to name the field (decoding is
// deterministic, so the second run meets the same error); its own errors carry no path.
template <bool kTrackPath>
class BasicDecoder {
 public:
  static constexpr bool kDecoding = true;
  static constexpr bool kEncoding = false;
  static constexpr bool kDumping = false;

  // `base` is added to every offset reported in errors (e.g. the front's position in a frame).
  explicit BasicDecoder(std::span<const uint8_t> buf, const char* root = nullptr, size_t base = 0)
      : begin_(buf.data()), pos_(buf.data()), end_(buf.data() + buf.size()), base_(base) {
    if (root) push(root, -1);
  }

  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
  size_t offset() const { return base_ + static_cast<size_t>(pos_ - begin_); }
  bool ok() const { return !failed_; }
  const DecodeError& error() const { return err_; }
  DecodeError take_error() { return std::move(err_); }

  // Records the first error (later ones are consequences) and returns false.
  bool fail(ErrorKind kind, std::string detail = {}, size_t at = SIZE_MAX) {
    if constexpr (!kTrackPath) {
      // Only the fact counts (see FastDecoder); the caller decodes again to name the error.
      if (!failed_) {
        failed_ = true;
        err_.kind = kind;
        err_.offset = at == SIZE_MAX ? offset() : at;
      }
      return false;
    }
    if (!failed_) {
      failed_ = true;
      err_ = DecodeError{kind, path(), at == SIZE_MAX ? offset() : at, std::move(detail)};
    }
    return false;
  }
  // An error attributed to a named field that starts at absolute offset `at`.
  bool fail_field(const char* name, size_t at, ErrorKind kind, std::string detail = {}) {
    push(name, -1);
    fail(kind, std::move(detail), at);
    pop();
    return false;
  }
  // Value validation: in the decoder a false condition is an error; other visitors ignore it.
  bool check(bool cond, ErrorKind kind, const char* detail) {
    return cond || fail(kind, detail);
  }
  // Everything must have been consumed (message bodies, frame payloads).
  bool expect_end(const char* what = "bytes after the last field") {
    if (remaining() == 0) return true;
    return fail(ErrorKind::kTrailingBytes, std::to_string(remaining()) + " " + what);
  }

  template <class T>
  [[gnu::always_inline]] bool operator()(const char* name, T& v) {
    push(name, -1);
    bool r = field(v);
    pop();
    return r;
  }

  // Integers: little-endian.
  template <Integral T>
  bool field(T& v) {
    if (!need(sizeof(T))) return false;
    std::memcpy(&v, pos_, sizeof(T));  // x86-64 and every Ceph target here are little-endian
    pos_ += sizeof(T);
    return true;
  }
  bool field(bool& v) {
    uint8_t b;
    if (!field(b)) return false;
    v = b != 0;
    return true;
  }
  template <class E>
    requires std::is_enum_v<E>
  bool field(E& v) {
    std::underlying_type_t<E> u;
    if (!field(u)) return false;
    v = static_cast<E>(u);
    return true;
  }
  bool field(std::string& s) {
    uint32_t n;
    if (!length(n)) return false;
    if (n == 0) {
      s.clear();  // most strings on the wire are empty (locator key, namespace)
      return true;
    }
    s.assign(reinterpret_cast<const char*>(pos_), n);
    pos_ += n;
    return true;
  }
  bool field(Bytes& b) {
    uint32_t n;
    if (!length(n)) return false;
    b.set_view(pos_, n);
    pos_ += n;
    return true;
  }
  template <size_t N>
  bool field(std::array<uint8_t, N>& a) {
    if (!need(N)) return false;
    std::memcpy(a.data(), pos_, N);
    pos_ += N;
    return true;
  }
  template <class A, class B>
  bool field(std::pair<A, B>& p) {
    return (*this)("first", p.first) && (*this)("second", p.second);
  }
  template <class T>
    requires(is_vector<T>::value || is_list<T>::value)
  bool field(T& c) {
    uint32_t n;
    if (!count(n, wire_min_size<typename T::value_type>())) return false;
    return elements(c, n);
  }
  template <class T>
    requires is_set<T>::value
  bool field(T& c) {
    uint32_t n;
    if (!count(n, wire_min_size<typename T::value_type>())) return false;
    c.clear();
    for (uint32_t i = 0; i < n; ++i) {
      typename T::value_type e{};
      const size_t at = offset();
      push(nullptr, i);
      bool r = field(e);
      // Ceph encodes a std::set in order; an out-of-order or repeated element would decode but
      // not re-encode to the same bytes, so it is a strictness error here.
      if (r && !c.empty() && !(*std::prev(c.end()) < e))
        r = fail(ErrorKind::kBadValue, "set elements not in increasing order (or repeated)", at);
      pop();
      if (!r) return false;
      c.insert(c.end(), std::move(e));
    }
    return true;
  }
  template <class T>
    requires is_map<T>::value
  bool field(T& m) {
    uint32_t n;
    if (!count(n, wire_min_size<typename T::key_type>() + wire_min_size<typename T::mapped_type>()))
      return false;
    m.clear();
    for (uint32_t i = 0; i < n; ++i) {
      typename T::key_type k{};
      typename T::mapped_type v{};
      const size_t at = offset();
      push(nullptr, i);
      bool r = field(k) && field(v);
      // Ceph encodes a std::map in key order and its decoder keeps the last value of a repeated
      // key; an out-of-order or repeated key would not re-encode to the same bytes, so it is a
      // strictness error here.
      if (r && !m.empty() && !(std::prev(m.end())->first < k))
        r = fail(ErrorKind::kBadValue, "map keys not in increasing order (or repeated)", at);
      pop();
      if (!r) return false;
      m.emplace_hint(m.end(), std::move(k), std::move(v));
    }
    return true;
  }
  template <class T>
    requires requires(T t, BasicDecoder& d) { t.visit(d); }
  bool field(T& t) {
    return t.visit(*this);
  }

  // u16 count + elements (MOSDOp num_ops).
  template <class T>
  bool vec16(const char* name, std::vector<T>& c) {
    push(name, -1);
    uint16_t n;
    bool r = field(n) && bound(n, wire_min_size<T>()) && elements(c, n);
    pop();
    return r;
  }
  // Exactly n elements, no count on the wire (encode_nohead).
  template <class T>
  bool vec_n(const char* name, std::vector<T>& c, size_t n) {
    push(name, -1);
    bool r = bound(n, wire_min_size<T>()) && elements(c, n);
    pop();
    return r;
  }
  // n raw bytes (no length prefix).
  bool raw(const char* name, Bytes& b, size_t n) {
    push(name, -1);
    bool r = need(n);
    if (r) {
      b = Bytes::view({pos_, n});
      pos_ += n;
    }
    pop();
    return r;
  }
  // All bytes left in the current limit.
  bool rest(const char* name, Bytes& b) { return raw(name, b, remaining()); }
  // Big-endian integer (legacy sockaddr family and port).
  template <Integral T>
  bool be(const char* name, T& v) {
    push(name, -1);
    bool r = need(sizeof(T));
    if (r) {
      std::make_unsigned_t<T> u = 0;
      for (size_t i = 0; i < sizeof(T); ++i) u = static_cast<decltype(u)>((u << 8) | pos_[i]);
      v = static_cast<T>(u);
      pos_ += sizeof(T);
    }
    pop();
    return r;
  }

  // ENCODE_START(v, compat, bl) ... ENCODE_FINISH(bl) / DECODE_START(max_compat, bl).
  // body(uint8_t struct_v) -> bool decodes the fields it knows; the rest is unknown_tail.
  template <class F>
  bool envelope(const char* name, Envelope& e, uint8_t max_compat, F&& body) {
    push(name, -1);
    bool r = envelope_body(e, max_compat, body);
    pop();
    return r;
  }
  // DECODE_START_LEGACY_COMPAT_LEN(v, compatv, lenv): struct_v < lenv has no compat and no len
  // (and then the struct's end is unknown: it extends to whatever its fields take).
  template <class F>
  bool legacy_envelope(const char* name, Envelope& e, uint8_t max_compat, uint8_t lenv, F&& body) {
    push(name, -1);
    bool r = true;
    size_t at = offset();
    if (!need(1)) {
      r = false;
    } else if (pos_[0] < lenv) {
      e.struct_v = *pos_++;
      e.struct_compat = 0;
      e.headless = true;
      e.unknown_tail = Bytes();
      if (e.struct_v > max_compat) {
        // Only possible if lenv > max_compat + 1; keep the rule anyway.
        r = fail(ErrorKind::kUnsupportedVersion, "struct_v too new", at);
      } else {
        r = body(e.struct_v);
      }
    } else {
      e.headless = false;
      r = envelope_body(e, max_compat, body);
    }
    pop();
    return r;
  }

  // Path helpers (public so types can label sub-parts of hand-written decoders).
  void push(const char* name, int64_t idx) {
    if constexpr (kTrackPath) {
      if (depth_ < kMaxDepth) frames_[depth_] = {name, idx};
      ++depth_;
    }
  }
  void pop() {
    if constexpr (kTrackPath) --depth_;
  }
  void push_for_path(const char* name) { push(name, -1); }
  void pop_for_path() { pop(); }
  std::string path() const;

  // Limit decoding to the next n bytes (checked); returns the previous end for restore_limit.
  const uint8_t* limit(size_t n) {
    const uint8_t* old = end_;
    end_ = pos_ + n;
    return old;
  }
  void restore_limit(const uint8_t* old) { end_ = old; }
  const uint8_t* cursor() const { return pos_; }

  bool need(size_t n) {
    if (n <= remaining()) [[likely]] return true;
    return fail_need(n);
  }
  // A u32 byte length that must fit in what is left.
  bool length(uint32_t& n) {
    size_t at = offset();
    if (!field(n)) return false;
    if (n > remaining()) [[unlikely]]
      return fail_length(n, at);
    return true;
  }
  // A u32 element count; each element takes at least min_elem bytes.
  bool count(uint32_t& n, size_t min_elem) {
    size_t at = offset();
    if (!field(n)) return false;
    return bound(n, min_elem, at);
  }
  bool bound(size_t n, size_t min_elem, size_t at = SIZE_MAX) {
    if (min_elem == 0) min_elem = 1;
    if (n > remaining() / min_elem) [[unlikely]]
      return fail_bound(n, min_elem, at);
    return true;
  }

 private:
  // The error paths of need / length / bound, out of line so the checks themselves inline
  // (they run for every field).
  [[gnu::noinline, gnu::cold]] bool fail_need(size_t n);
  [[gnu::noinline, gnu::cold]] bool fail_length(uint32_t n, size_t at);
  [[gnu::noinline, gnu::cold]] bool fail_bound(size_t n, size_t min_elem, size_t at);

  template <class C>
  bool elements(C& c, size_t n) {
    c.clear();
    if constexpr (is_vector<C>::value) c.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      c.emplace_back();
      push(nullptr, static_cast<int64_t>(i));
      bool r = field(c.back());
      pop();
      if (!r) return false;
    }
    return true;
  }

  template <class F>
  bool envelope_body(Envelope& e, uint8_t max_compat, F& body) {
    size_t at = offset();
    uint8_t v, compat;
    uint32_t len;
    if (!field(v) || !field(compat)) return false;
    if (compat > max_compat)
      return fail(ErrorKind::kUnsupportedVersion,
                  "struct_compat " + std::to_string(compat) + " > supported " +
                      std::to_string(max_compat),
                  at);
    if (!length(len)) return false;
    e.struct_v = v;
    e.struct_compat = compat;
    e.headless = false;
    const uint8_t* old = limit(len);
    bool r = body(v);
    if (r) {
      e.unknown_tail.set_view(pos_, remaining());
      pos_ = end_;
    }
    restore_limit(old);
    return r;
  }

  static constexpr int kMaxDepth = 32;
  struct Frame {
    const char* name;
    int64_t idx;
  };
  const uint8_t* begin_;
  const uint8_t* pos_;
  const uint8_t* end_;
  size_t base_;
  Frame frames_[kMaxDepth];
  int depth_ = 0;
  bool failed_ = false;
  DecodeError err_;
};

using Decoder = BasicDecoder<true>;
using FastDecoder = BasicDecoder<false>;
extern template class BasicDecoder<true>;
extern template class BasicDecoder<false>;

// ---- Encoder and Sizer (one template: the sizer is an encoder that only counts) ----------
template <bool kCountOnly>
class BasicEncoder {
 public:
  static constexpr bool kDecoding = false;
  static constexpr bool kEncoding = true;
  static constexpr bool kDumping = false;

  BasicEncoder() requires kCountOnly : out_(nullptr) {}
  // Appends to `out`. While the encoder lives, `out` may hold spare bytes past what was
  // written (put() copies into storage grown ahead, with no call into libstdc++'s
  // out-of-line insert per field); the destructor trims it to what was written. Read or move
  // `out` only after the encoder is gone.
  explicit BasicEncoder(std::vector<uint8_t>& out) requires(!kCountOnly)
      : out_(&out), n_(out.size()) {}
  ~BasicEncoder() {
    if constexpr (!kCountOnly) out_->resize(n_);
  }
  BasicEncoder(const BasicEncoder&) = delete;
  BasicEncoder& operator=(const BasicEncoder&) = delete;

  size_t size() const { return n_; }

  bool fail(ErrorKind, std::string = {}, size_t = 0) { return false; }
  bool check(bool, ErrorKind, const char*) { return true; }
  bool expect_end(const char* = nullptr) { return true; }
  void push_for_path(const char*) {}
  void pop_for_path() {}

  template <class T>
  bool operator()(const char*, T& v) {
    return field(v);
  }

  void put(const void* p, size_t n) {
    if constexpr (kCountOnly) {
      n_ += n;
    } else {
      if (n == 0) return;
      if (out_->size() - n_ < n) grow(n);
      std::memcpy(out_->data() + n_, p, n);
      n_ += n;
    }
  }

  template <Integral T>
  bool field(T& v) {
    if constexpr (kCountOnly) {
      n_ += sizeof(T);
    } else {
      // put() with a constant size, spelled out so it compiles to one store.
      if (out_->size() - n_ < sizeof(T)) grow(sizeof(T));
      std::memcpy(out_->data() + n_, &v, sizeof(T));
      n_ += sizeof(T);
    }
    return true;
  }
  bool field(bool& v) {
    uint8_t b = v ? 1 : 0;
    return field(b);
  }
  template <class E>
    requires std::is_enum_v<E>
  bool field(E& v) {
    auto u = static_cast<std::underlying_type_t<E>>(v);
    return field(u);
  }
  bool field(std::string& s) {
    uint32_t n = static_cast<uint32_t>(s.size());
    field(n);
    put(s.data(), s.size());
    return true;
  }
  bool field(Bytes& b) {
    uint32_t n = static_cast<uint32_t>(b.size());
    field(n);
    put(b.data(), b.size());
    return true;
  }
  template <size_t N>
  bool field(std::array<uint8_t, N>& a) {
    put(a.data(), N);
    return true;
  }
  template <class A, class B>
  bool field(std::pair<A, B>& p) {
    // Map keys are const; the encoder never writes through them.
    return field(const_cast<std::remove_const_t<A>&>(p.first)) && field(p.second);
  }
  template <class T>
    requires(is_vector<T>::value || is_list<T>::value || is_set<T>::value || is_map<T>::value)
  bool field(T& c) {
    uint32_t n = static_cast<uint32_t>(c.size());
    field(n);
    for (auto& e : c) field(const_cast<std::remove_const_t<std::remove_reference_t<decltype(e)>>&>(e));
    return true;
  }
  template <class T>
    requires requires(T t, BasicEncoder& d) { t.visit(d); }
  bool field(T& t) {
    return t.visit(*this);
  }

  template <class T>
  bool vec16(const char*, std::vector<T>& c) {
    uint16_t n = static_cast<uint16_t>(c.size());
    field(n);
    for (auto& e : c) field(e);
    return true;
  }
  template <class T>
  bool vec_n(const char*, std::vector<T>& c, size_t n) {
    for (size_t i = 0; i < n && i < c.size(); ++i) field(c[i]);
    return true;
  }
  bool raw(const char*, Bytes& b, size_t n) {
    put(b.data(), n < b.size() ? n : b.size());
    return true;
  }
  bool rest(const char*, Bytes& b) {
    put(b.data(), b.size());
    return true;
  }
  template <Integral T>
  bool be(const char*, T& v) {
    uint8_t buf[sizeof(T)];
    auto u = static_cast<std::make_unsigned_t<T>>(v);
    for (size_t i = 0; i < sizeof(T); ++i) buf[sizeof(T) - 1 - i] = static_cast<uint8_t>(u >> (8 * i));
    put(buf, sizeof(T));
    return true;
  }
  template <class F>
  bool envelope(const char*, Envelope& e, uint8_t, F&& body) {
    field(e.struct_v);
    field(e.struct_compat);
    const size_t len_at = size();
    uint32_t len = 0;
    field(len);
    body(e.struct_v);
    put(e.unknown_tail.data(), e.unknown_tail.size());
    patch_len(len_at);
    return true;
  }
  template <class F>
  bool legacy_envelope(const char* name, Envelope& e, uint8_t max_compat, uint8_t, F&& body) {
    if (e.headless) {
      field(e.struct_v);
      body(e.struct_v);
      return true;
    }
    return envelope(name, e, max_compat, body);
  }

 private:
  void patch_len(size_t len_at) {
    if constexpr (!kCountOnly) {
      uint32_t len = static_cast<uint32_t>(n_ - len_at - 4);
      std::memcpy(out_->data() + len_at, &len, 4);
    }
  }
  // Room for n more bytes past n_: the vector's size runs ahead of n_ (zero-filled once, at
  // most a few hundred bytes more than will be written), and its capacity at least doubles.
  void grow(size_t n) {
    const size_t need = n_ + n;
    if (need > out_->capacity()) out_->reserve(std::max(need, 2 * out_->capacity()));
    out_->resize(std::min(out_->capacity(), need + std::max<size_t>(n, 256)));
  }
  std::vector<uint8_t>* out_;
  size_t n_ = 0;
};

using Encoder = BasicEncoder<false>;
using Sizer = BasicEncoder<true>;

// ---- Dumper (JSON) ------------------------------------------------------------------------
// Types may define `void dump(JsonWriter&) const` to replace the generic field dump (e.g. to
// print op names next to codes); otherwise every visited field is written under its name.
class Dumper {
 public:
  static constexpr bool kDecoding = false;
  static constexpr bool kEncoding = false;
  static constexpr bool kDumping = true;

  explicit Dumper(JsonWriter& w) : w_(w) {}
  JsonWriter& writer() { return w_; }

  bool fail(ErrorKind, std::string = {}, size_t = 0) { return false; }
  bool check(bool, ErrorKind, const char*) { return true; }
  bool expect_end(const char* = nullptr) { return true; }
  void push_for_path(const char*) {}
  void pop_for_path() {}

  template <class T>
  bool operator()(const char* name, T& v) {
    if (name) w_.key(name);
    return field(v);
  }

  template <Integral T>
  bool field(T& v) {
    if constexpr (sizeof(T) == 1) {
      w_.value(static_cast<std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>(v));
    } else {
      w_.value(v);
    }
    return true;
  }
  bool field(bool& v) {
    w_.value(v);
    return true;
  }
  template <class E>
    requires std::is_enum_v<E>
  bool field(E& v) {
    auto u = static_cast<std::underlying_type_t<E>>(v);
    return field(u);
  }
  bool field(std::string& s) {
    w_.value(std::string_view(s));
    return true;
  }
  bool field(Bytes& b) {
    w_.bytes(b.span());
    return true;
  }
  template <size_t N>
  bool field(std::array<uint8_t, N>& a) {
    w_.hex({a.data(), N});
    return true;
  }
  template <class A, class B>
  bool field(std::pair<A, B>& p) {
    w_.begin_array();
    field(const_cast<std::remove_const_t<A>&>(p.first));
    field(p.second);
    w_.end_array();
    return true;
  }
  template <class T>
    requires(is_vector<T>::value || is_list<T>::value || is_set<T>::value)
  bool field(T& c) {
    w_.begin_array();
    for (auto& e : c) field(const_cast<std::remove_const_t<std::remove_reference_t<decltype(e)>>&>(e));
    w_.end_array();
    return true;
  }
  template <class T>
    requires is_map<T>::value
  bool field(T& m) {
    w_.begin_array();
    for (auto& [k, v] : m) {
      w_.begin_object();
      w_.key("key");
      field(const_cast<typename T::key_type&>(k));
      w_.key("value");
      field(v);
      w_.end_object();
    }
    w_.end_array();
    return true;
  }
  template <class T>
    requires requires(T t, Dumper& d) { t.visit(d); }
  bool field(T& t) {
    if constexpr (requires(const T& c, JsonWriter& w) { c.dump(w); }) {
      t.dump(w_);
    } else {
      w_.begin_object();
      t.visit(*this);
      w_.end_object();
    }
    return true;
  }

  template <class T>
  bool vec16(const char* name, std::vector<T>& c) {
    return (*this)(name, c);
  }
  template <class T>
  bool vec_n(const char* name, std::vector<T>& c, size_t) {
    return (*this)(name, c);
  }
  bool raw(const char* name, Bytes& b, size_t) { return (*this)(name, b); }
  bool rest(const char* name, Bytes& b) { return (*this)(name, b); }
  template <Integral T>
  bool be(const char* name, T& v) {
    return (*this)(name, v);
  }
  template <class F>
  bool envelope(const char*, Envelope& e, uint8_t, F&& body) {
    body(e.struct_v);
    return true;
  }
  template <class F>
  bool legacy_envelope(const char*, Envelope& e, uint8_t, uint8_t, F&& body) {
    body(e.struct_v);
    return true;
  }

 private:
  JsonWriter& w_;
};

// ---- entry points -------------------------------------------------------------------------

// Decodes `value` (which may carry context set by the caller, e.g. a header version) from all
// of `buf`; bytes left over are an error when `exact`.
// Decodes `value` in place with a FastDecoder; only if that fails, decodes `fresh()` (the value
// as it was before) again with a path-keeping Decoder, whose error names the field.
template <class T, class Fresh>
Result<void> decode_fields(T& value, std::span<const uint8_t> buf, const char* root,
                           Fresh&& fresh, size_t base = 0, bool exact = true) {
  FastDecoder f(buf, root, base);
  if (f.field(value) && (!exact || f.expect_end())) [[likely]]
    return {};
  T again = fresh();
  Decoder d(buf, root, base);
  if (!d.field(again) || (exact && !d.expect_end())) return tl::unexpected(d.take_error());
  // Cannot happen (decoding is deterministic); say so rather than return a value.
  return tl::unexpected(DecodeError{f.error().kind, root ? root : "", f.error().offset,
                                    "fast and path-keeping decoders disagree"});
}

template <class T>
Result<T> decode_into(T value, std::span<const uint8_t> buf, const char* root, size_t base = 0,
                      bool exact = true) {
  const T initial = value;
  auto r = decode_fields(value, buf, root, [&] { return initial; }, base, exact);
  if (!r) return tl::unexpected(std::move(r.error()));
  return value;
}
template <class T>
Result<T> decode_as(std::span<const uint8_t> buf, const char* root, size_t base = 0,
                    bool exact = true) {
  return decode_into(T{}, buf, root, base, exact);
}
template <class T>
void encode_append(const T& value, std::vector<uint8_t>& out) {
  Encoder e(out);
  e.field(const_cast<T&>(value));
}
template <class T>
size_t encoded_size(const T& value) {
  Sizer s;
  s.field(const_cast<T&>(value));
  return s.size();
}
template <class T>
std::vector<uint8_t> encode_to_vector(const T& value) {
  std::vector<uint8_t> out;
  out.reserve(encoded_size(value));
  encode_append(value, out);
  return out;
}
template <class T>
void dump_json(const T& value, JsonWriter& w) {
  Dumper d(w);
  d.field(const_cast<T&>(value));
}
template <class T>
std::string to_json(const T& value) {
  JsonWriter w;
  dump_json(value, w);
  return w.take();
}

}  // namespace cephwire::codec
