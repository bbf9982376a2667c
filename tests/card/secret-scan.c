/* secret-scan.c - look for secret key values in raw bytes (a disk image)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: secret-scan VALUES FILE...
 *
 * VALUES has one "LABEL HEX" line per secret value: an MPI or scalar in
 * big-endian order (RSA d, p, q, u; an EdDSA seed ...), as a key dump
 * shows it.  Each value is looked for in every encoding a key is kept
 * or exported in:
 *
 *   raw      the big-endian bytes
 *   mpi      the OpenPGP MPI: 2-byte bit count, then the bytes
 *   hex      lower- and upper-case hex digits
 *   b64-0..2 base64 at each of the three byte alignments (ASCII armor)
 *
 * An encoding is cut into windows of 16 bytes every 8 bytes (plus one
 * ending at its end; the MPI adds only its first window, the rest is
 * the raw value), so that a value split over database pages or armor
 * lines is still found.  Windows of fewer than 8 distinct bytes are
 * left out (they could match by chance).
 *
 * Prints "FILE LABEL ENCODING OFFSET" for every window found in a FILE
 * and, last, "hits N" (the total).  Exit status 0, or 2 for bad usage
 * or input.  A test compares the counts of an image and of the files
 * that may keep the key.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oca-common.h"

#define WIN 16
#define STEP 8
#define MAXVAL 4096
#define CHUNK (1u << 20)

typedef struct
{
  unsigned char bytes[WIN];
  char label[48];
  char enc[8];
} needle_t;

static needle_t *needles;
static size_t nneedles, needles_size;
/* Open addressing on the first 8 bytes: index+1 of a needle, 0 free.  */
static size_t *table;
static size_t table_size;


static void
die (const char *msg, const char *arg)
{
  fprintf (stderr, "secret-scan: %s%s%s\n", msg, arg ? ": " : "",
           arg ? arg : "");
  exit (2);
}


static uint64_t
key8 (const unsigned char *p)
{
  uint64_t k;

  memcpy (&k, p, 8);
  return k;
}


static size_t
slot_of (uint64_t k)
{
  return (size_t)((k * 0x9e3779b97f4a7c15ull) >> 20) & (table_size - 1);
}


static void
add_window (const unsigned char *w, const char *label, const char *enc)
{
  unsigned char seen[256];
  size_t i, distinct = 0;

  memset (seen, 0, sizeof seen);
  for (i = 0; i < WIN; i++)
    if (!seen[w[i]]++)
      distinct++;
  if (distinct < 8)
    return;
  if (nneedles == needles_size)
    {
      needles_size = needles_size ? 2 * needles_size : 256;
      needles = realloc (needles, needles_size * sizeof *needles);
      if (!needles)
        die ("out of memory", NULL);
    }
  memcpy (needles[nneedles].bytes, w, WIN);
  snprintf (needles[nneedles].label, sizeof needles[nneedles].label, "%s",
            label);
  snprintf (needles[nneedles].enc, sizeof needles[nneedles].enc, "%s", enc);
  nneedles++;
}


/* Add the windows of encoding S/LEN (only the first if HEAD_ONLY).  */
static void
add_encoding (const unsigned char *s, size_t len, const char *label,
              const char *enc, int head_only)
{
  size_t off;

  if (len < WIN)
    die ("value too short to scan for", label);
  for (off = 0; off + WIN <= len; off += STEP)
    {
      add_window (s + off, label, enc);
      if (head_only)
        return;
    }
  if ((len - WIN) % STEP)
    add_window (s + len - WIN, label, enc);
}


/* Base64 of VAL/LEN preceded by ALIGN bytes; only the characters that
 * depend on VAL alone go to OUT.  Returns their number.  */
static size_t
base64_inner (const unsigned char *val, size_t len, int align,
              unsigned char *out)
{
  static const char tbl[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  unsigned char buf[MAXVAL + 6];
  size_t n = align + len, nbits, i, first, last, o = 0;

  memset (buf, 0, sizeof buf);
  memcpy (buf + align, val, len);
  nbits = 8 * n;
  first = (8 * (size_t)align + 5) / 6;   /* First char after the prefix.  */
  last = nbits / 6;                      /* Chars fully inside.  */
  for (i = first; i < last; i++)
    {
      size_t bit = 6 * i, byte = bit / 8, shift = bit % 8;
      unsigned int v = (buf[byte] << 8) | buf[byte + 1];

      out[o++] = tbl[(v >> (10 - shift)) & 63];
    }
  return o;
}


static void
add_value (const char *label, const unsigned char *val, size_t len)
{
  static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
  unsigned char enc[2 * MAXVAL + 8];
  size_t i, n, nbits;
  int a;
  char name[8];

  /* An MPI has no leading zero bytes.  */
  while (len && !val[0])
    val++, len--;
  if (!len)
    die ("a zero value", label);
  add_encoding (val, len, label, "raw", 0);

  nbits = 8 * len;
  for (i = 0x80; !(val[0] & i); i >>= 1)
    nbits--;
  enc[0] = nbits >> 8;
  enc[1] = nbits & 0xff;
  memcpy (enc + 2, val, len);
  add_encoding (enc, len + 2, label, "mpi", 1);

  for (i = 0; i < len; i++)
    {
      enc[2 * i] = lo[val[i] >> 4];
      enc[2 * i + 1] = lo[val[i] & 15];
    }
  add_encoding (enc, 2 * len, label, "hex", 0);
  for (i = 0; i < len; i++)
    {
      enc[2 * i] = up[val[i] >> 4];
      enc[2 * i + 1] = up[val[i] & 15];
    }
  add_encoding (enc, 2 * len, label, "HEX", 0);

  for (a = 0; a < 3; a++)
    {
      n = base64_inner (val, len, a, enc);
      snprintf (name, sizeof name, "b64-%d", a);
      add_encoding (enc, n, label, name, 0);
    }
}


static void
read_values (const char *fname)
{
  FILE *fp;
  char line[2 * MAXVAL + 128], *hex, *end;
  unsigned char val[MAXVAL];
  size_t len, nvalues = 0;

  fp = fopen (fname, "r");
  if (!fp)
    die (strerror (errno), fname);
  while (fgets (line, sizeof line, fp))
    {
      end = line + strcspn (line, "\r\n");
      *end = 0;
      if (!*line)
        continue;
      hex = strchr (line, ' ');
      if (!hex)
        die ("bad line (want LABEL HEX)", line);
      *hex++ = 0;
      len = strlen (hex);
      if (!len || len % 2 || len / 2 > MAXVAL
          || oca_hex2bin (hex, val, len / 2))
        die ("bad hex value", line);
      add_value (line, val, len / 2);
      nvalues++;
    }
  if (ferror (fp))
    die (strerror (errno), fname);
  fclose (fp);
  if (!nvalues)
    die ("no values", fname);
}


static void
build_table (void)
{
  size_t i, s;

  for (table_size = 1024; table_size < 4 * nneedles; table_size *= 2)
    ;
  table = calloc (table_size, sizeof *table);
  if (!table)
    die ("out of memory", NULL);
  for (i = 0; i < nneedles; i++)
    {
      for (s = slot_of (key8 (needles[i].bytes)); table[s];
           s = (s + 1) & (table_size - 1))
        ;
      table[s] = i + 1;
    }
}


/* Scan FNAME; returns the number of windows found.  */
static unsigned long
scan_file (const char *fname)
{
  FILE *fp;
  unsigned char *buf;
  size_t have = 0, n, i, s;
  unsigned long long base = 0;   /* File offset of buf[0].  */
  unsigned long hits = 0;

  fp = fopen (fname, "rb");
  if (!fp)
    die (strerror (errno), fname);
  buf = malloc (CHUNK + WIN);
  if (!buf)
    die ("out of memory", NULL);
  for (;;)
    {
      n = fread (buf + have, 1, CHUNK + WIN - have, fp);
      have += n;
      if (have < WIN)
        break;
      for (i = 0; i + WIN <= have; i++)
        for (s = slot_of (key8 (buf + i)); table[s];
             s = (s + 1) & (table_size - 1))
          {
            const needle_t *nd = &needles[table[s] - 1];

            if (!memcmp (nd->bytes, buf + i, WIN))
              {
                printf ("%s %s %s %llu\n", fname, nd->label, nd->enc,
                        base + i);
                hits++;
              }
          }
      if (!n)
        break;
      /* Keep the last WIN-1 bytes: a window may start there.  */
      memmove (buf, buf + have - (WIN - 1), WIN - 1);
      base += have - (WIN - 1);
      have = WIN - 1;
    }
  if (ferror (fp))
    die (strerror (errno), fname);
  fclose (fp);
  free (buf);
  return hits;
}


int
main (int argc, char **argv)
{
  unsigned long hits = 0;
  int i;

  if (argc < 3)
    die ("usage: secret-scan VALUES FILE...", NULL);
  read_values (argv[1]);
  build_table ();
  for (i = 2; i < argc; i++)
    hits += scan_file (argv[i]);
  printf ("hits %lu\n", hits);
  return 0;
}
