// Sans-IO decoding of one captured frame into a TCP segment: link layer (Ethernet with 802.1Q /
// 802.1ad tags, Linux cooked SLL and SLL2, BSD loopback NULL / LOOP, raw IP), IPv4 (options; IP
// fragments are reported, never reassembled or mis-decoded) and IPv6 (extension headers
// skipped), then TCP. Anything else is a Skip with a reason.
//
// Formats followed (no code copied):
//   - link-layer headers: https://www.tcpdump.org/linktypes.html (LINKTYPE_ETHERNET 1,
//     LINKTYPE_NULL 0, LINKTYPE_LOOP 108, LINKTYPE_RAW 101, LINKTYPE_LINUX_SLL 113,
//     LINKTYPE_LINUX_SLL2 276, LINKTYPE_IPV4 228, LINKTYPE_IPV6 229) and libpcap's
//     pcap/sll.h; the AF_INET6 values of the NULL header as Wireshark's epan/aftypes.h lists them.
//   - IPv4: RFC 791; IPv6: RFC 8200 (extension header chain, fragment header), RFC 4302 (AH
//     length in 4-octet units); TCP: RFC 9293.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "codec/stream.h"

namespace cephwire::pcap {

using Dir = codec::Dir;

struct Timestamp {
  int64_t sec = 0;
  uint32_t nsec = 0;  // 0 .. 999'999'999 (microsecond files are scaled up)
  uint32_t usec() const { return nsec / 1000; }
  auto operator<=>(const Timestamp&) const = default;
};

struct IpAddress {
  alignas(8) std::array<uint8_t, 16> bytes{};  // IPv4 uses bytes[0..3], the rest stay zero
  uint8_t version = 4;                         // 4 or 6
  static IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
  static IpAddress v4(std::span<const uint8_t, 4> b);
  static IpAddress v6(std::span<const uint8_t, 16> b);
  std::span<const uint8_t> span() const { return {bytes.data(), version == 4 ? 4u : 16u}; }
  std::string to_string() const;     // "127.0.0.1", "::1" (RFC 5952 short form)
  auto operator<=>(const IpAddress&) const = default;
};

struct Endpoint {
  IpAddress ip;
  uint16_t port = 0;
  std::string to_string() const;     // "127.0.0.1:42000", "[::1]:42000"
  auto operator<=>(const Endpoint&) const = default;
};

namespace tcp_flags {
inline constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10,
                         kUrg = 0x20, kEce = 0x40, kCwr = 0x80;
}

// One TCP segment. The spans view the captured frame: valid while the frame's bytes are.
struct TcpPacket {
  uint64_t frame = 0;  // 1-based record number in the capture (Wireshark's frame number)
  Timestamp ts;
  Endpoint src, dst;
  uint32_t seq = 0, ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;                   // raw header value (not scaled)
  std::span<const uint8_t> options;      // TCP options
  std::span<const uint8_t> payload;

  bool has(uint8_t f) const { return (flags & f) != 0; }
};

enum class LinkType : uint8_t {
  kEthernet,   // DLT_EN10MB
  kLinuxSll,   // DLT_LINUX_SLL
  kLinuxSll2,  // DLT_LINUX_SLL2
  kNull,       // DLT_NULL: 4-byte AF_ value in the capturing host's byte order
  kLoop,       // DLT_LOOP: 4-byte AF_ value in network byte order
  kRaw,        // DLT_RAW: IPv4 or IPv6 by the version nibble
  kIpv4,       // LINKTYPE_IPV4
  kIpv6,       // LINKTYPE_IPV6
};

std::string_view to_string(LinkType t);
// libpcap's pcap_datalink() value (DLT_*) -> LinkType; nullopt when not supported.
std::optional<LinkType> link_type_from_dlt(int dlt);
// The LINKTYPE_* value a capture file stores for t (what writers put in the header / IDB).
uint16_t linktype_value(LinkType t);

enum class SkipReason : uint8_t {
  kNotIp,       // ARP, LLC, other ethertypes / address families
  kNotTcp,      // UDP, ICMP, ESP, ... (by IP protocol, see SkipStats::ip_protocol)
  kFragment,    // an IPv4 or IPv6 fragment: not reassembled
  kTruncated,   // captured bytes end inside the headers or the IP payload (snaplen)
  kMalformed,   // a header that cannot be right (IHL < 5, bad version, TCP offset < 5, ...)
};
inline constexpr size_t kNumSkipReasons = 5;
std::string_view to_string(SkipReason r);

struct Skip {
  SkipReason reason = SkipReason::kMalformed;
  uint32_t detail = 0;  // kNotIp: ethertype or AF value; kNotTcp: IP protocol number
};

struct SkipStats {
  std::array<uint64_t, kNumSkipReasons> by_reason{};
  std::array<uint64_t, 256> ip_protocol{};  // kNotTcp skips by IP protocol (17 UDP, 1 ICMP, ...)
  void add(const Skip& s);
  uint64_t count(SkipReason r) const { return by_reason[static_cast<size_t>(r)]; }
  uint64_t total() const;
};

// Decodes one captured frame. `frame` and `ts` are copied into the result.
tl::expected<TcpPacket, Skip> decode_frame(LinkType link, std::span<const uint8_t> bytes,
                                           uint64_t frame = 0, Timestamp ts = {});
// The same without building a result object: fills `out` (all fields but frame and ts, which
// the caller sets) and returns true, or sets *skip and returns false. The fast path.
bool decode_frame_into(LinkType link, std::span<const uint8_t> bytes, TcpPacket& out,
                       Skip* skip);

// The same from the IP header on (what the link layer carries); version from the nibble.
tl::expected<TcpPacket, Skip> decode_ip(std::span<const uint8_t> ip, uint64_t frame = 0,
                                        Timestamp ts = {});

}  // namespace cephwire::pcap
