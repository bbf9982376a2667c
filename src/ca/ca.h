/* ca.h - the CA API: everything a front end (the oca command line) calls
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Model.  A CA is one database file (db/): the CA certificate, where
 * its private key is (the backend: the file itself, or an OpenPGP
 * card), the user certificates with their emails and revocations, and
 * an audit record of every signature the CA made.  A front end opens
 * it (ca_open, with the options of ca_opts_t), calls the operations
 * below and, for those that write, wraps them in one transaction
 * (ca_begin ... ca_commit).  An error leaves the transaction to
 * ca_release, which rolls it back: the file stays byte-identical.
 *
 * Errors.  Every function returns a gpg_error_t and may record one
 * line for the operator with ca_set_errmsg (read back with ca_errmsg).
 * The core never prints an error and never exits; results come back as
 * typed structs that the front end prints.  The only output of the
 * core is ca_warning / ca_notice (stderr, operator notices).
 *
 * Reading many rows.  Stored certificates are walked one at a time
 * (ca_users_open / ca_users_next): no call loads a whole table.
 *
 * Threads.  A ca_t belongs to one thread; only ca_bulk_import uses
 * more (internally).
 */
#ifndef OCA_CA_H
#define OCA_CA_H

#include "oca-common.h"
#include "pgp.h"

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


/*-- Messages (ca-msg.c) --*/

/* Record the one-line message MSG (printf-style FMT) for the error ERR
 * about to be returned and return ERR.  Line breaks become spaces.
 * Each thread has its own message: a worker thread hands its error's
 * message to the reporting thread along with the error.  */
gpg_error_t ca_set_errmsg (gpg_error_t err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
/* The calling thread's recorded message, or NULL.  */
const char *ca_errmsg (void);
/* Forget the recorded message (a front end that serves many commands
 * in one process, before each).  */
void ca_clear_errmsg (void);
/* The recorded message if it was recorded for exactly ERR (e.g. by a
 * card backend during a signature), else NULL.  */
const char *ca_errmsg_for (gpg_error_t err);
/* Print the one-line warning FMT on stderr ("oca: warning: ...").  */
void ca_warning (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2)));
/* Print a notice for the operator on stderr (touch requests, progress
 * of card flows; not errors).  */
void ca_notice (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2)));
/* Record the message for ERR from reading OpenPGP data from WHAT (a
 * file name): "FILE: bad armor checksum" etc.; returns ERR.  */
gpg_error_t ca_key_errmsg (gpg_error_t err, const char *what);


/*-- Opening a CA (ca-core.c) --*/

/* The routes to an OpenPGP card (see ca-card.h).  */
#define CA_ROUTE_STORED  -1    /* The route stored with the CA.  */
#define CA_ROUTE_OCA_SCD  0    /* oca spawns oca-scd.  */
#define CA_ROUTE_AGENT    1    /* The user's gpg-agent and scdaemon.  */

/* What the CA core needs from the front end's options.  */
typedef struct ca_opts
{
  const char *dbfile;          /* The CA database, or NULL (an error for
                                * every command that opens a CA).  */
  int card_route;              /* CA_ROUTE_*: the route to the CA's card
                                * for this run (CA_ROUTE_STORED: as
                                * stored), and the default of the card
                                * commands.  */
  int pinpad;                  /* Card set-up (ca init/migrate/
                                * set-backend ... card): the CA keeps no
                                * PIN; the operator types it on the
                                * reader's pin-pad.  */
} ca_opts_t;

typedef struct ca ca_t;

/* Flags for ca_open.  */
#define CA_OPEN_READONLY 1     /* Reading commands: never write.  */
#define CA_OPEN_CREATE   2     /* ca init: create the file; no CA
                                * needed.  */
#define CA_OPEN_UNATTENDED 4   /* Nobody is there (the service): a card
                                * whose key needs a touch for each
                                * signature refuses to sign, with a
                                * message, before anything is signed.  */

/* Open the CA database of OPTS with FLAGS (CA_OPEN_*).  Without
 * CA_OPEN_CREATE the CA must be initialised and is loaded (a read-write
 * open also finishes interrupted moves of the key, see ca-softkey.c).
 * CA_OPEN_CREATE refuses a database that holds a CA already.  Errors
 * get a one-line message.  */
gpg_error_t ca_open (const ca_opts_t *opts, unsigned int flags, ca_t **r_ca);
/* Release CA; an open transaction is rolled back and a file created by
 * a failed ca init is removed.  NULL ok.  */
void ca_release (ca_t *ca);
/* Start the one transaction of a command (the write lock is taken
 * now).  */
gpg_error_t ca_begin (ca_t *ca);
/* Commit it.  */
gpg_error_t ca_commit (ca_t *ca);
/* Start a read transaction: what is read until ca_end_read is one
 * snapshot of the database (exports).  */
gpg_error_t ca_begin_read (ca_t *ca);
/* End it (NULL ok; no-op without one).  */
void ca_end_read (ca_t *ca);

/* What a loaded CA is.  */
typedef struct ca_info
{
  const char *domain;
  const char *fpr;             /* 40 hex digits.  */
  const char *uid;             /* The CA's User ID.  */
  uint32_t created;            /* Creation time of the CA key.  */
  const char *backend;         /* "softkey" or "card".  */
  int key_scrubbed;            /* The open finished removing the key of
                                * a CA migrated to a card.  */
  const pgp_cert_t *cert;      /* The CA certificate (public, with the
                                * trust signatures users made on it).  */
  uint32_t expires;            /* When the CA key expires (0: never).  */
} ca_info_t;

/* Fill *R_INFO for the loaded CA (pointers valid while CA is).  */
void ca_get_info (ca_t *ca, ca_info_t *r_info);

/* What `ca show' says about a CA.  */
typedef struct ca_summary
{
  char *domain;
  char fpr[41];
  uint32_t created;            /* Creation time of the CA key.  */
  char *backend;               /* The backend's line, in secure memory
                                * (a card's holds the User PIN).  */
  uint32_t expires;            /* When the CA key expires (0: never).  */
} ca_summary_t;

/* A backup card of a card CA (`ca set-backend card --add').  */
typedef struct ca_backup_card
{
  struct ca_backup_card *next;
  char ident[14];
  char *reader;                /* Its reader, NULL if not known (the
                                * card is not present, or no card
                                * server answered).  */
} ca_backup_card_t;

/* The backup cards of the CA in the order they were added (none, or
 * not a card CA: *R_LIST NULL); with PROBE, the card server is asked
 * for their readers (a failure there only leaves them unknown).  */
gpg_error_t ca_backup_cards (ca_t *ca, int probe, ca_backup_card_t **r_list);
void ca_backup_cards_release (ca_backup_card_t *list);

/* Fill *R_SUM for the loaded CA (release with ca_summary_release).  */
gpg_error_t ca_get_summary (ca_t *ca, ca_summary_t *r_sum);
/* Release the contents of SUM and clear it (NULL ok).  */
void ca_summary_release (ca_summary_t *sum);

/* The CA certificate, armored, public parts and exportable signatures
 * (xfree).  */
gpg_error_t ca_export_public (ca_t *ca, char **r_text);

/* The CA's private key, armored and unprotected, in secure memory
 * (wipe_and_free); GPG_ERR_NOT_SUPPORTED with a message for a backend
 * that cannot hand it out (a card).  */
gpg_error_t ca_export_private (ca_t *ca, char **r_armor, size_t *r_len);

/* Check DOMAIN syntactically (labels of [a-z0-9-], not starting or
 * ending with '-', at least two labels, no trailing dot) and return the
 * lowercased domain in *R_DOMAIN (xfree).  */
gpg_error_t ca_check_domain (const char *domain, char **r_domain);

/* Create the CA in a database opened with CA_OPEN_CREATE: generate the
 * key of ALGO (enum pgp_gen_algo) with User ID "NAME <openpgp-ca@DOMAIN>"
 * (NAME NULL: CA_DEFAULT_NAME) and store it (softkey).  Loads the CA.
 * Needs a transaction.  */
gpg_error_t ca_init_softkey (ca_t *ca, const char *domain, const char *name,
                             int algo);


/*-- Certification (ca-certify.c) --*/

/* Which User IDs of a certificate to certify.  Whatever the request,
 * the CA certifies only User IDs that pass the User ID rule and are
 * bound to the key by a valid self-signature (see ca-certify.c).  */
typedef struct ca_policy
{
  const char *const *emails;   /* Normalised addresses (-e), or NULL.  */
  size_t nemails;
  int domain_emails;           /* All UIDs whose email is in the CA's
                                * domain (bulk import).  */
  int want_name;               /* Find the user's name (result NAME).  */
  uint32_t validity;           /* Lifetime of the certifications made, in
                                * seconds (0: ca_certify takes the CA's,
                                * see ca_set_validity).  */
  int renew;                   /* Renewal: only User IDs that carry a
                                * good CA certification not revoked by
                                * the CA (the other rules apply too).  */
  uint32_t renew_until;        /* A User ID is skipped when a good CA
                                * certification of it is valid after
                                * this time (0: any good one).  */
  /* Re-certification (ca re-certify) instead of the rules above: every
   * User ID bound to the key that carries a valid certification by
   * RECERTIFY_OLD and none by RECERTIFY_CUR at RECERTIFY_NOW, which is
   * also the creation time of the certifications.  */
  const pgp_cert_t *recertify_old;
  const pgp_cert_t *recertify_cur;
  uint32_t recertify_now;
  const char *const *uids;     /* With NUIDS: only these User IDs (exact
                                * strings) of those selected above
                                * (split mode's requests).  */
  size_t nuids;
} ca_policy_t;

/* A certification made, for the audit record.  */
typedef struct ca_made_sig
{
  struct ca_made_sig *next;
  char *uid;                   /* The certified User ID.  */
  uint32_t created;
  char *sig_b64;               /* Base64 of the signature packet.  */
  char hash[65];               /* Its SHA-256 (hex).  */
  char card[14];               /* The card that made it ("": no card).  */
} ca_made_sig_t;

void ca_made_sig_release (ca_made_sig_t *list);

/* A User ID the CA refused to certify, for a warning.  */
typedef struct ca_refused
{
  struct ca_refused *next;
  char *uid;                   /* The User ID, escaped for display.  */
  const char *why;             /* Why (static text).  */
} ca_refused_t;

/* What a certification did.  */
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
  char *name;                  /* With POLICY->want_name: the one display
                                * name of all bound, clean User IDs, or
                                * NULL.  */
} ca_certify_result_t;

/* Release the contents of RES and clear it (RES may be NULL).  */
void ca_certify_result_release (ca_certify_result_t *res);

/* Certify the User IDs of CERT that POLICY selects with the CA's key
 * (0x10, Signer's User ID = the CA's, expiring after POLICY->validity
 * or the CA's lifetime of certifications; a User ID that already
 * carries a good CA certification, see POLICY->renew_until, or a copy
 * of one certified before, is skipped; an expired CA key certifies
 * nothing).  *RES (cleared first; release with
 * ca_certify_result_release) gets what was done; on error it is empty.
 * Nothing is stored.  */
gpg_error_t ca_certify (ca_t *ca, pgp_cert_t *cert, const ca_policy_t *policy,
                        ca_certify_result_t *res);

/* The one-line warning for REFUSED of the key FPR (xfree; NULL if out
 * of core).  */
char *ca_refused_line (const char *fpr, const ca_refused_t *refused);


/*-- Users (ca-user.c) --*/

/* A new user key made by ca_user_create, handed out once.  */
typedef struct ca_new_user
{
  char fpr[41];
  char *passphrase;            /* Secure memory.  */
  unsigned char *key;          /* Armored private key protected with
                                * PASSPHRASE (secure memory, NUL-
                                * terminated; KEYLEN without the NUL).  */
  size_t keylen;
} ca_new_user_t;

/* Release the contents of U (wiping the secrets); NULL ok.  */
void ca_new_user_release (ca_new_user_t *u);

/* The subkeys of a user key made by `user add'.  */
#define CA_SUBKEY_ENCRYPT  1   /* Encryption (communications, storage).  */
#define CA_SUBKEY_SIGN     2   /* Signing.  */
#define CA_SUBKEY_AUTH     4   /* Authentication.  */
#define CA_SUBKEYS_DEFAULT (CA_SUBKEY_ENCRYPT | CA_SUBKEY_SIGN)

/* What `user add' makes.  */
typedef struct ca_user_spec
{
  const char *name;            /* The user's name, or NULL.  */
  const char *const *emails;   /* NEMAILS normalised addresses.  */
  size_t nemails;
  int algo;                    /* enum pgp_gen_algo; 0: the CA key's
                                * kind.  */
  unsigned int subkeys;        /* CA_SUBKEY_* (0: a certify-only primary
                                * key alone).  */
  const char *passphrase;      /* The passphrase (secure memory); NULL:
                                * a new random one; "": none (the key
                                * is handed out unprotected).  */
} ca_user_spec_t;

/* `user add': generate a key of SPEC->algo with the subkeys
 * SPEC->subkeys and a User ID "NAME <EMAIL>" (or "<EMAIL>") for each
 * address, certify them, make the new key trust-sign the CA, and store
 * the user, its certificate, the certifications and a revocation
 * certificate.  *R_USER gets the key protected with the passphrase
 * (R_USER->passphrase NULL: unprotected).  Needs a transaction; the
 * caller hands the key out before committing.  What others stored on
 * the CA certificate since ca_open is merged in first (under the write
 * lock: their trust signatures are kept).  */
gpg_error_t ca_user_create_ex (ca_t *ca, const ca_user_spec_t *spec,
                               ca_new_user_t *r_user);
/* The same with the default subkeys and a new passphrase.  */
gpg_error_t ca_user_create (ca_t *ca, const char *name,
                            const char *const *emails, size_t nemails,
                            int algo, ca_new_user_t *r_user);

/* `user import': store CERT (public parts) as a new user certified
 * for the normalised EMAILS.  NAME (NULL: the one name of its bound
 * User IDs, if any) is the user's name.  Refused: the CA's own key, a
 * key already stored, a key of which nothing can be certified (then
 * nothing is stored).  *RES gets the certification's result as soon as
 * it is known, also when a later step fails: its refused User IDs and
 * unmatched addresses are for warnings.  Needs a transaction.  */
gpg_error_t ca_user_import (ca_t *ca, pgp_cert_t *cert, const char *name,
                            const char *const *emails, size_t nemails,
                            ca_certify_result_t *res);

/* Store the key revocations in BUF/LEN (from WHAT, a file name for
 * messages) for the stored certificate CERT: each must be a key
 * revocation that verifies against CERT.  Known ones are skipped.
 * Needs a transaction.  */
gpg_error_t ca_user_add_revocations (ca_t *ca, const pgp_cert_t *cert,
                                     const char *what,
                                     const void *buf, size_t len);

/* `user update': merge CERT into the stored copy of the same key
 * (WHAT names its file in messages).  *R_ADDED gets the number of
 * packets added (0: nothing to store).  Needs a transaction.  */
gpg_error_t ca_user_update (ca_t *ca, const pgp_cert_t *cert,
                            const char *what, int *r_added);

/* A stored user certificate, as ca_users_next hands it out.  */
typedef struct ca_user
{
  const char *fpr;             /* 40 hex digits.  */
  const char *name;            /* The user's name, or NULL.  */
  const char *const *emails;   /* NEMAILS addresses.  */
  size_t nemails;
  pgp_cert_t *cert;            /* The certificate, parsed and checked
                                * to be the key of its row.  */
  int delisted;                /* Not to be published (WKD, keylist,
                                * keyservers).  */
  int inactive;                /* Not to be refreshed.  */
} ca_user_t;

typedef struct ca_user_iter ca_user_iter_t;

/* Walk the stored user certificates in the order they were stored,
 * all of them or (EMAIL not NULL) those stored for that address.  */
gpg_error_t ca_users_open (ca_t *ca, const char *email,
                           ca_user_iter_t **r_it);
/* Walk them ordered by the user's name (users without a name first,
 * then bytewise), then in the order they were stored (the keylist's
 * order); holds 8 bytes per certificate.  */
gpg_error_t ca_users_open_by_name (ca_t *ca, ca_user_iter_t **r_it);
/* The next one in *R_USER (valid until the next call), or GPG_ERR_EOF.
 * A stored certificate that does not parse is an error with a message
 * naming it.  */
gpg_error_t ca_users_next (ca_user_iter_t *it, const ca_user_t **r_user);
/* End the walk (NULL ok).  */
void ca_users_close (ca_user_iter_t *it);

/* What `user list' says about a user certificate.  */
typedef struct ca_user_status
{
  const pgp_uid_t **certified; /* User IDs validly certified by the CA
                                * (borrowed from the user's cert).  */
  size_t ncertified;
  int tsigned;                 /* The key has trust-signed the CA.  */
  gpg_error_t info_err;        /* Expiration unknown: why.  */
  pgp_cert_info_t info;        /* Expiration and revocation.  */
  size_t nrevocations;         /* Revocation certificates stored.  */
} ca_user_status_t;

/* Check the signatures of USER (from ca_users_next) against the CA at
 * NOW and fill *R_STATUS (release with ca_user_status_release).  */
gpg_error_t ca_user_status (ca_t *ca, const ca_user_t *user, uint32_t now,
                            ca_user_status_t *r_status);
void ca_user_status_release (ca_user_status_t *status);

/* `user export': the CA certificate and every user certificate (with
 * EMAIL: only those stored for that address; none is
 * GPG_ERR_NOT_FOUND) as one armored keyring (xfree).  */
gpg_error_t ca_export_certs (ca_t *ca, const char *email, char **r_text);

/* A writer of output (LEN bytes at BUF); an error stops the output.  */
typedef gpg_error_t (*ca_write_fn_t) (void *opaque, const void *buf,
                                      size_t len);
/* The same keyring written through WRITE as it is made, one
 * certificate at a time (memory stays flat for any number of users).
 * On error, what was written is incomplete.  */
gpg_error_t ca_export_certs_to (ca_t *ca, const char *email,
                                ca_write_fn_t write, void *opaque);

/* The addresses stored for user certificates, sorted, each once, in a
 * NULL-terminated list *R_LIST (release with ca_strings_release).  */
gpg_error_t ca_user_emails (ca_t *ca, char ***r_list);
/* Release a NULL-terminated list of strings (NULL ok).  */
void ca_strings_release (char **list);

/* `ca import-tsig': merge into the CA certificate the trust signatures
 * on COPY (a copy of it, read from WHAT) that a stored user key made
 * and that verify, and store it.  *R_ADDED gets their number; none is
 * GPG_ERR_NOT_FOUND.  Needs a transaction; merges the stored CA
 * certificate first (see ca_user_create).  */
gpg_error_t ca_import_tsigs (ca_t *ca, const pgp_cert_t *copy,
                             const char *what, int *r_added);


/*-- Checks of user certificates (ca-check.c) --
 *
 * `user check': one function per check.  Each looks at one stored user
 * certificate (as ca_users_next hands it out) at NOW; the front end
 * walks the users and prints.  */

/* What `user check expiry' says about a user certificate.  */
typedef struct ca_check_expiry
{
  int expiring;                /* Alive at NOW but not at NOW + DAYS.  */
  uint32_t expires;            /* When the key expires (0 = never).  */
} ca_check_expiry_t;

/* Whether the key of USER is alive at NOW (created, not expired) but
 * expires within DAYS days.  */
gpg_error_t ca_check_expiry (ca_t *ca, const ca_user_t *user, uint32_t now,
                             unsigned int days, ca_check_expiry_t *r_res);

/* What `user check certifications' says about a user certificate.  */
typedef struct ca_check_mutual
{
  int ca_certified;            /* A User ID carries a valid CA
                                * certification.  */
  int tsigned;                 /* The key has trust-signed the CA.  */
} ca_check_mutual_t;

/* Whether USER and the CA certify each other at NOW.  */
gpg_error_t ca_check_certifications (ca_t *ca, const ca_user_t *user,
                                     uint32_t now, ca_check_mutual_t *r_res);


/*-- Revocations (ca-revoke.c, ca-revset.c) --
 *
 * A revocation id is the reference's: the first 8 bytes of SHA-256
 * over the signature packet (new-format header), 16 uppercase hex
 * digits (spec 3.10).  */

/* `user add-revocation': store the key revocations in BUF/LEN (read
 * from WHAT, named in messages) for the stored user certificate they
 * revoke, found by the issuer fingerprint, else by the issuer key ID
 * and verification.  Each must be a key revocation (0x20) that
 * verifies against that key's primary; all must revoke the same key.
 * One equal to a stored one is not stored again.  R_FPR gets the key,
 * *R_ADDED the number stored.  Needs a transaction.  */
gpg_error_t ca_revocation_add (ca_t *ca, const void *buf, size_t len,
                               const char *what, char r_fpr[41],
                               int *r_added);

/* `user apply-revocation': merge the stored revocation ID (16 hex
 * digits, either case) into the stored certificate it revokes and
 * mark it published.  Unknown: GPG_ERR_NOT_FOUND, "No revocation found
 * for ID".  R_FPR gets the key.  Needs a transaction.  */
gpg_error_t ca_revocation_apply (ca_t *ca, const char *id, char r_fpr[41]);

/* A stored revocation, as `user show-revocations' lists it.  */
typedef struct ca_revocation
{
  struct ca_revocation *next;
  char hash[17];               /* The revocation id.  */
  uint32_t created;
  int has_reason;              /* A reason subpacket: */
  int reason;                  /* PGP_REVOC_*,  */
  char *reason_text;           /* and its text, or NULL.  */
  int published;               /* Applied to the certificate.  */
} ca_revocation_t;

void ca_revocation_release (ca_revocation_t *list);

/* The revocations stored for USER (from ca_users_next), in the order
 * they were stored, in *R_LIST (NULL if none).  */
gpg_error_t ca_user_revocations (ca_t *ca, const ca_user_t *user,
                                 ca_revocation_t **r_list);

/* `ca revocations': the CA key's set of revocation certificates made
 * in advance (spec 3.9): for i = 0 .. 120, at NOW (0: the current
 * time) + i * 30 days, a hard revocation (key compromised) and a soft
 * one (key retired), made by the backend's certifier and recorded in
 * the audit table.  *R_TEXT (xfree) gets the file: an explanation, the
 * CA certificate, then each revocation armored with a dated Comment.
 * Needs a transaction.  */
gpg_error_t ca_revocation_set (ca_t *ca, uint32_t now, char **r_text);


/*-- Re-certification (ca-recertify.c) --*/

/* `ca re-certify': certify with the current CA key, valid for DAYS (1
 * to 36500) days, each User ID of the stored user certificates (not
 * inactive) that carries a valid certification by OLD and none by the
 * current key, and that its key still binds.  OLD (read from WHAT)
 * must be another key of this CA: a User ID openpgp-ca@DOMAIN bound to
 * it.  NOW 0: the current time.  *R_UIDS and *R_CERTS get the number
 * of User IDs certified and of certificates changed.  Needs a
 * transaction.  */
gpg_error_t ca_recertify (ca_t *ca, const pgp_cert_t *old, const char *what,
                          unsigned int days, uint32_t now, size_t *r_uids,
                          size_t *r_certs);


/*-- OpenPGP cards (ca-provision.c) --*/

/* The route named NAME ("oca-scd", "gpg-agent"), or -1.  */
int ca_route_from_name (const char *name);

/* What a card is to oca.  */
typedef enum ca_card_use
  {
    CA_CARD_BLANK = 0,         /* No keys, no other cardholder: oca may
                                * personalise it.  */
    CA_CARD_CA,                /* Cardholder "OpenPGP CA" with a key in
                                * the AUT slot: a CA's card.  */
    CA_CARD_FOREIGN            /* In use by somebody or something else.  */
  }
ca_card_use_t;

/* One card, as `card list' and `card status' show it.  */
typedef struct ca_card
{
  struct ca_card *next;
  char ident[14];              /* "MANU:SERIAL".  */
  char *serialno;              /* 32 hex digits.  */
  char *reader;                /* The reader's name ("" if unknown).  */
  ca_card_use_t use;
  int blank;                   /* No key in any slot.  */
  int holder_is_ca;            /* Cardholder "OpenPGP CA".  */
  char *holder;                /* The cardholder name as stored ("").  */
  char *holder_shown;          /* In display form: "Doe<<John" is
                                * "John Doe".  */
  char aut_fpr[41];            /* The AUT slot's fingerprint as the card
                                * reports it (a CA card: the CA's).  */
  struct
  {
    char fpr[41];              /* The key's fingerprint, "" if none.  */
    unsigned long created;
    char attr[48];             /* "rsa2048", "ed25519", ...; "" if the
                                * card did not say.  */
    const char *touch;         /* The touch policy: "off", "on",
                                * "fixed", "cached", "cached-fixed",
                                * "unknown", or "n/a" (no button).  */
  } slot[3];                   /* SIG, DEC, AUT.  */
  int pin_retries_valid;
  int pin_retries[3];          /* User PIN, Resetting Code, Admin PIN.  */
  int sig_counter_valid;
  unsigned long sig_counter;
  int held_by_scdaemon;        /* GnuPG's scdaemon holds it exclusively:
                                * reached through gpg-agent.  */
} ca_card_t;

/* The OpenPGP cards reachable over OPTS->card_route (default: oca-scd),
 * in the order the card server reports them (none: *R_LIST NULL).  */
gpg_error_t ca_cards_list (const ca_opts_t *opts, ca_card_t **r_list);
/* The card IDENT of LIST (case-insensitive), or NULL.  */
ca_card_t *ca_cards_find (ca_card_t *list, const char *ident);
void ca_cards_release (ca_card_t *list);

/* What a card flow tells the operator or asks them to confirm (the
 * front end words it).  IDENT is the card's, DETAIL as noted.  */
typedef enum ca_card_event
  {
    CA_CARD_EV_INIT_HOST,      /* Personalising IDENT with a key made
                                * here.  */
    CA_CARD_EV_INIT_IMPORT,    /* ... with the imported key.  */
    CA_CARD_EV_INIT_FROM_CARD, /* A CA from the key IDENT holds.  */
    CA_CARD_EV_GENERATING,     /* The card generates keys (takes a
                                * moment).  */
    CA_CARD_EV_GENERATING_LONG,/* ... RSA 4096 keys (takes a while).  */
    CA_CARD_EV_RECOVER_INIT,   /* Completing an interrupted ca init.  */
    CA_CARD_EV_RECOVER_MIGRATE,/* Completing an interrupted migration.  */
    CA_CARD_ASK_GENERATE,      /* Confirm: generate the key on IDENT (no
                                * backup possible).  */
    CA_CARD_ASK_MIGRATE,       /* Confirm: move the CA key to IDENT.  */
    CA_CARD_ASK_TOUCH_FIXED,   /* Confirm: make the touch policy of slot
                                * DETAIL fixed.  */
    CA_CARD_EV_PINPAD_PINS     /* Pin-pad CA: DETAIL is the User PIN and
                                * Admin PIN oca set on IDENT and does not
                                * keep (said once, before the CA is
                                * stored).  */
  }
ca_card_event_t;

/* The front end's side of a card flow.  */
typedef struct ca_card_ui
{
  void *opaque;
  /* Tell EV (CA_CARD_EV_*).  */
  void (*tell) (void *opaque, ca_card_event_t ev, const char *ident,
                const char *detail);
  /* Ask to confirm EV (CA_CARD_ASK_*); an error stops the flow.  */
  gpg_error_t (*ask) (void *opaque, ca_card_event_t ev, const char *ident,
                      const char *detail);
  /* The User PIN of card IDENT from the operator (secure memory).  */
  gpg_error_t (*get_pin) (void *opaque, const char *ident, char **r_pin);
  /* Hand out ARMOR, the new CA private key, before anything refers to
   * it (an error stops the flow).  */
  gpg_error_t (*hand_out_key) (void *opaque, const char *armor);
} ca_card_ui_t;

/* How `ca init ... card' gets the CA key.  */
typedef enum ca_init_mode
  {
    CA_INIT_HOST = 0,          /* Generate it here, put it on the card,
                                * hand it out once.  */
    CA_INIT_IMPORT,            /* Put an existing key on the card.  */
    CA_INIT_GENERATE,          /* Generate it on the card (no backup).  */
    CA_INIT_FROM_CARD          /* The card holds it already.  */
  }
ca_init_mode_t;

typedef struct ca_card_init
{
  ca_init_mode_t mode;
  const char *domain;          /* Checked with ca_check_domain.  */
  const char *name;            /* In the CA's User ID, or NULL.  */
  int algo;                    /* enum pgp_gen_algo (HOST, GENERATE).  */
  const char *ident;           /* The card, or NULL: the only one that
                                * fits.  */
  pgp_cert_t *cert;            /* IMPORT: the CA key with its secrets;
                                * FROM_CARD: the CA certificate.  */
  const char *what;            /* Where CERT was read, for messages.  */
} ca_card_init_t;

/* `ca init ... card': create the CA of REQ in the database of OPTS on a
 * card reached over OPTS->card_route (default oca-scd), finishing or
 * forgetting an interrupted run first; *R_SUM gets what was made.  The
 * card is written only after a pending row (the card, its new PIN,
 * the progress) is committed; the CA is stored and the row deleted in
 * one final transaction.  */
gpg_error_t ca_card_init (const ca_opts_t *opts, const ca_card_init_t *req,
                          const ca_card_ui_t *ui, ca_summary_t *r_sum);

/* `ca migrate card': move the key of the softkey CA CA to the blank
 * card IDENT (NULL: the only one), switch the backend, then remove the
 * key from the database file without a copy; CA is reloaded.  When an
 * earlier migration had switched already and this open finished the
 * key's removal, nothing else is done and *R_ONLY_SCRUBBED is set.  */
gpg_error_t ca_card_migrate (ca_t *ca, const char *ident,
                             const ca_card_ui_t *ui, int *r_only_scrubbed);

/* `ca set-backend card': switch the card CA CA to the card IDENT (NULL:
 * the only one holding its key), with the User PIN from UI.  */
gpg_error_t ca_card_set_backend (ca_t *ca, const char *ident,
                                 const ca_card_ui_t *ui);

/* `ca set-backend card --add IDENT': record IDENT, a further card
 * holding the key of the card CA CA, with its User PIN from UI
 * (verified on the card).  */
gpg_error_t ca_card_add_backup (ca_t *ca, const char *ident,
                                const ca_card_ui_t *ui);

/* `card touch': set the touch policy of slot KEYNO (1 SIG, 2 DEC, 3
 * AUT; SLOTNAME for messages) of the card CA CA's card (IDENT, if
 * given, must be it) to POLICY (0 off, 1 on, 2 fixed), with the stored
 * PIN as Admin PIN.  R_IDENT gets the card.  */
gpg_error_t ca_card_set_touch (ca_t *ca, const char *ident, int keyno,
                               int policy, const char *slotname,
                               const ca_card_ui_t *ui, char r_ident[14]);


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

/* A reader of input: up to SIZE bytes into BUF, their number in *R_N
 * (0: the end).  */
typedef gpg_error_t (*ca_read_fn_t) (void *opaque, void *buf, size_t size,
                                     size_t *r_n);

/* ca_bulk_import of a keyring of any size read through READ (binary or
 * armored): read, certified and stored a batch of keys at a time, in
 * the one transaction (memory stays flat; all or nothing as below).
 * PROGRESS gets the keys done of those read so far.  */
gpg_error_t ca_bulk_import_stream (ca_t *ca, ca_read_fn_t read,
                                   void *read_opaque, unsigned int nthreads,
                                   ca_report_fn_t report,
                                   ca_progress_fn_t progress, void *opaque,
                                   ca_bulk_stats_t *r_stats);

/* Certify every key of the keyring BUF/LEN on the UIDs in the CA's
 * domain and store them, in the current transaction.  Signing runs in
 * NTHREADS threads (0 = one per online CPU) when the backend allows.
 * REPORT is called (in the caller's thread) for every refused User ID
 * and every skipped key, PROGRESS now and then.  On error nothing is
 * stored, except when the certifier of a backend that is not
 * thread-safe (a card) fails: then the keys before the failing one
 * (keyring order) are stored, the error names the key and the count,
 * and R_STATS->partial is set if that wrote anything; the caller
 * commits and returns the error.  A keyring that does not parse is
 * returned as the parser's error without a message (the caller names
 * its file with ca_key_errmsg).  */
gpg_error_t ca_bulk_import (ca_t *ca, const unsigned char *buf, size_t len,
                            unsigned int nthreads,
                            ca_report_fn_t report, ca_progress_fn_t progress,
                            void *opaque, ca_bulk_stats_t *r_stats);


/*-- Bridges to other CAs (ca-bridge.c) --*/

/* A bridge: this CA's scoped trust signature on a remote OpenPGP CA's
 * key (spec 3.7), so that whoever trusts this CA takes the remote
 * CA's certifications on User IDs of its domain (SCOPE) and only
 * those.  */
typedef struct ca_bridge
{
  struct ca_bridge *next;
  char *email;                 /* The remote CA's address,
                                * openpgp-ca@DOMAIN (the bridge's name).  */
  char *scope;                 /* The domain the trust is scoped to.  */
  char *regex;                 /* The trust signature's Regular
                                * Expression: "<[^>]+[@.]SCOPE>$", the
                                * dots escaped.  */
  char fpr[41];                /* The remote CA key.  */
  char *uid;                   /* Its User ID, escaped for display.  */
  int active;                  /* Our trust signature is valid and not
                                * revoked.  */
  pgp_cert_t *cert;            /* The remote CA's certificate with our
                                * signatures (stored form).  */
} ca_bridge_t;

/* Release LIST (NULL ok).  */
void ca_bridge_release (ca_bridge_t *list);

/* `bridge new': check that REMOTE (read from WHAT, a file name for
 * messages) is the key of another OpenPGP CA (exactly one User ID, for
 * openpgp-ca@DOMAIN, bound to a certification-capable primary key that
 * is neither revoked nor expired; not this CA's key nor its domain; no
 * bridge to it stored yet), that EMAIL (normalised; NULL: the remote
 * CA's) is its address and SCOPE (NULL: its domain) its domain, and
 * fill *R_BRIDGE with the bridge (ca_bridge_release).  With COMMIT
 * also make the trust signature (level 255, amount 120, the scope's
 * Regular Expression) and store the key, the bridge and the audit
 * record: needs a transaction.  Without, nothing is signed or
 * written (the dry run).  */
gpg_error_t ca_bridge_new (ca_t *ca, const pgp_cert_t *remote,
                           const char *what, const char *email,
                           const char *scope, int commit,
                           ca_bridge_t **r_bridge);

/* The stored bridges, oldest first (none: *R_LIST NULL), or with EMAIL
 * the one to that address (none is GPG_ERR_NOT_FOUND).  */
gpg_error_t ca_bridges_get (ca_t *ca, const char *email,
                            ca_bridge_t **r_list);

/* `bridge revoke': revoke the trust signature of the bridge to EMAIL (a
 * certification revocation, reason "removing OpenPGP CA bridge") and
 * store the remote key with it; *R_ARMOR gets the revocation, armored
 * (xfree).  A bridge without a valid trust signature is
 * GPG_ERR_NOT_FOUND.  Needs a transaction.  */
gpg_error_t ca_bridge_revoke (ca_t *ca, const char *email, char **r_armor);

/* The remote CA's certificate of BRIDGE as stored, armored (xfree).  */
gpg_error_t ca_bridge_armor (const ca_bridge_t *bridge, char **r_text);
/*-- Publishing: WKD (ca-wkd.c), keylist (ca-keylist.c), keyservers
 *   (ca-fetch.c) --*/

/* Flags for ca_wkd_export.  */
#define CA_WKD_DIRECT 1        /* Also the direct method's layout.  */

/* What a WKD export did.  */
typedef struct ca_wkd_stats
{
  size_t addresses;            /* Addresses published (files per layout).  */
  size_t keys;                 /* Keys in them (once per address).  */
  size_t unusable;             /* Revoked or expired keys among them
                                * (put after the usable ones).  */
  size_t skipped;              /* Keys without a certified address in the
                                * CA's domain.  */
  size_t delisted;             /* Delisted keys left out.  */
  size_t removed;              /* Files of addresses that left.  */
} ca_wkd_stats_t;

/* `wkd export': write the Web Key Directory of the CA's domain below
 * PATH (see ca-wkd.c): PATH/.well-known/openpgpkey/DOMAIN/{hu/,policy}
 * and, with CA_WKD_DIRECT, PATH/.well-known/openpgpkey/{hu/,policy};
 * one file per address of a User ID the CA certified, written whole;
 * files of addresses that left are removed.  Reads the database in one
 * read transaction (none may be open).  */
gpg_error_t ca_wkd_export (ca_t *ca, const char *path, unsigned int flags,
                           ca_wkd_stats_t *r_stats);

/* The WKD hash of the local part LOCAL/LEN (z-base-32 of the SHA-1 of
 * its ASCII-lowercased bytes) into OUT.  */
void ca_wkd_hash (const char *local, size_t len, char out[33]);

/* What a keylist export wrote.  */
typedef struct ca_keylist_result
{
  char *keylist;               /* DIR/keylist.json.  */
  char *sigfile;               /* DIR/<last segment of the URI>.  */
  size_t nkeys;                /* Entries (the CA's included).  */
} ca_keylist_result_t;

void ca_keylist_result_release (ca_keylist_result_t *res);

/* `keylist export': write DIR/keylist.json (GPG Sync format, see
 * ca-keylist.c) naming SIG_URI as its signature and, beside it, the
 * signature file named by SIG_URI's last path segment: a detached
 * signature by the CA's signing subkey (a card CA: its SIG slot).
 * Without FORCE an existing file of either name is an error
 * (GPG_ERR_EEXIST) found before anything is done.  Reads the database
 * in one read transaction (none may be open), then records the
 * signature in the audit record in a write transaction of its own (CA
 * opened read-write).  */
gpg_error_t ca_keylist_export (ca_t *ca, const char *dir,
                               const char *sig_uri, int force,
                               ca_keylist_result_t *r_res);

/* The keyserver of `update keyserver' and `keyserver publish' when
 * none is given (the reference's).  */
#define CA_DEFAULT_KEYSERVER "hkps://keys.openpgp.org"

/* Where certificates come from or go to.  */
typedef struct ca_fetch_opts
{
  int wkd;                     /* The Web Key Directory of each stored
                                * address (else the keyserver).  */
  const char *keyserver;       /* NULL: CA_DEFAULT_KEYSERVER.  */
  unsigned int timeout;        /* Seconds per request (0: 30).  */
} ca_fetch_opts_t;

typedef enum ca_fetch_result
  {
    CA_FETCH_UPDATED,          /* Something new was merged and stored.  */
    CA_FETCH_UNCHANGED,        /* The key was found, nothing new.  */
    CA_FETCH_FAILED,           /* Not found, unreachable, bad answer...  */
    CA_FETCH_SENT              /* Published.  */
  }
ca_fetch_result_t;

/* Called once per certificate with its fingerprint and result; WHY is
 * a one-line reason for a failure ("" otherwise).  */
typedef void (*ca_fetch_report_fn_t) (void *opaque, const char *fpr,
                                      ca_fetch_result_t res,
                                      const char *why);

typedef struct ca_fetch_stats
{
  size_t certs;                /* Certificates tried.  */
  size_t updated;              /* UPDATED, or SENT.  */
  size_t unchanged;
  size_t failed;
  size_t skipped;              /* Delisted or uncertified (publish).  */
} ca_fetch_stats_t;

/* `update wkd' / `update keyserver': refresh every stored user
 * certificate that is not inactive from the source of OPTS through
 * GnuPG's dirmngr (see ca-fetch.c): only a key with the same
 * fingerprint is merged, only what verifies, and nothing stored is
 * lost.  Each update is committed on its own (no transaction may be
 * open); a failure is reported and the run goes on.  The error is for
 * what stops the run (no dirmngr, a broken database).  */
gpg_error_t ca_update_certs (ca_t *ca, const ca_fetch_opts_t *opts,
                             ca_fetch_report_fn_t report, void *opaque,
                             ca_fetch_stats_t *r_stats);

/* `keyserver publish': send the CA certificate and every user
 * certificate that is not delisted and carries a certification of the
 * CA to the keyserver of OPTS (exportable parts), reporting each.  */
gpg_error_t ca_keyserver_publish (ca_t *ca, const ca_fetch_opts_t *opts,
                                  ca_fetch_report_fn_t report, void *opaque,
                                  ca_fetch_stats_t *r_stats);


/*-- Certification lifetime, the CA key's expiry (ca-expiry.c) --*/

/* The longest lifetime we accept, in days (beyond, signature times
 * would overflow OpenPGP's 32-bit clock).  */
#define CA_MAX_DAYS 20000

/* Parse S, a number of days from 0 to CA_MAX_DAYS (with MIN_DAYS as
 * the least), for the option OPTION: a usage error naming it if it is
 * not one.  */
gpg_error_t ca_parse_days (const char *s, const char *option,
                           unsigned int min_days, unsigned int *r_days);

/* The lifetime of new certifications stored with the CA (`ca
 * cert-validity'), in days; 0: they do not expire.  */
gpg_error_t ca_get_default_validity (ca_t *ca, unsigned int *r_days);
/* Store DAYS (0: no expiry) as that default.  Needs a transaction.  */
gpg_error_t ca_set_default_validity (ca_t *ca, unsigned int days);
/* Give the certifications of this run (ca_certify, ca_user_create,
 * ca_user_import, ca_bulk_import) a lifetime of DAYS days (0: none)
 * instead of the stored default (--validity).  */
void ca_set_validity (ca_t *ca, unsigned int days);

/* `ca extend' (and `ca init --validity'): make the CA key expire DAYS
 * days from now (0: never), with new self-signatures by the CA key (a
 * card CA's card signs), and store the CA certificate.  An expiration
 * earlier than the current one is refused unless SHORTEN.  Needs a
 * transaction.  */
gpg_error_t ca_extend (ca_t *ca, unsigned int days, int shorten);


/*-- Renewal of certifications (ca-renew.c) --*/

typedef struct ca_renew_stats
{
  size_t certs;                /* User certificates looked at.  */
  size_t renewed;              /* Those that got a new certification.  */
  size_t certifications;       /* Certifications made.  */
  size_t skipped;              /* Inactive or revoked certificates.  */
} ca_renew_stats_t;

/* Certificates per transaction of ca_renew: on a card CA each signature
 * takes the card's time (a batch is what an interruption may cost); on
 * a softkey the commits' page writes and syncs would cost more than
 * the signatures in small batches (1,024 take a fraction of a
 * second).  */
#define CA_RENEW_BATCH_CARD 64
#define CA_RENEW_BATCH_SOFT 1024
#define CA_RENEW_BATCH_MAX 65536

/* `ca renew': certify again, for DAYS days, every User ID of the stored
 * user certificates (not inactive, not revoked) whose good CA
 * certifications all expire within WITHIN days from now or have
 * expired, and which the CA would certify now.  Signing runs in
 * NTHREADS threads (0: one per CPU) when the backend allows (one card
 * signature at a time otherwise); PROGRESS gets the certificates done
 * of all, REPORT a line per refused User ID.
 *
 * Runs its own transactions, one per batch of BATCH certificates (0:
 * CA_RENEW_BATCH_CARD or CA_RENEW_BATCH_SOFT; at most
 * CA_RENEW_BATCH_MAX), and must
 * be called outside one: after an interruption (an error, a crash) the
 * batches committed before stay, and a re-run continues where it
 * stopped, certifying nothing twice (a renewed User ID is valid for
 * more than WITHIN days: DAYS must be greater than WITHIN).  On a card
 * failure the certificates before the failing one are committed too
 * and the error says so.  */
gpg_error_t ca_renew (ca_t *ca, unsigned int days, unsigned int within,
                      unsigned int nthreads, unsigned int batch,
                      ca_report_fn_t report,
                      ca_progress_fn_t progress, void *opaque,
                      ca_renew_stats_t *r_stats);


/*-- The audit (ca-audit.c) --*/

/* What ca_audit reports.  */
typedef enum ca_audit_what
  {
    CA_AUDIT_RECORD = 0,       /* A recorded signature, re-verified.  */
    CA_AUDIT_UNLOGGED,         /* A good certification by the CA key on
                                * a stored certificate that is not in the
                                * record: made outside oca.  */
    CA_AUDIT_COUNTER           /* A card's signature counter moved
                                * between two records more than oca's own
                                * signatures explain.  */
  }
ca_audit_what_t;

/* The result of re-verifying a recorded signature.  */
typedef enum ca_audit_status
  {
    CA_AUDIT_GOOD = 0,         /* Verifies; on the stored certificate.  */
    CA_AUDIT_BAD,              /* Does not parse or verify, or its
                                * recorded hash or fields do not match
                                * the signature.  */
    CA_AUDIT_ABSENT            /* Verifies, but the certificate it
                                * certifies is not stored (any more) or
                                * does not carry it.  */
  }
ca_audit_status_t;

typedef struct ca_audit_entry
{
  ca_audit_what_t what;
  int64_t id;                  /* RECORD: the row.  */
  uint32_t created;            /* The signature's creation time; COUNTER:
                                * the later record's.  */
  const char *kind;            /* RECORD: "certification", "tsig", ...  */
  const char *issuer_fpr;      /* RECORD.  */
  const char *target_fpr;      /* RECORD, UNLOGGED.  */
  const char *uid;             /* RECORD, UNLOGGED: the User ID (raw), or
                                * NULL.  */
  const char *backend;         /* RECORD: "softkey", "card" or NULL.  */
  const char *card;            /* RECORD, COUNTER: the card, or NULL.  */
  int64_t sigcount;            /* RECORD: the card's counter or -1;
                                * COUNTER: the later value.  */
  int64_t prev_sigcount;       /* COUNTER: the earlier value.  */
  uint32_t prev_created;       /* COUNTER: the earlier record's time.  */
  const char *hash;            /* RECORD, UNLOGGED: SHA-256 of the
                                * signature packet (64 hex digits).  */
  ca_audit_status_t status;    /* RECORD.  */
  const char *why;             /* RECORD not GOOD: why (static text).  */
} ca_audit_entry_t;

typedef struct ca_audit_stats
{
  size_t records;              /* Recorded signatures looked at.  */
  size_t bad;                  /* ... of them CA_AUDIT_BAD.  */
  size_t absent;               /* ... of them CA_AUDIT_ABSENT.  */
  size_t unlogged;             /* Certifications made outside oca.  */
  size_t counter_jumps;        /* Counter jumps.  */
} ca_audit_stats_t;

/* `ca audit': hand each recorded signature created at or after SINCE
 * (0: all) that concerns a certificate stored for EMAIL (NULL: any) to
 * FN, re-verified; then each certification by the CA key on those
 * stored certificates that is not recorded (CA_AUDIT_UNLOGGED); then
 * each jump of a card's signature counter between consecutive records
 * of that card.  *R_STATS gets the counts (the caller decides what is
 * an error).  */
gpg_error_t ca_audit (ca_t *ca, uint32_t since, const char *email,
                      void (*fn) (void *opaque, const ca_audit_entry_t *e),
                      void *opaque, ca_audit_stats_t *r_stats);
/*-- Split mode (ca-split.c, ca-splitfile.c) --
 *
 * openpgp-ca's `ca split' (spec 1, 2, 4.4): a CA is split into an
 * online front (backend "split-front": the database without the key;
 * what it would certify is queued) and an offline back (backend
 * "split-back(INNER)": the key, or the card, and nothing else).
 * Requests go from front to back and certifications back in JSON
 * files.  */

/* What a CA is in split mode.  */
#define CA_SPLIT_NONE  0
#define CA_SPLIT_FRONT 1
#define CA_SPLIT_BACK  2
int ca_split_mode (ca_t *ca);

/* `ca split into': write the front FRONT and the back BACK (neither may
 * exist) of the softkey or card CA CA (left as it is).  The front gets
 * everything but the key (never read into it); the back only the CA,
 * its key or card configuration (with the backup cards).  */
gpg_error_t ca_split_into (ca_t *ca, const char *front, const char *back);

/* `ca split merge': make the front CA a normal CA again with the key or
 * card of the back instance BACK (the same CA key).  CA is reloaded.  */
gpg_error_t ca_split_merge (ca_t *ca, const char *back);

/* One request of the queue, as `ca split show-queue' lists it and `ca
 * split certify' asks about it.  */
typedef struct ca_split_entry
{
  int64_t id;
  char created[20];            /* "YYYY-MM-DD HH:MM:SS" (UTC).  */
  int bridge;                  /* A bridge's trust signature (else the
                                * certification of User IDs).  */
  char fpr[41];                /* The key to certify.  */
  char **uids;                 /* The User IDs (NUIDS), or the bridge's
                                * Regular Expressions (NUIDS).  */
  size_t nuids;
  int has_days;                /* A validity was requested: DAYS.  */
  uint64_t days;
} ca_split_entry_t;

void ca_split_entry_release (ca_split_entry_t *e);

/* The requests not done yet of the front CA, one at a time: *R_ENTRY
 * (cleared first) gets the one after id AFTER; GPG_ERR_EOF at the
 * end.  */
gpg_error_t ca_split_queue_next (ca_t *ca, int64_t after,
                                 ca_split_entry_t *r_entry);

/* `ca split export': write the requests not done yet of the front CA
 * to FILE as a request file.  *R_N gets their number; none: nothing is
 * written.  */
gpg_error_t ca_split_export (ca_t *ca, const char *file, size_t *r_n);

/* The operator's side of `ca split certify'.  */
typedef struct ca_split_ui
{
  void *opaque;
  /* The file holds N requests, exported at CREATED ("YYYY-MM-DD
   * HH:MM:SS UTC").  */
  void (*begin) (void *opaque, size_t n, const char *created);
  /* Certify E?  NULL: all of them (--batch).  */
  gpg_error_t (*ask) (void *opaque, const ca_split_entry_t *e, int *r_yes);
} ca_split_ui_t;

/* `ca split certify': answer the request file IN of the back CA's front
 * in the response file OUT: each request certified (as ca_certify
 * would, only the User IDs asked for) or, for a bridge, trust-signed,
 * unless UI->ask says no.  The signatures are recorded in the back's
 * audit table: needs a transaction.  *R_N gets the number answered.  */
gpg_error_t ca_split_certify (ca_t *ca, const char *in, const char *out,
                              const ca_split_ui_t *ui, size_t *r_n);

/* `ca split import': store the certifications of the back's response
 * file FILE in the front CA and mark their requests done.  Every
 * signature must verify as the CA's on what was requested; an answer
 * to a request done already is skipped (counted in *R_IGNORED), one to
 * no request is an error.  *R_TOTAL gets the number of answers.
 * Needs a transaction; on error nothing is to be stored.  */
gpg_error_t ca_split_import (ca_t *ca, const char *file, size_t *r_total,
                             size_t *r_ignored);


/*-- Switching from openpgp-ca (ca-import-ocadb.c) --*/

/* The tables of an openpgp-ca database, in the order they are copied
 * (the first index of ca_import_result_t.rows).  */
#define CA_IMPORT_NTABLES 8

/* What `ca import-openpgp-ca' copied.  */
typedef struct ca_import_result
{
  size_t rows[CA_IMPORT_NTABLES];  /* Rows copied per table.  */
  char fpr[41];                /* The active CA key.  */
  char *domain;
  const char *backend;         /* "softkey", "card", "split-front",
                                * "split-back (softkey)", "split-back
                                * (card)" (static).  */
  int split;                   /* A split-mode instance (ca split).  */
  int dropped_secret;          /* A card or front CA's database held a
                                * private key, which was not copied.  */
} ca_import_result_t;

/* The name of table I (0 .. CA_IMPORT_NTABLES-1) of ca_import_result_t.  */
const char *ca_import_table_name (int i);

/* Release the contents of RES and clear it (NULL ok).  */
void ca_import_result_release (ca_import_result_t *res);

/* `ca import-openpgp-ca': create the oca database OPTS->dbfile, which
 * must not exist, from the openpgp-ca 0.13/0.14 database SRCFILE, which
 * is only read (never written, not even its journal): the same CA key
 * (a softkey's private key goes to table cakeys; a card's ident and
 * User PIN stay in the backend string, with OPTS->card_route as the
 * route if it is gpg-agent), users, certificates, emails, flags,
 * revocations, bridges and queue, with their row ids.  Refused with a
 * one-line message, leaving no file: what db_oca_open refuses, not
 * exactly one CA, not exactly one active CA certificate, a CA
 * certificate whose key does not parse or is not its fingerprint's, a
 * softkey CA without its private key, a backend string that does not
 * parse, a user certificate that is not its row's key, a row that
 * refers to one that does not exist.  The new file is written beside
 * the target under a temporary name and linked into place at the end
 * (no half-written database is ever seen under the target's name).  */
gpg_error_t ca_import_openpgp_ca (const ca_opts_t *opts, const char *srcfile,
                                  ca_import_result_t *r_res);

#endif /*OCA_CA_H*/
