// See OSDMap.h for the sources followed.
//
// apply_incremental follows OSDMap::apply_incremental / osdmap_apply_incremental step by step:
// new_weight first (a non-zero weight sets EXISTS and clears AUTOOUT|NEW: userland's
// set_weight() and the kernel agree), then new_state (XOR; 0 means UP; clearing EXISTS of an
// existing OSD wipes it), then new_up_client, so an incremental may both create and bring up an
// OSD. Where userland and kernel differ we follow userland, which builds the canonical full
// maps the test data checks against:
//  - fsid is checked (the kernel does not), new pools get last_change = epoch;
//  - _apply_upmap applies pg_upmap and then pg_upmap_items (old kernels returned after
//    pg_upmap; current ones match userland);
//  - a new crush map bumps crush_version (userland does so when require_osd_release >=
//    luminous, i.e. on every Pacific cluster; that field is in the OSD-only section).
#include "codec/osdmap/OSDMap.h"

#include <algorithm>
#include <cstdio>

#include "codec/crc32c.h"
#include "codec/denc.h"
#include "codec/osdmap/ceph_hash.h"
#include "codec/osdmap/crush_hash.h"
#include "codec/osdmap/mapper.h"

namespace cephwire::codec {

std::string PgId::to_string() const {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%x", static_cast<long long>(pool), seed);
  return buf;
}

namespace {

// An error found by a sub-decoder (crush, a nested full map) that already carries its path.
struct SubError {
  std::optional<DecodeError> err;
  bool set(DecodeError e, const std::string& prefix) {
    if (!prefix.empty()) e.field = prefix + "." + e.field;
    err = std::move(e);
    return false;
  }
};

bool decode_pools(Decoder& d, const char* name, std::map<int64_t, pg_pool_t>& pools) {
  d.push_for_path(name);
  uint32_t n = 0;
  bool ok = d.count(n, 8 + pg_pool_t::kWireMinSize);
  for (uint32_t i = 0; ok && i < n; ++i) {
    d.push(nullptr, i);
    const size_t at = d.offset();
    int64_t id = 0;
    pg_pool_t p;
    ok = d("pool", id) && p.decode(d);
    if (ok && !pools.emplace(id, std::move(p)).second)
      ok = d.fail(ErrorKind::kBadValue, "repeated pool id", at);
    d.pop();
  }
  d.pop_for_path();
  return ok;
}

// vector<T> whose length must be max_osd (the kernel checks this; userland would index past a
// shorter one).
template <class T>
bool decode_osd_vector(Decoder& d, const char* name, std::vector<T>& out, int32_t max_osd,
                       bool allow_empty = false) {
  const size_t at = d.offset();
  if (!d(name, out)) return false;
  if (out.size() == size_t(max_osd) || (allow_empty && out.empty())) return true;
  return d.fail_field(name, at, ErrorKind::kBadValue,
                      std::to_string(out.size()) + " entries but max_osd is " +
                          std::to_string(max_osd));
}

// Addresses decoded as views into the blob are made owning, so the map outlives the blob.
void own_addrs(entity_addrvec_t& av) {
  for (auto& a : av.v) a.env.unknown_tail = a.env.unknown_tail.owned();
}

using SnapIntervals = std::map<int64_t, std::vector<std::pair<uint64_t, uint64_t>>>;

// The crc32c Ceph stores after the osd-only section: over the wrapper up to the crc field,
// continued over whatever follows it inside the wrapper.
bool check_crc(Decoder& d, std::span<const uint8_t> blob, size_t crc_pos, const Bytes& tail,
               uint32_t expected, size_t base) {
  uint32_t actual = ceph_crc32c(0xffffffffu, blob.data(), crc_pos);
  actual = ceph_crc32c(actual, tail.span());
  if (actual == expected) return true;
  char buf[80];
  std::snprintf(buf, sizeof buf, "crc32c 0x%08x, stored 0x%08x", actual, expected);
  return d.fail_field("crc", base + crc_pos, ErrorKind::kBadCrc, buf);
}

}  // namespace

std::optional<int64_t> OSDMap::lookup_pool(std::string_view name) const {
  for (const auto& [id, n] : pool_name)
    if (n == name) return id;
  return std::nullopt;
}

Result<OSDMap> OSDMap::decode(std::span<const uint8_t> blob, size_t base) {
  Decoder d(blob, "OSDMap", base);
  if (!blob.empty() && blob[0] < 7) {
    d.fail_field("struct_v", base, ErrorKind::kUnsupportedVersion,
                 "pre-firefly classic OSDMap encoding (struct_v " + std::to_string(blob[0]) + ")");
    return tl::unexpected(d.take_error());
  }
  OSDMap m;
  SubError sub;
  size_t crc_pos = 0;
  Envelope wrapper, client, osd;
  bool ok = d.envelope("wrapper", wrapper, 8, [&](uint8_t wv) {
    m.wrapper_struct_v = wv;
    if (!d.envelope("client", client, 9, [&](uint8_t v) {
          m.client_struct_v = v;
          if (!(d("fsid", m.fsid) && d("epoch", m.epoch) && d("created", m.created) &&
                d("modified", m.modified) && decode_pools(d, "pools", m.pools) &&
                d("pool_name", m.pool_name) && d("pool_max", m.pool_max) &&
                d("flags", m.flags)))
            return false;
          const size_t max_at = d.offset();
          if (!d("max_osd", m.max_osd)) return false;
          if (m.max_osd < 0)
            return d.fail_field("max_osd", max_at, ErrorKind::kBadValue, "negative max_osd");
          if (v >= 5) {
            if (!decode_osd_vector(d, "osd_state", m.osd_state, m.max_osd)) return false;
          } else {
            std::vector<uint8_t> os;
            if (!decode_osd_vector(d, "osd_state", os, m.max_osd)) return false;
            m.osd_state.assign(os.begin(), os.end());
          }
          if (!(decode_osd_vector(d, "osd_weight", m.osd_weight, m.max_osd) &&
                decode_osd_vector(d, "client_addrs", m.client_addrs, m.max_osd) &&
                d("pg_temp", m.pg_temp) && d("primary_temp", m.primary_temp)))
            return false;
          if (v >= 2 &&
              !decode_osd_vector(d, "primary_affinity", m.primary_affinity, m.max_osd, true))
            return false;
          Bytes crush_bl;
          if (!d("crush", crush_bl)) return false;
          {
            const size_t crush_at = d.offset() - crush_bl.size();
            auto c = CrushWrapper::decode(crush_bl.span(), crush_at);
            if (!c) {
              d.push_for_path("crush");
              std::string prefix = d.path();
              d.pop_for_path();
              prefix.resize(prefix.size() - std::string_view("crush").size());
              if (!prefix.empty() && prefix.back() == '.') prefix.pop_back();
              return sub.set(c.error(), prefix);
            }
            m.crush = std::make_shared<const CrushWrapper>(std::move(*c));
          }
          if (v >= 3 && !d("erasure_code_profiles", m.erasure_code_profiles)) return false;
          if (v >= 4 && !(d("pg_upmap", m.pg_upmap) && d("pg_upmap_items", m.pg_upmap_items)))
            return false;
          if (v >= 6 && !d("crush_version", m.crush_version)) return false;
          if (v >= 7) {
            SnapIntervals removed, purged;
            if (!(d("new_removed_snaps", removed) && d("new_purged_snaps", purged))) return false;
          }
          if (v >= 9 && !(d("last_up_change", m.last_up_change) &&
                          d("last_in_change", m.last_in_change)))
            return false;
          return true;
        }))
      return false;
    // The osd-only section: not for clients; skipped whole (any struct_compat).
    if (!d.envelope("osd", osd, 255, [](uint8_t) { return true; })) return false;
    if (wv >= 8) {
      crc_pos = d.offset() - base;
      m.crc_present = true;
      if (!d("crc", m.crc)) return false;
    }
    return true;
  });
  if (!ok) return tl::unexpected(sub.err ? std::move(*sub.err) : d.take_error());
  if (!d.expect_end("bytes after the OSDMap")) return tl::unexpected(d.take_error());
  if (m.crc_present && !check_crc(d, blob, crc_pos, wrapper.unknown_tail, m.crc, base))
    return tl::unexpected(d.take_error());
  for (auto& a : m.client_addrs) own_addrs(a);
  return m;
}

Result<OSDMap::Incremental> OSDMap::Incremental::decode(std::span<const uint8_t> blob,
                                                        size_t base) {
  Decoder d(blob, "OSDMap::Incremental", base);
  if (!blob.empty() && blob[0] < 7) {
    d.fail_field("struct_v", base, ErrorKind::kUnsupportedVersion,
                 "pre-firefly classic incremental encoding");
    return tl::unexpected(d.take_error());
  }
  Incremental inc;
  SubError sub;
  size_t crc_pos = 0;
  Envelope wrapper, client, osd;
  auto sub_prefix = [&](const char* name) {
    d.push_for_path(name);
    std::string p = d.path();
    d.pop_for_path();
    p.resize(p.size() - std::string_view(name).size());
    if (!p.empty() && p.back() == '.') p.pop_back();
    return p;
  };
  bool ok = d.envelope("wrapper", wrapper, 8, [&](uint8_t wv) {
    inc.wrapper_struct_v = wv;
    if (!d.envelope("client", client, 8, [&](uint8_t v) {
          inc.client_struct_v = v;
          Bytes fullmap, crush_bl;
          if (!(d("fsid", inc.fsid) && d("epoch", inc.epoch) && d("modified", inc.modified) &&
                d("new_pool_max", inc.new_pool_max) && d("new_flags", inc.new_flags) &&
                d("fullmap", fullmap)))
            return false;
          if (!fullmap.empty()) {
            auto fm = OSDMap::decode(fullmap.span(), d.offset() - fullmap.size());
            if (!fm) return sub.set(fm.error(), sub_prefix("fullmap"));
            inc.fullmap = std::make_shared<const OSDMap>(std::move(*fm));
          }
          if (!d("crush", crush_bl)) return false;
          if (!crush_bl.empty()) {
            auto c = CrushWrapper::decode(crush_bl.span(), d.offset() - crush_bl.size());
            if (!c) return sub.set(c.error(), sub_prefix("crush"));
            inc.crush = std::make_shared<const CrushWrapper>(std::move(*c));
          }
          if (!(d("new_max_osd", inc.new_max_osd) && decode_pools(d, "new_pools", inc.new_pools) &&
                d("new_pool_names", inc.new_pool_names) && d("old_pools", inc.old_pools) &&
                d("new_up_client", inc.new_up_client)))
            return false;
          if (v >= 5) {
            if (!d("new_state", inc.new_state)) return false;
          } else {
            std::map<int32_t, uint8_t> ns;
            if (!d("new_state", ns)) return false;
            inc.new_state.insert(ns.begin(), ns.end());
          }
          if (!(d("new_weight", inc.new_weight) && d("new_pg_temp", inc.new_pg_temp) &&
                d("new_primary_temp", inc.new_primary_temp)))
            return false;
          if (v >= 2 && !d("new_primary_affinity", inc.new_primary_affinity)) return false;
          if (v >= 3 && !(d("new_erasure_code_profiles", inc.new_erasure_code_profiles) &&
                          d("old_erasure_code_profiles", inc.old_erasure_code_profiles)))
            return false;
          if (v >= 4 && !(d("new_pg_upmap", inc.new_pg_upmap) &&
                          d("old_pg_upmap", inc.old_pg_upmap) &&
                          d("new_pg_upmap_items", inc.new_pg_upmap_items) &&
                          d("old_pg_upmap_items", inc.old_pg_upmap_items)))
            return false;
          if (v >= 6) {
            SnapIntervals removed, purged;
            if (!(d("new_removed_snaps", removed) && d("new_purged_snaps", purged))) return false;
          }
          if (v >= 8 && !(d("new_last_up_change", inc.new_last_up_change) &&
                          d("new_last_in_change", inc.new_last_in_change)))
            return false;
          return true;
        }))
      return false;
    if (!d.envelope("osd", osd, 255, [](uint8_t) { return true; })) return false;
    if (wv >= 8) {
      crc_pos = d.offset() - base;
      inc.have_crc = true;
      if (!(d("inc_crc", inc.inc_crc) && d("full_crc", inc.full_crc))) return false;
    }
    return true;
  });
  if (!ok) return tl::unexpected(sub.err ? std::move(*sub.err) : d.take_error());
  if (!d.expect_end("bytes after the incremental")) return tl::unexpected(d.take_error());
  if (inc.have_crc) {
    // The crc covers everything but itself: full_crc and any wrapper tail are the "tail".
    std::vector<uint8_t> tail(blob.begin() + crc_pos + 4, blob.begin() + crc_pos + 8);
    tail.insert(tail.end(), wrapper.unknown_tail.span().begin(), wrapper.unknown_tail.span().end());
    Bytes t = Bytes::view(tail);
    if (!check_crc(d, blob, crc_pos, t, inc.inc_crc, base)) return tl::unexpected(d.take_error());
  }
  for (auto& [osd_id, a] : inc.new_up_client) own_addrs(a);
  return inc;
}

void OSDMap::set_max_osd(int32_t m) {
  const size_t n = size_t(m);
  osd_state.resize(n, 0);
  osd_weight.resize(n, kOsdOut);
  client_addrs.resize(n);
  if (!primary_affinity.empty()) primary_affinity.resize(n, kDefaultPrimaryAffinity);
  max_osd = m;
}

void OSDMap::set_primary_affinity(int32_t osd, uint32_t aff) {
  if (primary_affinity.empty()) primary_affinity.assign(size_t(max_osd), kDefaultPrimaryAffinity);
  primary_affinity[size_t(osd)] = aff;
}

Result<void> OSDMap::apply_incremental(std::span<const uint8_t> blob) {
  auto inc = Incremental::decode(blob);
  if (!inc) return tl::unexpected(inc.error());
  return apply_incremental(*inc);
}

Result<void> OSDMap::apply_incremental(const Incremental& inc) {
  const char* root = "OSDMap::Incremental";
  auto bad = [&](std::string field, std::string detail) {
    return tl::unexpected(DecodeError{ErrorKind::kBadValue, std::string(root) + "." + field, 0,
                                      std::move(detail)});
  };
  if (inc.epoch != 1 && !(inc.fsid == fsid)) return bad("fsid", "fsid differs from the map's");
  if (inc.epoch != epoch + 1)
    return bad("epoch", "incremental epoch " + std::to_string(inc.epoch) + " does not follow " +
                            std::to_string(epoch));
  if (inc.fullmap) {
    *this = *inc.fullmap;
    return {};
  }
  // Work on a copy so that a bad incremental leaves the map as it was.
  OSDMap n = *this;
  if (inc.epoch == 1) n.fsid = inc.fsid;
  n.epoch = inc.epoch;
  n.modified = inc.modified;
  if (inc.new_flags >= 0) n.flags = uint32_t(inc.new_flags);
  if (inc.new_max_osd > kMaxOsdLimit)
    return bad("new_max_osd", "max_osd " + std::to_string(inc.new_max_osd) + " > " +
                                  std::to_string(kMaxOsdLimit));
  if (inc.new_max_osd >= 0) n.set_max_osd(inc.new_max_osd);
  if (inc.new_pool_max != -1) n.pool_max = int32_t(inc.new_pool_max);
  for (const auto& [id, pool] : inc.new_pools) {
    pg_pool_t p = pool;
    p.last_change = n.epoch;
    n.pools[id] = std::move(p);
  }
  for (const auto& [id, name] : inc.new_pool_names) n.pool_name[id] = name;
  for (int64_t id : inc.old_pools) {
    n.pools.erase(id);
    n.pool_name.erase(id);
  }
  auto check_osd = [&](int32_t osd) {
    return osd >= 0 && osd < n.max_osd;
  };
  for (const auto& [osd, w] : inc.new_weight) {
    if (!check_osd(osd))
      return bad("new_weight", "osd " + std::to_string(osd) + " out of range");
    n.osd_weight[size_t(osd)] = w;
    // Marking in sets EXISTS (OSDMap::set_weight) and clears AUTOOUT and NEW.
    if (w) {
      n.osd_state[size_t(osd)] |= kOsdExists;
      n.osd_state[size_t(osd)] &= ~(kOsdAutoout | kOsdNew);
    }
  }
  for (const auto& [osd, aff] : inc.new_primary_affinity) {
    if (!check_osd(osd))
      return bad("new_primary_affinity", "osd " + std::to_string(osd) + " out of range");
    n.set_primary_affinity(osd, aff);
  }
  for (const auto& name : inc.old_erasure_code_profiles) n.erasure_code_profiles.erase(name);
  for (const auto& [name, profile] : inc.new_erasure_code_profiles)
    n.erasure_code_profiles[name] = profile;
  for (const auto& [osd, xs] : inc.new_state) {
    if (!check_osd(osd))
      return bad("new_state", "osd " + std::to_string(osd) + " out of range");
    const uint32_t s = xs ? xs : kOsdUp;
    uint32_t& st = n.osd_state[size_t(osd)];
    if ((st & kOsdExists) && (s & kOsdExists)) {
      // The OSD is destroyed: clear what we track of it.
      if (!n.primary_affinity.empty()) n.set_primary_affinity(osd, kDefaultPrimaryAffinity);
      n.client_addrs[size_t(osd)] = entity_addrvec_t{};
      st = 0;
    } else {
      st ^= s;
    }
  }
  for (const auto& [osd, addrs] : inc.new_up_client) {
    if (!check_osd(osd))
      return bad("new_up_client", "osd " + std::to_string(osd) + " out of range");
    n.osd_state[size_t(osd)] |= kOsdExists | kOsdUp;
    n.client_addrs[size_t(osd)] = addrs;
  }
  for (const auto& [pg, osds] : inc.new_pg_temp) {
    if (osds.empty())
      n.pg_temp.erase(pg);
    else
      n.pg_temp[pg] = osds;
  }
  for (const auto& [pg, osd] : inc.new_primary_temp) {
    if (osd == -1)
      n.primary_temp.erase(pg);
    else
      n.primary_temp[pg] = osd;
  }
  for (const auto& [pg, osds] : inc.new_pg_upmap) n.pg_upmap[pg] = osds;
  for (const auto& pg : inc.old_pg_upmap) n.pg_upmap.erase(pg);
  for (const auto& [pg, items] : inc.new_pg_upmap_items) n.pg_upmap_items[pg] = items;
  for (const auto& pg : inc.old_pg_upmap_items) n.pg_upmap_items.erase(pg);
  if (!(inc.new_last_up_change == utime_t{})) n.last_up_change = inc.new_last_up_change;
  if (!(inc.new_last_in_change == utime_t{})) n.last_in_change = inc.new_last_in_change;
  // The new crush map goes last (after the up/down changes).
  if (inc.crush) {
    n.crush = inc.crush;
    ++n.crush_version;
  }
  *this = std::move(n);
  return {};
}

// ---- placement ---------------------------------------------------------------------------

std::optional<PgId> OSDMap::object_to_pg(int64_t pool, std::string_view oid,
                                         std::string_view nspace, std::string_view key) const {
  const pg_pool_t* p = get_pool(pool);
  if (!p) return std::nullopt;
  const std::string_view name = key.empty() ? oid : key;  // map_to_pg
  uint32_t hash;
  if (nspace.empty()) {
    hash = ceph_str_hash(p->object_hash, name);
  } else {  // pg_pool_t::hash_key: nspace + '\037' + name
    std::string buf;
    buf.reserve(nspace.size() + 1 + name.size());
    buf.append(nspace);
    buf.push_back('\037');
    buf.append(name);
    hash = ceph_str_hash(p->object_hash, buf);
  }
  return PgId{pool, hash};
}

PgId OSDMap::raw_pg_to_pg(const pg_pool_t& pool, PgId raw) {
  return PgId{raw.pool, ceph_stable_mod(raw.seed, pool.pg_num, pool.pg_num_mask)};
}

std::vector<int32_t> OSDMap::pg_to_raw_osds(const pg_pool_t& pool, PgId pg, uint32_t* pps) const {
  // pg_pool_t::raw_pg_to_pps
  const uint32_t ps = ceph_stable_mod(pg.seed, pool.pgp_num, pool.pgp_num_mask);
  *pps = pool.hashpspool() ? crush_hash32_2(kCrushHashRjenkins1, ps, uint32_t(pg.pool))
                           : ps + uint32_t(pg.pool);
  std::vector<int32_t> osds;
  const int size = pool.size;
  const int ruleno = crush ? crush->find_rule(pool.crush_rule, pool.type, size) : -1;
  if (ruleno >= 0 && size > 0) {
    osds.resize(size_t(size));
    const int n = crush_do_rule(*crush, ruleno, int(*pps), osds.data(), size, osd_weight,
                                crush->choose_args_for(pg.pool));
    osds.resize(size_t(std::max(n, 0)));
  }
  remove_nonexistent_osds(pool, osds);
  return osds;
}

std::vector<int32_t> OSDMap::pg_to_raw_osds(PgId pg) const {
  const pg_pool_t* pool = get_pool(pg.pool);
  if (!pool) return {};
  uint32_t pps = 0;
  return pg_to_raw_osds(*pool, pg, &pps);
}

void OSDMap::remove_nonexistent_osds(const pg_pool_t& pool, std::vector<int32_t>& osds) const {
  if (pool.can_shift_osds()) {
    std::erase_if(osds, [&](int32_t o) { return !exists(o); });
  } else {
    for (auto& o : osds)
      if (!exists(o)) o = kCrushItemNone;
  }
}

void OSDMap::apply_upmap(const pg_pool_t& pool, PgId raw_pg, std::vector<int32_t>& raw) const {
  const PgId pg = raw_pg_to_pg(pool, raw_pg);
  auto marked_out = [&](int32_t osd) {
    return osd != kCrushItemNone && osd >= 0 && osd < max_osd && osd_weight[size_t(osd)] == 0;
  };
  if (auto p = pg_upmap.find(pg); p != pg_upmap.end()) {
    // Ignore the explicit mapping if any target is marked out.
    if (std::none_of(p->second.begin(), p->second.end(), marked_out)) raw = p->second;
    else return;
    // ... and continue with pg_upmap_items.
  }
  if (auto q = pg_upmap_items.find(pg); q != pg_upmap_items.end()) {
    // Note: no bidirectional swaps, e.g. [[1,2],[2,1]] applied to [0,1,2] gives [0,2,1].
    for (const auto& [from, to] : q->second) {
      bool exists_already = false;
      long pos = -1;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == to) {
          exists_already = true;
          break;
        }
        // Ignore the mapping if the target is marked out (or an invalid osd id).
        if (raw[i] == from && pos < 0 && !marked_out(to)) pos = long(i);
      }
      if (!exists_already && pos >= 0) raw[size_t(pos)] = to;
    }
  }
}

void OSDMap::raw_to_up_osds(const pg_pool_t& pool, const std::vector<int32_t>& raw,
                            std::vector<int32_t>& up) const {
  up.clear();
  if (pool.can_shift_osds()) {  // shift left
    for (int32_t o : raw)
      if (exists(o) && !is_down(o)) up.push_back(o);
  } else {  // down or missing devices become NONE
    up.resize(raw.size());
    for (size_t i = 0; i < raw.size(); ++i)
      up[i] = (!exists(raw[i]) || is_down(raw[i])) ? kCrushItemNone : raw[i];
  }
}

void OSDMap::apply_primary_affinity(uint32_t seed, const pg_pool_t& pool,
                                    std::vector<int32_t>& osds, int32_t& primary) const {
  if (primary_affinity.empty()) return;
  // Any non-default affinity among these osds?
  if (std::none_of(osds.begin(), osds.end(), [&](int32_t o) {
        return o != kCrushItemNone && get_primary_affinity(o) != kDefaultPrimaryAffinity;
      }))
    return;
  // Pick the primary: hash the pg seed and the osd so that a proportional fraction of an
  // osd's PGs reject it as primary.
  long pos = -1;
  for (size_t i = 0; i < osds.size(); ++i) {
    const int32_t o = osds[i];
    if (o == kCrushItemNone) continue;
    const uint32_t a = get_primary_affinity(o);
    if (a < kMaxPrimaryAffinity &&
        (crush_hash32_2(kCrushHashRjenkins1, seed, uint32_t(o)) >> 16) >= a) {
      if (pos < 0) pos = long(i);  // fallback if nobody else is picked
    } else {
      pos = long(i);
      break;
    }
  }
  if (pos < 0) return;
  primary = osds[size_t(pos)];
  if (pool.can_shift_osds() && pos > 0) {  // move the new primary to the front
    for (long i = pos; i > 0; --i) osds[size_t(i)] = osds[size_t(i - 1)];
    osds[0] = primary;
  }
}

void OSDMap::get_temp_osds(const pg_pool_t& pool, PgId raw_pg, std::vector<int32_t>& temp,
                           int32_t& temp_primary) const {
  const PgId pg = raw_pg_to_pg(pool, raw_pg);
  temp.clear();
  if (auto p = pg_temp.find(pg); p != pg_temp.end()) {
    for (int32_t o : p->second) {
      if (!exists(o) || is_down(o)) {
        if (!pool.can_shift_osds()) temp.push_back(kCrushItemNone);
      } else {
        temp.push_back(o);
      }
    }
  }
  temp_primary = -1;
  if (auto pp = primary_temp.find(pg); pp != primary_temp.end()) {
    temp_primary = pp->second;
  } else {  // pg_temp's primary
    for (int32_t o : temp) {
      if (o != kCrushItemNone) {
        temp_primary = o;
        break;
      }
    }
  }
}

UpActing OSDMap::pg_to_up_acting(PgId pg) const {
  UpActing r;
  const pg_pool_t* pool = get_pool(pg.pool);
  if (!pool) return r;
  get_temp_osds(*pool, pg, r.acting, r.acting_primary);
  std::vector<int32_t> raw = pg_to_raw_osds(*pool, pg, &r.pps);
  apply_upmap(*pool, pg, raw);
  raw_to_up_osds(*pool, raw, r.up);
  for (int32_t o : r.up) {  // _pick_primary
    if (o != kCrushItemNone) {
      r.up_primary = o;
      break;
    }
  }
  apply_primary_affinity(r.pps, *pool, r.up, r.up_primary);
  if (r.acting.empty()) {
    r.acting = r.up;
    if (r.acting_primary == -1) r.acting_primary = r.up_primary;
  }
  return r;
}

std::optional<ObjectLocation> OSDMap::locate(int64_t pool, std::string_view oid,
                                             std::string_view nspace,
                                             std::string_view key) const {
  auto raw = object_to_pg(pool, oid, nspace, key);
  if (!raw) return std::nullopt;
  const pg_pool_t& p = *get_pool(pool);
  ObjectLocation loc;
  loc.raw_pg = *raw;
  loc.raw_hash = raw->seed;
  loc.pg_seed = raw_pg_to_pg(p, *raw).seed;
  const UpActing ua = pg_to_up_acting(*raw);
  loc.acting_primary = ua.acting_primary;
  if (!p.can_shift_osds()) {  // ceph_pg_to_primary_shard
    for (size_t i = 0; i < ua.acting.size(); ++i)
      if (ua.acting[i] == ua.acting_primary) {
        loc.shard = int32_t(i);
        break;
      }
  }
  loc.epoch = epoch;
  return loc;
}

}  // namespace cephwire::codec
