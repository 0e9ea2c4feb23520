// pg_pool_t: one pool of an OSDMap, as a client needs it.
// Sources: Ceph src/osd/osd_types.cc pg_pool_t::decode (DECODE_START_LEGACY_COMPAT_LEN(29, 5, 5):
// field order up to v29, Pacific encodes v29), src/osd/osd_types.h (TYPE_*, FLAG_*,
// can_shift_osds, calc_pg_masks); Linux net/ceph/osdmap.c decode_pool (same order; the kernel
// stops at v25 and skips the rest by the struct length, as we do past v29).
//
// Wire: u8 struct_v (>= 5) | u8 struct_compat (<= 29) | le32 len | then, in order:
//   u8 type, u8 size, u8 crush_rule, u8 object_hash, le32 pg_num, le32 pgp_num,
//   le32 lpg_num, le32 lpgp_num, le32 last_change, le64 snap_seq, le32 snap_epoch,
//   snaps map<le64, pool_snap_info_t (own envelope)>, removed_snaps (le32 n + n x 2 x le64),
//   le64 auid, le64 flags, le32 crash_replay_interval,
//   v7: u8 min_size | v8: le64 quota_max_bytes, le64 quota_max_objects |
//   v9: set<le64> tiers, le64 tier_of, u8 cache_mode, le64 read_tier, le64 write_tier |
//   v10: map<string,string> properties | v11: hit_set_params (envelope), le32 period, le32 count |
//   v12: le32 stripe_width | v13: le64, le64, 4 x le32 cache tuning | v14: string ec profile |
//   v15: le32 last_force_op_resend_preluminous | v16: le32 | v17: le64 | v19: le32 | v20: le32 |
//   v21: u8 | v22: u8 | v23: 2 x le32 | v24: opts (envelope) |
//   v25: le32 last_force_op_resend_prenautilus | v26: map<string,map<string,string>> application |
//   v27: utime create_time | v28: le32 pg_num_target, le32 pgp_num_target, le32 pg_num_pending,
//        le32, le32 (old merge epochs), le32 last_force_op_resend, u8 pg_autoscale_mode |
//   v29: last_pg_merge_meta (envelope) | newer fields: skipped by len.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "codec/denc.h"
#include "codec/osdmap/ceph_hash.h"
#include "codec/types/utime_t.h"

namespace cephwire::codec {

struct pg_pool_t {
  static constexpr size_t kWireMinSize = 6;
  static constexpr uint8_t kTypeReplicated = 1, kTypeErasure = 3;
  static constexpr uint64_t kFlagHashPsPool = 1ull << 0;  // hash pg seed and pool together
  static constexpr uint64_t kFlagFull = 1ull << 1;
  static constexpr uint64_t kFlagFullQuota = 1ull << 10;

  uint8_t struct_v = 0;
  uint8_t type = 0;
  uint8_t size = 0;
  uint8_t crush_rule = 0;
  uint8_t object_hash = 0;
  uint32_t pg_num = 0;
  uint32_t pgp_num = 0;
  uint32_t last_change = 0;
  uint64_t snap_seq = 0;
  uint32_t snap_epoch = 0;
  uint64_t auid = 0;
  uint64_t flags = 0;
  uint8_t min_size = 0;
  uint64_t quota_max_bytes = 0;
  uint64_t quota_max_objects = 0;
  int64_t tier_of = -1;
  uint8_t cache_mode = 0;
  int64_t read_tier = -1;
  int64_t write_tier = -1;
  uint32_t stripe_width = 0;
  std::string erasure_code_profile;
  uint32_t last_force_op_resend_preluminous = 0;
  uint32_t last_force_op_resend_prenautilus = 0;
  std::map<std::string, std::map<std::string, std::string>> application_metadata;
  utime_t create_time;
  uint32_t pg_num_target = 0;
  uint32_t pgp_num_target = 0;
  uint32_t pg_num_pending = 0;
  uint32_t last_force_op_resend = 0;  // what Objecter compares for pool-wide forced resends
  uint8_t pg_autoscale_mode = 0;

  // Derived (calc_pg_masks).
  uint32_t pg_num_mask = 0;
  uint32_t pgp_num_mask = 0;

  bool can_shift_osds() const { return type == kTypeReplicated; }
  bool hashpspool() const { return flags & kFlagHashPsPool; }

  // Decodes one pg_pool_t at the decoder's position (errors carry the decoder's path).
  bool decode(Decoder& d);
  bool operator==(const pg_pool_t&) const = default;
};

}  // namespace cephwire::codec
