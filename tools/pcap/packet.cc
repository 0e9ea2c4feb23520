#include "tools/pcap/packet.h"

#include <arpa/inet.h>

#include <cstring>

namespace cephwire::pcap {
namespace {

inline uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
inline uint32_t le32(const uint8_t* p) {
  return uint32_t{p[3]} << 24 | uint32_t{p[2]} << 16 | uint32_t{p[1]} << 8 | p[0];
}

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr uint16_t kEtherVlan = 0x8100;   // 802.1Q
constexpr uint16_t kEtherQinQ = 0x88a8;   // 802.1ad
constexpr uint16_t kEtherQinQOld = 0x9100;

// Every decoder fills `p` and returns true, or sets `*sk` and returns false.
inline bool skip(Skip* sk, SkipReason r, uint32_t detail = 0) {
  sk->reason = r;
  sk->detail = detail;
  return false;
}

inline void set_v4(IpAddress& a, const uint8_t* b) {
  uint64_t w = 0;
  std::memcpy(&w, b, 4);
  const uint64_t zero = 0;
  std::memcpy(a.bytes.data(), &w, 8);
  std::memcpy(a.bytes.data() + 8, &zero, 8);
  a.version = 4;
}
inline void set_v6(IpAddress& a, const uint8_t* b) {
  std::memcpy(a.bytes.data(), b, 16);
  a.version = 6;
}

bool decode_ip_into(std::span<const uint8_t> ip, TcpPacket& p, Skip* sk);

bool decode_tcp(std::span<const uint8_t> seg, TcpPacket& p, Skip* sk) {
  if (seg.size() < 20) return skip(sk, SkipReason::kTruncated);
  const uint8_t* t = seg.data();
  const size_t doff = static_cast<size_t>(t[12] >> 4) * 4;
  if (doff < 20) return skip(sk, SkipReason::kMalformed);
  if (doff > seg.size()) return skip(sk, SkipReason::kTruncated);
  p.src.port = be16(t);
  p.dst.port = be16(t + 2);
  p.seq = be32(t + 4);
  p.ack = be32(t + 8);
  p.flags = t[13];
  p.window = be16(t + 14);
  p.options = seg.subspan(20, doff - 20);
  p.payload = seg.subspan(doff);
  return true;
}

bool decode_ipv4(std::span<const uint8_t> ip, TcpPacket& p, Skip* sk) {
  if (ip.size() < 20) return skip(sk, SkipReason::kTruncated);
  const uint8_t* h = ip.data();
  if ((h[0] >> 4) != 4) return skip(sk, SkipReason::kMalformed);
  const size_t ihl = static_cast<size_t>(h[0] & 0x0fu) * 4;
  if (ihl < 20) return skip(sk, SkipReason::kMalformed);
  size_t total = be16(h + 2);
  if (total == 0) {
    total = ip.size();  // TSO on the capturing host: the length is filled in by the NIC later
  } else if (total < ihl) {
    return skip(sk, SkipReason::kMalformed);
  }
  if (ihl > ip.size()) return skip(sk, SkipReason::kTruncated);
  const uint16_t frag = be16(h + 6);
  const uint8_t proto = h[9];
  if ((frag & 0x2000) != 0 || (frag & 0x1fff) != 0) return skip(sk, SkipReason::kFragment, proto);
  if (proto != 6) return skip(sk, SkipReason::kNotTcp, proto);
  if (total > ip.size()) return skip(sk, SkipReason::kTruncated);
  set_v4(p.src.ip, h + 12);
  set_v4(p.dst.ip, h + 16);
  return decode_tcp(ip.subspan(ihl, total - ihl), p, sk);  // the end drops Ethernet padding
}

bool decode_ipv6(std::span<const uint8_t> ip, TcpPacket& p, Skip* sk) {
  if (ip.size() < 40) return skip(sk, SkipReason::kTruncated);
  const uint8_t* h = ip.data();
  if ((h[0] >> 4) != 6) return skip(sk, SkipReason::kMalformed);
  size_t plen = be16(h + 4);
  if (plen == 0) {
    plen = ip.size() - 40;  // jumbogram (RFC 2675) or TSO: take what was captured
  } else if (40 + plen > ip.size()) {
    return skip(sk, SkipReason::kTruncated);
  }
  std::span<const uint8_t> rest = ip.subspan(40, plen);
  uint8_t next = h[6];
  for (;;) {
    switch (next) {
      case 0:     // hop-by-hop options
      case 43:    // routing
      case 60:    // destination options
      case 135:   // mobility
      case 139:   // HIP
      case 140: {  // shim6
        if (rest.size() < 8) return skip(sk, SkipReason::kTruncated);
        const size_t len = (size_t{rest[1]} + 1) * 8;
        if (len > rest.size()) return skip(sk, SkipReason::kTruncated);
        next = rest[0];
        rest = rest.subspan(len);
        continue;
      }
      case 51: {  // AH: length in 4-octet units, minus 2
        if (rest.size() < 8) return skip(sk, SkipReason::kTruncated);
        const size_t len = (size_t{rest[1]} + 2) * 4;
        if (len > rest.size()) return skip(sk, SkipReason::kTruncated);
        next = rest[0];
        rest = rest.subspan(len);
        continue;
      }
      case 44: {  // fragment header: only an atomic fragment (offset 0, no M flag) is whole
        if (rest.size() < 8) return skip(sk, SkipReason::kTruncated);
        const uint16_t off_m = be16(rest.data() + 2);
        if ((off_m & 0xfff9) != 0) return skip(sk, SkipReason::kFragment, rest[0]);
        next = rest[0];
        rest = rest.subspan(8);
        continue;
      }
      default:
        break;
    }
    break;
  }
  if (next != 6) return skip(sk, SkipReason::kNotTcp, next);
  set_v6(p.src.ip, h + 8);
  set_v6(p.dst.ip, h + 24);
  return decode_tcp(rest, p, sk);
}

bool decode_ip_into(std::span<const uint8_t> ip, TcpPacket& p, Skip* sk) {
  if (ip.empty()) return skip(sk, SkipReason::kTruncated);
  switch (ip[0] >> 4) {
    case 4: return decode_ipv4(ip, p, sk);
    case 6: return decode_ipv6(ip, p, sk);
    default: return skip(sk, SkipReason::kMalformed);
  }
}

// After the link layer: an ethertype and the bytes that follow it.
bool by_ethertype(uint16_t type, std::span<const uint8_t> rest, TcpPacket& p, Skip* sk) {
  while (type == kEtherVlan || type == kEtherQinQ || type == kEtherQinQOld) {
    if (rest.size() < 4) return skip(sk, SkipReason::kTruncated);
    type = be16(rest.data() + 2);
    rest = rest.subspan(4);
  }
  if (type == kEtherIpv4) {
    if (rest.empty()) return skip(sk, SkipReason::kTruncated);
    return decode_ipv4(rest, p, sk);
  }
  if (type == kEtherIpv6) {
    if (rest.empty()) return skip(sk, SkipReason::kTruncated);
    return decode_ipv6(rest, p, sk);
  }
  return skip(sk, SkipReason::kNotIp, type);
}

// NULL / LOOP: an AF_ value. Either byte order is accepted (a NULL capture from a big-endian
// host, or a LOOP header written little-endian by mistake): a value with the low 16 bits zero
// is the other order.
bool by_address_family(uint32_t af, std::span<const uint8_t> rest, TcpPacket& p, Skip* sk) {
  if ((af & 0xffff) == 0) af = __builtin_bswap32(af);
  switch (af) {
    case 2:  // AF_INET everywhere
      if (rest.empty()) return skip(sk, SkipReason::kTruncated);
      return decode_ipv4(rest, p, sk);
    case 10:  // AF_INET6: Linux
    case 24:  // NetBSD, OpenBSD, BSD/OS
    case 28:  // FreeBSD, DragonFly
    case 30:  // Darwin
      if (rest.empty()) return skip(sk, SkipReason::kTruncated);
      return decode_ipv6(rest, p, sk);
    default:
      return skip(sk, SkipReason::kNotIp, af);
  }
}

}  // namespace

IpAddress IpAddress::v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddress r;
  r.version = 4;
  r.bytes[0] = a;
  r.bytes[1] = b;
  r.bytes[2] = c;
  r.bytes[3] = d;
  return r;
}

IpAddress IpAddress::v4(std::span<const uint8_t, 4> b) {
  IpAddress r;
  r.version = 4;
  std::memcpy(r.bytes.data(), b.data(), 4);
  return r;
}

IpAddress IpAddress::v6(std::span<const uint8_t, 16> b) {
  IpAddress r;
  r.version = 6;
  std::memcpy(r.bytes.data(), b.data(), 16);
  return r;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(version == 4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf) == nullptr) {
    return "?";
  }
  return buf;
}

std::string Endpoint::to_string() const {
  if (ip.version == 6) return "[" + ip.to_string() + "]:" + std::to_string(port);
  return ip.to_string() + ":" + std::to_string(port);
}

std::string_view to_string(LinkType t) {
  switch (t) {
    case LinkType::kEthernet: return "ethernet";
    case LinkType::kLinuxSll: return "linux-sll";
    case LinkType::kLinuxSll2: return "linux-sll2";
    case LinkType::kNull: return "null";
    case LinkType::kLoop: return "loop";
    case LinkType::kRaw: return "raw";
    case LinkType::kIpv4: return "ipv4";
    case LinkType::kIpv6: return "ipv6";
  }
  return "?";
}

std::optional<LinkType> link_type_from_dlt(int dlt) {
  switch (dlt) {
    case 1: return LinkType::kEthernet;
    case 113: return LinkType::kLinuxSll;
    case 276: return LinkType::kLinuxSll2;
    case 0: return LinkType::kNull;
    case 108: return LinkType::kLoop;
    case 12:   // DLT_RAW (everywhere but OpenBSD)
    case 14:   // DLT_RAW on OpenBSD
    case 101:  // LINKTYPE_RAW, should libpcap ever hand it through unmapped
      return LinkType::kRaw;
    case 228: return LinkType::kIpv4;
    case 229: return LinkType::kIpv6;
    default: return std::nullopt;
  }
}

uint16_t linktype_value(LinkType t) {
  switch (t) {
    case LinkType::kEthernet: return 1;
    case LinkType::kLinuxSll: return 113;
    case LinkType::kLinuxSll2: return 276;
    case LinkType::kNull: return 0;
    case LinkType::kLoop: return 108;
    case LinkType::kRaw: return 101;
    case LinkType::kIpv4: return 228;
    case LinkType::kIpv6: return 229;
  }
  return 0;
}

std::string_view to_string(SkipReason r) {
  switch (r) {
    case SkipReason::kNotIp: return "not IP";
    case SkipReason::kNotTcp: return "not TCP";
    case SkipReason::kFragment: return "fragmented";
    case SkipReason::kTruncated: return "truncated";
    case SkipReason::kMalformed: return "malformed";
  }
  return "?";
}

void SkipStats::add(const Skip& s) {
  ++by_reason[static_cast<size_t>(s.reason)];
  if (s.reason == SkipReason::kNotTcp) ++ip_protocol[s.detail & 0xff];
}

uint64_t SkipStats::total() const {
  uint64_t n = 0;
  for (uint64_t c : by_reason) n += c;
  return n;
}

tl::expected<TcpPacket, Skip> decode_ip(std::span<const uint8_t> ip, uint64_t frame,
                                        Timestamp ts) {
  TcpPacket p;
  Skip sk;
  if (!decode_ip_into(ip, p, &sk)) return tl::unexpected<Skip>(sk);
  p.frame = frame;
  p.ts = ts;
  return p;
}

bool decode_frame_into(LinkType link, std::span<const uint8_t> b, TcpPacket& p, Skip* sk) {
  switch (link) {
    case LinkType::kEthernet: {
      if (b.size() < 14) return skip(sk, SkipReason::kTruncated);
      const uint16_t type = be16(b.data() + 12);
      if (type < 0x0600) return skip(sk, SkipReason::kNotIp, type);  // 802.3 length: LLC/SNAP
      return by_ethertype(type, b.subspan(14), p, sk);
    }
    case LinkType::kLinuxSll:
      // packet type(2) ARPHRD(2) address length(2) address(8) protocol(2)
      if (b.size() < 16) return skip(sk, SkipReason::kTruncated);
      return by_ethertype(be16(b.data() + 14), b.subspan(16), p, sk);
    case LinkType::kLinuxSll2:
      // protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) address length(1) address(8)
      if (b.size() < 20) return skip(sk, SkipReason::kTruncated);
      return by_ethertype(be16(b.data()), b.subspan(20), p, sk);
    case LinkType::kNull:
      if (b.size() < 4) return skip(sk, SkipReason::kTruncated);
      return by_address_family(le32(b.data()), b.subspan(4), p, sk);
    case LinkType::kLoop:
      if (b.size() < 4) return skip(sk, SkipReason::kTruncated);
      return by_address_family(be32(b.data()), b.subspan(4), p, sk);
    case LinkType::kRaw:
      return decode_ip_into(b, p, sk);
    case LinkType::kIpv4:
      if (b.empty()) return skip(sk, SkipReason::kTruncated);
      return decode_ipv4(b, p, sk);
    case LinkType::kIpv6:
      if (b.empty()) return skip(sk, SkipReason::kTruncated);
      return decode_ipv6(b, p, sk);
  }
  return skip(sk, SkipReason::kMalformed);
}

tl::expected<TcpPacket, Skip> decode_frame(LinkType link, std::span<const uint8_t> b,
                                           uint64_t frame, Timestamp ts) {
  TcpPacket p;
  Skip sk;
  if (!decode_frame_into(link, b, p, &sk)) return tl::unexpected<Skip>(sk);
  p.frame = frame;
  p.ts = ts;
  return p;
}

}  // namespace cephwire::pcap
