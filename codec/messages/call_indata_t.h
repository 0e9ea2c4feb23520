// CEPH_OSD_OP_CALL input: class name (class_len bytes) | method name (method_len bytes) |
// input (indata_len bytes), no length prefixes: the lengths are in the op's cls union member.
// Sources (ceph/ceph): src/osdc/Objecter.h ObjectOperation::add_call (sets op.cls.class_len,
// method_len, indata_len and appends the three parts to indata); src/osd/PrimaryLogPG.cc
// do_osd_ops case CEPH_OSD_OP_CALL (bp.copy of the three lengths). Linux
// net/ceph/osd_client.c osd_req_op_cls_init.
#pragma once

#include <cstdint>
#include <string>

#include "codec/denc.h"
#include "codec/messages/ceph_osd_op.h"

namespace cephwire::codec {

struct call_indata_t {
  static constexpr size_t kWireMinSize = 0;
  // Decoding context: the op's cls lengths (set by for_op, or by hand).
  uint8_t class_len = 0;
  uint8_t method_len = 0;
  uint32_t indata_len = 0;

  std::string class_name;
  std::string method_name;
  Bytes input;

  template <class V>
  bool visit(V& v) {
    Bytes c = Bytes::view({reinterpret_cast<const uint8_t*>(class_name.data()), class_name.size()});
    Bytes m = Bytes::view({reinterpret_cast<const uint8_t*>(method_name.data()), method_name.size()});
    if (!(v.raw("class", c, class_len) && v.raw("method", m, method_len) &&
          v.raw("input", input, indata_len)))
      return false;
    if constexpr (V::kDecoding) {
      class_name.assign(c.str());
      method_name.assign(m.str());
    }
    return true;
  }
  // A value ready to decode the input of `op` (lengths from op.cls()).
  static call_indata_t for_op(const ceph_osd_op& op) {
    call_indata_t c;
    const auto cls = op.cls();
    c.class_len = cls.class_len;
    c.method_len = cls.method_len;
    c.indata_len = cls.indata_len;
    return c;
  }
  // A value to encode (lengths from the parts; class and method must be < 256 bytes).
  static call_indata_t make(std::string cls, std::string method, Bytes input) {
    call_indata_t c;
    c.class_len = static_cast<uint8_t>(cls.size());
    c.method_len = static_cast<uint8_t>(method.size());
    c.indata_len = static_cast<uint32_t>(input.size());
    c.class_name = std::move(cls);
    c.method_name = std::move(method);
    c.input = std::move(input);
    return c;
  }
  void dump(JsonWriter& w) const {
    w.begin_object();
    w.kv("class", class_name);
    w.kv("method", method_name);
    w.key("input");
    w.bytes(input.span());
    w.end_object();
  }
  bool operator==(const call_indata_t&) const = default;
};

}  // namespace cephwire::codec
