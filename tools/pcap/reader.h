// Streaming capture-file reader on libpcap (pcap_fopen_offline_with_tstamp_precision +
// pcap_next_ex: one record in memory at a time), for classic pcap (microsecond and
// nanosecond) and pcapng. Classic pcap files on disk take a faster path: libpcap reads and
// checks the file header, then the records are read in place from a read-only mapping of the
// file (no copy; pages behind the read position are released, so memory stays bounded) as long
// as every record is ordinary (whole, caplen <= snapshot length); at the first record that is
// not, the reader hands over to libpcap at that record, so every error is libpcap's own. Records are numbered from 1 as Wireshark numbers frames. Errors are
// typed: missing file, not a capture file, truncated file (with the number of records read
// before the cut), unsupported link type, corrupt record.
//
// libpcap's offline API: pcap(3PCAP), pcap_next_ex(3PCAP), pcap_datalink(3PCAP); the error
// strings classified here are those of libpcap 1.10 sf-pcap.c / sf-pcapng.c ("truncated dump
// file; ...", "truncated pcapng dump file; ...").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "tools/pcap/packet.h"
#include "tools/pcap/reassembler.h"

struct pcap;  // libpcap's pcap_t, kept out of this header

namespace cephwire::pcap {

enum class PcapErrorKind : uint8_t {
  kFileNotFound,         // no such file
  kCannotOpen,           // exists but cannot be read (permissions, a directory, I/O error)
  kNotPcap,              // not a pcap / pcapng file (unknown magic, or libpcap rejects it)
  kTruncated,            // the file ends inside a header or a record
  kUnsupportedLinkType,  // a link type this reader does not decode
  kBadRecord,            // a record libpcap refuses (impossible length, bad pcapng block)
};
std::string_view to_string(PcapErrorKind k);

struct PcapError {
  PcapErrorKind kind = PcapErrorKind::kNotPcap;
  std::string path;
  std::string detail;         // libpcap's or the OS's message
  uint64_t records_read = 0;  // complete records read before the error
  int link_type = -1;         // kUnsupportedLinkType: the DLT value
  std::string to_string() const;  // "truncated: x.pcap: after 17 records: ..."
};

template <class T>
using PcapResult = tl::expected<T, PcapError>;

struct Record {
  uint64_t frame = 0;      // 1-based record number
  Timestamp ts;
  uint32_t orig_len = 0;   // length on the wire
  std::span<const uint8_t> data;  // captured bytes; valid until the next call on the reader
};

class PcapReader {
 public:
  static PcapResult<PcapReader> open(const std::string& path);
  // A capture held in memory (read through fmemopen); `bytes` must outlive the reader.
  static PcapResult<PcapReader> open_memory(std::span<const uint8_t> bytes,
                                            std::string name = "<memory>");

  PcapReader(PcapReader&& o) noexcept;
  PcapReader& operator=(PcapReader&& o) noexcept;
  PcapReader(const PcapReader&) = delete;
  PcapReader& operator=(const PcapReader&) = delete;
  ~PcapReader();

  // The next record; nullopt at the end of the file.
  PcapResult<std::optional<Record>> next_record();
  // The next TCP segment; other records are skipped and counted in skipped().
  // The packet's spans are valid until the next call on the reader.
  PcapResult<std::optional<TcpPacket>> next_tcp();

  LinkType link_type() const { return link_; }
  int dlt() const { return dlt_; }
  bool is_pcapng() const { return pcapng_; }
  uint64_t records_read() const { return records_; }
  const SkipStats& skipped() const { return skipped_; }
  const std::string& path() const { return path_; }

 private:
  PcapReader() = default;
  static PcapResult<PcapReader> open_file(std::FILE* f, std::string path,
                                          std::unique_ptr<char[]> iobuf = nullptr);
  PcapError error(PcapErrorKind k, std::string detail) const;

  PcapResult<std::optional<Record>> next_mapped();
  PcapResult<std::optional<Record>> next_libpcap();
  void map_classic(int fd, uint64_t size);
  void unmap();
  bool hand_over_to_libpcap();

  struct ::pcap* p_ = nullptr;
  std::unique_ptr<char[]> iobuf_;  // the FILE's stdio buffer (freed after pcap_close)
  std::string path_;
  LinkType link_ = LinkType::kEthernet;
  int dlt_ = 1;
  bool pcapng_ = false;
  uint64_t records_ = 0;
  SkipStats skipped_;
  // The mapped fast path (classic pcap): the file, the next record's offset, how much of the
  // mapping has been released, byte order and timestamp unit of the file, snapshot length.
  const uint8_t* map_ = nullptr;
  size_t map_len_ = 0;
  size_t map_pos_ = 0;
  size_t map_released_ = 0;
  bool map_swapped_ = false;
  bool map_micro_ = true;
  uint32_t map_snap_ = 0;
};

struct CaptureSummary {
  LinkType link_type = LinkType::kEthernet;
  bool pcapng = false;
  uint64_t records = 0;  // records read
  uint64_t tcp_packets = 0;
  SkipStats skipped;
  ReassemblyStats reassembly;
  // An error after the file was opened (truncated, corrupt record): every record before it
  // was reassembled and finish() ran, so the events up to the cut were all delivered.
  std::optional<PcapError> read_error;
};

// Reads a capture file and reassembles it, calling on_event for every event in order (Data
// spans are valid during the call). Fails only when the file cannot be opened.
PcapResult<CaptureSummary> reassemble_file(const std::string& path,
                                           const ReassemblerOptions& opts,
                                           const std::function<void(const Event&)>& on_event);

}  // namespace cephwire::pcap
