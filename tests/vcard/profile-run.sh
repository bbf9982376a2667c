#!/bin/sh
# profile-run.sh - run one card test once per card profile
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage (automake's *_LOG_COMPILER of the card suites):
#   profile-run.sh [INTERPRETER ARGS...] TEST
#
# OCA_CARD_PROFILES selects the cards every card flow meets:
#   unset or empty   one run, with OCA_VCARD_PROFILE as set (default:
#                    oca-vcard's default profile, permissive)
#   all              every profile of `oca-vcard --list-profiles`
#   "a b ..."        those profiles (blank or comma separated)
# The runs go OCA_PROFILE_JOBS (default 2) at a time -- the harness
# gives each its own vpcd slot -- and their TAP is merged into one
# stream: "ok N - [PROFILE] description".  A run that bails out or
# exits non-zero is a failure of that profile.  Tests without a card
# say so with a line "# profile-run: no card" and run once; tests with
# cards that are not about a card's behaviour (several cards, the
# protocol) say "# profile-run: once" and run once too (with
# OCA_VCARD_PROFILE as set).
set -u
test=""
for _a in "$@"; do test=$_a; done

profiles=${OCA_CARD_PROFILES:-}
if [ -z "$profiles" ] \
   || grep -Eq '^# profile-run: (no card|once)' "$test" 2>/dev/null
then
  exec "$@"
fi
if [ "$profiles" = all ]; then
  : "${OCA_VCARD:?OCA_VCARD must name oca-vcard}"
  profiles=$("$OCA_VCARD" --list-profiles | awk '{ print $1 }') || exit 99
fi
profiles=$(echo "$profiles" | tr ',' ' ')
jobs=${OCA_PROFILE_JOBS:-2}
# The slow profiles first: a token's timing makes some flows ten times
# as long as on the other cards (t-lifecycle: 40 s against 3 to 5), and
# started last such a run went on alone after all the others.
_slow="" _rest=""
for p in $profiles; do
  case $p in slow*) _slow="$_slow $p" ;; *) _rest="$_rest $p" ;; esac
done
profiles="$_slow $_rest"

dir=$(mktemp -d "${TMPDIR:-/tmp}/oca-profiles.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

# ended: how many runs have ended (each writes its PROFILE.rc last).
ended () {
  set -- "$dir"/*.rc
  if [ -e "$1" ]; then echo $#; else echo 0; fi
}

# Start the runs, at most $jobs at a time: the next one as soon as any
# run ends (not the one started first).
started=0
for p in $profiles; do
  while [ $((started - $(ended))) -ge "$jobs" ]; do
    sleep 0.2
  done
  ( OCA_VCARD_PROFILE=$p; export OCA_VCARD_PROFILE
    "$@" > "$dir/$p.tap" 2> "$dir/$p.err"
    echo $? > "$dir/$p.rc" ) &
  started=$((started + 1))
done
wait

# Merge: renumber the test points, tag them with the profile.
n=0
failed=0
for p in $profiles; do
  rc=$(cat "$dir/$p.rc" 2>/dev/null || echo 99)
  bad=0
  while IFS= read -r line; do
    case $line in
      "ok "*|"not ok "*)
        case $line in "not ok "*) st="not ok"; bad=1 ;; *) st="ok" ;; esac
        rest=${line#"$st "}
        rest=${rest#"${rest%%[!0-9]*}"}
        rest=${rest# }
        rest=${rest#- }
        n=$((n + 1))
        echo "$st $n - [$p] $rest" ;;
      "Bail out!"*)
        n=$((n + 1)); bad=1
        echo "not ok $n - [$p] ${line#Bail out!}" ;;
      1..0*SKIP*)
        n=$((n + 1))
        echo "ok $n - [$p] # SKIP ${line#*SKIP}" ;;
      1..*) ;;
      *) echo "# [$p] $line" ;;
    esac
  done < "$dir/$p.tap"
  if [ "$rc" != 0 ] && [ "$bad" = 0 ]; then
    n=$((n + 1)); bad=1
    echo "not ok $n - [$p] $test exited with status $rc"
  fi
  [ "$bad" = 0 ] || failed=$((failed + 1))
  if [ -s "$dir/$p.err" ]; then
    sed "s/^/[$p] /" "$dir/$p.err" >&2
  fi
done
echo "1..$n"
[ "$failed" = 0 ]
