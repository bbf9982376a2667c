/* t-ca-user.c - unit test of ca-user.c: users, the walk, export, tsigs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>

static ca_t *ca;
static ca_info_t info;


/* Walk the users (EMAIL as ca_users_open); return their number or -1,
 * with the fingerprints in FPRS (up to 8).  */
static int
walk (const char *email, char fprs[8][41])
{
  ca_user_iter_t *it = NULL;
  const ca_user_t *u;
  gpg_error_t err;
  int n = 0;

  err = ca_users_open (ca, email, &it);
  while (!err && !(err = ca_users_next (it, &u)))
    {
      if (n < 8)
        strcpy (fprs[n], u->fpr);
      n++;
    }
  ca_users_close (it);
  return gpg_err_code (err) == GPG_ERR_EOF ? n : -1;
}


static void
test_create (char fpr[41])
{
  const char *emails[] = { "alice@example.org", "a.smith@example.org" };
  ca_new_user_t u;
  pgp_cert_t *key = NULL;
  char fprs[8][41];

  ok_code (ca_user_create (ca, "Alice", emails, 2, 0, &u), GPG_ERR_INV_STATE,
           "user add needs a transaction");
  ok (!u.key && !u.passphrase, "and hands out nothing");
  ok_err (ca_begin (ca), "begin");
  ok_err (ca_user_create (ca, "Alice", emails, 2, 0, &u), "user add");
  ok (u.passphrase && gcry_is_secure (u.passphrase) && u.key
      && gcry_is_secure (u.key) && strlen ((char *)u.key) == u.keylen,
      "key and passphrase in secure memory");
  ok (u.key && !pgp_read_cert (u.key, u.keylen, &key)
      && key->primary->secret == PGP_SECRET_ENCRYPTED
      && !pgp_cert_unprotect (key, u.passphrase)
      && key->primary->secret == PGP_SECRET_PLAIN,
      "the key is protected with the passphrase");
  ok (key && key->primary->pk->algo == PK_EDDSA,
      "of the CA key's kind (Ed25519)");
  ok (key && pgp_cert_find_uid (key, "Alice <alice@example.org>")
      && pgp_cert_find_uid (key, "Alice <a.smith@example.org>"),
      "with a User ID per address");
  strcpy (fpr, u.fpr);
  ok_err (ca_commit (ca), "commit");
  ca_new_user_release (&u);
  ok (!u.key && !u.passphrase, "released");
  ok (walk (NULL, fprs) == 1 && !strcmp (fprs[0], fpr), "one user stored");
  ok (walk ("a.smith@example.org", fprs) == 1, "found by either address");
  pgp_cert_release (key);
}


static void
test_status (const char *fpr)
{
  ca_user_iter_t *it = NULL;
  const ca_user_t *u = NULL;
  ca_user_status_t st;
  char buf[41];

  ok_err (ca_users_open (ca, NULL, &it), "walk");
  ok_err (it ? ca_users_next (it, &u) : gpg_error (GPG_ERR_BUG), "first");
  ok (u && !strcmp (u->fpr, fpr) && u->name && !strcmp (u->name, "Alice")
      && u->nemails == 2 && u->cert
      && !strcmp (pgp_cert_fpr_hex (u->cert, buf), fpr),
      "the user as stored: name, emails, parsed cert");
  ok_err (u ? ca_user_status (ca, u, 0, &st) : gpg_error (GPG_ERR_BUG),
          "status");
  ok (st.ncertified == 2 && st.tsigned && st.nrevocations == 1
      && !st.info_err && !st.info.revoked && !st.info.expires,
      "two certified User IDs, trust-signed the CA, one revocation, "
      "no expiration");
  ca_user_status_release (&st);
  ok_code (ca_users_next (it, &u), GPG_ERR_EOF, "then the end");
  ok (!u, "with no user");
  ca_users_close (it);
}


/* user add with a spec: suite, subkeys, passphrase (ca_user_create_ex).  */
static void
test_create_ex (void)
{
  const char *emails[] = { "erin@example.org" };
  ca_user_spec_t spec;
  ca_new_user_t u;
  pgp_cert_t *key = NULL;
  const pgp_key_t *sub;
  int n = 0, auth = 0;

  memset (&spec, 0, sizeof spec);
  spec.emails = emails;
  spec.nemails = 1;
  spec.algo = PGP_GEN_NISTP521;
  spec.subkeys = CA_SUBKEY_AUTH;
  spec.passphrase = "chosen";
  ok_err (ca_begin (ca), "begin");
  ok_err (ca_user_create_ex (ca, &spec, &u), "user add: P-521, only an "
          "authentication subkey, a chosen passphrase");
  ok (u.passphrase && !strcmp (u.passphrase, "chosen")
      && gcry_is_secure (u.passphrase), "the passphrase, in secure memory");
  ok (u.key && !pgp_read_cert (u.key, u.keylen, &key)
      && key->primary->pk->algo == PK_ECDSA
      && key->primary->pk->curve == PK_CURVE_NISTP521
      && !pgp_cert_unprotect (key, "chosen"), "a P-521 key protected with it");
  for (sub = key ? key->subkeys : NULL; sub; sub = sub->next, n++)
    auth = sub->sigs && sub->sigs->has_key_flags
      && sub->sigs->key_flags == PGP_KF_AUTH;
  ok (n == 1 && auth, "one subkey, for authentication");
  ca_new_user_release (&u);
  pgp_cert_release (key);
  key = NULL;

  emails[0] = "fay@example.org";
  spec.algo = 0;
  spec.subkeys = 0;
  spec.passphrase = "";
  ok_err (ca_user_create_ex (ca, &spec, &u), "user add: no subkeys, an "
          "empty passphrase");
  ok (!u.passphrase, "no passphrase");
  ok (u.key && !pgp_read_cert (u.key, u.keylen, &key) && !key->subkeys
      && key->primary->secret == PGP_SECRET_PLAIN
      && key->primary->pk->algo == PK_EDDSA,
      "an unprotected Ed25519 key without subkeys");
  ok_err (ca_commit (ca), "commit");
  ca_new_user_release (&u);
  pgp_cert_release (key);
}


static void
test_import (void)
{
  const char *uids[] = { "Bob <bob@example.org>", "Bob <bob@b.example>" };
  const char *bob[] = { "bob@example.org" };
  const char *nobody[] = { "nobody@example.org" };
  pgp_cert_t *key = tca_user_key (PGP_GEN_ED25519, uids, 2), *pub = NULL;
  pgp_cert_t *cacopy = NULL;
  const char *caemail[] = { "openpgp-ca@example.org" };
  ca_certify_result_t res;
  char fprs[8][41];

  ok (key && !pgp_cert_copy (key, 1, &pub), "Bob's key");
  if (!pub)
    return;
  ok_err (ca_begin (ca), "begin");
  ok_code (ca_user_import (ca, pub, NULL, nobody, 1, &res),
           GPG_ERR_NOT_FOUND, "nothing to certify: not imported");
  ok (res.unmatched && !strcmp (res.unmatched, "nobody@example.org"),
      "the result says why");
  ok (ca_errmsg () && strstr (ca_errmsg (), "the key was not imported"),
      "and so does the message");
  ca_certify_result_release (&res);
  ok_err (ca_user_import (ca, pub, NULL, bob, 1, &res), "import for bob@");
  ok (res.nmatched == 1 && res.name && !strcmp (res.name, "Bob"),
      "certified, and the name found");
  ca_certify_result_release (&res);
  ok_code (ca_user_import (ca, pub, NULL, bob, 1, &res), GPG_ERR_DUP_KEY,
           "a second import is refused");
  ok (ca_errmsg () && strstr (ca_errmsg (), "'user update'"),
      "pointing to user update");
  ok (!pgp_cert_copy (info.cert, 1, &cacopy), "the CA's cert");
  ok_code (cacopy ? ca_user_import (ca, cacopy, NULL, caemail, 1, &res)
           : gpg_error (GPG_ERR_BUG), GPG_ERR_CONFLICT,
           "the CA's own key is refused");
  ok_err (ca_commit (ca), "commit");
  ok (walk (NULL, fprs) == 2, "two users");
  ok (walk ("bob@example.org", fprs) == 1, "Bob by his address");
  ok (walk ("bob@b.example", fprs) == 0, "not by one not certified");
  pgp_cert_release (cacopy);
  pgp_cert_release (pub);
  pgp_cert_release (key);
}


static void
test_update_and_revocations (void)
{
  const char *uids[] = { "Carol <carol@example.org>" };
  const char *carol[] = { "carol@example.org" };
  pgp_cert_t *key = tca_user_key (PGP_GEN_ED25519, uids, 1), *pub = NULL;
  pgp_cert_t *newer = NULL;
  pgp_signer_t self;
  pgp_sig_t *rev = NULL;
  ca_certify_result_t res;
  char *revtext = NULL;
  int added = -1;

  ok (key && !pgp_cert_copy (key, 1, &pub)
      && !pgp_signer_from_key (key->primary, &self)
      && !pgp_make_key_revocation (key, &self, 0, NULL, 0, &rev)
      && !pgp_sig_armor (rev, 0, PGP_ARMOR_PUBKEY, NULL, &revtext),
      "Carol's key and revocation");
  if (!revtext)
    return;
  ok_err (ca_begin (ca), "begin");
  ok_code (ca_user_update (ca, pub, "carol.asc", &added), GPG_ERR_NOT_FOUND,
           "update of an unknown key is refused");
  ok (ca_errmsg () && strstr (ca_errmsg (), "'user import'"),
      "pointing to user import");
  ok_err (ca_user_import (ca, pub, "Carol C.", carol, 1, &res), "import");
  ca_certify_result_release (&res);
  ok_err (ca_user_add_revocations (ca, pub, "rev.asc", revtext,
                                   strlen (revtext)), "store a revocation");
  ok_err (ca_user_add_revocations (ca, pub, "rev.asc", revtext,
                                   strlen (revtext)),
          "the same one again: skipped");
  ok_code (ca_user_add_revocations (ca, info.cert, "rev.asc", revtext,
                                    strlen (revtext)), GPG_ERR_NOT_FOUND,
           "for a key not stored: refused");
  ok_code (ca_user_add_revocations (ca, pub, "junk.asc", "junk", 4),
           GPG_ERR_INV_ARMOR, "junk: refused");
  ok (ca_errmsg () && !strncmp (ca_errmsg (), "junk.asc: ", 10),
      "naming the file");
  ok_err (ca_user_update (ca, pub, "carol.asc", &added),
          "update, nothing new");
  ok (added == 0, "adds nothing");
  ok (!pgp_cert_copy (key, 1, &newer)
      && !pgp_cert_add_revocation (newer, rev, NULL), "a newer copy");
  ok_err (newer ? ca_user_update (ca, newer, "carol.asc", &added)
          : gpg_error (GPG_ERR_BUG), "update with it");
  ok (added == 1, "adds the revocation signature");
  ok_err (ca_commit (ca), "commit");
  {
    ca_user_iter_t *it = NULL;
    const ca_user_t *u = NULL;
    ca_user_status_t st;

    memset (&st, 0, sizeof st);
    if (!ca_users_open (ca, "carol@example.org", &it)
        && !ca_users_next (it, &u))
      ca_user_status (ca, u, 0, &st);
    ok (u && u->name && !strcmp (u->name, "Carol C.") && st.info.revoked
        && st.nrevocations == 1,
        "stored: the given name, revoked, one revocation certificate");
    ca_user_status_release (&st);
    ca_users_close (it);
  }
  xfree (revtext);
  pgp_sig_release (rev);
  pgp_cert_release (newer);
  pgp_cert_release (pub);
  pgp_cert_release (key);
}


static void
test_export_and_tsigs (void)
{
  char *text = NULL;
  pgp_cert_t *certs = NULL, *c, *copy = NULL;
  const char *uids[] = { "Dave <dave@example.org>" };
  pgp_cert_t *dave = tca_user_key (PGP_GEN_ED25519, uids, 1);
  pgp_signer_t dsig;
  pgp_certify_opts_t topts;
  int n = 0, added = -1;
  ca_t *other = NULL;

  ok_err (ca_export_certs (ca, NULL, &text), "export all");
  ok (text && !pgp_read_certs (text, strlen (text), &certs),
      "an armored keyring");
  for (c = certs; c; c = c->next)
    n++;
  ok (n == 4 && certs && !memcmp (certs->primary->fpr,
                                  info.cert->primary->fpr, 20),
      "the CA first, then the three users");
  pgp_cert_release (certs);
  certs = NULL;
  xfree (text);
  text = NULL;
  ok_err (ca_export_certs (ca, "bob@example.org", &text), "export bob@");
  n = 0;
  if (text && !pgp_read_certs (text, strlen (text), &certs))
    for (c = certs; c; c = c->next)
      n++;
  ok (n == 1, "just Bob's");
  pgp_cert_release (certs);
  xfree (text);
  text = NULL;
  ok_code (ca_export_certs (ca, "zed@example.org", &text), GPG_ERR_NOT_FOUND,
           "an unknown address: not found");
  ok (!text && ca_errmsg ()
      && !strcmp (ca_errmsg (), "No certificates found for 'zed@example.org'"),
      "with the reference's message");

  /* Dave is not a user: his trust signature is not taken; after he is
   * imported, it is.  */
  memset (&topts, 0, sizeof topts);
  topts.trust_level = CA_TSIG_LEVEL;
  topts.trust_amount = CA_TSIG_AMOUNT;
  ok (dave && !pgp_cert_copy (info.cert, 1, &copy)
      && !pgp_signer_from_key (dave->primary, &dsig)
      && !pgp_cert_certify_uid (copy, copy->uids, &dsig, &topts, NULL),
      "Dave trust-signs a copy of the CA cert");
  ok_err (ca_begin (ca), "begin");
  ok_code (ca_import_tsigs (ca, copy, "ca.asc", &added), GPG_ERR_NOT_FOUND,
           "a tsig by a key not stored is not taken");
  ok (added == 0 && ca_errmsg ()
      && strstr (ca_errmsg (), "ca.asc: no new trust signature"),
      "none added, the file named");
  {
    const char *dave_e[] = { "dave@example.org" };
    ca_certify_result_t res;
    pgp_cert_t *pub = NULL;

    ok (!pgp_cert_copy (dave, 1, &pub)
        && !ca_user_import (ca, pub, NULL, dave_e, 1, &res),
        "import Dave");
    ca_certify_result_release (&res);
    pgp_cert_release (pub);
  }
  ok_err (ca_import_tsigs (ca, copy, "ca.asc", &added), "now it is");
  ok (added == 1 && pgp_cert_has_tsig_by (info.cert, dave->primary->fpr),
      "merged into the CA cert");
  ok_code (ca_import_tsigs (ca, dave, "dave.asc", &added), GPG_ERR_CONFLICT,
           "another key's copy is refused");
  ok_err (ca_commit (ca), "commit");

  ok_err (tca_make_ca ("other.db", "example.org", PGP_GEN_ED25519, &other),
          "a CA without users");
  pgp_cert_release (copy);
  copy = NULL;
  if (other)
    {
      ca_info_t oi;

      ca_get_info (other, &oi);
      ok (!pgp_cert_copy (oi.cert, 1, &copy) && !ca_begin (other),
          "a copy of its cert");
      ok_code (ca_import_tsigs (other, copy, "x", &added), GPG_ERR_NOT_FOUND,
               "no users: nothing to verify with");
      ok (ca_errmsg () && strstr (ca_errmsg (), "no user certificates in "
                                  "the database"), "says so");
    }
  ca_release (other);
  pgp_cert_release (copy);
  pgp_cert_release (dave);
}


int
main (void)
{
  char fpr[41];

  tca_init ();
  ok_err (tca_make_ca ("ca.db", "example.org", PGP_GEN_ED25519, &ca),
          "a CA for example.org");
  if (!ca)
    return tap_done ();
  ca_get_info (ca, &info);
  test_create (fpr);
  test_status (fpr);
  test_import ();
  test_update_and_revocations ();
  test_export_and_tsigs ();
  test_create_ex ();
  ca_release (ca);
  return tap_done ();
}
