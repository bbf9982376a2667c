/* fuzz-db.h - the database schema as fuzz-db and mkseeds see it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A record of fuzz-db's input names its table by a NUMBER that never
 * changes: the table's index in fuzz_db_table_names (fuzz-db-schema.c),
 * where the tables stand in the order the schema versions introduced
 * them and a new table is APPENDED.  Seeds and corpora therefore keep
 * writing into the same tables when the schema grows (they used to
 * name a table by its index among the tables sorted by name, which
 * every new table shifted).  A table that an older schema lacks, or
 * that a future schema drops, keeps its number.
 *
 * fuzz_db_schema builds the empty database of one schema version
 * exactly as that version of oca created it (db/'s migration steps up
 * to it) and reads its tables and columns; it refuses a schema with a
 * table that has no number, so that the next schema change cannot
 * silently leave a table out (fuzz-db aborts at start-up, which
 * t-corpus.sh sees).
 */
#ifndef OCA_FUZZ_DB_H
#define OCA_FUZZ_DB_H

#include <stddef.h>

/* Table numbers a record can name (its table byte modulo this); the
 * numbers past the named tables name no table.  */
#define FUZZ_DB_SLOTS 32
/* Columns read per table.  */
#define FUZZ_DB_MAXCOLS 16

extern const char *const fuzz_db_table_names[];
extern const size_t fuzz_db_ntable_names;

/* The tables of one schema version, by number.  */
typedef struct
{
  unsigned int version;
  struct
  {
    int ncols;                           /* -1: no such table.  */
    char col[FUZZ_DB_MAXCOLS][32];
  } table[FUZZ_DB_SLOTS];
  unsigned char *image;                  /* The empty database file.  */
  size_t imagelen;
} fuzz_db_schema_t;

/* The number of table NAME, or -1.  */
int fuzz_db_table_number (const char *name);

/* Create the empty database of schema VERSION (1 to DB_SCHEMA_VERSION)
 * at PATH (which must not exist; removed again), read its tables into
 * *SCHEMA and its bytes into SCHEMA->image (malloc).  On error a
 * message goes to *R_WHY (static) and -1 is returned.  */
int fuzz_db_schema (const char *path, unsigned int version,
                    fuzz_db_schema_t *schema, const char **r_why);

#endif /*OCA_FUZZ_DB_H*/
