// Every TCP stream of corpus/recordings/v2-watch-notify-basic (librados 16.2.15 against a
// Pacific mon and OSD, msgr2.1 crc mode, auth none), both directions, decoded to the end:
// zero errors, every item re-encodes to its bytes, the items tile the stream, the fresh
// encoders reproduce Ceph's crcs, and the MOSDOp / MOSDOpReply / MWatchNotify messages match
// the manifest's independently decoded `wire.messages`.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "codec/msgr2/connection_decoder.h"
#include "codec/msgr2/test_util.h"

namespace cephwire::codec::msgr2 {
namespace {

using testing::hex;
constexpr Dir C = Dir::kClientToServer;
constexpr Dir S = Dir::kServerToClient;
const std::string kStreams = "corpus/streams/v2-watch-notify-basic/";

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << path;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  EXPECT_TRUE(f.good()) << path;
  return nlohmann::json::parse(f);
}

struct Stream {
  int id;
  std::vector<uint8_t> c2s, s2c;
  std::vector<test::Op> chrono;  // segments in capture order
};

std::vector<Stream> load_streams() {
  std::vector<Stream> out;
  for (const auto& s : read_json(kStreams + "index.json")) {
    Stream st;
    st.id = s["stream"].get<int>();
    st.c2s = read_file(kStreams + std::to_string(st.id) + ".c2s");
    st.s2c = read_file(kStreams + std::to_string(st.id) + ".s2c");
    EXPECT_EQ(st.c2s.size(), s["c2s_bytes"].get<size_t>());
    EXPECT_EQ(st.s2c.size(), s["s2c_bytes"].get<size_t>());
    // [stream_end_offset, pcap_frame] pairs of both directions, merged by frame number.
    std::vector<std::tuple<int, Dir, size_t>> ev;
    for (auto& p : s["c2s_frames"]) ev.emplace_back(p[1].get<int>(), C, p[0].get<size_t>());
    for (auto& p : s["s2c_frames"]) ev.emplace_back(p[1].get<int>(), S, p[0].get<size_t>());
    std::sort(ev.begin(), ev.end());
    size_t at[2] = {0, 0};
    for (auto& [frame, dir, end] : ev) {
      const int i = static_cast<int>(dir);
      st.chrono.push_back({dir, end - at[i]});
      at[i] = end;
    }
    out.push_back(std::move(st));
  }
  return out;
}

TEST(Recordings, EveryStreamDecodesToTheEnd) {
  const auto streams = load_streams();
  ASSERT_EQ(streams.size(), 6u);
  size_t total_items = 0, messages = 0;
  for (const auto& st : streams) {
    SCOPED_TRACE("stream " + std::to_string(st.id));
    auto r = test::run(st.c2s, st.s2c, st.chrono);
    for (int i = 0; i < 2; ++i) {
      EXPECT_TRUE(r.errors[i].empty()) << r.errors[i][0].error.to_string() << " at "
                                       << r.errors[i][0].offset;
      // concatenated raws == the whole stream
      const auto& bytes = i == 0 ? st.c2s : st.s2c;
      std::string cat;
      uint64_t at = 0;
      for (auto& s : r.items[i]) {
        EXPECT_EQ(s.begin, at);
        at = s.end;
        cat += s.raw_hex;
        EXPECT_TRUE(s.crc_ok);
      }
      EXPECT_EQ(at, bytes.size());
      EXPECT_EQ(cat, hex(bytes));
    }
    for (const Item& it : r.all) {
      ++total_items;
      EXPECT_EQ(hex(it.encode()), hex(it.raw)) << it.kind();
      JsonWriter w;
      it.dump(w);
      const auto j = nlohmann::json::parse(w.str(), nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << w.str();
      EXPECT_EQ(j["kind"], std::string(it.kind()));
      EXPECT_EQ(j["end"].get<uint64_t>(), it.end);
      const Frame* f = it.frame();
      if (!f) continue;
      EXPECT_EQ(f->layout.rev, Rev::kRev1);
      // The fresh encoders (computing every crc) give Ceph's bytes.
      std::visit(
          [&](const auto& p) {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, MessageFrame>) {
              ++messages;
              EXPECT_EQ(hex(encode_message_frame(p.parts, p.header.ack_seq, p.header.flags,
                                                 Rev::kRev1)),
                        hex(it.raw));
            } else if constexpr (!std::is_same_v<T, AbortedFrame>) {
              EXPECT_EQ(hex(encode_control_frame(p, Rev::kRev1)), hex(it.raw)) << it.kind();
            }
          },
          f->payload);
    }
    // first items: the banners and the handshake
    ASSERT_GE(r.items[0].size(), 5u);
    EXPECT_EQ(r.items[0][0].kind, "banner");
    EXPECT_EQ(r.items[0][1].kind, "hello");
    EXPECT_EQ(r.items[0][2].kind, "auth_request");
    EXPECT_EQ(r.items[0][3].kind, "auth_signature");
    EXPECT_EQ(r.items[0][4].kind, "client_ident");
    ASSERT_GE(r.items[1].size(), 5u);
    EXPECT_EQ(r.items[1][2].kind, "auth_done");
    EXPECT_EQ(r.items[1][4].kind, "server_ident");
  }
  EXPECT_EQ(total_items, 100u);
  EXPECT_EQ(messages, 40u);  // the manifest's wire.counts.by_type add up to 40
}

TEST(Recordings, AuthNonePayloadsAndConnectionFacts) {
  const auto streams = load_streams();
  const auto manifest = read_json("corpus/recordings/v2-watch-notify-basic.json");
  for (const auto& st : streams) {
    SCOPED_TRACE("stream " + std::to_string(st.id));
    ConnectionDecoder d;
    d.feed(C, st.c2s);
    d.feed(S, st.s2c);
    const bool to_mon = st.id < 4;
    while (auto it = d.poll()) {
      if (const auto* ar = it->as<AuthRequestFrame>()) {
        ASSERT_TRUE(ar->none.has_value());
        EXPECT_EQ(ar->none->is_mon(), to_mon);
        EXPECT_EQ(ar->none->entity_name.type, 8u);
        EXPECT_EQ(ar->none->entity_name.id, "admin");
      }
      if (const auto* sig = it->as<AuthSignatureFrame>()) {
        EXPECT_EQ(sig->signature, (std::array<uint8_t, 32>{}));  // no session key
      }
    }
    EXPECT_EQ(d.con_mode(), kConModeCrc);
    EXPECT_EQ(d.rev(), Rev::kRev1);
    EXPECT_TRUE(d.ready(C) && d.ready(S));
    // AUTH_DONE assigns the client's global id: the manifest's client entity.
    const std::string client = manifest["wire"]["streams"][st.id]["client_entity"];
    EXPECT_EQ("client." + std::to_string(*d.global_id()), client);
    EXPECT_EQ(d.entity_type(S), to_mon ? entity_name_t::kTypeMon : entity_name_t::kTypeOsd);
  }
}

TEST(Recordings, OsdMessagesMatchTheManifest) {
  const auto streams = load_streams();
  const auto manifest = read_json("corpus/recordings/v2-watch-notify-basic.json");
  const std::map<std::string, uint16_t> types = {
      {"osd_op", 42}, {"osd_opreply", 43}, {"watch_notify", 44}};
  using Key = std::tuple<int, std::string, uint16_t, uint64_t, uint64_t, uint64_t, uint64_t,
                         uint16_t>;  // stream, dir, type, seq, tid, front_len, data_len, version
  std::multiset<Key> want, got;
  for (const auto& m : manifest["wire"]["messages"])
    want.insert({m["stream"].get<int>(), m["dir"].get<std::string>(), types.at(m["name"]),
                 m["seq"].get<uint64_t>(), m["tid"].get<uint64_t>(),
                 m["front_len"].get<uint64_t>(), m["data_len"].get<uint64_t>(),
                 m["version"].get<uint16_t>()});
  ASSERT_EQ(want.size(), 12u);
  for (const auto& st : streams) {
    const auto& ws = manifest["wire"]["streams"][st.id];
    const std::string client = ws["client_entity"];
    const std::string server_role = ws["server_role"];
    const std::string server = server_role.substr(0, server_role.find(' '));
    auto r = test::run(st.c2s, st.s2c, st.chrono);
    for (const Item& it : r.all) {
      const MessageParts* m = it.message();
      if (!m || m->type < 42 || m->type > 44) continue;
      got.insert({st.id, std::string(to_string(it.dir)), m->type, m->seq, m->tid,
                  m->front.size(), m->data.size(), m->version});
      EXPECT_EQ(m->src.to_string(), it.dir == C ? client : server);
    }
  }
  EXPECT_EQ(got, want);
}

TEST(Recordings, ChunkingGivesIdenticalItems) {
  for (const auto& st : load_streams()) {
    SCOPED_TRACE("stream " + std::to_string(st.id));
    auto ref = test::run(st.c2s, st.s2c, st.chrono);
    std::vector<std::vector<test::Op>> plans = {
        test::all_at_once(C), test::all_at_once(S),
        test::bytewise(st.c2s.size(), st.s2c.size())};
    for (uint32_t seed = 1; seed <= 10; ++seed)
      plans.push_back(test::random_chunks(st.c2s.size(), st.s2c.size(), seed * 31 + st.id));
    for (const auto& p : plans) {
      auto r = test::run(st.c2s, st.s2c, p);
      for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(r.items[i], ref.items[i]);
        EXPECT_EQ(r.errors[i], ref.errors[i]);
      }
    }
  }
}

TEST(Recordings, ResyncOnStreamsCutAtRandomOffsets) {
  std::mt19937 rng(2024);
  for (const auto& st : load_streams()) {
    SCOPED_TRACE("stream " + std::to_string(st.id));
    auto full = test::run(st.c2s, st.s2c, st.chrono);
    const size_t last_c = full.items[0].back().begin, last_s = full.items[1].back().begin;
    for (int k = 0; k < 25; ++k) {
      // cut anywhere up to the start of the last item of each direction
      const size_t cc = rng() % (last_c + 1);
      const size_t cs = rng() % (last_s + 1);
      test::check_midstream(st.c2s, st.s2c, cc, cs, static_cast<uint32_t>(k));
    }
  }
}

}  // namespace
}  // namespace cephwire::codec::msgr2
