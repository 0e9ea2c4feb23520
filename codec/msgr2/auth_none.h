// The AUTH_REQUEST payload a CEPH_AUTH_NONE client sends.
//  - to a monitor (MonConnection::get_auth_request, src/mon/MonClient.cc):
//      u8 AUTH_MODE_MON (10) | EntityName | u64 global_id   (+ build_initial_request: none)
//  - to any other daemon, the authorizer (AuthNoneAuthorizer::build_authorizer,
//    src/auth/none/AuthNoneProtocol.h): u8 struct_v = 1 | EntityName | u64 global_id
// EntityName (src/common/entity_name.cc EntityName::encode): u32 type | string id.
#pragma once

#include <cstdint>
#include <string>

#include "codec/denc.h"

namespace cephwire::codec::msgr2 {

struct EntityName {
  static constexpr size_t kWireMinSize = 8;
  uint32_t type = 0;  // CEPH_ENTITY_TYPE_* (client = 8)
  std::string id;     // "admin" for client.admin
  template <class V>
  bool visit(V& v) {
    return v("type", type) && v("id", id);
  }
  bool operator==(const EntityName&) const = default;
};

struct AuthNoneRequest {
  static constexpr uint8_t kModeMon = 10;       // AUTH_MODE_MON: request to a monitor
  static constexpr uint8_t kAuthorizerV1 = 1;   // AuthNoneAuthorizer struct_v: to an OSD etc.
  uint8_t mode = kModeMon;  // first byte: AUTH_MODE_MON or the authorizer's struct_v
  EntityName entity_name;
  uint64_t global_id = 0;

  bool is_mon() const { return mode == kModeMon; }
  template <class V>
  bool visit(V& v) {
    return v("mode", mode) && v("entity_name", entity_name) && v("global_id", global_id);
  }
  bool operator==(const AuthNoneRequest&) const = default;
};

}  // namespace cephwire::codec::msgr2
