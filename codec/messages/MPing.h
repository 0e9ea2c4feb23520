// MPing (CEPH_MSG_PING = 2) (Ceph src/messages/MPing.h: empty encode_payload / decode_payload).
// librados sends it to OSDs (seen on the OSD sessions of the recordings); front, middle and
// data are all empty.
#pragma once

#include <cstdint>

#include "codec/message.h"
#include "codec/messages/mon_message_util.h"

namespace cephwire::codec {

struct MPing {
  static constexpr uint16_t kType = 2;
  static constexpr const char* kName = "MPing";
  static constexpr uint16_t kHeadVersion = 1;
  static constexpr uint16_t kCompatVersion = 0;
  uint16_t header_version = kHeadVersion;

  template <class V>
  bool visit(V&) {
    return true;
  }

  static Result<MPing> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MPing&) const = default;
};

}  // namespace cephwire::codec
