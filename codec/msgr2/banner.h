// The msgr2 banner each side sends first: "ceph v2\n" | le16 payload_len | payload, the payload
// being le64 supported_features | le64 required_features (CEPH_MSGR2_* bits).
// Ceph src/msg/async/ProtocolV2.cc _banner_exchange (encode), _handle_peer_banner (prefix check,
// "is using msgr V1 protocol" for "ceph v027") and _handle_peer_banner_payload (decode; a
// payload longer than 16 bytes is accepted and the rest ignored: kept here as `extra`).
// Linux net/ceph/messenger_v2.c prepare_banner / process_banner_prefix / process_banner_payload.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "codec/denc.h"
#include "codec/msgr2/tag.h"

namespace cephwire::codec::msgr2 {

struct Banner {
  static constexpr size_t kPrefixSize = 8;    // "ceph v2\n"
  static constexpr size_t kFixedSize = 10;    // prefix + le16 payload_len
  static constexpr size_t kMinPayload = 16;

  uint64_t supported = kSupportedFeatures;
  uint64_t required = kRequiredFeatures;
  Bytes extra;  // payload bytes after the two feature words (payload_len > 16)

  bool rev1() const { return (supported & kFeatureRevision1) != 0; }
  size_t wire_size() const { return kFixedSize + kMinPayload + extra.size(); }

  template <class V>
  bool visit(V& v) {
    if constexpr (!V::kDumping) {
      std::array<uint8_t, kPrefixSize> prefix;
      std::memcpy(prefix.data(), "ceph v2\n", kPrefixSize);
      if (!v("prefix", prefix)) return false;
      if constexpr (V::kDecoding) {
        if (std::memcmp(prefix.data(), "ceph v2\n", kPrefixSize) != 0)
          return v.fail_field("prefix", v.offset() - kPrefixSize, ErrorKind::kBadBanner,
                              std::memcmp(prefix.data(), "ceph v02", 8) == 0
                                  ? "peer is using msgr V1 protocol"
                                  : "not a msgr2 banner");
      }
      uint16_t payload_len = static_cast<uint16_t>(kMinPayload + extra.size());
      if (!v("payload_len", payload_len)) return false;
      if constexpr (V::kDecoding) {
        if (payload_len < kMinPayload)
          return v.fail_field("payload_len", v.offset() - 2, ErrorKind::kBadBanner,
                              "banner payload shorter than 16 bytes");
        if (!v.need(payload_len)) return false;
      }
      if (!(v("supported", supported) && v("required", required))) return false;
      if constexpr (V::kDecoding) return v.raw("extra", extra, payload_len - kMinPayload);
      else return v.raw("extra", extra, extra.size());
    } else {
      return v("supported", supported) && v("required", required) &&
             (extra.empty() || v("extra", extra));
    }
  }
  bool operator==(const Banner&) const = default;
};

// "ceph v2\n" + le16 16 + le64 supported + le64 required.
std::vector<uint8_t> encode_banner(uint64_t supported = kSupportedFeatures,
                                   uint64_t required = kRequiredFeatures);

}  // namespace cephwire::codec::msgr2
