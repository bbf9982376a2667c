/* scd-fuzz.h - run oca-scd sessions in-process (fuzz-scd, mkseeds)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * oca-scd's command handler (assuan/scd-command.c, scd-card.c) serves
 * one pipe session whose input is a buffer of client lines.  The card
 * registry finds its cards through pcsc_list_readers,
 * pcsc_card_present and pcsc_open_reader: the program linking this
 * file defines those three (fuzz-scd: scripted cards from the input;
 * mkseeds: the virtual card, recorded), so card/pcsc.c (pcsc-lite) is
 * not linked at all.  The logging functions and options of oca-scd.c
 * are defined here: the session logs nothing.
 */
#ifndef OCA_SCD_FUZZ_H
#define OCA_SCD_FUZZ_H

#include "fuzz.h"

/* The reader the fake PC/SC layer lists.  */
#define FUZZ_SCD_READER "Fuzz Reader 00 00"

/* Serve one session whose client sends LINES/LEN (then EOF).  The
 * server's answers are written to OUTFD, or dropped if OUTFD < 0.
 * Afterwards every card is released and the global state of the
 * server reset.  */
void fuzz_scd_session (const void *lines, size_t len, int outfd);

#endif /*OCA_SCD_FUZZ_H*/
