// Helpers for the msgr2 connection decoder tests: a synthetic session built with the encoders,
// and a driver that feeds two byte streams in a given chunking and collects everything.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "codec/msgr2/banner.h"
#include "codec/msgr2/connection_decoder.h"
#include "codec/msgr2/frames_v2.h"
#include "codec/testing/testing.h"

namespace cephwire::codec::msgr2::test {

inline void append(std::vector<uint8_t>& out, const std::vector<uint8_t>& b) {
  out.insert(out.end(), b.begin(), b.end());
}

inline entity_addr_t addr(uint16_t port, uint32_t nonce = 0) {
  const uint8_t ip[4] = {127, 0, 0, 1};
  return entity_addr_t::make_ipv4(entity_addr_t::kTypeMsgr2, ip, port, nonce);
}

struct Session {
  std::vector<uint8_t> c2s, s2c;
  // frame boundaries: offsets where each item starts, per direction
  std::vector<size_t> c2s_starts, s2c_starts;
};

struct SessionOptions {
  bool client_rev1 = true;
  bool server_rev1 = true;
  uint32_t con_mode = kConModeCrc;
  int messages = 3;
  int64_t client_gid = 4133;
  int64_t server_gid = 0;
};

inline Session make_session(const SessionOptions& o = {}) {
  Session s;
  const Rev rev = o.client_rev1 && o.server_rev1 ? Rev::kRev1 : Rev::kRev0;
  auto c = [&](const std::vector<uint8_t>& b) {
    s.c2s_starts.push_back(s.c2s.size());
    append(s.c2s, b);
  };
  auto v = [&](const std::vector<uint8_t>& b) {
    s.s2c_starts.push_back(s.s2c.size());
    append(s.s2c, b);
  };
  c(encode_banner(o.client_rev1 ? 1 : 0, 0));
  v(encode_banner(o.server_rev1 ? 1 : 0, 0));
  c(encode_control_frame(HelloFrame{8, addr(6800)}, rev));
  v(encode_control_frame(HelloFrame{4, addr(50000)}, rev));
  AuthRequestFrame ar;
  ar.method = kAuthNone;
  ar.preferred_modes = {kConModeCrc, kConModeSecure};
  ar.none = AuthNoneRequest{AuthNoneRequest::kAuthorizerV1, {8, "admin"},
                            static_cast<uint64_t>(o.client_gid)};
  c(encode_control_frame(ar, rev));
  AuthDoneFrame done;
  done.global_id = static_cast<uint64_t>(o.client_gid);
  done.con_mode = o.con_mode;
  v(encode_control_frame(done, rev));
  if (o.con_mode == kConModeSecure) {
    // Everything after is ciphertext: a stand-in that is surely not valid framing.
    std::vector<uint8_t> junk(200);
    for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<uint8_t>(i * 37 + 11);
    append(s.c2s, junk);
    append(s.s2c, junk);
    return s;
  }
  c(encode_control_frame(AuthSignatureFrame{}, rev));
  v(encode_control_frame(AuthSignatureFrame{}, rev));
  ClientIdentFrame ci;
  ci.addrs.v = {addr(0, 1234)};
  ci.addrs.v[0].type = entity_addr_t::kTypeAny;
  ci.target_addr = addr(6800);
  ci.gid = o.client_gid;
  ci.global_seq = 1;
  ci.supported_features = 0x3f01cfbdfffdffffull;
  ci.required_features = 1ull << 59;
  ci.flags = kIdentFlagLossy;
  c(encode_control_frame(ci, rev));
  ServerIdentFrame si;
  si.addrs.v = {addr(6800)};
  si.gid = o.server_gid;
  si.global_seq = 10;
  si.supported_features = 0x3f01cfbdfffdffffull;
  si.flags = kIdentFlagLossy;
  v(encode_control_frame(si, rev));
  for (int i = 1; i <= o.messages; ++i) {
    MessageParts m;
    m.type = 42;
    m.version = 8;
    m.compat_version = 3;
    m.priority = 63;
    m.seq = static_cast<uint64_t>(i);
    m.tid = static_cast<uint64_t>(100 + i);
    std::vector<uint8_t> front(50 + i, static_cast<uint8_t>(i)), data(i * 3, 0xd0);
    m.front = Bytes(front);
    m.data = Bytes(data);
    c(encode_message_frame(m, 0, 3, rev));
    MessageParts r;
    r.type = 43;
    r.version = 8;
    r.compat_version = 2;
    r.priority = 127;
    r.seq = static_cast<uint64_t>(i);
    r.tid = static_cast<uint64_t>(100 + i);
    std::vector<uint8_t> rf(40, static_cast<uint8_t>(0x80 + i));
    r.front = Bytes(rf);
    v(encode_message_frame(r, static_cast<uint64_t>(i), 3, rev));
  }
  c(encode_control_frame(KeepAliveFrame{{1700000000, 5}}, rev));
  v(encode_control_frame(KeepAliveFrameAck{{1700000000, 5}}, rev));
  v(encode_control_frame(AckFrame{static_cast<uint64_t>(o.messages)}, rev));
  c(encode_control_frame(AckFrame{static_cast<uint64_t>(o.messages)}, rev));
  return s;
}

// What one decoded item looks like, for comparisons across chunkings.
struct Seen {
  Dir dir;
  uint64_t begin, end;
  std::string kind;
  std::string raw_hex;
  bool crc_ok;
  std::string src;
  bool operator==(const Seen&) const = default;
};
inline std::ostream& operator<<(std::ostream& os, const Seen& s) {
  return os << to_string(s.dir) << " [" << s.begin << "," << s.end << ") " << s.kind;
}

struct Result2 {
  std::vector<Seen> items[2];  // per direction
  std::vector<StreamError> errors[2];
  std::vector<Item> all;       // in poll order
};

inline void drain(ConnectionDecoder& d, Result2& r) {
  while (auto it = d.poll()) {
    Seen s{it->dir, it->begin, it->end, std::string(it->kind()), testing::hex(it->raw),
           it->crc_ok, it->message() ? it->message()->src.to_string() : ""};
    r.items[static_cast<int>(it->dir)].push_back(s);
    r.all.push_back(std::move(*it));
  }
  while (auto e = d.poll_error()) r.errors[static_cast<int>(e->dir)].push_back(*e);
}

struct Op {
  Dir dir;
  size_t n;
};

// Feeds according to `ops` (each takes the next n bytes of that direction), then the rest
// (c2s first, then s2c).
inline Result2 run(const std::vector<uint8_t>& c2s, const std::vector<uint8_t>& s2c,
                   const std::vector<Op>& ops, DecoderOptions opts = {}) {
  ConnectionDecoder d(opts);
  Result2 r;
  size_t pos[2] = {0, 0};
  const std::vector<uint8_t>* src[2] = {&c2s, &s2c};
  for (const Op& op : ops) {
    const int i = static_cast<int>(op.dir);
    const size_t n = std::min(op.n, src[i]->size() - pos[i]);
    d.feed(op.dir, std::span(*src[i]).subspan(pos[i], n));
    pos[i] += n;
    drain(d, r);
  }
  for (int i = 0; i < 2; ++i) {
    d.feed(static_cast<Dir>(i), std::span(*src[i]).subspan(pos[i]));
    drain(d, r);
  }
  return r;
}

inline std::vector<Op> all_at_once(Dir first = Dir::kClientToServer) {
  return {{first, SIZE_MAX}};
}
inline std::vector<Op> bytewise(size_t c2s, size_t s2c) {
  std::vector<Op> ops;
  for (size_t i = 0; i < std::max(c2s, s2c); ++i) {
    ops.push_back({Dir::kClientToServer, 1});
    ops.push_back({Dir::kServerToClient, 1});
  }
  return ops;
}
inline std::vector<Op> random_chunks(size_t c2s, size_t s2c, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Op> ops;
  size_t left[2] = {c2s, s2c};
  while (left[0] || left[1]) {
    int i = static_cast<int>(rng() % 2);
    if (!left[i]) i ^= 1;
    size_t n = 1 + rng() % (rng() % 4 == 0 ? 300 : 40);
    n = std::min(n, left[i]);
    ops.push_back({static_cast<Dir>(i), n});
    left[i] -= n;
  }
  return ops;
}

// Items decoded from a stream cut at `cut` (midstream) must be exactly the full decode's items
// that start at or after the first frame the scan can anchor on.
inline void check_midstream(const std::vector<uint8_t>& c2s, const std::vector<uint8_t>& s2c, size_t cut_c,
                     size_t cut_s, uint32_t seed) {
  auto full = run(c2s, s2c, all_at_once(Dir::kClientToServer));
  std::vector<uint8_t> cc(c2s.begin() + cut_c, c2s.end()), ss(s2c.begin() + cut_s, s2c.end());
  DecoderOptions o;
  o.midstream = true;
  ConnectionDecoder d(o);
  Result2 r;
  std::mt19937 rng(seed);
  size_t pc = 0, ps = 0;
  while (pc < cc.size() || ps < ss.size()) {
    const bool c = ps >= ss.size() || (pc < cc.size() && rng() % 2);
    auto& v = c ? cc : ss;
    size_t& p = c ? pc : ps;
    const size_t n = std::min<size_t>(1 + rng() % 64, v.size() - p);
    d.feed(c ? Dir::kClientToServer : Dir::kServerToClient, std::span(v).subspan(p, n));
    p += n;
    drain(d, r);
  }
  const size_t cut[2] = {cut_c, cut_s};
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(r.errors[i].empty()) << "cut " << cut[i] << ": " << r.errors[i][0].error.to_string();
    // expected: exactly the full decode's items with begin >= cut (every frame of this session
    // has a non-empty segment 0, so the first whole frame is always an anchor)
    std::vector<Seen> want;
    for (auto s : full.items[i])
      if (s.begin >= cut[i] && (s.begin > cut[i] || cut[i] == 0 || s.kind != "banner")) {
        s.begin -= cut[i];
        s.end -= cut[i];
        s.src.clear();
        want.push_back(s);
      }
    std::vector<Seen> got = r.items[i];
    for (auto& s : got) s.src.clear();
    EXPECT_EQ(got, want) << "dir " << i << " cut " << cut[i];
    if (got.empty()) continue;
    EXPECT_EQ(got, want) << "dir " << i << " cut " << cut[i];
    EXPECT_EQ(d.skipped_bytes(static_cast<Dir>(i)), got.front().begin);
  }
}

}  // namespace cephwire::codec::msgr2::test
