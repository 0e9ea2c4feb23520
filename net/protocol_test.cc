// Tests of the sans-IO client connections.
//
// Replay: every connection of the corpus recordings (librados 16.2.15 against a real 16.2.15
// cluster, msgr v1 and v2) is replayed against our Connection: the server's bytes are fed in
// the recorded packet order, the upper-layer items librados sent (messages, keepalives) are
// handed to the connection when librados sent them, and everything our connection writes
// must equal librados's client-to-server stream BYTE FOR BYTE (banner, learned address,
// connect / hello / auth / signature / ident, the TAG_SEQ exchange, keepalive acks, message
// framing with seq, src, crcs, header2 ack_seq and flags).
//
// Scripted servers: handshake variants (RESETSESSION, RETRY_*, WAIT, BADAUTHORIZER, v2 WAIT,
// IDENT_MISSING_FEATURES, secure mode), keepalive answers, old-seq drop, bad bytes, timeouts,
// and the fault layer (drop / delay / close, nth / count, text rules).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "codec/connection.h"
#include "codec/msgr1/connection_decoder.h"
#include "codec/msgr1/encode.h"
#include "codec/msgr2/banner.h"
#include "codec/msgr2/connection_decoder.h"
#include "codec/msgr2/frames_v2.h"
#include "codec/testing/testing.h"
#include "net/interceptor.h"
#include "net/protocol.h"
#include "net/test_util.h"

namespace cephwire::net {
namespace {

namespace fs = std::filesystem;
namespace m1 = codec::msgr1;
namespace m2 = codec::msgr2;
using json = nlohmann::json;
using testing::drain;
using testing::events;
using testing::slurp;

constexpr Instant T0{};

// ---------------------------------------------------------------------------------------
// replay of the recordings

struct Timeline {
  // (pcap frame, direction, stream end offset after that frame)
  struct Step {
    uint64_t frame;
    codec::Dir dir;
    uint64_t end;
  };
  std::vector<Step> steps;
};

Timeline timeline_of(const json& s) {
  Timeline t;
  for (const auto& f : s["c2s_frames"])
    t.steps.push_back({f[1].get<uint64_t>(), codec::Dir::kClientToServer, f[0].get<uint64_t>()});
  for (const auto& f : s["s2c_frames"])
    t.steps.push_back({f[1].get<uint64_t>(), codec::Dir::kServerToClient, f[0].get<uint64_t>()});
  std::stable_sort(t.steps.begin(), t.steps.end(),
                   [](const auto& a, const auto& b) { return a.frame < b.frame; });
  return t;
}

struct ReplayResult {
  bool replayed = false;  // false: the stream was not one we can replay (skipped)
  std::string why;
  std::vector<uint8_t> ours;
  std::vector<uint8_t> theirs;
  size_t messages_in = 0;
  size_t upper_items = 0;
};

ReplayResult replay(const fs::path& dir, const json& s) {
  ReplayResult res;
  const std::string n = std::to_string(s["stream"].get<int>());
  const auto c2s = slurp((dir / (n + ".c2s")).string());
  const auto s2c = slurp((dir / (n + ".s2c")).string());
  res.theirs = c2s;

  // The recorded client items, decoded by the codec.
  codec::ConnectionDecoder dec;
  dec.feed(codec::Dir::kClientToServer, c2s);
  dec.feed(codec::Dir::kServerToClient, s2c);
  std::vector<codec::AnyItem> items;
  std::optional<codec::entity_addr_t> server_banner_addr;  // v1: who the client dialled
  while (auto it = dec.poll()) {
    if (it->dir() == codec::Dir::kClientToServer) {
      items.push_back(std::move(*it));
    } else if (const auto* i1 = std::get_if<m1::Item>(&it->item())) {
      if (auto* b = std::get_if<m1::ServerBanner>(&i1->frame)) server_banner_addr = b->addr;
    }
  }
  if (dec.poll_error()) {
    res.why = "recording does not decode";
    return res;
  }
  if (items.empty() || items[0].kind() != "banner") {
    res.why = "no client banner";
    return res;
  }

  ConnConfig cfg;
  cfg.msgr = dec.msgr() == codec::Msgr::kV1 ? Msgr::kV1 : Msgr::kV2;
  if (server_banner_addr) cfg.target = *server_banner_addr;
  for (const auto& it : items) {
    if (const auto* i1 = std::get_if<m1::Item>(&it.item())) {
      if (auto* b = std::get_if<m1::ClientBanner>(&i1->frame)) cfg.nonce = b->addr.nonce;
      if (auto* c = std::get_if<m1::Connect>(&i1->frame)) {
        cfg.global_seq = c->connect.global_seq;
        cfg.features = c->connect.features;
        cfg.announce_lossy = (c->connect.flags & m1::kConnectLossy) != 0;
        cfg.peer_type = c->connect.protocol_version == m1::kProtoMonc
                            ? codec::entity_name_t::kTypeMon
                            : codec::entity_name_t::kTypeOsd;
        if (c->auth_none) {
          cfg.global_id = c->auth_none->global_id;
          cfg.entity_id = c->auth_none->name.id;
        }
        break;
      }
    } else {
      const auto& i2 = std::get<m2::Item>(it.item());
      if (auto* h = i2.as<m2::HelloFrame>()) cfg.target = h->peer_addr;
      if (auto* a = i2.as<m2::AuthRequestFrame>()) {
        if (!a->none) {
          res.why = "not auth none";
          return res;
        }
        cfg.peer_type = a->none->is_mon() ? codec::entity_name_t::kTypeMon
                                          : codec::entity_name_t::kTypeOsd;
        cfg.global_id = a->none->global_id;
        cfg.entity_id = a->none->entity_name.id;
        cfg.v2_preferred_modes = a->preferred_modes;
      }
      if (auto* c = i2.as<m2::ClientIdentFrame>()) {
        if (c->addrs.v.empty()) break;
        cfg.nonce = c->addrs.v[0].nonce;
        cfg.my_gid = c->gid;
        cfg.global_seq = static_cast<uint32_t>(c->global_seq);
        cfg.features = c->supported_features;
        cfg.v2_required = c->required_features;
        cfg.announce_lossy = (c->flags & m2::kIdentFlagLossy) != 0;
        cfg.v2_client_cookie = c->cookie;
        break;
      }
    }
  }

  // Upper-layer items: what the messenger's user asked for (messages, keepalives, close).
  auto upper = [](const codec::AnyItem& it) {
    const auto k = it.kind();
    return k == "message" || k == "keepalive2" || k == "close";
  };
  const Timeline tl = timeline_of(s);
  auto conn = make_connection(cfg);
  conn->start(T0);
  size_t next_item = 0;
  uint64_t s2c_fed = 0;
  Instant now = T0;
  auto take_output = [&] {
    auto b = drain(*conn, now);
    res.ours.insert(res.ours.end(), b.begin(), b.end());
  };
  auto inject_until = [&](uint64_t c2s_end) {
    for (; next_item < items.size() && items[next_item].end() <= c2s_end; ++next_item) {
      const auto& it = items[next_item];
      if (!upper(it)) continue;
      ++res.upper_items;
      if (it.kind() == "message") {
        OutMessage m;
        m.parts = *it.message();
        if (cfg.msgr == Msgr::kV1) conn->set_my_gid(m.parts.src.num);
        conn->send(std::move(m), now);
      } else if (it.kind() == "keepalive2") {
        const auto& f = std::get<m1::TagKeepalive2>(std::get<m1::Item>(it.item()).frame);
        conn->send_keepalive(f.stamp, now);
      } else if (it.kind() == "close") {
        conn->close(now);
      }
    }
  };
  for (const auto& st : tl.steps) {
    now += std::chrono::microseconds(1);
    if (st.dir == codec::Dir::kServerToClient) {
      if (st.end > s2c_fed) {
        conn->feed(std::span<const uint8_t>(s2c).subspan(s2c_fed, st.end - s2c_fed), now);
        s2c_fed = st.end;
      }
    } else {
      inject_until(st.end);
    }
    take_output();
    for (auto& e : events(*conn)) {
      if (std::holds_alternative<conn_ev::Message>(e)) ++res.messages_in;
      if (auto* f = std::get_if<conn_ev::Fault>(&e)) {
        res.why = "fault: " + f->reason;
        return res;
      }
    }
  }
  inject_until(~uint64_t{0});
  take_output();
  res.replayed = true;
  return res;
}

TEST(Replay, EveryRecordedConnectionByteForByte) {
  size_t replayed = 0, v1 = 0, v2 = 0;
  for (const auto& e : fs::directory_iterator("corpus/streams")) {
    const json index = json::parse(slurp((e.path() / "index.json").string()));
    for (const auto& s : index) {
      SCOPED_TRACE(e.path().filename().string() + " stream " + std::to_string(s["stream"].get<int>()));
      ReplayResult r = replay(e.path(), s);
      ASSERT_TRUE(r.replayed) << r.why;
      ++replayed;
      (e.path().filename().string().substr(0, 2) == "v1" ? v1 : v2)++;
      EXPECT_GT(r.upper_items, 0u);
      ASSERT_EQ(r.ours.size(), r.theirs.size());
      size_t diff = 0;
      while (diff < r.ours.size() && r.ours[diff] == r.theirs[diff]) ++diff;
      EXPECT_EQ(diff, r.ours.size()) << "first difference at c2s offset " << diff;
    }
  }
  // 3 v1 recordings (6 + 9 + 9 connections) and 1 v2 recording (6 connections).
  EXPECT_EQ(v1, 24u);
  EXPECT_EQ(v2, 6u);
  EXPECT_EQ(replayed, 30u);
}

// ---------------------------------------------------------------------------------------
// scripted servers

const uint8_t kLo[4] = {127, 0, 0, 1};

codec::entity_addr_t server_addr(uint32_t type, uint16_t port, uint32_t nonce) {
  return codec::entity_addr_t::make_ipv4(type, kLo, port, nonce, type == codec::entity_addr_t::kTypeLegacy);
}

ConnConfig v1_cfg(uint8_t peer = codec::entity_name_t::kTypeOsd) {
  ConnConfig c;
  c.msgr = Msgr::kV1;
  c.peer_type = peer;
  c.target = server_addr(codec::entity_addr_t::kTypeLegacy, 6800, 77);
  c.nonce = 1234;
  c.global_seq = 5;
  c.my_gid = 4100;
  c.global_id = 4100;
  return c;
}

// A server side for v1: decodes what the client wrote, answers with codec encoders.
struct V1Server {
  m1::ConnectionDecoder dec;
  std::vector<m1::Connect> connects;
  std::vector<codec::MessageParts> messages;
  std::vector<std::vector<uint8_t>> message_raw;
  std::vector<uint8_t> kinds_raw;
  std::vector<std::string> kinds;

  void absorb(const std::vector<uint8_t>& c2s) {
    dec.feed(codec::Dir::kClientToServer, c2s);
    while (auto it = dec.poll()) {
      if (it->dir != codec::Dir::kClientToServer) continue;
      kinds.emplace_back(it->kind());
      if (auto* c = std::get_if<m1::Connect>(&it->frame)) connects.push_back(*c);
      if (it->message()) {
        message_raw.push_back(it->raw);
        auto d = m1::decode_message_frame(message_raw.back(), {});
        messages.push_back(d->frame.parts());
      }
    }
  }
  std::vector<uint8_t> say(const std::vector<uint8_t>& s2c) {
    dec.feed(codec::Dir::kServerToClient, s2c);
    while (auto it = dec.poll()) {
      if (it->dir == codec::Dir::kClientToServer) kinds.emplace_back(it->kind());
    }
    return s2c;
  }
  std::vector<uint8_t> banner(const codec::entity_addr_t& me) {
    uint8_t ip[4] = {127, 0, 0, 1};
    return say(m1::encode(m1::make_server_banner(
        me, codec::entity_addr_t::make_ipv4(1, ip, 40000, 0, true))));
  }
  std::vector<uint8_t> reply(uint8_t tag, uint32_t gseq = 10, uint32_t cseq = 1) {
    return say(m1::encode(m1::make_connect_reply(tag, kFeaturesPacific, gseq, cseq, 24, true)));
  }
};

// Client writes banner; server banner -> client addr + connect; READY -> ready.
std::unique_ptr<Connection> v1_ready(V1Server& srv, ConnConfig cfg = v1_cfg()) {
  auto c = make_connection(cfg);
  c->start(T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.banner(cfg.target), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.reply(m1::kTagReady), T0);
  srv.absorb(drain(*c, T0));
  return c;
}

TEST(Msgr1, HandshakeToOsdCarriesTheAuthNoneAuthorizer) {
  V1Server srv;
  auto c = v1_ready(srv);
  ASSERT_TRUE(c->ready());
  ASSERT_EQ(srv.connects.size(), 1u);
  const auto& cn = srv.connects[0];
  EXPECT_EQ(cn.connect.features, kFeaturesPacific);
  EXPECT_EQ(cn.connect.host_type, 8u);
  EXPECT_EQ(cn.connect.global_seq, 5u);
  EXPECT_EQ(cn.connect.connect_seq, 0u);
  EXPECT_EQ(cn.connect.protocol_version, 24u);
  EXPECT_EQ(cn.connect.flags, m1::kConnectLossy);
  ASSERT_TRUE(cn.auth_none);
  EXPECT_EQ(cn.auth_none->name.id, "admin");
  EXPECT_EQ(cn.auth_none->global_id, 4100u);
  const auto* banner = srv.dec.facts().client_addr ? &*srv.dec.facts().client_addr : nullptr;
  ASSERT_TRUE(banner);
  EXPECT_EQ(banner->nonce, 1234u);
  EXPECT_EQ(banner->to_string(), "v1:127.0.0.1:0/1234");
  auto ev = events(*c);
  ASSERT_EQ(ev.size(), 1u);
  auto& r = std::get<conn_ev::Ready>(ev[0]);
  EXPECT_EQ(r.features, kFeaturesPacific);
}

TEST(Msgr1, HandshakeToMonHasNoAuthorizer) {
  V1Server srv;
  auto c = v1_ready(srv, v1_cfg(codec::entity_name_t::kTypeMon));
  ASSERT_EQ(srv.connects.size(), 1u);
  EXPECT_EQ(srv.connects[0].connect.protocol_version, 15u);
  EXPECT_EQ(srv.connects[0].connect.authorizer_len, 0u);
  EXPECT_FALSE(srv.connects[0].auth_none);
}

TEST(Msgr1, MessagesQueuedBeforeReadyAreWrittenInOrderWithSeqAndSrc) {
  V1Server srv;
  auto c = make_connection(v1_cfg());
  c->start(T0);
  for (uint16_t t : {42, 2, 42}) {
    OutMessage m;
    m.parts.type = t;
    m.parts.version = 1;
    m.parts.priority = 63;
    m.parts.front = codec::Bytes::from_string("front" + std::to_string(t));
    c->send(std::move(m), T0);
  }
  c->send_keepalive({100, 200}, T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.banner(v1_cfg().target), T0);
  srv.absorb(drain(*c, T0));
  EXPECT_TRUE(srv.messages.empty());
  c->feed(srv.reply(m1::kTagReady), T0);
  srv.absorb(drain(*c, T0));
  ASSERT_EQ(srv.messages.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(srv.messages[i].seq, i + 1);
    EXPECT_EQ(srv.messages[i].src.type, 8u);
    EXPECT_EQ(srv.messages[i].src.num, 4100);
  }
  EXPECT_EQ(srv.messages[1].type, 2u);
  // keepalive first, as ProtocolV1::write_event writes it before the queued messages
  const auto it = std::find(srv.kinds.begin(), srv.kinds.end(), "keepalive2");
  ASSERT_NE(it, srv.kinds.end());
  EXPECT_LT(it - srv.kinds.begin(),
            std::find(srv.kinds.begin(), srv.kinds.end(), "message") - srv.kinds.begin());
  EXPECT_EQ(c->out_seq(), 3u);
}

TEST(Msgr1, AServerWithAnotherNonceIsNotTheOneWeDialled) {
  V1Server srv;
  ConnConfig cfg = v1_cfg();
  auto c = make_connection(cfg);
  c->start(T0);
  srv.absorb(drain(*c, T0));
  codec::entity_addr_t restarted = cfg.target;
  restarted.nonce += 1;  // the daemon restarted on the same port
  c->feed(srv.banner(restarted), T0);
  auto ev = events(*c);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_NE(std::get<conn_ev::Fault>(ev[0]).reason.find("claims to be"), std::string::npos);
}

TEST(Msgr1, SeqReplyIsAnsweredWithOurInSeq) {
  V1Server srv;
  auto c = make_connection(v1_cfg());
  c->start(T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.banner(v1_cfg().target), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.reply(m1::kTagSeq), T0);
  EXPECT_FALSE(c->ready());
  c->feed(srv.say(m1::encode_seq(0)), T0);
  EXPECT_TRUE(c->ready());
  srv.absorb(drain(*c, T0));
  EXPECT_EQ(srv.kinds.back(), "seq");
  EXPECT_EQ(srv.dec.facts().client_in_seq, 0u);
}

TEST(Msgr1, ConnectRetriesFollowTheReplyTags) {
  V1Server srv;
  auto c = make_connection(v1_cfg());
  c->start(T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.banner(v1_cfg().target), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.reply(m1::kTagRetryGlobal, 90, 0), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.reply(m1::kTagRetrySession, 0, 7), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.reply(m1::kTagResetSession, 0, 0), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.reply(m1::kTagReady, 0, 1), T0);
  ASSERT_TRUE(c->ready());
  ASSERT_EQ(srv.connects.size(), 4u);
  EXPECT_EQ(srv.connects[1].connect.global_seq, 91u);  // max(ours, server's) + 1
  EXPECT_EQ(srv.connects[2].connect.connect_seq, 7u);
  EXPECT_EQ(srv.connects[3].connect.connect_seq, 0u);  // RESETSESSION
}

TEST(Msgr1, RefusalsFault) {
  for (uint8_t tag : {m1::kTagWait, m1::kTagBadAuthorizer, m1::kTagBadProtoVer, m1::kTagFeatures,
                      m1::kTagChallengeAuthorizer}) {
    V1Server srv;
    auto c = make_connection(v1_cfg());
    c->start(T0);
    srv.absorb(drain(*c, T0));
    c->feed(srv.banner(v1_cfg().target), T0);
    srv.absorb(drain(*c, T0));
    c->feed(srv.reply(tag), T0);
    auto ev = events(*c);
    ASSERT_EQ(ev.size(), 1u) << int(tag);
    auto& f = std::get<conn_ev::Fault>(ev[0]);
    EXPECT_FALSE(f.was_ready);
    EXPECT_EQ(f.peer_wait, tag == m1::kTagWait);
    EXPECT_TRUE(c->finished());
    EXPECT_FALSE(c->poll_transmit(T0));
  }
}

codec::MessageParts server_msg(uint64_t seq, uint16_t type = 43) {
  codec::MessageParts p;
  p.type = type;
  p.version = 1;
  p.seq = seq;
  p.front = codec::Bytes::from_string("x");
  return p;
}

TEST(Msgr1, KeepalivesAndOldSeqs) {
  V1Server srv;
  auto c = v1_ready(srv);
  events(*c);
  c->feed(srv.say(m1::encode_keepalive2({7, 8})), T0);
  srv.absorb(drain(*c, T0));
  EXPECT_EQ(srv.kinds.back(), "keepalive2_ack");
  c->feed(srv.say(m1::encode_keepalive2_ack({9, 10})), T0);
  const codec::entity_name_t osd{4, 0};
  for (uint64_t s : {1, 2, 2, 1, 3}) c->feed(srv.say(m1::encode_message(server_msg(s), osd, true)), T0);
  auto ev = events(*c);
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(std::get<conn_ev::KeepaliveAck>(ev[0]).stamp.sec, 9u);
  EXPECT_EQ(std::get<conn_ev::Message>(ev[1]).msg.parts.seq, 1u);
  EXPECT_EQ(std::get<conn_ev::Message>(ev[2]).msg.parts.seq, 2u);
  EXPECT_EQ(std::get<conn_ev::Message>(ev[3]).msg.parts.seq, 3u);
  EXPECT_EQ(std::get<conn_ev::Message>(ev[3]).msg.parts.src.type, 4u);
  EXPECT_EQ(c->in_seq(), 3u);
}

TEST(Msgr1, PeerCloseBadBytesAndSocketErrorsFault) {
  {
    V1Server srv;
    auto c = v1_ready(srv);
    events(*c);
    c->feed(srv.say(m1::encode_close()), T0);
    auto ev = events(*c);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_TRUE(std::get<conn_ev::Fault>(ev[0]).was_ready);
  }
  {
    V1Server srv;
    auto c = v1_ready(srv);
    events(*c);
    const std::vector<uint8_t> junk = {99, 1, 2, 3};
    c->feed(junk, T0);
    auto ev = events(*c);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_NE(std::get<conn_ev::Fault>(ev[0]).reason.find("bad bytes"), std::string::npos);
  }
  {
    V1Server srv;
    auto c = v1_ready(srv);
    events(*c);
    auto bytes = m1::encode_message(server_msg(1), {4, 0}, true);
    bytes[30] ^= 1;  // header crc mismatch
    c->feed(bytes, T0);
    auto ev = events(*c);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<conn_ev::Fault>(ev[0]));
  }
  {
    auto c = make_connection(v1_cfg());
    c->start(T0);
    c->on_socket_error("connection refused", T0);
    auto ev = events(*c);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_FALSE(std::get<conn_ev::Fault>(ev[0]).was_ready);
  }
}

TEST(Msgr1, CloseWritesTagClose) {
  V1Server srv;
  auto c = v1_ready(srv);
  events(*c);
  c->close(T0);
  srv.absorb(drain(*c, T0));
  EXPECT_EQ(srv.kinds.back(), "close");
  EXPECT_TRUE(c->finished());
  EXPECT_TRUE(events(*c).empty());
}

TEST(Connection, HandshakeTimesOut) {
  auto c = make_connection(v1_cfg());
  c->start(T0);
  drain(*c, T0);
  ASSERT_TRUE(c->poll_timeout());
  EXPECT_EQ(*c->poll_timeout(), T0 + std::chrono::seconds(30));
  c->handle_timeout(T0 + std::chrono::seconds(29));
  EXPECT_TRUE(events(*c).empty());
  c->handle_timeout(T0 + std::chrono::seconds(30));
  auto ev = events(*c);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(std::get<conn_ev::Fault>(ev[0]).reason, "handshake timed out");
}

// ---------------------------------------------------------------------------------------
// msgr v2

ConnConfig v2_cfg(uint8_t peer = codec::entity_name_t::kTypeOsd) {
  ConnConfig c = v1_cfg(peer);
  c.msgr = Msgr::kV2;
  c.target = server_addr(codec::entity_addr_t::kTypeMsgr2, 6801, 77);
  return c;
}

struct V2Server {
  m2::ConnectionDecoder dec;
  std::vector<std::string> kinds;
  std::optional<m2::AuthRequestFrame> auth;
  std::optional<m2::ClientIdentFrame> ident;
  std::optional<m2::HelloFrame> hello;
  std::vector<codec::MessageParts> messages;
  std::vector<std::vector<uint8_t>> keep;
  std::vector<m2::ceph_msg_header2> headers;

  void absorb(const std::vector<uint8_t>& c2s) {
    dec.feed(codec::Dir::kClientToServer, c2s);
    pump();
  }
  void pump() {
    while (auto it = dec.poll()) {
      if (it->dir != codec::Dir::kClientToServer) continue;
      kinds.emplace_back(it->kind());
      if (auto* a = it->as<m2::AuthRequestFrame>()) {
        auth = *a;
        auth->auth_payload = codec::Bytes();
      }
      if (auto* i = it->as<m2::ClientIdentFrame>()) ident = *i;
      if (auto* h = it->as<m2::HelloFrame>()) hello = *h;
      if (auto* m = it->as<m2::MessageFrame>()) {
        headers.push_back(m->header);
        keep.push_back(it->raw);
        auto f = m2::decode_frame(keep.back(), *dec.rev());
        messages.push_back(std::get<m2::MessageFrame>(f->payload).parts);
      }
    }
  }
  std::vector<uint8_t> say(std::vector<uint8_t> s2c) {
    dec.feed(codec::Dir::kServerToClient, s2c);
    pump();
    return s2c;
  }
  template <class F>
  std::vector<uint8_t> frame(const F& f) {
    return say(m2::encode_control_frame(f, m2::Rev::kRev1));
  }
  std::vector<uint8_t> banner() { return say(m2::encode_banner()); }
  std::vector<uint8_t> hello_frame(uint8_t type) {
    m2::HelloFrame h;
    h.entity_type = type;
    h.peer_addr = server_addr(codec::entity_addr_t::kTypeMsgr2, 40000, 0);
    return frame(h);
  }
  std::vector<uint8_t> auth_done(uint64_t gid, uint32_t mode = m2::kConModeCrc) {
    m2::AuthDoneFrame d;
    d.global_id = gid;
    d.con_mode = mode;
    return frame(d);
  }
  std::vector<uint8_t> server_ident(int64_t gid = 0) {
    m2::ServerIdentFrame s;
    s.addrs.v = {server_addr(codec::entity_addr_t::kTypeMsgr2, 6801, 77)};
    s.gid = gid;
    s.global_seq = 3;
    s.supported_features = kFeaturesPacific;
    s.flags = 1;
    return frame(s);
  }
};

std::unique_ptr<Connection> v2_ready(V2Server& srv, ConnConfig cfg = v2_cfg()) {
  auto c = make_connection(cfg);
  c->start(T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.banner(), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.hello_frame(cfg.peer_type), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.auth_done(4100), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.frame(m2::AuthSignatureFrame{}), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.server_ident(), T0);
  srv.absorb(drain(*c, T0));
  return c;
}

TEST(Msgr2, HandshakeToOsd) {
  V2Server srv;
  auto c = v2_ready(srv);
  ASSERT_TRUE(c->ready());
  EXPECT_EQ(srv.kinds, (std::vector<std::string>{"banner", "hello", "auth_request",
                                                 "auth_signature", "client_ident"}));
  ASSERT_TRUE(srv.hello && srv.auth && srv.ident);
  EXPECT_EQ(srv.hello->entity_type, 8u);
  EXPECT_EQ(srv.hello->peer_addr, v2_cfg().target);
  EXPECT_EQ(srv.auth->method, 1u);
  EXPECT_EQ(srv.auth->preferred_modes, std::vector<uint32_t>{1});
  ASSERT_TRUE(srv.auth->none);
  EXPECT_EQ(srv.auth->none->mode, 1u);  // the AuthNone authorizer
  EXPECT_EQ(srv.auth->none->global_id, 4100u);
  EXPECT_EQ(srv.ident->gid, 4100);
  EXPECT_EQ(srv.ident->global_seq, 5u);
  EXPECT_EQ(srv.ident->supported_features, kFeaturesPacific);
  EXPECT_EQ(srv.ident->required_features, kV2ClientRequired);
  EXPECT_EQ(srv.ident->flags, 1u);
  EXPECT_EQ(srv.ident->cookie, 0u);
  ASSERT_EQ(srv.ident->addrs.v.size(), 1u);
  EXPECT_EQ(srv.ident->addrs.v[0].to_string(), "any:127.0.0.1:0/1234");
  EXPECT_EQ(srv.ident->target_addr, v2_cfg().target);
  auto ev = events(*c);
  ASSERT_EQ(ev.size(), 1u);
  const auto& r = std::get<conn_ev::Ready>(ev[0]);
  EXPECT_EQ(r.global_id, 4100u);
  EXPECT_EQ(r.peer.type, 4u);
}

TEST(Msgr2, MonAuthRequestUsesAuthModeMon) {
  V2Server srv;
  ConnConfig cfg = v2_cfg(codec::entity_name_t::kTypeMon);
  cfg.global_id = 0;
  cfg.my_gid = -1;
  auto c = v2_ready(srv, cfg);
  ASSERT_TRUE(c->ready());
  EXPECT_EQ(srv.auth->none->mode, 10u);
  EXPECT_EQ(srv.auth->none->global_id, 0u);
  EXPECT_EQ(srv.ident->gid, -1);
}

TEST(Msgr2, AServerWithoutOurTargetAddressIsRefused) {
  V2Server srv;
  ConnConfig cfg = v2_cfg();
  cfg.target.nonce = 78;  // the map's nonce; the server (restarted) has 77
  auto c = make_connection(cfg);
  c->start(T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.banner(), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.hello_frame(4), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.auth_done(4100), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.frame(m2::AuthSignatureFrame{}), T0);
  srv.absorb(drain(*c, T0));
  c->feed(srv.server_ident(), T0);
  auto ev = events(*c);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_NE(std::get<conn_ev::Fault>(ev[0]).reason.find("do not include"), std::string::npos);
  EXPECT_FALSE(c->ready());
}

TEST(Msgr2, MessagesCarryAckSeqAndCrcModeFlags) {
  V2Server srv;
  auto c = v2_ready(srv);
  events(*c);
  m2::MessageFrame dummy;
  c->feed(srv.say(m2::encode_message_frame(server_msg(1), 0, 3, m2::Rev::kRev1)), T0);
  c->feed(srv.say(m2::encode_message_frame(server_msg(2), 0, 3, m2::Rev::kRev1)), T0);
  c->feed(srv.say(m2::encode_message_frame(server_msg(2), 0, 3, m2::Rev::kRev1)), T0);
  auto ev = events(*c);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(std::get<conn_ev::Message>(ev[1]).msg.parts.src.type, 4u);
  OutMessage m;
  m.parts = server_msg(0, 42);
  c->send(std::move(m), T0);
  srv.absorb(drain(*c, T0));
  ASSERT_EQ(srv.headers.size(), 1u);
  EXPECT_EQ(srv.headers[0].seq, 1u);
  EXPECT_EQ(srv.headers[0].ack_seq, 2u);
  EXPECT_EQ(srv.headers[0].flags, 3u);
  m2::KeepAliveFrame k;
  k.timestamp = {5, 6};
  c->feed(srv.frame(k), T0);
  srv.absorb(drain(*c, T0));
  EXPECT_EQ(srv.kinds.back(), "keepalive2_ack");
}

TEST(Msgr2, RefusalsFault) {
  auto until_auth = [](V2Server& srv) {
    auto c = make_connection(v2_cfg());
    c->start(T0);
    srv.absorb(drain(*c, T0));
    c->feed(srv.banner(), T0);
    srv.absorb(drain(*c, T0));
    c->feed(srv.hello_frame(4), T0);
    srv.absorb(drain(*c, T0));
    return c;
  };
  {
    V2Server srv;
    auto c = until_auth(srv);
    c->feed(srv.auth_done(1, m2::kConModeSecure), T0);
    auto ev = events(*c);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_NE(std::get<conn_ev::Fault>(ev[0]).reason.find("only crc"), std::string::npos);
  }
  {
    V2Server srv;
    auto c = until_auth(srv);
    m2::AuthBadMethodFrame b;
    b.method = 1;
    b.result = -13;
    b.allowed_methods = {2};
    b.allowed_modes = {1, 2};
    c->feed(srv.frame(b), T0);
    EXPECT_TRUE(std::holds_alternative<conn_ev::Fault>(events(*c).at(0)));
  }
  {
    V2Server srv;
    auto c = until_auth(srv);
    c->feed(srv.auth_done(1), T0);
    srv.absorb(drain(*c, T0));
    c->feed(srv.frame(m2::AuthSignatureFrame{}), T0);
    srv.absorb(drain(*c, T0));
    c->feed(srv.frame(m2::WaitFrame{}), T0);
    auto ev = events(*c);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_TRUE(std::get<conn_ev::Fault>(ev[0]).peer_wait);
  }
  {
    V2Server srv;
    auto c = make_connection(v2_cfg());
    c->start(T0);
    srv.absorb(drain(*c, T0));
    c->feed(srv.banner(), T0);
    srv.absorb(drain(*c, T0));
    c->feed(srv.hello_frame(1), T0);  // a mon where we dialled an OSD
    EXPECT_TRUE(std::holds_alternative<conn_ev::Fault>(events(*c).at(0)));
  }
  {
    auto c = make_connection(v2_cfg());
    c->start(T0);
    drain(*c, T0);
    c->feed(m1::encode_banner(), T0);  // a v1 server
    c->feed(std::vector<uint8_t>(300, 0), T0);
    auto ev = events(*c);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_NE(std::get<conn_ev::Fault>(ev[0]).reason.find("bad bytes"), std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------
// the fault layer

TEST(FaultRule, ParsesTheTextForm) {
  auto r = FaultRule::parse("out:drop:type=osd_op:op=watch:watch_op=ping:count=0");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->dir, Direction::kOut);
  EXPECT_EQ(r->action, FaultAction::kDrop);
  EXPECT_EQ(r->msg_type, 42);
  EXPECT_EQ(r->osd_op, 0x220f);
  EXPECT_EQ(r->watch_op, 7);
  EXPECT_EQ(r->nth, 1u);
  EXPECT_EQ(r->count, 0u);
  auto d = FaultRule::parse("in:delay=250:peer=osd:type=44:event=notify:nth=2:count=3");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->delay, std::chrono::milliseconds(250));
  EXPECT_EQ(d->peer_type, 4);
  EXPECT_EQ(d->watch_event, 1);
  EXPECT_EQ(d->nth, 2u);
  EXPECT_EQ(d->count, 3u);
  auto k = FaultRule::parse("in:close:kind=keepalive2_ack");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->kind, "keepalive2_ack");
  for (const char* badrule : {"", "out", "sideways:drop", "out:explode", "out:drop:type=nope",
                              "out:drop:nth=0", "out:drop:color=red", "out:delay=x",
                              "out:drop:peer=mds"})
    EXPECT_FALSE(FaultRule::parse(badrule)) << badrule;
}

FrameInfo ping_out() {
  FrameInfo f;
  f.dir = Direction::kOut;
  f.peer_type = 4;
  f.kind = "message";
  f.msg_type = 42;
  f.osd_op = 0x220f;
  f.watch_op = 7;
  return f;
}

TEST(Interceptor, NthAndCountWindows) {
  Interceptor in;
  in.add(*FaultRule::parse("out:drop:type=osd_op:watch_op=ping:nth=2:count=2"));
  std::vector<FaultAction> got;
  for (int i = 0; i < 5; ++i) got.push_back(in.on_frame(ping_out()).action);
  EXPECT_EQ(got, (std::vector<FaultAction>{FaultAction::kPass, FaultAction::kDrop,
                                           FaultAction::kDrop, FaultAction::kPass,
                                           FaultAction::kPass}));
  EXPECT_EQ(in.matches(0), 5u);
  EXPECT_EQ(in.fired().size(), 2u);
  FrameInfo watch = ping_out();
  watch.watch_op = 3;
  EXPECT_EQ(in.on_frame(watch).action, FaultAction::kPass);
  FrameInfo incoming = ping_out();
  incoming.dir = Direction::kIn;
  EXPECT_EQ(in.on_frame(incoming).action, FaultAction::kPass);
}

TEST(Interceptor, DropsOutgoingMessagesOnTheWire) {
  Interceptor in;
  in.add(*FaultRule::parse("out:drop:type=42:nth=2"));
  V1Server srv;
  ConnConfig cfg = v1_cfg();
  cfg.interceptor = &in;
  auto c = v1_ready(srv, cfg);
  for (int i = 0; i < 3; ++i) {
    OutMessage m;
    m.parts = server_msg(0, 42);
    c->send(std::move(m), T0);
  }
  srv.absorb(drain(*c, T0));
  ASSERT_EQ(srv.messages.size(), 2u);
  EXPECT_EQ(srv.messages[0].seq, 1u);
  EXPECT_EQ(srv.messages[1].seq, 3u);  // the dropped one consumed seq 2, as a lost frame would
}

TEST(Interceptor, DelaysKeepOrderAndClosesFault) {
  Interceptor in;
  in.add(*FaultRule::parse("out:delay=500:type=42:nth=1"));
  in.add(*FaultRule::parse("in:delay=100:type=43:nth=1"));
  V1Server srv;
  ConnConfig cfg = v1_cfg();
  cfg.interceptor = &in;
  auto c = v1_ready(srv, cfg);
  events(*c);
  OutMessage a, b;
  a.parts = server_msg(0, 42);
  b.parts = server_msg(0, 2);
  c->send(std::move(a), T0);
  c->send(std::move(b), T0);
  EXPECT_TRUE(drain(*c, T0).empty());  // the MPing waits behind the delayed MOSDOp
  ASSERT_TRUE(c->poll_timeout());
  EXPECT_EQ(*c->poll_timeout(), T0 + std::chrono::milliseconds(500));
  srv.absorb(drain(*c, T0 + std::chrono::milliseconds(500)));
  ASSERT_EQ(srv.messages.size(), 2u);
  EXPECT_EQ(srv.messages[0].type, 42u);
  const codec::entity_name_t osd{4, 0};
  c->feed(srv.say(m1::encode_message(server_msg(1, 43), osd, true)), T0);
  c->feed(srv.say(m1::encode_message(server_msg(2, 44), osd, true)), T0);
  EXPECT_TRUE(events(*c).empty());
  c->handle_timeout(T0 + std::chrono::milliseconds(100));
  auto ev = events(*c);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(std::get<conn_ev::Message>(ev[0]).msg.parts.type, 43u);
  EXPECT_EQ(std::get<conn_ev::Message>(ev[1]).msg.parts.type, 44u);

  Interceptor closer;
  closer.add(*FaultRule::parse("in:close:kind=keepalive2_ack"));
  V1Server srv2;
  cfg.interceptor = &closer;
  auto c2 = v1_ready(srv2, cfg);
  events(*c2);
  c2->feed(srv2.say(m1::encode_keepalive2_ack({1, 2})), T0);
  auto ev2 = events(*c2);
  ASSERT_EQ(ev2.size(), 1u);
  EXPECT_NE(std::get<conn_ev::Fault>(ev2[0]).reason.find("injected"), std::string::npos);
}

TEST(Interceptor, ClassifiesIncomingOsdReplies) {
  // An MOSDOpReply for a watch ping from the recordings, matched by op and watch_op.
  Interceptor in;
  in.add(*FaultRule::parse("in:drop:type=osd_opreply:op=watch:watch_op=watch"));
  const auto c2s = slurp("corpus/streams/v1-watch-notify-basic/5.c2s");
  const auto s2c = slurp("corpus/streams/v1-watch-notify-basic/5.s2c");
  codec::ConnectionDecoder dec;
  dec.feed(codec::Dir::kClientToServer, c2s);
  dec.feed(codec::Dir::kServerToClient, s2c);
  size_t replies = 0;
  while (auto it = dec.poll()) {
    if (it->dir() != codec::Dir::kServerToClient || !it->message()) continue;
    FrameInfo f;
    f.dir = Direction::kIn;
    f.peer_type = 4;
    classify_message(*it->message(), f);
    if (f.msg_type == 43) ++replies;
    in.on_frame(f);
  }
  EXPECT_EQ(replies, 3u);
  ASSERT_EQ(in.fired().size(), 1u);  // the WATCH reply, not the notify-ack / unwatch replies
  EXPECT_EQ(in.fired()[0].occurrence, 1u);
}

}  // namespace
}  // namespace cephwire::net
