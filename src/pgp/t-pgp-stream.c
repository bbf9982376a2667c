/* t-pgp-stream.c - certificates read from a stream, armor written in pieces
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * pgp_cert_reader_next hands out the certificates pgp_read_certs finds,
 * whatever the chunks the input comes in (binary, armor, several armor
 * blocks), and fails as it does on bad input; pgp_armor_open/put/close
 * write exactly pgp_armor's text, whatever the pieces.
 */
#include <config.h>
#include "oca-common.h"

#include <string.h>

#include "pgp.h"
#include "t-support.h"

/* Input served in chunks of at most CHUNK bytes.  */
struct src
{
  const unsigned char *p;
  size_t left, chunk;
};

static gpg_error_t
read_src (void *opaque, void *buf, size_t size, size_t *r_n)
{
  struct src *s = opaque;
  size_t n = s->left < size ? s->left : size;

  if (n > s->chunk)
    n = s->chunk;
  memcpy (buf, s->p, n);
  s->p += n;
  s->left -= n;
  *r_n = n;
  return 0;
}

/* Read all of BUF/LEN in chunks of CHUNK; the fingerprints of what was
 * read go to FPRS (41 bytes each, at most MAX); returns the error that
 * ended it (0 at the end) and the number in *R_N.  */
static gpg_error_t
read_all (const void *buf, size_t len, size_t chunk, char fprs[][41],
          size_t max, size_t *r_n)
{
  struct src s;
  pgp_cert_reader_t *rd = NULL;
  pgp_cert_t *c;
  gpg_error_t err;
  size_t n = 0;

  s.p = buf;
  s.left = len;
  s.chunk = chunk;
  err = pgp_cert_reader_new (read_src, &s, &rd);
  while (!err && !(err = pgp_cert_reader_next (rd, &c)))
    {
      if (n < max)
        pgp_cert_fpr_hex (c, fprs[n]);
      n++;
      pgp_cert_release (c);
    }
  pgp_cert_reader_release (rd);
  *r_n = n;
  return gpg_err_code (err) == GPG_ERR_EOF ? 0 : err;
}


static gpg_error_t
write_mb (void *opaque, const void *buf, size_t len)
{
  membuf_put (opaque, buf, len);
  return membuf_error (opaque);
}


int
main (void)
{
  const char *uids[3][1] = { { "<a@example.org>" }, { "<b@example.org>" },
                             { "<c@example.org>" } };
  pgp_cert_t *keys[3];
  pgp_sig_t *rev;
  char want[3][41], got[4][41];
  membuf_t mb, am;
  unsigned char *bin = NULL;
  char *arm = NULL, *arm2 = NULL, *two = NULL;
  size_t binlen = 0, armlen = 0, n, i, k;
  static const size_t chunks[] = { 1, 7, 100, 65536 };
  pgp_armor_out_t *a;

  oca_init_gcrypt (0);
  membuf_init (&mb, PGP_MAX_INPUT, 0);
  for (i = 0; i < 3; i++)
    {
      if (pgp_generate_user (PGP_GEN_ED25519, uids[i], 1, 0, &keys[i], &rev))
        {
          ok (0, "key %zu", i);
          return tap_done ();
        }
      pgp_sig_release (rev);
      pgp_cert_fpr_hex (keys[i], want[i]);
      pgp_cert_write (keys[i], 0, &mb);
      pgp_cert_release (keys[i]);
    }
  ok_err (membuf_take (&mb, &bin, &binlen), "a keyring of three keys");
  ok_err (pgp_armor (PGP_ARMOR_PUBKEY, bin, binlen, NULL, &arm, &armlen),
          "armored");

  for (k = 0; k < DIM (chunks); k++)
    {
      ok (!read_all (bin, binlen, chunks[k], got, 4, &n) && n == 3
          && !strcmp (got[0], want[0]) && !strcmp (got[2], want[2]),
          "binary in chunks of %zu: the three keys in order", chunks[k]);
      ok (!read_all (arm, armlen, chunks[k], got, 4, &n) && n == 3
          && !strcmp (got[1], want[1]),
          "armored in chunks of %zu: the three keys", chunks[k]);
    }

  /* Two armor blocks (and text around them).  */
  two = gpgrt_bsprintf ("some text\n%s\nmore text\n%s", arm, arm);
  ok (two && !read_all (two, strlen (two), 5, got, 4, &n) && n == 6,
      "two armor blocks: six keys");
  /* A bad checksum in the second block: an error after good keys.  */
  if (two)
    {
      char *crc = strrchr (two, '=');

      crc[1] = crc[1] == 'A' ? 'B' : 'A';
      ok_code (read_all (two, strlen (two), 64, got, 4, &n), GPG_ERR_CHECKSUM,
               "a bad checksum in the second block");
    }

  /* Bad input, as pgp_read_certs fails on it.  */
  ok_code (read_all (bin, binlen - 3, 1000, got, 4, &n), GPG_ERR_TOO_SHORT,
           "a cut keyring");
  ok (n == 2, "after the two keys before the cut (%zu)", n);
  ok_code (read_all ("", 0, 10, got, 4, &n), GPG_ERR_NO_PUBKEY, "nothing");
  ok_code (read_all ("\xc2\x01\x04", 3, 100, got, 4, &n),
           GPG_ERR_INV_PACKET, "a signature where a key must come first");
  ok_code (read_all ("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxsdf\n", 41,
                     100, got, 4, &n), GPG_ERR_INV_ARMOR,
           "armor without its end");

  /* Armor written in pieces is pgp_armor's text.  */
  membuf_init (&am, PGP_MAX_INPUT, 0);
  ok_err (pgp_armor_open (PGP_ARMOR_PUBKEY, NULL, write_mb, &am, &a), "open");
  for (i = 0; i < binlen; i += 1 + i % 5)
    pgp_armor_put (a, bin + i, (1 + i % 5) < binlen - i ? 1 + i % 5
                   : binlen - i);
  ok_err (pgp_armor_close (a), "close");
  membuf_put_u8 (&am, 0);
  ok_err (membuf_take (&am, (unsigned char **)&arm2, &n), "taken");
  ok (arm2 && !strcmp (arm, arm2), "armor in pieces equals pgp_armor's");

  xfree (arm2);
  gpgrt_free (two);
  xfree (arm);
  xfree (bin);
  return tap_done ();
}
