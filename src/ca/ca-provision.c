/* ca-provision.c - putting a CA on an OpenPGP card: init, migrate, set-backend
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The card flows of ca.h (spec openpgp-ca.md sections 1 and 5; issue
 * 5), built from the card operations of ca-cardconn.c.  `ca init ...
 * card' in all its modes and `ca migrate' run one sequence:
 *
 *   connect      to the card server over the route;
 *   list         the cards present;
 *   recover      what an interrupted run left (the pending row);
 *   choose       the blank card (or, for a CA from a card, the
 *                matching one) and check it takes the CA's algorithm;
 *   random PIN   a new User PIN (= Admin PIN) for it;
 *   pending row  committed before the card is written;
 *   personalise  write (or generate) the keys, the cardholder, the PINs;
 *   store        the CA and delete the pending row in one transaction.
 *
 * Card choice.  A "usable blank" card has no key fingerprints and no
 * cardholder name other than "OpenPGP CA" (cards personalised for
 * somebody else are never used).  A "matching" card has the CA's
 * fingerprint in its AUT slot and the cardholder "OpenPGP CA".
 *
 * Crash safety.  The pending row holds the card, the new PIN and the
 * progress.  A run that finds one completes the CA if the card was
 * fully personalised, forgets the row if the card is still blank, and
 * otherwise says how to go on.  So there is never a half CA in the
 * database, and no card whose PIN is lost.
 *
 * The operator is told and asked through the front end's ca_card_ui_t;
 * nothing here prints.
 */
#include <config.h>
#include "ca-card.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "membuf.h"

/* Progress stages stored in the pending row.  */
#define STAGE_WRITING "1"      /* The card may be partly written.  */
#define STAGE_DONE    "2"      /* Keys and PINs are on the card.  */


/* What one flow is (the names of the pending row and of the command in
 * messages).  */
typedef struct flow_kind
{
  const char *pending;         /* Key of the pending row, or NULL.  */
  const char *command;         /* "ca init".  */
  const char *prep;            /* "on" / "to" the card.  */
} flow_kind_t;

static const flow_kind_t kind_init = { "card-init", "ca init", "on" };
static const flow_kind_t kind_migrate = { "card-migrate", "ca migrate", "to" };

/* One run of a card flow.  */
typedef struct flow
{
  const flow_kind_t *kind;
  ca_t *ca;
  const ca_card_ui_t *ui;
  int route;
  ca_card_conn_t *conn;
  ca_card_entry_t *list;       /* The cards present.  */
  ca_card_entry_t *card;       /* The one chosen (in LIST).  */
  char *pin;                   /* Its new PIN (secure memory).  */
  int pinpad;                  /* Store no PIN: the operator types it on
                                * the reader's pin-pad.  */
  int pad_conn;                /* Connect for the pin-pad (no PIN of the
                                * card is known here).  */
} flow_t;


/* The pending row: "IDENT;ROUTE;PIN;DOMAIN;FPR;STAGE;CERT".  */
typedef struct pending
{
  char *buf;                   /* Secure copy, fields point into it.  */
  const char *ident, *route, *pin, *domain, *fpr, *stage, *cert;
} pending_t;


static void
pending_clear (pending_t *p)
{
  wipe_and_free_string (p->buf);
  memset (p, 0, sizeof *p);
}


/* The route recorded in P (the default if unknown).  */
static int
pending_route (const pending_t *p)
{
  int route = ca_route_from_name (p->route);

  return route < 0 ? CA_ROUTE_OCA_SCD : route;
}


/* Split VALUE (taken over) into P.  */
static gpg_error_t
pending_parse (char *value, pending_t *p)
{
  const char **f[7];
  char *s = value;
  int i;

  memset (p, 0, sizeof *p);
  f[0] = &p->ident; f[1] = &p->route; f[2] = &p->pin; f[3] = &p->domain;
  f[4] = &p->fpr; f[5] = &p->stage; f[6] = &p->cert;
  p->buf = value;
  for (i = 0; i < 7; i++)
    {
      *f[i] = s;
      if (i == 6)
        break;
      s = strchr (s, ';');
      if (!s)
        return gpg_error (GPG_ERR_INV_VALUE);
      *s++ = 0;
    }
  return 0;
}


/* Store the pending row of flow F with STAGE, the CA's DOMAIN, FPR
 * and CERT (may be NULL) in its own committed transaction.  */
static gpg_error_t
pending_store (flow_t *f, const char *domain, const char *fpr,
               const char *stage, const char *cert)
{
  gpg_error_t err;
  const char *rname = ca_card_route_name (f->route);
  char *v;
  size_t n;

  /* Secure memory: gpgrt_bsprintf would leave copies of the PIN behind
   * when it grows its buffer for the certificate.  */
  if (!fpr)
    fpr = "";
  if (!cert)
    cert = "";
  n = strlen (f->card->ident) + strlen (rname) + strlen (f->pin)
    + strlen (domain) + strlen (fpr) + strlen (stage) + strlen (cert) + 7;
  v = xtrymalloc_secure (n);
  if (!v)
    return oca_error_from_errno ();
  snprintf (v, n, "%s;%s;%s;%s;%s;%s;%s", f->card->ident, rname, f->pin,
            domain, fpr, stage, cert);
  err = ca_begin (f->ca);
  if (!err)
    {
      err = db_pending_set (f->ca->db, f->kind->pending, v);
      if (err)
        ca_db_errmsg (f->ca, err, "writing the database");
    }
  if (!err)
    err = ca_commit (f->ca);
  else
    db_rollback (f->ca->db);
  wipe_and_free_string (v);
  return err;
}


/* Delete the pending row of F in its own transaction.  */
static gpg_error_t
pending_forget (flow_t *f)
{
  gpg_error_t err;

  err = ca_begin (f->ca);
  if (!err)
    err = db_pending_delete (f->ca->db, f->kind->pending);
  if (!err)
    err = ca_commit (f->ca);
  else
    db_rollback (f->ca->db);
  return err;
}


/* Connect F over its route and list the cards.  */
static gpg_error_t
flow_connect (flow_t *f)
{
  gpg_error_t err;

  err = ca_card_connect_pinpad (f->route, f->pad_conn, &f->conn);
  if (!err)
    err = ca_card_list_cards (f->conn, &f->list);
  return err;
}


static void
flow_release (flow_t *f)
{
  wipe_and_free_string (f->pin);
  ca_card_entry_release (f->list);
  ca_card_conn_release (f->conn);
  memset (f, 0, sizeof *f);
}


/* Look at the pending row of F.  Without one, or after forgetting one
 * that no card needs (unreadable, or its card is blank again), return
 * 0 with F's card NULL.  When its card holds a finished
 * personalisation for the CA FPR (any CA if NULL: then with the CA
 * certificate, parsed into *R_CERT), make it F's card, unlock it with
 * the recorded PIN and return 0 with P filled and F's route the
 * recorded one: the caller completes the CA.  Otherwise an error says
 * what to do.  */
static gpg_error_t
flow_recover (flow_t *f, const unsigned char *fpr, pending_t *p,
              pgp_cert_t **r_cert)
{
  gpg_error_t err;
  char *value = NULL;
  ca_card_entry_t *e;
  unsigned char pfpr[20];

  memset (p, 0, sizeof *p);
  err = db_pending_get (f->ca->db, f->kind->pending, &value, NULL);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    return 0;
  if (err)
    return ca_db_errmsg (f->ca, err, "reading the database");
  if (pending_parse (value, p))
    {
      /* Unreadable: forget it.  */
      pending_clear (p);
      return pending_forget (f);
    }
  e = ca_card_find (f->list, p->ident);
  if (!e)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                           "A previous '%s' %s OpenPGP card %s did not "
                           "finish; insert that card and run the command "
                           "again", f->kind->command, f->kind->prep,
                           p->ident);
      goto leave;
    }
  if (ca_card_usable_blank (e))
    {
      /* Nothing happened to the card: start afresh.  */
      pending_clear (p);
      return pending_forget (f);
    }
  if (!strcmp (p->stage, STAGE_DONE) && (fpr || *p->cert) && *p->fpr
      && !oca_hex2bin (p->fpr, pfpr, 20) && ca_card_matches (e, pfpr)
      && (!fpr || !memcmp (pfpr, fpr, 20)))
    {
      if (r_cert)
        {
          err = pgp_read_cert (p->cert, strlen (p->cert), r_cert);
          if (err)
            {
              ca_set_errmsg (err, "the interrupted '%s' left an unreadable "
                             "CA certificate: %s", f->kind->command,
                             gpg_strerror (err));
              goto leave;
            }
        }
      f->card = e;
      f->route = pending_route (p);
      f->ui->tell (f->ui->opaque, fpr ? CA_CARD_EV_RECOVER_MIGRATE
                   : CA_CARD_EV_RECOVER_INIT, e->ident, NULL);
      f->pin = xtrymalloc_secure (strlen (p->pin) + 1);
      if (!f->pin)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      strcpy (f->pin, p->pin);
      err = ca_card_unlock (f->conn, e->serialno, e->info, e->ident, f->pin,
                            0);
      if (err)
        goto leave;
      return 0;
    }
  err = ca_set_errmsg (gpg_error (GPG_ERR_INV_STATE),
                       "OpenPGP card %s was partly written by an "
                       "interrupted '%s'; factory-reset it (gpg "
                       "--card-edit: admin, factory-reset) and run the "
                       "command again", p->ident, f->kind->command);

 leave:
  pending_clear (p);
  return err;
}


/* Make the one card of F's list that ACCEPT (with FPR) takes F's card.
 * None is GPG_ERR_CARD_NOT_PRESENT ("No WHAT OpenPGP card found"),
 * several GPG_ERR_AMBIGUOUS ("Multiple WHAT OpenPGP cards found: ..."
 * with their idents).  */
static gpg_error_t
choose_only (flow_t *f, const char *what,
             int (*accept) (const ca_card_entry_t *e,
                            const unsigned char *fpr),
             const unsigned char *fpr)
{
  ca_card_entry_t *e, *found = NULL;
  size_t n = 0, slen;
  membuf_t mb;
  unsigned char *s;

  membuf_init (&mb, 4096, 0);
  for (e = f->list; e; e = e->next)
    if (accept (e, fpr))
      {
        if (n++)
          membuf_put_str (&mb, " ");
        membuf_put_str (&mb, e->ident);
        found = e;
      }
  membuf_put (&mb, "", 1);
  if (n == 1)
    {
      membuf_release (&mb);
      f->card = found;
      return 0;
    }
  if (!n)
    {
      membuf_release (&mb);
      return ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                            "No %s OpenPGP card found", what);
    }
  if (membuf_take (&mb, &s, &slen))
    return gpg_error (GPG_ERR_ENOMEM);
  ca_set_errmsg (gpg_error (GPG_ERR_AMBIGUOUS),
                 "Multiple %s OpenPGP cards found: %s", what, (char *)s);
  xfree (s);
  return gpg_error (GPG_ERR_AMBIGUOUS);
}


/* choose_only's test for a usable blank card.  */
static int
accept_blank (const ca_card_entry_t *e, const unsigned char *fpr)
{
  (void)fpr;
  return ca_card_usable_blank (e);
}


/* The card IDENT of F's list, or an error naming it.  */
static gpg_error_t
named_card (flow_t *f, const char *ident, ca_card_entry_t **r_e)
{
  *r_e = ca_card_find (f->list, ident);
  if (!*r_e)
    return ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                          "OpenPGP card %s not found", ident);
  return 0;
}


/* Choose the blank card for F (IDENT may be NULL).  */
static gpg_error_t
choose_blank (flow_t *f, const char *ident)
{
  gpg_error_t err;
  ca_card_entry_t *e;
  char holder[128];

  if (!ident)
    return choose_only (f, "blank", accept_blank, NULL);
  err = named_card (f, ident, &e);
  if (err)
    return err;
  if (!ca_card_is_blank (e->info))
    return ca_set_errmsg (gpg_error (GPG_ERR_EEXIST),
                          "The OpenPGP card contains key material, "
                          "please reset it before use with OpenPGP CA.");
  if (!ca_card_usable_blank (e))
    return ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                          "OpenPGP card %s belongs to cardholder '%s'; "
                          "reset it before use with OpenPGP CA", ident,
                          ca_card_holder_display (e->info, holder,
                                                  sizeof holder));
  f->card = e;
  return 0;
}


/* Choose the card of F holding the CA FPR (IDENT may be NULL).  */
static gpg_error_t
choose_matching (flow_t *f, const char *ident, const unsigned char fpr[20])
{
  gpg_error_t err;
  ca_card_entry_t *e;
  char want[41], have[41];

  if (!ident)
    return choose_only (f, "matching", ca_card_matches, fpr);
  err = named_card (f, ident, &e);
  if (err)
    return err;
  if (!ca_card_holder_ok (e->info))
    return ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                          "On card %s: Expected cardholder name '%s' on "
                          "OpenPGP card, found '%s'.", ident,
                          CA_CARD_HOLDER,
                          e->info->disp_name ? e->info->disp_name : "");
  if (!e->info->fpr_valid[2])
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                          "On card %s: No AUT key on card", ident);
  if (memcmp (e->info->fpr[2], fpr, 20))
    return ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                          "On card %s: Auth key slot on card %s doesn't "
                          "match primary (cert) fingerprint %s.", ident,
                          oca_bin2hex (e->info->fpr[2], 20, have),
                          oca_bin2hex (fpr, 20, want));
  f->card = e;
  return 0;
}


/* Select the chosen card of F and check it can hold keys of
 * PKALGO/CURVE/NBITS.  */
static gpg_error_t
check_card (flow_t *f, int pkalgo, int curve, unsigned int nbits)
{
  gpg_error_t err;
  ca_card_entry_t *e = f->card;

  err = ca_card_select (f->conn, e->serialno, NULL);
  if (!err)
    err = ca_card_check_algo_support (f->conn, e->info, e->ident, pkalgo,
                                      curve, nbits);
  if (err && !ca_errmsg ())
    ca_card_errmsg (err, e->ident, "reading the card");
  return err;
}


/* Put the secret keys of CERT (SUB: its signing subkey or NULL) on the
 * selected card of F and personalise it with F's PIN.  */
static gpg_error_t
personalise_with_keys (flow_t *f, const pgp_cert_t *cert,
                       const pgp_key_t *sub)
{
  gpg_error_t err;
  ca_card_entry_t *e = f->card;
  scd_cardinfo_t *info = NULL;

  err = ca_card_conn_set_pins (f->conn, CA_PIN_FACTORY, NULL);
  if (err)
    return err;
  err = ca_card_write_key (f->conn, CA_CARD_SLOT_AUT, cert->primary);
  if (err)
    return ca_card_errmsg (err, e->ident, "writing the CA key to the AUT "
                           "slot");
  if (sub)
    {
      err = ca_card_write_key (f->conn, CA_CARD_SLOT_SIG, sub);
      if (err)
        return ca_card_errmsg (err, e->ident, "writing the signing subkey "
                               "to the SIG slot");
    }
  err = ca_card_set_holder (f->conn);
  if (err)
    return ca_card_errmsg (err, e->ident, "setting the cardholder name");
  err = ca_card_set_pins (f->conn, f->pin);
  if (err)
    return ca_card_errmsg (err, e->ident, "setting the PINs");
  /* Check what the card reports now.  */
  err = ca_card_select (f->conn, e->serialno, &info);
  if (err)
    return ca_card_errmsg (err, e->ident, "reading the card");
  if (!info->fpr_valid[2] || memcmp (info->fpr[2], cert->primary->fpr, 20)
      || (sub && (!info->fpr_valid[0]
                  || memcmp (info->fpr[0], sub->fpr, 20))))
    err = ca_set_errmsg (gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO),
                         "OpenPGP card %s reports other fingerprints than "
                         "the keys written to it", e->ident);
  else if (!ca_card_holder_ok (info))
    err = ca_set_errmsg (gpg_error (GPG_ERR_CARD),
                         "OpenPGP card %s did not keep the cardholder name",
                         e->ident);
  scd_cardinfo_release (info);
  return err;
}


/* Build a pk_key_t from a GENKEY result for CURVE (PK_CURVE_NONE for
 * RSA) and wrap it as a key created at CREATED.  */
static gpg_error_t
key_from_genkey (const scd_genkey_result_t *res, int pkalgo, int curve,
                 uint32_t created, int is_subkey, pgp_key_t **r_key)
{
  gpg_error_t err;
  pk_key_t *pk = NULL;
  unsigned char *q = NULL;

  *r_key = NULL;
  err = pk_key_new (&pk);
  if (err)
    return err;
  pk->algo = pkalgo;
  pk->curve = curve;
  if (pkalgo == PK_RSA)
    {
      if (!res->n || !res->e)
        err = gpg_error (GPG_ERR_INV_RESPONSE);
      if (!err)
        err = pk_key_set_mpi (pk, 0, 0, res->n, res->nlen);
      if (!err)
        err = pk_key_set_mpi (pk, 0, 1, res->e, res->elen);
    }
  else
    {
      if (!res->q || !res->qlen)
        err = gpg_error (GPG_ERR_INV_RESPONSE);
      else if (pkalgo == PK_EDDSA && res->qlen == 32)
        {
          q = xtrymalloc (33);
          if (!q)
            err = oca_error_from_errno ();
          else
            {
              q[0] = 0x40;
              memcpy (q + 1, res->q, 32);
              err = pk_key_set_mpi (pk, 0, 0, q, 33);
            }
        }
      else
        err = pk_key_set_mpi (pk, 0, 0, res->q, res->qlen);
    }
  if (!err)
    err = pgp_key_from_pk (pk, created, is_subkey, r_key);
  xfree (q);
  pk_key_release (pk);
  return err;
}


/* Algorithm parameters of a pgp_gen_algo value.  */
static void
gen_algo_params (int algo, int *r_pkalgo, int *r_curve, unsigned int *r_nbits)
{
  *r_curve = PK_CURVE_NONE;
  *r_nbits = 0;
  *r_pkalgo = PK_RSA;
  switch (algo)
    {
    case PGP_GEN_RSA4096: *r_nbits = 4096; break;
    case PGP_GEN_RSA3072: *r_nbits = 3072; break;
    case PGP_GEN_RSA2048: *r_nbits = 2048; break;
    case PGP_GEN_ED25519:
      *r_pkalgo = PK_EDDSA; *r_curve = PK_CURVE_ED25519; *r_nbits = 255;
      break;
    case PGP_GEN_NISTP256:
      *r_pkalgo = PK_ECDSA; *r_curve = PK_CURVE_NISTP256; *r_nbits = 256;
      break;
    case PGP_GEN_NISTP521:
      *r_pkalgo = PK_ECDSA; *r_curve = PK_CURVE_NISTP521; *r_nbits = 521;
      break;
    case PGP_GEN_NISTP384:
    default:
      *r_pkalgo = PK_ECDSA; *r_curve = PK_CURVE_NISTP384; *r_nbits = 384;
      break;
    }
}


/* Generate the CA keys of ALGO on the selected card of F, personalise
 * it with F's PIN and build the CA certificate for NAME and DOMAIN.  */
static gpg_error_t
generate_on_card (flow_t *f, int algo, const char *name, const char *domain,
                  pgp_cert_t **r_cert)
{
  gpg_error_t err;
  ca_card_entry_t *e = f->card;
  int pkalgo, curve;
  unsigned int nbits;
  uint32_t now = (uint32_t)time (NULL);
  scd_genkey_result_t *rsig = NULL, *raut = NULL;
  pgp_key_t *ksig = NULL, *kaut = NULL;
  pgp_signer_t ps, ss;
  ca_card_slot_t pslot, sslot;

  *r_cert = NULL;
  gen_algo_params (algo, &pkalgo, &curve, &nbits);
  err = ca_card_conn_set_pins (f->conn, CA_PIN_FACTORY, NULL);
  if (err)
    goto leave;
  err = ca_card_set_keyattr (f->conn, e->info, CA_CARD_SLOT_SIG, pkalgo,
                             curve, nbits);
  if (!err)
    err = ca_card_set_keyattr (f->conn, e->info, CA_CARD_SLOT_AUT, pkalgo,
                               curve, nbits);
  if (err)
    {
      ca_card_errmsg (err, e->ident, "setting the key attributes");
      goto leave;
    }
  f->ui->tell (f->ui->opaque, pkalgo == PK_RSA && nbits == 4096
               ? CA_CARD_EV_GENERATING_LONG : CA_CARD_EV_GENERATING,
               e->ident, NULL);
  err = ca_card_genkey (f->conn, CA_CARD_SLOT_SIG, now, &rsig);
  if (!err)
    err = ca_card_genkey (f->conn, CA_CARD_SLOT_AUT, now, &raut);
  if (err)
    {
      ca_card_errmsg (err, e->ident, "generating keys");
      goto leave;
    }
  err = key_from_genkey (rsig, pkalgo, curve, now, 1, &ksig);
  if (!err)
    err = key_from_genkey (raut, pkalgo, curve, now, 0, &kaut);
  if (err)
    {
      ca_set_errmsg (err, "OpenPGP card %s returned an unusable public key: "
                     "%s", e->ident, gpg_strerror (err));
      goto leave;
    }
  if ((raut->fpr_valid && memcmp (raut->fpr, kaut->fpr, 20))
      || (rsig->fpr_valid && memcmp (rsig->fpr, ksig->fpr, 20)))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO),
                           "OpenPGP card %s computed other fingerprints for "
                           "the generated keys", e->ident);
      goto leave;
    }
  err = ca_card_set_holder (f->conn);
  if (err)
    {
      ca_card_errmsg (err, e->ident, "setting the cardholder name");
      goto leave;
    }
  err = ca_card_set_pins (f->conn, f->pin);
  if (err)
    {
      ca_card_errmsg (err, e->ident, "setting the PINs");
      goto leave;
    }
  err = ca_card_make_signer (f->conn, e->serialno, e->ident,
                             CA_CARD_SLOT_AUT, kaut,
                             e->info->uif_valid[2] ? e->info->uif[2] : 0,
                             &pslot, &ps);
  if (!err)
    err = ca_card_make_signer (f->conn, e->serialno, e->ident,
                               CA_CARD_SLOT_SIG, ksig,
                               e->info->uif_valid[0] ? e->info->uif[0] : 0,
                               &sslot, &ss);
  if (!err)
    err = pgp_build_ca_cert (kaut, &ps, ksig, &ss, name, domain, now, r_cert);
  if (err && !ca_errmsg ())
    ca_set_errmsg (err, "error building the CA certificate: %s",
                   gpg_strerror (err));

 leave:
  scd_genkey_result_release (rsig);
  scd_genkey_result_release (raut);
  pgp_key_release (ksig);
  pgp_key_release (kaut);
  return err;
}


/* The personalisation of the chosen blank card of F: a new random
 * PIN, the pending row, the keys (those of CERT, or generated on the
 * card for ALGO, NAME, DOMAIN if GEN), the pending row again with the
 * public CA certificate (if CERT_IN_ROW).  *R_CERT gets the generated
 * certificate if GEN.  */
static gpg_error_t
personalise (flow_t *f, const char *domain, const char *fpr,
             pgp_cert_t *cert, const pgp_key_t *sub, int gen, int algo,
             const char *name, int cert_in_row, pgp_cert_t **r_cert)
{
  gpg_error_t err;
  char *pub = NULL;
  char hex[41];

  err = ca_card_random_pin (&f->pin);
  if (!err)
    /* Durable note before the card is written.  */
    err = pending_store (f, domain, fpr, STAGE_WRITING, NULL);
  if (err)
    return err;
  if (gen)
    err = generate_on_card (f, algo, name, domain, r_cert);
  else
    err = personalise_with_keys (f, cert, sub);
  if (err)
    return err;
  if (gen)
    cert = *r_cert;
  if (cert_in_row)
    err = ca_armor_public (cert, &pub);
  if (!err)
    err = pending_store (f, domain, pgp_cert_fpr_hex (cert, hex),
                         STAGE_DONE, pub);
  xfree (pub);
  return err;
}


/* The last step of a flow F: in one transaction, the CA gets what
 * STORE writes (STORE_ARG), and the pending row goes.  */
static gpg_error_t
flow_store (flow_t *f, gpg_error_t (*store) (flow_t *f, const char *config,
                                             void *arg), void *store_arg)
{
  gpg_error_t err;
  char *config = NULL;

  if (f->pinpad && f->pin)
    /* The PINs oca set are said now or never: nothing keeps them.  */
    f->ui->tell (f->ui->opaque, CA_CARD_EV_PINPAD_PINS, f->card->ident,
                 f->pin);
  err = ca_card_make_config (f->card->ident, f->pinpad ? "" : f->pin,
                             f->route, &config);
  if (!err)
    err = ca_begin (f->ca);
  if (err)
    goto leave;
  err = store (f, config, store_arg);
  if (!err && f->kind->pending)
    {
      err = db_pending_delete (f->ca->db, f->kind->pending);
      if (err)
        ca_db_errmsg (f->ca, err, "storing the CA");
    }
  if (err)
    {
      db_rollback (f->ca->db);
      goto leave;
    }
  err = ca_commit (f->ca);

 leave:
  wipe_and_free_string (config);
  return err;
}



/*
 * ca init ... card
 */

/* The domain and certificate of a card CA being initialised.  */
typedef struct init_store
{
  const char *domain;
  const pgp_cert_t *cert;
} init_store_t;


/* flow_store for `ca init': the CA row with its certificate.  */
static gpg_error_t
store_new_ca (flow_t *f, const char *config, void *arg)
{
  init_store_t *is = arg;
  gpg_error_t err;
  char *pub = NULL;
  char fpr[41];

  err = ca_armor_public (is->cert, &pub);
  if (!err)
    err = db_ca_insert (f->ca->db, is->domain,
                        pgp_cert_fpr_hex (is->cert, fpr), pub, config, NULL);
  if (err && !ca_errmsg_for (err))
    ca_db_errmsg (f->ca, err, "storing the CA");
  xfree (pub);
  return err;
}


/* Check the key of an IMPORT or FROM_CARD request REQ before anything
 * is opened.  */
static gpg_error_t
check_init_key (const ca_card_init_t *req)
{
  const pgp_cert_t *cert = req->cert;
  pgp_key_t *k, *sub;
  pgp_sig_t *s;
  int ncert = 0;

  if (!cert->uids)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_USER_ID),
                          "Expect CA certificate to contain at least "
                          "one User ID, but found none.");
  if (req->mode != CA_INIT_IMPORT)
    return 0;
  if (cert->primary->secret == PGP_SECRET_ENCRYPTED)
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "%s: the private key is password protected; "
                          "remove the protection first", req->what);
  if (cert->primary->secret != PGP_SECRET_PLAIN)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                          "No private key material found in file. "
                          "Can't import to OpenPGP card.");
  sub = pgp_cert_signing_subkey (req->cert);
  if (sub && sub->secret != PGP_SECRET_PLAIN)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                          "%s: the signing subkey has no usable "
                          "private key material", req->what);
  /* Exactly one certification capable key: the primary.  */
  for (k = cert->subkeys; k; k = k->next)
    for (s = k->sigs; s; s = s->next)
      if (s->sigclass == PGP_SIG_SUBKEY_BIND && s->has_key_flags
          && (s->key_flags & PGP_KF_CERTIFY))
        ncert++;
  if (ncert)
    return ca_set_errmsg (gpg_error (GPG_ERR_AMBIGUOUS),
                          "More than one certification capable key "
                          "found in key");
  return 0;
}


/* Store the CA of DOMAIN with CERT on the card of F; *R_SUM gets its
 * summary.  */
static gpg_error_t
finish_init (flow_t *f, const char *domain, const pgp_cert_t *cert,
             ca_summary_t *r_sum)
{
  gpg_error_t err;
  init_store_t is;

  is.domain = domain;
  is.cert = cert;
  err = flow_store (f, store_new_ca, &is);
  if (!err && !(r_sum->domain = xtrystrdup (domain)))
    err = oca_error_from_errno ();
  if (!err)
    err = ca_card_describe (f->card->ident, f->pinpad ? "" : f->pin,
                            f->route,
                            &r_sum->backend);
  if (!err)
    {
      pgp_cert_fpr_hex (cert, r_sum->fpr);
      r_sum->created = cert->primary->created;
    }
  return err;
}


/* `ca init --from-card': the CA whose certificate REQ->cert is, from
 * the card that holds its key.  */
static gpg_error_t
init_from_card (flow_t *f, const ca_card_init_t *req, ca_summary_t *r_sum)
{
  gpg_error_t err;
  char *pin = NULL;

  err = choose_matching (f, req->ident, req->cert->primary->fpr);
  if (err)
    return err;
  f->ui->tell (f->ui->opaque, CA_CARD_EV_INIT_FROM_CARD, f->card->ident,
               NULL);
  if (f->pinpad)
    {
      err = ca_card_unlock (f->conn, f->card->serialno, f->card->info,
                            f->card->ident, "", 1);
      if (!err)
        err = finish_init (f, req->domain, req->cert, r_sum);
      return err;
    }
  err = f->ui->get_pin (f->ui->opaque, f->card->ident, &pin);
  if (!err && (strlen (pin) > 64 || strchr (pin, ';')))
    err = ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                         "oca can only store a User PIN of at most 64 "
                         "characters without ';'");
  if (err)
    goto leave;
  f->pin = pin;
  pin = NULL;
  err = ca_card_unlock (f->conn, f->card->serialno, f->card->info,
                        f->card->ident, f->pin, 1);
  if (!err)
    err = finish_init (f, req->domain, req->cert, r_sum);

 leave:
  wipe_and_free_string (pin);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_card_init (const ca_opts_t *opts, const ca_card_init_t *req,
              const ca_card_ui_t *ui, ca_summary_t *r_sum)
{
  gpg_error_t err;
  flow_t f;
  pending_t p;
  pgp_cert_t *made = NULL, *cert = req->cert;
  const pgp_key_t *sub = NULL;
  unsigned char *priv = NULL;
  size_t privlen = 0;
  int pkalgo, curve, gen = req->mode == CA_INIT_GENERATE;
  unsigned int nbits;
  char fpr[41];

  memset (r_sum, 0, sizeof *r_sum);
  memset (&f, 0, sizeof f);
  memset (&p, 0, sizeof p);
  f.kind = &kind_init;
  f.ui = ui;
  f.route = opts->card_route == CA_ROUTE_STORED ? CA_ROUTE_OCA_SCD
    : opts->card_route;
  f.pinpad = opts->pinpad;
  /* A card personalised here has PINs oca knows; one that holds the CA
   * already is unlocked on the pin-pad.  */
  f.pad_conn = opts->pinpad && req->mode == CA_INIT_FROM_CARD;

  /* Everything that can be checked without the card comes first.  */
  if (cert)
    {
      err = check_init_key (req);
      if (err)
        return err;
      if (req->mode == CA_INIT_IMPORT)
        sub = pgp_cert_signing_subkey (cert);
    }

  err = ca_open (opts, CA_OPEN_CREATE, &f.ca);
  if (!err)
    err = flow_connect (&f);
  if (!err)
    err = flow_recover (&f, NULL, &p, &made);
  if (err)
    goto leave;
  if (f.card)
    {
      /* An interrupted run left a personalised card: complete it.  */
      err = finish_init (&f, p.domain, made, r_sum);
      goto leave;
    }

  if (req->mode == CA_INIT_FROM_CARD)
    {
      err = init_from_card (&f, req, r_sum);
      goto leave;
    }

  err = choose_blank (&f, req->ident);
  if (err)
    goto leave;
  if (cert)
    {
      pkalgo = cert->primary->pk->algo;
      curve = cert->primary->pk->curve;
      nbits = pk_key_nbits (cert->primary->pk);
    }
  else
    gen_algo_params (req->algo, &pkalgo, &curve, &nbits);
  err = check_card (&f, pkalgo, curve, nbits);
  if (err)
    goto leave;

  if (gen)
    err = ui->ask (ui->opaque, CA_CARD_ASK_GENERATE, f.card->ident, NULL);
  else
    ui->tell (ui->opaque, cert ? CA_CARD_EV_INIT_IMPORT
              : CA_CARD_EV_INIT_HOST, f.card->ident, NULL);
  if (err)
    goto leave;

  if (!cert && !gen)
    {
      err = pgp_generate_ca (req->algo, req->name, req->domain, 0, &made);
      if (err)
        {
          ca_set_errmsg (err, "error generating the CA key: %s",
                         gpg_strerror (err));
          goto leave;
        }
      cert = made;
      sub = pgp_cert_signing_subkey (cert);
    }

  err = personalise (&f, req->domain, cert ? pgp_cert_fpr_hex (cert, fpr)
                     : NULL, cert, sub, gen, req->algo, req->name, 1,
                     gen ? &made : NULL);
  if (err)
    goto leave;
  cert = made ? made : cert;

  if (req->mode == CA_INIT_HOST)
    {
      /* Hand the new key out once, before the final write: should that
       * fail, a re-run completes the CA and the backup exists.  */
      err = pgp_cert_export (cert, PGP_EXPORT_ARMOR | PGP_EXPORT_SECRET,
                             &priv, &privlen);
      if (err)
        {
          ca_set_errmsg (err, "error exporting the CA key: %s",
                         gpg_strerror (err));
          goto leave;
        }
      err = ui->hand_out_key (ui->opaque, (const char *)priv);
      if (err)
        goto leave;
    }

  err = finish_init (&f, req->domain, cert, r_sum);

 leave:
  if (err)
    ca_summary_release (r_sum);
  if (priv)
    wipe_and_free (priv, privlen);
  pending_clear (&p);
  pgp_cert_release (made);
  ca_release (f.ca);
  flow_release (&f);
  return err;
}



/*
 * ca migrate card
 */

/* flow_store for `ca migrate': the public certificate and the card
 * backend replace the key, in one statement.  */
static gpg_error_t
store_migrated (flow_t *f, const char *config, void *arg)
{
  gpg_error_t err;
  char *pub = NULL;

  (void)arg;
  err = ca_armor_public (f->ca->cert, &pub);
  if (!err)
    {
      err = db_cacert_replace_key (f->ca->db, f->ca->cacert->id, pub, config);
      if (err)
        ca_db_errmsg (f->ca, err, "storing the CA");
    }
  xfree (pub);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_card_migrate (ca_t *ca, const char *ident, const ca_card_ui_t *ui,
                 int *r_only_scrubbed)
{
  gpg_error_t err;
  flow_t f;
  pending_t p;
  pgp_key_t *sub;
  const char *cfg = ca->cacert->backend;

  *r_only_scrubbed = 0;
  memset (&f, 0, sizeof f);
  memset (&p, 0, sizeof p);
  if (cfg && *cfg && ca->key_scrubbed)
    {
      /* An earlier migration stopped after the switch to the card.  */
      *r_only_scrubbed = 1;
      return 0;
    }
  if (cfg && *cfg)
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "the CA is not a softkey CA; only a softkey CA "
                          "can be migrated to a card");
  err = ca_key_unlock (ca);
  if (gpg_err_code (err) == GPG_ERR_NO_SECKEY)
    err = 0;  /* Reported below.  */
  if (err)
    return err;
  if (!pgp_cert_has_secret (ca->cert)
      || ca->cert->primary->secret != PGP_SECRET_PLAIN)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                          "No private key material in CA database. Can't "
                          "migrate to OpenPGP card.");
  sub = pgp_cert_signing_subkey (ca->cert);
  if (sub && sub->secret != PGP_SECRET_PLAIN)
    sub = NULL;

  f.kind = &kind_migrate;
  f.ca = ca;
  f.ui = ui;
  f.route = ca->card_route == CA_ROUTE_STORED ? CA_ROUTE_OCA_SCD
    : ca->card_route;
  f.pinpad = ca->pinpad;
  err = flow_connect (&f);
  if (!err)
    err = flow_recover (&f, ca->cert->primary->fpr, &p, NULL);
  if (err || f.card)
    goto store;

  err = choose_blank (&f, ident);
  if (!err)
    err = check_card (&f, ca->cert->primary->pk->algo,
                      ca->cert->primary->pk->curve,
                      pk_key_nbits (ca->cert->primary->pk));
  if (!err)
    err = ui->ask (ui->opaque, CA_CARD_ASK_MIGRATE, f.card->ident, NULL);
  if (!err)
    err = personalise (&f, ca->domain, ca->fpr, ca->cert, sub, 0, 0, NULL,
                       0, NULL);

 store:
  if (err)
    goto leave;
  err = flow_store (&f, store_migrated, NULL);
  if (err)
    goto leave;
  /* The CA is a card CA now.  Remove the key without copying it (see
   * ca-softkey.c); a crash here leaves a key row that the next command
   * writing to the database removes.  */
  err = ca_key_scrub (ca);
  if (err)
    goto leave;
  err = db_vacuum_secure (ca->db);
  if (err)
    {
      ca_set_errmsg (err, "the CA was migrated and its key removed, but "
                     "compacting the database file failed: %s",
                     db_errmsg (ca->db));
      goto leave;
    }
  err = ca_reload (ca);

 leave:
  pending_clear (&p);
  flow_release (&f);
  return err;
}



/*
 * ca set-backend card
 */

/* flow_store for `ca set-backend': the new card configuration.  */
static gpg_error_t
store_backend (flow_t *f, const char *config, void *arg)
{
  gpg_error_t err;

  (void)arg;
  err = db_cacert_set_backend (f->ca->db, f->ca->cacert->id, config);
  if (err)
    ca_db_errmsg (f->ca, err, "storing the backend");
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_card_set_backend (ca_t *ca, const char *ident, const ca_card_ui_t *ui)
{
  gpg_error_t err;
  flow_t f;
  char *old_ident = NULL, *old_pin = NULL, *pin = NULL;
  int stored_route;
  const char *cfg = ca->cacert->backend;
  static const flow_kind_t kind = { NULL, "ca set-backend", "to" };

  memset (&f, 0, sizeof f);
  if (!cfg || !*cfg)
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "Setting card backend from softkey is not "
                          "supported.");
  if (!strncmp (cfg, "split", 5))
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "Setting card backend from split mode is not "
                          "supported.");
  err = ca_card_parse_config (cfg, &old_ident, &old_pin, &stored_route);
  if (err)
    return ca_set_errmsg (err, "invalid OpenPGP card backend configuration "
                          "in the database");
  f.kind = &kind;
  f.ca = ca;
  f.ui = ui;
  f.route = ca->card_route == CA_ROUTE_STORED ? stored_route
    : ca->card_route;
  f.pinpad = f.pad_conn = ca->pinpad;
  err = flow_connect (&f);
  if (!err)
    err = choose_matching (&f, ident, ca->cert->primary->fpr);
  if (!err && f.pinpad)
    {
      /* No PIN to store: check the card takes the one typed on the
       * pin-pad.  */
      err = ca_card_unlock (f.conn, f.card->serialno, f.card->info,
                            f.card->ident, "", 1);
      if (!err)
        err = flow_store (&f, store_backend, NULL);
      goto leave;
    }
  if (!err)
    err = ui->get_pin (ui->opaque, f.card->ident, &pin);
  if (!err && (strlen (pin) > 64 || strchr (pin, ';')))
    err = ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                         "oca can only store a User PIN of at most 64 "
                         "characters without ';'");
  if (err)
    goto leave;
  f.pin = pin;
  pin = NULL;
  err = ca_card_unlock (f.conn, f.card->serialno, f.card->info,
                        f.card->ident, f.pin, 1);
  if (!err)
    err = flow_store (&f, store_backend, NULL);

 leave:
  wipe_and_free_string (pin);
  xfree (old_ident);
  wipe_and_free_string (old_pin);
  flow_release (&f);
  return err;
}
