#!/usr/bin/env bash
# The main job on the bundled recordings: bootstrap, then strict decode and byte-exact
# re-encode of every message in corpus/recordings/*.pcap (cephwire verify).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh
exec bazel run -c opt //tools:cephwire -- verify "$PWD"/corpus/recordings/*.pcap "$@"
