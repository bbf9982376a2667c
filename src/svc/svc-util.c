/* svc-util.c - the CA service's pure helpers: command options, rules
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Splitting a command line into options and arguments (the words and
 * escapes of the scdaemon protocol, scd-proto.h), the certification
 * policy and the peer rule, and the option values of `oca --daemon'.
 * No I/O; unit tested by t-svc-util.c.
 */
#include <config.h>
#include "svc-int.h"
#include "scd-proto.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>


/* The kind of option NAME in SPEC ('=' value, '*' repeatable value,
 * 'f' flag) or 0; *R_NAME gets the name as it is in SPEC (a static
 * string: the caller's spec lives as long as the command table).  */
static int
spec_lookup (const char *spec, const char *name, const char **r_name)
{
  const char *p = spec, *e;
  size_t n = strlen (name);

  *r_name = NULL;
  while (p && *p)
    {
      e = strchr (p, ',');
      if (!e)
        e = p + strlen (p);
      if ((size_t)(e - p) >= n && !strncmp (p, name, n)
          && (p + n == e || ((p[n] == '=' || p[n] == '*') && p + n + 1 == e)))
        {
          *r_name = p;
          return p + n == e ? 'f' : p[n];
        }
      p = *e ? e + 1 : e;
    }
  return 0;
}


/* Percent-plus unescape WORD into a fresh string *R_VALUE.  */
static gpg_error_t
unescape_word (const char *word, char **r_value)
{
  gpg_error_t err;
  membuf_t mb;
  unsigned char *buf;
  size_t len;

  *r_value = NULL;
  membuf_init (&mb, SCD_LINE_MAX + 1, 0);
  err = scd_unescape_to (&mb, word, strlen (word), 1);
  if (err)
    {
      membuf_release (&mb);
      return ca_set_errmsg (gpg_error (GPG_ERR_ASS_SYNTAX),
                            "malformed %%XX escape in '%.40s'", word);
    }
  err = membuf_take (&mb, &buf, &len);
  if (err)
    return err;
  if (strlen ((char *)buf) != len)
    {
      xfree (buf);
      return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                            "a value holds a NUL byte");
    }
  *r_value = (char *)buf;
  return 0;
}


/* The option name of the option word WORD ("--name" or "--name=v") for
 * messages: at most 40 bytes.  */
static void
name_for_msg (const char *name, size_t n, char *buf, size_t size)
{
  if (n > 40)
    n = 40;
  if (n >= size)
    n = size - 1;
  memcpy (buf, name, n);
  buf[n] = 0;
}


gpg_error_t
svc_args_parse (const char *line, const char *spec, size_t maxargs,
                svc_args_t *r_args)
{
  gpg_error_t err = 0;
  char word[SCD_LINE_MAX + 1], name[64], shown[48];
  const char *s = line ? line : "", *specname, *eq;
  char *value;
  int opts_done = 0, kind;
  size_t i, n;

  memset (r_args, 0, sizeof *r_args);
  if (maxargs > SVC_MAX_ARGS)
    maxargs = SVC_MAX_ARGS;
  for (;;)
    {
      err = scd_next_word (&s, word, sizeof word);
      if (err)
        goto leave;
      if (!*word)
        break;
      if (opts_done || word[0] != '-' || word[1] != '-')
        {
          if (r_args->narg >= maxargs)
            {
              err = ca_set_errmsg (gpg_error (GPG_ERR_TOO_MANY),
                                   maxargs ? "too many arguments"
                                   : "this command takes no arguments");
              goto leave;
            }
          err = unescape_word (word, &r_args->arg[r_args->narg]);
          if (err)
            goto leave;
          r_args->narg++;
          continue;
        }
      if (!word[2])
        {
          opts_done = 1;      /* "--" */
          continue;
        }
      eq = strchr (word + 2, '=');
      n = eq ? (size_t)(eq - word - 2) : strlen (word + 2);
      name_for_msg (word + 2, n, shown, sizeof shown);
      kind = 0;
      if (n < sizeof name)
        {
          memcpy (name, word + 2, n);
          name[n] = 0;
          kind = spec_lookup (spec, name, &specname);
        }
      if (!kind)
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_UNKNOWN_OPTION),
                               "unknown option '--%s'", shown);
          goto leave;
        }
      value = NULL;
      if (kind == 'f')
        {
          if (eq)
            {
              err = ca_set_errmsg (gpg_error (GPG_ERR_INV_ARG),
                                   "option '--%s' takes no value", shown);
              goto leave;
            }
        }
      else
        {
          if (kind == '=')
            for (i = 0; i < r_args->nopt; i++)
              if (r_args->opt[i].name == specname)
                {
                  err = ca_set_errmsg (gpg_error (GPG_ERR_TOO_MANY),
                                       "option '--%s' given twice", shown);
                  goto leave;
                }
          if (eq)
            err = unescape_word (eq + 1, &value);
          else
            {
              err = scd_next_word (&s, word, sizeof word);
              if (!err && !*word)
                err = ca_set_errmsg (gpg_error (GPG_ERR_MISSING_VALUE),
                                     "option '--%s' needs a value", shown);
              if (!err)
                err = unescape_word (word, &value);
            }
          if (err)
            goto leave;
        }
      if (r_args->nopt >= SVC_MAX_ARGS)
        {
          xfree (value);
          err = ca_set_errmsg (gpg_error (GPG_ERR_TOO_MANY),
                               "too many options");
          goto leave;
        }
      /* The spec's name (see opt_is), not a copy.  */
      r_args->opt[r_args->nopt].name = specname;
      r_args->opt[r_args->nopt].value = value;
      r_args->nopt++;
    }

 leave:
  if (err)
    svc_args_release (r_args);
  return err;
}


void
svc_args_release (svc_args_t *args)
{
  size_t i;

  if (!args)
    return;
  for (i = 0; i < args->nopt; i++)
    xfree (args->opt[i].value);
  for (i = 0; i < args->narg; i++)
    xfree (args->arg[i]);
  memset (args, 0, sizeof *args);
}


/* Whether the option NAME of ARGS (a pointer into its spec, followed
 * by ',', '=', '*' or the end) is NAME.  */
static int
opt_is (const char *specname, const char *name)
{
  size_t n = strlen (name);

  return !strncmp (specname, name, n)
    && (!specname[n] || strchr (",=*", specname[n]));
}


const char *
svc_args_get (const svc_args_t *args, const char *name)
{
  const char *v = NULL;
  size_t i;

  for (i = 0; i < args->nopt; i++)
    if (opt_is (args->opt[i].name, name))
      v = args->opt[i].value;
  return v;
}


int
svc_args_has (const svc_args_t *args, const char *name)
{
  size_t i;

  for (i = 0; i < args->nopt; i++)
    if (opt_is (args->opt[i].name, name))
      return 1;
  return 0;
}


size_t
svc_args_all (const svc_args_t *args, const char *name, const char **values,
              size_t max)
{
  size_t i, n = 0;

  for (i = 0; i < args->nopt && n < max; i++)
    if (opt_is (args->opt[i].name, name) && args->opt[i].value)
      values[n++] = args->opt[i].value;
  return n;
}


int
svc_may_certify (const svc_opts_t *opts, const char *ca_domain,
                 const char *email)
{
  const char *domain = strrchr (email, '@');
  size_t i;

  if (!domain || !domain[1])
    return 0;
  domain++;
  if (!opts->ncertify)
    return ca_domain && !strcmp (domain, ca_domain);
  for (i = 0; i < opts->ncertify; i++)
    if (strchr (opts->certify[i], '@') ? !strcmp (opts->certify[i], email)
        : !strcmp (opts->certify[i], domain))
      return 1;
  return 0;
}


int
svc_peer_allowed (const svc_opts_t *opts, uid_t owner, uid_t uid)
{
  size_t i;

  if (uid == owner)
    return 1;
  for (i = 0; i < opts->nallow; i++)
    if (opts->allow_uids[i] == uid)
      return 1;
  return 0;
}


gpg_error_t
svc_parse_user (const char *user, uid_t *r_uid)
{
  struct passwd pw, *res = NULL;
  char buf[4096], *end;
  unsigned long n;
  int rc;

  *r_uid = 0;
  if (*user >= '0' && *user <= '9')
    {
      errno = 0;
      n = strtoul (user, &end, 10);
      if (errno || *end || n >= (unsigned long)(uid_t)-1)
        return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                              "invalid user id '%s'", user);
      *r_uid = (uid_t)n;
      return 0;
    }
  rc = getpwnam_r (user, &pw, buf, sizeof buf, &res);
  if (rc || !res)
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                          "unknown user '%s'", user);
  *r_uid = res->pw_uid;
  return 0;
}


gpg_error_t
svc_parse_certify (const char *value, int is_email, char **r_norm)
{
  gpg_error_t err;
  const char *why = NULL;

  *r_norm = NULL;
  if (!is_email)
    return ca_check_domain (value, r_norm);
  err = pgp_mail_normalize (value, r_norm, &why);
  if (gpg_err_code (err) == GPG_ERR_INV_USER_ID)
    return ca_set_errmsg (err, "invalid email address '%s': %s", value,
                          why ? why : "invalid");
  return err;
}
