#!/bin/sh
# fuzz-campaign.sh - a long, resumable fuzzing campaign over all targets
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: scripts/fuzz-campaign.sh [--dir DIR] [--execs N] [--slice SECONDS]
#                                 [--jobs J] [--par P] [--report]
#                                 [TARGET...]
#
# Runs each libFuzzer target of tests/fuzz (default: all) until it has
# executed N inputs in total (default 10,000,000), in slices of SECONDS
# (default 900), on J workers (default 1; targets are dealt to them
# round robin), P processes per target at once (default 1; they share
# the target's corpus and their executions add up), at the lowest CPU
# priority (SCHED_IDLE; else nice 19).  Everything lives in DIR
# (default $OCA_FUZZ_DIR, else ~/.cache/oca-fuzz), outside the source
# tree:
#
#   DIR/build/            a CC=clang --enable-fuzzing build of this tree
#                         (configured once, rebuilt incrementally)
#   DIR/corpus/NAME/      the growing corpus (seeds: tests/fuzz/corpus)
#   DIR/state/NAME        cumulative executions, seconds, coverage
#   DIR/findings/NAME-*   reproducers; DIR/logs/NAME.log the last slice
#
# Interrupt it any time and run it again: it resumes where the state
# files say (SIGINT to the fuzzers, `pkill -INT -f tests/fuzz/fuzz-',
# keeps the executions of the slice; do not SIGSTOP them: libFuzzer's
# per-input timeout counts wall time, so a pause is reported as a
# timeout).  A target with a finding stops (fix the bug, add the
# reproducer to tests/fuzz/corpus/NAME/regress-*, remove the finding
# and rerun).  --report prints the table doc/fuzzing.md records:
# executions, edges covered (of the instrumented edges in the target),
# features, corpus size, findings.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${OCA_FUZZ_DIR:-$HOME/.cache/oca-fuzz}
execs=10000000
slice=900
jobs=1
par=1
report=0
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --execs) execs=$2; shift 2 ;;
    --slice) slice=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --par) par=$2; shift 2 ;;
    --report) report=1; shift ;;
    -h|--help) sed -n '3,32p' "$0"; exit 0 ;;
    --*) echo "fuzz-campaign: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
case $par in ''|*[!0-9]*|0) echo "fuzz-campaign: --par needs a number >= 1" >&2; exit 2 ;; esac
targets=${*:-armor pgp card scd scd-client db json}
mkdir -p "$dir/corpus" "$dir/state" "$dir/findings" "$dir/logs"

# state NAME: "EXECS SECONDS COV FT EDGES FINDING" (0s when new).
state () {
  if [ -f "$dir/state/$1" ]; then cat "$dir/state/$1"; else echo "0 0 0 0 0 -"; fi
}

do_report () {
  printf '%-11s %12s %8s %14s %9s %8s  %s\n' target executions hours \
    "edges covered" features corpus finding
  for t in $targets; do
    set -- $(state "$t")
    n=$(find "$dir/corpus/$t" -type f 2>/dev/null | wc -l)
    pct=$(awk -v c="$3" -v e="$5" 'BEGIN { if (e > 0) printf "%.1f%%", 100 * c / e; else print "-" }')
    printf '%-11s %12s %8s %14s %9s %8s  %s\n' "$t" "$1" \
      "$(awk -v s="$2" 'BEGIN { printf "%.1f", s / 3600 }')" \
      "$3/$5 $pct" "$4" "$n" "$6"
  done
}
if [ "$report" = 1 ]; then do_report; exit 0; fi

# The fuzzing build.
if [ ! -f "$dir/build/Makefile" ]; then
  [ -x "$top/configure" ] || (cd "$top" && ./autogen.sh)
  mkdir -p "$dir/build"
  (cd "$dir/build" && "$top/configure" CC=clang --enable-fuzzing) \
    > "$dir/logs/configure.log" 2>&1
fi
(cd "$dir/build" && make -j2 && make -C tests/fuzz -j2 \
   $(for t in $targets; do printf 'fuzz-%s ' "$t"; done)) \
  > "$dir/logs/build.log" 2>&1 || { tail -20 "$dir/logs/build.log"; exit 1; }

# The lowest CPU priority: SCHED_IDLE where chrt can set it (a nice 19
# process still took a sixth of the CPU from a benchmark here), else
# nice 19.
if chrt --idle 0 true 2>/dev/null; then idle="chrt --idle 0"; else idle="nice -n 19"; fi

ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:allocator_may_return_null=1"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS UBSAN_OPTIONS

# plog P: the log of process P of the slice ($log, then $log.2 ...).
plog () { if [ "$1" -eq 1 ]; then echo "$log"; else echo "$log.$1"; fi; }

# campaign NAME: slices until EXECS or a finding.
campaign () {
  t=$1
  mkdir -p "$dir/corpus/$t"
  while :; do
    set -- $(state "$t")
    done_execs=$1 secs=$2 finding=$6
    [ "$finding" = - ] || { echo "fuzz-campaign: $t: stopped at finding $finding"; return 0; }
    [ "$done_execs" -lt "$execs" ] || { echo "fuzz-campaign: $t: $done_execs executions, done"; return 0; }
    log="$dir/logs/$t.log"
    start=$(date +%s)
    # P processes, each with its share of what is left; every one
    # writes new inputs to the shared corpus.
    left=$((execs - done_execs))
    share=$(( (left + par - 1) / par ))
    p=1
    while [ "$p" -le "$par" ]; do
      plog=$(plog "$p")
      rm -f "$plog.rc"
      (
        rc=0
        $idle "$dir/build/tests/fuzz/fuzz-$t" -max_total_time="$slice" \
          -runs="$share" -timeout=30 -rss_limit_mb=2048 \
          -print_final_stats=1 -artifact_prefix="$dir/findings/$t-" \
          "$dir/corpus/$t" "$top/tests/fuzz/corpus/$t" > "$plog" 2>&1 || rc=$?
        echo "$rc" > "$plog.rc"
      ) &
      p=$((p + 1))
    done
    wait
    end=$(date +%s)
    n=0 rc=0 p=1 stopped=0
    while [ "$p" -le "$par" ]; do
      plog=$(plog "$p")
      pn=$(sed -n 's/^stat::number_of_executed_units: *//p' "$plog" | tail -1)
      n=$((n + ${pn:-0}))
      prc=$(cat "$plog.rc" 2>/dev/null || echo 1)
      # SIGINT (libFuzzer exits 72 after its final stats): an
      # interruption, not a finding; what ran counts.
      if [ "$prc" -eq 72 ] && grep -q 'libFuzzer: run interrupted' "$plog"; then
        stopped=1 prc=0
      fi
      if [ "$prc" -ne 0 ] && [ "$rc" -eq 0 ]; then
        rc=$prc
        cp "$plog" "$dir/findings/$t-$(date +%Y%m%d%H%M%S).log"
      fi
      p=$((p + 1))
    done
    edges=$(sed -n 's/.*Loaded 1 modules *(\([0-9]*\) inline 8-bit counters.*/\1/p' "$log" | head -1)
    covft=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/\1 \2/p')
    [ -n "$covft" ] || covft="$3 $4"
    finding=-
    if [ "$rc" -ne 0 ]; then
      # The newest reproducer (not a log, not a slow unit: libFuzzer
      # writes those and goes on).
      finding=$(ls -t "$dir/findings/$t-"* 2>/dev/null \
                | grep -v -e '\.log$' -e "/$t-slow-unit-" | head -1)
      finding=${finding:-exit$rc}
    fi
    echo "$((done_execs + ${n:-0})) $((secs + end - start)) $covft ${edges:-$5} $finding" \
      > "$dir/state/$t"
    echo "fuzz-campaign: $t: $((done_execs + ${n:-0})) executions$( [ "$finding" = - ] || echo ", FINDING $finding")"
    [ "$stopped" = 0 ] || { echo "fuzz-campaign: $t: interrupted"; return 0; }
  done
}

# J workers, each running its share of the targets (round robin) one
# after the other.
w=0
while [ "$w" -lt "$jobs" ]; do
  (
    i=0
    for t in $targets; do
      [ $((i % jobs)) -eq "$w" ] && campaign "$t"
      i=$((i + 1))
    done
  ) &
  w=$((w + 1))
done
wait
do_report
