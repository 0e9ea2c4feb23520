#include "net/protocol.h"

#include <algorithm>
#include <utility>

#include "codec/messages/MOSDOpReply.h"
#include "codec/messages/MWatchNotify.h"
#include "net/interceptor.h"
#include "net/protocol_internal.h"

namespace cephwire::net {

std::string_view to_string(Msgr m) { return m == Msgr::kV1 ? "v1" : "v2"; }

Connection::~Connection() = default;

void Connection::feed(std::span<const uint8_t> bytes, Instant now) {
  bytes_in_ += bytes.size();
  if (finished_) return;
  decode_incoming(bytes);
  pump(now);
}

void Connection::on_socket_error(std::string reason, Instant) {
  fail(std::move(reason));
}

void Connection::send(OutMessage m, Instant now) {
  if (finished_) return;
  if (ready_ && queued_.empty() && queued_keepalives_.empty()) return emit_message(m, now);
  // Kept past this call: parts that view the caller's storage are copied.
  for (codec::Bytes* b : {&m.parts.front, &m.parts.middle, &m.parts.data})
    if (b->is_view() && !b->empty()) *b = b->owned();
  queued_.push_back(std::move(m));
  if (ready_) flush_queued(now);
}

void Connection::emit_message(OutMessage& m, Instant now) {
  FrameInfo info;
  info.dir = Direction::kOut;
  info.peer_type = cfg_.peer_type;
  info.kind = "message";
  info.msg_type = m.parts.type;
  info.osd_op = m.osd_op;
  info.watch_op = m.watch_op;
  const std::optional<Instant> release = admit(info, now);
  if (!release) {
    if (!finished_) ++out_seq_;  // a dropped message consumed its seq, as a lost frame would
    return;
  }
  if (out_.empty() && *release <= now) {
    // Due now and nothing held before it: framed straight into the bytes to write.
    frame_message(m, direct_);
    return;
  }
  std::vector<uint8_t> bytes;
  frame_message(m, bytes);
  out_tail_release_ = *release;
  out_.push_back({std::move(bytes), *release});
}

void Connection::send_keepalive(codec::utime_t stamp, Instant now) {
  if (finished_) return;
  if (!ready_) {
    queued_keepalives_.push_back(stamp);
    return;
  }
  FrameInfo info;
  info.dir = Direction::kOut;
  info.peer_type = cfg_.peer_type;
  info.kind = "keepalive2";
  write(frame_keepalive(stamp), info, now);
}

void Connection::flush_queued(Instant now) {
  while (!queued_keepalives_.empty() && !finished_) {
    const codec::utime_t stamp = queued_keepalives_.front();
    queued_keepalives_.pop_front();
    send_keepalive(stamp, now);
  }
  while (!queued_.empty() && !finished_) {
    OutMessage m = std::move(queued_.front());
    queued_.pop_front();
    emit_message(m, now);
  }
}

void Connection::write(std::vector<uint8_t> bytes, FrameInfo info, Instant now) {
  const std::optional<Instant> release = admit(info, now);
  if (!release) return;
  // The decoder reads our own bytes only for what the handshake tells it about the peer's
  // (framing revision, features, footer size). Once the session is ready the peer's frames no
  // longer depend on ours, and decoding every outgoing ping again was a tenth of the CPU of a
  // client holding 10,000 watches: ours are no longer fed to it.
  if (!ready_) record_outgoing(bytes);
  out_tail_release_ = *release;
  out_.push_back({std::move(bytes), *release});
}

std::optional<Instant> Connection::admit(const FrameInfo& info, Instant now) {
  if (finished_) return std::nullopt;
  Instant release = std::max(now, out_tail_release_);
  if (cfg_.interceptor) {
    const FaultVerdict v = cfg_.interceptor->on_frame(info);
    switch (v.action) {
      case FaultAction::kPass:
        break;
      case FaultAction::kDrop:
        return std::nullopt;
      case FaultAction::kClose:
        fail("injected fault: close at outgoing " + std::string(info.kind));
        return std::nullopt;
      case FaultAction::kDelay:
        release = std::max(now + v.delay, out_tail_release_);
        break;
    }
  }
  return release;
}

void Connection::fail(std::string reason, bool peer_wait) {
  if (finished_) return;
  finished_ = true;
  out_.clear();
  direct_.clear();
  held_in_.clear();
  events_.push_back(conn_ev::Fault{std::move(reason), ready_, peer_wait});
}

void Connection::set_ready(conn_ev::Ready r, Instant now) {
  ready_ = true;
  events_.push_back(std::move(r));
  flush_queued(now);
}

bool Connection::accept_seq(uint64_t seq) {
  // ProtocolV1::handle_message_footer / ProtocolV2::handle_message: "got old message" is
  // dropped; a gap is only logged.
  if (seq <= in_seq_) return false;
  in_seq_ = seq;
  return true;
}

void Connection::pump(Instant now) {
  // Incoming items held by a delay rule come first, in order.
  while (!finished_ && !held_in_.empty() && held_in_.front().release <= now) {
    Pending p = std::move(held_in_.front().p);
    held_in_.pop_front();
    process_incoming(p, now);
  }
  while (!finished_) {
    std::optional<Pending> p = next_incoming();
    if (!p) break;
    Instant release = now;
    if (cfg_.interceptor) {
      const FaultVerdict v = cfg_.interceptor->on_frame(p->info);
      if (v.action == FaultAction::kDrop) continue;
      if (v.action == FaultAction::kClose) {
        fail("injected fault: close at incoming " + std::string(p->info.kind));
        break;
      }
      if (v.action == FaultAction::kDelay) release = now + v.delay;
    }
    if (!held_in_.empty() || release > now) {
      release = std::max(release, held_in_.empty() ? release : held_in_.back().release);
      held_in_.push_back({std::move(*p), release});
      continue;
    }
    process_incoming(*p, now);
  }
  if (ready_ && !finished_ && (!queued_.empty() || !queued_keepalives_.empty()))
    flush_queued(now);
}

std::optional<std::vector<uint8_t>> Connection::poll_transmit(Instant now) {
  std::vector<uint8_t> bytes;
  if (!transmit_into(bytes, now)) return std::nullopt;
  return bytes;
}
bool Connection::transmit_into(std::vector<uint8_t>& out, Instant now) {
  const size_t before = out.size();
  out.insert(out.end(), direct_.begin(), direct_.end());
  direct_.clear();
  // What is due of the held units (after direct_: they were queued after it), in one go.
  while (!out_.empty() && out_.front().release <= now) {
    out.insert(out.end(), out_.front().bytes.begin(), out_.front().bytes.end());
    out_.pop_front();
  }
  bytes_out_ += out.size() - before;
  return out.size() > before;
}

std::optional<ConnEvent> Connection::poll_event() {
  if (events_.empty()) return std::nullopt;
  ConnEvent e = events_.take_front();
  return e;
}

std::optional<Instant> Connection::poll_timeout() const {
  if (finished_) return std::nullopt;
  std::optional<Instant> t;
  auto take = [&](Instant x) { t = t ? std::min(*t, x) : x; };
  if (!out_.empty()) take(out_.front().release);
  if (!held_in_.empty()) take(held_in_.front().release);
  if (started_flag_ && !ready_) take(started_ + cfg_.handshake_timeout);
  return t;
}

void Connection::handle_timeout(Instant now) {
  if (finished_) return;
  if (started_flag_ && !ready_ && now >= started_ + cfg_.handshake_timeout) {
    fail("handshake timed out");
    return;
  }
  pump(now);
}

// ---------------------------------------------------------------------------------------
// addresses

namespace {

void ip_of(const codec::entity_addr_t& a, uint8_t ip[4]) {
  std::copy(a.sa_data.begin() + 2, a.sa_data.begin() + 6, ip);
}

}  // namespace

codec::entity_addr_t learned_legacy_addr(const codec::entity_addr_t& peer_view, uint32_t nonce) {
  uint8_t ip[4];
  ip_of(peer_view, ip);
  codec::entity_addr_t a =
      codec::entity_addr_t::make_ipv4(codec::entity_addr_t::kTypeLegacy, ip, 0, nonce, true);
  a.elen = 0;
  return a;
}

codec::entity_addr_t learned_any_addr(const codec::entity_addr_t& peer_view, uint32_t nonce) {
  uint8_t ip[4];
  ip_of(peer_view, ip);
  return codec::entity_addr_t::make_ipv4(codec::entity_addr_t::kTypeAny, ip, 0, nonce, false);
}

// Classification of incoming messages for the fault layer (only when rules exist).
void classify_message(const codec::MessageParts& p, FrameInfo& info) {
  info.kind = "message";
  info.msg_type = p.type;
  if (p.type == codec::MOSDOpReply::kType) {
    if (auto r = codec::MOSDOpReply::decode(p); r && !r->ops.empty()) {
      info.osd_op = r->ops[0].op.op;
      if (info.osd_op == 0x220f) info.watch_op = r->ops[0].op.watch().op;
    }
  } else if (p.type == codec::MWatchNotify::kType) {
    if (auto r = codec::MWatchNotify::decode(p)) info.watch_event = r->opcode;
  }
}

}  // namespace cephwire::net

namespace cephwire::net {

std::unique_ptr<Connection> make_connection(ConnConfig cfg) {
  return cfg.msgr == Msgr::kV1 ? make_msgr1_connection(std::move(cfg))
                               : make_msgr2_connection(std::move(cfg));
}

}  // namespace cephwire::net
