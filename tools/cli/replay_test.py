"""`cephwire replay` over every recording: corpus/recordings and ../shared/recordings.

Issue #6's acceptance: every librados client of every recording replays with 0 differences
(librbd's own object ops included), `cephwire replay` exits 0 and its summary says so. The
JSON and text outputs are checked, and doctored copies of recordings must differ.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

cephwire = sys.argv[1]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


corpus = sorted(glob.glob("corpus/recordings/*.pcap"))
check(len(corpus) >= 28, f"only {len(corpus)} recordings in corpus/recordings")
# ../shared/recordings: the workspace's sibling when run by hand, absent in the sandbox.
shared = []
for d in ("../shared/recordings", "/work/shared/recordings"):
    if os.path.isdir(d):
        shared = sorted(glob.glob(os.path.join(d, "*.pcap")))
        break
files = corpus + shared

p = subprocess.run([cephwire, "replay", "--json"] + files, capture_output=True, text=True)
lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
summary = lines[-1].get("summary") if lines else None
check(summary is not None, "no summary line")
summary = summary or {}
clients = lines[:-1]
seen_files = {c["file"] for c in clients}
check(len(seen_files) == len(files), f"clients from {len(seen_files)} of {len(files)} files")
for c in clients:
    key = (c["file"].split("/")[-1][:-5], c["client"])
    diffs = [d["what"] for d in c["differences"]]
    check(c["equal"] == (not diffs), f"{key}: equal flag")
    check(not diffs, f"{key}: {diffs}")
    check(c["matched"] == c["requests"], f"{key}: {c['matched']} of {c['requests']} matched")
check(summary.get("differed") == 0, f"summary: {summary}")
check(summary.get("equal") == len(clients), "summary equal count")
check(summary.get("clients") == len(clients), "summary client count")
check(summary.get("files") == len(files), "summary file count")
check(summary.get("requests", 0) >= 600, f"summary request count {summary.get('requests')}")
check(p.returncode == 0, f"exit code {p.returncode}: {p.stderr}")
# Pings, callbacks and librbd's generic ops were all checked somewhere.
check(sum(c["pings"] for c in clients) >= 12, "recorded pings")
check(sum(c["callbacks_checked"] for c in clients) >= 40, "callbacks checked")
rbd = [c for c in clients if "-rbd." in c["file"]]
check(sum(c["requests"] for c in rbd) >= 300, "librbd requests replayed")

# Text output: one summary line, exit 0.
p = subprocess.run([cephwire, "replay"] + files, capture_output=True, text=True)
check(p.returncode == 0, f"text: exit {p.returncode}: {p.stdout}")
last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
check(re.fullmatch(rf"replayed \d+ clients, \d+ requests in {len(files)} files: \d+ equal, 0 differed",
                   last), last)
check(len(p.stdout.strip().splitlines()) == 1, f"text: lines besides the summary: {p.stdout}")
p = subprocess.run([cephwire, "replay", "--verbose", "corpus/recordings/v1-watch-error.pcap"],
                   capture_output=True, text=True)
check(p.returncode == 0, f"v1-watch-error: exit {p.returncode}: {p.stdout}")
check(re.search(r"client\.4132: \d+ requests .* callbacks checked: equal", p.stdout), p.stdout)

# Doctored copies (pcap + manifest in a temporary directory) must differ.
tmp = tempfile.mkdtemp()
try:
    def doctored(name, edit):
        for ext in (".pcap", ".json"):
            shutil.copy(f"corpus/recordings/{name}{ext}", tmp)
        path = os.path.join(tmp, name + ".json")
        with open(path) as f:
            manifest = json.load(f)
        edit(manifest)
        with open(path, "w") as f:
            json.dump(manifest, f)
        return subprocess.run([cephwire, "replay", os.path.join(tmp, name + ".pcap")],
                              capture_output=True, text=True)

    # The watch error callback librados delivered, changed from -107 to -110.
    def other_error(m):
        for cb in m["callbacks"]:
            if cb.get("ev") == "watch_error":
                cb["err"] = -110
    p = doctored("v1-watch-error", other_error)
    check(p.returncode == 1, f"doctored callback: exit {p.returncode}")
    check(re.search(r"client\.4132 frame \d+: watch error callback differs: .* err -107, "
                    r"recorded .* err -110", p.stdout), p.stdout)
    check(re.search(r"1 differed$", p.stdout.strip()), p.stdout)

    # Another objecter_tick_interval for the watcher: its pings no longer fit.
    def other_tick(m):
        for c in m["clients"]:
            if c.get("gid") == 4130:
                c.setdefault("conf_overrides", {})["objecter_tick_interval"] = "2"
    p = doctored("v1-watch-pings", other_tick)
    check(p.returncode == 1, f"doctored tick: exit {p.returncode}")
    check(re.search(r"client\.4130 frame \d+: extra request: core sent PING", p.stdout), p.stdout)

    # The stop/continue steps of the watch-error scenario removed: the replayed watcher keeps
    # pinging while librados' was stopped.
    def no_stop(m):
        m["steps"] = [s for s in m["steps"] if not s.get("call", "").startswith("kill(")]
    p = doctored("v1-watch-error", no_stop)
    check(p.returncode == 1, f"doctored stop: exit {p.returncode}")
    check(re.search(r"client\.4132 frame \d+: extra request: core sent PING", p.stdout), p.stdout)
finally:
    shutil.rmtree(tmp)

if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"ok: {summary}")
