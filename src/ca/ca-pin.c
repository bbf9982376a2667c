/* ca-pin.c - which PIN to give a card: one state, one table
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A card asks for a PIN while a command runs (the server's INQUIRE
 * NEEDPIN, or gpg-agent's loopback INQUIRE PASSPHRASE).  The Assuan
 * client reports what is asked (scd_pin_request_t: a User PIN, the
 * Admin PIN, a new PIN, the Resetting Code; from the server's flags or,
 * through gpg-agent, which drops them, from the command it runs).  What
 * to answer depends on where the card flow is, which is one value,
 * ca_pin_state_t:
 *
 *   state      User PIN   Admin PIN  new PIN    Resetting Code
 *   NONE       -          -          -          -
 *   FACTORY    123456     12345678   -          -
 *   CHANGE     123456     12345678   PIN        -
 *   RESET      PIN        PIN        PIN        -
 *   SET        PIN        PIN        -          -
 *   REJECTED   (nothing is sent again: GPG_ERR_BAD_PIN)
 *   PINPAD     (the reader's pin-pad collects PINs: GPG_ERR_NO_PIN_ENTRY)
 *
 * "-" is GPG_ERR_NO_PIN; a Resetting Code or a fifth request within
 * one command (a command asks once, PASSWD up to three times) cancels
 * the command.  The flows move the state: personalisation starts in
 * FACTORY, changes the Admin PIN in CHANGE, resets the User PIN in
 * RESET and ends in SET; a CA's card is SET to the stored PIN; a
 * rejection latches REJECTED.
 */
#include <config.h>
#include "ca-card.h"

#include <string.h>

/* What a state gives for one kind of request.  */
enum answer
  {
    ANS_NONE = 0,              /* GPG_ERR_NO_PIN.  */
    ANS_DEFAULT_USER,
    ANS_DEFAULT_ADMIN,
    ANS_PIN                    /* The state's PIN.  */
  };

/* The table above: [state][user, admin, new].  */
static const unsigned char answers[][3] =
  {
    [CA_PIN_NONE]     = { ANS_NONE, ANS_NONE, ANS_NONE },
    [CA_PIN_FACTORY]  = { ANS_DEFAULT_USER, ANS_DEFAULT_ADMIN, ANS_NONE },
    [CA_PIN_CHANGE]   = { ANS_DEFAULT_USER, ANS_DEFAULT_ADMIN, ANS_PIN },
    [CA_PIN_RESET]    = { ANS_PIN, ANS_PIN, ANS_PIN },
    [CA_PIN_SET]      = { ANS_PIN, ANS_PIN, ANS_NONE },
    [CA_PIN_REJECTED] = { ANS_NONE, ANS_NONE, ANS_NONE },
    [CA_PIN_PINPAD]   = { ANS_NONE, ANS_NONE, ANS_NONE }
  };


/* See ca-card.h.  */
gpg_error_t
ca_pins_set (ca_pins_t *pins, ca_pin_state_t state, const char *pin)
{
  char *s = NULL;

  if (pin)
    {
      s = xtrymalloc_secure (strlen (pin) + 1);
      if (!s)
        return oca_error_from_errno ();
      strcpy (s, pin);
    }
  wipe_and_free_string (pins->pin);
  pins->pin = s;
  pins->state = state;
  return 0;
}


/* See ca-card.h.  */
void
ca_pins_clear (ca_pins_t *pins)
{
  wipe_and_free_string (pins->pin);
  pins->pin = NULL;
  pins->state = CA_PIN_NONE;
}


/* See ca-card.h.  */
gpg_error_t
ca_pin_answer (const ca_pins_t *pins, const scd_pin_request_t *req,
               char **r_pin)
{
  const char *pin;
  char *copy;
  int kind;

  *r_pin = NULL;
  if (pins->state == CA_PIN_REJECTED)
    return gpg_error (GPG_ERR_BAD_PIN);
  if (pins->state == CA_PIN_PINPAD)
    return gpg_error (GPG_ERR_NO_PIN_ENTRY);
  if (req->seq > 3 || req->resetcode)
    return gpg_error (GPG_ERR_CANCELED);
  if ((unsigned int)pins->state >= DIM (answers))
    return gpg_error (GPG_ERR_BUG);
  kind = req->newpin ? 2 : req->admin ? 1 : 0;
  switch (answers[pins->state][kind])
    {
    case ANS_DEFAULT_USER:  pin = CA_CARD_DEFAULT_USER_PIN; break;
    case ANS_DEFAULT_ADMIN: pin = CA_CARD_DEFAULT_ADMIN_PIN; break;
    case ANS_PIN:           pin = pins->pin; break;
    default:                pin = NULL; break;
    }
  if (!pin)
    return gpg_error (GPG_ERR_NO_PIN);
  copy = xtrymalloc_secure (strlen (pin) + 1);
  if (!copy)
    return oca_error_from_errno ();
  strcpy (copy, pin);
  *r_pin = copy;
  return 0;
}
