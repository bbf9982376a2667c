/* t-pgp.c - unit tests for the OpenPGP core (pgp-*.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fixtures in testdata/ were made once with gpg 2.2.40 and sq 0.27
 * (gpg-listing.txt is gpg's --with-colons --with-keygrip listing of
 * them): they must parse, re-serialise byte-identically, have the
 * fingerprints and keygrips gpg prints and good self-signatures.
 * Forgeries (flipped bits in UIDs, hashed subpackets, MPIs), bad armor
 * checksums, truncated input, caps and a fuzz loop must all fail
 * cleanly.  Generated keys round-trip and verify.
 */
#include <config.h>
#include "oca-common.h"

#include <string.h>
#include <stdio.h>

#include "pgp.h"
#include "t-support.h"

#ifndef SRCDIR
# define SRCDIR "."
#endif


static unsigned char *
read_file (const char *name, size_t *r_len)
{
  char path[512];
  FILE *fp;
  unsigned char *buf;
  long n;

  *r_len = 0;
  snprintf (path, sizeof path, "%s/testdata/%s", SRCDIR, name);
  fp = fopen (path, "rb");
  if (!fp)
    return NULL;
  fseek (fp, 0, SEEK_END);
  n = ftell (fp);
  fseek (fp, 0, SEEK_SET);
  buf = malloc (n + 1);
  if (buf && fread (buf, 1, n, fp) != (size_t)n)
    {
      free (buf);
      buf = NULL;
    }
  fclose (fp);
  if (buf)
    {
      buf[n] = 0;
      *r_len = n;
    }
  return buf;
}

/* FPR -> keygrip pairs from gpg's listing.  */
static char listing_fpr[64][41];
static char listing_grp[64][41];
static int nlisting;

static void
load_listing (void)
{
  size_t len;
  char *buf = (char *)read_file ("gpg-listing.txt", &len);
  char *line, *save = NULL;

  ok (buf != NULL, "gpg listing readable");
  if (!buf)
    return;
  for (line = strtok_r (buf, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save))
    {
      if (!strncmp (line, "fpr:", 4) && nlisting < 64 && strlen (line) >= 49)
        {
          memcpy (listing_fpr[nlisting], line + 12, 40);
          listing_grp[nlisting][0] = 0;
          nlisting++;
        }
      else if (!strncmp (line, "grp:", 4) && nlisting && strlen (line) >= 49)
        memcpy (listing_grp[nlisting - 1], line + 12, 40);
    }
  free (buf);
}

static const char *
grip_for (const char *fpr)
{
  int i;

  for (i = 0; i < nlisting; i++)
    if (!strcmp (listing_fpr[i], fpr))
      return listing_grp[i];
  return NULL;
}

/* Count signatures with STATUS that the primary made.  */
static void
count_self (const pgp_cert_t *c, int *good, int *bad)
{
  const pgp_sig_t *s;
  const pgp_uid_t *u;
  const pgp_key_t *k;

  *good = *bad = 0;
#define COUNT(list) for (s = (list); s; s = s->next)                    \
    if (s->has_issuer_fpr ? !memcmp (s->issuer_fpr, c->primary->fpr, 20) \
        : !memcmp (s->issuer, c->primary->keyid, 8))                    \
      { if (s->status == PGP_SIGSTAT_GOOD) (*good)++; else (*bad)++; }
  COUNT (c->primary->sigs);
  for (u = c->uids; u; u = u->next)
    COUNT (u->sigs);
  for (k = c->subkeys; k; k = k->next)
    COUNT (k->sigs);
#undef COUNT
}


/* Armor blocks with an empty body: they decode to nothing (as with gpg
 * and sq), the CRC line is still checked, and the next block of the
 * same input is decoded and checked on its own.  The old code added
 * START to the NULL data pointer of the empty output buffer (UB that
 * clang's -fsanitize=undefined reports).  */
static void
test_empty_armor (void)
{
  static const char good[] =
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n=twTO\n"
    "-----END PGP PUBLIC KEY BLOCK-----\n";
  static const char bad[] =
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n=AAAA\n"
    "-----END PGP PUBLIC KEY BLOCK-----\n";
  static const char nocrc[] =
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n"
    "-----END PGP PUBLIC KEY BLOCK-----\n";
  unsigned char *data = NULL;
  size_t dlen = 1;
  pgp_cert_t *c = NULL;
  char *abc = NULL, *two = NULL;
  int type = 0;

  ok_err (pgp_dearmor (good, strlen (good), &type, &data, &dlen),
          "empty body with a CRC line decodes");
  ok (data && !dlen && type == PGP_ARMOR_PUBKEY, "to nothing (len %zu)",
      dlen);
  xfree (data);
  data = NULL;
  ok_code (pgp_dearmor (bad, strlen (bad), &type, &data, &dlen),
           GPG_ERR_CHECKSUM, "empty body with a wrong CRC line");
  ok_err (pgp_dearmor (nocrc, strlen (nocrc), &type, &data, &dlen),
          "empty body without a CRC line decodes");
  xfree (data);
  data = NULL;
  ok_code (pgp_read_cert (good, strlen (good), &c), GPG_ERR_NO_PUBKEY,
           "as a key: no key found");
  pgp_cert_release (c);

  /* An empty block, then "abc": its CRC covers "abc" only.  */
  ok_err (pgp_armor (PGP_ARMOR_SIGNATURE, "abc", 3, NULL, &abc, NULL),
          "armor abc");
  two = abc ? gpgrt_bsprintf ("%s%s", good, abc) : NULL;
  ok (two && !pgp_dearmor_all (two, strlen (two), &type, &data, &dlen)
      && dlen == 3 && !memcmp (data, "abc", 3),
      "empty block followed by a block: the second is decoded");
  xfree (data);
  gpgrt_free (two);
  xfree (abc);
}


static void
test_crc (void)
{
  ok (pgp_crc24 ("", 0) == 0xB704CE, "CRC-24 of empty input is the IV");
  ok (pgp_crc24 ("123456789", 9) == 0x21CF02, "CRC-24 check value");
  /* Against RFC 4880 6.1's bit-at-a-time form, for every length up to
   * 300 and every start within a word.  */
  {
    unsigned char buf[308];
    size_t len, off, i, bad = 0;
    int b;

    for (i = 0; i < sizeof buf; i++)
      buf[i] = (unsigned char)(i * 97 + 13);
    for (off = 0; off < 8; off++)
      for (len = 0; len <= 300; len++)
        {
          uint32_t crc = 0xB704CE;

          for (i = 0; i < len; i++)
            {
              crc ^= (uint32_t)buf[off + i] << 16;
              for (b = 0; b < 8; b++)
                {
                  crc <<= 1;
                  if (crc & 0x1000000)
                    crc ^= 0x1864CFB;
                }
            }
          if (pgp_crc24 (buf + off, len) != (crc & 0xFFFFFF))
            bad++;
        }
    ok (!bad, "CRC-24 of every length 0..300 at 8 offsets as RFC 4880"
        " computes it (%zu differ)", bad);
  }
}


/* Parse, compare round trip, fingerprints, keygrips, self-sigs.  */
static void
test_fixture (const char *name, int binary, int secret)
{
  size_t len, outlen, binlen;
  unsigned char *buf = read_file (name, &len), *out = NULL, *bin = NULL;
  pgp_cert_t *certs = NULL, *c;
  pgp_key_t *k;
  gpg_error_t err;
  int type, good, bad, fprs_ok = 1, grips_ok = 1, nkeys = 0;
  char hex[41], ghex[41];
  unsigned char grip[20];

  ok (buf != NULL, "%s: readable", name);
  if (!buf)
    return;
  err = pgp_read_certs (buf, len, &certs);
  ok_err (err, "%s: parses", name);
  if (err)
    goto leave;
  err = pgp_cert_export (certs, PGP_EXPORT_ALL
                         | (secret ? PGP_EXPORT_SECRET : 0), &out, &outlen);
  ok_err (err, "%s: exports", name);
  if (binary)
    ok (!err && outlen == len && !memcmp (out, buf, len),
        "%s: binary round trip is byte-identical", name);
  else
    {
      err = pgp_dearmor_all (buf, len, &type, &bin, &binlen);
      ok (!err && outlen == binlen && !memcmp (out, bin, binlen),
          "%s: dearmored round trip is byte-identical", name);
    }
  for (c = certs; c; c = c->next)
    for (k = c->primary; k; k = k == c->primary ? c->subkeys : k->next)
      {
        const char *want;

        nkeys++;
        pgp_key_fpr_hex (k, hex);
        want = grip_for (hex);
        if (!want)
          {
            tap_diag ("fingerprint %s not in gpg's listing", hex);
            fprs_ok = 0;
            continue;
          }
        if (pgp_key_keygrip (k, grip))
          grips_ok = 0;
        else if (strcmp (oca_bin2hex (grip, 20, ghex), want))
          {
            tap_diag ("keygrip %s, gpg says %s", ghex, want);
            grips_ok = 0;
          }
      }
  ok (nkeys && fprs_ok, "%s: %d fingerprints equal gpg's", name, nkeys);
  ok (grips_ok, "%s: keygrips equal gpg's", name);
  for (c = certs; c; c = c->next)
    {
      err = pgp_cert_verify (c, certs);
      count_self (c, &good, &bad);
      ok (!err && good >= 2 && !bad, "%s: %s self-sigs good (%d good, %d bad)",
          name, pgp_cert_fpr_hex (c, hex), good, bad);
    }

 leave:
  xfree (out);
  wipe_and_free (bin, binlen);
  pgp_cert_release (certs);
  free (buf);
}


static void
test_forgery (void)
{
  size_t len;
  unsigned char *buf = read_file ("gpg-rsa.pgp", &len);
  unsigned char *p;
  pgp_cert_t *c = NULL, *c2 = NULL, *ring = NULL;
  pgp_uid_t *uid;
  pgp_sig_t *sig;
  gpg_error_t err;
  int good, bad;

  if (!buf)
    return;
  /* Flip a bit of the UID in the file.  */
  p = memmem (buf, len, "Alice RSA", 9);
  ok (p != NULL, "UID found in fixture");
  if (!p)
    goto leave;
  p[0] ^= 0x01;
  err = pgp_read_cert (buf, len, &c);
  ok_err (err, "UID-forged cert still parses");
  p[0] ^= 0x01;
  if (!err)
    {
      pgp_cert_verify (c, NULL);
      ok (c->uids->sigs->status == PGP_SIGSTAT_BAD,
          "flipped bit in UID: self-sig BAD");
    }
  pgp_cert_release (c);
  c = NULL;

  err = pgp_read_cert (buf, len, &c);
  if (err)
    goto leave;
  uid = c->uids;
  sig = uid->sigs;
  /* Flip a bit in the hashed subpacket area, then in the signature's
   * number, of copies as parsed: a signature packet never changes once
   * read (its memo stands for it, pgp.h), a forged one is another.  */
  {
    pgp_sig_t *f = NULL;

    if (!pgp_sig_copy (sig, &f))
      {
        /* The area lies in the copy's packet (RAW): both change.  */
        ((unsigned char *)f->hashed_)[f->hashedlen_ - 1] ^= 0x01;
        ok (pgp_sig_verify (c, uid, NULL, f, c->primary->pk) != 0,
            "flipped bit in hashed subpacket: verify fails");
      }
    pgp_sig_release (f);
    f = NULL;
    ok_err (pgp_sig_verify (c, uid, NULL, sig, c->primary->pk),
            "the signature as read: verify succeeds");
    if (!pgp_sig_copy (sig, &f))
      {
        f->mpi[0].data[f->mpi[0].len / 2] ^= 0x10;
        ok (gpg_err_code (pgp_sig_verify (c, uid, NULL, f, c->primary->pk))
            == GPG_ERR_BAD_SIGNATURE, "flipped bit in signature MPI: BAD");
      }
    pgp_sig_release (f);
  }
  /* Wrong key: a subkey binding checked as a UID certification.  */
  ok (pgp_sig_verify (c, uid, NULL, c->subkeys->sigs, c->primary->pk) != 0,
      "subkey binding does not verify as a UID certification");
  /* Certification by Alice on Bob, checked against Bob's own key.  */
  free (buf);
  buf = read_file ("gpg-ring.asc", &len);
  if (!buf || pgp_read_certs (buf, len, &ring))
    goto leave;
  c2 = ring->next;  /* Bob */
  pgp_cert_verify (c2, ring);
  count_self (c2, &good, &bad);
  {
    int alice_good = 0;
    for (uid = c2->uids; uid; uid = uid->next)
      for (sig = uid->sigs; sig; sig = sig->next)
        if (sig->has_issuer_fpr
            && !memcmp (sig->issuer_fpr, ring->primary->fpr, 20)
            && sig->status == PGP_SIGSTAT_GOOD)
          alice_good++;
    ok (alice_good == 2, "Alice's gpg certifications on Bob verify (%d)",
        alice_good);
    ok (pgp_uid_certified_by (c2, c2->uids, ring, 0, NULL) == 0,
        "pgp_uid_certified_by finds Alice's certification");
    ok (gpg_err_code (pgp_uid_certified_by (c2, c2->uids, c2->next, 0, NULL))
        == GPG_ERR_NOT_FOUND, "no certification by Carol");
  }

 leave:
  pgp_cert_release (c);
  pgp_cert_release (ring);
  free (buf);
}


static void
test_armor (void)
{
  size_t len;
  unsigned char *buf = read_file ("gpg-p384.asc", &len), *p, *data;
  pgp_cert_t *c = NULL;
  size_t dlen;
  int type;
  char *s = NULL;

  if (!buf)
    return;
  p = (unsigned char *)strstr ((char *)buf, "\n=");
  ok (p != NULL, "armor checksum line found");
  if (!p)
    goto leave;
  p[2] ^= 0x01;  /* Still a base64 character.  */
  ok_code (pgp_read_certs (buf, len, &c), GPG_ERR_CHECKSUM,
           "bad armor checksum detected");
  p[2] ^= 0x01;
  /* Corrupt one base64 data character in the middle.  */
  p = (unsigned char *)strstr ((char *)buf, "\n\n") + 10;
  {
    unsigned char save = *p;
    *p = *p == 'A' ? 'B' : 'A';
    ok (pgp_read_certs (buf, len, &c) != 0, "corrupted armor body rejected");
    *p = save;
  }
  /* No END line.  */
  ok_code (pgp_read_certs (buf, len - 30, &c), GPG_ERR_INV_ARMOR,
           "armor without END line rejected");
  /* Round trip through our own armor with Comment lines.  */
  ok_err (pgp_read_cert (buf, len, &c), "p384 armored parses");
  if (c)
    {
      unsigned char *out;
      size_t outlen;
      pgp_cert_t *c2 = NULL;

      ok_err (pgp_cert_export (c, PGP_EXPORT_ARMOR, &out, &outlen),
              "armored export");
      ok (strstr ((char *)out, "Comment: E0B2 4149 3AFE 83C2 B9FF  C1B0 ACAD "
                  "2C49 353F 33E3\n") != NULL, "fingerprint comment");
      ok (strstr ((char *)out, "Comment: Dave P384 <dave@example.org>\n")
          != NULL, "UID comment");
      ok_err (pgp_read_cert (out, outlen, &c2), "own armor parses again");
      xfree (out);
      pgp_cert_release (c2);
    }
  ok_err (pgp_armor (PGP_ARMOR_SIGNATURE, "abc", 3, NULL, &s, NULL),
          "armor abc");
  ok (s && strstr (s, "\n\nYWJj\n=") && !pgp_dearmor (s, strlen (s), &type,
                                                       &data, &dlen)
      && dlen == 3 && !memcmp (data, "abc", 3)
      && type == PGP_ARMOR_SIGNATURE, "armor/dearmor known answer");
  if (s)
    xfree (data);
  xfree (s);

 leave:
  pgp_cert_release (c);
  free (buf);
}


/* The armor of every length up to 400, whole and in pieces of every
 * size up to 7 and 64, against a base64 written here the plain way
 * (RFC 4648 4, 64 characters a line, RFC 4880 6).  */
struct acc { char buf[1024]; size_t len; };

static gpg_error_t
acc_write (void *opaque, const void *buf, size_t len)
{
  struct acc *a = opaque;

  if (a->len + len >= sizeof a->buf)
    return gpg_error (GPG_ERR_TOO_LARGE);
  memcpy (a->buf + a->len, buf, len);
  a->len += len;
  a->buf[a->len] = 0;
  return 0;
}

static void
ref_b64 (const unsigned char *p, size_t len, char *out)
{
  static const char d[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i, n = 0;

  for (i = 0; i < len; i += 3)
    {
      unsigned long v = (unsigned long)p[i] << 16;
      if (i + 1 < len)
        v |= (unsigned long)p[i + 1] << 8;
      if (i + 2 < len)
        v |= p[i + 2];
      out[n++] = d[v >> 18 & 63];
      out[n++] = d[v >> 12 & 63];
      out[n++] = i + 1 < len ? d[v >> 6 & 63] : '=';
      out[n++] = i + 2 < len ? d[v & 63] : '=';
    }
  out[n] = 0;
}

/* OUT = the armor of DATA/LEN as a signature, its base64 in lines of
 * WIDTH characters, with the CRC-24 line.  */
static void
ref_armor (const unsigned char *data, size_t len, size_t width, char *out)
{
  char flat[1024];
  unsigned char crc[3];
  size_t k, m, fl;
  uint32_t c;

  out = stpcpy (out, "-----BEGIN PGP SIGNATURE-----\n\n");
  ref_b64 (data, len, flat);
  fl = strlen (flat);
  for (k = 0; k < fl; k += width)
    {
      m = fl - k < width ? fl - k : width;
      memcpy (out, flat + k, m);
      out += m;
      *out++ = '\n';
    }
  c = pgp_crc24 (data, len);
  crc[0] = c >> 16;
  crc[1] = c >> 8;
  crc[2] = c;
  *out++ = '=';
  ref_b64 (crc, 3, out);
  out += strlen (out);
  strcpy (out, "\n-----END PGP SIGNATURE-----\n");
}

static void
test_armor_reference (void)
{
  unsigned char data[400];
  char want[4096], *got;
  size_t len, i, step, bad = 0, badstream = 0;
  struct acc acc;
  pgp_armor_out_t *a;

  for (i = 0; i < sizeof data; i++)
    data[i] = (unsigned char)(i * 151 + 7);
  for (len = 0; len <= sizeof data; len++)
    {
      ref_armor (data, len, 64, want);
      got = NULL;
      if (pgp_armor (PGP_ARMOR_SIGNATURE, data, len, NULL, &got, NULL)
          || strcmp (got, want))
        {
          if (!bad++)
            tap_diag ("length %zu: got\n%s\nwant\n%s", len, got ? got : "",
                  want);
        }
      xfree (got);
      for (step = 1; step <= 65; step = step == 7 ? 64 : step + 1)
        {
          memset (&acc, 0, sizeof acc);
          if (pgp_armor_open (PGP_ARMOR_SIGNATURE, NULL, acc_write, &acc,
                              &a))
            {
              badstream++;
              continue;
            }
          for (i = 0; i < len; i += step)
            pgp_armor_put (a, data + i, len - i < step ? len - i : step);
          if (pgp_armor_close (a) || strcmp (acc.buf, want))
            {
              if (!badstream++)
                tap_diag ("length %zu in pieces of %zu: got\n%s", len, step,
                      acc.buf);
            }
        }
    }
  ok (!bad, "armor of every length 0..400 is the reference base64 (%zu"
      " differ)", bad);
  /* Decoding: the reference base64 of every length, in lines of every
   * width from 1 to 80 characters.  */
  bad = 0;
  for (len = 0; len <= sizeof data; len += len < 70 ? 1 : 37)
    for (step = 1; step <= 80; step++)
      {
        unsigned char *out = NULL;
        size_t outlen = 0;
        int type = 0;

        ref_armor (data, len, step, want);
        if (pgp_dearmor (want, strlen (want), &type, &out, &outlen)
            || outlen != len || (len && memcmp (out, data, len)))
          {
            if (!bad++)
              tap_diag ("length %zu in lines of %zu: not decoded", len,
                        step);
          }
        xfree (out);
      }
  ok (!bad, "dearmored in lines of 1..80 characters: the data (%zu"
      " differ)", bad);
  ok (!badstream, "armored in pieces of 1..7, 64, 65 bytes: the same"
      " (%zu differ)", badstream);
}


static void
test_truncate_and_fuzz (void)
{
  static const char *files[] = { "gpg-rsa.pgp", "gpg-ed25519.pgp",
    "gpg-p256.pgp", "gpg-ed25519-sec.pgp", "sq-rsa.pgp", "unknown-pkt.pgp",
    "gpg-p384.asc", "sq-cv25519-sec.asc" };
  size_t i, len, n;
  unsigned char *buf, *mut;
  pgp_cert_t *c;
  int mid_errors = 1, iter, parsed = 0, total = 0;
  gpg_error_t err;

  buf = read_file ("gpg-p256.pgp", &len);
  if (!buf)
    return;
  /* Cutting inside the first packet must always fail.  */
  for (n = 1; n < 40 && n < len; n++)
    if (!pgp_read_certs (buf, n, &c))
      {
        mid_errors = 0;
        pgp_cert_release (c);
      }
  ok (mid_errors, "truncation inside the key packet is an error");
  ok (pgp_read_certs (buf, len - 1, &c) != 0,
      "truncation by one byte is an error");
  for (n = 1; n < len; n++)
    if (!pgp_read_certs (buf, n, &c))
      pgp_cert_release (c);
  ok (1, "all truncations handled without crashing");
  free (buf);

  for (i = 0; i < DIM (files); i++)
    {
      buf = read_file (files[i], &len);
      if (!buf)
        continue;
      mut = malloc (len);
      for (iter = 0; iter < 300; iter++)
        {
          unsigned int r[4];
          size_t mlen = len;
          unsigned char *out;
          size_t outlen;

          gcry_create_nonce (r, sizeof r);
          memcpy (mut, buf, len);
          switch (r[0] % 4)
            {
            case 0: mut[r[1] % len] ^= 1 << (r[2] % 8); break;
            case 1: mlen = r[1] % len; break;
            case 2: mut[r[1] % len] = r[2]; mut[r[3] % len] = r[2] >> 8;
              break;
            default:
              gcry_create_nonce (mut + r[1] % len, (r[2] % 16) + 1 > len
                                 - r[1] % len ? len - r[1] % len
                                 : (r[2] % 16) + 1);
              break;
            }
          total++;
          err = pgp_read_certs (mut, mlen, &c);
          if (!err)
            {
              parsed++;
              pgp_cert_verify (c, c);
              if (!pgp_cert_export (c, PGP_EXPORT_ALL | PGP_EXPORT_SECRET,
                                    &out, &outlen))
                wipe_and_free (out, outlen);
              pgp_cert_release (c);
            }
        }
      free (mut);
      free (buf);
    }
  ok (1, "fuzz: %d mutated inputs, %d parsed, no crash", total, parsed);
}


static void
test_caps (void)
{
  unsigned char *big;
  unsigned char pkt[16];
  pgp_cert_t *c = NULL;
  size_t i, len;
  unsigned char *buf = read_file ("gpg-p256.pgp", &len), *many;
  size_t manylen;

  big = calloc (1, PGP_MAX_INPUT + 1);
  if (big)
    {
      big[0] = 0x99;
      ok_code (pgp_read_certs (big, PGP_MAX_INPUT + 1, &c), GPG_ERR_TOO_LARGE,
               "input over 64 MiB rejected");
      free (big);
    }
  /* Key packet with an MPI of 16385 bits.  */
  i = 0;
  pkt[i++] = 0x98; pkt[i++] = 8; pkt[i++] = 4;
  pkt[i++] = 0; pkt[i++] = 0; pkt[i++] = 0; pkt[i++] = 1; pkt[i++] = 1;
  pkt[i++] = 0x40; pkt[i++] = 0x01;
  ok_code (pgp_read_certs (pkt, i, &c), GPG_ERR_TOO_LARGE,
           "MPI over 16384 bits rejected");
  /* Partial length on a key packet.  */
  pkt[0] = 0xc6; pkt[1] = 0xe1;
  ok_code (pgp_read_certs (pkt, 8, &c), GPG_ERR_INV_PACKET,
           "partial body length in a key rejected");
  /* Indeterminate old-format length.  */
  pkt[0] = 0x9b;
  ok_code (pgp_read_certs (pkt, 8, &c), GPG_ERR_INV_PACKET,
           "indeterminate length rejected");
  /* 10001 marker-like unknown packets after a key.  */
  if (buf)
    {
      manylen = len + 10001 * 2;
      many = malloc (manylen);
      memcpy (many, buf, len);
      for (i = 0; i < 10001; i++)
        {
          many[len + 2 * i] = 0xc0 | 61;
          many[len + 2 * i + 1] = 0;
        }
      ok_code (pgp_read_certs (many, manylen, &c), GPG_ERR_TOO_MANY,
               "more than 10000 packets in a cert rejected (TOO_MANY)");
      ok_code (pgp_read_certs (many, len + 100, &c), GPG_ERR_NO_ERROR,
               "50 unknown packets are fine");
      if (c && c->subkeys)
        {
          int n = 0;
          pgp_rawpkt_t *p;
          for (p = c->subkeys->unknown; p; p = p->next)
            n++;
          ok (n == 50, "unknown packets kept (%d)", n);
        }
      pgp_cert_release (c);
      c = NULL;
      free (many);
      /* A packet after the cert that is not a key: error.  */
      ok_code (pgp_read_certs ("\xc2\x01\x04", 3, &c), GPG_ERR_INV_PACKET,
               "signature without a key is not a cert");
      free (buf);
    }
  ok_code (pgp_read_certs ("", 0, &c), GPG_ERR_NO_PUBKEY, "empty input");
  ok (pgp_read_certs ("hello world\n", 12, &c) != 0, "text input rejected");
}


/* The strict User ID rule (pgp-uid.c): each case is a User ID (with
 * its length, so NUL bytes count), the expected outcome (0, NO_DATA or
 * INV_USER_ID), the address and the display name.  */
static void
test_email (void)
{
#define U(s) s, sizeof (s) - 1
  static const struct
  {
    const char *uid;
    size_t len;
    gpg_err_code_t code;
    const char *email, *name;
  } v[] =
    {
      /* Certified forms.  */
      { U("Alice <Alice@Example.ORG>"), 0, "alice@example.org", "Alice" },
      { U("bob@example.org"), 0, "bob@example.org", NULL },
      { U("<x@y.example>"), 0, "x@y.example", NULL },
      { U("Carol (work) <carol@sub.example.org>"), 0,
        "carol@sub.example.org", "Carol (work)" },
      { U("\"Smith, J.\" <j@example.org>"), 0, "j@example.org",
        "\"Smith, J.\"" },
      { U("  Dan   <dan@example.org>"), 0, "dan@example.org", "Dan" },
      { U("Eve<eve@example.org>"), 0, "eve@example.org", "Eve" },
      { U("f.g+tag@example.org <F.G+tag@EXAMPLE.org>"), 0,
        "f.g+tag@example.org", "f.g+tag@example.org" },
      { U("Bj\xc3\xb6rn <bjoern@example.org>"), 0, "bjoern@example.org",
        "Bj\xc3\xb6rn" },
      { U("<o'brien!#$%&*/=?^_`{|}~-@example.org>"), 0,
        "o'brien!#$%&*/=?^_`{|}~-@example.org", NULL },
      { U("<u@xn--exmple-cua.example>"), 0, "u@xn--exmple-cua.example",
        NULL },
      { U("<u@1.example>"), 0, "u@1.example", NULL },
      /* Plain names.  */
      { U("No Email"), GPG_ERR_NO_DATA, NULL, "No Email" },
      { U("Foo (Bar)"), GPG_ERR_NO_DATA, NULL, "Foo (Bar)" },
      { U(""), GPG_ERR_NO_DATA, NULL, NULL },
      /* Refused: structure.  */
      { U("M <ceo@example.org> <m@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("M <m@evil.example> <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("M (<ceo@example.org>) <m@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("\"M <ceo@example.org>\" <m@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Bad <a@example.org> trailing"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Bad <a@example.org> "), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Bad <a@example.org>>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Bad <<a@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Bad <a@example.org"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Bad a@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Bad >a@example.org<"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a@example.org> Name"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("ceo@example.org <m@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("C (ceo@example.org) <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("  bob@example.org "), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("bob@example.org (Bob)"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Name <>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      /* Refused: the address.  */
      { U("two@at@example.org"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a@>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Name <a b@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<\"a\"@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a(x)@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<.a@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a.@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a..b@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a@example..org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a@example.org.>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a@-example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a@example-.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a@ex_ample.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a@localhost>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a@192.0.2.1>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a@[192.0.2.1]>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<mailto:a@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<d\xc3\xb6rte@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a@ex\xc3\xa4mple.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a@ex\xd0\xb0mple.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a\xef\xbc\xa0" "example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<a@example.org\xe2\x80\x8b>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      /* Refused: bytes.  */
      { U("Carol\0 <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("<c@example.org>\0<ceo@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Carol\x1b[2J <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Carol\tTab <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Carol\n <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Carol <c@example.org>\r"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Carol\x7f <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Carol \xc2\x9b <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Carol \xe2\x80\xae <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Carol \xc3\x28 <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Carol \xc0\xbc <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Carol \xed\xa0\x80 <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Carol \xf4\x90\x80\x80 <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Carol \xe2\x82 <c@example.org>"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Carol \xe2\x82"), GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("ceo\xef\xbc\xa0" "example.org <m@example.org>"),
        GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("M \xef\xbc\x9c" "ceo\xef\xbc\x9e <m@example.org>"),
        GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("M \xe2\x9f\xa8" "c\xe2\x9f\xa9 <m@example.org>"),
        GPG_ERR_INV_USER_ID, NULL, NULL },
      { U("Plain \x01name"), GPG_ERR_INV_USER_ID, NULL, NULL },
    };
#undef U
  static const struct { const char *addr, *norm; } a[] =
    {
      { "Carol@Example.ORG", "carol@example.org" },
      { "x.y+z@sub.example.org", "x.y+z@sub.example.org" },
      { "<carol@example.org>", NULL },
      { "Carol <carol@example.org>", NULL },
      { "carol", NULL },
      { "carol@", NULL },
      { "d\xc3\xb6rte@example.org", NULL },
      { "carol@ex\xc3\xa4mple.org", NULL },
      { " carol@example.org", NULL },
      { "carol@example.org\n", NULL },
      { "", NULL }
    };
  size_t i;
  int good = 1, bad;

  for (i = 0; i < DIM (v); i++)
    {
      char *e = NULL, *n = NULL;
      const char *why = NULL;
      gpg_error_t err = pgp_uid_parse (v[i].uid, v[i].len, &e, &n, &why);

      bad = gpg_err_code (err) != v[i].code;
      if (!bad && v[i].code == GPG_ERR_INV_USER_ID)
        bad = !why || e || n;
      else if (!bad)
        bad = (!v[i].email != !e || (e && strcmp (e, v[i].email))
               || !v[i].name != !n || (n && strcmp (n, v[i].name)));
      if (bad)
        {
          char *shown = pgp_uid_escape (v[i].uid, v[i].len);

          tap_diag ("case %zu '%s': %s -> '%s' '%s' (%s)", i, shown,
                    gpg_strerror (err), e ? e : "(none)", n ? n : "(none)",
                    why ? why : "-");
          xfree (shown);
          good = 0;
        }
      xfree (e);
      xfree (n);
    }
  ok (good, "strict User ID rule (%d cases)", (int)DIM (v));

  for (good = 1, i = 0; i < DIM (a); i++)
    {
      char *e = NULL;
      gpg_error_t err = pgp_mail_normalize (a[i].addr, &e, NULL);

      if (a[i].norm ? (err || strcmp (e, a[i].norm))
          : gpg_err_code (err) != GPG_ERR_INV_USER_ID)
        {
          tap_diag ("address %zu: %s -> '%s'", i, gpg_strerror (err),
                    e ? e : "(none)");
          good = 0;
        }
      xfree (e);
    }
  ok (good, "bare addresses (%d cases)", (int)DIM (a));

  /* Messages show every byte: controls, invalid UTF-8 and invisible
   * characters escaped, a backslash doubled, readable text as it is.  */
  {
    static const char in[] = "A\0\x1b\\ \xc3\xb6\xc3\x28\xe2\x80\xae>";
    char *s = pgp_uid_escape (in, sizeof in - 1);
    char *big = xtrymalloc (5000);
    char *t = NULL;

    ok (s && !strcmp (s, "A\\x00\\x1b\\\\ \xc3\xb6\\xc3(\\xe2\\x80\\xae>"),
        "escaped User ID for messages (%s)", s ? s : "(null)");
    if (big)
      {
        memset (big, 'x', 5000);
        t = pgp_uid_escape (big, 5000);
      }
    ok (t && strlen (t) < 300 && strstr (t, "..."),
        "long User ID cut in messages");
    xfree (s);
    xfree (t);
    xfree (big);
  }

  ok (pgp_mail_domain_valid ("example.org", 11)
      && pgp_mail_domain_valid ("EXAMPLE.Org", 11)
      && !pgp_mail_domain_valid ("example.org.", 12)
      && !pgp_mail_domain_valid ("org", 3)
      && !pgp_mail_domain_valid ("a.123", 5)
      && !pgp_mail_domain_valid ("a-.org", 6), "domain names");
}


/* Reading a document a few bytes at a time (pgp_sign_detached_stream);
 * FAIL_AT: an error once that many bytes were handed out.  */
struct chunks
{
  const char *p;
  size_t left, step, given, fail_at;
};

static gpg_error_t
read_chunks (void *opaque, void *buf, size_t size, size_t *r_n)
{
  struct chunks *c = opaque;
  size_t n = c->left < c->step ? c->left : c->step;

  if (c->fail_at && c->given >= c->fail_at)
    return gpg_error (GPG_ERR_EIO);
  if (n > size)
    n = size;
  memcpy (buf, c->p, n);
  c->p += n;
  c->left -= n;
  c->given += n;
  *r_n = n;
  return 0;
}


static void
test_sign_stream (const pgp_signer_t *signer, const pgp_key_t *key)
{
  static const char doc[] = "{\"keys\":[a document read in pieces]}";
  struct chunks c;
  pgp_sig_t *sig = NULL;
  gpg_error_t err;

  memset (&c, 0, sizeof c);
  c.p = doc;
  c.left = strlen (doc);
  c.step = 5;
  err = pgp_sign_detached_stream (signer, read_chunks, &c, 0, 0, &sig);
  ok_err (err, "detached signature over a stream");
  if (!err)
    {
      ok_err (pgp_verify_detached (key, doc, strlen (doc), sig),
              "it verifies over the whole document");
      ok_code (pgp_verify_detached (key, doc, strlen (doc) - 1, sig),
               GPG_ERR_BAD_SIGNATURE, "not over a part of it");
    }
  pgp_sig_release (sig);
  sig = NULL;
  memset (&c, 0, sizeof c);
  c.p = doc;
  c.left = strlen (doc);
  c.step = 5;
  c.fail_at = 10;
  ok_code (pgp_sign_detached_stream (signer, read_chunks, &c, 0, 0, &sig),
           GPG_ERR_EIO, "a read error is returned");
  ok (!sig, "and no signature");
  pgp_sig_release (sig);
}


static void
test_secret (void)
{
  size_t len;
  unsigned char *buf;
  pgp_cert_t *c = NULL;
  pgp_signer_t signer;
  pgp_sig_t *sig = NULL;
  gpg_error_t err;

  buf = read_file ("gpg-ed25519-sec.pgp", &len);
  if (buf && !pgp_read_cert (buf, len, &c))
    {
      ok (c->primary->secret == PGP_SECRET_PLAIN
          && c->subkeys->secret == PGP_SECRET_PLAIN,
          "gpg secret key: unprotected secrets read");
      ok_err (pk_check_secret (c->primary->pk), "secret matches public");
      ok_err (pgp_signer_from_key (c->primary, &signer), "softkey signer");
      err = pgp_sign_detached (&signer, "hello", 5, 0, 0, &sig);
      ok_err (err, "detached signature");
      if (!err)
        {
          ok_err (pgp_verify_detached (c->primary, "hello", 5, sig),
                  "detached signature verifies");
          ok_code (pgp_verify_detached (c->primary, "hellO", 5, sig),
                   GPG_ERR_BAD_SIGNATURE, "detached signature on other data");
        }
      pgp_sig_release (sig);
      sig = NULL;
      test_sign_stream (&signer, c->primary);
    }
  else
    ok (0, "gpg-ed25519-sec.pgp parses");
  pgp_cert_release (c);
  c = NULL;
  free (buf);
  /* Bad secret checksum.  */
  buf = read_file ("gpg-ed25519-sec.pgp", &len);
  if (buf)
    {
      /* The primary's checksum is the last 2 bytes of its packet.  */
      size_t plen = ((buf[0] & 3) == 0) ? (size_t)buf[1] + 2
        : ((size_t)buf[1] << 8 | buf[2]) + 3;
      buf[plen - 1] ^= 0x01;
      ok_code (pgp_read_certs (buf, len, &c), GPG_ERR_CHECKSUM,
               "bad secret-key checksum detected");
      free (buf);
    }

  buf = read_file ("gpg-p256-protected.asc", &len);
  if (buf && !pgp_read_cert (buf, len, &c))
    {
      ok (c->primary->secret == PGP_SECRET_ENCRYPTED
          && !pk_key_has_secret (c->primary->pk),
          "protected gpg key: marked encrypted");
      ok (pgp_cert_has_secret (c), "has secret");
      ok_code (pgp_cert_unprotect (c, "wrong"), GPG_ERR_BAD_PASSPHRASE,
               "wrong passphrase rejected");
      ok_err (pgp_cert_unprotect (c, "test passphrase"),
              "right passphrase decrypts");
      ok (c->primary->secret == PGP_SECRET_PLAIN
          && !pk_check_secret (c->primary->pk), "decrypted secret valid");
    }
  else
    ok (0, "gpg-p256-protected.asc parses");
  pgp_cert_release (c);
  free (buf);
}


static int
has_notation (const pgp_sig_t *sig, const char *value)
{
  const pgp_notation_t *n;

  for (n = sig->notations; n; n = n->next)
    if (!strcmp (n->name, PGP_CA_NOTATION_NAME)
        && !strcmp ((char *)n->value, value) && n->human_readable)
      return 1;
  return 0;
}


static void
test_generate (int algo, const char *label)
{
  pgp_cert_t *ca = NULL, *user = NULL, *c2 = NULL, *copy = NULL;
  pgp_sig_t *rev = NULL, *sig = NULL;
  pgp_signer_t cas, sks;
  pgp_certify_opts_t opts;
  pgp_key_t *sk;
  pgp_cert_info_t info;
  const char *uids[] = { "Ursula <ursula@example.org>", "<U2@Example.org>" };
  unsigned char *out = NULL, *out2 = NULL;
  size_t outlen, out2len;
  gpg_error_t err;
  int good, bad, added;
  uint32_t exp;

  err = pgp_generate_ca (algo, NULL, "example.org", 0, &ca);
  ok_err (err, "%s: CA generated", label);
  if (err)
    return;
  ok (ca->uids && !strcmp (ca->uids->name,
                           "OpenPGP CA <openpgp-ca@example.org>")
      && !ca->uids->next, "%s: CA user ID", label);
  pgp_cert_verify (ca, NULL);
  count_self (ca, &good, &bad);
  ok (good == 3 && !bad, "%s: CA self-sigs good (%d/%d)", label, good, bad);
  ok (ca->primary->sigs && ca->primary->sigs->sigclass == PGP_SIG_DIRECT_KEY
      && ca->uids->sigs->sigclass == PGP_SIG_POSITIVE_CERT
      && has_notation (ca->primary->sigs, "domain=example.org")
      && has_notation (ca->uids->sigs, "domain=example.org")
      && ca->uids->sigs->key_flags == PGP_KF_CERTIFY
      && ca->uids->sigs->n_pref_hash == 2
      && ca->uids->sigs->pref_hash[0] == PK_HASH_SHA512,
      "%s: CA DKS + 0x13 with notation, flags, prefs", label);
  sk = pgp_cert_signing_subkey (ca);
  ok (sk && sk == ca->subkeys && ca->subkeys->sigs->embedded,
      "%s: CA signing subkey with back-sig", label);
  /* Serialise with secrets, read back, serialise again: identical.  */
  ok_err (pgp_cert_export (ca, PGP_EXPORT_SECRET, &out, &outlen),
          "%s: export secret", label);
  if (out && !pgp_read_cert (out, outlen, &c2))
    {
      ok (c2->primary->secret == PGP_SECRET_PLAIN, "%s: secret read back",
          label);
      ok (!pgp_cert_export (c2, PGP_EXPORT_SECRET, &out2, &out2len)
          && out2len == outlen && !memcmp (out, out2, outlen),
          "%s: secret export round trip identical", label);
      wipe_and_free (out2, out2len);
    }
  wipe_and_free (out, outlen);
  out = NULL;

  err = pgp_generate_user (algo, uids, 2, 0, &user, &rev);
  ok_err (err, "%s: user key generated", label);
  if (err)
    goto leave;
  pgp_cert_verify (user, NULL);
  count_self (user, &good, &bad);
  ok (good == 4 && !bad, "%s: user self-sigs good (%d/%d)", label, good, bad);
  ok (user->subkeys && user->subkeys->next
      && user->subkeys->sigs->key_flags == (PGP_KF_ENC_COMMS
                                            | PGP_KF_ENC_STORAGE)
      && user->subkeys->pk->algo == (algo <= PGP_GEN_RSA2048 ? PK_RSA
                                     : PK_ECDH),
      "%s: encryption subkey", label);
  ok (rev && rev->sigclass == PGP_SIG_KEY_REVOKE && rev->revoc_reason == 0
      && rev->revoc_text && !strcmp (rev->revoc_text, "Unspecified"),
      "%s: revocation certificate", label);

  /* CA certifies the first UID.  */
  pgp_signer_from_key (ca->primary, &cas);
  memset (&opts, 0, sizeof opts);
  opts.signer_uid = ca->uids->name;
  opts.validity = 365 * 86400;
  ok_err (pgp_cert_certify_uid (user, user->uids, &cas, &opts, &sig),
          "%s: certify UID", label);
  ok (sig && sig->sigclass == PGP_SIG_GENERIC_CERT && sig->signer_uid
      && !strcmp (sig->signer_uid, ca->uids->name)
      && sig->sig_expire == 365 * 86400 && sig->hashalgo == PK_HASH_SHA512,
      "%s: certification subpackets", label);
  ok (pgp_uid_certified_by (user, user->uids, ca, 0, &exp) == 0 && exp
      && pgp_uid_has_sig_by (user->uids, ca->primary->fpr),
      "%s: UID 1 certified by CA", label);
  ok (gpg_err_code (pgp_uid_certified_by (user, user->uids->next, ca, 0,
                                          NULL)) == GPG_ERR_NOT_FOUND,
      "%s: UID 2 not certified", label);
  ok (gpg_err_code (pgp_uid_certified_by (user, user->uids, ca,
                                          sig->created + 366 * 86400, NULL))
      == GPG_ERR_NOT_FOUND, "%s: certification expired after a year",
      label);
  /* Forged: move the certification to the other UID.  */
  {
    pgp_sig_t *cp = NULL;
    pgp_sig_copy (sig, &cp);
    if (cp)
      {
        cp->next = user->uids->next->sigs;
        user->uids->next->sigs = cp;
        ok (gpg_err_code (pgp_uid_certified_by (user, user->uids->next, ca,
                                                0, NULL)) == GPG_ERR_NOT_FOUND,
            "%s: certification moved to another UID does not count",
            label);
        user->uids->next->sigs = cp->next;
        cp->next = NULL;
        pgp_sig_release (cp);
      }
  }
  /* Revoke the certification.  */
  ok_err (pgp_cert_revoke_uid (user, user->uids, &cas, PGP_REVOC_UNSPECIFIED,
                               "test", sig->created + 10, NULL),
          "%s: certification revocation", label);
  ok (gpg_err_code (pgp_uid_certified_by (user, user->uids, ca,
                                          sig->created + 20, NULL))
      == GPG_ERR_NOT_FOUND, "%s: revoked certification no longer valid",
      label);

  /* User tsigns the CA; merge into the CA cert.  */
  {
    pgp_signer_t us;
    pgp_cert_t *cacopy = NULL;

    pgp_signer_from_key (user->primary, &us);
    pgp_cert_copy (ca, 1, &cacopy);
    memset (&opts, 0, sizeof opts);
    opts.trust_level = 255;
    opts.trust_amount = 120;
    ok (cacopy && !pgp_cert_certify_uid (cacopy, cacopy->uids, &us, &opts,
                                         NULL), "%s: tsig on CA", label);
    ok (!pgp_cert_has_tsig_by (ca, user->primary->fpr), "%s: no tsig yet",
        label);
    ok (cacopy && !pgp_cert_merge_tsigs (ca, cacopy, user, &added)
        && added == 1 && pgp_cert_has_tsig_by (ca, user->primary->fpr),
        "%s: tsig merged", label);
    ok (cacopy && !pgp_cert_merge_tsigs (ca, cacopy, user, &added)
        && added == 0, "%s: tsig merge idempotent", label);
    ok (pgp_cert_merge (ca, user, &added) == gpg_error (GPG_ERR_CONFLICT),
        "%s: merge of different certs refused", label);
    pgp_cert_release (cacopy);
  }

  /* Merge: a public copy plus a new signature.  */
  pgp_cert_copy (user, 1, &copy);
  ok (copy && !pgp_cert_merge (copy, user, &added) && added == 3,
      "%s: merge adds the 3 secret keys only", label);
  ok (copy && !pgp_cert_merge (copy, user, &added) && added == 0,
      "%s: merge idempotent", label);

  /* Revocation state.  */
  ok (!pgp_cert_get_info (user, 0, &info) && !info.revoked && !info.expires,
      "%s: not revoked, no expiry", label);
  ok (!pgp_cert_add_revocation (user, rev, &added) && added == 1,
      "%s: revocation added", label);
  ok (!pgp_cert_get_info (user, 0, &info) && info.revoked,
      "%s: now revoked", label);
  ok (pgp_cert_add_revocation (ca, rev, &added) != 0,
      "%s: revocation for another key refused", label);

  /* Detached signature with the CA signing subkey.  */
  if (sk && !pgp_signer_from_key (sk, &sks))
    {
      pgp_sig_t *ds = NULL;
      ok (!pgp_sign_detached (&sks, "keylist", 7, PK_HASH_SHA256, 0, &ds)
          && !pgp_verify_detached (sk, "keylist", 7, ds)
          && pgp_verify_detached (ca->primary, "keylist", 7, ds),
          "%s: detached signature by signing subkey", label);
      pgp_sig_release (ds);
    }

  /* Protect / unprotect round trip.  */
  ok_err (pgp_cert_protect (user, "pass phrase"), "%s: protect", label);
  if (!pgp_cert_export (user, PGP_EXPORT_SECRET | PGP_EXPORT_ARMOR, &out,
                        &outlen))
    {
      pgp_cert_t *p = NULL;
      ok (!pgp_read_cert (out, outlen, &p)
          && p->primary->secret == PGP_SECRET_ENCRYPTED
          && pgp_cert_unprotect (p, "pass phras") != 0
          && !pgp_cert_unprotect (p, "pass phrase")
          && p->subkeys->next->secret == PGP_SECRET_PLAIN,
          "%s: protected export decrypts", label);
      pgp_cert_release (p);
      wipe_and_free (out, outlen);
    }

 leave:
  pgp_sig_release (rev);
  pgp_cert_release (copy);
  pgp_cert_release (c2);
  pgp_cert_release (user);
  pgp_cert_release (ca);
}


static void
test_revocation_file (void)
{
  size_t len, klen;
  unsigned char *buf = read_file ("gpg-ed25519.rev", &len);
  unsigned char *kbuf = read_file ("gpg-ed25519.pgp", &klen);
  pgp_sig_t *sigs = NULL;
  pgp_cert_t *c = NULL;
  int added = 0;
  pgp_cert_info_t info;

  if (!buf || !kbuf)
    {
      ok (0, "revocation fixtures");
      goto leave;
    }
  ok_err (pgp_read_sigs (buf, len, &sigs), "gpg revocation file parses");
  ok (sigs && sigs->sigclass == PGP_SIG_KEY_REVOKE, "it is a key revocation");
  if (sigs && !pgp_read_cert (kbuf, klen, &c))
    {
      ok (!pgp_cert_add_revocation (c, sigs, &added) && added == 1,
          "gpg revocation verifies and is added");
      ok (!pgp_cert_get_info (c, 0, &info) && info.revoked,
          "cert is revoked");
    }

 leave:
  pgp_sig_release (sigs);
  pgp_cert_release (c);
  free (buf);
  free (kbuf);
}


int
main (void)
{
  if (oca_init_gcrypt (1024 * 1024))
    return 1;
  test_crc ();
  test_empty_armor ();
  load_listing ();
  test_fixture ("gpg-rsa.pgp", 1, 0);
  test_fixture ("gpg-ed25519.pgp", 1, 0);
  test_fixture ("gpg-p256.pgp", 1, 0);
  test_fixture ("gpg-p384.asc", 0, 0);
  test_fixture ("gpg-ring.asc", 0, 0);
  test_fixture ("gpg-ed25519-sec.pgp", 1, 1);
  test_fixture ("gpg-rsa-sec.asc", 0, 1);
  test_fixture ("sq-cv25519-sec.asc", 0, 1);
  test_fixture ("sq-cv25519.asc", 0, 0);
  test_fixture ("sq-rsa.pgp", 1, 0);
  test_fixture ("unknown-pkt.pgp", 1, 0);
  test_forgery ();
  test_armor ();
  test_armor_reference ();
  test_secret ();
  test_revocation_file ();
  test_email ();
  test_caps ();
  test_truncate_and_fuzz ();
  if (getenv ("T_PGP_NOGEN"))
    return tap_done ();
  test_generate (PGP_GEN_ED25519, "ed25519");
  test_generate (PGP_GEN_NISTP256, "nistp256");
  test_generate (PGP_GEN_NISTP384, "nistp384");
  test_generate (PGP_GEN_RSA2048, "rsa2048");
  return tap_done ();
}
