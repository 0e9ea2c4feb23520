// Typed decode errors: every malformed input yields {kind, field path, byte offset}.
// Model: Linux include/linux/ceph/decode.h (ceph_decode_*_safe return -ERANGE instead of
// reading past the end); Ceph's own decoders throw buffer::end_of_buffer / malformed_input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace cephwire::codec {

enum class ErrorKind : uint8_t {
  kTruncated,          // fewer bytes than the field needs
  kLengthTooLarge,     // a length or count larger than the bytes left
  kBadValue,           // a value the format does not allow (marker, tag, enum, flag)
  kUnsupportedVersion, // struct_compat / compat_version newer than we understand, or too old
  kBadCrc,             // a CRC that does not match the bytes it covers
  kTrailingBytes,      // bytes left after a message body or frame payload
  kUnsupported,        // valid on the wire but outside this codec (e.g. msgr2 secure mode)
  kBadBanner,          // not a Ceph banner
};

std::string_view to_string(ErrorKind k);

struct DecodeError {
  ErrorKind kind = ErrorKind::kBadValue;
  std::string field;   // path, e.g. "MOSDOp.ops[2].payload_len"
  size_t offset = 0;   // byte offset where the field starts, from the start of the decoded unit
  std::string detail;  // human explanation, e.g. "need 8 bytes, 3 left"

  std::string to_string() const;  // "truncated at MOSDOp.ops[2].payload_len (offset 87): ..."
  bool operator==(const DecodeError&) const = default;
};

template <class T>
using Result = tl::expected<T, DecodeError>;

inline tl::unexpected<DecodeError> make_error(ErrorKind k, std::string field, size_t offset,
                                              std::string detail = {}) {
  return tl::unexpected<DecodeError>(DecodeError{k, std::move(field), offset, std::move(detail)});
}

}  // namespace cephwire::codec
