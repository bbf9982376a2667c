/* ca-json.h - inside the CA core: JSON for the split-mode files
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef OCA_CA_JSON_H
#define OCA_CA_JSON_H

#include "oca-common.h"
#include "membuf.h"

typedef enum
  {
    CA_JSON_NULL = 0,
    CA_JSON_BOOL,
    CA_JSON_NUM,               /* An integer.  */
    CA_JSON_STR,
    CA_JSON_ARR,
    CA_JSON_OBJ
  }
ca_json_type_t;

/* A parsed value.  Arrays and objects chain their N members through
 * KIDS/NEXT; a member of an object has its KEY.  */
typedef struct ca_json
{
  struct ca_json *next;
  char *key;
  ca_json_type_t type;
  int b;                       /* BOOL.  */
  int64_t num;                 /* NUM.  */
  char *str;                   /* STR (NUL-terminated) and its LEN.  */
  size_t len;
  struct ca_json *kids;
  size_t n;
} ca_json_t;

/* Parse the JSON text BUF/LEN (strict, see ca-json.c) into *R_J
 * (ca_json_release); GPG_ERR_INV_DATA if it is not JSON.  */
gpg_error_t ca_json_parse (const void *buf, size_t len, ca_json_t **r_j);
/* Release J and the values chained after it (NULL ok).  */
void ca_json_release (ca_json_t *j);
/* The member KEY of the object OBJ, or NULL.  */
const ca_json_t *ca_json_get (const ca_json_t *obj, const char *key);
/* Element IDX of the array ARR, or NULL.  */
const ca_json_t *ca_json_at (const ca_json_t *arr, size_t idx);
/* The string J, or NULL if J is not a string or holds a NUL.  */
const char *ca_json_str (const ca_json_t *j);

/* Append S as a JSON string (quoted, escaped) to MB.  */
void ca_json_put_str (membuf_t *mb, const char *s);
/* Append a line break and LEVEL indentations (serde_json's pretty
 * style: two spaces).  */
void ca_json_indent (membuf_t *mb, int level);
/* Append J to MB: pretty at indentation LEVEL (serde_json's
 * to_writer_pretty), or compact with LEVEL -1 (to_string).  */
void ca_json_write (membuf_t *mb, const ca_json_t *j, int level);

#endif /*OCA_CA_JSON_H*/
