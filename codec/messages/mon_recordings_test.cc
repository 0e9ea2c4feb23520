// Real fronts from corpus/recordings (testdata/README.md says which message each file is):
// every one decodes to the values the recordings' manifests state and re-encodes byte-exact,
// and every truncation of it is a typed error.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "codec/messages/mon_messages.h"
#include "codec/messages/mon_test_util.h"

namespace cephwire::codec {
namespace {

using testing::expect_every_front_truncation_fails;
using testing::expect_message_round_trip;
using testing::make_parts;
using testing::read_testdata;

std::vector<uint8_t> load(const char* name) {
  return read_testdata(std::string("codec/messages/testdata/") + name);
}

// corpus/recordings/v1-list-watchers.json: cluster.fsid, cluster.mon.addr, clients[0] (lister,
// whose long-lived mon session is stream 1).
constexpr const char* kListWatchersFsid = "a1b4b34a-ce50-4940-bb1d-37e1d8982004";
constexpr uint64_t kListerGid = 4133;
// corpus/recordings/v2-watch-notify-basic.json.
constexpr const char* kV2Fsid = "1b4aab5a-6520-4f5c-a919-18fd72ff23fb";

TEST(MonRecordings, MAuthFromClient) {
  auto front = load("17_v1.front");
  auto p = make_parts(17, 1, 1, front);
  auto m = expect_message_round_trip<MAuth>(p);
  EXPECT_EQ(m.paxos.version, 0u);
  EXPECT_EQ(m.paxos.deprecated_session_mon, -1);
  EXPECT_EQ(m.paxos.deprecated_session_mon_tid, 0u);
  EXPECT_EQ(m.protocol, kCephAuthUnknown);
  ASSERT_TRUE(m.has_monmap_epoch);
  EXPECT_EQ(m.monmap_epoch, 0u);
  auto h = m.hello();
  ASSERT_TRUE(h) << h.error().to_string();
  EXPECT_EQ(h->struct_v, 1);
  EXPECT_EQ(h->supported_methods, (std::vector<uint32_t>{kCephAuthNone}));  // auth none only
  EXPECT_EQ(h->entity_name.to_string(), "client.admin");
  EXPECT_EQ(h->global_id, 0u);  // a new session
  // MonClient's message rebuilt from the values is the recorded one.
  MessageParts out;
  MAuth::make_hello(*h, 0).encode(out);
  EXPECT_EQ(testing::hex(out.front.span()), testing::hex(front));
  // MAuth's monmap_epoch is optional: the front without it is valid.
  expect_every_front_truncation_fails<MAuth>(p, front.size() - 4);
}

TEST(MonRecordings, MAuthReplyGivesTheClientsGid) {
  auto front = load("18_v1.front");
  auto p = make_parts(18, 1, 1, front);
  auto m = expect_message_round_trip<MAuthReply>(p);
  EXPECT_EQ(m.protocol, kCephAuthNone);
  EXPECT_EQ(m.result, 0);
  EXPECT_EQ(m.global_id, kListerGid);
  EXPECT_TRUE(m.result_bl.empty());
  EXPECT_TRUE(m.result_msg.empty());
  expect_every_front_truncation_fails<MAuthReply>(p);
}

TEST(MonRecordings, MMonSubscribe) {
  auto front = load("15_v3.front");
  auto p = make_parts(15, 3, 1, front);
  auto m = expect_message_round_trip<MMonSubscribe>(p);
  ASSERT_EQ(m.what.size(), 2u);
  EXPECT_EQ(m.what.at("config").start, 0u);
  EXPECT_EQ(m.what.at("config").flags, 0);
  EXPECT_EQ(m.what.at("monmap").start, 0u);
  EXPECT_EQ(m.what.at("monmap").flags, 0);
  EXPECT_EQ(m.hostname, "vm");
  expect_every_front_truncation_fails<MMonSubscribe>(p);

  auto f2 = load("15_v3_osdmap.front");
  auto p2 = make_parts(15, 3, 1, f2);
  auto m2 = expect_message_round_trip<MMonSubscribe>(p2);
  ASSERT_EQ(m2.what.size(), 1u);
  EXPECT_EQ(m2.what.at("osdmap").start, 0u);  // latest full map
  EXPECT_EQ(m2.what.at("osdmap").flags, kCephSubscribeOnetime);
  expect_every_front_truncation_fails<MMonSubscribe>(p2);
}

void expect_single_mon(const MonMap& mm, const char* fsid, uint32_t addr_type, uint16_t port) {
  EXPECT_EQ(mm.env.struct_v, 9);
  EXPECT_EQ(mm.env.struct_compat, 6);
  EXPECT_EQ(mm.fsid.to_string(), fsid);
  EXPECT_EQ(mm.epoch, 1u);
  EXPECT_EQ(mm.ranks, (std::vector<std::string>{"a"}));
  ASSERT_EQ(mm.mon_info.size(), 1u);
  const mon_info_t& a = mm.mon_info.at("a");
  EXPECT_EQ(a.name, "a");
  ASSERT_EQ(a.public_addrs.v.size(), 1u);
  EXPECT_EQ(a.public_addrs.v[0].type, addr_type);
  EXPECT_EQ(a.public_addrs.v[0].ip_string(), "127.0.0.1");
  EXPECT_EQ(a.public_addrs.v[0].port(), port);
  EXPECT_EQ(mm.min_mon_release, 16);  // pacific
  EXPECT_EQ(mm.strategy, 1);
  EXPECT_FALSE(mm.stretch_mode_enabled);
  EXPECT_TRUE(mm.env.unknown_tail.empty());
}

TEST(MonRecordings, MMonMapV1) {
  auto front = load("4_v1.front");
  auto p = make_parts(4, 1, 1, front);
  auto m = expect_message_round_trip<MMonMap>(p);
  // cluster.mon = {name a, addr v1:127.0.0.1:42300}
  expect_single_mon(m.monmap, kListWatchersFsid, entity_addr_t::kTypeLegacy, 42300);
  EXPECT_EQ(m.monmap.mon_info.at("a").public_addrs.to_string(), "v1:127.0.0.1:42300/0");
  expect_every_front_truncation_fails<MMonMap>(p);
  JsonWriter w;
  m.dump(w);
  EXPECT_NE(w.str().find("\"mons\":[{\"rank\":0,\"name\":\"a\",\"public_addrs\":[{\"type\":\"v1\","
                         "\"addr\":\"127.0.0.1:42300\""),
            std::string::npos)
      << w.str();
  EXPECT_NE(w.str().find(std::string("\"fsid\":\"") + kListWatchersFsid + "\""), std::string::npos);
}

TEST(MonRecordings, MMonMapMsgr2) {
  auto front = load("4_v1_msgr2.front");
  auto p = make_parts(4, 1, 1, front);
  auto m = expect_message_round_trip<MMonMap>(p);
  // cluster.mon = {name a, addr v2:127.0.0.1:42100}
  expect_single_mon(m.monmap, kV2Fsid, entity_addr_t::kTypeMsgr2, 42100);
  expect_every_front_truncation_fails<MMonMap>(p);
}

TEST(MonRecordings, MConfigEmpty) {
  auto front = load("62_v1.front");
  auto p = make_parts(62, 1, 1, front);
  auto m = expect_message_round_trip<MConfig>(p);
  EXPECT_TRUE(m.config.empty());
  expect_every_front_truncation_fails<MConfig>(p);
}

TEST(MonRecordings, MMgrMap) {
  auto front = load("1796_v1.front");
  auto p = make_parts(0x704, 1, 1, front);
  auto m = expect_message_round_trip<MMgrMap>(p);
  EXPECT_EQ(m.map.env.struct_v, 12);
  EXPECT_EQ(m.map.env.struct_compat, 6);
  EXPECT_EQ(m.map.epoch, 1u);
  EXPECT_EQ(m.map.active_gid, 0u);  // no mgr in the test cluster
  EXPECT_FALSE(m.map.available);
  EXPECT_TRUE(m.map.active_name.empty());
  EXPECT_TRUE(m.map.active_addrs.v.empty());
  // Everything after active_name is kept opaque: 495 - 6 (envelope) - 22 (decoded prefix).
  EXPECT_EQ(m.map.env.unknown_tail.size(), 467u);
  expect_every_front_truncation_fails<MMgrMap>(p);
}

TEST(MonRecordings, MOSDMapFullMap) {
  auto front = load("41_v4.front");
  auto p = make_parts(41, 4, 3, front);
  auto m = expect_message_round_trip<MOSDMap>(p);
  EXPECT_EQ(m.fsid.to_string(), kListWatchersFsid);
  EXPECT_TRUE(m.incremental_maps.empty());
  ASSERT_EQ(m.maps.size(), 1u);
  const Bytes& full = m.maps.at(9);
  EXPECT_EQ(full.size(), 1567u);
  EXPECT_EQ(m.oldest_map, 1u);
  EXPECT_EQ(m.newest_map, 9u);
  EXPECT_TRUE(m.gap_removed_snaps.empty());
  EXPECT_EQ(m.get_first(), 9u);
  EXPECT_EQ(m.get_last(), 9u);
  // The blob is an OSDMap: wrapper ENCODE_START(8, 7), client section ENCODE_START(9, 1),
  // whose first field is the same fsid and whose second is the epoch.
  ASSERT_GE(full.size(), 32u);
  EXPECT_EQ(full.data()[0], 8);
  EXPECT_EQ(full.data()[1], 7);
  EXPECT_EQ(full.data()[6], 9);
  EXPECT_EQ(full.data()[7], 1);
  uuid_d inner;
  std::memcpy(inner.bytes.data(), full.data() + 12, 16);
  EXPECT_EQ(inner, m.fsid);
  uint32_t epoch;
  std::memcpy(&epoch, full.data() + 28, 4);
  EXPECT_EQ(epoch, 9u);
  expect_every_front_truncation_fails<MOSDMap>(p);
}

TEST(MonRecordings, MMonGetMapFromMsgr2) {
  auto front = load("5_v1.front");
  EXPECT_TRUE(front.empty());
  expect_message_round_trip<MMonGetMap>(make_parts(5, 1, 1, front));
}

// corpus/recordings/v1-osd-restart.json and v1-rbd.json: cluster.fsid.
constexpr const char* kOsdRestartFsid = "df0075df-181d-45ea-b36e-bd91463cee2e";
constexpr const char* kRbdFsid = "a55f240f-7406-4c30-baff-d503f2d97cf1";

TEST(MonRecordings, MMonGetVersionAndReply) {
  auto f = load("19_v1.front");
  auto p = make_parts(19, 1, 1, f);
  auto m = expect_message_round_trip<MMonGetVersion>(p);
  EXPECT_EQ(m.handle, 1u);
  EXPECT_EQ(m.what, "osdmap");
  expect_every_front_truncation_fails<MMonGetVersion>(p);

  auto g = load("20_v2.front");
  auto q = make_parts(20, 2, 2, g);
  auto r = expect_message_round_trip<MMonGetVersionReply>(q);
  EXPECT_EQ(r.handle, m.handle);  // answers the request
  EXPECT_EQ(r.version, 12u);
  EXPECT_EQ(r.oldest_version, 1u);
  expect_every_front_truncation_fails<MMonGetVersionReply>(q);
}

TEST(MonRecordings, MMonCommandAndAck) {
  auto f = load("50_v1.front");
  auto p = make_parts(50, 1, 1, f);
  auto m = expect_message_round_trip<MMonCommand>(p);
  EXPECT_EQ(m.fsid.to_string(), kOsdRestartFsid);
  ASSERT_EQ(m.cmd.size(), 1u);
  EXPECT_EQ(m.cmd[0], "{\"prefix\":\"osd dump\",\"format\":\"json\"}");
  EXPECT_TRUE(m.inbl.empty());
  expect_every_front_truncation_fails<MMonCommand>(p);

  auto g = load("51_v1.front");
  auto d = load("51_v1.data");
  auto q = make_parts(51, 1, 1, g, d);
  auto a = expect_message_round_trip<MMonCommandAck>(q);
  EXPECT_EQ(a.r, 0);
  EXPECT_TRUE(a.rs.empty());
  EXPECT_EQ(a.cmd, m.cmd);
  EXPECT_EQ(a.outbl.size(), 3631u);
  // The output is the osd dump JSON of the epoch the mon had (the Paxos version it reports).
  std::string out(a.outbl.str());
  EXPECT_EQ(out.rfind("{\"epoch\":" + std::to_string(a.paxos.version) + ",", 0), 0u) << out.substr(0, 40);
  EXPECT_NE(out.find(kOsdRestartFsid), std::string::npos);
  expect_every_front_truncation_fails<MMonCommandAck>(q);
}

TEST(MonRecordings, MPoolOpSelfManagedSnaps) {
  auto f = load("49_v4.front");
  auto p = make_parts(49, 4, 2, f);
  auto m = expect_message_round_trip<MPoolOp>(p);
  EXPECT_EQ(m.fsid.to_string(), kRbdFsid);
  EXPECT_EQ(m.pool, 1u);
  EXPECT_EQ(m.op, kPoolOpCreateUnmanagedSnap);
  EXPECT_EQ(m.snapid, 0u);
  EXPECT_TRUE(m.name.empty());
  EXPECT_EQ(m.crush_rule, 0);
  expect_every_front_truncation_fails<MPoolOp>(p);

  // Decoded Bytes are views: keep every loaded front alive while its message is used.
  auto reply_front = load("48_v1.front");
  auto r = expect_message_round_trip<MPoolOpReply>(make_parts(48, 1, 1, reply_front));
  EXPECT_EQ(r.fsid.to_string(), kRbdFsid);
  EXPECT_EQ(r.reply_code, 0u);
  EXPECT_EQ(r.epoch, 10u);
  ASSERT_TRUE(r.has_response_data);
  ASSERT_EQ(r.response_data.size(), 8u);
  uint64_t snapid;
  std::memcpy(&snapid, r.response_data.data(), 8);
  EXPECT_EQ(snapid, 2u);  // the new self-managed snap id ...

  auto del_front = load("49_v4_delete.front");
  auto del = expect_message_round_trip<MPoolOp>(make_parts(49, 4, 2, del_front));
  EXPECT_EQ(del.op, kPoolOpDeleteUnmanagedSnap);
  EXPECT_EQ(del.snapid, snapid);  // ... is the one deleted later
  auto nodata_front = load("48_v1_nodata.front");
  auto r2 = expect_message_round_trip<MPoolOpReply>(make_parts(48, 1, 1, nodata_front));
  EXPECT_FALSE(r2.has_response_data);
  EXPECT_EQ(r2.epoch, 11u);
  expect_every_front_truncation_fails<MPoolOpReply>(make_parts(48, 1, 1, reply_front));
}

TEST(MonRecordings, MPing) {
  auto f = load("2_v1.front");
  EXPECT_TRUE(f.empty());
  expect_message_round_trip<MPing>(make_parts(2, 1, 1, f));
}

TEST(MonRecordings, DispatcherTypesEveryRecordedMonMessage) {
  struct Case {
    const char* file;
    uint16_t type, version, compat;
    size_t index;
  } cases[] = {
      {"17_v1.front", 17, 1, 1, 0},     {"18_v1.front", 18, 1, 1, 1},
      {"15_v3.front", 15, 3, 1, 2},     {"15_v3_osdmap.front", 15, 3, 1, 2},
      {"4_v1.front", 4, 1, 1, 4},       {"4_v1_msgr2.front", 4, 1, 1, 4},
      {"62_v1.front", 62, 1, 1, 6},     {"1796_v1.front", 0x704, 1, 1, 7},
      {"41_v4.front", 41, 4, 3, 5},     {"5_v1.front", 5, 1, 1, 10},
      {"19_v1.front", 19, 1, 1, 8},     {"20_v2.front", 20, 2, 2, 9},
      {"50_v1.front", 50, 1, 1, 11},    {"49_v4.front", 49, 4, 2, 13},
      {"48_v1.front", 48, 1, 1, 14},    {"2_v1.front", 2, 1, 1, 15},
  };
  for (const auto& c : cases) {
    auto front = load(c.file);
    auto p = make_parts(c.type, c.version, c.compat, front);
    auto r = decode_mon_message(p);
    ASSERT_TRUE(r) << c.file << ": " << r.error().to_string();
    EXPECT_EQ(r->index(), c.index) << c.file;
    EXPECT_FALSE(std::holds_alternative<OpaqueMessage>(*r)) << c.file;
    MessageParts out;
    encode_mon_message(*r, out);
    EXPECT_EQ(testing::hex(out.front.span()), testing::hex(front)) << c.file;
    EXPECT_EQ(out.version, c.version);
    EXPECT_EQ(out.compat_version, c.compat);
    JsonWriter w;
    dump_mon_message(*r, w);
    EXPECT_FALSE(w.str().empty());
  }
}

}  // namespace
}  // namespace cephwire::codec
