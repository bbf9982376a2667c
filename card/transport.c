/* transport.c - generic part of the reader transport
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thin wrappers around the backend vtable (struct tp_ops): they count
 * APDUs, keep the transaction nesting depth and dump APDUs through an
 * optional log hook with the bodies of PIN and key-import commands
 * replaced by "[hidden]".
 */
#include <config.h>
#include "transport.h"

#include <string.h>
#include <stdio.h>

static tp_log_fn_t log_fn;

/* Set the APDU log hook to FN (NULL = no logging).  */
void
tp_set_log (tp_log_fn_t fn)
{
  log_fn = fn;
}

/* Return true if the body of the command APDU must not be logged:
 * VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER, PUT DATA odd
 * (key import) and PUT DATA of the resetting code or of symmetric
 * keys.  */
static int
apdu_is_secret (const unsigned char *apdu, size_t len)
{
  unsigned int ins, tag;

  if (len < 4)
    return 0;
  ins = apdu[1];
  if (ins == 0x20 || ins == 0x24 || ins == 0x2C || ins == 0xDB)
    return 1;
  tag = (apdu[2] << 8) | apdu[3];
  if (ins == 0xDA && (tag == 0xD3 || tag == 0xD1 || tag == 0xD2
                      || tag == 0xD5 || tag == 0xF9))
    return 1;
  return 0;
}

static void
log_bytes (const char *prefix, const unsigned char *p, size_t len,
           int hide_body)
{
  char line[200];
  size_t i, n;

  if (!log_fn)
    return;
  n = (size_t)snprintf (line, sizeof line, "%s", prefix);
  for (i = 0; i < len && n + 4 < sizeof line - 12; i++)
    {
      if (hide_body && i == 4)
        {
          snprintf (line + n, sizeof line - n, " [hidden]");
          n = strlen (line);
          break;
        }
      snprintf (line + n, sizeof line - n, " %02X", p[i]);
      n += 3;
    }
  if (i < len && !(hide_body && i == 4))
    snprintf (line + n, sizeof line - n, " ...");
  log_fn (line);
}

int
tp_transmit (tp_reader_t rd, const unsigned char *apdu, size_t apdulen,
             unsigned char *buf, size_t *buflen)
{
  int sw;
  int hide;

  if (!rd)
    return SW_HOST_NO_READER;
  /* Nothing shorter than a header goes out: some readers take 1-byte
   * messages as control codes (vpcd: power off/on, reset).  */
  if (!apdu || apdulen < 4)
    return SW_HOST_INV_VALUE;
  hide = apdu_is_secret (apdu, apdulen);
  log_bytes ("send apdu:", apdu, apdulen, hide);
  rd->apdu_count++;
  sw = rd->ops->transmit (rd, apdu, apdulen, buf, buflen);
  if (sw)
    {
      char tmp[40];

      if (log_fn)
        {
          snprintf (tmp, sizeof tmp, "transport error 0x%X", (unsigned)sw);
          log_fn (tmp);
        }
      *buflen = 0;
      return sw;
    }
  /* Responses to secret commands carry no secret data except for
   * decipher/sign results; never log response data, only SW.  */
  if (*buflen >= 2)
    {
      char tmp[60];

      if (log_fn)
        {
          snprintf (tmp, sizeof tmp, "recv apdu: %zu data bytes, SW %02X%02X",
                    *buflen - 2, buf[*buflen - 2], buf[*buflen - 1]);
          log_fn (tmp);
        }
    }
  return 0;
}

int
tp_pinpad (tp_reader_t rd, int modify, const unsigned char *pvs,
           size_t len)
{
  unsigned char buf[258];
  size_t buflen = sizeof buf;
  unsigned long code;
  int sw;

  if (!rd)
    return SW_HOST_NO_READER;
  code = modify ? rd->pinpad_modify : rd->pinpad_verify;
  if (!code || !rd->ops->control)
    return SW_HOST_NOT_SUPPORTED;
  if (log_fn)
    log_fn (modify ? "pin-pad: modify" : "pin-pad: verify");
  rd->apdu_count++;
  sw = rd->ops->control (rd, code, pvs, len, buf, &buflen);
  if (sw)
    return sw;
  if (buflen < 2)
    return SW_HOST_INCOMPLETE_RESPONSE;
  sw = (buf[buflen - 2] << 8) | buf[buflen - 1];
  wipememory (buf, sizeof buf);
  if (log_fn)
    {
      char tmp[40];

      snprintf (tmp, sizeof tmp, "pin-pad: SW %04X", (unsigned)sw);
      log_fn (tmp);
    }
  return sw;
}

int
tp_status (tp_reader_t rd, unsigned int *r_status)
{
  *r_status = 0;
  if (!rd)
    return SW_HOST_NO_READER;
  return rd->ops->status (rd, r_status);
}

int
tp_begin (tp_reader_t rd)
{
  int sw;

  if (!rd)
    return SW_HOST_NO_READER;
  if (rd->in_transaction++)
    return 0;
  sw = rd->ops->begin (rd);
  if (sw && sw != SW_HOST_CARD_RESET)
    rd->in_transaction = 0;
  return sw;
}

int
tp_end (tp_reader_t rd)
{
  if (!rd)
    return SW_HOST_NO_READER;
  if (!rd->in_transaction)
    return 0;
  if (--rd->in_transaction)
    return 0;
  return rd->ops->end (rd);
}

int
tp_reconnect (tp_reader_t rd, int reset)
{
  if (!rd)
    return SW_HOST_NO_READER;
  return rd->ops->reconnect (rd, reset);
}

/* Release RD (NULL is accepted): ends an open transaction,
 * disconnects and frees everything.  */
void
tp_release (tp_reader_t rd)
{
  if (!rd)
    return;
  if (rd->in_transaction)
    {
      rd->in_transaction = 1;
      tp_end (rd);
    }
  if (rd->ops && rd->ops->release)
    rd->ops->release (rd);
  xfree (rd->name);
  xfree (rd);
}

/* Allocate a reader object for BACKEND_OPS named NAME; the backend
 * fills in PRIV and the ATR.  */
gpg_error_t
tp_reader_alloc (const struct tp_ops *backend_ops, const char *name,
                 tp_reader_t *r_rd)
{
  tp_reader_t rd;

  *r_rd = NULL;
  rd = xtrycalloc (1, sizeof *rd);
  if (!rd)
    return oca_error_from_errno ();
  rd->name = xtrystrdup (name ? name : "");
  if (!rd->name)
    {
      gpg_error_t err = oca_error_from_errno ();
      xfree (rd);
      return err;
    }
  rd->ops = backend_ops;
  rd->max_cmd = 0;   /* Unknown until DO 7F66 is read.  */
  rd->max_rsp = 0;
  *r_rd = rd;
  return 0;
}

/* Release a name list from pcsc_list_readers.  */
void
tp_free_namelist (char **names)
{
  size_t i;

  if (!names)
    return;
  for (i = 0; names[i]; i++)
    xfree (names[i]);
  xfree (names);
}
