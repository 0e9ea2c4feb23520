// The sans-IO watch/notify client core (client/watch_client.h) under a fuzzer-chosen script of
// user calls, replies, notifications, resets, map changes, losses and clock jumps, starting from
// a fresh client. Properties: see client_fuzz.h.
#include "fuzz/client_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cephwire::fuzz::ClientHarness h;
  cephwire::fuzz::Reader in({data, size});
  h.run(in);
  return 0;
}
