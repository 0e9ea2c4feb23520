#include "net/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace cephwire::net {
namespace {

std::string addrs(const MonAddrs& m) { return m.to_string(); }

TEST(MonHost, BracketedAddrvecs) {
  auto r = parse_mon_host("[v2:10.0.0.1:3300,v1:10.0.0.1:6789],[v2:10.0.0.2:3300/0,v1:10.0.0.2:6789/0]");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(addrs((*r)[0]), "[v2:10.0.0.1:3300/0,v1:10.0.0.1:6789/0]");
  EXPECT_EQ(addrs((*r)[1]), "[v2:10.0.0.2:3300/0,v1:10.0.0.2:6789/0]");
  ASSERT_TRUE((*r)[0].of_type(codec::entity_addr_t::kTypeLegacy));
  EXPECT_EQ((*r)[0].of_type(codec::entity_addr_t::kTypeLegacy)->port(), 6789);
  EXPECT_TRUE((*r)[0].of_type(codec::entity_addr_t::kTypeLegacy)->legacy);
  EXPECT_FALSE((*r)[0].of_type(codec::entity_addr_t::kTypeMsgr2)->legacy);
}

TEST(MonHost, BareAndSingleForms) {
  auto r = parse_mon_host("10.0.0.1:6789, 10.0.0.2 ; 10.0.0.3:3300");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(addrs((*r)[0]), "[v1:10.0.0.1:6789/0]");
  EXPECT_EQ(addrs((*r)[1]), "[v2:10.0.0.2:3300/0,v1:10.0.0.2:6789/0]");
  EXPECT_EQ(addrs((*r)[2]), "[v2:10.0.0.3:3300/0]");
  auto one = parse_mon_host("[v1:127.0.0.1:31000]");
  ASSERT_TRUE(one);
  EXPECT_EQ(addrs((*one)[0]), "[v1:127.0.0.1:31000/0]");
  auto v2 = parse_mon_host("v2:127.0.0.1:31100");
  ASSERT_TRUE(v2);
  EXPECT_EQ(addrs((*v2)[0]), "[v2:127.0.0.1:31100/0]");
  auto lh = parse_mon_host("localhost:6789");
  ASSERT_TRUE(lh);
  EXPECT_EQ(addrs((*lh)[0]), "[v1:127.0.0.1:6789/0]");
}

TEST(MonHost, Rejects) {
  for (const char* bad : {"", "  ,", "[v1:1.2.3.4:1", "mon.example.com", "1.2.3.4:99999",
                          "1.2.3.256", "v1:1.2.3.4:6789/x", "[]"})
    EXPECT_FALSE(parse_mon_host(bad)) << bad;
}

TEST(Conf, SectionsAndSpelling) {
  const char* conf =
      "# comment\n"
      "[global]\n"
      "  fsid = abc\n"
      "  mon host = [v1:127.0.0.1:31000]   ; trailing comment\n"
      "[osd]\n"
      "mon_host = 9.9.9.9\n"
      "[client.admin]\n"
      "mon-host = 1.1.1.1\n"
      "[client]\n"
      "mon host = 2.2.2.2\n";
  EXPECT_EQ(conf_value(conf, "mon host", "admin"), "1.1.1.1");
  EXPECT_EQ(conf_value(conf, "mon_host", "other"), "2.2.2.2");
  EXPECT_EQ(conf_value(conf, "fsid"), "abc");
  EXPECT_EQ(conf_value(conf, "nope"), std::nullopt);
  EXPECT_EQ(conf_value("[global]\nmon host = [v1:127.0.0.1:31000] # x\n", "mon host"),
            "[v1:127.0.0.1:31000]");
}

TEST(Conf, FromFile) {
  const std::string path = ::testing::TempDir() + "/ceph.conf";
  {
    std::ofstream f(path);
    f << "[global]\nmon host = [v2:127.0.0.1:31100]\n";
  }
  auto r = mon_host_from_conf(path);
  ASSERT_TRUE(r);
  EXPECT_EQ(addrs((*r)[0]), "[v2:127.0.0.1:31100/0]");
  EXPECT_FALSE(mon_host_from_conf(path + ".missing"));
  {
    std::ofstream f(path);
    f << "[global]\nfsid = x\n";
  }
  EXPECT_FALSE(mon_host_from_conf(path));
}

}  // namespace
}  // namespace cephwire::net
