#include "codec/types/utime_t.h"

#include <charconv>

namespace cephwire::codec {

void utime_t::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("sec", sec);
  w.kv("nsec", nsec);
  // "%u.%09u" without printf (this runs for every decoded message).
  char buf[32];
  char* p = std::to_chars(buf, buf + 12, sec).ptr;
  *p++ = '.';
  char frac[12];
  const char* e = std::to_chars(frac, frac + sizeof frac, nsec).ptr;
  const size_t n = static_cast<size_t>(e - frac);
  for (size_t i = n; i < 9; ++i) *p++ = '0';
  for (const char* q = frac; q < e; ++q) *p++ = *q;
  w.kv("stamp", std::string_view(buf, static_cast<size_t>(p - buf)));
  w.end_object();
}

}  // namespace cephwire::codec
