/* t-ca-import-ocadb.c - unit test of ca-import-ocadb.c and
 *                       db/db-ocadb.c: openpgp-ca databases made from
 *                       the documented schema, copied and refused
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The openpgp-ca databases are made with SQLite directly from
 * tests/cli/openpgp-ca-schema.sql (never by oca).
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *schema_sql;
static pgp_cert_t *cakey;       /* The CA key, with its secrets.  */
static char cafpr[41];
static char *ca_tsk;            /* Armored private key.  */
static char *ca_pub;            /* Armored public key.  */
static pgp_cert_t *alice, *bob;
static char alice_fpr[41], bob_fpr[41];
static char *alice_pub, *bob_pub;
static pgp_cert_t *remote;      /* Another CA, bridged.  */
static char remote_fpr[41];
static char *remote_pub, *remote_tsk;


static char *
read_all (const char *fname)
{
  FILE *fp = fopen (fname, "rb");
  char *buf;
  long n;

  if (!fp)
    return NULL;
  fseek (fp, 0, SEEK_END);
  n = ftell (fp);
  rewind (fp);
  buf = malloc (n + 1);
  if (buf && fread (buf, 1, n, fp) != (size_t)n)
    {
      free (buf);
      buf = NULL;
    }
  if (buf)
    buf[n] = 0;
  fclose (fp);
  return buf;
}


static char *
armor (const pgp_cert_t *cert, int secret)
{
  unsigned char *buf = NULL;
  size_t len;

  if (pgp_cert_export (cert, PGP_EXPORT_ARMOR
                       | (secret ? PGP_EXPORT_SECRET : 0), &buf, &len))
    return NULL;
  return (char *)buf;
}


/* One text value of the query Q on NAME (malloced; NULL if none).  */
static char *
sql_text (const char *name, const char *q)
{
  sqlite3 *db;
  sqlite3_stmt *st = NULL;
  char *res = NULL;

  if (sqlite3_open_v2 (tca_path (name), &db, SQLITE_OPEN_READONLY, NULL))
    return NULL;
  if (!sqlite3_prepare_v2 (db, q, -1, &st, NULL)
      && sqlite3_step (st) == SQLITE_ROW && sqlite3_column_text (st, 0))
    res = strdup ((const char *)sqlite3_column_text (st, 0));
  sqlite3_finalize (st);
  sqlite3_close (db);
  return res;
}


/* Whether the query Q gives the text WANT on NAME.  */
static int
sql_is (const char *name, const char *q, const char *want)
{
  char *got = sql_text (name, q);
  int yes = got && !strcmp (got, want);

  if (!yes)
    printf ("# %s: got '%s', want '%s'\n", q, got ? got : "(null)", want);
  free (got);
  return yes;
}


/* An openpgp-ca database NAME: one CA (BACKEND, NULL: softkey, with
 * CAKEY_TEXT as priv_cert), Alice (two emails, a published
 * revocation), Bob (delisted, inactive, an unpublished revocation), a
 * bridge and a queue entry.  */
static int
make_source (const char *name, const char *backend, const char *cakey_text)
{
  unlink (tca_path (name));
  if (tca_sql (name, "%s", schema_sql))
    return -1;
  return tca_sql (name,
              "INSERT INTO cas VALUES (1, 'example.org');"
              "INSERT INTO cacerts (id, fingerprint, priv_cert, ca_id,"
              " backend, active) VALUES (3, %Q, %Q, 1, %Q, 1);"
              "INSERT INTO users VALUES (5, 'Alice', 1);"
              "INSERT INTO users VALUES (9, NULL, 1);"
              "INSERT INTO certs (id, fingerprint, pub_cert, user_id)"
              " VALUES (2, %Q, %Q, 5);"
              "INSERT INTO certs (id, fingerprint, pub_cert, user_id,"
              " delisted, inactive) VALUES (7, %Q, %Q, 9, 1, 1);"
              "INSERT INTO certs (id, fingerprint, pub_cert, user_id)"
              " VALUES (8, %Q, %Q, NULL);"
              "INSERT INTO certs_emails VALUES (4, 'alice@example.org', 2);"
              "INSERT INTO certs_emails VALUES (6, 'al@example.org', 2);"
              "INSERT INTO certs_emails VALUES (10, 'bob@example.org', 7);"
              "INSERT INTO revocations VALUES (1, '0123456789ABCDEF',"
              " 'rev-a', 1, 2);"
              "INSERT INTO revocations VALUES (2, 'FEDCBA9876543210',"
              " 'rev-b', 0, 7);"
              "INSERT INTO bridges VALUES (1, 'openpgp-ca@remote.example',"
              " 'remote.example', 8, 1);"
              "INSERT INTO queue VALUES (1, '2024-07-10 12:00:00.123456',"
              " '{\"CertificationReq\":{}}', 0);",
              cafpr, cakey_text, backend,
              alice_fpr, alice_pub, bob_fpr, bob_pub, remote_fpr, remote_pub);
}


/* No file in the temporary directory starting with PREFIX.  */
static int
no_file (const char *prefix)
{
  DIR *d = opendir (tca_path (""));
  struct dirent *e;
  int none = 1;

  if (!d)
    return 0;
  while ((e = readdir (d)))
    if (!strncmp (e->d_name, prefix, strlen (prefix)))
      {
        printf ("# left behind: %s\n", e->d_name);
        none = 0;
      }
  closedir (d);
  return none;
}


/* Import SRC into a new DST; the error.  */
static gpg_error_t
import (const char *src, const char *dst, int route,
        ca_import_result_t *res)
{
  ca_opts_t opts = tca_opts (dst);
  gpg_error_t err;

  opts.card_route = route;
  ca_clear_errmsg ();
  err = ca_import_openpgp_ca (&opts, tca_path (src), res);
  if (err)
    printf ("# %s\n", ca_errmsg () ? ca_errmsg () : gpg_strerror (err));
  return err;
}


static void
test_softkey (void)
{
  ca_import_result_t res;
  struct stat before, after;
  char *bytes_before, *bytes_after;
  ca_opts_t opts;
  ca_t *ca = NULL;
  ca_info_t info;
  char *priv = NULL;
  size_t privlen = 0;
  ca_user_iter_t *it = NULL;
  const ca_user_t *u;
  int n = 0, t;
  static const size_t want[] = { 1, 1, 2, 3, 3, 2, 1, 1 };

  ok (!make_source ("soft.sqlite", NULL, ca_tsk), "softkey source made");
  stat (tca_path ("soft.sqlite"), &before);
  bytes_before = read_all (tca_path ("soft.sqlite"));
  sleep (1);  /* An mtime that changed would show.  */

  ok (!import ("soft.sqlite", "new.db", CA_ROUTE_STORED, &res),
      "softkey database imported");
  for (t = 0; t < CA_IMPORT_NTABLES; t++)
    ok (res.rows[t] == want[t], "%s: %zu rows copied",
        ca_import_table_name (t), res.rows[t]);
  ok (!strcmp (res.fpr, cafpr) && !strcmp (res.backend, "softkey")
      && !res.split && !strcmp (res.domain, "example.org"),
      "result names the CA key, the domain and the softkey");
  ca_import_result_release (&res);

  stat (tca_path ("soft.sqlite"), &after);
  bytes_after = read_all (tca_path ("soft.sqlite"));
  ok (bytes_before && bytes_after && before.st_size == after.st_size
      && !memcmp (bytes_before, bytes_after, before.st_size)
      && before.st_mtime == after.st_mtime,
      "source byte-identical, same mtime");
  ok (no_file ("soft.sqlite-"), "no journal beside the source");
  ok (no_file ("new.db."), "no temporary file left");
  free (bytes_before);
  free (bytes_after);

  /* Field by field.  */
  ok (sql_is ("new.db", "SELECT group_concat(id||':'||domainname) FROM cas",
              "1:example.org"), "cas copied");
  {
    char want_row[128];

    snprintf (want_row, sizeof want_row, "3:%s:1:1:NULL", cafpr);
    ok (sql_is ("new.db", "SELECT id||':'||fingerprint||':'||ca_id||':'"
                "||active||':'||ifnull(backend,'NULL') FROM cacerts",
                want_row), "cacerts row copied");
  }
  ok (sql_is ("new.db", "SELECT count(*) FROM cacerts WHERE priv_cert LIKE"
              " '%PRIVATE KEY%'", "0"), "no private key in cacerts");
  ok (sql_is ("new.db", "SELECT group_concat(id) FROM cakeys", "3"),
      "the key is in cakeys");
  ok (sql_is ("new.db", "SELECT group_concat(id||':'||ifnull(name,'NULL')"
              "||':'||ca_id, ' ') FROM users", "5:Alice:1 9:NULL:1"),
      "users copied");
  ok (sql_is ("new.db", "SELECT group_concat(id||':'||ifnull(user_id,'NULL')"
              "||':'||delisted||':'||inactive, ' ') FROM certs",
              "2:5:0:0 7:9:1:1 8:NULL:0:0"), "certs copied");
  ok (sql_is ("new.db", "SELECT count(*) FROM certs n WHERE pub_cert ="
              " (SELECT pub_cert FROM certs WHERE id = n.id)", "3"),
      "certs texts stored");
  ok (sql_is ("new.db", "SELECT group_concat(id||':'||addr||':'||cert_id,"
              " ' ') FROM certs_emails", "4:alice@example.org:2 "
              "6:al@example.org:2 10:bob@example.org:7"), "emails copied");
  ok (sql_is ("new.db", "SELECT group_concat(id||':'||hash||':'||revocation"
              "||':'||published||':'||cert_id, ' ') FROM revocations",
              "1:0123456789ABCDEF:rev-a:1:2 2:FEDCBA9876543210:rev-b:0:7"),
      "revocations copied");
  ok (sql_is ("new.db", "SELECT group_concat(id||':'||email||':'||scope||':'"
              "||cert_id||':'||cas_id) FROM bridges",
              "1:openpgp-ca@remote.example:remote.example:8:1"),
      "bridges copied");
  ok (sql_is ("new.db", "SELECT group_concat(id||':'||created||':'||task||"
              "':'||done) FROM queue", "1:2024-07-10 12:00:00.123456:"
              "{\"CertificationReq\":{}}:0"), "queue copied");

  /* oca uses it.  */
  opts = tca_opts ("new.db");  /* tca_path's buffers rotate.  */
  ok (!ca_open (&opts, 0, &ca), "imported CA opens");
  if (ca)
    {
      ca_get_info (ca, &info);
      ok (!strcmp (info.fpr, cafpr) && !strcmp (info.backend, "softkey"),
          "same CA key, softkey");
      ok (!ca_export_private (ca, &priv, &privlen) && priv,
          "the private key is there");
      if (priv)
        wipe_and_free (priv, privlen);
      ok (!ca_users_open (ca, NULL, &it), "users walk");
      while (it && !ca_users_next (it, &u))
        n++;
      ca_users_close (it);
      ok (n == 2, "two users (%d)", n);
      ca_release (ca);
    }

  ok (gpg_err_code (import ("soft.sqlite", "new.db", CA_ROUTE_STORED, &res))
      == GPG_ERR_EEXIST, "an existing target is refused");
}


static void
test_backends (void)
{
  ca_import_result_t res;
  char *card_pub = ca_pub;

  ok (!make_source ("card.sqlite", "card;FFFE:0000A001;14199138", card_pub),
      "card source made");
  ok (!import ("card.sqlite", "card.db", CA_ROUTE_STORED, &res),
      "card database imported");
  ok (res.backend && !strcmp (res.backend, "card") && !res.dropped_secret,
      "card backend");
  ca_import_result_release (&res);
  ok (sql_is ("card.db", "SELECT backend FROM cacerts",
              "card;FFFE:0000A001;14199138"), "card string as stored");
  ok (sql_is ("card.db", "SELECT count(*) FROM cakeys", "0"), "no key row");

  ok (!import ("card.sqlite", "card-agent.db", CA_ROUTE_AGENT, &res),
      "card database imported with --card-route gpg-agent");
  ca_import_result_release (&res);
  ok (sql_is ("card-agent.db", "SELECT backend FROM cacerts",
              "card;FFFE:0000A001;14199138;gpg-agent"), "route stored");

  /* A card CA whose row still has the private key: not copied.  */
  ok (!make_source ("cardtsk.sqlite", "card;FFFE:0000A001;14199138", ca_tsk)
      && !import ("cardtsk.sqlite", "cardtsk.db", CA_ROUTE_STORED, &res)
      && res.dropped_secret, "card CA with a stray private key: dropped");
  ca_import_result_release (&res);
  ok (sql_is ("cardtsk.db", "SELECT count(*) FROM cacerts WHERE priv_cert "
              "LIKE '%PRIVATE KEY%'", "0"), "and not stored");

  ok (!make_source ("front.sqlite", "split-front", ca_pub)
      && !import ("front.sqlite", "front.db", CA_ROUTE_STORED, &res)
      && res.split && !strcmp (res.backend, "split-front"),
      "split front imported, marked split");
  ca_import_result_release (&res);
  ok (sql_is ("front.db", "SELECT backend FROM cacerts", "split-front"),
      "split-front stored");

  ok (!make_source ("back.sqlite", "split-back()", ca_tsk)
      && !import ("back.sqlite", "back.db", CA_ROUTE_STORED, &res)
      && res.split && !strcmp (res.backend, "split-back (softkey)"),
      "split back over softkey imported");
  ca_import_result_release (&res);
  ok (sql_is ("back.db", "SELECT backend||':'||(SELECT count(*) FROM cakeys)"
              " FROM cacerts", "split-back():1"), "its key in cakeys");

  ok (!make_source ("backc.sqlite", "split-back(card;FFFE:0000A001;1234)",
                    ca_pub)
      && !import ("backc.sqlite", "backc.db", CA_ROUTE_STORED, &res)
      && !strcmp (res.backend, "split-back (card)"),
      "split back over a card imported");
  ca_import_result_release (&res);
  ok (sql_is ("backc.db", "SELECT backend FROM cacerts",
              "split-back(card;FFFE:0000A001;1234)"), "stored");
}


/* A CA key rotated in openpgp-ca: the old key's row stays, inactive,
 * with its private key; and a source in WAL mode.  */
static void
test_rotated_wal (void)
{
  ca_import_result_t res;
  ca_opts_t opts;
  ca_t *ca = NULL;
  ca_info_t info;
  char want[128];

  ok (!make_source ("rotated.sqlite", NULL, ca_tsk)
      && !tca_sql ("rotated.sqlite", "INSERT INTO cacerts (id, fingerprint,"
               " priv_cert, ca_id, backend, active) VALUES (2, %Q, %Q, 1,"
               " NULL, 0); PRAGMA journal_mode = WAL;", remote_fpr,
               remote_tsk), "source with an old, inactive CA key, WAL mode");
  {
    /* Bytes 18 and 19 of the header: 2 in WAL mode.  */
    char *hdr = read_all (tca_path ("rotated.sqlite"));

    ok (hdr && hdr[18] == 2 && hdr[19] == 2, "the source is in WAL mode");
    free (hdr);
  }
  ok (!import ("rotated.sqlite", "rotated.db", CA_ROUTE_STORED, &res)
      && res.rows[DB_OCA_CACERTS] == 2 && !strcmp (res.fpr, cafpr),
      "imported: two CA certificates, the active one is the CA");
  ca_import_result_release (&res);
  ok (no_file ("rotated.sqlite-"), "no WAL or shm file made beside it");
  snprintf (want, sizeof want, "2:%s:0:1 3:%s:1:1", remote_fpr, cafpr);
  ok (sql_is ("rotated.db", "SELECT group_concat(id||':'||fingerprint||':'"
              "||active||':'||(SELECT count(*) FROM cakeys k WHERE k.id ="
              " c.id), ' ') FROM cacerts c", want),
      "both rows, each with its key in cakeys");
  {
    gpg_error_t err;

    ca_clear_errmsg ();
    opts = tca_opts ("rotated.db");  /* tca_path's buffers rotate.  */
    err = ca_open (&opts, 0, &ca);
    ok (!err, "it opens: %s", err ? (ca_errmsg () ? ca_errmsg ()
                                     : gpg_strerror (err)) : "yes");
  }
  if (ca)
    {
      ca_get_info (ca, &info);
      ok (!strcmp (info.fpr, cafpr), "with the active key");
      ca_release (ca);
    }
}


/* Make the source NAME, break it with SQL, and check it is refused with
 * CODE and a message containing WHAT, leaving no file.  */
static void
refused (const char *name, const char *breakit, gpg_err_code_t code,
         const char *what)
{
  ca_import_result_t res;
  gpg_error_t err;
  const char *msg;

  if (make_source (name, NULL, ca_tsk) || (breakit && tca_sql (name, "%s",
                                                            breakit)))
    {
      ok (0, "%s: source made", name);
      return;
    }
  err = import (name, "refused.db", CA_ROUTE_STORED, &res);
  msg = ca_errmsg ();
  ok (gpg_err_code (err) == code && msg && strstr (msg, what)
      && !strchr (msg, '\n'),
      "%s refused: %s", name, gpg_strerror (err));
  ok (access (tca_path ("refused.db"), F_OK) && no_file ("refused.db"),
      "%s: no file left", name);
}


static void
test_refusals (void)
{
  char *q;
  FILE *fp;

  refused ("no-mig.sqlite", "DELETE FROM __diesel_schema_migrations"
           " WHERE version = '20230315130000'", GPG_ERR_NOT_SUPPORTED,
           "20230315130000 missing");
  refused ("new-mig.sqlite", "INSERT INTO __diesel_schema_migrations"
           " (version) VALUES ('20250101000000')", GPG_ERR_NOT_SUPPORTED,
           "unknown openpgp-ca schema");
  refused ("no-diesel.sqlite", "DROP TABLE __diesel_schema_migrations",
           GPG_ERR_NOT_SUPPORTED, "no diesel migrations table");
  refused ("no-col.sqlite", "ALTER TABLE certs DROP COLUMN inactive",
           GPG_ERR_NOT_SUPPORTED, "inactive");
  q = sqlite3_mprintf ("INSERT INTO cacerts (id, fingerprint, priv_cert,"
                       " ca_id, backend, active) VALUES (4, %Q, %Q, 1,"
                       " NULL, 1)", remote_fpr, remote_tsk);
  refused ("two-active.sqlite", q, GPG_ERR_CONFLICT,
           "More than one active cacert");
  sqlite3_free (q);
  refused ("no-active.sqlite", "UPDATE cacerts SET active = 0",
           GPG_ERR_NOT_FOUND, "no active CA certificate");
  q = sqlite3_mprintf ("UPDATE cacerts SET fingerprint = %Q", alice_fpr);
  refused ("fpr.sqlite", q, GPG_ERR_BAD_DATA, "does not match its key");
  sqlite3_free (q);
  refused ("backend.sqlite", "UPDATE cacerts SET backend = "
           "'card;FFFE:0000A001'", GPG_ERR_INV_VALUE,
           "backend configuration 'card...' not understood");
  refused ("backend2.sqlite", "UPDATE cacerts SET backend = "
           "'card;FFFE:0000A001;1234;5'", GPG_ERR_INV_VALUE,
           "not understood");
  refused ("backend3.sqlite", "UPDATE cacerts SET backend = 'hsm;x'",
           GPG_ERR_INV_VALUE, "'hsm...' not understood");
  refused ("backend4.sqlite", "UPDATE cacerts SET backend = "
           "'split-back(card;nope;1234)'", GPG_ERR_INV_VALUE,
           "not understood");
  q = sqlite3_mprintf ("UPDATE cacerts SET priv_cert = %Q", ca_pub);
  refused ("nokey.sqlite", q, GPG_ERR_NO_SECKEY, "without its private key");
  sqlite3_free (q);
  q = sqlite3_mprintf ("UPDATE certs SET fingerprint = %Q WHERE id = 2",
                       cafpr);
  refused ("certfpr.sqlite", q, GPG_ERR_BAD_DATA, "certs row 2");
  sqlite3_free (q);
  refused ("twoca.sqlite", "INSERT INTO cas VALUES (2, 'example.net')",
           GPG_ERR_CONFLICT, "more than one CA");
  refused ("dangling.sqlite", "PRAGMA foreign_keys = OFF;"
           "UPDATE certs_emails SET cert_id = 99 WHERE id = 4",
           GPG_ERR_INV_ID, "certs_emails row 4: refers to a row");
  refused ("badbool.sqlite", "UPDATE certs SET delisted = 'yes'",
           GPG_ERR_INV_OBJ, "delisted is not a boolean");
  refused ("oca.sqlite", "PRAGMA application_id = 1329807664",
           GPG_ERR_INV_OBJ, "is an oca database");

  /* Not SQLite at all; a corrupt page.  */
  fp = fopen (tca_path ("garbage.sqlite"), "wb");
  if (fp)
    {
      fputs ("this is not a database, it is a test\n", fp);
      fclose (fp);
    }
  {
    ca_import_result_t res;
    gpg_error_t err = import ("garbage.sqlite", "refused.db",
                              CA_ROUTE_STORED, &res);

    ok (gpg_err_code (err) == GPG_ERR_BAD_DATA && ca_errmsg ()
        && strstr (ca_errmsg (), "not an SQLite database"),
        "garbage refused");
    ok (access (tca_path ("refused.db"), F_OK) && no_file ("refused.db"),
        "garbage: no file left");
  }
  {
    ca_import_result_t res;
    gpg_error_t err;
    int fd;
    char junk[512];

    make_source ("corrupt.sqlite", NULL, ca_tsk);
    memset (junk, 0x5a, sizeof junk);
    fd = open (tca_path ("corrupt.sqlite"), O_WRONLY);
    /* The second page: a table's b-tree.  */
    ok (fd >= 0 && pwrite (fd, junk, sizeof junk, 4096) == sizeof junk,
        "page 2 overwritten");
    if (fd >= 0)
      close (fd);
    err = import ("corrupt.sqlite", "refused.db", CA_ROUTE_STORED, &res);
    ok (gpg_err_code (err) == GPG_ERR_BAD_DATA && ca_errmsg ()
        && strstr (ca_errmsg (), "corrupt"), "corrupt file refused");
    ok (access (tca_path ("refused.db"), F_OK) && no_file ("refused.db"),
        "corrupt: no file left");
  }
  {
    ca_import_result_t res;
    FILE *j;

    make_source ("hot.sqlite", NULL, ca_tsk);
    j = fopen (tca_path ("hot.sqlite-journal"), "wb");
    if (j)
      {
        fputs ("journal", j);
        fclose (j);
      }
    ok (gpg_err_code (import ("hot.sqlite", "refused.db", CA_ROUTE_STORED,
                              &res)) == GPG_ERR_LOCKED
        && strstr (ca_errmsg (), "journal file beside it"),
        "a source with a journal is refused");
    unlink (tca_path ("hot.sqlite-journal"));
  }
}


int
main (void)
{
  const char *dom_uid[] = { "Alice <alice@example.org>" };
  const char *bob_uid[] = { "Bob <bob@example.org>" };
  char *schema_file = SCHEMA_SQL;

  tca_init ();
  schema_sql = read_all (schema_file);
  ok (schema_sql != NULL, "schema %s read", schema_file);
  if (!schema_sql)
    return tap_done ();
  ok (!pgp_generate_ca (PGP_GEN_ED25519, NULL, "example.org", 0, &cakey),
      "CA key");
  ok (!pgp_generate_ca (PGP_GEN_ED25519, NULL, "remote.example", 0, &remote),
      "remote CA key");
  alice = tca_user_key (PGP_GEN_ED25519, dom_uid, 1);
  bob = tca_user_key (PGP_GEN_ED25519, bob_uid, 1);
  if (!cakey || !remote || !alice || !bob)
    return tap_done ();
  pgp_cert_fpr_hex (cakey, cafpr);
  pgp_cert_fpr_hex (alice, alice_fpr);
  pgp_cert_fpr_hex (bob, bob_fpr);
  pgp_cert_fpr_hex (remote, remote_fpr);
  ca_tsk = armor (cakey, 1);
  ca_pub = armor (cakey, 0);
  alice_pub = armor (alice, 0);
  bob_pub = armor (bob, 0);
  remote_pub = armor (remote, 0);
  remote_tsk = armor (remote, 1);

  test_softkey ();
  test_backends ();
  test_rotated_wal ();
  {
    /* A file name that means something in a URI.  */
    ca_import_result_t res;

    ok (!make_source ("a b%20c?mode=rw#x.sqlite", NULL, ca_tsk)
        && !import ("a b%20c?mode=rw#x.sqlite", "uri.db", CA_ROUTE_STORED,
                    &res) && res.rows[DB_OCA_USERS] == 2,
        "a source named 'a b%%20c?mode=rw#x.sqlite' is read");
    ca_import_result_release (&res);
    /* Were "%41" decoded, SQLite would read pA.sqlite, no database.  */
    tca_sql ("pA.sqlite", "CREATE TABLE t (x)");
    ok (!make_source ("p%41.sqlite", NULL, ca_tsk)
        && !import ("p%41.sqlite", "uri2.db", CA_ROUTE_STORED, &res),
        "and its name is not decoded (p%%41.sqlite, not pA.sqlite)");
    ca_import_result_release (&res);
  }
  test_refusals ();

  pgp_cert_release (cakey);
  pgp_cert_release (remote);
  pgp_cert_release (alice);
  pgp_cert_release (bob);
  wipe_and_free_string (ca_tsk);
  xfree (ca_pub);
  xfree (alice_pub);
  xfree (bob_pub);
  xfree (remote_pub);
  wipe_and_free_string (remote_tsk);
  free (schema_sql);
  return tap_done ();
}
