// The pure conversion between the watch core's request/reply forms (client/watch_client.h)
// and the codec's messages, as librados 16.2.15 puts them on the wire. Used by the live
// client (net/) and by the replay tool; no I/O, no clocks.
//
// OsdRequest -> MOSDOp v8 (ceph/ceph src/osdc/Objecter.cc Objecter::_prepare_osd_op: flags
// from the op plus ONDISK and KNOWN_REDIR (the core already sets both), reqid all zero (the
// OSD takes the message source and header.tid), client_inc 0, the target's actual PG as spg_t
// (NO_SHARD for replicated pools) plus the raw object hash, the map epoch, mtime, the object
// locator (pool, key, namespace, hash -1), the oid, the ops with their indata in the data
// segment (OSDOp::merge_osd_op_vector_in_data), snapid CEPH_NOSNAP, snap_seq 0, no snaps,
// retry_attempt, features CEPH_FEATURES_SUPPORTED_DEFAULT; src/messages/MOSDOp.h
// encode_payload), with header priority osd_client_op_priority (63), compat 3 and tid = the
// request's tid: byte for byte what the recordings show.
// mtime follows librados: watch / unwatch / writes carry the wall clock of the call (a
// RECONNECT the one of its watch: Objecter::_send_linger copies LingerOp::mtime); reads,
// notifies, notify-acks and pings carry 0 (corpus/recordings v1-watch-pings,
// v1-osd-restart).
//
// MOSDOpReply -> OsdReply (result, epoch, per-op rval and outdata as views), MWatchNotify ->
// WatchNotifyMsg (NOTIFY_COMPLETE: the data segment is the acks/timeouts payload), and the
// LIST_WATCHERS outdata (obj_list_watch_response_t) -> WatcherEntry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/watch_client.h"
#include "codec/error.h"
#include "codec/message.h"
#include "codec/messages/MOSDOp.h"
#include "codec/messages/MOSDOpReply.h"
#include "codec/messages/MWatchNotify.h"
#include "codec/types/utime_t.h"

namespace cephwire::client::wire {

inline constexpr uint64_t kLibradosFeatures = 0x3f01cfbdfffdffffull;  // CEPH_FEATURES_ALL 16.2.15
inline constexpr uint16_t kOsdOpPriority = 63;                        // osd_client_op_priority

struct OpContext {
  codec::utime_t mtime;                  // see mtime_for()
  uint64_t features = kLibradosFeatures;  // MOSDOp.features
  int8_t shard = -1;                     // NO_SHARD (replicated pools)
};

// Does librados put a wall-clock mtime on this request? (writes other than pings)
bool carries_mtime(const OsdRequest& req);
// The mtime librados would send: zero for reads and pings; for a WATCH or RECONNECT the wall
// clock of the watch() call (`watch_mtime`, when known: Objecter keeps LingerOp::mtime for
// every (re)registration); `now` otherwise (unwatch, writes, a first WATCH).
codec::utime_t mtime_for(const OsdRequest& req, codec::utime_t now,
                         std::optional<codec::utime_t> watch_mtime = std::nullopt);

// The ceph_osd_op of one OpSpec (its indata view is kept).
codec::OSDOp to_osd_op(const OpSpec& spec);
// The typed MOSDOp (v8).
codec::MOSDOp to_mosdop(const OsdRequest& req, const OpContext& ctx);
// The same into `m` (every field set; its ops vector's storage reused).
void to_mosdop_into(const OsdRequest& req, const OpContext& ctx, codec::MOSDOp& m);
// The message: type 42, version 8, compat 3, priority 63, tid, data_off (the first write
// op's offset), front and data encoded. Owned bytes (independent of `req`). `scratch`, if
// given, is the MOSDOp built on the way (a caller sending many requests keeps one). With
// `front` given, the front is encoded into it and the result's front is a view of it (valid
// until `front` is used again).
codec::MessageParts to_message(const OsdRequest& req, const OpContext& ctx,
                               codec::MOSDOp* scratch = nullptr,
                               std::vector<uint8_t>* front = nullptr);

// MOSDOpReply from `osd` -> OsdReply; outdata are views into the reply's data segment.
OsdReply from_reply(const codec::MOSDOpReply& r, int32_t osd, uint64_t tid);
// The same into `out` (its vectors' storage reused).
void from_reply_into(const codec::MOSDOpReply& r, int32_t osd, uint64_t tid, OsdReply& out);
// Decodes and converts; tid from the header.
codec::Result<OsdReply> decode_reply(const codec::MessageParts& p, int32_t osd);
// `scratch`, if given, holds the decoded MOSDOpReply on the way (its storage reused).
codec::Result<void> decode_reply_into(const codec::MessageParts& p, int32_t osd, OsdReply& out,
                                      codec::MOSDOpReply* scratch = nullptr);

// MWatchNotify from `osd` -> WatchNotifyMsg; payload and data are views into `p`.
WatchNotifyMsg from_watch_notify(const codec::MWatchNotify& m, const codec::MessageParts& p,
                                 int32_t osd);
codec::Result<WatchNotifyMsg> decode_watch_notify(const codec::MessageParts& p, int32_t osd);

// LIST_WATCHERS outdata -> entries (name "client.<gid>", cookie, timeout, "v1:1.2.3.4:0/nonce").
codec::Result<std::vector<WatcherEntry>> watchers_from(const codec::Bytes& outdata);

// The first op's code and watch sub-op (for the fault layer's rules).
uint16_t first_op(const OsdRequest& req);
uint8_t first_watch_op(const OsdRequest& req);

}  // namespace cephwire::client::wire
