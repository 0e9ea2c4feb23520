// CEPH_OSD_OP_STAT output (MOSDOpReply outdata): le64 size | utime_t mtime.
// Sources (ceph/ceph): src/osd/PrimaryLogPG.cc do_osd_ops case CEPH_OSD_OP_STAT
// (encode(obs.oi.size), encode(obs.oi.mtime)); src/osdc/Objecter.h ObjectOperation::stat
// (C_ObjectOperation_stat decodes size then mtime).
#pragma once

#include <cstdint>

#include "codec/types/utime_t.h"

namespace cephwire::codec {

struct stat_outdata_t {
  static constexpr size_t kWireMinSize = 16;
  uint64_t size = 0;
  utime_t mtime;

  template <class V>
  bool visit(V& v) {
    return v("size", size) && v("mtime", mtime);
  }
  bool operator==(const stat_outdata_t&) const = default;
};

}  // namespace cephwire::codec
