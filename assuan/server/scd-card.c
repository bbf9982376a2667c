/* scd-card.c - the card registry shared by all oca-scd sessions
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * All sessions (the pipe and every socket connection) share the card
 * objects.  One mutex serialises every access to them; a handler holds
 * it for the whole command (scd-session.c's scd_with_card), so a PIN
 * check and the operation that follows cannot interleave with another
 * session (card/ additionally takes a PC/SC transaction against other
 * processes).
 */
#include <config.h>
#include "scd.h"

#include <string.h>
#include <strings.h>

static pthread_mutex_t card_lock = PTHREAD_MUTEX_INITIALIZER;
static scd_card_t card_list;

scd_session_t scd_lock_owner;
int scd_connections;

void
scd_lock_cards (void)
{
  pthread_mutex_lock (&card_lock);
}

void
scd_unlock_cards (void)
{
  pthread_mutex_unlock (&card_lock);
}

static void
card_release (scd_card_t card)
{
  if (!card)
    return;
  app_openpgp_release (card->app);
  tp_release (card->rd);
  xfree (card->reader);
  xfree (card);
}

/* Unlink and release CARD.  */
void
scd_drop_card (scd_card_t card)
{
  scd_card_t *pp;

  for (pp = &card_list; *pp; pp = &(*pp)->next)
    if (*pp == card)
      {
        *pp = card->next;
        break;
      }
  card_release (card);
}

scd_card_t
scd_first_card (void)
{
  return card_list;
}

int
scd_same_serialno (const char *a, const char *b)
{
  size_t n = strlen (a);

  if (n != strlen (b))
    return 0;
  if (n == 32 && !strncasecmp (a, "D27600012401", 12))
    return (!strncasecmp (b, "D27600012401", 12)
            && !strcasecmp (a + 16, b + 16));
  return !strcasecmp (a, b);
}

scd_card_t
scd_find_card (const char *serialno)
{
  scd_card_t card;

  for (card = card_list; card; card = card->next)
    if (card->app && scd_same_serialno (card->app->serialno, serialno))
      return card;
  return NULL;
}

scd_card_t
scd_find_card_by_reader (const char *reader)
{
  scd_card_t card;

  for (card = card_list; card; card = card->next)
    if (!strcmp (card->reader, reader))
      return card;
  return NULL;
}

gpg_error_t
scd_check_card (scd_card_t card)
{
  gpg_error_t err;
  unsigned int status;

  if (card->app)
    err = app_openpgp_check (card->app);
  else
    {
      int sw = tp_status (card->rd, &status);
      err = sw ? gpg_error (GPG_ERR_CARD_REMOVED)
        : !(status & TP_STATUS_PRESENT) ? gpg_error (GPG_ERR_CARD_REMOVED)
        : 0;
    }
  if (err && (gpg_err_code (err) == GPG_ERR_CARD_REMOVED
              || gpg_err_code (err) == GPG_ERR_CARD_NOT_PRESENT
              || gpg_err_code (err) == GPG_ERR_ENODEV))
    {
      scd_log_debug (1, "card in reader '%s' removed", card->reader);
      scd_drop_card (card);
      err = gpg_error (GPG_ERR_CARD_REMOVED);
    }
  return err;
}

void
scd_prune_cards (void)
{
  scd_card_t card, next;

  for (card = card_list; card; card = next)
    {
      next = card->next;
      scd_check_card (card);
    }
}

gpg_error_t
scd_scan_cards (int with_undefined)
{
  gpg_error_t err;
  char **names = NULL;
  scd_card_t card;
  size_t i;
  int any_reader = 0;

  scd_prune_cards ();

  err = pcsc_list_readers (&names);
  if (err)
    goto leave;
  for (i = 0; names[i]; i++)
    {
      tp_reader_t rd = NULL;
      app_t app = NULL;

      if (scd_opt.reader_port
          && strncmp (names[i], scd_opt.reader_port,
                      strlen (scd_opt.reader_port)))
        continue;
      any_reader = 1;
      if ((card = scd_find_card_by_reader (names[i])))
        {
          if (!card->app && !with_undefined)
            {
              /* Try to select the OpenPGP application now.  */
              if (!app_openpgp_open (card->rd, &app))
                card->app = app;
            }
          continue;
        }
      if (!pcsc_card_present (names[i]))
        continue;
      if (pcsc_open_reader (names[i], &rd))
        continue;
      err = app_openpgp_open (rd, &app);
      if (err && !with_undefined)
        {
          scd_log_debug (1, "reader '%s': no OpenPGP card: %s",
                         names[i], gpg_strerror (err));
          tp_release (rd);
          err = 0;
          continue;
        }
      err = 0;
      card = xtrycalloc (1, sizeof *card);
      if (!card || !(card->reader = xtrystrdup (names[i])))
        {
          err = oca_error_from_errno ();
          xfree (card);
          app_openpgp_release (app);
          tp_release (rd);
          goto leave;
        }
      card->rd = rd;
      card->app = app;
      /* Append to keep reader order.  */
      {
        scd_card_t *pp;

        for (pp = &card_list; *pp; pp = &(*pp)->next)
          ;
        *pp = card;
      }
      scd_log_debug (1, "reader '%s': card %s", names[i],
                     app ? app->serialno : "(no OpenPGP application)");
    }
  if (!any_reader)
    err = gpg_error (GPG_ERR_ENODEV);

 leave:
  tp_free_namelist (names);
  return err;
}

void
scd_session_enter (scd_session_t sess)
{
  (void)sess;
  scd_lock_cards ();
  scd_connections++;
  scd_unlock_cards ();
}

void
scd_session_leave (scd_session_t sess)
{
  scd_lock_cards ();
  scd_connections--;
  if (scd_lock_owner == sess)
    scd_lock_owner = NULL;
  scd_unlock_cards ();
}

void
scd_release_cards (void)
{
  scd_lock_cards ();
  while (card_list)
    scd_drop_card (card_list);
  scd_lock_owner = NULL;
  scd_connections = 0;
  scd_unlock_cards ();
}
