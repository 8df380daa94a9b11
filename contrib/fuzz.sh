#!/bin/bash
# Build the config.json libFuzzer target with clang (ASan + UBSan) straight
# from the libocispec sources, then fuzz it for a while.
#
#   contrib/fuzz.sh [-t SECONDS] [--build-only]
#
# Run from a build directory (make fuzz does).  Environment:
#   FUZZ_SECONDS  how long to fuzz (default 60; -t overrides)
#   SPEC_DIR      runtime-spec checkout; its schema/test/config files seed the corpus
#   HAKO_SRCDIR   source tree (default: this script's parent)
#   CLANG         compiler (default: clang)
#   FUZZ_ARGS     extra libFuzzer options, e.g. "-max_len=65536"
#   LIBOCISPEC_SOURCES  the library's .c files (default: libocispec/*.c)
# Output under ./tests/fuzz/: fuzz-config, config.dict, corpus/ (grows
# across runs), artifacts/ (crash-*, leak-*, timeout-* inputs).
# Exits 1 when the run found a crash.
set -euo pipefail

srcdir=${HAKO_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
seconds=${FUZZ_SECONDS:-60}
build_only=no
while [ $# -gt 0 ]; do
  case $1 in
    -t) seconds=$2; shift 2 ;;
    --build-only) build_only=yes; shift ;;
    *) echo "usage: $0 [-t SECONDS] [--build-only]" >&2; exit 2 ;;
  esac
done
spec_dir=${SPEC_DIR:-$srcdir/../shared/runtime-spec-v1.3.0}
clang=${CLANG:-clang}
out=tests/fuzz
rm -rf "$out/seeds"
mkdir -p "$out/corpus" "$out/seeds" "$out/artifacts"

command -v "$clang" >/dev/null || { echo "fuzz: $clang not found (apt-get install clang)" >&2; exit 1; }

# The library's C files: make fuzz passes the list from libocispec/local.mk
# (LIBOCISPEC_SOURCES, relative to the source tree); by hand, every .c file.
sources=()
if [ -n "${LIBOCISPEC_SOURCES:-}" ]; then
  for f in $LIBOCISPEC_SOURCES; do sources+=("$srcdir/$f"); done
else
  sources=("$srcdir"/libocispec/*.c)
fi
echo "fuzz: building $out/fuzz-config with $clang"
# shellcheck disable=SC2046
"$clang" -std=gnu17 -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$srcdir/libocispec" $(pkg-config --cflags yajl) \
  "${sources[@]}" "$srcdir/tests/fuzz/fuzz-config.c" \
  $(pkg-config --libs yajl) -o "$out/fuzz-config"
sh "$srcdir/tests/fuzz/make-dict.sh" "$srcdir/libocispec" > "$out/config.dict"
[ "$build_only" = yes ] && exit 0

# Seeds: the spec's example configs, the regression inputs, and every JSON
# document the test suite carries.  Copied flat (named after their path, as
# good/ and bad/ share names) so libFuzzer reads one dir.
[ -d "$spec_dir/schema/test/config" ] || echo "fuzz: warning: no spec at $spec_dir; fewer seeds" >&2
{
  find "$spec_dir/schema/test/config" -type f 2>/dev/null || true
  find "$srcdir/tests/fuzz/regressions" -type f
  find "$srcdir/tests" -name '*.json' -type f -size -64k
} | while read -r f; do
  name=${f#"$srcdir"/}
  name=${name#"$spec_dir"/}
  cp -f "$f" "$out/seeds/$(echo "$name" | tr / _)"
done

before=$(find "$out/artifacts" -type f | wc -l)
echo "fuzz: running for ${seconds}s ($(find "$out/seeds" -type f | wc -l) seeds)"
# shellcheck disable=SC2086
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  "$out/fuzz-config" -max_total_time="$seconds" -dict="$out/config.dict" \
  -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$out/artifacts/" ${FUZZ_ARGS:-} "$out/corpus" "$out/seeds" || true
after=$(find "$out/artifacts" -type f | wc -l)
if [ "$after" -gt "$before" ]; then
  echo "fuzz: FOUND $((after - before)) crashing input(s) in $out/artifacts:" >&2
  ls -l "$out/artifacts" >&2
  exit 1
fi
echo "fuzz: no crashes; corpus has $(find "$out/corpus" -type f | wc -l) inputs"
