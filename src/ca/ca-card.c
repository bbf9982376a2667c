/* ca-card.c - the OpenPGP card backend: the CA key on a card
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See ca-card.h for the model.  This file has three parts:
 *
 *   configuration  parsing and building "card;IDENT;PIN[;ROUTE]";
 *   connection     an scd_client_t (oca-scd on a pipe, or gpg-agent)
 *                  plus the PIN state that answers the server's PIN
 *                  inquiries, and the card operations the flows of
 *                  cmd-card.c are built from;
 *   backend        the ca_backend_t whose signers compute
 *                  certifications with INTERNAL AUTHENTICATE on the AUT
 *                  slot (PKAUTH OPENPGP.3) and signatures with PSO:CDS
 *                  on the SIG slot (PKSIGN OPENPGP.1).
 *
 * PIN safety.  The stored PIN is only given when the server asks for
 * it.  A PIN the card rejects is never sent again in this process (the
 * connection latches the failure), and a card with fewer than two User
 * PIN tries left is not tried at all, so a wrong stored PIN cannot
 * block the card.
 *
 * Every signature the card returns is verified with the public key
 * before it is handed to the OpenPGP layer, so a misbehaving card or
 * server can not make the CA store bad certifications.
 */
#include <config.h>
#include "ca-card.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "membuf.h"

/* The installed oca-scd (set by card.am), tried in this order.  */
#ifndef OCA_SCD_LIBEXEC
# define OCA_SCD_LIBEXEC "/usr/local/libexec/oca-scd"
#endif
#ifndef OCA_SCD_BINDIR
# define OCA_SCD_BINDIR "/usr/local/bin/oca-scd"
#endif

/* Route chosen with the global --scd option, or -1.  */
static int route_option = -1;


/* DigestInfo prefixes (RFC 8017 9.2 note 1).  */
static const unsigned char asn_sha1[] =
  { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a,
    0x05, 0x00, 0x04, 0x14 };
static const unsigned char asn_sha224[] =
  { 0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
    0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c };
static const unsigned char asn_sha256[] =
  { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
    0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
static const unsigned char asn_sha384[] =
  { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
    0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30 };
static const unsigned char asn_sha512[] =
  { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
    0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40 };


/* How the input of PKAUTH is framed for an ECC key.  scdaemon
 * versions differ in what they strip from INTERNAL AUTHENTICATE input
 * of ECC keys (spec B.8; oca-scd strips a DigestInfo or takes a bare
 * digest).  We try these in order until a signature verifies and keep
 * the one that worked for the rest of the run.  RSA keys and the SIG
 * slot always get a DigestInfo.  */
enum auth_framing
  {
    AUTH_FRAME_DIGESTINFO = 0, /* DigestInfo of the hash + digest.  */
    AUTH_FRAME_RAW,            /* The bare digest.  */
    AUTH_FRAME_PAD15,          /* 15 prefix bytes + digest.  */
    AUTH_FRAME_COUNT
  };

/* One slot the connection signs with.  */
struct card_slot
{
  ca_card_conn_t *conn;
  char serialno[65];
  char ident[14];
  int keyno;
  const pgp_key_t *key;
  int uif;
};

struct ca_card_conn
{
  scd_client_t scd;
  int route;
  char *user_pin;              /* Secure memory.  */
  char *admin_pin;
  char *new_pin;
  int pin_mode;                /* enum ca_card_pin_mode.  */
  int pin_change;              /* PASSWD in progress: seq 0 = old.  */
  int pin_rejected;            /* Latched: a PIN was rejected.  */
  gpg_error_t fatal_err;       /* Latched: touch timeout, card gone:
                                * the rest of a batch fails at once.  */
  char selected[65];           /* Serial number of the selected card.  */
  int auth_framing;            /* enum auth_framing (ECC AUT).  */
  int auth_framing_known;
  struct card_slot slot[2];    /* 0 = SIG, 1 = AUT.  */
};



/*
 * Messages.
 */

void
ca_card_notice (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  putc ('\n', stderr);
  fflush (stderr);
}


gpg_error_t
ca_card_errmsg (gpg_error_t err, const char *ident, const char *what)
{
  const char *id = ident && *ident ? ident : "?";

  switch (gpg_err_code (err))
    {
    case GPG_ERR_TIMEOUT:
      return ca_set_errmsg (err, "Touch confirmation timed out on OpenPGP "
                            "card %s (%s not done)", id, what);
    case GPG_ERR_BAD_PIN:
      return ca_set_errmsg (err, "The User PIN for OpenPGP card %s was "
                            "rejected by the card (%s); see 'oca ca "
                            "set-backend card'", id, what);
    case GPG_ERR_PIN_BLOCKED:
      return ca_set_errmsg (err, "The PIN of OpenPGP card %s is blocked "
                            "(%s)", id, what);
    case GPG_ERR_CARD_REMOVED:
    case GPG_ERR_CARD_NOT_PRESENT:
    case GPG_ERR_ENODEV:
    case GPG_ERR_WRONG_CARD:
    case GPG_ERR_CARD_RESET:
      return ca_set_errmsg (err, "OpenPGP card %s is not present or was "
                            "removed (%s)", id, what);
    case GPG_ERR_NO_SCDAEMON:
    case GPG_ERR_NO_AGENT:
    case GPG_ERR_ASS_CONNECT_FAILED:
    case GPG_ERR_EPIPE:
    case GPG_ERR_EOF:
      return ca_set_errmsg (err, "lost the connection to the card "
                            "server (%s on OpenPGP card %s): %s", what, id,
                            gpg_strerror (err));
    default:
      return ca_set_errmsg (err, "%s on OpenPGP card %s failed: %s", what,
                            id, gpg_strerror (err));
    }
}



/*
 * Configuration.
 */

const char *
ca_card_route_name (int route)
{
  return route == CA_CARD_ROUTE_AGENT ? "gpg-agent" : "oca-scd";
}


int
ca_card_route_from_name (const char *name)
{
  if (!name)
    return -1;
  if (!strcmp (name, "oca-scd"))
    return CA_CARD_ROUTE_OCA_SCD;
  if (!strcmp (name, "gpg-agent"))
    return CA_CARD_ROUTE_AGENT;
  return -1;
}


gpg_error_t
ca_card_set_route_option (const char *name)
{
  int r = ca_card_route_from_name (name);

  if (r < 0)
    return ca_set_errmsg (gpg_error (CA_ERR_USAGE),
                          "unknown card route '%s' (oca-scd or gpg-agent)",
                          name ? name : "");
  route_option = r;
  return 0;
}


int
ca_card_effective_route (int stored)
{
  return route_option >= 0 ? route_option : stored;
}


/* Whether IDENT looks like "MANU:SERIAL" (4 and 8 hex digits).  */
static int
ident_valid (const char *ident)
{
  size_t i;

  if (strlen (ident) != 13 || ident[4] != ':')
    return 0;
  for (i = 0; i < 13; i++)
    if (i != 4 && !strchr ("0123456789ABCDEFabcdef", ident[i]))
      return 0;
  return 1;
}


gpg_error_t
ca_card_parse_config (const char *config, char **r_ident, char **r_pin,
                      int *r_route)
{
  gpg_error_t err = 0;
  const char *f[4];
  size_t flen[4];
  size_t nf = 0;
  const char *p, *s;
  char *ident = NULL, *pin = NULL;
  int route = CA_CARD_ROUTE_OCA_SCD;

  *r_ident = NULL;
  *r_pin = NULL;
  *r_route = CA_CARD_ROUTE_OCA_SCD;
  if (!config || strncmp (config, "card;", 5))
    return gpg_error (GPG_ERR_INV_VALUE);
  p = config + 5;
  for (;;)
    {
      s = strchr (p, ';');
      if (nf == DIM (f))
        return gpg_error (GPG_ERR_INV_VALUE);
      f[nf] = p;
      flen[nf] = s ? (size_t)(s - p) : strlen (p);
      nf++;
      if (!s)
        break;
      p = s + 1;
    }
  if (nf < 2 || nf > 3 || !flen[0] || !flen[1] || flen[0] > 32
      || flen[1] > 64)
    return gpg_error (GPG_ERR_INV_VALUE);
  if (nf == 3)
    {
      if (flen[2] == 9 && !strncmp (f[2], "gpg-agent", 9))
        route = CA_CARD_ROUTE_AGENT;
      else if (flen[2] == 7 && !strncmp (f[2], "oca-scd", 7))
        route = CA_CARD_ROUTE_OCA_SCD;
      else
        return gpg_error (GPG_ERR_INV_VALUE);
    }
  ident = xtrymalloc (flen[0] + 1);
  pin = xtrymalloc_secure (flen[1] + 1);
  if (!ident || !pin)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  memcpy (ident, f[0], flen[0]);
  ident[flen[0]] = 0;
  memcpy (pin, f[1], flen[1]);
  pin[flen[1]] = 0;
  *r_ident = ident;
  *r_pin = pin;
  *r_route = route;
  ident = pin = NULL;

 leave:
  xfree (ident);
  wipe_and_free_string (pin);
  return err;
}


gpg_error_t
ca_card_make_config (const char *ident, const char *pin, int route,
                     char **r_config)
{
  size_t n;
  char *s;

  *r_config = NULL;
  /* The limits of ca_card_parse_config: what is stored must parse.  */
  if (!ident || !pin || !*ident || !*pin || strlen (ident) > 32
      || strlen (pin) > 64 || strchr (ident, ';') || strchr (pin, ';'))
    return gpg_error (GPG_ERR_INV_VALUE);
  n = 5 + strlen (ident) + 1 + strlen (pin) + 11;
  s = xtrymalloc_secure (n);
  if (!s)
    return oca_error_from_errno ();
  snprintf (s, n, "card;%s;%s%s", ident, pin,
            route == CA_CARD_ROUTE_AGENT ? ";gpg-agent" : "");
  *r_config = s;
  return 0;
}


gpg_error_t
ca_card_describe (const char *ident, const char *pin, int route,
                  char **r_text)
{
  const char *via = route == CA_CARD_ROUTE_AGENT ? " (via gpg-agent)" : "";
  size_t n;
  char *s;

  *r_text = NULL;
  n = strlen (ident) + strlen (pin) + strlen (via) + 32;
  s = xtrymalloc_secure (n);
  if (!s)
    return oca_error_from_errno ();
  snprintf (s, n, "OpenPGP card %s [User PIN %s]%s", ident, pin, via);
  *r_text = s;
  return 0;
}


gpg_error_t
ca_card_random_pin (char **r_pin)
{
  uint32_t v;
  unsigned char rnd[4];
  char *pin;

  *r_pin = NULL;
  pin = xtrymalloc_secure (9);
  if (!pin)
    return oca_error_from_errno ();
  /* Uniform in 0..99999999: rejection sampling on 27-bit values.  */
  do
    {
      gcry_randomize (rnd, sizeof rnd, GCRY_STRONG_RANDOM);
      v = ((uint32_t)rnd[0] << 24 | (uint32_t)rnd[1] << 16
           | (uint32_t)rnd[2] << 8 | rnd[3]) & 0x07ffffff;
    }
  while (v > 99999999);
  snprintf (pin, 9, "%08u", (unsigned int)v);
  wipememory (rnd, sizeof rnd);
  v = 0;
  *r_pin = pin;
  return 0;
}



/*
 * Connection.
 */

/* Set *SLOT to a secure copy of VALUE (NULL clears).  */
static gpg_error_t
set_secret (char **slot, const char *value)
{
  char *s = NULL;

  if (value)
    {
      s = xtrymalloc_secure (strlen (value) + 1);
      if (!s)
        return oca_error_from_errno ();
      strcpy (s, value);
    }
  wipe_and_free_string (*slot);
  *slot = s;
  return 0;
}


/* The PIN callback of the scd client: answer with the PIN the current
 * step needs.  */
static gpg_error_t
pin_cb (void *opaque, const scd_pin_request_t *req, char **r_pin)
{
  ca_card_conn_t *conn = opaque;
  const char *pin;
  char *copy;

  *r_pin = NULL;
  if (conn->pin_rejected)
    return gpg_error (GPG_ERR_BAD_PIN);
  /* A command asks once, PASSWD up to three times; more is a loop.  */
  if (req->seq > 3 || req->resetcode)
    return gpg_error (GPG_ERR_CANCELED);
  if (!req->via_agent)
    {
      if (req->newpin)
        pin = conn->new_pin;
      else if (req->admin)
        pin = conn->admin_pin;
      else
        pin = conn->user_pin;
    }
  else if (conn->pin_change)
    /* gpg-agent does not forward the flags: during PASSWD the first
     * request is the old PIN, the others the new one.  */
    pin = req->seq ? conn->new_pin : conn->admin_pin;
  else if (req->newpin)
    pin = conn->new_pin;
  else if (conn->pin_mode == CA_CARD_PIN_ADMIN)
    pin = conn->admin_pin;
  else
    pin = conn->user_pin;
  if (!pin)
    return gpg_error (GPG_ERR_NO_PIN);
  copy = xtrymalloc_secure (strlen (pin) + 1);
  if (!copy)
    return oca_error_from_errno ();
  strcpy (copy, pin);
  *r_pin = copy;
  return 0;
}


/* The oca-scd program to spawn.  */
static const char *
scd_program (void)
{
  const char *s = getenv ("OCA_SCD_PROGRAM");

  if (s && *s)
    return s;
  if (!access (OCA_SCD_LIBEXEC, X_OK))
    return OCA_SCD_LIBEXEC;
  if (!access (OCA_SCD_BINDIR, X_OK))
    return OCA_SCD_BINDIR;
  return OCA_SCD_LIBEXEC;
}


gpg_error_t
ca_card_connect (int route, ca_card_conn_t **r_conn)
{
  gpg_error_t err;
  ca_card_conn_t *conn;
  const char *pgm = NULL;

  *r_conn = NULL;
  conn = xtrycalloc (1, sizeof *conn);
  if (!conn)
    return oca_error_from_errno ();
  conn->route = route;
  if (route == CA_CARD_ROUTE_AGENT)
    err = scd_client_connect_agent (&conn->scd, NULL);
  else
    {
      pgm = scd_program ();
      err = scd_client_spawn (&conn->scd, pgm, NULL, SCD_SPAWN_KEEP_STDERR);
    }
  if (err)
    {
      if (route == CA_CARD_ROUTE_AGENT)
        ca_set_errmsg (err, "can't connect to gpg-agent for the OpenPGP "
                       "card: %s", gpg_strerror (err));
      else
        ca_set_errmsg (err, "can't start the card server '%s': %s", pgm,
                       gpg_strerror (err));
      xfree (conn);
      return err;
    }
  scd_client_set_pin_cb (conn->scd, pin_cb, conn);
  *r_conn = conn;
  return 0;
}


void
ca_card_conn_release (ca_card_conn_t *conn)
{
  if (!conn)
    return;
  scd_client_release (conn->scd);
  wipe_and_free_string (conn->user_pin);
  wipe_and_free_string (conn->admin_pin);
  wipe_and_free_string (conn->new_pin);
  xfree (conn);
}


scd_client_t
ca_card_conn_scd (ca_card_conn_t *conn)
{
  return conn->scd;
}


int
ca_card_conn_route (ca_card_conn_t *conn)
{
  return conn->route;
}


gpg_error_t
ca_card_conn_set_pins (ca_card_conn_t *conn, const char *user,
                       const char *admin, const char *newpin)
{
  gpg_error_t err;

  err = set_secret (&conn->user_pin, user);
  if (!err)
    err = set_secret (&conn->admin_pin, admin);
  if (!err)
    err = set_secret (&conn->new_pin, newpin);
  conn->pin_rejected = 0;
  return err;
}


void
ca_card_conn_set_pin_mode (ca_card_conn_t *conn, int mode)
{
  conn->pin_mode = mode;
}


void
ca_card_entry_release (ca_card_entry_t *list)
{
  ca_card_entry_t *next;

  for (; list; list = next)
    {
      next = list->next;
      xfree (list->serialno);
      scd_cardinfo_release (list->info);
      xfree (list);
    }
}


/* Fill the UIF (touch policy) bytes the server did not report (GnuPG
 * 2.2's scdaemon does not) with GET DATA D6..D8.  */
static void
fill_uif (ca_card_conn_t *conn, scd_cardinfo_t *info)
{
  unsigned char *resp;
  size_t len;
  int k;

  for (k = 0; k < 3; k++)
    {
      if (info->uif_valid[k])
        continue;
      if (!scd_client_get_data (conn->scd, 0xd6 + k, &resp, &len))
        {
          if (len >= 1)
            {
              info->uif[k] = resp[0];
              info->uif_valid[k] = 1;
            }
          xfree (resp);
        }
    }
}


gpg_error_t
ca_card_select (ca_card_conn_t *conn, const char *serialno,
                scd_cardinfo_t **r_info)
{
  gpg_error_t err;
  char *sn = NULL;

  if (r_info)
    *r_info = NULL;
  conn->selected[0] = 0;
  err = scd_client_serialno (conn->scd, serialno, &sn);
  if (err)
    return err;
  if (strcasecmp (sn, serialno))
    {
      xfree (sn);
      return gpg_error (GPG_ERR_WRONG_CARD);
    }
  xfree (sn);
  if (strlen (serialno) < sizeof conn->selected)
    strcpy (conn->selected, serialno);
  if (r_info)
    {
      err = scd_client_learn (conn->scd, r_info);
      if (err)
        conn->selected[0] = 0;
      else
        fill_uif (conn, *r_info);
    }
  return err;
}


gpg_error_t
ca_card_list_cards (ca_card_conn_t *conn, ca_card_entry_t **r_list)
{
  gpg_error_t err;
  char **sns = NULL;
  size_t nsns = 0, i;
  ca_card_entry_t *list = NULL, **tail = &list, *e;

  *r_list = NULL;
  err = scd_client_card_list (conn->scd, &sns, &nsns);
  if (err || !nsns)
    {
      /* Older servers: the one current card, if any.  */
      char *sn = NULL;

      scd_client_free_strlist (sns);
      sns = NULL;
      nsns = 0;
      err = scd_client_serialno (conn->scd, NULL, &sn);
      if (err)
        {
          switch (gpg_err_code (err))
            {
            case GPG_ERR_CARD_NOT_PRESENT:
            case GPG_ERR_CARD_REMOVED:
            case GPG_ERR_ENODEV:
            case GPG_ERR_NOT_SUPPORTED:
            case GPG_ERR_INV_CARD:
            case GPG_ERR_CARD:
            case GPG_ERR_OBJ_TERM_STATE:
              err = 0;  /* No usable card: an empty list.  */
              break;
            default:
              break;
            }
          goto leave;
        }
      sns = xtrycalloc (2, sizeof *sns);
      if (!sns)
        {
          err = oca_error_from_errno ();
          xfree (sn);
          goto leave;
        }
      sns[0] = sn;
      nsns = 1;
    }

  for (i = 0; i < nsns; i++)
    {
      char ident[14];

      /* Only OpenPGP cards.  */
      if (scd_serialno_to_ident (sns[i], ident))
        continue;
      e = xtrycalloc (1, sizeof *e);
      if (!e)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      *tail = e;
      tail = &e->next;
      strcpy (e->ident, ident);
      e->serialno = xtrystrdup (sns[i]);
      if (!e->serialno)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      err = ca_card_select (conn, sns[i], &e->info);
      if (err)
        {
          ca_card_errmsg (err, e->ident, "reading the card");
          goto leave;
        }
    }
  *r_list = list;
  list = NULL;

 leave:
  ca_card_entry_release (list);
  scd_client_free_strlist (sns);
  return err;
}


ca_card_entry_t *
ca_card_find (ca_card_entry_t *list, const char *ident)
{
  for (; list; list = list->next)
    if (!strcasecmp (list->ident, ident))
      return list;
  return NULL;
}


/* Whether a fingerprint slot is set.  */
static int
fpr_set (const scd_cardinfo_t *info, int idx)
{
  static const unsigned char zero[20];

  return info->fpr_valid[idx] && memcmp (info->fpr[idx], zero, 20);
}


int
ca_card_is_blank (const scd_cardinfo_t *info)
{
  return !fpr_set (info, 0) && !fpr_set (info, 1) && !fpr_set (info, 2);
}


int
ca_card_holder_ok (const scd_cardinfo_t *info)
{
  return info->disp_name && !strcmp (info->disp_name, CA_CARD_HOLDER);
}


const char *
ca_card_holder_display (const scd_cardinfo_t *info)
{
  static char buf[128];
  const char *s = info->disp_name ? info->disp_name : "";
  const char *sep = strstr (s, "<<");
  size_t i, n = 0;

  /* "Surname<<Given<Names" -> "Given Names Surname".  */
  if (sep)
    {
      for (i = 0; sep[2 + i] && n + 1 < sizeof buf; i++)
        buf[n++] = sep[2 + i] == '<' ? ' ' : sep[2 + i];
      if (n && n + 1 < sizeof buf)
        buf[n++] = ' ';
      for (i = 0; s + i < sep && n + 1 < sizeof buf; i++)
        buf[n++] = s[i] == '<' ? ' ' : s[i];
    }
  else
    for (i = 0; s[i] && n + 1 < sizeof buf; i++)
      buf[n++] = s[i] == '<' ? ' ' : s[i];
  buf[n] = 0;
  return buf;
}



/*
 * Algorithm support.
 */

/* The algorithm string scdaemon uses for PKALGO/CURVE/NBITS.  */
static void
algostr (int pkalgo, int curve, unsigned int nbits, char *buf, size_t size)
{
  if (pkalgo == PK_RSA)
    snprintf (buf, size, "rsa%u", nbits);
  else if (curve == PK_CURVE_ED25519)
    snprintf (buf, size, "ed25519");
  else if (curve == PK_CURVE_NISTP256)
    snprintf (buf, size, "nistp256");
  else if (curve == PK_CURVE_NISTP384)
    snprintf (buf, size, "nistp384");
  else if (curve == PK_CURVE_NISTP521)
    snprintf (buf, size, "nistp521");
  else
    snprintf (buf, size, "unknown");
}


/* Algorithm lists of the three slots.  */
struct algo_info
{
  int any;
  char list[3][512];           /* " rsa2048 ed25519 ..." per slot.  */
};

static void
algo_info_add (struct algo_info *ai, int keyno, const char *name)
{
  size_t n;

  if (keyno < 1 || keyno > 3 || !*name)
    return;
  n = strlen (ai->list[keyno - 1]);
  if (n + strlen (name) + 2 < sizeof ai->list[0])
    {
      ai->list[keyno - 1][n] = ' ';
      strcpy (ai->list[keyno - 1] + n + 1, name);
    }
  ai->any = 1;
}

static int
algo_info_has (const struct algo_info *ai, int keyno, const char *name)
{
  const char *s = ai->list[keyno - 1];
  size_t n = strlen (name);

  while ((s = strstr (s, name)))
    {
      if (s[-1] == ' ' && (!s[n] || s[n] == ' '))
        return 1;
      s += n;
    }
  return 0;
}


/* The spec version of the card (0x0304 for 3.4): APPVERSION, else the
 * version digits of the serial number (the AID).  */
static unsigned int
card_spec_version (const scd_cardinfo_t *info)
{
  unsigned char v[2];

  if (info->appversion)
    return info->appversion;
  if (info->serialno && strlen (info->serialno) == 32
      && !oca_hex2bin (info->serialno + 12, v, 2))
    return (v[0] << 8) | v[1];
  return 0x0300;  /* Unknown: do not guess it away.  */
}

gpg_error_t
ca_card_check_algo_support (ca_card_conn_t *conn, const scd_cardinfo_t *info,
                            const char *ident, int pkalgo, int curve,
                            unsigned int nbits)
{
  struct algo_info ai;
  card_algoinfo_t *list = NULL;
  size_t count = 0, k;
  char want[32];
  static const int slots[2] = { CA_CARD_SLOT_AUT, CA_CARD_SLOT_SIG };
  int i;

  memset (&ai, 0, sizeof ai);
  algostr (pkalgo, curve, nbits, want, sizeof want);
  if (!strcmp (want, "unknown"))
    return ca_set_errmsg (gpg_error (GPG_ERR_PUBKEY_ALGO),
                          "this CA key algorithm can't be used on an "
                          "OpenPGP card");

  /* 1. What the card will accept: its algorithm information (DO FA),
   * or KEY-ATTR-INFO from a server that can't send APDUs.  */
  if (!scd_client_algoinfo (conn->scd, &list, &count))
    for (k = 0; k < count; k++)
      algo_info_add (&ai, list[k].keyno, list[k].attr.algostr);
  xfree (list);

  for (i = 0; i < 2; i++)
    {
      int keyno = slots[i];

      if (ai.any)
        {
          if (!algo_info_has (&ai, keyno, want))
            return ca_set_errmsg (gpg_error (GPG_ERR_UNSUPPORTED_ALGORITHM),
                                  "OpenPGP card %s does not support %s keys "
                                  "(the %s slot offers:%s)", ident, want,
                                  keyno == CA_CARD_SLOT_AUT ? "AUT" : "SIG",
                                  *ai.list[keyno - 1] ? ai.list[keyno - 1]
                                  : " nothing");
          continue;
        }
      /* 2. No algorithm information: the current attributes must match,
       * or the card must allow changing them -- and ECC needs a card
       * of spec 3.0 or later (2.x cards have RSA only; Gnuk, FSIJ,
       * says 2.0 and has ECC).  */
      {
        const scd_keyattr_t *ka = &info->key_attr[keyno - 1];
        int match = 0;

        if (pkalgo != PK_RSA && card_spec_version (info) < 0x0300
            && !(info->manufacturer_valid
                 && info->manufacturer_id == 0xF517))
          return ca_set_errmsg (gpg_error (GPG_ERR_UNSUPPORTED_ALGORITHM),
                                "OpenPGP card %s does not support %s keys "
                                "(an OpenPGP card %u.%u has RSA only)",
                                ident, want,
                                card_spec_version (info) >> 8,
                                card_spec_version (info) & 0xff);

        if (pkalgo == PK_RSA)
          match = ka->algo == 1 && ka->nbits == nbits;
        else if (ka->algo == pkalgo || (pkalgo == PK_EDDSA && ka->algo == 22))
          match = !strcasecmp (ka->curve, pk_curve_name (curve));
        if (!match && !(info->extcap_valid && info->extcap.aac))
          return ca_set_errmsg (gpg_error (GPG_ERR_UNSUPPORTED_ALGORITHM),
                                "OpenPGP card %s does not support %s keys",
                                ident, want);
      }
    }
  return 0;
}



/*
 * Writing to the card.
 */

/* Append the canonical atom BUF/LEN to MB.  */
static void
put_atom (membuf_t *mb, const void *buf, size_t len)
{
  char tmp[24];

  snprintf (tmp, sizeof tmp, "%zu:", len);
  membuf_put_str (mb, tmp);
  membuf_put (mb, buf, len);
}

static void
put_str_atom (membuf_t *mb, const char *s)
{
  put_atom (mb, s, strlen (s));
}

/* Append "(NAME VALUE)" with VALUE left-padded with zeros to PADTO
 * bytes (0 = as is).  */
static void
put_pair (membuf_t *mb, const char *name, const pk_mpi_t *mpi, size_t padto)
{
  membuf_put_str (mb, "(");
  put_str_atom (mb, name);
  if (padto > mpi->len)
    {
      char tmp[24];
      size_t i;

      snprintf (tmp, sizeof tmp, "%zu:", padto);
      membuf_put_str (mb, tmp);
      for (i = mpi->len; i < padto; i++)
        membuf_put_u8 (mb, 0);
      membuf_put (mb, mpi->data, mpi->len);
    }
  else
    put_atom (mb, mpi->data, mpi->len);
  membuf_put_str (mb, ")");
}


/* Build the WRITEKEY key data for KEY into secure memory.  */
static gpg_error_t
build_keydata (const pgp_key_t *key, unsigned char **r_buf, size_t *r_len)
{
  const pk_key_t *pk = key->pk;
  membuf_t mb;
  char tbuf[16];

  *r_buf = NULL;
  *r_len = 0;
  if (key->secret != PGP_SECRET_PLAIN || !pk_key_has_secret (pk))
    return gpg_error (GPG_ERR_NO_SECKEY);
  membuf_init (&mb, 16384, 1);
  membuf_put_str (&mb, "(");
  put_str_atom (&mb, "private-key");
  membuf_put_str (&mb, "(");
  if (pk->algo == PK_RSA)
    {
      if (pk->npub < 2 || pk->nsec < 4)
        {
          membuf_release (&mb);
          return gpg_error (GPG_ERR_BAD_SECKEY);
        }
      put_str_atom (&mb, "rsa");
      put_pair (&mb, "n", &pk->pub[0], 0);
      put_pair (&mb, "e", &pk->pub[1], 0);
      put_pair (&mb, "d", &pk->sec[0], 0);
      put_pair (&mb, "p", &pk->sec[1], 0);
      put_pair (&mb, "q", &pk->sec[2], 0);
      put_pair (&mb, "u", &pk->sec[3], 0);
    }
  else if (pk->algo == PK_EDDSA || pk->algo == PK_ECDSA)
    {
      size_t fieldlen = (pk_key_nbits (pk) + 7) / 8;

      if (pk->npub < 1 || pk->nsec < 1 || !pk_curve_name (pk->curve))
        {
          membuf_release (&mb);
          return gpg_error (GPG_ERR_BAD_SECKEY);
        }
      put_str_atom (&mb, "ecc");
      membuf_put_str (&mb, "(");
      put_str_atom (&mb, "curve");
      put_str_atom (&mb, pk_curve_name (pk->curve));
      membuf_put_str (&mb, ")");
      if (pk->algo == PK_EDDSA)
        {
          membuf_put_str (&mb, "(");
          put_str_atom (&mb, "flags");
          put_str_atom (&mb, "eddsa");
          membuf_put_str (&mb, ")");
        }
      put_pair (&mb, "q", &pk->pub[0], 0);
      put_pair (&mb, "d", &pk->sec[0], fieldlen);
    }
  else
    {
      membuf_release (&mb);
      return gpg_error (GPG_ERR_PUBKEY_ALGO);
    }
  membuf_put_str (&mb, ")(");
  put_str_atom (&mb, "created-at");
  snprintf (tbuf, sizeof tbuf, "%010lu", (unsigned long)key->created);
  put_str_atom (&mb, tbuf);
  membuf_put_str (&mb, "))");
  return membuf_take (&mb, r_buf, r_len);
}


gpg_error_t
ca_card_write_key (ca_card_conn_t *conn, int keyno, const pgp_key_t *key)
{
  gpg_error_t err;
  unsigned char *kd = NULL;
  size_t kdlen = 0;
  char keyid[16];

  err = build_keydata (key, &kd, &kdlen);
  if (err)
    return err;
  snprintf (keyid, sizeof keyid, "OPENPGP.%d", keyno);
  conn->pin_mode = CA_CARD_PIN_ADMIN;
  err = scd_client_writekey (conn->scd, keyid, 1, kd, kdlen);
  conn->pin_mode = CA_CARD_PIN_USER;
  wipe_and_free (kd, kdlen);
  return err;
}


gpg_error_t
ca_card_set_holder (ca_card_conn_t *conn)
{
  gpg_error_t err;

  conn->pin_mode = CA_CARD_PIN_ADMIN;
  err = scd_client_setattr (conn->scd, "DISP-NAME", CA_CARD_HOLDER,
                            strlen (CA_CARD_HOLDER));
  conn->pin_mode = CA_CARD_PIN_USER;
  return err;
}


gpg_error_t
ca_card_set_pins (ca_card_conn_t *conn, const char *old_admin,
                  const char *newpin)
{
  gpg_error_t err;

  /* Admin PIN: OLD_ADMIN -> NEWPIN.  */
  err = ca_card_conn_set_pins (conn, conn->user_pin, old_admin, newpin);
  if (err)
    return err;
  conn->pin_change = 1;
  conn->pin_mode = CA_CARD_PIN_ADMIN;
  err = scd_client_passwd (conn->scd, "3", 0);
  conn->pin_change = 0;
  if (err)
    goto leave;
  /* User PIN reset with the (new) Admin PIN: every answer is NEWPIN.  */
  err = ca_card_conn_set_pins (conn, newpin, newpin, newpin);
  if (err)
    goto leave;
  err = scd_client_passwd (conn->scd, "1", SCD_PASSWD_RESET);

 leave:
  conn->pin_mode = CA_CARD_PIN_USER;
  return err;
}


gpg_error_t
ca_card_verify_user_pin (ca_card_conn_t *conn, const char *serialno,
                         const scd_cardinfo_t *info, const char *ident,
                         int entered)
{
  gpg_error_t err;

  if (info && info->chv_status_valid && !info->chv_status[4])
    return ca_set_errmsg (gpg_error (GPG_ERR_PIN_BLOCKED),
                          "The User PIN of OpenPGP card %s is blocked",
                          ident);
  if (!entered && info && info->chv_status_valid && info->chv_status[4] < 2)
    return ca_set_errmsg (gpg_error (GPG_ERR_PIN_BLOCKED),
                          "OpenPGP card %s has %d User PIN tr%s left; oca "
                          "will not risk blocking it (verify the PIN with "
                          "'gpg --card-edit' first)", ident,
                          info->chv_status[4],
                          info->chv_status[4] == 1 ? "y" : "ies");
  conn->pin_mode = CA_CARD_PIN_USER;
  err = scd_client_checkpin (conn->scd, serialno);
  if (gpg_err_code (err) == GPG_ERR_BAD_PIN)
    conn->pin_rejected = 1;
  return err;
}


gpg_error_t
ca_card_unlock (ca_card_conn_t *conn, const char *serialno,
                const scd_cardinfo_t *info, const char *ident,
                const char *pin, int entered)
{
  gpg_error_t err;

  err = ca_card_conn_set_pins (conn, pin, pin, NULL);
  if (!err)
    err = ca_card_select (conn, serialno, NULL);
  if (!err)
    err = ca_card_verify_user_pin (conn, serialno, info, ident, entered);
  if (err && !ca_errmsg_for (err))
    ca_card_errmsg (err, ident, "verifying the User PIN");
  return err;
}



/*
 * Signing.
 */

/* The DigestInfo prefix for HASHALGO, or NULL.  */
static const unsigned char *
asn_prefix (int hashalgo, size_t *r_len, const char **r_name)
{
  switch (hashalgo)
    {
    case PK_HASH_SHA1:
      *r_len = sizeof asn_sha1; *r_name = "sha1"; return asn_sha1;
    case PK_HASH_SHA224:
      *r_len = sizeof asn_sha224; *r_name = "sha224"; return asn_sha224;
    case PK_HASH_SHA256:
      *r_len = sizeof asn_sha256; *r_name = "sha256"; return asn_sha256;
    case PK_HASH_SHA384:
      *r_len = sizeof asn_sha384; *r_name = "sha384"; return asn_sha384;
    case PK_HASH_SHA512:
      *r_len = sizeof asn_sha512; *r_name = "sha512"; return asn_sha512;
    default:
      return NULL;
    }
}


/* Set MPI from BUF/LEN (leading zeros stripped).  */
static gpg_error_t
set_mpi (pk_mpi_t *mpi, const unsigned char *buf, size_t len)
{
  while (len > 1 && !*buf)
    {
      buf++;
      len--;
    }
  mpi->data = xtrymalloc (len ? len : 1);
  if (!mpi->data)
    return oca_error_from_errno ();
  memcpy (mpi->data, buf, len);
  mpi->len = len;
  return 0;
}


/* Turn the card's signature SIGBUF/SIGLEN for a key of PK into MPIs.  */
static gpg_error_t
sig_to_mpis (const pk_key_t *pk, const unsigned char *sigbuf, size_t siglen,
             pk_mpi_t sig[PK_MAX_SIG], unsigned int *r_nsig)
{
  gpg_error_t err;

  if (pk->algo == PK_RSA)
    {
      err = set_mpi (&sig[0], sigbuf, siglen);
      if (!err)
        *r_nsig = 1;
      return err;
    }
  if (!siglen || (siglen & 1))
    return gpg_error (GPG_ERR_INV_RESPONSE);
  err = set_mpi (&sig[0], sigbuf, siglen / 2);
  if (!err)
    err = set_mpi (&sig[1], sigbuf + siglen / 2, siglen / 2);
  if (err)
    {
      pk_mpi_release (&sig[0]);
      return err;
    }
  *r_nsig = 2;
  return 0;
}


/* Make sure the card of SLOT is the selected one.  */
static gpg_error_t
ensure_selected (struct card_slot *slot)
{
  ca_card_conn_t *conn = slot->conn;

  if (conn->selected[0] && !strcasecmp (conn->selected, slot->serialno))
    return 0;
  return ca_card_select (conn, slot->serialno, NULL);
}


/* One card operation of SLOT on the DATA/DATALEN.  */
static gpg_error_t
card_op (struct card_slot *slot, const char *hashname,
         const unsigned char *data, size_t datalen,
         unsigned char **r_sig, size_t *r_siglen)
{
  ca_card_conn_t *conn = slot->conn;
  gpg_error_t err;

  err = ensure_selected (slot);
  if (err)
    return err;
  if (slot->uif)
    ca_card_notice ("Touch confirmation needed for %s",
                    slot->keyno == CA_CARD_SLOT_AUT ? "certification"
                    : "signing");
  conn->pin_mode = CA_CARD_PIN_USER;
  if (slot->keyno == CA_CARD_SLOT_AUT)
    err = scd_client_pkauth (conn->scd, "OPENPGP.3", data, datalen,
                             r_sig, r_siglen);
  else
    err = scd_client_pksign (conn->scd, "OPENPGP.1", hashname, data, datalen,
                             r_sig, r_siglen);
  if (err)
    {
      if (gpg_err_code (err) == GPG_ERR_BAD_PIN)
        conn->pin_rejected = 1;
      switch (gpg_err_code (err))
        {
        case GPG_ERR_CARD_REMOVED:
        case GPG_ERR_CARD_NOT_PRESENT:
        case GPG_ERR_CARD_RESET:
        case GPG_ERR_ENODEV:
        case GPG_ERR_EOF:
        case GPG_ERR_EPIPE:
        case GPG_ERR_NO_SCDAEMON:
          conn->selected[0] = 0;
          conn->fatal_err = err;
          break;
        case GPG_ERR_CARD:
          /* GnuPG 2.2 reports the touch timeout (SW 6600) as a card
           * error.  */
          if (!slot->uif)
            break;
          err = gpg_error (GPG_ERR_TIMEOUT);
          /* fall through */
        case GPG_ERR_TIMEOUT:
          conn->fatal_err = err;
          break;
        default:
          break;
        }
    }
  return err;
}


/* The pgp_sign_fn_t of a card slot.  */
static gpg_error_t
card_sign (void *ctx, int hashalgo, const unsigned char *digest,
           size_t digestlen, pk_mpi_t sig[PK_MAX_SIG], unsigned int *r_nsig)
{
  struct card_slot *slot = ctx;
  ca_card_conn_t *conn = slot->conn;
  const pk_key_t *pk = slot->key->pk;
  const char *what = slot->keyno == CA_CARD_SLOT_AUT ? "certification"
    : "signing";
  gpg_error_t err;
  const unsigned char *prefix;
  const char *hashname = NULL;
  size_t prefixlen = 0, datalen;
  unsigned char data[19 + 64];
  unsigned char *sigbuf = NULL;
  size_t siglen = 0;
  int framing, tries, ecc_aut;

  *r_nsig = 0;
  memset (sig, 0, PK_MAX_SIG * sizeof *sig);
  if (conn->pin_rejected)
    return ca_card_errmsg (gpg_error (GPG_ERR_BAD_PIN), slot->ident, what);
  if (conn->fatal_err)
    return ca_card_errmsg (conn->fatal_err, slot->ident, what);
  prefix = asn_prefix (hashalgo, &prefixlen, &hashname);
  if (!prefix || digestlen != pk_hash_len (hashalgo) || digestlen > 64)
    return ca_set_errmsg (gpg_error (GPG_ERR_DIGEST_ALGO),
                          "unsupported hash algorithm for the OpenPGP card");

  ecc_aut = slot->keyno == CA_CARD_SLOT_AUT && pk->algo != PK_RSA;
  if (ecc_aut && conn->auth_framing_known)
    framing = conn->auth_framing;
  else if (ecc_aut && pk->algo == PK_EDDSA
           && conn->route == CA_CARD_ROUTE_AGENT)
    framing = AUTH_FRAME_PAD15;  /* GnuPG's scdaemon strips 15 bytes.  */
  else
    framing = AUTH_FRAME_DIGESTINFO;
  for (tries = 0; tries < AUTH_FRAME_COUNT; tries++)
    {
      if (!ecc_aut || framing == AUTH_FRAME_DIGESTINFO)
        {
          /* A DigestInfo: the card pads it (RSA); scdaemon strips it for
           * ECC keys.  */
          memcpy (data, prefix, prefixlen);
          memcpy (data + prefixlen, digest, digestlen);
          datalen = prefixlen + digestlen;
        }
      else if (framing == AUTH_FRAME_PAD15)
        {
          memcpy (data, asn_sha1, sizeof asn_sha1);
          memcpy (data + sizeof asn_sha1, digest, digestlen);
          datalen = sizeof asn_sha1 + digestlen;
        }
      else
        {
          memcpy (data, digest, digestlen);
          datalen = digestlen;
        }

      err = card_op (slot, hashname, data, datalen, &sigbuf, &siglen);
      wipememory (data, sizeof data);
      if (!err)
        {
          err = sig_to_mpis (pk, sigbuf, siglen, sig, r_nsig);
          xfree (sigbuf);
          sigbuf = NULL;
          if (err)
            return ca_card_errmsg (err, slot->ident, what);
          err = pk_verify (pk, hashalgo, digest, digestlen, sig, *r_nsig);
          if (!err)
            {
              if (ecc_aut)
                {
                  conn->auth_framing = framing;
                  conn->auth_framing_known = 1;
                }
              return 0;
            }
          pk_mpi_release (&sig[0]);
          pk_mpi_release (&sig[1]);
          *r_nsig = 0;
          err = gpg_error (GPG_ERR_BAD_SIGNATURE);
        }
      /* Only a framing problem is worth another try.  */
      if (!ecc_aut || conn->auth_framing_known
          || (gpg_err_code (err) != GPG_ERR_BAD_SIGNATURE
              && gpg_err_code (err) != GPG_ERR_INV_VALUE
              && gpg_err_code (err) != GPG_ERR_INV_LENGTH))
        break;
      framing = (framing + 1) % AUTH_FRAME_COUNT;
    }
  if (gpg_err_code (err) != GPG_ERR_BAD_SIGNATURE)
    return ca_card_errmsg (err, slot->ident, what);
  return ca_set_errmsg (gpg_error (GPG_ERR_BAD_SIGNATURE),
                        "OpenPGP card %s returned a signature that does not "
                        "verify with the CA key (%s)", slot->ident, what);
}


gpg_error_t
ca_card_make_signer (ca_card_conn_t *conn, const char *serialno,
                     const char *ident, int keyno, const pgp_key_t *key,
                     int uif, pgp_signer_t *r_signer)
{
  struct card_slot *slot;

  memset (r_signer, 0, sizeof *r_signer);
  if (keyno != CA_CARD_SLOT_AUT && keyno != CA_CARD_SLOT_SIG)
    return gpg_error (GPG_ERR_INV_ID);
  if (strlen (serialno) >= sizeof slot->serialno)
    return gpg_error (GPG_ERR_INV_VALUE);
  slot = &conn->slot[keyno == CA_CARD_SLOT_AUT];
  memset (slot, 0, sizeof *slot);
  slot->conn = conn;
  strcpy (slot->serialno, serialno);
  snprintf (slot->ident, sizeof slot->ident, "%s", ident);
  slot->keyno = keyno;
  slot->key = key;
  slot->uif = uif;
  r_signer->pub = key->pk;
  memcpy (r_signer->fpr, key->fpr, 20);
  memcpy (r_signer->keyid, key->keyid, 8);
  r_signer->created = key->created;
  r_signer->sign = card_sign;
  r_signer->ctx = slot;
  /* A card signs an ECDSA hash of at most the field size: SHA-256 for
   * P-256, SHA-384 for P-384 (what gpg picks for these curves).  */
  if (key->pk->algo == PK_ECDSA && pk_key_nbits (key->pk) <= 256)
    r_signer->hashalgo = PK_HASH_SHA256;
  else if (key->pk->algo == PK_ECDSA && pk_key_nbits (key->pk) <= 384)
    r_signer->hashalgo = PK_HASH_SHA384;
  return 0;
}



/*
 * The backend.
 */

struct card_backend
{
  char *ident;
  char *pin;                   /* Secure memory.  */
  int stored_route;
  int route;
  ca_card_conn_t *conn;        /* Opened on first use.  */
  char *serialno;
  scd_cardinfo_t *info;
  int ready;
  gpg_error_t open_err;        /* Sticky error of the first open.  */
};


/* Connect to the card of BE and check it is the CA's card.  */
static gpg_error_t
backend_open (ca_backend_t *be)
{
  struct card_backend *cb = be->priv;
  gpg_error_t err;
  ca_card_entry_t *list = NULL, *e;
  char fpr[41], cardfpr[41];

  if (cb->ready)
    return 0;
  if (cb->open_err)
    return cb->open_err;

  err = ca_card_connect (cb->route, &cb->conn);
  if (err)
    goto leave;
  err = ca_card_list_cards (cb->conn, &list);
  if (err)
    goto leave;
  e = ca_card_find (list, cb->ident);
  if (!e)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                           "OpenPGP card %s not found (is it plugged in?)",
                           cb->ident);
      goto leave;
    }
  if (!ca_card_holder_ok (e->info))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                           "On card %s: Expected cardholder name '%s' on "
                           "OpenPGP card, found '%s'.", cb->ident,
                           CA_CARD_HOLDER,
                           e->info->disp_name ? e->info->disp_name : "");
      goto leave;
    }
  pgp_cert_fpr_hex (be->cacert, fpr);
  if (!fpr_set (e->info, 2))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                           "On card %s: No AUT key on card", cb->ident);
      goto leave;
    }
  oca_bin2hex (e->info->fpr[2], 20, cardfpr);
  if (strcmp (fpr, cardfpr))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                           "On card %s: Auth key slot on card %s doesn't "
                           "match primary (cert) fingerprint %s.",
                           cb->ident, cardfpr, fpr);
      goto leave;
    }
  /* Select it again (the listing may have selected another card) and
   * verify the PIN once for the whole run.  */
  err = ca_card_unlock (cb->conn, e->serialno, e->info, cb->ident, cb->pin,
                        0);
  if (err)
    goto leave;
  cb->serialno = e->serialno;
  e->serialno = NULL;
  cb->info = e->info;
  e->info = NULL;
  cb->ready = 1;

 leave:
  ca_card_entry_release (list);
  if (err)
    cb->open_err = err;
  return err;
}


static gpg_error_t
card_certifier (ca_backend_t *be, pgp_signer_t *r_signer)
{
  struct card_backend *cb = be->priv;
  gpg_error_t err;

  memset (r_signer, 0, sizeof *r_signer);
  err = backend_open (be);
  if (err)
    return err;
  return ca_card_make_signer (cb->conn, cb->serialno, cb->ident,
                              CA_CARD_SLOT_AUT, be->cacert->primary,
                              cb->info->uif_valid[2] ? cb->info->uif[2] : 0,
                              r_signer);
}


static gpg_error_t
card_signer (ca_backend_t *be, pgp_signer_t *r_signer)
{
  struct card_backend *cb = be->priv;
  gpg_error_t err;
  pgp_key_t *sub;

  memset (r_signer, 0, sizeof *r_signer);
  sub = pgp_cert_signing_subkey (be->cacert);
  if (!sub)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                          "the CA has no usable signing subkey");
  err = backend_open (be);
  if (err)
    return err;
  if (!fpr_set (cb->info, 0) || memcmp (cb->info->fpr[0], sub->fpr, 20))
    return ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                          "On card %s: the SIG slot does not hold the CA "
                          "signing subkey", cb->ident);
  return ca_card_make_signer (cb->conn, cb->serialno, cb->ident,
                              CA_CARD_SLOT_SIG, sub,
                              cb->info->uif_valid[0] ? cb->info->uif[0] : 0,
                              r_signer);
}


static gpg_error_t
card_describe (ca_backend_t *be, char **r_text)
{
  struct card_backend *cb = be->priv;

  /* Secure memory: xfree (gcry_free) wipes it.  */
  return ca_card_describe (cb->ident, cb->pin, cb->stored_route, r_text);
}


static gpg_error_t
card_export_private (ca_backend_t *be, char **r_armor, size_t *r_len)
{
  (void)be;
  *r_armor = NULL;
  *r_len = 0;
  return gpg_error (GPG_ERR_NOT_SUPPORTED);
}


static void
card_release (ca_backend_t *be)
{
  struct card_backend *cb = be->priv;

  if (!cb)
    return;
  ca_card_conn_release (cb->conn);
  xfree (cb->ident);
  wipe_and_free_string (cb->pin);
  xfree (cb->serialno);
  scd_cardinfo_release (cb->info);
  xfree (cb);
  be->priv = NULL;
}


static const struct ca_backend_ops card_ops =
  {
    "card",
    card_certifier,
    card_signer,
    card_describe,
    card_export_private,
    card_release,
    0
  };


gpg_error_t
ca_card_backend_new (const char *config, pgp_cert_t *cacert,
                     ca_backend_t **r_be)
{
  gpg_error_t err;
  ca_backend_t *be = NULL;
  struct card_backend *cb = NULL;

  *r_be = NULL;
  cb = xtrycalloc (1, sizeof *cb);
  if (!cb)
    return oca_error_from_errno ();
  err = ca_card_parse_config (config, &cb->ident, &cb->pin,
                              &cb->stored_route);
  if (err || !ident_valid (cb->ident))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                           "invalid OpenPGP card backend configuration in "
                           "the database");
      goto leave;
    }
  cb->route = ca_card_effective_route (cb->stored_route);
  be = xtrycalloc (1, sizeof *be);
  if (!be)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  be->ops = &card_ops;
  be->cacert = cacert;
  be->priv = cb;
  cb = NULL;
  *r_be = be;
  be = NULL;

 leave:
  if (cb)
    {
      xfree (cb->ident);
      wipe_and_free_string (cb->pin);
      xfree (cb);
    }
  xfree (be);
  return err;
}
