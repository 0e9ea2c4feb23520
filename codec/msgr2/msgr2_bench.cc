// Throughput of the msgr2 framing: decode_frame / encode_message_frame on a MOSDOp-sized
// MESSAGE frame, and the ConnectionDecoder on a long stream (verify path: every crc checked).
// bazel run -c opt //codec/msgr2:msgr2_bench
#include <benchmark/benchmark.h>

#include "codec/msgr2/connection_decoder.h"
#include "codec/msgr2/test_util.h"

namespace cephwire::codec::msgr2 {
namespace {

MessageParts watch_op() {
  static const std::vector<uint8_t> front(223, 0x5a);  // a v8 MOSDOp watch front is 223 bytes
  MessageParts m;
  m.type = 42;
  m.version = 8;
  m.compat_version = 3;
  m.priority = 63;
  m.seq = 2;
  m.tid = 2;
  m.front = Bytes::view(front);
  return m;
}

void BM_EncodeMessageFrame(benchmark::State& state) {
  const MessageParts m = watch_op();
  for (auto _ : state) {
    auto f = encode_message_frame(m, 1, 3, Rev::kRev1);
    benchmark::DoNotOptimize(f.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeMessageFrame);

void BM_DecodeMessageFrame(benchmark::State& state) {
  const auto f = encode_message_frame(watch_op(), 1, 3, Rev::kRev1);
  for (auto _ : state) {
    auto d = decode_frame(f, Rev::kRev1);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(f.size()));
}
BENCHMARK(BM_DecodeMessageFrame);

// A stream of n MESSAGE frames with `data` bytes of data each, after a full handshake.
std::vector<uint8_t> stream(int n, size_t data, std::vector<uint8_t>* s2c) {
  test::SessionOptions o;
  o.messages = 0;
  auto s = test::make_session(o);
  s.c2s.resize(s.c2s_starts[5]);  // up to CLIENT_IDENT
  s.s2c.resize(s.s2c_starts[5]);
  MessageParts m = watch_op();
  std::vector<uint8_t> d(data, 0xd0);
  m.data = Bytes::view(d);
  for (int i = 0; i < n; ++i) {
    m.seq = static_cast<uint64_t>(i + 1);
    test::append(s.c2s, encode_message_frame(m, 0, 3, Rev::kRev1));
  }
  *s2c = s.s2c;
  return s.c2s;
}

void BM_ConnectionDecoder(benchmark::State& state) {
  std::vector<uint8_t> s2c;
  const auto c2s = stream(4096, static_cast<size_t>(state.range(0)), &s2c);
  int64_t msgs = 0;
  for (auto _ : state) {
    ConnectionDecoder d;
    d.feed(Dir::kServerToClient, s2c);
    for (size_t at = 0; at < c2s.size(); at += 65536) {
      d.feed(Dir::kClientToServer,
             std::span(c2s).subspan(at, std::min<size_t>(65536, c2s.size() - at)));
      while (auto it = d.poll()) msgs += it->message() != nullptr;
    }
    if (d.poll_error()) state.SkipWithError("decode error");
  }
  state.SetItemsProcessed(msgs);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(c2s.size()));
}
BENCHMARK(BM_ConnectionDecoder)->Arg(0)->Arg(4096)->Arg(65536);

}  // namespace
}  // namespace cephwire::codec::msgr2

BENCHMARK_MAIN();
