/* ca-audit.c - `ca audit': the record of the CA's signatures, checked
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every signature the CA issues is recorded when it is made (ca-db.c:
 * when, which key and User ID, the backend and the card with its
 * signature counter, the SHA-256 of the packet).  The audit
 *
 *   1. re-verifies each recorded signature against the key that made
 *      it and the certificate it certifies, and checks that the stored
 *      certificate still carries it;
 *   2. looks at every certification by the CA key on the stored user
 *      certificates (those imported, updated or merged since included)
 *      and reports those that verify but are not in the record: the CA
 *      key was used outside oca (a copy of a softkey, a card used by
 *      another program);
 *   3. follows each card's signature counter (DO 93) through the
 *      record: oca certifies with the AUT slot, which the counter does
 *      not count, and records its own SIG slot signatures (kind
 *      "signature": keylist export), so any other change between two
 *      records is a signature (PSO:CDS with the SIG slot) that oca did
 *      not make, or a reset.
 *
 * Read-only: nothing is written.
 */
#include <config.h>
#include "ca-int.h"

#include <string.h>


/* The last stored certificate parsed (records come grouped by
 * certificate more often than not).  */
typedef struct cert_cache
{
  char fpr[41];
  pgp_cert_t *cert;            /* NULL: not stored.  */
  int bad;                     /* Stored, but does not parse.  */
} cert_cache_t;


/* The certificate FPR: the CA's or a stored one (through CACHE).  Sets
 * *R_WHY if there is none.  */
static gpg_error_t
get_cert (ca_t *ca, cert_cache_t *cache, const char *fpr,
          const pgp_cert_t **r_cert, const char **r_why)
{
  gpg_error_t err;
  db_cert_t *row = NULL;

  *r_cert = NULL;
  if (!strcmp (fpr, ca->fpr))
    {
      *r_cert = ca->cert;
      return 0;
    }
  if (strcmp (cache->fpr, fpr))
    {
      pgp_cert_release (cache->cert);
      cache->cert = NULL;
      cache->bad = 0;
      snprintf (cache->fpr, sizeof cache->fpr, "%s", fpr);
      err = db_cert_get (ca->db, fpr, &row);
      if (!err)
        {
          if (ca_parse_stored_cert (row->pub_cert, row->fingerprint,
                                    &cache->cert))
            cache->bad = 1;
          db_cert_release (row);
        }
      else if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
        {
          cache->fpr[0] = 0;
          return ca_db_errmsg (ca, err, "reading the database");
        }
    }
  if (cache->bad)
    *r_why = "the stored certificate does not parse";
  else if (!cache->cert)
    *r_why = "the certificate is not stored";
  *r_cert = cache->cert;
  return 0;
}


/* The signature recorded as base64 B64, parsed into *R_SIG.  */
static gpg_error_t
parse_recorded_sig (const char *b64, pgp_sig_t **r_sig)
{
  gpg_error_t err;
  char *armor;

  *r_sig = NULL;
  armor = gpgrt_bsprintf ("-----BEGIN PGP SIGNATURE-----\n\n%s\n"
                          "-----END PGP SIGNATURE-----\n", b64);
  if (!armor)
    return oca_error_from_errno ();
  err = pgp_read_sigs (armor, strlen (armor), r_sig);
  gpgrt_free (armor);
  if (!err && (*r_sig)->next)
    {
      pgp_sig_release (*r_sig);
      *r_sig = NULL;
      err = gpg_error (GPG_ERR_INV_PACKET);
    }
  return err;
}


/* Whether LIST holds a signature with the bytes of SIG.  */
static int
has_sig (const pgp_sig_t *list, const pgp_sig_t *sig)
{
  for (; list; list = list->next)
    if (list->rawlen == sig->rawlen
        && !memcmp (list->raw, sig->raw, sig->rawlen))
      return 1;
  return 0;
}


/* Re-verify the record REC into E (status, why, hash).  */
static gpg_error_t
check_record (ca_t *ca, cert_cache_t *cache, const db_certification_t *rec,
              ca_audit_entry_t *e, char hash[65])
{
  gpg_error_t err;
  pgp_sig_t *sig = NULL;
  const pgp_cert_t *target = NULL, *issuer = NULL;
  const pgp_uid_t *uid = NULL;
  const pk_key_t *ipk;
  const char *why = NULL;
  unsigned char ifpr[20];

  e->status = CA_AUDIT_BAD;
  hash[0] = 0;
  if (parse_recorded_sig (rec->signature, &sig))
    {
      e->why = "the recorded signature does not parse";
      return 0;
    }
  ca_sig_hash (sig, hash);
  if (rec->sig_hash && strcmp (rec->sig_hash, hash))
    {
      e->why = "the recorded hash is not the signature's";
      goto leave;
    }
  if (sig->version != 4 || (int64_t)sig->created != rec->created)
    {
      e->why = "the recorded time is not the signature's";
      goto leave;
    }
  if (strlen (rec->issuer_fpr) != 40
      || oca_hex2bin (rec->issuer_fpr, ifpr, 20)
      || !(sig->has_issuer_fpr ? !memcmp (sig->issuer_fpr, ifpr, 20)
           : sig->has_issuer && !memcmp (sig->issuer, ifpr + 12, 8)))
    {
      e->why = "the recorded issuer did not make the signature";
      goto leave;
    }

  /* A document signed by the CA's signing subkey: the document is not
   * kept, so only the signature's own fields are checked.  */
  if (rec->kind == DB_CERTIFICATION_SIGNATURE)
    {
      if (!pgp_cert_find_key (ca->cert, ifpr)
          || !strcmp (rec->issuer_fpr, ca->fpr))
        {
          e->why = "not made by a signing subkey of the CA";
          goto leave;
        }
      e->status = CA_AUDIT_GOOD;
      e->why = "a document signature (the document is not kept)";
      goto leave;
    }

  /* The issuer's key: the CA's, or a user's (trust signatures).  */
  if (!strcmp (rec->issuer_fpr, ca->fpr))
    issuer = ca->cert;
  else
    {
      err = get_cert (ca, cache, rec->issuer_fpr, &issuer, &why);
      if (err)
        goto fail;
      if (!issuer)
        goto absent;
      /* The cache now holds the issuer; the target is the CA.  */
    }
  ipk = issuer->primary->pk;
  if (!strcmp (rec->target_fpr, ca->fpr))
    target = ca->cert;
  else if (issuer == ca->cert)
    {
      err = get_cert (ca, cache, rec->target_fpr, &target, &why);
      if (err)
        goto fail;
      if (!target)
        goto absent;
    }
  else
    {
      e->why = "a user's signature on another key than the CA's";
      goto leave;
    }

  if (rec->user_id)
    {
      uid = pgp_cert_find_uid (target, rec->user_id);
      if (!uid)
        {
          why = "the User ID is not on the stored certificate";
          goto absent;
        }
    }
  if (pgp_sig_verify (target, uid, NULL, sig, ipk))
    {
      e->why = "the signature does not verify";
      goto leave;
    }
  if (!has_sig (uid ? uid->sigs : target->primary->sigs, sig))
    {
      why = "the stored certificate does not carry it";
      goto absent;
    }
  e->status = CA_AUDIT_GOOD;
  e->why = NULL;
  goto leave;

 absent:
  e->status = CA_AUDIT_ABSENT;
  e->why = why;
 leave:
  err = 0;
 fail:
  pgp_sig_release (sig);
  return err;
}


/* Whether SIG is a certification or certification revocation that
 * claims to be made by the key with fingerprint FPR.  */
static int
claims_ca (const pgp_sig_t *sig, const unsigned char *fpr)
{
  if (sig->version != 4
      || !((sig->sigclass >= PGP_SIG_GENERIC_CERT
            && sig->sigclass <= PGP_SIG_POSITIVE_CERT)
           || sig->sigclass == PGP_SIG_CERT_REVOKE))
    return 0;
  if (sig->has_issuer_fpr)
    return !memcmp (sig->issuer_fpr, fpr, 20);
  return sig->has_issuer && !memcmp (sig->issuer, fpr + 12, 8);
}


/* Whether the record on FPR (LIST) holds the signature B64.  */
static int
recorded (const db_certification_t *list, const char *b64)
{
  for (; list; list = list->next)
    if (!strcmp (list->signature, b64))
      return 1;
  return 0;
}


/* Pass 2: the certifications by the CA key on the stored certificates
 * (for EMAIL) that the record lacks.  */
static gpg_error_t
find_unlogged (ca_t *ca, uint32_t since, const char *email,
               void (*fn) (void *, const ca_audit_entry_t *), void *opaque,
               ca_audit_stats_t *st)
{
  gpg_error_t err;
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;
  db_certification_t *list = NULL;
  const pgp_uid_t *uid;
  const pgp_sig_t *sig;
  const unsigned char *cafpr = ca->cert->primary->fpr;
  ca_audit_entry_t e;
  char hash[65], *b64 = NULL;

  err = ca_users_open (ca, email, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    {
      db_certification_release (list);
      list = NULL;
      err = db_certification_list (ca->db, user->fpr, &list);
      if (err)
        {
          ca_db_errmsg (ca, err, "reading the database");
          break;
        }
      for (uid = user->cert->uids; !err && uid; uid = uid->next)
        for (sig = uid->sigs; !err && sig; sig = sig->next)
          {
            if (!claims_ca (sig, cafpr) || sig->created < since
                || pgp_sig_verify (user->cert, uid, NULL, sig,
                                   ca->cert->primary->pk))
              continue;
            xfree (b64);
            b64 = NULL;
            err = ca_base64 (sig->raw, sig->rawlen, &b64);
            if (err || recorded (list, b64))
              continue;
            ca_sig_hash (sig, hash);
            memset (&e, 0, sizeof e);
            e.what = CA_AUDIT_UNLOGGED;
            e.created = sig->created;
            e.kind = sig->sigclass == PGP_SIG_CERT_REVOKE ? "revocation"
              : "certification";
            e.issuer_fpr = ca->fpr;
            e.target_fpr = user->fpr;
            e.uid = uid->name;
            e.sigcount = e.prev_sigcount = -1;
            e.hash = hash;
            st->unlogged++;
            fn (opaque, &e);
          }
    }
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  xfree (b64);
  db_certification_release (list);
  ca_users_close (it);
  return err;
}


/* What pass 3 knows of one card.  */
typedef struct card_seen
{
  struct card_seen *next;
  char *ident;
  int64_t sigcount;
  uint32_t created;
} card_seen_t;


/* Pass 3: the cards' signature counters through the whole record.  */
static gpg_error_t
check_counters (ca_t *ca, void (*fn) (void *, const ca_audit_entry_t *),
                void *opaque, ca_audit_stats_t *st)
{
  gpg_error_t err;
  db_certification_t *rec = NULL;
  card_seen_t *cards = NULL, *c;
  int64_t after = 0;
  ca_audit_entry_t e;

  for (;;)
    {
      db_certification_release (rec);
      rec = NULL;
      err = db_certification_next (ca->db, after, 0, NULL, &rec);
      if (err)
        break;
      after = rec->id;
      if (!rec->card || rec->card_sigcount < 0)
        continue;
      for (c = cards; c; c = c->next)
        if (!strcmp (c->ident, rec->card))
          break;
      if (!c)
        {
          c = xtrycalloc (1, sizeof *c);
          if (!c || !(c->ident = xtrystrdup (rec->card)))
            {
              err = oca_error_from_errno ();
              xfree (c);
              break;
            }
          c->next = cards;
          cards = c;
        }
      else if (rec->card_sigcount
               != c->sigcount + (rec->kind == DB_CERTIFICATION_SIGNATURE))
        {
          memset (&e, 0, sizeof e);
          e.what = CA_AUDIT_COUNTER;
          e.card = c->ident;
          e.prev_sigcount = c->sigcount;
          e.sigcount = rec->card_sigcount;
          e.prev_created = c->created;
          e.created = (uint32_t)rec->created;
          st->counter_jumps++;
          fn (opaque, &e);
        }
      c->sigcount = rec->card_sigcount;
      c->created = (uint32_t)rec->created;
    }
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  else if (err && !ca_errmsg ())
    ca_db_errmsg (ca, err, "reading the audit record");
  db_certification_release (rec);
  while (cards)
    {
      c = cards->next;
      xfree (cards->ident);
      xfree (cards);
      cards = c;
    }
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_audit (ca_t *ca, uint32_t since, const char *email,
          void (*fn) (void *opaque, const ca_audit_entry_t *e),
          void *opaque, ca_audit_stats_t *r_stats)
{
  gpg_error_t err;
  db_certification_t *rec = NULL;
  cert_cache_t cache;
  ca_audit_entry_t e;
  int64_t after = 0;
  char hash[65];

  memset (r_stats, 0, sizeof *r_stats);
  memset (&cache, 0, sizeof cache);
  for (;;)
    {
      db_certification_release (rec);
      rec = NULL;
      err = db_certification_next (ca->db, after, since, email, &rec);
      if (gpg_err_code (err) == GPG_ERR_EOF)
        {
          err = 0;
          break;
        }
      if (err)
        {
          ca_db_errmsg (ca, err, "reading the audit record");
          goto leave;
        }
      after = rec->id;
      memset (&e, 0, sizeof e);
      e.what = CA_AUDIT_RECORD;
      e.id = rec->id;
      e.created = (uint32_t)rec->created;
      e.kind = db_certification_kind_str (rec->kind);
      e.issuer_fpr = rec->issuer_fpr;
      e.target_fpr = rec->target_fpr;
      e.uid = rec->user_id;
      e.backend = rec->backend;
      e.card = rec->card;
      e.sigcount = rec->card_sigcount;
      e.prev_sigcount = -1;
      err = check_record (ca, &cache, rec, &e, hash);
      if (err)
        goto leave;
      e.hash = hash[0] ? hash : rec->sig_hash;
      r_stats->records++;
      if (e.status == CA_AUDIT_BAD)
        r_stats->bad++;
      else if (e.status == CA_AUDIT_ABSENT)
        r_stats->absent++;
      fn (opaque, &e);
    }
  err = find_unlogged (ca, since, email, fn, opaque, r_stats);
  if (!err)
    err = check_counters (ca, fn, opaque, r_stats);

 leave:
  db_certification_release (rec);
  pgp_cert_release (cache.cert);
  return err;
}
