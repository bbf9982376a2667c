#!/bin/sh
# t-svc.sh - the CA as an Assuan service: oca --server and oca --daemon
# SPDX-License-Identifier: GPL-3.0-or-later
#
# GnuPG's gpg-connect-agent drives every command on the daemon's socket
# and on a pipe; what the service stores and hands out is checked with
# gpg and against the command line's output.  Also: the socket's
# directory, a socket already in use, the certification policy, errors
# that leave the session going, and a card CA whose key needs a touch
# (the card route to t-scd-vcard, oca-scd's handler over a virtual
# card).
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"
[ -n "$GPG_CONNECT_AGENT" ] || skip_all "gpg-connect-agent not found"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
CAK=$(keyid "$(ca_fpr "$DB")")
A=$(gen_gpg_key "$T/alice.asc" "Alice <alice@example.org>")
B=$(gen_gpg_key "$T/bob.asc" "Bob <bob@other.example>")

# --- The daemon and its socket --------------------------------------------
mkdir -m 755 "$T/open"
check_fails "a socket directory others may enter is refused" \
  oca -d "$DB" --daemon --socket "$T/open/S.oca"
like "said so" "$T/err" "socket directory '$T/open' must be yours and mode 0700"
one_line "in one line" "$T/err"
check_fails "no CA: refused at start" oca -d "$T/none.db" --daemon \
  --socket "$T/run/S.oca"
[ ! -e "$T/run/S.oca" ]; is "no socket made" $? 0

S="$T/run/S.oca"
check "daemon starts" svc_start "$T/d.log" "$DB" --socket "$S"
is "socket directory made, mode 0700" "$(stat -c %a "$T/run")" 700
[ -S "$S" ]; is "socket there" $? 0
check_fails "a second daemon on the same socket is refused" \
  oca -d "$DB" --daemon --socket "$S"
like "said so" "$T/err" "another server listens on '$S'"

check "GETINFO" gca "$S" 'GETINFO version' 'GETINFO pid' 'GETINFO socket_name' /bye
is "version, pid, socket" "$(grep '^D ' "$T/out" | tr '\n' '|')" \
  "D $("$OCA" --version | awk '{print $2}')|D $(svc_pid "$T/d.log")|D $S|"

# --- CERTIFY ---------------------------------------------------------------
check "CERTIFY" gca "$S" "/definqfile KEYBLOCK $T/alice.asc" \
  "/datafile $T/alice-cert.asc" 'CERTIFY --email alice@example.org' /bye
like "the User ID certified" "$T/out" "^S CERTIFIED $A Alice\+<alice@example.org>$"
like "stored" "$T/out" "^S IMPORTED $A 1$"
like "OK" "$T/out" "^OK$"
oca -d "$DB" ca export > "$T/ca-cert.asc"
check "gpg imports the CA" gpg_ --import "$T/ca-cert.asc"
check "gpg imports the certificate handed out" gpg_ --import "$T/alice-cert.asc"
like "with the CA's certification" /dev/stdin "^Alice <alice@example.org>\|!\|$CAK\|10x$" <<EOF2
$(sig_lines "$A")
EOF2
check "user list" oca -d "$DB" user list
like "the command line sees it" "$T/out" "^OpenPGP certificate $A$"

check "CERTIFY again" gca "$S" "/definqfile KEYBLOCK $T/alice.asc" \
  'CERTIFY --email alice@example.org' 'NOP' /bye
like "a known key: ERR" "$T/out" "^ERR [0-9]+ Duplicated key .* To update it"
like "the session goes on" "$T/out" "^OK$"

# The policy: the CA's domain only by default.
check "CERTIFY another domain" gca "$S" "/definqfile KEYBLOCK $T/bob.asc" \
  'CERTIFY --email bob@other.example' /bye
like "forbidden" "$T/out" "^ERR [0-9]+ Forbidden .*may not certify 'bob@other.example'"
unlike "before the key was asked for" "$T/out" "^INQUIRE"
# No User ID for the address: nothing stored.
check "CERTIFY without a matching User ID" gca "$S" \
  "/definqfile KEYBLOCK $T/bob.asc" 'CERTIFY --email bob@example.org' /bye
like "unmatched" "$T/out" "^S UNMATCHED $B bob@example.org$"
like "refused" "$T/out" "^ERR [0-9]+ Not found .*the key was not imported"

# --- Reading ---------------------------------------------------------------
check "LISTUSERS" gca "$S" LISTUSERS /bye
like "the user" "$T/out" "^S USER $A 0 0 0 0 Alice$"
like "its address" "$T/out" "^S USER_EMAIL $A alice@example.org$"
like "its certified User ID" "$T/out" "^S USER_UID $A Alice\+<alice@example.org>$"
is "one user" "$(grep -c '^S USER ' "$T/out")" 1
check "SHOWUSER by fingerprint" gca "$S" "SHOWUSER $A" /bye
like "found" "$T/out" "^S USER $A "
check "SHOWUSER by address" gca "$S" "SHOWUSER Alice@Example.org" /bye
like "found" "$T/out" "^S USER $A "
check "SHOWUSER unknown" gca "$S" "SHOWUSER $B" /bye
like "not found" "$T/out" "^ERR [0-9]+ Not found"
check "EXPORT" gca "$S" "/datafile $T/export.asc" EXPORT /bye
oca -d "$DB" user export > "$T/cli-export.asc"
check "the same as 'user export'" cmp "$T/cli-export.asc" "$T/export.asc"
check "EXPORT --ca" gca "$S" "/datafile $T/ca.asc" 'EXPORT --ca' /bye
check "the same as 'ca export'" cmp "$T/ca-cert.asc" "$T/ca.asc"
check "CAINFO" gca "$S" CAINFO /bye
like "the CA" "$T/out" "^S CA [0-9A-F]{40} [0-9]+ softkey example.org$"
like "its User ID" "$T/out" "^S CA_UID OpenPGP\+CA\+<openpgp-ca@example.org>$"

# --- ADDUSER and UPDATE ----------------------------------------------------
check "ADDUSER" gca "$S" "/datafile $T/carol.key" \
  'ADDUSER --email carol@example.org --name Carol+Doe' /bye
C=$(sed -n 's/^S NEWUSER //p' "$T/out")
PASS=$(sed -n 's/^S PASSPHRASE //p' "$T/out" | sed 's/+/ /g')
[ -n "$C" ] && [ -n "$PASS" ]; is "a new key and its passphrase" $? 0
check "gpg imports the key with the passphrase" \
  gpg_ --passphrase "$PASS" --import "$T/carol.key"
check "a secret key" gpg_ --list-secret-keys "$C"
check "user list" oca -d "$DB" user list
like "Carol stored" "$T/out" "^ User 'Carol Doe'$"
like "and trust-signed the CA" "$T/out" "Has trust-signed this CA"

gpg_gen --passphrase '' --quick-add-uid "$A" "Alice <alice.doe@example.org>" >/dev/null 2>&1
gpg_gen --armor --export "$A" > "$T/alice2.asc"
check "UPDATE" gca "$S" "/definqfile KEYBLOCK $T/alice2.asc" UPDATE /bye
like "packets added" "$T/out" "^S UPDATED $A [1-9][0-9]*$"
check "UPDATE again" gca "$S" "/definqfile KEYBLOCK $T/alice2.asc" UPDATE /bye
like "nothing new" "$T/out" "^S UPDATED $A 0$"
oca -d "$DB" user export > "$T/export2.asc"
check "gpg imports it" gpg_ --import "$T/export2.asc"
like "the new User ID stored" /dev/stdin "^Alice <alice.doe@example.org>\|" <<EOF2
$(sig_lines "$A")
EOF2

# --- CHECK and BRIDGES --------------------------------------------------------
gpg_gen --passphrase '' --quick-gen-key "Gina <gina@example.org>" ed25519 default 10d >/dev/null 2>&1
G=$(gpg_gen --with-colons --list-keys gina@example.org | awk -F: '$1=="fpr"{print $10; exit}')
gpg_gen --armor --export "$G" > "$T/gina.asc"
check "CERTIFY a key expiring in 10 days" gca "$S" \
  "/definqfile KEYBLOCK $T/gina.asc" 'CERTIFY --email gina@example.org' /bye
check "CHECK expiry" gca "$S" 'CHECK expiry --days 30' 'CHECK expiry --days 5' /bye
like "expiring within 30 days" "$T/out" "^S EXPIRING $G [0-9]+ Gina$"
is "only that one, not within 5" "$(grep -c '^S EXPIRING' "$T/out")" 1
check "CHECK certifications" gca "$S" 'CHECK certifications' /bye
like "Alice: certified, no trust signature" "$T/out" "^S NOT_MUTUAL $A 1 0 Alice$"
unlike "Carol (ADDUSER) certifies the CA" "$T/out" "^S NOT_MUTUAL $C "
like "counted" "$T/out" "^S CHECKED [0-9]+ [0-9]+$"
check "bad checks" gca "$S" 'CHECK' 'CHECK frob' 'CHECK certifications --days 3' /bye
is "three errors" "$(grep -c '^ERR [0-9]* Invalid value' "$T/out")" 3
check "BRIDGES: none" gca "$S" BRIDGES /bye
unlike "no bridge" "$T/out" "^S BRIDGE"
check "another CA" oca -d "$T/beta.db" ca init --domain beta.example --algo ed25519 softkey
oca -d "$T/beta.db" ca export > "$T/beta.asc"
check "bridge new --commit" oca -d "$DB" bridge new --commit "$T/beta.asc"
check "BRIDGES" gca "$S" BRIDGES /bye
like "the bridge" "$T/out" "^S BRIDGE openpgp-ca@beta.example beta.example [0-9A-F]{40} 1$"

# --- Bad requests: an ERR each, the session goes on -------------------------
check "bad requests" gca "$S" 'CERTIFY --bogus' 'CERTIFY' \
  'CERTIFY --email not-an-address' 'ADDUSER --email x@example.org --algo dsa' \
  'SHOWUSER' 'LISTUSERS extra' 'FROB' 'GETINFO nothing' \
  "/definqfile KEYBLOCK $T/d.log" 'UPDATE' NOP /bye
like "unknown option" "$T/out" "^ERR [0-9]+ Unknown option .*'--bogus'"
like "no address" "$T/out" "^ERR [0-9]+ .*at least one --email is required"
like "bad address" "$T/out" "^ERR [0-9]+ .*invalid email address 'not-an-address'"
like "bad algorithm" "$T/out" "^ERR [0-9]+ .*unknown algorithm 'dsa'"
like "SHOWUSER needs an argument" "$T/out" "^ERR [0-9]+ .*a fingerprint"
like "no arguments for LISTUSERS" "$T/out" "^ERR [0-9]+ .*takes no arguments"
like "unknown command" "$T/out" "^ERR [0-9]+ Unknown IPC command"
like "GETINFO: unknown" "$T/out" "^ERR [0-9]+ .*unknown value for WHAT"
like "not a key" "$T/out" "^ERR [0-9]+ .*the key block: "
is "nine errors, then NOP's OK" "$(grep -c '^ERR' "$T/out")|$(tail -1 "$T/out")" "9|OK"

# --- The pipe server and the policy options -----------------------------------
check "--server: GETINFO" gca_pipe "-d $DB" 'GETINFO version' 'GETINFO socket_name' /bye
like "version" "$T/out" "^D [0-9]"
like "no socket on a pipe" "$T/out" "^ERR [0-9]+ .*not serving a socket"
check "--server --certify-domain other.example" \
  gca_pipe "-d $DB --certify-domain other.example" \
  "/definqfile KEYBLOCK $T/bob.asc" 'CERTIFY --email bob@other.example' \
  'ADDUSER --email dave@example.org' /bye
like "the other domain certified" "$T/out" "^S IMPORTED $B 1$"
like "the CA's own no longer" "$T/out" "^ERR [0-9]+ Forbidden .*'dave@example.org'"
check "--server --certify-email" gca_pipe "-d $DB --certify-email eve@example.org" \
  'ADDUSER --email eve@example.org' 'ADDUSER --email frank@example.org' /bye
like "that address" "$T/out" "^S NEWUSER [0-9A-F]{40}$"
like "no other" "$T/out" "^ERR [0-9]+ Forbidden .*'frank@example.org'"
check_fails "--socket is a daemon option" oca -d "$DB" --server --socket x
like "usage" "$T/err" "see 'oca --server --help'"
check_fails "a bad --certify-domain" oca -d "$DB" --server --certify-domain 'a..b'
check_fails "an unknown --allow-user" oca -d "$DB" --server --allow-user no-such-user-x

unlike "no session crashed" "$T/d.log" "signal|abort|Assertion|Sanitizer|runtime error"

# --- KILLSERVER --------------------------------------------------------------
PID=$(svc_pid "$T/d.log")
check "KILLSERVER" gca "$S" KILLSERVER /bye
i=0; while kill -0 "$PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
kill -0 "$PID" 2>/dev/null; is "the daemon is gone" $? 1
[ ! -e "$S" ]; is "its socket removed" $? 0

# A socket left by a killed daemon is taken over.
check "daemon again" svc_start "$T/d2.log" "$DB" --socket "$S"
kill -9 "$(svc_pid "$T/d2.log")"
sleep 0.2
check "after a kill -9: the stale socket is replaced" svc_start "$T/d3.log" "$DB" --socket "$S"
check "and served" gca "$S" NOP /bye

# --- A card CA whose key needs a touch: no automated certification --------
OCA_SCD_PROGRAM="$abs_top_builddir/src/ca/t-scd-vcard"
T_VCARD_CARDS="$T/card1"
export OCA_SCD_PROGRAM T_VCARD_CARDS
[ -x "$OCA_SCD_PROGRAM" ] || skip_all "t-scd-vcard not built"
CDB="$T/card.db"
check "a card CA" oca -d "$CDB" ca init --domain example.org --algo nistp256 card --yes
check "touch on for certifications" oca -d "$CDB" card touch --key AUT --policy on
check "CERTIFY" gca_pipe "-d $CDB" "/definqfile KEYBLOCK $T/alice.asc" \
  'CERTIFY --email alice@example.org' /bye
like "refused" "$T/out" "^ERR [0-9]+ Conditions of use not satisfied .*card FFFE:0000A001 needs a touch for certifications"
check "touch off" oca -d "$CDB" card touch --key AUT --policy off
check "CERTIFY" gca_pipe "-d $CDB" "/definqfile KEYBLOCK $T/alice.asc" \
  'CERTIFY --email alice@example.org' /bye
like "certified on the card" "$T/out" "^S IMPORTED $A 1$"

tap_done
