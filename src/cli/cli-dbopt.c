/* cli-dbopt.c - the global -d/--database option after group and command
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Users type `oca ca show -d FILE' as often as `oca -d FILE ca show'.
 * main (oca.c) takes -d FILE, -dFILE, --database FILE and
 * --database=FILE from the words between the group and the command
 * and from the command's words (up to a "--"), and hands the command
 * the rest.  A word is not taken where it is the value of the
 * command's previous option: the command's --help text, the one place
 * that lists its options, tells which options take a value (an
 * upper-case word after the option: "-e, --email EMAIL").  A command
 * whose help lists a -d of its own keeps it; --database is still
 * taken there.
 */
#include <config.h>
#include "cli.h"

#include <string.h>


/* Find in HELP the line describing the option word W ("-e",
 * "--email"): after the line "Options:", a line whose first non-blank
 * is '-', its option part ending at two blanks.  Returns 0 if there is
 * none, 1 for an option without a value, 2 for one that takes a
 * value.  */
static int
help_option (const char *help, const char *w)
{
  const char *line, *p, *end, *tok;
  size_t wlen = strlen (w), n;
  int found, value, options = 0;

  for (line = help; line && *line; line = strchr (line, '\n'),
         line = line ? line + 1 : NULL)
    {
      if (!strncmp (line, "Options:\n", 9))
        options = 1;
      else if (!strncmp (line, "Usage:", 6))
        options = 0;
      for (p = line; *p == ' '; p++)
        ;
      if (!options || *p != '-')
        continue;
      end = p + strcspn (p, "\n");
      tok = strstr (p, "  ");
      if (tok && tok < end)
        end = tok;
      found = value = 0;
      while (p < end)
        {
          tok = p;
          while (p < end && *p != ' ')
            p++;
          n = p - tok;
          if (n && tok[n - 1] == ',')
            n--;
          if (memchr (tok, '=', n))
            n = (const char *)memchr (tok, '=', n) - tok;
          if (n == wlen && !memcmp (tok, w, n))
            found = 1;
          else if (*tok >= 'A' && *tok <= 'Z')
            value = 1;
          while (p < end && *p == ' ')
            p++;
        }
      if (found)
        return value ? 2 : 1;
    }
  return 0;
}


/* See cli.h.  */
int
cmd_take_database (int own_d, int argc, char **argv, int *r_i,
                   const char **r_dbfile)
{
  const char *w = argv[*r_i];

  if (!strcmp (w, "--database") || (!own_d && !strcmp (w, "-d")))
    {
      if (*r_i + 1 >= argc)
        return -1;
      *r_dbfile = argv[++*r_i];
      return 1;
    }
  if (!strncmp (w, "--database=", 11))
    {
      *r_dbfile = w + 11;
      return 1;
    }
  if (!own_d && w[0] == '-' && w[1] == 'd' && w[2])
    {
      *r_dbfile = w + 2;
      return 1;
    }
  return 0;
}


/* See cli.h.  */
gpg_error_t
cmd_take_databases (const char *help, const char *help2, int *r_argc,
                    char **argv, const char **r_dbfile)
{
  int argc = *r_argc, i, out = 1, pending = 0, rc, kind;
  int own_d = help_option (help, "-d") || (help2
                                           && help_option (help2, "-d"));

  for (i = 1; i < argc; i++)
    {
      if (!strcmp (argv[i], "--"))
        {
          while (i < argc)
            argv[out++] = argv[i++];
          break;
        }
      if (!pending)
        {
          rc = cmd_take_database (own_d, argc, argv, &i, r_dbfile);
          if (rc < 0)
            return cmd_usage ("option '%s' needs an argument", argv[i]);
          if (rc)
            continue;
        }
      kind = 0;
      if (!pending && argv[i][0] == '-' && argv[i][1]
          && !strchr (argv[i], '=') && (argv[i][1] == '-' || !argv[i][2]))
        {
          kind = help_option (help, argv[i]);
          if (!kind && help2)
            kind = help_option (help2, argv[i]);
        }
      pending = kind == 2;
      argv[out++] = argv[i];
    }
  argv[out] = NULL;
  *r_argc = out;
  return 0;
}
