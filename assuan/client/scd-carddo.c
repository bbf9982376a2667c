/* scd-carddo.c - the client's data objects and algorithms
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GET DATA, PUT DATA and the algorithm information (DO FA) travel as
 * APDUs: GnuPG 2.2's scdaemon names no attribute for them.  The
 * command is encoded and its status word mapped by card/'s card-data
 * module, so no APDU byte or status word leaves this file.
 */
#include <config.h>
#include "scd-client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "brd.h"
#include "membuf.h"
#include "scd-proto.h"


/* APDU [OPTIONS] HEXAPDU, the server's raw passthrough: *R_RESP (if
 * R_RESP is not NULL; xfree) gets the response data without SW1 SW2,
 * *R_SW the status word.  HEXAPDU NULL just checks the card.  Kept in
 * this file: the status word goes no further than card_command.  */
static gpg_error_t
apdu_command (scd_client_t scd, const char *options, const char *hexapdu,
              unsigned char **r_resp, size_t *r_len, unsigned int *r_sw)
{
  gpg_error_t err;
  char line[SCD_LINE_MAX + 1];
  unsigned char *buf = NULL;
  size_t len = 0;
  const unsigned char *rest;
  size_t restlen;
  unsigned int sw;
  brd_t r;

  if (r_resp)
    *r_resp = NULL;
  if (r_len)
    *r_len = 0;
  if (r_sw)
    *r_sw = 0;
  if ((options && strlen (options) > 100)
      || (hexapdu && strlen (hexapdu) > SCD_LINE_MAX - 110))
    return gpg_error (GPG_ERR_TOO_LARGE);
  if ((options && strchr (options, '\n')) || (hexapdu && strchr (hexapdu, '\n')))
    return gpg_error (GPG_ERR_INV_ARG);
  snprintf (line, sizeof line, "APDU%s%s%s%s",
            options ? " " : "", options ? options : "",
            hexapdu ? " " : "", hexapdu ? hexapdu : "");
  err = scd_client_command (scd, line, NULL, NULL, &buf, &len);
  if (err)
    return err;
  if (!hexapdu)
    {
      xfree (buf);
      return 0;
    }
  /* The response is DATA || SW1 SW2.  */
  brd_init (&r, buf, len);
  if (len < 2)
    {
      err = gpg_error (GPG_ERR_INV_RESPONSE);
      goto leave;
    }
  {
    brd_t data;

    err = brd_sub (&r, len - 2, &data);
    if (!err)
      err = brd_get_u16 (&r, &sw);
    if (!err)
      err = brd_end (&r);
    if (err)
      goto leave;
    brd_rest (&data, &rest, &restlen);
  }
  if (r_sw)
    *r_sw = sw;
  if (r_len)
    *r_len = restlen;
  if (r_resp)
    {
      buf[restlen] = 0;  /* Turn SW1 into the terminator.  */
      *r_resp = buf;
      buf = NULL;
    }

 leave:
  xfree (buf);
  return err;
}


/* Send the command APDU CLA INS P1 P2 [DATA] [Le 00] through the
 * server's APDU command ("--more": 61xx is followed by GET RESPONSE)
 * and turn the status word into an error.  On success *R_RESP (if
 * R_RESP is not NULL; xfree) and *R_LEN get the response data.  An
 * error of the APDU command itself (a server without it) comes back
 * unchanged with *R_ROUTE_ERR set (R_ROUTE_ERR may be NULL); a card
 * status word other than 9000 is mapped by card_map_sw.  */
static gpg_error_t
card_command (scd_client_t scd, int ins, unsigned int tag,
              const unsigned char *data, size_t datalen, int with_le,
              unsigned char **r_resp, size_t *r_len, int *r_route_err)
{
  gpg_error_t err;
  unsigned char apdu[4 + 3 + 255 + 3];
  char hex[2 * sizeof apdu + 1];
  size_t apdulen;
  unsigned int sw = 0;

  if (r_resp)
    *r_resp = NULL;
  if (r_len)
    *r_len = 0;
  if (r_route_err)
    *r_route_err = 0;
  if (tag > 0xffff || datalen > 255)
    return gpg_error (GPG_ERR_INV_ARG);
  apdulen = card_build_apdu (apdu, 0x00, ins, tag >> 8, tag & 0xff,
                             datalen, data, with_le ? 256 : -1, 0);
  oca_bin2hex (apdu, apdulen, hex);
  err = apdu_command (scd, "--more", hex, r_resp, r_len, &sw);
  if (err)
    {
      if (r_route_err)
        *r_route_err = 1;
      return err;
    }
  err = card_map_sw (sw);
  if (err && r_resp)
    {
      xfree (*r_resp);
      *r_resp = NULL;
      *r_len = 0;
    }
  return err;
}


gpg_error_t
scd_client_get_data (scd_client_t scd, unsigned int tag,
                     unsigned char **r_data, size_t *r_len)
{
  return card_command (scd, 0xCA, tag, NULL, 0, 1, r_data, r_len, NULL);
}


gpg_error_t
scd_client_put_data (scd_client_t scd, unsigned int tag,
                     const void *data, size_t len)
{
  if (!len)
    return gpg_error (GPG_ERR_INV_ARG);
  return card_command (scd, 0xDA, tag, data, len, 0, NULL, NULL, NULL);
}


/* Status callback for GETATTR KEY-ATTR-INFO: collect the lines
 * "KEY-ATTR-INFO OPENPGP.<n> <algorithm>" as card_algoinfo_t entries
 * in the membuf OPAQUE.  Other slots and unknown algorithms are
 * skipped.  */
static gpg_error_t
keyattrinfo_cb (void *opaque, const char *keyword, const char *args)
{
  membuf_t *mb = opaque;
  card_algoinfo_t entry;
  char ref[16], name[64];
  const char *p = args;

  if (strcmp (keyword, "KEY-ATTR-INFO"))
    return 0;
  if (scd_next_word (&p, ref, sizeof ref)
      || scd_next_word (&p, name, sizeof name))
    return 0;
  memset (&entry, 0, sizeof entry);
  entry.keyno = scd_parse_keyref (ref, 0);
  if (!entry.keyno
      || card_keyattr_from_algostr (name, entry.keyno, &entry.attr))
    return 0;
  membuf_put (mb, &entry, sizeof entry);
  return 0;
}


gpg_error_t
scd_client_algoinfo (scd_client_t scd, card_algoinfo_t **r_list,
                     size_t *r_count)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;
  int route_err;
  membuf_t mb;

  *r_list = NULL;
  *r_count = 0;
  err = card_command (scd, 0xCA, 0xFA, NULL, 0, 1, &buf, &len, &route_err);
  if (!err)
    {
      err = card_parse_algoinfo (buf, len, r_list, r_count);
      xfree (buf);
      return err;
    }
  if (!route_err)
    return 0;  /* The card has no DO FA.  */

  /* A server without the APDU command: KEY-ATTR-INFO.  */
  membuf_init (&mb, 64 * 1024, 0);
  err = scd_client_command (scd, "GETATTR KEY-ATTR-INFO", keyattrinfo_cb,
                            &mb, NULL, NULL);
  if (!err)
    err = membuf_take (&mb, &buf, &len);
  membuf_release (&mb);
  if (err)
    return err;
  if (!len)
    {
      xfree (buf);
      return 0;
    }
  *r_list = (card_algoinfo_t *)buf;
  *r_count = len / sizeof **r_list;
  return 0;
}


