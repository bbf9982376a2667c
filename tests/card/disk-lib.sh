# disk-lib.sh - a file system of the test's own, scanned raw for the CA key
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Source it (instead of card-lib.sh, which it sources) as the first
# thing of a test: it runs the test again in a private mount namespace
# (root only), so the image's mount never shows outside and goes away
# with the test whatever happens.
#
# Provides, besides card-lib.sh's functions:
#   disk_mount          create a 64 MiB ext4 image $IMG, mount it on
#                       $MNT (loop device, or fuse2fs when the kernel
#                       refuses the loop mount); a second call mounts
#                       the same image again
#   disk_umount         unmount it (everything written reaches $IMG)
#   ocad ARGS...        oca -d $DB with $DB=$MNT/ca.db, run in $MNT with
#                       TMPDIR=$MNT/tmp: whatever oca writes lands there
#   disk_no_key DESC VALUES
#                       a check: the unmounted image holds no window of
#                       VALUES (see card-lib.sh's secret_values)
#   legacy_db SRC DST KEY
#                       a schema 1 copy of a softkey CA database
#   disk_only_in_db VALUES NDB
#                       a check: the unmounted image holds windows of
#                       VALUES only where the DB file does (NDB of them)

if [ -z "${OCA_DISK_NS:-}" ]; then
  if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1; then
    if [ "${OCA_NO_SKIP:-}" = 1 ]; then
      echo "Bail out! needs root (mount namespace, loop mount), but OCA_NO_SKIP=1"
      exit 1
    fi
    echo "1..0 # SKIP needs root for a mount namespace and a loop mount"
    exit 0
  fi
  OCA_DISK_NS=1
  export OCA_DISK_NS
  exec unshare -m --propagation private "${SHELL:-/bin/sh}" "$0" "$@"
fi

. "$srcdir/card-lib.sh"

IMG=$T/fs.img
MNT=$T/mnt
DB=$MNT/ca.db
_disk_how=""
_disk_fuse_pid=""

disk_mount () {
  mkdir -p "$MNT" || return 1
  if [ ! -e "$IMG" ]; then
    truncate -s 64M "$IMG" || return 1
    mkfs.ext4 -q -F -b 4096 "$IMG" || return 1
  fi
  : > "$T/mount.err"
  if [ -z "${OCA_DISK_FUSE:-}" ] && mount -o loop "$IMG" "$MNT" 2>"$T/mount.err"
  then
    _disk_how=loop
  else
    # OCA_DISK_FUSE=1 forces this path (to test it).
    diag "no loop mount ($(tr '\n' ' ' < "$T/mount.err")); using fuse2fs"
    # In the foreground (as a child of ours), so that disk_umount can
    # wait until it has written everything to the image.
    fuse2fs -f -o rw "$IMG" "$MNT" >"$T/fuse2fs.log" 2>&1 &
    _disk_fuse_pid=$!
    _i=0
    until mountpoint -q "$MNT"; do
      _i=$((_i + 1))
      if [ $_i -gt 100 ] || ! kill -0 $_disk_fuse_pid 2>/dev/null; then
        sed 's/^/# fuse2fs: /' "$T/fuse2fs.log"
        return 1
      fi
      sleep 0.1
    done
    _disk_how=fuse2fs
  fi
  at_exit "umount '$MNT' 2>/dev/null"
  mkdir -p "$MNT/tmp"
  diag "image mounted ($_disk_how)"
}

disk_umount () {
  sync
  umount "$MNT" || return 1
  if [ $_disk_how = fuse2fs ]; then
    wait $_disk_fuse_pid
  fi
  sync
}

ocad () { (cd "$MNT" && TMPDIR=$MNT/tmp "$OCA" -d "$DB" "$@"); }

# disk_no_key DESC VALUES: the unmounted image holds no window of VALUES.
disk_no_key () {
  _n=$(disk_hits "$2" "$IMG")
  if [ "$_n" = 0 ]; then ok "$1"; return 0; fi
  not_ok "$1"
  diag "$_n windows of the private key in the raw image:"
  grep -v '^hits ' "$T/hits" | head -20 | sed 's/^/#   /'
  return 1
}

# legacy_db SRC DST KEY: DST is softkey CA database SRC as an oca of
# schema version 1 left it: the armored private key KEY inline in
# cacerts.priv_cert, no cakeys or cacards table, no settings table or
# audit columns of schema 4, no certs_verified of schema 5 (no free page
# keeps anything).
legacy_db () {
  cp "$1" "$2" || return 1
  "$SQLITE3" "$2" "PRAGMA secure_delete = ON;
    UPDATE cacerts SET priv_cert = CAST(readfile('$3') AS TEXT);
    DROP TABLE IF EXISTS cakeys;
    DROP TABLE IF EXISTS cacards;
    DROP TABLE IF EXISTS settings;
    DROP INDEX IF EXISTS idx_certifications_created;
    ALTER TABLE certifications DROP COLUMN backend;
    ALTER TABLE certifications DROP COLUMN card;
    ALTER TABLE certifications DROP COLUMN card_sigcount;
    ALTER TABLE certifications DROP COLUMN sig_hash;
    DROP TABLE IF EXISTS certs_verified;
    PRAGMA user_version = 1;
    VACUUM;"
}

disk_only_in_db () {
  _nimg=$(disk_hits "$1" "$IMG")
  if [ "$_nimg" = "$2" ]; then
    ok "the raw image holds the key only where the DB file does"
  else
    not_ok "the raw image holds the key only where the DB file does"
    diag "windows found: DB file $2, raw image $_nimg"
    grep -v '^hits ' "$T/hits" | awk '{print $3}' | sort | uniq -c \
      | sed 's/^/#   encoding: /'
  fi
}
