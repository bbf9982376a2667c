/* ca-json.c - a small strict JSON reader and writer (split-mode files)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The exchange files of split mode are JSON (openpgp-ca's serde
 * format, spec 4.4).  They come from another machine: the reader is
 * strict (RFC 8259; no trailing commas, comments, duplicate keys in an
 * object, control characters in strings, invalid UTF-8 or lone
 * surrogates) and bounded (nesting depth, total size is the caller's
 * file limit).  Numbers are kept as integers when they are integers
 * (what the files hold); others are refused.  The writer writes what
 * serde_json's pretty printer writes: two spaces per level.
 */
#include <config.h>
#include "ca-int.h"
#include "ca-json.h"

#include <string.h>

#define MAX_DEPTH 32

typedef struct
{
  const unsigned char *p, *end;
  int depth;
} rd_t;


/* See ca-json.h.  */
void
ca_json_release (ca_json_t *j)
{
  ca_json_t *next;

  for (; j; j = next)
    {
      next = j->next;
      ca_json_release (j->kids);
      xfree (j->key);
      xfree (j->str);
      xfree (j);
    }
}


static void
skip_ws (rd_t *r)
{
  while (r->p < r->end
         && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}


static int
hexval (int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}


static gpg_error_t
read_u4 (rd_t *r, unsigned int *r_v)
{
  unsigned int v = 0;
  int i, h;

  if (r->end - r->p < 4)
    return gpg_error (GPG_ERR_INV_DATA);
  for (i = 0; i < 4; i++)
    {
      h = hexval (r->p[i]);
      if (h < 0)
        return gpg_error (GPG_ERR_INV_DATA);
      v = v * 16 + h;
    }
  r->p += 4;
  *r_v = v;
  return 0;
}


/* Length of the valid UTF-8 sequence at P (up to END), or 0.  */
static size_t
utf8_len (const unsigned char *p, const unsigned char *end)
{
  size_t n, i;
  unsigned int c;

  if (*p < 0x80)
    return 1;
  if (*p >= 0xc2 && *p <= 0xdf)
    n = 2, c = *p & 0x1f;
  else if (*p >= 0xe0 && *p <= 0xef)
    n = 3, c = *p & 0x0f;
  else if (*p >= 0xf0 && *p <= 0xf4)
    n = 4, c = *p & 0x07;
  else
    return 0;
  if ((size_t)(end - p) < n)
    return 0;
  for (i = 1; i < n; i++)
    {
      if ((p[i] & 0xc0) != 0x80)
        return 0;
      c = (c << 6) | (p[i] & 0x3f);
    }
  if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff)))
      || (n == 4 && (c < 0x10000 || c > 0x10ffff)))
    return 0;
  return n;
}


/* Read a string (after the opening quote) into *R_S and *R_LEN.  */
static gpg_error_t
read_string (rd_t *r, char **r_s, size_t *r_len)
{
  membuf_t mb;
  gpg_error_t err = 0;
  unsigned int c, c2;
  unsigned char u[4];
  size_t n;

  *r_s = NULL;
  membuf_init (&mb, (size_t)(r->end - r->p) + 1, 0);
  for (;;)
    {
      if (r->p >= r->end)
        {
          err = gpg_error (GPG_ERR_INV_DATA);
          break;
        }
      c = *r->p;
      if (c == '"')
        {
          r->p++;
          break;
        }
      if (c < 0x20)
        {
          err = gpg_error (GPG_ERR_INV_DATA);
          break;
        }
      if (c != '\\')
        {
          n = utf8_len (r->p, r->end);
          if (!n)
            {
              err = gpg_error (GPG_ERR_INV_DATA);
              break;
            }
          membuf_put (&mb, r->p, n);
          r->p += n;
          continue;
        }
      r->p++;
      if (r->p >= r->end)
        {
          err = gpg_error (GPG_ERR_INV_DATA);
          break;
        }
      c = *r->p++;
      switch (c)
        {
        case '"': case '\\': case '/': membuf_put_u8 (&mb, c); continue;
        case 'b': membuf_put_u8 (&mb, '\b'); continue;
        case 'f': membuf_put_u8 (&mb, '\f'); continue;
        case 'n': membuf_put_u8 (&mb, '\n'); continue;
        case 'r': membuf_put_u8 (&mb, '\r'); continue;
        case 't': membuf_put_u8 (&mb, '\t'); continue;
        case 'u': break;
        default: err = gpg_error (GPG_ERR_INV_DATA); break;
        }
      if (err)
        break;
      err = read_u4 (r, &c);
      if (err)
        break;
      if (c >= 0xdc00 && c <= 0xdfff)
        {
          err = gpg_error (GPG_ERR_INV_DATA);
          break;
        }
      if (c >= 0xd800 && c <= 0xdbff)
        {
          if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
            {
              err = gpg_error (GPG_ERR_INV_DATA);
              break;
            }
          r->p += 2;
          err = read_u4 (r, &c2);
          if (!err && !(c2 >= 0xdc00 && c2 <= 0xdfff))
            err = gpg_error (GPG_ERR_INV_DATA);
          if (err)
            break;
          c = 0x10000 + ((c - 0xd800) << 10) + (c2 - 0xdc00);
        }
      if (c < 0x80)
        u[0] = c, n = 1;
      else if (c < 0x800)
        u[0] = 0xc0 | (c >> 6), u[1] = 0x80 | (c & 0x3f), n = 2;
      else if (c < 0x10000)
        u[0] = 0xe0 | (c >> 12), u[1] = 0x80 | ((c >> 6) & 0x3f),
          u[2] = 0x80 | (c & 0x3f), n = 3;
      else
        u[0] = 0xf0 | (c >> 18), u[1] = 0x80 | ((c >> 12) & 0x3f),
          u[2] = 0x80 | ((c >> 6) & 0x3f), u[3] = 0x80 | (c & 0x3f), n = 4;
      membuf_put (&mb, u, n);
    }
  if (!err)
    {
      membuf_put_u8 (&mb, 0);
      err = membuf_take (&mb, (unsigned char **)r_s, r_len);
      if (!err)
        (*r_len)--;
    }
  membuf_release (&mb);
  return err;
}


static gpg_error_t read_value (rd_t *r, ca_json_t **r_j);


static gpg_error_t
read_number (rd_t *r, ca_json_t *j)
{
  int neg = 0;
  uint64_t v = 0;

  if (*r->p == '-')
    {
      neg = 1;
      r->p++;
    }
  if (r->p >= r->end || *r->p < '0' || *r->p > '9')
    return gpg_error (GPG_ERR_INV_DATA);
  if (*r->p == '0' && r->p + 1 < r->end && r->p[1] >= '0' && r->p[1] <= '9')
    return gpg_error (GPG_ERR_INV_DATA);
  while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
    {
      if (v > (UINT64_MAX / 10) - 10)
        return gpg_error (GPG_ERR_TOO_LARGE);
      v = v * 10 + (*r->p++ - '0');
    }
  if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
    return gpg_error (GPG_ERR_INV_DATA);  /* Not an integer.  */
  if (v > (uint64_t)INT64_MAX)
    return gpg_error (GPG_ERR_TOO_LARGE);
  j->type = CA_JSON_NUM;
  j->num = neg ? -(int64_t)v : (int64_t)v;
  return 0;
}


static gpg_error_t
read_container (rd_t *r, ca_json_t *j, int obj)
{
  gpg_error_t err;
  ca_json_t **tail = &j->kids, *kid, *k;
  char *key = NULL;
  size_t keylen;

  j->type = obj ? CA_JSON_OBJ : CA_JSON_ARR;
  if (++r->depth > MAX_DEPTH)
    return gpg_error (GPG_ERR_TOO_LARGE);
  skip_ws (r);
  if (r->p < r->end && *r->p == (obj ? '}' : ']'))
    {
      r->p++;
      r->depth--;
      return 0;
    }
  for (;;)
    {
      skip_ws (r);
      if (obj)
        {
          if (r->p >= r->end || *r->p != '"')
            return gpg_error (GPG_ERR_INV_DATA);
          r->p++;
          err = read_string (r, &key, &keylen);
          if (err)
            return err;
          if (strlen (key) != keylen)
            err = gpg_error (GPG_ERR_INV_DATA);
          for (k = j->kids; !err && k; k = k->next)
            if (!strcmp (k->key, key))
              err = gpg_error (GPG_ERR_INV_DATA);  /* Duplicate key.  */
          skip_ws (r);
          if (!err && (r->p >= r->end || *r->p != ':'))
            err = gpg_error (GPG_ERR_INV_DATA);
          if (err)
            {
              xfree (key);
              return err;
            }
          r->p++;
        }
      err = read_value (r, &kid);
      if (err)
        {
          xfree (key);
          return err;
        }
      kid->key = key;
      key = NULL;
      *tail = kid;
      tail = &kid->next;
      j->n++;
      skip_ws (r);
      if (r->p >= r->end)
        return gpg_error (GPG_ERR_INV_DATA);
      if (*r->p == ',')
        {
          r->p++;
          continue;
        }
      if (*r->p != (obj ? '}' : ']'))
        return gpg_error (GPG_ERR_INV_DATA);
      r->p++;
      r->depth--;
      return 0;
    }
}


static gpg_error_t
read_value (rd_t *r, ca_json_t **r_j)
{
  gpg_error_t err;
  ca_json_t *j;
  static const struct { const char *word; int type, b; } words[] =
    {
      { "null", CA_JSON_NULL, 0 },
      { "true", CA_JSON_BOOL, 1 },
      { "false", CA_JSON_BOOL, 0 }
    };
  size_t i, n;

  *r_j = NULL;
  skip_ws (r);
  if (r->p >= r->end)
    return gpg_error (GPG_ERR_INV_DATA);
  j = xtrycalloc (1, sizeof *j);
  if (!j)
    return oca_error_from_errno ();
  if (*r->p == '{' || *r->p == '[')
    {
      int obj = *r->p++ == '{';
      err = read_container (r, j, obj);
    }
  else if (*r->p == '"')
    {
      r->p++;
      j->type = CA_JSON_STR;
      err = read_string (r, &j->str, &j->len);
    }
  else if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
    err = read_number (r, j);
  else
    {
      err = gpg_error (GPG_ERR_INV_DATA);
      for (i = 0; i < DIM (words); i++)
        {
          n = strlen (words[i].word);
          if ((size_t)(r->end - r->p) >= n
              && !memcmp (r->p, words[i].word, n))
            {
              r->p += n;
              j->type = words[i].type;
              j->b = words[i].b;
              err = 0;
              break;
            }
        }
    }
  if (err)
    ca_json_release (j);
  else
    *r_j = j;
  return err;
}


/* See ca-json.h.  */
gpg_error_t
ca_json_parse (const void *buf, size_t len, ca_json_t **r_j)
{
  gpg_error_t err;
  rd_t r;

  *r_j = NULL;
  r.p = buf;
  r.end = r.p + len;
  r.depth = 0;
  err = read_value (&r, r_j);
  if (!err)
    {
      skip_ws (&r);
      if (r.p != r.end)
        err = gpg_error (GPG_ERR_INV_DATA);
    }
  if (err)
    {
      ca_json_release (*r_j);
      *r_j = NULL;
    }
  return err;
}


/* See ca-json.h.  */
const ca_json_t *
ca_json_get (const ca_json_t *obj, const char *key)
{
  const ca_json_t *k;

  if (!obj || obj->type != CA_JSON_OBJ)
    return NULL;
  for (k = obj->kids; k; k = k->next)
    if (!strcmp (k->key, key))
      return k;
  return NULL;
}


/* See ca-json.h.  */
const ca_json_t *
ca_json_at (const ca_json_t *arr, size_t idx)
{
  const ca_json_t *k;

  if (!arr || arr->type != CA_JSON_ARR)
    return NULL;
  for (k = arr->kids; k && idx; k = k->next)
    idx--;
  return k;
}


/* See ca-json.h.  */
const char *
ca_json_str (const ca_json_t *j)
{
  if (!j || j->type != CA_JSON_STR || strlen (j->str) != j->len)
    return NULL;
  return j->str;
}


/* See ca-json.h.  */
void
ca_json_put_str (membuf_t *mb, const char *s)
{
  const unsigned char *p;
  char tmp[8];

  membuf_put_u8 (mb, '"');
  for (p = (const unsigned char *)s; *p; p++)
    {
      switch (*p)
        {
        case '"':  membuf_put_str (mb, "\\\""); break;
        case '\\': membuf_put_str (mb, "\\\\"); break;
        case '\n': membuf_put_str (mb, "\\n"); break;
        case '\r': membuf_put_str (mb, "\\r"); break;
        case '\t': membuf_put_str (mb, "\\t"); break;
        case '\b': membuf_put_str (mb, "\\b"); break;
        case '\f': membuf_put_str (mb, "\\f"); break;
        default:
          if (*p < 0x20)
            {
              snprintf (tmp, sizeof tmp, "\\u%04x", *p);
              membuf_put_str (mb, tmp);
            }
          else
            membuf_put_u8 (mb, *p);
        }
    }
  membuf_put_u8 (mb, '"');
}


/* See ca-json.h.  */
void
ca_json_indent (membuf_t *mb, int level)
{
  membuf_put_u8 (mb, '\n');
  while (level-- > 0)
    membuf_put_str (mb, "  ");
}


/* See ca-json.h.  */
void
ca_json_write (membuf_t *mb, const ca_json_t *j, int level)
{
  const ca_json_t *k;
  char tmp[32];
  int obj;

  switch (j->type)
    {
    case CA_JSON_NULL: membuf_put_str (mb, "null"); break;
    case CA_JSON_BOOL: membuf_put_str (mb, j->b ? "true" : "false"); break;
    case CA_JSON_NUM:
      snprintf (tmp, sizeof tmp, "%lld", (long long)j->num);
      membuf_put_str (mb, tmp);
      break;
    case CA_JSON_STR: ca_json_put_str (mb, j->str); break;
    case CA_JSON_ARR:
    case CA_JSON_OBJ:
      obj = j->type == CA_JSON_OBJ;
      membuf_put_u8 (mb, obj ? '{' : '[');
      for (k = j->kids; k; k = k->next)
        {
          if (k != j->kids)
            membuf_put_u8 (mb, ',');
          if (level >= 0)
            ca_json_indent (mb, level + 1);
          if (obj)
            {
              ca_json_put_str (mb, k->key);
              membuf_put_str (mb, level >= 0 ? ": " : ":");
            }
          ca_json_write (mb, k, level >= 0 ? level + 1 : -1);
        }
      if (level >= 0 && j->kids)
        ca_json_indent (mb, level);
      membuf_put_u8 (mb, obj ? '}' : ']');
      break;
    }
}
