#include "codec/messages/OpaqueMessage.h"

namespace cephwire::codec {

Result<OpaqueMessage> OpaqueMessage::decode(const MessageParts& p) {
  OpaqueMessage m;
  m.type = p.type;
  m.header_version = p.version;
  m.compat_version = p.compat_version;
  m.front = p.front;
  m.middle = p.middle;
  m.data = p.data;
  return m;
}

void OpaqueMessage::encode(MessageParts& p) const {
  p.type = type;
  p.version = header_version;
  p.compat_version = compat_version;
  p.front = front;
  p.middle = middle;
  p.data = data;
}

void OpaqueMessage::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("type_name", kName);
  w.kv("type", type);
  w.kv("header_version", header_version);
  w.kv("compat_version", compat_version);
  w.kv("note", describe());
  w.key("front");
  w.bytes(front.span());
  w.key("middle");
  w.bytes(middle.span());
  w.key("data");
  w.bytes(data.span());
  w.end_object();
}

}  // namespace cephwire::codec
