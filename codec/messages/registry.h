// Every message type cephwire knows, behind one dispatch: header.type picks the class (as
// Ceph's decode_message() in src/msg/Message.cc does), unknown types become OpaqueMessage.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "codec/message.h"
#include "codec/messages/MOSDOp.h"
#include "codec/messages/MOSDOpReply.h"
#include "codec/messages/MWatchNotify.h"
#include "codec/messages/mon_messages.h"

namespace cephwire::codec {

using AnyMessage = std::variant<MOSDOp, MOSDOpReply, MWatchNotify, MonMessage>;

// "MOSDOp", "MAuthReply", ... or "type_<n>" for a type this codec does not know.
std::string message_type_name(uint16_t type);
Result<AnyMessage> decode_message(const MessageParts& p);
// Writes the message's segments (and version/compat) into `out`; header fields it does not
// own (seq, tid, priority, data_off, src) are left as they are.
void encode_message(const AnyMessage& m, MessageParts& out);
void dump_message(const AnyMessage& m, JsonWriter& w);

// Key fields for one-line summaries and filters.
struct MessageSummary {
  std::string text;                  // e.g. "rbd_header.abc [watch cookie=94.. gen=0]"
  std::vector<std::string> objects;
  std::vector<uint64_t> cookies;
  std::vector<uint64_t> notify_ids;
  std::vector<uint64_t> gids;
};
MessageSummary summarize(const AnyMessage& m);

}  // namespace cephwire::codec
