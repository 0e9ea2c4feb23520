// Replay: drive a fresh WatchClient with what one librados client did in a recording and
// compare what the core sends with what librados sent. Sans-IO: the caller (tools/cli/replay.cc)
// reads the pcap and hands in the client's decoded OSD-session items with their pcap times.
//
// Model (librados 16.2.15, ceph/ceph src/osdc/Objecter.cc + src/librados/IoCtxImpl.cc):
// - user calls are inferred from the client's own MOSDOps: the first WATCH (sub-op WATCH or
//   LEGACY) of a cookie -> watch(obj, timeout); the first NOTIFY of a cookie -> notify(payload,
//   timeout); NOTIFY_ACK, LIST_WATCHERS, WRITEFULL, READ, STAT with retry_attempt 0 -> those
//   calls when the request is exactly what the call sends; any other first send of a
//   non-linger request (librbd's class CALLs, CREATE, SETALLOCHINT + WRITE, multi-op or snap
//   requests) -> operate() with its raw ops, flags and snap context; the first UNWATCH of a
//   cookie -> unwatch. PING, RECONNECT, re-sent WATCH/NOTIFY of a known cookie and resends of
//   plain ops are the core's job.
// - the virtual clock is the pcap time; handle_timeout runs whenever it passes poll_timeout().
//   Objecter's tick phase is not on the wire (its timer starts inside rados_connect): the
//   core's ticks are aligned to the client's first recorded ping (else its first packet), so
//   every later ping checks the tick cadence.
// - a session the client re-opens later was reset: handle_session_reset at its close (the
//   Objecter resends into the dead session: those requests cannot be on the wire and are
//   counted as `unobservable`) and again when the new connection opens.
// - an MOSDMap the client received -> handle_map_change with the placement under every new
//   epoch it carries (one call: the core resends a linger once per epoch that moved it, as
//   Objecter::handle_osd_map does), once the core has objects to place;
// - a recorded request whose target (OSD of its connection, epoch, PG) differs from what the
//   core was told for that object -> handle_map_change first (targets of a connection are
//   learnt when it opens, as the Objecter knows the map before it opens a session);
//   a second connection of the client to an OSD -> handle_session_reset(osd) at its opening.
// - requests are matched in order (pings: nearest recorded ping of the watch within
//   Options::ping_tolerance); fields, then the whole MOSDOp (wire::to_message with the
//   recorded tid, mtime and epoch and the recorded cookies) are compared.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/watch_client.h"
#include "codec/message.h"

namespace cephwire::client::replay {

// kMap: an MOSDMap the client received (from its monitor or an OSD) that moved its map on.
enum class InputKind : uint8_t { kOpened, kClosed, kRequest, kReply, kWatchNotify, kMap };

// One thing that happened on one of the client's OSD connections, in capture order.
struct Input {
  InputKind kind = InputKind::kRequest;
  uint64_t conn = 0;            // connection id (unique in the capture)
  int32_t osd = -1;             // the OSD at the other end
  uint64_t frame = 0;           // pcap frame
  Instant time{};               // pcap time (since the Unix epoch)
  codec::MessageParts msg;      // requests / replies / notifies: views the caller keeps alive
  // kMap: object placement under each epoch the message took the client's map through, oldest
  // first (the shell decodes the maps; Objecter::handle_osd_map scans requests per epoch).
  std::vector<Placement> map_epochs;
  // kMap: OSDs whose sessions those epochs closed (marked down or moved to a new address:
  // Objecter::handle_osd_map close_session). The client's next connection to such an OSD is a
  // new session, not a reset of the old one.
  std::vector<int32_t> map_closed;
};

// A watch callback librados delivered (from the recording's manifest).
struct ExpectedCallback {
  enum class Kind : uint8_t { kNotify, kWatchError } kind = Kind::kNotify;
  uint64_t cookie = 0;          // the recorded (librados) cookie
  uint64_t notify_id = 0;
  // The payload as the manifest keeps it: its length and its first / last bytes (the whole
  // payload when short: head == the payload, tail empty).
  size_t payload_len = 0;
  std::string payload_head, payload_tail;
  int32_t err = 0;
};

struct ClientRecording {
  std::string file;
  uint64_t gid = 0;
  Instant start{};              // the client's first packet (tick origin)
  Duration tick_interval = std::chrono::seconds(5);  // objecter_tick_interval
  std::vector<Input> inputs;
  // Intervals [from, to) during which the client process was stopped (SIGSTOP ... SIGCONT):
  // nothing in it runs, but its clock does not stop (Objecter's timers are on the monotonic
  // clock, which runs on through SIGSTOP). So what arrived meanwhile and every timer that fell
  // due are handled at `to`, timers first (v1-/v2-watch-error: the PING goes out at SIGCONT,
  // ahead of the DISCONNECT the OSD queued during the stop), each timer once (Objecter's tick
  // re-arms after it runs), and the core sees its clock jump from `from` to `to`.
  std::vector<std::pair<Instant, Instant>> frozen;
  // The callbacks librados delivered for the watches the scenario itself made (the manifest's
  // `watches` of this client); nullopt: not known (e.g. librbd's internal watches), not checked.
  std::optional<std::vector<ExpectedCallback>> callbacks;
};

struct Difference {
  uint64_t frame = 0;
  std::string what;
};

struct ClientResult {
  uint64_t gid = 0;
  size_t requests = 0;          // recorded MOSDOps
  size_t user_calls = 0;
  size_t pings = 0;             // recorded pings
  size_t matched = 0;
  bool tids_exact = true;       // every matched request had the recorded tid
  Duration max_ping_skew{};     // largest |core - recorded| over matched pings
  size_t callbacks_checked = 0;
  // Requests the core sent to an OSD while the client had no connection to it (between a
  // session's close and its re-opening): librados queues those to the dead session, where
  // they never reach the wire (it resends them when the session re-opens).
  size_t unobservable = 0;
  std::vector<Difference> diffs;
};

struct Options {
  // Objecter pings from its tick (objecter_tick_interval), rescheduled after each run, so
  // it drifts by the tick's own run time (measured: < 2 ms over 6 pings).
  Duration ping_tolerance = std::chrono::milliseconds(500);
};

ClientResult replay_client(const ClientRecording& rec, const Options& opts = {});

}  // namespace cephwire::client::replay
