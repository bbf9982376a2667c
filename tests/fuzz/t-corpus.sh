#!/bin/sh
# t-corpus.sh - every fuzz target runs its seed corpus without a finding
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Each fuzz-NAME runs once on every file of corpus/NAME (the seeds and
# the regression inputs of fixed bugs).  In a plain build the programs
# are replay drivers (replay.c); in a --enable-fuzzing build they are
# the libFuzzer targets, which run files given on the command line
# once.  A crash, sanitizer report or failed invariant aborts the
# program: the check fails and shows its output.
. "$srcdir/../lib.sh"

for t in $FUZZ_TARGETS; do
  d="$srcdir/corpus/${t#fuzz-}"
  n=$(find "$d" -type f | wc -l)
  if [ "$n" -lt 2 ]; then
    not_ok "$t: seed corpus $d has $n files"
    continue
  fi
  # shellcheck disable=SC2046
  check "$t: $n inputs of corpus/${t#fuzz-}" \
    "./$t" $(find "$d" -type f | LC_ALL=C sort)
done
tap_done
