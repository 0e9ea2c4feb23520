#include "codec/messages/MOSDOpReply.h"

#include <algorithm>

#include "codec/messages/osd_message_checks.h"

namespace cephwire::codec {

Result<MOSDOpReply> MOSDOpReply::decode(const MessageParts& p) {
  // Every path returns `m` so the (large) result is constructed in place (NRVO).
  Result<MOSDOpReply> m(tl::in_place);
  if (auto r = decode_into(p, *m); !r) [[unlikely]]
    m = tl::unexpected(std::move(r.error()));
  return m;
}

Result<void> MOSDOpReply::decode_into(const MessageParts& p, MOSDOpReply& m) {
  std::vector<OSDOp> ops = std::move(m.ops);
  m = MOSDOpReply{};
  m.ops = std::move(ops);  // decoding clears and refills it
  if (!osd_message_parts_ok(p, kType, kHeadVersion)) [[unlikely]]
    return tl::unexpected(std::move(check_osd_message_parts(p, kType, kName, kHeadVersion).error()));
  m.header_version = p.version;
  auto fresh = [&] {
    MOSDOpReply f;
    f.header_version = p.version;
    return f;
  };
  if (auto r = decode_fields(m, p.front.span(), kName, fresh); !r) [[unlikely]]
    return tl::unexpected(std::move(r.error()));
  if (p.version < 4) {
    m.unsplit_data = p.data;  // Ceph does not split the data segment before v4
  } else if (!try_split_osd_op_vector_data(m.ops, p.data, /*in=*/false)) [[unlikely]] {
    return tl::unexpected(std::move(split_osd_op_vector_out_data(m.ops, p.data, kName).error()));
  }
  return {};
}

void MOSDOpReply::encode(MessageParts& p) const {
  p.type = kType;
  p.version = header_version;
  if (p.compat_version == 0) p.compat_version = std::min(kCompatVersion, header_version);
  p.front = Bytes(encode_to_vector(*this));
  p.middle = Bytes();
  p.data = header_version >= 4 ? merge_osd_op_vector_out_data(ops) : unsplit_data;
}

void MOSDOpReply::dump(JsonWriter& w) const {
  const uint16_t hv = header_version;
  w.begin_object();
  w.kv("type", kName);
  w.kv("header_version", hv);
  w.kv("oid", oid);
  w.key("pgid");
  if (hv >= 2) {
    pgid.dump(w);
  } else {
    old_pgid.dump(w);
    w.kv("client_inc", client_inc);
    w.kv("stripe_unit", stripe_unit);
  }
  w.kv("flags", flags);
  w.kv("flags_str", ceph_osd_flag_string(static_cast<uint32_t>(flags)));
  w.kv("result", result);
  if (hv >= 2) {
    w.key("bad_replay_version");
    dump_json(bad_replay_version, w);
  }
  w.kv("osdmap_epoch", osdmap_epoch);
  w.key("ops");
  w.begin_array();
  for (const auto& o : ops) dump_osd_op(w, o, /*request=*/false, /*with_rval=*/hv >= 4);
  w.end_array();
  if (hv >= 3) w.kv("retry_attempt", retry_attempt);
  if (hv >= 5 || hv < 2) {
    w.key("replay_version");
    dump_json(replay_version, w);
  }
  if (hv >= 5) w.kv("user_version", user_version);
  if (hv >= 7) w.kv("do_redirect", do_redirect);
  if (hv == 6 || (hv >= 7 && do_redirect)) {
    w.key("redirect");
    redirect.dump(w);
  }
  if (hv >= 8) {
    w.key("trace");
    dump_json(trace, w);
  }
  if (hv < 4 && !unsplit_data.empty()) {
    w.key("data");
    w.bytes(unsplit_data.span());
  }
  w.end_object();
}

}  // namespace cephwire::codec
