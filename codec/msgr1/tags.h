// The msgr v1 stream items other than messages, as ceph/ceph src/msg/async/ProtocolV1.cc
// writes and reads them once a session is open (handle_message: KEEPALIVE, KEEPALIVE2 +
// ceph_timespec, KEEPALIVE2_ACK + ceph_timespec, ACK + le64, CLOSE; append_keepalive_or_ack;
// write_event's ACK), plus the bare le64 sequence numbers of the TAG_SEQ exchange
// (open() appends the server's in_seq to a SEQ connect reply; handle_ack_seq answers with the
// client's in_seq; handle_seq reads it). CEPH_MSGR_TAG_* in src/include/msgr.h.
#pragma once

#include <cstdint>
#include <string>

#include "codec/denc.h"
#include "codec/msgr1/msgr.h"
#include "codec/types/utime_t.h"

namespace cephwire::codec::msgr1 {

// The one-byte tag every item after the handshake starts with; the decoder rejects any other
// value than `expect`.
template <class V>
bool visit_tag(V& v, uint8_t& tag, uint8_t expect) {
  if constexpr (V::kDecoding) {
    const size_t at = v.offset();
    if (!v("tag", tag)) return false;
    if (tag != expect)
      return v.fail_field("tag", at, ErrorKind::kBadValue,
                          "expected tag " + std::to_string(expect) + ", got " +
                              std::to_string(tag));
    return true;
  } else {
    return v("tag", tag);
  }
}

// CEPH_MSGR_TAG_CLOSE: the sender is closing the connection.
struct TagClose {
  uint8_t tag = kTagClose;
  template <class V>
  bool visit(V& v) {
    return visit_tag(v, tag, kTagClose);
  }
  bool operator==(const TagClose&) const = default;
};

// CEPH_MSGR_TAG_KEEPALIVE: legacy keepalive (peer without MSGR_KEEPALIVE2).
struct TagKeepalive {
  uint8_t tag = kTagKeepalive;
  template <class V>
  bool visit(V& v) {
    return visit_tag(v, tag, kTagKeepalive);
  }
  bool operator==(const TagKeepalive&) const = default;
};

// CEPH_MSGR_TAG_KEEPALIVE2 + ceph_timespec (the sender's clock).
struct TagKeepalive2 {
  uint8_t tag = kTagKeepalive2;
  utime_t stamp;
  template <class V>
  bool visit(V& v) {
    return visit_tag(v, tag, kTagKeepalive2) && v("stamp", stamp);
  }
  bool operator==(const TagKeepalive2&) const = default;
};

// CEPH_MSGR_TAG_KEEPALIVE2_ACK + the timespec of the KEEPALIVE2 it answers.
struct TagKeepalive2Ack {
  uint8_t tag = kTagKeepalive2Ack;
  utime_t stamp;
  template <class V>
  bool visit(V& v) {
    return visit_tag(v, tag, kTagKeepalive2Ack) && v("stamp", stamp);
  }
  bool operator==(const TagKeepalive2Ack&) const = default;
};

// CEPH_MSGR_TAG_ACK + le64: everything up to seq was received (non-lossy connections).
struct TagAck {
  uint8_t tag = kTagAck;
  uint64_t seq = 0;
  template <class V>
  bool visit(V& v) {
    return visit_tag(v, tag, kTagAck) && v("seq", seq);
  }
  bool operator==(const TagAck&) const = default;
};

// The le64 of the TAG_SEQ exchange (no tag byte: the SEQ tag was in the connect reply).
// Server -> client: the server's in_seq ("newly acked seq" for the client);
// client -> server: the client's in_seq.
struct SeqExchange {
  uint64_t seq = 0;
  template <class V>
  bool visit(V& v) {
    return v("seq", seq);
  }
  bool operator==(const SeqExchange&) const = default;
};

}  // namespace cephwire::codec::msgr1
