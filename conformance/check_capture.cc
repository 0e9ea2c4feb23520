#include "conformance/check_capture.h"

#include <variant>

namespace cephwire::conformance {

std::vector<CaseResult> check_capture(capture::Capture& cap) {
  Checker ch;
  while (auto e = cap.next()) {
    if (auto* op = std::get_if<capture::ev::Opened>(&*e)) {
      ch.on_open(op->conn->id, op->conn->client.to_string(), op->conn->server.to_string());
    } else if (auto* it = std::get_if<capture::ev::Item>(&*e)) {
      ch.on_item(it->conn->id, it->frame, static_cast<double>(it->ts.sec) + it->ts.nsec / 1e9,
                 it->item);
    } else if (auto* se = std::get_if<capture::ev::StreamError>(&*e)) {
      ch.on_stream_error(se->conn->id, se->frame, se->conn->msgr(), se->error);
    } else if (auto* g = std::get_if<capture::ev::Gap>(&*e)) {
      ch.on_gap(g->conn->id, g->frame, g->dir, g->offset, g->length);
    } else if (auto* t = std::get_if<capture::ev::Truncated>(&*e)) {
      ch.on_truncated(t->conn->id, t->frame, t->dir, t->pending);
    } else if (auto* c = std::get_if<capture::ev::Closed>(&*e)) {
      ch.on_close(c->conn->id, c->frame);
    }
  }
  return ch.finish();
}

}  // namespace cephwire::conformance
