// MonMap, mon_info_t and mon_feature_t (Ceph src/mon/MonMap.h + MonMap.cc MonMap::encode /
// MonMap::decode, mon_info_t::encode / decode; src/mon/mon_types.h mon_feature_t). Pacific
// (16.2.x) encodes, for peers with SERVER_NAUTILUS and MONENC:
//
//   ENCODE_START(9, 6)
//     uuid fsid (16 raw) | le32 epoch | utime last_changed | utime created
//     mon_feature_t persistent_features | mon_feature_t optional_features
//     map<string, mon_info_t> mon_info | vector<string> ranks
//     u8 min_mon_release                                     (struct_v >= 7)
//     set<s32> removed_ranks | u8 strategy | set<string> disallowed_leaders      (>= 8)
//     bool stretch_mode_enabled | string tiebreaker_mon |
//       set<string> stretch_marked_down_mons                                     (>= 9)
//   mon_info_t: ENCODE_START(5, 1) string name | entity_addrvec_t public_addrs |
//     le16 priority (>= 2) | le16 weight (>= 4) | map<string,string> crush_loc (>= 5)
//     (struct_v < 3 wrote one legacy entity_addr_t, which entity_addrvec_t decodes as well)
//   mon_feature_t: ENCODE_START(1, 1) le64 features
//
// Older layouts decoded too (MonMap::decode is DECODE_START_LEGACY_COMPAT_LEN_16(9, 3, 3)):
// struct_v 3..5 carry map<string, entity_addr_t> mon_addr after the epoch (< 6), the two
// feature sets only from 4, mon_info only from 5, and no ranks (Ceph recomputes them).
// struct_v 1 and 2 (a u16 version, pre-firefly, no envelope) are refused as unsupported.
// Bytes after the fields of the newest layout (a newer struct_v) are kept and re-encoded.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "codec/denc.h"
#include "codec/messages/mon_message_util.h"
#include "codec/types/entity_addr_t.h"
#include "codec/types/utime_t.h"
#include "codec/types/uuid_d.h"

namespace cephwire::codec {

struct mon_feature_t {
  static constexpr size_t kWireMinSize = 6;
  Envelope env{1, 1};
  uint64_t features = 0;

  template <class V>
  bool visit(V& v) {
    return v.envelope("mon_feature_t", env, 1, [&](uint8_t) { return v("features", features); });
  }
  bool operator==(const mon_feature_t&) const = default;
};

struct mon_info_t {
  static constexpr size_t kWireMinSize = 6;
  static constexpr uint8_t kMaxCompat = 5;  // DECODE_START(5, p)
  Envelope env{5, 1};
  std::string name;
  entity_addrvec_t public_addrs;
  uint16_t priority = 0;                        // struct_v >= 2
  uint16_t weight = 0;                          // struct_v >= 4
  std::map<std::string, std::string> crush_loc;  // struct_v >= 5

  template <class V>
  bool visit(V& v) {
    return v.envelope("mon_info_t", env, kMaxCompat, [&](uint8_t sv) {
      return v("name", name) && v("public_addrs", public_addrs) &&
             (sv < 2 || v("priority", priority)) && (sv < 4 || v("weight", weight)) &&
             (sv < 5 || v("crush_loc", crush_loc));
    });
  }
  void dump(JsonWriter& w) const;
  bool operator==(const mon_info_t&) const = default;
};

struct MonMap {
  static constexpr uint8_t kMaxCompat = 9;   // DECODE_START_LEGACY_COMPAT_LEN_16(9, ...)
  static constexpr uint8_t kMinStructV = 3;  // below: u16 version, no envelope
  Envelope env{9, 6};
  uuid_d fsid;
  uint32_t epoch = 0;
  std::map<std::string, entity_addr_t> mon_addr;  // struct_v < 6 only (legacy)
  utime_t last_changed;                           // Ceph dump() calls it "modified"
  utime_t created;
  mon_feature_t persistent_features;           // struct_v >= 4
  mon_feature_t optional_features;             // struct_v >= 4
  std::map<std::string, mon_info_t> mon_info;  // struct_v >= 5
  std::vector<std::string> ranks;              // struct_v >= 6
  uint8_t min_mon_release = 0;                 // struct_v >= 7 (ceph_release_t, 16 = pacific)
  std::set<int32_t> removed_ranks;             // struct_v >= 8
  uint8_t strategy = 1;                        // struct_v >= 8 (CLASSIC 1, DISALLOW 2, CONNECTIVITY 3)
  std::set<std::string> disallowed_leaders;    // struct_v >= 8
  bool stretch_mode_enabled = false;           // struct_v >= 9
  std::string tiebreaker_mon;                  // struct_v >= 9
  std::set<std::string> stretch_marked_down_mons;  // struct_v >= 9

  template <class V>
  bool visit(V& v) {
    if constexpr (V::kDecoding) {
      // The _16 legacy form starts with a u16 version 1 or 2 and has no envelope.
      if (v.remaining() >= 1 && v.cursor()[0] < kMinStructV)
        return v.fail_field("MonMap", v.offset(), ErrorKind::kUnsupportedVersion,
                            "MonMap struct_v " + std::to_string(v.cursor()[0]) +
                                " (pre-firefly u16 encoding) is not supported");
    }
    return v.envelope("MonMap", env, kMaxCompat, [&](uint8_t sv) {
      if (!(v("fsid", fsid) && v("epoch", epoch))) return false;
      if (sv < 6 && !v("mon_addr", mon_addr)) return false;
      if (!(v("last_changed", last_changed) && v("created", created))) return false;
      if (sv >= 4 && !(v("persistent_features", persistent_features) &&
                       v("optional_features", optional_features)))
        return false;
      if (sv >= 5 && !v("mon_info", mon_info)) return false;
      if (sv >= 6 && !v("ranks", ranks)) return false;
      if (sv >= 7 && !v("min_mon_release", min_mon_release)) return false;
      if (sv >= 8 && !(v("removed_ranks", removed_ranks) && v("strategy", strategy) &&
                       v("disallowed_leaders", disallowed_leaders)))
        return false;
      if (sv >= 9 && !(mon_util::strict_bool(v, "stretch_mode_enabled", stretch_mode_enabled) &&
                       v("tiebreaker_mon", tiebreaker_mon) &&
                       v("stretch_marked_down_mons", stretch_marked_down_mons)))
        return false;
      return true;
    });
  }

  // The addresses of a mon by name (mon_info, or the legacy mon_addr map); nullptr if absent.
  const entity_addrvec_t* addrs_of(const std::string& name) const;
  // Ceph's MonMap::dump field names: epoch, fsid, modified, created, min_mon_release,
  // features{persistent, optional}, mons[{rank, name, public_addrs, priority, weight,
  // crush_location}] (in rank order), plus everything else the encoding carries.
  void dump(JsonWriter& w) const;
  bool operator==(const MonMap&) const = default;
};

}  // namespace cephwire::codec
