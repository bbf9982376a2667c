/* cmd-user.c - the `oca user' commands: add, import, update, list, export
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "ca.h"

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
  char *e = NULL, *shown;
  const char *why = NULL;
  size_t i;

  err = pgp_mail_normalize (s, &e, &why);
  if (gpg_err_code (err) == GPG_ERR_INV_USER_ID)
    {
      shown = pgp_uid_escape (s, strlen (s));
      err = ca_set_errmsg (err, "invalid email address '%s': %s",
                           shown ? shown : "?", why ? why : "invalid");
      xfree (shown);
      return err;
    }
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


/* Check a user name given with --name: what a User ID may hold before
 * its address (no '@', '<' or '>', no control characters).  */
static gpg_error_t
check_name (const char *name)
{
  gpg_error_t err;
  char *shown;

  err = pgp_uid_parse (name, strlen (name), NULL, NULL, NULL);
  if (*name && gpg_err_code (err) == GPG_ERR_NO_DATA)
    return 0;
  if (err && gpg_err_code (err) != GPG_ERR_INV_USER_ID)
    return err;
  shown = pgp_uid_escape (name, strlen (name));
  err = cmd_usage ("invalid name '%s'", shown ? shown : "?");
  xfree (shown);
  return err;
}


/* Read one certificate from FNAME, public parts only.  */
static gpg_error_t
read_one_cert (const char *fname, pgp_cert_t **r_cert)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;
  pgp_cert_t *cert = NULL;

  *r_cert = NULL;
  err = ca_read_file (fname, &buf, &len);
  if (err)
    return err;
  err = pgp_read_cert (buf, len, &cert);
  if (gpg_err_code (err) == GPG_ERR_AMBIGUOUS)
    err = ca_set_errmsg (err, "%s: more than one key in the file "
                         "(see --domain-emails for keyrings)", fname);
  else if (err)
    ca_key_errmsg (err, fname);
  else if (pgp_cert_has_secret (cert))
    {
      pgp_cert_t *pub;

      err = pgp_cert_copy (cert, 1, &pub);
      pgp_cert_release (cert);
      cert = pub;
    }
  if (!err)
    {
      *r_cert = cert;
      cert = NULL;
    }
  pgp_cert_release (cert);
  wipe_and_free (buf, len);  /* The file may hold secret key material.  */
  return err;
}


/* The generation algorithm matching the CA key's.  */
static int
ca_gen_algo (ca_t *ca)
{
  const pk_key_t *pk = ca->cert->primary->pk;

  switch (pk->algo)
    {
    case PK_RSA:
      {
        unsigned int nbits = pk_key_nbits (pk);

        if (nbits > 3072)
          return PGP_GEN_RSA4096;
        if (nbits > 2048)
          return PGP_GEN_RSA3072;
        return PGP_GEN_RSA2048;
      }
    case PK_EDDSA:
      return PGP_GEN_ED25519;
    case PK_ECDSA:
      return pk->curve == PK_CURVE_NISTP256 ? PGP_GEN_NISTP256
        : PGP_GEN_NISTP384;
    default:
      return PGP_GEN_RSA4096;
    }
}


/* Certify CERT for the emails in SL as the CA (and find the user's
 * name if WANT_NAME); see ca_certify_cert.  */
static gpg_error_t
certify_for_emails (ca_t *ca, pgp_cert_t *cert, strlist_t *emails,
                    int want_name, ca_certify_result_t *res)
{
  gpg_error_t err;
  pgp_signer_t signer;
  ca_certify_req_t req;

  memset (res, 0, sizeof *res);
  err = ca->backend->ops->certifier (ca->backend, &signer);
  if (err)
    return err;
  memset (&req, 0, sizeof req);
  req.emails = (const char *const *)emails->items;
  req.nemails = emails->n;
  req.want_name = want_name;
  err = ca_certify_cert (cert, &signer, ca->uid, ca->cert->primary->fpr,
                         ca->domain, &req, res);
  if (err && !ca_errmsg_for (err))
    ca_set_errmsg (err, "error certifying: %s", gpg_strerror (err));
  return err;
}


/* oca user add -e EMAIL... [-n NAME] [-m] [--algo ALGO] */
gpg_error_t
cmd_user_add (ca_cli_t *cli, int argc, char **argv)
{
  static const struct option opts[] =
    {
      { "email",   required_argument, NULL, 'e' },
      { "name",    required_argument, NULL, 'n' },
      { "minimal", no_argument,       NULL, 'm' },
      { "algo",    required_argument, NULL, 'a' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  strlist_t emails, uids;
  const char *name = NULL, *algo_arg = NULL;
  int minimal = 0, algo = 0, c;
  ca_t *ca = NULL;
  pgp_cert_t *cert = NULL;
  pgp_sig_t *rev = NULL, *tsig;
  pgp_signer_t usigner;
  pgp_certify_opts_t topts;
  pgp_uid_t *cauid;
  ca_certify_result_t res;
  char *pass = NULL, *pub = NULL, *revtext = NULL;
  unsigned char *priv = NULL;
  size_t privlen = 0, i;
  char fpr[41], revhash[17];
  int64_t cert_id = 0;

  memset (&emails, 0, sizeof emails);
  memset (&uids, 0, sizeof uids);
  memset (&res, 0, sizeof res);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":e:n:ma:", opts, NULL)) != -1)
    switch (c)
      {
      case 'e':
        err = add_email (&emails, optarg);
        if (err)
          goto leave;
        break;
      case 'n': name = optarg; break;
      case 'm': minimal = 1; break;
      case 'a': algo_arg = optarg; break;
      default: err = cmd_getopt_error (c, argv); goto leave;
      }
  if (optind < argc)
    {
      err = cmd_usage ("unexpected argument '%s'", argv[optind]);
      goto leave;
    }
  if (!emails.n)
    {
      err = cmd_usage ("at least one --email is required");
      goto leave;
    }
  if (name && (err = check_name (name)))
    goto leave;
  if (algo_arg && !(algo = pgp_gen_algo_from_string (algo_arg)))
    {
      err = cmd_usage ("unknown algorithm '%s'", algo_arg);
      goto leave;
    }

  for (i = 0; i < emails.n; i++)
    {
      char *u = name ? gpgrt_bsprintf ("%s <%s>", name, emails.items[i])
        : gpgrt_bsprintf ("<%s>", emails.items[i]);
      if (!u)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      err = strlist_add (&uids, u);
      gpgrt_free (u);
      if (err)
        goto leave;
    }

  err = ca_open (cli, 0, &ca);
  if (err)
    goto leave;
  err = ca_begin (ca);
  if (err)
    goto leave;
  if (!algo)
    algo = ca_gen_algo (ca);

  err = pgp_generate_user (algo, (const char *const *)uids.items, uids.n, 0,
                           &cert, &rev);
  if (err)
    {
      ca_set_errmsg (err, "error generating the user key: %s",
                     gpg_strerror (err));
      goto leave;
    }
  pgp_cert_fpr_hex (cert, fpr);

  /* The CA certifies the new User IDs.  */
  err = certify_for_emails (ca, cert, &emails, 0, &res);
  if (err)
    goto leave;
  if (res.nmatched != emails.n)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_INV_USER_ID),
                           "the new User IDs could not be certified");
      goto leave;
    }

  /* The user key trust-signs the CA's User ID(s).  */
  err = pgp_signer_from_key (cert->primary, &usigner);
  if (err)
    goto leave;
  memset (&topts, 0, sizeof topts);
  topts.sigclass = PGP_SIG_GENERIC_CERT;
  topts.trust_level = CA_TSIG_LEVEL;
  topts.trust_amount = CA_TSIG_AMOUNT;
  for (cauid = ca->cert->uids; cauid; cauid = cauid->next)
    {
      if (cauid->is_attribute)
        continue;
      err = pgp_cert_certify_uid (ca->cert, cauid, &usigner, &topts, &tsig);
      if (err)
        {
          ca_set_errmsg (err, "error making the trust signature: %s",
                         gpg_strerror (err));
          goto leave;
        }
      err = ca_record_sig (ca, 0, ca->fpr, cauid->name, tsig, fpr,
                           DB_CERTIFICATION_TSIG);
      if (err)
        goto leave;
    }
  err = ca_store_cacert (ca);
  if (err)
    goto leave;

  /* Store the public key, its emails and the revocation.  */
  err = ca_armor_public (cert, &pub);
  if (err)
    goto leave;
  err = db_user_add (ca->db, name, fpr, pub,
                     (const char *const *)emails.items, emails.n,
                     NULL, &cert_id);
  if (err)
    {
      ca_set_errmsg (err, "error storing the user: %s", db_errmsg (ca->db));
      goto leave;
    }
  err = ca_record_certifications (ca, cert_id, fpr, res.made);
  if (err)
    goto leave;
  err = pgp_sig_armor (rev, 0, PGP_ARMOR_PUBKEY, NULL, &revtext);
  if (err)
    goto leave;
  ca_revocation_hash (rev, revhash);
  err = db_revocation_insert (ca->db, cert_id, revhash, revtext, 0, NULL);
  if (err)
    {
      ca_set_errmsg (err, "error storing the revocation: %s",
                     db_errmsg (ca->db));
      goto leave;
    }

  /* Protect and export the private key for the user.  */
  err = ca_passphrase_new (&pass);
  if (err)
    goto leave;
  err = pgp_cert_protect (cert, pass);
  if (!err)
    err = pgp_cert_export (cert, PGP_EXPORT_ARMOR | PGP_EXPORT_SECRET,
                           &priv, &privlen);
  if (err)
    {
      ca_set_errmsg (err, "error protecting the user key: %s",
                     gpg_strerror (err));
      goto leave;
    }

  /* Hand the key out before storing anything: if it cannot be
   * written, the user would exist without anyone holding the key.  The
   * key and its passphrase bypass stdio's buffers.  */
  if (minimal)
    {
      err = cmd_write_secret (stdout, pass);
      if (!err)
        err = cmd_write_secret (stdout, "\n");
      if (!err)
        err = cmd_write_secret (stdout, (char *)priv);
    }
  else
    {
      if ((name ? fprintf (stderr, "Created new user key for %s.\n", name)
           : fputs ("Created new user key.\n", stderr)) < 0)
        err = oca_error_from_errno ();
      if (!err)
        err = cmd_write_secret (stdout, (char *)priv);
      if (!err)
        err = cmd_write_secret (stderr, "Password for this key: '");
      if (!err)
        err = cmd_write_secret (stderr, pass);
      if (!err)
        err = cmd_write_secret (stderr, "'.\n");
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
  wipe_and_free (priv, privlen);
  wipe_and_free_string (pass);
  xfree (pub);
  xfree (revtext);
  ca_certify_result_release (&res);
  pgp_sig_release (rev);
  pgp_cert_release (cert);
  ca_release (ca);
  strlist_clear (&emails);
  strlist_clear (&uids);
  return err;
}


/* Read, check and store the revocations in FNAME for CERT (CERT_ID).  */
static gpg_error_t
store_revocations (ca_t *ca, const pgp_cert_t *cert, int64_t cert_id,
                   const char *fname)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;
  pgp_sig_t *sigs = NULL, *sig;
  char *text = NULL;
  char hash[17];

  err = ca_read_file (fname, &buf, &len);
  if (err)
    goto leave;
  err = pgp_read_sigs (buf, len, &sigs);
  if (err)
    {
      ca_key_errmsg (err, fname);
      goto leave;
    }
  for (sig = sigs; sig; sig = sig->next)
    {
      if (sig->version != 4 || sig->sigclass != PGP_SIG_KEY_REVOKE)
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                               "%s: not a key revocation", fname);
          goto leave;
        }
      if (pgp_sig_verify (cert, NULL, NULL, sig, cert->primary->pk))
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_BAD_SIGNATURE),
                               "%s: revocation does not verify against "
                               "the key", fname);
          goto leave;
        }
      xfree (text);
      text = NULL;
      err = pgp_sig_armor (sig, 0, PGP_ARMOR_PUBKEY, NULL, &text);
      if (err)
        goto leave;
      ca_revocation_hash (sig, hash);
      err = db_revocation_insert (ca->db, cert_id, hash, text, 0, NULL);
      if (gpg_err_code (err) == GPG_ERR_DUP_KEY)
        err = 0;
      if (err)
        {
          ca_set_errmsg (err, "error storing the revocation: %s",
                         db_errmsg (ca->db));
          goto leave;
        }
    }

 leave:
  xfree (text);
  pgp_sig_release (sigs);
  xfree (buf);
  return err;
}


static gpg_error_t do_bulk_import (ca_cli_t *cli, const char *fname);


/* oca user import -e EMAIL... -f FILE [-n NAME] [-r FILE...]
 * oca user import --domain-emails -f FILE  */
gpg_error_t
cmd_user_import (ca_cli_t *cli, int argc, char **argv)
{
  static const struct option opts[] =
    {
      { "email",           required_argument, NULL, 'e' },
      { "file",            required_argument, NULL, 'f' },
      { "key-file",        required_argument, NULL, 'f' },
      { "name",            required_argument, NULL, 'n' },
      { "revocation-file", required_argument, NULL, 'r' },
      { "domain-emails",   no_argument,       NULL, 'E' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  strlist_t emails, revs;
  const char *fname = NULL, *name_arg = NULL;
  int domain_emails = 0, c;
  ca_t *ca = NULL;
  pgp_cert_t *cert = NULL;
  db_cert_t *known = NULL;
  ca_certify_result_t res;
  ca_refused_t *r;
  char *pub = NULL, *name = NULL;
  char fpr[41];
  int64_t cert_id = 0;
  size_t i;

  memset (&emails, 0, sizeof emails);
  memset (&revs, 0, sizeof revs);
  memset (&res, 0, sizeof res);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":e:f:n:r:", opts, NULL)) != -1)
    switch (c)
      {
      case 'e':
        err = add_email (&emails, optarg);
        if (err)
          goto leave;
        break;
      case 'f': fname = optarg; break;
      case 'n': name_arg = optarg; break;
      case 'r':
        err = strlist_add (&revs, optarg);
        if (err)
          goto leave;
        break;
      case 'E': domain_emails = 1; break;
      default: err = cmd_getopt_error (c, argv); goto leave;
      }
  if (optind < argc)
    {
      err = cmd_usage ("unexpected argument '%s'", argv[optind]);
      goto leave;
    }
  if (!fname)
    {
      err = cmd_usage ("the option --file is required");
      goto leave;
    }
  if (domain_emails)
    {
      if (emails.n || revs.n || name_arg)
        {
          err = cmd_usage ("--domain-emails can't be combined with "
                           "--email, --name or --revocation-file");
          goto leave;
        }
      err = do_bulk_import (cli, fname);
      goto leave;
    }
  if (!emails.n)
    {
      err = cmd_usage ("at least one --email (or --domain-emails) is "
                       "required");
      goto leave;
    }
  if (name_arg && (err = check_name (name_arg)))
    goto leave;

  err = read_one_cert (fname, &cert);
  if (err)
    goto leave;
  pgp_cert_fpr_hex (cert, fpr);

  err = ca_open (cli, 0, &ca);
  if (err)
    goto leave;
  err = ca_begin (ca);
  if (err)
    goto leave;
  if (!strcmp (fpr, ca->fpr))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                           "this is the CA's own key");
      goto leave;
    }
  err = db_cert_get (ca->db, fpr, &known);
  if (!err)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_DUP_KEY),
                           "A key with this fingerprint already exists in "
                           "the DB. To update it, use the 'user update' "
                           "command.");
      goto leave;
    }
  if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
    {
      ca_set_errmsg (err, "error reading the database: %s",
                     db_errmsg (ca->db));
      goto leave;
    }

  err = certify_for_emails (ca, cert, &emails, !name_arg, &res);
  if (err)
    goto leave;
  for (r = res.refused; r; r = r->next)
    {
      char *line = ca_refused_line (fpr, r);

      fprintf (stderr, "%s\n", line ? line : "Warning: a User ID was refused");
      xfree (line);
    }
  if (res.unmatched)
    fprintf (stderr, "Warning: Couldn't find a User ID to certify for "
             "'%s' in %s\n", res.unmatched, fpr);
  if (!res.nmatched)
    {
      /* Nothing certified: the key is not stored.  */
      err = ca_set_errmsg (gpg_error (res.refused ? GPG_ERR_INV_USER_ID
                                      : GPG_ERR_NOT_FOUND),
                           "no User ID of %s can be certified; "
                           "the key was not imported", fpr);
      goto leave;
    }

  if (name_arg)
    {
      name = xtrystrdup (name_arg);
      if (!name)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
    }
  else
    {
      name = res.name;
      res.name = NULL;
    }

  err = ca_armor_public (cert, &pub);
  if (err)
    goto leave;
  err = db_user_add (ca->db, name, fpr, pub,
                     (const char *const *)emails.items, emails.n,
                     NULL, &cert_id);
  if (err)
    {
      ca_set_errmsg (err, "error storing the user: %s", db_errmsg (ca->db));
      goto leave;
    }
  err = ca_record_certifications (ca, cert_id, fpr, res.made);
  if (err)
    goto leave;
  for (i = 0; i < revs.n; i++)
    {
      err = store_revocations (ca, cert, cert_id, revs.items[i]);
      if (err)
        goto leave;
    }
  err = ca_commit (ca);

 leave:
  xfree (pub);
  xfree (name);
  db_cert_release (known);
  ca_certify_result_release (&res);
  pgp_cert_release (cert);
  ca_release (ca);
  strlist_clear (&emails);
  strlist_clear (&revs);
  return err;
}


/* oca user update -f FILE */
gpg_error_t
cmd_user_update (ca_cli_t *cli, int argc, char **argv)
{
  static const struct option opts[] =
    {
      { "file",     required_argument, NULL, 'f' },
      { "key-file", required_argument, NULL, 'f' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *fname = NULL;
  ca_t *ca = NULL;
  pgp_cert_t *cert = NULL, *stored = NULL;
  db_cert_t *known = NULL;
  char *pub = NULL;
  char fpr[41];
  int added = 0, c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":f:", opts, NULL)) != -1)
    switch (c)
      {
      case 'f': fname = optarg; break;
      default: return cmd_getopt_error (c, argv);
      }
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);
  if (!fname)
    return cmd_usage ("the option --file is required");

  err = read_one_cert (fname, &cert);
  if (err)
    goto leave;
  pgp_cert_fpr_hex (cert, fpr);
  err = ca_open (cli, 0, &ca);
  if (err)
    goto leave;
  err = ca_begin (ca);
  if (err)
    goto leave;
  err = db_cert_get (ca->db, fpr, &known);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    {
      ca_set_errmsg (err, "No certificate with fingerprint %s found in the "
                     "DB. To add it, use the 'user import' command.", fpr);
      goto leave;
    }
  if (err)
    {
      ca_set_errmsg (err, "error reading the database: %s",
                     db_errmsg (ca->db));
      goto leave;
    }
  err = ca_parse_stored_cert (known->pub_cert, known->fingerprint, &stored);
  if (err)
    goto leave;
  err = pgp_cert_merge (stored, cert, &added);
  if (err)
    {
      ca_set_errmsg (err, "error merging %s: %s", fname, gpg_strerror (err));
      goto leave;
    }
  if (added)
    {
      err = ca_armor_public (stored, &pub);
      if (err)
        goto leave;
      err = db_cert_update (ca->db, known->id, pub);
      if (err)
        {
          ca_set_errmsg (err, "error storing the certificate: %s",
                         db_errmsg (ca->db));
          goto leave;
        }
      err = ca_commit (ca);
      if (err)
        goto leave;
    }

 leave:
  xfree (pub);
  db_cert_release (known);
  pgp_cert_release (stored);
  pgp_cert_release (cert);
  ca_release (ca);
  return err;
}


/* Print one `user list' entry for DC.  */
static gpg_error_t
list_one (ca_t *ca, db_cert_t *dc, uint32_t now)
{
  gpg_error_t err;
  pgp_cert_t *cert = NULL;
  pgp_uid_t *uid;
  pgp_cert_info_t info;
  db_revocation_t *revs = NULL, *r;
  size_t nrevs = 0;
  int header = 0;
  char *shown;

  err = ca_parse_stored_cert (dc->pub_cert, dc->fingerprint, &cert);
  if (err)
    return err;
  err = pgp_cert_verify (cert, ca->cert);
  if (err)
    goto leave;
  err = db_revocation_list (ca->db, dc->id, &revs);
  if (err)
    {
      ca_set_errmsg (err, "error reading the database: %s",
                     db_errmsg (ca->db));
      goto leave;
    }
  for (r = revs; r; r = r->next)
    nrevs++;

  printf ("OpenPGP certificate %s\n", dc->fingerprint);
  if (dc->user_name)
    {
      shown = pgp_uid_escape (dc->user_name, strlen (dc->user_name));
      printf (" User '%s'\n", shown ? shown : "?");
      xfree (shown);
    }
  for (uid = cert->uids; uid; uid = uid->next)
    {
      if (uid->is_attribute
          || pgp_uid_certified_by (cert, uid, ca->cert, now, NULL))
        continue;
      if (!header)
        printf (" Identities certified by this CA:\n");
      header = 1;
      shown = pgp_uid_escape (uid->body, uid->bodylen);
      printf (" - '%s'\n", shown ? shown : "?");
      xfree (shown);
    }
  if (pgp_cert_has_tsig_by (ca->cert, cert->primary->fpr))
    printf (" Has trust-signed this CA\n");
  err = pgp_cert_get_info (cert, now, &info);
  if (err)
    {
      printf (" Expiration unknown (%s)\n", gpg_strerror (err));
      err = 0;
      memset (&info, 0, sizeof info);
    }
  else if (info.expires)
    {
      time_t t = info.expires;
      struct tm tm;
      char buf[32];

      if (gmtime_r (&t, &tm) && strftime (buf, sizeof buf, "%d/%m/%Y", &tm))
        printf (" Expiration %s\n", buf);
    }
  else
    printf (" No expiration is set\n");
  if (nrevs)
    printf (" %zu revocations available\n", nrevs);
  if (info.revoked)
    printf (" This certificate has (possibly) been REVOKED\n");
  printf ("\n");

 leave:
  db_revocation_release (revs);
  pgp_cert_release (cert);
  return err;
}


/* oca user list */
gpg_error_t
cmd_user_list (ca_cli_t *cli, int argc, char **argv)
{
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  gpg_error_t err;
  ca_t *ca = NULL;
  db_cert_t *list = NULL, *dc;
  uint32_t now = (uint32_t)time (NULL);
  int c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":", opts, NULL)) != -1)
    return cmd_getopt_error (c, argv);
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);

  err = ca_open (cli, CA_OPEN_READONLY, &ca);
  if (err)
    goto leave;
  err = db_cert_list (ca->db, &list);
  if (err)
    {
      ca_set_errmsg (err, "error reading the database: %s",
                     db_errmsg (ca->db));
      goto leave;
    }
  for (dc = list; dc; dc = dc->next)
    {
      err = list_one (ca, dc, now);
      if (err)
        goto leave;
    }

 leave:
  db_cert_release (list);
  ca_release (ca);
  return err;
}


/* Append the stored armored cert TEXT of FPR to MB (binary, exportable
 * parts).  */
static gpg_error_t
append_cert (membuf_t *mb, const char *text, const char *fpr)
{
  gpg_error_t err;
  pgp_cert_t *cert = NULL;

  err = ca_parse_stored_cert (text, fpr, &cert);
  if (err)
    return err;
  pgp_cert_write (cert, PGP_EXPORT_NO_LOCAL, mb);
  pgp_cert_release (cert);
  return 0;
}


/* oca user export [-e EMAIL] */
gpg_error_t
cmd_user_export (ca_cli_t *cli, int argc, char **argv)
{
  static const struct option opts[] =
    {
      { "email", required_argument, NULL, 'e' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  strlist_t emails;
  ca_t *ca = NULL;
  db_cert_t *list = NULL, *dc;
  membuf_t mb;
  unsigned char *bin = NULL;
  size_t binlen = 0;
  char *text = NULL;
  int c;

  memset (&emails, 0, sizeof emails);
  membuf_init (&mb, 1024u * 1024 * 1024, 0);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":e:", opts, NULL)) != -1)
    switch (c)
      {
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
  if (optind < argc)
    {
      err = cmd_usage ("unexpected argument '%s'", argv[optind]);
      goto leave;
    }

  err = ca_open (cli, CA_OPEN_READONLY, &ca);
  if (err)
    goto leave;
  if (emails.n)
    err = db_cert_list_by_email (ca->db, emails.items[0], &list);
  else
    {
      pgp_cert_write (ca->cert, PGP_EXPORT_NO_LOCAL, &mb);
      err = db_cert_list (ca->db, &list);
    }
  if (err)
    {
      ca_set_errmsg (err, "error reading the database: %s",
                     db_errmsg (ca->db));
      goto leave;
    }
  if (emails.n && !list)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                           "No certificates found for '%s'",
                           emails.items[0]);
      goto leave;
    }
  for (dc = list; dc; dc = dc->next)
    {
      err = append_cert (&mb, dc->pub_cert, dc->fingerprint);
      if (err)
        goto leave;
    }
  err = membuf_take (&mb, &bin, &binlen);
  if (err)
    goto leave;
  err = pgp_armor (PGP_ARMOR_PUBKEY, bin, binlen, NULL, &text, NULL);
  if (err)
    goto leave;
  fputs (text, stdout);

 leave:
  xfree (text);
  xfree (bin);
  membuf_release (&mb);
  db_cert_release (list);
  ca_release (ca);
  strlist_clear (&emails);
  return err;
}


/* Progress bar on stderr (only when it is a terminal).  */
static void
bulk_progress (void *opaque, size_t done, size_t total)
{
  int width = 40, filled;

  if (!total)
    return;
  filled = (int)((double)done / total * width);
  fprintf (stderr, "\r[%.*s%*s] %zu/%zu", filled,
           "########################################", width - filled, "",
           done, total);
  if (done == total)
    fputc ('\n', stderr);
  fflush (stderr);
}


/* One line on stderr per skipped key or refused User ID.  */
static void
bulk_report (void *opaque, const char *line)
{
  int *tty = opaque;

  if (*tty)
    fputs ("\r\033[K", stderr);
  fprintf (stderr, "%s\n", line);
}


/* oca user import --domain-emails -f KEYRING */
static gpg_error_t
do_bulk_import (ca_cli_t *cli, const char *fname)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;
  ca_t *ca = NULL;
  ca_bulk_stats_t stats;
  int tty = isatty (2);

  err = ca_read_file (fname, &buf, &len);
  if (err)
    goto leave;
  err = ca_open (cli, 0, &ca);
  if (err)
    goto leave;
  err = ca_begin (ca);
  if (err)
    goto leave;
  err = ca_bulk_import (ca, buf, len, 0, bulk_report,
                        tty ? bulk_progress : NULL, &tty, &stats);
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
  xfree (buf);
  return err;
}
