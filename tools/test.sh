#!/usr/bin/env bash
# Runs every cephwire test: installs what is missing (tools/bootstrap.sh), then `bazel test //...`.
# Extra arguments go to bazel test (e.g. --config=asan, or a target pattern instead of //...).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh
targets=()
flags=()
for a in "$@"; do
  case "$a" in
    //*|:*) targets+=("$a") ;;
    *) flags+=("$a") ;;
  esac
done
[ "${#targets[@]}" -gt 0 ] || targets=(//...)
exec bazel test "${flags[@]}" -- "${targets[@]}"
