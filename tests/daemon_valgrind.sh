#!/usr/bin/env bash
# The daemon under valgrind memcheck: mount in the foreground, walk and read the whole tree from
# four processes at once, run lspci over it, unmount at once (so some releases are still in
# flight), and require a silent log: no invalid access, no leak.
# usage: daemon_valgrind.sh FAKESYS SCENARIO
set -u
fakesys=$1
scenario=$2

work=$(mktemp -d "${TMPDIR:-/tmp}/fakesys-valgrind.XXXXXX")
mnt=$work/mnt
log=$work/valgrind.log
mkdir "$mnt"
cleanup() {
	mountpoint -q "$mnt" && { "$fakesys" umount "$mnt" || umount -l "$mnt"; }
	rm -rf "$work"
}
trap cleanup EXIT

valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible --log-file="$log" \
	"$fakesys" mount -f "$scenario" "$mnt" &
daemon=$!
for _ in $(seq 100); do mountpoint -q "$mnt" && break; sleep 0.1; done
if ! mountpoint -q "$mnt"; then
	echo "FAIL: the mount did not come up under valgrind"
	cat "$log"
	exit 1
fi

walkers=()
for _ in 1 2 3 4; do
	(find "$mnt" -type f -exec cat {} + >/dev/null 2>&1
	 find "$mnt" -type l -exec readlink -f {} + >/dev/null) &
	walkers+=($!)
done
# Writes and fakesys ctl commands that rebuild the tree, while a walker reads, and a file left
# open across a removal.
pci=$mnt/sys/bus/pci
(find "$mnt" -type f -exec cat {} + >/dev/null 2>&1) &
walkers+=($!)
printf 'scenario: broken\ndevices: {0000:00:00.0: {id: 8086}}\n' >"$work/broken.yaml"
exec 5<"$pci/devices/0000:5e:00.0/vendor"
if ! { echo 0000:3b:00.0 >"$pci/drivers/vfio-pci/unbind" &&
	echo vfio-pci >"$pci/devices/0000:3b:00.0/driver_override" &&
	echo 0000:3b:00.0 >"$pci/drivers_probe" &&
	echo 1 >"$pci/devices/0000:5e:00.0/remove" &&
	! cat <&5 2>/dev/null &&
	echo 1 >"$pci/rescan" &&
	echo "1af4 1041" >"$pci/drivers/vfio-pci/new_id" &&
	echo "1af4 1041" >"$pci/drivers/vfio-pci/remove_id" &&
	"$fakesys" ctl "$mnt" unplug 0000:3b:00.0 &&
	"$fakesys" ctl "$mnt" plug 0000:3b:00.0 &&
	"$fakesys" ctl "$mnt" fault 'sys/devices/** read errno=EIO count=3' &&
	"$fakesys" ctl "$mnt" faults >/dev/null &&
	! "$fakesys" ctl "$mnt" reload "$work/broken.yaml" 2>/dev/null &&
	"$fakesys" ctl "$mnt" reload &&
	"$fakesys" ctl "$mnt" faults clear; }; then
	echo "FAIL: a write through the mount"
	"$fakesys" umount "$mnt"
	exit 1
fi
exec 5<&-
wait "${walkers[@]}"
lspci -A linux-sysfs -O sysfs.path="$mnt/sys/bus/pci" -vvv -xxxx >/dev/null 2>&1
entries=$(find "$mnt" | wc -l)
"$fakesys" umount "$mnt"
wait "$daemon"
status=$?

if [ "$status" -ne 0 ] || [ -s "$log" ]; then
	echo "FAIL: daemon exit status $status; valgrind says:"
	cat "$log"
	exit 1
fi
echo "ok   $entries entries walked and read by 4 processes, tree-changing writes; valgrind clean"
