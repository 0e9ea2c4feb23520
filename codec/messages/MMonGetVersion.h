// MMonGetVersion (CEPH_MSG_MON_GET_VERSION = 19), client -> mon (Ceph
// src/messages/MMonGetVersion.h, decode_payload / encode_payload): le64 handle (the client's
// tid for this request) | string what ("osdmap", "mdsmap", ...). No Paxos header, no
// HEAD_VERSION. Used to learn the newest epoch (wait_for_latest_osdmap, pool-DNE checks).
#pragma once

#include <cstdint>
#include <string>

#include "codec/message.h"
#include "codec/messages/mon_message_util.h"

namespace cephwire::codec {

struct MMonGetVersion {
  static constexpr uint16_t kType = 19;
  static constexpr const char* kName = "MMonGetVersion";
  static constexpr uint16_t kHeadVersion = 1;
  static constexpr uint16_t kCompatVersion = 0;
  uint16_t header_version = kHeadVersion;

  uint64_t handle = 0;
  std::string what;

  template <class V>
  bool visit(V& v) {
    return v("handle", handle) && v("what", what);
  }

  static Result<MMonGetVersion> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MMonGetVersion&) const = default;
};

}  // namespace cephwire::codec
