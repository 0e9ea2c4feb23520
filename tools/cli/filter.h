// `--filter` for cephwire decode: comma-separated terms that must all match.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "codec/message.h"
#include "codec/messages/registry.h"
#include "codec/stream.h"

namespace cephwire::cli {

class Filter {
 public:
  static tl::expected<Filter, std::string> parse(const std::string& expr);
  // type: class name or frame kind; parts: null for control frames.
  bool matches(const std::string& type, const codec::MessageParts* parts,
               const codec::MessageSummary& s, codec::Dir dir, uint64_t conn) const;

 private:
  struct Term {
    std::string key, value;
    uint64_t number = 0;
  };
  std::vector<Term> terms_;
};

}  // namespace cephwire::cli
