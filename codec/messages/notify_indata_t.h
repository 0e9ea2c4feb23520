// CEPH_OSD_OP_NOTIFY input: le32 prot_ver (1) | le32 timeout (seconds) | bufferlist payload.
// Sources (ceph/ceph): src/osdc/Objecter.h ObjectOperation::notify (encodes prot_ver,
// timeout, bl into the op's indata); src/osd/PrimaryLogPG.cc do_osd_ops case
// CEPH_OSD_OP_NOTIFY (decodes ver, timeout, bl; 0 timeout = osd_default_notify_timeout).
// Linux net/ceph/osd_client.c osd_req_op_notify_init writes the same bytes.
#pragma once

#include <cstdint>

#include "codec/denc.h"

namespace cephwire::codec {

struct notify_indata_t {
  static constexpr size_t kWireMinSize = 12;
  uint32_t prot_ver = 1;
  uint32_t timeout = 0;  // seconds; 0 = the OSD's osd_default_notify_timeout
  Bytes payload;

  template <class V>
  bool visit(V& v) {
    return v("prot_ver", prot_ver) && v("timeout", timeout) && v("payload", payload);
  }
  bool operator==(const notify_indata_t&) const = default;
};

}  // namespace cephwire::codec
