/* ca-int.h - inside the CA core: the loaded CA, backends, the database
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the files of src/ca/ (and their unit tests) include this header;
 * front ends see ca.h.  The core's modules depend one way:
 *
 *   ca-msg.c       messages (the bottom)
 *   ca-db.c        the CA's use of db/: transactions, stored forms,
 *                  the CA certificate row, the audit record
 *   ca-json.c      JSON (split mode's files and queue)
 *   ca-verified.c  what verifying a stored certificate found, kept
 *                  with it (the users are not verified on every walk)
 *   ca-softkey.c   the softkey backend and where the key is kept
 *   ca-backend.c   the backend chosen from the stored configuration
 *                  (split front and back too)
 *   ca-splitqueue.c split mode: the requests a front queues
 *   ca-core.c      opening and loading a CA, its certificate and key
 *   ca-expiry.c    how long certifications last; the CA key's expiry
 *   ca-certify.c   the certification policy
 *   ca-user.c      user certificates: add, import, update, walk, export
 *   ca-check.c     the checks of `user check' (one function each)
 *   ca-revoke.c    user revocations: store, apply, list
 *   ca-revset.c    the CA key's dated revocation set
 *   ca-recertify.c certifications of an old CA key renewed
 *   ca-bulkstream.c stored certs as a stream (softkey: renew,
 *                  re-certify): read ahead, signed on worker threads
 *   ca-bulk.c      bulk certification of a keyring or stored certs
 *   ca-bridge.c    bridges: scoped trust signatures on other CAs
 *   ca-renew.c     ca renew, in batches (ca-bulkstream.c, ca-bulk.c)
 *   ca-audit.c     ca audit
 *   ca-split.c     split mode: into, merge, the queue listed
 *   ca-splitfile.c split mode: the exchange files
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
 * table cakeys), "card;IDENT;PIN" the OpenPGP card backend (ca-card.c).
 * A backend states whether its certify signer may be used from several
 * threads at once (softkey: yes; a card: no), which the bulk import
 * honours.
 */
#ifndef OCA_CA_INT_H
#define OCA_CA_INT_H

#include "ca.h"
#include "db.h"
#include "ca-json.h"


/*-- Backends (ca-backend.c, ca-softkey.c, ca-card.c) --*/

typedef struct ca_backend ca_backend_t;

/* The types of the split-mode backends (also their stored strings:
 * "split-front", "split-back(INNER)").  */
#define CA_BACKEND_SPLIT_FRONT "split-front"
#define CA_BACKEND_SPLIT_BACK  "split-back"

struct ca_backend_ops
{
  const char *type;            /* "softkey", "card".  */
  /* Fill *R_SIGNER for the CA primary (certification) key.  */
  gpg_error_t (*certifier) (ca_backend_t *be, pgp_signer_t *r_signer);
  /* Fill *R_SIGNER for the CA signing subkey.  */
  gpg_error_t (*signer) (ca_backend_t *be, pgp_signer_t *r_signer);
  /* One-line description for `ca show' (secure memory).  */
  gpg_error_t (*describe) (ca_backend_t *be, char **r_text);
  /* Armored private key (secure memory, wipe_and_free) or
   * GPG_ERR_NOT_SUPPORTED.  */
  gpg_error_t (*export_private) (ca_backend_t *be, char **r_armor,
                                 size_t *r_len);
  /* Release the backend's private data.  */
  void (*release) (ca_backend_t *be);
  /* Whether the certifier may sign from several threads at once.  */
  int thread_safe;
  /* NULL, or: fill *R_SIGNER for the CA primary key with a signer that
   * *R_N threads may call at once (a card CA with backup cards: one
   * thread per card present).  */
  gpg_error_t (*certifier_pool) (ca_backend_t *be, pgp_signer_t *r_signer,
                                 unsigned int *r_n);
  /* For the audit record: the card that signs (SIGNED_BY, the card
   * that made the signature if known, else the backend's) and its
   * signature counter (DO 93) when it was opened plus the SIG slot
   * signatures made since (*R_SIGCOUNT -1 if unknown); NULL for a
   * backend without a card.  Only after a signature.  */
  void (*card_state) (ca_backend_t *be, const char *signed_by,
                      const char **r_ident, int64_t *r_sigcount);
  /* NULL, or: the backup cards (see ca_backup_cards).  */
  gpg_error_t (*backups) (ca_backend_t *be, int probe,
                          ca_backup_card_t **r_list);
};

/* The ident of the card that made the calling thread's last signature
 * since ca_signed_by_reset (NULL: none; a softkey).  Valid while the
 * backend is.  */
const char *ca_signed_by (void);
void ca_signed_by_reset (void);

struct ca_backend
{
  const struct ca_backend_ops *ops;
  pgp_cert_t *cacert;          /* Borrowed from the ca_t.  */
  void *priv;                  /* Backend data.  */
  int unattended;              /* CA_OPEN_UNATTENDED: no signature that
                                * needs a touch.  */
};


/*-- The loaded CA --*/

struct ca
{
  db_t db;
  char *dbfile;
  int card_route;              /* ca_opts_t.card_route.  */
  int pinpad;                  /* ca_opts_t.pinpad.  */
  int created_file;            /* ca_open created DBFILE.  */
  int unattended;              /* CA_OPEN_UNATTENDED.  */
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
  /* Lifetime of the certifications of this run (ca-expiry.c).  */
  int validity_set;            /* ca_set_validity was called.  */
  unsigned int validity_days;  /* Its value (0: no expiry).  */
};

/* Load the CA again from its database (after its backend changed).  */
gpg_error_t ca_reload (ca_t *ca);

/* Create the backend of the loaded CA CA (its configuration
 * CA->cacert->backend, its certificate CA->cert).  KEYROW: the
 * softkey's private key is in table cakeys (read on first use).  */
gpg_error_t ca_backend_new (ca_t *ca, int keyrow, ca_backend_t **r_be);
/* Release BE (NULL ok).  */
void ca_backend_release (ca_backend_t *be);


/*-- The database (ca-db.c) --*/

/* Record "error DOING: <db message>" for ERR, a failure of a db_*
 * call on CA's database, and return ERR.  */
gpg_error_t ca_db_errmsg (ca_t *ca, gpg_error_t err, const char *doing);

/* Parse TEXT, the stored certificate of the certs row for fingerprint
 * FPR, into *R_CERT, checking that it is that key (GPG_ERR_BAD_DATA if
 * not).  Errors get the message "stored certificate FPR is invalid:
 * ...".  */
gpg_error_t ca_parse_stored_cert (const char *text, const char *fpr,
                                  pgp_cert_t **r_cert);

/* CERT as stored: armored public parts and exportable signatures
 * (xfree).  */
gpg_error_t ca_armor_public (const pgp_cert_t *cert, char **r_text);

/* Verification records (ca-verified.c): what verifying a stored
 * certificate found, kept with it so that walking the users does not
 * verify again.  */
/* The record of CERT as this run verified it (pgp_cert_verify_record
 * against the CA) for its stored text PUB, in *R_RECORD (xfree).  */
gpg_error_t ca_verified_record (ca_t *ca, const pgp_cert_t *cert,
                                const char *pub, char **r_record);
/* Keep RECORD for cert row CERT_ID.  Needs a transaction.  */
gpg_error_t ca_verified_store (ca_t *ca, int64_t cert_id, const char *record);
/* Both: the record of CERT stored as PUB, kept for CERT_ID.  */
gpg_error_t ca_verified_keep (ca_t *ca, int64_t cert_id,
                              const pgp_cert_t *cert, const char *pub);
/* Take RECORD (read with the row) for CERT parsed from PUB if it was
 * made for exactly that text and the CA's keys of now; returns whether
 * it was taken (else CERT is verified when asked, as always).  */
int ca_verified_apply (ca_t *ca, pgp_cert_t *cert, const char *pub,
                       const char *record);

/* Store the CA certificate CA->cert (public parts; e.g. after merging
 * trust signatures).  Needs a transaction.  */
gpg_error_t ca_store_cacert (ca_t *ca);

/* Merge into CA->cert what the stored CA certificate has that it lacks
 * (trust signatures other processes stored since ca_open), before
 * changing and storing it.  Needs a transaction (the write lock).  */
gpg_error_t ca_refresh_cacert (ca_t *ca);

/* Record the certifications MADE on TARGET_FPR (stored as CERT_ID) in
 * the audit table.  Needs a transaction.  */
gpg_error_t ca_record_certifications (ca_t *ca, int64_t cert_id,
                                      const char *target_fpr,
                                      const ca_made_sig_t *made);

/* Fill REC with the audit record of MADE on TARGET_FPR (stored as
 * CERT_ID): what ca_record_certifications writes for it.  REC points
 * into MADE and CA.  */
void ca_certification_rec (ca_t *ca, int64_t cert_id, const char *target_fpr,
                           const ca_made_sig_t *made,
                           db_certification_t *rec);

/* Record one signature SIG (of KIND) made by ISSUER_FPR on TARGET_FPR
 * over UID.  Needs a transaction.  */
gpg_error_t ca_record_sig (ca_t *ca, int64_t cert_id, const char *target_fpr,
                           const char *uid, const pgp_sig_t *sig,
                           const char *issuer_fpr,
                           db_certification_kind_t kind);

/* The SHA-256 of the signature packet SIG as 64 uppercase hex digits
 * into OUT (the audit record's signature hash).  */
void ca_sig_hash (const pgp_sig_t *sig, char out[65]);

/* Record SIG, a document signature made by the CA's signing subkey
 * (keylist export), in its own transaction (CA opened read-write, no
 * transaction open): a signature the card made is recorded even when
 * what it signed is not published in the end.  */
gpg_error_t ca_record_document_sig (ca_t *ca, const pgp_sig_t *sig);

/* Base64 of LEN bytes at DATA (xfree).  */
gpg_error_t ca_base64 (const void *data, size_t len, char **r_str);

/* The revocation id of SIG: the first 8 bytes of SHA-256 over the
 * signature packet (with a new-format header, as openpgp-ca computes
 * it) as 16 uppercase hex digits into OUT.  */
void ca_revocation_hash (const pgp_sig_t *sig, char out[17]);


/*-- Where the CA key is stored (ca-softkey.c) --*/

/* Parse the stored CA certificate of CA->cacert into *R_CERT; for a
 * softkey CA *R_KEYROW tells whether its private key is in table
 * cakeys (else it is in the certificate).  On a read-write handle
 * outside a transaction also: move a private key that an older oca
 * stored inline in cacerts.priv_cert to cakeys, finish such a move
 * that was interrupted, and finish the removal of the key of a CA
 * migrated to a card (setting CA->key_scrubbed).  */
gpg_error_t ca_key_load (ca_t *ca, pgp_cert_t **r_cert, int *r_keyrow);

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

/* The softkey backend for CACERT (borrowed).  With DB its private key
 * is the row CACERT_ID of table cakeys, merged into CACERT on first
 * use; without, CACERT's own secret parts.  */
gpg_error_t ca_softkey_new (pgp_cert_t *cacert, db_t db, int64_t cacert_id,
                            ca_backend_t **r_be);


/*-- Published files, written whole (ca-file.c) --*/

/* Flags for ca_file_write.  */
#define CA_FILE_REPLACE 1      /* Replace an existing file (else
                                * GPG_ERR_EEXIST if one exists).  */
#define CA_FILE_SYNC    2      /* fsync the data before the rename.  */

/* Make the directory PATH and its parents (mode 0755) as needed.  */
gpg_error_t ca_file_mkdirs (const char *path);
/* Write LEN bytes at BUF as the file PATH (mode 0644): to a temporary
 * file beside it, then renamed (REPLACE) or linked to PATH, so that
 * nobody sees it half-written.  Errors get a message.  */
gpg_error_t ca_file_write (const char *path, const void *buf, size_t len,
                           unsigned int flags);
/* The same piece by piece: ca_file_open starts the temporary file
 * beside PATH (mode 0644), ca_file_put appends to it, ca_file_commit
 * puts it in place with FLAGS as ca_file_write does (or fails, the
 * temporary file removed) and ca_file_abort drops it (NULL ok); both
 * release F.  Errors get a message.  */
typedef struct ca_file_out ca_file_out_t;
gpg_error_t ca_file_open (const char *path, ca_file_out_t **r_f);
gpg_error_t ca_file_put (ca_file_out_t *f, const void *buf, size_t len);
gpg_error_t ca_file_commit (ca_file_out_t *f, unsigned int flags);
void ca_file_abort (ca_file_out_t *f);
/* The temporary file's name (to read back what was written).  */
const char *ca_file_temp_name (const ca_file_out_t *f);
/* Whether NAME is one of the temporary files of ca_file_write.  */
int ca_file_is_temp (const char *name);
/* Read the file PATH (at most MAX bytes) into *R_BUF (xfree) and
 * *R_LEN.  */
gpg_error_t ca_file_read (const char *path, size_t max,
                          unsigned char **r_buf, size_t *r_len);


/*-- Certification lifetime, the CA key's expiry (ca-expiry.c) --*/

/* The lifetime of the certifications made now, in seconds (0: none):
 * ca_set_validity's, else the stored default.  */
gpg_error_t ca_cert_lifetime (ca_t *ca, uint32_t *r_secs);

/* GPG_ERR_KEY_EXPIRED with a message if the CA key has expired (or
 * will have at NOW, 0 = now): it can certify nothing that gpg would
 * accept.  */
gpg_error_t ca_check_not_expired (ca_t *ca, uint32_t now);


/*-- Certifying stored certificates in bulk (ca-bulk.c) --*/

/* What ca_bulk_certify_stored did.  */
typedef struct ca_bulk_result
{
  size_t done;                 /* Certificates handled (stored as
                                * needed), in order: on a partial
                                * failure those before the failing one.  */
  size_t changed;              /* Certificates that got certifications.  */
  size_t certifications;       /* Certifications made and recorded.  */
} ca_bulk_result_t;

/* Certify the N stored certificates ROWS (parsed as CERTS, which are
 * changed) under POLICY with the CA's certifier in NTHREADS threads (0:
 * one per CPU) when the backend allows, and store every changed one
 * with its certifications in the current transaction.  REPORT gets a
 * line per refused User ID, PROGRESS BASE + handled of TOTAL.  On
 * error nothing of this call is stored, unless the backend is not
 * thread-safe and its signer failed: then
 * the certificates before the failing one are stored, *R_RES says how
 * many, and the error (with a message naming the key) is returned;
 * the caller commits.  */
gpg_error_t ca_bulk_certify_stored (ca_t *ca, db_cert_t **rows,
                                    pgp_cert_t **certs, size_t n,
                                    const ca_policy_t *policy,
                                    unsigned int nthreads,
                                    ca_report_fn_t report,
                                    ca_progress_fn_t progress, void *opaque,
                                    size_t base, size_t total,
                                    ca_bulk_result_t *r_res);


/* The work of one certificate (any thread): certify CERT under POLICY
 * with SIGNER into RES; when something is to be stored (always for a
 * new key, only with new certifications if STORED), its armored text
 * into *R_PUB and its verification record into *R_RECORD.  */
gpg_error_t ca_bulk_certify_one (ca_t *ca, pgp_cert_t *cert,
                                 const pgp_signer_t *signer,
                                 const ca_policy_t *policy, int stored,
                                 ca_certify_result_t *res, char **r_pub,
                                 char **r_record);

/* Store the new certifications RES->made of the stored certificate
 * CERT_ID (key FPR) as its text PUB with verification record RECORD:
 * the certificate, the audit record, the record; RES->made is
 * released, *R_CERTIFICATIONS counts them.  Needs a transaction.  */
gpg_error_t ca_bulk_store_stored (ca_t *ca, int64_t cert_id, const char *fpr,
                                  ca_certify_result_t *res, const char *pub,
                                  const char *record,
                                  size_t *r_certifications);

/* One stored certificate of a group to store (ca_bulk_store_group):
 * as the arguments of ca_bulk_store_stored.  */
typedef struct ca_bulk_store_s
{
  int64_t cert_id;
  const char *fpr;
  ca_certify_result_t *res;
  const char *pub;
  const char *record;
} ca_bulk_store_t;

/* ca_bulk_store_stored of each of ITEMS/N, a statement per table for
 * each DB_STORE_GROUP of them (db_cert_store_many,
 * db_certification_insert_many).
 * On an error the message names the certificate that fails when
 * stored on its own (if one does); part of ITEMS may be stored, so the
 * caller's transaction is to be rolled back.  */
gpg_error_t ca_bulk_store_group (ca_t *ca, ca_bulk_store_t *items, size_t n,
                                 size_t *r_certifications);

/* A line to REPORT per refused User ID of key FPR.  */
void ca_bulk_report_refused (const char *fpr, const ca_refused_t *refused,
                             ca_report_fn_t report, void *opaque);


/* Whether ca_bulk_stream, and the overlapped batches of
 * ca_bulk_import_stream, can run on CA's backend (a thread-safe
 * certifier, no pool of cards).  */
int ca_bulk_stream_usable (ca_t *ca);
/* Keys per batch of ca_bulk_import_stream (1,024; unit tests make it
 * small to cross batches with few keys).  */
extern size_t ca_bulk_batch;


/*-- Stored certificates certified as a stream (ca-bulkstream.c) --*/

/* How ca_bulk_stream walks the stored certificates.  */
typedef struct ca_stream_opts
{
  const ca_policy_t *policy;
  int skip_revoked;            /* A revoked key (or one without a valid
                                * self-signature) is skipped.  */
  size_t batch;                /* Certificates per transaction of its
                                * own; 0: all in the caller's.  */
  unsigned int nthreads;       /* 0: one per online CPU.  */
  ca_report_fn_t report;       /* A line per refused User ID.  */
  ca_progress_fn_t progress;   /* Certificates looked at, of TOTAL.  */
  void *opaque;
  size_t total;
  /* Called between two batches, outside a transaction (a unit test
   * writes there from another connection); NULL: none.  */
  void (*between) (void *opaque);
} ca_stream_opts_t;

/* What ca_bulk_stream did: in its own transactions, what it
 * committed.  */
typedef struct ca_stream_stats
{
  size_t certs;                /* Certificates looked at.  */
  size_t skipped;              /* Inactive (or revoked) ones.  */
  size_t changed;              /* Those that got certifications.  */
  size_t certifications;       /* Certifications made.  */
  int in_work;                 /* The error came from certifying or
                                * storing a certificate.  */
} ca_stream_stats_t;


/* Certify every stored user certificate (not inactive) under
 * O->policy: the rows are read ahead and parsed on the calling thread
 * (the only one that talks to the database), certified on worker
 * threads, and stored in row order.  With O->batch, a transaction per
 * batch of that many certificates (not skipped), to be called outside
 * one; else in the caller's.  */
gpg_error_t ca_bulk_stream (ca_t *ca, const ca_stream_opts_t *o,
                            ca_stream_stats_t *r_stats);


/*-- Certification policy (ca-certify.c) --*/

/* Certify the User IDs of CERT selected by POLICY with SIGNER as the
 * CA whose User ID is CA_UID, fingerprint CA_FPR and domain CA_DOMAIN
 * (see ca_certify).  Thread-safe for different CERTs.  */
gpg_error_t ca_certify_cert (pgp_cert_t *cert, const pgp_signer_t *signer,
                             const char *ca_uid, const unsigned char *ca_fpr,
                             const char *ca_domain,
                             const ca_policy_t *policy,
                             ca_certify_result_t *res);

/* Append to **TAIL the record of SIG, just made on UID by this thread
 * (ca_signed_by names the card).  */
gpg_error_t ca_made_sig_append (ca_made_sig_t ***tail, const pgp_uid_t *uid,
                                const pgp_sig_t *sig);

/* ca_certify_cert under a re-certification policy (ca-certify.c).  */
gpg_error_t ca_recertify_uids (pgp_cert_t *cert, const pgp_signer_t *signer,
                               const char *ca_uid, const ca_policy_t *policy,
                               ca_certify_result_t *res);

/* NULL if UID is bound to CERT by a good self-signature that is not
 * revoked by a newer good self-revocation, else why not (static text).
 * Sets the STATUS of UID's self-signatures.  */
const char *ca_uid_binding_problem (const pgp_cert_t *cert,
                                    const pgp_uid_t *uid);


/*-- User revocations (ca-revoke.c) --*/

/* Store the key revocation SIG (verified by the caller) for cert
 * CERT_ID under its revocation id, unless the same signature is stored
 * for it already; *R_ADDED tells whether it was stored.  Needs a
 * transaction.  */
gpg_error_t ca_revocation_store (ca_t *ca, int64_t cert_id,
                                 const pgp_sig_t *sig, int *r_added);


/*-- Split mode: the queue of a front (ca-splitqueue.c) --*/

/* On a front: queue the certification of the N User IDs UIDS of CERT,
 * valid for VALIDITY seconds (0: no expiration).  Needs a
 * transaction.  */
gpg_error_t ca_split_queue_uids (ca_t *ca, const pgp_cert_t *cert,
                                 const char *const *uids, size_t n,
                                 uint32_t validity);

/* On a front: queue the request of a bridge's trust signature on the
 * remote CA key REMOTE with the Regular Expression REGEX.  Needs a
 * transaction.  */
gpg_error_t ca_split_queue_bridge (ca_t *ca, const pgp_cert_t *remote,
                                   const char *regex);

/* The current time as openpgp-ca writes it: "YYYY-MM-DD HH:MM:SS"
 * (naive UTC, the queue) or, with RFC3339, "YYYY-MM-DDTHH:MM:SSZ"
 * (the files).  */
void ca_split_now (char out[24], int rfc3339);

/* Fill *E (cleared first; ca_split_entry_release) from TASK, a queue
 * entry's JSON, and, if R_CERT is not NULL, *R_CERT with its
 * certificate.  GPG_ERR_INV_DATA if TASK is not one.  */
gpg_error_t ca_split_parse_task (const ca_json_t *task, ca_split_entry_t *e,
                                 pgp_cert_t **r_cert);
/* The same for the queue row Q (with its id and time); errors get a
 * message.  */
gpg_error_t ca_split_parse_row (ca_t *ca, const db_queue_t *q,
                                ca_split_entry_t *e, pgp_cert_t **r_cert);

#endif /*OCA_CA_INT_H*/
