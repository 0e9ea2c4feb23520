#!/usr/bin/env bash
# Live test (tags: live, exclusive), argument v1 or v2: on a real 1-OSD cluster,
#  - a cephwire watcher receives and acks notifies sent by `rados notify` (librados);
#  - a `rados watch` watcher (librados) and the cephwire watcher both ack a cephwire notify;
#  - listwatchers shows what librados's list_watchers shows;
#  - errors: watch / notify of a missing object, a missing pool, an unreachable cluster.
source "${TEST_SRCDIR:-$0.runfiles}/cephwire/net/live_lib.sh"
MSGR="${1:?v1 or v2}"

start_cluster "$MSGR"
rados -c "$CONF" -p rbd put cw-obj /etc/hostname || fail "rados put"

# --- cephwire watcher, librados notifier ----------------------------------------------------
cw_watch "$TMP/w.out" cw-obj --ack-payload pong
WPID=$!
wait_for "$TMP/w.out" '"ev":"registered"' 30 && pass "cephwire watch registered" ||
  { fail "no registration"; cat "$TMP/w.out" "$TMP/w.out.err" >&2; }
GID=$(py_check "$TMP/w.out" 'print(next(e["global_id"] for e in ev if e["ev"] == "connected"))')
COOKIE=$(py_check "$TMP/w.out" 'print(next(e["cookie"] for e in ev if e["ev"] == "registered"))')
py_check "$TMP/w.out" "
c = next(e for e in ev if e['ev'] == 'connected')
assert c['msgr'] == '$MSGR' and c['global_id'] > 0 and c['epoch'] > 0, c
" && pass "connected over $MSGR as client.$GID" || fail "connected line"

# listwatchers (ours) vs `rados listwatchers` (librados)
"$CW" listwatchers -c "$CONF" -p rbd cw-obj >"$TMP/lw.json" 2>"$TMP/lw.err" || fail "listwatchers rc"
rados -c "$CONF" -p rbd listwatchers cw-obj >"$TMP/lw.rados" 2>&1 || fail "rados listwatchers"
py_check "$TMP/lw.json" "
w = ev[0]['watchers']
assert len(w) == 1, w
assert w[0]['watcher'] == 'client.$GID' and w[0]['cookie'] == $COOKIE and w[0]['timeout'] == 30, w
rados = open('$TMP/lw.rados').read()
assert 'client.$GID' in rados and 'cookie=$COOKIE' in rados, rados
" && pass "listwatchers shows our watch (as rados listwatchers does)" || { fail "listwatchers"; cat "$TMP/lw.json" "$TMP/lw.rados" >&2; }

for i in 1 2 3; do
  timeout 30 rados -c "$CONF" -p rbd notify cw-obj "hello-$i" >"$TMP/rn.$i" 2>&1
  rc=$?
  [ "$rc" = 0 ] && grep -q "reply client.$GID cookie $COOKIE" "$TMP/rn.$i" && grep -q "|pong|" "$TMP/rn.$i" &&
    pass "rados notify $i acked by cephwire with our payload" || { fail "rados notify $i (rc $rc)"; cat "$TMP/rn.$i" >&2; }
done
py_check "$TMP/w.out" "
import struct
n = [e for e in ev if e['ev'] == 'notify']
a = [e for e in ev if e['ev'] == 'ack_sent']
assert len(n) == 3 and len(a) == 3, (n, a)
for i, e in enumerate(n, 1):
    msg = ('hello-%d' % i).encode()
    # rados notify sends encode(std::string): le32 length + bytes
    assert e['payload_hex'] == (struct.pack('<I', len(msg)) + msg).hex(), e
    assert e['cookie'] == $COOKIE and e['notifier_gid'] > 0 and e['notifier_gid'] != $GID, e
    assert a[i - 1]['notify_id'] == e['notify_id'] and a[i - 1]['payload'] == 'pong'
assert len({e['notify_id'] for e in n}) == 3
" && pass "3 notifies received with the notifier's payload and gid" || { fail "watcher events"; cat "$TMP/w.out" >&2; }

# --- librados watcher + cephwire watcher, cephwire notifier -----------------------------------
rados_watch "$TMP/rw.out" cw-obj 25
wait_for "$TMP/rw.out" "press enter" 20 || fail "rados watch did not start"
sleep 1
timeout 30 "$CW" notify -c "$CONF" -p rbd cw-obj "from cephwire" --timeout 10 >"$TMP/n.json" 2>"$TMP/n.err"
rc=$?
[ "$rc" = 0 ] && pass "cephwire notify exit 0 (all acked)" || { fail "cephwire notify rc $rc"; cat "$TMP/n.json" "$TMP/n.err" >&2; }
wait_for "$TMP/rw.out" "NOTIFY cookie" 10 || fail "rados watch got no notify"
py_check "$TMP/n.json" "
r = ev[0]
assert r['result'] == 0 and r['timeouts'] == [], r
acks = {a['gid']: a for a in r['acks']}
assert len(acks) == 2, r
assert acks[$GID]['cookie'] == $COOKIE and acks[$GID]['payload'] == 'pong', acks
other = [a for g, a in acks.items() if g != $GID][0]
assert other['payload'] == 'from cephwire', other   # rados watch acks with the payload
rw = open('$TMP/rw.out').read()
assert 'NOTIFY cookie %d notify_id %d' % (other['cookie'], r['notify_id']) in rw, rw
" && pass "cephwire notify: acks from the rados watcher and the cephwire watcher" ||
  { fail "notify result"; cat "$TMP/n.json" "$TMP/rw.out" >&2; }
py_check "$TMP/w.out" "
n = [e for e in ev if e['ev'] == 'notify']
assert len(n) == 4 and n[3]['payload'] == 'from cephwire' and n[3]['notifier_gid'] != $GID, n
" && pass "the cephwire watcher got the cephwire notify (printable payload as text)" || fail "4th notify"

# --- stop the watcher: SIGTERM -> unwatch -> exit 0 ----------------------------------------------
kill -TERM "$WPID"
wait "$WPID"
rc=$?
[ "$rc" = 0 ] && pass "watcher exits 0 on SIGTERM" || fail "watcher rc $rc"
py_check "$TMP/w.out" "
u = [e for e in ev if e['ev'] == 'unwatched']
assert len(u) == 1 and u[0]['cookie'] == $COOKIE and u[0]['result'] == 0, u
assert not [e for e in ev if e['ev'] in ('error', 'session_reset')], ev
" && pass "unwatched cleanly, no errors or resets" || { fail "unwatch"; cat "$TMP/w.out" >&2; }
"$CW" listwatchers -c "$CONF" -p rbd cw-obj >"$TMP/lw2.json" 2>&1
py_check "$TMP/lw2.json" "
assert all(w['watcher'] != 'client.$GID' for w in ev[0]['watchers']), ev
" && pass "our watch is gone from the OSD" || fail "watch still listed"

# --- errors -------------------------------------------------------------------------------------
timeout 30 "$CW" watch -c "$CONF" -p rbd no-such-object --for 5 >"$TMP/e1.out" 2>&1
rc=$?
[ "$rc" = 1 ] && py_check "$TMP/e1.out" "
e = [x for x in ev if x['ev'] == 'error']
assert e and e[0]['code'] == -2 and e[0]['error'] == 'ENOENT', ev
" && pass "watch of a missing object: ENOENT, exit 1" || { fail "missing object watch rc $rc"; cat "$TMP/e1.out" >&2; }
timeout 30 "$CW" notify -c "$CONF" -p rbd no-such-object x >"$TMP/e2.out" 2>&1
rc=$?
[ "$rc" = 1 ] && py_check "$TMP/e2.out" "assert ev[0]['result'] == -2, ev" &&
  pass "notify of a missing object: -ENOENT, exit 1" || { fail "missing object notify rc $rc"; cat "$TMP/e2.out" >&2; }
timeout 30 "$CW" listwatchers -c "$CONF" -p no-such-pool cw-obj >"$TMP/e3.out" 2>&1
[ $? = 1 ] && grep -q 'no pool named "no-such-pool"' "$TMP/e3.out" && pass "missing pool: exit 1" ||
  { fail "missing pool"; cat "$TMP/e3.out" >&2; }
"$CW" watch -c /nonexistent.conf -p rbd cw-obj >"$TMP/e4.out" 2>&1
[ $? = 2 ] && pass "unreadable conf: usage error 2" || fail "unreadable conf"

wait
"$CLUSTER" stop --dir "$DIR" >&2 || fail "stop"
# Against the stopped cluster: the mount timeout, exit 1 (no hang).
t0=$(date +%s)
timeout 60 "$CW" listwatchers -c "$CONF" -p rbd cw-obj --mount-timeout 3 >"$TMP/e5.out" 2>&1
rc=$?
[ "$rc" = 1 ] && [ $(($(date +%s) - t0)) -lt 20 ] && pass "stopped cluster: exit 1 after the mount timeout" ||
  { fail "stopped cluster rc $rc"; cat "$TMP/e5.out" >&2; }
finish
