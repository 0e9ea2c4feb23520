#include "tools/pcap/writer.h"

#include <cstdio>
#include <cstring>

namespace cephwire::pcap {
namespace {

void put16le(std::vector<uint8_t>& o, uint16_t v) {
  o.push_back(static_cast<uint8_t>(v));
  o.push_back(static_cast<uint8_t>(v >> 8));
}
void put32le(std::vector<uint8_t>& o, uint32_t v) {
  for (int i = 0; i < 4; ++i) o.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put16be(std::vector<uint8_t>& o, uint16_t v) {
  o.push_back(static_cast<uint8_t>(v >> 8));
  o.push_back(static_cast<uint8_t>(v));
}
void put32be(std::vector<uint8_t>& o, uint32_t v) {
  for (int i = 3; i >= 0; --i) o.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void set16be(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void append(std::vector<uint8_t>& o, std::span<const uint8_t> b) {
  o.insert(o.end(), b.begin(), b.end());
}

// RFC 1071 one's-complement sum.
uint32_t sum16(std::span<const uint8_t> b, uint32_t acc = 0) {
  size_t i = 0;
  for (; i + 1 < b.size(); i += 2) acc += uint32_t{b[i]} << 8 | b[i + 1];
  if (i < b.size()) acc += uint32_t{b[i]} << 8;
  return acc;
}
uint16_t fold(uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<uint16_t>(~acc);
}
uint16_t l4_checksum(const IpAddress& src, const IpAddress& dst, uint8_t proto,
                     std::span<const uint8_t> l4) {
  uint32_t acc = sum16(src.span());
  acc = sum16(dst.span(), acc);
  acc += proto;
  acc += static_cast<uint32_t>(l4.size() & 0xffff) + static_cast<uint32_t>(l4.size() >> 16);
  acc = sum16(l4, acc);
  return fold(acc);
}

bool write_file(const std::string& path, const std::vector<uint8_t>& b) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = b.empty() || std::fwrite(b.data(), 1, b.size(), f) == b.size();
  return std::fclose(f) == 0 && ok;
}

void pad4(std::vector<uint8_t>& o) {
  while (o.size() % 4 != 0) o.push_back(0);
}

}  // namespace

PcapWriter::PcapWriter(LinkType link, bool nanosecond, uint32_t snaplen)
    : PcapWriter(uint32_t{linktype_value(link)}, nanosecond, snaplen) {}

PcapWriter::PcapWriter(uint32_t raw_linktype, bool nanosecond, uint32_t snaplen)
    : nano_(nanosecond) {
  put32le(out_, nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
  put16le(out_, 2);  // version 2.4
  put16le(out_, 4);
  put32le(out_, 0);  // thiszone
  put32le(out_, 0);  // sigfigs
  put32le(out_, snaplen);
  put32le(out_, raw_linktype);
}

void PcapWriter::add(Timestamp ts, std::span<const uint8_t> frame, uint32_t orig_len) {
  put32le(out_, static_cast<uint32_t>(ts.sec));
  put32le(out_, nano_ ? ts.nsec : ts.nsec / 1000);
  put32le(out_, static_cast<uint32_t>(frame.size()));
  put32le(out_, orig_len != 0 ? orig_len : static_cast<uint32_t>(frame.size()));
  append(out_, frame);
}

bool PcapWriter::save(const std::string& path) const { return write_file(path, out_); }

PcapngWriter::PcapngWriter(LinkType link, uint32_t snaplen) {
  // Section Header Block: type, length, byte-order magic, version 1.0, section length -1.
  put32le(out_, 0x0a0d0d0a);
  put32le(out_, 28);
  put32le(out_, 0x1a2b3c4d);
  put16le(out_, 1);
  put16le(out_, 0);
  put32le(out_, 0xffffffff);
  put32le(out_, 0xffffffff);
  put32le(out_, 28);
  // Interface Description Block with if_tsresol = 9 (nanoseconds) and opt_endofopt.
  put32le(out_, 1);
  put32le(out_, 32);
  put16le(out_, linktype_value(link));
  put16le(out_, 0);
  put32le(out_, snaplen);
  put16le(out_, 9);  // if_tsresol
  put16le(out_, 1);
  out_.push_back(9);
  out_.insert(out_.end(), {0, 0, 0});
  put16le(out_, 0);  // opt_endofopt
  put16le(out_, 0);
  put32le(out_, 32);
}

void PcapngWriter::add(Timestamp ts, std::span<const uint8_t> frame, uint32_t orig_len) {
  const uint32_t padded = static_cast<uint32_t>((frame.size() + 3) & ~size_t{3});
  const uint32_t len = 32 + padded;
  const uint64_t t = static_cast<uint64_t>(ts.sec) * 1000000000u + ts.nsec;
  put32le(out_, 6);  // Enhanced Packet Block
  put32le(out_, len);
  put32le(out_, 0);  // interface 0
  put32le(out_, static_cast<uint32_t>(t >> 32));
  put32le(out_, static_cast<uint32_t>(t));
  put32le(out_, static_cast<uint32_t>(frame.size()));
  put32le(out_, orig_len != 0 ? orig_len : static_cast<uint32_t>(frame.size()));
  append(out_, frame);
  pad4(out_);
  put32le(out_, len);
}

void PcapngWriter::add_ignored_blocks() {
  // Name Resolution Block: one IPv4 record (127.0.0.1 "lo"), nrb_record_end.
  const uint8_t rec[] = {127, 0, 0, 1, 'l', 'o', 0, 0};
  constexpr uint32_t kNrbLen = 8 + 4 + sizeof rec + 4 + 4;
  put32le(out_, 4);
  put32le(out_, kNrbLen);
  put16le(out_, 1);  // nrb_record_ipv4
  put16le(out_, 7);  // value length: address + "lo\0", padded to 8 above
  append(out_, rec);
  put16le(out_, 0);  // nrb_record_end
  put16le(out_, 0);
  put32le(out_, kNrbLen);
  // Custom block (0x00000BAD, copiable): PEN + 4 bytes.
  put32le(out_, 0x00000bad);
  put32le(out_, 20);
  put32le(out_, 32473);  // the documentation PEN (RFC 5612)
  put32le(out_, 0xdeadbeef);
  put32le(out_, 20);
}

bool PcapngWriter::save(const std::string& path) const { return write_file(path, out_); }

std::vector<uint8_t> tcp_segment(const TcpSpec& s) {
  std::vector<uint8_t> o;
  const size_t opt_len = (s.options.size() + 3) & ~size_t{3};
  const size_t hlen = 20 + opt_len;
  put16be(o, s.src.port);
  put16be(o, s.dst.port);
  put32be(o, s.seq);
  put32be(o, s.ack);
  o.push_back(static_cast<uint8_t>((hlen / 4) << 4));
  o.push_back(s.flags);
  put16be(o, s.window);
  put16be(o, 0);  // checksum, below
  put16be(o, 0);  // urgent pointer
  append(o, s.options);
  while (o.size() < hlen) o.push_back(0);  // EOL padding
  append(o, s.payload);
  set16be(o.data() + 16, l4_checksum(s.src.ip, s.dst.ip, 6, o));
  return o;
}

std::vector<uint8_t> ip_packet(const IpAddress& src, const IpAddress& dst, uint8_t protocol,
                               std::span<const uint8_t> l4, std::span<const uint8_t> options,
                               const std::vector<IpExt>& ext, uint16_t frag_field) {
  std::vector<uint8_t> o;
  if (src.version == 4) {
    const size_t opt_len = (options.size() + 3) & ~size_t{3};
    const size_t ihl = 20 + opt_len;
    o.push_back(static_cast<uint8_t>(0x40 | ihl / 4));
    o.push_back(0);
    put16be(o, static_cast<uint16_t>(ihl + l4.size()));
    put16be(o, 0x1234);  // identification
    put16be(o, frag_field);
    o.push_back(64);
    o.push_back(protocol);
    put16be(o, 0);
    append(o, src.span());
    append(o, dst.span());
    append(o, options);
    while (o.size() < ihl) o.push_back(0);
    set16be(o.data() + 10, fold(sum16(o)));
    append(o, l4);
    return o;
  }
  std::vector<uint8_t> chain;
  for (size_t i = 0; i < ext.size(); ++i) {
    chain.push_back(i + 1 < ext.size() ? ext[i + 1].type : protocol);
    append(chain, ext[i].body);
  }
  o.push_back(0x60);
  o.insert(o.end(), {0, 0, 0});
  put16be(o, static_cast<uint16_t>(chain.size() + l4.size()));
  o.push_back(ext.empty() ? protocol : ext[0].type);
  o.push_back(64);
  append(o, src.span());
  append(o, dst.span());
  append(o, chain);
  append(o, l4);
  return o;
}

std::vector<uint8_t> encapsulate(LinkType link, std::span<const uint8_t> ip,
                                 const LinkOptions& opt) {
  const bool v6 = !ip.empty() && (ip[0] >> 4) == 6;
  const uint16_t ethertype = v6 ? 0x86dd : 0x0800;
  const uint32_t af = v6 ? opt.af_inet6 : 2;
  std::vector<uint8_t> o;
  switch (link) {
    case LinkType::kEthernet:
      o = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // loopback's all-zero MACs
      for (uint16_t vid : opt.vlan_tags) {
        put16be(o, 0x8100);
        put16be(o, vid & 0x0fff);
      }
      put16be(o, ethertype);
      break;
    case LinkType::kLinuxSll:
      put16be(o, 0);      // packet type: to us
      put16be(o, 772);    // ARPHRD_LOOPBACK
      put16be(o, 6);      // address length
      o.insert(o.end(), 8, 0);
      put16be(o, ethertype);
      break;
    case LinkType::kLinuxSll2:
      put16be(o, ethertype);
      put16be(o, 0);      // reserved
      put32be(o, 1);      // interface index
      put16be(o, 772);    // ARPHRD_LOOPBACK
      o.push_back(0);     // packet type
      o.push_back(6);     // address length
      o.insert(o.end(), 8, 0);
      break;
    case LinkType::kNull:
      if (opt.null_big_endian) {
        put32be(o, af);
      } else {
        put32le(o, af);
      }
      break;
    case LinkType::kLoop:
      if (opt.loop_little_endian) {
        put32le(o, af);
      } else {
        put32be(o, af);
      }
      break;
    case LinkType::kRaw:
    case LinkType::kIpv4:
    case LinkType::kIpv6:
      break;
  }
  append(o, ip);
  return o;
}

std::vector<uint8_t> ethernet_frame(uint16_t ethertype, std::span<const uint8_t> body) {
  std::vector<uint8_t> o = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1};
  put16be(o, ethertype);
  append(o, body);
  while (o.size() < 60) o.push_back(0);  // minimum frame, padded
  return o;
}

std::vector<uint8_t> tcp_frame(LinkType link, const TcpSpec& s, const LinkOptions& o) {
  return encapsulate(link, ip_packet(s.src.ip, s.dst.ip, 6, tcp_segment(s)), o);
}

std::vector<uint8_t> udp_frame(LinkType link, const Endpoint& src, const Endpoint& dst,
                               std::span<const uint8_t> payload) {
  std::vector<uint8_t> u;
  put16be(u, src.port);
  put16be(u, dst.port);
  put16be(u, static_cast<uint16_t>(8 + payload.size()));
  put16be(u, 0);
  append(u, payload);
  set16be(u.data() + 6, l4_checksum(src.ip, dst.ip, 17, u));
  return encapsulate(link, ip_packet(src.ip, dst.ip, 17, u));
}

std::vector<uint8_t> icmp_echo_frame(LinkType link, const IpAddress& src, const IpAddress& dst) {
  std::vector<uint8_t> m = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g'};
  if (src.version == 6) {
    m[0] = 128;  // ICMPv6 echo request
    set16be(m.data() + 2, l4_checksum(src, dst, 58, m));
    return encapsulate(link, ip_packet(src, dst, 58, m));
  }
  set16be(m.data() + 2, fold(sum16(m)));
  return encapsulate(link, ip_packet(src, dst, 1, m));
}

std::vector<uint8_t> arp_frame() {
  std::vector<uint8_t> a;
  put16be(a, 1);       // Ethernet
  put16be(a, 0x0800);  // IPv4
  a.push_back(6);
  a.push_back(4);
  put16be(a, 1);       // request
  a.insert(a.end(), {2, 0, 0, 0, 0, 1, 10, 0, 0, 1});
  a.insert(a.end(), {0, 0, 0, 0, 0, 0, 10, 0, 0, 2});
  return ethernet_frame(0x0806, a);
}

std::vector<uint8_t> ipv4_to_ipv6(std::span<const uint8_t> ip4) {
  if (ip4.size() < 20 || (ip4[0] >> 4) != 4) return {};
  const size_t ihl = static_cast<size_t>(ip4[0] & 0x0fu) * 4;
  const size_t total = size_t{ip4[2]} << 8 | ip4[3];
  if (ihl < 20 || total < ihl || total > ip4.size()) return {};
  auto map = [&](size_t at) {
    std::array<uint8_t, 16> b{};
    b[0] = 0xfd;
    std::memcpy(b.data() + 12, ip4.data() + at, 4);
    return IpAddress::v6(b);
  };
  std::vector<uint8_t> o = ip_packet(map(12), map(16), ip4[9], ip4.subspan(ihl, total - ihl));
  o[7] = ip4[8];  // hop limit = TTL
  return o;
}

}  // namespace cephwire::pcap
