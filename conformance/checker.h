// The capture-mode rule engine: fed the items of every connection of a capture in capture
// order (as tools/capture delivers them), it evaluates the catalog's check-mode cases
// (conformance/catalog.cc) and returns one result per case, each failure naming the pcap frame
// and the rule. Sans-IO: no files, no clocks; the shell (`cephwire check`) reads the pcap.
//
// The rules follow the client's and the OSD's behaviour in ceph/ceph v16.2.15
// (src/osdc/Objecter.cc, src/osd/Watch.cc, src/osd/PrimaryLogPG.cc, src/librados/IoCtxImpl.cc);
// each case in the catalog cites its place. A client is known by the entity name its messages
// carry (client.<gid>); a watcher's gid in a NOTIFY_COMPLETE is that number.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "codec/connection.h"
#include "codec/stream.h"
#include "conformance/catalog.h"

namespace cephwire::conformance {

struct Finding {
  uint64_t frame = 0;  // pcap frame (1-based) of the item that shows it; 0 = the whole capture
  uint64_t conn = 0;   // capture stream id
  std::string text;
};

struct CaseResult {
  const CaseInfo* info = nullptr;
  Verdict verdict = Verdict::kNotExercised;
  uint64_t checked = 0;             // how many times the rule applied
  std::vector<Finding> failures;    // verdict fail
  std::vector<Finding> notes;       // non-strict, informational, unsupported observations
  // (frame, conn) of the items the rule looked at first, failures first: the report's wire log.
  std::vector<std::pair<uint64_t, uint64_t>> examples;
  // Time spent on this case alone (replay / live modes); < 0: the whole input's time.
  double seconds = -1;
};

class Checker {
 public:
  Checker();
  ~Checker();

  // A TCP stream opened (client and server "ip:port").
  void on_open(uint64_t conn, std::string client, std::string server);
  // One decoded item of `conn` (frame = where its last byte arrived; t = that frame's time, s).
  void on_item(uint64_t conn, uint64_t frame, double t, const codec::AnyItem& item);
  void on_stream_error(uint64_t conn, uint64_t frame, codec::Msgr msgr, const codec::StreamError& e);
  void on_gap(uint64_t conn, uint64_t frame, codec::Dir d, uint64_t offset, uint64_t length);
  void on_truncated(uint64_t conn, uint64_t frame, codec::Dir d, uint64_t pending);
  void on_close(uint64_t conn, uint64_t frame);

  // Evaluates what needs the whole capture and returns every catalog case that runs in check
  // mode, in catalog order.
  std::vector<CaseResult> finish();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace cephwire::conformance
