/* cli-colons.c - --with-colons output: GnuPG-style records for machines
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A record is one line: its type, then each field followed by a colon
 * ("crt:FPR:NAME:...:").  In a field, a colon, a backslash and every
 * control byte (below 0x20, and 0x7f) are written as \xNN (two
 * lowercase hex digits), as gpg --with-colons does; other bytes (UTF-8)
 * are written as they are.  So a record never spans lines and
 * splitting at ':' is always right.  Commands build records with
 * cmd_colons_start, the field functions and cmd_colons_end; the
 * formats are documented in oca(1), COLON LISTINGS.
 */
#include <config.h>
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>


/* See cli.h.  */
gpg_error_t
cmd_colons_options (int argc, char **argv, int *r_colons)
{
  static const struct option opts[] =
    {
      { "with-colons", no_argument, NULL, 'C' },
      { NULL, 0, NULL, 0 }
    };
  int c;

  *r_colons = 0;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":", opts, NULL)) != -1)
    {
      if (c != 'C')
        return cmd_getopt_error (c, argv);
      *r_colons = 1;
    }
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);
  return 0;
}


/* See cli.h.  */
void
cmd_colons_start (FILE *fp, const char *type)
{
  fputs (type, fp);
  putc (':', fp);
}


/* See cli.h.  */
void
cmd_colons_mem (FILE *fp, const void *buf, size_t len)
{
  const unsigned char *s = buf;
  size_t i;

  for (i = 0; i < len; i++)
    {
      if (s[i] < 0x20 || s[i] == 0x7f || s[i] == ':' || s[i] == '\\')
        fprintf (fp, "\\x%02x", s[i]);
      else
        putc (s[i], fp);
    }
  putc (':', fp);
}


/* See cli.h.  */
void
cmd_colons_str (FILE *fp, const char *s)
{
  cmd_colons_mem (fp, s ? s : "", s ? strlen (s) : 0);
}


/* See cli.h.  */
void
cmd_colons_num (FILE *fp, unsigned long long n)
{
  fprintf (fp, "%llu:", n);
}


/* See cli.h.  */
void
cmd_colons_end (FILE *fp)
{
  putc ('\n', fp);
}
