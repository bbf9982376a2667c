/* t-card-data.c - unit tests of the card-data module
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linked with libocacarddata.a and common/ alone: the module needs no
 * PC/SC.  Command APDU encoding, the curve table and its lookups,
 * algorithm strings, DigestInfo.  (Key attributes, DO FA and key material are
 * tested in t-app-openpgp.c, status words in t-iso7816.c.)
 */
#include <config.h>
#include "card-data.h"

#include <string.h>

#include "t-support.h"

static void
test_apdu (void)
{
  unsigned char buf[4 + 3 + 300 + 3], data[300];
  size_t n;

  n = card_build_apdu (buf, 0x00, 0xCA, 0x00, 0xFA, 0, NULL, 256, 0);
  ok (n == 5 && !memcmp (buf, "\x00\xCA\x00\xFA\x00", 5),
      "GET DATA FA, short Le 00");
  n = card_build_apdu (buf, 0x00, 0xDA, 0x00, 0xD6, 2,
                       (const unsigned char *)"\x01\x20", -1, 0);
  ok (n == 7 && !memcmp (buf, "\x00\xDA\x00\xD6\x02\x01\x20", 7),
      "PUT DATA D6, no Le");
  n = card_build_apdu (buf, 0x00, 0xCA, 0x7F, 0x21, 0, NULL, 65536, 1);
  ok (n == 7 && !memcmp (buf, "\x00\xCA\x7F\x21\x00\x00\x00", 7),
      "extended Le 65536 without data: 00 0000");
  memset (data, 0xAB, sizeof data);
  n = card_build_apdu (buf, 0x00, 0x2A, 0x80, 0x86, 300, data, 1024, 1);
  ok (n == 4 + 3 + 300 + 2 && !memcmp (buf, "\x00\x2A\x80\x86\x00\x01\x2C", 7)
      && buf[7] == 0xAB && buf[306] == 0xAB
      && buf[307] == 0x04 && buf[308] == 0x00,
      "extended Lc 300 and Le 1024");
  n = card_build_apdu (buf, 0x00, 0x20, 0x00, 0x83, 0, NULL, 10, 0);
  ok (n == 5 && buf[4] == 10, "short Le 10");
}

static void
test_curves (void)
{
  const card_curve_t *c, *d;

  c = card_curve_by_name ("nistp384");
  ok (c && !strcmp (c->name, "NIST P-384") && c->nbits == 384
      && c->oidlen == 5 && !memcmp (c->oid, "\x2B\x81\x04\x00\x22", 5),
      "nistp384 by alias: name, size, OID");
  ok (card_curve_by_name ("secp384r1") == c
      && card_curve_by_name ("NIST P-384") == c,
      "... the same row by another alias and by its name");
  d = card_curve_by_oid (c->oid, c->oidlen);
  ok (d == c, "... and by its OID");

  c = card_curve_by_name ("Ed25519");
  ok (c && c->eddsa && !c->djb && c->oidlen == 9
      && !memcmp (c->oid, "\x2B\x06\x01\x04\x01\xDA\x47\x0F\x01", 9)
      && !strcmp (c->algostr, "ed25519"),
      "Ed25519: the OpenPGP OID first");
  d = card_curve_by_oid ((const unsigned char *)"\x2B\x65\x70", 3);
  ok (d && !strcmp (d->name, "Ed25519") && d != c,
      "Ed25519's RFC 8410 OID is known too");
  c = card_curve_by_name ("cv25519");
  ok (c && c->djb && !strcmp (c->name, "Curve25519") && c->oidlen == 10,
      "cv25519 -> Curve25519, djb, 10-byte OID");
  ok (!card_curve_by_name ("frobnicate") && !card_curve_by_name (""),
      "unknown names");
  ok (!card_curve_by_oid ((const unsigned char *)"\x2B\x81\x04\x00", 4),
      "a prefix of an OID is no OID");
}

static void
test_algostr (void)
{
  card_keyattr_t a;

  ok_err (card_keyattr_from_algostr ("rsa3072", 1, &a), "rsa3072");
  ok (a.algo == CARD_ALGO_RSA && a.nbits == 3072
      && !strcmp (a.algostr, "rsa3072"), "... RSA 3072");
  ok_err (card_keyattr_from_algostr ("ed25519", 3, &a), "ed25519 for AUT");
  ok (a.algo == CARD_ALGO_EDDSA && a.eddsa && !strcmp (a.curve, "Ed25519"),
      "... EdDSA on Ed25519");
  ok_err (card_keyattr_from_algostr ("nistp256", 2, &a), "nistp256 for DEC");
  ok (a.algo == CARD_ALGO_ECDH && a.nbits == 256, "... ECDH on P-256");
  ok_code (card_keyattr_from_algostr ("rsa", 1, &a), GPG_ERR_UNKNOWN_CURVE,
           "rsa without size");
  ok_code (card_keyattr_from_algostr ("rsa2048x", 1, &a), GPG_ERR_INV_VALUE,
           "rsa with trailing junk");
  ok_code (card_keyattr_from_algostr ("rsa99999", 1, &a), GPG_ERR_INV_VALUE,
           "rsa too large");
  ok_code (card_keyattr_from_algostr ("cv25519", 1, &a),
           GPG_ERR_WRONG_PUBKEY_ALGO, "cv25519 can't sign");
  ok_code (card_keyattr_from_algostr ("brainpoolP999", 1, &a),
           GPG_ERR_UNKNOWN_CURVE, "unknown curve");
  ok (!a.algo, "... leaves no attribute behind");
}

static void
test_digestinfo (void)
{
  unsigned char buf[19 + 64];
  const unsigned char *prefix, *digest;
  size_t plen, dlen;
  int algo;
  gpg_error_t err;

  memset (buf, 0xAB, sizeof buf);
  prefix = card_digestinfo_prefix (GCRY_MD_SHA256, &plen);
  ok (prefix && plen == 19, "SHA-256 prefix is 19 bytes");
  memcpy (buf, prefix, plen);
  err = card_strip_digestinfo (buf, 19 + 32, GCRY_MD_SHA256, &algo,
                               &digest, &dlen);
  ok (!err && algo == GCRY_MD_SHA256 && dlen == 32 && digest == buf + 19,
      "SHA-256 DigestInfo stripped");
  err = card_strip_digestinfo (buf, 19 + 32, 0, &algo, &digest, &dlen);
  ok (!err && algo == GCRY_MD_SHA256, "hash detected from prefix");
  err = card_strip_digestinfo (buf, 19 + 32, GCRY_MD_SHA1, &algo,
                               &digest, &dlen);
  ok_code (err, GPG_ERR_DIGEST_ALGO, "prefix of another hash");
  memset (buf, 0xCD, sizeof buf);
  err = card_strip_digestinfo (buf, 32, GCRY_MD_SHA256, &algo, &digest, &dlen);
  ok (!err && dlen == 32 && digest == buf, "bare SHA-256 digest");
  err = card_strip_digestinfo (buf, 20, GCRY_MD_SHA256, &algo, &digest, &dlen);
  ok_code (err, GPG_ERR_INV_VALUE, "bare digest of the wrong length");
  err = card_strip_digestinfo (buf, 64, 0, &algo, &digest, &dlen);
  ok (!err && algo == GCRY_MD_SHA512, "bare 64 bytes is SHA-512");
  prefix = card_digestinfo_prefix (GCRY_MD_SHA1, &plen);
  ok (plen == 15 && prefix[0] == 0x30 && prefix[14] == 0x14,
      "SHA-1 prefix is 15 bytes");
  memcpy (buf, prefix, plen);
  err = card_strip_digestinfo (buf, 35, GCRY_MD_SHA1, &algo, &digest, &dlen);
  ok (!err && dlen == 20, "SHA-1 DigestInfo stripped");
  ok (card_hash_len (GCRY_MD_SHA384) == 48 && !card_hash_len (GCRY_MD_SHA3_256),
      "hash lengths");
  ok (card_hash_from_name ("sha384") == GCRY_MD_SHA384
      && card_hash_from_name ("rmd160") == GCRY_MD_RMD160
      && !card_hash_from_name ("sha3"), "hash names");
}

int
main (void)
{
  if (oca_init_gcrypt (0))
    {
      printf ("Bail out! libgcrypt init failed\n");
      return 1;
    }
  test_apdu ();
  test_curves ();
  test_algostr ();
  test_digestinfo ();
  return tap_done ();
}
