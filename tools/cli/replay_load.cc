#include "tools/cli/replay_load.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>

#include "codec/messages/MAuthReply.h"
#include "codec/messages/MOSDMap.h"
#include "codec/osdmap/OSDMap.h"
#include "net/osdmap_tracker.h"
#include "tools/capture/capture.h"

namespace cephwire::cli {

namespace {

using client::Instant;
using client::replay::ClientRecording;
using client::replay::ExpectedCallback;
using client::replay::Input;
using client::replay::InputKind;
using codec::Dir;
using codec::entity_name_t;

Instant to_instant(const pcap::Timestamp& ts) {
  return std::chrono::seconds(ts.sec) + std::chrono::nanoseconds(ts.nsec);
}

std::string from_hex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

struct ConnInfo {
  std::optional<entity_name_t> client, server;
  bool have_first = false;
  Instant first{}, last{};
  uint64_t first_frame = 0, last_frame = 0;
  bool closed = false;
  std::optional<uint64_t> auth_gid;  // global_id from the monitor's MAuthReply
  std::vector<Input> items;
};

struct FileData {
  std::deque<codec::AnyItem>& storage;  // the bytes the inputs view
  std::map<uint64_t, ConnInfo> conns;
};

bool load(const std::string& file, FileData& fd, std::string* error) {
  auto cap = capture::Capture::open(file);
  if (!cap) {
    if (error) *error = cap.error().to_string();
    return false;
  }
  Instant last{};
  auto note_senders = [](ConnInfo& ci, const capture::Connection& c) {
    auto known = [](const std::optional<entity_name_t>& n) { return n && n->num >= 0; };
    if (!known(ci.client)) ci.client = c.decoder.sender(Dir::kClientToServer);
    if (!known(ci.server)) ci.server = c.decoder.sender(Dir::kServerToClient);
  };
  while (auto e = (*cap)->next()) {
    if (auto* it = std::get_if<capture::ev::Item>(&*e)) {
      ConnInfo& ci = fd.conns[it->conn->id];
      const Instant t = to_instant(it->ts);
      last = std::max(last, t);
      if (!ci.have_first) ci.have_first = true, ci.first = t, ci.first_frame = it->frame;
      ci.last = t;
      ci.last_frame = it->frame;
      note_senders(ci, *it->conn);
      const codec::MessageParts* p = it->item.message();
      if (p && p->src.type != 0) {  // v2: the peer's name from the ident exchange
        auto& who = it->item.dir() == Dir::kClientToServer ? ci.client : ci.server;
        who = p->src;
      }
      // A monitor session's client is known by the global_id the monitor hands out: in
      // MAuthReply (msgr v1) or the AUTH_DONE frame (msgr v2, whose idents name the client
      // "client.?" on that session).
      if (p && p->type == codec::MAuthReply::kType && it->item.dir() == Dir::kServerToClient) {
        if (auto a = codec::MAuthReply::decode(*p); a && a->result == 0 && a->global_id != 0)
          ci.auth_gid = a->global_id;
      }
      if (const auto* v2 = std::get_if<codec::msgr2::Item>(&it->item.item())) {
        if (const auto* done = v2->as<codec::msgr2::AuthDoneFrame>(); done && done->global_id)
          ci.auth_gid = done->global_id;
      }
      if (!p || (p->type != 41 && p->type != 42 && p->type != 43 && p->type != 44)) continue;
      const Dir d = it->item.dir();
      if ((p->type == 42) != (d == Dir::kClientToServer)) continue;
      fd.storage.push_back(std::move(it->item));
      Input in;
      in.kind = p->type == 42   ? InputKind::kRequest
                : p->type == 43 ? InputKind::kReply
                : p->type == 44 ? InputKind::kWatchNotify
                                : InputKind::kMap;
      in.conn = it->conn->id;
      in.frame = it->frame;
      in.time = t;
      in.msg = *fd.storage.back().message();
      ci.items.push_back(std::move(in));
    } else if (auto* c = std::get_if<capture::ev::Closed>(&*e)) {
      ConnInfo& ci = fd.conns[c->conn->id];
      note_senders(ci, *c->conn);
      ci.closed = true;
      ci.last = std::max(ci.last, last);
      ci.last_frame = c->frame;
    }
  }
  if ((*cap)->error()) {
    if (error) *error = (*cap)->error()->to_string();
    return false;
  }
  return true;
}

// Manifest facts per client gid: tick interval, callbacks.
struct ManifestClient {
  std::optional<client::Duration> tick;
  std::vector<ExpectedCallback> callbacks;
  bool has_watches = false;  // the scenario's own watches (not librbd's internal ones)
  std::vector<std::pair<Instant, Instant>> frozen;
};

std::map<uint64_t, ManifestClient> read_manifest(const std::string& pcap) {
  std::map<uint64_t, ManifestClient> out;
  std::filesystem::path p(pcap);
  p.replace_extension(".json");
  std::ifstream f(p);
  if (!f) return out;
  auto j = nlohmann::json::parse(f, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return out;
  if (j.contains("clients")) {
    for (const auto& c : j["clients"]) {
      if (!c.contains("gid")) continue;
      auto& mc = out[c["gid"].get<uint64_t>()];
      if (c.contains("conf_overrides") && c["conf_overrides"].contains("objecter_tick_interval")) {
        const auto& v = c["conf_overrides"]["objecter_tick_interval"];
        const double s = v.is_string() ? std::stod(v.get<std::string>()) : v.get<double>();
        mc.tick = std::chrono::duration_cast<client::Duration>(std::chrono::duration<double>(s));
      }
    }
  }
  // kill(SIGSTOP) / kill(SIGCONT) steps of the driver ("stop the NAME process"): the client
  // named NAME was frozen between the two (wall times are pcap-comparable Unix times).
  if (j.contains("steps") && j.contains("clients")) {
    std::optional<std::pair<uint64_t, Instant>> stopped;
    auto wall = [](const nlohmann::json& st) {
      return std::chrono::duration_cast<client::Duration>(
          std::chrono::duration<double>(st.value("wall", 0.0)));
    };
    for (const auto& st : j["steps"]) {
      const std::string call = st.value("call", std::string());
      if (call == "kill(SIGSTOP)") {
        const std::string did = st.value("did", std::string());
        for (const auto& c : j["clients"])
          if (c.contains("gid") && did.find("the " + c.value("name", std::string("?")) + " process") != std::string::npos)
            stopped = std::make_pair(c["gid"].get<uint64_t>(), wall(st));
      } else if (call == "kill(SIGCONT)" && stopped) {
        out[stopped->first].frozen.emplace_back(stopped->second, wall(st));
        stopped.reset();
      }
    }
  }
  if (j.contains("watches")) {
    for (const auto& w : j["watches"])
      if (w.contains("client_gid")) out[w["client_gid"].get<uint64_t>()].has_watches = true;
  }
  if (j.contains("callbacks")) {
    for (const auto& c : j["callbacks"]) {
      if (!c.contains("client_gid") || !c.contains("ev")) continue;
      const std::string ev = c["ev"].get<std::string>();
      ExpectedCallback cb;
      if (ev == "notify_received") {
        cb.kind = ExpectedCallback::Kind::kNotify;
        cb.notify_id = c.value("notify_id", uint64_t{0});
        if (c.contains("payload")) {
          const auto& p = c["payload"];
          auto len = p.value("len", nlohmann::json(0));
          cb.payload_len = len.is_string() ? std::stoull(len.get<std::string>()) : len.get<size_t>();
          if (p.contains("hex")) {
            cb.payload_head = from_hex(p["hex"].get<std::string>());
          } else {
            cb.payload_head = from_hex(p.value("hex_head", std::string()));
            cb.payload_tail = from_hex(p.value("hex_tail", std::string()));
          }
        }
      } else if (ev == "watch_error") {
        cb.kind = ExpectedCallback::Kind::kWatchError;
        cb.err = c.value("err", 0);
      } else {
        continue;
      }
      cb.cookie = c.value("cookie", uint64_t{0});
      out[c["client_gid"].get<uint64_t>()].callbacks.push_back(std::move(cb));
    }
  }
  return out;
}

// The client's OSDMap, followed through the MOSDMaps it receives by the live client's
// follower (net/osdmap_tracker.h: Objecter::handle_osd_map), with a placement per epoch
// reached so the replay scans requests per epoch.
class MapFollower {
 public:
  // The placements under each new epoch; `closed` gets the OSDs whose sessions an epoch
  // closes (marked down, or up at another address: handle_osd_map's close_session).
  std::vector<client::Placement> handle(const codec::MessageParts& p, std::set<int32_t>& closed) {
    std::vector<client::Placement> out;
    auto m = codec::MOSDMap::decode(p);
    if (!m) return out;
    std::shared_ptr<const codec::OSDMap> prev = tracker_.map();
    const net::OsdMapTracker::Update u = tracker_.handle(*m);
    for (const auto& next : u.epochs) {
      if (prev) {
        for (int32_t osd = 0; osd < prev->max_osd; ++osd) {
          if (!prev->is_up(osd)) continue;
          if (!next->is_up(osd) || size_t(osd) >= next->client_addrs.size() ||
              size_t(osd) >= prev->client_addrs.size() ||
              !(next->client_addrs[size_t(osd)] == prev->client_addrs[size_t(osd)]))
            closed.insert(osd);
        }
      }
      out.push_back(net::OsdMapTracker::placement_of(next));
      prev = next;
    }
    return out;
  }

 private:
  net::OsdMapTracker tracker_;
};

}  // namespace

bool load_recording(const std::string& pcap, LoadedRecording& out, std::string* error) {
  out.file = pcap;
  FileData fd{out.storage, {}};
  if (!load(pcap, fd, error)) return false;
  auto manifest = read_manifest(pcap);
  // Clients and their OSD connections.
  std::map<uint64_t, ClientRecording> recs;
  struct Keyed { uint64_t frame; int sub; size_t seq; Input in; };
  std::map<uint64_t, std::vector<Keyed>> keyed;
  size_t seq = 0;
  for (auto& [id, ci] : fd.conns) {
    if (ci.auth_gid && (!ci.client || ci.client->num < 0) && ci.server &&
        ci.server->type == entity_name_t::kTypeMon) {
      entity_name_t n;
      n.type = entity_name_t::kTypeClient;
      n.num = static_cast<int64_t>(*ci.auth_gid);
      ci.client = n;
    }
    if (!ci.client || ci.client->type != entity_name_t::kTypeClient || ci.client->num < 0 ||
        !ci.have_first)
      continue;
    const uint64_t gid = static_cast<uint64_t>(ci.client->num);
    ClientRecording& r = recs[gid];
    if (r.gid == 0 || ci.first < r.start) r.start = ci.first;
    r.gid = gid;
    if (ci.server && ci.server->type == entity_name_t::kTypeMon) {
      for (auto& in : ci.items) {  // the monitor session: only its MOSDMaps matter here
        if (in.kind != InputKind::kMap) continue;
        const uint64_t f = in.frame;
        keyed[gid].push_back({f, 1, seq++, std::move(in)});
      }
      continue;
    }
    if (!ci.server || ci.server->type != entity_name_t::kTypeOsd) continue;
    const int32_t osd = static_cast<int32_t>(ci.server->num);
    auto& v = keyed[gid];
    Input open;
    open.kind = InputKind::kOpened;
    open.conn = id;
    open.osd = osd;
    open.frame = ci.first_frame;
    open.time = ci.first;
    v.push_back({ci.first_frame, 0, seq++, std::move(open)});
    for (auto& in : ci.items) {
      in.osd = osd;
      const uint64_t f = in.frame;
      v.push_back({f, 1, seq++, std::move(in)});
    }
    if (ci.closed) {
      Input close;
      close.kind = InputKind::kClosed;
      close.conn = id;
      close.osd = osd;
      close.frame = ci.last_frame;
      close.time = ci.last;
      v.push_back({ci.last_frame, 2, seq++, std::move(close)});
    }
  }
  for (auto& [gid, r] : recs) {
    r.file = pcap;
    auto& v = keyed[gid];
    std::sort(v.begin(), v.end(), [](const Keyed& a, const Keyed& b) {
      return std::tie(a.frame, a.sub, a.seq) < std::tie(b.frame, b.sub, b.seq);
    });
    MapFollower maps;
    for (auto& k : v) {
      if (k.in.kind == InputKind::kMap) {
        std::set<int32_t> closed;
        k.in.map_epochs = maps.handle(k.in.msg, closed);
        if (k.in.map_epochs.empty()) continue;  // nothing new for this client
        k.in.map_closed.assign(closed.begin(), closed.end());
      }
      r.inputs.push_back(std::move(k.in));
    }
    if (auto m = manifest.find(gid); m != manifest.end()) {
      if (m->second.tick) r.tick_interval = *m->second.tick;
      if (m->second.has_watches) r.callbacks = m->second.callbacks;
      r.frozen = m->second.frozen;
    }
    out.clients.push_back(std::move(r));
  }
  return true;
}

}  // namespace cephwire::cli
