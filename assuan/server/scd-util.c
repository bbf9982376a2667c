/* scd-util.c - pure helpers of oca-scd (no I/O, unit tested)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "scd-util.h"

#include <string.h>
#include <stdarg.h>
#include <stdio.h>
#include <ctype.h>

/* Maximum length of an Assuan line without CR LF.  */
#define LINELENGTH 1000

void
scd_escape_status_value (membuf_t *mb, const void *buf, size_t len)
{
  const unsigned char *s = buf;
  char tmp[4];
  size_t i;

  for (i = 0; i < len; i++)
    {
      if (s[i] == '+' || s[i] == '\"' || s[i] == '%' || s[i] < ' ')
        {
          snprintf (tmp, sizeof tmp, "%%%02X", s[i]);
          membuf_put (mb, tmp, 3);
        }
      else if (s[i] == ' ')
        membuf_put_u8 (mb, '+');
      else
        membuf_put_u8 (mb, s[i]);
    }
}

gpg_error_t
scd_build_status_info (char **r_line, ...)
{
  va_list ap;
  membuf_t mb;
  const void *p;
  size_t n;
  int first = 1;
  unsigned char *res;
  size_t reslen;
  gpg_error_t err;

  *r_line = NULL;
  membuf_init (&mb, 64 * 1024, 0);
  va_start (ap, r_line);
  while ((p = va_arg (ap, const void *)))
    {
      n = va_arg (ap, size_t);
      if (!n)
        continue;
      if (!first)
        membuf_put_u8 (&mb, ' ');
      first = 0;
      scd_escape_status_value (&mb, p, n);
    }
  va_end (ap);
  err = membuf_take (&mb, &res, &reslen);
  membuf_release (&mb);
  if (err)
    return err;
  *r_line = (char *)res;
  return 0;
}

size_t
scd_percent_plus_unescape (char *string)
{
  unsigned char *s = (unsigned char *)string, *d = s;

  while (*s)
    {
      /* oca_hex2bin stops at the first non-digit (also a NUL).  */
      if (*s == '%' && !oca_hex2bin ((const char *)s + 1, d, 1))
        {
          d++;
          s += 3;
        }
      else if (*s == '+')
        {
          *d++ = ' ';
          s++;
        }
      else
        *d++ = *s++;
    }
  *d = 0;
  return (size_t)(d - (unsigned char *)string);
}

gpg_error_t
scd_unescape_data (const char *s, size_t n, membuf_t *mb)
{
  unsigned char c;
  size_t i;

  for (i = 0; i < n; i++)
    {
      if (s[i] != '%')
        membuf_put_u8 (mb, (unsigned char)s[i]);
      else if (n - i < 3 || oca_hex2bin (s + i + 1, &c, 1))
        return gpg_error (GPG_ERR_ASS_SYNTAX);
      else
        {
          membuf_put_u8 (mb, c);
          i += 2;
        }
    }
  if (membuf_error (mb))
    return gpg_err_code (membuf_error (mb)) == GPG_ERR_TOO_LARGE
      ? gpg_error (GPG_ERR_ASS_TOO_MUCH_DATA) : membuf_error (mb);
  return 0;
}

/* Iterate over option tokens: return the start of the next option
 * token in *P (NULL at the end of options) and its length.  */
static const char *
next_option (const char **p, size_t *r_len)
{
  const char *s = *p, *start;

  while (*s == ' ' || *s == '\t')
    s++;
  if (s[0] != '-' || s[1] != '-')
    return NULL;
  if (!s[2] || s[2] == ' ' || s[2] == '\t')
    return NULL;   /* "--" ends the options.  */
  start = s;
  while (*s && *s != ' ' && *s != '\t')
    s++;
  *r_len = (size_t)(s - start);
  *p = s;
  return start;
}

int
scd_has_option (const char *line, const char *name)
{
  const char *p = line, *opt;
  size_t len, nlen = strlen (name);

  while ((opt = next_option (&p, &len)))
    if ((len == nlen || (len > nlen && opt[nlen] == '='))
        && !strncmp (opt, name, nlen))
      return 1;
  return 0;
}

char *
scd_option_value (const char *line, const char *name)
{
  const char *p = line, *opt;
  size_t len, nlen = strlen (name);
  char *res;

  while ((opt = next_option (&p, &len)))
    if (len > nlen && opt[nlen] == '=' && !strncmp (opt, name, nlen))
      {
        res = xtrymalloc (len - nlen);
        if (!res)
          return NULL;
        memcpy (res, opt + nlen + 1, len - nlen - 1);
        res[len - nlen - 1] = 0;
        return res;
      }
  return NULL;
}

char *
scd_skip_options (const char *line)
{
  const char *p = line;
  size_t len;

  while (next_option (&p, &len))
    ;
  while (*p == ' ' || *p == '\t')
    p++;
  if (p[0] == '-' && p[1] == '-' && (!p[2] || p[2] == ' ' || p[2] == '\t'))
    {
      p += 2;
      while (*p == ' ' || *p == '\t')
        p++;
    }
  return (char *)p;
}

int
scd_check_options (const char *line, const char *const *allowed)
{
  const char *p = line, *opt;
  size_t len, n;
  int i, found;

  while ((opt = next_option (&p, &len)))
    {
      for (n = 0; n < len && opt[n] != '='; n++)
        ;
      found = 0;
      for (i = 0; allowed[i]; i++)
        if (strlen (allowed[i]) == n && !strncmp (allowed[i], opt, n))
          found = 1;
      if (!found)
        return 0;
    }
  return 1;
}

/* Hash algorithms (libgcrypt ids).  */
static const struct
{
  const char *name;
  int algo;
  size_t len;
  unsigned char prefix[19];
  size_t prefixlen;
} hashes[] =
  {
    { "sha1",   GCRY_MD_SHA1,   20,
      { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A,
        0x05, 0x00, 0x04, 0x14 }, 15 },
    { "rmd160", GCRY_MD_RMD160, 20,
      { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x24, 0x03, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x14 }, 15 },
    { "sha224", GCRY_MD_SHA224, 28,
      { 0x30, 0x2D, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1C }, 19 },
    { "sha256", GCRY_MD_SHA256, 32,
      { 0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 }, 19 },
    { "sha384", GCRY_MD_SHA384, 48,
      { 0x30, 0x41, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30 }, 19 },
    { "sha512", GCRY_MD_SHA512, 64,
      { 0x30, 0x51, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40 }, 19 },
    { "md5",    GCRY_MD_MD5,    16,
      { 0x30, 0x20, 0x30, 0x0C, 0x06, 0x08, 0x2A, 0x86, 0x48, 0x86, 0xF7,
        0x0D, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10 }, 18 },
  };

int
scd_hash_from_name (const char *name)
{
  size_t i;

  for (i = 0; i < DIM (hashes); i++)
    if (!strcasecmp (hashes[i].name, name))
      return hashes[i].algo;
  return 0;
}

size_t
scd_hash_len (int algo)
{
  size_t i;

  for (i = 0; i < DIM (hashes); i++)
    if (hashes[i].algo == algo)
      return hashes[i].len;
  return 0;
}

const unsigned char *
scd_digestinfo_prefix (int algo, size_t *r_len)
{
  size_t i;

  *r_len = 0;
  for (i = 0; i < DIM (hashes); i++)
    if (hashes[i].algo == algo)
      {
        *r_len = hashes[i].prefixlen;
        return hashes[i].prefix;
      }
  return NULL;
}

gpg_error_t
scd_strip_digestinfo (const unsigned char *data, size_t len, int hashalgo,
                      int *r_algo, const unsigned char **r_digest,
                      size_t *r_digestlen)
{
  size_t i;

  *r_algo = 0;
  *r_digest = NULL;
  *r_digestlen = 0;
  for (i = 0; i < DIM (hashes); i++)
    if (len == hashes[i].prefixlen + hashes[i].len
        && !memcmp (data, hashes[i].prefix, hashes[i].prefixlen))
      {
        if (hashalgo && hashalgo != hashes[i].algo)
          return gpg_error (GPG_ERR_DIGEST_ALGO);
        *r_algo = hashes[i].algo;
        *r_digest = data + hashes[i].prefixlen;
        *r_digestlen = hashes[i].len;
        return 0;
      }
  /* A bare digest.  */
  for (i = 0; i < DIM (hashes); i++)
    if ((hashalgo ? hashalgo == hashes[i].algo : 1) && len == hashes[i].len)
      {
        *r_algo = hashes[i].algo;
        *r_digest = data;
        *r_digestlen = len;
        return 0;
      }
  return gpg_error (GPG_ERR_INV_VALUE);
}

gpg_error_t
scd_needpin_line (const char *prompt, char **r_line)
{
  size_t n = strlen (prompt);
  char *line;

  *r_line = NULL;
  if (n + 8 > LINELENGTH - 8)   /* Room for "INQUIRE ".  */
    return gpg_error (GPG_ERR_TOO_LARGE);
  if (strchr (prompt, '\n') || strchr (prompt, '\r'))
    return gpg_error (GPG_ERR_INV_VALUE);
  line = xtrymalloc (n + 9);
  if (!line)
    return oca_error_from_errno ();
  memcpy (line, "NEEDPIN ", 8);
  memcpy (line + 8, prompt, n + 1);
  *r_line = line;
  return 0;
}

gpg_error_t
scd_pin_from_reply (const unsigned char *buf, size_t len, char **r_pin)
{
  size_t n;
  char *pin;

  *r_pin = NULL;
  for (n = 0; n < len && buf[n]; n++)
    ;
  if (!n)
    return gpg_error (GPG_ERR_NO_PIN);
  pin = xtrymalloc_secure (n + 1);
  if (!pin)
    return oca_error_from_errno ();
  memcpy (pin, buf, n);
  pin[n] = 0;
  *r_pin = pin;
  return 0;
}

int
scd_parse_keyref (const char *s, int allow_number)
{
  if (!strncasecmp (s, "OPENPGP.", 8) && s[8] >= '1' && s[8] <= '3'
      && (!s[9] || s[9] == ' '))
    return s[8] - '0';
  if (allow_number && s[0] >= '1' && s[0] <= '3' && (!s[1] || s[1] == ' '))
    return s[0] - '0';
  return 0;
}

int
scd_is_keygrip (const char *s)
{
  int i;

  for (i = 0; i < 40; i++)
    if (!isxdigit ((unsigned char)s[i]))
      return 0;
  return !s[40] || s[40] == ' ';
}
