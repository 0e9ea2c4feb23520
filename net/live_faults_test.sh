#!/usr/bin/env bash
# Live test (tags: live, exclusive), argument v1 or v2, on a real 1-OSD cluster, with the
# cephwire fault layer (--inject, net/interceptor.h):
#  - mixed watchers, one of them silent (its notify acks are dropped on the wire): the notify
#    completes with -ETIMEDOUT, the acks of the others and a timeout for the silent one;
#  - the second watch ping dropped with a 7 s watch timeout: the OSD expires the watch, the
#    next ping gets ENOTCONN, the watcher reports error -107 and registers again, and then
#    receives notifies;
#  - the connection closed at the first notify: session reset, RECONNECT, and the OSD sends
#    the pending notify again: nothing lost, the notifier sees every ack.
source "${TEST_SRCDIR:-$0.runfiles}/cephwire/net/live_lib.sh"
MSGR="${1:?v1 or v2}"

start_cluster "$MSGR"
for o in mixed pings closed; do rados -c "$CONF" -p rbd put "$o" /etc/hostname || fail "rados put $o"; done

gid_of() { py_check "$1" 'print(next(e["global_id"] for e in ev if e["ev"] == "connected"))'; }
cookie_of() { py_check "$1" 'print([e["cookie"] for e in ev if e["ev"] == "registered"][-1])'; }

# --- mixed watchers, one silent ------------------------------------------------------------------
cw_watch "$TMP/w1.out" mixed --ack-payload w1
cw_watch "$TMP/w3.out" mixed --ack-payload never --inject "out:drop:type=osd_op:op=notify-ack:count=0"
rados_watch "$TMP/w2.out" mixed 40
for f in "$TMP/w1.out" "$TMP/w3.out"; do
  wait_for "$f" '"ev":"registered"' 30 || { fail "no registration in $f"; cat "$f" "$f.err" >&2; }
done
wait_for "$TMP/w2.out" "press enter" 20 || fail "rados watch did not start"
sleep 1
G1=$(gid_of "$TMP/w1.out"); C1=$(cookie_of "$TMP/w1.out")
G3=$(gid_of "$TMP/w3.out"); C3=$(cookie_of "$TMP/w3.out")
t0=$(date +%s.%N)
timeout 30 "$CW" notify -c "$CONF" -p rbd mixed "anyone?" --timeout 3 >"$TMP/n1.json" 2>"$TMP/n1.err"
rc=$?
[ "$rc" = 1 ] && pass "notify with a silent watcher exits 1" || { fail "notify rc $rc"; cat "$TMP/n1.err" >&2; }
py_check "$TMP/n1.json" "
r = ev[0]
assert r['result'] == -110 and r['error'] == 'ETIMEDOUT', r
acks = {a['gid']: a for a in r['acks']}
assert len(acks) == 2 and acks[$G1]['payload'] == 'w1' and acks[$G1]['cookie'] == $C1, r
assert [a for g, a in acks.items() if g != $G1][0]['payload'] == 'anyone?', r  # rados watch echoes
assert r['timeouts'] == [{'gid': $G3, 'cookie': $C3}], r
" && pass "acks from the two answering watchers, a timeout for the silent one" || { fail "mixed result"; cat "$TMP/n1.json" >&2; }
elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
awk -v e="$elapsed" 'BEGIN { exit !(e >= 2.5 && e < 15) }' && pass "completed after the 3 s notify timeout (${elapsed}s)" ||
  fail "notify took ${elapsed}s"
py_check "$TMP/w3.out" "
n = [e for e in ev if e['ev'] == 'notify']
assert len(n) == 1 and n[0]['payload'] == 'anyone?', ev
" && pass "the silent watcher did receive the notify" || fail "silent watcher events"

# --- a dropped ping: the OSD expires the watch, ENOTCONN, watch again ---------------------------
cw_watch "$TMP/p.out" pings --timeout 7 --ack-payload p \
  --inject "out:drop:type=osd_op:op=watch:watch_op=ping:nth=2:count=1"
wait_for "$TMP/p.out" '"ev":"registered"' 30 || fail "pings: no registration"
if wait_for "$TMP/p.out" '"ev":"error"' 40; then pass "watch error reported"; else fail "no watch error"; cat "$TMP/p.out" >&2; fi
wait_for "$TMP/p.out" '"ev":"rewatch"' 10 || fail "no rewatch"
sleep 2
py_check "$TMP/p.out" "
k = [e['ev'] for e in ev if e['ev'] in ('registered', 'error', 'rewatch')]
assert k[:4] == ['registered', 'error', 'rewatch', 'registered'], k
err = next(e for e in ev if e['ev'] == 'error')
assert err['code'] == -107 and err['error'] == 'ENOTCONN', err
rw = next(e for e in ev if e['ev'] == 'rewatch')
reg = [e for e in ev if e['ev'] == 'registered']
assert rw['old_cookie'] == reg[0]['cookie'] == err['cookie'] and rw['cookie'] == reg[1]['cookie'], ev
assert not [e for e in ev if e['ev'] == 'session_reset'], ev
" && pass "registered -> error -107 ENOTCONN -> rewatch -> registered" || { fail "ping-drop sequence"; cat "$TMP/p.out" >&2; }
GP=$(gid_of "$TMP/p.out"); CP=$(cookie_of "$TMP/p.out")
"$CW" listwatchers -c "$CONF" -p rbd pings >"$TMP/plw.json" 2>&1
py_check "$TMP/plw.json" "
w = ev[0]['watchers']
assert [(x['watcher'], x['cookie'], x['timeout']) for x in w] == [('client.$GP', $CP, 7)], w
" && pass "only the new watch is on the OSD (timeout 7)" || { fail "watchers after rewatch"; cat "$TMP/plw.json" >&2; }
timeout 30 rados -c "$CONF" -p rbd notify pings after-rewatch >"$TMP/pn.out" 2>&1 &&
  grep -q "reply client.$GP cookie $CP" "$TMP/pn.out" && pass "the new watch receives and acks notifies" ||
  { fail "notify after rewatch"; cat "$TMP/pn.out" >&2; }

# --- the connection closed at the first notify: reset, reconnect, the notify comes again ---------
cw_watch "$TMP/c.out" closed --ack-payload c --inject "in:close:type=watch_notify:event=notify:nth=1"
wait_for "$TMP/c.out" '"ev":"registered"' 30 || fail "closed: no registration"
GC=$(gid_of "$TMP/c.out"); CC=$(cookie_of "$TMP/c.out")
for i in 1 2 3; do
  timeout 40 rados -c "$CONF" -p rbd notify closed "n-$i" >"$TMP/cn.$i" 2>&1
  rc=$?
  [ "$rc" = 0 ] && grep -q "reply client.$GC cookie $CC" "$TMP/cn.$i" && pass "notify $i acked despite the injected close" ||
    { fail "notify $i after close (rc $rc)"; cat "$TMP/cn.$i" >&2; }
done
py_check "$TMP/c.out" "
k = [e['ev'] for e in ev]
assert 'session_reset' in k and 'reconnected' in k, k
assert k.index('session_reset') < k.index('reconnected'), k
n = [e for e in ev if e['ev'] == 'notify']
assert len(n) == 3 and len({e['notify_id'] for e in n}) == 3, n
assert not [e for e in ev if e['ev'] == 'error'], ev
" && pass "session reset -> reconnected, each notify delivered once after that" || { fail "close sequence"; cat "$TMP/c.out" >&2; }

finish
