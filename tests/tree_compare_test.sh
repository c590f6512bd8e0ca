#!/bin/sh
# SPDX-License-Identifier: MIT
# Self-test of tree-compare: builds pairs of small trees, changes one thing at a time, and checks
# that each kind of difference gives exit 1 and its message, and that equal trees give exit 0.
# Usage: tree_compare_test.sh PATH/TO/tree-compare
set -u

tc=${1:?usage: tree_compare_test.sh PATH/TO/tree-compare}
work=$(mktemp -d "${TMPDIR:-/tmp}/tree-compare.XXXXXX") || exit 1
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# run ARGS...: runs tree-compare, leaving $status, $work/out and $work/err.
run() {
	"$tc" "$@" >"$work/out" 2>"$work/err"
	status=$?
}

# expect STATUS MESSAGE DESCRIPTION: the last run exited STATUS and MESSAGE is a line of its
# stdout (a fixed string; empty MESSAGE checks the status alone).
expect() {
	if [ "$status" -ne "$1" ]; then
		fail "$3: exit $status, expected $1"
		sed 's/^/  out: /' "$work/out" >&2
		sed 's/^/  err: /' "$work/err" >&2
		return
	fi
	if [ -n "$2" ] && ! grep -qxF -- "$2" "$work/out"; then
		fail "$3: no line '$2'"
		sed 's/^/  out: /' "$work/out" >&2
	fi
}

# expect_absent TEXT DESCRIPTION: no line of the last run's stdout contains TEXT.
expect_absent() {
	if grep -qF -- "$1" "$work/out"; then
		fail "$2: unexpected '$1'"
		sed 's/^/  out: /' "$work/out" >&2
	fi
}

# make_tree DIR: a small sysfs-like tree with files, a binary file, modes, links and subdirs.
make_tree() {
	mkdir -p "$1/sys/devices/pci0000:00/0000:00:01.0/power" "$1/sys/bus/pci/devices"
	dev=$1/sys/devices/pci0000:00/0000:00:01.0
	printf '0x0c0330\n' >"$dev/class"
	printf '0x8086\n' >"$dev/vendor"
	printf 'auto\n' >"$dev/power/control"
	printf '\000\001\002binary\377' >"$dev/config"
	: >"$dev/remove"
	chmod 0644 "$dev/class" "$dev/vendor" "$dev/power/control" "$dev/config"
	chmod 0200 "$dev/remove"
	ln -s ../../../devices/pci0000:00/0000:00:01.0 "$1/sys/bus/pci/devices/0000:00:01.0"
	ln -s ../../../bus/pci "$dev/subsystem"
}

# fresh: $a and $b hold two equal trees again.
fresh() {
	rm -rf "$work/a" "$work/b"
	a=$work/a
	b=$work/b
	make_tree "$a"
	make_tree "$b"
	dev_a=$a/sys/devices/pci0000:00/0000:00:01.0
	dev_b=$b/sys/devices/pci0000:00/0000:00:01.0
}

dev_rel=sys/devices/pci0000:00/0000:00:01.0

fresh
run --order --sizes "$a" "$b" sys/devices sys/bus/pci
expect 0 "compared 6 dirs, 5 files, 2 links: 0 differences" "equal trees"
[ -s "$work/err" ] && fail "equal trees: stderr not empty: $(cat "$work/err")"

run "$a" "$b" .
expect 0 "compared 9 dirs, 5 files, 2 links: 0 differences" "equal trees from the root"

fresh
printf '0x0c0320\n' >"$dev_b/class"
run "$a" "$b" sys
expect 1 "$dev_rel/class: content differs at byte 6 (A: \"0x0c0330\\n\", B: \"0x0c0320\\n\")" \
	"content"
expect 1 "compared 8 dirs, 5 files, 2 links: 1 differences" "content summary"

fresh
printf '\000\001\002binarY\377' >"$dev_b/config"
run "$a" "$b" sys
bin_a='"\x00\x01\x02binary\xff"'
bin_b='"\x00\x01\x02binarY\xff"'
expect 1 "$dev_rel/config: content differs at byte 8 (A: $bin_a, B: $bin_b)" \
	"binary content, escaped"

fresh
head -c 5000 /dev/zero >"$dev_a/config"
{ head -c 3000 /dev/zero; printf 'X'; head -c 1999 /dev/zero; } >"$dev_b/config"
run "$a" "$b" sys
# zeros N: N escaped NUL bytes, as messages show them.
zeros() {
	printf '\\x00%.0s' $(seq "$1")
}
window_a="5000 bytes ...\"$(zeros 64)\"..."
window_b="5000 bytes ...\"$(zeros 16)X$(zeros 47)\"..."
expect 1 "$dev_rel/config: content differs at byte 3000 (A: $window_a, B: $window_b)" \
	"long content, windowed"

fresh
printf 'auto\n' >"$dev_b/power/control.new"
mv "$dev_b/power/control.new" "$dev_b/power/control"
chmod 0600 "$dev_b/power/control"
run "$a" "$b" sys
expect 1 "$dev_rel/power/control: mode differs (A: 0644, B: 0600)" "mode"
expect_absent "content differs" "mode alone"

fresh
chmod 0444 "$dev_a/vendor"
chmod 4644 "$dev_b/vendor"
run "$a" "$b" sys
expect 1 "$dev_rel/vendor: mode differs (A: 0444, B: 4644)" "setuid bit"

fresh
rm "$b/sys/bus/pci/devices/0000:00:01.0"
ln -s ../../../devices/pci0000:00/0000:00:02.0 "$b/sys/bus/pci/devices/0000:00:01.0"
run "$a" "$b" sys/bus/pci
link_a='"../../../devices/pci0000:00/0000:00:01.0"'
link_b='"../../../devices/pci0000:00/0000:00:02.0"'
link=sys/bus/pci/devices/0000:00:01.0
expect 1 "$link: link target differs at byte 37 (A: $link_a, B: $link_b)" \
	"link target"
expect 1 "compared 2 dirs, 0 files, 1 links: 1 differences" "links are not followed"

fresh
mkdir "$dev_a/msi_irqs"
printf '1\n' >"$dev_a/msi_irqs/24"
mkdir "$dev_b/driver_override.d"
run "$a" "$b" sys
expect 1 "$dev_rel/msi_irqs: only in A (A: directory, B: missing)" "directory only in A"
expect 1 "$dev_rel/driver_override.d: only in B (B: directory, A: missing)" "directory only in B"
expect_absent "msi_irqs/24" "subtree of a directory only in A"

fresh
rm "$dev_b/vendor"
mkdir "$dev_b/vendor"
rm "$dev_b/subsystem"
printf '../../../bus/pci\n' >"$dev_b/subsystem"
run "$a" "$b" sys
expect 1 "$dev_rel/vendor: type differs (A: regular file, B: directory)" "file against directory"
expect 1 "$dev_rel/subsystem: type differs (A: symbolic link, B: regular file)" \
	"link against file"

fresh
printf '0x0c0330\n\n' >"$dev_b/class"
run "$a" "$b" "$dev_rel/class"
expect 1 "$dev_rel/class: content differs at byte 9 (A: \"0x0c0330\\n\", B: \"0x0c0330\\n\\n\")" \
	"a PATH that is a file"
run --sizes "$a" "$b" "$dev_rel/class"
expect 1 "$dev_rel/class: size differs (A: 9, B: 10)" "--sizes"
run "$a" "$b" "$dev_rel/class"
expect_absent "size differs" "sizes only with --sizes"

fresh
rm -r "$b/sys/bus"
run "$a" "$b" sys/bus/pci
expect 1 "sys/bus/pci: only in A (A: directory, B: missing)" "PATH missing in B"

fresh
rm -r "$b/sys/bus"
ln -s "$a/sys/bus" "$b/sys/bus"
run "$a" "$b" sys/bus/pci
expect 1 "sys/bus: type differs (A: directory, B: symbolic link)" "PATH reached through a link"

run "$b" "$a" sys/bus/pci
expect 2 "" "ROOT_A/PATH reached through a link"

# Devices need mknod, which only root may do.
if [ "$(id -u)" -eq 0 ]; then
	fresh
	mkdir "$a/dev" "$b/dev"
	mknod -m 0666 "$a/dev/vfio" c 10 196
	mknod -m 0666 "$b/dev/vfio" c 10 197
	mknod -m 0600 "$a/dev/vda" b 253 0
	mknod -m 0600 "$b/dev/vda" b 253 0
	run "$a" "$b" dev
	expect 1 "dev/vfio: device number differs (A: 10:196, B: 10:197)" "character device"
	expect 1 "compared 1 dirs, 2 files, 0 links: 1 differences" "equal block devices"
else
	echo "SKIP: device numbers (mknod needs root)" >&2
fi

# Excluded paths are skipped with their subtrees, and * matches across /.
fresh
printf 'on\n' >"$dev_b/power/control"
mkdir "$dev_b/power/extra"
run --exclude '*/power/*' "$a" "$b" sys
expect 0 "compared 8 dirs, 4 files, 2 links: 0 differences" "--exclude"
run --exclude 'sys/devices/*/control' --exclude "$dev_rel/power/extra" "$a" "$b" sys
expect 0 "" "--exclude repeated, * across /"
run --exclude '*/power' "$a" "$b" sys
expect 0 "compared 7 dirs, 4 files, 2 links: 0 differences" "--exclude a directory"
run --exclude 'sys' "$a" "$b" sys
expect 0 "compared 0 dirs, 0 files, 0 links: 0 differences" "--exclude a PATH"

# --max-diffs limits what is printed, not what is counted.
fresh
printf 'x\n' >"$dev_b/class"
printf 'x\n' >"$dev_b/vendor"
printf 'x\n' >"$dev_b/power/control"
run --max-diffs 1 "$a" "$b" sys
expect 1 "compared 8 dirs, 5 files, 2 links: 3 differences" "--max-diffs counts all"
lines=$(grep -c 'content differs' "$work/out")
[ "$lines" -eq 1 ] || fail "--max-diffs 1: $lines differences printed"
grep -q '2 more differences not shown' "$work/err" || fail "--max-diffs: no note on stderr"
run --max-diffs 0 "$a" "$b" sys
expect 1 "compared 8 dirs, 5 files, 2 links: 3 differences" "--max-diffs 0"
[ "$(wc -l <"$work/out")" -eq 1 ] || fail "--max-diffs 0: differences printed"

# --order: the names are created in opposite orders, which tmpfs lists differently (ext4 with
# hashed directories does not), so the directories go to /dev/shm where it is tmpfs.
fresh
ordered_root=$work
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
	ordered_root=$(mktemp -d /dev/shm/tree-compare.XXXXXX); then
	trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work" "$ordered_root"' EXIT INT TERM
else
	ordered_root=$work
fi
a=$ordered_root/a
b=$ordered_root/b
mkdir -p "$a/ordered" "$b/ordered"
for name in one two three four; do
	: >"$a/ordered/$name"
done
for name in four three two one; do
	: >"$b/ordered/$name"
done
# listed DIR: DIR's names in readdir order (ls -f leaves them unsorted), one a line.
listed() {
	# shellcheck disable=SC2010 # the names are the test's own, and a glob would sort them
	ls -f "$1" | grep -v '^\.'
}
if [ "$(listed "$a/ordered" | tr '\n' ' ')" != "$(listed "$b/ordered" | tr '\n' ' ')" ]; then
	first_a=$(listed "$a/ordered" | head -n 1)
	first_b=$(listed "$b/ordered" | head -n 1)
	run --order "$a" "$b" ordered
	expect 1 "ordered: readdir order differs at entry 1 of 4 (A: \"$first_a\", B: \"$first_b\")" \
		"--order"
	run "$a" "$b" ordered
	expect 0 "" "order ignored without --order"
else
	echo "SKIP: --order (this file system lists both directories in the same order)" >&2
fi
: >"$b/ordered/five"
run --order "$a" "$b" ordered
expect 1 "ordered/five: only in B (B: regular file, A: missing)" "--order with differing sets"
expect_absent "readdir order" "order compared only between equal sets"

# --volatile: /proc/sys/kernel/random/uuid reads differently every time.
uuid=proc/sys/kernel/random/uuid
if [ -r "/$uuid" ]; then
	rm -rf "$b"
	mkdir -p "$b/${uuid%/*}"
	cat "/$uuid" >"$b/$uuid"
	chmod "$(stat -c %a "/$uuid")" "$b/$uuid"
	run / "$b" "$uuid"
	expect 1 "" "a changing file without --volatile"
	grep -q "^$uuid: content differs" "$work/out" || fail "changing file: no content line"
	run --volatile / "$b" "$uuid"
	expect 0 "compared 0 dirs, 1 files, 0 links: 0 differences" "--volatile"
	grep -q "^$uuid: volatile" "$work/err" || fail "--volatile: not reported on stderr"
else
	echo "SKIP: --volatile (no /$uuid)" >&2
fi
fresh
printf 'x\n' >"$dev_b/class"
run --volatile "$a" "$b" sys
expect 1 "$dev_rel/class: content differs at byte 0 (A: \"0x0c0330\\n\", B: \"x\\n\")" \
	"--volatile keeps steady differences"

# The errno of a failed read is the content: write-only sysctls refuse reads even to root.
# (As a user, B's 0200 file could not be read either, so the pair would not differ.)
wo=proc/sys/vm/compact_memory
if [ "$(id -u)" -eq 0 ] && [ -e "/$wo" ] && ! cat "/$wo" >/dev/null 2>&1; then
	run / / "$wo"
	expect 0 "compared 0 dirs, 1 files, 0 links: 0 differences" "the same errno on both sides"
	rm -rf "$b"
	mkdir -p "$b/${wo%/*}"
	: >"$b/$wo"
	chmod 0200 "$b/$wo"
	run / "$b" "$wo"
	expect 1 "$wo: content differs (A: error EACCES, B: \"\")" "errno against content"
	# --plain-a: a rendered tree writes an attribute that fails to read as an empty file.
	run --plain-a "$b" / "$wo"
	expect 0 "compared 0 dirs, 1 files, 0 links: 0 differences" "--plain-a: empty A, errno B"
	run --plain-a / "$b" "$wo"
	expect 1 "$wo: content differs (A: error EACCES, B: \"\")" "--plain-a: only A's side"
	printf 'x' >"$b/$wo"
	run --plain-a "$b" / "$wo"
	expect 1 "$wo: content differs (A: \"x\", B: error EACCES)" "--plain-a: only when empty"
else
	echo "SKIP: errno as content and --plain-a (needs root and a write-only /$wo)" >&2
fi

# Usage errors and a missing ROOT_A/PATH exit 2 without comparing.
fresh
run "$a" "$b"
expect 2 "" "too few arguments"
run --max-diffs x "$a" "$b" sys
expect 2 "" "--max-diffs not a count"
run --bogus "$a" "$b" sys
expect 2 "" "unknown option"
run "$a" "$b" /sys
expect 2 "" "absolute PATH"
run "$a" "$b" sys/../..
expect 2 "" "PATH climbing out"
run "$a" "$b" sys nothing/here
expect 2 "" "ROOT_A/PATH missing"
[ -s "$work/out" ] && fail "ROOT_A/PATH missing: compared anyway: $(cat "$work/out")"
run "$b" "$a" sys sys/bus
expect 0 "" "PATH twice, nested"

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "tree-compare self-test passed"
