// MWatchNotify (CEPH_MSG_WATCH_NOTIFY = 44): OSD -> client watch/notify events. HEAD_VERSION 3,
// COMPAT 1.
// Sources (ceph/ceph, Pacific src/messages/MWatchNotify.h): encode_payload / decode_payload:
//   u8 msg_ver (1) | u8 opcode | le64 cookie | le64 ver | le64 notify_id |
//   bufferlist bl (if msg_ver >= 1) | s32 return_code (header.version >= 2) |
//   le64 notifier_gid (header.version >= 3)
// src/osd/Watch.cc Notify::maybe_complete_notify (NOTIFY_COMPLETE: empty bl, the acks/timeouts
// in the data segment, return_code -ETIMEDOUT after a timeout), Watch::send_notify,
// Watch::send_disconnect; src/include/ceph_fs.h CEPH_WATCH_EVENT_*. Linux
// net/ceph/osd_client.c handle_watch_notify.
//
// Data segment: for NOTIFY_COMPLETE the notify_completion_t (or empty, as pre-hammer OSDs
// sent it); for every other opcode it must be empty.
#pragma once

#include <cstdint>
#include <optional>

#include "codec/denc.h"
#include "codec/message.h"
#include "codec/messages/notify_completion_t.h"
#include "codec/messages/rados.h"

namespace cephwire::codec {

struct MWatchNotify {
  static constexpr uint16_t kType = 44;
  static constexpr const char* kName = "MWatchNotify";
  static constexpr uint16_t kHeadVersion = 3;
  static constexpr uint16_t kCompatVersion = 1;

  // User-provided so that value-initialisation does not zero the whole object first (every
  // member has its own initializer).
  MWatchNotify() noexcept {}

  uint16_t header_version = kHeadVersion;

  uint8_t msg_ver = 1;        // inner version; the bufferlist is present when >= 1
  uint8_t opcode = 0;         // CEPH_WATCH_EVENT_* (watch_event::k*)
  uint64_t cookie = 0;        // the watch's cookie (NOTIFY, DISCONNECT) or the notifier's
  uint64_t ver = 0;           // object version
  uint64_t notify_id = 0;
  Bytes bl;                   // NOTIFY: the notifier's payload
  int32_t return_code = 0;    // v2+: 0 or -ETIMEDOUT (NOTIFY_COMPLETE)
  uint64_t notifier_gid = 0;  // v3+
  std::optional<notify_completion_t> completion;  // NOTIFY_COMPLETE: the data segment

  template <class V>
  bool visit(V& v) {
    if (!(v("msg_ver", msg_ver) && v("opcode", opcode) && v("cookie", cookie) &&
          v("ver", ver) && v("notify_id", notify_id)))
      return false;
    if (msg_ver >= 1 && !v("bl", bl)) return false;
    if (header_version >= 2 && !v("return_code", return_code)) return false;
    return header_version < 3 || v("notifier_gid", notifier_gid);
  }

  // Strict decode: type 44, version <= 3, compat_version <= 3, empty middle, front consumed
  // exactly; the data segment as described above.
  static Result<MWatchNotify> decode(const MessageParts& p);
  // Sets type, version (= header_version), compat_version (if 0: 1), front, middle (empty)
  // and data (the encoded completion, if any).
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MWatchNotify&) const = default;
};

}  // namespace cephwire::codec
