// CRC-32C and messenger framing throughput:
//   bazel run -c opt //codec:crc_frames_benchmark
// (message bodies: //codec/messages:codec_benchmark). CRC over 4 KiB and 1 MiB buffers; a
// watch-sized MOSDOp (223-byte front) framed as msgr v1 (header + footer CRCs) and as msgr2.1
// crc mode (preamble, segment and epilogue CRCs), decoded with every CRC checked and encoded.
#include <benchmark/benchmark.h>

#include <vector>

#include "codec/crc32c.h"
#include "codec/msgr1/message_frame.h"
#include "codec/msgr2/frames_v2.h"

namespace cephwire::codec {
namespace {

void BM_Crc32c(benchmark::State& st) {
  std::vector<uint8_t> buf(static_cast<size_t>(st.range(0)), 0x5a);
  uint32_t crc = 0;
  for (auto _ : st) {
    crc = ceph_crc32c(crc, buf.data(), buf.size());
    benchmark::DoNotOptimize(crc);
  }
  st.SetBytesProcessed(int64_t(st.iterations()) * st.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(4096)->Arg(1 << 20);

MessageParts watch_parts(std::vector<uint8_t>& front) {
  front.assign(223, 0x11);
  MessageParts p;
  p.type = 42;
  p.version = 8;
  p.compat_version = 3;
  p.priority = 127;
  p.seq = 1;
  p.tid = 1;
  p.src = entity_name_t{entity_name_t::kTypeClient, 4135};
  p.front = Bytes::view(front);
  return p;
}

void BM_Msgr1FrameDecode(benchmark::State& st) {
  std::vector<uint8_t> front;
  auto wire = msgr1::encode_message(watch_parts(front), {entity_name_t::kTypeClient, 4135}, true);
  for (auto _ : st) {
    auto r = msgr1::decode_message_frame(wire, {});
    benchmark::DoNotOptimize(r);
  }
  st.SetItemsProcessed(st.iterations());
  st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(wire.size()));
}
BENCHMARK(BM_Msgr1FrameDecode);

void BM_Msgr1FrameEncode(benchmark::State& st) {
  std::vector<uint8_t> front;
  auto p = watch_parts(front);
  for (auto _ : st) {
    auto w = msgr1::encode_message(p, p.src, true);
    benchmark::DoNotOptimize(w);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_Msgr1FrameEncode);

void BM_Msgr2FrameDecode(benchmark::State& st) {
  std::vector<uint8_t> front;
  auto wire = msgr2::encode_message_frame(watch_parts(front), 0, 3, msgr2::Rev::kRev1);
  for (auto _ : st) {
    auto r = msgr2::decode_frame(wire, msgr2::Rev::kRev1, true);
    benchmark::DoNotOptimize(r);
  }
  st.SetItemsProcessed(st.iterations());
  st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(wire.size()));
}
BENCHMARK(BM_Msgr2FrameDecode);

void BM_Msgr2FrameEncode(benchmark::State& st) {
  std::vector<uint8_t> front;
  auto p = watch_parts(front);
  for (auto _ : st) {
    auto w = msgr2::encode_message_frame(p, 0, 3, msgr2::Rev::kRev1);
    benchmark::DoNotOptimize(w);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_Msgr2FrameEncode);

}  // namespace
}  // namespace cephwire::codec
