#include "tools/pcap/test_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace cephwire::pcap::pcaptest {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

std::vector<Frame> load_frames(const std::string& path, LinkType* link) {
  std::vector<Frame> out;
  auto r = PcapReader::open(path);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
  if (!r) return out;
  if (link != nullptr) *link = r->link_type();
  for (;;) {
    auto rec = r->next_record();
    EXPECT_TRUE(rec.has_value()) << (rec ? "" : rec.error().to_string());
    if (!rec || !*rec) break;
    out.push_back(Frame{(*rec)->ts, std::vector<uint8_t>((*rec)->data.begin(),
                                                         (*rec)->data.end())});
  }
  return out;
}

void collect(Collected& out, const Event& e) {
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        auto it = out.conns.find(ev.conn);
        if constexpr (std::is_same_v<T, ConnectionOpened>) {
          if (it != out.conns.end()) {
            it->second.opened_once = false;
            return;
          }
          out.conns[ev.conn].opened = ev;
        } else {
          if (it == out.conns.end()) {
            out.conns[ev.conn].event_before_open = true;
            return;
          }
          ConnOut& c = it->second;
          if (c.closed) c.event_after_close = true;
          if constexpr (std::is_same_v<T, Data>) {
            DirOut& d = c.dir[static_cast<size_t>(ev.dir)];
            if (ev.offset != d.next) d.contiguous = false;
            d.bytes.insert(d.bytes.end(), ev.bytes.begin(), ev.bytes.end());
            d.next = ev.offset + ev.bytes.size();
            d.frames.emplace_back(d.next, ev.frame);
          } else if constexpr (std::is_same_v<T, Gap>) {
            DirOut& d = c.dir[static_cast<size_t>(ev.dir)];
            if (ev.offset != d.next) d.contiguous = false;
            d.gaps.push_back(ev);
            d.next = ev.offset + ev.length;
          } else {
            c.closed = ev;
          }
        }
      },
      e);
  Event copy = e;
  if (auto* d = std::get_if<Data>(&copy)) d->bytes = {};
  out.order.push_back(copy);
}

Collected run(const std::vector<Frame>& frames, LinkType link, const ReassemblerOptions& opts) {
  Collected out;
  Reassembler re(opts);
  uint64_t n = 0;
  for (const Frame& f : frames) {
    ++n;
    auto p = decode_frame(link, f.data, n, f.ts);
    if (!p) {
      out.skipped.add(p.error());
      continue;
    }
    ++out.tcp_packets;
    for (const Event& e : re.feed(*p)) collect(out, e);
  }
  for (const Event& e : re.finish()) collect(out, e);
  out.stats = re.stats();
  return out;
}

Collected run_file(const std::string& path, const ReassemblerOptions& opts,
                   std::optional<PcapError>* read_error) {
  Collected out;
  auto s = reassemble_file(path, opts, [&](const Event& e) { collect(out, e); });
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().to_string());
  if (!s) return out;
  out.stats = s->reassembly;
  out.skipped = s->skipped;
  out.tcp_packets = s->tcp_packets;
  if (read_error != nullptr) {
    *read_error = s->read_error;
  } else {
    EXPECT_FALSE(s->read_error.has_value()) << s->read_error->to_string();
  }
  return out;
}

std::vector<RefStream> load_reference(const std::string& recording) {
  const std::string dir = "corpus/streams/" + recording + "/";
  std::ifstream f(dir + "index.json");
  EXPECT_TRUE(f.good()) << dir;
  std::vector<RefStream> out;
  if (!f.good()) return out;
  const auto index = nlohmann::json::parse(f);
  for (const auto& s : index) {
    RefStream r;
    const int n = s.at("stream").get<int>();
    r.client_port = s.at("client_port").get<uint16_t>();
    r.server_port = s.at("server_port").get<uint16_t>();
    const char* names[2] = {"c2s", "s2c"};
    for (int d = 0; d < 2; ++d) {
      r.bytes[d] = read_file(dir + std::to_string(n) + "." + names[d]);
      for (const auto& pair : s.at(std::string(names[d]) + "_frames")) {
        r.frames[d].emplace_back(pair.at(0).get<uint64_t>(), pair.at(1).get<uint64_t>());
      }
    }
    EXPECT_EQ(static_cast<size_t>(n), out.size());
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> recordings() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator("corpus/recordings")) {
    if (e.path().extension() == ".pcap") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace cephwire::pcap::pcaptest
