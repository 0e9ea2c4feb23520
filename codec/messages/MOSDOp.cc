#include "codec/messages/MOSDOp.h"

#include <algorithm>

#include "codec/messages/osd_message_checks.h"

namespace cephwire::codec {

Result<MOSDOp> MOSDOp::decode(const MessageParts& p) {
  // Every path returns `m` so the (large) result is constructed in place (NRVO).
  Result<MOSDOp> m(tl::in_place);
  if (!osd_message_parts_ok(p, kType, kHeadVersion)) [[unlikely]] {
    m = tl::unexpected(std::move(check_osd_message_parts(p, kType, kName, kHeadVersion).error()));
    return m;
  }
  m->header_version = p.version;
  auto fresh = [&] {
    MOSDOp f;
    f.header_version = p.version;
    return f;
  };
  if (auto r = decode_fields(*m, p.front.span(), kName, fresh); !r) [[unlikely]] {
    m = tl::unexpected(std::move(r.error()));
  } else if (!try_split_osd_op_vector_data(m->ops, p.data, /*in=*/true)) [[unlikely]] {
    m = tl::unexpected(std::move(split_osd_op_vector_in_data(m->ops, p.data, kName).error()));
  }
  return m;
}

void MOSDOp::encode(MessageParts& p) const {
  std::vector<uint8_t> front;
  front.reserve(encoded_size(*this));
  encode(p, front);
  p.front = Bytes(std::move(front));  // the same storage, now owned by the parts
}
void MOSDOp::encode(MessageParts& p, std::vector<uint8_t>& front) const {
  p.type = kType;
  p.version = header_version;
  if (p.compat_version == 0) p.compat_version = std::min(kCompatVersion, header_version);
  front.clear();
  encode_append(*this, front);
  p.front = Bytes::view(front);
  p.middle = Bytes();
  p.data = merge_osd_op_vector_in_data(ops);
}

void MOSDOp::dump(JsonWriter& w) const {
  const uint16_t hv = header_version;
  w.begin_object();
  w.kv("type", kName);
  w.kv("header_version", hv);
  if (hv >= 3) {
    w.key("pgid");
    if (hv >= 8) {
      pgid.dump(w);
    } else {
      pgid.pgid.dump(w);
    }
  } else {
    w.key("pgid");
    old_pgid.dump(w);
  }
  if (hv < 2) w.kv("stripe_unit", stripe_unit);
  if (hv >= 8) w.kv("hash", hash);
  w.kv("osdmap_epoch", osdmap_epoch);
  w.kv("flags", flags);
  w.kv("flags_str", ceph_osd_flag_string(flags));
  if (hv < 8) {
    w.key("reassert_version");
    dump_json(reassert_version, w);
  }
  if (hv >= 6) {
    w.key("reqid");
    reqid.dump(w);
  }
  if (hv >= 8) {
    w.key("trace");
    dump_json(trace, w);
  }
  w.kv("client_inc", client_inc);
  w.key("mtime");
  mtime.dump(w);
  if (hv >= 2) {
    w.key("oloc");
    oloc.dump(w);
  }
  w.kv("oid", oid);
  w.key("ops");
  w.begin_array();
  for (const auto& o : ops) dump_osd_op(w, o, /*request=*/true, /*with_rval=*/false);
  w.end_array();
  w.kv("snapid", snapid);
  w.kv("snap_seq", snap_seq);
  w.key("snaps");
  w.begin_array();
  for (uint64_t s : snaps) w.value(s);
  w.end_array();
  if (hv >= 4) w.kv("retry_attempt", retry_attempt);
  if (hv >= 5) w.kv("features", features);
  w.end_object();
}

}  // namespace cephwire::codec
