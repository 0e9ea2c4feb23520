#include "codec/messages/MMgrMap.h"

namespace cephwire::codec {

Result<MMgrMap> MMgrMap::decode(const MessageParts& p) { return mon_util::decode_front(p, MMgrMap{}); }
void MMgrMap::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }
void MMgrMap::dump(JsonWriter& w) const { mon_util::dump_message(*this, w); }

}  // namespace cephwire::codec
