#include "codec/messages/old_pg_t.h"

#include <cstdio>

namespace cephwire::codec {

std::string old_pg_t::to_string() const {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%u.%x", pool, static_cast<unsigned>(ps));
  return buf;
}

void old_pg_t::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("pgid", to_string());
  w.kv("pool", pool);
  w.kv("ps", ps);
  w.kv("preferred", preferred);
  w.end_object();
}

}  // namespace cephwire::codec
