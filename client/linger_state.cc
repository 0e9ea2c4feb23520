#include "client/linger_state.h"

#include <array>
#include <string>

namespace cephwire::client {

namespace {

using S = LingerState;
using I = LingerInput;
using A = LingerAction;

// The table. Order is irrelevant; (from, on) pairs are unique (a test checks).
constexpr LingerTransition kTable[] = {
    // --- watch registration (Objecter::_linger_commit / linger_commit_cb) ---
    {S::kRegistering, I::kRegisterOk, S::kEstablished, A::kDeliverRegistered,
     "first commit: registered = true, tell the user"},
    {S::kRegistering, I::kRegisterError, S::kDone, A::kDeliverRegistered,
     "registration failed (e.g. -ENOENT): the linger is cancelled"},
    {S::kRegistering, I::kSessionReset, S::kRegistering, A::kResendRegister,
     "not registered yet: send the WATCH again on the new session"},
    {S::kRegistering, I::kTargetChanged, S::kRegistering, A::kResendRegister,
     "not registered yet: send the WATCH to the new primary"},
    {S::kRegistering, I::kNotifyEvent, S::kRegistering, A::kDeliverNotify,
     "a notify can race the registration reply"},
    {S::kRegistering, I::kDisconnect, S::kError, A::kDeliverError,
     "OSD dropped the watch before we saw the reply"},
    {S::kRegistering, I::kUnwatch, S::kUnwatching, A::kSendUnwatch,
     "unwatch before registration completed"},
    {S::kRegistering, I::kTick, S::kRegistering, A::kNone, "no pings until registered"},
    // --- established watch (tick, pings: Objecter::tick, _send_linger_ping, _linger_ping) ---
    {S::kEstablished, I::kTick, S::kEstablished, A::kSendPing,
     "every tick: WATCH/PING with the current gen"},
    {S::kEstablished, I::kPingOk, S::kEstablished, A::kConfirm,
     "watch_valid_thru = the ping's send time"},
    {S::kEstablished, I::kPingError, S::kError, A::kDeliverError,
     "ping refused (-ENOTCONN, -ETIMEDOUT): error callback once"},
    {S::kEstablished, I::kDisconnect, S::kError, A::kDeliverError,
     "DISCONNECT event: last_error = -ENOTCONN"},
    {S::kEstablished, I::kConfirmTimeout, S::kError, A::kDeliverError,
     "not confirmed for timeout + tick, no ping younger than timeout pending: -ETIMEDOUT"},
    {S::kEstablished, I::kNotifyEvent, S::kEstablished, A::kDeliverNotify,
     "queue the notify callback"},
    {S::kEstablished, I::kSessionReset, S::kReconnecting, A::kSendReconnect,
     "session reset: RECONNECT with ++gen"},
    {S::kEstablished, I::kTargetChanged, S::kReconnecting, A::kSendReconnect,
     "new primary: RECONNECT with ++gen there"},
    {S::kEstablished, I::kUnwatch, S::kUnwatching, A::kSendUnwatch,
     "unwatch: cancel now, send UNWATCH"},
    // --- reconnecting (Objecter::_linger_reconnect / linger_reconnect_cb) ---
    {S::kReconnecting, I::kReconnectOk, S::kEstablished, A::kConfirm,
     "reconnect accepted: pings resume"},
    {S::kReconnecting, I::kReconnectError, S::kError, A::kDeliverError,
     "reconnect refused (-ENOTCONN: the OSD timed the watch out)"},
    {S::kReconnecting, I::kSessionReset, S::kReconnecting, A::kSendReconnect,
     "reset again: another RECONNECT with ++gen"},
    {S::kReconnecting, I::kTargetChanged, S::kReconnecting, A::kSendReconnect,
     "moved again: RECONNECT to the newest primary"},
    {S::kReconnecting, I::kNotifyEvent, S::kReconnecting, A::kDeliverNotify,
     "the OSD resends in-progress notifies on reconnect"},
    {S::kReconnecting, I::kDisconnect, S::kError, A::kDeliverError, "DISCONNECT event"},
    {S::kReconnecting, I::kConfirmTimeout, S::kError, A::kDeliverError,
     "reconnect not confirmed in time"},
    {S::kReconnecting, I::kTick, S::kReconnecting, A::kNone, "no pings while reconnecting"},
    {S::kReconnecting, I::kUnwatch, S::kUnwatching, A::kSendUnwatch, "unwatch"},
    // --- error (sticky until the user unwatches) ---
    {S::kError, I::kTick, S::kError, A::kNone, "no pings after an error"},
    {S::kError, I::kNotifyEvent, S::kError, A::kNone,
     "the watch is invalid: notifies are dropped"},
    {S::kError, I::kSessionReset, S::kError, A::kNone, "nothing to resend"},
    {S::kError, I::kTargetChanged, S::kError, A::kNone, "nothing to resend"},
    {S::kError, I::kUnwatch, S::kUnwatching, A::kSendUnwatch,
     "the user destroys the broken watch"},
    // --- unwatch (librados unwatch / linger_cancel) ---
    {S::kUnwatching, I::kUnwatchReply, S::kDone, A::kDeliverUnwatched,
     "UNWATCH result to the user"},
    {S::kUnwatching, I::kSessionReset, S::kUnwatching, A::kSendUnwatch,
     "resend UNWATCH on the new session"},
    {S::kUnwatching, I::kTargetChanged, S::kUnwatching, A::kSendUnwatch,
     "resend UNWATCH to the new primary"},
    // --- notify (IoCtxImpl::notify, Objecter::handle_watch_notify !is_watch branch) ---
    {S::kNotifySent, I::kRegisterOk, S::kNotifyAwaitComplete, A::kNone,
     "reply carries notify_id; wait for NOTIFY_COMPLETE"},
    {S::kNotifySent, I::kRegisterError, S::kDone, A::kDeliverCompletion,
     "notify op failed: complete with its error"},
    {S::kNotifySent, I::kNotifyComplete, S::kNotifyAwaitReply, A::kStoreCompletion,
     "completion race: NOTIFY_COMPLETE before the op reply (notify_id still 0)"},
    {S::kNotifySent, I::kSessionReset, S::kNotifySent, A::kResendRegister,
     "resend the NOTIFY (notify_id reset to 0)"},
    {S::kNotifySent, I::kTargetChanged, S::kNotifySent, A::kResendRegister,
     "resend the NOTIFY to the new primary"},
    {S::kNotifySent, I::kNotifyTimeout, S::kDone, A::kDeliverCompletion,
     "client-side timeout: -ETIMEDOUT"},
    {S::kNotifyAwaitComplete, I::kNotifyComplete, S::kDone, A::kDeliverCompletion,
     "deliver acks and timeouts exactly once"},
    {S::kNotifyAwaitComplete, I::kSessionReset, S::kNotifySent, A::kResendRegister,
     "resend: the OSD may complete the old notify or the new one"},
    {S::kNotifyAwaitComplete, I::kTargetChanged, S::kNotifySent, A::kResendRegister,
     "resend to the new primary"},
    {S::kNotifyAwaitComplete, I::kNotifyTimeout, S::kDone, A::kDeliverCompletion,
     "client-side timeout: -ETIMEDOUT"},
    {S::kNotifyAwaitReply, I::kRegisterOk, S::kDone, A::kDeliverCompletion,
     "reply after completion: deliver the stored completion"},
    {S::kNotifyAwaitReply, I::kRegisterError, S::kDone, A::kDeliverCompletion,
     "reply error wins over the stored completion"},
    {S::kNotifyAwaitReply, I::kSessionReset, S::kNotifyAwaitReply, A::kResendRegister,
     "the reply is lost with the session: resend, keep the completion"},
    {S::kNotifyAwaitReply, I::kTargetChanged, S::kNotifyAwaitReply, A::kResendRegister,
     "resend to the new primary, keep the completion"},
    {S::kNotifyAwaitReply, I::kNotifyTimeout, S::kDone, A::kDeliverCompletion,
     "client-side timeout: deliver what we have"},
};

}  // namespace

std::span<const LingerTransition> linger_transitions() { return kTable; }

std::optional<LingerTransition> find_transition(LingerState from, LingerInput on) {
  for (const auto& t : kTable) {
    if (t.from == from && t.on == on) return t;
  }
  return std::nullopt;
}

std::string_view to_string(LingerState s) {
  switch (s) {
    case S::kRegistering: return "Registering";
    case S::kEstablished: return "Established";
    case S::kReconnecting: return "Reconnecting";
    case S::kError: return "Error";
    case S::kUnwatching: return "Unwatching";
    case S::kNotifySent: return "NotifySent";
    case S::kNotifyAwaitComplete: return "NotifyAwaitComplete";
    case S::kNotifyAwaitReply: return "NotifyAwaitReply";
    case S::kDone: return "Done";
  }
  return "?";
}

std::string_view to_string(LingerInput i) {
  switch (i) {
    case I::kRegisterOk: return "register_ok";
    case I::kRegisterError: return "register_error";
    case I::kReconnectOk: return "reconnect_ok";
    case I::kReconnectError: return "reconnect_error";
    case I::kPingOk: return "ping_ok";
    case I::kPingError: return "ping_error";
    case I::kDisconnect: return "disconnect";
    case I::kNotifyEvent: return "notify";
    case I::kNotifyComplete: return "notify_complete";
    case I::kSessionReset: return "session_reset";
    case I::kTargetChanged: return "target_changed";
    case I::kTick: return "tick";
    case I::kConfirmTimeout: return "confirm_timeout";
    case I::kNotifyTimeout: return "notify_timeout";
    case I::kUnwatch: return "unwatch";
    case I::kUnwatchReply: return "unwatch_reply";
  }
  return "?";
}

std::string_view to_string(LingerAction a) {
  switch (a) {
    case A::kNone: return "-";
    case A::kDeliverRegistered: return "deliver_registered";
    case A::kDeliverError: return "deliver_error";
    case A::kSendReconnect: return "send_reconnect";
    case A::kResendRegister: return "resend_register";
    case A::kSendPing: return "send_ping";
    case A::kConfirm: return "confirm";
    case A::kDeliverNotify: return "deliver_notify";
    case A::kStoreCompletion: return "store_completion";
    case A::kDeliverCompletion: return "deliver_completion";
    case A::kSendUnwatch: return "send_unwatch";
    case A::kDeliverUnwatched: return "deliver_unwatched";
  }
  return "?";
}

std::string linger_diagram_dot() {
  std::string s = "digraph linger {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n";
  for (const auto& t : kTable) {
    s += "  ";
    s += to_string(t.from);
    s += " -> ";
    s += to_string(t.to);
    s += " [label=\"";
    s += to_string(t.on);
    if (t.action != A::kNone) {
      s += " / ";
      s += to_string(t.action);
    }
    s += "\"];\n";
  }
  s += "}\n";
  return s;
}

std::string linger_diagram_mermaid() {
  std::string s = "stateDiagram-v2\n  [*] --> Registering: watch()\n  [*] --> NotifySent: notify()\n";
  for (const auto& t : kTable) {
    s += "  ";
    s += to_string(t.from);
    s += " --> ";
    s += to_string(t.to);
    s += ": ";
    s += to_string(t.on);
    if (t.action != A::kNone) {
      s += " / ";
      s += to_string(t.action);
    }
    s += "\n";
  }
  s += "  Done --> [*]\n";
  return s;
}

std::string linger_states_markdown() {
  std::string out =
      "# Linger (watch / notify) state machine\n\n"
      "Generated by `bazel run //client:state_diagram > docs/linger-states.md` from the table in\n"
      "`client/linger_state.cc`; `//client:linger_state_test` fails if this file is stale.\n\n"
      "```mermaid\n" +
      linger_diagram_mermaid() +
      "```\n\n| from | input | to | action | why |\n|---|---|---|---|---|\n";
  for (const auto& t : kTable) {
    out += "| " + std::string(to_string(t.from)) + " | " + std::string(to_string(t.on)) + " | " +
           std::string(to_string(t.to)) + " | " + std::string(to_string(t.action)) + " | " +
           t.why + " |\n";
  }
  out += "\nGraphviz:\n\n```dot\n" + linger_diagram_dot() + "```\n";
  return out;
}

}  // namespace cephwire::client
