#include "conformance/replay_mode.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <set>

#include "client/wire.h"
#include "codec/messages/MOSDOp.h"
#include "codec/messages/registry.h"

namespace cephwire::conformance {

namespace {

namespace osd_op = client::osd_op;
using client::replay::ClientRecording;
using client::replay::Input;
using client::replay::InputKind;

const CaseInfo& the(std::string_view id) {
  const CaseInfo* c = find_case(id);
  // The ids below are this file's own constants: a missing one is a programming error that
  // the tests catch (replay_mode_test: every replay-mode case is produced).
  static const CaseInfo missing{"?/?/?", "?", "?", mode::kReplay};
  return c ? *c : missing;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The op name a difference starts with (client/replay.cc op_name), longest first.
constexpr std::string_view kOpNames[] = {
    "WATCH(legacy)", "LIST_WATCHERS", "NOTIFY_ACK", "RECONNECT", "WRITEFULL", "UNWATCH",
    "NOTIFY",        "WATCH",         "PING",       "READ",      "STAT",      "op 0x"};

std::string_view leading_op(std::string_view s) {
  for (auto n : kOpNames) {
    if (!starts_with(s, n)) continue;
    if (n == "op 0x" || s.size() == n.size()) return n;
    const char c = s[n.size()];
    if (c == ' ' || c == ':' || c == ',' || c == ')') return n;
  }
  return {};
}

struct Acc {
  CaseResult r;
  std::vector<std::pair<uint64_t, uint64_t>> failing;  // examples of failures, first
  std::set<std::pair<uint64_t, uint64_t>> seen;
  bool unsupported = false;
  void example(uint64_t frame, uint64_t conn, bool failure = false) {
    if (frame == 0 || !seen.insert({frame, conn}).second) return;
    auto& v = failure ? failing : r.examples;
    if (v.size() < 12) v.emplace_back(frame, conn);
  }
};

std::string line_for(const ClientRecording& rec, const Input& in) {
  const std::string me = "client." + std::to_string(rec.gid);
  const std::string osd = "osd." + std::to_string(in.osd);
  const bool out = in.kind == InputKind::kRequest;
  char t[32];
  std::snprintf(t, sizeof t, "+%.3fs",
                std::chrono::duration<double>(in.time - rec.start).count());
  std::string line = "frame " + std::to_string(in.frame) + " " + t + " " + (out ? me : osd) +
                     " -> " + (out ? osd : me) + " " + codec::message_type_name(in.msg.type) +
                     " tid=" + std::to_string(in.msg.tid);
  if (auto m = codec::decode_message(in.msg)) {
    const auto s = codec::summarize(*m);
    if (!s.text.empty()) line += " " + s.text;
  }
  return line;
}

}  // namespace

DifferenceClass classify_difference(std::string_view what) {
  DifferenceClass c;
  std::string_view s = what;
  for (std::string_view p : {"missing request: recorded ", "extra request: core sent ",
                             "missing ", "extra "})
    if (starts_with(s, p)) {
      s.remove_prefix(p.size());
      break;
    }
  auto add = [&](std::string_view id) { c.cases.push_back(&the(id)); };
  if (starts_with(s, "no user call for")) {
    c.unsupported = true;
    return c;
  }
  if (starts_with(s, "core refused unwatch")) {
    add("watch/unwatch/last");
    return c;
  }
  if (starts_with(s, "watch error callback")) {
    add("watch/error/callback");
    return c;
  }
  if (starts_with(s, "notify callback")) {
    add("notify/deliver/callback");
    return c;
  }
  const std::string_view op = leading_op(s);
  const bool gen = s.find(" gen:") != std::string_view::npos;
  if (op == "WATCH" || op == "WATCH(legacy)") {
    add("watch/register/commit");
    if (s.find(" flags:") != std::string_view::npos) add("watch/register/write-flag");
  } else if (op == "PING") {
    // A ping sent at the right time with another generation is a generation difference only.
    add(gen ? "watch/ping/gen" : "watch/ping/cadence");
  } else if (op == "RECONNECT") {
    add(gen ? "watch/reconnect/gen" : "watch/reconnect/after-reset");
  } else if (op == "UNWATCH") {
    add("watch/unwatch/last");
  } else if (op == "NOTIFY") {
    add("notify/complete/exactly-once");
  } else if (op == "NOTIFY_ACK") {
    add("notify/ack/payload");
  } else if (!op.empty()) {
    add("session/ops/plain");
  }
  if (s.find("MOSDOp bytes differ") != std::string_view::npos) add("encoding/mosdop/byte-exact");
  return c;
}

InputRun replay_clients(const std::vector<ClientRecording>& clients, std::string name) {
  InputRun run;
  run.name = std::move(name);
  run.mode = "replay";
  const auto t0 = std::chrono::steady_clock::now();
  std::map<const CaseInfo*, Acc> acc;
  for (const auto& info : catalog())
    if (info.modes & mode::kReplay) acc[&info].r.info = &info;
  auto at = [&](std::string_view id) -> Acc& { return acc[&the(id)]; };

  for (const auto& rec : clients) {
    const auto res = client::replay::replay_client(rec);
    const std::string who = "client." + std::to_string(rec.gid);
    std::map<uint64_t, uint64_t> conn_of_frame;  // first connection with an item in the frame
    std::map<std::pair<uint64_t, uint64_t>, const Input*> first_input;
    auto exercise = [&](std::string_view id, const Input& in) {
      Acc& a = at(id);
      ++a.r.checked;
      a.example(in.frame, in.conn);
    };
    // What the recorded client exercised.
    std::map<uint64_t, uint64_t> notify_pending;  // notify cookie -> tid without a reply yet
    size_t races = 0;
    std::vector<const Input*> race_inputs;
    for (const auto& in : rec.inputs) {
      if (in.kind == InputKind::kOpened || in.kind == InputKind::kClosed) continue;
      conn_of_frame.emplace(in.frame, in.conn);
      first_input.emplace(std::make_pair(in.frame, in.conn), &in);
      if (in.kind == InputKind::kRequest) {
        auto m = codec::MOSDOp::decode(in.msg);
        if (!m || m->ops.empty()) continue;
        ++at("session/replay/identical").r.checked;
        exercise("encoding/mosdop/byte-exact", in);
        const uint16_t op = m->ops[0].op.op;
        const uint8_t wop = op == osd_op::kWatch ? m->ops[0].op.watch().op : 0;
        if (op == osd_op::kWatch) {
          switch (wop) {
            case osd_op::kWatchWatch:
            case osd_op::kWatchLegacy:
              exercise("watch/register/commit", in);
              exercise("watch/register/write-flag", in);
              break;
            case osd_op::kWatchPing:
              exercise("watch/ping/cadence", in);
              exercise("watch/ping/gen", in);
              break;
            case osd_op::kWatchReconnect:
              exercise("watch/reconnect/after-reset", in);
              exercise("watch/reconnect/gen", in);
              break;
            case osd_op::kWatchUnwatch:
              exercise("watch/unwatch/last", in);
              break;
            default:
              break;
          }
        } else if (op == osd_op::kNotify) {
          notify_pending[m->ops[0].op.notify().cookie] = in.msg.tid;
        } else if (op == osd_op::kNotifyAck) {
          exercise("notify/ack/payload", in);
        } else if (op == osd_op::kListWatchers || op == osd_op::kWriteFull ||
                   op == osd_op::kRead || op == osd_op::kStat) {
          exercise("session/ops/plain", in);
        }
      } else if (in.kind == InputKind::kReply) {
        if (auto r = client::wire::decode_reply(in.msg, in.osd))
          for (auto it = notify_pending.begin(); it != notify_pending.end();)
            it = it->second == r->tid ? notify_pending.erase(it) : std::next(it);
      } else if (in.kind == InputKind::kWatchNotify) {
        auto n = client::wire::decode_watch_notify(in.msg, in.osd);
        if (!n || n->opcode != client::kWatchEventNotifyComplete) continue;
        exercise("notify/complete/exactly-once", in);
        if (notify_pending.count(n->cookie)) {  // the completion before the op's reply
          ++races;
          race_inputs.push_back(&in);
          notify_pending.erase(n->cookie);
        }
      }
    }
    for (const auto* in : race_inputs) exercise("notify/complete/before-op-reply", *in);
    if (rec.callbacks) {
      for (const auto& cb : *rec.callbacks)
        ++at(cb.kind == client::replay::ExpectedCallback::Kind::kNotify
                 ? "notify/deliver/callback"
                 : "watch/error/callback")
              .r.checked;
    }
    if (res.requests == 0 && rec.callbacks && !rec.callbacks->empty())
      ++at("session/replay/identical").r.checked;

    // The differences, by case.
    bool notify_diff = false;
    for (const auto& d : res.diffs) {
      const auto it = conn_of_frame.find(d.frame);
      const uint64_t conn = it == conn_of_frame.end() ? 0 : it->second;
      const Finding f{d.frame, conn, who + ": " + d.what};
      const auto cls = classify_difference(d.what);
      Acc& all = at("session/replay/identical");
      if (cls.unsupported) {
        all.r.notes.push_back(f);
        all.unsupported = true;
        all.example(d.frame, conn);
        continue;
      }
      all.r.failures.push_back(f);
      all.example(d.frame, conn, true);
      for (const CaseInfo* c : cls.cases) {
        Acc& a = acc[c];
        a.r.failures.push_back(f);
        if (a.r.checked == 0) a.r.checked = 1;  // the core did it where librados did not
        a.example(d.frame, conn, true);
        if (c->id == "notify/complete/exactly-once" || c->id == "notify/deliver/callback")
          notify_diff = true;
      }
    }
    if (races && notify_diff) {
      Acc& a = at("notify/complete/before-op-reply");
      for (const auto& f : at("notify/complete/exactly-once").r.failures) a.r.failures.push_back(f);
      for (const auto& f : at("notify/deliver/callback").r.failures) a.r.failures.push_back(f);
    }
    // The one-line decodes of every message an example points at.
    for (auto& [info, a] : acc) {
      for (const auto* v : {&a.failing, &a.r.examples})
        for (const auto& key : *v) {
          if (run.wire.count(key)) continue;
          auto in = first_input.find(key);
          if (in == first_input.end()) continue;
          std::string lines;
          for (const auto& other : rec.inputs) {
            if (other.frame != key.first || other.conn != key.second ||
                other.kind == InputKind::kOpened || other.kind == InputKind::kClosed)
              continue;
            if (!lines.empty()) lines += "\n";
            lines += who + " " + line_for(rec, other);
          }
          run.wire[key] = std::move(lines);
        }
    }
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& info : catalog()) {
    if (!(info.modes & mode::kReplay)) continue;
    Acc& a = acc[&info];
    CaseResult r = std::move(a.r);
    r.verdict = !r.failures.empty() ? Verdict::kFail
                : a.unsupported     ? Verdict::kUnsupported
                : r.checked         ? Verdict::kPass
                                    : Verdict::kNotExercised;
    std::vector<std::pair<uint64_t, uint64_t>> ex = std::move(a.failing);
    for (const auto& e : r.examples)
      if (ex.size() < 12) ex.push_back(e);
    r.examples = std::move(ex);
    run.results.push_back(std::move(r));
  }
  return run;
}

}  // namespace cephwire::conformance
