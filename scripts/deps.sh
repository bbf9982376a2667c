#!/bin/sh
# deps.sh - install oca's build and test dependencies on Debian 12
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs only what is missing; needs root (or sudo) when something is.
set -e
PKGS="build-essential autoconf automake pkg-config
      libgpg-error-dev libgcrypt20-dev libassuan-dev libsqlite3-dev
      libpcsclite-dev pcscd vsmartcard-vpcd pcsc-tools opensc
      gnupg gpg-agent scdaemon sq sq-wot sqlite3 e2fsprogs fuse2fs
      dirmngr gpg-wks-client nginx sks openssl curl ca-certificates strace
      systemd
      faketime
      clang libclang-rt-14-dev"
# --list: print the package names (used by .ci/run).
if [ "${1:-}" = --list ]; then echo $PKGS; exit 0; fi
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps.sh: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $missing
