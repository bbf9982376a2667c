/* scd-proto.h - the scdaemon protocol's text conventions, for both ends
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the Assuan client (assuan/client/, linked into oca) and the
 * server oca-scd (assuan/server/) both need to read and write
 * scdaemon's lines: percent(-plus) escaping and its strict inverse,
 * splitting a line into words, command options, key references, and
 * the flags of a PIN request.  Pure functions (no I/O, nothing
 * printed); built into libocascdproto.a.
 *
 * Unescaping is strict at both ends: "%" must be followed by two hex
 * digits, else the line is refused (GnuPG's lenient unescaper copies
 * a broken escape as it stands; a client or card response that sends
 * one is not trusted here).
 */
#ifndef OCA_SCD_PROTO_H
#define OCA_SCD_PROTO_H

#include "oca-common.h"
#include "membuf.h"

/* Assuan lines are limited to 1000 bytes (without CR LF).  */
#define SCD_LINE_MAX 1000


/*-- Escaping.  --*/

/* How scd_escape escapes.  Both turn a space into '+' and write the
 * bytes they escape as "%XX".  */
enum scd_escape_style
  {
    /* Status-line values as scdaemon's send_status_info writes them:
     * '+', '"', '%' and bytes below 0x20; other bytes (UTF-8) as they
     * are.  */
    SCD_ESCAPE_STATUS,
    /* Command arguments as gpg writes them for SETATTR: '%', '+' and
     * every byte that is not printable ASCII (below 0x20, 0x7F and
     * above).  */
    SCD_ESCAPE_ARG
  };

/* Append the LEN bytes at BUF to MB, escaped in STYLE.  Errors are
 * MB's (membuf_error).  */
void scd_escape (membuf_t *mb, const void *buf, size_t len,
                 enum scd_escape_style style);

/* Build the arguments of a status line from (pointer, length) pairs
 * terminated by a NULL pointer: values are escaped in
 * SCD_ESCAPE_STATUS style and separated by a space; empty values are
 * skipped.  *R_LINE is a fresh string (xfree); GPG_ERR_TOO_LARGE past
 * 64 KiB.  */
gpg_error_t scd_build_status_info (char **r_line, ...);

/* Escape VALUE (LEN bytes) for a command argument (SCD_ESCAPE_ARG).
 * *R_STR is a fresh string (xfree); GPG_ERR_TOO_LARGE past 64 KiB.  */
gpg_error_t scd_escape_value (const void *value, size_t len, char **r_str);


/*-- Unescaping (strict).  --*/

/* Append the N bytes at S to MB with "%XX" decoded and, with PLUS,
 * '+' turned into a space.  A '%' not followed by two hex digits
 * within the N bytes is GPG_ERR_INV_DATA (nothing is guessed);
 * growing MB past its maximum is MB's error (GPG_ERR_TOO_LARGE).  On
 * error MB holds a prefix: the caller releases it.  */
gpg_error_t scd_unescape_to (membuf_t *mb, const char *s, size_t n,
                             int plus);


/*-- Words and options.  --*/

/* Copy the next space-delimited word of *S into WORD (SIZE bytes with
 * the NUL; an empty word when *S is at its end) and advance *S past
 * the word and the spaces after it.  GPG_ERR_TOO_LARGE (and *S
 * unchanged) when the word does not fit.  Splits "KEYWORD ARGS" lines
 * (status lines, inquiries) and their arguments.  */
gpg_error_t scd_next_word (const char **s, char *word, size_t size);

/* Command options: "--name" and "--name=value" words at the start of
 * LINE (the arguments, without the command); "--" ends them.  */
/* Whether option NAME ("--force") is given.  */
int scd_has_option (const char *line, const char *name);
/* The value of option NAME as a fresh string (xfree), or NULL.  */
char *scd_option_value (const char *line, const char *name);
/* The first argument after the options (and a "--"), inside LINE.  */
char *scd_skip_options (const char *line);
/* Whether every option in LINE is one of the NULL-terminated ALLOWED
 * names (without value part, e.g. "--force").  */
int scd_check_options (const char *line, const char *const *allowed);


/*-- Key references.  --*/

/* The key number 1..3 of "OPENPGP.1".."OPENPGP.3" (case-insensitive)
 * or, with ALLOW_NUMBER, of "1".."3"; 0 for anything else.  */
int scd_parse_keyref (const char *s, int allow_number);
/* Whether S is exactly 40 hex digits (a keygrip), up to the end or a
 * space.  */
int scd_is_keygrip (const char *s);


/*-- PIN requests.  --*/

/* Which PIN a request asks for: the flags of scdaemon's NEEDPIN
 * prompts ("|A|", "|N|", "|R|", combined as "|AN|", "|RN|").  */
typedef struct scd_pinflags_s
{
  unsigned int admin:1;      /* A: the Admin PIN (PW3).  */
  unsigned int newpin:1;     /* N: a new PIN is asked for.  */
  unsigned int resetcode:1;  /* R: the Resetting Code.  */
} scd_pinflags_t;

/* Read the flags at the start of the NEEDPIN text PROMPT into
 * *R_FLAGS (cleared first) and return the text after them (PROMPT
 * itself when it starts with no "|...|").  Unknown flag letters are
 * ignored.  */
const char *scd_pinflags_parse (const char *prompt, scd_pinflags_t *r_flags);

/* The flags of the SEQ-th (0-based) PIN request of the command line
 * CMD ("PASSWD --reset 1", with the command word), for the route
 * through gpg-agent whose loopback inquiry carries none: GENKEY,
 * WRITEKEY, WRITECERT, SETATTR (but PRIVATE-DO-1/3) and CHECKPIN
 * ...[CHV3] ask for the Admin PIN; PASSWD first for the authorising
 * PIN (Admin PIN for --reset and 3, Resetting Code for 2), then for
 * the new one -- the order in which card/app-openpgp.c (and GnuPG's
 * scdaemon) ask.  */
void scd_pinflags_for_command (const char *cmd, unsigned int seq,
                               scd_pinflags_t *r_flags);

/* Build the inquiry line "NEEDPIN PROMPT" (PROMPT as the card layer
 * wrote it: flags, then the percent-escaped text) as a fresh string
 * (xfree).  GPG_ERR_TOO_LARGE if "INQUIRE " and it would not fit in
 * an Assuan line, GPG_ERR_INV_VALUE for a raw CR or LF in PROMPT.  */
gpg_error_t scd_needpin_line (const char *prompt, char **r_line);

#endif /*OCA_SCD_PROTO_H*/
