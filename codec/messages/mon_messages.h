// Every message of a client's mon session (plus MPing) in one variant, and a dispatcher on header.type
// (what Ceph's decode_message() in src/msg/Message.cc does with its switch). Types without a
// typed decoder here (including the OSD messages of //codec/messages:osd) come back as
// OpaqueMessage.
#pragma once

#include <cstdint>
#include <variant>

#include "codec/message.h"
#include "codec/messages/MAuth.h"
#include "codec/messages/MAuthReply.h"
#include "codec/messages/MConfig.h"
#include "codec/messages/MMgrMap.h"
#include "codec/messages/MMonCommand.h"
#include "codec/messages/MMonCommandAck.h"
#include "codec/messages/MMonGetMap.h"
#include "codec/messages/MMonGetVersion.h"
#include "codec/messages/MMonGetVersionReply.h"
#include "codec/messages/MMonMap.h"
#include "codec/messages/MMonSubscribe.h"
#include "codec/messages/MMonSubscribeAck.h"
#include "codec/messages/MOSDMap.h"
#include "codec/messages/MPing.h"
#include "codec/messages/MPoolOp.h"
#include "codec/messages/MPoolOpReply.h"
#include "codec/messages/OpaqueMessage.h"

namespace cephwire::codec {

using MonMessage =
    std::variant<MAuth, MAuthReply, MMonSubscribe, MMonSubscribeAck, MMonMap, MOSDMap, MConfig,
                 MMgrMap, MMonGetVersion, MMonGetVersionReply, MMonGetMap, MMonCommand,
                 MMonCommandAck, MPoolOp, MPoolOpReply, MPing, OpaqueMessage>;

// True if `type` has a typed decoder in MonMessage.
bool is_mon_message_type(uint16_t type);
// The Ceph class name for a typed mon message type, or nullptr.
const char* mon_message_name(uint16_t type);

// Decodes p with the class its header.type names; unknown types give an OpaqueMessage. Errors
// of a typed decoder are returned as they are (a known type is never silently made opaque).
Result<MonMessage> decode_mon_message(const MessageParts& p);
void encode_mon_message(const MonMessage& m, MessageParts& p);
void dump_mon_message(const MonMessage& m, JsonWriter& w);

}  // namespace cephwire::codec
