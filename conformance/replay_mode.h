// Replay mode of the conformance catalog: every librados client of a recording is replayed
// through the reference client core (client/replay.h: the recorded OSD side drives a fresh
// WatchClient; what the core sends and delivers is compared with what librados sent and
// delivered) and each replay-mode case gets its verdict from that comparison:
//   - exercised: the recorded client did what the case is about (sent a WATCH, PING,
//     RECONNECT, UNWATCH, NOTIFY_ACK or plain op, got a NOTIFY_COMPLETE, saw the completion
//     race, had a notify or error callback...): `checked` counts those;
//   - fail: a replay Difference classified to the case (classify_difference below), with the
//     difference text as the finding;
//   - pass: exercised and no difference of its class; not-exercised otherwise.
// The wire log is the compared messages: the differing ones first, then the recorded messages
// that exercised the case. Behaviour compared against librados 16.2.15 (ceph/ceph v16.2.15
// src/osdc/Objecter.cc, src/librados/IoCtxImpl.cc) as recorded; each case's catalog entry
// (conformance/catalog.cc) cites its place.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "client/replay.h"
#include "conformance/report.h"

namespace cephwire::conformance {

// The replay-mode cases a replay difference text (client::replay::Difference::what) belongs
// to, besides session/replay/identical (which takes every difference). `unsupported` is set
// for differences that mean "the core has no such call" (reported, not failed).
struct DifferenceClass {
  std::vector<const CaseInfo*> cases;
  bool unsupported = false;
};
DifferenceClass classify_difference(std::string_view what);

// The replay-mode results of one recording's clients (e.g. from tools/cli/replay_load.h):
// one CaseResult per replay-mode case, in catalog order, and the one-line decodes of the
// messages they point at. `name` names the input in the report.
InputRun replay_clients(const std::vector<client::replay::ClientRecording>& clients,
                        std::string name);

}  // namespace cephwire::conformance
