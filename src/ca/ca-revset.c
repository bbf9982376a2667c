/* ca-revset.c - the CA key's set of dated revocation certificates
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `ca revocations' (spec 3.9): revocations of the CA key made in
 * advance, to be kept offline and published when the key is lost or
 * compromised.  For i = 0 .. 120, at now + i * 30 days (about ten
 * years), one hard revocation (reason "key compromised": every
 * signature of the key becomes invalid) and one soft one ("key
 * retired": signatures made before stay valid).  The operator picks
 * the newest one dated before the incident.  Each is armored on its
 * own with the PUBLIC KEY BLOCK label (GnuPG refuses a revocation
 * armored as SIGNATURE) and a Comment naming its kind and date.  The
 * signatures are made by the backend's certifier (on a card: the AUT
 * slot) and recorded in the audit table like every signature the CA
 * makes.
 */
#include <config.h>
#include "ca-int.h"

#include <string.h>
#include <time.h>

#define REVSET_STEPS   121               /* i = 0 .. 120.  */
#define REVSET_PERIOD  (30u * 86400)     /* 30 days.  */


/* Append the explanation of the file for the CA with EMAIL to MB.  */
static void
put_header (membuf_t *mb, const char *email)
{
  membuf_put_str (mb, "This file contains revocation certificates for "
                  "the OpenPGP CA\ninstance '");
  membuf_put_str (mb, email);
  membuf_put_str (mb, "'.\n\n");
  membuf_put_str (mb,
    "These revocations can be used to invalidate the CA's key, e.g. if\n"
    "the private CA key was compromised (a third party has a copy) or\n"
    "has become inaccessible to you.\n"
    "\n"
    "CAUTION: Keep this file safe from third parties!  Anybody who has\n"
    "it can invalidate your CA certificate by publishing one of the\n"
    "revocations.\n"
    "\n"
    "Each revocation certificate takes effect at its creation time (the\n"
    "date in its Comment line).  There are two kinds:\n"
    "\n"
    "- Hard revocations (certificate compromised): every signature the\n"
    "  CA key ever made becomes invalid, including certifications made\n"
    "  before the revocation's date.\n"
    "- Soft revocations (certificate retired): signatures made before\n"
    "  the revocation's date stay valid.\n"
    "\n"
    "Use the newest revocation of the kind you need whose date lies\n"
    "before the incident: import it into GnuPG together with the CA\n"
    "certificate ('gpg --import') and publish the revoked certificate.\n"
    "\n"
    "The CA certificate:\n"
    "\n");
}


/* Make the key revocation of REASON/TEXT at CREATED with SIGNER, record
 * it and append it, armored with COMMENT, to MB.  */
static gpg_error_t
put_revocation (ca_t *ca, const pgp_signer_t *signer, int reason,
                const char *text, const char *kind, uint32_t created,
                membuf_t *mb)
{
  gpg_error_t err;
  pgp_sig_t *sig = NULL;
  char *armor = NULL, *comment = NULL;
  const char *comments[2];
  time_t t = created;
  struct tm tm;
  char day[16];

  err = pgp_make_key_revocation (ca->cert, signer, reason, text, created,
                                 &sig);
  if (err)
    {
      if (!ca_errmsg_for (err))
        ca_set_errmsg (err, "error making a revocation: %s",
                       gpg_strerror (err));
      return err;
    }
  if (!gmtime_r (&t, &tm) || !strftime (day, sizeof day, "%Y-%m-%d", &tm))
    strcpy (day, "?");
  comment = gpgrt_bsprintf ("%s (%s)", kind, day);
  if (!comment)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  comments[0] = comment;
  comments[1] = NULL;
  err = pgp_sig_armor (sig, 0, PGP_ARMOR_PUBKEY, comments, &armor);
  if (err)
    goto leave;
  membuf_put_str (mb, "\n");
  membuf_put_str (mb, armor);
  err = ca_record_sig (ca, 0, ca->fpr, NULL, sig, ca->fpr,
                       DB_CERTIFICATION_REVOCATION);

 leave:
  gpgrt_free (comment);
  xfree (armor);
  pgp_sig_release (sig);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_revocation_set (ca_t *ca, uint32_t now, char **r_text)
{
  gpg_error_t err;
  pgp_signer_t signer;
  membuf_t mb;
  char *email = NULL, *pub = NULL;
  size_t len, i;
  uint32_t t;

  *r_text = NULL;
  membuf_init (&mb, PGP_MAX_INPUT, 0);
  if (!now)
    now = (uint32_t)time (NULL);
  email = gpgrt_bsprintf ("%s@%s", CA_EMAIL_LOCALPART, ca->domain);
  if (!email)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  err = ca_export_public (ca, &pub);
  if (err)
    goto leave;
  err = ca->backend->ops->certifier (ca->backend, &signer);
  if (err)
    goto leave;

  put_header (&mb, email);
  membuf_put_str (&mb, pub);
  membuf_put_str (&mb, "\nRevocation certificates (ordered by 'creation "
                  "time') follow:\n");
  for (i = 0; i < REVSET_STEPS; i++)
    {
      t = now + (uint32_t)i * REVSET_PERIOD;
      err = put_revocation (ca, &signer, PGP_REVOC_COMPROMISED,
                            "Certificate has been compromised",
                            "Hard revocation (certificate compromised)", t,
                            &mb);
      if (!err)
        err = put_revocation (ca, &signer, PGP_REVOC_RETIRED,
                              "Certificate retired",
                              "Soft revocation (certificate retired)", t,
                              &mb);
      if (err)
        goto leave;
    }
  err = membuf_take (&mb, (unsigned char **)r_text, &len);

 leave:
  membuf_release (&mb);
  gpgrt_free (email);
  xfree (pub);
  return err;
}
