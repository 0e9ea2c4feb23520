// A monitor client as a sans-IO state machine, after ceph/ceph src/mon/MonClient.cc
// (MonConnection::start, MonClient::handle_auth / _finish_auth, MonSub sub_want / got /
// reload, _renew_subs, handle_monmap, handle_config, get_version / handle_get_version_reply,
// tick: keepalive every mon_client_ping_interval, reopen when no keepalive ack arrived for
// mon_client_ping_timeout, reopen while hunting every mon_client_hunt_interval x multiplier)
// and Linux net/ceph/mon_client.c. It owns no socket: the shell gives it the mon session's
// events and carries out what it asks for.
//
// Authentication (auth none):
//  - msgr v1: right after the session opens, a KEEPALIVE2 and MAuth {protocol 0 (unknown),
//    AuthHelloPayload {struct_v 1, [CEPH_AUTH_NONE], client.<id>, our previous global id (0 the
//    first time)}, monmap epoch}; MAuthReply {protocol 1, result 0, global_id} authenticates.
//  - msgr v2: the transport did AUTH_REQUEST / AUTH_DONE; the session is authenticated when it
//    is ready (global_id from AUTH_DONE); MonConnection::start then sends MMonGetMap.
// Then the wanted subscriptions (MMonSubscribe v3 with our hostname) go out: over v1 after the
// MAuthReply, over v2 right behind the MMonGetMap (as the recordings show). The session is
// announced (mon_ev::Authenticated) once authenticated and a monmap is known, which is when
// librados's MonClient::authenticate returns. The shell then renames itself client.<gid> and,
// the first time, subscribes to the mgrmap (MgrClient::init: we only track its epoch) and the
// osdmap (Objecter::start), each with its own MMonSubscribe, as librados does.
//
// Subscriptions follow MonSub: sub_want() records a new want (returns true if it changed),
// renew_subs() sends the new ones, got() retires ONETIME subscriptions (and moves continuous
// ones past what we have), and a new session resends everything.
// The MOSDMap itself is for the shell (Objecter handles maps in Ceph, not MonClient).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "codec/messages/MonMap.h"
#include "codec/messages/mon_messages.h"
#include "codec/types/utime_t.h"
#include "net/protocol.h"

namespace cephwire::net {

struct MonClientConfig {
  Msgr msgr = Msgr::kV1;
  std::string entity_id = "admin";
  std::string hostname;                            // MMonSubscribe.hostname
  bool want_config = true;                         // MonClient::init: sub_want("config")
  Duration ping_interval = std::chrono::seconds(10);  // mon_client_ping_interval
  Duration ping_timeout = std::chrono::seconds(30);   // mon_client_ping_timeout
  Duration hunt_interval = std::chrono::seconds(3);   // mon_client_hunt_interval
  double hunt_backoff = 1.5;                       // mon_client_hunt_interval_backoff
  double hunt_max_multiple = 10.0;                 // mon_client_hunt_interval_max_multiple
};

namespace mon_ev {
// The session is authenticated and a monmap is known (each new session).
struct Authenticated {
  uint64_t global_id = 0;
};
struct AuthFailed {
  int32_t result = 0;
  std::string message;
};
struct MonMapUpdated {
  uint32_t epoch = 0;
};
struct Config {
  std::map<std::string, std::string> values;
};
struct VersionReply {
  uint64_t handle = 0;
  uint64_t newest = 0;
  uint64_t oldest = 0;
};
}  // namespace mon_ev
using MonEvent = std::variant<mon_ev::Authenticated, mon_ev::AuthFailed, mon_ev::MonMapUpdated,
                              mon_ev::Config, mon_ev::VersionReply>;

namespace mon_act {
struct SendKeepalive {};
// Give up on this session and open a new one (next monitor).
struct Reopen {
  std::string reason;
};
}  // namespace mon_act
using MonAction = std::variant<mon_act::SendKeepalive, mon_act::Reopen>;

class MonClient {
 public:
  MonClient(MonClientConfig cfg, Instant now);

  // ---- the mon session ----
  // A new session is being opened (after start or a reset): nothing sent yet.
  void handle_opening(Instant now);
  void handle_ready(const conn_ev::Ready& r, Instant now);
  // A message from the mon. Returns false for types this client does not handle (MOSDMap,
  // MMgrMap, ...: the shell's).
  bool handle_message(const codec::MessageParts& p, Instant now);
  void handle_keepalive_ack(Instant now);
  // The session faulted; a new one will be opened (handle_opening).
  void handle_reset(Instant now);
  void handle_timeout(Instant now);

  // ---- user calls ----
  bool sub_want(const std::string& what, uint64_t start, uint8_t flags);
  // Record that we have `have` of `what` (MonSub::got).
  void sub_got(const std::string& what, uint64_t have);
  void renew_subs(Instant now);
  // MMonGetVersion(what) -> mon_ev::VersionReply{handle}.
  uint64_t get_version(const std::string& what, Instant now);

  // ---- outputs ----
  std::optional<OutMessage> poll_transmit();
  std::optional<MonEvent> poll_event();
  std::optional<MonAction> poll_action();
  std::optional<Instant> poll_timeout() const;

  bool authenticated() const { return state_ == State::kAuthenticated; }
  uint64_t global_id() const { return global_id_; }
  const codec::MonMap& monmap() const { return monmap_; }
  const std::map<std::string, codec::ceph_mon_subscribe_item>& subs_pending() const {
    return sub_new_;
  }
  const std::map<std::string, codec::ceph_mon_subscribe_item>& subs_sent() const {
    return sub_sent_;
  }

 private:
  enum class State : uint8_t { kIdle, kOpening, kAuthenticating, kAuthenticated };
  void send(OutMessage m);
  void send_now(OutMessage m);
  void auth_done(uint64_t global_id, Instant now);
  void announce(Instant now);
  void send_subscribe(Instant now);
  void schedule_tick(Instant now);
  Duration hunt_timeout() const;

  MonClientConfig cfg_;
  State state_ = State::kIdle;
  uint64_t global_id_ = 0;
  codec::MonMap monmap_;
  std::map<std::string, codec::ceph_mon_subscribe_item> sub_new_, sub_sent_;
  uint64_t next_version_handle_ = 0;
  std::deque<OutMessage> waiting_;  // until authenticated
  std::deque<OutMessage> tx_;
  std::deque<MonEvent> events_;
  std::deque<MonAction> actions_;
  Instant opened_at_{};
  Instant next_tick_{};
  bool tick_armed_ = false;
  Instant last_keepalive_ack_{};
  double hunt_multiple_ = 1.0;
  bool announced_ = false;       // Authenticated sent for this session
};

}  // namespace cephwire::net
