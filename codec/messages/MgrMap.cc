#include "codec/messages/MgrMap.h"

namespace cephwire::codec {

void MgrMap::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("struct_v", env.struct_v);
  w.kv("struct_compat", env.struct_compat);
  w.kv("epoch", epoch);
  w.kv("active_gid", active_gid);
  w.kv("active_name", std::string_view(active_name));
  w.key("active_addrs");
  active_addrs.dump(w);
  w.kv("available", available);
  w.key("rest");  // standbys, modules, services, ... (not decoded)
  w.bytes(env.unknown_tail.span());
  w.end_object();
}

}  // namespace cephwire::codec
