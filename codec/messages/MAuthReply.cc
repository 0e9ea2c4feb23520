#include "codec/messages/MAuthReply.h"

namespace cephwire::codec {

Result<MAuthReply> MAuthReply::decode(const MessageParts& p) {
  return mon_util::decode_front(p, MAuthReply{});
}
void MAuthReply::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }
void MAuthReply::dump(JsonWriter& w) const { mon_util::dump_message(*this, w); }

}  // namespace cephwire::codec
