/* ca-wkd.c - `wkd export': the CA's Web Key Directory as files
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tree of the WKD draft (draft-koch-openpgp-webkey-service) for
 * the CA's domain D, served on openpgpkey.D (advanced method):
 *
 *   PATH/.well-known/openpgpkey/D/hu/<z-base-32 SHA-1 of the local part>
 *   PATH/.well-known/openpgpkey/D/policy
 *
 * and on request the direct method's layout, served on D itself:
 *
 *   PATH/.well-known/openpgpkey/hu/...   PATH/.well-known/openpgpkey/policy
 *
 * One file per address of the domain that a CA-certified User ID
 * carries, holding every stored key certified for it (binary,
 * concatenated), each cut down to the User IDs of that address (as
 * GnuPG's own WKD server does: the file says nothing about the key's
 * other addresses).  The CA's own address holds the CA certificate.
 *
 * Revoked and expired keys.  The draft lets a server return revoked
 * keys next to a new one so that clients learn of the revocation;
 * GnuPG (2.2) imports every key of the answer and takes the first
 * one, revoked or not.  So a revoked or expired key is published, but
 * after the usable keys of its address.  Delisted keys are not
 * published at all: their address disappears unless another key holds
 * it.
 *
 * Files are written whole (ca-file.c); a re-export removes the files
 * of addresses that left.  One export at a time writes a tree (a lock
 * on the directory .well-known/openpgpkey).  The database is read in
 * one read transaction.
 */
#include <config.h>
#include "ca-int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* Length of a WKD hash (z-base-32 of 160 bits).  */
#define HASHLEN 32

/* The largest WKD file we re-read while adding keys to it.  */
#define MAX_WKD_FILE (64u * 1024 * 1024)


/* See ca.h.  */
void
ca_wkd_hash (const char *local, size_t len, char out[33])
{
  static const char zb32[] = "ybndrfg8ejkmcpqxot1uwisza345h769";
  unsigned char digest[20];
  gcry_md_hd_t md;
  unsigned int acc = 0, nbits = 0;
  size_t i;
  int o = 0;

  if (gcry_md_open (&md, GCRY_MD_SHA1, 0))
    {
      memset (out, 0, 33);
      return;
    }
  for (i = 0; i < len; i++)
    {
      unsigned char c = local[i];

      if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
      gcry_md_putc (md, c);
    }
  memcpy (digest, gcry_md_read (md, GCRY_MD_SHA1), 20);
  gcry_md_close (md);
  for (i = 0; i < 20; i++)
    {
      acc = (acc << 8) | digest[i];
      nbits += 8;
      while (nbits >= 5)
        {
          out[o++] = zb32[(acc >> (nbits - 5)) & 31];
          nbits -= 5;
        }
    }
  out[o] = 0;
}


/*
 * The names written by this run: an open-addressing set of hashes.
 */

typedef struct nameset
{
  char (*slot)[HASHLEN + 1];
  size_t size;                 /* A power of two.  */
  size_t used;
} nameset_t;


static size_t
name_index (const nameset_t *ns, const char *name)
{
  size_t h = 5381, i;

  for (i = 0; name[i]; i++)
    h = h * 33 + (unsigned char)name[i];
  return h & (ns->size - 1);
}


/* Add NAME to NS; *R_NEW tells whether it was not there.  */
static gpg_error_t
nameset_add (nameset_t *ns, const char *name, int *r_new)
{
  size_t i;

  *r_new = 0;
  if ((ns->used + 1) * 2 > ns->size)
    {
      nameset_t bigger;
      size_t j;
      int dummy;

      bigger.size = ns->size ? ns->size * 2 : 256;
      bigger.used = 0;
      bigger.slot = xtrycalloc (bigger.size, sizeof *bigger.slot);
      if (!bigger.slot)
        return oca_error_from_errno ();
      for (j = 0; j < ns->size; j++)
        if (ns->slot[j][0])
          nameset_add (&bigger, ns->slot[j], &dummy);
      xfree (ns->slot);
      *ns = bigger;
    }
  for (i = name_index (ns, name); ns->slot[i][0];
       i = (i + 1) & (ns->size - 1))
    if (!strcmp (ns->slot[i], name))
      return 0;
  strcpy (ns->slot[i], name);
  ns->used++;
  *r_new = 1;
  return 0;
}


static int
nameset_has (const nameset_t *ns, const char *name)
{
  size_t i;

  if (!ns->size)
    return 0;
  for (i = name_index (ns, name); ns->slot[i][0];
       i = (i + 1) & (ns->size - 1))
    if (!strcmp (ns->slot[i], name))
      return 1;
  return 0;
}



/*
 * The export.
 */

typedef struct wkd
{
  ca_t *ca;
  char *dir[2];                /* The hu/ parents: advanced, direct.  */
  int ndirs;
  nameset_t written;
  uint32_t now;
  ca_wkd_stats_t *stats;
} wkd_t;


/* Whether NAME looks like a file of ours in hu/ (a WKD hash).  */
static int
is_hash_name (const char *name)
{
  size_t n = strspn (name, "ybndrfg8ejkmcpqxot1uwisza345h769");

  return n == HASHLEN && !name[n];
}


/* The address of User ID UID if the CA certified it and it is in the
 * CA's domain, else NULL (xfree).  */
static char *
certified_addr (wkd_t *w, const pgp_cert_t *cert, const pgp_uid_t *uid)
{
  char *addr = NULL;
  const char *at;

  if (uid->is_attribute
      || pgp_uid_parse (uid->body, uid->bodylen, &addr, NULL, NULL))
    return NULL;
  at = strrchr (addr, '@');
  if (!at || strcmp (at + 1, w->ca->domain)
      || pgp_uid_certified_by (cert, uid, w->ca->cert, w->now, NULL))
    {
      xfree (addr);
      return NULL;
    }
  return addr;
}


/* Which User IDs of a copy to keep: those whose entry in ADDRS (by
 * position; the copy has the original's order) is ADDR, or for the
 * CA itself (ADDRS NULL) those of ADDR.  */
struct keep_parm
{
  const char *addr;
  char **addrs;
  size_t naddrs;
  size_t idx;
};

static int
keep_uid (const pgp_uid_t *uid, void *opaque)
{
  struct keep_parm *parm = opaque;
  size_t i = parm->idx++;
  char *addr = NULL;
  int keep;

  if (parm->addrs)
    return i < parm->naddrs && parm->addrs[i]
      && !strcmp (parm->addrs[i], parm->addr);
  if (uid->is_attribute
      || pgp_uid_parse (uid->body, uid->bodylen, &addr, NULL, NULL))
    return 0;
  keep = !strcmp (addr, parm->addr);
  xfree (addr);
  return keep;
}


/* Put the key CERT, cut to the User IDs of ADDR (ADDRS/NADDRS: the
 * certified address of each of its User IDs; NULL for the CA), into
 * ADDR's file(s): a new file the first time this run meets ADDR, else
 * added to it (LAST: after the keys there, for an unusable key).  */
static gpg_error_t
put_key (wkd_t *w, const pgp_cert_t *cert, const char *addr, char **addrs,
         size_t naddrs, int last)
{
  gpg_error_t err;
  pgp_cert_t *copy = NULL;
  struct keep_parm parm;
  membuf_t mb;
  unsigned char *key = NULL, *old = NULL, *data;
  size_t keylen = 0, oldlen = 0, datalen;
  char hash[HASHLEN + 1], *path = NULL;
  const char *at = strrchr (addr, '@');
  int first, i;

  membuf_init (&mb, MAX_WKD_FILE, 0);
  err = pgp_cert_copy (cert, 1, &copy);
  if (err)
    goto leave;
  memset (&parm, 0, sizeof parm);
  parm.addr = addr;
  parm.addrs = addrs;
  parm.naddrs = naddrs;
  err = pgp_cert_keep_uids (copy, keep_uid, &parm, NULL);
  if (err)
    goto leave;
  pgp_cert_write (copy, PGP_EXPORT_NO_LOCAL, &mb);
  err = membuf_take (&mb, &key, &keylen);
  if (err)
    goto leave;

  ca_wkd_hash (addr, at ? (size_t)(at - addr) : strlen (addr), hash);
  err = nameset_add (&w->written, hash, &first);
  if (err)
    goto leave;
  if (first)
    w->stats->addresses++;
  w->stats->keys++;
  for (i = 0; i < w->ndirs; i++)
    {
      gpgrt_free (path);
      path = gpgrt_bsprintf ("%s/hu/%s", w->dir[i], hash);
      if (!path)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      data = key;
      datalen = keylen;
      if (!first)
        {
          /* The file this run wrote for ADDR: add the key to it.  */
          xfree (old);
          old = NULL;
          err = ca_file_read (path, MAX_WKD_FILE, &old, &oldlen);
          if (err)
            goto leave;
          membuf_init (&mb, MAX_WKD_FILE, 0);
          if (last)
            {
              membuf_put (&mb, old, oldlen);
              membuf_put (&mb, key, keylen);
            }
          else
            {
              membuf_put (&mb, key, keylen);
              membuf_put (&mb, old, oldlen);
            }
          if ((err = membuf_error (&mb)))
            {
              membuf_release (&mb);
              ca_set_errmsg (err, "WKD file of %s: %s", addr,
                             gpg_strerror (err));
              goto leave;
            }
          data = (unsigned char *)membuf_data (&mb);
          datalen = membuf_len (&mb);
        }
      err = ca_file_write (path, data, datalen, CA_FILE_REPLACE);
      if (!first)
        membuf_release (&mb);
      if (err)
        goto leave;
    }

 leave:
  membuf_release (&mb);
  gpgrt_free (path);
  xfree (key);
  xfree (old);
  pgp_cert_release (copy);
  return err;
}


/* Whether CERT is revoked or expired at W->now.  Only a key
 * revocation or a key expiration time can make it so: the signatures
 * are verified only when there is one (the common key has neither, and
 * verifying every key of 10,000 would take most of the export).  */
static int
unusable (wkd_t *w, pgp_cert_t *cert)
{
  pgp_cert_info_t info;
  const pgp_sig_t *sig;
  const pgp_uid_t *uid;
  int maybe = 0;

  for (sig = cert->primary->sigs; sig && !maybe; sig = sig->next)
    maybe = sig->sigclass == PGP_SIG_KEY_REVOKE
      || (sig->has_key_expire && sig->key_expire);
  for (uid = cert->uids; uid && !maybe; uid = uid->next)
    for (sig = uid->sigs; sig && !maybe; sig = sig->next)
      maybe = sig->has_key_expire && sig->key_expire;
  if (!maybe)
    return 0;
  if (pgp_cert_verify (cert, NULL) || pgp_cert_get_info (cert, w->now, &info))
    return 1;
  return info.revoked || info.expired;
}


/* Publish the user certificate USER.  */
static gpg_error_t
put_user (wkd_t *w, const ca_user_t *user)
{
  gpg_error_t err = 0;
  const pgp_uid_t *uid;
  char **addrs;
  size_t n = 0, i, j;
  int bad = 0, any = 0;

  for (uid = user->cert->uids; uid; uid = uid->next)
    n++;
  addrs = xtrycalloc (n + 1, sizeof *addrs);
  if (!addrs)
    return oca_error_from_errno ();
  /* The certified address of each User ID, once.  */
  for (uid = user->cert->uids, i = 0; uid; uid = uid->next, i++)
    if ((addrs[i] = certified_addr (w, user->cert, uid)))
      any = 1;
  if (any)
    bad = unusable (w, user->cert);
  for (i = 0; i < n && !err; i++)
    {
      if (!addrs[i])
        continue;
      for (j = 0; j < i; j++)
        if (addrs[j] && !strcmp (addrs[j], addrs[i]))
          break;
      if (j == i)
        err = put_key (w, user->cert, addrs[i], addrs, n, bad);
    }
  for (i = 0; i < n; i++)
    xfree (addrs[i]);
  xfree (addrs);
  if (err)
    return err;
  if (!any)
    w->stats->skipped++;
  else if (bad)
    w->stats->unusable++;
  return 0;
}


/* Write DIR/policy unless it exists (the operator may have filled
 * it).  */
static gpg_error_t
write_policy (const char *dir)
{
  gpg_error_t err;
  char *path;

  path = gpgrt_bsprintf ("%s/policy", dir);
  if (!path)
    return oca_error_from_errno ();
  if (!access (path, F_OK))
    err = 0;
  else
    err = ca_file_write (path, "", 0, CA_FILE_REPLACE);
  gpgrt_free (path);
  return err;
}


/* Remove from DIR/hu the files of addresses not written this run and
 * temporary files left by an interrupted run.  */
static gpg_error_t
remove_stale (wkd_t *w, const char *dir)
{
  gpg_error_t err = 0;
  char *hu, *path;
  DIR *dp;
  struct dirent *de;

  hu = gpgrt_bsprintf ("%s/hu", dir);
  if (!hu)
    return oca_error_from_errno ();
  dp = opendir (hu);
  if (!dp)
    {
      err = oca_error_from_errno ();
      ca_set_errmsg (err, "cannot read %s: %s", hu, gpg_strerror (err));
      gpgrt_free (hu);
      return err;
    }
  while ((de = readdir (dp)))
    {
      if (!(ca_file_is_temp (de->d_name)
            || (is_hash_name (de->d_name)
                && !nameset_has (&w->written, de->d_name))))
        continue;
      path = gpgrt_bsprintf ("%s/%s", hu, de->d_name);
      if (!path)
        {
          err = oca_error_from_errno ();
          break;
        }
      if (unlink (path) && errno != ENOENT)
        {
          err = oca_error_from_errno ();
          ca_set_errmsg (err, "cannot remove %s: %s", path,
                         gpg_strerror (err));
          gpgrt_free (path);
          break;
        }
      if (!ca_file_is_temp (de->d_name))
        w->stats->removed++;
      gpgrt_free (path);
    }
  closedir (dp);
  gpgrt_free (hu);
  return err;
}


/* Lock the tree below BASE (.well-known/openpgpkey) for this export:
 * a lock on the directory itself (no file of ours is published);
 * *R_FD gets the lock's descriptor.  */
static gpg_error_t
lock_tree (const char *base, int *r_fd)
{
  gpg_error_t err;
  int fd;

  *r_fd = -1;
  fd = open (base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      err = oca_error_from_errno ();
      return ca_set_errmsg (err, "cannot open %s: %s", base,
                            gpg_strerror (err));
    }
  if (flock (fd, LOCK_EX | LOCK_NB))
    {
      close (fd);
      return ca_set_errmsg (gpg_error (GPG_ERR_LOCKED),
                            "another export is writing %s", base);
    }
  *r_fd = fd;
  return 0;
}


/* See ca.h.  */
gpg_error_t
ca_wkd_export (ca_t *ca, const char *path, unsigned int flags,
               ca_wkd_stats_t *r_stats)
{
  gpg_error_t err;
  wkd_t w;
  char *base = NULL, *caaddr = NULL;
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;
  int lockfd = -1, i;

  memset (r_stats, 0, sizeof *r_stats);
  memset (&w, 0, sizeof w);
  w.ca = ca;
  w.stats = r_stats;
  w.now = (uint32_t)time (NULL);
  if (!path || !*path)
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_ARG), "no directory given");

  base = gpgrt_bsprintf ("%s/.well-known/openpgpkey", path);
  w.dir[0] = gpgrt_bsprintf ("%s/%s", base ? base : "", ca->domain);
  w.ndirs = 1;
  if (flags & CA_WKD_DIRECT)
    w.dir[w.ndirs++] = gpgrt_bsprintf ("%s", base ? base : "");
  caaddr = gpgrt_bsprintf ("%s@%s", CA_EMAIL_LOCALPART, ca->domain);
  if (!base || !w.dir[0] || !w.dir[w.ndirs - 1] || !caaddr)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  for (i = 0; i < w.ndirs; i++)
    {
      char *hu = gpgrt_bsprintf ("%s/hu", w.dir[i]);

      err = hu ? ca_file_mkdirs (hu) : oca_error_from_errno ();
      gpgrt_free (hu);
      if (err)
        goto leave;
    }
  err = lock_tree (base, &lockfd);
  if (err)
    goto leave;
  for (i = 0; i < w.ndirs && !err; i++)
    err = write_policy (w.dir[i]);
  if (err)
    goto leave;

  /* The CA's own address first, then every user in one snapshot.  */
  err = ca_begin_read (ca);
  if (err)
    goto leave;
  err = put_key (&w, ca->cert, caaddr, NULL, 0, 0);
  if (!err)
    err = ca_users_open (ca, NULL, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    {
      if (user->delisted)
        {
          r_stats->delisted++;
          continue;
        }
      err = put_user (&w, user);
    }
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  ca_end_read (ca);
  if (err)
    goto leave;

  for (i = 0; i < w.ndirs && !err; i++)
    err = remove_stale (&w, w.dir[i]);

 leave:
  ca_users_close (it);
  if (lockfd >= 0)
    close (lockfd);
  xfree (w.written.slot);
  for (i = 0; i < 2; i++)
    gpgrt_free (w.dir[i]);
  gpgrt_free (base);
  gpgrt_free (caaddr);
  return err;
}
