// See mapper.h for the sources followed. Function and variable names mirror mapper.c so the two
// can be read side by side.
#include "codec/osdmap/mapper.h"

#include <algorithm>
#include <bit>
#include <limits>

#include "codec/osdmap/crush_hash.h"

namespace cephwire::codec {
namespace {

#include "codec/osdmap/crush_ln_table.inc"

// Per-bucket permutation state (struct crush_work_bucket). Ceph allocates a fresh workspace for
// every CrushWrapper::do_rule call; so do we (crush_do_rule below).
struct BucketWork {
  uint32_t perm_x = 0;
  uint32_t perm_n = 0;
  std::vector<uint32_t> perm;
};

struct Mapper {
  const CrushWrapper& map;
  std::span<const uint32_t> weight;
  const CrushWrapper::ChooseArgMap* choose_args;
  std::vector<BucketWork> work;  // indexed by bucket index (-1-id)
  // Work bound (not in mapper.c): a hostile map (say choose_total_tries = 2^31) must not keep a
  // client busy for hours. Real maps need at most a few thousand bucket choices per call.
  static constexpr uint64_t kMaxChoices = uint64_t(1) << 16;
  uint64_t choices = 0;
  bool exhausted() const { return choices > kMaxChoices; }

  // The bucket an item names, or null if it is not a (present) bucket.
  const crush_bucket* bucket_of(int item) const { return map.bucket(item); }

  const crush_choose_arg* arg_for(const crush_bucket& b) const {
    if (!choose_args || choose_args->empty()) return nullptr;
    auto it = choose_args->find(uint32_t(-1 - int64_t(b.id)));
    return it == choose_args->end() ? nullptr : &it->second;
  }

  // bucket_perm_choose: item at position r of a pseudo-random permutation of the bucket.
  int bucket_perm_choose(const crush_bucket& bucket, int x, int r) {
    ++choices;
    BucketWork& w = work[size_t(-1 - int64_t(bucket.id))];
    const uint32_t size = uint32_t(bucket.items.size());
    if (w.perm.size() != size) w.perm.assign(size, 0);
    const uint32_t pr = uint32_t(r) % size;
    uint32_t s;

    if (w.perm_x != uint32_t(x) || w.perm_n == 0) {  // start a new permutation
      w.perm_x = uint32_t(x);
      if (pr == 0) {  // the common r=0 case: only the first slot is needed
        s = crush_hash32_3(bucket.hash, uint32_t(x), uint32_t(bucket.id), 0) % size;
        w.perm[0] = s;
        w.perm_n = 0xffff;  // magic: only perm[0] is valid
        return bucket.items[s];
      }
      for (uint32_t i = 0; i < size; ++i) w.perm[i] = i;
      w.perm_n = 0;
    } else if (w.perm_n == 0xffff) {  // expand the r=0 shortcut into a real permutation
      for (uint32_t i = 1; i < size; ++i) w.perm[i] = i;
      w.perm[w.perm[0]] = 0;
      w.perm_n = 1;
    }
    while (w.perm_n <= pr) {  // extend the permutation up to pr
      const uint32_t p = w.perm_n;
      if (p < size - 1) {  // no point in swapping the final entry
        const uint32_t i = crush_hash32_3(bucket.hash, uint32_t(x), uint32_t(bucket.id), p) %
                           (size - p);
        if (i) std::swap(w.perm[p + i], w.perm[p]);
      }
      ++w.perm_n;
    }
    s = w.perm[pr];
    return bucket.items[s];
  }

  static int bucket_list_choose(const crush_bucket& b, int x, int r) {
    for (int i = int(b.items.size()) - 1; i >= 0; --i) {
      uint64_t w = crush_hash32_4(b.hash, uint32_t(x), uint32_t(b.items[size_t(i)]), uint32_t(r),
                                  uint32_t(b.id));
      w &= 0xffff;
      w *= b.sum_weights[size_t(i)];
      w >>= 16;
      if (w < b.item_weights[size_t(i)]) return b.items[size_t(i)];
    }
    return b.items[0];
  }

  // Binary tree buckets: nodes are numbered so that leaves are odd; a node's height is its
  // number of trailing zero bits.
  static int tree_height(uint32_t n) { return std::countr_zero(n); }
  static uint32_t tree_left(uint32_t x) { return x - (1u << (tree_height(x) - 1)); }
  static uint32_t tree_right(uint32_t x) { return x + (1u << (tree_height(x) - 1)); }

  static int bucket_tree_choose(const crush_bucket& b, int x, int r) {
    uint32_t n = b.num_nodes >> 1;  // start at the root
    while (!(n & 1)) {
      // Guard (not in mapper.c): a malformed tree would loop forever or index past the nodes.
      if (n == 0 || n >= b.node_weights.size()) return b.items[0];
      const uint32_t w = b.node_weights[n];
      uint64_t t = uint64_t(crush_hash32_4(b.hash, uint32_t(x), n, uint32_t(r), uint32_t(b.id))) * w;
      t >>= 32;
      const uint32_t l = tree_left(n);
      if (l >= b.node_weights.size()) return b.items[0];
      n = t < b.node_weights[l] ? l : tree_right(n);
    }
    return (n >> 1) < b.items.size() ? b.items[n >> 1] : b.items[0];
  }

  static int bucket_straw_choose(const crush_bucket& b, int x, int r) {
    size_t high = 0;
    uint64_t high_draw = 0;
    for (size_t i = 0; i < b.items.size(); ++i) {
      uint64_t draw = crush_hash32_3(b.hash, uint32_t(x), uint32_t(b.items[i]), uint32_t(r));
      draw &= 0xffff;
      draw *= b.straws[i];
      if (i == 0 || draw > high_draw) {
        high = i;
        high_draw = draw;
      }
    }
    return b.items[high];
  }

  // generate_exponential_distribution: ln(u)/weight with u uniform in (0, 1]. mapper.c passes
  // the 16.16 weight as an int, so it is divided as a signed 32-bit value.
  static int64_t exponential_draw(int type, int x, int y, int z, uint32_t weight) {
    uint32_t u = crush_hash32_3(type, uint32_t(x), uint32_t(y), uint32_t(z));
    u &= 0xffff;
    const int64_t ln = int64_t(crush_ln(u)) - 0x1000000000000ll;
    return ln / int64_t(int32_t(weight));
  }

  static int bucket_straw2_choose(const crush_bucket& b, int x, int r, const crush_choose_arg* arg,
                                  int position) {
    const std::vector<uint32_t>* weights = &b.item_weights;  // get_choose_arg_weights
    if (arg && !arg->weight_set.empty()) {
      size_t pos = size_t(std::max(position, 0));
      if (pos >= arg->weight_set.size()) pos = arg->weight_set.size() - 1;
      weights = &arg->weight_set[pos];
    }
    const std::vector<int32_t>& ids = (arg && !arg->ids.empty()) ? arg->ids : b.items;
    size_t high = 0;
    int64_t high_draw = 0;
    for (size_t i = 0; i < b.items.size(); ++i) {
      int64_t draw;
      if ((*weights)[i])
        draw = exponential_draw(b.hash, x, ids[i], r, (*weights)[i]);
      else
        draw = std::numeric_limits<int64_t>::min();
      if (i == 0 || draw > high_draw) {
        high = i;
        high_draw = draw;
      }
    }
    return b.items[high];
  }

  int crush_bucket_choose(const crush_bucket& in, int x, int r, int position) {
    ++choices;
    switch (in.alg) {
      case kCrushBucketUniform:
        return bucket_perm_choose(in, x, r);
      case kCrushBucketList:
        return bucket_list_choose(in, x, r);
      case kCrushBucketTree:
        return bucket_tree_choose(in, x, r);
      case kCrushBucketStraw:
        return bucket_straw_choose(in, x, r);
      case kCrushBucketStraw2:
        return bucket_straw2_choose(in, x, r, arg_for(in), position);
      default:
        return in.items[0];
    }
  }

  // is_out: a device is out at weight 0, in at >= 0x10000, and in between rejected for a
  // weight-proportional share of inputs.
  bool is_out(int item, int x) const {
    if (item < 0) return false;  // a type-0 bucket (malformed); mapper.c would read weight[-n]
    if (size_t(item) >= weight.size()) return true;
    const uint32_t w = weight[size_t(item)];
    if (w >= 0x10000) return false;
    if (w == 0) return true;
    return (crush_hash32_2(kCrushHashRjenkins1, uint32_t(x), uint32_t(item)) & 0xffff) >= w;
  }

  // crush_choose_firstn: choose numrep distinct items of `type`, depth first.
  int choose_firstn(const crush_bucket& bucket, int x, int numrep, int type, int* out, int outpos,
                    int out_size, unsigned tries, unsigned recurse_tries, unsigned local_retries,
                    unsigned local_fallback_retries, bool recurse_to_leaf, unsigned vary_r,
                    unsigned stable, int* out2, int parent_r) {
    int count = out_size;
    for (int rep = stable ? 0 : outpos; rep < numrep && count > 0 && !exhausted(); ++rep) {
      unsigned ftotal = 0;
      bool skip_rep = false;
      int item = 0;
      bool retry_descent;
      do {  // keep trying until we get a non-out, non-colliding item
        retry_descent = false;
        const crush_bucket* in = &bucket;  // initial bucket
        unsigned flocal = 0;
        bool retry_bucket;
        do {  // choose through intervening buckets
          bool collide = false;
          bool reject = false;
          retry_bucket = false;
          const int r = int(uint32_t(rep) + uint32_t(parent_r) + ftotal);  // r' = r + f_total
          const uint32_t in_size = uint32_t(in->items.size());
          if (exhausted()) {
            skip_rep = true;
            break;
          }
          if (in_size == 0) {
            reject = true;
          } else {
            if (local_fallback_retries > 0 && flocal >= (in_size >> 1) &&
                flocal > local_fallback_retries)
              item = bucket_perm_choose(*in, x, r);
            else
              item = crush_bucket_choose(*in, x, r, outpos);
            if (item >= map.max_devices) {  // bad item
              skip_rep = true;
              break;
            }
            const crush_bucket* sub = item < 0 ? bucket_of(item) : nullptr;
            if (item < 0 && !sub) {  // names no bucket (mapper.c would crash)
              skip_rep = true;
              break;
            }
            const int itemtype = sub ? sub->type : 0;
            if (itemtype != type) {  // keep going down
              if (item >= 0) {
                skip_rep = true;
                break;
              }
              in = sub;
              retry_bucket = true;
              continue;
            }
            for (int i = 0; i < outpos; ++i) {  // collision?
              if (out[i] == item) {
                collide = true;
                break;
              }
            }
            if (!collide && recurse_to_leaf) {
              if (item < 0) {
                const int sub_r = vary_r ? (r >> ((vary_r - 1) & 31)) : 0;
                if (choose_firstn(*sub, x, stable ? 1 : outpos + 1, 0, out2, outpos, count,
                                  recurse_tries, 0, local_retries, local_fallback_retries, false,
                                  vary_r, stable, nullptr, sub_r) <= outpos)
                  reject = true;  // didn't get a leaf
              } else {
                out2[outpos] = item;  // we already have a leaf
              }
            }
            if (!reject && !collide && itemtype == 0) reject = is_out(item, x);
          }
          if (reject || collide) {
            ++ftotal;
            ++flocal;
            if (collide && flocal <= local_retries)
              retry_bucket = true;  // retry locally a few times
            else if (local_fallback_retries > 0 && flocal <= in_size + local_fallback_retries)
              retry_bucket = true;  // exhaustive bucket search
            else if (ftotal < tries)
              retry_descent = true;  // then retry descent
            else
              skip_rep = true;  // else give up
          }
        } while (retry_bucket);
      } while (retry_descent);
      if (skip_rep) continue;
      out[outpos] = item;
      ++outpos;
      --count;
    }
    return outpos;
  }

  // crush_choose_indep: breadth-first, positionally stable (erasure-coded pools).
  void choose_indep(const crush_bucket& bucket, int x, int left, int numrep, int type, int* out,
                    int outpos, unsigned tries, unsigned recurse_tries, bool recurse_to_leaf,
                    int* out2, int parent_r) {
    const int endpos = outpos + left;
    for (int rep = outpos; rep < endpos; ++rep) {  // initially the result is undefined
      out[rep] = kCrushItemUndef;
      if (out2) out2[rep] = kCrushItemUndef;
    }
    for (unsigned ftotal = 0; left > 0 && ftotal < tries && !exhausted(); ++ftotal) {
      for (int rep = outpos; rep < endpos; ++rep) {
        if (out[rep] != kCrushItemUndef) continue;
        const crush_bucket* in = &bucket;  // initial bucket
        for (;;) {  // choose through intervening buckets
          // Base the choice on the position even in the nested call.
          uint32_t r = uint32_t(rep) + uint32_t(parent_r);
          const uint32_t in_size = uint32_t(in->items.size());
          if (in->alg == kCrushBucketUniform && in_size % uint32_t(numrep) == 0)
            r += (uint32_t(numrep) + 1) * ftotal;  // r' = r + (n+1)*f_total
          else
            r += uint32_t(numrep) * ftotal;  // r' = r + n*f_total
          if (in_size == 0 || exhausted()) break;  // empty bucket (or out of work)
          const int item = crush_bucket_choose(*in, x, int(r), outpos);
          const crush_bucket* sub = item < 0 ? bucket_of(item) : nullptr;
          if (item >= map.max_devices || (item < 0 && !sub)) {  // bad item
            out[rep] = kCrushItemNone;
            if (out2) out2[rep] = kCrushItemNone;
            --left;
            break;
          }
          const int itemtype = sub ? sub->type : 0;
          if (itemtype != type) {  // keep going down
            if (item >= 0) {
              out[rep] = kCrushItemNone;
              if (out2) out2[rep] = kCrushItemNone;
              --left;
              break;
            }
            in = sub;
            continue;
          }
          bool collide = false;
          for (int i = outpos; i < endpos; ++i) {
            if (out[i] == item) {
              collide = true;
              break;
            }
          }
          if (collide) break;
          if (recurse_to_leaf) {
            if (item < 0) {
              choose_indep(*sub, x, 1, numrep, 0, out2, rep, recurse_tries, 0, false, nullptr,
                           int(r));
              if (out2 && out2[rep] == kCrushItemNone) break;  // placed nothing; no leaf
            } else if (out2) {
              out2[rep] = item;  // we already have a leaf
            }
          }
          if (itemtype == 0 && is_out(item, x)) break;
          out[rep] = item;  // yay!
          --left;
          break;
        }
      }
    }
    for (int rep = outpos; rep < endpos; ++rep) {
      if (out[rep] == kCrushItemUndef) out[rep] = kCrushItemNone;
      if (out2 && out2[rep] == kCrushItemUndef) out2[rep] = kCrushItemNone;
    }
  }
};

bool valid_take(const CrushWrapper& map, int32_t arg1) {
  if (arg1 >= 0) return arg1 < map.max_devices;
  return map.bucket(arg1) != nullptr;
}

}  // namespace

uint64_t crush_ln(uint32_t xin) {
  uint32_t x = (xin & 0xffff) + 1;
  int iexpon = 15;
  // Normalize: shift so that bit 15 or 16 is set.
  if (!(x & 0x18000)) {
    const int bits = std::countl_zero(x & 0x1ffff) - 16;
    x <<= bits;
    iexpon = 15 - bits;
  }
  const int index1 = int((x >> 8) << 1);
  const uint64_t RH = uint64_t(kRhLhTable[index1 - 256]);      // ~ 2^56/index1
  uint64_t LH = uint64_t(kRhLhTable[index1 + 1 - 256]);         // ~ 2^48*log2(index1/256)
  const uint64_t xl64 = (uint64_t(x) * RH) >> 48;               // ~ 2^48*(2^15 + xf)
  uint64_t result = uint64_t(iexpon) << (12 + 32);
  const int index2 = int(xl64 & 0xff);
  const uint64_t LL = uint64_t(kLlTable[index2]);               // ~ 2^48*log2(1+index2/2^15)
  LH += LL;
  LH >>= (48 - 12 - 32);
  return result + LH;
}

int crush_do_rule(const CrushWrapper& map, int ruleno, int x, int* result, int result_max,
                  std::span<const uint32_t> weights,
                  const CrushWrapper::ChooseArgMap* choose_args) {
  if (uint32_t(ruleno) >= map.max_rules || !map.rules[size_t(ruleno)] || result_max <= 0) return 0;
  const crush_rule& rule = *map.rules[size_t(ruleno)];

  Mapper m{map, weights, choose_args, std::vector<BucketWork>(map.buckets.size())};
  std::vector<int> scratch(size_t(result_max) * 3);
  int* w = scratch.data();
  int* o = w + result_max;
  int* c = o + result_max;
  int wsize = 0;
  int result_len = 0;

  // The original choose_total_tries counted retries, not tries: add one.
  unsigned choose_tries = map.choose_total_tries + 1;
  unsigned choose_leaf_tries = 0;
  // The local tries values were counted as retries and need no adjustment.
  unsigned choose_local_retries = map.choose_local_tries;
  unsigned choose_local_fallback_retries = map.choose_local_fallback_tries;
  unsigned vary_r = map.chooseleaf_vary_r;
  unsigned stable = map.chooseleaf_stable;

  for (const crush_rule_step& step : rule.steps) {
    bool firstn = false;
    switch (step.op) {
      case kCrushRuleTake:
        if (valid_take(map, step.arg1)) {
          w[0] = step.arg1;
          wsize = 1;
        }
        break;
      case kCrushRuleSetChooseTries:
        if (step.arg1 > 0) choose_tries = unsigned(step.arg1);
        break;
      case kCrushRuleSetChooseleafTries:
        if (step.arg1 > 0) choose_leaf_tries = unsigned(step.arg1);
        break;
      case kCrushRuleSetChooseLocalTries:
        if (step.arg1 >= 0) choose_local_retries = unsigned(step.arg1);
        break;
      case kCrushRuleSetChooseLocalFallbackTries:
        if (step.arg1 >= 0) choose_local_fallback_retries = unsigned(step.arg1);
        break;
      case kCrushRuleSetChooseleafVaryR:
        if (step.arg1 >= 0) vary_r = unsigned(step.arg1);
        break;
      case kCrushRuleSetChooseleafStable:
        if (step.arg1 >= 0) stable = unsigned(step.arg1);
        break;
      case kCrushRuleChooseleafFirstn:
      case kCrushRuleChooseFirstn:
        firstn = true;
        [[fallthrough]];
      case kCrushRuleChooseleafIndep:
      case kCrushRuleChooseIndep: {
        if (wsize == 0) break;
        const bool recurse_to_leaf =
            step.op == kCrushRuleChooseleafFirstn || step.op == kCrushRuleChooseleafIndep;
        int osize = 0;  // reset output
        for (int i = 0; i < wsize; ++i) {
          int numrep = step.arg1;
          if (numrep <= 0) {  // relative to result_max
            numrep += result_max;
            if (numrep <= 0) continue;
          }
          const crush_bucket* b = w[i] < 0 ? map.bucket(w[i]) : nullptr;
          if (!b) continue;  // w[i] is probably CRUSH_ITEM_NONE
          if (firstn) {
            unsigned recurse_tries;
            if (choose_leaf_tries)
              recurse_tries = choose_leaf_tries;
            else if (map.chooseleaf_descend_once)
              recurse_tries = 1;
            else
              recurse_tries = choose_tries;
            osize += m.choose_firstn(*b, x, numrep, step.arg2, o + osize, 0, result_max - osize,
                                     choose_tries, recurse_tries, choose_local_retries,
                                     choose_local_fallback_retries, recurse_to_leaf, vary_r,
                                     stable, c + osize, 0);
          } else {
            const int out_size = std::min(numrep, result_max - osize);
            m.choose_indep(*b, x, out_size, numrep, step.arg2, o + osize, 0, choose_tries,
                           choose_leaf_tries ? choose_leaf_tries : 1, recurse_to_leaf, c + osize,
                           0);
            osize += out_size;
          }
        }
        if (recurse_to_leaf) std::copy(c, c + osize, o);  // final leaf values to the output
        std::swap(o, w);
        wsize = osize;
        break;
      }
      case kCrushRuleEmit:
        for (int i = 0; i < wsize && result_len < result_max; ++i) result[result_len++] = w[i];
        wsize = 0;
        break;
      default:
        break;  // unknown ops are ignored
    }
  }
  return result_len;
}

}  // namespace cephwire::codec
