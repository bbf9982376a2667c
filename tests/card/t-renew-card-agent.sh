#!/bin/sh
# t-renew-card-agent.sh - t-renew-card.sh through gpg-agent
# SPDX-License-Identifier: GPL-3.0-or-later
CARD_ROUTE=gpg-agent
. "$srcdir/t-renew-card.sh"
