/* ca-db.c - the CA core's use of its database
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Transactions and their messages, the stored forms of certificates
 * and signatures, the CA certificate row and the audit record of the
 * signatures the CA makes.  Uses db/ and ca-msg.c only.
 */
#include <config.h>
#include "ca-int.h"

#include <string.h>


/* See ca-int.h.  */
gpg_error_t
ca_db_errmsg (ca_t *ca, gpg_error_t err, const char *doing)
{
  return ca_set_errmsg (err, "error %s: %s", doing, db_errmsg (ca->db));
}


/* Start the command's transaction.  */
gpg_error_t
ca_begin (ca_t *ca)
{
  gpg_error_t err;

  err = db_begin (ca->db);
  if (err)
    ca_set_errmsg (err, "%s", db_errmsg (ca->db));
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_begin_read (ca_t *ca)
{
  gpg_error_t err;

  err = db_begin_read (ca->db);
  if (err)
    ca_set_errmsg (err, "%s", db_errmsg (ca->db));
  return err;
}


/* See ca.h.  */
void
ca_end_read (ca_t *ca)
{
  if (ca && ca->db)
    db_rollback (ca->db);
}


/* Commit the command's transaction.  */
gpg_error_t
ca_commit (ca_t *ca)
{
  gpg_error_t err;

  err = db_commit (ca->db);
  if (err)
    return ca_db_errmsg (ca, err, "writing the database");
  ca->committed = 1;
  return 0;
}


/* Parse TEXT, the stored certificate of the row for FPR, into *R_CERT
 * and check that it is the key the row names.  Any thread: the message
 * is the calling thread's (ca-msg.c).  */
gpg_error_t
ca_parse_stored_cert (const char *text, const char *fpr, pgp_cert_t **r_cert)
{
  gpg_error_t err;
  pgp_cert_t *cert = NULL;
  char hex[41];

  *r_cert = NULL;
  err = pgp_read_cert (text, strlen (text), &cert);
  if (err)
    return ca_set_errmsg (err, "stored certificate %s is invalid: %s", fpr,
                          gpg_strerror (err));
  pgp_cert_fpr_hex (cert, hex);
  if (strcmp (hex, fpr))
    {
      pgp_cert_release (cert);
      return ca_set_errmsg (gpg_error (GPG_ERR_BAD_DATA), "stored certificate"
                            " %s is invalid: it holds the key %s", fpr, hex);
    }
  *r_cert = cert;
  return 0;
}


/* Export CERT (public parts only, exportable signatures) armored.  */
gpg_error_t
ca_armor_public (const pgp_cert_t *cert, char **r_text)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len;

  *r_text = NULL;
  err = pgp_cert_export (cert, PGP_EXPORT_ARMOR | PGP_EXPORT_NO_LOCAL,
                         &buf, &len);
  if (err)
    return err;
  *r_text = (char *)buf;
  return 0;
}


/* Store CA->cert as the active CA certificate: its public parts only
 * (a softkey's private key stays in its own row, see ca-softkey.c).  */
gpg_error_t
ca_store_cacert (ca_t *ca)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;

  err = pgp_cert_export (ca->cert, PGP_EXPORT_ARMOR, &buf, &len);
  if (err)
    return ca_set_errmsg (err, "error exporting the CA certificate: %s",
                          gpg_strerror (err));
  err = db_cacert_update_cert (ca->db, ca->cacert->id, (char *)buf);
  if (err)
    ca_db_errmsg (ca, err, "storing the CA certificate");
  xfree (buf);
  return err;
}


/* See ca-int.h.  */
gpg_error_t
ca_refresh_cacert (ca_t *ca)
{
  gpg_error_t err;
  db_cacert_t *row = NULL;
  pgp_cert_t *stored = NULL;

  if (!db_in_transaction (ca->db))
    return gpg_error (GPG_ERR_INV_STATE);
  err = db_cacert_get_active (ca->db, &row);
  if (err)
    return ca_db_errmsg (ca, err, "reading the CA certificate");
  if (row->id != ca->cacert->id)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT), "the CA "
                           "certificate was replaced meanwhile; try again");
      goto leave;
    }
  err = pgp_read_cert (row->priv_cert, strlen (row->priv_cert), &stored);
  if (!err)
    err = pgp_cert_merge (ca->cert, stored, NULL);
  if (err)
    ca_set_errmsg (err, "error reading the stored CA certificate: %s",
                   gpg_strerror (err));

 leave:
  pgp_cert_release (stored);
  db_cacert_release (row);
  return err;
}


/* What made the CA's signatures: fill the backend, card and counter
 * fields of REC (ISSUER_FPR: who signed; SIGNED_BY: the card that made
 * it if known).  */
static void
fill_origin (ca_t *ca, db_certification_t *rec, const char *issuer_fpr,
             const char *signed_by)
{
  const char *ident = NULL;
  int64_t count = -1;

  unsigned char fpr[20];

  rec->card_sigcount = -1;
  if (!ca->backend || strlen (issuer_fpr) != 40
      || oca_hex2bin (issuer_fpr, fpr, 20)
      || !pgp_cert_find_key (ca->cert, fpr))
    return;  /* A user's trust signature on the CA.  */
  rec->backend = (char *)ca->backend->ops->type;
  if (ca->backend->ops->card_state)
    ca->backend->ops->card_state (ca->backend, signed_by, &ident, &count);
  rec->card = (char *)ident;
  rec->card_sigcount = ident ? count : -1;
}


/* See ca-int.h.  */
void
ca_certification_rec (ca_t *ca, int64_t cert_id, const char *target_fpr,
                      const ca_made_sig_t *made, db_certification_t *rec)
{
  memset (rec, 0, sizeof *rec);
  fill_origin (ca, rec, ca->fpr, *made->card ? made->card : NULL);
  rec->sig_hash = (char *)made->hash;
  rec->cert_id = cert_id;
  rec->target_fpr = (char *)target_fpr;
  rec->user_id = made->uid;
  rec->created = made->created;
  rec->signature = made->sig_b64;
  rec->issuer_fpr = ca->fpr;
  rec->kind = DB_CERTIFICATION_CERT;
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
      ca_certification_rec (ca, cert_id, target_fpr, made, &rec);
      err = db_certification_insert (ca->db, &rec, NULL);
      if (err)
        return ca_db_errmsg (ca, err, "recording a certification");
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
  char hash[65];

  err = ca_base64 (sig->raw, sig->rawlen, &b64);
  if (err)
    return err;
  memset (&rec, 0, sizeof rec);
  fill_origin (ca, &rec, issuer_fpr, NULL);
  ca_sig_hash (sig, hash);
  rec.sig_hash = hash;
  rec.cert_id = cert_id;
  rec.target_fpr = (char *)target_fpr;
  rec.user_id = (char *)uid;
  rec.created = sig->created;
  rec.signature = b64;
  rec.issuer_fpr = (char *)issuer_fpr;
  rec.kind = kind;
  err = db_certification_insert (ca->db, &rec, NULL);
  if (err)
    ca_db_errmsg (ca, err, "recording a signature");
  xfree (b64);
  return err;
}


/* See ca-int.h.  */
gpg_error_t
ca_record_document_sig (ca_t *ca, const pgp_sig_t *sig)
{
  gpg_error_t err;
  char issuer[41];

  if (!sig->has_issuer_fpr)
    return gpg_error (GPG_ERR_INV_VALUE);
  oca_bin2hex (sig->issuer_fpr, 20, issuer);
  err = ca_begin (ca);
  if (!err)
    err = ca_record_sig (ca, 0, ca->fpr, NULL, sig, issuer,
                         DB_CERTIFICATION_SIGNATURE);
  if (!err)
    err = ca_commit (ca);
  return err;
}


/* Base64 (RFC 4648, padded) of DATA/LEN.  */
gpg_error_t
ca_base64 (const void *data, size_t len, char **r_str)
{
  static const char tbl[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const unsigned char *s = data;
  char *out, *p;
  size_t i;

  *r_str = NULL;
  if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
    return gpg_error (GPG_ERR_TOO_LARGE);
  out = xtrymalloc ((len + 2) / 3 * 4 + 1);
  if (!out)
    return oca_error_from_errno ();
  for (p = out, i = 0; i + 2 < len; i += 3)
    {
      *p++ = tbl[s[i] >> 2];
      *p++ = tbl[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
      *p++ = tbl[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
      *p++ = tbl[s[i + 2] & 63];
    }
  if (i < len)
    {
      *p++ = tbl[s[i] >> 2];
      if (i + 1 < len)
        {
          *p++ = tbl[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
          *p++ = tbl[(s[i + 1] & 15) << 2];
        }
      else
        {
          *p++ = tbl[(s[i] & 3) << 4];
          *p++ = '=';
        }
      *p++ = '=';
    }
  *p = 0;
  *r_str = out;
  return 0;
}


/* SHA-256 of SIG's packet.  */
void
ca_sig_hash (const pgp_sig_t *sig, char out[65])
{
  unsigned char digest[32];

  gcry_md_hash_buffer (GCRY_MD_SHA256, digest, sig->raw, sig->rawlen);
  oca_bin2hex (digest, 32, out);
}


/* Revocation id of SIG.  */
void
ca_revocation_hash (const pgp_sig_t *sig, char out[17])
{
  unsigned char digest[32];

  /* As openpgp-ca: over the packet as Sequoia serialises it (a
   * new-format header even if it was read with an old one).  */
  if (pgp_sig_sha256 (sig, digest))
    gcry_md_hash_buffer (GCRY_MD_SHA256, digest, sig->raw, sig->rawlen);
  oca_bin2hex (digest, 8, out);
}
