/* srv-proto.h - the server side of Assuan that oca's servers share
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What an Assuan server of ours needs beyond libassuan's server API
 * and the text conventions of scd-proto.h: strict, bounded inquiries
 * (libassuan 2.5's assuan_inquire loops forever on a D line that ends
 * within a %XX escape), a session loop that answers an over-long
 * command line with ERR and goes on serving (libassuan gives up on
 * the connection), and the peer credentials of a Unix socket.  Used
 * by oca-scd (assuan/server/) and by oca's CA service (src/svc/);
 * compiled into each with its own error source.
 */
#ifndef OCA_SRV_PROTO_H
#define OCA_SRV_PROTO_H

#include "oca-common.h"
#include "membuf.h"
#include <assuan.h>
#include <sys/types.h>

/* Append the data of an Assuan D line (the N bytes at S after "D ")
 * to MB, decoding %XX escapes.  A '%' not followed by two hex digits
 * is GPG_ERR_ASS_SYNTAX; growing MB past its maximum is
 * GPG_ERR_ASS_TOO_MUCH_DATA.  */
gpg_error_t srv_unescape_data (const char *s, size_t n, membuf_t *mb);

/* Send "INQUIRE KEYWORD" (KEYWORD may carry arguments) and collect the
 * client's D lines up to END, at most MAXLEN bytes, into *R_VALUE
 * (NUL-terminated; in secure memory with SECURE; release with
 * wipe_and_free) and *R_LEN, as assuan_inquire does: CAN gives
 * GPG_ERR_ASS_CANCELED, any other line GPG_ERR_ASS_UNEXPECTED_CMD, too
 * much data GPG_ERR_ASS_TOO_MUCH_DATA and a malformed escape
 * GPG_ERR_ASS_SYNTAX, both at the END (the data up to it is read and
 * dropped, so the session goes on).  */
gpg_error_t srv_inquire (assuan_context_t ctx, const char *keyword,
                         size_t maxlen, int secure, unsigned char **r_value,
                         size_t *r_len);

/* Serve the commands of CTX (after assuan_accept) until the client
 * leaves, says BYE, or a handler sets ASSUAN_FORCE_CLOSE, or *STOP (if
 * STOP is not NULL) is set after a command.  An over-long command line
 * is answered with ERR and skipped; NOTE (may be NULL) is told so.
 * Returns 0 when the client left, else the error of the connection.  */
gpg_error_t srv_process (assuan_context_t ctx, const volatile int *stop,
                         void (*note) (const char *text));

/* The uid and pid of the peer of the Unix socket FD (SO_PEERCRED).  */
gpg_error_t srv_peer_cred (int fd, uid_t *r_uid, pid_t *r_pid);

/* Tell the client on the accepted socket FD (before any session) that
 * it is refused: the line "ERR <ERR> TEXT".  Best effort.  */
void srv_refuse (int fd, gpg_error_t err, const char *text);

#endif /*OCA_SRV_PROTO_H*/
