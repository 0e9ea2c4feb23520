// `cephwire decode` and `cephwire verify`.
#include <unistd.h>

#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "codec/json_writer.h"
#include "codec/messages/registry.h"
#include "tools/capture/capture.h"
#include "tools/cli/commands.h"
#include "tools/cli/filter.h"
#include "tools/cli/progress.h"

namespace cephwire::cli {

using codec::Dir;
using codec::JsonWriter;

namespace {

std::string time_string(const pcap::Timestamp& ts) {  // "%lld.%06u", without printf
  char buf[40];
  char* p = std::to_chars(buf, buf + 24, ts.sec).ptr;
  *p++ = '.';
  char frac[12];
  const char* e = std::to_chars(frac, frac + sizeof frac, ts.usec()).ptr;
  for (auto i = e - frac; i < 6; ++i) *p++ = '0';
  for (const char* q = frac; q < e; ++q) *p++ = *q;
  return std::string(buf, p);
}

// What one decoded item looks like to the filter and the printers.
struct View {
  const capture::ev::Item* ev;
  const codec::MessageParts* parts = nullptr;
  const codec::AnyMessage* msg = nullptr;
  codec::MessageSummary summary;
  std::string type;  // Ceph class name for messages, the frame kind otherwise
};

void print_text(const View& v) {
  const auto& it = *v.ev;
  const Dir d = it.item.dir();
  std::string line = std::to_string(it.frame) + " " + time_string(it.ts) + " " +
                     it.conn->endpoint(d) + " -> " + it.conn->peer(d) + " " +
                     std::string(codec::to_string(it.item.msgr())) + " " + v.type;
  if (v.parts) {
    line += " seq=" + std::to_string(v.parts->seq) + " tid=" + std::to_string(v.parts->tid);
    if (!v.summary.text.empty()) line += " " + v.summary.text;
  }
  if (!it.item.crc_ok()) line += " [BAD CRC]";
  std::puts(line.c_str());
}

void print_json(const View& v, JsonWriter& w) {
  const auto& it = *v.ev;
  const Dir d = it.item.dir();
  w.clear();
  w.begin_object();
  w.kv("frame", it.frame);
  w.kv("time", time_string(it.ts));
  w.kv("src", it.conn->endpoint(d));
  w.kv("dst", it.conn->peer(d));
  w.kv("conn", it.conn->id);
  w.kv("msgr", codec::to_string(it.item.msgr()));
  w.kv("kind", it.item.kind());
  w.kv("type", v.type);
  if (v.parts) {
    w.kv("type_id", v.parts->type);
    w.kv("seq", v.parts->seq);
    w.kv("tid", v.parts->tid);
    w.kv("version", v.parts->version);
    w.kv("compat_version", v.parts->compat_version);
    w.kv("src_name", v.parts->src.to_string());
    w.kv("front_len", uint64_t{v.parts->front.size()});
    w.kv("middle_len", uint64_t{v.parts->middle.size()});
    w.kv("data_len", uint64_t{v.parts->data.size()});
    w.key("body");
    if (v.msg) {
      codec::dump_message(*v.msg, w);
    } else {
      w.null();
    }
  } else {
    w.key("body");
    it.item.dump(w);
  }
  w.kv("crc_ok", it.item.crc_ok());
  w.end_object();
  const std::string& out = w.str();
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::putc('\n', stdout);
}

struct DecodeOptions {
  std::vector<std::string> files;
  bool json = false;
  std::string filter;
  bool lenient = false;
};

int run_decode(const DecodeOptions& o) {
  auto filter = Filter::parse(o.filter);
  if (!filter) {
    std::fprintf(stderr, "cephwire decode: bad --filter: %s\n", filter.error().c_str());
    return 2;
  }
  int rc = 0;
  JsonWriter w;
  // Output to a file or a pipe in 1 MiB writes (stdio's default is one write(2) per 4 KiB).
  static char outbuf[1 << 20];
  if (!isatty(fileno(stdout))) std::setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  for (const auto& file : o.files) {
    capture::CaptureOptions co;
    co.verify_crc = !o.lenient;
    auto cap = capture::Capture::open(file, co);
    if (!cap) {
      std::fprintf(stderr, "cephwire: %s\n", cap.error().to_string().c_str());
      rc = 1;
      continue;
    }
    Progress progress(file, (*cap)->file_size());
    while (auto e = (*cap)->next()) {
      progress.update((*cap)->file_offset());
      if (auto* it = std::get_if<capture::ev::Item>(&*e)) {
        View v{it};
        v.parts = it->item.message();
        codec::Result<codec::AnyMessage> m = tl::unexpected(codec::DecodeError{});
        if (v.parts) {
          v.type = std::string(codec::message_type_name(v.parts->type));
          m = codec::decode_message(*v.parts);
          if (m) {
            v.msg = &*m;
            v.summary = codec::summarize(*m);
          } else {
            v.summary.text = "[undecodable: " + m.error().to_string() + "]";
          }
        } else {
          v.type = std::string(it->item.kind());
        }
        if (!filter->matches(v.type, v.parts, v.summary, it->item.dir(), it->conn->id)) continue;
        if (o.json) {
          print_json(v, w);
        } else {
          print_text(v);
        }
      } else if (auto* g = std::get_if<capture::ev::Gap>(&*e)) {
        std::fprintf(stderr, "%s: conn %" PRIu64 " %s: %" PRIu64 " bytes missing at offset %" PRIu64
                     " (frame %" PRIu64 ")\n",
                     file.c_str(), g->conn->id, std::string(codec::to_string(g->dir)).c_str(),
                     g->length, g->offset, g->frame);
      } else if (auto* r = std::get_if<capture::ev::Resynced>(&*e)) {
        std::fprintf(stderr, "%s: conn %" PRIu64 " %s: resync (%s) at frame %" PRIu64 "\n",
                     file.c_str(), r->conn->id, std::string(codec::to_string(r->dir)).c_str(),
                     r->why, r->frame);
      } else if (auto* t = std::get_if<capture::ev::Truncated>(&*e)) {
        std::fprintf(stderr, "%s: conn %" PRIu64 " %s: capture ends inside an item: %" PRIu64
                     " bytes at offset %" PRIu64 " never completed (frame %" PRIu64 ")\n",
                     file.c_str(), t->conn->id, std::string(codec::to_string(t->dir)).c_str(),
                     t->pending, t->offset, t->frame);
        rc = 1;
      } else if (auto* se = std::get_if<capture::ev::StreamError>(&*e)) {
        rc = 1;
        std::fprintf(stderr, "%s: frame %" PRIu64 " conn %" PRIu64 " %s offset %" PRIu64 ": %s\n",
                     file.c_str(), se->frame, se->conn->id,
                     std::string(codec::to_string(se->error.dir)).c_str(), se->error.offset,
                     se->error.error.to_string().c_str());
      }
    }
    if ((*cap)->error()) {
      std::fprintf(stderr, "cephwire: %s\n", (*cap)->error()->to_string().c_str());
      rc = 1;
    }
    const auto& st = (*cap)->stats();
    if (st.other_streams)
      std::fprintf(stderr, "%s: %" PRIu64 " of %" PRIu64 " TCP streams carried no Ceph traffic (skipped)\n",
                   file.c_str(), st.other_streams, st.streams);
  }
  return rc;
}

struct VerifyOptions {
  std::vector<std::string> files;
};

int run_verify(const VerifyOptions& o) {
  uint64_t messages = 0, frames = 0, streams = 0, exact = 0, mismatched = 0, rejected = 0;
  std::vector<uint8_t> reencoded;
  int rc = 0;
  for (const auto& file : o.files) {
    auto cap = capture::Capture::open(file);
    if (!cap) {
      std::fprintf(stderr, "cephwire: %s\n", cap.error().to_string().c_str());
      rc = 1;
      continue;
    }
    auto problem = [&](uint64_t frame, uint64_t conn, Dir d, const std::string& field,
                       uint64_t offset, const std::string& what) {
      std::printf("%s: frame %" PRIu64 " stream %" PRIu64 " %s %s @%" PRIu64 ": %s\n", file.c_str(),
                  frame, conn, std::string(codec::to_string(d)).c_str(),
                  field.empty() ? "-" : field.c_str(), offset, what.c_str());
    };
    Progress progress(file, (*cap)->file_size());
    while (auto e = (*cap)->next()) {
      progress.update((*cap)->file_offset());
      if (auto* it = std::get_if<capture::ev::Item>(&*e)) {
        const Dir d = it->item.dir();
        it->item.encode_into(reencoded);  // one buffer for the whole run
        const bool framing_exact = reencoded == it->item.raw();
        const codec::MessageParts* p = it->item.message();
        if (!p) {
          if (!framing_exact) {
            ++mismatched;
            problem(it->frame, it->conn->id, d, std::string(it->item.kind()), it->item.begin(),
                    "frame re-encodes differently");
          }
          continue;
        }
        ++messages;
        auto m = codec::decode_message(*p);
        if (!m) {
          ++rejected;
          problem(it->frame, it->conn->id, d, m.error().field, m.error().offset,
                  std::string(codec::message_type_name(p->type)) + ": " + m.error().to_string());
          continue;
        }
        codec::MessageParts again = *p;
        codec::encode_message(*m, again);
        std::string diff;
        if (!(again.front == p->front)) diff = "front";
        else if (!(again.middle == p->middle)) diff = "middle";
        else if (!(again.data == p->data)) diff = "data";
        if (diff.empty() && framing_exact) {
          ++exact;
        } else {
          ++mismatched;
          problem(it->frame, it->conn->id, d,
                  std::string(codec::message_type_name(p->type)) + "." + (diff.empty() ? "frame" : diff),
                  it->item.begin(), "re-encoded bytes differ");
        }
      } else if (auto* se = std::get_if<capture::ev::StreamError>(&*e)) {
        ++rejected;
        problem(se->frame, se->conn->id, se->error.dir, se->error.error.field,
                se->error.offset + se->error.error.offset, se->error.error.to_string());
      } else if (auto* g = std::get_if<capture::ev::Gap>(&*e)) {
        problem(g->frame, g->conn->id, g->dir, "-", g->offset,
                std::to_string(g->length) + " bytes missing from the capture");
      } else if (auto* t = std::get_if<capture::ev::Truncated>(&*e)) {
        ++rejected;
        problem(t->frame, t->conn->id, t->dir, "-", t->offset,
                "capture ends inside an item (" + std::to_string(t->pending) + " bytes never completed)");
      }
    }
    if ((*cap)->error()) {
      std::fprintf(stderr, "cephwire: %s\n", (*cap)->error()->to_string().c_str());
      rc = 1;
    }
    frames += (*cap)->stats().frames;
    streams += (*cap)->stats().streams;
    if ((*cap)->stats().other_streams)
      std::printf("%s: %" PRIu64 " TCP streams carried no Ceph traffic (skipped)\n", file.c_str(),
                  (*cap)->stats().other_streams);
  }
  std::printf("verified %" PRIu64 " messages in %" PRIu64 " frames from %" PRIu64
              " streams: %" PRIu64 " byte-exact, %" PRIu64 " mismatched, %" PRIu64 " rejected\n",
              messages, frames, streams, exact, mismatched, rejected);
  if (mismatched || rejected) rc = 1;
  return rc;
}

}  // namespace

void add_decode(CLI::App& app, int* rc) {
  auto o = std::make_shared<DecodeOptions>();
  auto* sub = app.add_subcommand(
      "decode",
      "Decode every message (and handshake / control frame) of every Ceph connection in the "
      "captures: one line each, or one JSON object per line with --json.");
  sub->add_option("pcap", o->files, "Capture files (pcap or pcapng)")->required()->check(CLI::ExistingFile);
  sub->add_flag("--json", o->json,
                "One JSON object per line: frame, time, src, dst, conn, msgr, kind, type, "
                "type_id, seq, tid, version, body (every decoded field), crc_ok");
  sub->add_option("--filter", o->filter,
                  "Comma-separated terms that must all match: type=NAME (class or frame kind, "
                  "e.g. MOSDOp, MWatchNotify, hello), object=NAME, cookie=N, tid=N, "
                  "notify_id=N, conn=N, dir=c2s|s2c, messages (hide control frames), "
                  "control (only control frames)");
  sub->add_flag("--lenient", o->lenient, "Report bad CRCs on the item and keep decoding");
  sub->callback([o, rc] { *rc = run_decode(*o); });
}

void add_verify(CLI::App& app, int* rc) {
  auto o = std::make_shared<VerifyOptions>();
  auto* sub = app.add_subcommand(
      "verify",
      "Strictly decode every frame and message and re-encode it: prints one line per problem "
      "(file, frame, stream, field, offset, what) and a summary; exit 0 only if every message "
      "is byte-exact.");
  sub->add_option("pcap", o->files, "Capture files (pcap or pcapng)")->required()->check(CLI::ExistingFile);
  sub->callback([o, rc] { *rc = run_verify(*o); });
}

}  // namespace cephwire::cli
