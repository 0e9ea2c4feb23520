// Follows the cluster's OSDMap from MOSDMap messages (from the mon or from OSDs), after
// ceph/ceph src/osdc/Objecter.cc Objecter::handle_osd_map: ignore other clusters (fsid) and
// old epochs; with no map yet take the newest full map in the message; then walk epoch by
// epoch from ours + 1, applying the incremental for that epoch or, failing that, the full
// map; stop at a gap (the caller asks the mon for epoch + 1). Decoding and placement are
// //codec/osdmap's.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/watch_client.h"
#include "codec/messages/MOSDMap.h"
#include "codec/osdmap/OSDMap.h"
#include "codec/types/entity_addr_t.h"

namespace cephwire::net {

class OsdMapTracker {
 public:
  struct Update {
    bool changed = false;      // the epoch moved
    uint32_t from = 0, to = 0; // epochs before / after
    bool gap = false;          // maps after `to` are missing from the message
    std::string error;         // a blob that failed to decode / apply (the map stays at `to`)
    // Every map this message moved through, oldest first; the last is map(). Objecter runs
    // _scan_requests once per epoch (a linger moved by two epochs is resent twice), so the
    // core gets a placement per epoch (WatchClient::handle_map_change(vector)).
    std::vector<std::shared_ptr<const codec::OSDMap>> epochs;
  };
  Update handle(const codec::MOSDMap& m);

  // The current map (shared: placements computed from it stay valid after later updates).
  std::shared_ptr<const codec::OSDMap> map() const { return map_; }
  uint32_t epoch() const { return map_ ? map_->epoch : 0; }

  // The address of `osd` for messenger type `addr_type` (TYPE_LEGACY / TYPE_MSGR2), if up.
  std::optional<codec::entity_addr_t> osd_addr(int32_t osd, uint32_t addr_type) const;

  // Placement for the watch core under the current map.
  client::Placement placement() const;
  static client::Placement placement_of(std::shared_ptr<const codec::OSDMap> m);
  static client::Target locate(const codec::OSDMap& m, const client::ObjectId& obj);

 private:
  std::shared_ptr<const codec::OSDMap> map_;
};

}  // namespace cephwire::net
