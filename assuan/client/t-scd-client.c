/* t-scd-client.c - unit tests of the scdaemon client's parsers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Feeds canned status lines (as scdaemon 2.2/2.4 emit them, spec
 * card-and-scd.md B.4) to the parsers and checks the escaping helpers.
 * The typed card calls (GET/PUT DATA, algorithm information) talk to
 * a scripted server that answers only the exact APDU lines expected,
 * and plays a server without the APDU command (no real scdaemon lacks
 * it, so the KEY-ATTR-INFO route can be reached no other way).  The
 * live conversations are tested by tests/scd/t-client-live.sh.
 */
#include <config.h>
#include "scd-client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t-support.h"

/* Feed "KEYWORD ARGS" to the card-info parser.  */
static gpg_error_t
feed (scd_cardinfo_t *info, const char *line)
{
  char kw[64];
  size_t n = strcspn (line, " ");
  const char *args = line + n;

  memcpy (kw, line, n);
  kw[n] = 0;
  while (*args == ' ')
    args++;
  return scd_cardinfo_parse_status (info, kw, args);
}


static void
test_unescape (void)
{
  unsigned char *buf;
  size_t len;

  ok_err (scd_unescape ("Doe<<John+Q%2B%25", 17, 1, &buf, &len),
          "unescape percent-plus");
  ok (len == 13 && !memcmp (buf, "Doe<<John Q+%", 13) && !buf[13],
      "unescaped value is 'Doe<<John Q+%%'");
  xfree (buf);
  ok_err (scd_unescape ("a+b%0A", 6, 0, &buf, &len), "percent only");
  ok (len == 4 && !memcmp (buf, "a+b\n", 4), "plus kept without PLUS");
  xfree (buf);
  ok_err (scd_unescape ("%00+", 4, 1, &buf, &len), "NUL escape");
  ok (len == 2 && buf[0] == 0 && buf[1] == ' ', "%%00 gives a zero byte");
  xfree (buf);
  ok_code (scd_unescape ("abc%4", 5, 1, &buf, &len), GPG_ERR_INV_RESPONSE,
           "truncated escape rejected");
  ok (!buf && !len, "outputs cleared on error");
  ok_code (scd_unescape ("%G0", 3, 1, &buf, &len), GPG_ERR_INV_RESPONSE,
           "bad hex digit rejected");
}


static void
test_ident (void)
{
  char ident[14];

  ok_err (scd_serialno_to_ident ("D276000124010304FFFE012345670000", ident),
          "ident from serialno");
  ok (!strcmp (ident, "FFFE:01234567"), "ident is %s", ident);
  ok_err (scd_serialno_to_ident ("d276000124010304fffe0123abcd0000", ident),
          "lowercase serialno");
  ok (!strcmp (ident, "FFFE:0123ABCD"), "ident uppercased: %s", ident);
  ok_code (scd_serialno_to_ident ("D2760001240103", ident), GPG_ERR_INV_VALUE,
           "short serialno rejected");
  ok_code (scd_serialno_to_ident ("D276000124020304FFFE012345670000", ident),
           GPG_ERR_INV_VALUE, "non-OpenPGP AID rejected");
}


static void
test_learn (void)
{
  scd_cardinfo_t *info;
  static const unsigned char fpr1[20] = {
    0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x23,
    0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x23, 0x45, 0x67 };

  info = xtrycalloc (1, sizeof *info);
  ok (info != NULL, "alloc cardinfo");
  if (!info)
    return;
  ok_err (feed (info, "READER Virtual PCD 00 00"), "READER");
  ok (info->reader && !strcmp (info->reader, "Virtual PCD 00 00"),
      "reader name kept with spaces");
  ok_err (feed (info, "SERIALNO D276000124010304FFFE012345670000"),
          "SERIALNO");
  ok (info->serialno
      && !strcmp (info->serialno, "D276000124010304FFFE012345670000"),
      "serialno");
  ok (!strcmp (info->ident, "FFFE:01234567"), "ident");
  ok_err (feed (info, "APPTYPE openpgp"), "APPTYPE");
  ok (info->apptype && !strcmp (info->apptype, "openpgp"), "apptype");
  ok_err (feed (info, "APPVERSION 304"), "APPVERSION");
  ok (info->appversion == 0x304, "appversion 0x304");
  ok_err (feed (info, "EXTCAP gc=1+ki=1+fc=1+pd=1+mcl3=2048+aac=1+sm=0"
                "+si=5+dec=0+bt=1+kdf=1"), "EXTCAP");
  ok (info->extcap_valid && info->extcap.gc && info->extcap.ki
      && info->extcap.mcl3 == 2048 && info->extcap.si == 5
      && !info->extcap.dec && info->extcap.bt && info->extcap.kdf,
      "extcap values");
  ok_err (feed (info, "MANUFACTURER 65534 unmanaged S/N range"),
          "MANUFACTURER");
  ok (info->manufacturer_valid && info->manufacturer_id == 65534
      && !strcmp (info->manufacturer, "unmanaged S/N range"),
      "manufacturer id and name");
  ok_err (feed (info, "DISP-NAME OpenPGP+CA"), "DISP-NAME");
  ok (!strcmp (info->disp_name, "OpenPGP CA"), "disp-name unescaped");
  ok_err (feed (info, "DISP-LANG deen"), "DISP-LANG");
  ok_err (feed (info, "DISP-SEX 9"), "DISP-SEX");
  ok (!strcmp (info->disp_sex, "9"), "disp-sex");
  ok_err (feed (info, "PUBKEY-URL https://example.org/key%25.asc"),
          "PUBKEY-URL");
  ok (!strcmp (info->pubkey_url, "https://example.org/key%.asc"),
      "url unescaped");
  ok_err (feed (info, "LOGIN-DATA"), "empty LOGIN-DATA");
  ok (info->login_data && !*info->login_data, "login data empty");
  ok_err (feed (info, "KEY-FPR 1 0123456789ABCDEF0123456789ABCDEF01234567"),
          "KEY-FPR 1");
  ok (info->fpr_valid[0] && !memcmp (info->fpr[0], fpr1, 20)
      && !info->fpr_valid[1], "fpr 1 parsed, 2 unset");
  ok_err (feed (info, "KEY-TIME 1 1700000000"), "KEY-TIME");
  ok (info->key_time[0] == 1700000000UL, "key time");
  ok_err (feed (info, "CA-FPR 3 0123456789abcdef0123456789abcdef01234567"),
          "CA-FPR 3");
  ok (info->cafpr_valid[2] && !memcmp (info->cafpr[2], fpr1, 20),
      "ca-fpr 3");
  ok_err (feed (info, "CHV-STATUS +1+127+127+127+3+0+3"), "CHV-STATUS");
  ok (info->chv_status_valid && info->chv_status[0] == 1
      && info->chv_status[1] == 127 && info->chv_status[4] == 3
      && info->chv_status[5] == 0 && info->chv_status[6] == 3,
      "chv-status values");
  ok_err (feed (info, "SIG-COUNTER 42"), "SIG-COUNTER");
  ok (info->sig_counter_valid && info->sig_counter == 42, "sig counter");
  ok_err (feed (info, "UIF-1 %00+"), "UIF-1 off");
  ok_err (feed (info, "UIF-3 %02+"), "UIF-3 fixed");
  ok (info->uif_valid[0] && info->uif[0] == 0 && !info->uif_valid[1]
      && info->uif_valid[2] && info->uif[2] == 2, "uif values");
  ok_err (feed (info, "KEYPAIRINFO 9DB6C64A38830F4960701789475520BE8C821F47"
                " OPENPGP.1 sc 1700000000 ed25519"), "KEYPAIRINFO long");
  ok (info->keypairinfo[0].valid
      && !strcmp (info->keypairinfo[0].grip,
                  "9DB6C64A38830F4960701789475520BE8C821F47")
      && !strcmp (info->keypairinfo[0].usage, "sc")
      && info->keypairinfo[0].keytime == 1700000000UL
      && !strcmp (info->keypairinfo[0].algostr, "ed25519"),
      "keypairinfo long form");
  ok_err (feed (info, "KEYPAIRINFO 0F89A565D3EA187CE839332398F5D480677DF49C"
                " OPENPGP.2"), "KEYPAIRINFO short");
  ok (info->keypairinfo[1].valid && !*info->keypairinfo[1].usage
      && !info->keypairinfo[1].keytime, "keypairinfo short form");
  ok_err (feed (info, "KEY-ATTR 1 1 rsa4096 17 3"), "KEY-ATTR rsa");
  ok (info->key_attr[0].algo == 1 && info->key_attr[0].nbits == 4096
      && info->key_attr[0].ebits == 17 && info->key_attr[0].format == 3,
      "rsa attribute");
  ok_err (feed (info, "KEY-ATTR 2 18 Curve25519"), "KEY-ATTR ecdh");
  ok_err (feed (info, "KEY-ATTR 3 19 NIST P-256"), "KEY-ATTR ecdsa");
  ok (info->key_attr[1].algo == 18
      && !strcmp (info->key_attr[1].curve, "Curve25519")
      && info->key_attr[2].algo == 19
      && !strcmp (info->key_attr[2].curve, "NIST P-256"),
      "ecc attributes (curve with space)");
  ok_err (feed (info, "$DISPSERIALNO FFFE+01234567"), "$DISPSERIALNO");
  ok (!strcmp (info->dispserialno, "FFFE 01234567"), "dispserialno");
  ok_err (feed (info, "SOMETHING-NEW whatever"), "unknown keyword ignored");

  /* Malformed lines.  */
  ok_code (feed (info, "KEY-FPR 4 0123456789ABCDEF0123456789ABCDEF01234567"),
           GPG_ERR_INV_RESPONSE, "KEY-FPR slot 4 rejected");
  ok_code (feed (info, "KEY-FPR 1 0123"), GPG_ERR_INV_RESPONSE,
           "short fingerprint rejected");
  ok_code (feed (info, "KEY-FPR 1 0123456789ABCDEF0123456789ABCDEF0123456Z"),
           GPG_ERR_INV_RESPONSE, "non-hex fingerprint rejected");
  ok (!memcmp (info->fpr[0], fpr1, 20), "old fingerprint kept");
  ok_code (feed (info, "CHV-STATUS +1+127+127"), GPG_ERR_INV_RESPONSE,
           "short CHV-STATUS rejected");
  ok_code (feed (info, "CHV-STATUS +1+127+127+127+3+0+3+9"),
           GPG_ERR_INV_RESPONSE, "long CHV-STATUS rejected");
  ok_code (feed (info, "SIG-COUNTER x"), GPG_ERR_INV_RESPONSE,
           "non-numeric counter rejected");
  ok_code (feed (info, "SIG-COUNTER 99999999999999999999"),
           GPG_ERR_INV_RESPONSE, "overflowing counter rejected");
  ok_code (feed (info, "KEYPAIRINFO 9DB6 OPENPGP.1"), GPG_ERR_INV_RESPONSE,
           "short keygrip rejected");
  ok_code (feed (info, "EXTCAP gc=1+ki"), GPG_ERR_INV_RESPONSE,
           "broken EXTCAP rejected");
  ok_code (feed (info, "DISP-NAME bad%zz"), GPG_ERR_INV_RESPONSE,
           "bad escape in DISP-NAME rejected");
  ok_code (feed (info, "UIF-2"), GPG_ERR_INV_RESPONSE, "empty UIF rejected");
  ok_code (feed (info, "MANUFACTURER 99999 x"), GPG_ERR_INV_RESPONSE,
           "manufacturer id > 0xffff rejected");

  scd_cardinfo_release (info);
  scd_cardinfo_release (NULL);
  ok (1, "release accepts NULL");
}


static void
test_genkey (void)
{
  scd_genkey_result_t *res;
  res = xtrycalloc (1, sizeof *res);
  ok (res != NULL, "alloc genkey result");
  if (!res)
    return;
  ok_err (scd_genkey_parse_status (res, "KEY-CREATED-AT", "1700000000"),
          "KEY-CREATED-AT");
  /* A modulus sent as one chunk plus the named rest.  */
  ok_err (scd_genkey_parse_status (res, "KEY-DATA", "- 00C0FFEE"), "chunk 1");
  ok_err (scd_genkey_parse_status (res, "KEY-DATA", "n 0102"), "named n");
  ok (res->n && res->nlen == 6
      && !memcmp (res->n, "\x00\xC0\xFF\xEE\x01\x02", 6), "n joined");
  ok_err (scd_genkey_parse_status (res, "KEY-DATA", "e 010001"), "e");
  ok (res->elen == 3 && !memcmp (res->e, "\x01\x00\x01", 3), "e value");
  ok_err (scd_genkey_parse_status (res, "KEY-DATA", "- " "ABCD"), "chunk 2");
  ok_err (scd_genkey_parse_status (res, "KEY-DATA", "q 40EF"), "q");
  ok (res->qlen == 4 && !memcmp (res->q, "\xAB\xCD\x40\xEF", 4),
      "q joined with its chunk");
  ok_err (scd_genkey_parse_status (res, "KEY-DATA",
                                   "curve 092B06010401DA470F01"), "curve");
  ok (res->curvelen == 10 && res->curve[0] == 9, "curve OID with length");
  ok_code (scd_genkey_parse_status (res, "KEY-DATA", "curve 052B0601"),
           GPG_ERR_INV_RESPONSE, "curve OID length mismatch rejected");
  ok_code (scd_genkey_parse_status (res, "KEY-DATA", "n 123"),
           GPG_ERR_INV_RESPONSE, "odd hex rejected");
  ok_code (scd_genkey_parse_status (res, "KEY-DATA", "n 12XY"),
           GPG_ERR_INV_RESPONSE, "non-hex rejected");
  ok_err (scd_genkey_parse_status (res, "KEY-FPR",
                                   "0123456789ABCDEF0123456789ABCDEF01234567"),
          "KEY-FPR without number");
  ok (res->fpr_valid && res->fpr[0] == 0x01 && res->fpr[19] == 0x67,
      "fingerprint");
  ok_err (scd_genkey_parse_status (res, "KEY-FPR",
                                   "3 FEDCBA9876543210FEDCBA9876543210FEDCBA98"),
          "KEY-FPR with number");
  ok (res->fpr[0] == 0xFE, "numbered fingerprint");
  ok (res->created_at == 1700000000UL, "created-at");
  scd_genkey_result_release (res);
}


static void
test_sexp (void)
{
  static const char good[] = "(10:public-key(3:rsa(1:n3:\x00\x01\x02)"
    "(1:e3:\x01\x00\x01)))";
  static const char ecc[] = "(10:public-key(3:ecc(5:curve10:NIST P-256)"
    "(1:q1:\x04)))";

  ok_err (scd_check_canon_sexp ((const unsigned char *)good,
                                sizeof good - 1), "rsa sexp ok");
  ok_err (scd_check_canon_sexp ((const unsigned char *)ecc,
                                sizeof ecc - 1), "ecc sexp (space in atom)");
  ok_code (scd_check_canon_sexp ((const unsigned char *)good,
                                 sizeof good - 2),
           GPG_ERR_INV_SEXP, "unbalanced rejected");
  ok_code (scd_check_canon_sexp ((const unsigned char *)good, sizeof good),
           GPG_ERR_INV_SEXP, "trailing byte rejected");
  ok_code (scd_check_canon_sexp ((const unsigned char *)"(9:abc)", 7),
           GPG_ERR_INV_SEXP, "atom past end rejected");
  ok_code (scd_check_canon_sexp ((const unsigned char *)"(03:abc)", 8),
           GPG_ERR_INV_SEXP, "leading zero length rejected");
  ok_code (scd_check_canon_sexp ((const unsigned char *)"3:abc", 5),
           GPG_ERR_INV_SEXP, "bare atom rejected");
  ok_code (scd_check_canon_sexp ((const unsigned char *)"", 0),
           GPG_ERR_INV_SEXP, "empty rejected");
}

/* The scripted server: "MODE card" answers the APDUs of the typed
 * calls with canned card responses (D line: data || SW1 SW2), "MODE
 * noapdu" refuses the APDU command as a server without it would and
 * answers GETATTR KEY-ATTR-INFO.  Any other line is an unknown
 * command, so a wrongly built APDU fails the test.  */
static const char server_script[] =
  "#!/bin/sh\n"
  "mode=$2\n"
  "echo 'OK scripted server'\n"
  "while IFS= read -r line; do\n"
  "  case \"$mode:$line\" in\n"
  "    'card:APDU --more 00CA00D700') echo 'D %01%20%90%00'; echo OK ;;\n"
  "    'card:APDU --more 00CA00D800') echo 'D %6A%88'; echo OK ;;\n"
  "    'card:APDU --more 00DA00D6020120') echo 'D %69%85'; echo OK ;;\n"
  "    'card:APDU --more 00DA00D7020020') echo 'D %90%00'; echo OK ;;\n"
  "    'card:APDU --more 00CA00FA00') echo 'D %6A%88'; echo OK ;;\n"
  "    'card2:APDU --more 00CA00FA00')\n"
  "      echo 'D %C1%06%01%08%00%00%20%00%C2%0B%12%2B%06%01%04%01%97%55%01%05%01%C3%0B%16%2B%06%01%04%01%DA%47%0F%01%FF%C3%04%13%2B%65%99%DA%01%00%90%00'\n"
  "      echo OK ;;\n"
  "    noapdu:APDU*) echo 'ERR 100663571 Unknown IPC command <SCD>' ;;\n"
  "    'noapdu:GETATTR KEY-ATTR-INFO')\n"
  "      echo 'S KEY-ATTR-INFO OPENPGP.1 rsa2048'\n"
  "      echo 'S KEY-ATTR-INFO OPENPGP.1 ed25519'\n"
  "      echo 'S KEY-ATTR-INFO OPENPGP.2 cv25519'\n"
  "      echo 'S KEY-ATTR-INFO OPENPGP.3 nistp384'\n"
  "      echo 'S KEY-ATTR-INFO OPENPGP.3 frobnicate'\n"
  "      echo 'S KEY-ATTR-INFO OPENPGP.4 rsa4096'\n"
  "      echo OK ;;\n"
  "    *:BYE) echo 'OK closing connection'; exit 0 ;;\n"
  "    *) echo 'ERR 100663571 Unknown IPC command <SCD>' ;;\n"
  "  esac\n"
  "done\n";

/* Start the scripted server at PATH in MODE.  */
static scd_client_t
start_server (const char *path, const char *mode)
{
  const char *args[2] = { mode, NULL };
  scd_client_t scd = NULL;

  ok_err (scd_client_spawn (&scd, path, args, 0), "scripted server (%s)",
          mode);
  return scd;
}

static void
test_typed_calls (void)
{
  char dir[] = "/tmp/t-scd-client.XXXXXX";
  char path[64];
  FILE *fp;
  scd_client_t scd;
  unsigned char *data = NULL;
  size_t len = 0;
  card_algoinfo_t *list = NULL;
  size_t count = 0;

  if (!mkdtemp (dir))
    {
      ok (0, "mkdtemp");
      return;
    }
  snprintf (path, sizeof path, "%s/server", dir);
  fp = fopen (path, "w");
  ok (fp && fputs (server_script, fp) >= 0 && !fclose (fp)
      && !chmod (path, 0700), "write the scripted server");

  scd = start_server (path, "card");
  ok_err (scd_client_get_data (scd, 0xD7, &data, &len), "GET DATA D7");
  ok (len == 2 && data && data[0] == 0x01 && data[1] == 0x20,
      "... data without the status word");
  xfree (data);
  data = NULL;
  ok_code (scd_client_get_data (scd, 0xD8, &data, &len), GPG_ERR_NO_OBJ,
           "GET DATA D8: 6A88 is NO_OBJ");
  ok (!data && !len, "... and no data");
  ok_code (scd_client_put_data (scd, 0xD6, "\x01\x20", 2),
           GPG_ERR_USE_CONDITIONS, "PUT DATA D6: 6985 is USE_CONDITIONS");
  ok_err (scd_client_put_data (scd, 0xD7, "\x00\x20", 2), "PUT DATA D7");
  ok_code (scd_client_put_data (scd, 0xD7, "", 0), GPG_ERR_INV_ARG,
           "PUT DATA without data refused");
  ok_code (scd_client_get_data (scd, 0x10000, &data, &len), GPG_ERR_INV_ARG,
           "a tag over 16 bits refused");
  ok_err (scd_client_algoinfo (scd, &list, &count),
          "algorithm information: the card has no DO FA");
  ok (!list && !count, "... no entries, and no KEY-ATTR-INFO asked");
  scd_client_release (scd);

  scd = start_server (path, "card2");
  ok_err (scd_client_algoinfo (scd, &list, &count), "DO FA parsed");
  ok (count == 3 && list[0].keyno == 1
      && !strcmp (list[0].attr.algostr, "rsa2048")
      && list[1].keyno == 2 && !strcmp (list[1].attr.algostr, "cv25519")
      && list[2].keyno == 3 && !strcmp (list[2].attr.algostr, "ed25519")
      && list[2].attr.with_pubkey,
      "... rsa2048, cv25519, ed25519 (with public key); the unknown "
      "curve left out");
  xfree (list);
  list = NULL;
  scd_client_release (scd);

  scd = start_server (path, "noapdu");
  ok_code (scd_client_get_data (scd, 0xD7, &data, &len),
           GPG_ERR_ASS_UNKNOWN_CMD, "no APDU command: the server's error");
  ok_err (scd_client_algoinfo (scd, &list, &count),
          "algorithm information from KEY-ATTR-INFO");
  ok (count == 4 && list[0].keyno == 1 && list[0].attr.algo == CARD_ALGO_RSA
      && list[0].attr.nbits == 2048
      && list[1].keyno == 1 && list[1].attr.algo == CARD_ALGO_EDDSA
      && list[2].keyno == 2 && list[2].attr.algo == CARD_ALGO_ECDH
      && !strcmp (list[2].attr.algostr, "cv25519")
      && list[3].keyno == 3 && !strcmp (list[3].attr.algostr, "nistp384"),
      "... per slot; unknown algorithms and slots left out");
  xfree (list);
  scd_client_release (scd);

  unlink (path);
  rmdir (dir);
}


int
main (void)
{
  if (oca_init_gcrypt (0))
    {
      printf ("Bail out! libgcrypt init failed\n");
      return 1;
    }
  test_unescape ();
  test_ident ();
  test_learn ();
  test_genkey ();
  test_sexp ();
  test_typed_calls ();
  return tap_done ();
}
