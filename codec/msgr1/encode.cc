#include "codec/msgr1/encode.h"

#include <algorithm>

namespace cephwire::codec::msgr1 {

std::vector<uint8_t> encode_banner() { return {kBannerText.begin(), kBannerText.end()}; }

entity_addr_t to_legacy(const entity_addr_t& a) {
  if (a.legacy) return a;
  entity_addr_t l = a;
  l.legacy = true;
  l.legacy_marker2 = 0;
  l.legacy_rest = 0;
  l.type = entity_addr_t::kTypeLegacy;
  l.elen = 0;
  // Bytes past the sockaddr the addr2 form carried are zero padding in sockaddr_storage.
  const size_t used = a.elen >= 2 ? a.elen - 2 : 0;
  std::fill(l.sa_data.begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(used, 126)),
            l.sa_data.end(), 0);
  l.env = {1, 1};
  return l;
}

std::vector<uint8_t> encode_legacy_addr(const entity_addr_t& a) {
  return encode_to_vector(to_legacy(a));
}

ClientBanner make_client_banner(const entity_addr_t& my_addr) {
  ClientBanner b;
  b.addr = to_legacy(my_addr);
  return b;
}

ServerBanner make_server_banner(const entity_addr_t& my_addr,
                                const entity_addr_t& peer_addr_for_you) {
  ServerBanner b;
  b.addr = to_legacy(my_addr);
  b.peer_addr_for_you = to_legacy(peer_addr_for_you);
  return b;
}

Connect make_connect(const ConnectParams& p) {
  Connect c;
  c.connect.features = p.features;
  c.connect.host_type = p.host_type;
  c.connect.global_seq = p.global_seq;
  c.connect.connect_seq = p.connect_seq;
  c.connect.protocol_version = p.protocol_version;
  c.connect.flags = p.lossy ? kConnectLossy : 0;
  if (p.auth_none) {
    c.auth_none = p.auth_none;
    c.connect.authorizer_protocol = kAuthNone;
    c.connect.authorizer_len = static_cast<uint32_t>(encoded_size(*p.auth_none));
  }
  return c;
}

ConnectReply make_connect_reply(uint8_t tag, uint64_t features, uint32_t global_seq,
                                uint32_t connect_seq, uint32_t protocol_version, bool lossy,
                                Bytes authorizer_reply) {
  ConnectReply r;
  r.reply.tag = tag;
  r.reply.features = features;
  r.reply.global_seq = global_seq;
  r.reply.connect_seq = connect_seq;
  r.reply.protocol_version = protocol_version;
  r.reply.flags = lossy ? kConnectLossy : 0;
  r.reply.authorizer_len = static_cast<uint32_t>(authorizer_reply.size());
  r.authorizer_reply = std::move(authorizer_reply);
  return r;
}

std::vector<uint8_t> encode_close() { return encode(TagClose{}); }
std::vector<uint8_t> encode_keepalive() { return encode(TagKeepalive{}); }
std::vector<uint8_t> encode_keepalive2(utime_t stamp) {
  TagKeepalive2 t;
  t.stamp = stamp;
  return encode(t);
}
std::vector<uint8_t> encode_keepalive2_ack(utime_t stamp) {
  TagKeepalive2Ack t;
  t.stamp = stamp;
  return encode(t);
}
std::vector<uint8_t> encode_ack(uint64_t seq) {
  TagAck t;
  t.seq = seq;
  return encode(t);
}
std::vector<uint8_t> encode_seq(uint64_t seq) { return encode(SeqExchange{seq}); }

}  // namespace cephwire::codec::msgr1
