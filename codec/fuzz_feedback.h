// CEPHWIRE_NO_FUZZ_FEEDBACK: a function left out of libFuzzer's coverage feedback (clang's
// no_sanitize("coverage"): no edge counters, no trace-cmp callbacks, no features). For code
// whose branches say nothing about the behaviour under test: byte loops of the JSON writer,
// the client's invariant checker, the fuzz harnesses' own checking and mutating
// (fuzz/fuzz_util.h CEPHWIRE_HARNESS_ONLY). Code inlined into such a function loses its
// coverage too: never put it on a function that calls inline code under test. No effect
// outside clang.
#pragma once

#if defined(__clang__)
#define CEPHWIRE_NO_FUZZ_FEEDBACK __attribute__((no_sanitize("coverage")))
#else
#define CEPHWIRE_NO_FUZZ_FEEDBACK
#endif
