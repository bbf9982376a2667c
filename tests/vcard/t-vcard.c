/* t-vcard.c - unit test of the virtual OpenPGP card application
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drives vcard_process_apdu with APDUs directly (no PC/SC), covering
 * the transport (61xx, chaining, extended length), PIN handling and
 * blocking, key generation/import and every key operation checked
 * against libgcrypt, life cycle, persistence, quirks, the profiles of
 * real cards (vcard-profile.c), and a random APDU loop for robustness.
 */
#include <config.h>
#include "vcard.h"
#include "brd.h"
#include "t-support.h"

#include <string.h>
#include <unistd.h>

static unsigned char rbuf[70000];
static size_t rlen;
static unsigned int sw;

/* Send the APDU BUF/LEN; leaves the data in RBUF/RLEN and SW.  */
static unsigned int
xfer_bin (vcard_t *card, const unsigned char *buf, size_t len)
{
  unsigned char *rsp;
  size_t n;
  gpg_error_t err;

  err = vcard_process_apdu (card, buf, len, &rsp, &n);
  if (err || n < 2 || n - 2 > sizeof rbuf)
    {
      tap_diag ("process_apdu: %s", gpg_strerror (err));
      rlen = 0;
      sw = 0;
      wipe_and_free (rsp, n);
      return 0;
    }
  rlen = n - 2;
  memcpy (rbuf, rsp, rlen);
  sw = (rsp[n - 2] << 8) | rsp[n - 1];
  wipe_and_free (rsp, n);
  return sw;
}

/* Send the APDU given as hex string HEX (spaces allowed).  */
static unsigned int
xfer (vcard_t *card, const char *hex)
{
  unsigned char buf[600];
  size_t n = 0;
  char tmp[3] = { 0, 0, 0 };

  while (*hex)
    {
      if (*hex == ' ')
        {
          hex++;
          continue;
        }
      tmp[0] = hex[0];
      tmp[1] = hex[1];
      if (oca_hex2bin (tmp, buf + n, 1))
        abort ();
      n++;
      hex += 2;
    }
  return xfer_bin (card, buf, n);
}

/* Send a case 3/4 short or extended APDU with header HDR and DATA.  */
static unsigned int
xfer_data (vcard_t *card, const unsigned char hdr[4],
           const void *data, size_t len, int extended)
{
  unsigned char buf[8 + 65536];
  size_t n = 0;

  memcpy (buf, hdr, 4);
  n = 4;
  if (extended || len > 255)
    {
      buf[n++] = 0;
      buf[n++] = len >> 8;
      buf[n++] = len;
    }
  else
    buf[n++] = len;
  memcpy (buf + n, data, len);
  n += len;
  if (extended || len > 255)
    {
      buf[n++] = 0;
      buf[n++] = 0;
    }
  else
    buf[n++] = 0;
  return xfer_bin (card, buf, n);
}

/* Send DATA with command chaining in CHUNK-byte pieces.  */
static unsigned int
xfer_chained (vcard_t *card, const unsigned char hdr[4],
              const unsigned char *data, size_t len, size_t chunk)
{
  unsigned char h[4];

  memcpy (h, hdr, 4);
  while (len > chunk)
    {
      h[0] = hdr[0] | 0x10;
      if (xfer_data (card, h, data, chunk, 0) != 0x9000)
        return sw;
      data += chunk;
      len -= chunk;
    }
  return xfer_data (card, hdr, data, len, 0);
}

/* Collect a full response: follow 61xx with GET RESPONSE.  Appends to
 * OUT/OUTLEN (capacity CAP).  */
static unsigned int
collect (vcard_t *card, unsigned char *out, size_t *outlen, size_t cap)
{
  *outlen = 0;
  for (;;)
    {
      if (*outlen + rlen > cap)
        return 0;
      memcpy (out + *outlen, rbuf, rlen);
      *outlen += rlen;
      if ((sw & 0xff00) != 0x6100)
        return sw;
      xfer (card, "00 C0 00 00 00");
    }
}

static const unsigned char hdr_verify81[4] = { 0x00, 0x20, 0x00, 0x81 };
static const unsigned char hdr_verify82[4] = { 0x00, 0x20, 0x00, 0x82 };
static const unsigned char hdr_verify83[4] = { 0x00, 0x20, 0x00, 0x83 };

static unsigned int
verify (vcard_t *card, const unsigned char hdr[4], const char *pin)
{
  return xfer_data (card, hdr, pin, strlen (pin), 0);
}

/* Build a public key S-expression from the 7F49 template in RBUF.  */
static gcry_sexp_t
pubkey_from_template (const char *curve, const unsigned char *tmpl,
                      size_t len)
{
  brd_t r, v, n, e, q;
  unsigned int tag;
  int cons;
  gcry_sexp_t s = NULL;
  unsigned char pt[200];
  size_t ptlen;

  brd_init (&r, tmpl, len);
  if (brd_get_tlv (&r, &tag, &cons, &v) || tag != 0x7f49)
    return NULL;
  if (!curve)
    {
      if (brd_find_tlv (&v, 0x81, 0, &n) || brd_find_tlv (&v, 0x82, 0, &e))
        return NULL;
      gcry_sexp_build (&s, NULL, "(public-key (rsa (n %b)(e %b)))",
                       (int)brd_left (&n), brd_ptr (&n),
                       (int)brd_left (&e), brd_ptr (&e));
      return s;
    }
  if (brd_find_tlv (&v, 0x86, 0, &q) || brd_left (&q) > sizeof pt - 1)
    return NULL;
  ptlen = 0;
  if (!strcmp (curve, "Ed25519"))
    pt[ptlen++] = 0x40;
  memcpy (pt + ptlen, brd_ptr (&q), brd_left (&q));
  ptlen += brd_left (&q);
  if (!strcmp (curve, "Ed25519"))
    gcry_sexp_build (&s, NULL,
                     "(public-key (ecc (curve Ed25519)(flags eddsa)(q %b)))",
                     (int)ptlen, pt);
  else
    gcry_sexp_build (&s, NULL, "(public-key (ecc (curve %s)(q %b)))",
                     curve, (int)ptlen, pt);
  return s;
}

/* Generate a key in slot CRT (B6/B8/A4) after setting attribute ATTR
 * (hex APDU for PUT DATA, or NULL) and return the public key.  */
static gcry_sexp_t
gen_key (vcard_t *card, const char *putattr, const char *crt,
         const char *curve)
{
  char apdu[64];
  unsigned char tmpl[1200];
  size_t tlen;

  if (putattr && xfer (card, putattr) != 0x9000)
    {
      tap_diag ("put attr: %04X", sw);
      return NULL;
    }
  snprintf (apdu, sizeof apdu, "00 47 80 00 02 %s 00 00", crt);
  xfer (card, apdu);
  if (collect (card, tmpl, &tlen, sizeof tmpl) != 0x9000)
    {
      tap_diag ("generate: %04X", sw);
      return NULL;
    }
  return pubkey_from_template (curve, tmpl, tlen);
}

static void
test_transport (vcard_t *card)
{
  unsigned char all[1000];
  size_t alen;
  brd_t r, v;

  ok (xfer (card, "00 A4 04 00 06 D2 76 00 01 24 01") == 0x9000, "SELECT");
  ok (xfer (card, "00 A4 04 00 06 D2 76 00 01 24 02") == 0x6A82,
      "SELECT of another AID: 6A82");
  ok (xfer (card, "00 CA 00 4F 00") == 0x9000 && rlen == 16
      && !memcmp (rbuf, "\xd2\x76\x00\x01\x24\x01\x03\x04\xff\xfe"
                  "\x00\x00\x00\x01\x00\x00", 16), "GET DATA 4F: AID 3.4");
  ok (xfer (card, "00 CA") == 0x6700, "2-byte APDU: 6700");
  ok (xfer (card, "00 CA 00") == 0x6700, "3-byte APDU: 6700");
  ok (xfer (card, "00 DA 00 5B 05 41 42") == 0x6700, "Lc too big: 6700");
  ok (xfer (card, "00 DA 00 5B 01 41 42 43") == 0x6700, "Lc too small: 6700");
  ok (xfer (card, "00 CA 00 6E 00 00") == 0x6700, "bad extended APDU: 6700");
  ok (xfer (card, "80 CA 00 4F 00") == 0x6E00, "CLA 80: 6E00");
  ok (xfer (card, "0C CA 00 4F 00") == 0x6882, "SM CLA: 6882");
  ok (xfer (card, "00 FE 00 00") == 0x6D00, "unknown INS: 6D00");
  ok (xfer (card, "00 CA 12 34 00") == 0x6A88, "unknown DO: 6A88");
  ok (xfer (card, "00 C0 00 00 00") == 0x6985, "GET RESPONSE, nothing: 6985");

  /* 6E is longer than 256 bytes: 61xx and GET RESPONSE.  */
  xfer (card, "00 CA 00 6E 80");
  ok (rlen == 128 && (sw & 0xff00) == 0x6100, "GET DATA 6E, Le 128: 61xx");
  collect (card, all, &alen, sizeof all);
  ok (sw == 0x9000 && alen > 200, "GET RESPONSE completes 6E (%u bytes)",
      (unsigned int)alen);
  brd_init (&r, all, alen);
  ok (!brd_find_tlv (&r, 0xc4, 1, &v) && brd_left (&v) == 7
      && brd_ptr (&v)[4] == 3 && brd_ptr (&v)[5] == 0
      && brd_ptr (&v)[6] == 3, "6E holds C4 with 3/0/3 tries");
  ok (!brd_find_tlv (&r, 0x7f74, 1, &v), "6E announces a button (7F74)");
  ok (!brd_find_tlv (&r, 0xc5, 1, &v) && brd_left (&v) == 60,
      "6E holds C5");
  ok (xfer (card, "00 CA 00 6E 00 00 00") == 0x9000 && rlen == alen
      && !memcmp (rbuf, all, alen), "GET DATA 6E with extended Le");
  ok (xfer (card, "00 CA 7F 66 00") == 0x9000 && rlen == 8,
      "GET DATA 7F66");
  ok (xfer (card, "00 CA 5F 52 00") == 0x9000 && rlen == 10
      && rbuf[6] == 0xc0 && rbuf[7] == 0x05, "historical bytes: chaining, "
      "extended length, operational");
  ok (xfer (card, "00 CA 00 FA 00") == 0x9000 && rlen > 20, "GET DATA FA");
  ok (xfer (card, "00 84 00 00 08") == 0x9000 && rlen == 8, "GET CHALLENGE");

  /* Chaining errors.  */
  ok (xfer (card, "10 DA 00 5B 02 41 42") == 0x9000, "chained part 1");
  ok (xfer (card, "00 DA 00 5E 02 41 42") == 0x6883,
      "other command in a chain: 6883");
}

static void
test_pins (vcard_t *card)
{
  static const unsigned char hdr_rrc02[4] = { 0x00, 0x2c, 0x02, 0x81 };
  static const unsigned char hdr_rrc00[4] = { 0x00, 0x2c, 0x00, 0x81 };
  static const unsigned char hdr_crd81[4] = { 0x00, 0x24, 0x00, 0x81 };
  static const unsigned char hdr_rc[4] = { 0x00, 0xda, 0x00, 0xd3 };

  ok (xfer (card, "00 20 00 81") == 0x63C3, "VERIFY status: 63C3");
  ok (verify (card, hdr_verify81, "000000") == 0x63C2, "wrong PIN: 63C2");
  ok (verify (card, hdr_verify81, "00000") == 0x63C1, "short PIN: 63C1");
  ok (xfer (card, "00 CA 00 C4 00") == 0x9000 && rbuf[4] == 1,
      "C4 shows 1 try left");
  ok (verify (card, hdr_verify81, "123456") == 0x9000, "right PIN resets");
  ok (xfer (card, "00 20 00 81") == 0x9000, "VERIFY status: verified");
  ok (xfer (card, "00 20 FF 81") == 0x9000
      && xfer (card, "00 20 00 81") == 0x63C3, "VERIFY P1=FF clears");
  ok (xfer (card, "00 20 00 84") == 0x6B00, "VERIFY P2 84: 6B00");
  verify (card, hdr_verify81, "000000");
  verify (card, hdr_verify81, "000000");
  ok (verify (card, hdr_verify81, "000000") == 0x63C0, "third wrong: 63C0");
  ok (verify (card, hdr_verify82, "123456") == 0x6983,
      "blocked PW1 refuses the right PIN: 6983");
  ok (xfer (card, "00 20 00 82") == 0x6983, "VERIFY status: blocked");
  ok (xfer_data (card, hdr_rrc02, "654321", 6, 0) == 0x6982,
      "unblock without PW3: 6982");
  ok (verify (card, hdr_verify83, "12345678") == 0x9000, "VERIFY PW3");
  ok (xfer_data (card, hdr_rrc02, "12345", 5, 0) == 0x6700,
      "unblock with short new PIN: 6700");
  ok (xfer_data (card, hdr_rrc02, "654321", 6, 0) == 0x9000,
      "admin unblock");
  ok (verify (card, hdr_verify81, "654321") == 0x9000, "new PW1 works");
  ok (xfer_data (card, hdr_rrc00, "1234567890123456", 16, 0) == 0x6983,
      "reset code not set: 6983");
  ok (xfer_data (card, hdr_rc, "1234567", 7, 0) == 0x6700,
      "7-digit reset code: 6700");
  ok (xfer_data (card, hdr_rc, "87654321", 8, 0) == 0x9000, "set RC");
  ok (xfer (card, "00 CA 00 C4 00") == 0x9000 && rbuf[5] == 3,
      "C4 shows 3 RC tries");
  verify (card, hdr_verify81, "000000");
  verify (card, hdr_verify81, "000000");
  verify (card, hdr_verify81, "000000");
  ok (xfer_data (card, hdr_rrc00, "87654320111111", 14, 0) == 0x63C2,
      "wrong RC: 63C2");
  ok (xfer_data (card, hdr_rrc00, "87654321111111", 14, 0) == 0x9000,
      "unblock with RC");
  ok (verify (card, hdr_verify81, "111111") == 0x9000, "PW1 from RC works");
  ok (xfer_data (card, hdr_crd81, "111112123456", 12, 0) == 0x63C2,
      "change PW1 with wrong old: 63C2");
  ok (xfer_data (card, hdr_crd81, "111111123456", 12, 0) == 0x9000,
      "change PW1 back to 123456");
  ok (verify (card, hdr_verify81, "123456") == 0x9000, "changed PW1 works");
}

static void
test_data (vcard_t *card)
{
  brd_t r, v;

  vcard_reset_volatile (card);
  ok (xfer (card, "00 DA 00 5B 04 41 3C 3C 42") == 0x6982,
      "PUT DATA name without PW3: 6982");
  verify (card, hdr_verify83, "12345678");
  ok (xfer (card, "00 DA 00 5B 04 41 3C 3C 42") == 0x9000, "PUT DATA name");
  ok (xfer (card, "00 CA 00 65 00") == 0x9000, "GET DATA 65");
  brd_init (&r, rbuf, rlen);
  ok (!brd_find_tlv (&r, 0x5b, 0, &v) && brd_left (&v) == 4
      && !memcmp (brd_ptr (&v), "A<<B", 4), "65 holds the name");
  ok (xfer (card, "00 DA 00 C7 13 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D"
            " 0E 0F 10 11 12") == 0x6700, "PUT DATA C7 19 bytes: 6700");
  ok (xfer (card, "00 DA 00 C1 06 01 04 00 00 20 00") == 0x6A80,
      "RSA 1024 attributes refused: 6A80");
  ok (xfer (card, "00 DA 00 C2 0A 16 2B 06 01 04 01 DA 47 0F 01") == 0x6A80,
      "EdDSA in the decryption slot refused");
  ok (xfer (card, "00 DA 00 C4 01 05") == 0x6A80, "C4 value 05: 6A80");
  ok (xfer (card, "00 DA 00 D6 02 02 20") == 0x9000, "UIF permanent");
  ok (xfer (card, "00 DA 00 D6 02 00 20") == 0x6985,
      "permanent UIF cannot be switched off");
  card->key[0].uif = 0;
  ok (xfer (card, "00 CA 01 04 00") == 0x9000, "private DO 4 with PW3");
  vcard_reset_volatile (card);
  ok (xfer (card, "00 CA 01 03 00") == 0x6982, "private DO 3 needs PW1");
}

static gpg_error_t
touch_no (void *opaque, int keyno)
{
  (void)opaque;
  (void)keyno;
  return gpg_error (GPG_ERR_TIMEOUT);
}

static gpg_error_t
touch_yes (void *opaque, int keyno)
{
  (*(int *)opaque)++;
  (void)keyno;
  return 0;
}

static void
test_keys (vcard_t *card)
{
  static const unsigned char hdr_cds[4] = { 0x00, 0x2a, 0x9e, 0x9a };
  static const unsigned char hdr_dec[4] = { 0x00, 0x2a, 0x80, 0x86 };
  static const unsigned char hdr_auth[4] = { 0x00, 0x88, 0x00, 0x00 };
  unsigned char hash[32], msg[64];
  gcry_sexp_t pk, sig, data;
  unsigned char tmpl[1200];
  size_t tlen;
  int touches = 0;

  vcard_reset_volatile (card);
  gcry_randomize (hash, sizeof hash, GCRY_WEAK_RANDOM);
  ok (xfer (card, "00 47 80 00 02 B6 00 00") == 0x6982,
      "generate without PW3: 6982");
  ok (xfer (card, "00 47 81 00 02 B6 00 00") == 0x6A88,
      "read absent key: 6A88");
  verify (card, hdr_verify83, "12345678");
  ok (xfer (card, "00 47 80 00 02 B7 00 00") == 0x6A80, "bad CRT: 6A80");

  /* Ed25519 signature key.  */
  pk = gen_key (card, "00 DA 00 C1 0A 16 2B 06 01 04 01 DA 47 0F 01",
                "B6", "Ed25519");
  ok (pk != NULL, "generate Ed25519 SIG key");
  ok (xfer_data (card, hdr_cds, hash, 32, 0) == 0x6982,
      "sign without PW1: 6982");
  verify (card, hdr_verify81, "123456");
  ok (xfer_data (card, hdr_cds, hash, 32, 0) == 0x9000 && rlen == 64,
      "PSO:CDS Ed25519");
  gcry_sexp_build (&sig, NULL, "(sig-val (eddsa (r %b)(s %b)))",
                   32, rbuf, 32, rbuf + 32);
  gcry_sexp_build (&data, NULL,
                   "(data (flags eddsa)(hash-algo sha512)(value %b))",
                   32, hash);
  ok (pk && !gcry_pk_verify (sig, data, pk), "Ed25519 signature verifies");
  gcry_sexp_release (sig);
  gcry_sexp_release (data);
  gcry_sexp_release (pk);
  ok (xfer_data (card, hdr_cds, hash, 32, 0) == 0x6982,
      "second signature needs PW1 again (forced)");
  ok (xfer (card, "00 CA 00 7A 00") == 0x9000 && rlen == 5
      && rbuf[4] == 1, "signature counter 1");
  ok (xfer (card, "00 DA 00 C4 01 01") == 0x9000, "PW1 valid for several");
  verify (card, hdr_verify81, "123456");
  xfer_data (card, hdr_cds, hash, 32, 0);
  ok (xfer_data (card, hdr_cds, hash, 32, 0) == 0x9000,
      "two signatures after one VERIFY");
  ok (xfer (card, "00 CA 00 7A 00") == 0x9000 && rbuf[4] == 3,
      "signature counter 3");

  /* Touch.  */
  xfer (card, "00 DA 00 D6 02 01 20");
  card->touch_cb = touch_no;
  ok (xfer_data (card, hdr_cds, hash, 32, 0) == 0x6600,
      "no touch: 6600");
  card->touch_cb = touch_yes;
  card->touch_opaque = &touches;
  ok (xfer_data (card, hdr_cds, hash, 32, 0) == 0x9000 && touches == 1,
      "touch given: signed");
  xfer (card, "00 DA 00 D6 02 00 20");

  /* RSA 2048 decryption key.  */
  pk = gen_key (card, NULL, "B8", NULL);
  ok (pk != NULL && gcry_pk_get_nbits (pk) == 2048,
      "generate RSA 2048 DEC key");
  if (pk)
    {
      gcry_sexp_t enc = NULL, plain;
      gcry_sexp_t l;
      const char *a;
      size_t alen;
      unsigned char buf[300];

      gcry_sexp_build (&plain, NULL, "(data (flags pkcs1)(value %b))",
                       16, "0123456789abcdef");
      gcry_pk_encrypt (&enc, plain, pk);
      l = gcry_sexp_find_token (enc, "a", 0);
      a = gcry_sexp_nth_data (l, 1, &alen);
      buf[0] = 0;
      memset (buf + 1, 0, 256);
      memcpy (buf + 1 + 256 - alen, a, alen);
      ok (xfer_chained (card, hdr_dec, buf, 257, 254) == 0x6982,
          "decipher without PW1 82: 6982");
      verify (card, hdr_verify82, "123456");
      ok (xfer_chained (card, hdr_dec, buf, 257, 254) == 0x9000
          && rlen == 16 && !memcmp (rbuf, "0123456789abcdef", 16),
          "RSA decipher (chained)");
      ok (xfer_data (card, hdr_dec, buf, 257, 1) == 0x9000 && rlen == 16,
          "RSA decipher (extended)");
      buf[0] = 2;
      ok (xfer_data (card, hdr_dec, buf, 257, 1) == 0x6A80,
          "decipher with AES indicator: 6A80");
      gcry_sexp_release (l);
      gcry_sexp_release (enc);
      gcry_sexp_release (plain);
      gcry_sexp_release (pk);
    }

  /* Cv25519 decryption key.  */
  pk = gen_key (card, "00 DA 00 C2 0B 12 2B 06 01 04 01 97 55 01 05 01",
                "B8", "Curve25519");
  ok (pk != NULL, "generate Cv25519 DEC key");
  xfer (card, "00 47 81 00 02 B8 00 00");
  if (pk && sw == 0x9000 && rlen == 37)
    {
      unsigned char e[32], E[32], Q[32], expect[32], cmd[64];

      memcpy (Q, rbuf + 5, 32);
      gcry_randomize (e, 32, GCRY_WEAK_RANDOM);
      gcry_ecc_mul_point (GCRY_ECC_CURVE25519, E, e, NULL);
      gcry_ecc_mul_point (GCRY_ECC_CURVE25519, expect, e, Q);
      memcpy (cmd, "\xa6\x25\x7f\x49\x22\x86\x20", 7);
      memcpy (cmd + 7, E, 32);
      verify (card, hdr_verify82, "123456");
      ok (xfer_data (card, hdr_dec, cmd, 39, 0) == 0x9000 && rlen == 32
          && !memcmp (rbuf, expect, 32), "X25519 ECDH");
      cmd[1] = 0x26;
      ok (xfer_data (card, hdr_dec, cmd, 39, 0) == 0x6A80,
          "ECDH with a bad TLV: 6A80");
    }
  else
    ok (0, "read Cv25519 public key");
  gcry_sexp_release (pk);

  /* NIST P-256 decryption key.  */
  pk = gen_key (card, "00 DA 00 C2 09 12 2A 86 48 CE 3D 03 01 07",
                "B8", "NIST P-256");
  ok (pk != NULL, "generate P-256 DEC key");
  if (pk)
    {
      gcry_sexp_t parms, eph, ephq, senc, res, l;
      const char *q, *v;
      size_t qlen, vlen;
      unsigned char cmd[80];

      gcry_sexp_build (&parms, NULL, "(genkey (ecc (curve \"NIST P-256\")))");
      gcry_pk_genkey (&eph, parms);
      ephq = gcry_sexp_find_token (eph, "q", 0);
      q = gcry_sexp_nth_data (ephq, 1, &qlen);
      /* Expected: eph.d * Q (decrypt with the ephemeral key).  */
      l = gcry_sexp_find_token (pk, "q", 0);
      v = gcry_sexp_nth_data (l, 1, &vlen);
      gcry_sexp_build (&senc, NULL, "(enc-val (ecdh (e %b)))", (int)vlen, v);
      gcry_sexp_release (l);
      l = gcry_sexp_find_token (eph, "private-key", 0);
      gcry_pk_decrypt (&res, senc, l);
      gcry_sexp_release (l);
      l = gcry_sexp_find_token (res, "value", 0);
      v = gcry_sexp_nth_data (l, 1, &vlen);
      memcpy (cmd, "\xa6\x46\x7f\x49\x43\x86\x41", 7);
      memcpy (cmd + 7, q, qlen);
      verify (card, hdr_verify82, "123456");
      ok (qlen == 65 && vlen == 65
          && xfer_data (card, hdr_dec, cmd, 7 + 65, 0) == 0x9000
          && rlen == 32 && !memcmp (rbuf, v + 1, 32), "P-256 ECDH");
      gcry_sexp_release (l);
      gcry_sexp_release (res);
      gcry_sexp_release (senc);
      gcry_sexp_release (ephq);
      gcry_sexp_release (eph);
      gcry_sexp_release (parms);
      gcry_sexp_release (pk);
    }

  /* NIST P-384 authentication key.  */
  pk = gen_key (card, "00 DA 00 C3 06 13 2B 81 04 00 22", "A4",
                "NIST P-384");
  ok (pk != NULL, "generate P-384 AUT key");
  vcard_reset_volatile (card);
  ok (xfer_data (card, hdr_auth, hash, 32, 0) == 0x6982,
      "INTERNAL AUTHENTICATE without PW1: 6982");
  verify (card, hdr_verify82, "123456");
  ok (xfer_data (card, hdr_auth, hash, 32, 0) == 0x9000 && rlen == 96,
      "INTERNAL AUTHENTICATE P-384");
  gcry_sexp_build (&sig, NULL, "(sig-val (ecdsa (r %b)(s %b)))",
                   48, rbuf, 48, rbuf + 48);
  gcry_sexp_build (&data, NULL, "(data (flags raw)(value %b))", 32, hash);
  ok (pk && !gcry_pk_verify (sig, data, pk), "ECDSA signature verifies");
  gcry_sexp_release (sig);
  gcry_sexp_release (data);
  gcry_sexp_release (pk);

  /* Read the public key back.  */
  xfer (card, "00 47 81 00 02 A4 00 00");
  ok (collect (card, tmpl, &tlen, sizeof tmpl) == 0x9000 && tlen > 97,
      "read AUT public key");
  memset (msg, 0, sizeof msg);
}

/* Import an RSA 2048 key as libgcrypt made it and an Ed25519 key from
 * RFC 8032 test vector 1.  */
static void
test_import (vcard_t *card)
{
  static const unsigned char hdr_imp[4] = { 0x00, 0xdb, 0x3f, 0xff };
  static const unsigned char hdr_cds[4] = { 0x00, 0x2a, 0x9e, 0x9a };
  static const char seed_hex[] =
    "9D61B19DEFFD5A60BA844AF492EC2CC44449C5697B326919703BAC031CAE7F60";
  static const char pub_hex[] =
    "D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A";
  unsigned char seed[32], pub[32], buf[1200], digest[51];
  gcry_sexp_t parms, key, lp, lq, le, pk, sig, data;
  const char *p, *q, *e;
  size_t plen, qlen, elen, n;

  vcard_reset_volatile (card);
  verify (card, hdr_verify83, "12345678");
  xfer (card, "00 DA 00 C1 06 01 08 00 00 20 00");

  gcry_sexp_build (&parms, NULL, "(genkey (rsa (nbits 4:2048)))");
  gcry_pk_genkey (&key, parms);
  lp = gcry_sexp_find_token (key, "p", 0);
  p = gcry_sexp_nth_data (lp, 1, &plen);
  lq = gcry_sexp_find_token (key, "q", 0);
  q = gcry_sexp_nth_data (lq, 1, &qlen);
  le = gcry_sexp_find_token (key, "e", 0);
  e = gcry_sexp_nth_data (le, 1, &elen);
  while (plen > 128 && !*p)
    p++, plen--;
  while (qlen > 128 && !*q)
    q++, qlen--;
  ok (plen == 128 && qlen == 128 && elen == 3, "libgcrypt RSA key");
  /* 4D 82 xx xx B6 00 7F48 08 91 04 92 81 80 93 81 80 5F48 82 01 04 ...  */
  n = 0;
  buf[n++] = 0x4d; buf[n++] = 0x82; buf[n++] = 0; buf[n++] = 0;
  buf[n++] = 0xb6; buf[n++] = 0x00;
  memcpy (buf + n, "\x7f\x48\x08\x91\x04\x92\x81\x80\x93\x81\x80", 11);
  n += 11;
  memcpy (buf + n, "\x5f\x48\x82\x01\x04", 5);
  n += 5;
  buf[n++] = 0;
  memcpy (buf + n, e, 3);
  n += 3;
  memcpy (buf + n, p, 128);
  n += 128;
  memcpy (buf + n, q, 128);
  n += 128;
  buf[2] = (n - 4) >> 8;
  buf[3] = (n - 4);
  ok (xfer_chained (card, hdr_imp, buf, n - 1, 254) == 0x6A80,
      "truncated import: 6A80");
  ok (xfer_chained (card, hdr_imp, buf, n, 254) == 0x9000,
      "import RSA 2048 (chained)");
  pk = gcry_sexp_find_token (key, "public-key", 0);
  memcpy (digest, "\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02"
          "\x01\x05\x00\x04\x20", 19);
  gcry_md_hash_buffer (GCRY_MD_SHA256, digest + 19, "abc", 3);
  verify (card, hdr_verify81, "123456");
  ok (xfer_data (card, hdr_cds, digest, 51, 0) == 0x9000,
      "sign with imported RSA key");
  if (sw == 0x9000)
    {
      unsigned char s[256];
      size_t slen;

      collect (card, s, &slen, sizeof s);
      gcry_sexp_build (&sig, NULL, "(sig-val (rsa (s %b)))", (int)slen, s);
      gcry_sexp_build (&data, NULL,
                       "(data (flags pkcs1)(hash sha256 %b))", 32,
                       digest + 19);
      ok (slen == 256 && !gcry_pk_verify (sig, data, pk),
          "RSA PKCS#1 signature verifies");
      gcry_sexp_release (sig);
      gcry_sexp_release (data);
    }
  else
    ok (0, "RSA PKCS#1 signature verifies");
  ok (xfer (card, "00 CA 00 DE 00") == 0x9000 && rbuf[1] == 2,
      "DE: SIG key imported");
  gcry_sexp_release (pk);
  gcry_sexp_release (lp);
  gcry_sexp_release (lq);
  gcry_sexp_release (le);
  gcry_sexp_release (key);
  gcry_sexp_release (parms);

  /* Ed25519 with tag 99 (public key) included.  */
  oca_hex2bin (seed_hex, seed, 32);
  oca_hex2bin (pub_hex, pub, 32);
  xfer (card, "00 DA 00 C3 0A 16 2B 06 01 04 01 DA 47 0F 01");
  n = 0;
  memcpy (buf, "\x4d\x4c\xa4\x00\x7f\x48\x04\x92\x20\x99\x20\x5f\x48\x40",
          14);
  n = 14;
  memcpy (buf + n, seed, 32);
  n += 32;
  memcpy (buf + n, pub, 32);
  n += 32;
  buf[n - 1] ^= 1;
  ok (xfer_data (card, hdr_imp, buf, n, 0) == 0x6A80,
      "import with wrong public key: 6A80");
  buf[n - 1] ^= 1;
  ok (xfer_data (card, hdr_imp, buf, n, 0) == 0x9000, "import Ed25519");
  ok (xfer (card, "00 47 81 00 02 A4 00 00") == 0x9000 && rlen == 37
      && !memcmp (rbuf + 5, pub, 32), "RFC 8032 public key");
  buf[1] = 0x50;
  ok (xfer_data (card, hdr_imp, buf, n, 0) == 0x6A80,
      "import with bad 4D length: 6A80");
  ok (xfer (card, "00 DB 3F FF 04 4D 02 A4 00") == 0x6A80,
      "import without templates: 6A80");
}

static void
test_persistence (vcard_t *card)
{
  membuf_t mb;
  unsigned char *buf;
  size_t len;
  vcard_t *card2 = NULL;
  unsigned char pub1[600], pub2[600];
  size_t n1, n2;
  char fname[64];

  membuf_init (&mb, 1 << 20, 1);
  ok_err (vcard_state_serialize (card, &mb), "serialize state");
  ok_err (membuf_take (&mb, &buf, &len), "take state");
  ok_err (vcard_new (NULL, &card2), "new card");
  ok_err (vcard_state_parse (card2, buf, len), "parse state");
  xfer (card, "00 47 81 00 02 A4 00 00");
  collect (card, pub1, &n1, sizeof pub1);
  xfer (card2, "00 47 81 00 02 A4 00 00");
  collect (card2, pub2, &n2, sizeof pub2);
  ok (n1 == n2 && n1 > 0 && !memcmp (pub1, pub2, n1),
      "restored card has the same AUT key");
  ok (card2->sigcount == card->sigcount
      && card2->name.n == card->name.n
      && card2->tries[VCARD_RC] == card->tries[VCARD_RC],
      "restored counters and DOs");
  ok (vcard_state_parse (card2, buf, len - 3) != 0,
      "truncated state is refused");
  vcard_release (card2);
  card2 = NULL;

  snprintf (fname, sizeof fname, "t-vcard-%d.state", (int)getpid ());
  ok_err (vcard_state_save (card, fname), "save to file");
  ok_err (vcard_new (NULL, &card2), "new card");
  ok_err (vcard_state_load (card2, fname), "load from file");
  vcard_release (card2);
  unlink (fname);
  wipe_and_free (buf, len);
}

static void
test_lifecycle (vcard_t *card)
{
  vcard_reset_volatile (card);
  ok (xfer (card, "00 E6 00 00") == 0x6982, "TERMINATE without PW3: 6982");
  verify (card, hdr_verify83, "11111111");
  verify (card, hdr_verify83, "11111111");
  ok (verify (card, hdr_verify83, "11111111") == 0x63C0, "PW3 blocked");
  ok (xfer (card, "00 E6 00 00") == 0x9000, "TERMINATE with blocked PW3");
  ok (xfer (card, "00 A4 04 00 06 D2 76 00 01 24 01") == 0x6285,
      "SELECT terminated: 6285");
  ok (xfer (card, "00 CA 00 6E 00") == 0x6285, "GET DATA terminated: 6285");
  ok (xfer (card, "00 44 00 00") == 0x9000, "ACTIVATE FILE");
  ok (xfer (card, "00 A4 04 00 06 D2 76 00 01 24 01") == 0x9000,
      "SELECT after activation");
  ok (verify (card, hdr_verify83, "12345678") == 0x9000
      && verify (card, hdr_verify81, "123456") == 0x9000,
      "factory PINs");
  ok (xfer (card, "00 47 81 00 02 A4 00 00") == 0x6A88, "keys are gone");
  ok (xfer (card, "00 CA 00 5B 00") == 0x9000 && rlen == 0, "name empty");
  ok (xfer (card, "00 CA 00 C1 00") == 0x9000 && rlen == 6 && rbuf[1] == 8,
      "attributes back to RSA 2048");
  ok (xfer (card, "00 CA 00 7A 00") == 0x9000 && rbuf[4] == 0,
      "signature counter 0");
}

static void
test_quirks (vcard_t *card)
{
  vcard_profile_t saved = card->prof;

  vcard_reset_volatile (card);
  card->prof.wrong_pin_sw = 0x6982;
  card->prof.hidden_dos = 1u << 5;
  card->prof.hidden_sw = 0x6A88;
  card->prof.flags &= ~VCARD_P_EXTLEN;
  card->prof.algos &= ~VCARD_A_RSA4096;
  ok (verify (card, hdr_verify81, "999999") == 0x6982, "quirk: wrong PIN 6982");
  ok (xfer (card, "00 CA 00 C4 00") == 0x9000 && rbuf[4] == 2,
      "quirk: C4 still counts");
  verify (card, hdr_verify81, "123456");
  ok (xfer (card, "00 CA 00 C5 00") == 0x6A88, "quirk: C5 6A88");
  ok (xfer (card, "00 CA 00 6E 00 00 00") == 0x6700,
      "quirk: extended APDU 6700");
  ok (xfer (card, "00 CA 7F 66 00") == 0x6A88, "quirk: no 7F66");
  ok (xfer (card, "00 CA 5F 52 00") == 0x9000 && rbuf[6] == 0x80,
      "quirk: historical bytes without extended length");
  verify (card, hdr_verify83, "12345678");
  ok (xfer (card, "00 DA 00 C1 06 01 10 00 00 20 00") == 0x6A80,
      "quirk: RSA 4096 refused");
  card->prof = saved;
  ok (xfer (card, "00 DA 00 C1 06 01 10 00 00 20 00") == 0x9000,
      "RSA 4096 accepted without quirk");
}


/*
 * Profiles of real cards.
 */

static gcry_sexp_t prof_key;    /* RSA 2048 for the import tests.  */

/* Append the big-endian value of parameter NAME of PROF_KEY (or the
 * MPI A when NAME is NULL) right-justified into LEN bytes.  */
static void
put_fixed (unsigned char *buf, size_t *n, const char *name, gcry_mpi_t a,
           size_t len)
{
  gcry_sexp_t l = NULL;
  unsigned char tmp[600];
  size_t tl = 0;

  if (name)
    {
      l = gcry_sexp_find_token (prof_key, name, 0);
      a = gcry_sexp_nth_mpi (l, 1, GCRYMPI_FMT_USG);
    }
  gcry_mpi_print (GCRYMPI_FMT_USG, tmp, sizeof tmp, &tl, a);
  memset (buf + *n, 0, len - tl);
  memcpy (buf + *n + len - tl, tmp, tl);
  *n += len;
  if (name)
    {
      gcry_mpi_release (a);
      gcry_sexp_release (l);
    }
}

/* Build a 4D import of PROF_KEY for slot CRT (B6/B8/A4 byte) in RSA
 * import FORMAT with an e of ELEN bytes into BUF; BADCRT spoils DP1.
 * Returns the length.  */
static size_t
rsa_import_template (unsigned char *buf, int crt, int format, size_t elen,
                     int badcrt)
{
  static const char *tags[4] =
    { "\x91\x00\x92\x81\x80\x93\x81\x80",
      "\x91\x00\x92\x81\x80\x93\x81\x80\x97\x82\x01\x00",
      "\x91\x00\x92\x81\x80\x93\x81\x80\x94\x81\x80\x95\x81\x80\x96\x81\x80",
      "\x91\x00\x92\x81\x80\x93\x81\x80\x94\x81\x80\x95\x81\x80\x96\x81\x80"
      "\x97\x82\x01\x00" };
  static const size_t tagslen[4] = { 8, 12, 17, 21 };
  gcry_sexp_t l;
  gcry_mpi_t p, q, d, t, r;
  size_t n = 0, vlen, start;

  l = gcry_sexp_find_token (prof_key, "p", 0);
  p = gcry_sexp_nth_mpi (l, 1, GCRYMPI_FMT_USG);
  gcry_sexp_release (l);
  l = gcry_sexp_find_token (prof_key, "q", 0);
  q = gcry_sexp_nth_mpi (l, 1, GCRYMPI_FMT_USG);
  gcry_sexp_release (l);
  l = gcry_sexp_find_token (prof_key, "d", 0);
  d = gcry_sexp_nth_mpi (l, 1, GCRYMPI_FMT_USG);
  gcry_sexp_release (l);
  t = gcry_mpi_new (0);
  r = gcry_mpi_new (0);

  vlen = elen + 256 + (format >= 2 ? 384 : 0) + (format & 1 ? 256 : 0);
  buf[n++] = 0x4d; buf[n++] = 0x82; n += 2;
  buf[n++] = crt; buf[n++] = 0x00;
  buf[n++] = 0x7f; buf[n++] = 0x48; buf[n++] = tagslen[format];
  memcpy (buf + n, tags[format], tagslen[format]);
  buf[n + 1] = elen;
  n += tagslen[format];
  buf[n++] = 0x5f; buf[n++] = 0x48; buf[n++] = 0x82;
  buf[n++] = vlen >> 8; buf[n++] = vlen;
  start = n;
  put_fixed (buf, &n, "e", NULL, elen);
  put_fixed (buf, &n, NULL, p, 128);
  put_fixed (buf, &n, NULL, q, 128);
  if (format >= 2)
    {
      gcry_mpi_invm (r, q, p);
      put_fixed (buf, &n, NULL, r, 128);
      gcry_mpi_sub_ui (t, p, 1);
      gcry_mpi_mod (r, d, t);
      if (badcrt)
        gcry_mpi_add_ui (r, r, 1);
      put_fixed (buf, &n, NULL, r, 128);
      gcry_mpi_sub_ui (t, q, 1);
      gcry_mpi_mod (r, d, t);
      put_fixed (buf, &n, NULL, r, 128);
    }
  if ((format & 1))
    put_fixed (buf, &n, "n", NULL, 256);
  (void)start;
  buf[2] = (n - 4) >> 8;
  buf[3] = (n - 4);
  gcry_mpi_release (p);
  gcry_mpi_release (q);
  gcry_mpi_release (d);
  gcry_mpi_release (t);
  gcry_mpi_release (r);
  return n;
}

/* A fresh card of profile NAME.  */
static vcard_t *
prof_card (const char *name)
{
  vcard_t *c = NULL;
  const vcard_profile_t *p = vcard_profile_find (name);

  if (!p || vcard_new (p, &c))
    {
      printf ("Bail out! no card for profile %s\n", name);
      exit (1);
    }
  return c;
}

static int touch_calls;
static gpg_error_t
count_touch (void *opaque, int keyno)
{
  (void)opaque;
  (void)keyno;
  touch_calls++;
  return 0;
}

static void
test_profiles (void)
{
  static const unsigned char hdr_imp[4] = { 0x00, 0xdb, 0x3f, 0xff };
  static const unsigned char hdr_cds[4] = { 0x00, 0x2a, 0x9e, 0x9a };
  static const unsigned char hdr_crd81[4] = { 0x00, 0x24, 0x00, 0x81 };
  static const unsigned char hdr_rrc[4] = { 0x00, 0x2c, 0x02, 0x81 };
  static const char ed_imp99[] =
    "00 DB 3F FF 4E 4D 4C B6 00 7F 48 04 92 20 99 20 5F 48 40"
    " 9D61B19DEFFD5A60BA844AF492EC2CC44449C5697B326919703BAC031CAE7F60"
    " D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A";
  static const char ed_imp[] =
    "00 DB 3F FF 2C 4D 2A B6 00 7F 48 02 92 20 5F 48 20"
    " 9D61B19DEFFD5A60BA844AF492EC2CC44449C5697B326919703BAC031CAE7F60";
  gcry_sexp_t parms, key;
  unsigned char buf[1400], digest[51];
  size_t n, i;
  vcard_t *c;
  const vcard_profile_t *p;
  int all = 1;

  gcry_sexp_build (&parms, NULL, "(genkey (rsa (nbits 4:2048)))");
  gcry_pk_genkey (&key, parms);
  prof_key = gcry_sexp_find_token (key, "private-key", 0);
  gcry_sexp_release (key);
  gcry_sexp_release (parms);
  memcpy (digest, "\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02"
          "\x01\x05\x00\x04\x20", 19);
  gcry_md_hash_buffer (GCRY_MD_SHA256, digest + 19, "abc", 3);

  /* Every profile makes a card that answers SELECT and 6E.  */
  for (i = 0; (p = vcard_profile_nth (i)); i++)
    {
      c = prof_card (p->name);
      if (xfer (c, "00 A4 04 00 06 D2 76 00 01 24 01") != 0x9000
          || xfer (c, "00 CA 00 6E 00") != 0x9000)
        all = 0;
      vcard_release (c);
    }
  ok (all && i >= 7, "%zu profiles, each a working card", i);
  ok (!vcard_profile_find ("no-such-card"), "unknown profile: NULL");

  /* SmartPGP: RSA CRT with modulus only, e 17 bits.  */
  c = prof_card ("smartpgp");
  ok (xfer (c, "00 CA 00 C1 00") == 0x9000 && rlen == 8 && rbuf[0] == 0xc1
      && !memcmp (rbuf + 2, "\x01\x08\x00\x00\x11\x03", 6),
      "smartpgp: C1 = 01 0800 0011 03, with its own tag");
  verify (c, hdr_verify83, "12345678");
  ok (xfer (c, "00 DA 00 C1 06 01 08 00 00 20 00") == 0x6A80,
      "smartpgp: standard-format attributes refused");
  ok (xfer (c, "00 DA 00 C1 06 01 08 00 00 11 02") == 0x6A80,
      "smartpgp: CRT without modulus refused");
  n = rsa_import_template (buf, 0xb6, 0, 3, 0);
  ok (xfer_data (c, hdr_imp, buf, n, 1) == 0x6A80,
      "smartpgp: import in standard format refused");
  n = rsa_import_template (buf, 0xb6, 2, 3, 0);
  ok (xfer_data (c, hdr_imp, buf, n, 1) == 0x6A80,
      "smartpgp: import in CRT format (no modulus) refused");
  n = rsa_import_template (buf, 0xb6, 3, 4, 0);
  ok (xfer_data (c, hdr_imp, buf, n, 1) == 0x6A80,
      "smartpgp: e of 4 bytes refused");
  n = rsa_import_template (buf, 0xb6, 3, 3, 1);
  ok (xfer_data (c, hdr_imp, buf, n, 1) == 0x6A80,
      "smartpgp: wrong DP1 refused");
  n = rsa_import_template (buf, 0xb6, 3, 3, 0);
  ok (xfer_data (c, hdr_imp, buf, n, 1) == 0x9000,
      "smartpgp: CRT with modulus imported");
  verify (c, hdr_verify81, "123456");
  ok (xfer_data (c, hdr_cds, digest, 51, 0) == 0x9000 && rlen == 256,
      "smartpgp: imported key signs");
  ok (xfer (c, "00 DA 00 C3 09 13 2A 86 48 CE 3D 03 01 07") == 0x9000
      && xfer (c, "00 CA 00 6E 00") == 0x9000
      && memmem (rbuf, rlen, "\xC3\x0A\x13\x2A\x86\x48\xCE\x3D\x03\x01\x07"
                 "\xFF", 12), "smartpgp: the card adds FF to ECC attributes");
  ok (xfer (c, "00 DA 00 C3 0A 16 2B 06 01 04 01 DA 47 0F 01") == 0x6A80,
      "smartpgp: no Ed25519");
  /* NIST P-384 with the public key (a 97-byte point).  */
  {
    gcry_sexp_t kp, lq, ld;
    const char *q, *d;
    size_t ql, dl;

    gcry_sexp_build (&parms, NULL, "(genkey (ecc (curve nistp384)))");
    gcry_pk_genkey (&kp, parms);
    gcry_sexp_release (parms);
    lq = gcry_sexp_find_token (kp, "q", 0);
    q = gcry_sexp_nth_data (lq, 1, &ql);
    ld = gcry_sexp_find_token (kp, "d", 0);
    d = gcry_sexp_nth_data (ld, 1, &dl);
    memcpy (buf, "\x4d\x81\x9e\xa4\x00\x7f\x48\x04\x92\x30\x99\x61"
            "\x5f\x48\x81\x91", 16);
    n = 16;
    while (dl > 48 && !*d)
      d++, dl--;
    memset (buf + n, 0, 48);
    if (dl <= 48)
      memcpy (buf + n + 48 - dl, d, dl);
    n += 48;
    if (ql == 97)
      memcpy (buf + n, q, ql);
    n += 97;
    ok (xfer (c, "00 DA 00 C3 06 13 2B 81 04 00 22") == 0x9000
        && xfer_data (c, hdr_imp, buf, n, 0) == 0x9000,
        "smartpgp: NIST P-384 import with its 97-byte public key");
    gcry_sexp_release (lq);
    gcry_sexp_release (ld);
    gcry_sexp_release (kp);
  }
  ok (verify (c, hdr_verify81, "999999") == 0x6982, "smartpgp: wrong PIN 6982");
  verify (c, hdr_verify81, "999999");
  verify (c, hdr_verify81, "999999");
  ok (verify (c, hdr_verify81, "123456") == 0x6982,
      "smartpgp: blocked PIN also 6982");
  vcard_release (c);

  /* Gnuk: 6982/6983, no PW1 change without keys, no tag 99.  */
  c = prof_card ("gnuk");
  ok (verify (c, hdr_verify81, "999999") == 0x6982, "gnuk: wrong PIN 6982");
  ok (xfer (c, "00 CA 00 C4 00") == 0x9000 && rbuf[4] == 2,
      "gnuk: the counter counts");
  ok (xfer_data (c, hdr_crd81, "123456654321", 12, 0) == 0x6985,
      "gnuk: PW1 change refused without keys");
  verify (c, hdr_verify83, "12345678");
  ok (xfer_data (c, hdr_rrc, "654321", 6, 0) == 0x6985,
      "gnuk: PW1 reset refused without keys");
  ok (xfer (c, "00 DA 00 C1 06 01 08 00 00 11 00") == 0x6A80,
      "gnuk: attributes only as listed (17-bit e refused)");
  ok (xfer (c, "00 DA 00 C1 0A 16 2B 06 01 04 01 DA 47 0F 01") == 0x9000,
      "gnuk: Ed25519 attributes");
  ok (xfer (c, ed_imp99) == 0x6A80, "gnuk: ECC import with tag 99 refused");
  ok (xfer (c, ed_imp) == 0x9000, "gnuk: ECC import of d only");
  ok (xfer_data (c, hdr_crd81, "123456654321", 12, 0) == 0x9000,
      "gnuk: PW1 change once a key is loaded");
  ok (xfer (c, "00 CA 00 6E 00 00 00") == 0x6700,
      "gnuk: no extended length");
  verify (c, hdr_verify81, "999999");
  verify (c, hdr_verify81, "999999");
  verify (c, hdr_verify81, "999999");
  ok (verify (c, hdr_verify81, "654321") == 0x6983, "gnuk: blocked PIN 6983");
  vcard_release (c);

  /* YubiKey NEO: fixed RSA 2048 CRT+n, 6A83 for hidden DOs, 63Cx.  */
  c = prof_card ("yubikey-neo");
  ok (xfer (c, "00 CA 00 C1 00") == 0x6A83, "yubikey-neo: C1 alone 6A83");
  ok (xfer (c, "00 CA 00 C4 00") == 0x9000, "yubikey-neo: C4 alone");
  ok (xfer (c, "00 CA 00 FA 00") == 0x6A88, "yubikey-neo: no DO FA");
  ok (xfer (c, "00 CA 00 6E 00") == 0x9000
      && memmem (rbuf, rlen, "\x4F\x10\xD2\x76\x00\x01\x24\x01\x02\x00", 10),
      "yubikey-neo: AID version 2.0");
  verify (c, hdr_verify83, "12345678");
  ok (xfer (c, "00 DA 00 C1 06 01 08 00 00 11 03") == 0x6A83,
      "yubikey-neo: attributes not changeable");
  n = rsa_import_template (buf, 0xb6, 3, 3, 0);
  ok (xfer_chained (c, hdr_imp, buf, n, 254) == 0x9000,
      "yubikey-neo: CRT with modulus import (chained)");
  ok (verify (c, hdr_verify81, "999999") == 0x63C2, "yubikey-neo: 63C2");
  ok (xfer_data (c, hdr_crd81, "999999111111", 12, 0) == 0x6985
      && xfer (c, "00 CA 00 C4 00") == 0x9000 && rbuf[4] == 1,
      "yubikey-neo: wrong old PIN in CHANGE REFERENCE DATA: 6985, counted");
  vcard_release (c);

  /* OpenPGP card 2.1: C1..C5 only inside 6E; no v3 DOs.  */
  c = prof_card ("openpgp-card-2");
  all = 1;
  for (i = 1; i <= 5; i++)
    {
      char apdu[20];

      snprintf (apdu, sizeof apdu, "00 CA 00 C%zu 00", i);
      if (xfer (c, apdu) != (i == 4 ? 0x9000 : 0x6A88))
        all = 0;
    }
  ok (all, "openpgp-card-2: GET DATA C1..C3, C5 alone 6A88; C4 answered");
  ok (xfer (c, "00 CA 00 6E 00") == 0x9000
      && memmem (rbuf, rlen, "\xC1\x06\x01\x08\x00\x00\x20\x00", 8)
      && memmem (rbuf, rlen, "\xC4\x07", 2),
      "openpgp-card-2: attributes and C4 inside 6E");
  ok (xfer (c, "00 CA 00 FA 00") == 0x6A88
      && xfer (c, "00 CA 00 DE 00") == 0x6A88
      && xfer (c, "00 CA 00 D6 00") == 0x6A88
      && xfer (c, "00 CA 7F 74 00") == 0x6A88,
      "openpgp-card-2: no FA, DE, UIF, 7F74");
  verify (c, hdr_verify83, "12345678");
  ok (xfer (c, "00 DA 00 C3 0A 16 2B 06 01 04 01 DA 47 0F 01") == 0x6A80,
      "openpgp-card-2: RSA only");
  vcard_release (c);

  /* YubiKey 5: the cached touch policy.  */
  c = prof_card ("yubikey5");
  c->touch_cb = count_touch;
  verify (c, hdr_verify83, "12345678");
  ok (xfer (c, "00 DA 00 D6 02 03 20") == 0x9000,
      "yubikey5: UIF 03 (cached) accepted");
  ok (xfer (c, "00 DA 00 C1 0A 16 2B 06 01 04 01 DA 47 0F 01") == 0x9000
      && xfer (c, ed_imp) == 0x9000, "yubikey5: Ed25519 key");
  xfer (c, "00 DA 00 C4 01 01");
  verify (c, hdr_verify81, "123456");
  touch_calls = 0;
  ok (xfer_data (c, hdr_cds, digest + 19, 32, 0) == 0x9000
      && xfer_data (c, hdr_cds, digest + 19, 32, 0) == 0x9000
      && touch_calls == 1, "yubikey5: two signatures, one touch (cached)");
  c->last_touch -= 16;
  ok (xfer_data (c, hdr_cds, digest + 19, 32, 0) == 0x9000
      && touch_calls == 2, "yubikey5: after 15 s a touch again");
  vcard_release (c);
  c = prof_card ("permissive");
  verify (c, hdr_verify83, "12345678");
  ok (xfer (c, "00 DA 00 D6 02 03 20") == 0x6A80,
      "permissive: no cached touch policy");
  vcard_release (c);

  /* slow-token: latency reported to the caller.  */
  c = prof_card ("slow-token");
  ok (verify (c, hdr_verify83, "12345678") == 0x9000 && c->busy_ms == 10,
      "slow-token: VERIFY takes 10 ms");
  xfer (c, "00 DA 00 C1 0A 16 2B 06 01 04 01 DA 47 0F 01");
  xfer (c, ed_imp);
  verify (c, hdr_verify81, "123456");
  ok (xfer_data (c, hdr_cds, digest + 19, 32, 0) == 0x9000
      && c->busy_ms == 150, "slow-token: a signature takes 150 ms");
  ok (xfer (c, "00 CA 00 C4 00") == 0x9000 && !c->busy_ms,
      "slow-token: GET DATA takes no time");
  vcard_release (c);
  gcry_sexp_release (prof_key);
}

/* Random APDUs must always get a status word.  */
/* A key as GnuPG's scdaemon writes it (keytocard): u, dp and dq at
 * their own length, without leading zero bytes.  The RSA 2048 key below
 * (made once with openssl) has a dq of 127 bytes; the YubiKey NEO
 * profile (CRT with modulus, strict) must take it, as real cards that
 * GnuPG writes keys to do.  */
static void
test_gnupg_short_crt (void)
{
  static const unsigned char hdr_imp[4] = { 0x00, 0xdb, 0x3f, 0xff };
  static const char head[] =
    "4D8203A1B600"
    "7F4815" "9103" "928180" "938180" "948180" "958180" "96817F" "97820100"
    "5F48820382";
  /* e, p, q, u (1/q mod p), dp, dq (127 bytes), n.  */
  static const char val[] =
  "010001F673BB6C6ED710E2E57E8780D603CDA3006A14215FA26675C30BA26FDE"
  "531BA0E0EF8CA46107C07CAD29DFFBD6626590A4139D805177C15AE28A8AFF46"
  "CC89E768D6BC5395AAE58A195D78F51380140654C5103A2D53ADBE678DDC61F2"
  "933C6603D815154A6C378949BA41D69900B4A3D3C3F2212646F9AD83171DDB3C"
  "68689FE58285F04282347E84AA1B97EB5632EB23FD47D4E2E57D0D7CA2FFA15E"
  "21DC86522F4CFD692D64D9592949E89BDE16DFC202F46DAF48142F61E36ED68D"
  "D61268823D167DDB88713F4B8A0F0E61F0088E80C2AFB9EB63616292CFD5DFB0"
  "3DC568E7AC68948AF829C61236A1E15135EC43C89E29055C3361D8F2E6353650"
  "90FC9DE6B8CE8919C540F001DC546D5091F3202628E5F50E014E1CCECD20737D"
  "72FFCAEAE198B24518D7C25967A3EFE5D63FAF0DB5AE3F8119F8B5C0D2CF94DE"
  "42264810A325D6D88B1C30EA1835FDD1E0DCBBB6EA2CFACD98B28EF58D1C0605"
  "318E5167FC2F37C836786757452EE6B0081EF13213BCD54D24539C00AEF6DC60"
  "499A15EC74E7CB46A1641B3E7362D113057D243A7E8CA7E498ED53697ADD3416"
  "0C8902972E5F334BC163467BE2247BFD1A55362CA681441F661606FC3A4ED854"
  "76648DB981E619100D72C44847ED88BE57F15E8DB0B13C10472BF8F6641EA17F"
  "5B12E512251D3D5B356F2772AC9904ABB2089EF2CC1AA10197B1706FC91B2540"
  "D530231669A8AACDD3E94C71A82B09AAF1C007367C858744A124952C96BE6003"
  "D14AB7D34ECB35F40F7AC9BEEB494C6DEC424F97A2B23C03E206169A789B5A58"
  "7F8F4CA56B51C6F8A95A65D3FAA77DC012B0C339CFC9595EA355DF4A77016BD6"
  "CA317D0D22C913B87E8395D431819D7F50C4C1D9D5982BEDD516B918FF6232EB"
  "AB3DDCF32E5E991CE62FA04BE0EB164E517346412AC10FF0E95A6907ACF64EDB"
  "B3297C10DF2190064BD83D8F46A4B2E362884C2EF3196BC5DA9B79FAF4543952"
  "7575C283339D50E54E14C553500A87138AA82124E64730172F13544436A61EBC"
  "08637F450F5266C23B1319133B326A5AE5126F4190D96CB2BA8E12C7D126300B"
  "190441E2791C84742F9DE5450DCABC088E60310AF18E7B4B8C50EA08EC02E114"
  "F3D150273672BCEBD930EB20EB8233879DF3127842F2793300CB12E9A62B5675"
  "53C91506FA03EB0B05AB9166CC36B70B12FC45617A2AD0CF5B8AF9639D8D30AF"
  "8308143366F087AEE02540F8733FBA9A29AC37BA6110076A10661D4CB6E15C74"
  "AD83";
  unsigned char buf[1000];
  size_t n = 0, i;
  unsigned int hi, lo;
  vcard_t *c = prof_card ("yubikey-neo");

  for (i = 0; head[i]; i += 2)
    {
      sscanf (head + i, "%1x%1x", &hi, &lo);
      buf[n++] = hi << 4 | lo;
    }
  for (i = 0; val[i] && n < sizeof buf; i += 2)
    {
      sscanf (val + i, "%1x%1x", &hi, &lo);
      buf[n++] = hi << 4 | lo;
    }
  ok (n == 4 + 0x3A1, "GnuPG-style import template: %zu bytes", n);
  verify (c, hdr_verify83, "12345678");
  ok (xfer_chained (c, hdr_imp, buf, n, 254) == 0x9000,
      "yubikey-neo: a 127-byte dq as GnuPG's keytocard sends it");
  vcard_release (c);
}


/* Another application selected: OpenPGP is deselected and its PIN
 * verifications are gone, as on a multi-application token; a SELECT
 * of an unknown AID changes nothing.  */
static void
test_other_app (vcard_t *card)
{
  ok (xfer (card, "00 A4 04 00 06 D2 76 00 01 24 01") == 0x9000
      && verify (card, hdr_verify82, "123456") == 0x9000
      && xfer (card, "00 20 00 82") == 0x9000, "PW1 (82) verified");
  ok (xfer (card, "00 A4 04 00 05 A0 00 00 00 99") == 0x6A82
      && xfer (card, "00 20 00 82") == 0x9000,
      "SELECT of an unknown AID: 6A82, still verified");
  ok (xfer (card, "00 A4 04 00 06 D2 76 00 01 24 01") == 0x9000
      && xfer (card, "00 20 00 82") == 0x9000,
      "SELECT of OpenPGP again: still verified");
  ok (xfer (card, "00 A4 04 0C 09 A0 00 00 03 08 00 00 10 00") == 0x9000,
      "SELECT of PIV: 9000");
  ok (xfer (card, "00 CA 00 6E 00") == 0x6D00
      && xfer (card, "00 88 00 00 02 01 02 00") == 0x6D00,
      "PIV selected: GET DATA, INTERNAL AUTHENTICATE 6D00");
  ok (xfer (card, "00 20 00 82") == 0x6A88, "PIV selected: VERIFY 82 6A88");
  ok (xfer (card, "00 A4 04 00 06 D2 76 00 01 24 01") == 0x9000
      && xfer (card, "00 20 00 82") == 0x63C3,
      "OpenPGP selected again: PW1 no longer verified");
  ok (verify (card, hdr_verify82, "123456") == 0x9000
      && (vcard_reset_volatile (card), xfer (card, "00 20 00 82")) == 0x63C3,
      "a reset drops the verification too");
}

static void
test_random (vcard_t *card)
{
  unsigned char buf[600];
  int i, bad = 0;
  unsigned int len;

  for (i = 0; i < 20000; i++)
    {
      gcry_create_nonce (buf, sizeof buf);
      len = buf[0] % 64;
      if (i % 3 == 0)
        buf[0] = 0x00;
      else if (i % 3 == 1)
        buf[0] = 0x10;
      if (i % 5 == 0)
        {
          static const unsigned char ins[] =
            { 0xa4, 0xca, 0xda, 0xdb, 0x20, 0x24, 0x2c, 0x47, 0x2a, 0x88,
              0x84, 0xa5, 0xcc, 0xc0 };
          buf[1] = ins[buf[1] % sizeof ins];
        }
      /* Keep the card from being terminated and keys from being made
       * (slow RSA generation).  */
      if (buf[1] == 0xe6 || buf[1] == 0x47)
        buf[1] = 0xca;
      if (len >= 5 && i % 2)
        buf[4] = len - 5;
      if (!xfer_bin (card, buf, len))
        bad++;
    }
  ok (!bad, "20000 random APDUs all answered");
}

int
main (void)
{
  vcard_t *card;

  if (oca_init_gcrypt (1024 * 1024))
    return 1;
  gcry_control (GCRYCTL_ENABLE_QUICK_RANDOM, 0);
  if (vcard_new (NULL, &card))
    return 1;
  test_transport (card);
  test_pins (card);
  test_data (card);
  test_keys (card);
  test_import (card);
  test_persistence (card);
  test_lifecycle (card);
  test_quirks (card);
  test_other_app (card);
  test_profiles ();
  test_gnupg_short_crt ();
  test_random (card);
  vcard_release (card);
  return tap_done ();
}
