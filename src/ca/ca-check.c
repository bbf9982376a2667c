/* ca-check.c - `user check': one function per check of a user certificate
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each check looks at one stored user certificate (as ca_users_next
 * hands it out) at a given time and returns a typed answer; the front
 * end walks the users, counts and prints (spec 5.10).  A new check is
 * one more function here and one more entry in the front end's table
 * of checks.
 */
#include <config.h>
#include "ca-int.h"

#include <string.h>


/* See ca.h.  */
gpg_error_t
ca_check_expiry (ca_t *ca, const ca_user_t *user, uint32_t now,
                 unsigned int days, ca_check_expiry_t *r_res)
{
  gpg_error_t err;
  pgp_cert_info_t info;
  uint64_t horizon;

  (void)ca;
  memset (r_res, 0, sizeof *r_res);
  err = pgp_cert_get_info (user->cert, now, &info);
  if (err)
    return ca_set_errmsg (err, "error checking the certificate %s: %s",
                          user->fpr, gpg_strerror (err));
  /* Alive now (not created in the future, not expired), but not at
   * NOW + DAYS: the reference's test (alive now, not alive then).  */
  horizon = (uint64_t)now + (uint64_t)days * 86400;
  r_res->expires = info.expires;
  r_res->expiring = (info.created <= now && info.expires && !info.expired
                     && info.expires <= horizon);
  return 0;
}


/* See ca.h.  */
gpg_error_t
ca_check_certifications (ca_t *ca, const ca_user_t *user, uint32_t now,
                         ca_check_mutual_t *r_res)
{
  gpg_error_t err;
  ca_user_status_t st;

  memset (r_res, 0, sizeof *r_res);
  err = ca_user_status (ca, user, now, &st);
  if (err)
    return err;
  r_res->ca_certified = st.ncertified > 0;
  r_res->tsigned = st.tsigned;
  ca_user_status_release (&st);
  return 0;
}
