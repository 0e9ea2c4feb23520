#include "codec/messages/EntityName.h"

#include "codec/types/entity_name_t.h"

namespace cephwire::codec {

std::string EntityName::to_string() const {
  const char* t = entity_type_name(type);
  return (t ? std::string(t) : std::to_string(type)) + "." + id;
}

void EntityName::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("type", type);
  w.kv("id", std::string_view(id));
  w.kv("name", to_string());
  w.end_object();
}

}  // namespace cephwire::codec
