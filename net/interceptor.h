// Fault injection between a connection's protocol logic and its socket, in the spirit of
// crimson's src/crimson/net/Interceptor.h (Breakpoint / bp_action_t: CONTINUE, FAULT, BLOCK,
// STALL, at a chosen tag and direction, on the Nth occurrence): rules match frames by
// direction, peer, frame kind, message type, OSD op / watch sub-op / watch event, and act on
// the Nth (.. Nth+count-1) match:
//   drop  - the frame never reaches the socket (out) / the protocol (in);
//   delay - the frame and everything after it on that connection waits `delay`;
//   close - the connection faults at that frame (as a socket error would).
// Matches are counted per rule across every connection that shares the interceptor, so
// "drop the first 7 watch pings" holds across reconnects. The interceptor is sans-IO and
// single-threaded like the connections that consult it.
//
// Text form (CLI --inject, tests), fields separated by ':':
//   DIR:ACTION[:key=value...]   DIR = out | in, ACTION = drop | close | delay=MS
//   keys: peer=mon|osd, kind=<item kind>, type=<msg type number or name: osd_op, osd_opreply,
//         watch_notify, ping, auth, mon_subscribe, osd_map, ...>, op=<osd op name or number:
//         watch, notify, notify-ack, list-watchers, ...>, watch_op=<watch|reconnect|ping|unwatch>,
//         event=<notify|notify_complete|disconnect>, nth=N (1-based, default 1), count=N
//         (default 1; 0 = every match from nth on)
//   e.g. "out:drop:type=osd_op:op=watch:watch_op=ping:count=0"
//        "in:close:type=watch_notify:event=notify:nth=2"
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/error.h"
#include "net/protocol.h"

namespace cephwire::net {

enum class FaultAction : uint8_t { kPass, kDrop, kDelay, kClose };
std::string_view to_string(FaultAction a);

struct FaultRule {
  Direction dir = Direction::kOut;
  FaultAction action = FaultAction::kDrop;
  Duration delay{};
  int peer_type = -1;      // -1: any peer
  std::string kind;        // empty: any item kind
  int msg_type = -1;       // -1: any (implies kind "message" when set)
  int osd_op = -1;
  int watch_op = -1;
  int watch_event = -1;
  uint64_t nth = 1;        // first matching occurrence acted on (1-based)
  uint64_t count = 1;      // how many from nth on; 0 = all
  bool enabled = true;

  bool matches(const FrameInfo& f) const;
  std::string to_string() const;
  // Parses the text form above.
  static codec::Result<FaultRule> parse(std::string_view text);
};

struct FaultVerdict {
  FaultAction action = FaultAction::kPass;
  Duration delay{};
};

// What a rule sees of a message: kind "message", the type and, for MOSDOpReply /
// MWatchNotify, the first op (and its watch sub-op) / the event opcode (decoded here).
void classify_message(const codec::MessageParts& p, FrameInfo& info);

class Interceptor {
 public:
  size_t add(FaultRule r);  // returns the rule index
  void set_enabled(size_t rule, bool on) { rules_.at(rule).rule.enabled = on; }
  void clear() { rules_.clear(); }

  // Called by a connection for every frame it is about to write (kOut) or has decoded (kIn).
  // The first enabled rule whose match window covers this occurrence decides; every matching
  // rule counts the occurrence.
  FaultVerdict on_frame(const FrameInfo& f);

  struct Fired {
    size_t rule;
    uint64_t occurrence;
    FrameInfo frame;  // kind points at a static string
    FaultAction action;
  };
  const std::vector<Fired>& fired() const { return fired_; }
  uint64_t matches(size_t rule) const { return rules_.at(rule).seen; }
  size_t size() const { return rules_.size(); }

 private:
  struct Entry {
    FaultRule rule;
    uint64_t seen = 0;
  };
  std::vector<Entry> rules_;
  std::vector<Fired> fired_;
};

}  // namespace cephwire::net
