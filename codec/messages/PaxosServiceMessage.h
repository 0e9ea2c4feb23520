// The header every PaxosServiceMessage writes first (Ceph src/messages/PaxosServiceMessage.h,
// paxos_encode / paxos_decode): le64 version, le16 deprecated_session_mon (-1), le64
// deprecated_session_mon_tid (0); 18 bytes, = struct ceph_mon_request_header in the kernel.
// Of the client's mon messages it starts MAuth, MMonCommand and MMonCommandAck (and MPoolOp,
// MGetPoolStats, MStatfs); MAuthReply, MMonSubscribe(Ack), MMonGetVersion(Reply), MMonMap,
// MOSDMap, MConfig and MMgrMap do not have it.
#pragma once

#include <cstdint>

#include "codec/json_writer.h"

namespace cephwire::codec {

struct PaxosServiceHeader {
  static constexpr size_t kWireMinSize = 18;
  uint64_t version = 0;  // version_t: the map version the sender has
  int16_t deprecated_session_mon = -1;
  uint64_t deprecated_session_mon_tid = 0;

  template <class V>
  bool visit(V& v) {
    return v("version", version) && v("deprecated_session_mon", deprecated_session_mon) &&
           v("deprecated_session_mon_tid", deprecated_session_mon_tid);
  }
  bool operator==(const PaxosServiceHeader&) const = default;
};

}  // namespace cephwire::codec
