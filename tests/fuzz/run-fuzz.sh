#!/bin/sh
# run-fuzz.sh - run libFuzzer targets for a bounded time (make fuzz, CI)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: FUZZ_TIME=60 FUZZ_JOBS=2 srcdir=DIR run-fuzz.sh fuzz-NAME...
#
# Runs every target for FUZZ_TIME seconds, FUZZ_JOBS at a time, from
# its seeds (DIR/corpus/NAME, read only) into a scratch corpus
# (fuzz-work/NAME, emptied first).  Any finding fails the run: a
# crash, an ASan report (including a leak), a UBSan report (the tree is
# built with -fno-sanitize-recover), a failed invariant, a timeout
# (FUZZ_TIMEOUT seconds for one input) or running out of memory.  The
# log of a failing target and its reproducer (fuzz-work/NAME.found/)
# are shown; rerun one with ./fuzz-NAME FILE.
set -u
: "${FUZZ_TIME:=60}"
: "${FUZZ_JOBS:=2}"
: "${FUZZ_TIMEOUT:=30}"
: "${srcdir:=.}"
work=fuzz-work
mkdir -p "$work"
# Stop at the first report; LSan at exit and after leaking inputs.
ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS

run_one () {
  t=$1
  name=${t#fuzz-}
  rm -rf "$work/$name" "$work/$name.found"
  mkdir -p "$work/$name" "$work/$name.found"
  "./$t" -max_total_time="$FUZZ_TIME" -timeout="$FUZZ_TIMEOUT" \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$name.found/" \
    "$work/$name" "$srcdir/corpus/$name" > "$work/$name.log" 2>&1
  echo $? > "$work/$name.rc"
}

failed=0
names=""
while [ $# -gt 0 ]; do
  pids=""
  n=0
  while [ $# -gt 0 ] && [ $n -lt "$FUZZ_JOBS" ]; do
    run_one "$1" &
    pids="$pids $!"
    names="$names $1"
    n=$((n + 1))
    shift
  done
  # shellcheck disable=SC2086
  wait $pids
done

for t in $names; do
  name=${t#fuzz-}
  rc=$(cat "$work/$name.rc" 2>/dev/null || echo 99)
  stats=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
  cov=$(grep -E '^#[0-9]+' "$work/$name.log" | tail -1 | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1, ft \2/p')
  if [ "$rc" -eq 0 ] && ! grep -q -E 'ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:' "$work/$name.log"; then
    echo "run-fuzz: $t: ${stats:-?} runs, ${cov:-?}, no finding"
  else
    failed=1
    echo "run-fuzz: $t: FAILED (exit $rc); log $work/$name.log:"
    grep -v -E '^#[0-9]+ +(NEW|REDUCE|pulse)' "$work/$name.log" | tail -60 | sed 's/^/  /'
    for f in "$work/$name.found/"*; do
      [ -f "$f" ] && echo "  reproducer: $f ($(wc -c < "$f") bytes)"
    done
  fi
done
exit $failed
