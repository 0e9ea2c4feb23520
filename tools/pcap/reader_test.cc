// PcapReader on synthetic files: classic pcap in both byte orders and both time resolutions,
// pcapng, in-memory captures, frame numbering, skipping, and every typed error.
#include "tools/pcap/reader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "tools/pcap/writer.h"

namespace cephwire::pcap {
namespace {

using namespace tcp_flags;

std::string tmp_path(const std::string& name) {
  const char* d = std::getenv("TEST_TMPDIR");
  return std::string(d != nullptr ? d : "/tmp") + "/" + name;
}

void write(const std::string& path, const std::vector<uint8_t>& b) {
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  if (!b.empty()) {
    ASSERT_EQ(std::fwrite(b.data(), 1, b.size(), f), b.size());
  }
  std::fclose(f);
}

const std::vector<uint8_t> kData = {'h', 'e', 'l', 'l', 'o'};

TcpSpec spec(uint32_t seq, std::span<const uint8_t> payload, uint8_t flags = kAck | kPsh) {
  TcpSpec s;
  s.src = Endpoint{IpAddress::v4(10, 1, 1, 1), 40000};
  s.dst = Endpoint{IpAddress::v4(10, 1, 1, 2), 42000};
  s.seq = seq;
  s.ack = 1;
  s.flags = flags;
  s.payload = payload;
  return s;
}

// Frames: 1 TCP, 2 UDP, 3 ARP, 4 TCP.
template <class W>
void add_sample(W& w, LinkType link) {
  w.add({100, 123456789}, tcp_frame(link, spec(1000, kData)));
  w.add({101, 5000}, udp_frame(link, {IpAddress::v4(1, 1, 1, 1), 1}, {IpAddress::v4(2, 2, 2, 2), 2},
                               kData));
  if (link == LinkType::kEthernet) {
    w.add({102, 0}, arp_frame());
  } else {
    w.add({102, 0}, icmp_echo_frame(link, IpAddress::v4(1, 1, 1, 1), IpAddress::v4(2, 2, 2, 2)));
  }
  w.add({103, 999999000}, tcp_frame(link, spec(1005, kData)), 1500);
}

void check_sample(PcapReader& r, bool nano, LinkType link) {
  EXPECT_EQ(r.link_type(), link);
  auto a = r.next_tcp();
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->frame, 1u);
  EXPECT_EQ((*a)->ts.sec, 100);
  EXPECT_EQ((*a)->ts.nsec, nano ? 123456789u : 123456000u);
  EXPECT_EQ((*a)->seq, 1000u);
  EXPECT_EQ(std::vector<uint8_t>((*a)->payload.begin(), (*a)->payload.end()), kData);
  auto b = r.next_tcp();
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((*b)->frame, 4u) << "frames are record numbers, skipped ones included";
  EXPECT_EQ((*b)->ts, (Timestamp{103, 999999000}));
  EXPECT_EQ((*b)->seq, 1005u);
  auto end = r.next_tcp();
  ASSERT_TRUE(end);
  EXPECT_FALSE(*end);
  EXPECT_EQ(r.records_read(), 4u);
  EXPECT_EQ(r.skipped().total(), 2u);
  EXPECT_EQ(r.skipped().count(SkipReason::kNotTcp), link == LinkType::kEthernet ? 1u : 2u);
  auto again = r.next_tcp();  // reading past the end stays at the end
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST(Reader, ClassicPcapMicroAndNano) {
  for (bool nano : {false, true}) {
    for (LinkType link : {LinkType::kEthernet, LinkType::kLinuxSll2, LinkType::kRaw}) {
      PcapWriter w(link, nano);
      add_sample(w, link);
      const std::string path = tmp_path("sample.pcap");
      ASSERT_TRUE(w.save(path));
      auto r = PcapReader::open(path);
      ASSERT_TRUE(r) << r.error().to_string();
      EXPECT_FALSE(r->is_pcapng());
      check_sample(*r, nano, link);
      // The same from memory.
      auto m = PcapReader::open_memory(w.bytes());
      ASSERT_TRUE(m) << m.error().to_string();
      check_sample(*m, nano, link);
    }
  }
}

TEST(Reader, RecordFieldsAndOrigLen) {
  PcapWriter w(LinkType::kEthernet);
  add_sample(w, LinkType::kEthernet);
  auto r = PcapReader::open_memory(w.bytes());
  ASSERT_TRUE(r);
  for (uint64_t i = 1; i <= 4; ++i) {
    auto rec = r->next_record();
    ASSERT_TRUE(rec && *rec);
    EXPECT_EQ((*rec)->frame, i);
    if (i == 4) {
      EXPECT_EQ((*rec)->orig_len, 1500u);
    }
    if (i == 1) {
      EXPECT_EQ((*rec)->orig_len, (*rec)->data.size());
    }
  }
}

// A big-endian classic pcap (written on a big-endian host): libpcap swaps the headers.
TEST(Reader, BigEndianClassicPcap) {
  PcapWriter w(LinkType::kEthernet);
  add_sample(w, LinkType::kEthernet);
  std::vector<uint8_t> b = w.bytes();
  auto swap32 = [&](size_t at) { std::reverse(b.begin() + at, b.begin() + at + 4); };
  auto swap16 = [&](size_t at) { std::reverse(b.begin() + at, b.begin() + at + 2); };
  swap32(0);
  swap16(4);
  swap16(6);
  swap32(8);
  swap32(12);
  swap32(16);
  swap32(20);
  for (size_t off = 24; off + 16 <= b.size();) {
    const uint32_t incl = uint32_t{b[off + 8]} | uint32_t{b[off + 9]} << 8 |
                          uint32_t{b[off + 10]} << 16 | uint32_t{b[off + 11]} << 24;
    for (size_t k = 0; k < 4; ++k) swap32(off + 4 * k);
    off += 16 + incl;
  }
  auto r = PcapReader::open_memory(b);
  ASSERT_TRUE(r) << r.error().to_string();
  check_sample(*r, false, LinkType::kEthernet);
}

TEST(Reader, Pcapng) {
  for (LinkType link : {LinkType::kEthernet, LinkType::kLinuxSll, LinkType::kNull}) {
    PcapngWriter w(link);
    w.add_ignored_blocks();
    add_sample(w, link);
    w.add_ignored_blocks();
    const std::string path = tmp_path("sample.pcapng");
    ASSERT_TRUE(w.save(path));
    auto r = PcapReader::open(path);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->is_pcapng());
    check_sample(*r, true, link);
  }
}

TEST(Reader, ReassembleFileSummary) {
  PcapWriter w(LinkType::kEthernet);
  w.add({1, 0}, tcp_frame(LinkType::kEthernet, spec(999, {}, kSyn)));
  add_sample(w, LinkType::kEthernet);
  const std::string path = tmp_path("summary.pcap");
  ASSERT_TRUE(w.save(path));
  std::string stream;
  size_t events = 0;
  auto s = reassemble_file(path, {}, [&](const Event& e) {
    ++events;
    if (const Data* d = std::get_if<Data>(&e)) stream.append(d->bytes.begin(), d->bytes.end());
  });
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(stream, "hellohello");
  EXPECT_EQ(s->records, 5u);
  EXPECT_EQ(s->tcp_packets, 3u);
  EXPECT_EQ(s->skipped.total(), 2u);
  EXPECT_EQ(s->reassembly.delivered_bytes, 10u);
  EXPECT_FALSE(s->read_error);
  EXPECT_EQ(events, 4u);  // opened, data, data, closed (eof)
}

TEST(Reader, MissingFileAndDirectory) {
  auto r = PcapReader::open(tmp_path("does-not-exist.pcap"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, PcapErrorKind::kFileNotFound);
  EXPECT_NE(r.error().to_string().find("file not found"), std::string::npos);
  EXPECT_NE(r.error().to_string().find("does-not-exist.pcap"), std::string::npos);
  auto s = reassemble_file(tmp_path("nope/x.pcap"), {}, [](const Event&) {});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, PcapErrorKind::kFileNotFound);
  const std::string dir = tmp_path("a-directory");
  ::mkdir(dir.c_str(), 0755);
  auto d = PcapReader::open(dir);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind, PcapErrorKind::kCannotOpen);
}

TEST(Reader, NotAPcap) {
  const std::string path = tmp_path("not.pcap");
  for (const std::string& content : {std::string(), std::string("ab"), std::string("{\"x\": 1}\n"),
                                     std::string(100, '\0')}) {
    write(path, std::vector<uint8_t>(content.begin(), content.end()));
    auto r = PcapReader::open(path);
    ASSERT_FALSE(r) << content;
    EXPECT_EQ(r.error().kind, PcapErrorKind::kNotPcap) << r.error().to_string();
  }
  auto m = PcapReader::open_memory({});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().kind, PcapErrorKind::kNotPcap);
}

TEST(Reader, UnsupportedLinkType) {
  PcapWriter w(147u);  // LINKTYPE_USER0
  w.add({1, 0}, kData);
  auto r = PcapReader::open_memory(w.bytes(), "user0.pcap");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, PcapErrorKind::kUnsupportedLinkType);
  EXPECT_EQ(r.error().link_type, 147);
  EXPECT_NE(r.error().to_string().find("147"), std::string::npos) << r.error().to_string();
  // 802.11, no records: libpcap's name for it is in the message.
  PcapWriter w2(105u);
  auto r2 = PcapReader::open_memory(w2.bytes());
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().kind, PcapErrorKind::kUnsupportedLinkType);
  EXPECT_NE(r2.error().to_string().find("IEEE802_11"), std::string::npos)
      << r2.error().to_string();
}

// Cut a file at every byte: the open fails as truncated / not-pcap, or reading stops with a
// truncation error after exactly the records that were whole. Never a crash.
template <class W>
void truncate_everywhere(const W& w, bool pcapng) {
  const std::vector<uint8_t>& all = w.bytes();
  // Record ends, to know how many are whole at each cut.
  std::vector<size_t> ends;
  {
    auto r = PcapReader::open_memory(all);
    ASSERT_TRUE(r);
    size_t n = 0;
    while (true) {
      auto rec = r->next_record();
      ASSERT_TRUE(rec);
      if (!*rec) break;
      ++n;
    }
    ASSERT_EQ(n, 4u);
  }
  size_t header = pcapng ? 28 + 32 : 24;
  for (size_t cut = 1; cut < all.size(); ++cut) {
    std::vector<uint8_t> head(all.begin(), all.begin() + static_cast<ptrdiff_t>(cut));
    auto r = PcapReader::open_memory(head, "cut");
    if (!r) {
      if (cut >= header) {
        ADD_FAILURE() << "cut " << cut << ": " << r.error().to_string();
      }
      EXPECT_TRUE(r.error().kind == PcapErrorKind::kTruncated ||
                  r.error().kind == PcapErrorKind::kNotPcap)
          << r.error().to_string();
      if (cut >= 4) {
        EXPECT_EQ(r.error().kind, PcapErrorKind::kTruncated) << cut << " " << r.error().to_string();
      }
      continue;
    }
    uint64_t whole = 0;
    for (;;) {
      auto rec = r->next_record();
      if (!rec) {
        EXPECT_EQ(rec.error().kind, PcapErrorKind::kTruncated) << rec.error().to_string();
        EXPECT_EQ(rec.error().records_read, whole);
        break;
      }
      if (!*rec) break;  // a cut exactly between records is a clean end
      ++whole;
    }
    EXPECT_LE(whole, 4u);
  }
}

TEST(Reader, TruncatedAtEveryByte) {
  PcapWriter w(LinkType::kEthernet);
  add_sample(w, LinkType::kEthernet);
  truncate_everywhere(w, false);
  PcapngWriter ng(LinkType::kEthernet);
  add_sample(ng, LinkType::kEthernet);
  truncate_everywhere(ng, true);
}

TEST(Reader, TruncatedFileReportsRecordsRead) {
  PcapWriter w(LinkType::kEthernet);
  add_sample(w, LinkType::kEthernet);
  std::vector<uint8_t> b = w.bytes();
  b.resize(b.size() - 3);  // inside the last record
  const std::string path = tmp_path("cut.pcap");
  write(path, b);
  std::optional<PcapError> err;
  std::string stream;
  auto s = reassemble_file(path, {}, [&](const Event& e) {
    if (const Data* d = std::get_if<Data>(&e)) stream.append(d->bytes.begin(), d->bytes.end());
  });
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->read_error);
  EXPECT_EQ(s->read_error->kind, PcapErrorKind::kTruncated);
  EXPECT_EQ(s->read_error->records_read, 3u);
  EXPECT_EQ(s->records, 3u);
  EXPECT_EQ(stream, "hello");
  EXPECT_NE(s->read_error->to_string().find("truncated: " + path + ": after 3 records"),
            std::string::npos)
      << s->read_error->to_string();
}

TEST(Reader, ImpossibleRecordLength) {
  PcapWriter w(LinkType::kEthernet);
  add_sample(w, LinkType::kEthernet);
  std::vector<uint8_t> b = w.bytes();
  // The second record's caplen (after the 24-byte header and the first record).
  const size_t first_len = b[24 + 8] | b[24 + 9] << 8;
  const size_t at = 24 + 16 + first_len + 8;
  b[at] = b[at + 1] = b[at + 2] = 0xff;
  b[at + 3] = 0x7f;
  auto r = PcapReader::open_memory(b);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->next_record());
  auto bad = r->next_record();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, PcapErrorKind::kBadRecord) << bad.error().to_string();
  EXPECT_EQ(bad.error().records_read, 1u);
}

// Files on disk are read through a mapping (classic pcap) until anything is unusual, then by
// libpcap; files in memory always by libpcap. Both must give the same records and the same
// error for every cut of a file and for an impossible record length.
struct Seen {
  std::vector<std::tuple<uint64_t, int64_t, uint32_t, uint32_t, std::vector<uint8_t>>> records;
  std::optional<std::pair<PcapErrorKind, uint64_t>> error;
  bool opened = false;
  bool operator==(const Seen&) const = default;
};
Seen read_all(PcapResult<PcapReader> r) {
  Seen s;
  if (!r) return s;
  s.opened = true;
  for (;;) {
    auto rec = r->next_record();
    if (!rec) {
      s.error = std::make_pair(rec.error().kind, rec.error().records_read);
      break;
    }
    if (!*rec) break;
    const Record& x = **rec;
    s.records.emplace_back(x.frame, x.ts.sec, x.ts.nsec, x.orig_len,
                           std::vector<uint8_t>(x.data.begin(), x.data.end()));
  }
  return s;
}

TEST(Reader, MappedFileReadsLikeLibpcap) {
  for (bool nano : {false, true}) {
    PcapWriter w(LinkType::kEthernet, nano);
    add_sample(w, LinkType::kEthernet);
    std::vector<uint8_t> all = w.bytes();
    const std::string path = tmp_path("mapped.pcap");
    for (size_t cut = 24; cut <= all.size(); ++cut) {
      std::vector<uint8_t> head(all.begin(), all.begin() + static_cast<ptrdiff_t>(cut));
      write(path, head);
      const Seen mapped = read_all(PcapReader::open(path));
      const Seen lib = read_all(PcapReader::open_memory(head));
      EXPECT_TRUE(mapped.opened);
      EXPECT_EQ(mapped, lib) << "cut at " << cut << " nano " << nano;
    }
    // caplen far beyond the snapshot length in record 2.
    const size_t first_len = all[24 + 8] | all[24 + 9] << 8;
    const size_t at = 24 + 16 + first_len + 8;
    all[at] = all[at + 1] = all[at + 2] = 0xff;
    all[at + 3] = 0x7f;
    write(path, all);
    const Seen mapped = read_all(PcapReader::open(path));
    EXPECT_EQ(mapped, read_all(PcapReader::open_memory(all)));
    ASSERT_TRUE(mapped.error);
    EXPECT_EQ(mapped.error->first, PcapErrorKind::kBadRecord);
    EXPECT_EQ(mapped.error->second, 1u);
    EXPECT_EQ(mapped.records.size(), 1u);
  }
}

TEST(Reader, MoveKeepsTheHandle) {
  PcapWriter w(LinkType::kEthernet);
  add_sample(w, LinkType::kEthernet);
  auto r = PcapReader::open_memory(w.bytes());
  ASSERT_TRUE(r);
  PcapReader a = std::move(*r);
  ASSERT_TRUE(a.next_record());
  PcapReader b = std::move(a);
  auto rec = b.next_record();
  ASSERT_TRUE(rec && *rec);
  EXPECT_EQ((*rec)->frame, 2u);
}

}  // namespace
}  // namespace cephwire::pcap
