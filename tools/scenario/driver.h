// cephwire scenario driver: real librados 16.2.15 clients doing watch/notify against a real
// cluster (tools/cluster), one JSON line per call and per callback on stdout.
//
// librados semantics followed here (Ceph v16.2.15):
//   src/librados/IoCtxImpl.cc  watch/aio_watch/notify/aio_notify/notify_ack/unwatch/watch_check
//   src/librados/librados_c.cc rados_watch2/3, rados_notify2, rados_decode_notify_response
//   src/osdc/Objecter.cc       linger_register/_send_linger/_linger_ping/handle_watch_notify
//   src/osd/PrimaryLogPG.cc    CEPH_OSD_OP_WATCH / NOTIFY / NOTIFY_ACK / LIST_WATCHERS
// The driver knows what it asked for; it records it together with what librados returned, so
// that a decoder can later check the capture against it (manifest built by tools/record).
#pragma once

#include <rados/librados.h>
#include <rados/librados.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cephwire::scenario {

using json = nlohmann::ordered_json;

// Deterministic payloads: lines "<tag> <offset>\n" truncated to n bytes.
std::string pattern_payload(const std::string& tag, size_t n);
std::string sha256_hex(const void* p, size_t n);
json bytes_json(const void* p, size_t n);
inline json bytes_json(const std::string& s) { return bytes_json(s.data(), s.size()); }
std::string errno_name(int r);  // "-110 (Connection timed out)"

// One JSON line per event, written with one write(2) so that lines from a child process sharing
// stdout do not interleave. Adds "t" (seconds since the driver start) and "wall" (Unix time).
class Out {
 public:
  explicit Out(double t0_wall);
  void emit(json j);
  double now_t() const;
  double t0_wall() const { return t0_wall_; }

 private:
  double t0_wall_;
  std::mutex m_;
};

struct Options {
  std::string conf;          // DIR/ceph.conf
  std::string pool = "rbd";
  std::string scenario;
  std::string cluster_dir;   // for scenarios that restart/out OSDs
  std::string cluster_tool;  // path of tools/cluster
  std::string self_exe;      // this binary (child clients)
  int pace_ms = 100;         // pause between steps, so steps are apart in the capture
  int mount_timeout_s = 30;  // client_mount_timeout: rados_connect fails after this
  double t0_wall = 0;
};

class Ctx;

struct Client {
  std::string name;
  std::string role;
  rados_t cluster = nullptr;
  rados_ioctx_t io = nullptr;
  uint64_t gid = 0;
  std::string addrs;
  std::string ns;
  bool remote = false;  // lives in a child process (see ChildClient)
};

enum class Policy { kAck, kNever, kAckEmpty };

struct NotifySeen {
  uint64_t notify_id;
  uint64_t cookie;
  uint64_t notifier_gid;
  std::string payload_sha;
  size_t payload_len;
};

struct Watch {
  Ctx* ctx = nullptr;
  Client* client = nullptr;
  std::string name;
  std::string object;
  std::string api;
  uint32_t timeout_s = 0;
  Policy policy = Policy::kAck;
  std::string reply;  // ack payload
  std::atomic<uint64_t> cookie{0};
  int expect_errors = 0;  // watch error callbacks the scenario expects

  std::mutex m;
  std::condition_variable cv;
  std::vector<NotifySeen> seen;
  std::vector<int> errors;
};

struct NotifyExpect {
  int ret = 0;
  std::vector<Watch*> acks;      // watchers expected to ack (with their reply payload)
  std::vector<Watch*> timeouts;  // watchers expected to time out
};

struct NotifyResult {
  int ret = 0;
  bool ok = false;
  json j;
};

// A pending rados_aio_notify.
struct AioNotify {
  Client* client = nullptr;
  std::string name;
  std::string object;
  std::string payload;
  uint64_t timeout_ms = 0;
  NotifyExpect expect;
  rados_completion_t comp = nullptr;
  char* reply = nullptr;
  size_t reply_len = 0;
  int step = 0;
  double t_start = 0;
};

class Ctx {
 public:
  explicit Ctx(Options o);
  ~Ctx();

  Options opt;
  Out out;
  bool ok = true;
  // expected MOSDOp / MWatchNotify counts (the driver's own ops; callbacks add acks)
  void count(const std::string& key, int n = 1);
  std::map<std::string, int> wire_counts();
  int fixed_step = 0;               // child mode: step number given by the parent

  int next_step();
  void pace() const;
  void fail(const std::string& why);
  void note(const std::string& text);
  void check_watch_errors();  // each local watch got exactly expect_errors error callbacks

  // ---- clients
  Client& connect(const std::string& name, const std::string& role,
                  const std::string& ns = "",
                  const std::vector<std::pair<std::string, std::string>>& conf = {});
  void shutdown(Client& c);
  void shutdown_all();

  // ---- object ops
  int write_full(Client& c, const std::string& obj, const std::string& data, int expect = 0);
  // ---- watch
  Watch& watch(Client& c, const std::string& wname, const std::string& obj,
               Policy policy, const std::string& reply, std::optional<uint32_t> timeout_s,
               int expect = 0);
  int watch_check(Watch& w, bool expect_ok, int expect_err = 0);
  int unwatch(Watch& w, int expect = 0, const std::string& why = "");
  int watch_flush(Client& c);
  // ---- notify
  NotifyResult notify(Client& c, const std::string& nname, const std::string& obj,
                      const std::string& payload, uint64_t timeout_ms, const NotifyExpect& e);
  std::unique_ptr<AioNotify> aio_notify(Client& c, const std::string& nname,
                                        const std::string& obj, const std::string& payload,
                                        uint64_t timeout_ms, const NotifyExpect& e);
  NotifyResult aio_notify_wait(AioNotify& a);
  int notify_ack(Client& c, const std::string& obj, uint64_t notify_id, uint64_t cookie,
                 const std::string& payload, const std::string& did, int expect = 0);
  int list_watchers(Client& c, const std::string& obj, const std::vector<Watch*>& expect);
  // ---- cluster / external commands
  int external(const std::string& actor, const std::vector<std::string>& argv,
               const std::string& did, int expect_rc, std::string* out = nullptr,
               double timeout_s = 120);
  int cluster(const std::vector<std::string>& args, const std::string& did,
              std::string* out = nullptr);
  // rados_mon_command from a client (small: no CLI command-description download)
  int mon_command(Client& c, const json& cmd, const std::string& did, std::string* out = nullptr,
                  int expect = 0);
  // polls a mon command every 0.5 s until pred(output json) holds (one step for all polls)
  bool poll_mon(Client& c, const json& cmd, const std::string& did, const std::string& expect,
                const std::function<bool(const json&)>& pred, double timeout_s, json* last);
  void wait(double seconds, const std::string& why);
  // MMonGetVersion "osdmap" + map fetch: the client then targets ops with the newest map
  int wait_for_latest_osdmap(Client& c, const std::string& why);

  std::vector<std::unique_ptr<Client>> clients;
  std::vector<std::unique_ptr<Watch>> watches;

  // callbacks (static trampolines call these)
  void on_notify(Watch& w, uint64_t notify_id, uint64_t cookie, uint64_t notifier_gid,
                 const void* data, size_t len);
  void on_error(Watch& w, uint64_t cookie, int err);

  bool wait_for_notify(Watch& w, const std::string& payload_sha, double timeout_s,
                       NotifySeen* out);
  bool wait_for_error(Watch& w, double timeout_s, int* err);

 private:
  int step_ = 0;
  std::mutex wire_m_;
  std::map<std::string, int> wire;
  NotifyResult finish_notify(Client& c, const std::string& nname, const std::string& obj,
                             const std::string& payload, uint64_t timeout_ms,
                             const NotifyExpect& e, int r, char* reply, size_t reply_len,
                             int step, double t_start, const std::string& api);
};

// A step: begin() records t_start, end() emits the line.
class Step {
 public:
  Step(Ctx& ctx, const std::string& actor, const std::string& call, const std::string& did,
       const std::string& expect);
  json& j() { return j_; }
  int number() const { return n_; }
  bool end(bool ok, const std::string& observed);

 private:
  Ctx& ctx_;
  json j_;
  int n_;
  double t_start_;
};

struct ScenarioDef {
  std::string name;
  int osds = 1;
  bool needs_cluster = false;  // restarts/outs OSDs or runs CLI tools against the cluster
  double approx_s = 5;
  std::string description;
  std::string notes;
  std::function<void(Ctx&)> run;
};

const std::vector<ScenarioDef>& scenarios();

// Child client (separate process, so that it can be SIGSTOPped alone).
int child_main(const Options& opt, int ctl_in, int ctl_out, const std::string& name,
               const std::string& role, const std::string& object);

}  // namespace cephwire::scenario
