/* pcsc-poke.c - oca-pcsc-poke: another PC/SC client that disturbs a card
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A second PC/SC client for the tests of shared mode (issue 11 and
 * doc/card-and-scd.md §F): it connects to the card in shared mode, as a
 * PIV tool or GnuPG's scdaemon with pcsc-shared would, and does what
 * such clients do between two operations of oca: select another
 * application, or reset the card.  It also tells whether a card is held
 * exclusively by another process.  Like oca-pcsc-list it goes through
 * card/'s transport (card/pcsc.c stays the only file with
 * <winscard.h>).
 *
 *   oca-pcsc-poke READER ACTION...
 *
 * ACTION is one of
 *   probe          print "busy" when the card is held exclusively by
 *                  another process (SCARD_E_SHARING_VIOLATION), else
 *                  "shared"; nothing else is done
 *   select-piv     SELECT the PIV application (A0 00 00 03 08 ...)
 *   select-openpgp SELECT the OpenPGP application
 *   reset          reset the card (SCardReconnect with SCARD_RESET_CARD),
 *                  then SELECT OpenPGP as clients do after a reset
 *   features       print the reader's pin-pad features ("verify",
 *                  "modify", one a line; nothing when it has none)
 *   pinpad HEX     send HEX, a PIN_VERIFY_STRUCTURE, to the pin-pad
 *                  (FEATURE_VERIFY_PIN_DIRECT) and print the answer's
 *                  status word, or "error <code name>" when the reader
 *                  refuses it (exit 1)
 *   pinpad-modify HEX   the same with a PIN_MODIFY_STRUCTURE
 * The SELECTs use P2=0C, which oca never sends, so that a card's APDU
 * log (oca-vcard --apdu-log: "CLA INS P1 P2" lines) shows them apart.
 *
 * The commands go without a PC/SC transaction, as many clients send
 * them: while another client holds one, pcsc-lite refuses them
 * (SCARD_E_SHARING_VIOLATION) and they are tried again every
 * millisecond.  (SCardBeginTransaction would poll only every 100 ms and
 * not find the short gaps between the operations of a busy client.)
 *
 * Exit 0 on success, 1 when an action fails, 2
 * on a usage error, 3 when the reader can't be opened.
 */
#include <config.h>
#include "oca-common.h"
#include "transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PGM "oca-pcsc-poke"

static const unsigned char select_piv[] =
  { 0x00, 0xa4, 0x04, 0x0c, 0x09,
    0xa0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00 };
static const unsigned char select_openpgp[] =
  { 0x00, 0xa4, 0x04, 0x0c, 0x06, 0xd2, 0x76, 0x00, 0x01, 0x24, 0x01 };


/* Run OP on RD until it is not refused for another client's
 * transaction (10 s at most).  */
#define RETRY_BUSY(sw, op)                                              \
  do {                                                                  \
    struct timespec ms_ = { 0, 1000000L };                              \
    int n_ = 0;                                                         \
    while (((sw) = (op)) == SW_HOST_BUSY && n_++ < 10000)               \
      nanosleep (&ms_, NULL);                                           \
  } while (0)

/* Send APDU; the card must answer 9000.  */
static int
send_apdu (tp_reader_t rd, const unsigned char *apdu, size_t len,
           const char *what)
{
  unsigned char buf[300];
  size_t n;
  int sw;

  do
    {
      n = sizeof buf;
      RETRY_BUSY (sw, tp_transmit (rd, apdu, len, buf, &n));
    }
  while (sw == SW_HOST_CARD_RESET);  /* Reconnected: send it again.  */
  if (!sw && n >= 2)
    sw = (buf[n - 2] << 8) | buf[n - 1];
  if (sw != 0x9000)
    {
      fprintf (stderr, PGM ": %s: status %04X\n", what, (unsigned int)sw);
      return 1;
    }
  return 0;
}


/* Reset the card, then select OpenPGP.  */
static int
reset_card (tp_reader_t rd)
{
  int sw;

  RETRY_BUSY (sw, tp_reconnect (rd, 1));
  if (sw)
    {
      fprintf (stderr, PGM ": reset: status %04X\n", (unsigned int)sw);
      return 1;
    }
  return send_apdu (rd, select_openpgp, sizeof select_openpgp,
                    "SELECT OpenPGP after the reset");
}


static int
usage (void)
{
  fputs ("Usage: " PGM " READER probe|select-piv|select-openpgp|reset|"
         "features|pinpad HEX|pinpad-modify HEX...\n", stderr);
  return 2;
}

/* Send the hex structure HEX to the pin-pad; print the answer.  */
static int
pinpad (tp_reader_t rd, int modify, const char *hex)
{
  unsigned char buf[512];
  size_t n = strlen (hex) / 2;
  int sw;

  if (strlen (hex) % 2 || n > sizeof buf || oca_hex2bin (hex, buf, n))
    return usage ();
  sw = tp_pinpad (rd, modify, buf, n);
  if (sw >= 0x10000)
    {
      printf ("error %s\n", gpg_strerror (card_map_sw (sw)));
      return 1;
    }
  printf ("%04X\n", (unsigned int)sw);
  return 0;
}


int
main (int argc, char **argv)
{
  gpg_error_t err;
  tp_reader_t rd = NULL;
  int i, rc = 0;

  if (argc > 1 && !strcmp (argv[1], "--help"))
    {
      usage ();
      return 0;
    }
  i = 1;
  if (argc - i < 2)
    return usage ();
  err = pcsc_open_reader (argv[i], &rd);
  if (!strcmp (argv[i + 1], "probe"))
    {
      if (gpg_err_code (err) == GPG_ERR_EBUSY)
        puts ("busy");
      else if (!err)
        puts ("shared");
      tp_release (rd);
      if (err && gpg_err_code (err) != GPG_ERR_EBUSY)
        {
          fprintf (stderr, PGM ": %s: %s\n", argv[i], gpg_strerror (err));
          return 3;
        }
      return 0;
    }
  if (err)
    {
      fprintf (stderr, PGM ": %s: %s\n", argv[i], gpg_strerror (err));
      return 3;
    }
  for (i++; i < argc && !rc; i++)
    {
      if (!strcmp (argv[i], "select-piv"))
        rc = send_apdu (rd, select_piv, sizeof select_piv, "SELECT PIV");
      else if (!strcmp (argv[i], "select-openpgp"))
        rc = send_apdu (rd, select_openpgp, sizeof select_openpgp,
                        "SELECT OpenPGP");
      else if (!strcmp (argv[i], "reset"))
        rc = reset_card (rd);
      else if (!strcmp (argv[i], "features"))
        {
          if (rd->pinpad_verify)
            puts ("verify");
          if (rd->pinpad_modify)
            puts ("modify");
        }
      else if ((!strcmp (argv[i], "pinpad")
                || !strcmp (argv[i], "pinpad-modify")) && i + 1 < argc)
        {
          rc = pinpad (rd, argv[i][6] == '-', argv[i + 1]);
          i++;
        }
      else
        {
          rc = usage ();
          break;
        }
    }
  tp_release (rd);
  return rc;
}
