/* vcard.h - oca-vcard: a virtual OpenPGP card v3.4 (internal interface)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The card is split in four parts:
 *
 *   vcard-app.c     the card application's transport: APDU parsing,
 *                   command chaining, GET RESPONSE / 61xx, extended
 *                   length, dispatch; its commands in vcard-card.c,
 *                   vcard-do.c, vcard-pin.c, vcard-key.c (vcard-int.h).
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
#include "card-data.h"

#include <stdio.h>

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

/* Algorithms a card takes (vcard_profile_t algos).  */
#define VCARD_A_RSA2048  0x01
#define VCARD_A_RSA3072  0x02
#define VCARD_A_RSA4096  0x04
#define VCARD_A_ED25519  0x08
#define VCARD_A_CV25519  0x10
#define VCARD_A_P256     0x20
#define VCARD_A_P384     0x40

/* Profile flags.  */
#define VCARD_P_EXTLEN        0x0001  /* Extended Lc/Le, 7F66.  */
#define VCARD_P_ATTR_CHANGE   0x0002  /* PUT DATA C1..C3 (C0 bit 04).  */
#define VCARD_P_BUTTON        0x0004  /* 7F74, UIF D6..D8.  */
#define VCARD_P_PRIVATE_DOS   0x0008  /* 0101..0104 (C0 bit 08).  */
#define VCARD_P_ALGOINFO      0x0010  /* DO FA.  */
#define VCARD_P_KEYINFO       0x0020  /* DO DE (v3).  */
#define VCARD_P_PIN_NEEDS_KEYS 0x0040 /* PW1 change/reset 6985 w/o keys.  */
#define VCARD_P_OUTER_TAGS    0x0080  /* GET DATA C1..C3, 7F66, DE with
                                         their own tag.  */
#define VCARD_P_EXACT_ATTRS   0x0100  /* Only attributes exactly as in
                                         the card's algorithm list.  */

/* The behaviour of a real card (vcard-profile.c).  */
typedef struct vcard_profile
{
  const char *name;
  const char *models;            /* The real card(s) modelled.  */
  unsigned char version[2];      /* Spec version in the AID.  */
  unsigned char c0;              /* Extended capabilities, byte 1.  */
  unsigned int flags;            /* VCARD_P_*.  */
  unsigned int algos;            /* VCARD_A_* the card takes.  */
  unsigned int rsa_ebits;        /* Exponent size it insists on (0 =
                                    17..32).  */
  unsigned int rsa_formats;      /* Import formats (bit n = format n)
                                    it takes in attributes and import;
                                    0x0F = any, lenient template.  */
  unsigned char rsa_attr[6];     /* Factory attributes (RSA 2048).  */
  int ecc_pubkey;                /* Tag 99 in an ECC import: 0 refused,
                                    1 required (the card appends FF to
                                    ECC attributes), 2 either.  */
  unsigned int wrong_pin_sw;     /* Wrong PIN; 0 = 63Cx.  */
  unsigned int blocked_sw;       /* Blocked PIN; 0 = 6983.  */
  unsigned int change_wrong_sw;  /* Wrong old PIN in CHANGE REFERENCE
                                    DATA; 0 = as VERIFY.  */
  unsigned int hidden_dos;       /* GET DATA of C0+n alone refused
                                    (bit n) ...  */
  unsigned int hidden_sw;        /* ... with this status word.  */
  unsigned int touch_cache;      /* Seconds a touch counts for UIF 03
                                    and 04; 0 = not offered.  */
  unsigned int lat_op;           /* Latency in ms: private-key
                                    operation, VERIFY, RSA 2048 key
                                    generation (scaled by size^2).  */
  unsigned int lat_verify;
  unsigned int lat_gen;
} vcard_profile_t;

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
  vcard_profile_t prof;           /* What the card behaves like.  */
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
  int other_app;                  /* Another application (PIV) is
                                     selected, not OpenPGP.  */
  double last_touch;              /* Monotonic time of the last touch.  */
  unsigned int busy_ms;           /* Latency of the last command (the
                                     caller waits it out).  */

  int dirty;                      /* Persistent state changed.  */
} vcard_t;

/*-- vcard-profile.c --*/
/* The profile NAME (NULL: the default, permissive), or NULL.  */
const vcard_profile_t *vcard_profile_find (const char *name);
/* The IDX-th profile or NULL past the last.  */
const vcard_profile_t *vcard_profile_nth (size_t idx);
/* "key value" lines for test scripts.  */
void vcard_profile_describe (const vcard_profile_t *p, FILE *fp);

/*-- vcard-card.c, vcard-app.c --*/
/* A card in factory state behaving like PROF (NULL: permissive).  */
gpg_error_t vcard_new (const vcard_profile_t *prof, vcard_t **r_card);
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

/* PROF NULL: any attribute the emulator can handle.  */
gpg_error_t vcard_parse_attr (const unsigned char *attr, size_t attrlen,
                              int keyno, const vcard_profile_t *prof,
                              vcard_algo_t *r_algo, unsigned int *r_nbits);
/* What an import must look like (from the profile and attributes).  */
typedef struct vcard_import_rules
{
  int rsa_format;        /* -1: any tags (lenient); else the format of
                            the attributes, whose tag list is required
                            exactly, CRT values checked.  */
  size_t rsa_elen;       /* Required e length (0: up to 4).  */
  int ecc_pubkey;        /* As vcard_profile_t.  */
} vcard_import_rules_t;
gpg_error_t vcard_key_generate (vcard_algo_t algo, unsigned int nbits,
                                gcry_sexp_t *r_sk);
gpg_error_t vcard_key_import (vcard_algo_t algo, unsigned int nbits,
                              const vcard_import_rules_t *rules,
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
