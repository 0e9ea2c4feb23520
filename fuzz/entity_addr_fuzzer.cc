// entity_addrvec_t (and through it entity_addr_t, legacy and addr2): whatever decodes must
// re-encode to the same bytes, and decoding that again gives an equal value.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "codec/types/entity_addr_t.h"

using namespace cephwire::codec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = decode_as<entity_addrvec_t>({data, size}, "entity_addrvec_t");
  if (!r) {
    if (r.error().offset > size) std::abort();  // errors point inside the input
    return 0;
  }
  std::vector<uint8_t> out = encode_to_vector(*r);
  if (out.size() != size || std::memcmp(out.data(), data, size) != 0) std::abort();
  if (encoded_size(*r) != size) std::abort();
  auto again = decode_as<entity_addrvec_t>(out, "entity_addrvec_t");
  if (!again || !(*again == *r)) std::abort();
  JsonWriter w;
  dump_json(*r, w);
  return 0;
}
