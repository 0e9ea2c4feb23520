// OSD op codes, op flags, request flags, watch sub-ops and watch events, with their names.
// Sources (ceph/ceph, Pacific): src/include/rados.h (__CEPH_FORALL_OSD_OPS with
// __CEPH_OSD_OP(mode, type, nr), enum CEPH_OSD_FLAG_*, CEPH_OSD_OP_FLAG_*,
// CEPH_OSD_WATCH_OP_*), src/include/ceph_fs.h (CEPH_WATCH_EVENT_*), src/common/ceph_strings.cc
// (ceph_osd_op_name, ceph_osd_flag_name / ceph_osd_flag_string, ceph_osd_op_flag_name,
// ceph_osd_watch_op_name, ceph_watch_event_name). Linux include/linux/ceph/rados.h agrees on the
// values it has.
#pragma once

#include <cstdint>
#include <string>

namespace cephwire::codec {

// CEPH_OSD_OP_MODE_* | CEPH_OSD_OP_TYPE_* | nr.
namespace osd_op {
inline constexpr uint16_t kModeMask = 0xf000, kModeRd = 0x1000, kModeWr = 0x2000,
                          kModeRmw = 0x3000, kModeSub = 0x4000, kModeCache = 0x8000;
inline constexpr uint16_t kTypeMask = 0x0f00, kTypeData = 0x0200, kTypeAttr = 0x0300,
                          kTypeExec = 0x0400, kTypePg = 0x0500;

// X(NAME, value, "ceph name") for every op of Pacific's __CEPH_FORALL_OSD_OPS.
#define CEPHWIRE_FORALL_OSD_OPS(X)                          \
  X(kRead, 0x1201, "read")                                  \
  X(kStat, 0x1202, "stat")                                  \
  X(kMapExt, 0x1203, "mapext")                              \
  X(kChecksum, 0x121f, "checksum")                          \
  X(kMaskTrunc, 0x1204, "masktrunc")                        \
  X(kSparseRead, 0x1205, "sparse-read")                     \
  X(kNotify, 0x1206, "notify")                              \
  X(kNotifyAck, 0x1207, "notify-ack")                       \
  X(kAssertVer, 0x1208, "assert-version")                   \
  X(kListWatchers, 0x1209, "list-watchers")                 \
  X(kListSnaps, 0x120a, "list-snaps")                       \
  X(kSyncRead, 0x120b, "sync_read")                         \
  X(kWrite, 0x2201, "write")                                \
  X(kWriteFull, 0x2202, "writefull")                        \
  X(kTruncate, 0x2203, "truncate")                          \
  X(kZero, 0x2204, "zero")                                  \
  X(kDelete, 0x2205, "delete")                              \
  X(kAppend, 0x2206, "append")                              \
  X(kStartSync, 0x2207, "startsync")                        \
  X(kSetTrunc, 0x2208, "settrunc")                          \
  X(kTrimTrunc, 0x2209, "trimtrunc")                        \
  X(kTmapUp, 0x320a, "tmapup")                              \
  X(kTmapPut, 0x220b, "tmapput")                            \
  X(kTmapGet, 0x120c, "tmapget")                            \
  X(kCreate, 0x220d, "create")                              \
  X(kRollback, 0x220e, "rollback")                          \
  X(kWatch, 0x220f, "watch")                                \
  X(kOmapGetKeys, 0x1211, "omap-get-keys")                  \
  X(kOmapGetVals, 0x1212, "omap-get-vals")                  \
  X(kOmapGetHeader, 0x1213, "omap-get-header")              \
  X(kOmapGetValsByKeys, 0x1214, "omap-get-vals-by-keys")    \
  X(kOmapSetVals, 0x2215, "omap-set-vals")                  \
  X(kOmapSetHeader, 0x2216, "omap-set-header")              \
  X(kOmapClear, 0x2217, "omap-clear")                       \
  X(kOmapRmKeys, 0x2218, "omap-rm-keys")                    \
  X(kOmapRmKeyRange, 0x222c, "omap-rm-key-range")           \
  X(kOmapCmp, 0x1219, "omap-cmp")                           \
  X(kCopyFrom, 0x221a, "copy-from")                         \
  X(kCopyFrom2, 0x222d, "copy-from2")                       \
  X(kUndirty, 0x221c, "undirty")                            \
  X(kIsDirty, 0x121d, "isdirty")                            \
  X(kCopyGet, 0x121e, "copy-get")                           \
  X(kCacheFlush, 0x821f, "cache-flush")                     \
  X(kCacheEvict, 0x8220, "cache-evict")                     \
  X(kCacheTryFlush, 0x8221, "cache-try-flush")              \
  X(kTmap2Omap, 0x3222, "tmap2omap")                        \
  X(kSetAllocHint, 0x2223, "set-alloc-hint")                \
  X(kCachePin, 0x2224, "cache-pin")                         \
  X(kCacheUnpin, 0x2225, "cache-unpin")                     \
  X(kWriteSame, 0x2226, "write-same")                       \
  X(kCmpExt, 0x1220, "cmpext")                              \
  X(kSetRedirect, 0x2227, "set-redirect")                   \
  X(kSetChunk, 0x8228, "set-chunk")                         \
  X(kTierPromote, 0x2229, "tier-promote")                   \
  X(kUnsetManifest, 0x222a, "unset-manifest")               \
  X(kTierFlush, 0x822b, "tier-flush")                       \
  X(kTierEvict, 0x822c, "tier-evict")                       \
  X(kGetXattr, 0x1301, "getxattr")                          \
  X(kGetXattrs, 0x1302, "getxattrs")                        \
  X(kCmpXattr, 0x1303, "cmpxattr")                          \
  X(kSetXattr, 0x2301, "setxattr")                          \
  X(kSetXattrs, 0x2302, "setxattrs")                        \
  X(kResetXattrs, 0x2303, "resetxattrs")                    \
  X(kRmXattr, 0x2304, "rmxattr")                            \
  X(kPull, 0x4001, "pull")                                  \
  X(kPush, 0x4002, "push")                                  \
  X(kBalanceReads, 0x4003, "balance-reads")                 \
  X(kUnbalanceReads, 0x4004, "unbalance-reads")             \
  X(kScrub, 0x4005, "scrub")                                \
  X(kScrubReserve, 0x4006, "scrub-reserve")                 \
  X(kScrubUnreserve, 0x4007, "scrub-unreserve")             \
  X(kScrubMap, 0x4009, "scrub-map")                         \
  X(kCall, 0x1401, "call")                                  \
  X(kPgls, 0x1501, "pgls")                                  \
  X(kPglsFilter, 0x1502, "pgls-filter")                     \
  X(kPgHitsetLs, 0x1503, "pg-hitset-ls")                    \
  X(kPgHitsetGet, 0x1504, "pg-hitset-get")                  \
  X(kPgnls, 0x1505, "pgnls")                                \
  X(kPgnlsFilter, 0x1506, "pgnls-filter")                   \
  X(kScrubls, 0x1507, "scrubls")

#define CEPHWIRE_DECLARE_OSD_OP(name, value, str) inline constexpr uint16_t name = value;
CEPHWIRE_FORALL_OSD_OPS(CEPHWIRE_DECLARE_OSD_OP)
#undef CEPHWIRE_DECLARE_OSD_OP

// CEPH_OSD_OP_FLAG_* (ceph_osd_op.flags).
inline constexpr uint32_t kFlagExcl = 0x1, kFlagFailOk = 0x2, kFlagFadviseRandom = 0x4,
                          kFlagFadviseSequential = 0x8, kFlagFadviseWillneed = 0x10,
                          kFlagFadviseDontneed = 0x20, kFlagFadviseNocache = 0x40;
}  // namespace osd_op

// CEPH_OSD_FLAG_* (MOSDOp.flags, MOSDOpReply.flags).
namespace osd_flag {
inline constexpr uint32_t kAck = 0x1, kOnNvram = 0x2, kOnDisk = 0x4, kRetry = 0x8, kRead = 0x10,
                          kWrite = 0x20, kOrderSnap = 0x40, kPeerstatOld = 0x80,
                          kBalanceReads = 0x100, kParallelExec = 0x200, kPgOp = 0x400,
                          kExec = 0x800, kExecPublic = 0x1000, kLocalizeReads = 0x2000,
                          kRwOrdered = 0x4000, kIgnoreCache = 0x8000, kSkipRwLocks = 0x10000,
                          kIgnoreOverlay = 0x20000, kFlush = 0x40000, kMapSnapClone = 0x80000,
                          kEnforceSnapc = 0x100000, kRedirected = 0x200000,
                          kKnownRedir = 0x400000, kFullTry = 0x800000, kFullForce = 0x1000000,
                          kIgnoreRedirect = 0x2000000, kReturnVec = 0x4000000;
}  // namespace osd_flag

// CEPH_OSD_WATCH_OP_* (ceph_osd_op.watch.op).
namespace watch_op {
inline constexpr uint8_t kUnwatch = 0, kLegacyWatch = 1, kWatch = 3, kReconnect = 5, kPing = 7;
}

// CEPH_WATCH_EVENT_* (MWatchNotify.opcode).
namespace watch_event {
inline constexpr uint8_t kNotify = 1, kNotifyComplete = 2, kDisconnect = 3;
}

inline constexpr uint64_t kNoSnap = 0xfffffffffffffffeULL;  // CEPH_NOSNAP ("head")

// Names as Ceph prints them; nullptr for values Ceph prints as "???".
const char* ceph_osd_op_name(uint16_t op);
const char* ceph_osd_flag_name(uint32_t single_flag);
const char* ceph_osd_op_flag_name(uint32_t single_flag);
const char* ceph_osd_watch_op_name(uint8_t op);  // LEGACY_WATCH: "legacy_watch" (Ceph: "???")
const char* ceph_watch_event_name(uint8_t event);
// "ondisk+write+known_if_redirected"; unknown bits as "0x..."; "-" for 0 (ceph_osd_flag_string).
std::string ceph_osd_flag_string(uint32_t flags);
std::string ceph_osd_op_flag_string(uint32_t flags);
// Reverse lookup for tools: 0 if unknown.
uint16_t ceph_osd_op_from_name(const std::string& name);

}  // namespace cephwire::codec
