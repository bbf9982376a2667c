/* t-brd.c - tests for the bounded reader and membuf
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "brd.h"
#include "membuf.h"
#include "t-support.h"

#include <string.h>

static void
test_ints (void)
{
  static const unsigned char b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  brd_t r;
  unsigned int v;
  uint32_t w;
  const unsigned char *p;

  brd_init (&r, b, sizeof b);
  ok_err (brd_get_u8 (&r, &v), "u8");
  ok (v == 1, "u8 value");
  ok_err (brd_get_u16 (&r, &v), "u16");
  ok (v == 0x0203, "u16 big-endian");
  ok_err (brd_get_u32 (&r, &w), "u32");
  ok (w == 0x04050607, "u32 big-endian");
  ok_code (brd_get_u32 (&r, &w), GPG_ERR_TOO_SHORT, "u32 past end refused");
  ok (w == 0, "output cleared on failure");
  ok (brd_left (&r) == 3, "failed read does not advance");
  ok_code (brd_end (&r), GPG_ERR_INV_LENGTH, "leftover is an error");
  ok_err (brd_get_bytes (&r, 3, &p), "bytes");
  ok (p && p[0] == 8, "zero-copy pointer");
  ok_err (brd_end (&r), "fully consumed");
  ok_code (brd_get_u8 (&r, &v), GPG_ERR_TOO_SHORT, "empty reader");
}

static void
test_sub (void)
{
  static const unsigned char b[] = { 3, 'a', 'b', 'c', 9 };
  brd_t r, c;
  unsigned int n;

  brd_init (&r, b, sizeof b);
  brd_get_u8 (&r, &n);
  ok_err (brd_sub (&r, n, &c), "sub reader");
  ok (brd_left (&c) == 3 && brd_left (&r) == 1, "sub carved out");
  brd_init (&r, b, sizeof b);
  ok_code (brd_sub (&r, 6, &c), GPG_ERR_TOO_SHORT, "sub longer than parent");
  ok (brd_left (&c) == 0, "failed sub is empty");
}

static void
test_tlv (void)
{
  /* 6E { 4F 02 D2 76, 73 { C4 01 7F } }, then 5F50 00 */
  static const unsigned char b[] = {
    0x6E, 0x09, 0x4F, 0x02, 0xD2, 0x76, 0x73, 0x03, 0xC4, 0x01, 0x7F,
    0x5F, 0x50, 0x00 };
  static const unsigned char bad[] = { 0x6E, 0x82, 0x01, 0x00, 0x00 };
  static const unsigned char deep[] = {
    0x73, 0x12, 0x73, 0x10, 0x73, 0x0e, 0x73, 0x0c, 0x73, 0x0a, 0x73, 0x08,
    0x73, 0x06, 0x73, 0x04, 0x73, 0x02, 0xC4, 0x00 };
  brd_t r, v;
  unsigned int tag, c;
  int cons;

  brd_init (&r, b, sizeof b);
  ok_err (brd_find_tlv (&r, 0xC4, 1, &v), "find nested C4");
  ok (brd_left (&v) == 1 && !brd_get_u8 (&v, &c) && c == 0x7F, "C4 value");
  ok_err (brd_find_tlv (&r, 0x5F50, 0, &v), "find 2-byte tag");
  ok (brd_left (&v) == 0, "empty value");
  ok_code (brd_find_tlv (&r, 0xC4, 0, &v), GPG_ERR_NOT_FOUND,
           "no recursion: not found");
  ok (brd_left (&r) == sizeof b, "find does not advance");
  ok_err (brd_get_tlv (&r, &tag, &cons, &v), "get tlv");
  ok (tag == 0x6E && cons && brd_left (&v) == 9, "outer 6E");
  brd_init (&r, bad, sizeof bad);
  ok_code (brd_get_tlv (&r, &tag, &cons, &v), GPG_ERR_TOO_SHORT,
           "length beyond buffer refused");
  ok (brd_left (&r) == sizeof bad, "failed tlv does not advance");
  brd_init (&r, deep, sizeof deep);
  ok_code (brd_find_tlv (&r, 0xC4, 1, &v), GPG_ERR_INV_OBJ,
           "nesting deeper than BRD_MAX_DEPTH refused");
}

static void
test_fuzz (void)
{
  unsigned char buf[64];
  int i, bad = 0;
  brd_t r, v;
  unsigned int tag;
  int cons;

  /* Random input must never read out of bounds (ASan checks) and any
   * value found must lie inside the buffer.  */
  for (i = 0; i < 20000; i++)
    {
      size_t n = (size_t)(i % (int)sizeof buf);
      gcry_create_nonce (buf, sizeof buf);
      brd_init (&r, buf, n);
      if (!brd_find_tlv (&r, 0xC5, 1, &v)
          && (v.p < buf || v.p + v.left > buf + n))
        bad++;
      while (!brd_get_tlv (&r, &tag, &cons, &v))
        if (v.p < buf || v.p + v.left > buf + n)
          bad++;
    }
  ok (!bad, "fuzzed TLV input stays in bounds");
}

static void
test_membuf (void)
{
  membuf_t mb;
  unsigned char *p;
  size_t n;

  membuf_init (&mb, 8, 1);
  membuf_put_u32 (&mb, 0x01020304);
  membuf_put_u16 (&mb, 0x0506);
  ok_err (membuf_error (&mb), "puts within cap");
  membuf_put (&mb, "xyz", 3);
  ok_code (membuf_error (&mb), GPG_ERR_TOO_LARGE, "cap enforced");
  ok_code (membuf_take (&mb, &p, &n), GPG_ERR_TOO_LARGE, "take reports");
  ok (p == NULL, "no buffer after error");
  membuf_init (&mb, 1024, 0);
  membuf_put_str (&mb, "hello");
  ok_err (membuf_take (&mb, &p, &n), "take");
  ok (n == 5 && !strcmp ((char *)p, "hello"), "content, NUL-terminated");
  xfree (p);
}

static void
test_hex (void)
{
  unsigned char b[3];
  char h[7];

  ok_err (oca_hex2bin ("a1B2c3", b, 3), "hex2bin");
  ok (b[0] == 0xa1 && b[2] == 0xc3, "hex2bin value");
  ok (!strcmp (oca_bin2hex (b, 3, h), "A1B2C3"), "bin2hex uppercase");
  ok_code (oca_hex2bin ("zz", b, 1), GPG_ERR_INV_VALUE, "bad hex");
}

int
main (void)
{
  if (oca_init_gcrypt (0))
    return 99;
  test_ints ();
  test_sub ();
  test_tlv ();
  test_fuzz ();
  test_membuf ();
  test_hex ();
  return tap_done ();
}
