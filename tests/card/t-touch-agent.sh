#!/bin/sh
# t-touch-agent.sh - t-touch.sh through gpg-agent
# SPDX-License-Identifier: GPL-3.0-or-later
CARD_ROUTE=gpg-agent
. "$srcdir/t-touch.sh"
