// MMonCommandAck (MSG_MON_COMMAND_ACK = 51), mon -> client (Ceph src/messages/MMonCommandAck.h,
// decode_payload / encode_payload): PaxosServiceMessage header | errorcode32_t r (s32) |
// string rs (status text) | vector<string> cmd. The command's output bufferlist travels in the
// data segment. No HEAD_VERSION.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/message.h"
#include "codec/messages/PaxosServiceMessage.h"
#include "codec/messages/mon_message_util.h"

namespace cephwire::codec {

struct MMonCommandAck {
  static constexpr uint16_t kType = 51;
  static constexpr const char* kName = "MMonCommandAck";
  static constexpr uint16_t kHeadVersion = 1;
  static constexpr uint16_t kCompatVersion = 0;
  uint16_t header_version = kHeadVersion;

  PaxosServiceHeader paxos;
  int32_t r = 0;
  std::string rs;
  std::vector<std::string> cmd;
  Bytes outbl;  // the data segment

  template <class V>
  bool visit(V& v) {  // front only
    return v("paxos", paxos) && v("r", r) && v("rs", rs) && v("cmd", cmd);
  }

  static Result<MMonCommandAck> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MMonCommandAck&) const = default;
};

}  // namespace cephwire::codec
