/* t-ca-cardcfg.c - unit test of ca-cardcfg.c: card configuration strings
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"
#include "ca-card.h"
#include "t-support.h"

#include <string.h>


int
main (void)
{
  static const struct { const char *config, *ident, *pin; int route; }
  good[] =
    {
      { "card;FFFE:01234567;14199138", "FFFE:01234567", "14199138",
        CA_ROUTE_OCA_SCD },
      { "card;FFFE:01234567;14199138;gpg-agent", "FFFE:01234567",
        "14199138", CA_ROUTE_AGENT },
      { "card;0005:00000001;a pin with spaces;oca-scd", "0005:00000001",
        "a pin with spaces", CA_ROUTE_OCA_SCD },
      /* A pin-pad CA stores no PIN.  */
      { "card;FFFE:01234567;;pinpad", "FFFE:01234567", "",
        CA_ROUTE_OCA_SCD },
      { "card;FFFE:01234567;;pinpad;gpg-agent", "FFFE:01234567", "",
        CA_ROUTE_AGENT },
    };
  static const char *const bad[] =
    {
      NULL, "", "softkey", "card", "card;", "card;X", "card;X;",
      "card;;1234", "card;X;1234;", "card;X;1234;scdaemon",
      "card;X;1234;gpg-agent;more",
      "card;X;;", "card;X;;gpg-agent", "card;X;1234;pinpad",
      "card;X;;gpg-agent;pinpad", "card;X;;pinpad;pinpad",
      "card;X;;pinpad;gpg-agent;oca-scd",
      "card;012345678901234567890123456789012;1234",
      "card;X;12345678901234567890123456789012345678901234567890123456789"
      "0123456",
    };
  char *ident, *pin, *config, *text;
  int route, i, n, uniform;
  size_t k;
  unsigned int seen[10];

  tca_init ();
  for (k = 0; k < DIM (good); k++)
    {
      ident = pin = NULL;
      ok (!ca_card_parse_config (good[k].config, &ident, &pin, &route)
          && !strcmp (ident, good[k].ident) && !strcmp (pin, good[k].pin)
          && gcry_is_secure (pin) && route == good[k].route,
          "parse '%s'", good[k].config);
      config = NULL;
      ok (ident && !ca_card_make_config (ident, pin, route, &config)
          && gcry_is_secure (config)
          && (!strcmp (config, good[k].config)
              || (route == CA_ROUTE_OCA_SCD
                  && !strncmp (config, good[k].config, strlen (config)))),
          "and back: '%s'", config ? config : "?");
      wipe_and_free_string (config);
      xfree (ident);
      wipe_and_free_string (pin);
    }
  for (k = 0; k < DIM (bad); k++)
    ok_code (ca_card_parse_config (bad[k], &ident, &pin, &route),
             GPG_ERR_INV_VALUE, "refuse '%s'", bad[k] ? bad[k] : "(null)");
  ok_code (ca_card_make_config ("FFFE:01234567", "12;34", 0, &config),
           GPG_ERR_INV_VALUE, "a PIN with ';' is not stored");
  config = NULL;
  ok (!ca_card_make_config ("FFFE:01234567", "", CA_ROUTE_AGENT, &config)
      && !strcmp (config, "card;FFFE:01234567;;pinpad;gpg-agent"),
      "an empty PIN: the pin-pad");
  wipe_and_free_string (config);
  ok (ca_card_pin_is_pinpad ("") && !ca_card_pin_is_pinpad ("0"),
      "ca_card_pin_is_pinpad");

  ok (!ca_card_describe ("FFFE:01234567", "14199138", CA_ROUTE_OCA_SCD,
                         &text)
      && !strcmp (text, "OpenPGP card FFFE:01234567 [User PIN 14199138]")
      && gcry_is_secure (text), "describe, in secure memory");
  wipe_and_free_string (text);
  ok (!ca_card_describe ("FFFE:01234567", "", CA_ROUTE_OCA_SCD, &text)
      && !strcmp (text, "OpenPGP card FFFE:01234567 [User PIN on the "
                  "reader's pin-pad]"), "describe a pin-pad CA");
  wipe_and_free_string (text);
  ok (!ca_card_describe ("FFFE:01234567", "1", CA_ROUTE_AGENT, &text)
      && !strcmp (text, "OpenPGP card FFFE:01234567 [User PIN 1] (via "
                  "gpg-agent)"), "describe the gpg-agent route");
  wipe_and_free_string (text);

  ok (ca_route_from_name ("oca-scd") == CA_ROUTE_OCA_SCD
      && ca_route_from_name ("gpg-agent") == CA_ROUTE_AGENT
      && ca_route_from_name ("scdaemon") == -1
      && ca_route_from_name (NULL) == -1, "route names");
  ok (!strcmp (ca_card_route_name (CA_ROUTE_AGENT), "gpg-agent")
      && !strcmp (ca_card_route_name (CA_ROUTE_OCA_SCD), "oca-scd"),
      "and back");
  ok (ca_card_ident_valid ("FFFE:0123abcd")
      && !ca_card_ident_valid ("FFFE-01234567")
      && !ca_card_ident_valid ("FFFE:0123456")
      && !ca_card_ident_valid ("FFFE:0123456g"), "card idents");

  /* Random PINs: 8 digits, secure memory, every digit in every place.  */
  memset (seen, 0, sizeof seen);
  for (n = 0, i = 0; i < 500; i++)
    {
      if (ca_card_random_pin (&pin))
        break;
      if (strlen (pin) == 8 && strspn (pin, "0123456789") == 8
          && gcry_is_secure (pin))
        n++;
      seen[pin[0] - '0']++;
      wipe_and_free_string (pin);
    }
  ok (n == 500, "500 random PINs of 8 digits in secure memory");
  for (uniform = 1, k = 0; k < 10; k++)
    if (seen[k] < 20 || seen[k] > 90)
      uniform = 0;
  ok (uniform, "the first digit takes every value about as often");
  return tap_done ();
}
