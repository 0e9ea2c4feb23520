#include "codec/msgr2/connection_decoder.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "codec/crc32c.h"

namespace cephwire::codec::msgr2 {
namespace {

uint32_t le32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint16_t le16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

constexpr uint32_t bit(Tag t) { return 1u << static_cast<uint8_t>(t); }

constexpr uint32_t kReadyTags =
    bit(Tag::kMessage) | bit(Tag::kKeepAlive2) | bit(Tag::kKeepAlive2Ack) | bit(Tag::kAck);

const char* phase_name(int p) {
  static const char* kNames[] = {"banner",  "hello",        "auth",  "auth_more",
                                 "auth_wait", "auth_signature", "session", "session_sent",
                                 "ready",   "any",          "scan"};
  return kNames[p];
}

enum class Probe { kNeedMore, kRev0, kRev1, kNeither };

// Which framing revision the frame at the start of `b` (whose preamble checked out) uses, told by
// where segment 0's crc is: right after segment 0 (rev1) or in the rev0 epilogue.
Probe probe_rev(const preamble_block_t& p, std::span<const uint8_t> b) {
  const uint32_t len0 = p.segments[0].length;
  if (len0 == 0) return Probe::kNeither;
  const size_t r1 = kPreambleSize + len0 + kCrcSize;
  if (b.size() < r1) return Probe::kNeedMore;
  const uint32_t crc0 = ceph_crc32c(0xFFFFFFFFu, b.data() + kPreambleSize, len0);
  if (le32(b.data() + kPreambleSize + len0) == crc0) return Probe::kRev1;
  uint64_t sum = 0;
  for (size_t i = 0; i < p.num_segments; ++i) sum += p.segments[i].length;
  const uint64_t r0 = kPreambleSize + sum + kEpilogueRev0Size;
  if (b.size() < r0) return Probe::kNeedMore;
  if (le32(b.data() + kPreambleSize + sum + 1) == crc0) return Probe::kRev0;
  return Probe::kNeither;
}

}  // namespace

// ---- Item ------------------------------------------------------------------------------------

std::string_view Item::kind() const {
  if (banner()) return "banner";
  return frame()->kind();
}

std::vector<uint8_t> Item::encode() const {
  if (const Banner* b = banner()) return encode_to_vector(*b);
  return frame()->encode();
}
void Item::encode_into(std::vector<uint8_t>& out) const {
  if (const Banner* b = banner()) {
    out.clear();
    encode_append(*b, out);
    return;
  }
  frame()->encode_into(out);
}

void Item::dump(JsonWriter& w) const {
  w.begin_object();
  w.kv("dir", to_string(dir));
  w.kv("begin", begin);
  w.kv("end", end);
  w.kv("kind", kind());
  w.kv("crc_ok", crc_ok);
  if (const Banner* b = banner()) {
    w.key("banner");
    dump_json(*b, w);
  } else {
    w.key("frame");
    frame()->dump(w);
  }
  w.end_object();
}

// ---- ConnectionDecoder -------------------------------------------------------------------------

ConnectionDecoder::ConnectionDecoder(DecoderOptions opts) : opts_(opts) {
  if (opts_.midstream) {
    c2s_.phase = Phase::kScan;
    s2c_.phase = Phase::kScan;
  }
}

std::optional<Item> ConnectionDecoder::poll() {
  if (items_.empty()) return std::nullopt;
  std::optional<Item> it(items_.take_front());
  return it;
}

std::optional<StreamError> ConnectionDecoder::poll_error() {
  if (errors_.empty()) return std::nullopt;
  StreamError e = std::move(errors_.front());
  errors_.pop_front();
  return e;
}

std::optional<uint64_t> ConnectionDecoder::negotiated_features() const {
  if (!c2s_.features || !s2c_.features) return std::nullopt;
  return *c2s_.features & *s2c_.features;
}

entity_name_t ConnectionDecoder::peer_name(Dir d) const {
  const DirState& s = st(d);
  if (s.name_hint) return *s.name_hint;
  entity_name_t n;
  n.type = s.entity_type.value_or(0);
  n.num = s.gid.value_or(-1);
  return n;
}

bool ConnectionDecoder::ready(Dir d) const { return st(d).phase == Phase::kReady; }

void ConnectionDecoder::fail(Dir d, uint64_t at, DecodeError e) {
  DirState& s = st(d);
  if (s.stopped) return;
  s.stopped = true;
  errors_.push_back(StreamError{d, at, std::move(e)});
  ++version_;
}

void ConnectionDecoder::feed(Dir d, std::span<const uint8_t> bytes) {
  DirState& s = st(d);
  s.fed += bytes.size();
  if (bytes.empty()) return;
  if (s.stopped) {
    if (s.lost) return;
    const size_t room = kMaxStoppedBuffer > s.buf.size() ? kMaxStoppedBuffer - s.buf.size() : 0;
    const size_t take = std::min(room, bytes.size());
    s.buf.insert(s.buf.end(), bytes.begin(), bytes.begin() + take);
    if (take < bytes.size()) s.lost = true;
    return;
  }
  if (s.buf.empty()) {
    // Fast path: decode complete items straight from the caller's bytes, keep only the tail.
    s.partial = 0;
    const size_t used = pump(d, bytes);
    s.base += used;
    s.buf.clear();
    if (used < bytes.size()) reserve_for_item(s.buf, s.partial, bytes.size() - used);
    s.buf.insert(s.buf.end(), bytes.begin() + static_cast<std::ptrdiff_t>(used), bytes.end());
  } else {
    reserve_for_item(s.buf, s.partial, bytes.size());
    s.buf.insert(s.buf.end(), bytes.begin(), bytes.end());
    drain(d);
  }
  settle();
}

void ConnectionDecoder::drain(Dir d) {
  DirState& s = st(d);
  s.partial = 0;
  const size_t used = pump(d, s.buf);
  if (s.buf_taken) {
    // The buffer held exactly one frame and became its item's bytes.
    s.buf_taken = false;
    s.buf.clear();
    s.base += used;
    return;
  }
  if (used) {
    s.buf.erase(s.buf.begin(), s.buf.begin() + static_cast<std::ptrdiff_t>(used));
    s.base += used;
  }
}

void ConnectionDecoder::settle() {
  // A fact learned in one direction can unblock the other; repeat until nothing changes.
  for (;;) {
    const uint64_t v = version_;
    drain(Dir::kClientToServer);
    drain(Dir::kServerToClient);
    if (v == version_) break;
  }
}

void ConnectionDecoder::resync(Dir d) {
  DirState& s = st(d);
  if (s.lost) {
    // The kept bytes are not contiguous with what comes next: skip all of it.
    s.skipped += s.fed - s.base;
    s.base = s.fed;
    s.buf.clear();
    s.lost = false;
  } else if (!s.buf.empty()) {
    // Drop the start of the partial or failed item so it is not found again.
    s.buf.erase(s.buf.begin());
    s.base += 1;
    s.skipped += 1;
  }
  s.stopped = false;
  s.phase = Phase::kScan;
  s.auth_requests = 0;
  ++version_;
  settle();
}

bool ConnectionDecoder::scan(Dir d, std::span<const uint8_t> rest, uint64_t at, size_t* skip) {
  // A capture that does start at the banner.
  if (at == 0 && rest.size() >= Banner::kPrefixSize &&
      std::memcmp(rest.data(), "ceph v2\n", Banner::kPrefixSize) == 0) {
    *skip = 0;
    st(d).phase = Phase::kBanner;
    return true;
  }
  for (size_t p = 0;; ++p) {
    if (rest.size() - p < kPreambleSize) {
      *skip = p;
      return false;
    }
    const auto cand = rest.subspan(p);
    // Most offsets fail the preamble CRC: reject them without building an error value.
    if (!preamble_crc_matches(cand)) continue;
    bool crc_ok = true;
    auto pre = check_preamble(cand.first(kPreambleSize), true, &crc_ok, limits_);
    if (!pre) continue;
    bool unused_zero = true;
    for (size_t i = pre->num_segments; i < kMaxNumSegments; ++i)
      unused_zero &= pre->segments[i] == segment_t{};
    if (!unused_zero) continue;
    DirState& s = st(d);
    if (!rev_ && !s.inferred_rev) {
      const Probe r = probe_rev(*pre, cand);
      if (r == Probe::kNeedMore) {
        *skip = p;
        return false;
      }
      if (r == Probe::kNeither) continue;
      s.inferred_rev = r == Probe::kRev1 ? Rev::kRev1 : Rev::kRev0;
    }
    *skip = p;
    st(d).phase = Phase::kAny;
    return true;
  }
}

std::optional<Rev> ConnectionDecoder::frame_rev(Dir d) const {
  if (rev_) return rev_;
  // A direction that scanned uses its own inference. One that started at its banner (the other
  // did not) waits for the other's inference: a function of the other's bytes only.
  if (st(d).inferred_rev) return st(d).inferred_rev;
  return st(other(d)).inferred_rev;
}

bool ConnectionDecoder::tag_allowed(Dir d, Phase phase, Tag tag) const {
  uint32_t ok = 0;
  if (d == Dir::kClientToServer) {
    switch (phase) {
      case Phase::kHello: ok = bit(Tag::kHello); break;
      case Phase::kAuth: ok = bit(Tag::kAuthRequest); break;
      case Phase::kAuthMore: ok = bit(Tag::kAuthRequestMore); break;
      case Phase::kSign: ok = bit(Tag::kAuthSignature); break;
      case Phase::kSession: ok = bit(Tag::kClientIdent) | bit(Tag::kSessionReconnect); break;
      case Phase::kSessionSent:
        ok = bit(Tag::kClientIdent) | bit(Tag::kSessionReconnect) | kReadyTags;
        break;
      case Phase::kReady: ok = kReadyTags; break;
      case Phase::kAny: ok = ~0u; break;
      default: ok = 0; break;
    }
  } else {
    switch (phase) {
      case Phase::kHello: ok = bit(Tag::kHello); break;
      case Phase::kAuth:
        ok = bit(Tag::kAuthBadMethod) | bit(Tag::kAuthReplyMore) | bit(Tag::kAuthDone);
        break;
      case Phase::kSign: ok = bit(Tag::kAuthSignature); break;
      case Phase::kSession:
        ok = bit(Tag::kServerIdent) | bit(Tag::kIdentMissingFeatures) | bit(Tag::kWait) |
             bit(Tag::kSessionReset) | bit(Tag::kSessionRetry) | bit(Tag::kSessionRetryGlobal) |
             bit(Tag::kSessionReconnectOk);
        break;
      case Phase::kReady: ok = kReadyTags; break;
      case Phase::kAny: ok = ~0u; break;
      default: ok = 0; break;
    }
  }
  return (ok & bit(tag)) != 0;
}

void ConnectionDecoder::on_banners(Dir d, uint64_t at) {
  const Banner& c = *c2s_.banner;
  const Banner& s = *s2c_.banner;
  rev_ = c.rev1() && s.rev1() ? Rev::kRev1 : Rev::kRev0;
  // _handle_peer_banner_payload: each side stops unless our required ⊆ peer supported and
  // peer required ⊆ our supported. Required bits other than REVISION_1 (e.g. COMPRESSION)
  // would change the framing in ways this codec does not know.
  std::string why;
  if ((c.required & ~s.supported) || (s.required & ~c.supported))
    why = "peer does not support all required msgr2 features";
  else if ((c.required | s.required) & ~kFeatureRevision1)
    why = "required msgr2 features beyond REVISION_1 are not supported";
  if (!why.empty()) {
    fail(d, at, DecodeError{ErrorKind::kUnsupported, "banner.required", 0, why});
    fail(other(d), st(other(d)).base,
         DecodeError{ErrorKind::kUnsupported, "banner.required", 0, why});
  }
}

void ConnectionDecoder::on_frame(Dir d, Frame& f, uint64_t end) {
  DirState& s = st(d);
  const bool any = s.phase == Phase::kAny;
  auto go = [&](Phase p) {
    if (!any) s.phase = p;
  };
  std::visit(
      [&](auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, HelloFrame>) {
          s.entity_type = p.entity_type;
          go(Phase::kAuth);
        } else if constexpr (std::is_same_v<T, AuthRequestFrame> ||
                             std::is_same_v<T, AuthRequestMoreFrame>) {
          ++s.auth_requests;
          go(Phase::kAuthWait);
        } else if constexpr (std::is_same_v<T, AuthBadMethodFrame> ||
                             std::is_same_v<T, AuthReplyMoreFrame>) {
          s.auth_replies.push_back(static_cast<uint8_t>(T::kTag));
        } else if constexpr (std::is_same_v<T, AuthDoneFrame>) {
          s.auth_replies.push_back(static_cast<uint8_t>(T::kTag));
          global_id_ = p.global_id;
          con_mode_ = p.con_mode;
          go(Phase::kSign);
          if (p.con_mode == kConModeSecure) {
            fail(d, end,
                 DecodeError{ErrorKind::kUnsupported, "auth_done.con_mode", 0,
                             "secure mode not supported"});
            // The client's frames after its last auth request are encrypted too; a client
            // direction decoded without this ordering (mid-stream) is stopped here.
            DirState& c = st(other(d));
            if (c.phase == Phase::kAny)
              fail(other(d), c.base,
                   DecodeError{ErrorKind::kUnsupported, "auth_done.con_mode", 0,
                               "secure mode not supported"});
          }
        } else if constexpr (std::is_same_v<T, AuthSignatureFrame>) {
          go(Phase::kSession);
        } else if constexpr (std::is_same_v<T, ClientIdentFrame>) {
          s.gid = p.gid;
          s.features = p.supported_features;
          go(Phase::kSessionSent);
        } else if constexpr (std::is_same_v<T, ReconnectFrame>) {
          go(Phase::kSessionSent);
        } else if constexpr (std::is_same_v<T, ServerIdentFrame>) {
          s.gid = p.gid;
          s.features = p.supported_features;
          lossy_ = (p.flags & kIdentFlagLossy) != 0;
          go(Phase::kReady);
        } else if constexpr (std::is_same_v<T, ReconnectOkFrame>) {
          go(Phase::kReady);
        } else if constexpr (std::is_same_v<T, MessageFrame>) {
          p.parts.src = peer_name(d);
          go(Phase::kReady);
        } else if constexpr (std::is_same_v<T, KeepAliveFrame> ||
                             std::is_same_v<T, KeepAliveFrameAck> ||
                             std::is_same_v<T, AckFrame>) {
          go(Phase::kReady);
        }
      },
      f.payload);
}

size_t ConnectionDecoder::pump(Dir d, std::span<const uint8_t> avail) {
  DirState& s = st(d);
  size_t pos = 0;
  while (!s.stopped) {
    const std::span<const uint8_t> rest = avail.subspan(pos);
    const uint64_t at = s.base + pos;

    if (s.phase == Phase::kScan) {
      size_t skip = 0;
      const bool found = scan(d, rest, at, &skip);
      pos += skip;
      s.skipped += skip;
      if (!found) break;
      ++version_;
      continue;
    }

    if (s.phase == Phase::kBanner) {
      if (rest.size() < Banner::kFixedSize) break;
      const uint16_t plen = le16(rest.data() + Banner::kPrefixSize);
      const bool head_ok = std::memcmp(rest.data(), "ceph v2\n", Banner::kPrefixSize) == 0 &&
                           plen >= Banner::kMinPayload;
      const size_t need = Banner::kFixedSize + plen;
      if (head_ok && rest.size() < need) break;
      auto b = decode_as<Banner>(rest.first(head_ok ? need : Banner::kFixedSize), "banner");
      if (!b) {
        fail(d, at, std::move(b.error()));
        break;
      }
      Item item;
      item.dir = d;
      item.begin = at;
      item.end = at + need;
      item.raw.assign(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(need));
      Banner own = *b;
      own.extra = own.extra.owned();
      s.banner = std::move(own);
      Banner view = *b;
      view.extra = Bytes::view(std::span<const uint8_t>(item.raw).subspan(Banner::kFixedSize + 16));
      item.body = std::move(view);
      items_.push_back(std::move(item));
      pos += need;
      s.phase = Phase::kHello;
      ++version_;
      if (c2s_.banner && s2c_.banner) on_banners(d, at + need);
      continue;
    }

    if (s.phase == Phase::kAuthWait) {
      // The client's next frame depends on the server's answer to its last auth request.
      const DirState& srv = st(other(d));
      if (srv.auth_replies.size() < s.auth_requests) break;
      const Tag reply = static_cast<Tag>(srv.auth_replies[s.auth_requests - 1]);
      ++version_;
      if (reply == Tag::kAuthBadMethod) {
        s.phase = Phase::kAuth;
      } else if (reply == Tag::kAuthReplyMore) {
        s.phase = Phase::kAuthMore;
      } else {
        s.phase = Phase::kSign;
        if (con_mode_ == kConModeSecure) {
          fail(d, at,
               DecodeError{ErrorKind::kUnsupported, "auth_done.con_mode", 0,
                           "secure mode not supported"});
          break;
        }
      }
      continue;
    }

    // A frame: the framing revision needs both banners (or an inference after resync).
    const std::optional<Rev> rev = frame_rev(d);
    if (!rev) break;
    if (rest.size() < kPreambleSize) break;
    bool crc_ok = true;
    auto pre = check_preamble(rest.first(kPreambleSize), opts_.verify_crc, &crc_ok, limits_);
    if (!pre) {
      fail(d, at, std::move(pre.error()));
      break;
    }
    const uint64_t size = frame_onwire_size(*pre, *rev);
    if (rest.size() < size) {
      s.partial = size;  // checked against limits_ by check_preamble
      break;
    }

    Item item;
    item.dir = d;
    item.begin = at;
    item.end = at + size;
    // A frame that fills the reassembly buffer exactly (a large frame gathered from many
    // segments) is decoded in place and then takes the buffer as its bytes: moving a vector
    // keeps its storage, so the decoded views stay valid and nothing is copied a second time.
    const bool take_buf =
        pos == 0 && !s.buf.empty() && avail.data() == s.buf.data() && size == s.buf.size();
    if (!take_buf) item.raw = pool_.copy_of(rest.first(size));
    const std::span<const uint8_t> bytes = take_buf ? rest.first(size) : std::span<const uint8_t>(item.raw);
    Frame& fr = item.body.emplace<Frame>();
    auto ok = decode_frame_into(bytes, *rev, opts_.verify_crc, fr, &item.crc_ok, limits_);
    if (!ok) {
      fail(d, at, std::move(ok.error()));
      break;
    }
    if (!fr.aborted() && !tag_allowed(d, s.phase, fr.tag())) {
      fail(d, at,
           DecodeError{ErrorKind::kBadValue, "preamble.tag", 0,
                       std::string(tag_name(fr.tag())) + " frame not expected in state " +
                           phase_name(static_cast<int>(s.phase)) + " of " +
                           std::string(to_string(d))});
      break;
    }
    if (!fr.aborted()) on_frame(d, fr, at + size);
    if (take_buf) {
      item.raw = std::move(s.buf);
      s.buf = {};
      s.buf_taken = true;
    }
    items_.push_back(std::move(item));
    pos += size;
    ++version_;
  }
  return pos;
}

}  // namespace cephwire::codec::msgr2
