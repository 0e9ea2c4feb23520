#include "codec/messages/MMonGetVersion.h"

namespace cephwire::codec {

Result<MMonGetVersion> MMonGetVersion::decode(const MessageParts& p) { return mon_util::decode_front(p, MMonGetVersion{}); }
void MMonGetVersion::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }
void MMonGetVersion::dump(JsonWriter& w) const { mon_util::dump_message(*this, w); }

}  // namespace cephwire::codec
