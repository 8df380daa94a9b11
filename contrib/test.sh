#!/bin/bash
# Run everything CI runs: install dependencies, build with -Werror and run
# make check, again with ASan + UBSan, make distcheck, make install into a
# scratch DESTDIR, and a short fuzzing smoke run when clang is there.
#
#   contrib/test.sh [--no-setup] [--quick]
#     --no-setup  do not run contrib/setup.sh (dependencies already there)
#     --quick     only the -Werror build and its make check
#
# Build directories: build-ci/werror and build-ci/asan in the source tree
# (BUILD_ROOT overrides); each make check run is stopped after CHECK_TIMEOUT
# seconds (default 1200).  The runtime-spec checkout is expected at
# ../shared/runtime-spec-v1.3.0 (SPEC_DIR overrides).
#
# The last line is "N passed, N failed, N skipped": the TAP results of every
# make check run (XFAIL counts as passed; FAIL, ERROR and XPASS as failed),
# plus one failure for each step outside the test suites that failed.
# Exit status 0 only when nothing failed.
set -uo pipefail
exec </dev/null

srcdir=$(cd "$(dirname "$0")/.." && pwd)
build_root=${BUILD_ROOT:-$srcdir/build-ci}
spec_dir=${SPEC_DIR:-$srcdir/../shared/runtime-spec-v1.3.0}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
setup=yes quick=no
for arg in "$@"; do
  case $arg in
    --no-setup) setup=no ;;
    --quick) quick=yes ;;
    *) echo "usage: $0 [--no-setup] [--quick]" >&2; exit 2 ;;
  esac
done

passed=0 failed=0 skipped=0
failed_steps=()
logs=$build_root/logs
start=$(date +%s)

# step NAME CMD...: run CMD, log its output, record a failure.
step () {
  local name=$1 t0 rc
  shift
  t0=$(date +%s)
  echo "=== $name"
  "$@" 2>&1 | tee "$logs/$name.log"
  rc=${PIPESTATUS[0]}
  echo "=== $name: $([ "$rc" -eq 0 ] && echo ok || echo "FAILED ($rc)") in $(($(date +%s) - t0))s"
  [ "$rc" -eq 0 ] || failed_steps+=("$name")
  return "$rc"
}

# count_tests LOG: add the automake test-suite summary in LOG to the totals.
count_tests () {
  local p f s
  read -r p f s < <(awk '
    /^# (PASS|XFAIL): /       { p += $3 }
    /^# (FAIL|ERROR|XPASS): / { f += $3 }
    /^# SKIP: /               { s += $3 }
    END { print p + 0, f + 0, s + 0 }' "$1")
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  [ $((p + f + s)) -gt 0 ] || echo "warning: no test summary in $1" >&2
}

# check_in DIR NAME: make check in DIR; print the failing tests' logs.
check_in () {
  local dir=$1 name=$2
  # A hung test must not hold CI forever (bats tests also time out singly).
  if ! step "$name" timeout -k 30 "${CHECK_TIMEOUT:-1200}" make -C "$dir" -j"$jobs" check; then
    echo "--- $dir/test-suite.log"
    cat "$dir/test-suite.log" 2>/dev/null
  fi
  count_tests "$logs/$name.log"
}

build_in () {
  local dir=$1 name=$2
  shift 2
  mkdir -p "$dir"
  (cd "$dir" && step "configure-$name" "$srcdir/configure" --with-spec-dir="$spec_dir" "$@") \
    || { failed_steps+=("configure-$name"); return 1; }
  step "build-$name" make -C "$dir" -j"$jobs"
}

# quiet LOG CMD...: run CMD with its output in LOG; show only the last lines.
quiet () {
  local log=$1 rc
  shift
  "$@" >"$log" 2>&1
  rc=$?
  tail -n 5 "$log"
  return "$rc"
}

# report_failures LOG...: name every failing test of the make check runs in
# LOG and show its "not ok" lines, so the end of CI's output says what broke.
report_failures () {
  local log dir t
  for log in "$@"; do
    [ -f "$log" ] || continue
    dir=$(sed -n 's/^make: Entering directory .\(.*\).$/\1/p' "$log" | head -n 1)
    grep -E '^(FAIL|ERROR|XPASS): ' "$log" | awk '{ print $2 }' | sort -u | while read -r t; do
      echo "--- $(basename "$log" .log): $t"
      # automake's log of tests/x.bats or x.sh is tests/x.log.
      grep -h -A 12 -E '^(not ok|Bail out)' "$dir/${t%.*}.log" "$dir/$t.log" 2>/dev/null | head -n 60
    done
  done
}

install_check () {
  local dest
  dest=$(mktemp -d)
  make -C "$build_root/werror" install DESTDIR="$dest" || return 1
  ls -lR "$dest"
  "$dest/usr/local/bin/hako" --version || return 1
  test -s "$dest/usr/local/share/man/man8/hako.8" || { echo "man page not installed"; return 1; }
  rm -rf "$dest"
}

rm -rf "$build_root"
mkdir -p "$logs"
cd "$srcdir" || exit 1

if [ "$setup" = yes ]; then
  step setup bash contrib/setup.sh || true
fi
[ -d "$spec_dir" ] || echo "warning: no runtime-spec at $spec_dir; schema tests will fail" >&2

if step autogen ./autogen.sh; then
  build_in "$build_root/werror" werror --enable-werror && check_in "$build_root/werror" check-werror
  if [ "$quick" = no ]; then
    build_in "$build_root/asan" asan --enable-asan --enable-werror \
      && check_in "$build_root/asan" check-asan
    if [ -f "$build_root/werror/Makefile" ]; then
      step distcheck timeout -k 30 "${CHECK_TIMEOUT:-1200}" make -C "$build_root/werror" distcheck \
        DISTCHECK_CONFIGURE_FLAGS=--enable-werror
      count_tests "$logs/distcheck.log"
      step install install_check
      if command -v clang >/dev/null; then
        # libFuzzer prints thousands of lines: keep them in the log only.
        step fuzz-smoke quiet "$logs/fuzz-smoke.full.log" \
          make -C "$build_root/werror" fuzz FUZZ_SECONDS=20
      else
        echo "=== fuzz-smoke: skipped, clang not installed"
      fi
    fi
  fi
fi

# Failures of make check are already in the TAP counts; count the others.
for s in "${failed_steps[@]}"; do
  case $s in check-*) ;; *) failed=$((failed + 1)) ;; esac
done
echo
if [ "$failed" -gt 0 ]; then
  echo "=== failing tests"
  report_failures "$logs"/check-*.log "$logs/distcheck.log"
fi
echo "total time: $(($(date +%s) - start))s"
[ ${#failed_steps[@]} -eq 0 ] || echo "failed steps: ${failed_steps[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ ${#failed_steps[@]} -eq 0 ]
