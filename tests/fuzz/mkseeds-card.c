/* mkseeds-card.c - seeds recorded from the virtual card (mkseeds)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The seeds of fuzz-card, fuzz-scd and fuzz-scd-client are what the
 * virtual card of tests/vcard (linked in) and oca-scd's command
 * handler really say: a recording reader passes every APDU to the
 * virtual card and appends its answer to the seed in the encoding of
 * card-fuzz.h.
 */
#include <config.h>
#include "mkseeds.h"
#include "card-fuzz.h"
#include "scd-fuzz.h"
#include "vcard.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * The virtual card, recorded.
 */

/* The card every recording reader talks to, and where the responses
 * go.  */
static vcard_t *vcard;
static membuf_t *recording;

struct rec_priv
{
  int reset_on_begin;
};

static int
rec_transmit (tp_reader_t rd, const unsigned char *apdu, size_t apdulen,
              unsigned char *buf, size_t *buflen)
{
  unsigned char *rsp = NULL;
  size_t rsplen = 0;

  if (vcard_process_apdu (vcard, apdu, apdulen, &rsp, &rsplen))
    mkseeds_die ("virtual card failed");
  if (rsplen > *buflen)
    mkseeds_die ("virtual card answer too long");
  memcpy (buf, rsp, rsplen);
  *buflen = rsplen;
  if (recording)
    fuzz_card_put_response (recording, rsp, rsplen, 0);
  wipe_and_free (rsp, rsplen);
  return 0;
}

static int
rec_status (tp_reader_t rd, unsigned int *r_status)
{
  *r_status = TP_STATUS_PRESENT;
  return 0;
}

static int
rec_begin (tp_reader_t rd)
{
  struct rec_priv *rp = rd->priv;

  if (rp->reset_on_begin)
    {
      rp->reset_on_begin = 0;
      vcard_reset_volatile (vcard);
      rd->reset_count++;
      return SW_HOST_CARD_RESET;
    }
  return 0;
}

static int
rec_end (tp_reader_t rd)
{
  return 0;
}

static int
rec_reconnect (tp_reader_t rd, int reset)
{
  vcard_reset_volatile (vcard);
  rd->reset_count++;
  return 0;
}

/* Releasing the reader ends this card's responses.  */
static void
rec_release (tp_reader_t rd)
{
  if (recording)
    fuzz_put_chunk (recording, "", 0);
  xfree (rd->priv);
  rd->priv = NULL;
}

static const struct tp_ops rec_ops =
  {
    "record", rec_transmit, rec_status, rec_begin, rec_end, rec_reconnect,
    rec_release, NULL
  };

static void
rec_reset_on_begin (tp_reader_t rd)
{
  ((struct rec_priv *)rd->priv)->reset_on_begin = 1;
}

static void
rec_set_present (tp_reader_t rd, int present)
{
  (void)rd;
  (void)present;
}

static tp_reader_t
rec_reader (void)
{
  tp_reader_t rd;

  mkseeds_check (tp_reader_alloc (&rec_ops, FUZZ_SCD_READER, &rd), "reader");
  rd->priv = xtrycalloc (1, sizeof (struct rec_priv));
  if (!rd->priv)
    mkseeds_die ("out of core");
  rd->atrlen = vcard_atr (vcard, rd->atr, sizeof rd->atr);
  vcard_reset_volatile (vcard);
  return rd;
}

/* The op parameter P of FOP_GENKEY for SLOT (1..3) with force.  */
static int
force_slot (int slot)
{
  static const int p[3] = { 6, 4, 5 };

  return p[slot - 1];
}

/* A fresh virtual card (serial FFFE:0000A001, as tests/scd's), with
 * Ed25519/Cv25519/Ed25519 keys if KEYS.  */
static void
new_vcard (int keys)
{
  static const char *const attrs[] =
    { "--force 1 22 ed25519", "--force 2 18 cv25519", "--force 3 22 ed25519" };
  tp_reader_t rd;
  app_t app;
  membuf_t *saved = recording;
  int i;

  vcard_release (vcard);
  mkseeds_check (vcard_new (NULL, &vcard), "vcard");
  vcard->serial[0] = 0x00;
  vcard->serial[1] = 0x00;
  vcard->serial[2] = 0xA0;
  vcard->serial[3] = 0x01;
  if (!keys)
    return;
  recording = NULL;
  rd = rec_reader ();
  mkseeds_check (app_openpgp_open (rd, &app), "opening the virtual card");
  for (i = 0; i < 3; i++)
    {
      fuzz_in_t ops;
      unsigned char op[64];
      size_t n = strlen (attrs[i]);

      /* setattr KEY-ATTR, genkey (forced) through the op list.  */
      op[0] = FOP_SETATTR;
      op[1] = 0;
      op[2] = n + 1;
      op[3] = 23;   /* KEY-ATTR */
      memcpy (op + 4, attrs[i], n);
      op[4 + n] = FOP_GENKEY | (force_slot (i + 1) << 5);
      fuzz_in_init (&ops, op, 5 + n);
      fuzz_card_run_ops (app, rd, &ops);
    }
  for (i = 0; i < 3; i++)
    if (!vcard->key[i].sk)
      mkseeds_die ("no key generated in slot %d", i + 1);
  app_openpgp_release (app);
  tp_release (rd);
  recording = saved;
}


/*
 * card: op lists.
 */

/* A 51-byte DigestInfo (SHA-256 of "abc").  */
static const unsigned char di256[] =
  {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
    0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
    0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
    0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad
  };

static void
put_op (membuf_t *mb, int op, int p)
{
  membuf_put_u8 (mb, op | (p << 5));
}

static void
put_op_arg (membuf_t *mb, int op, int p, const void *arg, size_t len)
{
  put_op (mb, op, p);
  fuzz_put_chunk (mb, arg, len);
}

static void
put_setattr (membuf_t *mb, const char *name, const char *value)
{
  unsigned char arg[300];
  size_t i, n = strlen (value);

  for (i = 0; i < fuzz_card_n_attr_names; i++)
    if (!strcmp (fuzz_card_attr_names[i], name))
      break;
  if (i == fuzz_card_n_attr_names || n >= sizeof arg)
    mkseeds_die ("bad attribute %s", name);
  arg[0] = i;
  memcpy (arg + 1, value, n);
  put_op_arg (mb, FOP_SETATTR, 0, arg, n + 1);
}

/* An Ed25519 private key in the format gpg-agent sends for WRITEKEY.  */
static void
ed25519_keydata (unsigned char **r_buf, size_t *r_len)
{
  gcry_sexp_t parms, key, q, d;
  const unsigned char *qv, *dv;
  size_t qlen, dlen;
  membuf_t mb;
  char hdr[32];

  mkseeds_check (gcry_sexp_build (&parms, NULL, "(genkey(ecc(curve Ed25519)"
                          "(flags eddsa)))"), "sexp");
  mkseeds_check (gcry_pk_genkey (&key, parms), "genkey");
  q = gcry_sexp_find_token (key, "q", 0);
  d = gcry_sexp_find_token (key, "d", 0);
  if (!q || !d)
    mkseeds_die ("genkey result");
  qv = (const unsigned char *)gcry_sexp_nth_data (q, 1, &qlen);
  dv = (const unsigned char *)gcry_sexp_nth_data (d, 1, &dlen);
  membuf_init (&mb, 4096, 1);
  membuf_put_str (&mb, "(11:private-key(3:ecc(5:curve7:Ed25519)"
                  "(5:flags5:eddsa)(1:q");
  snprintf (hdr, sizeof hdr, "%zu:", qlen);
  membuf_put_str (&mb, hdr);
  membuf_put (&mb, qv, qlen);
  membuf_put_str (&mb, ")(1:d");
  snprintf (hdr, sizeof hdr, "%zu:", dlen);
  membuf_put_str (&mb, hdr);
  membuf_put (&mb, dv, dlen);
  membuf_put_str (&mb, "))(10:created-at10:1700000000))");
  mkseeds_take (&mb, r_buf, r_len);
  gcry_sexp_release (q);
  gcry_sexp_release (d);
  gcry_sexp_release (key);
  gcry_sexp_release (parms);
}

/* Record the virtual card (with KEYS) opened and running OPS; write
 * the seed NAME.  */
static void
card_seed (const char *name, int keys, membuf_t *opsmb)
{
  unsigned char *ops, *seed;
  size_t opslen, seedlen;
  membuf_t rec, out;
  tp_reader_t rd;
  app_t app;
  fuzz_in_t in;

  mkseeds_take (opsmb, &ops, &opslen);
  new_vcard (keys);
  membuf_init (&rec, 1 << 20, 0);
  recording = &rec;
  rd = rec_reader ();
  mkseeds_check (app_openpgp_open (rd, &app), "opening the virtual card");
  fuzz_in_init (&in, ops, opslen);
  fuzz_card_run_ops (app, rd, &in);
  app_openpgp_release (app);
  tp_release (rd);
  recording = NULL;
  membuf_init (&out, 1 << 20, 0);
  fuzz_put_chunk (&out, ops, opslen);
  {
    unsigned char *r;
    size_t rlen;

    mkseeds_take (&rec, &r, &rlen);
    membuf_put (&out, r, rlen);
    xfree (r);
  }
  mkseeds_take (&out, &seed, &seedlen);
  mkseeds_write_seed ("card", name, seed, seedlen);
  xfree (seed);
  wipe_and_free (ops, opslen);
}

void
mkseeds_card (void)
{
  static const unsigned char point[33] = { 0x40, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
  static const unsigned char apdu[] = { 0x00, 0xCA, 0x00, 0x6E, 0x00 };
  static const unsigned char hash[32] = { 0xba, 0x78, 0x16, 0xbf };
  unsigned char *keydata;
  size_t keydatalen;
  membuf_t mb;

  mkseeds_clear_seeds ("card");
  membuf_init (&mb, 65536, 0);
  card_seed ("open", 0, &mb);

  membuf_init (&mb, 65536, 0);
  put_op (&mb, FOP_REFRESH, 0);
  put_op (&mb, FOP_PIN_PROMPT, 0);
  put_op (&mb, FOP_PIN_PROMPT, 2 | 4);
  put_op (&mb, FOP_ALGOINFO, 0);
  put_op (&mb, FOP_READCERT, 2);
  put_op (&mb, FOP_RANDOM, 3);
  put_op_arg (&mb, FOP_APDU, 1, apdu, sizeof apdu);
  put_op (&mb, FOP_CHECK, 0);
  card_seed ("learn", 0, &mb);

  membuf_init (&mb, 65536, 0);
  put_op (&mb, FOP_READKEY, 0);
  put_op (&mb, FOP_READKEY, 1);
  put_op (&mb, FOP_READKEY, 2);
  put_op_arg (&mb, FOP_FIND_GRIP, 0, "0123456789ABCDEF0123456789ABCDEF01234567", 40);
  put_op_arg (&mb, FOP_SIGN, 0, hash, sizeof hash);
  put_op_arg (&mb, FOP_SIGN, 1, hash, sizeof hash);
  put_op_arg (&mb, FOP_DECIPHER, 0, point, sizeof point);
  card_seed ("keys-sign", 1, &mb);

  membuf_init (&mb, 65536, 0);
  put_op (&mb, FOP_VERIFY, 0);
  put_op (&mb, FOP_VERIFY, 1);
  put_op (&mb, FOP_VERIFY, 2);
  put_op (&mb, FOP_CLEAR_PIN, 0);
  put_op (&mb, FOP_PIN_MODE, 1);
  put_op (&mb, FOP_VERIFY, 0);
  put_op (&mb, FOP_PIN_MODE, 0);
  put_op (&mb, FOP_CHANGE_PIN, 0);
  put_op (&mb, FOP_CHANGE_PIN, 2);
  card_seed ("pins", 0, &mb);

  membuf_init (&mb, 65536, 0);
  put_setattr (&mb, "DISP-NAME", "Doe<<John");
  put_setattr (&mb, "LOGIN-DATA", "jdoe");
  put_setattr (&mb, "PUBKEY-URL", "https://example.org/key.asc");
  put_setattr (&mb, "CA-FPR-1", "01234567890123456789");
  put_setattr (&mb, "UIF-3", "\x01\x20");
  put_setattr (&mb, "PRIVATE-DO-2", "private");
  put_setattr (&mb, "CERT-3", "\x30\x03\x02\x01\x00");
  put_op (&mb, FOP_READCERT, 2);
  put_op (&mb, FOP_REFRESH, 0);
  card_seed ("setattr", 0, &mb);

  membuf_init (&mb, 65536, 0);
  put_setattr (&mb, "KEY-ATTR", "--force 3 22 ed25519");
  put_op (&mb, FOP_GENKEY, force_slot (3));
  put_op (&mb, FOP_READKEY, 2);
  put_op_arg (&mb, FOP_SIGN, 1, hash, sizeof hash);
  put_op (&mb, FOP_RESET_ON_BEGIN, 0);
  put_op_arg (&mb, FOP_SIGN, 1, hash, sizeof hash);
  card_seed ("genkey-ecc", 0, &mb);

  membuf_init (&mb, 65536, 0);
  put_op (&mb, FOP_GENKEY, force_slot (1));
  put_op (&mb, FOP_READKEY, 0);
  put_op_arg (&mb, FOP_SIGN, 0, di256, sizeof di256);
  card_seed ("genkey-rsa", 0, &mb);

  ed25519_keydata (&keydata, &keydatalen);
  membuf_init (&mb, 65536, 0);
  put_setattr (&mb, "KEY-ATTR", "--force 3 22 ed25519");
  put_op_arg (&mb, FOP_WRITEKEY, 2, keydata, keydatalen);
  put_op (&mb, FOP_READKEY, 2);
  put_op (&mb, FOP_FACTORY_RESET, 0);
  card_seed ("writekey", 0, &mb);
  wipe_and_free (keydata, keydatalen);
}


/*
 * scd: conversation scripts replayed against oca-scd.
 */

/* The PC/SC layer of the card registry: one reader with the virtual
 * card, recorded.  */
gpg_error_t
pcsc_list_readers (char ***r_names)
{
  char **names = xtrycalloc (2, sizeof *names);

  *r_names = NULL;
  if (!names || !(names[0] = xtrystrdup (FUZZ_SCD_READER)))
    {
      xfree (names);
      return gpg_error (GPG_ERR_ENOMEM);
    }
  *r_names = names;
  return 0;
}

int
pcsc_card_present (const char *name)
{
  return !strcmp (name, FUZZ_SCD_READER);
}

gpg_error_t
pcsc_open_reader (const char *name, tp_reader_t *r_rd)
{
  *r_rd = rec_reader ();
  return 0;
}

/* Values of the ${NAME} variables of the conversation scripts.  */
struct var
{
  char name[32];
  char *value;
};
static struct var vars[64];
static size_t nvars;

static void
set_var (const char *name, const char *value, size_t len)
{
  if (nvars == DIM (vars) || strlen (name) >= sizeof vars[0].name)
    return;
  strcpy (vars[nvars].name, name);
  vars[nvars].value = strndup (value, len);
  if (!vars[nvars].value)
    mkseeds_die ("out of core");
  nvars++;
}

/* The plain "-D NAME=VALUE" values of run-asc.sh.  */
static void
read_vars (void)
{
  unsigned char *buf;
  size_t len;
  const char *p, *eq, *end;

  buf = mkseeds_read_file ("tests/scd/run-asc.sh", &len);
  for (p = (char *)buf; (p = strstr (p, "-D ")); p = end)
    {
      char name[32];

      p += 3;
      eq = strchr (p, '=');
      end = p + strcspn (p, " \t\n\\");
      if (!eq || eq > end || (size_t)(eq - p) >= sizeof name)
        continue;
      memcpy (name, p, eq - p);
      name[eq - p] = 0;
      if (eq[1] == '"' || eq[1] == '$')
        continue;
      set_var (name, eq + 1, end - eq - 1);
    }
  free (buf);
  set_var ("SERIALNO", "D276000124010304FFFE0000A0010000", 32);
  set_var ("SERIALNO2", "D276000124010304FFFE0000B0020000", 32);
}

/* Append LINE with ${NAME} replaced to MB.  */
static void
put_subst (membuf_t *mb, const char *line)
{
  const char *p, *e;
  size_t i;

  for (p = line; *p; )
    {
      if (p[0] == '$' && p[1] == '{' && (e = strchr (p, '}')))
        {
          for (i = 0; i < nvars; i++)
            if (strlen (vars[i].name) == (size_t)(e - p - 2)
                && !memcmp (vars[i].name, p + 2, e - p - 2))
              break;
          if (i < nvars)
            {
              membuf_put_str (mb, vars[i].value);
              p = e + 1;
              continue;
            }
        }
      membuf_put_u8 (mb, *p++);
    }
}

/* Append "D " and the bytes of HEX, escaped as a D line.  */
static void
put_data_hex (membuf_t *mb, const char *hex)
{
  membuf_t sub;
  unsigned char *bin = NULL;
  size_t binlen = 0, i;
  char esc[4];

  membuf_init (&sub, 1 << 20, 0);
  put_subst (&sub, hex);
  mkseeds_take (&sub, (unsigned char **)&hex, &binlen);
  if (oca_hex2bin_alloc (hex, 0, &bin, &binlen))
    mkseeds_die ("bad hex in a script: %s", hex);
  xfree ((char *)hex);
  membuf_put_str (mb, "D ");
  for (i = 0; i < binlen; i++)
    if (bin[i] == '%' || bin[i] == '\r' || bin[i] == '\n' || !bin[i])
      {
        snprintf (esc, sizeof esc, "%%%02X", bin[i]);
        membuf_put_str (mb, esc);
      }
    else
      membuf_put_u8 (mb, bin[i]);
  membuf_put_u8 (mb, '\n');
  xfree (bin);
}

/* The client lines of the conversation script FNAME; *R_KEYS tells
 * whether it wants a card with keys.  NULL for a script we skip.  */
static unsigned char *
script_lines (const char *fname, int *r_keys, size_t *r_len)
{
  unsigned char *buf, *out;
  char *line, *next;
  membuf_t mb;

  buf = mkseeds_read_file (fname, r_len);
  *r_keys = 0;
  membuf_init (&mb, 1 << 20, 0);
  for (line = (char *)buf; line && *line; line = next)
    {
      next = strchr (line, '\n');
      if (next)
        *next++ = 0;
      if (!strncmp (line, "#@ fixture: keys", 16))
        *r_keys = 1;
      else if (!strncmp (line, "#@ fixture: two-cards", 21))
        {
          membuf_release (&mb);
          free (buf);
          return NULL;
        }
      else if (!strncmp (line, "send ", 5))
        {
          put_subst (&mb, line + 5);
          membuf_put_u8 (&mb, '\n');
        }
      else if (!strncmp (line, "send-data-hex ", 14))
        put_data_hex (&mb, line + 14);
      else if (!strncmp (line, "send-data ", 10))
        {
          membuf_put_str (&mb, "D ");
          put_subst (&mb, line + 10);
          membuf_put_u8 (&mb, '\n');
        }
      else if (!strcmp (line, "send-end"))
        membuf_put_str (&mb, "END\n");
      else if (!strcmp (line, "send-can"))
        membuf_put_str (&mb, "CAN\n");
      else if (!strncmp (line, "send-long ", 10))
        {
          unsigned long n = strtoul (line + 10, &line, 10);
          char fill[16], prefix[64];

          if (n <= 1200 && sscanf (line, " %15s %63[^\n]", fill, prefix) == 2)
            {
              membuf_put_str (&mb, prefix);
              membuf_put_u8 (&mb, ' ');
              while (n--)
                membuf_put_str (&mb, fill);
              membuf_put_u8 (&mb, '\n');
            }
        }
    }
  free (buf);
  mkseeds_take (&mb, &out, r_len);
  return out;
}

/* Serve LINES against the virtual card (with KEYS); the recorded card
 * answers go to *R_CARDS, the server's output to *R_OUT (if not
 * NULL).  */
static void
serve (const void *lines, size_t len, int keys,
       unsigned char **r_cards, size_t *r_cardslen,
       unsigned char **r_out, size_t *r_outlen)
{
  membuf_t rec;
  int fd = -1;

  new_vcard (keys);
  membuf_init (&rec, 1 << 22, 0);
  recording = &rec;
  if (r_out)
    {
      fd = memfd_create ("mkseeds-out", 0);
      if (fd < 0)
        mkseeds_die ("memfd: %s", strerror (errno));
    }
  fuzz_scd_session (lines, len, fd);
  recording = NULL;
  mkseeds_take (&rec, r_cards, r_cardslen);
  if (r_out)
    {
      off_t n = lseek (fd, 0, SEEK_END);

      *r_out = xtrymalloc (n + 1);
      if (!*r_out || pread (fd, *r_out, n, 0) != n)
        mkseeds_die ("reading the server output");
      (*r_out)[n] = 0;
      *r_outlen = n;
      close (fd);
    }
}

/* Write an scd seed NAME: the card answers, then LINES.  */
static void
scd_seed (const char *name, const void *lines, size_t len, int keys)
{
  unsigned char *cards, *seed;
  size_t cardslen, seedlen;
  membuf_t mb;

  serve (lines, len, keys, &cards, &cardslen, NULL, NULL);
  membuf_init (&mb, 1 << 22, 0);
  fuzz_put_chunk (&mb, cards, cardslen);
  membuf_put (&mb, lines, len);
  mkseeds_take (&mb, &seed, &seedlen);
  if (cardslen > 65535)
    fprintf (stderr, "mkseeds: scd seed %s: card answers truncated\n", name);
  mkseeds_write_seed ("scd", name, seed, seedlen);
  xfree (seed);
  xfree (cards);
}

void
mkseeds_scd (void)
{
  char path[1024], fname[512];
  DIR *dir;
  struct dirent *de;
  unsigned char *lines;
  size_t len;
  int keys;

  mkseeds_clear_seeds ("scd");
  read_vars ();
  snprintf (path, sizeof path, "%s/tests/scd", mkseeds_topsrc);
  dir = opendir (path);
  if (!dir)
    mkseeds_die ("%s: %s", path, strerror (errno));
  while ((de = readdir (dir)))
    {
      size_t n = strlen (de->d_name);

      if (n < 5 || strcmp (de->d_name + n - 4, ".asc"))
        continue;
      snprintf (fname, sizeof fname, "tests/scd/%s", de->d_name);
      lines = script_lines (fname, &keys, &len);
      if (!lines)
        continue;
      de->d_name[n - 4] = 0;
      scd_seed (de->d_name, lines, len, keys);
      xfree (lines);
    }
  closedir (dir);
}


/*
 * scd-client: oca-scd's answers to the client's calls.
 */

void
mkseeds_scd_client (void)
{
  /* Mode byte (fuzz-scd-client.c) and the lines the call sends.  */
  static const struct
  {
    const char *name;
    int mode;
    int keys;
    const char *lines;
  } calls[] =
    {
      { "serialno", 1, 0, "SERIALNO --demand=OPENPGP\n" },
      { "card-list", 2, 0, "GETINFO card_list\n" },
      { "learn", 4, 1, "LEARN --force\nGETATTR KEY-ATTR\n" },
      { "getattr", 5, 1, "GETATTR KEY-ATTR\nGETATTR KEY-ATTR-INFO\n" },
      { "readkey", 7, 1, "READKEY OPENPGP.3\n" },
      { "pksign", 8, 1, "SETDATA 0102030000000000000000000000000000000000"
        "000000000000000000000000\nPKSIGN --hash=sha256 OPENPGP.1\n"
        "D 123456%00\nEND\n" },
      { "genkey", 11, 0, "GENKEY --force --timestamp=20231114T221320"
        " --algo=ed25519 3\nD 12345678%00\nEND\n" },
      { "apdu", 15, 0, "APDU --more 00CA006E00\n" },
      { "random", 16, 0, "RANDOM 32\n" },
      { "getinfo", 17, 0, "GETINFO version\n" }
    };
  unsigned char *cards, *out, *seed;
  size_t cardslen, outlen, seedlen, i;
  membuf_t mb;
  char name[64];

  mkseeds_clear_seeds ("scd-client");
  for (i = 0; i < DIM (calls); i++)
    {
      serve (calls[i].lines, strlen (calls[i].lines), calls[i].keys,
             &cards, &cardslen, &out, &outlen);
      membuf_init (&mb, 1 << 20, 0);
      membuf_put_u8 (&mb, calls[i].mode);
      membuf_put (&mb, out, outlen);
      mkseeds_take (&mb, &seed, &seedlen);
      mkseeds_write_seed ("scd-client", calls[i].name, seed, seedlen);
      /* The same answers in gpg-agent's dialect.  */
      seed[0] |= 0x80;
      snprintf (name, sizeof name, "%s-agent", calls[i].name);
      mkseeds_write_seed ("scd-client", name, seed, seedlen);
      xfree (seed);
      xfree (cards);
      if (!strcmp (calls[i].name, "learn"))
        {
          /* Parser mode: the status lines without "S ".  */
          const char *p, *e;

          membuf_init (&mb, 1 << 20, 0);
          membuf_put_u8 (&mb, 0);
          for (p = (char *)out; *p; p = e + (*e ? 1 : 0))
            {
              e = p + strcspn (p, "\n");
              if (e - p > 2 && !memcmp (p, "S ", 2))
                {
                  membuf_put (&mb, p + 2, e - p - 2);
                  membuf_put_u8 (&mb, '\n');
                }
            }
          membuf_put_str (&mb, "KEY-DATA - 0102\nKEY-DATA q 40ABCDEF\n"
                          "KEY-CREATED-AT 1700000000\n"
                          "KEY-FPR 3 0123456789ABCDEF0123456789ABCDEF01234567\n"
                          "KEY-DATA curve 092B06010401DA470F01\n");
          mkseeds_take (&mb, &seed, &seedlen);
          mkseeds_write_seed ("scd-client", "status-lines", seed, seedlen);
          xfree (seed);
        }
      xfree (out);
    }
}



void
mkseeds_card_init (void)
{
  fuzz_card_hooks.reset_on_begin = rec_reset_on_begin;
  fuzz_card_hooks.set_present = rec_set_present;
}

void
mkseeds_card_done (void)
{
  vcard_release (vcard);
  vcard = NULL;
}
