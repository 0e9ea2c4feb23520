// A Ceph message independent of the messenger that carried it: the header fields both
// ceph_msg_header (msgr v1, src/include/msgr.h) and ceph_msg_header2 (msgr v2) have, and the
// three payload segments. Message::encode()/decode_message() in Ceph (src/msg/Message.cc) work
// on exactly this: header.type picks the class, header.version picks the layout, and
// front/middle/data are the bytes the class encodes itself into.
#pragma once

#include <cstdint>

#include "codec/bytes.h"
#include "codec/error.h"
#include "codec/types/entity_name_t.h"

namespace cephwire::codec {

struct MessageParts {
  uint16_t type = 0;
  uint16_t version = 0;         // header.version: the HEAD_VERSION the sender encoded with
  uint16_t compat_version = 0;  // header.compat_version
  uint16_t priority = 0;
  uint64_t seq = 0;
  uint64_t tid = 0;
  uint16_t data_off = 0;
  entity_name_t src;            // v1: header.src; v2: the peer's name from the ident exchange
  Bytes front, middle, data;
};

// Every typed message M provides:
//   static constexpr uint16_t kType;            e.g. 42 (CEPH_MSG_OSD_OP)
//   static constexpr const char* kName;         Ceph class name, e.g. "MOSDOp"
//   static constexpr uint16_t kHeadVersion, kCompatVersion;
//   uint16_t header_version;                    the layout this value is encoded with
//   static Result<M> decode(const MessageParts&);   strict: front, middle and data all
//                                                   consumed exactly; errors name the field
//   void encode(MessageParts&) const;           fills front/middle/data (and version /
//                                               compat_version when they are 0)
//   void dump(JsonWriter&) const;               every field, Ceph dump() names
//   bool operator==(const M&) const;
// so that encode(decode(p)) reproduces p's segments byte for byte.
template <class M>
concept WireMessage = requires(const MessageParts& p, const M& m, MessageParts& out) {
  { M::kType } -> std::convertible_to<uint16_t>;
  { M::kName } -> std::convertible_to<const char*>;
  { M::decode(p) } -> std::same_as<Result<M>>;
  m.encode(out);
};

}  // namespace cephwire::codec
