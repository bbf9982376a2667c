/* scd-cmd-key.c - oca-scd's commands about keys
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * READKEY, SETDATA, PKSIGN, PKAUTH, PKDECRYPT, GENKEY, WRITEKEY,
 * READCERT, WRITECERT, PASSWD and CHECKPIN.  Each handler parses its
 * line (and collects inquired data), then reaches the card through
 * scd_with_card with the function that does the work.
 */
#include <config.h>
#include "scd.h"
#include "scd-util.h"

#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>


/* READKEY's work: the public key KEYNO (and KEYPAIRINFO).  */
struct readkey_parm
{
  int advanced;        /* In advanced format, not canonical.  */
  int info;            /* KEYPAIRINFO too.  */
  int info_only;       /* KEYPAIRINFO only.  */
};

static gpg_error_t
readkey_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  struct readkey_parm *parm = arg;
  assuan_context_t ctx = sess->ctx;
  gpg_error_t err;
  const unsigned char *sexp;
  size_t sexplen;

  err = app_openpgp_readkey (card->app, keyno, &sexp, &sexplen, NULL);
  if (err)
    return err;
  if (parm->info || parm->info_only)
    {
      err = scd_send_keypairinfo (ctx, card->app, keyno);
      if (err)
        return err;
    }
  if (!parm->info_only)
    {
      if (parm->advanced)
        {
          gcry_sexp_t s;
          size_t n;
          char *buf;

          err = gcry_sexp_sscan (&s, NULL, (const char *)sexp, sexplen);
          if (err)
            return err;
          n = gcry_sexp_sprint (s, GCRYSEXP_FMT_ADVANCED, NULL, 0);
          buf = xtrymalloc (n + 1);
          if (!buf)
            {
              err = oca_error_from_errno ();
              gcry_sexp_release (s);
              return err;
            }
          n = gcry_sexp_sprint (s, GCRYSEXP_FMT_ADVANCED, buf, n + 1);
          gcry_sexp_release (s);
          err = assuan_send_data (ctx, buf, n);
          xfree (buf);
        }
      else
        err = assuan_send_data (ctx, sexp, sexplen);
    }
  return err;
}

const char scd_hlp_readkey[] =
  "READKEY [--advanced] [--info[-only]] <keyid>\n"
  "\n"
  "Return the public key for KEYID (OPENPGP.n or keygrip) as a\n"
  "canonical S-expression.  --info also emits KEYPAIRINFO.";
gpg_error_t
scd_cmd_readkey (assuan_context_t ctx, char *line)
{
  gpg_error_t err;
  scd_cardref_t ref = { .need_app = 1 };
  struct readkey_parm parm;
  char *fmt = scd_option_value (line, "--format");

  parm.advanced = scd_has_option (line, "--advanced");
  parm.info = scd_has_option (line, "--info");
  parm.info_only = scd_has_option (line, "--info-only");

  if (fmt)
    {
      if (!strcmp (fmt, "advanced"))
        parm.advanced = 1;
      else if (strcmp (fmt, "canonical"))
        {
          xfree (fmt);
          return gpg_error (GPG_ERR_UNSUPPORTED_OPERATION);
        }
      xfree (fmt);
    }
  line = scd_skip_options (line);
  if (!*line)
    return set_error (GPG_ERR_ASS_PARAMETER, "no key id given");

  ref.keyid = line;
  err = scd_with_card (assuan_get_pointer (ctx), &ref, readkey_card, &parm);
  return err;
}

const char scd_hlp_setdata[] =
  "SETDATA [--append] <hexstring>\n"
  "\n"
  "Store the data for PKSIGN, PKAUTH and PKDECRYPT (at most 4096\n"
  "bytes in total).";
gpg_error_t
scd_cmd_setdata (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  int append = scd_has_option (line, "--append");
  size_t n, total;
  unsigned char *buf;

  line = scd_skip_options (line);
  n = strlen (line);
  if (!n || (n & 1))
    return set_error (GPG_ERR_ASS_PARAMETER, "invalid hexstring");
  n /= 2;
  total = append ? sess->setdatalen + n : n;
  if (total > MAXLEN_SETDATA)
    return set_error (GPG_ERR_TOO_LARGE,
                      "limit on total size of data reached");
  buf = xtrymalloc_secure (total);
  if (!buf)
    return oca_error_from_errno ();
  if (append && sess->setdata)
    memcpy (buf, sess->setdata, sess->setdatalen);
  err = oca_hex2bin (line, buf + (total - n), n);
  if (err)
    {
      wipe_and_free (buf, total);
      return set_error (GPG_ERR_ASS_PARAMETER, "invalid hexstring");
    }
  wipe_and_free (sess->setdata, sess->setdatalen);
  sess->setdata = buf;
  sess->setdatalen = total;
  return 0;
}

/* Prepare the SETDATA input for a signature with KEYNO: RSA gets a
 * DigestInfo, ECC the bare digest.  */
static gpg_error_t
prepare_sign_data (scd_session_t sess, app_t app, int keyno, int hashalgo,
                   int raw, unsigned char **r_data, size_t *r_len)
{
  gpg_error_t err;
  const card_keyattr_t *attr = &app->keyattr[keyno - 1];
  const unsigned char *digest, *prefix;
  size_t digestlen, prefixlen;
  int algo;
  unsigned char *buf;

  *r_data = NULL;
  *r_len = 0;
  if (raw)
    {
      digest = sess->setdata;
      digestlen = sess->setdatalen;
      prefix = NULL;
      prefixlen = 0;
    }
  else
    {
      err = card_strip_digestinfo (sess->setdata, sess->setdatalen,
                                   hashalgo, &algo, &digest, &digestlen);
      if (err)
        return err;
      prefix = attr->algo == CARD_ALGO_RSA
        ? card_digestinfo_prefix (algo, &prefixlen) : NULL;
      if (!prefix)
        prefixlen = 0;
    }
  buf = xtrymalloc (prefixlen + digestlen);
  if (!buf)
    return oca_error_from_errno ();
  if (prefixlen)
    memcpy (buf, prefix, prefixlen);
  memcpy (buf + prefixlen, digest, digestlen);
  *r_data = buf;
  *r_len = prefixlen + digestlen;
  return 0;
}

/* PKSIGN's work: sign the SETDATA input with key KEYNO.  */
struct pksign_parm
{
  int hashalgo;        /* The hash of --hash (libgcrypt id).  */
  int raw;             /* --hash=none: the input as it is.  */
};

static gpg_error_t
pksign_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  struct pksign_parm *parm = arg;
  gpg_error_t err;
  unsigned char *data = NULL, *sig = NULL;
  size_t datalen = 0, siglen = 0;

  err = prepare_sign_data (sess, card->app, keyno, parm->hashalgo, parm->raw,
                           &data, &datalen);
  if (err)
    goto leave;
  err = app_openpgp_sign (card->app, keyno, data, datalen, scd_pin_flags (),
                          scd_pin_cb, sess, &sig, &siglen);
  if (err)
    goto leave;
  err = assuan_send_data (sess->ctx, sig, siglen);

 leave:
  xfree (data);
  xfree (sig);
  return err;
}

const char scd_hlp_pksign[] =
  "PKSIGN [--hash=[rmd160|sha{1,224,256,384,512}|md5|none]] <keyid>\n"
  "\n"
  "Sign the data set with SETDATA using KEYID (OPENPGP.1 or a\n"
  "keygrip; OPENPGP.3 uses INTERNAL AUTHENTICATE).";
gpg_error_t
scd_cmd_pksign (assuan_context_t ctx, char *line)
{
  scd_cardref_t ref = { .need_app = 1,
                        .setdata_keys = (1u << 1) | (1u << 3) };
  struct pksign_parm parm = { GCRY_MD_SHA1, 0 };
  char *hash = scd_option_value (line, "--hash");

  if (hash)
    {
      if (!strcmp (hash, "none"))
        parm.raw = 1;
      else if (!(parm.hashalgo = card_hash_from_name (hash)))
        {
          xfree (hash);
          return set_error (GPG_ERR_ASS_PARAMETER, "invalid hash algorithm");
        }
      xfree (hash);
    }
  else if (scd_has_option (line, "--hash"))
    return set_error (GPG_ERR_ASS_PARAMETER, "invalid hash algorithm");
  return scd_with_keyid (ctx, line, &ref, pksign_card, &parm);
}

/* PKAUTH's work: INTERNAL AUTHENTICATE of the SETDATA input (an ECC
 * key gets the digest of a DigestInfo).  */
static gpg_error_t
pkauth_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  gpg_error_t err;
  int algo;
  unsigned char *sig = NULL;
  size_t siglen = 0, datalen;
  const unsigned char *data, *digest;
  size_t digestlen;

  (void)keyno;
  (void)arg;
  data = sess->setdata;
  datalen = sess->setdatalen;
  if (card->app->keyattr[2].algo != CARD_ALGO_RSA
      && datalen > 35
      && !card_strip_digestinfo (data, datalen, 0, &algo, &digest,
                                 &digestlen)
      && digest != data)
    {
      data = digest;
      datalen = digestlen;
    }
  err = app_openpgp_sign (card->app, 3, data, datalen, scd_pin_flags (),
                          scd_pin_cb, sess, &sig, &siglen);
  if (err)
    goto leave;
  err = assuan_send_data (sess->ctx, sig, siglen);

 leave:
  xfree (sig);
  return err;
}

const char scd_hlp_pkauth[] =
  "PKAUTH <keyid>\n"
  "\n"
  "INTERNAL AUTHENTICATE with the data set with SETDATA.";
gpg_error_t
scd_cmd_pkauth (assuan_context_t ctx, char *line)
{
  scd_cardref_t ref = { .need_app = 1, .setdata_keys = 1u << 3 };

  if (scd_has_option (line, "--challenge-response"))
    return gpg_error (GPG_ERR_NOT_SUPPORTED);
  return scd_with_keyid (ctx, line, &ref, pkauth_card, NULL);
}

/* PKDECRYPT's work: decipher the SETDATA input with key 2.  */
static gpg_error_t
pkdecrypt_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  gpg_error_t err;
  unsigned char *out = NULL;
  size_t outlen = 0;

  (void)keyno;
  (void)arg;
  err = app_openpgp_decipher (card->app, 2, sess->setdata, sess->setdatalen,
                              scd_pin_flags (), scd_pin_cb, sess, &out, &outlen);
  if (err)
    goto leave;
  err = scd_send_status (sess->ctx, "PADDING", "0");
  if (!err)
    err = assuan_send_data (sess->ctx, out, outlen);

 leave:
  wipe_and_free (out, outlen);
  return err;
}

const char scd_hlp_pkdecrypt[] =
  "PKDECRYPT <keyid>\n"
  "\n"
  "Decrypt the data set with SETDATA using KEYID (OPENPGP.2 or a\n"
  "keygrip).  Emits S PADDING 0, then the plaintext as data.";
gpg_error_t
scd_cmd_pkdecrypt (assuan_context_t ctx, char *line)
{
  scd_cardref_t ref = { .need_app = 1, .setdata_keys = 1u << 2 };

  return scd_with_keyid (ctx, line, &ref, pkdecrypt_card, NULL);
}

/* Send KEY-DATA NAME HEX in 768-digit chunks (B.3).  */
static gpg_error_t
send_key_data (assuan_context_t ctx, const char *name,
               const unsigned char *buf, size_t len)
{
  gpg_error_t err = 0;
  char *hex;
  const char *p;
  size_t n;

  hex = xtrymalloc (2 * len + 1);
  if (!hex)
    return oca_error_from_errno ();
  oca_bin2hex (buf, len, hex);
  p = hex;
  n = 2 * len;
  for (; n > 768 && !err; n -= 768, p += 768)
    {
      char chunk[800];

      snprintf (chunk, sizeof chunk, "- %.768s", p);
      err = scd_send_status (ctx, "KEY-DATA", chunk);
    }
  if (!err)
    {
      char *l = xtrymalloc (strlen (name) + 1 + n + 1);

      if (!l)
        err = oca_error_from_errno ();
      else
        {
          snprintf (l, strlen (name) + n + 2, "%s %s", name, p);
          err = scd_send_status (ctx, "KEY-DATA", l);
          xfree (l);
        }
    }
  xfree (hex);
  return err;
}

/* Parse an ISO time "YYYYMMDDTHHMMSS" or a decimal epoch.  */
static int
parse_timestamp (const char *s, uint32_t *r_time)
{
  struct tm tm;
  int n;

  *r_time = 0;
  if (strlen (s) >= 15 && s[8] == 'T')
    {
      memset (&tm, 0, sizeof tm);
      n = sscanf (s, "%4d%2d%2dT%2d%2d%2d", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
      if (n != 6)
        return -1;
      tm.tm_year -= 1900;
      tm.tm_mon -= 1;
      *r_time = (uint32_t)timegm (&tm);
      return 0;
    }
  if (*s >= '0' && *s <= '9')
    {
      *r_time = (uint32_t)strtoul (s, NULL, 10);
      return 0;
    }
  return -1;
}

/* GENKEY's work: set the algorithm (--algo), generate, report.  */
struct genkey_parm
{
  int keyno;               /* The slot (the reference names no key).  */
  unsigned int flags;      /* card/ flags (APP_FLAG_FORCE, ...).  */
  uint32_t created;        /* --timestamp, or 0 for now.  */
  const char *algo;        /* --algo, or NULL for the current one.  */
};

static gpg_error_t
genkey_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  struct genkey_parm *parm = arg;
  gpg_error_t err;
  app_genkey_info_t *info = NULL;
  char buf[100], hex[41];

  keyno = parm->keyno;
  if (parm->algo)
    {
      card_keyattr_t want;
      int id;

      if (!strncmp (parm->algo, "rsa", 3))
        id = CARD_ALGO_RSA;
      else
        {
          err = card_keyattr_from_curve (parm->algo, keyno, &want);
          if (err)
            goto leave;
          id = want.algo;
        }
      snprintf (buf, sizeof buf, "--force %d %d %s", keyno, id, parm->algo);
      err = app_openpgp_setattr (card->app, "KEY-ATTR",
                                 (unsigned char *)buf, strlen (buf),
                                 scd_pin_flags (), scd_pin_cb, sess);
      if (err)
        goto leave;
    }
  err = app_openpgp_genkey (card->app, keyno, parm->flags, parm->created,
                            scd_pin_cb, sess, &info);
  if (err)
    goto leave;
  snprintf (buf, sizeof buf, "%lu", (unsigned long)info->created);
  if ((err = scd_send_status (sess->ctx, "KEY-CREATED-AT", buf)))
    goto leave;
  if (info->n)
    {
      if ((err = send_key_data (sess->ctx, "n", info->n, info->nlen))
          || (err = send_key_data (sess->ctx, "e", info->e, info->elen)))
        goto leave;
    }
  else
    {
      unsigned char oid[16];

      oid[0] = info->attr.oidlen;
      memcpy (oid + 1, info->attr.oid, info->attr.oidlen);
      if ((err = send_key_data (sess->ctx, "q", info->q, info->qlen))
          || (err = send_key_data (sess->ctx, "curve", oid,
                                   info->attr.oidlen + 1)))
        goto leave;
      if (info->attr.algo == CARD_ALGO_ECDH
          && (err = send_key_data (sess->ctx, "kdf", info->kdf, 4)))
        goto leave;
    }
  err = scd_send_status (sess->ctx, "KEY-FPR", oca_bin2hex (info->fpr, 20, hex));

 leave:
  app_genkey_info_release (info);
  return err;
}

const char scd_hlp_genkey[] =
  "GENKEY [--force] [--timestamp=<isodate>] [--algo=<algo>] <keyno>\n"
  "\n"
  "Generate a key on the card in slot KEYNO (1, 2, 3 or OPENPGP.n).\n"
  "Emits KEY-CREATED-AT, KEY-DATA and KEY-FPR status lines.";
gpg_error_t
scd_cmd_genkey (assuan_context_t ctx, char *line)
{
  gpg_error_t err;
  static const scd_cardref_t ref = { .need_app = 1 };
  struct genkey_parm parm;
  int keyno;
  unsigned int flags = scd_pin_flags ();
  char *ts = scd_option_value (line, "--timestamp");
  char *algo = scd_option_value (line, "--algo");
  uint32_t created = 0;

  if ((err = scd_check_admin (ctx)))
    goto leave;
  if (scd_has_option (line, "--force"))
    flags |= APP_FLAG_FORCE;
  if (ts && parse_timestamp (ts, &created))
    {
      err = set_error (GPG_ERR_ASS_PARAMETER, "invalid time given");
      goto leave;
    }
  keyno = scd_parse_keyref (scd_skip_options (line), 1);
  if (!keyno)
    {
      err = set_error (GPG_ERR_ASS_PARAMETER, "invalid key number");
      goto leave;
    }

  parm.keyno = keyno;
  parm.flags = flags;
  parm.created = created;
  parm.algo = algo;
  err = scd_with_card (assuan_get_pointer (ctx), &ref, genkey_card, &parm);

 leave:
  xfree (ts);
  xfree (algo);
  return err;
}

/* WRITEKEY's work: import the inquired key into its slot.  */
struct writekey_parm
{
  int keyno;
  unsigned int flags;
  const unsigned char *keydata;  /* Secure memory, the caller's.  */
  size_t keydatalen;
};

static gpg_error_t
writekey_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  struct writekey_parm *parm = arg;

  (void)keyno;
  return app_openpgp_writekey (card->app, parm->keyno, parm->flags,
                               parm->keydata, parm->keydatalen,
                               scd_pin_cb, sess);
}

const char scd_hlp_writekey[] =
  "WRITEKEY [--force] <keyid>\n"
  "\n"
  "Store a private key on the card; the key is asked for with\n"
  "INQUIRE KEYDATA as canonical S-expression (at most 4096 bytes).";
gpg_error_t
scd_cmd_writekey (assuan_context_t ctx, char *line)
{
  gpg_error_t err;
  static const scd_cardref_t ref = { .need_app = 1 };
  struct writekey_parm parm;
  int keyno;
  unsigned int flags = scd_pin_flags ();
  unsigned char *keydata = NULL;
  size_t keydatalen = 0;

  if ((err = scd_check_admin (ctx)))
    return err;
  if (scd_has_option (line, "--force"))
    flags |= APP_FLAG_FORCE;
  line = scd_skip_options (line);
  if (!*line)
    return set_error (GPG_ERR_ASS_PARAMETER, "no keyid given");
  keyno = scd_parse_keyref (line, 0);
  if (!keyno)
    return gpg_error (GPG_ERR_INV_ID);  /* As scdaemon.  */

  assuan_begin_confidential (ctx);
  err = scd_inquire (ctx, "KEYDATA", MAXLEN_KEYDATA, &keydata, &keydatalen);
  assuan_end_confidential (ctx);
  if (err)
    goto leave;
  if (!keydatalen)
    {
      err = gpg_error (GPG_ERR_NO_DATA);
      goto leave;
    }
  parm.keyno = keyno;
  parm.flags = flags;
  parm.keydata = keydata;
  parm.keydatalen = keydatalen;
  err = scd_with_card (assuan_get_pointer (ctx), &ref, writekey_card, &parm);

 leave:
  wipe_and_free (keydata, keydatalen);
  return err;
}

/* READCERT's work: the certificate of key KEYNO into *ARG.  */
struct cert_parm
{
  int keyno;                /* WRITECERT: the slot.  */
  unsigned char *cert;
  size_t certlen;
};

static gpg_error_t
readcert_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  struct cert_parm *parm = arg;

  (void)sess;
  return app_openpgp_readcert (card->app, keyno, &parm->cert,
                               &parm->certlen);
}

const char scd_hlp_readcert[] =
  "READCERT <OPENPGP.n | keygrip>\n"
  "\n"
  "Return the cardholder certificate of the key as data.";
gpg_error_t
scd_cmd_readcert (assuan_context_t ctx, char *line)
{
  gpg_error_t err;
  scd_cardref_t ref = { .need_app = 1 };
  struct cert_parm parm = { 0, NULL, 0 };

  ref.keyid = scd_skip_options (line);
  err = scd_with_card (assuan_get_pointer (ctx), &ref, readcert_card, &parm);
  if (!err)
    err = assuan_send_data (ctx, parm.cert, parm.certlen);
  xfree (parm.cert);
  return err;
}

/* WRITECERT's work: store the inquired certificate (CERT-n).  */
static gpg_error_t
writecert_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  struct cert_parm *parm = arg;
  char name[8];

  (void)keyno;
  snprintf (name, sizeof name, "CERT-%d", parm->keyno);
  return app_openpgp_setattr (card->app, name, parm->cert, parm->certlen,
                              scd_pin_flags (), scd_pin_cb, sess);
}

const char scd_hlp_writecert[] =
  "WRITECERT <OPENPGP.n>\n"
  "\n"
  "Store a certificate (asked for with INQUIRE CERTDATA).";
gpg_error_t
scd_cmd_writecert (assuan_context_t ctx, char *line)
{
  gpg_error_t err;
  static const scd_cardref_t ref = { .need_app = 1 };
  struct cert_parm parm;
  int keyno;
  unsigned char *cert = NULL;
  size_t certlen = 0;

  if ((err = scd_check_admin (ctx)))
    return err;
  keyno = scd_parse_keyref (scd_skip_options (line), 0);
  if (!keyno)
    return set_error (GPG_ERR_ASS_PARAMETER, "invalid certificate id");
  err = scd_inquire (ctx, "CERTDATA", MAXLEN_CERTDATA, &cert, &certlen);
  if (err)
    return err;
  parm.keyno = keyno;
  parm.cert = cert;
  parm.certlen = certlen;
  err = scd_with_card (assuan_get_pointer (ctx), &ref, writecert_card, &parm);
  wipe_and_free (cert, certlen);
  return err;
}

/* PASSWD's work: change (or with --clear forget) PIN CHVNO.  */
struct passwd_parm
{
  int chvno;
  int reset;
  int clear;
};

static gpg_error_t
passwd_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  struct passwd_parm *parm = arg;

  (void)keyno;
  if (parm->clear)
    return app_openpgp_clear_pin (card->app, parm->chvno);
  return app_openpgp_change_pin (card->app, parm->chvno, parm->reset,
                                 scd_pin_flags () & APP_FLAG_PINPAD,
                                 scd_pin_cb, sess);
}

const char scd_hlp_passwd[] =
  "PASSWD [--reset] [--nullpin] [--clear] <chvno> [<keygrip>]\n"
  "\n"
  "Change the PIN CHVNO (1 = PIN, 2 = unblock with Reset Code /\n"
  "set Reset Code with --reset, 3 = Admin PIN).  --clear resets the\n"
  "verification state.";
gpg_error_t
scd_cmd_passwd (assuan_context_t ctx, char *line)
{
  scd_cardref_t ref = { .need_app = 1 };
  struct passwd_parm parm;
  int reset = scd_has_option (line, "--reset");
  int clear = scd_has_option (line, "--clear");
  int chvno;
  char *p;

  if (scd_has_option (line, "--nullpin"))
    return gpg_error (GPG_ERR_UNSUPPORTED_OPERATION);
  if (clear && reset)
    return set_error (GPG_ERR_ASS_PARAMETER,
                      "--clear can't be combined with other options");
  p = scd_skip_options (line);
  if (!*p)
    return set_error (GPG_ERR_ASS_PARAMETER, "no CHV number given");
  chvno = scd_parse_keyref (p, 1);
  if (!chvno)
    return gpg_error (GPG_ERR_INV_ID);  /* As scdaemon.  */
  if (!clear && scd_opt.deny_admin && (reset || chvno == 3))
    return set_error (GPG_ERR_EACCES, "admin commands disabled");
  while (*p && *p != ' ')
    p++;
  while (*p == ' ')
    p++;

  if (*p && scd_is_keygrip (p))
    ref.keyid = p;
  parm.chvno = chvno;
  parm.reset = reset;
  parm.clear = clear;
  return scd_with_card (assuan_get_pointer (ctx), &ref, passwd_card, &parm);
}

/* CHECKPIN's work: verify the PIN the id string ARG names
 * (<serialno>[/<fpr>] PW1, <serialno>[CHV3] the Admin PIN).  */
static gpg_error_t
checkpin_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  char *idstr = arg;
  assuan_context_t ctx = sess->ctx;
  gpg_error_t err = 0;
  size_t n = strlen (idstr);
  int admin = n > 6 && !strcmp (idstr + n - 6, "[CHV3]");

  (void)keyno;
  if (admin)
    idstr[n - 6] = 0;
  /* As scdaemon: the serial number is required.  */
  if (strncmp (idstr, "D27600012401", 12) || strlen (idstr) < 32)
    {
      err = gpg_error (GPG_ERR_INV_ID);
      return err;
    }
  if (strncasecmp (idstr + 16, card->app->serialno + 16, 12))
    {
      err = gpg_error (GPG_ERR_WRONG_CARD);
      return err;
    }
  if (admin)
    {
      err = app_openpgp_refresh (card->app);
      if (err)
        return err;
      if (!card->app->chv_status[6])
        err = gpg_error (GPG_ERR_PIN_BLOCKED);
      else if (card->app->chv_status[6] < 3)
        err = set_error (GPG_ERR_GENERAL,
                         "Verification of Admin PIN is currently "
                         "prohibited through this command");
      else
        err = app_openpgp_verify (card->app, 3, APP_FLAG_INSIST
                                  | (scd_pin_flags () & APP_FLAG_PINPAD),
                                  scd_pin_cb, sess);
    }
  else
    err = app_openpgp_verify (card->app, 2, APP_FLAG_INSIST
                              | (scd_pin_flags () & APP_FLAG_PINPAD),
                              scd_pin_cb, sess);

  return err;
}

const char scd_hlp_checkpin[] =
  "CHECKPIN <idstr>\n"
  "\n"
  "Verify the PIN: <hexserialno>[/<fpr>] verifies PW1,\n"
  "<hexserialno>[CHV3] the Admin PIN.";
gpg_error_t
scd_cmd_checkpin (assuan_context_t ctx, char *line)
{
  gpg_error_t err;
  static const scd_cardref_t ref = { .need_app = 1 };
  char *idstr;

  idstr = xtrystrdup (scd_skip_options (line));
  if (!idstr)
    return oca_error_from_errno ();

  err = scd_with_card (assuan_get_pointer (ctx), &ref, checkpin_card, idstr);
  xfree (idstr);
  return err;
}
