// object_locator_t: where an object lives (pool, key, namespace, hash).
// Sources (ceph/ceph): src/osd/osd_types.cc object_locator_t::encode (ENCODE_START(6, 3):
// s64 pool | s32 preferred = -1 | string key | string nspace | s64 hash; the compat byte is
// rewritten to 6 when hash != -1 by ENCODE_FINISH_NEW_COMPAT) and object_locator_t::decode
// (DECODE_START_LEGACY_COMPAT_LEN(6, 3, 3): struct_v < 3 has no compat/len; struct_v < 2 has
// s32 pool + s16 preferred; nspace from v5, hash from v6, else -1; then asserts
// hash == -1 || key.empty()), object_locator_t::dump. Linux net/ceph/osd_client.c encode_oloc
// writes v5 compat 4 (no hash).
#pragma once

#include <cstdint>
#include <string>

#include "codec/denc.h"

namespace cephwire::codec {

struct object_locator_t {
  static constexpr size_t kWireMinSize = 1;
  int64_t pool = -1;
  int32_t preferred = -1;  // written as -1; struct_v < 2 carries it as s16
  std::string key;
  std::string nspace;
  int64_t hash = -1;       // -1 = none
  Envelope env{6, 3};      // compat 3, or 6 when hash != -1 (see make())

  template <class V>
  bool visit(V& v) {
    return v.legacy_envelope("object_locator_t", env, 6, 3, [&](uint8_t sv) {
      if (sv < 2) {
        int32_t pool32 = static_cast<int32_t>(pool);
        int16_t pref16 = static_cast<int16_t>(preferred);
        if (!(v("pool", pool32) && v("preferred", pref16))) return false;
        if constexpr (V::kDecoding) {
          pool = pool32;
          preferred = pref16;
        }
      } else if (!(v("pool", pool) && v("preferred", preferred))) {
        return false;
      }
      if (!v("key", key)) return false;
      if (sv >= 5 && !v("nspace", nspace)) return false;
      if (sv >= 6) {
        if (!v("hash", hash)) return false;
      } else if constexpr (V::kDecoding) {
        hash = -1;
      }
      // Ceph asserts this after decoding (a corrupted locator).
      return v.check(hash == -1 || key.empty(), ErrorKind::kBadValue,
                     "object_locator_t with both a hash and a key");
    });
  }

  // What librados' encoder writes: v6, compat 3 (6 with a hash).
  static object_locator_t make(int64_t pool, std::string nspace = {}, std::string key = {},
                               int64_t hash = -1);
  // {"pool", "key", "namespace", "hash"} as object_locator_t::dump.
  void dump(JsonWriter& w) const;
  bool operator==(const object_locator_t&) const = default;
};

}  // namespace cephwire::codec
