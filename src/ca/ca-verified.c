/* ca-verified.c - what verifying a stored certificate found, kept with it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The commands that walk all users (user list, user check, the
 * exports) need to know which signatures of each stored certificate
 * verify: the CA's certifications, the self-signatures that bind User
 * IDs and say when the key expires.  Verifying them again on every
 * run costs a public-key operation per signature and user; instead the
 * CA keeps, for each stored certificate, the record of what it found
 * when it verified it (an import, bulk import or update verified
 * them, or made them):
 *
 *   "v1 HASH ISSUER SIGS"
 *
 * HASH is the SHA-256 (hex) of the certificate's stored text
 * (certs.pub_cert), ISSUER the SHA-256 of the fingerprints of the CA
 * keys it was verified against, SIGS pgp_cert_verify_record's one
 * character per signature ('g' good, 'b' bad, '-' not verified).  A
 * record is used only when HASH is the hash of the text just read and
 * ISSUER the CA's keys of now: a certificate changed in the database
 * file - one byte of a certification flipped - no longer matches its
 * record and is verified in full again, so it can never be shown as
 * valid.  A record does not make anything valid that is not in the
 * text (the times, revocations and expirations are judged at every
 * run); whoever can rewrite the database file consistently can also
 * replace the CA certificate itself, so the record is a cache of the
 * file's own content, not a signature (doc/HACKING.md).
 */
#include <config.h>
#include "ca-int.h"

#include <string.h>

#define RECORD_TAG "v1"


/* HEX (65 bytes) = SHA-256 of BUF/LEN in hex.  */
static void
sha256_hex (const void *buf, size_t len, char hex[65])
{
  unsigned char d[32];

  gcry_md_hash_buffer (GCRY_MD_SHA256, d, buf, len);
  oca_bin2hex (d, 32, hex);
}


/* HEX = the identity of the CA keys a record is valid for: SHA-256 over
 * the fingerprints of the CA certificate's keys (empty if out of
 * core).  Computed for every record made or applied, by several
 * threads at once in a bulk run: one gcry_md_hash_buffers call, whose
 * parts are on the stack for up to ISSUER_IOV keys.  */
#define ISSUER_IOV 16
static void
issuer_id (ca_t *ca, char hex[65])
{
  const pgp_key_t *key;
  gcry_buffer_t stack_iov[ISSUER_IOV], *iov = stack_iov;
  unsigned char d[32];
  int n = 0;

#define NEXT_KEY(k) ((k) == ca->cert->primary ? ca->cert->subkeys : (k)->next)
  *hex = 0;
  for (key = ca->cert->primary; key; key = NEXT_KEY (key))
    n++;
  if (n > ISSUER_IOV && !(iov = xtrycalloc (n, sizeof *iov)))
    return;
  memset (iov, 0, n * sizeof *iov);
  n = 0;
  for (key = ca->cert->primary; key; key = NEXT_KEY (key))
    {
      iov[n].data = (void *)key->fpr;
      iov[n++].len = 20;
    }
#undef NEXT_KEY
  if (!gcry_md_hash_buffers (GCRY_MD_SHA256, 0, d, iov, n))
    oca_bin2hex (d, 32, hex);
  if (iov != stack_iov)
    xfree (iov);
}


/* See ca-int.h.  */
gpg_error_t
ca_verified_record (ca_t *ca, const pgp_cert_t *cert, const char *pub,
                    char **r_record)
{
  gpg_error_t err;
  char hash[65], issuer[65], *sigs = NULL;

  *r_record = NULL;
  err = pgp_cert_verify_record (cert, ca->cert, &sigs);
  if (err)
    return err;
  sha256_hex (pub, strlen (pub), hash);
  issuer_id (ca, issuer);
  *r_record = xtrymalloc (strlen (RECORD_TAG) + 2 * 65 + strlen (sigs) + 2);
  if (!*r_record)
    err = oca_error_from_errno ();
  else
    strcpy (stpcpy (stpcpy (stpcpy (stpcpy (stpcpy (stpcpy (*r_record,
                                                            RECORD_TAG),
                                                    " "), hash), " "),
                            issuer), " "), sigs);
  xfree (sigs);
  return err;
}


/* See ca-int.h.  */
gpg_error_t
ca_verified_store (ca_t *ca, int64_t cert_id, const char *record)
{
  gpg_error_t err;

  err = db_cert_set_verified (ca->db, cert_id, record);
  if (err)
    ca_db_errmsg (ca, err, "storing the certificate");
  return err;
}


/* See ca-int.h.  */
gpg_error_t
ca_verified_keep (ca_t *ca, int64_t cert_id, const pgp_cert_t *cert,
                  const char *pub)
{
  gpg_error_t err;
  char *record = NULL;

  err = ca_verified_record (ca, cert, pub, &record);
  if (!err)
    err = ca_verified_store (ca, cert_id, record);
  xfree (record);
  return err;
}


/* See ca-int.h.  */
int
ca_verified_apply (ca_t *ca, pgp_cert_t *cert, const char *pub,
                   const char *record)
{
  char hash[65], issuer[65];
  size_t n = strlen (RECORD_TAG);

  if (!record || strncmp (record, RECORD_TAG " ", n + 1))
    return 0;
  record += n + 1;
  sha256_hex (pub, strlen (pub), hash);
  if (strncmp (record, hash, 64) || record[64] != ' ')
    return 0;
  record += 65;
  issuer_id (ca, issuer);
  if (!*issuer || strncmp (record, issuer, 64) || record[64] != ' ')
    return 0;
  return !pgp_cert_apply_record (cert, ca->cert, record + 65);
}
