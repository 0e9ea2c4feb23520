// spg_t: ENCODE_START(1, 1) | pg_t | s8 shard (-1 = NO_SHARD), 24 bytes.
// Sources (ceph/ceph): src/osd/osd_types.h spg_t::encode / spg_t::decode (DECODE_START(1)),
// shard_id_t (int8_t, NO_SHARD = -1). Linux net/ceph/osd_client.c encode_spgid.
#pragma once

#include <cstdint>
#include <string>

#include "codec/denc.h"
#include "codec/messages/pg_t.h"

namespace cephwire::codec {

struct spg_t {
  static constexpr size_t kWireMinSize = 6;
  static constexpr int8_t kNoShard = -1;
  pg_t pgid;
  int8_t shard = kNoShard;
  Envelope env{1, 1};

  template <class V>
  bool visit(V& v) {
    return v.envelope("spg_t", env, 1, [&](uint8_t) {
      return v("pgid", pgid) && v("shard", shard);
    });
  }
  // "1.1f" or "1.1fs2" (Ceph's spg_t printing).
  std::string to_string() const {
    return shard == kNoShard ? pgid.to_string()
                             : pgid.to_string() + "s" + std::to_string(static_cast<int>(shard));
  }
  void dump(JsonWriter& w) const {
    w.begin_object();
    w.kv("pgid", pgid.to_string());
    w.kv("pool", pgid.pool);
    w.kv("seed", pgid.seed);
    w.kv("shard", shard);
    w.end_object();
  }
  bool operator==(const spg_t&) const = default;
};

}  // namespace cephwire::codec
