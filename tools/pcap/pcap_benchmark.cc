// Reassembly throughput over a large in-memory capture: the four watch/notify recordings
// (v1-list-watchers, v1-notify-timeout, v1-watch-notify-basic, v2-watch-notify-basic: small
// messages, 92 payload bytes per frame on average) repeated with shifted ports and times (each
// repetition's connections are new 4-tuples); /all: every recording in corpus/recordings.
//   bazel run -c opt //tools/pcap:pcap_benchmark
// bytes_per_second counts captured frame bytes; payload_bytes_per_second counts the stream
// bytes delivered in Data events.
#include <benchmark/benchmark.h>

#include <cstring>
#include <map>

#include "tools/pcap/reader.h"
#include "tools/pcap/reassembler.h"
#include "tools/pcap/test_util.h"
#include "tools/pcap/writer.h"

namespace cephwire::pcap {
namespace {

constexpr int kRepeats = 400;  // x (30 connections, 780 frames): 312k frames, 48 MB
const char* const kBase[] = {"v1-list-watchers", "v1-notify-timeout", "v1-watch-notify-basic",
                             "v2-watch-notify-basic"};

struct Capture {
  std::vector<uint8_t> buf;  // frames back to back
  struct Rec {
    size_t off, len;
    Timestamp ts;
  };
  std::vector<Rec> recs;
  std::vector<uint8_t> file;  // the same as a classic pcap file
  uint64_t frame_bytes = 0;
};

// repeats < 0: every recording, -repeats times.
const Capture& capture(int repeats = kRepeats) {
  static std::map<int, Capture> cache;
  auto [it, fresh] = cache.try_emplace(repeats);
  if (!fresh) return it->second;
  it->second = [repeats]() mutable {
    Capture c;
    std::vector<pcaptest::Frame> base;
    std::vector<std::string> recs(std::begin(kBase), std::end(kBase));
    if (repeats < 0) {
      recs = pcaptest::recordings();
      repeats = -repeats;
    }
    for (const std::string& rec : recs) {
      auto frames = pcaptest::load_frames("corpus/recordings/" + rec + ".pcap");
      base.insert(base.end(), frames.begin(), frames.end());
    }
    PcapWriter w(LinkType::kEthernet);
    for (int r = 0; r < repeats; ++r) {
      for (const auto& f : base) {
        std::vector<uint8_t> d = f.data;
        const size_t l4 = 14 + static_cast<size_t>(d[14] & 0x0f) * 4;
        for (size_t at : {l4, l4 + 2}) {  // both ports, shifted by the repetition
          const uint16_t port = static_cast<uint16_t>((d[at] << 8 | d[at + 1]) + 3 * r);
          d[at] = static_cast<uint8_t>(port >> 8);
          d[at + 1] = static_cast<uint8_t>(port);
        }
        const Timestamp ts{f.ts.sec + 10 * r, f.ts.nsec};
        c.recs.push_back({c.buf.size(), d.size(), ts});
        c.buf.insert(c.buf.end(), d.begin(), d.end());
        w.add(ts, d);
      }
    }
    c.frame_bytes = c.buf.size();
    c.file = w.bytes();
    return c;
  }();
  return it->second;
}

inline uint64_t consume(std::span<const Event> events) {
  uint64_t n = 0;
  for (const Event& e : events) {
    if (const Data* d = std::get_if<Data>(&e)) n += d->bytes.size();
  }
  return n;
}

void report(benchmark::State& state, uint64_t frame_bytes, uint64_t payload, uint64_t packets) {
  state.SetBytesProcessed(static_cast<int64_t>(frame_bytes) * state.iterations());
  state.counters["payload_bytes_per_second"] = benchmark::Counter(
      static_cast<double>(payload) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
  state.counters["packets_per_second"] = benchmark::Counter(
      static_cast<double>(packets) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
  state.counters["frames"] = static_cast<double>(packets);
  state.counters["MB"] = static_cast<double>(frame_bytes) / 1e6;
}

// decode_frame + Reassembler::feed over the in-memory frames (the sans-IO core).
void BM_DecodeAndReassemble(benchmark::State& state) {
  const Capture& c = capture(static_cast<int>(state.range(0)));
  uint64_t payload = 0;
  for (auto _ : state) {
    Reassembler re;
    payload = 0;
    uint64_t frame = 0;
    TcpPacket p;
    Skip sk;
    for (const auto& r : c.recs) {
      ++frame;
      if (decode_frame_into(LinkType::kEthernet, {c.buf.data() + r.off, r.len}, p, &sk)) {
        p.frame = frame;
        p.ts = r.ts;
        payload += consume(re.feed(p));
      }
    }
    payload += consume(re.finish());
    benchmark::DoNotOptimize(payload);
  }
  report(state, c.frame_bytes, payload, c.recs.size());
}
// 400 repetitions: 48 MB, more than the caches; 20: 2.4 MB, as hot as a reader's buffer;
// -20: every recording (including large payloads) 20 times.
BENCHMARK(BM_DecodeAndReassemble)->Arg(kRepeats)->Arg(20)->Arg(-20)->Unit(benchmark::kMillisecond);

// Reassembler::feed alone, over pre-decoded segments.
void BM_ReassembleOnly(benchmark::State& state) {
  const Capture& c = capture();
  std::vector<TcpPacket> pkts;
  uint64_t frame = 0;
  for (const auto& r : c.recs) {
    auto p = decode_frame(LinkType::kEthernet, {c.buf.data() + r.off, r.len}, ++frame, r.ts);
    if (p) pkts.push_back(*p);
  }
  uint64_t payload = 0;
  for (auto _ : state) {
    Reassembler re;
    payload = 0;
    for (const TcpPacket& p : pkts) payload += consume(re.feed(p));
    payload += consume(re.finish());
    benchmark::DoNotOptimize(payload);
  }
  report(state, c.frame_bytes, payload, pkts.size());
}
BENCHMARK(BM_ReassembleOnly)->Unit(benchmark::kMillisecond);

// The whole path: libpcap reading the capture file from memory, decoding, reassembling.
void BM_PcapFileEndToEnd(benchmark::State& state) {
  const Capture& c = capture();
  uint64_t payload = 0;
  for (auto _ : state) {
    auto reader = PcapReader::open_memory(c.file);
    if (!reader) {
      state.SkipWithError(reader.error().to_string().c_str());
      return;
    }
    Reassembler re;
    payload = 0;
    for (;;) {
      auto p = reader->next_tcp();
      if (!p || !*p) break;
      payload += consume(re.feed(**p));
    }
    payload += consume(re.finish());
    benchmark::DoNotOptimize(payload);
  }
  report(state, c.file.size(), payload, c.recs.size());
}
BENCHMARK(BM_PcapFileEndToEnd)->Unit(benchmark::kMillisecond);

// Upper bound: one bulk connection of 64 KiB segments (loopback MTU), every 16th pair
// swapped, so some data goes through the out-of-order buffer.
void BM_BulkStream(benchmark::State& state) {
  const size_t seg = static_cast<size_t>(state.range(0));
  constexpr size_t kSegs = 4096;
  std::vector<uint8_t> payload(seg, 0x5a);
  TcpPacket p;
  p.src = Endpoint{IpAddress::v4(127, 0, 0, 1), 50000};
  p.dst = Endpoint{IpAddress::v4(127, 0, 0, 1), 42001};
  uint64_t delivered = 0;
  for (auto _ : state) {
    Reassembler re;
    delivered = 0;
    p.flags = tcp_flags::kSyn;
    p.seq = 1;
    p.payload = {};
    delivered += consume(re.feed(p));
    p.flags = tcp_flags::kAck;
    p.payload = payload;
    for (size_t i = 0; i < kSegs; ++i) {
      const size_t j = (i % 16 == 0 && i + 1 < kSegs) ? i + 1 : (i % 16 == 1 ? i - 1 : i);
      p.seq = static_cast<uint32_t>(2 + j * seg);
      p.frame = i + 2;
      delivered += consume(re.feed(p));
    }
    delivered += consume(re.finish());
    benchmark::DoNotOptimize(delivered);
  }
  state.SetBytesProcessed(static_cast<int64_t>(delivered) * state.iterations());
}
BENCHMARK(BM_BulkStream)->Arg(1448)->Arg(65483)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cephwire::pcap
