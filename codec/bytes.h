// Bytes: a bufferlist stand-in. Either a view into a buffer the caller keeps alive (what the
// decoder produces, so a 4 MiB write payload is never copied) or owned storage (what callers
// build to encode). Copying an owning Bytes copies its storage; copying a view copies the view.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cephwire::codec {

class Bytes {
 public:
  Bytes() = default;
  explicit Bytes(std::vector<uint8_t> owned) : own_(std::move(owned)), owns_(true) { repoint(); }
  static Bytes view(std::span<const uint8_t> s) {
    Bytes b;
    b.p_ = s.data();
    b.n_ = s.size();
    return b;
  }
  static Bytes copy_of(std::span<const uint8_t> s) {
    return Bytes(std::vector<uint8_t>(s.begin(), s.end()));
  }
  static Bytes from_string(std::string_view s) {
    return copy_of({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  }

  Bytes(const Bytes& o) : own_(o.own_), p_(o.p_), n_(o.n_), owns_(o.owns_) {
    if (owns_) repoint();
  }
  Bytes(Bytes&& o) noexcept : own_(std::move(o.own_)), p_(o.p_), n_(o.n_), owns_(o.owns_) {
    if (owns_) repoint();
    o.p_ = nullptr;
    o.n_ = 0;
    o.owns_ = false;
  }
  Bytes& operator=(const Bytes& o) {
    if (this != &o) {
      own_ = o.own_;
      p_ = o.p_;
      n_ = o.n_;
      owns_ = o.owns_;
      if (owns_) repoint();
    }
    return *this;
  }
  Bytes& operator=(Bytes&& o) noexcept {
    if (this != &o) {
      own_ = std::move(o.own_);
      p_ = o.p_;
      n_ = o.n_;
      owns_ = o.owns_;
      if (owns_) repoint();
      o.p_ = nullptr;
      o.n_ = 0;
      o.owns_ = false;
    }
    return *this;
  }

  // Becomes a view of [p, p + n) (what the decoder does for every bufferlist it meets; cheaper
  // than assigning Bytes::view(...), which moves a vector).
  void set_view(const uint8_t* p, size_t n) {
    if (owns_) [[unlikely]] {
      own_ = {};
      owns_ = false;
    }
    p_ = p;
    n_ = n;
  }

  const uint8_t* data() const { return p_; }
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  bool is_view() const { return !owns_; }
  std::span<const uint8_t> span() const { return {p_, n_}; }
  std::string_view str() const { return {reinterpret_cast<const char*>(p_), n_}; }
  std::vector<uint8_t> to_vector() const { return {p_, p_ + n_}; }
  // An owning deep copy (to keep after the decoded buffer goes away).
  Bytes owned() const { return copy_of(span()); }

  bool operator==(const Bytes& o) const {
    return n_ == o.n_ && (n_ == 0 || std::memcmp(p_, o.p_, n_) == 0);
  }

 private:
  void repoint() {
    p_ = own_.data();
    n_ = own_.size();
  }
  std::vector<uint8_t> own_;
  const uint8_t* p_ = nullptr;
  size_t n_ = 0;
  bool owns_ = false;
};

}  // namespace cephwire::codec
