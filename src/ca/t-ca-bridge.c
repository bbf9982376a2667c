/* t-ca-bridge.c - unit test of ca-bridge.c: scoped trust signatures
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>

#define REMOTE "openpgp-ca@beta.example"

static ca_t *ca;                /* CA A, alpha.example.  */
static ca_info_t info;


/* The public certificate of the CA in database NAME for DOMAIN (made
 * now), or NULL.  */
static pgp_cert_t *
other_ca (const char *name, const char *domain)
{
  ca_t *o = NULL;
  ca_info_t oi;
  pgp_cert_t *pub = NULL;

  if (tca_make_ca (name, domain, PGP_GEN_ED25519, &o))
    return NULL;
  ca_get_info (o, &oi);
  if (pgp_cert_copy (oi.cert, 1, &pub))
    pub = NULL;
  ca_release (o);
  return pub;
}


/* The signatures on the one User ID of CERT by CA A: the number of good
 * trust signatures with the scope REGEX, of good revocations.  */
static void
count_sigs (pgp_cert_t *cert, const char *regex, int *r_tsigs, int *r_revs)
{
  pgp_sig_t *sig;

  *r_tsigs = *r_revs = 0;
  if (pgp_cert_verify (cert, info.cert))
    return;
  for (sig = cert->uids->sigs; sig; sig = sig->next)
    {
      if (sig->status != PGP_SIGSTAT_GOOD
          || memcmp (sig->issuer_fpr, info.cert->primary->fpr, 20))
        continue;
      if (sig->sigclass == PGP_SIG_GENERIC_CERT && sig->has_trust
          && sig->trust_level == 255 && sig->trust_amount == 120
          && sig->regex && !strcmp (sig->regex, regex))
        ++*r_tsigs;
      else if (sig->sigclass == PGP_SIG_CERT_REVOKE && sig->revoc_text
               && !strcmp (sig->revoc_text, "removing OpenPGP CA bridge"))
        ++*r_revs;
    }
}


static void
test_new (pgp_cert_t *beta)
{
  ca_bridge_t *b = NULL, *list = NULL;
  int tsigs, revs;
  char fpr[41];

  ok_err (ca_bridge_new (ca, beta, "beta.asc", NULL, NULL, 0, &b),
          "dry run (no transaction needed)");
  ok (b && !strcmp (b->email, REMOTE) && !strcmp (b->scope, "beta.example")
      && !strcmp (b->regex, "<[^>]+[@.]beta\\.example>$")
      && !strcmp (b->fpr, pgp_cert_fpr_hex (beta, fpr))
      && !strcmp (b->uid, "OpenPGP CA <" REMOTE ">") && !b->active,
      "it names the remote CA, scope and regular expression");
  count_sigs (b ? b->cert : beta, b ? b->regex : "", &tsigs, &revs);
  ok (!tsigs && !revs, "and signs nothing");
  ca_bridge_release (b);
  b = NULL;
  ok_err (ca_bridges_get (ca, NULL, &list), "list");
  ok (!list, "nothing stored");

  ok_code (ca_bridge_new (ca, beta, "beta.asc", NULL, NULL, 1, &b),
           GPG_ERR_INV_STATE, "commit needs a transaction");
  ok (!b, "and returns nothing");
  ok_err (ca_begin (ca), "begin");
  ok_err (ca_bridge_new (ca, beta, "beta.asc", REMOTE, "Beta.Example", 1,
                         &b), "commit (-e and -s given, as they are)");
  ok (b && b->active && !strcmp (b->scope, "beta.example"), "active");
  count_sigs (b ? b->cert : beta, "<[^>]+[@.]beta\\.example>$", &tsigs,
              &revs);
  ok (tsigs == 1 && !revs,
      "one good trust signature 255/120 with the scope's regex");
  ok_err (ca_commit (ca), "commit");
  ca_bridge_release (b);
  b = NULL;

  ok_err (ca_bridges_get (ca, NULL, &list), "list");
  ok (list && !list->next && list->active && !strcmp (list->email, REMOTE)
      && !strcmp (list->scope, "beta.example"), "one bridge, active");
  if (list)
    {
      count_sigs (list->cert, list->regex, &tsigs, &revs);
      ok (tsigs == 1 && !revs, "stored with its trust signature");
    }
  ca_bridge_release (list);
  list = NULL;
  ok_err (ca_bridges_get (ca, REMOTE, &list), "get by address");
  ok (list && !list->next, "finds it");
  ca_bridge_release (list);
  list = NULL;
  ok_code (ca_bridges_get (ca, "openpgp-ca@nowhere.example", &list),
           GPG_ERR_NOT_FOUND, "an unknown address is not found");
  ok (ca_errmsg () && strstr (ca_errmsg (), "no bridge to "
                              "openpgp-ca@nowhere.example"), "says so");
}


static void
test_refused (pgp_cert_t *beta)
{
  const char *one[] = { "Carol <carol@gamma.example>" };
  const char *two[] = { "OpenPGP CA <openpgp-ca@gamma.example>",
                        "Gamma <info@gamma.example>" };
  const char *bare[] = { "openpgp-ca@gamma.example" };
  pgp_cert_t *carol = tca_user_key (PGP_GEN_ED25519, one, 1);
  pgp_cert_t *twouids = tca_user_key (PGP_GEN_ED25519, two, 2);
  pgp_cert_t *bareuid = tca_user_key (PGP_GEN_ED25519, bare, 1);
  pgp_cert_t *gamma = other_ca ("gamma.db", "gamma.example");
  pgp_cert_t *mine = other_ca ("alpha2.db", "alpha.example");
  pgp_cert_t *own = NULL;
  ca_bridge_t *b = NULL;

  ok (carol && twouids && bareuid && gamma && mine
      && !pgp_cert_copy (info.cert, 1, &own), "the keys");
  if (!own)
    return;
  ok_err (ca_begin (ca), "begin");
  ok_code (ca_bridge_new (ca, carol, "carol.asc", NULL, NULL, 1, &b),
           GPG_ERR_BAD_CA_CERT, "a user key is not a CA key");
  ok (ca_errmsg () && strstr (ca_errmsg (), "carol.asc is not an OpenPGP "
                              "CA key") && strstr (ca_errmsg (), "not "
                              "openpgp-ca@DOMAIN"), "and says why");
  ok_code (ca_bridge_new (ca, twouids, "two.asc", NULL, NULL, 1, &b),
           GPG_ERR_BAD_CA_CERT, "nor one with two User IDs");
  ok (ca_errmsg () && strstr (ca_errmsg (), "expected exactly one User ID, "
                              "found 2"), "says so");
  ok_err (ca_bridge_new (ca, bareuid, "bare.asc", NULL, NULL, 0, &b),
          "a bare address as User ID will do");
  ca_bridge_release (b);
  b = NULL;
  ok_code (ca_bridge_new (ca, own, "own.asc", NULL, NULL, 1, &b),
           GPG_ERR_CONFLICT, "the CA's own key is refused");
  ok_code (ca_bridge_new (ca, mine, "mine.asc", NULL, NULL, 1, &b),
           GPG_ERR_CONFLICT, "so is a CA for the same domain");
  ok_code (ca_bridge_new (ca, beta, "beta.asc", NULL, NULL, 0, &b),
           GPG_ERR_DUP_KEY, "a second bridge to the same CA (dry run)");
  ok (ca_errmsg () && strstr (ca_errmsg (), "a bridge to " REMOTE
                              " exists already"), "says so");
  ok_code (ca_bridge_new (ca, gamma, "gamma.asc", NULL, "beta.example", 1,
                          &b), GPG_ERR_NOT_SUPPORTED,
           "a scope other than the CA's domain");
  ok_code (ca_bridge_new (ca, gamma, "gamma.asc", NULL, "gamma..example",
                          1, &b), GPG_ERR_INV_NAME, "an invalid scope");
  ok_code (ca_bridge_new (ca, gamma, "gamma.asc", REMOTE, NULL, 1, &b),
           GPG_ERR_INV_USER_ID, "an address that is not the CA's");
  ok (!b, "nothing returned");
  ok_err (ca_commit (ca), "commit (nothing)");
  {
    ca_bridge_t *list = NULL;

    ok (!ca_bridges_get (ca, NULL, &list) && list && !list->next,
        "still one bridge");
    ca_bridge_release (list);
  }
  pgp_cert_release (own);
  pgp_cert_release (mine);
  pgp_cert_release (gamma);
  pgp_cert_release (bareuid);
  pgp_cert_release (twouids);
  pgp_cert_release (carol);
}


static void
test_revoke (void)
{
  ca_bridge_t *list = NULL;
  char *armor = NULL;
  int tsigs, revs;

  ok_code (ca_bridge_revoke (ca, REMOTE, &armor), GPG_ERR_INV_STATE,
           "revoke needs a transaction");
  ok_err (ca_begin (ca), "begin");
  ok_code (ca_bridge_revoke (ca, "openpgp-ca@nowhere.example", &armor),
           GPG_ERR_NOT_FOUND, "an unknown bridge");
  ok_err (ca_bridge_revoke (ca, REMOTE, &armor), "revoke");
  ok (armor && strstr (armor, "-----BEGIN PGP SIGNATURE-----"),
      "hands out the revocation");
  ok_err (ca_commit (ca), "commit");
  ok_err (ca_bridges_get (ca, REMOTE, &list), "get");
  ok (list && !list->active, "no longer active");
  if (list)
    {
      count_sigs (list->cert, list->regex, &tsigs, &revs);
      ok (tsigs == 1 && revs == 1,
          "stored with the trust signature and its revocation");
    }
  ca_bridge_release (list);
  xfree (armor);
  armor = NULL;
  ok_err (ca_begin (ca), "begin");
  ok_code (ca_bridge_revoke (ca, REMOTE, &armor), GPG_ERR_NOT_FOUND,
           "a second revocation is refused");
  ok (ca_errmsg () && strstr (ca_errmsg (), "no valid trust signature"),
      "says so");
  ok (!armor, "nothing handed out");
  ca_release (ca);
  ca = NULL;
}


int
main (void)
{
  pgp_cert_t *beta;

  tca_init ();
  ok_err (tca_make_ca ("alpha.db", "alpha.example", PGP_GEN_ED25519, &ca),
          "CA A for alpha.example");
  beta = other_ca ("beta.db", "beta.example");
  ok (beta != NULL, "CA B for beta.example");
  if (!ca || !beta)
    return tap_done ();
  ca_get_info (ca, &info);
  test_new (beta);
  test_refused (beta);
  test_revoke ();
  pgp_cert_release (beta);
  return tap_done ();
}
