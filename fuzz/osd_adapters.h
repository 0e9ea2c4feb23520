// Adapters of the OSD messages (MOSDOp, MOSDOpReply, MWatchNotify) for message_fuzz.h.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "codec/messages/MOSDOp.h"
#include "codec/messages/MOSDOpReply.h"
#include "codec/messages/MWatchNotify.h"
#include "codec/messages/OSDOp.h"
#include "fuzz/message_fuzz.h"

namespace cephwire::fuzz {

// Op codes worth choosing when the mutator adds or rewrites an op (src/include/rados.h).
inline constexpr uint16_t kInterestingOps[] = {
    0x1201 /*READ*/,       0x1202 /*STAT*/,     0x1206 /*NOTIFY*/,  0x1207 /*NOTIFY_ACK*/,
    0x1209 /*LIST_WATCHERS*/, 0x2202 /*WRITEFULL*/, 0x2201 /*WRITE*/, 0x220f /*WATCH*/,
    0x1301 /*CALL*/,       0x220d /*CREATE*/,   0x0000,             0xffff};

// "ops[i].indata" (built only for a failure message).
inline std::string op_where(size_t i, const char* slice) {
  return "ops[" + std::to_string(i) + "]." + slice;
}

// The typed payload of a slice must re-encode to the slice (and, when `json`, dump valid JSON).
template <class R>
void check_typed_payload(const R& r, const codec::Bytes& slice, size_t i, const char* what,
                         bool json) {
  if (!r) {
    FUZZ_CHECK(r.error().offset <= slice.size(),
               op_where(i, what) + ": payload error offset beyond its slice: " +
                   r.error().to_string());
    return;
  }
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (!std::is_same_v<T, std::monostate> && !std::is_same_v<T, codec::Bytes>) {
          if (!slice.empty()) {
            thread_local std::vector<uint8_t> enc;  // reused between ops and inputs
            enc.clear();
            codec::encode_append(x, enc);
            FUZZ_CHECK(codec::Bytes::view(enc) == slice,
                       op_where(i, what) + ": typed payload does not re-encode to its slice: " +
                           first_difference(codec::Bytes::view(enc), slice));
          }
          if (json) {
            thread_local codec::JsonWriter w;
            w.clear();
            codec::dump_json(x, w);
            FUZZ_CHECK(json_valid(w.str()), op_where(i, what) + ": invalid JSON " + w.str());
          }
        }
      },
      *r);
}

// Mutates the typed payload of a slice in place (re-encoded), if it has one.
template <class R>
CEPHWIRE_HARNESS_ONLY bool mutate_typed_payload(R r, codec::Bytes& slice, Rng& rng) {
  if (!r) return false;
  bool done = false;
  std::visit(
      [&](auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (!std::is_same_v<T, std::monostate> && !std::is_same_v<T, codec::Bytes>) {
          if (mutate_fields(x, rng)) {
            slice = codec::Bytes(codec::encode_to_vector(x));
            done = true;
          }
        }
      },
      *r);
  return done;
}

// Op-list mutations shared by MOSDOp (indata) and MOSDOpReply (outdata).
template <bool kIn>
CEPHWIRE_HARNESS_ONLY bool mutate_ops(std::vector<codec::OSDOp>& ops, Rng& rng) {
  const uint64_t what = rng.below(8);
  if (ops.empty() || what == 0) {
    codec::OSDOp o;
    if (!ops.empty() && rng.one_in(2)) o = ops[rng.below(ops.size())];
    o.op.op = kInterestingOps[rng.below(std::size(kInterestingOps))];
    ops.insert(ops.begin() + static_cast<std::ptrdiff_t>(rng.below(ops.size() + 1)), o);
    return true;
  }
  codec::OSDOp& o = ops[rng.below(ops.size())];
  codec::Bytes& slice = kIn ? o.indata : o.outdata;
  switch (what) {
    case 1: ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(rng.below(ops.size()))); return true;
    case 2: o.op.op = kInterestingOps[rng.below(std::size(kInterestingOps))]; return true;
    case 3: slice = mutate_bytes(slice, rng, 1024); return true;
    case 4:
      if constexpr (kIn) {
        if (mutate_typed_payload(codec::interpret_indata(o), slice, rng)) return true;
      } else {
        if (mutate_typed_payload(codec::interpret_outdata(o), slice, rng)) return true;
      }
      return mutate_fields(o.op, rng);
    case 5: mutate_int(o.rval, rng); return true;
    default: return mutate_fields(o.op, rng);
  }
}

template <class M>
struct OsdAdapterBase {
  using Value = M;
  static void fix(codec::MessageParts& p) { p.type = M::kType; }
  static codec::Result<M> decode(const codec::MessageParts& p) { return M::decode(p); }
  static void encode(const M& m, codec::MessageParts& p) { m.encode(p); }
  static void dump(const M& m, codec::JsonWriter& w) { m.dump(w); }
  static uint16_t head_version(const M& m) { return m.header_version; }
  static void set_header_version(M& m, uint16_t v) { m.header_version = v; }
  CEPHWIRE_HARNESS_ONLY static bool mutate_fields(M& m, Rng& rng) {
    return fuzz::mutate_fields(m, rng);
  }
};

struct MOSDOpAdapter : OsdAdapterBase<codec::MOSDOp> {
  static void extra_checks(const codec::MOSDOp& m, bool json) {
    for (size_t i = 0; i < m.ops.size(); ++i)
      check_typed_payload(m.op_input(i), m.ops[i].indata, i, "indata", json);
  }
  CEPHWIRE_HARNESS_ONLY static bool mutate_extra(codec::MOSDOp& m, Rng& rng) {
    return mutate_ops<true>(m.ops, rng);
  }
};

struct MOSDOpReplyAdapter : OsdAdapterBase<codec::MOSDOpReply> {
  static void extra_checks(const codec::MOSDOpReply& m, bool json) {
    if (m.header_version < 4) return;
    for (size_t i = 0; i < m.ops.size(); ++i)
      check_typed_payload(m.op_output(i), m.ops[i].outdata, i, "outdata", json);
  }
  CEPHWIRE_HARNESS_ONLY static bool mutate_extra(codec::MOSDOpReply& m, Rng& rng) {
    if (m.header_version < 4 && rng.one_in(2)) {
      m.unsplit_data = mutate_bytes(m.unsplit_data, rng, 1024);
      return true;
    }
    if (rng.one_in(4)) {
      m.do_redirect = !m.do_redirect;
      return true;
    }
    return mutate_ops<false>(m.ops, rng);
  }
};

struct MWatchNotifyAdapter : OsdAdapterBase<codec::MWatchNotify> {
  static void extra_checks(const codec::MWatchNotify&, bool) {}
  CEPHWIRE_HARNESS_ONLY static bool mutate_extra(codec::MWatchNotify& m, Rng& rng) {
    switch (rng.below(3)) {
      case 0:
        m.opcode = static_cast<uint8_t>(rng.one_in(4) ? rng.next() : 1 + rng.below(3));
        return true;
      case 1:
        if (m.completion) {
          if (rng.one_in(4)) m.completion.reset();
          else return fuzz::mutate_fields(*m.completion, rng);
        } else {
          m.completion.emplace();
        }
        return true;
      default:
        mutate_int(m.return_code, rng);
        return true;
    }
  }
};

}  // namespace cephwire::fuzz
