#!/usr/bin/env bash
# tools/stress_live.sh: repeated faults under a cephwire watch on real Ceph 16.2.15 clusters
# (tools/cluster), counting silent losses (issue #8's acceptance: a notify sent after a fault
# reaches the cephwire watcher, or the watcher reported an error before it).
#
#   tools/stress_live.sh [--reps N (20)] [--msgr v1|v2|both (both)]
#                        [--faults ping,close,kill,mon,primary (all)] [--batch B (10)]
#                        [--out DIR] [--cw PATH/cephwire_live]
#
# Faults (one cluster per fault kind and messenger; every cluster is stopped at exit):
#   ping     pings dropped past the OSD watch timeout by the fault layer (watch timeout 7 s,
#            --inject out:drop:...:watch_op=ping): the OSD expires the watch, the next ping gets
#            -ENOTCONN, the watcher reports the error and watches again. One watcher process
#            and object per repetition; B repetitions run at the same time (each ~12 s).
#   close    the OSD session closed by the fault layer when a notify arrives (one watcher,
#            one --inject in:close:type=watch_notify:event=notify rule per repetition): reset,
#            RECONNECT, the OSD sends the notify again.
#   kill     kill -9 of the OSD and its restart (1 OSD, bluestore).
#   mon      SIGTERM of the monitor and its restart.
#   primary  the watched object's acting primary marked out (odd repetitions) / in (even ones)
#            in a 3-OSD cluster, pool size 3.
# After each fault one notify is sent with `rados notify` (for close: the notify IS the fault)
# and the watcher's JSON events are checked:
#   delivered    the watcher printed the notify (its payload is unique per repetition);
#   reported     not delivered, but the watcher printed an "error" after the fault and
#                before the notify (then it watches again);
#   silent loss  neither: the repetition fails.
# Also counted: "errors" (error events during the repetition). Prints a table per fault and
# messenger and ends with "N passed, N failed" (repetitions). Exit 0 iff no repetition failed.
set -uo pipefail
export PATH="/usr/bin:/bin:/usr/sbin:/sbin:${PATH:-}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CLUSTER="$ROOT/tools/cluster"

REPS=20 MSGRS="v1 v2" FAULTS="ping,close,kill,mon,primary" BATCH=10 OUT="" CW="${CW:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS="$2"; shift 2 ;;
    --msgr) [ "$2" = both ] && MSGRS="v1 v2" || MSGRS="$2"; shift 2 ;;
    --faults) FAULTS="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --cw) CW="$2"; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "stress_live: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ -z "$CW" ]; then
  B=(bazel)
  [ -n "${BAZEL_OUTPUT_BASE:-}" ] && B+=("--output_base=$BAZEL_OUTPUT_BASE")
  (cd "$ROOT" && "${B[@]}" build --symlink_prefix=/ //net:cephwire_live >&2) || exit 1
  CW="$(cd "$ROOT" && "${B[@]}" info --symlink_prefix=/ bazel-bin 2>/dev/null)/net/cephwire_live"
fi
[ -x "$CW" ] || { echo "stress_live: no cephwire_live at $CW" >&2; exit 1; }

OUT="${OUT:-$(mktemp -d /tmp/stress_live.XXXXXX)}"
mkdir -p "$OUT"
DIR="" CONF="" BG=()
log() { echo "stress: $*" >&2; }

stop_cluster() {
  local p
  for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${BG[@]}"; do wait "$p" 2>/dev/null || true; done
  BG=()
  [ -n "$DIR" ] && "$CLUSTER" stop --dir "$DIR" >/dev/null 2>&1
  DIR=""
}
trap stop_cluster EXIT

start_cluster() { # MSGR NAME [tools/cluster args]
  local msgr="$1" name="$2"
  shift 2
  DIR="$OUT/$name/c"
  rm -rf "$DIR"
  mkdir -p "$OUT/$name"
  if "$CLUSTER" start --dir "$DIR" --port auto --msgr "$msgr" --timeout 120 "$@" \
       >"$OUT/$name/cluster.log" 2>&1; then
    CONF="$DIR/ceph.conf"
    log "$name: cluster on port $(sed -n 's/^PORT=//p' "$DIR/cluster.env")"
    return 0
  fi
  log "$name: no cluster could be started"
  return 1
}

wait_for() { # FILE PATTERN TIMEOUT_S [SINCE_LINE]
  local f="$1" pat="$2" t="$3" since="${4:-0}" i
  for ((i = 0; i < t * 10; i++)); do
    tail -n +"$((since + 1))" "$f" 2>/dev/null | grep -qE -- "$pat" && return 0
    sleep 0.1
  done
  return 1
}

watch_bg() { # OUT OBJ ARGS...
  local out="$1" obj="$2"
  shift 2
  "$CW" watch -c "$CONF" -p rbd "$obj" --ack-payload s "$@" >"$out" 2>"$out.err" &
  BG+=("$!")
}

# classify WATCHER_OUT SINCE_LINE PAYLOAD NOTIFY_SENT_LINE: waits up to 10 s for the notify at
# the watcher, prints delivered|reported|silent and the number of error events since SINCE.
classify() {
  local f="$1" since="$2" payload="$3" sent="$4" i
  for ((i = 0; i < 100; i++)); do
    grep -qF "$(printf '%s' "$payload" | od -An -tx1 | tr -d ' \n')" "$f" && break
    sleep 0.1
  done
  python3 - "$f" "$since" "$payload" "$sent" <<'PY'
import json, sys
f, since, payload, sent = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
lines = open(f).read().splitlines()
ev = [json.loads(l) for l in lines[since:] if l.startswith("{")]
before = [json.loads(l) for l in lines[since:sent] if l.startswith("{")]
errors = sum(1 for e in ev if e["ev"] == "error")
# `rados notify` sends its payload as an encoded string (le32 length + bytes)
if any(e["ev"] == "notify" and payload.encode().hex() in e["payload_hex"] for e in ev):
    print("delivered", errors)
elif any(e["ev"] == "error" for e in before):
    print("reported", errors)
else:
    print("silent", errors)
PY
}

declare -A R_REPS R_DEL R_REP R_ERR R_SIL
PASSED=0 FAILED=0
record() { # KEY OUTCOME ERRORS
  local k="$1"
  R_REPS[$k]=$((${R_REPS[$k]:-0} + 1))
  R_ERR[$k]=$((${R_ERR[$k]:-0} + $3))
  case "$2" in
    delivered) R_DEL[$k]=$((${R_DEL[$k]:-0} + 1)); PASSED=$((PASSED + 1)) ;;
    reported) R_REP[$k]=$((${R_REP[$k]:-0} + 1)); PASSED=$((PASSED + 1)) ;;
    *) R_SIL[$k]=$((${R_SIL[$k]:-0} + 1)); FAILED=$((FAILED + 1)) ;;
  esac
}

notify() { # OBJ PAYLOAD LOG
  timeout 60 rados -c "$CONF" -p rbd notify "$1" "$2" >"$3" 2>&1
}

# ---- (a) pings dropped past the watch timeout ---------------------------------------------
run_ping() {
  local msgr="$1" k="$1 ping" d="$OUT/$1-ping" i j n
  start_cluster "$msgr" "$msgr-ping" --osds 1 || { R_SIL[$k]=$REPS; FAILED=$((FAILED + REPS)); return; }
  for ((i = 1; i <= REPS; i += BATCH)); do
    n=$((REPS - i + 1)); [ "$n" -gt "$BATCH" ] && n="$BATCH"
    for ((j = i; j < i + n; j++)); do
      rados -c "$CONF" -p rbd put "ping$j" /etc/hostname
      watch_bg "$d/w$j.out" "ping$j" --timeout 7 \
        --inject "out:drop:type=osd_op:op=watch:watch_op=ping:nth=1:count=1"
    done
    for ((j = i; j < i + n; j++)); do
      # the fault: registered -> (dropped ping, expired) error -> rewatch -> registered
      wait_for "$d/w$j.out" '"ev":"rewatch"' 60 && wait_for "$d/w$j.out" '"ev":"registered"' 10 \
        "$(grep -n '"ev":"rewatch"' "$d/w$j.out" | head -n1 | cut -d: -f1)" ||
        log "$k rep $j: no error/rewatch within 60 s"
    done
    for ((j = i; j < i + n; j++)); do
      local sent
      sent=$(wc -l <"$d/w$j.out")
      notify "ping$j" "ping-$j" "$d/n$j.log"
      read -r outcome errs < <(classify "$d/w$j.out" 0 "ping-$j" "$sent")
      # the fault must have happened: at least one error (-107) in this repetition
      grep -q '"code":-107' "$d/w$j.out" || { log "$k rep $j: the fault did not produce ENOTCONN"; }
      record "$k" "$outcome" "$errs"
      [ "$outcome" = delivered ] || log "$k rep $j: $outcome"
    done
    for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
    BG=()
  done
  stop_cluster
}

# ---- (b) the OSD session closed at a notify ------------------------------------------------
run_close() {
  local msgr="$1" k="$1 close" d="$OUT/$1-close" i args=()
  start_cluster "$msgr" "$msgr-close" --osds 1 || { R_SIL[$k]=$REPS; FAILED=$((FAILED + REPS)); return; }
  rados -c "$CONF" -p rbd put closed /etc/hostname
  # match 2i-1 (the i-th notify's first delivery) is closed; its resend (match 2i) passes.
  for ((i = 1; i <= REPS; i++)); do args+=(--inject "in:close:type=watch_notify:event=notify:nth=$((2 * i - 1))"); done
  watch_bg "$d/w.out" closed "${args[@]}"
  wait_for "$d/w.out" '"ev":"registered"' 60 || log "$k: no registration"
  for ((i = 1; i <= REPS; i++)); do
    local since resets
    since=$(wc -l <"$d/w.out")
    notify closed "close-$i" "$d/n$i.log"
    read -r outcome errs < <(classify "$d/w.out" "$since" "close-$i" "$since")
    resets=$(tail -n +"$((since + 1))" "$d/w.out" | grep -c '"ev":"session_reset"')
    [ "$resets" -ge 1 ] || log "$k rep $i: no session reset seen (fault not injected?)"
    record "$k" "$outcome" "$errs"
    [ "$outcome" = delivered ] || log "$k rep $i: $outcome"
  done
  stop_cluster
}

# ---- (c) (d) (e): one watcher, a fault, wait for recovery, one notify -------------------------
acting_primary() {
  timeout 30 ceph -c "$CONF" --connect-timeout 10 osd map rbd obj -f json 2>/dev/null |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["acting_primary"])'
}

fault_kill() {
  "$CLUSTER" kill-osd --dir "$DIR" --id 0 --signal KILL >/dev/null 2>&1
  sleep 1
  "$CLUSTER" start-osd --dir "$DIR" --id 0 --timeout 120 >/dev/null 2>&1 || log "start-osd failed"
}
fault_mon() {
  local p i
  p=$(cat "$DIR/run/mon.a.pid")
  kill -TERM "$p"
  for ((i = 0; i < 200; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  sleep 1
  ceph-mon -c "$CONF" -i a >>"$DIR/log/mon.a.stdout" 2>&1 || log "mon restart failed"
}
P_OUT=""
fault_primary() { # rep
  local old new i
  old=$(acting_primary)
  if [ $(($1 % 2)) = 1 ]; then
    P_OUT="$old"
    "$CLUSTER" out-osd --dir "$DIR" --id "$old" >/dev/null 2>&1
  else
    "$CLUSTER" in-osd --dir "$DIR" --id "$P_OUT" >/dev/null 2>&1
  fi
  for ((i = 0; i < 120; i++)); do
    new=$(acting_primary)
    [ -n "$new" ] && [ "$new" != "$old" ] && break
    sleep 0.5
  done
  sleep 2
}

run_simple() { # MSGR KIND
  local msgr="$1" kind="$2" k="$1 $2" d="$OUT/$1-$2" i ok
  local cargs=(--osds 1)
  [ "$kind" = kill ] && cargs=(--osds 1 --store bluestore)
  [ "$kind" = primary ] && cargs=(--osds 3 --size 3)
  start_cluster "$msgr" "$msgr-$kind" "${cargs[@]}" || { R_SIL[$k]=$REPS; FAILED=$((FAILED + REPS)); return; }
  rados -c "$CONF" -p rbd put obj /etc/hostname
  watch_bg "$d/w.out" obj
  wait_for "$d/w.out" '"ev":"registered"' 60 || log "$k: no registration"
  for ((i = 1; i <= REPS; i++)); do
    local since sent t0
    since=$(wc -l <"$d/w.out")
    t0=$(date +%s)
    "fault_$kind" "$i"
    # recovery: RECONNECT / new registration (OSD faults), re-authentication (mon), or an error
    case "$kind" in
      mon) wait_for "$d/w.out" '"ev":"(authenticated|error)"' 90 "$since" || log "$k rep $i: no re-authentication" ;;
      *) wait_for "$d/w.out" '"ev":"(reconnected|registered|error)"' 120 "$since" || log "$k rep $i: no recovery event" ;;
    esac
    # after an error, give the re-watch its registration
    if tail -n +"$((since + 1))" "$d/w.out" | grep -q '"ev":"rewatch"'; then
      wait_for "$d/w.out" '"ev":"registered"' 60 "$since" || true
    fi
    sent=$(wc -l <"$d/w.out")
    notify obj "$kind-$i" "$d/n$i.log"
    read -r outcome errs < <(classify "$d/w.out" "$since" "$kind-$i" "$sent")
    record "$k" "$outcome" "$errs"
    log "$k rep $i: $outcome (errors $errs, $(($(date +%s) - t0)) s)"
  done
  stop_cluster
}

T0=$(date +%s)
for msgr in $MSGRS; do
  for f in ${FAULTS//,/ }; do
    mkdir -p "$OUT/$msgr-$f"
    case "$f" in
      ping) run_ping "$msgr" ;;
      close) run_close "$msgr" ;;
      kill|mon|primary) run_simple "$msgr" "$f" ;;
      *) log "unknown fault $f"; exit 2 ;;
    esac
    log "$msgr $f done after $(($(date +%s) - T0)) s"
  done
done

printf '\n%-12s %5s %10s %9s %15s %13s\n' "fault" "reps" "delivered" "errors" "error-then-lost" "silent-losses"
for msgr in $MSGRS; do
  for f in ${FAULTS//,/ }; do
    k="$msgr $f"
    printf '%-12s %5d %10d %9d %15d %13d\n' "$msgr-$f" "${R_REPS[$k]:-0}" "${R_DEL[$k]:-0}" \
      "${R_ERR[$k]:-0}" "${R_REP[$k]:-0}" "${R_SIL[$k]:-0}"
  done
done
echo "outputs in $OUT"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
