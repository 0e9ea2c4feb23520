#include "codec/error.h"

namespace cephwire::codec {

std::string_view to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::kTruncated: return "truncated";
    case ErrorKind::kLengthTooLarge: return "length too large";
    case ErrorKind::kBadValue: return "bad value";
    case ErrorKind::kUnsupportedVersion: return "unsupported version";
    case ErrorKind::kBadCrc: return "bad crc";
    case ErrorKind::kTrailingBytes: return "trailing bytes";
    case ErrorKind::kUnsupported: return "unsupported";
    case ErrorKind::kBadBanner: return "bad banner";
  }
  return "unknown";
}

std::string DecodeError::to_string() const {
  std::string s(codec::to_string(kind));
  s += " at ";
  s += field.empty() ? std::string("<top>") : field;
  s += " (offset ";
  s += std::to_string(offset);
  s += ")";
  if (!detail.empty()) {
    s += ": ";
    s += detail;
  }
  return s;
}

}  // namespace cephwire::codec
