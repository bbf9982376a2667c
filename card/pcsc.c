/* pcsc.c - pcsc-lite transport backend (shared mode)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The only file of oca that includes <winscard.h>.  Cards are always
 * connected with SCARD_SHARE_SHARED so that GnuPG's scdaemon (with
 * pcsc-shared), the CA and other PC/SC clients can use the same card.
 * Because of that, another client may reset the card between our
 * operations: pcsc-lite then answers SCARD_W_RESET_CARD, we reconnect
 * (SCARD_LEAVE_CARD) and report SW_HOST_CARD_RESET so that the
 * application layer re-selects and forgets its PIN state.  PC/SC
 * return codes are mapped to SW_HOST_* here and never leave card/.
 */
#include <config.h>
#include "transport.h"

#include <string.h>
#include <winscard.h>
#include <reader.h>

struct pcsc_priv
{
  SCARDCONTEXT ctx;
  SCARDHANDLE card;
  DWORD proto;
  int connected;
};

/* Map a PC/SC error to a host pseudo status word.  */
static int
pcsc_map_error (LONG rv)
{
  switch (rv)
    {
    case SCARD_S_SUCCESS:            return 0;
    case SCARD_W_REMOVED_CARD:       return SW_HOST_CARD_REMOVED;
    case SCARD_E_NO_SMARTCARD:       return SW_HOST_NO_CARD;
    case SCARD_W_RESET_CARD:         return SW_HOST_CARD_RESET;
    case SCARD_E_SHARING_VIOLATION:  return SW_HOST_BUSY;
    case SCARD_E_TIMEOUT:            return SW_HOST_BUSY;
    case SCARD_W_UNPOWERED_CARD:
    case SCARD_W_UNRESPONSIVE_CARD:  return SW_HOST_CARD_INACTIVE;
    case SCARD_E_NO_MEMORY:          return SW_HOST_OUT_OF_CORE;
    case SCARD_E_INVALID_PARAMETER:
    case SCARD_E_INVALID_VALUE:
    case SCARD_E_INSUFFICIENT_BUFFER:return SW_HOST_INV_VALUE;
    case SCARD_E_READER_UNAVAILABLE:
    case SCARD_E_UNKNOWN_READER:
    case SCARD_E_NO_READERS_AVAILABLE:
    case SCARD_E_NO_SERVICE:         return SW_HOST_NO_READER;
    case SCARD_E_NOT_TRANSACTED:
    case SCARD_E_PROTO_MISMATCH:
    case SCARD_F_COMM_ERROR:         return SW_HOST_CARD_IO_ERROR;
    default:                         return SW_HOST_GENERAL_ERROR;
    }
}

static int
do_reconnect (tp_reader_t rd, int reset)
{
  struct pcsc_priv *pp = rd->priv;
  LONG rv;
  DWORD proto = 0;

  rv = SCardReconnect (pp->card, SCARD_SHARE_SHARED,
                       SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                       reset ? SCARD_RESET_CARD : SCARD_LEAVE_CARD, &proto);
  if (rv != SCARD_S_SUCCESS)
    return pcsc_map_error (rv);
  pp->proto = proto;
  rd->reset_count++;
  return 0;
}

static int
pcsc_transmit (tp_reader_t rd, const unsigned char *apdu, size_t apdulen,
               unsigned char *buf, size_t *buflen)
{
  struct pcsc_priv *pp = rd->priv;
  SCARD_IO_REQUEST send_pci;
  DWORD rlen = *buflen;
  LONG rv;

  send_pci.dwProtocol = pp->proto;
  send_pci.cbPciLength = sizeof send_pci;
  rv = SCardTransmit (pp->card, &send_pci, apdu, apdulen, NULL, buf, &rlen);
  if (rv == SCARD_W_RESET_CARD)
    {
      int sw = do_reconnect (rd, 0);
      *buflen = 0;
      return sw ? sw : SW_HOST_CARD_RESET;
    }
  if (rv != SCARD_S_SUCCESS)
    {
      *buflen = 0;
      return pcsc_map_error (rv);
    }
  *buflen = rlen;
  return 0;
}

static int
pcsc_status (tp_reader_t rd, unsigned int *r_status)
{
  struct pcsc_priv *pp = rd->priv;
  DWORD state = 0, proto = 0, atrlen = sizeof rd->atr;
  DWORD namelen = 0;
  LONG rv;

  *r_status = 0;
  rv = SCardStatus (pp->card, NULL, &namelen, &state, &proto,
                    rd->atr, &atrlen);
  if (rv == SCARD_W_RESET_CARD)
    {
      int sw = do_reconnect (rd, 0);
      if (sw)
        return sw;
      *r_status = TP_STATUS_PRESENT | TP_STATUS_CHANGED;
      return 0;
    }
  if (rv == SCARD_W_REMOVED_CARD || rv == SCARD_E_NO_SMARTCARD)
    return 0;
  if (rv != SCARD_S_SUCCESS)
    return pcsc_map_error (rv);
  rd->atrlen = atrlen;
  if ((state & SCARD_PRESENT))
    *r_status = TP_STATUS_PRESENT;
  return 0;
}

static int
pcsc_begin (tp_reader_t rd)
{
  struct pcsc_priv *pp = rd->priv;
  LONG rv;
  int sw;

  rv = SCardBeginTransaction (pp->card);
  if (rv == SCARD_W_RESET_CARD)
    {
      sw = do_reconnect (rd, 0);
      if (sw)
        return sw;
      rv = SCardBeginTransaction (pp->card);
      if (rv != SCARD_S_SUCCESS)
        return pcsc_map_error (rv);
      return SW_HOST_CARD_RESET;
    }
  return pcsc_map_error (rv);
}

static int
pcsc_end (tp_reader_t rd)
{
  struct pcsc_priv *pp = rd->priv;
  LONG rv;

  rv = SCardEndTransaction (pp->card, SCARD_LEAVE_CARD);
  if (rv == SCARD_W_RESET_CARD)
    return do_reconnect (rd, 0);
  return pcsc_map_error (rv);
}

static int
pcsc_reconnect (tp_reader_t rd, int reset)
{
  return do_reconnect (rd, reset);
}

static void
pcsc_release (tp_reader_t rd)
{
  struct pcsc_priv *pp = rd->priv;

  if (!pp)
    return;
  if (pp->connected)
    SCardDisconnect (pp->card, SCARD_LEAVE_CARD);
  SCardReleaseContext (pp->ctx);
  xfree (pp);
  rd->priv = NULL;
}

static int
pcsc_control (tp_reader_t rd, unsigned long code, const unsigned char *in,
              size_t inlen, unsigned char *buf, size_t *buflen)
{
  struct pcsc_priv *pp = rd->priv;
  DWORD rlen = 0;
  LONG rv;

  rv = SCardControl (pp->card, code, in, inlen, buf, *buflen, &rlen);
  if (rv == SCARD_W_RESET_CARD)
    {
      int sw = do_reconnect (rd, 0);
      *buflen = 0;
      return sw ? sw : SW_HOST_CARD_RESET;
    }
  if (rv == SCARD_E_UNSUPPORTED_FEATURE)
    {
      *buflen = 0;
      return SW_HOST_NOT_SUPPORTED;
    }
  if (rv != SCARD_S_SUCCESS)
    {
      *buflen = 0;
      return pcsc_map_error (rv);
    }
  *buflen = rlen;
  return 0;
}

/* Ask the reader for its features (CM_IOCTL_GET_FEATURE_REQUEST):
 * TLVs of a tag, length 4 and a big-endian control code.  Readers
 * without any answer with an error; that is not ours.  */
static void
pcsc_read_features (tp_reader_t rd)
{
  struct pcsc_priv *pp = rd->priv;
  unsigned char buf[256];
  DWORD len = 0;
  size_t i;
  unsigned long code;

  if (SCardControl (pp->card, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0,
                    buf, sizeof buf, &len) != SCARD_S_SUCCESS
      || len > sizeof buf)
    return;
  for (i = 0; i + 6 <= len; i += 6)
    {
      if (buf[i + 1] != 4)
        break;
      code = ((unsigned long)buf[i + 2] << 24) | (buf[i + 3] << 16)
        | (buf[i + 4] << 8) | buf[i + 5];
      if (buf[i] == FEATURE_VERIFY_PIN_DIRECT)
        rd->pinpad_verify = code;
      else if (buf[i] == FEATURE_MODIFY_PIN_DIRECT)
        rd->pinpad_modify = code;
    }
}

static const struct tp_ops pcsc_ops =
  {
    "pcsc",
    pcsc_transmit,
    pcsc_status,
    pcsc_begin,
    pcsc_end,
    pcsc_reconnect,
    pcsc_release,
    pcsc_control
  };

/* Map a PC/SC return code of a management call to gpg_error_t.  */
static gpg_error_t
pcsc_gpg_error (LONG rv)
{
  switch (rv)
    {
    case SCARD_S_SUCCESS: return 0;
    case SCARD_E_NO_READERS_AVAILABLE:
    case SCARD_E_UNKNOWN_READER:
    case SCARD_E_READER_UNAVAILABLE:
    case SCARD_E_NO_SERVICE:
      return gpg_error (GPG_ERR_ENODEV);
    case SCARD_E_NO_SMARTCARD:
    case SCARD_W_REMOVED_CARD:
      return gpg_error (GPG_ERR_CARD_NOT_PRESENT);
    case SCARD_E_SHARING_VIOLATION:
      return gpg_error (GPG_ERR_EBUSY);
    case SCARD_E_NO_MEMORY:
      return gpg_error (GPG_ERR_ENOMEM);
    default:
      return gpg_error (GPG_ERR_CARD);
    }
}

gpg_error_t
pcsc_list_readers (char ***r_names)
{
  gpg_error_t err = 0;
  SCARDCONTEXT ctx;
  LONG rv;
  DWORD len = 0;
  char *buf = NULL;
  char **names = NULL;
  size_t n, i;
  const char *p;

  *r_names = NULL;
  rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
  if (rv != SCARD_S_SUCCESS)
    return pcsc_gpg_error (rv);
  rv = SCardListReaders (ctx, NULL, NULL, &len);
  if (rv == SCARD_E_NO_READERS_AVAILABLE)
    len = 0;
  else if (rv != SCARD_S_SUCCESS)
    {
      err = pcsc_gpg_error (rv);
      goto leave;
    }
  if (len)
    {
      buf = xtrymalloc (len + 1);
      if (!buf)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      rv = SCardListReaders (ctx, NULL, buf, &len);
      if (rv == SCARD_E_NO_READERS_AVAILABLE)
        len = 0;
      else if (rv != SCARD_S_SUCCESS)
        {
          err = pcsc_gpg_error (rv);
          goto leave;
        }
      buf[len] = 0;
    }
  /* Count the multi-string entries.  */
  n = 0;
  for (p = buf; p && p < buf + len && *p; p += strlen (p) + 1)
    n++;
  names = xtrycalloc (n + 1, sizeof *names);
  if (!names)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  i = 0;
  for (p = buf; p && p < buf + len && *p && i < n; p += strlen (p) + 1)
    {
      names[i] = xtrystrdup (p);
      if (!names[i])
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      i++;
    }
  *r_names = names;
  names = NULL;

 leave:
  tp_free_namelist (names);
  xfree (buf);
  SCardReleaseContext (ctx);
  return err;
}

int
pcsc_card_present (const char *name)
{
  SCARDCONTEXT ctx;
  SCARD_READERSTATE rs;
  LONG rv;
  int present = 0;

  rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
  if (rv != SCARD_S_SUCCESS)
    return 0;
  memset (&rs, 0, sizeof rs);
  rs.szReader = name;
  rs.dwCurrentState = SCARD_STATE_UNAWARE;
  rv = SCardGetStatusChange (ctx, 0, &rs, 1);
  if (rv == SCARD_S_SUCCESS && (rs.dwEventState & SCARD_STATE_PRESENT)
      && !(rs.dwEventState & SCARD_STATE_MUTE))
    present = 1;
  SCardReleaseContext (ctx);
  return present;
}

gpg_error_t
pcsc_open_reader (const char *name, tp_reader_t *r_rd)
{
  gpg_error_t err;
  tp_reader_t rd = NULL;
  struct pcsc_priv *pp = NULL;
  LONG rv;
  DWORD state, proto, atrlen, namelen;

  *r_rd = NULL;
  err = tp_reader_alloc (&pcsc_ops, name, &rd);
  if (err)
    goto leave;
  pp = xtrycalloc (1, sizeof *pp);
  if (!pp)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  rd->priv = pp;
  rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &pp->ctx);
  if (rv != SCARD_S_SUCCESS)
    {
      xfree (pp);
      rd->priv = NULL;
      err = pcsc_gpg_error (rv);
      goto leave;
    }
  rv = SCardConnect (pp->ctx, name, SCARD_SHARE_SHARED,
                     SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                     &pp->card, &pp->proto);
  if (rv != SCARD_S_SUCCESS)
    {
      err = pcsc_gpg_error (rv);
      goto leave;
    }
  pp->connected = 1;
  atrlen = sizeof rd->atr;
  namelen = 0;
  rv = SCardStatus (pp->card, NULL, &namelen, &state, &proto,
                    rd->atr, &atrlen);
  if (rv == SCARD_S_SUCCESS)
    rd->atrlen = atrlen;
  pcsc_read_features (rd);
  *r_rd = rd;
  rd = NULL;

 leave:
  tp_release (rd);
  return err;
}
