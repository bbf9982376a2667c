/* t-scd-util.c - unit tests for oca-scd's pure helpers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Status-line escaping, D-line data of inquiries, option parsing,
 * DigestInfo stripping, NEEDPIN lines and PIN replies, key references.
 */
#include <config.h>
#include "scd-util.h"
#include "t-support.h"

#include <string.h>

static void
test_escaping (void)
{
  char *line = NULL;
  char buf[64];
  size_t n;
  gpg_error_t err;

  err = scd_build_status_info (&line, "a b+c%d\"e\x01", (size_t)10, NULL);
  ok (!err && !strcmp (line, "a+b%2Bc%25d%22e%01"), "value escaping: %s",
      line ? line : "");
  xfree (line);
  err = scd_build_status_info (&line, " 1 127 127 127 3 0 3", (size_t)20,
                               NULL);
  ok (!err && !strcmp (line, "+1+127+127+127+3+0+3"), "CHV-STATUS format");
  xfree (line);
  err = scd_build_status_info (&line, "1", (size_t)1, "", (size_t)0,
                               "ABCD", (size_t)4, NULL);
  ok (!err && !strcmp (line, "1 ABCD"), "values separated, empty skipped");
  xfree (line);
  err = scd_build_status_info (&line, "\x00\x20", (size_t)2, NULL);
  ok (!err && !strcmp (line, "%00+"), "UIF bytes 00 20 -> %%00+");
  xfree (line);
  err = scd_build_status_info (&line, NULL);
  ok (!err && !strcmp (line, ""), "no values: empty");
  xfree (line);
  err = scd_build_status_info (&line, "Doe<<John\xc3\xa4", (size_t)11, NULL);
  ok (!err && !strcmp (line, "Doe<<John\xc3\xa4"), "UTF-8 kept as is");
  xfree (line);

  strcpy (buf, "Doe%3C%3CJohn+X%00Y");
  n = scd_percent_plus_unescape (buf);
  ok (n == 13 && !memcmp (buf, "Doe<<John X\0Y", 13), "percent-plus unescape");
  strcpy (buf, "100%");
  n = scd_percent_plus_unescape (buf);
  ok (n == 4 && !strcmp (buf, "100%"), "lone percent kept");
}

/* D-line data of inquiries: escapes decoded, broken ones refused
 * (libassuan's assuan_inquire loops forever on "D 12%4").  */
static void
test_data_lines (void)
{
  membuf_t mb;
  unsigned char *buf;
  size_t len;
  gpg_error_t err;

  membuf_init (&mb, 100, 1);
  err = scd_unescape_data ("12%253456%00", 12, &mb);
  ok_err (err, "D line with escapes");
  ok_err (membuf_take (&mb, &buf, &len), "take");
  ok (len == 8 && !memcmp (buf, "12%3456\0", 8), "escapes decoded");
  wipe_and_free (buf, len);

  membuf_init (&mb, 100, 1);
  ok_code (scd_unescape_data ("12%4", 4, &mb), GPG_ERR_ASS_SYNTAX,
           "escape cut after one digit");
  ok_code (scd_unescape_data ("12%", 3, &mb), GPG_ERR_ASS_SYNTAX,
           "escape cut after the percent");
  ok_code (scd_unescape_data ("%G1", 3, &mb), GPG_ERR_ASS_SYNTAX,
           "escape with a non-hex digit");
  /* Only the first 4 bytes count ("%41" is cut after "%4").  */
  ok_code (scd_unescape_data ("12%41", 4, &mb), GPG_ERR_ASS_SYNTAX,
           "the length bounds the escape");
  membuf_release (&mb);

  membuf_init (&mb, 4, 1);
  ok_code (scd_unescape_data ("12345", 5, &mb), GPG_ERR_ASS_TOO_MUCH_DATA,
           "more than the maximum");
  membuf_release (&mb);
}

static void
test_options (void)
{
  char *v;
  static const char *const allowed[] = { "--force", "--hash", NULL };

  ok (scd_has_option ("--force OPENPGP.1", "--force"), "has --force");
  ok (!scd_has_option ("--forced OPENPGP.1", "--force"), "no prefix match");
  ok (!scd_has_option ("OPENPGP.1 --force", "--force"),
      "options only before arguments");
  ok (scd_has_option ("--hash=sha256 x", "--hash"), "--hash=value present");
  v = scd_option_value ("--info --hash=sha256 OPENPGP.1", "--hash");
  ok (v && !strcmp (v, "sha256"), "option value");
  xfree (v);
  ok (!scd_option_value ("--hash OPENPGP.1", "--hash"), "no value");
  ok (!strcmp (scd_skip_options ("--info -- OPENPGP.1"), "OPENPGP.1"),
      "-- ends options");
  ok (!strcmp (scd_skip_options ("--force  3"), "3"), "skip options");
  ok (!strcmp (scd_skip_options ("OPENPGP.2"), "OPENPGP.2"), "no options");
  ok (!scd_has_option ("-- --force", "--force"), "after --, not an option");
  ok (scd_check_options ("--force --hash=sha1 x", allowed), "known options");
  ok (!scd_check_options ("--bogus x", allowed), "unknown option found");

  ok (scd_parse_keyref ("OPENPGP.1", 0) == 1, "OPENPGP.1");
  ok (scd_parse_keyref ("openpgp.3", 0) == 3, "case-insensitive");
  ok (scd_parse_keyref ("OPENPGP.4", 1) == 0, "OPENPGP.4 invalid");
  ok (scd_parse_keyref ("2", 1) == 2 && scd_parse_keyref ("2", 0) == 0,
      "plain number only when allowed");
  ok (scd_is_keygrip ("9DB6C64A38830F4960701789475520BE8C821F47"),
      "keygrip");
  ok (!scd_is_keygrip ("9DB6C64A38830F4960701789475520BE8C821F4"),
      "39 digits: no keygrip");
  ok (!scd_is_keygrip ("9DB6C64A38830F4960701789475520BE8C821F47A"),
      "41 digits: no keygrip");
}

static void
test_digestinfo (void)
{
  unsigned char buf[19 + 64];
  const unsigned char *prefix, *digest;
  size_t plen, dlen;
  int algo;
  gpg_error_t err;

  memset (buf, 0xAB, sizeof buf);
  prefix = scd_digestinfo_prefix (GCRY_MD_SHA256, &plen);
  ok (prefix && plen == 19, "SHA-256 prefix is 19 bytes");
  memcpy (buf, prefix, plen);
  err = scd_strip_digestinfo (buf, 19 + 32, GCRY_MD_SHA256, &algo,
                              &digest, &dlen);
  ok (!err && algo == GCRY_MD_SHA256 && dlen == 32 && digest == buf + 19,
      "SHA-256 DigestInfo stripped");
  err = scd_strip_digestinfo (buf, 19 + 32, 0, &algo, &digest, &dlen);
  ok (!err && algo == GCRY_MD_SHA256, "hash detected from prefix");
  err = scd_strip_digestinfo (buf, 19 + 32, GCRY_MD_SHA1, &algo,
                              &digest, &dlen);
  ok_code (err, GPG_ERR_DIGEST_ALGO, "prefix of another hash");
  memset (buf, 0xCD, sizeof buf);
  err = scd_strip_digestinfo (buf, 32, GCRY_MD_SHA256, &algo, &digest, &dlen);
  ok (!err && dlen == 32 && digest == buf, "bare SHA-256 digest");
  err = scd_strip_digestinfo (buf, 20, GCRY_MD_SHA256, &algo, &digest, &dlen);
  ok_code (err, GPG_ERR_INV_VALUE, "bare digest of the wrong length");
  err = scd_strip_digestinfo (buf, 64, 0, &algo, &digest, &dlen);
  ok (!err && algo == GCRY_MD_SHA512, "bare 64 bytes is SHA-512");
  prefix = scd_digestinfo_prefix (GCRY_MD_SHA1, &plen);
  ok (plen == 15 && prefix[0] == 0x30 && prefix[14] == 0x14,
      "SHA-1 prefix is 15 bytes");
  memcpy (buf, prefix, plen);
  err = scd_strip_digestinfo (buf, 35, GCRY_MD_SHA1, &algo, &digest, &dlen);
  ok (!err && dlen == 20, "SHA-1 DigestInfo stripped");
  ok (scd_hash_from_name ("sha384") == GCRY_MD_SHA384
      && scd_hash_from_name ("rmd160") == GCRY_MD_RMD160
      && !scd_hash_from_name ("sha3"), "hash names");
}

static void
test_needpin (void)
{
  char *line = NULL, *pin = NULL;
  unsigned char reply[90];
  char big[1100];
  gpg_error_t err;

  err = scd_needpin_line ("||Please unlock the card%0A%0A\x1eNumber\x1f: "
                          "FFFE 01234567", &line);
  ok (!err && !strcmp (line, "NEEDPIN ||Please unlock the card%0A%0A"
                       "\x1eNumber\x1f: FFFE 01234567"), "NEEDPIN line");
  xfree (line);
  memset (big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  err = scd_needpin_line (big, &line);
  ok_code (err, GPG_ERR_TOO_LARGE, "over-long prompt refused");
  err = scd_needpin_line ("a\nb", &line);
  ok_code (err, GPG_ERR_INV_VALUE, "newline in prompt refused");

  memset (reply, 0, sizeof reply);
  memcpy (reply, "123456", 6);
  err = scd_pin_from_reply (reply, sizeof reply, &pin);
  ok (!err && !strcmp (pin, "123456"), "90-byte NUL-padded reply");
  ok (pin && gcry_is_secure (pin), "PIN in secure memory");
  wipe_and_free_string (pin);
  err = scd_pin_from_reply ((const unsigned char *)"654321", 6, &pin);
  ok (!err && !strcmp (pin, "654321"), "reply without NUL");
  wipe_and_free_string (pin);
  err = scd_pin_from_reply (reply + 10, 80, &pin);
  ok_code (err, GPG_ERR_NO_PIN, "empty reply");
}

int
main (void)
{
  if (oca_init_gcrypt (0))
    return 1;
  test_escaping ();
  test_data_lines ();
  test_options ();
  test_digestinfo ();
  test_needpin ();
  return tap_done ();
}
