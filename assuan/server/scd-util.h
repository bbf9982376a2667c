/* scd-util.h - pure helpers of oca-scd (no I/O, unit tested)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef OCA_SCD_UTIL_H
#define OCA_SCD_UTIL_H

#include "oca-common.h"
#include "membuf.h"

/* Append the status-line escaping of the value BUF/LEN to MB as
 * scdaemon's send_status_info does: '+', '"', '%' and bytes < 0x20
 * become %XX, a space becomes '+'.  */
void scd_escape_status_value (membuf_t *mb, const void *buf, size_t len);

/* Build the arguments of a status line from (pointer, length) pairs
 * terminated by a NULL pointer: values are escaped and separated by a
 * space; empty values are skipped.  Returns a malloced string (xfree)
 * in *R_LINE.  */
gpg_error_t scd_build_status_info (char **r_line, ...);

/* In-place percent-plus unescaping of STRING ("%XX" and '+' = space);
 * returns the length of the result (which may contain NULs).  */
size_t scd_percent_plus_unescape (char *string);

/* Append the data of an Assuan D line (the N bytes at S after "D ")
 * to MB, decoding %XX escapes.  A '%' not followed by two hex digits
 * is GPG_ERR_ASS_SYNTAX: libassuan 2.5's assuan_inquire loops forever
 * on a D line ending within an escape ("D 1%4"), which is why oca-scd
 * collects inquired data itself.  Growing MB past its maximum is
 * GPG_ERR_ASS_TOO_MUCH_DATA.  */
gpg_error_t scd_unescape_data (const char *s, size_t n, membuf_t *mb);

/* Option helpers for command lines ("--name" / "--name=value" tokens
 * at the start of LINE; "--" ends the options).  */
int scd_has_option (const char *line, const char *name);
/* Return the value of option NAME (malloced copy) or NULL.  */
char *scd_option_value (const char *line, const char *name);
/* Return a pointer to the first non-option argument in LINE.  */
char *scd_skip_options (const char *line);
/* Return true if all option tokens in LINE are in the NULL-terminated
 * list ALLOWED (names without value part, e.g. "--force").  */
int scd_check_options (const char *line, const char *const *allowed);

/* Hash algorithm ids used with DigestInfo handling.  */
int scd_hash_from_name (const char *name);   /* 0 = unknown.  */
size_t scd_hash_len (int algo);
/* Return the DER DigestInfo prefix of ALGO.  */
const unsigned char *scd_digestinfo_prefix (int algo, size_t *r_len);

/* Analyse the SETDATA input DATA/LEN of a signing request: if it
 * starts with a known DigestInfo prefix, *R_ALGO is that hash and
 * *R_DIGEST points to the digest; a bare digest of the length of
 * HASHALGO (or any known length if HASHALGO is 0) is also accepted.
 * Other input gives GPG_ERR_INV_VALUE.  */
gpg_error_t scd_strip_digestinfo (const unsigned char *data, size_t len,
                                  int hashalgo, int *r_algo,
                                  const unsigned char **r_digest,
                                  size_t *r_digestlen);

/* Build the INQUIRE line "NEEDPIN <prompt>" into a malloced string;
 * GPG_ERR_TOO_LARGE if it would not fit in an Assuan line.  */
gpg_error_t scd_needpin_line (const char *prompt, char **r_line);

/* Turn the inquired PIN reply BUF/LEN into a NUL-terminated string in
 * secure memory, taking bytes up to the first NUL (gpg-agent sends a
 * 90-byte NUL-padded buffer).  */
gpg_error_t scd_pin_from_reply (const unsigned char *buf, size_t len,
                                char **r_pin);

/* Parse a key reference: "OPENPGP.1".."OPENPGP.3" (case-insensitive)
 * or, when ALLOW_NUMBER, "1".."3".  Returns the key number or 0.  */
int scd_parse_keyref (const char *s, int allow_number);
/* Return true if S is exactly 40 hex digits (a keygrip).  */
int scd_is_keygrip (const char *s);

#endif /*OCA_SCD_UTIL_H*/
