#include "codec/fifo.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <random>

namespace cephwire::codec {
namespace {

TEST(Fifo, KeepsOrderAcrossCompactionsAndDrains) {
  // Against std::deque under a random mix of pushes and pops, including long runs where the
  // queue never empties (so popped slots are reclaimed by compaction, not by a drain).
  Fifo<std::unique_ptr<int>> f;
  std::deque<int> ref;
  std::mt19937 rng(7);
  int next = 0;
  for (int step = 0; step < 200000; ++step) {
    const bool push = ref.empty() || rng() % 100 < (step < 100000 ? 55 : 45);
    if (push) {
      f.push_back(std::make_unique<int>(next));
      ref.push_back(next++);
    } else {
      ASSERT_FALSE(f.empty());
      ASSERT_EQ(*f.front(), ref.front());
      if (rng() % 2) {
        EXPECT_EQ(*f.take_front(), ref.front());
      } else {
        f.pop_front();
      }
      ref.pop_front();
    }
    ASSERT_EQ(f.size(), ref.size());
  }
  size_t i = 0;
  for (const auto& p : f) EXPECT_EQ(*p, ref[i++]);
  EXPECT_EQ(i, ref.size());
}

TEST(Fifo, StorageIsReusedAfterDrain) {
  Fifo<int> f;
  for (int i = 0; i < 100; ++i) f.push_back(i);
  const int* first = &f.front();
  while (!f.empty()) f.pop_front();
  f.push_back(7);
  EXPECT_EQ(&f.front(), first);  // same slot: no new storage
  EXPECT_EQ(f.size(), 1u);
}

TEST(Fifo, ANeverEmptyQueueStaysBounded) {
  // One element always waiting: without compaction the vector would grow by one per push.
  Fifo<int> f;
  f.push_back(0);
  for (int i = 1; i < 100000; ++i) {
    f.push_back(i);
    EXPECT_EQ(f.take_front(), i - 1);
  }
  EXPECT_EQ(f.size(), 1u);
  EXPECT_LE(f.slots(), 66u);  // popped slots reclaimed once they are over half
}

}  // namespace
}  // namespace cephwire::codec
