// pg_t: u8 v (1) | le64 pool | le32 seed | le32 preferred (-1), 17 bytes.
// Sources (ceph/ceph): src/osd/osd_types.h pg_t::encode (writes v=1 and preferred=-1) and
// pg_t::decode (reads v and skips preferred without checking either); src/osd/osd_types.cc
// pg_t::print ("%llu.%x"). Linux net/ceph/osd_client.c encode_pgid writes the same bytes.
// Both ignored fields are kept so re-encoding is byte-exact.
#pragma once

#include <cstdint>
#include <string>

#include "codec/json_writer.h"

namespace cephwire::codec {

struct pg_t {
  static constexpr size_t kWireMinSize = 17;
  uint8_t v = 1;           // encoding version byte, not checked by Ceph's decoder
  uint64_t pool = 0;
  uint32_t seed = 0;       // placement seed (ps)
  int32_t preferred = -1;  // "was preferred", skipped by Ceph's decoder

  template <class V>
  bool visit(V& vis) {
    return vis("v", v) && vis("pool", pool) && vis("seed", seed) && vis("preferred", preferred);
  }
  std::string to_string() const;  // "1.1f"
  // {"pgid": "1.1f", "pool": 1, "seed": 31} (+ "v"/"preferred" when not 1/-1)
  void dump(JsonWriter& w) const;
  bool operator==(const pg_t&) const = default;
};

}  // namespace cephwire::codec
