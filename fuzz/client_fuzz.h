// The client-core targets (watch_client, watch_client_registered): a fuzzer-chosen script of
// user calls, OSD replies, watch notifications, session resets, map changes, lost / duplicated /
// reordered replies and clock jumps driven through the sans-IO WatchClient (client/watch_client.h),
// with a well-behaved shell around it: every request it transmits goes into a simulated network
// (from which replies are taken in any order, dropped or duplicated), and handle_timeout() is
// called whenever poll_timeout() has passed.
//
// Script: repeated { u8 op; arguments } (see the switch in ClientHarness::step); past the end of
// the input every byte reads 0. After every step:
//  - check_invariants(now) holds;
//  - events: no event for a cookie after its Unwatched event, and after unwatch() returned 0
//    only its Unwatched (once); WatchRegistered/WatchNotify/WatchError/WatchReconnected only for
//    cookies watch() returned; each notify handle gets at most one NotifyDone, and none for a
//    handle notify() did not return; OpDone once per plain op handle; FlushDone tokens in order;
//  - watch_check() of an unknown or unwatched cookie is -ENOTCONN;
//  - bounded state: pending_requests() <= 3 * requests the script caused + 2, linger_count() <=
//    watch() + notify() calls.
// At the end the network goes silent and the clock runs past every notify deadline: every
// notify handle must then have completed exactly once.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/watch_client.h"
#include "codec/denc.h"
#include "fuzz/fuzz_util.h"

namespace cephwire::fuzz {

using namespace std::chrono_literals;
namespace cl = cephwire::client;

class ClientHarness {
 public:
  static constexpr int kMaxSteps = 400;

  ClientHarness() : client_(config(), placement_for(0, 0), now_) {}

  cl::WatchClient& client() { return client_; }
  cl::Instant now() const { return now_; }
  std::vector<std::string>& objects() { return objects_; }

  // Registers a watch the way the recorded session did (used by the registered variant).
  uint64_t add_watch(const cl::ObjectId& obj, uint32_t timeout) {
    const uint64_t c = client_.watch(obj, timeout, now_);
    watch_cookies_.insert(c);
    known_cookies_.push_back(c);
    ++calls_;
    ++lingers_made_;
    return c;
  }
  // Transmitted requests not answered yet, in send order.
  std::vector<cl::OsdRequest>& network() { return network_; }
  void settle() { after_step(); }

  void run(Reader& in) {
    for (int i = 0; i < kMaxSteps && !in.empty(); ++i) {
      step(in);
      after_step();
    }
    finish();
  }

 private:
  static cl::ClientConfig config() {
    cl::ClientConfig c;
    c.gid = 4133;
    return c;
  }
  static uint32_t name_hash(const std::string& s) {
    uint32_t h = 2166136261u;
    for (unsigned char ch : s) h = (h ^ ch) * 16777619u;
    return h;
  }
  // OSD = (hash + shift) % 4 - 1: -1 (homeless), 0, 1 or 2; a map change moves some objects.
  static cl::Placement placement_for(uint32_t shift, uint32_t epoch) {
    return [shift, epoch](const cl::ObjectId& o) {
      const uint32_t h = name_hash(o.name) ^ static_cast<uint32_t>(o.pool);
      cl::Target t;
      t.osd = static_cast<int32_t>((h + shift) % 4) - 1;
      t.epoch = 9 + epoch;
      t.hash = h;
      t.pg_seed = h & 7;
      return t;
    };
  }

  cl::ObjectId object(Reader& in) {
    cl::ObjectId o;
    o.pool = 1;
    o.name = objects_[in.u8() % objects_.size()];
    return o;
  }
  uint64_t pick_cookie(Reader& in) {
    const uint8_t x = in.u8();
    if (x < 240 && !known_cookies_.empty()) return known_cookies_[x % known_cookies_.size()];
    return x == 255 ? in.u64() : x;
  }
  uint64_t pick_notify_id(Reader& in) {
    const uint8_t x = in.u8();
    if (x < 200 && !notify_ids_.empty()) return notify_ids_[x % notify_ids_.size()];
    return x == 255 ? in.u64() : x;
  }
  codec::Bytes bytes(Reader& in, size_t max) {
    const size_t n = in.u8() % (max + 1);
    return codec::Bytes::copy_of(in.bytes(n));
  }
  static int32_t result(Reader& in) {
    const uint8_t x = in.u8();
    if (x < 160) return 0;
    static constexpr int32_t kErrs[] = {-2, -107, -110, -22, -1, -9, -125, -34, 1};
    if (x < 250) return kErrs[x % std::size(kErrs)];
    return static_cast<int32_t>(in.u32());
  }
  // A notify reply buffer: acks map + timeouts list, as the OSD encodes it (or garbage).
  static codec::Bytes notify_reply(Reader& in) {
    const uint8_t x = in.u8();
    if (x < 64) return {};
    if (x >= 224) return codec::Bytes::copy_of(in.bytes(x % 32));
    std::map<std::pair<uint64_t, uint64_t>, codec::Bytes> acks;
    std::vector<std::pair<uint64_t, uint64_t>> timeouts;
    // (Each argument read in its own statement: argument evaluation order is unspecified.)
    for (int i = 0, n = in.u8() % 3; i < n; ++i) {
      const uint64_t gid = in.u8();
      const uint64_t cookie = in.u8();
      const size_t len = in.u8() % 8;
      acks.emplace(std::make_pair(gid, cookie), codec::Bytes::copy_of(in.bytes(len)));
    }
    for (int i = 0, n = in.u8() % 3; i < n; ++i) {
      const uint64_t gid = in.u8();
      const uint64_t cookie = in.u8();
      timeouts.emplace_back(gid, cookie);
    }
    std::vector<uint8_t> out;
    {
      codec::Encoder e(out);  // trims `out` when it goes
      e("acks", acks) && e("timeouts", timeouts);
    }
    return codec::Bytes(std::move(out));
  }

  cl::OsdReply reply_for(const cl::OsdRequest& req, Reader& in) {
    cl::OsdReply r;
    r.tid = req.tid;
    r.epoch = req.target.epoch;
    const uint8_t o = in.u8();
    r.osd = o < 240 ? req.target.osd : static_cast<int32_t>(o % 5) - 1;
    r.result = result(in);
    for (const auto& op : req.ops) {
      r.rvals.push_back(r.result < 0 ? r.result : 0);
      codec::Bytes out;
      if (r.result >= 0) {
        if (op.op == cl::osd_op::kNotify) {
          uint64_t id = in.u8() < 224 ? ++last_notify_id_ * 1000 + 7 : in.u64();
          notify_ids_.push_back(id);
          notify_id_of_[op.cookie] = id;
          std::vector<uint8_t> b(8);
          std::memcpy(b.data(), &id, 8);
          if (in.u8() >= 240) b.resize(in.u8() % 8);  // a short / odd outdata
          out = codec::Bytes(std::move(b));
        } else if (op.op == cl::osd_op::kStat || op.op == cl::osd_op::kListWatchers ||
                   op.op == cl::osd_op::kRead) {
          out = codec::Bytes::copy_of(in.bytes(in.u8() % 40));
        }
      }
      r.outdata.push_back(std::move(out));
    }
    return r;
  }

  void deliver_reply(size_t idx, Reader& in, bool keep) {
    const cl::OsdRequest req = network_[idx];
    if (!keep) network_.erase(network_.begin() + static_cast<std::ptrdiff_t>(idx));
    answered_.push_back(req);
    if (answered_.size() > 64) answered_.pop_front();
    client_.handle_reply(reply_for(req, in), now_);
  }

  void step(Reader& in) {
    const uint8_t op = in.u8() % 20;
    switch (op) {
      case 0: {  // watch
        const cl::ObjectId o = object(in);
        const uint8_t t = in.u8();
        add_watch(o, t < 128 ? 0 : t % 61);
        break;
      }
      case 1: {  // unwatch
        const uint64_t c = pick_cookie(in);
        const int r = client_.unwatch(c, now_);
        if (!watch_cookies_.count(c) || unwatch_called_.count(c))
          FUZZ_CHECK(r == -cl::kENOTCONN, "unwatch of an unknown or unwatched cookie returned " +
                                              std::to_string(r));
        if (r == 0) {
          unwatch_called_.insert(c);
          ++calls_;
        }
        break;
      }
      case 2: {  // notify
        const cl::ObjectId o = object(in);
        codec::Bytes payload = bytes(in, 32);
        const uint8_t t = in.u8();
        const uint32_t timeout_ms = t < 64 ? 0 : t < 128 ? t : (t % 61) * 1000u;
        const uint64_t h = client_.notify(o, payload, timeout_ms, now_);
        FUZZ_CHECK(notify_done_.count(h) == 0 && !watch_cookies_.count(h), "notify handle reused");
        notify_done_[h] = 0;
        known_cookies_.push_back(h);
        ++calls_;
        ++lingers_made_;
        break;
      }
      case 3: {  // notify_ack
        const cl::ObjectId o = object(in);
        const uint64_t id = pick_notify_id(in);
        const uint64_t c = pick_cookie(in);
        notify_ack_handles_.insert(client_.notify_ack(o, id, c, bytes(in, 16), now_));
        ++calls_;
        break;
      }
      case 4:
        plain_.insert(client_.list_watchers(object(in), now_));
        ++calls_;
        break;
      case 5: {
        const cl::ObjectId o = object(in);
        plain_.insert(client_.write_full(o, bytes(in, 64), now_));
        ++calls_;
        break;
      }
      case 6: {  // watch_check
        const uint64_t c = pick_cookie(in);
        const int64_t r = client_.watch_check(c, now_);
        if (!watch_cookies_.count(c) || unwatch_called_.count(c))
          FUZZ_CHECK(r == -cl::kENOTCONN, "watch_check of an unknown or unwatched cookie: " +
                                              std::to_string(r));
        FUZZ_CHECK(r != 0, "watch_check returned 0");
        break;
      }
      case 7:
        flush_tokens_.push_back(client_.watch_flush());
        break;
      case 8:  // a reply to an outstanding request (any of them: replies reorder)
        if (!network_.empty()) {
          const size_t idx = in.u8() % network_.size();
          const bool keep = in.u8() >= 240;
          deliver_reply(idx, in, keep);
        }
        break;
      case 9:  // the request or its reply is lost
        if (!network_.empty())
          network_.erase(network_.begin() + static_cast<std::ptrdiff_t>(in.u8() % network_.size()));
        break;
      case 10: {  // NOTIFY for a watch
        cl::WatchNotifyMsg m;
        m.opcode = cl::kWatchEventNotify;
        m.cookie = pick_cookie(in);
        m.notify_id = pick_notify_id(in);
        m.notifier_gid = in.u8();
        m.payload = bytes(in, 32);
        m.osd = static_cast<int32_t>(in.u8() % 4) - 1;
        client_.handle_watch_notify(m, now_);
        break;
      }
      case 11: {  // NOTIFY_COMPLETE for a notify
        cl::WatchNotifyMsg m;
        m.opcode = cl::kWatchEventNotifyComplete;
        m.cookie = pick_cookie(in);
        const uint8_t x = in.u8();
        auto it = notify_id_of_.find(m.cookie);
        m.notify_id = x < 192 && it != notify_id_of_.end() ? it->second : pick_notify_id(in);
        const uint8_t rc = in.u8();
        m.return_code = rc < 160 ? 0 : rc < 240 ? -cl::kETIMEDOUT : static_cast<int32_t>(in.u32());
        m.data = notify_reply(in);
        m.osd = static_cast<int32_t>(in.u8() % 4) - 1;
        client_.handle_watch_notify(m, now_);
        break;
      }
      case 12: {  // DISCONNECT
        cl::WatchNotifyMsg m;
        m.opcode = cl::kWatchEventDisconnect;
        m.cookie = pick_cookie(in);
        m.osd = static_cast<int32_t>(in.u8() % 4) - 1;
        client_.handle_watch_notify(m, now_);
        break;
      }
      case 13: {  // any MWatchNotify at all
        cl::WatchNotifyMsg m;
        m.opcode = in.u8();
        m.cookie = pick_cookie(in);
        m.notify_id = in.u64();
        m.return_code = static_cast<int32_t>(in.u32());
        m.notifier_gid = in.u64();
        m.payload = bytes(in, 16);
        m.data = bytes(in, 48);
        m.osd = static_cast<int32_t>(in.u8()) - 1;
        client_.handle_watch_notify(m, now_);
        break;
      }
      case 14: {  // session reset of an OSD (7: one no request went to)
        const uint8_t x = in.u8();
        client_.handle_session_reset(x < 250 ? static_cast<int32_t>(x % 3) : 7, now_);
        break;
      }
      case 15:  // new map
        ++map_epoch_;
        client_.handle_map_change(placement_for(in.u8(), map_epoch_), now_);
        break;
      case 16: {  // the clock moves on
        const uint8_t k = in.u8();
        if (k < 200) now_ += std::chrono::milliseconds(100) * k;
        else if (k < 250) now_ += std::chrono::seconds(10) * (k - 200);
        else now_ += std::chrono::hours(1) * (k - 249);
        break;
      }
      case 17:  // an early or extra timer call
        client_.handle_timeout(now_);
        break;
      case 18: {  // a reply nobody asked for
        cl::OsdReply r;
        r.tid = in.u8() < 128 ? in.u8() : in.u64();
        r.osd = static_cast<int32_t>(in.u8() % 4) - 1;
        r.result = result(in);
        r.rvals.push_back(r.result);
        r.outdata.push_back(bytes(in, 16));
        client_.handle_reply(r, now_);
        break;
      }
      case 19:  // a duplicate of an earlier reply
        if (!answered_.empty()) {
          const cl::OsdRequest req = answered_[in.u8() % answered_.size()];
          client_.handle_reply(reply_for(req, in), now_);
        }
        break;
    }
  }

  // The checking side of the harness below (take_transmits, take_events, after_step, finish)
  // is CEPHWIRE_HARNESS_ONLY: the client's own code (watch_client.cc, a separate translation
  // unit) keeps its coverage; the harness's bookkeeping gives the fuzzer no useful feedback.
  CEPHWIRE_HARNESS_ONLY void take_transmits() {
    while (auto r = client_.poll_transmit()) {
      FUZZ_CHECK(r->target.osd >= 0, "a request transmitted to no OSD (tid " +
                                         std::to_string(r->tid) + ")");
      FUZZ_CHECK(!r->ops.empty(), "a request without ops");
      cl::OsdRequest* same = nullptr;  // a resend: same tid, newer attempt
      for (auto& q : network_) {
        if (q.tid == r->tid) {
          same = &q;
          break;
        }
      }
      if (same) *same = std::move(*r);
      else network_.push_back(std::move(*r));
    }
    // The network holds at most what the client still waits for (+ duplicates we keep).
    if (network_.size() > 4 * calls_ + 64) network_.erase(network_.begin());
  }

  CEPHWIRE_HARNESS_ONLY void take_events() {
    while (auto e = client_.poll_event()) {
      // The event's name only for a failure message.
      auto name = [&] { return cl::event_name(*e); };
      if (auto c = cl::event_cookie(*e)) {
        FUZZ_CHECK(!unwatched_.count(*c), name() + " for cookie " + std::to_string(*c) +
                                              " after its Unwatched event");
        FUZZ_CHECK(watch_cookies_.count(*c), name() + " for cookie " + std::to_string(*c) +
                                                 " that watch() never returned");
        if (auto* u = std::get_if<cl::ev::Unwatched>(&*e)) {
          FUZZ_CHECK(unwatch_called_.count(*c), "Unwatched without unwatch()");
          unwatched_.insert(u->cookie);
        } else {
          FUZZ_CHECK(!unwatch_called_.count(*c),
                     name() + " for cookie " + std::to_string(*c) + " after unwatch() returned 0");
        }
      }
      if (auto* d = std::get_if<cl::ev::NotifyDone>(&*e)) {
        auto it = notify_done_.find(d->handle);
        FUZZ_CHECK(it != notify_done_.end(),
                   "NotifyDone for unknown handle " + std::to_string(d->handle));
        FUZZ_CHECK(++it->second == 1, "second NotifyDone for handle " + std::to_string(d->handle));
      }
      if (auto* d = std::get_if<cl::ev::OpDone>(&*e)) {
        FUZZ_CHECK(plain_.erase(d->handle) == 1,
                   "OpDone for unknown or completed handle " + std::to_string(d->handle) +
                       (notify_ack_handles_.count(d->handle) ? " (a notify_ack)" : ""));
      }
      if (auto* f = std::get_if<cl::ev::FlushDone>(&*e)) {
        FUZZ_CHECK(!flush_tokens_.empty() && flush_tokens_.front() == f->token,
                   "FlushDone out of order: token " + std::to_string(f->token));
        flush_tokens_.erase(flush_tokens_.begin());
      }
    }
  }

  CEPHWIRE_HARNESS_ONLY void after_step() {
    // A well-behaved shell: fire the timer once its deadline has passed.
    for (int i = 0; i < 4; ++i) {
      auto t = client_.poll_timeout();
      if (!t || now_ < *t) break;
      client_.handle_timeout(now_);
    }
    take_transmits();
    take_events();
    FUZZ_CHECK(flush_tokens_.empty(), "watch_flush() token not delivered after draining events");
    if (auto v = client_.check_invariants(now_)) FUZZ_CHECK(false, "check_invariants: " + *v);
    FUZZ_CHECK(client_.pending_requests() <= 3 * calls_ + 2,
               "pending_requests() = " + std::to_string(client_.pending_requests()) + " after " +
                   std::to_string(calls_) + " request-making calls");
    FUZZ_CHECK(client_.linger_count() <= lingers_made_, "more lingers than watch/notify calls");
  }

  CEPHWIRE_HARNESS_ONLY void finish() {
    // The network goes silent; the clock runs past every notify deadline (at most 2 x 60 s).
    network_.clear();
    for (int i = 0; i < 6; ++i) {
      now_ += 30s;
      after_step();
      network_.clear();
    }
    for (const auto& [h, n] : notify_done_)
      FUZZ_CHECK(n == 1, "notify handle " + std::to_string(h) + " completed " +
                             std::to_string(n) + " times by the end");
  }

  cl::Instant now_{};
  cl::WatchClient client_;
  std::vector<std::string> objects_ = {"cephwire-basic", "obj-b", "obj-c"};
  uint32_t map_epoch_ = 0;
  uint64_t last_notify_id_ = 0;
  size_t calls_ = 0, lingers_made_ = 0;
  std::vector<cl::OsdRequest> network_;
  std::deque<cl::OsdRequest> answered_;  // the last 64 answered requests
  std::vector<uint64_t> known_cookies_, notify_ids_, flush_tokens_;
  std::set<uint64_t> watch_cookies_, unwatch_called_, unwatched_, plain_, notify_ack_handles_;
  std::map<uint64_t, int> notify_done_;         // handle -> NotifyDone count
  std::map<uint64_t, uint64_t> notify_id_of_;   // handle -> id we told it
};

}  // namespace cephwire::fuzz
