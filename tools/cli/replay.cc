// `cephwire replay`: replays every librados client of a capture through the watch core
// (client/replay.h) and reports where the core would have sent something else.
// The shell: tools/cli/replay_load.h reads the pcap and the manifest into per-client inputs.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/cli/commands.h"
#include "tools/cli/replay_load.h"

namespace cephwire::cli {

namespace {


struct ReplayOptions {
  std::vector<std::string> files;
  bool json = false;
  bool verbose = false;
};

int run_replay(const ReplayOptions& o) {
  size_t clients = 0, requests = 0, equal = 0, differed = 0, files = 0;
  int rc = 0;
  for (const auto& file : o.files) {
    LoadedRecording rec;
    std::string err;
    if (!load_recording(file, rec, &err)) {
      std::fprintf(stderr, "cephwire replay: %s: %s\n", file.c_str(), err.c_str());
      rc = 2;
      continue;
    }
    ++files;
    for (const auto& r : rec.clients) {
      const uint64_t gid = r.gid;
      const auto res = client::replay::replay_client(r);
      ++clients;
      requests += res.requests;
      const bool ok = res.diffs.empty();
      (ok ? equal : differed) += 1;
      if (o.json) {
        nlohmann::json j;
        j["file"] = file;
        j["client"] = "client." + std::to_string(gid);
        j["requests"] = res.requests;
        j["user_calls"] = res.user_calls;
        j["pings"] = res.pings;
        j["matched"] = res.matched;
        j["tids_exact"] = res.tids_exact;
        j["max_ping_skew_ms"] = std::chrono::duration<double, std::milli>(res.max_ping_skew).count();
        j["callbacks_checked"] = res.callbacks_checked;
        j["unobservable"] = res.unobservable;
        j["equal"] = ok;
        j["differences"] = nlohmann::json::array();
        for (const auto& d : res.diffs) j["differences"].push_back({{"frame", d.frame}, {"what", d.what}});
        std::puts(j.dump().c_str());
      } else {
        for (const auto& d : res.diffs)
          std::printf("%s: client.%" PRIu64 " frame %" PRIu64 ": %s\n", file.c_str(), gid, d.frame,
                      d.what.c_str());
        if (o.verbose)
          std::printf("%s: client.%" PRIu64 ": %zu requests (%zu user calls, %zu pings), %zu matched, "
                      "tids %s, max ping skew %.1f ms, %zu callbacks checked: %s\n",
                      file.c_str(), gid, res.requests, res.user_calls, res.pings, res.matched,
                      res.tids_exact ? "identical" : "mapped (not identical)",
                      std::chrono::duration<double, std::milli>(res.max_ping_skew).count(),
                      res.callbacks_checked, ok ? "equal" : "differed");
      }
    }
  }
  if (o.json) {
    nlohmann::json s;
    s["summary"] = {{"clients", clients}, {"requests", requests}, {"files", files},
                    {"equal", equal}, {"differed", differed}};
    std::puts(s.dump().c_str());
  } else {
    std::printf("replayed %zu clients, %zu requests in %zu files: %zu equal, %zu differed\n", clients,
                requests, files, equal, differed);
  }
  if (rc == 0 && differed > 0) rc = 1;
  return rc;
}

}  // namespace

void add_replay(CLI::App& app, int* rc) {
  auto o = std::make_shared<ReplayOptions>();
  auto* sub = app.add_subcommand(
      "replay",
      "Replay each librados client of a capture through the watch core and report every "
      "request or callback where the core differs from what was recorded");
  sub->add_option("pcap", o->files, "Capture files (NAME.json beside NAME.pcap is read when present)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_flag("--json", o->json, "One JSON object per client and a summary object");
  sub->add_flag("--verbose", o->verbose, "A summary line per client");
  sub->callback([o, rc] { *rc = run_replay(*o); });
}

}  // namespace cephwire::cli
