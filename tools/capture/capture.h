// A capture as a stream of decoded Ceph traffic: pcap records -> TCP reassembly (tools/pcap)
// -> per-connection msgr v1/v2 decoding (codec/connection.h) -> items, each stamped with the
// pcap frame in which its last byte arrived (as Wireshark counts frames) and that frame's
// time. Streams the file in bounded memory. This is the shared core of `cephwire decode`,
// `verify`, `check`, `replay` and `extract`.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "codec/connection.h"
#include "tools/pcap/reader.h"
#include "tools/pcap/reassembler.h"

namespace cephwire::capture {

using codec::Dir;

struct CaptureOptions {
  bool verify_crc = true;  // false: bad CRCs are reported on the item (crc_ok) and decoding goes on
};

struct Connection {
  pcap::ConnId id = 0;
  pcap::Endpoint client, server;
  bool client_guessed = false;
  std::array<bool, 2> midstream{};
  uint64_t first_frame = 0;
  codec::Msgr msgr() const { return decoder.msgr(); }
  std::string endpoint(Dir d) const {  // the sender of direction d
    return (d == Dir::kClientToServer ? client : server).to_string();
  }
  std::string peer(Dir d) const {
    return (d == Dir::kClientToServer ? server : client).to_string();
  }
  codec::ConnectionDecoder decoder;
  uint64_t items = 0;
  uint64_t messages = 0;
  std::array<uint64_t, 2> bytes{};  // [dir]: payload bytes delivered
  // [dir]: (stream end offset of delivered bytes, frame, time), oldest first
  struct Arrival {
    uint64_t end;
    uint64_t frame;
    pcap::Timestamp ts;
  };
  std::array<std::deque<Arrival>, 2> arrivals;
};

namespace ev {
struct Opened { const Connection* conn; };
struct Item {
  const Connection* conn;
  codec::AnyItem item;
  uint64_t frame;      // pcap frame where the item's last byte arrived
  pcap::Timestamp ts;  // that frame's time
};
struct Gap { const Connection* conn; Dir dir; uint64_t offset, length, frame; };
struct Resynced { const Connection* conn; Dir dir; uint64_t skipped; uint64_t frame; const char* why; };
struct StreamError { const Connection* conn; codec::StreamError error; uint64_t frame; };
struct Closed { const Connection* conn; pcap::CloseReason how; uint64_t frame; };
// The connection ended (or the capture did) with bytes of an unfinished item in direction dir.
struct Truncated { const Connection* conn; Dir dir; uint64_t offset; uint64_t pending; uint64_t frame; };
}  // namespace ev
using Event = std::variant<ev::Opened, ev::Item, ev::Gap, ev::Resynced, ev::StreamError,
                           ev::Truncated, ev::Closed>;

struct CaptureStats {
  uint64_t frames = 0;        // pcap records read
  uint64_t tcp_segments = 0;
  uint64_t streams = 0;       // TCP connections
  uint64_t ceph_streams = 0;  // ... recognised as msgr v1 or v2
  uint64_t other_streams = 0; // ... carrying something else (ignored)
  uint64_t items = 0;
  uint64_t messages = 0;
  uint64_t bytes = 0;         // TCP payload bytes delivered
  uint64_t gaps = 0;
  uint64_t stream_errors = 0;
  uint64_t truncated_items = 0;  // items cut by the end of a connection or of the capture
};

class Capture {
 public:
  static pcap::PcapResult<std::unique_ptr<Capture>> open(const std::string& path,
                                                          CaptureOptions opts = {});
  // The next event; nullopt at the end of the file. A pointer to a connection stays valid until
  // the call to next() after the one that returned that connection's Closed event (then the
  // connection is freed, so a long capture is read in bounded memory); copy what you need
  // beyond that (Connection::id is unique within the capture). A pcap read error ends the
  // capture: see error().
  std::optional<Event> next();
  const std::optional<pcap::PcapError>& error() const { return error_; }
  const CaptureStats& stats() const { return stats_; }
  const pcap::PcapReader& reader() const { return reader_; }
  uint64_t file_size() const { return file_size_; }
  uint64_t file_offset() const;  // approximate read position, for progress bars

 private:
  Capture(pcap::PcapReader r, CaptureOptions o) : reader_(std::move(r)), opts_(o) {}
  void handle(const pcap::Event& e);
  void drain(Connection& c, uint64_t frame);
  std::pair<uint64_t, pcap::Timestamp> arrival(Connection& c, Dir d, uint64_t end) const;

  pcap::PcapReader reader_;
  CaptureOptions opts_;
  pcap::Reassembler reassembler_;
  std::map<pcap::ConnId, std::unique_ptr<Connection>> conns_;
  std::optional<pcap::ConnId> retire_;  // closed; freed at the next call to next()
  std::deque<Event> out_;
  std::optional<pcap::PcapError> error_;
  CaptureStats stats_;
  bool finished_ = false;
  uint64_t file_size_ = 0;
  uint64_t last_frame_ = 0;
};

}  // namespace cephwire::capture
