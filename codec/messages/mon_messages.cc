#include "codec/messages/mon_messages.h"

namespace cephwire::codec {

namespace {

template <class M>
Result<MonMessage> as_variant(Result<M> r) {
  if (!r) return tl::unexpected(std::move(r.error()));
  return MonMessage(std::move(*r));
}

}  // namespace

bool is_mon_message_type(uint16_t type) { return mon_message_name(type) != nullptr; }

const char* mon_message_name(uint16_t type) {
  switch (type) {
    case MAuth::kType: return MAuth::kName;
    case MAuthReply::kType: return MAuthReply::kName;
    case MMonSubscribe::kType: return MMonSubscribe::kName;
    case MMonSubscribeAck::kType: return MMonSubscribeAck::kName;
    case MMonMap::kType: return MMonMap::kName;
    case MOSDMap::kType: return MOSDMap::kName;
    case MConfig::kType: return MConfig::kName;
    case MMgrMap::kType: return MMgrMap::kName;
    case MMonGetVersion::kType: return MMonGetVersion::kName;
    case MMonGetVersionReply::kType: return MMonGetVersionReply::kName;
    case MMonGetMap::kType: return MMonGetMap::kName;
    case MMonCommand::kType: return MMonCommand::kName;
    case MMonCommandAck::kType: return MMonCommandAck::kName;
    case MPoolOp::kType: return MPoolOp::kName;
    case MPoolOpReply::kType: return MPoolOpReply::kName;
    case MPing::kType: return MPing::kName;
  }
  return nullptr;
}

Result<MonMessage> decode_mon_message(const MessageParts& p) {
  switch (p.type) {
    case MAuth::kType: return as_variant(MAuth::decode(p));
    case MAuthReply::kType: return as_variant(MAuthReply::decode(p));
    case MMonSubscribe::kType: return as_variant(MMonSubscribe::decode(p));
    case MMonSubscribeAck::kType: return as_variant(MMonSubscribeAck::decode(p));
    case MMonMap::kType: return as_variant(MMonMap::decode(p));
    case MOSDMap::kType: return as_variant(MOSDMap::decode(p));
    case MConfig::kType: return as_variant(MConfig::decode(p));
    case MMgrMap::kType: return as_variant(MMgrMap::decode(p));
    case MMonGetVersion::kType: return as_variant(MMonGetVersion::decode(p));
    case MMonGetVersionReply::kType: return as_variant(MMonGetVersionReply::decode(p));
    case MMonGetMap::kType: return as_variant(MMonGetMap::decode(p));
    case MMonCommand::kType: return as_variant(MMonCommand::decode(p));
    case MMonCommandAck::kType: return as_variant(MMonCommandAck::decode(p));
    case MPoolOp::kType: return as_variant(MPoolOp::decode(p));
    case MPoolOpReply::kType: return as_variant(MPoolOpReply::decode(p));
    case MPing::kType: return as_variant(MPing::decode(p));
  }
  return as_variant(OpaqueMessage::decode(p));
}

void encode_mon_message(const MonMessage& m, MessageParts& p) {
  std::visit([&](const auto& msg) { msg.encode(p); }, m);
}

void dump_mon_message(const MonMessage& m, JsonWriter& w) {
  std::visit([&](const auto& msg) { msg.dump(w); }, m);
}

}  // namespace cephwire::codec
