/* ca-softkey.c - the softkey backend: the CA private key in the database
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The CA certificate loaded from cacerts.priv_cert holds the secret
 * primary key and signing subkey (unprotected; the database file is
 * the secret).  Signing goes straight to pk_sign, which is
 * thread-safe, so the bulk import may certify from all cores.
 */
#include <config.h>
#include "ca.h"

#include <string.h>


static gpg_error_t
softkey_certifier (ca_backend_t *be, pgp_signer_t *r_signer)
{
  gpg_error_t err;

  memset (r_signer, 0, sizeof *r_signer);
  if (be->cacert->primary->secret != PGP_SECRET_PLAIN)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                          "no CA private key material in the database");
  err = pgp_signer_from_key (be->cacert->primary, r_signer);
  if (err)
    ca_set_errmsg (err, "can't use the CA key: %s", gpg_strerror (err));
  return err;
}


static gpg_error_t
softkey_signer (ca_backend_t *be, pgp_signer_t *r_signer)
{
  gpg_error_t err;
  pgp_key_t *sub;

  memset (r_signer, 0, sizeof *r_signer);
  sub = pgp_cert_signing_subkey (be->cacert);
  if (!sub || sub->secret != PGP_SECRET_PLAIN)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                          "the CA has no usable signing subkey");
  err = pgp_signer_from_key (sub, r_signer);
  if (err)
    ca_set_errmsg (err, "can't use the CA signing key: %s",
                   gpg_strerror (err));
  return err;
}


static gpg_error_t
softkey_describe (ca_backend_t *be, char **r_text)
{
  *r_text = xtrystrdup ("Softkey (private key material in CA database)");
  return *r_text ? 0 : oca_error_from_errno ();
}


static gpg_error_t
softkey_export_private (ca_backend_t *be, char **r_armor, size_t *r_len)
{
  gpg_error_t err;
  unsigned char *buf = NULL;

  *r_armor = NULL;
  *r_len = 0;
  err = pgp_cert_export (be->cacert, PGP_EXPORT_ARMOR | PGP_EXPORT_SECRET,
                         &buf, r_len);
  if (err)
    return ca_set_errmsg (err, "error exporting the CA key: %s",
                          gpg_strerror (err));
  *r_armor = (char *)buf;
  return 0;
}


static const struct ca_backend_ops softkey_ops =
  {
    "softkey",
    softkey_certifier,
    softkey_signer,
    softkey_describe,
    softkey_export_private,
    NULL,
    1
  };


/* Create the softkey backend for CACERT (borrowed).  */
gpg_error_t
ca_softkey_new (pgp_cert_t *cacert, ca_backend_t **r_be)
{
  ca_backend_t *be;

  *r_be = NULL;
  if (!pgp_cert_has_secret (cacert))
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                          "no CA private key material in the database");
  be = xtrycalloc (1, sizeof *be);
  if (!be)
    return oca_error_from_errno ();
  be->ops = &softkey_ops;
  be->cacert = cacert;
  *r_be = be;
  return 0;
}
