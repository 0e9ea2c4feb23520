// MPoolOpReply (CEPH_MSG_POOLOP_REPLY = 48), mon -> client (Ceph src/messages/MPoolOpReply.h,
// decode_payload / encode_payload; no HEAD_VERSION):
//   PaxosServiceMessage header | uuid fsid | le32 replyCode (a negative errno as u32) |
//   le32 epoch (the osdmap epoch that has the change) | bool has_response_data |
//   if set: bufferlist response_data (CREATE_UNMANAGED_SNAP: the le64 new snapid).
// Ceph writes has_response_data = (response_data non-empty); a 1 with an empty bufferlist is
// kept as it came.
#pragma once

#include <cstdint>

#include "codec/message.h"
#include "codec/messages/PaxosServiceMessage.h"
#include "codec/messages/mon_message_util.h"
#include "codec/types/uuid_d.h"

namespace cephwire::codec {

struct MPoolOpReply {
  static constexpr uint16_t kType = 48;
  static constexpr const char* kName = "MPoolOpReply";
  static constexpr uint16_t kHeadVersion = 1;
  static constexpr uint16_t kCompatVersion = 0;
  uint16_t header_version = kHeadVersion;

  PaxosServiceHeader paxos;
  uuid_d fsid;
  uint32_t reply_code = 0;  // Ceph: replyCode
  uint32_t epoch = 0;
  bool has_response_data = false;
  Bytes response_data;

  template <class V>
  bool visit(V& v) {
    return v("paxos", paxos) && v("fsid", fsid) && v("replyCode", reply_code) &&
           v("epoch", epoch) && mon_util::strict_bool(v, "has_response_data", has_response_data) &&
           (!has_response_data || v("response_data", response_data));
  }

  static Result<MPoolOpReply> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MPoolOpReply&) const = default;
};

}  // namespace cephwire::codec
