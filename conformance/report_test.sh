#!/usr/bin/env bash
# The conformance report over the bundled recordings: `cephwire conformance --report DIR`
# (capture and replay modes) passes against librados' expected results, writes index.json / junit.xml / index.html, and
# the HTML renders in headless Chromium: the matrix of areas and cases, and a case expanded
# (through #case=ID in the URL, which the page's script opens) shows its wire log.
set -euo pipefail
bin=$1
expected=$2
out=${TEST_TMPDIR:-$(mktemp -d)}/report
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" conformance --expected "$expected" --report "$out" > "$out.txt" || { cat "$out.txt"; fail "conformance run"; }
tail -1 "$out.txt" | grep -Eq '^[0-9]+ passed, 0 failed$' || fail "summary line: $(tail -1 "$out.txt")"
for f in index.json junit.xml index.html; do [ -s "$out/$f" ] || fail "no $f"; done
python3 - "$out" <<'PY'
import json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
j = json.load(open(f"{d}/index.json"))
assert len(j["cases"]) >= 40, len(j["cases"])
ids = {c["id"] for c in j["cases"]}
for c in j["cases"]:
    for k in ("id", "requirement", "source", "verdict", "seconds", "wire_log", "inputs"):
        assert k in c, (c["id"], k)
ex = next(c for c in j["cases"] if c["id"] == "notify/complete/exactly-once")
assert ex["verdict"] == "pass" and ex["wire_log"], ex
assert any("MWatchNotify" in l and "notify_complete" in l for l in ex["wire_log"]), ex["wire_log"]
# Capture and replay modes ran over the same inputs; replay cases carry the compared messages.
modes = {c["mode"] for c in j["cases"]}
assert modes == {"check", "replay"}, modes
keys = [c["key"] for c in j["cases"]]
assert len(keys) == len(set(keys)), "keys are unique"
replay = {c["id"]: c for c in j["cases"] if c["mode"] == "replay"}
assert len(replay) >= 12, len(replay)
rc = replay["watch/register/commit"]
assert rc["verdict"] == "pass" and rc["checked"] > 0 and rc["key"] == "watch/register/commit@replay", rc
assert any("MOSDOp" in l and "watch" in l for l in rc["wire_log"]), rc["wire_log"]
assert all(c["inputs"] for c in replay.values())
t = ET.parse(f"{d}/junit.xml").getroot()
assert t.tag == "testsuites" and int(t.get("tests")) == len(j["cases"])
assert sum(1 for _ in t.iter("testcase")) == len(j["cases"])
assert any(tc.get("name") == "watch/register/commit@replay" for tc in t.iter("testcase"))
print("json and junit ok:", len(j["cases"]), "cases,", len(replay), "in replay mode")
PY

browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || fail "chromium is not installed (tools/bootstrap.sh installs it)"
url="file://$out/index.html#case=notify/complete/exactly-once"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --user-data-dir="$out/chromium-profile" --virtual-time-budget=5000 --dump-dom "$url" \
  > "$out/dom.html" 2> "$out/chromium.log" || { tail -20 "$out/chromium.log" >&2; fail "chromium"; }
python3 - "$out/dom.html" <<'PY'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
cells = re.findall(r'<span class="cell v-([a-z-]+)[^"]*"[^>]*data-case="([^"]+)"', dom)
assert len(cells) >= 40, f"matrix has {len(cells)} cells"
areas = re.findall(r'<td class="area">([^<]+)</td>', dom)
assert {"framing", "encoding", "session", "watch", "notify", "list-watchers"} <= set(areas), areas
m = re.search(r'<details class="case" id="case-notify/complete/exactly-once" open=""[^>]*>(.*?)</details>', dom, re.S)
assert m, "the case is not expanded"
body = m.group(1)
assert "wire-log" in body and "MWatchNotify" in body and "notify_complete" in body, body[:2000]
assert "src/osd/Watch.cc" in body, "source missing"
modes = re.findall(r'<th class="mode">([a-z]+)</th>', dom)
assert modes == ["check", "replay"], modes
replay_cells = [c for c in cells if c[1].endswith("@replay")]
assert len(replay_cells) >= 12, replay_cells
assert ("pass", "watch/register/commit@replay") in replay_cells, replay_cells
print("rendered:", len(cells), "cells (", len(replay_cells), "replay),", len(areas),
      "areas, mode columns", modes, "; expanded case shows its wire log")
PY
echo "report test: ok"
