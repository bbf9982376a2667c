dnl oca.m4 - reserved for oca's own autoconf macros.
dnl SPDX-License-Identifier: GPL-3.0-or-later
dnl The library checks use the macros shipped by Debian's -dev packages
dnl (gpg-error.m4, libgcrypt.m4, libassuan.m4, pkg.m4).
