// MOSDOpReply (CEPH_MSG_OSD_OPREPLY = 43): an OSD's answer to an MOSDOp. HEAD_VERSION 8,
// COMPAT 2.
// Sources (ceph/ceph, Pacific src/messages/MOSDOpReply.h): encode_payload (v1 packed
// ceph_osd_reply_head for peers without PGID64; v6 without NEW_OSDOPREPLY_ENCODING, with the
// redirect always present; else v8) and decode_payload (v8; v<2 head; v2..v7 by version);
// src/osd/osd_types.cc OSDOp::split_osd_op_vector_out_data; src/include/rados.h struct
// ceph_osd_reply_head (whose ceph_eversion is {le32 epoch, le64 version}).
//
// Front layouts by header.version:
//  v2..v8: string oid | pg_t pgid | le64 flags | s32 result | eversion_t bad_replay_version |
//      le32 osdmap_epoch | le32 num_ops | ops | [v3+ s32 retry_attempt]
//      [v4+ num_ops x s32 rval; outdata split from the data segment by payload_len]
//      [v5+ eversion_t replay_version | le64 user_version] [v6: request_redirect_t]
//      [v7+ u8 do_redirect (+ request_redirect_t if set)] [v8: blkin_trace_info (24)]
//  v0/v1: ceph_osd_reply_head: le32 client_inc | le32 flags | old_pg_t | le32 stripe_unit |
//      le32 osdmap_epoch | {le32 epoch, le64 version} reassert_version | s32 result |
//      le32 object_len | le32 num_ops | ops | object name (object_len bytes)
// Before v4 Ceph does not split the data segment; it is kept whole in unsplit_data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/denc.h"
#include "codec/message.h"
#include "codec/messages/OSDOp.h"
#include "codec/messages/blkin_trace_info.h"
#include "codec/messages/old_pg_t.h"
#include "codec/messages/pg_t.h"
#include "codec/messages/rados.h"
#include "codec/messages/request_redirect_t.h"
#include "codec/types/eversion_t.h"

namespace cephwire::codec {

struct MOSDOpReply {
  static constexpr uint16_t kType = 43;
  static constexpr const char* kName = "MOSDOpReply";
  static constexpr uint16_t kHeadVersion = 8;
  static constexpr uint16_t kCompatVersion = 2;

  // User-provided so that value-initialisation does not zero the whole object first (every
  // member has its own initializer).
  MOSDOpReply() noexcept {}

  uint16_t header_version = kHeadVersion;

  std::string oid;
  pg_t pgid;                      // v2+
  int64_t flags = 0;              // request flags minus ACK/ONDISK/ONNVRAM, plus the ack type
  int32_t result = 0;
  eversion_t bad_replay_version;  // v2+
  uint32_t osdmap_epoch = 0;
  std::vector<OSDOp> ops;         // outdata (v4+) = slices of the data segment; rval v4+
  int32_t retry_attempt = -1;     // v3+
  eversion_t replay_version;      // v5+; v0/v1: the head's reassert_version
  uint64_t user_version = 0;      // v5+
  bool do_redirect = false;       // v7+ (a u8 that must be 0 or 1)
  request_redirect_t redirect;    // v6 always; v7+ when do_redirect
  blkin_trace_info trace;         // v8
  uint32_t client_inc = 0;        // v0/v1 head only
  old_pg_t old_pgid;              // v0/v1 head only
  uint32_t stripe_unit = 0;       // v0/v1 head only
  Bytes unsplit_data;             // v0..v3: the data segment, not split by Ceph

  template <class V>
  bool visit(V& v) {
    const uint16_t hv = header_version;
    if (hv < 2) return visit_v1(v);
    uint32_t num_ops = static_cast<uint32_t>(ops.size());
    if (!(v("oid", oid) && v("pgid", pgid) && v("flags", flags) && v("result", result) &&
          v("bad_replay_version", bad_replay_version) && v("osdmap_epoch", osdmap_epoch) &&
          v("num_ops", num_ops) &&
          visit_osd_ops(v, "ops", ops, num_ops, hv >= 4 ? OpPayload::kOut : OpPayload::kAsIs)))
      return false;
    if (hv >= 3 && !v("retry_attempt", retry_attempt)) return false;
    if (hv >= 4) {
      v.push_for_path("rvals");
      bool ok = true;
      for (size_t i = 0; ok && i < ops.size(); ++i) {
        if constexpr (V::kDecoding) v.push(nullptr, static_cast<int64_t>(i));
        ok = v("rval", ops[i].rval);
        if constexpr (V::kDecoding) v.pop();
      }
      v.pop_for_path();
      if (!ok) return false;
    }
    if (hv >= 5 && !(v("replay_version", replay_version) && v("user_version", user_version)))
      return false;
    if (hv == 6 && !v("redirect", redirect)) return false;
    if (hv >= 7) {
      uint8_t b = do_redirect ? 1 : 0;
      if (!v("do_redirect", b)) return false;
      if constexpr (V::kDecoding) {
        if (b > 1)
          return v.fail_field("do_redirect", v.offset() - 1, ErrorKind::kBadValue,
                              "bool must be 0 or 1");
        do_redirect = b != 0;
      }
      if (do_redirect && !v("redirect", redirect)) return false;
    }
    return hv < 8 || v("trace", trace);
  }

  // Strict decode: type 43, version <= 8, compat_version <= 8, empty middle, front consumed
  // exactly; v4+: data segment == sum of payload_len (outdata are views into p.data).
  static Result<MOSDOpReply> decode(const MessageParts& p);
  // The same into `m` (every field replaced; the ops vector's storage reused): for a receiver
  // decoding one reply after another.
  static Result<void> decode_into(const MessageParts& p, MOSDOpReply& m);
  // Sets type, version (= header_version), compat_version (if 0: min(2, header_version)),
  // front, middle (empty) and data (v4+: the ops' outdata joined; else unsplit_data).
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MOSDOpReply&) const = default;

  // Op i's outdata interpreted by op code (see OSDOp.h); kBadValue for an index out of range.
  Result<OpOutput> op_output(size_t i) const {
    if (i >= ops.size())
      return make_error(ErrorKind::kBadValue, "MOSDOpReply.ops", 0, "no op " + std::to_string(i));
    return interpret_outdata(ops[i]);
  }

 private:
  template <class V>
  bool visit_v1(V& v) {
    uint32_t flags32 = static_cast<uint32_t>(flags);
    uint32_t oid_len = static_cast<uint32_t>(oid.size());
    uint32_t num_ops = static_cast<uint32_t>(ops.size());
    if (!(v("client_inc", client_inc) && v("flags", flags32) && v("pgid", old_pgid) &&
          v("stripe_unit", stripe_unit) && v("osdmap_epoch", osdmap_epoch) &&
          v("reassert_epoch", replay_version.epoch) &&
          v("reassert_version", replay_version.version) && v("result", result) &&
          v("object_len", oid_len) && v("num_ops", num_ops) &&
          visit_osd_ops(v, "ops", ops, num_ops, OpPayload::kAsIs)))
      return false;
    Bytes name = Bytes::view({reinterpret_cast<const uint8_t*>(oid.data()), oid.size()});
    if (!v.raw("oid", name, oid_len)) return false;
    if constexpr (V::kDecoding) {
      flags = flags32;
      oid.assign(name.str());
    }
    return true;
  }
};

}  // namespace cephwire::codec
