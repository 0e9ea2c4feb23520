// MMonSubscribe (CEPH_MSG_MON_SUBSCRIBE = 15), client -> mon (Ceph src/messages/MMonSubscribe.h,
// decode_payload / encode_payload; HEAD_VERSION 3, COMPAT_VERSION 1):
//   header.version >= 2: map<string what, ceph_mon_subscribe_item> (src/include/ceph_fs.h:
//                        packed le64 start | u8 flags, CEPH_SUBSCRIBE_ONETIME = 1);
//   header.version >= 3: + string hostname;
//   header.version < 2 (peer without CEPH_FEATURE_SUBSCRIBE2; Ceph then sends version 0):
//                        map<string, ceph_mon_subscribe_item_old> (packed le64 unused |
//                        le64 have | u8 onetime).
// The Linux kernel sends header.version 2 (no hostname); librados sends 3.
// "what" names: "monmap", "osdmap", "config", "mgrmap", "fsmap", "mdsmap", ...
// start = 0 asks for the latest full map; start = e asks for everything from epoch e on.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "codec/message.h"
#include "codec/messages/mon_message_util.h"

namespace cephwire::codec {

inline constexpr uint8_t kCephSubscribeOnetime = 1;

struct ceph_mon_subscribe_item {
  static constexpr size_t kWireMinSize = 9;
  uint64_t start = 0;
  uint8_t flags = 0;
  template <class V>
  bool visit(V& v) {
    return v("start", start) && v("flags", flags);
  }
  bool operator==(const ceph_mon_subscribe_item&) const = default;
};

struct ceph_mon_subscribe_item_old {
  static constexpr size_t kWireMinSize = 17;
  uint64_t unused = 0;
  uint64_t have = 0;
  uint8_t onetime = 0;
  template <class V>
  bool visit(V& v) {
    return v("unused", unused) && v("have", have) && v("onetime", onetime);
  }
  bool operator==(const ceph_mon_subscribe_item_old&) const = default;
};

struct MMonSubscribe {
  static constexpr uint16_t kType = 15;
  static constexpr const char* kName = "MMonSubscribe";
  static constexpr uint16_t kHeadVersion = 3;
  static constexpr uint16_t kCompatVersion = 1;
  uint16_t header_version = kHeadVersion;

  std::map<std::string, ceph_mon_subscribe_item> what;          // header_version >= 2
  std::string hostname;                                         // header_version >= 3
  std::map<std::string, ceph_mon_subscribe_item_old> what_old;  // header_version < 2

  template <class V>
  bool visit(V& v) {
    if (header_version < 2) return v("what", what_old);
    return v("what", what) && (header_version < 3 || v("hostname", hostname));
  }

  static Result<MMonSubscribe> decode(const MessageParts& p);
  void encode(MessageParts& p) const;
  void dump(JsonWriter& w) const;
  bool operator==(const MMonSubscribe&) const = default;
};

}  // namespace cephwire::codec
