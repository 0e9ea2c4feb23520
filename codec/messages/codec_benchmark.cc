// Decode / encode throughput of the watch/notify messages (MessageParts level: no framing).
//   bazel run -c opt //codec/messages:codec_benchmark
// The messages are the ones librados 16.2.15 sends (same layout and sizes as the recordings in
// corpus/): a watch MOSDOp, a notify MOSDOp, an MWatchNotify NOTIFY, and WRITE MOSDOps of
// 4 KiB and 4 MiB (whose decode must not depend on the size: the payload is a view).
#include <benchmark/benchmark.h>

#include <vector>

#include "codec/messages/MOSDOp.h"
#include "codec/messages/MWatchNotify.h"

namespace cephwire::codec {
namespace {

MOSDOp base_op(uint32_t flags) {
  MOSDOp m;
  m.pgid.pgid.pool = 1;
  m.pgid.pgid.seed = 1;
  m.hash = 0xf2bba161;
  m.osdmap_epoch = 9;
  m.flags = flags;
  m.oloc = object_locator_t::make(1);
  m.oid = "cephwire-timeout";
  m.features = 0x3f01cfbdfffdffffULL;
  return m;
}

MOSDOp watch_op() {
  MOSDOp m = base_op(osd_flag::kOnDisk | osd_flag::kWrite | osd_flag::kKnownRedir);
  m.mtime = {1795527058, 604612328};
  m.ops.emplace_back(ceph_osd_op::make_watch(93900685762448ULL, watch_op::kWatch));
  return m;
}

MOSDOp notify_op() {
  MOSDOp m = base_op(osd_flag::kOnDisk | osd_flag::kRead | osd_flag::kKnownRedir);
  m.ops.push_back(make_notify_op(93900685825536ULL,
                                 {1, 3, Bytes::from_string("notify that times out")}));
  return m;
}

MWatchNotify notify_event() {
  MWatchNotify m;
  m.opcode = watch_event::kNotify;
  m.cookie = 93900685762448ULL;
  m.ver = 1;
  m.notify_id = 38654705664ULL;
  m.bl = Bytes::from_string("notify that times out");
  m.notifier_gid = 4133;
  return m;
}

// A WRITE whose payload is a view into `payload` (as after receiving it).
MOSDOp write_op(const std::vector<uint8_t>& payload) {
  MOSDOp m = base_op(osd_flag::kOnDisk | osd_flag::kWrite | osd_flag::kKnownRedir);
  m.ops.push_back(make_write_op(osd_op::kWrite, 0, Bytes::view(payload)));
  return m;
}

template <class M>
void run_decode(benchmark::State& state, const M& msg) {
  MessageParts p;
  msg.encode(p);
  for (auto _ : state) {
    auto r = M::decode(p);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  const int64_t bytes = static_cast<int64_t>(p.front.size() + p.data.size());
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["front_bytes"] = static_cast<double>(p.front.size());
  state.counters["data_bytes"] = static_cast<double>(p.data.size());
}

template <class M>
void run_encode(benchmark::State& state, const M& msg) {
  MessageParts probe;
  msg.encode(probe);
  for (auto _ : state) {
    MessageParts p;
    msg.encode(p);
    benchmark::DoNotOptimize(p);
  }
  const int64_t bytes = static_cast<int64_t>(probe.front.size() + probe.data.size());
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * bytes);
}

void BM_DecodeWatchMOSDOp(benchmark::State& s) { run_decode(s, watch_op()); }
void BM_EncodeWatchMOSDOp(benchmark::State& s) { run_encode(s, watch_op()); }
void BM_DecodeNotifyMOSDOp(benchmark::State& s) { run_decode(s, notify_op()); }
void BM_EncodeNotifyMOSDOp(benchmark::State& s) { run_encode(s, notify_op()); }
void BM_DecodeMWatchNotifyNotify(benchmark::State& s) { run_decode(s, notify_event()); }
void BM_EncodeMWatchNotifyNotify(benchmark::State& s) { run_encode(s, notify_event()); }

void BM_DecodeWriteMOSDOp(benchmark::State& s) {
  std::vector<uint8_t> payload(static_cast<size_t>(s.range(0)), 0x5a);
  run_decode(s, write_op(payload));
}
void BM_EncodeWriteMOSDOp(benchmark::State& s) {
  std::vector<uint8_t> payload(static_cast<size_t>(s.range(0)), 0x5a);
  run_encode(s, write_op(payload));
}

BENCHMARK(BM_DecodeWatchMOSDOp);
BENCHMARK(BM_EncodeWatchMOSDOp);
BENCHMARK(BM_DecodeNotifyMOSDOp);
BENCHMARK(BM_EncodeNotifyMOSDOp);
BENCHMARK(BM_DecodeMWatchNotifyNotify);
BENCHMARK(BM_EncodeMWatchNotifyNotify);
BENCHMARK(BM_DecodeWriteMOSDOp)->Arg(4096)->Arg(4 << 20);
BENCHMARK(BM_EncodeWriteMOSDOp)->Arg(4096)->Arg(4 << 20);

}  // namespace
}  // namespace cephwire::codec
