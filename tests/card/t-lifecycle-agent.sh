#!/bin/sh
# t-lifecycle-agent.sh - t-lifecycle.sh through gpg-agent
# SPDX-License-Identifier: GPL-3.0-or-later
CARD_ROUTE=gpg-agent
. "$srcdir/t-lifecycle.sh"
