#!/usr/bin/env bash
# fakesys umount takes down fakesys mounts only (never another file system, even as root), and
# also one whose daemon was killed, where every access fails with ENOTCONN.
# usage: umount_safety.sh FAKESYS SCENARIO
set -u
fakesys=$1
scenario=$2

work=$(mktemp -d "${TMPDIR:-/tmp}/fakesys-umount.XXXXXX")
cleanup() {
	for dir in "$work/other" "$work/fake dir"; do
		mountpoint -q "$dir" 2>/dev/null && umount -l "$dir"
	done
	rm -rf "$work"
}
trap cleanup EXIT
status=0
fail() { echo "FAIL $*"; status=1; }

mkdir "$work/other" "$work/fake dir"
mount -t tmpfs fakesys-test "$work/other" || { echo "FAIL: cannot mount a tmpfs to test with"; exit 1; }
"$fakesys" umount "$work/other" 2>"$work/err"
rc=$?
[ "$rc" -eq 1 ] || fail "umount of a tmpfs: exit $rc, want 1"
grep -q "not a fakesys mount" "$work/err" || fail "umount of a tmpfs: message '$(cat "$work/err")'"
mountpoint -q "$work/other" || fail "umount took down a tmpfs it did not mount"
"$fakesys" umount "$work" 2>/dev/null && fail "umount of a plain directory succeeded"

"$fakesys" mount "$scenario" "$work/fake dir" || { echo "FAIL: mount"; exit 1; }
pkill -KILL -f -- "mount $scenario $work/fake dir"
# statfs, which the kernel never answers from its caches (a listing it may).
for _ in $(seq 50); do stat -f "$work/fake dir" >/dev/null 2>&1 || break; sleep 0.1; done
stat -f "$work/fake dir" >/dev/null 2>&1 && fail "the mount still answers after its daemon was killed"
(cd "$work" && "$fakesys" umount "fake dir/") || fail "umount of a dead daemon's mount"
mountpoint -q "$work/fake dir" && fail "the dead mount is still there"

[ "$status" -eq 0 ] && echo "ok   foreign mounts refused; a dead daemon's mount taken down"
exit "$status"
