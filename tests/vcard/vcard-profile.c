/* vcard-profile.c - the real cards oca-vcard can behave like
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each profile reproduces documented behaviours of real OpenPGP cards,
 * so that oca's card flows meet what people own, not only a lenient
 * card.  The comment of every profile names the public source of each
 * behaviour.  Behaviours nobody documented (a vendor's exact status
 * word where the source is closed) keep the permissive default.
 *
 * A profile is configuration, not card state: the state file holds
 * keys, PINs and data objects; the profile decides what the card
 * accepts and how it answers.  Options of oca-vcard (--no-rsa4096,
 * --wrong-pin-6982, --no-extended-length, --fpr-only-in-6e, --latency)
 * adjust a copy of the chosen profile.
 */
#include <config.h>
#include "vcard.h"

#include <string.h>
#include <stdio.h>

#define RSA_ALL  (VCARD_A_RSA2048 | VCARD_A_RSA3072 | VCARD_A_RSA4096)
#define ECC_ALL  (VCARD_A_ED25519 | VCARD_A_CV25519 | VCARD_A_P256 \
                  | VCARD_A_P384)
#define V3       (VCARD_P_KEYINFO | VCARD_P_ALGOINFO)

/* Bits of hidden_dos: GET DATA of tag C0+n alone.  */
#define HIDE(n)  (1u << (n))

static const vcard_profile_t profiles[] =
  {
    /* permissive: the lenient card oca-vcard always was -- every
     * attribute, every import format, tag 99 optional, extended
     * length, a button.  No real card behaves exactly so; it is the
     * default so that a flow's failure on a strict profile is the
     * card's strictness, not the emulator.  */
    { "permissive", "lenient OpenPGP card 3.4 (no real card)",
      { 3, 4 }, 0x7C,
      VCARD_P_EXTLEN | VCARD_P_ATTR_CHANGE | VCARD_P_BUTTON
      | VCARD_P_PRIVATE_DOS | V3,
      RSA_ALL | ECC_ALL, 0, 0x0F, { 0x01, 0x08, 0x00, 0x00, 0x20, 0x00 },
      2, 0, 0, 0, 0, 0, 0, 0, 0, 0 },

    /* yubikey5: YubiKey 5 (firmware 5.2.3+), OpenPGP 3.4.
     *  - Touch policies "cached" (UIF 03) and "cached-fixed" (04), a
     *    touch counting for 15 s: yubikey-manager (ykman/openpgp.py,
     *    TOUCH_MODE CACHED/CACHED_FIXED, firmware 5.2.1+; see the
     *    openpgp-card crate's TouchPolicy docs) and Yubico's docs
     *    ("Touch is cached for 15 seconds").
     *  - RSA attributes with a 17-bit exponent, standard import format:
     *    what yubikey-manager writes for 4.x/5.x keys (RSA_IMPORT_FORMAT
     *    STANDARD; the CRT template is only for the NEO).
     *  - DO FA, extended length, RSA up to 4096, Ed25519/Cv25519, NIST:
     *    Yubico's OpenPGP 3.4 documentation for 5.2.3+.
     * The firmware is closed: status words keep the defaults.  */
    { "yubikey5", "YubiKey 5 (firmware 5.2.3+)",
      { 3, 4 }, 0x7C,
      VCARD_P_EXTLEN | VCARD_P_ATTR_CHANGE | VCARD_P_BUTTON
      | VCARD_P_PRIVATE_DOS | V3,
      RSA_ALL | ECC_ALL, 0, 0x0F, { 0x01, 0x08, 0x00, 0x00, 0x11, 0x00 },
      2, 0, 0, 0, 0, 0, 15, 0, 0, 0 },

    /* yubikey-neo: YubiKey NEO, Yubico/ykneo-openpgp
     * (applet/src/openpgpcard/OpenPGPApplet.java, RSAPGPKey.java):
     *  - AID version 2.0; historical bytes "00 73 00 00 80": command
     *    chaining, no extended length; responses of at most 255 bytes
     *    and 61xx (sendNext).
     *  - EXTENDED_CAP F0: no algorithm attribute change (PUT DATA C1..C3
     *    is an unknown tag: 6A83), no private DOs, no DO FA.
     *  - RSA 2048 only, attributes 01 0800 0011 03: import only in
     *    the CRT-with-modulus format, tags 91..97 in order, e 3 bytes
     *    (importKey / setPrivateKey).  No ECC.
     *  - GET DATA answers 4F, 5E, 5F50, 5F52, 65, 6E, 7A, 7F21, C4;
     *    anything else 6A83 (getData default: SW_RECORD_NOT_FOUND).
     *  - Wrong PIN in VERIFY: 63Cx, also when blocked (63C0:
     *    OwnerPIN.check); wrong old PIN in CHANGE REFERENCE DATA: 6985
     *    (changeReferenceData), the counter still counting down.
     *  - No button (no UIF, no 7F74).  */
    { "yubikey-neo", "YubiKey NEO (ykneo-openpgp applet)",
      { 2, 0 }, 0x70,
      0,
      VCARD_A_RSA2048, 17, 1u << 3, { 0x01, 0x08, 0x00, 0x00, 0x11, 0x03 },
      0, 0, 0x63C0, 0x6985,
      HIDE (0) | HIDE (1) | HIDE (2) | HIDE (3) | HIDE (5) | HIDE (6)
      | HIDE (13), 0x6A83, 0, 0, 0, 0 },

    /* gnuk: Gnuk 1.2 (FSIJ; also the Nitrokey Start), src/openpgp.c
     * and src/openpgp-do.c:
     *  - AID version 2.0; historical bytes "73 80 01 80": command
     *    chaining, no extended Lc/Le; max. command and response data
     *    255/256 (extended_capabilities).
     *  - Wrong PIN 6982 (GPG_SECURITY_FAILURE), blocked 6983
     *    (GPG_SECURITY_AUTH_BLOCKED) in cmd_verify.
     *  - The User PIN cannot be changed or reset while no key is
     *    loaded: "user pass change not supported with no keys", 6985
     *    (cmd_change_password, cmd_reset_user_password).
     *  - RSA 2048 and 4096 only as 01 xx00 0020 00 (32-bit e, "P and
     *    Q" standard format; proc_key_import reads E as 4 bytes);
     *    Ed25519, Cv25519; no NIST curves; ECC import of the private
     *    key only (no tag 99: proc_key_import expects d at a fixed
     *    offset); attributes only exactly as the card lists them.
     *  - No private DOs (extended capabilities 0x75 without 0x08).
     *  - DO FA (do_alg_info).  No button on the Nitrokey Start (the
     *    ACKBTN build has one).  Gnuk's KDF-DO is not emulated.  */
    { "gnuk", "Gnuk 1.2 / Nitrokey Start",
      { 2, 0 }, 0x74,
      VCARD_P_ATTR_CHANGE | VCARD_P_ALGOINFO | VCARD_P_PIN_NEEDS_KEYS
      | VCARD_P_EXACT_ATTRS,
      VCARD_A_RSA2048 | VCARD_A_RSA4096 | VCARD_A_ED25519 | VCARD_A_CV25519,
      32, 1u << 0, { 0x01, 0x08, 0x00, 0x00, 0x20, 0x00 },
      0, 0x6982, 0x6983, 0, 0, 0, 0, 0, 0, 0 },

    /* smartpgp: ANSSI SmartPGP (JavaCard, OpenPGP 3.x),
     * src/fr/anssi/smartpgp/{PGPKey,SmartPGPApplet,Constants}.java:
     *  - RSA attributes only 01 {0800,0C00,1000} 0011 03 (setAttributes:
     *    e must be 0x11 bits, format 3, anything else 6A80); factory
     *    attributes the same (ALGORITHM_ATTRIBUTES_DEFAULT): RSA import
     *    only in the CRT-with-modulus format, e 3 bytes (importRSAKey).
     *  - ECC: NIST curves (ECCurves), the card appends FF to the
     *    attributes (setAttributes) and needs tag 99 in an import
     *    (importECKey: the public key must be initialised).  No 25519.
     *  - Wrong PIN 6982, and also 6982 once blocked (processVerify,
     *    OwnerPIN.check).
     *  - GET DATA C1..C3, 7F66 and DE answer with their own tag
     *    (processGetData writes the tag and length).
     *  - Extended length (implements ExtendedLength), DO FA
     *    (writeAlgorithmInformation).  No button.  */
    { "smartpgp", "ANSSI SmartPGP (JavaCard)",
      { 3, 4 }, 0x7C,
      VCARD_P_EXTLEN | VCARD_P_ATTR_CHANGE | VCARD_P_PRIVATE_DOS
      | VCARD_P_OUTER_TAGS | V3,
      RSA_ALL | VCARD_A_P256 | VCARD_A_P384, 17, 1u << 3,
      { 0x01, 0x08, 0x00, 0x00, 0x11, 0x03 },
      1, 0x6982, 0x6982, 0, 0, 0, 0, 0, 0, 0 },

    /* openpgp-card-2: OpenPGP card 2.1 (ZeitControl BasicCard, as
     * sold by Kernel Concepts and in the first Nitrokey Pro):
     *  - Spec 2.x: the algorithm attributes C1..C3 and the
     *    fingerprints C5 exist only inside 6E (GET DATA of them alone:
     *    6A88); GnuPG reads them through 6E for that reason
     *    (scd/app-openpgp.c, data_objects[]: get_from 0x6E).  The PW
     *    status bytes C4 are readable alone: GnuPG reads them directly
     *    from v1.1 on (get_immediate_in_v11), so a card hiding C4
     *    would not work with GnuPG at all.
     *  - No DO FA, no key information DE, no UIF/button (all v3.x).
     *  - RSA only (ECC came with 3.x), 2048 to 4096, standard format,
     *    32-bit e; algorithm attributes changeable (v2.x C0 bit 04).
     *  - Wrong PIN 6982 (spec A.8: what most cards answer).  */
    { "openpgp-card-2", "OpenPGP card 2.1 (ZeitControl)",
      { 2, 1 }, 0x7C,
      VCARD_P_EXTLEN | VCARD_P_ATTR_CHANGE | VCARD_P_PRIVATE_DOS,
      RSA_ALL, 0, 0x0F, { 0x01, 0x08, 0x00, 0x00, 0x20, 0x00 },
      0, 0x6982, 0, 0,
      HIDE (1) | HIDE (2) | HIDE (3) | HIDE (5), 0x6A88,
      0, 0, 0, 0 },

    /* slow-token: the permissive card with a token's timing, for tests
     * and the benchmark: 150 ms per private-key operation, 10 ms per
     * VERIFY, RSA key generation 1.5 s per 2048 bits squared (4096:
     * 6 s; real tokens take minutes), ECC generation like an
     * operation.  */
    { "slow-token", "permissive card with a token's timing",
      { 3, 4 }, 0x7C,
      VCARD_P_EXTLEN | VCARD_P_ATTR_CHANGE | VCARD_P_BUTTON
      | VCARD_P_PRIVATE_DOS | V3,
      RSA_ALL | ECC_ALL, 0, 0x0F, { 0x01, 0x08, 0x00, 0x00, 0x20, 0x00 },
      2, 0, 0, 0, 0, 0, 0, 150, 10, 1500 },
  };

const vcard_profile_t *
vcard_profile_find (const char *name)
{
  size_t i;

  if (!name)
    return &profiles[0];
  for (i = 0; i < DIM (profiles); i++)
    if (!strcmp (profiles[i].name, name))
      return &profiles[i];
  return NULL;
}

const vcard_profile_t *
vcard_profile_nth (size_t idx)
{
  return idx < DIM (profiles) ? &profiles[idx] : NULL;
}

/* Print what the test scripts need to know about profile P as
 * "key value" lines.  */
void
vcard_profile_describe (const vcard_profile_t *p, FILE *fp)
{
  static const struct { unsigned int bit; const char *name; } algos[] =
    {
      { VCARD_A_RSA2048, "rsa2048" }, { VCARD_A_RSA3072, "rsa3072" },
      { VCARD_A_RSA4096, "rsa4096" }, { VCARD_A_ED25519, "ed25519" },
      { VCARD_A_CV25519, "cv25519" }, { VCARD_A_P256, "nistp256" },
      { VCARD_A_P384, "nistp384" }
    };
  size_t i;

  fprintf (fp, "profile %s\nmodels %s\nversion %u.%u\n", p->name, p->models,
           p->version[0], p->version[1]);
  fprintf (fp, "algos");
  for (i = 0; i < DIM (algos); i++)
    if ((p->algos & algos[i].bit))
      fprintf (fp, " %s", algos[i].name);
  fprintf (fp, "\n");
  fprintf (fp, "extlen %d\nalgoinfo %d\nattr-change %d\nbutton %d\n"
           "touch-cache %u\npin-needs-keys %d\nprivate-dos %d\n"
           "keyinfo %d\n",
           !!(p->flags & VCARD_P_EXTLEN), !!(p->flags & VCARD_P_ALGOINFO),
           !!(p->flags & VCARD_P_ATTR_CHANGE), !!(p->flags & VCARD_P_BUTTON),
           p->touch_cache, !!(p->flags & VCARD_P_PIN_NEEDS_KEYS),
           !!(p->flags & VCARD_P_PRIVATE_DOS),
           !!(p->flags & VCARD_P_KEYINFO));
  fprintf (fp, "rsa-attr %02X%02X%02X%02X%02X%02X\n", p->rsa_attr[0],
           p->rsa_attr[1], p->rsa_attr[2], p->rsa_attr[3], p->rsa_attr[4],
           p->rsa_attr[5]);
  fprintf (fp, "ecc-pubkey %s\n", p->ecc_pubkey == 0 ? "never"
           : p->ecc_pubkey == 1 ? "required" : "optional");
  fprintf (fp, "wrong-pin-sw %04X\nblocked-sw %04X\n",
           p->wrong_pin_sw ? p->wrong_pin_sw : 0x63C0,
           p->blocked_sw ? p->blocked_sw : 0x6983);
  fprintf (fp, "latency %u,%u,%u\n", p->lat_op, p->lat_verify, p->lat_gen);
}
