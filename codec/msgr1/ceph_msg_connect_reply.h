// struct ceph_msg_connect_reply (26 bytes, packed; ceph/ceph src/include/msgr.h) followed by
// authorizer_len bytes of authorizer reply, as ProtocolV1::send_connect_message_reply / open
// write them and handle_connect_reply_1 / wait_connect_reply_auth read them (the client asserts
// authorizer_len < 4096). The tag decides what follows on both streams
// (ProtocolV1::handle_connect_reply_2): READY -> messages; SEQ -> the server's le64 acked seq,
// then the client's le64 in_seq; RETRY_SESSION, RETRY_GLOBAL, RESETSESSION, CHALLENGE_AUTHORIZER
// -> the client sends another connect; WAIT, BADPROTOVER, BADAUTHORIZER, FEATURES -> the client
// faults (the server would still accept another connect).
#pragma once

#include <cstdint>
#include <string>

#include "codec/denc.h"
#include "codec/msgr1/msgr.h"

namespace cephwire::codec::msgr1 {

struct ceph_msg_connect_reply {
  static constexpr size_t kWireMinSize = kConnectReplyLen;
  uint8_t tag = kTagReady;
  uint64_t features = 0;  // (connect.features & policy.features_supported) | features_required
  uint32_t global_seq = 0;
  uint32_t connect_seq = 0;
  uint32_t protocol_version = 0;
  uint32_t authorizer_len = 0;
  uint8_t flags = 0;  // CEPH_MSG_CONNECT_LOSSY

  template <class V>
  bool visit(V& v) {
    if constexpr (V::kDecoding) {
      const size_t at = v.offset();
      if (!v("tag", tag)) return false;
      if (!is_connect_reply_tag(tag))
        return v.fail_field("tag", at, ErrorKind::kBadValue,
                            "tag " + std::to_string(tag) + " is not a connect reply tag");
    } else {
      if (!v("tag", tag)) return false;
    }
    return v("features", features) && v("global_seq", global_seq) &&
           v("connect_seq", connect_seq) && v("protocol_version", protocol_version) &&
           v("authorizer_len", authorizer_len) && v("flags", flags);
  }
  bool operator==(const ceph_msg_connect_reply&) const = default;
};

struct ConnectReply {
  ceph_msg_connect_reply reply;
  Bytes authorizer_reply;  // empty for AuthNone

  template <class V>
  bool visit(V& v) {
    if (!v("reply", reply)) return false;
    if constexpr (V::kDecoding) {
      if (reply.authorizer_len > kMaxAuthorizerLen)
        return v.fail_field("reply.authorizer_len", v.offset() - 5, ErrorKind::kLengthTooLarge,
                            "authorizer_len " + std::to_string(reply.authorizer_len) +
                                " >= 4096 (ProtocolV1 asserts < 4096)");
    }
    return v.raw("authorizer_reply", authorizer_reply, reply.authorizer_len);
  }
  bool operator==(const ConnectReply&) const = default;
};

}  // namespace cephwire::codec::msgr1
