/* fuzz-pgp.c - libFuzzer target: OpenPGP packets and certificates
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a keyring (binary or armored) as `user import' and the
 * database loaders read it (pgp_read_certs), and also a list of
 * signatures (pgp_read_sigs, as for revocation certificates).  Every
 * certificate read is verified (self-signatures, and signatures by the
 * first certificate, as if it were the CA), queried as the CA does
 * (info at FUZZ_NOW, the User ID rule, certifications by the first
 * certificate, signing subkey, keygrips), copied, merged and written.
 * Invariants:
 *  - an address the User ID rule accepts is normalised (the rule gives
 *    it back unchanged) and has a valid domain; a refused User ID
 *    yields no address, no name and a reason;
 *  - what is written (binary, with and without secrets, armored) reads
 *    back, and writing that again gives the same bytes;
 *  - a merge of a copy with its original, or with another certificate
 *    of the same fingerprint, repeated, adds nothing the second time;
 *    the merged certificate is written and read back;
 *  - signatures read are written back (armored) and read again.
 * Not covered: pgp_cert_unprotect (an S2K count can legitimately cost
 * a fraction of a second per key, which would stall the fuzzer), and
 * everything that makes signatures (randomised).
 */
#include <config.h>
#include "fuzz.h"
#include "pgp.h"

#include <string.h>

/* Write CERT with FLAGS, read it back and write that again: the same
 * bytes.  */
static void
check_export (const pgp_cert_t *cert, unsigned int flags)
{
  gpg_error_t err;
  unsigned char *buf = NULL, *buf2 = NULL;
  size_t len = 0, len2 = 0;
  pgp_cert_t *back = NULL;

  err = pgp_cert_export (cert, flags, &buf, &len);
  fuzz_assert (!err);
  err = pgp_read_certs (buf, len, &back);
  fuzz_assert (!err);
  /* Armor is compared in binary: Comment lines come from the cert.  */
  err = pgp_cert_export (back, flags & ~PGP_EXPORT_ARMOR, &buf2, &len2);
  fuzz_assert (!err);
  if (!(flags & PGP_EXPORT_ARMOR))
    fuzz_assert (len2 == len && !memcmp (buf, buf2, len));
  else
    {
      unsigned char *bin = NULL;
      size_t binlen = 0;

      err = pgp_cert_export (cert, flags & ~PGP_EXPORT_ARMOR, &bin, &binlen);
      fuzz_assert (!err);
      fuzz_assert (len2 == binlen && !memcmp (bin, buf2, binlen));
      wipe_and_free (bin, binlen);
    }
  pgp_cert_release (back);
  wipe_and_free (buf, len);
  wipe_and_free (buf2, len2);
}


/* Merge SRC into DST twice: the second time adds nothing.  Then DST
 * still writes and reads back.  */
static void
check_merge (pgp_cert_t *dst, const pgp_cert_t *src)
{
  gpg_error_t err;
  int added = -1;

  err = pgp_cert_merge (dst, src, &added);
  fuzz_assert (!err);
  err = pgp_cert_merge (dst, src, &added);
  fuzz_assert (!err && added == 0);
  check_export (dst, PGP_EXPORT_SECRET);
}


/* The User ID rule of the CA (pgp-uid.c) on UID.  An address it
 * accepts is normalised: the same rule on the bare address gives it
 * back, and its domain is a valid host name.  */
static void
check_uid (const pgp_uid_t *uid)
{
  gpg_error_t err;
  char *email = NULL, *name = NULL, *again = NULL, *esc;
  const char *why = NULL;

  err = pgp_uid_parse (uid->body, uid->bodylen, &email, &name, &why);
  if (!err)
    {
      const char *at = strrchr (email, '@');

      fuzz_assert (at && at > email);
      fuzz_assert (!pgp_mail_normalize (email, &again, &why));
      fuzz_assert (!strcmp (again, email));
      fuzz_assert (pgp_mail_domain_valid (at + 1, strlen (at + 1)));
      xfree (again);
    }
  else if (gpg_err_code (err) == GPG_ERR_NO_DATA)
    fuzz_assert (!email);   /* A plain name (it may have a display part).  */
  else
    fuzz_assert (!email && !name && why);
  esc = pgp_uid_escape (uid->body, uid->bodylen);
  fuzz_assert (esc != NULL);
  xfree (esc);
  xfree (email);
  xfree (name);
}


/* The CA's queries on CERT; ISSUER is the first cert (may be CERT).  */
static void
query_cert (pgp_cert_t *cert, pgp_cert_t *issuer)
{
  pgp_cert_info_t info;
  pgp_uid_t *uid;
  pgp_key_t *key;
  char hex[41], kid[17];
  unsigned char grip[20];
  uint32_t expires;

  pgp_cert_verify (cert, issuer);
  pgp_cert_get_info (cert, FUZZ_NOW, &info);
  pgp_cert_signing_subkey (cert);
  fuzz_assert (strlen (pgp_cert_fpr_hex (cert, hex)) == 40);
  for (uid = cert->uids; uid; uid = uid->next)
    {
      if (!uid->is_attribute)
        check_uid (uid);
      pgp_uid_certified_by (cert, uid, issuer, FUZZ_NOW, &expires);
      pgp_uid_has_sig_by (uid, issuer->primary->fpr);
      /* Found by its name, unless that has a NUL in it.  */
      if (!uid->is_attribute && strlen (uid->name) == uid->bodylen)
        fuzz_assert (pgp_cert_find_uid (cert, uid->name) != NULL);
    }
  pgp_cert_has_tsig_by (cert, issuer->primary->fpr);
  for (key = cert->primary; key;
       key = key == cert->primary ? cert->subkeys : key->next)
    {
      pgp_key_keyid_hex (key, kid);
      pgp_key_keygrip (key, grip);
      fuzz_assert (pgp_cert_find_key (cert, key->fpr) != NULL);
    }
}


static void
fuzz_certs (const uint8_t *data, size_t size)
{
  gpg_error_t err;
  pgp_cert_t *certs = NULL, *cert, *other, *copy;
  pgp_sig_t *sig;
  int ncerts = 0;

  err = pgp_read_certs (data, size, &certs);
  if (err)
    return;
  for (cert = certs; cert; cert = cert->next)
    {
      ncerts++;
      query_cert (cert, certs);
      fuzz_assert (pgp_cert_has_secret (cert) == (cert->primary->secret
                                                  == PGP_SECRET_PLAIN
                                                  || cert->primary->secret
                                                  == PGP_SECRET_ENCRYPTED));
      check_export (cert, 0);
      check_export (cert, PGP_EXPORT_SECRET);
      check_export (cert, PGP_EXPORT_NO_LOCAL);
      check_export (cert, PGP_EXPORT_ARMOR);

      err = pgp_cert_copy (cert, 1, &copy);
      fuzz_assert (!err);
      fuzz_assert (!pgp_cert_has_secret (copy));
      check_merge (copy, cert);
      /* Other copies of the same certificate in the keyring.  */
      for (other = certs; other; other = other->next)
        if (other != cert && !memcmp (other->primary->fpr,
                                      cert->primary->fpr, 20))
          check_merge (copy, other);
      /* Trust signatures from CERT into its copy, checked against the
       * keyring.  */
      pgp_cert_merge_tsigs (copy, cert, certs, NULL);
      /* Key revocations of CERT, as if read from a stored revocation
       * certificate: added once at most.  */
      for (sig = cert->primary->sigs; sig; sig = sig->next)
        {
          int added = 0;

          if (!pgp_cert_add_revocation (copy, sig, &added) && added)
            {
              fuzz_assert (!pgp_cert_add_revocation (copy, sig, &added));
              fuzz_assert (!added);
            }
        }
      pgp_cert_release (copy);
      if (ncerts >= 8)
        break;
    }
  check_export (certs, PGP_EXPORT_ALL | PGP_EXPORT_SECRET);
  pgp_cert_release (certs);
}


static void
fuzz_sigs (const uint8_t *data, size_t size)
{
  gpg_error_t err;
  pgp_sig_t *sigs = NULL, *sig, *back = NULL, *copy = NULL;
  char *text = NULL;
  size_t n = 0, nback = 0;

  err = pgp_read_sigs (data, size, &sigs);
  if (err)
    return;
  for (sig = sigs; sig; sig = sig->next)
    {
      n++;
      pgp_sig_expires (sig);
      err = pgp_sig_copy (sig, &copy);
      fuzz_assert (!err);
      fuzz_assert (copy->rawlen == sig->rawlen
                   && !memcmp (copy->raw, sig->raw, sig->rawlen));
      pgp_sig_release (copy);
    }
  err = pgp_sig_armor (sigs, 1, PGP_ARMOR_SIGNATURE, NULL, &text);
  fuzz_assert (!err);
  err = pgp_read_sigs (text, strlen (text), &back);
  fuzz_assert (!err);
  for (sig = back; sig; sig = sig->next)
    nback++;
  fuzz_assert (n == nback);
  xfree (text);
  pgp_sig_release (back);
  pgp_sig_release (sigs);
}


int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_init ();
  fuzz_certs (data, size);
  fuzz_sigs (data, size);
  return 0;
}
