/* scd-proto.c - the scdaemon protocol's text conventions, for both ends
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See scd-proto.h.
 */
#include <config.h>
#include "scd-proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/*
 * Escaping.
 */

void
scd_escape (membuf_t *mb, const void *buf, size_t len,
            enum scd_escape_style style)
{
  const unsigned char *s = buf;
  char tmp[4];
  size_t i;
  int esc;

  for (i = 0; i < len; i++)
    {
      if (style == SCD_ESCAPE_STATUS)
        esc = s[i] == '+' || s[i] == '"' || s[i] == '%' || s[i] < ' ';
      else
        esc = s[i] == '+' || s[i] == '%' || s[i] < ' ' || s[i] >= 0x7f;
      if (esc)
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
      scd_escape (&mb, p, n, SCD_ESCAPE_STATUS);
    }
  va_end (ap);
  err = membuf_take (&mb, &res, &reslen);
  membuf_release (&mb);
  if (err)
    return err;
  *r_line = (char *)res;
  return 0;
}

gpg_error_t
scd_escape_value (const void *value, size_t len, char **r_str)
{
  gpg_error_t err;
  membuf_t mb;
  unsigned char *res;
  size_t reslen;

  *r_str = NULL;
  membuf_init (&mb, 64 * 1024, 0);
  scd_escape (&mb, value, len, SCD_ESCAPE_ARG);
  err = membuf_take (&mb, &res, &reslen);
  membuf_release (&mb);
  if (err)
    return err;
  *r_str = (char *)res;
  return 0;
}



/*
 * Unescaping.
 */

gpg_error_t
scd_unescape_to (membuf_t *mb, const char *s, size_t n, int plus)
{
  int hi, lo;
  size_t i;

  for (i = 0; i < n; i++)
    {
      if (s[i] == '%')
        {
          if (n - i < 3
              || (hi = oca_hexval ((unsigned char)s[i+1])) < 0
              || (lo = oca_hexval ((unsigned char)s[i+2])) < 0)
            return gpg_error (GPG_ERR_INV_DATA);
          membuf_put_u8 (mb, (hi << 4) | lo);
          i += 2;
        }
      else if (plus && s[i] == '+')
        membuf_put_u8 (mb, ' ');
      else
        membuf_put_u8 (mb, (unsigned char)s[i]);
    }
  return membuf_error (mb);
}



/*
 * Words and options.
 */

gpg_error_t
scd_next_word (const char **s, char *word, size_t size)
{
  const char *p = *s;
  size_t n;

  while (*p == ' ')
    p++;
  n = strcspn (p, " ");
  if (n >= size)
    return gpg_error (GPG_ERR_TOO_LARGE);
  memcpy (word, p, n);
  word[n] = 0;
  for (p += n; *p == ' '; p++)
    ;
  *s = p;
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



/*
 * Key references.
 */

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
    if (oca_hexval ((unsigned char)s[i]) < 0)
      return 0;
  return !s[40] || s[40] == ' ';
}



/*
 * PIN requests.
 */

const char *
scd_pinflags_parse (const char *prompt, scd_pinflags_t *r_flags)
{
  const char *p, *end;

  memset (r_flags, 0, sizeof *r_flags);
  if (*prompt != '|' || !(end = strchr (prompt + 1, '|')))
    return prompt;
  for (p = prompt + 1; p < end; p++)
    {
      if (*p == 'A')
        r_flags->admin = 1;
      else if (*p == 'N')
        r_flags->newpin = 1;
      else if (*p == 'R')
        r_flags->resetcode = 1;
    }
  return end + 1;
}

void
scd_pinflags_for_command (const char *cmd, unsigned int seq,
                          scd_pinflags_t *r_flags)
{
  size_t n = strcspn (cmd, " ");
  const char *args = cmd + n;
  const char *arg = scd_skip_options (args);

  memset (r_flags, 0, sizeof *r_flags);
#define IS(name) (n == strlen (name) && !strncasecmp (cmd, name, n))
  if (IS ("GENKEY") || IS ("WRITEKEY") || IS ("WRITECERT"))
    r_flags->admin = 1;
  else if (IS ("SETATTR"))
    {
      /* PRIVATE-DO-1 and -3 use PW1; everything else PW3.  */
      if (strncasecmp (arg, "PRIVATE-DO-1", 12)
          && strncasecmp (arg, "PRIVATE-DO-3", 12))
        r_flags->admin = 1;
    }
  else if (IS ("CHECKPIN"))
    r_flags->admin = !!strstr (arg, "[CHV3]");
  else if (IS ("PASSWD"))
    {
      int reset = scd_has_option (args, "--reset");
      int chv;

      if (!strncasecmp (arg, "OPENPGP.", 8))
        arg += 8;
      chv = atoi (arg);
      if (!seq)
        {
          /* The PIN that authorises the change.  */
          if (reset || chv == 3)
            r_flags->admin = 1;
          else if (chv == 2)
            r_flags->resetcode = 1;
        }
      else
        {
          /* The new PIN.  */
          r_flags->newpin = 1;
          if (chv == 3)
            r_flags->admin = 1;
          else if (chv == 2 && reset)
            r_flags->resetcode = 1;
        }
    }
#undef IS
}

gpg_error_t
scd_needpin_line (const char *prompt, char **r_line)
{
  size_t n = strlen (prompt);
  char *line;

  *r_line = NULL;
  if (n + 8 > SCD_LINE_MAX - 8)   /* Room for "INQUIRE ".  */
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
