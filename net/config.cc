#include "net/config.h"

#include <cctype>
#include <charconv>
#include <fstream>
#include <iterator>

namespace cephwire::net {

namespace {

tl::unexpected<codec::DecodeError> bad(std::string field, std::string what) {
  return codec::make_error(codec::ErrorKind::kBadValue, std::move(field), 0, std::move(what));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool parse_ipv4(std::string_view s, uint8_t ip[4]) {
  if (s == "localhost") {
    ip[0] = 127, ip[1] = 0, ip[2] = 0, ip[3] = 1;
    return true;
  }
  for (int i = 0; i < 4; ++i) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || v > 255 || p == s.data()) return false;
    ip[i] = static_cast<uint8_t>(v);
    s.remove_prefix(static_cast<size_t>(p - s.data()));
    if (i < 3) {
      if (s.empty() || s[0] != '.') return false;
      s.remove_prefix(1);
    }
  }
  return s.empty();
}

std::string normalize(std::string_view key) {
  std::string k;
  for (char c : trim(key)) {
    if (c == '_' || c == ' ' || c == '-') {
      if (!k.empty() && k.back() != ' ') k += ' ';
    } else {
      k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  while (!k.empty() && k.back() == ' ') k.pop_back();
  return k;
}

}  // namespace

const codec::entity_addr_t* MonAddrs::of_type(uint32_t type) const {
  for (const auto& a : addrs)
    if (a.type == type) return &a;
  return nullptr;
}

std::string MonAddrs::to_string() const {
  std::string s = "[";
  for (size_t i = 0; i < addrs.size(); ++i) s += (i ? "," : "") + addrs[i].to_string();
  return s + "]";
}

codec::Result<std::vector<codec::entity_addr_t>> parse_addr(std::string_view text) {
  std::string_view s = trim(text);
  uint32_t type = 0;  // 0: not given
  if (s.substr(0, 3) == "v1:") {
    type = codec::entity_addr_t::kTypeLegacy;
    s.remove_prefix(3);
  } else if (s.substr(0, 3) == "v2:") {
    type = codec::entity_addr_t::kTypeMsgr2;
    s.remove_prefix(3);
  }
  uint32_t nonce = 0;
  if (const size_t slash = s.find('/'); slash != std::string_view::npos) {
    auto n = s.substr(slash + 1);
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), nonce);
    if (ec != std::errc() || p != n.data() + n.size())
      return bad("addr", "bad nonce in \"" + std::string(text) + "\"");
    s = s.substr(0, slash);
  }
  std::optional<uint16_t> port;
  if (const size_t colon = s.rfind(':'); colon != std::string_view::npos) {
    auto ps = s.substr(colon + 1);
    unsigned p16 = 0;
    auto [p, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), p16);
    if (ec != std::errc() || p != ps.data() + ps.size() || p16 > 65535)
      return bad("addr", "bad port in \"" + std::string(text) + "\"");
    port = static_cast<uint16_t>(p16);
    s = s.substr(0, colon);
  }
  uint8_t ip[4];
  if (!parse_ipv4(s, ip))
    return bad("addr", "not an IPv4 address: \"" + std::string(text) + "\" (no DNS here)");
  std::vector<codec::entity_addr_t> out;
  auto make = [&](uint32_t t, uint16_t p) {
    out.push_back(codec::entity_addr_t::make_ipv4(t, ip, p, nonce,
                                                  t == codec::entity_addr_t::kTypeLegacy));
  };
  if (type != 0) {
    make(type, port.value_or(type == codec::entity_addr_t::kTypeMsgr2 ? kMonPortV2 : kMonPortV1));
  } else if (port) {
    // A bare ip:port is a v1 address, unless it is the v2 port (MonMap::init_with_addrs).
    make(*port == kMonPortV2 ? codec::entity_addr_t::kTypeMsgr2 : codec::entity_addr_t::kTypeLegacy,
         *port);
  } else {
    make(codec::entity_addr_t::kTypeMsgr2, kMonPortV2);
    make(codec::entity_addr_t::kTypeLegacy, kMonPortV1);
  }
  return out;
}

codec::Result<std::vector<MonAddrs>> parse_mon_host(std::string_view text) {
  std::vector<MonAddrs> mons;
  size_t i = 0;
  const std::string_view s = text;
  auto is_sep = [](char c) {
    return c == ',' || c == ';' || std::isspace(static_cast<unsigned char>(c));
  };
  while (i < s.size()) {
    if (is_sep(s[i])) {
      ++i;
      continue;
    }
    MonAddrs m;
    if (s[i] == '[') {
      const size_t close = s.find(']', i);
      if (close == std::string_view::npos) return bad("mon host", "unbalanced '['");
      std::string_view inner = s.substr(i + 1, close - i - 1);
      size_t j = 0;
      while (j <= inner.size()) {
        const size_t comma = inner.find(',', j);
        auto part = trim(inner.substr(j, comma == std::string_view::npos ? comma : comma - j));
        if (!part.empty()) {
          auto a = parse_addr(part);
          if (!a) return tl::unexpected(a.error());
          m.addrs.insert(m.addrs.end(), a->begin(), a->end());
        }
        if (comma == std::string_view::npos) break;
        j = comma + 1;
      }
      i = close + 1;
    } else {
      size_t end = i;
      while (end < s.size() && !is_sep(s[end])) ++end;
      auto a = parse_addr(s.substr(i, end - i));
      if (!a) return tl::unexpected(a.error());
      m.addrs = std::move(*a);
      i = end;
    }
    if (m.addrs.empty()) return bad("mon host", "empty address list");
    mons.push_back(std::move(m));
  }
  if (mons.empty()) return bad("mon host", "no monitor address");
  return mons;
}

std::optional<std::string> conf_value(std::string_view conf_text, std::string_view option,
                                      std::string_view client_id) {
  const std::string want = normalize(option);
  const std::string client_section = "client." + std::string(client_id);
  std::string section;
  std::optional<std::string> found;
  int found_rank = 0;  // [client.<id>] 3 > [client] 2 > [global] 1 (Ceph's section order)
  size_t pos = 0;
  while (pos <= conf_text.size()) {
    size_t nl = conf_text.find('\n', pos);
    std::string_view line = conf_text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? conf_text.size() + 1 : nl + 1;
    for (size_t c = 0; c < line.size(); ++c)
      if (line[c] == '#' || line[c] == ';') {
        line = line.substr(0, c);
        break;
      }
    line = trim(line);
    if (line.empty()) continue;
    if (line.front() == '[' && line.back() == ']') {
      section = std::string(trim(line.substr(1, line.size() - 2)));
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    if (normalize(line.substr(0, eq)) != want) continue;
    const int rank = section == client_section ? 3 : section == "client" ? 2
                     : section == "global"      ? 1
                                                : 0;
    if (rank > 0 && rank >= found_rank) {
      found = std::string(trim(line.substr(eq + 1)));
      found_rank = rank;
    }
  }
  return found;
}

codec::Result<std::vector<MonAddrs>> mon_host_from_conf(const std::string& path,
                                                        std::string_view client_id) {
  std::ifstream f(path);
  if (!f) return bad(path, "cannot read the configuration file");
  const std::string text{std::istreambuf_iterator<char>(f), {}};
  auto v = conf_value(text, "mon host", client_id);
  if (!v) return bad(path, "no `mon host` in the configuration");
  auto mons = parse_mon_host(*v);
  if (!mons) {
    auto e = mons.error();
    e.field = path + ": " + e.field;
    return tl::unexpected(e);
  }
  return mons;
}

}  // namespace cephwire::net
