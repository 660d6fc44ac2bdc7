#!/usr/bin/env bash
# Usage: bench/compressed-folder.sh up IMAGE SIZE MOUNTPOINT
#        bench/compressed-folder.sh unmount|mount|down IMAGE MOUNTPOINT
#
# A place for a synthetic database bigger than the free disk: a btrfs filesystem that
# compresses everything written to it (zstd, level 1), in a sparse file IMAGE of SIZE (as
# `truncate -s` reads it: 40G) attached through a loop device and mounted at MOUNTPOINT.
# minyi's SQLite folder is text and hexadecimal ids for the most part; it takes about a third
# of its size there (2.8 times smaller for the first 1.6 million cases of a 10,000,000-case
# synth). The file grows only as data is written: keep SIZE below the free space of the disk
# that holds IMAGE, or a full disk under the filesystem fails its writes.
#
# Compressing costs CPU (the kernel's workers, beside minyi's own), and a figure measured on
# such a folder says so next to it. Needs root and Debian's btrfs-progs. `unmount` detaches
# IMAGE and keeps it, `mount` attaches a kept IMAGE again (a file under /tmp is gone after the
# machine restarts), `down` unmounts, detaches and deletes IMAGE.
set -euo pipefail

case "${1:-}" in
  up)
    IMAGE=${2:?IMAGE}; SIZE=${3:?SIZE}; MOUNT=${4:?MOUNTPOINT}
    command -v mkfs.btrfs >/dev/null || apt-get install -y btrfs-progs >/dev/null
    [ -e "$IMAGE" ] && { echo "compressed-folder: $IMAGE exists already" >&2; exit 1; }
    truncate -s "$SIZE" "$IMAGE"
    LOOP=$(losetup --find --show "$IMAGE")
    mkfs.btrfs -q -m single -d single "$LOOP"
    mkdir -p "$MOUNT"
    # compress-force: btrfs otherwise stops compressing a file whose first writes did not shrink.
    mount -o compress-force=zstd:1,noatime "$LOOP" "$MOUNT"
    echo "compressed-folder: $IMAGE on $LOOP mounted at $MOUNT"
    ;;
  mount)
    IMAGE=${2:?IMAGE}; MOUNT=${3:?MOUNTPOINT}
    LOOP=$(losetup --find --show "$IMAGE")
    mkdir -p "$MOUNT"
    mount -o compress-force=zstd:1,noatime "$LOOP" "$MOUNT"
    echo "compressed-folder: $IMAGE on $LOOP mounted at $MOUNT"
    ;;
  unmount | down)
    IMAGE=${2:?IMAGE}; MOUNT=${3:?MOUNTPOINT}
    umount "$MOUNT"
    for LOOP in $(losetup --associated "$IMAGE" | cut -d: -f1); do losetup --detach "$LOOP"; done
    if [ "$1" = down ]; then rm -f "$IMAGE"; fi
    ;;
  *)
    sed -n '2,3p' "$0" >&2
    exit 2
    ;;
esac
