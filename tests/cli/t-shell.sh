#!/bin/sh
# t-shell.sh - oca in the shell: -d/--database after group and command,
#              --version, usage errors that name the command's --help,
#              bash completion of every group, command and option, and
#              what `make install' puts in place
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

BASH_=$(command -v bash) || { not_ok "bash installed"; tap_done; exit 1; }
COMPLETION="$abs_top_srcdir/doc/bash-completion/oca"

# Every group, every command of a group, every option of a command, as
# the help texts list them.
groups () { "$OCA" --help | awk '$0=="Groups:"{on=1;next} on&&/^$/{exit} on{print $1}'; }
commands () { "$OCA" "$1" --help | awk '$0=="Commands:"{on=1;next} on&&/^$/{exit} on{print $1}'; }
options () {  # the option words of the "Options:" of a help text on stdin
  sed -n '/^Options:$/,$ s/^ *\(-.*\)$/\1/p' | sed 's/  .*//' | tr ', ' '\n\n' |
    grep -E '^--?[a-zA-Z]' | sed 's/=.*//'
}

# --version names the reference version.
check "--version" oca --version
like "--version: oca's version" "$T/out" '^oca [0-9]+\.[0-9]+'
like "--version: the reference it is compatible with" "$T/out" 'compatible with OpenPGP CA \(oca\) 0\.14'

# -d/--database after the group and after the command.
DB="$T/ca.db"
check "ca init -d after the command" oca ca init --domain example.org --algo ed25519 softkey -d "$DB"
CA=$(ca_fpr "$DB")
for form in "ca show -d $DB" "ca show --database $DB" "ca show --database=$DB" \
            "ca show -d$DB" "ca -d $DB show" "ca --database=$DB show"; do
  # shellcheck disable=SC2086
  check "oca $form" oca $form
  like "oca $form: the CA" "$T/out" "Fingerprint: $CA\$"
done
KEY=$(gen_gpg_key "$T/k.asc" "Kim <kim@example.org>")
check "-d between options" oca user import -e kim@example.org -d "$DB" -f "$T/k.asc"
check "-d at the end, after a flag" oca user list --with-colons -d "$DB"
like "-d after a flag: the user" "$T/out" "^crt:$KEY:"
oca bridge new --commit -d "$DB" "$T/missing.asc" >"$T/out" 2>"$T/err"
like "-d after a flag of the command (--commit)" "$T/err" "^oca: can't open '$T/missing.asc'"
check "-d wins over OPENPGP_CA_DB" env OPENPGP_CA_DB="$T/none.db" "$OCA" ca show -d "$DB"
# The value of an option that takes one is not -d: --name -dave.
check "a value '-dave' stays the option's" oca user add -e dave@example.org --name -dave -d "$DB"
oca -d "$DB" user list > "$T/list"
like "a value '-dave': the user's name" "$T/list" "^ User '-dave'\$"
oca ca show -d >"$T/out" 2>"$T/err"
is "-d without a value: exit 2" $? 2
like "-d without a value: message" "$T/err" "^oca: option '-d' needs an argument \\(see 'oca ca show --help'\\)\$"

# Usage errors name the command's --help, for every command.
for g in $(groups); do
  for c in $(commands "$g"); do
    "$OCA" -d "$T/x.db" "$g" "$c" --no-such-option >"$T/out" 2>"$T/err"
    is "$g $c: unknown option: exit 2" $? 2
    one_line "$g $c: one line" "$T/err"
    like "$g $c: names 'oca $g $c --help'" "$T/err" "^oca: .* \\(see 'oca $g $c --help'\\)\$"
  done
done
test ! -e "$T/x.db"; is "usage errors create no database" $? 0
"$OCA" -d "$T/x.db" ca init --domain example.org >"$T/out" 2>"$T/err"
is "ca init without backend: exit 2" $? 2
like "ca init without backend: names both" "$T/err" "a backend is required \\(softkey or card\\) \\(see 'oca ca init --help'\\)"

# Bash completion: what bash offers for "oca WORDS" with the cursor on
# the last word.
complete_ () {
  "$BASH_" -c '
    . "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _oca; printf "%s\n" "${COMPREPLY[@]}"' sh "$COMPLETION" "$OCA" "$@"
}
offers () {  # offers DESC WANT WORDS...
  _d=$1 _w=$2; shift 2
  if complete_ "$@" | grep -qxF -- "$_w"; then ok "$_d"; else
    not_ok "$_d"; diag "completing 'oca $*' does not offer '$_w':"
    complete_ "$@" | sed 's/^/#   /' | head -20
  fi
}
"$BASH_" -n "$COMPLETION"; is "completion: bash syntax" $? 0
"$BASH_" -c '. "$1"; complete -p oca' sh "$COMPLETION" > "$T/out" 2>&1
like "completion: registered for oca" "$T/out" '^complete -F _oca oca$'
for o in $("$OCA" --help | options); do
  offers "oca $o" "$o" -
done
n=0
for g in $(groups); do
  offers "oca $g" "$g" ""
  for c in $(commands "$g"); do
    offers "oca $g $c" "$c" "$g" ""
    for o in $("$OCA" "$g" "$c" --help | options) --database; do
      offers "oca $g $c $o" "$o" "$g" "$c" -
      n=$((n + 1))
    done
  done
done
test "$n" -gt 40; is "completion: checked $n options" $? 0
offers "oca ca s: show" show ca s
offers "a backend for ca init" softkey ca init --domain example.org ""
offers "a check for user check" certifications user check c
touch "$T/remote-ca.asc"
offers "a file after --file" "$T/remote-ca.asc" user import --file "$T/remote"
offers "a file for bridge new" "$T/remote-ca.asc" bridge new "$T/remote"
offers "the database after -d" "$T/remote-ca.asc" ca show -d "$T/remote"
offers "routes after --scd" gpg-agent card list --scd ""
complete_ user add --email "" > "$T/out"
is "no file names for --email's value" "$(grep -c . "$T/out")" 0

# make install: the completion and the card guide are installed.
inst="$T/inst"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -s -C "$abs_top_builddir/doc" \
  install DESTDIR="$inst" prefix=/usr >"$T/out" 2>&1
is "make install (doc/)" $? 0
test -f "$inst/usr/share/bash-completion/completions/oca"
is "make install: bash completion in share/bash-completion/completions" $? 0
test -f "$inst/usr/share/doc/oca/card-backend.md"
is "make install: doc/card-backend.md in share/doc/oca" $? 0
test -f "$inst/usr/share/man/man1/oca.1"
is "make install: oca(1)" $? 0

tap_done
