/* t-scd-client-live.c - drive libocascdclient against a real server
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Test driver used by t-scd-client.sh and tests/scd/: connects with
 * the client library and runs commands, printing parsed results in a
 * stable "key: value" form that the shell tests compare.
 *
 * Usage:
 *   t-scd-client-live (--scd PROGRAM [--homedir DIR] | --agent [--socket S])
 *                     [--pins FILE] CMD [ARGS] [-- CMD [ARGS]]...
 *
 * PINs are read from FILE (lines "user 123456", "admin 12345678",
 * "new 654321", "reset ...", "agentN <pin>" for the N-th loopback
 * request of a command through gpg-agent); never from the command line
 * or the environment.  Commands: serialno [DEMAND], list, learn,
 * getattr NAME, readkey ID, sign ID HASH HEX, signloop N ID HASH HEX,
 * auth ID HEX, authloop N ID HEX, decrypt ID HEX, genkey N [ALGO],
 * writekey ID SEXPFILE, setattr NAME VALUE, passwd CHV [reset|clear],
 * checkpin ID, apdu HEX, random N, restart, raw LINE.
 */
#include <config.h>
#include "scd-client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char pinfile_text[4096];

/* Look up KEY in the PIN file; return a secure copy or NULL.  */
static char *
lookup_pin (const char *key)
{
  const char *p = pinfile_text;
  size_t klen = strlen (key);

  while (*p)
    {
      size_t n = strcspn (p, "\n");

      if (n > klen && !strncmp (p, key, klen) && p[klen] == ' ')
        {
          char *pin = gcry_malloc_secure (n - klen);

          if (!pin)
            return NULL;
          memcpy (pin, p + klen + 1, n - klen - 1);
          pin[n - klen - 1] = 0;
          return pin;
        }
      p += n;
      if (*p)
        p++;
    }
  return NULL;
}


static gpg_error_t
pin_cb (void *opaque, const scd_pin_request_t *req, char **r_pin)
{
  char key[32];
  const char *which;

  *r_pin = NULL;
  fprintf (stderr, "pin-request: keyword=%s seq=%u admin=%d new=%d rc=%d "
           "agent=%d\n", req->keyword, req->seq, req->admin, req->newpin,
           req->resetcode, req->via_agent);
  if (req->via_agent)
    {
      snprintf (key, sizeof key, "agent%u", req->seq);
      *r_pin = lookup_pin (key);
      if (*r_pin)
        return 0;
    }
  if (req->newpin)
    which = req->admin ? "newadmin" : req->resetcode ? "newreset" : "new";
  else if (req->resetcode)
    which = "reset";
  else if (req->admin)
    which = "admin";
  else
    which = "user";
  *r_pin = lookup_pin (which);
  if (!*r_pin && !strcmp (which, "newadmin"))
    *r_pin = lookup_pin ("new");
  return *r_pin ? 0 : gpg_error (GPG_ERR_CANCELED);
}


static void
print_hex (const char *label, const unsigned char *buf, size_t len)
{
  size_t i;

  printf ("%s: ", label);
  for (i = 0; i < len; i++)
    printf ("%02X", buf[i]);
  putchar ('\n');
}


static gpg_error_t
hexarg (const char *hex, unsigned char **r_buf, size_t *r_len)
{
  return oca_hex2bin_alloc (hex, 0, r_buf, r_len);
}


static void
print_info (const scd_cardinfo_t *info)
{
  int i;

  printf ("reader: %s\n", info->reader ? info->reader : "");
  printf ("serialno: %s\n", info->serialno ? info->serialno : "");
  printf ("ident: %s\n", info->ident);
  printf ("apptype: %s\n", info->apptype ? info->apptype : "");
  printf ("appversion: %X\n", info->appversion);
  if (info->manufacturer_valid)
    printf ("manufacturer: %u %s\n", info->manufacturer_id,
            info->manufacturer ? info->manufacturer : "");
  printf ("disp-name: %s\n", info->disp_name ? info->disp_name : "");
  for (i = 0; i < 3; i++)
    {
      char label[16];

      if (info->fpr_valid[i])
        {
          snprintf (label, sizeof label, "fpr%d", i + 1);
          print_hex (label, info->fpr[i], 20);
        }
      if (info->key_time[i])
        printf ("keytime%d: %lu\n", i + 1, info->key_time[i]);
      if (info->keypairinfo[i].valid)
        printf ("grip%d: %s %s\n", i + 1, info->keypairinfo[i].grip,
                info->keypairinfo[i].usage);
      if (info->key_attr[i].algo == 1)
        printf ("keyattr%d: rsa%u\n", i + 1, info->key_attr[i].nbits);
      else if (info->key_attr[i].algo)
        printf ("keyattr%d: %d %s\n", i + 1, info->key_attr[i].algo,
                info->key_attr[i].curve);
      if (info->uif_valid[i])
        printf ("uif%d: %u\n", i + 1, info->uif[i]);
    }
  if (info->chv_status_valid)
    printf ("chv-status: %d %d %d %d %d %d %d\n", info->chv_status[0],
            info->chv_status[1], info->chv_status[2], info->chv_status[3],
            info->chv_status[4], info->chv_status[5], info->chv_status[6]);
  if (info->sig_counter_valid)
    printf ("sig-counter: %lu\n", info->sig_counter);
  if (info->extcap_valid)
    printf ("extcap: ki=%d aac=%d bt=%d kdf=%d si=%u\n", info->extcap.ki,
            info->extcap.aac, info->extcap.bt, info->extcap.kdf,
            info->extcap.si);
}


/* Run the command in ARGV[0..ARGC-1].  */
static gpg_error_t
run (scd_client_t scd, int argc, char **argv)
{
  gpg_error_t err = 0;
  const char *cmd = argv[0];
  unsigned char *buf = NULL, *buf2 = NULL;
  size_t len = 0, len2 = 0;

#define NEED(n) do { if (argc < (n) + 1) return gpg_error (GPG_ERR_INV_ARG); } while (0)
  if (!strcmp (cmd, "serialno"))
    {
      char *sn;

      err = scd_client_serialno (scd, argc > 1 ? argv[1] : NULL, &sn);
      if (!err)
        printf ("serialno: %s\n", sn);
      xfree (sn);
    }
  else if (!strcmp (cmd, "list"))
    {
      char **list;
      size_t n, i;

      err = scd_client_card_list (scd, &list, &n);
      if (!err)
        {
          printf ("cards: %zu\n", n);
          for (i = 0; i < n; i++)
            printf ("card: %s\n", list[i]);
        }
      scd_client_free_strlist (list);
    }
  else if (!strcmp (cmd, "learn") || !strcmp (cmd, "getattr"))
    {
      scd_cardinfo_t *info = NULL;

      if (!strcmp (cmd, "learn"))
        err = scd_client_learn (scd, &info);
      else
        {
          NEED (1);
          info = xtrycalloc (1, sizeof *info);
          err = info ? scd_client_getattr (scd, argv[1], info)
            : gpg_error_from_syserror ();
        }
      if (!err)
        print_info (info);
      scd_cardinfo_release (info);
    }
  else if (!strcmp (cmd, "readkey"))
    {
      gcry_sexp_t s_key;
      unsigned char grip[20];

      NEED (1);
      err = scd_client_readkey (scd, argv[1], &buf, &len);
      if (!err)
        {
          print_hex ("key", buf, len);
          if (!gcry_sexp_new (&s_key, buf, len, 0))
            {
              if (gcry_pk_get_keygrip (s_key, grip))
                print_hex ("grip", grip, 20);
              gcry_sexp_release (s_key);
            }
        }
    }
  else if (!strcmp (cmd, "sign") || !strcmp (cmd, "signloop"))
    {
      int loop = !strcmp (cmd, "signloop");
      int i, n = loop ? atoi (argv[1]) : 1;

      NEED (loop ? 4 : 3);
      err = hexarg (argv[loop + 3], &buf2, &len2);
      for (i = 0; !err && i < n; i++)
        {
          xfree (buf);
          buf = NULL;
          err = scd_client_pksign (scd, argv[loop + 1],
                                   strcmp (argv[loop + 2], "-")
                                   ? argv[loop + 2] : NULL,
                                   buf2, len2, &buf, &len);
        }
      if (!err)
        {
          print_hex ("sig", buf, len);
          if (loop)
            printf ("signed: %d\n", n);
        }
    }
  else if (!strcmp (cmd, "auth") || !strcmp (cmd, "authloop"))
    {
      int loop = !strcmp (cmd, "authloop");
      int i, n = loop ? atoi (argv[1]) : 1;

      NEED (loop ? 3 : 2);
      err = hexarg (argv[loop + 2], &buf2, &len2);
      for (i = 0; !err && i < n; i++)
        {
          xfree (buf);
          buf = NULL;
          err = scd_client_pkauth (scd, argv[loop + 1], buf2, len2,
                                   &buf, &len);
        }
      if (!err)
        print_hex ("auth", buf, len);
    }
  else if (!strcmp (cmd, "decrypt"))
    {
      NEED (2);
      err = hexarg (argv[2], &buf2, &len2);
      if (!err)
        err = scd_client_pkdecrypt (scd, argv[1], buf2, len2, &buf, &len);
      if (!err)
        print_hex ("plain", buf, len);
      wipe_and_free (buf, len);
      buf = NULL;
    }
  else if (!strcmp (cmd, "genkey"))
    {
      scd_genkey_result_t *res = NULL;

      NEED (1);
      err = scd_client_genkey (scd, atoi (argv[1]), SCD_GENKEY_FORCE,
                               1700000000, argc > 2 ? argv[2] : NULL, &res);
      if (!err)
        {
          printf ("created: %lu\n", res->created_at);
          if (res->n)
            print_hex ("n", res->n, res->nlen);
          if (res->e)
            print_hex ("e", res->e, res->elen);
          if (res->q)
            print_hex ("q", res->q, res->qlen);
          if (res->curve)
            print_hex ("curve", res->curve, res->curvelen);
          if (res->fpr_valid)
            print_hex ("fpr", res->fpr, 20);
        }
      scd_genkey_result_release (res);
    }
  else if (!strcmp (cmd, "writekey"))
    {
      FILE *fp;
      unsigned char *key;
      size_t n;

      NEED (2);
      key = gcry_malloc_secure (8192);
      fp = fopen (argv[2], "rb");
      if (!key || !fp)
        err = gpg_error_from_syserror ();
      else
        {
          n = fread (key, 1, 8192, fp);
          err = scd_client_writekey (scd, argv[1], 1, key, n);
          wipe_and_free (key, 8192);
          key = NULL;
        }
      if (fp)
        fclose (fp);
      xfree (key);
    }
  else if (!strcmp (cmd, "setattr"))
    {
      NEED (2);
      err = scd_client_setattr (scd, argv[1], argv[2], strlen (argv[2]));
    }
  else if (!strcmp (cmd, "passwd"))
    {
      unsigned int flags = 0;

      NEED (1);
      if (argc > 2 && !strcmp (argv[2], "reset"))
        flags |= SCD_PASSWD_RESET;
      if (argc > 2 && !strcmp (argv[2], "clear"))
        flags |= SCD_PASSWD_CLEAR;
      err = scd_client_passwd (scd, argv[1], flags);
    }
  else if (!strcmp (cmd, "checkpin"))
    {
      NEED (1);
      err = scd_client_checkpin (scd, argv[1]);
    }
  else if (!strcmp (cmd, "apdu"))
    {
      unsigned int sw;

      NEED (1);
      err = scd_client_apdu (scd, NULL, argv[1], &buf, &len, &sw);
      if (!err)
        {
          print_hex ("resp", buf, len);
          printf ("sw: %04X\n", sw);
        }
    }
  else if (!strcmp (cmd, "random"))
    {
      NEED (1);
      len = atoi (argv[1]);
      err = scd_client_random (scd, len, &buf);
      if (!err)
        printf ("random: %zu bytes\n", len);
    }
  else if (!strcmp (cmd, "restart"))
    err = scd_client_restart (scd);
  else if (!strcmp (cmd, "raw"))
    {
      NEED (1);
      err = scd_client_command (scd, argv[1], NULL, NULL, &buf, &len);
      if (!err)
        print_hex ("data", buf, len);
    }
  else
    err = gpg_error (GPG_ERR_UNKNOWN_COMMAND);
#undef NEED

  xfree (buf);
  xfree (buf2);
  return err;
}


int
main (int argc, char **argv)
{
  gpg_error_t err;
  const char *scdpgm = NULL, *homedir = NULL, *sock = NULL;
  int agent = 0, rc = 0;
  scd_client_t scd = NULL;
  const char *extra[3] = { NULL, NULL, NULL };

  if (oca_init_gcrypt (0))
    return 2;
  argc--, argv++;
  while (argc && !strncmp (*argv, "--", 2) && (*argv)[2])
    {
      if (!strcmp (*argv, "--scd") && argc > 1)
        scdpgm = argv[1], argc--, argv++;
      else if (!strcmp (*argv, "--homedir") && argc > 1)
        homedir = argv[1], argc--, argv++;
      else if (!strcmp (*argv, "--socket") && argc > 1)
        sock = argv[1], argc--, argv++;
      else if (!strcmp (*argv, "--agent"))
        agent = 1;
      else if (!strcmp (*argv, "--pins") && argc > 1)
        {
          FILE *fp = fopen (argv[1], "r");
          size_t n;

          if (!fp)
            {
              perror (argv[1]);
              return 2;
            }
          n = fread (pinfile_text, 1, sizeof pinfile_text - 1, fp);
          pinfile_text[n] = 0;
          fclose (fp);
          argc--, argv++;
        }
      else
        {
          fprintf (stderr, "bad option %s\n", *argv);
          return 2;
        }
      argc--, argv++;
    }
  if (homedir)
    {
      extra[0] = "--homedir";
      extra[1] = homedir;
    }
  if (agent)
    err = scd_client_connect_agent (&scd, sock);
  else if (scdpgm)
    err = scd_client_spawn (&scd, scdpgm, extra, SCD_SPAWN_KEEP_STDERR);
  else
    {
      fprintf (stderr, "need --scd or --agent\n");
      return 2;
    }
  if (err)
    {
      printf ("connect: ERR %u %s\n", err, gpg_strerror (err));
      return 1;
    }
  scd_client_set_pin_cb (scd, pin_cb, NULL);

  while (argc > 0)
    {
      int n;

      for (n = 0; n < argc && strcmp (argv[n], "--"); n++)
        ;
      if (n)
        {
          err = run (scd, n, argv);
          if (err)
            {
              printf ("%s: ERR %u %s <%s>\n", argv[0], err,
                      gpg_strerror (err), gpg_strsource (err));
              rc = 1;
            }
          else
            printf ("%s: OK\n", argv[0]);
          fflush (stdout);
        }
      argc -= n;
      argv += n;
      if (argc)
        argc--, argv++;
    }
  scd_client_release (scd);
  wipememory (pinfile_text, sizeof pinfile_text);
  return rc;
}
