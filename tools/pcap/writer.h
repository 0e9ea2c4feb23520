// Hand-written capture writers and frame builders, for tests that need doctored captures and
// for benchmarks. Formats: classic pcap (https://www.tcpdump.org/manpages/pcap-savefile.5.html,
// little-endian, microsecond magic a1b2c3d4 or nanosecond a1b23c4d) and pcapng
// (draft-ietf-opsawg-pcapng: Section Header Block, Interface Description Block with
// if_tsresol, Enhanced Packet Blocks).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tools/pcap/packet.h"

namespace cephwire::pcap {

class PcapWriter {
 public:
  explicit PcapWriter(LinkType link, bool nanosecond = false, uint32_t snaplen = 262144);
  explicit PcapWriter(uint32_t raw_linktype, bool nanosecond = false, uint32_t snaplen = 262144);
  // orig_len 0 = the captured length.
  void add(Timestamp ts, std::span<const uint8_t> frame, uint32_t orig_len = 0);
  const std::vector<uint8_t>& bytes() const { return out_; }
  bool save(const std::string& path) const;

 private:
  std::vector<uint8_t> out_;
  bool nano_;
};

class PcapngWriter {
 public:
  explicit PcapngWriter(LinkType link, uint32_t snaplen = 262144);
  void add(Timestamp ts, std::span<const uint8_t> frame, uint32_t orig_len = 0);
  // Blocks libpcap must skip: a Name Resolution Block and a custom block between packets.
  void add_ignored_blocks();
  const std::vector<uint8_t>& bytes() const { return out_; }
  bool save(const std::string& path) const;

 private:
  std::vector<uint8_t> out_;
};

// Layer builders. Checksums are computed (IPv4 header, TCP/UDP/ICMP), though the reader
// ignores them.
struct TcpSpec {
  Endpoint src, dst;
  uint32_t seq = 0, ack = 0;
  uint8_t flags = tcp_flags::kAck;
  uint16_t window = 65535;
  std::span<const uint8_t> options;  // padded to 4 bytes
  std::span<const uint8_t> payload;
};

std::vector<uint8_t> tcp_segment(const TcpSpec& s);  // TCP header + payload
// IPv4 or IPv6 (by src.version) header + l4. IPv4 `options` (padded) go into the header;
// IPv6 `ext` is a chain of extension headers: pairs (type, body) where body excludes the
// next-header byte, which the builder fills in.
struct IpExt {
  uint8_t type = 0;
  std::vector<uint8_t> body;  // after the next-header byte (length byte included for most)
};
std::vector<uint8_t> ip_packet(const IpAddress& src, const IpAddress& dst, uint8_t protocol,
                               std::span<const uint8_t> l4, std::span<const uint8_t> options = {},
                               const std::vector<IpExt>& ext = {}, uint16_t frag_field = 0x4000);

struct LinkOptions {
  std::vector<uint16_t> vlan_tags;  // Ethernet: 802.1Q tags (VLAN ids) before the ethertype
  bool null_big_endian = false;     // NULL: write the AF value big-endian (a BE host)
  bool loop_little_endian = false;  // LOOP: write the AF value little-endian (wrong but seen)
  uint32_t af_inet6 = 10;           // NULL / LOOP AF value for IPv6 (10, 24, 28 or 30)
};
// Prepends the link-layer header for `link` to an IP packet (ethertype from the version).
std::vector<uint8_t> encapsulate(LinkType link, std::span<const uint8_t> ip,
                                 const LinkOptions& o = {});
// Ethernet frame with an arbitrary ethertype (ARP and the like).
std::vector<uint8_t> ethernet_frame(uint16_t ethertype, std::span<const uint8_t> body);

std::vector<uint8_t> tcp_frame(LinkType link, const TcpSpec& s, const LinkOptions& o = {});
std::vector<uint8_t> udp_frame(LinkType link, const Endpoint& src, const Endpoint& dst,
                               std::span<const uint8_t> payload);
std::vector<uint8_t> icmp_echo_frame(LinkType link, const IpAddress& src, const IpAddress& dst);
std::vector<uint8_t> arp_frame();  // Ethernet ARP request

// Rewrites an IPv4 packet as IPv6 (addresses as fd00::a.b.c.d, hop limit from the TTL), keeping
// the L4 bytes as they are (their checksum is then stale; the reader does not check it).
std::vector<uint8_t> ipv4_to_ipv6(std::span<const uint8_t> ipv4);

}  // namespace cephwire::pcap
