/* cmd-split.c - split mode: oca ca split into|merge|export|certify|
 *               import|show-queue
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * openpgp-ca's `ca split' (spec openpgp-ca.md 1, 4.4, 5.10): options,
 * prompts and output; the work is in ca-split.c and ca-splitfile.c.
 */
#include <config.h>
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>


/* Parse the options of a split command: each of SHORTOPTS ("f:b:")
 * with its long name in LONGOPTS; *R_VALS gets them in order of
 * SHORTOPTS' letters, all required (NAMES says how they are called in
 * the usage error), *R_BATCH --batch if BATCH_OK.  */
static gpg_error_t
split_options (int argc, char **argv, const char *shortopts,
               const struct option *longopts, const char *const *names,
               const char **r_vals, int *r_batch)
{
  int c, i, n = 0;
  const char *p;

  optind = 0;
  opterr = 0;
  for (p = shortopts; *p; p++)
    if (*p != ':')
      r_vals[n++] = NULL;
  if (r_batch)
    *r_batch = 0;
  while ((c = getopt_long (argc, argv, shortopts, longopts, NULL)) != -1)
    {
      if (c == 'B' && r_batch)
        {
          *r_batch = 1;
          continue;
        }
      for (i = 0, p = shortopts + 1; *p; p++)
        {
          if (*p == ':')
            continue;
          if (*p == c)
            break;
          i++;
        }
      if (c == '?' || c == ':' || !*p || c == 'B')
        return cmd_getopt_error (c == 'B' ? '?' : c, argv);
      r_vals[i] = optarg;
    }
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);
  for (i = 0; i < n; i++)
    if (!r_vals[i])
      return cmd_usage ("the option %s is required", names[i]);
  return 0;
}


/* oca ca split into -f FRONT -b BACK */
static gpg_error_t
split_into (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "front", required_argument, NULL, 'f' },
      { "back", required_argument, NULL, 'b' },
      { NULL, 0, NULL, 0 }
    };
  static const char *const names[] = { "--front", "--back" };
  gpg_error_t err;
  const char *v[2];
  ca_t *ca = NULL;

  err = split_options (argc, argv, ":f:b:", longopts, names, v, NULL);
  if (!err)
    err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_split_into (ca, v[0], v[1]);
  ca_release (ca);
  return err;
}


/* oca ca split merge -b BACK */
static gpg_error_t
split_merge (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "back", required_argument, NULL, 'b' },
      { NULL, 0, NULL, 0 }
    };
  static const char *const names[] = { "--back" };
  gpg_error_t err;
  const char *v[1];
  ca_t *ca = NULL;

  err = split_options (argc, argv, ":b:", longopts, names, v, NULL);
  if (!err)
    err = ca_open (opts, 0, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_split_merge (ca, v[0]);
  if (!err)
    err = ca_commit (ca);
  ca_release (ca);
  return err;
}


/* oca ca split export -f FILE */
static gpg_error_t
split_export (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "file", required_argument, NULL, 'f' },
      { NULL, 0, NULL, 0 }
    };
  static const char *const names[] = { "--file" };
  gpg_error_t err;
  const char *v[1];
  ca_t *ca = NULL;
  size_t n = 0;

  err = split_options (argc, argv, ":f:", longopts, names, v, NULL);
  if (!err)
    err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_begin_read (ca);
  if (!err)
    err = ca_split_export (ca, v[0], &n);
  if (!err && n)
    printf ("Exported queue with %zu entries for processing by the back "
            "instance\n", n);
  else if (!err)
    printf ("The queue contains no requests for the back instance, didn't "
            "export.\n");
  ca_release (ca);
  return err;
}


/* The User IDs or Regular Expressions of E as Rust's Debug prints a
 * Vec<String> (openpgp-ca's show-queue): ["a", "b"].  */
static void
print_debug_list (const ca_split_entry_t *e)
{
  const unsigned char *s;
  size_t i;

  putchar ('[');
  for (i = 0; i < e->nuids; i++)
    {
      if (i)
        fputs (", ", stdout);
      putchar ('"');
      for (s = (const unsigned char *)e->uids[i]; *s; s++)
        switch (*s)
          {
          case '"': fputs ("\\\"", stdout); break;
          case '\\': fputs ("\\\\", stdout); break;
          case '\n': fputs ("\\n", stdout); break;
          case '\r': fputs ("\\r", stdout); break;
          case '\t': fputs ("\\t", stdout); break;
          default:
            if (*s < 0x20 || *s == 0x7f)
              printf ("\\u{%x}", *s);
            else
              putchar (*s);
          }
      putchar ('"');
    }
  putchar (']');
}


/* oca ca split show-queue */
static gpg_error_t
split_show_queue (const ca_opts_t *opts, int argc, char **argv)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  ca_split_entry_t e;
  int64_t after = 0;
  size_t i;

  memset (&e, 0, sizeof e);
  err = cmd_no_options (argc, argv);
  if (!err)
    err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_begin_read (ca);
  while (!err && !(err = ca_split_queue_next (ca, after, &e)))
    {
      after = e.id;
      if (!e.bridge)
        {
          printf ("Certification request [#%lld]\n  For User IDs ",
                  (long long)e.id);
          print_debug_list (&e);
          printf ("\n  On %s\n", e.fpr);
          if (e.has_days)
            printf ("  Limited to %llu days\n", (unsigned long long)e.days);
          else
            printf ("  No expiration\n");
        }
      else
        {
          printf ("Bridging request [#%lld]\n  For %s\n", (long long)e.id,
                  e.fpr);
          if (!e.nuids)
            printf ("  Unscoped.\n");
          else
            {
              printf ("  Scoped to");
              for (i = 0; i < e.nuids; i++)
                printf (" '%s'", e.uids[i]);
              putchar ('\n');
            }
        }
      printf ("  Queued: %s UTC\n\n", e.created);
      ca_split_entry_release (&e);
    }
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  ca_split_entry_release (&e);
  ca_release (ca);
  return err;
}


static void
certify_begin (void *opaque, size_t n, const char *created)
{
  (void)opaque;
  printf ("Processing %zu certification requests, exported on %s.\n\n",
          n, created);
  fflush (stdout);
}


/* Ask the operator about request E (openpgp-ca's prompt).  */
static gpg_error_t
certify_ask (void *opaque, const ca_split_entry_t *e, int *r_yes)
{
  gpg_error_t err;
  size_t i;

  (void)opaque;
  if (!e->bridge)
    {
      printf ("Request for User ID certification [created %s UTC]:\n\n"
              "Bind key %s with\n", e->created, e->fpr);
      for (i = 0; i < e->nuids; i++)
        printf ("- '%s'\n", e->uids[i]);
    }
  else
    {
      printf ("Request for bridge certification [created %s UTC]:\n\n"
              "Remote key %s\nScoped for:\n", e->created, e->fpr);
      for (i = 0; i < e->nuids; i++)
        printf ("- '%s'\n", e->uids[i]);
    }
  putchar ('\n');
  fflush (stdout);
  err = cmd_ask_yes_no ("Certify? [y/n]", "no terminal to ask whether to "
                        "certify (use --batch)", r_yes);
  if (err)
    return err;
  if (!*r_yes)
    printf ("\nSkipping this queue entry\n");
  printf ("\n\n");
  return 0;
}


/* oca ca split certify -i REQUESTS -e RESPONSE [--batch] */
static gpg_error_t
split_certify (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "import", required_argument, NULL, 'i' },
      { "export", required_argument, NULL, 'e' },
      { "batch", no_argument, NULL, 'B' },
      { NULL, 0, NULL, 0 }
    };
  static const char *const names[] = { "--import", "--export" };
  gpg_error_t err;
  const char *v[2];
  ca_t *ca = NULL;
  ca_split_ui_t ui;
  size_t n = 0;
  int batch;

  err = split_options (argc, argv, ":i:e:", longopts, names, v, &batch);
  if (err)
    return err;
  memset (&ui, 0, sizeof ui);
  ui.begin = certify_begin;
  ui.ask = batch ? NULL : certify_ask;
  err = ca_open (opts, 0, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_split_certify (ca, v[0], v[1], &ui, &n);
  if (!err)
    err = ca_commit (ca);
  if (!err)
    printf ("Processed %zu certification requests\n", n);
  ca_release (ca);
  return err;
}


/* oca ca split import -i RESPONSE */
static gpg_error_t
split_import (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "import", required_argument, NULL, 'i' },
      { NULL, 0, NULL, 0 }
    };
  static const char *const names[] = { "--import" };
  gpg_error_t err;
  const char *v[1];
  ca_t *ca = NULL;
  size_t total = 0, ignored = 0;

  err = split_options (argc, argv, ":i:", longopts, names, v, NULL);
  if (!err)
    err = ca_open (opts, 0, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_split_import (ca, v[0], &total, &ignored);
  if (!err)
    err = ca_commit (ca);
  if (!err)
    {
      printf ("Imported %zu certifications from the back instance.\n",
              total);
      if (ignored)
        printf ("WARN: %zu certifications were ignored (they were already "
                "imported).\n", ignored);
    }
  ca_release (ca);
  return err;
}


/* See cli.h.  */
gpg_error_t
cmd_ca_split (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct
  {
    const char *name;
    gpg_error_t (*fn) (const ca_opts_t *, int, char **);
  } subs[] =
    {
      { "into", split_into },
      { "merge", split_merge },
      { "export", split_export },
      { "certify", split_certify },
      { "import", split_import },
      { "show-queue", split_show_queue }
    };
  size_t i;

  if (argc < 2 || argv[1][0] == '-')
    return cmd_usage ("a split command is required (into, merge, export, "
                      "certify, import, show-queue)");
  for (i = 0; i < DIM (subs); i++)
    if (!strcmp (argv[1], subs[i].name))
      return subs[i].fn (opts, argc - 1, argv + 1);
  return cmd_usage ("unknown split command '%s'", argv[1]);
}
