#include "codec/messages/OSDOp.h"

#include <cstring>
#include <string>
#include <type_traits>
#include <variant>

#include "codec/messages/rados.h"

namespace cephwire::codec {

namespace {

Result<void> split(std::vector<OSDOp>& ops, const Bytes& data, const char* root, bool in) {
  size_t pos = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    const uint32_t n = ops[i].op.payload_len;
    if (n > data.size() - pos) {
      return make_error(ErrorKind::kLengthTooLarge,
                        std::string(root) + ".ops[" + std::to_string(i) + "].payload_len", pos,
                        "payload_len " + std::to_string(n) + " but " +
                            std::to_string(data.size() - pos) + " data bytes left");
    }
    Bytes slice = Bytes::view({data.data() + pos, n});
    if (in) {
      ops[i].indata = std::move(slice);
    } else {
      ops[i].outdata = std::move(slice);
    }
    pos += n;
  }
  if (pos != data.size())
    return make_error(ErrorKind::kTrailingBytes, std::string(root) + ".data", pos,
                      std::to_string(data.size() - pos) +
                          " data bytes not claimed by any op's payload_len");
  return {};
}

template <class Get>
Bytes merge(const std::vector<OSDOp>& ops, Get get) {
  const Bytes* only = nullptr;
  size_t total = 0, nonempty = 0;
  for (const auto& o : ops) {
    const Bytes& b = get(o);
    if (b.empty()) continue;
    ++nonempty;
    only = &b;
    total += b.size();
  }
  if (nonempty == 0) return Bytes();
  if (nonempty == 1 && only->is_view()) return *only;  // a view: no copy
  std::vector<uint8_t> out(total);
  size_t pos = 0;
  for (const auto& o : ops) {
    const Bytes& b = get(o);
    if (b.empty()) continue;
    std::memcpy(out.data() + pos, b.data(), b.size());
    pos += b.size();
  }
  return Bytes(std::move(out));
}

std::string op_label(const OSDOp& op) {
  const char* n = ceph_osd_op_name(op.op.op);
  return n ? std::string(n) : "op" + std::to_string(op.op.op);
}

template <class T>
Result<T> decode_payload(T proto, const Bytes& b, const std::string& root) {
  auto r = decode_into(std::move(proto), b.span(), root.c_str());
  if (!r) return tl::unexpected(r.error());
  return std::move(*r);
}

}  // namespace

Result<void> split_osd_op_vector_in_data(std::vector<OSDOp>& ops, const Bytes& data,
                                         const char* root) {
  return split(ops, data, root, true);
}
Result<void> split_osd_op_vector_out_data(std::vector<OSDOp>& ops, const Bytes& data,
                                          const char* root) {
  return split(ops, data, root, false);
}
Bytes merge_osd_op_vector_in_data(const std::vector<OSDOp>& ops) {
  return merge(ops, [](const OSDOp& o) -> const Bytes& { return o.indata; });
}
Bytes merge_osd_op_vector_out_data(const std::vector<OSDOp>& ops) {
  return merge(ops, [](const OSDOp& o) -> const Bytes& { return o.outdata; });
}
uint64_t total_indata(const std::vector<OSDOp>& ops) {
  uint64_t n = 0;
  for (const auto& o : ops) n += o.indata.size();
  return n;
}
uint64_t total_outdata(const std::vector<OSDOp>& ops) {
  uint64_t n = 0;
  for (const auto& o : ops) n += o.outdata.size();
  return n;
}

Result<OpInput> interpret_indata(const OSDOp& op) {
  const std::string root = op_label(op) + ".indata";
  switch (op.op.op) {
    case osd_op::kNotify: {
      auto r = decode_payload(notify_indata_t{}, op.indata, root);
      if (!r) return tl::unexpected(r.error());
      return OpInput(std::move(*r));
    }
    case osd_op::kNotifyAck: {
      auto r = decode_payload(notify_ack_indata_t{}, op.indata, root);
      if (!r) return tl::unexpected(r.error());
      if (r->legacy) r->notify_id = op.op.watch().cookie;
      return OpInput(std::move(*r));
    }
    case osd_op::kCall: {
      auto r = decode_payload(call_indata_t::for_op(op.op), op.indata, root);
      if (!r) return tl::unexpected(r.error());
      return OpInput(std::move(*r));
    }
    default:
      break;
  }
  if (op.indata.empty()) return OpInput(std::monostate{});
  return OpInput(op.indata);
}

Result<OpOutput> interpret_outdata(const OSDOp& op) {
  const std::string root = op_label(op) + ".outdata";
  if (op.outdata.empty()) return OpOutput(std::monostate{});
  switch (op.op.op) {
    case osd_op::kNotify: {
      auto r = decode_payload(notify_outdata_t{}, op.outdata, root);
      if (!r) return tl::unexpected(r.error());
      return OpOutput(*r);
    }
    case osd_op::kStat: {
      auto r = decode_payload(stat_outdata_t{}, op.outdata, root);
      if (!r) return tl::unexpected(r.error());
      return OpOutput(*r);
    }
    case osd_op::kListWatchers: {
      auto r = decode_payload(obj_list_watch_response_t{}, op.outdata, root);
      if (!r) return tl::unexpected(r.error());
      return OpOutput(std::move(*r));
    }
    default:
      return OpOutput(op.outdata);
  }
}

namespace {
template <class T>
OSDOp with_encoded(ceph_osd_op o, const T& v) {
  Bytes in(encode_to_vector(v));
  o.payload_len = static_cast<uint32_t>(in.size());
  return OSDOp(o, std::move(in));
}
}  // namespace

OSDOp make_notify_op(uint64_t cookie, const notify_indata_t& in) {
  return with_encoded(ceph_osd_op::make_notify(cookie), in);
}
OSDOp make_notify_ack_op(const notify_ack_indata_t& in) {
  ceph_osd_op o = ceph_osd_op::make(osd_op::kNotifyAck);
  if (in.legacy) {
    auto w = o.watch();
    w.cookie = in.notify_id;
    o.set_watch(w);
  }
  return with_encoded(o, in);
}
OSDOp make_call_op(const call_indata_t& in) {
  return with_encoded(ceph_osd_op::make_call(in.class_len, in.method_len, in.indata_len), in);
}
OSDOp make_write_op(uint16_t op_code, uint64_t offset, Bytes data) {
  ceph_osd_op o = ceph_osd_op::make_extent(op_code, offset, data.size());
  o.payload_len = static_cast<uint32_t>(data.size());
  return OSDOp(o, std::move(data));
}

void dump_osd_op(JsonWriter& w, const OSDOp& op, bool request, bool with_rval) {
  w.begin_object();
  op.op.dump_fields(w);
  if (with_rval) w.kv("rval", op.rval);
  if (request) {
    if (!op.indata.empty()) {
      auto r = interpret_indata(op);
      w.key("indata");
      if (!r) {
        w.begin_object();
        w.kv("error", r.error().to_string());
        w.key("raw");
        w.bytes(op.indata.span());
        w.end_object();
      } else {
        std::visit(
            [&](const auto& x) {
              using X = std::decay_t<decltype(x)>;
              if constexpr (std::is_same_v<X, std::monostate>) {
                w.null();
              } else if constexpr (std::is_same_v<X, Bytes>) {
                w.bytes(x.span());
              } else {
                dump_json(x, w);
              }
            },
            *r);
      }
    }
  } else if (!op.outdata.empty()) {
    auto r = interpret_outdata(op);
    w.key("outdata");
    if (!r) {
      w.begin_object();
      w.kv("error", r.error().to_string());
      w.key("raw");
      w.bytes(op.outdata.span());
      w.end_object();
    } else {
      std::visit(
          [&](const auto& x) {
            using X = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<X, std::monostate>) {
              w.null();
            } else if constexpr (std::is_same_v<X, Bytes>) {
              w.bytes(x.span());
            } else {
              dump_json(x, w);
            }
          },
          *r);
    }
  }
  w.end_object();
}

}  // namespace cephwire::codec
