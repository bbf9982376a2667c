/* t-ca-pin.c - unit test of ca-pin.c: the PIN-choice state machine
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Table-driven: every state against every kind of request, as the
 * Assuan client reports them (with the server's flags, or through
 * gpg-agent, where the client derives them from the command: see
 * scd-client.h), and the sequences the flows run.
 */
#include <config.h>
#include "t-ca-support.h"
#include "ca-card.h"
#include "t-support.h"

#include <string.h>

#define PIN "87654321"
#define U CA_CARD_DEFAULT_USER_PIN
#define A CA_CARD_DEFAULT_ADMIN_PIN

/* A request: flags, sequence number, route.  */
typedef struct
{
  const char *what;
  unsigned int admin:1, newpin:1, resetcode:1, via_agent:1;
  unsigned int seq;
} req_t;

static const req_t reqs[] =
  {
    { "User PIN",            0, 0, 0, 0, 0 },
    { "Admin PIN",           1, 0, 0, 0, 0 },
    { "new PIN",             0, 1, 0, 0, 1 },
    { "new Admin PIN",       1, 1, 0, 0, 1 },
    { "Resetting Code",      0, 0, 1, 0, 0 },
    { "agent: User PIN",     0, 0, 0, 1, 0 },
    { "agent: Admin PIN",    1, 0, 0, 1, 0 },
    { "agent: new PIN",      0, 1, 0, 1, 1 },
    { "a fifth request",     0, 0, 0, 0, 4 },
  };

/* What each state answers to each request above: a PIN, or "!CODE".  */
static const struct
{
  ca_pin_state_t state;
  const char *name;
  const char *answer[DIM (reqs)];
} table[] =
  {
    { CA_PIN_NONE, "NONE",
      { "!NO_PIN", "!NO_PIN", "!NO_PIN", "!NO_PIN", "!CANCELED",
        "!NO_PIN", "!NO_PIN", "!NO_PIN", "!CANCELED" } },
    { CA_PIN_FACTORY, "FACTORY",
      { U, A, "!NO_PIN", "!NO_PIN", "!CANCELED",
        U, A, "!NO_PIN", "!CANCELED" } },
    { CA_PIN_CHANGE, "CHANGE",
      { U, A, PIN, PIN, "!CANCELED", U, A, PIN, "!CANCELED" } },
    { CA_PIN_RESET, "RESET",
      { PIN, PIN, PIN, PIN, "!CANCELED", PIN, PIN, PIN, "!CANCELED" } },
    { CA_PIN_SET, "SET",
      { PIN, PIN, "!NO_PIN", "!NO_PIN", "!CANCELED",
        PIN, PIN, "!NO_PIN", "!CANCELED" } },
    { CA_PIN_REJECTED, "REJECTED",
      { "!BAD_PIN", "!BAD_PIN", "!BAD_PIN", "!BAD_PIN", "!BAD_PIN",
        "!BAD_PIN", "!BAD_PIN", "!BAD_PIN", "!BAD_PIN" } },
    /* The pin-pad collects every PIN: a request is an error.  */
    { CA_PIN_PINPAD, "PINPAD",
      { "!NO_PIN_ENTRY", "!NO_PIN_ENTRY", "!NO_PIN_ENTRY", "!NO_PIN_ENTRY",
        "!NO_PIN_ENTRY", "!NO_PIN_ENTRY", "!NO_PIN_ENTRY", "!NO_PIN_ENTRY",
        "!NO_PIN_ENTRY" } },
  };


/* The answer of PINS to R as a string ("!CODE" for an error).  */
static const char *
answer (const ca_pins_t *pins, const req_t *r)
{
  static char buf[64];
  scd_pin_request_t req;
  char *pin = NULL;
  gpg_error_t err;

  memset (&req, 0, sizeof req);
  req.keyword = r->via_agent ? "PASSPHRASE" : "NEEDPIN";
  req.prompt = "";
  req.admin = r->admin;
  req.newpin = r->newpin;
  req.resetcode = r->resetcode;
  req.via_agent = r->via_agent;
  req.seq = r->seq;
  err = ca_pin_answer (pins, &req, &pin);
  switch (gpg_err_code (err))
    {
    case 0:
      snprintf (buf, sizeof buf, "%s%s", pin,
                gcry_is_secure (pin) ? "" : " (not secure!)");
      wipe_and_free_string (pin);
      return buf;
    case GPG_ERR_NO_PIN:   return "!NO_PIN";
    case GPG_ERR_CANCELED: return "!CANCELED";
    case GPG_ERR_BAD_PIN:  return "!BAD_PIN";
    case GPG_ERR_NO_PIN_ENTRY: return "!NO_PIN_ENTRY";
    default:               return "!other";
    }
}


int
main (void)
{
  ca_pins_t pins;
  size_t i, k;
  const char *got;

  tca_init ();
  memset (&pins, 0, sizeof pins);
  for (i = 0; i < DIM (table); i++)
    {
      ok_err (ca_pins_set (&pins, table[i].state,
                           table[i].state == CA_PIN_FACTORY
                           || table[i].state == CA_PIN_NONE
                           || table[i].state == CA_PIN_REJECTED
                           || table[i].state == CA_PIN_PINPAD
                           ? NULL : PIN), "enter %s", table[i].name);
      for (k = 0; k < DIM (reqs); k++)
        {
          got = answer (&pins, &reqs[k]);
          ok (!strcmp (got, table[i].answer[k]), "%s, %s: %s", table[i].name,
              reqs[k].what, got);
        }
    }
  ok (pins.pin == NULL, "PINPAD holds no PIN");
  ca_pins_set (&pins, CA_PIN_SET, PIN);
  ca_pins_set (&pins, CA_PIN_REJECTED, NULL);
  ok (pins.pin == NULL, "REJECTED forgets the PIN");

  /* The personalisation as ca_card_set_pins runs it: PASSWD 3 asks the
   * old Admin PIN, then the new one (twice through a pinentry); PASSWD
   * --reset 1 the Admin PIN, then the new User PIN.  */
  ca_pins_set (&pins, CA_PIN_CHANGE, PIN);
  {
    req_t old = { "", 1, 0, 0, 1, 0 }, nw = { "", 0, 1, 0, 1, 1 };
    req_t again = { "", 0, 1, 0, 1, 2 };

    ok (!strcmp (answer (&pins, &old), A)
        && !strcmp (answer (&pins, &nw), PIN)
        && !strcmp (answer (&pins, &again), PIN),
        "PASSWD 3 through gpg-agent: factory Admin PIN, then the new PIN");
  }
  ca_pins_set (&pins, CA_PIN_RESET, PIN);
  {
    req_t auth = { "", 1, 0, 0, 0, 0 }, nw = { "", 0, 1, 0, 0, 1 };

    ok (!strcmp (answer (&pins, &auth), PIN)
        && !strcmp (answer (&pins, &nw), PIN),
        "PASSWD --reset 1: the new Admin PIN, then the new User PIN");
  }
  ca_pins_clear (&pins);
  ok (pins.state == CA_PIN_NONE && !pins.pin, "cleared");
  return tap_done ();
}
