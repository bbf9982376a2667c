/* pgp-filter.c - certificates cut down to what may be published or merged
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two filters that change a certificate in place: keeping only some of
 * its User IDs (a Web Key Directory file carries the User IDs of its
 * address only), and dropping every signature that does not verify as
 * a self-signature or as a signature of a trusted issuer (what the CA
 * merges from a keyserver or a web server: no third-party
 * certifications, nothing unverifiable).
 */
#include <config.h>
#include "oca-common.h"
#include "pgp-int.h"

#include <string.h>


/* Keep in the list *LIST only the signatures whose status is GOOD;
 * add the number dropped to *DROPPED.  */
static void
keep_good_sigs (pgp_sig_t **list, int *dropped)
{
  pgp_sig_t *sig;

  while ((sig = *list))
    {
      if (sig->status == PGP_SIGSTAT_GOOD)
        {
          list = &sig->next;
          continue;
        }
      *list = sig->next;
      sig->next = NULL;
      pgp_sig_release (sig);
      (*dropped)++;
    }
}


/* Forget what is known about the signatures of LIST.  */
static void
reset_status (pgp_sig_t *list)
{
  for (; list; list = list->next)
    list->status = PGP_SIGSTAT_UNCHECKED;
}


/* Drop the unknown packets of *LIST, counting them in *DROPPED.  */
static void
drop_unknown (pgp_rawpkt_t **list, int *dropped)
{
  pgp_rawpkt_t *p;

  for (p = *list; p; p = p->next)
    (*dropped)++;
  _pgp_rawpkt_release (*list);
  *list = NULL;
}


/* See pgp.h.  */
gpg_error_t
pgp_cert_keep_uids (pgp_cert_t *cert,
                    int (*keep) (const pgp_uid_t *uid, void *opaque),
                    void *opaque, int *r_kept)
{
  pgp_uid_t **up, *uid;
  int kept = 0;

  if (r_kept)
    *r_kept = 0;
  if (!cert || !keep)
    return gpg_error (GPG_ERR_INV_ARG);
  up = &cert->uids;
  while ((uid = *up))
    {
      if (keep (uid, opaque))
        {
          kept++;
          up = &uid->next;
          continue;
        }
      *up = uid->next;
      uid->next = NULL;
      _pgp_uid_release (uid);
    }
  if (r_kept)
    *r_kept = kept;
  return 0;
}


/* See pgp.h.  */
gpg_error_t
pgp_cert_keep_verified (pgp_cert_t *cert, const pgp_cert_t *issuer,
                        int *r_dropped)
{
  gpg_error_t err;
  pgp_uid_t **up, *uid;
  pgp_key_t **kp, *key;
  int dropped = 0;

  if (r_dropped)
    *r_dropped = 0;
  if (!cert || !cert->primary)
    return gpg_error (GPG_ERR_INV_ARG);
  /* Only what is verified now counts (not a status set before, e.g.
   * by the signature's maker, nor one against another issuer).  */
  reset_status (cert->primary->sigs);
  for (uid = cert->uids; uid; uid = uid->next)
    reset_status (uid->sigs);
  for (key = cert->subkeys; key; key = key->next)
    reset_status (key->sigs);
  err = pgp_cert_verify (cert, issuer);
  if (err)
    return err;

  keep_good_sigs (&cert->primary->sigs, &dropped);
  drop_unknown (&cert->primary->unknown, &dropped);

  up = &cert->uids;
  while ((uid = *up))
    {
      keep_good_sigs (&uid->sigs, &dropped);
      drop_unknown (&uid->unknown, &dropped);
      if (uid->sigs)
        {
          up = &uid->next;
          continue;
        }
      /* No binding left: the User ID goes too.  */
      *up = uid->next;
      uid->next = NULL;
      _pgp_uid_release (uid);
      dropped++;
    }

  kp = &cert->subkeys;
  while ((key = *kp))
    {
      keep_good_sigs (&key->sigs, &dropped);
      drop_unknown (&key->unknown, &dropped);
      if (key->sigs)
        {
          kp = &key->next;
          continue;
        }
      *kp = key->next;
      key->next = NULL;
      pgp_key_release (key);
      dropped++;
    }

  if (r_dropped)
    *r_dropped = dropped;
  return 0;
}
