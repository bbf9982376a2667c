/* scd-client.h - Assuan client for the scdaemon protocol
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The card backend of the CA reaches an OpenPGP card through the
 * scdaemon protocol (spec card-and-scd.md, part B), over one of two
 * routes:
 *
 *   - scd_client_spawn: start a scdaemon-compatible server (oca-scd, or
 *     GnuPG's scdaemon) as a pipe server ("PROGRAM --server ...");
 *   - scd_client_connect_agent: talk to the user's gpg-agent and prefix
 *     every command with "SCD ".  PIN prompts then come back as
 *     loopback inquiries (INQUIRE PASSPHRASE) which this library answers.
 *
 * In both cases the caller supplies a PIN callback (scd_client_set_pin_cb)
 * that returns the PIN in gcry secure memory; the library sends it inside
 * an Assuan confidential section and wipes every copy.  The library never
 * prints and never exits; every function returns a gpg_error_t.
 *
 * Errors from the server are returned unchanged (source SCD for scdaemon,
 * source GPG_AGENT when the agent itself fails).
 */
#ifndef OCA_SCD_CLIENT_H
#define OCA_SCD_CLIENT_H

#include "oca-common.h"
#include <time.h>
#include "card-data.h"

typedef struct scd_client_s *scd_client_t;

/* What the server asks for when it needs a PIN.  */
typedef struct scd_pin_request_s
{
  /* The prompt without its flags, percent-unescaped (may contain LFs
   * and the 0x1e/0x1f alignment bytes scdaemon uses).  Empty when the
   * request came from gpg-agent's loopback pinentry (the agent does not
   * forward scdaemon's prompt).  */
  const char *prompt;
  /* The inquiry keyword: "NEEDPIN" (direct to scd) or "PASSPHRASE" /
   * "NEW_PASSPHRASE" (gpg-agent loopback).  */
  const char *keyword;
  /* The flags.  Through gpg-agent (via_agent) the agent's loopback
   * inquiry carries no flags (2.2.40 sends a bare "INQUIRE PASSPHRASE"
   * for every PIN scdaemon asks for, old and new alike); the library
   * then derives them from the command and SEQ: GENKEY, WRITEKEY,
   * WRITECERT, SETATTR (but PRIVATE-DO-1/3) and CHECKPIN ...[CHV3] ask
   * for the Admin PIN; PASSWD asks first for the authorising PIN (Admin
   * PIN for --reset and 3, Reset Code for 2) and then for the new one.  */
  unsigned int admin:1;      /* Flag A: Admin PIN (PW3).  */
  unsigned int newpin:1;     /* Flag N: a new PIN is asked for.  */
  unsigned int resetcode:1;  /* Flag R: the Resetting Code.  */
  unsigned int via_agent:1;  /* Asked by gpg-agent (loopback).  */
  /* 0-based index of this PIN request within the current command
   * (PASSWD asks twice or three times).  */
  unsigned int seq;
} scd_pin_request_t;

/* The PIN callback.  On success store a NUL-terminated PIN allocated
 * with gcry_malloc_secure at *R_PIN; the library wipes and frees it.
 * Returning an error cancels the inquiry (the server answers
 * ASS_CANCELED or similar).  */
typedef gpg_error_t (*scd_pin_cb_t) (void *opaque,
                                     const scd_pin_request_t *req,
                                     char **r_pin);

/* Callback for status lines the library does not consume itself.
 * KEYWORD is the status keyword, ARGS the (still escaped) rest.  */
typedef gpg_error_t (*scd_status_cb_t) (void *opaque, const char *keyword,
                                        const char *args);


/*-- Connection.  --*/

/* Flags for scd_client_spawn.  */
#define SCD_SPAWN_KEEP_STDERR 1   /* Let the server write to our stderr.  */

/* Start PROGRAM as a pipe server with argv
 * "basename --server EXTRA_ARGS...", EXTRA_ARGS NULL-terminated (may
 * be NULL), e.g. {"--homedir", dir, NULL}.  */
gpg_error_t scd_client_spawn (scd_client_t *r_scd, const char *program,
                              const char *const *extra_args,
                              unsigned int flags);

/* Connect to gpg-agent at SOCKET_NAME, or (NULL) the socket given by
 * "gpgconf --list-dirs agent-socket" (the agent is launched with
 * "gpgconf --launch gpg-agent" if it is not running).  Sets
 * pinentry-mode=loopback so PINs come from the PIN callback.  */
gpg_error_t scd_client_connect_agent (scd_client_t *r_scd,
                                      const char *socket_name);

/* Talk to a server already connected on the socket FD (taken over;
 * for the fuzz target, which plays the server): reads the greeting as
 * the other routes do.  VIA_AGENT selects gpg-agent's dialect ("SCD "
 * prefix, loopback PIN inquiries) without sending any option.  */
gpg_error_t scd_client_connect_fd (scd_client_t *r_scd, int fd,
                                   int via_agent);

/* Close the connection (BYE) and release.  NULL is accepted.  */
void scd_client_release (scd_client_t scd);

/* Install the PIN callback.  */
void scd_client_set_pin_cb (scd_client_t scd, scd_pin_cb_t cb, void *opaque);

/* The pin-pad callback: the server lets the reader's pin-pad collect a
 * PIN (INQUIRE POPUPPINPADPROMPT, PROMPT is its text without flags,
 * percent-unescaped; ADMIN set for the Admin PIN) or says the entry is
 * over (DISMISSPINPADPROMPT: PROMPT NULL).  An error from the first
 * cancels the operation.  Without a callback both are acknowledged
 * silently.  */
typedef gpg_error_t (*scd_pinpad_cb_t) (void *opaque, const char *prompt,
                                        int admin);
void scd_client_set_pinpad_cb (scd_client_t scd, scd_pinpad_cb_t cb,
                               void *opaque);

/* Through gpg-agent: let the agent's own pinentry show its prompts
 * (pinentry-mode ask) instead of the loopback inquiries.  A pin-pad
 * needs it: gpg-agent refuses the pin-pad prompt in loopback mode.  */
gpg_error_t scd_client_agent_pinentry (scd_client_t scd);

/* True when connected through gpg-agent.  */
int scd_client_via_agent (scd_client_t scd);

/* Run one scdaemon command LINE (without "SCD "; the prefix is added
 * for the agent route).  Status lines go to STATUS_CB (may be NULL),
 * D data is returned in *R_DATA and *R_DATALEN when R_DATA is not NULL
 * (NUL-terminated, release with xfree), else data is an error.  PIN
 * inquiries are answered with the PIN callback.  */
gpg_error_t scd_client_command (scd_client_t scd, const char *line,
                                scd_status_cb_t status_cb, void *opaque,
                                unsigned char **r_data, size_t *r_datalen);


/*-- Card selection.  --*/

/* SERIALNO [--demand=DEMAND]: open (and with DEMAND select) a card.
 * *R_SERIALNO gets the 32-hex serial number (xfree).  R_SERIALNO may be
 * NULL.  */
gpg_error_t scd_client_serialno (scd_client_t scd, const char *demand,
                                 char **r_serialno);

/* GETINFO card_list: the serial numbers of all cards present.
 * *R_LIST is a NULL-terminated array (release with
 * scd_client_free_strlist), *R_COUNT the number of entries.  */
gpg_error_t scd_client_card_list (scd_client_t scd, char ***r_list,
                                  size_t *r_count);
void scd_client_free_strlist (char **list);

/* GETINFO busy_readers (oca-scd only): the readers whose card another
 * process holds exclusively (GnuPG's scdaemon without pcsc-shared).
 * *R_LIST as for scd_client_card_list.  */
gpg_error_t scd_client_busy_readers (scd_client_t scd, char ***r_list,
                                     size_t *r_count);

/* RESTART: drop the session's card binding and lock.  */
gpg_error_t scd_client_restart (scd_client_t scd);


/*-- Card data.  --*/

/* Key attribute of one slot (KEY-ATTR).  */
typedef struct scd_keyattr_s
{
  int algo;               /* 0 = unknown/not reported, 1 = RSA,
                           * 18 ECDH, 19 ECDSA, 22 EdDSA.  */
  unsigned int nbits;     /* RSA modulus size.  */
  unsigned int ebits;     /* RSA exponent size.  */
  unsigned int format;    /* RSA import format (gnupg enum).  */
  char curve[48];         /* ECC canonical curve name.  */
} scd_keyattr_t;

/* One KEYPAIRINFO line.  */
typedef struct scd_keypairinfo_s
{
  int valid;
  char grip[41];          /* 40 hex digits, or "X".  */
  char keyref[16];        /* e.g. "OPENPGP.1".  */
  char usage[8];          /* "sc", "e", "sa" or empty (short form).  */
  unsigned long keytime;  /* 0 if not given.  */
  char algostr[32];       /* e.g. "rsa2048", "ed25519"; may be empty.  */
} scd_keypairinfo_t;

/* The card as LEARN / GETATTR report it.  Strings are NUL-terminated,
 * unescaped, xfree'd by scd_cardinfo_release; NULL when not reported.  */
typedef struct scd_cardinfo_s
{
  char *reader;
  char *serialno;          /* 32 hex digits.  */
  char ident[14];          /* "MANU:SERIAL", e.g. "FFFE:01234567".  */
  char *cardtype;
  char *apptype;
  unsigned int appversion; /* e.g. 0x304.  */
  int manufacturer_valid;
  unsigned int manufacturer_id;
  char *manufacturer;      /* Name part of MANUFACTURER.  */
  char *disp_name;
  char *disp_lang;
  char *disp_sex;
  char *pubkey_url;
  char *login_data;
  int fpr_valid[3];
  unsigned char fpr[3][20];
  unsigned long key_time[3];
  int cafpr_valid[3];
  unsigned char cafpr[3][20];
  int chv_status_valid;
  int chv_status[7];       /* validity, 3 max lengths, 3 retry counters.  */
  int sig_counter_valid;
  unsigned long sig_counter;
  int uif_valid[3];
  unsigned char uif[3];    /* First UIF byte (policy).  */
  scd_keyattr_t key_attr[3];
  int extcap_valid;
  struct
  {
    int gc, ki, fc, pd, aac, sm, dec, bt, kdf;
    unsigned int mcl3, si;
  } extcap;
  int kdf_valid;           /* A KDF line was seen.  */
  scd_keypairinfo_t keypairinfo[3];
  char *dispserialno;      /* $DISPSERIALNO, unescaped.  */
} scd_cardinfo_t;

void scd_cardinfo_release (scd_cardinfo_t *info);

/* Parse one status line (KEYWORD and its still escaped ARGS) into
 * INFO.  Unknown keywords are ignored (return 0); malformed values of
 * known keywords give GPG_ERR_INV_RESPONSE.  */
gpg_error_t scd_cardinfo_parse_status (scd_cardinfo_t *info,
                                       const char *keyword,
                                       const char *args);

/* LEARN --force.  *R_INFO is fresh (scd_cardinfo_release).  Also asks
 * GETATTR KEY-ATTR (LEARN does not report it).  */
gpg_error_t scd_client_learn (scd_client_t scd, scd_cardinfo_t **r_info);

/* GETATTR NAME: parse the answer into INFO (which the caller owns).  */
gpg_error_t scd_client_getattr (scd_client_t scd, const char *name,
                                scd_cardinfo_t *info);

/* SETATTR NAME VALUE: VALUE (VALUELEN bytes) is percent-plus escaped.
 * Asks for the Admin PIN on the server side.  */
gpg_error_t scd_client_setattr (scd_client_t scd, const char *name,
                                const void *value, size_t valuelen);


/*-- Keys and operations.  --*/

/* READKEY KEYID: the public key as canonical S-expression (validated),
 * xfree.  */
gpg_error_t scd_client_readkey (scd_client_t scd, const char *keyid,
                                unsigned char **r_sexp, size_t *r_len);

/* SETDATA (chunked with --append) + PKSIGN [--hash=HASHNAME] KEYID.
 * DATA is what SETDATA carries (a DigestInfo or bare digest).
 * HASHNAME NULL omits the option (scdaemon then assumes SHA-1).  */
gpg_error_t scd_client_pksign (scd_client_t scd, const char *keyid,
                               const char *hashname,
                               const void *data, size_t datalen,
                               unsigned char **r_sig, size_t *r_siglen);

/* SETDATA + PKAUTH KEYID.  */
gpg_error_t scd_client_pkauth (scd_client_t scd, const char *keyid,
                               const void *data, size_t datalen,
                               unsigned char **r_sig, size_t *r_siglen);

/* SETDATA + PKDECRYPT KEYID.  The plaintext is in secure memory
 * (wipe_and_free).  */
gpg_error_t scd_client_pkdecrypt (scd_client_t scd, const char *keyid,
                                  const void *data, size_t datalen,
                                  unsigned char **r_plain, size_t *r_len);

/* Result of GENKEY.  */
typedef struct scd_genkey_result_s
{
  unsigned long created_at;
  int fpr_valid;
  unsigned char fpr[20];
  unsigned char *n, *e, *q, *curve;   /* xfree'd by _release.  */
  size_t nlen, elen, qlen, curvelen;
  struct membuf *pending_;            /* Private: KEY-DATA chunks.  */
} scd_genkey_result_t;

void scd_genkey_result_release (scd_genkey_result_t *res);

/* Parse one GENKEY status line into RES (exported for tests; RES from
 * xtrycalloc, released with scd_genkey_result_release).  KEY-DATA
 * chunks ("KEY-DATA - <hex>") are accumulated in RES until the named
 * line.  */
gpg_error_t scd_genkey_parse_status (scd_genkey_result_t *res,
                                     const char *keyword, const char *args);

/* Flags for scd_client_genkey.  */
#define SCD_GENKEY_FORCE 1

/* GENKEY [--force] [--timestamp=T] [--algo=ALGO] KEYNO (1..3).
 * TIMESTAMP 0 = let the server choose; ALGO NULL = card's current
 * attribute.  *R_RES is fresh (scd_genkey_result_release).  */
gpg_error_t scd_client_genkey (scd_client_t scd, int keyno, unsigned int flags,
                               time_t timestamp, const char *algo,
                               scd_genkey_result_t **r_res);

/* WRITEKEY [--force] KEYID, answering INQUIRE KEYDATA with the
 * canonical S-expression KEYDATA (caller's secure memory; not
 * modified).  */
gpg_error_t scd_client_writekey (scd_client_t scd, const char *keyid,
                                 int force, const unsigned char *keydata,
                                 size_t keydatalen);

/* Flags for scd_client_passwd.  */
#define SCD_PASSWD_RESET  1
#define SCD_PASSWD_CLEAR  2
#define SCD_PASSWD_NULLPIN 4

/* PASSWD [--reset] [--clear] [--nullpin] CHVNO.  */
gpg_error_t scd_client_passwd (scd_client_t scd, const char *chvno,
                               unsigned int flags);

/* CHECKPIN IDSTR (serialno, optionally "[CHV3]").  */
gpg_error_t scd_client_checkpin (scd_client_t scd, const char *idstr);

/*-- Data objects and algorithms (typed card access).  --*/
/* These reach the card of the current SERIALNO with the APDU command
 * (GnuPG 2.2's scdaemon offers no attribute for them); card-data.h
 * encodes the command and maps the status word.  An error of the APDU
 * command itself (server or agent) is returned unchanged; a status
 * word other than 9000 is card_map_sw's error (6985: USE_CONDITIONS,
 * 6A88: NO_OBJ, 6982: BAD_PIN, ...).  */

/* GET DATA TAG (0x00..0xFFFF, e.g. 0xD6 for the UIF of the SIG key):
 * the value in *R_DATA (xfree; NUL-terminated, not counted) and
 * *R_LEN.  */
gpg_error_t scd_client_get_data (scd_client_t scd, unsigned int tag,
                                 unsigned char **r_data, size_t *r_len);

/* PUT DATA TAG with the LEN (1..255) bytes at DATA.  The access
 * condition (usually the Admin PIN, verified with scd_client_checkpin
 * "SERIALNO[CHV3]") must be met first.  */
gpg_error_t scd_client_put_data (scd_client_t scd, unsigned int tag,
                                 const void *data, size_t len);

/* The algorithm attributes the card takes, per slot: DO FA (algorithm
 * information) parsed by card_parse_algoinfo; from a server without
 * the APDU command, GETATTR KEY-ATTR-INFO (GnuPG 2.3+).  *R_LIST is
 * an array of *R_COUNT entries in card order (xfree), NULL and 0 when
 * the card gives no algorithm information (no DO FA: then only its
 * current attributes are known, scd_cardinfo_t.key_attr).  Entries
 * with an algorithm or curve card-data.h does not know are left out;
 * a malformed DO FA is GPG_ERR_INV_OBJ or a length error.  */
gpg_error_t scd_client_algoinfo (scd_client_t scd, card_algoinfo_t **r_list,
                                 size_t *r_count);

/* RANDOM N.  */
gpg_error_t scd_client_random (scd_client_t scd, size_t n,
                               unsigned char **r_buf);


/*-- Helpers (exported for the unit tests).  --*/

/* Percent-plus unescape S (N bytes of a status-line value) with
 * scd_unescape_to (scd-proto.h): "%XX" gives the byte, "+" a space;
 * with PLUS = 0 only percent escapes are decoded.  *R_BUF is
 * NUL-terminated (not counted in *R_LEN), xfree.  A bad escape is
 * GPG_ERR_INV_RESPONSE (the server's answer is not trusted).  */
gpg_error_t scd_unescape (const char *s, size_t n, int plus,
                          unsigned char **r_buf, size_t *r_len);

/* Check that BUF/LEN is exactly one canonical S-expression (every atom
 * length-prefixed, lists balanced, nothing left over).  */
gpg_error_t scd_check_canon_sexp (const unsigned char *buf, size_t len);

/* Format the ident "MANU:SERIAL" from a 32-hex serial number into
 * IDENT (at least 14 bytes).  GPG_ERR_INV_VALUE if SERIALNO is not an
 * OpenPGP card serial number.  */
gpg_error_t scd_serialno_to_ident (const char *serialno, char *ident);

#endif /*OCA_SCD_CLIENT_H*/
