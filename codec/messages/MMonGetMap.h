// MMonGetMap (CEPH_MSG_MON_GET_MAP = 5), client -> mon (Ceph src/messages/MMonGetMap.h: empty
// encode_payload / decode_payload). MonClient sends it first on a msgr2 mon session
// (MonConnection::start, when the peer address is msgr2); the mon answers with MMonMap.
#pragma once

#include <cstdint>

#include "codec/message.h"
#include "codec/messages/mon_message_util.h"

namespace cephwire::codec {

struct MMonGetMap {
  static constexpr uint16_t kType = 5;
  static constexpr const char* kName = "MMonGetMap";
  static constexpr uint16_t kHeadVersion = 1;
  static constexpr uint16_t kCompatVersion = 0;
  uint16_t header_version = kHeadVersion;

  template <class V>
  bool visit(V&) {
    return true;
  }

  static Result<MMonGetMap> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MMonGetMap&) const = default;
};

}  // namespace cephwire::codec
