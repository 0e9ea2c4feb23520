// MOSDMap (CEPH_MSG_OSD_MAP = 41), mon (or OSD) -> client (Ceph src/messages/MOSDMap.h,
// decode_payload / encode_payload; HEAD_VERSION 4, COMPAT_VERSION 3):
//   uuid fsid | map<le32 epoch, bufferlist> incremental_maps | map<le32 epoch, bufferlist> maps
//   header.version >= 2: le32 oldest_map (renamed cluster_osdmap_trim_lower_bound in later
//                        releases, same bytes) | le32 newest_map
//   header.version >= 4: map<s64 pool, interval_set<snapid_t>> gap_removed_snaps (removed in
//                        octopus: Pacific always writes an empty map, le32 0; decoded anyway).
// Senders fall back to version 1 / 2 (compat 1 / 2) for peers without PGID64+PGPOOL3 / OSDENC.
// The OSDMap and OSDMap::Incremental blobs stay opaque Bytes here (views into the front).
// interval_set<snapid_t> is encoded as its std::map<start, len> (u32 count + u64 pairs).
#pragma once

#include <cstdint>
#include <map>

#include "codec/message.h"
#include "codec/messages/mon_message_util.h"
#include "codec/types/uuid_d.h"

namespace cephwire::codec {

struct MOSDMap {
  static constexpr uint16_t kType = 41;
  static constexpr const char* kName = "MOSDMap";
  static constexpr uint16_t kHeadVersion = 4;
  static constexpr uint16_t kCompatVersion = 3;
  uint16_t header_version = kHeadVersion;

  uuid_d fsid;
  std::map<uint32_t, Bytes> incremental_maps;
  std::map<uint32_t, Bytes> maps;  // full maps
  uint32_t oldest_map = 0;         // header_version >= 2
  uint32_t newest_map = 0;         // header_version >= 2
  std::map<int64_t, std::map<uint64_t, uint64_t>> gap_removed_snaps;  // header_version >= 4

  template <class V>
  bool visit(V& v) {
    return v("fsid", fsid) && v("incremental_maps", incremental_maps) && v("maps", maps) &&
           (header_version < 2 || (v("oldest_map", oldest_map) && v("newest_map", newest_map))) &&
           (header_version < 4 || v("gap_removed_snaps", gap_removed_snaps));
  }

  // Lowest / highest epoch carried (full or incremental), 0 if none (MOSDMap::get_first/last).
  uint32_t get_first() const;
  uint32_t get_last() const;

  static Result<MOSDMap> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MOSDMap&) const = default;
};

}  // namespace cephwire::codec
