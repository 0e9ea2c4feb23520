// Frame decoding: every link type, IPv4 / IPv6 variants, skips by reason, truncation at every
// byte. Frames are built with writer.h and checked field by field.
#include "tools/pcap/packet.h"

#include <gtest/gtest.h>

#include "tools/pcap/writer.h"

namespace cephwire::pcap {
namespace {

using namespace tcp_flags;

const std::vector<uint8_t> kPayload = {'c', 'e', 'p', 'h', ' ', 'v', '0', '2', '7', 0, 1, 2};
const std::vector<uint8_t> kOptions = {2, 4, 0xff, 0xd7, 1, 3, 3, 7};  // MSS, NOP, WS 7

std::array<uint8_t, 16> v6bytes(uint8_t last) {
  std::array<uint8_t, 16> b{};
  b[0] = 0x20;
  b[1] = 0x01;
  b[2] = 0x0d;
  b[3] = 0xb8;
  b[15] = last;
  return b;
}

TcpSpec spec(bool v6 = false) {
  TcpSpec s;
  if (v6) {
    s.src = Endpoint{IpAddress::v6(v6bytes(1)), 51234};
    s.dst = Endpoint{IpAddress::v6(v6bytes(2)), 42000};
  } else {
    s.src = Endpoint{IpAddress::v4(127, 0, 0, 1), 51234};
    s.dst = Endpoint{IpAddress::v4(192, 168, 1, 2), 42000};
  }
  s.seq = 0xfedcba98;
  s.ack = 0x01234567;
  s.flags = kAck | kPsh;
  s.window = 1234;
  s.options = kOptions;
  s.payload = kPayload;
  return s;
}

void expect_packet(const tl::expected<TcpPacket, Skip>& r, const TcpSpec& s,
                   const std::string& what) {
  ASSERT_TRUE(r.has_value()) << what << ": skipped as " << to_string(r.error().reason);
  EXPECT_EQ(r->src, s.src) << what;
  EXPECT_EQ(r->dst, s.dst) << what;
  EXPECT_EQ(r->seq, s.seq) << what;
  EXPECT_EQ(r->ack, s.ack) << what;
  EXPECT_EQ(r->flags, s.flags) << what;
  EXPECT_EQ(r->window, s.window) << what;
  EXPECT_EQ(std::vector<uint8_t>(r->options.begin(), r->options.end()), kOptions) << what;
  EXPECT_EQ(std::vector<uint8_t>(r->payload.begin(), r->payload.end()), kPayload) << what;
  EXPECT_EQ(r->frame, 42u) << what;
  EXPECT_EQ(r->ts, (Timestamp{17, 999}));
}

constexpr LinkType kAllLinks[] = {LinkType::kEthernet, LinkType::kLinuxSll,
                                  LinkType::kLinuxSll2, LinkType::kNull,
                                  LinkType::kLoop,     LinkType::kRaw};

TEST(Packet, EveryLinkTypeIpv4AndIpv6) {
  for (bool v6 : {false, true}) {
    const TcpSpec s = spec(v6);
    for (LinkType lt : kAllLinks) {
      const auto f = tcp_frame(lt, s);
      expect_packet(decode_frame(lt, f, 42, {17, 999}), s,
                    std::string(to_string(lt)) + (v6 ? " v6" : " v4"));
    }
    const LinkType only = v6 ? LinkType::kIpv6 : LinkType::kIpv4;
    expect_packet(decode_frame(only, tcp_frame(only, s), 42, {17, 999}), s, "ipvN linktype");
    const LinkType wrong = v6 ? LinkType::kIpv4 : LinkType::kIpv6;
    auto r = decode_frame(wrong, tcp_frame(wrong, s));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().reason, SkipReason::kMalformed);
  }
}

TEST(Packet, NullAndLoopInBothByteOrdersAndEveryInet6Value) {
  for (bool v6 : {false, true}) {
    const TcpSpec s = spec(v6);
    for (uint32_t af6 : {10u, 24u, 28u, 30u}) {
      for (bool swapped : {false, true}) {
        LinkOptions o;
        o.af_inet6 = af6;
        o.null_big_endian = swapped;
        o.loop_little_endian = swapped;
        expect_packet(decode_frame(LinkType::kNull, tcp_frame(LinkType::kNull, s, o), 42,
                                   {17, 999}),
                      s, "null");
        expect_packet(decode_frame(LinkType::kLoop, tcp_frame(LinkType::kLoop, s, o), 42,
                                   {17, 999}),
                      s, "loop");
      }
    }
  }
  // An address family that is not IP.
  std::vector<uint8_t> f = tcp_frame(LinkType::kNull, spec());
  f[0] = 17;  // AF_LINK-ish
  auto r = decode_frame(LinkType::kNull, f);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, SkipReason::kNotIp);
  EXPECT_EQ(r.error().detail, 17u);
}

TEST(Packet, VlanTags) {
  for (size_t tags = 1; tags <= 3; ++tags) {
    LinkOptions o;
    o.vlan_tags.assign(tags, 100);
    for (bool v6 : {false, true}) {
      const TcpSpec s = spec(v6);
      expect_packet(
          decode_frame(LinkType::kEthernet, tcp_frame(LinkType::kEthernet, s, o), 42, {17, 999}),
          s, "vlan");
    }
  }
  // 802.1ad outer tag.
  LinkOptions o;
  o.vlan_tags = {5, 6};
  auto f = tcp_frame(LinkType::kEthernet, spec(), o);
  f[12] = 0x88;
  f[13] = 0xa8;
  expect_packet(decode_frame(LinkType::kEthernet, f, 42, {17, 999}), spec(), "qinq");
}

TEST(Packet, Ipv4OptionsAndEthernetPadding) {
  const TcpSpec s = spec();
  const std::vector<uint8_t> ip_opts = {0x94, 4, 0, 0, 1, 1, 1, 0};  // router alert, NOPs, EOL
  auto ip = ip_packet(s.src.ip, s.dst.ip, 6, tcp_segment(s), ip_opts);
  EXPECT_EQ(ip[0], 0x47);
  auto f = encapsulate(LinkType::kEthernet, ip);
  f.insert(f.end(), 20, 0xee);  // padding / trailer after the IP packet
  expect_packet(decode_frame(LinkType::kEthernet, f, 42, {17, 999}), s, "options+padding");
}

TEST(Packet, Ipv4TotalLengthZeroIsTso) {
  const TcpSpec s = spec();
  auto ip = ip_packet(s.src.ip, s.dst.ip, 6, tcp_segment(s));
  ip[2] = ip[3] = 0;
  expect_packet(decode_frame(LinkType::kRaw, ip, 42, {17, 999}), s, "tso");
}

TEST(Packet, Ipv4FragmentsAreReportedNotDecoded) {
  const TcpSpec s = spec();
  for (uint16_t frag : {uint16_t{0x2000}, uint16_t{0x0010}, uint16_t{0x2010}}) {
    auto ip = ip_packet(s.src.ip, s.dst.ip, 6, tcp_segment(s), {}, {}, frag);
    auto r = decode_frame(LinkType::kRaw, ip);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, SkipReason::kFragment) << frag;
    EXPECT_EQ(to_string(r.error().reason), "fragmented");
  }
  // DF alone is a whole packet.
  auto ip = ip_packet(s.src.ip, s.dst.ip, 6, tcp_segment(s), {}, {}, 0x4000);
  EXPECT_TRUE(decode_frame(LinkType::kRaw, ip));
}

TEST(Packet, Ipv6ExtensionHeaders) {
  const TcpSpec s = spec(true);
  // Bodies follow the next-header byte: 7 bytes for an 8-byte header.
  const std::vector<IpExt> chain = {
      {0, {0, 1, 4, 0, 0, 0, 0}},                              // hop-by-hop: PadN
      {43, {0, 0, 0, 0, 0, 0, 0}},                             // routing, 0 segments left
      {60, {1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},    // destination options, 16 bytes
      {44, {0, 0, 0, 0, 0, 0, 1}},                             // atomic fragment
      {51, {2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0}},     // AH, 16 bytes
  };
  auto ip = ip_packet(s.src.ip, s.dst.ip, 6, tcp_segment(s), {}, chain);
  expect_packet(decode_frame(LinkType::kRaw, ip, 42, {17, 999}), s, "ext chain");

  // A real fragment (offset or M set).
  for (uint8_t m : {uint8_t{1}, uint8_t{8}}) {
    auto frag = ip_packet(s.src.ip, s.dst.ip, 6, tcp_segment(s), {}, {{44, {0, 0, m, 0, 0, 0, 1}}});
    auto r = decode_frame(LinkType::kRaw, frag);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, SkipReason::kFragment);
  }
  // ESP: cannot look inside.
  auto esp = ip_packet(s.src.ip, s.dst.ip, 50, kPayload);
  auto r = decode_frame(LinkType::kRaw, esp);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, SkipReason::kNotTcp);
  EXPECT_EQ(r.error().detail, 50u);
  // An extension header whose length runs past the packet.
  auto bad = ip_packet(s.src.ip, s.dst.ip, 6, {}, {}, {{60, {200, 0, 0, 0, 0, 0}}});
  r = decode_frame(LinkType::kRaw, bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, SkipReason::kTruncated);
}

TEST(Packet, NonTcpAndNonIpAreSkippedByReason) {
  const Endpoint a{IpAddress::v4(10, 0, 0, 1), 5353}, b{IpAddress::v4(10, 0, 0, 2), 53};
  SkipStats st;
  auto udp = decode_frame(LinkType::kEthernet, udp_frame(LinkType::kEthernet, a, b, kPayload));
  ASSERT_FALSE(udp);
  st.add(udp.error());
  EXPECT_EQ(udp.error().reason, SkipReason::kNotTcp);
  EXPECT_EQ(udp.error().detail, 17u);
  auto icmp = decode_frame(LinkType::kLinuxSll, icmp_echo_frame(LinkType::kLinuxSll, a.ip, b.ip));
  ASSERT_FALSE(icmp);
  st.add(icmp.error());
  EXPECT_EQ(icmp.error().detail, 1u);
  auto icmp6 = decode_frame(LinkType::kRaw, icmp_echo_frame(LinkType::kRaw, spec(true).src.ip,
                                                            spec(true).dst.ip));
  ASSERT_FALSE(icmp6);
  st.add(icmp6.error());
  EXPECT_EQ(icmp6.error().detail, 58u);
  auto arp = decode_frame(LinkType::kEthernet, arp_frame());
  ASSERT_FALSE(arp);
  st.add(arp.error());
  EXPECT_EQ(arp.error().reason, SkipReason::kNotIp);
  EXPECT_EQ(arp.error().detail, 0x0806u);
  auto llc = ethernet_frame(0x0806, {});
  llc[12] = 0;
  llc[13] = 46;  // an 802.3 length field: LLC
  auto r = decode_frame(LinkType::kEthernet, llc);
  ASSERT_FALSE(r);
  st.add(r.error());
  EXPECT_EQ(r.error().reason, SkipReason::kNotIp);
  EXPECT_EQ(st.count(SkipReason::kNotTcp), 3u);
  EXPECT_EQ(st.count(SkipReason::kNotIp), 2u);
  EXPECT_EQ(st.ip_protocol[17], 1u);
  EXPECT_EQ(st.ip_protocol[1], 1u);
  EXPECT_EQ(st.ip_protocol[58], 1u);
  EXPECT_EQ(st.total(), 5u);
}

TEST(Packet, MalformedHeaders) {
  const TcpSpec s = spec();
  auto ip = ip_packet(s.src.ip, s.dst.ip, 6, tcp_segment(s));
  auto bad_ihl = ip;
  bad_ihl[0] = 0x44;
  EXPECT_EQ(decode_frame(LinkType::kRaw, bad_ihl).error().reason, SkipReason::kMalformed);
  auto bad_total = ip;
  bad_total[2] = 0;
  bad_total[3] = 10;
  EXPECT_EQ(decode_frame(LinkType::kRaw, bad_total).error().reason, SkipReason::kMalformed);
  auto bad_doff = ip;
  bad_doff[20 + 12] = 0x40;
  EXPECT_EQ(decode_frame(LinkType::kRaw, bad_doff).error().reason, SkipReason::kMalformed);
  auto bad_version = ip;
  bad_version[0] = 0x55;
  EXPECT_EQ(decode_frame(LinkType::kRaw, bad_version).error().reason, SkipReason::kMalformed);
  // Ethertype IPv6 carrying an IPv4 header.
  auto eth = encapsulate(LinkType::kEthernet, ip);
  eth[12] = 0x86;
  eth[13] = 0xdd;
  EXPECT_EQ(decode_frame(LinkType::kEthernet, eth).error().reason, SkipReason::kMalformed);
}

// Every strict prefix of a frame is truncated (snaplen): never a packet, never a crash.
TEST(Packet, TruncationAtEveryByte) {
  for (bool v6 : {false, true}) {
    for (LinkType lt : kAllLinks) {
      LinkOptions o;
      if (lt == LinkType::kEthernet) o.vlan_tags = {7};
      const auto f = tcp_frame(lt, spec(v6), o);
      for (size_t n = 0; n < f.size(); ++n) {
        auto r = decode_frame(lt, std::span<const uint8_t>(f).first(n));
        ASSERT_FALSE(r.has_value()) << to_string(lt) << " prefix " << n;
        EXPECT_EQ(r.error().reason, SkipReason::kTruncated) << to_string(lt) << " prefix " << n;
      }
      EXPECT_TRUE(decode_frame(lt, f).has_value());
    }
  }
}

TEST(Packet, AddressesAndLinkTypes) {
  EXPECT_EQ(IpAddress::v4(127, 0, 0, 1).to_string(), "127.0.0.1");
  EXPECT_EQ(IpAddress::v6(v6bytes(1)).to_string(), "2001:db8::1");
  EXPECT_EQ((Endpoint{IpAddress::v6(v6bytes(1)), 80}).to_string(), "[2001:db8::1]:80");
  EXPECT_LT(IpAddress::v4(1, 2, 3, 4), IpAddress::v4(1, 2, 3, 5));
  EXPECT_EQ(link_type_from_dlt(1), LinkType::kEthernet);
  EXPECT_EQ(link_type_from_dlt(113), LinkType::kLinuxSll);
  EXPECT_EQ(link_type_from_dlt(276), LinkType::kLinuxSll2);
  EXPECT_EQ(link_type_from_dlt(0), LinkType::kNull);
  EXPECT_EQ(link_type_from_dlt(108), LinkType::kLoop);
  EXPECT_EQ(link_type_from_dlt(12), LinkType::kRaw);
  EXPECT_EQ(link_type_from_dlt(228), LinkType::kIpv4);
  EXPECT_EQ(link_type_from_dlt(229), LinkType::kIpv6);
  EXPECT_FALSE(link_type_from_dlt(127));  // 802.11 radiotap
  EXPECT_FALSE(link_type_from_dlt(147));
  for (LinkType lt : kAllLinks) {
    // What a writer stores maps back (through libpcap's LINKTYPE_RAW -> DLT_RAW) to lt.
    const int dlt = linktype_value(lt) == 101 ? 12 : linktype_value(lt);
    EXPECT_EQ(link_type_from_dlt(dlt), lt);
  }
}

}  // namespace
}  // namespace cephwire::pcap
