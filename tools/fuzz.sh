#!/usr/bin/env bash
# Runs cephwire's libFuzzer targets (fuzz/*_fuzzer.cc) for a while and folds what they find back
# into the repository:
#   1. builds every target with --config=fuzz (clang-16, libFuzzer, ASan+UBSan);
#   2. runs each with -fork=J for N seconds (always -rss_limit_mb=2048 -malloc_limit_mb=64, plus
#      its fuzz/<t>.options and fuzz/<t>.dict), seeded from corpus/<t>_fuzzer/; new inputs go
#      to DIR/<t>/new, crashes to DIR/<t>/crashes;
#   3. merges the new inputs into corpus/<t>_fuzzer/ (-merge=1: only inputs that add coverage;
#      files named by their sha1);
#   4. minimises every crash (-minimize_crash=1) into corpus/<t>_fuzzer/regressions/<sha1>,
#      which the default `bazel test //fuzz/...` replays from then on;
#   5. writes DIR/summary.json ({"targets": [{name, execs, exec_per_sec, crashes, corpus_files,
#      new_inputs, coverage_features}]}) and prints a table.
# --coverage: instead of / after fuzzing, clang source-based coverage (--config=coverage-clang,
#   llvm-profdata-16 / llvm-cov-16) of replaying each target's corpus; prints line coverage of
#   codec/ and client/ per directory and writes DIR/coverage.json and DIR/coverage/ (HTML).
#
# Usage: tools/fuzz.sh [--seconds N] [--jobs J] [--out DIR] [--coverage] [--no-fuzz]
#                      [--no-merge] [TARGET...]
#   TARGET: mosdop, mosdop_fuzzer or //fuzz:mosdop_fuzzer; default: every fuzz/*_fuzzer.cc.
#   --no-fuzz: skip fuzzing (with --coverage: coverage of the checked-in corpora only).
#   --no-merge: leave corpus/ alone (new inputs and crashes stay in DIR).
# Environment: CEPHWIRE_FUZZ_OUTPUT_BASE (Bazel output base for the fuzz build; default
#   ~/.cache/bazel-fuzz-clang; coverage uses "<that>-cov"), BAZEL (default bazel),
#   CEPHWIRE_FUZZ_MAX_MINIMISE (crashes minimised per target, default 3; the others are counted
#   and kept in DIR/<t>/crashes).
set -euo pipefail

seconds=60
jobs=2
out=/tmp/cephwire-fuzz
coverage=0
fuzz=1
merge=1
max_minimise=${CEPHWIRE_FUZZ_MAX_MINIMISE:-3}
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --jobs) jobs=$2; shift 2 ;;
    --jobs=*) jobs=${1#*=}; shift ;;
    --out) out=$2; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    --coverage) coverage=1; shift ;;
    --no-fuzz) fuzz=0; shift ;;
    --no-merge) merge=0; shift ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) t=${1#//fuzz:}; t=${t%_fuzzer}; targets+=("${t}_fuzzer"); shift ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/*_fuzzer.cc; do targets+=("$(basename "$f" .cc)"); done
fi
for t in "${targets[@]}"; do
  [ -f "fuzz/$t.cc" ] || { echo "fuzz.sh: no such target: $t (fuzz/$t.cc)" >&2; exit 2; }
done

bazel=${BAZEL:-bazel}
ob=${CEPHWIRE_FUZZ_OUTPUT_BASE:-$HOME/.cache/bazel-fuzz-clang}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# libFuzzer flags from an OSS-Fuzz style .options file ([libfuzzer] key = value).
options_flags() {
  local f=$1
  [ -f "$f" ] || return 0
  sed -n '/^\[libfuzzer\]/,/^\[/p' "$f" | grep -v '^\[' | grep '=' | while IFS='=' read -r k v; do
    k=$(echo "$k" | tr -d ' '); v=$(echo "$v" | tr -d ' ')
    [ -n "$k" ] && echo "-$k=$v"
  done
}

sha1() { sha1sum "$1" | cut -c1-40; }

# build OUTPUT_BASE CONFIG LABEL...
build() {
  local base=$1 config=$2; shift 2
  # --symlink_prefix=/: leave the workspace's bazel-* convenience links (someone else's build)
  # alone; the binaries are found through `bazel info bazel-bin`.
  if ! "$bazel" --output_base="$base" build --config="$config" --symlink_prefix=/ "$@" \
      > "$out/build-$config.log" 2>&1; then
    grep -E '^(ERROR|FAILED)|error:' "$out/build-$config.log" | head -20 >&2
    echo "fuzz.sh: build failed, see $out/build-$config.log" >&2
    exit 1
  fi
}

if [ "$fuzz" = 1 ]; then
  echo "== building ${#targets[@]} fuzz targets (--config=fuzz, output base $ob)"
  labels=(); for t in "${targets[@]}"; do labels+=("//fuzz:${t}_bin"); done
  build "$ob" fuzz "${labels[@]}"
  bindir=$("$bazel" --output_base="$ob" info --config=fuzz bazel-bin 2>/dev/null)

  for t in "${targets[@]}"; do
    base=${t%_fuzzer}
    bin="$bindir/fuzz/${t}_bin"
    corpus="corpus/$t"
    work="$out/$t"
    rm -rf "$work"; mkdir -p "$work/new" "$work/crashes" "$corpus/regressions"
    flags=(-rss_limit_mb=2048 -malloc_limit_mb=64)
    mapfile -t opt < <(options_flags "fuzz/$base.options")
    flags+=("${opt[@]}")
    [ -f "fuzz/$base.dict" ] && flags+=("-dict=fuzz/$base.dict")
    before=$(find "$corpus" -maxdepth 1 -type f | wc -l)
    echo "== $t: ${seconds}s, $jobs jobs"
    # Fork mode: the first directory receives new inputs; crashes do not stop the run.
    "$bin" "${flags[@]}" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
      -max_total_time="$seconds" -artifact_prefix="$work/crashes/" -print_final_stats=1 \
      "$work/new" "$corpus" > "$work/fuzz.log" 2>&1 || true
    # The last status line: "#N: cov: C ft: F corp: ... exec/s: E oom/timeout/crash: a/b/c time: T"
    stat=$(grep -E '^#[0-9]+: cov: ' "$work/fuzz.log" | tail -1 || true)
    execs=$(echo "$stat" | sed -nE 's/^#([0-9]+):.*/\1/p'); execs=${execs:-0}
    eps=$(echo "$stat" | sed -nE 's/.* exec\/s: ([0-9]+).*/\1/p'); eps=${eps:-0}
    secs=$(echo "$stat" | sed -nE 's/.* time: ([0-9]+)s.*/\1/p'); secs=${secs:-$seconds}
    # The fork-mode status line shows the last job's rate; report the whole run's.
    [ "$secs" -gt 0 ] && eps=$((execs / secs))
    ft=$(echo "$stat" | sed -nE 's/.* ft: ([0-9]+).*/\1/p'); ft=${ft:-0}
    new_inputs=0
    if [ "$merge" = 1 ] && [ -n "$(ls -A "$work/new")" ]; then
      mkdir -p "$work/merged"
      "$bin" "${flags[@]}" -merge=1 "$work/merged" "$corpus" "$work/new" > "$work/merge.log" 2>&1 || true
      # Only the inputs the merge kept that the corpus does not have yet, named by sha1.
      for f in "$work/merged"/*; do
        [ -f "$f" ] || continue
        h=$(sha1 "$f")
        if [ ! -f "$corpus/$h" ]; then cp "$f" "$corpus/$h"; new_inputs=$((new_inputs + 1)); fi
      done
    elif [ "$merge" = 0 ]; then
      new_inputs=$(find "$work/new" -type f | wc -l)
    fi
    crashes=0
    minimised=0
    for c in "$work/crashes"/*; do
      [ -f "$c" ] || continue
      crashes=$((crashes + 1))
      # Minimise at most $max_minimise crashes per target (30 s each); the rest stay in DIR.
      if [ "$minimised" -ge "$max_minimise" ]; then continue; fi
      minimised=$((minimised + 1))
      min="$work/min-$(basename "$c")"
      "$bin" -rss_limit_mb=2048 -malloc_limit_mb=64 -minimize_crash=1 -max_total_time=30 \
        -runs=100000 -exact_artifact_path="$min" "$c" > "$work/minimize-$(basename "$c").log" 2>&1 || true
      [ -s "$min" ] || cp "$c" "$min"
      # Only inputs that crash on their own are regressions (a crash inside the custom mutator
      # leaves an artifact that does not reproduce).
      if "$bin" -rss_limit_mb=2048 -malloc_limit_mb=64 "$min" > "$work/repro-$(basename "$c").log" 2>&1; then
        echo "   crash: $c does not reproduce (crash outside LLVMFuzzerTestOneInput?), see $work/fuzz.log"
        continue
      fi
      if [ "$merge" = 1 ]; then cp "$min" "$corpus/regressions/$(sha1 "$min")"; fi
      why=$(grep -m1 -E 'property violated|ERROR: AddressSanitizer|runtime error|ERROR: libFuzzer' "$work/repro-$(basename "$c").log" || true)
      echo "   crash: $c -> minimised $(wc -c < "$min") bytes: $why"
      grep -m1 -A1 'property violated' "$work/repro-$(basename "$c").log" | tail -1 || true
    done
    rmdir "$corpus/regressions" 2>/dev/null || true
    files=$(find "$corpus" -type f | wc -l)
    echo "{\"name\": \"$t\", \"execs\": $execs, \"exec_per_sec\": $eps, \"crashes\": $crashes, \"corpus_files\": $files, \"new_inputs\": $new_inputs, \"coverage_features\": $ft, \"corpus_before\": $before}" > "$work/result.json"
  done

  python3 - "$out" "${targets[@]}" <<'EOF'
import json, os, sys
out, targets = sys.argv[1], sys.argv[2:]
rows = []
for t in targets:
    p = os.path.join(out, t, 'result.json')
    if os.path.exists(p):
        r = json.load(open(p))
        r.pop('corpus_before', None)
        rows.append(r)
json.dump({'targets': rows}, open(os.path.join(out, 'summary.json'), 'w'), indent=1)
hdr = ('target', 'execs', 'exec/s', 'crashes', 'corpus', 'new', 'features')
fmt = '%-34s %12s %9s %8s %8s %6s %9s'
print(fmt % hdr)
for r in rows:
    print(fmt % (r['name'], r['execs'], r['exec_per_sec'], r['crashes'], r['corpus_files'],
                 r['new_inputs'], r['coverage_features']))
print('summary: %s' % os.path.join(out, 'summary.json'))
EOF
fi

if [ "$coverage" = 1 ]; then
  cob="${ob}-cov"
  echo "== coverage: building replay binaries with --config=coverage-clang (output base $cob)"
  labels=(); for t in "${targets[@]}"; do labels+=("//fuzz:${t}_bin"); done
  build "$cob" coverage-clang "${labels[@]}"
  cbindir=$("$bazel" --output_base="$cob" info --config=coverage-clang bazel-bin 2>/dev/null)
  cexec=$("$bazel" --output_base="$cob" info --config=coverage-clang execution_root 2>/dev/null)
  rm -rf "$out/coverage"; mkdir -p "$out/coverage/profraw"
  objects=()
  for t in "${targets[@]}"; do
    # The checked-in corpus, plus what this run found if it was not merged (--no-merge).
    dirs=("corpus/$t"); [ -d "$out/$t/new" ] && dirs+=("$out/$t/new")
    LLVM_PROFILE_FILE="$out/coverage/profraw/$t-%p.profraw" "$cbindir/fuzz/${t}_bin" "${dirs[@]}" > /dev/null 2>&1 || \
      echo "   $t: replay exited non-zero (a crashing input?)"
    objects+=(-object "$cbindir/fuzz/${t}_bin")
  done
  llvm-profdata-16 merge -sparse "$out"/coverage/profraw/*.profraw -o "$out/coverage/merged.profdata"
  first=${objects[1]}
  rest=("${objects[@]:2}")
  ignore='(external/|fuzz/|_test\.cc|codec/testing/|/usr/)'
  (cd "$cexec" && llvm-cov-16 export -summary-only -instr-profile="$out/coverage/merged.profdata" \
    "$first" "${rest[@]}" -ignore-filename-regex="$ignore") > "$out/coverage/export.json"
  (cd "$cexec" && llvm-cov-16 show -format=html -output-dir="$out/coverage/html" \
    -instr-profile="$out/coverage/merged.profdata" "$first" "${rest[@]}" \
    -ignore-filename-regex="$ignore") > /dev/null 2>&1 || true
  python3 - "$out" <<'EOF'
import json, os, sys, collections
out = sys.argv[1]
data = json.load(open(os.path.join(out, 'coverage', 'export.json')))
dirs = collections.OrderedDict()
for f in data['data'][0]['files']:
    name = f['filename']
    for pre in ('codec/', 'client/'):
        i = name.find('/' + pre)
        if name.startswith(pre):
            rel = name
        elif i >= 0:
            rel = name[i + 1:]
        else:
            continue
        break
    else:
        continue
    d = os.path.dirname(rel)
    l = f['summary']['lines']
    agg = dirs.setdefault(d, [0, 0])
    agg[0] += l['covered']; agg[1] += l['count']
    top = rel.split('/')[0] + '/ (all)'
    agg = dirs.setdefault(top, [0, 0])
    agg[0] += l['covered']; agg[1] += l['count']
rows = sorted(dirs.items())
print('%-28s %8s %8s %7s' % ('directory', 'covered', 'lines', 'line %'))
res = {}
for d, (c, n) in rows:
    pct = 100.0 * c / n if n else 0.0
    res[d] = {'covered': c, 'lines': n, 'percent': round(pct, 1)}
    print('%-28s %8d %8d %6.1f%%' % (d, c, n, pct))
json.dump(res, open(os.path.join(out, 'coverage.json'), 'w'), indent=1)
print('coverage: %s, html: %s' % (os.path.join(out, 'coverage.json'), os.path.join(out, 'coverage', 'html', 'index.html')))
EOF
fi
