#include "client/linger_state.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace cephwire::client {
namespace {

TEST(LingerTable, EachStateInputPairAtMostOnce) {
  std::set<std::pair<int, int>> seen;
  for (const auto& t : linger_transitions()) {
    EXPECT_TRUE(seen.insert({int(t.from), int(t.on)}).second)
        << to_string(t.from) << " + " << to_string(t.on) << " appears twice";
    EXPECT_NE(t.from, LingerState::kDone) << "Done is terminal";
  }
}

TEST(LingerTable, EveryStateReachableFromAStart) {
  std::set<LingerState> reached{LingerState::kRegistering, LingerState::kNotifySent};
  bool grew = true;
  while (grew) {
    grew = false;
    for (const auto& t : linger_transitions()) {
      if (reached.count(t.from) && reached.insert(t.to).second) grew = true;
    }
  }
  for (auto s : {LingerState::kRegistering, LingerState::kEstablished, LingerState::kReconnecting,
                 LingerState::kError, LingerState::kUnwatching, LingerState::kNotifySent,
                 LingerState::kNotifyAwaitComplete, LingerState::kNotifyAwaitReply,
                 LingerState::kDone}) {
    EXPECT_TRUE(reached.count(s)) << to_string(s) << " unreachable";
  }
}

TEST(LingerTable, EveryLiveStateCanEnd) {
  // From every state other than Done some path leads to Done (no trap states).
  for (const auto& start : linger_transitions()) {
    std::set<LingerState> seen{start.from};
    bool grew = true;
    while (grew) {
      grew = false;
      for (const auto& t : linger_transitions())
        if (seen.count(t.from) && seen.insert(t.to).second) grew = true;
    }
    EXPECT_TRUE(seen.count(LingerState::kDone)) << to_string(start.from) << " cannot reach Done";
  }
}

TEST(LingerTable, DocsAreGeneratedFromTheTable) {
  std::ifstream in("docs/linger-states.md");
  ASSERT_TRUE(in.good()) << "docs/linger-states.md missing";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), linger_states_markdown())
      << "stale: run `bazel run //client:state_diagram > docs/linger-states.md`";
}

}  // namespace
}  // namespace cephwire::client
