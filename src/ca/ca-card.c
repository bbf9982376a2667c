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

#include <stdio.h>
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

/* The card of the calling thread's last signature (ca_signed_by).  */
static _Thread_local const char *last_signed_by;


/* See ca-int.h.  */
const char *
ca_signed_by (void)
{
  return last_signed_by;
}


/* See ca-int.h.  */
void
ca_signed_by_reset (void)
{
  last_signed_by = NULL;
}

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
              slot->nsigned++;
              last_signed_by = slot->ident;
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

/* A card of the CA: the one of the configuration or a backup.  */
struct card_id
{
  char *ident;
  char *pin;                   /* Secure memory.  */
};

/* A card of the pool, on its own connection.  */
struct pool_card
{
  ca_card_conn_t *conn;
  char *serialno;
  ca_card_slot_t slot;
  int64_t sigcount;            /* Its signature counter when opened (the
                                * pool signs with the AUT slot, which
                                * does not count); -1 if unknown.  */
};

struct card_backend
{
  char *ident;                 /* The card of the configuration.  */
  char *pin;                   /* Secure memory.  */
  struct card_id *backups;
  size_t nbackups;
  int stored_route;
  int route;
  ca_card_conn_t *conn;        /* Opened on first use.  */
  const char *cur_ident;       /* The card in use (IDENT or a backup).  */
  char *serialno;
  scd_cardinfo_t *info;
  int ready;
  gpg_error_t open_err;        /* Sticky error of the first open.  */
  ca_card_slot_t slot[2];      /* The signers' contexts: SIG, AUT.  */
  ca_card_pool_t *pool;        /* Bulk certification, opened on use.  */
  struct pool_card *pcards;
  size_t npcards;
  gpg_error_t pool_err;
};


/* See ca-card.h.  */
gpg_error_t
ca_card_check_ca (const ca_card_entry_t *e, const pgp_cert_t *cacert,
                  const char *ident)
{
  static const unsigned char zero[20];
  char fpr[41], cardfpr[41];

  if (!ca_card_holder_ok (e->info))
    return ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                          "On card %s: Expected cardholder name '%s' on "
                          "OpenPGP card, found '%s'.", ident,
                          CA_CARD_HOLDER,
                          e->info->disp_name ? e->info->disp_name : "");
  pgp_cert_fpr_hex (cacert, fpr);
  if (!e->info->fpr_valid[2] || !memcmp (e->info->fpr[2], zero, 20))
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                          "On card %s: No AUT key on card", ident);
  oca_bin2hex (e->info->fpr[2], 20, cardfpr);
  if (strcmp (fpr, cardfpr))
    return ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                          "On card %s: Auth key slot on card %s doesn't "
                          "match primary (cert) fingerprint %s.",
                          ident, cardfpr, fpr);
  return 0;
}


/* The Ith card of CB: 0 is the configuration's, then the backups.  */
static void
card_nth (struct card_backend *cb, size_t i, const char **r_ident,
          const char **r_pin)
{
  *r_ident = i ? cb->backups[i - 1].ident : cb->ident;
  *r_pin = i ? cb->backups[i - 1].pin : cb->pin;
}


/* Nobody is there to type the PIN on the pin-pad of IDENT's reader.  */
static gpg_error_t
pinpad_unattended (const char *ident)
{
  return ca_set_errmsg (gpg_error (GPG_ERR_USE_CONDITIONS),
                        "the CA's card %s takes its PIN on a pin-pad: no "
                        "automated certification", ident);
}


/* Connect to the card of BE and check it is the CA's card: the card of
 * the configuration, or if it is not present the first backup card
 * that is.  */
static gpg_error_t
backend_open (ca_backend_t *be)
{
  struct card_backend *cb = be->priv;
  gpg_error_t err;
  ca_card_entry_t *list = NULL, *e = NULL;
  const char *ident = NULL, *pin = NULL;
  size_t i;

  if (cb->ready)
    return 0;
  if (cb->open_err)
    return cb->open_err;
  if (be->unattended && ca_card_pin_is_pinpad (cb->pin))
    return cb->open_err = pinpad_unattended (cb->ident);

  err = ca_card_connect_pinpad (cb->route, ca_card_pin_is_pinpad (cb->pin),
                                &cb->conn);
  if (err)
    goto leave;
  err = ca_card_list_cards (cb->conn, &list);
  if (err)
    goto leave;
  for (i = 0; i <= cb->nbackups && !e; i++)
    {
      card_nth (cb, i, &ident, &pin);
      e = ca_card_find (list, ident);
    }
  if (!e && !cb->nbackups)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                           "OpenPGP card %s not found (is it plugged in?)",
                           cb->ident);
      goto leave;
    }
  if (!e)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                           "none of the CA's %zu OpenPGP cards (%s, ...) "
                           "found (is one plugged in?)", cb->nbackups + 1,
                           cb->ident);
      goto leave;
    }
  err = ca_card_check_ca (e, be->cacert, ident);
  if (err)
    goto leave;
  /* Select it again (the listing may have selected another card) and
   * verify the PIN once for the whole run.  */
  err = ca_card_unlock (cb->conn, e->serialno, e->info, ident, pin, 0);
  if (err)
    goto leave;
  cb->cur_ident = ident;
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
                          "off)", cb->cur_ident, what);
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
  return ca_card_make_signer (cb->conn, cb->serialno, cb->cur_ident,
                              CA_CARD_SLOT_AUT, be->cacert->primary, uif,
                              &cb->slot[1], r_signer);
}


/* Open card E (IDENT, PIN) of the pool as its member PC on a
 * connection of its own (or CONN0, which it then owns), and make its
 * signer.  */
static gpg_error_t
pool_add (ca_backend_t *be, ca_card_conn_t **conn0, ca_card_entry_t *e,
          const char *ident, const char *pin, struct pool_card *pc,
          pgp_signer_t *r_signer)
{
  gpg_error_t err;
  struct card_backend *cb = be->priv;

  err = ca_card_check_ca (e, be->cacert, ident);
  if (err)
    return err;
  if (*conn0)
    {
      pc->conn = *conn0;
      *conn0 = NULL;
    }
  else
    {
      err = ca_card_connect_pinpad (cb->route, ca_card_pin_is_pinpad (pin),
                                    &pc->conn);
      if (err)
        return err;
    }
  pc->serialno = xtrystrdup (e->serialno);
  if (!pc->serialno)
    return oca_error_from_errno ();
  pc->sigcount = e->info->sig_counter_valid
    ? (int64_t)e->info->sig_counter : -1;
  if (be->unattended && e->info->uif_valid[2] && e->info->uif[2])
    return ca_set_errmsg (gpg_error (GPG_ERR_USE_CONDITIONS),
                          "the CA's OpenPGP card %s needs a touch for "
                          "certifications: no automated certification (use "
                          "the oca command line, or 'oca card touch' to turn "
                          "it off)", ident);
  err = ca_card_unlock (pc->conn, e->serialno, e->info, ident, pin, 0);
  switch (gpg_err_code (err))
    {
    case GPG_ERR_EOF:
    case GPG_ERR_EPIPE:
    case GPG_ERR_NO_SCDAEMON:
    case GPG_ERR_CARD_REMOVED:
    case GPG_ERR_CARD_NOT_PRESENT:
    case GPG_ERR_ENODEV:
      return ca_card_errmsg (err, ident, "unlocking the card");
    default:
      break;
    }
  if (!err)
    err = ca_card_make_signer (pc->conn, pc->serialno, ident,
                               CA_CARD_SLOT_AUT, be->cacert->primary,
                               e->info->uif_valid[2] ? e->info->uif[2] : 0,
                               &pc->slot, r_signer);
  return err;
}


/* Open every card of BE that is present and holds the CA key for the
 * pool.  A card that can not be used is reported and left out.  */
static gpg_error_t
pool_open (ca_backend_t *be)
{
  struct card_backend *cb = be->priv;
  gpg_error_t err, first_err = 0;
  ca_card_conn_t *conn0 = NULL;
  ca_card_entry_t *list = NULL, *e;
  pgp_signer_t *signers = NULL;
  const char *ident, *pin;
  size_t i, n = 0;

  if (be->unattended && ca_card_pin_is_pinpad (cb->pin))
    return pinpad_unattended (cb->ident);
  cb->pcards = xtrycalloc (cb->nbackups + 1, sizeof *cb->pcards);
  signers = xtrycalloc (cb->nbackups + 1, sizeof *signers);
  if (!cb->pcards || !signers)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  err = ca_card_connect_pinpad (cb->route, ca_card_pin_is_pinpad (cb->pin),
                                &conn0);
  if (!err)
    err = ca_card_list_cards (conn0, &list);
  if (err)
    goto leave;
  for (i = 0; i <= cb->nbackups; i++)
    {
      card_nth (cb, i, &ident, &pin);
      e = ca_card_find (list, ident);
      if (!e)
        continue;
      err = pool_add (be, &conn0, e, ident, pin, &cb->pcards[n],
                      &signers[n]);
      if (err)
        {
          ca_card_conn_release (cb->pcards[n].conn);
          xfree (cb->pcards[n].serialno);
          memset (&cb->pcards[n], 0, sizeof cb->pcards[n]);
          ca_warning ("OpenPGP card %s is left out: %s", ident,
                      ca_errmsg_for (err) ? ca_errmsg_for (err)
                      : gpg_strerror (err));
          if (!first_err)
            first_err = err;
          err = 0;
          continue;
        }
      cb->npcards = ++n;
    }
  if (!n && first_err)
    err = first_err;
  else if (!n)
    err = ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                         "none of the CA's %zu OpenPGP cards (%s, ...) "
                         "found (is one plugged in?)", cb->nbackups + 1,
                         cb->ident);
  else
    err = ca_card_pool_new (signers, n, &cb->pool);

 leave:
  ca_card_conn_release (conn0);
  ca_card_entry_release (list);
  xfree (signers);
  return err;
}


static gpg_error_t
card_certifier_pool (ca_backend_t *be, pgp_signer_t *r_signer,
                     unsigned int *r_n)
{
  struct card_backend *cb = be->priv;
  gpg_error_t err;

  *r_n = 0;
  if (!cb->nbackups)
    {
      /* One card: the certifier, on the backend's connection.  */
      err = card_certifier (be, r_signer);
      if (!err)
        *r_n = 1;
      return err;
    }
  memset (r_signer, 0, sizeof *r_signer);
  if (!cb->pool && !cb->pool_err)
    cb->pool_err = pool_open (be);
  if (cb->pool_err)
    return cb->pool_err;
  ca_card_pool_signer (cb->pool, r_signer);
  *r_n = (unsigned int)ca_card_pool_live (cb->pool);
  return 0;
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
                          "signing subkey", cb->cur_ident);
  err = slot_uif (be, 0, "signatures", &uif);
  if (err)
    return err;
  return ca_card_make_signer (cb->conn, cb->serialno, cb->cur_ident,
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
  size_t i;

  if (!cb)
    return;
  ca_card_pool_release (cb->pool);
  for (i = 0; cb->pcards && i < cb->npcards; i++)
    {
      ca_card_conn_release (cb->pcards[i].conn);
      xfree (cb->pcards[i].serialno);
    }
  xfree (cb->pcards);
  for (i = 0; i < cb->nbackups; i++)
    {
      xfree (cb->backups[i].ident);
      wipe_and_free_string (cb->backups[i].pin);
    }
  xfree (cb->backups);
  ca_card_conn_release (cb->conn);
  xfree (cb->ident);
  wipe_and_free_string (cb->pin);
  xfree (cb->serialno);
  scd_cardinfo_release (cb->info);
  xfree (cb);
  be->priv = NULL;
}


/* The card and its signature counter now: as read when it was opened
 * plus the signatures made since with the SIG slot (oca certifies on
 * the AUT slot, which the counter does not count).  A card of the pool
 * (SIGNED_BY, not the backend's open card): its counter when the pool
 * opened it.  */
static void
card_state (ca_backend_t *be, const char *signed_by, const char **r_ident,
            int64_t *r_sigcount)
{
  struct card_backend *cb = be->priv;
  size_t i;

  if (!signed_by
      || (cb->ready && cb->cur_ident && !strcmp (signed_by, cb->cur_ident)))
    {
      *r_ident = cb->ready && cb->cur_ident ? cb->cur_ident : cb->ident;
      *r_sigcount = cb->ready && cb->info->sig_counter_valid
        ? (int64_t)(cb->info->sig_counter + cb->slot[0].nsigned) : -1;
      return;
    }
  *r_ident = signed_by;
  *r_sigcount = -1;
  for (i = 0; i < cb->npcards; i++)
    if (!strcmp (cb->pcards[i].slot.ident, signed_by))
      {
        *r_ident = cb->pcards[i].slot.ident;
        *r_sigcount = cb->pcards[i].sigcount;
        break;
      }
}


static gpg_error_t
card_backups (ca_backend_t *be, int probe, ca_backup_card_t **r_list)
{
  struct card_backend *cb = be->priv;
  gpg_error_t err = 0;
  ca_card_conn_t *conn = NULL;
  ca_card_entry_t *cards = NULL, *e;
  ca_backup_card_t *list = NULL, **tail = &list, *b;
  size_t i;

  *r_list = NULL;
  if (!cb->nbackups)
    return 0;
  /* Where the cards are: only a help, so any failure just leaves the
   * readers unknown.  */
  if (probe && (ca_card_connect (cb->route, &conn)
                || ca_card_list_cards (conn, &cards)))
    {
      ca_card_entry_release (cards);
      cards = NULL;
      ca_clear_errmsg ();
    }
  for (i = 0; i < cb->nbackups; i++)
    {
      b = xtrycalloc (1, sizeof *b);
      if (!b)
        {
          err = oca_error_from_errno ();
          break;
        }
      *tail = b;
      tail = &b->next;
      snprintf (b->ident, sizeof b->ident, "%s", cb->backups[i].ident);
      e = ca_card_find (cards, b->ident);
      if (e && e->info && e->info->reader && *e->info->reader)
        {
          b->reader = xtrystrdup (e->info->reader);
          if (!b->reader)
            {
              err = oca_error_from_errno ();
              break;
            }
        }
    }
  ca_card_entry_release (cards);
  ca_card_conn_release (conn);
  if (err)
    ca_backup_cards_release (list);
  else
    *r_list = list;
  return err;
}


/* See ca.h.  */
void
ca_backup_cards_release (ca_backup_card_t *list)
{
  while (list)
    {
      ca_backup_card_t *next = list->next;

      xfree (list->reader);
      xfree (list);
      list = next;
    }
}


static const struct ca_backend_ops card_ops =
  {
    "card",
    card_certifier,
    card_signer,
    card_describe,
    card_export_private,
    card_release,
    0,
    card_certifier_pool,
    card_state,
    card_backups
  };


/* See ca-card.h.  */
gpg_error_t
ca_card_backend_set_backups (ca_backend_t *be, const db_cacard_t *cards)
{
  struct card_backend *cb = be->priv;
  const db_cacard_t *c;
  size_t n = 0;

  if (cb->nbackups || cb->ready)
    return gpg_error (GPG_ERR_INV_STATE);
  for (c = cards; c; c = c->next)
    n++;
  if (!n)
    return 0;
  cb->backups = xtrycalloc (n, sizeof *cb->backups);
  if (!cb->backups)
    return oca_error_from_errno ();
  for (c = cards; c; c = c->next, cb->nbackups++)
    {
      struct card_id *b = &cb->backups[cb->nbackups];

      b->ident = xtrystrdup (c->ident);
      b->pin = xtrymalloc_secure (strlen (c->pin) + 1);
      if (!b->ident || !b->pin)
        {
          gpg_error_t err = oca_error_from_errno ();

          xfree (b->ident);
          xfree (b->pin);
          return err;
        }
      strcpy (b->pin, c->pin);
    }
  return 0;
}


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
