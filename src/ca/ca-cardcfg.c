/* ca-cardcfg.c - the card backend's configuration strings, routes, PINs
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What is stored in cacerts.backend for a card CA ("card;IDENT;PIN"
 * and the route; "card;IDENT;;pinpad" and the route for a CA whose
 * operator types the PIN on the reader's pin-pad, see ca-card.h), how `ca show' describes it, and the
 * random PIN oca sets on the cards it personalises.
 */
#include <config.h>
#include "ca-card.h"

#include <stdio.h>
#include <string.h>


/* See ca-card.h.  */
int
ca_card_pin_is_pinpad (const char *pin)
{
  return !*pin;
}

/* See ca-card.h.  */
const char *
ca_card_route_name (int route)
{
  return route == CA_ROUTE_AGENT ? "gpg-agent" : "oca-scd";
}


/* See ca.h.  */
int
ca_route_from_name (const char *name)
{
  if (!name)
    return -1;
  if (!strcmp (name, "oca-scd"))
    return CA_ROUTE_OCA_SCD;
  if (!strcmp (name, "gpg-agent"))
    return CA_ROUTE_AGENT;
  return -1;
}


/* See ca-card.h.  */
int
ca_card_ident_valid (const char *ident)
{
  size_t i;

  if (strlen (ident) != 13 || ident[4] != ':')
    return 0;
  for (i = 0; i < 13; i++)
    if (i != 4 && !strchr ("0123456789ABCDEFabcdef", ident[i]))
      return 0;
  return 1;
}


/* See ca-card.h.  */
gpg_error_t
ca_card_parse_config (const char *config, char **r_ident, char **r_pin,
                      int *r_route)
{
  gpg_error_t err = 0;
  const char *f[5];
  size_t flen[5];
  int pinpad = 0;
  size_t i;
  size_t nf = 0;
  const char *p, *s;
  char *ident = NULL, *pin = NULL;
  int route = CA_ROUTE_OCA_SCD;

  *r_ident = NULL;
  *r_pin = NULL;
  *r_route = CA_ROUTE_OCA_SCD;
  if (!config || strncmp (config, "card;", 5))
    return gpg_error (GPG_ERR_INV_VALUE);
  p = config + 5;
  for (;;)
    {
      s = strchr (p, ';');
      if (nf == DIM (f))
        return gpg_error (GPG_ERR_INV_VALUE);
      f[nf] = p;
      flen[nf] = s ? (size_t)(s - p) : strlen (p);
      nf++;
      if (!s)
        break;
      p = s + 1;
    }
  if (nf < 2 || !flen[0] || flen[0] > 32 || flen[1] > 64)
    return gpg_error (GPG_ERR_INV_VALUE);
  /* After the PIN: "pinpad" (first), then the route, each at most
   * once.  */
  for (i = 2; i < nf; i++)
    {
      if (i == 2 && flen[i] == 6 && !strncmp (f[i], "pinpad", 6))
        pinpad = 1;
      else if (i == nf - 1 && flen[i] == 9 && !strncmp (f[i], "gpg-agent", 9))
        route = CA_ROUTE_AGENT;
      else if (i == nf - 1 && flen[i] == 7 && !strncmp (f[i], "oca-scd", 7))
        route = CA_ROUTE_OCA_SCD;
      else
        return gpg_error (GPG_ERR_INV_VALUE);
    }
  if (nf > 3 + (size_t)pinpad || !pinpad != !!flen[1])
    return gpg_error (GPG_ERR_INV_VALUE);
  ident = xtrymalloc (flen[0] + 1);
  pin = xtrymalloc_secure (flen[1] + 1);
  if (!ident || !pin)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  memcpy (ident, f[0], flen[0]);
  ident[flen[0]] = 0;
  memcpy (pin, f[1], flen[1]);
  pin[flen[1]] = 0;
  *r_ident = ident;
  *r_pin = pin;
  *r_route = route;
  ident = pin = NULL;

 leave:
  xfree (ident);
  wipe_and_free_string (pin);
  return err;
}


/* See ca-card.h.  */
gpg_error_t
ca_card_make_config (const char *ident, const char *pin, int route,
                     char **r_config)
{
  size_t n;
  char *s;

  *r_config = NULL;
  /* The limits of ca_card_parse_config: what is stored must parse.  */
  if (!ident || !pin || !*ident || strlen (ident) > 32
      || strlen (pin) > 64 || strchr (ident, ';') || strchr (pin, ';'))
    return gpg_error (GPG_ERR_INV_VALUE);
  n = 5 + strlen (ident) + 1 + strlen (pin) + 7 + 11;
  s = xtrymalloc_secure (n);
  if (!s)
    return oca_error_from_errno ();
  snprintf (s, n, "card;%s;%s%s%s", ident, pin,
            ca_card_pin_is_pinpad (pin) ? ";pinpad" : "",
            route == CA_ROUTE_AGENT ? ";gpg-agent" : "");
  *r_config = s;
  return 0;
}


/* See ca-card.h.  */
gpg_error_t
ca_card_describe (const char *ident, const char *pin, int route,
                  char **r_text)
{
  const char *via = route == CA_ROUTE_AGENT ? " (via gpg-agent)" : "";
  size_t n;
  char *s;

  *r_text = NULL;
  n = strlen (ident) + strlen (pin) + strlen (via) + 64;
  s = xtrymalloc_secure (n);
  if (!s)
    return oca_error_from_errno ();
  if (ca_card_pin_is_pinpad (pin))
    snprintf (s, n, "OpenPGP card %s [User PIN on the reader's pin-pad]%s",
              ident, via);
  else
    snprintf (s, n, "OpenPGP card %s [User PIN %s]%s", ident, pin, via);
  *r_text = s;
  return 0;
}


/* See ca-card.h.  */
gpg_error_t
ca_card_random_pin (char **r_pin)
{
  uint32_t v;
  unsigned char rnd[4];
  char *pin;

  *r_pin = NULL;
  pin = xtrymalloc_secure (9);
  if (!pin)
    return oca_error_from_errno ();
  /* Uniform in 0..99999999: rejection sampling on 27-bit values.  */
  do
    {
      gcry_randomize (rnd, sizeof rnd, GCRY_STRONG_RANDOM);
      v = ((uint32_t)rnd[0] << 24 | (uint32_t)rnd[1] << 16
           | (uint32_t)rnd[2] << 8 | rnd[3]) & 0x07ffffff;
    }
  while (v > 99999999);
  snprintf (pin, 9, "%08u", (unsigned int)v);
  wipememory (rnd, sizeof rnd);
  v = 0;
  *r_pin = pin;
  return 0;
}
