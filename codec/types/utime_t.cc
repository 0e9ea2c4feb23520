#include "codec/types/utime_t.h"

#include <cstdio>

namespace cephwire::codec {

void utime_t::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("sec", sec);
  w.kv("nsec", nsec);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%u.%09u", sec, nsec);
  w.kv("stamp", std::string_view(buf));
  w.end_object();
}

}  // namespace cephwire::codec
