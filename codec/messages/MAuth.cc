#include "codec/messages/MAuth.h"

namespace cephwire::codec {

Result<MAuth> MAuth::decode(const MessageParts& p) { return mon_util::decode_front(p, MAuth{}); }

void MAuth::encode(MessageParts& p) const { mon_util::encode_front(*this, p); }

void MAuth::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("type_name", kName);
  w.kv("type", kType);
  w.kv("header_version", header_version);
  Dumper d(w);
  d("paxos", const_cast<PaxosServiceHeader&>(paxos));
  w.kv("protocol", protocol);
  w.key("auth_payload");
  w.bytes(auth_payload.span());
  if (protocol == kCephAuthUnknown) {
    // Show the hello payload decoded when it is one.
    if (auto h = hello()) {
      w.key("hello");
      dump_json(*h, w);
    }
  }
  if (has_monmap_epoch) w.kv("monmap_epoch", monmap_epoch);
  w.end_object();
}

Result<AuthHelloPayload> MAuth::hello() const {
  return decode_as<AuthHelloPayload>(auth_payload.span(), "MAuth.auth_payload");
}

MAuth MAuth::make_hello(const AuthHelloPayload& hello, uint32_t monmap_epoch) {
  MAuth m;
  m.protocol = kCephAuthUnknown;
  m.auth_payload = Bytes(encode_to_vector(hello));
  m.monmap_epoch = monmap_epoch;
  return m;
}

}  // namespace cephwire::codec
