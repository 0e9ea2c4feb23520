// OpaqueMessage: any message type without a typed decoder here, kept as its raw header fields
// and front / middle / data so that it re-encodes byte-exact (Ceph's decode_message() in
// src/msg/Message.cc would drop it: "can't decode unknown message type N"). describe() says
// "unknown type N".
#pragma once

#include <cstdint>
#include <string>

#include "codec/message.h"

namespace cephwire::codec {

struct OpaqueMessage {
  static constexpr uint16_t kType = 0;  // matches every type
  static constexpr const char* kName = "OpaqueMessage";
  static constexpr uint16_t kHeadVersion = 0xffff;
  static constexpr uint16_t kCompatVersion = 0;

  uint16_t type = 0;
  uint16_t header_version = 0;
  uint16_t compat_version = 0;
  Bytes front, middle, data;  // views into the caller's buffers when decoded

  // Never fails.
  static Result<OpaqueMessage> decode(const MessageParts& p);
  // Sets type, version and compat_version (always: they are part of what is kept) and the three
  // segments.
  void encode(MessageParts& p) const;
  std::string describe() const { return "unknown type " + std::to_string(type); }
  void dump(JsonWriter& w) const;
  bool operator==(const OpaqueMessage&) const = default;
};

}  // namespace cephwire::codec
