#include "codec/messages/MPoolOp.h"

namespace cephwire::codec {

Result<MPoolOp> MPoolOp::decode(const MessageParts& p) {
  return mon_util::decode_front(p, MPoolOp{});
}
void MPoolOp::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }
void MPoolOp::dump(JsonWriter& w) const { mon_util::dump_message(*this, w); }

}  // namespace cephwire::codec
