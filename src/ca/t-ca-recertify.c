/* t-ca-recertify.c - unit test of ca-recertify.c: `ca re-certify'
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>
#include <time.h>

static ca_t *oldca, *newca;
static ca_info_t oldinfo, newinfo;


/* Import CERT for EMAIL into the old CA and return the stored copy
 * (with the old CA's certification).  */
static pgp_cert_t *
certified_by_old (pgp_cert_t *cert, const char *email)
{
  const char *emails[1];
  ca_certify_result_t res;
  pgp_cert_t *copy = NULL;

  emails[0] = email;
  if (ca_begin (oldca)
      || ca_user_import (oldca, cert, NULL, emails, 1, &res)
      || ca_commit (oldca))
    return NULL;
  ca_certify_result_release (&res);
  /* ca_user_import certified CERT in place.  */
  if (pgp_cert_copy (cert, 1, &copy))
    return NULL;
  return copy;
}


/* Store CERT for EMAIL in the new CA as it is (as moving the users of
 * the old database to the new one does); *R_ID gets its row.  */
static gpg_error_t
store_as_is (const pgp_cert_t *cert, const char *email, int64_t *r_id)
{
  gpg_error_t err;
  char *text = tca_armor (cert);
  char fpr[41];

  if (!text)
    return gpg_error (GPG_ERR_ENOMEM);
  err = ca_begin (newca);
  if (!err)
    err = db_user_add (newca->db, NULL, pgp_cert_fpr_hex (cert, fpr), text,
                       &email, 1, NULL, r_id);
  if (!err)
    err = ca_commit (newca);
  xfree (text);
  return err;
}


/* The stored certificate FPR of the new CA.  */
static pgp_cert_t *
stored (const char *fpr)
{
  db_cert_t *row = NULL;
  pgp_cert_t *cert = NULL;

  if (!db_cert_get (newca->db, fpr, &row))
    ca_parse_stored_cert (row->pub_cert, fpr, &cert);
  db_cert_release (row);
  return cert;
}


int
main (void)
{
  const char *buids[] = { "Bob <bob@example.org>", "Bob <bob@else.net>" };
  const char *cuids[] = { "Carol <carol@example.org>" };
  pgp_cert_t *bob, *carol, *b1 = NULL, *c1 = NULL, *s = NULL, *pub = NULL;
  pgp_cert_t *oldpub = NULL, *newpub = NULL, *otherpub = NULL;
  ca_t *other = NULL;
  ca_info_t otherinfo;
  size_t nuids = 9, ncerts = 9;
  uint32_t expires = 0, now = 0;
  int64_t bid = 0, cid = 0;
  char bfpr[41], cfpr[41];

  tca_init ();
  ok_err (tca_make_ca ("old.db", "example.org", PGP_GEN_ED25519, &oldca),
          "the old CA");
  ok_err (tca_make_ca ("new.db", "example.org", PGP_GEN_ED25519, &newca),
          "the new CA (another key, same domain)");
  ok_err (tca_make_ca ("other.db", "other.example", PGP_GEN_ED25519,
                       &other), "a CA of another domain");
  if (!oldca || !newca || !other)
    return tap_done ();
  ca_get_info (oldca, &oldinfo);
  ca_get_info (newca, &newinfo);
  ca_get_info (other, &otherinfo);
  pgp_cert_copy (oldinfo.cert, 1, &oldpub);
  pgp_cert_copy (newinfo.cert, 1, &newpub);
  pgp_cert_copy (otherinfo.cert, 1, &otherpub);

  bob = tca_user_key (PGP_GEN_ED25519, buids, 2);
  carol = tca_user_key (PGP_GEN_ED25519, cuids, 1);
  ok (bob && carol && !pgp_cert_copy (bob, 1, &pub), "user keys");
  b1 = pub ? certified_by_old (pub, "bob@example.org") : NULL;
  pgp_cert_release (pub);
  pub = NULL;
  ok (carol && !pgp_cert_copy (carol, 1, &pub), "carol");
  c1 = pub ? certified_by_old (pub, "carol@example.org") : NULL;
  ok (b1 && c1, "certified by the old CA");
  if (!b1 || !c1)
    goto leave;
  pgp_cert_fpr_hex (b1, bfpr);
  pgp_cert_fpr_hex (c1, cfpr);
  ok_err (store_as_is (b1, "bob@example.org", &bid), "bob moved");
  ok_err (store_as_is (c1, "carol@example.org", &cid), "carol moved");
  ok (!ca_begin (newca) && !db_cert_set_inactive (newca->db, cid, 1)
      && !ca_commit (newca), "carol is inactive");

  /* Refused: the current key, a user key, another domain's CA.  */
  ok_err (ca_begin (newca), "begin");
  ok_code (ca_recertify (newca, newpub, "new.asc", 365, 0, &nuids, &ncerts),
           GPG_ERR_CONFLICT, "the current key is not an old one");
  ok_code (ca_recertify (newca, b1, "bob.asc", 365, 0, &nuids, &ncerts),
           GPG_ERR_UNUSABLE_PUBKEY, "a user key is no CA key");
  ok (ca_errmsg () && strstr (ca_errmsg (), "is not a key of this CA"),
      "says so");
  ok_code (ca_recertify (newca, otherpub, "o.asc", 365, 0, &nuids, &ncerts),
           GPG_ERR_UNUSABLE_PUBKEY, "another domain's CA key is refused");
  ok_code (ca_recertify (newca, oldpub, "old.asc", 0, 0, &nuids, &ncerts),
           GPG_ERR_INV_VALUE, "0 days refused");

  ok_err (ca_recertify (newca, oldpub, "old.asc", 365, 0, &nuids, &ncerts),
          "re-certify");
  ok (nuids == 1 && ncerts == 1, "one User ID of one key (%zu, %zu)",
      nuids, ncerts);
  ok_err (ca_commit (newca), "commit");
  s = stored (bfpr);
  now = (uint32_t)time (NULL);
  ok (s && !pgp_uid_certified_by (s, s->uids, newinfo.cert, 0, &expires)
      && expires >= now + 365u * 86400 - 60
      && expires <= now + 365u * 86400 + 60,
      "bob@example.org certified by the new key, for 365 days");
  ok (s && pgp_uid_certified_by (s, s->uids->next, newinfo.cert, 0, NULL),
      "bob@else.net (never certified) not");
  pgp_cert_release (s);
  s = stored (cfpr);
  ok (s && pgp_uid_certified_by (s, s->uids, newinfo.cert, 0, NULL),
      "inactive carol not");
  pgp_cert_release (s);
  s = NULL;

  ok_err (ca_begin (newca), "begin");
  ok_err (ca_recertify (newca, oldpub, "old.asc", 30, 0, &nuids, &ncerts),
          "again");
  ok (nuids == 0 && ncerts == 0, "nothing more to do");
  ok_err (ca_commit (newca), "commit");

 leave:
  pgp_cert_release (s);
  pgp_cert_release (pub);
  pgp_cert_release (b1);
  pgp_cert_release (c1);
  pgp_cert_release (bob);
  pgp_cert_release (carol);
  pgp_cert_release (oldpub);
  pgp_cert_release (newpub);
  pgp_cert_release (otherpub);
  ca_release (other);
  ca_release (oldca);
  ca_release (newca);
  return tap_done ();
}
