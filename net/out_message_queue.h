// OutMessageQueue: the messages a Session holds while it has no ready connection, packed one
// after another in a single byte buffer instead of one heap object (and one front buffer) per
// message.
//
// Why: a client that submits 10,000 watches before its OSD session is up (librados does the
// same: Objecter queues every op on the connection at once) queued 10,000 OutMessages, each a
// ~200-byte struct in a deque plus its own ~200-byte front buffer, allocated between the
// watches' long-lived linger records. Freed after the handshake, they left ~450 bytes per
// watch of holes glibc could not give back (RSS 1.1 KiB per watch against ~0.6 KiB live).
// Packed, the queue is one large buffer that is released as a whole once drained; each
// message is unpacked and framed only when it is written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "net/protocol.h"

namespace cephwire::net {

class OutMessageQueue {
 public:
  void push(const OutMessage& m);
  // The oldest message, with owned front/middle/data. Precondition: !empty().
  OutMessage pop();
  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }
  // Bytes held (packed records), for tests.
  size_t bytes() const { return buf_.size() - head_; }
  void clear();

 private:
  std::vector<uint8_t> buf_;
  size_t head_ = 0;   // offset of the oldest record
  size_t count_ = 0;
};

}  // namespace cephwire::net
