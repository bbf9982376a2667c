/* pgp-cert.c - OpenPGP certificates: read, write, merge, certify, query
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A certificate is assembled from the packet stream as RFC 4880 11.1
 * describes it: primary key, its signatures, user IDs and attributes
 * with their signatures, subkeys with theirs.  Unknown packets stay
 * with the component they follow; trust packets are dropped.
 * Certificates are copied and merged here; what signatures on them
 * mean (verification, certification, validity) is pgp-certsig.c.
 */
#include <config.h>
#include "oca-common.h"
#include "pgp-int.h"

#include <string.h>
#include <time.h>


void
_pgp_uid_release (pgp_uid_t *uid)
{
  if (!uid)
    return;
  xfree (uid->name);
  xfree (uid->body);
  xfree (uid->raw_);
  pgp_sig_release (uid->sigs);
  _pgp_rawpkt_release (uid->unknown);
  xfree (uid);
}


/* Release CERT and its chain.  */
void
pgp_cert_release (pgp_cert_t *cert)
{
  while (cert)
    {
      pgp_cert_t *next = cert->next;
      pgp_key_t *k, *kn;
      pgp_uid_t *u, *un;

      pgp_key_release (cert->primary);
      for (u = cert->uids; u; u = un)
        {
          un = u->next;
          _pgp_uid_release (u);
        }
      for (k = cert->subkeys; k; k = kn)
        {
          kn = k->next;
          pgp_key_release (k);
        }
      xfree (cert);
      cert = next;
    }
}


static gpg_error_t
make_uid (int tag, const unsigned char *raw, size_t rawlen,
          const unsigned char *body, size_t bodylen, pgp_uid_t **r_uid)
{
  gpg_error_t err;
  pgp_uid_t *uid;

  *r_uid = NULL;
  uid = xtrycalloc (1, sizeof *uid);
  if (!uid)
    return oca_error_from_errno ();
  uid->is_attribute = (tag == PGP_PKT_ATTRIBUTE);
  if ((err = _pgp_memdup (raw, rawlen, 0, &uid->raw_))
      || (err = _pgp_memdup (body, bodylen, 0, &uid->body)))
    goto leave;
  uid->rawlen_ = rawlen;
  uid->bodylen = bodylen;
  if (uid->is_attribute)
    uid->name = xtrystrdup ("[attribute]");
  else
    err = _pgp_memdup (body, bodylen, 0, (unsigned char **)&uid->name);
  if (!uid->name && !err)
    err = oca_error_from_errno ();
  if (err)
    goto leave;
  *r_uid = uid;
  uid = NULL;

 leave:
  _pgp_uid_release (uid);
  return err;
}


static gpg_error_t
add_rawpkt (pgp_rawpkt_t **list, int tag, const unsigned char *raw,
            size_t rawlen)
{
  pgp_rawpkt_t *p;
  gpg_error_t err;

  p = xtrycalloc (1, sizeof *p);
  if (!p)
    return oca_error_from_errno ();
  p->tag = tag;
  if ((err = _pgp_memdup (raw, rawlen, 0, &p->raw)))
    {
      xfree (p);
      return err;
    }
  p->rawlen = rawlen;
  while (*list)
    list = &(*list)->next;
  *list = p;
  return 0;
}


/* A new user ID packet for NAME.  */
gpg_error_t
_pgp_uid_new (const char *name, pgp_uid_t **r_uid)
{
  return _pgp_uid_new_mem (name, strlen (name), r_uid);
}


/* A new user ID packet with the N bytes at BODY (any bytes).  */
gpg_error_t
_pgp_uid_new_mem (const void *body, size_t n, pgp_uid_t **r_uid)
{
  gpg_error_t err;
  unsigned char *raw;
  size_t rawlen, hdrlen;

  *r_uid = NULL;
  if ((err = _pgp_make_packet (PGP_PKT_USER_ID, body, n, 0, &raw, &rawlen,
                               &hdrlen)))
    return err;
  err = make_uid (PGP_PKT_USER_ID, raw, rawlen, raw + hdrlen, n, r_uid);
  xfree (raw);
  return err;
}


/* See pgp-int.h.  */
gpg_error_t
_pgp_parse_certs (const unsigned char *data, size_t len,
                  pgp_cert_t **r_certs)
{
  gpg_error_t err = 0;
  pgp_cert_t *head = NULL, **tail = &head, *cert = NULL;
  pgp_uid_t *uid = NULL, **uidtail = NULL;
  pgp_key_t *sub = NULL, **subtail = NULL, *key;
  pgp_sig_t *sig;
  brd_t r, body;
  const unsigned char *raw;
  size_t rawlen, npackets = 0;
  int tag;

  *r_certs = NULL;
  brd_init (&r, data, len);
  while (brd_left (&r))
    {
      if ((err = _pgp_read_packet (&r, &tag, &body, &raw, &rawlen)))
        goto leave;
      if (tag == PGP_PKT_TRUST)
        continue;
      if (!cert && tag == PGP_PKT_MARKER)
        continue;
      if (!cert && tag != PGP_PKT_PUBLIC_KEY && tag != PGP_PKT_SECRET_KEY)
        {
          err = gpg_error (GPG_ERR_INV_PACKET);
          goto leave;
        }
      if (++npackets > PGP_MAX_PACKETS)
        {
          err = gpg_error (GPG_ERR_TOO_MANY);
          goto leave;
        }
      switch (tag)
        {
        case PGP_PKT_PUBLIC_KEY:
        case PGP_PKT_SECRET_KEY:
          if ((err = _pgp_parse_key (tag, raw, rawlen, &body, &key)))
            goto leave;
          cert = xtrycalloc (1, sizeof *cert);
          if (!cert)
            {
              err = oca_error_from_errno ();
              pgp_key_release (key);
              goto leave;
            }
          cert->primary = key;
          *tail = cert;
          tail = &cert->next;
          uid = NULL;
          sub = NULL;
          uidtail = &cert->uids;
          subtail = &cert->subkeys;
          npackets = 1;
          break;
        case PGP_PKT_PUBLIC_SUBKEY:
        case PGP_PKT_SECRET_SUBKEY:
          if ((err = _pgp_parse_key (tag, raw, rawlen, &body, &key)))
            goto leave;
          *subtail = key;
          subtail = &key->next;
          sub = key;
          uid = NULL;
          break;
        case PGP_PKT_USER_ID:
        case PGP_PKT_ATTRIBUTE:
          if (sub)
            {
              /* User IDs after subkeys: not a valid certificate.  */
              err = gpg_error (GPG_ERR_INV_PACKET);
              goto leave;
            }
          if ((err = make_uid (tag, raw, rawlen, brd_ptr (&body),
                               brd_left (&body), &uid)))
            goto leave;
          *uidtail = uid;
          uidtail = &uid->next;
          break;
        case PGP_PKT_SIGNATURE:
          if ((err = _pgp_parse_sig (raw, rawlen, rawlen - brd_left (&body),
                                     0, &sig)))
            goto leave;
          _pgp_sig_append (sub ? &sub->sigs : uid ? &uid->sigs
                           : &cert->primary->sigs, sig);
          break;
        default:
          if ((err = add_rawpkt (sub ? &sub->unknown : uid ? &uid->unknown
                                 : &cert->primary->unknown,
                                 tag, raw, rawlen)))
            goto leave;
          break;
        }
    }
  if (!head)
    {
      err = gpg_error (GPG_ERR_NO_PUBKEY);
      goto leave;
    }
  *r_certs = head;
  head = NULL;

 leave:
  pgp_cert_release (head);
  return err;
}


/* Read all certificates from BUF/LEN.  */
gpg_error_t
pgp_read_certs (const void *buf, size_t len, pgp_cert_t **r_certs)
{
  gpg_error_t err;
  unsigned char *data = NULL;
  size_t datalen = 0;
  int type;

  *r_certs = NULL;
  if (!buf || !len)
    return gpg_error (GPG_ERR_NO_PUBKEY);
  if (len > PGP_MAX_INPUT)
    return gpg_error (GPG_ERR_TOO_LARGE);
  if ((err = pgp_dearmor_all (buf, len, &type, &data, &datalen)))
    return err;
  err = _pgp_parse_certs (data, datalen, r_certs);
  wipe_and_free (data, datalen);
  return err;
}


/* Read exactly one certificate.  */
gpg_error_t
pgp_read_cert (const void *buf, size_t len, pgp_cert_t **r_cert)
{
  gpg_error_t err;
  pgp_cert_t *list;

  *r_cert = NULL;
  if ((err = pgp_read_certs (buf, len, &list)))
    return err;
  if (list->next)
    {
      pgp_cert_release (list);
      return gpg_error (GPG_ERR_AMBIGUOUS);
    }
  *r_cert = list;
  return 0;
}


static void
write_sigs (const pgp_sig_t *sig, unsigned int flags, membuf_t *mb)
{
  for (; sig; sig = sig->next)
    {
      if ((flags & PGP_EXPORT_NO_LOCAL) && sig->version == 4
          && !sig->exportable)
        continue;
      membuf_put (mb, sig->raw, sig->rawlen);
    }
}

static void
write_raw (const pgp_rawpkt_t *p, membuf_t *mb)
{
  for (; p; p = p->next)
    membuf_put (mb, p->raw, p->rawlen);
}


/* Append the binary serialisation of CERT to MB.  */
void
pgp_cert_write (const pgp_cert_t *cert, unsigned int flags, membuf_t *mb)
{
  const pgp_uid_t *uid;
  const pgp_key_t *key;
  int secret = !!(flags & PGP_EXPORT_SECRET);

  _pgp_key_write (cert->primary, secret, mb);
  write_sigs (cert->primary->sigs, flags, mb);
  write_raw (cert->primary->unknown, mb);
  for (uid = cert->uids; uid; uid = uid->next)
    {
      membuf_put (mb, uid->raw_, uid->rawlen_);
      write_sigs (uid->sigs, flags, mb);
      write_raw (uid->unknown, mb);
    }
  for (key = cert->subkeys; key; key = key->next)
    {
      _pgp_key_write (key, secret, mb);
      write_sigs (key->sigs, flags, mb);
      write_raw (key->unknown, mb);
    }
}


/* Format FPR as Sequoia does in armor comments.  */
static void
format_fpr (const unsigned char fpr[20], char out[51])
{
  char hex[41];
  int i;
  char *p = out;

  oca_bin2hex (fpr, 20, hex);
  for (i = 0; i < 10; i++)
    {
      memcpy (p, hex + 4 * i, 4);
      p += 4;
      if (i < 9)
        *p++ = ' ';
      if (i == 4)
        *p++ = ' ';
    }
  *p = 0;
}


/* Serialise CERT according to FLAGS.  */
gpg_error_t
pgp_cert_export (const pgp_cert_t *cert, unsigned int flags,
                 unsigned char **r_buf, size_t *r_len)
{
  gpg_error_t err;
  membuf_t mb;
  const pgp_cert_t *c;
  unsigned char *bin = NULL;
  size_t binlen = 0;
  const char *comments[12];
  char fprbuf[51];
  char *armored = NULL;
  size_t armoredlen, n = 0;
  int secure = !!(flags & PGP_EXPORT_SECRET);

  *r_buf = NULL;
  *r_len = 0;
  if (!cert)
    return gpg_error (GPG_ERR_INV_ARG);
  membuf_init (&mb, PGP_MAX_OUTPUT, secure);
  for (c = cert; c; c = (flags & PGP_EXPORT_ALL) ? c->next : NULL)
    pgp_cert_write (c, flags, &mb);
  if ((err = membuf_take (&mb, &bin, &binlen)))
    return err;
  if (!(flags & PGP_EXPORT_ARMOR))
    {
      *r_buf = bin;
      *r_len = binlen;
      return 0;
    }
  if (!(flags & PGP_EXPORT_NO_COMMENTS)
      && (!(flags & PGP_EXPORT_ALL) || !cert->next))
    {
      const pgp_uid_t *uid;

      format_fpr (cert->primary->fpr, fprbuf);
      comments[n++] = fprbuf;
      for (uid = cert->uids; uid && n < DIM (comments) - 1; uid = uid->next)
        if (!uid->is_attribute)
          comments[n++] = uid->name;
    }
  comments[n] = NULL;
  err = pgp_armor (secure ? PGP_ARMOR_SECKEY : PGP_ARMOR_PUBKEY, bin, binlen,
                   comments, &armored, &armoredlen);
  if (secure)
    wipe_and_free (bin, binlen);
  else
    xfree (bin);
  if (err)
    return err;
  *r_buf = (unsigned char *)armored;
  *r_len = armoredlen;
  return 0;
}


/* Whether CERT has secret material for its primary.  */
int
pgp_cert_has_secret (const pgp_cert_t *cert)
{
  return cert && cert->primary
    && (cert->primary->secret == PGP_SECRET_PLAIN
        || cert->primary->secret == PGP_SECRET_ENCRYPTED);
}


/* Hex fingerprint of CERT.  */
char *
pgp_cert_fpr_hex (const pgp_cert_t *cert, char out[41])
{
  return oca_bin2hex (cert->primary->fpr, 20, out);
}

/* Hex fingerprint of KEY.  */
char *
pgp_key_fpr_hex (const pgp_key_t *key, char out[41])
{
  return oca_bin2hex (key->fpr, 20, out);
}

/* Hex key ID of KEY.  */
char *
pgp_key_keyid_hex (const pgp_key_t *key, char out[17])
{
  return oca_bin2hex (key->keyid, 8, out);
}


/* Find a user ID by string.  */
pgp_uid_t *
pgp_cert_find_uid (const pgp_cert_t *cert, const char *name)
{
  pgp_uid_t *uid;

  for (uid = cert->uids; uid; uid = uid->next)
    if (!uid->is_attribute && strlen (name) == uid->bodylen
        && !memcmp (uid->body, name, uid->bodylen))
      return uid;
  return NULL;
}


/* Find a key by fingerprint.  */
pgp_key_t *
pgp_cert_find_key (const pgp_cert_t *cert, const unsigned char fpr[20])
{
  pgp_key_t *key;

  if (!memcmp (cert->primary->fpr, fpr, 20))
    return cert->primary;
  for (key = cert->subkeys; key; key = key->next)
    if (!memcmp (key->fpr, fpr, 20))
      return key;
  return NULL;
}


/* Deep copies.  */
static gpg_error_t
copy_sigs (const pgp_sig_t *src, pgp_sig_t **r_list)
{
  gpg_error_t err;
  pgp_sig_t *s;

  *r_list = NULL;
  for (; src; src = src->next)
    {
      if ((err = pgp_sig_copy (src, &s)))
        return err;   /* Caller releases *R_LIST.  */
      _pgp_sig_append (r_list, s);
    }
  return 0;
}

static gpg_error_t
copy_raws (const pgp_rawpkt_t *src, pgp_rawpkt_t **r_list)
{
  gpg_error_t err;

  *r_list = NULL;
  for (; src; src = src->next)
    if ((err = add_rawpkt (r_list, src->tag, src->raw, src->rawlen)))
      return err;
  return 0;
}

static gpg_error_t
copy_key (const pgp_key_t *src, int public_only, pgp_key_t **r_key)
{
  gpg_error_t err;
  pgp_key_t *key;

  *r_key = NULL;
  key = xtrycalloc (1, sizeof *key);
  if (!key)
    return oca_error_from_errno ();
  key->is_subkey = src->is_subkey;
  key->version = src->version;
  key->created = src->created;
  memcpy (key->fpr, src->fpr, 20);
  memcpy (key->keyid, src->keyid, 8);
  key->secret = public_only ? PGP_SECRET_NONE : src->secret;
  if ((err = pk_key_copy (src->pk, public_only, &key->pk))
      || (err = copy_sigs (src->sigs, &key->sigs))
      || (err = copy_raws (src->unknown, &key->unknown))
      || (err = _pgp_memdup (src->pubraw_, src->pubrawlen_, 0,
                             &key->pubraw_)))
    goto leave;
  key->pubrawlen_ = src->pubrawlen_;
  key->pubhdrlen_ = src->pubhdrlen_;
  if (!public_only && src->secraw_)
    {
      if ((err = _pgp_memdup (src->secraw_, src->secrawlen_, 1,
                              &key->secraw_)))
        goto leave;
      key->secrawlen_ = src->secrawlen_;
    }
  *r_key = key;
  key = NULL;

 leave:
  pgp_key_release (key);
  return err;
}

static gpg_error_t
copy_uid (const pgp_uid_t *src, pgp_uid_t **r_uid)
{
  gpg_error_t err;
  pgp_uid_t *uid;
  brd_t r, body;
  const unsigned char *raw;
  size_t rawlen;
  int tag;

  *r_uid = NULL;
  brd_init (&r, src->raw_, src->rawlen_);
  if ((err = _pgp_read_packet (&r, &tag, &body, &raw, &rawlen)))
    return err;
  if ((err = make_uid (tag, raw, rawlen, brd_ptr (&body), brd_left (&body),
                       &uid)))
    return err;
  if ((err = copy_sigs (src->sigs, &uid->sigs))
      || (err = copy_raws (src->unknown, &uid->unknown)))
    {
      _pgp_uid_release (uid);
      return err;
    }
  *r_uid = uid;
  return 0;
}


/* Deep copy of CERT (not its chain).  */
gpg_error_t
pgp_cert_copy (const pgp_cert_t *cert, int public_only, pgp_cert_t **r_copy)
{
  gpg_error_t err;
  pgp_cert_t *c;
  const pgp_uid_t *u;
  const pgp_key_t *k;
  pgp_uid_t **ut;
  pgp_key_t **kt;

  *r_copy = NULL;
  if (!cert)
    return gpg_error (GPG_ERR_INV_ARG);
  c = xtrycalloc (1, sizeof *c);
  if (!c)
    return oca_error_from_errno ();
  if ((err = copy_key (cert->primary, public_only, &c->primary)))
    goto leave;
  for (u = cert->uids, ut = &c->uids; u; u = u->next, ut = &(*ut)->next)
    if ((err = copy_uid (u, ut)))
      goto leave;
  for (k = cert->subkeys, kt = &c->subkeys; k; k = k->next,
         kt = &(*kt)->next)
    if ((err = copy_key (k, public_only, kt)))
      goto leave;
  *r_copy = c;
  c = NULL;

 leave:
  pgp_cert_release (c);
  return err;
}


/* Add copies of the signatures in SRC not yet in *DST.  */
static gpg_error_t
merge_sigs (pgp_sig_t **dst, const pgp_sig_t *src, int *added)
{
  gpg_error_t err;
  pgp_sig_t *s, *copy;

  for (; src; src = src->next)
    {
      for (s = *dst; s; s = s->next)
        if (_pgp_sig_same (s, src))
          break;
      if (s)
        continue;
      if ((err = pgp_sig_copy (src, &copy)))
        return err;
      _pgp_sig_append (dst, copy);
      (*added)++;
    }
  return 0;
}

static gpg_error_t
merge_raws (pgp_rawpkt_t **dst, const pgp_rawpkt_t *src, int *added)
{
  gpg_error_t err;
  const pgp_rawpkt_t *p;

  for (; src; src = src->next)
    {
      for (p = *dst; p; p = p->next)
        if (p->rawlen == src->rawlen && !memcmp (p->raw, src->raw, p->rawlen))
          break;
      if (p)
        continue;
      if ((err = add_rawpkt (dst, src->tag, src->raw, src->rawlen)))
        return err;
      (*added)++;
    }
  return 0;
}

/* Merge key SRC into DST (same fingerprint).  */
static gpg_error_t
merge_key (pgp_key_t *dst, const pgp_key_t *src, int *added)
{
  gpg_error_t err;

  if ((err = merge_sigs (&dst->sigs, src->sigs, added))
      || (err = merge_raws (&dst->unknown, src->unknown, added)))
    return err;
  if (dst->secret == PGP_SECRET_NONE && src->secret != PGP_SECRET_NONE
      && src->secraw_)
    {
      pk_key_t *pk;
      unsigned char *raw;

      if ((err = pk_key_copy (src->pk, 0, &pk)))
        return err;
      if ((err = _pgp_memdup (src->secraw_, src->secrawlen_, 1, &raw)))
        {
          pk_key_release (pk);
          return err;
        }
      pk_key_release (dst->pk);
      dst->pk = pk;
      dst->secraw_ = raw;
      dst->secrawlen_ = src->secrawlen_;
      dst->secret = src->secret;
      (*added)++;
    }
  return 0;
}


/* Whether user IDs (or attributes) A and B have the same body.  */
int
_pgp_uid_same (const pgp_uid_t *a, const pgp_uid_t *b)
{
  return a->is_attribute == b->is_attribute && a->bodylen == b->bodylen
    && !memcmp (a->body, b->body, a->bodylen);
}


/* Merge SRC into DST.  */
gpg_error_t
pgp_cert_merge (pgp_cert_t *dst, const pgp_cert_t *src, int *r_added)
{
  gpg_error_t err;
  const pgp_uid_t *su;
  const pgp_key_t *sk;
  pgp_uid_t *du, **ut;
  pgp_key_t *dk, **kt;
  int added = 0;

  if (r_added)
    *r_added = 0;
  if (!dst || !src)
    return gpg_error (GPG_ERR_INV_ARG);
  if (memcmp (dst->primary->fpr, src->primary->fpr, 20))
    return gpg_error (GPG_ERR_CONFLICT);
  if ((err = merge_key (dst->primary, src->primary, &added)))
    goto leave;
  for (su = src->uids; su; su = su->next)
    {
      for (ut = &dst->uids; (du = *ut); ut = &du->next)
        if (_pgp_uid_same (du, su))
          break;
      if (du)
        {
          if ((err = merge_sigs (&du->sigs, su->sigs, &added))
              || (err = merge_raws (&du->unknown, su->unknown, &added)))
            goto leave;
        }
      else
        {
          if ((err = copy_uid (su, ut)))
            goto leave;
          added++;
        }
    }
  for (sk = src->subkeys; sk; sk = sk->next)
    {
      for (kt = &dst->subkeys; (dk = *kt); kt = &dk->next)
        if (!memcmp (dk->fpr, sk->fpr, 20))
          break;
      if (dk)
        {
          if ((err = merge_key (dk, sk, &added)))
            goto leave;
        }
      else
        {
          if ((err = copy_key (sk, 0, kt)))
            goto leave;
          added++;
        }
    }

 leave:
  if (r_added)
    *r_added = added;
  return err;
}
