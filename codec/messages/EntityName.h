// EntityName: the authentication identity, e.g. "client.admin" (Ceph src/common/entity_name.h,
// EntityName::encode/decode): le32 type (CEPH_ENTITY_TYPE_*) + string id.
#pragma once

#include <cstdint>
#include <string>

#include "codec/json_writer.h"

namespace cephwire::codec {

struct EntityName {
  static constexpr size_t kWireMinSize = 8;
  uint32_t type = 0;  // CEPH_ENTITY_TYPE_CLIENT = 8, ...
  std::string id;     // "admin"

  template <class V>
  bool visit(V& v) {
    return v("type", type) && v("id", id);
  }
  // "client.admin" as Ceph prints it; an unknown type prints as "<type>.<id>".
  std::string to_string() const;
  void dump(JsonWriter& w) const;
  bool operator==(const EntityName&) const = default;
};

}  // namespace cephwire::codec
