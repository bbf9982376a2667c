#!/bin/sh
# t-migrate-agent.sh - t-migrate.sh through gpg-agent
# SPDX-License-Identifier: GPL-3.0-or-later
CARD_ROUTE=gpg-agent
. "$srcdir/t-migrate.sh"
