#include "codec/messages/notify_completion_t.h"

namespace cephwire::codec {

template <bool K>
bool notify_completion_t::decode_acks(BasicDecoder<K>& d) {
  d.push_for_path("acks");
  uint32_t n = 0;
  bool ok = d.count(n, 8 + 8 + 4);
  acks.clear();
  for (uint32_t i = 0; ok && i < n; ++i) {
    d.push(nullptr, i);
    const size_t at = d.offset();
    Key k;
    Bytes payload;
    ok = d("gid", k.first) && d("cookie", k.second) && d("payload", payload);
    if (ok && !acks.empty() && !(std::prev(acks.end())->first < k))
      ok = d.fail(ErrorKind::kBadValue, "ack keys not in strictly increasing (gid, cookie) order",
                  at);
    if (ok) acks.emplace_hint(acks.end(), k, std::move(payload));
    d.pop();
  }
  d.pop_for_path();
  return ok;
}

template bool notify_completion_t::decode_acks(Decoder&);
template bool notify_completion_t::decode_acks(FastDecoder&);

void notify_completion_t::dump(JsonWriter& w) const {
  w.begin_object();
  w.key("acks");
  w.begin_array();
  for (const auto& [k, payload] : acks) {
    w.begin_object();
    w.kv("gid", k.first);
    w.kv("cookie", k.second);
    w.key("payload");
    w.bytes(payload.span());
    w.end_object();
  }
  w.end_array();
  w.key("timeouts");
  w.begin_array();
  for (const auto& k : timeouts) {
    w.begin_object();
    w.kv("gid", k.first);
    w.kv("cookie", k.second);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

}  // namespace cephwire::codec
