#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end test of the vfio-naming command line: builds a small sysfs-like tree itself, then
# checks output columns, exit codes 0/1/2, the duplicate message on stderr and --json output,
# for group paths, PCI addresses, iommufd nodes and mediated devices.
# Usage: cli_test.sh PATH/TO/vfio-naming
set -u

cli=${1:?usage: cli_test.sh PATH/TO/vfio-naming}
work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-naming-cli.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/root
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# add_function BDF CLASS GROUP: a function below its domain's host bridge, linked as the kernel
# links it (relative links from bus/pci/devices and the group's devices/).
add_function() {
	bridge=pci${1%%:*}:00
	mkdir -p "$root/sys/devices/$bridge/$1" "$root/sys/bus/pci/devices" \
		"$root/sys/kernel/iommu_groups/$3/devices"
	printf '%s\n' "$2" >"$root/sys/devices/$bridge/$1/class"
	ln -s "../../../devices/$bridge/$1" "$root/sys/bus/pci/devices/$1"
	ln -s "../../../../devices/$bridge/$1" "$root/sys/kernel/iommu_groups/$3/devices/$1"
	ln -s "../../../kernel/iommu_groups/$3" "$root/sys/devices/$bridge/$1/iommu_group"
}

# add_vfio_dev BDF X: the iommufd node vfioX of a function made by add_function, as the kernel
# lays it out: BDF/vfio-dev/vfioX/device links back up, sys/class/vfio-dev/vfioX links to it.
add_vfio_dev() {
	bridge=pci${1%%:*}:00
	mkdir -p "$root/sys/devices/$bridge/$1/vfio-dev/vfio$2" "$root/sys/class/vfio-dev"
	ln -s "../../../$1" "$root/sys/devices/$bridge/$1/vfio-dev/vfio$2/device"
	ln -s "../../devices/$bridge/$1/vfio-dev/vfio$2" "$root/sys/class/vfio-dev/vfio$2"
}

# add_mdev PARENT_BDF UUID GROUP: a mediated device below its parent, alone in its group.
add_mdev() {
	bridge=pci${1%%:*}:00
	mkdir -p "$root/sys/devices/$bridge/$1/$2" "$root/sys/kernel/iommu_groups/$3/devices"
	ln -s "../../../../devices/$bridge/$1/$2" "$root/sys/kernel/iommu_groups/$3/devices/$2"
	ln -s "../../../../kernel/iommu_groups/$3" "$root/sys/devices/$bridge/$1/$2/iommu_group"
}

# run ARGS...: runs the CLI, leaving $status, $work/out and $work/err.
run() {
	"$cli" "$@" >"$work/out" 2>"$work/err"
	status=$?
}

expect_status() {
	[ "$status" -eq "$1" ] || fail "$2: exit $status, expected $1 (stderr: $(cat "$work/err"))"
}

expect_stderr_line() {
	grep -qxF -- "$1" "$work/err" || fail "$2: stderr lacks '$1': $(cat "$work/err")"
}

add_function 0000:3b:00.0 0x020000 215
add_function 0000:3c:00.0 0x020000 216
add_function 0000:00:1c.0 0x060400 7
add_function 0000:03:00.1 0x010802 7
add_function 0000:03:00.0 0x010802 7

# The fix: one line per device, columns awk can split.
run --root "$root" /dev/vfio/215 /dev/vfio/216 0000:03:00.1
expect_status 0 "group-index"
[ ! -s "$work/err" ] || fail "group-index: unexpected stderr: $(cat "$work/err")"
got=$(awk '{ print $1, $2, $3, $4, $5 }' "$work/out")
want="vfio_device_215_0 215 0000:3b:00.0 0x020000 /dev/vfio/215
vfio_device_216_0 216 0000:3c:00.0 0x020000 /dev/vfio/216
vfio_device_7_0 7 0000:03:00.0 0x010802 0000:03:00.1
vfio_device_7_1 7 0000:03:00.1 0x010802 0000:03:00.1"
[ "$got" = "$want" ] || fail "group-index columns: got
$got"
# Aligned for people: the second column starts at the same offset on every line.
offsets=$(awk '{ print index($0, " " $2 " ") }' "$work/out" | sort -u | wc -l)
[ "$offsets" -eq 1 ] || fail "columns are not aligned: $(cat "$work/out")"

# The report: the legacy scheme collides, in QEMU's words, and names both devices.
run --root "$root" --scheme index /dev/vfio/215 /dev/vfio/216
expect_status 1 "index scheme"
expect_stderr_line "vfio-naming: Duplicate device ID 'vfio_device_0'" "index scheme"
grep -q "0000:3b:00.0.*215.*0000:3c:00.0.*216" "$work/err" ||
	fail "index scheme: second line should name both devices: $(cat "$work/err")"
[ "$(wc -l <"$work/out")" -eq 2 ] || fail "index scheme: devices should still be listed"

# The same group handed over twice is a duplicate under the fix too.
run --root "$root" /dev/vfio/215 0000:3b:00.0
expect_status 1 "same group twice"
expect_stderr_line "vfio-naming: Duplicate device ID 'vfio_device_215_0'" "same group twice"

run --root "$root" --prefix physical_nic_endpoint_xyz1 /dev/vfio/215
expect_status 1 "long prefix"
expect_stderr_line "vfio-naming: Device ID 'physical_nic_endpoint_xyz1_215_0' is 32 bytes; the limit is 31" \
	"long prefix"

# Input errors name the path at fault.
run --root "$root" /dev/vfio/12
expect_status 2 "missing group"
expect_stderr_line "vfio-naming: IOMMU group 12 does not exist: $root/sys/kernel/iommu_groups/12: No such file or directory" \
	"missing group"
[ ! -s "$work/out" ] || fail "missing group: stdout should be empty"

run --root "$root" /dev/vfio/0215
expect_status 2 "leading zero"
expect_stderr_line "vfio-naming: '/dev/vfio/0215' is not a VFIO group path (/dev/vfio/<N>, /dev/vfio/noiommu-<N>) or a PCI address" \
	"leading zero"

# Usage errors.
for args in "--bogus /dev/vfio/215" "--scheme legacy /dev/vfio/215" "--root" "--json"; do
	# shellcheck disable=SC2086 # split on purpose
	run $args
	expect_status 2 "usage: $args"
	grep -q "^Usage: vfio-naming" "$work/err" || fail "usage: $args: no usage on stderr"
done
run
expect_status 2 "no host path"

run --help
expect_status 0 "--help"
grep -q "^Usage: vfio-naming" "$work/out" || fail "--help: no usage on stdout"
run --version
expect_status 0 "--version"
[ "$(cat "$work/out")" = "vfio-naming 0.1.0" ] || fail "--version: $(cat "$work/out")"

# JSON, on success, check failure and input error.
run --root "$root" --json /dev/vfio/215 /dev/vfio/216
expect_status 0 "json"
want='{"scheme":"group-index","prefix":"vfio_device","ok":true,"devices":[{"id":"vfio_device_215_0","group":215,"index":0,"bdf":"0000:3b:00.0","mdev":null,"class":"0x020000","host_path":"/dev/vfio/215"},{"id":"vfio_device_216_0","group":216,"index":0,"bdf":"0000:3c:00.0","mdev":null,"class":"0x020000","host_path":"/dev/vfio/216"}]}'
[ "$(cat "$work/out")" = "$want" ] || fail "json: got $(cat "$work/out")"

run --root "$root" --json --scheme index /dev/vfio/215 /dev/vfio/216
expect_status 1 "json index"
grep -qF '"scheme":"index","prefix":"vfio_device","ok":false,"error":"Duplicate device ID '"'vfio_device_0'"'","devices":[{"id":"vfio_device_0",' \
	"$work/out" || fail "json index: got $(cat "$work/out")"

run --root "$root" --json /dev/vfio/12
expect_status 2 "json input error"
if ! grep -qF '"ok":false,"error":"IOMMU group 12 does not exist: ' "$work/out" ||
	! grep -qF '"devices":[]}' "$work/out"; then
	fail "json input error: got $(cat "$work/out")"
fi

# Strings are escaped: quote, backslash and a control character in the prefix.
run --root "$root" --json --prefix "$(printf 'a"b\\\tc')" /dev/vfio/215
expect_status 1 "json escaping"
grep -qF '"prefix":"a\"b\\\u0009c"' "$work/out" || fail "json escaping: got $(cat "$work/out")"

# An iommufd node stands for its one device, with the index it has in its group (7: a bridge
# that takes no index, then 03:00.0 and 03:00.1).
add_vfio_dev 0000:03:00.1 4
add_vfio_dev 0000:03:00.0 9
run --root "$root" /dev/vfio/devices/vfio4 /dev/vfio/215
expect_status 0 "iommufd"
got=$(awk '{ print $1, $2, $3, $4, $5 }' "$work/out")
want="vfio_device_7_1 7 0000:03:00.1 0x010802 /dev/vfio/devices/vfio4
vfio_device_215_0 215 0000:3b:00.0 0x020000 /dev/vfio/215"
[ "$got" = "$want" ] || fail "iommufd columns: got
$got"

# Handing over the node and its whole group gives the node's device twice.
run --root "$root" /dev/vfio/7 /dev/vfio/devices/vfio4
expect_status 1 "iommufd and group"
expect_stderr_line "vfio-naming: Duplicate device ID 'vfio_device_7_1'" "iommufd and group"
expect_stderr_line "vfio-naming: 0000:03:00.1 (IOMMU group 7) is handed over twice, by '/dev/vfio/7' and '/dev/vfio/devices/vfio4'" \
	"iommufd and group"
[ "$(wc -l <"$work/out")" -eq 3 ] || fail "iommufd and group: devices should still be listed"

run --root "$root" /dev/vfio/devices/vfio5
expect_status 2 "missing vfio-dev"
expect_stderr_line "vfio-naming: /dev/vfio/devices/vfio5 has no device: $root/sys/class/vfio-dev/vfio5/device: No such file or directory" \
	"missing vfio-dev"
[ ! -s "$work/out" ] || fail "missing vfio-dev: stdout should be empty"

run --root "$root" /dev/vfio/devices/vfio04
expect_status 2 "iommufd leading zero"
expect_stderr_line "vfio-naming: '/dev/vfio/devices/vfio04' is not a VFIO device path (/dev/vfio/devices/vfio<X>)" \
	"iommufd leading zero"

# Mediated devices: named by parent/UUID, class 0, one column like any device.
mdev_a=6a0bc5e4-1d2f-4e3a-9b8c-0123456789ab
mdev_b=6a0bc5e4-1d2f-4e3a-9b8c-0123456789ac
add_mdev 0000:3b:00.0 $mdev_a 300
add_mdev 0000:3b:00.0 $mdev_b 301
run --root "$root" /dev/vfio/300 /dev/vfio/215
expect_status 0 "mdev"
got=$(awk '{ print $1, $2, $3, $4, $5 }' "$work/out")
want="vfio_device_300_0 300 0000:3b:00.0/$mdev_a 0x000000 /dev/vfio/300
vfio_device_215_0 215 0000:3b:00.0 0x020000 /dev/vfio/215"
[ "$got" = "$want" ] || fail "mdev columns: got
$got"
offsets=$(awk '{ print index($0, " " $4 " ") }' "$work/out" | sort -u | wc -l)
[ "$offsets" -eq 1 ] || fail "mdev: class column is not aligned: $(cat "$work/out")"

# Two mdevs of one parent are two devices, not one handed over twice.
run --root "$root" --scheme index /dev/vfio/300 /dev/vfio/301
expect_status 1 "mdev index scheme"
expect_stderr_line "vfio-naming: Duplicate device ID 'vfio_device_0'" "mdev index scheme"
expect_stderr_line "vfio-naming: 0000:3b:00.0/$mdev_a (IOMMU group 300, /dev/vfio/300) and 0000:3b:00.0/$mdev_b (IOMMU group 301, /dev/vfio/301) both get 'vfio_device_0'; --scheme group-index puts the group number in the ID" \
	"mdev index scheme"

run --root "$root" --json /dev/vfio/300 /dev/vfio/devices/vfio9
expect_status 0 "json mdev"
want='{"scheme":"group-index","prefix":"vfio_device","ok":true,"devices":[{"id":"vfio_device_300_0","group":300,"index":0,"bdf":"0000:3b:00.0","mdev":"'$mdev_a'","class":"0x000000","host_path":"/dev/vfio/300"},{"id":"vfio_device_7_0","group":7,"index":0,"bdf":"0000:03:00.0","mdev":null,"class":"0x010802","host_path":"/dev/vfio/devices/vfio9"}]}'
[ "$(cat "$work/out")" = "$want" ] || fail "json mdev: got $(cat "$work/out")"

run --root "$root" --help
grep -q "/dev/vfio/devices/vfio<X>" "$work/out" || fail "--help does not mention iommufd nodes"
grep -q "<parent PCI address>/<UUID>" "$work/out" || fail "--help does not say how mdevs are shown"

if command -v python3 >/dev/null 2>&1; then
	for args in "/dev/vfio/215 /dev/vfio/216" "--scheme index /dev/vfio/215 /dev/vfio/216" \
		"/dev/vfio/12" "/dev/vfio/300 /dev/vfio/devices/vfio4" "/dev/vfio/devices/vfio5"; do
		# shellcheck disable=SC2086 # split on purpose
		run --root "$root" --json $args
		python3 -c 'import json, sys; json.load(sys.stdin)' <"$work/out" ||
			fail "json for '$args' does not parse: $(cat "$work/out")"
	done
	run --root "$root" --json --prefix "$(printf 'a"b\\\tc')" /dev/vfio/215
	python3 -c 'import json, sys; assert json.load(sys.stdin)["prefix"] == "a\"b\\\tc"' \
		<"$work/out" || fail "json escaping does not round-trip: $(cat "$work/out")"
fi

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed" >&2
	exit 1
fi
echo "vfio-naming CLI: all checks passed"
