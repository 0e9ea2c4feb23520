#!/usr/bin/env bash
# tools/bench_live.sh: cephwire's live client side by side with librados 16.2.15, on ONE
# throwaway cluster (tools/cluster, 1 OSD, memstore) in one run.
#
#   tools/bench_live.sh [--msgr v1|v2 (v2)] [--count M (200)] [--watches W (10000)]
#                       [--objects K (10000)] [--seconds S (60)] [--out DIR] [--bin DIR]
#
#  1. notify round-trip latency, p50/p99 over M notifies sent one after the other, with 1 and
#     with 10 watchers: net/bench_cephwire (cephwire watcher clients + a cephwire notifier, all
#     on one io_context) vs net/bench_librados (librados watcher clients + a librados
#     notifier, one process). Each watcher is its own client (own mon/OSD sessions, global id).
#  2. one process holding W watches on K objects (W/K watches per object; round robin), all
#     registered, then S seconds of steady pinging: CPU seconds per minute (getrusage of the
#     whole process, all threads) and RSS (VmRSS) before the first watch, after the last
#     registration and at the end; per-watch RSS = (after - before) / W and (end - before) / W.
#     The two hold runs are 35 s apart (the first one's watches stay on the OSD for the watch
#     timeout); each latency run has its own notify object for the same reason.
# The binaries are built with -c opt (BAZEL_OUTPUT_BASE selects the output base), or taken from
# --bin DIR (DIR/net/bench_cephwire, DIR/net/bench_librados). JSON lines go to DIR/results.jsonl
# and a table to stdout.
set -uo pipefail
export PATH="/usr/bin:/bin:/usr/sbin:/sbin:${PATH:-}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CLUSTER="$ROOT/tools/cluster"

MSGR=v2 COUNT=200 WATCHES=10000 OBJECTS=10000 SECONDS_=60 OUT="" BIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --msgr) MSGR="$2"; shift 2 ;;
    --count) COUNT="$2"; shift 2 ;;
    --watches) WATCHES="$2"; shift 2 ;;
    --objects) OBJECTS="$2"; shift 2 ;;
    --seconds) SECONDS_="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench_live: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ -z "$BIN" ]; then
  B=(bazel)
  [ -n "${BAZEL_OUTPUT_BASE:-}" ] && B+=("--output_base=$BAZEL_OUTPUT_BASE")
  (cd "$ROOT" && "${B[@]}" build -c opt --symlink_prefix=/ //net:bench_cephwire //net:bench_librados >&2) || exit 1
  BIN="$(cd "$ROOT" && "${B[@]}" info -c opt --symlink_prefix=/ bazel-bin 2>/dev/null)"
fi
CWB="$BIN/net/bench_cephwire" LRB="$BIN/net/bench_librados"
[ -x "$CWB" ] && [ -x "$LRB" ] || { echo "bench_live: binaries missing in $BIN" >&2; exit 1; }

OUT="${OUT:-$(mktemp -d /tmp/bench_live.XXXXXX)}"
mkdir -p "$OUT"
DIR="$OUT/c"
CONF="$DIR/ceph.conf"
RES="$OUT/results.jsonl"
: >"$RES"
log() { echo "bench: $*" >&2; }
trap '"$CLUSTER" stop --dir "$DIR" >/dev/null 2>&1' EXIT

rm -rf "$DIR"
"$CLUSTER" start --dir "$DIR" --port auto --osds 1 --msgr "$MSGR" --timeout 120 >"$OUT/cluster.log" 2>&1 || true
[ -f "$CONF" ] || { log "no cluster"; exit 1; }
log "cluster ($MSGR) on port $(sed -n 's/^PORT=//p' "$DIR/cluster.env") in $DIR"

# One notify object per latency run: a process that exits leaves its watches on the OSD for
# the watch timeout (30 s, as a lost session does), and a notify on an object with such a
# watcher waits for it until it times out; sharing one object made the next run lose its
# first notifies (measured: 2 of 200 at ~9.9 s, for either implementation).
for n in 1 10; do
  for impl in librados cephwire; do
    rados -c "$CONF" -p rbd put "lat-$impl-$n" /etc/hostname
  done
done
"$LRB" create -c "$CONF" -p rbd hold --objects "$OBJECTS" || log "creating objects failed"

rc=0
run() { # NAME CMD...
  local name="$1" r
  shift
  log "$name"
  "$@" >>"$RES" 2>"$OUT/$name.err"
  r=$?
  [ "$r" = 0 ] || { log "$name failed (rc $r): $(tail -n 3 "$OUT/$name.err")"; rc=1; }
}
for n in 1 10; do
  run "lat-librados-$n" "$LRB" latency -c "$CONF" -p rbd "lat-librados-$n" --watchers "$n" --count "$COUNT"
  run "lat-cephwire-$n" "$CWB" latency -c "$CONF" -p rbd "lat-cephwire-$n" --watchers "$n" --count "$COUNT" --msgr "$MSGR"
done
run hold-librados "$LRB" hold -c "$CONF" -p rbd hold --objects "$OBJECTS" --watches "$WATCHES" --seconds "$SECONDS_"
# A finished run's watches stay on the OSD until the watch timeout (30 s) and keep it busy
# (measured: the second run's CPU up by a third when it started 5 s after the first): wait.
sleep 35
run hold-cephwire "$CWB" hold -c "$CONF" -p rbd hold --objects "$OBJECTS" --watches "$WATCHES" --seconds "$SECONDS_" --msgr "$MSGR"

python3 - "$RES" "$MSGR" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print(f"msgr {sys.argv[2]}; 1 OSD (memstore), 2-core machine shared with other work")
print(f"{'notify round trip':<22}{'impl':<10}{'n':>6}{'p50 us':>9}{'p99 us':>9}{'mean us':>9}{'fail':>6}")
for r in rows:
    if r["mode"] == "latency":
        print(f"{str(r['watchers']) + ' watcher(s)':<22}{r['impl']:<10}{r['count']:>6}{r['p50_us']:>9}{r['p99_us']:>9}{r['mean_us']:>9}{r['failures']:>6}")
# B/watch: RSS growth over the connected client, per watch, right after registration and
# at the end of the hold (after SECONDS of pinging).
print(f"{'hold':<22}{'impl':<10}{'watches':>8}{'reg s':>7}{'cpu s/min':>10}{'RSS MiB':>9}{'B/watch':>9}{'at end':>8}{'err':>5}")
hold = {}
for r in rows:
    if r["mode"] == "hold":
        per = (r["rss_kb_after"] - r["rss_kb_before"]) * 1024 / r["watches"]
        end = (r["rss_kb_end"] - r["rss_kb_before"]) * 1024 / r["watches"]
        hold[r["impl"]] = r
        print(f"{str(r['objects']) + ' objects':<22}{r['impl']:<10}{r['watches']:>8}{r['register_s']:>7}{r['cpu_s_per_min']:>10.3f}{r['rss_kb_after'] / 1024:>9.1f}{per:>9.0f}{end:>8.0f}{r['errors']:>5}")
if "cephwire" in hold and "librados" in hold and hold["librados"]["cpu_s_per_min"] > 0:
    print(f"CPU cephwire / librados: {hold['cephwire']['cpu_s_per_min'] / hold['librados']['cpu_s_per_min']:.2f}")
PY
echo "results: $RES"
exit "$rc"
