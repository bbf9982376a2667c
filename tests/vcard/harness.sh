# harness.sh - bring up pcscd + vpcd + oca-vcard virtual cards for tests
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Source it from a test script AFTER tests/lib.sh:
#
#   . "$srcdir/../lib.sh"
#   . "$srcdir/../vcard/harness.sh"     # (from tests/vcard: $srcdir/harness.sh)
#   vcard_setup                       # pcscd + readers, or skip_all
#   vcard_plug a --serial 0000AB01    # card "a" in a free vpcd slot
#   vcard_gnupghome a "$T/gh-a"       # GNUPGHOME bound to card a's reader
#   GNUPGHOME=$T/gh-a gpg --card-status
#
# Needs in the environment (AM_TESTS_ENVIRONMENT of tests/vcard does it;
# other suites set the same): OCA_VCARD (path of oca-vcard),
# OCA_PCSC_LIST (path of oca-pcsc-list), and testenv.sh's PCSCD,
# PCSC_LIBRARY, GPGCONF, SCDAEMON (lib.sh sources it).
#
# Functions (all fail with a message on stderr and status 1):
#
#   vcard_setup
#       Use the running pcscd or start one (`pcscd -f` in the
#       background, log in $OCA_HARNESS_DIR/pcscd.log); registers this
#       test as a user (refcount); the last user stops a pcscd the
#       harness started.  Checks that the vpcd readers exist.  Calls
#       skip_all when not root and no pcscd runs (the only skip).
#   vcard_plug NAME [oca-vcard options...]
#       Take a free vpcd slot (waits up to $OCA_SLOT_WAIT seconds, 300,
#       when all are busy -- concurrent tests never share a slot), start
#       oca-vcard on it with state file $T/vcard-NAME.state and the given
#       options (--serial, --manufacturer, quirks, --touch-timeout ...),
#       wait until pcscd reports the card present.  Sets VCARD_READER
#       to the reader name.  NAME: letters, digits, underscore.
#       Touch: the card gets --touch-file $T/vcard-NAME.touch; use
#       vcard_touch NAME to give one touch in advance.
#       APDU log: --apdu-log $T/vcard-NAME.apdus (one "CLA INS P1 P2"
#       line per APDU; vcard_apdu_count NAME counts them).
#   vcard_reserve N
#       Take the first N slots (in the fixed order of OCA_VPCD_SLOTS,
#       waiting for each up to $OCA_SLOT_WAIT) for the next N vcard_plug
#       calls.  A test that needs several cards at the same time must call
#       it first: ordered locking means two such tests cannot deadlock.
#   vcard_reader NAME          print the reader name of card NAME
#   vcard_state NAME           print the state file of card NAME
#   vcard_pid NAME             print the pid of card NAME's process
#   vcard_unplug NAME          stop the card (reader becomes empty) and
#                              free its slot
#   vcard_restart NAME         stop and start card NAME again on the same
#                              slot with the same options and state
#   vcard_touch NAME           give one touch (consumed by the next
#                              operation that waits for one)
#   vcard_apdu_count NAME      number of APDUs the card has seen
#   vcard_gnupghome NAME DIR   create DIR as a GNUPGHOME whose scdaemon
#                              uses card NAME (disable-ccid, pcsc-driver,
#                              pcsc-shared, reader-port) and whose agent
#                              uses the test pinentry; logs in DIR/*.log.
#                              gpgconf --kill all runs for it at exit.
#   vcard_pins DIR PIN...      queue PINs the pinentry of DIR answers
#                              in order (then it falls back to the
#                              defaults below)
#   vcard_default_pins DIR USER ADMIN [RESETCODE]
#                              answers when the queue is empty: prompts
#                              mentioning "admin" get ADMIN, "reset code"
#                              RESETCODE, others USER (initially 123456
#                              and 12345678).  An empty answer cancels.
#   vcard_kill_agent DIR       gpgconf --kill all for DIR (drops the
#                              card caches of scdaemon)
#
# The pin-pad reader (issue 11): when the harness starts pcscd it also
# loads $OCA_PINPAD_DRIVER (tests/vcard/ifd-pinpad.c), one reader
# "OCA Pinpad 00 00" whose card side is a vpcd-like port and whose
# keypad the test drives.  It is not among the vpcd slots: only
#   vcard_plug_pinpad NAME [oca-vcard options...]
#       plugs card NAME into it (as vcard_plug, waiting for the reader
#       when another test has it); sets VCARD_READER and PINPAD_DIR,
#       an empty keypad.
#   pinpad_keys ENTRY...       queue keypad entries, one per PIN the
#                              reader collects: DIGITS (then OK),
#                              "OLD NEW NEW" for a PIN change,
#                              "cancel", "timeout"
#   pinpad_log                 what the reader did, a line per
#                              operation ("verify 00 20 00 81 min 6
#                              max 127 -> 9000", never the PIN)
#
# Profiles: every card is plugged with --profile $OCA_VCARD_PROFILE
# (unless the test passes its own --profile), so that one test run
# meets one real card's behaviour (tests/vcard/profile-run.sh runs a
# test once per profile).  What a test needs to know about it:
#
#   vcard_profile              print the profile name (permissive when
#                              OCA_VCARD_PROFILE is unset)
#   vcard_profile_get KEY      print the value of KEY in the profile's
#                              description (oca-vcard --describe)
#   vcard_profile_has KEY [WORD]
#                              true if KEY is 1 (extlen, algoinfo,
#                              attr-change, button, pin-needs-keys ...)
#                              or, with WORD, if KEY's value list holds
#                              WORD (vcard_profile_has algos rsa4096)
#   vcard_ca_algo              the CA algorithm a test should use on this
#                              card: ed25519, else nistp256, else rsa2048
#   vcard_aid SERIAL8 [MANU4]  the card's AID as 32 hex digits (GnuPG's
#                              serial number string), version included
#
# Everything is torn down at exit (lib.sh's at_exit): agents, cards,
# slot locks, and pcscd when this harness started it and no other test
# uses it.  Global state lives in $OCA_HARNESS_DIR (/tmp/oca-vcard-harness):
# lock (flock), users/PID, slot-PORT.lock, pcscd.started, pcscd.log.
#
# Slots: $OCA_VPCD_SLOTS, "PORT:READER NAME" entries separated by ';'
# (default: Debian's /etc/reader.conf.d/vpcd, two slots).

: "${OCA_HARNESS_DIR:=/tmp/oca-vcard-harness}"
# When the harness starts pcscd itself, it gives it its own reader
# configuration with $OCA_VPCD_READERS vpcd readers (2 slots each, every
# entry with its own copy of the driver, as vpcd requires), so that
# concurrent suites do not queue for Debian's two slots, and records
# the slot list in $OCA_HARNESS_DIR/slots for every test that reuses
# that pcscd.  A pcscd started by someone else keeps its own readers.
: "${OCA_VPCD_READERS:=4}"
: "${VPCD_DRIVER:=/usr/lib/pcsc/drivers/serial/libifdvpcd.so}"
: "${OCA_PINPAD_DRIVER:=${abs_top_builddir}/tests/vcard/libifd-pinpad.so}"
_vh_user_slots=${OCA_VPCD_SLOTS-}
: "${OCA_VPCD_SLOTS:=35963:Virtual PCD 00 00;35964:Virtual PCD 00 01}"
: "${OCA_SLOT_WAIT:=300}"
: "${OCA_VCARD:=${abs_top_builddir}/tests/vcard/oca-vcard}"
: "${OCA_PCSC_LIST:=${abs_top_builddir}/tests/vcard/oca-pcsc-list}"
: "${PCSCD:=/usr/sbin/pcscd}"
_vh_srcdir=$(cd "$(dirname "${OCA_HARNESS_SH:-$srcdir/harness.sh}")" 2>/dev/null && pwd)
[ -f "$_vh_srcdir/test-pinentry.sh" ] \
  || _vh_srcdir=${abs_top_srcdir}/tests/vcard
_vh_me=$$
_vh_cards="$T/vcard.d"
mkdir -p "$_vh_cards"

_vh_err () { echo "harness: $*" >&2; }

# _vh_sleep SECONDS (fractions allowed)
_vh_sleep () { sleep "$1" 2>/dev/null || sleep 1; }

# Run "$@" holding the global harness lock (fd 8).
_vh_locked () {
  ( flock -w 120 8 || { _vh_err "cannot take $OCA_HARNESS_DIR/lock"; exit 1; }
    "$@" ) 8>"$OCA_HARNESS_DIR/lock"
}

_vh_pcscd_pid () {
  _p=$(tr -d '\0' < /run/pcscd/pcscd.pid 2>/dev/null) || return 1
  [ -n "$_p" ] && kill -0 "$_p" 2>/dev/null && [ -S /run/pcscd/pcscd.comm ] \
    && echo "$_p"
}

# Remove user entries of processes that are gone.
_vh_prune_users () {
  for _f in "$OCA_HARNESS_DIR"/users/*; do
    [ -e "$_f" ] || continue
    kill -0 "${_f##*/}" 2>/dev/null || rm -f "$_f"
  done
}

# (locked) Write a reader configuration with OCA_VPCD_READERS vpcd
# readers to $OCA_HARNESS_DIR/reader.conf.d and the matching slot list
# to $OCA_HARNESS_DIR/slots.new (renamed to slots once pcscd runs).
_vh_make_readers () {
  _rd=$OCA_HARNESS_DIR/reader.conf.d
  _dd=$OCA_HARNESS_DIR/drivers
  rm -rf "$_rd" "$_dd" && mkdir -p "$_rd" "$_dd" || return 1
  _slots=""
  _k=0
  while [ "$_k" -lt "$OCA_VPCD_READERS" ]; do
    _port=$((35963 + 2 * _k))
    _name="Virtual PCD"
    [ "$_k" -gt 0 ] && _name="Virtual PCD $_k"
    cp "$VPCD_DRIVER" "$_dd/libifdvpcd-$_k.so" || return 1
    printf 'FRIENDLYNAME "%s"\nDEVICENAME /dev/null:0x%X\nLIBPATH %s\nCHANNELID 0x%X\n' \
      "$_name" "$_port" "$_dd/libifdvpcd-$_k.so" "$_port" > "$_rd/vpcd-$_k" \
      || return 1
    _slots="$_slots${_slots:+;}$_port:$_name 00 00;$((_port + 1)):$_name 00 01"
    _k=$((_k + 1))
  done
  printf '%s\n' "$_slots" > "$OCA_HARNESS_DIR/slots.new"
  rm -f "$OCA_HARNESS_DIR/pinpad-slot.new"
  if [ -r "$OCA_PINPAD_DRIVER" ]; then
    _port=$((35963 + 2 * _k))
    cp "$OCA_PINPAD_DRIVER" "$_dd/libifd-pinpad.so" || return 1
    printf 'FRIENDLYNAME "OCA Pinpad"\nDEVICENAME %s:0x%X\nLIBPATH %s\nCHANNELID 0x%X\n' \
      "$OCA_HARNESS_DIR/pinpad" "$_port" "$_dd/libifd-pinpad.so" "$_port" \
      > "$_rd/pinpad" || return 1
    printf '%s\n' "$_port:OCA Pinpad 00 00" > "$OCA_HARNESS_DIR/pinpad-slot.new"
  fi
}

# (locked) Register as a user; start pcscd when none runs.
_vh_acquire () {
  mkdir -p "$OCA_HARNESS_DIR/users" || exit 1
  _vh_prune_users
  : > "$OCA_HARNESS_DIR/users/$_vh_me"
  if _vh_pcscd_pid >/dev/null; then exit 0; fi
  rm -f "$OCA_HARNESS_DIR/pcscd.started"
  if [ "$(id -u)" != 0 ] && [ ! -w /run/pcscd ] && [ ! -w /run ]; then
    rm -f "$OCA_HARNESS_DIR/users/$_vh_me"
    exit 77
  fi
  if [ ! -x "$PCSCD" ]; then
    _vh_err "pcscd not found ($PCSCD); install pcscd"
    rm -f "$OCA_HARNESS_DIR/users/$_vh_me"
    exit 1
  fi
  _sb=""; command -v stdbuf >/dev/null 2>&1 && _sb="stdbuf -oL -eL"
  _ss=""; command -v setsid >/dev/null 2>&1 && _ss="setsid"
  rm -f "$OCA_HARNESS_DIR/slots" "$OCA_HARNESS_DIR/pinpad-slot"
  _conf=""
  if [ -z "$_vh_user_slots" ] && [ "$OCA_VPCD_READERS" -gt 0 ] 2>/dev/null \
     && [ -r "$VPCD_DRIVER" ] && _vh_make_readers; then
    _conf="-c $OCA_HARNESS_DIR/reader.conf.d"
  fi
  # Close the lock fd: pcscd outlives us and must not hold the lock.
  # shellcheck disable=SC2086
  $_ss $_sb "$PCSCD" -f $_conf </dev/null >>"$OCA_HARNESS_DIR/pcscd.log" 2>&1 8>&- &
  _i=0
  while [ $_i -lt 100 ]; do
    if _p=$(_vh_pcscd_pid); then
      echo "$_p" > "$OCA_HARNESS_DIR/pcscd.started"
      [ -n "$_conf" ] && mv "$OCA_HARNESS_DIR/slots.new" "$OCA_HARNESS_DIR/slots"
      [ -n "$_conf" ] && [ -f "$OCA_HARNESS_DIR/pinpad-slot.new" ] \
        && mv "$OCA_HARNESS_DIR/pinpad-slot.new" "$OCA_HARNESS_DIR/pinpad-slot"
      exit 0
    fi
    _vh_sleep 0.1; _i=$((_i+1))
  done
  _vh_err "pcscd did not start; log:"
  tail -20 "$OCA_HARNESS_DIR/pcscd.log" >&2
  rm -f "$OCA_HARNESS_DIR/users/$_vh_me"
  exit 1
}

# (locked) Unregister; stop pcscd if we started it and nobody is left.
_vh_release () {
  rm -f "$OCA_HARNESS_DIR/users/$_vh_me"
  _vh_prune_users
  for _f in "$OCA_HARNESS_DIR"/users/*; do
    [ -e "$_f" ] && exit 0
  done
  [ -f "$OCA_HARNESS_DIR/pcscd.started" ] || exit 0
  _p=$(cat "$OCA_HARNESS_DIR/pcscd.started")
  rm -f "$OCA_HARNESS_DIR/pcscd.started" "$OCA_HARNESS_DIR/slots" \
    "$OCA_HARNESS_DIR/pinpad-slot"
  [ "$(_vh_pcscd_pid)" = "$_p" ] || exit 0
  kill "$_p" 2>/dev/null
  _i=0
  while kill -0 "$_p" 2>/dev/null && [ $_i -lt 50 ]; do
    _vh_sleep 0.1; _i=$((_i+1))
  done
  exit 0
}

vcard_setup () {
  mkdir -p "$OCA_HARNESS_DIR" 2>/dev/null
  if [ ! -w "$OCA_HARNESS_DIR" ]; then
    skip_all "harness dir $OCA_HARNESS_DIR not writable"
  fi
  if [ ! -x "$OCA_VCARD" ] || [ ! -x "$OCA_PCSC_LIST" ]; then
    _vh_err "OCA_VCARD/OCA_PCSC_LIST not built ($OCA_VCARD)"
    return 1
  fi
  command -v flock >/dev/null 2>&1 \
    || { _vh_err "flock (util-linux) is required"; return 1; }
  _vh_locked _vh_acquire
  _rc=$?
  if [ $_rc -eq 77 ]; then
    skip_all "not root and no pcscd running (cannot start one)"
  fi
  [ $_rc -eq 0 ] || return 1
  at_exit "_vh_locked _vh_release"
  at_exit "_vh_teardown"
  # The pcscd the harness started has more readers: use them.
  if [ -z "$_vh_user_slots" ] && [ -s "$OCA_HARNESS_DIR/slots" ] \
     && [ -f "$OCA_HARNESS_DIR/pcscd.started" ] \
     && [ "$(_vh_pcscd_pid)" = "$(cat "$OCA_HARNESS_DIR/pcscd.started")" ]; then
    OCA_VPCD_SLOTS=$(cat "$OCA_HARNESS_DIR/slots")
  fi
  # Wait until pcscd lists our readers.
  _i=0
  while :; do
    "$OCA_PCSC_LIST" >"$T/readers" 2>&1
    _missing=""
    _vh_each_slot _vh_check_reader
    [ -z "$_missing" ] && return 0
    _i=$((_i+1))
    if [ $_i -ge 100 ]; then
      _vh_err "vpcd readers missing:$_missing"
      _vh_err "pcscd lists:"; cat "$T/readers" >&2
      _vh_err "install vsmartcard-vpcd (and restart pcscd), or set OCA_VPCD_SLOTS"
      return 1
    fi
    _vh_sleep 0.1
  done
}

_vh_check_reader () {
  grep -q "	$2\$" "$T/readers" || _missing="$_missing '$2'"
}

# Call "$1 PORT READER" for every slot.
_vh_each_slot () {
  _vh_fn=$1
  _vh_rest=$OCA_VPCD_SLOTS
  while [ -n "$_vh_rest" ]; do
    _vh_ent=${_vh_rest%%;*}
    case $_vh_rest in *\;*) _vh_rest=${_vh_rest#*;} ;; *) _vh_rest="" ;; esac
    [ -n "$_vh_ent" ] || continue
    $_vh_fn "${_vh_ent%%:*}" "${_vh_ent#*:}" || return 0
  done
}

# Try to lock slot PORT: a holder process keeps the flock for as long
# as this test runs.  Sets _vh_got on success.
_vh_try_slot () {
  [ -n "$_vh_got" ] && return 1
  _ready="$_vh_cards/slot-$1.ready"
  rm -f "$_ready"
  ( exec 8>&-
    exec 9>"$OCA_HARNESS_DIR/slot-$1.lock"
    flock -n 9 || exit 75
    : > "$_ready"
    while kill -0 "$_vh_me" 2>/dev/null; do sleep 1; done
  ) </dev/null >/dev/null 2>&1 &
  _holder=$!
  while :; do
    if [ -e "$_ready" ]; then
      _vh_got="$1"; _vh_got_reader=$2; _vh_got_holder=$_holder
      return 1
    fi
    kill -0 "$_holder" 2>/dev/null || { wait "$_holder" 2>/dev/null; return 0; }
    _vh_sleep 0.02
  done
}

# Start the card process of NAME from its saved settings.
_vh_start_card () {
  _vh_d="$_vh_cards/$1"
  set -- "$1" $(cat "$_vh_d/port")
  _port=$2
  _reader=$(cat "$_vh_d/reader")
  rm -f "$_vh_d/ready"
  # Make sure no stale card sits in the slot.
  "$OCA_PCSC_LIST" --wait empty "$_reader" 15 \
    || { _vh_err "reader '$_reader' does not become empty"; return 1; }
  # shellcheck disable=SC2046
  ( exec 8>&- 9>&-
    _args=""
    eval "set -- $(cat "$_vh_d/args")"
    exec "$OCA_VCARD" --port "$_port" --host 127.0.0.1 \
      --state "$T/vcard-$(cat "$_vh_d/name").state" \
      --watch-pid "$_vh_me" --touch-file "$T/vcard-$(cat "$_vh_d/name").touch" \
      --apdu-log "$T/vcard-$(cat "$_vh_d/name").apdus" \
      --ready-file "$_vh_d/ready" "$@" \
      </dev/null >>"$T/vcard-$(cat "$_vh_d/name").log" 2>&1
  ) &
  echo $! > "$_vh_d/pid"
  if ! "$OCA_PCSC_LIST" --wait present "$_reader" 15; then
    _vh_err "card $1 did not appear in '$_reader'; its log:"
    tail -20 "$T/vcard-$(cat "$_vh_d/name").log" >&2
    return 1
  fi
  # The card in the reader must be ours: pcscd asked it for its ATR.
  _i=0
  while [ ! -e "$_vh_d/ready" ]; do
    _i=$((_i+1))
    if [ $_i -gt 150 ]; then
      _vh_err "'$_reader' holds a card not started by this harness"
      _vh_err "(something uses vpcd port $_port without the slot lock)"
      return 1
    fi
    _vh_sleep 0.1
  done
  return 0
}

# Quote one argument for eval.
_vh_quote () { printf "'%s' " "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# Take one free slot now (sets _vh_got...); 1 if none is free.
_vh_take_slot () {
  _vh_got=""
  _vh_each_slot _vh_try_slot
  [ -n "$_vh_got" ]
}

# (vcard_reserve) Wait for slot PORT itself; appends it to reserved.
_vh_wait_slot () {
  [ "$_n" -lt "$_want" ] || return 1
  _ready="$_vh_cards/slot-$1.ready"
  rm -f "$_ready"
  ( exec 8>&-
    exec 9>"$OCA_HARNESS_DIR/slot-$1.lock"
    flock -w "$OCA_SLOT_WAIT" 9 || exit 75
    : > "$_ready"
    while kill -0 "$_vh_me" 2>/dev/null; do sleep 1; done
  ) </dev/null >/dev/null 2>&1 &
  _holder=$!
  while [ ! -e "$_ready" ]; do
    if ! kill -0 "$_holder" 2>/dev/null; then
      _vh_err "vpcd slot $1 not free within ${OCA_SLOT_WAIT}s"
      _n=-1
      return 1
    fi
    _vh_sleep 0.05
  done
  echo "$1 $_holder $2" >> "$_vh_cards/reserved"
  _n=$((_n+1))
  return 0
}

vcard_reserve () {
  _want=$1
  _n=0
  : > "$_vh_cards/reserved"
  # The first N slots in their fixed order, waiting for each: every
  # multi-card test locks in the same order, and single-card plugs never
  # wait while holding a slot, so nobody can deadlock.
  _vh_each_slot _vh_wait_slot
  [ "$_n" -eq "$_want" ] && return 0
  [ "$_n" -ge 0 ] && _vh_err "only $_n vpcd slots configured, $_want wanted"
  while read -r _port _holder _reader; do
    kill "$_holder" 2>/dev/null
  done < "$_vh_cards/reserved"
  : > "$_vh_cards/reserved"
  return 1
}

vcard_profile () { echo "${OCA_VCARD_PROFILE:-permissive}"; }

# The description of the current profile, cached in $T.
_vh_profile_desc () {
  _pf="$T/vcard-profile-$(vcard_profile).desc"
  if [ ! -s "$_pf" ]; then
    "$OCA_VCARD" --profile "$(vcard_profile)" --describe > "$_pf" \
      || { _vh_err "unknown card profile '$(vcard_profile)'"; rm -f "$_pf"; return 1; }
  fi
  echo "$_pf"
}

vcard_profile_get () {
  _pf=$(_vh_profile_desc) || return 1
  sed -n "s/^$1 //p" "$_pf"
}

vcard_profile_has () {
  _pv=$(vcard_profile_get "$1") || return 1
  if [ $# -ge 2 ]; then
    case " $_pv " in *" $2 "*) return 0 ;; *) return 1 ;; esac
  fi
  [ "$_pv" = 1 ]
}

vcard_ca_algo () {
  if vcard_profile_has algos ed25519; then echo ed25519
  elif vcard_profile_has algos nistp256; then echo nistp256
  else echo rsa2048; fi
}

vcard_aid () {
  _pv=$(vcard_profile_get version) || return 1
  printf 'D27600012401%02d%02d%s%s0000\n' "${_pv%.*}" "${_pv#*.}" \
    "${2:-FFFE}" "$1"
}

vcard_plug () {
  _name=$1; shift
  case $_name in ''|*[!A-Za-z0-9_]*) _vh_err "bad card name '$_name'"; return 1;; esac
  [ -d "$_vh_cards/$_name" ] && { _vh_err "card $_name already plugged"; return 1; }
  _vh_got=""
  if [ -s "$_vh_cards/reserved" ]; then
    read -r _vh_got _vh_got_holder _vh_got_reader < "$_vh_cards/reserved"
    sed -i 1d "$_vh_cards/reserved"
  fi
  _end=$(( $(date +%s) + OCA_SLOT_WAIT ))
  while [ -z "$_vh_got" ]; do
    _vh_take_slot && break
    if [ "$(date +%s)" -ge "$_end" ]; then
      _vh_err "no free vpcd slot within ${OCA_SLOT_WAIT}s"
      return 1
    fi
    _vh_sleep 0.5
  done
  _vh_d="$_vh_cards/$_name"
  mkdir -p "$_vh_d"
  echo "$_name" > "$_vh_d/name"
  echo "$_vh_got" > "$_vh_d/port"
  echo "$_vh_got_reader" > "$_vh_d/reader"
  echo "$_vh_got_holder" > "$_vh_d/holder"
  : > "$_vh_d/args"
  case " $* " in
    *" --profile "*) ;;
    *) [ -n "${OCA_VCARD_PROFILE:-}" ] \
         && _vh_quote "--profile" >> "$_vh_d/args" \
         && _vh_quote "$OCA_VCARD_PROFILE" >> "$_vh_d/args" ;;
  esac
  for _a in "$@"; do _vh_quote "$_a" >> "$_vh_d/args"; done
  _vh_start_card "$_name" || return 1
  VCARD_READER=$_vh_got_reader
  export VCARD_READER
  return 0
}

vcard_plug_pinpad () {
  _pp=$(cat "$OCA_HARNESS_DIR/pinpad-slot" 2>/dev/null)
  if [ -z "$_pp" ]; then
    _vh_err "no pin-pad reader: pcscd was not started by the harness with $OCA_PINPAD_DRIVER"
    return 1
  fi
  _vh_save_slots=$OCA_VPCD_SLOTS
  OCA_VPCD_SLOTS=$_pp
  vcard_plug "$@"
  _rc=$?
  OCA_VPCD_SLOTS=$_vh_save_slots
  [ $_rc -eq 0 ] || return 1
  PINPAD_DIR=$OCA_HARNESS_DIR/pinpad
  export PINPAD_DIR
  rm -f "$PINPAD_DIR/keys" "$PINPAD_DIR/log"
  return 0
}

pinpad_keys () {
  ( flock -w 30 7 || exit 1
    for _e in "$@"; do printf '%s\n' "$_e"; done >> "$PINPAD_DIR/keys"
  ) 7>"$PINPAD_DIR/keys.lock"
}

pinpad_log () { cat "$PINPAD_DIR/log" 2>/dev/null; }

_vh_card_dir () {
  [ -d "$_vh_cards/$1" ] || { _vh_err "no card '$1'"; return 1; }
  echo "$_vh_cards/$1"
}

vcard_reader () { _vh_d=$(_vh_card_dir "$1") && cat "$_vh_d/reader"; }
vcard_pid () { _vh_d=$(_vh_card_dir "$1") && cat "$_vh_d/pid"; }
vcard_state () { echo "$T/vcard-$1.state"; }
vcard_touch () { : > "$T/vcard-$1.touch"; }
vcard_apdu_count () {
  if [ -f "$T/vcard-$1.apdus" ]; then wc -l < "$T/vcard-$1.apdus" | tr -d ' '
  else echo 0; fi
}

# Stop the card process of NAME and wait until its reader is empty.
_vh_stop_card () {
  _vh_d="$_vh_cards/$1"
  _p=$(cat "$_vh_d/pid" 2>/dev/null)
  [ -n "$_p" ] || return 0
  kill "$_p" 2>/dev/null
  wait "$_p" 2>/dev/null
  rm -f "$_vh_d/pid"
  "$OCA_PCSC_LIST" --wait empty "$(cat "$_vh_d/reader")" 15 || true
}

vcard_restart () {
  _vh_card_dir "$1" >/dev/null || return 1
  _vh_stop_card "$1"
  _vh_start_card "$1"
}

vcard_unplug () {
  _vh_d=$(_vh_card_dir "$1") || return 1
  _vh_stop_card "$1"
  kill "$(cat "$_vh_d/holder")" 2>/dev/null
  rm -rf "$_vh_d"
}

vcard_kill_agent () {
  "$GPGCONF" --homedir "$1" --kill all >/dev/null 2>&1
}

vcard_gnupghome () {
  _reader=$(vcard_reader "$1") || return 1
  _gh=$2
  mkdir -p "$_gh" && chmod 700 "$_gh" || return 1
  cat > "$_gh/scdaemon.conf" <<EOF
disable-ccid
pcsc-driver $PCSC_LIBRARY
pcsc-shared
reader-port $_reader
log-file $_gh/scdaemon.log
verbose
EOF
  cat > "$_gh/gpg-agent.conf" <<EOF
pinentry-program $_gh/pinentry
allow-loopback-pinentry
scdaemon-program $SCDAEMON
log-file $_gh/gpg-agent.log
EOF
  cat > "$_gh/gpg.conf" <<EOF
no-greeting
EOF
  cat > "$_gh/pinentry" <<EOF
#!/bin/sh
OCA_PINENTRY_DIR='$_gh' exec /bin/sh '$_vh_srcdir/test-pinentry.sh' "\$@"
EOF
  chmod 755 "$_gh/pinentry"
  : > "$_gh/pinentry.queue"
  vcard_default_pins "$_gh" 123456 12345678 ""
  echo "$_gh" >> "$_vh_cards/gnupghomes"
  return 0
}

vcard_pins () {
  _gh=$1; shift
  for _p in "$@"; do printf '%s\n' "$_p" >> "$_gh/pinentry.queue"; done
}

vcard_default_pins () {
  printf '%s\n' "$2" > "$1/pin.user"
  printf '%s\n' "$3" > "$1/pin.admin"
  printf '%s\n' "${4:-}" > "$1/pin.reset"
}

# Tear down what this test started (at exit).
_vh_teardown () {
  if [ -f "$_vh_cards/reserved" ]; then
    while read -r _port _holder _reader; do
      kill "$_holder" 2>/dev/null
    done < "$_vh_cards/reserved"
  fi
  if [ -f "$_vh_cards/gnupghomes" ]; then
    while read -r _gh; do vcard_kill_agent "$_gh"; done < "$_vh_cards/gnupghomes"
  fi
  for _vh_d in "$_vh_cards"/*/; do
    [ -f "$_vh_d/name" ] || continue
    vcard_unplug "$(cat "$_vh_d/name")"
  done
}
