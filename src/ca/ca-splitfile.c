/* ca-splitfile.c - split mode: the exchange files of front and back
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * openpgp-ca's format (spec 4.4), pretty JSON:
 *
 *   request   {"version":1,"ca_fingerprint":FPR,"created":RFC3339,
 *              "queue":[[ID,CREATED,TASK],...]}     (front -> back)
 *   response  {"version":1,"ca_fingerprint":FPR,"created":RFC3339,
 *              "queue":[[ID,ANSWER],...]}           (back -> front)
 *
 * TASK is a queue entry (ca-split.c); ANSWER is
 * {"CertificationResp":{"fingerprint":FPR,"sigs":[BASE64,...]}} or
 * {"BridgeResp":{"cert":ARMOR}}.  The signatures are written with
 * padding (openpgp-ca 0.14; 0.13 wrote none): both are read.  A request
 * of 0.13 ([ID,TASK], no time) is read too.
 *
 * The front trusts nothing of a response: every signature must verify
 * as the CA's certification of a User ID that was requested (or, for a
 * bridge, as the CA's trust signature with the requested Regular
 * Expression) on the requested key, and the answer must be to a
 * request in the queue.  An answer to a request done already is
 * skipped, as openpgp-ca does.  Any error leaves the front as it was
 * (the caller's transaction).
 */
#include <config.h>
#include "ca-int.h"
#include "ca-json.h"

#include <string.h>

/* The format version of both files.  */
#define SPLIT_VERSION 1
/* Largest exchange file read.  */
#define SPLIT_MAX_FILE (256u * 1024 * 1024)


/* Read and parse the JSON file PATH (a KIND file) into *R_J.  */
static gpg_error_t
read_file (const char *path, const char *kind, ca_json_t **r_j)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;

  *r_j = NULL;
  err = ca_file_read (path, SPLIT_MAX_FILE, &buf, &len);
  if (err)
    return err;
  err = ca_json_parse (buf, len, r_j);
  xfree (buf);
  if (err)
    return ca_set_errmsg (err, "%s: not a %s file of a split CA (%s)",
                          path, kind, gpg_strerror (err));
  return 0;
}


/* Check the head of the exchange file J (a RESPONSE file, else a
 * request file): version and CA, with the reference's messages.
 * *R_QUEUE gets its queue, *R_CREATED its time.  */
static gpg_error_t
check_head (ca_t *ca, const char *path, const ca_json_t *j, int response,
            const ca_json_t **r_queue, const char **r_created)
{
  const ca_json_t *v, *q;
  const char *fpr, *created;
  char num[32];

  *r_queue = NULL;
  v = ca_json_get (j, "version");
  fpr = ca_json_str (ca_json_get (j, "ca_fingerprint"));
  created = ca_json_str (ca_json_get (j, "created"));
  q = ca_json_get (j, "queue");
  if (!v || v->type != CA_JSON_NUM || !fpr || !created
      || !q || q->type != CA_JSON_ARR)
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_DATA),
                          "%s: not an exchange file of a split CA (missing "
                          "or invalid version, ca_fingerprint, created or "
                          "queue)", path);
  if (v->num != SPLIT_VERSION)
    {
      snprintf (num, sizeof num, "%lld", (long long)v->num);
      if (response)
        return ca_set_errmsg (gpg_error (GPG_ERR_UNSUPPORTED_PROTOCOL),
                              "Unexpected response format version %s", num);
      return ca_set_errmsg (gpg_error (GPG_ERR_UNSUPPORTED_PROTOCOL),
                            "Unexpected version %s in request file", num);
    }
  if (strcmp (fpr, ca->fpr) && response)
    return ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                          "Unexpected remote CA %s", fpr);
  if (strcmp (fpr, ca->fpr))
    return ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                          "Unexpected CA fingerprint %s in request file "
                          "(doesn't match this back CA)", fpr);
  *r_queue = q;
  *r_created = created;
  return 0;
}


/* Append the head of an exchange file (up to the queue's '[').  */
static void
put_head (membuf_t *mb, ca_t *ca)
{
  char now[24];

  ca_split_now (now, 1);
  membuf_put_str (mb, "{\n  \"version\": 1,\n  \"ca_fingerprint\": ");
  ca_json_put_str (mb, ca->fpr);
  membuf_put_str (mb, ",\n  \"created\": ");
  ca_json_put_str (mb, now);
  membuf_put_str (mb, ",\n  \"queue\": [");
}


/* Finish an exchange file with N entries and write it to PATH.  */
static gpg_error_t
put_tail_write (membuf_t *mb, size_t n, const char *path)
{
  gpg_error_t err;

  membuf_put_str (mb, n ? "\n  ]\n}" : "]\n}");
  err = membuf_error (mb);
  if (err)
    return ca_set_errmsg (err, "error writing '%s': %s", path,
                          gpg_strerror (err));
  return ca_file_write (path, membuf_data (mb), membuf_len (mb),
                        CA_FILE_REPLACE | CA_FILE_SYNC);
}


/* See ca.h.  */
gpg_error_t
ca_split_export (ca_t *ca, const char *file, size_t *r_n)
{
  gpg_error_t err;
  db_queue_t *q = NULL;
  ca_json_t *task = NULL;
  ca_split_entry_t e;
  int64_t after = 0;
  char created[40];
  membuf_t mb;
  size_t n = 0;

  *r_n = 0;
  memset (&e, 0, sizeof e);
  if (ca_split_mode (ca) != CA_SPLIT_FRONT)
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "Operation is only supported on split mode front "
                          "instances.");
  membuf_init (&mb, SPLIT_MAX_FILE, 0);
  put_head (&mb, ca);
  for (;;)
    {
      err = db_queue_next (ca->db, after, 1, 0, &q);
      if (gpg_err_code (err) == GPG_ERR_EOF)
        {
          err = 0;
          break;
        }
      if (err)
        {
          ca_db_errmsg (ca, err, "reading the queue");
          goto leave;
        }
      after = q->id;
      /* Only what is a request goes out, as it is stored.  */
      err = ca_split_parse_row (ca, q, &e, NULL);
      ca_split_entry_release (&e);
      if (!err)
        err = ca_json_parse (q->task, strlen (q->task), &task);
      if (err)
        goto leave;
      snprintf (created, sizeof created, "%.10sT%.8sZ", q->created,
                strlen (q->created) >= 19 ? q->created + 11 : "00:00:00");
      if (n)
        membuf_put_u8 (&mb, ',');
      membuf_put_str (&mb, "\n    [\n      ");
      snprintf (created + 24, 16, "%lld", (long long)q->id);
      membuf_put_str (&mb, created + 24);
      membuf_put_str (&mb, ",\n      ");
      created[20] = 0;
      ca_json_put_str (&mb, created);
      membuf_put_str (&mb, ",\n      ");
      ca_json_write (&mb, task, 3);
      membuf_put_str (&mb, "\n    ]");
      ca_json_release (task);
      task = NULL;
      db_queue_release (q);
      q = NULL;
      n++;
    }
  if (n)
    err = put_tail_write (&mb, n, file);
  if (!err)
    *r_n = n;

 leave:
  ca_json_release (task);
  db_queue_release (q);
  membuf_release (&mb);
  return err;
}


/* Collect the addresses of the User IDs of E into a policy.  */
static gpg_error_t
entry_policy (const ca_split_entry_t *e, ca_policy_t *policy,
              char ***r_emails)
{
  gpg_error_t err;
  char **emails, *email = NULL;
  const char *why;
  size_t i, k, n = 0;

  memset (policy, 0, sizeof *policy);
  *r_emails = emails = xtrycalloc (e->nuids + 1, sizeof *emails);
  if (!emails)
    return oca_error_from_errno ();
  for (i = 0; i < e->nuids; i++)
    {
      err = pgp_uid_parse (e->uids[i], strlen (e->uids[i]), &email, NULL,
                           &why);
      if (err)
        continue;  /* The policy refuses it.  */
      for (k = 0; k < n; k++)
        if (!strcmp (emails[k], email))
          break;
      if (k == n)
        emails[n++] = email;
      else
        xfree (email);
      email = NULL;
    }
  policy->emails = (const char *const *)emails;
  policy->nemails = n;
  policy->uids = (const char *const *)e->uids;
  policy->nuids = e->nuids;
  policy->validity = e->has_days ? (uint32_t)e->days * 86400u : 0;
  return 0;
}


/* Certify what request E asks on CERT and append the answer.  */
static gpg_error_t
answer_certification (ca_t *ca, const pgp_signer_t *signer,
                      const ca_split_entry_t *e, pgp_cert_t *cert,
                      membuf_t *mb)
{
  gpg_error_t err;
  ca_policy_t policy;
  ca_certify_result_t res;
  const ca_made_sig_t *m;
  char **emails = NULL;

  memset (&res, 0, sizeof res);
  err = entry_policy (e, &policy, &emails);
  if (!err)
    err = ca_certify_cert (cert, signer, ca->uid, ca->cert->primary->fpr,
                           ca->domain, &policy, &res);
  if (!err)
    err = ca_record_certifications (ca, 0, e->fpr, res.made);
  if (err)
    {
      if (!ca_errmsg_for (err))
        ca_set_errmsg (err, "error certifying request #%lld: %s",
                       (long long)e->id, gpg_strerror (err));
      goto leave;
    }
  membuf_put_str (mb, "{\n        \"CertificationResp\": {\n"
                  "          \"fingerprint\": ");
  ca_json_put_str (mb, e->fpr);
  membuf_put_str (mb, ",\n          \"sigs\": [");
  for (m = res.made; m; m = m->next)
    {
      membuf_put_str (mb, m == res.made ? "\n            "
                      : ",\n            ");
      ca_json_put_str (mb, m->sig_b64);
    }
  membuf_put_str (mb, res.made ? "\n          ]\n        }\n      }"
                  : "]\n        }\n      }");

 leave:
  ca_strings_release (emails);
  ca_certify_result_release (&res);
  return err;
}


/* The one User ID of the remote CA key CERT, or NULL.  */
static pgp_uid_t *
one_uid (pgp_cert_t *cert)
{
  pgp_uid_t *uid, *one = NULL;

  for (uid = cert->uids; uid; uid = uid->next)
    if (!uid->is_attribute)
      {
        if (one)
          return NULL;
        one = uid;
      }
  return one;
}


/* Make the bridge's trust signature request E asks on CERT and append
 * the answer.  */
static gpg_error_t
answer_bridge (ca_t *ca, const pgp_signer_t *signer,
               const ca_split_entry_t *e, pgp_cert_t *cert, membuf_t *mb)
{
  gpg_error_t err;
  pgp_certify_opts_t opts;
  pgp_uid_t *uid = one_uid (cert);
  pgp_sig_t *tsig = NULL;
  char *armor = NULL;

  if (!uid || e->nuids > 1)
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "bridge request #%lld: the remote CA key must have "
                          "one User ID and the request at most one Regular "
                          "Expression", (long long)e->id);
  memset (&opts, 0, sizeof opts);
  opts.sigclass = PGP_SIG_GENERIC_CERT;
  opts.trust_level = CA_TSIG_LEVEL;
  opts.trust_amount = CA_TSIG_AMOUNT;
  opts.regex = e->nuids ? e->uids[0] : NULL;
  err = pgp_cert_certify_uid (cert, uid, signer, &opts, &tsig);
  if (!err)
    err = ca_record_sig (ca, 0, e->fpr, uid->name, tsig, ca->fpr,
                         DB_CERTIFICATION_BRIDGE);
  if (!err)
    err = ca_armor_public (cert, &armor);
  if (err)
    {
      if (!ca_errmsg_for (err))
        ca_set_errmsg (err, "error certifying request #%lld: %s",
                       (long long)e->id, gpg_strerror (err));
      return err;
    }
  membuf_put_str (mb, "{\n        \"BridgeResp\": {\n          \"cert\": ");
  ca_json_put_str (mb, armor);
  membuf_put_str (mb, "\n        }\n      }");
  xfree (armor);
  return 0;
}


/* The request time of a request file ("2024-07-10T12:00:00.5Z") as
 * openpgp-ca prints it: "2024-07-10 12:00:00 UTC".  */
static void
show_time (const char *rfc, char out[32])
{
  if (strlen (rfc) >= 19 && rfc[10] == 'T')
    snprintf (out, 32, "%.10s %.8s UTC", rfc, rfc + 11);
  else
    snprintf (out, 32, "%.24s", rfc);
}


/* See ca.h.  */
gpg_error_t
ca_split_certify (ca_t *ca, const char *in, const char *out,
                  const ca_split_ui_t *ui, size_t *r_n)
{
  gpg_error_t err;
  ca_json_t *j = NULL;
  const ca_json_t *queue, *item, *id, *task;
  const char *created, *qcreated;
  ca_split_entry_t e;
  pgp_cert_t *cert = NULL;
  pgp_signer_t signer;
  char when[32], num[32];
  membuf_t mb;
  size_t n = 0;
  int yes;

  *r_n = 0;
  memset (&e, 0, sizeof e);
  membuf_init (&mb, SPLIT_MAX_FILE, 0);
  if (ca_split_mode (ca) != CA_SPLIT_BACK)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                           "Operation is only supported on split mode back "
                           "instances.");
      goto leave;
    }
  err = read_file (in, "request", &j);
  if (!err)
    err = check_head (ca, in, j, 0, &queue, &created);
  if (err)
    goto leave;
  /* Every request is read before anything is signed.  */
  for (item = queue->kids; item; item = item->next)
    {
      id = ca_json_at (item, 0);
      task = ca_json_at (item, item->n == 3 ? 2 : 1);
      qcreated = item->n == 3 ? ca_json_str (ca_json_at (item, 1)) : "";
      if ((item->n != 2 && item->n != 3) || !id || id->type != CA_JSON_NUM
          || !qcreated)
        err = gpg_error (GPG_ERR_INV_DATA);
      else
        err = ca_split_parse_task (task, &e, NULL);
      ca_split_entry_release (&e);
      if (err)
        {
          err = ca_set_errmsg (err, "%s: request %u is invalid", in,
                               (unsigned int)n + 1);
          goto leave;
        }
      n++;
    }
  err = ca->backend->ops->certifier (ca->backend, &signer);
  if (err)
    goto leave;
  show_time (created, when);
  if (ui && ui->begin)
    ui->begin (ui->opaque, queue->n, when);

  put_head (&mb, ca);
  n = 0;
  for (item = queue->kids; item; item = item->next)
    {
      id = ca_json_at (item, 0);
      task = ca_json_at (item, item->n == 3 ? 2 : 1);
      qcreated = item->n == 3 ? ca_json_str (ca_json_at (item, 1)) : "";
      err = ca_split_parse_task (task, &e, &cert);
      if (err)
        goto leave;
      e.id = id->num;
      show_time (qcreated, when);
      snprintf (e.created, sizeof e.created, "%.19s", when);
      yes = 1;
      if (ui && ui->ask)
        {
          err = ui->ask (ui->opaque, &e, &yes);
          if (err)
            goto leave;
        }
      if (yes)
        {
          membuf_put_str (&mb, n ? ",\n    [\n      " : "\n    [\n      ");
          snprintf (num, sizeof num, "%lld", (long long)e.id);
          membuf_put_str (&mb, num);
          membuf_put_str (&mb, ",\n      ");
          if (e.bridge)
            err = answer_bridge (ca, &signer, &e, cert, &mb);
          else
            err = answer_certification (ca, &signer, &e, cert, &mb);
          if (err)
            goto leave;
          membuf_put_str (&mb, "\n    ]");
          n++;
        }
      ca_split_entry_release (&e);
      pgp_cert_release (cert);
      cert = NULL;
    }
  err = put_tail_write (&mb, n, out);
  if (!err)
    *r_n = n;

 leave:
  ca_split_entry_release (&e);
  pgp_cert_release (cert);
  ca_json_release (j);
  membuf_release (&mb);
  return err;
}


/* Decode the base64 text S (padded or not, as 0.13 wrote it) into
 * *R_BUF and *R_LEN (xfree).  */
static gpg_error_t
unbase64 (const char *s, unsigned char **r_buf, size_t *r_len)
{
  size_t n = strlen (s), i, o = 0;
  unsigned int acc = 0, bits = 0;
  unsigned char *buf;
  const char *p;
  int v;

  *r_buf = NULL;
  *r_len = 0;
  while (n && s[n - 1] == '=')
    n--;
  if (strlen (s) - n > 2 || (strlen (s) - n && strlen (s) % 4)
      || n % 4 == 1)
    return gpg_error (GPG_ERR_INV_DATA);
  buf = xtrymalloc (n / 4 * 3 + 3);
  if (!buf)
    return oca_error_from_errno ();
  for (i = 0; i < n; i++)
    {
      p = strchr ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                  "0123456789+/", s[i]);
      if (!s[i] || !p)
        {
          xfree (buf);
          return gpg_error (GPG_ERR_INV_DATA);
        }
      v = p - "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        "0123456789+/";
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          buf[o++] = (acc >> bits) & 0xff;
        }
    }
  if (acc & ((1u << bits) - 1))
    {
      xfree (buf);  /* Non-canonical trailing bits.  */
      return gpg_error (GPG_ERR_INV_DATA);
    }
  *r_buf = buf;
  *r_len = o;
  return 0;
}


/* Whether UID is one of the User IDs of request E.  */
static int
requested_uid (const ca_split_entry_t *e, const pgp_uid_t *uid)
{
  size_t i;

  for (i = 0; i < e->nuids; i++)
    if (strlen (e->uids[i]) == uid->bodylen
        && !memcmp (e->uids[i], uid->body, uid->bodylen))
      return 1;
  return 0;
}


/* Whether SIG was issued by the CA's primary key (by its claims).  */
static int
by_ca (ca_t *ca, const pgp_sig_t *sig)
{
  if (sig->has_issuer_fpr)
    return !memcmp (sig->issuer_fpr, ca->cert->primary->fpr, 20);
  return sig->has_issuer && !memcmp (sig->issuer, ca->cert->primary->keyid, 8);
}


/* Add SIG (verified) to UID of CERT unless it is there; count it in
 * *R_ADDED and, for the audit, in *TAIL.  */
static gpg_error_t
attach_sig (pgp_uid_t *uid, const pgp_sig_t *sig, ca_made_sig_t ***tail,
            int *r_added)
{
  gpg_error_t err;
  pgp_sig_t *s, **sp, *copy = NULL;
  ca_made_sig_t *m;

  for (sp = &uid->sigs; (s = *sp); sp = &s->next)
    if (pgp_sig_same (s, sig))
      return 0;
  err = pgp_sig_copy (sig, &copy);
  if (err)
    return err;
  copy->status = PGP_SIGSTAT_GOOD;
  *sp = copy;
  (*r_added)++;
  m = xtrycalloc (1, sizeof *m);
  if (!m)
    return oca_error_from_errno ();
  **tail = m;
  *tail = &m->next;
  m->created = sig->created;
  m->uid = xtrystrdup (uid->name);
  if (!m->uid)
    return oca_error_from_errno ();
  return ca_base64 (sig->raw, sig->rawlen, &m->sig_b64);
}


/* Import the certifications of the answer ANSWER (a
 * CertificationResp) to request E into the stored certificate.  */
static gpg_error_t
import_certification (ca_t *ca, const ca_split_entry_t *e,
                      const ca_json_t *answer)
{
  gpg_error_t err;
  const char *fpr, *b64;
  const ca_json_t *sigs, *k;
  db_cert_t *row = NULL;
  pgp_cert_t *cert = NULL;
  pgp_sig_t *sig = NULL;
  pgp_uid_t *uid;
  ca_made_sig_t *made = NULL, **tail = &made;
  unsigned char *raw = NULL;
  size_t rawlen, i = 0;
  char *pub = NULL;
  int added = 0;

  fpr = ca_json_str (ca_json_get (answer, "fingerprint"));
  sigs = ca_json_get (answer, "sigs");
  if (!fpr || !sigs || sigs->type != CA_JSON_ARR)
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_DATA),
                          "the answer to request #%lld is invalid",
                          (long long)e->id);
  if (strcmp (fpr, e->fpr))
    return ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                          "the answer to request #%lld is for %s, not for "
                          "%s", (long long)e->id, fpr, e->fpr);
  err = db_cert_get (ca->db, e->fpr, &row);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    return ca_set_errmsg (err, "failed to load fp %s", e->fpr);
  if (err)
    return ca_db_errmsg (ca, err, "reading a certificate");
  err = ca_parse_stored_cert (row->pub_cert, row->fingerprint, &cert);
  if (err)
    goto leave;
  for (k = sigs->kids; k; k = k->next)
    {
      i++;
      b64 = ca_json_str (k);
      err = b64 ? unbase64 (b64, &raw, &rawlen)
        : gpg_error (GPG_ERR_INV_DATA);
      if (err)
        {
          ca_set_errmsg (err, "Error while decoding base64: signature %zu "
                         "of the answer to request #%lld", i,
                         (long long)e->id);
          goto leave;
        }
      err = pgp_read_sigs (raw, rawlen, &sig);
      xfree (raw);
      raw = NULL;
      if (!err && sig->next)
        err = gpg_error (GPG_ERR_INV_DATA);
      if (err)
        {
          ca_set_errmsg (err, "signature %zu of the answer to request #%lld"
                         " is not one OpenPGP signature: %s", i,
                         (long long)e->id, gpg_strerror (err));
          goto leave;
        }
      /* A certification by the CA that verifies, on a User ID that was
       * requested, without trust (that is for bridges).  */
      for (uid = cert->uids; uid; uid = uid->next)
        if (!uid->is_attribute && requested_uid (e, uid)
            && sig->sigclass >= PGP_SIG_GENERIC_CERT
            && sig->sigclass <= PGP_SIG_POSITIVE_CERT
            && !sig->has_trust && by_ca (ca, sig)
            && !pgp_sig_verify (cert, uid, NULL, sig, ca->cert->primary->pk))
          break;
      if (!uid)
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_BAD_SIGNATURE),
                               "signature %zu of the answer to request "
                               "#%lld is not a valid certification by this "
                               "CA of a requested User ID of %s", i,
                               (long long)e->id, e->fpr);
          goto leave;
        }
      err = attach_sig (uid, sig, &tail, &added);
      if (err)
        goto leave;
      pgp_sig_release (sig);
      sig = NULL;
    }
  if (added)
    {
      err = ca_armor_public (cert, &pub);
      if (!err)
        err = db_cert_update (ca->db, row->id, pub);
      if (err && !ca_errmsg_for (err))
        ca_db_errmsg (ca, err, "storing a certificate");
      if (!err)
        err = ca_record_certifications (ca, row->id, e->fpr, made);
    }

 leave:
  xfree (raw);
  xfree (pub);
  pgp_sig_release (sig);
  pgp_cert_release (cert);
  db_cert_release (row);
  ca_made_sig_release (made);
  return err;
}


/* Import the bridge's trust signature of ANSWER (a BridgeResp) to
 * request E into the stored remote CA key.  */
static gpg_error_t
import_bridge (ca_t *ca, const ca_split_entry_t *e, const ca_json_t *answer)
{
  gpg_error_t err;
  const char *armor;
  db_cert_t *row = NULL;
  pgp_cert_t *cert = NULL, *got = NULL;
  pgp_uid_t *uid, *guid;
  pgp_sig_t *sig;
  ca_made_sig_t *made = NULL, **tail = &made;
  char fpr[41], *pub = NULL;
  int added = 0;

  armor = ca_json_str (ca_json_get (answer, "cert"));
  if (!armor)
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_DATA),
                          "the answer to request #%lld is invalid",
                          (long long)e->id);
  err = pgp_read_cert (armor, strlen (armor), &got);
  if (err)
    return ca_set_errmsg (err, "the answer to request #%lld is invalid: %s",
                          (long long)e->id, gpg_strerror (err));
  pgp_cert_fpr_hex (got, fpr);
  if (strcmp (fpr, e->fpr))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                           "the answer to request #%lld is for %s, not for "
                           "%s", (long long)e->id, fpr, e->fpr);
      goto leave;
    }
  err = db_cert_get (ca->db, e->fpr, &row);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    ca_set_errmsg (err, "failed to load fp %s", e->fpr);
  else if (err)
    ca_db_errmsg (ca, err, "reading a certificate");
  if (!err)
    err = ca_parse_stored_cert (row->pub_cert, row->fingerprint, &cert);
  if (err)
    goto leave;
  /* Of the answer only the CA's trust signatures with the requested
   * Regular Expression that verify on the stored key's User ID.  */
  uid = one_uid (cert);
  for (guid = got->uids; uid && guid; guid = guid->next)
    if (guid->bodylen == uid->bodylen
        && !memcmp (guid->body, uid->body, uid->bodylen))
      for (sig = guid->sigs; sig; sig = sig->next)
        if (by_ca (ca, sig) && sig->has_trust
            && sig->trust_level == CA_TSIG_LEVEL
            && sig->sigclass >= PGP_SIG_GENERIC_CERT
            && sig->sigclass <= PGP_SIG_POSITIVE_CERT
            && ((!e->nuids && !sig->regex)
                || (e->nuids && sig->regex
                    && !strcmp (sig->regex, e->uids[0])))
            && !pgp_sig_verify (cert, uid, NULL, sig, ca->cert->primary->pk))
          {
            err = attach_sig (uid, sig, &tail, &added);
            if (err)
              goto leave;
          }
  if (!added)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_BAD_SIGNATURE),
                           "the answer to request #%lld holds no valid trust "
                           "signature by this CA on %s", (long long)e->id,
                           e->fpr);
      goto leave;
    }
  err = ca_armor_public (cert, &pub);
  if (!err)
    err = db_cert_update (ca->db, row->id, pub);
  if (err && !ca_errmsg_for (err))
    ca_db_errmsg (ca, err, "storing a certificate");
  if (!err)
    {
      db_certification_t rec;

      memset (&rec, 0, sizeof rec);
      rec.cert_id = row->id;
      rec.target_fpr = (char *)e->fpr;
      rec.user_id = made->uid;
      rec.created = made->created;
      rec.signature = made->sig_b64;
      rec.issuer_fpr = ca->fpr;
      rec.kind = DB_CERTIFICATION_BRIDGE;
      err = db_certification_insert (ca->db, &rec, NULL);
      if (err)
        ca_db_errmsg (ca, err, "recording a certification");
    }

 leave:
  xfree (pub);
  pgp_cert_release (got);
  pgp_cert_release (cert);
  db_cert_release (row);
  ca_made_sig_release (made);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_split_import (ca_t *ca, const char *file, size_t *r_total,
                 size_t *r_ignored)
{
  gpg_error_t err;
  ca_json_t *j = NULL;
  const ca_json_t *queue, *item, *id, *answer;
  const char *created;
  db_queue_t *q = NULL;
  ca_split_entry_t e;
  size_t ignored = 0;

  *r_total = *r_ignored = 0;
  memset (&e, 0, sizeof e);
  if (ca_split_mode (ca) != CA_SPLIT_FRONT)
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "Operation is only supported on split mode front "
                          "instances.");
  err = read_file (file, "response", &j);
  if (!err)
    err = check_head (ca, file, j, 1, &queue, &created);
  if (err)
    goto leave;
  for (item = queue->kids; item; item = item->next)
    {
      id = ca_json_at (item, 0);
      answer = ca_json_at (item, 1);
      if (item->type != CA_JSON_ARR || item->n != 2 || !id
          || id->type != CA_JSON_NUM || answer->type != CA_JSON_OBJ
          || answer->n != 1 || answer->kids->type != CA_JSON_OBJ)
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_INV_DATA),
                               "%s: invalid entry in the queue", file);
          goto leave;
        }
      err = db_queue_next (ca->db, id->num, 0, 1, &q);
      if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
        {
          err = ca_set_errmsg (err, "Got a result for an unexpected queue "
                               "id: %lld", (long long)id->num);
          goto leave;
        }
      if (err)
        {
          ca_db_errmsg (ca, err, "reading the queue");
          goto leave;
        }
      if (q->done)
        {
          ignored++;
          db_queue_release (q);
          q = NULL;
          continue;
        }
      err = ca_split_parse_row (ca, q, &e, NULL);
      if (err)
        goto leave;
      if (!e.bridge && !strcmp (answer->kids->key, "CertificationResp"))
        err = import_certification (ca, &e, answer->kids);
      else if (e.bridge && !strcmp (answer->kids->key, "BridgeResp"))
        err = import_bridge (ca, &e, answer->kids);
      else
        err = ca_set_errmsg (gpg_error (GPG_ERR_INV_DATA),
                             "the answer to request #%lld is not of its "
                             "kind", (long long)e.id);
      if (!err)
        {
          err = db_queue_set_done (ca->db, q->id);
          if (err)
            ca_db_errmsg (ca, err, "marking the request done");
        }
      if (err)
        goto leave;
      ca_split_entry_release (&e);
      db_queue_release (q);
      q = NULL;
    }
  *r_total = queue->n;
  *r_ignored = ignored;

 leave:
  ca_split_entry_release (&e);
  db_queue_release (q);
  ca_json_release (j);
  return err;
}
