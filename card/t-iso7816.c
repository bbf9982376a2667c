/* t-iso7816.c - unit tests for the ISO 7816 layer (scripted card)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Status word mapping, 61xx / GET RESPONSE, 6Cxx retry, command
 * chaining, extended length encoding, truncated responses.
 */
#include <config.h>
#include "iso7816.h"
#include "transport-script.h"
#include "t-support.h"

#include <string.h>

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
  return !tpscript_mismatches (rd) && !tpscript_pending (rd);
}

static void
test_map_sw (void)
{
  ok (!card_map_sw (0x9000), "9000 is success");
  ok_code (card_map_sw (0x6982), GPG_ERR_BAD_PIN, "6982 -> BAD_PIN");
  ok_code (card_map_sw (0x63C2), GPG_ERR_BAD_PIN, "63C2 -> BAD_PIN");
  ok_code (card_map_sw (0x6983), GPG_ERR_PIN_BLOCKED, "6983 -> PIN_BLOCKED");
  ok_code (card_map_sw (0x6985), GPG_ERR_USE_CONDITIONS,
           "6985 -> USE_CONDITIONS");
  ok_code (card_map_sw (0x6A88), GPG_ERR_NO_OBJ, "6A88 -> NO_OBJ");
  ok_code (card_map_sw (0x6A82), GPG_ERR_ENOENT, "6A82 -> ENOENT");
  ok_code (card_map_sw (0x6285), GPG_ERR_OBJ_TERM_STATE,
           "6285 -> OBJ_TERM_STATE");
  ok_code (card_map_sw (0x6600), GPG_ERR_TIMEOUT, "6600 -> TIMEOUT");
  ok_code (card_map_sw (0x6581), GPG_ERR_HARDWARE, "6581 -> HARDWARE");
  ok_code (card_map_sw (0x6700), GPG_ERR_INV_VALUE, "6700 -> INV_VALUE");
  ok_code (card_map_sw (0x6884), GPG_ERR_NOT_SUPPORTED,
           "6884 -> NOT_SUPPORTED");
  ok_code (card_map_sw (0x6D00), GPG_ERR_CARD, "6D00 -> CARD");
  ok_code (card_map_sw (0x6F00), GPG_ERR_CARD, "6F00 -> CARD");
  ok_code (card_map_sw (SW_HOST_NO_CARD), GPG_ERR_CARD_NOT_PRESENT,
           "host no card -> CARD_NOT_PRESENT");
  ok_code (card_map_sw (SW_HOST_CARD_REMOVED), GPG_ERR_CARD_REMOVED,
           "host removed -> CARD_REMOVED");
  ok_code (card_map_sw (SW_HOST_CARD_RESET), GPG_ERR_CARD_RESET,
           "host reset -> CARD_RESET");
  ok (gpg_err_source (card_map_sw (0x6982)) == GPG_ERR_SOURCE_SCD,
      "errors carry the SCD source");
}

static void
test_get_response (void)
{
  tp_reader_t rd = new_card ();
  unsigned char *res = NULL;
  size_t len = 0;
  gpg_error_t err;

  tpscript_expect (rd, "00CA006E00", "0102 6103");
  tpscript_expect (rd, "00C0000003", "030405 6102");
  tpscript_expect (rd, "00C0000002", "0607 9000");
  err = iso7816_get_data (rd, 0x6E, &res, &len);
  ok_err (err, "GET DATA with 61xx");
  ok (len == 7 && res && !memcmp (res, "\x01\x02\x03\x04\x05\x06\x07", 7),
      "GET RESPONSE data concatenated");
  ok (script_done (rd), "GET RESPONSE APDUs as expected");
  xfree (res);

  tpscript_expect (rd, "00CA00C400", "6C07");
  tpscript_expect (rd, "00CA00C407", "017F7F7F030003 9000");
  err = iso7816_get_data (rd, 0xC4, &res, &len);
  ok_err (err, "GET DATA with 6Cxx retry");
  ok (len == 7 && res[1] == 0x7F, "6Cxx retry data");
  ok (script_done (rd), "6Cxx APDUs as expected");
  xfree (res);

  tpscript_expect (rd, "00CA00C400", "90");
  err = iso7816_get_data (rd, 0xC4, &res, &len);
  ok_code (err, GPG_ERR_INV_RESPONSE, "1-byte response is INV_RESPONSE");
  ok (!res && !len, "no result on error");

  tpscript_expect (rd, "00CA00C400", "!1000E");
  err = iso7816_get_data (rd, 0xC4, &res, &len);
  ok_code (err, GPG_ERR_CARD_REMOVED, "host status becomes an error");

  tpscript_expect (rd, "00CA005E00", "6A88");
  err = iso7816_get_data (rd, 0x5E, &res, &len);
  ok_code (err, GPG_ERR_NO_OBJ, "6A88 from GET DATA");
  ok (script_done (rd), "error APDUs as expected");
  tp_release (rd);
}

static void
test_chaining_and_extended (void)
{
  tp_reader_t rd = new_card ();
  unsigned char data[300];
  char expect[2 * 320 + 1], hex[2 * 300 + 1];
  unsigned char *res = NULL;
  size_t len = 0, i;
  gpg_error_t err;

  for (i = 0; i < sizeof data; i++)
    data[i] = (unsigned char)i;

  /* Neither chaining nor extended length: refused.  */
  err = iso7816_put_data (rd, 0x5B, data, sizeof data);
  ok_code (err, GPG_ERR_NOT_SUPPORTED, "300 bytes without chaining/extended");
  ok (script_done (rd), "nothing sent");

  /* Chaining: 254-byte chunks for PUT DATA, CLA 10 except the last.  */
  rd->cap_chaining = 1;
  oca_bin2hex (data, 254, hex);
  snprintf (expect, sizeof expect, "10DA005BFE%s", hex);
  tpscript_expect (rd, expect, "9000");
  oca_bin2hex (data + 254, 46, hex);
  snprintf (expect, sizeof expect, "00DA005B2E%s", hex);
  tpscript_expect (rd, expect, "9000");
  err = iso7816_put_data (rd, 0x5B, data, sizeof data);
  ok_err (err, "PUT DATA with chaining");
  ok (script_done (rd), "chained APDUs split 254 + 46 with CLA 10");

  /* Chaining with an error on an intermediate chunk.  */
  oca_bin2hex (data, 254, hex);
  snprintf (expect, sizeof expect, "10DA005BFE%s", hex);
  tpscript_expect (rd, expect, "6883");
  err = iso7816_put_data (rd, 0x5B, data, sizeof data);
  ok_code (err, GPG_ERR_CARD, "chain error 6883 stops the chain");
  ok (script_done (rd), "no further chunk after an error");

  /* Extended length: Lc = 00 HH LL.  */
  rd->cap_extended = 1;
  oca_bin2hex (data, 300, hex);
  snprintf (expect, sizeof expect, "00DB3FFF00012C%s", hex);
  tpscript_expect (rd, expect, "9000");
  err = iso7816_put_data_odd (rd, 0x3FFF, data, sizeof data);
  ok_err (err, "PUT DATA odd with extended Lc");
  ok (script_done (rd), "extended Lc encoding 00 01 2C");

  /* Extended Le with data: Lc 3 bytes, Le 2 bytes.  */
  oca_bin2hex (data, 35, hex);
  snprintf (expect, sizeof expect, "002A9E9A000023%s0200", hex);
  tpscript_expect (rd, expect, "AABB9000");
  err = iso7816_compute_ds (rd, data, 35, 512, &res, &len);
  ok_err (err, "PSO:CDS with extended Le");
  ok (script_done (rd) && len == 2, "extended Le encoding 02 00");
  xfree (res);

  /* Extended Le without data: 00 HH LL.  */
  tpscript_expect (rd, "00478100000002B600010F", "7F4900 9000");
  err = iso7816_generate_keypair (rd, 1, (const unsigned char *)"\xB6\x00",
                                  2, 271, &res, &len);
  ok_err (err, "read public key with extended Le");
  ok (script_done (rd), "Le 01 0F after extended Lc 00 00 02");
  xfree (res);

  /* Short APDUs stay short.  */
  tpscript_expect (rd, "0020008206313233343536", "9000");
  err = iso7816_verify (rd, 0x82, (const unsigned char *)"123456", 6);
  ok_err (err, "short VERIFY");
  tpscript_expect (rd, "00200081", "63C2");
  err = iso7816_verify (rd, 0x81, NULL, 0);
  ok_code (err, GPG_ERR_BAD_PIN, "VERIFY status query 63C2");
  tpscript_expect (rd, "0020FF81", "9000");
  ok_err (iso7816_verify_reset (rd, 0x81), "VERIFY P1=FF");
  ok (script_done (rd), "VERIFY APDUs as expected");

  /* Direct APDU keeps the SW; --more follows 61xx.  */
  tpscript_expect (rd, "00CA006E00", "01 6101");
  tpscript_expect (rd, "00C0000001", "02 9000");
  err = iso7816_apdu_direct (rd, (const unsigned char *)"\x00\xCA\x00\x6E\x00",
                             5, 1, &res, &len);
  ok_err (err, "direct APDU");
  ok (len == 4 && !memcmp (res, "\x01\x02\x90\x00", 4),
      "direct APDU data includes SW");
  xfree (res);
  tpscript_expect (rd, "00CA006E00", "6A88");
  err = iso7816_apdu_direct (rd, (const unsigned char *)"\x00\xCA\x00\x6E\x00",
                             5, 1, &res, &len);
  ok (!err && len == 2 && res[0] == 0x6A, "direct APDU: card SW is no error");
  xfree (res);
  ok (script_done (rd), "direct APDUs as expected");

  /* Less than a header never reaches the reader (a 1-byte message is
   * a control code for vpcd).  */
  {
    unsigned long before = rd->apdu_count;
    unsigned char buf[16];
    size_t buflen = sizeof buf;

    err = iso7816_apdu_direct (rd, (const unsigned char *)"\x00", 1, 0,
                               &res, &len);
    ok_code (err, GPG_ERR_INV_VALUE, "1-byte direct APDU refused");
    ok (tp_transmit (rd, (const unsigned char *)"\x00\xCA\x00", 3,
                     buf, &buflen) == SW_HOST_INV_VALUE,
        "3-byte APDU refused by the transport");
    ok (rd->apdu_count == before && script_done (rd),
        "short APDUs: nothing sent");
  }
  tp_release (rd);
}

int
main (void)
{
  gcry_check_version (NULL);
  test_map_sw ();
  test_get_response ();
  test_chaining_and_extended ();
  return tap_done ();
}
