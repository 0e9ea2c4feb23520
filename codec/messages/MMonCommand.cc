#include "codec/messages/MMonCommand.h"

namespace cephwire::codec {

Result<MMonCommand> MMonCommand::decode(const MessageParts& p) {
  auto r = mon_util::decode_front(p, MMonCommand{}, mon_util::kData);
  if (r) r->inbl = p.data;
  return r;
}

void MMonCommand::encode(MessageParts& p) const {
  mon_util::encode_front(*this, p);
  p.data = inbl;
}

void MMonCommand::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("type_name", kName);
  w.kv("type", kType);
  w.kv("header_version", header_version);
  Dumper d(w);
  const_cast<MMonCommand&>(*this).visit(d);
  w.key("inbl");
  w.bytes(inbl.span());
  w.end_object();
}

}  // namespace cephwire::codec
