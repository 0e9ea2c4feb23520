// entity_name_t: u8 type + le64 num, 9 bytes (Ceph src/msg/msg_types.h entity_name_t,
// = struct ceph_entity_name in src/include/msgr.h). Types CEPH_ENTITY_TYPE_*.
#pragma once

#include <cstdint>
#include <string>

#include "codec/json_writer.h"

namespace cephwire::codec {

struct entity_name_t {
  static constexpr size_t kWireMinSize = 9;
  static constexpr uint8_t kTypeMon = 0x01;
  static constexpr uint8_t kTypeMds = 0x02;
  static constexpr uint8_t kTypeOsd = 0x04;
  static constexpr uint8_t kTypeClient = 0x08;
  static constexpr uint8_t kTypeMgr = 0x10;
  static constexpr uint8_t kTypeAuth = 0x20;
  static constexpr uint8_t kTypeAny = 0xFF;

  uint8_t type = 0;
  int64_t num = 0;  // le64 on the wire; -1 means "new" (client before it has a global id)

  template <class V>
  bool visit(V& v) {
    return v("type", type) && v("num", num);
  }
  // "client.4133", "osd.0", "mon.-1"... as Ceph prints it; type 0 prints "0.<num>" (unknown).
  std::string to_string() const;
  void dump(JsonWriter& w) const { w.value(to_string()); }
  bool operator==(const entity_name_t&) const = default;
};

const char* entity_type_name(uint32_t type);  // "client", "osd", ... or nullptr

}  // namespace cephwire::codec
