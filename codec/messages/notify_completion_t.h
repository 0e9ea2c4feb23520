// The NOTIFY_COMPLETE payload: the data segment of MWatchNotify(NOTIFY_COMPLETE), and what
// librados hands to the notifier as its reply buffer.
//   map<pair<u64 gid, u64 cookie>, bufferlist> acks | vector<pair<u64 gid, u64 cookie>> timeouts
//   = le32 n | n x {le64 gid, le64 cookie, le32 len, len bytes} | le32 m | m x {le64, le64}
// Sources (ceph/ceph): src/osd/Watch.cc Notify::maybe_complete_notify (encode(notify_replies),
// then the watchers that did not ack as `missed`, reply->set_data(bl)); librados.h
// rados_notify2 / rados_decode_notify_response (the same layout).
//
// Strictness: a std::map is encoded in ascending key order, so keys must be strictly
// increasing (out-of-order or repeated keys are a kBadValue error; otherwise re-encoding would
// reorder them).
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "codec/denc.h"

namespace cephwire::codec {

struct notify_completion_t {
  static constexpr size_t kWireMinSize = 8;
  using Key = std::pair<uint64_t, uint64_t>;  // (notifier-side gid of the watcher, cookie)
  std::map<Key, Bytes> acks;                  // ack payloads (empty if the watcher sent none)
  std::vector<Key> timeouts;                  // watchers that did not ack in time

  template <class V>
  bool visit(V& v) {
    if constexpr (V::kDecoding) {
      if (!decode_acks(v)) return false;
    } else if (!v("acks", acks)) {
      return false;
    }
    return v("timeouts", timeouts);
  }
  // {"acks": [{"gid", "cookie", "payload"}], "timeouts": [{"gid", "cookie"}]}
  void dump(JsonWriter& w) const;
  bool operator==(const notify_completion_t&) const = default;

 private:
  template <bool K>
  bool decode_acks(BasicDecoder<K>& d);
};

}  // namespace cephwire::codec
