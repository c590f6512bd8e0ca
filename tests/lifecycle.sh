#!/usr/bin/env bash
# Mount lifecycle: an occupied mount point is refused; a daemon killed in the middle of a walk
# leaves a dead mount that clients see as ENOTCONN, fakesys list marks, and mount --force takes
# over; SIGTERM during reads unmounts and exits 0; a file held open blocks umount but not
# umount -l.
# usage: lifecycle.sh FAKESYS SCENARIO OTHER_SCENARIO
set -u
set -m # background jobs keep default SIGINT/SIGTERM handling
fakesys=$1
scenario=$2
other=$3

work=$(mktemp -d "${TMPDIR:-/tmp}/fakesys-lifecycle.XXXXXX")
mnt=$work/mnt
mkdir "$mnt" "$work/tmpfs"
cleanup() {
	exec 3<&- 2>/dev/null
	for dir in "$mnt" "$work/tmpfs"; do
		grep -q " $dir " /proc/mounts && umount -l "$dir"
	done
	rm -rf "$work"
}
trap cleanup EXIT
status=0
fail() { echo "FAIL $*"; status=1; }
ok() { echo "ok   $*"; }

# Occupied mount points.
"$fakesys" mount "$scenario" "$mnt" || { echo "FAIL mount"; exit 1; }
"$fakesys" mount "$other" "$mnt" 2>"$work/err"
[ $? -eq 1 ] && grep -q "already a mount point" "$work/err" &&
	ok "a live mount point is refused: $(cat "$work/err")" || fail "second mount: $(cat "$work/err")"
"$fakesys" list | grep -q "^$mnt	$(realpath "$scenario")\$" &&
	ok "list shows the mount and its scenario" || fail "list: $("$fakesys" list)"
mount -t tmpfs fakesys-test "$work/tmpfs"
"$fakesys" mount "$scenario" "$work/tmpfs" 2>/dev/null && fail "mounted over a tmpfs"
umount "$work/tmpfs"

# A file held open: umount refuses (EBUSY), umount -l detaches.
exec 3<"$mnt/sys/bus/pci/devices/0000:3b:00.0/vendor"
"$fakesys" umount "$mnt" 2>/dev/null && fail "umount succeeded with a file open"
"$fakesys" umount -l "$mnt" && ok "a busy mount detaches with umount -l" || fail "umount -l"
exec 3<&-

# SIGKILL in the middle of a walk.
"$fakesys" mount "$scenario" "$mnt" || { echo "FAIL remount"; exit 1; }
(while :; do find "$mnt" -type f -exec cat {} + >/dev/null 2>&1 || true; done) &
walker=$!
sleep 0.2
pkill -KILL -f -- "mount $scenario $mnt\$"
sleep 0.2
kill "$walker"; wait "$walker" 2>/dev/null
# Directories the kernel has listed stay listable from its cache (it opens them without asking
# the daemon); everything that asks the daemon fails.
cat "$mnt/sys/bus/pci/devices/0000:3b:00.0/vendor" 2>"$work/err" && fail "the dead mount still answers"
grep -q "Transport endpoint is not connected" "$work/err" &&
	ok "clients of a killed daemon get ENOTCONN" || fail "after SIGKILL: $(cat "$work/err")"
stat -f "$mnt" >/dev/null 2>"$work/err" && fail "statfs of the dead mount answers"
grep -q "Transport endpoint is not connected" "$work/err" &&
	ok "statfs of a killed daemon's mount gets ENOTCONN" || fail "statfs: $(cat "$work/err")"
"$fakesys" list | grep -q "(dead" && ok "list marks the dead mount" || fail "list: $("$fakesys" list)"
"$fakesys" mount "$other" "$mnt" 2>"$work/err" && fail "mounted over a dead mount without --force"
grep -q -- "--force" "$work/err" || fail "no hint at --force: $(cat "$work/err")"
"$fakesys" mount --force "$other" "$mnt" && [ -e "$mnt/dev/vfio/vfio" ] &&
	ok "mount --force recovers the dead mount point" || fail "mount --force"
"$fakesys" umount "$mnt" || fail "umount after --force"

# SIGTERM while readers are busy.
"$fakesys" mount -f "$scenario" "$mnt" &
daemon=$!
for _ in $(seq 100); do mountpoint -q "$mnt" && break; sleep 0.05; done
(while :; do cat "$mnt"/sys/bus/pci/devices/*/config >/dev/null 2>&1 || true; done) &
reader=$!
sleep 0.2
kill -TERM "$daemon"
wait "$daemon"
rc=$?
kill "$reader"; wait "$reader" 2>/dev/null
[ "$rc" -eq 0 ] && ! mountpoint -q "$mnt" &&
	ok "SIGTERM during reads: unmounted, exit 0" || fail "SIGTERM: exit $rc"

grep -q " $mnt " /proc/mounts && fail "a mount is left at $mnt"
exit "$status"
