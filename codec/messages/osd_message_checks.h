// Checks every typed OSD message applies to MessageParts before decoding its segments.
// Source (ceph/ceph): src/msg/Message.cc decode_message (a message whose header.compat_version
// is newer than the version this build knows is not decoded); the per-message decode_payload
// functions (which layouts exist). Strictness beyond Ceph: header.version above the known
// HEAD_VERSION is rejected (Ceph would decode the known prefix and ignore the rest), and the
// middle segment must be empty (no OSD message uses it).
#pragma once

#include <cstdint>

#include "codec/error.h"
#include "codec/message.h"

namespace cephwire::codec {

// The typed error for parts that fail the checks (nothing if they pass).
Result<void> check_osd_message_parts(const MessageParts& p, uint16_t type, const char* name,
                                     uint16_t head_version);
// The same checks without building an error (the hot path).
inline bool osd_message_parts_ok(const MessageParts& p, uint16_t type, uint16_t head_version) {
  return p.type == type && p.version <= head_version && p.compat_version <= head_version &&
         p.middle.empty();
}

}  // namespace cephwire::codec
