/* app-openpgp.h - OpenPGP card application (spec v3.4 subset)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An app_t is the OpenPGP application selected on one connected
 * reader (tp_reader_t, not owned).  It caches the application related
 * data (DO 6E and friends) and the PIN verification state.  Every
 * operation runs inside one PC/SC transaction; if the transport
 * reports that another client reset the card, or the card shows that
 * another client selected another application (6D00, 6E00, 6A82) or
 * made it forget the PIN (6982 after a VERIFY), the application is
 * re-selected and a User PIN verified before is verified again with
 * the PIN the app holds, in the same transaction, without asking the
 * PIN callback (spec F).  Nothing here prints; all results are
 * gpg_error_t.
 *
 * PINs are obtained through a callback (app_pincb_t) which returns a
 * NUL-terminated PIN in gcry secure memory; this layer wipes it.
 */
#ifndef OCA_APP_OPENPGP_H
#define OCA_APP_OPENPGP_H

#include "transport.h"
#include "card-data.h"

/* Flags for operations that may ask for a PIN.  */
#define APP_FLAG_INSIST  1   /* Send the PIN even with one try left.  */
#define APP_FLAG_FORCE   2   /* Overwrite an existing key.  */
/* PINs are typed on the reader's pin-pad when it has one
 * (FEATURE_VERIFY_PIN_DIRECT; PINs of any length the card takes: the
 * reader must take variable lengths, GnuPG's enable-pinpad-varlen).
 * Not with a KDF-DO (the card wants the derived PIN).  */
#define APP_FLAG_PINPAD  4

/* A variable-length data object read from the card.  */
typedef struct app_do_s
{
  unsigned char *data;
  size_t len;
  int present;
} app_do_t;

/* Cached public key of a slot.  */
struct app_pubkey_s
{
  int valid;               /* Read from the card.  */
  int absent;              /* Card said: no key.  */
  unsigned char *sexp;     /* Canonical S-expression (B.6).  */
  size_t sexplen;
  char grip[41];           /* Hex keygrip.  */
};

typedef struct app_s *app_t;
struct app_s
{
  tp_reader_t rd;
  unsigned int reset_count;      /* rd->reset_count at the last select.  */
  unsigned char aid[16];
  char serialno[33];             /* AID as 32 uppercase hex digits.  */
  unsigned int manufacturer;
  uint32_t serial;
  unsigned int version;          /* e.g. 0x0304.  */
  int status_indicator;          /* From the historical bytes (5F52).  */

  struct {
    unsigned int sm_supported:1;
    unsigned int get_challenge:1;
    unsigned int key_import:1;
    unsigned int change_force_chv:1;
    unsigned int private_dos:1;
    unsigned int algo_attr_change:1;
    unsigned int has_decrypt:1;
    unsigned int kdf_do:1;
    unsigned int has_button:1;
    unsigned int sm_algo;
    unsigned int max_get_challenge;
    unsigned int max_certlen_3;
    unsigned int max_special;
  } extcap;

  card_keyattr_t keyattr[3];
  unsigned char fpr[3][20];
  uint32_t keytime[3];
  unsigned char cafpr[3][20];
  unsigned char chv_status[7];   /* DO C4.  */
  unsigned long sig_counter;
  unsigned char keystatus[3];    /* DO DE; 0xff = unknown.  */
  int have_keystatus;
  unsigned char uif[3][2];
  int have_uif[3];
  app_do_t name;                 /* 5B */
  app_do_t lang;                 /* 5F2D */
  app_do_t sex;                  /* 5F35 */
  app_do_t url;                  /* 5F50 */
  app_do_t login;                /* 5E */
  app_do_t kdf;                  /* F9 */
  app_do_t private_do[4];        /* 0101..0104 */
  app_do_t algoinfo;             /* FA */

  struct app_pubkey_s pk[3];

  /* PIN verification state.  */
  unsigned int did_chv1:1;       /* 81 verified.  */
  unsigned int did_chv2:1;       /* 82 verified.  */
  unsigned int did_chv3:1;       /* 83 verified.  */
  /* Verified, then lost to another PC/SC client (a reset, another
   * application selected): verified again with HELD_PW1 on next use.  */
  unsigned int lost_chv1:1;
  unsigned int lost_chv2:1;
  /* The User PIN as the card last accepted it (the form sent in
   * VERIFY, secure memory), or NULL.  Kept only to verify again,
   * silently, what another client made the card forget; wiped by
   * app_openpgp_forget, a PIN change and a rejected PIN.  */
  unsigned char *held_pw1;
  size_t held_pw1len;
};

/* PIN callback: ask for a PIN with PROMPT (gnupg NEEDPIN format);
 * return a NUL-terminated string in gcry secure memory in *R_PIN.
 * With R_PIN NULL the PIN is typed on the reader's pin-pad: PROMPT
 * non-NULL tells the user to type it (scdaemon's INQUIRE
 * POPUPPINPADPROMPT; an error cancels), PROMPT NULL says the entry is
 * over (DISMISSPINPADPROMPT).  */
typedef gpg_error_t (*app_pincb_t) (void *opaque, const char *prompt,
                                    char **r_pin);

/* Information about a generated key (GENKEY).  */
typedef struct app_genkey_info_s
{
  int keyno;
  card_keyattr_t attr;
  uint32_t created;
  unsigned char fpr[20];
  unsigned char *n, *e, *q;      /* Raw public values (xmalloced).  */
  size_t nlen, elen, qlen;
  unsigned char kdf[4];          /* ECDH KDF parameters.  */
} app_genkey_info_t;

void app_genkey_info_release (app_genkey_info_t *info);

/*-- app-openpgp.c --*/
/* Select the OpenPGP application on RD and read its data.  */
gpg_error_t app_openpgp_open (tp_reader_t rd, app_t *r_app);
void app_openpgp_release (app_t app);
/* Re-read all data objects (for LEARN / GETATTR).  */
gpg_error_t app_openpgp_refresh (app_t app);
/* Check the card is still the same and selected: cheap (no APDU)
 * unless the transport saw a reset.  */
gpg_error_t app_openpgp_check (app_t app);
/* Forget the PIN verification state, the held User PIN included (and
 * cached keys if ALL).  */
void app_openpgp_forget (app_t app, int all);

/* Ident "MANU:SERIAL" into BUF (>= 14 bytes).  */
char *app_openpgp_ident (app_t app, char *buf, size_t bufsize);
/* Display serial number "FFFE 01234567" into BUF (>= 14 bytes).  */
char *app_openpgp_dispserialno (app_t app, char *buf, size_t bufsize);
const char *app_openpgp_manufacturer_name (unsigned int id);

/* Public key of slot KEYNO (1..3) as canonical S-expression; returned
 * pointer belongs to the app (valid until the next key change).
 * GPG_ERR_NO_OBJ if the slot is empty.  */
gpg_error_t app_openpgp_readkey (app_t app, int keyno,
                                 const unsigned char **r_sexp,
                                 size_t *r_sexplen, const char **r_grip);
/* Return the slot (1..3) whose keygrip is GRIP (hex), or 0.  */
int app_openpgp_find_grip (app_t app, const char *grip);

/* PSO:CDS (KEYNO 1) or INTERNAL AUTHENTICATE (KEYNO 3) on DATA (the
 * exact bytes for the card: DigestInfo for RSA, raw hash for ECC).  */
gpg_error_t app_openpgp_sign (app_t app, int keyno,
                              const unsigned char *data, size_t datalen,
                              unsigned int flags,
                              app_pincb_t pincb, void *pincb_arg,
                              unsigned char **r_sig, size_t *r_siglen);
/* PSO:DECIPHER with key KEYNO (2): DATA is the RSA cryptogram or the
 * ECDH ephemeral point.  The result (secure memory) is the RSA
 * plaintext or the shared point (0x40 / 0x41 prefixed as scdaemon
 * does).  */
gpg_error_t app_openpgp_decipher (app_t app, int keyno,
                                  const unsigned char *data, size_t datalen,
                                  unsigned int flags,
                                  app_pincb_t pincb, void *pincb_arg,
                                  unsigned char **r_out, size_t *r_outlen);
/* Verify PIN WHICH: 1 = PW1 for signing (81), 2 = PW1 (82), 3 = PW3.  */
gpg_error_t app_openpgp_verify (app_t app, int which, unsigned int flags,
                                app_pincb_t pincb, void *pincb_arg);
/* Change PIN CHVNO (1 = PW1, 2 = reset code, 3 = PW3).  RESET_MODE as
 * PASSWD --reset.  FLAGS: APP_FLAG_PINPAD changes PW1 and PW3 (not
 * RESET_MODE, not with the Reset Code) on the reader's pin-pad, as
 * scdaemon does: the current PIN, the new one and its confirmation.  */
gpg_error_t app_openpgp_change_pin (app_t app, int chvno, int reset_mode,
                                    unsigned int flags,
                                    app_pincb_t pincb, void *pincb_arg);
/* VERIFY P1=FF for CHVNO (1 clears 81 and 82).  */
gpg_error_t app_openpgp_clear_pin (app_t app, int chvno);
/* Set the attribute NAME (gnupg SETATTR names) to VALUE.  FLAGS:
 * APP_FLAG_INSIST for the PIN verification.  */
gpg_error_t app_openpgp_setattr (app_t app, const char *name,
                                 const unsigned char *value, size_t valuelen,
                                 unsigned int flags,
                                 app_pincb_t pincb, void *pincb_arg);
/* Generate a key in slot KEYNO.  CREATED 0 = now.  */
gpg_error_t app_openpgp_genkey (app_t app, int keyno, unsigned int flags,
                                uint32_t created,
                                app_pincb_t pincb, void *pincb_arg,
                                app_genkey_info_t **r_info);
/* Import the private key KEYDATA (canonical S-expression as sent by
 * gpg-agent) into slot KEYNO.  */
gpg_error_t app_openpgp_writekey (app_t app, int keyno, unsigned int flags,
                                  const unsigned char *keydata,
                                  size_t keydatalen,
                                  app_pincb_t pincb, void *pincb_arg);
/* N random bytes from the card into BUF.  */
gpg_error_t app_openpgp_random (app_t app, size_t n, unsigned char *buf);
/* Block both PINs, TERMINATE DF, ACTIVATE FILE, re-select.  */
gpg_error_t app_openpgp_factory_reset (app_t app);
/* Read a cardholder certificate (7F21) of slot KEYNO.  */
gpg_error_t app_openpgp_readcert (app_t app, int keyno,
                                  unsigned char **r_cert, size_t *r_certlen);

/* Read DO FA (algorithm information) and parse it into *R_LIST (an
 * array of *R_COUNT entries in card order, xfree it).  Entries with
 * an unknown algorithm or curve are left out.  GPG_ERR_NOT_FOUND if
 * the card has no (or an empty) DO FA (6A88, 6D00, ...); a malformed
 * DO FA is GPG_ERR_INV_OBJ or a length error.  */
gpg_error_t app_openpgp_algoinfo (app_t app, card_algoinfo_t **r_list,
                                  size_t *r_count);

/* Build the NEEDPIN prompt for WHICH (1, 2 = PW1, 3 = PW3) from the
 * cached card data.  REMAINING is the retry counter (shown if < 3).  */
gpg_error_t app_openpgp_pin_prompt (app_t app, int which, int remaining,
                                    char **r_prompt);

#endif /*OCA_APP_OPENPGP_H*/
