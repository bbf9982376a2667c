/* ca-import-ocadb.c - switching from openpgp-ca: a new oca database
 *                     made from an openpgp-ca 0.13/0.14 database
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * oca's schema is openpgp-ca's data model (db-schema.c), so the import
 * is a copy of every row with its id, table by table in the order of
 * their references (cas, cacerts, users, certs, certs_emails,
 * revocations, bridges, queue), in one transaction on a new file.
 * db/db-ocadb.c reads the old file without ever writing it; this file
 * checks what the rows mean before they are stored:
 *
 *  - exactly one CA (cas) and exactly one active CA certificate; each
 *    CA certificate's key parses and is the key of its fingerprint;
 *  - the backend string: NULL (softkey: the certificate must hold the
 *    private key, which goes to table cakeys, the certificate text
 *    becomes the public one, as oca keeps it), "card;IDENT;PIN"
 *    (exactly openpgp-ca's form; stored as oca stores it, with the
 *    route of this run), "split-front" and "split-back(INNER)" (INNER
 *    empty for a softkey, or a card string; kept in openpgp-ca's form,
 *    which `ca split' uses);
 *  - every user certificate is the key of its row's fingerprint;
 *  - references (users, bridges to the CA; certs to users, emails,
 *    revocations and bridges to certs) point at rows that exist
 *    (the new file's foreign keys check them).
 *
 * The new file is made under a temporary name beside the target,
 * TARGET.import, created exclusively (a second import into the same
 * target is refused, and a file an interrupted import left - it may
 * hold the CA key - is found and named, never silently left under a
 * random name), and linked to the target only when complete (never
 * over an existing file); any failure removes it.  After the commit
 * the CA is loaded from the new file as every command will load it.
 */
#include <config.h>
#include "ca-int.h"
#include "ca-card.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert (CA_IMPORT_NTABLES == DB_OCA_NTABLES,
                "ca.h and db.h must agree on the openpgp-ca tables");

/* One import.  */
typedef struct import
{
  ca_t *ca;                    /* The new database.  */
  db_t src;                    /* The openpgp-ca database.  */
  const char *srcfile;
  int route;                   /* The card route to store.  */
  int64_t ca_id;               /* The one cas row.  */
  ca_import_result_t *res;
} import_t;


/* See ca.h.  */
const char *
ca_import_table_name (int i)
{
  return db_oca_table_name ((db_oca_table_t)i);
}


/* See ca.h.  */
void
ca_import_result_release (ca_import_result_t *res)
{
  if (!res)
    return;
  xfree (res->domain);
  memset (res, 0, sizeof *res);
}


/* A copy of S in secure memory.  */
static char *
strdup_secure (const char *s)
{
  char *d = xtrymalloc_secure (strlen (s) + 1);

  if (d)
    strcpy (d, s);
  return d;
}


/* The card configuration CONFIG as openpgp-ca writes it ("card;IDENT;
 * PIN", exactly) in oca's form with ROUTE (secure memory).  */
static gpg_error_t
card_config (const char *config, int route, char **r_config)
{
  gpg_error_t err;
  const char *p;
  char *ident = NULL, *pin = NULL;
  int nsemi = 0, dummy;

  *r_config = NULL;
  for (p = config; *p; p++)
    nsemi += *p == ';';
  if (nsemi != 2)
    return gpg_error (GPG_ERR_INV_VALUE);
  err = ca_card_parse_config (config, &ident, &pin, &dummy);
  if (!err && !ca_card_ident_valid (ident))
    err = gpg_error (GPG_ERR_INV_VALUE);
  if (!err)
    err = ca_card_make_config (ident, pin, route, r_config);
  xfree (ident);
  wipe_and_free_string (pin);
  return err;
}


/* What the backend string CONFIG of a cacerts row is: its kind
 * (static) in *R_KIND, whether the private key is in the database
 * (*R_SOFT), and the string oca stores (secure memory; NULL for a
 * softkey).  GPG_ERR_INV_VALUE if it does not parse.  */
static gpg_error_t
parse_backend (const char *config, int route, const char **r_kind,
               int *r_soft, char **r_stored)
{
  gpg_error_t err;
  size_t n;
  char *inner = NULL, *s;

  *r_kind = NULL;
  *r_soft = 0;
  *r_stored = NULL;
  if (!config || !*config)
    {
      *r_kind = "softkey";
      *r_soft = 1;
      return 0;
    }
  if (!strncmp (config, "card;", 5))
    {
      *r_kind = "card";
      return card_config (config, route, r_stored);
    }
  if (!strcmp (config, "split-front"))
    {
      *r_kind = "split-front";
      *r_stored = strdup_secure ("split-front");
      return *r_stored ? 0 : oca_error_from_errno ();
    }
  n = strlen (config);
  if (n < 12 || strncmp (config, "split-back(", 11) || config[n - 1] != ')')
    return gpg_error (GPG_ERR_INV_VALUE);
  if (n == 12)
    {
      *r_kind = "split-back (softkey)";
      *r_soft = 1;
      *r_stored = strdup_secure ("split-back()");
      return *r_stored ? 0 : oca_error_from_errno ();
    }
  s = xtrymalloc_secure (n - 11);
  if (!s)
    return oca_error_from_errno ();
  memcpy (s, config + 11, n - 12);
  s[n - 12] = 0;
  err = card_config (s, route, &inner);
  wipe_and_free_string (s);
  if (err)
    return err;
  *r_kind = "split-back (card)";
  *r_stored = xtrymalloc_secure (strlen (inner) + 13);
  if (!*r_stored)
    err = oca_error_from_errno ();
  else
    strcpy (stpcpy (stpcpy (*r_stored, "split-back("), inner), ")");
  wipe_and_free_string (inner);
  return err;
}


/* Copy the cacerts row ROW (changed on the way).  */
static gpg_error_t
copy_cacert (import_t *imp, db_oca_row_t *row)
{
  gpg_error_t err;
  pgp_cert_t *cert = NULL;
  unsigned char *pub = NULL;
  size_t publen = 0;
  const char *kind = NULL;
  char *stored = NULL;
  char hex[41];
  int soft = 0, secret;
  long long id = (long long)row->id;

  if (row->ref[0] != imp->ca_id)
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_OBJ), "%s: cacerts row %lld"
                          " belongs to no CA", imp->srcfile, id);
  err = pgp_read_cert (row->text[1], strlen (row->text[1]), &cert);
  if (err)
    return ca_set_errmsg (err, "%s: cacerts row %lld: the CA key does not "
                          "parse: %s", imp->srcfile, id, gpg_strerror (err));
  pgp_cert_fpr_hex (cert, hex);
  if (strcmp (hex, row->text[0]))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_BAD_DATA), "%s: cacerts row "
                           "%lld: fingerprint %.40s does not match its key "
                           "%s", imp->srcfile, id, row->text[0], hex);
      goto leave;
    }
  err = parse_backend (row->text[2], imp->route, &kind, &soft, &stored);
  if (gpg_err_code (err) == GPG_ERR_INV_VALUE)
    {
      /* The string may hold a PIN: name only its first word.  */
      err = ca_set_errmsg (err, "%s: cacerts row %lld: backend "
                           "configuration '%.*s...' not understood",
                           imp->srcfile, id,
                           (int)strcspn (row->text[2], ";("), row->text[2]);
      goto leave;
    }
  if (err)
    goto leave;
  secret = pgp_cert_has_secret (cert);
  if (soft && !secret)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY), "%s: cacerts row "
                           "%lld: a softkey CA certificate without its "
                           "private key", imp->srcfile, id);
      goto leave;
    }
  if (!soft && secret)
    imp->res->dropped_secret = 1;
  err = pgp_cert_export (cert, PGP_EXPORT_ARMOR, &pub, &publen);
  if (err)
    {
      ca_set_errmsg (err, "error exporting the CA certificate: %s",
                     gpg_strerror (err));
      goto leave;
    }
  wipe_and_free_string (row->text[1]);
  row->text[1] = (char *)pub;
  pub = NULL;
  wipe_and_free_string (row->text[2]);
  row->text[2] = stored;
  stored = NULL;
  err = db_oca_insert (imp->ca->db, DB_OCA_CACERTS, row);
  if (err)
    {
      ca_set_errmsg (err, "%s: cacerts row %lld: %s", imp->srcfile, id,
                     db_errmsg (imp->ca->db));
      goto leave;
    }
  if (soft)
    err = ca_key_store (imp->ca, row->id, cert);
  if (!err && row->flag[0])
    {
      memcpy (imp->res->fpr, hex, 41);
      imp->res->backend = kind;
      imp->res->split = !strncmp (kind, "split", 5);
    }

 leave:
  xfree (pub);
  wipe_and_free_string (stored);
  pgp_cert_release (cert);
  return err;
}


/* Check ROW of table T before it is stored.  */
static gpg_error_t
check_row (import_t *imp, db_oca_table_t t, const db_oca_row_t *row)
{
  gpg_error_t err;
  pgp_cert_t *cert = NULL;
  char *msg;

  switch (t)
    {
    case DB_OCA_USERS:
      if (row->ref[0] != imp->ca_id)
        return ca_set_errmsg (gpg_error (GPG_ERR_INV_OBJ), "%s: users row "
                              "%lld belongs to no CA", imp->srcfile,
                              (long long)row->id);
      return 0;
    case DB_OCA_BRIDGES:
      if (row->ref[1] != imp->ca_id)
        return ca_set_errmsg (gpg_error (GPG_ERR_INV_OBJ), "%s: bridges row "
                              "%lld belongs to no CA", imp->srcfile,
                              (long long)row->id);
      return 0;
    case DB_OCA_CERTS:
      err = ca_parse_stored_cert (row->text[1], row->text[0], &cert);
      pgp_cert_release (cert);
      if (err)
        {
          msg = xtrystrdup (ca_errmsg () ? ca_errmsg () : "");
          ca_set_errmsg (err, "%s: certs row %lld: %s", imp->srcfile,
                         (long long)row->id, msg ? msg : "invalid");
          xfree (msg);
        }
      return err;
    default:
      return 0;
    }
}


/* Copy table T.  */
static gpg_error_t
copy_table (import_t *imp, db_oca_table_t t)
{
  gpg_error_t err;
  db_oca_row_t row;
  int64_t after = 0;
  size_t nactive = 0;

  for (;;)
    {
      err = db_oca_next (imp->src, t, after, &row);
      if (gpg_err_code (err) == GPG_ERR_EOF)
        {
          err = 0;
          break;
        }
      if (err)
        return ca_set_errmsg (err, "%s", db_errmsg (imp->src));
      after = row.id;
      if (t == DB_OCA_CAS && imp->ca_id)
        err = ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT), "%s holds more "
                             "than one CA", imp->srcfile);
      else if (t == DB_OCA_CACERTS)
        {
          nactive += row.flag[0];
          err = copy_cacert (imp, &row);
        }
      else
        err = check_row (imp, t, &row);
      if (!err && t != DB_OCA_CACERTS)
        {
          err = db_oca_insert (imp->ca->db, t, &row);
          if (err)
            ca_set_errmsg (err, "%s: %s row %lld: %s", imp->srcfile,
                           db_oca_table_name (t), (long long)row.id,
                           gpg_err_code (err) == GPG_ERR_INV_ID
                           ? "refers to a row that does not exist"
                           : db_errmsg (imp->ca->db));
        }
      if (!err && t == DB_OCA_CAS)
        {
          imp->ca_id = row.id;
          imp->res->domain = xtrystrdup (row.text[0]);
          if (!imp->res->domain)
            err = oca_error_from_errno ();
        }
      db_oca_row_clear (&row);
      if (err)
        return err;
      imp->res->rows[t]++;
    }
  if (t == DB_OCA_CAS && !imp->ca_id)
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_INITIALIZED), "%s holds no "
                          "CA", imp->srcfile);
  if (t == DB_OCA_CACERTS && nactive != 1)
    return ca_set_errmsg (gpg_error (nactive ? GPG_ERR_CONFLICT
                                     : GPG_ERR_NOT_FOUND),
                          "%s: %s", imp->srcfile, nactive
                          ? "More than one active cacert in DB, illegal "
                          "state." : "no active CA certificate");
  return 0;
}


/* Remove the file NAME and a journal SQLite may have left.  */
static void
remove_db_file (const char *name)
{
  char *j;

  unlink (name);
  j = gpgrt_bsprintf ("%s-journal", name);
  if (j)
    unlink (j);
  gpgrt_free (j);
}


/* Create the temporary file TMP (mode 0600) for the import into
 * TARGET: refused when it, or a journal of it, is there already - left
 * by an import that was interrupted (it may hold a copy of the CA key)
 * or that still runs.  */
static gpg_error_t
create_tmp (const char *tmp, const char *target)
{
  gpg_error_t err;
  struct stat st;
  char *j;
  int fd, jexists;

  j = gpgrt_bsprintf ("%s-journal", tmp);
  if (!j)
    return oca_error_from_errno ();
  jexists = !lstat (j, &st);
  gpgrt_free (j);
  fd = jexists ? -1 : open (tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW
                            | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd != -1)
    {
      if (fchmod (fd, S_IRUSR | S_IWUSR))
        {
          err = oca_error_from_errno ();
          close (fd);
          unlink (tmp);
          return ca_set_errmsg (err, "can't create '%s': %s", tmp,
                                gpg_strerror (err));
        }
      close (fd);
      return 0;
    }
  if (jexists || errno == EEXIST)
    return ca_set_errmsg (gpg_error (GPG_ERR_EEXIST), "'%s'%s exists: "
                          "left by an import into '%s' that was "
                          "interrupted or still runs (it may hold a copy "
                          "of the CA key); if none runs, remove it and "
                          "import again", tmp, jexists ? " (or its journal)"
                          : "", target);
  err = oca_error_from_errno ();
  return ca_set_errmsg (err, "can't create '%s': %s", tmp,
                        gpg_strerror (err));
}


/* See ca.h.  */
gpg_error_t
ca_import_openpgp_ca (const ca_opts_t *opts, const char *srcfile,
                      ca_import_result_t *r_res)
{
  gpg_error_t err;
  import_t imp;
  ca_opts_t o;
  struct stat st;
  char *tmp = NULL;
  int t, linked = 0, created = 0;

  memset (r_res, 0, sizeof *r_res);
  memset (&imp, 0, sizeof imp);
  imp.srcfile = srcfile;
  imp.res = r_res;
  imp.route = opts->card_route;
  if (!opts->dbfile)
    return ca_set_errmsg (gpg_error (GPG_ERR_MISSING_VALUE),
                          "no database configuration found "
                          "(use -d FILE or set OPENPGP_CA_DB)");
  if (!lstat (opts->dbfile, &st))
    return ca_set_errmsg (gpg_error (GPG_ERR_EEXIST), "'%s' exists: the "
                          "import makes a new oca database", opts->dbfile);
  if (errno != ENOENT)
    return ca_set_errmsg (oca_error_from_errno (), "can't create '%s': %s",
                          opts->dbfile, strerror (errno));

  err = db_oca_open (srcfile, &imp.src);
  if (err)
    return ca_set_errmsg (err, "%s", db_errmsg (NULL));

  /* A fixed name, created exclusively: a second import into the same
   * file is refused, and what an interrupted one left is found.  */
  tmp = gpgrt_bsprintf ("%s.import", opts->dbfile);
  if (!tmp)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  err = create_tmp (tmp, opts->dbfile);
  if (err)
    goto leave;
  created = 1;
  o = *opts;
  o.dbfile = tmp;
  err = ca_open (&o, CA_OPEN_CREATE, &imp.ca);
  if (!err)
    err = ca_begin (imp.ca);
  for (t = 0; !err && t < DB_OCA_NTABLES; t++)
    err = copy_table (&imp, t);
  if (!err)
    err = ca_commit (imp.ca);
  if (err)
    goto leave;
  /* The file is ours (create_tmp): removed below on error.  */
  err = ca_reload (imp.ca);
  ca_release (imp.ca);
  imp.ca = NULL;
  if (err)
    goto leave;
  if (link (tmp, opts->dbfile))
    {
      err = oca_error_from_errno ();
      ca_set_errmsg (err, "can't create '%s': %s", opts->dbfile,
                     strerror (errno));
      goto leave;
    }
  linked = 1;

 leave:
  ca_release (imp.ca);
  if (created && (err || linked))
    remove_db_file (tmp);
  gpgrt_free (tmp);
  db_close (imp.src);
  if (err)
    ca_import_result_release (r_res);
  return err;
}
