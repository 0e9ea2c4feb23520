// osd_reqid_t: ENCODE_START(2, 2) | entity_name_t name | le64 tid | le32 inc, 27 bytes.
// Sources (ceph/ceph): src/osd/osd_types.h osd_reqid_t (DENC with DENC_START(2, 2));
// src/osd/osd_types.cc osd_reqid_t::dump ("name", "inc", "tid"). librados and the kernel send
// it all-zero in MOSDOp; the OSD then derives it from the message source and header.tid
// (MOSDOp::get_reqid).
#pragma once

#include <cstdint>

#include "codec/denc.h"
#include "codec/types/entity_name_t.h"

namespace cephwire::codec {

struct osd_reqid_t {
  static constexpr size_t kWireMinSize = 6;
  entity_name_t name;
  uint64_t tid = 0;
  int32_t inc = 0;
  Envelope env{2, 2};

  template <class V>
  bool visit(V& v) {
    return v.envelope("osd_reqid_t", env, 2, [&](uint8_t) {
      return v("name", name) && v("tid", tid) && v("inc", inc);
    });
  }
  void dump(JsonWriter& w) const {
    w.begin_object();
    w.kv("name", name.to_string());
    w.kv("inc", inc);
    w.kv("tid", tid);
    w.end_object();
  }
  bool operator==(const osd_reqid_t&) const = default;
};

}  // namespace cephwire::codec
