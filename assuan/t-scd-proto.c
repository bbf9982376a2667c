/* t-scd-proto.c - unit tests of the shared protocol helper
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Escaping (status lines, command arguments) and strict unescaping,
 * words, options, key references, PIN request flags, NEEDPIN lines.
 */
#include <config.h>
#include "scd-proto.h"
#include "t-support.h"

#include <string.h>

static void
test_escaping (void)
{
  char *line = NULL;
  membuf_t mb;
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

  /* SETATTR values: percent-plus, strict (the server used to keep a
   * broken escape as it stood).  */
  membuf_init (&mb, 100, 0);
  ok_err (scd_unescape_to (&mb, "Doe%3C%3CJohn+X%00Y", 19, 1),
          "percent-plus unescape");
  ok (membuf_len (&mb) == 13 && !memcmp (membuf_data (&mb), "Doe<<John X\0Y", 13),
      "... gives the bytes");
  membuf_release (&mb);
  membuf_init (&mb, 100, 0);
  ok_code (scd_unescape_to (&mb, "100%", 4, 1), GPG_ERR_INV_DATA,
           "lone percent refused");
  membuf_release (&mb);
  membuf_init (&mb, 100, 0);
  ok_code (scd_unescape_to (&mb, "bad%zzescape", 12, 1), GPG_ERR_INV_DATA,
           "non-hex escape refused");
  membuf_release (&mb);
  membuf_init (&mb, 100, 0);
  ok_code (scd_unescape_to (&mb, "%4", 2, 0), GPG_ERR_INV_DATA,
           "escape cut after one digit refused");
  membuf_release (&mb);
  membuf_init (&mb, 100, 0);
  ok_err (scd_unescape_to (&mb, "a+b%2b", 6, 0), "percent only");
  ok (membuf_len (&mb) == 4 && !memcmp (membuf_data (&mb), "a+b+", 4),
      "... '+' kept without PLUS, %%2b decoded (either case)");
  membuf_release (&mb);
  membuf_init (&mb, 3, 0);
  ok_code (scd_unescape_to (&mb, "abcd", 4, 0), GPG_ERR_TOO_LARGE,
           "past the maximum");
  membuf_release (&mb);
}

static void
test_escape_value (void)
{
  char *s;

  ok_err (scd_escape_value ("Doe<<John Q", 11, &s), "escape name");
  ok (!strcmp (s, "Doe<<John+Q"), "space becomes plus: %s", s);
  xfree (s);
  ok_err (scd_escape_value ("a+b%c\n\x01\xc3\xa4", 9, &s), "escape specials");
  ok (!strcmp (s, "a%2Bb%25c%0A%01%C3%A4"), "specials escaped: %s", s);
  xfree (s);
  ok_err (scd_escape_value ("", 0, &s), "escape empty");
  ok (s && !*s, "empty stays empty");
  xfree (s);
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
test_words (void)
{
  const char *s = "KEY-ATTR-INFO  OPENPGP.1 rsa2048";
  char w[16];

  ok_err (scd_next_word (&s, w, sizeof w), "first word");
  ok (!strcmp (w, "KEY-ATTR-INFO") && !strcmp (s, "OPENPGP.1 rsa2048"),
      "... the keyword, the rest after the spaces");
  ok_err (scd_next_word (&s, w, sizeof w), "second word");
  ok (!strcmp (w, "OPENPGP.1") && !strcmp (s, "rsa2048"), "... and rest");
  ok_err (scd_next_word (&s, w, sizeof w), "last word");
  ok (!strcmp (w, "rsa2048") && !*s, "... at the end");
  ok_err (scd_next_word (&s, w, sizeof w), "at the end");
  ok (!*w, "... an empty word");
  s = "0123456789ABCDEF x";
  ok_code (scd_next_word (&s, w, sizeof w), GPG_ERR_TOO_LARGE,
           "a word longer than the buffer");
  ok (!strcmp (s, "0123456789ABCDEF x"), "... leaves the line alone");
}

static void
test_pinflags (void)
{
  scd_pinflags_t f;
  const char *t;

  t = scd_pinflags_parse ("|A|Please enter the Admin PIN", &f);
  ok (f.admin && !f.newpin && !f.resetcode
      && !strcmp (t, "Please enter the Admin PIN"), "|A|");
  t = scd_pinflags_parse ("|RN|New Reset Code", &f);
  ok (!f.admin && f.newpin && f.resetcode && !strcmp (t, "New Reset Code"),
      "|RN|");
  t = scd_pinflags_parse ("||Please unlock the card", &f);
  ok (!f.admin && !f.newpin && !f.resetcode
      && !strcmp (t, "Please unlock the card"), "|| (no flags)");
  t = scd_pinflags_parse ("No flags", &f);
  ok (!f.admin && !strcmp (t, "No flags"), "no bars: all text");
  t = scd_pinflags_parse ("|A no closing bar", &f);
  ok (!f.admin && !strcmp (t, "|A no closing bar"), "one bar: all text");

  scd_pinflags_for_command ("PKSIGN --hash=sha256 OPENPGP.1", 0, &f);
  ok (!f.admin && !f.newpin && !f.resetcode, "PKSIGN: the user PIN");
  scd_pinflags_for_command ("GENKEY --force 3", 0, &f);
  ok (f.admin && !f.newpin, "GENKEY: the Admin PIN");
  scd_pinflags_for_command ("SETATTR DISP-NAME Doe", 0, &f);
  ok (f.admin, "SETATTR: the Admin PIN");
  scd_pinflags_for_command ("SETATTR PRIVATE-DO-1 x", 0, &f);
  ok (!f.admin, "SETATTR PRIVATE-DO-1: the user PIN");
  scd_pinflags_for_command ("CHECKPIN D2760001240103040005000012340000[CHV3]",
                            0, &f);
  ok (f.admin, "CHECKPIN ...[CHV3]: the Admin PIN");
  scd_pinflags_for_command ("CHECKPIN D2760001240103040005000012340000", 0,
                            &f);
  ok (!f.admin, "CHECKPIN: the user PIN");
  scd_pinflags_for_command ("PASSWD 1", 0, &f);
  ok (!f.admin && !f.newpin && !f.resetcode, "PASSWD 1: the PIN first");
  scd_pinflags_for_command ("PASSWD 1", 1, &f);
  ok (!f.admin && f.newpin, "... then the new PIN");
  scd_pinflags_for_command ("PASSWD --reset OPENPGP.2", 0, &f);
  ok (f.admin && !f.resetcode, "PASSWD --reset 2: the Admin PIN first");
  scd_pinflags_for_command ("PASSWD --reset OPENPGP.2", 1, &f);
  ok (f.newpin && f.resetcode && !f.admin, "... then the new Reset Code");
  scd_pinflags_for_command ("PASSWD 2", 0, &f);
  ok (f.resetcode && !f.newpin, "PASSWD 2: the Reset Code first");
  scd_pinflags_for_command ("PASSWD -- 3", 1, &f);
  ok (f.admin && f.newpin, "PASSWD -- 3: then the new Admin PIN");
}

static void
test_needpin (void)
{
  char *line = NULL;
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

}

int
main (void)
{
  if (oca_init_gcrypt (0))
    return 1;
  test_escaping ();
  test_escape_value ();
  test_options ();
  test_words ();
  test_pinflags ();
  test_needpin ();
  return tap_done ();
}
