#!/usr/bin/env bash
# A malformed scenario is refused by `fakesys check` and by `fakesys mount` with exit status 2
# and exactly the message its first line promises ("# error: LINE:COL: message" or
# "# error: message"), and nothing gets mounted. A file that cannot carry that line (binary,
# UTF-16) has it in FILE.error beside it.
# usage: refuse_scenario.sh FAKESYS FILE
set -u
fakesys=$1
file=$2

if [ -f "$file.error" ]; then
	want=$(sed -n '1s/^# error: //p' "$file.error")
else
	want=$(head -n 1 "$file" | sed -n 's/^# error: //p')
fi
if [ -z "$want" ]; then
	echo "FAIL $file: the first line must be '# error: ...'"
	exit 1
fi
if [[ $want =~ ^[0-9]+:[0-9]+: ]]; then want="$file:$want"; else want="$file: $want"; fi

status=0
check() { # what, exit status, stderr
	if [ "$2" -ne 2 ]; then
		echo "FAIL $1: exit status $2, want 2"
		status=1
	elif [ "$3" != "$want" ]; then
		printf 'FAIL %s: message\n  got:  %s\n  want: %s\n' "$1" "$3" "$want"
		status=1
	else
		echo "ok   $1: $3"
	fi
}

out=$("$fakesys" check "$file" 2>&1 >/dev/null)
check check $? "$out"

mnt=$(mktemp -d "${TMPDIR:-/tmp}/fakesys-refuse.XXXXXX")
out=$("$fakesys" mount "$file" "$mnt" 2>&1 >/dev/null)
rc=$?
if mountpoint -q "$mnt"; then
	echo "FAIL mount: $mnt was mounted"
	"$fakesys" umount "$mnt" || umount -l "$mnt"
	status=1
fi
rmdir "$mnt"
check mount "$rc" "$out"
exit "$status"
