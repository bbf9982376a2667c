/* cmd-user.c - the `oca user' commands: add, import, update, list, export
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Most -e/-r options we take.  */
#define MAX_LIST 1000


/* A list of strings collected from repeated options.  */
typedef struct strlist
{
  char *items[MAX_LIST];
  size_t n;
} strlist_t;

static void
strlist_clear (strlist_t *sl)
{
  size_t i;

  for (i = 0; i < sl->n; i++)
    xfree (sl->items[i]);
  sl->n = 0;
}

static gpg_error_t
strlist_add (strlist_t *sl, const char *s)
{
  if (sl->n >= MAX_LIST)
    return cmd_usage ("too many values");
  sl->items[sl->n] = xtrystrdup (s);
  if (!sl->items[sl->n])
    return oca_error_from_errno ();
  sl->n++;
  return 0;
}


/* Check email address S under the User ID rule (pgp_mail_normalize),
 * and add it, lowercased, to SL unless it is already there.  */
static gpg_error_t
add_email (strlist_t *sl, const char *s)
{
  gpg_error_t err;
  char *e = NULL;
  size_t i;

  err = cmd_parse_email (s, &e);
  if (err)
    return err;
  for (i = 0; i < sl->n; i++)
    if (!strcmp (sl->items[i], e))
      break;
  if (i == sl->n)
    err = strlist_add (sl, e);
  xfree (e);
  return err;
}


/* Read one certificate from FNAME, public parts only.  */
static gpg_error_t
read_one_cert (const char *fname, pgp_cert_t **r_cert)
{
  gpg_error_t err;

  err = cmd_read_cert (fname, r_cert);
  if (gpg_err_code (err) == GPG_ERR_AMBIGUOUS)
    ca_set_errmsg (err, "%s: more than one key in the file "
                   "(see --domain-emails for keyrings)", fname);
  return err;
}


/* Options of user add without a short form.  */
enum
  {
    OPT_ENCRYPTION = 1000, OPT_SIGNING, OPT_AUTHENTICATION, OPT_PASSFILE,
    OPT_VALIDITY
  };


/* oca user add -e EMAIL... [-n NAME] [-m] [--cipher-suite S]
 *              [--encryption B] [--signing B] [--authentication B]
 *              [--password-file FILE] */
gpg_error_t
cmd_user_add (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "email",   required_argument, NULL, 'e' },
      { "name",    required_argument, NULL, 'n' },
      { "minimal", no_argument,       NULL, 'm' },
      { "cipher-suite", required_argument, NULL, 'a' },
      { "algo",    required_argument, NULL, 'a' },
      { "encryption", required_argument, NULL, OPT_ENCRYPTION },
      { "signing", required_argument, NULL, OPT_SIGNING },
      { "authentication", required_argument, NULL, OPT_AUTHENTICATION },
      { "password-file", required_argument, NULL, OPT_PASSFILE },
      { "validity", required_argument, NULL, OPT_VALIDITY },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  strlist_t emails;
  const char *name = NULL, *algo_arg = NULL, *passfile = NULL;
  int minimal = 0, enc = 1, sign = 1, auth = 0, c;
  int validity_set = 0;
  unsigned int validity = 0;
  ca_t *ca = NULL;
  ca_new_user_t user;
  ca_user_spec_t spec;
  char *pass = NULL;

  memset (&emails, 0, sizeof emails);
  memset (&user, 0, sizeof user);
  memset (&spec, 0, sizeof spec);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":e:n:ma:", longopts, NULL)) != -1)
    {
      err = 0;
      switch (c)
        {
        case 'e': err = add_email (&emails, optarg); break;
        case 'n': name = optarg; break;
        case 'm': minimal = 1; break;
        case 'a': algo_arg = optarg; break;
        case OPT_ENCRYPTION:
          err = cmd_parse_bool ("--encryption", optarg, &enc);
          break;
        case OPT_SIGNING:
          err = cmd_parse_bool ("--signing", optarg, &sign);
          break;
        case OPT_AUTHENTICATION:
          err = cmd_parse_bool ("--authentication", optarg, &auth);
          break;
        case OPT_PASSFILE: passfile = optarg; break;
        case OPT_VALIDITY:
          err = ca_parse_days (optarg, "--validity", 0, &validity);
          validity_set = !err;
          break;
        default: err = cmd_getopt_error (c, argv); break;
        }
      if (err)
        goto leave;
    }
  err = cmd_options_done (argc, argv, NULL, NULL);
  if (err)
    goto leave;
  if (!emails.n)
    {
      err = cmd_usage ("at least one --email is required");
      goto leave;
    }
  if (name && (err = cmd_check_name (name)))
    goto leave;
  if (algo_arg && (err = cmd_parse_suite (algo_arg, &spec.algo)))
    goto leave;
  if (passfile && (err = cmd_read_passphrase (passfile, &pass)))
    goto leave;
  spec.name = name;
  spec.emails = (const char *const *)emails.items;
  spec.nemails = emails.n;
  spec.subkeys = ((enc ? CA_SUBKEY_ENCRYPT : 0) | (sign ? CA_SUBKEY_SIGN : 0)
                  | (auth ? CA_SUBKEY_AUTH : 0));
  spec.passphrase = pass;

  err = ca_open (opts, 0, &ca);
  if (!err && validity_set)
    ca_set_validity (ca, validity);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_user_create_ex (ca, &spec, &user);
  if (err)
    goto leave;

  /* Hand the key out before storing anything: if it cannot be
   * written, the user would exist without anyone holding the key.  The
   * key and its passphrase bypass stdio's buffers.  */
  if (minimal)
    {
      err = cmd_write_secret (stdout, user.passphrase ? user.passphrase : "");
      if (!err)
        err = cmd_write_secret (stdout, "\n");
      if (!err)
        err = cmd_write_secret (stdout, (char *)user.key);
    }
  else
    {
      if ((name ? fprintf (stderr, "Created new user key for %s.\n", name)
           : fputs ("Created new user key.\n", stderr)) < 0)
        err = oca_error_from_errno ();
      if (!err)
        err = cmd_write_secret (stdout, (char *)user.key);
      if (!err && !user.passphrase)
        err = cmd_write_secret (stderr, "No password set for this key.\n");
      else if (!err && passfile)
        {
          /* The operator chose it: it is not echoed.  */
          if (fprintf (stderr, "The key is protected with the password "
                       "from '%s'.\n", passfile) < 0)
            err = oca_error_from_errno ();
        }
      else if (!err)
        {
          err = cmd_write_secret (stderr, "Password for this key: '");
          if (!err)
            err = cmd_write_secret (stderr, user.passphrase);
          if (!err)
            err = cmd_write_secret (stderr, "'.\n");
        }
    }
  if (err)
    {
      ca_set_errmsg (err, "error writing the new user key: %s; nothing was"
                     " stored", gpg_strerror (err));
      goto leave;
    }

  err = ca_commit (ca);
  if (err)
    {
      char *m = xtrystrdup (ca_errmsg () ? ca_errmsg () : "");

      ca_set_errmsg (err, "%s; the key printed was not stored",
                     m && *m ? m : gpg_strerror (err));
      xfree (m);
      goto leave;
    }

 leave:
  wipe_and_free_string (pass);
  ca_new_user_release (&user);
  ca_release (ca);
  strlist_clear (&emails);
  return err;
}


/* Read the revocations in FNAME and store them for the stored CERT.  */
static gpg_error_t
store_revocations (ca_t *ca, const pgp_cert_t *cert, const char *fname)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;

  err = cmd_read_file (fname, &buf, &len);
  if (!err)
    err = ca_user_add_revocations (ca, cert, fname, buf, len);
  xfree (buf);
  return err;
}


static gpg_error_t do_bulk_import (const ca_opts_t *opts, const char *fname,
                                   int validity_set, unsigned int validity);


/* oca user import -e EMAIL... -f FILE [-n NAME] [-r FILE...]
 * oca user import --domain-emails -f FILE  */
gpg_error_t
cmd_user_import (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "email",           required_argument, NULL, 'e' },
      { "file",            required_argument, NULL, 'f' },
      { "key-file",        required_argument, NULL, 'f' },
      { "name",            required_argument, NULL, 'n' },
      { "revocation-file", required_argument, NULL, 'r' },
      { "domain-emails",   no_argument,       NULL, 'E' },
      { "validity",        required_argument, NULL, 'V' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  strlist_t emails, revs;
  const char *fname = NULL, *name = NULL;
  int domain_emails = 0, c, validity_set = 0;
  unsigned int validity = 0;
  ca_t *ca = NULL;
  pgp_cert_t *cert = NULL;
  ca_certify_result_t res;
  ca_refused_t *r;
  char fpr[41];
  size_t i;

  memset (&emails, 0, sizeof emails);
  memset (&revs, 0, sizeof revs);
  memset (&res, 0, sizeof res);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":e:f:n:r:", longopts, NULL)) != -1)
    switch (c)
      {
      case 'e':
        err = add_email (&emails, optarg);
        if (err)
          goto leave;
        break;
      case 'f': fname = optarg; break;
      case 'n': name = optarg; break;
      case 'r':
        err = strlist_add (&revs, optarg);
        if (err)
          goto leave;
        break;
      case 'E': domain_emails = 1; break;
      case 'V':
        err = ca_parse_days (optarg, "--validity", 0, &validity);
        if (err)
          goto leave;
        validity_set = 1;
        break;
      default: err = cmd_getopt_error (c, argv); goto leave;
      }
  err = cmd_options_done (argc, argv, "--file", fname);
  if (err)
    goto leave;
  if (domain_emails)
    {
      if (emails.n || revs.n || name)
        {
          err = cmd_usage ("--domain-emails can't be combined with "
                           "--email, --name or --revocation-file");
          goto leave;
        }
      err = do_bulk_import (opts, fname, validity_set, validity);
      goto leave;
    }
  if (!emails.n)
    {
      err = cmd_usage ("at least one --email (or --domain-emails) is "
                       "required");
      goto leave;
    }
  if (name && (err = cmd_check_name (name)))
    goto leave;

  err = read_one_cert (fname, &cert);
  if (err)
    goto leave;
  pgp_cert_fpr_hex (cert, fpr);

  err = ca_open (opts, 0, &ca);
  if (!err && validity_set)
    ca_set_validity (ca, validity);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_user_import (ca, cert, name, (const char *const *)emails.items,
                          emails.n, &res);
  /* What the certification refused is said even if the import fails.  */
  for (r = res.refused; r; r = r->next)
    {
      char *line = ca_refused_line (fpr, r);

      fprintf (stderr, "%s\n", line ? line : "Warning: a User ID was refused");
      xfree (line);
    }
  if (res.unmatched)
    fprintf (stderr, "Warning: Couldn't find a User ID to certify for "
             "'%s' in %s\n", res.unmatched, fpr);
  for (i = 0; !err && i < revs.n; i++)
    err = store_revocations (ca, cert, revs.items[i]);
  if (!err)
    err = ca_commit (ca);

 leave:
  ca_certify_result_release (&res);
  pgp_cert_release (cert);
  ca_release (ca);
  strlist_clear (&emails);
  strlist_clear (&revs);
  return err;
}


/* oca user update -f FILE */
gpg_error_t
cmd_user_update (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "file",     required_argument, NULL, 'f' },
      { "key-file", required_argument, NULL, 'f' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *fname = NULL;
  ca_t *ca = NULL;
  pgp_cert_t *cert = NULL;
  int added = 0, c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":f:", longopts, NULL)) != -1)
    switch (c)
      {
      case 'f': fname = optarg; break;
      default: return cmd_getopt_error (c, argv);
      }
  err = cmd_options_done (argc, argv, "--file", fname);
  if (err)
    return err;

  err = read_one_cert (fname, &cert);
  if (!err)
    err = ca_open (opts, 0, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_user_update (ca, cert, fname, &added);
  if (!err && added)
    err = ca_commit (ca);

  pgp_cert_release (cert);
  ca_release (ca);
  return err;
}


/* Print the `user list' entry of USER.  */
static gpg_error_t
list_one (ca_t *ca, const ca_user_t *user, uint32_t now)
{
  gpg_error_t err;
  ca_user_status_t st;
  size_t i;
  char *shown;

  err = ca_user_status (ca, user, now, &st);
  if (err)
    return err;
  printf ("OpenPGP certificate %s\n", user->fpr);
  if (user->name)
    {
      shown = pgp_uid_escape (user->name, strlen (user->name));
      printf (" User '%s'\n", shown ? shown : "?");
      xfree (shown);
    }
  for (i = 0; i < st.ncertified; i++)
    {
      if (!i)
        printf (" Identities certified by this CA:\n");
      shown = pgp_uid_escape (st.certified[i]->body,
                              st.certified[i]->bodylen);
      printf (" - '%s'\n", shown ? shown : "?");
      xfree (shown);
    }
  if (st.tsigned)
    printf (" Has trust-signed this CA\n");
  if (st.info_err)
    printf (" Expiration unknown (%s)\n", gpg_strerror (st.info_err));
  else if (st.info.expires)
    {
      time_t t = st.info.expires;
      struct tm tm;
      char buf[32];

      if (gmtime_r (&t, &tm) && strftime (buf, sizeof buf, "%d/%m/%Y", &tm))
        printf (" Expiration %s\n", buf);
    }
  else
    printf (" No expiration is set\n");
  if (st.nrevocations)
    printf (" %zu revocations available\n", st.nrevocations);
  if (st.info.revoked)
    printf (" This certificate has (possibly) been REVOKED\n");
  printf ("\n");
  ca_user_status_release (&st);
  return 0;
}


/* The `user list --with-colons' records of USER:
 *   crt:FPR:NAME:TSIGNED:EXPIRES:REVOKED:REVOCATIONS:
 *   uid:USERID:     a User ID the CA certified (each)
 *   eml:ADDRESS:    an address stored for it (each)  */
static gpg_error_t
list_one_colons (ca_t *ca, const ca_user_t *user, uint32_t now)
{
  gpg_error_t err;
  ca_user_status_t st;
  size_t i;

  err = ca_user_status (ca, user, now, &st);
  if (err)
    return err;
  cmd_colons_start (stdout, "crt");
  cmd_colons_str (stdout, user->fpr);
  cmd_colons_str (stdout, user->name);
  cmd_colons_num (stdout, st.tsigned ? 1 : 0);
  if (st.info_err)
    cmd_colons_str (stdout, "?");
  else if (st.info.expires)
    cmd_colons_num (stdout, st.info.expires);
  else
    cmd_colons_str (stdout, NULL);
  cmd_colons_num (stdout, st.info.revoked ? 1 : 0);
  cmd_colons_num (stdout, st.nrevocations);
  cmd_colons_end (stdout);
  for (i = 0; i < st.ncertified; i++)
    {
      cmd_colons_start (stdout, "uid");
      cmd_colons_mem (stdout, st.certified[i]->body,
                      st.certified[i]->bodylen);
      cmd_colons_end (stdout);
    }
  for (i = 0; i < user->nemails; i++)
    {
      cmd_colons_start (stdout, "eml");
      cmd_colons_str (stdout, user->emails[i]);
      cmd_colons_end (stdout);
    }
  ca_user_status_release (&st);
  return 0;
}


/* oca user list [--with-colons] */
gpg_error_t
cmd_user_list (const ca_opts_t *opts, int argc, char **argv)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;
  uint32_t now = (uint32_t)time (NULL);
  int colons;

  err = cmd_colons_options (argc, argv, &colons);
  if (err)
    return err;
  err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_begin_read (ca);  /* One snapshot, one lock.  */
  if (!err)
    err = ca_users_open (ca, NULL, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    err = colons ? list_one_colons (ca, user, now) : list_one (ca, user, now);
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  ca_users_close (it);
  ca_release (ca);
  return err;
}


/* Write the keyring of the certificates stored for EMAIL to
 * DIR/EMAIL.asc (the CA's certificate for CA_EMAIL).  */
static gpg_error_t
export_file (ca_t *ca, const char *dir, const char *email,
             const char *ca_email)
{
  gpg_error_t err;
  char *text = NULL, *fname = NULL;

  /* A stored address comes from the database: never a path.  */
  if (!*email || *email == '.' || strpbrk (email, "/\\:"))
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_NAME),
                          "refusing to export to the file name '%s.asc' "
                          "(possible path traversal)", email);
  if (ca_email && !strcmp (email, ca_email))
    err = ca_export_public (ca, &text);
  else
    err = ca_export_certs (ca, email, &text);
  if (err)
    return err;
  fname = gpgrt_bsprintf ("%s/%s.asc", dir, email);
  if (!fname)
    err = oca_error_from_errno ();
  else
    err = cmd_write_file (fname, text);
  gpgrt_free (fname);
  xfree (text);
  return err;
}


/* oca user export -p DIR [-e EMAIL]: one file per address (and the
 * CA's when unfiltered).  */
static gpg_error_t
export_dir (ca_t *ca, const char *dir, const char *email)
{
  gpg_error_t err;
  char **list = NULL, *ca_email = NULL;
  ca_info_t info;
  size_t i;

  if (email)
    return export_file (ca, dir, email, NULL);
  ca_get_info (ca, &info);
  ca_email = gpgrt_bsprintf ("%s@%s", CA_EMAIL_LOCALPART, info.domain);
  if (!ca_email)
    return oca_error_from_errno ();
  err = export_file (ca, dir, ca_email, ca_email);
  if (!err)
    err = ca_user_emails (ca, &list);
  for (i = 0; !err && list[i]; i++)
    if (strcmp (list[i], ca_email))
      err = export_file (ca, dir, list[i], NULL);
  ca_strings_release (list);
  gpgrt_free (ca_email);
  return err;
}


/* Write BUF/LEN to stdout.  */
static gpg_error_t
write_stdout (void *opaque, const void *buf, size_t len)
{
  (void)opaque;
  if (fwrite (buf, 1, len, stdout) != len)
    return oca_error_from_errno ();
  return 0;
}


/* oca user export [-e EMAIL] [-p DIR] */
gpg_error_t
cmd_user_export (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "email", required_argument, NULL, 'e' },
      { "path",  required_argument, NULL, 'p' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  strlist_t emails;
  ca_t *ca = NULL;
  char *text = NULL;
  const char *dir = NULL;
  int c;

  memset (&emails, 0, sizeof emails);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":e:p:", longopts, NULL)) != -1)
    switch (c)
      {
      case 'p': dir = optarg; break;
      case 'e':
        if (emails.n)
          {
            err = cmd_usage ("only one --email is allowed");
            goto leave;
          }
        err = add_email (&emails, optarg);
        if (err)
          goto leave;
        break;
      default: err = cmd_getopt_error (c, argv); goto leave;
      }
  err = cmd_options_done (argc, argv, NULL, NULL);
  if (err)
    goto leave;

  err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_begin_read (ca);  /* One snapshot, one lock.  */
  if (!err && dir)
    err = export_dir (ca, dir, emails.n ? emails.items[0] : NULL);
  else if (!err && emails.n)
    err = ca_export_certs (ca, emails.items[0], &text);
  else if (!err)
    /* All users: streamed as they are read.  */
    err = ca_export_certs_to (ca, NULL, write_stdout, NULL);
  if (!err && text)
    fputs (text, stdout);

 leave:
  xfree (text);
  ca_release (ca);
  strlist_clear (&emails);
  return err;
}


/* Progress bar on stderr (only when it is a terminal): the keys done
 * of those read so far (the keyring is streamed: how many are still to
 * come is not known).  The line is ended after the import.  */
static void
bulk_progress (void *opaque, size_t done, size_t total)
{
  (void)opaque;
  cmd_progress_bar (done, total);
}


/* The keyring of a bulk import, read as the import goes.  */
struct keyring_file
{
  int fd;
  const char *fname;
  size_t total;                /* Bytes read.  */
};

static gpg_error_t
read_keyring (void *opaque, void *buf, size_t size, size_t *r_n)
{
  struct keyring_file *kf = opaque;
  gpg_error_t err;
  ssize_t n;

  *r_n = 0;
  do
    n = read (kf->fd, buf, size);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      err = oca_error_from_errno ();
      return ca_set_errmsg (err, "error reading '%s': %s", kf->fname,
                            gpg_strerror (err));
    }
  kf->total += n;
  *r_n = n;
  return 0;
}


/* oca user import --domain-emails -f KEYRING */
static gpg_error_t
do_bulk_import (const ca_opts_t *opts, const char *fname, int validity_set,
                unsigned int validity)
{
  gpg_error_t err;
  struct keyring_file kf;
  ca_t *ca = NULL;
  ca_bulk_stats_t stats;
  int tty = isatty (2);

  memset (&stats, 0, sizeof stats);
  kf.fname = fname;
  kf.total = 0;
  kf.fd = strcmp (fname, "-") ? open (fname, O_RDONLY) : 0;
  if (kf.fd < 0)
    {
      err = oca_error_from_errno ();
      ca_set_errmsg (err, "can't open '%s': %s", fname, gpg_strerror (err));
      goto leave;
    }
  err = ca_open (opts, 0, &ca);
  if (err)
    goto leave;
  if (validity_set)
    ca_set_validity (ca, validity);
  err = ca_begin (ca);
  if (err)
    goto leave;
  err = ca_bulk_import_stream (ca, read_keyring, &kf, 0,
                               cmd_report_line,
                               tty ? bulk_progress : NULL, &tty, &stats);
  if (tty && stats.keys)
    fputc ('\n', stderr);
  if (gpg_err_code (err) == GPG_ERR_NO_PUBKEY && !kf.total)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NO_DATA), "'%s' is empty",
                           fname);
      goto leave;
    }
  if (gpg_err_code (err) == GPG_ERR_INV_PACKET
      || gpg_err_code (err) == GPG_ERR_TOO_SHORT
      || gpg_err_code (err) == GPG_ERR_CHECKSUM
      || gpg_err_code (err) == GPG_ERR_INV_ARMOR
      || gpg_err_code (err) == GPG_ERR_NO_PUBKEY
      || gpg_err_code (err) == GPG_ERR_TOO_LARGE
      || gpg_err_code (err) == GPG_ERR_TOO_MANY)
    {
      if (!ca_errmsg ())
        ca_key_errmsg (err, fname);
      goto leave;
    }
  if (err && stats.partial)
    {
      /* A card failed on a key: keep the keys certified before it.  */
      gpg_error_t err2;
      char *m = xtrystrdup (ca_errmsg ());

      err2 = ca_commit (ca);
      if (!err2 && m)
        ca_set_errmsg (err, "%s", m);
      xfree (m);
      if (err2)
        err = err2;
      goto leave;
    }
  if (err)
    goto leave;
  err = ca_commit (ca);
  if (err)
    goto leave;
  printf ("Imported %zu of %zu keys (%zu new, %zu updated), "
          "made %zu certifications, skipped %zu, refused %zu.\n",
          stats.imported + stats.updated, stats.keys, stats.imported,
          stats.updated, stats.certifications, stats.skipped,
          stats.refused);

 leave:
  ca_release (ca);
  if (kf.fd > 0)
    close (kf.fd);
  return err;
}
