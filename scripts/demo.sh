#!/bin/sh
# demo.sh - set up a fresh Debian 12 machine, build oca, and run a CA
#           end to end, showing GnuPG accept the CA's certifications.
# SPDX-License-Identifier: GPL-3.0-or-later
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
sh scripts/deps.sh
echo "demo.sh: building oca (log: _build-demo/build.log)"
mkdir -p _build-demo
{
  [ -x configure ] || ./autogen.sh
  cd _build-demo
  [ -f Makefile ] || ../configure
  make -j"$(nproc 2>/dev/null || echo 2)"
} > _build-demo/build.log 2>&1 || { tail -30 _build-demo/build.log; exit 1; }
cd "$top/_build-demo"
OCA=$(pwd)/src/oca
cd "$top"

W=$(mktemp -d /tmp/oca-demo.XXXXXX)
trap 'gpgconf --homedir "$W/gnupg" --kill all 2>/dev/null; rm -rf "$W"' EXIT
export OPENPGP_CA_DB="$W/ca.sqlite"
step () { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Create a softkey CA for example.org"
"$OCA" ca init --domain example.org --algo ed25519 softkey

step "Centralised: the CA creates Alice's key"
"$OCA" user add --email alice@example.org --name "Alice Adams" \
  > "$W/alice.priv"
echo "(Alice's private key and passphrase were printed once; saved for the demo)"

step "Decentralised: Bob makes his own key with GnuPG, the CA certifies it"
mkdir -m 700 "$W/bob"
gpg --homedir "$W/bob" --batch --quiet --passphrase '' \
  --quick-gen-key "Bob Baker <bob@example.org>" ed25519 cert never
gpg --homedir "$W/bob" --armor --export bob@example.org > "$W/bob.asc"
"$OCA" user import --email bob@example.org --file "$W/bob.asc"
step "The CA's users"
"$OCA" user list

step "A fresh GnuPG checks every certification"
mkdir -m 700 "$W/gnupg"
"$OCA" ca export > "$W/ca.asc"
"$OCA" user export > "$W/users.asc"
gpg --homedir "$W/gnupg" --batch --quiet --import "$W/ca.asc" "$W/users.asc"
fpr=$("$OCA" ca show | awk '/Fingerprint:/ {print $2}')
echo "$fpr:6:" | gpg --homedir "$W/gnupg" --batch --import-ownertrust
gpg --homedir "$W/gnupg" --batch --check-sigs alice@example.org bob@example.org
step "Validity as GnuPG computes it (CA at ultimate trust)"
gpg --homedir "$W/gnupg" --batch --list-keys alice@example.org bob@example.org \
  | grep -E '^uid'

# The same CA flow with the key on an OpenPGP card: the virtual card
# stands in for a YubiKey/Nitrokey/Gnuk on the real PC/SC stack.
if [ "$(id -u)" -eq 0 ] || pgrep -x pcscd >/dev/null 2>&1; then
  sh "$top/scripts/demo-card.sh" "$top/_build-demo"
else
  echo "(card demo skipped: needs root to start pcscd, or a running pcscd)"
fi
