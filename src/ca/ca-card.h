/* ca-card.h - the OpenPGP card backend of the CA and its commands
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The CA key may live on an OpenPGP card (issue 5): the CA primary
 * (certification) key in the AUT slot, the CA signing subkey in the
 * SIG slot.  oca reaches the card through the scdaemon protocol
 * (assuan/scd-client.h) over one of two routes:
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
 * and is given to the card when scdaemon asks for it (INQUIRE NEEDPIN,
 * or the loopback pinentry of gpg-agent).
 *
 * ca-card.c holds the backend and the card helpers; cmd-card.c the
 * commands (ca init ... card, ca migrate, ca set-backend, card ...).
 */
#ifndef OCA_CA_CARD_H
#define OCA_CA_CARD_H

#include "ca-int.h"
#include "scd-client.h"

/* The commands of cmd-card.c take the CA options like the others.  */
typedef const ca_opts_t ca_cli_t;

/* The routes to the card.  */
enum ca_card_route
  {
    CA_CARD_ROUTE_OCA_SCD = 0,
    CA_CARD_ROUTE_AGENT = 1
  };

/* The cardholder name oca writes and requires.  */
#define CA_CARD_HOLDER "OpenPGP CA"
/* Factory default Admin PIN and User PIN.  */
#define CA_CARD_DEFAULT_ADMIN_PIN "12345678"
#define CA_CARD_DEFAULT_USER_PIN  "123456"
/* Key references of the slots oca uses.  */
#define CA_CARD_SLOT_SIG 1
#define CA_CARD_SLOT_AUT 3


/*-- Hooks for oca.c, ca-backend.c and cmd-ca.c --*/

/* Create the card backend for the stored configuration CONFIG
 * ("card;...") and the CA certificate CACERT (borrowed).  The card is
 * not touched until the first signature.  */
gpg_error_t ca_card_backend_new (const char *config, pgp_cert_t *cacert,
                                 ca_backend_t **r_be);

/* The global option --scd=ROUTE ("oca-scd" or "gpg-agent"): the route
 * card commands use when they do not get --scd themselves, and which
 * overrides the stored route of a card-backed CA for this run.  */
gpg_error_t ca_card_set_route_option (const char *name);

/* True if the arguments of `ca init' select the card backend (the
 * positional word "card").  cmd_ca_init then hands over to
 * cmd_ca_init_card.  */
int ca_card_init_wanted (int argc, char **argv);

/* The commands (argv[0] is the command name, as for all commands).  */
gpg_error_t cmd_ca_init_card (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_ca_migrate (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_ca_set_backend (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_card_list (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_card_status (ca_cli_t *cli, int argc, char **argv);
gpg_error_t cmd_card_touch (ca_cli_t *cli, int argc, char **argv);

/* Help texts for the dispatch table of oca.c.  */
extern const char ca_card_help_init[];
extern const char ca_card_help_migrate[];
extern const char ca_card_help_set_backend[];
extern const char ca_card_help_group[];
extern const char ca_card_help_list[];
extern const char ca_card_help_status[];
extern const char ca_card_help_touch[];


/*-- Backend configuration strings (ca-card.c) --*/

/* Parse CONFIG into *R_IDENT (xfree), *R_PIN (secure memory,
 * wipe_and_free_string) and *R_ROUTE.  GPG_ERR_INV_VALUE if it is not
 * a card configuration.  */
gpg_error_t ca_card_parse_config (const char *config, char **r_ident,
                                  char **r_pin, int *r_route);

/* Build the configuration string (secure memory,
 * wipe_and_free_string).  */
gpg_error_t ca_card_make_config (const char *ident, const char *pin,
                                 int route, char **r_config);

/* The `ca show' backend description "OpenPGP card IDENT [User PIN
 * PIN]" of a card configuration, in secure memory
 * (wipe_and_free_string).  */
gpg_error_t ca_card_describe (const char *ident, const char *pin, int route,
                              char **r_text);

/* The route to use: the --scd option if given, else STORED.  */
int ca_card_effective_route (int stored);

/* "oca-scd" / "gpg-agent".  */
const char *ca_card_route_name (int route);
/* Parse a route name; -1 if unknown.  */
int ca_card_route_from_name (const char *name);


/*-- Connections to the card (ca-card.c) --*/

/* What a PIN inquiry is answered with (when the prompt carries no
 * flags, as through gpg-agent).  */
enum ca_card_pin_mode
  {
    CA_CARD_PIN_USER = 0,
    CA_CARD_PIN_ADMIN
  };

typedef struct ca_card_conn ca_card_conn_t;

/* One card as seen by a listing.  */
typedef struct ca_card_entry
{
  struct ca_card_entry *next;
  char *serialno;              /* 32 hex digits.  */
  char ident[14];              /* "MANU:SERIAL".  */
  scd_cardinfo_t *info;        /* LEARN + KEY-ATTR.  */
} ca_card_entry_t;

void ca_card_entry_release (ca_card_entry_t *list);

/* Connect over ROUTE.  */
gpg_error_t ca_card_connect (int route, ca_card_conn_t **r_conn);
void ca_card_conn_release (ca_card_conn_t *conn);
scd_client_t ca_card_conn_scd (ca_card_conn_t *conn);
int ca_card_conn_route (ca_card_conn_t *conn);

/* Set the PINs the connection answers with (each copied to secure
 * memory; NULL clears).  USER for User PIN requests, ADMIN for Admin
 * PIN requests, NEWPIN for "new PIN" requests.  MODE tells which of
 * USER/ADMIN to give when the request does not say.  */
gpg_error_t ca_card_conn_set_pins (ca_card_conn_t *conn, const char *user,
                                   const char *admin, const char *newpin);
void ca_card_conn_set_pin_mode (ca_card_conn_t *conn, int mode);

/* List all OpenPGP cards reachable on CONN with their data, ordered as
 * the server reports them.  An empty list is not an error.  */
gpg_error_t ca_card_list_cards (ca_card_conn_t *conn,
                                ca_card_entry_t **r_list);

/* Select the card with SERIALNO on CONN and return its fresh data in
 * *R_INFO (may be NULL).  */
gpg_error_t ca_card_select (ca_card_conn_t *conn, const char *serialno,
                            scd_cardinfo_t **r_info);

/* Find the card with IDENT in LIST, or NULL.  */
ca_card_entry_t *ca_card_find (ca_card_entry_t *list, const char *ident);

/* Whether INFO describes a blank card (no SIG, DEC and AUT
 * fingerprints).  */
int ca_card_is_blank (const scd_cardinfo_t *info);

/* Whether the cardholder name of INFO is "OpenPGP CA".  */
int ca_card_holder_ok (const scd_cardinfo_t *info);

/* The cardholder name of INFO for messages ("" if unset), in
 * display form ("Doe<<John" -> "John Doe").  Static buffer.  */
const char *ca_card_holder_display (const scd_cardinfo_t *info);

/* Check that the card selected on CONN (data INFO) can hold the keys
 * of CERT (AUT: the primary, SIG: the signing subkey), from the
 * algorithm information of the card (KEY-ATTR-INFO, DO FA) or its
 * current attributes.  Nothing is written.  Errors get a message
 * naming IDENT.  */
gpg_error_t ca_card_check_algo_support (ca_card_conn_t *conn,
                                        const scd_cardinfo_t *info,
                                        const char *ident, int pkalgo,
                                        int curve, unsigned int nbits);

/* Write the secret KEY (PLAIN secret) into slot KEYNO of the selected
 * card (WRITEKEY --force; scdaemon also writes its fingerprint and
 * creation time).  Needs the Admin PIN in the connection.  */
gpg_error_t ca_card_write_key (ca_card_conn_t *conn, int keyno,
                               const pgp_key_t *key);

/* Set the cardholder name to "OpenPGP CA" (Admin PIN).  */
gpg_error_t ca_card_set_holder (ca_card_conn_t *conn);

/* Change the Admin PIN from OLD_ADMIN to NEWPIN and reset the User PIN
 * to NEWPIN (in this order, after the keys: Gnuk needs keys first).
 * The connection's PINs are set accordingly.  */
gpg_error_t ca_card_set_pins (ca_card_conn_t *conn, const char *old_admin,
                              const char *newpin);

/* Verify the User PIN (set in the connection) on the selected card
 * with SERIALNO.  A wrong PIN is GPG_ERR_BAD_PIN.  A stored PIN
 * (ENTERED false) is not tried when the card has fewer than 2 tries
 * left; a PIN the operator ENTERED is tried while any try is left.  */
gpg_error_t ca_card_verify_user_pin (ca_card_conn_t *conn,
                                     const char *serialno,
                                     const scd_cardinfo_t *info,
                                     const char *ident, int entered);

/* Set PIN as User and Admin PIN of CONN, select the card SERIALNO and
 * verify the User PIN (see ca_card_verify_user_pin), with an error
 * message naming IDENT on failure.  */
gpg_error_t ca_card_unlock (ca_card_conn_t *conn, const char *serialno,
                            const scd_cardinfo_t *info, const char *ident,
                            const char *pin, int entered);

/* Fill *R_SIGNER for the key KEY in slot KEYNO (CA_CARD_SLOT_AUT or
 * CA_CARD_SLOT_SIG) of the card SERIALNO reached through CONN.
 * IDENT names the card in messages.  The signer borrows KEY and CONN.
 * Each signature prints the touch notice when the slot's UIF is on
 * (UIF is the policy byte from the card, 0 if unknown).  */
gpg_error_t ca_card_make_signer (ca_card_conn_t *conn, const char *serialno,
                                 const char *ident, int keyno,
                                 const pgp_key_t *key, int uif,
                                 pgp_signer_t *r_signer);

/* A new random 8-digit PIN in secure memory (wipe_and_free_string).  */
gpg_error_t ca_card_random_pin (char **r_pin);

/* Print a message for the operator to stderr (touch notices and
 * progress notes of card flows; not errors).  */
void ca_card_notice (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2)));

/* Record a one-line message for a card error ERR during WHAT on card
 * IDENT and return ERR.  */
gpg_error_t ca_card_errmsg (gpg_error_t err, const char *ident,
                            const char *what);

#endif /*OCA_CA_CARD_H*/
