#include "codec/messages/MMonGetVersionReply.h"

namespace cephwire::codec {

Result<MMonGetVersionReply> MMonGetVersionReply::decode(const MessageParts& p) { return mon_util::decode_front(p, MMonGetVersionReply{}); }
void MMonGetVersionReply::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }
void MMonGetVersionReply::dump(JsonWriter& w) const { mon_util::dump_message(*this, w); }

}  // namespace cephwire::codec
