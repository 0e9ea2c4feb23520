#!/usr/bin/env bash
# Live test (tags: live, exclusive): a real 1-OSD Ceph cluster made by tools/cluster under
# $TEST_TMPDIR, its status checked, the watch-notify-basic scenario driven against it with real
# librados, and the cluster always stopped (then: no ceph-mon/ceph-osd of that dir may be left).
set -uo pipefail
export PATH="/usr/bin:/bin:/usr/sbin:/sbin"

RUNFILES="${TEST_SRCDIR:-$0.runfiles}/cephwire"
CLUSTER="$RUNFILES/tools/cluster"
SCENARIO="$RUNFILES/tools/scenario/scenario"
TMP="${TEST_TMPDIR:?}"
DIR="$TMP/c"
fails=0

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
pass() { echo "ok: $*" >&2; }

leftover() { pgrep -f -- "ceph-(mon|osd) -c $DIR/ceph.conf" || true; }

cleanup() {
  "$CLUSTER" stop --dir "$DIR" >&2 || true
}
trap cleanup EXIT

for tool in ceph-mon ceph-osd ceph monmaptool rados; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed (tools/bootstrap.sh)" >&2; exit 1; }
done

# A port range unlikely to collide with other clusters: derived from our pid, retried.
started=0
for attempt in 1 2 3 4 5; do
  base=$((20000 + (($$ + attempt * 7919) % 300) * 100))
  if ss -Htan | awk -v lo="$base" -v hi="$((base + 99))" '
       { n = split($4, a, ":"); p = a[n]; n = split($5, b, ":"); q = b[n];
         if ((p >= lo && p <= hi) || (q >= lo && q <= hi)) f = 1 } END { exit f ? 0 : 1 }'; then
    continue
  fi
  rm -rf "$DIR"
  t0=$(date +%s.%N)
  if "$CLUSTER" start --dir "$DIR" --port "$base" --osds 1 --msgr v1 --timeout 120; then
    started=1
    echo "cluster started on port $base in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{print b-a}')s" >&2
    break
  fi
  echo "start on port $base failed; stopping and retrying on another range" >&2
  "$CLUSTER" stop --dir "$DIR" >&2 || true
done
[ "$started" = 1 ] || { echo "FAIL: no cluster could be started" >&2; exit 1; }

# Idempotent start: a no-op on a running cluster.
"$CLUSTER" start --dir "$DIR" --port "$base" >&2 && pass "second start is a no-op" || fail "second start"

# Status: running, 1 OSD up, pool rbd size 1 with all PGs active+clean, roles of our ports.
status="$("$CLUSTER" status --dir "$DIR")" || fail "status exit code"
echo "$status" >"$TMP/status.json"
python3 - "$TMP/status.json" "$base" <<'PY' && pass "status" || fail "status content"
import json, sys
s = json.load(open(sys.argv[1])); base = int(sys.argv[2])
assert s["running"], "not running"
assert s["daemons"]["mon.a"] and s["daemons"]["osd.0"], s["daemons"]
assert [o["up"] for o in s["osds"]] == [1], s["osds"]
assert s["pool"]["name"] == "rbd" and s["pool"]["size"] == 1, s["pool"]
assert s["pg_check"]["ok"] and len(s["pg_check"]["pgs"]) == s["pool"]["pg_num"], s["pg_check"]
assert s["port_roles"][str(base)] == "mon.a", s["port_roles"]
assert any(v == "osd.0 public" and base < int(k) <= base + 99 for k, v in s["port_roles"].items())
assert s["mon"]["addr"] == f"v1:127.0.0.1:{base}"
PY
grep -q "^ms bind msgr2 = false" "$DIR/ceph.conf" && grep -q "^auth client required = none" "$DIR/ceph.conf" \
  && pass "ceph.conf (msgr1 only, auth none)" || fail "ceph.conf"

# The scenario driver against it.
"$SCENARIO" --conf "$DIR/ceph.conf" --scenario watch-notify-basic --deadline 120 \
  >"$TMP/events.jsonl" 2>"$TMP/driver.err"
rc=$?
[ "$rc" = 0 ] && pass "scenario exit 0" || { fail "scenario exit $rc"; cat "$TMP/driver.err" >&2; }
python3 - "$TMP/events.jsonl" <<'PY' && pass "scenario events" || fail "scenario events"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
kinds = [e["ev"] for e in ev]
assert kinds[0] == "scenario" and kinds[-1] == "summary", kinds
assert ev[-1]["ok"] is True
clients = [e for e in ev if e["ev"] == "client"]
assert len(clients) == 2 and all(c["gid"] > 0 for c in clients), clients
assert clients[0]["gid"] != clients[1]["gid"]
watch = next(e for e in ev if e.get("call") == "rados_watch2")
recv = [e for e in ev if e["ev"] == "notify_received"]
acks = [e for e in ev if e["ev"] == "notify_ack_sent"]
assert len(recv) == 1 and len(acks) == 1
assert recv[0]["cookie"] == watch["cookie"] != 0
assert recv[0]["notifier_gid"] == clients[0]["gid"]
assert recv[0]["payload"]["text"] == "hello, watchers"
n = next(e for e in ev if e.get("call") == "rados_notify2")
assert n["ret"] == 0 and n["ok"]
assert n["reply"]["acks"] == [{"gid": clients[1]["gid"], "cookie": watch["cookie"],
                               "payload": acks[0]["reply"]}], n["reply"]
assert n["notify_id_seen_by_watchers"] == [recv[0]["notify_id"]]
assert all(e["ok"] for e in ev if e["ev"] == "step")
assert ev[-1]["expected_wire_counts"] == {"osd_op.notify": 1, "osd_op.notify-ack": 1,
    "osd_op.watch.unwatch": 1, "osd_op.watch.watch": 1, "osd_op.writefull": 1,
    "watch_notify.notify": 1, "watch_notify.notify_complete": 1}, ev[-1]
PY

# The driver must notice a wrong expectation: an unknown scenario is a usage error (2), and a
# driver pointed at a dead cluster must fail (not hang, not pass).
"$SCENARIO" --conf "$DIR/ceph.conf" --scenario no-such-scenario >/dev/null 2>&1
[ $? = 2 ] && pass "unknown scenario -> 2" || fail "unknown scenario not rejected"

t0=$(date +%s.%N)
"$CLUSTER" stop --dir "$DIR" >&2 || fail "stop exit code"
echo "cluster stopped in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{print b-a}')s" >&2
"$CLUSTER" stop --dir "$DIR" >&2 && pass "second stop is fine" || fail "second stop"
[ -z "$(leftover)" ] && pass "no ceph-mon/ceph-osd left for $DIR" || fail "left: $(leftover)"

# Against the stopped cluster the driver fails within its connect timeout.
timeout 120 "$SCENARIO" --conf "$DIR/ceph.conf" --scenario watch-notify-basic --deadline 100 \
  --mount-timeout 5 \
  >"$TMP/dead.jsonl" 2>/dev/null
rc=$?
[ "$rc" = 1 ] && pass "driver against a stopped cluster -> 1" || fail "driver against a stopped cluster -> $rc"

echo "$((fails == 0 ? 1 : 0)) passed, $((fails == 0 ? 0 : 1)) failed" >&2
[ "$fails" = 0 ]
