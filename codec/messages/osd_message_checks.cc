#include "codec/messages/osd_message_checks.h"

#include <string>

namespace cephwire::codec {

Result<void> check_osd_message_parts(const MessageParts& p, uint16_t type, const char* name,
                                     uint16_t head_version) {
  if (osd_message_parts_ok(p, type, head_version)) return {};
  const std::string n(name);
  if (p.type != type)
    return make_error(ErrorKind::kBadValue, n + ".header.type", 0,
                      "type " + std::to_string(p.type) + ", expected " + std::to_string(type));
  if (p.version > head_version)
    return make_error(ErrorKind::kUnsupportedVersion, n + ".header.version", 0,
                      "version " + std::to_string(p.version) + " > known " +
                          std::to_string(head_version));
  if (p.compat_version > head_version)
    return make_error(ErrorKind::kUnsupportedVersion, n + ".header.compat_version", 0,
                      "compat_version " + std::to_string(p.compat_version) + " > known " +
                          std::to_string(head_version));
  if (!p.middle.empty())
    return make_error(ErrorKind::kTrailingBytes, n + ".middle", 0,
                      std::to_string(p.middle.size()) + " bytes in the middle segment");
  return {};
}

}  // namespace cephwire::codec
