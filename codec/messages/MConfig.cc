#include "codec/messages/MConfig.h"

namespace cephwire::codec {

Result<MConfig> MConfig::decode(const MessageParts& p) {
  return mon_util::decode_front(p, MConfig{});
}
void MConfig::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }

void MConfig::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("type_name", kName);
  w.kv("type", kType);
  w.kv("header_version", header_version);
  w.key("config");
  w.begin_object();
  for (const auto& [k, v] : config) w.kv(k, std::string_view(v));
  w.end_object();
  w.end_object();
}

}  // namespace cephwire::codec
