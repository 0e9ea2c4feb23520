#include "tools/capture/capture.h"

#include <sys/stat.h>

namespace cephwire::capture {

pcap::PcapResult<std::unique_ptr<Capture>> Capture::open(const std::string& path,
                                                         CaptureOptions opts) {
  auto r = pcap::PcapReader::open(path);
  if (!r) return tl::unexpected(r.error());
  std::unique_ptr<Capture> c(new Capture(std::move(*r), opts));
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) c->file_size_ = static_cast<uint64_t>(st.st_size);
  return c;
}

uint64_t Capture::file_offset() const { return stats_.bytes; }

std::pair<uint64_t, pcap::Timestamp> Capture::arrival(Connection& c, Dir d, uint64_t end) const {
  auto& q = c.arrivals[static_cast<int>(d)];
  // Entries ending before this item cannot serve later items (items end in stream order).
  while (q.size() > 1 && q.front().end < end) q.pop_front();
  if (q.empty()) return {last_frame_, {}};
  return {q.front().frame, q.front().ts};
}

void Capture::drain(Connection& c, uint64_t frame) {
  while (auto item = c.decoder.poll()) {
    auto [f, ts] = arrival(c, item->dir(), item->end());
    ++c.items;
    ++stats_.items;
    if (item->message()) {
      ++c.messages;
      ++stats_.messages;
    }
    out_.push_back(ev::Item{&c, std::move(*item), f, ts});
  }
  while (auto err = c.decoder.poll_error()) {
    ++stats_.stream_errors;
    out_.push_back(ev::StreamError{&c, *err, frame});
    // Keep going after the bad item: find the next frame boundary.
    c.decoder.resync(err->dir);
    out_.push_back(ev::Resynced{&c, err->dir, 0, frame, "after a decode error"});
  }
}

void Capture::handle(const pcap::Event& e) {
  if (auto* o = std::get_if<pcap::ConnectionOpened>(&e)) {
    auto c = std::make_unique<Connection>();
    c->id = o->conn;
    c->client = o->client;
    c->server = o->server;
    c->client_guessed = o->client_guessed;
    c->midstream = o->midstream;
    c->first_frame = o->frame;
    codec::DecoderOptions dopts;
    dopts.verify_crc = opts_.verify_crc;
    c->decoder = codec::ConnectionDecoder(dopts);
    for (int d = 0; d < 2; ++d) {
      if (o->midstream[d]) c->decoder.resync(static_cast<Dir>(d));
    }
    ++stats_.streams;
    Connection* p = c.get();
    conns_[o->conn] = std::move(c);
    out_.push_back(ev::Opened{p});
    for (int d = 0; d < 2; ++d) {
      if (o->midstream[d])
        out_.push_back(ev::Resynced{p, static_cast<Dir>(d), 0, o->frame, "stream starts mid-way"});
    }
  } else if (auto* d = std::get_if<pcap::Data>(&e)) {
    auto it = conns_.find(d->conn);
    if (it == conns_.end()) return;
    Connection& c = *it->second;
    const bool was_unknown = c.decoder.msgr() == codec::Msgr::kUnknown;
    stats_.bytes += d->bytes.size();
    c.bytes[static_cast<int>(d->dir)] += d->bytes.size();
    c.arrivals[static_cast<int>(d->dir)].push_back({d->offset + d->bytes.size(), d->frame, d->ts});
    c.decoder.feed(d->dir, d->bytes);
    if (was_unknown && c.decoder.msgr() == codec::Msgr::kNotCeph) ++stats_.other_streams;
    else if (was_unknown && c.decoder.msgr() != codec::Msgr::kUnknown) ++stats_.ceph_streams;
    drain(c, d->frame);
  } else if (auto* g = std::get_if<pcap::Gap>(&e)) {
    auto it = conns_.find(g->conn);
    if (it == conns_.end()) return;
    Connection& c = *it->second;
    ++stats_.gaps;
    drain(c, g->frame);
    out_.push_back(ev::Gap{&c, g->dir, g->offset, g->length, g->frame});
    c.decoder.resync(g->dir);
    out_.push_back(ev::Resynced{&c, g->dir, 0, g->frame, "after missing bytes"});
  } else if (auto* cl = std::get_if<pcap::ConnectionClosed>(&e)) {
    auto it = conns_.find(cl->conn);
    if (it == conns_.end()) return;
    Connection& c = *it->second;
    drain(c, cl->frame);
    for (int d = 0; d < 2; ++d) {
      const Dir dir = static_cast<Dir>(d);
      if (uint64_t pending = c.decoder.pending_bytes(dir)) {
        ++stats_.truncated_items;
        out_.push_back(ev::Truncated{&c, dir, c.bytes[d] - pending, pending, cl->frame});
      }
    }
    out_.push_back(ev::Closed{&c, cl->how, cl->frame});
  }
}

std::optional<Event> Capture::next() {
  if (retire_) {
    conns_.erase(*retire_);
    retire_.reset();
  }
  while (out_.empty()) {
    if (finished_) return std::nullopt;
    auto p = reader_.next_tcp();
    if (!p) {
      error_ = p.error();
      for (const auto& e : reassembler_.finish()) handle(e);
      finished_ = true;
      continue;
    }
    if (!*p) {
      stats_.frames = reader_.records_read();
      for (const auto& e : reassembler_.finish()) handle(e);
      finished_ = true;
      continue;
    }
    ++stats_.tcp_segments;
    last_frame_ = (*p)->frame;
    stats_.frames = reader_.records_read();
    for (const auto& e : reassembler_.feed(**p)) handle(e);
  }
  Event e = std::move(out_.front());
  out_.pop_front();
  if (auto* c = std::get_if<ev::Closed>(&e)) retire_ = c->conn->id;
  return e;
}

}  // namespace cephwire::capture
