// MWatchNotify v1..v3 built field by field from src/messages/MWatchNotify.h, with the
// NOTIFY_COMPLETE data segment of src/osd/Watch.cc Notify::maybe_complete_notify.
#include "codec/messages/MWatchNotify.h"

#include <gtest/gtest.h>

#include "codec/messages/osd_test_util.h"

namespace cephwire::codec {
namespace {

using osdtest::expect_every_data_truncation_fails;
using osdtest::expect_every_front_truncation_fails;
using osdtest::expect_front_trailing_byte_fails;
using osdtest::expect_message_round_trip;
using osdtest::LE;
using osdtest::make_parts;

std::vector<uint8_t> front(uint16_t v, uint8_t opcode, std::string_view bl, int32_t rc = 0,
                           uint8_t msg_ver = 1) {
  LE b;
  b.u8(msg_ver).u8(opcode).u64(94700651173376ULL).u64(1).u64(38654705664ULL);
  if (msg_ver >= 1) b.str(bl);
  if (v >= 2) b.s32(rc);
  if (v >= 3) b.u64(4133);
  return b.take();
}

TEST(MWatchNotify, NotifyV3) {
  auto f = front(3, watch_event::kNotify, "hello watchers");
  ASSERT_EQ(f.size(), 56u);  // the size of the recorded NOTIFY front
  auto p = make_parts(44, 3, 1, f);
  auto m = expect_message_round_trip<MWatchNotify>(p);
  EXPECT_EQ(m.msg_ver, 1);
  EXPECT_EQ(m.opcode, watch_event::kNotify);
  EXPECT_EQ(m.cookie, 94700651173376ULL);
  EXPECT_EQ(m.ver, 1u);
  EXPECT_EQ(m.notify_id, 38654705664ULL);
  EXPECT_EQ(m.bl.str(), "hello watchers");
  EXPECT_EQ(m.return_code, 0);
  EXPECT_EQ(m.notifier_gid, 4133u);
  EXPECT_FALSE(m.completion);
  EXPECT_EQ(to_json(m),
            R"({"type":"MWatchNotify","header_version":3,"msg_ver":1,"opcode":"notify",)"
            R"("cookie":94700651173376,"ver":1,"notify_id":38654705664,)"
            R"("payload":"68656c6c6f207761746368657273","return_code":0,"notifier_gid":4133})");
  expect_every_front_truncation_fails<MWatchNotify>(p);
  expect_front_trailing_byte_fails<MWatchNotify>(p);
  // Only NOTIFY_COMPLETE carries data.
  auto junk = LE().u32(0).u32(0).take();
  auto r = MWatchNotify::decode(make_parts(44, 3, 1, f, junk));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
  EXPECT_EQ(r.error().field, "MWatchNotify.data");
}

TEST(MWatchNotify, OlderVersions) {
  for (uint16_t v : {0, 1, 2}) {
    SCOPED_TRACE("version " + std::to_string(v));
    auto f = front(v, watch_event::kDisconnect, "", -107);
    auto p = make_parts(44, v, v < 1 ? v : 1, f);
    auto m = expect_message_round_trip<MWatchNotify>(p);
    EXPECT_EQ(m.return_code, v >= 2 ? -107 : 0);
    EXPECT_EQ(m.notifier_gid, 0u);
    expect_every_front_truncation_fails<MWatchNotify>(p);
    expect_front_trailing_byte_fails<MWatchNotify>(p);
  }
  // msg_ver 0: no bufferlist.
  auto f = front(3, watch_event::kNotify, "", 0, 0);
  ASSERT_EQ(f.size(), 1 + 1 + 24 + 4 + 8u);
  auto p = make_parts(44, 3, 1, f);
  auto m = expect_message_round_trip<MWatchNotify>(p);
  EXPECT_EQ(m.msg_ver, 0);
  expect_every_front_truncation_fails<MWatchNotify>(p);
}

TEST(MWatchNotify, NotifyCompleteCarriesTheCompletion) {
  auto f = front(3, watch_event::kNotifyComplete, "", -110);
  auto d = LE().u32(1).u64(4135).u64(93900685762448ULL).str("ack: got it")
               .u32(1).u64(4137).u64(93900685801840ULL).take();
  ASSERT_EQ(d.size(), 55u);  // the recorded timed-out NOTIFY_COMPLETE's data_len
  auto p = make_parts(44, 3, 1, f, d);
  auto m = expect_message_round_trip<MWatchNotify>(p);
  ASSERT_TRUE(m.completion);
  EXPECT_EQ(m.return_code, -110);
  ASSERT_EQ(m.completion->acks.size(), 1u);
  EXPECT_EQ(m.completion->acks.begin()->first,
            (notify_completion_t::Key{4135, 93900685762448ULL}));
  EXPECT_EQ(m.completion->acks.begin()->second.str(), "ack: got it");
  EXPECT_EQ(m.completion->timeouts,
            (std::vector<notify_completion_t::Key>{{4137, 93900685801840ULL}}));
  EXPECT_NE(to_json(m).find(R"("reply":{"acks":[{"gid":4135,)"), std::string::npos);
  expect_every_front_truncation_fails<MWatchNotify>(p);
  expect_every_data_truncation_fails<MWatchNotify>(p, /*from=*/1);
  auto longer = d;
  longer.push_back(0);
  auto r = MWatchNotify::decode(make_parts(44, 3, 1, f, longer));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
  EXPECT_EQ(r.error().field, "MWatchNotify.data");
  EXPECT_EQ(r.error().offset, 55u);
  // An empty data segment (pre-hammer OSDs) is no completion payload.
  auto e = expect_message_round_trip<MWatchNotify>(make_parts(44, 3, 1, f));
  EXPECT_FALSE(e.completion);
}

TEST(MWatchNotify, Rejects) {
  auto f = front(3, watch_event::kNotify, "x");
  auto r = MWatchNotify::decode(make_parts(44, 4, 1, f));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
  r = MWatchNotify::decode(make_parts(44, 3, 4, f));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnsupportedVersion);
  // bufferlist length beyond the front
  auto g = f;
  g[26 + 3] = 0x80;
  r = MWatchNotify::decode(make_parts(44, 3, 1, g));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
  EXPECT_EQ(r.error().field, "MWatchNotify.bl");
  EXPECT_EQ(r.error().offset, 26u);
  // A completion with acks out of order.
  auto fc = front(3, watch_event::kNotifyComplete, "");
  auto d = LE().u32(2).u64(9).u64(1).u32(0).u64(8).u64(1).u32(0).u32(0).take();
  r = MWatchNotify::decode(make_parts(44, 3, 1, fc, d));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadValue);
  EXPECT_EQ(r.error().field, "MWatchNotify.data.acks[1]");
}

TEST(MWatchNotify, EncodeFromScratch) {
  MWatchNotify m;
  m.opcode = watch_event::kNotifyComplete;
  m.cookie = 1;
  m.notify_id = 2;
  m.return_code = -110;
  m.notifier_gid = 4133;
  notify_completion_t c;
  c.acks[{4135, 7}] = Bytes::from_string("ok");
  c.timeouts.push_back({4137, 8});
  m.completion = c;
  MessageParts p;
  m.encode(p);
  EXPECT_EQ(p.type, 44);
  EXPECT_EQ(p.version, 3);
  EXPECT_EQ(p.compat_version, 1);
  EXPECT_EQ(testing::hex(p.data.span()),
            testing::hex(LE().u32(1).u64(4135).u64(7).str("ok").u32(1).u64(4137).u64(8).take()));
  auto back = MWatchNotify::decode(p);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_TRUE(*back == m);
}

}  // namespace
}  // namespace cephwire::codec
