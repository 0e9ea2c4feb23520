#include "codec/messages/MMonGetMap.h"

namespace cephwire::codec {

Result<MMonGetMap> MMonGetMap::decode(const MessageParts& p) { return mon_util::decode_front(p, MMonGetMap{}); }
void MMonGetMap::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }
void MMonGetMap::dump(JsonWriter& w) const { mon_util::dump_message(*this, w); }

}  // namespace cephwire::codec
