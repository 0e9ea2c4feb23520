#include "codec/messages/pg_t.h"

#include <cstdio>

namespace cephwire::codec {

std::string pg_t::to_string() const {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%llu.%x", static_cast<unsigned long long>(pool), seed);
  return buf;
}

void pg_t::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("pgid", to_string());
  w.kv("pool", pool);
  w.kv("seed", seed);
  if (v != 1) w.kv("v", v);
  if (preferred != -1) w.kv("preferred", preferred);
  w.end_object();
}

}  // namespace cephwire::codec
