/* t-ca-db.c - unit test of ca-db.c: stored forms, transactions, audit
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>


static void
test_base64 (void)
{
  /* RFC 4648, section 10.  */
  static const char *const vec[][2] =
    {
      { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
      { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
      { "foobar", "Zm9vYmFy" }
    };
  static const unsigned char bin[] = { 0xff, 0xfe, 0x00, 0x3e, 0x3f };
  size_t i;
  char *s;

  for (i = 0; i < DIM (vec); i++)
    {
      s = NULL;
      ok (!ca_base64 (vec[i][0], strlen (vec[i][0]), &s) && s
          && !strcmp (s, vec[i][1]), "base64 '%s' = '%s'", vec[i][0],
          s ? s : "?");
      xfree (s);
    }
  s = NULL;
  ok (!ca_base64 (bin, sizeof bin, &s) && s && !strcmp (s, "//4APj8="),
      "base64 uses + and / and keeps NUL bytes");
  xfree (s);
}


static void
test_stored_forms (ca_t *ca)
{
  const char *uids[] = { "Alice <alice@example.org>" };
  pgp_cert_t *key = tca_user_key (PGP_GEN_ED25519, uids, 1);
  pgp_cert_t *other = tca_user_key (PGP_GEN_ED25519, uids, 1);
  pgp_cert_t *cert = NULL;
  char *text = NULL;
  char fpr[41], hash[17], want[17];
  unsigned char digest[32];
  pgp_sig_t *rev = NULL;

  ok (key && other, "two user keys");
  ok_err (ca_armor_public (key, &text), "stored form of a cert");
  ok (text && strstr (text, "BEGIN PGP PUBLIC KEY BLOCK")
      && !strstr (text, "PRIVATE"), "armored, public parts only");
  pgp_cert_fpr_hex (key, fpr);
  ok_err (ca_parse_stored_cert (text, fpr, &cert), "it parses for its row");
  ok (cert && !memcmp (cert->primary->fpr, key->primary->fpr, 20),
      "as the same key");
  pgp_cert_release (cert);
  cert = (pgp_cert_t *)1;
  ok_code (ca_parse_stored_cert (text, pgp_cert_fpr_hex (other, fpr), &cert),
           GPG_ERR_BAD_DATA, "another row's fingerprint: refused");
  ok (!cert && ca_errmsg () && strstr (ca_errmsg (), "it holds the key"),
      "the message says which key it holds");
  ok_code (ca_parse_stored_cert ("junk", fpr, &cert), GPG_ERR_INV_ARMOR,
           "junk: refused");
  ok (ca_errmsg () && strstr (ca_errmsg (), "is invalid"),
      "stored certificate ... is invalid");
  xfree (text);

  {
    pgp_signer_t signer;

    ok_err (pgp_signer_from_key (key->primary, &signer)
            ?: pgp_make_key_revocation (key, &signer, 0, NULL, 0, &rev),
            "a key revocation");
  }
  if (rev)
    {
      ca_revocation_hash (rev, hash);
      gcry_md_hash_buffer (GCRY_MD_SHA256, digest, rev->raw, rev->rawlen);
      oca_bin2hex (digest, 8, want);
      ok (!strcmp (hash, want) && strlen (hash) == 16,
          "revocation id: 8 bytes of SHA-256 of the packet, hex");
    }
  else
    ok (0, "revocation id");

  ok_code (ca_record_sig (ca, 0, fpr, "u", rev, fpr,
                          DB_CERTIFICATION_REVOCATION), GPG_ERR_INV_STATE,
           "recording needs a transaction");
  ok (ca_errmsg () && !strncmp (ca_errmsg (), "error recording a "
                                "signature: ", 29)
      && strlen (ca_errmsg ()) > 29,
      "error DOING: the database's message (%s)", ca_errmsg ());
  ok_err (ca_begin (ca), "begin");
  ok_code (ca_begin (ca), GPG_ERR_INV_STATE, "only one transaction");
  ok_err (ca_record_sig (ca, 0, fpr, "u", rev, fpr,
                         DB_CERTIFICATION_REVOCATION), "record a signature");
  ok_err (ca_commit (ca), "commit");
  {
    uint64_t n = 0;

    ok (!db_certification_count (ca->db, fpr, &n) && n == 1,
        "the audit table holds it");
  }
  pgp_sig_release (rev);
  pgp_cert_release (key);
  pgp_cert_release (other);
}


int
main (void)
{
  ca_t *ca = NULL;

  tca_init ();
  test_base64 ();
  ok_err (tca_make_ca ("ca.db", "example.org", PGP_GEN_ED25519, &ca),
          "a CA");
  if (ca)
    test_stored_forms (ca);
  ca_release (ca);
  return tap_done ();
}
