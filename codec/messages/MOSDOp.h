// MOSDOp (CEPH_MSG_OSD_OP = 42): a client's request to an OSD. HEAD_VERSION 8, COMPAT 3.
// Sources (ceph/ceph, Pacific src/messages/MOSDOp.h): encode_payload (v1 for peers without
// OBJECTLOCATOR, v6 without NEW_OSDOP_ENCODING, v7 without RESEND_ON_SPLIT, else v8),
// decode_payload (v8 / v7 partial decode, v1 "old decode", v2..v6 full decode) and
// finish_decode (the rest of v7/v8); src/osd/osd_types.cc OSDOp::split_osd_op_vector_in_data
// (ops' indata is the data segment, cut by payload_len). Linux net/ceph/osd_client.c
// encode_request_partial / encode_request_finish write v8 (and a v4 for pre-luminous OSDs).
//
// Front layouts by header.version (the value is in MessageParts.version):
//  v8: spg_t pgid | le32 hash | le32 osdmap_epoch | le32 flags | osd_reqid_t reqid |
//      blkin_trace_info (24) | le32 client_inc | utime_t mtime | object_locator_t oloc |
//      string oid | le16 num_ops | ops | le64 snapid | le64 snap_seq | vector<le64> snaps |
//      s32 retry_attempt | le64 features
//  v7: pg_t pgid (raw) | epoch | flags | eversion_t reassert_version | reqid | client_inc |
//      mtime | oloc | oid | ops | snapid | snap_seq | snaps | retry_attempt | features
//  v2..v6: client_inc | epoch | flags | mtime | reassert_version | oloc |
//      pgid (v2: raw old_pg_t, v3+: pg_t) | oid | ops | snapid | snap_seq | snaps |
//      [v4+ retry_attempt] [v5+ features] [v6+ reqid]
//  v0/v1: packed ceph_osd_request_head: client_inc | old_pg_t | le32 stripe_unit | epoch |
//      flags | mtime | reassert_version | le32 object_len | snapid | snap_seq | le32 num_snaps |
//      le16 num_ops | ops | object name (object_len bytes) | num_snaps x le64
// Every op's indata is a view into the data segment; header.data_off is left to the caller.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/denc.h"
#include "codec/message.h"
#include "codec/messages/OSDOp.h"
#include "codec/messages/blkin_trace_info.h"
#include "codec/messages/object_locator_t.h"
#include "codec/messages/old_pg_t.h"
#include "codec/messages/osd_reqid_t.h"
#include "codec/messages/rados.h"
#include "codec/messages/spg_t.h"
#include "codec/types/eversion_t.h"
#include "codec/types/utime_t.h"

namespace cephwire::codec {

struct MOSDOp {
  static constexpr uint16_t kType = 42;
  static constexpr const char* kName = "MOSDOp";
  static constexpr uint16_t kHeadVersion = 8;
  static constexpr uint16_t kCompatVersion = 3;

  // User-provided so that value-initialisation does not zero the whole object first (every
  // member has its own initializer).
  MOSDOp() noexcept {}

  uint16_t header_version = kHeadVersion;

  spg_t pgid;                    // v8: actual pg + shard; v3..v7: pgid.pgid = raw pg (full hash)
  old_pg_t old_pgid;             // v0..v2: raw ceph_pg
  uint32_t stripe_unit = 0;      // v0/v1: ceph_object_layout.ol_stripe_unit
  uint32_t hash = 0;             // v8: raw 32-bit object hash
  uint32_t osdmap_epoch = 0;
  uint32_t flags = 0;            // CEPH_OSD_FLAG_*
  eversion_t reassert_version;   // v0..v7 (zero from every sender)
  osd_reqid_t reqid;             // v6+
  blkin_trace_info trace;        // v8
  uint32_t client_inc = 0;
  utime_t mtime;
  object_locator_t oloc;         // v2+
  std::string oid;
  std::vector<OSDOp> ops;        // indata = slices of the data segment
  uint64_t snapid = kNoSnap;
  uint64_t snap_seq = 0;
  std::vector<uint64_t> snaps;
  int32_t retry_attempt = 0;     // v4+
  uint64_t features = 0;         // v5+

  template <class V>
  bool visit(V& v) {
    const uint16_t hv = header_version;
    if (hv >= 8) {
      return v("pgid", pgid) && v("hash", hash) && v("osdmap_epoch", osdmap_epoch) &&
             v("flags", flags) && v("reqid", reqid) && v("trace", trace) && visit_tail_v7(v);
    }
    if (hv == 7) {
      return v("pgid", pgid.pgid) && v("osdmap_epoch", osdmap_epoch) && v("flags", flags) &&
             v("reassert_version", reassert_version) && v("reqid", reqid) && visit_tail_v7(v);
    }
    if (hv < 2) return visit_v1(v);
    if (!(v("client_inc", client_inc) && v("osdmap_epoch", osdmap_epoch) && v("flags", flags) &&
          v("mtime", mtime) && v("reassert_version", reassert_version) && v("oloc", oloc)))
      return false;
    if (!(hv < 3 ? v("pgid", old_pgid) : v("pgid", pgid.pgid))) return false;
    if (!(v("oid", oid) && visit_ops(v) && v("snapid", snapid) && v("snap_seq", snap_seq) &&
          v("snaps", snaps)))
      return false;
    if (hv >= 4 && !v("retry_attempt", retry_attempt)) return false;
    if (hv >= 5 && !v("features", features)) return false;
    return hv < 6 || v("reqid", reqid);
  }

  // Strict decode: type 42, version <= 8, compat_version <= 8, empty middle, front consumed
  // exactly, data segment == sum of payload_len (ops' indata are views into p.data).
  static Result<MOSDOp> decode(const MessageParts& p);
  // Sets type, version (= header_version), compat_version (if 0: min(3, header_version)),
  // front, middle (empty) and data (the ops' indata joined; a single view slice is passed
  // through without a copy). data_off and the other header fields are left alone.
  void encode(MessageParts& p) const;
  // The same with the front encoded into `front` (replaced; its storage reused) and p.front a
  // view of it: for a sender that frames the message before `front` is used again.
  void encode(MessageParts& p, std::vector<uint8_t>& front) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MOSDOp&) const = default;

  // Op i's indata interpreted by op code (see OSDOp.h); kBadValue for an index out of range.
  Result<OpInput> op_input(size_t i) const {
    if (i >= ops.size())
      return make_error(ErrorKind::kBadValue, "MOSDOp.ops", 0, "no op " + std::to_string(i));
    return interpret_indata(ops[i]);
  }

 private:
  template <class V>
  bool visit_ops(V& v) {
    uint16_t num_ops = static_cast<uint16_t>(ops.size());
    return v("num_ops", num_ops) && visit_osd_ops(v, "ops", ops, num_ops, OpPayload::kIn);
  }
  // client_inc .. features, shared by v7 and v8 (the finish_decode part).
  template <class V>
  bool visit_tail_v7(V& v) {
    return v("client_inc", client_inc) && v("mtime", mtime) && v("oloc", oloc) &&
           v("oid", oid) && visit_ops(v) && v("snapid", snapid) && v("snap_seq", snap_seq) &&
           v("snaps", snaps) && v("retry_attempt", retry_attempt) && v("features", features);
  }
  template <class V>
  bool visit_v1(V& v) {
    uint32_t oid_len = static_cast<uint32_t>(oid.size());
    uint32_t num_snaps = static_cast<uint32_t>(snaps.size());
    uint16_t num_ops = static_cast<uint16_t>(ops.size());
    if (!(v("client_inc", client_inc) && v("pgid", old_pgid) && v("stripe_unit", stripe_unit) &&
          v("osdmap_epoch", osdmap_epoch) && v("flags", flags) && v("mtime", mtime) &&
          v("reassert_version", reassert_version) && v("object_len", oid_len) &&
          v("snapid", snapid) && v("snap_seq", snap_seq) && v("num_snaps", num_snaps) &&
          v("num_ops", num_ops) && visit_osd_ops(v, "ops", ops, num_ops, OpPayload::kIn)))
      return false;
    Bytes name = Bytes::view({reinterpret_cast<const uint8_t*>(oid.data()), oid.size()});
    if (!v.raw("oid", name, oid_len)) return false;
    if constexpr (V::kDecoding) oid.assign(name.str());
    return v.vec_n("snaps", snaps, num_snaps);
  }
};

}  // namespace cephwire::codec
