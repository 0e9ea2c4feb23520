// CEPH_OSD_OP_NOTIFY output (MOSDOpReply outdata): le64 notify_id.
// Sources (ceph/ceph): src/osd/PrimaryLogPG.cc do_osd_ops case CEPH_OSD_OP_NOTIFY
// ("return our unique notify id to the client": encode(n.notify_id, osd_op.outdata));
// src/osdc/Objecter.cc _linger_commit (decodes it when the outdata has >= 8 bytes).
#pragma once

#include <cstdint>

namespace cephwire::codec {

struct notify_outdata_t {
  static constexpr size_t kWireMinSize = 8;
  uint64_t notify_id = 0;

  template <class V>
  bool visit(V& v) {
    return v("notify_id", notify_id);
  }
  bool operator==(const notify_outdata_t&) const = default;
};

}  // namespace cephwire::codec
