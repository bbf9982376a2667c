/* ca-backend.c - choose the CA key backend from its stored configuration
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The configuration string is the one kept in cacerts.backend:
 *
 *   NULL or ""          softkey (the private key is in the database)
 *   card;IDENT;PIN      an OpenPGP card (ca-card.c); its backup cards
 *                       are in table cacards
 *   split-front, split-back(...)  split mode (not in this build)
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


/* See ca-int.h.  */
gpg_error_t
ca_backend_new (ca_t *ca, int keyrow, ca_backend_t **r_be)
{
  const char *config = ca->cacert->backend;

  *r_be = NULL;
  if (!config || !*config)
    return ca_softkey_new (ca->cert, keyrow ? ca->db : NULL, ca->cacert->id,
                           r_be);
  if (!strncmp (config, "card;", 5))
    return card_backend (ca, config, r_be);
  if (!strncmp (config, "split", 5))
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_IMPLEMENTED),
                          "split mode is not supported by this version "
                          "of oca");
  return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                        "unknown CA backend configuration in the database");
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
