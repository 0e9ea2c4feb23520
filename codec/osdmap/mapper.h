// CRUSH placement: crush_do_rule and everything under it.
// Sources: Ceph src/crush/mapper.c (crush_do_rule / crush_do_rule_no_retry, crush_choose_firstn,
// crush_choose_indep, bucket_perm_choose, bucket_{uniform,list,tree,straw,straw2}_choose,
// crush_ln, generate_exponential_distribution, get_choose_arg_weights/ids, is_out) and the same
// functions in Linux net/ceph/crush/mapper.c; src/crush/crush_ln_table.h for crush_ln's tables.
// This is our own port, written to follow mapper.c's logic step by step (same retry counters,
// same r' formulas, same tunables), so results are bit-identical for every valid map.
//
// Where mapper.c would dereference a missing bucket or loop forever on a malformed map (a rule
// or bucket naming a bucket that does not exist, a tree bucket with too few nodes), this port
// treats the item as invalid instead (skip / CRUSH_ITEM_NONE), and never reads out of bounds.
// The work of one call is bounded (65536 bucket choices; real maps need a few thousand at most),
// so a hostile map with absurd retry tunables cannot hang the client: it then gets fewer OSDs.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "codec/osdmap/CrushWrapper.h"

namespace cephwire::codec {

// 2^44 * log2(x + 1) in fixed point, for x in [0, 0xffff] (straw2's exponential draw).
uint64_t crush_ln(uint32_t x);

// Runs rule `ruleno` for input x; writes at most result_max items to `result` (which must hold
// result_max ints) and returns how many. `weights` are the 16.16 device weights (osd_weight);
// `choose_args` is the per-bucket argument array for the pool (or null).
int crush_do_rule(const CrushWrapper& map, int ruleno, int x, int* result, int result_max,
                  std::span<const uint32_t> weights,
                  const CrushWrapper::ChooseArgMap* choose_args);

}  // namespace cephwire::codec
