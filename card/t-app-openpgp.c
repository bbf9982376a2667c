/* t-app-openpgp.c - unit tests for the OpenPGP card application
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Scripted card: application data with and without the outer 6E tag,
 * malformed data, PIN handling (6982 vs 63Cx, C4 re-read, last try,
 * short PINs), one APDU per signature after VERIFY, reset by another
 * client, keygrip vectors (spec B.6), the RSA import template and DO FA
 * (algorithm information: outer tag, GET RESPONSE, malformed, absent);
 * key import in the card's own format: the four RSA import formats,
 * ECC with and without the public key, attribute changes that keep
 * the card's format or take it from DO FA (issue 11).
 */
#include <config.h>
#include "app-openpgp.h"
#include "transport-script.h"
#include "t-support.h"

#include <string.h>

#define AID "D276000124010304FFFE012345670000"
#define APPDATA \
  "4F10D276000124010304FFFE0123456700005F520800730000C00590007381BB" \
  "C00A7D000BFE080000FF0000C106010800002000C206010800002000C30A162B" \
  "06010401DA470F01C407017F7F7F030003C53C00000000000000000000000000" \
  "0000000000000000000000000000000000000000000000000000001111111111" \
  "111111111111111111111111111111C63C000000000000000000000000000000" \
  "0000000000000000000000000000000000000000000000000000000000000000" \
  "00000000000000000000000000CD0C000000000000000065000000"

static tp_reader_t
new_card (void)
{
  tp_reader_t rd;

  if (tpscript_new ("test reader", &rd))
    {
      printf ("Bail out! cannot create scripted reader\n");
      exit (1);
    }
  return rd;
}

static int
script_done (tp_reader_t rd)
{
  if (tpscript_mismatches (rd))
    tap_diag ("mismatching APDU: %s", tpscript_last_mismatch (rd));
  if (tpscript_pending (rd))
    tap_diag ("%zu expected APDUs not sent", tpscript_pending (rd));
  return !tpscript_mismatches (rd) && !tpscript_pending (rd);
}

/* Queue the APDUs of app_openpgp_open with application data SIXE.  */
static void
script_open (tp_reader_t rd, const char *sixe)
{
  char resp[1200];

  tpscript_expect (rd, "00A4040006D27600012401", "9000");
  snprintf (resp, sizeof resp, "%s9000", sixe);
  tpscript_expect (rd, "00CA006E00", resp);
  tpscript_expect (rd, "00CA006500", "5B09446F653C3C4A6F686E 9000");
  tpscript_expect (rd, "00CA007A00", "9303000005 9000");
  tpscript_expect (rd, "00CA5F5000", "9000");
  tpscript_expect (rd, "00CA005E00", "6A88");
  tpscript_expect (rd, "00CA00F900", "6A88");
  tpscript_expect (rd, "00CA010100", "9000");
  tpscript_expect (rd, "00CA010200", "9000");
}

/* PIN callback returning the PIN in OPAQUE (a string), counting
 * calls.  */
static int pin_calls;
static gpg_error_t
test_pincb (void *opaque, const char *prompt, char **r_pin)
{
  const char *pin = opaque;

  pin_calls++;
  *r_pin = xtrymalloc_secure (strlen (pin) + 1);
  if (!*r_pin)
    return gpg_error (GPG_ERR_ENOMEM);
  strcpy (*r_pin, pin);
  return 0;
}

/* PIN callback answering from a NULL-terminated list of PINs (OPAQUE
 * points to a cursor into it); the prompts are recorded in
 * seen_prompts, separated by newlines.  */
static char seen_prompts[1024];
static gpg_error_t
queue_pincb (void *opaque, const char *prompt, char **r_pin)
{
  const char ***cursor = opaque;
  const char *pin = **cursor;
  size_t n = strlen (seen_prompts);

  pin_calls++;
  snprintf (seen_prompts + n, sizeof seen_prompts - n, "%s\n", prompt);
  *r_pin = NULL;
  if (!pin)
    return gpg_error (GPG_ERR_CANCELED);
  (*cursor)++;
  *r_pin = xtrymalloc_secure (strlen (pin) + 1);
  if (!*r_pin)
    return gpg_error (GPG_ERR_ENOMEM);
  strcpy (*r_pin, pin);
  return 0;
}

static app_t
open_app (tp_reader_t rd)
{
  app_t app = NULL;
  gpg_error_t err;

  script_open (rd, APPDATA);
  err = app_openpgp_open (rd, &app);
  if (err)
    {
      printf ("Bail out! open failed: %s\n", gpg_strerror (err));
      exit (1);
    }
  return app;
}

static void
test_open (void)
{
  tp_reader_t rd = new_card ();
  app_t app = NULL;
  gpg_error_t err;
  char buf[40], *prompt;
  static const unsigned char f3[20] =
    { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
      0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11 };

  app = open_app (rd);
  ok (script_done (rd), "open: APDUs as expected (6E without outer tag)");
  ok (!strcmp (app->serialno, AID), "serialno is the AID hex");
  ok (!strcmp (app_openpgp_ident (app, buf, sizeof buf), "FFFE:01234567"),
      "ident MANU:SERIAL");
  ok (!strcmp (app_openpgp_dispserialno (app, buf, sizeof buf),
               "FFFE 01234567"), "display serial number");
  ok (!strcmp (app_openpgp_manufacturer_name (app->manufacturer),
               "unmanaged S/N range"), "manufacturer name");
  ok (app->version == 0x0304, "version 3.4");
  ok (app->status_indicator == 5, "status indicator 05");
  ok (rd->cap_chaining && rd->cap_extended, "chaining and extended length");
  ok (app->keyattr[0].algo == CARD_ALGO_RSA && app->keyattr[0].nbits == 2048
      && app->keyattr[0].ebits == 32
      && !strcmp (app->keyattr[0].algostr, "rsa2048"), "C1 rsa2048");
  ok (app->keyattr[2].algo == CARD_ALGO_EDDSA && app->keyattr[2].eddsa
      && !strcmp (app->keyattr[2].curve, "Ed25519")
      && !strcmp (app->keyattr[2].algostr, "ed25519"), "C3 ed25519");
  ok (app->chv_status[1] == 0x7F && app->chv_status[4] == 3
      && app->chv_status[5] == 0, "C4 parsed");
  ok (!memcmp (app->fpr[2], f3, 20) && app->keytime[2] == 0x65000000,
      "C5 and CD parsed");
  ok (app->sig_counter == 5, "signature counter");
  ok (app->name.present && app->name.len == 9, "cardholder name");
  ok (app->extcap.get_challenge && app->extcap.key_import
      && app->extcap.kdf_do && app->extcap.algo_attr_change
      && !app->extcap.has_button, "extended capabilities");

  err = app_openpgp_pin_prompt (app, 1, 3, &prompt);
  ok (!err && !strcmp (prompt, "||Please unlock the card%0A%0A"
                       "\x1eNumber\x1f: FFFE 01234567%0A"
                       "Holder\x1f: John Doe%0A"
                       "Counter\x1f: 5"), "PW1 (sign) prompt");
  xfree (prompt);
  err = app_openpgp_pin_prompt (app, 3, 2, &prompt);
  ok (!err && !strcmp (prompt, "|A|Please enter the Admin PIN%0A%0A"
                       "\x1eNumber\x1f: FFFE 01234567%0A"
                       "Holder\x1f: John Doe"
                       "%0A%0ARemaining attempts: 2"), "PW3 prompt");
  xfree (prompt);
  app_openpgp_release (app);
  tp_release (rd);

  /* With the outer tag.  */
  rd = new_card ();
  {
    char sixe[1200];

    snprintf (sixe, sizeof sixe, "6E81DB%s", APPDATA);
    script_open (rd, sixe);
  }
  err = app_openpgp_open (rd, &app);
  ok_err (err, "open with outer 6E tag");
  ok (app && !strcmp (app->serialno, AID)
      && app->keyattr[2].algo == CARD_ALGO_EDDSA, "same data with outer tag");
  ok (script_done (rd), "outer tag: APDUs as expected");
  app_openpgp_release (app);
  tp_release (rd);

  /* Malformed: truncated TLVs.  */
  rd = new_card ();
  tpscript_expect (rd, "00A4040006D27600012401", "9000");
  tpscript_expect (rd, "00CA006E00", "4F10D2760001240103 9000");
  app = NULL;
  err = app_openpgp_open (rd, &app);
  ok (err && !app, "truncated 4F is a clean error (%s)", gpg_strerror (err));
  tp_release (rd);

  rd = new_card ();
  tpscript_expect (rd, "00A4040006D27600012401", "9000");
  tpscript_expect (rd, "00CA006E00",
                   "4F10D276000124010304FFFE012345670000 7308C407017F7F 9000");
  err = app_openpgp_open (rd, &app);
  ok (err && !app, "truncated 73 is a clean error (%s)", gpg_strerror (err));
  tp_release (rd);

  rd = new_card ();
  tpscript_expect (rd, "00A4040006D27600012401", "9000");
  tpscript_expect (rd, "00CA006E00",
                   "4F10D276000124010304FFFE012345670000 7305C403017F7F 9000");
  err = app_openpgp_open (rd, &app);
  ok (err && !app, "short C4 is a clean error (%s)", gpg_strerror (err));
  tp_release (rd);

  rd = new_card ();
  tpscript_expect (rd, "00A4040006D27600012401", "6285");
  err = app_openpgp_open (rd, &app);
  ok_code (err, GPG_ERR_OBJ_TERM_STATE, "terminated application");
  tp_release (rd);
}

static void
test_pins (void)
{
  tp_reader_t rd = new_card ();
  app_t app = open_app (rd);
  gpg_error_t err;
  unsigned char *sig = NULL;
  size_t siglen = 0;
  unsigned long before;
  int i;

  /* Wrong PIN answered with 6982: C4 is read again.  */
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "0020008206313233343536", "6982");
  tpscript_expect (rd, "00CA00C400", "017F7F7F020003 9000");
  err = app_openpgp_verify (app, 2, 0, test_pincb, "123456");
  ok_code (err, GPG_ERR_BAD_PIN, "wrong PIN (6982)");
  ok (app->chv_status[4] == 2 && !app->did_chv2, "C4 re-read: 2 tries");
  ok (script_done (rd), "6982: APDUs as expected");

  /* Wrong PIN answered with 63C1.  */
  tpscript_expect (rd, "00CA00C400", "017F7F7F020003 9000");
  tpscript_expect (rd, "0020008206313233343536", "63C1");
  tpscript_expect (rd, "00CA00C400", "017F7F7F010003 9000");
  err = app_openpgp_verify (app, 2, 0, test_pincb, "123456");
  ok_code (err, GPG_ERR_BAD_PIN, "wrong PIN (63C1)");
  ok (app->chv_status[4] == 1, "C4 re-read: 1 try");
  ok (script_done (rd), "63Cx: APDUs as expected");

  /* One try left: nothing is sent unless the caller insists.  */
  pin_calls = 0;
  tpscript_expect (rd, "00CA00C400", "017F7F7F010003 9000");
  err = app_openpgp_verify (app, 2, 0, test_pincb, "123456");
  ok (err && !pin_calls, "one try left: refused without asking (%s)",
      gpg_strerror (err));
  ok (script_done (rd), "one try left: no VERIFY sent");
  tpscript_expect (rd, "00CA00C400", "017F7F7F010003 9000");
  tpscript_expect (rd, "0020008206313233343536", "9000");
  err = app_openpgp_verify (app, 2, APP_FLAG_INSIST, test_pincb, "123456");
  ok_err (err, "one try left: sent when insisting");
  ok (app->did_chv2 && script_done (rd), "PW1(82) verified");

  /* Too short PINs never reach the card.  */
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  err = app_openpgp_verify (app, 1, 0, test_pincb, "12345");
  ok_code (err, GPG_ERR_BAD_PIN, "PW1 shorter than 6");
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  err = app_openpgp_verify (app, 3, 0, test_pincb, "1234567");
  ok_code (err, GPG_ERR_BAD_PIN, "PW3 shorter than 8");
  ok (script_done (rd), "short PINs: no VERIFY sent");

  /* Blocked.  */
  tpscript_expect (rd, "00CA00C400", "017F7F7F030000 9000");
  err = app_openpgp_verify (app, 3, APP_FLAG_INSIST, test_pincb, "12345678");
  ok_code (err, GPG_ERR_PIN_BLOCKED, "PW3 blocked: not asked");
  ok (script_done (rd), "blocked: no VERIFY sent");

  /* One VERIFY, then each signature costs exactly one APDU.  */
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "0020008106313233343536", "9000");
  err = app_openpgp_verify (app, 1, 0, test_pincb, "123456");
  ok_err (err, "PW1(81) verified");
  for (i = 0; i < 3; i++)
    {
      tpscript_expect (rd, "002A9E9A03 AABBCC 00", "0102 9000");
      before = rd->apdu_count;
      err = app_openpgp_sign (app, 1, (const unsigned char *)"\xAA\xBB\xCC",
                              3, 0, test_pincb, "123456", &sig, &siglen);
      ok (!err && siglen == 2 && rd->apdu_count - before == 1,
          "signature %d: one APDU", i + 1);
      xfree (sig);
    }
  ok (app->sig_counter == 8, "signature counter follows");
  ok (script_done (rd), "batch: APDUs as expected");

  /* 6982 after a supposed verification (another client made the card
   * forget it): verify again, once, with the held PIN -- the same card
   * (DO 4F) and no new PIN request.  */
  pin_calls = 0;
  tpscript_expect (rd, "002A9E9A03 AABBCC 00", "6982");
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "00CA004F00", AID " 9000");
  tpscript_expect (rd, "0020008106313233343536", "9000");
  tpscript_expect (rd, "002A9E9A03 AABBCC 00", "0102 9000");
  err = app_openpgp_sign (app, 1, (const unsigned char *)"\xAA\xBB\xCC",
                          3, 0, test_pincb, "123456", &sig, &siglen);
  ok_err (err, "6982 after verify: re-verified and signed");
  xfree (sig);
  ok (script_done (rd) && !pin_calls,
      "re-verify: APDUs as expected, the held PIN, no PIN request");

  /* Reset by another client: re-select, verify with the held PIN.  */
  tpscript_reset_on_begin (rd);
  tpscript_expect (rd, "00A4040006D27600012401", "9000");
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "00CA004F00", AID " 9000");
  tpscript_expect (rd, "0020008106313233343536", "9000");
  tpscript_expect (rd, "002A9E9A03 AABBCC 00", "0102 9000");
  err = app_openpgp_sign (app, 1, (const unsigned char *)"\xAA\xBB\xCC",
                          3, 0, test_pincb, "123456", &sig, &siglen);
  ok_err (err, "after a reset: signed");
  xfree (sig);
  ok (script_done (rd) && !pin_calls,
      "reset: re-select and VERIFY with the held PIN");

  /* Another application selected meanwhile (6D00): re-select, verify
   * with the held PIN, sign -- in the operation's one transaction.  */
  tpscript_expect (rd, "002A9E9A03 AABBCC 00", "6D00");
  tpscript_expect (rd, "00A4040006D27600012401", "9000");
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "00CA004F00", AID " 9000");
  tpscript_expect (rd, "0020008106313233343536", "9000");
  tpscript_expect (rd, "002A9E9A03 AABBCC 00", "0102 9000");
  err = app_openpgp_sign (app, 1, (const unsigned char *)"\xAA\xBB\xCC",
                          3, 0, test_pincb, "123456", &sig, &siglen);
  ok_err (err, "another application selected: signed");
  xfree (sig);
  ok (script_done (rd) && !pin_calls,
      "6D00: re-select and VERIFY with the held PIN");

  /* ... but never on another card (the AID changed), and never with
   * fewer than two tries left: then the PIN is asked for.  */
  tpscript_expect (rd, "002A9E9A03 AABBCC 00", "6D00");
  tpscript_expect (rd, "00A4040006D27600012401", "9000");
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "00CA004F00",
                   "D276000124010304FFFE765432100000 9000");
  tpscript_expect (rd, "0020008106313233343536", "9000");
  tpscript_expect (rd, "002A9E9A03 AABBCC 00", "0102 9000");
  err = app_openpgp_sign (app, 1, (const unsigned char *)"\xAA\xBB\xCC",
                          3, 0, test_pincb, "123456", &sig, &siglen);
  xfree (sig);
  ok (!err && pin_calls == 1 && script_done (rd),
      "another AID: the held PIN is not sent, the PIN is asked for");
  pin_calls = 0;
  tpscript_expect (rd, "002A9E9A03 AABBCC 00", "6982");
  tpscript_expect (rd, "00CA00C400", "017F7F7F010003 9000");
  err = app_openpgp_sign (app, 1, (const unsigned char *)"\xAA\xBB\xCC",
                          3, 0, test_pincb, "123456", &sig, &siglen);
  ok (err && !pin_calls && script_done (rd) && !app->held_pw1,
      "one try left: the held PIN is not sent (%s)", gpg_strerror (err));
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "0020008106313233343536", "9000");
  err = app_openpgp_verify (app, 1, 0, test_pincb, "123456");
  ok (!err && pin_calls == 1 && app->held_pw1 && script_done (rd),
      "verified again: the PIN is held");
  pin_calls = 0;

  /* PW1 valid for one signature only (C4 byte 1 = 00).  */
  app->chv_status[0] = 0;
  tpscript_expect (rd, "002A9E9A03 AABBCC 00", "0102 9000");
  err = app_openpgp_sign (app, 1, (const unsigned char *)"\xAA\xBB\xCC",
                          3, 0, test_pincb, "123456", &sig, &siglen);
  xfree (sig);
  ok (!err && !app->did_chv1, "forced PW1: state dropped after signing");
  ok (script_done (rd), "forced PW1: APDUs as expected");

  /* Touch timeout (6600): GPG_ERR_TIMEOUT, and PW1 is forgotten on
   * the card (VERIFY P1=FF for 81 and 82) and here.  */
  app->chv_status[0] = 1;
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "0020008106313233343536", "9000");
  tpscript_expect (rd, "002A9E9A03 AABBCC 00", "6600");
  tpscript_expect (rd, "0020FF81", "9000");
  tpscript_expect (rd, "0020FF82", "9000");
  err = app_openpgp_sign (app, 1, (const unsigned char *)"\xAA\xBB\xCC",
                          3, 0, test_pincb, "123456", &sig, &siglen);
  ok_code (err, GPG_ERR_TIMEOUT, "touch timeout is GPG_ERR_TIMEOUT");
  ok (!sig && !app->did_chv1 && !app->did_chv2 && script_done (rd),
      "touch timeout: PW1 state cleared on the card and in the app");
  pin_calls = 0;
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "0020008206313233343536", "9000");
  tpscript_expect (rd, "0088000003 AABBCC 00", "0102 9000");
  err = app_openpgp_sign (app, 3, (const unsigned char *)"\xAA\xBB\xCC",
                          3, 0, test_pincb, "123456", &sig, &siglen);
  xfree (sig);
  sig = NULL;
  ok (!err && pin_calls == 1 && script_done (rd),
      "after the timeout the PIN is asked for again");

  /* Card removed mid-command.  */
  tpscript_expect (rd, "00CA00C400", "!1000E");
  err = app_openpgp_verify (app, 1, 0, test_pincb, "123456");
  ok_code (err, GPG_ERR_CARD_REMOVED, "card removed: clean error");

  app_openpgp_release (app);
  tp_release (rd);
}

/* PASSWD sequences as scdaemon runs them (prompts and APDUs).  */
static void
test_passwd (void)
{
  tp_reader_t rd = new_card ();
  app_t app = open_app (rd);
  gpg_error_t err;
  const char *pins_set_rc[] = { "12345678", "87654321", NULL };
  const char *pins_unblock[] = { "87654321", "333333", NULL };
  const char *pins_blocked[] = { "123456", "111111", NULL };
  const char *pins_admin[] = { "12345678", "222222", NULL };
  const char **cursor;

  /* Set the Reset Code while PW3 is still verified: the Admin PIN is
   * asked for again (gpg's PIN queue counts on it), then PUT DATA D3.  */
  app->did_chv3 = 1;
  pin_calls = 0;
  seen_prompts[0] = 0;
  cursor = pins_set_rc;
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "002000830831323334353637 38", "9000");
  tpscript_expect (rd, "00DA00D3083837363534333231", "9000");
  err = app_openpgp_change_pin (app, 2, 1, 0, queue_pincb, &cursor);
  ok_err (err, "PASSWD --reset 2: Reset Code set");
  ok (pin_calls == 2 && !strncmp (seen_prompts, "|A|", 3)
      && strstr (seen_prompts, "\n|RN|New Reset Code\n"),
      "PASSWD --reset 2: Admin PIN asked again, then the new Reset Code");
  ok (script_done (rd), "PASSWD --reset 2: VERIFY 83, PUT DATA D3");

  /* Unblock PW1 with the Reset Code: RESET RETRY COUNTER 00 rc||new.  */
  pin_calls = 0;
  seen_prompts[0] = 0;
  cursor = pins_unblock;
  tpscript_expect (rd, "00CA00C400", "017F7F7F000303 9000");
  tpscript_expect (rd, "002C00810E3837363534333231333333333333", "9000");
  err = app_openpgp_change_pin (app, 2, 0, 0, queue_pincb, &cursor);
  ok_err (err, "PASSWD 2: PW1 unblocked with the Reset Code");
  ok (pin_calls == 2 && !strncmp (seen_prompts, "|R|", 3)
      && strstr (seen_prompts, "\n|N|New PIN\n"),
      "PASSWD 2: Reset Code, then the new PIN");
  ok (script_done (rd), "PASSWD 2: APDUs as expected");

  /* No Reset Code: refused without asking.  */
  pin_calls = 0;
  cursor = pins_unblock;
  tpscript_expect (rd, "00CA00C400", "017F7F7F000003 9000");
  err = app_openpgp_change_pin (app, 2, 0, 0, queue_pincb, &cursor);
  ok (err && !pin_calls && script_done (rd),
      "PASSWD 2 without a Reset Code: nothing asked or sent (%s)",
      gpg_strerror (err));

  /* Changing a blocked PW1: both PINs are asked for and the card says
   * no (as scdaemon does, so that the prompts do not depend on the
   * counter).  */
  pin_calls = 0;
  cursor = pins_blocked;
  tpscript_expect (rd, "00CA00C400", "017F7F7F000003 9000");
  tpscript_expect (rd, "002400810C313233343536313131313131", "6983");
  err = app_openpgp_change_pin (app, 1, 0, 0, queue_pincb, &cursor);
  ok_code (err, GPG_ERR_PIN_BLOCKED, "PASSWD 1 on a blocked PIN");
  ok (pin_calls == 2 && script_done (rd),
      "PASSWD 1 on a blocked PIN: both PINs asked, CHANGE REFERENCE DATA");

  /* A wrong old PIN answered with 6985 (YubiKey NEO): the counter went
   * down, so it is a bad PIN.  */
  pin_calls = 0;
  cursor = pins_blocked;
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "002400810C313233343536313131313131", "6985");
  tpscript_expect (rd, "00CA00C400", "017F7F7F020003 9000");
  tpscript_expect (rd, "00CA00C400", "017F7F7F020003 9000");
  err = app_openpgp_change_pin (app, 1, 0, 0, queue_pincb, &cursor);
  ok_code (err, GPG_ERR_BAD_PIN, "PASSWD 1: 6985 with one try less is BAD_PIN");
  ok (script_done (rd), "6985: C4 read again");
  cursor = pins_blocked;
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "002400810C313233343536313131313131", "6985");
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  err = app_openpgp_change_pin (app, 1, 0, 0, queue_pincb, &cursor);
  ok_code (err, GPG_ERR_USE_CONDITIONS,
           "PASSWD 1: 6985 with the counter unchanged stays USE_CONDITIONS");

  /* Unblock with the Admin PIN: VERIFY 83, RESET RETRY COUNTER 02.  */
  pin_calls = 0;
  cursor = pins_admin;
  tpscript_expect (rd, "00CA00C400", "017F7F7F000003 9000");
  tpscript_expect (rd, "00CA00C400", "017F7F7F000003 9000");
  tpscript_expect (rd, "002000830831323334353637 38", "9000");
  tpscript_expect (rd, "002C028106323232323232", "9000");
  err = app_openpgp_change_pin (app, 1, 1, 0, queue_pincb, &cursor);
  ok_err (err, "PASSWD --reset 1: PW1 unblocked with the Admin PIN");
  ok (pin_calls == 2 && script_done (rd),
      "PASSWD --reset 1: APDUs as expected");

  app_openpgp_release (app);
  tp_release (rd);
}

static void
test_keys (void)
{
  card_keyattr_t attr;
  unsigned char q[33], n[64], *sexp = NULL, *tmpl = NULL;
  size_t sexplen, tmpllen;
  char grip[41];
  gpg_error_t err;
  unsigned char e[3] = { 1, 0, 1 };
  unsigned char p[32], qq[32], d[64];
  char hex[2 * 200 + 1];

  ok_err (card_keyattr_from_curve ("ed25519", 1, &attr), "ed25519 attribute");
  oca_hex2bin ("773E72848C1FD5F9652B29E2E7AF79571A04990E96F2016BF4E0EC1890C2B7DB",
               q, 32);
  err = card_build_pubkey_sexp (&attr, NULL, 0, NULL, 0, q, 32,
                                &sexp, &sexplen, grip);
  ok (!err && !strcmp (grip, "9DB6C64A38830F4960701789475520BE8C821F47"),
      "Ed25519 keygrip (flags eddsa): %s", grip);
  ok (sexp && sexplen > 20
      && memmem (sexp, sexplen, "(5:flags5:eddsa)", 16), "eddsa flag");
  xfree (sexp);

  ok_err (card_keyattr_from_curve ("cv25519", 2, &attr), "cv25519 attribute");
  oca_hex2bin ("40918C1733127F6BF2646FAE3D081A18AE77111C903B906310B077505EFFF12740",
               q, 33);
  err = card_build_pubkey_sexp (&attr, NULL, 0, NULL, 0, q + 1, 32,
                                &sexp, &sexplen, grip);
  ok (!err && !strcmp (grip, "0F89A565D3EA187CE839332398F5D480677DF49C"),
      "Curve25519 keygrip (flags djb-tweak): %s", grip);
  xfree (sexp);
  err = card_build_pubkey_sexp (&attr, NULL, 0, NULL, 0, q, 33,
                                &sexp, &sexplen, grip);
  ok (!err && !strcmp (grip, "0F89A565D3EA187CE839332398F5D480677DF49C"),
      "Curve25519 keygrip with 0x40 prefix");
  xfree (sexp);
  ok_code (card_keyattr_from_curve ("ed25519", 2, &attr),
           GPG_ERR_WRONG_PUBKEY_ALGO, "ed25519 not for decryption");

  /* RSA: the grip hashes n with its 00 sign byte.  */
  memset (&attr, 0, sizeof attr);
  attr.algo = CARD_ALGO_RSA;
  attr.nbits = 512;
  attr.ebits = 17;
  attr.rsa_format = 2;
  oca_hex2bin ("E0EF37513A6851FCB8A20D6F764786255CCE3539C4B4B2FE88AD64B2AA89"
               "872F133D3D3B1C0EF7DBCC4613EB168DFB9899459267E3D4E423B2C3B51C"
               "225FBD25", n, 64);
  err = card_build_pubkey_sexp (&attr, n, 64, e, 3, NULL, 0,
                                &sexp, &sexplen, grip);
  ok (!err && !strcmp (grip, "E544406E5048541D43609375734AFB06F4F0FCED"),
      "RSA keygrip over 00||n: %s", grip);
  ok (sexp && memmem (sexp, sexplen, "(1:n65:\x00\xE0", 8), "n with 00 prefix");
  xfree (sexp);

  /* RSA import template, CRT format: PQ = q^-1 mod p.  */
  oca_hex2bin ("E28DEFE39BF0027312476F57A5E5A5ABAEFCFAD8EFC89849B3AA7EFE4458A885",
               p, 32);
  oca_hex2bin ("FE2B6091A092F52AD4A057A7B0CC1B3B9793B9B41374814632C5BD89B70B3421",
               qq, 32);
  oca_hex2bin ("45BDE608E9732EF88CC6B223BD28B00F25974A297F3407CBA3D51F43C65C9D"
               "ED059CA1ED3842D05060ADBC6BDC310C81AE8325C6979C78D31AA746DBA8BA"
               "B001", d, 64);
  err = card_build_rsa_template (1, &attr, n, 64, e, 3, p, 32, qq, 32, d, 64,
                                 &tmpl, &tmpllen);
  ok_err (err, "RSA CRT template built");
  ok (tmpl && tmpllen == 3 + 184
      && !memcmp (tmpl, "\x4D\x81\xB8\xB6\x00\x7F\x48\x0C\x91\x03\x92\x20"
                  "\x93\x20\x94\x20\x95\x20\x96\x20\x5F\x48\x81\xA3", 24),
      "template header (4D, B6, 7F48, 5F48)");
  if (tmpl && tmpllen == 187)
    {
      oca_bin2hex (tmpl + 24 + 3 + 64, 96, hex);
      ok (!strcmp (hex,
                   "3302244FA2F3AC3AFFD301D102ADD802B8CFE713CA3BE2264745A1E2998AFF4F"
                   "839711C9509FDDAC5CE7A52271B7ABBCC6CD261EAF58022C7CF101064B487BC9"
                   "EA5CF9088EF5B3173144404F21D8B26BBA92BEB36B150C76BC2E555CFCE959C1"),
          "PQ = q^-1 mod p, DP1, DQ1");
      ok (!memcmp (tmpl + 24, e, 3), "e padded to 3 bytes");
    }
  else
    ok (0, "template length %zu", tmpllen);
  wipe_and_free (tmpl, tmpllen);
  /* Wrong prime size.  */
  attr.nbits = 1024;
  err = card_build_rsa_template (1, &attr, n, 64, e, 3, p, 32, qq, 32, d, 64,
                                 &tmpl, &tmpllen);
  ok (err && !tmpl, "primes must be exactly n-bits/2");
}

/* DO FA: C1 rsa2048, rsa4096, ed25519; DA (skipped); C2 cv25519, an
 * unknown OID (skipped); C3 nistp256, brainpoolP256r1.  */
#define ALGOINFO \
  "C106010800002000C106011000002000C10A162B06010401" \
  "DA470F01DA0101C20B122B060104019755010501C204122B0601C309132A86" \
  "48CE3D030107C30A132B2403030208010107"

static const char *const algoinfo_expect[] =
  { "1 rsa2048", "1 rsa4096", "1 ed25519", "2 cv25519", "3 nistp256",
    "3 brainpoolP256r1", NULL };

static int
algoinfo_matches (const card_algoinfo_t *list, size_t count)
{
  char buf[40];
  size_t i;

  for (i = 0; i < count && algoinfo_expect[i]; i++)
    {
      snprintf (buf, sizeof buf, "%d %s", list[i].keyno, list[i].attr.algostr);
      if (strcmp (buf, algoinfo_expect[i]))
        {
          tap_diag ("entry %zu: got '%s', want '%s'", i, buf,
                    algoinfo_expect[i]);
          return 0;
        }
    }
  if (i != count || algoinfo_expect[i])
    {
      tap_diag ("got %zu entries", count);
      return 0;
    }
  return 1;
}

static void
test_algoinfo (void)
{
  tp_reader_t rd;
  app_t app;
  card_algoinfo_t *list;
  size_t count;
  gpg_error_t err;
  char resp[600];
  unsigned char bin[300];
  size_t binlen = strlen (ALGOINFO) / 2;

  /* Pure parser.  */
  oca_hex2bin (ALGOINFO, bin, binlen);
  err = card_parse_algoinfo (bin, binlen, &list, &count);
  ok (!err && algoinfo_matches (list, count), "FA parsed, card order");
  xfree (list);
  err = card_parse_algoinfo (bin, binlen - 1, &list, &count);
  ok (err && !list && !count, "truncated last TLV: %s", gpg_strerror (err));
  oca_hex2bin ("C106010800002000C103010800", bin, 13);
  err = card_parse_algoinfo (bin, 13, &list, &count);
  ok (err && !list && !count, "RSA entry too short: %s", gpg_strerror (err));
  oca_hex2bin ("C100", bin, 2);
  err = card_parse_algoinfo (bin, 2, &list, &count);
  ok (err && !list && !count, "empty entry: %s", gpg_strerror (err));
  oca_hex2bin ("C18401000000", bin, 6);
  err = card_parse_algoinfo (bin, 6, &list, &count);
  ok (err && !list && !count, "bad length encoding: %s", gpg_strerror (err));
  err = card_parse_algoinfo (bin, 0, &list, &count);
  ok (!err && !list && !count, "empty FA: no entries");

  /* From the card, value only.  */
  rd = new_card ();
  app = open_app (rd);
  snprintf (resp, sizeof resp, "%s9000", ALGOINFO);
  tpscript_expect (rd, "00CA00FA00", resp);
  err = app_openpgp_algoinfo (app, &list, &count);
  ok (!err && algoinfo_matches (list, count), "GET DATA FA without outer tag");
  xfree (list);

  /* With the outer FA tag, in two parts (61xx, GET RESPONSE).  */
  tpscript_expect (rd, "00CA00FA00", "FA49C106010800002000C106011000002000C10A" "6137");
  tpscript_expect (rd, "00C0000037", "162B06010401DA470F01DA0101C20B122B060104019755010501C204122B0601C309132A8648CE3D030107C30A132B2403030208010107" "9000");
  err = app_openpgp_algoinfo (app, &list, &count);
  ok (!err && algoinfo_matches (list, count),
      "GET DATA FA with outer tag and GET RESPONSE");
  xfree (list);

  /* Truncated TLV from the card.  */
  snprintf (resp, sizeof resp, "%.*s9000", (int)(2 * binlen - 2), ALGOINFO);
  tpscript_expect (rd, "00CA00FA00", resp);
  list = NULL;
  err = app_openpgp_algoinfo (app, &list, &count);
  ok (err && gpg_err_code (err) != GPG_ERR_NOT_FOUND && !list && !count,
      "truncated FA is an error (%s)", gpg_strerror (err));

  /* Outer tag with a length beyond the data.  */
  snprintf (resp, sizeof resp, "FA%02zX%s9000", binlen + 1, ALGOINFO);
  tpscript_expect (rd, "00CA00FA00", resp);
  err = app_openpgp_algoinfo (app, &list, &count);
  ok (err && !list, "FA with a too long outer length is an error (%s)",
      gpg_strerror (err));

  /* No DO FA: 6A88 and 6D00 (the caller falls back to C1..C3).  */
  tpscript_expect (rd, "00CA00FA00", "6A88");
  ok_code (app_openpgp_algoinfo (app, &list, &count), GPG_ERR_NOT_FOUND,
           "6A88: not found");
  ok (!list && !count, "6A88: no list");
  tpscript_expect (rd, "00CA00FA00", "6D00");
  ok_code (app_openpgp_algoinfo (app, &list, &count), GPG_ERR_NOT_FOUND,
           "6D00: not found");
  tpscript_expect (rd, "00CA00FA00", "9000");
  ok_code (app_openpgp_algoinfo (app, &list, &count), GPG_ERR_NOT_FOUND,
           "empty FA: not found");
  ok (script_done (rd), "algoinfo: APDUs as expected");
  app_openpgp_release (app);
  tp_release (rd);
}

/* Application data with the attributes C1HEX, C2HEX, C3HEX (values,
 * hex) and extended capabilities C0HEX into OUT (hex).  */
static void
make_appdata (char *out, size_t outsize, const char *c0, const char *c1,
              const char *c2, const char *c3)
{
  char inner[1000];
  size_t n;

  snprintf (inner, sizeof inner,
            "C00A%s" "C1%02zX%s" "C2%02zX%s" "C3%02zX%s"
            "C407017F7F7F030003"
            "C53C%0120d" "C63C%0120d" "CD0C%024d",
            c0, strlen (c1) / 2, c1, strlen (c2) / 2, c2,
            strlen (c3) / 2, c3, 0, 0, 0);
  n = strlen (inner) / 2;
  snprintf (out, outsize,
            "4F10D276000124010304FFFE0123456700005F520800730000C00590007381%02zX%s",
            n, inner);
}

#define C0_AAC   "7D000BFE080000FF0000"   /* Attributes changeable.  */
#define C0_FIXED "79000BFE080000FF0000"   /* Not changeable.  */
#define A_RSA1K(e, f) "010400" e f
#define A_ED25519     "162B06010401DA470F01"
#define A_CV25519     "122B060104019755010501"

/* The key data of an RSA 1024 key as gpg-agent sends it, and its
 * parts.  */
static unsigned char *rsa_keydata;
static size_t rsa_keydatalen;
static gcry_sexp_t rsa_key;

static int
make_rsa_key (void)
{
  gcry_sexp_t parms = NULL, key = NULL, l;
  gcry_mpi_t n, e, d, p, q, u;
  size_t len;

  if (gcry_sexp_build (&parms, NULL, "(genkey (rsa (nbits 4:1024)))")
      || gcry_pk_genkey (&key, parms))
    return 0;
  gcry_sexp_release (parms);
  l = gcry_sexp_find_token (key, "private-key", 0);
  gcry_sexp_release (key);
  if (!l || gcry_sexp_extract_param (l, "rsa", "nedpqu", &n, &e, &d, &p,
                                     &q, &u, NULL))
    return 0;
  gcry_sexp_release (l);
  if (gcry_sexp_build (&rsa_key, NULL,
                       "(private-key (rsa (n %m)(e %m)(d %m)(p %m)(q %m)"
                       "(u %m))(created-at %s))", n, e, d, p, q, u,
                       "1700000000"))
    return 0;
  gcry_mpi_release (n); gcry_mpi_release (e); gcry_mpi_release (d);
  gcry_mpi_release (p); gcry_mpi_release (q); gcry_mpi_release (u);
  len = gcry_sexp_sprint (rsa_key, GCRYSEXP_FMT_CANON, NULL, 0);
  rsa_keydata = xtrymalloc (len);
  if (!rsa_keydata)
    return 0;
  rsa_keydatalen = gcry_sexp_sprint (rsa_key, GCRYSEXP_FMT_CANON,
                                     rsa_keydata, len);
  return rsa_keydatalen > 0;
}

/* A copy of the raw bytes of parameter NAME of the test key (xfree
 * it).  */
static unsigned char *
key_part (const char *name, size_t *r_len)
{
  gcry_sexp_t l = gcry_sexp_find_token (rsa_key, name, 1);
  const char *d = l ? gcry_sexp_nth_data (l, 1, r_len) : NULL;
  unsigned char *copy = d ? xtrymalloc (*r_len) : NULL;

  if (copy)
    memcpy (copy, d, *r_len);
  gcry_sexp_release (l);
  return copy;
}

/* The APDU (hex, malloced) that imports the test key into slot KEYNO
 * of a card whose attributes are ATTRHEX: PUT DATA odd (extended Lc
 * when longer than 255);
 * *R_TAGS gets the tag list of 7F48 (hex).  */
static char *
expected_import (int keyno, const char *attrhex, char *r_tags)
{
  card_keyattr_t attr;
  unsigned char bin[16], *tmpl = NULL;
  size_t tmpllen = 0, nl, el, pl, ql, dl;
  unsigned char *n, *e, *p, *q, *d;
  char *hex;
  size_t binlen = strlen (attrhex) / 2, i;
  gpg_error_t err;

  strcpy (r_tags, "x");
  oca_hex2bin (attrhex, bin, binlen);
  if (card_parse_keyattr (bin, binlen, keyno, &attr))
    return NULL;
  n = key_part ("n", &nl);
  e = key_part ("e", &el);
  d = key_part ("d", &dl);
  p = key_part ("p", &pl);
  q = key_part ("q", &ql);
  err = card_build_rsa_template (keyno, &attr, n, nl, e, el, p, pl, q, ql,
                                 d, dl, &tmpl, &tmpllen);
  xfree (n); xfree (e); xfree (d); xfree (p); xfree (q);
  if (err)
    return NULL;
  /* 4D L..  B6 00  7F48 LL <tags>.  */
  i = 1 + (tmpl[1] == 0x82 ? 3 : tmpl[1] == 0x81 ? 2 : 1) + 2 + 2;
  oca_bin2hex (tmpl + i + 1, tmpl[i], r_tags);
  hex = xtrymalloc (2 * (tmpllen + 7) + 1);
  if (!hex)
    return NULL;
  if (tmpllen > 255)
    sprintf (hex, "00DB3FFF00%04X", (unsigned int)tmpllen);
  else
    sprintf (hex, "00DB3FFF%02X", (unsigned int)tmpllen);
  oca_bin2hex (tmpl, tmpllen, hex + strlen (hex));
  wipe_and_free (tmpl, tmpllen);
  return hex;
}

/* Open a scripted card with attributes C1/C2/C3 and extended
 * capabilities C0.  */
static app_t
open_with (tp_reader_t rd, const char *c0, const char *c1, const char *c2,
           const char *c3)
{
  char sixe[1200];
  app_t app = NULL;

  make_appdata (sixe, sizeof sixe, c0, c1, c2, c3);
  script_open (rd, sixe);
  if (app_openpgp_open (rd, &app))
    {
      printf ("Bail out! open failed\n");
      exit (1);
    }
  return app;
}

/* One RSA import: a card with attributes C1 (and C2, C3) and DO FA
 * answer FA (NULL: the attributes already fit, no FA read) gets the
 * test key in slot 1.  NEWATTR is the attribute value the card must
 * be sent (NULL: none), WANTTAGS the 7F48 tag list of the import.  */
static void
check_rsa_import (const char *what, const char *c1, const char *c2,
                  const char *c3, const char *fa, const char *newattr,
                  const char *wanttags)
{
  tp_reader_t rd = new_card ();
  app_t app = open_with (rd, C0_AAC, c1, c2, c3);
  char sixe[1200], apdu[64], tags[64];
  char *imp;
  gpg_error_t err;

  if (fa)
    tpscript_expect (rd, "00CA00FA00", fa);
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "0020008308 3132333435363738", "9000");
  if (newattr)
    {
      snprintf (apdu, sizeof apdu, "00DA00C1%02zX%s", strlen (newattr) / 2,
                newattr);
      tpscript_expect (rd, apdu, "9000");
      make_appdata (sixe, sizeof sixe - 4, C0_AAC, newattr, c2, c3);
      strcat (sixe, "9000");
      tpscript_expect (rd, "00CA006E00", sixe);
    }
  imp = expected_import (1, newattr ? newattr : c1, tags);
  tpscript_expect (rd, imp ? imp : "none", "9000");
  tpscript_expect (rd, "*", "9000");   /* C7 fingerprint.  */
  tpscript_expect (rd, "*", "9000");   /* CE time.  */
  err = app_openpgp_writekey (app, 1, APP_FLAG_FORCE, rsa_keydata,
                              rsa_keydatalen, test_pincb, "12345678");
  ok (script_done (rd) && !err, "%s: %s", what,
      err ? gpg_strerror (err) : "imported");
  ok (imp && !strcmp (tags, wanttags), "%s: 7F48 %s", what, tags);
  xfree (imp);
  app_openpgp_release (app);
  tp_release (rd);
}

/* Tag lists of 7F48 for a 1024-bit key (primes 64 bytes).  */
#define TAGS_E3  "9103"
#define TAGS_E4  "9104"
#define TAGS_PQ  "92409340"
#define TAGS_CRT "944095409640"
#define TAGS_N   "978180"

static void
test_import_formats (void)
{
  tp_reader_t rd;
  app_t app;
  gpg_error_t err;
  char sixe[1200], tags[64];
  const char *fa_both =
    "C106" A_RSA1K ("0020", "00") "C106" A_RSA1K ("0011", "02")
    "C106" "01080000" "2000" "C10A" A_ED25519 "9000";

  if (!make_rsa_key ())
    {
      printf ("Bail out! cannot make an RSA test key\n");
      exit (1);
    }

  /* The slot's own import format, no attribute change: all four.  */
  check_rsa_import ("standard (00)", A_RSA1K ("0020", "00"), A_CV25519,
                    A_ED25519, NULL, NULL, TAGS_E4 TAGS_PQ);
  check_rsa_import ("standard with modulus (01)", A_RSA1K ("0011", "01"),
                    A_CV25519, A_ED25519, NULL, NULL,
                    TAGS_E3 TAGS_PQ TAGS_N);
  check_rsa_import ("CRT (02)", A_RSA1K ("0011", "02"), A_CV25519,
                    A_ED25519, NULL, NULL, TAGS_E3 TAGS_PQ TAGS_CRT);
  check_rsa_import ("CRT with modulus (03)", A_RSA1K ("0020", "03"),
                    A_CV25519, A_ED25519, NULL, NULL,
                    TAGS_E4 TAGS_PQ TAGS_CRT TAGS_N);
  check_rsa_import ("5-byte attributes: standard", "0104000011", A_CV25519,
                    A_ED25519, NULL, NULL, TAGS_E3 TAGS_PQ);

  /* Attribute changes keep the card's format (the bug: format 00).  */
  check_rsa_import ("no DO FA, RSA 4096 CRT+n slot: size changed only",
                    "0110000011" "03", A_CV25519, A_ED25519, "6A88",
                    A_RSA1K ("0011", "03"), TAGS_E3 TAGS_PQ TAGS_CRT TAGS_N);
  check_rsa_import ("no DO FA, Ed25519 slot: another RSA slot's format",
                    A_ED25519, "0108000020" "01", A_ED25519, "6A88",
                    A_RSA1K ("0020", "01"), TAGS_E4 TAGS_PQ TAGS_N);
  check_rsa_import ("no DO FA, no RSA slot: 32-bit e, standard format",
                    A_ED25519, A_CV25519, A_ED25519, "6A88",
                    A_RSA1K ("0020", "00"), TAGS_E4 TAGS_PQ);
  check_rsa_import ("DO FA: the slot's format when offered",
                    "010C000011" "02", A_CV25519, A_ED25519, fa_both,
                    A_RSA1K ("0011", "02"), TAGS_E3 TAGS_PQ TAGS_CRT);
  check_rsa_import ("DO FA: the card's entry for another algorithm",
                    A_ED25519, A_CV25519, A_ED25519, fa_both,
                    A_RSA1K ("0020", "00"), TAGS_E4 TAGS_PQ);
  check_rsa_import ("DO FA: CRT only",
                    A_ED25519, A_CV25519, A_ED25519,
                    "C106" A_RSA1K ("0011", "02") "9000",
                    A_RSA1K ("0011", "02"), TAGS_E3 TAGS_PQ TAGS_CRT);

  /* Not offered by DO FA: refused before the PIN or any write.  */
  rd = new_card ();
  app = open_with (rd, C0_AAC, A_ED25519, A_CV25519, A_ED25519);
  tpscript_expect (rd, "00CA00FA00", "C10A" A_ED25519 "9000");
  pin_calls = 0;
  err = app_openpgp_writekey (app, 1, APP_FLAG_FORCE, rsa_keydata,
                              rsa_keydatalen, test_pincb, "12345678");
  ok_code (err, GPG_ERR_UNSUPPORTED_ALGORITHM,
           "RSA not in DO FA: refused");
  ok (!pin_calls && script_done (rd), "not in DO FA: no PIN, no write");
  app_openpgp_release (app);
  tp_release (rd);

  /* Attributes not changeable: refused before the PIN.  */
  rd = new_card ();
  app = open_with (rd, C0_FIXED, A_ED25519, A_CV25519, A_ED25519);
  pin_calls = 0;
  err = app_openpgp_writekey (app, 1, APP_FLAG_FORCE, rsa_keydata,
                              rsa_keydatalen, test_pincb, "12345678");
  ok_code (err, GPG_ERR_NOT_SUPPORTED, "fixed attributes: refused");
  ok (!pin_calls && script_done (rd), "fixed attributes: nothing sent");
  app_openpgp_release (app);
  tp_release (rd);

  /* The card accepts the attributes but keeps others: no import.  */
  rd = new_card ();
  app = open_with (rd, C0_AAC, A_ED25519, A_CV25519, A_ED25519);
  tpscript_expect (rd, "00CA00FA00", "6A88");
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "0020008308 3132333435363738", "9000");
  tpscript_expect (rd, "00DA00C106" A_RSA1K ("0020", "00"), "9000");
  make_appdata (sixe, sizeof sixe - 4, C0_AAC, A_ED25519, A_CV25519,
                A_ED25519);
  strcat (sixe, "9000");
  tpscript_expect (rd, "00CA006E00", sixe);
  err = app_openpgp_writekey (app, 1, APP_FLAG_FORCE, rsa_keydata,
                              rsa_keydatalen, test_pincb, "12345678");
  ok_code (err, GPG_ERR_INV_RESPONSE, "card kept other attributes");
  ok (script_done (rd), "card kept other attributes: no import sent");
  app_openpgp_release (app);
  tp_release (rd);

  /* SETATTR KEY-ATTR uses the same rules.  */
  rd = new_card ();
  app = open_with (rd, C0_AAC, "0110000011" "03", A_CV25519, A_ED25519);
  tpscript_expect (rd, "00CA00FA00", "6A88");
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "0020008308 3132333435363738", "9000");
  tpscript_expect (rd, "00DA00C106" "0108000011" "03", "9000");
  make_appdata (sixe, sizeof sixe - 4, C0_AAC, "0108000011" "03",
                A_CV25519, A_ED25519);
  strcat (sixe, "9000");
  tpscript_expect (rd, "00CA006E00", sixe);
  err = app_openpgp_setattr (app, "KEY-ATTR",
                             (const unsigned char *)"--force 1 1 rsa2048",
                             19, 0, test_pincb, "12345678");
  ok (!err && script_done (rd) && app->keyattr[0].rsa_format == 3
      && app->keyattr[0].nbits == 2048,
      "SETATTR KEY-ATTR rsa2048: e and format kept (%s)",
      gpg_strerror (err));
  app_openpgp_release (app);
  tp_release (rd);
  (void)tags;
}

/* Ed25519 key data (RFC 8032 test 1) as gpg-agent sends it.  */
#define ED_KEYDATA \
  "(11:private-key(3:ecc(5:curve7:Ed25519)(5:flags5:eddsa)(1:q33:@" \
  "\xD7\x5A\x98\x01\x82\xB1\x0A\xB7\xD5\x4B\xFE\xD3\xC9\x64\x07\x3A" \
  "\x0E\xE1\x72\xF3\xDA\xA6\x23\x25\xAF\x02\x1A\x68\xF7\x07\x51\x1A)" \
  "(1:d32:\x9D\x61\xB1\x9D\xEF\xFD\x5A\x60\xBA\x84\x4A\xF4\x92\xEC\x2C" \
  "\xC4\x44\x49\xC5\x69\x7B\x32\x69\x19\x70\x3B\xAC\x03\x1C\xAE\x7F\x60))" \
  "(10:created-at10:1700000000))"
#define ED_D "9D61B19DEFFD5A60BA844AF492EC2CC44449C5697B326919703BAC031CAE7F60"
#define ED_Q "D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A"

/* ECC import into slot 3 of a card with C3 = C3 (after a change to
 * NEWATTR / what the card reports, REREAD, when not NULL): WITHQ says
 * whether tag 99 must be sent.  */
static void
check_ecc_import (const char *what, const char *c3, const char *fa,
                  const char *newattr, const char *reread, int withq)
{
  tp_reader_t rd = new_card ();
  app_t app = open_with (rd, C0_AAC, A_RSA1K ("0020", "00"), A_CV25519, c3);
  char sixe[1200], apdu[400];
  gpg_error_t err;

  if (fa)
    tpscript_expect (rd, "00CA00FA00", fa);
  tpscript_expect (rd, "00CA00C400", "017F7F7F030003 9000");
  tpscript_expect (rd, "0020008308 3132333435363738", "9000");
  if (newattr)
    {
      snprintf (apdu, sizeof apdu, "00DA00C3%02zX%s", strlen (newattr) / 2,
                newattr);
      tpscript_expect (rd, apdu, "9000");
      make_appdata (sixe, sizeof sixe - 4, C0_AAC, A_RSA1K ("0020", "00"),
                    A_CV25519, reread ? reread : newattr);
      strcat (sixe, "9000");
      tpscript_expect (rd, "00CA006E00", sixe);
    }
  if (withq)
    snprintf (apdu, sizeof apdu, "00DB3FFF" "4E" "4D4C" "A400"
              "7F4804" "9220" "9920" "5F4840" ED_D ED_Q);
  else
    snprintf (apdu, sizeof apdu, "00DB3FFF" "2C" "4D2A" "A400"
              "7F4802" "9220" "5F4820" ED_D);
  tpscript_expect (rd, apdu, "9000");
  tpscript_expect (rd, "*", "9000");
  tpscript_expect (rd, "*", "9000");
  err = app_openpgp_writekey (app, 3, APP_FLAG_FORCE,
                              (const unsigned char *)ED_KEYDATA,
                              sizeof ED_KEYDATA - 1, test_pincb, "12345678");
  ok (script_done (rd) && !err, "%s: %s", what,
      err ? gpg_strerror (err) : "imported");
  app_openpgp_release (app);
  tp_release (rd);
}

static void
test_import_ecc (void)
{
  check_ecc_import ("Ed25519 without public key", A_ED25519, NULL, NULL,
                    NULL, 0);
  check_ecc_import ("Ed25519 with public key (FF)", A_ED25519 "FF", NULL,
                    NULL, NULL, 1);
  check_ecc_import ("Ed25519 00 flag: without public key", A_ED25519 "00",
                    NULL, NULL, NULL, 0);
  check_ecc_import ("switch via DO FA: the card's FF form",
                    A_RSA1K ("0020", "00"),
                    "C30B" A_ED25519 "FF" "C306" A_RSA1K ("0020", "00")
                    "9000", A_ED25519 "FF", NULL, 1);
  check_ecc_import ("no DO FA: the card adds FF itself",
                    A_RSA1K ("0020", "00"), "6A88", A_ED25519,
                    A_ED25519 "FF", 1);
}

int
main (void)
{
  if (!gcry_check_version (NULL))
    return 1;
  gcry_control (GCRYCTL_DISABLE_SECMEM, 0);
  gcry_control (GCRYCTL_INITIALIZATION_FINISHED, 0);
  test_open ();
  test_pins ();
  test_passwd ();
  test_keys ();
  test_algoinfo ();
  test_import_formats ();
  test_import_ecc ();
  return tap_done ();
}
