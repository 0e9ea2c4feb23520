// The Asio transport against an in-process msgr v1 server (built from the codec's encoders):
// backoff between failed attempts (ms_initial_backoff doubling to ms_max_backoff), messages
// queued while no session is up are written once one is, an established session that the
// server drops is a reset (on_reset once, then a fresh session), graceful close writes
// TAG_CLOSE, and the fault layer sits between the protocol and the socket.
#include "net/transport.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "codec/msgr1/connection_decoder.h"
#include "codec/msgr1/encode.h"
#include "codec/msgr1/message_frame.h"
#include "net/interceptor.h"

namespace cephwire::net {
namespace {

using namespace std::chrono_literals;
namespace m1 = codec::msgr1;
using asio::ip::tcp;

const uint8_t kLo[4] = {127, 0, 0, 1};

// A v1 OSD-like server: accepts, handshakes (READY), records messages, and can drop
// connections.
class FakeServer {
 public:
  explicit FakeServer(asio::io_context& io, uint16_t port = 0)
      : io_(io), acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), port)) {
    accept();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  codec::entity_addr_t addr() const {
    return codec::entity_addr_t::make_ipv4(codec::entity_addr_t::kTypeLegacy, kLo, port(), 42, true);
  }
  void stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& c : conns_) c->sock.close(ec);
  }
  void drop_connections() {
    boost::system::error_code ec;
    for (auto& c : conns_) c->sock.close(ec);
  }
  size_t accepted() const { return conns_.size(); }
  // n messages of `type` with a `len`-byte front to every connection, in one write each.
  void say(uint16_t type, size_t n = 1, size_t len = 8) {
    for (auto& c : conns_) {
      std::vector<uint8_t> bytes;
      for (size_t i = 0; i < n; ++i) {
        codec::MessageParts p;
        p.type = type;
        p.version = 1;
        p.seq = ++c->out_seq;
        p.front = codec::Bytes(std::vector<uint8_t>(len, 0x5a));
        const auto f = m1::encode_message(p, codec::entity_name_t{codec::entity_name_t::kTypeOsd, 0}, true);
        bytes.insert(bytes.end(), f.begin(), f.end());
      }
      send(c, std::move(bytes));
    }
  }
  std::vector<uint16_t> message_types;
  std::vector<std::string> kinds;  // every client item, in order

 private:
  struct Conn {
    explicit Conn(asio::io_context& io) : sock(io) {}
    tcp::socket sock;
    m1::ConnectionDecoder dec;
    std::array<uint8_t, 4096> buf{};
    bool replied = false;
    uint64_t out_seq = 0;
  };
  void accept() {
    auto c = std::make_shared<Conn>(io_);
    acceptor_.async_accept(c->sock, [this, c](const boost::system::error_code& ec) {
      if (ec) return;
      conns_.push_back(c);
      auto a = addr();
      auto peer = codec::entity_addr_t::make_ipv4(1, kLo, 50000, 0, true);
      send(c, m1::encode(m1::make_server_banner(a, peer)));
      read(c);
      accept();
    });
  }
  void send(const std::shared_ptr<Conn>& c, std::vector<uint8_t> bytes) {
    c->dec.feed(codec::Dir::kServerToClient, bytes);
    auto b = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
    asio::async_write(c->sock, asio::buffer(*b), [b](const boost::system::error_code&, size_t) {});
  }
  void read(const std::shared_ptr<Conn>& c) {
    c->sock.async_read_some(asio::buffer(c->buf), [this, c](const boost::system::error_code& ec, size_t n) {
      if (ec) return;
      c->dec.feed(codec::Dir::kClientToServer, std::span<const uint8_t>(c->buf.data(), n));
      while (auto it = c->dec.poll()) {
        if (it->dir != codec::Dir::kClientToServer) continue;
        kinds.emplace_back(it->kind());
        if (it->kind() == "connect" && !c->replied) {
          c->replied = true;
          send(c, m1::encode(m1::make_connect_reply(m1::kTagReady, kFeaturesPacific, 1, 1, 24, true)));
        }
        if (const auto* p = it->message()) message_types.push_back(p->type);
      }
      read(c);
    });
  }
  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<Conn>> conns_;
};

MessengerConfig fast_cfg() {
  MessengerConfig c;
  c.msgr = Msgr::kV1;
  c.initial_backoff = 10ms;
  c.max_backoff = 40ms;
  c.connect_timeout = 2s;
  return c;
}

OutMessage msg(uint16_t type) {
  OutMessage m;
  m.parts.type = type;
  m.parts.version = 1;
  m.parts.front = codec::Bytes::from_string("payload");
  return m;
}

// Runs the io_context until `done` or the deadline.
template <class F>
bool run_until(asio::io_context& io, F done, std::chrono::milliseconds limit = 5000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < end) {
    io.run_for(5ms);
    if (io.stopped()) io.restart();
  }
  return done();
}

uint16_t unused_port(asio::io_context& io) {
  tcp::acceptor a(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return a.local_endpoint().port();  // closed again when `a` goes away
}

TEST(Transport, BackoffDoublesToTheMaximumAndQueuedMessagesWait) {
  asio::io_context io;
  Messenger m(io, fast_cfg());
  const uint16_t port = unused_port(io);
  std::vector<Duration> backoffs;
  bool up = false;
  SessionHandler h;
  h.on_connect_error = [&](const std::string&, Duration b) { backoffs.push_back(b); };
  h.on_ready = [&](const conn_ev::Ready&) { up = true; };
  auto target = codec::entity_addr_t::make_ipv4(codec::entity_addr_t::kTypeLegacy, kLo, port, 42, true);
  auto s = m.connect(codec::entity_name_t::kTypeOsd, target, h, "osd.0");
  s->send(msg(42));
  s->send(msg(2));
  ASSERT_TRUE(run_until(io, [&] { return backoffs.size() >= 4; }));
  EXPECT_EQ(backoffs[0], 10ms);
  EXPECT_EQ(backoffs[1], 20ms);
  EXPECT_EQ(backoffs[2], 40ms);
  EXPECT_EQ(backoffs[3], 40ms);
  EXPECT_FALSE(up);
  // The server appears on that port: the next attempt succeeds and the queued messages go out.
  FakeServer srv(io, port);
  ASSERT_TRUE(run_until(io, [&] { return srv.message_types.size() == 2; }));
  EXPECT_TRUE(up);
  EXPECT_EQ(srv.message_types, (std::vector<uint16_t>{42, 2}));
  EXPECT_EQ(s->connects(), 1u);
  EXPECT_EQ(s->resets(), 0u);
  s->close();
  srv.stop();
}

TEST(Transport, AnEstablishedSessionDroppedByTheServerIsAReset) {
  asio::io_context io;
  FakeServer srv(io);
  Messenger m(io, fast_cfg());
  int ready = 0, resets = 0;
  SessionHandler h;
  h.on_ready = [&](const conn_ev::Ready&) { ++ready; };
  h.on_reset = [&](const std::string&) { ++resets; };
  auto s = m.connect(codec::entity_name_t::kTypeOsd, srv.addr(), h, "osd.0");
  ASSERT_TRUE(run_until(io, [&] { return ready == 1; }));
  s->send(msg(42));
  ASSERT_TRUE(run_until(io, [&] { return srv.message_types.size() == 1; }));
  srv.drop_connections();
  ASSERT_TRUE(run_until(io, [&] { return resets == 1 && ready == 2; }));
  EXPECT_EQ(srv.accepted(), 2u);
  EXPECT_EQ(s->resets(), 1u);
  // The new session numbers its messages from 1 again and works.
  s->send(msg(2));
  ASSERT_TRUE(run_until(io, [&] { return srv.message_types.size() == 2; }));
  // Graceful close writes TAG_CLOSE.
  s->close();
  ASSERT_TRUE(run_until(io, [&] { return !srv.kinds.empty() && srv.kinds.back() == "close"; }));
  EXPECT_TRUE(s->closed());
  srv.stop();
}

TEST(Transport, BatchedReadsWaitForTheMarkOrTheTailDelay) {
  asio::io_context io;
  FakeServer srv(io);
  Messenger m(io, fast_cfg());
  bool ready = false;
  size_t got = 0;
  SessionHandler h;
  h.on_ready = [&](const conn_ev::Ready&) { ready = true; };
  h.on_message = [&](InMessage& in) { got += in.parts.type == 2; };
  auto s = m.connect(codec::entity_name_t::kTypeOsd, srv.addr(), h, "osd.0");
  ASSERT_TRUE(run_until(io, [&] { return ready; }));
  // One small message while batching: less than the mark, so it is read only once the tail
  // check finds no read for kBatchTailDelay and lowers the mark again.
  const auto t0 = std::chrono::steady_clock::now();
  s->set_read_batching(true);
  EXPECT_TRUE(s->read_batching());
  srv.say(2);
  ASSERT_TRUE(run_until(io, [&] { return got == 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, Session::kBatchTailDelay);
  EXPECT_FALSE(s->read_batching());
  // Unbatched, the next one is read as it comes; batched, a burst well past the mark is read
  // whole (its tail included).
  srv.say(2);
  ASSERT_TRUE(run_until(io, [&] { return got == 2; }));
  s->set_read_batching(true);
  srv.say(2, 3000, 100);
  ASSERT_TRUE(run_until(io, [&] { return got == 3002; }));
  ASSERT_TRUE(run_until(io, [&] { return !s->read_batching(); }));
  EXPECT_EQ(s->resets(), 0u);
  s->close();
  srv.stop();
}

TEST(Transport, AWrongNonceIsRetriedNotAReset) {
  asio::io_context io;
  FakeServer srv(io);
  Messenger m(io, fast_cfg());
  std::vector<std::string> errors;
  int resets = 0;
  SessionHandler h;
  h.on_connect_error = [&](const std::string& why, Duration) { errors.push_back(why); };
  h.on_reset = [&](const std::string&) { ++resets; };
  auto target = srv.addr();
  target.nonce = 7;  // an older incarnation of the daemon
  auto s = m.connect(codec::entity_name_t::kTypeOsd, target, h, "osd.0");
  ASSERT_TRUE(run_until(io, [&] { return errors.size() >= 2; }));
  EXPECT_NE(errors[0].find("claims to be"), std::string::npos);
  EXPECT_EQ(resets, 0);
  // The map gives the right address: reconnect there.
  bool up = false;
  s->close();
  SessionHandler h2;
  h2.on_ready = [&](const conn_ev::Ready&) { up = true; };
  auto s2 = m.connect(codec::entity_name_t::kTypeOsd, srv.addr(), h2, "osd.0");
  ASSERT_TRUE(run_until(io, [&] { return up; }));
  s2->close();
  srv.stop();
}

TEST(Transport, TheFaultLayerSitsBetweenProtocolAndSocket) {
  asio::io_context io;
  FakeServer srv(io);
  Interceptor in;
  in.add(*FaultRule::parse("out:drop:type=42:nth=1"));
  in.add(*FaultRule::parse("out:close:type=2:nth=2"));
  MessengerConfig cfg = fast_cfg();
  cfg.interceptor = &in;
  Messenger m(io, cfg);
  int ready = 0, resets = 0;
  SessionHandler h;
  h.on_ready = [&](const conn_ev::Ready&) { ++ready; };
  h.on_reset = [&](const std::string&) { ++resets; };
  auto s = m.connect(codec::entity_name_t::kTypeOsd, srv.addr(), h, "osd.0");
  ASSERT_TRUE(run_until(io, [&] { return ready == 1; }));
  s->send(msg(42));  // dropped
  s->send(msg(2));   // passes
  s->send(msg(42));  // passes
  ASSERT_TRUE(run_until(io, [&] { return srv.message_types.size() == 2; }));
  EXPECT_EQ(srv.message_types, (std::vector<uint16_t>{2, 42}));
  s->send(msg(2));  // the second MPing: the connection faults there
  ASSERT_TRUE(run_until(io, [&] { return resets == 1 && ready == 2; }));
  EXPECT_EQ(srv.message_types.size(), 2u);
  s->close();
  srv.stop();
}

}  // namespace
}  // namespace cephwire::net
