# Shared by the shell tests: results, a scratch directory that goes away (with any mount in it)
# however the test ends, and writes and reads as scripts make them.
# Source it, then call `setup_work NAME FAKESYS`; $work is the scratch directory, $status the
# exit status so far.
status=0
fail() {
	echo "FAIL $*"
	status=1
}
ok() { echo "ok   $*"; }

# shellcheck disable=SC2317 # called by the trap
cleanup_work() {
	for m in "$work"/mnt*; do
		[ -d "$m" ] && "$fakesys" umount "$m" >/dev/null 2>&1
	done
	rm -rf "$work"
}

setup_work() {
	fakesys=$2
	work=$(mktemp -d "${TMPDIR:-/tmp}/fakesys-$1.XXXXXX")
	chmod 755 "$work"
	trap cleanup_work EXIT
}

# mount_scenario SCENARIO MOUNTPOINT [MOUNT OPTION...]: mounted, or the test ends here.
mount_scenario() {
	mkdir -p "$2"
	"$fakesys" mount "${@:3}" "$1" "$2" || {
		echo "FAIL: fakesys mount $1"
		exit 1
	}
}

# expect_write WHAT VALUE FILE WANT: VALUE (printf %b escapes) in one write(), as dd makes it
# (the shell's printf may split it); WANT is "ok" or the strerror text the write must fail with.
expect_write() {
	local what=$1 value=$2 file=$3 want=$4 err
	printf '%b' "$value" >"$work/value"
	err=$(dd if="$work/value" of="$file" bs="$(stat -c %s "$work/value")" count=1 \
		iflag=fullblock status=none 2>&1)
	if [ "$want" = ok ]; then
		if [ -z "$err" ]; then ok "$what"; else fail "$what: $err"; fi
	elif [[ $err == *"$want"* ]]; then
		ok "$what: $want"
	else
		fail "$what: wanted '$want', got '${err:-success}'"
	fi
}

# expect_read WHAT FILE WANT
expect_read() {
	local got
	got=$(cat "$2" 2>&1)
	if [ "$got" = "$3" ]; then ok "$1 reads $3"; else fail "$1: read '$got', wanted '$3'"; fi
}

# expect_link WHAT LINK WANT: the link's text ends with WANT; "absent": there is no such name.
expect_link() {
	local got
	if [ "$3" = absent ]; then
		if [ -e "$2" ] || [ -L "$2" ]; then fail "$1: $2 is there"; else ok "$1: no $(basename "$2")"; fi
		return
	fi
	got=$(readlink "$2" 2>&1)
	if [[ $got == *"$3" ]]; then ok "$1: $(basename "$2") -> ...$3"; else fail "$1: '$got', wanted ...$3"; fi
}

# expect_names WHAT DIR WANT: the directory lists exactly WANT (space-separated, sorted).
expect_names() {
	local got
	got=$(ls "$2" 2>&1 | sort | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" = "$3" ]; then ok "$1: $3"; else fail "$1: listed '$got', wanted '$3'"; fi
}
