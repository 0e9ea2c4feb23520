// msgr v1 client connection (ceph/ceph src/msg/async/ProtocolV1.cc, client path):
//   send_client_banner: "ceph v027"
//   handle_server_banner_and_identify: read banner + server addr + our addr as the server sees
//     it; learned_addr (IP from the peer, port 0); write our legacy addr
//   send_connect_message: ceph_msg_connect {features, host_type CLIENT, global_seq,
//     connect_seq, protocol_version (CEPH_MONC_PROTOCOL 15 / CEPH_OSDC_PROTOCOL 24),
//     authorizer (none to a mon: MonClient authenticates with MAuth; AuthNone to an OSD),
//     flags LOSSY}
//   handle_connect_reply_2: FEATURES / BADPROTOVER / BADAUTHORIZER -> fault; RESETSESSION ->
//     connect_seq 0, connect again; RETRY_GLOBAL -> higher global_seq, again; RETRY_SESSION ->
//     reply's connect_seq, again; WAIT -> fault (backoff); SEQ -> read the server's acked seq,
//     write our in_seq; READY -> client_ready (features = reply & ours).
//   Then tags: MSG (seq <= in_seq dropped), KEEPALIVE2 (answered with KEEPALIVE2_ACK and the
//   same stamp), KEEPALIVE2_ACK, KEEPALIVE, ACK (ignored: lossy), CLOSE (connection over).
//   write_message: header.seq = ++out_seq, src = our name, footer by MSG_AUTH.
#include <algorithm>
#include <string>

#include "codec/msgr1/connection_decoder.h"
#include "codec/msgr1/encode.h"
#include "net/protocol_internal.h"

namespace cephwire::net {

namespace m1 = codec::msgr1;

namespace {

class Msgr1Connection final : public Connection {
 public:
  explicit Msgr1Connection(ConnConfig cfg)
      : Connection(std::move(cfg)), global_seq_(cfg_.global_seq) {}

  void start(Instant now) override {
    started_ = now;
    started_flag_ = true;
    write(m1::encode_banner(), info("banner"), now);
  }

  void close(Instant now) override {
    if (finished()) return;
    if (ready()) write(m1::encode_close(), info("close"), now);
    finish();
  }

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
      std::shared_ptr<m1::Item> p = reuse_item(spare_item_, std::move(*item));
      Pending out;
      out.info.dir = Direction::kIn;
      out.info.peer_type = cfg_.peer_type;
      out.info.kind = p->kind();
      if (const codec::MessageParts* parts = p->message()) {
        if (cfg_.interceptor) classify_message(*parts, out.info);
        else {
          out.info.msg_type = parts->type;
        }
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
    auto& item = *static_cast<m1::Item*>(pend.item.get());
    std::visit([&](auto& f) { on(f, item, now); }, item.frame);
  }

  void frame_message(OutMessage& m, std::vector<uint8_t>& out) override {
    m.parts.seq = ++out_seq_;
    const codec::entity_name_t src{codec::entity_name_t::kTypeClient, cfg_.my_gid};
    m1::append_message(m.parts, src, m1::uses_msg_auth_footer(features_), out);
  }

  std::vector<uint8_t> frame_keepalive(codec::utime_t stamp) override {
    return m1::encode_keepalive2(stamp);
  }

 private:
  FrameInfo info(std::string_view kind) const {
    FrameInfo f;
    f.dir = Direction::kOut;
    f.peer_type = cfg_.peer_type;
    f.kind = kind;
    return f;
  }

  void send_connect(Instant now) {
    m1::ConnectParams p;
    p.features = cfg_.features;
    p.host_type = codec::entity_name_t::kTypeClient;
    p.global_seq = global_seq_;
    p.connect_seq = connect_seq_;
    p.protocol_version =
        cfg_.peer_type == codec::entity_name_t::kTypeMon ? m1::kProtoMonc : m1::kProtoOsdc;
    p.lossy = cfg_.announce_lossy;
    if (cfg_.peer_type != codec::entity_name_t::kTypeMon) {
      m1::AuthNoneAuthorizer a;
      a.struct_v = 1;
      a.name.type = codec::entity_name_t::kTypeClient;
      a.name.id = cfg_.entity_id;
      a.global_id = cfg_.global_id;
      p.auth_none = a;
    }
    write(m1::encode(m1::make_connect(p)), info("connect"), now);
    state_ = State::kConnectReply;
  }

  void on(m1::ClientBanner&, m1::Item&, Instant) {}
  void on(m1::Connect&, m1::Item&, Instant) {}

  void on(m1::ServerBanner& b, m1::Item&, Instant now) {
    if (state_ != State::kBanner) return fail("unexpected server banner");
    // handle_server_banner_and_identify: the server must be who we dialled (a restarted
    // daemon has a new nonce), unless it does not know its IP yet.
    const codec::entity_addr_t want = m1::to_legacy(cfg_.target);
    const bool blank_ip = b.addr.ip_string() == "0.0.0.0";
    if (b.addr.nonce != want.nonce || b.addr.port() != want.port() ||
        (!blank_ip && b.addr.ip_string() != want.ip_string()))
      return fail("peer claims to be " + b.addr.to_string() + ", not " + want.to_string());
    my_addr_ = learned_legacy_addr(b.peer_addr_for_you, cfg_.nonce);
    write(m1::encode_legacy_addr(my_addr_), info("banner_addr"), now);
    send_connect(now);
  }

  void on(m1::ConnectReply& r, m1::Item&, Instant now) {
    if (state_ != State::kConnectReply) return fail("unexpected connect reply");
    const auto& rep = r.reply;
    switch (rep.tag) {
      case m1::kTagFeatures:
        return fail("server requires features we lack: " + std::to_string(rep.features));
      case m1::kTagBadProtoVer:
        return fail("protocol version mismatch (server " +
                    std::to_string(rep.protocol_version) + ")");
      case m1::kTagBadAuthorizer:
        return fail("server rejected the authorizer (BADAUTHORIZER)");
      case m1::kTagResetSession:
        connect_seq_ = 0;
        return send_connect(now);
      case m1::kTagRetryGlobal:
        global_seq_ = std::max(global_seq_, rep.global_seq) + 1;
        return send_connect(now);
      case m1::kTagRetrySession:
        connect_seq_ = rep.connect_seq;
        return send_connect(now);
      case m1::kTagWait:
        return fail("server answered WAIT (connection race)", true);
      case m1::kTagChallengeAuthorizer:
        return fail("server challenged the authorizer (cephx is not supported)");
      case m1::kTagSeq:
      case m1::kTagReady:
        break;
      default:
        return fail("unknown connect reply tag " + std::to_string(rep.tag));
    }
    reply_ = rep;
    if (rep.tag == m1::kTagSeq) {
      state_ = State::kSeq;  // the server's le64 follows
      return;
    }
    client_ready(now);
  }

  void on(m1::SeqExchange& s, m1::Item&, Instant now) {
    if (state_ != State::kSeq) return fail("unexpected sequence exchange");
    (void)s;  // lossy: nothing was kept to discard (discard_requeued_up_to)
    write(m1::encode_seq(in_seq_), info("seq"), now);
    client_ready(now);
  }

  void client_ready(Instant now) {
    features_ = reply_.features & cfg_.features;
    connect_seq_ += 1;
    state_ = State::kOpen;
    conn_ev::Ready r;
    r.features = features_;
    r.peer.type = cfg_.peer_type;
    r.peer.num = 0;
    r.my_addr = my_addr_;
    set_ready(std::move(r), now);
  }

  void on(m1::TagClose&, m1::Item&, Instant) { fail("peer closed the connection (TAG_CLOSE)"); }
  void on(m1::TagKeepalive&, m1::Item&, Instant) {}
  void on(m1::TagAck&, m1::Item&, Instant) {}  // lossy: nothing to trim

  void on(m1::TagKeepalive2& k, m1::Item&, Instant now) {
    write(m1::encode_keepalive2_ack(k.stamp), info("keepalive2_ack"), now);
  }

  void on(m1::TagKeepalive2Ack& k, m1::Item&, Instant) {
    deliver(conn_ev::KeepaliveAck{k.stamp});
  }

  void on(m1::Message&, m1::Item& item, Instant) {
    if (state_ != State::kOpen) return fail("message before the session was ready");
    const codec::MessageParts* parts = item.message();
    if (!parts || !accept_seq(parts->seq)) return;
    InMessage in;
    in.parts = *parts;
    in.raw = std::move(item.raw);  // the views stay valid: the buffer moves with the vector
    deliver(conn_ev::Message{std::move(in)});
  }

  enum class State : uint8_t { kBanner, kConnectReply, kSeq, kOpen };
  State state_ = State::kBanner;
  m1::ConnectionDecoder dec_;
  std::shared_ptr<m1::Item> spare_item_;  // reuse_item
  uint32_t global_seq_;
  uint32_t connect_seq_ = 0;
  m1::ceph_msg_connect_reply reply_;
  uint64_t features_ = 0;
  codec::entity_addr_t my_addr_;
};

}  // namespace

std::unique_ptr<Connection> make_msgr1_connection(ConnConfig cfg) {
  return std::make_unique<Msgr1Connection>(std::move(cfg));
}

}  // namespace cephwire::net
