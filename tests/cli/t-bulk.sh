#!/bin/sh
# t-bulk.sh - user import --domain-emails on a keyring
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
CAK=$(keyid "$(ca_fpr "$DB")")

: > "$T/ring.asc"
K1=$(gen_gpg_key "$T/k1.asc" "One <one@example.org>" "One <one@other.example>")
K2=$(gen_gpg_key "$T/k2.asc" "Two <two@example.org>" "Two Alt <TWO.ALT@Example.org>")
K3=$(gen_gpg_key "$T/k3.asc" "Three <three@other.example>")
K4=$(gen_gpg_key "$T/k4.asc" "Four <four@sub.example.org>" "Four <four@example.org>")
K5=$(gen_gpg_key "$T/k5.asc" "Five <five@example.org.evil.example>")
cat "$T/k1.asc" "$T/k2.asc" "$T/k3.asc" "$T/k4.asc" "$T/k5.asc" > "$T/ring.asc"

check "bulk import" oca -d "$DB" user import --domain-emails -f "$T/ring.asc"
cp "$T/err" "$T/bulk.err"
is "two keys reported on stderr" "$(grep -c . "$T/bulk.err")" 2
like "K3 reported" "$T/bulk.err" "^Skipped $K3: no User ID with an email in domain 'example.org'$"
like "K5 reported" "$T/bulk.err" "^Skipped $K5: "
unlike "no progress bar without a terminal" "$T/bulk.err" '\['
like "summary" "$T/out" 'Imported 3 of 5 keys \(3 new, 0 updated\), made 4 certifications, skipped 2, refused 0\.'

check "user export" oca -d "$DB" user export
cp "$T/out" "$T/in.asc"; check "gpg imports" gpg_ --import "$T/in.asc"
for k in "$K1" "$K2" "$K3" "$K4" "$K5"; do sig_lines "$k"; done > "$T/sigs"
like "one@example.org certified" "$T/sigs" "^One <one@example.org>\|!\|$CAK\|10x$"
unlike "one@other.example not certified" "$T/sigs" "^One <one@other.example>\|.*\|$CAK\|"
like "two@example.org certified" "$T/sigs" "^Two <two@example.org>\|!\|$CAK\|10x$"
like "TWO.ALT@Example.org certified" "$T/sigs" "^Two Alt <TWO.ALT@Example.org>\|!\|$CAK\|10x$"
like "four@example.org certified" "$T/sigs" "^Four <four@example.org>\|!\|$CAK\|10x$"
unlike "four@sub.example.org not certified (subdomain)" "$T/sigs" "^Four <four@sub.example.org>\|.*\|$CAK\|"
is "exactly four CA certifications" "$(grep -c "|$CAK|" "$T/sigs")" 4
gpg_ --list-keys "$K3" >/dev/null 2>&1
is "skipped key K3 not exported" $? 2

check "user list" oca -d "$DB" user list
is "three certificates listed" "$(grep -c '^OpenPGP certificate' "$T/out")" 3

# Re-running is idempotent: nothing new, database content unchanged.
if [ -n "$SQLITE3" ]; then
  "$SQLITE3" "$DB" "select count(*) from certifications" > "$T/n1"
fi
check "bulk import again" oca -d "$DB" user import --domain-emails -f "$T/ring.asc"
like "again: no new certifications" "$T/out" 'made 0 certifications'
if [ -n "$SQLITE3" ]; then
  "$SQLITE3" "$DB" "select count(*) from certifications" > "$T/n2"
  check "again: audit table unchanged" cmp "$T/n1" "$T/n2"
  is "audit: four certifications" "$(cat "$T/n1")" 4
fi

# A keyring with an already known key that gained a domain user ID.
gpg_gen --passphrase '' --quick-add-uid "$K1" "One More <one.more@example.org>" >/dev/null 2>&1
gpg_gen --armor --export "$K1" > "$T/k1b.asc"
check "bulk import of an updated key" oca -d "$DB" user import --domain-emails -f "$T/k1b.asc"
like "updated key: one new certification" "$T/out" '\(0 new, 1 updated\), made 1 certifications'

# Many keys, signing on several threads: a keyring of 40 keys (one
# gpg key exported with different user IDs is not different keys, so
# generate them).
: > "$T/many.asc"
i=0
while [ $i -lt 40 ]; do
  gen_gpg_key "$T/m$i.asc" "M$i <m$i@example.org>" >/dev/null
  cat "$T/m$i.asc" >> "$T/many.asc"
  i=$((i+1))
done
check "bulk import of 40 keys" oca -d "$DB" user import --domain-emails -f "$T/many.asc"
like "40 keys certified" "$T/out" 'Imported 40 of 40 keys \(40 new, 0 updated\), made 40 certifications, skipped 0, refused 0\.'
check "user export" oca -d "$DB" user export
cp "$T/out" "$T/in.asc"; check "gpg imports" gpg_ --import "$T/in.asc"
gpg_ --with-colons --check-sigs 2>/dev/null | awk -F: -v k="$CAK" '$1=="sig" && $5==k && $11=="10x" {print $2}' | sort | uniq -c > "$T/all"
like "all 45 CA certifications good in gpg" "$T/all" '^ *45 !$'
is "no bad CA certification" "$(grep -vc ' !$' "$T/all")" 0

# A signature that names the CA as issuer but does not verify is not a
# certification by the CA: the CA certifies anew.  Forge one by
# certifying with the CA, then flipping the last byte of that
# signature: the one before the first subkey packet, or the last byte
# of the file when there is no subkey.
cp "$DB" "$T/before.db"
KF=$(gen_gpg_key "$T/kf.asc" "Forged <forged@example.org>")
check "certify KF" oca -d "$DB" user import --domain-emails -f "$T/kf.asc"
check "export KF" oca -d "$DB" user export --email forged@example.org
gpg_ --dearmor < "$T/out" > "$T/kf-good.pgp"
off=$(gpg_ --list-packets "$T/kf-good.pgp" 2>/dev/null |
      awk '/^# off=/ && / tag=14 / {sub(/^# off=/, ""); print $1; exit}')
[ -n "$off" ] || off=$(wc -c < "$T/kf-good.pgp")
cp "$T/kf-good.pgp" "$T/kf-forged.pgp"
b=$(od -An -tu1 -j $((off - 1)) -N1 "$T/kf-good.pgp" | tr -d ' ')
printf "$(printf '\\%03o' $(( (b + 1) % 256 )))" |
  dd of="$T/kf-forged.pgp" bs=1 seek=$((off - 1)) conv=notrunc 2>/dev/null
gpg_ --import "$T/kf-forged.pgp" 2>/dev/null
sig_lines "$KF" > "$T/fsigs"
like "forged: gpg sees a bad CA signature" "$T/fsigs" "^Forged <forged@example.org>\\|-\\|$CAK\\|10x$"
check "bulk import of the forged key" oca -d "$T/before.db" user import --domain-emails -f "$T/kf-forged.pgp"
like "forged: certified anew" "$T/out" 'made 1 certifications'
check "export forged key" oca -d "$T/before.db" user export --email forged@example.org
cp "$T/out" "$T/kf-new.asc"
gpg_ --import "$T/kf-new.asc" 2>/dev/null
sig_lines "$KF" > "$T/fsigs2"
like "forged: a good CA certification now" "$T/fsigs2" "^Forged <forged@example.org>\\|!\\|$CAK\\|10x$"

# Progress bar when stderr is a terminal (script(1) gives a pty).
if command -v script >/dev/null 2>&1; then
  gen_gpg_key "$T/p.asc" "P <p@example.org>" >/dev/null
  script -qec "'$OCA' -d '$DB' user import --domain-emails -f '$T/p.asc'" /dev/null > "$T/tty" 2>&1
  like "progress bar on a terminal" "$T/tty" '\[#+\] 1/1'
fi

tap_done
