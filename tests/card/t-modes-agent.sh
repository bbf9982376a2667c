#!/bin/sh
# t-modes-agent.sh - t-modes.sh through gpg-agent
# SPDX-License-Identifier: GPL-3.0-or-later
CARD_ROUTE=gpg-agent
. "$srcdir/t-modes.sh"
