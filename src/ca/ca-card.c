/* ca-card.c - the OpenPGP card backend: the CA key on a card
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ca_backend_t of a card CA (see ca-card.h for the model): its
 * signers compute certifications with INTERNAL AUTHENTICATE on the AUT
 * slot (PKAUTH OPENPGP.3) and signatures with PSO:CDS on the SIG slot
 * (PKSIGN OPENPGP.1), through the card operations of ca-cardconn.c.
 * The card is reached on the first signature: it must be the card of
 * the stored configuration, hold the CA key in its AUT slot and the
 * cardholder "OpenPGP CA", and take the stored PIN.
 *
 * Every signature the card returns is verified with the public key
 * before it is handed to the OpenPGP layer, so a misbehaving card or
 * server can not make the CA store bad certifications.
 */
#include <config.h>
#include "ca-card.h"
#include "card-data.h"

#include <string.h>


/* How the input of PKAUTH is framed for an ECC key.  scdaemon
 * versions differ in what they strip from INTERNAL AUTHENTICATE input
 * of ECC keys (spec B.8; oca-scd strips a DigestInfo or takes a bare
 * digest).  We try these in order until a signature verifies and keep
 * the one that worked for the rest of the run.  RSA keys and the SIG
 * slot always get a DigestInfo.  */
enum auth_framing
  {
    AUTH_FRAME_DIGESTINFO = 0, /* DigestInfo of the hash + digest.  */
    AUTH_FRAME_RAW,            /* The bare digest.  */
    AUTH_FRAME_PAD15,          /* 15 prefix bytes + digest.  */
    AUTH_FRAME_COUNT
  };



/*
 * Signing.
 */

/* The DigestInfo prefix (card-data.h) of OpenPGP hash HASHALGO, or
 * NULL; *R_NAME gets PKSIGN's name of it.  */
static const unsigned char *
asn_prefix (int hashalgo, size_t *r_len, const char **r_name)
{
  static const struct { int algo; const char *name; } names[] =
    {
      { PK_HASH_SHA1, "sha1" }, { PK_HASH_SHA224, "sha224" },
      { PK_HASH_SHA256, "sha256" }, { PK_HASH_SHA384, "sha384" },
      { PK_HASH_SHA512, "sha512" }
    };
  size_t i;

  *r_len = 0;
  for (i = 0; i < DIM (names); i++)
    if (names[i].algo == hashalgo)
      {
        *r_name = names[i].name;
        return card_digestinfo_prefix (pk_hash_to_gcry (hashalgo), r_len);
      }
  return NULL;
}


/* Set MPI from BUF/LEN (leading zeros stripped).  */
static gpg_error_t
set_mpi (pk_mpi_t *mpi, const unsigned char *buf, size_t len)
{
  while (len > 1 && !*buf)
    {
      buf++;
      len--;
    }
  mpi->data = xtrymalloc (len ? len : 1);
  if (!mpi->data)
    return oca_error_from_errno ();
  memcpy (mpi->data, buf, len);
  mpi->len = len;
  return 0;
}


/* Turn the card's signature SIGBUF/SIGLEN for a key of PK into MPIs.  */
static gpg_error_t
sig_to_mpis (const pk_key_t *pk, const unsigned char *sigbuf, size_t siglen,
             pk_mpi_t sig[PK_MAX_SIG], unsigned int *r_nsig)
{
  gpg_error_t err;

  if (pk->algo == PK_RSA)
    {
      err = set_mpi (&sig[0], sigbuf, siglen);
      if (!err)
        *r_nsig = 1;
      return err;
    }
  if (!siglen || (siglen & 1))
    return gpg_error (GPG_ERR_INV_RESPONSE);
  err = set_mpi (&sig[0], sigbuf, siglen / 2);
  if (!err)
    err = set_mpi (&sig[1], sigbuf + siglen / 2, siglen / 2);
  if (err)
    {
      pk_mpi_release (&sig[0]);
      return err;
    }
  *r_nsig = 2;
  return 0;
}


/* The pgp_sign_fn_t of a card slot.  */
static gpg_error_t
card_sign (void *ctx, int hashalgo, const unsigned char *digest,
           size_t digestlen, pk_mpi_t sig[PK_MAX_SIG], unsigned int *r_nsig)
{
  ca_card_slot_t *slot = ctx;
  const pk_key_t *pk = slot->key->pk;
  const char *what = slot->keyno == CA_CARD_SLOT_AUT ? "certification"
    : "signing";
  gpg_error_t err;
  const unsigned char *prefix;
  const char *hashname = NULL;
  size_t prefixlen = 0, padlen = 0, datalen;
  unsigned char data[19 + 64];
  unsigned char *sigbuf = NULL;
  size_t siglen = 0;
  int framing, tries, ecc_aut;

  *r_nsig = 0;
  memset (sig, 0, PK_MAX_SIG * sizeof *sig);
  err = ca_card_conn_failed (slot->conn);
  if (err)
    return ca_card_errmsg (err, slot->ident, what);
  prefix = asn_prefix (hashalgo, &prefixlen, &hashname);
  if (!prefix || digestlen != pk_hash_len (hashalgo) || digestlen > 64)
    return ca_set_errmsg (gpg_error (GPG_ERR_DIGEST_ALGO),
                          "unsupported hash algorithm for the OpenPGP card");

  ecc_aut = slot->keyno == CA_CARD_SLOT_AUT && pk->algo != PK_RSA;
  if (ecc_aut && slot->framing_known)
    framing = slot->framing;
  else if (ecc_aut && pk->algo == PK_EDDSA
           && ca_card_conn_route (slot->conn) == CA_ROUTE_AGENT)
    framing = AUTH_FRAME_PAD15;  /* GnuPG's scdaemon strips 15 bytes.  */
  else
    framing = AUTH_FRAME_DIGESTINFO;
  for (tries = 0; tries < AUTH_FRAME_COUNT; tries++)
    {
      if (!ecc_aut || framing == AUTH_FRAME_DIGESTINFO)
        {
          /* A DigestInfo: the card pads it (RSA); scdaemon strips it for
           * ECC keys.  */
          memcpy (data, prefix, prefixlen);
          memcpy (data + prefixlen, digest, digestlen);
          datalen = prefixlen + digestlen;
        }
      else if (framing == AUTH_FRAME_PAD15)
        {
          /* Any 15 bytes: those of SHA-1's DigestInfo.  */
          const unsigned char *pad15 = card_digestinfo_prefix (GCRY_MD_SHA1,
                                                               &padlen);

          if (!pad15 || padlen != 15)
            return gpg_error (GPG_ERR_BUG);
          memcpy (data, pad15, padlen);
          memcpy (data + padlen, digest, digestlen);
          datalen = padlen + digestlen;
        }
      else
        {
          memcpy (data, digest, digestlen);
          datalen = digestlen;
        }

      err = ca_card_sign_op (slot->conn, slot->serialno, slot->keyno,
                             slot->uif, hashname, data, datalen,
                             &sigbuf, &siglen);
      wipememory (data, sizeof data);
      if (!err)
        {
          err = sig_to_mpis (pk, sigbuf, siglen, sig, r_nsig);
          xfree (sigbuf);
          sigbuf = NULL;
          if (err)
            return ca_card_errmsg (err, slot->ident, what);
          err = pk_verify (pk, hashalgo, digest, digestlen, sig, *r_nsig);
          if (!err)
            {
              if (ecc_aut)
                {
                  slot->framing = framing;
                  slot->framing_known = 1;
                }
              return 0;
            }
          pk_mpi_release (&sig[0]);
          pk_mpi_release (&sig[1]);
          *r_nsig = 0;
          err = gpg_error (GPG_ERR_BAD_SIGNATURE);
        }
      /* Only a framing problem is worth another try.  */
      if (!ecc_aut || slot->framing_known
          || (gpg_err_code (err) != GPG_ERR_BAD_SIGNATURE
              && gpg_err_code (err) != GPG_ERR_INV_VALUE
              && gpg_err_code (err) != GPG_ERR_INV_LENGTH))
        break;
      framing = (framing + 1) % AUTH_FRAME_COUNT;
    }
  if (gpg_err_code (err) != GPG_ERR_BAD_SIGNATURE)
    return ca_card_errmsg (err, slot->ident, what);
  return ca_set_errmsg (gpg_error (GPG_ERR_BAD_SIGNATURE),
                        "OpenPGP card %s returned a signature that does not "
                        "verify with the CA key (%s)", slot->ident, what);
}


/* See ca-card.h.  */
gpg_error_t
ca_card_make_signer (ca_card_conn_t *conn, const char *serialno,
                     const char *ident, int keyno, const pgp_key_t *key,
                     int uif, ca_card_slot_t *slot, pgp_signer_t *r_signer)
{
  memset (r_signer, 0, sizeof *r_signer);
  if (keyno != CA_CARD_SLOT_AUT && keyno != CA_CARD_SLOT_SIG)
    return gpg_error (GPG_ERR_INV_ID);
  if (strlen (serialno) >= sizeof slot->serialno)
    return gpg_error (GPG_ERR_INV_VALUE);
  memset (slot, 0, sizeof *slot);
  slot->conn = conn;
  strcpy (slot->serialno, serialno);
  snprintf (slot->ident, sizeof slot->ident, "%s", ident);
  slot->keyno = keyno;
  slot->key = key;
  slot->uif = uif;
  r_signer->pub = key->pk;
  memcpy (r_signer->fpr, key->fpr, 20);
  memcpy (r_signer->keyid, key->keyid, 8);
  r_signer->created = key->created;
  r_signer->sign = card_sign;
  r_signer->ctx = slot;
  /* A card signs an ECDSA hash of at most the field size: SHA-256 for
   * P-256, SHA-384 for P-384 (what gpg picks for these curves).  */
  if (key->pk->algo == PK_ECDSA && pk_key_nbits (key->pk) <= 256)
    r_signer->hashalgo = PK_HASH_SHA256;
  else if (key->pk->algo == PK_ECDSA && pk_key_nbits (key->pk) <= 384)
    r_signer->hashalgo = PK_HASH_SHA384;
  return 0;
}



/*
 * The backend.
 */

struct card_backend
{
  char *ident;
  char *pin;                   /* Secure memory.  */
  int stored_route;
  int route;
  ca_card_conn_t *conn;        /* Opened on first use.  */
  char *serialno;
  scd_cardinfo_t *info;
  int ready;
  gpg_error_t open_err;        /* Sticky error of the first open.  */
  ca_card_slot_t slot[2];      /* The signers' contexts: SIG, AUT.  */
};


/* Connect to the card of BE and check it is the CA's card.  */
static gpg_error_t
backend_open (ca_backend_t *be)
{
  struct card_backend *cb = be->priv;
  gpg_error_t err;
  static const unsigned char zero[20];
  ca_card_entry_t *list = NULL, *e;
  char fpr[41], cardfpr[41];

  if (cb->ready)
    return 0;
  if (cb->open_err)
    return cb->open_err;

  err = ca_card_connect (cb->route, &cb->conn);
  if (err)
    goto leave;
  err = ca_card_list_cards (cb->conn, &list);
  if (err)
    goto leave;
  e = ca_card_find (list, cb->ident);
  if (!e)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                           "OpenPGP card %s not found (is it plugged in?)",
                           cb->ident);
      goto leave;
    }
  if (!ca_card_holder_ok (e->info))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                           "On card %s: Expected cardholder name '%s' on "
                           "OpenPGP card, found '%s'.", cb->ident,
                           CA_CARD_HOLDER,
                           e->info->disp_name ? e->info->disp_name : "");
      goto leave;
    }
  pgp_cert_fpr_hex (be->cacert, fpr);
  if (!e->info->fpr_valid[2] || !memcmp (e->info->fpr[2], zero, 20))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                           "On card %s: No AUT key on card", cb->ident);
      goto leave;
    }
  oca_bin2hex (e->info->fpr[2], 20, cardfpr);
  if (strcmp (fpr, cardfpr))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                           "On card %s: Auth key slot on card %s doesn't "
                           "match primary (cert) fingerprint %s.",
                           cb->ident, cardfpr, fpr);
      goto leave;
    }
  /* Select it again (the listing may have selected another card) and
   * verify the PIN once for the whole run.  */
  err = ca_card_unlock (cb->conn, e->serialno, e->info, cb->ident, cb->pin,
                        0);
  if (err)
    goto leave;
  cb->serialno = e->serialno;
  e->serialno = NULL;
  cb->info = e->info;
  e->info = NULL;
  cb->ready = 1;

 leave:
  ca_card_entry_release (list);
  if (err)
    cb->open_err = err;
  return err;
}


/* The touch policy of slot IDX (0 SIG, 2 AUT) of the open card of BE,
 * or, if nobody is there to touch (CA_OPEN_UNATTENDED) and the slot
 * needs a touch, the error that refuses the signature: touch and
 * automation do not mix.  */
static gpg_error_t
slot_uif (ca_backend_t *be, int idx, const char *what, int *r_uif)
{
  struct card_backend *cb = be->priv;

  *r_uif = cb->info->uif_valid[idx] ? cb->info->uif[idx] : 0;
  if (be->unattended && *r_uif)
    return ca_set_errmsg (gpg_error (GPG_ERR_USE_CONDITIONS),
                          "the CA's OpenPGP card %s needs a touch for %s: "
                          "no automated certification (use the oca "
                          "command line, or 'oca card touch' to turn it "
                          "off)", cb->ident, what);
  return 0;
}


static gpg_error_t
card_certifier (ca_backend_t *be, pgp_signer_t *r_signer)
{
  struct card_backend *cb = be->priv;
  gpg_error_t err;
  int uif;

  memset (r_signer, 0, sizeof *r_signer);
  err = backend_open (be);
  if (!err)
    err = slot_uif (be, 2, "certifications", &uif);
  if (err)
    return err;
  return ca_card_make_signer (cb->conn, cb->serialno, cb->ident,
                              CA_CARD_SLOT_AUT, be->cacert->primary, uif,
                              &cb->slot[1], r_signer);
}


static gpg_error_t
card_signer (ca_backend_t *be, pgp_signer_t *r_signer)
{
  struct card_backend *cb = be->priv;
  gpg_error_t err;
  pgp_key_t *sub;
  int uif;

  memset (r_signer, 0, sizeof *r_signer);
  sub = pgp_cert_signing_subkey (be->cacert);
  if (!sub)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                          "the CA has no usable signing subkey");
  err = backend_open (be);
  if (err)
    return err;
  if (!cb->info->fpr_valid[0] || memcmp (cb->info->fpr[0], sub->fpr, 20))
    return ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                          "On card %s: the SIG slot does not hold the CA "
                          "signing subkey", cb->ident);
  err = slot_uif (be, 0, "signatures", &uif);
  if (err)
    return err;
  return ca_card_make_signer (cb->conn, cb->serialno, cb->ident,
                              CA_CARD_SLOT_SIG, sub, uif,
                              &cb->slot[0], r_signer);
}


static gpg_error_t
card_describe (ca_backend_t *be, char **r_text)
{
  struct card_backend *cb = be->priv;

  /* Secure memory: xfree (gcry_free) wipes it.  */
  return ca_card_describe (cb->ident, cb->pin, cb->stored_route, r_text);
}


static gpg_error_t
card_export_private (ca_backend_t *be, char **r_armor, size_t *r_len)
{
  (void)be;
  *r_armor = NULL;
  *r_len = 0;
  return gpg_error (GPG_ERR_NOT_SUPPORTED);
}


static void
card_release (ca_backend_t *be)
{
  struct card_backend *cb = be->priv;

  if (!cb)
    return;
  ca_card_conn_release (cb->conn);
  xfree (cb->ident);
  wipe_and_free_string (cb->pin);
  xfree (cb->serialno);
  scd_cardinfo_release (cb->info);
  xfree (cb);
  be->priv = NULL;
}


static const struct ca_backend_ops card_ops =
  {
    "card",
    card_certifier,
    card_signer,
    card_describe,
    card_export_private,
    card_release,
    0
  };


/* See ca-card.h.  */
gpg_error_t
ca_card_backend_new (const char *config, pgp_cert_t *cacert, int route,
                     ca_backend_t **r_be)
{
  gpg_error_t err;
  ca_backend_t *be = NULL;
  struct card_backend *cb = NULL;

  *r_be = NULL;
  cb = xtrycalloc (1, sizeof *cb);
  if (!cb)
    return oca_error_from_errno ();
  err = ca_card_parse_config (config, &cb->ident, &cb->pin,
                              &cb->stored_route);
  if (err || !ca_card_ident_valid (cb->ident))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                           "invalid OpenPGP card backend configuration in "
                           "the database");
      goto leave;
    }
  cb->route = route == CA_ROUTE_STORED ? cb->stored_route : route;
  be = xtrycalloc (1, sizeof *be);
  if (!be)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  be->ops = &card_ops;
  be->cacert = cacert;
  be->priv = cb;
  cb = NULL;
  *r_be = be;
  be = NULL;

 leave:
  if (cb)
    {
      xfree (cb->ident);
      wipe_and_free_string (cb->pin);
      xfree (cb);
    }
  xfree (be);
  return err;
}
