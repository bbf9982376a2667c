/* vcard-app.c - the OpenPGP card application v3.4 of oca-vcard: transport
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * vcard_process_apdu takes one command APDU as it came from the reader
 * and produces the response APDU.  Every byte of the command is read
 * through brd_t; a malformed command gets a status word, never a crash.
 *
 * Transport: short and extended Lc/Le (unless the profile has no
 * extended length), command chaining (CLA 10) for every command, and
 * GET RESPONSE: response data longer than Le is handed out in pieces
 * with 61xx.
 *
 * Access rules follow the OpenPGP card specification 3.4: PW1 in mode
 * 81 for PSO:CDS (dropped after each signature when C4 byte 1 is 00),
 * PW1 in mode 82 for decipher, internal authenticate and private DOs
 * 1/3, PW3 for all administrative writes, key generation and import.
 * Where real cards differ, the card's profile (card->prof,
 * vcard-profile.c) decides: algorithms, import formats, status words,
 * data objects, touch cache, latency.
 *
 * A SELECT of the PIV application deselects OpenPGP (and drops its PIN
 * verifications) until OpenPGP is selected again, as on a token with
 * several applications.
 *
 * This file is the transport and the dispatch; the commands live in
 * vcard-do.c, vcard-pin.c and vcard-key.c (see vcard-int.h).
 */
#include <config.h>
#include "vcard-int.h"
#include "brd.h"

#include <string.h>

/* Run the command A, writing response data to OUT.  */
static unsigned int
dispatch (vcard_t *card, apdu_t *a, membuf_t *out)
{
  if (card->other_app && a->ins != 0xa4)
    return vcard_other_app_command (card, a);
  if (card->terminated && a->ins != 0xa4 && a->ins != 0x44)
    return SW_TERMINATED;
  switch (a->ins)
    {
    case 0xa4: return vcard_cmd_select (card, a);
    case 0xca: return vcard_cmd_get_data (card, a, out);
    case 0xda: return vcard_cmd_put_data (card, a);
    case 0xdb: return vcard_cmd_put_data_odd (card, a);
    case 0x20: return vcard_cmd_verify (card, a);
    case 0x24: return vcard_cmd_change_reference_data (card, a);
    case 0x2c: return vcard_cmd_reset_retry_counter (card, a);
    case 0x47: return vcard_cmd_generate (card, a, out);
    case 0x2a: return vcard_cmd_pso (card, a, out);
    case 0x88: return vcard_cmd_internal_authenticate (card, a, out);
    case 0x84: return vcard_cmd_get_challenge (card, a, out);
    case 0xa5: return vcard_cmd_select_data (card, a);
    case 0xcc: return vcard_cmd_get_next_data (card, a, out);
    case 0xe6: return vcard_cmd_terminate (card, a);
    case 0x44: return vcard_cmd_activate (card, a);
    default: return SW_INS_UNSUPPORTED;
    }
}

/* Parse the header and body of the command APDU BUF/LEN into A (data
 * points into BUF).  Returns SW_OK or the status word to answer.  */
static unsigned int
parse_apdu (vcard_t *card, const unsigned char *buf, size_t len, apdu_t *a)
{
  brd_t r;
  unsigned int b, n16;
  size_t rest;

  memset (a, 0, sizeof *a);
  brd_init (&r, buf, len);
  if (brd_get_u8 (&r, &a->cla) || brd_get_u8 (&r, &a->ins)
      || brd_get_u8 (&r, &a->p1) || brd_get_u8 (&r, &a->p2))
    return SW_WRONG_LENGTH;
  rest = brd_left (&r);
  if (!rest)
    return SW_OK;  /* Case 1.  */
  if (brd_get_u8 (&r, &b))
    return SW_WRONG_LENGTH;
  if (rest == 1)
    {
      a->has_le = 1;
      a->le = b ? b : 256;
      return SW_OK;  /* Case 2 short.  */
    }
  if (b)
    {
      /* Case 3 or 4 short.  */
      a->lc = b;
      if (brd_get_bytes (&r, a->lc, &a->data))
        return SW_WRONG_LENGTH;
      if (brd_left (&r) == 1)
        {
          brd_get_u8 (&r, &b);
          a->has_le = 1;
          a->le = b ? b : 256;
        }
      return brd_end (&r) ? SW_WRONG_LENGTH : SW_OK;
    }

  /* Extended length.  */
  a->extended = 1;
  if (!(card->prof.flags & VCARD_P_EXTLEN))
    return SW_WRONG_LENGTH;
  if (brd_get_u16 (&r, &n16))
    return SW_WRONG_LENGTH;
  if (rest == 3)
    {
      a->has_le = 1;
      a->le = n16 ? n16 : 65536;
      return SW_OK;  /* Case 2 extended.  */
    }
  if (!n16)
    return SW_WRONG_LENGTH;
  a->lc = n16;
  if (brd_get_bytes (&r, a->lc, &a->data))
    return SW_WRONG_LENGTH;
  if (brd_left (&r) == 2)
    {
      brd_get_u16 (&r, &n16);
      a->has_le = 1;
      a->le = n16 ? n16 : 65536;
    }
  return brd_end (&r) ? SW_WRONG_LENGTH : SW_OK;
}

/* Append up to LE bytes of the pending response and the status word
 * (61xx while more is left) to RSP.  */
static void
emit_pending (vcard_t *card, size_t le, membuf_t *rsp)
{
  size_t left = card->pendinglen - card->pendingoff;
  size_t n = left < le ? left : le;

  membuf_put (rsp, card->pending + card->pendingoff, n);
  card->pendingoff += n;
  left -= n;
  if (left)
    membuf_put_u16 (rsp, SW_MORE (left));
  else
    {
      wipe_and_free (card->pending, card->pendinglen);
      card->pending = NULL;
      card->pendinglen = card->pendingoff = 0;
      membuf_put_u16 (rsp, SW_OK);
    }
}

/* Process one command APDU (APDU/APDULEN as received from the reader)
 * and return the response APDU (data and SW1 SW2) in a fresh buffer in
 * secure memory at *R_RSP and *R_RSPLEN (release with wipe_and_free).  The
 * only errors are out of memory; protocol errors are status words.  */
gpg_error_t
vcard_process_apdu (vcard_t *card, const unsigned char *apdu, size_t apdulen,
                    unsigned char **r_rsp, size_t *r_rsplen)
{
  gpg_error_t err;
  apdu_t a;
  membuf_t rsp, out;
  unsigned int sw;
  int chained = 0;

  *r_rsp = NULL;
  *r_rsplen = 0;
  card->busy_ms = 0;
  membuf_init (&rsp, VCARD_MAX_RSP + 2, 1);
  membuf_init (&out, VCARD_MAX_RSP, 1);

  sw = parse_apdu (card, apdu, apdulen, &a);
  if (sw != SW_OK)
    goto done;
  if ((a.cla & ~0x10u))
    {
      sw = (a.cla & 0x0c) ? SW_SM_UNSUPPORTED : SW_CLA_UNSUPPORTED;
      goto done;
    }

  /* GET RESPONSE continues a pending response.  */
  if (a.ins == 0xc0)
    {
      if (a.p1 || a.p2 || a.lc)
        sw = SW_WRONG_P1P2;
      else if (!card->pending)
        sw = SW_CONDITIONS;
      else
        {
          emit_pending (card, a.has_le ? a.le : 256, &rsp);
          goto leave;
        }
      goto done;
    }
  /* Any other command drops an unclaimed response.  */
  wipe_and_free (card->pending, card->pendinglen);
  card->pending = NULL;
  card->pendinglen = card->pendingoff = 0;

  /* Command chaining: collect the data in the secure chain buffer.  */
  if (card->chain_active
      && (card->chain_hdr[0] != a.ins || card->chain_hdr[1] != a.p1
          || card->chain_hdr[2] != a.p2))
    {
      card->chain_active = 0;
      membuf_reset (&card->chain);
      sw = SW_CHAIN_EXPECTED;
      goto done;
    }
  if (!card->chain_active)
    membuf_reset (&card->chain);
  membuf_put (&card->chain, a.data, a.lc);
  if (membuf_error (&card->chain))
    {
      card->chain_active = 0;
      membuf_reset (&card->chain);
      sw = SW_WRONG_LENGTH;
      goto done;
    }
  if ((a.cla & 0x10))
    {
      card->chain_active = 1;
      card->chain_hdr[0] = a.ins;
      card->chain_hdr[1] = a.p1;
      card->chain_hdr[2] = a.p2;
      sw = SW_OK;
      goto done;
    }
  chained = card->chain_active;
  card->chain_active = 0;
  a.data = membuf_data (&card->chain);
  a.lc = membuf_len (&card->chain);
  (void)chained;

  sw = dispatch (card, &a, &out);
  membuf_reset (&card->chain);
  if (sw == SW_OK && membuf_len (&out))
    {
      size_t le = a.has_le ? a.le : (a.extended ? 65536 : 256);

      err = membuf_take (&out, &card->pending, &card->pendinglen);
      if (err)
        {
          sw = SW_MEMORY_FAILURE;
          goto done;
        }
      card->pendingoff = 0;
      emit_pending (card, le, &rsp);
      goto leave;
    }

 done:
  membuf_put_u16 (&rsp, sw);
 leave:
  membuf_release (&out);
  return membuf_take (&rsp, r_rsp, r_rsplen);
}
