#include "codec/connection.h"

#include <cstring>

namespace cephwire::codec {

namespace {
constexpr char kV1Banner[] = "ceph v027";
constexpr char kV2Banner[] = "ceph v2\n";
}  // namespace

std::string_view to_string(Msgr m) {
  switch (m) {
    case Msgr::kV1: return "v1";
    case Msgr::kV2: return "v2";
    case Msgr::kNotCeph: return "not-ceph";
    default: return "unknown";
  }
}

Dir AnyItem::dir() const {
  return std::visit([](const auto& i) { return i.dir; }, *item_);
}
uint64_t AnyItem::begin() const {
  return std::visit([](const auto& i) { return i.begin; }, *item_);
}
uint64_t AnyItem::end() const {
  return std::visit([](const auto& i) { return i.end; }, *item_);
}
const std::vector<uint8_t>& AnyItem::raw() const {
  return std::visit([](const auto& i) -> const std::vector<uint8_t>& { return i.raw; }, *item_);
}
bool AnyItem::crc_ok() const {
  return std::visit([](const auto& i) { return i.crc_ok; }, *item_);
}
std::string_view AnyItem::kind() const {
  return std::visit([](const auto& i) { return i.kind(); }, *item_);
}
const MessageParts* AnyItem::message() const {
  return std::visit([](const auto& i) { return i.message(); }, *item_);
}
std::vector<uint8_t> AnyItem::encode() const {
  return std::visit([](const auto& i) { return i.encode(); }, *item_);
}
void AnyItem::encode_into(std::vector<uint8_t>& out) const {
  std::visit([&](const auto& i) { i.encode_into(out); }, *item_);
}
void AnyItem::dump(JsonWriter& w) const {
  std::visit([&](const auto& i) { i.dump(w); }, *item_);
}

ConnectionDecoder::ConnectionDecoder(DecoderOptions opts) : opts_(opts) {}
ConnectionDecoder::~ConnectionDecoder() = default;
ConnectionDecoder::ConnectionDecoder(ConnectionDecoder&&) noexcept = default;
ConnectionDecoder& ConnectionDecoder::operator=(ConnectionDecoder&&) noexcept = default;

void ConnectionDecoder::choose(Msgr m) {
  msgr_ = m;
  if (m == Msgr::kV1) {
    v1_ = std::make_unique<msgr1::ConnectionDecoder>(opts_);
  } else {
    v2_ = std::make_unique<msgr2::ConnectionDecoder>(opts_);
  }
  for (int d = 0; d < 2; ++d) {
    if (resync_pending_[d]) resync(static_cast<Dir>(d));
    if (!held_[d].empty()) {
      std::vector<uint8_t> h = std::move(held_[d]);
      held_[d].clear();
      feed(static_cast<Dir>(d), h);
    }
  }
}

void ConnectionDecoder::feed(Dir d, std::span<const uint8_t> bytes) {
  if (msgr_ == Msgr::kV1) return v1_->feed(d, bytes);
  if (msgr_ == Msgr::kV2) return v2_->feed(d, bytes);
  if (msgr_ == Msgr::kNotCeph) return;
  auto& h = held_[static_cast<int>(d)];
  h.insert(h.end(), bytes.begin(), bytes.end());
  if (resync_pending_[static_cast<int>(d)] || opts_.midstream) {
    // Mid-stream: let both decoders look for a boundary on a copy; take the earliest.
    msgr1::ConnectionDecoder a(opts_);
    msgr2::ConnectionDecoder b(opts_);
    a.resync(d);
    b.resync(d);
    a.feed(d, h);
    b.feed(d, h);
    const bool a_found = a.skipped_bytes(d) < h.size() && !a.failed(d) && a.offset(d) > a.skipped_bytes(d);
    const bool b_found = b.skipped_bytes(d) < h.size() && !b.stopped(d) && b.offset(d) > b.skipped_bytes(d);
    if (a_found || b_found) {
      if (a_found && (!b_found || a.skipped_bytes(d) <= b.skipped_bytes(d))) {
        choose(Msgr::kV1);
      } else {
        choose(Msgr::kV2);
      }
    }
    return;
  }
  if (h.size() >= 8 && std::memcmp(h.data(), kV2Banner, 8) == 0) return choose(Msgr::kV2);
  if (h.size() >= 9 && std::memcmp(h.data(), kV1Banner, 9) == 0) return choose(Msgr::kV1);
  const size_t n = std::min<size_t>(h.size(), 9);
  if (std::memcmp(h.data(), kV1Banner, std::min<size_t>(n, 9)) != 0 &&
      std::memcmp(h.data(), kV2Banner, std::min<size_t>(n, 8)) != 0) {
    // Not a Ceph banner: some other protocol shares the capture. Ignore the connection.
    msgr_ = Msgr::kNotCeph;
    held_[0].clear();
    held_[1].clear();
  }
}

std::optional<AnyItem> ConnectionDecoder::poll() {
  if (v1_) {
    if (auto i = v1_->poll()) return AnyItem(std::move(*i));
  } else if (v2_) {
    if (auto i = v2_->poll()) return AnyItem(std::move(*i));
  }
  return std::nullopt;
}

std::optional<StreamError> ConnectionDecoder::poll_error() {
  if (v1_) return v1_->poll_error();
  if (v2_) return v2_->poll_error();
  return std::nullopt;
}

void ConnectionDecoder::resync(Dir d) {
  if (v1_) return v1_->resync(d);
  if (v2_) return v2_->resync(d);
  resync_pending_[static_cast<int>(d)] = true;
  held_[static_cast<int>(d)].clear();
}

uint64_t ConnectionDecoder::skipped_bytes(Dir d) const {
  if (v1_) return v1_->skipped_bytes(d);
  if (v2_) return v2_->skipped_bytes(d);
  return 0;
}

uint64_t ConnectionDecoder::pending_bytes(Dir d) const {
  if (v1_) return v1_->buffered_bytes(d);
  if (v2_) return v2_->stopped(d) ? 0 : v2_->fed(d) - v2_->offset(d);
  return held_[static_cast<int>(d)].size();
}

std::optional<entity_name_t> ConnectionDecoder::sender(Dir d) const {
  if (v2_) return v2_->peer_name(d);
  if (v1_) {
    const auto& f = v1_->facts();
    return d == Dir::kClientToServer ? f.client_name : f.server_name;
  }
  return std::nullopt;
}

}  // namespace cephwire::codec
