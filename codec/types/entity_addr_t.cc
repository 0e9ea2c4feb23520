#include "codec/types/entity_addr_t.h"

#include <arpa/inet.h>

namespace cephwire::codec {

std::string entity_addr_t::ip_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == kAfInet) {
    // sa_data: port(2) + in_addr(4)
    inet_ntop(AF_INET, sa_data.data() + 2, buf, sizeof(buf));
    return buf;
  }
  if (family == kAfInet6) {
    // sockaddr_in6 after family: port(2) flowinfo(4) addr(16) scope(4)
    inet_ntop(AF_INET6, sa_data.data() + 6, buf, sizeof(buf));
    return buf;
  }
  return {};
}

std::string entity_addr_t::to_string() const {
  std::string s;
  switch (type) {
    case kTypeNone: return "-";
    case kTypeLegacy: s = "v1:"; break;
    case kTypeMsgr2: s = "v2:"; break;
    case kTypeAny: s = "any:"; break;
    case kTypeCidr: s = "cidr:"; break;
    default: s = "type" + std::to_string(type) + ":"; break;
  }
  if (family == kAfInet6) {
    s += "[" + ip_string() + "]:" + std::to_string(port());
  } else if (family == kAfInet) {
    s += ip_string() + ":" + std::to_string(port());
  } else {
    s += "(family " + std::to_string(family) + ")";
  }
  s += "/" + std::to_string(nonce);
  return s;
}

void entity_addr_t::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("type", std::string_view(type == kTypeLegacy   ? "v1"
                                : type == kTypeMsgr2 ? "v2"
                                : type == kTypeAny   ? "any"
                                : type == kTypeCidr  ? "cidr"
                                : type == kTypeNone  ? "none"
                                                     : "unknown"));
  w.kv("addr", family == kAfInet6 ? "[" + ip_string() + "]:" + std::to_string(port())
                                  : ip_string() + ":" + std::to_string(port()));
  w.kv("nonce", nonce);
  w.kv("encoding", std::string_view(legacy ? "legacy" : "addr2"));
  w.end_object();
}

entity_addr_t entity_addr_t::make_ipv4(uint32_t type, const uint8_t ip[4], uint16_t port,
                                       uint32_t nonce, bool legacy_form) {
  entity_addr_t a;
  a.legacy = legacy_form;
  a.type = legacy_form ? kTypeLegacy : type;
  a.nonce = nonce;
  a.family = kAfInet;
  a.elen = 16;
  a.sa_data[0] = static_cast<uint8_t>(port >> 8);
  a.sa_data[1] = static_cast<uint8_t>(port);
  std::memcpy(a.sa_data.data() + 2, ip, 4);
  return a;
}

std::string entity_addrvec_t::to_string() const {
  if (v.size() == 1) return v[0].to_string();
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += v[i].to_string();
  }
  return s + "]";
}

void entity_addrvec_t::dump(JsonWriter& w) const {
  w.begin_array();
  for (const auto& a : v) a.dump(w);
  w.end_array();
}

}  // namespace cephwire::codec
