#!/bin/sh
# t-colons.sh - --with-colons listings: ca show, user list, bridge list
#               (the formats of oca(1), COLON LISTINGS; escaping)
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
CA=$(ca_fpr "$DB")

check "ca show --with-colons" oca -d "$DB" ca show --with-colons
is "ca show: one record" "$(grep -c . "$T/out")" 1
created=$(oca -d "$DB" ca export | "$GPG" --with-colons --show-keys 2>/dev/null | awk -F: '$1=="pub"{print $6; exit}')
is "ca show: the record" "$(cat "$T/out")" \
  "ca:example.org:$CA:$created:softkey:OpenPGP CA <openpgp-ca@example.org>::"

# Users: one made here, one imported with a name that needs escaping
# and a User ID the CA does not certify.
check "user add" oca -d "$DB" user add -e alice@example.org -n Alice
ALICE=$(oca -d "$DB" user list | awk '/^OpenPGP certificate/{print $3; exit}')
BOB=$(gen_gpg_key "$T/bob.asc" "Bob <bob@example.org>" "Bob <bob@other.net>")
check "user import (name with a colon and a backslash)" \
  oca -d "$DB" user import -e bob@example.org -n 'Bob: B\ob' -f "$T/bob.asc"
check "user list --with-colons" oca -d "$DB" user list --with-colons
cat > "$T/want" <<EOF
crt:$ALICE:Alice:1::0:1:
uid:Alice <alice@example.org>:
eml:alice@example.org:
crt:$BOB:Bob\\x3a B\\x5cob:0::0:0:
uid:Bob <bob@example.org>:
eml:bob@example.org:
EOF
cp "$T/out" "$T/got"
check "user list: the records" cmp "$T/got" "$T/want"
diff "$T/want" "$T/got" | sed 's/^/# /'
# Every record splits into the same number of fields as its type says.
awk -F: '$1=="crt" && NF!=8 || $1=="uid" && NF!=3 || $1=="eml" && NF!=3 {bad++} END{exit bad}' "$T/out"
is "user list: field counts" $? 0
# Human output unchanged by the option's existence.
check "user list (for humans)" oca -d "$DB" user list
like "user list: human format" "$T/out" "^OpenPGP certificate $ALICE\$"

# A revoked key: REVOKED 1; an expiring key: EXPIRES set.
gpg_gen --passphrase '' --quick-gen-key "Eve <eve@example.org>" ed25519 default 2030-01-01 >/dev/null 2>&1
EVE=$(gpg_gen --with-colons --list-keys "=Eve <eve@example.org>" | awk -F: '$1=="fpr"{print $10; exit}')
gpg_gen --armor --export "$EVE" > "$T/eve.asc"
exp=$(gpg_gen --with-colons --list-keys "$EVE" | awk -F: '$1=="pub"{print $7; exit}')
check "user import eve (expires)" oca -d "$DB" user import -e eve@example.org -f "$T/eve.asc"
check "user list --with-colons (eve)" oca -d "$DB" user list --with-colons
like "eve: expiration as seconds since the epoch" "$T/out" "^crt:$EVE:Eve:0:$exp:0:0:\$"

# user check.
check "user check expiry --with-colons" oca -d "$DB" user check expiry --days 36500 --with-colons
is "user check expiry: eve only" "$(cat "$T/out")" "exp:$EVE:Eve:$exp:"
check "user check expiry --with-colons (30 days: none)" oca -d "$DB" user check expiry --with-colons
is "user check expiry: nothing" "$(cat "$T/out")" ""
check "user check certifications --with-colons" oca -d "$DB" user check certifications --with-colons
printf 'mut:%s:Alice:1:1:\nmut:%s:Bob\\x3a B\\x5cob:1:0:\nmut:%s:Eve:1:0:\n' "$ALICE" "$BOB" "$EVE" > "$T/want"
cp "$T/out" "$T/got"
check "user check certifications: every user" cmp "$T/got" "$T/want"

# Bridges.
check "bridge list --with-colons (none)" oca -d "$DB" bridge list --with-colons
is "bridge list: nothing" "$(cat "$T/out")" ""
check "CA B" oca -d "$T/b.db" ca init --domain beta.example --algo ed25519 softkey
CAB=$(ca_fpr "$T/b.db")
oca -d "$T/b.db" ca export > "$T/b.asc"
check "bridge new" oca -d "$DB" bridge new --commit "$T/b.asc"
check "bridge list --with-colons" oca -d "$DB" bridge list --with-colons
is "bridge list: the record" "$(cat "$T/out")" \
  "bridge:openpgp-ca@beta.example:beta.example:$CAB:1:<[^>]+[@.]beta\\x5c.example>\$:"
check "bridge revoke" oca -d "$DB" bridge revoke -e openpgp-ca@beta.example
check "bridge list --with-colons (revoked)" oca -d "$DB" bridge list --with-colons
like "bridge list: not active" "$T/out" "^bridge:openpgp-ca@beta\\.example:beta\\.example:$CAB:0:"

# Usage: the option is not taken by commands without colon output.
check_fails "ca export --with-colons is refused" oca -d "$DB" ca export --with-colons
like "ca export --with-colons: usage" "$T/err" "unknown option '--with-colons' \\(see 'oca ca export --help'\\)"

tap_done
