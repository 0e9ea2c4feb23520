#include "net/rados_client.h"

#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>  // malloc_trim
#endif

#include <boost/asio/post.hpp>

#include <cerrno>

#include "client/wire.h"
#include "codec/messages/MOSDMap.h"
#include "codec/messages/MPing.h"

namespace cephwire::net {

namespace {

std::string local_hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

Msgr pick_msgr(const RadosClientConfig& cfg) {
  if (cfg.msgr) return *cfg.msgr;
  for (const auto& m : cfg.mons)
    if (m.of_type(codec::entity_addr_t::kTypeMsgr2)) return Msgr::kV2;
  return Msgr::kV1;
}

MessengerConfig messenger_config(const RadosClientConfig& cfg, Msgr msgr) {
  MessengerConfig m;
  m.msgr = msgr;
  m.entity_id = cfg.entity_id;
  m.nonce = cfg.nonce;
  m.interceptor = cfg.interceptor;
  m.log = cfg.log;
  return m;
}

MonClientConfig mon_config(const RadosClientConfig& cfg, Msgr msgr) {
  MonClientConfig m;
  m.msgr = msgr;
  m.entity_id = cfg.entity_id;
  m.hostname = cfg.hostname.empty() ? local_hostname() : cfg.hostname;
  return m;
}

template <class Timer>
void arm(Timer& t, Duration wait, std::function<void()> f) {
  t.expires_after(wait);
  t.async_wait([f = std::move(f)](const boost::system::error_code& ec) {
    if (!ec) f();
  });
}

}  // namespace

RadosClient::RadosClient(asio::io_context& io, RadosClientConfig cfg)
    : io_(io),
      cfg_(std::move(cfg)),
      msgr_(pick_msgr(cfg_)),
      messenger_(io, messenger_config(cfg_, msgr_)),
      mon_(mon_config(cfg_, msgr_), messenger_.now()),
      mon_timer_(io),
      core_timer_(io),
      tick_timer_(io),
      mount_timer_(io),
      rearm_timer_(io) {}

RadosClient::~RadosClient() { shutdown(); }

uint32_t RadosClient::addr_type() const {
  return msgr_ == Msgr::kV2 ? codec::entity_addr_t::kTypeMsgr2 : codec::entity_addr_t::kTypeLegacy;
}

const codec::entity_addr_t* RadosClient::mon_addr(size_t i) const {
  if (cfg_.mons.empty()) return nullptr;
  return cfg_.mons[i % cfg_.mons.size()].of_type(addr_type());
}

// ---------------------------------------------------------------------------------------
// monitor session

void RadosClient::connect(std::function<void(int)> done) {
  connect_done_ = std::move(done);
  arm(mount_timer_, cfg_.mount_timeout, [this] {
    if (connect_done_) {
      auto d = std::move(connect_done_);
      connect_done_ = nullptr;
      d(-ETIMEDOUT);
    }
  });
  start_mon_session();
}

void RadosClient::start_mon_session() {
  const codec::entity_addr_t* a = nullptr;
  for (size_t i = 0; i < cfg_.mons.size() && !a; ++i) {
    a = mon_addr(mon_index_);
    if (!a) ++mon_index_;
  }
  if (!a) {
    log("no monitor address for msgr " + std::string(to_string(msgr_)));
    if (connect_done_) {
      auto d = std::move(connect_done_);
      connect_done_ = nullptr;
      d(-EINVAL);
    }
    return;
  }
  SessionHandler h;
  h.on_ready = [this](const conn_ev::Ready& r) {
    notice({Notice::kSessionUp, -1, 0, {}});
    mon_.handle_ready(r, now());
    drain_mon();
  };
  h.on_message = [this](InMessage& m) {
    if (!mon_.handle_message(m.parts, now())) {
      if (m.parts.type == codec::MOSDMap::kType) handle_osdmap(m.parts, -1);
    }
    drain_mon();
  };
  h.on_keepalive_ack = [this](codec::utime_t) { mon_.handle_keepalive_ack(now()); };
  h.on_reset = [this](const std::string& why) {
    ++mon_resets_;
    notice({Notice::kSessionReset, -1, 0, why});
    mon_.handle_reset(now());
    drain_mon();
  };
  h.on_connect_error = [this](const std::string& why, Duration) {
    notice({Notice::kConnectError, -1, 0, why});
  };
  mon_.handle_opening(now());
  mon_session_ = messenger_.connect(codec::entity_name_t::kTypeMon, *a, std::move(h), "mon");
  arm_mon_timer();
}

void RadosClient::drain_mon() {
  // Actions and messages first (a keepalive before the MAuth, messages queued before the
  // announce under the old name), then events.
  for (bool more = true; more && !shut_down_;) {
    more = false;
    while (auto a = mon_.poll_action()) {
      more = true;
      if (std::holds_alternative<mon_act::SendKeepalive>(*a)) {
        mon_session_->send_keepalive();
      } else {
        const auto& r = std::get<mon_act::Reopen>(*a);
        log("reopening the mon session: " + r.reason);
        ++mon_index_;
        mon_.handle_reset(now());
        if (const auto* addr = mon_addr(mon_index_)) mon_session_->reconnect_to(*addr, r.reason);
      }
    }
    while (auto m = mon_.poll_transmit()) {
      more = true;
      mon_session_->send(std::move(*m));
    }
    while (auto e = mon_.poll_event()) {
      more = true;
      if (auto* a = std::get_if<mon_ev::Authenticated>(&*e)) {
        notice({Notice::kAuthenticated, -1, a->global_id, {}});
        if (!authenticated_once_) {
          authenticated_once_ = true;
          // RadosClient::connect: the messenger becomes client.<global_id>, once (a later
          // session may get another global id; our name, which the OSDs know our watches by,
          // stays).
          const int64_t gid = static_cast<int64_t>(a->global_id);
          messenger_.set_identity(gid, a->global_id);
          mon_session_->set_my_gid(gid);
          // MgrClient::init, then Objecter::start (_maybe_request_map with no map yet).
          if (mon_.sub_want("mgrmap", 0, 0)) mon_.renew_subs(now());
          maybe_request_map();
        }
      } else if (auto* f = std::get_if<mon_ev::AuthFailed>(&*e)) {
        log("authentication failed: " + std::to_string(f->result) + " " + f->message);
      }
    }
  }
  arm_mon_timer();
}

void RadosClient::arm_mon_timer() {
  if (shut_down_) return;
  const auto t = mon_.poll_timeout();
  // drain_mon runs after every OSD message too: re-arm only when the deadline moved.
  if (t == mon_armed_) return;
  mon_armed_ = t;
  mon_timer_.cancel();
  if (!t) return;
  const Instant n = now();
  arm(mon_timer_, *t > n ? *t - n : Duration{}, [this] {
    mon_armed_.reset();
    mon_.handle_timeout(now());
    drain_mon();
  });
}

// ---------------------------------------------------------------------------------------
// maps

void RadosClient::maybe_request_map() {
  // Objecter::_maybe_request_map: one-time unless the cluster is full or paused.
  const uint32_t e = maps_.epoch();
  if (mon_.sub_want("osdmap", e ? e + 1 : 0, codec::kCephSubscribeOnetime)) mon_.renew_subs(now());
}

void RadosClient::handle_osdmap(const codec::MessageParts& p, int32_t from_osd) {
  auto m = codec::MOSDMap::decode(p);
  if (!m) {
    notice({Notice::kMapError, from_osd, 0, m.error().to_string()});
    return;
  }
  const OsdMapTracker::Update u = maps_.handle(*m);
  if (!u.error.empty()) notice({Notice::kMapError, from_osd, 0, u.error});
  if (u.changed) {
    mon_.sub_got("osdmap", u.to);
    notice({Notice::kMapEpoch, from_osd, u.to, {}});
    on_map_change(u);
  }
  if (u.gap) maybe_request_map();
  drain_mon();
}

void RadosClient::on_map_change(const OsdMapTracker::Update& u) {
  // Objecter::handle_osd_map: close sessions to OSDs that are down; reopen those whose
  // address changed (their requests are resent, as after a reset).
  std::vector<int32_t> reopened;
  for (auto it = osds_.begin(); it != osds_.end();) {
    const auto addr = maps_.osd_addr(it->first, addr_type());
    if (!addr) {
      log("osd." + std::to_string(it->first) + " is down: closing its session");
      it->second.session->close();
      it = osds_.erase(it);
      continue;
    }
    if (!(*addr == it->second.addr)) {
      log("osd." + std::to_string(it->first) + " moved to " + addr->to_string());
      it->second.addr = *addr;
      it->second.session->reconnect_to(*addr, "address changed in the map");
      reopened.push_back(it->first);
    }
    ++it;
  }
  if (core_) {
    std::vector<client::Placement> epochs;
    epochs.reserve(u.epochs.size());
    for (const auto& m : u.epochs) epochs.push_back(OsdMapTracker::placement_of(m));
    core_->handle_map_change(epochs, now());
    for (int32_t osd : reopened) core_->handle_session_reset(osd, now());
  }
  maybe_connected();
  kick();
}

void RadosClient::maybe_connected() {
  if (!connect_done_ || !authenticated_once_ || maps_.epoch() == 0) return;
  mount_timer_.cancel();
  start_core();
  auto d = std::move(connect_done_);
  connect_done_ = nullptr;
  d(0);
}

std::optional<int64_t> RadosClient::lookup_pool(std::string_view name) const {
  auto m = maps_.map();
  if (!m) return std::nullopt;
  return m->lookup_pool(name);
}

// ---------------------------------------------------------------------------------------
// the watch core

void RadosClient::start_core() {
  if (core_) return;
  client::ClientConfig cc = cfg_.core;
  cc.gid = mon_.global_id();
  const Instant n = now();
  core_ = std::make_unique<client::WatchClient>(cc, maps_.placement(), n);
  tick_origin_ = n;
  ticks_ = 0;
  tick();
}

void RadosClient::tick() {
  // Objecter::tick, aligned with the core's own tick (both every tick_interval from start).
  if (shut_down_ || !core_) return;
  const Instant target = tick_origin_ + cfg_.core.tick_interval * static_cast<int64_t>(ticks_);
  if (ticks_ > 0) {
    handle_core_timeout();
    kick();
    if (core_->linger_count() > 0 || core_->pending_requests() > 0) {
      for (auto& [osd, s] : osds_) {
        OutMessage ping;
        ping.parts.priority = kPrioDefault;
        codec::MPing{}.encode(ping.parts);
        s.session->send(std::move(ping));
      }
      maybe_request_map();
      drain_mon();
    }
  }
  ++ticks_;
  const Instant next = target + cfg_.core.tick_interval;
  const Instant n = now();
  arm(tick_timer_, next > n ? next - n : Duration{}, [this] { tick(); });
}

void RadosClient::kick() {
  if (!core_ || shut_down_) return;
  if (kicking_) {
    rekick_ = true;
    return;
  }
  kicking_ = true;
  // Everything the core hands out in this round (a tick's 10,000 pings, the acks a user
  // callback sends) is written per session when the round is over.
  Messenger::Cork cork(messenger_);
  do {
    rekick_ = false;
    while (core_->poll_transmit(tx_scratch_)) send_request(tx_scratch_);
    maybe_trim_memory();
    if (core_->pending_requests() >= kBatchReadsFrom)
      for (auto& [osd, s] : osds_) s.session->set_read_batching(true);
    while (auto e = core_->poll_event()) {
      if (auto* u = std::get_if<client::ev::Unwatched>(&*e)) watch_mtime_.erase(u->cookie);
      if (on_event_) on_event_(*e);
      if (shut_down_) break;
    }
  } while (rekick_ && !shut_down_);
  kicking_ = false;
  arm_core_timer();
}

void RadosClient::maybe_trim_memory() {
#ifdef __GLIBC__
  // A burst of N requests in flight leaves about half a kilobyte per request of freed heap
  // (request bookkeeping, frames the kernel did not take at once) that glibc keeps mapped:
  // 10,000 watches registered at once were 14 MB of RSS for 6 MB of live data. Once the
  // burst is answered, malloc_trim hands the free pages back (about a millisecond for a
  // heap of that size, at most once per burst).
  constexpr size_t kTrimAfterBurst = 1000;
  const size_t pending = core_->pending_requests();
  burst_peak_ = std::max(burst_peak_, pending);
  if (pending == 0 && burst_peak_ >= kTrimAfterBurst) {
    burst_peak_ = 0;
    malloc_trim(0);
  }
#endif
}

void RadosClient::arm_core_timer() {
  // The core's poll_timeout() looks at every linger: with 10,000 watches, asking it after each
  // of the 10,000 ping replies of a tick is 10^8 steps. Ask once per batch of I/O instead (one
  // posted re-arm, run after the current read / timer / user-call handler).
  // Ping replies mostly arrive one per read, so at most one re-arm every 50 ms (the core's
  // deadlines are ticks, watch confirm windows and notify timeouts: seconds).
  if (!core_ || shut_down_ || core_timer_posted_) return;
  core_timer_posted_ = true;
  const Instant n = now();
  const Instant at = last_core_rearm_ + std::chrono::milliseconds(50);
  arm(rearm_timer_, at > n ? at - n : Duration{}, [this] {
    core_timer_posted_ = false;
    last_core_rearm_ = now();
    rearm_core_timer();
  });
}

void RadosClient::rearm_core_timer() {
  if (!core_ || shut_down_) return;
  const auto t = core_->poll_timeout();
  core_timer_.cancel();
  if (!t) return;
  const Instant n = now();
  arm(core_timer_, *t > n ? *t - n : Duration{}, [this] {
    handle_core_timeout();
    kick();
  });
}

void RadosClient::handle_core_timeout() {
  // The tick timer and the core's timer both come due at a tick: the first one walks the
  // lingers, the second would walk all 10,000 again to find nothing due.
  const Instant n = now();
  if (const auto t = core_->poll_timeout(); t && *t <= n) core_->handle_timeout(n);
}

void RadosClient::send_request(const client::OsdRequest& req) {
  OsdSession* s = osd_session(req.target.osd);
  if (!s) {
    log("no address for osd." + std::to_string(req.target.osd) + ": request " +
        std::to_string(req.tid) + " waits for a new map");
    return;
  }
  const codec::utime_t wall = messenger_.wall();
  client::wire::OpContext ctx;
  std::optional<codec::utime_t> watch_mtime;
  if (!req.ops.empty() && req.ops[0].op == client::osd_op::kWatch &&
      (req.ops[0].watch_op == client::osd_op::kWatchWatch ||
       req.ops[0].watch_op == client::osd_op::kWatchReconnect)) {
    // A linger keeps the mtime of its watch() call for every (re)registration.
    auto [it, inserted] = watch_mtime_.emplace(req.ops[0].cookie, wall);
    watch_mtime = it->second;
  }
  ctx.mtime = client::wire::mtime_for(req, wall, watch_mtime);
  OutMessage m;
  // The front is encoded into one reused buffer: the session frames it before returning
  // (or copies it into its queue).
  m.parts = client::wire::to_message(req, ctx, &op_scratch_, &front_scratch_);
  m.osd_op = client::wire::first_op(req);
  m.watch_op = client::wire::first_watch_op(req);
  if (cfg_.on_osd_message) cfg_.on_osd_message(req.target.osd, true, m.parts);
  s->session->send(std::move(m));
}

RadosClient::OsdSession* RadosClient::osd_session(int32_t osd) {
  if (osd < 0) return nullptr;
  if (auto it = osds_.find(osd); it != osds_.end()) return &it->second;
  const auto addr = maps_.osd_addr(osd, addr_type());
  if (!addr) return nullptr;
  SessionHandler h;
  h.on_ready = [this, osd](const conn_ev::Ready&) { notice({Notice::kSessionUp, osd, 0, {}}); };
  h.on_message = [this, osd](InMessage& m) { handle_osd_message(osd, m); };
  h.on_reset = [this, osd](const std::string& why) {
    ++osd_resets_;
    notice({Notice::kSessionReset, osd, 0, why});
    if (core_) core_->handle_session_reset(osd, now());
    kick();
  };
  h.on_connect_error = [this, osd](const std::string& why, Duration) {
    notice({Notice::kConnectError, osd, 0, why});
  };
  OsdSession s;
  s.addr = *addr;
  s.session = messenger_.connect(codec::entity_name_t::kTypeOsd, *addr, std::move(h),
                                 "osd." + std::to_string(osd));
  return &osds_.emplace(osd, std::move(s)).first->second;
}

void RadosClient::handle_osd_message(int32_t osd, InMessage& m) {
  if (cfg_.on_osd_message) cfg_.on_osd_message(osd, false, m.parts);
  switch (m.parts.type) {
    case codec::MOSDOpReply::kType: {
      // Decoded into one reused OsdReply (its vectors keep their storage between replies).
      auto r = client::wire::decode_reply_into(m.parts, osd, reply_scratch_, &reply_msg_scratch_);
      if (!r) {
        log("osd." + std::to_string(osd) + ": bad MOSDOpReply: " + r.error().to_string());
        return;
      }
      if (reply_scratch_.epoch > maps_.epoch()) maybe_request_map();
      if (core_) {
        core_->handle_reply(reply_scratch_, now());
        // The end of a burst: single replies are read as they come again.
        if (core_->pending_requests() < kBatchReadsFrom)
          if (auto it = osds_.find(osd); it != osds_.end()) it->second.session->set_read_batching(false);
      }
      break;
    }
    case codec::MWatchNotify::kType: {
      auto n = client::wire::decode_watch_notify(m.parts, osd);
      if (!n) {
        log("osd." + std::to_string(osd) + ": bad MWatchNotify: " + n.error().to_string());
        return;
      }
      if (core_) core_->handle_watch_notify(*n, now());
      break;
    }
    case codec::MOSDMap::kType:
      handle_osdmap(m.parts, osd);
      return;
    default:
      return;
  }
  kick();
  drain_mon();
}

// ---------------------------------------------------------------------------------------
// user calls

uint64_t RadosClient::watch(const client::ObjectId& obj, uint32_t timeout_s) {
  const uint64_t c = core_->watch(obj, timeout_s, now());
  kick();
  return c;
}

int RadosClient::unwatch(uint64_t cookie) {
  const int r = core_->unwatch(cookie, now());
  kick();
  return r;
}

uint64_t RadosClient::notify(const client::ObjectId& obj, codec::Bytes payload, uint32_t timeout_ms) {
  const uint64_t h = core_->notify(obj, std::move(payload), timeout_ms, now());
  kick();
  return h;
}

uint64_t RadosClient::notify_ack(const client::ObjectId& obj, uint64_t notify_id, uint64_t cookie,
                                 codec::Bytes reply) {
  const uint64_t h = core_->notify_ack(obj, notify_id, cookie, std::move(reply), now());
  kick();
  return h;
}

uint64_t RadosClient::list_watchers(const client::ObjectId& obj) {
  const uint64_t h = core_->list_watchers(obj, now());
  kick();
  return h;
}

uint64_t RadosClient::write_full(const client::ObjectId& obj, codec::Bytes data) {
  const uint64_t h = core_->write_full(obj, std::move(data), now());
  kick();
  return h;
}

int64_t RadosClient::watch_check(uint64_t cookie) const {
  return core_ ? core_->watch_check(cookie, now()) : -ENOTCONN;
}

int32_t RadosClient::target_osd(const client::ObjectId& obj) const {
  if (maps_.epoch() == 0) return -1;
  return maps_.placement()(obj).osd;
}

void RadosClient::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  mon_timer_.cancel();
  core_timer_.cancel();
  tick_timer_.cancel();
  mount_timer_.cancel();
  rearm_timer_.cancel();
  for (auto& [osd, s] : osds_) s.session->close();
  osds_.clear();
  if (mon_session_) mon_session_->close();
}

}  // namespace cephwire::net
