/* t-scd-client-live.c - drive libocascdclient against a real server
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Test driver used by t-scd-client.sh and tests/scd/: connects with
 * the client library and runs commands, printing parsed results in a
 * stable "key: value" form that the shell tests compare.
 *
 * Usage:
 *   t-scd-client-live (--scd PROGRAM [--homedir DIR] | --agent [--socket S])
 *                     [--pins FILE] CMD [ARGS] [-- CMD [ARGS]]...
 *
 * PINs are read from FILE (lines "user 123456", "admin 12345678",
 * "new 654321", "reset ...", "agentN <pin>" for the N-th loopback
 * request of a command through gpg-agent); never from the command line
 * or the environment.  Commands: serialno [DEMAND], list, learn,
 * getattr NAME, readkey ID, sign ID HASH HEX, signloop N ID HASH HEX,
 * auth ID HEX, authloop N ID HEX, decrypt ID HEX, genkey N [ALGO],
 * writekey ID SEXPFILE, setattr NAME VALUE, passwd CHV [reset|clear],
 * checkpin ID, getdata TAG, putdata TAG HEX, algoinfo,
 * random N, restart, raw LINE (TAG in hex), mark FILE (creates FILE:
 * tells a test script that the commands before it are done).
 *
 * Checked operations (the result is verified here with libgcrypt
 * against the key READKEY returns, printing "verified: ..." or
 * failing):
 *   signverify ID DIGEST32HEX   PKSIGN --hash=sha256 of the DigestInfo
 *   authverify ID DIGEST32HEX   PKAUTH of the DigestInfo
 *   decryptrt ID                encrypt a random value to the key (RSA
 *                               PKCS#1 or ECDH), PKDECRYPT, compare
 *   mkkey ALGO FILE             write a fresh private key (rsa2048,
 *                               ed25519, cv25519, nistp256, nistp384) for writekey, with
 *                               created-at 1700000000
 */
#include <config.h>
#include "scd-client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char pinfile_text[4096];

/* Look up KEY in the PIN file; return a secure copy or NULL.  */
static char *
lookup_pin (const char *key)
{
  const char *p = pinfile_text;
  size_t klen = strlen (key);

  while (*p)
    {
      size_t n = strcspn (p, "\n");

      if (n > klen && !strncmp (p, key, klen) && p[klen] == ' ')
        {
          char *pin = gcry_malloc_secure (n - klen);

          if (!pin)
            return NULL;
          memcpy (pin, p + klen + 1, n - klen - 1);
          pin[n - klen - 1] = 0;
          return pin;
        }
      p += n;
      if (*p)
        p++;
    }
  return NULL;
}


static gpg_error_t
pin_cb (void *opaque, const scd_pin_request_t *req, char **r_pin)
{
  char key[32];
  const char *which;

  *r_pin = NULL;
  fprintf (stderr, "pin-request: keyword=%s seq=%u admin=%d new=%d rc=%d "
           "agent=%d\n", req->keyword, req->seq, req->admin, req->newpin,
           req->resetcode, req->via_agent);
  if (req->via_agent)
    {
      snprintf (key, sizeof key, "agent%u", req->seq);
      *r_pin = lookup_pin (key);
      if (*r_pin)
        return 0;
    }
  if (req->newpin)
    which = req->admin ? "newadmin" : req->resetcode ? "newreset" : "new";
  else if (req->resetcode)
    which = "reset";
  else if (req->admin)
    which = "admin";
  else
    which = "user";
  *r_pin = lookup_pin (which);
  if (!*r_pin && !strcmp (which, "newadmin"))
    *r_pin = lookup_pin ("new");
  return *r_pin ? 0 : gpg_error (GPG_ERR_CANCELED);
}


static void
print_hex (const char *label, const unsigned char *buf, size_t len)
{
  size_t i;

  printf ("%s: ", label);
  for (i = 0; i < len; i++)
    printf ("%02X", buf[i]);
  putchar ('\n');
}


static gpg_error_t
hexarg (const char *hex, unsigned char **r_buf, size_t *r_len)
{
  return oca_hex2bin_alloc (hex, 0, r_buf, r_len);
}


static void
print_info (const scd_cardinfo_t *info)
{
  int i;

  printf ("reader: %s\n", info->reader ? info->reader : "");
  printf ("serialno: %s\n", info->serialno ? info->serialno : "");
  printf ("ident: %s\n", info->ident);
  printf ("apptype: %s\n", info->apptype ? info->apptype : "");
  printf ("appversion: %X\n", info->appversion);
  if (info->manufacturer_valid)
    printf ("manufacturer: %u %s\n", info->manufacturer_id,
            info->manufacturer ? info->manufacturer : "");
  printf ("disp-name: %s\n", info->disp_name ? info->disp_name : "");
  for (i = 0; i < 3; i++)
    {
      char label[16];

      if (info->fpr_valid[i])
        {
          snprintf (label, sizeof label, "fpr%d", i + 1);
          print_hex (label, info->fpr[i], 20);
        }
      if (info->key_time[i])
        printf ("keytime%d: %lu\n", i + 1, info->key_time[i]);
      if (info->keypairinfo[i].valid)
        printf ("grip%d: %s %s\n", i + 1, info->keypairinfo[i].grip,
                info->keypairinfo[i].usage);
      if (info->key_attr[i].algo == 1)
        printf ("keyattr%d: rsa%u\n", i + 1, info->key_attr[i].nbits);
      else if (info->key_attr[i].algo)
        printf ("keyattr%d: %d %s\n", i + 1, info->key_attr[i].algo,
                info->key_attr[i].curve);
      if (info->uif_valid[i])
        printf ("uif%d: %u\n", i + 1, info->uif[i]);
    }
  if (info->chv_status_valid)
    printf ("chv-status: %d %d %d %d %d %d %d\n", info->chv_status[0],
            info->chv_status[1], info->chv_status[2], info->chv_status[3],
            info->chv_status[4], info->chv_status[5], info->chv_status[6]);
  if (info->sig_counter_valid)
    printf ("sig-counter: %lu\n", info->sig_counter);
  if (info->extcap_valid)
    printf ("extcap: ki=%d aac=%d bt=%d kdf=%d si=%u\n", info->extcap.ki,
            info->extcap.aac, info->extcap.bt, info->extcap.kdf,
            info->extcap.si);
}


/* Read the public key ID from the card as a gcrypt S-expression.  */
static gpg_error_t
read_pubkey (scd_client_t scd, const char *id, gcry_sexp_t *r_key)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len;

  *r_key = NULL;
  err = scd_client_readkey (scd, id, &buf, &len);
  if (!err)
    err = gcry_sexp_new (r_key, buf, len, 1);
  xfree (buf);
  return err;
}


/* Return 1 for RSA, 2 for EdDSA, 3 for Curve25519 (ECDH), 4 for other
 * ECC, 0 for unknown.  */
static int
key_kind (gcry_sexp_t key)
{
  gcry_sexp_t l;
  int kind = 0;

  if ((l = gcry_sexp_find_token (key, "rsa", 0)))
    kind = 1;
  else if ((l = gcry_sexp_find_token (key, "ecc", 0)))
    {
      gcry_sexp_t c = gcry_sexp_find_token (l, "curve", 0);
      const char *name;
      size_t n;

      name = c ? gcry_sexp_nth_data (c, 1, &n) : NULL;
      if (name && n == 7 && !memcmp (name, "Ed25519", 7))
        kind = 2;
      else if (name && n == 10 && !memcmp (name, "Curve25519", 10))
        kind = 3;
      else
        kind = 4;
      gcry_sexp_release (c);
    }
  gcry_sexp_release (l);
  return kind;
}


/* Verify SIG (as the card returns it) over the SHA-256 DIGEST with KEY.  */
static gpg_error_t
verify_sig (gcry_sexp_t key, const unsigned char *digest,
            const unsigned char *sig, size_t siglen)
{
  gpg_error_t err;
  gcry_sexp_t s_data = NULL, s_sig = NULL;
  int kind = key_kind (key);

  if (kind == 1)
    {
      err = gcry_sexp_build (&s_data, NULL,
                             "(data (flags pkcs1) (hash sha256 %b))",
                             32, digest);
      if (!err)
        err = gcry_sexp_build (&s_sig, NULL, "(sig-val (rsa (s %b)))",
                               (int)siglen, sig);
    }
  else if (kind == 2 || kind == 4)
    {
      if (siglen % 2)
        return gpg_error (GPG_ERR_BAD_SIGNATURE);
      if (kind == 2)
        err = gcry_sexp_build (&s_data, NULL,
                               "(data (flags eddsa) (hash-algo sha512)"
                               " (value %b))", 32, digest);
      else
        err = gcry_sexp_build (&s_data, NULL, "(data (flags raw)"
                               " (value %b))", 32, digest);
      if (!err)
        err = gcry_sexp_build (&s_sig, NULL, kind == 2
                               ? "(sig-val (eddsa (r %b) (s %b)))"
                               : "(sig-val (ecdsa (r %b) (s %b)))",
                               (int)siglen / 2, sig,
                               (int)siglen / 2, sig + siglen / 2);
    }
  else
    return gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO);
  if (!err)
    err = gcry_pk_verify (s_sig, s_data, key);
  gcry_sexp_release (s_data);
  gcry_sexp_release (s_sig);
  return err;
}


/* signverify / authverify ID DIGEST32HEX.  */
static gpg_error_t
sign_and_verify (scd_client_t scd, int auth, const char *id,
                 const char *digesthex)
{
  gpg_error_t err;
  gcry_sexp_t key = NULL;
  unsigned char *digest = NULL, *sig = NULL;
  unsigned char di[19 + 32];
  const unsigned char *prefix;
  size_t dlen, siglen, prefixlen;

  err = oca_hex2bin_alloc (digesthex, 0, &digest, &dlen);
  if (!err && dlen != 32)
    err = gpg_error (GPG_ERR_INV_ARG);
  if (!err)
    err = read_pubkey (scd, id, &key);
  if (err)
    goto leave;
  prefix = card_digestinfo_prefix (GCRY_MD_SHA256, &prefixlen);
  memcpy (di, prefix, prefixlen);
  memcpy (di + 19, digest, 32);
  if (auth)
    err = scd_client_pkauth (scd, id, di, sizeof di, &sig, &siglen);
  else
    err = scd_client_pksign (scd, id, "sha256", di, sizeof di, &sig, &siglen);
  if (err)
    goto leave;
  print_hex ("sig", sig, siglen);
  err = verify_sig (key, digest, sig, siglen);
  if (!err)
    printf ("verified: %s\n", key_kind (key) == 1 ? "rsa"
            : key_kind (key) == 2 ? "eddsa" : "ecdsa");

 leave:
  gcry_sexp_release (key);
  xfree (digest);
  xfree (sig);
  return err;
}


/* Get the data of token NAME in SEXP as a fresh buffer.  */
static gpg_error_t
sexp_bytes (gcry_sexp_t sexp, const char *name, unsigned char **r_buf,
            size_t *r_len)
{
  gcry_sexp_t l = gcry_sexp_find_token (sexp, name, 0);
  const char *p;
  size_t n;

  *r_buf = NULL;
  p = l ? gcry_sexp_nth_data (l, 1, &n) : NULL;
  if (!p)
    {
      gcry_sexp_release (l);
      return gpg_error (GPG_ERR_INV_SEXP);
    }
  *r_buf = gcry_malloc_secure (n ? n : 1);
  if (*r_buf)
    memcpy (*r_buf, p, n);
  *r_len = n;
  gcry_sexp_release (l);
  return *r_buf ? 0 : gpg_error_from_syserror ();
}


/* decryptrt ID: encrypt a random value to the card key, decrypt it on
 * the card, compare.  */
static gpg_error_t
decrypt_roundtrip (scd_client_t scd, const char *id)
{
  gpg_error_t err;
  gcry_sexp_t key = NULL, s_data = NULL, s_enc = NULL;
  unsigned char value[32];
  unsigned char *cipher = NULL, *expect = NULL, *plain = NULL;
  size_t clen = 0, elen = 0, plen = 0;
  int kind;

  err = read_pubkey (scd, id, &key);
  if (err)
    goto leave;
  kind = key_kind (key);
  gcry_randomize (value, sizeof value, GCRY_STRONG_RANDOM);
  if (kind == 1)
    err = gcry_sexp_build (&s_data, NULL, "(data (flags pkcs1) (value %b))",
                           (int)sizeof value, value);
  else if (kind == 3 || kind == 4)
    {
      /* ECDH: the value is the ephemeral secret k; s = kQ, e = kG.  */
      value[0] &= 0x7f;
      value[0] |= 0x40;
      err = gcry_sexp_build (&s_data, NULL, "(data (flags raw) (value %b))",
                             (int)sizeof value, value);
    }
  else
    err = gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO);
  if (!err)
    err = gcry_pk_encrypt (&s_enc, s_data, key);
  if (err)
    goto leave;
  if (kind == 1)
    {
      err = sexp_bytes (s_enc, "a", &cipher, &clen);
      if (!err)
        {
          expect = gcry_malloc_secure (sizeof value);
          if (!expect)
            err = gpg_error_from_syserror ();
          else
            memcpy (expect, value, elen = sizeof value);
        }
    }
  else
    {
      err = sexp_bytes (s_enc, "e", &cipher, &clen);
      if (!err)
        err = sexp_bytes (s_enc, "s", &expect, &elen);
    }
  if (err)
    goto leave;
  err = scd_client_pkdecrypt (scd, id, cipher, clen, &plain, &plen);
  if (err)
    goto leave;
  /* A card answering only the x-coordinate: scdaemon returns it as
   * 41 || X (spec B.8); compare it with X of the full point.  */
  if (kind == 4 && plen >= 2 && plain[0] == 0x41 && elen == 2 * plen - 1
      && expect[0] == 0x04 && !memcmp (plain + 1, expect + 1, plen - 1))
    elen = plen;
  else if (plen != elen || memcmp (plain, expect, elen))
    {
      print_hex ("got", plain, plen);
      print_hex ("want", expect, elen);
      err = gpg_error (GPG_ERR_BAD_DATA);
      goto leave;
    }
  printf ("roundtrip: %s %zu bytes\n", kind == 1 ? "rsa" : "ecdh", plen);

 leave:
  wipememory (value, sizeof value);
  gcry_sexp_release (key);
  gcry_sexp_release (s_data);
  gcry_sexp_release (s_enc);
  gcry_free (cipher);
  if (expect)
    wipe_and_free (expect, elen);
  if (plain)
    wipe_and_free (plain, plen);
  return err;
}


/* mkkey ALGO FILE.  */
static gpg_error_t
make_key (const char *algo, const char *fname)
{
  gpg_error_t err;
  gcry_sexp_t parm = NULL, kp = NULL, sk = NULL, out = NULL;
  unsigned char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL,
    *f = NULL;
  size_t al, bl, cl, dl, el, fl;
  char *buf = NULL;
  size_t n;
  FILE *fp;

  if (!strcmp (algo, "rsa2048"))
    err = gcry_sexp_build (&parm, NULL, "(genkey (rsa (nbits 4:2048)))");
  else if (!strcmp (algo, "ed25519"))
    err = gcry_sexp_build (&parm, NULL,
                           "(genkey (ecc (curve Ed25519) (flags eddsa)))");
  else if (!strcmp (algo, "cv25519"))
    err = gcry_sexp_build (&parm, NULL,
                           "(genkey (ecc (curve Curve25519)"
                           " (flags djb-tweak)))");
  else if (!strcmp (algo, "nistp256"))
    err = gcry_sexp_build (&parm, NULL, "(genkey (ecc (curve nistp256)))");
  else if (!strcmp (algo, "nistp384"))
    err = gcry_sexp_build (&parm, NULL, "(genkey (ecc (curve nistp384)))");
  else
    return gpg_error (GPG_ERR_INV_ARG);
  if (!err)
    err = gcry_pk_genkey (&kp, parm);
  if (!err)
    sk = gcry_sexp_find_token (kp, "private-key", 0);
  if (!err && !sk)
    err = gpg_error (GPG_ERR_INV_SEXP);
  if (err)
    goto leave;
  if (!strcmp (algo, "rsa2048"))
    {
      err = sexp_bytes (sk, "n", &a, &al);
      if (!err) err = sexp_bytes (sk, "e", &b, &bl);
      if (!err) err = sexp_bytes (sk, "d", &c, &cl);
      if (!err) err = sexp_bytes (sk, "p", &d, &dl);
      if (!err) err = sexp_bytes (sk, "q", &e, &el);
      if (!err) err = sexp_bytes (sk, "u", &f, &fl);
      if (!err)
        err = gcry_sexp_build (&out, NULL, "(private-key (rsa (n %b) (e %b)"
                               " (d %b) (p %b) (q %b) (u %b))"
                               " (created-at 10:1700000000))",
                               (int)al, a, (int)bl, b, (int)cl, c,
                               (int)dl, d, (int)el, e, (int)fl, f);
    }
  else
    {
      int ed = !strcmp (algo, "ed25519");
      int nist = !strcmp (algo, "nistp256");
      int nist384 = !strcmp (algo, "nistp384");

      err = sexp_bytes (sk, "q", &a, &al);
      if (!err)
        err = sexp_bytes (sk, "d", &b, &bl);
      if (!err)
        err = gcry_sexp_build (&out, NULL, ed
                               ? "(private-key (ecc (curve Ed25519)"
                               " (flags eddsa) (q %b) (d %b))"
                               " (created-at 10:1700000000))"
                               : nist384
                               ? "(private-key (ecc (curve \"NIST P-384\")"
                               " (q %b) (d %b))"
                               " (created-at 10:1700000000))"
                               : nist
                               ? "(private-key (ecc (curve \"NIST P-256\")"
                               " (q %b) (d %b))"
                               " (created-at 10:1700000000))"
                               : "(private-key (ecc (curve Curve25519)"
                               " (flags djb-tweak) (q %b) (d %b))"
                               " (created-at 10:1700000000))",
                               (int)al, a, (int)bl, b);
    }
  if (err)
    goto leave;
  n = gcry_sexp_sprint (out, GCRYSEXP_FMT_CANON, NULL, 0);
  buf = gcry_malloc_secure (n);
  if (!buf)
    {
      err = gpg_error_from_syserror ();
      goto leave;
    }
  n = gcry_sexp_sprint (out, GCRYSEXP_FMT_CANON, buf, n);
  fp = fopen (fname, "wb");
  if (!fp || fwrite (buf, n, 1, fp) != 1)
    err = gpg_error_from_syserror ();
  if (fp && fclose (fp))
    err = gpg_error_from_syserror ();
  if (!err)
    printf ("mkkey: %s %zu bytes\n", algo, n);

 leave:
  gcry_sexp_release (parm);
  gcry_sexp_release (kp);
  gcry_sexp_release (sk);
  gcry_sexp_release (out);
  if (buf)
    wipe_and_free (buf, n);
  gcry_free (a); gcry_free (b); gcry_free (c);
  gcry_free (d); gcry_free (e); gcry_free (f);
  return err;
}


/* Run the command in ARGV[0..ARGC-1].  */
static gpg_error_t
run (scd_client_t scd, int argc, char **argv)
{
  gpg_error_t err = 0;
  const char *cmd = argv[0];
  unsigned char *buf = NULL, *buf2 = NULL;
  size_t len = 0, len2 = 0;

#define NEED(n) do { if (argc < (n) + 1) return gpg_error (GPG_ERR_INV_ARG); } while (0)
  if (!strcmp (cmd, "serialno"))
    {
      char *sn;

      err = scd_client_serialno (scd, argc > 1 ? argv[1] : NULL, &sn);
      if (!err)
        printf ("serialno: %s\n", sn);
      xfree (sn);
    }
  else if (!strcmp (cmd, "list"))
    {
      char **list;
      size_t n, i;

      err = scd_client_card_list (scd, &list, &n);
      if (!err)
        {
          printf ("cards: %zu\n", n);
          for (i = 0; i < n; i++)
            printf ("card: %s\n", list[i]);
        }
      scd_client_free_strlist (list);
    }
  else if (!strcmp (cmd, "learn") || !strcmp (cmd, "getattr"))
    {
      scd_cardinfo_t *info = NULL;

      if (!strcmp (cmd, "learn"))
        err = scd_client_learn (scd, &info);
      else
        {
          NEED (1);
          info = xtrycalloc (1, sizeof *info);
          err = info ? scd_client_getattr (scd, argv[1], info)
            : gpg_error_from_syserror ();
        }
      if (!err)
        print_info (info);
      scd_cardinfo_release (info);
    }
  else if (!strcmp (cmd, "readkey"))
    {
      gcry_sexp_t s_key;
      unsigned char grip[20];

      NEED (1);
      err = scd_client_readkey (scd, argv[1], &buf, &len);
      if (!err)
        {
          print_hex ("key", buf, len);
          if (!gcry_sexp_new (&s_key, buf, len, 0))
            {
              if (gcry_pk_get_keygrip (s_key, grip))
                print_hex ("grip", grip, 20);
              gcry_sexp_release (s_key);
            }
        }
    }
  else if (!strcmp (cmd, "sign") || !strcmp (cmd, "signloop"))
    {
      int loop = !strcmp (cmd, "signloop");
      int i, n = loop ? atoi (argv[1]) : 1;

      NEED (loop ? 4 : 3);
      err = hexarg (argv[loop + 3], &buf2, &len2);
      for (i = 0; !err && i < n; i++)
        {
          xfree (buf);
          buf = NULL;
          err = scd_client_pksign (scd, argv[loop + 1],
                                   strcmp (argv[loop + 2], "-")
                                   ? argv[loop + 2] : NULL,
                                   buf2, len2, &buf, &len);
        }
      if (!err)
        {
          print_hex ("sig", buf, len);
          if (loop)
            printf ("signed: %d\n", n);
        }
    }
  else if (!strcmp (cmd, "auth") || !strcmp (cmd, "authloop"))
    {
      int loop = !strcmp (cmd, "authloop");
      int i, n = loop ? atoi (argv[1]) : 1;

      NEED (loop ? 3 : 2);
      err = hexarg (argv[loop + 2], &buf2, &len2);
      for (i = 0; !err && i < n; i++)
        {
          xfree (buf);
          buf = NULL;
          err = scd_client_pkauth (scd, argv[loop + 1], buf2, len2,
                                   &buf, &len);
        }
      if (!err)
        print_hex ("auth", buf, len);
    }
  else if (!strcmp (cmd, "decrypt"))
    {
      NEED (2);
      err = hexarg (argv[2], &buf2, &len2);
      if (!err)
        err = scd_client_pkdecrypt (scd, argv[1], buf2, len2, &buf, &len);
      if (!err)
        print_hex ("plain", buf, len);
      wipe_and_free (buf, len);
      buf = NULL;
    }
  else if (!strcmp (cmd, "genkey"))
    {
      scd_genkey_result_t *res = NULL;

      NEED (1);
      err = scd_client_genkey (scd, atoi (argv[1]), SCD_GENKEY_FORCE,
                               1700000000, argc > 2 ? argv[2] : NULL, &res);
      if (!err)
        {
          printf ("created: %lu\n", res->created_at);
          if (res->n)
            print_hex ("n", res->n, res->nlen);
          if (res->e)
            print_hex ("e", res->e, res->elen);
          if (res->q)
            print_hex ("q", res->q, res->qlen);
          if (res->curve)
            print_hex ("curve", res->curve, res->curvelen);
          if (res->fpr_valid)
            print_hex ("fpr", res->fpr, 20);
        }
      scd_genkey_result_release (res);
    }
  else if (!strcmp (cmd, "writekey"))
    {
      FILE *fp;
      unsigned char *key;
      size_t n;

      NEED (2);
      key = gcry_malloc_secure (8192);
      fp = fopen (argv[2], "rb");
      if (!key || !fp)
        err = gpg_error_from_syserror ();
      else
        {
          n = fread (key, 1, 8192, fp);
          err = scd_client_writekey (scd, argv[1], 1, key, n);
          wipe_and_free (key, 8192);
          key = NULL;
        }
      if (fp)
        fclose (fp);
      xfree (key);
    }
  else if (!strcmp (cmd, "setattr"))
    {
      NEED (2);
      err = scd_client_setattr (scd, argv[1], argv[2], strlen (argv[2]));
    }
  else if (!strcmp (cmd, "passwd"))
    {
      unsigned int flags = 0;

      NEED (1);
      if (argc > 2 && !strcmp (argv[2], "reset"))
        flags |= SCD_PASSWD_RESET;
      if (argc > 2 && !strcmp (argv[2], "clear"))
        flags |= SCD_PASSWD_CLEAR;
      err = scd_client_passwd (scd, argv[1], flags);
    }
  else if (!strcmp (cmd, "checkpin"))
    {
      NEED (1);
      err = scd_client_checkpin (scd, argv[1]);
    }
  else if (!strcmp (cmd, "getdata"))
    {
      NEED (1);
      err = scd_client_get_data (scd, strtoul (argv[1], NULL, 16),
                                 &buf, &len);
      if (!err)
        print_hex ("data", buf, len);
    }
  else if (!strcmp (cmd, "putdata"))
    {
      NEED (2);
      err = hexarg (argv[2], &buf2, &len2);
      if (!err)
        err = scd_client_put_data (scd, strtoul (argv[1], NULL, 16),
                                   buf2, len2);
    }
  else if (!strcmp (cmd, "algoinfo"))
    {
      card_algoinfo_t *list = NULL;
      size_t i, count = 0;

      err = scd_client_algoinfo (scd, &list, &count);
      if (!err)
        printf ("algoinfo: %zu\n", count);
      for (i = 0; !err && i < count; i++)
        printf ("algo%d: %s\n", list[i].keyno, list[i].attr.algostr);
      xfree (list);
    }
  else if (!strcmp (cmd, "random"))
    {
      NEED (1);
      len = atoi (argv[1]);
      err = scd_client_random (scd, len, &buf);
      if (!err)
        printf ("random: %zu bytes\n", len);
    }
  else if (!strcmp (cmd, "signverify") || !strcmp (cmd, "authverify"))
    {
      NEED (2);
      err = sign_and_verify (scd, cmd[0] == 'a', argv[1], argv[2]);
    }
  else if (!strcmp (cmd, "decryptrt"))
    {
      NEED (1);
      err = decrypt_roundtrip (scd, argv[1]);
    }
  else if (!strcmp (cmd, "restart"))
    err = scd_client_restart (scd);
  else if (!strcmp (cmd, "mark"))
    {
      FILE *fp;

      NEED (1);
      fp = fopen (argv[1], "w");
      if (!fp || fclose (fp))
        err = gpg_error_from_syserror ();
    }
  else if (!strcmp (cmd, "raw"))
    {
      NEED (1);
      err = scd_client_command (scd, argv[1], NULL, NULL, &buf, &len);
      if (!err)
        print_hex ("data", buf, len);
    }
  else
    err = gpg_error (GPG_ERR_UNKNOWN_COMMAND);
#undef NEED

  xfree (buf);
  xfree (buf2);
  return err;
}


int
main (int argc, char **argv)
{
  gpg_error_t err;
  const char *scdpgm = NULL, *homedir = NULL, *sock = NULL;
  int agent = 0, rc = 0;
  scd_client_t scd = NULL;
  const char *extra[3] = { NULL, NULL, NULL };

  if (oca_init_gcrypt (0))
    return 2;
  argc--, argv++;
  while (argc && !strncmp (*argv, "--", 2) && (*argv)[2])
    {
      if (!strcmp (*argv, "--scd") && argc > 1)
        scdpgm = argv[1], argc--, argv++;
      else if (!strcmp (*argv, "--homedir") && argc > 1)
        homedir = argv[1], argc--, argv++;
      else if (!strcmp (*argv, "--socket") && argc > 1)
        sock = argv[1], argc--, argv++;
      else if (!strcmp (*argv, "--agent"))
        agent = 1;
      else if (!strcmp (*argv, "--pins") && argc > 1)
        {
          FILE *fp = fopen (argv[1], "r");
          size_t n;

          if (!fp)
            {
              perror (argv[1]);
              return 2;
            }
          n = fread (pinfile_text, 1, sizeof pinfile_text - 1, fp);
          pinfile_text[n] = 0;
          fclose (fp);
          argc--, argv++;
        }
      else
        {
          fprintf (stderr, "bad option %s\n", *argv);
          return 2;
        }
      argc--, argv++;
    }
  if (argc == 3 && !strcmp (argv[0], "mkkey"))
    {
      /* No server needed.  */
      err = make_key (argv[1], argv[2]);
      if (err)
        printf ("mkkey: ERR %u %s\n", err, gpg_strerror (err));
      return !!err;
    }
  if (homedir)
    {
      extra[0] = "--homedir";
      extra[1] = homedir;
    }
  if (agent)
    err = scd_client_connect_agent (&scd, sock);
  else if (scdpgm)
    err = scd_client_spawn (&scd, scdpgm, extra, SCD_SPAWN_KEEP_STDERR);
  else
    {
      fprintf (stderr, "need --scd or --agent\n");
      return 2;
    }
  if (err)
    {
      printf ("connect: ERR %u %s\n", err, gpg_strerror (err));
      return 1;
    }
  scd_client_set_pin_cb (scd, pin_cb, NULL);

  while (argc > 0)
    {
      int n;

      for (n = 0; n < argc && strcmp (argv[n], "--"); n++)
        ;
      if (n)
        {
          err = run (scd, n, argv);
          if (err)
            {
              printf ("%s: ERR %u %s <%s>\n", argv[0], err,
                      gpg_strerror (err), gpg_strsource (err));
              rc = 1;
            }
          else
            printf ("%s: OK\n", argv[0]);
          fflush (stdout);
        }
      argc -= n;
      argv += n;
      if (argc)
        argc--, argv++;
    }
  scd_client_release (scd);
  wipememory (pinfile_text, sizeof pinfile_text);
  return rc;
}
