// The live client: the sans-IO pieces wired to real sockets on one Asio io_context.
//
//   MonClient (mon_client.h) on a mon Session  -> global id, monmap, subscriptions
//   OsdMapTracker (osdmap_tracker.h)           -> OSDMap epochs (//codec/osdmap), placement
//   client::WatchClient (the watch core)       -> OsdRequest -> client/wire -> MOSDOp on the
//                                                 Session to the target OSD
//   MOSDOpReply / MWatchNotify                 -> client/wire -> the core
//   session resets, map changes, timers        -> the core's handle_* calls
//
// Behaviour after ceph/ceph src/osdc/Objecter.cc: start (one-time osdmap subscription from 0),
// handle_osd_map (maps from the mon or any OSD; sessions whose OSD went down are closed, those
// whose address changed are reopened and their requests resent), ms_handle_reset (reopen and
// resend), tick every objecter_tick_interval (the core pings its watches; an MPing goes to
// the OSD sessions serving lingers, and the next map is requested one-time), and
// _prepare_osd_op (client/wire.h); and after librados RadosClient::connect (authenticate,
// rename the messenger client.<global_id>, MgrClient's mgrmap subscription, Objecter start,
// wait for the first map).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/watch_client.h"
#include "codec/messages/MOSDOp.h"
#include "codec/messages/MOSDOpReply.h"
#include "net/config.h"
#include "net/interceptor.h"
#include "net/mon_client.h"
#include "net/osdmap_tracker.h"
#include "net/transport.h"

namespace cephwire::net {

struct RadosClientConfig {
  std::vector<MonAddrs> mons;
  std::optional<Msgr> msgr;          // default: v2 if a monitor has a v2 address, else v1
  std::string entity_id = "admin";
  std::string hostname;              // default: gethostname()
  client::ClientConfig core;         // the watch core's settings
  Duration mount_timeout = std::chrono::seconds(60);
  Interceptor* interceptor = nullptr;  // fault injection on every session (not owned)
  std::function<void(const std::string&)> log;  // debug lines (optional)
  // Every MOSDOp handed to an OSD session and every message an OSD session delivers (`sent`
  // tells which), e.g. for a wire log (optional; conformance/live_mode.cc).
  std::function<void(int32_t osd, bool sent, const codec::MessageParts&)> on_osd_message;
  uint32_t nonce = 0;                // 0: random
};

// What the shell itself has to say (the core's events come separately).
struct Notice {
  enum Kind : uint8_t {
    kAuthenticated,   // value = global id
    kMapEpoch,        // value = epoch
    kSessionUp,       // osd (-1: mon)
    kSessionReset,    // osd (-1: mon), detail = reason
    kConnectError,    // osd (-1: mon), detail = reason
    kMapError,        // detail
  } kind;
  int32_t osd = -1;
  uint64_t value = 0;
  std::string detail;
};

class RadosClient {
 public:
  RadosClient(asio::io_context& io, RadosClientConfig cfg);
  ~RadosClient();
  RadosClient(const RadosClient&) = delete;
  RadosClient& operator=(const RadosClient&) = delete;

  // Authenticate with a monitor and wait for the first OSDMap. done(0), or done(-ETIMEDOUT)
  // after mount_timeout.
  void connect(std::function<void(int)> done);
  void on_event(std::function<void(const client::Event&)> f) { on_event_ = std::move(f); }
  void on_notice(std::function<void(const Notice&)> f) { on_notice_ = std::move(f); }

  std::optional<int64_t> lookup_pool(std::string_view name) const;

  // The core's user calls (after connect), each followed by the I/O they cause.
  uint64_t watch(const client::ObjectId& obj, uint32_t timeout_s);
  int unwatch(uint64_t cookie);
  uint64_t notify(const client::ObjectId& obj, codec::Bytes payload, uint32_t timeout_ms);
  uint64_t notify_ack(const client::ObjectId& obj, uint64_t notify_id, uint64_t cookie,
                      codec::Bytes reply);
  uint64_t list_watchers(const client::ObjectId& obj);
  uint64_t write_full(const client::ObjectId& obj, codec::Bytes data);
  int64_t watch_check(uint64_t cookie) const;
  // The acting primary the current map gives for `obj` (-1: none or no map yet).
  int32_t target_osd(const client::ObjectId& obj) const;

  // Close every session (msgr v1: TAG_CLOSE) and stop the timers.
  void shutdown();

  Msgr msgr() const { return msgr_; }
  uint64_t global_id() const { return mon_.global_id(); }
  uint32_t epoch() const { return maps_.epoch(); }
  client::WatchClient* core() { return core_.get(); }
  Messenger& messenger() { return messenger_; }
  uint64_t osd_session_resets() const { return osd_resets_; }
  uint64_t mon_session_resets() const { return mon_resets_; }

 private:
  struct OsdSession {
    std::shared_ptr<Session> session;
    codec::entity_addr_t addr;
  };

  Instant now() const { return messenger_.now(); }
  uint32_t addr_type() const;
  const codec::entity_addr_t* mon_addr(size_t i) const;
  void start_mon_session();
  void drain_mon();
  void arm_mon_timer();
  void handle_osdmap(const codec::MessageParts& p, int32_t from_osd);
  // The map moved through u.epochs (oldest first): each is one _scan_requests pass.
  void on_map_change(const OsdMapTracker::Update& u);
  void maybe_request_map();
  void maybe_connected();
  void start_core();
  void kick();
  // After a burst of requests (a mass registration, the pings of a tick) has been answered,
  // give the freed memory back to the OS (glibc keeps freed heap pages otherwise).
  void maybe_trim_memory();
  void arm_core_timer();
  void rearm_core_timer();
  void handle_core_timeout();  // core_->handle_timeout when something is due
  // Requests in flight from which OSD sessions batch their reads (Session::set_read_batching):
  // a tick's pings or a mass registration, never a lone notify.
  static constexpr size_t kBatchReadsFrom = 256;
  void tick();
  void send_request(const client::OsdRequest& req);
  OsdSession* osd_session(int32_t osd);
  void handle_osd_message(int32_t osd, InMessage& m);
  void notice(Notice n) {
    if (on_notice_) on_notice_(n);
  }
  void log(const std::string& s) const {
    if (cfg_.log) cfg_.log(s);
  }

  asio::io_context& io_;
  RadosClientConfig cfg_;
  Msgr msgr_;
  Messenger messenger_;
  MonClient mon_;
  OsdMapTracker maps_;
  std::unique_ptr<client::WatchClient> core_;
  std::shared_ptr<Session> mon_session_;
  size_t mon_index_ = 0;
  std::map<int32_t, OsdSession> osds_;
  std::map<uint64_t, codec::utime_t> watch_mtime_;  // cookie -> wall clock of its WATCH
  asio::steady_timer mon_timer_, core_timer_, tick_timer_, mount_timer_;
  std::function<void(int)> connect_done_;
  std::function<void(const client::Event&)> on_event_;
  std::function<void(const Notice&)> on_notice_;
  bool authenticated_once_ = false;
  bool kicking_ = false, rekick_ = false;
  bool core_timer_posted_ = false;
  std::optional<Instant> mon_armed_;  // the deadline mon_timer_ waits for
  Instant last_core_rearm_{};
  asio::steady_timer rearm_timer_;  // arm_core_timer's throttle
  bool shut_down_ = false;
  Instant tick_origin_{};
  uint64_t ticks_ = 0;
  size_t burst_peak_ = 0;  // most requests in flight since the last trim
  // Reused per request / reply (their vectors keep their storage): one allocation fewer per
  // request and two per reply.
  client::OsdRequest tx_scratch_;  // the request being sent (storage reused)
  codec::MOSDOp op_scratch_;
  codec::MOSDOpReply reply_msg_scratch_;
  std::vector<uint8_t> front_scratch_;
  client::OsdReply reply_scratch_;
  uint64_t osd_resets_ = 0, mon_resets_ = 0;
};

}  // namespace cephwire::net
