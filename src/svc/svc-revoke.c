/* svc-revoke.c - the service's revocation commands: ADDREVOCATION and
 *                REVOKE (as `oca user add-revocation' and `oca user
 *                apply-revocation')
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Status lines (doc/oca.1, SERVICE):
 *   REVOCATION_STORED <fpr> <nstored>   ADDREVOCATION
 *   REVOKED <fpr> <id>                   REVOKE
 * Both are rows of svc-cmd.c's table; the session opens the CA
 * read-write and commits after the handler.
 */
#include <config.h>
#include "svc-int.h"

#include <stdio.h>
#include <string.h>


/* See svc-int.h.  */
const char svc_hlp_addrevocation[] =
  "ADDREVOCATION\n"
  "\n"
  "Inquire KEYBLOCK, revocation certificates of one stored user key\n"
  "(armored or binary, as gpg makes them), and store them (as 'oca\n"
  "user add-revocation'): each must be a key revocation that verifies.\n"
  "Status REVOCATION_STORED <fpr> <n> (0: all were stored already).\n"
  "They are not applied: REVOKE does that.";

/* See svc-int.h.  */
gpg_error_t
svc_cmd_addrevocation (svc_call_t *call)
{
  gpg_error_t err;
  char fpr[41], num[16];
  int added = 0;

  err = ca_revocation_add (call->ca, call->input, call->inputlen,
                           "the key block", fpr, &added);
  if (err)
    return err;
  call->no_commit = !added;
  if (added && (err = svc_commit (call)))
    return err;
  snprintf (num, sizeof num, "%d", added);
  return svc_status (call->ctx, "REVOCATION_STORED", fpr, num, NULL);
}


/* See svc-int.h.  */
const char svc_hlp_revoke[] =
  "REVOKE ID\n"
  "\n"
  "Apply the stored revocation ID (16 hex digits, as 'oca user\n"
  "show-revocations' lists them) to the user key it revokes and mark\n"
  "it published (as 'oca user apply-revocation').  Status REVOKED\n"
  "<fpr> <ID>.  GPG_ERR_NOT_FOUND for an unknown ID.";

/* See svc-int.h.  */
gpg_error_t
svc_cmd_revoke (svc_call_t *call)
{
  gpg_error_t err;
  const char *id = call->args->narg ? call->args->arg[0] : "";
  char fpr[41];

  if (strlen (id) != 16 || strspn (id, "0123456789abcdefABCDEF") != 16)
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE), "a revocation id "
                          "(16 hex digits) is needed");
  err = ca_revocation_apply (call->ca, id, fpr);
  if (!err)
    err = svc_commit (call);
  if (!err)
    err = svc_status (call->ctx, "REVOKED", fpr, id, NULL);
  return err;
}
