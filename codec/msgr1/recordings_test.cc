// Every msgr v1 connection of the real recordings (corpus/streams/v1-*/, librados 16.2.15
// against a 16.2.15 cluster) decoded to the end: zero errors, every item re-encodes to its raw
// bytes, the raws concatenate to the whole stream, the per-kind counts equal the manifests'
// wire.streams[*].items, and the MOSDOp / MOSDOpReply / MWatchNotify found equal
// wire.messages (decoded by an independent decoder). Plus chunking independence and resync on
// real bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "codec/msgr1/connection_decoder.h"

namespace cephwire::codec::msgr1 {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::vector<uint8_t> read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

json read_json(const fs::path& p) {
  std::ifstream f(p);
  return json::parse(f);
}

// Message type -> the manifest's name (Ceph src/include/ceph_fs.h CEPH_MSG_*, src/msg/Message.h
// MSG_*).
std::string message_name(uint16_t type) {
  switch (type) {
    case 4: return "mon_map";          // CEPH_MSG_MON_MAP
    case 15: return "mon_subscribe";   // CEPH_MSG_MON_SUBSCRIBE
    case 17: return "auth";            // CEPH_MSG_AUTH
    case 18: return "auth_reply";      // CEPH_MSG_AUTH_REPLY
    case 41: return "osd_map";         // CEPH_MSG_OSD_MAP
    case 42: return "osd_op";          // CEPH_MSG_OSD_OP
    case 43: return "osd_opreply";     // CEPH_MSG_OSD_OPREPLY
    case 44: return "watch_notify";    // CEPH_MSG_WATCH_NOTIFY
    case 62: return "config";          // MSG_CONFIG
    case 0x704: return "mgr_map";      // MSG_MGR_MAP
    default: return "type" + std::to_string(type);
  }
}

std::string manifest_name(const Item& it) {
  if (const MessageParts* m = it.message()) return message_name(m->type);
  return std::string(it.kind());
}

struct Stream {
  std::string rec;
  int n = 0;
  std::vector<uint8_t> c2s, s2c;
  json manifest;  // wire.streams[n]
};

std::vector<Stream> load_streams() {
  std::vector<Stream> out;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator("corpus/streams"))
    if (e.path().filename().string().rfind("v1-", 0) == 0) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    const std::string rec = dir.filename().string();
    const json manifest = read_json(fs::path("corpus/recordings") / (rec + ".json"));
    const json index = read_json(dir / "index.json");
    for (const auto& s : index) {
      Stream st;
      st.rec = rec;
      st.n = s.at("stream").get<int>();
      st.c2s = read_file(dir / (std::to_string(st.n) + ".c2s"));
      st.s2c = read_file(dir / (std::to_string(st.n) + ".s2c"));
      for (const auto& ms : manifest.at("wire").at("streams"))
        if (ms.at("stream").get<int>() == st.n) st.manifest = ms;
      out.push_back(std::move(st));
    }
  }
  return out;
}

const std::vector<Stream>& streams() {
  static const std::vector<Stream> s = load_streams();
  return s;
}

struct Decoded {
  std::vector<Item> items;  // in poll order
  std::vector<StreamError> errors;
  size_t buffered_c2s = 0, buffered_s2c = 0;
};

void drain(ConnectionDecoder& dec, Decoded& out) {
  while (auto it = dec.poll()) out.items.push_back(std::move(*it));
  while (auto e = dec.poll_error()) out.errors.push_back(std::move(*e));
}

Decoded decode_whole(const Stream& s, bool s2c_first = false) {
  ConnectionDecoder dec;
  Decoded out;
  if (s2c_first) {
    dec.feed(Dir::kServerToClient, s.s2c);
    dec.feed(Dir::kClientToServer, s.c2s);
  } else {
    dec.feed(Dir::kClientToServer, s.c2s);
    dec.feed(Dir::kServerToClient, s.s2c);
  }
  drain(dec, out);
  out.buffered_c2s = dec.buffered_bytes(Dir::kClientToServer);
  out.buffered_s2c = dec.buffered_bytes(Dir::kServerToClient);
  return out;
}

// (dir, begin, end, kind, raw) per direction: what chunking must not change.
using Key = std::tuple<Dir, uint64_t, uint64_t, std::string, std::vector<uint8_t>, bool>;
std::vector<Key> keys(const std::vector<Item>& items, Dir d) {
  std::vector<Key> k;
  for (const auto& it : items)
    if (it.dir == d) k.emplace_back(it.dir, it.begin, it.end, std::string(it.kind()), it.raw, it.crc_ok);
  return k;
}

TEST(Msgr1Recordings, FoundAllStreams) {
  // 3 v1 recordings: 9 + 9 + 6 connections.
  EXPECT_EQ(streams().size(), 24u);
  for (const auto& s : streams()) {
    EXPECT_FALSE(s.manifest.is_null()) << s.rec << " stream " << s.n;
    EXPECT_EQ(s.manifest.value("msgr", ""), "v1");
    EXPECT_EQ(s.c2s.size(), s.manifest.value("bytes_c2s", 0u));
    EXPECT_EQ(s.s2c.size(), s.manifest.value("bytes_s2c", 0u));
  }
}

TEST(Msgr1Recordings, EveryStreamDecodesToTheEndByteExact) {
  for (const auto& s : streams()) {
    SCOPED_TRACE(s.rec + " stream " + std::to_string(s.n));
    for (bool s2c_first : {false, true}) {
      Decoded d = decode_whole(s, s2c_first);
      for (const auto& e : d.errors)
        ADD_FAILURE() << to_string(e.dir) << " @" << e.offset << ": " << e.error.to_string();
      EXPECT_EQ(d.buffered_c2s, 0u);
      EXPECT_EQ(d.buffered_s2c, 0u);
      std::vector<uint8_t> cat[2];
      for (const auto& it : d.items) {
        EXPECT_TRUE(it.crc_ok);
        EXPECT_EQ(it.end - it.begin, it.raw.size());
        auto& c = cat[static_cast<int>(it.dir)];
        EXPECT_EQ(it.begin, c.size()) << it.kind();
        c.insert(c.end(), it.raw.begin(), it.raw.end());
        EXPECT_EQ(it.encode(), it.raw) << "re-encode of " << it.kind() << " at " << it.begin;
      }
      EXPECT_EQ(cat[0], s.c2s);
      EXPECT_EQ(cat[1], s.s2c);
    }
  }
}

TEST(Msgr1Recordings, CountsMatchManifest) {
  for (const auto& s : streams()) {
    SCOPED_TRACE(s.rec + " stream " + std::to_string(s.n));
    Decoded d = decode_whole(s);
    std::map<std::string, int> got;
    for (const auto& it : d.items) ++got[manifest_name(it)];
    std::map<std::string, int> want;
    for (const auto& [k, v] : s.manifest.at("items").items()) want[k] = v.get<int>();
    EXPECT_EQ(got, want);
  }
}

TEST(Msgr1Recordings, HandshakeFacts) {
  for (const auto& s : streams()) {
    SCOPED_TRACE(s.rec + " stream " + std::to_string(s.n));
    ConnectionDecoder dec;
    dec.feed(Dir::kClientToServer, s.c2s);
    dec.feed(Dir::kServerToClient, s.s2c);
    const ConnectionFacts& f = dec.facts();
    ASSERT_EQ(f.connects.size(), 1u);
    ASSERT_EQ(f.replies.size(), 1u);
    EXPECT_EQ(f.replies[0].tag, kTagSeq);
    EXPECT_EQ(f.connects[0].features, kFeaturesAllPacific);
    EXPECT_EQ(f.connects[0].host_type, 8u);  // client
    ASSERT_TRUE(f.features.has_value());
    EXPECT_EQ(*f.features, kFeaturesAllPacific);
    EXPECT_EQ(f.msg_auth_footer, true);
    ASSERT_TRUE(f.server_addr.has_value());
    const bool mon = s.manifest.at("server_role").get<std::string>().rfind("mon", 0) == 0;
    EXPECT_EQ(f.connects[0].protocol_version, mon ? kProtoMonc : kProtoOsdc);
    EXPECT_EQ(f.server_addr->nonce, s.manifest.at("server_nonce").get<uint32_t>());
    const std::string server = s.manifest.at("server").get<std::string>();
    EXPECT_EQ(std::to_string(f.server_addr->port()), server.substr(server.rfind(':') + 1));
    // Mon connections carry no authorizer; OSD connections an AuthNone authorizer naming the
    // client's global id.
    Decoded d;
    drain(dec, d);
    for (const auto& it : d.items) {
      if (const auto* c = std::get_if<Connect>(&it.frame)) {
        if (mon) {
          EXPECT_EQ(c->connect.authorizer_protocol, 0u);
          EXPECT_FALSE(c->auth_none.has_value());
        } else {
          ASSERT_TRUE(c->auth_none.has_value());
          EXPECT_EQ(c->connect.authorizer_protocol, kAuthNone);
          EXPECT_EQ(c->auth_none->name.to_string(), "client.admin");
          EXPECT_EQ("client." + std::to_string(c->auth_none->global_id),
                    s.manifest.at("client_entity").get<std::string>());
        }
      }
    }
    if (f.client_name) {
      EXPECT_EQ(f.client_name->to_string(), s.manifest.at("client_entity").get<std::string>());
    }
  }
}

TEST(Msgr1Recordings, WatchNotifyMessagesMatchManifest) {
  using Row = std::tuple<int, std::string, std::string, uint64_t, uint64_t, uint32_t, uint32_t,
                         uint16_t, std::string>;
  for (const char* rec : {"v1-list-watchers", "v1-notify-timeout", "v1-watch-notify-basic"}) {
    SCOPED_TRACE(rec);
    std::multiset<Row> got, want;
    for (const auto& s : streams()) {
      if (s.rec != rec) continue;
      Decoded d = decode_whole(s);
      for (const auto& it : d.items) {
        const MessageParts* m = it.message();
        if (!m || m->type < 42 || m->type > 44) continue;
        got.emplace(s.n, it.dir == Dir::kClientToServer ? "c2s" : "s2c", message_name(m->type),
                    m->seq, m->tid, static_cast<uint32_t>(m->front.size()),
                    static_cast<uint32_t>(m->data.size()), m->version, m->src.to_string());
      }
    }
    const json manifest = read_json(fs::path("corpus/recordings") / (std::string(rec) + ".json"));
    for (const auto& m : manifest.at("wire").at("messages"))
      want.emplace(m.at("stream").get<int>(), m.at("dir").get<std::string>(),
                   m.at("name").get<std::string>(), m.at("seq").get<uint64_t>(),
                   m.at("tid").get<uint64_t>(), m.at("front_len").get<uint32_t>(),
                   m.at("data_len").get<uint32_t>(), m.at("version").get<uint16_t>(),
                   m.at("src").get<std::string>());
    EXPECT_FALSE(want.empty());
    EXPECT_EQ(got, want);
  }
}

// Feeds the two directions of `s` in pieces; `cuts` decides piece sizes and interleaving.
Decoded decode_chunked(const Stream& s, std::mt19937& rng, size_t max_chunk) {
  ConnectionDecoder dec;
  Decoded out;
  size_t pos[2] = {0, 0};
  const std::vector<uint8_t>* data[2] = {&s.c2s, &s.s2c};
  while (pos[0] < s.c2s.size() || pos[1] < s.s2c.size()) {
    int d = static_cast<int>(rng() % 2);
    if (pos[d] >= data[d]->size()) d = 1 - d;
    const size_t left = data[d]->size() - pos[d];
    const size_t n = std::min(left, 1 + static_cast<size_t>(rng() % max_chunk));
    dec.feed(static_cast<Dir>(d), std::span<const uint8_t>(*data[d]).subspan(pos[d], n));
    pos[d] += n;
    drain(dec, out);
  }
  out.buffered_c2s = dec.buffered_bytes(Dir::kClientToServer);
  out.buffered_s2c = dec.buffered_bytes(Dir::kServerToClient);
  return out;
}

TEST(Msgr1Recordings, ChunkingDoesNotChangeItems) {
  std::mt19937 rng(20240601);
  for (const auto& s : streams()) {
    SCOPED_TRACE(s.rec + " stream " + std::to_string(s.n));
    const Decoded whole = decode_whole(s);
    for (size_t max_chunk : {size_t{1}, size_t{2}, size_t{7}, size_t{64}, size_t{1000}}) {
      const Decoded c = decode_chunked(s, rng, max_chunk);
      EXPECT_TRUE(c.errors.empty());
      EXPECT_EQ(c.buffered_c2s + c.buffered_s2c, 0u);
      EXPECT_EQ(keys(c.items, Dir::kClientToServer), keys(whole.items, Dir::kClientToServer));
      EXPECT_EQ(keys(c.items, Dir::kServerToClient), keys(whole.items, Dir::kServerToClient));
    }
  }
}

// The capture's own interleaving: index.json's [stream_end_offset, pcap_frame] pairs.
TEST(Msgr1Recordings, CaptureOrderInterleaving) {
  for (const auto& dir : {"v1-list-watchers", "v1-notify-timeout", "v1-watch-notify-basic"}) {
    const json index = read_json(fs::path("corpus/streams") / dir / "index.json");
    for (const auto& st : index) {
      const int n = st.at("stream").get<int>();
      const Stream* s = nullptr;
      for (const auto& x : streams())
        if (x.rec == dir && x.n == n) s = &x;
      ASSERT_NE(s, nullptr);
      SCOPED_TRACE(std::string(dir) + " stream " + std::to_string(n));
      std::vector<std::tuple<int, int, size_t>> ev;  // frame, dir, end offset
      for (const auto& f : st.at("c2s_frames")) ev.emplace_back(f[1].get<int>(), 0, f[0].get<size_t>());
      for (const auto& f : st.at("s2c_frames")) ev.emplace_back(f[1].get<int>(), 1, f[0].get<size_t>());
      std::sort(ev.begin(), ev.end());
      ConnectionDecoder dec;
      Decoded out;
      size_t pos[2] = {0, 0};
      const std::vector<uint8_t>* data[2] = {&s->c2s, &s->s2c};
      for (const auto& [frame, d, end] : ev) {
        ASSERT_LE(end, data[d]->size());
        dec.feed(static_cast<Dir>(d),
                 std::span<const uint8_t>(*data[d]).subspan(pos[d], end - pos[d]));
        pos[d] = end;
        drain(dec, out);
      }
      EXPECT_TRUE(out.errors.empty());
      const Decoded whole = decode_whole(*s);
      EXPECT_EQ(keys(out.items, Dir::kClientToServer), keys(whole.items, Dir::kClientToServer));
      EXPECT_EQ(keys(out.items, Dir::kServerToClient), keys(whole.items, Dir::kServerToClient));
      // In capture order every item is decodable as soon as its last byte arrived, so the
      // poll order is the wire order: the connect precedes its reply, the reply precedes the
      // client's seq.
      std::vector<std::string> order;
      for (const auto& it : out.items) order.emplace_back(it.kind());
      auto first = [&](const char* k) {
        return std::find(order.begin(), order.end(), k) - order.begin();
      };
      EXPECT_LT(first("connect"), first("connect_reply"));
    }
  }
}

// A capture that starts mid-way: cut one direction at random offsets and decode it with
// midstream=true. The decoder must skip to a real item boundary and from there produce exactly
// the items of the full decode (offsets shifted by the cut).
TEST(Msgr1Recordings, ResyncAfterRandomCut) {
  std::mt19937 rng(7);
  size_t cuts = 0, recovered_items = 0;
  for (const auto& s : streams()) {
    SCOPED_TRACE(s.rec + " stream " + std::to_string(s.n));
    const Decoded whole = decode_whole(s);
    for (Dir d : {Dir::kClientToServer, Dir::kServerToClient}) {
      const std::vector<uint8_t>& bytes = d == Dir::kClientToServer ? s.c2s : s.s2c;
      const auto full = keys(whole.items, d);
      for (int i = 0; i < 12; ++i) {
        const size_t cut = rng() % bytes.size();
        DecoderOptions o;
        o.midstream = true;
        ConnectionDecoder dec(o);
        // Feed in random pieces too.
        size_t pos = cut;
        while (pos < bytes.size()) {
          const size_t n = std::min(bytes.size() - pos, 1 + static_cast<size_t>(rng() % 300));
          dec.feed(d, std::span<const uint8_t>(bytes).subspan(pos, n));
          pos += n;
        }
        Decoded out;
        drain(dec, out);
        ++cuts;
        EXPECT_TRUE(out.errors.empty()) << "cut " << cut << ": "
                                        << (out.errors.empty() ? "" : out.errors[0].error.to_string());
        // The first full-decode item starting at or after the cut that is followed by a
        // message (resync needs a MSG to confirm a boundary).
        auto got = keys(out.items, d);
        size_t first = 0;
        while (first < full.size() && std::get<1>(full[first]) < cut) ++first;
        size_t first_msg = first;
        while (first_msg < full.size() && std::get<3>(full[first_msg]) != "message") ++first_msg;
        ASSERT_LE(got.size(), full.size() - first) << "cut " << cut;
        // Items between `first` and the confirming message may be skipped only if they are
        // not part of a chain (KEEPALIVE2 etc. before the message are kept).
        const size_t start = full.size() - got.size();
        EXPECT_GE(start, first) << "cut " << cut;
        EXPECT_LE(start, first_msg) << "cut " << cut;
        for (size_t k = 0; k < got.size(); ++k) {
          auto want = full[start + k];
          std::get<1>(want) -= cut;
          std::get<2>(want) -= cut;
          EXPECT_EQ(got[k], want) << "cut " << cut << " item " << k;
        }
        if (!got.empty()) {
          EXPECT_EQ(dec.skipped_bytes(d), std::get<1>(full[start]) - cut);
          EXPECT_EQ(dec.facts().msg_auth_footer, true);  // inferred from the first message
        }
        size_t decoded = 0;
        for (const auto& it : out.items) decoded += it.raw.size();
        EXPECT_EQ(dec.skipped_bytes(d) + decoded + dec.buffered_bytes(d), bytes.size() - cut);
        recovered_items += got.size();
      }
    }
  }
  EXPECT_GT(recovered_items, cuts);  // most cuts recover several items
}

}  // namespace
}  // namespace cephwire::codec::msgr1
