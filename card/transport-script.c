/* transport-script.c - scripted card backend for unit tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A queue of (expected APDU, response) pairs.  Each transmit pops one
 * pair; a mismatching APDU is counted and answered with the host
 * status SW_HOST_SCRIPT_MISMATCH so that the test fails cleanly.
 */
#include <config.h>
#include "transport-script.h"

#include <string.h>
#include <ctype.h>

struct script_entry
{
  struct script_entry *next;
  char *apdu;    /* Uppercase hex without blanks, or NULL for any.  */
  char *resp;    /* Hex, or "!<hex>" for a host status.  */
};

struct script_priv
{
  struct script_entry *head, **tail;
  int reset_on_begin;
  int present;
  unsigned int mismatches;
  char last_mismatch[2 * 600 + 1];
};

/* Copy hex string S without blanks, upper-cased.  */
static char *
norm_hex (const char *s)
{
  char *d, *p;

  d = xtrymalloc (strlen (s) + 1);
  if (!d)
    return NULL;
  for (p = d; *s; s++)
    if (!isspace ((unsigned char)*s))
      *p++ = toupper ((unsigned char)*s);
  *p = 0;
  return d;
}

static int
script_transmit (tp_reader_t rd, const unsigned char *apdu, size_t apdulen,
                 unsigned char *buf, size_t *buflen)
{
  struct script_priv *sp = rd->priv;
  struct script_entry *e = sp->head;
  char *hex = NULL;
  size_t n;
  int sw = 0;

  if (!sp->present)
    return SW_HOST_NO_CARD;
  if (!e)
    {
      sp->mismatches++;
      if (apdulen < 600)
        oca_bin2hex (apdu, apdulen, sp->last_mismatch);
      return SW_HOST_SCRIPT_MISMATCH;
    }
  sp->head = e->next;
  if (!sp->head)
    sp->tail = &sp->head;
  hex = xtrymalloc (2 * apdulen + 1);
  if (!hex)
    {
      sw = SW_HOST_OUT_OF_CORE;
      goto leave;
    }
  oca_bin2hex (apdu, apdulen, hex);
  if (e->apdu && strcmp (e->apdu, "*") && strcmp (e->apdu, hex))
    {
      sp->mismatches++;
      if (apdulen < 600)
        strcpy (sp->last_mismatch, hex);
      sw = SW_HOST_SCRIPT_MISMATCH;
      goto leave;
    }
  if (e->resp[0] == '!')
    {
      sw = (int)strtoul (e->resp + 1, NULL, 16);
      goto leave;
    }
  n = strlen (e->resp) / 2;
  if (n > *buflen || oca_hex2bin (e->resp, buf, n))
    {
      sw = SW_HOST_INV_VALUE;
      goto leave;
    }
  *buflen = n;

 leave:
  xfree (hex);
  xfree (e->apdu);
  xfree (e->resp);
  xfree (e);
  return sw;
}

static int
script_status (tp_reader_t rd, unsigned int *r_status)
{
  struct script_priv *sp = rd->priv;

  *r_status = sp->present ? TP_STATUS_PRESENT : 0;
  return 0;
}

static int
script_begin (tp_reader_t rd)
{
  struct script_priv *sp = rd->priv;

  if (!sp->present)
    return SW_HOST_NO_CARD;
  if (sp->reset_on_begin)
    {
      sp->reset_on_begin = 0;
      rd->reset_count++;
      return SW_HOST_CARD_RESET;
    }
  return 0;
}

static int
script_end (tp_reader_t rd)
{
  (void)rd;
  return 0;
}

static int
script_reconnect (tp_reader_t rd, int reset)
{
  rd->reset_count++;
  return 0;
}

static void
script_release (tp_reader_t rd)
{
  struct script_priv *sp = rd->priv;
  struct script_entry *e, *e2;

  if (!sp)
    return;
  for (e = sp->head; e; e = e2)
    {
      e2 = e->next;
      xfree (e->apdu);
      xfree (e->resp);
      xfree (e);
    }
  xfree (sp);
  rd->priv = NULL;
}

static const struct tp_ops script_ops =
  {
    "script",
    script_transmit,
    script_status,
    script_begin,
    script_end,
    script_reconnect,
    script_release,
    NULL
  };

gpg_error_t
tpscript_new (const char *name, tp_reader_t *r_rd)
{
  gpg_error_t err;
  tp_reader_t rd;
  struct script_priv *sp;
  static const unsigned char atr[] = { 0x3B, 0x80, 0x80, 0x01, 0x01 };

  *r_rd = NULL;
  err = tp_reader_alloc (&script_ops, name, &rd);
  if (err)
    return err;
  sp = xtrycalloc (1, sizeof *sp);
  if (!sp)
    {
      err = oca_error_from_errno ();
      tp_release (rd);
      return err;
    }
  sp->tail = &sp->head;
  sp->present = 1;
  rd->priv = sp;
  memcpy (rd->atr, atr, sizeof atr);
  rd->atrlen = sizeof atr;
  *r_rd = rd;
  return 0;
}

/* Queue the expectation APDU_HEX -> RESP_HEX.  Allocation failures
 * are recorded as a mismatch.  */
void
tpscript_expect (tp_reader_t rd, const char *apdu_hex, const char *resp_hex)
{
  struct script_priv *sp = rd->priv;
  struct script_entry *e;

  e = xtrycalloc (1, sizeof *e);
  if (!e)
    {
      sp->mismatches++;
      return;
    }
  e->apdu = apdu_hex ? norm_hex (apdu_hex) : NULL;
  e->resp = norm_hex (resp_hex);
  if ((apdu_hex && !e->apdu) || !e->resp)
    {
      sp->mismatches++;
      xfree (e->apdu);
      xfree (e->resp);
      xfree (e);
      return;
    }
  *sp->tail = e;
  sp->tail = &e->next;
}

void
tpscript_reset_on_begin (tp_reader_t rd)
{
  ((struct script_priv *)rd->priv)->reset_on_begin = 1;
}

void
tpscript_set_present (tp_reader_t rd, int present)
{
  ((struct script_priv *)rd->priv)->present = present;
}

size_t
tpscript_pending (tp_reader_t rd)
{
  struct script_priv *sp = rd->priv;
  struct script_entry *e;
  size_t n = 0;

  for (e = sp->head; e; e = e->next)
    n++;
  return n;
}

unsigned int
tpscript_mismatches (tp_reader_t rd)
{
  return ((struct script_priv *)rd->priv)->mismatches;
}

const char *
tpscript_last_mismatch (tp_reader_t rd)
{
  return ((struct script_priv *)rd->priv)->last_mismatch;
}
