#!/usr/bin/env bash
# Live test (tags: live, exclusive), argument v1 or v2, on a real 3-OSD cluster (pool rbd of
# size 3, as tools/record's primary-out scenario / corpus/recordings/v*-primary-out.json): a
# cephwire watcher on an object whose acting primary is marked out (it stays up), then in again.
# Each time the map gives the PG another acting primary the linger must follow it: the watcher
# opens a session to the new primary and RECONNECTs its watch there ("session_up" osd.NEW, then
# "reconnected" with "osd": NEW), `listwatchers` (served by the new primary) lists the watch,
# and notifies sent after the move (`rados notify` and `cephwire notify`) reach the watcher and
# are acked by it, with no error and no re-registration.
source "${TEST_SRCDIR:-$0.runfiles}/cephwire/net/live_lib.sh"
MSGR="${1:?v1 or v2}"
OBJ=primary-out

start_cluster "$MSGR" --osds 3 --size 3
rados -c "$CONF" -p rbd put "$OBJ" /etc/hostname || fail "rados put"

acting_primary() {
  timeout 30 ceph -c "$CONF" --connect-timeout 10 osd map rbd "$OBJ" -f json 2>/dev/null |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["acting_primary"])'
}

cw_watch "$TMP/w.out" "$OBJ" --ack-payload po
wait_for "$TMP/w.out" '"ev":"registered"' 30 || { fail "no registration"; cat "$TMP/w.out.err" >&2; }
GID=$(py_check "$TMP/w.out" 'print(next(e["global_id"] for e in ev if e["ev"] == "connected"))')
COOKIE=$(py_check "$TMP/w.out" 'print(next(e["cookie"] for e in ev if e["ev"] == "registered"))')
P0=$(acting_primary)
py_check "$TMP/w.out" "
r = next(e for e in ev if e['ev'] == 'registered')
assert r['osd'] == $P0, r
" && pass "registered on the acting primary osd.$P0" || { fail "registration target"; cat "$TMP/w.out" >&2; }

# notify_both TAG: a `rados notify` and a `cephwire notify`, both acked by our watch.
notify_both() {
  local tag="$1" rc
  timeout 60 rados -c "$CONF" -p rbd notify "$OBJ" "$tag-rados" >"$TMP/n.$tag" 2>&1
  rc=$?
  [ "$rc" = 0 ] && grep -q "reply client.$GID cookie $COOKIE" "$TMP/n.$tag" &&
    pass "$tag: rados notify acked by client.$GID cookie $COOKIE" ||
    { fail "$tag: rados notify (rc $rc)"; cat "$TMP/n.$tag" >&2; }
  timeout 60 "$CW" notify -c "$CONF" -p rbd "$OBJ" "$tag-cw" --timeout 10 >"$TMP/cn.$tag.json" 2>"$TMP/cn.$tag.err"
  rc=$?
  py_check "$TMP/cn.$tag.json" "
r = ev[0]
assert r['result'] == 0 and r['timeouts'] == [], r
assert [(a['gid'], a['cookie'], a['payload']) for a in r['acks']] == [($GID, $COOKIE, 'po')], r
" && [ "$rc" = 0 ] && pass "$tag: cephwire notify acked" ||
    { fail "$tag: cephwire notify (rc $rc)"; cat "$TMP/cn.$tag.json" "$TMP/cn.$tag.err" >&2; }
  # (`rados notify` sends its payload as an encoded string: le32 length + bytes)
  py_check "$TMP/w.out" "
got = [e['payload_hex'] for e in ev if e['ev'] == 'notify']
assert got.count(b'$tag-cw'.hex()) == 1 and sum(1 for g in got if b'$tag-rados'.hex() in g) == 1, got
" && pass "$tag: the watcher saw both notifies" || { fail "$tag: notifies missing at the watcher"; tail -n 20 "$TMP/w.out" >&2; }
}

# move ACTION OSD: mark OSD out/in, wait until the object's acting primary changes, then until
# the watcher RECONNECTed on the new primary.
move() {
  local action="$1" osd="$2" old new i mark
  old=$(acting_primary)
  mark=$(wc -l <"$TMP/w.out")
  "$CLUSTER" "$action-osd" --dir "$DIR" --id "$osd" >&2 || fail "$action-osd $osd"
  for ((i = 0; i < 120; i++)); do
    new=$(acting_primary)
    [ -n "$new" ] && [ "$new" != "$old" ] && break
    sleep 0.5
  done
  [ "$new" != "$old" ] || { fail "$action osd.$osd: the acting primary stayed osd.$old"; return; }
  note "$action osd.$osd: acting primary osd.$old -> osd.$new"
  # (after `in`, pg_temp may keep the old acting set for a moment: let the primary settle)
  sleep 2
  new=$(acting_primary)
  for ((i = 0; i < 300; i++)); do
    tail -n +"$((mark + 1))" "$TMP/w.out" | grep -q '"ev":"reconnected"' && break
    sleep 0.1
  done
  py_check "$TMP/w.out" "
k = ev[$mark:]
rc = [e for e in k if e['ev'] == 'reconnected']
assert rc and all(e['cookie'] == $COOKIE for e in rc) and rc[-1]['osd'] == $new, k
names = [e['ev'] for e in k]
assert not [e for e in k if e['ev'] in ('error', 'rewatch', 'registered', 'unwatched')], k
assert any(e['ev'] == 'map' for e in k[:names.index('reconnected')]), k
" && pass "$action osd.$osd: the watch RECONNECTed on the new primary osd.$new (same cookie, no error)" ||
    { fail "$action osd.$osd: no RECONNECT on osd.$new"; tail -n +"$((mark + 1))" "$TMP/w.out" >&2; }
  "$CW" listwatchers -c "$CONF" -p rbd "$OBJ" >"$TMP/lw.$action.json" 2>&1
  py_check "$TMP/lw.$action.json" "
w = ev[0]['watchers']
assert [(x['watcher'], x['cookie']) for x in w] == [('client.$GID', $COOKIE)], w
" && pass "$action osd.$osd: the new primary lists our watch" || { fail "listwatchers after $action"; cat "$TMP/lw.$action.json" >&2; }
  NEW="$new"
}

notify_both before
move out "$P0"
P1="$NEW"
[ "$P1" != "$P0" ] && notify_both after-out
move in "$P0"
[ "$NEW" = "$P0" ] && pass "marked in again: the primary is osd.$P0 again" || note "after in the primary is osd.$NEW"
notify_both after-in

py_check "$TMP/w.out" "
assert not [e for e in ev if e['ev'] in ('error', 'rewatch', 'session_reset')], [e for e in ev if e['ev'] in ('error', 'rewatch', 'session_reset')]
n = [e for e in ev if e['ev'] == 'notify']
assert len(n) == 6 and len({e['notify_id'] for e in n}) == 6, n
" && pass "6 notifies, each delivered once; no error, no re-watch, no session reset" || { fail "watcher summary"; cat "$TMP/w.out" >&2; }

kill -TERM "${BG_PIDS[0]}"
wait "${BG_PIDS[0]}"
rc=$?
[ "$rc" = 0 ] && pass "watcher exits 0" || fail "watcher rc $rc"
py_check "$TMP/w.out" "assert ev[-1]['ev'] == 'unwatched' and ev[-1]['result'] == 0, ev[-3:]" &&
  pass "unwatched at the end" || fail "no clean unwatch"
finish
