// struct ceph_msg_header (53 bytes, packed; ceph/ceph src/include/msgr.h). header.crc is
// ceph_crc32c(0, first 49 bytes) (src/msg/Message.h Message::calc_header_crc; verified by
// ProtocolV1::handle_message_header when ms_crc_header is on, the default).
// ceph_msg_header_old (334 bytes, with entity_inst src/orig_src) is not sent by any peer this
// codec supports and is not implemented.
#pragma once

#include <cstdint>
#include <span>

#include "codec/denc.h"
#include "codec/msgr1/msgr.h"
#include "codec/types/entity_name_t.h"

namespace cephwire::codec::msgr1 {

struct ceph_msg_header {
  static constexpr size_t kWireMinSize = kHeaderLen;
  // Byte offsets inside the 53 bytes (for framing code that reads lengths before decoding).
  static constexpr size_t kOffType = 16, kOffFrontLen = 22, kOffMiddleLen = 26,
                          kOffDataLen = 30, kOffSrc = 36, kOffCrc = 49;

  uint64_t seq = 0;       // per-session sequence number
  uint64_t tid = 0;       // transaction id
  uint16_t type = 0;      // CEPH_MSG_* / MSG_*
  uint16_t priority = 0;  // CEPH_MSG_PRIO_*
  uint16_t version = 0;   // encoding version of the payload
  uint32_t front_len = 0;
  uint32_t middle_len = 0;
  uint32_t data_len = 0;
  uint16_t data_off = 0;  // sender: full offset; receiver: alignment hint
  entity_name_t src;
  uint16_t compat_version = 0;  // oldest code that can decode this
  uint16_t reserved = 0;
  uint32_t crc = 0;             // crc32c of the 49 bytes above

  template <class V>
  bool visit(V& v) {
    return v("seq", seq) && v("tid", tid) && v("type", type) && v("priority", priority) &&
           v("version", version) && v("front_len", front_len) &&
           v("middle_len", middle_len) && v("data_len", data_len) &&
           v("data_off", data_off) && v("src", src) && v("compat_version", compat_version) &&
           v("reserved", reserved) && v("crc", crc);
  }
  bool operator==(const ceph_msg_header&) const = default;
};

// ceph_crc32c(0, ...) over the first 49 bytes of an encoded header.
uint32_t header_crc(std::span<const uint8_t> header53);

// struct ceph_msg_footer (21 bytes): sent when the connection has CEPH_FEATURE_MSG_AUTH.
struct ceph_msg_footer {
  static constexpr size_t kWireMinSize = kFooterLen;
  uint32_t front_crc = 0;
  uint32_t middle_crc = 0;
  uint32_t data_crc = 0;
  uint64_t sig = 0;   // cephx message signature; 0 without session security
  uint8_t flags = 0;  // CEPH_MSG_FOOTER_*

  template <class V>
  bool visit(V& v) {
    return v("front_crc", front_crc) && v("middle_crc", middle_crc) &&
           v("data_crc", data_crc) && v("sig", sig) && v("flags", flags);
  }
  bool operator==(const ceph_msg_footer&) const = default;
};

// struct ceph_msg_footer_old (13 bytes): the footer without sig, for peers lacking MSG_AUTH.
struct ceph_msg_footer_old {
  static constexpr size_t kWireMinSize = kFooterOldLen;
  uint32_t front_crc = 0;
  uint32_t middle_crc = 0;
  uint32_t data_crc = 0;
  uint8_t flags = 0;

  template <class V>
  bool visit(V& v) {
    return v("front_crc", front_crc) && v("middle_crc", middle_crc) &&
           v("data_crc", data_crc) && v("flags", flags);
  }
  bool operator==(const ceph_msg_footer_old&) const = default;
};

}  // namespace cephwire::codec::msgr1
