#include "codec/messages/MMonSubscribeAck.h"

namespace cephwire::codec {

Result<MMonSubscribeAck> MMonSubscribeAck::decode(const MessageParts& p) {
  return mon_util::decode_front(p, MMonSubscribeAck{});
}
void MMonSubscribeAck::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }
void MMonSubscribeAck::dump(JsonWriter& w) const { mon_util::dump_message(*this, w); }

}  // namespace cephwire::codec
