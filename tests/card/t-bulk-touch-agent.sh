#!/bin/sh
# t-bulk-touch-agent.sh - t-bulk-touch.sh through gpg-agent
# SPDX-License-Identifier: GPL-3.0-or-later
CARD_ROUTE=gpg-agent
. "$srcdir/t-bulk-touch.sh"
