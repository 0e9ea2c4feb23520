#include "codec/messages/MPing.h"

namespace cephwire::codec {

Result<MPing> MPing::decode(const MessageParts& p) { return mon_util::decode_front(p, MPing{}); }
void MPing::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }
void MPing::dump(JsonWriter& w) const { mon_util::dump_message(*this, w); }

}  // namespace cephwire::codec
