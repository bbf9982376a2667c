/* ca-certify.c - the CA's certification policy and its audit record
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Policy (spec 3.3/3.4).  The CA certifies a User ID of a user's
 * certificate iff
 *   - its normalised (lowercased) email is one the admin listed with
 *     -e, or, for a bulk import, its domain is the CA's domain;
 *   - it is bound to the key by a good self-signature (so the CA never
 *     vouches for a User ID the key holder did not claim), and that
 *     binding is not revoked by a newer good self-revocation;
 *   - it carries no good certification by the CA yet (no duplicates;
 *     a forged one naming the CA does not count).
 * Each certification is a 0x10 signature by the CA primary key with a
 * Signer's User ID subpacket naming the CA and no expiration.
 */
#include <config.h>
#include "ca.h"

#include <string.h>


/* Release a list of made signatures.  */
void
ca_made_sig_release (ca_made_sig_t *list)
{
  while (list)
    {
      ca_made_sig_t *next = list->next;

      xfree (list->uid);
      xfree (list->sig_b64);
      xfree (list);
      list = next;
    }
}


/* Whether SIG on UID of CERT was made by CERT's primary key.  */
static int
is_self_sig (const pgp_cert_t *cert, const pgp_sig_t *sig)
{
  if (sig->has_issuer_fpr)
    return !memcmp (sig->issuer_fpr, cert->primary->fpr, 20);
  return sig->has_issuer && !memcmp (sig->issuer, cert->primary->keyid, 8);
}


/* Whether UID is bound to CERT by a good self-signature that is not
 * revoked by a newer good self-revocation.  Only the self-signatures
 * of UID are verified (not the whole certificate: the bulk import is
 * about speed); their STATUS is set.  */
static int
uid_is_bound (const pgp_cert_t *cert, const pgp_uid_t *uid)
{
  pgp_sig_t *sig;
  uint32_t bound = 0, revoked = 0;
  int have = 0, binding, revocation;

  for (sig = uid->sigs; sig; sig = sig->next)
    {
      binding = (sig->sigclass >= PGP_SIG_GENERIC_CERT
                 && sig->sigclass <= PGP_SIG_POSITIVE_CERT);
      revocation = sig->sigclass == PGP_SIG_CERT_REVOKE;
      if (sig->version != 4 || !(binding || revocation)
          || !is_self_sig (cert, sig))
        continue;
      if (sig->status == PGP_SIGSTAT_UNCHECKED)
        sig->status = pgp_sig_verify (cert, uid, NULL, sig,
                                      cert->primary->pk)
          ? PGP_SIGSTAT_BAD : PGP_SIGSTAT_GOOD;
      if (sig->status != PGP_SIGSTAT_GOOD)
        continue;
      if (binding)
        {
          have = 1;
          if (sig->created >= bound)
            bound = sig->created;
        }
      else if (sig->created >= revoked)
        revoked = sig->created;
    }
  return have && !(revoked && revoked >= bound);
}


/* Whether SIG names the key with fingerprint FPR as its issuer.  */
static int
sig_names_issuer (const pgp_sig_t *sig, const unsigned char *fpr)
{
  if (sig->has_issuer_fpr)
    return !memcmp (sig->issuer_fpr, fpr, 20);
  return sig->has_issuer && !memcmp (sig->issuer, fpr + 12, 8);
}


/* Whether UID of CERT carries a good certification by the CA, whose
 * primary key is CA_PK with fingerprint CA_FPR.  Only signatures
 * naming the CA as issuer are verified (their STATUS is set), so this
 * costs nothing for a key the CA has not certified; a forged one does
 * not count, and the CA then certifies anew.  */
static int
uid_has_ca_sig (const pgp_cert_t *cert, const pgp_uid_t *uid,
                const unsigned char *ca_fpr, const pk_key_t *ca_pk)
{
  pgp_sig_t *sig;

  if (!ca_pk)
    return pgp_uid_has_sig_by (uid, ca_fpr);
  for (sig = uid->sigs; sig; sig = sig->next)
    {
      if (sig->version != 4
          || sig->sigclass < PGP_SIG_GENERIC_CERT
          || sig->sigclass > PGP_SIG_POSITIVE_CERT
          || !sig_names_issuer (sig, ca_fpr))
        continue;
      if (sig->status == PGP_SIGSTAT_UNCHECKED)
        sig->status = pgp_sig_verify (cert, uid, NULL, sig, ca_pk)
          ? PGP_SIGSTAT_BAD : PGP_SIGSTAT_GOOD;
      if (sig->status == PGP_SIGSTAT_GOOD)
        return 1;
    }
  return 0;
}


/* Domain part of EMAIL (after the last '@').  */
static const char *
email_domain (const char *email)
{
  const char *at = strrchr (email, '@');

  return at ? at + 1 : "";
}


/* Certify the User IDs of CERT chosen by REQ.  */
gpg_error_t
ca_certify_cert (pgp_cert_t *cert, const pgp_signer_t *signer,
                 const char *ca_uid, const unsigned char *ca_fpr,
                 const char *ca_domain, const ca_certify_req_t *req,
                 ca_made_sig_t **r_made, size_t *r_nmatched,
                 char **r_unmatched)
{
  gpg_error_t err;
  pgp_uid_t *uid;
  pgp_sig_t *sig;
  char *email = NULL;
  char *unmatched = NULL;
  unsigned char *found = NULL;
  ca_made_sig_t *made = NULL, **tail = &made, *m;
  pgp_certify_opts_t opts;
  const pk_key_t *ca_pk;
  size_t nmatched = 0, i;

  *r_made = NULL;
  if (r_nmatched)
    *r_nmatched = 0;
  if (r_unmatched)
    *r_unmatched = NULL;

  if (req->nemails)
    {
      found = xtrycalloc (req->nemails, 1);
      if (!found)
        return oca_error_from_errno ();
    }

  /* The key to check existing CA certifications with (NULL: a
   * signature naming the CA is taken as one).  */
  ca_pk = !memcmp (signer->fpr, ca_fpr, 20) ? signer->pub : NULL;
  memset (&opts, 0, sizeof opts);
  opts.sigclass = PGP_SIG_GENERIC_CERT;
  opts.signer_uid = ca_uid;

  for (uid = cert->uids; uid; uid = uid->next)
    {
      int match = 0;

      if (uid->is_attribute)
        continue;
      xfree (email);
      email = NULL;
      err = pgp_uid_email (uid, &email);
      if (gpg_err_code (err) == GPG_ERR_NO_DATA)
        {
          err = 0;
          continue;
        }
      if (err)
        goto leave;

      if (req->domain_emails && !strcmp (email_domain (email), ca_domain))
        match = 1;
      for (i = 0; i < req->nemails; i++)
        if (!strcmp (email, req->emails[i]))
          {
            found[i] = 1;
            match = 1;
          }
      if (!match || !uid_is_bound (cert, uid))
        continue;
      nmatched++;
      if (uid_has_ca_sig (cert, uid, ca_fpr, ca_pk))
        continue;

      err = pgp_cert_certify_uid (cert, uid, signer, &opts, &sig);
      if (err)
        goto leave;
      m = xtrycalloc (1, sizeof *m);
      if (!m)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      *tail = m;
      tail = &m->next;
      m->created = sig->created;
      m->uid = xtrystrdup (uid->name);
      if (!m->uid)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      err = ca_base64 (sig->raw, sig->rawlen, &m->sig_b64);
      if (err)
        goto leave;
    }

  if (r_unmatched)
    {
      membuf_t mb;
      size_t dummy;

      membuf_init (&mb, 1024 * 1024, 0);
      for (i = 0; i < req->nemails; i++)
        if (!found[i])
          {
            if (membuf_len (&mb))
              membuf_put_str (&mb, ", ");
            membuf_put_str (&mb, req->emails[i]);
          }
      if (membuf_len (&mb))
        {
          err = membuf_take (&mb, (unsigned char **)&unmatched, &dummy);
          if (err)
            goto leave;
        }
      membuf_release (&mb);
    }

  *r_made = made;
  made = NULL;
  if (r_nmatched)
    *r_nmatched = nmatched;
  if (r_unmatched)
    {
      *r_unmatched = unmatched;
      unmatched = NULL;
    }

 leave:
  ca_made_sig_release (made);
  xfree (unmatched);
  xfree (found);
  xfree (email);
  return err;
}


/* Record the certifications MADE on TARGET_FPR.  */
gpg_error_t
ca_record_certifications (ca_t *ca, int64_t cert_id, const char *target_fpr,
                          const ca_made_sig_t *made)
{
  gpg_error_t err;
  db_certification_t rec;

  for (; made; made = made->next)
    {
      memset (&rec, 0, sizeof rec);
      rec.cert_id = cert_id;
      rec.target_fpr = (char *)target_fpr;
      rec.user_id = made->uid;
      rec.created = made->created;
      rec.signature = made->sig_b64;
      rec.issuer_fpr = ca->fpr;
      rec.kind = DB_CERTIFICATION_CERT;
      err = db_certification_insert (ca->db, &rec, NULL);
      if (err)
        return ca_set_errmsg (err, "error recording a certification: %s",
                              db_errmsg (ca->db));
    }
  return 0;
}


/* Record one signature SIG.  */
gpg_error_t
ca_record_sig (ca_t *ca, int64_t cert_id, const char *target_fpr,
               const char *uid, const pgp_sig_t *sig, const char *issuer_fpr,
               db_certification_kind_t kind)
{
  gpg_error_t err;
  db_certification_t rec;
  char *b64 = NULL;

  err = ca_base64 (sig->raw, sig->rawlen, &b64);
  if (err)
    return err;
  memset (&rec, 0, sizeof rec);
  rec.cert_id = cert_id;
  rec.target_fpr = (char *)target_fpr;
  rec.user_id = (char *)uid;
  rec.created = sig->created;
  rec.signature = b64;
  rec.issuer_fpr = (char *)issuer_fpr;
  rec.kind = kind;
  err = db_certification_insert (ca->db, &rec, NULL);
  if (err)
    ca_set_errmsg (err, "error recording a signature: %s",
                   db_errmsg (ca->db));
  xfree (b64);
  return err;
}


/* The name part of a User ID ("Name <a@b>" -> "Name"), or NULL.  */
static char *
uid_name_part (const char *uid)
{
  const char *lt = strchr (uid, '<');
  size_t n;
  char *s;

  if (!lt)
    return strchr (uid, '@') ? NULL : xtrystrdup (uid);
  n = lt - uid;
  while (n && (uid[n - 1] == ' ' || uid[n - 1] == '\t'))
    n--;
  if (!n)
    return NULL;
  s = xtrymalloc (n + 1);
  if (s)
    {
      memcpy (s, uid, n);
      s[n] = 0;
    }
  return s;
}


/* The single distinct name across the User IDs of CERT (xfree), or
 * NULL if there is none or more than one.  */
char *
ca_cert_single_name (const pgp_cert_t *cert)
{
  const pgp_uid_t *uid;
  char *name = NULL, *n;

  for (uid = cert->uids; uid; uid = uid->next)
    {
      if (uid->is_attribute)
        continue;
      n = uid_name_part (uid->name);
      if (!n)
        continue;
      if (!name)
        name = n;
      else if (strcmp (name, n))
        {
          xfree (n);
          xfree (name);
          return NULL;
        }
      else
        xfree (n);
    }
  return name;
}
