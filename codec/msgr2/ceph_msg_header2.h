// ceph_msg_header2: segment 0 of a msgr2 MESSAGE frame, 41 bytes packed
// (Ceph src/include/msgr.h struct ceph_msg_header2; built in ProtocolV2::write_message and read
// back in ProtocolV2::handle_message, which rebuilds a v1 ceph_msg_header with src = the peer's
// name from the ident exchange and lengths from the frame's preamble).
#pragma once

#include <cstdint>

#include "codec/denc.h"

namespace cephwire::codec::msgr2 {

struct ceph_msg_header2 {
  static constexpr size_t kWireMinSize = 41;
  static constexpr size_t kSize = 41;
  uint64_t seq = 0;
  uint64_t tid = 0;
  uint16_t type = 0;
  uint16_t priority = 0;
  uint16_t version = 0;
  uint32_t data_pre_padding_len = 0;  // always 0 on send
  uint16_t data_off = 0;
  uint64_t ack_seq = 0;   // sender's in_seq (a piggy-backed ACK)
  uint8_t flags = 0;      // v1 footer flags (CEPH_MSG_FOOTER_COMPLETE = 1, ...)
  uint16_t compat_version = 0;
  uint16_t reserved = 0;

  template <class V>
  bool visit(V& v) {
    return v("seq", seq) && v("tid", tid) && v("type", type) && v("priority", priority) &&
           v("version", version) && v("data_pre_padding_len", data_pre_padding_len) &&
           v("data_off", data_off) && v("ack_seq", ack_seq) && v("flags", flags) &&
           v("compat_version", compat_version) && v("reserved", reserved);
  }
  bool operator==(const ceph_msg_header2&) const = default;
};

}  // namespace cephwire::codec::msgr2
