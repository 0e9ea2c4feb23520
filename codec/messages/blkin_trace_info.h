// blkin_trace_info: three le64 (trace_id, span_id, parent_span_id), 24 raw bytes.
// Sources (ceph/ceph): src/common/zipkin_trace.h / blkin's ztracer.hpp struct
// blkin_trace_info with WRITE_RAW_ENCODER; src/msg/Message.cc Message::encode_trace (writes
// the message's trace info or an all-zero one) and decode_trace. MOSDOp v8 and MOSDOpReply
// v8 carry it; without tracing it is 24 zero bytes.
#pragma once

#include <cstdint>

#include "codec/json_writer.h"

namespace cephwire::codec {

struct blkin_trace_info {
  static constexpr size_t kWireMinSize = 24;
  uint64_t trace_id = 0;
  uint64_t span_id = 0;
  uint64_t parent_span_id = 0;

  template <class V>
  bool visit(V& v) {
    return v("trace_id", trace_id) && v("span_id", span_id) &&
           v("parent_span_id", parent_span_id);
  }
  bool empty() const { return trace_id == 0 && span_id == 0 && parent_span_id == 0; }
  bool operator==(const blkin_trace_info&) const = default;
};

}  // namespace cephwire::codec
