/* db.h - the CA database: one SQLite file per CA
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * All state of a CA lives in one SQLite file.  The data model follows
 * openpgp-ca 0.13 (tables cas, cacerts, users, certs, certs_emails,
 * revocations, bridges, queue) plus tables of our own:
 * `certifications', an audit record of every signature the CA issues
 * (with the backend and card that made it, the card's signature
 * counter and the signature's SHA-256 since schema 4), `pending', a
 * small key/value store for crash recovery of multi-step operations
 * (card personalisation, see db_pending_set), and `settings', the CA's
 * settings by name (schema 4).
 *
 * Conventions of this interface
 *
 *  - Text (armored certificates, fingerprints, emails) is passed as
 *    NUL-terminated C strings.  Fingerprints are uppercase hex without
 *    spaces; the database does not normalise them.
 *  - Returned strings, structs and lists belong to the caller.  Strings
 *    are released with xfree, structs and lists with their _release
 *    function (which accepts NULL and releases a whole list).
 *  - Secrets: the database holds exactly two kinds of secret, the CA's
 *    private key (table cakeys, softkey backend; schema version 1 kept
 *    it in cacerts.priv_cert) and the card PIN inside the backend
 *    string (cacerts.backend).  Both, and the values of the pending
 *    table, are returned in libgcrypt secure memory and are wiped by
 *    the _release functions.  The connection always runs with PRAGMA
 *    secure_delete=ON and temp_store=MEMORY.  The key's pages are
 *    written only when it is stored and when it is scrubbed (see
 *    db_cakey_scrub), never copied into a rollback journal.
 *  - Transactions: every function that writes (db_*_insert, _update,
 *    _set*, _add*, _delete) must be called between db_begin and
 *    db_commit/db_rollback; called outside a transaction it returns
 *    GPG_ERR_INV_STATE and changes nothing.  Read functions work inside
 *    and outside a transaction.  Prepared statements are cached on the
 *    handle, so a bulk import of thousands of rows inside one
 *    transaction reuses them.
 *  - Errors are gpg_error_t.  SQLite result codes are mapped:
 *      UNIQUE/PRIMARY KEY violation   GPG_ERR_DUP_KEY
 *      FOREIGN KEY violation          GPG_ERR_INV_ID
 *      NOT NULL / CHECK violation     GPG_ERR_INV_VALUE
 *      database busy/locked           GPG_ERR_LOCKED
 *      read-only file / directory     GPG_ERR_EACCES or GPG_ERR_EROFS
 *      not a database / foreign db    GPG_ERR_INV_OBJ
 *      database is corrupt            GPG_ERR_BAD_DATA
 *      disk full                      GPG_ERR_ENOSPC
 *      I/O error                      the errno, else GPG_ERR_EIO
 *      out of memory                  GPG_ERR_ENOMEM
 *      anything else (SQL error)      GPG_ERR_INTERNAL
 *    A getter that finds no row returns GPG_ERR_NOT_FOUND.  The text of
 *    the last error (SQLite's message or ours) is kept for diagnostics:
 *    see db_errmsg.
 *  - A handle is not thread safe; use one handle per thread.
 */
#ifndef OCA_DB_H
#define OCA_DB_H

#include "oca-common.h"

/* The schema version this code writes (PRAGMA user_version).  */
#define DB_SCHEMA_VERSION 7

/* The SQLite application_id stamped into every oca database ("OCA0").  */
#define DB_APPLICATION_ID 0x4f434130

/* Largest text value (certificate, signature...) db/ reads back.  */
#define DB_MAX_TEXT (64u * 1024 * 1024)

/* Flags for db_open.  */
#define DB_OPEN_CREATE   1  /* Create the file (mode 0600) if it does
                               not exist and install the schema.  */
#define DB_OPEN_READONLY 2  /* Never write to the file.  */

typedef struct db_s *db_t;


/*-- Opening, closing, diagnostics --*/

/* Open the CA database at PATH and store a new handle at R_DB.
 *
 * FLAGS is a combination of DB_OPEN_*:
 *  - DB_OPEN_CREATE: open a file that is to receive a new CA.  A
 *    missing file is created with open(O_CREAT|O_EXCL|O_NOFOLLOW) and
 *    mode 0600, then the current schema is installed in one transaction
 *    (the file is removed again if that fails).  An existing, completely
 *    empty database gets the schema too.  An existing oca database is
 *    simply opened.  An existing file whose mode gives group or others
 *    any access is refused (GPG_ERR_EPERM) without being changed: a
 *    chmod would not revoke a descriptor opened meanwhile.
 *  - DB_OPEN_READONLY: the file is opened read-only and is not
 *    modified, with one exception: a hot journal left by a writer that
 *    crashed mid-transaction must be rolled back before anyone can read
 *    the file; when the caller can write the file and its directory
 *    that is done (restoring the last committed state), otherwise the
 *    open fails with GPG_ERR_EACCES and a message saying so.  A
 *    database whose schema is older than DB_SCHEMA_VERSION cannot be
 *    migrated then: GPG_ERR_INV_STATE ("needs an upgrade").  Must not be
 *    combined with DB_OPEN_CREATE.
 *  - 0: open an existing oca database for reading and writing; pending
 *    forward migrations are applied in one transaction.  When nothing
 *    is to be migrated the file is not written (a hot journal is rolled
 *    back by SQLite itself).
 *
 * Symbolic links are refused.  The connection runs with
 * foreign_keys=ON, secure_delete=ON, the default rollback journal
 * (no persistent WAL files) and a busy timeout of a few seconds.
 *
 * Errors (nothing is modified in any of these cases):
 *   GPG_ERR_ENOENT          no such file (and no DB_OPEN_CREATE), or its
 *                           directory is missing (DB_OPEN_CREATE)
 *   GPG_ERR_INV_OBJ         not an SQLite file, or an SQLite database of
 *                           another application ("not an oca database")
 *   GPG_ERR_NOT_SUPPORTED   schema newer than this oca knows
 *   GPG_ERR_NOT_INITIALIZED an empty database opened without CREATE
 *   GPG_ERR_EACCES/EROFS    the file cannot be read; or it or its
 *                           directory is not writable while a read-write
 *                           open was asked for; or a hot journal needs a
 *                           rollback the caller cannot do
 *   GPG_ERR_EPERM           DB_OPEN_CREATE on an existing file that group
 *                           or others can access
 *   GPG_ERR_LOCKED          another process holds the lock too long
 *   GPG_ERR_INV_STATE       old schema and DB_OPEN_READONLY
 *   GPG_ERR_INV_ARG         bad FLAGS
 * On error *R_DB is NULL and db_errmsg (NULL) describes the failure in
 * one line that names the file; it is meant to be shown as is.  */
gpg_error_t db_open (const char *path, unsigned int flags, db_t *r_db);

/* Close DB (rolling back an open transaction).  NULL is accepted.  */
void db_close (db_t db);

/* The message of the last failed call on DB ("" if none).  With DB
 * NULL: the message of the last failed db_open in this thread.  The
 * string stays valid until the next call on DB (or the next db_open).
 * It never contains secret material.  */
const char *db_errmsg (db_t db);

/* The schema version of the open database (PRAGMA user_version).  */
unsigned int db_schema_version (db_t db);

/* True if DB was opened read-only.  */
int db_is_readonly (db_t db);

/* The permission bits (st_mode & 07777) of the file when DB was
 * opened.  */
unsigned int db_file_mode (db_t db);


/*-- Transactions --*/

/* Start a write transaction (BEGIN IMMEDIATE: takes the write lock now,
 * waiting up to the busy timeout).  GPG_ERR_INV_STATE if one is
 * already open, GPG_ERR_EACCES on a read-only handle, GPG_ERR_LOCKED
 * when another process holds the lock too long.  */
gpg_error_t db_begin (db_t db);

/* Start a read transaction (BEGIN DEFERRED): every read until
 * db_rollback sees one snapshot of the file; works on a read-only
 * handle.  GPG_ERR_INV_STATE if a transaction is open.  End it with
 * db_rollback.  */
gpg_error_t db_begin_read (db_t db);

/* Commit the open transaction.  On failure the transaction is rolled
 * back and the error returned.  GPG_ERR_INV_STATE if none is open.  */
gpg_error_t db_commit (db_t db);

/* Roll back the open transaction.  No-op (returns 0) when none is open,
 * so it can be called unconditionally on an error path.  */
gpg_error_t db_rollback (db_t db);

/* True while a transaction is open on DB.  */
int db_in_transaction (db_t db);

/* *R_VERSION = SQLite's data version of DB (PRAGMA data_version): it
 * changes when another connection commits to the file, not on this
 * one's commits.  Read inside a transaction, after another, the same
 * value means nothing but this connection wrote in between.  */
gpg_error_t db_data_version (db_t db, int64_t *r_version);

/* Compact the file: run VACUUM with secure_delete on, so that no freed
 * page keeps old content (used after ca migrate has scrubbed the CA
 * private key; never while the file holds it: VACUUM rewrites every
 * page, which puts each into the rollback journal).  Must be called
 * OUTSIDE a transaction (GPG_ERR_INV_STATE otherwise).  Temporary
 * data is kept in memory.  */
gpg_error_t db_vacuum_secure (db_t db);


/*-- The CA (tables cas and cacerts) --*/

/* The CA's certificate as stored in table cacerts.  */
typedef struct db_cacert_s
{
  int64_t id;
  int64_t ca_id;
  char *fingerprint;       /* Uppercase hex.  */
  char *priv_cert;         /* Secure memory.  Armored public cert;
                              the armored private key in a schema 1
                              file not yet moved to cakeys.  */
  char *backend;           /* Secure memory, or NULL for softkey.
                              E.g. "card;0123:01234567;14199138".  */
  int active;
} db_cacert_t;

/* Release a cacert, wiping the secret fields.  NULL is accepted.  */
void db_cacert_release (db_cacert_t *cacert);

/* Set *R_YES to true iff the CA is initialised (exactly one row in
 * cas).  */
gpg_error_t db_ca_is_initialized (db_t db, int *r_yes);

/* Store the CA's domain name (malloced) at R_DOMAIN.
 * GPG_ERR_NOT_INITIALIZED if there is no CA, GPG_ERR_CONFLICT if there
 * is more than one.  */
gpg_error_t db_ca_get_domain (db_t db, char **r_domain);

/* Create the CA: a cas row for DOMAIN and an active cacerts row with
 * FINGERPRINT, PRIV_CERT (the armored public cert; a softkey's private
 * key goes to db_cakey_insert) and BACKEND (NULL for softkey).
 * R_CACERT_ID may be NULL.
 * GPG_ERR_DUP_KEY if a CA already exists.  Needs a transaction.  */
gpg_error_t db_ca_insert (db_t db, const char *domain,
                          const char *fingerprint, const char *priv_cert,
                          const char *backend, int64_t *r_cacert_id);

/* Get the active CA certificate into *R_CACERT (release with
 * db_cacert_release).  GPG_ERR_NOT_INITIALIZED if there is no CA,
 * GPG_ERR_NOT_FOUND if no cacert is active, GPG_ERR_CONFLICT if more
 * than one is ("illegal state").  */
gpg_error_t db_cacert_get_active (db_t db, db_cacert_t **r_cacert);

/* Replace the certificate text of cacert ID with CERT (e.g. after
 * merging trust signatures; always the public cert).
 * GPG_ERR_NOT_FOUND if there is no such row.  Needs a transaction.  */
gpg_error_t db_cacert_update_cert (db_t db, int64_t id, const char *cert);

/* Set the backend string of cacert ID (NULL = softkey).
 * GPG_ERR_NOT_FOUND if there is no such row.  Needs a transaction.  */
gpg_error_t db_cacert_set_backend (db_t db, int64_t id, const char *backend);

/* Set the cert text of cacert ID to PUB_CERT and its BACKEND in one
 * statement (ca migrate).  Follow with db_commit and db_cakey_scrub.
 * GPG_ERR_NOT_FOUND if there is no such row.  Needs a transaction.  */
gpg_error_t db_cacert_replace_key (db_t db, int64_t id, const char *pub_cert,
                                   const char *backend);

/* Overwrite the cert text of cacert ID in place with blanks, without a
 * rollback journal (see db_cakey_scrub), so that an armored private
 * key stored there by schema version 1 leaves no copy.  The row keeps
 * its size; store the public cert with db_cacert_update_cert next.
 * Must be called OUTSIDE a transaction.  */
gpg_error_t db_cacert_scrub_cert (db_t db, int64_t id);


/*-- The backup cards of a card CA (table cacards, schema 3) --*/

typedef struct db_cacard_s
{
  struct db_cacard_s *next;
  char *ident;             /* "MANU:SERIAL".  */
  char *pin;               /* Its User PIN, secure memory.  */
} db_cacard_t;

/* Release a list of cards, wiping the PINs.  NULL is accepted.  */
void db_cacard_release (db_cacard_t *list);

/* Record the card IDENT with its User PIN PIN for cacert CACERT_ID.
 * GPG_ERR_DUP_KEY if it is recorded already.  Needs a transaction.  */
gpg_error_t db_cacard_add (db_t db, int64_t cacert_id, const char *ident,
                           const char *pin);

/* The cards recorded for cacert CACERT_ID in the order they were added
 * (NULL if none).  */
gpg_error_t db_cacard_list (db_t db, int64_t cacert_id,
                            db_cacard_t **r_list);


/*-- The softkey CA's private key (table cakeys) --
 *
 * One row per cacerts row (same id) holding the private key as binary
 * OpenPGP (a transferable secret key).  It is written once, when the
 * key is stored, and read with incremental BLOB I/O straight from
 * SQLite's pages into secure memory (no intermediate copy in SQLite's
 * heap).  The table is a b-tree of its own, so no other write touches
 * its pages and no rollback journal ever gets a copy of the key.
 *
 * Removal (ca migrate) is db_cakey_scrub: it overwrites the key's bytes
 * in place with zeros with journal_mode=OFF (the only write that
 * changes those pages; sqlite3_blob_write cannot change the size of a
 * value, so only payload bytes change, never the structure of a page,
 * and a crash in the middle leaves a valid file with a partly zeroed
 * key), commits that, then deletes the zeroed row in an ordinary
 * transaction, whose journal then holds only zeros.  A crash between
 * the two steps leaves a zeroed or partly zeroed row, which the next
 * scrub removes.  */

/* Store KEY/LEN as the private key of cacert CACERT_ID.
 * GPG_ERR_DUP_KEY if it already has one.  Needs a transaction.  */
gpg_error_t db_cakey_insert (db_t db, int64_t cacert_id, const void *key,
                             size_t len);

/* Read the private key of cacert CACERT_ID into *R_KEY and *R_LEN (secure
 * memory; release with wipe_and_free).  GPG_ERR_NOT_FOUND if there is
 * no key row.  */
gpg_error_t db_cakey_get (db_t db, int64_t cacert_id, unsigned char **r_key,
                          size_t *r_len);

/* Set *R_YES if cacert CACERT_ID has a key row (without reading it).  */
gpg_error_t db_cakey_exists (db_t db, int64_t cacert_id, int *r_yes);

/* Remove the private key of cacert CACERT_ID as described above (no
 * error if there is none).  Must be called OUTSIDE a transaction
 * (GPG_ERR_INV_STATE otherwise).  */
gpg_error_t db_cakey_scrub (db_t db, int64_t cacert_id);

/* GPG_ERR_NOT_SUPPORTED if the file is set up so that SQLite may move
 * or copy the key's pages on its own (auto_vacuum), else 0.  */
gpg_error_t db_cakey_check_file (db_t db);


/*-- Users and their certificates (tables users, certs, certs_emails) --*/

/* A user (or bridge) certificate.  Lists are chained through NEXT.  */
typedef struct db_cert_s
{
  struct db_cert_s *next;
  int64_t id;
  char *fingerprint;
  char *pub_cert;          /* Armored public certificate.  */
  int64_t user_id;         /* 0 for a bridge's remote CA cert.  */
  char *user_name;         /* NULL if none.  */
  char **emails;           /* NEMAILS strings plus a NULL; never NULL.  */
  size_t nemails;
  int delisted;
  int inactive;
  char *verified;          /* The verification record kept with it
                            * (db_cert_set_verified), or NULL.  */
} db_cert_t;

/* Release a cert and every cert chained after it.  NULL is accepted.  */
void db_cert_release (db_cert_t *list);

/* Insert a user with NAME (may be NULL) and store its id at
 * R_USER_ID.  Needs a transaction.  */
gpg_error_t db_user_insert (db_t db, const char *name, int64_t *r_user_id);

/* Insert a certificate FINGERPRINT with text PUB_CERT belonging to
 * USER_ID (0 for none: a bridge cert).  R_CERT_ID may be NULL.
 * GPG_ERR_DUP_KEY if the fingerprint is already stored, GPG_ERR_INV_ID
 * if USER_ID does not exist.  Needs a transaction.  */
gpg_error_t db_cert_insert (db_t db, const char *fingerprint,
                            const char *pub_cert, int64_t user_id,
                            int64_t *r_cert_id);

/* Associate email ADDR with cert CERT_ID.  Needs a transaction.  */
gpg_error_t db_cert_add_email (db_t db, int64_t cert_id, const char *addr);

/* Convenience for user add/import: insert a user NAME (may be NULL),
 * its cert FINGERPRINT/PUB_CERT and the NEMAILS addresses EMAILS.
 * R_USER_ID and R_CERT_ID may be NULL.  Needs a transaction; on error
 * the caller rolls back.  */
gpg_error_t db_user_add (db_t db, const char *name, const char *fingerprint,
                         const char *pub_cert, const char *const *emails,
                         size_t nemails, int64_t *r_user_id,
                         int64_t *r_cert_id);

/* Get the cert with FINGERPRINT (with user name and emails) into
 * *R_CERT.  GPG_ERR_NOT_FOUND if it is not stored.  */
gpg_error_t db_cert_get (db_t db, const char *fingerprint,
                         db_cert_t **r_cert);

/* Same, by row id.  */
gpg_error_t db_cert_get_by_id (db_t db, int64_t id, db_cert_t **r_cert);

/* Walk the stored certs one at a time: store at *R_CERT the cert with
 * the smallest row id above AFTER (0: the first), with user name and
 * emails, among all user certs (user_id not NULL: bridge certs are
 * skipped) or, with EMAIL, among the certs associated with that
 * address (exact match, as stored).  GPG_ERR_EOF when there is none.
 * Each call is one indexed query that leaves no statement open, so a
 * caller may walk any number of certs (passing the previous one's ID)
 * inside or outside a transaction, and may update them meanwhile.  */
gpg_error_t db_cert_next (db_t db, const char *email, int64_t after,
                          db_cert_t **r_cert);

/* Most certs db_cert_next_batch reads at once.  */
#define DB_CERT_BATCH_MAX 256

/* The next MAX (1..DB_CERT_BATCH_MAX) user certs after row AFTER, in
 * row order, as db_cert_next without EMAIL reads them one at a time,
 * in one query, into ROWS[0..*R_N-1] (each released with
 * db_cert_release): the bulk walk of ca renew.  Their EMAILS are not
 * read (NEMAILS 0).  Fewer than MAX: there are no more.  On an error,
 * the certs read before it are in ROWS (*R_N) and the error is
 * returned.  */
gpg_error_t db_cert_next_batch (db_t db, int64_t after, size_t max,
                                db_cert_t **rows, size_t *r_n);

/* The row ids of the user certs (user_id not NULL) ordered by their
 * user's name (users without a name first, then bytewise), then by id,
 * into *R_IDS (xfree) and *R_N: the keylist's order, walked with
 * db_cert_get_by_id at 8 bytes per cert.  */
gpg_error_t db_cert_ids_by_name (db_t db, int64_t **r_ids, size_t *r_n);

/* Replace the text of cert ID by PUB_CERT (user update, merged
 * certifications or revocations).  GPG_ERR_NOT_FOUND if there is no
 * such row.  Needs a transaction.  */
gpg_error_t db_cert_update (db_t db, int64_t id, const char *pub_cert);

/* Keep RECORD (text; NULL forgets it) as the verification record of
 * cert ID: what the CA core found verifying its signatures, which it
 * checks belongs to the stored bytes before it uses it (src/ca).  Rows
 * read with the cert (db_cert_t.verified).  Needs a transaction.  */
gpg_error_t db_cert_set_verified (db_t db, int64_t id, const char *record);

/* Rows written by one statement of db_cert_store_many and
 * db_certification_insert_many.  */
#define DB_STORE_GROUP 64

/* What a bulk run stores for cert ID: its new text and the record of
 * what verifying it found (both required).  */
typedef struct db_cert_store_s
{
  int64_t id;
  const char *pub_cert;
  const char *record;
} db_cert_store_t;

/* Store ITEMS/N: db_cert_update and db_cert_set_verified of each, but
 * a statement per table for each DB_STORE_GROUP (the rest one by one;
 * a renewal stores its certificates so).  GPG_ERR_NOT_FOUND if a cert
 * is not in the table.  On an error part of ITEMS may be stored: the
 * caller's transaction is to be rolled back.  Needs a transaction.  */
gpg_error_t db_cert_store_many (db_t db, const db_cert_store_t *items,
                                size_t n);

/* Set the delisted flag of cert ID (not exported to WKD etc.).
 * Needs a transaction.  */
gpg_error_t db_cert_set_delisted (db_t db, int64_t id, int yes);

/* Set the inactive flag of cert ID (certifications not renewed).
 * Needs a transaction.  */
gpg_error_t db_cert_set_inactive (db_t db, int64_t id, int yes);


/*-- Revocations --*/

typedef struct db_revocation_s
{
  struct db_revocation_s *next;
  int64_t id;
  char *hash;              /* 16 uppercase hex digits (see spec 3.10).  */
  char *revocation;        /* Armored signature.  */
  int published;
  int64_t cert_id;
} db_revocation_t;

/* Release a revocation list.  NULL is accepted.  */
void db_revocation_release (db_revocation_t *list);

/* Store revocation REVOCATION with id HASH for cert CERT_ID.
 * R_ID may be NULL.  GPG_ERR_DUP_KEY if HASH is already stored.
 * Needs a transaction.  */
gpg_error_t db_revocation_insert (db_t db, int64_t cert_id, const char *hash,
                                  const char *revocation, int published,
                                  int64_t *r_id);

/* List the revocations of cert CERT_ID ordered by id (NULL if none).  */
gpg_error_t db_revocation_list (db_t db, int64_t cert_id,
                                db_revocation_t **r_list);

/* Get the revocation with HASH.  GPG_ERR_NOT_FOUND if unknown.  */
gpg_error_t db_revocation_get (db_t db, const char *hash,
                               db_revocation_t **r_rev);

/* Mark revocation ID as published (merged into the cert).
 * Needs a transaction.  */
gpg_error_t db_revocation_set_published (db_t db, int64_t id);


/*-- Bridges --*/

typedef struct db_bridge_s
{
  struct db_bridge_s *next;
  int64_t id;
  char *email;             /* Remote CA email.  */
  char *scope;             /* Scope domain name.  */
  int64_t cert_id;
  int64_t cas_id;
  char *fingerprint;       /* Of the remote CA cert (from certs).  */
  char *pub_cert;          /* The remote CA cert (from certs).  */
} db_bridge_t;

/* Release a bridge list.  NULL is accepted.  */
void db_bridge_release (db_bridge_t *list);

/* Store a bridge to remote CA EMAIL with SCOPE, whose cert (inserted
 * before with db_cert_insert and user_id 0) is CERT_ID, for our CA.
 * R_ID may be NULL.  GPG_ERR_DUP_KEY if EMAIL already has a bridge,
 * GPG_ERR_NOT_INITIALIZED without a CA.  Needs a transaction.  */
gpg_error_t db_bridge_insert (db_t db, const char *email, const char *scope,
                              int64_t cert_id, int64_t *r_id);

/* List all bridges ordered by id (NULL if none).  */
gpg_error_t db_bridge_list (db_t db, db_bridge_t **r_list);

/* Get the bridge to EMAIL.  GPG_ERR_NOT_FOUND if none.  */
gpg_error_t db_bridge_get (db_t db, const char *email, db_bridge_t **r_bridge);


/*-- Certification audit log --*/

typedef enum
  {
    DB_CERTIFICATION_CERT = 0,   /* 'certification': CA on a user ID.  */
    DB_CERTIFICATION_TSIG,       /* 'tsig': a user's trust sig on the CA.  */
    DB_CERTIFICATION_BRIDGE,     /* 'bridge': CA's scoped tsig.  */
    DB_CERTIFICATION_REVOCATION, /* 'revocation': a revocation issued.  */
    DB_CERTIFICATION_SIGNATURE   /* 'signature': a document signed with
                                  * the CA's signing subkey (schema 4).  */
  }
db_certification_kind_t;

/* One issued signature.  For insert, fill the fields and leave
 * NEXT/ID alone.  */
typedef struct db_certification_s
{
  struct db_certification_s *next;
  int64_t id;
  int64_t cert_id;         /* Row in certs, or 0 (e.g. tsig on the CA).  */
  char *target_fpr;        /* Fingerprint of the signed key.  */
  char *user_id;           /* The User ID string signed (may be NULL).  */
  int64_t created;         /* Signature creation time, Unix seconds.  */
  char *signature;         /* Armored or base64 signature packet.  */
  char *issuer_fpr;        /* Fingerprint of the issuing key.  */
  db_certification_kind_t kind;
  /* Schema 4 (NULL / -1 in older rows).  */
  char *backend;           /* "softkey", "card", or NULL.  */
  char *card;              /* The card's ident, or NULL.  */
  int64_t card_sigcount;   /* The card's signature counter (DO 93) when
                            * the signature was made, or -1 (stored
                            * only with CARD).  */
  char *sig_hash;          /* SHA-256 of the signature packet (64 hex
                            * digits), or NULL.  */
} db_certification_t;

/* Release a certification list.  NULL is accepted.  */
void db_certification_release (db_certification_t *list);

/* The text stored for KIND ("certification", "tsig", "bridge",
 * "revocation"), or NULL for an invalid value.  */
const char *db_certification_kind_str (db_certification_kind_t kind);

/* Record REC (TARGET_FPR, SIGNATURE and ISSUER_FPR are required).
 * R_ID may be NULL.  Needs a transaction.  */
gpg_error_t db_certification_insert (db_t db, const db_certification_t *rec,
                                     int64_t *r_id);

/* Record RECS/N as db_certification_insert each, a statement for
 * each DB_STORE_GROUP (the rest one by one).  On an error part of RECS
 * may be recorded: the caller's transaction is to be rolled back.
 * Needs a transaction.  */
gpg_error_t db_certification_insert_many (db_t db,
                                          const db_certification_t *recs,
                                          size_t n);

/* List the recorded certifications on TARGET_FPR (all if NULL),
 * ordered by id (NULL if none).  */
gpg_error_t db_certification_list (db_t db, const char *target_fpr,
                                   db_certification_t **r_list);

/* Count the recorded certifications on TARGET_FPR (all if NULL).  */
gpg_error_t db_certification_count (db_t db, const char *target_fpr,
                                    uint64_t *r_count);

/* Walk the record one row at a time (db-life.c): store at *R_REC the
 * row with the smallest id above AFTER whose signature was created at
 * or after SINCE and, with EMAIL, whose target or issuer is a cert
 * stored for that address.  GPG_ERR_EOF when there is none.  One
 * indexed query per call, no statement left open.  */
gpg_error_t db_certification_next (db_t db, int64_t after, int64_t since,
                                   const char *email,
                                   db_certification_t **r_rec);


/*-- Settings (db-life.c) --*/

/* The value of setting NAME in *R_VALUE (xfree).  GPG_ERR_NOT_FOUND if
 * it is not set.  */
gpg_error_t db_setting_get (db_t db, const char *name, char **r_value);

/* Set NAME to VALUE; VALUE NULL removes it.  Needs a transaction.  */
gpg_error_t db_setting_set (db_t db, const char *name, const char *value);


/*-- Counting (db-life.c) --*/

/* The number of stored user certs (bridges not counted).  */
gpg_error_t db_cert_count (db_t db, uint64_t *r_count);


/*-- Pending operations (crash safety) --*/

/* The `pending' table records a multi-step operation that touches
 * something outside the database before it can commit, e.g. "card
 * personalised but CA not yet stored" (issue 5).  Protocol:
 *   1. db_begin; db_pending_set (KEY, VALUE); db_commit  -- durable
 *   2. do the external work (write the card)
 *   3. db_begin; store the result; db_pending_delete (KEY); db_commit
 * A later run that finds KEY with db_pending_get knows step 2 may have
 * happened and can recover or tell the admin what to do.  VALUE may
 * hold a secret (the new PIN): it is returned in secure memory and the
 * row is overwritten on delete (secure_delete).  Keys are short ASCII
 * names chosen by the caller (e.g. "card-init").  */

/* Set KEY to VALUE (replacing an old value).  Needs a transaction.  */
gpg_error_t db_pending_set (db_t db, const char *key, const char *value);

/* Get the value of KEY into *R_VALUE (secure memory; release with
 * wipe_and_free_string).  R_CREATED (may be NULL) gets the Unix time
 * of the last db_pending_set.  GPG_ERR_NOT_FOUND if KEY is not set.  */
gpg_error_t db_pending_get (db_t db, const char *key, char **r_value,
                            int64_t *r_created);

/* Delete KEY (no error if it is not set).  Needs a transaction.  */
gpg_error_t db_pending_delete (db_t db, const char *key);


/*-- Reading an openpgp-ca database (db-ocadb.c) --
 *
 * The database of openpgp-ca 0.13/0.14 (its four diesel migrations)
 * is read row by row, strictly read-only, to be copied into a new oca
 * database with the same row ids.  A row of any of its tables has the
 * shape of db_oca_row_t; which field is which column:
 *
 *   table         ref[0]    ref[1]  flag[0]    flag[1]   text[0..2]
 *   cas           -         -       -          -         domainname
 *   cacerts       ca_id     -       active     -         fingerprint,
 *                                                        priv_cert,
 *                                                        backend (NULL)
 *   users         ca_id     -       -          -         name (NULL)
 *   certs         user_id   -       delisted   inactive  fingerprint,
 *                 (0: NULL)                              pub_cert
 *   certs_emails  cert_id   -       -          -         addr
 *   revocations   cert_id   -       published  -         hash, revocation
 *   bridges       cert_id   cas_id  -          -         email, scope
 *   queue         -         -       done       -         created, task
 *
 * The texts of cacerts (the private key, the card's PIN) are in
 * secure memory.  */

typedef enum db_oca_table
  {
    DB_OCA_CAS = 0,
    DB_OCA_CACERTS,
    DB_OCA_USERS,
    DB_OCA_CERTS,
    DB_OCA_CERTS_EMAILS,
    DB_OCA_REVOCATIONS,
    DB_OCA_BRIDGES,
    DB_OCA_QUEUE,
    DB_OCA_NTABLES
  }
db_oca_table_t;

typedef struct db_oca_row
{
  int64_t id;
  int64_t ref[2];
  int flag[2];
  char *text[3];
} db_oca_row_t;

/* The name of table T ("cas", ...).  */
const char *db_oca_table_name (db_oca_table_t t);

/* Release the texts of ROW (wiping them) and clear it.  */
void db_oca_row_clear (db_oca_row_t *row);

/* Open PATH, an openpgp-ca database, without ever writing it: SQLite
 * opens it read-only and immutable (no lock, no journal, no WAL file
 * is created or read), so the file stays byte-identical.  Refused with
 * a one-line message (db_errmsg (NULL)): a file that is not an SQLite
 * database or is corrupt (GPG_ERR_BAD_DATA, checked in full), an oca
 * database (GPG_ERR_INV_OBJ), a database whose diesel migrations are
 * not exactly openpgp-ca's four (GPG_ERR_NOT_SUPPORTED), one whose
 * tables lack a column this reader needs (GPG_ERR_NOT_SUPPORTED), and
 * one with a journal or WAL file beside it (GPG_ERR_LOCKED: openpgp-ca
 * is writing it or crashed; SQLite would have to write to recover).
 * Only db_oca_next and db_close may be called on the handle.  */
gpg_error_t db_oca_open (const char *path, db_t *r_src);

/* Read the row of table T of SRC with the smallest id above AFTER into
 * *ROW (cleared first; db_oca_row_clear).  GPG_ERR_EOF when there is
 * none.  A value of the wrong type (a text where an id belongs, a
 * boolean other than 0 or 1, NULL in a NOT NULL column) is
 * GPG_ERR_INV_OBJ with a message naming the table, row and column.  */
gpg_error_t db_oca_next (db_t src, db_oca_table_t t, int64_t after,
                         db_oca_row_t *row);

/* Insert ROW into table T of the oca database DB with its id.  Needs a
 * transaction.  */
gpg_error_t db_oca_insert (db_t db, db_oca_table_t t,
                           const db_oca_row_t *row);

/*-- Split mode: the queue of a front instance (table queue) --
 *
 * openpgp-ca's table: CREATED is naive UTC text ("YYYY-MM-DD
 * HH:MM:SS", diesel may add a fraction), TASK the request as JSON, DONE
 * set once the back instance's answer is imported.  */

typedef struct db_queue_s
{
  struct db_queue_s *next;
  int64_t id;
  char *created;
  char *task;
  int done;
} db_queue_t;

/* Release a queue entry (and the list chained after it).  NULL ok.  */
void db_queue_release (db_queue_t *q);
/* Append a request (not done) and store its id at R_ID (may be NULL).
 * Needs a transaction.  */
gpg_error_t db_queue_insert (db_t db, const char *created, const char *task,
                             int64_t *r_id);
/* The entry after id AFTER (all of them, or NOT_DONE: those not done)
 * in id order into *R_Q; GPG_ERR_EOF after the last.  With EXACT the
 * entry AFTER itself (GPG_ERR_NOT_FOUND if there is none).  */
gpg_error_t db_queue_next (db_t db, int64_t after, int not_done, int exact,
                           db_queue_t **r_q);
/* Mark entry ID done.  Needs a transaction.  */
gpg_error_t db_queue_set_done (db_t db, int64_t id);

/* Split mode: fill the new, empty database DB (schema installed, no
 * CA; no transaction open) from the oca database SRCPATH, in one
 * transaction: the CA's domain, users, certificates, emails,
 * revocations, bridges, queue, certification record and settings, and as the
 * only CA certificate FPR with the public certificate PUB_CERT and
 * backend BACKEND.  Nothing of SRCPATH's private key or cards (tables
 * cakeys, cacards, pending, the other cacerts columns) is read.  */
gpg_error_t db_copy_front (db_t db, const char *srcpath, const char *fpr,
                           const char *pub_cert, const char *backend);

#endif /*OCA_DB_H*/
