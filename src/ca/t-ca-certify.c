/* t-ca-certify.c - unit test of ca-certify.c: the certification policy
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * User keys are made by the OpenPGP library; the CA signs with a
 * softkey.  tests/cli covers the policy end to end through gpg and
 * sq (t-uid.sh, t-uid-bind.sh); this is the core's contract alone.
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>

static ca_t *ca;
static ca_info_t info;


/* The User ID NAME of CERT.  */
static pgp_uid_t *
uid_of (pgp_cert_t *cert, const char *name)
{
  return pgp_cert_find_uid (cert, name);
}


/* Certify CERT with EMAILS (NULL-terminated; NULL: domain emails).  */
static gpg_error_t
certify (pgp_cert_t *cert, const char *const *emails, int want_name,
         ca_certify_result_t *res)
{
  ca_policy_t policy;

  memset (&policy, 0, sizeof policy);
  if (emails)
    {
      policy.emails = emails;
      while (emails[policy.nemails])
        policy.nemails++;
    }
  else
    policy.domain_emails = 1;
  policy.want_name = want_name;
  return ca_certify (ca, cert, &policy, res);
}


/* Whether UID of CERT is validly certified by the CA now.  */
static int
certified (pgp_cert_t *cert, const char *uid)
{
  pgp_uid_t *u = uid_of (cert, uid);

  return u && !pgp_uid_certified_by (cert, u, info.cert, 0, NULL);
}


static void
test_emails (void)
{
  const char *uids[] = { "Alice <alice@example.org>",
                         "Alice <alice@other.org>", "<bob@example.org>" };
  const char *want_alice[] = { "alice@example.org", NULL };
  const char *want_carol[] = { "alice@example.org", "carol@example.org",
                               NULL };
  pgp_cert_t *cert = tca_user_key (PGP_GEN_ED25519, uids, 3);
  ca_certify_result_t res;
  pgp_uid_t *u;
  pgp_sig_t *sig;
  int n = 0;

  ok (cert != NULL, "a user key with three User IDs");
  if (!cert)
    return;
  ok_err (certify (cert, want_alice, 0, &res), "certify for alice@");
  ok (res.nmatched == 1 && res.made && !res.made->next
      && !strcmp (res.made->uid, "Alice <alice@example.org>")
      && res.nemails == 1 && !strcmp (res.emails[0], "alice@example.org")
      && !res.unmatched && !res.refused,
      "exactly the User ID with that address");
  ok (certified (cert, "Alice <alice@example.org>")
      && !certified (cert, "Alice <alice@other.org>")
      && !certified (cert, "<bob@example.org>"),
      "the certification is on the cert, and verifies");
  u = uid_of (cert, "Alice <alice@example.org>");
  for (sig = u ? u->sigs : NULL; sig; sig = sig->next)
    if (sig->has_issuer_fpr && !memcmp (sig->issuer_fpr,
                                         info.cert->primary->fpr, 20))
      {
        n++;
        ok (sig->sigclass == PGP_SIG_GENERIC_CERT && !sig->sig_expire
            && sig->signer_uid && !strcmp (sig->signer_uid, info.uid),
            "0x10, no expiration, Signer's User ID is the CA's");
      }
  ok (n == 1, "one CA signature");
  ok (res.made && res.made->sig_b64 && strlen (res.made->sig_b64) > 40,
      "the made signature, base64, for the audit record");
  ca_certify_result_release (&res);

  ok_err (certify (cert, want_carol, 0, &res), "certify again (+carol@)");
  ok (res.nmatched == 1 && !res.made, "alice@ is not certified twice");
  ok (res.unmatched && !strcmp (res.unmatched, "carol@example.org"),
      "carol@ is reported unmatched");
  ca_certify_result_release (&res);

  ok_err (certify (cert, NULL, 0, &res), "certify the domain's emails");
  ok (res.nmatched == 2 && res.made && !res.made->next
      && !strcmp (res.made->uid, "<bob@example.org>") && res.nemails == 2,
      "bob@ too (alice@ done); alice@other.org is not in the domain");
  ca_certify_result_release (&res);
  ok (!res.made && !res.emails && !res.nmatched,
      "a released result is empty");
  pgp_cert_release (cert);
}


static void
test_refused (void)
{
  const char *uids[] = { "Mallory <mallory@example.org> <m@evil.org>",
                         "Eve <eve@example.org>", "Eve <eve2@example.org>" };
  const char *want[] = { "eve@example.org", NULL };
  pgp_cert_t *cert = tca_user_key (PGP_GEN_ED25519, uids, 3);
  ca_certify_result_t res;
  pgp_signer_t self;
  char *line;

  ok (cert != NULL, "a key with an ambiguous User ID");
  if (!cert)
    return;
  ok_err (certify (cert, NULL, 0, &res), "certify the domain's emails");
  ok (res.nmatched == 2 && res.refused && !res.refused->next
      && strstr (res.refused->uid, "Mallory") && res.refused->why,
      "the ambiguous User ID is refused, with a reason");
  line = ca_refused_line ("FPR", res.refused);
  ok (line && !strncmp (line, "Warning: not certifying User ID 'Mallory",
                        40) && strstr (line, "' of FPR: "),
      "the warning line names User ID, key and reason");
  xfree (line);
  ok (!certified (cert, uids[0]), "and not certified");
  ca_certify_result_release (&res);

  /* The owner revokes a User ID: the CA no longer certifies it.  */
  pgp_cert_release (cert);
  cert = tca_user_key (PGP_GEN_ED25519, uids + 1, 1);
  ok (cert && !pgp_signer_from_key (cert->primary, &self)
      && !pgp_cert_revoke_uid (cert, uid_of (cert, uids[1]), &self,
                               PGP_REVOC_UID_INVALID, NULL, 0, NULL),
      "a key whose owner revoked its User ID");
  ok_err (cert ? certify (cert, want, 0, &res) : gpg_error (GPG_ERR_BUG),
          "certify it");
  ok (!res.nmatched && res.refused
      && !strcmp (res.refused->why, "revoked by its owner")
      && !res.unmatched, "refused: revoked by its owner");
  ca_certify_result_release (&res);
  pgp_cert_release (cert);
}


static void
test_name (void)
{
  const char *same[] = { "Carol Doe <carol@example.org>",
                         "Carol Doe <c.doe@example.org>" };
  const char *differ[] = { "Dan <dan@example.org>",
                           "Daniel <daniel@example.org>" };
  const char *copies[] = { "<fred@example.org>", "<fred@example.org>" };
  const char *fred[] = { "fred@example.org", NULL };
  pgp_cert_t *cert;
  ca_certify_result_t res;

  cert = tca_user_key (PGP_GEN_ED25519, same, 2);
  ok (cert && !certify (cert, NULL, 1, &res) && res.name
      && !strcmp (res.name, "Carol Doe"), "one name: found");
  ca_certify_result_release (&res);
  pgp_cert_release (cert);
  cert = tca_user_key (PGP_GEN_ED25519, differ, 2);
  ok (cert && !certify (cert, NULL, 1, &res) && !res.name
      && res.nmatched == 2, "two names: none");
  ca_certify_result_release (&res);
  pgp_cert_release (cert);
  cert = tca_user_key (PGP_GEN_ED25519, copies, 2);
  ok (cert && !certify (cert, fred, 0, &res) && res.nmatched == 1
      && res.made && !res.made->next,
      "identical copies of a User ID are one, certified once");
  ca_certify_result_release (&res);
  pgp_cert_release (cert);
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
  test_emails ();
  test_refused ();
  test_name ();
  ca_release (ca);
  return tap_done ();
}
