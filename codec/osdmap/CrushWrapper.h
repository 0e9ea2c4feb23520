// The CRUSH map as a Ceph client receives it (the `crush` bufferlist of an OSDMap), decoded.
// Sources: Ceph src/crush/CrushWrapper.cc CrushWrapper::decode / decode_crush_bucket /
// decode_32_or_64_string_map (field order; tunables and later sections are optional: each is
// read only if bytes are left), src/crush/crush.h (struct crush_bucket*, crush_rule,
// crush_choose_arg, CRUSH_* constants); Linux net/ceph/osdmap.c crush_decode and the
// crush_decode_*_bucket helpers, decode_choose_args (same layout).
//
// Layout: le32 magic 0x00010000 | le32 max_buckets | le32 max_rules | le32 max_devices |
//   max_buckets x (le32 alg; 0 = no bucket; else le32 id, le16 type, u8 alg, u8 hash,
//                  le32 weight, le32 size, size x le32 item, then per alg:
//                  uniform: le32 item_weight | list: size x (le32 item_weight, le32 sum_weight)
//                  tree: u8 num_nodes, num_nodes x le32 | straw: size x (le32 weight, le32 straw)
//                  straw2: size x le32 weight) |
//   max_rules x (le32 exists; if 1: le32 len, u8 ruleset, u8 type, u8 min_size, u8 max_size,
//                len x (le32 op, le32 arg1, le32 arg2)) |
//   type_map, name_map, rule_name_map: map<le32, string> (a zero string length means the key
//                was 64 bits: the real length follows) |
//   optional: le32 choose_local_tries, le32 choose_local_fallback_tries, le32 choose_total_tries |
//   le32 chooseleaf_descend_once | u8 chooseleaf_vary_r | u8 straw_calc_version |
//   le32 allowed_bucket_algs | u8 chooseleaf_stable |
//   class_map map<le32,le32>, class_name map<le32,string>, class_bucket map<le32,map<le32,le32>> |
//   choose_args: le32 n, n x (le64 index, le32 m, m x (le32 bucket_index,
//                le32 positions, positions x (le32 n, n x le32 weight), le32 n, n x le32 id)).
//
// Strictness beyond Ceph (which would crash or read out of bounds on such maps): a bucket's id
// must be -1-index, counts are checked against the bytes left, choose_args must name an existing
// bucket with weight sets / ids of the bucket's size.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codec/error.h"

namespace cephwire::codec {

inline constexpr uint32_t kCrushMagic = 0x00010000;
inline constexpr int32_t kCrushItemUndef = 0x7ffffffe;
inline constexpr int32_t kCrushItemNone = 0x7fffffff;

enum CrushBucketAlg : uint8_t {
  kCrushBucketUniform = 1,
  kCrushBucketList = 2,
  kCrushBucketTree = 3,
  kCrushBucketStraw = 4,
  kCrushBucketStraw2 = 5,
};

enum CrushRuleOp : uint32_t {
  kCrushRuleNoop = 0,
  kCrushRuleTake = 1,
  kCrushRuleChooseFirstn = 2,
  kCrushRuleChooseIndep = 3,
  kCrushRuleEmit = 4,
  kCrushRuleChooseleafFirstn = 6,
  kCrushRuleChooseleafIndep = 7,
  kCrushRuleSetChooseTries = 8,
  kCrushRuleSetChooseleafTries = 9,
  kCrushRuleSetChooseLocalTries = 10,
  kCrushRuleSetChooseLocalFallbackTries = 11,
  kCrushRuleSetChooseleafVaryR = 12,
  kCrushRuleSetChooseleafStable = 13,
};

struct crush_bucket {
  int32_t id = 0;
  uint16_t type = 0;
  uint8_t alg = 0;
  uint8_t hash = 0;
  uint32_t weight = 0;
  std::vector<int32_t> items;
  uint32_t uniform_item_weight = 0;   // uniform
  std::vector<uint32_t> item_weights; // list, straw, straw2
  std::vector<uint32_t> sum_weights;  // list
  std::vector<uint32_t> straws;       // straw
  uint8_t num_nodes = 0;              // tree
  std::vector<uint32_t> node_weights; // tree
  bool operator==(const crush_bucket&) const = default;
};

struct crush_rule_step {
  uint32_t op = 0;
  int32_t arg1 = 0;
  int32_t arg2 = 0;
  bool operator==(const crush_rule_step&) const = default;
};

struct crush_rule {
  // The legacy crush_rule_mask (Pacific still matches on it in crush_find_rule).
  uint8_t ruleset = 0;
  uint8_t type = 0;
  uint8_t min_size = 0;
  uint8_t max_size = 0;
  std::vector<crush_rule_step> steps;
  bool operator==(const crush_rule&) const = default;
};

// Per-bucket alternative weights (weight sets, one per result position) and ids for straw2.
struct crush_choose_arg {
  std::vector<std::vector<uint32_t>> weight_set;  // [position][item]
  std::vector<int32_t> ids;
  bool operator==(const crush_choose_arg&) const = default;
};

struct CrushWrapper {
  int32_t max_buckets = 0;
  uint32_t max_rules = 0;
  int32_t max_devices = 0;
  std::vector<std::optional<crush_bucket>> buckets;  // index i holds bucket id -1-i
  std::vector<std::optional<crush_rule>> rules;
  std::map<int32_t, std::string> type_map, name_map, rule_name_map;

  // Tunables; defaults are set_tunables_legacy() (what a map without them means).
  uint32_t choose_local_tries = 2;
  uint32_t choose_local_fallback_tries = 5;
  uint32_t choose_total_tries = 19;
  uint32_t chooseleaf_descend_once = 0;
  uint8_t chooseleaf_vary_r = 0;
  uint8_t straw_calc_version = 0;
  uint32_t allowed_bucket_algs = (1u << kCrushBucketUniform) | (1u << kCrushBucketList) |
                                 (1u << kCrushBucketStraw);
  uint8_t chooseleaf_stable = 0;

  std::map<int32_t, int32_t> class_map;
  std::map<int32_t, std::string> class_name;
  std::map<int32_t, std::map<int32_t, int32_t>> class_bucket;
  // choose_args index (a pool id, or -1 = default) -> bucket index -> arguments. Sparse (Ceph
  // allocates max_buckets entries per index, which a hostile blob could make quadratic).
  using ChooseArgMap = std::map<uint32_t, crush_choose_arg>;
  std::map<int64_t, ChooseArgMap> choose_args;

  // Decodes a whole crush blob; errors are reported at "crush.<field>" with offsets relative
  // to `base` (the blob's offset in the enclosing buffer).
  static Result<CrushWrapper> decode(std::span<const uint8_t> blob, size_t base = 0);

  const crush_bucket* bucket(int32_t id) const {
    const int64_t idx = -1 - int64_t(id);
    if (idx < 0 || idx >= int64_t(buckets.size()) || !buckets[size_t(idx)]) return nullptr;
    return &*buckets[size_t(idx)];
  }
  // crush_find_rule(): the first rule whose mask matches (ruleset, type, min <= size <= max).
  int find_rule(int ruleset, int type, int size) const;
  // The choose_args for a pool: its own, else the default (-1), else none (CrushWrapper::
  // choose_args_get_with_fallback).
  const ChooseArgMap* choose_args_for(int64_t index) const;

  bool operator==(const CrushWrapper&) const = default;
};

}  // namespace cephwire::codec
