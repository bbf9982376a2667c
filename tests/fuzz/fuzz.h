/* fuzz.h - shared helpers of oca's libFuzzer targets
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every fuzz-*.c defines LLVMFuzzerTestOneInput (and may define
 * LLVMFuzzerInitialize) and is linked two ways:
 *
 *   --enable-fuzzing (clang): with -fsanitize=fuzzer, i.e. libFuzzer's
 *       main; `make fuzz' runs every target for a bounded time;
 *   any other build: with replay.c, which runs the target once on each
 *       file it is given; `make check' replays the seed corpora
 *       (corpus/NAME/) so that every regression input stays fixed.
 *
 * Targets are deterministic: a fixed "now" (FUZZ_NOW), no key
 * generation or signing, no network, and the only files are private
 * scratch files of the DB target.  An invariant that does not hold is
 * reported with fuzz_assert, which aborts (a crash for libFuzzer).
 *
 * Several targets read structured input through fuzz_in_t: bytes,
 * 16-bit big-endian numbers and "chunks" (a 16-bit big-endian length
 * followed by that many bytes; a truncated chunk gets what is left).
 * Reading past the end yields zeros and empty chunks.  mkseeds.c
 * writes seeds in the same encoding with fuzz_put_chunk.
 */
#ifndef OCA_FUZZ_H
#define OCA_FUZZ_H

#include "oca-common.h"
#include "membuf.h"

#include <stdint.h>
#include <stddef.h>

/* The time the targets use as "now" (2023-11-14).  */
#define FUZZ_NOW 1700000000u

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

/* Initialise libgcrypt once per process.  Secure memory is switched
 * off: secure allocations then come from the ordinary heap, where
 * AddressSanitizer checks every byte of them (it cannot look into
 * libgcrypt's pool).  Safe to call more than once.  */
void fuzz_init (void);

/* Report a failed invariant COND at FILE:LINE and abort.  */
void fuzz_fail_ (const char *file, int line, const char *cond)
  __attribute__ ((noreturn));
#define fuzz_assert(cond) \
  ((cond) ? (void)0 : fuzz_fail_ (__FILE__, __LINE__, #cond))

/* A cursor over the input.  */
typedef struct fuzz_in
{
  const unsigned char *p;
  size_t n;
} fuzz_in_t;

static inline void
fuzz_in_init (fuzz_in_t *in, const void *data, size_t size)
{
  in->p = data;
  in->n = size;
}

unsigned int fuzz_u8 (fuzz_in_t *in);
unsigned int fuzz_u16 (fuzz_in_t *in);
/* The next chunk: *R_P points into the input; returns its length.  */
size_t fuzz_chunk (fuzz_in_t *in, const unsigned char **r_p);

/* Append a chunk of N bytes at P to MB (N is capped at 65535).  */
void fuzz_put_chunk (membuf_t *mb, const void *p, size_t n);

/* A PIN callback result: a copy of PIN in secure memory, as the card
 * layers expect (NULL on allocation failure).  */
char *fuzz_secure_strdup (const char *pin);

#endif /*OCA_FUZZ_H*/
