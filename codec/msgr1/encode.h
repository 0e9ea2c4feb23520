// Encoders for everything the msgr v1 decoder understands, for the live client and for tests:
// they build the typed structs with consistent lengths, and encode() turns any of them into
// wire bytes. What each side writes, in order (ceph/ceph src/msg/async/ProtocolV1.cc):
//   client: encode_banner() | (after the server's banner) encode_legacy_addr(my addr) |
//           encode(make_connect(...)) [again after RETRY_*/RESETSESSION] |
//           (after a SEQ reply and the server's le64) encode(SeqExchange{in_seq}) | tags/messages
//   server: encode(make_server_banner(...)) | encode(make_connect_reply(...)) per connect |
//           (with a SEQ reply) encode(SeqExchange{in_seq}) | tags/messages
// Messages: encode_message() in message_frame.h.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "codec/denc.h"
#include "codec/msgr1/banner.h"
#include "codec/msgr1/ceph_msg_connect.h"
#include "codec/msgr1/ceph_msg_connect_reply.h"
#include "codec/msgr1/message_frame.h"
#include "codec/msgr1/tags.h"

namespace cephwire::codec::msgr1 {

// Any msgr1 struct with visit() -> its wire bytes.
template <class T>
std::vector<uint8_t> encode(const T& v) {
  return encode_to_vector(v);
}

// "ceph v027" alone (the client writes it before reading anything).
std::vector<uint8_t> encode_banner();
// `a` in the legacy 136-byte form (encode(addr, bl, 0)); an addr2-form input is converted.
entity_addr_t to_legacy(const entity_addr_t& a);
std::vector<uint8_t> encode_legacy_addr(const entity_addr_t& a);

ClientBanner make_client_banner(const entity_addr_t& my_addr);
ServerBanner make_server_banner(const entity_addr_t& my_addr,
                                const entity_addr_t& peer_addr_for_you);

struct ConnectParams {
  uint64_t features = kFeaturesAllPacific;
  uint32_t host_type = 8;  // CEPH_ENTITY_TYPE_CLIENT
  uint32_t global_seq = 0;
  uint32_t connect_seq = 0;
  uint32_t protocol_version = kProtoOsdc;
  bool lossy = true;
  // Set: authorizer_protocol CEPH_AUTH_NONE with this authorizer (what a client sends to an
  // OSD under auth none). Unset: no authorizer (what a client sends to a mon).
  std::optional<AuthNoneAuthorizer> auth_none;
};
Connect make_connect(const ConnectParams& p);

// authorizer_reply views the caller's bytes.
ConnectReply make_connect_reply(uint8_t tag, uint64_t features, uint32_t global_seq,
                                uint32_t connect_seq, uint32_t protocol_version, bool lossy,
                                Bytes authorizer_reply = {});

std::vector<uint8_t> encode_close();
std::vector<uint8_t> encode_keepalive();
std::vector<uint8_t> encode_keepalive2(utime_t stamp);
std::vector<uint8_t> encode_keepalive2_ack(utime_t stamp);
std::vector<uint8_t> encode_ack(uint64_t seq);
std::vector<uint8_t> encode_seq(uint64_t seq);  // the bare le64 of the TAG_SEQ exchange

// connect.features & reply.features: what both sides use for the session
// (ProtocolV1::client_ready / open).
inline uint64_t negotiated_features(const ceph_msg_connect& c, const ceph_msg_connect_reply& r) {
  return c.features & r.features;
}
inline bool uses_msg_auth_footer(uint64_t features) { return (features & kFeatureMsgAuth) != 0; }

}  // namespace cephwire::codec::msgr1
