/* t-pk.c - unit tests for pk.c (libgcrypt public-key operations)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Known-answer vectors: keygrips from libgcrypt's tests/keygrip.c (as
 * quoted in card-and-scd.md B.6); an RSA-1024 PKCS#1 v1.5 signature
 * and P-256 / P-384 ECDSA signatures made with Python's cryptography
 * package (OpenSSL); RFC 8032 "TEST SHA(abc)" for Ed25519 (which signs
 * the SHA-512 digest of "abc", exactly OpenPGP's use); RFC 7748's
 * X25519 key of Alice for the Curve25519 secret byte order.
 */

#include <config.h>
#include "oca-common.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "pk.h"
#include "t-support.h"


/* RSA-1024 key of libgcrypt's tests/keygrip.c.  */
static const char rsa_n[] =
  "B6B509596A9ECABC939212F891E656A626BA07DA8521A9CAD4C08E640C04052F"
  "BB87F424EF1A0275A48A9299AC9DB69ABE3D0124E6C756B1F7DFB9B842D6251A"
  "EA6EE85390495CADA73D671537FCE5850A932F32BAB60AB1AC1F852C1F83C625"
  "E7A7D70CDA9EF16D5C8E47739D77DF59261ABE8454807FF441E143FBD37F8545";
static const char rsa_e[] = "010001";
static const char rsa_d[] =
  "077AD3DE284245F4806A1B82B79E616FBDE821C82D691A65665E57B5FAD3F34E"
  "67F401E7BD2E28699E89D9C496CF821945AE83AC7A1231176A196BA6027E77D8"
  "5789055D50404A7A2A95B1512F91F190BBAEF730ED550D227D512F89C0CDB31A"
  "C06FA9A19503DDF6B66D0B42B9691BFD6140EC1720FFC48AE00C34796DC899E5";
static const char rsa_p[] =
  "D586C78E5F1B4BF2E7CD7A04CA091911706F19788B93E44EE20AAF462E8363E9"
  "8A72253ED845CCBF2481BB351E8557C85BCFFF0DABDBFF8E26A79A0938096F27";
static const char rsa_q[] =
  "DB0CDF60F26F2A296C88D6BF9F8E5BE45C0DDD713C96CC73EBCB48B061740943"
  "F21D2A93D6E42A7211E7F02A95DCED6C390A67AD21ECF739AE8A0CA46FF2EBB3";
static const char rsa_u[] =
  "33149195F16912DB20A48D020DBC3B9E3881B39D722BF79378F6340F43148A6E"
  "9FC5F53E2853B7387BA4443BA53A52FCA8173DE6E85B42F9783D4A7817D0680B";
static const char rsa_grip[] = "32CFFA85B1791FBB2614E91AFDF3AFE332082E25";
/* PKCS#1 v1.5 signature over SHA-256("abc") (OpenSSL).  */
static const char rsa_sig_abc[] =
  "63798d0ba77b02270c34e6cb321f1c38c14c2be9a89d8446ee87f45b8fbd948a"
  "2b7070dde046ac4ecd13d33b7f668e71cdda99a1bbb886775ab49f9739dfd33d"
  "624ce6ce9be68b2ef257f924327ea36af59fc92a50f9b1668ad9b143c565a526"
  "d042077d627f614787ae4e383e7cb648a98340e0ba58c515ac55c6243ee16983";

/* RFC 8032 7.1 TEST SHA(abc).  */
static const char ed_seed[] =
  "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42";
static const char ed_q[] =
  "40ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf";
static const char ed_sig_r[] =
  "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589";
static const char ed_sig_s[] =
  "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704";
/* Keygrip vector of libgcrypt (Ed25519 with flags eddsa).  */
static const char ed_grip_q[] =
  "40773E72848C1FD5F9652B29E2E7AF79571A04990E96F2016BF4E0EC1890C2B7DB";
static const char ed_grip[] = "9DB6C64A38830F4960701789475520BE8C821F47";

/* RFC 7748 6.1 Alice: native scalar and public key; OpenPGP stores
 * the reversed scalar.  */
static const char cv_native[] =
  "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char cv_d[] =
  "2a2cb91da5fb77b12a99c0eb872f4cdf4566b25172c1163c7da518730a6d0777";
static const char cv_q[] =
  "408520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
static const char cv_grip_q[] =
  "40918C1733127F6BF2646FAE3D081A18AE77111C903B906310B077505EFFF12740";
static const char cv_grip[] = "0F89A565D3EA187CE839332398F5D480677DF49C";

/* P-256 keygrip vector of libgcrypt.  */
static const char p256_grip_q[] =
  "04C8A4CEC2E9A9BC8E173531A67B0840DF345C32E261ADD780E6D83D56EFADFD5D"
  "E872F8B854819B59543CE0B7F822330464FBC4E6324DADDCD9D059554F63B344";
static const char p256_grip[] = "E6DF942DBD8C7705A3DD416EFC0401DB310E99B6";

/* P-256 key (RFC 6979 A.2.5) and an OpenSSL signature over
 * SHA-256("sample").  */
static const char p256_d[] =
  "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
static const char p256_q[] =
  "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
  "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";
static const char p256_r[] =
  "80773f4cf2d77eb5ca12e1745a1805b538f4792b8df9d046a494fdd96916a7a0";
static const char p256_s[] =
  "9d1867711059e2d304792bafe157807ddaf44f8b849cfb70375c0eaea22537bf";
/* RFC 6979 A.2.5 deterministic signature, SHA-256, "sample".  */
static const char p256_det_r[] =
  "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716";
static const char p256_det_s[] =
  "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8";

/* P-384 key (RFC 6979 A.2.6) and an OpenSSL signature over
 * SHA-512("sample") (tests digest truncation).  */
static const char p384_d[] =
  "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba"
  "9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5";
static const char p384_q[] =
  "04ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64"
  "def8f0ea9055866064a254515480bc138015d9b72d7d57244ea8ef9ac0c6218967"
  "08a59367f9dfb9f54ca84b3f1c9db1288b231c3ae0d4fe7344fd2533264720";
static const char p384_r[] =
  "e3938b49bb8fbac84c41e67fc0cbae2143648576e491cd38"
  "df1a9addee049da174da0e0568da4f40461a36de04b6239b";
static const char p384_s[] =
  "9290297dd0465e32bd2f8fe09a3ec03ee0d27c0aef706883"
  "ca8bc8b2b023326b0dc166228a063f87b0451fe6a3e19227";
/* RFC 6979 A.2.6 deterministic signature, SHA-512, "sample".  */
static const char p384_det_r[] =
  "ED0959D5880AB2D869AE7F6C2915C6D60F96507F9CB3E047"
  "C0046861DA4A799CFE30F35CC900056D7C99CD7882433709";
static const char p384_det_s[] =
  "512C8CCEEE3890A84058CE1E22DBC2198F42323CE8ACA913"
  "5329F03C068E5112DC7CC3EF3446DEFCEB01A45C2667FDD5";





/* Helpers.  */

/* Set MPI IDX of KEY from hex HEX; abort the test run on error.  */
static void
set_hex (pk_key_t *key, int secret, unsigned int idx, const char *hex)
{
  unsigned char *buf;
  size_t len;
  gpg_error_t err;

  err = oca_hex2bin_alloc (hex, secret, &buf, &len);
  if (!err)
    err = pk_key_set_mpi (key, secret, idx, buf, len);
  if (err)
    {
      printf ("Bail out! set_hex: %s\n", gpg_strerror (err));
      exit (1);
    }
  wipe_and_free (buf, len);
}


/* Fill MPI from HEX (leading zeros stripped like OpenPGP does).  */
static void
mpi_from_hex (pk_mpi_t *mpi, const char *hex)
{
  unsigned char *buf;
  size_t len, off = 0;

  if (oca_hex2bin_alloc (hex, 0, &buf, &len))
    {
      printf ("Bail out! mpi_from_hex\n");
      exit (1);
    }
  while (off < len && !buf[off])
    off++;
  mpi->data = xtrymalloc (len - off + 1);
  if (!mpi->data)
    exit (1);
  memcpy (mpi->data, buf + off, len - off);
  mpi->len = len - off;
  xfree (buf);
}


/* Whether MPI equals the hex string HEX (after zero stripping).  */
static int
mpi_eq_hex (const pk_mpi_t *mpi, const char *hex)
{
  pk_mpi_t want = { NULL, 0 };
  int eq;

  mpi_from_hex (&want, hex);
  eq = mpi->len == want.len && !memcmp (mpi->data, want.data, want.len);
  pk_mpi_release (&want);
  return eq;
}


static int
grip_is (const pk_key_t *key, const char *hex)
{
  unsigned char grip[20];
  char got[41];

  if (pk_keygrip (key, grip))
    return 0;
  oca_bin2hex (grip, 20, got);
  if (strcmp (got, hex))
    printf ("# keygrip %s, want %s\n", got, hex);
  return !strcmp (got, hex);
}


static void
digest_of (int hashalgo, const char *s, unsigned char *out)
{
  gcry_md_hash_buffer (pk_hash_to_gcry (hashalgo), out, s, strlen (s));
}


static void
release_sig (pk_mpi_t sig[PK_MAX_SIG])
{
  unsigned int i;

  for (i = 0; i < PK_MAX_SIG; i++)
    pk_mpi_release (&sig[i]);
}


static pk_key_t *
new_key (int algo, int curve)
{
  pk_key_t *key = NULL;

  if (pk_key_new (&key))
    exit (1);
  key->algo = algo;
  key->curve = curve;
  return key;
}


static pk_key_t *
rsa_kat_key (void)
{
  pk_key_t *key = new_key (PK_RSA, PK_CURVE_NONE);

  set_hex (key, 0, 0, rsa_n);
  set_hex (key, 0, 1, rsa_e);
  set_hex (key, 1, 0, rsa_d);
  set_hex (key, 1, 1, rsa_p);
  set_hex (key, 1, 2, rsa_q);
  set_hex (key, 1, 3, rsa_u);
  return key;
}


static pk_key_t *
ecc_key (int algo, int curve, const char *q, const char *d)
{
  pk_key_t *key = new_key (algo, curve);

  set_hex (key, 0, 0, q);
  if (d)
    set_hex (key, 1, 0, d);
  return key;
}


/* Flip one bit of MPI at byte POS (counted from the end).  */
static void
flip (pk_mpi_t *mpi, size_t pos)
{
  mpi->data[mpi->len - 1 - pos % mpi->len] ^= 0x10;
}


static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}



/* Tables, hashes, OIDs.  */
static void
test_tables (void)
{
  static const int curves[] = { PK_CURVE_ED25519, PK_CURVE_CV25519,
                                PK_CURVE_NISTP256, PK_CURVE_NISTP384,
                                PK_CURVE_NISTP521 };
  static const unsigned char ed_oid[] =
    { 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01 };
  static const unsigned char p256_oid[] =
    { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
  const unsigned char *oid;
  size_t oidlen, i;
  int good;

  ok (pk_hash_len (PK_HASH_SHA256) == 32 && pk_hash_len (PK_HASH_SHA512) == 64
      && pk_hash_len (PK_HASH_SHA1) == 20 && pk_hash_len (PK_HASH_SHA224) == 28
      && pk_hash_len (PK_HASH_SHA384) == 48, "hash lengths");
  ok (pk_hash_to_gcry (PK_HASH_SHA384) == GCRY_MD_SHA384
      && pk_hash_to_gcry (PK_HASH_SHA1) == GCRY_MD_SHA1, "hash ids");
  ok (!pk_hash_len (1) && !pk_hash_to_gcry (3) && !pk_hash_to_gcry (0),
      "MD5/RIPEMD160/0 unsupported");

  oid = pk_curve_oid (PK_CURVE_ED25519, &oidlen);
  ok (oid && oidlen == sizeof ed_oid && !memcmp (oid, ed_oid, oidlen),
      "Ed25519 OID");
  oid = pk_curve_oid (PK_CURVE_NISTP256, &oidlen);
  ok (oid && oidlen == sizeof p256_oid && !memcmp (oid, p256_oid, oidlen),
      "P-256 OID");
  good = 1;
  for (i = 0; i < DIM (curves); i++)
    {
      oid = pk_curve_oid (curves[i], &oidlen);
      if (!oid || pk_curve_from_oid (oid, oidlen) != curves[i])
        good = 0;
    }
  ok (good, "OID round trip for every curve");
  ok (pk_curve_from_oid (ed_oid, sizeof ed_oid - 1) == PK_CURVE_NONE
      && pk_curve_from_oid (p256_oid, 0) == PK_CURVE_NONE
      && pk_curve_from_oid (NULL, 3) == PK_CURVE_NONE,
      "truncated/empty OID unknown");
  oid = pk_curve_oid (PK_CURVE_NONE, &oidlen);
  ok (!oid && !oidlen, "no OID for PK_CURVE_NONE");
  ok (!strcmp (pk_curve_name (PK_CURVE_NISTP384), "NIST P-384")
      && !strcmp (pk_curve_name (PK_CURVE_CV25519), "Curve25519")
      && !pk_curve_name (99), "curve names");
  ok (pk_algo_supported (PK_EDDSA, PK_CURVE_ED25519)
      && !pk_algo_supported (PK_EDDSA, PK_CURVE_NISTP256)
      && !pk_algo_supported (PK_ECDSA, PK_CURVE_CV25519)
      && pk_algo_supported (PK_ECDH, PK_CURVE_CV25519)
      && !pk_algo_supported (PK_RSA, PK_CURVE_ED25519)
      && !pk_algo_supported (17, PK_CURVE_NONE), "supported algorithms");
  ok (pk_algo_npub (PK_RSA) == 2 && pk_algo_nsec (PK_RSA) == 4
      && pk_algo_nsig (PK_RSA) == 1 && pk_algo_nsig (PK_EDDSA) == 2
      && pk_algo_nsig (PK_ECDH) == 0 && pk_algo_npub (99) == 0,
      "MPI counts");
}


/* Key containers.  */
static void
test_key_basics (void)
{
  pk_key_t *key = new_key (PK_RSA, PK_CURVE_NONE);
  pk_key_t *copy = NULL;
  static const unsigned char zeros[4] = { 0, 0, 0, 0 };
  static const unsigned char lz[4] = { 0, 0, 1, 2 };
  unsigned char big[PK_MAX_MPI_BYTES + 1];

  ok_code (pk_key_set_mpi (key, 0, 0, zeros, sizeof zeros),
           GPG_ERR_INV_VALUE, "zero MPI rejected");
  memset (big, 0xff, sizeof big);
  ok_code (pk_key_set_mpi (key, 0, 0, big, sizeof big),
           GPG_ERR_TOO_LARGE, "oversized MPI rejected");
  ok_code (pk_key_set_mpi (key, 0, PK_MAX_PUB, lz, sizeof lz),
           GPG_ERR_INV_INDEX, "public index out of range");
  ok_code (pk_key_set_mpi (key, 1, PK_MAX_SEC, lz, sizeof lz),
           GPG_ERR_INV_INDEX, "secret index out of range");
  ok_err (pk_key_set_mpi (key, 0, 1, lz, sizeof lz), "set with zeros");
  ok (key->pub[1].len == 2 && key->pub[1].data[0] == 1 && key->npub == 2,
      "leading zeros stripped, npub grows");
  pk_key_release (key);
  pk_key_release (NULL);

  key = rsa_kat_key ();
  ok (gcry_is_secure (key->sec[0].data) && gcry_is_secure (key->sec[3].data)
      && !gcry_is_secure (key->pub[0].data), "secret MPIs in secure memory");
  ok (pk_key_nbits (key) == 1024, "RSA nbits");
  ok_err (pk_key_copy (key, 1, &copy), "public copy");
  ok (copy && !pk_key_has_secret (copy) && copy->npub == 2
      && copy->pub[0].len == key->pub[0].len
      && !memcmp (copy->pub[0].data, key->pub[0].data, key->pub[0].len),
      "public copy has no secret, same n");
  pk_key_release (copy);
  copy = NULL;
  ok_err (pk_key_copy (key, 0, &copy), "full copy");
  ok (copy && copy->nsec == 4 && gcry_is_secure (copy->sec[1].data)
      && copy->sec[1].data != key->sec[1].data, "full copy is deep, secure");
  ok_err (pk_check_secret (copy), "copied secret checks");
  pk_key_drop_secret (copy);
  ok (!pk_key_has_secret (copy) && !copy->sec[0].data, "secret dropped");
  ok_code (pk_check_secret (copy), GPG_ERR_NO_SECKEY,
           "check_secret without secret");
  pk_key_release (copy);
  pk_key_release (key);
}


/* Keygrip vectors and READKEY S-expressions.  */
static void
test_keygrips (void)
{
  pk_key_t *key;
  unsigned char *buf = NULL;
  size_t len = 0;
  static const char ed_prefix[] =
    "(10:public-key(3:ecc(5:curve7:Ed25519)(5:flags5:eddsa)(1:q33:\x40";
  static const char cv_prefix[] =
    "(10:public-key(3:ecc(5:curve10:Curve25519)(5:flags9:djb-tweak)"
    "(1:q33:\x40";
  static const char p256_prefix[] =
    "(10:public-key(3:ecc(5:curve10:NIST P-256)(1:q65:\x04";
  static const char rsa_prefix[] =
    "(10:public-key(3:rsa(1:n129:\x00\xB6\xB5";
  static const char rsa_suffix[] = "\x85\x45)(1:e3:\x01\x00\x01)))";

  key = rsa_kat_key ();
  ok (grip_is (key, rsa_grip), "RSA keygrip (00 prefix on n)");
  ok_err (pk_public_sexp (key, &buf, &len), "RSA public sexp");
  ok (buf && len == sizeof rsa_prefix - 1 + 124 + sizeof rsa_suffix - 1
      && !memcmp (buf, rsa_prefix, sizeof rsa_prefix - 1)
      && !memcmp (buf + len - (sizeof rsa_suffix - 1), rsa_suffix,
                  sizeof rsa_suffix - 1), "RSA READKEY form");
  xfree (buf);
  buf = NULL;
  pk_key_release (key);

  key = ecc_key (PK_EDDSA, PK_CURVE_ED25519, ed_grip_q, NULL);
  ok (grip_is (key, ed_grip), "Ed25519 keygrip");
  ok_err (pk_public_sexp (key, &buf, &len), "Ed25519 public sexp");
  ok (buf && len == sizeof ed_prefix - 1 + 32 + 3
      && !memcmp (buf, ed_prefix, sizeof ed_prefix - 1)
      && buf[sizeof ed_prefix - 1] == 0x77
      && !memcmp (buf + len - 3, ")))", 3), "Ed25519 READKEY form");
  xfree (buf);
  buf = NULL;
  pk_key_release (key);

  key = ecc_key (PK_ECDH, PK_CURVE_CV25519, cv_grip_q, NULL);
  ok (grip_is (key, cv_grip), "Curve25519 keygrip (djb-tweak)");
  ok_err (pk_public_sexp (key, &buf, &len), "Curve25519 public sexp");
  ok (buf && len == sizeof cv_prefix - 1 + 32 + 3
      && !memcmp (buf, cv_prefix, sizeof cv_prefix - 1),
      "Curve25519 READKEY form");
  xfree (buf);
  buf = NULL;
  pk_key_release (key);

  key = ecc_key (PK_ECDSA, PK_CURVE_NISTP256, p256_grip_q, NULL);
  ok (grip_is (key, p256_grip), "NIST P-256 keygrip");
  ok_err (pk_public_sexp (key, &buf, &len), "P-256 public sexp");
  ok (buf && len == sizeof p256_prefix - 1 + 64 + 3
      && !memcmp (buf, p256_prefix, sizeof p256_prefix - 1),
      "P-256 READKEY form");
  xfree (buf);
  buf = NULL;
  pk_key_release (key);

  /* The same P-256 point as ECDH has the same grip.  */
  key = ecc_key (PK_ECDH, PK_CURVE_NISTP256, p256_grip_q, NULL);
  ok (grip_is (key, p256_grip), "ECDH P-256 keygrip");
  pk_key_release (key);

  /* Negative: one changed byte of q changes the grip.  */
  key = ecc_key (PK_EDDSA, PK_CURVE_ED25519, ed_q, NULL);
  ok (!grip_is (key, ed_grip), "other Ed25519 key, other grip");
  pk_key_release (key);

  /* Malformed public keys.  */
  key = ecc_key (PK_EDDSA, PK_CURVE_ED25519, ed_grip_q + 2, NULL);
  {
    unsigned char grip[20];
    ok_code (pk_keygrip (key, grip), GPG_ERR_BAD_PUBKEY,
             "Ed25519 q without 40 prefix rejected");
  }
  pk_key_release (key);
  key = ecc_key (PK_ECDSA, PK_CURVE_NISTP384, p256_grip_q, NULL);
  ok_code (pk_public_sexp (key, &buf, &len), GPG_ERR_BAD_PUBKEY,
           "P-256 point on a P-384 key rejected");
  ok (!buf && !len, "outputs cleared on error");
  pk_key_release (key);
  key = ecc_key (PK_EDDSA, PK_CURVE_NISTP256, p256_grip_q, NULL);
  ok_code (pk_public_sexp (key, &buf, &len), GPG_ERR_UNKNOWN_CURVE,
           "EdDSA on NIST P-256 rejected");
  pk_key_release (key);
}


/* RSA known answer, forgeries and secret checks.  */
static void
test_rsa_kat (void)
{
  pk_key_t *key = rsa_kat_key (), *other = NULL, *pub = NULL;
  unsigned char md[64], md512[64];
  pk_mpi_t sig[PK_MAX_SIG], sig2[PK_MAX_SIG];
  pk_mpi_t tmp;
  unsigned int nsig = 99, i;
  int same;

  digest_of (PK_HASH_SHA256, "abc", md);
  digest_of (PK_HASH_SHA512, "abc", md512);

  ok_err (pk_check_secret (key), "RSA KAT secret checks");
  ok_err (pk_sign (key, PK_HASH_SHA256, md, 32, sig, &nsig), "RSA sign");
  ok (nsig == 1 && mpi_eq_hex (&sig[0], rsa_sig_abc),
      "RSA signature equals OpenSSL's");
  /* PKCS#1 v1.5 is deterministic: the same signature every time,
   * across several renewals of pk_sign's blinding pair.  */
  for (i = 0, same = 1; i < 70 && same; i++)
    {
      if (pk_sign (key, PK_HASH_SHA256, md, 32, sig2, &nsig) || nsig != 1
          || !mpi_eq_hex (&sig2[0], rsa_sig_abc))
        same = 0;
      release_sig (sig2);
    }
  ok (same, "RSA signature stable over 70 signings");
  ok_err (pk_verify (key, PK_HASH_SHA256, md, 32, sig, 1), "RSA verify");
  ok_err (pk_key_copy (key, 1, &pub), "public copy");
  ok_err (pk_verify (pub, PK_HASH_SHA256, md, 32, sig, 1),
          "RSA verify with public-only key");
  sig2[0].data = (unsigned char *)"x";
  ok_code (pk_sign (pub, PK_HASH_SHA256, md, 32, sig2, &nsig),
           GPG_ERR_NO_SECKEY, "sign without secret fails");
  ok (nsig == 0 && !sig2[0].data && !sig2[1].data,
      "outputs cleared on error");

  flip (&sig[0], 5);
  ok_code (pk_verify (pub, PK_HASH_SHA256, md, 32, sig, 1),
           GPG_ERR_BAD_SIGNATURE, "RSA flipped signature bit rejected");
  flip (&sig[0], 5);
  md[3] ^= 1;
  ok_code (pk_verify (pub, PK_HASH_SHA256, md, 32, sig, 1),
           GPG_ERR_BAD_SIGNATURE, "RSA other digest rejected");
  md[3] ^= 1;
  ok_code (pk_verify (pub, PK_HASH_SHA512, md512, 64, sig, 1),
           GPG_ERR_BAD_SIGNATURE, "RSA wrong hash algorithm rejected");
  ok_code (pk_verify (pub, PK_HASH_SHA256, md, 31, sig, 1),
           GPG_ERR_INV_LENGTH, "RSA digest length mismatch");
  ok_code (pk_verify (pub, PK_HASH_SHA256, md, 32, sig, 2),
           GPG_ERR_INV_ARG, "RSA wrong signature MPI count");
  /* s >= n is a forgery.  */
  tmp.data = xtrymalloc (129);
  tmp.len = 129;
  memset (tmp.data, 0xff, 129);
  tmp.data[0] = 1;
  ok_code (pk_verify (pub, PK_HASH_SHA256, md, 32, &tmp, 1),
           GPG_ERR_BAD_SIGNATURE, "RSA s > n rejected");
  pk_mpi_release (&tmp);
  ok_code (pk_sign (key, 3, md, 20, sig2, &nsig), GPG_ERR_DIGEST_ALGO,
           "unsupported hash rejected");

  /* Another key does not verify it.  */
  if (!pk_generate (PK_RSA, PK_CURVE_NONE, 2048, &other))
    ok_code (pk_verify (other, PK_HASH_SHA256, md, 32, sig, 1),
             GPG_ERR_BAD_SIGNATURE, "RSA wrong key rejected");
  else
    ok (0, "generate other RSA key");
  release_sig (sig);

  /* Secret mismatches.  */
  set_hex (key, 1, 3, rsa_p);
  ok_code (pk_check_secret (key), GPG_ERR_BAD_SECKEY, "RSA bad u detected");
  set_hex (key, 1, 3, rsa_u);
  ok_err (pk_check_secret (key), "RSA restored u checks");
  set_hex (key, 1, 1, rsa_q);
  set_hex (key, 1, 2, rsa_p);
  ok_code (pk_check_secret (key), GPG_ERR_BAD_SECKEY, "RSA p > q detected");
  set_hex (key, 1, 1, rsa_p);
  set_hex (key, 1, 2, rsa_q);
  set_hex (key, 1, 0, rsa_u);
  ok_code (pk_check_secret (key), GPG_ERR_BAD_SECKEY, "RSA bad d detected");
  set_hex (key, 1, 0, rsa_d);
  if (other)
    {
      pk_key_t *mix = NULL;

      pk_key_copy (other, 0, &mix);
      set_hex (mix, 0, 0, rsa_n);
      ok_code (pk_check_secret (mix), GPG_ERR_BAD_SECKEY,
               "RSA secret of another key detected");
      pk_key_release (mix);
    }
  ok_err (pk_check_secret (key), "RSA restored key checks");
  key->nsec = 3;
  ok_code (pk_check_secret (key), GPG_ERR_BAD_SECKEY,
           "RSA missing secret MPI detected");
  {
    pk_key_t *broken = NULL;

    /* A malformed secret part does not break public operations.  */
    pk_key_copy (key, 0, &broken);
    ok_code (pk_sign (broken, PK_HASH_SHA256, md, 32, sig2, &nsig),
             GPG_ERR_BAD_SECKEY, "RSA sign with incomplete secret fails");
    ok (broken && grip_is (broken, rsa_grip),
        "keygrip of a key with incomplete secret");
    pk_key_release (broken);
  }
  key->nsec = 4;

  pk_key_release (other);
  pk_key_release (pub);
  pk_key_release (key);
}


/* Ed25519 known answer (RFC 8032), forgeries, leading zeros.  */
static void
test_ed25519_kat (void)
{
  pk_key_t *key = ecc_key (PK_EDDSA, PK_CURVE_ED25519, ed_q, ed_seed);
  pk_key_t *other = NULL;
  unsigned char md[64];
  pk_mpi_t sig[PK_MAX_SIG];
  unsigned int nsig = 0, i, tries;
  int found;

  digest_of (PK_HASH_SHA512, "abc", md);
  ok_err (pk_check_secret (key), "Ed25519 KAT secret checks");
  ok_err (pk_sign (key, PK_HASH_SHA512, md, 64, sig, &nsig),
          "Ed25519 sign");
  ok (nsig == 2 && mpi_eq_hex (&sig[0], ed_sig_r)
      && mpi_eq_hex (&sig[1], ed_sig_s), "Ed25519 signature = RFC 8032");
  ok_err (pk_verify (key, PK_HASH_SHA512, md, 64, sig, 2),
          "Ed25519 verify");
  flip (&sig[0], 7);
  ok_code (pk_verify (key, PK_HASH_SHA512, md, 64, sig, 2),
           GPG_ERR_BAD_SIGNATURE, "Ed25519 flipped R rejected");
  flip (&sig[0], 7);
  flip (&sig[1], 0);
  ok_code (pk_verify (key, PK_HASH_SHA512, md, 64, sig, 2),
           GPG_ERR_BAD_SIGNATURE, "Ed25519 flipped S rejected");
  flip (&sig[1], 0);
  md[0] ^= 0x80;
  ok_code (pk_verify (key, PK_HASH_SHA512, md, 64, sig, 2),
           GPG_ERR_BAD_SIGNATURE, "Ed25519 other digest rejected");
  md[0] ^= 0x80;
  ok_code (pk_verify (key, PK_HASH_SHA384, md, 48, sig, 2),
           GPG_ERR_BAD_SIGNATURE, "Ed25519 wrong hash (truncated) rejected");
  if (!pk_generate (PK_EDDSA, PK_CURVE_ED25519, 0, &other))
    ok_code (pk_verify (other, PK_HASH_SHA512, md, 64, sig, 2),
             GPG_ERR_BAD_SIGNATURE, "Ed25519 wrong key rejected");
  else
    ok (0, "generate Ed25519");
  release_sig (sig);

  /* An OpenPGP MPI strips leading zeros of R/S: find a signature
   * whose R starts with 00 and check it still verifies.  */
  found = 0;
  for (tries = 0; tries < 4000 && !found; tries++)
    {
      md[0] = tries & 0xff;
      md[1] = tries >> 8;
      if (pk_sign (key, PK_HASH_SHA512, md, 64, sig, &nsig))
        break;
      if (sig[0].len < 32 || sig[1].len < 32)
        {
          found = 1;
          ok_err (pk_verify (key, PK_HASH_SHA512, md, 64, sig, 2),
                  "Ed25519 short R/S MPI verifies (after %u tries)", tries);
        }
      release_sig (sig);
    }
  if (!found)
    ok (0, "no Ed25519 signature with a short MPI found");

  /* Secret mismatch: seed of another key.  */
  if (other)
    {
      pk_mpi_release (&key->sec[0]);
      key->sec[0].data = xtrymalloc_secure (other->sec[0].len);
      memcpy (key->sec[0].data, other->sec[0].data, other->sec[0].len);
      key->sec[0].len = other->sec[0].len;
      ok_code (pk_check_secret (key), GPG_ERR_BAD_SECKEY,
               "Ed25519 secret of another key detected");
      /* A signature made with the mismatched pair does not verify.  */
      pk_key_t *mix = NULL;
      if (!pk_key_copy (key, 0, &mix)
          && !pk_sign (mix, PK_HASH_SHA512, md, 64, sig, &nsig))
        ok_code (pk_verify (mix, PK_HASH_SHA512, md, 64, sig, 2),
                 GPG_ERR_BAD_SIGNATURE,
                 "Ed25519 mismatched pair yields bad signatures");
      else
        ok (0, "sign with mismatched pair");
      release_sig (sig);
      pk_key_release (mix);
    }
  /* Oversized R.  */
  {
    pk_mpi_t big[2];

    mpi_from_hex (&big[0], "01" "0000000000000000000000000000000000000000"
                  "000000000000000000000000");
    mpi_from_hex (&big[1], ed_sig_s);
    ok_code (pk_verify (key, PK_HASH_SHA512, md, 64, big, 2),
             GPG_ERR_BAD_SIGNATURE, "Ed25519 33-byte R rejected");
    for (i = 0; i < 2; i++)
      pk_mpi_release (&big[i]);
  }
  pk_key_release (other);
  pk_key_release (key);
}


/* Curve25519 secret byte order (RFC 7748).  */
static void
test_cv25519_kat (void)
{
  pk_key_t *key = ecc_key (PK_ECDH, PK_CURVE_CV25519, cv_q, cv_d);
  unsigned char md[32];
  pk_mpi_t sig[PK_MAX_SIG];
  unsigned int nsig;

  key->kdf_hash = PK_HASH_SHA256;
  key->kdf_cipher = PK_CIPHER_AES128;
  ok_err (pk_check_secret (key), "Curve25519 OpenPGP-order secret checks");
  set_hex (key, 1, 0, cv_native);
  ok_code (pk_check_secret (key), GPG_ERR_BAD_SECKEY,
           "Curve25519 native-order secret detected as wrong");
  memset (md, 0, sizeof md);
  ok_code (pk_sign (key, PK_HASH_SHA256, md, 32, sig, &nsig),
           GPG_ERR_WRONG_PUBKEY_ALGO, "ECDH cannot sign");
  ok (pk_key_nbits (key) == 255, "Curve25519 nbits");
  pk_key_release (key);
}


/* ECDSA known signatures (OpenSSL) and forgeries.  */
static void
test_ecdsa_kat (void)
{
  pk_key_t *key;
  unsigned char md[64];
  pk_mpi_t sig[PK_MAX_SIG];
  unsigned int nsig;

  memset (sig, 0, sizeof sig);
  key = ecc_key (PK_ECDSA, PK_CURVE_NISTP256, p256_q, p256_d);
  ok_err (pk_check_secret (key), "P-256 KAT secret checks");
  digest_of (PK_HASH_SHA256, "sample", md);
  mpi_from_hex (&sig[0], p256_r);
  mpi_from_hex (&sig[1], p256_s);
  ok_err (pk_verify (key, PK_HASH_SHA256, md, 32, sig, 2),
          "P-256 verifies OpenSSL signature");
  flip (&sig[1], 3);
  ok_code (pk_verify (key, PK_HASH_SHA256, md, 32, sig, 2),
           GPG_ERR_BAD_SIGNATURE, "P-256 flipped s rejected");
  flip (&sig[1], 3);
  md[31] ^= 1;
  ok_code (pk_verify (key, PK_HASH_SHA256, md, 32, sig, 2),
           GPG_ERR_BAD_SIGNATURE, "P-256 other digest rejected");
  md[31] ^= 1;
  release_sig (sig);
  ok_err (pk_sign (key, PK_HASH_SHA256, md, 32, sig, &nsig), "P-256 sign");
  ok (nsig == 2 && mpi_eq_hex (&sig[0], p256_det_r)
      && mpi_eq_hex (&sig[1], p256_det_s),
      "P-256 signature = RFC 6979 A.2.5");
  ok_err (pk_verify (key, PK_HASH_SHA256, md, 32, sig, nsig),
          "P-256 own signature verifies");
  release_sig (sig);
  set_hex (key, 1, 0, p384_d + 48);
  ok_code (pk_check_secret (key), GPG_ERR_BAD_SECKEY,
           "P-256 wrong scalar detected");
  pk_key_release (key);

  key = ecc_key (PK_ECDSA, PK_CURVE_NISTP384, p384_q, p384_d);
  ok_err (pk_check_secret (key), "P-384 KAT secret checks");
  digest_of (PK_HASH_SHA512, "sample", md);
  mpi_from_hex (&sig[0], p384_r);
  mpi_from_hex (&sig[1], p384_s);
  ok_err (pk_verify (key, PK_HASH_SHA512, md, 64, sig, 2),
          "P-384 verifies OpenSSL SHA-512 signature (truncation)");
  md[63] ^= 1;  /* Beyond the truncation: still valid.  */
  ok_err (pk_verify (key, PK_HASH_SHA512, md, 64, sig, 2),
          "P-384 ignores digest bytes beyond the order");
  md[63] ^= 1;
  md[47] ^= 1;
  ok_code (pk_verify (key, PK_HASH_SHA512, md, 64, sig, 2),
           GPG_ERR_BAD_SIGNATURE, "P-384 other digest rejected");
  release_sig (sig);
  md[47] ^= 1;
  ok_err (pk_sign (key, PK_HASH_SHA512, md, 64, sig, &nsig), "P-384 sign");
  ok (nsig == 2 && mpi_eq_hex (&sig[0], p384_det_r)
      && mpi_eq_hex (&sig[1], p384_det_s),
      "P-384 SHA-512 signature = RFC 6979 A.2.6");
  release_sig (sig);
  pk_key_release (key);
}


/* Generate, check, sign and verify for every algorithm.  */
static void
test_roundtrips (void)
{
  static const struct { int algo, curve; unsigned int nbits; int hash;
    unsigned char kdf_hash, kdf_cipher; } t[] =
    {
      { PK_RSA, PK_CURVE_NONE, 2048, PK_HASH_SHA256, 0, 0 },
      { PK_RSA, PK_CURVE_NONE, 3072, PK_HASH_SHA512, 0, 0 },
      { PK_RSA, PK_CURVE_NONE, 4096, PK_HASH_SHA512, 0, 0 },
      { PK_EDDSA, PK_CURVE_ED25519, 0, PK_HASH_SHA512, 0, 0 },
      { PK_EDDSA, PK_CURVE_ED25519, 0, PK_HASH_SHA256, 0, 0 },
      { PK_ECDSA, PK_CURVE_NISTP256, 0, PK_HASH_SHA256, 0, 0 },
      { PK_ECDSA, PK_CURVE_NISTP256, 0, PK_HASH_SHA512, 0, 0 },
      { PK_ECDSA, PK_CURVE_NISTP384, 0, PK_HASH_SHA384, 0, 0 },
      { PK_ECDSA, PK_CURVE_NISTP521, 0, PK_HASH_SHA512, 0, 0 },
      { PK_ECDH, PK_CURVE_CV25519, 0, 0, PK_HASH_SHA256, PK_CIPHER_AES128 },
      { PK_ECDH, PK_CURVE_NISTP256, 0, 0, PK_HASH_SHA256, PK_CIPHER_AES128 },
      { PK_ECDH, PK_CURVE_NISTP384, 0, 0, PK_HASH_SHA384, PK_CIPHER_AES256 },
      { PK_ECDH, PK_CURVE_NISTP521, 0, 0, PK_HASH_SHA512, PK_CIPHER_AES256 }
    };
  size_t i;
  pk_key_t *key, *pub;
  unsigned char md[64], grip1[20], grip2[20];
  pk_mpi_t sig[PK_MAX_SIG];
  unsigned int nsig;
  gpg_error_t err;

  for (i = 0; i < DIM (t); i++)
    {
      const char *name = t[i].algo == PK_RSA ? "RSA"
        : pk_curve_name (t[i].curve);
      double t0 = now ();

      key = pub = NULL;
      err = pk_generate (t[i].algo, t[i].curve, t[i].nbits, &key);
      ok_err (err, "generate %s %u/%d (%.2fs)", name, t[i].nbits, t[i].algo,
              now () - t0);
      if (err)
        continue;
      ok (key->algo == t[i].algo && key->curve == t[i].curve
          && key->npub == pk_algo_npub (t[i].algo)
          && key->nsec == pk_algo_nsec (t[i].algo)
          && gcry_is_secure (key->sec[0].data)
          && (t[i].algo != PK_RSA || pk_key_nbits (key) == t[i].nbits)
          && key->kdf_hash == t[i].kdf_hash
          && key->kdf_cipher == t[i].kdf_cipher,
          "%s: shape, nbits, KDF parameters", name);
      if (t[i].algo == PK_RSA)
        ok (key->sec[1].len < key->sec[2].len
            || (key->sec[1].len == key->sec[2].len
                && memcmp (key->sec[1].data, key->sec[2].data,
                           key->sec[1].len) < 0), "RSA p < q");
      if (t[i].curve == PK_CURVE_CV25519)
        ok (key->sec[0].len == 32 && (key->sec[0].data[0] & 0xc0) == 0x40
            && !(key->sec[0].data[31] & 7),
            "Curve25519 secret clamped in OpenPGP (reversed) order");
      ok_err (pk_check_secret (key), "%s: generated secret checks", name);
      ok_err (pk_key_copy (key, 1, &pub), "%s: public copy", name);
      ok (!pk_keygrip (key, grip1) && !pk_keygrip (pub, grip2)
          && !memcmp (grip1, grip2, 20), "%s: keygrip of copy equal", name);
      if (!t[i].hash)
        {
          pk_key_release (pub);
          pk_key_release (key);
          continue;
        }
      gcry_randomize (md, sizeof md, GCRY_WEAK_RANDOM);
      err = pk_sign (key, t[i].hash, md, pk_hash_len (t[i].hash), sig, &nsig);
      ok_err (err, "%s: sign", name);
      if (!err)
        {
          ok_err (pk_verify (pub, t[i].hash, md, pk_hash_len (t[i].hash),
                             sig, nsig), "%s: verify", name);
          flip (&sig[nsig - 1], 1);
          ok_code (pk_verify (pub, t[i].hash, md, pk_hash_len (t[i].hash),
                              sig, nsig), GPG_ERR_BAD_SIGNATURE,
                   "%s: forged signature rejected", name);
          release_sig (sig);
        }
      pk_key_release (pub);
      pk_key_release (key);
    }

  ok_code (pk_generate (PK_RSA, PK_CURVE_NONE, 1024, &key), GPG_ERR_INV_VALUE,
           "RSA 1024 generation refused");
  ok (!key, "no key on error");
  ok_code (pk_generate (PK_EDDSA, PK_CURVE_NISTP256, 0, &key),
           GPG_ERR_PUBKEY_ALGO, "unsupported combination refused");
}


/* Two threads signing with one key.  */
struct worker
{
  const pk_key_t *key;
  int hash;
  unsigned int n;
  unsigned int good;
  gpg_error_t err;
};

static void *
worker_main (void *arg)
{
  struct worker *w = arg;
  unsigned char md[64];
  pk_mpi_t sig[PK_MAX_SIG];
  unsigned int i, nsig;
  size_t mdlen = pk_hash_len (w->hash);

  for (i = 0; i < w->n; i++)
    {
      gcry_create_nonce (md, mdlen);
      w->err = pk_sign (w->key, w->hash, md, mdlen, sig, &nsig);
      if (w->err)
        break;
      if (!pk_verify (w->key, w->hash, md, mdlen, sig, nsig))
        w->good++;
      release_sig (sig);
    }
  return NULL;
}


/* Run NTHREADS workers doing N signatures each; return ops/sec, set
 * *R_ALLGOOD.  */
static double
run_threads (const pk_key_t *key, int hash, unsigned int nthreads,
             unsigned int n, int *r_allgood)
{
  pthread_t th[2];
  struct worker w[2];
  unsigned int i;
  double t0 = now ();

  *r_allgood = 1;
  for (i = 0; i < nthreads; i++)
    {
      w[i].key = key;
      w[i].hash = hash;
      w[i].n = n;
      w[i].good = 0;
      w[i].err = 0;
      if (pthread_create (&th[i], NULL, worker_main, &w[i]))
        {
          *r_allgood = 0;
          return 0;
        }
    }
  for (i = 0; i < nthreads; i++)
    {
      pthread_join (th[i], NULL);
      if (w[i].err || w[i].good != n)
        {
          if (w[i].err)
            printf ("# thread %u: %s\n", i, gpg_strerror (w[i].err));
          *r_allgood = 0;
        }
    }
  return nthreads * n / (now () - t0);
}


static void
test_threads (void)
{
  static const struct { int algo, curve; unsigned int nbits, n; int hash; }
  t[] =
    {
      { PK_EDDSA, PK_CURVE_ED25519, 0, 300, PK_HASH_SHA512 },
      { PK_ECDSA, PK_CURVE_NISTP256, 0, 200, PK_HASH_SHA256 },
      { PK_RSA, PK_CURVE_NONE, 2048, 40, PK_HASH_SHA256 }
    };
  size_t i;
  pk_key_t *key;
  int allgood;
  double ops;

  for (i = 0; i < DIM (t); i++)
    {
      const char *name = t[i].algo == PK_RSA ? "RSA 2048"
        : pk_curve_name (t[i].curve);

      if (pk_generate (t[i].algo, t[i].curve, t[i].nbits, &key))
        {
          ok (0, "generate for thread test");
          continue;
        }
      /* The cache is still empty: both threads race to build it.  */
      pk_key_t *fresh = NULL;
      pk_key_copy (key, 0, &fresh);
      ops = run_threads (fresh, t[i].hash, 2, t[i].n, &allgood);
      ok (allgood, "%s: 2 threads x %u signatures all verify", name, t[i].n);
      tap_diag ("%s sign+verify, 2 threads: %.0f ops/s", name, ops);
      pk_key_release (fresh);
      pk_key_release (key);
    }
}


/* Quick speed report (diagnostic only).  */
static void
bench_diag (void)
{
  static const struct { int algo, curve; unsigned int nbits, n; int hash; }
  t[] =
    {
      { PK_RSA, PK_CURVE_NONE, 4096, 20, PK_HASH_SHA512 },
      { PK_EDDSA, PK_CURVE_ED25519, 0, 500, PK_HASH_SHA512 }
    };
  size_t i;
  unsigned int j, nsig;
  pk_key_t *key, *copy;
  unsigned char md[64];
  pk_mpi_t sig[PK_MAX_SIG];
  double t0, cached, uncached;

  for (i = 0; i < DIM (t); i++)
    {
      if (pk_generate (t[i].algo, t[i].curve, t[i].nbits, &key))
        continue;
      gcry_create_nonce (md, sizeof md);
      t0 = now ();
      for (j = 0; j < t[i].n; j++)
        if (!pk_sign (key, t[i].hash, md, pk_hash_len (t[i].hash),
                      sig, &nsig))
          release_sig (sig);
      cached = t[i].n / (now () - t0);
      t0 = now ();
      for (j = 0; j < t[i].n; j++)
        {
          /* A fresh copy has no cache: measures the S-exp building.  */
          if (pk_key_copy (key, 0, &copy))
            break;
          if (!pk_sign (copy, t[i].hash, md, pk_hash_len (t[i].hash),
                        sig, &nsig))
            release_sig (sig);
          pk_key_release (copy);
        }
      uncached = t[i].n / (now () - t0);
      tap_diag ("%s sign, 1 thread: %.0f ops/s cached, %.0f ops/s uncached",
                t[i].algo == PK_RSA ? "RSA 4096" : "Ed25519",
                cached, uncached);
      pk_key_release (key);
    }
}


int
main (void)
{
  gpg_error_t err;

  err = oca_init_gcrypt (0);
  if (err)
    {
      printf ("Bail out! oca_init_gcrypt: %s\n", gpg_strerror (err));
      return 1;
    }

  test_tables ();
  test_key_basics ();
  test_keygrips ();
  test_rsa_kat ();
  test_ed25519_kat ();
  test_cv25519_kat ();
  test_ecdsa_kat ();
  test_roundtrips ();
  test_threads ();
  if (!getenv ("OCA_T_PK_NOBENCH"))
    bench_diag ();

  return tap_done ();
}
