#include "tools/pcap/reader.h"

#include <sys/mman.h>

#include <pcap/pcap.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace cephwire::pcap {
namespace {

// Magic numbers libpcap accepts (either byte order): classic microsecond, classic nanosecond,
// Kuznetzov's modified pcap, pcapng Section Header Block (a palindrome).
bool known_magic(const uint8_t m[4], bool* pcapng) {
  const uint32_t le = uint32_t{m[0]} | uint32_t{m[1]} << 8 | uint32_t{m[2]} << 16 |
                      uint32_t{m[3]} << 24;
  const uint32_t be = __builtin_bswap32(le);
  *pcapng = le == 0x0a0d0d0a;
  if (*pcapng) return true;
  for (uint32_t v : {le, be}) {
    if (v == 0xa1b2c3d4 || v == 0xa1b23c4d || v == 0xa1b2cd34) return true;
  }
  return false;
}

// libpcap's words for a file that ends too early (a pcapng section that ends before its first
// Interface Description Block is one that was cut right after the Section Header Block).
bool mentions_truncation(const char* msg) {
  return std::strstr(msg, "truncated") != nullptr ||
         std::strstr(msg, "no Interface Description Blocks") != nullptr;
}

}  // namespace

std::string_view to_string(PcapErrorKind k) {
  switch (k) {
    case PcapErrorKind::kFileNotFound: return "file not found";
    case PcapErrorKind::kCannotOpen: return "cannot open";
    case PcapErrorKind::kNotPcap: return "not a pcap file";
    case PcapErrorKind::kTruncated: return "truncated";
    case PcapErrorKind::kUnsupportedLinkType: return "unsupported link type";
    case PcapErrorKind::kBadRecord: return "bad record";
  }
  return "?";
}

std::string PcapError::to_string() const {
  std::string s(pcap::to_string(kind));
  s += ": ";
  s += path;
  if (kind == PcapErrorKind::kTruncated || kind == PcapErrorKind::kBadRecord) {
    s += ": after " + std::to_string(records_read) + " records";
  }
  if (kind == PcapErrorKind::kUnsupportedLinkType) {
    s += ": link type " + std::to_string(link_type);
    const char* name = pcap_datalink_val_to_name(link_type);
    if (name != nullptr) s += std::string(" (") + name + ")";
  }
  if (!detail.empty()) s += ": " + detail;
  return s;
}

PcapError PcapReader::error(PcapErrorKind k, std::string detail) const {
  PcapError e;
  e.kind = k;
  e.path = path_;
  e.detail = std::move(detail);
  e.records_read = records_;
  e.link_type = dlt_;
  return e;
}

PcapResult<PcapReader> PcapReader::open(const std::string& path) {
  auto fail = [&](PcapErrorKind k, std::string detail) {
    PcapError e;
    e.kind = k;
    e.path = path;
    e.detail = std::move(detail);
    return tl::unexpected<PcapError>(std::move(e));
  };
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    return fail(err == ENOENT || err == ENOTDIR ? PcapErrorKind::kFileNotFound
                                                : PcapErrorKind::kCannotOpen,
                std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) return fail(PcapErrorKind::kCannotOpen, "is a directory");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int err = errno;
    return fail(err == ENOENT ? PcapErrorKind::kFileNotFound : PcapErrorKind::kCannotOpen,
                std::strerror(err));
  }
  // libpcap freads each record header and body: a large stdio buffer makes that one read(2)
  // per MiB instead of one per 4-8 KiB. glibc ignores the size when the buffer is null, so the
  // reader owns it (it must outlive the FILE).
  constexpr size_t kIoBuf = 1u << 20;
  auto iobuf = std::make_unique<char[]>(kIoBuf);
  std::setvbuf(f, iobuf.get(), _IOFBF, kIoBuf);
  auto r = open_file(f, path, std::move(iobuf));
  if (r && !r->pcapng_ && S_ISREG(st.st_mode)) r->map_classic(fileno(f), static_cast<uint64_t>(st.st_size));
  return r;
}

PcapResult<PcapReader> PcapReader::open_memory(std::span<const uint8_t> bytes,
                                               std::string name) {
  std::FILE* f = nullptr;
  if (!bytes.empty()) {
    f = fmemopen(const_cast<uint8_t*>(bytes.data()), bytes.size(), "rb");
  }
  if (f == nullptr) {
    PcapError e;
    e.kind = bytes.empty() ? PcapErrorKind::kNotPcap : PcapErrorKind::kCannotOpen;
    e.path = std::move(name);
    e.detail = bytes.empty() ? "empty" : std::strerror(errno);
    return tl::unexpected<PcapError>(std::move(e));
  }
  return open_file(f, std::move(name));
}

PcapResult<PcapReader> PcapReader::open_file(std::FILE* f, std::string path,
                                             std::unique_ptr<char[]> iobuf) {
  PcapReader r;
  r.iobuf_ = std::move(iobuf);
  r.path_ = std::move(path);
  uint8_t magic[28] = {};  // the classic file header is 24 bytes, the smallest SHB 28
  const size_t got = std::fread(magic, 1, sizeof magic, f);
  if (got < 4) {
    const bool io = std::ferror(f) != 0;
    std::fclose(f);
    if (io) return tl::unexpected(r.error(PcapErrorKind::kCannotOpen, "read error"));
    return tl::unexpected(r.error(PcapErrorKind::kNotPcap, got == 0 ? "empty file"
                                                                     : "shorter than a magic"));
  }
  if (!known_magic(magic, &r.pcapng_)) {
    std::fclose(f);
    char buf[64];
    std::snprintf(buf, sizeof buf, "unknown magic %02x%02x%02x%02x", magic[0], magic[1],
                  magic[2], magic[3]);
    return tl::unexpected(r.error(PcapErrorKind::kNotPcap, buf));
  }
  const size_t need = r.pcapng_ ? 28 : 24;
  if (got < need) {
    const bool io = std::ferror(f) != 0;
    std::fclose(f);
    if (io) return tl::unexpected(r.error(PcapErrorKind::kCannotOpen, "read error"));
    return tl::unexpected(r.error(PcapErrorKind::kTruncated,
                                  "file header cut after " + std::to_string(got) + " bytes"));
  }
  if (std::fseek(f, 0, SEEK_SET) != 0) {
    std::fclose(f);
    return tl::unexpected(r.error(PcapErrorKind::kCannotOpen, "cannot seek"));
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  // Nanosecond precision: microsecond files are scaled up, nothing is lost either way.
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (p == nullptr) {  // libpcap did not take ownership of f
    std::fclose(f);
    return tl::unexpected(r.error(
        mentions_truncation(errbuf) ? PcapErrorKind::kTruncated : PcapErrorKind::kNotPcap,
        errbuf));
  }
  r.p_ = p;
  r.dlt_ = pcap_datalink(p);
  const auto link = link_type_from_dlt(r.dlt_);
  if (!link) return tl::unexpected(r.error(PcapErrorKind::kUnsupportedLinkType, {}));
  r.link_ = *link;
  return r;
}

PcapReader::PcapReader(PcapReader&& o) noexcept
    : p_(std::exchange(o.p_, nullptr)),
      iobuf_(std::move(o.iobuf_)),
      path_(std::move(o.path_)),
      link_(o.link_),
      dlt_(o.dlt_),
      pcapng_(o.pcapng_),
      records_(o.records_),
      skipped_(o.skipped_),
      map_(std::exchange(o.map_, nullptr)),
      map_len_(o.map_len_),
      map_pos_(o.map_pos_),
      map_released_(o.map_released_),
      map_swapped_(o.map_swapped_),
      map_micro_(o.map_micro_),
      map_snap_(o.map_snap_) {}

PcapReader& PcapReader::operator=(PcapReader&& o) noexcept {
  if (this != &o) {
    if (p_ != nullptr) pcap_close(p_);
    p_ = std::exchange(o.p_, nullptr);
    iobuf_ = std::move(o.iobuf_);
    path_ = std::move(o.path_);
    link_ = o.link_;
    dlt_ = o.dlt_;
    pcapng_ = o.pcapng_;
    records_ = o.records_;
    skipped_ = o.skipped_;
    unmap();
    map_ = std::exchange(o.map_, nullptr);
    map_len_ = o.map_len_;
    map_pos_ = o.map_pos_;
    map_released_ = o.map_released_;
    map_swapped_ = o.map_swapped_;
    map_micro_ = o.map_micro_;
    map_snap_ = o.map_snap_;
  }
  return *this;
}

PcapReader::~PcapReader() {
  unmap();
  if (p_ != nullptr) pcap_close(p_);
}

void PcapReader::unmap() {
  if (map_ != nullptr) munmap(const_cast<uint8_t*>(map_), map_len_);
  map_ = nullptr;
}

// Only the standard classic magics (not the "modified" 0xa1b2cd34 format, whose record
// headers are longer): libpcap has read the 24-byte file header and is positioned at record 1.
void PcapReader::map_classic(int fd, uint64_t size) {
  if (size < 24 || size > SIZE_MAX) return;
  void* m = mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
  if (m == MAP_FAILED) return;  // stay on libpcap
  const auto* b = static_cast<const uint8_t*>(m);
  uint32_t magic;
  std::memcpy(&magic, b, 4);
  const bool swapped = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
  const uint32_t host = swapped ? __builtin_bswap32(magic) : magic;
  if (host != 0xa1b2c3d4 && host != 0xa1b23c4d) {
    munmap(m, static_cast<size_t>(size));
    return;
  }
  madvise(m, static_cast<size_t>(size), MADV_SEQUENTIAL);
  map_ = b;
  map_len_ = static_cast<size_t>(size);
  map_pos_ = 24;
  map_released_ = 0;
  map_swapped_ = swapped;
  map_micro_ = host == 0xa1b2c3d4;
  map_snap_ = static_cast<uint32_t>(pcap_snapshot(p_));
}

// libpcap takes over at record records_ + 1: it skips the records already returned (it has
// not read any of them yet) and reads on from there.
bool PcapReader::hand_over_to_libpcap() {
  unmap();
  for (uint64_t i = 0; i < records_; ++i) {
    struct pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    if (pcap_next_ex(p_, &h, &data) != 1) return false;
  }
  return true;
}

PcapResult<std::optional<Record>> PcapReader::next_mapped() {
  // The previous record is no longer in use: release whole pages behind the read position.
  constexpr size_t kRelease = 8u << 20;
  if (map_pos_ - map_released_ >= 2 * kRelease) {
    const size_t upto = (map_pos_ - kRelease) & ~size_t{4095};
    madvise(const_cast<uint8_t*>(map_) + map_released_, upto - map_released_, MADV_DONTNEED);
    map_released_ = upto;
  }
  if (map_pos_ == map_len_) return std::optional<Record>();
  if (map_len_ - map_pos_ >= 16) {
    uint32_t h[4];
    std::memcpy(h, map_ + map_pos_, 16);
    if (map_swapped_)
      for (auto& x : h) x = __builtin_bswap32(x);
    const uint32_t caplen = h[2];
    if (caplen <= map_snap_ && caplen <= map_len_ - map_pos_ - 16) [[likely]] {
      Record r;
      r.frame = ++records_;
      // As libpcap opened for nanoseconds: microsecond files are scaled up.
      r.ts = Timestamp{static_cast<int64_t>(h[0]), map_micro_ ? h[1] * 1000u : h[1]};
      r.orig_len = h[3];
      r.data = std::span<const uint8_t>(map_ + map_pos_ + 16, caplen);
      map_pos_ += 16 + size_t{caplen};
      return r;
    }
  }
  // Anything unusual (a cut record, caplen beyond the snapshot length): libpcap decides.
  if (!hand_over_to_libpcap())
    return tl::unexpected(error(PcapErrorKind::kBadRecord, "cannot re-read the file"));
  return next_libpcap();
}

PcapResult<std::optional<Record>> PcapReader::next_record() {
  if (map_ != nullptr) return next_mapped();
  return next_libpcap();
}

PcapResult<std::optional<Record>> PcapReader::next_libpcap() {
  struct pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(p_, &h, &data);
  if (rc == 1) {
    Record r;
    r.frame = ++records_;
    r.ts = Timestamp{static_cast<int64_t>(h->ts.tv_sec), static_cast<uint32_t>(h->ts.tv_usec)};
    r.orig_len = h->len;
    r.data = std::span<const uint8_t>(data, h->caplen);
    return r;
  }
  if (rc == PCAP_ERROR_BREAK) return std::optional<Record>();
  const char* msg = pcap_geterr(p_);
  return tl::unexpected(error(
      mentions_truncation(msg) ? PcapErrorKind::kTruncated : PcapErrorKind::kBadRecord, msg));
}

PcapResult<std::optional<TcpPacket>> PcapReader::next_tcp() {
  for (;;) {
    auto r = next_record();
    if (!r) return tl::unexpected(std::move(r.error()));
    if (!*r) return std::optional<TcpPacket>();
    const Record& rec = **r;
    std::optional<TcpPacket> p(std::in_place);
    Skip sk;
    if (decode_frame_into(link_, rec.data, *p, &sk)) {
      p->frame = rec.frame;
      p->ts = rec.ts;
      return p;
    }
    skipped_.add(sk);
  }
}

PcapResult<CaptureSummary> reassemble_file(const std::string& path,
                                           const ReassemblerOptions& opts,
                                           const std::function<void(const Event&)>& on_event) {
  auto reader = PcapReader::open(path);
  if (!reader) return tl::unexpected(std::move(reader.error()));
  CaptureSummary s;
  s.link_type = reader->link_type();
  s.pcapng = reader->is_pcapng();
  Reassembler re(opts);
  for (;;) {
    auto p = reader->next_tcp();
    if (!p) {
      s.read_error = std::move(p.error());
      break;
    }
    if (!*p) break;
    ++s.tcp_packets;
    for (const Event& e : re.feed(**p)) on_event(e);
  }
  for (const Event& e : re.finish()) on_event(e);
  s.records = reader->records_read();
  s.skipped = reader->skipped();
  s.reassembly = re.stats();
  return s;
}

}  // namespace cephwire::pcap
