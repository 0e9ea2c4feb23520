#include "codec/msgr1/connection_decoder.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>

#include "codec/crc32c.h"

namespace cephwire::codec::msgr1 {

namespace {

// Decode roots (the first element of every error's field path).
constexpr const char* kRootClientBanner = "ClientBanner";
constexpr const char* kRootServerBanner = "ServerBanner";
constexpr const char* kRootConnect = "Connect";
constexpr const char* kRootConnectReply = "ConnectReply";
constexpr const char* kRootSeq = "SeqExchange";
constexpr const char* kRootMessage = "MessageFrame";

// Longest chain of non-message items resync accepts before the MSG that confirms it.
constexpr int kScanChain = 8;

uint32_t le32_at(std::span<const uint8_t> b, size_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}
uint16_t le16_at(std::span<const uint8_t> b, size_t at) {
  uint16_t v;
  std::memcpy(&v, b.data() + at, 2);
  return v;
}

bool known_entity_type(uint8_t t) {
  return t == entity_name_t::kTypeMon || t == entity_name_t::kTypeMds ||
         t == entity_name_t::kTypeOsd || t == entity_name_t::kTypeClient ||
         t == entity_name_t::kTypeMgr || t == entity_name_t::kTypeAuth;
}

// The first byte of `view` (at most the banner's 9) that differs from "ceph v027", if any.
std::optional<size_t> banner_mismatch(std::span<const uint8_t> view) {
  const size_t n = std::min(view.size(), kBannerLen);
  for (size_t i = 0; i < n; ++i)
    if (view[i] != kBannerText[i]) return i;
  return std::nullopt;
}

enum class Plaus : uint8_t { kYes, kNo, kNeedMore };
struct PlausResult {
  Plaus p;
  size_t need = 0;
};

// A message header at view[p] (tag included) that a real sender could have written.
PlausResult msg_plausible(std::span<const uint8_t> view, size_t p) {
  if (view.size() < p + 1 + kHeaderLen) return {Plaus::kNeedMore, p + 1 + kHeaderLen};
  auto h = view.subspan(p + 1, kHeaderLen);
  if (header_crc(h) != le32_at(h, ceph_msg_header::kOffCrc)) return {Plaus::kNo};
  if (le16_at(h, ceph_msg_header::kOffType) == 0) return {Plaus::kNo};
  if (!known_entity_type(h[ceph_msg_header::kOffSrc])) return {Plaus::kNo};
  if (le32_at(h, ceph_msg_header::kOffFrontLen) > kMaxFrontLen ||
      le32_at(h, ceph_msg_header::kOffMiddleLen) > kMaxMiddleLen ||
      le32_at(h, ceph_msg_header::kOffDataLen) > kMaxDataLen)
    return {Plaus::kNo};
  return {Plaus::kYes};
}

// An item chain starting at view[p] that ends in a plausible message within `budget` items.
PlausResult chain_plausible(std::span<const uint8_t> view, size_t p, int budget) {
  for (;;) {
    if (p >= view.size()) return {Plaus::kNeedMore, p + 1};
    const uint8_t t = view[p];
    switch (t) {
      case kTagMsg:
        return msg_plausible(view, p);
      case kTagAck:
      case kTagKeepalive2:
      case kTagKeepalive2Ack:
        if (budget <= 0) return {Plaus::kNo};
        if (view.size() < p + 9) return {Plaus::kNeedMore, p + 9};
        if (t != kTagAck && le32_at(view, p + 5) >= 1000000000u) return {Plaus::kNo};
        p += 9;
        --budget;
        break;
      case kTagKeepalive:
        if (budget <= 0) return {Plaus::kNo};
        p += 1;
        --budget;
        break;
      default:
        return {Plaus::kNo};
    }
  }
}

bool footer_flags_ok(uint8_t f) { return (f & kFooterComplete) != 0 && (f & ~7u) == 0; }

}  // namespace

// ---- Item ------------------------------------------------------------------------------

std::string_view frame_kind(const Frame& f) {
  static constexpr std::string_view kNames[] = {
      "banner", "banner",    "connect",    "connect_reply",  "seq",     "close",
      "keepalive", "keepalive2", "keepalive2_ack", "ack", "message"};
  static_assert(std::size(kNames) == std::variant_size_v<Frame>);
  return kNames[f.index()];
}

const MessageParts* Item::message() const {
  const auto* m = std::get_if<Message>(&frame);
  return m ? &m->parts : nullptr;
}

const MessageFrame* Item::message_frame() const {
  const auto* m = std::get_if<Message>(&frame);
  return m ? &m->frame : nullptr;
}

std::vector<uint8_t> Item::encode() const {
  return std::visit([](const auto& f) { return encode_to_vector(f); }, frame);
}
void Item::encode_into(std::vector<uint8_t>& out) const {
  out.clear();
  std::visit(
      [&](const auto& f) {
        out.reserve(encoded_size(f));
        encode_append(f, out);
      },
      frame);
}

void Item::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("dir", to_string(dir));
  w.kv("begin", begin);
  w.kv("end", end);
  w.kv("kind", kind());
  w.kv("crc_ok", crc_ok);
  w.key("frame");
  std::visit([&](const auto& f) { dump_json(f, w); }, frame);
  w.end_object();
}

// ---- ConnectionDecoder -------------------------------------------------------------------

ConnectionDecoder::ConnectionDecoder(DecoderOptions opts) : opts_(opts) {
  side(Dir::kClientToServer).state = opts.midstream ? State::kScan : State::kClientBanner;
  side(Dir::kServerToClient).state = opts.midstream ? State::kScan : State::kServerBanner;
}

void ConnectionDecoder::feed(Dir d, std::span<const uint8_t> bytes) {
  Side& s = side(d);
  s.fed += bytes.size();
  if (s.state == State::kFailed) {
    s.skipped += bytes.size();
    if (!bytes.empty()) s.dropped_while_failed = true;
    return;
  }
  if (bytes.empty()) return;
  s.ext = bytes;
  run(d);
  if (!s.ext.empty()) {
    // What is left belongs to an item that is incomplete (or waits for the other direction).
    if (s.head == s.buf.size()) {
      s.buf.clear();
      s.head = 0;
    }
    s.buf.insert(s.buf.end(), s.ext.begin(), s.ext.end());
    s.ext = {};
  }
  pump();
}

std::optional<Item> ConnectionDecoder::poll() {
  if (items_.empty()) return std::nullopt;
  Item it = items_.take_front();
  return it;
}

std::optional<StreamError> ConnectionDecoder::poll_error() {
  if (errors_.empty()) return std::nullopt;
  StreamError e = std::move(errors_.front());
  errors_.pop_front();
  return e;
}

void ConnectionDecoder::resync(Dir d) {
  Side& s = side(d);
  const size_t held = s.buf.size() - s.head;
  if (s.state == State::kFailed && !s.dropped_while_failed && held > 0) {
    // The bytes after the failed item's first byte are contiguous: scan them.
    consume(s, 1);
    s.skipped += 1;
  } else {
    s.skipped += held;
    s.buf.clear();
    s.head = 0;
    s.pos = s.fed;
  }
  s.dropped_while_failed = false;
  s.state = State::kScan;
  pump();
}

void ConnectionDecoder::assume_features(uint64_t features) {
  facts_.features = features;
  facts_.msg_auth_footer = uses_msg_auth_footer(features);
  pump();
}

void ConnectionDecoder::pump() {
  for (;;) {
    const bool a = run(Dir::kClientToServer);
    const bool b = run(Dir::kServerToClient);
    if (!a && !b) break;
  }
}

void ConnectionDecoder::consume(Side& s, size_t n) {
  if (s.head < s.buf.size()) {
    s.head += n;
    if (s.head >= s.buf.size()) {
      s.buf.clear();
      s.head = 0;
    } else if (s.head >= (64u << 10) && s.head * 2 >= s.buf.size()) {
      s.buf.erase(s.buf.begin(), s.buf.begin() + static_cast<std::ptrdiff_t>(s.head));
      s.head = 0;
    }
  } else {
    s.ext = s.ext.subspan(n);
  }
  s.pos += n;
}

bool ConnectionDecoder::run(Dir d) {
  Side& s = side(d);
  if (s.running) return false;
  s.running = true;
  bool progress = false;
  while (s.state != State::kFailed) {
    const bool from_buf = s.head < s.buf.size();
    std::span<const uint8_t> view =
        from_buf ? std::span<const uint8_t>(s.buf).subspan(s.head) : s.ext;
    const StepResult r = step(d, view);
    if (r.step == Step::kProgress) {
      progress = true;
      continue;
    }
    if (r.step == Step::kFailed) {
      progress = true;
      break;
    }
    if (r.step == Step::kNeedMore && from_buf && !s.ext.empty()) {
      // Move just enough of the fed bytes behind the buffered partial item.
      const size_t want = r.need > view.size() ? r.need - view.size() : 1;
      const size_t take = std::min(want, s.ext.size());
      reserve_for_item(s.buf, s.head + r.need, take);
      s.buf.insert(s.buf.end(), s.ext.begin(), s.ext.begin() + static_cast<std::ptrdiff_t>(take));
      s.ext = s.ext.subspan(take);
      continue;
    }
    break;  // need more bytes than fed, or blocked on the other direction
  }
  s.running = false;
  return progress;
}

ConnectionDecoder::StepResult ConnectionDecoder::fail(Dir d, DecodeError e) {
  Side& s = side(d);
  errors_.push_back(StreamError{d, s.pos, std::move(e)});
  s.state = State::kFailed;
  return {Step::kFailed};
}

template <class T>
ConnectionDecoder::StepResult ConnectionDecoder::emit(Dir d, std::span<const uint8_t> view,
                                                      size_t len, T proto, const char* root) {
  Side& s = side(d);
  Item item;
  item.dir = d;
  item.begin = s.pos;
  item.end = s.pos + len;
  item.raw.assign(view.begin(), view.begin() + static_cast<std::ptrdiff_t>(len));
  auto r = decode_into(std::move(proto), item.raw, root, s.pos);
  if (!r) return fail(d, std::move(r.error()));
  item.frame = std::move(*r);
  consume(s, len);
  const bool fact = after_item(d, item);
  items_.push_back(std::move(item));
  if (fact) run(other(d));  // the other direction may have been waiting for this
  return {Step::kProgress};
}

ConnectionDecoder::StepResult ConnectionDecoder::emit_message(Dir d,
                                                              std::span<const uint8_t> view,
                                                              size_t len, bool msg_auth) {
  Side& s = side(d);
  Item item;
  item.dir = d;
  item.begin = s.pos;
  item.end = s.pos + len;
  // A message that was gathered in the buffer and fills it exactly (a large message that
  // arrived in many segments) is decoded in place and the buffer becomes the item's bytes
  // (moving a vector keeps its storage, so the decoded views stay valid): no second copy.
  const bool whole_buffer =
      !s.buf.empty() && s.head == 0 && view.data() == s.buf.data() && len == s.buf.size();
  if (!whole_buffer) item.raw = pool_.copy_of(view.first(len));
  MessageFrameOptions o;
  o.msg_auth_footer = msg_auth;
  o.verify_crc = opts_.verify_crc;
  o.base = s.pos;
  o.root = kRootMessage;
  auto r = decode_message_frame(whole_buffer ? std::span<const uint8_t>(s.buf)
                                             : std::span<const uint8_t>(item.raw),
                                o);
  if (!r) return fail(d, std::move(r.error()));
  item.crc_ok = r->crc_ok;
  Message m;
  m.frame = std::move(r->frame);
  m.parts = m.frame.parts();
  item.frame = std::move(m);
  if (whole_buffer) {
    item.raw = std::move(s.buf);
    s.buf.clear();
    s.head = 0;
    s.pos += len;
  } else {
    consume(s, len);
  }
  const bool fact = after_item(d, item);
  items_.push_back(std::move(item));
  if (fact) run(other(d));  // the other direction may have been waiting for this
  return {Step::kProgress};
}

bool ConnectionDecoder::after_item(Dir d, const Item& item) {
  Side& s = side(d);
  const bool c2s = d == Dir::kClientToServer;
  bool fact = false;
  if (const auto* b = std::get_if<ClientBanner>(&item.frame)) {
    facts_.client_addr = b->addr;
    s.state = State::kConnect;
  } else if (const auto* b = std::get_if<ServerBanner>(&item.frame)) {
    facts_.server_addr = b->addr;
    facts_.client_addr_seen_by_server = b->peer_addr_for_you;
    s.state = State::kConnectReply;
  } else if (const auto* c = std::get_if<Connect>(&item.frame)) {
    facts_.connects.push_back(c->connect);
    ++s.handshakes;
    s.state = State::kAwaitReply;
    fact = true;
  } else if (const auto* r = std::get_if<ConnectReply>(&item.frame)) {
    facts_.replies.push_back(r->reply);
    const size_t idx = s.handshakes++;
    if (r->reply.tag == kTagSeq || r->reply.tag == kTagReady) {
      if (!facts_.accepted) facts_.accepted = idx;
      s.state = r->reply.tag == kTagSeq ? State::kSeq : State::kOpen;
    } else {
      s.state = State::kConnectReply;
    }
    fact = true;
  } else if (const auto* q = std::get_if<SeqExchange>(&item.frame)) {
    (c2s ? facts_.client_in_seq : facts_.server_in_seq) = q->seq;
    s.state = State::kOpen;
  } else if (const auto* m = std::get_if<Message>(&item.frame)) {
    (c2s ? facts_.client_name : facts_.server_name) = m->frame.header.src;
  } else if (std::holds_alternative<TagClose>(item.frame)) {
    s.state = State::kClosed;
  }
  if (fact) update_features();
  return fact;
}

void ConnectionDecoder::update_features() {
  if (!facts_.accepted) return;
  const size_t k = *facts_.accepted;
  if (k >= facts_.connects.size() || k >= facts_.replies.size()) return;
  const uint64_t f = negotiated_features(facts_.connects[k], facts_.replies[k]);
  facts_.features = f;
  facts_.msg_auth_footer = uses_msg_auth_footer(f);
}

ConnectionDecoder::StepResult ConnectionDecoder::step(Dir d, std::span<const uint8_t> view) {
  Side& s = side(d);
  switch (s.state) {
    case State::kClientBanner:
    case State::kServerBanner: {
      const bool client = s.state == State::kClientBanner;
      const size_t len = client ? kClientBannerLen : kServerBannerLen;
      if (view.size() < len) {
        // Say early that this is not msgr v1 (e.g. a "ceph v2\n" banner): the peer may wait
        // for our answer forever instead of sending the rest.
        if (auto i = banner_mismatch(view)) {
          return fail(d, DecodeError{ErrorKind::kBadBanner,
                                     std::string(client ? kRootClientBanner : kRootServerBanner) +
                                         ".banner",
                                     s.pos + *i, banner_mismatch_detail(*i)});
        }
        return {Step::kNeedMore, len};
      }
      if (client) return emit(d, view, len, ClientBanner{}, kRootClientBanner);
      return emit(d, view, len, ServerBanner{}, kRootServerBanner);
    }
    case State::kConnect:
    case State::kConnectReply: {
      const bool connect = s.state == State::kConnect;
      const size_t fixed = connect ? kConnectLen : kConnectReplyLen;
      if (view.size() < fixed) return {Step::kNeedMore, fixed};
      const uint32_t alen = le32_at(view, connect ? 28 : 21);
      const size_t len = fixed + alen;
      if (alen > kMaxAuthorizerLen || view.size() < len) {
        // Let the typed decoder report a bad tag or an oversized authorizer now.
        Result<bool> probe = connect ? decode_as<Connect>(view.first(fixed), kRootConnect, s.pos)
                                           .map([](auto&&) { return true; })
                                     : decode_as<ConnectReply>(view.first(fixed),
                                                               kRootConnectReply, s.pos)
                                           .map([](auto&&) { return true; });
        if (!probe && probe.error().kind != ErrorKind::kTruncated)
          return fail(d, std::move(probe.error()));
        if (view.size() < len) return {Step::kNeedMore, len};
      }
      if (connect) return emit(d, view, len, Connect{}, kRootConnect);
      return emit(d, view, len, ConnectReply{}, kRootConnectReply);
    }
    case State::kAwaitReply: {
      const size_t k = s.handshakes - 1;  // the connect waiting for its reply
      if (facts_.replies.size() <= k) return {Step::kBlocked};
      const uint8_t tag = facts_.replies[k].tag;
      s.state = tag == kTagSeq ? State::kSeq : tag == kTagReady ? State::kOpen : State::kConnect;
      return {Step::kProgress};
    }
    case State::kSeq:
      if (view.size() < 8) return {Step::kNeedMore, 8};
      return emit(d, view, 8, SeqExchange{}, kRootSeq);
    case State::kOpen:
      return step_open(d, view);
    case State::kClosed:
      if (view.empty()) return {Step::kNeedMore, 1};
      return fail(d, DecodeError{ErrorKind::kTrailingBytes, "TagClose", s.pos,
                                 "bytes after CEPH_MSGR_TAG_CLOSE"});
    case State::kScan:
      return step_scan(d, view);
    case State::kFailed:
      return {Step::kBlocked};
  }
  return {Step::kBlocked};
}

ConnectionDecoder::StepResult ConnectionDecoder::step_open(Dir d, std::span<const uint8_t> view) {
  if (view.empty()) return {Step::kNeedMore, 1};
  const uint8_t tag = view[0];
  switch (tag) {
    case kTagMsg:
      return step_message(d, view);
    case kTagClose:
      return emit(d, view, 1, TagClose{}, "TagClose");
    case kTagKeepalive:
      return emit(d, view, 1, TagKeepalive{}, "TagKeepalive");
    case kTagKeepalive2:
      if (view.size() < 9) return {Step::kNeedMore, 9};
      return emit(d, view, 9, TagKeepalive2{}, "TagKeepalive2");
    case kTagKeepalive2Ack:
      if (view.size() < 9) return {Step::kNeedMore, 9};
      return emit(d, view, 9, TagKeepalive2Ack{}, "TagKeepalive2Ack");
    case kTagAck:
      if (view.size() < 9) return {Step::kNeedMore, 9};
      return emit(d, view, 9, TagAck{}, "TagAck");
    default: {
      const char* name = tag_name(tag);
      return fail(d, DecodeError{ErrorKind::kBadValue, "tag", side(d).pos,
                                 "tag " + std::to_string(tag) + (name ? std::string(" (") + name + ")" : "") +
                                     " is not valid after the handshake (ProtocolV1::"
                                     "handle_message accepts MSG, ACK, KEEPALIVE, KEEPALIVE2, "
                                     "KEEPALIVE2_ACK, CLOSE)"});
    }
  }
}

ConnectionDecoder::StepResult ConnectionDecoder::step_message(Dir d,
                                                              std::span<const uint8_t> view) {
  Side& s = side(d);
  constexpr size_t kHead = 1 + kHeaderLen;
  if (view.size() < kHead) return {Step::kNeedMore, kHead};
  auto h = view.subspan(1, kHeaderLen);
  if (opts_.verify_crc) {
    const uint32_t computed = header_crc(h);
    const uint32_t wire = le32_at(h, ceph_msg_header::kOffCrc);
    if (computed != wire)
      return fail(d, DecodeError{ErrorKind::kBadCrc, std::string(kRootMessage) + ".header.crc",
                                 s.pos + 1 + ceph_msg_header::kOffCrc,
                                 "computed " + std::to_string(computed) + ", wire says " +
                                     std::to_string(wire)});
  }
  const uint32_t front = le32_at(h, ceph_msg_header::kOffFrontLen);
  const uint32_t middle = le32_at(h, ceph_msg_header::kOffMiddleLen);
  const uint32_t data = le32_at(h, ceph_msg_header::kOffDataLen);
  if (front > kMaxFrontLen || middle > kMaxMiddleLen || data > kMaxDataLen) {
    // The typed decoder names the field and the limit.
    MessageFrame proto;
    auto r = decode_into(proto, view.first(kHead), kRootMessage, s.pos);
    return fail(d, r ? DecodeError{ErrorKind::kLengthTooLarge, kRootMessage, s.pos, ""}
                     : std::move(r.error()));
  }
  const size_t body = kHead + size_t{front} + middle + data;

  // The footer size follows from the negotiated features. Without them (midstream) each
  // direction infers it from its own bytes: taking the other direction's inference would make
  // the result depend on which direction happened to be decoded first.
  std::optional<bool> msg_auth =
      facts_.features ? std::optional<bool>(uses_msg_auth_footer(*facts_.features))
                      : s.msg_auth_inferred;
  if (!msg_auth) {
    // The negotiated features are not known yet. After a handshake they will be (the
    // accepted reply's connect is still to come from the other direction): wait for it.
    if (facts_.accepted) return {Step::kBlocked};
    // Midstream (no handshake seen): infer the footer size from the bytes. With MSG_AUTH the
    // old footer's flags byte would be the low byte of sig (0 under auth none: no COMPLETE).
    if (view.size() < body + kFooterOldLen) return {Step::kNeedMore, body + kFooterOldLen};
    const bool ok13 = footer_flags_ok(view[body + kFooterOldLen - 1]);
    if (!ok13) {
      if (view.size() < body + kFooterLen) return {Step::kNeedMore, body + kFooterLen};
      if (!footer_flags_ok(view[body + kFooterLen - 1]))
        return fail(d, DecodeError{ErrorKind::kBadValue, std::string(kRootMessage) + ".footer.flags",
                                   s.pos + body, "neither footer size (21 or 13) ends in "
                                                 "flags with CEPH_MSG_FOOTER_COMPLETE"});
      msg_auth = true;
    } else {
      if (view.size() < body + kFooterLen) return {Step::kNeedMore, body + kFooterLen};
      if (!footer_flags_ok(view[body + kFooterLen - 1])) {
        msg_auth = false;
      } else {
        const PlausResult c13 = chain_plausible(view, body + kFooterOldLen, kScanChain);
        const PlausResult c21 = chain_plausible(view, body + kFooterLen, kScanChain);
        if (c13.p == Plaus::kNeedMore || c21.p == Plaus::kNeedMore)
          return {Step::kNeedMore, std::max(c13.need, c21.need)};
        if ((c13.p == Plaus::kYes) == (c21.p == Plaus::kYes))
          return fail(d, DecodeError{ErrorKind::kBadValue,
                                     std::string(kRootMessage) + ".footer", s.pos + body,
                                     "cannot tell a 21-byte from a 13-byte footer midstream; "
                                     "use assume_features()"});
        msg_auth = c21.p == Plaus::kYes;
      }
    }
    s.msg_auth_inferred = msg_auth;
    if (!facts_.msg_auth_footer) facts_.msg_auth_footer = msg_auth;
  }
  const size_t len = body + (*msg_auth ? kFooterLen : kFooterOldLen);
  if (view.size() < len) return {Step::kNeedMore, len};
  return emit_message(d, view, len, *msg_auth);
}

ConnectionDecoder::StepResult ConnectionDecoder::step_scan(Dir d, std::span<const uint8_t> view) {
  Side& s = side(d);
  size_t p = 0;
  for (; p < view.size(); ++p) {
    const PlausResult r = chain_plausible(view, p, kScanChain);
    if (r.p == Plaus::kNo) continue;
    if (p > 0) break;  // skip what lies before it, then look again from there
    if (r.p == Plaus::kYes) {
      s.state = State::kOpen;
      return {Step::kProgress};
    }
    return {Step::kNeedMore, r.need};  // undecidable until more bytes arrive
  }
  if (p == 0) return {Step::kNeedMore, 1};
  s.skipped += p;
  consume(s, p);
  return {Step::kProgress};
}

}  // namespace cephwire::codec::msgr1
