#include "codec/messages/MPoolOpReply.h"

namespace cephwire::codec {

Result<MPoolOpReply> MPoolOpReply::decode(const MessageParts& p) {
  return mon_util::decode_front(p, MPoolOpReply{});
}
void MPoolOpReply::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }
void MPoolOpReply::dump(JsonWriter& w) const { mon_util::dump_message(*this, w); }

}  // namespace cephwire::codec
