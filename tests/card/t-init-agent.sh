#!/bin/sh
# t-init-agent.sh - t-init.sh through gpg-agent
# SPDX-License-Identifier: GPL-3.0-or-later
CARD_ROUTE=gpg-agent
. "$srcdir/t-init.sh"
