#include "codec/messages/MonMap.h"

namespace cephwire::codec {

namespace {

void dump_string_set(JsonWriter& w, const std::set<std::string>& s) {
  w.begin_array();
  for (const auto& e : s) w.value(std::string_view(e));
  w.end_array();
}

}  // namespace

void mon_info_t::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("name", std::string_view(name));
  w.key("public_addrs");
  public_addrs.dump(w);
  w.kv("priority", priority);
  w.kv("weight", weight);
  w.key("crush_location");
  w.begin_object();
  for (const auto& [k, v] : crush_loc) w.kv(k, std::string_view(v));
  w.end_object();
  w.kv("struct_v", env.struct_v);
  w.end_object();
}

const entity_addrvec_t* MonMap::addrs_of(const std::string& name) const {
  if (auto it = mon_info.find(name); it != mon_info.end()) return &it->second.public_addrs;
  return nullptr;
}

void MonMap::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("struct_v", env.struct_v);
  w.kv("epoch", epoch);
  w.kv("fsid", fsid.to_string());
  w.key("modified");
  last_changed.dump(w);
  w.key("created");
  created.dump(w);
  w.kv("min_mon_release", min_mon_release);
  w.key("features");
  w.begin_object();
  w.kv("persistent", persistent_features.features);
  w.kv("optional", optional_features.features);
  w.end_object();
  w.kv("election_strategy", strategy);
  w.key("disallowed_leaders");
  dump_string_set(w, disallowed_leaders);
  w.kv("stretch_mode", stretch_mode_enabled);
  w.kv("tiebreaker_mon", std::string_view(tiebreaker_mon));
  w.key("stretch_marked_down_mons");
  dump_string_set(w, stretch_marked_down_mons);
  w.key("removed_ranks");
  w.begin_array();
  for (int32_t r : removed_ranks) w.value(r);
  w.end_array();
  // Ranks as Ceph dumps them ("mons" in rank order), then the raw mon_info map, since a
  // malformed map may name mons in ranks that mon_info lacks (or the other way round).
  w.key("mons");
  w.begin_array();
  for (size_t i = 0; i < ranks.size(); ++i) {
    w.begin_object();
    w.kv("rank", static_cast<uint64_t>(i));
    w.kv("name", std::string_view(ranks[i]));
    if (const auto* a = addrs_of(ranks[i])) {
      w.key("public_addrs");
      a->dump(w);
    }
    w.end_object();
  }
  w.end_array();
  w.key("mon_info");
  w.begin_object();
  for (const auto& [k, info] : mon_info) {
    w.key(k);
    info.dump(w);
  }
  w.end_object();
  if (env.struct_v < 6) {
    w.key("mon_addr");
    w.begin_object();
    for (const auto& [k, a] : mon_addr) {
      w.key(k);
      a.dump(w);
    }
    w.end_object();
  }
  w.end_object();
}

}  // namespace cephwire::codec
