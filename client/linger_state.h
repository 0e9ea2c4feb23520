// The linger (watch / notify) state machine as data: every state, every input, and every
// allowed transition with the action it performs, in one table. WatchClient consults this
// table for every transition it makes (a transition missing from the table is a bug the tests
// catch), and `bazel run //client:state_diagram` prints the diagram in docs/ from it, so code
// and docs cannot drift (model: python-hyper/h11 h11/_state.py).
//
// Sources: Ceph src/osdc/Objecter.cc (_linger_submit, _send_linger, _linger_commit,
// _linger_reconnect, _send_linger_ping, _linger_ping, handle_watch_notify, linger_cancel,
// _scan_requests) and Linux net/ceph/osd_client.c >= 4.7 (linger_submit, send_linger,
// linger_commit_cb, linger_reconnect_cb, send_linger_ping, linger_ping_cb, handle_watch_notify,
// __linger_cancel, kick_osd_requests).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cephwire::client {

enum class LingerState : uint8_t {
  // watch lingers
  kRegistering,   // WATCH op sent, waiting for its reply
  kEstablished,   // registered; pinging every tick
  kReconnecting,  // RECONNECT sent after a session reset or target change
  kError,         // last_error set, error event delivered; no pings; user must unwatch
  kUnwatching,    // user unwatched: linger cancelled (no more events), UNWATCH op in flight
  // notify lingers
  kNotifySent,          // NOTIFY op sent, neither its reply nor NOTIFY_COMPLETE yet
  kNotifyAwaitComplete, // reply (with notify_id) in, waiting for NOTIFY_COMPLETE
  kNotifyAwaitReply,    // NOTIFY_COMPLETE in first (the completion race), waiting for the reply
  // both
  kDone,  // terminal: removed from the tables
};

enum class LingerInput : uint8_t {
  kRegisterOk,         // reply to WATCH/NOTIFY registration, result >= 0
  kRegisterError,      // reply to registration, result < 0
  kReconnectOk,        // reply to RECONNECT, result >= 0
  kReconnectError,     // reply to RECONNECT, result < 0
  kPingOk,             // reply to PING of the current gen, result >= 0
  kPingError,          // reply to PING of the current gen, result < 0
  kDisconnect,         // MWatchNotify DISCONNECT
  kNotifyEvent,        // MWatchNotify NOTIFY for this watch
  kNotifyComplete,     // MWatchNotify NOTIFY_COMPLETE accepted for this notify
  kSessionReset,       // the OSD session was reset
  kTargetChanged,      // a new map moved the object to another OSD
  kTick,               // the periodic tick (objecter_tick_interval)
  kConfirmTimeout,     // not confirmed for timeout + tick, and the oldest unanswered ping
                       // (if any) is older than timeout (WatchClient::watch_confirm_deadline)
  kNotifyTimeout,      // client-side notify timeout expired
  kUnwatch,            // user called unwatch
  kUnwatchReply,       // reply to the UNWATCH op
};

enum class LingerAction : uint8_t {
  kNone,
  kDeliverRegistered,  // tell the user the registration result
  kDeliverError,       // set last_error (normalised) and deliver the error event once
  kSendReconnect,      // ++gen; send WATCH/RECONNECT (cancels in-flight register/ping)
  kResendRegister,     // not yet registered: send the registration again (new tid)
  kSendPing,           // send WATCH/PING with the current gen
  kConfirm,            // watch_valid_thru = ping send time
  kDeliverNotify,      // queue the notify event for the user
  kStoreCompletion,    // keep NOTIFY_COMPLETE's result until the op reply arrives
  kDeliverCompletion,  // deliver the notify result exactly once
  kSendUnwatch,        // cancel the linger and send WATCH/UNWATCH
  kDeliverUnwatched,   // tell the user the unwatch result
};

struct LingerTransition {
  LingerState from;
  LingerInput on;
  LingerState to;
  LingerAction action;
  const char* why;  // one line, shown in the diagram and in traces
};

std::span<const LingerTransition> linger_transitions();
// The row for (from, on), or nullopt: the input is not meaningful in that state (e.g. a stale
// reply) and is ignored.
std::optional<LingerTransition> find_transition(LingerState from, LingerInput on);

std::string_view to_string(LingerState s);
std::string_view to_string(LingerInput i);
std::string_view to_string(LingerAction a);

// The whole table as a Graphviz digraph and as a Mermaid stateDiagram.
std::string linger_diagram_dot();
std::string linger_diagram_mermaid();
// docs/linger-states.md: the diagram and the table.
std::string linger_states_markdown();

}  // namespace cephwire::client
