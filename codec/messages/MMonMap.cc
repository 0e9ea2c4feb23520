#include "codec/messages/MMonMap.h"

namespace cephwire::codec {

Result<MMonMap> MMonMap::decode(const MessageParts& p) {
  return mon_util::decode_front(p, MMonMap{});
}
void MMonMap::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }
void MMonMap::dump(JsonWriter& w) const { mon_util::dump_message(*this, w); }

}  // namespace cephwire::codec
