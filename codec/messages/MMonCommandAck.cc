#include "codec/messages/MMonCommandAck.h"

namespace cephwire::codec {

Result<MMonCommandAck> MMonCommandAck::decode(const MessageParts& p) {
  auto r = mon_util::decode_front(p, MMonCommandAck{}, mon_util::kData);
  if (r) r->outbl = p.data;
  return r;
}

void MMonCommandAck::encode(MessageParts& p) const {
  mon_util::encode_front(*this, p);
  p.data = outbl;
}

void MMonCommandAck::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("type_name", kName);
  w.kv("type", kType);
  w.kv("header_version", header_version);
  Dumper d(w);
  const_cast<MMonCommandAck&>(*this).visit(d);
  w.key("outbl");
  w.bytes(outbl.span());
  w.end_object();
}

}  // namespace cephwire::codec
