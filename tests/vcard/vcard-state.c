/* vcard-state.c - persistent state of the virtual OpenPGP card
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * File format (all integers big-endian):
 *
 *   "OCAVCARD" u16 version (1)
 *   records: u16 tag, u32 length, value
 *
 * Unknown tags are skipped (newer files stay readable); a truncated or
 * malformed file is an error, never a silent factory reset.  The file
 * holds PINs and private keys: it is written with mode 0600 to a
 * temporary file in the same directory, flushed and renamed over the
 * old one, so a crash leaves either the old or the new state.
 */
#include <config.h>
#include "vcard.h"
#include "brd.h"

#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#define STATE_MAGIC "OCAVCARD"
#define STATE_VERSION 1
#define STATE_MAX (256 * 1024)

enum
  {
    ST_MANUFACTURER = 1, ST_SERIAL, ST_TERMINATED, ST_PW1, ST_RC, ST_PW3,
    ST_TRIES, ST_PW1_MULTI, ST_NAME, ST_LANG, ST_SEX, ST_LOGIN, ST_URL,
    ST_PRIVDO1, ST_PRIVDO2, ST_PRIVDO3, ST_PRIVDO4, ST_SIGCOUNT,
    /* Per key: ST_KEY + 16 * keyno + field.  */
    ST_KEY = 0x100
  };
enum
  {
    KF_ATTR = 0, KF_SK, KF_FPR, KF_CAFPR, KF_TIME, KF_STATUS, KF_UIF, KF_CERT
  };

/* Append one record.  */
static void
put_rec (membuf_t *mb, unsigned int tag, const void *d, size_t n)
{
  membuf_put_u16 (mb, tag);
  membuf_put_u32 (mb, n);
  membuf_put (mb, d, n);
}

static void
put_rec_u32 (membuf_t *mb, unsigned int tag, uint32_t v)
{
  membuf_put_u16 (mb, tag);
  membuf_put_u32 (mb, 4);
  membuf_put_u32 (mb, v);
}

/* Serialize the persistent part of CARD into MB (a secure membuf).  */
gpg_error_t
vcard_state_serialize (vcard_t *card, membuf_t *mb)
{
  unsigned char tries[3];
  int i;

  membuf_put (mb, STATE_MAGIC, 8);
  membuf_put_u16 (mb, STATE_VERSION);
  put_rec (mb, ST_MANUFACTURER, card->manufacturer, 2);
  put_rec (mb, ST_SERIAL, card->serial, 4);
  put_rec_u32 (mb, ST_TERMINATED, card->terminated);
  put_rec (mb, ST_PW1, card->pin[VCARD_PW1], card->pinlen[VCARD_PW1]);
  put_rec (mb, ST_RC, card->pin[VCARD_RC], card->pinlen[VCARD_RC]);
  put_rec (mb, ST_PW3, card->pin[VCARD_PW3], card->pinlen[VCARD_PW3]);
  for (i = 0; i < 3; i++)
    tries[i] = card->tries[i];
  put_rec (mb, ST_TRIES, tries, 3);
  put_rec_u32 (mb, ST_PW1_MULTI, card->pw1_multi);
  put_rec (mb, ST_NAME, card->name.d, card->name.n);
  put_rec (mb, ST_LANG, card->lang.d, card->lang.n);
  put_rec (mb, ST_SEX, card->sex.d, card->sex.n);
  put_rec (mb, ST_LOGIN, card->login.d, card->login.n);
  put_rec (mb, ST_URL, card->url.d, card->url.n);
  for (i = 0; i < 4; i++)
    put_rec (mb, ST_PRIVDO1 + i, card->privdo[i].d, card->privdo[i].n);
  put_rec_u32 (mb, ST_SIGCOUNT, card->sigcount);
  for (i = 0; i < 3; i++)
    {
      vcard_key_t *k = &card->key[i];
      unsigned int base = ST_KEY + 16 * i;

      put_rec (mb, base + KF_ATTR, k->attr, k->attrlen);
      if (k->sk)
        {
          size_t n = gcry_sexp_sprint (k->sk, GCRYSEXP_FMT_CANON, NULL, 0);
          unsigned char *p = xtrymalloc_secure (n ? n : 1);

          if (!p)
            return oca_error_from_errno ();
          n = gcry_sexp_sprint (k->sk, GCRYSEXP_FMT_CANON, p, n);
          if (n)
            put_rec (mb, base + KF_SK, p, n);
          wipe_and_free (p, n ? n : 1);
          if (!n)
            return gpg_error (GPG_ERR_INTERNAL);
        }
      put_rec (mb, base + KF_FPR, k->fpr, 20);
      put_rec (mb, base + KF_CAFPR, k->cafpr, 20);
      put_rec_u32 (mb, base + KF_TIME, k->gentime);
      put_rec_u32 (mb, base + KF_STATUS, k->status);
      put_rec_u32 (mb, base + KF_UIF, k->uif);
      put_rec (mb, base + KF_CERT, k->cert.d, k->cert.n);
    }
  return membuf_error (mb);
}

/* Read a 4-byte record value as an integer no larger than MAX.  */
static gpg_error_t
rec_u32 (brd_t *v, uint32_t max, uint32_t *r_val)
{
  gpg_error_t err;

  if ((err = brd_get_u32 (v, r_val)) || (err = brd_end (v)))
    return err;
  if (*r_val > max)
    return gpg_error (GPG_ERR_INV_VALUE);
  return 0;
}

/* Copy a record value of exactly N bytes to OUT.  */
static gpg_error_t
rec_fixed (brd_t *v, void *out, size_t n)
{
  gpg_error_t err;

  if (brd_left (v) != n)
    return gpg_error (GPG_ERR_INV_LENGTH);
  if ((err = brd_copy (v, out, n)))
    return err;
  return 0;
}

/* Set blob B from a record value of at most MAX bytes.  */
static gpg_error_t
rec_blob (brd_t *v, vcard_blob_t *b, size_t max)
{
  const unsigned char *p;
  size_t n;

  if (brd_left (v) > max)
    return gpg_error (GPG_ERR_INV_LENGTH);
  brd_rest (v, &p, &n);
  return vcard_blob_set (b, p, n);
}

/* Set PIN WHICH from a record value.  */
static gpg_error_t
rec_pin (vcard_t *card, brd_t *v, int which)
{
  const unsigned char *p;
  size_t n;

  if (brd_left (v) > VCARD_MAX_PIN)
    return gpg_error (GPG_ERR_INV_LENGTH);
  brd_rest (v, &p, &n);
  return vcard_set_pin (card, which, p, n);
}

/* Parse the state BUF/LEN (in secure memory) into CARD, which must be
 * in factory state.  */
gpg_error_t
vcard_state_parse (vcard_t *card, const unsigned char *buf, size_t len)
{
  gpg_error_t err;
  brd_t r, v;
  const unsigned char *magic;
  unsigned int version, tag;
  uint32_t n, val;
  unsigned char tries[3];
  int i;

  brd_init (&r, buf, len);
  if ((err = brd_get_bytes (&r, 8, &magic)))
    return err;
  if (memcmp (magic, STATE_MAGIC, 8))
    return gpg_error (GPG_ERR_INV_OBJ);
  if ((err = brd_get_u16 (&r, &version)))
    return err;
  if (version != STATE_VERSION)
    return gpg_error (GPG_ERR_UNKNOWN_VERSION);

  while (brd_left (&r))
    {
      if ((err = brd_get_u16 (&r, &tag))
          || (err = brd_get_u32 (&r, &n))
          || (err = brd_sub (&r, n, &v)))
        return err;
      err = 0;
      switch (tag)
        {
        case ST_MANUFACTURER: err = rec_fixed (&v, card->manufacturer, 2);
          break;
        case ST_SERIAL: err = rec_fixed (&v, card->serial, 4); break;
        case ST_TERMINATED:
          if (!(err = rec_u32 (&v, 1, &val)))
            card->terminated = val;
          break;
        case ST_PW1: err = rec_pin (card, &v, VCARD_PW1); break;
        case ST_RC: err = rec_pin (card, &v, VCARD_RC); break;
        case ST_PW3: err = rec_pin (card, &v, VCARD_PW3); break;
        case ST_TRIES:
          if (!(err = rec_fixed (&v, tries, 3)))
            for (i = 0; i < 3; i++)
              {
                if (tries[i] > 3)
                  err = gpg_error (GPG_ERR_INV_VALUE);
                card->tries[i] = tries[i];
              }
          break;
        case ST_PW1_MULTI:
          if (!(err = rec_u32 (&v, 1, &val)))
            card->pw1_multi = val;
          break;
        case ST_NAME: err = rec_blob (&v, &card->name, 39); break;
        case ST_LANG: err = rec_blob (&v, &card->lang, 8); break;
        case ST_SEX: err = rec_blob (&v, &card->sex, 1); break;
        case ST_LOGIN: err = rec_blob (&v, &card->login, VCARD_MAX_DO); break;
        case ST_URL: err = rec_blob (&v, &card->url, VCARD_MAX_DO); break;
        case ST_PRIVDO1: case ST_PRIVDO2: case ST_PRIVDO3: case ST_PRIVDO4:
          err = rec_blob (&v, &card->privdo[tag - ST_PRIVDO1], VCARD_MAX_DO);
          break;
        case ST_SIGCOUNT:
          if (!(err = rec_u32 (&v, 0xffffff, &val)))
            card->sigcount = val;
          break;
        default:
          if (tag >= ST_KEY && tag < ST_KEY + 3 * 16)
            {
              vcard_key_t *k = &card->key[(tag - ST_KEY) / 16];
              const unsigned char *p;
              size_t plen;
              unsigned char *sbuf;

              switch ((tag - ST_KEY) % 16)
                {
                case KF_ATTR:
                  if (!brd_left (&v) || brd_left (&v) > sizeof k->attr)
                    err = gpg_error (GPG_ERR_INV_LENGTH);
                  else
                    {
                      k->attrlen = brd_left (&v);
                      err = brd_copy (&v, k->attr, k->attrlen);
                    }
                  break;
                case KF_SK:
                  brd_rest (&v, &p, &plen);
                  sbuf = xtrymalloc_secure (plen ? plen : 1);
                  if (!sbuf)
                    return oca_error_from_errno ();
                  memcpy (sbuf, p, plen);
                  gcry_sexp_release (k->sk);
                  k->sk = NULL;
                  err = gcry_sexp_new (&k->sk, sbuf, plen, 0);
                  wipe_and_free (sbuf, plen ? plen : 1);
                  break;
                case KF_FPR: err = rec_fixed (&v, k->fpr, 20); break;
                case KF_CAFPR: err = rec_fixed (&v, k->cafpr, 20); break;
                case KF_TIME: err = rec_u32 (&v, 0xffffffff, &k->gentime);
                  break;
                case KF_STATUS:
                  if (!(err = rec_u32 (&v, 2, &val)))
                    k->status = val;
                  break;
                case KF_UIF:
                  if (!(err = rec_u32 (&v, 4, &val)))
                    k->uif = val;
                  break;
                case KF_CERT: err = rec_blob (&v, &k->cert, VCARD_MAX_CERT);
                  break;
                default:
                  break;
                }
            }
          break;
        }
      if (err)
        return err;
    }
  /* Consistency: a key needs usable attributes.  */
  for (i = 0; i < 3; i++)
    {
      vcard_algo_t algo;
      unsigned int nbits;

      if (vcard_parse_attr (card->key[i].attr, card->key[i].attrlen, i, NULL,
                            &algo, &nbits))
        return gpg_error (GPG_ERR_INV_VALUE);
    }
  if (!card->pin[VCARD_PW1] || !card->pin[VCARD_PW3])
    return gpg_error (GPG_ERR_INV_VALUE);
  return 0;
}

/* Load the state of CARD from FNAME.  GPG_ERR_ENOENT when the file does
 * not exist (the card keeps its factory state).  */
gpg_error_t
vcard_state_load (vcard_t *card, const char *fname)
{
  gpg_error_t err;
  int fd;
  struct stat st;
  unsigned char *buf = NULL;
  size_t len = 0, got = 0;
  ssize_t n;

  fd = open (fname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return gpg_error_from_syserror ();
  if (fstat (fd, &st) || !S_ISREG (st.st_mode))
    {
      err = gpg_error (GPG_ERR_INV_OBJ);
      goto leave;
    }
  if (st.st_size > STATE_MAX)
    {
      err = gpg_error (GPG_ERR_TOO_LARGE);
      goto leave;
    }
  len = st.st_size;
  buf = xtrymalloc_secure (len ? len : 1);
  if (!buf)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  while (got < len)
    {
      n = read (fd, buf + got, len - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          err = n ? gpg_error_from_syserror () : gpg_error (GPG_ERR_TOO_SHORT);
          goto leave;
        }
      got += n;
    }
  err = vcard_state_parse (card, buf, len);

 leave:
  close (fd);
  wipe_and_free (buf, len ? len : 1);
  return err;
}

/* Write FD fully.  */
static gpg_error_t
write_all (int fd, const unsigned char *p, size_t n)
{
  ssize_t w;

  while (n)
    {
      w = write (fd, p, n);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return gpg_error_from_syserror ();
      p += w;
      n -= w;
    }
  return 0;
}

/* Save the state of CARD to FNAME atomically (temp file, mode 0600,
 * fsync, rename).  Clears CARD->dirty on success.  */
gpg_error_t
vcard_state_save (vcard_t *card, const char *fname)
{
  gpg_error_t err;
  membuf_t mb;
  char *tmpname = NULL;
  size_t n;
  int fd = -1;

  membuf_init (&mb, STATE_MAX, 1);
  err = vcard_state_serialize (card, &mb);
  if (err)
    goto leave;
  n = strlen (fname) + 5;
  tmpname = xtrymalloc (n);
  if (!tmpname)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  snprintf (tmpname, n, "%s.tmp", fname);
  unlink (tmpname);
  fd = open (tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
             0600);
  if (fd < 0)
    {
      err = gpg_error_from_syserror ();
      goto leave;
    }
  err = write_all (fd, membuf_data (&mb), membuf_len (&mb));
  if (!err && fsync (fd))
    err = gpg_error_from_syserror ();
  if (close (fd) && !err)
    err = gpg_error_from_syserror ();
  fd = -1;
  if (!err && rename (tmpname, fname))
    err = gpg_error_from_syserror ();
  if (err)
    unlink (tmpname);
  else
    card->dirty = 0;

 leave:
  if (fd >= 0)
    close (fd);
  xfree (tmpname);
  membuf_release (&mb);
  return err;
}
