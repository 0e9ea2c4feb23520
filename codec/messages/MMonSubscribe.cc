#include "codec/messages/MMonSubscribe.h"

namespace cephwire::codec {

Result<MMonSubscribe> MMonSubscribe::decode(const MessageParts& p) {
  return mon_util::decode_front(p, MMonSubscribe{});
}
void MMonSubscribe::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }

void MMonSubscribe::dump(JsonWriter& w) const {
  // Like Ceph's print: name -> {start, flags}, as an object keyed by the subscription name.
  w.begin_object();
  w.kv("type_name", kName);
  w.kv("type", kType);
  w.kv("header_version", header_version);
  w.key("what");
  w.begin_object();
  if (header_version < 2) {
    for (const auto& [name, it] : what_old) {
      w.key(name);
      w.begin_object();
      w.kv("unused", it.unused);
      w.kv("have", it.have);
      w.kv("onetime", it.onetime);
      w.end_object();
    }
  } else {
    for (const auto& [name, it] : what) {
      w.key(name);
      w.begin_object();
      w.kv("start", it.start);
      w.kv("flags", it.flags);
      w.kv("onetime", (it.flags & kCephSubscribeOnetime) != 0);
      w.end_object();
    }
  }
  w.end_object();
  if (header_version >= 3) w.kv("hostname", std::string_view(hostname));
  w.end_object();
}

}  // namespace cephwire::codec
