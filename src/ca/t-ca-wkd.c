/* t-ca-wkd.c - unit test of ca-wkd.c and ca-file.c: the WKD tree
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Hashes as the WKD draft computes them; one file per certified
 * address of the domain; addresses that left and temporary files of an
 * interrupted run removed, other files kept; one export at a time, in a
 * read transaction; files written whole, never over an existing one
 * unless asked.  (GnuPG reading the tree over HTTPS: tests/net.)
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static ca_t *ca;


/* Whether the file A/MID/B exists (MID, B may be "").  */
static int
exists (const char *a, const char *mid, const char *b)
{
  char path[1024];
  struct stat st;

  snprintf (path, sizeof path, "%s%s%s", a, mid, b);
  return !stat (path, &st);
}


static char *
hash_of (const char *local, char out[33])
{
  ca_wkd_hash (local, strlen (local), out);
  return out;
}


static void
test_hash (void)
{
  char h[33];

  ok (!strcmp (hash_of ("alice", h), "kei1q4tipxxu1yj79k9kfukdhfy631xe"),
      "hash of alice");
  ok (!strcmp (hash_of ("openpgp-ca", h), "ermf4k8pujzwtqqxmskb7355sebj5e4t"),
      "hash of openpgp-ca (the reference's CA file)");
  ok (!strcmp (hash_of ("Joe.Doe", h), "iy9q119eutrkn8s1mk4r39qejnbu3n5q"),
      "the draft's example: ASCII uppercase mapped to lowercase");
}


static void
add_user (const char *name, const char *email)
{
  const char *emails[1];
  ca_new_user_t u;

  emails[0] = email;
  ok (!ca_begin (ca) && !ca_user_create (ca, name, emails, 1, 0, &u)
      && !ca_commit (ca), "user add %s", email);
  ca_new_user_release (&u);
}


int
main (void)
{
  ca_wkd_stats_t st;
  const char *www, *hu;
  char h[33], path[1024], *buf = NULL;
  unsigned char *data = NULL;
  size_t len = 0;
  int fd;

  tca_init ();
  test_hash ();
  ok_err (tca_make_ca ("ca.db", "example.org", PGP_GEN_ED25519, &ca), "a CA");
  add_user ("Alice", "alice@example.org");
  add_user ("Carol", "carol@other.org");

  www = tca_path ("www");
  ok_err (ca_wkd_export (ca, www, 0, &st), "export");
  ok (st.addresses == 2 && st.keys == 2 && st.skipped == 1 && !st.removed,
      "two addresses (the CA, alice), carol skipped");
  ok (exists (www, "/.well-known/openpgpkey/example.org/hu/",
              hash_of ("alice", h))
      && exists (www, "/.well-known/openpgpkey/example.org/hu/",
                 hash_of ("openpgp-ca", h))
      && exists (www, "/.well-known/openpgpkey/example.org/policy", ""),
      "the advanced layout");
  ok (!exists (www, "/.well-known/openpgpkey/hu", ""),
      "no direct layout unless asked");
  snprintf (path, sizeof path, "%s/.well-known/openpgpkey/example.org/hu/%s",
            www, hash_of ("alice", h));
  ok (!ca_file_read (path, 1u << 20, &data, &len) && len > 0, "alice's file");
  {
    pgp_cert_t *c = NULL;

    ok (data && !pgp_read_cert (data, len, &c) && c->uids && !c->uids->next
        && !strcmp (c->uids->name, "Alice <alice@example.org>"),
        "holds one key with alice's User ID");
    pgp_cert_release (c);
  }
  xfree (data);

  /* Left-overs: an address that left and a temporary file go, a file
   * that is not ours stays.  */
  hu = tca_path ("www/.well-known/openpgpkey/example.org/hu");
  snprintf (path, sizeof path, "%s/%s", hu, hash_of ("gone", h));
  ok (!ca_file_write (path, "x", 1, 0), "an old address");
  snprintf (path, sizeof path, "%s/.oca-tmp-AbCdEf", hu);
  ok (!ca_file_write (path, "x", 1, 0), "a temporary file of a crash");
  snprintf (path, sizeof path, "%s/README", hu);
  ok (!ca_file_write (path, "x", 1, 0), "a file of the operator");
  ok_err (ca_wkd_export (ca, www, CA_WKD_DIRECT, &st), "export again");
  ok (st.removed == 1, "one address removed");
  ok (!exists (hu, "/", hash_of ("gone", h))
      && !exists (hu, "/", ".oca-tmp-AbCdEf")
      && exists (hu, "/", "README"), "the right ones");
  ok (exists (www, "/.well-known/openpgpkey/hu/", hash_of ("alice", h))
      && exists (www, "/.well-known/openpgpkey/policy", ""),
      "the direct layout on request");

  /* An operator's policy file is kept.  */
  snprintf (path, sizeof path, "%s/.well-known/openpgpkey/example.org/policy",
            www);
  ok (!ca_file_write (path, "protocol-version: 13\n", 21, CA_FILE_REPLACE),
      "a policy of the operator");
  ok_err (ca_wkd_export (ca, www, 0, &st), "export");
  ok (!ca_file_read (path, 100, &data, &len) && len == 21, "kept");
  xfree (data);

  /* One export at a time.  */
  fd = open (tca_path ("www/.well-known/openpgpkey"), O_RDONLY | O_DIRECTORY);
  ok (fd >= 0 && !flock (fd, LOCK_EX | LOCK_NB), "another export holds it");
  ok_code (ca_wkd_export (ca, www, 0, &st), GPG_ERR_LOCKED, "refused");
  ok (ca_errmsg () && strstr (ca_errmsg (), "another export"), "said so");
  if (fd >= 0)
    close (fd);

  /* A read transaction of its own.  */
  ok_err (ca_begin (ca), "a transaction open");
  ok_code (ca_wkd_export (ca, www, 0, &st), GPG_ERR_INV_STATE,
           "export refuses to run inside it");
  ca_end_read (ca);

  /* ca_file_write: no overwrite unless asked.  */
  snprintf (path, sizeof path, "%s/f", tca_path (""));
  ok (!ca_file_write (path, "one", 3, 0), "a new file");
  ok_code (ca_file_write (path, "two", 3, 0), GPG_ERR_EEXIST,
           "not over an existing one");
  ok (!ca_file_read (path, 10, &data, &len) && len == 3
      && !memcmp (data, "one", 3), "which is unchanged");
  xfree (data);
  ok (!ca_file_write (path, "three", 5, CA_FILE_REPLACE), "replaced");
  ok (!ca_file_read (path, 10, &data, &len) && len == 5, "whole");
  xfree (data);
  ok_code (ca_file_write (tca_path ("nodir/f"), "x", 1, 0), GPG_ERR_ENOENT,
           "a missing directory");
  buf = gpgrt_bsprintf ("%s/x/y", path);
  ok_code (ca_file_mkdirs (buf), GPG_ERR_ENOTDIR, "a file in the way");
  gpgrt_free (buf);

  ca_release (ca);
  return tap_done ();
}
