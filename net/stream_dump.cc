// Dev tool: dumps every item of a corpus stream pair (N.c2s / N.s2c) as JSON lines, with the
// message header fields, to see exactly what librados writes. Usage: stream_dump DIR N
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "codec/connection.h"
#include "codec/json_writer.h"
#include "codec/messages/MOSDOp.h"
#include "codec/messages/MOSDOpReply.h"
#include "codec/messages/MWatchNotify.h"
#include "codec/messages/mon_messages.h"

using namespace cephwire::codec;

static std::vector<uint8_t> slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  std::string base = std::string(argv[1]) + "/" + argv[2];
  auto c2s = slurp(base + ".c2s"), s2c = slurp(base + ".s2c");
  ConnectionDecoder d;
  d.feed(Dir::kClientToServer, c2s);
  d.feed(Dir::kServerToClient, s2c);
  while (auto it = d.poll()) {
    JsonWriter w;
    it->dump(w);
    std::printf("%s\n", w.str().c_str());
    if (auto* m = it->message()) {
      std::printf("  HDR type=%u ver=%u compat=%u prio=%u seq=%llu tid=%llu data_off=%u front=%zu data=%zu src=%u.%lld\n",
                  m->type, m->version, m->compat_version, m->priority, (unsigned long long)m->seq,
                  (unsigned long long)m->tid, m->data_off, m->front.size(), m->data.size(),
                  m->src.type, (long long)m->src.num);
      JsonWriter w2;
      bool ok = true;
      if (m->type == 42) { auto r = MOSDOp::decode(*m); if (r) r->dump(w2); else ok = false; }
      else if (m->type == 43) { auto r = MOSDOpReply::decode(*m); if (r) r->dump(w2); else ok = false; }
      else if (m->type == 44) { auto r = MWatchNotify::decode(*m); if (r) r->dump(w2); else ok = false; }
      else if (m->type != 41) { auto r = decode_mon_message(*m); if (r) dump_mon_message(*r, w2); else ok = false; }
      std::printf("  BODY %s\n", ok ? w2.str().c_str() : "(decode error)");
    }
  }
  while (auto e = d.poll_error()) std::printf("ERROR %s\n", e->error.to_string().c_str());
}
