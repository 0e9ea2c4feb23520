#include "net/out_message_queue.h"

#include <cstring>
#include <utility>

namespace cephwire::net {

namespace {

// The fixed part of a record; front, middle and data bytes follow it.
struct RecordHeader {
  uint64_t seq, tid, src_num;
  uint32_t front_len, middle_len, data_len;
  uint16_t type, version, compat_version, priority, data_off, osd_op;
  uint8_t src_type, watch_op;
};

}  // namespace

void OutMessageQueue::push(const OutMessage& m) {
  const codec::MessageParts& p = m.parts;
  RecordHeader h{};
  h.seq = p.seq;
  h.tid = p.tid;
  h.src_num = static_cast<uint64_t>(p.src.num);
  h.front_len = static_cast<uint32_t>(p.front.size());
  h.middle_len = static_cast<uint32_t>(p.middle.size());
  h.data_len = static_cast<uint32_t>(p.data.size());
  h.type = p.type;
  h.version = p.version;
  h.compat_version = p.compat_version;
  h.priority = p.priority;
  h.data_off = p.data_off;
  h.osd_op = m.osd_op;
  h.src_type = p.src.type;
  h.watch_op = m.watch_op;
  const size_t at = buf_.size();
  buf_.resize(at + sizeof h + p.front.size() + p.middle.size() + p.data.size());
  uint8_t* out = buf_.data() + at;
  std::memcpy(out, &h, sizeof h);
  out += sizeof h;
  for (const codec::Bytes* b : {&p.front, &p.middle, &p.data}) {
    if (!b->empty()) std::memcpy(out, b->data(), b->size());
    out += b->size();
  }
  ++count_;
}

OutMessage OutMessageQueue::pop() {
  RecordHeader h;
  std::memcpy(&h, buf_.data() + head_, sizeof h);
  const uint8_t* in = buf_.data() + head_ + sizeof h;
  OutMessage m;
  codec::MessageParts& p = m.parts;
  p.seq = h.seq;
  p.tid = h.tid;
  p.src.num = static_cast<int64_t>(h.src_num);
  p.src.type = h.src_type;
  p.type = h.type;
  p.version = h.version;
  p.compat_version = h.compat_version;
  p.priority = h.priority;
  p.data_off = h.data_off;
  m.osd_op = h.osd_op;
  m.watch_op = h.watch_op;
  auto take = [&in](uint32_t n) {
    codec::Bytes b = n ? codec::Bytes(std::vector<uint8_t>(in, in + n)) : codec::Bytes();
    in += n;
    return b;
  };
  p.front = take(h.front_len);
  p.middle = take(h.middle_len);
  p.data = take(h.data_len);
  head_ = static_cast<size_t>(in - buf_.data());
  if (--count_ == 0) clear();  // drained: the buffer goes back as a whole
  return m;
}

void OutMessageQueue::clear() {
  std::vector<uint8_t>().swap(buf_);
  head_ = 0;
  count_ = 0;
}

}  // namespace cephwire::net
