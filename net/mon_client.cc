#include "net/mon_client.h"

#include <algorithm>

namespace cephwire::net {

namespace {

template <class M>
OutMessage encode(const M& m) {
  OutMessage out;
  out.parts.priority = kPrioDefault;
  m.encode(out.parts);
  return out;
}

}  // namespace

MonClient::MonClient(MonClientConfig cfg, Instant now) : cfg_(std::move(cfg)) {
  // MonClient::init: the config and monmap subscriptions.
  if (cfg_.want_config) sub_want("config", 0, 0);
  sub_want("monmap", 0, 0);
  last_keepalive_ack_ = now;
}

void MonClient::handle_opening(Instant now) {
  state_ = State::kOpening;
  opened_at_ = now;
  tx_.clear();
  schedule_tick(now);
}

void MonClient::schedule_tick(Instant now) {
  // MonClient::schedule_tick: the hunt interval (times the backoff multiple) while hunting,
  // the ping interval once a session is up.
  next_tick_ = now + (authenticated() ? cfg_.ping_interval : hunt_timeout());
  tick_armed_ = true;
}

Duration MonClient::hunt_timeout() const {
  return std::chrono::duration_cast<Duration>(cfg_.hunt_interval * hunt_multiple_);
}

void MonClient::handle_ready(const conn_ev::Ready& r, Instant now) {
  last_keepalive_ack_ = now;
  announced_ = false;
  if (cfg_.msgr == Msgr::kV2) {
    // MonConnection::start over msgr2: authentication happened in the handshake; ask for the
    // monmap to get things going (MMonGetMap), and the subscriptions go out at once.
    send_now(encode(codec::MMonGetMap{}));
    auth_done(r.global_id.value_or(global_id_), now);
    return;
  }
  // MonConnection::start over msgr1: keepalive, then MAuth with the hello payload.
  state_ = State::kAuthenticating;
  actions_.push_back(mon_act::SendKeepalive{});
  codec::AuthHelloPayload hello;
  hello.struct_v = 1;
  hello.supported_methods = {codec::kCephAuthNone};
  hello.entity_name.type = codec::entity_name_t::kTypeClient;
  hello.entity_name.id = cfg_.entity_id;
  hello.global_id = global_id_;
  send_now(encode(codec::MAuth::make_hello(hello, monmap_.epoch)));
}

void MonClient::auth_done(uint64_t global_id, Instant now) {
  global_id_ = global_id;
  state_ = State::kAuthenticated;
  hunt_multiple_ = 1.0;  // _un_backoff
  send_subscribe(now);
  while (!waiting_.empty()) {
    tx_.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
  }
  // MonClient::authenticate returns once authenticated AND a monmap is known (handle_monmap
  // calls _finish_auth while authenticate_err is pending): the first session waits for the
  // MMonMap its subscription brings.
  if (monmap_.epoch != 0) announce(now);
  // The tick keeps its schedule (the hunt-interval tick then sends the first keepalive, as
  // librados's does about 3 s after it connects).
}

void MonClient::announce(Instant now) {
  if (announced_ || state_ != State::kAuthenticated) return;
  announced_ = true;
  (void)now;
  events_.push_back(mon_ev::Authenticated{global_id_});
}

bool MonClient::handle_message(const codec::MessageParts& p, Instant now) {
  switch (p.type) {
    case codec::MAuthReply::kType: {
      auto r = codec::MAuthReply::decode(p);
      if (!r || state_ != State::kAuthenticating) return true;
      if (r->result < 0) {
        events_.push_back(mon_ev::AuthFailed{r->result, r->result_msg});
        actions_.push_back(mon_act::Reopen{"authentication failed: " + r->result_msg});
        return true;
      }
      auth_done(r->global_id, now);
      return true;
    }
    case codec::MMonMap::kType: {
      auto m = codec::MMonMap::decode(p);
      if (!m) return true;
      if (monmap_.epoch == 0 || monmap_.epoch < m->monmap.epoch) monmap_ = m->monmap;
      sub_got("monmap", monmap_.epoch);
      events_.push_back(mon_ev::MonMapUpdated{monmap_.epoch});
      announce(now);
      return true;
    }
    case codec::MConfig::kType: {
      auto m = codec::MConfig::decode(p);
      if (m) events_.push_back(mon_ev::Config{m->config});
      return true;
    }
    case codec::MMgrMap::kType: {
      auto m = codec::MMgrMap::decode(p);
      if (m) sub_got("mgrmap", m->map.epoch);
      return true;
    }
    case codec::MMonGetVersionReply::kType: {
      auto m = codec::MMonGetVersionReply::decode(p);
      if (m) events_.push_back(mon_ev::VersionReply{m->handle, m->version, m->oldest_version});
      return true;
    }
    case codec::MMonSubscribeAck::kType:
      return true;  // pre-jewel mons only
    default:
      return false;
  }
}

void MonClient::handle_keepalive_ack(Instant now) { last_keepalive_ack_ = now; }

void MonClient::handle_reset(Instant now) {
  // MonClient::ms_handle_reset -> _reopen_session: subscriptions are resent on the next
  // session (MonSub::reload), unsent messages wait for it.
  for (auto& [what, item] : sub_sent_) sub_new_.emplace(what, item);
  sub_sent_.clear();
  tx_.clear();
  state_ = State::kOpening;
  opened_at_ = now;
  schedule_tick(now);
}

void MonClient::handle_timeout(Instant now) {
  if (!tick_armed_ || now < next_tick_) return;
  if (state_ == State::kOpening || state_ == State::kAuthenticating) {
    // Still hunting after the hunt interval: try again (with a longer interval next time).
    hunt_multiple_ = std::min(hunt_multiple_ * cfg_.hunt_backoff, cfg_.hunt_max_multiple);
    actions_.push_back(mon_act::Reopen{"no session within the hunt interval"});
    schedule_tick(now);
    return;
  }
  if (state_ == State::kAuthenticated) {
    if (now - last_keepalive_ack_ > cfg_.ping_timeout) {
      actions_.push_back(mon_act::Reopen{"no keepalive ack from the monitor"});
    } else {
      actions_.push_back(mon_act::SendKeepalive{});
    }
  }
  schedule_tick(now);
}

bool MonClient::sub_want(const std::string& what, uint64_t start, uint8_t flags) {
  // MonSub::want: a want equal to what was sent (or is pending) changes nothing.
  auto same = [&](const auto& m) {
    auto it = m.find(what);
    return it != m.end() && it->second.start == start && it->second.flags == flags;
  };
  if (same(sub_new_) || same(sub_sent_)) return false;
  sub_new_[what] = {start, flags};
  return true;
}

void MonClient::sub_got(const std::string& what, uint64_t have) {
  // MonSub::got
  for (auto* m : {&sub_new_, &sub_sent_}) {
    auto it = m->find(what);
    if (it == m->end()) continue;
    if (it->second.start <= have) {
      if (it->second.flags & codec::kCephSubscribeOnetime) m->erase(it);
      else it->second.start = have + 1;
    }
    return;
  }
}

void MonClient::renew_subs(Instant now) {
  if (state_ == State::kAuthenticated) send_subscribe(now);
}

void MonClient::send_subscribe(Instant) {
  if (sub_new_.empty()) return;
  codec::MMonSubscribe m;
  m.header_version = 3;
  m.what = sub_new_;
  m.hostname = cfg_.hostname;
  send_now(encode(m));
  for (auto& [what, item] : sub_new_) sub_sent_[what] = item;
  sub_new_.clear();
}

uint64_t MonClient::get_version(const std::string& what, Instant) {
  codec::MMonGetVersion m;
  m.handle = ++next_version_handle_;
  m.what = what;
  send(encode(m));
  return m.handle;
}

void MonClient::send(OutMessage m) {
  if (state_ == State::kAuthenticated) tx_.push_back(std::move(m));
  else waiting_.push_back(std::move(m));
}

void MonClient::send_now(OutMessage m) { tx_.push_back(std::move(m)); }

std::optional<OutMessage> MonClient::poll_transmit() {
  if (tx_.empty()) return std::nullopt;
  OutMessage m = std::move(tx_.front());
  tx_.pop_front();
  return m;
}

std::optional<MonEvent> MonClient::poll_event() {
  if (events_.empty()) return std::nullopt;
  MonEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

std::optional<MonAction> MonClient::poll_action() {
  if (actions_.empty()) return std::nullopt;
  MonAction a = std::move(actions_.front());
  actions_.pop_front();
  return a;
}

std::optional<Instant> MonClient::poll_timeout() const {
  if (!tick_armed_) return std::nullopt;
  return next_tick_;
}

}  // namespace cephwire::net
