#!/bin/sh
# t-svc-peer.sh - who may use the CA service: SO_PEERCRED, --allow-user
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The service runs as root under systemd's socket activation
# (systemd-socket-activate: the daemon on a listening socket, and
# `oca --server' per connection, inetd style), on a socket in a
# directory others may enter; clients run as root and, through setpriv,
# as nobody.  Only the owner and the users of --allow-user get a
# session; a refused peer gets ERR (EACCES) and is logged.
. "$srcdir/cli-lib.sh"
[ -n "$GPG_CONNECT_AGENT" ] || skip_all "gpg-connect-agent not found"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (to connect as another user)"
for p in setpriv systemd-socket-activate perl; do
  command -v $p >/dev/null || skip_all "$p not found"
done
NOBODY=$(id -u nobody) || skip_all "no user nobody"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
A=$(gen_gpg_key "$T/alice.asc" "Alice <alice@example.org>")
# A directory others may enter (the test's own is private), and a home
# for nobody's gpg-connect-agent.
P=$(mktemp -d /tmp/oca-svc-peer.XXXXXX) || exit 99
at_exit "rm -rf '$P'"
chmod 755 "$P"
mkdir "$P/home"
cp "$T/alice.asc" "$P/alice.asc"
chown -R nobody "$P/home" "$P/alice.asc"
as_nobody () {
  setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
    env HOME="$P/home" GNUPGHOME="$P/home" "$@"
}
# greeting SOCKET: the first line the server sends to nobody.
greeting () {
  as_nobody perl -MIO::Socket::UNIX -e \
    '$s = IO::Socket::UNIX->new (Peer => $ARGV[0]) or die "connect: $!";
     print scalar <$s>' "$1"
}
# activate LOG SOCKET ARGS...: systemd-socket-activate on SOCKET
# (mode 0666) running ARGS; its pid in $APID.
activate () {
  _l=$1; _s=$2; shift 2
  systemd-socket-activate "$@" > "$_l" 2>&1 &
  APID=$!
  at_exit "kill $APID"
  _i=0
  until [ -S "$_s" ] || [ $_i -ge 50 ]; do sleep 0.1; _i=$((_i+1)); done
  chmod 666 "$_s"
}

# --- oca --daemon on the activated socket ------------------------------------
S="$P/S.oca"
activate "$T/a.log" "$S" -l "$S" "$OCA" -d "$DB" --daemon
check "root, the owner: served" gca "$S" 'GETINFO socket_name' /bye
like "on the socket systemd made" "$T/out" "^D $S$"
check "nobody is refused" greeting "$S"
like "with ERR EACCES" "$T/out" "^ERR [0-9]+ Permission denied$"
like_soon "and logged" "$T/a.log" "connection refused: peer uid $NOBODY \(pid [0-9]+\) is not allowed"
check "KILLSERVER" gca "$S" KILLSERVER /bye
wait $APID
is "the daemon (and systemd-socket-activate) ended" $? 0

S="$P/S2.oca"
activate "$T/a2.log" "$S" -l "$S" "$OCA" -d "$DB" --daemon --allow-user nobody
check "--allow-user nobody: nobody is served" as_nobody \
  "$GPG_CONNECT_AGENT" --no-autostart -S "$S" \
  "/definqfile KEYBLOCK $P/alice.asc" 'CERTIFY --email alice@example.org' /bye
like "and certifies" "$T/out" "^S IMPORTED $A 1$"
check "root too" gca "$S" 'GETINFO version' /bye
check "KILLSERVER" gca "$S" KILLSERVER /bye
wait $APID

# --- oca --server per connection (inetd style) -------------------------------
S="$P/S3.oca"
activate "$T/a3.log" "$S" -a --inetd -l "$S" "$OCA" -d "$DB" --server
check "root: served" gca "$S" 'GETINFO version' /bye
like "version" "$T/out" "^D [0-9]"
check "nobody is refused" greeting "$S"
like "with ERR EACCES" "$T/out" "^ERR [0-9]+ Permission denied$"
like_soon "and said so" "$T/a3.log" "oca: the peer of the socket on stdin is not allowed"

tap_done
