// OSDOp: one op of an MOSDOp / MOSDOpReply with its slice of the message's data segment.
// Sources (ceph/ceph): src/osd/osd_types.h struct OSDOp (ceph_osd_op op; bufferlist indata,
// outdata; errorcode32_t rval); src/osd/osd_types.cc OSDOp::split_osd_op_vector_in_data /
// merge_osd_op_vector_in_data / split_osd_op_vector_out_data / merge_osd_op_vector_out_data
// (each op's slice is op.payload_len bytes of the data segment, in op order; merging sets
// payload_len to the slice length). Pacific has no multi-object ops, so nothing else is in the
// data segment.
//
// Splitting gives views into the data segment (a 4 MiB write is never copied). Strictness:
// the sum of payload_len must equal the data segment's length (Ceph ignores a longer data
// segment and throws on a shorter one).
//
// The interpret_* helpers decode an op's input/output by op code into the typed payloads
// (notify, notify-ack, call, stat, list-watchers), or return the raw bytes.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "codec/bytes.h"
#include "codec/error.h"
#include "codec/messages/call_indata_t.h"
#include "codec/messages/ceph_osd_op.h"
#include "codec/messages/notify_ack_indata_t.h"
#include "codec/messages/notify_indata_t.h"
#include "codec/messages/notify_outdata_t.h"
#include "codec/messages/obj_list_watch_response_t.h"
#include "codec/messages/stat_outdata_t.h"

namespace cephwire::codec {

struct OSDOp {
  static constexpr size_t kWireMinSize = ceph_osd_op::kWireMinSize;
  ceph_osd_op op;
  Bytes indata;      // request input (MOSDOp data segment slice)
  Bytes outdata;     // reply output (MOSDOpReply data segment slice)
  int32_t rval = 0;  // per-op result (MOSDOpReply v4+)

  OSDOp() = default;
  explicit OSDOp(const ceph_osd_op& o, Bytes in = {}) : op(o), indata(std::move(in)) {}

  bool operator==(const OSDOp&) const = default;
};

// How a message writes each op's payload_len: from indata (MOSDOp), from outdata
// (MOSDOpReply v4+), or as stored (MOSDOpReply v1-v3, whose data segment is not split).
enum class OpPayload : uint8_t { kIn, kOut, kAsIs };

// Visits `n` packed ceph_osd_op (no count: the caller visits the count in the message's own
// width). The decoder checks n against the bytes left before allocating.
template <class V>
bool visit_osd_ops(V& v, const char* name, std::vector<OSDOp>& ops, size_t n, OpPayload src) {
  v.push_for_path(name);
  bool ok = true;
  if constexpr (V::kDecoding) {
    ok = v.bound(n, ceph_osd_op::kWireMinSize);
    if (ok) {
      ops.clear();
      ops.resize(n);
      for (size_t i = 0; ok && i < n; ++i) {
        v.push(nullptr, static_cast<int64_t>(i));
        ok = v.field(ops[i].op);
        v.pop();
      }
    }
  } else {
    for (size_t i = 0; i < n && i < ops.size(); ++i) {
      ceph_osd_op o = ops[i].op;
      if (src == OpPayload::kIn) o.payload_len = static_cast<uint32_t>(ops[i].indata.size());
      if (src == OpPayload::kOut) o.payload_len = static_cast<uint32_t>(ops[i].outdata.size());
      v.field(o);
    }
  }
  v.pop_for_path();
  return ok;
}

// Splits `data` into the ops' indata (in) or outdata (out) by payload_len, as views. Errors:
// kLengthTooLarge at "<root>.ops[i].payload_len" when the slices run past the data segment
// (offset = where the slice starts in the data segment), kTrailingBytes at "<root>.data" when
// bytes are left over.
Result<void> split_osd_op_vector_in_data(std::vector<OSDOp>& ops, const Bytes& data,
                                         const char* root);
Result<void> split_osd_op_vector_out_data(std::vector<OSDOp>& ops, const Bytes& data,
                                          const char* root);
// The split without building an error: false (ops unchanged) when the lengths do not add up.
inline bool try_split_osd_op_vector_data(std::vector<OSDOp>& ops, const Bytes& data, bool in) {
  uint64_t total = 0;
  for (const auto& o : ops) total += o.op.payload_len;
  if (total != data.size()) return false;
  const uint8_t* p = data.data();
  for (auto& o : ops) {
    const uint32_t n = o.op.payload_len;
    (in ? o.indata : o.outdata).set_view(n ? p : nullptr, n);
    p += n;
  }
  return true;
}
// Joins the ops' indata / outdata into one data segment. With a single non-empty slice that
// is a view, the result is that same view (no copy); otherwise one owned buffer.
Bytes merge_osd_op_vector_in_data(const std::vector<OSDOp>& ops);
Bytes merge_osd_op_vector_out_data(const std::vector<OSDOp>& ops);
// Sum of payload lengths the merge would produce.
uint64_t total_indata(const std::vector<OSDOp>& ops);
uint64_t total_outdata(const std::vector<OSDOp>& ops);

// ---- typed interpretation by op code ----
// MOSDOp input: NOTIFY -> notify_indata_t; NOTIFY_ACK -> notify_ack_indata_t (legacy form:
// empty input, notify_id = op.watch.cookie); CALL -> call_indata_t; ops that take no input
// (WATCH, LIST_WATCHERS, STAT, ...) with an empty input -> std::monostate; everything else
// (WRITE/WRITEFULL data, unknown ops) -> the raw Bytes.
using OpInput =
    std::variant<std::monostate, Bytes, notify_indata_t, notify_ack_indata_t, call_indata_t>;
// MOSDOpReply output: NOTIFY -> notify_outdata_t; STAT -> stat_outdata_t; LIST_WATCHERS ->
// obj_list_watch_response_t; empty output -> std::monostate; everything else -> raw Bytes.
using OpOutput =
    std::variant<std::monostate, Bytes, notify_outdata_t, stat_outdata_t, obj_list_watch_response_t>;

// Errors name "<op-name>.indata..." / "<op-name>.outdata..." with offsets into the slice.
Result<OpInput> interpret_indata(const OSDOp& op);
Result<OpOutput> interpret_outdata(const OSDOp& op);

// Builders for requests (op + encoded indata, payload_len set).
OSDOp make_notify_op(uint64_t cookie, const notify_indata_t& in);
OSDOp make_notify_ack_op(const notify_ack_indata_t& in);
OSDOp make_call_op(const call_indata_t& in);
OSDOp make_write_op(uint16_t op_code, uint64_t offset, Bytes data);  // WRITE / WRITEFULL / APPEND

// JSON of one op: the ceph_osd_op fields, "rval" when `with_rval`, and its non-empty
// input (`request`) or output interpreted by op code as "indata" / "outdata" (an
// uninterpretable payload is shown as {"error", "raw"}).
void dump_osd_op(JsonWriter& w, const OSDOp& op, bool request, bool with_rval);

}  // namespace cephwire::codec
