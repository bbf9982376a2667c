#!/bin/sh
# autogen.sh - regenerate the build system from a git checkout.
# SPDX-License-Identifier: GPL-3.0-or-later
set -e
cd "$(dirname "$0")"
autoreconf --install --force --warnings=all
