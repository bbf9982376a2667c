/* t-svc-util.c - unit test of svc-util.c: command options, the rules
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "svc-int.h"
#include "t-support.h"

#include <string.h>


static void
test_args (void)
{
  svc_args_t a;
  const char *v[4];

  ok_err (svc_args_parse ("--email a@example.org --email=b@example.org "
                          "--name=Alice+Doe%2B --ca -- --x y",
                          "email*,name=,ca", 4, &a), "options and words");
  ok (svc_args_all (&a, "email", v, 4) == 2 && !strcmp (v[0], "a@example.org")
      && !strcmp (v[1], "b@example.org"), "a repeated option, both forms");
  ok (svc_args_get (&a, "name") && !strcmp (svc_args_get (&a, "name"),
                                            "Alice Doe+"),
      "a value percent-plus unescaped");
  ok (svc_args_has (&a, "ca") && !svc_args_has (&a, "name2")
      && !svc_args_get (&a, "nam"), "a flag; names match whole");
  ok (a.narg == 2 && !strcmp (a.arg[0], "--x") && !strcmp (a.arg[1], "y"),
      "'--' ends the options");
  svc_args_release (&a);

  ok_err (svc_args_parse ("", "email*", 0, &a), "an empty line");
  ok (!a.nopt && !a.narg, "nothing");
  ok_err (svc_args_parse ("ABCD --email x EF", "email*", 3, &a),
          "options after an argument");
  ok (a.narg == 2 && !strcmp (a.arg[1], "EF") && a.nopt == 1
      && !strcmp (svc_args_get (&a, "email"), "x"), "are options too");
  svc_args_release (&a);

  ok_code (svc_args_parse ("--bogus", "email*", 0, &a),
           GPG_ERR_UNKNOWN_OPTION, "unknown option");
  ok (ca_errmsg () && strstr (ca_errmsg (), "'--bogus'"), "named");
  ok_code (svc_args_parse ("--emai x", "email*", 0, &a),
           GPG_ERR_UNKNOWN_OPTION, "no abbreviations");
  ok_code (svc_args_parse ("--email", "email*", 0, &a),
           GPG_ERR_MISSING_VALUE, "a value is missing");
  ok_code (svc_args_parse ("--name a --name b", "name=", 0, &a),
           GPG_ERR_TOO_MANY, "a single option twice");
  ok_code (svc_args_parse ("--ca=1", "ca", 0, &a), GPG_ERR_INV_ARG,
           "a flag with a value");
  ok_code (svc_args_parse ("--name a%4", "name=", 0, &a), GPG_ERR_ASS_SYNTAX,
           "a broken escape");
  ok_code (svc_args_parse ("--name a%00b", "name=", 0, &a),
           GPG_ERR_INV_VALUE, "a NUL byte");
  ok_code (svc_args_parse ("x", "", 0, &a), GPG_ERR_TOO_MANY,
           "an argument too many");
}


static void
test_policy (void)
{
  svc_opts_t o;
  char *n = NULL;

  memset (&o, 0, sizeof o);
  ok (svc_may_certify (&o, "example.org", "a@example.org")
      && !svc_may_certify (&o, "example.org", "a@sub.example.org")
      && !svc_may_certify (&o, "example.org", "a@example.org.evil")
      && !svc_may_certify (&o, NULL, "a@example.org"),
      "by default: the CA's domain only");
  o.certify[o.ncertify++] = "other.example";
  o.certify[o.ncertify++] = "b@third.example";
  ok (svc_may_certify (&o, "example.org", "x@other.example")
      && svc_may_certify (&o, "example.org", "b@third.example")
      && !svc_may_certify (&o, "example.org", "c@third.example")
      && !svc_may_certify (&o, "example.org", "a@example.org"),
      "the listed domains and addresses only");

  ok_err (svc_parse_certify ("Example.ORG", 0, &n), "a domain");
  ok (n && !strcmp (n, "example.org"), "lowercased");
  xfree (n);
  ok_code (svc_parse_certify ("bad..domain", 0, &n), GPG_ERR_INV_NAME,
           "not a domain");
  ok_err (svc_parse_certify ("B@Example.org", 1, &n), "an address");
  ok (n && !strcmp (n, "b@example.org"), "normalised");
  xfree (n);
  ok_code (svc_parse_certify ("no-at", 1, &n), GPG_ERR_INV_USER_ID,
           "not an address");
}


static void
test_peers (void)
{
  svc_opts_t o;
  uid_t u;

  memset (&o, 0, sizeof o);
  ok (svc_peer_allowed (&o, 1000, 1000) && !svc_peer_allowed (&o, 1000, 0)
      && !svc_peer_allowed (&o, 1000, 1001), "the owner only");
  o.allow_uids[o.nallow++] = 33;
  ok (svc_peer_allowed (&o, 1000, 33) && !svc_peer_allowed (&o, 1000, 34),
      "and the allowed");
  ok_err (svc_parse_user ("root", &u), "a user name");
  ok (u == 0, "its uid");
  ok_err (svc_parse_user ("4242", &u), "a number");
  ok (u == 4242, "as it is");
  ok_code (svc_parse_user ("no-such-user-here", &u), GPG_ERR_NOT_FOUND,
           "an unknown name");
  ok_code (svc_parse_user ("12x", &u), GPG_ERR_INV_VALUE, "not a number");
}


int
main (void)
{
  if (oca_init_gcrypt (64 * 1024))
    return 1;
  test_args ();
  test_policy ();
  test_peers ();
  return tap_done ();
}
