/* t-ca-audit.c - unit test of ca-audit.c: re-verification, certifications
 *                made outside oca, card counters
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>

static ca_t *ca;

struct seen
{
  int good, bad, absent, unlogged, counter;
  char unlogged_hash[65];
  int64_t prev, now;
  char card[16];
};

static void
collect (void *opaque, const ca_audit_entry_t *e)
{
  struct seen *s = opaque;

  switch (e->what)
    {
    case CA_AUDIT_RECORD:
      if (e->status == CA_AUDIT_GOOD)
        s->good++;
      else if (e->status == CA_AUDIT_BAD)
        s->bad++;
      else
        s->absent++;
      break;
    case CA_AUDIT_UNLOGGED:
      s->unlogged++;
      snprintf (s->unlogged_hash, sizeof s->unlogged_hash, "%s", e->hash);
      break;
    case CA_AUDIT_COUNTER:
      s->counter++;
      s->prev = e->prev_sigcount;
      s->now = e->sigcount;
      snprintf (s->card, sizeof s->card, "%s", e->card);
      break;
    }
}


/* Audit into *S and *ST.  */
static gpg_error_t
audit (const char *email, struct seen *s, ca_audit_stats_t *st)
{
  memset (s, 0, sizeof *s);
  return ca_audit (ca, 0, email, collect, s, st);
}


/* Record a card signature row (counter COUNT) for the audit's third
 * pass: a copy of record ID with the card fields set.  */
static gpg_error_t
card_row (int64_t id, const char *card, int64_t count)
{
  gpg_error_t err;
  db_certification_t *rec = NULL, *r;

  err = db_certification_list (ca->db, NULL, &rec);
  for (r = rec; !err && r && r->id != id; r = r->next)
    ;
  if (!err && !r)
    err = gpg_error (GPG_ERR_NOT_FOUND);
  if (!err)
    {
      xfree (r->backend);
      r->backend = xtrystrdup ("card");
      r->card = xtrystrdup (card);
      r->card_sigcount = count;
      err = (r->backend && r->card) ? db_certification_insert (ca->db, r, NULL)
        : gpg_error (GPG_ERR_ENOMEM);
    }
  db_certification_release (rec);
  return err;
}


int
main (void)
{
  const char *uids[2] = { "<u@example.org>", "<u@other.org>" };
  const char *emails[1] = { "u@example.org" };
  pgp_cert_t *key = NULL, *cakey = NULL;
  ca_certify_result_t res;
  ca_audit_stats_t st;
  struct seen s;
  char *armor = NULL, hash[65];
  size_t len = 0;
  pgp_signer_t thief;
  pgp_sig_t *sig = NULL;
  int added = 0;

  tca_init ();
  ok_err (tca_make_ca ("a.db", "example.org", PGP_GEN_ED25519, &ca), "a CA");
  if (!ca)
    return tap_done ();
  key = tca_user_key (PGP_GEN_ED25519, uids, 2);
  ok (key != NULL, "a user key with two User IDs");
  if (!key)
    return tap_done ();
  ok_err (ca_begin (ca), "begin");
  ok_err (ca_user_import (ca, key, NULL, emails, 1, &res), "import");
  ok_err (ca_commit (ca), "commit");
  ca_certify_result_release (&res);

  ok_err (audit (NULL, &s, &st), "audit");
  ok (st.records == 1 && s.good == 1 && !st.unlogged && !st.counter_jumps,
      "one good record, nothing else");

  /* The CA key, copied out, certifies the other User ID.  */
  ok_err (ca_export_private (ca, &armor, &len), "the CA key");
  ok_err (pgp_read_cert (armor, len, &cakey), "parsed");
  wipe_and_free (armor, len);
  ok_err (pgp_signer_from_key (cakey->primary, &thief), "its signer");
  ok_err (pgp_cert_certify_uid (key, key->uids->next, &thief, NULL, &sig),
          "a certification outside oca");
  ca_sig_hash (sig, hash);
  ok_err (ca_begin (ca), "begin");
  ok_err (ca_user_update (ca, key, "u", &added), "the user's update");
  ok_err (ca_commit (ca), "commit");
  ok_err (audit (NULL, &s, &st), "audit");
  ok (st.unlogged == 1 && s.unlogged == 1
      && !strcmp (s.unlogged_hash, hash), "found, with its hash");
  ok (st.records == 1 && s.good == 1, "the record is still good");
  ok_err (audit ("u@example.org", &s, &st), "audit of u@example.org");
  ok (st.unlogged == 1, "found there too");
  ok_err (audit ("nobody@example.org", &s, &st), "audit of another");
  ok (!st.records && !st.unlogged, "nothing there");

  /* Card records: the signature counter moves between two of them.  */
  ok_err (ca_begin (ca), "begin");
  ok_err (card_row (1, "FFFE:00000001", 5), "a card record, counter 5");
  ok_err (card_row (1, "FFFE:00000001", 5), "again, counter 5");
  ok_err (card_row (1, "FFFE:00000002", 9), "another card, counter 9");
  ok_err (card_row (1, "FFFE:00000001", 7), "the first card, counter 7");
  ok_err (ca_commit (ca), "commit");
  ok_err (audit (NULL, &s, &st), "audit");
  ok (st.counter_jumps == 1 && s.prev == 5 && s.now == 7
      && !strcmp (s.card, "FFFE:00000001"),
      "one jump, 5 to 7 on the first card");
  ok (st.records == 5 && s.good == 5, "the copies verify too");

  pgp_cert_release (cakey);
  pgp_cert_release (key);
  ca_release (ca);
  return tap_done ();
}
