// MPoolOp (CEPH_MSG_POOLOP = 49), client -> mon (Ceph src/messages/MPoolOp.h, decode_payload /
// encode_payload; HEAD_VERSION 4, COMPAT_VERSION 2). librados uses it for self-managed
// snapshots (rbd) and pool create/delete:
//   PaxosServiceMessage header | uuid fsid | le32 pool
//   header.version < 2: string name
//   le32 op (POOL_OP_*: CREATE 0x01, DELETE 0x02, AUID_CHANGE 0x03, CREATE_SNAP 0x11,
//     DELETE_SNAP 0x12, CREATE_UNMANAGED_SNAP 0x21, DELETE_UNMANAGED_SNAP 0x22)
//   le64 old_auid (always 0 since nautilus) | le64 snapid
//   header.version >= 2: string name
//   header.version >= 3: u8 pad (v3: the crush rule; v4+: 0)
//   header.version >= 4: s16 crush_rule
// (Ceph reads v < 3 as crush_rule -1 and v3 as crush_rule = pad; kept as on the wire here.)
#pragma once

#include <cstdint>
#include <string>

#include "codec/message.h"
#include "codec/messages/PaxosServiceMessage.h"
#include "codec/messages/mon_message_util.h"
#include "codec/types/uuid_d.h"

namespace cephwire::codec {

inline constexpr uint32_t kPoolOpCreate = 0x01;
inline constexpr uint32_t kPoolOpDelete = 0x02;
inline constexpr uint32_t kPoolOpAuidChange = 0x03;
inline constexpr uint32_t kPoolOpCreateSnap = 0x11;
inline constexpr uint32_t kPoolOpDeleteSnap = 0x12;
inline constexpr uint32_t kPoolOpCreateUnmanagedSnap = 0x21;
inline constexpr uint32_t kPoolOpDeleteUnmanagedSnap = 0x22;

struct MPoolOp {
  static constexpr uint16_t kType = 49;
  static constexpr const char* kName = "MPoolOp";
  static constexpr uint16_t kHeadVersion = 4;
  static constexpr uint16_t kCompatVersion = 2;
  uint16_t header_version = kHeadVersion;

  PaxosServiceHeader paxos;
  uuid_d fsid;
  uint32_t pool = 0;
  std::string name;
  uint32_t op = 0;
  uint64_t old_auid = 0;
  uint64_t snapid = 0;
  uint8_t pad = 0;         // header_version >= 3
  int16_t crush_rule = 0;  // header_version >= 4

  template <class V>
  bool visit(V& v) {
    if (!(v("paxos", paxos) && v("fsid", fsid) && v("pool", pool))) return false;
    if (header_version < 2 && !v("name", name)) return false;
    if (!(v("op", op) && v("old_auid", old_auid) && v("snapid", snapid))) return false;
    if (header_version >= 2 && !v("name", name)) return false;
    if (header_version >= 3 && !v("pad", pad)) return false;
    return header_version < 4 || v("crush_rule", crush_rule);
  }

  static Result<MPoolOp> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MPoolOp&) const = default;
};

}  // namespace cephwire::codec
