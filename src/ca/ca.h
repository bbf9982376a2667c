/* ca.h - the CA core: opening a CA, certification policy, backends
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layers.  oca.c parses the global options and dispatches to a command
 * (cmd-*.c).  A command opens the CA (ca_open), starts one transaction
 * (ca_begin), works through the functions below and commits
 * (ca_commit); any error leaves the transaction to be rolled back by
 * ca_release, so the database file stays byte-identical.  Commands
 * never print errors: they return a gpg_error_t and may record a
 * one-line message with ca_set_errmsg, which main prints.
 *
 * Backends.  The CA's private key is reached only through a backend
 * (ca_backend_t): a small vtable that hands out pgp_signer_t objects
 * for the two operations the CA performs,
 *
 *   certify - with the CA primary key (certifications, trust
 *             signatures on bridges, revocations; on a card: the AUT
 *             slot, INTERNAL AUTHENTICATE),
 *   sign    - with the CA signing subkey (keylist signatures; on a
 *             card: the SIG slot, PSO:CDS),
 *
 * plus its description for `ca show' and, where possible, the private
 * key for `ca private'.  The backend is chosen from the string stored
 * in cacerts.backend: NULL means softkey (ca-softkey.c; the key is in
 * table cakeys), "card;IDENT;PIN" the OpenPGP card backend (ca-card.c).  A
 * backend states whether its certify signer may be used from several
 * threads at once (softkey: yes; a card: no), which the bulk import
 * honours.
 */
#ifndef OCA_CA_H
#define OCA_CA_H

#include "oca-common.h"
#include "pgp.h"
#include "db.h"

#include <stdio.h>

/* Error code for usage errors (exit status 2).  */
#define CA_ERR_USAGE GPG_ERR_USER_1

/* Local part of the CA's email address.  */
#define CA_EMAIL_LOCALPART "openpgp-ca"
/* Default name in the CA's User ID.  */
#define CA_DEFAULT_NAME "OpenPGP CA"
/* Trust signature a user makes on the CA (spec 3.6).  */
#define CA_TSIG_LEVEL  255
#define CA_TSIG_AMOUNT 120
/* Largest key file we read.  */
#define CA_MAX_FILE PGP_MAX_INPUT


/*-- The command line context (oca.c) --*/

typedef struct ca_cli
{
  const char *dbfile;          /* -d or $OPENPGP_CA_DB, or NULL.  */
  const char *command;         /* "user add " etc., for messages.  */
} ca_cli_t;


/*-- Backends (ca-backend.c, ca-softkey.c) --*/

typedef struct ca_backend ca_backend_t;

struct ca_backend_ops
{
  const char *type;            /* "softkey", "card".  */
  /* Fill *R_SIGNER for the CA primary (certification) key.  */
  gpg_error_t (*certifier) (ca_backend_t *be, pgp_signer_t *r_signer);
  /* Fill *R_SIGNER for the CA signing subkey.  */
  gpg_error_t (*signer) (ca_backend_t *be, pgp_signer_t *r_signer);
  /* One-line description for `ca show' (xfree).  */
  gpg_error_t (*describe) (ca_backend_t *be, char **r_text);
  /* Armored private key (secure memory, wipe_and_free) or
   * GPG_ERR_NOT_SUPPORTED.  */
  gpg_error_t (*export_private) (ca_backend_t *be, char **r_armor,
                                 size_t *r_len);
  /* Release the backend's private data.  */
  void (*release) (ca_backend_t *be);
  /* Whether the certifier may sign from several threads at once.  */
  int thread_safe;
};

struct ca_backend
{
  const struct ca_backend_ops *ops;
  pgp_cert_t *cacert;          /* Borrowed from the ca_t.  */
  void *priv;                  /* Backend data.  */
};

/* Create the backend described by the stored string CONFIG (NULL or ""
 * = softkey) for the CA certificate CACERT (borrowed; a softkey signs
 * with its secret parts, which ca_key_load arranges to be read from
 * the database when first needed).  */
gpg_error_t ca_backend_new (const char *config, pgp_cert_t *cacert,
                            ca_backend_t **r_be);
/* Release BE (NULL ok).  */
void ca_backend_release (ca_backend_t *be);

/* The softkey backend (ca-softkey.c).  */
gpg_error_t ca_softkey_new (pgp_cert_t *cacert, ca_backend_t **r_be);


/*-- The CA (ca-core.c) --*/

/* Flags for ca_open.  */
#define CA_OPEN_READONLY 1     /* Reading commands: never write.  */
#define CA_OPEN_CREATE   2     /* ca init: create the file; no CA
                                * needed.  */

typedef struct ca
{
  db_t db;
  char *dbfile;
  int created_file;            /* ca_open created DBFILE.  */
  int committed;
  /* Loaded by ca_open unless CA_OPEN_CREATE.  */
  char *domain;
  db_cacert_t *cacert;         /* The stored row (secure fields).  */
  pgp_cert_t *cert;            /* The parsed CA certificate.  */
  char fpr[41];
  char *uid;                   /* The CA's User ID string.  */
  ca_backend_t *backend;
  int key_scrubbed;            /* ca_open finished the removal of the
                                * key of a migrated CA.  */
} ca_t;

/*-- Where the CA key is stored (ca-softkey.c) --*/

/* Parse the stored CA certificate of CA->cacert into CA->cert; for a
 * softkey CA add the private key from table cakeys.  On a read-write
 * handle outside a transaction also: move a private key that an older
 * oca stored inline in cacerts.priv_cert to cakeys, finish such a move
 * that was interrupted, and finish the removal of the key of a CA
 * migrated to a card (setting CA->key_scrubbed).  */
gpg_error_t ca_key_load (ca_t *ca);

/* Store the secret keys of CERT as the private key of cacert
 * CACERT_ID (table cakeys).  Needs a transaction.  */
gpg_error_t ca_key_store (ca_t *ca, int64_t cacert_id, const pgp_cert_t *cert);

/* Load the stored private key of a softkey CA into CA->cert now (it is
 * otherwise read on the first signature).  No-op for other backends.  */
gpg_error_t ca_key_unlock (ca_t *ca);

/* Remove the private key from the database of a CA whose backend is
 * no longer the softkey (ca migrate), without copying it anywhere.
 * Outside a transaction.  */
gpg_error_t ca_key_scrub (ca_t *ca);

/* Open the CA database of CLI with FLAGS (CA_OPEN_*).  Without
 * CA_OPEN_CREATE the CA must be initialised and is loaded.  Errors get
 * a one-line message (ca_errmsg).  */
gpg_error_t ca_open (ca_cli_t *cli, unsigned int flags, ca_t **r_ca);
/* Release CA; an open transaction is rolled back and a file created by
 * a failed ca init is removed.  NULL ok.  */
void ca_release (ca_t *ca);
/* Start the one transaction of a command.  */
gpg_error_t ca_begin (ca_t *ca);
/* Commit it.  */
gpg_error_t ca_commit (ca_t *ca);

/* Create the CA in an opened, empty database: generate the key of
 * ALGO (enum pgp_gen_algo) with User ID "NAME <openpgp-ca@DOMAIN>" and
 * store it (softkey).  Loads the CA into CA.  Needs a transaction.  */
gpg_error_t ca_init_softkey (ca_t *ca, const char *domain, const char *name,
                             int algo);

/* Check DOMAIN syntactically (labels of [a-z0-9-], not starting or
 * ending with '-', at least two labels, no trailing dot) and return the
 * lowercased domain in *R_DOMAIN (xfree).  */
gpg_error_t ca_check_domain (const char *domain, char **r_domain);

/* Parse TEXT, the stored certificate of the certs row for fingerprint
 * FPR, into *R_CERT, checking that it is that key (GPG_ERR_BAD_DATA if
 * not).  Errors get the message "stored certificate FPR is invalid:
 * ...".  */
gpg_error_t ca_parse_stored_cert (const char *text, const char *fpr,
                                  pgp_cert_t **r_cert);

/* Store the CA certificate CA->cert (e.g. after merging trust
 * signatures).  Needs a transaction.  */
gpg_error_t ca_store_cacert (ca_t *ca);

/* Read file FNAME ("-" = stdin) into *R_BUF and *R_LEN (xfree), at most
 * CA_MAX_FILE bytes.  Errors get a message naming the file.  */
gpg_error_t ca_read_file (const char *fname, unsigned char **r_buf,
                          size_t *r_len);

/* Record the one-line message MSG for the error about to be returned
 * and return ERR.  */
gpg_error_t ca_set_errmsg (gpg_error_t err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
/* The recorded message, or NULL.  */
const char *ca_errmsg (void);
/* The recorded message if it was recorded for exactly ERR (e.g. by a
 * card backend during a signature), else NULL.  */
const char *ca_errmsg_for (gpg_error_t err);
/* Print the one-line warning FMT on stderr ("oca: warning: ...").  */
void ca_warning (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2)));
/* A message for an error from reading a key: "FILE: bad armor
 * checksum" etc.; returns ERR.  */
gpg_error_t ca_key_errmsg (gpg_error_t err, const char *what);


/*-- Certification policy (ca-certify.c) --*/

/* Which User IDs of a certificate to certify.  */
typedef struct ca_certify_req
{
  const char *const *emails;   /* Normalised addresses (-e), or NULL.  */
  size_t nemails;
  int domain_emails;           /* All UIDs whose email is in the CA's
                                * domain (bulk import).  */
  int want_name;               /* Find the user's name (result NAME).  */
} ca_certify_req_t;

/* A certification made, for the audit record.  */
typedef struct ca_made_sig
{
  struct ca_made_sig *next;
  char *uid;                   /* The certified User ID.  */
  uint32_t created;
  char *sig_b64;               /* Base64 of the signature packet.  */
} ca_made_sig_t;

void ca_made_sig_release (ca_made_sig_t *list);

/* A User ID the CA refused to certify, for a warning.  */
typedef struct ca_refused
{
  struct ca_refused *next;
  char *uid;                   /* The User ID, escaped for display.  */
  const char *why;             /* Why (static text).  */
} ca_refused_t;

/* What ca_certify_cert did.  */
typedef struct ca_certify_result
{
  ca_made_sig_t *made;         /* New certifications.  */
  size_t nmatched;             /* Distinct User IDs that matched and are
                                * certified (now or before).  */
  char **emails;               /* Their addresses (distinct, lowercase).  */
  size_t nemails;
  char *unmatched;             /* "e1, e2": requested addresses no User
                                * ID has or mentions, or NULL.  */
  ca_refused_t *refused;       /* User IDs that concern the request but
                                * fail the User ID rule or the binding.  */
  char *name;                  /* With REQ->want_name: the one display
                                * name of all bound, clean User IDs, or
                                * NULL.  */
} ca_certify_result_t;

/* Release the contents of RES and clear it (RES may be NULL).  */
void ca_certify_result_release (ca_certify_result_t *res);

/* Certify the User IDs of CERT selected by REQ with SIGNER as the CA
 * whose User ID is CA_UID and fingerprint CA_FPR: 0x10, Signer's User
 * ID = CA_UID, no expiration; User IDs that already carry a signature
 * by the CA, and copies of a User ID already certified, are skipped.
 * *RES (cleared first; release with ca_certify_result_release) gets
 * what was done; on error it is empty.  Thread-safe for different
 * CERTs.  */
gpg_error_t ca_certify_cert (pgp_cert_t *cert, const pgp_signer_t *signer,
                             const char *ca_uid, const unsigned char *ca_fpr,
                             const char *ca_domain,
                             const ca_certify_req_t *req,
                             ca_certify_result_t *res);

/* The one-line warning for REFUSED of the key FPR (xfree; NULL if out
 * of core).  */
char *ca_refused_line (const char *fpr, const ca_refused_t *refused);

/* Record the certifications MADE on CERT (stored as CERT_ID) in the
 * audit table.  Needs a transaction.  */
gpg_error_t ca_record_certifications (ca_t *ca, int64_t cert_id,
                                      const char *target_fpr,
                                      const ca_made_sig_t *made);

/* Record one signature SIG (of KIND) made on TARGET_FPR over UID.  */
gpg_error_t ca_record_sig (ca_t *ca, int64_t cert_id, const char *target_fpr,
                           const char *uid, const pgp_sig_t *sig,
                           const char *issuer_fpr,
                           db_certification_kind_t kind);

/* Base64 of LEN bytes at DATA (xfree).  */
gpg_error_t ca_base64 (const void *data, size_t len, char **r_str);

/* The revocation id of SIG: the first 8 bytes of SHA-256 over the
 * signature packet as 16 uppercase hex digits into OUT.  */
void ca_revocation_hash (const pgp_sig_t *sig, char out[17]);

/* Export CERT as armored public key text (xfree).  */
gpg_error_t ca_armor_public (const pgp_cert_t *cert, char **r_text);


/*-- Passphrases (ca-passphrase.c) --*/

/* A new random passphrase of five pronounceable words (at least 100
 * bits of entropy) in secure memory (wipe_and_free_string).  */
gpg_error_t ca_passphrase_new (char **r_pass);


/*-- Bulk import (ca-bulk.c) --*/

/* Progress callback: DONE of TOTAL keys processed.  */
typedef void (*ca_progress_fn_t) (void *opaque, size_t done, size_t total);
/* Report callback: one line about a skipped key or a refused User ID
 * (no newline).  */
typedef void (*ca_report_fn_t) (void *opaque, const char *line);

typedef struct ca_bulk_stats
{
  size_t keys;                 /* Keys read.  */
  size_t imported;             /* New certs stored.  */
  size_t updated;              /* Known certs that got certifications.  */
  size_t skipped;              /* Keys without a UID in the domain.  */
  size_t refused;              /* Keys not imported because their UIDs
                                * that mention the domain were refused.  */
  size_t certifications;       /* Certifications made.  */
  int partial;                 /* Error, but the keys before the failing
                                * one were stored: commit them.  */
} ca_bulk_stats_t;

/* Certify every key of the keyring BUF/LEN on the UIDs in the CA's
 * domain and store them, in the current transaction.  Signing runs in
 * NTHREADS threads (0 = one per online CPU) when the backend allows.
 * REPORT is called (in the caller's thread) for every refused User ID
 * and every skipped key, PROGRESS now and then.  On error nothing is stored, except when the
 * certifier of a backend that is not thread-safe (a card) fails: then
 * the keys before the failing one (keyring order) are stored, the
 * error names the key and the count, and R_STATS->partial is set if
 * that wrote anything; the caller commits and returns the error.  */
gpg_error_t ca_bulk_import (ca_t *ca, const unsigned char *buf, size_t len,
                            unsigned int nthreads,
                            ca_report_fn_t report, ca_progress_fn_t progress,
                            void *opaque, ca_bulk_stats_t *r_stats);


/*-- Commands (cmd-ca.c, cmd-user.c) --*/

gpg_error_t cmd_ca_init (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_ca_show (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_ca_export (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_ca_private (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_ca_import_tsig (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_user_add (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_user_import (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_user_update (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_user_list (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_user_export (ca_cli_t *cli, int argc, char **argv);

/* Helper of the commands: a usage error for option parsing
 * (exit status 2).  */
gpg_error_t cmd_usage (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2)));
/* The usage error for getopt's result C (unknown option, or ':' for a
 * missing argument).  */
gpg_error_t cmd_getopt_error (int c, char **argv);
/* Write the secret string S to FP without leaving a copy in its stdio
 * buffer.  */
gpg_error_t cmd_write_secret (FILE *fp, const char *s);

#endif /*OCA_CA_H*/
