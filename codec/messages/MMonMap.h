// MMonMap (CEPH_MSG_MON_MAP = 4), mon -> client (Ceph src/messages/MMonMap.h, decode_payload /
// encode_payload): one bufferlist monmapbl (le32 length + the encoded MonMap, see MonMap.h).
// No HEAD_VERSION. The MonMap inside is decoded here too and must fill the bufferlist exactly;
// re-encoding writes the length and the MonMap again (byte-exact, unknown tails kept).
#pragma once

#include <cstdint>

#include "codec/message.h"
#include "codec/messages/MonMap.h"
#include "codec/messages/mon_message_util.h"

namespace cephwire::codec {

struct MMonMap {
  static constexpr uint16_t kType = 4;
  static constexpr const char* kName = "MMonMap";
  static constexpr uint16_t kHeadVersion = 1;
  static constexpr uint16_t kCompatVersion = 0;
  uint16_t header_version = kHeadVersion;

  MonMap monmap;

  template <class V>
  bool visit(V& v) {
    return mon_util::embedded(v, "monmap", monmap);
  }

  static Result<MMonMap> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MMonMap&) const = default;
};

}  // namespace cephwire::codec
