#!/bin/sh
# t-renew.sh - certification expiry (--validity, the CA's default),
#              `ca renew', the CA key's expiry (`ca init --validity',
#              `ca extend'); gpg and sq-wot agree
# SPDX-License-Identifier: GPL-3.0-or-later
#
# gpg is asked about the future (--faked-system-time), sq-wot under
# faketime: in three days a certification made for one day has
# expired, and its user is no longer valid; `ca renew' certifies again
# (now), and the user is valid then.
. "$srcdir/cli-lib.sh"

SQWOT=$(command -v sq-wot) || { not_ok "sq-wot installed"; tap_done; exit 1; }
FAKETIME=$(command -v faketime) \
  || { not_ok "faketime installed (scripts/deps.sh)"; tap_done; exit 1; }
[ -n "$SQLITE3" ] || skip_all "sqlite3 CLI not found"

DB=$T/ca.db
ocad () { oca -d "$DB" "$@"; }
NOW=$(date +%s)
LATER=$((NOW + 3 * 86400))

check "ca init --validity 400" ocad ca init --domain example.org --algo ed25519 --validity 400 softkey
like "ca init shows the expiration" "$T/out" "^   Expiration: $(date -u -d @$((NOW + 400 * 86400)) +%Y-%m-%d) "
CA=$(ca_fpr "$DB")
CAK=$(keyid "$CA")
CAEXP=$(ocad ca export | gpg_ --with-colons --show-keys 2>/dev/null | awk -F: '$1=="pub"{print $7; exit}')
check "ca show --with-colons" ocad ca show --with-colons
like "the ca record ends with the expiration (as gpg sees it)" "$T/out" \
  "^ca:example.org:$CA:[0-9]+:softkey:[^:]*:$CAEXP:\$"
check "user check expiry: the CA key expires after 30 days" ocad user check expiry
test -s "$T/err"; is "no warning" $? 1
check "user check expiry -d 500: it expires before" ocad user check expiry -d 500
like "warns" "$T/err" "^Warning: the CA key itself expires on $(date -u -d @$((NOW + 400 * 86400)) +%d/%m/%Y) \\(in 400 days\\): extend it with 'oca ca extend'$"
check "user check certifications -- 30 days" ocad user check certifications
test -s "$T/err"; is "no warning there either" $? 1

# Alice: one day (option); Bob: the CA's default of two days; Carol:
# no expiry (option 0 beats the default); Dan: five days.
check "cert-validity: no default yet" ocad ca cert-validity
like "certifications do not expire" "$T/out" "^Certifications do not expire\\.$"
check "user add alice --validity 1" ocad user add -e alice@example.org --validity 1
check "ca cert-validity 2" ocad ca cert-validity 2
like "default is two days" "$T/out" "^Certifications are valid for 2 days\\.$"
BOB=$(gen_gpg_key "$T/bob.asc" "Bob <bob@example.org>")
check "user import bob (default validity)" ocad user import -e bob@example.org -f "$T/bob.asc"
check "user add carol --validity 0" ocad user add -e carol@example.org --validity 0
DAN=$(gen_gpg_key "$T/dan.asc" "Dan <dan@example.org>")
check "user import --domain-emails --validity 5 (dan)" \
  ocad user import --domain-emails --validity 5 -f "$T/dan.asc"

ALICE=$(ocad user list | awk '/^OpenPGP certificate/{f=$3} /alice@/{print f; exit}')
CAROL=$(ocad user list | awk '/^OpenPGP certificate/{f=$3} /carol@/{print f; exit}')

# What gpg sees now and in three days.
gpg_state () {
  rm -rf "$T/g" && mkdir -m 700 "$T/g"
  ocad user export > "$T/all.asc"
  GNUPGHOME=$T/g gpg_ "$@" --import "$T/all.asc" 2>/dev/null
  echo "$CA:6:" | GNUPGHOME=$T/g gpg_ "$@" --import-ownertrust 2>/dev/null
  GNUPGHOME=$T/g gpg_ "$@" --check-trustdb >/dev/null 2>&1
  for f in $ALICE $BOB $CAROL $DAN; do
    GNUPGHOME=$T/g gpg_ "$@" --with-colons --list-keys "$f" 2>/dev/null \
      | awk -F: '$1=="uid"{printf "%s", $2; exit}'
  done
  echo
}
is "gpg now: all four fully valid" "$(gpg_state)" ffff
is "gpg in three days: alice and bob not valid" \
  "$(gpg_state --faked-system-time "$LATER")" "--ff"

# The expiration of each CA certification, as gpg reads it.
sig_exp () {
  GNUPGHOME=$T/g gpg_ --with-colons --check-sigs "$1" 2>/dev/null \
    | awk -F: -v k="$CAK" '$1=="sig" && $5==k {print ($7 == "" ? "" : $7 - $6)}'
}
gpg_state >/dev/null
is "alice's certification: one day" "$(sig_exp "$ALICE")" 86400
is "bob's certification: two days" "$(sig_exp "$BOB")" 172800
is "carol's certification: no expiry" "$(sig_exp "$CAROL")" ""
is "dan's certification: five days" "$(sig_exp "$DAN")" 432000

wot () {
  "$FAKETIME" -f "$1" "$SQWOT" --keyring "$T/all.asc" --trust-root "$CA" \
    lookup --email "$2" >/dev/null 2>&1
}
wot_state () {
  r=""
  for u in alice bob carol dan; do
    if wot "$1" $u@example.org; then r=${r}y; else r=${r}n; fi
  done
  echo "$r"
}
is "sq-wot now: all four" "$(wot_state +0d)" yyyy
is "sq-wot in three days: not alice and bob" "$(wot_state +3d)" nnyy

# Bad input: one line, exit status 2 or 1, the file unchanged.
cp "$DB" "$T/before.db"
bad () {
  _d=$1; shift
  check_fails "$_d" "$@"
  cp "$T/err" "$T/bad.err"
  one_line "$_d: one line" "$T/bad.err"
  check "$_d: database unchanged" cmp "$DB" "$T/before.db"
}
bad "renew --days not above --within" ocad ca renew --days 10 --within 10
like "says why" "$T/bad.err" "^oca: --days \\(10\\) must be greater than --within \\(10\\)"
bad "renew --days x" ocad ca renew --days x
bad "renew --within -1" ocad ca renew --within -1
bad "renew --days 99999" ocad ca renew --days 99999
bad "renew with an argument" ocad ca renew now
bad "renew --batch 0" ocad ca renew --batch 0
like "says the range" "$T/bad.err" "^oca: invalid value '0' for --batch \\(1 to 65536\\)"
bad "renew --batch 65537" ocad ca renew --batch 65537
bad "renew --batch 2x" ocad ca renew --batch 2x
bad "cert-validity 2x" ocad ca cert-validity 2x
bad "user add --validity abc" ocad user add -e erin@example.org --validity abc
bad "user import --validity 1.5" ocad user import -e bob@example.org --validity 1.5 -f "$T/bob.asc"
bad "extend without --days" ocad ca extend
bad "extend to less than now" ocad ca extend --days 10
like "extend: would shorten" "$T/bad.err" "would shorten its life \\(--force\\)$"

# Renew what expires within four days, for thirty: alice, bob and dan
# (five days: not yet); carol's never expires.
check "ca renew --days 30 --within 4" ocad ca renew --days 30 --within 4
like "renewed two" "$T/out" "^Renewed 2 certifications on 2 of 4 certificates \\(valid for 30 days\\)"
is "gpg in three days after the renewal: all valid" \
  "$(gpg_state --faked-system-time "$LATER")" ffff
is "sq-wot in three days after the renewal: all" "$(wot_state +3d)" yyyy
# A progress bar when stderr is a terminal (script(1) gives it one).
cp "$DB" "$T/tty.db"
script -qec "'$OCA' -d '$T/tty.db' ca renew --days 60 --within 45" /dev/null \
  > "$T/tty.out" 2>&1
tr '\r' '\n' < "$T/tty.out" > "$T/tty.lines"
like "progress bar on a terminal" "$T/tty.lines" "^\\[#{40}\\] 4/4"
unlike "no progress bar without one" "$T/err" "\\[#"
check "a second run renews nothing" ocad ca renew --days 30 --within 4
like "nothing renewed" "$T/out" "^Renewed 0 certifications on 0 of 4"
is "two CA certifications on alice's User ID" \
  "$(GNUPGHOME=$T/g gpg_ --with-colons --check-sigs "$ALICE" 2>/dev/null \
     | grep -c "^sig:!:.*:$CAK:")" 2

# --within 6 takes dan; the default --days is the CA's (2): refused,
# not above --within.
check_fails "default days (2) not above --within 6" ocad ca renew --within 6
check "ca renew --within 6 --days 40" ocad ca renew --within 6 --days 40
like "renewed dan only" "$T/out" "^Renewed 1 certification on 1 of 4"

# An inactive certificate is not renewed.
"$SQLITE3" "$DB" "UPDATE certs SET inactive = 1 WHERE fingerprint = '$ALICE'"
check "renew --within 45 skips the inactive one" ocad ca renew --within 45 --days 60
like "bob and dan renewed, alice skipped" "$T/out" "^Renewed 2 certifications on 2 of 4 certificates \\(valid for 60 days\\), skipped 1"

# An expired CA key certifies nothing (oca in 500 days, under
# faketime); extended, it does again.  (An ASan build must not insist
# on coming first in the preload list, and its leak check stays off
# here: LeakSanitizer's stop-the-world at exit aborts under libfaketime
# once oca has started a thread ("The futex facility returned an
# unexpected error code"); the same commands run leak-checked without
# faketime elsewhere in this suite.)
in500 () {
  ASAN_OPTIONS="verify_asan_link_order=0:detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
    "$FAKETIME" -f +500d "$OCA" -d "$T/old.db" "$@"
}
cp "$DB" "$T/old.db"
cp "$T/old.db" "$T/old.before"
check_fails "in 500 days: the CA key has expired" \
  in500 user add -e erin@example.org
one_line "one line" "$T/err"
like "says so" "$T/err" "^oca: the CA key expired on [0-9-]{10}; extend it first \\(oca ca extend\\)$"
check "unchanged" cmp "$T/old.db" "$T/old.before"
check_fails "in 500 days: no renewal either" \
  in500 ca renew --days 30 --within 5
oca -d "$T/other.db" ca init --domain other.org --algo ed25519 softkey >/dev/null 2>&1
oca -d "$T/other.db" ca export > "$T/other-ca.asc"
check_fails "in 500 days: no bridge" \
  in500 bridge new --commit "$T/other-ca.asc"
one_line "one line" "$T/err"
like "the CA key expired" "$T/err" "^oca: the CA key expired on "
check_fails "in 500 days: no re-certification" \
  in500 ca re-certify -p "$T/other-ca.asc"
one_line "one line" "$T/err"
like "the CA key expired" "$T/err" "^oca: the CA key expired on "
check "still unchanged" cmp "$T/old.db" "$T/old.before"
check "in 500 days: user check warns" \
  in500 user check certifications
like "warning: expired" "$T/err" "^Warning: the CA key itself expired on .*: its certifications are no longer valid; extend it with 'oca ca extend'$"
check "in 500 days: ca extend" \
  in500 ca extend --days 365
check "then it certifies" \
  in500 user add -e erin@example.org

# The CA key's expiry: extend it, gpg sees the new date.
check "ca extend --days 800" ocad ca extend --days 800
like "says when" "$T/out" "^The CA key expires on $(date -u -d @$((NOW + 800 * 86400)) +%Y-%m-%d) "
ocad ca export > "$T/ca.asc"
exp=$(gpg_ --with-colons --show-keys "$T/ca.asc" 2>/dev/null | awk -F: '$1=="pub"{print $7}')
test -n "$exp" && [ $((exp - NOW - 800 * 86400)) -lt 100 ] && [ $((exp - NOW - 800 * 86400)) -gt -100 ]
is "gpg: CA key expires in 800 days" $? 0
check "ca extend --days 100 --force (shorter)" ocad ca extend --days 100 --force
check "ca extend --days 0 (never)" ocad ca extend --days 0
like "never" "$T/out" "^The CA key does not expire\\.$"
ocad ca export > "$T/ca.asc"
is "gpg: CA key does not expire" \
  "$(gpg_ --with-colons --show-keys "$T/ca.asc" 2>/dev/null | awk -F: '$1=="pub"{print $7}')" ""
gpg_ --with-colons --show-keys --with-sig-list "$T/ca.asc" > "$T/casigs" 2>/dev/null
is "gpg: one User ID self-signature (old ones replaced)" \
  "$(grep -c "^sig:.*:$CAK:.*:13x:" "$T/casigs")" 1
is "gpg: one direct-key signature" "$(grep -c "^sig:.*:$CAK:.*:1fx:" "$T/casigs")" 1
check "ca show without expiration" ocad ca show
unlike "no expiration line" "$T/out" "Expiration"
check "ca show --with-colons without expiration" ocad ca show --with-colons
like "an empty expiration field" "$T/out" "^ca:example.org:$CA:[0-9]+:softkey:[^:]*::\$"
check "audit after all this" ocad ca audit
tap_done
