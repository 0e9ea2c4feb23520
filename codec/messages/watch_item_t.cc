#include "codec/messages/watch_item_t.h"

namespace cephwire::codec {

void watch_item_t::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("watcher", name.to_string());
  w.kv("cookie", cookie);
  w.kv("timeout", timeout_seconds);
  if (env.struct_v >= 2) {
    w.key("addr");
    addr.dump(w);
    w.kv("addr_str", addr.to_string());
  }
  w.end_object();
}

}  // namespace cephwire::codec
