#!/bin/sh
# t-pin-agent.sh - t-pin.sh through gpg-agent
# SPDX-License-Identifier: GPL-3.0-or-later
CARD_ROUTE=gpg-agent
. "$srcdir/t-pin.sh"
