#include "conformance/catalog.h"

#include <array>

namespace cephwire::conformance {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "pass";
    case Verdict::kNonStrict: return "non-strict";
    case Verdict::kFail: return "fail";
    case Verdict::kInformational: return "informational";
    case Verdict::kUnsupported: return "unsupported";
    case Verdict::kNotExercised: return "not-exercised";
  }
  return "?";
}

int severity(Verdict v) {
  switch (v) {
    case Verdict::kFail: return 5;
    case Verdict::kUnsupported: return 4;
    case Verdict::kNonStrict: return 3;
    case Verdict::kPass: return 2;
    case Verdict::kInformational: return 1;
    case Verdict::kNotExercised: return 0;
  }
  return 0;
}

namespace {

using namespace mode;
// The modes a case runs in are the modes that evaluate it: capture mode (conformance/checker.cc),
// replay mode (conformance/replay_mode.cc), live mode (conformance/live_mode.cc).
constexpr uint8_t kCR = kCheck | kReplay;
constexpr uint8_t kCL = kCheck | kLive;
constexpr uint8_t kAll = kCheck | kReplay | kLive;
constexpr uint8_t kRL = kReplay | kLive;

// Sources are ceph/ceph at v16.2.15 unless the line says otherwise.
constexpr std::array kCatalog = {
    // ---- framing ------------------------------------------------------------------------
    CaseInfo{"framing/v1/crc",
             "Every msgr v1 message carries correct CRC-32C values for its header, front, middle "
             "and data.",
             "src/msg/async/ProtocolV1.cc ProtocolV1::handle_message_header, "
             "ProtocolV1::handle_message_footer", kCheck},
    CaseInfo{"framing/v1/strict",
             "Every msgr v1 stream is a well-formed sequence of banner, addresses, "
             "connect/connect_reply and tagged items.",
             "src/msg/async/ProtocolV1.cc ProtocolV1::read_event and its handlers", kCheck},
    CaseInfo{"framing/v1/byte-exact",
             "Every msgr v1 frame re-encodes to exactly the bytes on the wire.",
             "src/msg/async/ProtocolV1.cc ProtocolV1::prepare_send_message, write_message", kCheck},
    CaseInfo{"framing/v1/seq",
             "Within one msgr v1 connection the message sequence numbers of each direction "
             "increase by one per message.",
             "src/msg/async/ProtocolV1.cc ProtocolV1::handle_message_footer (seq checks), "
             "write_message (out_seq)", kCheck},
    CaseInfo{"framing/v2/crc",
             "Every msgr v2 frame in crc mode carries correct preamble and segment CRCs.",
             "src/msg/async/frames_v2.cc FrameAssembler::disasm_all_crc_rev1 / "
             "disassemble_preamble", kCheck},
    CaseInfo{"framing/v2/strict",
             "Every msgr v2 stream is a well-formed sequence of banner, feature exchange and "
             "frames a client session meets.",
             "src/msg/async/ProtocolV2.cc ProtocolV2::read_frame and the handle_* functions", kCheck},
    CaseInfo{"framing/v2/byte-exact",
             "Every msgr v2 frame re-encodes to exactly the bytes on the wire.",
             "src/msg/async/frames_v2.cc FrameAssembler::assemble_frame", kCheck},
    CaseInfo{"framing/v2/seq",
             "Within one msgr v2 connection the message sequence numbers of each direction "
             "increase by one per message.",
             "src/msg/async/ProtocolV2.cc ProtocolV2::handle_message (seq), "
             "ProtocolV2::write_message", kCheck},
    CaseInfo{"framing/v2/secure-mode",
             "cephwire checks msgr v2 crc mode only; a stream in secure mode is reported as "
             "unsupported.",
             "src/msg/async/ProtocolV2.cc ProtocolV2::handle_auth_done (con_mode)", kCheck},
    CaseInfo{"framing/stream/complete",
             "Every stream ends at an item boundary (an item cut by the end of the capture is "
             "reported).",
             "cephwire capture semantics", kCheck, true},
    CaseInfo{"framing/stream/gaps",
             "The capture has every byte of every stream (missing bytes are reported).",
             "cephwire capture semantics", kCheck, true},
    // ---- encoding -----------------------------------------------------------------------
    CaseInfo{"encoding/mosdop/strict",
             "Every MOSDOp decodes strictly: known version, lengths within bounds, data segment "
             "equal to the ops' payload lengths, nothing left over.",
             "src/messages/MOSDOp.h MOSDOp::decode_payload, finish_decode; "
             "src/osd/osd_types.cc OSDOp::split_osd_op_vector_in_data", kCheck},
    CaseInfo{"encoding/mosdop/byte-exact",
             "Every MOSDOp re-encodes to exactly the bytes on the wire.",
             "src/messages/MOSDOp.h MOSDOp::encode_payload", kCR},
    CaseInfo{"encoding/mosdop/v8",
             "A client talking to a Pacific OSD sends MOSDOp header version 8.",
             "src/messages/MOSDOp.h MOSDOp::encode_payload (HEAD_VERSION 8 with "
             "CEPH_FEATURE_RESEND_ON_SPLIT)", kCheck},
    CaseInfo{"encoding/mosdopreply/strict",
             "Every MOSDOpReply decodes strictly.",
             "src/messages/MOSDOpReply.h MOSDOpReply::decode_payload", kCheck},
    CaseInfo{"encoding/mosdopreply/byte-exact",
             "Every MOSDOpReply re-encodes to exactly the bytes on the wire.",
             "src/messages/MOSDOpReply.h MOSDOpReply::encode_payload", kCheck},
    CaseInfo{"encoding/mwatchnotify/strict",
             "Every MWatchNotify decodes strictly, a NOTIFY_COMPLETE's data segment as the acks "
             "map and the timed-out list.",
             "src/messages/MWatchNotify.h MWatchNotify::decode_payload; src/osd/Watch.cc "
             "Notify::maybe_complete_notify", kCheck},
    CaseInfo{"encoding/mwatchnotify/byte-exact",
             "Every MWatchNotify re-encodes to exactly the bytes on the wire.",
             "src/messages/MWatchNotify.h MWatchNotify::encode_payload", kCheck},
    CaseInfo{"encoding/mon/strict",
             "Every monitor-session message decodes strictly and re-encodes byte-exact.",
             "src/messages/MAuth.h, MAuthReply.h, MMonSubscribe.h, MMonMap.h, MOSDMap.h, "
             "MConfig.h (encode_payload / decode_payload)", kCheck},
    CaseInfo{"encoding/osd-op/indata",
             "Every op's input decodes as its op code requires (notify: prot_ver, timeout, "
             "payload; notify-ack: notify_id, cookie, reply; call: class, method, input).",
             "src/osdc/Objecter.h ObjectOperation::notify, notify_ack, call; "
             "src/osd/PrimaryLogPG.cc PrimaryLogPG::do_osd_ops", kCheck},
    CaseInfo{"encoding/osd-op/outdata",
             "Every op's output decodes as its op code requires (notify: notify_id; "
             "list-watchers: obj_list_watch_response_t; stat: size and mtime).",
             "src/osd/PrimaryLogPG.cc PrimaryLogPG::do_osd_ops (CEPH_OSD_OP_NOTIFY, "
             "CEPH_OSD_OP_LIST_WATCHERS, CEPH_OSD_OP_STAT)", kCheck},
    // ---- session ------------------------------------------------------------------------
    CaseInfo{"session/reply/matches-request",
             "Every MOSDOpReply answers an MOSDOp the client sent on the same connection with "
             "the same tid.",
             "src/osdc/Objecter.cc Objecter::handle_osd_op_reply (looks the tid up in the "
             "session's ops)", kCheck},
    CaseInfo{"session/reply/once",
             "Each request gets at most one reply per connection.",
             "src/osd/PrimaryLogPG.cc PrimaryLogPG::complete_read_ctx / "
             "OpContext::send_reply (Pacific sends a single ondisk reply)", kCheck},
    CaseInfo{"session/tid/unique",
             "A client never reuses a tid for a different request (a resend keeps the tid and "
             "the ops).",
             "src/osdc/Objecter.cc Objecter::_op_submit (tid = ++last_tid), Objecter::_send_op",
             kCheck},
    CaseInfo{"session/epoch/monotonic",
             "The OSD map epoch in a client's requests never goes back.",
             "src/osdc/Objecter.cc Objecter::_prepare_osd_op (m->get_map_epoch = "
             "osdmap->get_epoch())", kCheck},
    CaseInfo{"session/resend/after-reset",
             "Requests without a reply when their OSD session ends are sent again on a new "
             "session (or the client reports them).",
             "src/osdc/Objecter.cc Objecter::ms_handle_reset, _kick_requests, "
             "Objecter::_scan_requests", kCheck, true},
    CaseInfo{"session/ops/plain",
             "Plain ops (LIST_WATCHERS, WRITEFULL, READ, STAT) are sent as librados sends them, "
             "and resent after a session reset or a primary change with the same tid and a "
             "higher retry_attempt.",
             "src/osdc/Objecter.cc Objecter::_op_submit, Objecter::_send_op, "
             "Objecter::_kick_requests", kReplay},
    CaseInfo{"session/replay/identical",
             "A recorded client replayed through the core sends exactly librados' requests and "
             "delivers exactly its callbacks (every difference counts; ops the core has no call "
             "for are reported as unsupported).",
             "src/osdc/Objecter.cc, src/librados/IoCtxImpl.cc (librados 16.2.15 as recorded)",
             kReplay},
    // ---- watch --------------------------------------------------------------------------
    CaseInfo{"watch/register/commit",
             "A watch is registered with one WATCH op (cookie, timeout, write flag) and reported "
             "registered once the OSD commits it; it then receives notifies, its own included.",
             "src/osdc/Objecter.cc Objecter::linger_watch, Objecter::_send_linger, "
             "Objecter::_linger_commit; src/librados/IoCtxImpl.cc IoCtxImpl::watch", kRL},
    CaseInfo{"watch/register/reply",
             "Every WATCH registration gets a reply while its session lasts.",
             "src/osd/PrimaryLogPG.cc PrimaryLogPG::do_osd_ops case CEPH_OSD_OP_WATCH", kCheck},
    CaseInfo{"watch/register/write-flag",
             "A WATCH op is sent as a write (CEPH_OSD_FLAG_WRITE), so it is ordered with writes "
             "and persisted in the object's watchers.",
             "src/osdc/Objecter.cc Objecter::linger_watch (CEPH_OSD_FLAG_WRITE)", kCR},
    CaseInfo{"watch/ping/registered-only",
             "PING is sent only for a watch whose registration the OSD confirmed.",
             "src/osdc/Objecter.cc Objecter::tick (pings lingers that are registered), "
             "Objecter::_send_linger_ping", kCheck},
    CaseInfo{"watch/ping/gen",
             "A PING carries the generation of the watch's latest registration.",
             "src/osdc/Objecter.cc Objecter::_send_linger_ping (op.watch.gen = "
             "info->register_gen)", kCR},
    CaseInfo{"watch/ping/cadence",
             "Pings of one watch on one session are at least a second apart and less than the "
             "watch timeout apart.",
             "src/osdc/Objecter.cc Objecter::tick (objecter_tick_interval 5 s); "
             "src/osd/Watch.cc Watch::register_cb (osd_client_watch_timeout 30 s)", kAll},
    CaseInfo{"watch/reconnect/after-reset",
             "RECONNECT is sent only on a new session (after a reset or a change of the target "
             "OSD), never on the session that holds the registration.",
             "src/osdc/Objecter.cc Objecter::_send_linger (RECONNECT when info->registered), "
             "Objecter::_linger_reconnect", kAll},
    CaseInfo{"watch/reconnect/gen",
             "Each RECONNECT carries a generation greater than the watch's previous one.",
             "src/osdc/Objecter.cc Objecter::_send_linger (++info->register_gen)", kCR},
    CaseInfo{"watch/unwatch/reply",
             "Every UNWATCH gets a reply while its session lasts.",
             "src/osd/PrimaryLogPG.cc PrimaryLogPG::do_osd_ops case CEPH_OSD_OP_WATCH "
             "(CEPH_OSD_WATCH_OP_UNWATCH)", kCheck},
    CaseInfo{"watch/unwatch/last",
             "After UNWATCH the client sends nothing more for that cookie (no ping, reconnect "
             "or watch).",
             "src/osdc/Objecter.cc Objecter::linger_cancel, _linger_cancel", kCR},
    CaseInfo{"watch/unwatch/no-events",
             "After an unwatch completes, notifies no longer reach that watch, the notifier "
             "gets no ack and no timeout for it, and the object no longer lists it.",
             "src/osdc/Objecter.cc Objecter::linger_cancel; src/osd/PrimaryLogPG.cc "
             "PrimaryLogPG::do_osd_op_effects (watch disconnect on unwatch)", kLive},
    CaseInfo{"watch/events/registered-only",
             "The OSD sends watch events (NOTIFY, DISCONNECT) only to cookies the client "
             "registered.",
             "src/osd/Watch.cc Watch::send_notify, Watch::send_disconnect", kCheck},
    CaseInfo{"watch/events/after-unwatch",
             "Events for a cookie that arrive after its UNWATCH was sent must be dropped by the "
             "client; this counts how often that happens.",
             "src/osdc/Objecter.cc Objecter::handle_watch_notify (drops events of canceled "
             "lingers)", kCheck, true},
    CaseInfo{"watch/error/disconnect",
             "A DISCONNECT event tells the client its watch is gone; this reports each one and "
             "whether the client registered again.",
             "src/osd/Watch.cc Watch::send_disconnect; src/osdc/Objecter.cc "
             "Objecter::handle_watch_notify (CEPH_WATCH_EVENT_DISCONNECT -> -ENOTCONN)", kCheck,
             true},
    CaseInfo{"watch/error/callback",
             "A watch the OSD dropped (DISCONNECT, or -ENOTCONN to a ping or reconnect) reports "
             "the error to its error callback once, with librados' error code.",
             "src/osdc/Objecter.cc Objecter::_linger_ping, Objecter::_linger_reconnect, "
             "Objecter::handle_watch_notify; src/librados/IoCtxImpl.cc WatchInfo::handle_error",
             kReplay},
    // ---- notify -------------------------------------------------------------------------
    CaseInfo{"notify/op/reply",
             "Every NOTIFY op gets a reply while its session lasts.",
             "src/osd/PrimaryLogPG.cc PrimaryLogPG::do_osd_ops case CEPH_OSD_OP_NOTIFY", kCheck},
    CaseInfo{"notify/complete/exactly-once",
             "Each accepted notify gets exactly one NOTIFY_COMPLETE.",
             "src/osd/Watch.cc Notify::maybe_complete_notify (complete flag)", kAll},
    CaseInfo{"notify/complete/acks-match",
             "The acks listed in a NOTIFY_COMPLETE are exactly the NOTIFY_ACKs the watchers sent "
             "for that notify, with their payloads.",
             "src/osd/Watch.cc Notify::complete_watcher, Notify::maybe_complete_notify "
             "(notify_replies)", kCheck},
    CaseInfo{"notify/complete/timeouts-unacked",
             "A watcher listed as timed out did not ack that notify before the completion.",
             "src/osd/Watch.cc Notify::do_timeout (watchers still pending)", kCL},
    CaseInfo{"notify/complete/return-code",
             "A NOTIFY_COMPLETE says -ETIMEDOUT exactly when some watcher timed out, 0 "
             "otherwise.",
             "src/osd/Watch.cc Notify::maybe_complete_notify (timed_out ? -ETIMEDOUT : 0)", kCL},
    CaseInfo{"notify/complete/before-op-reply",
             "NOTIFY_COMPLETE may arrive before the notify op's own reply; the client must "
             "complete the notify once either way. This counts the races seen.",
             "src/osdc/Objecter.cc Objecter::handle_watch_notify, LingerOp::finish; "
             "src/librados/IoCtxImpl.cc C_notify_Finish", kCR, true},
    CaseInfo{"notify/deliver/payload",
             "Every watcher receives the notifier's payload unchanged, and the notifier's gid.",
             "src/osd/Watch.cc Watch::send_notify (MWatchNotify with the notify's payload and "
             "notifier_gid)", kCL},
    CaseInfo{"notify/deliver/callback",
             "Every notify reaches the watch's callback once, with its cookie, notify id and "
             "payload.",
             "src/osdc/Objecter.cc Objecter::handle_watch_notify, _do_watch_notify; "
             "src/librados/IoCtxImpl.cc WatchInfo::handle_notify", kReplay},
    CaseInfo{"notify/ack/delivered",
             "A NOTIFY_ACK names a notify id and cookie the client was actually notified of.",
             "src/librados/IoCtxImpl.cc IoCtxImpl::notify_ack; src/osd/Watch.cc "
             "Watch::notify_ack", kCheck},
    CaseInfo{"notify/ack/once",
             "A watcher acks each notify at most once per cookie.",
             "src/librados/IoCtxImpl.cc IoCtxImpl::notify_ack (one call per callback)", kCheck},
    CaseInfo{"notify/ack/payload",
             "A NOTIFY_ACK carries the watcher's reply payload, and the notifier gets it back "
             "unchanged in the completion's acks.",
             "src/librados/IoCtxImpl.cc IoCtxImpl::notify_ack; src/osd/Watch.cc "
             "Notify::complete_watcher, Notify::maybe_complete_notify (notify_replies)", kRL},
    // ---- list_watchers ------------------------------------------------------------------
    CaseInfo{"list-watchers/reply/decodes",
             "A successful LIST_WATCHERS reply carries an obj_list_watch_response_t.",
             "src/osd/PrimaryLogPG.cc PrimaryLogPG::do_osd_ops case CEPH_OSD_OP_LIST_WATCHERS",
             kCheck},
    CaseInfo{"list-watchers/reply/known-watchers",
             "Every watcher listed was registered by a client in the capture (watchers of "
             "clients outside the capture are reported, not failed).",
             "src/osd/PrimaryLogPG.cc PrimaryLogPG::do_osd_ops case CEPH_OSD_OP_LIST_WATCHERS "
             "(obc->watchers)", kCL},
};

}  // namespace

std::span<const CaseInfo> catalog() { return kCatalog; }

const CaseInfo* find_case(std::string_view id) {
  for (const auto& c : kCatalog)
    if (c.id == id) return &c;
  return nullptr;
}

}  // namespace cephwire::conformance
