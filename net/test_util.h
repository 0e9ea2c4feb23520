// Helpers shared by the //net tests.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "net/protocol.h"

namespace cephwire::net::testing {

inline std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

// Everything the connection wants to write now.
inline std::vector<uint8_t> drain(Connection& c, Instant now) {
  std::vector<uint8_t> out;
  while (auto b = c.poll_transmit(now)) out.insert(out.end(), b->begin(), b->end());
  return out;
}

inline std::vector<ConnEvent> events(Connection& c) {
  std::vector<ConnEvent> out;
  while (auto e = c.poll_event()) out.push_back(std::move(*e));
  return out;
}

}  // namespace cephwire::net::testing
