#include "codec/types/entity_name_t.h"

namespace cephwire::codec {

const char* entity_type_name(uint32_t type) {
  switch (type) {
    case entity_name_t::kTypeMon: return "mon";
    case entity_name_t::kTypeMds: return "mds";
    case entity_name_t::kTypeOsd: return "osd";
    case entity_name_t::kTypeClient: return "client";
    case entity_name_t::kTypeMgr: return "mgr";
    case entity_name_t::kTypeAuth: return "auth";
    case entity_name_t::kTypeAny: return "any";
  }
  return nullptr;
}

std::string entity_name_t::to_string() const {
  const char* t = entity_type_name(type);
  std::string s = t ? t : std::to_string(type);
  s += '.';
  s += std::to_string(num);
  return s;
}

}  // namespace cephwire::codec
