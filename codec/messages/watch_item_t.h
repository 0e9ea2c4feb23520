// watch_item_t: one watcher in a LIST_WATCHERS reply.
//   ENCODE_START(2, 1) | entity_name_t name | le64 cookie | le32 timeout_seconds |
//   entity_addr_t addr (struct_v >= 2)
// Sources (ceph/ceph): src/osd/osd_types.h watch_item_t::encode (addr encoded with the
// client's features: legacy 136-byte form without MSG_ADDR2, addr2 with it) / decode
// (DECODE_START(2); addr only if struct_v >= 2) / dump ("watcher", "cookie", "timeout",
// "addr"). Linux net/ceph/osd_client.c decode_watcher. The address uses
// codec/types/entity_addr_t.h (either form).
#pragma once

#include <cstdint>

#include "codec/denc.h"
#include "codec/types/entity_addr_t.h"
#include "codec/types/entity_name_t.h"

namespace cephwire::codec {

struct watch_item_t {
  static constexpr size_t kWireMinSize = 6;
  entity_name_t name;
  uint64_t cookie = 0;
  uint32_t timeout_seconds = 0;
  entity_addr_t addr;  // struct_v >= 2
  Envelope env{2, 1};

  template <class V>
  bool visit(V& v) {
    return v.envelope("watch_item_t", env, 2, [&](uint8_t sv) {
      if (!(v("name", name) && v("cookie", cookie) && v("timeout_seconds", timeout_seconds)))
        return false;
      return sv < 2 || v("addr", addr);
    });
  }
  void dump(JsonWriter& w) const;
  bool operator==(const watch_item_t&) const = default;
};

}  // namespace cephwire::codec
