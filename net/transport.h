// Boost.Asio transport for the sans-IO connections: one io_context, no thread per connection.
// Asio only moves bytes and arms timers; all protocol decisions are the Connection's
// (protocol.h) and the fault layer's (interceptor.h).
//
// A Session is the client's link to one peer (a monitor or an OSD) with Ceph's lossy-client
// policy (src/msg/Policy.h lossy_client; src/msg/async/ProtocolV1.cc / ProtocolV2.cc fault()):
//  - a connection attempt that fails before the session is established (TCP refused or timed
//    out, handshake refused, WAIT) is retried after a backoff: ms_initial_backoff (0.2 s),
//    doubling up to ms_max_backoff (15 s); WAIT waits the maximum. Messages queued meanwhile
//    are kept and written once a session is up;
//  - an established session that faults is a RESET: whatever was sent or queued is gone, the
//    user is told (on_reset: Objecter::ms_handle_reset / MonClient::ms_handle_reset, which
//    resend at their level) and a fresh connection is opened at once (_reopen_session).
//  - close() ends it gracefully (msgr v1 writes TAG_CLOSE first).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/types/entity_addr_t.h"
#include "codec/types/utime_t.h"
#include "net/out_message_queue.h"
#include "net/protocol.h"

namespace cephwire::net {

namespace asio = boost::asio;

struct MessengerConfig {
  Msgr msgr = Msgr::kV1;
  std::string entity_id = "admin";
  uint32_t nonce = 0;  // 0: a random one (as Ceph picks for a client messenger)
  uint64_t features = kFeaturesPacific;
  Duration initial_backoff = std::chrono::milliseconds(200);  // ms_initial_backoff
  Duration max_backoff = std::chrono::seconds(15);            // ms_max_backoff
  Duration connect_timeout = std::chrono::seconds(10);        // TCP connect
  Duration handshake_timeout = std::chrono::seconds(30);
  Interceptor* interceptor = nullptr;                         // not owned
  std::function<void(const std::string&)> log;                // debug lines (optional)
};

struct SessionHandler {
  std::function<void(const conn_ev::Ready&)> on_ready;
  std::function<void(InMessage&)> on_message;
  std::function<void(codec::utime_t)> on_keepalive_ack;
  // An established session faulted (everything sent on it is lost); a new connection is
  // being opened.
  std::function<void(const std::string&)> on_reset;
  // A connection attempt failed before the session was up; retried after `backoff`.
  std::function<void(const std::string&, Duration backoff)> on_connect_error;
};

class Session;

class Messenger {
 public:
  Messenger(asio::io_context& io, MessengerConfig cfg);

  asio::io_context& io() { return io_; }
  const MessengerConfig& config() const { return cfg_; }
  // Monotonic and wall clocks. While corked they stand still at the time of the outermost
  // cork (a burst is one instant: one clock read for 10,000 pings instead of five per ping).
  Instant now() const { return cork_depth_ > 0 ? corked_now_ : clock_now(); }
  codec::utime_t wall() const;
  uint32_t nonce() const { return cfg_.nonce; }
  // Messenger::get_global_seq: one counter for every connection attempt.
  uint32_t next_global_seq() { return ++global_seq_; }
  // Our name and auth id for new connections (client.<gid>; -1 before authentication).
  void set_identity(int64_t gid, uint64_t global_id);
  int64_t gid() const { return gid_; }
  uint64_t global_id() const { return global_id_; }

  std::shared_ptr<Session> connect(uint8_t peer_type, const codec::entity_addr_t& target,
                                   SessionHandler handler, std::string name);
  void log(const std::string& line) const {
    if (cfg_.log) cfg_.log(line);
  }

  // While corked (nestable), sessions gather what they are given and write it when the
  // outermost uncork comes (one write per session for a burst: the 10,000 pings of a tick);
  // uncorked, a message is written at once (no added latency for a notify ack).
  void cork() {
    if (cork_depth_++ == 0) {
      corked_now_ = clock_now();
      corked_wall_.reset();
    }
  }
  void uncork();
  bool corked() const { return cork_depth_ > 0; }
  struct Cork {
    explicit Cork(Messenger& m) : m_(m) { m_.cork(); }
    ~Cork() { m_.uncork(); }
    Cork(const Cork&) = delete;
    Cork& operator=(const Cork&) = delete;
    Messenger& m_;
  };

 private:
  asio::io_context& io_;
  MessengerConfig cfg_;
  std::chrono::steady_clock::time_point origin_;
  uint32_t global_seq_ = 0;
  int64_t gid_ = -1;
  uint64_t global_id_ = 0;
  Instant clock_now() const;
  static codec::utime_t wall_now();  // the wall clock itself (wall() reads it)
  int cork_depth_ = 0;
  Instant corked_now_{};
  mutable std::optional<codec::utime_t> corked_wall_;  // read at the first wall() while corked
  std::vector<std::shared_ptr<Session>> corked_;  // sessions with bytes waiting for uncork
  friend class Session;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Messenger& m, uint8_t peer_type, codec::entity_addr_t target, SessionHandler handler,
          std::string name);
  ~Session();

  void start();
  // Queue a message (written when a session is up). Its parts may view storage of the
  // caller's that lives only for the call: they are framed or copied before it returns.
  void send(OutMessage m);
  void send_keepalive();
  // Drop the current connection WITHOUT on_reset (the caller handles it) and connect again
  // now, to `target` if given. Queued messages are dropped (lossy).
  void reconnect(const std::string& why);
  void reconnect_to(const codec::entity_addr_t& target, const std::string& why);
  // Our gid changed: later messages carry it (v1 src) and new connections announce it.
  void set_my_gid(int64_t gid);
  // Graceful close; no callbacks after this.
  void close();
  // Batched reads for a burst of replies (the 10,000 pongs of a tick): while on, the socket's
  // SO_RCVLOWAT makes the kernel wake us once kBatchReadBytes are waiting instead of for every
  // few replies that trickle in (each wakeup is an epoll_wait, a context switch and a read:
  // with 600 per tick they were a tenth of the client's CPU). A burst's tail, less than
  // that followed by silence, is taken when kBatchTailDelay passes without a read: batching
  // then turns itself off (lowering the mark wakes the pending read). The caller turns it on
  // only while many replies are due, so a single notify or ack never waits.
  static constexpr int kBatchReadBytes = 32 * 1024;
  static constexpr std::chrono::milliseconds kBatchTailDelay{2};
  void set_read_batching(bool on);
  bool read_batching() const { return batching_; }

  bool ready() const { return conn_ && conn_->ready(); }
  bool closed() const { return closed_; }
  const codec::entity_addr_t& target() const { return target_; }
  const std::string& name() const { return name_; }
  uint64_t resets() const { return resets_; }
  uint64_t attempts() const { return attempts_; }
  uint64_t connects() const { return connects_; }  // sessions established

 private:
  friend class Messenger;  // flush_corked at uncork
  void attempt();
  void on_connected(uint64_t gen);
  void attempt_failed(const std::string& reason, bool peer_wait);
  void on_fault(const conn_ev::Fault& f);
  void teardown_socket();
  void start_read(uint64_t gen);
  void pump();
  void flush_writes();
  void write_now(uint64_t gen);
  void written_all();
  void release_large_wbuf();  // an empty buffer that grew past kKeepWriteCapacity
  void send_pending();
  void flush_corked();
  void arm_timer();
  void arm_batch_tail(uint64_t gen);
  void log(const std::string& s) const;

  Messenger& m_;
  uint8_t peer_type_;
  codec::entity_addr_t target_;
  SessionHandler h_;
  std::string name_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer conn_timer_;   // the connection's poll_timeout
  asio::steady_timer retry_timer_;  // backoff / connect timeout
  asio::steady_timer batch_timer_;  // read batching: the tail check
  std::unique_ptr<Connection> conn_;
  // Messages sent while no connection is ready (none yet, or its handshake is running); they
  // go to the connection when it is ready, oldest first.
  OutMessageQueue pending_;
  // Bytes from the connection not yet handed to the socket, in one buffer. They go out in a
  // non-blocking write at once, or, while the messenger is corked, at uncork (one write for
  // a whole burst) or when kEagerWriteBytes have gathered, so a burst of 10,000 pings never
  // sits in memory as 10,000 frames; only what the kernel does not take waits for an
  // asynchronous write.
  std::vector<uint8_t> wbuf_;
  bool in_corked_ = false;  // listed in the messenger's corked_
  std::vector<uint8_t> rbuf_;
  Duration backoff_{};
  uint64_t gen_ = 0;                // bumps per attempt: stale completions are ignored
  uint64_t timer_gen_ = 0;
  std::optional<Instant> armed_;  // the deadline conn_timer_ waits for (none: idle)
  uint64_t armed_gen_ = 0;        // ... on the socket of this generation
  bool writing_ = false;
  bool pumping_ = false, repump_ = false;
  bool closed_ = false;
  bool close_after_write_ = false;
  bool batching_ = false;
  uint64_t reads_ = 0, reads_at_check_ = 0;  // reads done / at the last tail check
  uint64_t resets_ = 0, attempts_ = 0, connects_ = 0;
};

}  // namespace cephwire::net
