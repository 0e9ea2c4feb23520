// One TCP connection of either messenger: detects msgr v1 ("ceph v027") or v2 ("ceph v2\n")
// from the banner of whichever direction shows first and forwards to msgr1::ConnectionDecoder
// or msgr2::ConnectionDecoder, presenting their items through one interface. For captures that
// start mid-way, resync() tries v2 (a preamble whose crc checks out) and v1 (a MSG tag whose
// header crc checks out) and keeps whichever finds a boundary first in the stream.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "codec/msgr1/connection_decoder.h"
#include "codec/msgr2/connection_decoder.h"
#include "codec/stream.h"

namespace cephwire::codec {

// kNotCeph: the connection did not start with a Ceph banner (and was not declared mid-stream):
// its bytes are ignored.
enum class Msgr : uint8_t { kUnknown, kV1, kV2, kNotCeph };
std::string_view to_string(Msgr m);

// An item of either messenger. It lives on the heap and is handed on by pointer: an item is
// moved several times on its way from the decoder to the user (queues, optionals, events),
// and moving the variant itself costs as much as decoding a small frame.
class AnyItem {
 public:
  using Variant = std::variant<msgr1::Item, msgr2::Item>;
  explicit AnyItem(msgr1::Item&& i) : item_(std::make_unique<Variant>(std::move(i))) {}
  explicit AnyItem(msgr2::Item&& i) : item_(std::make_unique<Variant>(std::move(i))) {}
  const Variant& item() const { return *item_; }

  Dir dir() const;
  uint64_t begin() const;
  uint64_t end() const;
  const std::vector<uint8_t>& raw() const;
  bool crc_ok() const;
  std::string_view kind() const;
  const MessageParts* message() const;
  std::vector<uint8_t> encode() const;
  // The same bytes into `out` (cleared first; its capacity is reused).
  void encode_into(std::vector<uint8_t>& out) const;
  void dump(JsonWriter& w) const;
  Msgr msgr() const { return item_->index() == 0 ? Msgr::kV1 : Msgr::kV2; }

 private:
  std::unique_ptr<Variant> item_;  // never null
};

class ConnectionDecoder {
 public:
  explicit ConnectionDecoder(DecoderOptions opts = {});
  ~ConnectionDecoder();
  ConnectionDecoder(ConnectionDecoder&&) noexcept;
  ConnectionDecoder& operator=(ConnectionDecoder&&) noexcept;

  void feed(Dir d, std::span<const uint8_t> bytes);
  std::optional<AnyItem> poll();
  std::optional<StreamError> poll_error();
  void resync(Dir d);
  uint64_t skipped_bytes(Dir d) const;
  // Bytes fed to d that belong to no complete item yet (e.g. a message cut by the capture's end).
  uint64_t pending_bytes(Dir d) const;
  Msgr msgr() const { return msgr_; }
  // The sender of d's messages, when known (v1: from message headers; v2: HELLO + IDENT).
  std::optional<entity_name_t> sender(Dir d) const;
  const msgr1::ConnectionDecoder* v1() const { return v1_.get(); }
  const msgr2::ConnectionDecoder* v2() const { return v2_.get(); }

 private:
  void choose(Msgr m);
  DecoderOptions opts_;
  Msgr msgr_ = Msgr::kUnknown;
  std::unique_ptr<msgr1::ConnectionDecoder> v1_;
  std::unique_ptr<msgr2::ConnectionDecoder> v2_;
  // Before the version is known: bytes held per direction (at most a banner's worth unless
  // midstream, where both decoders see everything until one finds a boundary).
  std::vector<uint8_t> held_[2];
  bool resync_pending_[2] = {false, false};
};

}  // namespace cephwire::codec
