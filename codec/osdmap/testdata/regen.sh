#!/usr/bin/env bash
# Regenerates codec/osdmap/testdata: real OSDMaps made by Ceph 16.2.15's own tools, and what
# Ceph's own code (osdmaptool) computes on them. Needs ceph-mon, ceph-osd, ceph-common
# (osdmaptool, crushtool, ceph-kvstore-tool) and tools/cluster; takes about a minute.
#
#   cluster/full_N.bin, cluster/inc_N.bin   every full map and incremental (epochs 1..last) a
#       real monitor stored while we changed a 3-OSD cluster (pools with pg_num 8/12/16/5, an
#       erasure-coded pool, pg_upmap, pg_upmap_items, primary affinity, pg_temp, primary_temp,
#       reweight, out/in, crush reweight, a compat weight-set (choose_args), pool rename and
#       delete, an OSD killed). The mon store holds them encoded with all features, as librados
#       16.2.15 receives them.
#   cluster/full_N.pgs   osdmaptool --test-map-pgs-dump-all on full_N.bin (raw/up/acting).
#   cluster/objects.txt  osdmaptool --test-map-object for many names on one epoch.
#   crush/ALG.txt|.bin, crush/map_ALG.bin, crush/map_ALG.pgs   the cluster map with its crush
#       map replaced (crushtool-compiled) by one using ALG buckets (uniform, list, tree, straw,
#       straw2) with several rules, and osdmaptool's placement for it.
#   mon/full_e9.bin, mon/full_e9.pgs   the full map a real mon sent librados in
#       corpus/streams/v1-watch-notify-basic (MOSDMap), and its placement;
#       mon/full_e9_v7.bin   the same map re-encoded as OSDMap::encode does for a client without
#       SERVER_NAUTILUS (client section v7, legacy addresses), by make_v7.py.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
WORK="$(mktemp -d /tmp/osdmap-regen.XXXXXX)"
PORT="${OSDMAP_REGEN_PORT:-43600}"
trap '"$ROOT/tools/cluster" stop --dir "$WORK/cluster" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

# Build everything under $OUT and replace the committed data only when all of it succeeded.
FINAL="$HERE"
OUT="$WORK/out"
mkdir -p "$OUT/cluster" "$OUT/crush" "$OUT/mon"
HERE_SCRIPTS="$HERE"
HERE="$OUT"

# ---- 1. a real cluster and the maps its monitor stores ------------------------------------
"$ROOT/tools/cluster" start --dir "$WORK/cluster" --port "$PORT" --osds 3 --msgr v1 \
  --pool rbd --size 3 --pg-num 8 >/dev/null
ceph_retry() { # a busy machine can make the mon answer EPERM/timeouts at first: retry
  local i
  for i in 1 2 3 4 5 6; do
    if timeout 60 ceph -c "$WORK/cluster/ceph.conf" --connect-timeout 10 "$@"; then return 0; fi
    sleep 3
  done
  return 1
}
C=(ceph_retry)
"${C[@]}" osd set-require-min-compat-client luminous
"${C[@]}" osd pool create p2 12 12
"${C[@]}" osd pool create p3 16 8
"${C[@]}" osd erasure-code-profile set ec21 k=2 m=1 crush-failure-domain=osd
"${C[@]}" osd pool create ecpool 6 6 erasure ec21
"${C[@]}" osd pg-upmap-items 1.0 0 1
"${C[@]}" osd pg-upmap 1.1 2 1 0
"${C[@]}" osd primary-affinity osd.1 0.5
"${C[@]}" osd pg-temp 1.2 2 0
"${C[@]}" osd primary-temp 1.3 2
"${C[@]}" osd reweight 0 0.7
"${C[@]}" osd out 2
"${C[@]}" osd set noout
"${C[@]}" osd unset noout
"${C[@]}" osd pool rename p2 p2b
"${C[@]}" osd crush reweight osd.2 0.5
"${C[@]}" osd crush weight-set create-compat
"${C[@]}" osd crush weight-set reweight-compat osd.0 0.3
"${C[@]}" osd pg-upmap-items 2.5 0 2
"${C[@]}" osd in 2
"${C[@]}" osd rm-pg-upmap-items 1.0
"${C[@]}" osd pool create p5 5 5
"${C[@]}" osd pool delete p3 p3 --yes-i-really-really-mean-it
"${C[@]}" osd primary-temp 2.1 1
"${C[@]}" osd pg-upmap-items 4.2 0 1
"${C[@]}" osd pool create legacy 8 8
"${C[@]}" osd pool set legacy hashpspool false --yes-i-really-mean-it
sleep 3
"$ROOT/tools/cluster" kill-osd --dir "$WORK/cluster" --id 1 >/dev/null
sleep 8
"$ROOT/tools/cluster" stop --dir "$WORK/cluster" >/dev/null

STORE="$WORK/cluster/mon.a/store.db"
kv() { ceph-kvstore-tool rocksdb "$STORE" "$@" >/dev/null 2>&1; }
LAST=$(ceph-kvstore-tool rocksdb "$STORE" list osdmap 2>/dev/null | awk '{print $2}' |
       grep -E '^[0-9]+$' | sort -n | tail -1)
for i in $(seq 1 "$LAST"); do
  kv get osdmap "full_$i" out "$HERE/cluster/full_$i.bin"
  kv get osdmap "$i" out "$HERE/cluster/inc_$i.bin"
  osdmaptool "$HERE/cluster/full_$i.bin" --test-map-pgs-dump-all 2>/dev/null \
    > "$HERE/cluster/full_$i.pgs"
done

# The richest epoch: the last one in which osd.0 and osd.2 are still up.
PICK=""
for i in $(seq "$LAST" -1 1); do
  if osdmaptool "$HERE/cluster/full_$i.bin" --print 2>/dev/null | grep -q '^osd.2 up'; then
    PICK=$i; break
  fi
done
echo "$PICK" > "$HERE/cluster/objects_epoch.txt"
{
  for pool in 1 2 4 5 6; do
    for n in $(seq 0 19); do
      for name in "obj$n" "rbd_data.$n" "a$((n * 7919))"; do
        osdmaptool "$HERE/cluster/full_$PICK.bin" --test-map-object "$name" --pool "$pool" \
          2>/dev/null | sed "s/^/$pool /"
      done
    done
  done
} > "$HERE/cluster/objects.txt"

# ---- 2. crush maps with every bucket algorithm ------------------------------------------
BASE="$HERE/cluster/full_$PICK.bin"
for alg in uniform list tree straw straw2; do
  if [ "$alg" = uniform ]; then
    # uniform buckets need identical item weights: one OSD per host.
    HOSTS='host h0 {
	id -2
	alg uniform
	hash 0
	item osd.0 weight 1.000
}
host h1 {
	id -3
	alg uniform
	hash 0
	item osd.1 weight 1.000
}
host h2 {
	id -4
	alg uniform
	hash 0
	item osd.2 weight 1.000
}
root default {
	id -1
	alg uniform
	hash 0
	item h0 weight 1.000
	item h1 weight 1.000
	item h2 weight 1.000
}'
  else
    HOSTS="host h0 {
	id -2
	alg $alg
	hash 0
	item osd.0 weight 1.000
	item osd.1 weight 1.000
}
host h1 {
	id -3
	alg $alg
	hash 0
	item osd.2 weight 1.000
}
root default {
	id -1
	alg $alg
	hash 0
	item h0 weight 2.000
	item h1 weight 1.000
	item osd.2 weight 0.500
}"
  fi
  cat > "$HERE/crush/$alg.txt" <<CRUSH
tunable choose_local_tries 0
tunable choose_local_fallback_tries 0
tunable choose_total_tries 50
tunable chooseleaf_descend_once 1
tunable chooseleaf_vary_r 1
tunable chooseleaf_stable 1
tunable straw_calc_version 1
tunable allowed_bucket_algs 54
device 0 osd.0
device 1 osd.1
device 2 osd.2
type 0 osd
type 1 host
type 11 root
$HOSTS
rule replicated_rule {
	id 0
	type replicated
	min_size 1
	max_size 10
	step take default
	step chooseleaf firstn 0 type host
	step emit
}
rule ec {
	id 1
	type erasure
	min_size 1
	max_size 10
	step set_chooseleaf_tries 5
	step set_choose_tries 100
	step take default
	step chooseleaf indep 0 type host
	step emit
}
rule osds {
	id 2
	type replicated
	min_size 1
	max_size 10
	step take default
	step choose firstn 0 type osd
	step emit
}
CRUSH
  crushtool -c "$HERE/crush/$alg.txt" -o "$HERE/crush/$alg.bin"
  cp "$BASE" "$HERE/crush/map_$alg.bin"
  osdmaptool "$HERE/crush/map_$alg.bin" --import-crush "$HERE/crush/$alg.bin" >/dev/null 2>&1
  osdmaptool "$HERE/crush/map_$alg.bin" --test-map-pgs-dump-all 2>/dev/null \
    > "$HERE/crush/map_$alg.pgs"
done

# ---- 3. the full map a real mon sent librados (from the recordings) ----------------------
python3 "$HERE_SCRIPTS/extract_mosdmap.py" "$ROOT/corpus/streams/v1-watch-notify-basic" "$HERE/mon"
# The same map as a Pacific mon encodes it for a client without SERVER_NAUTILUS (client
# section v7: one legacy entity_addr_t per OSD, no last_up/in_change).
python3 "$HERE_SCRIPTS/make_v7.py" "$HERE/mon/full_e9.bin" "$HERE/mon/full_e9_v7.bin"
for f in "$HERE"/mon/full_e*.bin; do
  osdmaptool "$f" --test-map-pgs-dump-all 2>/dev/null > "${f%.bin}.pgs"
done
rm -rf "$FINAL/cluster" "$FINAL/crush" "$FINAL/mon"
mv "$OUT/cluster" "$OUT/crush" "$OUT/mon" "$FINAL/"
echo "regenerated: epochs 1..$LAST, objects on epoch $PICK"
