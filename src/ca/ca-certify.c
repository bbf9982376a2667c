/* ca-certify.c - the CA's certification policy
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Policy (spec 3.3/3.4).  The CA certifies a User ID of a user's
 * certificate iff
 *   - it passes the strict User ID rule (pgp_uid_parse): exactly one
 *     address that GnuPG and Sequoia both find, nothing else that
 *     looks like one, no control, invisible or invalid UTF-8 bytes;
 *   - that address (ASCII letters lowercased) is one the admin listed
 *     with -e, or, for a bulk import, its domain is byte for byte the
 *     CA's domain (case-insensitively);
 *   - it is bound to the key by a good self-signature (so the CA never
 *     vouches for a User ID the key holder did not claim), and that
 *     binding is not revoked by a newer good self-revocation;
 *   - it carries no good certification by the CA yet (no duplicates;
 *     a forged one naming the CA does not count), and no identical
 *     User ID of the same key was certified before it: identical
 *     copies are one User ID to GnuPG and Sequoia.
 * User IDs that fail the rule or the binding and mention a requested
 * address (or, for a bulk import, the CA's domain) - those a GnuPG
 * substring search would find - are returned as refused, for a warning.
 * Each certification is a 0x10 signature by the CA primary key with a
 * Signer's User ID subpacket naming the CA and, if the policy gives a
 * lifetime, an expiration.  A renewal (policy->renew) selects the User
 * IDs that carry a good CA certification the CA has not revoked, and
 * certifies those whose CA certifications all expire by
 * policy->renew_until.
 */
#include <config.h>
#include "ca-int.h"

#include <stdio.h>
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


/* See ca-int.h.  Only the self-signatures of UID are verified (not the
 * whole certificate: the bulk import is about speed).  */
const char *
ca_uid_binding_problem (const pgp_cert_t *cert, const pgp_uid_t *uid)
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
  if (!have)
    return "no valid self-signature binds it to the key";
  if (revoked && revoked >= bound)
    return "revoked by its owner";
  return NULL;
}


/* Whether SIG names the key with fingerprint FPR as its issuer.  */
static int
sig_names_issuer (const pgp_sig_t *sig, const unsigned char *fpr)
{
  if (sig->has_issuer_fpr)
    return !memcmp (sig->issuer_fpr, fpr, 20);
  return sig->has_issuer && !memcmp (sig->issuer, fpr + 12, 8);
}


/* What the CA said about UID of CERT: its good certifications
 * (*R_HAVE, and *R_EXPIRES the latest expiration among them, 0 if one
 * never expires) and whether a good certification revocation by the CA
 * is as new as the newest of them (*R_REVOKED).  The CA's primary key
 * is CA_PK with fingerprint CA_FPR.  Only signatures naming the CA as
 * issuer are verified (their STATUS is set), so this costs nothing
 * for a key the CA has not certified; a forged one does not count.
 * Without CA_PK a signature naming the CA is taken as a certification
 * that never expires.  */
static void
uid_ca_state (const pgp_cert_t *cert, const pgp_uid_t *uid,
              const unsigned char *ca_fpr, const pk_key_t *ca_pk,
              int *r_have, uint32_t *r_expires, int *r_revoked)
{
  pgp_sig_t *sig;
  uint32_t newest = 0, newest_rev = 0, exp, latest = 0;
  int have = 0, forever = 0, rev = 0, cert_sig;

  *r_have = *r_revoked = 0;
  *r_expires = 0;
  if (!ca_pk)
    {
      *r_have = pgp_uid_has_sig_by (uid, ca_fpr);
      return;
    }
  for (sig = uid->sigs; sig; sig = sig->next)
    {
      cert_sig = (sig->sigclass >= PGP_SIG_GENERIC_CERT
                  && sig->sigclass <= PGP_SIG_POSITIVE_CERT);
      if (sig->version != 4
          || !(cert_sig || sig->sigclass == PGP_SIG_CERT_REVOKE)
          || !sig_names_issuer (sig, ca_fpr))
        continue;
      if (sig->status == PGP_SIGSTAT_UNCHECKED)
        sig->status = pgp_sig_verify (cert, uid, NULL, sig, ca_pk)
          ? PGP_SIGSTAT_BAD : PGP_SIGSTAT_GOOD;
      if (sig->status != PGP_SIGSTAT_GOOD)
        continue;
      if (!cert_sig)
        {
          rev = 1;
          if (sig->created > newest_rev)
            newest_rev = sig->created;
          continue;
        }
      have = 1;
      if (sig->created > newest)
        newest = sig->created;
      exp = pgp_sig_expires (sig);
      if (!exp)
        forever = 1;
      else if (exp > latest)
        latest = exp;
    }
  *r_have = have;
  *r_expires = forever ? 0 : latest;
  *r_revoked = have && rev && newest_rev >= newest;
}


/* Whether UID of CERT carries a good certification by the CA that is
 * valid after UNTIL (0: any good one; see uid_ca_state).  */
static int
uid_has_ca_sig (const pgp_cert_t *cert, const pgp_uid_t *uid,
                const unsigned char *ca_fpr, const pk_key_t *ca_pk,
                uint32_t until)
{
  int have, revoked;
  uint32_t expires;

  uid_ca_state (cert, uid, ca_fpr, ca_pk, &have, &expires, &revoked);
  return have && (!until || !expires || expires > until);
}


/* Whether BUF/LEN contains NEEDLE, ignoring the case of ASCII letters
 * (as GnuPG's substring search does).  */
static int
mem_has_ascii_case (const unsigned char *buf, size_t len, const char *needle)
{
  size_t n = strlen (needle), i, k;

  if (!n || n > len)
    return 0;
  for (i = 0; i + n <= len; i++)
    {
      for (k = 0; k < n; k++)
        {
          unsigned char x = buf[i + k], y = needle[k];

          if (x >= 'A' && x <= 'Z')
            x += 32;
          if (y >= 'A' && y <= 'Z')
            y += 32;
          if (x != y)
            break;
        }
      if (k == n)
        return 1;
    }
  return 0;
}


/* Whether a refused UID concerns POLICY: it mentions a requested address
 * (which FOUND then marks: its warning is the refusal) or, for a bulk
 * import, CA_DOMAIN.  */
static int
uid_concerns (const pgp_uid_t *uid, const ca_policy_t *policy,
              const char *ca_domain, unsigned char *found)
{
  size_t i;
  int yes = 0;

  if (policy->domain_emails
      && mem_has_ascii_case (uid->body, uid->bodylen, ca_domain))
    yes = 1;
  for (i = 0; i < policy->nemails; i++)
    if (mem_has_ascii_case (uid->body, uid->bodylen, policy->emails[i]))
      found[i] = yes = 1;
  return yes;
}


/* Whether the domain of EMAIL (lowercased) is CA_DOMAIN.  */
static int
in_domain (const char *email, const char *ca_domain)
{
  const char *at = strchr (email, '@');
  size_t i;

  if (!at)
    return 0;
  for (i = 0, at++; at[i] && ca_domain[i]; i++)
    {
      char c = ca_domain[i];

      if (c >= 'A' && c <= 'Z')
        c += 32;
      if (at[i] != c)
        return 0;
    }
  return !at[i] && !ca_domain[i];
}


/* Release the contents of RES and clear it.  */
void
ca_certify_result_release (ca_certify_result_t *res)
{
  size_t i;

  if (!res)
    return;
  ca_made_sig_release (res->made);
  for (i = 0; i < res->nemails; i++)
    xfree (res->emails[i]);
  xfree (res->emails);
  xfree (res->unmatched);
  while (res->refused)
    {
      ca_refused_t *next = res->refused->next;

      xfree (res->refused->uid);
      xfree (res->refused);
      res->refused = next;
    }
  xfree (res->name);
  memset (res, 0, sizeof *res);
}


/* The warning for REFUSED on the key FPR.  */
char *
ca_refused_line (const char *fpr, const ca_refused_t *refused)
{
  return gpgrt_bsprintf ("Warning: not certifying User ID '%s' of %s: %s",
                         refused->uid, fpr, refused->why);
}


/* What happened to one distinct User ID.  */
enum uid_state { UID_IGNORED = 0, UID_MATCHED, UID_REFUSED };

typedef struct
{
  const pgp_uid_t *uid;
  enum uid_state state;
  const char *why;             /* For UID_REFUSED.  */
  int unbound;                 /* Refused for its binding only.  */
} seen_uid_t;


/* Certify UID of CERT unless it already carries a CA certification;
 * append to *TAIL.  */
static gpg_error_t
certify_one (pgp_cert_t *cert, pgp_uid_t *uid, const pgp_signer_t *signer,
             const unsigned char *ca_fpr, const pk_key_t *ca_pk,
             const pgp_certify_opts_t *opts, uint32_t until,
             ca_made_sig_t ***tail)
{
  gpg_error_t err;
  pgp_sig_t *sig;

  if (uid_has_ca_sig (cert, uid, ca_fpr, ca_pk, until))
    return 0;
  ca_signed_by_reset ();
  if (!signer->sign)
    {
      /* No key (a split front): only which User IDs.  */
      ca_made_sig_t *m = xtrycalloc (1, sizeof *m);
      if (!m)
        return oca_error_from_errno ();
      **tail = m;
      *tail = &m->next;
      m->uid = xtrystrdup (uid->name);
      return m->uid ? 0 : oca_error_from_errno ();
    }
  err = pgp_cert_certify_uid (cert, uid, signer, opts, &sig);
  if (err)
    return err;
  return ca_made_sig_append (tail, uid, sig);
}


/* See ca-int.h.  */
gpg_error_t
ca_made_sig_append (ca_made_sig_t ***tail, const pgp_uid_t *uid,
                    const pgp_sig_t *sig)
{
  ca_made_sig_t *m;
  const char *card = ca_signed_by ();

  m = xtrycalloc (1, sizeof *m);
  if (!m)
    return oca_error_from_errno ();
  **tail = m;
  *tail = &m->next;
  m->created = sig->created;
  ca_sig_hash (sig, m->hash);
  if (card)
    snprintf (m->card, sizeof m->card, "%s", card);
  m->uid = xtrystrdup (uid->name);
  if (!m->uid)
    return oca_error_from_errno ();
  return ca_base64 (sig->raw, sig->rawlen, &m->sig_b64);
}


/* See ca-int.h (the User IDs `ca re-certify' carries over to the
 * current key; ca_certify_cert with policy->recertify_old).  */
gpg_error_t
ca_recertify_uids (pgp_cert_t *cert, const pgp_signer_t *signer,
                   const char *ca_uid, const ca_policy_t *policy,
                   ca_certify_result_t *res)
{
  gpg_error_t err;
  pgp_uid_t *uid;
  pgp_certify_opts_t opts;
  pgp_sig_t *sig;
  ca_made_sig_t **tail = &res->made;
  uint32_t now = policy->recertify_now;

  memset (&opts, 0, sizeof opts);
  opts.sigclass = PGP_SIG_GENERIC_CERT;
  opts.signer_uid = ca_uid;
  opts.created = now;
  opts.validity = policy->validity;
  for (uid = cert->uids; uid; uid = uid->next)
    {
      if (uid->is_attribute
          || pgp_uid_certified_by (cert, uid, policy->recertify_old, now,
                                   NULL)
          || !pgp_uid_certified_by (cert, uid, policy->recertify_cur, now,
                                    NULL)
          || ca_uid_binding_problem (cert, uid))
        continue;
      res->nmatched++;
      if (!signer->sign)
        {
          /* A split front: only which User IDs (queued).  */
          ca_made_sig_t *m = xtrycalloc (1, sizeof *m);

          if (!m)
            return oca_error_from_errno ();
          *tail = m;
          tail = &m->next;
          m->uid = xtrystrdup (uid->name);
          if (!m->uid)
            return oca_error_from_errno ();
          continue;
        }
      ca_signed_by_reset ();
      err = pgp_cert_certify_uid (cert, uid, signer, &opts, &sig);
      if (!err)
        err = ca_made_sig_append (&tail, uid, sig);
      if (err)
        return err;
    }
  return 0;
}


/* See ca-int.h.  */
gpg_error_t
ca_certify_cert (pgp_cert_t *cert, const pgp_signer_t *signer,
                 const char *ca_uid, const unsigned char *ca_fpr,
                 const char *ca_domain, const ca_policy_t *policy,
                 ca_certify_result_t *res)
{
  gpg_error_t err = 0;
  pgp_uid_t *uid;
  char *email = NULL, *uname = NULL, *name = NULL;
  const char *why, *binding;
  unsigned char *found = NULL;
  seen_uid_t *seen = NULL, *dup;
  size_t nseen = 0, nuids = 0, i;
  ca_made_sig_t **tail;
  ca_refused_t **rtail;
  pgp_certify_opts_t opts;
  const pk_key_t *ca_pk;
  int name_conflict = 0, match;
  enum uid_state state;

  memset (res, 0, sizeof *res);
  if (policy->recertify_old)
    return ca_recertify_uids (cert, signer, ca_uid, policy, res);
  tail = &res->made;
  for (uid = cert->uids; uid; uid = uid->next)
    nuids++;
  seen = xtrycalloc (nuids + 1, sizeof *seen);
  res->emails = xtrycalloc (nuids + 1, sizeof *res->emails);
  if (policy->nemails)
    found = xtrycalloc (policy->nemails, 1);
  if (!seen || !res->emails || (policy->nemails && !found))
    {
      err = oca_error_from_errno ();
      goto leave;
    }

  /* The key to check existing CA certifications with (NULL: a
   * signature naming the CA is taken as one).  */
  ca_pk = !memcmp (signer->fpr, ca_fpr, 20) ? signer->pub : NULL;
  memset (&opts, 0, sizeof opts);
  opts.sigclass = PGP_SIG_GENERIC_CERT;
  opts.signer_uid = ca_uid;
  opts.validity = policy->validity;

  for (uid = cert->uids; uid; uid = uid->next)
    {
      if (uid->is_attribute)
        continue;

      /* An identical User ID seen before decides, unless only its
       * binding failed (this copy may be bound).  */
      for (dup = NULL, i = 0; i < nseen; i++)
        if (seen[i].uid->bodylen == uid->bodylen
            && !memcmp (seen[i].uid->body, uid->body, uid->bodylen))
          {
            dup = &seen[i];
            break;
          }
      if (dup && !(dup->state == UID_REFUSED && dup->unbound))
        continue;

      xfree (email);
      xfree (uname);
      email = uname = NULL;
      why = binding = NULL;
      state = UID_IGNORED;
      match = 0;
      err = pgp_uid_parse (uid->body, uid->bodylen, &email, &uname, &why);
      if (gpg_err_code (err) == GPG_ERR_INV_USER_ID)
        {
          if (uid_concerns (uid, policy, ca_domain, found))
            state = UID_REFUSED;
        }
      else if (err && gpg_err_code (err) != GPG_ERR_NO_DATA)
        goto leave;
      else
        {
          if (!err)
            {
              if (policy->domain_emails && in_domain (email, ca_domain))
                match = 1;
              for (i = 0; i < policy->nemails; i++)
                if (!strcmp (email, policy->emails[i]))
                  {
                    found[i] = 1;
                    match = 1;
                  }
              if (policy->renew)
                {
                  int have, revoked;
                  uint32_t expires;

                  uid_ca_state (cert, uid, ca_fpr, ca_pk, &have, &expires,
                                &revoked);
                  if (have && !revoked)
                    match = 1;
                }
              if (match && policy->nuids)
                {
                  for (i = 0; i < policy->nuids; i++)
                    if (strlen (policy->uids[i]) == uid->bodylen
                        && !memcmp (policy->uids[i], uid->body,
                                    uid->bodylen))
                      break;
                  match = i < policy->nuids;
                }
            }
          if (!policy->want_name)
            {
              xfree (uname);
              uname = NULL;
            }
          if (match || (uname && !name_conflict))
            binding = ca_uid_binding_problem (cert, uid);
          if (match)
            state = binding ? UID_REFUSED : UID_MATCHED;
          if (match && binding)
            why = binding;
          if (uname && !binding && !name_conflict)
            {
              if (!name)
                {
                  name = uname;
                  uname = NULL;
                }
              else if (strcmp (name, uname))
                name_conflict = 1;
            }
        }
      err = 0;

      if (state == UID_MATCHED)
        {
          res->nmatched++;
          for (i = 0; i < res->nemails; i++)
            if (!strcmp (res->emails[i], email))
              break;
          if (i == res->nemails)
            {
              res->emails[res->nemails++] = email;
              email = NULL;
            }
          err = certify_one (cert, uid, signer, ca_fpr, ca_pk, &opts,
                             policy->renew_until, &tail);
          if (err)
            goto leave;
        }
      if (!dup)
        dup = &seen[nseen++];
      else if (state != UID_MATCHED)
        continue;  /* Another unbound copy: one warning is enough.  */
      dup->uid = uid;
      dup->state = state;
      dup->why = why;
      dup->unbound = (state == UID_REFUSED && binding);
    }

  /* The refused User IDs, in key order.  */
  rtail = &res->refused;
  for (i = 0; i < nseen; i++)
    if (seen[i].state == UID_REFUSED)
      {
        ca_refused_t *r = xtrycalloc (1, sizeof *r);

        if (!r)
          {
            err = oca_error_from_errno ();
            goto leave;
          }
        *rtail = r;
        rtail = &r->next;
        r->why = seen[i].why;
        r->uid = pgp_uid_escape (seen[i].uid->body, seen[i].uid->bodylen);
        if (!r->uid)
          {
            err = oca_error_from_errno ();
            goto leave;
          }
      }

  if (policy->nemails)
    {
      membuf_t mb;
      size_t dummy;

      membuf_init (&mb, 1024 * 1024, 0);
      for (i = 0; i < policy->nemails; i++)
        if (!found[i])
          {
            if (membuf_len (&mb))
              membuf_put_str (&mb, ", ");
            membuf_put_str (&mb, policy->emails[i]);
          }
      if (membuf_len (&mb))
        err = membuf_take (&mb, (unsigned char **)&res->unmatched, &dummy);
      membuf_release (&mb);
      if (err)
        goto leave;
    }

  if (!name_conflict)
    {
      res->name = name;
      name = NULL;
    }

 leave:
  if (err)
    ca_certify_result_release (res);
  xfree (seen);
  xfree (found);
  xfree (email);
  xfree (uname);
  xfree (name);
  return err;
}


/* On a split front: select the User IDs of CERT that POLICY would
 * certify (*RES as ca_certify_cert fills it, without signatures) and
 * queue their certification (ca-splitqueue.c).  */
static gpg_error_t
queue_certify (ca_t *ca, pgp_cert_t *cert, const ca_policy_t *policy,
               ca_certify_result_t *res)
{
  gpg_error_t err;
  pgp_signer_t none;
  const ca_made_sig_t *m;
  const char **uids = NULL;
  size_t n = 0;

  /* No signer: the policy picks the User IDs, nothing is signed.  */
  memset (&none, 0, sizeof none);
  none.pub = ca->cert->primary->pk;
  memcpy (none.fpr, ca->cert->primary->fpr, 20);
  err = ca_certify_cert (cert, &none, ca->uid, ca->cert->primary->fpr,
                         ca->domain, policy, res);
  if (err)
    {
      if (!ca_errmsg_for (err))
        ca_set_errmsg (err, "error certifying: %s", gpg_strerror (err));
      return err;
    }
  for (m = res->made; m; m = m->next)
    n++;
  if (n)
    {
      uids = xtrycalloc (n, sizeof *uids);
      if (!uids)
        err = oca_error_from_errno ();
      for (n = 0, m = res->made; !err && m; m = m->next)
        uids[n++] = m->uid;
      if (!err)
        err = ca_split_queue_uids (ca, cert, uids, n, policy->validity);
      xfree (uids);
    }
  /* As openpgp-ca: nothing to certify, nothing queued.  The
   * certifications will come from the back (ca_split_import).  */
  ca_made_sig_release (res->made);
  res->made = NULL;
  if (err)
    ca_certify_result_release (res);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_certify (ca_t *ca, pgp_cert_t *cert, const ca_policy_t *policy,
            ca_certify_result_t *res)
{
  gpg_error_t err;
  pgp_signer_t signer;

  ca_policy_t p = *policy;

  memset (res, 0, sizeof *res);
  err = ca_check_not_expired (ca, 0);
  if (!err && !p.validity)
    err = ca_cert_lifetime (ca, &p.validity);
  if (err)
    return err;
  if (ca_split_mode (ca) == CA_SPLIT_FRONT)
    return queue_certify (ca, cert, &p, res);
  if (ca_split_mode (ca) == CA_SPLIT_BACK)
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "Unsupported operation on Split-mode backend CA");
  err = ca->backend->ops->certifier (ca->backend, &signer);
  if (err)
    return err;
  err = ca_certify_cert (cert, &signer, ca->uid, ca->cert->primary->fpr,
                         ca->domain, &p, res);
  if (err && !ca_errmsg_for (err))
    ca_set_errmsg (err, "error certifying: %s", gpg_strerror (err));
  return err;
}
