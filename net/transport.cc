#include "net/transport.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <random>

namespace cephwire::net {

using asio::ip::tcp;

namespace {
// Gathered bytes written without waiting for the end of the current handler.
constexpr size_t kEagerWriteBytes = 64 * 1024;
// A write buffer that grew past this (a burst the kernel did not take at once) is released
// once written instead of being kept for the next burst.
constexpr size_t kKeepWriteCapacity = 128 * 1024;
}  // namespace

Messenger::Messenger(asio::io_context& io, MessengerConfig cfg)
    : io_(io), cfg_(std::move(cfg)), origin_(std::chrono::steady_clock::now()) {
  if (cfg_.nonce == 0) {
    std::random_device rd;
    cfg_.nonce = std::uniform_int_distribution<uint32_t>(1, 0xffffffffu)(rd);
  }
}

Instant Messenger::clock_now() const {
  return std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - origin_);
}

codec::utime_t Messenger::wall() const {
  if (cork_depth_ == 0) return wall_now();
  if (!corked_wall_) corked_wall_ = wall_now();
  return *corked_wall_;
}
codec::utime_t Messenger::wall_now() {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return {static_cast<uint32_t>(ns / 1000000000), static_cast<uint32_t>(ns % 1000000000)};
}

void Messenger::uncork() {
  if (--cork_depth_ > 0) return;
  // A flush can run handlers that cork and list sessions again: take the list first.
  while (!corked_.empty() && cork_depth_ == 0) {
    std::vector<std::shared_ptr<Session>> list = std::move(corked_);
    corked_.clear();
    for (const auto& s : list) s->flush_corked();
  }
}

void Messenger::set_identity(int64_t gid, uint64_t global_id) {
  gid_ = gid;
  global_id_ = global_id;
}

std::shared_ptr<Session> Messenger::connect(uint8_t peer_type, const codec::entity_addr_t& target,
                                            SessionHandler handler, std::string name) {
  auto s = std::make_shared<Session>(*this, peer_type, target, std::move(handler), std::move(name));
  s->start();
  return s;
}

// ---------------------------------------------------------------------------------------

Session::Session(Messenger& m, uint8_t peer_type, codec::entity_addr_t target,
                 SessionHandler handler, std::string name)
    : m_(m),
      peer_type_(peer_type),
      target_(std::move(target)),
      h_(std::move(handler)),
      name_(std::move(name)),
      socket_(m.io()),
      conn_timer_(m.io()),
      retry_timer_(m.io()),
      batch_timer_(m.io()),
      rbuf_(64 * 1024) {}

Session::~Session() = default;

void Session::log(const std::string& s) const { m_.log(name_ + ": " + s); }

void Session::start() { attempt(); }

void Session::attempt() {
  if (closed_) return;
  const uint64_t gen = ++gen_;
  ++attempts_;
  teardown_socket();
  const uint8_t* ip = target_.sa_data.data() + 2;
  const asio::ip::address_v4 addr(asio::ip::address_v4::bytes_type{ip[0], ip[1], ip[2], ip[3]});
  const tcp::endpoint ep(addr, target_.port());
  log("connecting to " + target_.to_string());
  auto self = shared_from_this();
  socket_.async_connect(ep, [this, self, gen](const boost::system::error_code& ec) {
    if (gen != gen_ || closed_) return;
    retry_timer_.cancel();
    if (ec) return attempt_failed("connect: " + ec.message(), false);
    on_connected(gen);
  });
  retry_timer_.expires_after(m_.config().connect_timeout);
  retry_timer_.async_wait([this, self, gen](const boost::system::error_code& ec) {
    if (ec || gen != gen_ || closed_ || conn_) return;
    attempt_failed("connect: timed out", false);
  });
}

void Session::on_connected(uint64_t gen) {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);  // write_now: a full socket buffer is would_block
  ConnConfig cfg;
  cfg.msgr = m_.config().msgr;
  cfg.peer_type = peer_type_;
  cfg.target = target_;
  cfg.entity_id = m_.config().entity_id;
  cfg.my_gid = m_.gid();
  cfg.global_id = m_.global_id();
  cfg.nonce = m_.nonce();
  cfg.global_seq = m_.next_global_seq();
  cfg.features = m_.config().features;
  cfg.handshake_timeout = m_.config().handshake_timeout;
  cfg.interceptor = m_.config().interceptor;
  conn_ = make_connection(std::move(cfg));
  const Instant now = m_.now();
  conn_->start(now);  // queued messages wait in pending_ until the session is ready
  start_read(gen);
  pump();
}

void Session::attempt_failed(const std::string& reason, bool peer_wait) {
  if (closed_) return;
  // Messages wait in pending_ until a connection is ready (Session::send), so a failed
  // handshake takes none of them with it: they are kept for the next attempt.
  conn_.reset();
  ++gen_;
  teardown_socket();
  const MessengerConfig& c = m_.config();
  if (peer_wait) backoff_ = c.max_backoff;
  else if (backoff_ == Duration{}) backoff_ = c.initial_backoff;
  else backoff_ = std::min(backoff_ * 2, c.max_backoff);
  log(reason + "; retrying in " +
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(backoff_).count()) + " ms");
  if (!closed_ && h_.on_connect_error) h_.on_connect_error(reason, backoff_);
  if (closed_) return;
  auto self = shared_from_this();
  const uint64_t gen = gen_;
  retry_timer_.expires_after(backoff_);
  retry_timer_.async_wait([this, self, gen](const boost::system::error_code& ec) {
    if (ec || gen != gen_ || closed_) return;
    attempt();
  });
}

void Session::on_fault(const conn_ev::Fault& f) {
  if (!f.was_ready) return attempt_failed(f.reason, f.peer_wait);
  // A lossy session reset: everything on it is gone; the user resends at its level.
  log("session reset: " + f.reason);
  conn_.reset();
  pending_.clear();
  ++gen_;
  teardown_socket();
  ++resets_;
  backoff_ = Duration{};
  if (!closed_ && h_.on_reset) h_.on_reset(f.reason);
  if (!closed_) attempt();
}

void Session::teardown_socket() {
  boost::system::error_code ignored;
  if (socket_.is_open()) {
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }
  conn_timer_.cancel();
  armed_.reset();
  wbuf_.clear();
  writing_ = false;
  batch_timer_.cancel();
  batching_ = false;  // a new socket starts with the default mark
}

void Session::start_read(uint64_t gen) {
  auto self = shared_from_this();
  socket_.async_read_some(asio::buffer(rbuf_), [this, self, gen](const boost::system::error_code& ec,
                                                                std::size_t n) {
    if (gen != gen_ || !conn_) return;
    ++reads_;
    // What this read's messages make us send (acks, the next requests) goes out in one write
    // when the read is handled.
    Messenger::Cork cork(m_);
    const Instant now = m_.now();
    if (ec) {
      conn_->on_socket_error(ec == asio::error::eof ? "peer closed the connection"
                                                    : "read: " + ec.message(),
                             now);
    } else {
      conn_->feed(std::span<const uint8_t>(rbuf_.data(), n), now);
    }
    pump();
    if (!ec && gen == gen_ && conn_) start_read(gen);
  });
}

void Session::set_read_batching(bool on) {
  if (on == batching_ || closed_ || !conn_ || !socket_.is_open()) return;
  boost::system::error_code ec;
  socket_.set_option(asio::socket_base::receive_low_watermark(on ? kBatchReadBytes : 1), ec);
  if (ec) return;
  batching_ = on;
  if (!on) {
    batch_timer_.cancel();
    return;
  }
  reads_at_check_ = reads_;
  arm_batch_tail(gen_);
}
void Session::arm_batch_tail(uint64_t gen) {
  auto self = shared_from_this();
  batch_timer_.expires_after(kBatchTailDelay);
  batch_timer_.async_wait([this, self, gen](const boost::system::error_code& ec) {
    if (ec || gen != gen_ || !batching_) return;
    if (reads_ != reads_at_check_) {  // still streaming: look again later
      reads_at_check_ = reads_;
      return arm_batch_tail(gen);
    }
    // No read for a while: what is left is less than the mark. Lowering it wakes the read
    // (tcp_set_rcvlowat signals a socket that is now readable).
    set_read_batching(false);
  });
}

void Session::pump() {
  if (pumping_) {
    repump_ = true;
    return;
  }
  pumping_ = true;
  do {
    repump_ = false;
    if (!conn_) break;
    flush_writes();
    while (conn_) {
      std::optional<ConnEvent> e = conn_->poll_event();
      if (!e) break;
      if (auto* r = std::get_if<conn_ev::Ready>(&*e)) {
        backoff_ = Duration{};
        ++connects_;
        log("session established");
        send_pending();
        if (!closed_ && h_.on_ready) h_.on_ready(*r);
      } else if (auto* m = std::get_if<conn_ev::Message>(&*e)) {
        if (!closed_ && h_.on_message) h_.on_message(m->msg);
        if (conn_) conn_->recycle(std::move(m->msg.raw));
      } else if (auto* k = std::get_if<conn_ev::KeepaliveAck>(&*e)) {
        if (!closed_ && h_.on_keepalive_ack) h_.on_keepalive_ack(k->stamp);
      } else if (auto* f = std::get_if<conn_ev::Fault>(&*e)) {
        on_fault(*f);
      }
    }
    if (conn_) flush_writes();
  } while (repump_);
  pumping_ = false;
  arm_timer();
}

void Session::flush_writes() {
  const Instant now = m_.now();
  conn_->transmit_into(wbuf_, now);
  if (writing_ || wbuf_.empty()) return;
  if (!m_.corked() || wbuf_.size() >= kEagerWriteBytes) return write_now(gen_);
  if (in_corked_) return;
  in_corked_ = true;
  m_.corked_.push_back(shared_from_this());
}

void Session::flush_corked() {
  in_corked_ = false;
  if (conn_ && !writing_ && !wbuf_.empty()) write_now(gen_);
}

void Session::write_now(uint64_t gen) {
  boost::system::error_code ec;
  size_t n = socket_.write_some(asio::buffer(wbuf_), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    n = 0;
  } else if (ec) {
    if (conn_) {
      conn_->on_socket_error("write: " + ec.message(), m_.now());
      pump();
    } else {
      ++gen_;
      teardown_socket();
    }
    return;
  }
  if (n == wbuf_.size()) {
    wbuf_.clear();
    return written_all();
  }
  // The kernel took part of it: the rest goes in an asynchronous write that owns its bytes
  // (a teardown while it is in flight cannot free them); later frames gather meanwhile.
  auto rest = std::make_shared<std::vector<uint8_t>>(wbuf_.begin() + static_cast<ptrdiff_t>(n),
                                                     wbuf_.end());
  wbuf_.clear();
  release_large_wbuf();
  writing_ = true;
  auto self = shared_from_this();
  asio::async_write(socket_, asio::buffer(*rest),
                    [this, self, gen, rest](const boost::system::error_code& ec, std::size_t) {
                      if (gen != gen_) return;
                      writing_ = false;
                      if (ec) {
                        if (conn_) {
                          conn_->on_socket_error("write: " + ec.message(), m_.now());
                          pump();
                        }
                        return;
                      }
                      if (!wbuf_.empty()) return write_now(gen);
                      written_all();
                    });
}

void Session::release_large_wbuf() {
  if (wbuf_.capacity() > kKeepWriteCapacity) std::vector<uint8_t>().swap(wbuf_);
}

void Session::written_all() {
  release_large_wbuf();
  if (close_after_write_) {
    ++gen_;
    teardown_socket();
  }
}

void Session::arm_timer() {
  if (!conn_) return;
  const std::optional<Instant> t = conn_->poll_timeout();
  // Re-arm only when the deadline moved (pump runs once per message sent or received).
  if (t == armed_ && armed_gen_ == gen_) return;
  armed_ = t;
  armed_gen_ = gen_;
  const uint64_t tg = ++timer_gen_;
  conn_timer_.cancel();
  if (!t) return;
  const Duration wait = *t > m_.now() ? *t - m_.now() : Duration{};
  auto self = shared_from_this();
  const uint64_t gen = gen_;
  conn_timer_.expires_after(wait);
  conn_timer_.async_wait([this, self, gen, tg](const boost::system::error_code& ec) {
    if (ec || gen != gen_ || tg != timer_gen_ || !conn_) return;
    armed_.reset();
    conn_->handle_timeout(m_.now());
    pump();
  });
}

void Session::send(OutMessage m) {
  if (closed_) return;
  if (!conn_ || !conn_->ready() || !pending_.empty()) {
    pending_.push(m);
    return;
  }
  conn_->send(std::move(m), m_.now());
  pump();
}

void Session::send_pending() {
  // One message at a time, each framed and handed to the write buffer before the next is
  // unpacked: a queue of 10,000 never exists as 10,000 frames (corked: written in 64 KiB
  // writes).
  Messenger::Cork cork(m_);
  const Instant now = m_.now();
  while (conn_ && conn_->ready() && !conn_->finished() && !pending_.empty()) {
    conn_->send(pending_.pop(), now);
    flush_writes();
  }
}

void Session::send_keepalive() {
  if (closed_ || !conn_) return;
  conn_->send_keepalive(m_.wall(), m_.now());
  pump();
}

void Session::set_my_gid(int64_t gid) {
  if (conn_) conn_->set_my_gid(gid);
}

void Session::reconnect(const std::string& why) { reconnect_to(target_, why); }

void Session::reconnect_to(const codec::entity_addr_t& target, const std::string& why) {
  if (closed_) return;
  log("reconnecting (" + why + ")");
  target_ = target;
  conn_.reset();
  pending_.clear();
  ++gen_;
  teardown_socket();
  retry_timer_.cancel();
  backoff_ = Duration{};
  attempt();
}

void Session::close() {
  if (closed_) return;
  closed_ = true;  // no callbacks from now on (h_ stays: close() may run inside one of them)
  retry_timer_.cancel();
  batch_timer_.cancel();
  pending_.clear();
  if (conn_ && conn_->ready()) {
    conn_->close(m_.now());
    const Instant now = m_.now();
    conn_->transmit_into(wbuf_, now);
    conn_.reset();
    conn_timer_.cancel();
    if (!wbuf_.empty()) {
      close_after_write_ = true;
      if (!writing_) write_now(gen_);
      return;
    }
  }
  conn_.reset();
  ++gen_;
  teardown_socket();
}

}  // namespace cephwire::net
