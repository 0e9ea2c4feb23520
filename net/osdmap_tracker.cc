#include "net/osdmap_tracker.h"

namespace cephwire::net {

OsdMapTracker::Update OsdMapTracker::handle(const codec::MOSDMap& m) {
  Update u;
  u.from = u.to = epoch();
  if (map_ && m.fsid != map_->fsid) {
    u.error = "MOSDMap for another cluster (fsid mismatch)";
    return u;
  }
  const uint32_t last = m.get_last();
  if (last == 0 || last <= epoch()) return u;  // nothing new

  auto cur = map_ ? std::make_shared<codec::OSDMap>(*map_) : nullptr;
  uint32_t e = epoch();
  if (!cur) {
    // No map yet: start from the newest full map the message has.
    if (m.maps.empty()) {
      u.gap = true;
      return u;
    }
    auto it = m.maps.rbegin();
    auto full = codec::OSDMap::decode(it->second.span());
    if (!full) {
      u.error = "full map " + std::to_string(it->first) + ": " + full.error().to_string();
      return u;
    }
    cur = std::make_shared<codec::OSDMap>(std::move(*full));
    e = cur->epoch;
  }
  for (uint32_t next = e + 1; next <= last; ++next) {
    if (auto inc = m.incremental_maps.find(next); inc != m.incremental_maps.end()) {
      auto r = cur->apply_incremental(inc->second.span());
      if (!r) {
        u.error = "incremental " + std::to_string(next) + ": " + r.error().to_string();
        break;
      }
    } else if (auto full = m.maps.find(next); full != m.maps.end()) {
      auto d = codec::OSDMap::decode(full->second.span());
      if (!d) {
        u.error = "full map " + std::to_string(next) + ": " + d.error().to_string();
        break;
      }
      *cur = std::move(*d);
    } else {
      u.gap = true;
      break;
    }
  }
  if (cur->epoch != epoch() || !map_) {
    map_ = std::move(cur);
    u.changed = true;
  }
  u.to = epoch();
  return u;
}

std::optional<codec::entity_addr_t> OsdMapTracker::osd_addr(int32_t osd, uint32_t addr_type) const {
  if (!map_ || !map_->is_up(osd) || size_t(osd) >= map_->client_addrs.size()) return std::nullopt;
  for (const auto& a : map_->client_addrs[size_t(osd)].v) {
    if (a.type == addr_type) return a;
    // A pre-nautilus map encodes one legacy address (decoded as TYPE_LEGACY).
  }
  return std::nullopt;
}

client::Target OsdMapTracker::locate(const codec::OSDMap& m, const client::ObjectId& obj) {
  client::Target t;
  t.epoch = m.epoch;
  auto loc = m.locate(obj.pool, obj.name, obj.nspace, obj.key);
  if (!loc) return t;  // pool does not exist: homeless
  t.osd = loc->acting_primary;
  t.pg_seed = loc->pg_seed;
  t.hash = loc->raw_hash;
  return t;
}

client::Placement OsdMapTracker::placement() const {
  auto m = map_;
  return [m](const client::ObjectId& obj) {
    return m ? locate(*m, obj) : client::Target{};
  };
}

}  // namespace cephwire::net
