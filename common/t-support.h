/* t-support.h - tiny TAP producer for oca's unit tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage:  ok (cond, "what");  ...  return tap_done ();
 * Every test program prints TAP; automake's tap-driver.sh reads it.
 * Exit status 77 means "skipped" (only for tests that need hardware).
 */
#ifndef OCA_T_SUPPORT_H
#define OCA_T_SUPPORT_H

#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>

static int tap_count;
static int tap_failed;

static void tap_ok_ (int cond, const char *file, int line,
                     const char *fmt, ...)
  __attribute__ ((format (printf, 4, 5)));

static void
tap_ok_ (int cond, const char *file, int line, const char *fmt, ...)
{
  va_list ap;

  tap_count++;
  printf ("%sok %d - ", cond ? "" : "not ", tap_count);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  if (!cond)
    {
      printf (" # at %s:%d", file, line);
      tap_failed++;
    }
  putchar ('\n');
  fflush (stdout);
}

#define ok(cond, ...) tap_ok_ (!!(cond), __FILE__, __LINE__, __VA_ARGS__)
/* Check a gpg_error_t is 0.  */
#define ok_err(err, ...) do {                                           \
    gpg_error_t ok_err_e_ = (err);                                      \
    if (ok_err_e_) printf ("# error: %s\n", gpg_strerror (ok_err_e_));  \
    ok (!ok_err_e_, __VA_ARGS__);                                       \
  } while (0)
/* Check a gpg_error_t has code CODE.  */
#define ok_code(err, code, ...) do {                                    \
    gpg_error_t ok_code_e_ = (err);                                     \
    if (gpg_err_code (ok_code_e_) != (code))                            \
      printf ("# got: %s (%d)\n", gpg_strerror (ok_code_e_),            \
              gpg_err_code (ok_code_e_));                               \
    ok (gpg_err_code (ok_code_e_) == (code), __VA_ARGS__);              \
  } while (0)

static void tap_diag (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2), unused));

static void
tap_diag (const char *fmt, ...)
{
  va_list ap;
  fputs ("# ", stdout);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
}

/* Print the plan and return the exit status for main.  */
static int tap_done (void) __attribute__ ((unused));

static int
tap_done (void)
{
  printf ("1..%d\n", tap_count);
  return tap_failed ? 1 : 0;
}

#endif /*OCA_T_SUPPORT_H*/
