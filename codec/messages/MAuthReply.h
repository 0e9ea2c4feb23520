// MAuthReply (CEPH_MSG_AUTH_REPLY = 18), mon -> client over msgr v1 (Ceph
// src/messages/MAuthReply.h, decode_payload / encode_payload). No Paxos header:
//   le32 protocol (chosen: CEPH_AUTH_NONE 1, CEPH_AUTH_CEPHX 2) | errorcode32_t result (s32,
//   a negative errno; host and wire errnos agree on Linux) | le64 global_id (assigned by the mon)
//   | bufferlist result_bl (empty for auth none) | string result_msg.
#pragma once

#include <cstdint>
#include <string>

#include "codec/message.h"
#include "codec/messages/mon_message_util.h"

namespace cephwire::codec {

struct MAuthReply {
  static constexpr uint16_t kType = 18;
  static constexpr const char* kName = "MAuthReply";
  static constexpr uint16_t kHeadVersion = 1;
  static constexpr uint16_t kCompatVersion = 0;
  uint16_t header_version = kHeadVersion;

  uint32_t protocol = 0;
  int32_t result = 0;
  uint64_t global_id = 0;
  Bytes result_bl;
  std::string result_msg;

  template <class V>
  bool visit(V& v) {
    return v("protocol", protocol) && v("result", result) && v("global_id", global_id) &&
           v("result_bl", result_bl) && v("result_msg", result_msg);
  }

  static Result<MAuthReply> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MAuthReply&) const = default;
};

}  // namespace cephwire::codec
