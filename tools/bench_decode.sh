#!/usr/bin/env bash
# Side-by-side throughput of `cephwire decode --json`, `cephwire verify` and
# `tshark -r FILE -Y ceph -T json` on one large capture built from the bundled recordings
# (tools/make_big_capture.py repeats them with distinct client addresses), in one run.
# Reports CPU seconds (user+sys) and MB/s of capture per CPU second; ratios are what to read,
# these machines are shared and noisy.
#   tools/bench_decode.sh [MEGABYTES (default 200)]
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-200}
bash tools/bootstrap.sh
bazel build -c opt //tools:cephwire >/dev/null 2>&1
bin=$(bazel info -c opt bazel-bin 2>/dev/null)/tools/cephwire
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 tools/make_big_capture.py "$work/big.pcap" "$mb"
size=$(stat -c %s "$work/big.pcap")
measure() {  # name command... -> "name cpu_seconds"
  local name=$1; shift
  /usr/bin/time -f "%U %S %e" -o "$work/t" "$@" > "$work/out" 2>/dev/null || true
  read -r u s e < "$work/t"
  echo "$name $(python3 -c "print(f'{$u + $s:.2f}')") $e"
}
{
  measure "cephwire-verify" "$bin" verify "$work/big.pcap"
  measure "cephwire-decode-json" "$bin" decode --json "$work/big.pcap"
  measure "tshark-json" tshark -r "$work/big.pcap" -Y ceph -T json
} > "$work/results"
python3 - "$work/results" "$size" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
size = int(sys.argv[2])
cpu = {r[0]: float(r[1]) for r in rows}
print(f"capture: {size / 1e6:.1f} MB")
print(f"{'tool':24} {'cpu s':>8} {'wall s':>8} {'MB/cpu-s':>10}")
for name, c, wall in rows:
    print(f"{name:24} {float(c):8.2f} {float(wall):8.2f} {size / 1e6 / max(float(c), 1e-9):10.1f}")
print(f"decode --json vs tshark: {cpu['tshark-json'] / max(cpu['cephwire-decode-json'], 1e-9):.1f}x less CPU")
PY
