/* t-ca-revoke.c - unit test of ca-revoke.c and ca-revset.c: user
 * revocations stored, listed, applied; the CA's revocation set
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>

static ca_t *ca;
static ca_info_t info;


/* Import CERT for EMAIL.  */
static gpg_error_t
import (pgp_cert_t *cert, const char *email)
{
  const char *emails[1];
  ca_certify_result_t res;
  gpg_error_t err;

  emails[0] = email;
  err = ca_begin (ca);
  if (!err)
    err = ca_user_import (ca, cert, NULL, emails, 1, &res);
  ca_certify_result_release (&res);
  if (!err)
    err = ca_commit (ca);
  return err;
}


/* The stored user FPR: its revocations and its info.  */
static gpg_error_t
stored (const char *fpr, ca_revocation_t **r_revs, pgp_cert_info_t *r_info)
{
  ca_user_iter_t *it = NULL;
  const ca_user_t *u;
  gpg_error_t err;

  *r_revs = NULL;
  err = ca_users_open (ca, NULL, &it);
  while (!err && !(err = ca_users_next (it, &u)))
    if (!strcmp (u->fpr, fpr))
      {
        err = ca_user_revocations (ca, u, r_revs);
        if (!err)
          err = pgp_cert_get_info (u->cert, 0, r_info);
        break;
      }
  ca_users_close (it);
  return err;
}


static void
test_user_revocations (void)
{
  const char *uids[] = { "Carol <carol@example.org>" };
  const char *duids[] = { "Dave <dave@example.org>" };
  pgp_cert_t *carol = tca_user_key (PGP_GEN_ED25519, uids, 1);
  pgp_cert_t *dave = tca_user_key (PGP_GEN_ED25519, duids, 1);
  pgp_cert_t *pub = NULL;
  pgp_signer_t self, dself;
  pgp_sig_t *rev = NULL, *drev = NULL, *cert_sig = NULL;
  char *revtext = NULL, *drevtext = NULL, *certtext = NULL;
  char fpr[41], cfpr[41], hash[17];
  ca_revocation_t *revs = NULL;
  pgp_cert_info_t ci;
  int added = -1;

  ok (carol && dave && !pgp_cert_copy (carol, 1, &pub)
      && !pgp_signer_from_key (carol->primary, &self)
      && !pgp_signer_from_key (dave->primary, &dself)
      && !pgp_make_key_revocation (carol, &self, PGP_REVOC_RETIRED,
                                   "left the company", 0, &rev)
      && !pgp_make_key_revocation (dave, &dself, 0, NULL, 0, &drev)
      && !pgp_sig_armor (rev, 0, PGP_ARMOR_PUBKEY, NULL, &revtext)
      && !pgp_sig_armor (drev, 0, PGP_ARMOR_PUBKEY, NULL, &drevtext),
      "keys and revocations");
  if (!drevtext)
    goto leave;
  pgp_cert_fpr_hex (carol, cfpr);
  ok_err (import (pub, "carol@example.org"), "import carol");

  ok_err (ca_begin (ca), "begin");
  ok_err (ca_revocation_add (ca, revtext, strlen (revtext), "c.rev", fpr,
                             &added), "add carol's revocation");
  ok (added == 1 && !strcmp (fpr, cfpr), "stored for carol");
  ok_err (ca_revocation_add (ca, revtext, strlen (revtext), "c.rev", fpr,
                             &added), "again");
  ok (added == 0, "not stored twice");
  ok_code (ca_revocation_add (ca, drevtext, strlen (drevtext), "d.rev", fpr,
                              &added), GPG_ERR_NOT_FOUND,
           "a revocation of a key not stored: refused");
  ok (ca_errmsg () && strstr (ca_errmsg (), "Couldn't find cert for this "
                              "fingerprint"), "with the reference's words");
  ok_code (ca_revocation_add (ca, "junk", 4, "j.rev", fpr, &added),
           GPG_ERR_INV_ARMOR, "junk refused");
  ok (ca_errmsg () && !strncmp (ca_errmsg (), "j.rev: ", 7),
      "naming the file");
  /* A certification is not a revocation.  */
  {
    pgp_uid_t *uid = pub->uids;

    ok (!pgp_cert_certify_uid (pub, uid, &self, NULL, &cert_sig)
        && !pgp_sig_armor (cert_sig, 0, PGP_ARMOR_SIGNATURE, NULL,
                           &certtext), "a certification");
    ok_code (certtext ? ca_revocation_add (ca, certtext, strlen (certtext),
                                           "x.sig", fpr, &added)
             : gpg_error (GPG_ERR_BUG), GPG_ERR_INV_VALUE,
             "refused: not a key revocation");
  }
  ok_err (ca_commit (ca), "commit");

  ok_err (stored (cfpr, &revs, &ci), "list carol's revocations");
  ca_revocation_hash (rev, hash);
  ok (revs && !revs->next && !strcmp (revs->hash, hash)
      && revs->has_reason && revs->reason == PGP_REVOC_RETIRED
      && revs->reason_text && !strcmp (revs->reason_text, "left the company")
      && revs->created == rev->created && !revs->published,
      "one: its id, reason, text, date; not applied");
  ok (!ci.revoked, "carol's key not revoked yet");
  ca_revocation_release (revs);
  revs = NULL;

  ok_err (ca_begin (ca), "begin");
  ok_code (ca_revocation_apply (ca, "0123456789ABCDEF", fpr),
           GPG_ERR_NOT_FOUND, "unknown id");
  ok (ca_errmsg () && !strcmp (ca_errmsg (), "No revocation found for "
                               "0123456789ABCDEF"), "reference message");
  ok_code (ca_revocation_apply (ca, "12", fpr), GPG_ERR_INV_VALUE,
           "malformed id");
  {
    char lower[17];
    size_t i;

    for (i = 0; i < 17; i++)
      lower[i] = (hash[i] >= 'A' && hash[i] <= 'F') ? hash[i] + 32 : hash[i];
    ok_err (ca_revocation_apply (ca, lower, fpr), "apply (lowercase id)");
  }
  ok (!strcmp (fpr, cfpr), "to carol");
  ok_err (ca_commit (ca), "commit");
  ok_err (stored (cfpr, &revs, &ci), "list again");
  ok (revs && revs->published, "applied");
  ok (ci.revoked && ci.revoc_reason == PGP_REVOC_RETIRED,
      "the stored key is revoked");

 leave:
  ca_revocation_release (revs);
  xfree (revtext);
  xfree (drevtext);
  xfree (certtext);
  pgp_sig_release (rev);
  pgp_sig_release (drev);
  pgp_cert_release (pub);
  pgp_cert_release (carol);
  pgp_cert_release (dave);
}


static void
test_revocation_set (void)
{
  char *text = NULL, *p;
  uint64_t before = 0, after = 0;
  uint32_t now = 1800000000u, last = 0;
  int nblocks = 0, nhard = 0, ngood = 0, ordered = 1;
  pgp_sig_t *sig;
  size_t len;

  ok_code (ca_revocation_set (ca, now, &text), GPG_ERR_INV_STATE,
           "needs a transaction");
  ok (!db_certification_count (ca->db, info.fpr, &before), "audit count");
  ok_err (ca_begin (ca), "begin");
  ok_err (ca_revocation_set (ca, now, &text), "the set");
  ok_err (ca_commit (ca), "commit");
  ok (!db_certification_count (ca->db, info.fpr, &after)
      && after == before + 242, "242 signatures in the audit table");
  if (!text)
    return;
  ok (strstr (text, "'openpgp-ca@example.org'")
      && strstr (text, "Revocation certificates (ordered by 'creation "
                 "time') follow:\n"), "explanation");
  ok (strstr (text, "Comment: Hard revocation (certificate compromised) "
              "(2027-01-15)\n")
      && strstr (text, "Comment: Soft revocation (certificate retired) "
                 "(2036-11-23)\n"), "dated comments, first and last");
  for (p = strstr (text, "-----BEGIN PGP PUBLIC KEY BLOCK-----"); p;
       p = strstr (p + 1, "-----BEGIN PGP PUBLIC KEY BLOCK-----"))
    {
      char *end = strstr (p, "-----END PGP PUBLIC KEY BLOCK-----");

      nblocks++;
      if (nblocks == 1 || !end)
        continue;
      len = end - p + 35;
      if (pgp_read_sigs (p, len, &sig))
        continue;
      if (sig->sigclass == PGP_SIG_KEY_REVOKE && !sig->next
          && !pgp_sig_verify (info.cert, NULL, NULL, sig,
                              info.cert->primary->pk))
        ngood++;
      if (sig->revoc_reason == PGP_REVOC_COMPROMISED)
        nhard++;
      if (sig->created < last)
        ordered = 0;
      last = sig->created;
      pgp_sig_release (sig);
    }
  ok (nblocks == 243, "the CA certificate and 242 blocks (%d)", nblocks);
  ok (ngood == 242, "242 key revocations that verify (%d)", ngood);
  ok (nhard == 121, "121 hard ones");
  ok (ordered && last == now + 120u * 30 * 86400, "ordered, over 3600 days");
  xfree (text);
}


int
main (void)
{
  tca_init ();
  ok_err (tca_make_ca ("ca.db", "example.org", PGP_GEN_ED25519, &ca),
          "a CA for example.org");
  if (!ca)
    return tap_done ();
  ca_get_info (ca, &info);
  test_user_revocations ();
  test_revocation_set ();
  ca_release (ca);
  return tap_done ();
}
