// MWatchNotify (CEPH_MSG_WATCH_NOTIFY): strict decode of fuzzer-built MessageParts (NOTIFY,
// NOTIFY_COMPLETE with its notify_completion_t data segment, DISCONNECT, ...), byte-exact
// re-encode, decode(encode(m)) == m, valid JSON. Structure-aware mutator: see message_fuzz.h.
#include "fuzz/osd_adapters.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return cephwire::fuzz::run_message<cephwire::fuzz::MWatchNotifyAdapter>(data, size);
}

extern "C" CEPHWIRE_HARNESS_ONLY size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size,
                                                                size_t max_size,
                                                                unsigned int seed) {
  return cephwire::fuzz::mutate_message<cephwire::fuzz::MWatchNotifyAdapter>(data, size, max_size,
                                                                             seed);
}
