#include "codec/messages/MOSDMap.h"

namespace cephwire::codec {

Result<MOSDMap> MOSDMap::decode(const MessageParts& p) {
  return mon_util::decode_front(p, MOSDMap{});
}
void MOSDMap::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }

uint32_t MOSDMap::get_first() const {
  uint32_t e = maps.empty() ? 0 : maps.begin()->first;
  if (!incremental_maps.empty() && (e == 0 || incremental_maps.begin()->first < e))
    e = incremental_maps.begin()->first;
  return e;
}

uint32_t MOSDMap::get_last() const {
  uint32_t e = maps.empty() ? 0 : maps.rbegin()->first;
  if (!incremental_maps.empty() && (e == 0 || incremental_maps.rbegin()->first > e))
    e = incremental_maps.rbegin()->first;
  return e;
}

void MOSDMap::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("type_name", kName);
  w.kv("type", kType);
  w.kv("header_version", header_version);
  w.kv("fsid", fsid.to_string());
  auto dump_maps = [&](const char* key, const std::map<uint32_t, Bytes>& m) {
    w.key(key);
    w.begin_array();
    for (const auto& [epoch, bl] : m) {
      w.begin_object();
      w.kv("epoch", epoch);
      w.key("map");
      w.bytes(bl.span());
      w.end_object();
    }
    w.end_array();
  };
  dump_maps("incremental_maps", incremental_maps);
  dump_maps("maps", maps);
  if (header_version >= 2) {
    w.kv("oldest_map", oldest_map);
    w.kv("newest_map", newest_map);
  }
  if (header_version >= 4) {
    w.key("gap_removed_snaps");
    w.begin_array();
    for (const auto& [pool, iset] : gap_removed_snaps) {
      w.begin_object();
      w.kv("pool", pool);
      w.key("intervals");
      w.begin_array();
      for (const auto& [start, len] : iset) {
        w.begin_object();
        w.kv("start", start);
        w.kv("length", len);
        w.end_object();
      }
      w.end_array();
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
}

}  // namespace cephwire::codec
