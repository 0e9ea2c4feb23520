#include "codec/denc.h"

namespace cephwire::codec {

std::string Decoder::path() const {
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

}  // namespace cephwire::codec
