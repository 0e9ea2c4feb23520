// Live mode of the conformance catalog: the live cases run against a real cluster with the
// cephwire client (net/rados_client.h, the watch core on Asio). One client, scenarios run one
// after the other, each on its own object (written first):
//   self-notify   watch, notify from the same client, ack with a payload, list_watchers:
//                 watch/register/commit, notify/deliver/payload, notify/ack/payload,
//                 notify/complete/exactly-once, notify/complete/return-code (0),
//                 list-watchers/reply/known-watchers;
//   silent        two watches, one acks, one stays silent; a 3 s notify:
//                 notify/complete/timeouts-unacked, notify/complete/return-code (-ETIMEDOUT);
//   unwatch       watch, unwatch, then notify: watch/unwatch/no-events;
//   pings         a watch kept for two objecter ticks: watch/ping/cadence;
//   reset         the OSD session closed at a ping (the fault layer, net/interceptor.h):
//                 watch/reconnect/after-reset (RECONNECT on the new session, then a notify
//                 still arrives).
// Each case's wire log is its scenario's messages (one decoded line each, with the time since
// the scenario started) and its time the scenario's. Expectations follow librados 16.2.15 /
// ceph/ceph v16.2.15 as each case's catalog entry cites (src/osdc/Objecter.cc,
// src/osd/Watch.cc, src/osd/PrimaryLogPG.cc).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "conformance/report.h"
#include "net/config.h"
#include "net/transport.h"

namespace cephwire::conformance {

struct LiveOptions {
  std::vector<net::MonAddrs> mons;
  std::string pool = "rbd";
  std::optional<net::Msgr> msgr;   // default: what the monitors offer
  std::string id = "admin";        // client.<id>
  double mount_timeout_s = 60;
  double step_timeout_s = 30;      // how long one step may wait for its event
  std::string object_prefix;       // default: "cephwire-conformance-<pid>-"
  std::function<void(const std::string&)> progress;  // one line per scenario (optional)
};

// Runs every live case (mode "live", input name "live <msgr> <mon>"). nullopt and *error when
// the cluster cannot be reached or the pool does not exist.
std::optional<InputRun> run_live(const LiveOptions& o, std::string* error);

}  // namespace cephwire::conformance
