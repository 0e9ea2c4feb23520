// struct ceph_osd_op: one OSD operation as it travels in MOSDOp / MOSDOpReply, 38 packed bytes:
//   le16 op | le32 flags | 28-byte union | le32 payload_len.
// Sources (ceph/ceph): src/include/rados.h struct ceph_osd_op (union members extent, xattr,
// cls, pgls, snap, watch, notify, assert_ver, ...; static_assert(sizeof == 38)), encoded raw
// (WRITE_RAW_ENCODER); src/osdc/Objecter.h ObjectOperation (watch: cookie/op/gen/timeout;
// notify: cookie; call: class_len/method_len/indata_len); Linux net/ceph/osd_client.c
// osd_req_encode_op (which ops fill which union member).
//
// The union is kept as its 28 raw bytes, so any op re-encodes byte-exact; typed views read and
// write the members by op code: extent (READ, WRITE, WRITEFULL, STAT, CREATE, ...), watch
// (WATCH), notify (NOTIFY), cls (CALL); any other op is shown raw.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <variant>

#include "codec/json_writer.h"

namespace cephwire::codec {

struct ceph_osd_op {
  static constexpr size_t kWireMinSize = 38;
  static constexpr size_t kUnionSize = 28;

  uint16_t op = 0;       // CEPH_OSD_OP_* (osd_op::k*)
  uint32_t flags = 0;    // CEPH_OSD_OP_FLAG_*
  std::array<uint8_t, kUnionSize> u{};
  uint32_t payload_len = 0;  // length of this op's indata (request) / outdata (reply) slice

  template <class V>
  bool visit(V& v) {
    return v("op", op) && v("flags", flags) && v("union", u) && v("payload_len", payload_len);
  }

  // ---- typed views of the union ----
  struct extent_t {  // @0 offset, @8 length, @16 truncate_size, @24 truncate_seq
    uint64_t offset = 0, length = 0, truncate_size = 0;
    uint32_t truncate_seq = 0;
    static constexpr size_t kSize = 28;
    bool operator==(const extent_t&) const = default;
  };
  struct watch_t {  // @0 cookie, @8 ver ("no longer used"), @16 op, @17 gen, @21 timeout
    uint64_t cookie = 0, ver = 0;
    uint8_t op = 0;  // CEPH_OSD_WATCH_OP_*
    uint32_t gen = 0, timeout = 0;
    static constexpr size_t kSize = 25;
    bool operator==(const watch_t&) const = default;
  };
  struct notify_t {  // @0 cookie
    uint64_t cookie = 0;
    static constexpr size_t kSize = 8;
    bool operator==(const notify_t&) const = default;
  };
  struct cls_t {  // @0 class_len, @1 method_len, @2 argc, @3 indata_len
    uint8_t class_len = 0, method_len = 0, argc = 0;
    uint32_t indata_len = 0;
    static constexpr size_t kSize = 7;
    bool operator==(const cls_t&) const = default;
  };
  struct raw_t {
    std::array<uint8_t, kUnionSize> bytes{};
    static constexpr size_t kSize = kUnionSize;
    bool operator==(const raw_t&) const = default;
  };
  using View = std::variant<extent_t, watch_t, notify_t, cls_t, raw_t>;

  // The member the op code selects (raw for ops without a typed view).
  enum class Kind : uint8_t { kExtent, kWatch, kNotify, kCls, kRaw };
  static Kind kind_of(uint16_t op_code);
  Kind kind() const { return kind_of(op); }
  View view() const;

  // Direct member access regardless of the op code (as C code reads a union).
  extent_t extent() const;
  watch_t watch() const;
  notify_t notify() const;
  cls_t cls() const;
  // Setters write the member's bytes and leave the rest of the union untouched.
  void set_extent(const extent_t& e);
  void set_watch(const watch_t& w);
  void set_notify(const notify_t& n);
  void set_cls(const cls_t& c);
  // Bytes of the union that the op's typed view does not cover are all zero.
  bool union_tail_is_zero() const;

  // Builders mirroring ObjectOperation / MOSDOp helpers (union zeroed first).
  static ceph_osd_op make_extent(uint16_t op_code, uint64_t offset, uint64_t length,
                                 uint64_t truncate_size = 0, uint32_t truncate_seq = 0);
  static ceph_osd_op make_watch(uint64_t cookie, uint8_t watch_op, uint32_t gen = 0,
                                uint32_t timeout = 0);
  static ceph_osd_op make_notify(uint64_t cookie);
  static ceph_osd_op make_call(uint8_t class_len, uint8_t method_len, uint32_t indata_len);
  static ceph_osd_op make(uint16_t op_code);

  // {"op": "watch", "code": 8719, "flags": 0, <view fields>, "payload_len": 0}; the view
  // fields use the recordings' names (offset/length/truncate_size/truncate_seq; cookie/ver/
  // watch_op/gen/timeout; cookie; class_len/method_len/argc/indata_len; raw). Union bytes
  // outside the view are added as "union_tail" (hex) when not all zero.
  void dump(JsonWriter& w) const;
  // The same fields without the enclosing object (so a reply op can add its rval).
  void dump_fields(JsonWriter& w) const;
  bool operator==(const ceph_osd_op&) const = default;
};

}  // namespace cephwire::codec
