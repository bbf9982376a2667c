/* cli-help.c - the help texts of oca's commands
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What `oca GROUP COMMAND --help' prints (oca.c's dispatch table
 * points here).  Keep them true with doc/oca.1.
 */
#include <config.h>
#include "cli.h"


const char cmd_help_ca_init[] =
  "Usage: oca ca init --domain DOMAIN [--name NAME] [--cipher-suite SUITE]\n"
  "                   [--validity DAYS] BACKEND\n"
  "\n"
  "Create the CA: generate its key and store it in the database.\n"
  "\n"
  "Options:\n"
  "  -D, --domain DOMAIN  domain of the CA (the CA's User ID is\n"
  "                       'NAME <openpgp-ca@DOMAIN>')\n"
  "  -n, --name NAME      descriptive name in the CA's User ID\n"
  "                       (default 'OpenPGP CA')\n"
  "      --cipher-suite SUITE\n"
  "                       cv25519 (default), rsa2k, rsa3k, rsa4k, p256,\n"
  "                       p384 or p521\n"
  "  -a, --algo SUITE     the same\n"
  "      --validity DAYS  the CA key expires after DAYS days (default:\n"
  "                       never; see 'ca extend')\n"
  "  -h, --help           print this help\n"
  "\n"
  "Backends:\n"
  "  softkey              the private key lives in the CA database\n"
  "  card [IDENT]         the key lives on an OpenPGP card (see below)\n";

const char cmd_help_ca_show[] =
  "Usage: oca ca show [--with-colons]\n"
  "\n"
  "Print the CA's domain, fingerprint, creation time, expiration and\n"
  "backend, and a card CA's backup cards (with their readers when the\n"
  "card server finds them).\n"
  "\n"
  "Options:\n"
  "      --with-colons    machine-readable records (see oca(1),\n"
  "                       COLON LISTINGS)\n";

const char cmd_help_ca_export[] =
  "Usage: oca ca export\n"
  "\n"
  "Print the CA's public certificate (armored), including the trust\n"
  "signatures users made on it.\n";

const char cmd_help_ca_private[] =
  "Usage: oca ca private\n"
  "\n"
  "Print the CA's private key (armored, unencrypted).  Softkey only.\n";

const char cmd_help_ca_import_tsig[] =
  "Usage: oca ca import-tsig FILE\n"
  "\n"
  "Merge the trust signatures found on a copy of the CA certificate in\n"
  "FILE (armored or binary) into the stored CA certificate.\n";

const char cmd_help_ca_cert_validity[] =
  "Usage: oca ca cert-validity [DAYS]\n"
  "\n"
  "Without DAYS, say how long the CA's certifications last by default;\n"
  "with DAYS, make that the default (0: certifications do not expire,\n"
  "as in openpgp-ca).  'user add' and 'user import' take --validity to\n"
  "override it, 'ca renew' renews what is about to expire.\n";

const char cmd_help_ca_extend[] =
  "Usage: oca ca extend --days N [--force]\n"
  "\n"
  "Make the CA key expire N days from now (0: never), with new\n"
  "self-signatures made by the CA key (a card CA's card signs).  Users\n"
  "must get the updated CA certificate ('ca export') before the old\n"
  "expiration.  'user check expiry' warns when the CA key expires soon.\n"
  "\n"
  "Options:\n"
  "  -d, --days N         the new lifetime, from now (0 to 20000)\n"
  "      --force          also when that is earlier than the current\n"
  "                       expiration\n"
  "  -h, --help           print this help\n";

const char cmd_help_ca_renew[] =
  "Usage: oca ca renew [--days N] [--within DAYS] [--batch N]\n"
  "\n"
  "Certify again every User ID of the stored user certificates whose\n"
  "CA certifications all expire within DAYS days (or have expired), as\n"
  "the CA would certify it now; inactive and revoked certificates are\n"
  "skipped.  Signing runs on all cores with a softkey; on a card CA on\n"
  "every card of the CA present, one signature at a time per card (with\n"
  "a touch for each when the card asks).  The work is committed in\n"
  "batches: after an interruption, run it again to continue; nothing is\n"
  "certified twice.\n"
  "\n"
  "Options:\n"
  "  -d, --days N         lifetime of the new certifications (default:\n"
  "                       'ca cert-validity', else 365); more than DAYS\n"
  "  -w, --within DAYS    renew what expires within DAYS days (default\n"
  "                       30)\n"
  "      --batch N        certificates per transaction (default 64 on a\n"
  "                       card CA, 1024 with a softkey; at most 65536)\n"
  "  -h, --help           print this help\n";

const char cmd_help_ca_audit[] =
  "Usage: oca ca audit [--since DATE] [--email EMAIL] [--with-colons]\n"
  "\n"
  "List the record of the signatures the CA made (when, on which key\n"
  "and User ID, by which backend and card, the card's signature counter,\n"
  "the SHA-256 of the signature) and re-verify each; then report every\n"
  "certification by the CA key found on the stored user certificates\n"
  "that is not in the record (the CA key was used outside oca), and\n"
  "every jump of a card's signature counter between two records.  The\n"
  "exit status is 1 if anything was found.\n"
  "\n"
  "Options:\n"
  "  -s, --since DATE     only signatures made on DATE (YYYY-MM-DD, UTC)\n"
  "                       or later\n"
  "  -e, --email EMAIL    only signatures on certificates of EMAIL\n"
  "      --with-colons    machine-readable output (see oca(1))\n"
  "  -h, --help           print this help\n";

const char cmd_help_user_add[] =
  "Usage: oca user add --email EMAIL... [--name NAME] [--minimal]\n"
  "                    [--cipher-suite SUITE] [--encryption BOOL]\n"
  "                    [--signing BOOL] [--authentication BOOL]\n"
  "                    [--password-file FILE|-] [--validity DAYS]\n"
  "\n"
  "Generate a new user key, certify its User IDs with the CA key, make\n"
  "the user key trust-sign the CA key, store the public key and a\n"
  "revocation certificate, and print the passphrase-protected private\n"
  "key once.\n"
  "\n"
  "Options:\n"
  "  -e, --email EMAIL    email address of the user (repeatable)\n"
  "  -n, --name NAME      name of the user\n"
  "  -m, --minimal        minimal output: the passphrase on the first\n"
  "                       line, then the private key (for tools like pass)\n"
  "      --cipher-suite SUITE\n"
  "                       cv25519, rsa2k, rsa3k, rsa4k, p256, p384 or p521\n"
  "                       (default: the CA key's)\n"
  "  -a, --algo SUITE     the same\n"
  "      --encryption BOOL      an encryption subkey (default true)\n"
  "      --signing BOOL         a signing subkey (default true)\n"
  "      --authentication BOOL  an authentication subkey (default false)\n"
  "      --password-file FILE   the passphrase: the contents of FILE (- is\n"
  "                       standard input) without one trailing newline;\n"
  "                       an empty one leaves the key unprotected\n"
  "      --validity DAYS  the certifications expire after DAYS days (0:\n"
  "                       never; default: 'ca cert-validity')\n"
  "  -h, --help           print this help\n";

const char cmd_help_user_import[] =
  "Usage: oca user import --email EMAIL... --file FILE [--name NAME]\n"
  "                       [--revocation-file FILE...] [--validity DAYS]\n"
  "       oca user import --domain-emails --file KEYRING [--validity DAYS]\n"
  "\n"
  "Import an existing public key and certify the User IDs whose email\n"
  "is one of the given addresses.  With --domain-emails, FILE may hold\n"
  "many keys: each is certified on every User ID whose email is in the\n"
  "CA's domain; keys without such a User ID are reported and skipped.\n"
  "Only a User ID with one unambiguous address (\"Name <a@b>\" or\n"
  "\"a@b\", ASCII, nothing after '>', no control characters) that the\n"
  "key binds is certified; others are refused with a warning (see\n"
  "oca(1), CERTIFIED USER IDS).  A key with nothing certified is not\n"
  "imported.\n"
  "\n"
  "Options:\n"
  "  -e, --email EMAIL    email address to certify (repeatable)\n"
  "  -f, --file FILE      the key file (armored or binary);\n"
  "      --key-file FILE  the same\n"
  "  -n, --name NAME      name of the user\n"
  "  -r, --revocation-file FILE\n"
  "                       a revocation certificate to store (repeatable)\n"
  "      --domain-emails  certify all User IDs in the CA's domain\n"
  "      --validity DAYS  the certifications expire after DAYS days (0:\n"
  "                       never; default: 'ca cert-validity')\n"
  "  -h, --help           print this help\n";

const char cmd_help_user_update[] =
  "Usage: oca user update --file FILE\n"
  "\n"
  "Merge a newer version of a known certificate (matched by\n"
  "fingerprint) into the database.  Creates no certifications.\n"
  "\n"
  "Options:\n"
  "  -f, --file FILE      the key file (armored or binary);\n"
  "      --key-file FILE  the same\n"
  "  -h, --help           print this help\n";

const char cmd_help_user_list[] =
  "Usage: oca user list [--with-colons]\n"
  "\n"
  "List all user certificates with their certification status.\n"
  "\n"
  "Options:\n"
  "      --with-colons    machine-readable records (see oca(1),\n"
  "                       COLON LISTINGS)\n";

const char cmd_help_user_export[] =
  "Usage: oca user export [--email EMAIL] [--path DIR]\n"
  "\n"
  "Print the CA certificate and all user certificates as one armored\n"
  "keyring; with --email only the certificates stored for EMAIL.  With\n"
  "--path, write DIR/EMAIL.asc for every stored address (the\n"
  "certificates stored for it) and DIR/openpgp-ca@DOMAIN.asc (the CA's)\n"
  "instead; with --email too, only the file of that address.\n"
  "\n"
  "Options:\n"
  "  -e, --email EMAIL    only certificates for this address\n"
  "  -p, --path DIR       write one file per address into DIR\n"
  "  -h, --help           print this help\n";

const char cmd_help_ca_revocations[] =
  "Usage: oca ca revocations --output FILE\n"
  "\n"
  "Write a set of revocation certificates for the CA key to FILE: for\n"
  "now and every 30 days over ten years, a hard one (key compromised)\n"
  "and a soft one (key retired), with the CA certificate and an\n"
  "explanation.  Keep FILE offline.\n"
  "\n"
  "Options:\n"
  "  -o, --output FILE    the file to write\n"
  "  -h, --help           print this help\n";

const char cmd_help_ca_recertify[] =
  "Usage: oca ca re-certify --public-old FILE [--validity DAYS]\n"
  "\n"
  "After a change of the CA key: certify with the current CA key every\n"
  "User ID of the stored user keys that carries a valid certification\n"
  "by the old CA key in FILE and none by the current one.\n"
  "\n"
  "Options:\n"
  "  -p, --public-old FILE  the old CA key (public; armored or binary)\n"
  "  -v, --validity DAYS    validity of the new certifications (default\n"
  "                         365, 1 to 36500)\n"
  "  -h, --help             print this help\n";

const char cmd_help_user_add_revocation[] =
  "Usage: oca user add-revocation FILE\n"
  "\n"
  "Store the key revocation certificate in FILE (armored or binary) for\n"
  "the stored user key it revokes.  It must verify against that key.\n";

const char cmd_help_user_apply_revocation[] =
  "Usage: oca user apply-revocation ID\n"
  "\n"
  "Merge the stored revocation ID (see 'user show-revocations') into\n"
  "the user's certificate: exports show the key revoked from now on.\n";

const char cmd_help_user_show_revocations[] =
  "Usage: oca user show-revocations --email EMAIL\n"
  "\n"
  "List the revocations stored for the keys of EMAIL, with their ids.\n"
  "\n"
  "Options:\n"
  "  -e, --email EMAIL    the user's address\n"
  "  -h, --help           print this help\n";

const char cmd_help_user_check[] =
  "Usage: oca user check expiry [--days DAYS] [--with-colons]\n"
  "       oca user check certifications [--with-colons]\n"
  "\n"
  "expiry: list the user keys that are valid now but expire within DAYS\n"
  "days.  certifications: list the user keys that lack a valid CA\n"
  "certification on any User ID or a trust signature on the CA key.\n"
  "\n"
  "Options:\n"
  "  -d, --days DAYS      the period for 'expiry' (default 30)\n"
  "      --with-colons    machine-readable records (see oca(1),\n"
  "                       COLON LISTINGS)\n"
  "  -h, --help           print this help\n";

const char cmd_help_group_ca[] =
  "Usage: oca ca COMMAND [OPTIONS]\n"
  "\n"
  "Manage the CA.\n";

const char cmd_help_group_user[] =
  "Usage: oca user COMMAND [OPTIONS]\n"
  "\n"
  "Manage users.\n";

const char cmd_help_ca_init_card[] =
  "Usage: oca ca init --domain DOMAIN [--name NAME] [--cipher-suite SUITE]\n"
  "                   card\n"
  "                   [IDENT] [--import FILE | --generate-on-card |\n"
  "                   --from-card --public-key FILE] [--yes]\n"
  "                   [--scd=oca-scd|gpg-agent] [--pin-file FILE]\n"
  "                   [--validity DAYS]\n"
  "\n"
  "Create a CA whose key lives on an OpenPGP card.  Without a mode the\n"
  "key is generated on this host, put on the blank card (primary to the\n"
  "AUT slot, signing subkey to the SIG slot) and printed once.  A card\n"
  "that cannot hold keys of SUITE is refused before it is written.\n"
  "\n"
  "Options:\n"
  "      --import FILE      put the existing CA key in FILE on the card\n"
  "      --generate-on-card generate the key on the card (no backup)\n"
  "      --from-card        use a card that already holds the CA key\n"
  "      --public-key FILE  the CA certificate (with --from-card)\n"
  "  -y, --yes              do not ask for confirmation\n"
  "      --scd ROUTE        oca-scd (default) or gpg-agent\n"
  "      --pin-file FILE    read the User PIN from FILE (--from-card)\n"
  "  -P, --pinpad           oca keeps no PIN: the operator types the User\n"
  "                         PIN on the reader's pin-pad for each run (the\n"
  "                         PINs oca sets on the card are printed once;\n"
  "                         --from-card: the PIN is checked on the pad)\n"
  "      --validity DAYS    the CA key expires after DAYS days (the card\n"
  "                         signs the expiration once the CA is stored)\n";

const char cmd_help_ca_migrate[] =
  "Usage: oca ca migrate card [IDENT] [--yes] [--scd=oca-scd|gpg-agent]\n"
  "\n"
  "Move the key of a softkey CA onto a blank OpenPGP card and delete it\n"
  "from the database without leaving a copy in it, in its journal or in\n"
  "freed blocks (see doc/card-backend.md).  Make a backup of the CA\n"
  "key first ('oca ca private').\n"
  "\n"
  "Options:\n"
  "  -y, --yes            do not ask for confirmation\n"
  "      --scd ROUTE      oca-scd (default) or gpg-agent\n"
  "  -P, --pinpad         oca keeps no PIN: the operator types the User\n"
  "                       PIN on the reader's pin-pad for each run (the\n"
  "                       PINs oca sets on the card are printed once)\n";

const char cmd_help_ca_set_backend[] =
  "Usage: oca ca set-backend card [IDENT | --add IDENT] [--pin-file FILE]\n"
  "                               [--scd=oca-scd|gpg-agent]\n"
  "\n"
  "Switch a card-backed CA to another card that holds the same key (for\n"
  "example a backup card made with 'ca init ... card --import').  Asks\n"
  "for the User PIN of that card.\n"
  "\n"
  "With --add IDENT the CA keeps its card and records IDENT, a further\n"
  "card with the same key, as a backup card: it signs when the CA's card\n"
  "is missing, and bulk certification ('user import --domain-emails')\n"
  "uses every card of the CA that is present at once.\n"
  "\n"
  "Options:\n"
  "      --add IDENT      record the backup card IDENT\n"
  "      --pin-file FILE  read the User PIN from FILE ('-': stdin)\n"
  "      --scd ROUTE      oca-scd (default) or gpg-agent\n"
  "  -P, --pinpad         store no PIN: the User PIN is checked, and then\n"
  "                       typed for each run, on the reader's pin-pad\n";

const char cmd_help_group_card[] =
  "Usage: oca card COMMAND [OPTIONS]\n"
  "\n"
  "Inspect and configure OpenPGP cards.\n";

const char cmd_help_card_list[] =
  "Usage: oca card list [--with-colons] [--scd=oca-scd|gpg-agent]\n"
  "\n"
  "List the OpenPGP cards that are present and what they hold.\n"
  "\n"
  "Options:\n"
  "      --with-colons    machine-readable records (see oca(1),\n"
  "                       COLON LISTINGS)\n"
  "      --scd ROUTE      oca-scd (default) or gpg-agent\n";

const char cmd_help_card_status[] =
  "Usage: oca card status [IDENT] [--with-colons] [--scd=ROUTE]\n"
  "\n"
  "Show the data of one OpenPGP card.\n"
  "\n"
  "Options:\n"
  "      --with-colons    machine-readable records (see oca(1),\n"
  "                       COLON LISTINGS)\n"
  "      --scd ROUTE      oca-scd (default) or gpg-agent\n";

const char cmd_help_card_touch[] =
  "Usage: oca card touch --key SIG|AUT|DEC --policy off|on|fixed [IDENT]\n"
  "                      [--yes] [--scd=ROUTE]\n"
  "\n"
  "Set the touch policy of a key slot on the CA's card (uses the stored\n"
  "PIN as Admin PIN).  'fixed' can not be undone.\n"
  "\n"
  "Options:\n"
  "      --key SLOT       SIG, AUT or DEC\n"
  "      --policy POLICY  off, on or fixed\n"
  "  -y, --yes            do not ask for confirmation\n"
  "      --scd ROUTE      oca-scd (default) or gpg-agent\n";

const char cmd_help_group_bridge[] =
  "Usage: oca bridge COMMAND [OPTIONS]\n"
  "\n"
  "Bridge to other OpenPGP CAs: trust another CA for the User IDs of its\n"
  "domain (a scoped trust signature on its key).\n";

const char cmd_help_bridge_new[] =
  "Usage: oca bridge new [--email EMAIL] [--scope DOMAIN] [--commit]\n"
  "                      REMOTE_KEY_FILE\n"
  "\n"
  "Bridge to the OpenPGP CA whose key is in REMOTE_KEY_FILE (one User ID\n"
  "'NAME <openpgp-ca@DOMAIN>'): certify it with a trust signature (level\n"
  "255, amount 120) limited to User IDs in DOMAIN and its subdomains.\n"
  "Without --commit this is a dry run that shows the remote key for\n"
  "checking its fingerprint and changes nothing.\n"
  "\n"
  "Options:\n"
  "  -e, --email EMAIL    the remote CA's address (default: that of its\n"
  "                       User ID, which it must be)\n"
  "  -s, --scope DOMAIN   the domain to trust it for (default: the domain\n"
  "                       of its address, which it must be)\n"
  "  -c, --commit         make and store the trust signature\n"
  "  -h, --help           print this help\n";

const char cmd_help_bridge_revoke[] =
  "Usage: oca bridge revoke --email EMAIL\n"
  "\n"
  "Revoke the trust signature of the bridge to the CA with address EMAIL\n"
  "and print the revocation.  Publish the key again ('oca bridge export')\n"
  "so that the revocation reaches those who trust this CA.\n"
  "\n"
  "Options:\n"
  "  -e, --email EMAIL    the remote CA's address\n"
  "  -h, --help           print this help\n";

const char cmd_help_bridge_list[] =
  "Usage: oca bridge list [--with-colons]\n"
  "\n"
  "List the bridges with their scope; '[no trust signature]' marks a\n"
  "revoked one.\n"
  "\n"
  "Options:\n"
  "      --with-colons    machine-readable records (see oca(1),\n"
  "                       COLON LISTINGS)\n";

const char cmd_help_bridge_export[] =
  "Usage: oca bridge export [EMAIL]\n"
  "\n"
  "Print the keys of the bridged CAs (all, or the one with address EMAIL)\n"
  "with this CA's trust signatures and revocations, each armored after a\n"
  "line \"Bridge to 'EMAIL'\".\n";
const char cmd_help_group_wkd[] =
  "Usage: oca wkd COMMAND [OPTIONS]\n"
  "\n"
  "Publish the CA's keys in a Web Key Directory.\n";

const char cmd_help_wkd_export[] =
  "Usage: oca wkd export [--direct] PATH\n"
  "\n"
  "Write the Web Key Directory of the CA's domain D below PATH:\n"
  "PATH/.well-known/openpgpkey/D/hu/HASH and .../D/policy, to be served\n"
  "on openpgpkey.D (advanced method).  One file per address of D that\n"
  "the CA certified, holding every key certified for it (revoked and\n"
  "expired keys after the usable ones; delisted keys left out), and the\n"
  "CA's own key.  Files are replaced whole; files of addresses that\n"
  "left are removed.\n"
  "\n"
  "Options:\n"
  "      --direct         also write the direct method's layout\n"
  "                       PATH/.well-known/openpgpkey/{hu/,policy}\n"
  "                       (served on D itself)\n"
  "  -h, --help           print this help\n";

const char cmd_help_group_keylist[] =
  "Usage: oca keylist COMMAND [OPTIONS]\n"
  "\n"
  "Publish a signed list of the CA's keys.\n";

const char cmd_help_keylist_export[] =
  "Usage: oca keylist export --path DIR --sig-uri URI [--force]\n"
  "\n"
  "Write DIR/keylist.json (GPG Sync format: the CA and every address\n"
  "the CA certified) and its detached signature by the CA's signing\n"
  "subkey (a card CA: the SIG slot), named by the last part of URI.\n"
  "\n"
  "Options:\n"
  "  -p, --path DIR       where to write the two files\n"
  "  -s, --sig-uri URI    where the signature will be published\n"
  "  -f, --force          overwrite keylist/sig files if they exist\n"
  "  -h, --help           print this help\n";

const char cmd_help_group_update[] =
  "Usage: oca update COMMAND [OPTIONS]\n"
  "\n"
  "Refresh the stored user certificates from the network (through\n"
  "GnuPG's dirmngr and its configuration).\n";

const char cmd_help_update_wkd[] =
  "Usage: oca update wkd [--timeout SECONDS]\n"
  "\n"
  "Look up every stored address of every user certificate in the Web\n"
  "Key Directory and merge what a key with the same fingerprint brings\n"
  "(self-signatures and the CA's certifications only; nothing stored\n"
  "is lost).  Prints 'Got update for cert FP', 'No changes for cert FP'\n"
  "or 'Failed to update cert FP: REASON' per certificate.\n"
  "\n"
  "Options:\n"
  "  -t, --timeout SECONDS  time limit of each request (default 30)\n"
  "  -h, --help           print this help\n";

const char cmd_help_update_keyserver[] =
  "Usage: oca update keyserver [--keyserver URL] [--timeout SECONDS]\n"
  "\n"
  "Fetch every user certificate by fingerprint from a keyserver and\n"
  "merge what it brings, as 'update wkd' does.\n"
  "\n"
  "Options:\n"
  "  -k, --keyserver URL  the keyserver (default " CA_DEFAULT_KEYSERVER ")\n"
  "  -t, --timeout SECONDS  time limit of each request (default 30)\n"
  "  -h, --help           print this help\n";

const char cmd_help_group_keyserver[] =
  "Usage: oca keyserver COMMAND [OPTIONS]\n"
  "\n"
  "Publish the CA's keys on a keyserver.\n";

const char cmd_help_keyserver_publish[] =
  "Usage: oca keyserver publish [--keyserver URL] [--timeout SECONDS]\n"
  "\n"
  "Send the CA certificate and every user certificate the CA certified\n"
  "(not delisted) to a keyserver, with the CA's certifications.  An\n"
  "SKS-style keyserver keeps them; keys.openpgp.org strips them.\n"
  "\n"
  "Options:\n"
  "  -k, --keyserver URL  the keyserver (default " CA_DEFAULT_KEYSERVER ")\n"
  "  -t, --timeout SECONDS  time limit of each request (default 30)\n"
  "  -h, --help           print this help\n";


const char cmd_help_ca_split[] =
  "Usage: oca ca split into -f FRONT -b BACK\n"
  "       oca ca split merge -b BACK\n"
  "       oca ca split export -f FILE\n"
  "       oca ca split certify -i FILE -e FILE [--batch]\n"
  "       oca ca split import -i FILE\n"
  "       oca ca split show-queue\n"
  "\n"
  "Split mode (an air-gapped CA, as openpgp-ca's): 'into' writes two new\n"
  "databases of a softkey or card CA, which it leaves as it is: the\n"
  "front, for the online machine, with everything but the CA key, and the\n"
  "back, for the offline one, with the key (or the card's configuration)\n"
  "and nothing else.  On the front 'user add', 'user import' and 'bridge\n"
  "new' queue their certifications; 'export' writes the queue to a file,\n"
  "which 'certify' answers on the back (asking about each request unless\n"
  "--batch), and 'import' stores the answers on the front.  'show-queue'\n"
  "lists the requests not answered yet; 'merge' makes the front a normal\n"
  "CA again with the back's key.\n"
  "\n"
  "Commands:\n"
  "  into        split the CA into a front and a back instance\n"
  "  merge       (front) merge a back instance in\n"
  "  export      (front) write the queued requests to a file\n"
  "  certify     (back) answer a request file with a response file\n"
  "  import      (front) store the certifications of a response file\n"
  "  show-queue  (front) list the requests not answered yet\n"
  "\n"
  "Options:\n"
  "  -f, --front FILE     into: the front instance to write (must not exist)\n"
  "  -b, --back FILE      into: the back instance to write (must not exist);\n"
  "                       merge: the back instance to merge in\n"
  "  -f, --file FILE      export: the request file to write\n"
  "  -i, --import FILE    certify: the request file; import: the response\n"
  "                       file\n"
  "  -e, --export FILE    certify: the response file to write\n"
  "      --batch          certify: certify every request without asking\n";
