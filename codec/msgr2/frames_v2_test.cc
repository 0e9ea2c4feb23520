// Control-frame payload vectors written from frames_v2.h's Args lists, plus real frames from the
// v2-watch-notify-basic recording (librados 16.2.15 <-> Pacific mon/OSD, msgr2.1 crc mode).
#include "codec/msgr2/frames_v2.h"

#include <gtest/gtest.h>

#include <deque>

#include "codec/testing/testing.h"

namespace cephwire::codec::msgr2 {
namespace {

using testing::expect_every_truncation_fails;
using testing::expect_round_trip;
using testing::from_hex;
using testing::hex;

// entity_addr_t addr2 for v2:127.0.0.1:42100/0 (marker 1, ENCODE_START(1,1) len 28, type 2,
// nonce 0, elen 16, family 2 LE, port BE, ip, 8 zero bytes).
const char* kAddr = "01 01011c000000 02000000 00000000 10000000 0200 a474 7f000001 0000000000000000";

// Decoded Bytes view into the wire buffer: keep every vector alive for the test's duration.
std::span<const uint8_t> keep(std::vector<uint8_t> v) {
  static std::deque<std::vector<uint8_t>> kept;
  kept.push_back(std::move(v));
  return kept.back();
}

template <class F>
F round_trip(const std::string& payload_hex) {
  const auto wire = keep(from_hex(payload_hex));
  F f = expect_round_trip<F>(wire, F{}, "frame");
  if (!wire.empty()) expect_every_truncation_fails<F>(wire, F{}, "frame");
  // and as a whole frame, both revisions
  for (Rev rev : {Rev::kRev0, Rev::kRev1}) {
    auto bytes = keep(encode_control_frame(f, rev));
    size_t used = 0;
    bool crc_ok = false;
    auto d = decode_frame(bytes, rev, true, &crc_ok, &used);
    EXPECT_TRUE(d.has_value()) << (d ? "" : d.error().to_string());
    if (!d) continue;
    EXPECT_TRUE(crc_ok);
    EXPECT_EQ(used, bytes.size());
    EXPECT_EQ(d->tag(), F::kTag);
    const F* g = std::get_if<F>(&d->payload);
    EXPECT_TRUE(g && *g == f);
    EXPECT_EQ(hex(d->encode()), hex(bytes));
  }
  return f;
}

TEST(Frames, Hello) {
  auto f = round_trip<HelloFrame>(std::string("08") + kAddr);
  EXPECT_EQ(f.entity_type, 8);
  EXPECT_EQ(f.peer_addr.type, entity_addr_t::kTypeMsgr2);
  EXPECT_EQ(f.peer_addr.port(), 42100);
  EXPECT_EQ(f.peer_addr.to_string(), "v2:127.0.0.1:42100/0");
}

TEST(Frames, AuthRequestNoneToMon) {
  // method 1 | modes [1] | payload(22): AUTH_MODE_MON, EntityName{8,"admin"}, global_id 0
  auto f = round_trip<AuthRequestFrame>(
      "01000000 01000000 01000000 16000000 0a 08000000 05000000 61646d696e 0000000000000000");
  EXPECT_EQ(f.method, kAuthNone);
  EXPECT_EQ(f.preferred_modes, std::vector<uint32_t>{kConModeCrc});
  ASSERT_TRUE(f.none.has_value());
  EXPECT_TRUE(f.none->is_mon());
  EXPECT_EQ(f.none->entity_name.type, 8u);
  EXPECT_EQ(f.none->entity_name.id, "admin");
  EXPECT_EQ(f.none->global_id, 0u);
}

TEST(Frames, AuthRequestNoneAuthorizerToOsd) {
  // AuthNoneAuthorizer: struct_v 1, EntityName{8,"admin"}, global_id 4133
  auto f = round_trip<AuthRequestFrame>(
      "01000000 02000000 01000000 02000000 16000000 01 08000000 05000000 61646d696e "
      "2510000000000000");
  ASSERT_TRUE(f.none.has_value());
  EXPECT_FALSE(f.none->is_mon());
  EXPECT_EQ(f.none->global_id, 4133u);
  EXPECT_EQ(f.preferred_modes, (std::vector<uint32_t>{1, 2}));
}

TEST(Frames, AuthRequestOtherPayloadsStayRaw) {
  // cephx (method 2): raw
  auto cx = round_trip<AuthRequestFrame>("02000000 00000000 03000000 0a0b0c");
  EXPECT_FALSE(cx.none.has_value());
  EXPECT_EQ(hex(cx.auth_payload.span()), "0a0b0c");
  // none with an unexpected first byte, a short payload, or trailing bytes: raw
  for (const char* payload : {"05000000 0200000000", "0e000000 0a 08000000 05000000 61646d696e",
                              "17000000 0a 08000000 05000000 61646d696e 0000000000000000 ff"}) {
    auto f = round_trip<AuthRequestFrame>(std::string("01000000 00000000 ") + payload);
    EXPECT_FALSE(f.none.has_value()) << payload;
  }
  // A typed request encodes without raw bytes.
  AuthRequestFrame built;
  built.method = kAuthNone;
  built.preferred_modes = {1};
  built.none = AuthNoneRequest{AuthNoneRequest::kModeMon, {8, "admin"}, 0};
  EXPECT_EQ(hex(encode_to_vector(built)),
            "01000000010000000100000016000000" "0a080000000500000061646d696e0000000000000000");
}

TEST(Frames, AuthBadMethod) {
  auto f = round_trip<AuthBadMethodFrame>(
      "02000000 a1ffffff 02000000 01000000 02000000 01000000 02000000");
  EXPECT_EQ(f.method, 2u);
  EXPECT_EQ(f.result, -95);  // -EOPNOTSUPP
  EXPECT_EQ(f.allowed_methods, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(f.allowed_modes, (std::vector<uint32_t>{2}));
  // A count larger than the bytes left is caught before allocation.
  auto r = decode_as<AuthBadMethodFrame>(from_hex("02000000 a1ffffff ffffffff"), "frame");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kLengthTooLarge);
}

TEST(Frames, AuthMoreAndDone) {
  auto rm = round_trip<AuthReplyMoreFrame>("03000000 010203");
  EXPECT_EQ(rm.auth_payload.size(), 3u);
  auto qm = round_trip<AuthRequestMoreFrame>("00000000");
  EXPECT_TRUE(qm.auth_payload.empty());
  auto d = round_trip<AuthDoneFrame>("2410000000000000 01000000 00000000");
  EXPECT_EQ(d.global_id, 4132u);
  EXPECT_EQ(d.con_mode, kConModeCrc);
  auto s = round_trip<AuthDoneFrame>("ffffffffffffffff 02000000 04000000 01020304");
  EXPECT_EQ(s.global_id, UINT64_MAX);
  EXPECT_EQ(s.con_mode, kConModeSecure);
}

TEST(Frames, AuthSignatureIs32RawBytes) {
  auto f = round_trip<AuthSignatureFrame>(std::string(64, '0'));
  EXPECT_EQ(f.signature, (std::array<uint8_t, 32>{}));
  auto g = round_trip<AuthSignatureFrame>(std::string(62, 'a') + "ff");
  EXPECT_EQ(g.signature[31], 0xff);
  // 33 bytes: trailing
  auto r = decode_as<AuthSignatureFrame>(from_hex(std::string(66, '0')), "frame");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kTrailingBytes);
}

TEST(Frames, ClientIdent) {
  const std::string addrvec = std::string("02 01000000 ") + kAddr;
  auto f = round_trip<ClientIdentFrame>(addrvec + kAddr +
                                        "ffffffffffffffff 0100000000000000 ffffffffbdcf013f "
                                        "0000000000000008 0100000000000000 0000000000000000");
  ASSERT_EQ(f.addrs.v.size(), 1u);
  EXPECT_EQ(f.gid, -1);
  EXPECT_EQ(f.global_seq, 1u);
  EXPECT_EQ(f.required_features, 1ull << 59);  // MSG_ADDR2
  EXPECT_EQ(f.flags, kIdentFlagLossy);
}

TEST(Frames, ServerIdent) {
  const std::string addrvec = std::string("02 01000000 ") + kAddr;
  auto f = round_trip<ServerIdentFrame>(addrvec +
                                        "0000000000000000 2400000000000000 fffffdffbdcf013f "
                                        "0000040000000000 0100000000000000 0000000000000000");
  EXPECT_EQ(f.gid, 0);
  EXPECT_EQ(f.global_seq, 0x24u);
  EXPECT_EQ(f.flags, 1u);
}

TEST(Frames, SessionFrames) {
  auto m = round_trip<IdentMissingFeaturesFrame>("0000000000000008");
  EXPECT_EQ(m.features, 1ull << 59);
  auto r = round_trip<ReconnectFrame>(std::string("02 01000000 ") + kAddr +
                                      "1111111111111111 2222222222222222 0300000000000000 "
                                      "0400000000000000 0500000000000000");
  EXPECT_EQ(r.client_cookie, 0x1111111111111111u);
  EXPECT_EQ(r.msg_seq, 5u);
  EXPECT_TRUE(round_trip<ResetFrame>("01").is_full());
  EXPECT_FALSE(round_trip<ResetFrame>("00").is_full());
  EXPECT_EQ(round_trip<ResetFrame>("02").full, 2);  // any non-zero is true; the byte is kept
  EXPECT_EQ(round_trip<RetryFrame>("0700000000000000").connect_seq, 7u);
  EXPECT_EQ(round_trip<RetryGlobalFrame>("ffffffffffffffff").global_seq, UINT64_MAX);
  EXPECT_EQ(round_trip<ReconnectOkFrame>("0900000000000000").msg_seq, 9u);
  round_trip<WaitFrame>("");
  auto w = decode_as<WaitFrame>(from_hex("00"), "frame");
  EXPECT_FALSE(w.has_value());
}

TEST(Frames, KeepaliveAndAck) {
  auto k = round_trip<KeepAliveFrame>("01020304 05060708");
  EXPECT_EQ(k.timestamp.sec, 0x04030201u);
  EXPECT_EQ(k.timestamp.nsec, 0x08070605u);
  EXPECT_EQ(round_trip<KeepAliveFrameAck>("ffffffff ffffffff").timestamp.nsec, 0xffffffffu);
  EXPECT_EQ(round_trip<AckFrame>("2a00000000000000").seq, 42u);
}

TEST(Frames, ControlFrameWithTwoSegmentsIsRejected) {
  const auto ack = from_hex("2a00000000000000");
  const std::vector<uint8_t> extra = {1};
  auto bytes = *encode_frame(Tag::kAck, {{ack}, {extra}}, Rev::kRev1);
  auto d = decode_frame(bytes, Rev::kRev1);
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().field, "preamble.num_segments");
  // a payload with trailing bytes is a typed error with the frame offset of the extra byte
  const auto ack9 = from_hex("2a00000000000000ff");
  auto t = decode_frame(*encode_frame(Tag::kAck, {{ack9}}, Rev::kRev1), Rev::kRev1);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().kind, ErrorKind::kTrailingBytes);
  EXPECT_EQ(t.error().offset, 32u + 8);
}

// ---- real frames ---------------------------------------------------------------------------

struct RealFrame {
  const char* name;
  const char* hex;
};
const RealFrame kReal[] = {
    {"hello",
     "010124000000080000000000000000000000000000000000000000003fbd6b06080101011c0000000200000000"
     "000000100000000200a4747f000001000000000000000014edbd89"},
    {"auth_request",
     "020126000000080000000000000000000000000000000000000000008c5ee4be01000000010000000100000016"
     "0000000a080000000500000061646d696e0000000000000000d8ede50c"},
    {"auth_signature",
     "07012000000008000000000000000000000000000000000000000000a80c987200000000000000000000000000"
     "0000000000000000000000000000000000000055c96e75"},
    {"client_ident",
     "08017b00000008000000000000000000000000000000000000000000738a989502010000000101011c00000003"
     "000000b1c370a810000000020000007f00000100000000000000000101011c0000000200000000000000100000"
     "000200a4747f0000010000000000000000ffffffffffffffff0100000000000000fffffdffbdcf013f00000000"
     "00000008000000000000000057"
     "78fef20e5a1b3e97e31d57"},
    {"auth_done",
     "060110000000080000000000000000000000000000000000000000005b0630a624100000000000000100000000"
     "00000091037d7a"},
    {"server_ident",
     "0901580000000800000000000000000000000000000000000000000083a1f3e602010000000101011c00000002"
     "00000000000000100000000200a4747f000001000000000000000000000000000000002400000000000000ffff"
     "fdffbdcf013f000004420002010c01000000000000000000000000000000c65252e7"},
    {"message",
     "110229000000080004000000080000000000000000000000000000009cd0ad460200000000000000000000000000"
     "00003e00c4000100000000000000020000000000000003010000000dd7cb09000000000e38b498b70000000000"
     "000000"},
};

TEST(Frames, RealFramesDecodeAndReencodeExactly) {
  for (const auto& rf : kReal) {
    const auto bytes = from_hex(rf.hex);
    size_t used = 0;
    auto d = decode_frame(bytes, Rev::kRev1, true, nullptr, &used);
    ASSERT_TRUE(d.has_value()) << rf.name << ": " << d.error().to_string();
    EXPECT_EQ(used, bytes.size()) << rf.name;
    EXPECT_EQ(d->kind(), rf.name);
    EXPECT_EQ(hex(d->encode()), hex(bytes)) << rf.name;
    // The fresh encoder computes the same crcs Ceph did.
    std::visit(
        [&](const auto& p) {
          using T = std::decay_t<decltype(p)>;
          if constexpr (std::is_same_v<T, MessageFrame>) {
            EXPECT_EQ(hex(encode_message_frame(p.header, p.parts.front.span(),
                                               p.parts.middle.span(), p.parts.data.span(),
                                               Rev::kRev1)),
                      hex(bytes));
            MessageParts m = p.parts;
            EXPECT_EQ(hex(encode_message_frame(m, p.header.ack_seq, p.header.flags, Rev::kRev1)),
                      hex(bytes));
            // Appended to a write buffer that already holds bytes: the same frame after them.
            std::vector<uint8_t> wbuf = {1, 2, 3};
            append_message_frame(m, p.header.ack_seq, p.header.flags, Rev::kRev1, wbuf);
            ASSERT_EQ(wbuf.size(), 3 + bytes.size());
            EXPECT_EQ(hex(std::vector<uint8_t>(wbuf.begin() + 3, wbuf.end())), hex(bytes));
          } else if constexpr (!std::is_same_v<T, AbortedFrame>) {
            EXPECT_EQ(hex(encode_control_frame(p, Rev::kRev1)), hex(bytes)) << rf.name;
          }
        },
        d->payload);
    for (size_t n = 0; n < bytes.size(); ++n) {
      auto t = decode_frame(std::span(bytes).first(n), Rev::kRev1);
      ASSERT_FALSE(t.has_value());
      EXPECT_EQ(t.error().kind, ErrorKind::kTruncated);
    }
  }
}

TEST(Frames, RealClientIdentFields) {
  auto d = decode_frame(from_hex(kReal[3].hex), Rev::kRev1);
  ASSERT_TRUE(d.has_value());
  const auto& c = std::get<ClientIdentFrame>(d->payload);
  EXPECT_EQ(c.gid, -1);  // first mon session: no global id yet
  EXPECT_EQ(c.supported_features, 0x3f01cfbdfffdffffull);  // CEPH_FEATURES_ALL of 16.2.15
  EXPECT_EQ(c.required_features, 1ull << 59);              // msgr2_required = MSG_ADDR2
  EXPECT_EQ(c.flags, 0u);  // the mon session is not lossy: a random client cookie instead
  EXPECT_EQ(c.cookie, 0x3e1b5a0ef2fe7857ull);
  EXPECT_EQ(c.global_seq, 1u);
  EXPECT_EQ(c.addrs.v.at(0).type, entity_addr_t::kTypeAny);
  EXPECT_EQ(c.target_addr.to_string(), "v2:127.0.0.1:42100/0");
}

TEST(Frames, MessageHeader2) {
  auto d = decode_frame(from_hex(kReal[6].hex), Rev::kRev1);
  ASSERT_TRUE(d.has_value());
  const auto& m = std::get<MessageFrame>(d->payload);
  EXPECT_EQ(m.header.seq, 2u);
  EXPECT_EQ(m.header.type, 0x3e);  // CEPH_MSG_MON_GET_VERSION_REPLY? as the mon sent it
  EXPECT_EQ(m.header.priority, 196);
  EXPECT_EQ(m.header.version, 1);
  EXPECT_EQ(m.header.ack_seq, 2u);
  EXPECT_EQ(m.header.flags, kMsgFooterComplete | 2);  // COMPLETE | NOCRC: frame crcs instead
  EXPECT_EQ(m.header.compat_version, 1);
  EXPECT_EQ(m.parts.type, 0x3e);
  EXPECT_EQ(m.parts.front.size(), 4u);
  EXPECT_TRUE(m.parts.middle.empty());
  EXPECT_TRUE(m.parts.data.empty());
  EXPECT_EQ(d->layout.preamble.num_segments, 2);

  // ceph_msg_header2 is exactly 41 bytes: 40 or 42 are rejected.
  for (size_t len : {40u, 42u, 0u}) {
    std::vector<uint8_t> h(len, 0), front = {1};
    auto bytes = *encode_frame(Tag::kMessage, {{h}, {front}}, Rev::kRev1);
    auto r = decode_frame(bytes, Rev::kRev1);
    ASSERT_FALSE(r.has_value()) << len;
    EXPECT_EQ(r.error().field, "message.header");
    EXPECT_EQ(r.error().offset, 32u);
  }
}

TEST(Frames, Header2FastReadEqualsTheVisitor) {
  std::vector<uint8_t> b(41);
  for (int k = 0; k < 50; ++k) {
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(k * 131 + i * 17 + (i >> 2));
    auto v = decode_as<ceph_msg_header2>(b, "h");
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(read_header2(b.data()), *v);
    EXPECT_EQ(hex(encode_to_vector(*v)), hex(b));
    std::vector<uint8_t> w(41);
    write_header2(*v, w.data());
    EXPECT_EQ(hex(w), hex(b));
  }
}

TEST(Frames, MessageFrameFromPartsBothRevisions) {
  MessageParts m;
  m.type = 42;
  m.version = 8;
  m.compat_version = 3;
  m.priority = 63;
  m.seq = 7;
  m.tid = 9;
  m.data_off = 0x1234;
  const std::vector<uint8_t> front = {1, 2, 3}, middle = {4}, data = {5, 6, 7, 8};
  m.front = Bytes::view(front);
  m.middle = Bytes::view(middle);
  m.data = Bytes::view(data);
  for (Rev rev : {Rev::kRev0, Rev::kRev1}) {
    auto bytes = encode_message_frame(m, 5, kMsgFooterComplete, rev);
    auto d = decode_frame(bytes, rev);
    ASSERT_TRUE(d.has_value());
    const auto& f = std::get<MessageFrame>(d->payload);
    EXPECT_EQ(f.header.ack_seq, 5u);
    EXPECT_EQ(f.header.data_pre_padding_len, 0u);
    EXPECT_EQ(f.parts.tid, 9u);
    EXPECT_EQ(f.parts.data_off, 0x1234);
    EXPECT_EQ(f.parts.compat_version, 3);
    EXPECT_EQ(hex(f.parts.data.span()), "05060708");
    EXPECT_EQ(d->layout.preamble.segments[3].alignment, kPageSizeAlignment);
    EXPECT_EQ(hex(d->encode()), hex(bytes));
  }
  // The wrong revision does not decode as the right one.
  auto r1 = encode_message_frame(m, 5, 1, Rev::kRev1);
  EXPECT_FALSE(decode_frame(r1, Rev::kRev0).has_value());
}

TEST(Frames, DumpIsJson) {
  auto d = decode_frame(from_hex(kReal[1].hex), Rev::kRev1);
  ASSERT_TRUE(d.has_value());
  JsonWriter w;
  d->dump(w);
  const std::string j = w.take();
  EXPECT_NE(j.find("\"kind\":\"auth_request\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"id\":\"admin\""), std::string::npos) << j;
}

}  // namespace
}  // namespace cephwire::codec::msgr2
