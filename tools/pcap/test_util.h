// Test helpers: load a capture's records, run the reassembler over frames, collect the events
// per connection, and load the reference streams of corpus/streams/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tools/pcap/reader.h"
#include "tools/pcap/reassembler.h"

namespace cephwire::pcap::pcaptest {

struct Frame {
  Timestamp ts;
  std::vector<uint8_t> data;
};

// All records of a capture (fails the test on error).
std::vector<Frame> load_frames(const std::string& path, LinkType* link = nullptr);
std::vector<uint8_t> read_file(const std::string& path);

struct DirOut {
  std::vector<uint8_t> bytes;   // delivered bytes; gap bytes are absent
  std::vector<std::pair<uint64_t, uint64_t>> frames;  // [end offset, frame] per Data event
  std::vector<Gap> gaps;
  uint64_t next = 0;            // next expected offset (delivered + gapped)
  bool contiguous = true;       // every Data event started at `next`
};

struct ConnOut {
  ConnectionOpened opened;
  DirOut dir[2];
  std::optional<ConnectionClosed> closed;
  bool opened_once = true;      // exactly one ConnectionOpened
  bool event_before_open = false;
  bool event_after_close = false;
};

struct Collected {
  std::map<ConnId, ConnOut> conns;
  std::vector<Event> order;     // events with Data spans cleared (kinds and order only)
  ReassemblyStats stats;
  SkipStats skipped;
  uint64_t tcp_packets = 0;
};

// Feeds an event sequence into a Collected.
void collect(Collected& out, const Event& e);
// Decodes and reassembles in-memory frames.
Collected run(const std::vector<Frame>& frames, LinkType link,
              const ReassemblerOptions& opts = {});
// Reads and reassembles a capture file through PcapReader (reassemble_file).
Collected run_file(const std::string& path, const ReassemblerOptions& opts = {},
                   std::optional<PcapError>* read_error = nullptr);

struct RefStream {
  uint16_t client_port = 0, server_port = 0;
  std::vector<uint8_t> bytes[2];
  std::vector<std::pair<uint64_t, uint64_t>> frames[2];
};
// corpus/streams/<rec>/ (n.c2s, n.s2c, index.json).
std::vector<RefStream> load_reference(const std::string& recording);

std::vector<std::string> recordings();  // stems of corpus/recordings/*.pcap

}  // namespace cephwire::pcap::pcaptest
