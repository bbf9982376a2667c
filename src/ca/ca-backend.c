/* ca-backend.c - choose the CA key backend from its stored configuration
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The configuration string is the one kept in cacerts.backend:
 *
 *   NULL or ""          softkey (the private key is in the database)
 *   card;IDENT;PIN      an OpenPGP card (ca-card.c); its backup cards
 *                       are in table cacards
 *   split-front         the online front of a split CA: no key; its
 *                       certifications are queued (ca-split.c)
 *   split-back(INNER)   the offline back of a split CA: INNER is one of
 *                       the above ("" softkey, "card;IDENT;PIN")
 *
 * The strings and the lines of `ca show' are openpgp-ca's (spec 2).
 */
#include <config.h>
#include "ca-int.h"
#include "ca-card.h"

#include <string.h>


/* The card backend of CA for CONFIG, with the CA's backup cards (when
 * there is a database to read them from).  */
static gpg_error_t
card_backend (ca_t *ca, const char *config, ca_backend_t **r_be)
{
  gpg_error_t err;
  db_cacard_t *cards = NULL;

  err = ca_card_backend_new (config, ca->cert, ca->card_route, r_be);
  if (!err && ca->db)
    err = db_cacard_list (ca->db, ca->cacert->id, &cards);
  if (err && !ca_errmsg_for (err))
    ca_db_errmsg (ca, err, "reading the CA's cards");
  if (!err)
    err = ca_card_backend_set_backups (*r_be, cards);
  db_cacard_release (cards);
  if (err)
    {
      ca_backend_release (*r_be);
      *r_be = NULL;
    }
  return err;
}


/* The messages of a front, whose backend holds no key.  */
#define FRONT_CERTIFY_MSG "Operation is not supported on a split-mode " \
  "CA front instance. Please perform it on your back CA instance."
#define FRONT_SIGN_MSG "Operation is not currently supported on a " \
  "split-mode CA instance. Please perform it on your back CA instance."

static gpg_error_t
front_certifier (ca_backend_t *be, pgp_signer_t *r_signer)
{
  (void)be;
  memset (r_signer, 0, sizeof *r_signer);
  return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                        FRONT_CERTIFY_MSG);
}

static gpg_error_t
front_signer (ca_backend_t *be, pgp_signer_t *r_signer)
{
  (void)be;
  memset (r_signer, 0, sizeof *r_signer);
  return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED), FRONT_SIGN_MSG);
}

static gpg_error_t
front_describe (ca_backend_t *be, char **r_text)
{
  (void)be;
  *r_text = xtrystrdup ("Split-mode front instance");
  return *r_text ? 0 : oca_error_from_errno ();
}

static gpg_error_t
front_export_private (ca_backend_t *be, char **r_armor, size_t *r_len)
{
  (void)be;
  *r_armor = NULL;
  *r_len = 0;
  return gpg_error (GPG_ERR_NOT_SUPPORTED);
}

static const struct ca_backend_ops front_ops =
  {
    CA_BACKEND_SPLIT_FRONT, front_certifier, front_signer, front_describe,
    front_export_private, NULL, 0, NULL, NULL, NULL
  };


/* A back signs with its inner backend (BE->priv).  */
static gpg_error_t
back_certifier (ca_backend_t *be, pgp_signer_t *r_signer)
{
  ca_backend_t *in = be->priv;

  in->unattended = be->unattended;
  return in->ops->certifier (in, r_signer);
}

static gpg_error_t
back_signer (ca_backend_t *be, pgp_signer_t *r_signer)
{
  ca_backend_t *in = be->priv;

  in->unattended = be->unattended;
  return in->ops->signer (in, r_signer);
}

static gpg_error_t
back_describe (ca_backend_t *be, char **r_text)
{
  gpg_error_t err;
  ca_backend_t *in = be->priv;
  char *inner = NULL;
  size_t n;

  *r_text = NULL;
  err = in->ops->describe (in, &inner);
  if (err)
    return err;
  n = strlen (inner) + 64;
  *r_text = xtrymalloc_secure (n);
  if (!*r_text)
    err = oca_error_from_errno ();
  else
    snprintf (*r_text, n, "Split-mode back instance (based on: %s)", inner);
  wipe_and_free_string (inner);
  return err;
}

static gpg_error_t
back_export_private (ca_backend_t *be, char **r_armor, size_t *r_len)
{
  ca_backend_t *in = be->priv;

  return in->ops->export_private (in, r_armor, r_len);
}

static void
back_card_state (ca_backend_t *be, const char *signed_by,
                 const char **r_ident, int64_t *r_sigcount)
{
  ca_backend_t *in = be->priv;

  *r_ident = NULL;
  *r_sigcount = -1;
  if (in->ops->card_state)
    in->ops->card_state (in, signed_by, r_ident, r_sigcount);
}

static gpg_error_t
back_backups (ca_backend_t *be, int probe, ca_backup_card_t **r_list)
{
  ca_backend_t *in = be->priv;

  *r_list = NULL;
  if (!in->ops->backups)
    return 0;
  return in->ops->backups (in, probe, r_list);
}

static void
back_release (ca_backend_t *be)
{
  ca_backend_release (be->priv);
  be->priv = NULL;
}

static const struct ca_backend_ops back_ops =
  {
    CA_BACKEND_SPLIT_BACK, back_certifier, back_signer, back_describe,
    back_export_private, back_release, 0, NULL, back_card_state,
    back_backups
  };


/* The backend of CONFIG (not a split one) for CA.  */
static gpg_error_t
plain_backend (ca_t *ca, const char *config, int keyrow, ca_backend_t **r_be)
{
  if (!config || !*config)
    return ca_softkey_new (ca->cert, keyrow ? ca->db : NULL, ca->cacert->id,
                           r_be);
  if (!strncmp (config, "card;", 5))
    return card_backend (ca, config, r_be);
  return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                        "unknown CA backend configuration in the database");
}


/* See ca-int.h.  */
gpg_error_t
ca_backend_new (ca_t *ca, int keyrow, ca_backend_t **r_be)
{
  gpg_error_t err;
  const char *config = ca->cacert->backend;
  char *inner = NULL;
  ca_backend_t *be = NULL;
  size_t n;

  *r_be = NULL;
  if (!config || strncmp (config, "split", 5))
    return plain_backend (ca, config, keyrow, r_be);

  be = xtrycalloc (1, sizeof *be);
  if (!be)
    return oca_error_from_errno ();
  be->cacert = ca->cert;
  if (!strcmp (config, CA_BACKEND_SPLIT_FRONT))
    be->ops = &front_ops;
  else if (!strncmp (config, "split-back(", 11)
           && (n = strlen (config)) > 11 && config[n - 1] == ')')
    {
      inner = xtrymalloc_secure (n - 11);
      if (!inner)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      memcpy (inner, config + 11, n - 12);
      inner[n - 12] = 0;
      if (!strncmp (inner, "split", 5))
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                               "Illegal inner backend: %s", inner);
          goto leave;
        }
      err = plain_backend (ca, inner, keyrow, (ca_backend_t **)&be->priv);
      if (err)
        goto leave;
      be->ops = &back_ops;
    }
  else
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                           "unknown CA backend configuration in the "
                           "database");
      goto leave;
    }
  *r_be = be;
  be = NULL;
  err = 0;

 leave:
  wipe_and_free_string (inner);
  xfree (be);
  return err;
}


/* See ca-int.h.  */
void
ca_backend_release (ca_backend_t *be)
{
  if (!be)
    return;
  if (be->ops && be->ops->release)
    be->ops->release (be);
  xfree (be);
}


/* See ca.h.  */
int
ca_split_mode (ca_t *ca)
{
  if (!ca || !ca->backend)
    return CA_SPLIT_NONE;
  if (!strcmp (ca->backend->ops->type, CA_BACKEND_SPLIT_FRONT))
    return CA_SPLIT_FRONT;
  if (!strcmp (ca->backend->ops->type, CA_BACKEND_SPLIT_BACK))
    return CA_SPLIT_BACK;
  return CA_SPLIT_NONE;
}
