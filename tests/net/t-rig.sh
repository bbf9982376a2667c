#!/bin/sh
# t-rig.sh - the rig itself: two tests using it at the same time get
# their own addresses, ports and servers; everything they started is gone
# after they exit (normally or killed by SIGTERM); stale reservations are
# taken over, live ones are not.
# SPDX-License-Identifier: GPL-3.0-or-later

. "$srcdir/../lib.sh"
. "$srcdir/net-lib.sh"
net_setup web hkp

# A child test script: brings the whole rig up, reports, waits for the
# file $1/go (or a signal), exits.
cat > "$T/child.sh" <<'EOF'
. "$srcdir/../lib.sh"
. "$srcdir/net-lib.sh"
net_setup web hkp
mkdir -p "$T/www"
echo hello > "$T/www/index"
net_web_site openpgpkey.example.org "$T/www" || exit 1
net_http_status plain 204 || exit 1
net_sks_start || exit 1
net_gnupghome "$T/home" || exit 1
dm=$("$GPG_CONNECT_AGENT" --homedir "$T/home" --dirmngr 'GETINFO pid' /bye \
     | awk '$1 == "D" { print $2 }')
echo "$NET_ADDR $NET_HKP_PORT $(net_http_url plain) $_net_web_pid $_net_sks_pid $dm $T" \
  > "$1/info.new"
mv "$1/info.new" "$1/info"
while [ ! -f "$1/go" ]; do sleep 0.1; done
exit 0
EOF

# start_child DIR: run the child in the background, wait for its report.
start_child () {
  mkdir -p "$1"
  srcdir=$srcdir top_builddir=$top_builddir \
    sh "$T/child.sh" "$1" >"$1/log" 2>&1 &
  echo $! > "$1/pid"
  _n=0
  while [ ! -f "$1/info" ] && [ $_n -lt 300 ]; do
    kill -0 "$(cat "$1/pid")" 2>/dev/null || break
    sleep 0.1; _n=$((_n + 1))
  done
  [ -f "$1/info" ]
}

check "child A brings the rig up" start_child "$T/a"
check "child B brings the rig up at the same time" start_child "$T/b"
read -r A_ADDR A_PORT A_URL A_WEB A_SKS A_DM A_T < "$T/a/info"
read -r B_ADDR B_PORT B_URL B_WEB B_SKS B_DM B_T < "$T/b/info"
diag "A: $A_ADDR hkp $A_PORT $A_URL; B: $B_ADDR hkp $B_PORT $B_URL"
check "different web addresses" test "$A_ADDR" != "$B_ADDR"
check "different keyserver ports" test "$A_PORT" != "$B_PORT"
check "different plain HTTP ports" test "$A_URL" != "$B_URL"
for c in A B; do
  eval "addr=\$${c}_ADDR port=\$${c}_PORT url=\$${c}_URL"
  check "$c: its HTTPS site answers with its file" \
    sh -c "'$NET_CURL' -sf --cacert '$(eval echo "\$${c}_T")/net/pki/ca.pem' \
      --resolve openpgpkey.example.org:443:$addr \
      https://openpgpkey.example.org/index | grep -qx hello"
  check "$c: its sks answers" \
    "$NET_CURL" -sf -o /dev/null "http://127.0.0.1:$port/pks/lookup?op=stats"
  is "$c: its plain HTTP server answers 204" \
    "$("$NET_CURL" -s -o /dev/null -w '%{http_code}' "$url/")" 204
done

# A ends normally, B is killed with SIGTERM.
touch "$T/a/go"
wait "$(cat "$T/a/pid")"
is "child A exits 0" "$?" 0
kill -TERM "$(cat "$T/b/pid")"
wait "$(cat "$T/b/pid")"
is "child B exits on SIGTERM (130)" "$?" 130

# gone PID: the process ends (or is a zombie) within 5 s.
gone () {
  _n=0
  while ! _net_gone "$1"; do
    [ $_n -lt 50 ] || return 1
    sleep 0.1; _n=$((_n + 1))
  done
}
for c in A B; do
  eval "addr=\$${c}_ADDR port=\$${c}_PORT web=\$${c}_WEB sks=\$${c}_SKS dm=\$${c}_DM t=\$${c}_T"
  check "$c: nginx is gone" gone "$web"
  check "$c: sks is gone" gone "$sks"
  check "$c: its dirmngr is gone" gone "$dm"
  check "$c: its address reservation is released" test ! -e "$NET_LOCKDIR/addr-$addr"
  check "$c: its port reservation is released" test ! -e "$NET_LOCKDIR/port-$port"
  check "$c: its scratch dir is removed" test ! -e "$t"
  check_fails "$c: nothing answers on its keyserver port" \
    "$NET_CURL" -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"
done

# Reservations: a dead owner's is taken over, a live owner's is not.
sleep 60 &
LIVE=$!
sh -c 'exit 0' &
DEAD=$!
wait "$DEAD"
KEY_LIVE=test-live-$$
KEY_DEAD=test-dead-$$
mkdir -p "$NET_LOCKDIR/$KEY_LIVE" "$NET_LOCKDIR/$KEY_DEAD"
echo "$LIVE" > "$NET_LOCKDIR/$KEY_LIVE/pid"
echo "$DEAD" > "$NET_LOCKDIR/$KEY_DEAD/pid"
at_exit "kill $LIVE; rm -rf '$NET_LOCKDIR/$KEY_LIVE' '$NET_LOCKDIR/$KEY_DEAD'"
check_fails "a live owner's reservation is not taken" _net_reserve "$KEY_LIVE"
check "a dead owner's reservation is taken over" _net_reserve "$KEY_DEAD"
is "and now belongs to this test" "$(cat "$NET_LOCKDIR/$KEY_DEAD/pid")" "$$"

tap_done
