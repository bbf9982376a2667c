#!/bin/sh
# t-uid.sh - crafted User IDs: the CA certifies a User ID only when
# GnuPG and Sequoia find the same single address in it, and then gpg and
# sq-wot authenticate exactly that address and no other
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every row is one key with one User ID (made by our OpenPGP code, so
# NUL and invalid UTF-8 are possible; the self-signature is always
# good, so only the User ID rule decides).  The key is imported with
# `user import -e ASK' into one CA and, all keys in one keyring, with
# `user import --domain-emails' into another.  Columns:
#   ID     row number (the addresses carry it, so no two rows share one)
#   ASK    the -e address (\xNN escapes)
#   E      -e result: C certified; R refused (warning naming the User
#          ID, nothing stored, exit 1); N no User ID matches (exit 1, no
#          refusal); X the -e address itself is invalid (usage error)
#   D      --domain-emails result: C certified; R refused (warning,
#          counted as refused); S skipped (not in the domain)
#   MEANT  the address a certification must authenticate (rows with C)
#   DECOYS addresses that must not be authenticated
#   UID    the User ID (\xNN escapes)
# For each CA, gpg (CA ultimately trusted) and sq-wot must authenticate
# MEANT for a certified key (gpg by '<MEANT>' and by the substring
# MEANT, validity per User ID from --with-colons; sq-wot lookup
# --email), and, for every row, none of the DECOYS; a key that is not
# certified must not be in the CA's export at all.
. "$srcdir/cli-lib.sh"

TOOL=${PGPTOOL:-$abs_top_builddir/src/pgp/t-pgp-tool}
[ -x "$TOOL" ] || { not_ok "t-pgp-tool built ($TOOL)"; tap_done; exit 1; }
SQWOT=$(command -v sq-wot) || { not_ok "sq-wot installed"; tap_done; exit 1; }

cat > "$T/table" <<'EOF'
01|u01@example.org|C|C|u01@example.org|ceo01@example.org|Carol <u01@example.org>
02|u02@example.org|C|C|u02@example.org||<u02@example.org>
03|u03@example.org|C|C|u03@example.org||u03@example.org
04|u04@example.org|C|C|u04@example.org||Carol (Sales) <u04@example.org>
05|u05@example.org|C|C|u05@example.org||"Smith, Carol" <u05@example.org>
06|u06@example.org|C|C|u06@example.org||Carol <u06@EXAMPLE.ORG>
07|U07@Example.ORG|C|C|u07@example.org||Carol <U07@Example.Org>
08|u08@example.org|C|C|u08@example.org||Bj\xc3\xb6rn \xc3\x9cnsal <u08@example.org>
09|u09@example.org|C|C|u09@example.org||   Carol   <u09@example.org>
10|u10@example.org|C|C|u10@example.org||Carol<u10@example.org>
11|u11@example.org|C|C|u11@example.org||u11@example.org <u11@example.org>
12|u.12+tag@example.org|C|C|u.12+tag@example.org|u.12@example.org|Carol <u.12+tag@example.org>
13|u13@sub.example.org|C|S|u13@sub.example.org|u13@example.org|Carol <u13@sub.example.org>
14|u14@xn--exmple-cua.org|C|S|u14@xn--exmple-cua.org|u14@example.org|Carol <u14@xn--exmple-cua.org>
15|u15@example.org|C|C|u15@example.org||Carol (x) (y) <u15@example.org>
16|u16@example.org|R|R||ceo16@example.org u16@example.org|Mallory <ceo16@example.org> <u16@example.org>
17|c17@example.org|R|R||m17@evil.example c17@example.org|Mallory <m17@evil.example> <c17@example.org>
18|u18@example.org|R|R||u18@example.org|Mallory <u18@example.org> trailing
19|u19@example.org|R|R||u19@example.org|Mallory <u19@example.org>\x20
20|u20@example.org|R|R||u20@example.org|Mallory <u20@example.org>>
21|u21@example.org|R|R||u21@example.org|Mallory <<u21@example.org>
22|u22@example.org|R|R||ceo22@example.org u22@example.org|Mallory (<ceo22@example.org>) <u22@example.org>
23|u23@example.org|R|R||ceo23@example.org u23@example.org|"Mallory <ceo23@example.org>" <u23@example.org>
24|u24@example.org|R|R||ceo24@example.org u24@example.org|ceo24@example.org <u24@example.org>
25|u25@example.org|R|R||ceo25@example.org u25@example.org|Carol (ceo25@example.org) <u25@example.org>
26|u26@example.org|R|R||u26@example.org|Carol\x00 <u26@example.org>
27|u27@example.org|R|R||u27@example.org ceo27@example.org|<u27@example.org>\x00<ceo27@example.org>
28|u28@example.org|R|R||u28@example.org|Carol\x1b[2J <u28@example.org>
29|u29@example.org|R|R||u29@example.org|Carol\x09Tab <u29@example.org>
30|u30@example.org|R|R||u30@example.org|Carol\x0a <u30@example.org>
31|u31@example.org|R|R||u31@example.org|Carol \xc3\x28 <u31@example.org>
32|u32@example.org|R|R||u32@example.org|Carol \xc2\x9b <u32@example.org>
33|u33@example.org|R|R||u33@example.org|Carol \xe2\x80\xae <u33@example.org>
34|u34@example.org|N|S||u34@example.org|Carol <u34@ex\xd0\xb0mple.org>
35|u35@xn--exmple-cua.org|N|S||u35@xn--exmple-cua.org u35@example.org|Carol <u35@ex\xc3\xa4mple.org>
36|d\xc3\xb6rte36@example.org|X|R||d\xc3\xb6rte36@example.org|D\xc3\xb6rte <d\xc3\xb6rte36@example.org>
37|u37@example.org|N|R||u37@example.org|Carol <u37\xef\xbc\xa0example.org>
38|u38@example.org|R|R||ceo38@example.org u38@example.org|ceo38\xef\xbc\xa0example.org <u38@example.org>
39|u39@example.org|R|R||u39@example.org|Carol <u39@example.org\xe2\x80\x8b>
40|u40@example.org|N|R||u40@example.org|Carol <"u40"@example.org>
41|u41@example.org|N|R||u41@example.org|Carol <u41(x)@example.org>
42|u42@example.org|R|R||u42@example.org|Carol <u42@example.org.>
43|u43@example.org|N|S||u43@example.org|Carol <u43@example..org>
44|u44@example.org|R|R||u44@example.org|Carol <mailto:u44@example.org>
45|u45@example.org|R|R||u45@example.org|Carol <u45@example.org
46|u46@example.org|R|R||u46@example.org|Carol u46@example.org>
47|u47@example.org|R|R||u47@example.org|<u47@example.org> Carol
48|u48@example.org|R|R||u48@example.org|u48@example.org (Carol)
49|u49@example.org|N|S||u49@example.org|Carol <u49@example.org.evil.example>
50|u50@example.org|N|S||u50@example.org|Carol <u50@examp1e.org>
51|u51@example.org|R|R||u51@example.org|Carol <u51@example.org> <u51@example.org>
52|u52@example.org|R|R||u52@example.org|Carol <u52@example.org>(note)
53|u53@example.org|R|R||u53@example.org ceo53@example.org|Carol \xef\xbc\x9cceo53@example.org\xef\xbc\x9e <u53@example.org>
54|u54@example.org|N|S||u54@example.org|Carol <u54@ex_ample.org>
55|u55@example.org|R|R||u55@example.org|Carol \x7f <u55@example.org>
56|u56@example.org|R|R||u56@example.org|Carol <u56@example.org>\x0d
EOF
is "table has at least 30 rows" "$(test "$(grep -c . "$T/table")" -ge 30 && echo yes)" yes

DBE="$T/e.db"
DBD="$T/d.db"
check "ca init (for -e)" oca -d "$DBE" ca init --domain example.org --algo ed25519 softkey
check "ca init (for --domain-emails)" oca -d "$DBD" ca init --domain Example.org --algo ed25519 softkey
CAE=$(ca_fpr "$DBE")
CAD=$(ca_fpr "$DBD")

# No raw control byte and valid UTF-8 in FILE (messages are escaped).
clean_text () {
  ! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$1" &&
    ! tr -d '\n' < "$1" | LC_ALL=C grep -q "$(printf '\033')" &&
    iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
}

: > "$T/ring.asc"
: > "$T/rows"
while IFS='|' read -r id ask e d meant decoys uid; do
  fpr=$("$TOOL" gen-uids ed25519 "$T/k$id.asc" "bound:1:$uid") || {
    not_ok "row $id: key made"; continue; }
  echo "$id|$fpr|$e|$d|$meant|$decoys" >> "$T/rows"
  cat "$T/k$id.asc" >> "$T/ring.asc"
  askb=$("$TOOL" unescape "$ask")
  rc=0
  oca -d "$DBE" user import -e "$askb" -f "$T/k$id.asc" >"$T/out" 2>"$T/err" || rc=$?
  case $e in
    C) test $rc -eq 0 && ! test -s "$T/err"
       is "row $id -e: certified, no message" $? 0 ;;
    R) test $rc -eq 1 &&
         grep -q "^Warning: not certifying User ID '.*' of $fpr: " "$T/err" &&
         grep -q "^oca: no User ID of $fpr can be certified; the key was not imported$" "$T/err"
       is "row $id -e: refused with a warning, exit 1" $? 0
       clean_text "$T/err"; is "row $id -e: message escaped" $? 0 ;;
    N) test $rc -eq 1 && ! grep -q "not certifying" "$T/err" &&
         grep -q "^Warning: Couldn't find a User ID to certify for" "$T/err" &&
         grep -q "^oca: no User ID of $fpr can be certified" "$T/err"
       is "row $id -e: no matching User ID, exit 1" $? 0 ;;
    X) test $rc -eq 1 && grep -q "^oca: invalid email address" "$T/err"
       is "row $id -e: the address is refused" $? 0 ;;
  esac
done < "$T/table"

# The same keys in one keyring, --domain-emails.
nC=$(awk -F'|' '$4=="C"' "$T/table" | wc -l)
nR=$(awk -F'|' '$4=="R"' "$T/table" | wc -l)
nS=$(awk -F'|' '$4=="S"' "$T/table" | wc -l)
nK=$(grep -c . "$T/table")
check "bulk import of all rows" oca -d "$DBD" user import --domain-emails -f "$T/ring.asc"
cp "$T/err" "$T/bulk.err"
like "bulk: summary counts certified, skipped and refused keys" "$T/out" \
  "^Imported $nC of $nK keys \\($nC new, 0 updated\\), made $nC certifications, skipped $nS, refused $nR\\.$"
clean_text "$T/bulk.err"; is "bulk: messages escaped" $? 0
while IFS='|' read -r id fpr e d meant decoys; do
  w=$(grep -c "^Warning: not certifying User ID '.*' of $fpr: " "$T/bulk.err")
  s=$(grep -c "^Skipped $fpr: " "$T/bulk.err")
  case $d in
    C) is "row $id bulk: certified, no message" "$w$s" 00 ;;
    R) is "row $id bulk: one refusal, not skipped" "$w$s" 10 ;;
    S) is "row $id bulk: skipped" "$w$s" 01 ;;
  esac
done < "$T/rows"

# gpg_valid HOME QUERY: fingerprints gpg finds for QUERY with a fully
# or ultimately valid User ID.
gpg_valid () {
  GNUPGHOME=$1 gpg_ --with-colons --list-keys -- "$2" 2>/dev/null |
    awk -F: '$1=="pub"{f=""} $1=="fpr"&&f==""{f=$10} $1=="uid"&&($2=="f"||$2=="u"){print f}' |
    sort -u | tr '\n' ' '
}

# authenticate TAG DB CA COLUMN: gpg and sq-wot see exactly what the CA
# DB certified.
authenticate () {
  tag=$1 db=$2 ca=$3 col=$4 home="$T/g$1"
  mkdir -m 700 "$home"
  at_exit "GNUPGHOME='$home' '$GPGCONF' --kill all"
  oca -d "$db" user export > "$T/$tag-all.asc"
  oca -d "$db" ca export > "$T/$tag-ca.asc"
  GNUPGHOME=$home gpg_ --import "$T/$tag-all.asc" 2>/dev/null
  echo "$ca:6:" | GNUPGHOME=$home gpg_ --import-ownertrust 2>/dev/null
  GNUPGHOME=$home gpg_ --check-trustdb >/dev/null 2>&1
  GNUPGHOME=$home gpg_ --with-colons --list-keys > "$T/$tag-keys" 2>/dev/null
  while IFS='|' read -r id fpr e d meant decoys; do
    [ "$col" = e ] && r=$e || r=$d
    if [ "$r" != C ]; then
      ! grep -q "^fpr:::::::::$fpr:" "$T/$tag-keys"
      is "$tag row $id: not certified, not exported" $? 0
    else
      sigs=$(GNUPGHOME=$home gpg_ --with-colons --check-sigs "$fpr" 2>/dev/null |
               awk -F: -v k="$(keyid "$ca")" '$1=="sig"&&$5==k&&$2=="!"' | wc -l)
      is "$tag row $id: one good CA certification" "$sigs" 1
      is "$tag row $id: gpg '<$meant>' valid" "$(gpg_valid "$home" "<$meant>")" "$fpr "
      is "$tag row $id: gpg '$meant' valid" "$(gpg_valid "$home" "$meant")" "$fpr "
      "$SQWOT" --keyring "$T/$tag-ca.asc" --keyring "$T/$tag-all.asc" \
        --trust-root "$ca" lookup --email "$meant" > "$T/wot" 2>&1
      test $? -eq 0 && grep -q "$fpr" "$T/wot"
      is "$tag row $id: sq-wot authenticates $meant" $? 0
    fi
    for x in $decoys; do
      xb=$("$TOOL" unescape "$x")
      is "$tag row $id: gpg: '<$x>' not valid" "$(gpg_valid "$home" "<$xb>")" ""
      is "$tag row $id: gpg: '$x' not valid" "$(gpg_valid "$home" "$xb")" ""
      ! "$SQWOT" --keyring "$T/$tag-ca.asc" --keyring "$T/$tag-all.asc" \
        --trust-root "$ca" lookup --email "$xb" >/dev/null 2>&1
      is "$tag row $id: sq-wot: $x not authenticated" $? 0
    done
  done < "$T/rows"
}

authenticate e "$DBE" "$CAE" e
authenticate d "$DBD" "$CAD" d

# The other entry points use the same rule: -e of user add and user
# export, --name of user add and user import.
for a in 'ceo@example.org <x@example.org>' 'x@ex\xc3\xa4mple.org' \
         'd\xc3\xb6rte@example.org' 'x@example.org ' 'x@localhost' 'x@@example.org'; do
  ab=$("$TOOL" unescape "$a")
  check_fails "user add -e '$a' refused" oca -d "$DBE" user add -e "$ab"
  like "user add -e '$a': says why" "$T/err" "^oca: invalid email address '.*': "
  check_fails "user export -e '$a' refused" oca -d "$DBE" user export -e "$ab"
  like "user export -e '$a': says why" "$T/err" "^oca: invalid email address"
done
for n in 'ceo@example.org' 'A <b>' 'Esc\x1b[2J' 'Tab\x09' 'Bad \xc3\x28' ''; do
  nb=$("$TOOL" unescape "$n")
  check_fails "user add --name '$n' refused" oca -d "$DBE" user add -e new@example.org -n "$nb"
  like "user add --name '$n': usage error" "$T/err" "invalid name"
  clean_text "$T/err"; is "user add --name '$n': message escaped" $? 0
  check_fails "user import --name '$n' refused" \
    oca -d "$DBE" user import -e u01@example.org -n "$nb" -f "$T/k01.asc"
  like "user import --name '$n': usage error" "$T/err" "invalid name"
done
# The CA's own name (ca init --name) follows the same rule: its User ID
# must bind exactly openpgp-ca@DOMAIN; nothing is created otherwise.
for n in 'ceo@example.org' 'A <b>' 'Esc\x1b[2J' 'Tab\x09' 'Bad \xc3\x28' ''; do
  nb=$("$TOOL" unescape "$n")
  check_fails "ca init --name '$n' refused" \
    oca -d "$T/name.db" ca init --domain example.org --name "$nb" softkey
  like "ca init --name '$n': usage error" "$T/err" "invalid name"
  clean_text "$T/err"; is "ca init --name '$n': message escaped" $? 0
  [ ! -e "$T/name.db" ] && ok "ca init --name '$n': no database" \
    || { not_ok "ca init --name '$n': no database"; rm -f "$T/name.db"; }
done
nb=$("$TOOL" unescape 'Bj\xc3\xb6rn CA')
check "ca init with a good non-ASCII name" \
  oca -d "$T/name.db" ca init --domain example.org --name "$nb" --algo ed25519 softkey
oca -d "$T/name.db" ca export > "$T/caname.asc"
mkdir -p -m 700 "$T/gh-name"
GNUPGHOME="$T/gh-name" "$GPG" --batch --with-colons --show-keys "$T/caname.asc" > "$T/out" 2>&1
like "gpg: the CA's User ID" "$T/out" "^uid:.*:$nb <openpgp-ca@example.org>:"

nb=$("$TOOL" unescape 'Bj\xc3\xb6rn New')
check "user add with a good name and an upper-case address" \
  oca -d "$DBE" user add -e New@Example.ORG -n "$nb"
check "user list" oca -d "$DBE" user list
like "user list: the new user ID, lower case" "$T/out" "^ - '$nb <new@example.org>'$"

# user list escapes what it prints (a name stored by an older version).
if [ -n "$SQLITE3" ]; then
  "$SQLITE3" "$DBE" "update users set name = 'Evil' || char(27) || '[2J' where name like 'Bj%'"
  check "user list with a control character in a stored name" oca -d "$DBE" user list
  like "user list: name escaped" "$T/out" "^ User 'Evil\\\\x1b\\[2J'$"
  clean_text "$T/out"; is "user list: no raw control bytes" $? 0
fi

tap_done
