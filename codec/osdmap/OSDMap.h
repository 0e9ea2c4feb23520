// OSDMap (the client part) and OSDMap::Incremental, decoded from the map blobs a monitor sends
// in MOSDMap, and object placement on top of them.
//
// Sources (ceph/ceph, Pacific): src/osd/OSDMap.cc OSDMap::decode (wrapper
// DECODE_START_LEGACY_COMPAT_LEN(8, 7, 7); client-usable section DECODE_START(9) with fields by
// struct_v; osd-only section; le32 crc32c over the wrapper minus the crc field),
// OSDMap::Incremental::decode (same wrapper; client section; le32 inc_crc, le32 full_crc),
// OSDMap::apply_incremental, OSDMap::object_locator_to_pg / map_to_pg, _pg_to_raw_osds,
// _remove_nonexistent_osds, _apply_upmap, _raw_to_up_osds, _pick_primary,
// _apply_primary_affinity, _get_temp_osds, _pg_to_up_acting_osds; src/osd/osd_types.cc
// pg_pool_t::hash_key, raw_pg_to_pg, raw_pg_to_pps; src/osd/osd_types.h pg_t::encode;
// src/crush/CrushWrapper.h do_rule / choose_args_get_with_fallback.
// Linux net/ceph/osdmap.c (osdmap_decode, get_osdmap_client_data_v, decode_pg_mapping,
// __decode_pg_temp, __decode_primary_temp, decode_primary_affinity, osdmap_apply_incremental,
// decode_new_up_state_weight, ceph_pg_to_up_acting_osds, raw_pg_to_pps, pg_to_raw_osds,
// apply_upmap, raw_to_up_osds, apply_primary_affinity, get_temp_osds, ceph_pg_to_primary_shard,
// __ceph_object_locator_to_pg) follows the same steps; where the two differ we follow Ceph
// userland, which is what the monitors and osdmaptool compute (see OSDMap.cc).
//
// Incrementals: wrapper 8, client section 8 (Pacific's DECODE_START(8); what our real mon
// wrote). Client section versions of full maps: 9 for peers with SERVER_NAUTILUS (librados 14+), 7 without it,
// 6 without SERVER_MIMIC, 3 without SERVER_LUMINOUS; all are decoded. An OSD address is an
// entity_addrvec_t from v8 on and a single legacy entity_addr_t before; entity_addrvec_t's
// decoder accepts both (marker 0/1 = one address), as Ceph's does. The pre-firefly "classic"
// encoding (first byte < 7) is rejected.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/error.h"
#include "codec/osdmap/CrushWrapper.h"
#include "codec/osdmap/pg_pool_t.h"
#include "codec/types/entity_addr_t.h"
#include "codec/types/utime_t.h"
#include "codec/types/uuid_d.h"

namespace cephwire::codec {

// A placement group id (pg_t without its unused fields). On the wire (pg_t::encode): u8 1 |
// le64 pool | le32 seed | le32 preferred (-1, ignored).
struct PgId {
  static constexpr size_t kWireMinSize = 17;
  int64_t pool = 0;
  uint32_t seed = 0;

  template <class V>
  bool visit(V& v) {
    uint8_t ver = 1;
    int32_t preferred = -1;
    if (!v("v", ver)) return false;
    if (!v.check(ver == 1, ErrorKind::kUnsupportedVersion, "pg_t encoding version must be 1"))
      return false;
    return v("pool", pool) && v("seed", seed) && v("preferred", preferred);
  }
  std::string to_string() const;  // "1.1f"
  auto operator<=>(const PgId&) const = default;
};

// OSD state bits (CEPH_OSD_*).
inline constexpr uint32_t kOsdExists = 1, kOsdUp = 2, kOsdAutoout = 4, kOsdNew = 8;
inline constexpr uint32_t kOsdIn = 0x10000, kOsdOut = 0;
inline constexpr uint32_t kDefaultPrimaryAffinity = 0x10000, kMaxPrimaryAffinity = 0x10000;
// Largest max_osd an incremental may set (Ceph has no limit but mon_max_osd, 10000 by default;
// without one a hostile new_max_osd of 2^31 would make the client allocate ~100 GB).
inline constexpr int32_t kMaxOsdLimit = 1 << 20;

struct UpActing {
  std::vector<int32_t> up;
  int32_t up_primary = -1;
  std::vector<int32_t> acting;
  int32_t acting_primary = -1;
  uint32_t pps = 0;  // placement seed fed to CRUSH
  bool operator==(const UpActing&) const = default;
};

struct ObjectLocation {
  PgId raw_pg;                 // pool + full 32-bit hash (what MOSDOp carries as the hash)
  uint32_t raw_hash = 0;
  uint32_t pg_seed = 0;        // the actual PG: stable_mod(raw_hash, pg_num)
  int32_t acting_primary = -1; // -1: no OSD can take the op now
  int32_t shard = -1;          // NO_SHARD for replicated pools, else the primary's position
  uint32_t epoch = 0;
  bool operator==(const ObjectLocation&) const = default;
};

class OSDMap {
 public:
  struct Incremental;

  uuid_d fsid;
  uint32_t epoch = 0;
  utime_t created, modified;
  std::map<int64_t, pg_pool_t> pools;
  std::map<int64_t, std::string> pool_name;
  int32_t pool_max = -1;
  uint32_t flags = 0;
  int32_t max_osd = 0;
  std::vector<uint32_t> osd_state;
  std::vector<uint32_t> osd_weight;          // 16.16 fixed point; 0x10000 = in
  std::vector<entity_addrvec_t> client_addrs;
  std::map<PgId, std::vector<int32_t>> pg_temp;
  std::map<PgId, int32_t> primary_temp;
  std::vector<uint32_t> primary_affinity;    // empty: all default (0x10000)
  std::shared_ptr<const CrushWrapper> crush; // shared: incrementals rarely change it
  std::map<std::string, std::map<std::string, std::string>> erasure_code_profiles;
  std::map<PgId, std::vector<int32_t>> pg_upmap;
  std::map<PgId, std::vector<std::pair<int32_t, int32_t>>> pg_upmap_items;
  int32_t crush_version = 1;
  utime_t last_up_change, last_in_change;

  // How it was encoded.
  uint8_t wrapper_struct_v = 0;
  uint8_t client_struct_v = 0;
  bool crc_present = false;
  uint32_t crc = 0;

  // Decodes a full map blob (all of `blob`), verifying the crc32c when the map has one.
  static Result<OSDMap> decode(std::span<const uint8_t> blob, size_t base = 0);

  // Applies an incremental (OSDMap::apply_incremental): its epoch must be epoch+1 and its fsid
  // ours (unless it is epoch 1). On error the map is left unchanged.
  Result<void> apply_incremental(const Incremental& inc);
  // Decodes `blob` as an incremental and applies it.
  Result<void> apply_incremental(std::span<const uint8_t> blob);

  // ---- state helpers (OSDMap::exists / is_up / is_down / get_primary_affinity) ----
  bool exists(int osd) const {
    return osd >= 0 && osd < max_osd && (osd_state[size_t(osd)] & kOsdExists);
  }
  bool is_up(int osd) const { return exists(osd) && (osd_state[size_t(osd)] & kOsdUp); }
  bool is_down(int osd) const { return !is_up(osd); }
  uint32_t get_primary_affinity(int osd) const {
    return primary_affinity.empty() ? kDefaultPrimaryAffinity : primary_affinity[size_t(osd)];
  }
  const pg_pool_t* get_pool(int64_t pool) const {
    auto it = pools.find(pool);
    return it == pools.end() ? nullptr : &it->second;
  }
  std::optional<int64_t> lookup_pool(std::string_view name) const;

  // ---- placement ----
  // Object -> raw PG (pool + full hash): the locator key replaces the name when non-empty, the
  // namespace is prefixed as nspace + '\x1f' + name. nullopt if the pool does not exist.
  std::optional<PgId> object_to_pg(int64_t pool, std::string_view oid, std::string_view nspace = {},
                                   std::string_view key = {}) const;
  // Raw PG -> actual PG (seed = stable_mod(hash, pg_num)).
  static PgId raw_pg_to_pg(const pg_pool_t& pool, PgId raw);
  // Up and acting sets of a PG (raw or actual). Empty sets and -1 primaries if the pool does
  // not exist.
  UpActing pg_to_up_acting(PgId pg) const;
  // CRUSH's output for a PG with nonexistent OSDs removed (osdmaptool's "raw" set).
  std::vector<int32_t> pg_to_raw_osds(PgId pg) const;
  // Everything a client needs to send an op, in one call.
  std::optional<ObjectLocation> locate(int64_t pool, std::string_view oid,
                                       std::string_view nspace = {},
                                       std::string_view key = {}) const;

 private:
  std::vector<int32_t> pg_to_raw_osds(const pg_pool_t& pool, PgId pg, uint32_t* pps) const;
  void remove_nonexistent_osds(const pg_pool_t& pool, std::vector<int32_t>& osds) const;
  void apply_upmap(const pg_pool_t& pool, PgId raw_pg, std::vector<int32_t>& raw) const;
  void raw_to_up_osds(const pg_pool_t& pool, const std::vector<int32_t>& raw,
                      std::vector<int32_t>& up) const;
  void apply_primary_affinity(uint32_t seed, const pg_pool_t& pool, std::vector<int32_t>& osds,
                              int32_t& primary) const;
  void get_temp_osds(const pg_pool_t& pool, PgId pg, std::vector<int32_t>& temp,
                     int32_t& temp_primary) const;
  void set_max_osd(int32_t m);
  void set_primary_affinity(int32_t osd, uint32_t aff);
};

struct OSDMap::Incremental {
  uint8_t wrapper_struct_v = 0;
  uint8_t client_struct_v = 0;
  uuid_d fsid;
  uint32_t epoch = 0;
  utime_t modified;
  int64_t new_pool_max = -1;
  int32_t new_flags = -1;
  std::shared_ptr<const OSDMap> fullmap;      // a full map inside the incremental
  std::shared_ptr<const CrushWrapper> crush;  // a new crush map
  int32_t new_max_osd = -1;
  std::map<int64_t, pg_pool_t> new_pools;
  std::map<int64_t, std::string> new_pool_names;
  std::vector<int64_t> old_pools;
  std::map<int32_t, entity_addrvec_t> new_up_client;
  std::map<int32_t, uint32_t> new_state;  // XOR masks; 0 means CEPH_OSD_UP
  std::map<int32_t, uint32_t> new_weight;
  std::map<PgId, std::vector<int32_t>> new_pg_temp;  // empty vector: remove
  std::map<PgId, int32_t> new_primary_temp;          // -1: remove
  std::map<int32_t, uint32_t> new_primary_affinity;
  std::map<std::string, std::map<std::string, std::string>> new_erasure_code_profiles;
  std::vector<std::string> old_erasure_code_profiles;
  std::map<PgId, std::vector<int32_t>> new_pg_upmap;
  std::vector<PgId> old_pg_upmap;
  std::map<PgId, std::vector<std::pair<int32_t, int32_t>>> new_pg_upmap_items;
  std::vector<PgId> old_pg_upmap_items;
  utime_t new_last_up_change, new_last_in_change;
  bool have_crc = false;
  uint32_t inc_crc = 0;
  uint32_t full_crc = 0;  // crc of the resulting full map (as the mon encodes it)

  static Result<Incremental> decode(std::span<const uint8_t> blob, size_t base = 0);
};

}  // namespace cephwire::codec
