// MMonCommand (MSG_MON_COMMAND = 50), client -> mon (Ceph src/messages/MMonCommand.h,
// decode_payload / encode_payload): PaxosServiceMessage header | uuid fsid | vector<string> cmd
// (usually one JSON command). The command's input bufferlist travels in the data segment.
// No HEAD_VERSION.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/message.h"
#include "codec/messages/PaxosServiceMessage.h"
#include "codec/messages/mon_message_util.h"
#include "codec/types/uuid_d.h"

namespace cephwire::codec {

struct MMonCommand {
  static constexpr uint16_t kType = 50;
  static constexpr const char* kName = "MMonCommand";
  static constexpr uint16_t kHeadVersion = 1;
  static constexpr uint16_t kCompatVersion = 0;
  uint16_t header_version = kHeadVersion;

  PaxosServiceHeader paxos;
  uuid_d fsid;
  std::vector<std::string> cmd;
  Bytes inbl;  // the data segment

  template <class V>
  bool visit(V& v) {  // front only
    return v("paxos", paxos) && v("fsid", fsid) && v("cmd", cmd);
  }

  static Result<MMonCommand> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MMonCommand&) const = default;
};

}  // namespace cephwire::codec
