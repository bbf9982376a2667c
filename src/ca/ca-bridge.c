/* ca-bridge.c - bridges: scoped trust signatures on other CAs' keys
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A bridge (spec 3.7) makes the users of another OpenPGP CA valid for
 * those who trust this one, for the other CA's domain only: the CA
 * certifies the one User ID of the remote CA's key ("NAME
 * <openpgp-ca@DOMAIN>") with a trust signature of level 255 and amount
 * 120 (a fully trusted introducer) that carries the Regular Expression
 * "<[^>]+[@.]DOMAIN>$" (the dots escaped), so that GnuPG and Sequoia
 * take the remote CA's certifications only on User IDs whose address is
 * in DOMAIN or below it.  The remote key is stored as a certs row
 * without a user, the bridge as a bridges row naming its address and
 * scope (the schema of openpgp-ca, db/).  `bridge revoke' adds a
 * certification revocation (0x30) to the stored key, which is then
 * exported again.
 */
#include <config.h>
#include "ca-int.h"

#include <string.h>
#include <time.h>

/* The reason text of a bridge's revocation (as the reference).  */
#define BRIDGE_REVOKE_TEXT "removing OpenPGP CA bridge"


/* See ca.h.  */
void
ca_bridge_release (ca_bridge_t *list)
{
  ca_bridge_t *next;

  for (; list; list = next)
    {
      next = list->next;
      xfree (list->email);
      xfree (list->scope);
      xfree (list->regex);
      xfree (list->uid);
      pgp_cert_release (list->cert);
      xfree (list);
    }
}


/* The Regular Expression that scopes a trust signature to DOMAIN (a
 * checked domain: letters, digits, '-' and '.').  */
static gpg_error_t
scope_regex (const char *domain, char **r_regex)
{
  static const char head[] = "<[^>]+[@.]", tail[] = ">$";
  char *re, *p;
  const char *s;

  *r_regex = NULL;
  re = xtrymalloc (sizeof head + 2 * strlen (domain) + sizeof tail);
  if (!re)
    return oca_error_from_errno ();
  p = stpcpy (re, head);
  for (s = domain; *s; s++)
    {
      if (*s == '.')
        *p++ = '\\';
      *p++ = *s;
    }
  strcpy (p, tail);
  *r_regex = re;
  return 0;
}


/* The one User ID of CERT (attributes do not count), or NULL; *R_N
 * gets their number.  */
static pgp_uid_t *
the_uid (const pgp_cert_t *cert, int *r_n)
{
  pgp_uid_t *uid, *one = NULL;

  *r_n = 0;
  for (uid = cert->uids; uid; uid = uid->next)
    if (!uid->is_attribute)
      {
        one = uid;
        ++*r_n;
      }
  return *r_n == 1 ? one : NULL;
}


/* Whether the newest good self-signature of UID with key flags says
 * that the primary key of CERT may not certify.  Run after
 * ca_uid_binding_problem, which verified the self-signatures.  */
static int
cannot_certify (const pgp_cert_t *cert, const pgp_uid_t *uid)
{
  const pgp_sig_t *sig, *best = NULL;
  const pgp_key_t *pk = cert->primary;

  for (sig = uid->sigs; sig; sig = sig->next)
    {
      if (sig->status != PGP_SIGSTAT_GOOD || !sig->has_key_flags
          || sig->sigclass == PGP_SIG_CERT_REVOKE)
        continue;
      if (sig->has_issuer_fpr ? memcmp (sig->issuer_fpr, pk->fpr, 20)
          : !sig->has_issuer || memcmp (sig->issuer, pk->keyid, 8))
        continue;
      if (!best || sig->created >= best->created)
        best = sig;
    }
  return best && !(best->key_flags & PGP_KF_CERTIFY);
}


/* Check that CERT (public, read from WHAT) is the key of an OpenPGP CA
 * we may bridge to; fill B (uid, email, fpr) and return the User ID.  */
static gpg_error_t
check_remote (ca_t *ca, pgp_cert_t *cert, const char *what,
              ca_bridge_t *b, pgp_uid_t **r_uid)
{
  gpg_error_t err;
  pgp_uid_t *uid;
  pgp_cert_info_t info;
  const char *why = NULL;
  char *email = NULL, *at;
  int n;

  *r_uid = NULL;
  pgp_cert_fpr_hex (cert, b->fpr);
  if (!strcmp (b->fpr, ca->fpr))
    return ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                          "%s: this is the CA's own key", what);
  uid = the_uid (cert, &n);
  if (!uid)
    return ca_set_errmsg (gpg_error (GPG_ERR_BAD_CA_CERT),
                          "%s is not an OpenPGP CA key: expected exactly one "
                          "User ID, found %d", what, n);
  b->uid = pgp_uid_escape (uid->body, uid->bodylen);
  if (!b->uid)
    return oca_error_from_errno ();

  err = pgp_uid_parse (uid->body, uid->bodylen, &email, NULL, &why);
  if (gpg_err_code (err) == GPG_ERR_NO_DATA)
    why = "it has no email address";
  else if (err && gpg_err_code (err) != GPG_ERR_INV_USER_ID)
    return err;
  if (!err)
    {
      at = strchr (email, '@');
      if (!at || (size_t)(at - email) != strlen (CA_EMAIL_LOCALPART)
          || memcmp (email, CA_EMAIL_LOCALPART, at - email))
        why = "its address is not " CA_EMAIL_LOCALPART "@DOMAIN";
    }
  if (why)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_BAD_CA_CERT),
                           "%s is not an OpenPGP CA key: User ID '%s': %s",
                           what, b->uid, why);
      xfree (email);
      return err;
    }
  b->email = email;

  why = ca_uid_binding_problem (cert, uid);
  if (!why && cannot_certify (cert, uid))
    why = "its primary key is not certification-capable";
  if (why)
    return ca_set_errmsg (gpg_error (GPG_ERR_BAD_CA_CERT),
                          "%s is not usable as an OpenPGP CA key: User ID "
                          "'%s': %s", what, b->uid, why);
  err = pgp_cert_get_info (cert, 0, &info);
  if (err)
    return ca_set_errmsg (err, "%s: %s", what, gpg_strerror (err));
  if (info.revoked || info.expired)
    return ca_set_errmsg (gpg_error (info.revoked ? GPG_ERR_CERT_REVOKED
                                     : GPG_ERR_CERT_EXPIRED),
                          "the remote CA key %s in %s is %s", b->fpr, what,
                          info.revoked ? "revoked" : "expired");
  *r_uid = uid;
  return 0;
}


/* Fail if a bridge to B->email or a certificate B->fpr is stored.  */
static gpg_error_t
check_new (ca_t *ca, const ca_bridge_t *b)
{
  gpg_error_t err;
  db_bridge_t *known = NULL;
  db_cert_t *cert = NULL;

  err = db_bridge_get (ca->db, b->email, &known);
  db_bridge_release (known);
  if (!err)
    return ca_set_errmsg (gpg_error (GPG_ERR_DUP_KEY),
                          "a bridge to %s exists already", b->email);
  if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
    return ca_db_errmsg (ca, err, "reading the database");
  err = db_cert_get (ca->db, b->fpr, &cert);
  db_cert_release (cert);
  if (!err)
    return ca_set_errmsg (gpg_error (GPG_ERR_DUP_KEY),
                          "the key %s is stored already", b->fpr);
  if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
    return ca_db_errmsg (ca, err, "reading the database");
  return 0;
}


/* See ca.h.  */
gpg_error_t
ca_bridge_new (ca_t *ca, const pgp_cert_t *remote, const char *what,
               const char *email, const char *scope, int commit,
               ca_bridge_t **r_bridge)
{
  gpg_error_t err;
  ca_bridge_t *b = NULL;
  pgp_cert_t *cert = NULL;
  pgp_uid_t *uid;
  pgp_signer_t signer;
  pgp_certify_opts_t opts;
  pgp_sig_t *tsig;
  const char *domain;
  char *pub = NULL;
  int64_t cert_id;

  *r_bridge = NULL;
  b = xtrycalloc (1, sizeof *b);
  if (!b)
    return oca_error_from_errno ();
  err = pgp_cert_copy (remote, 1, &cert);
  if (err)
    goto leave;
  err = check_remote (ca, cert, what, b, &uid);
  if (err)
    goto leave;

  /* The bridge's address is the remote CA's; -e may only repeat it.  */
  if (email && strcmp (email, b->email))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_INV_USER_ID),
                           "the remote CA key in %s is for %s, not %s",
                           what, b->email, email);
      goto leave;
    }
  domain = strchr (b->email, '@') + 1;
  if (scope)
    {
      err = ca_check_domain (scope, &b->scope);
      if (err)
        goto leave;
      if (strcmp (b->scope, domain))
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                               "Scope and domain don't match, currently "
                               "unsupported (scope %s, remote CA %s)",
                               b->scope, b->email);
          goto leave;
        }
    }
  else
    {
      /* The address passed the User ID rule: its domain is a host
       * name, ca_check_domain takes it.  */
      err = ca_check_domain (domain, &b->scope);
      if (err)
        goto leave;
    }
  if (!strcmp (b->scope, ca->domain))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                           "the remote CA %s is for this CA's own domain",
                           b->email);
      goto leave;
    }
  err = scope_regex (b->scope, &b->regex);
  if (!err)
    err = check_new (ca, b);
  if (err || !commit)
    goto leave;

  if (ca_split_mode (ca) == CA_SPLIT_BACK)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                           "Unsupported operation on Split-mode backend CA");
      goto leave;
    }
  if (ca_split_mode (ca) == CA_SPLIT_FRONT)
    {
      /* A front queues the trust signature and stores the key as it
       * is (openpgp-ca); `ca split import' adds the signature.  */
      err = ca_split_queue_bridge (ca, cert, b->regex);
      if (!err)
        err = ca_armor_public (cert, &pub);
      if (!err)
        err = db_cert_insert (ca->db, b->fpr, pub, 0, &cert_id);
      if (!err)
        err = db_bridge_insert (ca->db, b->email, b->scope, cert_id, NULL);
      if (err && !ca_errmsg_for (err))
        ca_db_errmsg (ca, err, "storing the bridge");
      goto leave;
    }

  /* The scoped trust signature (an expired CA key's counts for
   * nothing).  */
  err = ca_check_not_expired (ca, 0);
  if (!err)
    err = ca->backend->ops->certifier (ca->backend, &signer);
  if (err)
    goto leave;
  memset (&opts, 0, sizeof opts);
  opts.sigclass = PGP_SIG_GENERIC_CERT;
  opts.trust_level = CA_TSIG_LEVEL;
  opts.trust_amount = CA_TSIG_AMOUNT;
  opts.regex = b->regex;
  err = pgp_cert_certify_uid (cert, uid, &signer, &opts, &tsig);
  if (err)
    {
      if (!ca_errmsg_for (err))
        ca_set_errmsg (err, "error making the trust signature: %s",
                       gpg_strerror (err));
      goto leave;
    }

  /* Store the key, the bridge and the audit record.  */
  err = ca_armor_public (cert, &pub);
  if (err)
    goto leave;
  err = db_cert_insert (ca->db, b->fpr, pub, 0, &cert_id);
  if (!err)
    err = db_bridge_insert (ca->db, b->email, b->scope, cert_id, NULL);
  if (err)
    {
      ca_db_errmsg (ca, err, "storing the bridge");
      goto leave;
    }
  err = ca_record_sig (ca, cert_id, b->fpr, uid->name, tsig, ca->fpr,
                       DB_CERTIFICATION_BRIDGE);
  if (err)
    goto leave;
  b->active = 1;

 leave:
  if (!err)
    {
      b->cert = cert;
      cert = NULL;
      *r_bridge = b;
      b = NULL;
    }
  xfree (pub);
  pgp_cert_release (cert);
  ca_bridge_release (b);
  return err;
}


/* The time to judge the CA's signatures on UID at: now, or the newest
 * of them if that is later (a revocation made right after the trust
 * signature is dated a second after it).  */
static uint32_t
judge_time (const ca_t *ca, const pgp_uid_t *uid)
{
  const pgp_sig_t *sig;
  uint32_t now = (uint32_t)time (NULL);

  for (sig = uid->sigs; sig; sig = sig->next)
    if (sig->has_issuer_fpr
        && !memcmp (sig->issuer_fpr, ca->cert->primary->fpr, 20)
        && sig->created > now && sig->created - now <= 1)
      now = sig->created;
  return now;
}


/* Fill a ca_bridge_t from the stored ROW (parsing its certificate).  */
static gpg_error_t
bridge_from_row (ca_t *ca, const db_bridge_t *row, ca_bridge_t **r_b)
{
  gpg_error_t err;
  ca_bridge_t *b;
  pgp_uid_t *uid;
  int n;

  *r_b = NULL;
  b = xtrycalloc (1, sizeof *b);
  if (!b)
    return oca_error_from_errno ();
  b->email = xtrystrdup (row->email);
  b->scope = xtrystrdup (row->scope);
  if (!b->email || !b->scope)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  err = ca_parse_stored_cert (row->pub_cert, row->fingerprint, &b->cert);
  if (err)
    goto leave;
  strcpy (b->fpr, row->fingerprint);
  err = scope_regex (b->scope, &b->regex);
  if (err)
    goto leave;
  uid = the_uid (b->cert, &n);
  if (!uid)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_BAD_DATA),
                           "stored bridge key %s has %d User IDs",
                           b->fpr, n);
      goto leave;
    }
  b->uid = pgp_uid_escape (uid->body, uid->bodylen);
  if (!b->uid)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  err = pgp_uid_certified_by (b->cert, uid, ca->cert, judge_time (ca, uid),
                              NULL);
  b->active = !err;
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    err = 0;

 leave:
  if (err)
    ca_bridge_release (b);
  else
    *r_b = b;
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_bridges_get (ca_t *ca, const char *email, ca_bridge_t **r_list)
{
  gpg_error_t err;
  db_bridge_t *rows = NULL, *row;
  ca_bridge_t *list = NULL, **tail = &list, *b;

  *r_list = NULL;
  if (email)
    err = db_bridge_get (ca->db, email, &rows);
  else
    err = db_bridge_list (ca->db, &rows);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    return ca_set_errmsg (err, "no bridge to %s", email);
  if (err)
    return ca_db_errmsg (ca, err, "reading the bridges");
  for (row = rows; row; row = row->next)
    {
      err = bridge_from_row (ca, row, &b);
      if (err)
        break;
      *tail = b;
      tail = &b->next;
    }
  db_bridge_release (rows);
  if (err)
    ca_bridge_release (list);
  else
    *r_list = list;
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_bridge_revoke (ca_t *ca, const char *email, char **r_armor)
{
  gpg_error_t err;
  db_bridge_t *row = NULL;
  ca_bridge_t *b = NULL;
  pgp_uid_t *uid;
  pgp_signer_t signer;
  pgp_sig_t *sig, *rev;
  uint32_t created;
  char *pub = NULL;
  int n;

  *r_armor = NULL;
  err = db_bridge_get (ca->db, email, &row);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    return ca_set_errmsg (err, "no bridge to %s", email);
  if (err)
    return ca_db_errmsg (ca, err, "reading the bridges");
  err = bridge_from_row (ca, row, &b);
  if (err)
    goto leave;
  if (!b->active)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                           "the bridge to %s has no valid trust signature "
                           "to revoke", email);
      goto leave;
    }
  uid = the_uid (b->cert, &n);

  /* Newer than every signature of ours on the User ID: a revocation
   * takes back what was made before it (see judge_time).  A trust
   * signature made this very second: wait for the next one rather
   * than date the revocation ahead, since Sequoia ignores a signature
   * from after the time it judges at (at most a second; a signature
   * further ahead, a clock that went back, is outdated by one).  */
  created = (uint32_t)time (NULL);
  for (sig = uid->sigs; sig; sig = sig->next)
    if (sig->has_issuer_fpr && !memcmp (sig->issuer_fpr,
                                        ca->cert->primary->fpr, 20)
        && sig->created >= created)
      created = sig->created + 1;
  while (created - (uint32_t)time (NULL) == 1)
    {
      struct timespec ts = { 0, 50 * 1000 * 1000 };

      nanosleep (&ts, NULL);
    }

  err = ca->backend->ops->certifier (ca->backend, &signer);
  if (err)
    goto leave;
  err = pgp_cert_revoke_uid (b->cert, uid, &signer, PGP_REVOC_UNSPECIFIED,
                             BRIDGE_REVOKE_TEXT, created, &rev);
  if (err)
    {
      if (!ca_errmsg_for (err))
        ca_set_errmsg (err, "error making the revocation: %s",
                       gpg_strerror (err));
      goto leave;
    }
  err = ca_armor_public (b->cert, &pub);
  if (err)
    goto leave;
  err = db_cert_update (ca->db, row->cert_id, pub);
  if (err)
    {
      ca_db_errmsg (ca, err, "storing the bridge");
      goto leave;
    }
  err = ca_record_sig (ca, row->cert_id, b->fpr, uid->name, rev, ca->fpr,
                       DB_CERTIFICATION_REVOCATION);
  if (!err)
    err = pgp_sig_armor (rev, 0, PGP_ARMOR_SIGNATURE, NULL, r_armor);

 leave:
  xfree (pub);
  ca_bridge_release (b);
  db_bridge_release (row);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_bridge_armor (const ca_bridge_t *bridge, char **r_text)
{
  gpg_error_t err;

  err = ca_armor_public (bridge->cert, r_text);
  if (err)
    ca_set_errmsg (err, "error exporting the bridge to %s: %s",
                   bridge->email, gpg_strerror (err));
  return err;
}
