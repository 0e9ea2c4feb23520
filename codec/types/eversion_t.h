// eversion_t: u64 version + u32 epoch, 12 bytes (Ceph src/osd/osd_types.h eversion_t::encode,
// = struct ceph_eversion in src/include/rados.h).
#pragma once

#include <cstdint>

namespace cephwire::codec {

struct eversion_t {
  static constexpr size_t kWireMinSize = 12;
  uint64_t version = 0;
  uint32_t epoch = 0;

  template <class V>
  bool visit(V& v) {
    return v("version", version) && v("epoch", epoch);
  }
  bool operator==(const eversion_t&) const = default;
};

}  // namespace cephwire::codec
