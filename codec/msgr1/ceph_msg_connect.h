// struct ceph_msg_connect (33 bytes, packed; ceph/ceph src/include/msgr.h) followed by
// authorizer_len bytes of authorizer, as ProtocolV1::send_connect_message writes them and
// handle_connect_message_1/_auth read them.
// With authorizer_protocol == CEPH_AUTH_NONE the authorizer is AuthNoneAuthorizer::
// build_authorizer's (src/auth/none/AuthNoneProtocol.h): u8 struct_v (1) | EntityName
// (src/common/entity_name.h: u32 type, string id) | u64 global_id; it is decoded as a typed
// struct then. Any other protocol (cephx) is kept as raw bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "codec/denc.h"
#include "codec/msgr1/msgr.h"

namespace cephwire::codec::msgr1 {

struct ceph_msg_connect {
  static constexpr size_t kWireMinSize = kConnectLen;
  uint64_t features = 0;            // sender's policy.features_supported
  uint32_t host_type = 0;           // CEPH_ENTITY_TYPE_* of the sender
  uint32_t global_seq = 0;          // connections initiated by this host
  uint32_t connect_seq = 0;         // connections initiated in this session
  uint32_t protocol_version = 0;    // CEPH_{OSDC,MONC,MDSC}_PROTOCOL of the peer type
  uint32_t authorizer_protocol = 0; // CEPH_AUTH_*; 0 = no authorizer
  uint32_t authorizer_len = 0;
  uint8_t flags = 0;                // CEPH_MSG_CONNECT_LOSSY

  template <class V>
  bool visit(V& v) {
    return v("features", features) && v("host_type", host_type) &&
           v("global_seq", global_seq) && v("connect_seq", connect_seq) &&
           v("protocol_version", protocol_version) &&
           v("authorizer_protocol", authorizer_protocol) &&
           v("authorizer_len", authorizer_len) && v("flags", flags);
  }
  bool operator==(const ceph_msg_connect&) const = default;
};

// EntityName: the auth identity ("client.admin"): u32 type (CEPH_ENTITY_TYPE_*) + string id.
struct EntityName {
  static constexpr size_t kWireMinSize = 8;
  uint32_t type = 0;
  std::string id;

  template <class V>
  bool visit(V& v) {
    return v("type", type) && v("id", id);
  }
  std::string to_string() const;  // "client.admin"
  void dump(JsonWriter& w) const { w.value(to_string()); }
  bool operator==(const EntityName&) const = default;
};

// AuthNoneAuthorizer::build_authorizer.
struct AuthNoneAuthorizer {
  uint8_t struct_v = 1;  // AUTH_MODE_AUTHORIZER
  EntityName name;
  uint64_t global_id = 0;

  template <class V>
  bool visit(V& v) {
    return v("struct_v", struct_v) && v("name", name) && v("global_id", global_id);
  }
  bool operator==(const AuthNoneAuthorizer&) const = default;
};

// One connect attempt on the wire: the fixed struct plus its authorizer.
struct Connect {
  ceph_msg_connect connect;
  // authorizer_protocol == CEPH_AUTH_NONE with a non-empty authorizer: the decoded authorizer
  // (and `authorizer` views the same bytes). Otherwise empty and `authorizer` is raw.
  std::optional<AuthNoneAuthorizer> auth_none;
  Bytes authorizer;

  template <class V>
  bool visit(V& v) {
    if (!v("connect", connect)) return false;
    const uint32_t len = connect.authorizer_len;
    if constexpr (V::kDecoding) {
      if (len > kMaxAuthorizerLen)
        return v.fail_field("connect.authorizer_len", v.offset() - 5, ErrorKind::kLengthTooLarge,
                            "authorizer_len " + std::to_string(len) + " > " +
                                std::to_string(kMaxAuthorizerLen));
      v.push_for_path("authorizer");
      const bool have = v.need(len);
      v.pop_for_path();
      if (!have) return false;
      authorizer = Bytes::view({v.cursor(), len});
      auth_none.reset();
      if (connect.authorizer_protocol == kAuthNone && len > 0) {
        const uint8_t* end = v.limit(len);
        AuthNoneAuthorizer a;
        bool ok = v("authorizer", a);
        if (ok) {
          v.push_for_path("authorizer");
          ok = v.expect_end("bytes after the AuthNone authorizer");
          v.pop_for_path();
        }
        v.restore_limit(end);
        if (!ok) return false;
        auth_none = std::move(a);
        return true;
      }
      return v.raw("authorizer", authorizer, len);
    } else {
      if (auth_none) return v("authorizer", *auth_none);
      return v.raw("authorizer", authorizer, authorizer.size());
    }
  }
  bool operator==(const Connect&) const = default;
};

}  // namespace cephwire::codec::msgr1
