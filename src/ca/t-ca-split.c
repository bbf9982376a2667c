/* t-ca-split.c - unit test of ca-split.c, ca-splitfile.c, ca-json.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>


static void
test_json (void)
{
  static const char *const bad[] =
    {
      "", "{", "[1,]", "{\"a\":1,}", "{\"a\":1,\"a\":2}", "\"\\x\"",
      "\"\\ud800\"", "\"\\udc00\"", "\"a\nb\"", "01", "1.5", "[1] x",
      "\"\xc0\x80\"", "\"\xed\xa0\x80\"", "nul", "{1:2}",
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
    };
  static const char good[] =
    "{\"version\": 1, \"s\": \"a\\\"\\\\\\n\\u00e4\\ud83d\\ude00\","
    " \"l\": [null, true, false, -7, []], \"o\": {}}";
  ca_json_t *j = NULL;
  membuf_t mb;
  size_t i;
  char *out = NULL;
  size_t len;

  for (i = 0; i < DIM (bad); i++)
    {
      ok_code (ca_json_parse (bad[i], strlen (bad[i]), &j),
               i == DIM (bad) - 1 ? GPG_ERR_TOO_LARGE : GPG_ERR_INV_DATA,
               "json: refused: %zu", i);
      ca_json_release (j);
      j = NULL;
    }
  ok_err (ca_json_parse (good, strlen (good), &j), "json: parsed");
  ok (j && ca_json_get (j, "version")->num == 1, "json: number");
  ok (j && !strcmp (ca_json_str (ca_json_get (j, "s")),
                    "a\"\\\n\xc3\xa4\xf0\x9f\x98\x80"), "json: escapes");
  ok (j && ca_json_at (ca_json_get (j, "l"), 3)->num == -7
      && ca_json_at (ca_json_get (j, "l"), 4)->type == CA_JSON_ARR,
      "json: array");
  membuf_init (&mb, 4096, 0);
  if (j)
    ca_json_write (&mb, j, -1);
  membuf_put_u8 (&mb, 0);
  ok (!membuf_take (&mb, (unsigned char **)&out, &len)
      && !strcmp (out, "{\"version\":1,\"s\":\"a\\\"\\\\\\n\xc3\xa4\xf0\x9f"
                  "\x98\x80\",\"l\":[null,true,false,-7,[]],\"o\":{}}"),
      "json: written compact");
  membuf_release (&mb);
  xfree (out);
  ca_json_release (j);
}


/* Whether the stored certificate FPR in CA carries a good certification
 * by the CA.  */
static int
certified (ca_t *ca, const char *email)
{
  ca_user_iter_t *it = NULL;
  const ca_user_t *u;
  ca_user_status_t st;
  int yes = 0;

  if (ca_users_open (ca, email, &it))
    return -1;
  if (!ca_users_next (it, &u) && !ca_user_status (ca, u, 0, &st))
    {
      yes = st.ncertified;
      ca_user_status_release (&st);
    }
  ca_users_close (it);
  return yes;
}


static void
test_split (void)
{
  static const char *const alice_uids[] = { "Alice <alice@example.org>" };
  static const char *const alice[] = { "alice@example.org" };
  static const char *const bob_uids[] = { "Bob <bob@example.org>",
                                          "Bob <bob@other.example>" };
  static const char *const bob[] = { "bob@example.org" };
  ca_t *ca = NULL, *front = NULL, *back = NULL;
  ca_opts_t o;
  ca_summary_t sum;
  ca_certify_result_t res;
  pgp_cert_t *key;
  ca_split_entry_t e;
  char *armor = NULL;
  size_t alen, n, total, ignored;

  memset (&res, 0, sizeof res);
  memset (&e, 0, sizeof e);
  ok_err (tca_make_ca ("orig.db", "example.org", PGP_GEN_ED25519, &ca),
          "split: CA made");
  if (!ca)
    return;
  key = tca_user_key (PGP_GEN_ED25519, alice_uids, 1);
  ok_err (ca_begin (ca) || ca_user_import (ca, key, NULL, alice, 1, &res)
          || ca_commit (ca), "split: alice imported before the split");
  ca_certify_result_release (&res);
  pgp_cert_release (key);

  ok_err (ca_split_into (ca, tca_path ("front.db"), tca_path ("back.db")),
          "split: into");
  ok_code (ca_split_into (ca, tca_path ("front.db"), tca_path ("b2.db")),
           GPG_ERR_EEXIST, "split: an existing front is refused");
  ca_release (ca);

  o = tca_opts ("front.db");
  ok_err (ca_open (&o, 0, &front), "split: front opens");
  o = tca_opts ("back.db");
  ok_err (ca_open (&o, 0, &back), "split: back opens");
  if (!front || !back)
    goto leave;
  ok (ca_split_mode (front) == CA_SPLIT_FRONT
      && ca_split_mode (back) == CA_SPLIT_BACK, "split: modes");
  ok (!ca_get_summary (front, &sum)
      && !strcmp (sum.backend, "Split-mode front instance"),
      "split: front's backend line");
  ca_summary_release (&sum);
  ok (!ca_get_summary (back, &sum)
      && !strcmp (sum.backend, "Split-mode back instance (based on: "
                  "Softkey (private key material in CA database))"),
      "split: back's backend line");
  ca_summary_release (&sum);
  ok_code (ca_export_private (front, &armor, &alen), GPG_ERR_NOT_SUPPORTED,
           "split: the front has no key");
  ok_err (ca_export_private (back, &armor, &alen), "split: the back has");
  if (armor)
    wipe_and_free (armor, alen);
  ok (certified (front, "alice@example.org") == 1,
      "split: the front keeps the users");

  /* The front queues.  */
  key = tca_user_key (PGP_GEN_ED25519, bob_uids, 2);
  ok_err (ca_begin (front) || ca_user_import (front, key, NULL, bob, 1, &res)
          || ca_commit (front), "split: bob imported on the front");
  ok (res.nmatched == 1 && !res.made, "split: matched, nothing signed");
  ca_certify_result_release (&res);
  ok (certified (front, "bob@example.org") == 0, "split: not certified yet");
  ok (!ca_split_queue_next (front, 0, &e) && !e.bridge && e.nuids == 1
      && !strcmp (e.uids[0], "Bob <bob@example.org>") && !e.has_days,
      "split: one request queued, for the requested User ID only");
  ca_split_entry_release (&e);
  ok_code (ca_begin (back) ? 0 : ca_user_import (back, key, NULL, bob, 1,
                                                 &res), GPG_ERR_NOT_SUPPORTED,
           "split: the back does not import users");
  ca_certify_result_release (&res);
  db_rollback (back->db);
  pgp_cert_release (key);

  /* The round trip.  */
  ok (!ca_split_export (front, tca_path ("req.json"), &n) && n == 1,
      "split: exported");
  ok_err (ca_begin (back)
          || ca_split_certify (back, tca_path ("req.json"),
                               tca_path ("resp.json"), NULL, &n)
          || ca_commit (back), "split: certified on the back");
  ok (n == 1, "split: one answer");
  ok_code (ca_split_certify (front, tca_path ("req.json"),
                             tca_path ("x.json"), NULL, &n),
           GPG_ERR_NOT_SUPPORTED, "split: the front does not certify");
  ok_err (ca_begin (front)
          || ca_split_import (front, tca_path ("resp.json"), &total,
                              &ignored)
          || ca_commit (front), "split: imported");
  ok (total == 1 && ignored == 0, "split: counts");
  ok (certified (front, "bob@example.org") == 1, "split: bob certified");
  ok_code (ca_split_queue_next (front, 0, &e), GPG_ERR_EOF,
           "split: the queue is done");
  ok_err (ca_begin (front)
          || ca_split_import (front, tca_path ("resp.json"), &total,
                              &ignored)
          || ca_commit (front), "split: imported again");
  ok (total == 1 && ignored == 1, "split: the replay is ignored");

  /* Merge.  */
  ok_err (ca_begin (front) || ca_split_merge (front, tca_path ("back.db"))
          || ca_commit (front), "split: merged");
  ok (ca_split_mode (front) == CA_SPLIT_NONE, "split: a normal CA again");
  ok_err (ca_export_private (front, &armor, &alen), "split: with its key");
  if (armor)
    wipe_and_free (armor, alen);

 leave:
  ca_release (front);
  ca_release (back);
}


int
main (void)
{
  tca_init ();
  test_json ();
  test_split ();
  return tap_done ();
}
