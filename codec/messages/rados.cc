#include "codec/messages/rados.h"

#include <cstdio>

namespace cephwire::codec {

const char* ceph_osd_op_name(uint16_t op) {
  switch (op) {
#define CEPHWIRE_OSD_OP_CASE(name, value, str) \
  case osd_op::name:                           \
    return str;
    CEPHWIRE_FORALL_OSD_OPS(CEPHWIRE_OSD_OP_CASE)
#undef CEPHWIRE_OSD_OP_CASE
    default:
      return nullptr;
  }
}

uint16_t ceph_osd_op_from_name(const std::string& name) {
#define CEPHWIRE_OSD_OP_NAME(n, value, str) \
  if (name == str) return osd_op::n;
  CEPHWIRE_FORALL_OSD_OPS(CEPHWIRE_OSD_OP_NAME)
#undef CEPHWIRE_OSD_OP_NAME
  return 0;
}

const char* ceph_osd_flag_name(uint32_t f) {
  using namespace osd_flag;
  switch (f) {
    case kAck: return "ack";
    case kOnNvram: return "onnvram";
    case kOnDisk: return "ondisk";
    case kRetry: return "retry";
    case kRead: return "read";
    case kWrite: return "write";
    case kOrderSnap: return "ordersnap";
    case kPeerstatOld: return "peerstat_old";
    case kBalanceReads: return "balance_reads";
    case kParallelExec: return "parallelexec";
    case kPgOp: return "pgop";
    case kExec: return "exec";
    case kExecPublic: return "exec_public";
    case kLocalizeReads: return "localize_reads";
    case kRwOrdered: return "rwordered";
    case kIgnoreCache: return "ignore_cache";
    case kSkipRwLocks: return "skiprwlocks";
    case kIgnoreOverlay: return "ignore_overlay";
    case kFlush: return "flush";
    case kMapSnapClone: return "map_snap_clone";
    case kEnforceSnapc: return "enforce_snapc";
    case kRedirected: return "redirected";
    case kKnownRedir: return "known_if_redirected";
    case kFullTry: return "full_try";
    case kFullForce: return "full_force";
    case kIgnoreRedirect: return "ignore_redirect";
    case kReturnVec: return "returnvec";
    default: return nullptr;
  }
}

const char* ceph_osd_op_flag_name(uint32_t f) {
  using namespace osd_op;
  switch (f) {
    case kFlagExcl: return "excl";
    case kFlagFailOk: return "failok";
    case kFlagFadviseRandom: return "fadvise_random";
    case kFlagFadviseSequential: return "fadvise_sequential";
    case kFlagFadviseWillneed: return "fadvise_willneed";
    case kFlagFadviseDontneed: return "fadvise_dontneed";
    case kFlagFadviseNocache: return "fadvise_nocache";
    default: return nullptr;
  }
}

const char* ceph_osd_watch_op_name(uint8_t op) {
  switch (op) {
    case watch_op::kUnwatch: return "unwatch";
    case watch_op::kLegacyWatch: return "legacy_watch";
    case watch_op::kWatch: return "watch";
    case watch_op::kReconnect: return "reconnect";
    case watch_op::kPing: return "ping";
    default: return nullptr;
  }
}

const char* ceph_watch_event_name(uint8_t e) {
  switch (e) {
    case watch_event::kNotify: return "notify";
    case watch_event::kNotifyComplete: return "notify_complete";
    case watch_event::kDisconnect: return "disconnect";
    default: return nullptr;
  }
}

namespace {
std::string flag_string(uint32_t flags, const char* (*name)(uint32_t)) {
  std::string s;
  for (unsigned i = 0; i < 32; ++i) {
    const uint32_t bit = 1u << i;
    if (!(flags & bit)) continue;
    if (!s.empty()) s += '+';
    if (const char* n = name(bit)) {
      s += n;
    } else {
      // "0x" and the bit in hex, without snprintf (this is on every dumped op).
      static constexpr char kHexDigits[] = "0123456789abcdef";
      s += "0x";
      s += kHexDigits[1u << (i % 4)];
      s.append(i / 4, '0');
    }
  }
  return s.empty() ? "-" : s;
}
}  // namespace

std::string ceph_osd_flag_string(uint32_t flags) { return flag_string(flags, ceph_osd_flag_name); }
std::string ceph_osd_op_flag_string(uint32_t flags) {
  return flag_string(flags, ceph_osd_op_flag_name);
}

}  // namespace cephwire::codec
