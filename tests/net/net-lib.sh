# net-lib.sh - real servers on loopback for publishing tests: a test CA,
# nginx serving WKD trees over HTTPS, Debian's sks as an HKP keyserver,
# and GnuPG homes whose dirmngr reaches them.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Source it AFTER tests/lib.sh (or a suite library that sources it):
#
#   . "$srcdir/../lib.sh"
#   . "$srcdir/../net/net-lib.sh"
#   net_setup web hkp                  # what the test needs, or skip_all
#   net_wkd_install "$T/www" alice.asc alice@example.org
#   net_web_site openpgpkey.example.org "$T/www"     # advanced method
#   net_sks_start keys.pgp                            # HKP on 127.0.0.1
#   net_gnupghome "$GNUPGHOME"        # dirmngr.conf, gpg.conf for the rig
#   gpg --locate-external-keys alice@example.org
#   gpg --keyserver "$NET_HKP_URL" --recv-keys FPR
#
# Everything is private to the test script and torn down at exit
# (lib.sh's at_exit): servers stopped, dirmngr of every configured home
# killed, reservations released.  Files live in $NET ($T/net).  Call the
# functions that start something directly, never inside $(...).  Paths
# given to the rig must not contain white space.
#
# Setup and state
#   net_setup [web] [hkp]
#       Check the tools (openssl, curl, gpg; web: nginx, unshare, root,
#       gpg-wks-client; hkp: sks) or skip_all.  web reserves this test's
#       web address NET_ADDR (127.0.0.X, X random in 2..250): the rig's
#       HTTPS sites listen on NET_ADDR:443 (WKD clients use port 443
#       only), so concurrent tests differ by address, not port.
#   NET            the rig's folder ($T/net)
#   NET_ADDR       web address (127.0.0.X), set by `net_setup web`
#   NET_CA_PEM     the test CA certificate (PEM), made by net_setup
#   NET_WEB_LOG    nginx access log: one line "HOST METHOD URI STATUS"
#                  per request (URI without the query string)
#   NET_HKP_PORT, NET_HKP_URL   the keyserver (hkp://127.0.0.1:PORT),
#                  set by net_sks_start
#
# X.509 (openssl)
#   net_cert NAME DNSNAME...   issue a server certificate for DNSNAMEs
#                  from the test CA: $NET/pki/NAME.pem and NAME.key
#   net_other_cert NAME DNSNAME...   the same from a second throwaway CA
#                  that no rig client trusts (TLS failure tests)
#
# Web server (nginx, one process per test)
#   net_web_site HOST DOCROOT  serve DOCROOT (static files, every file
#                  application/octet-stream, CORS header "*") for HOST
#                  over HTTPS on NET_ADDR:443.  HOST then resolves to
#                  NET_ADDR for rig clients.  The WKD advanced method is
#                  used for domain D when openpgpkey.D is a site, the
#                  direct method when only D is one.
#   net_web_file HOST FILE     HOST answers every request with FILE (200)
#   net_web_status HOST CODE   HOST answers every request with CODE
#   net_web_proxy HOST URL     HOST forwards requests to URL (e.g. the
#                  keyserver: hkps://HOST:443 reaches sks through nginx;
#                  give the port: without it dirmngr first asks DNS for
#                  an SRV record and fails, "Server indicated a failure")
#   net_web_drop HOST          HOST no longer resolves nor is served
#   net_http_file NAME FILE, net_http_status NAME CODE,
#   net_http_proxy NAME URL    the same on plain HTTP on a free port of
#                  127.0.0.1 (needs no root); net_http_url NAME prints
#                  http://127.0.0.1:PORT
#   net_web_untrusted on|off   serve the HTTPS sites with a certificate
#                  of the other CA (clients must refuse them)
#   net_web_stop / net_web_start   stop (connections refused) / start
#                  again.  Any site change applies at once: nginx is
#                  restarted with a new configuration (and a server
#                  certificate for every HTTPS site) and the dirmngr of
#                  every configured home is restarted.
#
# WKD trees
#   net_wkd_hash ADDRSPEC      print the WKD hash of the local part
#   net_wkd_install DOCROOT KEYFILE ADDRSPEC [advanced|direct|both]
#       publish KEYFILE for ADDRSPEC with GnuPG's gpg-wks-client
#       --install-key (advanced tree DOCROOT/.well-known/openpgpkey/D/,
#       with its policy file); direct copies that to
#       DOCROOT/.well-known/openpgpkey/{hu/,policy}.  Default both.
#   net_wkd_put DOCROOT ADDRSPEC FILE [advanced|direct|both]
#       put FILE as is (a wrong key, garbage) where ADDRSPEC's key goes
#
# GnuPG clients
#   net_gnupghome DIR  make DIR (if needed) a GnuPG home whose dirmngr
#       reaches the rig: appends to DIR/gpg.conf
#         dirmngr-program $NET/bin/dirmngr   (web: see below)
#       and writes DIR/dirmngr.conf
#         log-file DIR/dirmngr.log, verbose, hkp-cacert $NET_CA_PEM,
#         keyserver $NET_HKP_URL (when sks runs)
#       then (re)starts its dirmngr.  $NET/bin/dirmngr runs the real
#       dirmngr in a private mount namespace (unshare -m) where
#       /etc/hosts maps the rig's HOSTs to NET_ADDR, /etc/resolv.conf
#       names NET_ADDR (no DNS server: lookups fail at once, nothing
#       leaves the machine) and the system CA bundle holds only the
#       test CA.  dirmngr has no option for a hosts file, a DNS server
#       outside Tor mode, or extra TLS anchors for WKD (hkp-cacert is
#       for hkps only), hence the namespace; no file of the machine is
#       changed.  The dirmngr is killed at exit.
#   net_dirmngr_restart [DIR]  restart DIR's dirmngr (default GNUPGHOME);
#       clears its caches, e.g. WKD's "domain has no WKD" memory
#   net_run CMD...   run CMD in the same private view (hosts, CA) as the
#       rig's dirmngr: for other clients (curl, oca)
#
# HKP keyserver (Debian's sks)
#   net_sks_start [KEYFILE...]  first call: build sks's database from
#       the keys (binary or armored, may be none), then start `sks db` on
#       127.0.0.1:free port and wait until it answers; later calls start
#       it again on the same port and database.  Sets NET_HKP_PORT and
#       NET_HKP_URL.
#   net_sks_stop / net_sks_restart
#   net_sks_add KEYFILE    POST an armored key to /pks/add
#   net_hkp_get FPR        print the key as sks stores it (armored),
#                          fails when sks has none
#
# Failures
#   net_closed_port        print a reserved port of 127.0.0.1 on which
#                          nothing listens
#   net_freeze web|sks, net_thaw web|sks   SIGSTOP / SIGCONT the server:
#       connections are accepted by the kernel and never answered.
#       dirmngr then waits without a time limit (observed > 100 s):
#       run the client under timeout(1) or with its own timeout.
#   Stopped servers (net_web_stop, net_sks_stop), net_web_status /
#   net_http_status, garbage files (net_wkd_put, net_web_file).
#
# Reservations of addresses and ports live in
# ${TMPDIR:-/tmp}/oca-net-locks (a directory per address/port holding
# the owner's pid; entries of dead owners are taken over).

: "${NET_LOCKDIR:=${TMPDIR:-/tmp}/oca-net-locks}"
NET="$T/net"
NET_ADDR=""
NET_CA_PEM="$NET/pki/ca.pem"
# shellcheck disable=SC2034 # for the test scripts
NET_WEB_LOG="$NET/web/access.log"
NET_HKP_PORT=""
NET_HKP_URL=""
_net_me=$$
_net_web=no
_net_web_pid=""
_net_web_down=no
_net_web_untrusted=no
_net_sks_pid=""
_net_recon_port=""

_net_err () { echo "net-lib: $*" >&2; }

# _net_sleep SECONDS (fractions allowed)
_net_sleep () { sleep "$1" 2>/dev/null || sleep 1; }

# _net_prog NAME DIR...: print the path of program NAME (PATH, then DIRs).
_net_prog () {
  _pn=$1; shift
  _pp=$(command -v "$_pn" 2>/dev/null) && { echo "$_pp"; return 0; }
  for _pd in "$@"; do
    [ -x "$_pd/$_pn" ] && { echo "$_pd/$_pn"; return 0; }
  done
  return 1
}

# _net_gone PID: the process has ended (or is a zombie).
_net_gone () {
  kill -0 "$1" 2>/dev/null || return 0
  _st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
  [ "$_st" = Z ]
}

# _net_kill PID: SIGCONT + SIGTERM, wait up to 10 s, then SIGKILL; reap.
_net_kill () {
  [ -n "$1" ] || return 0
  kill -CONT "$1" 2>/dev/null
  kill -TERM "$1" 2>/dev/null
  _ki=0
  while ! _net_gone "$1" && [ $_ki -lt 100 ]; do
    _net_sleep 0.1; _ki=$((_ki + 1))
  done
  _net_gone "$1" || kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  return 0
}

# _net_reserve KEY: take the reservation KEY (e.g. addr-127.0.0.7,
# port-23456) for this test; fails when a live process holds it.
_net_reserve () {
  mkdir -p "$NET_LOCKDIR" 2>/dev/null
  (
    flock -w 60 9 || exit 1
    _rd="$NET_LOCKDIR/$1"
    if [ -d "$_rd" ]; then
      _op=$(cat "$_rd/pid" 2>/dev/null)
      if [ -n "$_op" ] && kill -0 "$_op" 2>/dev/null; then exit 1; fi
      rm -rf "$_rd"
    fi
    mkdir "$_rd" && echo "$_net_me" > "$_rd/pid"
  ) 9>"$NET_LOCKDIR/.lock" || return 1
  echo "$1" >> "$NET/reserved"
}

_net_release_all () {
  [ -f "$NET/reserved" ] || return 0
  while read -r _rk; do
    [ "$(cat "$NET_LOCKDIR/$_rk/pid" 2>/dev/null)" = "$_net_me" ] \
      && rm -rf "${NET_LOCKDIR:?}/$_rk"
  done < "$NET/reserved"
  rm -f "$NET/reserved"
}

# _net_random N: a random number in 0..N-1.
_net_random () {
  _rn=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
  echo $((_rn % $1))
}

# _net_listening ADDR PORT: something listens there (needs ss; else no).
_net_listening () {
  command -v ss >/dev/null 2>&1 || return 1
  [ -n "$(ss -Htln "( sport = :$2 )" 2>/dev/null \
          | awk -v a="$1:$2" -v p="$2" \
                '$4 == a || $4 == "0.0.0.0:" p || $4 == "*:" p || $4 == "[::]:" p')" ]
}

# _net_port: reserve a free TCP port of 127.0.0.1 (20000..31999, below
# the kernel's ephemeral range) and print it.
_net_port () {
  _pi=0
  while [ $_pi -lt 200 ]; do
    _pt=$((20000 + $(_net_random 12000)))
    if ! _net_listening 127.0.0.1 "$_pt" && _net_reserve "port-$_pt"; then
      echo "$_pt"; return 0
    fi
    _pi=$((_pi + 1))
  done
  _net_err "no free port found"; return 1
}

# _net_pick_addr: reserve a loopback address for the web server.
_net_pick_addr () {
  _ai=0
  while [ $_ai -lt 200 ]; do
    _ad="127.0.0.$((2 + $(_net_random 249)))"
    if ! _net_listening "$_ad" 443 && _net_reserve "addr-$_ad"; then
      NET_ADDR=$_ad; return 0
    fi
    _ai=$((_ai + 1))
  done
  _net_err "no free loopback address found"; return 1
}

# ---------------------------------------------------------------- X.509

# _net_ca DIR CN: make a CA (DIR/ca.pem, DIR/ca.key) unless it exists.
_net_ca () {
  [ -f "$1/ca.pem" ] && return 0
  mkdir -p "$1" || return 1
  "$NET_OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -nodes -keyout "$1/ca.key" -out "$1/ca.pem" -days 7 -subj "/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign \
    >"$1/openssl.log" 2>&1 \
    || { _net_err "openssl: cannot make CA $2"; cat "$1/openssl.log" >&2; return 1; }
}

# _net_issue CADIR NAME DNSNAME...: server certificate NAME.pem/.key
# beside the rig's certificates.
_net_issue () {
  _ic=$1; _in=$2; shift 2
  _is=""
  for _h in "$@"; do _is="$_is${_is:+,}DNS:$_h"; done
  _ip="$NET/pki/$_in"
  printf '%s\n' "subjectAltName=$_is" basicConstraints=CA:FALSE \
    extendedKeyUsage=serverAuth keyUsage=critical,digitalSignature \
    > "$_ip.ext"
  if ! "$NET_OPENSSL" req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
         -keyout "$_ip.key" -out "$_ip.csr" -subj "/CN=$1" >"$_ip.log" 2>&1 \
     || ! "$NET_OPENSSL" x509 -req -in "$_ip.csr" -CA "$_ic/ca.pem" \
         -CAkey "$_ic/ca.key" \
         -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
         -days 7 -extfile "$_ip.ext" -out "$_ip.pem" >>"$_ip.log" 2>&1; then
    _net_err "openssl: cannot issue $_in"; cat "$_ip.log" >&2; return 1
  fi
}

net_cert () { _net_issue "$NET/pki" "$@"; }

net_other_cert () {
  _net_ca "$NET/pki/other" "oca other test CA" && _net_issue "$NET/pki/other" "$@"
}

# ----------------------------------------------------------------- setup

net_setup () {
  NET_OPENSSL=$(_net_prog openssl) || skip_all "openssl not found"
  NET_CURL=$(_net_prog curl) || skip_all "curl not found"
  { [ -n "$GPG" ] && [ -n "$GPGCONF" ]; } || skip_all "gpg not found"
  command -v flock >/dev/null 2>&1 || skip_all "flock not found"
  NET_NGINX=$(_net_prog nginx /usr/sbin /sbin) || skip_all "nginx not found"
  mkdir -p "$NET/pki" "$NET/web" "$NET/etc" "$NET/bin" || exit 99
  at_exit "_net_teardown"
  for _w in "$@"; do
    case $_w in
      web)
        NET_DIRMNGR=$(_net_prog dirmngr "$("$GPGCONF" --list-dirs bindir)") \
          || skip_all "dirmngr not found"
        [ -n "$GPG_CONNECT_AGENT" ] || skip_all "gpg-connect-agent not found"
        NET_WKS_CLIENT=$(_net_prog gpg-wks-client \
                         "$("$GPGCONF" --list-dirs libexecdir)") \
          || skip_all "gpg-wks-client not found"
        [ "$(id -u)" = 0 ] \
          || skip_all "WKD tests need root (port 443, a private mount namespace)"
        [ -f /etc/ssl/certs/ca-certificates.crt ] \
          || skip_all "no /etc/ssl/certs/ca-certificates.crt (ca-certificates)"
        unshare -m --propagation private true 2>/dev/null \
          || skip_all "unshare -m does not work here"
        _net_web=yes
        _net_pick_addr || exit 99
        ;;
      hkp)
        NET_SKS=$(_net_prog sks /usr/sbin /sbin) || skip_all "sks not found"
        ;;
      *) _net_err "net_setup: unknown need '$_w'"; exit 99 ;;
    esac
  done
  _net_ca "$NET/pki" "oca test CA" || exit 99
  : > "$NET/web/sites"
  _net_write_etc || exit 99
  _net_write_netns || exit 99
}

_net_teardown () {
  if [ -f "$NET/homes" ]; then
    while read -r _hd; do
      GNUPGHOME="$_hd" "$GPGCONF" --kill all >/dev/null 2>&1
    done < "$NET/homes"
  fi
  _net_kill "$_net_web_pid"; _net_web_pid=""
  _net_kill "$_net_sks_pid"; _net_sks_pid=""
  _net_release_all
}

# /etc files seen by rig clients: hosts (every HTTPS site -> NET_ADDR),
# resolv.conf (NET_ADDR, where no DNS server listens), the CA bundle.
# Written in place: the namespace bind-mounts these very files.
_net_write_etc () {
  {
    echo "127.0.0.1 localhost"
    echo "::1 localhost"
    if [ -n "$NET_ADDR" ]; then
      awk '$1 == "tls" { print $2 }' "$NET/web/sites" | sort -u \
        | sed "s/^/$NET_ADDR /"
    fi
  } > "$NET/etc/hosts" || return 1
  printf 'nameserver %s\noptions timeout:1 attempts:1\n' \
    "${NET_ADDR:-127.0.0.1}" > "$NET/etc/resolv.conf" || return 1
  cat "$NET_CA_PEM" > "$NET/etc/ca-certificates.crt" 2>/dev/null || :
}

# $NET/bin/netns CMD...: CMD in a private mount namespace with the rig's
# /etc files.  $NET/bin/dirmngr: the real dirmngr run that way.
_net_write_netns () {
  cat > "$NET/bin/netns" <<EOF
#!/bin/sh
# netns - generated by tests/net/net-lib.sh: run a command in a private
# mount namespace whose /etc/hosts, /etc/resolv.conf and system CA bundle
# are the test rig's (the machine's files are not changed).
exec unshare -m --propagation private /bin/sh -c '
  set -e
  mount --bind "\$0/hosts" /etc/hosts
  if [ -e /etc/resolv.conf ]; then mount --bind "\$0/resolv.conf" /etc/resolv.conf; fi
  mount --bind "\$0/ca-certificates.crt" /etc/ssl/certs/ca-certificates.crt
  exec "\$@"' "$NET/etc" "\$@"
EOF
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$NET/bin/netns" "$NET_DIRMNGR" \
    > "$NET/bin/dirmngr"
  chmod 755 "$NET/bin/netns" "$NET/bin/dirmngr"
}

net_run () { "$NET/bin/netns" "$@"; }

# ------------------------------------------------------------ web server

# _net_site_set LISTEN HOST KIND ARG: replace HOST's line.
_net_site_set () {
  awk -v h="$2" -v l="$1" '!($1 == l && $2 == h)' "$NET/web/sites" \
    > "$NET/web/sites.new" || return 1
  [ -z "$3" ] || echo "$1 $2 $3 $4" >> "$NET/web/sites.new"
  mv "$NET/web/sites.new" "$NET/web/sites" && _net_web_apply
}

_net_need_web () {
  [ "$_net_web" = yes ] && return 0
  _net_err "HTTPS sites need net_setup web"; return 1
}

net_web_site () {
  _net_need_web || return 1
  [ -d "$2" ] || { _net_err "net_web_site: no directory $2"; return 1; }
  _net_site_set tls "$1" root "$(cd "$2" && pwd)"
}
net_web_file () {
  _net_need_web || return 1
  [ -f "$2" ] || { _net_err "net_web_file: no file $2"; return 1; }
  _net_site_set tls "$1" file "$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
}
net_web_status () { _net_need_web && _net_site_set tls "$1" status "$2"; }
net_web_proxy () { _net_need_web && _net_site_set tls "$1" proxy "$2"; }
net_web_drop () { _net_site_set tls "$1" "" ""; }

# Plain HTTP servers on 127.0.0.1: the listen column is the port.
_net_http_port () {
  [ -f "$NET/web/http-$1" ] || _net_port > "$NET/web/http-$1" || return 1
  cat "$NET/web/http-$1"
}
net_http_url () { echo "http://127.0.0.1:$(cat "$NET/web/http-$1")"; }
net_http_file () {
  [ -f "$2" ] || { _net_err "net_http_file: no file $2"; return 1; }
  _hp=$(_net_http_port "$1") || return 1
  _net_site_set "$_hp" "$1" file "$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
}
net_http_status () {
  _hp=$(_net_http_port "$1") || return 1
  _net_site_set "$_hp" "$1" status "$2"
}
net_http_proxy () {
  _hp=$(_net_http_port "$1") || return 1
  _net_site_set "$_hp" "$1" proxy "$2"
}

net_web_untrusted () {
  case $1 in on) _net_web_untrusted=yes ;; off) _net_web_untrusted=no ;;
    *) _net_err "net_web_untrusted on|off"; return 1 ;; esac
  _net_web_apply
}

# _net_web_conf: write nginx.conf (and the server certificates) for the
# current sites.
_net_web_conf () {
  _wd=$NET/web
  _tls=$(awk '$1 == "tls" { print $2 }' "$_wd/sites" | sort -u | tr '\n' ' ')
  if [ -n "$_tls" ]; then
    # shellcheck disable=SC2086
    [ "$(cat "$NET/pki/server.names" 2>/dev/null)" = "$_tls" ] \
      || { net_cert server $_tls && net_other_cert server-other $_tls \
           && echo "$_tls" > "$NET/pki/server.names"; } || return 1
  fi
  _crt=server; [ "$_net_web_untrusted" = yes ] && _crt=server-other
  {
    echo "# nginx.conf - generated by tests/net/net-lib.sh"
    echo "daemon off;"
    echo "master_process off;"
    echo "worker_processes 1;"
    [ "$(id -u)" = 0 ] && echo "user root root;"
    echo "pid $_wd/nginx.pid;"
    echo "error_log $_wd/error.log notice;"
    echo "events { worker_connections 256; }"
    echo "http {"
    echo "  log_format rig '\$host \$request_method \$uri \$status';"
    echo "  access_log $_wd/access.log rig;"
    for _tp in client_body proxy fastcgi uwsgi scgi; do
      echo "  ${_tp}_temp_path $_wd/tmp-$_tp;"
    done
    echo "  server_tokens off;"
    echo "  types { }"
    echo "  default_type application/octet-stream;"
    if [ -n "$_tls" ]; then
      echo "  ssl_certificate $NET/pki/$_crt.pem;"
      echo "  ssl_certificate_key $NET/pki/$_crt.key;"
      # A name that is no site: 421 (Misdirected Request).
      echo "  server { listen $NET_ADDR:443 ssl default_server; server_name _; return 421; }"
    fi
    while read -r _l _h _k _a; do
      if [ "$_l" = tls ]; then
        echo "  server { listen $NET_ADDR:443 ssl; server_name $_h;"
      else
        echo "  server { listen 127.0.0.1:$_l; server_name _;"
      fi
      case $_k in
        root) echo "    root $_a;"
              echo "    location / { add_header Access-Control-Allow-Origin * always; }" ;;
        file) echo "    root $(dirname "$_a");"
              echo "    location / { add_header Access-Control-Allow-Origin * always;"
              echo "      try_files /$(basename "$_a") =500; }" ;;
        status) echo "    location / { return $_a; }" ;;
        proxy) echo "    location / { proxy_pass $_a; }" ;;
      esac
      echo "  }"
    done < "$_wd/sites"
    echo "}"
  } > "$_wd/nginx.conf"
}

# _net_web_apply: after a change of sites: hosts, nginx, dirmngrs.
_net_web_apply () {
  _net_write_etc || return 1
  _net_web_conf || return 1
  if [ "$_net_web_down" = no ]; then
    _net_kill "$_net_web_pid"; _net_web_pid=""
    if [ -s "$NET/web/sites" ]; then _net_web_launch || return 1; fi
  fi
  _net_dirmngr_restart_all
}

# _net_web_launch: start nginx and wait until every listen socket answers.
_net_web_launch () {
  _wd=$NET/web
  : > "$_wd/error.log"
  "$NET_NGINX" -p "$_wd" -c "$_wd/nginx.conf" -e "$_wd/error.log" \
    </dev/null >>"$_wd/nginx.out" 2>&1 &
  _net_web_pid=$!
  _wi=0
  while [ $_wi -lt 100 ]; do
    if _net_gone "$_net_web_pid"; then
      wait "$_net_web_pid" 2>/dev/null; _net_web_pid=""
      _net_err "nginx did not start:"; tail -n 5 "$_wd/error.log" "$_wd/nginx.out" >&2
      return 1
    fi
    _wok=yes
    for _u in $(awk -v a="$NET_ADDR" '$1 == "tls" { t = 1 }
                 $1 != "tls" { print "http://127.0.0.1:" $1 "/" }
                 END { if (t) print "https://" a "/" }' "$_wd/sites" | sort -u); do
      "$NET_CURL" -sk -o /dev/null --max-time 2 "$_u" || { _wok=no; break; }
    done
    [ $_wok = yes ] && return 0
    _net_sleep 0.1; _wi=$((_wi + 1))
  done
  _net_err "nginx does not answer"; return 1
}

net_web_stop () {
  _net_web_down=yes
  _net_kill "$_net_web_pid"; _net_web_pid=""
}

net_web_start () {
  _net_web_down=no
  _net_kill "$_net_web_pid"; _net_web_pid=""
  _net_web_conf || return 1
  [ -s "$NET/web/sites" ] || return 0
  _net_web_launch
}

# ------------------------------------------------------------- WKD trees

net_wkd_hash () {
  "$NET_WKS_CLIENT" --print-wkd-hash "$1" | awk '{ print $1; exit }'
}

# _net_wkd_dirs DOCROOT ADDRSPEC MODE: print the hu/ parents for MODE.
_net_wkd_dirs () {
  _wdom=${2##*@}
  case ${3:-both} in
    advanced) echo "$1/.well-known/openpgpkey/$_wdom" ;;
    direct) echo "$1/.well-known/openpgpkey" ;;
    both) echo "$1/.well-known/openpgpkey/$_wdom"
          echo "$1/.well-known/openpgpkey" ;;
    *) _net_err "WKD method: advanced, direct or both"; return 1 ;;
  esac
}

net_wkd_install () {
  _wr=$1; _wk=$2; _wa=$3; _wm=${4:-both}
  _wt=$NET/wks-tmp
  rm -rf "$_wt" && mkdir -p "$_wt/tree" && mkdir -m 700 "$_wt/home" || return 1
  GNUPGHOME="$_wt/home" "$NET_WKS_CLIENT" --install-key -C "$_wt/tree" \
      "$_wk" "$_wa" >"$_wt/log" 2>&1 \
    || { _net_err "gpg-wks-client --install-key failed:"; cat "$_wt/log" >&2; return 1; }
  GNUPGHOME="$_wt/home" "$GPGCONF" --kill all >/dev/null 2>&1
  _wdom=${_wa##*@}
  for _wd in $(_net_wkd_dirs "$_wr" "$_wa" "$_wm"); do
    mkdir -p "$_wd/hu" && cp "$_wt/tree/$_wdom/hu/"* "$_wd/hu/" \
      && cp "$_wt/tree/$_wdom/policy" "$_wd/policy" || return 1
  done
  rm -rf "$_wt"
}

net_wkd_put () {
  _wh=$(net_wkd_hash "$2") && [ -n "$_wh" ] || return 1
  for _wd in $(_net_wkd_dirs "$1" "$2" "${4:-both}"); do
    mkdir -p "$_wd/hu" && cp "$3" "$_wd/hu/$_wh" && touch "$_wd/policy" || return 1
  done
}

# ------------------------------------------------------------ GnuPG homes

net_gnupghome () {
  _gh=$1
  mkdir -p "$_gh" && chmod 700 "$_gh" || return 1
  grep -qxF "$_gh" "$NET/homes" 2>/dev/null || echo "$_gh" >> "$NET/homes"
  if [ "$_net_web" = yes ] && ! grep -qs '^dirmngr-program ' "$_gh/gpg.conf"; then
    echo "dirmngr-program $NET/bin/dirmngr" >> "$_gh/gpg.conf"
  fi
  _net_dirmngr_conf "$_gh" && net_dirmngr_restart "$_gh"
}

_net_dirmngr_conf () {
  {
    echo "# dirmngr.conf - generated by tests/net/net-lib.sh"
    echo "log-file $1/dirmngr.log"
    echo "verbose"
    echo "hkp-cacert $NET_CA_PEM"
    # (an if: without a keyserver the group must not end false)
    if [ -n "$NET_HKP_URL" ]; then echo "keyserver $NET_HKP_URL"; fi
  } > "$1/dirmngr.conf"
}

net_dirmngr_restart () {
  _dh=${1:-$GNUPGHOME}
  GNUPGHOME="$_dh" "$GPGCONF" --kill dirmngr >/dev/null 2>&1
  [ "$_net_web" = yes ] || return 0
  # Launch it through the wrapper now, so that clients that start
  # dirmngr themselves (gpg-wks-client) find the rig's one running.
  "$GPG_CONNECT_AGENT" --homedir "$_dh" --dirmngr \
      --dirmngr-program "$NET/bin/dirmngr" 'GETINFO pid' /bye \
      </dev/null >"$NET/dirmngr-launch.out" 2>&1 \
    || { _net_err "cannot start dirmngr for $_dh:"; cat "$NET/dirmngr-launch.out" >&2; return 1; }
}

_net_dirmngr_restart_all () {
  [ -f "$NET/homes" ] || return 0
  while read -r _rh; do net_dirmngr_restart "$_rh" || return 1; done < "$NET/homes"
}

# -------------------------------------------------------------------- sks

_net_sks_layout () {
  _sd=$NET/sks
  mkdir -p "$_sd/etc/sks" "$_sd/var/log/sks" "$_sd/var/lib/sks" \
           "$_sd/var/run/sks" || return 1
  NET_HKP_PORT=$(_net_port) && _net_recon_port=$(_net_port) || return 1
  # Debian's sks resolves every path below -basedir.
  printf '%s\n' "hkp_address: 127.0.0.1" "hkp_port: $NET_HKP_PORT" \
    "recon_address: 127.0.0.1" "recon_port: $_net_recon_port" \
    "pagesize: 16" "ptree_pagesize: 16" > "$_sd/etc/sks/sksconf"
  : > "$_sd/etc/sks/membership"
  NET_HKP_URL="hkp://127.0.0.1:$NET_HKP_PORT"
  # Homes configured before: now with the keyserver line.
  [ -f "$NET/homes" ] || return 0
  while read -r _rh; do _net_dirmngr_conf "$_rh" || return 1; done < "$NET/homes"
}

# _net_binary FILE OUT: append FILE's keys, dearmored if armored, to OUT.
_net_binary () {
  if grep -q -- '-----BEGIN PGP' "$1" 2>/dev/null; then
    { [ -d "$NET/dearmor-home" ] || mkdir -m 700 "$NET/dearmor-home"; } \
      && "$GPG" --batch --no-options --homedir "$NET/dearmor-home" --dearmor \
           < "$1" >> "$2" 2>/dev/null
  else
    cat "$1" >> "$2"
  fi
}

net_sks_start () {
  [ -n "$NET_SKS" ] || { _net_err "net_sks_start needs net_setup hkp"; return 1; }
  _sd=$NET/sks
  if [ ! -d "$_sd/var/lib/sks/DB" ]; then
    _net_sks_layout || return 1
    : > "$_sd/dump.pgp"
    for _f in "$@"; do
      _net_binary "$_f" "$_sd/dump.pgp" \
        || { _net_err "cannot read keys from $_f"; return 1; }
    done
    # `sks pbuild` (the prefix tree) is for reconciliation only; `sks db`
    # serves HKP without it (and pbuild fails on an empty database).
    ( cd "$_sd" && "$NET_SKS" build "$_sd/dump.pgp" -n 10 -cache 100 \
        -basedir "$_sd" ) >"$_sd/build.out" 2>&1 \
      || { _net_err "sks build failed:"; tail -n 5 "$_sd/build.out" >&2; return 1; }
  elif [ $# -gt 0 ]; then
    _net_err "sks database exists: add keys with net_sks_add or gpg --send-keys"
    return 1
  fi
  [ -z "$_net_sks_pid" ] || return 0
  ( cd "$_sd" && exec "$NET_SKS" db -basedir "$_sd" ) \
    </dev/null >>"$_sd/db.out" 2>&1 &
  _net_sks_pid=$!
  _si=0
  while [ $_si -lt 300 ]; do
    if _net_gone "$_net_sks_pid"; then
      wait "$_net_sks_pid" 2>/dev/null; _net_sks_pid=""
      _net_err "sks db did not start:"
      tail -n 5 "$_sd/db.out" "$_sd/var/log/sks/db.log" >&2
      return 1
    fi
    # dirmngr marks a keyserver host dead after a failed connection:
    # restart those of the configured homes.
    "$NET_CURL" -sf -o /dev/null --max-time 2 \
      "http://127.0.0.1:$NET_HKP_PORT/pks/lookup?op=stats" \
      && { _net_dirmngr_restart_all; return; }
    _net_sleep 0.1; _si=$((_si + 1))
  done
  _net_err "sks db does not answer on port $NET_HKP_PORT"; return 1
}

net_sks_stop () { _net_kill "$_net_sks_pid"; _net_sks_pid=""; }
# shellcheck disable=SC2119 # a restart keeps the database
net_sks_restart () { net_sks_stop; net_sks_start; }

net_sks_add () {
  "$NET_CURL" -sf -o /dev/null --max-time 20 --data-urlencode "keytext@$1" \
    "http://127.0.0.1:$NET_HKP_PORT/pks/add"
}

net_hkp_get () {
  "$NET_CURL" -sf --max-time 20 \
    "http://127.0.0.1:$NET_HKP_PORT/pks/lookup?op=get&options=mr&search=0x$1"
}

# --------------------------------------------------------------- failures

net_closed_port () { _net_port; }

net_freeze () {
  case $1 in
    web) kill -STOP "$_net_web_pid" ;;
    sks) kill -STOP "$_net_sks_pid" ;;
    *) _net_err "net_freeze web|sks"; return 1 ;;
  esac
}
net_thaw () {
  case $1 in
    web) kill -CONT "$_net_web_pid" ;;
    sks) kill -CONT "$_net_sks_pid" ;;
    *) _net_err "net_thaw web|sks"; return 1 ;;
  esac
}
