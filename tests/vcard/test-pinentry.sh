#!/bin/sh
# test-pinentry.sh - a pinentry for tests: answers GETPIN from files
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Speaks just enough of the pinentry Assuan protocol for gpg-agent.
# $OCA_PINENTRY_DIR (set by the wrapper harness.sh writes into each
# GNUPGHOME) holds:
#   pinentry.queue   PINs answered in order, one per line (consumed)
#   pin.user, pin.admin, pin.reset
#                    answers when the queue is empty, chosen by the
#                    prompt/description ("admin", "reset code", other);
#                    an empty file cancels the prompt
#   pinentry.log     one line per prompt (the prompt text, never a PIN)
#   pin.last         the previous answer: a "Repeat this PIN" prompt
#                    gets it again

dir=${OCA_PINENTRY_DIR:?OCA_PINENTRY_DIR not set}
desc=""
prompt=""
repeat=""

# Print the next PIN for the current prompt (empty: cancel).
next_pin () {
  (
    flock -w 10 7
    q="$dir/pinentry.queue"
    if [ -s "$q" ]; then
      head -n 1 "$q"
      tail -n +2 "$q" > "$q.new" && mv "$q.new" "$q"
      exit 0
    fi
    case "$prompt $desc" in
      *[Aa][Dd][Mm][Ii][Nn]*) f=pin.admin ;;
      *[Rr][Ee][Ss][Ee][Tt]*[Cc][Oo][Dd][Ee]*) f=pin.reset ;;
      *) f=pin.user ;;
    esac
    cat "$dir/$f" 2>/dev/null
  ) 7>"$dir/pinentry.lock"
}

echo "OK Pleased to meet you"
while IFS= read -r line; do
  line=${line%"$(printf '\r')"}
  cmd=${line%% *}
  arg=""
  [ "$cmd" != "$line" ] && arg=${line#* }
  case $cmd in
    SETDESC) desc=$arg; echo "OK" ;;
    SETPROMPT) prompt=$arg; echo "OK" ;;
    SETREPEAT) repeat=1; echo "OK" ;;
    GETPIN)
      printf 'GETPIN prompt=%s desc=%s\n' "$prompt" "$desc" \
        >> "$dir/pinentry.log"
      case "$prompt $desc" in
        *[Rr]epeat*) pin=$(cat "$dir/pin.last" 2>/dev/null) ;;
        *) pin=$(next_pin) ;;
      esac
      printf '%s\n' "$pin" > "$dir/pin.last"
      if [ -z "$pin" ]; then
        echo "ERR 83886179 Operation cancelled <Pinentry>"
      else
        [ -n "$repeat" ] && echo "S PIN_REPEATED"
        printf 'D %s\n' "$(printf '%s' "$pin" | sed 's/%/%25/g')"
        echo "OK"
      fi
      repeat=""
      ;;
    GETINFO)
      case $arg in
        pid) echo "D $$"; echo "OK" ;;
        version) echo "D 1.2.1"; echo "OK" ;;
        flavor) echo "D oca-test"; echo "OK" ;;
        *) echo "OK" ;;
      esac
      ;;
    CONFIRM|MESSAGE)
      printf '%s %s\n' "$cmd" "$desc" >> "$dir/pinentry.log"
      echo "OK" ;;
    BYE) echo "OK closing connection"; exit 0 ;;
    *) echo "OK" ;;
  esac
done
exit 0
