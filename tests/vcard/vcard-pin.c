/* vcard-pin.c - the virtual card's PIN commands
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VERIFY (81, 82, 83; P1=FF clears), CHANGE REFERENCE DATA and RESET
 * RETRY COUNTER, with the retry counters and the profile's PIN rules.
 */
#include <config.h>
#include "vcard-int.h"
#include "brd.h"

#include <string.h>
#include <time.h>

/* The status word for a failed verification of PIN WHICH.  */
static unsigned int
sw_wrong_pin (vcard_t *card, int which)
{
  if (card->prof.wrong_pin_sw)
    return card->prof.wrong_pin_sw;
  return SW_WRONG_PIN (card->tries[which]);
}

/* The status word for a blocked PIN.  */
static unsigned int
sw_blocked (vcard_t *card)
{
  return card->prof.blocked_sw ? card->prof.blocked_sw : SW_PIN_BLOCKED;
}

/* Check PIN/LEN against PIN WHICH, counting down on failure.  Returns
 * SW_OK or the status word to answer.  */
static unsigned int
check_pin (vcard_t *card, int which, const unsigned char *pin, size_t len)
{
  if (!card->tries[which] || !card->pin[which])
    return which == VCARD_RC ? SW_PIN_BLOCKED : sw_blocked (card);
  if (!vcard_pin_equal (pin, len, card->pin[which], card->pinlen[which]))
    {
      card->tries[which]--;
      card->dirty = 1;
      return sw_wrong_pin (card, which);
    }
  if (card->tries[which] != 3)
    {
      card->tries[which] = 3;
      card->dirty = 1;
    }
  return SW_OK;
}

/* Does any slot hold a key?  */
static int
have_keys (vcard_t *card)
{
  return card->key[0].sk || card->key[1].sk || card->key[2].sk;
}

int
vcard_pin_len_ok (int which, size_t len)
{
  size_t min = which == VCARD_PW1 ? 6 : 8;

  return len >= min && len <= VCARD_MAX_PIN;
}

unsigned int
vcard_cmd_verify (vcard_t *card, apdu_t *a)
{
  int which;
  int *flag;
  unsigned int sw;

  if (a->p2 == 0x81)
    flag = &card->verified81;
  else if (a->p2 == 0x82)
    flag = &card->verified82;
  else if (a->p2 == 0x83)
    flag = &card->verified83;
  else
    return SW_WRONG_P1P2;
  which = a->p2 == 0x83 ? VCARD_PW3 : VCARD_PW1;

  if (a->p1 == 0xff)
    {
      if (a->lc)
        return SW_WRONG_LENGTH;
      *flag = 0;
      return SW_OK;
    }
  if (a->p1 != 0x00)
    return SW_WRONG_P1P2;
  if (!a->lc)
    {
      if (*flag)
        return SW_OK;
      if (!card->tries[which])
        return SW_PIN_BLOCKED;
      return SW_WRONG_PIN (card->tries[which]);
    }
  *flag = 0;
  sw = check_pin (card, which, a->data, a->lc);
  if (sw == SW_OK)
    *flag = 1;
  card->busy_ms = card->prof.lat_verify;
  return sw;
}

unsigned int
vcard_cmd_change_reference_data (vcard_t *card, apdu_t *a)
{
  int which;
  size_t oldlen;
  unsigned int sw;

  if (a->p1 != 0x00 || (a->p2 != 0x81 && a->p2 != 0x83))
    return SW_WRONG_P1P2;
  which = a->p2 == 0x83 ? VCARD_PW3 : VCARD_PW1;
  if (!card->tries[which])
    return SW_PIN_BLOCKED;
  oldlen = card->pinlen[which];
  if (a->lc <= oldlen)
    sw = check_pin (card, which, a->data, a->lc);  /* Counts down.  */
  else
    sw = check_pin (card, which, a->data, oldlen);
  if (sw != SW_OK)
    {
      if (which == VCARD_PW3)
        card->verified83 = 0;
      else
        card->verified81 = card->verified82 = 0;
      if (card->prof.change_wrong_sw && card->tries[which])
        return card->prof.change_wrong_sw;
      return sw;
    }
  if (a->lc <= oldlen)
    return SW_WRONG_LENGTH;
  if (which == VCARD_PW1 && (card->prof.flags & VCARD_P_PIN_NEEDS_KEYS)
      && !have_keys (card))
    return SW_CONDITIONS;  /* Gnuk: no PW1 change without keys.  */
  if (!vcard_pin_len_ok (which, a->lc - oldlen))
    return SW_WRONG_LENGTH;
  if (vcard_set_pin (card, which, a->data + oldlen, a->lc - oldlen))
    return SW_MEMORY_FAILURE;
  card->tries[which] = 3;
  card->dirty = 1;
  return SW_OK;
}

unsigned int
vcard_cmd_reset_retry_counter (vcard_t *card, apdu_t *a)
{
  const unsigned char *newpin;
  size_t newlen;
  unsigned int sw;

  if (a->p2 != 0x81)
    return SW_WRONG_P1P2;
  if (a->p1 == 0x00)
    {
      size_t rclen = card->pinlen[VCARD_RC];

      if (!card->pin[VCARD_RC] || !card->tries[VCARD_RC])
        return SW_PIN_BLOCKED;
      sw = check_pin (card, VCARD_RC, a->data, a->lc <= rclen ? a->lc : rclen);
      if (sw != SW_OK)
        return sw;
      if (a->lc <= rclen)
        return SW_WRONG_LENGTH;
      newpin = a->data + rclen;
      newlen = a->lc - rclen;
    }
  else if (a->p1 == 0x02)
    {
      if (!card->verified83)
        return SW_SECURITY_STATUS;
      newpin = a->data;
      newlen = a->lc;
    }
  else
    return SW_WRONG_P1P2;

  if (!vcard_pin_len_ok (VCARD_PW1, newlen))
    return SW_WRONG_LENGTH;
  if ((card->prof.flags & VCARD_P_PIN_NEEDS_KEYS) && !have_keys (card))
    return SW_CONDITIONS;  /* Gnuk: no PW1 reset without keys.  */
  if (vcard_set_pin (card, VCARD_PW1, newpin, newlen))
    return SW_MEMORY_FAILURE;
  card->tries[VCARD_PW1] = 3;
  card->dirty = 1;
  return SW_OK;
}
