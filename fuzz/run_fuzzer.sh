#!/usr/bin/env bash
# Runs one libFuzzer binary with its corpus, dictionary and options (see fuzz.bzl).
# Usage (through bazel run): run_fuzzer.sh BIN CORPUS_DIR [-dict=F] -options=[F] [libFuzzer flags...]
set -euo pipefail
# Paths are relative to the runfiles tree of the _run target.
rf=${RUNFILES_DIR:-$0.runfiles}
[ -d "$rf/cephwire" ] && cd "$rf/cephwire"
bin=$1; corpus=$2; shift 2
flags=()
for a in "$@"; do
  case "$a" in
    -options=) ;;
    -options=*)
      # OSS-Fuzz style .options file: [libfuzzer] section, key = value lines.
      while IFS='=' read -r k v; do
        k=$(echo "$k" | tr -d ' '); v=$(echo "$v" | tr -d ' ')
        [ -n "$k" ] && [ -n "$v" ] && flags+=("-$k=$v")
      done < <(sed -n '/^\[libfuzzer\]/,/^\[/p' "${a#-options=}" | grep -v '^\[')
      ;;
    *) flags+=("$a") ;;
  esac
done
# New inputs go to a scratch directory; tools/fuzz.sh merges them into the corpus.
work=${CEPHWIRE_FUZZ_WORKDIR:-$(mktemp -d)}
mkdir -p "$work/new"
exec "$bin" -rss_limit_mb=2048 -malloc_limit_mb=64 "${flags[@]}" "$work/new" "$corpus"
