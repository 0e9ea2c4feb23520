#include "codec/messages/MWatchNotify.h"

#include <algorithm>

#include "codec/messages/osd_message_checks.h"

namespace cephwire::codec {

Result<MWatchNotify> MWatchNotify::decode(const MessageParts& p) {
  // Every path returns `m` so the result is constructed in place (NRVO).
  Result<MWatchNotify> m(tl::in_place);
  if (!osd_message_parts_ok(p, kType, kHeadVersion)) [[unlikely]] {
    m = tl::unexpected(std::move(check_osd_message_parts(p, kType, kName, kHeadVersion).error()));
    return m;
  }
  m->header_version = p.version;
  auto fresh = [&] {
    MWatchNotify f;
    f.header_version = p.version;
    return f;
  };
  if (auto r = decode_fields(*m, p.front.span(), kName, fresh); !r) [[unlikely]] {
    m = tl::unexpected(std::move(r.error()));
  } else if (m->opcode == watch_event::kNotifyComplete) {
    if (!p.data.empty()) {
      Decoder dd(p.data.span(), "MWatchNotify.data");
      notify_completion_t c;
      if (!dd.field(c) || !dd.expect_end()) {
        m = tl::unexpected(dd.take_error());
      } else {
        m->completion = std::move(c);
      }
    }
  } else if (!p.data.empty()) {
    m = make_error(ErrorKind::kTrailingBytes, "MWatchNotify.data", 0,
                   std::to_string(p.data.size()) +
                       " data bytes; only NOTIFY_COMPLETE carries a data segment");
  }
  return m;
}

void MWatchNotify::encode(MessageParts& p) const {
  p.type = kType;
  p.version = header_version;
  if (p.compat_version == 0) p.compat_version = std::min(kCompatVersion, header_version);
  p.front = Bytes(encode_to_vector(*this));
  p.middle = Bytes();
  p.data = completion ? Bytes(encode_to_vector(*completion)) : Bytes();
}

void MWatchNotify::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("type", kName);
  w.kv("header_version", header_version);
  w.kv("msg_ver", msg_ver);
  if (const char* n = ceph_watch_event_name(opcode)) {
    w.kv("opcode", n);
  } else {
    w.kv("opcode", opcode);
  }
  w.kv("cookie", cookie);
  w.kv("ver", ver);
  w.kv("notify_id", notify_id);
  if (msg_ver >= 1) {
    w.key("payload");
    w.bytes(bl.span());
  }
  if (header_version >= 2) w.kv("return_code", return_code);
  if (header_version >= 3) w.kv("notifier_gid", notifier_gid);
  if (completion) {
    w.key("reply");
    completion->dump(w);
  }
  w.end_object();
}

}  // namespace cephwire::codec
