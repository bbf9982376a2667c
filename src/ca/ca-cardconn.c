/* ca-cardconn.c - the connection to an OpenPGP card and its operations
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A connection is an scd_client_t (oca-scd on a pipe, or gpg-agent)
 * plus the PIN state (ca-pin.c) that answers the server's PIN requests,
 * and the card operations the flows (ca-provision.c) and the backend
 * (ca-card.c) are built from: listing and selecting cards, checking
 * what a card can hold, writing or generating keys, the cardholder
 * name, the PINs, the touch policy, and signing.
 *
 * PIN safety.  The stored PIN is only given when the server asks for
 * it.  A PIN the card rejects is never sent again on this connection
 * (the PIN state latches the rejection), and a card with fewer than two
 * User PIN tries left is not tried with a stored PIN at all, so a wrong
 * stored PIN cannot block the card.
 */
#include <config.h>
#include "ca-card.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "membuf.h"

/* The installed oca-scd (set by ca.am), tried in this order.  */
#ifndef OCA_SCD_LIBEXEC
# define OCA_SCD_LIBEXEC "/usr/local/libexec/oca-scd"
#endif
#ifndef OCA_SCD_BINDIR
# define OCA_SCD_BINDIR "/usr/local/bin/oca-scd"
#endif

struct ca_card_conn
{
  scd_client_t scd;
  int route;
  ca_pins_t pins;              /* What to answer PIN requests with.  */
  gpg_error_t fatal_err;       /* Latched: touch timeout, card gone:
                                * the rest of a batch fails at once.  */
  char selected[65];           /* Serial number of the selected card.  */
  int held;                    /* Through gpg-agent: scdaemon holds it.  */
  int pinpad;                  /* PINs are typed on the reader's pin-pad.  */
  int pin_asked;               /* ... but the server asked us for one.  */
};



/*
 * Messages.
 */

/* See ca-card.h.  */
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
 * The connection.
 */

/* The PIN callback of the scd client: the PIN state answers.  */
static gpg_error_t
pin_cb (void *opaque, const scd_pin_request_t *req, char **r_pin)
{
  ca_card_conn_t *conn = opaque;
  gpg_error_t err;

  err = ca_pin_answer (&conn->pins, req, r_pin);
  if (gpg_err_code (err) == GPG_ERR_NO_PIN_ENTRY)
    conn->pin_asked = 1;
  return err;
}


/* The pin-pad callback of the scd client: the reader is about to
 * collect a PIN (PROMPT), or is done (PROMPT NULL).  */
static gpg_error_t
pinpad_cb (void *opaque, const char *prompt, int admin)
{
  (void)opaque;
  if (prompt)
    ca_notice ("Enter the %s on the reader's pin-pad",
               admin ? "Admin PIN" : "User PIN");
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


/* See ca-card.h.  */
gpg_error_t
ca_card_connect (int route, ca_card_conn_t **r_conn)
{
  return ca_card_connect_pinpad (route, 0, r_conn);
}


/* See ca-card.h.  */
gpg_error_t
ca_card_connect_pinpad (int route, int pinpad, ca_card_conn_t **r_conn)
{
  gpg_error_t err;
  ca_card_conn_t *conn;
  const char *pgm = NULL;
  static const char *const pinpad_args[] = { "--enable-pinpad-varlen",
                                             NULL };

  *r_conn = NULL;
  conn = xtrycalloc (1, sizeof *conn);
  if (!conn)
    return oca_error_from_errno ();
  conn->route = route;
  if (route == CA_ROUTE_AGENT)
    err = scd_client_connect_agent (&conn->scd, NULL);
  else
    {
      pgm = scd_program ();
      err = scd_client_spawn (&conn->scd, pgm, pinpad ? pinpad_args : NULL,
                              SCD_SPAWN_KEEP_STDERR);
      if (!err && ca_card_route_fallback (&conn->scd))
        {
          conn->route = CA_ROUTE_AGENT;
          conn->held = 1;
        }
    }
  if (err)
    {
      if (route == CA_ROUTE_AGENT)
        ca_set_errmsg (err, "can't connect to gpg-agent for the OpenPGP "
                       "card: %s", gpg_strerror (err));
      else
        ca_set_errmsg (err, "can't start the card server '%s': %s", pgm,
                       gpg_strerror (err));
      xfree (conn);
      return err;
    }
  scd_client_set_pin_cb (conn->scd, pin_cb, conn);
  if (pinpad)
    {
      conn->pinpad = 1;
      scd_client_set_pinpad_cb (conn->scd, pinpad_cb, conn);
      /* gpg-agent shows the pin-pad prompt with its pinentry.  */
      err = scd_client_agent_pinentry (conn->scd);
      if (err)
        {
          ca_set_errmsg (err, "can't set up gpg-agent for the pin-pad: %s",
                         gpg_strerror (err));
          ca_card_conn_release (conn);
          return err;
        }
      err = ca_pins_set (&conn->pins, CA_PIN_PINPAD, NULL);
      if (err)
        {
          ca_card_conn_release (conn);
          return err;
        }
    }
  *r_conn = conn;
  return 0;
}


/* See ca-card.h.  */
void
ca_card_conn_release (ca_card_conn_t *conn)
{
  if (!conn)
    return;
  scd_client_release (conn->scd);
  ca_pins_clear (&conn->pins);
  xfree (conn);
}


/* See ca-card.h.  */
int
ca_card_conn_route (ca_card_conn_t *conn)
{
  return conn->route;
}


/* See ca-card.h.  */
int
ca_card_conn_held (ca_card_conn_t *conn)
{
  return conn->held;
}


/* See ca-card.h.  */
gpg_error_t
ca_card_conn_set_pins (ca_card_conn_t *conn, ca_pin_state_t state,
                       const char *pin)
{
  return ca_pins_set (&conn->pins, state, pin);
}


/* See ca-card.h.  */
gpg_error_t
ca_card_conn_failed (ca_card_conn_t *conn)
{
  if (conn->pins.state == CA_PIN_REJECTED)
    return gpg_error (GPG_ERR_BAD_PIN);
  return conn->fatal_err;
}


/* See ca-card.h.  */
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


/* See ca-card.h.  */
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


/* See ca-card.h.  */
gpg_error_t
ca_card_list_cards (ca_card_conn_t *conn, ca_card_entry_t **r_list)
{
  gpg_error_t err;
  char **sns = NULL, *sn = NULL;
  size_t nsns = 0, i;
  ca_card_entry_t *list = NULL, **tail = &list, *e;

  *r_list = NULL;
  /* SERIALNO opens the cards (GnuPG 2.4's scdaemon and oca-scd list
   * only the cards opened so far), GETINFO card_list names them all;
   * older servers know only the current card.  */
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
  err = scd_client_card_list (conn->scd, &sns, &nsns);
  if (err || !nsns)
    {
      scd_client_free_strlist (sns);
      sns = xtrycalloc (2, sizeof *sns);
      if (!sns)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      sns[0] = sn;
      sn = NULL;
      nsns = 1;
      err = 0;
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
  xfree (sn);
  ca_card_entry_release (list);
  scd_client_free_strlist (sns);
  return err;
}


/* See ca-card.h.  */
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


/* See ca-card.h.  */
int
ca_card_is_blank (const scd_cardinfo_t *info)
{
  return !fpr_set (info, 0) && !fpr_set (info, 1) && !fpr_set (info, 2);
}


/* See ca-card.h.  */
int
ca_card_holder_ok (const scd_cardinfo_t *info)
{
  return info->disp_name && !strcmp (info->disp_name, CA_CARD_HOLDER);
}


/* See ca-card.h.  */
const char *
ca_card_holder_display (const scd_cardinfo_t *info, char *buf, size_t size)
{
  const char *s = info->disp_name ? info->disp_name : "";
  const char *sep = strstr (s, "<<");
  size_t i, n = 0;

  if (!size)
    return buf;
  /* "Surname<<Given<Names" -> "Given Names Surname".  */
  if (sep)
    {
      for (i = 0; sep[2 + i] && n + 1 < size; i++)
        buf[n++] = sep[2 + i] == '<' ? ' ' : sep[2 + i];
      if (n && n + 1 < size)
        buf[n++] = ' ';
      for (i = 0; s + i < sep && n + 1 < size; i++)
        buf[n++] = s[i] == '<' ? ' ' : s[i];
    }
  else
    for (i = 0; s[i] && n + 1 < size; i++)
      buf[n++] = s[i] == '<' ? ' ' : s[i];
  buf[n] = 0;
  return buf;
}


/* See ca-card.h.  */
int
ca_card_usable_blank (const ca_card_entry_t *e)
{
  return ca_card_is_blank (e->info)
    && (!e->info->disp_name || !*e->info->disp_name
        || ca_card_holder_ok (e->info));
}


/* See ca-card.h.  */
int
ca_card_matches (const ca_card_entry_t *e, const unsigned char fpr[20])
{
  return e->info->fpr_valid[2] && !memcmp (e->info->fpr[2], fpr, 20)
    && ca_card_holder_ok (e->info);
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

/* See ca-card.h.  */
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


/* See ca-card.h.  */
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
  err = scd_client_writekey (conn->scd, keyid, 1, kd, kdlen);
  wipe_and_free (kd, kdlen);
  return err;
}


/* See ca-card.h.  */
gpg_error_t
ca_card_set_keyattr (ca_card_conn_t *conn, const scd_cardinfo_t *info,
                     int keyno, int pkalgo, int curve, unsigned int nbits)
{
  const scd_keyattr_t *ka = &info->key_attr[keyno - 1];
  char value[80];

  if (pkalgo == PK_RSA)
    {
      if (ka->algo == 1 && ka->nbits == nbits)
        return 0;
      snprintf (value, sizeof value, "--force %d 1 rsa%u", keyno, nbits);
    }
  else
    {
      if (ka->algo == pkalgo && !strcasecmp (ka->curve, pk_curve_name (curve)))
        return 0;
      snprintf (value, sizeof value, "--force %d %d %s", keyno, pkalgo,
                curve == PK_CURVE_ED25519 ? "ed25519"
                : curve == PK_CURVE_NISTP256 ? "nistp256" : "nistp384");
    }
  return scd_client_setattr (conn->scd, "KEY-ATTR", value, strlen (value));
}


/* See ca-card.h.  */
gpg_error_t
ca_card_genkey (ca_card_conn_t *conn, int keyno, uint32_t created,
                scd_genkey_result_t **r_res)
{
  return scd_client_genkey (conn->scd, keyno, SCD_GENKEY_FORCE, created,
                            NULL, r_res);
}


/* See ca-card.h.  */
gpg_error_t
ca_card_set_holder (ca_card_conn_t *conn)
{
  return scd_client_setattr (conn->scd, "DISP-NAME", CA_CARD_HOLDER,
                             strlen (CA_CARD_HOLDER));
}


/* See ca-card.h.  */
gpg_error_t
ca_card_set_pins (ca_card_conn_t *conn, const char *newpin)
{
  gpg_error_t err;

  /* Admin PIN: factory -> NEWPIN.  */
  err = ca_pins_set (&conn->pins, CA_PIN_CHANGE, newpin);
  if (!err)
    err = scd_client_passwd (conn->scd, "3", 0);
  /* User PIN reset with the (new) Admin PIN.  */
  if (!err)
    err = ca_pins_set (&conn->pins, CA_PIN_RESET, newpin);
  if (!err)
    err = scd_client_passwd (conn->scd, "1", SCD_PASSWD_RESET);
  if (!err)
    err = ca_pins_set (&conn->pins, CA_PIN_SET, newpin);
  return err;
}


/* See ca-card.h.  */
gpg_error_t
ca_card_set_uif (ca_card_conn_t *conn, const char *serialno, int keyno,
                 int policy)
{
  gpg_error_t err;
  unsigned char value[2];
  char attr[8], idstr[80];

  value[0] = policy;
  value[1] = 0x20;
  snprintf (attr, sizeof attr, "UIF-%d", keyno);
  err = scd_client_setattr (conn->scd, attr, value, 2);
  if (gpg_err_code (err) == GPG_ERR_INV_NAME
      || gpg_err_code (err) == GPG_ERR_NOT_SUPPORTED)
    {
      /* GnuPG 2.2's scdaemon knows no UIF attribute: verify the Admin
       * PIN with CHECKPIN and write DO D6..D8 with PUT DATA.  */
      snprintf (idstr, sizeof idstr, "%s[CHV3]", serialno);
      err = scd_client_checkpin (conn->scd, idstr);
      if (!err)
        err = scd_client_put_data (conn->scd, 0xd5 + keyno, value, 2);
    }
  return err;
}


/* Verify the User PIN of the selected card SERIALNO (data INFO; see
 * ca_card_unlock).  */
static gpg_error_t
verify_user_pin (ca_card_conn_t *conn, const char *serialno,
                 const scd_cardinfo_t *info, const char *ident, int entered)
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
  err = scd_client_checkpin (conn->scd, serialno);
  if (gpg_err_code (err) == GPG_ERR_BAD_PIN)
    ca_pins_set (&conn->pins, CA_PIN_REJECTED, NULL);
  return err;
}


/* ca_card_unlock on a pin-pad connection: the operator types the
 * User PIN on the reader's pin-pad (oca-scd, or GnuPG's scdaemon
 * through gpg-agent, tells the reader to collect it).  */
static gpg_error_t
unlock_pinpad (ca_card_conn_t *conn, const char *serialno,
               const scd_cardinfo_t *info, const char *ident)
{
  gpg_error_t err;

  err = ca_card_select (conn, serialno, NULL);
  if (err)
    return ca_card_errmsg (err, ident, "selecting the card");
  if (info && info->chv_status_valid && !info->chv_status[4])
    return ca_set_errmsg (gpg_error (GPG_ERR_PIN_BLOCKED),
                          "The User PIN of OpenPGP card %s is blocked",
                          ident);
  /* Through gpg-agent the prompt goes to the agent's pinentry.  */
  if (scd_client_via_agent (conn->scd))
    pinpad_cb (conn, "", 0);
  conn->pin_asked = 0;
  err = scd_client_checkpin (conn->scd, serialno);
  if (!err)
    return 0;
  if (conn->pin_asked)
    return ca_set_errmsg (err, "The card server asked oca for the User PIN "
                          "of OpenPGP card %s instead of taking it on the "
                          "reader's pin-pad (the reader has no pin-pad, or "
                          "GnuPG's scdaemon lacks enable-pinpad-varlen)",
                          ident);
  switch (gpg_err_code (err))
    {
    case GPG_ERR_BAD_PIN:
      return ca_set_errmsg (err, "The User PIN typed on the reader's "
                            "pin-pad was rejected by OpenPGP card %s",
                            ident);
    case GPG_ERR_CANCELED:
      return ca_set_errmsg (err, "PIN entry on the reader's pin-pad was "
                            "cancelled (OpenPGP card %s)", ident);
    case GPG_ERR_TIMEOUT:
      return ca_set_errmsg (err, "PIN entry on the reader's pin-pad timed "
                            "out (OpenPGP card %s)", ident);
    case GPG_ERR_INV_LENGTH:
      return ca_set_errmsg (err, "The PIN typed on the reader's pin-pad "
                            "is too short or too long (OpenPGP card %s)",
                            ident);
    default:
      return ca_card_errmsg (err, ident, "verifying the User PIN on the "
                             "reader's pin-pad");
    }
}


/* See ca-card.h.  */
gpg_error_t
ca_card_unlock (ca_card_conn_t *conn, const char *serialno,
                const scd_cardinfo_t *info, const char *ident,
                const char *pin, int entered)
{
  gpg_error_t err;

  if (conn->pinpad)
    return unlock_pinpad (conn, serialno, info, ident);
  err = ca_pins_set (&conn->pins, CA_PIN_SET, pin);
  if (!err)
    err = ca_card_select (conn, serialno, NULL);
  if (!err)
    err = verify_user_pin (conn, serialno, info, ident, entered);
  if (err && !ca_errmsg_for (err))
    ca_card_errmsg (err, ident, "verifying the User PIN");
  return err;
}



/*
 * Signing.
 */

/* See ca-card.h.  */
gpg_error_t
ca_card_sign_op (ca_card_conn_t *conn, const char *serialno, int keyno,
                 int uif, const char *hashname,
                 const unsigned char *data, size_t datalen,
                 unsigned char **r_sig, size_t *r_siglen)
{
  gpg_error_t err;

  *r_sig = NULL;
  *r_siglen = 0;
  err = ca_card_conn_failed (conn);
  if (err)
    return err;
  /* The card of this operation may not be the selected one.  */
  if (!conn->selected[0] || strcasecmp (conn->selected, serialno))
    {
      err = ca_card_select (conn, serialno, NULL);
      if (err)
        return err;
    }
  if (uif)
    ca_notice ("Touch confirmation needed for %s",
               keyno == CA_CARD_SLOT_AUT ? "certification" : "signing");
  if (keyno == CA_CARD_SLOT_AUT)
    err = scd_client_pkauth (conn->scd, "OPENPGP.3", data, datalen,
                             r_sig, r_siglen);
  else
    err = scd_client_pksign (conn->scd, "OPENPGP.1", hashname, data, datalen,
                             r_sig, r_siglen);
  if (err)
    {
      if (gpg_err_code (err) == GPG_ERR_BAD_PIN)
        ca_pins_set (&conn->pins, CA_PIN_REJECTED, NULL);
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
          if (!uif)
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
