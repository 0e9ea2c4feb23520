// BufferPool: spare byte buffers handed back by whoever was done with them, reused for the
// next ones.
//
// The stream decoders copy every frame into a buffer of its own (the decoded views point into
// it, and the item owns it). A client that takes ~2,000 replies a second allocated and freed
// one per reply; with the buffers handed back (Connection::recycle after a message was
// handled) a steady stream of small frames needs none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace cephwire::codec {

class BufferPool {
 public:
  static constexpr size_t kMaxBuffers = 32;
  static constexpr size_t kMaxKeptCapacity = 64 * 1024;  // larger buffers are freed

  // A copy of `bytes`, in a recycled buffer's storage when there is one.
  std::vector<uint8_t> copy_of(std::span<const uint8_t> bytes) {
    std::vector<uint8_t> b;
    if (!spare_.empty()) {
      b = std::move(spare_.back());
      spare_.pop_back();
    }
    b.assign(bytes.begin(), bytes.end());
    return b;
  }
  void give(std::vector<uint8_t>&& b) {
    if (b.capacity() == 0 || b.capacity() > kMaxKeptCapacity || spare_.size() >= kMaxBuffers)
      return;
    b.clear();
    spare_.push_back(std::move(b));
  }
  size_t spare() const { return spare_.size(); }

 private:
  std::vector<std::vector<uint8_t>> spare_;
};

}  // namespace cephwire::codec
