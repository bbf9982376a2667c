/* pgp-uid.c - the strict User ID rule: one unambiguous email address
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CA certification vouches for an email address, but OpenPGP gives a
 * User ID no structure, and every implementation finds "the" address
 * its own way:
 *
 *   - GnuPG's mailbox extraction (mailbox_from_userid, the keybox's
 *     mail search behind -r '<a@b>' and --locate-keys) takes the text
 *     between the FIRST '<' and the first '>' after it and ignores
 *     anything else; without '<' the whole User ID must be a mailbox.
 *     A plain -r a@b is a case-insensitive SUBSTRING search over the
 *     whole User ID, name and comments included.  Only ASCII letters
 *     are lowercased; non-ASCII bytes pass unchecked.
 *   - Sequoia (UserID::email, email_normalized, the "conventional"
 *     RFC 2822 name-addr grammar that sq-wot uses) accepts
 *     `[name] [(comment)] <addr-spec>` with nothing after '>', a
 *     comment that may itself contain '<' and '>', only ' ' as white
 *     space, valid UTF-8 only; it lowercases with full Unicode case
 *     folding and maps the domain through IDNA (punycode).
 *
 * So "Mallory <ceo@example.org> <mallory@example.org>" is ceo@ to GnuPG
 * and nothing to Sequoia, "M (<ceo@example.org>) <m@example.org>" is
 * ceo@ to GnuPG and m@ to Sequoia, and "ceo@example.org <m@example.org>"
 * is found by GnuPG's -r ceo@example.org.  The CA certifies a User ID
 * only when all of them agree on exactly one address:
 *
 *   - the User ID is valid UTF-8 without control characters (C0, DEL,
 *     C1; NUL included), invisible or bidirectional formatting
 *     characters, or look-alikes of '@', '<' and '>';
 *   - it is either a bare address, or `display <address>` with exactly
 *     one '<' and one '>', the '>' being the last byte;
 *   - the display part holds no '@' (unless it is the address itself),
 *     so no other address can be found in it by a substring search;
 *   - the address is plain ASCII: a dot-atom local part (RFC 5322
 *     atext, at most 64 bytes), '@', and a host name of LDH labels (at
 *     least two, the last not all digits).  Non-ASCII local parts and
 *     domains (U-labels) are refused: GnuPG and Sequoia normalise them
 *     differently, and they invite look-alikes.  Punycode A-labels
 *     (xn--...) are ASCII and are compared byte for byte like any
 *     other label.
 *
 * The address is returned with ASCII letters lowercased, which is what
 * both implementations compare.  Nothing here knows about the CA's
 * domain; the caller compares the domain part byte for byte.
 */
#include <config.h>
#include "oca-common.h"
#include "pgp-int.h"

#include <stdio.h>
#include <string.h>

/* Longest local part (RFC 5321 4.5.3.1.1) and domain.  */
#define MAX_LOCAL 64
#define MAX_DOMAIN 253
#define MAX_LABEL 63

/* Most bytes of a User ID shown in a message.  */
#define MAX_SHOWN 200


/* Decode the UTF-8 character at S[*POS] (LEN bytes in all) into *R_CP
 * and advance *POS.  Returns -1 for an invalid sequence (overlong,
 * surrogate, beyond U+10FFFF, truncated).  */
static int
utf8_next (const unsigned char *s, size_t len, size_t *pos, uint32_t *r_cp)
{
  size_t i = *pos, n, k;
  uint32_t cp, min;
  unsigned char c = s[i];

  if (c < 0x80)
    {
      *r_cp = c;
      *pos = i + 1;
      return 0;
    }
  if (c >= 0xc2 && c <= 0xdf)
    n = 1, cp = c & 0x1f, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef)
    n = 2, cp = c & 0x0f, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 3, cp = c & 0x07, min = 0x10000;
  else
    return -1;
  if (len - i - 1 < n)
    return -1;
  for (k = 1; k <= n; k++)
    {
      if ((s[i + k] & 0xc0) != 0x80)
        return -1;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return -1;
  *r_cp = cp;
  *pos = i + n + 1;
  return 0;
}


/* C0, DEL and C1 controls.  */
static int
is_control (uint32_t cp)
{
  return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}


/* Invisible and bidirectional formatting characters, line and
 * paragraph separators, tag characters.  */
static int
is_invisible (uint32_t cp)
{
  return (cp == 0x00ad || cp == 0x061c || cp == 0x180e
          || (cp >= 0x200b && cp <= 0x200f)
          || (cp >= 0x2028 && cp <= 0x202e)
          || (cp >= 0x2060 && cp <= 0x206f)
          || cp == 0xfeff
          || (cp >= 0xfff9 && cp <= 0xfffb)
          || (cp >= 0xe0000 && cp <= 0xe007f));
}


/* Characters that NFKC-normalise to '@', '<' or '>', and the common
 * angle-bracket look-alikes.  */
static int
is_lookalike (uint32_t cp)
{
  switch (cp)
    {
    case 0xfe6b: case 0xff20:                  /* @ */
    case 0xfe64: case 0xff1c: case 0xfe65: case 0xff1e:
    case 0x2039: case 0x203a: case 0x2329: case 0x232a:
    case 0x27e8: case 0x27e9: case 0x3008: case 0x3009:
      return 1;
    default:
      return 0;
    }
}


/* RFC 5322 atext (ASCII only).  */
static int
is_atext (unsigned char c)
{
  return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9') || (c && strchr ("!#$%&'*+-/=?^_`{|}~", c)));
}


/* Whether DOMAIN/LEN is a host name as the rule wants it.  */
int
pgp_mail_domain_valid (const char *domain, size_t len)
{
  size_t i, labellen = 0, labels = 1, tld;
  unsigned char c;

  if (!len || len > MAX_DOMAIN)
    return 0;
  for (i = 0; i < len; i++)
    {
      c = domain[i];
      if (c == '.')
        {
          if (!labellen || domain[i - 1] == '-')
            return 0;
          labels++;
          labellen = 0;
          continue;
        }
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || c == '-'))
        return 0;
      if (c == '-' && !labellen)
        return 0;
      if (++labellen > MAX_LABEL)
        return 0;
    }
  if (!labellen || domain[len - 1] == '-' || labels < 2)
    return 0;
  /* The top-level label is not all digits (no IP addresses).  */
  for (tld = len; domain[tld - 1] != '.'; tld--)
    ;
  for (i = tld; i < len; i++)
    if (domain[i] < '0' || domain[i] > '9')
      return 1;
  return 0;
}


/* Check the address S/LEN.  Returns NULL if it is good, else why.  */
static const char *
check_addr (const unsigned char *s, size_t len)
{
  const unsigned char *at = NULL;
  size_t i, local;

  for (i = 0; i < len; i++)
    {
      if (s[i] >= 0x80)
        return "non-ASCII character in the address";
      if (s[i] == '@')
        {
          if (at)
            return "more than one '@'";
          at = s + i;
        }
    }
  if (!at)
    return "no '@' in the address";
  local = at - s;
  if (!local || local > MAX_LOCAL)
    return "invalid local part";
  for (i = 0; i < local; i++)
    if (s[i] == '.' ? (!i || i + 1 == local || s[i + 1] == '.')
        : !is_atext (s[i]))
      return "invalid local part";
  if (!pgp_mail_domain_valid ((const char *)at + 1, len - local - 1))
    return "invalid domain";
  return NULL;
}


/* A copy of S/LEN with ASCII letters lowercased (xfree).  */
static char *
ascii_lower_dup (const unsigned char *s, size_t len)
{
  char *out = xtrymalloc (len + 1);
  size_t i;

  if (!out)
    return NULL;
  for (i = 0; i < len; i++)
    out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i];
  out[len] = 0;
  return out;
}


/* Whether A/ALEN equals B/BLEN ignoring the case of ASCII letters.  */
static int
ascii_eq (const unsigned char *a, size_t alen, const unsigned char *b,
          size_t blen)
{
  size_t i;

  if (alen != blen)
    return 0;
  for (i = 0; i < alen; i++)
    {
      unsigned char x = a[i], y = b[i];

      if (x >= 'A' && x <= 'Z')
        x += 32;
      if (y >= 'A' && y <= 'Z')
        y += 32;
      if (x != y)
        return 0;
    }
  return 1;
}


/* Parse a User ID under the strict rule.  */
gpg_error_t
pgp_uid_parse (const void *buf, size_t len, char **r_email, char **r_name,
               const char **r_why)
{
  const unsigned char *s = buf;
  const unsigned char *lt = NULL, *gt = NULL, *addr, *name = NULL;
  size_t pos = 0, nlt = 0, ngt = 0, nat = 0, addrlen, namelen = 0;
  size_t dstart, dend;
  uint32_t cp;
  const char *why = NULL;
  char *email = NULL;

  if (r_email)
    *r_email = NULL;
  if (r_name)
    *r_name = NULL;
  if (r_why)
    *r_why = NULL;

  /* Characters.  */
  while (pos < len)
    {
      size_t here = pos;

      if (utf8_next (s, len, &pos, &cp))
        {
          why = "not valid UTF-8";
          goto refuse;
        }
      if (is_control (cp))
        {
          why = "control character";
          goto refuse;
        }
      if (is_invisible (cp))
        {
          why = "invisible or bidirectional formatting character";
          goto refuse;
        }
      if (is_lookalike (cp))
        {
          why = "look-alike of '@', '<' or '>'";
          goto refuse;
        }
      if (cp == '<')
        {
          if (!nlt++)
            lt = s + here;
        }
      else if (cp == '>')
        {
          if (!ngt++)
            gt = s + here;
        }
      else if (cp == '@')
        nat++;
    }

  /* Structure.  */
  if (!nlt && !ngt)
    {
      if (!nat)
        {
          /* A plain name.  */
          dstart = 0;
          dend = len;
          goto name;
        }
      if ((why = check_addr (s, len)))
        {
          if (memchr (s, ' ', len))
            why = "'@' outside the angle brackets";
          goto refuse;
        }
      addr = s;
      addrlen = len;
      dstart = dend = 0;
    }
  else
    {
      if (nlt != 1 || ngt != 1)
        {
          why = (nlt > 1 || ngt > 1) ? "more than one '<' or '>'"
            : "unbalanced '<' and '>'";
          goto refuse;
        }
      if (gt < lt)
        {
          why = "unbalanced '<' and '>'";
          goto refuse;
        }
      if (gt + 1 != s + len)
        {
          why = "text after '>'";
          goto refuse;
        }
      addr = lt + 1;
      addrlen = gt - addr;
      if ((why = check_addr (addr, addrlen)))
        goto refuse;
      dstart = 0;
      dend = lt - s;
      if (nat > 1)
        {
          /* An '@' in the display part is fine only if the display
           * part is the address itself.  */
          size_t a = dstart, b = dend;

          while (a < b && s[a] == ' ')
            a++;
          while (b > a && s[b - 1] == ' ')
            b--;
          if (!ascii_eq (s + a, b - a, addr, addrlen))
            {
              why = "'@' outside the angle brackets";
              goto refuse;
            }
        }
    }

  email = ascii_lower_dup (addr, addrlen);
  if (!email)
    return oca_error_from_errno ();

 name:
  while (dstart < dend && s[dstart] == ' ')
    dstart++;
  while (dend > dstart && s[dend - 1] == ' ')
    dend--;
  if (dend > dstart)
    {
      name = s + dstart;
      namelen = dend - dstart;
    }
  if (r_name && name)
    {
      char *n = xtrymalloc (namelen + 1);

      if (!n)
        {
          xfree (email);
          return oca_error_from_errno ();
        }
      memcpy (n, name, namelen);
      n[namelen] = 0;
      *r_name = n;
    }
  if (!email)
    return gpg_error (GPG_ERR_NO_DATA);
  if (r_email)
    *r_email = email;
  else
    xfree (email);
  return 0;

 refuse:
  if (r_why)
    *r_why = why;
  return gpg_error (GPG_ERR_INV_USER_ID);
}


/* Check and normalise a bare address.  */
gpg_error_t
pgp_mail_normalize (const char *addr, char **r_addr, const char **r_why)
{
  gpg_error_t err;
  size_t len = strlen (addr);

  *r_addr = NULL;
  if (r_why)
    *r_why = NULL;
  if (memchr (addr, '<', len) || memchr (addr, '>', len))
    {
      if (r_why)
        *r_why = "not a bare address";
      return gpg_error (GPG_ERR_INV_USER_ID);
    }
  err = pgp_uid_parse (addr, len, r_addr, NULL, r_why);
  if (gpg_err_code (err) == GPG_ERR_NO_DATA)
    {
      if (r_why)
        *r_why = "no '@' in the address";
      err = gpg_error (GPG_ERR_INV_USER_ID);
    }
  return err;
}


/* A printable copy of BUF/LEN for messages.  */
char *
pgp_uid_escape (const void *buf, size_t len)
{
  const unsigned char *s = buf;
  membuf_t mb;
  size_t pos = 0, here, end;
  uint32_t cp;
  char tmp[8];
  unsigned char *out = NULL;
  size_t outlen;

  membuf_init (&mb, 4 * MAX_SHOWN + 16, 0);
  while (pos < len)
    {
      if (membuf_len (&mb) >= MAX_SHOWN)
        {
          membuf_put_str (&mb, "...");
          break;
        }
      here = pos;
      if (utf8_next (s, len, &pos, &cp))
        end = here + 1;  /* Invalid: one byte, then resynchronise.  */
      else if (is_control (cp) || is_invisible (cp))
        end = pos;       /* All bytes of the character.  */
      else
        {
          if (cp == '\\')
            membuf_put_str (&mb, "\\\\");
          else
            membuf_put (&mb, s + here, pos - here);
          continue;
        }
      for (pos = here; pos < end; pos++)
        {
          snprintf (tmp, sizeof tmp, "\\x%02x", s[pos]);
          membuf_put_str (&mb, tmp);
        }
    }
  if (membuf_take (&mb, &out, &outlen))
    return NULL;
  return (char *)out;
}
