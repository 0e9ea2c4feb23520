// obj_list_watch_response_t: the CEPH_OSD_OP_LIST_WATCHERS output (MOSDOpReply outdata).
//   ENCODE_START(1, 1) | list<watch_item_t> entries (le32 count + items)
// Sources (ceph/ceph): src/osd/osd_types.h obj_list_watch_response_t::encode / decode
// (DECODE_START(1)) / dump ("entries"); src/osd/PrimaryLogPG.cc do_osd_ops case
// CEPH_OSD_OP_LIST_WATCHERS (encodes it with the client's features).
#pragma once

#include <vector>

#include "codec/denc.h"
#include "codec/messages/watch_item_t.h"

namespace cephwire::codec {

struct obj_list_watch_response_t {
  static constexpr size_t kWireMinSize = 6;
  std::vector<watch_item_t> entries;
  Envelope env{1, 1};

  template <class V>
  bool visit(V& v) {
    return v.envelope("obj_list_watch_response_t", env, 1,
                      [&](uint8_t) { return v("entries", entries); });
  }
  void dump(JsonWriter& w) const {
    w.begin_object();
    w.key("entries");
    w.begin_array();
    for (const auto& e : entries) e.dump(w);
    w.end_array();
    w.end_object();
  }
  bool operator==(const obj_list_watch_response_t&) const = default;
};

}  // namespace cephwire::codec
