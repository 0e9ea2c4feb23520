#include "codec/msgr1/ceph_msg_connect.h"

#include "codec/types/entity_name_t.h"

namespace cephwire::codec::msgr1 {

std::string EntityName::to_string() const {
  const char* t = entity_type_name(type);
  return (t ? std::string(t) : std::to_string(type)) + "." + id;
}

}  // namespace cephwire::codec::msgr1
