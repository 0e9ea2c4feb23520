// Prints docs/linger-states.md from the transition table in linger_state.cc:
//   bazel run //client:state_diagram > docs/linger-states.md
#include <cstdio>

#include "client/linger_state.h"

int main() {
  const std::string out = cephwire::client::linger_states_markdown();
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
