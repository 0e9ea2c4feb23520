// Shared shape of the sans-IO connection decoders (msgr1: codec/msgr1/connection_decoder.h,
// msgr2: codec/msgr2/connection_decoder.h): which direction bytes travel, decoder options, and
// the error that stops one direction. See /work/briefs/stream_api.md.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "codec/error.h"

namespace cephwire::codec {

enum class Dir : uint8_t { kClientToServer, kServerToClient };

inline constexpr std::string_view to_string(Dir d) {
  return d == Dir::kClientToServer ? "c2s" : "s2c";
}

struct DecoderOptions {
  bool verify_crc = true;  // false = lenient: report bad CRCs as Item::crc_ok=false, continue
  bool midstream = false;  // the capture does not start at the banner: resync first
};

// A direction stopped: the item at `offset` (in that direction's stream) could not be decoded.
struct StreamError {
  Dir dir = Dir::kClientToServer;
  uint64_t offset = 0;
  DecodeError error;
  bool operator==(const StreamError&) const = default;
};

// Room in a reassembly buffer for an item of `total` bytes (its length fields already checked
// against the limits) whose start is in `buf`, with `arriving` more bytes about to be appended:
// reserved at once, so a large frame that arrives in many segments is copied once instead of
// once per doubling of the vector. Only when the declared size is at most 4x what has arrived
// (plus 64 KiB): a length field alone never buys a large allocation.
inline void reserve_for_item(std::vector<uint8_t>& buf, size_t total, size_t arriving) {
  if (total > buf.capacity() && total <= 4 * (buf.size() + arriving) + (size_t{64} << 10))
    buf.reserve(total);
}

}  // namespace cephwire::codec
