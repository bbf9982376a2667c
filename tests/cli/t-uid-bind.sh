#!/bin/sh
# t-uid-bind.sh - User IDs without a valid self-signature are refused
# with a warning (nothing stored); identical User IDs are certified once
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Keys are made by our OpenPGP code (t-pgp-tool gen-uids), which can
# leave a User ID without a self-signature, with a broken one, or
# revoked, and repeat a User ID.
. "$srcdir/cli-lib.sh"

TOOL=${PGPTOOL:-$abs_top_builddir/src/pgp/t-pgp-tool}
[ -x "$TOOL" ] || { not_ok "t-pgp-tool built ($TOOL)"; tap_done; exit 1; }
[ -n "$SQLITE3" ] || skip_all "sqlite3 not found"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
CA=$(ca_fpr "$DB")
CAK=$(keyid "$CA")
ncerts () { "$SQLITE3" "$DB" "select count(*) from certifications where target_fpr='$1' and kind='certification'"; }

# unbound NAME KIND SPEC...: the only User ID with the address is not
# bound (KIND, the reason): exit 1, one warning naming it, one error,
# nothing stored.
unbound () {
  _n=$1 _why=$2; shift 2
  _f=$("$TOOL" gen-uids ed25519 "$T/$_n.asc" "$@")
  cp "$DB" "$T/before.db"
  check_fails "$_n: import fails" oca -d "$DB" user import -e "$_n@example.org" -f "$T/$_n.asc"
  is "$_n: two lines (warning, error)" "$(grep -c . "$T/err")" 2
  like "$_n: warning names the User ID" "$T/err" \
    "^Warning: not certifying User ID '[^']*<$_n@example.org>' of $_f: $_why$"
  like "$_n: error" "$T/err" "^oca: no User ID of $_f can be certified; the key was not imported$"
  check "$_n: database unchanged" cmp "$DB" "$T/before.db"
}
unbound nora "no valid self-signature binds it to the key" \
  "nosig:1:Nora <nora@example.org>"
unbound bert "no valid self-signature binds it to the key" \
  "badsig:1:Bert <bert@example.org>" "bound:1:Bert <bert@other.example>"
unbound rita "revoked by its owner" "revoked:1:Rita <rita@example.org>"
check "user list: nothing stored" oca -d "$DB" user list
is "user list: empty" "$(grep -c . "$T/out")" 0

# The same in a bulk import: the key is counted as refused.
cat "$T/nora.asc" "$T/bert.asc" > "$T/ring.asc"
check_fails "bulk: keys with only unbound domain User IDs" \
  oca -d "$DB" user import --domain-emails -f "$T/ring.asc"
is "bulk: two warnings and the error" "$(grep -c . "$T/err")" 3
like "bulk: error counts refused keys" "$T/err" \
  "^oca: none of the 2 keys has a User ID in domain 'example.org' that can be certified \\(2 refused\\)$"
DK=$("$TOOL" gen-uids ed25519 "$T/dan.asc" "bound:1:Dan <dan@example.org>")
cat "$T/ring.asc" "$T/dan.asc" > "$T/ring2.asc"
check "bulk: with one good key" oca -d "$DB" user import --domain-emails -f "$T/ring2.asc"
like "bulk: summary" "$T/out" "^Imported 1 of 3 keys \\(1 new, 0 updated\\), made 1 certifications, skipped 0, refused 2\\.$"
is "bulk: two warnings" "$(grep -c '^Warning: not certifying' "$T/err")" 2

# An unbound copy of a User ID that is also bound: certified, no warning.
EK=$("$TOOL" gen-uids ed25519 "$T/eve.asc" "nosig:1:Eve <eve@example.org>" \
       "bound:1:Eve <eve@example.org>")
check "unbound copy + bound copy: import" oca -d "$DB" user import -e eve@example.org -f "$T/eve.asc"
is "unbound copy + bound copy: no warning" "$(grep -c . "$T/err")" 0
is "unbound copy + bound copy: one certification" "$(ncerts "$EK")" 1

# The stored name comes only from bound User IDs.
FK=$("$TOOL" gen-uids ed25519 "$T/fay.asc" "bound:1:<fay@example.org>" \
       "nosig:1:Fake Name")
check "name: import" oca -d "$DB" user import -e fay@example.org -f "$T/fay.asc"
check "name: user list" oca -d "$DB" user list
awk -v f="$FK" '/^OpenPGP certificate/{p=($3==f)} p' "$T/out" > "$T/fay.list"
unlike "name: the unbound User ID's name is not stored" "$T/fay.list" "Fake Name"
GK=$("$TOOL" gen-uids ed25519 "$T/gus.asc" "bound:1:Gus <gus@example.org>" \
       "nosig:1:Other Name")
check "name: import (one bound name)" oca -d "$DB" user import -e gus@example.org -f "$T/gus.asc"
check "name: user list" oca -d "$DB" user list
awk -v f="$GK" '/^OpenPGP certificate/{p=($3==f)} p' "$T/out" > "$T/gus.list"
like "name: the bound User ID's name is stored" "$T/gus.list" "^ User 'Gus'$"

# Identical User IDs: one certification per distinct User ID.
HK=$("$TOOL" gen-uids ed25519 "$T/hal.asc" "bound:4000:Hal <hal@example.org>")
check "4000 copies: import" oca -d "$DB" user import -e hal@example.org -f "$T/hal.asc"
is "4000 copies: one certification recorded" "$(ncerts "$HK")" 1
check "4000 copies: export" oca -d "$DB" user export -e hal@example.org
cp "$T/out" "$T/hal-out.asc"
is "4000 copies: one CA signature in the export" \
  "$("$GPG" --list-packets "$T/hal-out.asc" 2>/dev/null | grep -c "keyid $CAK")" 1
IK=$("$TOOL" gen-uids ed25519 "$T/ida.asc" "bound:3:Ida <ida@example.org>" \
       "bound:2:Ida <ida2@example.org>" "bound:1:Ida <ida@example.org>" \
       "bound:2:Ida <ida@other.example>")
check "copies of two User IDs: import" \
  oca -d "$DB" user import -e ida@example.org -e ida2@example.org -f "$T/ida.asc"
is "copies of two User IDs: two certifications" "$(ncerts "$IK")" 2
JK=$("$TOOL" gen-uids ed25519 "$T/jo.asc" "bound:50:Jo <jo@example.org>")
check "bulk: 50 copies" oca -d "$DB" user import --domain-emails -f "$T/jo.asc"
like "bulk: 50 copies: one certification" "$T/out" "made 1 certifications"
is "bulk: 50 copies: one recorded" "$(ncerts "$JK")" 1

# gpg (which merges copies) sees each of them certified, once.
oca -d "$DB" user export > "$T/all.asc"
gpg_ --import "$T/all.asc" 2>/dev/null
for k in "$HK" "$IK" "$JK" "$EK"; do sig_lines "$k"; done > "$T/sigs"
is "gpg: five User IDs certified once each" "$(grep -c "|!|$CAK|10x$" "$T/sigs")" 5
is "gpg: no bad CA signature" "$(grep "|$CAK|" "$T/sigs" | grep -vc '|!|')" 0

tap_done
