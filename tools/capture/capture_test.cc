// The capture pipeline on every bundled recording: every item decodes, re-encodes byte-exact,
// and the OSD messages appear at exactly the frames the manifests list (frame = pcap record in
// which the message's last byte arrived, as Wireshark counts).
#include "tools/capture/capture.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

namespace cephwire::capture {
namespace {

std::vector<std::string> recordings() {
  std::vector<std::string> v;
  for (auto& e : std::filesystem::directory_iterator("corpus/recordings"))
    if (e.path().extension() == ".pcap") v.push_back(e.path().string());
  std::sort(v.begin(), v.end());
  return v;
}

TEST(Capture, EveryRecordingDecodesAndMatchesItsManifest) {
  auto recs = recordings();
  ASSERT_GE(recs.size(), 4u);
  for (const auto& path : recs) {
    SCOPED_TRACE(path);
    std::ifstream mf(path.substr(0, path.size() - 5) + ".json");
    ASSERT_TRUE(mf.good());
    auto manifest = nlohmann::json::parse(mf);
    auto cap = Capture::open(path);
    ASSERT_TRUE(cap.has_value()) << cap.error().to_string();
    // (frame, tid, type) of every MOSDOp/MOSDOpReply/MWatchNotify on the wire
    std::multiset<std::tuple<uint64_t, uint64_t, uint16_t>> seen;
    uint64_t items = 0, errors = 0, streams_with_data = 0;
    while (auto e = (*cap)->next()) {
      if (auto* it = std::get_if<ev::Item>(&*e)) {
        ++items;
        EXPECT_EQ(it->item.encode(), it->item.raw()) << "item " << it->item.kind() << " frame "
                                                     << it->frame;
        EXPECT_TRUE(it->item.crc_ok());
        if (const auto* m = it->item.message(); m && (m->type == 42 || m->type == 43 || m->type == 44))
          seen.insert({it->frame, m->tid, m->type});
      } else if (auto* se = std::get_if<ev::StreamError>(&*e)) {
        ++errors;
        ADD_FAILURE() << "stream error at " << se->error.offset << ": "
                      << se->error.error.to_string();
      } else if (auto* c = std::get_if<ev::Closed>(&*e)) {
        if (c->conn->bytes[0] + c->conn->bytes[1] > 0) {
          ++streams_with_data;
          EXPECT_NE(c->conn->msgr(), codec::Msgr::kUnknown) << "stream " << c->conn->id;
        }
      } else if (std::get_if<ev::Gap>(&*e)) {
        ADD_FAILURE() << "unexpected gap";
      }
    }
    EXPECT_FALSE((*cap)->error().has_value());
    EXPECT_GT(items, 0u);
    EXPECT_EQ(errors, 0u);
    const auto& st = (*cap)->stats();
    EXPECT_EQ(st.ceph_streams, streams_with_data);  // refused connections carry no bytes
    if (manifest["capture"].contains("frames")) {
      EXPECT_EQ(st.frames, manifest["capture"]["frames"].get<uint64_t>());
    }
    // Recordings made by tools/record carry no independent wire decode; the four shared ones
    // do (wire.streams, wire.messages), and we must agree with it exactly.
    if (!manifest.contains("wire")) continue;
    EXPECT_EQ(st.streams, manifest["wire"]["streams"].size());
    std::multiset<std::tuple<uint64_t, uint64_t, uint16_t>> expected;
    for (const auto& m : manifest["wire"]["messages"]) {
      const std::string name = m["name"];
      uint16_t type = name == "osd_op" ? 42 : name == "osd_opreply" ? 43 : 44;
      expected.insert({m["frame"].get<uint64_t>(), m["tid"].get<uint64_t>(), type});
    }
    EXPECT_EQ(seen, expected);
  }
}

TEST(Capture, MissingFileIsATypedError) {
  auto cap = Capture::open("corpus/recordings/does-not-exist.pcap");
  ASSERT_FALSE(cap.has_value());
  EXPECT_EQ(cap.error().kind, pcap::PcapErrorKind::kFileNotFound);
}

}  // namespace
}  // namespace cephwire::capture
