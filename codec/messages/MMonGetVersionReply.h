// MMonGetVersionReply (CEPH_MSG_MON_GET_VERSION_REPLY = 20), mon -> client (Ceph
// src/messages/MMonGetVersionReply.h, decode_payload / encode_payload; HEAD_VERSION 2, no
// COMPAT_VERSION): le64 handle | le64 version (newest) | header.version >= 2: le64
// oldest_version.
#pragma once

#include <cstdint>

#include "codec/message.h"
#include "codec/messages/mon_message_util.h"

namespace cephwire::codec {

struct MMonGetVersionReply {
  static constexpr uint16_t kType = 20;
  static constexpr const char* kName = "MMonGetVersionReply";
  static constexpr uint16_t kHeadVersion = 2;
  static constexpr uint16_t kCompatVersion = 0;
  uint16_t header_version = kHeadVersion;

  uint64_t handle = 0;
  uint64_t version = 0;
  uint64_t oldest_version = 0;  // header_version >= 2

  template <class V>
  bool visit(V& v) {
    return v("handle", handle) && v("version", version) &&
           (header_version < 2 || v("oldest_version", oldest_version));
  }

  static Result<MMonGetVersionReply> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MMonGetVersionReply&) const = default;
};

}  // namespace cephwire::codec
