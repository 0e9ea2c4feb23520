// Shared mechanics of the typed mon-session messages (MAuth, MMonMap, MOSDMap, ...): the checks
// Ceph's decode_message() (src/msg/Message.cc) makes on the header before it calls a class's
// decode_payload(), a strict front decoder built on a message's visit(), and the matching
// encoder and JSON dumper.
//
// Header rules (Message.cc decode_message / Message::encode):
//  - header.type picks the class;
//  - a message whose header.compat_version is newer than the class's HEAD_VERSION is refused
//    ("failed to decode message type ... compat ..."): kUnsupportedVersion here;
//  - header.version is the layout the sender encoded (kept as header_version);
//  - Message::encode() fills compat_version with the version when the class leaves it 0, so a
//    class without COMPAT_VERSION goes out with compat_version == version.
// Strictness beyond Ceph: every front byte must be consumed, and middle/data must be empty unless
// the class puts something there (MMonCommand / MMonCommandAck carry their bufferlists in data).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "codec/denc.h"
#include "codec/message.h"

namespace cephwire::codec::mon_util {

// compat_version Ceph writes for a class whose COMPAT_VERSION is `compat` (0: unset, then
// Message::encode copies the version). Classes that fall back to an older layout lower compat
// with it (MOSDMap v1 / v2 go out with compat 1 / 2); MMonSubscribe's version-0 fallback keeps
// its compat 1, hence the header_version != 0 condition.
constexpr uint16_t wire_compat(uint16_t compat, uint16_t header_version) {
  if (compat == 0) return header_version;
  return header_version != 0 && header_version < compat ? header_version : compat;
}

// Which of middle/data a message may carry.
enum Segments : uint8_t { kFrontOnly = 0, kData = 1 };

inline DecodeError segment_error(const char* msg_name, const char* segment, size_t n) {
  return DecodeError{ErrorKind::kTrailingBytes, std::string(msg_name) + "." + segment, 0,
                     std::to_string(n) + " bytes in " + segment + ", which this message never uses"};
}

// Checks p's header against M and decodes p.front into m (m.header_version = p.version) using
// m.visit(). The front must be consumed exactly; middle (and data unless allowed) must be empty.
template <class M>
Result<M> decode_front(const MessageParts& p, M m, Segments allowed = kFrontOnly) {
  if (p.type != M::kType)
    return make_error(ErrorKind::kBadValue, std::string(M::kName) + ".header.type", 0,
                      "type " + std::to_string(p.type) + " is not " + M::kName + " (" +
                          std::to_string(M::kType) + ")");
  if (p.compat_version > M::kHeadVersion)
    return make_error(ErrorKind::kUnsupportedVersion,
                      std::string(M::kName) + ".header.compat_version", 0,
                      "compat_version " + std::to_string(p.compat_version) +
                          " > supported head version " + std::to_string(M::kHeadVersion));
  if (!p.middle.empty()) return tl::unexpected(segment_error(M::kName, "middle", p.middle.size()));
  if (!(allowed & kData) && !p.data.empty())
    return tl::unexpected(segment_error(M::kName, "data", p.data.size()));
  m.header_version = p.version;
  Decoder d(p.front.span(), M::kName);
  if (!d.field(m) || !d.expect_end()) return tl::unexpected(d.take_error());
  return m;
}

// Fills p's type, version and compat_version (the latter two only when 0, as the contract in
// codec/message.h says) and encodes the front from m.visit(); middle and data are cleared.
template <class M>
void encode_front(const M& m, MessageParts& p) {
  p.type = M::kType;
  if (p.version == 0) p.version = m.header_version;
  // Clamped to the head version: a value decoded from a newer header.version (with a compat we
  // accept) must re-encode to something this codec decodes again.
  if (p.compat_version == 0)
    p.compat_version = std::min(wire_compat(M::kCompatVersion, m.header_version), M::kHeadVersion);
  std::vector<uint8_t> out;
  out.reserve(encoded_size(m));
  encode_append(m, out);
  p.front = Bytes(std::move(out));
  p.middle = Bytes();
  p.data = Bytes();
}

// {"type_name": kName, "type": kType, "header_version": N, <every visited field>}.
template <class M>
void dump_message(const M& m, JsonWriter& w) {
  w.begin_object();
  w.kv("type_name", M::kName);
  w.kv("type", M::kType);
  w.kv("header_version", m.header_version);
  Dumper d(w);
  const_cast<M&>(m).visit(d);
  w.end_object();
}

// A bool that must be 0 or 1 on the wire (Ceph accepts any non-zero byte as true, which would
// not re-encode to the same byte).
template <class V>
bool strict_bool(V& v, const char* name, bool& b) {
  if constexpr (V::kDecoding) {
    const size_t at = v.offset();
    uint8_t u = 0;
    if (!v(name, u)) return false;
    if (u > 1) return v.fail_field(name, at, ErrorKind::kBadValue, "bool must be 0 or 1");
    b = u != 0;
    return true;
  } else {
    return v(name, b);
  }
}

// A bufferlist whose content is one encoded T (u32 length + T), e.g. MMonMap's monmap. The
// content must be consumed exactly by T.
template <class V, class T>
bool embedded(V& v, const char* name, T& t) {
  if constexpr (V::kDecoding) {
    v.push_for_path(name);
    uint32_t n = 0;
    bool r = v.length(n);
    if (r) {
      const uint8_t* old = v.limit(n);
      r = v.field(t) && v.expect_end("bytes in the bufferlist after the encoded value");
      v.restore_limit(old);
    }
    v.pop_for_path();
    return r;
  } else if constexpr (V::kEncoding) {
    uint32_t n = static_cast<uint32_t>(encoded_size(t));
    v.field(n);
    return v.field(t);
  } else {
    return v(name, t);
  }
}

}  // namespace cephwire::codec::mon_util
