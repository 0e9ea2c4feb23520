// See pg_pool_t.h for the sources followed.
#include "codec/osdmap/pg_pool_t.h"

#include <set>
#include <vector>

namespace cephwire::codec {
namespace {

// Skips one ENCODE_START envelope (u8 v, u8 compat, le32 len, len bytes) we do not interpret.
bool skip_envelope(Decoder& d, const char* name) {
  d.push_for_path(name);
  uint8_t v = 0, compat = 0;
  uint32_t len = 0;
  Bytes body;
  bool ok = d("struct_v", v) && d("struct_compat", compat) && d.length(len) &&
            d.raw("body", body, len);
  d.pop_for_path();
  return ok;
}

}  // namespace

bool pg_pool_t::decode(Decoder& d) {
  if (d.remaining() >= 1 && d.cursor()[0] < 5)
    return d.fail(ErrorKind::kUnsupportedVersion,
                  "pg_pool_t struct_v " + std::to_string(d.cursor()[0]) + " < 5");
  Envelope env;
  bool ok = d.envelope("pg_pool_t", env, 29, [&](uint8_t v) {
    struct_v = v;
    uint32_t lpg_num = 0, lpgp_num = 0, crash_replay_interval = 0, n = 0;
    if (!(d("type", type) && d("size", size) && d("crush_rule", crush_rule) &&
          d("object_hash", object_hash) && d("pg_num", pg_num) && d("pgp_num", pgp_num) &&
          d("lpg_num", lpg_num) && d("lpgp_num", lpgp_num) && d("last_change", last_change) &&
          d("snap_seq", snap_seq) && d("snap_epoch", snap_epoch)))
      return false;
    // snaps: map<snapid_t, pool_snap_info_t>; each value has its own envelope.
    d.push_for_path("snaps");
    bool snaps_ok = d.count(n, 14);
    for (uint32_t i = 0; snaps_ok && i < n; ++i) {
      uint64_t snapid = 0;
      d.push(nullptr, i);
      snaps_ok = d("snapid", snapid) && skip_envelope(d, "pool_snap_info_t");
      d.pop();
    }
    d.pop_for_path();
    if (!snaps_ok) return false;
    std::vector<std::pair<uint64_t, uint64_t>> removed_snaps;  // interval_set<snapid_t>
    if (!(d("removed_snaps", removed_snaps) && d("auid", auid) && d("flags", flags) &&
          d("crash_replay_interval", crash_replay_interval)))
      return false;
    min_size = uint8_t(size - size / 2);
    if (v >= 7 && !d("min_size", min_size)) return false;
    if (v >= 8 && !(d("quota_max_bytes", quota_max_bytes) &&
                    d("quota_max_objects", quota_max_objects)))
      return false;
    if (v >= 9) {
      std::set<uint64_t> tiers;
      if (!(d("tiers", tiers) && d("tier_of", tier_of) && d("cache_mode", cache_mode) &&
            d("read_tier", read_tier) && d("write_tier", write_tier)))
        return false;
    }
    if (v >= 10) {
      std::map<std::string, std::string> properties;
      if (!d("properties", properties)) return false;
    }
    if (v >= 11) {
      uint32_t hit_set_period = 0, hit_set_count = 0;
      if (!(skip_envelope(d, "hit_set_params") && d("hit_set_period", hit_set_period) &&
            d("hit_set_count", hit_set_count)))
        return false;
    }
    if (v >= 12 && !d("stripe_width", stripe_width)) return false;
    if (v >= 13) {
      uint64_t target_max_bytes = 0, target_max_objects = 0;
      uint32_t dirty = 0, full = 0, flush_age = 0, evict_age = 0;
      if (!(d("target_max_bytes", target_max_bytes) &&
            d("target_max_objects", target_max_objects) &&
            d("cache_target_dirty_ratio_micro", dirty) &&
            d("cache_target_full_ratio_micro", full) && d("cache_min_flush_age", flush_age) &&
            d("cache_min_evict_age", evict_age)))
        return false;
    }
    if (v >= 14 && !d("erasure_code_profile", erasure_code_profile)) return false;
    if (v >= 15 && !d("last_force_op_resend_preluminous", last_force_op_resend_preluminous))
      return false;
    uint32_t u32 = 0;
    uint64_t u64 = 0;
    uint8_t u8 = 0;
    if (v >= 16 && !d("min_read_recency_for_promote", u32)) return false;
    if (v >= 17 && !d("expected_num_objects", u64)) return false;
    if (v >= 19 && !d("cache_target_dirty_high_ratio_micro", u32)) return false;
    if (v >= 20 && !d("min_write_recency_for_promote", u32)) return false;
    if (v >= 21 && !d("use_gmt_hitset", u8)) return false;
    if (v >= 22 && !d("fast_read", u8)) return false;
    if (v >= 23 && !(d("hit_set_grade_decay_rate", u32) && d("hit_set_search_last_n", u32)))
      return false;
    if (v >= 24 && !skip_envelope(d, "opts")) return false;
    last_force_op_resend_prenautilus = last_force_op_resend_preluminous;
    if (v >= 25 && !d("last_force_op_resend_prenautilus", last_force_op_resend_prenautilus))
      return false;
    if (v >= 26 && !d("application_metadata", application_metadata)) return false;
    if (v >= 27 && !d("create_time", create_time)) return false;
    if (v >= 28) {
      uint32_t merge_les = 0, merge_lec = 0;
      if (!(d("pg_num_target", pg_num_target) && d("pgp_num_target", pgp_num_target) &&
            d("pg_num_pending", pg_num_pending) && d("old_merge_last_epoch_started", merge_les) &&
            d("old_merge_last_epoch_clean", merge_lec) &&
            d("last_force_op_resend", last_force_op_resend) &&
            d("pg_autoscale_mode", pg_autoscale_mode)))
        return false;
      if (v >= 29 && !skip_envelope(d, "last_pg_merge_meta")) return false;
    } else {
      pg_num_target = pg_num;
      pgp_num_target = pgp_num;
      pg_num_pending = pg_num;
      last_force_op_resend = last_force_op_resend_prenautilus;
    }
    return true;  // fields of newer versions: skipped by the envelope (unknown tail)
  });
  if (!ok) return false;
  pg_num_mask = calc_pg_mask(pg_num);
  pgp_num_mask = calc_pg_mask(pgp_num);
  return true;
}

}  // namespace cephwire::codec
