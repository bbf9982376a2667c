#!/bin/sh
# t-split.sh - split mode (ca split into, merge, export, certify, import,
#              show-queue): the round trip through the exchange files,
#              gpg and sq-wot accepting the result, tampered and
#              replayed responses refused with the front unchanged
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

SQWOT=$(command -v sq-wot) || { not_ok "sq-wot installed"; tap_done; exit 1; }
O="$T/orig.db" F="$T/front.db" B="$T/back.db"
ocf () { "$OCA" -d "$F" "$@"; }
ocb () { "$OCA" -d "$B" "$@"; }

check "ca init" oca -d "$O" ca init --domain example.org softkey
CA=$(ca_fpr "$O")
check "user add alice (before the split)" \
  oca -d "$O" user add -e alice@example.org -n Alice

# --- split into -------------------------------------------------------
check "split into" oca -d "$O" ca split into -f "$F" -b "$B"
is "split into prints nothing" "$(cat "$T/out")" ""
is "front is mode 0600" "$(stat -c %a "$F")" 600
is "back is mode 0600" "$(stat -c %a "$B")" 600
check_fails "split into refuses an existing front" \
  oca -d "$O" ca split into -f "$F" -b "$T/b2.db"
one_line "one line" "$T/err"
like "names it" "$T/err" "front.db' exists already"
check "ca show (front)" ocf ca show
like "front: backend line" "$T/out" '^   CA Backend: Split-mode front instance$'
like "front: fingerprint" "$T/out" "^  Fingerprint: $CA\$"
check "ca show (back)" ocb ca show
like "back: backend line" "$T/out" \
  '^   CA Backend: Split-mode back instance \(based on: Softkey \(private key material in CA database\)\)$'
check "ca show --with-colons (front)" ocf ca show --with-colons
like "front: colons backend" "$T/out" "^ca:example.org:$CA:[0-9]*:split-front:"
check_fails "ca private on the front" ocf ca private
like "front: unsupported" "$T/err" "^oca: Operation unsupported for this backend type$"
check "ca private on the back" ocb ca private
like "back: the key" "$T/out" "BEGIN PGP PRIVATE KEY BLOCK"
check "user list (front keeps the users)" ocf user list
like "front: alice, certified" "$T/out" "- 'Alice <alice@example.org>'"
check "user list (back has none)" ocb user list
is "back: nothing" "$(cat "$T/out")" ""
check_fails "split into on a front" ocf ca split into -f "$T/f2" -b "$T/b2"
like "front: not splittable" "$T/err" "Splitting operation not supported for this backend type"
check_fails "ca revocations on the front" ocf ca revocations -o "$T/rev"
like "front: perform it on the back" "$T/err" \
  "Operation is not supported on a split-mode CA front instance. Please perform it on your back CA instance."

# --- the front queues ---------------------------------------------------
bob=$(gen_gpg_key "$T/bob.asc" "Bob <bob@example.org>" "Bob <bob@elsewhere.example>")
check "user import bob (front)" ocf user import -e bob@example.org -f "$T/bob.asc"
check "user add carol (front)" ocf user add -e carol@example.org -n Carol
like "carol's key handed out" "$T/out" "BEGIN PGP PRIVATE KEY BLOCK"
check "a remote CA" oca -d "$T/beta.db" ca init --domain beta.example softkey
oca -d "$T/beta.db" ca export > "$T/beta.asc"
check "bridge new --commit (front)" ocf bridge new --commit "$T/beta.asc"
check "bridge list: no trust signature yet" ocf bridge list
like "queued, not signed" "$T/out" "^Bridge to 'openpgp-ca@beta.example' \[no trust signature\], \(scope: 'beta.example'\)$"
check "user check certifications: bob not yet" ocf user check certifications
like "bob uncertified" "$T/out" "^No mutual certification for $bob"

check "show-queue" ocf ca split show-queue
cp "$T/out" "$T/queue"
cat > "$T/want" <<EOF
Certification request [#1]
  For User IDs ["Bob <bob@example.org>"]
  On $bob
  No expiration
Certification request [#2]
  For User IDs ["Carol <carol@example.org>"]
  No expiration
Bridging request [#3]
  Scoped to '<[^>]+[@.]beta\\.example>\$'
EOF
grep -v -e '^  Queued: [0-9-]* [0-9:]* UTC$' -e '^$' -e '^  On [0-9A-F]\{40\}$' \
  -e '^  For [0-9A-F]\{40\}$' "$T/queue" > "$T/got"
grep -v -e '^  On [0-9A-F]\{40\}$' -e '^  For [0-9A-F]\{40\}$' "$T/want" > "$T/want2"
check "show-queue lines as openpgp-ca" cmp "$T/want2" "$T/got"
like "bob's request on his key" "$T/queue" "^  On $bob\$"
is "a Queued line per request" "$(grep -c '^  Queued: [0-9-]* [0-9:]* UTC$' "$T/queue")" 3

# --- export, certify ----------------------------------------------------
check_fails "export on the back" ocb ca split export -f "$T/x.json"
like "front only" "$T/err" "^oca: Operation is only supported on split mode front instances.$"
check "export" ocf ca split export -f "$T/req.json"
like "export: count" "$T/out" "^Exported queue with 3 entries for processing by the back instance$"
like "request: version" "$T/req.json" '^  "version": 1,$'
like "request: CA" "$T/req.json" "^  \"ca_fingerprint\": \"$CA\",\$"
like "request: entry with its time" "$T/req.json" '^      "[0-9-]{10}T[0-9:]{8}Z",$'
like "request: certification task" "$T/req.json" '^        "CertificationReq": \{$'
like "request: bridge task" "$T/req.json" '^        "BridgeReq": \{$'
check_fails "certify on the front" ocf ca split certify -i "$T/req.json" -e "$T/x.json" --batch
like "back only" "$T/err" "^oca: Operation is only supported on split mode back instances.$"
check_fails "certify without -e" ocb ca split certify -i "$T/req.json" --batch
like "usage error names --help" "$T/err" "see 'oca ca split --help'"
check_fails "certify without a terminal asks nobody" \
  sh -c "setsid '$OCA' -d '$B' ca split certify -i '$T/req.json' -e '$T/x.json' < /dev/null"
like "no terminal" "$T/err" "no terminal to ask whether to certify \(use --batch\)"
# Asking on the terminal (a pty from script(1)): yes to the first, no
# to the others.
printf 'y\nn\nn\n' > "$T/answers"
check "certify, asking on the terminal" script -qec \
  "'$OCA' -d '$B' ca split certify -i '$T/req.json' -e '$T/resp-asked.json'" \
  /dev/null < "$T/answers"
tr -d '\r' < "$T/out" > "$T/asked"
like "asks" "$T/asked" '^Certify\? \[y/n\]$'
like "shows bob's request" "$T/asked" "^Bind key $bob with\$"
like "and the User ID" "$T/asked" "^- 'Bob <bob@example.org>'\$"
like "shows the bridge's" "$T/asked" "^Request for bridge certification \[created [0-9-]{10} [0-9:]{8} UTC\]:\$"
is "skips the two refused" "$(grep -c '^Skipping this queue entry$' "$T/asked")" 2
like "one answered" "$T/asked" "^Processed 1 certification requests\$"
is "the response holds one answer" "$(grep -c '"CertificationResp"\|"BridgeResp"' "$T/resp-asked.json")" 1
check "certify --batch" ocb ca split certify -i "$T/req.json" -e "$T/resp.json" --batch
like "certify: heading" "$T/out" "^Processing 3 certification requests, exported on [0-9-]{10} [0-9:]{8} UTC\.$"
like "certify: count" "$T/out" "^Processed 3 certification requests$"
like "response: certification" "$T/resp.json" '^        "CertificationResp": \{$'
like "response: bridge" "$T/resp.json" '^        "BridgeResp": \{$'
# 0.14's padding fix: every signature is padded base64.
sed -n '/"sigs"/,/\]/p' "$T/resp.json" | grep '^ *"[A-Za-z0-9+/=]*",\{0,1\}$' \
  | tr -d ' ",' > "$T/sigs"
is "response: two signatures" "$(wc -l < "$T/sigs")" 2
is "response: padded base64" "$(awk 'length($0) % 4' "$T/sigs")" ""

# --- tampered responses: one line, nothing changed ----------------------
cp "$F" "$T/front.before"
refused () {
  check_fails "tampered ($1) refused" ocf ca split import -i "$2"
  one_line "tampered ($1): one line" "$T/err"
  like "tampered ($1): says why" "$T/err" "$3"
  check "tampered ($1): front byte-identical" cmp "$F" "$T/front.before"
}
sig1=$(head -1 "$T/sigs")
printf '%s' "$sig1" | base64 -d > "$T/sig.bin"
sz=$(stat -c %s "$T/sig.bin")
b=$(od -An -tu1 -j $((sz - 1)) -N1 "$T/sig.bin" | tr -d ' ')
printf "\\$(printf %o $((b ^ 1)))" | dd of="$T/sig.bin" bs=1 seek=$((sz - 1)) conv=notrunc 2>/dev/null
flipped=$(base64 -w0 < "$T/sig.bin")
sed "s|$sig1|$flipped|" "$T/resp.json" > "$T/t-flip.json"
refused "flipped signature byte" "$T/t-flip.json" "is not a valid certification by this CA"
sed "s/\"ca_fingerprint\": \"$CA\"/\"ca_fingerprint\": \"$(keyid "$CA")$(keyid "$CA")CAFE0000\"/" \
  "$T/resp.json" > "$T/t-fpr.json"
refused "wrong CA fingerprint" "$T/t-fpr.json" "^oca: Unexpected remote CA "
sed 's/^  "version": 1,$/  "version": 2,/' "$T/resp.json" > "$T/t-ver.json"
refused "wrong version" "$T/t-ver.json" "^oca: Unexpected response format version 2$"
sed 's/^      1,$/      99,/' "$T/resp.json" > "$T/t-id.json"
refused "unknown request id" "$T/t-id.json" "^oca: Got a result for an unexpected queue id: 99$"
# Signatures by another CA's key: its back answers the same request.
check "another CA" oca -d "$T/other.db" ca init --domain example.org softkey
OTHER=$(ca_fpr "$T/other.db")
check "its split" oca -d "$T/other.db" ca split into -f "$T/of.db" -b "$T/ob.db"
sed "s/$CA/$OTHER/" "$T/req.json" > "$T/oreq.json"
check "the other back certifies" oca -d "$T/ob.db" ca split certify -i "$T/oreq.json" -e "$T/oresp.json" --batch
sed "s/$OTHER/$CA/" "$T/oresp.json" > "$T/t-other.json"
refused "signature by another key" "$T/t-other.json" "is not a valid certification by this CA|no valid trust signature by this CA"
printf '{"version": 1, "ca_fingerprint": "%s", "created": "x", "queue": [' "$CA" > "$T/t-json.json"
refused "not JSON" "$T/t-json.json" "not a response file of a split CA"

# --- import ---------------------------------------------------------------
check_fails "import on the back" ocb ca split import -i "$T/resp.json"
check "import" ocf ca split import -i "$T/resp.json"
is "import: output" "$(cat "$T/out")" "Imported 3 certifications from the back instance."
check "show-queue: empty" ocf ca split show-queue
is "nothing left" "$(cat "$T/out")" ""
check "export: nothing" ocf ca split export -f "$T/req2.json"
is "export: nothing to do" "$(cat "$T/out")" "The queue contains no requests for the back instance, didn't export."
check "no file written" test ! -e "$T/req2.json"
check "bridge list: signed now" ocf bridge list
is "bridge" "$(cat "$T/out")" "Bridge to 'openpgp-ca@beta.example', (scope: 'beta.example')"
cp "$F" "$T/front.before"
check "import again (replay)" ocf ca split import -i "$T/resp.json"
cp "$T/out" "$T/replay"
cat > "$T/want" <<EOF
Imported 3 certifications from the back instance.
WARN: 3 certifications were ignored (they were already imported).
EOF
check "replay: the reference's WARN line" cmp "$T/want" "$T/replay"
check "replay: nothing stored twice (byte-identical)" cmp "$F" "$T/front.before"

# --- gpg and sq-wot accept what the back made -----------------------------
ocf ca export > "$T/ca.asc"
ocf user export > "$T/all.asc"
gpg_ --import "$T/all.asc" 2>/dev/null
echo "$CA:6:" | gpg_ --import-ownertrust 2>/dev/null
gpg_ --check-trustdb >/dev/null 2>&1
is "gpg: bob@example.org valid through the CA" \
  "$(uid_validity "$bob" "Bob <bob@example.org>")" f
v=$(uid_validity "$bob" "Bob <bob@elsewhere.example>")
is "gpg: bob@elsewhere.example (not requested) is not valid" \
  "$(case $v in f|u) echo valid ;; *) echo no ;; esac)" no
sig_lines "$bob" > "$T/sl"
like "gpg: the CA's certification verifies" "$T/sl" "^Bob <bob@example.org>\|!\|$(keyid "$CA")\|10x$"
check "sq-wot: bob authenticated from the CA" \
  "$SQWOT" --keyring "$T/all.asc" --trust-root "$CA" lookup --email bob@example.org
like "sq-wot: fully" "$T/out" "fully authenticated \(100%\)"
check "sq-wot: carol too" \
  "$SQWOT" --keyring "$T/all.asc" --trust-root "$CA" lookup --email carol@example.org
check_fails "sq-wot: bob@elsewhere.example is not" \
  "$SQWOT" --keyring "$T/all.asc" --trust-root "$CA" lookup --email bob@elsewhere.example

# --- ca re-certify on a front queues, with the validity (openpgp-ca) ------
check "the CA's next key" oca -d "$T/new.db" ca init --domain example.org softkey
check "its split" oca -d "$T/new.db" ca split into -f "$T/nf.db" -b "$T/nb.db"
ocf user export -e bob@example.org > "$T/bob-old.asc"
check "new front: bob imported (queued)" \
  oca -d "$T/nf.db" user import -e bob@example.org -f "$T/bob-old.asc"
ocf ca export > "$T/oldca.asc"
check "re-certify on the new front" oca -d "$T/nf.db" ca re-certify -p "$T/oldca.asc" -v 30
like "one User ID" "$T/out" "^Re-certified 1 User ID on 1 certificate.\$"
check "show-queue" oca -d "$T/nf.db" ca split show-queue
is "two requests for bob" "$(grep -c "^  On $bob\$" "$T/out")" 2
like "the second limited to 30 days" "$T/out" "^  Limited to 30 days\$"
check "export" oca -d "$T/nf.db" ca split export -f "$T/req4.json"
like "days in the request" "$T/req4.json" '^          "days": 30$'
check "the new back answers" oca -d "$T/nb.db" ca split certify -i "$T/req4.json" -e "$T/resp4.json" --batch
check "the new front imports" oca -d "$T/nf.db" ca split import -i "$T/resp4.json"
like "two" "$T/out" "^Imported 2 certifications from the back instance.\$"

# --- merge -----------------------------------------------------------------
check_fails "merge on the back" ocb ca split merge -b "$B"
like "merge: front only" "$T/err" "^oca: Merge operation not supported for this backend type$"
check_fails "merge of another CA's back" ocf ca split merge -b "$T/ob.db"
like "merge: different CA" "$T/err" "^oca: Front $CA and back $OTHER instance use different CA fingerprints$"
check "merge" ocf ca split merge -b "$B"
check "ca show after merge" ocf ca show
like "softkey again" "$T/out" '^   CA Backend: Softkey \(private key material in CA database\)$'
check "ca private after merge" ocf ca private
dave=$(gen_gpg_key "$T/dave.asc" "Dave <dave@example.org>")
check "user import dave (merged CA)" ocf user import -e dave@example.org -f "$T/dave.asc"
check "user list" ocf user list
like "dave certified at once" "$T/out" "- 'Dave <dave@example.org>'"
like "carol's tsig on the CA kept" "$T/out" "Has trust-signed this CA"
check_fails "show-queue after merge (no front)" ocf ca split show-queue
check "--help" oca ca split --help
like "help: every command" "$T/out" "oca ca split certify -i FILE -e FILE \[--batch\]"

tap_done
