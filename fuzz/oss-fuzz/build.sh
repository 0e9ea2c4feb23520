#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzz build of cephwire's fuzz targets (fuzz/*_fuzzer.cc).
# OSS-Fuzz calls this with CC/CXX (clang), CFLAGS/CXXFLAGS (sanitizer + coverage flags),
# LIB_FUZZING_ENGINE, SRC and OUT set; it compiles the sources directly (no Bazel), the same
# libraries the Bazel targets //codec/..., //client:core and //fuzz:fuzz_util/mutate build.
# Local dry run (ASan + libFuzzer with the Debian clang-16):
#   SRC=$PWD/.. OUT=/tmp/oss-out CXX=clang++-16 CC=clang-16 \
#   CXXFLAGS="-O1 -g -fsanitize=address,fuzzer-no-link" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
#   fuzz/oss-fuzz/build.sh
set -o pipefail
cd "${SRC}/cephwire"
mkdir -p "${OUT}"
work="${WORK:-/tmp}/cephwire-oss-build"
rm -rf "${work}"
mkdir -p "${work}/obj"

flags=(-std=c++20 -I. -DCEPHWIRE_FUZZING=1)
# Coverage reports: every input's JSON dump checked (fuzz_util.h check_json_for).
if [ "${SANITIZER:-}" = coverage ]; then flags+=(-DCEPHWIRE_JSON_SAMPLE_EVERY=1); fi

# Library sources: everything the fuzz targets link, minus tests, benchmarks and tools.
srcs=()
for f in codec/*.cc codec/types/*.cc codec/msgr1/*.cc codec/msgr2/*.cc codec/messages/*.cc \
         client/*.cc fuzz/fuzz_util.cc fuzz/mutate.cc; do
  case "$f" in
    *_test.cc|*_bench.cc|*benchmark*.cc|*_main.cc|codec/connection.cc) continue ;;
  esac
  srcs+=("$f")
done

# Compile in parallel ($(nproc) at a time); any failure fails the build.
objs=()
pids=()
jobs_max=$(nproc 2>/dev/null || echo 2)
for f in "${srcs[@]}"; do
  o="${work}/obj/$(echo "$f" | tr '/' '_').o"
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "${flags[@]}" -c "$f" -o "$o" &
  pids+=($!)
  objs+=("$o")
  if [ "${#pids[@]}" -ge "$jobs_max" ]; then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p"; done
ar rcs "${work}/libcephwire.a" "${objs[@]}"

for src in fuzz/*_fuzzer.cc; do
  name=$(basename "$src" .cc)
  base=${name%_fuzzer}
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "${flags[@]}" "$src" "${work}/libcephwire.a" $LIB_FUZZING_ENGINE \
    -lisal -lcrypto -o "${OUT}/${name}"
  [ -f "fuzz/${base}.options" ] && cp "fuzz/${base}.options" "${OUT}/${name}.options"
  [ -f "fuzz/${base}.dict" ] && cp "fuzz/${base}.dict" "${OUT}/${name}.dict"
  if [ -d "corpus/${name}" ]; then
    (cd "corpus/${name}" && find . -type f | zip -q -j "${OUT}/${name}_seed_corpus.zip" -@)
  fi
done
