// request_redirect_t: ENCODE_START(1, 1) | object_locator_t redirect_locator |
// string redirect_object | le32 legacy osd_instructions length (+ that many bytes, skipped).
// Sources (ceph/ceph): src/osd/osd_types.cc request_redirect_t::encode (writes a 0 length for
// the removed osd_instructions bufferlist) / decode (DECODE_START(1); skips the legacy bytes),
// request_redirect_t::dump ("object", "locator"). Carried by MOSDOpReply v6 always and v7+
// after do_redirect.
#pragma once

#include <string>

#include "codec/denc.h"
#include "codec/messages/object_locator_t.h"

namespace cephwire::codec {

struct request_redirect_t {
  static constexpr size_t kWireMinSize = 6;
  object_locator_t redirect_locator;
  std::string redirect_object;
  Bytes legacy_osd_instructions;  // le32 length + bytes; Ceph writes length 0
  Envelope env{1, 1};

  template <class V>
  bool visit(V& v) {
    return v.envelope("request_redirect_t", env, 1, [&](uint8_t) {
      return v("redirect_locator", redirect_locator) && v("redirect_object", redirect_object) &&
             v("osd_instructions", legacy_osd_instructions);
    });
  }
  void dump(JsonWriter& w) const {
    w.begin_object();
    w.kv("object", redirect_object);
    w.key("locator");
    redirect_locator.dump(w);
    if (!legacy_osd_instructions.empty()) {
      w.key("osd_instructions");
      w.bytes(legacy_osd_instructions.span());
    }
    w.end_object();
  }
  bool operator==(const request_redirect_t&) const = default;
};

}  // namespace cephwire::codec
