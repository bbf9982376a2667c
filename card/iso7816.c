/* iso7816.c - ISO/IEC 7816-4 commands used by the OpenPGP card
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See iso7816.h.  Status words become errors here (card_map_sw).
 */
#include <config.h>
#include "iso7816.h"
#include "membuf.h"

#include <string.h>

/* Cap on the data of one assembled response (61xx loops).  */
#define MAX_ASSEMBLED (65536 + 4096)

/* Transmit APDU and return the status word (card or host); the
 * response data is in RESP, its length in *R_DATALEN.  */
static int
xmit (tp_reader_t rd, const unsigned char *apdu, size_t apdulen,
      unsigned char *resp, size_t respsize, size_t *r_datalen)
{
  size_t resplen = respsize;
  int sw;

  *r_datalen = 0;
  sw = tp_transmit (rd, apdu, apdulen, resp, &resplen);
  if (sw)
    return sw;
  if (resplen < 2)
    return SW_HOST_INCOMPLETE_RESPONSE;
  *r_datalen = resplen - 2;
  return (resp[resplen - 2] << 8) | resp[resplen - 1];
}

/* Append the DATALEN response bytes in RESP to OUT and, when
 * HANDLE_MORE, follow 61xx with GET RESPONSE (class CLA), using RESP
 * as scratch space.  Returns the final status word; more than
 * MAX_ASSEMBLED bytes give SW_HOST_INCOMPLETE_RESPONSE.  */
static int
collect_response (tp_reader_t rd, int cla, int sw, int handle_more,
                  unsigned char *resp, size_t respsize, size_t datalen,
                  membuf_t *out)
{
  unsigned char getresp[5];

  membuf_put (out, resp, datalen);
  while (handle_more && (sw & 0xff00) == 0x6100)
    {
      getresp[0] = cla & ~0x10;
      getresp[1] = 0xC0;
      getresp[2] = 0;
      getresp[3] = 0;
      getresp[4] = sw & 0xff;
      sw = xmit (rd, getresp, 5, resp, respsize, &datalen);
      if (sw >= 0x10000)
        return sw;
      membuf_put (out, resp, datalen);
      if (membuf_len (out) > MAX_ASSEMBLED)
        return SW_HOST_INCOMPLETE_RESPONSE;
    }
  return sw;
}

/* Send one (possibly chained-part) APDU and collect the response data
 * into OUT, following 61xx with GET RESPONSE and retrying once on
 * 6Cxx.  The command buffer (PINs, key material) is in secure memory,
 * the raw response too when SECURE.  Returns the final status word
 * (card or host).  */
static int
transceive (tp_reader_t rd, int cla, int ins, int p1, int p2,
            size_t lc, const unsigned char *data, int le, int ext,
            int handle_more, int secure, membuf_t *out)
{
  unsigned char *apdu = NULL;
  unsigned char *resp = NULL;
  size_t apdulen, datalen, respsize;
  int sw;

  respsize = ext ? TP_MAX_RESPONSE : 258;
  apdu = xtrymalloc_secure (4 + 3 + lc + 3);
  resp = secure ? xtrymalloc_secure (respsize) : xtrymalloc (respsize);
  if (!apdu || !resp)
    {
      sw = SW_HOST_OUT_OF_CORE;
      goto leave;
    }
  apdulen = card_build_apdu (apdu, cla, ins, p1, p2, lc, data, le, ext);
  sw = xmit (rd, apdu, apdulen, resp, respsize, &datalen);
  if ((sw & 0xff00) == 0x6C00 && le >= 0 && !ext)
    {
      /* Wrong Le: resend once with the exact length.  */
      apdulen = card_build_apdu (apdu, cla, ins, p1, p2, lc, data,
                                 (sw & 0xff) ? (sw & 0xff) : 256, 0);
      sw = xmit (rd, apdu, apdulen, resp, respsize, &datalen);
    }
  if (sw >= 0x10000)
    goto leave;
  sw = collect_response (rd, cla, sw, handle_more, resp, respsize, datalen,
                         out);
  if (sw < 0x10000 && membuf_error (out))
    sw = SW_HOST_OUT_OF_CORE;

 leave:
  if (resp)
    wipe_and_free (resp, respsize);
  if (apdu)
    wipe_and_free (apdu, 4 + 3 + lc + 3);
  return sw;
}

/* Core of iso7816_send with an option to collect the result in secure
 * memory.  */
static gpg_error_t
send_apdu (tp_reader_t rd, int cla, int ins, int p1, int p2,
           size_t lc, const unsigned char *data, int le, size_t chunk,
           int secure, unsigned char **r_result, size_t *r_resultlen)
{
  gpg_error_t err;
  membuf_t mb;
  int ext, sw;
  size_t off, n;

  if (r_result)
    *r_result = NULL;
  if (r_resultlen)
    *r_resultlen = 0;
  membuf_init (&mb, MAX_ASSEMBLED + 2, secure);
  if (!rd)
    {
      err = card_map_sw (SW_HOST_NO_READER);
      goto leave;
    }
  if (!chunk || chunk > 255)
    chunk = 255;
  ext = rd->cap_extended && (lc > 255 || le > 256);
  if (ext && lc > 65535)
    {
      err = gpg_error (GPG_ERR_TOO_LARGE);
      goto leave;
    }
  if (ext && rd->max_cmd && lc > rd->max_cmd && rd->cap_chaining)
    ext = 0;  /* Too large even for extended: chain.  */
  if (!ext && le > 256)
    le = 256;  /* Rely on 61xx.  */

  if (lc > 255 && !ext)
    {
      if (!rd->cap_chaining)
        {
          err = gpg_error (GPG_ERR_NOT_SUPPORTED);
          goto leave;
        }
      /* Command chaining: all but the last chunk with CLA|0x10.  */
      for (off = 0; lc - off > chunk; off += chunk)
        {
          sw = transceive (rd, cla | 0x10, ins, p1, p2, chunk, data + off,
                           -1, 0, 0, secure, &mb);
          if (sw != SW_SUCCESS)
            {
              err = card_map_sw (sw);
              goto leave;
            }
          membuf_reset (&mb);  /* Intermediate answers carry no data.  */
        }
      n = lc - off;
      sw = transceive (rd, cla, ins, p1, p2, n, data + off, le, 0, 1,
                       secure, &mb);
    }
  else
    sw = transceive (rd, cla, ins, p1, p2, lc, data, le, ext, 1, secure, &mb);

  err = card_map_sw (sw);
  if (err)
    goto leave;
  if (r_result)
    {
      size_t len;

      err = membuf_take (&mb, r_result, &len);
      if (err)
        goto leave;
      if (r_resultlen)
        *r_resultlen = len;
    }

 leave:
  membuf_release (&mb);
  return err;
}

gpg_error_t
iso7816_send (tp_reader_t rd, int cla, int ins, int p1, int p2,
              size_t lc, const unsigned char *data, int le, size_t chunk,
              unsigned char **r_result, size_t *r_resultlen)
{
  return send_apdu (rd, cla, ins, p1, p2, lc, data, le, chunk, 0,
                    r_result, r_resultlen);
}

gpg_error_t
iso7816_apdu_direct (tp_reader_t rd, const unsigned char *apdu,
                     size_t apdulen, int handle_more,
                     unsigned char **r_result, size_t *r_resultlen)
{
  gpg_error_t err = 0;
  unsigned char *resp = NULL;
  size_t datalen;
  membuf_t mb;
  int sw;

  *r_result = NULL;
  *r_resultlen = 0;
  membuf_init (&mb, MAX_ASSEMBLED + 2, 0);
  if (apdulen < 4)
    {
      err = gpg_error (GPG_ERR_INV_VALUE);
      goto leave;
    }
  resp = xtrymalloc (TP_MAX_RESPONSE);
  if (!resp)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  sw = xmit (rd, apdu, apdulen, resp, TP_MAX_RESPONSE, &datalen);
  if (sw < 0x10000)
    sw = collect_response (rd, apdu[0], sw, handle_more,
                           resp, TP_MAX_RESPONSE, datalen, &mb);
  if (sw >= 0x10000)
    {
      err = membuf_len (&mb) > MAX_ASSEMBLED ? gpg_error (GPG_ERR_TOO_LARGE)
        : card_map_sw (sw);
      goto leave;
    }
  membuf_put_u16 (&mb, sw);
  err = membuf_take (&mb, r_result, r_resultlen);

 leave:
  if (resp)
    wipe_and_free (resp, TP_MAX_RESPONSE);
  membuf_release (&mb);
  return err;
}

gpg_error_t
iso7816_select_application (tp_reader_t rd, const unsigned char *aid,
                            size_t aidlen)
{
  return send_apdu (rd, 0x00, 0xA4, 0x04, 0x00, aidlen, aid, -1, 0, 0,
                    NULL, NULL);
}

gpg_error_t
iso7816_get_data (tp_reader_t rd, int tag,
                  unsigned char **r_result, size_t *r_resultlen)
{
  return send_apdu (rd, 0x00, 0xCA, (tag >> 8) & 0xff, tag & 0xff,
                    0, NULL, 256, 0, 0, r_result, r_resultlen);
}

gpg_error_t
iso7816_put_data (tp_reader_t rd, int tag,
                  const unsigned char *data, size_t datalen)
{
  return send_apdu (rd, 0x00, 0xDA, (tag >> 8) & 0xff, tag & 0xff,
                    datalen, data, -1, 254, 0, NULL, NULL);
}

gpg_error_t
iso7816_put_data_odd (tp_reader_t rd, int tag,
                      const unsigned char *data, size_t datalen)
{
  return send_apdu (rd, 0x00, 0xDB, (tag >> 8) & 0xff, tag & 0xff,
                    datalen, data, -1, 254, 0, NULL, NULL);
}

gpg_error_t
iso7816_verify (tp_reader_t rd, int chvno,
                const unsigned char *pin, size_t pinlen)
{
  return send_apdu (rd, 0x00, 0x20, 0x00, chvno, pin ? pinlen : 0, pin, -1,
                    0, 0, NULL, NULL);
}

/* A status word of the pin-pad's: the reader's own (64 0x) first.  */
static gpg_error_t
map_pinpad_sw (int sw)
{
  switch (sw)
    {
    case 0x6400: return gpg_error (GPG_ERR_TIMEOUT);
    case 0x6401: return gpg_error (GPG_ERR_CANCELED);
    case 0x6402: return gpg_error (GPG_ERR_PIN_NOT_SYNCED);
    case 0x6403: return gpg_error (GPG_ERR_INV_LENGTH);
    default: return card_map_sw (sw);
    }
}

gpg_error_t
iso7816_pinpad_verify (tp_reader_t rd, int chvno, unsigned int minlen,
                       unsigned int maxlen)
{
  /* PC/SC part 10 PIN_VERIFY_STRUCTURE, as GnuPG's scdaemon fills it
   * for a reader taking PINs of any length: ASCII digits, left
   * justified, no PIN length field, the APDU with Lc 00 (an empty PIN
   * field the reader fills and sets Lc for).  */
  unsigned char pvs[19 + 5];

  if (minlen > 0xff || maxlen > 0xff || minlen > maxlen)
    return gpg_error (GPG_ERR_INV_VALUE);
  memset (pvs, 0, sizeof pvs);
  pvs[0] = 0x00;                /* bTimerOut: the reader's default.  */
  pvs[1] = 0x00;                /* bTimerOut2 */
  pvs[2] = 0x82;                /* bmFormatString: bytes, pos 0, ASCII */
  pvs[3] = 0x00;                /* bmPINBlockString: variable length */
  pvs[4] = 0x00;                /* bmPINLengthFormat */
  pvs[5] = maxlen;              /* wPINMaxExtraDigit (LE: max, min) */
  pvs[6] = minlen;
  pvs[7] = 0x02;                /* bEntryValidationCondition: OK key */
  pvs[8] = 0x01;                /* bNumberMessage */
  pvs[9] = 0x09;                /* wLangId 0x0409 */
  pvs[10] = 0x04;
  pvs[11] = 0x00;               /* bMsgIndex */
  pvs[15] = 5;                  /* ulDataLength (LE) */
  pvs[19] = 0x00;
  pvs[20] = 0x20;               /* VERIFY */
  pvs[21] = 0x00;
  pvs[22] = chvno;
  pvs[23] = 0x00;               /* Lc: the empty PIN field */
  return map_pinpad_sw (tp_pinpad (rd, 0, pvs, sizeof pvs));
}

gpg_error_t
iso7816_pinpad_change (tp_reader_t rd, int chvno, unsigned int minlen,
                       unsigned int maxlen)
{
  /* PIN_MODIFY_STRUCTURE: the current PIN, the new one and its
   * confirmation, ASCII, variable length; the reader sends CHANGE
   * REFERENCE DATA with current || new.  */
  unsigned char pms[24 + 5];

  if (minlen > 0xff || maxlen > 0xff || minlen > maxlen)
    return gpg_error (GPG_ERR_INV_VALUE);
  memset (pms, 0, sizeof pms);
  pms[2] = 0x82;                /* bmFormatString */
  pms[7] = maxlen;              /* wPINMaxExtraDigit (LE: max, min) */
  pms[8] = minlen;
  pms[9] = 0x03;                /* bConfirmPIN: current PIN, confirm */
  pms[10] = 0x02;               /* bEntryValidationCondition: OK key */
  pms[11] = 0x03;               /* bNumberMessage */
  pms[12] = 0x09;               /* wLangId 0x0409 */
  pms[13] = 0x04;
  pms[14] = 0x00;               /* bMsgIndex1..3 */
  pms[15] = 0x01;
  pms[16] = 0x02;
  pms[20] = 5;                  /* ulDataLength (LE) */
  pms[24] = 0x00;
  pms[25] = 0x24;               /* CHANGE REFERENCE DATA */
  pms[26] = 0x00;
  pms[27] = chvno;
  pms[28] = 0x00;               /* Lc: the empty PIN fields */
  return map_pinpad_sw (tp_pinpad (rd, 1, pms, sizeof pms));
}

gpg_error_t
iso7816_verify_reset (tp_reader_t rd, int chvno)
{
  return send_apdu (rd, 0x00, 0x20, 0xFF, chvno, 0, NULL, -1, 0, 0,
                    NULL, NULL);
}

gpg_error_t
iso7816_change_reference_data (tp_reader_t rd, int chvno,
                               const unsigned char *oldnew, size_t oldnewlen)
{
  return send_apdu (rd, 0x00, 0x24, 0x00, chvno, oldnewlen, oldnew, -1,
                    0, 0, NULL, NULL);
}

gpg_error_t
iso7816_reset_retry_counter (tp_reader_t rd, int with_rc, int chvno,
                             const unsigned char *data, size_t datalen)
{
  return send_apdu (rd, 0x00, 0x2C, with_rc ? 0x00 : 0x02, chvno,
                    datalen, data, -1, 0, 0, NULL, NULL);
}

gpg_error_t
iso7816_generate_keypair (tp_reader_t rd, int read_only,
                          const unsigned char *crt, size_t crtlen, int le,
                          unsigned char **r_result, size_t *r_resultlen)
{
  return send_apdu (rd, 0x00, 0x47, read_only ? 0x81 : 0x80, 0x00,
                    crtlen, crt, le, 0, 0, r_result, r_resultlen);
}

gpg_error_t
iso7816_compute_ds (tp_reader_t rd, const unsigned char *data, size_t datalen,
                    int le, unsigned char **r_result, size_t *r_resultlen)
{
  return send_apdu (rd, 0x00, 0x2A, 0x9E, 0x9A, datalen, data, le, 0, 0,
                    r_result, r_resultlen);
}

gpg_error_t
iso7816_decipher (tp_reader_t rd, const unsigned char *data, size_t datalen,
                  int le, unsigned char **r_result, size_t *r_resultlen)
{
  return send_apdu (rd, 0x00, 0x2A, 0x80, 0x86, datalen, data, le, 254, 1,
                    r_result, r_resultlen);
}

gpg_error_t
iso7816_internal_authenticate (tp_reader_t rd, const unsigned char *data,
                               size_t datalen, int le,
                               unsigned char **r_result, size_t *r_resultlen)
{
  return send_apdu (rd, 0x00, 0x88, 0x00, 0x00, datalen, data, le, 0, 0,
                    r_result, r_resultlen);
}

gpg_error_t
iso7816_get_challenge (tp_reader_t rd, size_t length, unsigned char *buffer)
{
  gpg_error_t err = 0;
  unsigned char *res = NULL;
  size_t reslen, n;

  while (length)
    {
      n = length > 254 ? 254 : length;
      err = send_apdu (rd, 0x00, 0x84, 0, 0, 0, NULL, (int)n, 0, 0,
                       &res, &reslen);
      if (err)
        break;
      if (reslen < n)
        {
          err = gpg_error (GPG_ERR_INV_RESPONSE);
          break;
        }
      memcpy (buffer, res, n);
      buffer += n;
      length -= n;
      xfree (res);
      res = NULL;
    }
  xfree (res);
  return err;
}

gpg_error_t
iso7816_terminate_df (tp_reader_t rd)
{
  return send_apdu (rd, 0x00, 0xE6, 0, 0, 0, NULL, -1, 0, 0, NULL, NULL);
}

gpg_error_t
iso7816_activate_file (tp_reader_t rd)
{
  return send_apdu (rd, 0x00, 0x44, 0, 0, 0, NULL, -1, 0, 0, NULL, NULL);
}

gpg_error_t
iso7816_select_data (tp_reader_t rd, int occurrence, int tag)
{
  unsigned char data[6];

  data[0] = 0x60;
  data[1] = 0x04;
  data[2] = 0x5C;
  data[3] = 0x02;
  data[4] = tag >> 8;
  data[5] = tag;
  return send_apdu (rd, 0x00, 0xA5, occurrence, 0x04, sizeof data, data, -1,
                    0, 0, NULL, NULL);
}
