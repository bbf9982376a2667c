/* scd-keyops.c - the client's keys and operations
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * READKEY (the S-expression checked), PKSIGN, PKAUTH and PKDECRYPT
 * with their SETDATA, GENKEY (its KEY-DATA status lines), WRITEKEY
 * (the key inquired), PASSWD, CHECKPIN and RANDOM.
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
#include "scd-client-int.h"

/* SETDATA bytes per line (960 hex digits fits "SCD SETDATA --append ").  */
#define SETDATA_CHUNK 480


/* Read one canonical S-expression element (atom or list) from R.  */
static gpg_error_t
canon_sexp_element (brd_t *r, unsigned int depth)
{
  gpg_error_t err;
  unsigned int c;

  if (depth > 32)
    return gpg_error (GPG_ERR_INV_SEXP);
  err = brd_get_u8 (r, &c);
  if (err)
    return gpg_error (GPG_ERR_INV_SEXP);
  if (c == '(')
    {
      for (;;)
        {
          err = brd_peek_u8 (r, &c);
          if (err)
            return gpg_error (GPG_ERR_INV_SEXP);
          if (c == ')')
            return brd_skip (r, 1);
          err = canon_sexp_element (r, depth + 1);
          if (err)
            return err;
        }
    }
  else if (c >= '1' && c <= '9')
    {
      size_t n = c - '0';

      for (;;)
        {
          err = brd_get_u8 (r, &c);
          if (err)
            return gpg_error (GPG_ERR_INV_SEXP);
          if (c == ':')
            break;
          if (c < '0' || c > '9' || n > 100000)
            return gpg_error (GPG_ERR_INV_SEXP);
          n = n * 10 + (c - '0');
        }
      if (brd_skip (r, n))
        return gpg_error (GPG_ERR_INV_SEXP);
      return 0;
    }
  return gpg_error (GPG_ERR_INV_SEXP);
}


gpg_error_t
scd_check_canon_sexp (const unsigned char *buf, size_t len)
{
  gpg_error_t err;
  brd_t r;
  unsigned int c;

  brd_init (&r, buf, len);
  /* Must be a list.  */
  err = brd_peek_u8 (&r, &c);
  if (err || c != '(')
    return gpg_error (GPG_ERR_INV_SEXP);
  err = canon_sexp_element (&r, 0);
  if (err)
    return err;
  if (brd_end (&r))
    return gpg_error (GPG_ERR_INV_SEXP);
  return 0;
}



/* Check that KEYID is harmless on a command line.  */
static gpg_error_t
check_keyid (const char *keyid)
{
  if (!keyid || !*keyid || strlen (keyid) > 200
      || strpbrk (keyid, " \t\r\n"))
    return gpg_error (GPG_ERR_INV_ID);
  return 0;
}


gpg_error_t
scd_client_readkey (scd_client_t scd, const char *keyid,
                    unsigned char **r_sexp, size_t *r_len)
{
  gpg_error_t err;
  char line[SCD_LINE_MAX + 1];
  unsigned char *buf = NULL;
  size_t len;

  *r_sexp = NULL;
  *r_len = 0;
  err = check_keyid (keyid);
  if (err)
    return err;
  snprintf (line, sizeof line, "READKEY %s", keyid);
  err = scd_client_command (scd, line, NULL, NULL, &buf, &len);
  if (err)
    return err;
  err = scd_check_canon_sexp (buf, len);
  if (err)
    {
      xfree (buf);
      return err;
    }
  *r_sexp = buf;
  *r_len = len;
  return 0;
}


/* SETDATA DATA in chunks (first without, then with --append).  */
static gpg_error_t
setdata (scd_client_t scd, const void *data, size_t datalen)
{
  gpg_error_t err = 0;
  const unsigned char *d = data;
  char line[SCD_LINE_MAX + 1];
  size_t off = 0, n;
  char *p;

  if (!datalen)
    return gpg_error (GPG_ERR_NO_DATA);
  while (off < datalen)
    {
      n = datalen - off;
      if (n > SETDATA_CHUNK)
        n = SETDATA_CHUNK;
      p = stpcpy (line, off ? "SETDATA --append " : "SETDATA ");
      oca_bin2hex (d + off, n, p);
      err = scd_client_command (scd, line, NULL, NULL, NULL, NULL);
      wipememory (line, sizeof line);
      if (err)
        break;
      off += n;
    }
  return err;
}


/* Common part of PKSIGN / PKAUTH / PKDECRYPT.  */
static gpg_error_t
crypt_op (scd_client_t scd, const char *cmd, const char *keyid,
          const void *data, size_t datalen, int secure,
          unsigned char **r_out, size_t *r_outlen)
{
  gpg_error_t err;
  char line[SCD_LINE_MAX + 1];
  struct transact_parm_s parm;

  *r_out = NULL;
  *r_outlen = 0;
  err = check_keyid (keyid);
  if (err)
    return err;
  err = setdata (scd, data, datalen);
  if (err)
    return err;
  snprintf (line, sizeof line, "%s %s", cmd, keyid);
  _scd_parm_init (&parm, 1, secure);
  err = _scd_transact (scd, line, &parm);
  if (!err)
    err = _scd_parm_take_data (&parm, r_out, r_outlen);
  membuf_release (&parm.data);
  if (!err && !*r_outlen)
    {
      if (secure)
        wipe_and_free (*r_out, 0);
      else
        xfree (*r_out);
      *r_out = NULL;
      err = gpg_error (GPG_ERR_NO_DATA);
    }
  return err;
}


gpg_error_t
scd_client_pksign (scd_client_t scd, const char *keyid, const char *hashname,
                   const void *data, size_t datalen,
                   unsigned char **r_sig, size_t *r_siglen)
{
  char cmd[64];

  if (hashname && (strlen (hashname) > 20 || strpbrk (hashname, " \n")))
    return gpg_error (GPG_ERR_INV_ARG);
  if (hashname)
    snprintf (cmd, sizeof cmd, "PKSIGN --hash=%s", hashname);
  else
    strcpy (cmd, "PKSIGN");
  return crypt_op (scd, cmd, keyid, data, datalen, 0, r_sig, r_siglen);
}


gpg_error_t
scd_client_pkauth (scd_client_t scd, const char *keyid,
                   const void *data, size_t datalen,
                   unsigned char **r_sig, size_t *r_siglen)
{
  return crypt_op (scd, "PKAUTH", keyid, data, datalen, 0, r_sig, r_siglen);
}


gpg_error_t
scd_client_pkdecrypt (scd_client_t scd, const char *keyid,
                      const void *data, size_t datalen,
                      unsigned char **r_plain, size_t *r_len)
{
  return crypt_op (scd, "PKDECRYPT", keyid, data, datalen, 1, r_plain, r_len);
}


/* Status callback for GENKEY.  */
static gpg_error_t
genkey_status_cb (void *opaque, const char *keyword, const char *args)
{
  return scd_genkey_parse_status (opaque, keyword, args);
}


gpg_error_t
scd_client_genkey (scd_client_t scd, int keyno, unsigned int flags,
                   time_t timestamp, const char *algo,
                   scd_genkey_result_t **r_res)
{
  gpg_error_t err;
  scd_genkey_result_t *res;
  char line[SCD_LINE_MAX + 1];
  char *p;

  *r_res = NULL;
  if (keyno < 1 || keyno > 3)
    return gpg_error (GPG_ERR_INV_ID);
  if (algo && (strlen (algo) > 40 || strpbrk (algo, " \n")))
    return gpg_error (GPG_ERR_INV_ARG);
  res = xtrycalloc (1, sizeof *res);
  if (!res)
    return oca_error_from_errno ();

  p = stpcpy (line, "GENKEY");
  if ((flags & SCD_GENKEY_FORCE))
    p = stpcpy (p, " --force");
  if (timestamp)
    {
      struct tm tm;

      if (!gmtime_r (&timestamp, &tm))
        {
          err = gpg_error (GPG_ERR_INV_TIME);
          goto leave;
        }
      p += snprintf (p, 40, " --timestamp=%04d%02d%02dT%02d%02d%02d",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
    }
  if (algo)
    p += snprintf (p, 60, " --algo=%s", algo);
  snprintf (p, 8, " %d", keyno);

  err = scd_client_command (scd, line, genkey_status_cb, res, NULL, NULL);
  if (!err && !(res->n || res->q))
    err = gpg_error (GPG_ERR_INV_RESPONSE);
  if (err)
    goto leave;
  *r_res = res;
  res = NULL;

 leave:
  scd_genkey_result_release (res);
  return err;
}


gpg_error_t
scd_client_writekey (scd_client_t scd, const char *keyid, int force,
                     const unsigned char *keydata, size_t keydatalen)
{
  gpg_error_t err;
  char line[SCD_LINE_MAX + 1];
  struct transact_parm_s parm;

  err = check_keyid (keyid);
  if (err)
    return err;
  if (!keydata || !keydatalen)
    return gpg_error (GPG_ERR_NO_DATA);
  err = scd_check_canon_sexp (keydata, keydatalen);
  if (err)
    return err;
  snprintf (line, sizeof line, "WRITEKEY %s%s", force ? "--force " : "",
            keyid);
  _scd_parm_init (&parm, 0, 0);
  parm.inq_keyword = "KEYDATA";
  parm.inq_data = keydata;
  parm.inq_len = keydatalen;
  err = _scd_transact (scd, line, &parm);
  membuf_release (&parm.data);
  return err;
}


gpg_error_t
scd_client_passwd (scd_client_t scd, const char *chvno, unsigned int flags)
{
  char line[SCD_LINE_MAX + 1];

  if (!chvno || !*chvno || strlen (chvno) > 20 || strpbrk (chvno, " \n"))
    return gpg_error (GPG_ERR_INV_ID);
  snprintf (line, sizeof line, "PASSWD%s%s%s %s",
            (flags & SCD_PASSWD_RESET) ? " --reset" : "",
            (flags & SCD_PASSWD_CLEAR) ? " --clear" : "",
            (flags & SCD_PASSWD_NULLPIN) ? " --nullpin" : "",
            chvno);
  return scd_client_command (scd, line, NULL, NULL, NULL, NULL);
}


gpg_error_t
scd_client_checkpin (scd_client_t scd, const char *idstr)
{
  char line[SCD_LINE_MAX + 1];
  gpg_error_t err;

  err = check_keyid (idstr);
  if (err)
    return err;
  snprintf (line, sizeof line, "CHECKPIN %s", idstr);
  return scd_client_command (scd, line, NULL, NULL, NULL, NULL);
}



gpg_error_t
scd_client_random (scd_client_t scd, size_t n, unsigned char **r_buf)
{
  gpg_error_t err;
  char line[64];
  unsigned char *buf;
  size_t len;

  *r_buf = NULL;
  if (!n || n > 1024)
    return gpg_error (GPG_ERR_INV_ARG);
  snprintf (line, sizeof line, "RANDOM %zu", n);
  err = scd_client_command (scd, line, NULL, NULL, &buf, &len);
  if (err)
    return err;
  if (len != n)
    {
      xfree (buf);
      return gpg_error (GPG_ERR_INV_RESPONSE);
    }
  *r_buf = buf;
  return 0;
}

