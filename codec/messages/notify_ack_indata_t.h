// CEPH_OSD_OP_NOTIFY_ACK input: le64 notify_id | le64 cookie (the watcher's) | bufferlist reply
// (the reply is optional: the OSD decodes it only if bytes remain).
// Sources (ceph/ceph): src/osdc/Objecter.h ObjectOperation::notify_ack (encodes notify_id,
// cookie, reply_bl); src/osd/PrimaryLogPG.cc do_osd_ops case CEPH_OSD_OP_NOTIFY_ACK (decodes
// notify_id and watch_cookie, reply_bl `if (!bp.end())`; when that throws it falls back to the
// legacy form where "op.watch.cookie is actually the notify_id"). Linux net/ceph/osd_client.c
// osd_req_op_notify_ack_init writes notify_id, cookie and a (possibly empty) bufferlist.
//
// Strictness: the legacy form is recognised only for an empty input (payload_len 0); a
// partial or over-long input is a typed error rather than a silent fallback.
#pragma once

#include <cstdint>

#include "codec/denc.h"

namespace cephwire::codec {

struct notify_ack_indata_t {
  static constexpr size_t kWireMinSize = 0;
  bool legacy = false;     // no input: notify_id comes from op.watch.cookie (cookie unknown)
  uint64_t notify_id = 0;
  uint64_t cookie = 0;
  bool has_reply = true;   // the bufferlist is present (librados always writes it)
  Bytes reply;

  template <class V>
  bool visit(V& v) {
    if constexpr (V::kDecoding) {
      legacy = v.remaining() == 0;
      if (legacy) return true;
    } else if (legacy) {
      return true;
    }
    if (!(v("notify_id", notify_id) && v("cookie", cookie))) return false;
    if constexpr (V::kDecoding) has_reply = v.remaining() > 0;
    return !has_reply || v("reply", reply);
  }
  void dump(JsonWriter& w) const {
    w.begin_object();
    w.kv("notify_id", notify_id);
    if (legacy) {
      w.kv("legacy", true);
    } else {
      w.kv("cookie", cookie);
      if (has_reply) {
        w.key("reply");
        w.bytes(reply.span());
      }
    }
    w.end_object();
  }
  bool operator==(const notify_ack_indata_t&) const = default;
};

}  // namespace cephwire::codec
