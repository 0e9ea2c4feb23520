// old_pg_t: the 8-byte struct ceph_pg (le16 preferred, le16 ps, le32 pool), encoded raw.
// Sources (ceph/ceph): src/include/rados.h struct ceph_pg; src/osd/osd_types.h old_pg_t
// (decode_raw) and pg_t(const old_pg_t&). Used by MOSDOp v1/v2 and ceph_osd_reply_head.
#pragma once

#include <cstdint>
#include <string>

#include "codec/json_writer.h"

namespace cephwire::codec {

struct old_pg_t {
  static constexpr size_t kWireMinSize = 8;
  int16_t preferred = -1;  // preferred primary osd, -1 = none
  uint16_t ps = 0;         // placement seed
  uint32_t pool = 0;

  template <class V>
  bool visit(V& v) {
    return v("preferred", preferred) && v("ps", ps) && v("pool", pool);
  }
  std::string to_string() const;  // "1.2f" like pg_t
  void dump(JsonWriter& w) const;
  bool operator==(const old_pg_t&) const = default;
};

}  // namespace cephwire::codec
