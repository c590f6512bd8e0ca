#!/usr/bin/env bash
# The README's examples, run as they stand. A block marked `<!-- example: NAME -->` runs (bash,
# -e: a command whose failure the block does not handle fails it), in the README's order, in
# one scratch directory set up as the README says a reader's is: the built commands first on
# the PATH, the checkout's scenarios/ linked there. A block marked `<!-- example-file: NAME -->`
# is written there to NAME before the examples run; one marked `<!-- example-output: NAME -->`
# is how example NAME's standard output must end. What every example prints is checked.
# Fails if an example this script knows is missing, if the README has one it does not know
# (it would run unchecked), or if one fails; mounts a failed block leaves are taken down.
#
# Two stand-ins, because the README shows what the reader runs elsewhere:
# - reproduce-a-report records "the reporter's host" with `sudo fakesys record`: here that line
#   becomes `fakesys record --root DIR`, DIR the report's host (scenarios/kata-10576.yaml)
#   rendered by `fakesys render`, since this machine's own host has no such layout.
# - libvfionaming builds with `pkg-config --cflags --libs vfionaming` against an installed
#   library: here a vfionaming.pc points at the build tree's header and library instead (with
#   the build's CFLAGS, so that a sanitizer build links), and LD_LIBRARY_PATH at its lib/.
#
# usage: readme_examples.sh BUILD_DIR SOURCE_DIR  (CFLAGS: the build's own, e.g. its sanitizers)
# shellcheck disable=SC2015 # "A && ok || fail": ok never fails
set -uo pipefail
build=$(realpath "$1")
source=$(realpath "$2")
fakesys=$build/bin/fakesys
readme=$source/README.md

# The examples and their files, in README order; each example's checks are below.
want_examples="run-your-program add-a-scenario reproduce-a-report libvfionaming"
want_files="name-sandbox.c"
want_outputs="run-your-program libvfionaming"
# shellcheck disable=SC2016 # the README's text, not expanded here
record_line='sudo "$(command -v fakesys)" record '

status=0
fail() {
	echo "FAIL $*"
	status=1
}
ok() { echo "ok   $*"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/fakesys-readme.XXXXXX")
# Mount points under the scratch directory, whoever made them.
mounts_left() {
	awk -v dir="$work/" '$3 == "fuse.fakesys" && index($2, dir) == 1 { print $2 }' /proc/mounts
}
unmount_left() {
	local mountpoint
	for mountpoint in $(mounts_left); do
		"$fakesys" umount "$mountpoint" >/dev/null 2>&1 ||
			"$fakesys" umount -l "$mountpoint" >/dev/null 2>&1 || umount -l "$mountpoint"
	done
}
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	unmount_left
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' TERM INT HUP

for command in fakesys vfio-naming scenario-test; do
	[ -x "$build/bin/$command" ] || {
		echo "FAIL $build/bin/$command is not built"
		exit 1
	}
done

# Every marked block into $work/blocks/{example,example-file,example-output}/NAME, and an
# index of "KIND NAME" lines in README order. A marker must stand right before a fence.
blocks=$work/blocks
mkdir -p "$blocks/example" "$blocks/example-file" "$blocks/example-output"
if ! awk -v dir="$blocks" '
	function refuse(message) {
		printf "FAIL README.md:%d: %s\n", NR, message
		refused = 1
	}
	state == "marker" {
		if ($0 ~ /^```/) {
			state = "body"
			next
		}
		refuse("the marker of " name " is not followed by a code block")
		state = ""
	}
	state == "body" {
		if ($0 == "```") {
			state = ""
			close(out)
		} else {
			print > out
		}
		next
	}
	/^<!-- example/ {
		if (!match($0, /^<!-- example(-file|-output)?: [A-Za-z0-9._-]+ -->$/)) {
			refuse("malformed marker: " $0)
			next
		}
		kind = substr($2, 1, length($2) - 1)
		name = $3
		out = dir "/" kind "/" name
		if (seen[out]++)
			refuse(kind " " name " is marked twice")
		printf "" > out
		print kind, name > (dir "/index")
		state = "marker"
	}
	END {
		if (state != "")
			refuse("the code block of " name " does not end")
		exit refused
	}' "$readme"; then
	fail "README.md: the example markers are malformed"
	exit 1
fi
touch "$blocks/index"

# listed KIND: the names of that kind, in README order.
listed() { awk -v kind="$1" '$1 == kind { print $2 }' "$blocks/index" | xargs; }
for kind in example example-file example-output; do
	case $kind in
	example) want=$want_examples ;;
	example-file) want=$want_files ;;
	example-output) want=$want_outputs ;;
	esac
	got=$(listed "$kind")
	if [ "$got" = "$want" ]; then
		ok "README.md marks $kind blocks: $got"
	else
		fail "README.md marks $kind blocks '$got', wanted '$want' (in this order)"
	fi
done
((status == 0)) || exit 1

# The scratch directory as the README's preamble makes it, the files written into it.
scratch=$work/scratch
mkdir -p "$scratch" "$work/tmp" "$work/out"
ln -s "$source/scenarios" "$scratch/scenarios"
for file in $want_files; do
	cp "$blocks/example-file/$file" "$scratch/$file"
done

# Stand-in 1: the reporter's host.
reporter=$work/reporter
if ! "$fakesys" render "$source/scenarios/kata-10576.yaml" "$reporter" >/dev/null; then
	echo "FAIL fakesys render of the reporter's host"
	exit 1
fi
block=$blocks/example/reproduce-a-report
if [ "$(grep -cF -- "$record_line" "$block")" -ne 1 ] || ! grep -q '^sudo ' "$block"; then
	fail "reproduce-a-report: no single line starting '$record_line' to stand in for"
else
	awk -v prefix="$record_line" -v replacement="fakesys record --root $reporter " '
		index($0, prefix) == 1 { $0 = replacement substr($0, length(prefix) + 1) }
		{ print }' "$block" >"$block.here" && mv "$block.here" "$block"
	grep -q '^sudo ' "$block" && fail "reproduce-a-report: sudo is left in the block"
fi

# Stand-in 2: the library, as pkg-config finds it.
mkdir -p "$work/pkgconfig"
cat >"$work/pkgconfig/vfionaming.pc" <<EOF
Name: vfionaming
Description: libvfionaming of the build tree under test
Version: 0
Cflags: -I$source/naming/include ${CFLAGS:-}
Libs: -L$build/lib -lvfionaming ${CFLAGS:-}
EOF

# run_example NAME: runs the block in the scratch directory; its output in $work/out/NAME.*,
# its exit status in $rc.
rc=0
run_example() {
	local name=$1
	(cd "$scratch" && PATH="$build/bin:$PATH" PKG_CONFIG_PATH="$work/pkgconfig" \
		LD_LIBRARY_PATH="$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" TMPDIR="$work/tmp" \
		timeout 25 bash -euo pipefail "$blocks/example/$name") \
		>"$work/out/$name.stdout" 2>"$work/out/$name.stderr"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "$name: ran, exit status 0"
	else
		fail "$name: exit status $rc"
	fi
	if [ -n "$(mounts_left)" ]; then
		fail "$name: left mounted: $(mounts_left | xargs)"
		unmount_left
	fi
}
# expect_line NAME STREAM LINE: the example printed exactly that line on stdout or stderr.
expect_line() {
	if grep -qFx -- "$3" "$work/out/$1.$2"; then
		ok "$1: $2 has '$3'"
	else
		fail "$1: $2 lacks the line '$3'"
	fi
}
# expect_output NAME: its stdout ends with the README's output block for it.
expect_output() {
	local want=$blocks/example-output/$1 lines
	lines=$(wc -l <"$want")
	if [ "$lines" -gt 0 ] && tail -n "$lines" "$work/out/$1.stdout" | cmp -s - "$want"; then
		ok "$1: prints the README's $lines lines"
	else
		fail "$1: the README says it prints (diff: README, printed):"
		tail -n "$lines" "$work/out/$1.stdout" | diff "$want" - | sed 's/^/    /'
	fi
}
# show NAME: what it printed, after a failure.
show() {
	echo "  ---- $1: stdout"
	sed 's/^/    /' "$work/out/$1.stdout"
	echo "  ---- $1: stderr"
	sed 's/^/    /' "$work/out/$1.stderr"
}

before=$status
run_example run-your-program
expect_output run-your-program
[ "$(wc -l <"$work/out/run-your-program.stdout")" -eq 5 ] ||
	fail "run-your-program: printed more than the README shows"
((status == before)) || show run-your-program

before=$status
run_example add-a-scenario
expect_line add-a-scenario stdout "gpu-and-nic.yaml: ok (6 functions, 5 IOMMU groups)"
# What lspci names them by depends on its pci.ids; the addresses, classes and IDs do not.
for line in "17:00.0 VGA compatible controller \[0300\]: .* \[10de:2230\]" \
	"17:00.1 Audio device \[0403\]: .* \[10de:1aef\]" \
	"31:00.0 Ethernet controller \[0200\]: .* \[15b3:101d\]"; do
	grep -qx -- "$line" "$work/out/add-a-scenario.stdout" &&
		ok "add-a-scenario: lspci inside fakesys run lists ${line%% *}" ||
		fail "add-a-scenario: lspci inside fakesys run did not list '$line'"
done
expect_line add-a-scenario stdout "ok   index: Duplicate device ID 'vfio_device_0'"
expect_line add-a-scenario stdout \
	"ok   group-index: vfio_device_42_0 vfio_device_42_1 vfio_device_43_0"
expect_line add-a-scenario stdout "PASS gpu-and-nic.yaml"
((status == before)) || show add-a-scenario

before=$status
run_example reproduce-a-report
if grep -qx 'scenario: reporter-host' "$scratch/host.yaml" 2>/dev/null; then
	ok "reproduce-a-report: host.yaml is a recording named reporter-host"
else
	fail "reproduce-a-report: host.yaml is no recording named reporter-host"
fi
expect_line reproduce-a-report stdout "host.yaml: ok (5 functions, 5 IOMMU groups)"
expect_line reproduce-a-report stdout "vfio_device_0  215  0000:3b:00.0  0x020000  /dev/vfio/215"
expect_line reproduce-a-report stdout "vfio_device_0  216  0000:5e:00.0  0x020000  /dev/vfio/216"
expect_line reproduce-a-report stderr "vfio-naming: Duplicate device ID 'vfio_device_0'"
expect_line reproduce-a-report stdout "exit status 1"
expect_line reproduce-a-report stdout \
	"vfio_device_215_0  215  0000:3b:00.0  0x020000  /dev/vfio/215"
expect_line reproduce-a-report stdout \
	"vfio_device_216_0  216  0000:5e:00.0  0x020000  /dev/vfio/216"
expect_line reproduce-a-report stdout "PASS host.yaml"
((status == before)) || show reproduce-a-report

before=$status
run_example libvfionaming
expect_output libvfionaming
if [ -e "$build/lib/libvfionaming.so" ]; then
	# Whole before grep reads it: grep -q leaves early, and with pipefail ldd's SIGPIPE would
	# fail a pipeline that matched.
	libraries=$(LD_LIBRARY_PATH=$build/lib ldd "$scratch/name-sandbox" 2>&1)
	grep -q "libvfionaming.so.0 => $build/lib/" <<<"$libraries" &&
		ok "libvfionaming: name-sandbox loads the build's libvfionaming.so.0" ||
		fail "libvfionaming: name-sandbox does not load $build/lib/libvfionaming.so.0: $libraries"
fi
# The program in the README compiles clean where warnings are errors.
# shellcheck disable=SC2086 # CFLAGS are words
if cc -std=c11 -Wall -Wextra -Wpedantic -Werror ${CFLAGS:-} -fsyntax-only \
	-I"$source/naming/include" "$scratch/name-sandbox.c" >"$work/out/cc" 2>&1; then
	ok "libvfionaming: name-sandbox.c compiles with -std=c11 -Wall -Wextra -Wpedantic -Werror"
else
	fail "libvfionaming: name-sandbox.c has warnings: $(cat "$work/out/cc")"
fi
((status == before)) || show libvfionaming

exit "$status"
