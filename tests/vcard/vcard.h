/* vcard.h - oca-vcard: a virtual OpenPGP card v3.4 (internal interface)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The card is split in four parts:
 *
 *   vcard-app.c     the card application: APDU parsing, transport
 *                   (command chaining, GET RESPONSE / 61xx, extended
 *                   length), data objects, PINs, life cycle.
 *   vcard-crypto.c  the key operations with libgcrypt (generate, import,
 *                   sign, authenticate, decipher, public key template).
 *   vcard-state.c   the persistent card state file (atomic write).
 *   vcard-main.c    the vsmartcard-vpcd socket loop, options, touch and
 *                   APDU log.
 *
 * Terms: PW1 is the user PIN (verified in mode 81 for signing and 82
 * for everything else), PW3 the admin PIN, RC the resetting code.  Key
 * slots 0/1/2 are SIG/DEC/AUT (OPENPGP.1/2/3).
 */
#ifndef OCA_VCARD_H
#define OCA_VCARD_H

#include "oca-common.h"
#include "membuf.h"

/* Largest command data we accept (after chaining or with extended Lc)
 * and largest response data we produce.  7F66 announces 0x0800 for
 * both, as many real tokens do; we are lenient on input.  */
#define VCARD_MAX_CMD   4096
#define VCARD_MAX_RSP   4096
#define VCARD_ANNOUNCED_MAX 0x0800
/* Largest variable data object (URL, login, private DOs).  */
#define VCARD_MAX_DO    254
#define VCARD_MAX_CERT  2048
#define VCARD_MAX_PIN   127

/* Indices into the PIN arrays.  */
enum { VCARD_PW1 = 0, VCARD_RC = 1, VCARD_PW3 = 2 };

/* Quirk switches (behaviour of some real cards).  */
#define VCARD_QUIRK_NO_RSA4096   1  /* Refuse RSA 4096 attributes.  */
#define VCARD_QUIRK_WRONG_PIN_6982 2  /* Wrong PIN: 6982, not 63Cx.  */
#define VCARD_QUIRK_NO_EXTLEN    4  /* No extended length, 61xx only.  */
#define VCARD_QUIRK_FPR_ONLY_6E  8  /* GET DATA C5 answers 6A88.  */

/* A variable-length data object.  */
typedef struct vcard_blob
{
  unsigned char *d;  /* Allocated (NULL when empty).  */
  size_t n;
} vcard_blob_t;

/* One key slot.  */
typedef struct vcard_key
{
  unsigned char attr[16];    /* Algorithm attributes (C1/C2/C3).  */
  size_t attrlen;
  gcry_sexp_t sk;            /* Private key, NULL when none.  */
  unsigned char fpr[20];     /* C7..C9 (as written by the host).  */
  unsigned char cafpr[20];   /* CA..CC.  */
  uint32_t gentime;          /* CE..D0.  */
  unsigned char status;      /* DE: 0 none, 1 generated, 2 imported.  */
  unsigned char uif;         /* D6..D8 byte 1: 0 off, 1 on, 2 fixed.  */
  vcard_blob_t cert;         /* 7F21 occurrence for this key.  */
} vcard_key_t;

/* Callback asking for a touch (user presence).  Returns 0 when the
 * user touched, GPG_ERR_TIMEOUT when nobody did.  */
typedef gpg_error_t (*vcard_touch_cb_t) (void *opaque, int keyno);

typedef struct vcard
{
  /*-- Persistent state (vcard-state.c writes all of it).  --*/
  unsigned char manufacturer[2];
  unsigned char serial[4];
  int terminated;                 /* TERMINATE DF was done.  */
  unsigned char *pin[3];          /* Secure memory; NULL for RC unset.  */
  size_t pinlen[3];
  unsigned int tries[3];          /* Remaining tries.  */
  int pw1_multi;                  /* C4 byte 1.  */
  vcard_blob_t name, lang, sex, login, url;
  vcard_blob_t privdo[4];         /* 0101..0104.  */
  uint32_t sigcount;
  vcard_key_t key[3];

  /*-- Configuration (not persistent).  --*/
  unsigned int quirks;
  vcard_touch_cb_t touch_cb;
  void *touch_opaque;

  /*-- Volatile state (cleared by reset/power cycle).  --*/
  int verified81, verified82, verified83;
  int chain_active;               /* Command chaining in progress.  */
  unsigned char chain_hdr[3];     /* INS P1 P2 of the chain.  */
  membuf_t chain;                 /* Data collected so far (secure).  */
  unsigned char *pending;         /* Response waiting for GET RESPONSE.  */
  size_t pendinglen, pendingoff;
  int cert_occurrence;            /* SELECT DATA for 7F21: 0=AUT 2=SIG.  */

  int dirty;                      /* Persistent state changed.  */
} vcard_t;

/*-- vcard-app.c --*/
gpg_error_t vcard_new (vcard_t **r_card);
void vcard_release (vcard_t *card);
void vcard_factory_reset (vcard_t *card);
void vcard_reset_volatile (vcard_t *card);
gpg_error_t vcard_process_apdu (vcard_t *card,
                                const unsigned char *apdu, size_t apdulen,
                                unsigned char **r_rsp, size_t *r_rsplen);
size_t vcard_atr (vcard_t *card, unsigned char *buf, size_t bufsize);
size_t vcard_historical_bytes (vcard_t *card, unsigned char *buf);
void vcard_blob_clear (vcard_blob_t *b);
gpg_error_t vcard_blob_set (vcard_blob_t *b, const void *d, size_t n);
gpg_error_t vcard_set_pin (vcard_t *card, int which,
                           const void *pin, size_t len);
void vcard_key_clear (vcard_key_t *key);

/*-- vcard-crypto.c --*/
/* Append a BER-TLV (TAG of 1 to 3 bytes, definite length) to MB.  */
void vcard_put_tlv (membuf_t *mb, unsigned int tag,
                    const void *data, size_t len);
/* Append only the tag and length (the value follows).  */
void vcard_put_tl (membuf_t *mb, unsigned int tag, size_t len);
/* Parsed form of an algorithm attribute.  */
typedef enum
  {
    VCARD_ALGO_NONE = 0,
    VCARD_ALGO_RSA,
    VCARD_ALGO_ED25519,
    VCARD_ALGO_CV25519,
    VCARD_ALGO_NISTP256,
    VCARD_ALGO_NISTP384
  } vcard_algo_t;

gpg_error_t vcard_parse_attr (const unsigned char *attr, size_t attrlen,
                              int keyno, unsigned int quirks,
                              vcard_algo_t *r_algo, unsigned int *r_nbits);
gpg_error_t vcard_key_generate (vcard_algo_t algo, unsigned int nbits,
                                gcry_sexp_t *r_sk);
gpg_error_t vcard_key_import (vcard_algo_t algo, unsigned int nbits,
                              const unsigned char *data, size_t datalen,
                              gcry_sexp_t *r_sk);
gpg_error_t vcard_key_pubtemplate (vcard_algo_t algo, gcry_sexp_t sk,
                                   membuf_t *mb);
gpg_error_t vcard_key_sign (vcard_algo_t algo, gcry_sexp_t sk,
                            const unsigned char *data, size_t datalen,
                            membuf_t *mb);
gpg_error_t vcard_key_decipher (vcard_algo_t algo, gcry_sexp_t sk,
                                const unsigned char *data, size_t datalen,
                                membuf_t *mb);

/*-- vcard-state.c --*/
gpg_error_t vcard_state_load (vcard_t *card, const char *fname);
gpg_error_t vcard_state_save (vcard_t *card, const char *fname);
gpg_error_t vcard_state_serialize (vcard_t *card, membuf_t *mb);
gpg_error_t vcard_state_parse (vcard_t *card,
                               const unsigned char *buf, size_t len);

#endif /*OCA_VCARD_H*/
