# crash-lib.sh - kill -9 a command at chosen moments (crash-consistency tests)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Source after lib.sh.  Provides:
#
#   crash_rand N            a random integer in [0, N)
#   now_ms                  milliseconds since the epoch
#   crash_kill_after MS CMD...
#   crash_kill_at_journal DB MS CMD...
#                           run CMD in the background (output in
#                           $T/crash.out, $T/crash.err) and kill -9 it
#                           MS milliseconds after its start, or MS
#                           milliseconds after DB's rollback journal
#                           appeared (the command is writing); set
#                           CRASH_HOW to "killed" when the signal ended
#                           it, else to "exit N"
#   crash_kill_at_syscall SYSCALL N CMD...
#                           run CMD under strace, which sends SIGKILL to
#                           it when it enters its Nth SYSCALL (e.g. the
#                           37th pwrite64: a precise point of SQLite's
#                           commit); sets CRASH_HOW like the others
#   crash_count_syscalls FILE SYSCALL...
#                           run the command in $CRASH_CMD (a complete
#                           run) under strace -c and write
#                           "SYSCALL COUNT" lines for each SYSCALL to FILE
#   sq DB SQL               run SQL with the sqlite3 CLI
#   db_integrity DB         PRAGMA integrity_check (after SQLite rolled
#                           back a hot journal, as any opener does)

crash_rand () {
  od -An -N4 -tu4 /dev/urandom | awk -v n="$1" '{ print $1 % n }'
}

now_ms () { echo $(( $(date +%s%N) / 1000000 )); }

_crash_sleep_ms () { sleep "$(awk -v m="$1" 'BEGIN { printf "%.3f", m / 1000 }')"; }

# _crash_reap PID: kill -9 PID if it still runs, wait for it and set
# CRASH_HOW.
_crash_reap () {
  kill -9 "$1" 2>/dev/null
  # (bash reports a killed job on stderr: not in the TAP stream)
  wait "$1" 2>/dev/null
  _rc=$?
  if [ "$_rc" -eq 137 ]; then CRASH_HOW=killed; else CRASH_HOW="exit $_rc"; fi
}

crash_kill_after () {
  _ms=$1; shift
  "$@" > "$T/crash.out" 2> "$T/crash.err" &
  _pid=$!
  _crash_sleep_ms "$_ms"
  _crash_reap "$_pid"
}

crash_kill_at_journal () {
  _db=$1 _ms=$2; shift 2
  "$@" > "$T/crash.out" 2> "$T/crash.err" &
  _pid=$!
  _i=0
  while [ ! -e "$_db-journal" ] && [ $_i -lt 20000 ] \
        && kill -0 "$_pid" 2>/dev/null; do
    _i=$((_i + 1))
  done
  _crash_sleep_ms "$_ms"
  _crash_reap "$_pid"
}

# Only the main thread is traced (no -f): oca talks to the database
# from it.  LeakSanitizer cannot run under ptrace: off for these runs.
crash_kill_at_syscall () {
  _sc=$1 _n=$2; shift 2
  # (in a subshell that outlives strace: bash reports a command killed
  # by a signal on stderr, which is not the TAP stream)
  ( ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
      "$STRACE" -o /dev/null -e trace="$_sc" \
      -e inject="$_sc":signal=KILL:when="$_n" \
      "$@" > "$T/crash.out" 2> "$T/crash.err"
    exit $? ) 2>/dev/null
  _rc=$?
  if [ "$_rc" -eq 137 ]; then CRASH_HOW=killed; else CRASH_HOW="exit $_rc"; fi
}

crash_count_syscalls () {
  _f=$1; shift
  _list=$(echo "$@" | tr ' ' ,)
  # shellcheck disable=SC2086
  ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
    "$STRACE" -c -o "$T/crash.count" -e trace="$_list" $CRASH_CMD \
    > "$T/crash.out" 2> "$T/crash.err" || return 1
  for _sc in "$@"; do
    echo "$_sc $(awk -v s="$_sc" '$NF == s { print $4; f = 1 } END { if (!f) print 0 }' "$T/crash.count")"
  done > "$_f"
}

: "${STRACE:=$(command -v strace)}"

sq () { "$SQLITE3" "$1" "$2"; }

db_integrity () { "$SQLITE3" "$1" "PRAGMA integrity_check"; }
