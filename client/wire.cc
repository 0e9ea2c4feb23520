#include "client/wire.h"

#include <cstring>

#include "codec/denc.h"
#include "codec/messages/obj_list_watch_response_t.h"
#include "codec/messages/object_locator_t.h"
#include "codec/messages/rados.h"

namespace cephwire::client::wire {

namespace {

bool is_write_data_op(uint16_t op) {
  return op == osd_op::kWriteFull || op == 0x2201 /* WRITE */ || op == 0x2206 /* APPEND */;
}

}  // namespace

bool carries_mtime(const OsdRequest& req) {
  if (!(req.flags & osd_op::kFlagWrite)) return false;
  for (const auto& op : req.ops)
    if (op.op == osd_op::kWatch && op.watch_op == osd_op::kWatchPing) return false;
  return true;
}

codec::utime_t mtime_for(const OsdRequest& req, codec::utime_t now,
                         std::optional<codec::utime_t> watch_mtime) {
  if (!carries_mtime(req)) return {};
  if (watch_mtime && !req.ops.empty() && req.ops[0].op == osd_op::kWatch &&
      (req.ops[0].watch_op == osd_op::kWatchWatch ||
       req.ops[0].watch_op == osd_op::kWatchReconnect))
    return *watch_mtime;
  return now;
}

codec::OSDOp to_osd_op(const OpSpec& s) {
  codec::ceph_osd_op o;
  if (s.raw_union) {  // a generic op: the union exactly as its ObjectOperation built it
    o = codec::ceph_osd_op::make(s.op);
    o.u = *s.raw_union;
    o.flags = s.flags;
    o.payload_len = static_cast<uint32_t>(s.indata.size());
    return codec::OSDOp(o, s.indata);
  }
  switch (s.op) {
    case osd_op::kWatch:
      o = codec::ceph_osd_op::make_watch(s.cookie, s.watch_op, s.gen, s.timeout);
      break;
    case osd_op::kNotify:
      o = codec::ceph_osd_op::make_notify(s.cookie);
      break;
    case osd_op::kRead:
    case osd_op::kStat:
    case osd_op::kWriteFull:
    case osd_op::kCreate:
      o = codec::ceph_osd_op::make_extent(s.op, s.offset, s.length);
      break;
    default:  // NOTIFY_ACK, LIST_WATCHERS, ...: the union stays zero
      o = codec::ceph_osd_op::make(s.op);
      break;
  }
  o.flags = s.flags;
  o.payload_len = static_cast<uint32_t>(s.indata.size());
  return codec::OSDOp(o, s.indata);
}

codec::MOSDOp to_mosdop(const OsdRequest& req, const OpContext& ctx) {
  codec::MOSDOp m;
  to_mosdop_into(req, ctx, m);
  return m;
}

void to_mosdop_into(const OsdRequest& req, const OpContext& ctx, codec::MOSDOp& m) {
  std::vector<codec::OSDOp> ops = std::move(m.ops);
  ops.clear();
  m = codec::MOSDOp{};
  m.ops = std::move(ops);
  m.header_version = 8;
  m.pgid.pgid.pool = static_cast<uint64_t>(req.obj.pool);
  m.pgid.pgid.seed = req.target.pg_seed;
  m.pgid.shard = ctx.shard;
  m.hash = req.target.hash;
  m.osdmap_epoch = req.target.epoch;
  m.flags = req.flags;
  m.client_inc = 0;
  m.mtime = ctx.mtime;
  m.oloc = codec::object_locator_t::make(req.obj.pool, req.obj.nspace, req.obj.key);
  m.oid = req.obj.name;
  m.ops.reserve(req.ops.size());
  for (const auto& s : req.ops) m.ops.push_back(to_osd_op(s));
  m.snapid = req.snap.snapid;
  m.snap_seq = req.snap.snap_seq;
  m.snaps = req.snap.snaps;
  m.retry_attempt = req.attempt;
  m.features = ctx.features;
}

codec::MessageParts to_message(const OsdRequest& req, const OpContext& ctx,
                               codec::MOSDOp* scratch, std::vector<uint8_t>* front) {
  codec::MessageParts p;
  p.tid = req.tid;
  p.priority = kOsdOpPriority;
  if (!req.ops.empty() && is_write_data_op(req.ops[0].op)) {
    uint64_t off = req.ops[0].offset;
    if (req.ops[0].raw_union) std::memcpy(&off, req.ops[0].raw_union->data(), 8);  // extent.offset
    p.data_off = static_cast<uint16_t>(off);
  }
  const codec::MOSDOp* m = scratch;
  codec::MOSDOp local;
  if (scratch) {
    to_mosdop_into(req, ctx, *scratch);
  } else {
    local = to_mosdop(req, ctx);
    m = &local;
  }
  if (front) {
    m->encode(p, *front);
  } else {
    m->encode(p);
  }
  // merge_osd_op_vector_in_data passes a single view through: make the message self-contained
  // (a front of our own is encoded into its own buffer already, or into `front` by request).
  if (!front && p.front.is_view()) p.front = p.front.owned();
  if (p.data.is_view() && !p.data.empty()) p.data = p.data.owned();
  return p;
}

OsdReply from_reply(const codec::MOSDOpReply& r, int32_t osd, uint64_t tid) {
  OsdReply out;
  from_reply_into(r, osd, tid, out);
  return out;
}

void from_reply_into(const codec::MOSDOpReply& r, int32_t osd, uint64_t tid, OsdReply& out) {
  out.osd = osd;
  out.tid = tid;
  out.result = r.result;
  out.epoch = r.osdmap_epoch;
  out.rvals.clear();
  out.outdata.clear();
  out.rvals.reserve(r.ops.size());
  out.outdata.reserve(r.ops.size());
  for (const auto& op : r.ops) {
    out.rvals.push_back(op.rval);
    out.outdata.push_back(op.outdata);
  }
}

codec::Result<OsdReply> decode_reply(const codec::MessageParts& p, int32_t osd) {
  auto r = codec::MOSDOpReply::decode(p);
  if (!r) return tl::unexpected(r.error());
  return from_reply(*r, osd, p.tid);
}

codec::Result<void> decode_reply_into(const codec::MessageParts& p, int32_t osd, OsdReply& out,
                                      codec::MOSDOpReply* scratch) {
  codec::MOSDOpReply local;
  codec::MOSDOpReply& m = scratch ? *scratch : local;
  if (auto r = codec::MOSDOpReply::decode_into(p, m); !r) return tl::unexpected(r.error());
  from_reply_into(m, osd, p.tid, out);
  return {};
}

WatchNotifyMsg from_watch_notify(const codec::MWatchNotify& m, const codec::MessageParts& p,
                                 int32_t osd) {
  WatchNotifyMsg out;
  out.osd = osd;
  out.opcode = m.opcode;
  out.cookie = m.cookie;
  out.notify_id = m.notify_id;
  out.payload = m.bl;
  out.return_code = m.return_code;
  out.notifier_gid = m.notifier_gid;
  out.data = p.data;
  return out;
}

codec::Result<WatchNotifyMsg> decode_watch_notify(const codec::MessageParts& p, int32_t osd) {
  auto m = codec::MWatchNotify::decode(p);
  if (!m) return tl::unexpected(m.error());
  return from_watch_notify(*m, p, osd);
}

codec::Result<std::vector<WatcherEntry>> watchers_from(const codec::Bytes& outdata) {
  auto r = codec::decode_as<codec::obj_list_watch_response_t>(outdata.span(),
                                                              "obj_list_watch_response_t");
  if (!r) return tl::unexpected(r.error());
  std::vector<WatcherEntry> out;
  out.reserve(r->entries.size());
  for (const auto& e : r->entries) {
    WatcherEntry w;
    const char* type = codec::entity_type_name(e.name.type);
    w.name = std::string(type ? type : "unknown") + "." + std::to_string(e.name.num);
    w.cookie = e.cookie;
    w.timeout_seconds = e.timeout_seconds;
    w.addr = e.addr.to_string();
    out.push_back(std::move(w));
  }
  return out;
}

uint16_t first_op(const OsdRequest& req) { return req.ops.empty() ? 0 : req.ops[0].op; }
uint8_t first_watch_op(const OsdRequest& req) {
  return !req.ops.empty() && req.ops[0].op == osd_op::kWatch ? req.ops[0].watch_op : 0;
}

}  // namespace cephwire::client::wire
