// utime_t: u32 sec + u32 nsec (Ceph src/include/utime.h, encode/decode; same bytes as
// struct ceph_timespec in src/include/msgr.h).
#pragma once

#include <cstdint>

#include "codec/json_writer.h"

namespace cephwire::codec {

struct utime_t {
  static constexpr size_t kWireMinSize = 8;
  uint32_t sec = 0;
  uint32_t nsec = 0;

  template <class V>
  bool visit(V& v) {
    return v("sec", sec) && v("nsec", nsec);
  }
  // Ceph's utime_t::dump prints seconds as a decimal "sec.nsec" string; we keep both numbers
  // exact and add that string.
  void dump(JsonWriter& w) const;
  double to_double() const { return sec + nsec * 1e-9; }
  bool operator==(const utime_t&) const = default;
};

}  // namespace cephwire::codec
