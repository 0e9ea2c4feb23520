// WatchClient: the reference watch/notify client as a deterministic, sans-IO state machine.
//
// It never touches sockets, threads or clocks. Inputs are user calls, decoded OSD replies and
// watch notifications, session events (reset, map/target change) and `now`; outputs are OSD
// requests to send (poll_transmit), user events (poll_event) and the next deadline
// (poll_timeout). Shape after quinn-proto's Connection (handle_* / poll_*); behaviour after
// Ceph's Objecter (src/osdc/Objecter.cc: linger ops, tick, _send_linger, _linger_commit,
// _linger_reconnect, _send_linger_ping, _linger_ping, handle_watch_notify, linger_check,
// _scan_requests, ms_handle_reset) and librados (src/librados/IoCtxImpl.cc: watch, unwatch,
// notify, notify_ack, watch_check), with Linux net/ceph/osd_client.c as second reference.
// Every linger transition goes through the table in linger_state.h.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "client/linger_state.h"
#include "codec/bytes.h"

namespace cephwire::client {

// Monotonic time since an origin the caller chooses.
using Duration = std::chrono::nanoseconds;
using Instant = Duration;

constexpr int kENOENT = 2;
constexpr int kEBADF = 9;
constexpr int kEINVAL = 22;
constexpr int kENOTCONN = 107;
constexpr int kETIMEDOUT = 110;

// CEPH_OSD_OP_* / CEPH_OSD_WATCH_OP_* / CEPH_OSD_FLAG_* values used by the client
// (src/include/rados.h).
namespace osd_op {
constexpr uint16_t kRead = 0x1201, kStat = 0x1202, kNotify = 0x1206, kNotifyAck = 0x1207,
                   kListWatchers = 0x1209, kWriteFull = 0x2202, kCreate = 0x220d,
                   kWatch = 0x220f;
constexpr uint8_t kWatchUnwatch = 0, kWatchLegacy = 1, kWatchWatch = 3, kWatchReconnect = 5,
                  kWatchPing = 7;
constexpr uint32_t kFlagOndisk = 0x4, kFlagRead = 0x10, kFlagWrite = 0x20,
                   kFlagKnownRedir = 0x400000;
}  // namespace osd_op
// CEPH_WATCH_EVENT_*
constexpr uint8_t kWatchEventNotify = 1, kWatchEventNotifyComplete = 2,
                  kWatchEventDisconnect = 3;

struct ObjectId {
  int64_t pool = 0;
  std::string nspace;
  std::string name;
  std::string key;  // locator key (empty: the name)
  auto operator<=>(const ObjectId&) const = default;
};

// Where an object's requests go under the current map: computed by the shell (OSDMap + CRUSH,
// or a recording) and handed in; the core never computes placement itself.
struct Target {
  int32_t osd = -1;        // acting primary; -1 = none (requests wait, "homeless")
  uint32_t epoch = 0;      // map epoch the requests carry
  uint32_t pg_seed = 0;    // actual PG (ceph_stable_mod of the hash)
  uint32_t hash = 0;       // raw object hash
  // The PG's interval (Objecter op_target_t: up, up_primary, acting, size, min_size, pg_num),
  // when the shell knows it (empty / 0 otherwise). Lingers are resent on a new interval even
  // if the primary stays: Objecter::_recalc_linger_op_target calls _calc_target with
  // any_change = true, so PastIntervals::is_new_interval (any of these changed) forces the
  // resend; plain ops only follow a primary change.
  std::vector<int32_t> up, acting;
  int32_t up_primary = -1;
  uint32_t pg_num = 0;
  uint8_t size = 0, min_size = 0;
  bool same_interval(const Target& o) const {
    return up == o.up && acting == o.acting && up_primary == o.up_primary &&
           pg_num == o.pg_num && size == o.size && min_size == o.min_size;
  }
  bool operator==(const Target&) const = default;
};
using Placement = std::function<Target(const ObjectId&)>;

// One ceph_osd_op the client sends (the union members it uses).
struct OpSpec {
  uint16_t op = 0;
  uint32_t flags = 0;
  uint64_t cookie = 0;     // watch.cookie / notify.cookie
  uint8_t watch_op = 0;    // watch.op
  uint32_t gen = 0;        // watch.gen
  uint32_t timeout = 0;    // watch.timeout (s)
  uint64_t offset = 0;     // extent.offset
  uint64_t length = 0;     // extent.length
  codec::Bytes indata;     // goes to the data segment
  // Generic ops (WatchClient::operate): the 28-byte ceph_osd_op union exactly as the caller
  // built it (librados' ObjectOperation fills it per op: extent, cls, xattr, alloc_hint, ...).
  // When set it is sent verbatim and the typed fields above are not used for the union.
  std::optional<std::array<uint8_t, 28>> raw_union;
  bool operator==(const OpSpec&) const = default;
};

// CEPH_NOSNAP: the object's head (src/include/rados.h).
constexpr uint64_t kNoSnap = 0xfffffffffffffffeULL;

// The snapshot side of a request: reads name the snap they read (snapid), writes carry the
// writer's snap context (seq + snaps, newest first) - Objecter::prepare_read_op /
// prepare_mutate_op, MOSDOp::snapid / snap_seq / snaps.
struct SnapSpec {
  uint64_t snapid = kNoSnap;
  uint64_t snap_seq = 0;
  std::vector<uint64_t> snaps;
  bool operator==(const SnapSpec&) const = default;
};

// A request to send on the session with `target.osd` (one MOSDOp).
struct OsdRequest {
  uint64_t tid = 0;
  Target target;
  ObjectId obj;
  uint32_t flags = 0;      // CEPH_OSD_FLAG_*
  int32_t attempt = 0;     // retry_attempt: resends of plain ops bump it, same tid
  Duration mtime{};        // caller's clock at submit (the shell maps it to wall time)
  std::vector<OpSpec> ops;
  SnapSpec snap;           // CEPH_NOSNAP / no snap context unless set by operate()
};

// A decoded MOSDOpReply, reduced to what the client needs.
struct OsdReply {
  int32_t osd = -1;
  uint64_t tid = 0;
  int32_t result = 0;
  uint32_t epoch = 0;
  std::vector<int32_t> rvals;
  std::vector<codec::Bytes> outdata;  // per op
};

// A decoded MWatchNotify.
struct WatchNotifyMsg {
  int32_t osd = -1;
  uint8_t opcode = 0;
  uint64_t cookie = 0;
  uint64_t notify_id = 0;
  codec::Bytes payload;
  int32_t return_code = 0;
  uint64_t notifier_gid = 0;
  codec::Bytes data;  // NOTIFY_COMPLETE: the acks/timeouts payload
};

struct NotifyAckEntry {
  uint64_t gid = 0, cookie = 0;
  codec::Bytes payload;
  bool operator==(const NotifyAckEntry&) const = default;
};
struct NotifyTimeoutEntry {
  uint64_t gid = 0, cookie = 0;
  bool operator==(const NotifyTimeoutEntry&) const = default;
};
struct WatcherEntry {
  std::string name;  // "client.4135"
  uint64_t cookie = 0;
  uint32_t timeout_seconds = 0;
  std::string addr;
  bool operator==(const WatcherEntry&) const = default;
};

// ---- events to the user ----
namespace ev {
struct WatchRegistered { uint64_t cookie; int32_t result; };
struct WatchNotify { uint64_t cookie; uint64_t notify_id; uint64_t notifier_gid; codec::Bytes payload; };
struct WatchError { uint64_t cookie; int32_t error; };
struct WatchReconnected { uint64_t cookie; };
struct Unwatched { uint64_t cookie; int32_t result; };
struct NotifyDone {
  uint64_t handle; int32_t result; uint64_t notify_id;
  std::vector<NotifyAckEntry> acks; std::vector<NotifyTimeoutEntry> timeouts;
  codec::Bytes reply;  // the raw reply buffer librados hands to rados_notify2's caller
};
struct OpDone {
  uint64_t handle; uint16_t op; int32_t result;
  codec::Bytes data;                   // read
  uint64_t size = 0;                   // stat
  uint32_t mtime_sec = 0, mtime_nsec = 0;
  std::vector<WatcherEntry> watchers;  // list_watchers
  // operate(): every op's rval and outdata (owned), in op order.
  std::vector<int32_t> rvals;
  std::vector<codec::Bytes> outdata;
};
struct FlushDone { uint64_t token; };
}  // namespace ev
using Event = std::variant<ev::WatchRegistered, ev::WatchNotify, ev::WatchError,
                           ev::WatchReconnected, ev::Unwatched, ev::NotifyDone, ev::OpDone,
                           ev::FlushDone>;
std::string event_name(const Event& e);
std::optional<uint64_t> event_cookie(const Event& e);  // the watch cookie it concerns, if any

struct ClientConfig {
  uint64_t gid = 0;                         // our global id (client.<gid>)
  Duration tick_interval = std::chrono::seconds(5);   // objecter_tick_interval
  uint32_t default_watch_timeout_s = 30;    // osd_client_watch_timeout (OSD side)
  uint32_t client_notify_timeout_s = 10;    // client_notify_timeout (timeout_ms == 0)
  uint32_t osd_default_notify_timeout_s = 30;
  uint64_t first_cookie = 1;                // cookies are allocated upwards from here
};

class WatchClient {
 public:
  WatchClient(ClientConfig cfg, Placement placement, Instant now);

  // ---- user calls (librados semantics); each returns a handle used in its completion ----
  // watch2 (timeout_s = 0) / watch3: returns the cookie; ev::WatchRegistered follows.
  uint64_t watch(const ObjectId& obj, uint32_t timeout_s, Instant now);
  // Cancels the linger now (no more events for it) and sends UNWATCH; ev::Unwatched follows.
  // An unknown cookie is refused with -ENOTCONN (librados IoCtxImpl::unwatch).
  int unwatch(uint64_t cookie, Instant now);
  // 1 + ms since the watch was last confirmed (or the oldest undelivered notify), or the
  // error; -ENOTCONN for an unknown cookie.
  int64_t watch_check(uint64_t cookie, Instant now) const;
  // ev::FlushDone{token} after every event queued before this call.
  uint64_t watch_flush();
  // notify2: returns the handle (the notify linger's cookie); ev::NotifyDone follows, once.
  uint64_t notify(const ObjectId& obj, codec::Bytes payload, uint32_t timeout_ms, Instant now);
  // Fire-and-forget NOTIFY_ACK (librados ignores its reply).
  uint64_t notify_ack(const ObjectId& obj, uint64_t notify_id, uint64_t cookie,
                      codec::Bytes reply, Instant now);
  uint64_t list_watchers(const ObjectId& obj, Instant now);
  uint64_t write_full(const ObjectId& obj, codec::Bytes data, Instant now);
  uint64_t read(const ObjectId& obj, uint64_t off, uint64_t len, Instant now);
  uint64_t stat(const ObjectId& obj, Instant now);
  // Any other object operation, librados aio_operate-like (IoCtxImpl::aio_operate /
  // aio_operate_read -> Objecter::prepare_mutate_op / prepare_read_op): `flags` are the
  // CEPH_OSD_FLAG_* of the op (READ and/or WRITE, plus e.g. FULL_TRY, BALANCE_READS; ONDISK
  // and KNOWN_REDIR are added as for every request), `ops` are the raw ops (op code, op
  // flags, union via OpSpec::raw_union or the typed fields, indata), `snap` the snapid / snap
  // context. Same tid, reqid and resend rules as write_full/read/stat: one tid, resent with the
  // same tid and a bumped retry_attempt on session reset or when its primary moves.
  // ev::OpDone{handle, first op code, result, rvals, outdata} follows.
  uint64_t operate(const ObjectId& obj, uint32_t flags, std::vector<OpSpec> ops, SnapSpec snap,
                   Instant now);

  // ---- network and map inputs ----
  void handle_reply(const OsdReply& r, Instant now);
  void handle_watch_notify(const WatchNotifyMsg& m, Instant now);
  // The session to `osd` was reset (fault, OSD restart): cancel linger register/ping requests,
  // RECONNECT registered watches, resend registrations and in-flight plain ops.
  void handle_session_reset(int32_t osd, Instant now);
  // A new map: recompute every target; lingers and ops whose primary moved are resent.
  void handle_map_change(Placement placement, Instant now);
  // One MOSDMap carrying several consecutive epochs, oldest first (`epochs` non-empty; the
  // last one is the map the client ends up with). Objecter::handle_osd_map applies every
  // incremental in turn and runs _scan_requests after each, collecting the lingers that need
  // a resend in a list (a linger moved by two epochs is in it twice) and the ops in a map by
  // tid (once each); only after the last epoch does it resend them, all with the newest
  // targets. So a watch moved twice sends two RECONNECTs (gen +1, +2) in a row.
  void handle_map_change(const std::vector<Placement>& epochs, Instant now);
  void handle_timeout(Instant now);

  // ---- outputs ----
  std::optional<OsdRequest> poll_transmit();
  // The same into `out` (false: nothing to send), reusing its storage: a shell sending a
  // tick's 10,000 pings keeps one request.
  bool poll_transmit(OsdRequest& out);
  std::optional<Event> poll_event();
  std::optional<Instant> poll_timeout() const;

  // ---- introspection (tests, fuzzing, conformance) ----
  std::optional<LingerState> linger_state(uint64_t cookie) const;
  uint32_t register_gen(uint64_t cookie) const;
  size_t pending_requests() const { return pending_.size(); }
  size_t linger_count() const { return lingers_.size(); }
  // Internal consistency; returns a description of the first violation.
  std::optional<std::string> check_invariants(Instant now) const;
  // Every transition taken, as "cookie: From --input/action--> To" (for traces and replay).
  const std::vector<std::string>& trace() const { return trace_; }
  void set_tracing(bool on) { tracing_ = on; }

 private:
  enum class PendingKind : uint8_t {
    kRegister, kReconnect, kPing, kUnwatch, kPlain, kNotifyAck,
    kOperate,  // operate(): a plain op whose completion carries every op's rval / outdata
  };
  // Plain (non-linger) requests: resent with the same tid on reset / target change.
  static bool is_plain(PendingKind k) {
    return k == PendingKind::kPlain || k == PendingKind::kNotifyAck || k == PendingKind::kOperate;
  }
  // One request in flight. Kept small (10,000 watches have 10,000 pings in flight after
  // every tick): linger requests are rebuilt from their linger when sent again, so only the
  // OSD the attempt went to is kept; plain ops keep their whole request in plain_reqs_.
  struct Pending {
    PendingKind kind;
    uint64_t handle;      // linger cookie or plain-op handle
    uint32_t gen;         // register_gen at send (pings)
    int32_t osd;          // the OSD this attempt went to (plain ops: their current target)
    Instant sent;
    bool transmitted;     // false while homeless
  };
  struct Linger {
    uint64_t cookie = 0;
    bool is_watch = true;
    ObjectId obj;
    Target target;
    LingerState state = LingerState::kRegistering;
    uint32_t timeout_s = 0;       // watch3 timeout (0 = OSD default)
    uint32_t register_gen = 0;
    bool registered = false;
    uint64_t register_tid = 0;    // in-flight WATCH/NOTIFY or RECONNECT
    uint64_t ping_tid = 0;        // in-flight PING
    uint64_t unwatch_tid = 0;
    Instant watch_valid_thru{};
    // Send time of the oldest ping of the current gen not answered yet (nullopt: none): the
    // confirm deadline waits one tick for such a ping (see watch_confirm_deadline).
    std::optional<Instant> unanswered_ping_since;
    int32_t last_error = 0;
    // Enqueue stamps of queued notify events. A vector, not a deque: libstdc++'s deque
    // allocates a 512-byte block even when empty, which was a fifth of a watch's memory.
    std::vector<Instant> undelivered_notifies;
    uint32_t queued_tx = 0;       // TxItems of this linger waiting in tx_ (built when polled)
    // notify lingers
    codec::Bytes payload;         // owned
    uint32_t notify_timeout_s = 0;
    uint64_t notify_id = 0;
    Instant notify_deadline{};
    int32_t reply_result = 0;
    int32_t completion_rc = 0;
    codec::Bytes completion_data; // owned
  };

  bool apply(Linger& l, LingerInput in, Instant now, int32_t err = 0);
  void perform(Linger& l, LingerAction a, LingerInput in, Instant now, int32_t err);
  uint64_t submit_plain(const ObjectId& obj, uint32_t flags, std::vector<OpSpec> ops,
                        Instant now, PendingKind kind = PendingKind::kPlain,
                        SnapSpec snap = {});
  // Queues `req` for transmission (unless homeless) and records it in pending_; plain
  // kinds also keep the whole request (plain_reqs_) for resends.
  uint64_t send(PendingKind kind, uint64_t handle, uint32_t gen, Instant now, OsdRequest req);
  // A WATCH op of a watch linger (WATCH, RECONNECT, PING, UNWATCH): queued as a TxItem that
  // poll_transmit turns into its request.
  uint64_t send_watch_op(Linger& l, PendingKind kind, uint32_t pending_gen, uint8_t sub_op,
                         uint32_t op_gen, uint32_t timeout, Instant now);
  // Where a request goes: what it needs of its linger's Target (the PG's interval stays with
  // the linger, which is what decides resends).
  struct Route {
    int32_t osd = -1;
    uint32_t epoch = 0, pg_seed = 0, hash = 0;
    static Route of(const Target& t) { return {t.osd, t.epoch, t.pg_seed, t.hash}; }
    Target target() const {
      Target t;
      t.osd = osd;
      t.epoch = epoch;
      t.pg_seed = pg_seed;
      t.hash = hash;
      return t;
    }
  };
  // A request waiting in tx_. Plain ops and notify registrations are kept whole (immutable,
  // shared by copies of the client); a watch linger's requests as the few values they are
  // built from with their linger when polled: the 10,000 pings of a tick wait as 10,000
  // small records instead of 10,000 OsdRequests with their op vectors.
  struct TxItem {
    std::shared_ptr<const OsdRequest> whole;
    uint64_t tid = 0, cookie = 0;
    Instant mtime{};
    Route route;                    // at send time
    uint32_t gen = 0, timeout = 0;  // watch.gen, watch.timeout
    uint8_t watch_op = 0;
  };
  OsdRequest build_watch_request(const Linger& l, const TxItem& t) const;
  void build_watch_request(const Linger& l, const TxItem& t, OsdRequest& req) const;
  void queue_whole(OsdRequest req);
  // A new linger (the next cookie, its object and target), entered in the cookie index.
  Linger& add_linger(const ObjectId& obj, bool is_watch);
  // Erases a linger; its requests still waiting in tx_ are built first (they are sent as if
  // they had been queued whole).
  void erase_linger(std::map<uint64_t, Linger>::iterator it);
  OsdRequest linger_request(const Linger& l, uint32_t flags, OpSpec op, Instant now);
  static OpSpec watch_op(const Linger& l, uint8_t sub_op, uint32_t gen, uint32_t timeout);
  void send_linger_register(Linger& l, Instant now);
  void send_reconnect(Linger& l, Instant now);
  void send_ping(Linger& l, Instant now);
  void send_unwatch(Linger& l, Instant now);
  void forget(uint64_t& tid);
  void deliver(Event e);
  void deliver_notify_done(Linger& l, int32_t rc);
  void on_plain_reply(const Pending& p, const OsdRequest& req, const OsdReply& r);
  void rescan_targets(Placement placement, std::vector<uint64_t>& moved_lingers,
                      std::set<uint64_t>& moved_ops);
  Duration watch_confirm_window(const Linger& l) const;
  Instant watch_confirm_deadline(const Linger& l) const;
  // The time handle_timeout must look at `l` (confirm deadline, notify timeout), if any.
  std::optional<Instant> linger_deadline(const Linger& l) const;
  // Lowers deadline_bound_ to l's deadline: called wherever a deadline can move earlier.
  void note_deadline(const Linger& l);

  ClientConfig cfg_;
  Placement placement_;
  Instant next_tick_;
  // A lower bound of every linger's deadline, so that poll_timeout() is O(1) instead of a walk
  // over every linger (10,000 watches, asked up to 20 times a second by the live client).
  // A deadline only moves earlier when a linger enters a state that has one or is
  // (re)registered; those places lower the bound (note_deadline). Confirmations only move
  // deadlines later, which keeps it a lower bound. handle_timeout, which walks every linger
  // anyway, recomputes it exactly. check_invariants verifies it.
  Instant deadline_bound_ = Instant::max();
  uint64_t last_tid_ = 0;
  uint64_t next_cookie_;
  uint64_t next_handle_ = 1;
  uint64_t next_flush_ = 1;
  std::map<uint64_t, Linger> lingers_;        // by cookie
  // State a copied client starts without (caches of the original's pointers and nodes):
  // copying gives a default T, moving moves it.
  template <class T>
  struct NotCopied {
    T v{};
    NotCopied() = default;
    NotCopied(const NotCopied&) {}
    NotCopied& operator=(const NotCopied&) {
      v = T{};
      return *this;
    }
    NotCopied(NotCopied&&) noexcept = default;
    NotCopied& operator=(NotCopied&&) noexcept = default;
  };
  // lingers_ hashed by cookie, for the two lookups of every ping (poll_transmit builds it,
  // handle_reply takes its reply); a tree walk of 10,000 nodes was the largest share of the
  // core's time. The map stays the owner and the ordered walk (ticks, resends in cookie
  // order). Built on first use (a copied client builds its own).
  struct LingerIndex {
    std::unordered_map<uint64_t, Linger*> by_cookie;
    bool valid = false;
  };
  NotCopied<LingerIndex> index_;
  Linger* find_linger(uint64_t cookie);
  // By tid. Hashed, not ordered: it is only looked up (every reply) and checked as a whole
  // (check_invariants); the ordered walks (resends) go over plain_reqs_ and lingers_.
  using PendingMap = std::unordered_map<uint64_t, Pending>;
  PendingMap pending_;
  // Nodes of answered requests, reused for the next ones: a tick's 10,000 pings are inserted
  // and erased in bursts, which glibc's per-thread cache (7 chunks per size) cannot absorb;
  // every burst went through malloc's slow paths.
  static constexpr size_t kMaxFreePending = 1u << 16;
  NotCopied<std::vector<PendingMap::node_type>> free_pending_;
  void add_pending(uint64_t tid, const Pending& p);
  void erase_pending(PendingMap::iterator it);
  std::map<uint64_t, OsdRequest> plain_reqs_;  // by tid: plain ops' requests, for resends
  std::set<uint64_t> plain_handles_;
  std::deque<TxItem> tx_;
  std::deque<Event> events_;
  std::vector<std::string> trace_;
  bool tracing_ = false;
};

}  // namespace cephwire::client
