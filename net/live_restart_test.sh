#!/usr/bin/env bash
# Live test (tags: live, exclusive), argument v1 or v2, on a real 1-OSD cluster (bluestore, so
# the object and its watch survive an OSD crash): a cephwire watcher through
#  - kill -9 of the OSD and its restart (new address: the session resets, retries with backoff,
#    follows the new map and RECONNECTs, or reports an error and registers again);
#  - a graceful OSD restart (the map shows it down, then up at a new address);
#  - a monitor restart (the mon session resets; the client authenticates again, resubscribes
#    and keeps following the maps).
# After each recovery every notify sent must reach the watcher and be acked.
source "${TEST_SRCDIR:-$0.runfiles}/cephwire/net/live_lib.sh"
MSGR="${1:?v1 or v2}"

start_cluster "$MSGR" --store bluestore
rados -c "$CONF" -p rbd put obj /etc/hostname || fail "rados put"

cw_watch "$TMP/w.out" obj --ack-payload alive
wait_for "$TMP/w.out" '"ev":"registered"' 30 || { fail "no registration"; cat "$TMP/w.out.err" >&2; }
GID=$(py_check "$TMP/w.out" 'print(next(e["global_id"] for e in ev if e["ev"] == "connected"))')

current_cookie() {
  py_check "$TMP/w.out" "
c = None
for e in ev:
    if e['ev'] == 'registered': c = e['cookie']
print(c)"
}

# notify_all TAG N: N rados notifies, each must be acked by our current watch.
notify_all() {
  local tag="$1" n="$2" i rc cookie
  cookie=$(current_cookie)
  for ((i = 1; i <= n; i++)); do
    timeout 60 rados -c "$CONF" -p rbd notify obj "$tag-$i" >"$TMP/n.$tag.$i" 2>&1
    rc=$?
    if [ "$rc" = 0 ] && grep -q "reply client.$GID cookie $cookie" "$TMP/n.$tag.$i"; then
      pass "$tag: notify $i acked by client.$GID cookie $cookie"
    else
      fail "$tag: notify $i (rc $rc)"
      cat "$TMP/n.$tag.$i" >&2
    fi
  done
  py_check "$TMP/w.out" "
import struct
got = [e for e in ev if e['ev'] == 'notify']
for i in range(1, $n + 1):
    msg = ('$tag-%d' % i).encode()
    h = (struct.pack('<I', len(msg)) + msg).hex()
    assert sum(1 for e in got if e['payload_hex'] == h) >= 1, ('missing', msg)
" && pass "$tag: the watcher saw all $n notifies" || fail "$tag: notifies missing at the watcher"
}

# recovered SINCE_LINE: after line SINCE_LINE of the watcher output, a RECONNECT succeeded or
# the watch was registered again.
recovered() {
  tail -n +"$(($1 + 1))" "$TMP/w.out" | grep -qE '"ev":"(reconnected|registered)"'
}
wait_recovered() {
  local since="$1" t="$2" i
  for ((i = 0; i < t * 10; i++)); do
    recovered "$since" && return 0
    sleep 0.1
  done
  return 1
}

notify_all before 2

# --- kill -9 and restart of the OSD ---------------------------------------------------------------
mark=$(wc -l <"$TMP/w.out")
"$CLUSTER" kill-osd --dir "$DIR" --id 0 --signal KILL >&2 || fail "kill-osd"
sleep 3
"$CLUSTER" start-osd --dir "$DIR" --id 0 --timeout 120 >&2 || fail "start-osd"
if wait_recovered "$mark" 120; then pass "watch recovered after kill -9"; else fail "no recovery after kill -9"; tail -n 30 "$TMP/w.out" >&2; fi
py_check "$TMP/w.out" "
k = [e for e in ev[$mark:]]
assert any(e['ev'] == 'session_reset' and e['peer'] == 'osd.0' for e in k), k
assert any(e['ev'] == 'map' for e in k), k
" && pass "kill -9: osd session reset seen, new map followed" || fail "kill -9 notices"
notify_all after-kill 3

# --- graceful restart of the OSD ------------------------------------------------------------------
mark=$(wc -l <"$TMP/w.out")
"$CLUSTER" restart-osd --dir "$DIR" --id 0 --timeout 120 >&2 || fail "restart-osd"
if wait_recovered "$mark" 120; then pass "watch recovered after an OSD restart"; else fail "no recovery after restart"; tail -n 30 "$TMP/w.out" >&2; fi
notify_all after-restart 3

# --- monitor restart --------------------------------------------------------------------------------
mark=$(wc -l <"$TMP/w.out")
epoch0=$(py_check "$TMP/w.out" "
e = 0
for x in ev:
    if x['ev'] in ('map', 'connected'): e = x['epoch']
print(e)")
monpid=$(cat "$DIR/run/mon.a.pid")
kill -TERM "$monpid"
for ((i = 0; i < 200; i++)); do kill -0 "$monpid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$monpid" 2>/dev/null && fail "mon did not stop"
sleep 2
ceph-mon -c "$CONF" -i a >>"$DIR/log/mon.a.stdout" 2>&1 || fail "mon restart"
wait_for "$TMP/w.out" '"ev":"authenticated"' 1 >/dev/null
for ((i = 0; i < 600; i++)); do
  tail -n +"$((mark + 1))" "$TMP/w.out" | grep -q '"ev":"authenticated"' && break
  sleep 0.1
done
py_check "$TMP/w.out" "
k = ev[$mark:]
assert any(e['ev'] == 'session_reset' and e['peer'] == 'mon' for e in k), k
assert any(e['ev'] == 'authenticated' for e in k), k
assert not any(e['ev'] == 'error' for e in k), k
" && pass "mon restart: mon session reset, authenticated again, the watch untouched" || { fail "mon restart"; tail -n 20 "$TMP/w.out" >&2; }
timeout 60 ceph -c "$CONF" osd set noout >&2 || fail "ceph osd set noout"
for ((i = 0; i < 300; i++)); do
  py_check "$TMP/w.out" "assert any(e['ev'] == 'map' and e['epoch'] > $epoch0 for e in ev[$mark:])" 2>/dev/null && break
  sleep 0.1
done
py_check "$TMP/w.out" "assert any(e['ev'] == 'map' and e['epoch'] > $epoch0 for e in ev[$mark:])" &&
  pass "new maps after the mon restart reach the client" || fail "no map after the mon restart"
notify_all after-mon 3

kill -TERM "${BG_PIDS[0]}"
wait "${BG_PIDS[0]}"
rc=$?
[ "$rc" = 0 ] && pass "watcher exits 0" || fail "watcher rc $rc"
py_check "$TMP/w.out" "assert ev[-1]['ev'] == 'unwatched' and ev[-1]['result'] == 0, ev[-3:]" &&
  pass "unwatched at the end" || fail "no clean unwatch"
finish
