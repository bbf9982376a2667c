/* card-fuzz.c - scripted cards for the card targets (and mkseeds)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "card-fuzz.h"
#include "iso7816.h"

#include <string.h>

fuzz_card_hooks_t fuzz_card_hooks =
  {
    tpscript_reset_on_begin,
    tpscript_set_present
  };

const char *const fuzz_card_attr_names[] =
  {
    "DISP-NAME", "LOGIN-DATA", "DISP-LANG", "DISP-SEX", "PUBKEY-URL",
    "CHV-STATUS-1", "CA-FPR-1", "CA-FPR-2", "CA-FPR-3", "PRIVATE-DO-1",
    "PRIVATE-DO-2", "PRIVATE-DO-3", "PRIVATE-DO-4", "CERT-1", "CERT-2",
    "CERT-3", "SM-KEY-ENC", "SM-KEY-MAC", "AESKEY", "UIF-1", "UIF-2",
    "UIF-3", "KDF", "KEY-ATTR", "NO-SUCH-ATTR"
  };
const size_t fuzz_card_n_attr_names = DIM (fuzz_card_attr_names);


size_t
fuzz_card_load (tp_reader_t rd, fuzz_in_t *in)
{
  const unsigned char *p;
  size_t n, count = 0;
  char *hex;

  while (in->n && count < FUZZ_CARD_MAX_RESPONSES)
    {
      n = fuzz_chunk (in, &p);
      if (!n)
        break;
      hex = xtrymalloc (2 * n + 2);
      if (!hex)
        break;
      if (n == 1)
        snprintf (hex, 2 * n + 2, "!1000%X", p[0] & 0x0f);
      else
        oca_bin2hex (p, n, hex);
      tpscript_expect (rd, NULL, hex);
      xfree (hex);
      count++;
    }
  return count;
}


void
fuzz_card_put_response (membuf_t *mb, const unsigned char *resp, size_t len,
                        int sw)
{
  unsigned char b;

  if (sw >= 0x10000)
    {
      b = sw & 0x0f;
      fuzz_put_chunk (mb, &b, 1);
    }
  else
    fuzz_put_chunk (mb, resp, len);
}


/* The PINs the callback answers with, by mode (FOP_PIN_MODE).  */
static int pin_mode;

static gpg_error_t
pin_cb (void *opaque, const char *prompt, char **r_pin)
{
  static const char long_pin[] =
    "1234567890123456789012345678901234567890123456789012345678901234"
    "567890123456789012345678901234567890123456789012345678901234567";
  int admin = !strncmp (prompt, "|A", 2) || !strncmp (prompt, "|RA", 3);
  const char *pin;

  (void)opaque;
  *r_pin = NULL;
  switch (pin_mode)
    {
    case 0: pin = admin ? "12345678" : "123456"; break;
    case 1: pin = "000000"; break;           /* Wrong.  */
    case 2: pin = "1"; break;                /* Too short.  */
    case 3: pin = long_pin; break;           /* 127 digits.  */
    case 4: return gpg_error (GPG_ERR_CANCELED);
    case 5: pin = ""; break;
    default: pin = admin ? "123456" : "12345678"; break;  /* Swapped.  */
    }
  *r_pin = fuzz_secure_strdup (pin);
  return *r_pin ? 0 : gpg_error (GPG_ERR_ENOMEM);
}


size_t
fuzz_card_run_ops (app_t app, tp_reader_t rd, fuzz_in_t *ops)
{
  size_t count = 0;
  const unsigned char *arg;
  size_t arglen;
  unsigned char *res = NULL;
  size_t reslen = 0;
  const unsigned char *sexp;
  size_t sexplen;
  const char *grip;
  char *prompt, buf[64];
  app_genkey_info_t *info;
  card_algoinfo_t *list;
  size_t nlist;
  unsigned char rnd[64];

  pin_mode = 0;
  while (ops->n)
    {
      unsigned int op = fuzz_u8 (ops);
      unsigned int p = op >> 5;
      int slot = 1 + p % 3;

      count++;
      switch (op & 0x1f)
        {
        case FOP_REFRESH:
          app_openpgp_refresh (app);
          break;
        case FOP_READKEY:
          app_openpgp_readkey (app, slot, &sexp, &sexplen, &grip);
          break;
        case FOP_SIGN:
          arglen = fuzz_chunk (ops, &arg);
          if (!app_openpgp_sign (app, (p & 1) ? 3 : 1, arg, arglen, 0,
                                 pin_cb, NULL, &res, &reslen))
            xfree (res);
          break;
        case FOP_DECIPHER:
          arglen = fuzz_chunk (ops, &arg);
          if (!app_openpgp_decipher (app, 2, arg, arglen, 0, pin_cb, NULL,
                                     &res, &reslen))
            wipe_and_free (res, reslen);
          break;
        case FOP_VERIFY:
          app_openpgp_verify (app, slot, (p & 4) ? APP_FLAG_INSIST : 0,
                              pin_cb, NULL);
          break;
        case FOP_CHANGE_PIN:
          app_openpgp_change_pin (app, slot, (p & 4) && slot != 3, 0,
                                  pin_cb, NULL);
          break;
        case FOP_CLEAR_PIN:
          app_openpgp_clear_pin (app, slot);
          break;
        case FOP_SETATTR:
          arglen = fuzz_chunk (ops, &arg);
          if (arglen)
            {
              const char *name = fuzz_card_attr_names[arg[0]
                                                      % fuzz_card_n_attr_names];

              app_openpgp_setattr (app, name, arg + 1, arglen - 1, 0,
                                   pin_cb, NULL);
            }
          break;
        case FOP_GENKEY:
          info = NULL;
          if (!app_openpgp_genkey (app, slot, (p & 4) ? APP_FLAG_FORCE : 0,
                                   FUZZ_NOW, pin_cb, NULL, &info))
            app_genkey_info_release (info);
          break;
        case FOP_WRITEKEY:
          arglen = fuzz_chunk (ops, &arg);
          app_openpgp_writekey (app, slot, APP_FLAG_FORCE, arg, arglen,
                                pin_cb, NULL);
          break;
        case FOP_RANDOM:
          app_openpgp_random (app, 1 + 8 * p, rnd);
          break;
        case FOP_FACTORY_RESET:
          app_openpgp_factory_reset (app);
          break;
        case FOP_READCERT:
          if (!app_openpgp_readcert (app, slot, &res, &reslen))
            xfree (res);
          break;
        case FOP_ALGOINFO:
          list = NULL;
          if (!app_openpgp_algoinfo (app, &list, &nlist))
            xfree (list);
          break;
        case FOP_PIN_PROMPT:
          if (!app_openpgp_pin_prompt (app, slot, p, &prompt))
            xfree (prompt);
          app_openpgp_ident (app, buf, sizeof buf);
          app_openpgp_dispserialno (app, buf, sizeof buf);
          app_openpgp_manufacturer_name (app->manufacturer);
          break;
        case FOP_CHECK:
          app_openpgp_check (app);
          break;
        case FOP_FORGET:
          app_openpgp_forget (app, p & 1);
          break;
        case FOP_RESET_ON_BEGIN:
          fuzz_card_hooks.reset_on_begin (rd);
          break;
        case FOP_PRESENT:
          fuzz_card_hooks.set_present (rd, p & 1);
          break;
        case FOP_APDU:
          arglen = fuzz_chunk (ops, &arg);
          if (arglen && !iso7816_apdu_direct (rd, arg, arglen, p & 1,
                                              &res, &reslen))
            xfree (res);
          break;
        case FOP_PIN_MODE:
          pin_mode = p;
          break;
        case FOP_FIND_GRIP:
          arglen = fuzz_chunk (ops, &arg);
          if (arglen < sizeof buf)
            {
              memcpy (buf, arg, arglen);
              buf[arglen] = 0;
              app_openpgp_find_grip (app, buf);
            }
          break;
        default:
          break;
        }
    }
  return count;
}
