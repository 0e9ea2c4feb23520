#include "codec/messages/registry.h"

#include "codec/messages/rados.h"

namespace cephwire::codec {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string op_text(const OSDOp& o, bool request, MessageSummary& s) {
  const char* name = ceph_osd_op_name(o.op.op);
  std::string t = name ? name : "op_" + std::to_string(o.op.op);
  if (o.op.op == osd_op::kWatch) {
    auto w = o.op.watch();
    const char* wn = ceph_osd_watch_op_name(w.op);
    t += std::string(" ") + (wn ? wn : "?") + " cookie=" + std::to_string(w.cookie) +
         " gen=" + std::to_string(w.gen);
    if (w.timeout) t += " timeout=" + std::to_string(w.timeout);
    s.cookies.push_back(w.cookie);
  } else if (o.op.op == osd_op::kNotify) {
    auto n = o.op.notify();
    t += " cookie=" + std::to_string(n.cookie);
    s.cookies.push_back(n.cookie);
  }
  if (request) {
    if (auto in = interpret_indata(o)) {
      if (auto* n = std::get_if<notify_indata_t>(&*in)) {
        t += " timeout=" + std::to_string(n->timeout) + "s payload=" +
             std::to_string(n->payload.size()) + "B";
      } else if (auto* a = std::get_if<notify_ack_indata_t>(&*in)) {
        t += " notify_id=" + std::to_string(a->notify_id) + " cookie=" + std::to_string(a->cookie);
        if (a->has_reply) t += " reply=" + std::to_string(a->reply.size()) + "B";
        s.notify_ids.push_back(a->notify_id);
        s.cookies.push_back(a->cookie);
      } else if (auto* c = std::get_if<call_indata_t>(&*in)) {
        t += " " + c->class_name + "." + c->method_name;
      } else if (auto* b = std::get_if<Bytes>(&*in)) {
        t += " " + std::to_string(b->size()) + "B";
      }
    }
  } else {
    t += " rval=" + std::to_string(o.rval);
    if (auto out = interpret_outdata(o)) {
      if (auto* n = std::get_if<notify_outdata_t>(&*out)) {
        t += " notify_id=" + std::to_string(n->notify_id);
        s.notify_ids.push_back(n->notify_id);
      } else if (auto* l = std::get_if<obj_list_watch_response_t>(&*out)) {
        t += " watchers=" + std::to_string(l->entries.size());
        for (const auto& e : l->entries) {
          s.cookies.push_back(e.cookie);
          s.gids.push_back(static_cast<uint64_t>(e.name.num));
        }
      }
    }
  }
  return t;
}

}  // namespace

std::string message_type_name(uint16_t type) {
  switch (type) {
    case MOSDOp::kType: return MOSDOp::kName;
    case MOSDOpReply::kType: return MOSDOpReply::kName;
    case MWatchNotify::kType: return MWatchNotify::kName;
  }
  if (const char* n = mon_message_name(type)) return n;
  return "type_" + std::to_string(type);
}

Result<AnyMessage> decode_message(const MessageParts& p) {
  switch (p.type) {
    case MOSDOp::kType: {
      auto m = MOSDOp::decode(p);
      if (!m) return tl::unexpected(m.error());
      return AnyMessage{std::move(*m)};
    }
    case MOSDOpReply::kType: {
      auto m = MOSDOpReply::decode(p);
      if (!m) return tl::unexpected(m.error());
      return AnyMessage{std::move(*m)};
    }
    case MWatchNotify::kType: {
      auto m = MWatchNotify::decode(p);
      if (!m) return tl::unexpected(m.error());
      return AnyMessage{std::move(*m)};
    }
  }
  auto m = decode_mon_message(p);
  if (!m) return tl::unexpected(m.error());
  return AnyMessage{std::move(*m)};
}

void encode_message(const AnyMessage& m, MessageParts& out) {
  std::visit(Overloaded{[&](const MonMessage& x) { encode_mon_message(x, out); },
                        [&](const auto& x) { x.encode(out); }},
             m);
}

void dump_message(const AnyMessage& m, JsonWriter& w) {
  std::visit(Overloaded{[&](const MonMessage& x) { dump_mon_message(x, w); },
                        [&](const auto& x) { x.dump(w); }},
             m);
}

MessageSummary summarize(const AnyMessage& m) {
  MessageSummary s;
  if (auto* op = std::get_if<MOSDOp>(&m)) {
    s.objects.push_back(op->oid);
    s.text = (op->oloc.nspace.empty() ? "" : op->oloc.nspace + "/") + op->oid + " [";
    for (size_t i = 0; i < op->ops.size(); ++i) {
      if (i) s.text += ", ";
      s.text += op_text(op->ops[i], true, s);
    }
    s.text += "] epoch=" + std::to_string(op->osdmap_epoch);
    if (op->retry_attempt) s.text += " attempt=" + std::to_string(op->retry_attempt);
  } else if (auto* r = std::get_if<MOSDOpReply>(&m)) {
    s.objects.push_back(r->oid);
    s.text = r->oid + " [";
    for (size_t i = 0; i < r->ops.size(); ++i) {
      if (i) s.text += ", ";
      s.text += op_text(r->ops[i], false, s);
    }
    s.text += "] result=" + std::to_string(r->result);
  } else if (auto* n = std::get_if<MWatchNotify>(&m)) {
    const char* ev = ceph_watch_event_name(n->opcode);
    s.text = std::string(ev ? ev : "?") + " cookie=" + std::to_string(n->cookie) +
             " notify_id=" + std::to_string(n->notify_id) +
             " notifier=" + std::to_string(n->notifier_gid);
    if (n->opcode == 1) s.text += " payload=" + std::to_string(n->bl.size()) + "B";
    if (n->return_code) s.text += " rc=" + std::to_string(n->return_code);
    if (n->completion) {
      s.text += " acks=" + std::to_string(n->completion->acks.size()) +
                " timeouts=" + std::to_string(n->completion->timeouts.size());
    }
    s.cookies.push_back(n->cookie);
    s.notify_ids.push_back(n->notify_id);
    s.gids.push_back(n->notifier_gid);
  } else if (auto* mon = std::get_if<MonMessage>(&m)) {
    if (auto* a = std::get_if<MAuthReply>(mon)) {
      s.text = "global_id=" + std::to_string(a->global_id) + " result=" + std::to_string(a->result);
      s.gids.push_back(a->global_id);
    } else if (auto* o = std::get_if<OpaqueMessage>(mon)) {
      s.text = o->describe();
    }
  }
  return s;
}

}  // namespace cephwire::codec
