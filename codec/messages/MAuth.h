// MAuth (CEPH_MSG_AUTH = 17), client -> mon over msgr v1 (Ceph src/messages/MAuth.h,
// decode_payload / encode_payload):
//   PaxosServiceMessage header (18 B) | le32 protocol | bufferlist auth_payload |
//   le32 monmap_epoch (decoded only if bytes remain: "if (!p.end())").
// No HEAD_VERSION (header.version 1, compat filled with 1 by Message::encode).
//
// AuthHelloPayload is the auth_payload of the first MAuth of a session, protocol
// CEPH_AUTH_UNKNOWN (0) (Ceph src/mon/MonClient.cc MonConnection::start; read by
// AuthMonitor::prep_auth): u8 struct_v (1) | vector<le32> supported methods (CEPH_AUTH_NONE = 1,
// CEPH_AUTH_CEPHX = 2) | EntityName | le64 global_id (0 for a new session).
#pragma once

#include <cstdint>
#include <vector>

#include "codec/message.h"
#include "codec/messages/EntityName.h"
#include "codec/messages/PaxosServiceMessage.h"
#include "codec/messages/mon_message_util.h"

namespace cephwire::codec {

inline constexpr uint32_t kCephAuthUnknown = 0;
inline constexpr uint32_t kCephAuthNone = 1;
inline constexpr uint32_t kCephAuthCephx = 2;

struct AuthHelloPayload {
  uint8_t struct_v = 1;
  std::vector<uint32_t> supported_methods;
  EntityName entity_name;
  uint64_t global_id = 0;

  template <class V>
  bool visit(V& v) {
    return v("struct_v", struct_v) && v("supported_methods", supported_methods) &&
           v("entity_name", entity_name) && v("global_id", global_id);
  }
  bool operator==(const AuthHelloPayload&) const = default;
};

struct MAuth {
  static constexpr uint16_t kType = 17;
  static constexpr const char* kName = "MAuth";
  static constexpr uint16_t kHeadVersion = 1;
  static constexpr uint16_t kCompatVersion = 0;  // unset in Ceph: goes out as == version
  uint16_t header_version = kHeadVersion;

  PaxosServiceHeader paxos;
  uint32_t protocol = kCephAuthUnknown;
  Bytes auth_payload;
  bool has_monmap_epoch = true;  // Ceph always writes it; old senders may not
  uint32_t monmap_epoch = 0;

  template <class V>
  bool visit(V& v) {
    if (!(v("paxos", paxos) && v("protocol", protocol) && v("auth_payload", auth_payload)))
      return false;
    if constexpr (V::kDecoding) has_monmap_epoch = v.remaining() != 0;
    return !has_monmap_epoch || v("monmap_epoch", monmap_epoch);
  }

  static Result<MAuth> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MAuth&) const = default;

  // The hello payload (protocol 0), decoded strictly from auth_payload.
  Result<AuthHelloPayload> hello() const;
  // The first MAuth MonClient sends: protocol 0, the hello payload, monmap_epoch.
  static MAuth make_hello(const AuthHelloPayload& hello, uint32_t monmap_epoch = 0);
};

}  // namespace cephwire::codec
