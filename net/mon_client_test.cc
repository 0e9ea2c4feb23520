// The sans-IO MonClient (with a Connection and the OSDMap tracker) replayed against the
// recorded monitor sessions of librados 16.2.15: the messages we send must be the ones
// librados sent (MAuth / MMonGetMap, the subscriptions with hostname "vm", keepalives; same
// type, versions, priority, seq, src and front bytes), the global id and maps must be taken
// from the replies, and the object placement computed from the recorded OSDMap must be the
// one librados used. Plus unit tests of hunting, keepalive timeouts, subscriptions and resets.
#include "net/mon_client.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "codec/connection.h"
#include "codec/messages/MOSDMap.h"
#include "codec/msgr1/connection_decoder.h"
#include "codec/msgr2/connection_decoder.h"
#include "net/osdmap_tracker.h"
#include "net/test_util.h"

namespace cephwire::net {
namespace {

namespace m1 = codec::msgr1;
namespace m2 = codec::msgr2;
using json = nlohmann::json;
using testing::drain;
using testing::slurp;

struct Recording {
  std::vector<uint8_t> c2s, s2c;
  json index;
};

Recording load(const std::string& rec, int stream) {
  Recording r;
  const std::string base = "corpus/streams/" + rec + "/";
  r.c2s = slurp(base + std::to_string(stream) + ".c2s");
  r.s2c = slurp(base + std::to_string(stream) + ".s2c");
  for (const auto& s : json::parse(slurp(base + "index.json")))
    if (s["stream"].get<int>() == stream) r.index = s;
  return r;
}

struct Msg {
  codec::MessageParts parts;
  std::vector<uint8_t> keep;
};

// Messages and keepalive stamps of one direction, decoded by the codec.
struct Decoded {
  std::vector<codec::AnyItem> items;
  std::vector<const codec::MessageParts*> msgs;
  std::vector<codec::utime_t> keepalives;
};

Decoded decode_c2s(const std::vector<uint8_t>& c2s, const std::vector<uint8_t>& s2c) {
  Decoded d;
  codec::ConnectionDecoder dec;
  dec.feed(codec::Dir::kClientToServer, c2s);
  dec.feed(codec::Dir::kServerToClient, s2c);
  while (auto it = dec.poll())
    if (it->dir() == codec::Dir::kClientToServer) d.items.push_back(std::move(*it));
  for (const auto& it : d.items) {
    if (it.message()) d.msgs.push_back(it.message());
    if (const auto* i1 = std::get_if<m1::Item>(&it.item()))
      if (auto* k = std::get_if<m1::TagKeepalive2>(&i1->frame)) d.keepalives.push_back(k->stamp);
    if (const auto* i2 = std::get_if<m2::Item>(&it.item()))
      if (auto* k = i2->as<m2::KeepAliveFrame>()) d.keepalives.push_back(k->timestamp);
  }
  return d;
}

// What the shell does with a mon session, driven by a recording's server bytes.
struct MonReplay {
  std::unique_ptr<Connection> conn;
  MonClient mon;
  OsdMapTracker maps;
  std::vector<uint8_t> ours;
  std::vector<codec::utime_t> stamps;  // keepalive stamps to use, in order
  size_t next_stamp = 0;
  std::vector<MonEvent> events;
  std::vector<OsdMapTracker::Update> updates;
  Instant now{};

  MonReplay(ConnConfig cfg, MonClientConfig mc) : conn(make_connection(cfg)), mon(mc, Instant{}) {
    mon.handle_opening(now);
    conn->start(now);
  }
  // After every input the MonClient's actions (keepalive first, as MonConnection::start) and
  // messages go out before its events are acted on (a
  // message queued before the announce goes out under the old name, as in librados, where
  // the messenger is renamed client.<gid> only when authenticate() returns).
  void drain_mon() {
    for (bool more = true; more;) {
      more = false;
      while (auto a = mon.poll_action()) {
        more = true;
        ASSERT_TRUE(std::holds_alternative<mon_act::SendKeepalive>(*a));
        ASSERT_LT(next_stamp, stamps.size());
        conn->send_keepalive(stamps[next_stamp++], now);
      }
      while (auto m = mon.poll_transmit()) {
        more = true;
        conn->send(std::move(*m), now);
      }
      while (auto ev = mon.poll_event()) {
        more = true;
        if (auto* a = std::get_if<mon_ev::Authenticated>(&*ev)) {
          conn->set_my_gid(static_cast<int64_t>(a->global_id));
          // MgrClient::init, then Objecter::start with no map (one-time osdmap from 0).
          if (mon.sub_want("mgrmap", 0, 0)) mon.renew_subs(now);
          if (mon.sub_want("osdmap", 0, codec::kCephSubscribeOnetime)) mon.renew_subs(now);
        }
        events.push_back(std::move(*ev));
      }
    }
  }
  void pump() {
    while (auto e = conn->poll_event()) {
      if (auto* r = std::get_if<conn_ev::Ready>(&*e)) mon.handle_ready(*r, now);
      if (auto* m = std::get_if<conn_ev::Message>(&*e)) {
        if (!mon.handle_message(m->msg.parts, now) && m->msg.parts.type == codec::MOSDMap::kType) {
          auto om = codec::MOSDMap::decode(m->msg.parts);
          ASSERT_TRUE(om);
          auto u = maps.handle(*om);
          updates.push_back(u);
          if (u.changed) mon.sub_got("osdmap", u.to);
        }
      }
      if (std::holds_alternative<conn_ev::KeepaliveAck>(*e)) mon.handle_keepalive_ack(now);
      ASSERT_FALSE(std::holds_alternative<conn_ev::Fault>(*e));
      drain_mon();
    }
    drain_mon();
    auto b = drain(*conn, now);
    ours.insert(ours.end(), b.begin(), b.end());
  }
  void feed(std::span<const uint8_t> bytes) {
    now += std::chrono::milliseconds(1);
    conn->feed(bytes, now);
    pump();
  }
};

void replay_main_mon_session(const std::string& rec, Msgr msgr) {
  const Recording r = load(rec, 1);
  const Decoded theirs = decode_c2s(r.c2s, r.s2c);
  ConnConfig cfg;
  cfg.msgr = msgr;
  cfg.peer_type = codec::entity_name_t::kTypeMon;
  cfg.global_seq = 1;
  if (msgr == Msgr::kV1) {
    m1::ConnectionDecoder d;
    d.feed(codec::Dir::kClientToServer, r.c2s);
    d.feed(codec::Dir::kServerToClient, r.s2c);
    while (d.poll()) {}
    cfg.target = *d.facts().server_addr;
  }
  for (const auto& it : theirs.items) {
    if (const auto* i1 = std::get_if<m1::Item>(&it.item()))
      if (auto* b = std::get_if<m1::ClientBanner>(&i1->frame)) cfg.nonce = b->addr.nonce;
    if (const auto* i2 = std::get_if<m2::Item>(&it.item())) {
      if (auto* h = i2->as<m2::HelloFrame>()) cfg.target = h->peer_addr;
      if (auto* c = i2->as<m2::ClientIdentFrame>()) cfg.nonce = c->addrs.v.at(0).nonce;
    }
  }
  MonClientConfig mc;
  mc.msgr = msgr;
  mc.hostname = "vm";
  MonReplay rp(cfg, mc);
  rp.stamps = theirs.keepalives;
  rp.pump();
  uint64_t fed = 0;
  for (const auto& f : r.index["s2c_frames"]) {
    const uint64_t end = f[0].get<uint64_t>();
    rp.feed(std::span<const uint8_t>(r.s2c).subspan(fed, end - fed));
    fed = end;
  }

  const Decoded ours = decode_c2s(rp.ours, r.s2c);
  ASSERT_EQ(ours.msgs.size(), theirs.msgs.size());
  for (size_t i = 0; i < ours.msgs.size(); ++i) {
    SCOPED_TRACE("message " + std::to_string(i));
    const auto& a = *ours.msgs[i];
    const auto& b = *theirs.msgs[i];
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.version, b.version);
    EXPECT_EQ(a.compat_version, b.compat_version);
    EXPECT_EQ(a.priority, b.priority);
    EXPECT_EQ(a.seq, b.seq);
    EXPECT_EQ(a.tid, b.tid);
    if (msgr == Msgr::kV1) {
      EXPECT_EQ(a.src, b.src);
    }
    EXPECT_EQ(codec::to_hex(a.front.span()), codec::to_hex(b.front.span()));
  }
  EXPECT_EQ(ours.keepalives, theirs.keepalives);
  if (msgr == Msgr::kV1) {
    // v1 has no ack_seq: byte for byte
    size_t diff = 0;
    while (diff < rp.ours.size() && diff < r.c2s.size() && rp.ours[diff] == r.c2s[diff]) ++diff;
    EXPECT_EQ(rp.ours.size(), r.c2s.size());
    EXPECT_EQ(diff, r.c2s.size()) << "first difference at offset " << diff;
  }

  EXPECT_TRUE(rp.mon.authenticated());
  EXPECT_EQ(rp.mon.global_id(), 4133u);
  EXPECT_EQ(rp.mon.monmap().epoch, 1u);
  ASSERT_FALSE(rp.events.empty());
  EXPECT_TRUE(std::holds_alternative<mon_ev::Authenticated>(rp.events[1]) ||
              std::holds_alternative<mon_ev::Authenticated>(rp.events[0]));
  // The osdmap one-time subscription was answered: retired; the rest stay subscribed.
  EXPECT_EQ(rp.mon.subs_sent().count("osdmap"), 0u);
  EXPECT_EQ(rp.mon.subs_sent().count("monmap"), 1u);
  EXPECT_EQ(rp.mon.subs_sent().at("monmap").start, 2u);
  EXPECT_EQ(rp.mon.subs_sent().at("mgrmap").start, 2u);

  // The OSDMap: epoch 9, and the placement librados used for the basic object.
  ASSERT_EQ(rp.maps.epoch(), 9u);
  const client::Target t = rp.maps.placement()(client::ObjectId{1, "", "cephwire-basic", ""});
  EXPECT_EQ(t.osd, 0);
  EXPECT_EQ(t.epoch, 9u);
  EXPECT_EQ(t.pg_seed, 1u);
  EXPECT_EQ(t.hash, 410271489u);
  const auto addr = rp.maps.osd_addr(0, msgr == Msgr::kV1 ? codec::entity_addr_t::kTypeLegacy
                                                          : codec::entity_addr_t::kTypeMsgr2);
  ASSERT_TRUE(addr);
  EXPECT_EQ(addr->port(), msgr == Msgr::kV1 ? 42001 : 42101);
  EXPECT_FALSE(rp.maps.osd_addr(1, codec::entity_addr_t::kTypeLegacy));
}

TEST(MonReplay, V1MainSessionIsLibrados) { replay_main_mon_session("v1-watch-notify-basic", Msgr::kV1); }
TEST(MonReplay, V2MainSessionIsLibrados) { replay_main_mon_session("v2-watch-notify-basic", Msgr::kV2); }

// ---------------------------------------------------------------------------------------
// units

using namespace std::chrono_literals;

MonClientConfig cfg_v1() {
  MonClientConfig c;
  c.msgr = Msgr::kV1;
  c.hostname = "h";
  return c;
}

std::vector<OutMessage> sent(MonClient& m) {
  std::vector<OutMessage> out;
  while (auto x = m.poll_transmit()) out.push_back(std::move(*x));
  return out;
}

codec::MessageParts auth_reply(int32_t result, uint64_t gid) {
  codec::MAuthReply r;
  r.protocol = 1;
  r.result = result;
  r.global_id = gid;
  codec::MessageParts p;
  r.encode(p);
  return p;
}

codec::MessageParts monmap(uint32_t epoch) {
  codec::MMonMap m;
  m.monmap.epoch = epoch;
  codec::MessageParts p;
  m.encode(p);
  return p;
}

TEST(MonClient, V1AuthThenSubscriptionsThenAnnounce) {
  MonClient m(cfg_v1(), Instant{});
  m.handle_opening(Instant{});
  m.handle_ready({}, Instant{});
  auto out = sent(m);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].parts.type, codec::MAuth::kType);
  auto act = m.poll_action();
  ASSERT_TRUE(act && std::holds_alternative<mon_act::SendKeepalive>(*act));
  const uint64_t h = m.get_version("osdmap", Instant{});  // waits for the session
  EXPECT_TRUE(sent(m).empty());
  ASSERT_TRUE(m.handle_message(auth_reply(0, 77), Instant{}));
  out = sent(m);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].parts.type, codec::MMonSubscribe::kType);
  EXPECT_EQ(out[1].parts.type, codec::MMonGetVersion::kType);
  auto sub = codec::MMonSubscribe::decode(out[0].parts);
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->what.size(), 2u);
  EXPECT_EQ(sub->hostname, "h");
  EXPECT_FALSE(m.poll_event());  // no monmap yet
  ASSERT_TRUE(m.handle_message(monmap(3), Instant{}));
  bool announced = false;
  while (auto e = m.poll_event()) announced |= std::holds_alternative<mon_ev::Authenticated>(*e);
  EXPECT_TRUE(announced);
  EXPECT_TRUE(sent(m).empty());
  EXPECT_EQ(m.global_id(), 77u);
  (void)h;
  EXPECT_FALSE(m.handle_message(codec::MessageParts{.type = 41}, Instant{}));
}

TEST(MonClient, ResetResubscribesEverythingAndReclaimsTheGlobalId) {
  MonClient m(cfg_v1(), Instant{});
  m.handle_opening(Instant{});
  m.handle_ready({}, Instant{});
  m.handle_message(auth_reply(0, 77), Instant{});
  m.handle_message(monmap(3), Instant{});
  ASSERT_TRUE(m.sub_want("mgrmap", 0, 0));
  ASSERT_TRUE(m.sub_want("osdmap", 10, 0));
  EXPECT_FALSE(m.sub_want("osdmap", 10, 0));
  m.renew_subs(Instant{});
  sent(m);
  while (m.poll_event()) {}
  while (m.poll_action()) {}
  m.sub_got("osdmap", 12);  // continuous: start moves past what we have
  EXPECT_EQ(m.subs_sent().at("osdmap").start, 13u);
  m.handle_reset(1s);
  EXPECT_FALSE(m.authenticated());
  m.handle_ready({}, 1s);
  auto out = sent(m);
  ASSERT_EQ(out.size(), 1u);
  auto a = codec::MAuth::decode(out[0].parts);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->monmap_epoch, 3u);
  EXPECT_EQ(a->hello()->global_id, 77u);
  m.handle_message(auth_reply(0, 77), 1s);
  out = sent(m);
  ASSERT_EQ(out.size(), 1u);
  auto sub = codec::MMonSubscribe::decode(out[0].parts);
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->what.size(), 4u);  // config, monmap, mgrmap, osdmap in one message
  EXPECT_EQ(sub->what.at("osdmap").start, 13u);
  EXPECT_EQ(sub->what.at("monmap").start, 4u);
  bool announced = false;  // the monmap is known: announced at once
  while (auto e = m.poll_event()) announced |= std::holds_alternative<mon_ev::Authenticated>(*e);
  EXPECT_TRUE(announced);
}

TEST(MonClient, HuntingAndKeepaliveTimeoutsReopen) {
  MonClient m(cfg_v1(), Instant{});
  m.handle_opening(Instant{});
  ASSERT_EQ(m.poll_timeout(), Instant{3s});
  m.handle_timeout(3s);
  auto a = m.poll_action();
  ASSERT_TRUE(a && std::holds_alternative<mon_act::Reopen>(*a));
  EXPECT_EQ(m.poll_timeout(), Instant{3s} + Instant{4500ms});  // x1.5
  m.handle_opening(4s);
  m.handle_ready({}, 4s);
  while (m.poll_action()) {}
  m.handle_message(auth_reply(0, 5), 4s);
  m.handle_message(monmap(1), 4s);
  m.handle_timeout(*m.poll_timeout());  // authenticated: keepalive
  a = m.poll_action();
  ASSERT_TRUE(a && std::holds_alternative<mon_act::SendKeepalive>(*a));
  Instant t = *m.poll_timeout();
  for (int i = 0; i < 3; ++i) {  // no ack: after 30 s, reopen
    m.handle_timeout(t);
    a = m.poll_action();
    ASSERT_TRUE(a);
    t = *m.poll_timeout();
  }
  EXPECT_TRUE(std::holds_alternative<mon_act::Reopen>(*a));
}

TEST(MonClient, AuthFailureReopens) {
  MonClient m(cfg_v1(), Instant{});
  m.handle_opening(Instant{});
  m.handle_ready({}, Instant{});
  while (m.poll_action()) {}
  m.handle_message(auth_reply(-13, 0), Instant{});
  auto e = m.poll_event();
  ASSERT_TRUE(e && std::holds_alternative<mon_ev::AuthFailed>(*e));
  auto a = m.poll_action();
  ASSERT_TRUE(a && std::holds_alternative<mon_act::Reopen>(*a));
}

TEST(OsdMapTracker, IgnoresOldEpochsOtherClustersAndReportsGaps) {
  const Recording r = load("v1-watch-notify-basic", 1);
  codec::msgr1::ConnectionDecoder dec;
  dec.feed(codec::Dir::kClientToServer, r.c2s);
  dec.feed(codec::Dir::kServerToClient, r.s2c);
  std::optional<codec::msgr1::Item> keep;
  std::optional<codec::MOSDMap> m;
  while (auto it = dec.poll()) {
    if (it->message() && it->message()->type == codec::MOSDMap::kType) {
      keep = std::move(*it);
      m = *codec::MOSDMap::decode(*keep->message());
    }
  }
  ASSERT_TRUE(m);
  OsdMapTracker t;
  auto u = t.handle(*m);
  EXPECT_TRUE(u.changed);
  EXPECT_EQ(u.to, 9u);
  ASSERT_EQ(u.epochs.size(), 1u);  // the first full map is the one epoch reached
  EXPECT_EQ(u.epochs.back(), t.map());
  // Placements carry the PG's interval (lingers are resent when it changes).
  client::ObjectId obj;
  obj.pool = 1;
  obj.name = "anything";
  const client::Target target = t.placement()(obj);
  EXPECT_EQ(target.epoch, 9u);
  EXPECT_GE(target.osd, 0);
  EXPECT_FALSE(target.acting.empty());
  EXPECT_EQ(target.acting.front(), target.osd);
  EXPECT_GT(target.pg_num, 0u);
  EXPECT_GT(target.size, 0);
  const auto again = t.handle(*m);  // same epoch again
  EXPECT_FALSE(again.changed);
  EXPECT_TRUE(again.epochs.empty());
  codec::MOSDMap other = *m;
  other.fsid.bytes[0] ^= 1;
  EXPECT_FALSE(t.handle(other).error.empty());
  codec::MOSDMap gap = *m;
  gap.maps.clear();
  gap.incremental_maps.clear();
  gap.maps[12] = m->maps.begin()->second;  // epoch 12 labelled, 10 and 11 missing
  gap.newest_map = 12;
  u = t.handle(gap);
  EXPECT_TRUE(u.gap);
  EXPECT_FALSE(u.changed);
  EXPECT_EQ(t.epoch(), 9u);
}

}  // namespace
}  // namespace cephwire::net
