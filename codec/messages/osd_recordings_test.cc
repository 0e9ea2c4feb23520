// Real MOSDOp / MOSDOpReply / MWatchNotify segments from corpus/streams (librados 16.2.15
// against a Pacific OSD over msgr v1; see testdata/OSD.md): each decodes to exactly the
// values the recordings' manifests list in wire.messages (and the driver saw), re-encodes byte
// for byte, and every truncation of it is a typed error.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "codec/messages/MOSDOp.h"
#include "codec/messages/MOSDOpReply.h"
#include "codec/messages/MWatchNotify.h"
#include "codec/messages/osd_test_util.h"

namespace cephwire::codec {
namespace {

using osdtest::expect_every_data_truncation_fails;
using osdtest::expect_every_front_truncation_fails;
using osdtest::expect_message_round_trip;
using osdtest::make_parts;
using osdtest::read_testdata;

constexpr uint64_t kFeatures = 4540138314316775423ULL;  // manifest "features"
constexpr uint32_t kFlagsWrite = 4194340;               // ondisk+write+known_if_redirected
constexpr uint32_t kFlagsRead = 4194324;                // ondisk+read+known_if_redirected
constexpr uint64_t kNotifyId = 38654705664ULL;          // every recording's notify id

// One recorded message: segments loaded from testdata, header fields from the stream. The
// decoded messages hold views into these buffers, so they live for the whole test program.
struct Recorded {
  std::vector<uint8_t> front, data;
  MessageParts parts;
};
const Recorded& load(const std::string& name, uint16_t type, uint16_t version, uint16_t compat) {
  static std::map<std::string, std::unique_ptr<Recorded>> cache;
  auto& slot = cache[name];
  if (!slot) {
    slot = std::make_unique<Recorded>();
    slot->front = read_testdata(name + ".front");
    slot->data = read_testdata(name + ".data");
    slot->parts = make_parts(type, version, compat, slot->front, slot->data);
  }
  return *slot;
}

MOSDOp op_msg(const std::string& name) {
  const Recorded& r = load(name, 42, 8, 3);
  auto m = expect_message_round_trip<MOSDOp>(r.parts);
  expect_every_front_truncation_fails<MOSDOp>(r.parts);
  expect_every_data_truncation_fails<MOSDOp>(r.parts);
  // The sender's encode into a reused front buffer (left holding other bytes) is the same.
  static std::vector<uint8_t> reused(300, 0xee);
  MessageParts p;
  m.encode(p, reused);
  EXPECT_TRUE(p.front.is_view());
  EXPECT_EQ(reused, r.front) << name;
  return m;
}
MOSDOpReply reply_msg(const std::string& name) {
  const Recorded& r = load(name, 43, 8, 2);
  auto m = expect_message_round_trip<MOSDOpReply>(r.parts);
  expect_every_front_truncation_fails<MOSDOpReply>(r.parts);
  expect_every_data_truncation_fails<MOSDOpReply>(r.parts);
  // Decoded into one value reused across every recorded reply (the receiver's way): nothing
  // of the previous reply survives; it re-encodes to exactly this one's bytes.
  static MOSDOpReply reused;
  auto d = MOSDOpReply::decode_into(r.parts, reused);
  EXPECT_TRUE(d.has_value()) << name;
  MessageParts p;
  reused.encode(p);
  EXPECT_EQ(std::vector<uint8_t>(p.front.span().begin(), p.front.span().end()), r.front) << name;
  EXPECT_EQ(std::vector<uint8_t>(p.data.span().begin(), p.data.span().end()), r.data) << name;
  return m;
}
MWatchNotify wn_msg(const std::string& name) {
  const Recorded& r = load(name, 44, 3, 1);
  auto m = expect_message_round_trip<MWatchNotify>(r.parts);
  expect_every_front_truncation_fails<MWatchNotify>(r.parts);
  expect_every_data_truncation_fails<MWatchNotify>(r.parts, 1);
  return m;
}

// Fields every recorded librados 16.2.15 MOSDOp v8 shares (manifest wire.messages body).
void expect_librados_v8(const MOSDOp& m, uint32_t seed, uint32_t hash, const std::string& oid,
                        uint32_t flags) {
  EXPECT_EQ(m.header_version, 8);
  EXPECT_EQ(m.pgid.pgid.pool, 1u);          // "pool"
  EXPECT_EQ(m.pgid.pgid.seed, seed);        // "pg_seed"
  EXPECT_EQ(m.pgid.to_string(), "1." + std::to_string(seed));  // "pgid"
  EXPECT_EQ(m.pgid.shard, spg_t::kNoShard);
  EXPECT_EQ(m.hash, hash);                  // "hash"
  EXPECT_EQ(m.osdmap_epoch, 9u);            // "osdmap_epoch"
  EXPECT_EQ(m.flags, flags);                // "flags"
  EXPECT_EQ(m.reqid.name.to_string(), "0.0");  // "reqid"
  EXPECT_EQ(m.reqid.tid, 0u);
  EXPECT_EQ(m.reqid.inc, 0);
  EXPECT_TRUE(m.trace.empty());
  EXPECT_EQ(m.client_inc, 0u);              // "client_inc"
  EXPECT_EQ(m.oloc.pool, 1);                // "locator_pool"
  EXPECT_EQ(m.oloc.key, "");                // "key"
  EXPECT_EQ(m.oloc.nspace, "");             // "namespace"
  EXPECT_EQ(m.oloc.hash, -1);
  EXPECT_EQ(m.oid, oid);                    // "oid"
  EXPECT_EQ(m.snapid, 18446744073709551614ULL);  // "snapid"
  EXPECT_EQ(m.snap_seq, 0u);                // "snap_seq"
  EXPECT_TRUE(m.snaps.empty());
  EXPECT_EQ(m.retry_attempt, 0);            // "retry_attempt"
  EXPECT_EQ(m.features, kFeatures);         // "features"
  ASSERT_EQ(m.ops.size(), 1u);
}

// Fields every recorded MOSDOpReply v8 shares.
void expect_pacific_reply(const MOSDOpReply& m, const std::string& oid, uint32_t seed,
                          int64_t flags, uint16_t code) {
  EXPECT_EQ(m.header_version, 8);
  EXPECT_EQ(m.oid, oid);                           // "oid"
  EXPECT_EQ(m.pgid.to_string(), "1." + std::to_string(seed));  // "pgid"
  EXPECT_EQ(m.flags, flags);                       // "flags"
  EXPECT_EQ(m.result, 0);                          // "result"
  EXPECT_EQ(m.osdmap_epoch, 9u);                   // "osdmap_epoch"
  EXPECT_EQ(m.retry_attempt, 0);                   // "retry_attempt"
  EXPECT_EQ(m.user_version, 1u);                   // "user_version"
  EXPECT_FALSE(m.do_redirect);
  EXPECT_TRUE(m.trace.empty());
  ASSERT_EQ(m.ops.size(), 1u);
  EXPECT_EQ(m.ops[0].op.op, code);                 // ops[0].code
  EXPECT_EQ(m.ops[0].rval, 0);                     // ops[0].rval
}

// v1-notify-timeout frame 157: rados_write_full of 34 bytes.
TEST(Recorded, WriteFull) {
  auto m = op_msg("mosdop_writefull_v8");
  expect_librados_v8(m, 1, 4072382817u, "cephwire-timeout", kFlagsWrite);
  const auto& op = m.ops[0];
  EXPECT_EQ(op.op.op, osd_op::kWriteFull);  // "writefull", 8706
  EXPECT_EQ(op.op.op, 8706);
  EXPECT_EQ(op.op.payload_len, 34u);
  EXPECT_EQ(op.op.extent().offset, 0u);
  EXPECT_EQ(op.op.extent().length, 34u);
  EXPECT_EQ(op.indata.str(), "cephwire watch/notify test object\n");  // step data.hex
  EXPECT_NE(m.mtime.sec, 0u);  // a write carries its mtime
}

// v1-notify-timeout frame 174 (watch) and 215 (unwatch) of w-ack; v1-list-watchers frame 190
// (watch3 with a 45 s timeout).
TEST(Recorded, WatchUnwatch) {
  auto w = op_msg("mosdop_watch_v8");
  expect_librados_v8(w, 1, 4072382817u, "cephwire-timeout", kFlagsWrite);
  EXPECT_EQ(w.ops[0].op.op, 8719);
  auto wv = std::get<ceph_osd_op::watch_t>(w.ops[0].op.view());
  EXPECT_EQ(wv.cookie, 93900685762448ULL);  // watches[w-ack].cookie
  EXPECT_EQ(wv.op, watch_op::kWatch);       // "watch_op": "watch"
  EXPECT_EQ(wv.gen, 0u);
  EXPECT_EQ(wv.timeout, 0u);                // default osd_client_watch_timeout
  EXPECT_EQ(wv.ver, 0u);
  EXPECT_TRUE(w.ops[0].indata.empty());

  auto u = op_msg("mosdop_unwatch_v8");
  expect_librados_v8(u, 1, 4072382817u, "cephwire-timeout", kFlagsWrite);
  EXPECT_EQ(u.ops[0].op.watch().cookie, 93900685762448ULL);
  EXPECT_EQ(u.ops[0].op.watch().op, watch_op::kUnwatch);  // "watch_op": "unwatch"

  auto w45 = op_msg("mosdop_watch_timeout45_v8");
  expect_librados_v8(w45, 2, 3882302362u, "cephwire-list", kFlagsWrite);
  EXPECT_EQ(w45.ops[0].op.watch().cookie, 94673545096704ULL);  // watches[w2].cookie
  EXPECT_EQ(w45.ops[0].op.watch().timeout, 45u);               // "timeout": 45
}

// v1-notify-timeout frame 194: rados_notify2 with a 3000 ms timeout.
TEST(Recorded, Notify) {
  auto m = op_msg("mosdop_notify_v8");
  expect_librados_v8(m, 1, 4072382817u, "cephwire-timeout", kFlagsRead);
  EXPECT_EQ(m.ops[0].op.op, 4614);
  EXPECT_EQ(m.ops[0].op.notify().cookie, 93900685825536ULL);  // "cookie"
  EXPECT_EQ(m.ops[0].op.payload_len, 33u);
  auto in = m.op_input(0);
  ASSERT_TRUE(in) << in.error().to_string();
  const auto& n = std::get<notify_indata_t>(*in);
  EXPECT_EQ(n.prot_ver, 1u);                          // "prot_ver"
  EXPECT_EQ(n.timeout, 3u);                           // "timeout_s"
  EXPECT_EQ(n.payload.str(), "notify that times out");  // "notify_payload"
}

// v1-notify-timeout frame 201: w-ack's rados_notify_ack with an 11-byte reply.
TEST(Recorded, NotifyAck) {
  auto m = op_msg("mosdop_notify_ack_v8");
  expect_librados_v8(m, 1, 4072382817u, "cephwire-timeout", kFlagsRead);
  EXPECT_EQ(m.ops[0].op.op, 4615);
  EXPECT_EQ(m.ops[0].op.payload_len, 31u);
  auto in = m.op_input(0);
  ASSERT_TRUE(in) << in.error().to_string();
  const auto& a = std::get<notify_ack_indata_t>(*in);
  EXPECT_FALSE(a.legacy);
  EXPECT_EQ(a.notify_id, kNotifyId);           // "notify_id"
  EXPECT_EQ(a.cookie, 93900685762448ULL);      // "ack_cookie"
  EXPECT_TRUE(a.has_reply);
  EXPECT_EQ(a.reply.str(), "ack: got it");     // "reply_payload"
}

// v1-list-watchers frame 194: IoCtx::list_watchers, and its three replies (2, 1, 0 watchers).
TEST(Recorded, ListWatchers) {
  auto m = op_msg("mosdop_list_watchers_v8");
  expect_librados_v8(m, 2, 3882302362u, "cephwire-list", kFlagsRead);
  EXPECT_EQ(m.ops[0].op.op, 4617);
  EXPECT_EQ(m.ops[0].op.payload_len, 0u);

  auto r2 = reply_msg("mosdopreply_list_watchers_2_v8");
  expect_pacific_reply(r2, "cephwire-list", 2, 4194325, 4617);
  EXPECT_EQ(r2.ops[0].op.payload_len, 134u);  // data_len 134
  auto out = r2.op_output(0);
  ASSERT_TRUE(out) << out.error().to_string();
  const auto& l = std::get<obj_list_watch_response_t>(*out);
  ASSERT_EQ(l.entries.size(), 2u);
  // steps[7].watchers
  EXPECT_EQ(l.entries[0].name.to_string(), "client.4135");
  EXPECT_EQ(l.entries[0].cookie, 94673545057744ULL);
  EXPECT_EQ(l.entries[0].timeout_seconds, 30u);
  EXPECT_FALSE(l.entries[0].addr.legacy);  // addr2 (the client has MSG_ADDR2)
  EXPECT_EQ(l.entries[0].addr.ip_string() + ":" + std::to_string(l.entries[0].addr.port()) +
                "/" + std::to_string(l.entries[0].addr.nonce),
            "127.0.0.1:0/505401788");
  EXPECT_EQ(l.entries[1].name.to_string(), "client.4137");
  EXPECT_EQ(l.entries[1].cookie, 94673545096704ULL);
  EXPECT_EQ(l.entries[1].timeout_seconds, 45u);
  EXPECT_EQ(l.entries[1].addr.nonce, 3932737584u);

  auto r1 = reply_msg("mosdopreply_list_watchers_1_v8");
  expect_pacific_reply(r1, "cephwire-list", 2, 4194325, 4617);
  out = r1.op_output(0);
  ASSERT_TRUE(out);
  ASSERT_EQ(std::get<obj_list_watch_response_t>(*out).entries.size(), 1u);
  EXPECT_EQ(std::get<obj_list_watch_response_t>(*out).entries[0].cookie, 94673545096704ULL);

  auto r0 = reply_msg("mosdopreply_list_watchers_0_v8");
  expect_pacific_reply(r0, "cephwire-list", 2, 4194325, 4617);
  out = r0.op_output(0);
  ASSERT_TRUE(out);
  EXPECT_TRUE(std::get<obj_list_watch_response_t>(*out).entries.empty());
}

// v1-notify-timeout frames 159, 176, 198, 202: the replies to write_full, watch, notify and
// notify_ack.
TEST(Recorded, Replies) {
  auto wf = reply_msg("mosdopreply_writefull_v8");
  expect_pacific_reply(wf, "cephwire-timeout", 1, 4194341, 8706);
  EXPECT_EQ(wf.ops[0].op.extent().length, 34u);  // "length": 34
  EXPECT_EQ(wf.ops[0].op.payload_len, 0u);       // data_len 0: no outdata for a write
  EXPECT_EQ(wf.replay_version.version, 1u);
  EXPECT_EQ(wf.replay_version.epoch, 9u);

  auto w = reply_msg("mosdopreply_watch_v8");
  expect_pacific_reply(w, "cephwire-timeout", 1, 4194341, 8719);
  EXPECT_EQ(w.ops[0].op.watch().cookie, 93900685762448ULL);
  EXPECT_EQ(w.ops[0].op.watch().op, watch_op::kWatch);
  // A watch updates the PG log (replay_version) but not the object's user_version.
  EXPECT_EQ(w.replay_version.version, 2u);
  EXPECT_EQ(w.bad_replay_version.version, 1u);

  auto n = reply_msg("mosdopreply_notify_v8");
  expect_pacific_reply(n, "cephwire-timeout", 1, 4194325, 4614);
  EXPECT_EQ(n.ops[0].op.notify().cookie, 93900685825536ULL);
  auto out = n.op_output(0);
  ASSERT_TRUE(out) << out.error().to_string();
  EXPECT_EQ(std::get<notify_outdata_t>(*out).notify_id, kNotifyId);  // callbacks[].notify_id

  auto a = reply_msg("mosdopreply_notify_ack_v8");
  expect_pacific_reply(a, "cephwire-timeout", 1, 4194325, 4615);
  EXPECT_TRUE(a.ops[0].outdata.empty());
}

// MWatchNotify NOTIFY: v1-notify-timeout frame 195 (w-ack) and v1-watch-notify-basic frame 128.
TEST(Recorded, WatchNotifyNotify) {
  auto m = wn_msg("mwatchnotify_notify_v3");
  EXPECT_EQ(m.opcode, watch_event::kNotify);        // "opcode": "notify"
  EXPECT_EQ(m.cookie, 93900685762448ULL);           // "cookie"
  EXPECT_EQ(m.ver, 1u);                             // "ver"
  EXPECT_EQ(m.notify_id, kNotifyId);                // "notify_id"
  EXPECT_EQ(m.bl.str(), "notify that times out");   // "payload"
  EXPECT_EQ(m.return_code, 0);                      // "return_code"
  EXPECT_EQ(m.notifier_gid, 4133u);                 // "notifier_gid"
  EXPECT_FALSE(m.completion);

  auto b = wn_msg("mwatchnotify_notify_basic_v3");
  EXPECT_EQ(b.cookie, 94700651173376ULL);
  EXPECT_EQ(b.bl.str(), "hello watchers");
  EXPECT_EQ(b.notifier_gid, 4133u);
}

// NOTIFY_COMPLETE after a timeout (v1-notify-timeout frame 213) and after every watcher acked
// (v1-watch-notify-basic frame 133).
TEST(Recorded, WatchNotifyComplete) {
  auto t = wn_msg("mwatchnotify_notify_complete_timeout_v3");
  EXPECT_EQ(t.opcode, watch_event::kNotifyComplete);  // "notify_complete"
  EXPECT_EQ(t.cookie, 93900685825536ULL);  // the notifier's cookie
  EXPECT_EQ(t.ver, 1u);
  EXPECT_EQ(t.notify_id, kNotifyId);
  EXPECT_TRUE(t.bl.empty());
  EXPECT_EQ(t.return_code, -110);  // -ETIMEDOUT
  EXPECT_EQ(t.notifier_gid, 4133u);
  ASSERT_TRUE(t.completion);
  ASSERT_EQ(t.completion->acks.size(), 1u);
  EXPECT_EQ(t.completion->acks.begin()->first,
            (notify_completion_t::Key{4135, 93900685762448ULL}));  // reply.acks[0]
  EXPECT_EQ(t.completion->acks.begin()->second.str(), "ack: got it");
  ASSERT_EQ(t.completion->timeouts.size(), 1u);
  EXPECT_EQ(t.completion->timeouts[0],
            (notify_completion_t::Key{4137, 93900685801840ULL}));  // reply.timeouts[0]

  auto c = wn_msg("mwatchnotify_notify_complete_v3");
  EXPECT_EQ(c.cookie, 94700651213744ULL);
  EXPECT_EQ(c.return_code, 0);
  ASSERT_TRUE(c.completion);
  ASSERT_EQ(c.completion->acks.size(), 1u);
  EXPECT_EQ(c.completion->acks.begin()->first,
            (notify_completion_t::Key{4135, 94700651173376ULL}));
  EXPECT_EQ(c.completion->acks.begin()->second.str(), "ack from watcher");
  EXPECT_TRUE(c.completion->timeouts.empty());
}

}  // namespace
}  // namespace cephwire::codec
