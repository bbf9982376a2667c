/* t-db-plan.c - the per-user queries use indexes: no table scan per user
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every query a command makes once per user (find a key by
 * fingerprint or row, walk to the next one, its addresses,
 * revocations, audit record and verification record, writes by row) is
 * run once on a small CA; then the statements db/ keeps prepared on
 * the connection are asked for their plan (EXPLAIN QUERY PLAN): none
 * may scan a table of users, certificates, addresses, revocations or
 * the audit record - such a scan makes a walk over N users cost N^2.
 * Only the one-row tables of the CA itself (cas, cacerts) may be
 * scanned.
 */
#include <config.h>
#include "db-int.h"
#include "t-support.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[64];

#define FPR1 "1111111111111111111111111111111111111111"
#define FPR2 "2222222222222222222222222222222222222222"


/* Whether the plan step DETAIL scans a table other than the CA's own
 * one-row tables (the "constant row" of a SELECT without FROM is no
 * table).  */
static int
bad_scan (const char *detail)
{
  static const char *const ok_tables[] = { "cas", "cacerts",
                                           "CONSTANT ROW" };
  const char *t;
  size_t i, n;

  if (strncmp (detail, "SCAN ", 5))
    return 0;
  t = detail + 5;
  for (i = 0; i < DIM (ok_tables); i++)
    {
      n = strlen (ok_tables[i]);
      if (!strncmp (t, ok_tables[i], n) && (!t[n] || t[n] == ' '))
        return 0;
    }
  return 1;
}


/* Check the plan of every statement prepared on DB; the number checked
 * goes to *R_N.  */
static void
check_plans (db_t db, int *r_n, int *r_bad)
{
  sqlite3_stmt *st, *plan;
  const char *sql;
  char *q;
  int n = 0, bad = 0;

  for (st = sqlite3_next_stmt (db->sql, NULL); st;
       st = sqlite3_next_stmt (db->sql, st))
    {
      sql = sqlite3_sql (st);
      if (!sql)
        continue;
      q = sqlite3_mprintf ("EXPLAIN QUERY PLAN %s", sql);
      if (!q || sqlite3_prepare_v2 (db->sql, q, -1, &plan, NULL))
        {
          tap_diag ("no plan for: %s", sql);
          bad++;
          sqlite3_free (q);
          continue;
        }
      sqlite3_free (q);
      n++;
      while (sqlite3_step (plan) == SQLITE_ROW)
        {
          const char *detail = (const char *)sqlite3_column_text (plan, 3);

          if (detail && bad_scan (detail))
            {
              tap_diag ("table scan: %s -- %s", sql, detail);
              bad++;
            }
        }
      sqlite3_finalize (plan);
    }
  *r_n = n;
  *r_bad = bad;
}


static void
test_plans (void)
{
  char path[128];
  db_t db = NULL;
  const char *emails[] = { "alice@example.org", "al@example.org" };
  int64_t ca_id = 0, uid1 = 0, cid1 = 0, cid2 = 0;
  db_cert_t *c = NULL;
  db_revocation_t *revs = NULL;
  db_certification_t rec, *list = NULL;
  uint64_t count = 0;
  int n = 0, bad = -1;

  snprintf (path, sizeof path, "%s/ca.db", tmpdir);
  ok_err (db_open (path, DB_OPEN_CREATE, &db), "create");
  if (!db)
    return;
  ok_err (db_begin (db), "begin");
  ok_err (db_ca_insert (db, "example.org", "AB", "cert", NULL, &ca_id),
          "a CA");
  ok_err (db_user_add (db, "Alice", FPR1, "cert 1", emails, 2, &uid1, &cid1),
          "a user");
  ok_err (db_user_add (db, NULL, FPR2, "cert 2", emails + 1, 1, NULL, &cid2),
          "another");
  ok_err (db_revocation_insert (db, cid1, "0123456789ABCDEF", "rev", 0, NULL),
          "a revocation");
  memset (&rec, 0, sizeof rec);
  rec.cert_id = cid1;
  rec.target_fpr = (char *)FPR1;
  rec.user_id = (char *)"Alice <alice@example.org>";
  rec.created = 1;
  rec.signature = (char *)"sig";
  rec.issuer_fpr = (char *)"AB";
  rec.card_sigcount = -1;
  ok_err (db_certification_insert (db, &rec, NULL), "an audit record");

  /* What a command does per user.  */
  ok_err (db_cert_get (db, FPR1, &c), "by fingerprint");
  db_cert_release (c);
  ok_err (db_cert_get_by_id (db, cid2, &c), "by row");
  db_cert_release (c);
  ok_err (db_cert_next (db, NULL, cid1, &c), "the next one");
  db_cert_release (c);
  ok_err (db_cert_next (db, emails[1], 0, &c), "the next one for an address");
  db_cert_release (c);
  {
    db_cert_t *rows[4];
    size_t nb = 0, k;

    ok_err (db_cert_next_batch (db, 0, 4, rows, &nb), "the next ones");
    for (k = 0; k < nb; k++)
      db_cert_release (rows[k]);
  }
  ok_err (db_revocation_list (db, cid1, &revs), "its revocations");
  db_revocation_release (revs);
  ok_err (db_certification_list (db, FPR1, &list), "its audit record");
  db_certification_release (list);
  ok_err (db_certification_count (db, FPR1, &count), "counted");
  ok_err (db_cert_set_verified (db, cid1, "v1 x"), "its verification record");
  ok_err (db_cert_update (db, cid1, "cert 1b"), "updated");
  ok_err (db_cert_set_delisted (db, cid1, 1), "delisted");
  ok_err (db_cert_set_inactive (db, cid1, 1), "inactive");
  ok_err (db_cert_add_email (db, cid2, "b@example.org"), "an address more");
  ok_err (db_commit (db), "commit");

  check_plans (db, &n, &bad);
  ok (n >= 12, "%d prepared statements checked", n);
  ok (!bad, "no per-user query scans a table (%d do)", bad);
  db_close (db);
}


int
main (void)
{
  gpg_error_t err;
  char cmd[128];
  const char *base = getenv ("TMPDIR");

  err = oca_init_gcrypt (64 * 1024);
  if (err)
    {
      printf ("Bail out! libgcrypt: %s\n", gpg_strerror (err));
      return 1;
    }
  snprintf (tmpdir, sizeof tmpdir, "%s/t-db-plan.XXXXXX",
            base && *base && strlen (base) < 40 ? base : "/tmp");
  if (!mkdtemp (tmpdir))
    {
      printf ("Bail out! mkdtemp: %s\n", strerror (errno));
      return 1;
    }
  test_plans ();
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system (cmd))
    tap_diag ("could not remove %s", tmpdir);
  return tap_done ();
}
