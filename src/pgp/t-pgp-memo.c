/* t-pgp-memo.c - each signature verified once; verification records
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * pgp_sig_verify keeps its result on the signature for exactly the
 * digest, packet and key it checked: the checks of a listing
 * (pgp_cert_verify, pgp_uid_certified_by, pgp_cert_get_info) make one
 * public-key operation per signature between them, signatures made in
 * this run none, and another key never gets the result.  A record of
 * what was verified (pgp_cert_verify_record) taken by a fresh parse
 * spares every operation, but not for a signature with a byte changed,
 * nor for one that moved to another User ID.
 */
#include <config.h>
#include "oca-common.h"

#include <string.h>

#include "pgp.h"
#include "t-support.h"


static pgp_cert_t *
reparse (const unsigned char *buf, size_t len)
{
  pgp_cert_t *c = NULL;

  if (pgp_read_cert (buf, len, &c))
    return NULL;
  return c;
}


int
main (void)
{
  const char *uids[] = { "Bob <bob@example.org>" };
  const char *uids2[] = { "Bob <bob@example.org>",
                          "Robert <robert@example.org>" };
  pgp_cert_t *ca = NULL, *user = NULL, *c1 = NULL, *c2 = NULL, *c3 = NULL;
  pgp_cert_t *user2 = NULL, *d1 = NULL, *d2 = NULL;
  pgp_sig_t *rev2 = NULL, *casig2 = NULL, *m, **tail;
  char *rec2 = NULL;
  pgp_sig_t *rev = NULL, *casig = NULL;
  pgp_signer_t cas;
  pgp_cert_info_t info;
  unsigned char *buf = NULL, *p;
  size_t len = 0;
  unsigned long n0, n1;
  char *rec = NULL;

  oca_init_gcrypt (0);
  ok_err (pgp_generate_ca (PGP_GEN_ED25519, NULL, "example.org", 0, &ca),
          "a CA key");
  ok_err (pgp_generate_user (PGP_GEN_ED25519, uids, 1, 0, &user, &rev),
          "a user key");
  if (!ca || !user)
    return tap_done ();
  pgp_signer_from_key (ca->primary, &cas);
  ok_err (pgp_cert_certify_uid (user, user->uids, &cas, NULL, &casig),
          "the CA certifies it");

  /* Made in this run: never verified.  */
  n0 = pk_verify_count ();
  ok (!pgp_cert_verify (user, ca)
      && !pgp_uid_certified_by (user, user->uids, ca, 0, NULL)
      && !pgp_cert_get_info (user, 0, &info), "the new key checks out");
  ok (pk_verify_count () == n0, "signatures made in this run are not "
      "verified again (%lu operations)", pk_verify_count () - n0);

  ok_err (pgp_cert_export (user, 0, &buf, &len), "exported");
  c1 = reparse (buf, len);
  ok (c1 != NULL, "parsed again (no memo)");
  if (!c1 || !casig)
    goto leave;

  /* Each signature once.  */
  n0 = pk_verify_count ();
  ok (!pgp_cert_verify (c1, ca), "verify all");
  n1 = pk_verify_count ();
  ok (n1 - n0 == 5, "five operations: the User ID's binding, the CA's "
      "certification, two subkey bindings and a back-signature (%lu)",
      n1 - n0);
  ok (!pgp_uid_certified_by (c1, c1->uids, ca, 0, NULL),
      "certified by the CA");
  ok (!pgp_cert_get_info (c1, 0, &info) && !info.revoked, "key info");
  ok (!pgp_cert_verify (c1, ca), "verify all again");
  ok (pk_verify_count () == n1, "no signature verified twice (%lu more)",
      pk_verify_count () - n1);

  /* A record spares every operation for the same bytes.  */
  ok_err (pgp_cert_verify_record (c1, ca, &rec), "record");
  ok (rec && !strchr (rec, '-') && strchr (rec, 'g'), "everything "
      "verified is in it: %s", rec ? rec : "(none)");
  /* Another key never gets the result.  */
  ok_code (pgp_sig_verify (c1, c1->uids, NULL, c1->uids->sigs->next,
                           c1->primary->pk), GPG_ERR_BAD_SIGNATURE,
           "the CA's certification against the user's key: bad");
  ok_err (pgp_sig_verify (c1, c1->uids, NULL, c1->uids->sigs->next,
                          ca->primary->pk),
          "against the CA's key: still good");
  ok_code (pgp_sig_verify (c1, c1->uids, NULL, c1->uids->sigs->next,
                           c1->primary->pk), GPG_ERR_BAD_SIGNATURE,
           "against the user's again: bad");

  /* A key whose numbers change is another key: a memo is kept for the
   * key's serial (pk_serial), which every change resets.  The CA's
   * certification, good against a copy of the CA's key (then from the
   * memo), is verified again once the copy holds the user's numbers -
   * and is bad.  */
  {
    pk_key_t *k = NULL;
    pgp_sig_t *cs = c1->uids->sigs->next;
    unsigned long nv;

    ok_err (pk_key_copy (ca->primary->pk, 1, &k), "a copy of the CA's key");
    if (k)
      {
        ok_err (pgp_sig_verify (c1, c1->uids, NULL, cs, k),
                "the certification against the copy: good");
        nv = pk_verify_count ();
        ok_err (pgp_sig_verify (c1, c1->uids, NULL, cs, k),
                "again: good");
        ok (pk_verify_count () == nv, "from the memo (%lu operations)",
            pk_verify_count () - nv);
        ok_err (pk_key_set_mpi (k, 0, 0, c1->primary->pk->pub[0].data,
                                c1->primary->pk->pub[0].len),
                "the copy gets the user's numbers");
        ok_code (pgp_sig_verify (c1, c1->uids, NULL, cs, k),
                 GPG_ERR_BAD_SIGNATURE, "the certification against it: bad");
        ok (pk_verify_count () == nv + 1, "verified, not taken from the "
            "memo (%lu operations)", pk_verify_count () - nv);
      }
    pk_key_release (k);
  }

  c2 = reparse (buf, len);
  ok_err (pgp_cert_apply_record (c2, ca, rec), "a fresh parse takes it");
  n0 = pk_verify_count ();
  ok (c2 && !pgp_uid_certified_by (c2, c2->uids, ca, 0, NULL)
      && !pgp_cert_get_info (c2, 0, &info) && !pgp_cert_verify (c2, ca),
      "all checks pass");
  ok (pk_verify_count () == n0, "without a public-key operation (%lu)",
      pk_verify_count () - n0);

  /* ... but not for a changed byte: the CA's certification's last
   * byte flipped.  */
  p = memmem (buf, len, casig->raw, casig->rawlen);
  ok (p != NULL, "the certification is in the export");
  if (!p)
    goto leave;
  p[casig->rawlen - 1] ^= 0x01;
  c3 = reparse (buf, len);
  ok (c3 != NULL, "the tampered key parses");
  if (!c3)
    goto leave;
  ok_err (pgp_cert_apply_record (c3, ca, rec), "the record fits its shape");
  n0 = pk_verify_count ();
  ok_code (pgp_uid_certified_by (c3, c3->uids, ca, 0, NULL),
           GPG_ERR_NOT_FOUND, "the flipped certification is not valid");
  ok (pk_verify_count () == n0 + 1, "it was verified (%lu), the rest "
      "taken from the record", pk_verify_count () - n0);
  ok (!pgp_cert_get_info (c3, 0, &info), "the self-signature still "
      "counts");

  /* Records that do not fit.  */
  ok_code (pgp_cert_apply_record (c3, ca, "g"), GPG_ERR_INV_VALUE,
           "a short record");
  ok_code (pgp_cert_apply_record (c3, ca, "zz"), GPG_ERR_INV_VALUE,
           "a garbled record");
  ok_code (pgp_cert_apply_record (c3, ca, "-----"), GPG_ERR_INV_VALUE,
           "too many entries");
  ok_err (pgp_cert_apply_record (c3, ca, "----"), "four: one per "
          "signature");

  /* A memo travels with its signature: the CA's certification of the
   * first User ID, verified there, moved to the second.  The record
   * made afterwards names what was verified (the first User ID);
   * applied to the second it matches nothing, so the certification is
   * verified again - and is bad there.  */
  ok_err (pgp_generate_user (PGP_GEN_ED25519, uids2, 2, 0, &user2, &rev2),
          "a user key with two User IDs");
  if (!user2 || !user2->uids || !user2->uids->next)
    goto leave;
  ok_err (pgp_cert_certify_uid (user2, user2->uids, &cas, NULL, &casig2),
          "the CA certifies the first");
  xfree (buf);
  buf = NULL;
  ok_err (pgp_cert_export (user2, 0, &buf, &len), "exported");
  d1 = reparse (buf, len);
  ok (d1 && d1->uids->sigs && d1->uids->sigs->next && d1->uids->next
      && !pgp_cert_verify (d1, ca)
      && !pgp_uid_certified_by (d1, d1->uids, ca, 0, NULL),
      "parsed, verified: the first User ID is certified");
  if (!d1 || !d1->uids->sigs || !d1->uids->sigs->next || !d1->uids->next)
    goto leave;
  m = d1->uids->sigs->next;
  d1->uids->sigs->next = m->next;
  m->next = NULL;
  for (tail = &d1->uids->next->sigs; *tail; tail = &(*tail)->next)
    ;
  *tail = m;
  ok_err (pgp_cert_verify_record (d1, ca, &rec2), "a record after the move");
  xfree (buf);
  buf = NULL;
  ok_err (pgp_cert_export (d1, 0, &buf, &len), "exported with the move");
  d2 = reparse (buf, len);
  ok (d2 && d2->uids && d2->uids->next, "parsed again");
  if (!d2 || !d2->uids || !d2->uids->next)
    goto leave;
  ok_err (pgp_cert_apply_record (d2, ca, rec2), "the record fits its shape");
  /* (Checked, not taken from the record: the digest over the second
   * User ID already differs in the two bytes the packet carries.)  */
  ok_code (pgp_uid_certified_by (d2, d2->uids->next, ca, 0, NULL),
           GPG_ERR_NOT_FOUND, "the moved certification does not certify "
           "the second User ID");
  ok_code (pgp_uid_certified_by (d2, d2->uids, ca, 0, NULL),
           GPG_ERR_NOT_FOUND, "nor is the first certified any more");

 leave:
  xfree (rec);
  xfree (rec2);
  pgp_sig_release (rev2);
  pgp_cert_release (d1);
  pgp_cert_release (d2);
  pgp_cert_release (user2);
  xfree (buf);
  pgp_sig_release (rev);
  pgp_cert_release (c1);
  pgp_cert_release (c2);
  pgp_cert_release (c3);
  pgp_cert_release (user);
  pgp_cert_release (ca);
  return tap_done ();
}
