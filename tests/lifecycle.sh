#!/usr/bin/env bash
# Mount lifecycle: an occupied mount point is refused, and so is one that is not there (or not
# a directory); without a usable /dev/fuse the mount fails saying so; a daemon killed in the
# middle of a walk leaves a dead mount that clients see as ENOTCONN, fakesys list marks, and
# mount --force takes over; SIGTERM during reads, or with a file held open, or of a daemon
# given a relative mount point, unmounts and exits 0; a file held open blocks umount but not
# umount -l, reads on after it, and the daemon exits once it is closed.
# usage: lifecycle.sh FAKESYS SCENARIO OTHER_SCENARIO
set -u
set -m # background jobs keep default SIGINT/SIGTERM handling
export LC_ALL=C # the messages matched below are the C locale's
fakesys=$1
scenario=$(realpath "$2")
other=$(realpath "$3")

work=$(mktemp -d "${TMPDIR:-/tmp}/fakesys-lifecycle.XXXXXX")
chmod 755 "$work"
mnt=$work/mnt
mkdir "$mnt" "$work/tmpfs"
daemon=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	exec 3<&- 2>/dev/null
	for dir in "$mnt" "$work/tmpfs"; do
		grep -q " $dir " /proc/mounts && umount -l "$dir"
	done
	[ -n "$daemon" ] && kill -KILL "$daemon" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
status=0
fail() {
	echo "FAIL $*"
	status=1
}
ok() { echo "ok   $*"; }
# expect WHAT CONDITION...: ok if the command CONDITION succeeds, else FAIL.
expect() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}
# start_daemon [MOUNT ARGS...]: fakesys mount -f in the background, $daemon its pid; returns
# once the mount is there, or ends the test.
start_daemon() {
	"$fakesys" mount -f "$@" &
	daemon=$!
	for _ in $(seq 100); do mountpoint -q "$mnt" && return; sleep 0.05; done
	echo "FAIL mount -f $*: no mount at $mnt"
	exit 1
}
# stopped_with WHAT: the daemon has ended (within 5 s) with exit status 0.
stopped_with() {
	local rc
	for _ in $(seq 100); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.05; done
	if kill -0 "$daemon" 2>/dev/null; then
		fail "$1: the daemon is still running"
		return
	fi
	wait "$daemon"
	rc=$?
	daemon=
	if [ "$rc" -eq 0 ] && ! mountpoint -q "$mnt"; then
		ok "$1: unmounted, exit 0"
	else
		fail "$1: exit $rc$(mountpoint -q "$mnt" && echo ', still mounted')"
	fi
}

echo "== mount points"
"$fakesys" mount "$scenario" "$mnt" || { echo "FAIL mount"; exit 1; }
"$fakesys" mount "$other" "$mnt" 2>"$work/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "already a mount point" "$work/err"; then
	ok "a live mount point is refused: $(cat "$work/err")"
else
	fail "second mount: exit $rc, $(cat "$work/err")"
fi
expect "list shows the mount and its scenario" \
	grep -q "^$mnt	$(realpath "$scenario")\$" <("$fakesys" list)
mount -t tmpfs fakesys-test "$work/tmpfs"
"$fakesys" mount "$scenario" "$work/tmpfs" 2>/dev/null && fail "mounted over a tmpfs"
umount "$work/tmpfs"
"$fakesys" umount "$mnt" || fail "umount"

# refused WHAT MOUNTPOINT MESSAGE: exit 2 (an input error), MESSAGE naming the path, no mount.
refused() {
	local rc
	"$fakesys" mount "$scenario" "$2" 2>"$work/err"
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$(cat "$work/err")" = "fakesys: $2: $3" ] &&
		! grep -q " $work/" /proc/mounts; then
		ok "$1: exit 2, $(cat "$work/err")"
	else
		fail "$1: exit $rc (want 2), '$(cat "$work/err")' (want 'fakesys: $2: $3')"
	fi
}
refused "a mount point that does not exist" "$work/none" "No such file or directory"
refused "one below a directory that does not exist" "$work/none/mnt" "No such file or directory"
mkdir "$work/gone" && rmdir "$work/gone"
refused "one removed before the mount" "$work/gone" "No such file or directory"
touch "$work/file"
refused "a file" "$work/file" "Not a directory"

echo "== /dev/fuse"
# In a private mount namespace, where /dev/fuse can be taken away or replaced; whatever the
# attempt leaves mounted there is taken down there. Exit 1 (the command failed), a message
# that names /dev/fuse and says what is wrong with it, nothing mounted.
# Copies, for the user without root to reach.
cp "$scenario" "$work/scenario.yaml"
cp "$fakesys" "$work/fakesys"
chmod 644 "$work/scenario.yaml"
chmod 755 "$work/fakesys"
touch "$work/empty"
mknod -m 600 "$work/fuse-600" c 10 229
without_fuse() {
	local what=$1 setup=$2 want=$3 as=${4-}
	# shellcheck disable=SC2016 # expanded by the inner shell, from its arguments
	unshare -m sh -c '
		eval "$1" || exit 99
		$4 "$2" mount "$3/scenario.yaml" "$3/mnt" 2>"$3/err"
		rc=$?
		if mountpoint -q "$3/mnt"; then "$2" umount "$3/mnt"; echo "mounted" >>"$3/err"; fi
		exit "$rc"' sh "$setup" "$work/fakesys" "$work" "$as"
	local rc=$?
	if [ "$rc" -eq 1 ] && [[ $(cat "$work/err") == "fakesys: "*"$want"* ]] &&
		! grep -q mounted "$work/err"; then
		ok "$what: exit 1, $(cat "$work/err")"
	else
		fail "$what: exit $rc (want 1), '$(cat "$work/err")' (want '$want')"
	fi
}
without_fuse "no /dev/fuse" 'mount -t tmpfs fakesys-test /dev' \
	"/dev/fuse: No such file or directory; mounting needs the FUSE device"
without_fuse "/dev/null as /dev/fuse" 'mount --bind /dev/null /dev/fuse' \
	"/dev/fuse is the character device 1:3, not the FUSE device 10:229"
without_fuse "an empty file as /dev/fuse" "mount --bind $work/empty /dev/fuse" \
	"/dev/fuse is a regular file, not the FUSE device 10:229"
chown 65534:65534 "$mnt"
without_fuse "a /dev/fuse closed to the user" "mount --bind $work/fuse-600 /dev/fuse" \
	"/dev/fuse: Permission denied; mounting needs to read and write it" \
	"setpriv --reuid=65534 --regid=65534 --clear-groups"
chown 0:0 "$mnt"

echo "== a file held open"
# umount refuses (EBUSY), umount -l detaches; the open file reads on, from the daemon that
# serves until its last user is gone, and then exits.
start_daemon "$scenario" "$mnt"
exec 3<"$mnt/sys/bus/pci/devices/0000:3b:00.0/vendor"
"$fakesys" umount "$mnt" 2>/dev/null && fail "umount succeeded with a file open"
expect "a busy mount detaches with umount -l" "$fakesys" umount -l "$mnt"
expect "the open file reads on after the detach" [ "$(cat <&3)" = 0x8086 ]
expect "the daemon serves on while the file is open" kill -0 "$daemon"
exec 3<&-
stopped_with "the file closed after umount -l"

# SIGTERM with a file open: the mount is detached at once, the file reads ENOTCONN.
start_daemon "$scenario" "$mnt"
exec 3<"$mnt/sys/bus/pci/devices/0000:3b:00.0/vendor"
kill -TERM "$daemon"
stopped_with "SIGTERM with a file open"
timeout 10 cat <&3 >/dev/null 2>"$work/err"
expect "the open file then reads ENOTCONN" grep -q "Transport endpoint is not connected" "$work/err"
exec 3<&-

echo "== signals"
# SIGKILL in the middle of a walk.
start_daemon "$scenario" "$mnt"
(while :; do find "$mnt" -type f -exec cat {} + >/dev/null 2>&1 || true; done) &
walker=$!
sleep 0.2
kill -KILL "$daemon"
wait "$daemon" 2>/dev/null
daemon=
sleep 0.2
kill "$walker"
wait "$walker" 2>/dev/null
# Directories the kernel has listed stay listable from its cache (it opens them without asking
# the daemon); everything that asks the daemon fails.
cat "$mnt/sys/bus/pci/devices/0000:3b:00.0/vendor" 2>"$work/err" && fail "the dead mount still answers"
expect "clients of a killed daemon get ENOTCONN" \
	grep -q "Transport endpoint is not connected" "$work/err"
stat -f "$mnt" >/dev/null 2>"$work/err" && fail "statfs of the dead mount answers"
expect "statfs of a killed daemon's mount gets ENOTCONN" \
	grep -q "Transport endpoint is not connected" "$work/err"
expect "list marks the dead mount" grep -q "(dead" <("$fakesys" list)
"$fakesys" mount "$other" "$mnt" 2>"$work/err" && fail "mounted over a dead mount without --force"
grep -q -- "--force" "$work/err" || fail "no hint at --force: $(cat "$work/err")"
if "$fakesys" mount --force "$other" "$mnt" && [ -e "$mnt/dev/vfio/vfio" ]; then
	ok "mount --force recovers the dead mount point"
else
	fail "mount --force"
fi
"$fakesys" umount "$mnt" || fail "umount after --force"

# SIGTERM while readers are busy.
start_daemon "$scenario" "$mnt"
(while :; do cat "$mnt"/sys/bus/pci/devices/*/config >/dev/null 2>&1 || true; done) &
reader=$!
sleep 0.2
kill -TERM "$daemon"
stopped_with "SIGTERM during reads"
kill "$reader"
wait "$reader" 2>/dev/null

# SIGTERM of a daemon given a relative mount point: it works from /, and must still find it.
(cd "$work" && exec "$fakesys" mount -f "$scenario" mnt) &
daemon=$!
for _ in $(seq 100); do mountpoint -q "$mnt" && break; sleep 0.05; done
if mountpoint -q "$mnt"; then
	kill -TERM "$daemon"
	stopped_with "SIGTERM with a relative mount point"
else
	fail "mount -f with a relative mount point: no mount"
fi

grep -q " $mnt " /proc/mounts && fail "a mount is left at $mnt"
exit "$status"
