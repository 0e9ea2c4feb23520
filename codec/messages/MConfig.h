// MConfig (MSG_CONFIG = 62), mon -> client (Ceph src/messages/MConfig.h, decode_payload /
// encode_payload; HEAD_VERSION 1, COMPAT_VERSION 1): map<string, string> config (the
// centralised config options that apply to this client).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "codec/message.h"
#include "codec/messages/mon_message_util.h"

namespace cephwire::codec {

struct MConfig {
  static constexpr uint16_t kType = 62;
  static constexpr const char* kName = "MConfig";
  static constexpr uint16_t kHeadVersion = 1;
  static constexpr uint16_t kCompatVersion = 1;
  uint16_t header_version = kHeadVersion;

  std::map<std::string, std::string> config;

  template <class V>
  bool visit(V& v) {
    return v("config", config);
  }

  static Result<MConfig> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MConfig&) const = default;
};

}  // namespace cephwire::codec
