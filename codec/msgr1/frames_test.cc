// Per-struct tests of the msgr v1 framing types, from hand-built vectors that follow the
// packed layouts in ceph/ceph src/include/msgr.h (offsets written out below), fields at their
// limits, truncation at every offset, flipped CRCs, bad tags, and the old (pre-MSG_AUTH)
// footer.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "codec/crc32c.h"
#include "codec/msgr1/banner.h"
#include "codec/msgr1/ceph_msg_connect.h"
#include "codec/msgr1/ceph_msg_connect_reply.h"
#include "codec/msgr1/ceph_msg_header.h"
#include "codec/msgr1/encode.h"
#include "codec/msgr1/message_frame.h"
#include "codec/msgr1/tags.h"
#include "codec/testing/testing.h"

namespace cephwire::codec::msgr1 {
namespace {

using testing::expect_every_truncation_fails;
using testing::expect_round_trip;
using testing::from_hex;
using testing::hex;

// Bitwise reflected CRC-32C (poly 0x82F63B78) with no pre/post inversion: an implementation
// independent of ISA-L, to check ceph_crc32c-based fields.
uint32_t ref_crc32c(uint32_t crc, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return crc;
}
uint32_t ref_crc32c(const std::vector<uint8_t>& v) { return ref_crc32c(0, v.data(), v.size()); }

void put16(std::vector<uint8_t>& b, uint16_t v) {
  for (int i = 0; i < 2; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put64(std::vector<uint8_t>& b, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void append(std::vector<uint8_t>& b, std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }

// struct ceph_entity_addr: le32 type (0: marker 0, marker2 0, u16 0) | le32 nonce |
// sockaddr_storage (ss_family big-endian, then sockaddr_in's port BE + in_addr, zero pad).
std::vector<uint8_t> legacy_addr(uint32_t nonce, uint16_t port, const uint8_t ip[4]) {
  std::vector<uint8_t> b;
  put32(b, 0);
  put32(b, nonce);
  b.push_back(0x00);
  b.push_back(0x02);  // AF_INET, network order
  b.push_back(static_cast<uint8_t>(port >> 8));
  b.push_back(static_cast<uint8_t>(port));
  b.insert(b.end(), ip, ip + 4);
  b.resize(136, 0);
  return b;
}

const uint8_t kLocalhost[4] = {127, 0, 0, 1};

// ---- banner --------------------------------------------------------------------------------

TEST(Msgr1Banner, ClientBannerHandBuilt) {
  std::vector<uint8_t> w;
  append(w, "ceph v027");
  auto a = legacy_addr(0x8ecb0f25, 0, kLocalhost);
  w.insert(w.end(), a.begin(), a.end());
  ASSERT_EQ(w.size(), kClientBannerLen);
  ClientBanner b = expect_round_trip<ClientBanner>(w, {}, "ClientBanner");
  EXPECT_TRUE(b.addr.legacy);
  EXPECT_EQ(b.addr.nonce, 0x8ecb0f25u);
  EXPECT_EQ(b.addr.family, 2);
  EXPECT_EQ(b.addr.port(), 0);
  EXPECT_EQ(b.addr.ip_string(), "127.0.0.1");
  expect_every_truncation_fails<ClientBanner>(w, {}, "ClientBanner");
  // The encoder builds the same bytes from an address.
  entity_addr_t addr = entity_addr_t::make_ipv4(entity_addr_t::kTypeLegacy, kLocalhost, 0,
                                                0x8ecb0f25, false);
  EXPECT_EQ(hex(encode(make_client_banner(addr))), hex(w));
  EXPECT_EQ(hex(encode_legacy_addr(addr)), hex(a));
  EXPECT_EQ(encode_banner(), std::vector<uint8_t>(w.begin(), w.begin() + 9));
}

TEST(Msgr1Banner, ServerBannerHandBuilt) {
  std::vector<uint8_t> w;
  append(w, "ceph v027");
  auto a = legacy_addr(17717, 42001, kLocalhost);
  auto b = legacy_addr(0, 49156, kLocalhost);
  w.insert(w.end(), a.begin(), a.end());
  w.insert(w.end(), b.begin(), b.end());
  ASSERT_EQ(w.size(), kServerBannerLen);
  ServerBanner sb = expect_round_trip<ServerBanner>(w, {}, "ServerBanner");
  EXPECT_EQ(sb.addr.nonce, 17717u);
  EXPECT_EQ(sb.addr.port(), 42001);
  EXPECT_EQ(sb.peer_addr_for_you.port(), 49156);
  expect_every_truncation_fails<ServerBanner>(w, {}, "ServerBanner");
  const entity_addr_t me = entity_addr_t::make_ipv4(2, kLocalhost, 42001, 17717, false);
  const entity_addr_t you = entity_addr_t::make_ipv4(2, kLocalhost, 49156, 0, false);
  EXPECT_EQ(hex(encode(make_server_banner(me, you))), hex(w));
}

TEST(Msgr1Banner, AddressFieldsAtLimits) {
  std::vector<uint8_t> w;
  append(w, "ceph v027");
  const uint8_t ip[4] = {255, 255, 255, 255};
  auto a = legacy_addr(0xffffffff, 0xffff, ip);
  // Every sockaddr byte after the address non-zero too: kept and re-encoded as is.
  for (size_t i = 16; i < 136; ++i) a[i] = 0xff;
  w.insert(w.end(), a.begin(), a.end());
  ClientBanner b = expect_round_trip<ClientBanner>(w, {}, "ClientBanner");
  EXPECT_EQ(b.addr.nonce, 0xffffffffu);
  EXPECT_EQ(b.addr.port(), 0xffff);
}

TEST(Msgr1Banner, BadBannerAndNonLegacyAddress) {
  std::vector<uint8_t> w;
  append(w, "ceph v027");
  auto a = legacy_addr(1, 2, kLocalhost);
  w.insert(w.end(), a.begin(), a.end());
  for (size_t i = 0; i < kBannerLen; ++i) {
    auto bad = w;
    bad[i] ^= 0x20;
    auto r = decode_as<ClientBanner>(bad, "ClientBanner");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, ErrorKind::kBadBanner);
    EXPECT_EQ(r.error().offset, i);
    EXPECT_EQ(r.error().field, "ClientBanner.banner");
  }
  // The msgr2 banner is not v1.
  std::vector<uint8_t> v2(w);
  std::memcpy(v2.data(), "ceph v2\n\x10", 9);
  auto r2 = decode_as<ClientBanner>(v2, "ClientBanner");
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error().kind, ErrorKind::kBadBanner);
  EXPECT_EQ(r2.error().offset, 6u);
  // Marker 1 (addr2) is not allowed in the banner.
  auto addr2 = w;
  addr2[9] = 1;
  auto r3 = decode_as<ClientBanner>(addr2, "ClientBanner");
  ASSERT_FALSE(r3.has_value());
  EXPECT_EQ(r3.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(r3.error().offset, 9u);
  EXPECT_EQ(r3.error().field, "ClientBanner.addr");
}

// ---- ceph_msg_connect ---------------------------------------------------------------------

TEST(Msgr1Connect, FixedPartHandBuiltAtLimits) {
  // off 0 features, 8 host_type, 12 global_seq, 16 connect_seq, 20 protocol_version,
  // 24 authorizer_protocol, 28 authorizer_len, 32 flags.
  std::vector<uint8_t> w;
  put64(w, ~0ull);
  put32(w, 0xffffffff);
  put32(w, 0xfffffffe);
  put32(w, 0xfffffffd);
  put32(w, 0xfffffffc);
  put32(w, 0xfffffffb);
  put32(w, 0);
  w.push_back(0xff);
  ASSERT_EQ(w.size(), kConnectLen);
  ceph_msg_connect c = expect_round_trip<ceph_msg_connect>(w, {}, "ceph_msg_connect");
  EXPECT_EQ(c.features, ~0ull);
  EXPECT_EQ(c.host_type, 0xffffffffu);
  EXPECT_EQ(c.global_seq, 0xfffffffeu);
  EXPECT_EQ(c.connect_seq, 0xfffffffdu);
  EXPECT_EQ(c.protocol_version, 0xfffffffcu);
  EXPECT_EQ(c.authorizer_protocol, 0xfffffffbu);
  EXPECT_EQ(c.flags, 0xff);
  expect_every_truncation_fails<ceph_msg_connect>(w, {}, "ceph_msg_connect");
  // Unknown authorizer protocol, no authorizer: a Connect of exactly 33 bytes.
  Connect cc = expect_round_trip<Connect>(w, {}, "Connect");
  EXPECT_FALSE(cc.auth_none.has_value());
  EXPECT_TRUE(cc.authorizer.empty());
}

// What a librados 16.2.15 client sends to an OSD under auth none (recorded bytes).
std::vector<uint8_t> osd_connect_bytes() {
  std::vector<uint8_t> w;
  put64(w, kFeaturesAllPacific);
  put32(w, 8);           // CEPH_ENTITY_TYPE_CLIENT
  put32(w, 2);           // global_seq
  put32(w, 0);           // connect_seq
  put32(w, kProtoOsdc);  // 24
  put32(w, kAuthNone);
  put32(w, 22);          // authorizer_len
  w.push_back(kConnectLossy);
  w.push_back(1);  // AuthNoneAuthorizer struct_v
  put32(w, 8);     // EntityName.type = client
  put32(w, 5);
  append(w, "admin");
  put64(w, 4133);  // global_id
  return w;
}

TEST(Msgr1Connect, AuthNoneAuthorizer) {
  const auto w = osd_connect_bytes();
  EXPECT_EQ(hex(w),
            "fffffdffbdcf013f08000000020000000000000018000000010000001600000001"
            "01080000000500000061646d696e2510000000000000");
  Connect c = expect_round_trip<Connect>(w, {}, "Connect");
  ASSERT_TRUE(c.auth_none.has_value());
  EXPECT_EQ(c.auth_none->struct_v, 1);
  EXPECT_EQ(c.auth_none->name.to_string(), "client.admin");
  EXPECT_EQ(c.auth_none->global_id, 4133u);
  EXPECT_EQ(c.authorizer.size(), 22u);
  expect_every_truncation_fails<Connect>(w, {}, "Connect");

  ConnectParams p;
  p.global_seq = 2;
  p.auth_none = AuthNoneAuthorizer{1, EntityName{8, "admin"}, 4133};
  EXPECT_EQ(hex(encode(make_connect(p))), hex(w));
  // A mon connect: no authorizer.
  ConnectParams m;
  m.protocol_version = kProtoMonc;
  m.lossy = false;
  Connect mc = make_connect(m);
  EXPECT_EQ(mc.connect.authorizer_protocol, 0u);
  EXPECT_EQ(encode(mc).size(), kConnectLen);
}

TEST(Msgr1Connect, AuthorizerErrors) {
  // One byte more than the AuthNone authorizer needs: trailing bytes inside the authorizer.
  auto w = osd_connect_bytes();
  w[28] = 23;
  w.push_back(0);
  auto r = decode_as<Connect>(w, "Connect");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
  EXPECT_EQ(r.error().field, "Connect.authorizer");
  EXPECT_EQ(r.error().offset, 33u + 22u);
  // EntityName id longer than the authorizer.
  auto w2 = osd_connect_bytes();
  w2[33 + 5] = 50;
  auto r2 = decode_as<Connect>(w2, "Connect");
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r2.error().field, "Connect.authorizer.name.id");
  // authorizer_len over the limit: reported at the field, before any allocation.
  auto w3 = osd_connect_bytes();
  w3.resize(kConnectLen);
  for (uint32_t len : {4096u, 0xffffffffu}) {
    std::memcpy(w3.data() + 28, &len, 4);
    auto r3 = decode_as<Connect>(w3, "Connect");
    ASSERT_FALSE(r3.has_value());
    EXPECT_EQ(r3.error().kind, ErrorKind::kLengthTooLarge);
    EXPECT_EQ(r3.error().offset, 28u);
    EXPECT_EQ(r3.error().field, "Connect.connect.authorizer_len");
  }
  // cephx (protocol 2): the authorizer is kept raw, up to the limit.
  auto w4 = osd_connect_bytes();
  w4.resize(kConnectLen);
  const uint32_t cephx = kAuthCephx, len = kMaxAuthorizerLen;
  std::memcpy(w4.data() + 24, &cephx, 4);
  std::memcpy(w4.data() + 28, &len, 4);
  w4.resize(kConnectLen + len, 0xab);
  Connect c4 = expect_round_trip<Connect>(w4, {}, "Connect");
  EXPECT_FALSE(c4.auth_none.has_value());
  EXPECT_EQ(c4.authorizer.size(), kMaxAuthorizerLen);
}

// ---- ceph_msg_connect_reply ---------------------------------------------------------------

std::vector<uint8_t> reply_bytes(uint8_t tag, uint32_t alen = 0) {
  // off 0 tag, 1 features, 9 global_seq, 13 connect_seq, 17 protocol_version,
  // 21 authorizer_len, 25 flags.
  std::vector<uint8_t> w;
  w.push_back(tag);
  put64(w, kFeaturesAllPacific);
  put32(w, 10);
  put32(w, 1);
  put32(w, kProtoOsdc);
  put32(w, alen);
  w.push_back(kConnectLossy);
  w.resize(w.size() + alen, 0x5a);
  return w;
}

TEST(Msgr1ConnectReply, EveryReplyTag) {
  for (uint8_t tag = 0; tag < 255; ++tag) {
    auto w = reply_bytes(tag);
    ASSERT_EQ(w.size(), kConnectReplyLen);
    auto r = decode_as<ConnectReply>(w, "ConnectReply");
    const bool valid = (tag >= 1 && tag <= 5) || (tag >= 10 && tag <= 13) || tag == 16;
    EXPECT_EQ(r.has_value(), valid) << int(tag);
    if (valid) {
      expect_round_trip<ConnectReply>(w, {}, "ConnectReply");
      EXPECT_EQ(r->reply.tag, tag);
      EXPECT_EQ(r->reply.features, kFeaturesAllPacific);
      EXPECT_EQ(r->reply.global_seq, 10u);
      EXPECT_EQ(r->reply.connect_seq, 1u);
      EXPECT_EQ(r->reply.protocol_version, kProtoOsdc);
      EXPECT_EQ(r->reply.flags, kConnectLossy);
    } else {
      EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
      EXPECT_EQ(r.error().offset, 0u);
      EXPECT_EQ(r.error().field, "ConnectReply.reply.tag");
    }
  }
  auto w = reply_bytes(kTagSeq);
  expect_every_truncation_fails<ConnectReply>(w, {}, "ConnectReply");
  EXPECT_EQ(hex(encode(make_connect_reply(kTagSeq, kFeaturesAllPacific, 10, 1, kProtoOsdc, true))),
            hex(w));
}

TEST(Msgr1ConnectReply, AuthorizerReplyLimits) {
  auto w = reply_bytes(kTagChallengeAuthorizer, kMaxAuthorizerLen);
  ConnectReply r = expect_round_trip<ConnectReply>(w, {}, "ConnectReply");
  EXPECT_EQ(r.authorizer_reply.size(), kMaxAuthorizerLen);
  expect_every_truncation_fails<ConnectReply>(reply_bytes(kTagReady, 3), {}, "ConnectReply");
  auto big = reply_bytes(kTagReady);
  const uint32_t len = 4096;  // ProtocolV1 asserts < 4096
  std::memcpy(big.data() + 21, &len, 4);
  auto e = decode_as<ConnectReply>(big, "ConnectReply");
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(e.error().offset, 21u);
}

// ---- tags ---------------------------------------------------------------------------------

TEST(Msgr1Tags, HandBuiltVectors) {
  expect_round_trip<TagClose>(from_hex("06"), {}, "TagClose");
  expect_round_trip<TagKeepalive>(from_hex("09"), {}, "TagKeepalive");
  auto ka2 = expect_round_trip<TagKeepalive2>(from_hex("0e 7b910569 ffc99a3b"), {}, "TagKeepalive2");
  EXPECT_EQ(ka2.stamp.sec, 0x6905917bu);
  EXPECT_EQ(ka2.stamp.nsec, 999999999u);
  auto ack2 = expect_round_trip<TagKeepalive2Ack>(from_hex("0f ffffffff ffffffff"), {},
                                                  "TagKeepalive2Ack");
  EXPECT_EQ(ack2.stamp.sec, 0xffffffffu);
  auto ack = expect_round_trip<TagAck>(from_hex("08 ffffffffffffffff"), {}, "TagAck");
  EXPECT_EQ(ack.seq, ~0ull);
  auto seq = expect_round_trip<SeqExchange>(from_hex("0100000000000080"), {}, "SeqExchange");
  EXPECT_EQ(seq.seq, 0x8000000000000001ull);
  expect_every_truncation_fails<TagKeepalive2>(from_hex("0e 7b910569 ffc99a3b"), {}, "TagKeepalive2");
  expect_every_truncation_fails<TagKeepalive2Ack>(from_hex("0f 7b910569 ffc99a3b"), {}, "TagKeepalive2Ack");
  expect_every_truncation_fails<TagAck>(from_hex("08 0100000000000000"), {}, "TagAck");
  expect_every_truncation_fails<SeqExchange>(from_hex("0100000000000000"), {}, "SeqExchange");
  expect_every_truncation_fails<TagClose>(from_hex("06"), {}, "TagClose");

  EXPECT_EQ(hex(encode_close()), "06");
  EXPECT_EQ(hex(encode_keepalive()), "09");
  EXPECT_EQ(hex(encode_keepalive2({1, 2})), "0e0100000002000000");
  EXPECT_EQ(hex(encode_keepalive2_ack({1, 2})), "0f0100000002000000");
  EXPECT_EQ(hex(encode_ack(5)), "080500000000000000");
  EXPECT_EQ(hex(encode_seq(5)), "0500000000000000");
}

TEST(Msgr1Tags, WrongTagIsTypedError) {
  auto r = decode_as<TagKeepalive2>(from_hex("0f 00000000 00000000"), "TagKeepalive2");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(r.error().field, "TagKeepalive2.tag");
  auto r2 = decode_as<TagAck>(from_hex("07 0000000000000000"), "TagAck");
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(tag_name(kTagKeepalive2Ack), std::string("keepalive2_ack"));
  EXPECT_EQ(tag_name(0), nullptr);
  EXPECT_EQ(tag_name(17), nullptr);
}

// ---- ceph_msg_header / footers ------------------------------------------------------------

// off 0 seq, 8 tid, 16 type, 18 priority, 20 version, 22 front_len, 26 middle_len,
// 30 data_len, 34 data_off, 36 src (u8 type, le64 num), 45 compat_version, 47 reserved, 49 crc.
std::vector<uint8_t> header_bytes(uint64_t seq, uint64_t tid, uint16_t type, uint16_t prio,
                                  uint16_t ver, uint32_t front, uint32_t middle, uint32_t data,
                                  uint16_t data_off, uint8_t src_type, int64_t src_num,
                                  uint16_t compat, uint16_t reserved) {
  std::vector<uint8_t> w;
  put64(w, seq);
  put64(w, tid);
  put16(w, type);
  put16(w, prio);
  put16(w, ver);
  put32(w, front);
  put32(w, middle);
  put32(w, data);
  put16(w, data_off);
  w.push_back(src_type);
  put64(w, static_cast<uint64_t>(src_num));
  put16(w, compat);
  put16(w, reserved);
  EXPECT_EQ(w.size(), kHeaderCrcLen);
  put32(w, ref_crc32c(0, w.data(), w.size()));
  return w;
}

TEST(Msgr1Header, HandBuiltAtLimits) {
  auto w = header_bytes(~0ull, ~0ull, 0xffff, 0xffff, 0xffff, 0xffffffff, 0xffffffff,
                        0xffffffff, 0xffff, 0xff, -1, 0xffff, 0xffff);
  ASSERT_EQ(w.size(), kHeaderLen);
  ceph_msg_header h = expect_round_trip<ceph_msg_header>(w, {}, "ceph_msg_header");
  EXPECT_EQ(h.seq, ~0ull);
  EXPECT_EQ(h.front_len, 0xffffffffu);
  EXPECT_EQ(h.src.type, 0xff);
  EXPECT_EQ(h.src.num, -1);
  EXPECT_EQ(h.reserved, 0xffff);
  EXPECT_EQ(h.crc, header_crc(w));
  expect_every_truncation_fails<ceph_msg_header>(w, {}, "ceph_msg_header");

  // Zero header: CRC-32C with seed 0 and no inversion of zeros is 0.
  auto z = header_bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  EXPECT_EQ(header_crc(z), 0u);
}

TEST(Msgr1Header, CrcMatchesIsaLAndReference) {
  // A header recorded from a real OSD reply (v1-watch-notify-basic, stream 4, s2c).
  auto w = from_hex(
      "0100000000000000 0100000000000000 2b00 7f00 0800 9e000000 00000000 00000000 0000"
      "04 0000000000000000 0200 0000 3e369af9");
  ASSERT_EQ(w.size(), kHeaderLen);
  ceph_msg_header h = expect_round_trip<ceph_msg_header>(w, {}, "ceph_msg_header");
  EXPECT_EQ(h.type, 43);
  EXPECT_EQ(h.src.to_string(), "osd.0");
  EXPECT_EQ(header_crc(w), h.crc);
  EXPECT_EQ(ref_crc32c(0, w.data(), kHeaderCrcLen), h.crc);
}

TEST(Msgr1Footer, BothForms) {
  std::vector<uint8_t> f;
  put32(f, 0xffffffff);
  put32(f, 0x12345678);
  put32(f, 0);
  put64(f, ~0ull);
  f.push_back(0xff);
  ASSERT_EQ(f.size(), kFooterLen);
  auto nf = expect_round_trip<ceph_msg_footer>(f, {}, "ceph_msg_footer");
  EXPECT_EQ(nf.sig, ~0ull);
  EXPECT_EQ(nf.flags, 0xff);
  expect_every_truncation_fails<ceph_msg_footer>(f, {}, "ceph_msg_footer");
  std::vector<uint8_t> o(f.begin(), f.begin() + 12);
  o.push_back(kFooterComplete | kFooterNoCrc);
  ASSERT_EQ(o.size(), kFooterOldLen);
  auto of = expect_round_trip<ceph_msg_footer_old>(o, {}, "ceph_msg_footer_old");
  EXPECT_EQ(of.middle_crc, 0x12345678u);
  EXPECT_EQ(of.flags, 3);
  expect_every_truncation_fails<ceph_msg_footer_old>(o, {}, "ceph_msg_footer_old");
}

// ---- whole messages -----------------------------------------------------------------------

struct Parts {
  std::vector<uint8_t> front, middle, data;
  MessageParts p;
  explicit Parts(size_t nf = 5, size_t nm = 3, size_t nd = 10) {
    for (size_t i = 0; i < nf; ++i) front.push_back(static_cast<uint8_t>('a' + i % 26));
    for (size_t i = 0; i < nm; ++i) middle.push_back(static_cast<uint8_t>(0x80 + i));
    for (size_t i = 0; i < nd; ++i) data.push_back(static_cast<uint8_t>(i * 7));
    p.type = 42;
    p.version = 8;
    p.compat_version = 3;
    p.priority = 127;
    p.seq = 9;
    p.tid = 77;
    p.data_off = 4096;
    p.front = Bytes::view(front);
    p.middle = Bytes::view(middle);
    p.data = Bytes::view(data);
  }
};

// The wire bytes written out by hand from the layouts, CRCs by the reference implementation.
std::vector<uint8_t> hand_message(const Parts& x, entity_name_t src, bool msg_auth) {
  std::vector<uint8_t> w;
  w.push_back(kTagMsg);
  auto h = header_bytes(x.p.seq, x.p.tid, x.p.type, x.p.priority, x.p.version,
                        static_cast<uint32_t>(x.front.size()), static_cast<uint32_t>(x.middle.size()),
                        static_cast<uint32_t>(x.data.size()), x.p.data_off, src.type, src.num,
                        x.p.compat_version ? x.p.compat_version : x.p.version, 0);
  w.insert(w.end(), h.begin(), h.end());
  w.insert(w.end(), x.front.begin(), x.front.end());
  w.insert(w.end(), x.middle.begin(), x.middle.end());
  w.insert(w.end(), x.data.begin(), x.data.end());
  put32(w, ref_crc32c(x.front));
  put32(w, ref_crc32c(x.middle));
  put32(w, ref_crc32c(x.data));
  if (msg_auth) put64(w, 0);
  w.push_back(kFooterComplete);
  return w;
}

TEST(Msgr1Message, EncodeMatchesHandBuiltLayout) {
  const entity_name_t src{entity_name_t::kTypeClient, 4133};
  for (bool msg_auth : {true, false}) {
    for (auto sizes : {std::array<size_t, 3>{0, 0, 0}, std::array<size_t, 3>{5, 3, 10},
                       std::array<size_t, 3>{223, 0, 34}, std::array<size_t, 3>{1, 0, 0}}) {
      Parts x(sizes[0], sizes[1], sizes[2]);
      const auto want = hand_message(x, src, msg_auth);
      const auto got = encode_message(x.p, src, msg_auth);
      EXPECT_EQ(hex(got), hex(want));
      // Appended after bytes already in a write buffer: the same frame, header crc included.
      std::vector<uint8_t> wbuf = {9, 9};
      append_message(x.p, src, msg_auth, wbuf);
      EXPECT_EQ(hex(std::vector<uint8_t>(wbuf.begin() + 2, wbuf.end())), hex(want));
      MessageFrameOptions o;
      o.msg_auth_footer = msg_auth;
      auto r = decode_message_frame(got, o);
      ASSERT_TRUE(r.has_value()) << r.error().to_string();
      EXPECT_TRUE(r->crc_ok);
      EXPECT_EQ(r->frame.old_footer, !msg_auth);
      EXPECT_EQ(r->frame.wire_len(), got.size());
      EXPECT_EQ(encode(r->frame), got);
      const MessageParts p = r->frame.parts();
      EXPECT_EQ(p.type, 42);
      EXPECT_EQ(p.version, 8);
      EXPECT_EQ(p.compat_version, 3);
      EXPECT_EQ(p.seq, 9u);
      EXPECT_EQ(p.tid, 77u);
      EXPECT_EQ(p.data_off, 4096);
      EXPECT_EQ(p.src, src);
      EXPECT_EQ(p.front, x.p.front);
      EXPECT_EQ(p.middle, x.p.middle);
      EXPECT_EQ(p.data, x.p.data);
      // Truncation at every offset: a typed error, never a crash.
      for (size_t n = 0; n < got.size(); ++n) {
        auto t = decode_message_frame(std::span<const uint8_t>(got).first(n), o);
        ASSERT_FALSE(t.has_value()) << n;
        EXPECT_LE(t.error().offset, n);
        EXPECT_FALSE(t.error().field.empty());
      }
      // The other footer size is an error (trailing bytes or truncation/flags).
      MessageFrameOptions other = o;
      other.msg_auth_footer = !msg_auth;
      EXPECT_FALSE(decode_message_frame(got, other).has_value());
    }
  }
}

TEST(Msgr1Message, CompatVersionDefaultsToVersion) {
  Parts x;
  x.p.compat_version = 0;
  const auto w = encode_message(x.p, {entity_name_t::kTypeOsd, 0}, true);
  auto r = decode_message_frame(w);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->frame.header.compat_version, 8);  // Message::encode: compat = version if 0
}

TEST(Msgr1Message, FlippedCrcsAreCaught) {
  Parts x;
  const auto w = encode_message(x.p, {entity_name_t::kTypeClient, 1}, true);
  const size_t footer = 1 + kHeaderLen + 5 + 3 + 10;
  struct Case {
    size_t flip;  // byte to flip
    const char* field;
    size_t offset;
  };
  const Case cases[] = {
      {1 + 0, "MessageFrame.header.crc", 1 + 49},         // a header byte (seq)
      {1 + 49, "MessageFrame.header.crc", 1 + 49},        // the header crc itself
      {1 + kHeaderLen + 2, "MessageFrame.footer.front_crc", footer},
      {footer + 0, "MessageFrame.footer.front_crc", footer},
      {1 + kHeaderLen + 5 + 1, "MessageFrame.footer.middle_crc", footer + 4},
      {footer + 5, "MessageFrame.footer.middle_crc", footer + 4},
      {1 + kHeaderLen + 5 + 3 + 9, "MessageFrame.footer.data_crc", footer + 8},
      {footer + 11, "MessageFrame.footer.data_crc", footer + 8},
  };
  for (const Case& c : cases) {
    auto bad = w;
    bad[c.flip] ^= 0x01;
    MessageFrameOptions o;
    o.base = 1000;
    auto r = decode_message_frame(bad, o);
    ASSERT_FALSE(r.has_value()) << c.flip;
    EXPECT_EQ(r.error().kind, ErrorKind::kBadCrc) << c.flip;
    EXPECT_EQ(r.error().field, c.field) << c.flip;
    EXPECT_EQ(r.error().offset, 1000 + c.offset) << c.flip;
    // Lenient: decodes, crc_ok false, re-encodes byte-exact.
    o.verify_crc = false;
    auto l = decode_message_frame(bad, o);
    ASSERT_TRUE(l.has_value()) << l.error().to_string();
    EXPECT_FALSE(l->crc_ok);
    EXPECT_EQ(encode(l->frame), bad);
    auto e = check_message_crcs(l->frame, bad, 1000);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->field, c.field);
  }
}

TEST(Msgr1Message, NoCrcFlagSkipsOnlyTheDataCrc) {
  Parts x;
  auto w = encode_message(x.p, {entity_name_t::kTypeClient, 1}, true);
  const size_t footer = 1 + kHeaderLen + 5 + 3 + 10;
  w[footer + 20] = kFooterComplete | kFooterNoCrc;
  std::memset(w.data() + footer + 8, 0, 4);  // data_crc: not computed
  auto r = decode_message_frame(w);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(r->crc_ok);
  // ... but front and middle are still checked.
  w[footer] ^= 1;
  auto r2 = decode_message_frame(w);
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error().field, "MessageFrame.footer.front_crc");
}

TEST(Msgr1Message, FooterWithoutCompleteIsAborted) {
  Parts x;
  for (bool msg_auth : {true, false}) {
    auto w = encode_message(x.p, {entity_name_t::kTypeClient, 1}, msg_auth);
    w.back() = kFooterNoCrc;  // COMPLETE missing
    MessageFrameOptions o;
    o.msg_auth_footer = msg_auth;
    o.verify_crc = false;
    auto r = decode_message_frame(w, o);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
    EXPECT_EQ(r.error().field, "MessageFrame.footer.flags");
    EXPECT_EQ(r.error().offset, w.size() - 1);
  }
}

TEST(Msgr1Message, LengthsOverLimitsNameTheField) {
  struct Case {
    size_t at;
    uint32_t value;
    const char* field;
  };
  for (const Case& c : {Case{22, kMaxFrontLen + 1, "MessageFrame.header.front_len"},
                        Case{26, kMaxMiddleLen + 1, "MessageFrame.header.middle_len"},
                        Case{30, kMaxDataLen + 1, "MessageFrame.header.data_len"},
                        Case{30, 0xffffffffu, "MessageFrame.header.data_len"}}) {
    std::vector<uint8_t> w{kTagMsg};
    auto h = header_bytes(1, 1, 42, 127, 8, 0, 0, 0, 0, 8, 1, 1, 0);
    std::memcpy(h.data() + c.at - 0, &c.value, 4);
    const uint32_t crc = ref_crc32c(0, h.data(), kHeaderCrcLen);
    std::memcpy(h.data() + 49, &crc, 4);
    w.insert(w.end(), h.begin(), h.end());
    auto r = decode_message_frame(w);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
    EXPECT_EQ(r.error().field, c.field);
    EXPECT_EQ(r.error().offset, 1 + c.at);
  }
  // At the limit: only truncated (the payload is not there), never "too large".
  std::vector<uint8_t> w{kTagMsg};
  auto h = header_bytes(1, 1, 42, 127, 8, kMaxFrontLen, kMaxMiddleLen, kMaxDataLen, 0, 8, 1, 1, 0);
  w.insert(w.end(), h.begin(), h.end());
  auto r = decode_message_frame(w);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kTruncated);
}

TEST(Msgr1Message, BadTag) {
  Parts x;
  auto w = encode_message(x.p, {entity_name_t::kTypeClient, 1}, true);
  w[0] = kTagAck;
  auto r = decode_message_frame(w);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(r.error().field, "MessageFrame.tag");
}

TEST(Msgr1Message, IsaLCrcAgreesWithReference) {
  std::vector<uint8_t> v;
  for (int i = 0; i < 1000; ++i) v.push_back(static_cast<uint8_t>(i * 31 + 7));
  for (size_t n : {0, 1, 7, 8, 63, 64, 65, 999, 1000})
    EXPECT_EQ(ceph_crc32c(0, v.data(), n), ref_crc32c(0, v.data(), n)) << n;
  const std::string s = "foo bar baz";
  EXPECT_EQ(ref_crc32c(0, reinterpret_cast<const uint8_t*>(s.data()), s.size()), 4119623852u);
}

}  // namespace
}  // namespace cephwire::codec::msgr1
