#include "net/out_message_queue.h"

#include <gtest/gtest.h>

namespace cephwire::net {
namespace {

OutMessage make(uint64_t tid, size_t front, size_t middle, size_t data) {
  OutMessage m;
  m.parts.type = 42;
  m.parts.version = 8;
  m.parts.compat_version = 3;
  m.parts.priority = 63;
  m.parts.seq = tid * 3;
  m.parts.tid = tid;
  m.parts.data_off = static_cast<uint16_t>(tid);
  m.parts.src = {codec::entity_name_t::kTypeClient, -1};
  m.parts.front = codec::Bytes(std::vector<uint8_t>(front, static_cast<uint8_t>(tid)));
  m.parts.middle = codec::Bytes(std::vector<uint8_t>(middle, 0xa5));
  m.parts.data = codec::Bytes(std::vector<uint8_t>(data, static_cast<uint8_t>(tid + 1)));
  m.osd_op = 0x220f;
  m.watch_op = 7;
  return m;
}

void expect_same(const OutMessage& a, const OutMessage& b) {
  EXPECT_EQ(a.parts.type, b.parts.type);
  EXPECT_EQ(a.parts.version, b.parts.version);
  EXPECT_EQ(a.parts.compat_version, b.parts.compat_version);
  EXPECT_EQ(a.parts.priority, b.parts.priority);
  EXPECT_EQ(a.parts.seq, b.parts.seq);
  EXPECT_EQ(a.parts.tid, b.parts.tid);
  EXPECT_EQ(a.parts.data_off, b.parts.data_off);
  EXPECT_EQ(a.parts.src, b.parts.src);
  EXPECT_EQ(a.parts.front, b.parts.front);
  EXPECT_EQ(a.parts.middle, b.parts.middle);
  EXPECT_EQ(a.parts.data, b.parts.data);
  EXPECT_EQ(a.osd_op, b.osd_op);
  EXPECT_EQ(a.watch_op, b.watch_op);
}

TEST(OutMessageQueue, KeepsOrderAndEveryField) {
  OutMessageQueue q;
  EXPECT_TRUE(q.empty());
  std::vector<OutMessage> in;
  for (uint64_t i = 1; i <= 50; ++i) in.push_back(make(i, i * 7 % 300, i % 3 ? 0 : 5, i % 4 ? 0 : i));
  for (const auto& m : in) q.push(m);
  EXPECT_EQ(q.size(), in.size());
  for (const auto& m : in) {
    ASSERT_FALSE(q.empty());
    const OutMessage out = q.pop();
    expect_same(out, m);
    // Owned: valid after the queue moves on.
    EXPECT_TRUE(out.parts.front.empty() || out.parts.front.data() != nullptr);
  }
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(OutMessageQueue, PoppedBytesOutliveTheQueueBuffer) {
  OutMessageQueue q;
  q.push(make(1, 100, 0, 0));
  q.push(make(2, 100, 0, 0));
  OutMessage first = q.pop();
  for (uint64_t i = 3; i < 2000; ++i) q.push(make(i, 100, 0, 0));  // the buffer reallocates
  EXPECT_EQ(first.parts.front, make(1, 100, 0, 0).parts.front);
  expect_same(q.pop(), make(2, 100, 0, 0));
}

TEST(OutMessageQueue, InterleavedPushAndPop) {
  OutMessageQueue q;
  uint64_t next_in = 1, next_out = 1;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < round % 7 + 1; ++i) q.push(make(next_in++, 20 + round, 0, round));
    for (int i = 0; i < round % 5 + 1 && !q.empty(); ++i) {
      const OutMessage m = q.pop();
      EXPECT_EQ(m.parts.tid, next_out++);
    }
  }
  while (!q.empty()) EXPECT_EQ(q.pop().parts.tid, next_out++);
  EXPECT_EQ(next_in, next_out);
}

TEST(OutMessageQueue, ClearDropsEverything) {
  OutMessageQueue q;
  for (uint64_t i = 1; i < 10; ++i) q.push(make(i, 10, 0, 0));
  EXPECT_GT(q.bytes(), 90u);
  q.clear();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
  q.push(make(77, 3, 0, 0));
  EXPECT_EQ(q.pop().parts.tid, 77u);
}

}  // namespace
}  // namespace cephwire::net
