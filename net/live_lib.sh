# Shared helpers of the //net live tests (sourced). Each test starts its own throwaway cluster
# with tools/cluster under $TEST_TMPDIR and ALWAYS stops it (EXIT trap), then checks no
# ceph-mon / ceph-osd of that directory is left. Requires the Debian Ceph packages.
set -uo pipefail
export PATH="/usr/bin:/bin:/usr/sbin:/sbin"

RUNFILES="${TEST_SRCDIR:-$0.runfiles}/cephwire"
CLUSTER="$RUNFILES/tools/cluster"
CW="$RUNFILES/net/cephwire_live"
TMP="${TEST_TMPDIR:?}"
DIR="$TMP/c"
CONF="$DIR/ceph.conf"
fails=0
BG_PIDS=()

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
pass() { echo "ok: $*" >&2; }
note() { echo "--- $*" >&2; }

leftover() { pgrep -f -- "ceph-(mon|osd) -c $DIR/ceph.conf" || true; }

cleanup() {
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  # Keep the clients' outputs (test.outputs/outputs.zip) for post-mortems.
  if [ -n "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ]; then
    cp "$TMP"/*.out "$TMP"/*.err "$TMP"/*.json "$TEST_UNDECLARED_OUTPUTS_DIR"/ 2>/dev/null || true
  fi
  "$CLUSTER" stop --dir "$DIR" >&2 || true
  local left
  left="$(leftover)"
  if [ -n "$left" ]; then
    echo "FAIL: daemons left after stop: $left" >&2
    exit 1
  fi
}
trap cleanup EXIT

for tool in ceph-mon ceph-osd ceph monmaptool rados python3; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed (tools/bootstrap.sh)" >&2; exit 1; }
done

# start_cluster MSGR [extra tools/cluster args...]: a 1-OSD cluster on a free port range.
start_cluster() {
  local msgr="$1"
  shift
  rm -rf "$DIR"
  if "$CLUSTER" start --dir "$DIR" --port auto --osds 1 --msgr "$msgr" --timeout 120 "$@" >&2; then
    PORT="$(sed -n 's/^PORT=//p' "$DIR/cluster.env")"
    note "cluster ($msgr) on port $PORT"
    return 0
  fi
  echo "FAIL: no cluster could be started" >&2
  exit 1
}

# wait_for FILE PATTERN TIMEOUT_S: until a line of FILE matches the (grep -E) pattern.
wait_for() {
  local file="$1" pat="$2" t="${3:-30}" i
  for ((i = 0; i < t * 10; i++)); do
    grep -qE -- "$pat" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# count FILE PATTERN: matching lines.
count() { grep -cE -- "$2" "$1" 2>/dev/null || true; }

# A background cephwire watcher: cw_watch OUTFILE ARGS... (pid in $!; killed at exit).
cw_watch() {
  local out="$1"
  shift
  "$CW" watch -c "$CONF" -p rbd "$@" >"$out" 2>"$out.err" &
  BG_PIDS+=("$!")
}

# A background `rados watch` (stdin held open so it keeps watching): rados_watch OUT OBJ SECS
rados_watch() {
  local out="$1" obj="$2" secs="$3"
  (sleep "$secs" | timeout "$((secs + 5))" rados -c "$CONF" -p rbd watch "$obj" >"$out" 2>&1) &
  BG_PIDS+=("$!")
}

# py FILE 'python expression over `ev` (list of JSON objects of FILE)' -> exit status
py_check() {
  local file="$1" code="$2"
  python3 - "$file" <<PY
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
$code
PY
}

finish() {
  echo "$((fails == 0 ? 1 : 0)) passed, $((fails == 0 ? 0 : 1)) failed" >&2
  [ "$fails" = 0 ]
}
