// msgr v2 (crc mode) client connection (ceph/ceph src/msg/async/ProtocolV2.cc, client path):
//   _banner_exchange: "ceph v2\n" + {supported REVISION_1, required 0}; the peer's banner must
//     not require what we lack and vice versa; rev1 framing iff both support REVISION_1
//   HELLO {CEPH_ENTITY_TYPE_CLIENT, the address we dialled}; handle_hello: the server's type
//     must be the one we dialled; learned_addr from the address it sees for us
//   send_auth_request: AUTH_REQUEST {CEPH_AUTH_NONE, preferred modes [crc], payload}: to a mon
//     (MonConnection::get_auth_request) AUTH_MODE_MON | EntityName | global_id, to an OSD the
//     AuthNoneAuthorizer (struct_v 1 | EntityName | global_id)
//   handle_auth_done: global_id, con_mode (only crc is supported here); then AUTH_SIGNATURE
//     both ways (32 zero bytes: auth none has no session key)
//   send_client_ident: CLIENT_IDENT {our addrs, target addr, gid, global_seq, features,
//     required, LOSSY, cookie 0}; handle_server_ident -> ready (features = server & ours).
//     IDENT_MISSING_FEATURES / WAIT / SESSION_* (we never reconnect a lossy session) -> fault.
//   READY: MESSAGE (seq <= in_seq dropped), KEEPALIVE2 (answered with KEEPALIVE2_ACK, same
//   stamp), KEEPALIVE2_ACK, ACK (ignored: lossy); write_message: header2 seq = ++out_seq,
//   ack_seq = in_seq, flags COMPLETE|NOCRC (Message::encode without crcs in crc mode).
#include <string>

#include "codec/msgr2/banner.h"
#include "codec/msgr2/connection_decoder.h"
#include "codec/msgr2/frames_v2.h"
#include "net/protocol_internal.h"

namespace cephwire::net {

namespace m2 = codec::msgr2;

namespace {

constexpr uint8_t kHeader2FlagsCrcMode = 3;  // CEPH_MSG_FOOTER_COMPLETE | CEPH_MSG_FOOTER_NOCRC

class Msgr2Connection final : public Connection {
 public:
  explicit Msgr2Connection(ConnConfig cfg) : Connection(std::move(cfg)) {}

  void start(Instant now) override {
    started_ = now;
    started_flag_ = true;
    write(m2::encode_banner(m2::kSupportedFeatures, m2::kRequiredFeatures), info("banner"), now);
  }

  void close(Instant) override { finish(); }

 protected:
  void recycle(std::vector<uint8_t>&& raw) override { dec_.recycle(std::move(raw)); }

  void record_outgoing(std::span<const uint8_t> bytes) override {
    dec_.feed(codec::Dir::kClientToServer, bytes);
  }

  void decode_incoming(std::span<const uint8_t> bytes) override {
    dec_.feed(codec::Dir::kServerToClient, bytes);
  }

  std::optional<Pending> next_incoming() override {
    while (auto item = dec_.poll()) {
      if (item->dir != codec::Dir::kServerToClient) continue;
      std::shared_ptr<m2::Item> p = reuse_item(spare_item_, std::move(*item));
      Pending out;
      out.info.dir = Direction::kIn;
      out.info.peer_type = cfg_.peer_type;
      out.info.kind = p->kind();
      if (const codec::MessageParts* parts = p->message()) {
        if (cfg_.interceptor) classify_message(*parts, out.info);
        else out.info.msg_type = parts->type;
      }
      out.item = std::move(p);
      return out;
    }
    while (auto e = dec_.poll_error()) {
      fail(std::string(e->dir == codec::Dir::kServerToClient ? "bad bytes from peer: "
                                                             : "internal encoding error: ") +
           e->error.to_string());
      return std::nullopt;
    }
    return std::nullopt;
  }

  void process_incoming(Pending& pend, Instant now) override {
    auto& item = *static_cast<m2::Item*>(pend.item.get());
    if (const m2::Banner* b = item.banner()) return on_banner(*b, now);
    const m2::Frame* f = item.frame();
    if (!f) return;
    std::visit([&](const auto& payload) { on(payload, item, now); }, f->payload);
  }

  void frame_message(OutMessage& m, std::vector<uint8_t>& out) override {
    m.parts.seq = ++out_seq_;
    m2::append_message_frame(m.parts, in_seq_, kHeader2FlagsCrcMode, rev_, out);
  }

  std::vector<uint8_t> frame_keepalive(codec::utime_t stamp) override {
    m2::KeepAliveFrame k;
    k.timestamp = stamp;
    return m2::encode_control_frame(k, rev_);
  }

 private:
  FrameInfo info(std::string_view kind) const {
    FrameInfo f;
    f.dir = Direction::kOut;
    f.peer_type = cfg_.peer_type;
    f.kind = kind;
    return f;
  }

  template <class F>
  void send_frame(const F& frame, Instant now) {
    write(m2::encode_control_frame(frame, rev_), info(m2::tag_name(F::kTag)), now);
  }

  void on_banner(const m2::Banner& b, Instant now) {
    if (state_ != State::kBanner) return fail("unexpected banner");
    // _handle_peer_banner_payload: both sides' required bits must be supported by the other.
    if ((b.required & ~m2::kSupportedFeatures) != 0)
      return fail("peer requires msgr2 features we lack");
    if ((m2::kRequiredFeatures & ~b.supported) != 0)
      return fail("peer lacks msgr2 features we require");
    rev_ = b.rev1() ? m2::Rev::kRev1 : m2::Rev::kRev0;
    m2::HelloFrame h;
    h.entity_type = codec::entity_name_t::kTypeClient;
    h.peer_addr = cfg_.target;
    send_frame(h, now);
    state_ = State::kHello;
  }

  void on(const m2::HelloFrame& h, m2::Item&, Instant now) {
    if (state_ != State::kHello) return fail("unexpected HELLO");
    if (h.entity_type != cfg_.peer_type)
      return fail("peer is entity type " + std::to_string(h.entity_type) + ", expected " +
                  std::to_string(cfg_.peer_type));
    my_addr_ = learned_any_addr(h.peer_addr, cfg_.nonce);
    m2::AuthRequestFrame a;
    a.method = m2::kAuthNone;
    a.preferred_modes = cfg_.v2_preferred_modes;
    m2::AuthNoneRequest none;
    none.mode = cfg_.peer_type == codec::entity_name_t::kTypeMon ? m2::AuthNoneRequest::kModeMon
                                                                   : m2::AuthNoneRequest::kAuthorizerV1;
    none.entity_name.type = codec::entity_name_t::kTypeClient;
    none.entity_name.id = cfg_.entity_id;
    none.global_id = cfg_.global_id;
    a.none = none;
    send_frame(a, now);
    state_ = State::kAuth;
  }

  void on(const m2::AuthBadMethodFrame& f, m2::Item&, Instant) {
    fail("server refused auth method " + std::to_string(f.method) + " (result " +
         std::to_string(f.result) + ")");
  }
  void on(const m2::AuthReplyMoreFrame&, m2::Item&, Instant) {
    fail("server wants more auth rounds (only auth none is supported)");
  }

  void on(const m2::AuthDoneFrame& f, m2::Item&, Instant now) {
    if (state_ != State::kAuth) return fail("unexpected AUTH_DONE");
    if (f.con_mode != m2::kConModeCrc)
      return fail("server chose connection mode " + std::to_string(f.con_mode) +
                  " (only crc is supported)");
    global_id_ = f.global_id;
    send_frame(m2::AuthSignatureFrame{}, now);  // no session key: 32 zero bytes
    state_ = State::kSign;
  }

  void on(const m2::AuthSignatureFrame& f, m2::Item&, Instant now) {
    if (state_ != State::kSign) return fail("unexpected AUTH_SIGNATURE");
    if (f.signature != std::array<uint8_t, 32>{})
      return fail("peer's AUTH_SIGNATURE is not the no-session-key signature");
    m2::ClientIdentFrame c;
    c.addrs.marker = 2;
    c.addrs.v = {my_addr_};
    c.target_addr = cfg_.target;
    c.gid = cfg_.my_gid;
    c.global_seq = cfg_.global_seq;
    c.supported_features = cfg_.features;
    c.required_features = cfg_.v2_required;
    c.flags = cfg_.announce_lossy ? m2::kIdentFlagLossy : 0;
    c.cookie = cfg_.v2_client_cookie;
    send_frame(c, now);
    state_ = State::kIdent;
  }

  void on(const m2::ServerIdentFrame& s, m2::Item&, Instant now) {
    if (state_ != State::kIdent) return fail("unexpected SERVER_IDENT");
    // handle_server_ident: the server's addresses must include the one we dialled.
    bool found = false;
    for (const auto& a : s.addrs.v)
      found |= a.type == cfg_.target.type && a.nonce == cfg_.target.nonce &&
               a.port() == cfg_.target.port() && a.ip_string() == cfg_.target.ip_string();
    if (!found)
      return fail("peer's addresses " + s.addrs.to_string() + " do not include " +
                  cfg_.target.to_string());
    state_ = State::kReady;
    conn_ev::Ready r;
    r.features = s.supported_features & cfg_.features;
    r.peer.type = cfg_.peer_type;
    r.peer.num = s.gid;
    r.global_id = global_id_;
    r.my_addr = my_addr_;
    set_ready(std::move(r), now);
  }

  void on(const m2::IdentMissingFeaturesFrame& f, m2::Item&, Instant) {
    fail("server requires features we lack: " + std::to_string(f.features));
  }
  void on(const m2::WaitFrame&, m2::Item&, Instant) { fail("server answered WAIT", true); }
  void on(const m2::ResetFrame&, m2::Item&, Instant) { fail("server reset the session"); }
  void on(const m2::RetryFrame&, m2::Item&, Instant) { fail("server asked to retry the session"); }
  void on(const m2::RetryGlobalFrame&, m2::Item&, Instant) { fail("server asked for a new global_seq"); }
  void on(const m2::ReconnectOkFrame&, m2::Item&, Instant) { fail("unexpected SESSION_RECONNECT_OK"); }

  void on(const m2::KeepAliveFrame& k, m2::Item&, Instant now) {
    if (state_ != State::kReady) return fail("KEEPALIVE2 before ready");
    m2::KeepAliveFrameAck a;
    a.timestamp = k.timestamp;
    send_frame(a, now);
  }
  void on(const m2::KeepAliveFrameAck& k, m2::Item&, Instant) {
    deliver(conn_ev::KeepaliveAck{k.timestamp});
  }
  void on(const m2::AckFrame&, m2::Item&, Instant) {}  // lossy: nothing to trim
  void on(const m2::AbortedFrame&, m2::Item&, Instant) {}  // dropped, as Ceph does

  void on(const m2::MessageFrame&, m2::Item& item, Instant) {
    if (state_ != State::kReady) return fail("message before the session was ready");
    const codec::MessageParts* parts = item.message();
    if (!parts || !accept_seq(parts->seq)) return;
    InMessage in;
    in.parts = *parts;
    in.raw = std::move(item.raw);
    deliver(conn_ev::Message{std::move(in)});
  }

  // Client-to-server frames never come back from the server.
  void on(const m2::AuthRequestFrame&, m2::Item&, Instant) { fail("peer sent AUTH_REQUEST"); }
  void on(const m2::AuthRequestMoreFrame&, m2::Item&, Instant) { fail("peer sent AUTH_REQUEST_MORE"); }
  void on(const m2::ClientIdentFrame&, m2::Item&, Instant) { fail("peer sent CLIENT_IDENT"); }
  void on(const m2::ReconnectFrame&, m2::Item&, Instant) { fail("peer sent SESSION_RECONNECT"); }

  enum class State : uint8_t { kBanner, kHello, kAuth, kSign, kIdent, kReady };
  State state_ = State::kBanner;
  m2::ConnectionDecoder dec_;
  std::shared_ptr<m2::Item> spare_item_;  // reuse_item
  m2::Rev rev_ = m2::Rev::kRev1;
  uint64_t global_id_ = 0;
  codec::entity_addr_t my_addr_;
};

}  // namespace

std::unique_ptr<Connection> make_msgr2_connection(ConnConfig cfg) {
  return std::make_unique<Msgr2Connection>(std::move(cfg));
}

}  // namespace cephwire::net
