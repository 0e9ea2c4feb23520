// MMgrMap (MSG_MGR_MAP = 0x704), mon -> client (Ceph src/messages/MMgrMap.h, decode_payload /
// encode_payload): the front is one encoded MgrMap (no bufferlist length), see MgrMap.h.
// No HEAD_VERSION.
#pragma once

#include <cstdint>

#include "codec/message.h"
#include "codec/messages/MgrMap.h"
#include "codec/messages/mon_message_util.h"

namespace cephwire::codec {

struct MMgrMap {
  static constexpr uint16_t kType = 0x704;
  static constexpr const char* kName = "MMgrMap";
  static constexpr uint16_t kHeadVersion = 1;
  static constexpr uint16_t kCompatVersion = 0;
  uint16_t header_version = kHeadVersion;

  MgrMap map;

  template <class V>
  bool visit(V& v) {
    return v("map", map);
  }

  static Result<MMgrMap> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MMgrMap&) const = default;
};

}  // namespace cephwire::codec
