#!/bin/sh
# check.sh - set up a fresh Debian 12 machine and run oca's test suites
# SPDX-License-Identifier: GPL-3.0-or-later
#
# 1. installs the dependencies (scripts/deps.sh),
# 2. builds with -Werror and runs `make check` with every card flow on
#    every card profile of oca-vcard (OCA_CARD_PROFILES=all: YubiKey 5,
#    YubiKey NEO, Gnuk, SmartPGP, OpenPGP card 2.x, a slow token, the
#    permissive default; tests/vcard/profile-run.sh),
# 3. builds the libFuzzer targets with clang and runs each for 30 s,
#    two at a time (`make fuzz`; any crash, leak or UBSan report fails;
#    the long runs are scripts/fuzz-campaign.sh's),
# 4. runs `make distcheck` with ASan/UBSan: the suites again, from the
#    release tarball, in a sanitizer build, but for the card flows of
#    tests/card, which step 2 ran on every profile (configure
#    --disable-card-checks), and the two scale tests that measure time
#    and memory, which the sanitizers change (tests/cli/Makefile.am).
# The whole run must stay within CI's 30 minutes (about 25 on a
# 2-core machine; step 2 takes the most, 16 minutes).
# Card tests need a pcscd; the harness starts one if none runs (root).
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
sh scripts/deps.sh
./autogen.sh
jobs=$(nproc 2>/dev/null || echo 2)
# Every suite must really run: a test that would skip fails instead.
OCA_NO_SKIP=1
export OCA_NO_SKIP

rm -rf _build && mkdir _build && cd _build
../configure --enable-werror
make -j"$jobs"
# The card profile matrix: only in this pass (about 10 minutes on two
# cores); each test runs its profiles two at a time.
OCA_CARD_PROFILES=all make -j"$jobs" check
# One closing line over every suite (automake writes a test-suite.log
# per folder): the count of TAP results, as CI reads it.
find . -name test-suite.log -exec cat {} + | awk '
  /^# PASS:/  { pass += $3 }
  /^# SKIP:/  { skip += $3 }
  /^# (FAIL|XPASS|ERROR):/ { fail += $3 }
  END { printf "check: %d passed, %d failed, %d skipped\n", pass, fail, skip }'
echo "check.sh: make check passed"

if [ "${OCA_SKIP_FUZZ:-}" != 1 ]; then
  cd "$top"
  rm -rf _build-fuzz && mkdir _build-fuzz && cd _build-fuzz
  ../configure CC=clang --enable-fuzzing --enable-werror
  make -j"$jobs"
  make fuzz FUZZ_TIME="${OCA_FUZZ_TIME:-30}" FUZZ_JOBS=2
  echo "check.sh: make fuzz passed"
  cd "$top/_build"
fi

if [ "${OCA_SKIP_SANITIZERS:-}" != 1 ]; then
  make -j"$jobs" distcheck \
    DISTCHECK_CONFIGURE_FLAGS="--enable-werror --enable-sanitizers --disable-card-checks"
  echo "check.sh: make distcheck with sanitizers passed"
fi
cd "$top"
