/* fuzz-scd-client.c - libFuzzer target: the scdaemon client (assuan/client/)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a scdaemon-protocol server says is untrusted by the card
 * backend.  The first input byte selects the mode:
 *
 *   0 (mod FCLI_LAST_)  the parsers alone: every following line
 *       "KEYWORD ARGS" is fed to scd_cardinfo_parse_status and
 *       scd_genkey_parse_status, and its arguments to scd_unescape,
 *       scd_serialno_to_ident and scd_check_canon_sexp.  Invariant:
 *       scd_escape_value then scd_unescape gives the bytes back.
 *   other               one client call (serialno, learn, readkey,
 *       pksign, genkey, get data, ...; bit 7 selects gpg-agent's dialect)
 *       against a server whose whole side of the conversation is the
 *       rest of the input (greeting, status, data, inquiries, OK/ERR),
 *       delivered over a socket.
 */
#include <config.h>
#include "fuzz.h"
#include "scd-client.h"
#include "scd-proto.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum
  {
    FCLI_PARSERS = 0,
    FCLI_SERIALNO, FCLI_CARD_LIST, FCLI_RESTART, FCLI_LEARN, FCLI_GETATTR,
    FCLI_SETATTR, FCLI_READKEY, FCLI_PKSIGN, FCLI_PKAUTH, FCLI_PKDECRYPT,
    FCLI_GENKEY, FCLI_WRITEKEY, FCLI_PASSWD, FCLI_CHECKPIN, FCLI_APDU,
    FCLI_RANDOM, FCLI_COMMAND,
    FCLI_LAST_
  };

/* An Ed25519 private key as gpg-agent sends it for WRITEKEY (a fixed
 * test key; the server side is played by the input anyway).  */
static const char keydata[] =
  "(11:private-key(3:ecc(5:curve7:Ed25519)(5:flags5:eddsa)"
  "(1:q33:@0123456789abcdef0123456789abcdef)"
  "(1:d32:0123456789abcdef0123456789abcdef)))";


static void
parse_lines (const unsigned char *data, size_t size)
{
  scd_cardinfo_t *info;
  scd_genkey_result_t *res;
  char *line;
  size_t n;

  info = xtrycalloc (1, sizeof *info);
  res = xtrycalloc (1, sizeof *res);
  line = xtrymalloc (size + 1);
  if (!info || !res || !line)
    goto leave;
  while (size)
    {
      const unsigned char *nl = memchr (data, '\n', size);
      char *args, *esc;
      unsigned char *buf, *back;
      size_t len, backlen;
      char ident[14];

      n = nl ? (size_t)(nl - data) : size;
      memcpy (line, data, n);
      line[n] = 0;
      data += n + (nl ? 1 : 0);
      size -= n + (nl ? 1 : 0);
      if (strlen (line) != n)
        continue;  /* A NUL cannot be on an Assuan line.  */
      args = line + strcspn (line, " ");
      if (*args)
        *args++ = 0;
      while (*args == ' ')
        args++;
      scd_cardinfo_parse_status (info, line, args);
      scd_genkey_parse_status (res, line, args);
      scd_serialno_to_ident (args, ident);
      scd_check_canon_sexp ((const unsigned char *)args, strlen (args));
      if (!scd_unescape (args, strlen (args), 1, &buf, &len))
        {
          fuzz_assert (!buf[len]);
          if (!scd_escape_value (buf, len, &esc))
            {
              fuzz_assert (!scd_unescape (esc, strlen (esc), 1,
                                          &back, &backlen));
              fuzz_assert (backlen == len && !memcmp (back, buf, len));
              xfree (back);
              xfree (esc);
            }
          xfree (buf);
        }
    }

 leave:
  xfree (line);
  scd_cardinfo_release (info);
  scd_genkey_result_release (res);
}


static gpg_error_t
pin_cb (void *opaque, const scd_pin_request_t *req, char **r_pin)
{
  (void)opaque;
  *r_pin = fuzz_secure_strdup (req->admin ? "12345678" : "123456");
  return *r_pin ? 0 : gpg_error (GPG_ERR_ENOMEM);
}


/* The server's reader: what the client writes (PINs, inquiry answers)
 * is read and dropped until the client closes its end.  Left unread,
 * a few hundred small writes (one socket buffer of per-write overhead)
 * would block the client forever, as no real server does.  */
static void *
drain (void *arg)
{
  int fd = *(int *)arg;
  char buf[4096];

  while (read (fd, buf, sizeof buf) > 0)
    ;
  return NULL;
}


/* Run client call OP (via gpg-agent's dialect if AGENT) against a
 * server that says DATA/SIZE.  */
static void
converse (int op, int agent, const unsigned char *data, size_t size)
{
  static const unsigned char digest[32] = { 1, 2, 3 };
  int sv[2];
  scd_client_t scd = NULL;
  scd_cardinfo_t *info = NULL;
  scd_genkey_result_t *res = NULL;
  unsigned char *buf = NULL;
  size_t len = 0;
  char **list = NULL, *serialno = NULL;
  pthread_t reader;

  if (size > 65536)
    return;
  if (socketpair (AF_UNIX, SOCK_STREAM, 0, sv))
    return;
  /* The server's side, then EOF; the client's lines are drained.  */
  if ((size && write (sv[1], data, size) != (ssize_t)size)
      || shutdown (sv[1], SHUT_WR))
    {
      close (sv[0]);
      close (sv[1]);
      return;
    }
  if (pthread_create (&reader, NULL, drain, &sv[1]))
    {
      close (sv[0]);
      close (sv[1]);
      return;
    }
  if (scd_client_connect_fd (&scd, sv[0], agent))
    {
      /* SV[0] was taken over; stop the reader from this side.  */
      shutdown (sv[1], SHUT_RD);
      pthread_join (reader, NULL);
      close (sv[1]);
      return;
    }
  scd_client_set_pin_cb (scd, pin_cb, NULL);
  switch (op)
    {
    case FCLI_SERIALNO:
      if (!scd_client_serialno (scd, agent ? NULL : "OPENPGP", &serialno))
        xfree (serialno);
      break;
    case FCLI_CARD_LIST:
      if (!scd_client_card_list (scd, &list, &len))
        scd_client_free_strlist (list);
      break;
    case FCLI_RESTART:
      scd_client_restart (scd);
      break;
    case FCLI_LEARN:
      if (!scd_client_learn (scd, &info))
        scd_cardinfo_release (info);
      break;
    case FCLI_GETATTR:
      info = xtrycalloc (1, sizeof *info);
      if (info)
        {
          scd_client_getattr (scd, "KEY-ATTR", info);
          scd_client_getattr (scd, "KEY-ATTR-INFO", info);
          scd_cardinfo_release (info);
        }
      break;
    case FCLI_SETATTR:
      scd_client_setattr (scd, "DISP-NAME", "OpenPGP CA", 10);
      break;
    case FCLI_READKEY:
      if (!scd_client_readkey (scd, "OPENPGP.3", &buf, &len))
        xfree (buf);
      break;
    case FCLI_PKSIGN:
      if (!scd_client_pksign (scd, "OPENPGP.1", "sha256", digest,
                              sizeof digest, &buf, &len))
        xfree (buf);
      break;
    case FCLI_PKAUTH:
      if (!scd_client_pkauth (scd, "OPENPGP.3", digest, sizeof digest,
                              &buf, &len))
        xfree (buf);
      break;
    case FCLI_PKDECRYPT:
      if (!scd_client_pkdecrypt (scd, "OPENPGP.2", digest, sizeof digest,
                                 &buf, &len))
        wipe_and_free (buf, len);
      break;
    case FCLI_GENKEY:
      if (!scd_client_genkey (scd, 3, SCD_GENKEY_FORCE, FUZZ_NOW,
                              "ed25519", &res))
        scd_genkey_result_release (res);
      break;
    case FCLI_WRITEKEY:
      scd_client_writekey (scd, "OPENPGP.3", 1,
                           (const unsigned char *)keydata,
                           sizeof keydata - 1);
      break;
    case FCLI_PASSWD:
      scd_client_passwd (scd, "OPENPGP.3", 0);
      scd_client_passwd (scd, "OPENPGP.1", SCD_PASSWD_RESET);
      break;
    case FCLI_CHECKPIN:
      scd_client_checkpin (scd, "D276000124010304FFFE012345670000");
      break;
    case FCLI_APDU:
      /* The typed calls on the APDU route: GET DATA 6E (the same line
       * the raw passthrough sent before), then the algorithm
       * information (DO FA, or KEY-ATTR-INFO).  */
      if (!scd_client_get_data (scd, 0x6E, &buf, &len))
        xfree (buf);
      {
        card_algoinfo_t *algos = NULL;
        size_t count = 0;

        if (!scd_client_algoinfo (scd, &algos, &count))
          xfree (algos);
      }
      break;
    case FCLI_RANDOM:
      if (!scd_client_random (scd, 32, &buf))
        xfree (buf);
      break;
    case FCLI_COMMAND:
      if (!scd_client_command (scd, "GETINFO version", NULL, NULL,
                               &buf, &len))
        xfree (buf);
      break;
    default:
      break;
    }
  scd_client_release (scd);
  pthread_join (reader, NULL);
  close (sv[1]);
}


int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  fuzz_init ();
  /* The client writes to a server that may be gone.  */
  signal (SIGPIPE, SIG_IGN);
  return 0;
}


int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  unsigned int sel;

  if (!size)
    return 0;
  sel = data[0];
  if ((sel & 0x7f) % FCLI_LAST_ == FCLI_PARSERS)
    parse_lines (data + 1, size - 1);
  else
    converse ((sel & 0x7f) % FCLI_LAST_, !!(sel & 0x80), data + 1, size - 1);
  return 0;
}
