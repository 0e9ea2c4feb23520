// Fifo<T>: a first-in-first-out queue in one vector that keeps its storage.
//
// std::deque allocates a 512-byte block per 512 / sizeof(T) elements (one per element for
// the decoders' items and the connections' events, which are larger than that): a client
// receiving 120,000 replies a minute allocated and freed a block per reply. A Fifo reuses its
// vector; popped slots are reclaimed when the queue empties, or by moving the live tail down
// once more than half of the slots are popped (amortized O(1) per element).
#pragma once

#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

namespace cephwire::codec {

template <class T>
class Fifo {
 public:
  bool empty() const { return head_ == v_.size(); }
  size_t size() const { return v_.size() - head_; }
  // Slots in use, popped ones not yet reclaimed included (tests).
  size_t slots() const { return v_.size(); }
  T& front() { return v_[head_]; }
  const T& front() const { return v_[head_]; }
  T& back() { return v_.back(); }
  void push_back(T x) {
    if (head_ > 32 && head_ * 2 > v_.size()) compact();
    v_.push_back(std::move(x));
  }
  // Precondition: !empty(). The popped element is left moved-from until reclaimed.
  T take_front() {
    T x = std::move(v_[head_++]);
    if (head_ == v_.size()) clear();
    return x;
  }
  void pop_front() {
    if (++head_ == v_.size()) clear();
  }
  void clear() {
    v_.clear();
    head_ = 0;
  }
  // Live elements, oldest first.
  auto begin() { return v_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() { return v_.end(); }
  auto begin() const { return v_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() const { return v_.end(); }

 private:
  void compact() {
    v_.erase(v_.begin(), v_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  std::vector<T> v_;
  size_t head_ = 0;
};

}  // namespace cephwire::codec
