/* ifd-pinpad.c - a pin-pad reader for pcscd whose keypad the tests drive
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An IFD handler (pcsc-lite reader driver, API 3.0) loaded by pcscd
 * from a reader.conf.d entry of the test harness (harness.sh).  Its
 * card side speaks vpcd's socket protocol, so oca-vcard plugs into it
 * as into a vpcd slot: the driver listens on a loopback TCP port; a
 * program that connects is an inserted card, closing the socket
 * removes it; every message is a 2-byte big-endian length and that many
 * bytes; a 1-byte message from the reader is a control code (00 power
 * off, 01 power on, 02 reset, 04 ATR), a longer one an APDU.
 *
 *   DEVICENAME <keypad dir>:<port>     (port decimal or 0x hex)
 *
 * What makes it a pin-pad reader: IFDHControl answers
 * CM_IOCTL_GET_FEATURE_REQUEST (SCARD_CTL_CODE(3400)) with
 * FEATURE_VERIFY_PIN_DIRECT and FEATURE_MODIFY_PIN_DIRECT, and runs
 * both as a CCID reader does (PC/SC part 10, CCID 1.1 §6.1.11): the
 * PIN_VERIFY_STRUCTURE / PIN_MODIFY_STRUCTURE is checked as strictly
 * as libccid and reader firmware check it (structure too short or
 * ulDataLength not matching: refused as libccid refuses it; an
 * unknown PIN format, a PIN block that cannot hold the longest PIN,
 * minimum above maximum, an APDU whose Lc does not match the PIN
 * block: refused as the reader's firmware refuses it), the PIN is
 * taken from the keypad, formatted into the APDU's empty PIN field
 * (ASCII, BCD or binary; left or right justified; the PIN length
 * inserted where bmPINLengthFormat says; variable length: Lc set to
 * the PIN's size), the APDU goes to the card, and the card's status
 * word is the answer.  Cancel answers 64 01, a timeout 64 00, a PIN
 * shorter or longer than the limits 64 03, two new PINs that differ
 * 64 02, as CCID readers (through libccid) answer.
 *
 * The keypad is the file <dir>/keys, one line per PIN entry, consumed
 * in order (under an flock of <dir>/keys.lock):
 *   DIGITS            the digits typed, then the OK key
 *   DIGITS DIGITS ... for MODIFY: current PIN (if asked), new PIN,
 *                     confirmation (if asked)
 *   cancel            the Cancel key
 *   timeout           nobody types: the reader's timer runs out
 * With no line waiting the reader waits for one until its timer runs
 * out (bTimerOut seconds, 0 = the reader's default of 30), then
 * answers 64 00.  When bEntryValidationCondition does not allow the
 * OK key, the entry ends only when the maximum length is reached.
 * Every operation appends a line to <dir>/log (never the PIN):
 *   verify 00 20 00 81 min 6 max 127 -> 9000
 *   refused: <reason>
 */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ifdhandler.h>
#include <reader.h>

#define CLASS2_IOCTL_MAGIC 0x330000
#define IOCTL_VERIFY SCARD_CTL_CODE (FEATURE_VERIFY_PIN_DIRECT \
                                     + CLASS2_IOCTL_MAGIC)
#define IOCTL_MODIFY SCARD_CTL_CODE (FEATURE_MODIFY_PIN_DIRECT \
                                     + CLASS2_IOCTL_MAGIC)
#define DEFAULT_TIMEOUT 30      /* Seconds, when bTimerOut is 0.  */
#define MAX_MSG 70000
#define MAX_PIN 64              /* Digits the keypad takes at most.  */
/* (A longer keypad line is an entry the reader never completes.)  */

/* The one slot.  */
static struct
{
  char dir[512];
  unsigned int port;
  int lfd;                      /* Listening socket.  */
  int fd;                       /* The card, or -1.  */
  unsigned char atr[40];
  size_t atrlen;
} rd = { "", 0, -1, -1, { 0 }, 0 };

static void logline (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2)));

static void
logline (const char *fmt, ...)
{
  char path[600];
  FILE *fp;
  va_list ap;

  snprintf (path, sizeof path, "%s/log", rd.dir);
  fp = fopen (path, "a");
  if (!fp)
    return;
  va_start (ap, fmt);
  vfprintf (fp, fmt, ap);
  va_end (ap);
  fputc ('\n', fp);
  fclose (fp);
}

static void
wipe (void *p, size_t n)
{
  volatile unsigned char *v = p;

  while (n--)
    *v++ = 0;
}

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}


/*-- The card side: vpcd's protocol.  --*/

static void
drop_card (void)
{
  if (rd.fd >= 0)
    close (rd.fd);
  rd.fd = -1;
  rd.atrlen = 0;
}

static int
write_full (int fd, const unsigned char *p, size_t n)
{
  ssize_t w;

  while (n)
    {
      w = write (fd, p, n);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return -1;
      p += w;
      n -= w;
    }
  return 0;
}

static int
read_full (int fd, unsigned char *p, size_t n)
{
  ssize_t r;
  int one = 1;

  while (n)
    {
      setsockopt (fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
      r = read (fd, p, n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return -1;
      p += r;
      n -= r;
    }
  return 0;
}

/* Send MSG (one write) and, if WANT, read the answer into BUF of
 * *BUFLEN bytes.  -1 on a broken connection (the card is gone).  */
static int
card_exchange (const unsigned char *msg, size_t len, int want,
               unsigned char *buf, size_t *buflen)
{
  unsigned char *out;
  unsigned char hdr[2];
  size_t n;

  if (rd.fd < 0 || len > MAX_MSG)
    return -1;
  out = malloc (len + 2);
  if (!out)
    return -1;
  out[0] = len >> 8;
  out[1] = len;
  memcpy (out + 2, msg, len);
  if (write_full (rd.fd, out, len + 2))
    {
      wipe (out, len + 2);
      free (out);
      drop_card ();
      return -1;
    }
  wipe (out, len + 2);
  free (out);
  if (!want)
    return 0;
  if (read_full (rd.fd, hdr, 2))
    {
      drop_card ();
      return -1;
    }
  n = (hdr[0] << 8) | hdr[1];
  if (n > *buflen)
    {
      drop_card ();
      return -1;
    }
  if (n && read_full (rd.fd, buf, n))
    {
      drop_card ();
      return -1;
    }
  *buflen = n;
  return 0;
}

/* Take a waiting card connection, if any.  */
static void
accept_card (void)
{
  int fd, one = 1;

  if (rd.fd >= 0 || rd.lfd < 0)
    return;
  fd = accept4 (rd.lfd, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0)
    return;
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  rd.fd = fd;
}


/*-- The keypad.  --*/

/* Take the first line of <dir>/keys into LINE (SIZE bytes).  Returns
 * 1 if a line was taken, 0 if none waits.  */
static int
keypad_take (char *line, size_t size)
{
  char path[600], tmp[600], lockp[600];
  char *buf = NULL, *nl;
  size_t len = 0, n;
  FILE *fp;
  int lk, got = 0;

  snprintf (path, sizeof path, "%s/keys", rd.dir);
  snprintf (tmp, sizeof tmp, "%s/keys.tmp", rd.dir);
  snprintf (lockp, sizeof lockp, "%s/keys.lock", rd.dir);
  lk = open (lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lk < 0)
    return 0;
  flock (lk, LOCK_EX);
  fp = fopen (path, "r");
  if (fp)
    {
      buf = malloc (65536);
      if (buf)
        len = fread (buf, 1, 65535, fp);
      fclose (fp);
    }
  if (buf && len)
    {
      buf[len] = 0;
      nl = strchr (buf, '\n');
      n = nl ? (size_t)(nl - buf) : len;
      if (n < size)
        {
          memcpy (line, buf, n);
          line[n] = 0;
          got = 1;
        }
      fp = fopen (tmp, "w");
      if (fp)
        {
          if (nl)
            fwrite (nl + 1, 1, len - (nl + 1 - buf), fp);
          fclose (fp);
          rename (tmp, path);
        }
      wipe (buf, len);
    }
  free (buf);
  flock (lk, LOCK_UN);
  close (lk);
  return got;
}

/* What the keypad gave.  */
enum entry { E_PIN, E_CANCEL, E_TIMEOUT };

/* Wait up to TIMEOUT seconds for a keypad line.  */
static enum entry
keypad_wait (unsigned int timeout, char *line, size_t size)
{
  double end = now () + timeout;
  struct timespec ms = { 0, 50000000L };

  for (;;)
    {
      if (keypad_take (line, size))
        {
          if (!strcmp (line, "cancel"))
            return E_CANCEL;
          if (!strcmp (line, "timeout"))
            return E_TIMEOUT;
          return E_PIN;
        }
      if (now () >= end)
        return E_TIMEOUT;
      nanosleep (&ms, NULL);
    }
}


/*-- PIN formatting (PC/SC part 10, CCID §6.1.11).  --*/

/* The fields both structures share.  */
struct pinfmt
{
  unsigned int timeout;
  unsigned char fmt;            /* bmFormatString */
  unsigned char block;          /* bmPINBlockString */
  unsigned char lenfmt;         /* bmPINLengthFormat */
  unsigned int minlen, maxlen;
  unsigned char valid;          /* bEntryValidationCondition */
  const unsigned char *apdu;
  size_t apdulen;
};

/* Write the low NBITS of VALUE at bit offset POS (MSB first).  */
static void
put_bits (unsigned char *p, size_t pos, unsigned int nbits,
          unsigned int value)
{
  unsigned int i, bit;

  for (i = 0; i < nbits; i++)
    {
      bit = (value >> (nbits - 1 - i)) & 1;
      if (bit)
        p[(pos + i) / 8] |= 0x80 >> ((pos + i) % 8);
      else
        p[(pos + i) / 8] &= ~(0x80 >> ((pos + i) % 8));
    }
}

/* Bits one digit takes in format FMT.  */
static unsigned int
digit_bits (unsigned char fmt)
{
  return (fmt & 3) == 1 ? 4 : 8;
}

/* Write the N digits of PIN at bit offset POS of FIELD as format FMT
 * (bmFormatString) says.  */
static void
put_digits (unsigned char *field, size_t pos, const char *pin, size_t n,
            unsigned char fmt)
{
  unsigned int db = digit_bits (fmt), v;
  size_t i;

  for (i = 0; i < n; i++)
    {
      v = pin[i] - '0';
      if ((fmt & 3) == 2)
        v += '0';
      put_bits (field, pos + i * db, db, v);
    }
}

/* Check what the reader's firmware checks.  NULL if fine, else why
 * not.  BLOCKROOM: the bytes of the PIN field in the APDU.  */
static const char *
check_format (const struct pinfmt *f)
{
  unsigned int blocksize = f->block & 0x0f;
  unsigned int lenbits = f->block >> 4;
  unsigned int units = (f->fmt & 0x80) ? 8 : 1;
  unsigned int pos = ((f->fmt >> 3) & 0x0f) * units;
  unsigned int lenunits = (f->lenfmt & 0x10) ? 8 : 1;

  if ((f->fmt & 3) == 3)
    return "bmFormatString: PIN type RFU";
  if (f->lenfmt & 0xe0)
    return "bmPINLengthFormat: RFU bits set";
  if (f->maxlen == 0 || f->minlen > f->maxlen)
    return "wPINMaxExtraDigit: bad minimum/maximum";
  if (lenbits && lenbits != 4 && lenbits != 8)
    return "bmPINBlockString: PIN length field size not 4 or 8 bits";
  if (f->apdulen < 4)
    return "APDU shorter than its header";
  if (f->apdulen == 4)
    {
      if (blocksize)
        return "APDU without Lc but a fixed PIN block";
      return NULL;
    }
  if (f->apdu[4] != blocksize || f->apdulen != 5 + blocksize)
    return "APDU's Lc does not match the PIN block";
  if (blocksize)
    {
      if (pos + f->maxlen * digit_bits (f->fmt) > blocksize * 8)
        return "PIN block cannot hold the maximum PIN length";
      if (lenbits
          && (f->lenfmt & 0x0f) * lenunits + lenbits > blocksize * 8)
        return "PIN length field outside the PIN block";
    }
  else if (lenbits || pos)
    return "variable PIN length with a PIN position or length field";
  return NULL;
}

/* Format PIN (digits) into a copy of the APDU: *R_APDU (malloced),
 * *R_LEN.  */
static int
format_apdu (const struct pinfmt *f, const char *pin,
             unsigned char **r_apdu, size_t *r_len)
{
  unsigned int blocksize = f->block & 0x0f;
  unsigned int lenbits = f->block >> 4;
  unsigned int units = (f->fmt & 0x80) ? 8 : 1;
  unsigned int pos = ((f->fmt >> 3) & 0x0f) * units;
  unsigned int lenunits = (f->lenfmt & 0x10) ? 8 : 1;
  unsigned int db = digit_bits (f->fmt);
  size_t n = strlen (pin), fieldlen, total;
  unsigned char *a, *field;

  fieldlen = blocksize ? blocksize : (n * db + 7) / 8;
  total = 5 + fieldlen;
  a = calloc (1, total);
  if (!a)
    return -1;
  memcpy (a, f->apdu, 4);
  a[4] = fieldlen;
  field = a + 5;
  if (blocksize)
    memcpy (field, f->apdu + 5, blocksize);   /* The padding given.  */
  else if (db == 4)
    memset (field, 0xff, fieldlen);
  if ((f->fmt & 0x04) && blocksize)     /* Right justified.  */
    pos = blocksize * 8 - n * db;
  put_digits (field, pos, pin, n, f->fmt);
  if (lenbits)
    put_bits (field, (f->lenfmt & 0x0f) * lenunits, lenbits, n);
  *r_apdu = a;
  *r_len = total;
  return 0;
}

static int
all_digits (const char *s)
{
  if (!*s)
    return 0;
  for (; *s; s++)
    if (*s < '0' || *s > '9')
      return 0;
  return 1;
}

/* Is a PIN of N digits complete by the validation condition?  A PIN
 * the OK key cannot end is complete only at the maximum length.  */
static int
entry_complete (const struct pinfmt *f, size_t n)
{
  if ((f->valid & 0x02))
    return 1;
  return (f->valid & 0x01) && n == f->maxlen;
}

static void
put_sw (unsigned char *rx, DWORD *rxlen, unsigned int sw)
{
  rx[0] = sw >> 8;
  rx[1] = sw;
  *rxlen = 2;
}

/* Send APDU (ALEN bytes, malloced: wiped and freed), which holds the
 * PIN(s) of WHAT; the card's answer goes to RX.  F: the structure's
 * format, for the log.  */
static RESPONSECODE
send_apdu (const struct pinfmt *f, unsigned char *apdu, size_t alen,
           unsigned char *rx, DWORD rxsize, DWORD *rxlen, const char *what)
{
  unsigned char resp[300];
  size_t rlen = sizeof resp;
  int rc;

  rc = card_exchange (apdu, alen, 1, resp, &rlen);
  wipe (apdu, alen);
  free (apdu);
  if (rc || rlen < 2)
    {
      logline ("%s: card gone", what);
      return IFD_COMMUNICATION_ERROR;
    }
  if (rlen > rxsize)
    return IFD_ERROR_INSUFFICIENT_BUFFER;
  memcpy (rx, resp, rlen);
  *rxlen = rlen;
  logline ("%s %02X %02X %02X %02X min %u max %u -> %02X%02X", what,
           f->apdu[0], f->apdu[1], f->apdu[2], f->apdu[3],
           f->minlen, f->maxlen, resp[rlen - 2], resp[rlen - 1]);
  return IFD_SUCCESS;
}

/* Send the APDU of F with PIN formatted into it; the card's answer
 * goes to RX.  */
static RESPONSECODE
send_formatted (const struct pinfmt *f, const char *pin,
                unsigned char *rx, DWORD rxsize, DWORD *rxlen,
                const char *what)
{
  unsigned char *apdu = NULL;
  size_t alen = 0;

  if (format_apdu (f, pin, &apdu, &alen))
    return IFD_COMMUNICATION_ERROR;
  return send_apdu (f, apdu, alen, rx, rxsize, rxlen, what);
}

/* Collect one PIN entry for WHAT into PINS[0..NPINS-1] (each
 * MAX_PIN+1 bytes).  Returns 0 or the status word to answer.  */
static unsigned int
collect (const struct pinfmt *f, unsigned int npins,
         char pins[][MAX_PIN + 1], const char *what)
{
  char line[512], *p, *tok, *save = NULL;
  unsigned int k = 0;
  enum entry e;

  e = keypad_wait (f->timeout ? f->timeout : DEFAULT_TIMEOUT,
                   line, sizeof line);
  if (e == E_CANCEL)
    {
      logline ("%s: cancel -> 6401", what);
      return 0x6401;
    }
  if (e == E_TIMEOUT)
    {
      logline ("%s: timeout -> 6400", what);
      return 0x6400;
    }
  for (p = line; (tok = strtok_r (p, " \t", &save)); p = NULL)
    {
      if (k == npins || !all_digits (tok) || strlen (tok) > MAX_PIN)
        {
          k = npins + 1;
          break;
        }
      strcpy (pins[k++], tok);
    }
  wipe (line, sizeof line);
  if (k != npins)
    {
      logline ("%s: keypad line not %u PIN(s) of digits -> 6400", what,
               npins);
      return 0x6400;
    }
  for (k = 0; k < npins; k++)
    {
      size_t n = strlen (pins[k]);

      if (n < f->minlen || n > f->maxlen)
        {
          logline ("%s: PIN length %zu outside %u..%u -> 6403", what, n,
                   f->minlen, f->maxlen);
          return 0x6403;
        }
      if (!entry_complete (f, n))
        {
          logline ("%s: entry not complete (no OK key) -> 6400", what);
          return 0x6400;
        }
    }
  return 0;
}

/* libccid's own checks of a PIN_VERIFY_STRUCTURE or
 * PIN_MODIFY_STRUCTURE (NAME) whose APDU starts at byte HDR, after its
 * ulDataLength; IFD_SUCCESS if it passes.  Then the fields both have
 * into F: bmFormatString and what follows it at bytes 2 to 4,
 * wPINMaxExtraDigit (the maximum, then the minimum PIN length) at
 * MAXOFF, bEntryValidationCondition at VALIDOFF (0 or RFU: 2, the OK
 * key, as libccid corrects it), the APDU.  */
static RESPONSECODE
read_structure (const unsigned char *tx, DWORD txlen, DWORD hdr,
                const char *name, unsigned int maxoff, unsigned int validoff,
                DWORD rxsize, struct pinfmt *f)
{
  if (txlen < hdr + 4)
    {
      logline ("refused: %s too short (%lu)", name, (unsigned long)txlen);
      return IFD_NOT_SUPPORTED;
    }
  if (((unsigned long)tx[hdr - 4] | tx[hdr - 3] << 8 | tx[hdr - 2] << 16
       | (unsigned long)tx[hdr - 1] << 24) + hdr != txlen)
    {
      logline ("refused: ulDataLength does not match");
      return IFD_NOT_SUPPORTED;
    }
  if (rxsize < 2)
    return IFD_ERROR_INSUFFICIENT_BUFFER;
  memset (f, 0, sizeof *f);
  f->timeout = tx[0];
  f->fmt = tx[2];
  f->block = tx[3];
  f->lenfmt = tx[4];
  f->maxlen = tx[maxoff];
  f->minlen = tx[maxoff + 1];
  f->valid = tx[validoff];
  if (!f->valid || f->valid > 7)
    f->valid = 0x02;
  f->apdu = tx + hdr;
  f->apdulen = txlen - hdr;
  return IFD_SUCCESS;
}

/* The PIN entry of WHAT once its structure F is checked (WHY: why it
 * is refused, or NULL): NPINS PINs typed into PINS.  0 when they are
 * there, else the caller answers *R_RC at once: the refusal, no card,
 * or (IFD_SUCCESS) the status word of the entry put in RX.  */
static int
take_pins (const char *why, const struct pinfmt *f, unsigned int npins,
           char pins[][MAX_PIN + 1], const char *what, unsigned char *rx,
           DWORD *rxlen, RESPONSECODE *r_rc)
{
  unsigned int sw;

  if (why)
    {
      logline ("refused: %s", why);
      *r_rc = IFD_COMMUNICATION_ERROR;
      return 1;
    }
  if (rd.fd < 0)
    {
      *r_rc = IFD_ICC_NOT_PRESENT;
      return 1;
    }
  sw = collect (f, npins, pins, what);
  if (sw)
    {
      put_sw (rx, rxlen, sw);
      *r_rc = IFD_SUCCESS;
      return 1;
    }
  return 0;
}

static RESPONSECODE
do_verify (const unsigned char *tx, DWORD txlen, unsigned char *rx,
           DWORD rxsize, DWORD *rxlen)
{
  struct pinfmt f;
  const char *why;
  char pins[1][MAX_PIN + 1];
  RESPONSECODE rc;

  rc = read_structure (tx, txlen, 19, "PIN_VERIFY_STRUCTURE", 5, 7, rxsize,
                       &f);
  if (rc != IFD_SUCCESS)
    return rc;
  if (tx[8] > 3 && tx[8] != 0xff)
    why = "bNumberMessage not 0..3 or FF";
  else
    why = check_format (&f);
  if (take_pins (why, &f, 1, pins, "verify", rx, rxlen, &rc))
    return rc;
  rc = send_formatted (&f, pins[0], rx, rxsize, rxlen, "verify");
  wipe (pins, sizeof pins);
  return rc;
}

/* MODIFY: the APDU's data holds the current PIN's field at
 * bInsertionOffsetOld and the new one's at bInsertionOffsetNew; we
 * support what OpenPGP cards take: both fields of the same format,
 * variable length (CHANGE REFERENCE DATA with old || new), or fixed
 * blocks at the given offsets.  */
static RESPONSECODE
do_modify (const unsigned char *tx, DWORD txlen, unsigned char *rx,
           DWORD rxsize, DWORD *rxlen)
{
  struct pinfmt f;
  const char *why = NULL;
  char pins[3][MAX_PIN + 1];
  unsigned int npins, confirm, offold, offnew, blocksize, k;
  unsigned char *apdu = NULL;
  size_t alen, n0, n1;
  RESPONSECODE rc;

  rc = read_structure (tx, txlen, 24, "PIN_MODIFY_STRUCTURE", 7, 10, rxsize,
                       &f);
  if (rc != IFD_SUCCESS)
    return rc;
  offold = tx[5];
  offnew = tx[6];
  confirm = tx[9];
  blocksize = f.block & 0x0f;
  if (confirm > 3)
    why = "bConfirmPIN: RFU bits set";
  else if (tx[11] > 3 && tx[11] != 0xff)
    why = "bNumberMessage not 0..3 or FF";
  else if ((f.fmt & 3) == 3)
    why = "bmFormatString: PIN type RFU";
  else if (f.maxlen == 0 || f.minlen > f.maxlen)
    why = "wPINMaxExtraDigit: bad minimum/maximum";
  else if (f.block >> 4 || (f.fmt & 0x78) || f.lenfmt)
    why = "PIN length field or position: not supported by this reader";
  else if (!blocksize && f.apdulen != 4 && !(f.apdulen == 5 && !f.apdu[4]))
    why = "variable PIN length but the APDU has a PIN field";
  else if (blocksize
           && (f.apdulen < 5 || f.apdu[4] + 5u != f.apdulen
               || offold + blocksize > f.apdu[4]
               || offnew + blocksize > f.apdu[4]
               || f.maxlen * digit_bits (f.fmt) > blocksize * 8))
    why = "APDU's PIN fields do not match the PIN block";
  npins = 1 + !!(confirm & 2) + !!(confirm & 1);
  if (take_pins (why, &f, npins, pins, "modify", rx, rxlen, &rc))
    return rc;
  k = (confirm & 2) ? 1 : 0;
  if ((confirm & 1) && strcmp (pins[k], pins[k + 1]))
    {
      wipe (pins, sizeof pins);
      logline ("modify: new PINs differ -> 6402");
      put_sw (rx, rxlen, 0x6402);
      return IFD_SUCCESS;
    }
  /* Build the data: fixed blocks in place, or old || new.  */
  n0 = (confirm & 2) ? strlen (pins[0]) : 0;
  n1 = strlen (pins[k]);
  if (blocksize)
    alen = f.apdulen;
  else
    alen = 5 + n0 + n1;
  apdu = calloc (1, alen);
  if (!apdu)
    return IFD_COMMUNICATION_ERROR;
  memcpy (apdu, f.apdu, blocksize ? f.apdulen : 4);
  if (blocksize)
    {
      if (confirm & 2)
        put_digits (apdu + 5 + offold, 0, pins[0], n0, f.fmt);
      put_digits (apdu + 5 + offnew, 0, pins[k], n1, f.fmt);
    }
  else
    {
      apdu[4] = n0 + n1;
      memcpy (apdu + 5, pins[0], n0);
      memcpy (apdu + 5 + n0, pins[k], n1);
    }
  wipe (pins, sizeof pins);
  return send_apdu (&f, apdu, alen, rx, rxsize, rxlen, "modify");
}


/*-- The IFD handler API.  --*/

RESPONSECODE
IFDHCreateChannelByName (DWORD Lun, LPSTR DeviceName)
{
  struct sockaddr_in sa;
  const char *colon;
  char *end;
  unsigned long port;
  int one = 1;

  (void)Lun;
  colon = DeviceName ? strrchr (DeviceName, ':') : NULL;
  if (!colon || (size_t)(colon - DeviceName) >= sizeof rd.dir)
    return IFD_COMMUNICATION_ERROR;
  port = strtoul (colon + 1, &end, 0);
  if (*end || !port || port > 65535)
    return IFD_COMMUNICATION_ERROR;
  memcpy (rd.dir, DeviceName, colon - DeviceName);
  rd.dir[colon - DeviceName] = 0;
  mkdir (rd.dir, 0700);
  rd.port = port;
  rd.lfd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (rd.lfd < 0)
    return IFD_COMMUNICATION_ERROR;
  setsockopt (rd.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  memset (&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (rd.lfd, (struct sockaddr *)&sa, sizeof sa)
      || listen (rd.lfd, 1))
    {
      close (rd.lfd);
      rd.lfd = -1;
      return IFD_COMMUNICATION_ERROR;
    }
  return IFD_SUCCESS;
}

RESPONSECODE
IFDHCreateChannel (DWORD Lun, DWORD Channel)
{
  char name[64];

  snprintf (name, sizeof name, "/tmp/oca-pinpad:%lu",
            (unsigned long)Channel);
  return IFDHCreateChannelByName (Lun, name);
}

RESPONSECODE
IFDHCloseChannel (DWORD Lun)
{
  (void)Lun;
  drop_card ();
  if (rd.lfd >= 0)
    close (rd.lfd);
  rd.lfd = -1;
  return IFD_SUCCESS;
}

RESPONSECODE
IFDHGetCapabilities (DWORD Lun, DWORD Tag, PDWORD Length, PUCHAR Value)
{
  (void)Lun;
  switch (Tag)
    {
    case TAG_IFD_ATR:
    case SCARD_ATTR_ATR_STRING:
      if (*Length < rd.atrlen)
        return IFD_ERROR_INSUFFICIENT_BUFFER;
      memcpy (Value, rd.atr, rd.atrlen);
      *Length = rd.atrlen;
      return IFD_SUCCESS;
    case TAG_IFD_SLOTS_NUMBER:
    case TAG_IFD_SIMULTANEOUS_ACCESS:
      if (*Length < 1)
        return IFD_ERROR_INSUFFICIENT_BUFFER;
      Value[0] = 1;
      *Length = 1;
      return IFD_SUCCESS;
    case TAG_IFD_THREAD_SAFE:
    case TAG_IFD_SLOT_THREAD_SAFE:
      if (*Length < 1)
        return IFD_ERROR_INSUFFICIENT_BUFFER;
      Value[0] = 0;
      *Length = 1;
      return IFD_SUCCESS;
    default:
      return IFD_ERROR_TAG;
    }
}

RESPONSECODE
IFDHSetCapabilities (DWORD Lun, DWORD Tag, DWORD Length, PUCHAR Value)
{
  (void)Lun; (void)Tag; (void)Length; (void)Value;
  return IFD_NOT_SUPPORTED;
}

RESPONSECODE
IFDHSetProtocolParameters (DWORD Lun, DWORD Protocol, UCHAR Flags,
                           UCHAR PTS1, UCHAR PTS2, UCHAR PTS3)
{
  (void)Lun; (void)Flags; (void)PTS1; (void)PTS2; (void)PTS3;
  if (Protocol != SCARD_PROTOCOL_T0 && Protocol != SCARD_PROTOCOL_T1)
    return IFD_PROTOCOL_NOT_SUPPORTED;
  return IFD_SUCCESS;
}

RESPONSECODE
IFDHPowerICC (DWORD Lun, DWORD Action, PUCHAR Atr, PDWORD AtrLength)
{
  unsigned char code, buf[64];
  size_t n = sizeof buf;

  (void)Lun;
  accept_card ();
  if (rd.fd < 0)
    {
      *AtrLength = 0;
      return IFD_ICC_NOT_PRESENT;
    }
  if (Action == IFD_POWER_DOWN)
    {
      code = 0x00;
      card_exchange (&code, 1, 0, NULL, NULL);
      *AtrLength = 0;
      return IFD_SUCCESS;
    }
  if (Action != IFD_POWER_UP && Action != IFD_RESET)
    return IFD_NOT_SUPPORTED;
  code = Action == IFD_POWER_UP ? 0x01 : 0x02;
  if (card_exchange (&code, 1, 0, NULL, NULL))
    return IFD_ERROR_POWER_ACTION;
  code = 0x04;
  if (card_exchange (&code, 1, 1, buf, &n) || !n || n > sizeof rd.atr
      || n > MAX_ATR_SIZE)
    return IFD_ERROR_POWER_ACTION;
  memcpy (rd.atr, buf, n);
  rd.atrlen = n;
  memcpy (Atr, buf, n);
  *AtrLength = n;
  return IFD_SUCCESS;
}

RESPONSECODE
IFDHTransmitToICC (DWORD Lun, SCARD_IO_HEADER SendPci, PUCHAR TxBuffer,
                   DWORD TxLength, PUCHAR RxBuffer, PDWORD RxLength,
                   PSCARD_IO_HEADER RecvPci)
{
  size_t n = *RxLength;

  (void)Lun; (void)SendPci; (void)RecvPci;
  if (rd.fd < 0)
    {
      *RxLength = 0;
      return IFD_ICC_NOT_PRESENT;
    }
  if (TxLength < 4 || card_exchange (TxBuffer, TxLength, 1, RxBuffer, &n))
    {
      *RxLength = 0;
      return IFD_COMMUNICATION_ERROR;
    }
  *RxLength = n;
  return IFD_SUCCESS;
}

RESPONSECODE
IFDHControl (DWORD Lun, DWORD dwControlCode, PUCHAR TxBuffer,
             DWORD TxLength, PUCHAR RxBuffer, DWORD RxLength,
             LPDWORD pdwBytesReturned)
{
  (void)Lun;
  *pdwBytesReturned = 0;
  if (dwControlCode == CM_IOCTL_GET_FEATURE_REQUEST)
    {
      static const struct { unsigned char tag; unsigned long code; } f[] =
        { { FEATURE_VERIFY_PIN_DIRECT, IOCTL_VERIFY },
          { FEATURE_MODIFY_PIN_DIRECT, IOCTL_MODIFY } };
      unsigned int i;

      if (RxLength < 12)
        return IFD_ERROR_INSUFFICIENT_BUFFER;
      for (i = 0; i < 2; i++)
        {
          RxBuffer[6 * i] = f[i].tag;
          RxBuffer[6 * i + 1] = 4;
          RxBuffer[6 * i + 2] = f[i].code >> 24;
          RxBuffer[6 * i + 3] = f[i].code >> 16;
          RxBuffer[6 * i + 4] = f[i].code >> 8;
          RxBuffer[6 * i + 5] = f[i].code;
        }
      *pdwBytesReturned = 12;
      return IFD_SUCCESS;
    }
  if (dwControlCode == IOCTL_VERIFY)
    return do_verify (TxBuffer, TxLength, RxBuffer, RxLength,
                      pdwBytesReturned);
  if (dwControlCode == IOCTL_MODIFY)
    return do_modify (TxBuffer, TxLength, RxBuffer, RxLength,
                      pdwBytesReturned);
  return IFD_ERROR_NOT_SUPPORTED;
}

RESPONSECODE
IFDHICCPresence (DWORD Lun)
{
  struct pollfd p;
  char c;
  ssize_t r;

  (void)Lun;
  if (rd.fd < 0)
    accept_card ();
  if (rd.fd < 0)
    return IFD_ICC_NOT_PRESENT;
  p.fd = rd.fd;
  p.events = POLLIN;
  p.revents = 0;
  if (poll (&p, 1, 0) > 0)
    {
      r = recv (rd.fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
      if (r <= 0 && !(r < 0 && (errno == EAGAIN || errno == EINTR)))
        {
          drop_card ();
          return IFD_ICC_NOT_PRESENT;
        }
    }
  return IFD_ICC_PRESENT;
}
