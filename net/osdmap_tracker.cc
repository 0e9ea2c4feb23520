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

  // Every epoch is applied to a copy of the one before (kept by the placements made from
  // it, and a blob that fails half-way leaves no half-applied map behind).
  std::shared_ptr<const codec::OSDMap> cur = map_;
  std::vector<std::shared_ptr<const codec::OSDMap>> reached;
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
    cur = std::make_shared<const codec::OSDMap>(std::move(*full));
    reached.push_back(cur);
  }
  for (uint32_t next = cur->epoch + 1; next <= last; ++next) {
    auto inc = m.incremental_maps.find(next);
    auto full = m.maps.find(next);
    if (inc == m.incremental_maps.end() && full == m.maps.end()) {
      u.gap = true;
      break;
    }
    auto n = std::make_shared<codec::OSDMap>(*cur);
    if (inc != m.incremental_maps.end()) {
      auto r = n->apply_incremental(inc->second.span());
      if (!r) {
        u.error = "incremental " + std::to_string(next) + ": " + r.error().to_string();
        break;
      }
    } else {
      auto d = codec::OSDMap::decode(full->second.span());
      if (!d) {
        u.error = "full map " + std::to_string(next) + ": " + d.error().to_string();
        break;
      }
      *n = std::move(*d);
    }
    cur = std::move(n);
    reached.push_back(cur);
  }
  if (!reached.empty()) {
    map_ = cur;
    u.changed = true;
    u.epochs = std::move(reached);
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
  // The PG's interval (Objecter op_target_t): a linger is resent when it changes even if the
  // primary stays (WatchClient::rescan_targets, Target::same_interval).
  const codec::UpActing ua = m.pg_to_up_acting(codec::PgId{obj.pool, loc->pg_seed});
  t.up = ua.up;
  t.acting = ua.acting;
  t.up_primary = ua.up_primary;
  if (const auto* pool = m.get_pool(obj.pool)) {
    t.pg_num = pool->pg_num;
    t.size = pool->size;
    t.min_size = pool->min_size;
  }
  return t;
}

client::Placement OsdMapTracker::placement() const { return placement_of(map_); }

client::Placement OsdMapTracker::placement_of(std::shared_ptr<const codec::OSDMap> m) {
  return [m](const client::ObjectId& obj) {
    return m ? locate(*m, obj) : client::Target{};
  };
}

}  // namespace cephwire::net
