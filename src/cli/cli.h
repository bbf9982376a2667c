/* cli.h - the oca command line: the commands and what they share
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * oca.c parses the global options into a ca_opts_t and dispatches to a
 * command (cmd-*.c).  A command parses its own options, reads its
 * input files or the terminal (cli-input.c), calls the CA API (ca.h)
 * and prints the results.  It never prints an error: it returns a
 * gpg_error_t and may record one line with ca_set_errmsg (cmd_usage
 * for usage errors, exit status 2), which main prints.  argv[0] is the
 * command's name.
 */
#ifndef OCA_CLI_H
#define OCA_CLI_H

#include "ca.h"

#include <stdio.h>

/* A command of the dispatch table.  */
typedef gpg_error_t (*cmd_fn_t) (const ca_opts_t *opts, int argc,
                                 char **argv);


/*-- The CA and user commands (cmd-ca.c, cmd-user.c) --*/

gpg_error_t cmd_ca_init (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_ca_show (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_ca_export (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_ca_private (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_ca_import_tsig (const ca_opts_t *opts, int argc,
                                char **argv);
gpg_error_t cmd_user_add (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_user_import (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_user_update (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_user_list (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_user_export (const ca_opts_t *opts, int argc, char **argv);

/* cmd-check.c */
gpg_error_t cmd_user_check (const ca_opts_t *opts, int argc, char **argv);

/* cmd-revoke.c */
gpg_error_t cmd_ca_revocations (const ca_opts_t *opts, int argc,
                                char **argv);
gpg_error_t cmd_user_add_revocation (const ca_opts_t *opts, int argc,
                                     char **argv);
gpg_error_t cmd_user_apply_revocation (const ca_opts_t *opts, int argc,
                                       char **argv);
gpg_error_t cmd_user_show_revocations (const ca_opts_t *opts, int argc,
                                       char **argv);

/* cmd-recertify.c */
gpg_error_t cmd_ca_recertify (const ca_opts_t *opts, int argc, char **argv);


/*-- Publishing (cmd-publish.c) --*/

gpg_error_t cmd_wkd_export (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_keylist_export (const ca_opts_t *opts, int argc,
                                char **argv);
gpg_error_t cmd_update_wkd (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_update_keyserver (const ca_opts_t *opts, int argc,
                                  char **argv);
gpg_error_t cmd_keyserver_publish (const ca_opts_t *opts, int argc,
                                   char **argv);


/*-- The CA's life (cmd-life.c) --*/

gpg_error_t cmd_ca_cert_validity (const ca_opts_t *opts, int argc,
                                  char **argv);
gpg_error_t cmd_ca_extend (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_ca_renew (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_ca_audit (const ca_opts_t *opts, int argc, char **argv);


/*-- The card commands (cmd-card.c) --*/

/* Whether the arguments of `ca init' select the card backend (the
 * positional word "card"); cmd_ca_init then hands over to
 * cmd_ca_init_card.  */
int cmd_ca_init_wants_card (int argc, char **argv);
gpg_error_t cmd_ca_init_card (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_ca_migrate (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_ca_set_backend (const ca_opts_t *opts, int argc,
                                char **argv);
gpg_error_t cmd_card_list (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_card_status (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_card_touch (const ca_opts_t *opts, int argc, char **argv);


/*-- The bridge commands (cmd-bridge.c) --*/

gpg_error_t cmd_bridge_new (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_bridge_revoke (const ca_opts_t *opts, int argc,
                               char **argv);
gpg_error_t cmd_bridge_list (const ca_opts_t *opts, int argc, char **argv);
gpg_error_t cmd_bridge_export (const ca_opts_t *opts, int argc,
                               char **argv);

/*-- Split mode (cmd-split.c) --*/
/* oca ca split into|merge|export|certify|import|show-queue ...  */
gpg_error_t cmd_ca_split (const ca_opts_t *opts, int argc, char **argv);


/*-- Switching from openpgp-ca (cmd-import.c) --*/

gpg_error_t cmd_ca_import_openpgp_ca (const ca_opts_t *opts, int argc,
                                      char **argv);
extern const char cmd_help_ca_import_openpgp_ca[];


/*-- The CA as an Assuan service (cmd-service.c) --*/

/* oca --server|--daemon [OPTIONS] (argv[0] says which).  */
gpg_error_t cmd_service (const ca_opts_t *opts, int argc, char **argv);
extern const char cmd_help_service[];


/*-- Shared by the commands (cmd-common.c) --*/

/* Record the usage error FMT (printf style) and return CA_ERR_USAGE
 * (exit status 2).  */
gpg_error_t cmd_usage (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2)));
/* Check a name given with --name (a user's or the CA's): what a User
 * ID may hold before its address -- not empty, no '@', '<' or '>', no
 * control characters, valid UTF-8 (the User ID rule of pgp_uid_parse).
 * A usage error naming it otherwise.  */
gpg_error_t cmd_check_name (const char *name);
/* The usage error for getopt's result C (unknown option, or ':' for a
 * missing argument).  */
gpg_error_t cmd_getopt_error (int c, char **argv);
/* The default cipher suite of `ca init' (softkey and card): Cv25519, as
 * openpgp-ca 0.14 (see oca(1), CIPHER SUITES).  */
#define CMD_DEFAULT_SUITE "cv25519"
/* Parse the cipher suite ARG of --cipher-suite (or its alias --algo)
 * into *R_ALGO (enum pgp_gen_algo); an unknown one is a usage error.  */
gpg_error_t cmd_parse_suite (const char *arg, int *r_algo);
/* Parse the boolean ARG of option OPT ("true" or "false").  */
gpg_error_t cmd_parse_bool (const char *opt, const char *arg, int *r_yes);

/* Check the email address S under the User ID rule and return it
 * lowercased in *R_EMAIL (xfree); an invalid one is an error with a
 * message.  */
gpg_error_t cmd_parse_email (const char *s, char **r_email);
/* The same for an -e/--email option given again: *R_EMAIL (xfree) is
 * replaced, or NULL after an error.  */
gpg_error_t cmd_set_email (char **r_email, const char *s);
/* After getopt_long: a usage error for a word left in ARGV (at
 * optind), else, when REQUIRED (an option's name, "--file") is given
 * and VALUE, what it sets, is NULL, for the missing option.  */
/* Parse the number ARG of option NAME (1 to MAX) into *R_N; a usage
 * error naming the option otherwise.  */
gpg_error_t cmd_get_number (const char *arg, const char *name,
                            unsigned long max, unsigned long *r_n);
gpg_error_t cmd_options_done (int argc, char **argv, const char *required,
                              const void *value);
/* Parse the options of a command that takes neither options nor
 * arguments.  */
gpg_error_t cmd_no_options (int argc, char **argv);
/* Write the secret string S to FP without leaving a copy in its stdio
 * buffer (what FP holds is flushed first).  */
gpg_error_t cmd_write_secret (FILE *fp, const char *s);
/* Print the `ca show' lines of SUM to FP (the backend's line, which may
 * hold the card's PIN, bypasses FP's buffer).  */
gpg_error_t cmd_print_summary (FILE *fp, const ca_summary_t *sum);
/* The same for the loaded CA CA.  */
gpg_error_t cmd_print_ca (ca_t *ca, FILE *fp);
/* Draw the progress bar of a long run on stderr (a terminal): DONE
 * of TOTAL, over the line it drew before (nothing when TOTAL is 0).  */
void cmd_progress_bar (size_t done, size_t total);
/* Print LINE, what a long run reports, on stderr; OPAQUE points to an
 * int, set when stderr is a terminal: the progress bar is cleared
 * first.  A report callback of ca_renew and ca_bulk_import_stream.  */
void cmd_report_line (void *opaque, const char *line);


/*-- Output for machines: --with-colons (cli-colons.c) --
 * A record is one line: TYPE, then each field followed by ':'; in a
 * field ':', '\\' and control bytes are written as \\xNN, as gpg does.
 * The formats are in oca(1), COLON LISTINGS.  */

/* Parse the options of a listing command that takes no argument and
 * only --with-colons (*R_COLONS set when given).  */
gpg_error_t cmd_colons_options (int argc, char **argv, int *r_colons);
/* Start a record of TYPE on FP.  */
void cmd_colons_start (FILE *fp, const char *type);
/* Append a field: the LEN bytes at BUF, escaped.  */
void cmd_colons_mem (FILE *fp, const void *buf, size_t len);
/* Append the string S (NULL: an empty field).  */
void cmd_colons_str (FILE *fp, const char *s);
/* Append the number N.  */
void cmd_colons_num (FILE *fp, unsigned long long n);
/* End the record.  */
void cmd_colons_end (FILE *fp);


/*-- The global -d/--database after group and command (cli-dbopt.c) --*/

/* If ARGV[*R_I] is -d FILE, -dFILE, --database FILE or --database=FILE
 * (the short forms not when OWN_D: the command has a -d of its own),
 * set *R_DBFILE, advance *R_I past a separate value and return 1;
 * return 0 for another word, -1 for a value missing at the end.  */
int cmd_take_database (int own_d, int argc, char **argv, int *r_i,
                       const char **r_dbfile);
/* Remove every -d/--database from the command's words ARGV[1..] (up to
 * a "--"), setting *R_DBFILE to the last one's value, except where a
 * word is the value of the previous option: HELP (and HELP2, may be
 * NULL), the command's help text, says which options take one.
 * *R_ARGC is updated.  */
gpg_error_t cmd_take_databases (const char *help, const char *help2,
                                int *r_argc, char **argv,
                                const char **r_dbfile);


/*-- Input (cli-input.c) --*/

/* Read FNAME ("-" = stdin) into *R_BUF and *R_LEN (xfree), at most
 * CA_MAX_FILE bytes.  An empty file is GPG_ERR_NO_DATA.  Errors get a
 * message naming the file.  */
gpg_error_t cmd_read_file (const char *fname, unsigned char **r_buf,
                           size_t *r_len);

/* Read the one certificate in FNAME ("-" = stdin) and return its
 * public parts in *R_CERT (pgp_cert_release).  Errors get a message
 * naming the file (several keys: GPG_ERR_AMBIGUOUS).  */
gpg_error_t cmd_read_cert (const char *fname, pgp_cert_t **r_cert);

/* The passphrase in FNAME ("-" = stdin): the whole file, one trailing
 * newline ("\n" or "\r\n") removed, in secure memory
 * (wipe_and_free_string); may be "".  A NUL byte or more than 1024
 * bytes is an error.  */
gpg_error_t cmd_read_passphrase (const char *fname, char **r_pass);

/* Write TEXT to the file FNAME (mode 0644 for a new file) through a
 * temporary file in the same directory renamed over it, so that FNAME
 * is either the old file or complete.  Errors get a message naming
 * FNAME.  */
gpg_error_t cmd_write_file (const char *fname, const char *text);

/* Ask QUESTION on the terminal and require the answer "yes" (unless
 * YES: then 0 at once).  Another answer is GPG_ERR_CANCELED with the
 * message ABORTED; no terminal is an error that names --yes.  */
gpg_error_t cmd_confirm (int yes, const char *question, const char *aborted);
/* Ask QUESTION on the terminal; *R_YES is set if the answer is "y".
 * No terminal: an error with the message NO_TTY.  */
gpg_error_t cmd_ask_yes_no (const char *question, const char *no_tty,
                            int *r_yes);

/* The User PIN of card IDENT (secure memory, wipe_and_free_string):
 * the first line of PIN_FILE ("-" = stdin) if given, else asked on the
 * terminal without echo.  Never from the command line or the
 * environment.  */
gpg_error_t cmd_get_pin (const char *ident, const char *pin_file,
                         char **r_pin);

/*-- Help texts (cli-help.c) --*/

extern const char cmd_help_ca_init[];
extern const char cmd_help_ca_show[];
extern const char cmd_help_ca_export[];
extern const char cmd_help_ca_private[];
extern const char cmd_help_ca_import_tsig[];
extern const char cmd_help_ca_cert_validity[];
extern const char cmd_help_ca_extend[];
extern const char cmd_help_ca_renew[];
extern const char cmd_help_ca_audit[];
extern const char cmd_help_user_add[];
extern const char cmd_help_user_import[];
extern const char cmd_help_user_update[];
extern const char cmd_help_user_list[];
extern const char cmd_help_user_export[];
extern const char cmd_help_user_check[];
extern const char cmd_help_ca_revocations[];
extern const char cmd_help_ca_recertify[];
extern const char cmd_help_ca_split[];
extern const char cmd_help_user_add_revocation[];
extern const char cmd_help_user_apply_revocation[];
extern const char cmd_help_user_show_revocations[];
extern const char cmd_help_group_ca[];
extern const char cmd_help_group_user[];
extern const char cmd_help_ca_init_card[];
extern const char cmd_help_ca_migrate[];
extern const char cmd_help_ca_set_backend[];
extern const char cmd_help_group_card[];
extern const char cmd_help_card_list[];
extern const char cmd_help_card_status[];
extern const char cmd_help_card_touch[];
extern const char cmd_help_group_bridge[];
extern const char cmd_help_bridge_new[];
extern const char cmd_help_bridge_revoke[];
extern const char cmd_help_bridge_list[];
extern const char cmd_help_bridge_export[];
extern const char cmd_help_group_wkd[];
extern const char cmd_help_wkd_export[];
extern const char cmd_help_group_keylist[];
extern const char cmd_help_keylist_export[];
extern const char cmd_help_group_update[];
extern const char cmd_help_update_wkd[];
extern const char cmd_help_update_keyserver[];
extern const char cmd_help_group_keyserver[];
extern const char cmd_help_keyserver_publish[];

#endif /*OCA_CLI_H*/
