#include "codec/messages/object_locator_t.h"

namespace cephwire::codec {

object_locator_t object_locator_t::make(int64_t pool, std::string nspace, std::string key,
                                        int64_t hash) {
  object_locator_t o;
  o.pool = pool;
  o.nspace = std::move(nspace);
  o.key = std::move(key);
  o.hash = hash;
  o.env = Envelope{6, static_cast<uint8_t>(hash != -1 ? 6 : 3)};
  return o;
}

void object_locator_t::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("pool", pool);
  w.kv("key", key);
  w.kv("namespace", nspace);
  w.kv("hash", hash);
  if (env.struct_v != 6 || env.headless) w.kv("struct_v", env.struct_v);
  w.end_object();
}

}  // namespace cephwire::codec
