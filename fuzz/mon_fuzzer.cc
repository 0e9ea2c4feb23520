// The mon session messages (MAuth, MAuthReply, MMonSubscribe(Ack), MMonMap, MOSDMap, MConfig,
// MMgrMap, MMonGetVersion(Reply), MMonGetMap, MMonCommand(Ack); other types as OpaqueMessage)
// through decode_mon_message: strict decode, byte-exact re-encode, decode(encode(m)) == m,
// valid JSON. The input's type field picks the class: a typed mon message type is kept, other
// values map onto the typed ones (values with bit 15 set stay, and decode as OpaqueMessage).
// Structure-aware mutator: see message_fuzz.h.
#include <iterator>
#include <variant>

#include "codec/messages/mon_messages.h"
#include "fuzz/message_fuzz.h"

namespace cephwire::fuzz {
namespace {

constexpr uint16_t kMonTypes[] = {
    codec::MAuth::kType,         codec::MAuthReply::kType,      codec::MMonSubscribe::kType,
    codec::MMonSubscribeAck::kType, codec::MMonMap::kType,      codec::MOSDMap::kType,
    codec::MConfig::kType,       codec::MMgrMap::kType,         codec::MMonGetVersion::kType,
    codec::MMonGetVersionReply::kType, codec::MMonGetMap::kType, codec::MMonCommand::kType,
    codec::MMonCommandAck::kType};

struct MonAdapter {
  using Value = codec::MonMessage;
  static void fix(codec::MessageParts& p) {
    if (codec::is_mon_message_type(p.type) || (p.type & 0x8000)) return;
    p.type = kMonTypes[p.type % std::size(kMonTypes)];
  }
  static codec::Result<Value> decode(const codec::MessageParts& p) {
    return codec::decode_mon_message(p);
  }
  static void encode(const Value& m, codec::MessageParts& p) { codec::encode_mon_message(m, p); }
  static void dump(const Value& m, codec::JsonWriter& w) { codec::dump_mon_message(m, w); }
  static void extra_checks(const Value&, bool) {}
  static uint16_t head_version(const Value& m) {
    return std::visit([](const auto& x) { return x.header_version; }, m);
  }
  static void set_header_version(Value& m, uint16_t v) {
    std::visit([v](auto& x) { x.header_version = v; }, m);
  }
  CEPHWIRE_HARNESS_ONLY static bool mutate_fields(Value& m, Rng& rng) {
    return std::visit(
        [&](auto& x) {
          if constexpr (requires(decltype(x) y, FieldMutator& f) { y.visit(f); })
            return fuzz::mutate_fields(x, rng);
          else
            return false;
        },
        m);
  }
  CEPHWIRE_HARNESS_ONLY static bool mutate_extra(Value& m, Rng& rng) {
    if (auto* o = std::get_if<codec::OpaqueMessage>(&m)) {
      o->front = mutate_bytes(o->front, rng, 1024);
      return true;
    }
    return false;
  }
};

}  // namespace
}  // namespace cephwire::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return cephwire::fuzz::run_message<cephwire::fuzz::MonAdapter>(data, size);
}

extern "C" CEPHWIRE_HARNESS_ONLY size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size,
                                                                size_t max_size,
                                                                unsigned int seed) {
  return cephwire::fuzz::mutate_message<cephwire::fuzz::MonAdapter>(data, size, max_size, seed);
}
