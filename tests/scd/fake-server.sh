#!/bin/sh
# fake-server.sh - a canned Assuan server for asschk's self-test
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Answers a handful of commands the way an Assuan server does, so
# t-asschk.sh can check that asschk accepts correct conversations and
# reports wrong ones.  Not a model of scdaemon.
echo "OK fake server ready"
while IFS= read -r line; do
  case "$line" in
    NOP) echo OK ;;
    "ECHO "*) echo "S ECHO ${line#ECHO }"; echo OK ;;
    DATA) echo "D abc%25%0Adef"; echo "D %00%FF"; echo OK ;;
    FAIL) echo "ERR 100663351 Invalid value <SCD>" ;;
    ASK)
      echo "INQUIRE NEEDPIN ||Please enter the PIN"
      IFS= read -r d; IFS= read -r e
      echo "S GOT $d $e"; echo OK ;;
    LONG) printf 'S X %01100d\n' 0; echo OK ;;
    GARBAGE) echo "HELLO WORLD"; echo OK ;;
    SLOW) sleep 3; echo OK ;;
    BYE) echo "OK closing connection"; exit 0 ;;
    *) echo "ERR 100663571 Unknown IPC command <SCD>" ;;
  esac
done
