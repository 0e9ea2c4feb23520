// MMonSubscribeAck (CEPH_MSG_MON_SUBSCRIBE_ACK = 16), mon -> client (Ceph
// src/messages/MMonSubscribeAck.h, decode_payload / encode_payload; = struct
// ceph_mon_subscribe_ack in src/include/ceph_fs.h): le32 interval (seconds) | uuid fsid.
// None of the recordings has one (the mon is believed to skip it for clients with
// CEPH_FEATURE_MON_STATEFUL_SUB; not checked in Monitor::handle_subscribe). Decoded for
// completeness, from the source layout above.
#pragma once

#include <cstdint>

#include "codec/message.h"
#include "codec/messages/mon_message_util.h"
#include "codec/types/uuid_d.h"

namespace cephwire::codec {

struct MMonSubscribeAck {
  static constexpr uint16_t kType = 16;
  static constexpr const char* kName = "MMonSubscribeAck";
  static constexpr uint16_t kHeadVersion = 1;
  static constexpr uint16_t kCompatVersion = 0;
  uint16_t header_version = kHeadVersion;

  uint32_t interval = 0;
  uuid_d fsid;

  template <class V>
  bool visit(V& v) {
    return v("interval", interval) && v("fsid", fsid);
  }

  static Result<MMonSubscribeAck> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MMonSubscribeAck&) const = default;
};

}  // namespace cephwire::codec
