/* ca-card.h - inside the CA core: the OpenPGP card
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The CA key may live on an OpenPGP card (issue 5): the CA primary
 * (certification) key in the AUT slot, the CA signing subkey in the
 * SIG slot.  The core reaches the card through the scdaemon protocol
 * (assuan/scd-client.h) over one of two routes (CA_ROUTE_*):
 *
 *   oca-scd    (default) oca spawns "oca-scd --server" on a pipe; the
 *              program is $OCA_SCD_PROGRAM, else the installed oca-scd;
 *   gpg-agent  oca talks to the user's running gpg-agent ("SCD ..."),
 *              which uses GnuPG's own scdaemon.
 *
 * Backend configuration (cacerts.backend):
 *
 *   card;IDENT;PIN              oca-scd route (the reference format)
 *   card;IDENT;PIN;gpg-agent    gpg-agent route (our extension; a
 *                               fourth field "oca-scd" is accepted too)
 *
 * IDENT is "MANU:SERIAL" (e.g. "FFFE:01234567"), PIN the 8-digit User
 * PIN (= Admin PIN) oca set.  The PIN only lives in gcry secure memory
 * and is given to the card when the server asks for it (INQUIRE
 * NEEDPIN, or the loopback pinentry of gpg-agent).
 *
 * The card modules of the core, bottom up:
 *
 *   ca-cardcfg.c   configuration strings, routes, random PINs
 *   ca-pin.c       the PIN-choice state machine
 *   ca-cardconn.c  the connection and the card operations
 *   ca-cardpool.c  several cards signing at once (backup cards)
 *   ca-card.c      the backend: certifications and signatures on the card
 *   ca-provision.c the flows of ca.h: init, migrate, set-backend, touch,
 *                  card list (one shared sequence, crash-safe)
 */
#ifndef OCA_CA_CARD_H
#define OCA_CA_CARD_H

#include "ca-int.h"
#include "scd-client.h"

/* The cardholder name oca writes and requires.  */
#define CA_CARD_HOLDER "OpenPGP CA"
/* Factory default Admin PIN and User PIN.  */
#define CA_CARD_DEFAULT_ADMIN_PIN "12345678"
#define CA_CARD_DEFAULT_USER_PIN  "123456"
/* Key references of the slots oca uses.  */
#define CA_CARD_SLOT_SIG 1
#define CA_CARD_SLOT_AUT 3


/*-- Configuration strings (ca-cardcfg.c) --*/

/* Parse CONFIG into *R_IDENT (xfree), *R_PIN (secure memory,
 * wipe_and_free_string) and *R_ROUTE.  GPG_ERR_INV_VALUE if it is not
 * a card configuration.  A pin-pad CA ("card;IDENT;;pinpad[;ROUTE]")
 * stores no PIN: *R_PIN is then "" (ca_card_pin_is_pinpad).  */
gpg_error_t ca_card_parse_config (const char *config, char **r_ident,
                                  char **r_pin, int *r_route);

/* Build the configuration string (secure memory,
 * wipe_and_free_string); PIN "" makes a pin-pad configuration.
 * GPG_ERR_INV_VALUE for what would not parse back.  */
gpg_error_t ca_card_make_config (const char *ident, const char *pin,
                                 int route, char **r_config);

/* True when PIN, as ca_card_parse_config returns it, stands for the
 * reader's pin-pad (no PIN stored).  */
int ca_card_pin_is_pinpad (const char *pin);

/* The `ca show' backend description "OpenPGP card IDENT [User PIN
 * PIN]" of a card configuration, in secure memory
 * (wipe_and_free_string).  */
gpg_error_t ca_card_describe (const char *ident, const char *pin, int route,
                              char **r_text);

/* "oca-scd" / "gpg-agent".  */
const char *ca_card_route_name (int route);

/* Whether IDENT looks like "MANU:SERIAL" (4 and 8 hex digits).  */
int ca_card_ident_valid (const char *ident);

/* A new random 8-digit PIN in secure memory (wipe_and_free_string).  */
gpg_error_t ca_card_random_pin (char **r_pin);


/*-- The PIN-choice state machine (ca-pin.c) --*/

/* What the card's PINs are, as far as the flow knows: one value that
 * decides every answer to a PIN request.  */
typedef enum ca_pin_state
  {
    CA_PIN_NONE = 0,           /* No PIN to give.  */
    CA_PIN_FACTORY,            /* The factory PINs (personalisation).  */
    CA_PIN_CHANGE,             /* PASSWD of the Admin PIN: the factory
                                * Admin PIN authorises, PIN is new.  */
    CA_PIN_RESET,              /* PASSWD --reset of the User PIN with the
                                * new Admin PIN PIN: every answer PIN.  */
    CA_PIN_SET,                /* User PIN = Admin PIN = PIN (a CA's
                                * card).  */
    CA_PIN_REJECTED,           /* The card rejected a PIN: none is sent
                                * again (a wrong stored PIN must not
                                * block the card).  */
    CA_PIN_PINPAD              /* The operator types every PIN on the
                                * reader's pin-pad: a PIN request is
                                * refused (GPG_ERR_NO_PIN_ENTRY).  */
  }
ca_pin_state_t;

typedef struct ca_pins
{
  ca_pin_state_t state;
  char *pin;                   /* Secure memory: the CA's PIN (SET), the
                                * new one (CHANGE, RESET), or NULL.  */
} ca_pins_t;

/* Enter STATE with PIN (copied to secure memory; NULL for the states
 * without one).  */
gpg_error_t ca_pins_set (ca_pins_t *pins, ca_pin_state_t state,
                         const char *pin);
/* Forget the PINs (state NONE).  */
void ca_pins_clear (ca_pins_t *pins);
/* The answer to the PIN request REQ in the state of PINS: a secure copy
 * in *R_PIN, or the error that cancels the request (GPG_ERR_BAD_PIN
 * after a rejection, GPG_ERR_NO_PIN when the state has no such PIN,
 * GPG_ERR_CANCELED for a Resetting Code or a loop of requests).  */
gpg_error_t ca_pin_answer (const ca_pins_t *pins,
                           const scd_pin_request_t *req, char **r_pin);


/*-- The connection and the card operations (ca-cardconn.c) --*/

typedef struct ca_card_conn ca_card_conn_t;

/* One card as seen by a listing.  */
typedef struct ca_card_entry
{
  struct ca_card_entry *next;
  char *serialno;              /* 32 hex digits.  */
  char ident[14];              /* "MANU:SERIAL".  */
  scd_cardinfo_t *info;        /* LEARN + KEY-ATTR (+ UIF).  */
} ca_card_entry_t;

void ca_card_entry_release (ca_card_entry_t *list);

/* Connect over ROUTE (CA_ROUTE_OCA_SCD or CA_ROUTE_AGENT).  The
 * connection answers PIN requests from its PIN state (initially
 * none).  On the oca-scd route a card held exclusively by another
 * program is reached through gpg-agent (ca_card_route_fallback).  */
gpg_error_t ca_card_connect (int route, ca_card_conn_t **r_conn);
/* The same; PINPAD: the operator types every PIN on the reader's
 * pin-pad (oca-scd with enable-pinpad-varlen; through gpg-agent, the
 * agent's pinentry shows the prompt), "Enter the User PIN on the
 * reader's pin-pad" is said when the reader collects it, and a PIN
 * request fails (state CA_PIN_PINPAD).  */
gpg_error_t ca_card_connect_pinpad (int route, int pinpad,
                                    ca_card_conn_t **r_conn);
void ca_card_conn_release (ca_card_conn_t *conn);
/* The route CONN really takes (CA_ROUTE_AGENT after a fallback).  */
int ca_card_conn_route (ca_card_conn_t *conn);
/* Whether CONN went to gpg-agent because GnuPG's scdaemon holds the
 * card.  */
int ca_card_conn_held (ca_card_conn_t *conn);

/*-- ca-cardroute.c --*/

/* *SCD is a fresh oca-scd connection.  When it reaches no card but a
 * reader's card is held exclusively by another program, and the user's
 * gpg-agent reaches an OpenPGP card, replace *SCD by the agent
 * connection, say so in one line and return true.  A held card oca
 * can't reach gets a note.  */
int ca_card_route_fallback (scd_client_t *scd);

/* Put the connection's PINs in STATE with PIN (see ca_pins_set).  */
gpg_error_t ca_card_conn_set_pins (ca_card_conn_t *conn,
                                   ca_pin_state_t state, const char *pin);

/* List all OpenPGP cards reachable on CONN with their data, ordered as
 * the server reports them.  An empty list is not an error.  */
gpg_error_t ca_card_list_cards (ca_card_conn_t *conn,
                                ca_card_entry_t **r_list);

/* Select the card with SERIALNO on CONN and return its fresh data in
 * *R_INFO (may be NULL).  */
gpg_error_t ca_card_select (ca_card_conn_t *conn, const char *serialno,
                            scd_cardinfo_t **r_info);

/* The card with IDENT in LIST, or NULL.  */
ca_card_entry_t *ca_card_find (ca_card_entry_t *list, const char *ident);

/* Whether INFO describes a blank card (no SIG, DEC and AUT
 * fingerprints).  */
int ca_card_is_blank (const scd_cardinfo_t *info);
/* Whether the cardholder name of INFO is "OpenPGP CA".  */
int ca_card_holder_ok (const scd_cardinfo_t *info);
/* The cardholder name of INFO in display form ("Doe<<John" -> "John
 * Doe"; "" if unset) into BUF of SIZE bytes; returns BUF.  */
const char *ca_card_holder_display (const scd_cardinfo_t *info, char *buf,
                                    size_t size);
/* Whether card E can be used for a new CA: no keys and no foreign
 * cardholder.  */
int ca_card_usable_blank (const ca_card_entry_t *e);
/* Whether card E holds the CA with fingerprint FPR (AUT slot) and the
 * cardholder "OpenPGP CA".  */
int ca_card_matches (const ca_card_entry_t *e, const unsigned char fpr[20]);

/* Check that the selected card (data INFO) can hold keys of
 * PKALGO/CURVE/NBITS in the AUT and SIG slots, from its algorithm
 * information (DO FA, KEY-ATTR-INFO) or its current attributes.
 * Nothing is written.  Errors get a message naming IDENT.  */
gpg_error_t ca_card_check_algo_support (ca_card_conn_t *conn,
                                        const scd_cardinfo_t *info,
                                        const char *ident, int pkalgo,
                                        int curve, unsigned int nbits);

/* Set the attribute of slot KEYNO of the selected card (data INFO) for
 * PKALGO/CURVE/NBITS unless it has it (Admin PIN).  */
gpg_error_t ca_card_set_keyattr (ca_card_conn_t *conn,
                                 const scd_cardinfo_t *info, int keyno,
                                 int pkalgo, int curve, unsigned int nbits);

/* Generate a key in slot KEYNO of the selected card, created at
 * CREATED (Admin PIN); *R_RES is fresh.  */
gpg_error_t ca_card_genkey (ca_card_conn_t *conn, int keyno,
                            uint32_t created, scd_genkey_result_t **r_res);

/* Write the secret KEY (PLAIN secret) into slot KEYNO of the selected
 * card (WRITEKEY --force; the server also writes its fingerprint and
 * creation time; Admin PIN).  */
gpg_error_t ca_card_write_key (ca_card_conn_t *conn, int keyno,
                               const pgp_key_t *key);

/* Set the cardholder name to "OpenPGP CA" (Admin PIN).  */
gpg_error_t ca_card_set_holder (ca_card_conn_t *conn);

/* Change the factory Admin PIN to NEWPIN and reset the User PIN to
 * NEWPIN (in this order, after the keys: Gnuk needs keys first).  The
 * connection's PINs are SET to NEWPIN afterwards.  */
gpg_error_t ca_card_set_pins (ca_card_conn_t *conn, const char *newpin);

/* Make PIN the connection's PIN (User = Admin), select the card
 * SERIALNO and verify the User PIN; with an error message naming IDENT
 * on failure.  On a pin-pad connection PIN is unused: the operator
 * types the User PIN on the pad (a clear message for a wrong PIN,
 * Cancel and the reader's timeout).  A PIN the card rejects is GPG_ERR_BAD_PIN and is not
 * sent again.  A stored PIN (ENTERED false) is not tried when the card
 * has fewer than 2 tries left; a PIN the operator ENTERED is tried
 * while any try is left.  */
gpg_error_t ca_card_unlock (ca_card_conn_t *conn, const char *serialno,
                            const scd_cardinfo_t *info, const char *ident,
                            const char *pin, int entered);

/* Set the touch policy (UIF) of slot KEYNO of the selected card SERIALNO
 * to POLICY (0 off, 1 on, 2 fixed) with the connection's PIN as Admin
 * PIN.  A fixed policy is GPG_ERR_USE_CONDITIONS.  */
gpg_error_t ca_card_set_uif (ca_card_conn_t *conn, const char *serialno,
                             int keyno, int policy);

/* One private-key operation of slot KEYNO (CA_CARD_SLOT_AUT: PKAUTH,
 * else PKSIGN with HASHNAME) on DATA/DATALEN with the card SERIALNO,
 * selecting it first if needed; the touch notice is given when UIF is
 * set.  The card's answer in *R_SIG (xfree).  A lost card, touch
 * timeout or rejected PIN is latched: the connection's later
 * operations fail at once.  */
gpg_error_t ca_card_sign_op (ca_card_conn_t *conn, const char *serialno,
                             int keyno, int uif, const char *hashname,
                             const unsigned char *data, size_t datalen,
                             unsigned char **r_sig, size_t *r_siglen);

/* The latched error of CONN (a rejected PIN, a lost card) or 0.  */
gpg_error_t ca_card_conn_failed (ca_card_conn_t *conn);

/* Record a one-line message for a card error ERR during WHAT on card
 * IDENT and return ERR.  */
gpg_error_t ca_card_errmsg (gpg_error_t err, const char *ident,
                            const char *what);


/*-- The backend (ca-card.c) --*/

/* A card slot that signs: the caller's storage for a signer's context,
 * which must live as long as the signer.  */
typedef struct ca_card_slot
{
  ca_card_conn_t *conn;
  char serialno[65];
  char ident[14];
  int keyno;
  const pgp_key_t *key;
  int uif;
  int framing;                 /* How PKAUTH input is framed (ECC).  */
  int framing_known;
  unsigned long nsigned;       /* Signatures made (the SIG slot's count
                                * in the card's signature counter).  */
} ca_card_slot_t;

/* Fill *R_SIGNER for the key KEY in slot KEYNO (CA_CARD_SLOT_AUT or
 * CA_CARD_SLOT_SIG) of the card SERIALNO reached through CONN, using
 * SLOT as its context.  IDENT names the card in messages.  The signer
 * borrows KEY, CONN and SLOT.  Every signature is verified with KEY
 * before it is returned.  Each signature gives the touch notice when
 * UIF (the slot's policy byte, 0 if unknown) is on.  */
gpg_error_t ca_card_make_signer (ca_card_conn_t *conn, const char *serialno,
                                 const char *ident, int keyno,
                                 const pgp_key_t *key, int uif,
                                 ca_card_slot_t *slot,
                                 pgp_signer_t *r_signer);

/* Create the card backend for the stored configuration CONFIG
 * ("card;...") and the CA certificate CACERT (borrowed), reached over
 * ROUTE (CA_ROUTE_STORED: the stored one).  The card is not touched
 * until the first signature.  */
gpg_error_t ca_card_backend_new (const char *config, pgp_cert_t *cacert,
                                 int route, ca_backend_t **r_be);

/* Give the card backend BE the CA's backup cards CARDS (copied): when
 * the card of the configuration is not present the first backup card
 * present signs, and bulk certification (the backend's pool) uses
 * every card present at once.  */
gpg_error_t ca_card_backend_set_backups (ca_backend_t *be,
                                         const db_cacard_t *cards);

/* Check that card E (IDENT) holds the CA of CACERT: the cardholder
 * "OpenPGP CA" and the CA key's fingerprint in the AUT slot; the error
 * has a message naming IDENT.  */
gpg_error_t ca_card_check_ca (const ca_card_entry_t *e,
                              const pgp_cert_t *cacert, const char *ident);


/*-- Several cards at once (ca-cardpool.c) --*/

typedef struct ca_card_pool ca_card_pool_t;

/* A pool of the N signers SIGNERS (copied; their contexts are
 * borrowed), one per card, each usable by one thread at a time.  */
gpg_error_t ca_card_pool_new (const pgp_signer_t *signers, size_t n,
                              ca_card_pool_t **r_pool);
void ca_card_pool_release (ca_card_pool_t *pool);
/* The pool as one signer that several threads may call at once: each
 * signature is made by an idle card; a card that fails is retired and
 * the signature made by another; with none left the last card's error
 * is returned.  */
void ca_card_pool_signer (ca_card_pool_t *pool, pgp_signer_t *r_signer);
/* The number of cards not retired.  */
size_t ca_card_pool_live (ca_card_pool_t *pool);

#endif /*OCA_CA_CARD_H*/
