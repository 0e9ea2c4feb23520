#include "codec/denc.h"

namespace cephwire::codec {

template <bool K>
std::string BasicDecoder<K>::path() const {
  std::string p;
  const int n = depth_ < kMaxDepth ? depth_ : kMaxDepth;
  for (int i = 0; i < n; ++i) {
    const Frame& f = frames_[i];
    if (f.name) {
      if (!p.empty()) p += '.';
      p += f.name;
    }
    if (f.idx >= 0) {
      p += '[';
      p += std::to_string(f.idx);
      p += ']';
    }
  }
  return p;
}

template <bool K>
bool BasicDecoder<K>::fail_need(size_t n) {
  return fail(ErrorKind::kTruncated,
              "need " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
}

template <bool K>
bool BasicDecoder<K>::fail_length(uint32_t n, size_t at) {
  return fail(ErrorKind::kLengthTooLarge,
              "length " + std::to_string(n) + " but " + std::to_string(remaining()) +
                  " bytes left",
              at);
}

template <bool K>
bool BasicDecoder<K>::fail_bound(size_t n, size_t min_elem, size_t at) {
  return fail(ErrorKind::kLengthTooLarge,
              "count " + std::to_string(n) + " needs at least " + std::to_string(min_elem) +
                  " bytes each, " + std::to_string(remaining()) + " bytes left",
              at);
}

template class BasicDecoder<true>;
template class BasicDecoder<false>;

}  // namespace cephwire::codec
