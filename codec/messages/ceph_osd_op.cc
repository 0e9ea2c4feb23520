#include "codec/messages/ceph_osd_op.h"

#include "codec/messages/rados.h"

namespace cephwire::codec {

namespace {
template <class T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // little-endian host, as everywhere in the codec
  return v;
}
template <class T>
void store(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}
}  // namespace

ceph_osd_op::Kind ceph_osd_op::kind_of(uint16_t op_code) {
  switch (op_code) {
    case osd_op::kRead:
    case osd_op::kStat:
    case osd_op::kMapExt:
    case osd_op::kMaskTrunc:
    case osd_op::kSparseRead:
    case osd_op::kSyncRead:
    case osd_op::kWrite:
    case osd_op::kWriteFull:
    case osd_op::kTruncate:
    case osd_op::kZero:
    case osd_op::kDelete:
    case osd_op::kAppend:
    case osd_op::kSetTrunc:
    case osd_op::kTrimTrunc:
    case osd_op::kCreate:
    case osd_op::kCmpExt:
      return Kind::kExtent;
    case osd_op::kWatch:
      return Kind::kWatch;
    case osd_op::kNotify:
      return Kind::kNotify;
    case osd_op::kCall:
      return Kind::kCls;
    default:
      return Kind::kRaw;
  }
}

ceph_osd_op::extent_t ceph_osd_op::extent() const {
  return {load<uint64_t>(&u[0]), load<uint64_t>(&u[8]), load<uint64_t>(&u[16]),
          load<uint32_t>(&u[24])};
}
ceph_osd_op::watch_t ceph_osd_op::watch() const {
  return {load<uint64_t>(&u[0]), load<uint64_t>(&u[8]), u[16], load<uint32_t>(&u[17]),
          load<uint32_t>(&u[21])};
}
ceph_osd_op::notify_t ceph_osd_op::notify() const { return {load<uint64_t>(&u[0])}; }
ceph_osd_op::cls_t ceph_osd_op::cls() const { return {u[0], u[1], u[2], load<uint32_t>(&u[3])}; }

void ceph_osd_op::set_extent(const extent_t& e) {
  store(&u[0], e.offset);
  store(&u[8], e.length);
  store(&u[16], e.truncate_size);
  store(&u[24], e.truncate_seq);
}
void ceph_osd_op::set_watch(const watch_t& w) {
  store(&u[0], w.cookie);
  store(&u[8], w.ver);
  u[16] = w.op;
  store(&u[17], w.gen);
  store(&u[21], w.timeout);
}
void ceph_osd_op::set_notify(const notify_t& n) { store(&u[0], n.cookie); }
void ceph_osd_op::set_cls(const cls_t& c) {
  u[0] = c.class_len;
  u[1] = c.method_len;
  u[2] = c.argc;
  store(&u[3], c.indata_len);
}

ceph_osd_op::View ceph_osd_op::view() const {
  switch (kind()) {
    case Kind::kExtent: return extent();
    case Kind::kWatch: return watch();
    case Kind::kNotify: return notify();
    case Kind::kCls: return cls();
    case Kind::kRaw: break;
  }
  return raw_t{u};
}

namespace {
size_t view_size(ceph_osd_op::Kind k) {
  switch (k) {
    case ceph_osd_op::Kind::kExtent: return ceph_osd_op::extent_t::kSize;
    case ceph_osd_op::Kind::kWatch: return ceph_osd_op::watch_t::kSize;
    case ceph_osd_op::Kind::kNotify: return ceph_osd_op::notify_t::kSize;
    case ceph_osd_op::Kind::kCls: return ceph_osd_op::cls_t::kSize;
    case ceph_osd_op::Kind::kRaw: break;
  }
  return 0;  // no typed member: every byte is "outside the view"
}
}  // namespace

bool ceph_osd_op::union_tail_is_zero() const {
  for (size_t i = view_size(kind()); i < kUnionSize; ++i)
    if (u[i]) return false;
  return true;
}

ceph_osd_op ceph_osd_op::make(uint16_t op_code) {
  ceph_osd_op o;
  o.op = op_code;
  return o;
}
ceph_osd_op ceph_osd_op::make_extent(uint16_t op_code, uint64_t offset, uint64_t length,
                                     uint64_t truncate_size, uint32_t truncate_seq) {
  ceph_osd_op o = make(op_code);
  o.set_extent({offset, length, truncate_size, truncate_seq});
  return o;
}
ceph_osd_op ceph_osd_op::make_watch(uint64_t cookie, uint8_t watch_op, uint32_t gen,
                                    uint32_t timeout) {
  ceph_osd_op o = make(osd_op::kWatch);
  o.set_watch({cookie, 0, watch_op, gen, timeout});
  return o;
}
ceph_osd_op ceph_osd_op::make_notify(uint64_t cookie) {
  ceph_osd_op o = make(osd_op::kNotify);
  o.set_notify({cookie});
  return o;
}
ceph_osd_op ceph_osd_op::make_call(uint8_t class_len, uint8_t method_len, uint32_t indata_len) {
  ceph_osd_op o = make(osd_op::kCall);
  o.set_cls({class_len, method_len, 0, indata_len});
  return o;
}

void ceph_osd_op::dump_fields(JsonWriter& w) const {
  if (const char* n = ceph_osd_op_name(op)) {
    w.kv("op", n);
  } else {
    w.kv("op", "unknown");
  }
  w.kv("code", op);
  w.kv("flags", flags);
  if (flags) w.kv("flags_str", ceph_osd_op_flag_string(flags));
  switch (kind()) {
    case Kind::kExtent: {
      const extent_t e = extent();
      w.kv("offset", e.offset);
      w.kv("length", e.length);
      w.kv("truncate_size", e.truncate_size);
      w.kv("truncate_seq", e.truncate_seq);
      break;
    }
    case Kind::kWatch: {
      const watch_t x = watch();
      w.kv("cookie", x.cookie);
      w.kv("ver", x.ver);
      if (const char* n = ceph_osd_watch_op_name(x.op)) {
        w.kv("watch_op", n);
      } else {
        w.kv("watch_op", x.op);
      }
      w.kv("gen", x.gen);
      w.kv("timeout", x.timeout);
      break;
    }
    case Kind::kNotify:
      w.kv("cookie", notify().cookie);
      break;
    case Kind::kCls: {
      const cls_t c = cls();
      w.kv("class_len", c.class_len);
      w.kv("method_len", c.method_len);
      w.kv("argc", c.argc);
      w.kv("indata_len", c.indata_len);
      break;
    }
    case Kind::kRaw:
      break;
  }
  if (!union_tail_is_zero()) {
    const size_t from = view_size(kind());
    w.key(kind() == Kind::kRaw ? "raw" : "union_tail");
    w.hex({u.data() + from, kUnionSize - from});
  }
  w.kv("payload_len", payload_len);
}

void ceph_osd_op::dump(JsonWriter& w) const {
  w.begin_object();
  dump_fields(w);
  w.end_object();
}

}  // namespace cephwire::codec
