#include "net/interceptor.h"

#include <charconv>
#include <map>

namespace cephwire::net {

std::string_view to_string(FaultAction a) {
  switch (a) {
    case FaultAction::kPass: return "pass";
    case FaultAction::kDrop: return "drop";
    case FaultAction::kDelay: return "delay";
    case FaultAction::kClose: return "close";
  }
  return "?";
}

bool FaultRule::matches(const FrameInfo& f) const {
  if (f.dir != dir) return false;
  if (peer_type >= 0 && f.peer_type != peer_type) return false;
  if (!kind.empty() && f.kind != kind) return false;
  if (msg_type >= 0 && (f.kind != "message" || f.msg_type != msg_type)) return false;
  if (osd_op >= 0 && f.osd_op != osd_op) return false;
  if (watch_op >= 0 && (f.osd_op != 0x220f || f.watch_op != watch_op)) return false;
  if (watch_event >= 0 && (f.msg_type != 44 || f.watch_event != watch_event)) return false;
  return true;
}

size_t Interceptor::add(FaultRule r) {
  rules_.push_back({std::move(r), 0});
  return rules_.size() - 1;
}

FaultVerdict Interceptor::on_frame(const FrameInfo& f) {
  FaultVerdict verdict;
  bool decided = false;
  for (size_t i = 0; i < rules_.size(); ++i) {
    Entry& e = rules_[i];
    if (!e.rule.enabled || !e.rule.matches(f)) continue;
    const uint64_t n = ++e.seen;
    if (decided || n < e.rule.nth) continue;
    if (e.rule.count != 0 && n >= e.rule.nth + e.rule.count) continue;
    decided = true;
    verdict.action = e.rule.action;
    verdict.delay = e.rule.delay;
    fired_.push_back({i, n, f, e.rule.action});
  }
  return verdict;
}

// ---------------------------------------------------------------------------------------
// text form

namespace {

std::optional<int64_t> number(std::string_view s) {
  int64_t v = 0;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

const std::map<std::string_view, int>& msg_types() {
  static const std::map<std::string_view, int> m = {
      {"ping", 2},          {"mon_map", 4},       {"mon_get_map", 5},
      {"mon_subscribe", 15}, {"mon_subscribe_ack", 16}, {"auth", 17},
      {"auth_reply", 18},   {"mon_get_version", 19}, {"mon_get_version_reply", 20},
      {"osd_map", 41},      {"osd_op", 42},       {"osd_opreply", 43},
      {"watch_notify", 44}, {"config", 62},
  };
  return m;
}

const std::map<std::string_view, int>& osd_ops() {
  static const std::map<std::string_view, int> m = {
      {"read", 0x1201},      {"stat", 0x1202},        {"notify", 0x1206},
      {"notify-ack", 0x1207}, {"list-watchers", 0x1209}, {"writefull", 0x2202},
      {"create", 0x220d},    {"watch", 0x220f},
  };
  return m;
}

const std::map<std::string_view, int>& watch_ops() {
  static const std::map<std::string_view, int> m = {
      {"unwatch", 0}, {"legacy", 1}, {"watch", 3}, {"reconnect", 5}, {"ping", 7},
  };
  return m;
}

const std::map<std::string_view, int>& watch_events() {
  static const std::map<std::string_view, int> m = {
      {"notify", 1}, {"notify_complete", 2}, {"disconnect", 3},
  };
  return m;
}

std::optional<int> lookup(const std::map<std::string_view, int>& names, std::string_view v) {
  if (auto it = names.find(v); it != names.end()) return it->second;
  if (auto n = number(v)) return static_cast<int>(*n);
  return std::nullopt;
}

tl::unexpected<codec::DecodeError> bad(std::string what) {
  return codec::make_error(codec::ErrorKind::kBadValue, "fault_rule", 0, std::move(what));
}

}  // namespace

codec::Result<FaultRule> FaultRule::parse(std::string_view text) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 2) return bad("expected DIR:ACTION[:key=value...] in \"" + std::string(text) + "\"");
  FaultRule r;
  if (parts[0] == "out") r.dir = Direction::kOut;
  else if (parts[0] == "in") r.dir = Direction::kIn;
  else return bad("direction must be out or in, got \"" + std::string(parts[0]) + "\"");
  const std::string_view act = parts[1];
  if (act == "drop") r.action = FaultAction::kDrop;
  else if (act == "close") r.action = FaultAction::kClose;
  else if (act.substr(0, 6) == "delay=") {
    auto ms = number(act.substr(6));
    if (!ms || *ms < 0) return bad("delay=MS needs a number of milliseconds");
    r.action = FaultAction::kDelay;
    r.delay = std::chrono::milliseconds(*ms);
  } else {
    return bad("action must be drop, close or delay=MS, got \"" + std::string(act) + "\"");
  }
  for (size_t i = 2; i < parts.size(); ++i) {
    const std::string_view kv = parts[i];
    const size_t eq = kv.find('=');
    if (eq == std::string_view::npos) return bad("expected key=value, got \"" + std::string(kv) + "\"");
    const std::string_view k = kv.substr(0, eq), v = kv.substr(eq + 1);
    std::optional<int> n;
    if (k == "peer") {
      if (v == "mon") r.peer_type = 1;
      else if (v == "osd") r.peer_type = 4;
      else return bad("peer must be mon or osd");
      continue;
    } else if (k == "kind") {
      r.kind = std::string(v);
      continue;
    } else if (k == "type") {
      n = lookup(msg_types(), v);
      if (n) r.msg_type = *n;
    } else if (k == "op") {
      n = lookup(osd_ops(), v);
      if (n) r.osd_op = *n;
    } else if (k == "watch_op") {
      n = lookup(watch_ops(), v);
      if (n) r.watch_op = *n;
    } else if (k == "event") {
      n = lookup(watch_events(), v);
      if (n) r.watch_event = *n;
    } else if (k == "nth" || k == "count") {
      auto x = number(v);
      if (!x || *x < 0 || (k == "nth" && *x == 0)) return bad(std::string(k) + " needs a count");
      (k == "nth" ? r.nth : r.count) = static_cast<uint64_t>(*x);
      continue;
    } else {
      return bad("unknown key \"" + std::string(k) + "\"");
    }
    if (!n) return bad("unknown value \"" + std::string(v) + "\" for " + std::string(k));
  }
  return r;
}

std::string FaultRule::to_string() const {
  std::string s = dir == Direction::kOut ? "out:" : "in:";
  s += std::string(net::to_string(action));
  if (action == FaultAction::kDelay)
    s += "=" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
  if (peer_type >= 0) s += peer_type == 1 ? ":peer=mon" : ":peer=osd";
  if (!kind.empty()) s += ":kind=" + kind;
  if (msg_type >= 0) s += ":type=" + std::to_string(msg_type);
  if (osd_op >= 0) s += ":op=" + std::to_string(osd_op);
  if (watch_op >= 0) s += ":watch_op=" + std::to_string(watch_op);
  if (watch_event >= 0) s += ":event=" + std::to_string(watch_event);
  s += ":nth=" + std::to_string(nth) + ":count=" + std::to_string(count);
  return s;
}

}  // namespace cephwire::net
