#include "tools/cli/filter.h"

#include <algorithm>
#include <charconv>
#include <strings.h>

namespace cephwire::cli {

namespace {
tl::unexpected<std::string> fail(std::string s) { return tl::unexpected<std::string>(std::move(s)); }

bool parse_u64(const std::string& s, uint64_t& v) {
  int base = 10;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    b += 2;
  }
  auto r = std::from_chars(b, e, v, base);
  return r.ec == std::errc() && r.ptr == e;
}
}  // namespace

tl::expected<Filter, std::string> Filter::parse(const std::string& expr) {
  Filter f;
  size_t start = 0;
  while (start <= expr.size() && !expr.empty()) {
    size_t end = expr.find(',', start);
    if (end == std::string::npos) end = expr.size();
    std::string term = expr.substr(start, end - start);
    start = end + 1;
    if (term.empty()) {
      if (end == expr.size()) break;
      continue;
    }
    Term t;
    size_t eq = term.find('=');
    t.key = term.substr(0, eq);
    if (eq != std::string::npos) t.value = term.substr(eq + 1);
    static const char* kNumeric[] = {"cookie", "tid", "notify_id", "conn", "gid"};
    static const char* kText[] = {"type", "object", "dir"};
    static const char* kFlags[] = {"messages", "control"};
    bool numeric = std::any_of(std::begin(kNumeric), std::end(kNumeric),
                               [&](const char* k) { return t.key == k; });
    bool text = std::any_of(std::begin(kText), std::end(kText), [&](const char* k) { return t.key == k; });
    bool flag = std::any_of(std::begin(kFlags), std::end(kFlags), [&](const char* k) { return t.key == k; });
    if (flag) {
      if (eq != std::string::npos) return fail("'" + t.key + "' takes no value");
    } else if (numeric) {
      if (!parse_u64(t.value, t.number))
        return fail("'" + t.key + "' needs a number, got '" + t.value + "'");
    } else if (text) {
      if (t.value.empty()) return fail("'" + t.key + "' needs a value");
      if (t.key == "dir" && t.value != "c2s" && t.value != "s2c")
        return fail("dir is c2s or s2c");
    } else {
      return fail("unknown term '" + t.key +
                            "' (type, object, cookie, tid, notify_id, gid, conn, dir, messages, control)");
    }
    f.terms_.push_back(std::move(t));
    if (end == expr.size()) break;
  }
  return f;
}

bool Filter::matches(const std::string& type, const codec::MessageParts* parts,
                     const codec::MessageSummary& s, codec::Dir dir, uint64_t conn) const {
  for (const auto& t : terms_) {
    if (t.key == "messages") {
      if (!parts) return false;
    } else if (t.key == "control") {
      if (parts) return false;
    } else if (t.key == "type") {
      if (strcasecmp(type.c_str(), t.value.c_str()) != 0) return false;
    } else if (t.key == "object") {
      if (std::find(s.objects.begin(), s.objects.end(), t.value) == s.objects.end()) return false;
    } else if (t.key == "cookie") {
      if (std::find(s.cookies.begin(), s.cookies.end(), t.number) == s.cookies.end()) return false;
    } else if (t.key == "notify_id") {
      if (std::find(s.notify_ids.begin(), s.notify_ids.end(), t.number) == s.notify_ids.end())
        return false;
    } else if (t.key == "gid") {
      if (std::find(s.gids.begin(), s.gids.end(), t.number) == s.gids.end()) return false;
    } else if (t.key == "tid") {
      if (!parts || parts->tid != t.number) return false;
    } else if (t.key == "conn") {
      if (conn != t.number) return false;
    } else if (t.key == "dir") {
      if ((t.value == "c2s") != (dir == codec::Dir::kClientToServer)) return false;
    }
  }
  return true;
}

}  // namespace cephwire::cli
