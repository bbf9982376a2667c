/* ca-expiry.c - how long certifications last; the CA key's expiry
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Certifications.  The reference's certifications never expire; ours
 * expire when the admin asks: per run (--validity DAYS of `user add',
 * `user import'; ca_set_validity) or by the CA's default, stored in
 * the settings table as "cert-validity" (days; `ca cert-validity').
 * `ca renew' (ca-renew.c) re-issues those about to expire.
 *
 * The CA key.  `ca init --validity' and `ca extend' give the CA key an
 * expiration: new self-signatures (direct-key and User ID binding)
 * with a key expiration time, made by the CA key itself (on a card CA:
 * the card's AUT slot), replace the old ones.  An expired CA key
 * certifies nothing: gpg would not accept it.
 */
#include <config.h>
#include "ca-int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SETTING_VALIDITY "cert-validity"
#define DAY 86400u


/* See ca.h.  */
gpg_error_t
ca_parse_days (const char *s, const char *option, unsigned int min_days,
               unsigned int *r_days)
{
  unsigned long v = 0;
  size_t i;

  *r_days = 0;
  for (i = 0; s[i]; i++)
    {
      if (s[i] < '0' || s[i] > '9' || i >= 6)
        break;
      v = v * 10 + (s[i] - '0');
    }
  if (!i || s[i] || v < min_days || v > CA_MAX_DAYS)
    return ca_set_errmsg (gpg_error (CA_ERR_USAGE),
                          "invalid value '%s' for %s (a number of days "
                          "from %u to %u)", s, option, min_days,
                          CA_MAX_DAYS);
  *r_days = (unsigned int)v;
  return 0;
}


/* See ca.h.  */
gpg_error_t
ca_get_default_validity (ca_t *ca, unsigned int *r_days)
{
  gpg_error_t err;
  char *value = NULL, *end;
  unsigned long v;

  *r_days = 0;
  err = db_setting_get (ca->db, SETTING_VALIDITY, &value);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    return 0;
  if (err)
    return ca_db_errmsg (ca, err, "reading the settings");
  v = strtoul (value, &end, 10);
  if (end == value || *end || *value == '-' || v > CA_MAX_DAYS)
    err = ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                         "invalid setting %s in the database",
                         SETTING_VALIDITY);
  else
    *r_days = (unsigned int)v;
  xfree (value);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_set_default_validity (ca_t *ca, unsigned int days)
{
  gpg_error_t err;
  char buf[16];

  if (days > CA_MAX_DAYS)
    return gpg_error (GPG_ERR_INV_VALUE);
  snprintf (buf, sizeof buf, "%u", days);
  err = db_setting_set (ca->db, SETTING_VALIDITY, days ? buf : NULL);
  if (err)
    ca_db_errmsg (ca, err, "storing the settings");
  return err;
}


/* See ca.h.  */
void
ca_set_validity (ca_t *ca, unsigned int days)
{
  ca->validity_set = 1;
  ca->validity_days = days > CA_MAX_DAYS ? CA_MAX_DAYS : days;
}


/* See ca-int.h.  */
gpg_error_t
ca_cert_lifetime (ca_t *ca, uint32_t *r_secs)
{
  gpg_error_t err;
  unsigned int days = ca->validity_days;

  *r_secs = 0;
  if (!ca->validity_set)
    {
      err = ca_get_default_validity (ca, &days);
      if (err)
        return err;
    }
  *r_secs = days * DAY;
  return 0;
}


/* The CA key's expiration (0: none; also when it cannot be told).  */
static uint32_t
ca_key_expires (ca_t *ca)
{
  pgp_cert_info_t info;

  if (!ca->cert || pgp_cert_get_info (ca->cert, 0, &info))
    return 0;
  return info.expires;
}


/* The date of T as "YYYY-MM-DD" into BUF.  */
static const char *
date_str (uint32_t t, char buf[32])
{
  time_t tt = t;
  struct tm tm;

  if (!gmtime_r (&tt, &tm) || !strftime (buf, 32, "%Y-%m-%d", &tm))
    strcpy (buf, "?");
  return buf;
}


/* See ca-int.h.  */
gpg_error_t
ca_check_not_expired (ca_t *ca, uint32_t now)
{
  uint32_t exp = ca_key_expires (ca);
  char buf[32];

  if (!now)
    now = (uint32_t)time (NULL);
  if (exp && exp <= now)
    return ca_set_errmsg (gpg_error (GPG_ERR_KEY_EXPIRED),
                          "the CA key expired on %s; extend it first "
                          "(oca ca extend)", date_str (exp, buf));
  return 0;
}


/* See ca.h.  */
gpg_error_t
ca_extend (ca_t *ca, unsigned int days, int shorten)
{
  gpg_error_t err;
  pgp_signer_t signer;
  uint32_t now = (uint32_t)time (NULL), expires = 0, cur;
  char buf[32], buf2[32];

  if (days > CA_MAX_DAYS)
    return ca_set_errmsg (gpg_error (CA_ERR_USAGE), "too many days");
  if (days)
    expires = now + days * DAY;
  cur = ca_key_expires (ca);
  if (!shorten && (cur ? expires && expires < cur : !!expires)
      && (!cur || cur > now))
    {
      if (!cur)
        return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                              "the CA key does not expire; an expiration "
                              "on %s would shorten its life (--force)",
                              date_str (expires, buf2));
      return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                            "the CA key expires on %s; %s would shorten "
                            "its life (--force)", date_str (cur, buf),
                            date_str (expires, buf2));
    }
  err = ca->backend->ops->certifier (ca->backend, &signer);
  if (err)
    return err;
  err = pgp_ca_set_expiration (ca->cert, &signer, ca->domain, expires, now);
  if (err)
    {
      if (!ca_errmsg_for (err))
        ca_set_errmsg (err, "error signing the CA key's expiration: %s",
                       gpg_strerror (err));
      return err;
    }
  return ca_store_cacert (ca);
}
