#include "fuzz/mutate.h"

#include <algorithm>
#include <cstring>

namespace cephwire::fuzz {

CEPHWIRE_HARNESS_ONLY size_t raw_mutate(uint8_t* data, size_t size, size_t max_size, Rng& rng) {
  if (LLVMFuzzerMutate) return LLVMFuzzerMutate(data, size, max_size);
  // Fallback (no libFuzzer): flip, overwrite, insert or erase a few bytes.
  const int n = 1 + static_cast<int>(rng.below(4));
  for (int i = 0; i < n; ++i) {
    switch (rng.below(4)) {
      case 0:
        if (size) data[rng.below(size)] ^= static_cast<uint8_t>(1u << rng.below(8));
        break;
      case 1:
        if (size) data[rng.below(size)] = static_cast<uint8_t>(rng.next());
        break;
      case 2:
        if (size < max_size) {
          const size_t at = rng.below(size + 1);
          std::memmove(data + at + 1, data + at, size - at);
          data[at] = static_cast<uint8_t>(rng.next());
          ++size;
        }
        break;
      default:
        if (size) {
          const size_t at = rng.below(size);
          std::memmove(data + at, data + at + 1, size - at - 1);
          --size;
        }
        break;
    }
  }
  return size;
}

CEPHWIRE_HARNESS_ONLY codec::Bytes mutate_bytes(const codec::Bytes& b, Rng& rng, size_t max_len,
                                           bool keep_size) {
  std::vector<uint8_t> v = b.to_vector();
  if (!keep_size) {
    switch (rng.below(5)) {
      case 0: v.clear(); return codec::Bytes(std::move(v));
      case 1:
        if (!v.empty()) v.resize(rng.below(v.size()));
        return codec::Bytes(std::move(v));
      case 2: {
        const size_t add = 1 + rng.below(rng.one_in(8) ? 512 : 16);
        for (size_t i = 0; i < add && v.size() < max_len; ++i)
          v.push_back(static_cast<uint8_t>(rng.next()));
        return codec::Bytes(std::move(v));
      }
      default: break;
    }
  }
  if (v.empty()) {
    if (keep_size) return codec::Bytes();
    const size_t add = 1 + rng.below(16);
    for (size_t i = 0; i < add && v.size() < max_len; ++i) v.push_back(static_cast<uint8_t>(rng.next()));
    return codec::Bytes(std::move(v));
  }
  const size_t cap = keep_size ? v.size() : std::max(max_len, v.size());
  const size_t old = v.size();
  // Mutate in a scratch buffer that only grows: resizing v to max_len (up to 16 KiB) would zero
  // it on every call, which was a tenth of a message target's time.
  thread_local std::vector<uint8_t> scratch;
  if (scratch.size() < cap) scratch.resize(cap);
  std::memcpy(scratch.data(), v.data(), old);
  size_t n = raw_mutate(scratch.data(), old, cap, rng);
  if (keep_size) {
    // Keep the length: pad or cut back to the old size.
    n = old;
  }
  v.assign(scratch.data(), scratch.data() + n);
  return codec::Bytes(std::move(v));
}

CEPHWIRE_HARNESS_ONLY size_t emit(const std::vector<uint8_t>& out, uint8_t* data, size_t size,
                                  size_t max_size, Rng& rng) {
  if (out.size() > max_size || out.empty()) return raw_mutate(data, size, max_size, rng);
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

CEPHWIRE_HARNESS_ONLY size_t emit(uint8_t head, const std::vector<uint8_t>& body, uint8_t* data,
                                  size_t size, size_t max_size, Rng& rng) {
  if (body.size() + 1 > max_size) return raw_mutate(data, size, max_size, rng);
  data[0] = head;
  if (!body.empty()) std::memcpy(data + 1, body.data(), body.size());
  return body.size() + 1;
}

}  // namespace cephwire::fuzz
