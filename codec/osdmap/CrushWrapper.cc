// See CrushWrapper.h for the sources followed.
#include "codec/osdmap/CrushWrapper.h"

#include <string>

#include "codec/denc.h"

namespace cephwire::codec {
namespace {

bool decode_bucket(Decoder& d, int32_t index, std::optional<crush_bucket>& out) {
  const size_t at = d.offset();
  uint32_t alg = 0;
  if (!d("alg", alg)) return false;
  if (alg == 0) {
    out.reset();
    return true;
  }
  if (alg < kCrushBucketUniform || alg > kCrushBucketStraw2)
    return d.fail(ErrorKind::kBadValue, "unsupported bucket algorithm " + std::to_string(alg), at);
  crush_bucket b;
  uint32_t size = 0;
  if (!(d("id", b.id) && d("type", b.type) && d("alg", b.alg) && d("hash", b.hash) &&
        d("weight", b.weight)))
    return false;
  if (b.id != -1 - index)
    return d.fail_field("id", at + 4, ErrorKind::kBadValue,
                        "bucket id " + std::to_string(b.id) + " at index " +
                            std::to_string(index) + " (must be -1-index)");
  if (b.alg != alg)
    return d.fail_field("alg", at + 10, ErrorKind::kBadValue, "alg differs from the leading alg");
  if (!(d.count(size, 4) && d.vec_n("items", b.items, size))) return false;
  switch (b.alg) {
    case kCrushBucketUniform:
      if (!d("item_weight", b.uniform_item_weight)) return false;
      break;
    case kCrushBucketList: {
      d.push_for_path("weights");
      bool ok = d.bound(size, 8);
      b.item_weights.resize(ok ? size : 0);
      b.sum_weights.resize(ok ? size : 0);
      for (uint32_t j = 0; ok && j < size; ++j)
        ok = d("item_weight", b.item_weights[j]) && d("sum_weight", b.sum_weights[j]);
      d.pop_for_path();
      if (!ok) return false;
      break;
    }
    case kCrushBucketTree: {
      if (!(d("num_nodes", b.num_nodes) && d.vec_n("node_weights", b.node_weights, b.num_nodes)))
        return false;
      break;
    }
    case kCrushBucketStraw: {
      d.push_for_path("weights");
      bool ok = d.bound(size, 8);
      b.item_weights.resize(ok ? size : 0);
      b.straws.resize(ok ? size : 0);
      for (uint32_t j = 0; ok && j < size; ++j)
        ok = d("item_weight", b.item_weights[j]) && d("straw", b.straws[j]);
      d.pop_for_path();
      if (!ok) return false;
      break;
    }
    case kCrushBucketStraw2:
      if (!d.vec_n("item_weights", b.item_weights, size)) return false;
      break;
  }
  out = std::move(b);
  return true;
}

bool decode_rule(Decoder& d, std::optional<crush_rule>& out) {
  uint32_t yes = 0;
  if (!d("exists", yes)) return false;
  if (!yes) {
    out.reset();
    return true;
  }
  crush_rule r;
  uint32_t len = 0;
  if (!(d.count(len, 4) && d("ruleset", r.ruleset) && d("type", r.type) &&
        d("min_size", r.min_size) && d("max_size", r.max_size)))
    return false;
  d.push_for_path("steps");
  bool ok = d.bound(len, 12);
  if (ok) r.steps.resize(len);
  for (uint32_t j = 0; ok && j < len; ++j) {
    d.push(nullptr, j);
    ok = d("op", r.steps[j].op) && d("arg1", r.steps[j].arg1) && d("arg2", r.steps[j].arg2);
    d.pop();
  }
  d.pop_for_path();
  if (!ok) return false;
  out = std::move(r);
  return true;
}

// decode_32_or_64_string_map: a zero string length means the key was written as 64 bits.
bool decode_name_map(Decoder& d, const char* name, std::map<int32_t, std::string>& m) {
  d.push_for_path(name);
  uint32_t n = 0;
  bool ok = d.count(n, 8);
  for (uint32_t i = 0; ok && i < n; ++i) {
    d.push(nullptr, i);
    int32_t key = 0;
    uint32_t len = 0;
    ok = d("key", key) && d("len", len);
    if (ok && len == 0) ok = d("len", len);
    if (ok) {
      Bytes s;
      ok = d.raw("name", s, len);
      if (ok) m[key] = std::string(s.str());
    }
    d.pop();
  }
  d.pop_for_path();
  return ok;
}

bool decode_choose_args(Decoder& d, CrushWrapper& c) {
  d.push_for_path("choose_args");
  uint32_t n = 0;
  bool ok = d.count(n, 12);
  for (uint32_t i = 0; ok && i < n; ++i) {
    d.push(nullptr, i);
    int64_t index = 0;
    uint32_t m = 0;
    ok = d("index", index) && d.count(m, 12);
    CrushWrapper::ChooseArgMap args;
    for (uint32_t j = 0; ok && j < m; ++j) {
      d.push(nullptr, j);
      const size_t at = d.offset();
      uint32_t bucket_index = 0, positions = 0, ids_size = 0;
      ok = d("bucket_index", bucket_index);
      const crush_bucket* b = nullptr;
      if (ok) {
        if (bucket_index >= uint32_t(c.max_buckets) || !c.buckets[bucket_index])
          ok = d.fail_field("bucket_index", at, ErrorKind::kBadValue, "no such bucket");
        else
          b = &*c.buckets[bucket_index];
      }
      if (!ok) {
        d.pop();
        break;
      }
      if (args.count(bucket_index)) {
        ok = d.fail_field("bucket_index", at, ErrorKind::kBadValue, "repeated bucket index");
        d.pop();
        break;
      }
      crush_choose_arg& arg = args[bucket_index];
      ok = d.count(positions, 4);
      if (ok) arg.weight_set.resize(positions);
      for (uint32_t k = 0; ok && k < positions; ++k) {
        const size_t wat = d.offset();
        uint32_t wn = 0;
        ok = d.count(wn, 4) && d.vec_n("weight_set", arg.weight_set[k], wn);
        if (ok && wn != b->items.size())
          ok = d.fail_field("weight_set", wat, ErrorKind::kBadValue,
                            "weight set size differs from the bucket size");
      }
      const size_t iat = d.offset();
      ok = ok && d.count(ids_size, 4) && d.vec_n("ids", arg.ids, ids_size);
      if (ok && ids_size && ids_size != b->items.size())
        ok = d.fail_field("ids", iat, ErrorKind::kBadValue, "ids size differs from the bucket size");
      d.pop();
    }
    if (ok) c.choose_args[index] = std::move(args);
    d.pop();
  }
  d.pop_for_path();
  return ok;
}

}  // namespace

Result<CrushWrapper> CrushWrapper::decode(std::span<const uint8_t> blob, size_t base) {
  Decoder d(blob, "crush", base);
  CrushWrapper c;
  const size_t at = d.offset();
  uint32_t magic = 0, max_buckets = 0;
  if (!d("magic", magic)) return tl::unexpected(d.take_error());
  if (magic != kCrushMagic) {
    d.fail_field("magic", at, ErrorKind::kBadValue, "bad crush magic");
    return tl::unexpected(d.take_error());
  }
  bool ok = d.count(max_buckets, 4) && d.count(c.max_rules, 4) && d("max_devices", c.max_devices);
  if (ok) {
    c.max_buckets = int32_t(max_buckets);  // bounded by the bytes left, so positive
    c.buckets.resize(max_buckets);
    d.push_for_path("buckets");
    for (uint32_t i = 0; ok && i < max_buckets; ++i) {
      d.push(nullptr, i);
      ok = decode_bucket(d, int32_t(i), c.buckets[i]);
      d.pop();
    }
    d.pop_for_path();
  }
  if (ok) {
    c.rules.resize(c.max_rules);
    d.push_for_path("rules");
    for (uint32_t i = 0; ok && i < c.max_rules; ++i) {
      d.push(nullptr, i);
      ok = decode_rule(d, c.rules[i]);
      d.pop();
    }
    d.pop_for_path();
  }
  ok = ok && decode_name_map(d, "type_map", c.type_map) &&
       decode_name_map(d, "name_map", c.name_map) &&
       decode_name_map(d, "rule_name_map", c.rule_name_map);
  // Tunables and later sections: each read only if bytes are left (CrushWrapper::decode).
  if (ok && d.remaining())
    ok = d("choose_local_tries", c.choose_local_tries) &&
         d("choose_local_fallback_tries", c.choose_local_fallback_tries) &&
         d("choose_total_tries", c.choose_total_tries);
  if (ok && d.remaining()) ok = d("chooseleaf_descend_once", c.chooseleaf_descend_once);
  if (ok && d.remaining()) ok = d("chooseleaf_vary_r", c.chooseleaf_vary_r);
  if (ok && d.remaining()) ok = d("straw_calc_version", c.straw_calc_version);
  if (ok && d.remaining()) ok = d("allowed_bucket_algs", c.allowed_bucket_algs);
  if (ok && d.remaining()) ok = d("chooseleaf_stable", c.chooseleaf_stable);
  if (ok && d.remaining())
    ok = d("class_map", c.class_map) && d("class_name", c.class_name) &&
         d("class_bucket", c.class_bucket);
  if (ok && d.remaining()) ok = decode_choose_args(d, c);
  // Anything after choose_args belongs to a newer release (Squid's msr tunables): Pacific's
  // decoder stops reading here as well.
  if (!ok) return tl::unexpected(d.take_error());
  return c;
}

int CrushWrapper::find_rule(int ruleset, int type, int size) const {
  for (uint32_t i = 0; i < max_rules; ++i) {
    const auto& r = rules[i];
    if (r && r->ruleset == ruleset && r->type == type && r->min_size <= size &&
        r->max_size >= size)
      return int(i);
  }
  return -1;
}

const CrushWrapper::ChooseArgMap* CrushWrapper::choose_args_for(int64_t index) const {
  auto it = choose_args.find(index);
  if (it == choose_args.end()) it = choose_args.find(-1);
  return it == choose_args.end() ? nullptr : &it->second;
}

}  // namespace cephwire::codec
