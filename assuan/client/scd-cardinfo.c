/* scd-cardinfo.c - the client reads status lines: LEARN, GETATTR, GENKEY
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The status lines of LEARN and GETATTR (scdaemon 2.2 and 2.4, spec
 * card-and-scd.md B.4) parsed into scd_cardinfo_t, and those of GENKEY
 * into scd_genkey_result_t; each value is checked, a malformed one of a
 * known keyword is INV_RESPONSE.  Also SETATTR, the way back.
 */
#include <config.h>
#include "scd-client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "brd.h"
#include "membuf.h"
#include "scd-proto.h"

/* Cap on one KEY-DATA value (hex digits): RSA 16384 bits is 4096.  */
#define MAX_KEYDATA_HEX (2 * 2048 + 2)


/* ASCII-only toupper.  */
static char
upcase (char c)
{
  return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
}


gpg_error_t
scd_serialno_to_ident (const char *serialno, char *ident)
{
  size_t i;

  *ident = 0;
  if (!serialno || strlen (serialno) != 32
      || strncasecmp (serialno, "D27600012401", 12))
    return gpg_error (GPG_ERR_INV_VALUE);
  for (i = 0; i < 32; i++)
    if (oca_hexval ((unsigned char)serialno[i]) < 0)
      return gpg_error (GPG_ERR_INV_VALUE);
  /* Manufacturer: hex digits 16..19, serial: 20..27.  */
  for (i = 0; i < 4; i++)
    ident[i] = upcase (serialno[16 + i]);
  ident[4] = ':';
  for (i = 0; i < 8; i++)
    ident[5 + i] = upcase (serialno[20 + i]);
  ident[13] = 0;
  return 0;
}



/*
 * Transactions.
 */


void
scd_cardinfo_release (scd_cardinfo_t *info)
{
  if (!info)
    return;
  xfree (info->reader);
  xfree (info->serialno);
  xfree (info->cardtype);
  xfree (info->apptype);
  xfree (info->manufacturer);
  xfree (info->disp_name);
  xfree (info->disp_lang);
  xfree (info->disp_sex);
  xfree (info->pubkey_url);
  xfree (info->login_data);
  xfree (info->dispserialno);
  xfree (info);
}


/* Replace *SLOT with the unescaped ARGS (percent-plus when PLUS).  */
static gpg_error_t
store_string (char **slot, const char *args, int plus)
{
  gpg_error_t err;
  unsigned char *buf;
  size_t len;

  err = scd_unescape (args, strlen (args), plus, &buf, &len);
  if (err)
    return err;
  xfree (*slot);
  *slot = (char *)buf;
  return 0;
}


/* Parse a decimal number at *S (advancing it) into *R_VAL.  */
static gpg_error_t
parse_ulong (const char **s, unsigned long *r_val)
{
  const char *p = *s;
  unsigned long val = 0;

  *r_val = 0;
  if (*p < '0' || *p > '9')
    return gpg_error (GPG_ERR_INV_RESPONSE);
  for (; *p >= '0' && *p <= '9'; p++)
    {
      if (val > (0xffffffffUL - 9) / 10)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      val = val * 10 + (*p - '0');
    }
  *s = p;
  *r_val = val;
  return 0;
}


/* Parse "N <rest>" with N in 1..3; *R_IDX is 0..2, *R_REST the rest.  */
static gpg_error_t
parse_keyno (const char *args, int *r_idx, const char **r_rest)
{
  *r_idx = -1;
  *r_rest = NULL;
  if (args[0] < '1' || args[0] > '3' || args[1] != ' ')
    return gpg_error (GPG_ERR_INV_RESPONSE);
  *r_idx = args[0] - '1';
  for (args += 1; *args == ' '; args++)
    ;
  *r_rest = args;
  return 0;
}


/* Parse exactly 40 hex digits at S (followed by end or a space).  */
static gpg_error_t
parse_fpr (const char *s, unsigned char *fpr)
{
  size_t n = strcspn (s, " ");

  if (n != 40)
    return gpg_error (GPG_ERR_INV_RESPONSE);
  if (oca_hex2bin (s, fpr, 20))
    return gpg_error (GPG_ERR_INV_RESPONSE);
  return 0;
}


/* Copy the next space-delimited token of *S into BUF of SIZE bytes
 * (scd_next_word); a token too long is a bad response.  */
static gpg_error_t
next_token (const char **s, char *buf, size_t size)
{
  if (scd_next_word (s, buf, size))
    return gpg_error (GPG_ERR_INV_RESPONSE);
  return 0;
}


/* Parse the EXTCAP value "gc=1+ki=1+..." (already escaped form; the
 * separator is '+' which stands for a space).  */
static gpg_error_t
parse_extcap (scd_cardinfo_t *info, const char *args)
{
  const char *p = args;
  char name[16];
  unsigned long val;
  size_t n;

  memset (&info->extcap, 0, sizeof info->extcap);
  while (*p)
    {
      n = strcspn (p, "=");
      if (!n || n >= sizeof name || !p[n])
        return gpg_error (GPG_ERR_INV_RESPONSE);
      memcpy (name, p, n);
      name[n] = 0;
      p += n + 1;
      if (parse_ulong (&p, &val))
        return gpg_error (GPG_ERR_INV_RESPONSE);
      if (*p == '+' || *p == ' ')
        p++;
      else if (*p)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      if (!strcmp (name, "gc"))
        info->extcap.gc = !!val;
      else if (!strcmp (name, "ki"))
        info->extcap.ki = !!val;
      else if (!strcmp (name, "fc"))
        info->extcap.fc = !!val;
      else if (!strcmp (name, "pd"))
        info->extcap.pd = !!val;
      else if (!strcmp (name, "mcl3"))
        info->extcap.mcl3 = val;
      else if (!strcmp (name, "aac"))
        info->extcap.aac = !!val;
      else if (!strcmp (name, "sm"))
        info->extcap.sm = val;
      else if (!strcmp (name, "si"))
        info->extcap.si = val;
      else if (!strcmp (name, "dec"))
        info->extcap.dec = !!val;
      else if (!strcmp (name, "bt"))
        info->extcap.bt = !!val;
      else if (!strcmp (name, "kdf"))
        info->extcap.kdf = !!val;
      /* Unknown names are ignored (newer servers).  */
    }
  info->extcap_valid = 1;
  return 0;
}


/* Parse "KEY-ATTR <n> <algo> <rest>".  */
static gpg_error_t
parse_keyattr (scd_cardinfo_t *info, const char *args)
{
  gpg_error_t err;
  int idx;
  const char *p;
  unsigned long algo, val;
  scd_keyattr_t *ka;

  err = parse_keyno (args, &idx, &p);
  if (err)
    return err;
  ka = &info->key_attr[idx];
  memset (ka, 0, sizeof *ka);
  if (parse_ulong (&p, &algo) || *p != ' ')
    return gpg_error (GPG_ERR_INV_RESPONSE);
  while (*p == ' ')
    p++;
  ka->algo = algo;
  if (algo == 1)
    {
      /* "rsa<nbits> <ebits> <format>"; older servers: "<nbits> ..." */
      if (!strncmp (p, "rsa", 3))
        p += 3;
      if (parse_ulong (&p, &val) || val > 16384)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      ka->nbits = val;
      while (*p == ' ')
        p++;
      if (*p && !parse_ulong (&p, &val))
        {
          ka->ebits = val;
          while (*p == ' ')
            p++;
          if (*p && !parse_ulong (&p, &val))
            ka->format = val;
        }
    }
  else if (algo == 0)
    ;  /* "0 UNKNOWN" */
  else
    {
      /* The curve name is the rest (may contain a space).  */
      if (!*p || strlen (p) >= sizeof ka->curve)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      strcpy (ka->curve, p);
    }
  return 0;
}


/* Parse "KEYPAIRINFO <grip> <keyref> [<usage> [<time> [<algostr>]]]".  */
static gpg_error_t
parse_keypairinfo (scd_cardinfo_t *info, const char *args)
{
  gpg_error_t err;
  scd_keypairinfo_t kpi;
  const char *p = args;
  unsigned long t;
  int idx;

  memset (&kpi, 0, sizeof kpi);
  err = next_token (&p, kpi.grip, sizeof kpi.grip);
  if (err)
    return err;
  if (strcmp (kpi.grip, "X"))
    {
      unsigned char tmp[20];

      if (strlen (kpi.grip) != 40 || oca_hex2bin (kpi.grip, tmp, 20))
        return gpg_error (GPG_ERR_INV_RESPONSE);
    }
  err = next_token (&p, kpi.keyref, sizeof kpi.keyref);
  if (err)
    return err;
  if (strncmp (kpi.keyref, "OPENPGP.", 8)
      || kpi.keyref[8] < '1' || kpi.keyref[8] > '3' || kpi.keyref[9])
    return 0;  /* Not an OpenPGP slot: ignore.  */
  idx = kpi.keyref[8] - '1';
  if (*p)
    {
      err = next_token (&p, kpi.usage, sizeof kpi.usage);
      if (err)
        return err;
    }
  if (*p)
    {
      err = parse_ulong (&p, &t);
      if (err)
        return err;
      kpi.keytime = t;
      while (*p == ' ')
        p++;
    }
  if (*p)
    {
      err = next_token (&p, kpi.algostr, sizeof kpi.algostr);
      if (err)
        return err;
    }
  kpi.valid = 1;
  info->keypairinfo[idx] = kpi;
  return 0;
}


gpg_error_t
scd_cardinfo_parse_status (scd_cardinfo_t *info, const char *keyword,
                           const char *args)
{
  gpg_error_t err = 0;
  int idx;
  const char *p;
  unsigned long val;

  if (!strcmp (keyword, "READER"))
    err = store_string (&info->reader, args, 0);
  else if (!strcmp (keyword, "SERIALNO"))
    {
      char tmp[66];

      p = args;
      err = next_token (&p, tmp, sizeof tmp);
      if (err)
        return err;
      if (!*tmp)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      xfree (info->serialno);
      info->serialno = xtrystrdup (tmp);
      if (!info->serialno)
        return oca_error_from_errno ();
      if (scd_serialno_to_ident (tmp, info->ident))
        *info->ident = 0;
    }
  else if (!strcmp (keyword, "CARDTYPE"))
    err = store_string (&info->cardtype, args, 1);
  else if (!strcmp (keyword, "APPTYPE"))
    err = store_string (&info->apptype, args, 1);
  else if (!strcmp (keyword, "APPVERSION"))
    {
      unsigned long v = 0;
      int d;

      for (p = args; (d = oca_hexval ((unsigned char)*p)) >= 0; p++)
        {
          if (v > 0xffff)
            return gpg_error (GPG_ERR_INV_RESPONSE);
          v = v * 16 + d;
        }
      if (p == args || (*p && *p != ' '))
        return gpg_error (GPG_ERR_INV_RESPONSE);
      info->appversion = v;
    }
  else if (!strcmp (keyword, "MANUFACTURER"))
    {
      /* "<decimal id> <name>" (sent unescaped).  */
      p = args;
      err = parse_ulong (&p, &val);
      if (err)
        return err;
      if (val > 0xffff)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      while (*p == ' ')
        p++;
      info->manufacturer_id = val;
      info->manufacturer_valid = 1;
      err = store_string (&info->manufacturer, p, 0);
    }
  else if (!strcmp (keyword, "DISP-NAME"))
    err = store_string (&info->disp_name, args, 1);
  else if (!strcmp (keyword, "DISP-LANG"))
    err = store_string (&info->disp_lang, args, 1);
  else if (!strcmp (keyword, "DISP-SEX"))
    err = store_string (&info->disp_sex, args, 1);
  else if (!strcmp (keyword, "PUBKEY-URL"))
    err = store_string (&info->pubkey_url, args, 1);
  else if (!strcmp (keyword, "LOGIN-DATA"))
    err = store_string (&info->login_data, args, 1);
  else if (!strcmp (keyword, "$DISPSERIALNO"))
    err = store_string (&info->dispserialno, args, 1);
  else if (!strcmp (keyword, "KEY-FPR") || !strcmp (keyword, "CA-FPR"))
    {
      int ca = (*keyword == 'C');

      err = parse_keyno (args, &idx, &p);
      if (err)
        return err;
      err = parse_fpr (p, ca ? info->cafpr[idx] : info->fpr[idx]);
      if (err)
        return err;
      if (ca)
        info->cafpr_valid[idx] = 1;
      else
        info->fpr_valid[idx] = 1;
    }
  else if (!strcmp (keyword, "KEY-TIME"))
    {
      err = parse_keyno (args, &idx, &p);
      if (err)
        return err;
      err = parse_ulong (&p, &val);
      if (err)
        return err;
      info->key_time[idx] = val;
    }
  else if (!strcmp (keyword, "CHV-STATUS"))
    {
      /* "+1+127+127+127+3+0+3": each value preceded by an escaped
       * space.  Old servers send "1 127 ..." with real spaces.  */
      int i;

      p = args;
      for (i = 0; i < 7; i++)
        {
          int neg = 0;

          while (*p == '+' || *p == ' ')
            p++;
          if (*p == '-')
            {
              neg = 1;
              p++;
            }
          err = parse_ulong (&p, &val);
          if (err || val > 255)
            return gpg_error (GPG_ERR_INV_RESPONSE);
          info->chv_status[i] = neg ? -(int)val : (int)val;
        }
      while (*p == '+' || *p == ' ')
        p++;
      if (*p)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      info->chv_status_valid = 1;
    }
  else if (!strcmp (keyword, "SIG-COUNTER"))
    {
      p = args;
      err = parse_ulong (&p, &val);
      if (err)
        return err;
      info->sig_counter = val;
      info->sig_counter_valid = 1;
    }
  else if (!strncmp (keyword, "UIF-", 4)
           && keyword[4] >= '1' && keyword[4] <= '3' && !keyword[5])
    {
      unsigned char *buf;
      size_t len;

      idx = keyword[4] - '1';
      err = scd_unescape (args, strlen (args), 1, &buf, &len);
      if (err)
        return err;
      if (!len)
        {
          xfree (buf);
          return gpg_error (GPG_ERR_INV_RESPONSE);
        }
      info->uif[idx] = buf[0];
      info->uif_valid[idx] = 1;
      xfree (buf);
    }
  else if (!strcmp (keyword, "KEY-ATTR"))
    err = parse_keyattr (info, args);
  else if (!strcmp (keyword, "EXTCAP"))
    err = parse_extcap (info, args);
  else if (!strcmp (keyword, "KDF"))
    info->kdf_valid = 1;
  else if (!strcmp (keyword, "KEYPAIRINFO"))
    err = parse_keypairinfo (info, args);

  return err;
}


/* Status callback feeding scd_cardinfo_parse_status.  */
static gpg_error_t
cardinfo_status_cb (void *opaque, const char *keyword, const char *args)
{
  return scd_cardinfo_parse_status (opaque, keyword, args);
}


gpg_error_t
scd_client_getattr (scd_client_t scd, const char *name, scd_cardinfo_t *info)
{
  char line[SCD_LINE_MAX + 1];

  if (!name || strlen (name) > 100 || strpbrk (name, " \n"))
    return gpg_error (GPG_ERR_INV_ARG);
  snprintf (line, sizeof line, "GETATTR %s", name);
  return scd_client_command (scd, line, cardinfo_status_cb, info, NULL, NULL);
}


gpg_error_t
scd_client_learn (scd_client_t scd, scd_cardinfo_t **r_info)
{
  gpg_error_t err;
  scd_cardinfo_t *info;

  *r_info = NULL;
  info = xtrycalloc (1, sizeof *info);
  if (!info)
    return oca_error_from_errno ();
  err = scd_client_command (scd, "LEARN --force", cardinfo_status_cb, info,
                            NULL, NULL);
  if (!err && !info->serialno)
    err = gpg_error (GPG_ERR_INV_RESPONSE);
  if (!err)
    err = scd_client_getattr (scd, "KEY-ATTR", info);
  if (err)
    {
      scd_cardinfo_release (info);
      return err;
    }
  *r_info = info;
  return 0;
}


gpg_error_t
scd_client_setattr (scd_client_t scd, const char *name,
                    const void *value, size_t valuelen)
{
  gpg_error_t err;
  char *esc = NULL;
  char *line = NULL;

  if (!name || strlen (name) > 100 || strpbrk (name, " \n"))
    return gpg_error (GPG_ERR_INV_ARG);
  err = scd_escape_value (value, valuelen, &esc);
  if (err)
    return err;
  line = xtrymalloc (8 + strlen (name) + 1 + strlen (esc) + 1);
  if (!line)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  strcpy (stpcpy (stpcpy (stpcpy (line, "SETATTR "), name), " "), esc);
  err = scd_client_command (scd, line, NULL, NULL, NULL, NULL);

 leave:
  xfree (line);
  xfree (esc);
  return err;
}


void
scd_genkey_result_release (scd_genkey_result_t *res)
{
  if (!res)
    return;
  xfree (res->n);
  xfree (res->e);
  xfree (res->q);
  xfree (res->curve);
  if (res->pending_)
    {
      membuf_release (res->pending_);
      xfree (res->pending_);
    }
  xfree (res);
}


/* Append the hex digits at S to MB.  */
static gpg_error_t
append_hex (membuf_t *mb, const char *s)
{
  size_t n = strcspn (s, " ");
  size_t i;

  for (i = 0; i < n; i++)
    if (oca_hexval ((unsigned char)s[i]) < 0)
      return gpg_error (GPG_ERR_INV_RESPONSE);
  membuf_put (mb, s, n);
  return membuf_error (mb);
}


gpg_error_t
scd_genkey_parse_status (scd_genkey_result_t *res, const char *keyword,
                         const char *args)
{
  gpg_error_t err = 0;
  const char *p = args;
  unsigned long val;

  if (!res->pending_)
    {
      res->pending_ = xtrycalloc (1, sizeof *res->pending_);
      if (!res->pending_)
        return oca_error_from_errno ();
      membuf_init (res->pending_, MAX_KEYDATA_HEX + 1, 0);
    }

  if (!strcmp (keyword, "KEY-CREATED-AT"))
    {
      err = parse_ulong (&p, &val);
      if (!err)
        res->created_at = val;
    }
  else if (!strcmp (keyword, "KEY-FPR"))
    {
      /* "KEY-FPR <40hex>" (scd's GENKEY) or "KEY-FPR <n> <40hex>".  */
      if (strlen (p) > 2 && p[1] == ' ')
        p += 2;
      err = parse_fpr (p, res->fpr);
      if (!err)
        res->fpr_valid = 1;
    }
  else if (!strcmp (keyword, "KEY-DATA"))
    {
      char name[16];
      unsigned char **slot;
      size_t *slotlen;
      unsigned char *hex = NULL, *bin = NULL;
      size_t hexlen, binlen;
      brd_t r;

      err = next_token (&p, name, sizeof name);
      if (err)
        return err;
      err = append_hex (res->pending_, p);
      if (err)
        return err;
      if (!strcmp (name, "-"))
        return 0;  /* A chunk; the named line follows.  */
      if (!strcmp (name, "n"))
        slot = &res->n, slotlen = &res->nlen;
      else if (!strcmp (name, "e"))
        slot = &res->e, slotlen = &res->elen;
      else if (!strcmp (name, "q"))
        slot = &res->q, slotlen = &res->qlen;
      else if (!strcmp (name, "curve"))
        slot = &res->curve, slotlen = &res->curvelen;
      else
        {
          /* kdf/kek etc.: not needed, drop.  */
          membuf_reset (res->pending_);
          return 0;
        }
      err = membuf_take (res->pending_, &hex, &hexlen);
      membuf_init (res->pending_, MAX_KEYDATA_HEX + 1, 0);
      if (err)
        return err;
      if (!hexlen || (hexlen & 1))
        {
          xfree (hex);
          return gpg_error (GPG_ERR_INV_RESPONSE);
        }
      err = oca_hex2bin_alloc ((const char *)hex, 0, &bin, &binlen);
      xfree (hex);
      if (err)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      /* For the curve, the value is an OID with a length byte.  */
      if (slot == &res->curve)
        {
          unsigned int oidlen;

          brd_init (&r, bin, binlen);
          if (brd_get_u8 (&r, &oidlen) || brd_skip (&r, oidlen)
              || brd_end (&r))
            {
              xfree (bin);
              return gpg_error (GPG_ERR_INV_RESPONSE);
            }
        }
      xfree (*slot);
      *slot = bin;
      *slotlen = binlen;
    }
  return err;
}
