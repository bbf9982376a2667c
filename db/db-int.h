/* db-int.h - internal definitions of the CA database layer
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the files of db/ (and its test) include this header.
 */
#ifndef OCA_DB_INT_H
#define OCA_DB_INT_H

#include "db.h"
#include <sqlite3.h>

/* Slots of the prepared statement cache.  Each query function uses its
 * own slot; the statement is prepared once per handle and reset after
 * every use, so bulk writes reuse it.  */
enum db_stmt_id
  {
    STMT_CA_COUNT,
    STMT_CA_DOMAIN,
    STMT_CA_INSERT,
    STMT_CACERT_INSERT,
    STMT_CACERT_ACTIVE,
    STMT_CACERT_UPDATE_CERT,
    STMT_CACERT_SET_BACKEND,
    STMT_CACERT_REPLACE_KEY,
    STMT_CAKEY_INSERT,
    STMT_CAKEY_EXISTS,
    STMT_CAKEY_DELETE,
    STMT_USER_INSERT,
    STMT_CERT_INSERT,
    STMT_EMAIL_INSERT,
    STMT_CERT_GET_FPR,
    STMT_CERT_GET_ID,
    STMT_CERT_NEXT,
    STMT_CERT_NEXT_EMAIL,
    STMT_CERT_NEXT_BATCH,
    STMT_EMAILS_OF_CERT,
    STMT_EMAILS_ALL,
    STMT_CERT_UPDATE,
    STMT_CERT_SET_DELISTED,
    STMT_CERT_SET_INACTIVE,
    STMT_CERT_SET_VERIFIED,
    STMT_CERT_FORGET_VERIFIED,
    STMT_CERT_UPDATE_MANY,
    STMT_CERT_SET_VERIFIED_MANY,
    STMT_REV_INSERT,
    STMT_REV_LIST,
    STMT_REV_GET,
    STMT_REV_PUBLISHED,
    STMT_BRIDGE_INSERT,
    STMT_BRIDGE_LIST,
    STMT_BRIDGE_GET,
    STMT_CERTIFICATION_INSERT,
    STMT_CERTIFICATION_INSERT_MANY,
    STMT_CERTIFICATION_LIST,
    STMT_CERTIFICATION_LIST_ALL,
    STMT_CERTIFICATION_COUNT,
    STMT_CERTIFICATION_COUNT_ALL,
    STMT_PENDING_SET,
    STMT_PENDING_GET,
    STMT_PENDING_DELETE,
    STMT_CACARD_INSERT,
    STMT_CACARD_LIST,
    STMT_CERTIFICATION_NEXT,
    STMT_CERTIFICATION_NEXT_EMAIL,
    STMT_SETTING_GET,
    STMT_SETTING_SET,
    STMT_SETTING_DELETE,
    STMT_CERT_COUNT,
    STMT_QUEUE_INSERT,
    STMT_QUEUE_NEXT,
    STMT_QUEUE_SET_DONE,
    /* db-ocadb.c: a row read from each table of an openpgp-ca database,
     * a row inserted into each table of ours.  */
    STMT_OCA_NEXT,
    STMT_OCA_INSERT = STMT_OCA_NEXT + DB_OCA_NTABLES,
    STMT_OCA_END_ = STMT_OCA_INSERT + DB_OCA_NTABLES,
    STMT_LAST_
  };

struct db_s
{
  sqlite3 *sql;
  char *path;                    /* The file, for messages.  */
  unsigned int mode;             /* Its permission bits at open.  */
  int readonly;
  int in_txn;
  unsigned int version;          /* user_version after open.  */
  char errmsg[512];
  sqlite3_stmt *stmt[STMT_LAST_];
};

/* One forward migration: executing SQL takes the schema from version
 * N-1 to N, where N is the 1-based index in the table.  */
typedef struct db_migration_s
{
  const char *name;
  const char *sql;
} db_migration_t;

/*-- db-schema.c --*/
extern const db_migration_t db_migrations[];
extern const size_t db_n_migrations;

/*-- db-misc.c --*/
/* The columns of a certification row, for db__fill_certification.  */
#define DB_CERTIFICATION_SELECT                                         \
  "SELECT id, cert_id, target_fpr, user_id_text, created, signature,"   \
  " issuer_fpr, kind, backend, card, card_sigcount, sig_hash"           \
  " FROM certifications"
/* Read the current row of ST (DB_CERTIFICATION_SELECT) into ITEM, a
 * zeroed db_certification_t.  */
gpg_error_t db__fill_certification (db_t db, sqlite3_stmt *st, void *item);

/*-- db.c --*/
/* Open with an explicit migration table (tests use this to append a
 * test-only step or to stop at an older version).  */
gpg_error_t db__open_ext (const char *path, unsigned int flags,
                          const db_migration_t *steps, size_t nsteps,
                          db_t *r_db);
/* Map the SQLite result RC of the last call on DB to a gpg_error_t and
 * record SQLite's message.  */
gpg_error_t db__sqlerr (db_t db, int rc);
/* Set the message db_errmsg (NULL) returns (a failed open).  */
void db__set_open_errmsg (const char *msg);
/* Record our own message (printf style) and return ERR.  */
gpg_error_t db__error (db_t db, gpg_error_t err, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
/* Clear the recorded message (at the start of every API call).  */
void db__clear_error (db_t db);
/* Get the cached statement ID, preparing SQL on first use.  */
gpg_error_t db__stmt (db_t db, enum db_stmt_id id, const char *sql,
                      sqlite3_stmt **r_stmt);
/* Reset ST and clear its bindings (safe with NULL).  */
void db__done (sqlite3_stmt *st);
/* GPG_ERR_INV_STATE unless a transaction is open.  */
gpg_error_t db__need_txn (db_t db);
/* Bind helpers: NULL text binds SQL NULL; ID 0 binds NULL.  Text is
 * bound SQLITE_STATIC: it must stay valid until db__done.  */
gpg_error_t db__bind_text (db_t db, sqlite3_stmt *st, int idx,
                           const char *s);
gpg_error_t db__bind_int64 (db_t db, sqlite3_stmt *st, int idx, int64_t v);
gpg_error_t db__bind_id (db_t db, sqlite3_stmt *st, int idx, int64_t id);
/* Step a statement that returns no rows; map errors.  */
gpg_error_t db__step_done (db_t db, sqlite3_stmt *st);
/* Step; *R_ROW is 1 for a row, 0 at the end.  */
gpg_error_t db__step (db_t db, sqlite3_stmt *st, int *r_row);
/* Copy text column COL of ST into a fresh string (secure memory if
 * SECURE).  SQL NULL gives *R_STR = NULL.  Embedded NULs and values
 * over DB_MAX_TEXT are GPG_ERR_INV_OBJ / GPG_ERR_TOO_LARGE.  */
gpg_error_t db__column_str (db_t db, sqlite3_stmt *st, int col, int secure,
                            char **r_str);
/* Same but SQL NULL is an error (GPG_ERR_INV_OBJ).  */
gpg_error_t db__column_str_nn (db_t db, sqlite3_stmt *st, int col,
                               int secure, char **r_str);
/* After an UPDATE: GPG_ERR_NOT_FOUND if no row changed.  */
gpg_error_t db__changed_one (db_t db, const char *what, int64_t id);

/* One parameter of db__write: text (NULL binds SQL NULL), an integer,
 * or a row id (0 binds SQL NULL).  */
typedef struct db__arg_s
{
  enum { DB__ARG_TEXT, DB__ARG_INT, DB__ARG_ID } type;
  const char *text;
  int64_t num;
} db__arg_t;
#define DB__TEXT(s) { DB__ARG_TEXT, (s), 0 }
#define DB__INT(v)  { DB__ARG_INT, NULL, (v) }
#define DB__ID(v)   { DB__ARG_ID, NULL, (v) }

/* Run the cached statement SID/SQL, which returns no rows, with ?1 to
 * ?NARGS bound to ARGS; resets it.  The caller checks db__need_txn.  */
gpg_error_t db__write (db_t db, enum db_stmt_id sid, const char *sql,
                       const db__arg_t *args, int nargs);

/* Bind ?BASE+1 to ?BASE+NARGS of ST to ARGS.  */
gpg_error_t db__bind_args_at (db_t db, sqlite3_stmt *st, int base,
                              const db__arg_t *args, int nargs);

/* Rows written by one statement of the *_many calls
 * (db_cert_store_many, db_certification_insert_many): a bulk run
 * stores a group of certificates with a statement per table, not one
 * per row and table.  */
#define DB_MANY DB_STORE_GROUP

/* Get the cached statement SID for DB_MANY rows: HEAD, the rows
 * separated by commas, TAIL.  ROW prints one row (snprintf style: the
 * length it needs, also for BUF NULL) whose parameters are ?BASE+1 to
 * ?BASE+NPARAMS; the row K has BASE K * NPARAMS.  */
gpg_error_t db__many_stmt (db_t db, enum db_stmt_id sid, const char *head,
                           int (*row) (char *buf, size_t size, int base),
                           int nparams, const char *tail,
                           sqlite3_stmt **r_stmt);

/* Start a write: clear *R_ID (if not NULL) and the recorded message;
 * GPG_ERR_INV_STATE unless a transaction is open.  */
gpg_error_t db__write_start (db_t db, int64_t *r_id);
/* db__write an INSERT; on success set *R_ID (if not NULL) to the new
 * row's id.  */
gpg_error_t db__insert (db_t db, enum db_stmt_id sid, const char *sql,
                        const db__arg_t *args, int nargs, int64_t *r_id);
/* A whole API call that changes the one row ID of a table: in a
 * transaction, run the cached statement SID/SQL with ?1 bound to ID;
 * GPG_ERR_NOT_FOUND ("no WHAT with id ID") if no row changed.  */
gpg_error_t db__set_by_id (db_t db, enum db_stmt_id sid, const char *sql,
                           int64_t id, const char *what);

/* The shape of a result list for db__select: items of SIZE bytes,
 * chained through the pointer at offset NEXT_OFF; FILL reads the
 * current row of ST into a zeroed ITEM (already linked into the list,
 * so RELEASE frees what FILL set before failing).  */
typedef struct db__rows_s
{
  size_t size;
  size_t next_off;
  gpg_error_t (*fill) (db_t db, sqlite3_stmt *st, void *item);
  void (*release) (void *list);
} db__rows_t;

/* Get the cached statement SID/SQL, bind ?1 to TEXT if not NULL, else
 * to *IVAL if IVAL is not NULL, step through all rows and collect them
 * as described by ROWS into *R_LIST (NULL if there are none).  Resets
 * the statement.  */
gpg_error_t db__select (db_t db, enum db_stmt_id sid, const char *sql,
                        const char *text, const int64_t *ival,
                        const db__rows_t *rows, void **r_list);
/* The same with ?1 to ?NARGS bound to ARGS.  */
gpg_error_t db__select_args (db_t db, enum db_stmt_id sid, const char *sql,
                             const db__arg_t *args, int nargs,
                             const db__rows_t *rows, void **r_list);

#endif /*OCA_DB_INT_H*/
