#include "codec/msgr2/banner.h"

namespace cephwire::codec::msgr2 {

std::vector<uint8_t> encode_banner(uint64_t supported, uint64_t required) {
  Banner b;
  b.supported = supported;
  b.required = required;
  return encode_to_vector(b);
}

}  // namespace cephwire::codec::msgr2
