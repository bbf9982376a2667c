/* ca-keylist.c - `keylist export': a signed keylist (GPG Sync format)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The keylist of draft-mccain-keylist as GPG Sync reads it and as
 * OpenPGP CA writes it (compact JSON, one line):
 *
 *   {"metadata":{"signature_uri":"URI","comment":"Exported from OpenPGP CA"},
 *    "keys":[{"fingerprint":"CA","name":"OpenPGP CA at D","email":"openpgp-ca@D"},
 *            {"fingerprint":"FPR","name":"user name","email":"addr"}, ...]}
 *
 * The CA first; then, users ordered by name (users without a name
 * first, then by the order they were stored: ca_users_open_by_name),
 * one entry per address of a User ID the CA certified ("name" left out
 * when the user has none).
 * Delisted keys are left out.  Strings are escaped as serde_json does
 * (", \, control characters; UTF-8 as is).
 *
 * The signature file, named by the last segment of the signature URI,
 * holds a detached binary-document signature (0x00) over the exact
 * bytes of keylist.json by the CA's signing subkey (a card CA: its SIG
 * slot), armored.  keylist.json is written as the users are read, to
 * a temporary file beside it, and signed as read back from there (flat
 * memory, whatever the number of users); the signature file is put in
 * place first, then keylist.json (each renamed, or linked: without
 * FORCE neither may exist).  The database is read in one read
 * transaction.
 */
#include <config.h>
#include "ca-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KEYLIST_NAME "keylist.json"
#define KEYLIST_COMMENT "Exported from OpenPGP CA"
/* The JSON text is written out in pieces of about this size.  */
#define FLUSH_AT 65536


/* Append S to MB as a JSON string.  */
static void
put_json_string (membuf_t *mb, const char *s)
{
  static const char hexdig[] = "0123456789abcdef";
  const unsigned char *p;

  membuf_put (mb, "\"", 1);
  for (p = (const unsigned char *)s; *p; p++)
    switch (*p)
      {
      case '"': membuf_put (mb, "\\\"", 2); break;
      case '\\': membuf_put (mb, "\\\\", 2); break;
      case '\b': membuf_put (mb, "\\b", 2); break;
      case '\f': membuf_put (mb, "\\f", 2); break;
      case '\n': membuf_put (mb, "\\n", 2); break;
      case '\r': membuf_put (mb, "\\r", 2); break;
      case '\t': membuf_put (mb, "\\t", 2); break;
      default:
        if (*p < 0x20)
          {
            char u[6] = { '\\', 'u', '0', '0', hexdig[*p >> 4],
                          hexdig[*p & 15] };

            membuf_put (mb, u, 6);
          }
        else
          membuf_put (mb, p, 1);
      }
  membuf_put (mb, "\"", 1);
}


static void
put_key (membuf_t *mb, const char *fpr, const char *name, const char *email)
{
  membuf_put_str (mb, "{\"fingerprint\":");
  put_json_string (mb, fpr);
  if (name)
    {
      membuf_put_str (mb, ",\"name\":");
      put_json_string (mb, name);
    }
  membuf_put_str (mb, ",\"email\":");
  put_json_string (mb, email);
  membuf_put_str (mb, "}");
}


/* The JSON text being written to OUT: what is in MB goes out when it
 * holds FLUSH_AT bytes (and at the end).  */
static gpg_error_t
flush_json (membuf_t *mb, ca_file_out_t *out, int all)
{
  gpg_error_t err;

  if ((err = membuf_error (mb)))
    return ca_set_errmsg (err, "keylist: %s", gpg_strerror (err));
  if (!all && membuf_len (mb) < FLUSH_AT)
    return 0;
  err = ca_file_put (out, membuf_data (mb), membuf_len (mb));
  membuf_reset (mb);
  return err;
}


/* Write the entries of USER: one per address of a User ID the CA
 * certified, the first of each address.  *N counts them.  */
static gpg_error_t
put_user (ca_t *ca, const ca_user_t *user, uint32_t now, membuf_t *mb,
          size_t *n)
{
  gpg_error_t err = 0;
  const pgp_uid_t *uid;
  char *addr, **seen = NULL, **tmp;
  size_t nseen = 0, size = 0, i;

  /* pgp_uid_certified_by verifies the CA's certification itself: no
   * need to verify the rest of the key.  */
  for (uid = user->cert->uids; uid; uid = uid->next)
    {
      addr = NULL;
      if (uid->is_attribute
          || pgp_uid_parse (uid->body, uid->bodylen, &addr, NULL, NULL)
          || pgp_uid_certified_by (user->cert, uid, ca->cert, now, NULL))
        {
          xfree (addr);
          continue;
        }
      for (i = 0; i < nseen; i++)
        if (!strcmp (seen[i], addr))
          break;
      if (i < nseen)
        {
          xfree (addr);
          continue;
        }
      if (nseen == size)
        {
          size = size ? 2 * size : 8;
          tmp = xtryrealloc (seen, size * sizeof *seen);
          if (!tmp)
            {
              err = oca_error_from_errno ();
              xfree (addr);
              break;
            }
          seen = tmp;
        }
      seen[nseen++] = addr;
      membuf_put_str (mb, ",");
      put_key (mb, user->fpr, user->name, addr);
      ++*n;
    }
  for (i = 0; i < nseen; i++)
    xfree (seen[i]);
  xfree (seen);
  return err;
}


/* Write the JSON text of the keylist for SIG_URI to OUT as the users
 * are walked in the keylist's order (by name: ca_users_open_by_name);
 * *R_NKEYS gets the number of entries.  Memory holds one user and a
 * buffer, whatever the number of users.  */
static gpg_error_t
write_json (ca_t *ca, const char *sig_uri, ca_file_out_t *out,
            size_t *r_nkeys)
{
  gpg_error_t err;
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;
  size_t n = 0;
  uint32_t now = (uint32_t)time (NULL);
  membuf_t mb;
  char *caname = NULL, *caemail = NULL;

  membuf_init (&mb, 4 * FLUSH_AT, 0);
  caname = gpgrt_bsprintf ("OpenPGP CA at %s", ca->domain);
  caemail = gpgrt_bsprintf ("%s@%s", CA_EMAIL_LOCALPART, ca->domain);
  if (!caname || !caemail)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  membuf_put_str (&mb, "{\"metadata\":{\"signature_uri\":");
  put_json_string (&mb, sig_uri);
  membuf_put_str (&mb, ",\"comment\":");
  put_json_string (&mb, KEYLIST_COMMENT);
  membuf_put_str (&mb, "},\"keys\":[");
  put_key (&mb, ca->fpr, caname, caemail);
  err = ca_users_open_by_name (ca, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    if (!user->delisted)
      {
        err = put_user (ca, user, now, &mb, &n);
        if (!err)
          err = flush_json (&mb, out, 0);
      }
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  if (err)
    goto leave;
  membuf_put_str (&mb, "]}");
  err = flush_json (&mb, out, 1);
  if (!err)
    *r_nkeys = n + 1;

 leave:
  membuf_release (&mb);
  ca_users_close (it);
  gpgrt_free (caname);
  gpgrt_free (caemail);
  return err;
}


/* Reading the keylist back from its file (to sign it).  */
static gpg_error_t
read_fd (void *opaque, void *buf, size_t size, size_t *r_n)
{
  int *fd = opaque;
  ssize_t n;

  do
    n = read (*fd, buf, size);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return oca_error_from_errno ();
  *r_n = n;
  return 0;
}


/* The signature file's name: the last segment of the path of URI
 * (without query and fragment), into *R_NAME (xfree).  */
static gpg_error_t
sig_file_name (const char *uri, char **r_name)
{
  const char *end, *start;
  size_t n;

  *r_name = NULL;
  end = uri + strcspn (uri, "?#");
  for (start = end; start > uri && start[-1] != '/'; start--)
    ;
  n = end - start;
  if (!n || (n == 1 && *start == '.') || (n == 2 && !strncmp (start, "..", 2))
      || (n == strlen (KEYLIST_NAME) && !strncmp (start, KEYLIST_NAME, n))
      || memchr (start, '\\', n) || *start == '.')
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_URI),
                          "the signature URI '%s' does not end in a file "
                          "name for the signature", uri);
  *r_name = xtrymalloc (n + 1);
  if (!*r_name)
    return oca_error_from_errno ();
  memcpy (*r_name, start, n);
  (*r_name)[n] = 0;
  return 0;
}


/* See ca.h.  */
gpg_error_t
ca_keylist_export (ca_t *ca, const char *dir, const char *sig_uri, int force,
                   ca_keylist_result_t *r_res)
{
  gpg_error_t err;
  char *signame = NULL, *sigarmor = NULL;
  char *jsonpath = NULL, *sigpath = NULL;
  ca_file_out_t *out = NULL;
  size_t i;
  int fd = -1;
  pgp_signer_t signer;
  pgp_sig_t *sig = NULL;

  memset (r_res, 0, sizeof *r_res);
  if (!sig_uri || !*sig_uri || strpbrk (sig_uri, " \t\r\n"))
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_URI),
                          "invalid signature URI");
  for (i = 0; sig_uri[i]; i++)
    if ((unsigned char)sig_uri[i] < 0x20 || sig_uri[i] == 0x7f)
      return ca_set_errmsg (gpg_error (GPG_ERR_INV_URI),
                            "invalid signature URI");
  err = sig_file_name (sig_uri, &signame);
  if (err)
    return err;
  jsonpath = gpgrt_bsprintf ("%s/%s", dir, KEYLIST_NAME);
  sigpath = gpgrt_bsprintf ("%s/%s", dir, signame);
  if (!jsonpath || !sigpath)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  /* Refuse before any work (and before the card is asked).  */
  if (!force)
    for (i = 0; i < 2; i++)
      if (!access (i ? sigpath : jsonpath, F_OK))
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_EEXIST),
                               "%s exists already (use --force to "
                               "overwrite it)", i ? sigpath : jsonpath);
          goto leave;
        }

  /* The keylist goes to a temporary file beside keylist.json as the
   * users are read; it is signed as read back from there.  */
  err = ca_file_open (jsonpath, &out);
  if (err)
    goto leave;
  err = ca_begin_read (ca);
  if (!err)
    {
      err = write_json (ca, sig_uri, out, &r_res->nkeys);
      ca_end_read (ca);
    }
  if (err)
    goto leave;

  err = ca->backend->ops->signer (ca->backend, &signer);
  if (!err)
    {
      fd = open (ca_file_temp_name (out), O_RDONLY);
      if (fd < 0)
        err = ca_set_errmsg (oca_error_from_errno (), "cannot read %s: %s",
                             ca_file_temp_name (out), strerror (errno));
    }
  if (!err)
    err = pgp_sign_detached_stream (&signer, read_fd, &fd, 0, 0, &sig);
  if (fd >= 0)
    close (fd);
  if (err)
    {
      if (!ca_errmsg_for (err))
        ca_set_errmsg (err, "error signing the keylist: %s",
                       gpg_strerror (err));
      goto leave;
    }
  /* The audit record: a card's signature counter counts this one.  */
  err = ca_record_document_sig (ca, sig);
  if (err)
    goto leave;
  err = pgp_sig_armor (sig, 0, PGP_ARMOR_SIGNATURE, NULL, &sigarmor);
  if (err)
    goto leave;

  /* The signature first: a reader that finds the new keylist finds
   * its signature.  */
  err = ca_file_write (sigpath, sigarmor, strlen (sigarmor),
                       CA_FILE_SYNC | (force ? CA_FILE_REPLACE : 0));
  if (!err)
    {
      err = ca_file_commit (out, CA_FILE_SYNC | (force ? CA_FILE_REPLACE
                                                 : 0));
      out = NULL;
      if (err && !force)
        unlink (sigpath);
    }
  if (err)
    goto leave;
  r_res->sigfile = sigpath;
  sigpath = NULL;
  r_res->keylist = jsonpath;
  jsonpath = NULL;

 leave:
  ca_file_abort (out);
  pgp_sig_release (sig);
  xfree (sigarmor);
  xfree (signame);
  gpgrt_free (jsonpath);
  gpgrt_free (sigpath);
  return err;
}


/* See ca.h.  */
void
ca_keylist_result_release (ca_keylist_result_t *res)
{
  if (!res)
    return;
  gpgrt_free (res->keylist);
  gpgrt_free (res->sigfile);
  memset (res, 0, sizeof *res);
}
