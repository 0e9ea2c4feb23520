// ConnectionDecoder on synthetic conversations built with the encoders: every handshake path
// (RETRY_GLOBAL / RETRY_SESSION / RESETSESSION / WAIT / CHALLENGE_AUTHORIZER then READY or
// SEQ), both footer sizes, cross-direction waiting, chunking independence, truncation at
// every offset, CRC errors (strict and lenient), bad tags, CLOSE, limits, resync.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "codec/msgr1/connection_decoder.h"
#include "codec/msgr1/encode.h"
#include "codec/testing/testing.h"

namespace cephwire::codec::msgr1 {
namespace {

using testing::hex;

constexpr uint8_t kIp[4] = {127, 0, 0, 1};
constexpr Dir C2S = Dir::kClientToServer;
constexpr Dir S2C = Dir::kServerToClient;

void add(std::vector<uint8_t>& out, const std::vector<uint8_t>& b) {
  out.insert(out.end(), b.begin(), b.end());
}

struct Payload {
  std::vector<uint8_t> front, middle, data;
  MessageParts parts(uint16_t type, uint64_t seq, uint64_t tid) const {
    MessageParts p;
    p.type = type;
    p.version = 8;
    p.compat_version = 3;
    p.priority = 127;
    p.seq = seq;
    p.tid = tid;
    p.front = Bytes::view(front);
    p.middle = Bytes::view(middle);
    p.data = Bytes::view(data);
    return p;
  }
};

struct Conv {
  std::vector<uint8_t> c2s, s2c;
  std::vector<std::string> c2s_kinds, s2c_kinds;
  size_t c2s_msgs = 0, s2c_msgs = 0;
};

struct ConvOptions {
  uint64_t server_features = kFeaturesAllPacific;
  std::vector<uint8_t> retry_tags;  // replies before the accepting one
  uint8_t accept_tag = kTagSeq;
  bool close = true;
};

const Payload& payload() {
  static const Payload p = [] {
    Payload x;
    for (int i = 0; i < 40; ++i) x.front.push_back(static_cast<uint8_t>(i));
    x.middle = {1, 2, 3};
    for (int i = 0; i < 100; ++i) x.data.push_back(static_cast<uint8_t>(255 - i));
    return x;
  }();
  return p;
}

Conv make_conv(const ConvOptions& o = {}) {
  Conv c;
  const entity_addr_t client = entity_addr_t::make_ipv4(entity_addr_t::kTypeLegacy, kIp, 0, 99, true);
  const entity_addr_t server = entity_addr_t::make_ipv4(entity_addr_t::kTypeLegacy, kIp, 6800, 7, true);
  add(c.c2s, encode(make_client_banner(client)));
  c.c2s_kinds.push_back("banner");
  add(c.s2c, encode(make_server_banner(server, client)));
  c.s2c_kinds.push_back("banner");
  ConnectParams cp;
  cp.auth_none = AuthNoneAuthorizer{1, EntityName{8, "admin"}, 4133};
  cp.global_seq = 1;
  std::vector<uint8_t> challenge = {0xde, 0xad};
  for (uint8_t t : o.retry_tags) {
    add(c.c2s, encode(make_connect(cp)));
    c.c2s_kinds.push_back("connect");
    Bytes auth = t == kTagChallengeAuthorizer ? Bytes::view(challenge) : Bytes();
    add(c.s2c, encode(make_connect_reply(t, o.server_features, 10 + cp.global_seq, cp.connect_seq,
                                         kProtoOsdc, true, auth)));
    c.s2c_kinds.push_back("connect_reply");
    if (t == kTagRetryGlobal) cp.global_seq += 10;
    if (t == kTagRetrySession) cp.connect_seq += 1;
    if (t == kTagResetSession) cp.connect_seq = 0;
  }
  add(c.c2s, encode(make_connect(cp)));
  c.c2s_kinds.push_back("connect");
  add(c.s2c, encode(make_connect_reply(o.accept_tag, o.server_features, 42, cp.connect_seq + 1,
                                       kProtoOsdc, true)));
  c.s2c_kinds.push_back("connect_reply");
  if (o.accept_tag == kTagSeq) {
    add(c.s2c, encode_seq(0));
    c.s2c_kinds.push_back("seq");
    add(c.c2s, encode_seq(0));
    c.c2s_kinds.push_back("seq");
  }
  const bool msg_auth = (kFeaturesAllPacific & o.server_features & kFeatureMsgAuth) != 0;
  const entity_name_t me{entity_name_t::kTypeClient, 4133}, osd{entity_name_t::kTypeOsd, 0};
  const Payload& p = payload();
  // client: op, keepalive2, op, keepalive, ack, close
  add(c.c2s, encode_message(p.parts(42, 1, 1), me, msg_auth));
  c.c2s_kinds.push_back("message");
  add(c.c2s, encode_keepalive2({100, 200}));
  c.c2s_kinds.push_back("keepalive2");
  Payload empty;
  add(c.c2s, encode_message(empty.parts(42, 2, 2), me, msg_auth));
  c.c2s_kinds.push_back("message");
  add(c.c2s, encode_keepalive());
  c.c2s_kinds.push_back("keepalive");
  add(c.c2s, encode_ack(2));
  c.c2s_kinds.push_back("ack");
  c.c2s_msgs = 2;
  // server: reply, keepalive2_ack, reply, watch_notify, ack
  add(c.s2c, encode_message(p.parts(43, 1, 1), osd, msg_auth));
  c.s2c_kinds.push_back("message");
  add(c.s2c, encode_keepalive2_ack({100, 200}));
  c.s2c_kinds.push_back("keepalive2_ack");
  add(c.s2c, encode_message(empty.parts(43, 2, 2), osd, msg_auth));
  c.s2c_kinds.push_back("message");
  add(c.s2c, encode_message(p.parts(44, 3, 0), osd, msg_auth));
  c.s2c_kinds.push_back("message");
  add(c.s2c, encode_ack(2));
  c.s2c_kinds.push_back("ack");
  c.s2c_msgs = 3;
  if (o.close) {
    add(c.c2s, encode_close());
    c.c2s_kinds.push_back("close");
  }
  return c;
}

struct Out {
  std::vector<Item> items;
  std::vector<StreamError> errors;
};

void drain(ConnectionDecoder& d, Out& o) {
  while (auto it = d.poll()) o.items.push_back(std::move(*it));
  while (auto e = d.poll_error()) o.errors.push_back(std::move(*e));
}

Out decode(const Conv& c, DecoderOptions opts = {}, bool s2c_first = false) {
  ConnectionDecoder d(opts);
  if (s2c_first) {
    d.feed(S2C, c.s2c);
    d.feed(C2S, c.c2s);
  } else {
    d.feed(C2S, c.c2s);
    d.feed(S2C, c.s2c);
  }
  Out o;
  drain(d, o);
  return o;
}

std::vector<std::string> kinds(const Out& o, Dir d) {
  std::vector<std::string> k;
  for (const auto& it : o.items)
    if (it.dir == d) k.emplace_back(it.kind());
  return k;
}

using Key = std::tuple<uint64_t, uint64_t, std::string, std::vector<uint8_t>, bool>;
std::vector<Key> keys(const Out& o, Dir d) {
  std::vector<Key> k;
  for (const auto& it : o.items)
    if (it.dir == d) k.emplace_back(it.begin, it.end, std::string(it.kind()), it.raw, it.crc_ok);
  return k;
}

void expect_complete(const Conv& c, const Out& o) {
  for (const auto& e : o.errors) ADD_FAILURE() << e.error.to_string();
  EXPECT_EQ(kinds(o, C2S), c.c2s_kinds);
  EXPECT_EQ(kinds(o, S2C), c.s2c_kinds);
  std::vector<uint8_t> cat[2];
  for (const auto& it : o.items) {
    EXPECT_EQ(it.encode(), it.raw) << it.kind();
    EXPECT_TRUE(it.crc_ok);
    auto& v = cat[static_cast<int>(it.dir)];
    EXPECT_EQ(it.begin, v.size());
    v.insert(v.end(), it.raw.begin(), it.raw.end());
  }
  EXPECT_EQ(cat[0], c.c2s);
  EXPECT_EQ(cat[1], c.s2c);
}

TEST(Msgr1Decoder, SeqHandshakeAndMessages) {
  const Conv c = make_conv();
  ConnectionDecoder d;
  d.feed(C2S, c.c2s);
  d.feed(S2C, c.s2c);
  Out o;
  drain(d, o);
  expect_complete(c, o);
  const ConnectionFacts& f = d.facts();
  ASSERT_EQ(f.connects.size(), 1u);
  EXPECT_EQ(f.accepted, 0u);
  EXPECT_EQ(f.features, kFeaturesAllPacific);
  EXPECT_EQ(f.msg_auth_footer, true);
  EXPECT_EQ(f.server_in_seq, 0u);
  EXPECT_EQ(f.client_in_seq, 0u);
  EXPECT_EQ(f.client_addr->nonce, 99u);
  EXPECT_EQ(f.server_addr->port(), 6800);
  EXPECT_EQ(f.client_name->to_string(), "client.4133");
  EXPECT_EQ(f.server_name->to_string(), "osd.0");
  EXPECT_EQ(f.client_host_type(), 8u);
  // The message items carry the parts, viewing into raw.
  size_t n = 0;
  for (const auto& it : o.items) {
    const MessageParts* m = it.message();
    if (!m) {
      EXPECT_EQ(it.message_frame(), nullptr);
      continue;
    }
    ++n;
    ASSERT_NE(it.message_frame(), nullptr);
    EXPECT_GE(m->front.data(), it.raw.data());
    EXPECT_LE(m->front.data() + m->front.size(), it.raw.data() + it.raw.size());
    if (!m->data.empty()) {
      EXPECT_EQ(m->data.to_vector(), payload().data);
    }
  }
  EXPECT_EQ(n, c.c2s_msgs + c.s2c_msgs);
  // Items survive moves (views stay valid).
  std::vector<Item> moved;
  for (auto& it : o.items) moved.push_back(std::move(it));
  for (const auto& it : moved) EXPECT_EQ(it.encode(), it.raw);
}

TEST(Msgr1Decoder, ReadyHandshakeWithoutSeq) {
  ConvOptions co;
  co.accept_tag = kTagReady;
  const Conv c = make_conv(co);
  expect_complete(c, decode(c));
  expect_complete(c, decode(c, {}, true));
}

TEST(Msgr1Decoder, RetriesBeforeAccept) {
  for (std::vector<uint8_t> retries :
       {std::vector<uint8_t>{kTagRetryGlobal}, std::vector<uint8_t>{kTagRetrySession},
        std::vector<uint8_t>{kTagResetSession, kTagRetryGlobal},
        std::vector<uint8_t>{kTagWait}, std::vector<uint8_t>{kTagChallengeAuthorizer},
        std::vector<uint8_t>{kTagBadAuthorizer, kTagFeatures, kTagBadProtoVer}}) {
    SCOPED_TRACE(hex(retries));
    ConvOptions co;
    co.retry_tags = retries;
    const Conv c = make_conv(co);
    ConnectionDecoder d;
    d.feed(C2S, c.c2s);
    d.feed(S2C, c.s2c);
    Out o;
    drain(d, o);
    expect_complete(c, o);
    EXPECT_EQ(d.facts().connects.size(), retries.size() + 1);
    EXPECT_EQ(d.facts().replies.size(), retries.size() + 1);
    EXPECT_EQ(d.facts().accepted, retries.size());
    // Same items when the server's bytes arrive first.
    Out o2 = decode(c, {}, true);
    EXPECT_EQ(keys(o2, C2S), keys(o, C2S));
    EXPECT_EQ(keys(o2, S2C), keys(o, S2C));
  }
}

TEST(Msgr1Decoder, OldFooterWithoutMsgAuth) {
  ConvOptions co;
  co.server_features = kFeaturesAllPacific & ~kFeatureMsgAuth;
  const Conv c = make_conv(co);
  ConnectionDecoder d;
  d.feed(S2C, c.s2c);
  d.feed(C2S, c.c2s);
  Out o;
  drain(d, o);
  expect_complete(c, o);
  EXPECT_EQ(d.facts().msg_auth_footer, false);
  for (const auto& it : o.items) {
    if (const MessageFrame* f = it.message_frame()) {
      EXPECT_TRUE(f->old_footer);
    }
  }
}

TEST(Msgr1Decoder, WaitsForTheOtherDirection) {
  const Conv c = make_conv();
  // Client bytes alone: the banner and connect decode; what follows needs the reply tag.
  {
    ConnectionDecoder d;
    d.feed(C2S, c.c2s);
    Out o;
    drain(d, o);
    EXPECT_TRUE(o.errors.empty());
    EXPECT_EQ(kinds(o, C2S), (std::vector<std::string>{"banner", "connect"}));
    EXPECT_GT(d.buffered_bytes(C2S), 0u);
    d.feed(S2C, c.s2c);
    drain(d, o);
    expect_complete(c, o);
    EXPECT_EQ(d.buffered_bytes(C2S), 0u);
  }
  // Server bytes alone: banner, reply and seq decode; messages need the connect's features.
  {
    ConnectionDecoder d;
    d.feed(S2C, c.s2c);
    Out o;
    drain(d, o);
    EXPECT_TRUE(o.errors.empty());
    EXPECT_EQ(kinds(o, S2C), (std::vector<std::string>{"banner", "connect_reply", "seq"}));
    EXPECT_FALSE(d.facts().features.has_value());
    // The client's banner alone does not help; its connect does.
    d.feed(C2S, std::span<const uint8_t>(c.c2s).first(kClientBannerLen));
    drain(d, o);
    EXPECT_EQ(kinds(o, S2C).size(), 3u);
    d.feed(C2S, std::span<const uint8_t>(c.c2s).subspan(kClientBannerLen));
    drain(d, o);
    expect_complete(c, o);
    // Poll order: the connect came first, then everything the server had waiting.
    ASSERT_GE(o.items.size(), 6u);
    EXPECT_EQ(o.items[3].kind(), "banner");
    EXPECT_EQ(o.items[3].dir, C2S);
    EXPECT_EQ(o.items[4].kind(), "connect");
    EXPECT_EQ(o.items[5].dir, S2C);
    EXPECT_EQ(o.items[5].kind(), "message");
  }
}

Out decode_chunked(const Conv& c, std::mt19937& rng, size_t max_chunk, DecoderOptions opts = {}) {
  ConnectionDecoder d(opts);
  Out o;
  size_t pos[2] = {0, 0};
  const std::vector<uint8_t>* data[2] = {&c.c2s, &c.s2c};
  while (pos[0] < c.c2s.size() || pos[1] < c.s2c.size()) {
    int k = static_cast<int>(rng() % 2);
    if (pos[k] >= data[k]->size()) k = 1 - k;
    const size_t n = std::min(data[k]->size() - pos[k], 1 + static_cast<size_t>(rng() % max_chunk));
    d.feed(static_cast<Dir>(k), std::span<const uint8_t>(*data[k]).subspan(pos[k], n));
    pos[k] += n;
    drain(d, o);
  }
  return o;
}

TEST(Msgr1Decoder, ChunkingDoesNotChangeItemsOrErrors) {
  std::mt19937 rng(1);
  ConvOptions co;
  co.retry_tags = {kTagRetryGlobal, kTagChallengeAuthorizer};
  Conv good = make_conv(co);
  // A stream with an error in each direction too: a bad data CRC (s2c) and a bad tag (c2s).
  Conv bad = good;
  bad.s2c[bad.s2c.size() - 30] ^= 0x40;
  bad.c2s.push_back(0x42);
  for (const Conv* c : {&good, &bad}) {
    for (bool verify : {true, false}) {
      DecoderOptions opts;
      opts.verify_crc = verify;
      const Out whole = decode(*c, opts);
      for (size_t max_chunk : {1, 2, 3, 9, 54, 200, 100000}) {
        for (int rep = 0; rep < 3; ++rep) {
          const Out o = decode_chunked(*c, rng, max_chunk, opts);
          EXPECT_EQ(keys(o, C2S), keys(whole, C2S));
          EXPECT_EQ(keys(o, S2C), keys(whole, S2C));
          EXPECT_EQ(o.errors.size(), whole.errors.size());
          for (size_t i = 0; i < o.errors.size() && i < whole.errors.size(); ++i) {
            // The two directions' errors may come in either order.
            bool found = false;
            for (const auto& e : whole.errors) found |= e == o.errors[i];
            EXPECT_TRUE(found) << o.errors[i].error.to_string();
          }
        }
      }
    }
  }
}

TEST(Msgr1Decoder, EveryPrefixIsPendingNotAnError) {
  const Conv c = make_conv();
  const Out whole = decode(c);
  for (Dir dir : {C2S, S2C}) {
    const auto& bytes = dir == C2S ? c.c2s : c.s2c;
    const auto all = keys(whole, dir);
    for (size_t n = 0; n <= bytes.size(); ++n) {
      ConnectionDecoder d;
      d.feed(dir, std::span<const uint8_t>(bytes).first(n));
      // Give the other direction completely so nothing waits on it.
      const auto& other_bytes = dir == C2S ? c.s2c : c.c2s;
      d.feed(dir == C2S ? S2C : C2S, other_bytes);
      Out o;
      drain(d, o);
      ASSERT_TRUE(o.errors.empty()) << n << ": " << o.errors[0].error.to_string();
      const auto got = keys(o, dir);
      size_t complete = 0;
      while (complete < all.size() && std::get<1>(all[complete]) <= n) ++complete;
      ASSERT_EQ(got.size(), complete) << n;
      const uint64_t done = complete ? std::get<1>(all[complete - 1]) : 0;
      EXPECT_EQ(d.buffered_bytes(dir), n - done) << n;
      EXPECT_EQ(d.offset(dir), done);
    }
  }
}

TEST(Msgr1Decoder, FlippedCrcsStrictAndLenient) {
  const Conv c = make_conv();
  const Out whole = decode(c);
  // The first server message: find its offset.
  const Item* msg = nullptr;
  for (const auto& it : whole.items)
    if (it.dir == S2C && it.message()) {
      msg = &it;
      break;
    }
  ASSERT_NE(msg, nullptr);
  const size_t at = msg->begin;
  const size_t footer = at + 1 + kHeaderLen + 40 + 3 + 100;
  struct Case {
    size_t flip;
    const char* field;
    size_t offset;
  };
  for (const Case& k : {Case{at + 1 + 8, "MessageFrame.header.crc", at + 50},
                        Case{at + 1 + kHeaderLen + 1, "MessageFrame.footer.front_crc", footer},
                        Case{at + 1 + kHeaderLen + 40, "MessageFrame.footer.middle_crc", footer + 4},
                        Case{at + 1 + kHeaderLen + 43 + 50, "MessageFrame.footer.data_crc", footer + 8},
                        Case{footer + 9, "MessageFrame.footer.data_crc", footer + 8}}) {
    Conv bad = c;
    bad.s2c[k.flip] ^= 0x10;
    Out o = decode(bad);
    ASSERT_EQ(o.errors.size(), 1u);
    EXPECT_EQ(o.errors[0].dir, S2C);
    EXPECT_EQ(o.errors[0].offset, at);
    EXPECT_EQ(o.errors[0].error.kind, ErrorKind::kBadCrc);
    EXPECT_EQ(o.errors[0].error.field, k.field);
    EXPECT_EQ(o.errors[0].error.offset, k.offset);
    // Nothing after the bad message in that direction; the other direction is unaffected.
    EXPECT_EQ(kinds(o, C2S), c.c2s_kinds);
    EXPECT_EQ(kinds(o, S2C), (std::vector<std::string>{"banner", "connect_reply", "seq"}));
    // Lenient: everything decodes, only that message has crc_ok == false.
    DecoderOptions lenient;
    lenient.verify_crc = false;
    Out l = decode(bad, lenient);
    EXPECT_TRUE(l.errors.empty());
    EXPECT_EQ(kinds(l, S2C), c.s2c_kinds);
    for (const auto& it : l.items) {
      EXPECT_EQ(it.crc_ok, !(it.dir == S2C && it.begin == at)) << it.kind() << " " << it.begin;
      EXPECT_EQ(it.encode(), it.raw);
    }
  }
}

TEST(Msgr1Decoder, BadTagsAndClose) {
  const Conv c = make_conv({});
  // Every byte value as the first tag after the handshake (server side, after seq).
  size_t after_seq = 0;
  for (const auto& it : decode(c).items)
    if (it.dir == S2C && it.kind() == "seq") after_seq = it.end;
  for (int tag = 0; tag < 256; ++tag) {
    Conv bad = c;
    bad.s2c.resize(after_seq);
    bad.s2c.push_back(static_cast<uint8_t>(tag));
    Out o = decode(bad);
    const bool valid = tag == kTagMsg || tag == kTagAck || tag == kTagKeepalive ||
                       tag == kTagKeepalive2 || tag == kTagKeepalive2Ack || tag == kTagClose;
    if (valid) {
      EXPECT_TRUE(o.errors.empty()) << tag;
    } else {
      ASSERT_EQ(o.errors.size(), 1u) << tag;
      EXPECT_EQ(o.errors[0].error.kind, ErrorKind::kBadValue);
      EXPECT_EQ(o.errors[0].error.field, "tag");
      EXPECT_EQ(o.errors[0].offset, after_seq);
      EXPECT_EQ(o.errors[0].error.offset, after_seq);
    }
  }
  // Bytes after CLOSE.
  Conv after = c;
  after.c2s.push_back(kTagKeepalive);
  Out o = decode(after);
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_EQ(o.errors[0].error.kind, ErrorKind::kTrailingBytes);
  EXPECT_EQ(o.errors[0].offset, c.c2s.size());
}

TEST(Msgr1Decoder, BannerErrorsAreEarly) {
  // A msgr2 client: "ceph v2\n" + a short payload; the v1 decoder must say so at once.
  ConnectionDecoder d;
  const std::string v2 = "ceph v2\n\x10\x00";
  d.feed(C2S, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v2.data()), v2.size()));
  Out o;
  drain(d, o);
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_EQ(o.errors[0].error.kind, ErrorKind::kBadBanner);
  EXPECT_EQ(o.errors[0].error.offset, 6u);
  EXPECT_EQ(o.errors[0].error.field, "ClientBanner.banner");
  EXPECT_TRUE(d.failed(C2S));
  // Further bytes are ignored and counted as skipped.
  d.feed(C2S, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v2.data()), 4));
  drain(d, o);
  EXPECT_EQ(o.items.size(), 0u);
  EXPECT_EQ(d.skipped_bytes(C2S), 4u);
  // Server side too.
  ConnectionDecoder s;
  s.feed(S2C, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("ceph v028"), 9));
  Out so;
  drain(s, so);
  ASSERT_EQ(so.errors.size(), 1u);
  EXPECT_EQ(so.errors[0].error.offset, 8u);
  EXPECT_EQ(so.errors[0].error.field, "ServerBanner.banner");
}

TEST(Msgr1Decoder, HandshakeErrors) {
  const Conv c = make_conv();
  // A reply with a tag that is not a reply tag.
  {
    Conv bad = c;
    bad.s2c[kServerBannerLen] = kTagMsg;
    Out o = decode(bad);
    ASSERT_EQ(o.errors.size(), 1u);
    EXPECT_EQ(o.errors[0].error.field, "ConnectReply.reply.tag");
    EXPECT_EQ(o.errors[0].error.offset, kServerBannerLen);
    // The client waits for a reply that never decodes: no error, bytes kept.
    EXPECT_EQ(kinds(o, C2S), (std::vector<std::string>{"banner", "connect"}));
  }
  // An authorizer length beyond the limit is an error as soon as the length is there.
  {
    std::vector<uint8_t> b = encode(make_client_banner(entity_addr_t{}));
    b.resize(kClientBannerLen);
    b[9] = 0;  // legacy marker
    Connect big = make_connect({});
    big.connect.authorizer_len = 0x7fffffff;
    auto cb = encode(big.connect);
    b.insert(b.end(), cb.begin(), cb.end());
    ConnectionDecoder d;
    d.feed(C2S, b);
    Out o;
    drain(d, o);
    ASSERT_EQ(o.errors.size(), 1u);
    EXPECT_EQ(o.errors[0].error.kind, ErrorKind::kLengthTooLarge);
    EXPECT_EQ(o.errors[0].error.offset, kClientBannerLen + 28);
  }
}

TEST(Msgr1Decoder, HugeLengthsDoNotAllocate) {
  // A header (valid crc) announcing 4 GiB of data: rejected at the header.
  const Conv c = make_conv();
  size_t after_seq = 0;
  for (const auto& it : decode(c).items)
    if (it.dir == S2C && it.kind() == "seq") after_seq = it.end;
  Payload empty;
  MessageParts p = empty.parts(43, 1, 1);
  auto m = encode_message(p, {4, 0}, true);
  const uint32_t huge = 0xffffffffu;
  std::memcpy(m.data() + 1 + 30, &huge, 4);
  const uint32_t crc = header_crc(std::span<const uint8_t>(m).subspan(1, kHeaderLen));
  std::memcpy(m.data() + 1 + 49, &crc, 4);
  Conv bad = c;
  bad.s2c.resize(after_seq);
  bad.s2c.insert(bad.s2c.end(), m.begin(), m.begin() + 1 + kHeaderLen);
  Out o = decode(bad);
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_EQ(o.errors[0].error.kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(o.errors[0].error.field, "MessageFrame.header.data_len");
  EXPECT_EQ(o.errors[0].error.offset, after_seq + 1 + 30);
  // Within the limit but not there: pending, holding only what was fed.
  Conv pend = c;
  pend.s2c.resize(after_seq);
  const uint32_t big = kMaxDataLen;
  std::memcpy(m.data() + 1 + 30, &big, 4);
  const uint32_t crc2 = header_crc(std::span<const uint8_t>(m).subspan(1, kHeaderLen));
  std::memcpy(m.data() + 1 + 49, &crc2, 4);
  pend.s2c.insert(pend.s2c.end(), m.begin(), m.begin() + 1 + kHeaderLen);
  ConnectionDecoder d;
  d.feed(C2S, pend.c2s);
  d.feed(S2C, pend.s2c);
  Out po;
  drain(d, po);
  EXPECT_TRUE(po.errors.empty());
  EXPECT_EQ(d.buffered_bytes(S2C), 1 + kHeaderLen);
}

TEST(Msgr1Decoder, ResyncAfterAGap) {
  const Conv c = make_conv();
  const Out whole = decode(c);
  const auto s2c = keys(whole, S2C);
  // Server items: banner, reply, seq, msg(1), ka2_ack, msg(2), msg(3), ack.
  ASSERT_EQ(s2c.size(), 8u);
  const uint64_t msg1 = std::get<0>(s2c[3]), ka = std::get<0>(s2c[4]);
  // Lose 20 bytes in the middle of message 1: feed up to there, resync, feed from ka-5.
  ConnectionDecoder d;
  d.feed(C2S, c.c2s);
  d.feed(S2C, std::span<const uint8_t>(c.s2c).first(msg1 + 20));
  d.resync(S2C);
  EXPECT_EQ(d.skipped_bytes(S2C), 20u);  // the partial message
  d.feed(S2C, std::span<const uint8_t>(c.s2c).subspan(ka - 5));
  Out o;
  drain(d, o);
  EXPECT_TRUE(o.errors.empty());
  auto got = keys(o, S2C);
  // banner, reply, seq; then after 5 junk bytes: ka2_ack (confirmed by the message after it).
  ASSERT_EQ(got.size(), 3u + 4u);
  EXPECT_EQ(std::get<2>(got[3]), "keepalive2_ack");
  EXPECT_EQ(std::get<3>(got[3]), std::get<3>(s2c[4]));
  EXPECT_EQ(std::get<3>(got[4]), std::get<3>(s2c[5]));
  EXPECT_EQ(std::get<3>(got[6]), std::get<3>(s2c[7]));
  EXPECT_EQ(d.skipped_bytes(S2C), 25u);
  // Offsets count the bytes fed.
  EXPECT_EQ(std::get<0>(got[3]), msg1 + 20 + 5);
}

TEST(Msgr1Decoder, ResyncAfterAnError) {
  const Conv c = make_conv();
  Conv bad = c;
  // Corrupt message 1's header crc on the server side: strict mode stops there.
  const Out whole = decode(c);
  const auto s2c = keys(whole, S2C);
  const uint64_t msg1 = std::get<0>(s2c[3]);
  bad.s2c[msg1 + 1 + 49] ^= 0xff;
  ConnectionDecoder d;
  d.feed(C2S, bad.c2s);
  d.feed(S2C, bad.s2c);
  Out o;
  drain(d, o);
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_TRUE(d.failed(S2C));
  d.resync(S2C);
  drain(d, o);
  EXPECT_FALSE(d.failed(S2C));
  auto got = keys(o, S2C);
  // Everything after message 1 is recovered from the bytes already buffered.
  ASSERT_EQ(got.size(), 3u + 4u);
  EXPECT_EQ(got[3], s2c[4]);
  EXPECT_EQ(got[6], s2c[7]);
  EXPECT_EQ(d.skipped_bytes(S2C), std::get<0>(s2c[4]) - msg1);
}

TEST(Msgr1Decoder, MidstreamInfersTheFooterSize) {
  for (bool msg_auth : {true, false}) {
    ConvOptions co;
    if (!msg_auth) co.server_features = kFeaturesAllPacific & ~kFeatureMsgAuth;
    const Conv c = make_conv(co);
    const Out whole = decode(c);
    const auto s2c = keys(whole, S2C);
    const uint64_t from = std::get<0>(s2c[3]) - 17;  // 17 bytes before message 1
    DecoderOptions mid;
    mid.midstream = true;
    ConnectionDecoder d(mid);
    d.feed(S2C, std::span<const uint8_t>(c.s2c).subspan(from));
    Out o;
    drain(d, o);
    EXPECT_TRUE(o.errors.empty()) << (o.errors.empty() ? "" : o.errors[0].error.to_string());
    EXPECT_EQ(d.facts().msg_auth_footer, msg_auth);
    auto got = keys(o, S2C);
    ASSERT_EQ(got.size(), 5u);
    for (size_t i = 0; i < 5; ++i) EXPECT_EQ(std::get<3>(got[i]), std::get<3>(s2c[3 + i]));
    EXPECT_EQ(d.skipped_bytes(S2C), 17u);
    // Told the features: same result.
    ConnectionDecoder e(mid);
    e.assume_features(co.server_features);
    e.feed(S2C, std::span<const uint8_t>(c.s2c).subspan(from));
    Out eo;
    drain(e, eo);
    EXPECT_EQ(keys(eo, S2C), got);
  }
}

// Midstream, each direction infers its footer size from its own messages: what one direction
// decodes must not depend on which direction was fed first (fuzz regressions
// corpus/msgr1_stream_fuzzer/regressions/a227afc1..., f11eb1f8...: the first direction's
// inference used to become the connection's, so the other direction, fed later, decoded with
// it and failed or stalled where it decodes fine on its own).
TEST(Msgr1Decoder, MidstreamFooterSizeIsInferredPerDirection) {
  ConvOptions old_footer;
  old_footer.server_features = kFeaturesAllPacific & ~kFeatureMsgAuth;
  const Conv with = make_conv(), without = make_conv(old_footer);
  const auto cw = keys(decode(with), C2S);
  const auto sw = keys(decode(without), S2C);
  // c2s: from 3 bytes before the client's first message (21-byte footers); s2c: from 17 bytes
  // before the server's first message (13-byte footers).
  const uint64_t cfrom = std::get<0>(cw[3]) - 3, sfrom = std::get<0>(sw[3]) - 17;
  Conv mixed;
  mixed.c2s.assign(with.c2s.begin() + static_cast<std::ptrdiff_t>(cfrom), with.c2s.end());
  mixed.s2c.assign(without.s2c.begin() + static_cast<std::ptrdiff_t>(sfrom), without.s2c.end());
  DecoderOptions mid;
  mid.midstream = true;
  const Out a = decode(mixed, mid, false), b = decode(mixed, mid, true);
  for (const Out* o : {&a, &b}) {
    EXPECT_TRUE(o->errors.empty()) << o->errors[0].error.to_string();
    const auto c = keys(*o, C2S), s = keys(*o, S2C);
    ASSERT_EQ(c.size(), cw.size() - 3);  // message, keepalive2, message, keepalive, ack, close
    ASSERT_EQ(s.size(), sw.size() - 3);  // message, keepalive2_ack, message, message, ack
    for (size_t i = 0; i < c.size(); ++i) EXPECT_EQ(std::get<3>(c[i]), std::get<3>(cw[3 + i]));
    for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(std::get<3>(s[i]), std::get<3>(sw[3 + i]));
  }
  EXPECT_EQ(keys(a, C2S), keys(b, C2S));
  EXPECT_EQ(keys(a, S2C), keys(b, S2C));
  // The connection fact reports the first inference; told the features, both directions use
  // them (and the 13-byte direction then fails on its footer).
  ConnectionDecoder d(mid);
  d.feed(S2C, mixed.s2c);
  d.feed(C2S, mixed.c2s);
  EXPECT_EQ(d.facts().msg_auth_footer, false);
  ConnectionDecoder e(mid);
  e.assume_features(kFeaturesAllPacific);
  e.feed(C2S, mixed.c2s);
  e.feed(S2C, mixed.s2c);
  Out eo;
  drain(e, eo);
  EXPECT_EQ(keys(eo, C2S), keys(a, C2S));
  ASSERT_EQ(eo.errors.size(), 1u);
  EXPECT_EQ(eo.errors[0].dir, S2C);
}

TEST(Msgr1Decoder, ItemJson) {
  const Conv c = make_conv();
  Out o = decode(c);
  for (const auto& it : o.items) {
    JsonWriter w;
    it.dump(w);
    const std::string s = w.take();
    EXPECT_NE(s.find("\"kind\":\"" + std::string(it.kind()) + "\""), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace cephwire::codec::msgr1
