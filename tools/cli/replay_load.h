// Loading a recording for `cephwire replay`: reads the pcap (tools/capture), groups the
// MOSDOp / MOSDOpReply / MWatchNotify items of each librados client's OSD connections with
// their pcap frames and times (client entity from the messages / msgr handshake, or on a
// monitor session from the global_id in MAuthReply / AUTH_DONE; OSD from the server side),
// follows the client's OSDMap through the MOSDMaps it receives (from its monitor or OSDs;
// //codec/osdmap decodes and places) and hands the replay each new epoch's placement, and
// reads the recording's manifest (NAME.json beside NAME.pcap, when present):
// the client's objecter_tick_interval override and the watch callbacks librados delivered for
// the scenario's own watches. The replay logic itself is client/replay.h (sans-IO).
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "client/replay.h"
#include "codec/connection.h"

namespace cephwire::cli {

struct LoadedRecording {
  std::string file;
  std::deque<codec::AnyItem> storage;  // the bytes the inputs' messages view
  std::vector<client::replay::ClientRecording> clients;  // by gid
};

// false (and *error) when the capture cannot be read.
bool load_recording(const std::string& pcap, LoadedRecording& out, std::string* error);

}  // namespace cephwire::cli
