#!/usr/bin/env bash
# Live test (tags: live, exclusive), arguments: v1|v2, the cephwire binary, the expected-results
# file. Starts its own 1-OSD cluster (tools/cluster, net/live_lib.sh: always stopped at exit),
# runs `cephwire conformance --live` against it and checks that every live-mode case of the
# catalog ran and passed, and that the report (index.json, junit.xml, index.html) has each of
# them with its wire log and timing.
source "${TEST_SRCDIR:-$0.runfiles}/cephwire/net/live_lib.sh"
MSGR="${1:?v1 or v2}"
BIN="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
EXPECTED="$(cd "$(dirname "$3")" && pwd)/$(basename "$3")"
OUT="$TMP/report"

start_cluster "$MSGR"
t0=$(date +%s)
timeout 300 "$BIN" conformance --live -c "$CONF" -p rbd --msgr "$MSGR" --expected "$EXPECTED" \
  --report "$OUT" >"$TMP/conformance.out" 2>"$TMP/conformance.err"
rc=$?
note "cephwire conformance --live: exit $rc after $(($(date +%s) - t0)) s"
cat "$TMP/conformance.out" >&2
[ "$rc" = 0 ] && pass "conformance --live exits 0" || { fail "exit $rc"; cat "$TMP/conformance.err" >&2; }
tail -1 "$TMP/conformance.out" | grep -Eq '^[0-9]+ passed, 0 failed$' && pass "summary line" ||
  fail "summary: $(tail -1 "$TMP/conformance.out")"

python3 - "$OUT" "$MSGR" <<'PY' && pass "every live case passed and is in the report" || fail "report"
import json, sys, xml.etree.ElementTree as ET
d, msgr = sys.argv[1], sys.argv[2]
j = json.load(open(f"{d}/index.json"))
live = [c for c in j["cases"] if c["mode"] == "live"]
assert {c["mode"] for c in j["cases"]} == {"live"}, "only live mode was asked for"
want = {c["id"] for c in j["cases"] if "live" in c["modes"]}
assert len(live) >= 9 and {c["id"] for c in live} == want, (len(live), want)
for c in live:
    assert c["verdict"] == "pass", (c["id"], c["verdict"], c["failures"])
    assert c["checked"] > 0 and c["seconds"] > 0, c["id"]
    assert c["wire_log"] and any("MOSDOp" in l for l in c["wire_log"]), (c["id"], c["wire_log"])
    assert c["key"] == c["id"] + "@live", c["key"]
assert j["inputs"] and j["inputs"][0].startswith("live " + msgr), j["inputs"]
by = {c["id"]: c for c in live}
log = "\n".join(by["watch/reconnect/after-reset"]["wire_log"])
assert "session reset" in log and "reconnect" in log, log[:3000]
log = "\n".join(by["notify/complete/timeouts-unacked"]["wire_log"])
assert "MWatchNotify" in log and "timeout(client." in log, log[:3000]
t = ET.parse(f"{d}/junit.xml").getroot()
names = {tc.get("name") for tc in t.iter("testcase")}
assert {c["key"] for c in live} <= names, names
assert t.get("failures") == "0"
html = open(f"{d}/index.html").read()
assert "watch/ping/cadence@live" in html
print("live cases:", len(live), "all pass;", sum(len(c["wire_log"]) for c in live), "wire log entries")
PY
finish
