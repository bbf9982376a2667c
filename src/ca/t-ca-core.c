/* t-ca-core.c - unit test of ca-core.c: opening, creating, loading a CA
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static void
open_shared (void *opaque)
{
  ca_opts_t opts = tca_opts (opaque);
  ca_t *ca = NULL;

  if (!ca_open (&opts, CA_OPEN_READONLY, &ca))
    ca_release (ca);
}


static void
test_open_errors (void)
{
  ca_opts_t opts = tca_opts (NULL);
  ca_t *ca = (ca_t *)1;

  ok_code (ca_open (&opts, 0, &ca), GPG_ERR_MISSING_VALUE,
           "no database: an error");
  ok (!ca && ca_errmsg ()
      && strstr (ca_errmsg (), "use -d FILE or set OPENPGP_CA_DB"),
      "which says how to name one");
  opts = tca_opts ("missing.db");
  ok_code (ca_open (&opts, CA_OPEN_READONLY, &ca), GPG_ERR_ENOENT,
           "a missing file is not created by a reading open");
  ok (access (opts.dbfile, F_OK), "and stays missing");
  ok (ca_errmsg () && strstr (ca_errmsg (), "missing.db"),
      "the message names the file");
}


static void
test_create (void)
{
  ca_opts_t opts = tca_opts ("new.db");
  ca_t *ca = NULL;
  ca_info_t info;
  struct stat st;
  char *text = NULL, *domain = NULL;
  size_t len = 0;
  pgp_cert_t *cert = NULL;
  ca_summary_t sum;

  /* A failed ca init leaves no file behind.  */
  ok_err (ca_open (&opts, CA_OPEN_CREATE, &ca), "create opens a new file");
  ok (!stat (opts.dbfile, &st) && (st.st_mode & 0777) == 0600,
      "mode 0600");
  ca_release (ca);
  ca = NULL;
  ok (access (opts.dbfile, F_OK), "released without commit: file removed");

  ok_code (ca_open (&opts, 0, &ca), GPG_ERR_ENOENT, "so it is not there");
  ok_err (ca_check_domain ("Example.ORG", &domain), "domain accepted");
  ok (domain && !strcmp (domain, "example.org"), "and lowercased");
  ok_code (ca_check_domain ("example..org", &text), GPG_ERR_INV_NAME,
           "bad domain refused");
  ok (ca_errmsg () && !strcmp (ca_errmsg (),
                               "Invalid domainname: 'example..org'"),
      "with the reference's message");

  ok_err (ca_open (&opts, CA_OPEN_CREATE, &ca), "create again");
  ok_code (ca_init_softkey (ca, domain, NULL, PGP_GEN_ED25519),
           GPG_ERR_INV_STATE, "init needs a transaction");
  ok_err (ca_begin (ca), "begin");
  ok_err (ca_init_softkey (ca, domain, "Test CA", PGP_GEN_ED25519),
          "init softkey");
  ok_err (ca_commit (ca), "commit");
  ca_get_info (ca, &info);
  ok (info.domain && !strcmp (info.domain, "example.org")
      && info.uid && !strcmp (info.uid, "Test CA <openpgp-ca@example.org>")
      && info.backend && !strcmp (info.backend, "softkey")
      && info.fpr && strlen (info.fpr) == 40 && info.created
      && info.cert && !pgp_cert_has_secret (info.cert),
      "the created CA is loaded: domain, User ID, backend, public cert");
  ca_release (ca);
  ca = NULL;

  ok_code (ca_open (&opts, CA_OPEN_CREATE, &ca), GPG_ERR_EEXIST,
           "create refuses an initialised CA");
  ok (!access (opts.dbfile, F_OK), "and keeps its file");

  ok_err (ca_open (&opts, CA_OPEN_READONLY, &ca), "open read-only");
  ok_err (ca_get_summary (ca, &sum), "the summary");
  ok (sum.backend && !strcmp (sum.backend, "Softkey (private key material "
                              "in CA database)")
      && !strcmp (sum.domain, "example.org") && strlen (sum.fpr) == 40
      && sum.created, "domain, fingerprint, creation, softkey description");
  ca_summary_release (&sum);
  ok (!sum.domain && !sum.backend, "released");
  ok_err (ca_export_public (ca, &text), "export the public cert");
  ok (text && !pgp_read_cert (text, strlen (text), &cert)
      && !pgp_cert_has_secret (cert), "it parses and holds no secret");
  pgp_cert_release (cert);
  cert = NULL;
  xfree (text);
  text = NULL;
  ok_err (ca_export_private (ca, &text, &len), "export the private key");
  ok (text && !pgp_read_cert (text, len, &cert)
      && cert->primary->secret == PGP_SECRET_PLAIN,
      "it holds the key, unprotected");
  pgp_cert_release (cert);
  wipe_and_free (text, len);
  ok_code (ca_begin (ca), GPG_ERR_EACCES, "no transaction on a reading "
           "open");
  ca_release (ca);
  xfree (domain);
}


static void
test_not_initialized_and_mode (void)
{
  ca_opts_t opts = tca_opts ("empty.db");
  ca_t *ca = NULL;
  char *out;

  ok_err (ca_open (&opts, CA_OPEN_CREATE, &ca), "create");
  ok_err (ca_begin (ca), "begin");
  ok_err (ca_commit (ca), "commit nothing: the file is kept");
  ca_release (ca);
  ca = NULL;
  ok_code (ca_open (&opts, 0, &ca), GPG_ERR_NOT_INITIALIZED,
           "an empty database is not a CA");
  ok (ca_errmsg () && strstr (ca_errmsg (), "is not initialized (see 'oca "
                              "ca init')"), "the message says what to do");

  ok_err (tca_make_ca ("shared.db", "example.org", PGP_GEN_ED25519, &ca),
          "a CA");
  ca_release (ca);
  chmod (tca_path ("shared.db"), 0640);
  out = tca_stderr_of (open_shared, "shared.db");
  ok (strstr (out, "oca: warning: group or others can access database")
      && strstr (out, "the CA's private key"),
      "opening a file others can read warns");
  xfree (out);
  chmod (tca_path ("shared.db"), 0600);
  out = tca_stderr_of (open_shared, "shared.db");
  ok (!*out, "a private file does not");
  xfree (out);
}


int
main (void)
{
  tca_init ();
  test_open_errors ();
  test_create ();
  test_not_initialized_and_mode ();
  return tap_done ();
}
