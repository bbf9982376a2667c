/* svc-cmd.c - the CA commands of the service: the table and handlers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each handler is the service's side of one operation of the CA API
 * (ca.h), as cmd-*.c is the command line's: it reads its options, the
 * key block the session inquired, the CA the session opened, calls the
 * core and writes status lines (svc_status) and data lines.  The
 * session (svc-session.c) does the rest: the table row says whether
 * the command reads or writes the CA and whether it takes a key block.
 *
 * Status lines (documented in doc/oca.1, SERVICE):
 *   USER <fpr> <tsig> <expires> <revoked> <nrevocations> <name>
 *   USER_EMAIL <fpr> <address>
 *   USER_UID <fpr> <User ID certified by the CA>
 *   CERTIFIED <fpr> <User ID>       a certification made now
 *   REFUSED <fpr> <why> <User ID>   a User ID the CA refused
 *   UNMATCHED <fpr> <addresses>     requested, but in no User ID
 *   IMPORTED <fpr> <ncertified>     CERTIFY stored the key
 *   UPDATED <fpr> <npackets>
 *   NEWUSER <fpr>, PASSPHRASE <passphrase>     ADDUSER
 *   CA <fpr> <created> <backend> <domain>, CA_UID <User ID>   CAINFO
 *   EXPIRING <fpr> <expires> <name>, NOT_MUTUAL <fpr> <ca_certified>
 *     <tsigned> <name>, CHECKED <users> <found>                CHECK
 *   BRIDGE <address> <scope> <fpr> <active>                   BRIDGES
 *   REVOCATION_STORED, REVOKED: see svc-revoke.c
 */
#include <config.h>
#include "svc-int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


/* Most addresses on one command.  */
#define MAX_EMAILS 32


/* Normalise the --email values of CALL into EMAILS (xfree each; at
 * most MAX_EMAILS, duplicates dropped); *R_N gets their number.  At
 * least one is required.  */
static gpg_error_t
get_emails (svc_call_t *call, char **emails, size_t *r_n)
{
  gpg_error_t err;
  const char *given[MAX_EMAILS + 1];
  const char *why = NULL;
  size_t ngiven, i, j, n = 0;
  char *e;

  *r_n = 0;
  ngiven = svc_args_all (call->args, "email", given, DIM (given));
  if (!ngiven)
    return ca_set_errmsg (gpg_error (GPG_ERR_MISSING_VALUE),
                          "at least one --email is required");
  if (ngiven > MAX_EMAILS)
    return ca_set_errmsg (gpg_error (GPG_ERR_TOO_MANY),
                          "more than %d addresses", MAX_EMAILS);
  for (i = 0; i < ngiven; i++)
    {
      err = pgp_mail_normalize (given[i], &e, &why);
      if (gpg_err_code (err) == GPG_ERR_INV_USER_ID)
        {
          char *shown = pgp_uid_escape (given[i], strlen (given[i]));

          err = ca_set_errmsg (err, "invalid email address '%.60s': %s",
                               shown ? shown : "?", why ? why : "invalid");
          xfree (shown);
        }
      if (err)
        goto leave;
      for (j = 0; j < n; j++)
        if (!strcmp (emails[j], e))
          break;
      if (j < n)
        xfree (e);
      else
        emails[n++] = e;
    }
  *r_n = n;
  n = 0;

 leave:
  for (i = 0; i < n; i++)
    xfree (emails[i]);
  return err;
}


static void
free_emails (char **emails, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    xfree (emails[i]);
}


/* The --name of CALL, checked as `user add' checks it: what a User ID
 * may hold before its address.  NULL if none.  */
static gpg_error_t
get_name (svc_call_t *call, const char **r_name)
{
  gpg_error_t err;
  const char *name = svc_args_get (call->args, "name");

  *r_name = NULL;
  if (!name)
    return 0;
  err = pgp_uid_parse (name, strlen (name), NULL, NULL, NULL);
  if (*name && gpg_err_code (err) == GPG_ERR_NO_DATA)
    {
      *r_name = name;
      return 0;
    }
  return ca_set_errmsg (gpg_error (GPG_ERR_INV_NAME), "invalid name");
}


/* The check of CERTIFY and ADDUSER before the inquiry: addresses,
 * name, algorithm, and the service's policy.  */
static gpg_error_t
check_request (svc_call_t *call)
{
  gpg_error_t err;
  char *emails[MAX_EMAILS];
  size_t n = 0;
  const char *name, *algo = svc_args_get (call->args, "algo");

  err = get_emails (call, emails, &n);
  if (!err)
    err = get_name (call, &name);
  if (!err && algo && !pgp_gen_algo_from_string (algo))
    err = ca_set_errmsg (gpg_error (GPG_ERR_PUBKEY_ALGO),
                         "unknown algorithm '%.20s'", algo);
  if (!err)
    err = svc_check_policy (call, (const char *const *)emails, n);
  free_emails (emails, n);
  return err;
}


/* The certificate in the inquired key block of CALL (public parts
 * only).  */
static gpg_error_t
read_cert (svc_call_t *call, pgp_cert_t **r_cert)
{
  gpg_error_t err;
  pgp_cert_t *cert = NULL, *pub;

  *r_cert = NULL;
  err = pgp_read_cert (call->input, call->inputlen, &cert);
  if (gpg_err_code (err) == GPG_ERR_AMBIGUOUS)
    return ca_set_errmsg (err, "the key block holds more than one key");
  if (err)
    return ca_key_errmsg (err, "the key block");
  if (pgp_cert_has_secret (cert))
    {
      err = pgp_cert_copy (cert, 1, &pub);
      pgp_cert_release (cert);
      if (err)
        return err;
      cert = pub;
    }
  *r_cert = cert;
  return 0;
}


/* The status lines of RES, the certification of the key FPR (the
 * certifications made only if they were STORED).  */
static gpg_error_t
certify_status (svc_call_t *call, const char *fpr,
                const ca_certify_result_t *res, int stored)
{
  gpg_error_t err = 0;
  const ca_made_sig_t *m;
  const ca_refused_t *r;

  for (m = res->made; !err && stored && m; m = m->next)
    err = svc_status (call->ctx, "CERTIFIED", fpr, m->uid, NULL);
  for (r = res->refused; !err && r; r = r->next)
    err = svc_status (call->ctx, "REFUSED", fpr, r->why, r->uid, NULL);
  if (!err && res->unmatched)
    err = svc_status (call->ctx, "UNMATCHED", fpr, res->unmatched, NULL);
  return err;
}


static const char hlp_certify[] =
  "CERTIFY --email ADDR [--email ADDR...] [--name NAME]\n"
  "\n"
  "Inquire KEYBLOCK, a user's public key (armored or binary), certify\n"
  "its User IDs with these addresses and store it as a new user (as\n"
  "'oca user import').  Status lines CERTIFIED, REFUSED, UNMATCHED and\n"
  "IMPORTED; the data is the certificate with the CA's certifications.\n"
  "Only addresses the service's policy allows (--certify-domain).";
static gpg_error_t
cmd_certify (svc_call_t *call)
{
  gpg_error_t err;
  char *emails[MAX_EMAILS];
  size_t nemails = 0;
  const char *name;
  pgp_cert_t *cert = NULL;
  ca_certify_result_t res;
  unsigned char *out = NULL;
  size_t outlen = 0;
  char fpr[41], num[16];

  memset (&res, 0, sizeof res);
  /* Checked by check_request.  */
  err = get_emails (call, emails, &nemails);
  if (!err)
    err = get_name (call, &name);
  if (!err)
    err = read_cert (call, &cert);
  if (err)
    goto leave;
  pgp_cert_fpr_hex (cert, fpr);
  err = ca_user_import (call->ca, cert, name, (const char *const *)emails,
                        nemails, &res);
  /* Stored before anything says it was; what the certification
   * refused is said even if the import fails.  */
  if (!err)
    err = svc_commit (call);
  if (certify_status (call, fpr, &res, !err) && !err)
    err = gpg_error (GPG_ERR_EPIPE);
  if (err)
    goto leave;
  snprintf (num, sizeof num, "%zu", res.nmatched);
  err = pgp_cert_export (cert, PGP_EXPORT_ARMOR | PGP_EXPORT_NO_LOCAL,
                         &out, &outlen);
  if (!err)
    err = svc_status (call->ctx, "IMPORTED", fpr, num, NULL);
  if (!err)
    err = svc_send_text (call->ctx, (char *)out);

 leave:
  xfree (out);
  ca_certify_result_release (&res);
  pgp_cert_release (cert);
  free_emails (emails, nemails);
  return err;
}


static const char hlp_update[] =
  "UPDATE\n"
  "\n"
  "Inquire KEYBLOCK, a newer copy of a stored user key, and merge it\n"
  "into the stored one (as 'oca user update').  Status line UPDATED\n"
  "with the number of packets added.";
static gpg_error_t
cmd_update (svc_call_t *call)
{
  gpg_error_t err;
  pgp_cert_t *cert = NULL;
  int added = 0;
  char fpr[41], num[16];

  err = read_cert (call, &cert);
  if (!err)
    err = ca_user_update (call->ca, cert, "the key block", &added);
  if (err)
    goto leave;
  call->no_commit = !added;
  if (added && (err = svc_commit (call)))
    goto leave;
  snprintf (num, sizeof num, "%d", added);
  err = svc_status (call->ctx, "UPDATED", pgp_cert_fpr_hex (cert, fpr), num,
                    NULL);

 leave:
  pgp_cert_release (cert);
  return err;
}


static const char hlp_adduser[] =
  "ADDUSER --email ADDR [--email ADDR...] [--name NAME] [--algo ALGO]\n"
  "\n"
  "Create a user key, certified by the CA, trust-signing it (as 'oca\n"
  "user add').  Status lines NEWUSER and PASSPHRASE; the data is the\n"
  "private key, protected with that passphrase.  It is handed out\n"
  "before the user is stored: if it cannot be sent, nothing is.";
static gpg_error_t
cmd_adduser (svc_call_t *call)
{
  gpg_error_t err;
  char *emails[MAX_EMAILS];
  size_t nemails = 0;
  const char *name, *algo_arg;
  int algo = 0;
  ca_new_user_t user;

  memset (&user, 0, sizeof user);
  /* Checked by check_request.  */
  err = get_emails (call, emails, &nemails);
  if (!err)
    err = get_name (call, &name);
  if (err)
    goto leave;
  algo_arg = svc_args_get (call->args, "algo");
  if (algo_arg)
    algo = pgp_gen_algo_from_string (algo_arg);
  err = ca_user_create (call->ca, name, (const char *const *)emails,
                          nemails, algo, &user);
  if (err)
    goto leave;
  /* The key and its passphrase are not logged.  */
  assuan_begin_confidential (call->ctx);
  err = svc_status (call->ctx, "NEWUSER", user.fpr, NULL);
  if (!err)
    err = svc_status (call->ctx, "PASSPHRASE", user.passphrase, NULL);
  if (!err)
    err = svc_send_text (call->ctx, (char *)user.key);
  assuan_end_confidential (call->ctx);
  if (err)
    ca_set_errmsg (err, "error sending the new user key: %s; nothing was "
                   "stored", gpg_strerror (err));

 leave:
  ca_new_user_release (&user);
  free_emails (emails, nemails);
  return err;
}


/* The status lines of the stored USER.  */
static gpg_error_t
user_status (svc_call_t *call, const ca_user_t *user, uint32_t now)
{
  gpg_error_t err;
  ca_user_status_t st;
  char expires[16], nrev[16];
  size_t i;

  err = ca_user_status (call->ca, user, now, &st);
  if (err)
    return err;
  if (st.info_err)
    strcpy (expires, "?");
  else
    snprintf (expires, sizeof expires, "%lu",
              (unsigned long)st.info.expires);
  snprintf (nrev, sizeof nrev, "%zu", st.nrevocations);
  err = svc_status (call->ctx, "USER", user->fpr, st.tsigned ? "1" : "0",
                    expires, st.info.revoked ? "1" : "0", nrev,
                    user->name ? user->name : "", NULL);
  for (i = 0; !err && i < user->nemails; i++)
    err = svc_status (call->ctx, "USER_EMAIL", user->fpr, user->emails[i],
                      NULL);
  for (i = 0; !err && i < st.ncertified; i++)
    {
      char *uid = xtrymalloc (st.certified[i]->bodylen + 1);

      if (!uid)
        {
          err = oca_error_from_errno ();
          break;
        }
      memcpy (uid, st.certified[i]->body, st.certified[i]->bodylen);
      uid[st.certified[i]->bodylen] = 0;
      err = svc_status (call->ctx, "USER_UID", user->fpr, uid, NULL);
      xfree (uid);
    }
  ca_user_status_release (&st);
  return err;
}


/* Whether S is 40 hex digits.  */
static int
is_fpr (const char *s)
{
  size_t n = strspn (s, "0123456789abcdefABCDEF");

  return n == 40 && !s[n];
}


/* The status lines of the stored users that EMAIL (or all) and FPR (or
 * all) select; GPG_ERR_NOT_FOUND if none.  */
static gpg_error_t
list_users (svc_call_t *call, const char *email, const char *fpr)
{
  gpg_error_t err;
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;
  uint32_t now = (uint32_t)time (NULL);
  size_t n = 0;

  err = ca_users_open (call->ca, email, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    {
      if (fpr && strcasecmp (fpr, user->fpr))
        continue;
      n++;
      err = user_status (call, user, now);
    }
  ca_users_close (it);
  if (gpg_err_code (err) != GPG_ERR_EOF)
    return err;
  if (!n && (email || fpr))
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                          "no such user");
  return 0;
}


/* The normalised --email of CALL into *R_EMAIL (xfree), or NULL.  */
static gpg_error_t
get_one_email (svc_call_t *call, char **r_email)
{
  gpg_error_t err;
  const char *e = svc_args_get (call->args, "email");

  *r_email = NULL;
  if (!e)
    return 0;
  err = pgp_mail_normalize (e, r_email, NULL);
  if (gpg_err_code (err) == GPG_ERR_INV_USER_ID)
    err = ca_set_errmsg (err, "invalid email address");
  return err;
}


static const char hlp_listusers[] =
  "LISTUSERS [--email ADDR]\n"
  "\n"
  "Status lines USER, USER_EMAIL and USER_UID for each stored user (as\n"
  "'oca user list'), or those stored for ADDR.";
static gpg_error_t
cmd_listusers (svc_call_t *call)
{
  gpg_error_t err;
  char *email = NULL;

  err = get_one_email (call, &email);
  if (!err)
    err = list_users (call, email, NULL);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    err = 0;       /* An empty list.  */
  xfree (email);
  return err;
}


static const char hlp_showuser[] =
  "SHOWUSER FINGERPRINT|ADDR\n"
  "\n"
  "The status lines of LISTUSERS for one user key, or for the keys\n"
  "stored for an address.  GPG_ERR_NOT_FOUND if there is none.";
static gpg_error_t
cmd_showuser (svc_call_t *call)
{
  gpg_error_t err;
  const char *what = call->args->narg ? call->args->arg[0] : "";
  char *email = NULL;

  if (is_fpr (what))
    return list_users (call, NULL, what);
  err = pgp_mail_normalize (what, &email, NULL);
  if (gpg_err_code (err) == GPG_ERR_INV_USER_ID)
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE), "a fingerprint "
                          "(40 hex digits) or an email address is needed");
  if (!err)
    err = list_users (call, email, NULL);
  xfree (email);
  return err;
}


static const char hlp_export[] =
  "EXPORT [--email ADDR] [--ca]\n"
  "\n"
  "The data is the CA certificate and every user certificate (as 'oca\n"
  "user export'), or those stored for ADDR, or with --ca the CA\n"
  "certificate alone (as 'oca ca export').";
static gpg_error_t
cmd_export (svc_call_t *call)
{
  gpg_error_t err;
  char *email = NULL, *text = NULL;

  if (svc_args_has (call->args, "ca"))
    {
      if (svc_args_get (call->args, "email"))
        return ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                              "--ca can't be combined with --email");
      err = ca_export_public (call->ca, &text);
    }
  else
    {
      err = get_one_email (call, &email);
      if (!err)
        err = ca_export_certs (call->ca, email, &text);
    }
  if (!err)
    err = svc_send_text (call->ctx, text);
  xfree (text);
  xfree (email);
  return err;
}


static const char hlp_cainfo[] =
  "CAINFO\n"
  "\n"
  "Status lines CA <fpr> <created> <backend> <domain> and CA_UID (as\n"
  "'oca ca show', without the backend's secrets).";
static gpg_error_t
cmd_cainfo (svc_call_t *call)
{
  gpg_error_t err;
  ca_info_t info;
  char created[16];

  ca_get_info (call->ca, &info);
  snprintf (created, sizeof created, "%lu", (unsigned long)info.created);
  err = svc_status (call->ctx, "CA", info.fpr, created, info.backend,
                    info.domain, NULL);
  if (!err)
    err = svc_status (call->ctx, "CA_UID", info.uid, NULL);
  return err;
}


/* The display name of USER for status lines ("" if none).  */
static const char *
user_name (const ca_user_t *user)
{
  return user->name ? user->name : "";
}


static const char hlp_check[] =
  "CHECK expiry [--days N] | CHECK certifications\n"
  "\n"
  "The checks of 'oca user check'.  expiry: status EXPIRING <fpr>\n"
  "<expires> <name> for each user key alive now that expires within N\n"
  "days (default 30).  certifications: status NOT_MUTUAL <fpr>\n"
  "<ca_certified> <tsigned> <name> for each user key that the CA and\n"
  "that do not certify each other.  Then CHECKED <users> <found>.";
static gpg_error_t
cmd_check (svc_call_t *call)
{
  gpg_error_t err;
  const char *what = call->args->narg ? call->args->arg[0] : "";
  const char *days_arg = svc_args_get (call->args, "days");
  unsigned long days = 30;
  int expiry = !strcmp (what, "expiry");
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;
  ca_check_expiry_t exp;
  ca_check_mutual_t mut;
  uint32_t now = (uint32_t)time (NULL);
  size_t n = 0, found = 0;
  char num[16], num2[16];
  char *end;

  if (!expiry && strcmp (what, "certifications"))
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE), "a check is "
                          "needed: expiry or certifications");
  if (days_arg)
    {
      errno = 0;
      days = strtoul (days_arg, &end, 10);
      if (!expiry || *days_arg < '0' || *days_arg > '9' || *end || errno
          || days > 36500)
        return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE), "--days: a "
                              "number of days (0 to 36500) for expiry");
    }
  err = ca_users_open (call->ca, NULL, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    {
      n++;
      if (expiry)
        {
          err = ca_check_expiry (call->ca, user, now, days, &exp);
          if (err || !exp.expiring)
            continue;
          snprintf (num, sizeof num, "%lu", (unsigned long)exp.expires);
          err = svc_status (call->ctx, "EXPIRING", user->fpr, num,
                            user_name (user), NULL);
        }
      else
        {
          err = ca_check_certifications (call->ca, user, now, &mut);
          if (err || (mut.ca_certified && mut.tsigned))
            continue;
          err = svc_status (call->ctx, "NOT_MUTUAL", user->fpr,
                            mut.ca_certified ? "1" : "0",
                            mut.tsigned ? "1" : "0", user_name (user), NULL);
        }
      found++;
    }
  ca_users_close (it);
  if (gpg_err_code (err) != GPG_ERR_EOF)
    return err;
  snprintf (num, sizeof num, "%zu", n);
  snprintf (num2, sizeof num2, "%zu", found);
  return svc_status (call->ctx, "CHECKED", num, num2, NULL);
}


static const char hlp_bridges[] =
  "BRIDGES\n"
  "\n"
  "Status BRIDGE <address> <scope> <fpr> <active> for each bridge to\n"
  "another CA (as 'oca bridge list').";
static gpg_error_t
cmd_bridges (svc_call_t *call)
{
  gpg_error_t err;
  ca_bridge_t *list = NULL, *b;

  err = ca_bridges_get (call->ca, NULL, &list);
  for (b = list; !err && b; b = b->next)
    err = svc_status (call->ctx, "BRIDGE", b->email, b->scope, b->fpr,
                      b->active ? "1" : "0", NULL);
  ca_bridge_release (list);
  return err;
}


/* The table: name, handler, check before the inquiry, flags,
 * options, arguments, help.  */
const svc_command_t svc_commands[] =
  {
    { "CERTIFY", cmd_certify, check_request, SVC_CA_WRITE | SVC_INPUT,
      "email*,name=", 0, hlp_certify },
    { "UPDATE", cmd_update, NULL, SVC_CA_WRITE | SVC_INPUT, "", 0,
      hlp_update },
    { "ADDUSER", cmd_adduser, check_request, SVC_CA_WRITE,
      "email*,name=,algo=", 0, hlp_adduser },
    { "LISTUSERS", cmd_listusers, NULL, SVC_CA_READ, "email=", 0,
      hlp_listusers },
    { "SHOWUSER", cmd_showuser, NULL, SVC_CA_READ, "", 1, hlp_showuser },
    { "EXPORT", cmd_export, NULL, SVC_CA_READ, "email=,ca", 0, hlp_export },
    { "CAINFO", cmd_cainfo, NULL, SVC_CA_READ, "", 0, hlp_cainfo },
    { "CHECK", cmd_check, NULL, SVC_CA_READ, "days=", 1, hlp_check },
    { "BRIDGES", cmd_bridges, NULL, SVC_CA_READ, "", 0, hlp_bridges },
    { "ADDREVOCATION", svc_cmd_addrevocation, NULL,
      SVC_CA_WRITE | SVC_INPUT, "", 0, svc_hlp_addrevocation },
    { "REVOKE", svc_cmd_revoke, NULL, SVC_CA_WRITE, "", 1, svc_hlp_revoke },
    { NULL, NULL, NULL, 0, NULL, 0, NULL }
  };
