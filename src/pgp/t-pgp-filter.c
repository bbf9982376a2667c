/* t-pgp-filter.c - unit test of pgp-filter.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A user key certified by a CA and by a stranger, with a forged User
 * ID and a forged subkey binding appended: pgp_cert_keep_verified keeps
 * the self-signatures and the CA's certification, drops the stranger's
 * and every forgery; pgp_cert_keep_uids keeps what it is told.
 */
#include <config.h>
#include "oca-common.h"

#include <string.h>

#include "pgp.h"
#include "t-support.h"


/* Number of signatures on the User ID NAME of CERT (-1: no such).  */
static int
nsigs (const pgp_cert_t *cert, const char *name)
{
  const pgp_uid_t *uid = pgp_cert_find_uid (cert, name);
  const pgp_sig_t *s;
  int n = 0;

  if (!uid)
    return -1;
  for (s = uid->sigs; s; s = s->next)
    n++;
  return n;
}


static int
nsubkeys (const pgp_cert_t *cert)
{
  const pgp_key_t *k;
  int n = 0;

  for (k = cert->subkeys; k; k = k->next)
    n++;
  return n;
}


static int
keep_bob (const pgp_uid_t *uid, void *opaque)
{
  (void)opaque;
  return !!strstr (uid->name, "bob@");
}


int
main (void)
{
  const char *uids[] = { "Bob <bob@example.org>", "Bob <bob@other.org>" };
  const char *muid[] = { "Mallory <m@example.org>" };
  pgp_cert_t *ca = NULL, *user = NULL, *mal = NULL, *copy = NULL;
  pgp_cert_t *other = NULL;
  pgp_sig_t *rev = NULL;
  pgp_signer_t cas, ms;
  pgp_uid_t *uid;
  int dropped = -1, kept = -1;

  oca_init_gcrypt (0);
  ok_err (pgp_generate_ca (PGP_GEN_ED25519, NULL, "example.org", 0, &ca),
          "a CA key");
  ok_err (pgp_generate_user (PGP_GEN_ED25519, uids, 2, 0, &user, &rev),
          "a user key");
  pgp_sig_release (rev);
  rev = NULL;
  ok_err (pgp_generate_user (PGP_GEN_ED25519, muid, 1, 0, &mal, &rev),
          "a stranger's key");
  pgp_sig_release (rev);
  rev = NULL;
  if (!ca || !user || !mal)
    return tap_done ();
  pgp_signer_from_key (ca->primary, &cas);
  pgp_signer_from_key (mal->primary, &ms);
  uid = pgp_cert_find_uid (user, uids[0]);
  ok_err (pgp_cert_certify_uid (user, uid, &cas, NULL, NULL),
          "the CA certifies bob@example.org");
  ok_err (pgp_cert_certify_uid (user, uid, &ms, NULL, NULL),
          "the stranger too");

  /* Forgeries: the stranger's User ID and subkey, grafted on with
   * their own (wrong-key) bindings.  */
  ok_err (pgp_generate_user (PGP_GEN_ED25519, muid, 1, 0, &other, &rev),
          "material to graft");
  pgp_sig_release (rev);
  if (other)
    {
      /* Same primary needed for a merge: graft by hand-moving the
       * components (what a keyserver could hand out).  */
      pgp_uid_t **ut = &user->uids;
      pgp_key_t **kt = &user->subkeys;

      while (*ut)
        ut = &(*ut)->next;
      *ut = other->uids;
      other->uids = NULL;
      while (*kt)
        kt = &(*kt)->next;
      *kt = other->subkeys;
      other->subkeys = NULL;
    }
  ok (nsigs (user, uids[0]) == 3 && nsigs (user, muid[0]) == 1
      && nsubkeys (user) == 4, "before: 3 signatures on bob@example.org, "
      "the grafted User ID, 4 subkeys");
  ok_err (pgp_cert_copy (user, 1, &copy), "a copy");

  ok_err (pgp_cert_keep_verified (user, ca, &dropped), "keep what verifies");
  ok (nsigs (user, uids[0]) == 2, "bob@example.org: self-signature and "
      "the CA's certification");
  ok (nsigs (user, uids[1]) == 1, "bob@other.org: its self-signature");
  ok (nsigs (user, muid[0]) == -1, "the grafted User ID is gone");
  ok (nsubkeys (user) == 2, "the grafted subkeys are gone");
  ok (dropped == 1 + 2 + 2 + 2, "counted: one certification, a User ID "
      "with its binding, two subkeys with theirs (%d)", dropped);

  ok_err (pgp_cert_keep_verified (copy, NULL, NULL),
          "without an issuer");
  ok (nsigs (copy, uids[0]) == 1, "only the self-signature is left");

  ok_err (pgp_cert_keep_uids (user, keep_bob, NULL, &kept), "keep bob's");
  ok (kept == 2 && nsigs (user, uids[0]) == 2 && nsigs (user, uids[1]) == 1,
      "both of bob's User IDs, with their signatures");
  ok_code (pgp_cert_keep_uids (user, NULL, NULL, NULL), GPG_ERR_INV_ARG,
           "no filter");

  pgp_cert_release (ca);
  pgp_cert_release (user);
  pgp_cert_release (mal);
  pgp_cert_release (copy);
  pgp_cert_release (other);
  return tap_done ();
}
