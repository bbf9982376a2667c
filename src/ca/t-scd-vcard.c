/* t-scd-vcard.c - oca-scd over virtual cards, for the core's unit tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A card route without pcscd: this program serves one Assuan pipe
 * session on stdin/stdout as "oca-scd --server" does, with oca-scd's
 * own command handler (libocascdserver.a) and the OpenPGP card
 * application of card/, but its readers hold virtual cards
 * (tests/vcard's, linked in) instead of PC/SC ones (the server logs
 * nothing: its log level is 0).  The unit tests of
 * the card flows point $OCA_SCD_PROGRAM here, so the CA core runs its
 * real client, protocol, server and card code end to end.
 *
 * Environment:
 *   T_VCARD_CARDS      state files of the cards, separated by spaces:
 *                      one reader each ("Virtual Reader 0N 00"); a
 *                      missing file is a factory-fresh card with serial
 *                      0000A00N+1; every change is written back at once;
 *                      a name starting with '-' is a card not inserted
 *   T_VCARD_DIE_AFTER  exit (as a pulled card or a killed run looks to
 *                      the client) when that many APDUs were answered
 *   T_VCARD_PROFILE    the card profile (tests/vcard/vcard-profile.c)
 *   T_VCARD_BUSY       the numbers (1-based) of the cards held
 *                      exclusively by another process: opening them
 *                      fails as with PC/SC's sharing violation
 */
#include <config.h>
#include "scd.h"
#include "transport.h"
#include "vcard.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CARDS 4

/* The cards and their state files.  */
static struct
{
  char *state;
  vcard_t *card;
} cards[MAX_CARDS];
static size_t ncards;
static long die_after = -1;
static long apdus;

static void
die (const char *what)
{
  fprintf (stderr, "t-scd-vcard: %s\n", what);
  exit (2);
}


/* The reader name of card IDX.  */
static void
reader_name (size_t idx, char *buf, size_t size)
{
  snprintf (buf, size, "Virtual Reader %02u 00", (unsigned int)idx);
}


/* The index of the inserted card in reader NAME, or -1.  */
static int
card_of (const char *name)
{
  char buf[64];
  size_t i;

  for (i = 0; i < ncards; i++)
    {
      reader_name (i, buf, sizeof buf);
      if (!strcmp (buf, name) && cards[i].card)
        return (int)i;
    }
  return -1;
}


static int
vr_transmit (tp_reader_t rd, const unsigned char *apdu, size_t apdulen,
             unsigned char *buf, size_t *buflen)
{
  size_t idx = (size_t)(uintptr_t)rd->priv;
  vcard_t *card = cards[idx].card;
  unsigned char *rsp = NULL;
  size_t rsplen = 0;

  if (die_after >= 0 && apdus >= die_after)
    exit (3);
  apdus++;
  if (vcard_process_apdu (card, apdu, apdulen, &rsp, &rsplen)
      || rsplen > *buflen)
    die ("the virtual card failed");
  memcpy (buf, rsp, rsplen);
  *buflen = rsplen;
  wipe_and_free (rsp, rsplen);
  if (card->dirty)
    {
      if (vcard_state_save (card, cards[idx].state))
        die ("can't write a card's state");
      card->dirty = 0;
    }
  return 0;
}

static int
vr_status (tp_reader_t rd, unsigned int *r_status)
{
  (void)rd;
  *r_status = TP_STATUS_PRESENT;
  return 0;
}

static int
vr_nothing (tp_reader_t rd)
{
  (void)rd;
  return 0;
}

static int
vr_reconnect (tp_reader_t rd, int reset)
{
  (void)reset;
  vcard_reset_volatile (cards[(size_t)(uintptr_t)rd->priv].card);
  rd->reset_count++;
  return 0;
}

static void
vr_release (tp_reader_t rd)
{
  rd->priv = NULL;
}

static const struct tp_ops vr_ops =
  {
    "virtual", vr_transmit, vr_status, vr_nothing, vr_nothing, vr_reconnect,
    vr_release, NULL
  };


/* The PC/SC functions the card registry calls (card/pcsc.c is not
 * linked).  */
gpg_error_t
pcsc_list_readers (char ***r_names)
{
  char **names, buf[64];
  size_t i;

  *r_names = NULL;
  names = xtrycalloc (ncards + 1, sizeof *names);
  if (!names)
    return oca_error_from_errno ();
  for (i = 0; i < ncards; i++)
    {
      reader_name (i, buf, sizeof buf);
      names[i] = xtrystrdup (buf);
      if (!names[i])
        {
          tp_free_namelist (names);
          return oca_error_from_errno ();
        }
    }
  *r_names = names;
  return 0;
}

int
pcsc_card_present (const char *name)
{
  return card_of (name) >= 0;
}

gpg_error_t
pcsc_open_reader (const char *name, tp_reader_t *r_rd)
{
  gpg_error_t err;
  int idx = card_of (name);

  *r_rd = NULL;
  if (idx < 0)
    return gpg_error (GPG_ERR_CARD_NOT_PRESENT);
  if (getenv ("T_VCARD_BUSY") && strchr (getenv ("T_VCARD_BUSY"), '1' + idx))
    return gpg_error (GPG_ERR_EBUSY);  /* SCARD_E_SHARING_VIOLATION.  */
  err = tp_reader_alloc (&vr_ops, name, r_rd);
  if (err)
    return err;
  (*r_rd)->priv = (void *)(uintptr_t)idx;
  (*r_rd)->atrlen = vcard_atr (cards[idx].card, (*r_rd)->atr,
                               sizeof (*r_rd)->atr);
  vcard_reset_volatile (cards[idx].card);
  return 0;
}


/* Set up the cards of $T_VCARD_CARDS.  */
static void
load_cards (void)
{
  const char *list = getenv ("T_VCARD_CARDS");
  const char *s = getenv ("T_VCARD_DIE_AFTER");
  const vcard_profile_t *prof
    = vcard_profile_find (getenv ("T_VCARD_PROFILE"));
  char *copy, *tok, *save = NULL;

  if (s && *s)
    die_after = atol (s);
  if (!prof)
    die ("unknown profile");
  if (!list || !(copy = xtrystrdup (list)))
    die ("no T_VCARD_CARDS");
  for (tok = strtok_r (copy, " ", &save); tok && ncards < MAX_CARDS;
       tok = strtok_r (NULL, " ", &save), ncards++)
    {
      if (*tok == '-')
        continue;  /* Not inserted.  */
      cards[ncards].state = tok;
      if (vcard_new (prof, &cards[ncards].card))
        die ("vcard_new");
      cards[ncards].card->serial[0] = 0x00;
      cards[ncards].card->serial[1] = 0x00;
      cards[ncards].card->serial[2] = 0xA0;
      cards[ncards].card->serial[3] = 0x01 + ncards;
      if (!access (tok, F_OK) && vcard_state_load (cards[ncards].card, tok))
        die ("can't read a card's state");
    }
}


int
main (int argc, char **argv)
{
  static struct assuan_malloc_hooks hooks =
    {
      gcry_malloc_secure, gcry_realloc, gcry_free
    };
  assuan_context_t ctx = NULL;
  assuan_fd_t fds[2];
  gpg_error_t err;

  if (argc != 2 || strcmp (argv[1], "--server"))
    die ("usage: t-scd-vcard --server");
  if (oca_init_gcrypt (128 * 1024))
    die ("libgcrypt");
  gcry_control (GCRYCTL_AUTO_EXPAND_SECMEM, 32 * 1024);
  load_cards ();
  assuan_set_gpg_err_source (GPG_ERR_SOURCE_SCD);
  fds[0] = assuan_fdopen (0);
  fds[1] = assuan_fdopen (1);
  err = assuan_new_ext (&ctx, GPG_ERR_SOURCE_SCD, &hooks, NULL, NULL);
  if (!err)
    err = assuan_init_pipe_server (ctx, fds);
  if (!err)
    err = scd_command_loop (ctx, 1);
  assuan_release (ctx);
  return err ? 1 : 0;
}
