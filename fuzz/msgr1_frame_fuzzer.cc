// msgr v1 items one at a time (codec/msgr1): byte 0 picks what the rest is decoded as
//   kind = byte0 % 12: 0 ClientBanner, 1 ServerBanner, 2 Connect (+authorizer), 3 ConnectReply
//   (+authorizer reply), 4 the TAG_SEQ le64, 5 CLOSE, 6 KEEPALIVE, 7 KEEPALIVE2, 8 KEEPALIVE2_ACK,
//   9 ACK, 10 MSG frame with the 21-byte footer (MSG_AUTH), 11 MSG frame with the old footer;
//   byte0 & 0x80: lenient CRCs (verify_crc = false).
// Properties: no crash; errors point inside the input; what decodes re-encodes to the same
// bytes and decodes again to an equal value; valid JSON (every input in the replay tests, a
// hash-chosen sample under libFuzzer: check_json_for in fuzz_util.h); for MSG frames crc_ok
// agrees with check_message_crcs, strict decoding never reports crc_ok = false, parts() mirrors
// the header, and a canonical frame (good CRCs, reserved 0, footer COMPLETE, sig 0) is exactly
// what encode_message(parts, src) writes.
// Mutator: decode leniently, mutate a field (header fields, lengths, versions, tags, flags,
// addresses, authorizers) or a segment, fix the lengths and recompute all CRCs (mostly), and
// re-encode; LLVMFuzzerMutate for what does not decode.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "codec/crc32c.h"
#include "codec/msgr1/banner.h"
#include "codec/msgr1/ceph_msg_connect.h"
#include "codec/msgr1/ceph_msg_connect_reply.h"
#include "codec/msgr1/encode.h"
#include "codec/msgr1/message_frame.h"
#include "codec/msgr1/tags.h"
#include "fuzz/fuzz_util.h"
#include "fuzz/mutate.h"

using namespace cephwire;
using namespace cephwire::codec;
using namespace cephwire::codec::msgr1;
using fuzz::Rng;

namespace {

constexpr int kKinds = 12;
constexpr int kMsgAuth = 10, kMsgOld = 11;

// Every input in the replay tests; a hash-chosen sample under libFuzzer (fuzz_util.h).
template <class T>
void check_json(const T& x) {
  thread_local JsonWriter w;  // reused: keeps its capacity between inputs
  w.clear();
  dump_json(x, w);
  FUZZ_CHECK(fuzz::json_valid(w.str()), "invalid JSON " + w.str());
}

template <class T>
void check_struct(std::span<const uint8_t> wire, const char* root, bool json) {
  auto r = decode_as<T>(wire, root);
  if (!r) {
    FUZZ_CHECK(r.error().offset <= wire.size(), r.error().to_string());
    return;
  }
  const std::vector<uint8_t> out = encode_to_vector(*r);
  FUZZ_CHECK(out.size() == wire.size() && std::memcmp(out.data(), wire.data(), out.size()) == 0,
             std::string(root) + " does not re-encode to its bytes");
  FUZZ_CHECK(encoded_size(*r) == wire.size(), "Sizer disagrees with Encoder");
  auto again = decode_as<T>(out, root);
  FUZZ_CHECK(again && *again == *r, std::string(root) + ": decode(encode(x)) != x");
  if (json) check_json(*r);
}

void check_message(std::span<const uint8_t> wire, bool msg_auth, bool verify, bool json) {
  MessageFrameOptions o;
  o.msg_auth_footer = msg_auth;
  o.verify_crc = verify;
  auto r = decode_message_frame(wire, o);
  if (!r) {
    FUZZ_CHECK(r.error().offset <= wire.size(), r.error().to_string());
    if (!verify) FUZZ_CHECK(r.error().kind != ErrorKind::kBadCrc, "lenient decode failed on a crc");
    return;
  }
  const MessageFrame& f = r->frame;
  FUZZ_CHECK(f.old_footer == !msg_auth, "old_footer does not follow the option");
  if (verify) FUZZ_CHECK(r->crc_ok, "strict decode reported crc_ok = false");
  FUZZ_CHECK(f.wire_len() == wire.size(), "wire_len() != bytes decoded");
  const std::vector<uint8_t> out = encode_to_vector(f);
  FUZZ_CHECK(out.size() == wire.size() && std::memcmp(out.data(), wire.data(), out.size()) == 0,
             "MessageFrame does not re-encode to its bytes");
  const auto crc_err = check_message_crcs(f, wire);
  FUZZ_CHECK(crc_err.has_value() == !r->crc_ok, "check_message_crcs disagrees with crc_ok");
  if (crc_err) FUZZ_CHECK(crc_err->offset <= wire.size(), "crc error offset beyond the input");
  auto again = decode_message_frame(out, o);
  FUZZ_CHECK(again && again->frame == f && again->crc_ok == r->crc_ok, "re-decode differs");
  const MessageParts p = f.parts();
  FUZZ_CHECK(p.type == f.header.type && p.version == f.header.version &&
                 p.compat_version == f.header.compat_version && p.seq == f.header.seq &&
                 p.tid == f.header.tid && p.priority == f.header.priority &&
                 p.data_off == f.header.data_off && p.src == f.header.src && p.front == f.front &&
                 p.middle == f.middle && p.data == f.data,
             "parts() does not mirror the frame");
  if (r->crc_ok && f.header.reserved == 0 && f.footer.flags == kFooterComplete &&
      f.footer.sig == 0 && (f.header.compat_version != 0 || f.header.version == 0)) {
    const std::vector<uint8_t> made = encode_message(p, f.header.src, msg_auth);
    FUZZ_CHECK(made == out, "encode_message(parts) differs from a canonical frame");
  }
  if (json) check_json(f);
}

// ---- mutator ------------------------------------------------------------------------------

// Mutator code: not instrumented (see fuzz/mutate.h).
CEPHWIRE_HARNESS_ONLY void fix_message(MessageFrame& f, Rng& rng) {
  if (!rng.one_in(8)) {
    f.header.front_len = static_cast<uint32_t>(f.front.size());
    f.header.middle_len = static_cast<uint32_t>(f.middle.size());
    f.header.data_len = static_cast<uint32_t>(f.data.size());
  }
  if (!rng.one_in(8)) {
    const std::vector<uint8_t> h = encode_to_vector(f.header);
    f.header.crc = header_crc(h);
  }
  if (!rng.one_in(8)) {
    f.footer.front_crc = ceph_crc32c(0, f.front.span());
    f.footer.middle_crc = ceph_crc32c(0, f.middle.span());
    f.footer.data_crc = ceph_crc32c(0, f.data.span());
  }
  if (f.old_footer) f.footer.sig = 0;
}

template <class T>
CEPHWIRE_HARNESS_ONLY bool mutate_struct(std::span<const uint8_t> wire, std::vector<uint8_t>& out,
                                         Rng& rng) {
  auto r = decode_as<T>(wire, "x");
  if (!r) return false;
  fuzz::mutate_fields(*r, rng);
  if constexpr (std::is_same_v<T, Connect>) {
    if (!rng.one_in(8)) {
      if (r->auth_none) {
        r->connect.authorizer_protocol = kAuthNone;
        r->connect.authorizer_len = static_cast<uint32_t>(encoded_size(*r->auth_none));
      } else {
        r->connect.authorizer_len = static_cast<uint32_t>(r->authorizer.size());
      }
    }
  }
  if constexpr (std::is_same_v<T, ConnectReply>) {
    if (!rng.one_in(8))
      r->reply.authorizer_len = static_cast<uint32_t>(r->authorizer_reply.size());
  }
  encode_append(*r, out);
  return true;
}

CEPHWIRE_HARNESS_ONLY bool mutate_message(std::span<const uint8_t> wire, bool msg_auth,
                                          std::vector<uint8_t>& out, Rng& rng) {
  MessageFrameOptions o;
  o.msg_auth_footer = msg_auth;
  o.verify_crc = false;
  auto r = decode_message_frame(wire, o);
  if (!r) return false;
  MessageFrame f = r->frame;
  switch (rng.below(6)) {
    case 0: f.front = fuzz::mutate_bytes(f.front, rng, 2048); break;
    case 1: f.data = fuzz::mutate_bytes(f.data, rng, 2048); break;
    case 2: f.middle = fuzz::mutate_bytes(f.middle, rng, 64); break;
    case 3: fuzz::mutate_fields(f.footer, rng); break;
    default: fuzz::mutate_fields(f.header, rng); break;
  }
  fix_message(f, rng);
  encode_append(f, out);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int kind = data[0] % kKinds;
  const bool verify = (data[0] & 0x80) == 0;
  const std::span<const uint8_t> wire(data + 1, size - 1);
  const bool json = fuzz::check_json_for(data, size);
  switch (kind) {
    case 0: check_struct<ClientBanner>(wire, "ClientBanner", json); break;
    case 1: check_struct<ServerBanner>(wire, "ServerBanner", json); break;
    case 2: check_struct<Connect>(wire, "Connect", json); break;
    case 3: check_struct<ConnectReply>(wire, "ConnectReply", json); break;
    case 4: check_struct<SeqExchange>(wire, "SeqExchange", json); break;
    case 5: check_struct<TagClose>(wire, "TagClose", json); break;
    case 6: check_struct<TagKeepalive>(wire, "TagKeepalive", json); break;
    case 7: check_struct<TagKeepalive2>(wire, "TagKeepalive2", json); break;
    case 8: check_struct<TagKeepalive2Ack>(wire, "TagKeepalive2Ack", json); break;
    case 9: check_struct<TagAck>(wire, "TagAck", json); break;
    case kMsgAuth: check_message(wire, true, verify, json); break;
    case kMsgOld: check_message(wire, false, verify, json); break;
  }
  return 0;
}

extern "C" CEPHWIRE_HARNESS_ONLY size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size,
                                                                size_t max_size,
                                                                unsigned int seed) {
  Rng rng(seed * 0x9e3779b97f4a7c15ull + size);
  if (size < 1 || rng.one_in(8)) return fuzz::raw_mutate(data, size, max_size, rng);
  // The decoded values view into data; the mutant is encoded into `body` before emit()
  // overwrites data, so the input needs no copy.
  uint8_t head = data[0];
  const int kind = head % kKinds;
  const std::span<const uint8_t> wire(data + 1, size - 1);
  thread_local std::vector<uint8_t> body;
  body.clear();
  bool ok = false;
  switch (kind) {
    case 0: ok = mutate_struct<ClientBanner>(wire, body, rng); break;
    case 1: ok = mutate_struct<ServerBanner>(wire, body, rng); break;
    case 2: ok = mutate_struct<Connect>(wire, body, rng); break;
    case 3: ok = mutate_struct<ConnectReply>(wire, body, rng); break;
    case 4: ok = mutate_struct<SeqExchange>(wire, body, rng); break;
    case 5: ok = mutate_struct<TagClose>(wire, body, rng); break;
    case 6: ok = mutate_struct<TagKeepalive>(wire, body, rng); break;
    case 7: ok = mutate_struct<TagKeepalive2>(wire, body, rng); break;
    case 8: ok = mutate_struct<TagKeepalive2Ack>(wire, body, rng); break;
    case 9: ok = mutate_struct<TagAck>(wire, body, rng); break;
    case kMsgAuth:
    case kMsgOld:
      ok = mutate_message(wire, kind == kMsgAuth, body, rng);
      if (ok && rng.one_in(16)) head = static_cast<uint8_t>(head ^ 0x80);  // strict <-> lenient
      break;
  }
  if (!ok) return fuzz::raw_mutate(data, size, max_size, rng);
  return fuzz::emit(head, body, data, size, max_size, rng);
}
