#!/usr/bin/env bash
# vfio-naming on a fakesys mount whose host changes under it, through plain writes as a runtime's
# setup makes them: a whole multi-function group moved from its host drivers to vfio-pci (named
# in both schemes once every member is bound, refused as not viable while one is still on a host
# driver), functions removed between two namings, and devices that disappear in the middle of an
# enumeration (mount --fault). A naming that fails exits 2, says which path, and prints no ID.
# usage: live_test.sh FAKESYS VFIO_NAMING GPU_AUDIO_SCENARIO BRIDGE_GROUP_SCENARIO
# (gpu-audio-shared-group: 65:00.0 and .1 in group 42; bridge-shares-group: bridge 02:00.0 and
# NICs 03:00.0 (10ec:8169) and 03:01.0 (8086:107c) in group 9, drivers r8169 and e1000 idle)
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
setup_work naming-live "$1"
naming=$2
gpu_audio=$3
bridge_group=$4

# name ROOT ARGS...: vfio-naming --root ROOT ARGS..., leaving $rc, $work/out and $work/err.
name() {
	"$naming" --root "$@" >"$work/out" 2>"$work/err"
	rc=$?
}

# expect_ids WHAT WANT: exit 0, nothing on stderr, and the lines pair exactly these IDs with
# these devices, in order (WANT: "ID=BDF ..."), no ID twice.
expect_ids() {
	local got dups
	got=$(awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $1, $3 }' "$work/out")
	dups=$(awk '{ print $1 }' "$work/out" | sort | uniq -d)
	if [ "$rc" -ne 0 ] || [ -s "$work/err" ]; then
		fail "$1: exit $rc: $(cat "$work/err")"
	elif [ "$got" != "$2" ]; then
		fail "$1: named '$got', wanted '$2'"
	elif [ -n "$dups" ]; then
		fail "$1: duplicate $dups"
	else
		ok "$1: $2"
	fi
}

# expect_refused WHAT MESSAGE: exit 2, stderr is exactly "vfio-naming: MESSAGE", and stdout holds
# no ID at all.
expect_refused() {
	local err
	err=$(cat "$work/err")
	if [ "$rc" -ne 2 ]; then
		fail "$1: exit $rc, wanted 2 (stdout '$(cat "$work/out")', stderr '$err')"
	elif [ -s "$work/out" ]; then
		fail "$1: printed IDs on failure: $(cat "$work/out")"
	elif [ "$err" != "vfio-naming: $2" ]; then
		fail "$1: said '$err', wanted 'vfio-naming: $2'"
	else
		ok "$1: $2"
	fi
}

expect_node() {
	if [ -c "$2" ]; then ok "$1: $(basename "$2") is there"; else fail "$1: no $2"; fi
}

expect_no_node() {
	if [ -e "$2" ]; then fail "$1: $2 is there"; else ok "$1: no $(basename "$2")"; fi
}

# move_to_vfio BDF DRIVER HOW: off DRIVER (none: unbound already), then onto vfio-pci by its
# driver_override and HOW: "probe" (drivers_probe) or "bind" (vfio-pci's bind).
move_to_vfio() {
	local bdf=$1 drv=$mnt/sys/bus/pci/drivers
	[ "$2" = none ] || expect_write "$bdf off $2" "$bdf" "$drv/$2/unbind" ok
	expect_write "$bdf driver_override" 'vfio-pci\n' "$mnt/sys/bus/pci/devices/$bdf/driver_override" ok
	if [ "$3" = probe ]; then
		expect_write "$bdf drivers_probe" "$bdf\n" "$mnt/sys/bus/pci/drivers_probe" ok
	else
		expect_write "$bdf bind" "$bdf" "$drv/vfio-pci/bind" ok
	fi
	expect_link "$bdf" "$mnt/sys/bus/pci/devices/$bdf/driver" "drivers/vfio-pci"
}

echo "== gpu-audio-shared-group: group 42 off vfio-pci and back, function by function"
mnt=$work/mnt-gpu
mount_scenario "$gpu_audio" "$mnt"
name "$mnt" /dev/vfio/42
expect_ids "as mounted" "vfio_device_42_0=0000:65:00.0 vfio_device_42_1=0000:65:00.1"
expect_write "unbind the GPU" '0000:65:00.0' "$mnt/sys/bus/pci/drivers/vfio-pci/unbind" ok
expect_node "one function still on vfio-pci" "$mnt/dev/vfio/42"
expect_write "unbind the audio function" '0000:65:00.1' "$mnt/sys/bus/pci/drivers/vfio-pci/unbind" ok
expect_no_node "no function on vfio-pci" "$mnt/dev/vfio/42"
move_to_vfio 0000:65:00.0 none probe
expect_node "the first function back" "$mnt/dev/vfio/42"
move_to_vfio 0000:65:00.1 none bind
expect_node "the whole group on vfio-pci" "$mnt/dev/vfio/42"
name "$mnt" /dev/vfio/42
expect_ids "group-index" "vfio_device_42_0=0000:65:00.0 vfio_device_42_1=0000:65:00.1"
name "$mnt" --scheme index /dev/vfio/42
expect_ids "index" "vfio_device_0=0000:65:00.0 vfio_device_1=0000:65:00.1"
name "$mnt" 0000:65:00.1
expect_ids "by the audio function's address" \
	"vfio_device_42_0=0000:65:00.0 vfio_device_42_1=0000:65:00.1"
"$fakesys" umount "$mnt" || fail "umount $mnt"

echo "== bridge-shares-group: group 9 from its host drivers to vfio-pci"
mnt=$work/mnt-bridge
mount_scenario "$bridge_group" "$mnt"
drv=$mnt/sys/bus/pci/drivers
not_viable="IOMMU group 9 is not viable"
must="every device of the group must be bound to vfio-pci, pci-stub or pcieport, or to no driver"
expect_write "03:00.0 off vfio-pci" '0000:03:00.0' "$drv/vfio-pci/unbind" ok
expect_write "03:01.0 off vfio-pci" '0000:03:01.0' "$drv/vfio-pci/unbind" ok
expect_write "r8169 claims 10ec:8169" '10ec 8169' "$drv/r8169/new_id" ok
expect_write "e1000 claims 8086:107c" '8086 107c\n' "$drv/e1000/new_id" ok
expect_link "03:00.0" "$mnt/sys/bus/pci/devices/0000:03:00.0/driver" "drivers/r8169"
expect_link "03:01.0" "$mnt/sys/bus/pci/devices/0000:03:01.0/driver" "drivers/e1000"
expect_no_node "nothing on vfio-pci" "$mnt/dev/vfio/9"
name "$mnt" /dev/vfio/9
expect_refused "both on host drivers" "$not_viable: 0000:03:00.0 is bound to r8169 \
($mnt/sys/kernel/iommu_groups/9/devices/0000:03:00.0/driver); $must"

move_to_vfio 0000:03:00.0 r8169 probe
expect_node "one NIC on vfio-pci" "$mnt/dev/vfio/9"
half="$not_viable: 0000:03:01.0 is bound to e1000 \
($mnt/sys/kernel/iommu_groups/9/devices/0000:03:01.0/driver); $must"
name "$mnt" /dev/vfio/9
expect_refused "half bound, group-index" "$half"
name "$mnt" --scheme index /dev/vfio/9
expect_refused "half bound, index" "$half"
name "$mnt" 0000:03:00.0
expect_refused "half bound, by the bound NIC's address" "$half"
name "$mnt" --json /dev/vfio/9
if grep -q '"ok":false' "$work/out" && grep -q '"devices":\[\]}$' "$work/out"; then
	ok "half bound, --json: not ok, no devices"
else
	fail "half bound, --json: $(cat "$work/out")"
fi

move_to_vfio 0000:03:01.0 e1000 bind
expect_node "both NICs on vfio-pci" "$mnt/dev/vfio/9"
name "$mnt" /dev/vfio/9
expect_ids "group-index, the bridge left out" "vfio_device_9_0=0000:03:00.0 vfio_device_9_1=0000:03:01.0"
name "$mnt" --scheme index /dev/vfio/9
expect_ids "index" "vfio_device_0=0000:03:00.0 vfio_device_1=0000:03:01.0"

echo "== bridge-shares-group: functions removed between two namings"
expect_write "remove 03:01.0" '1' "$mnt/sys/bus/pci/devices/0000:03:01.0/remove" ok
name "$mnt" /dev/vfio/9 0000:03:01.0
expect_refused "the removed NIC by its address" "0000:03:01.0 has no IOMMU group: \
$mnt/sys/bus/pci/devices/0000:03:01.0/iommu_group: No such file or directory"
name "$mnt" /dev/vfio/9
expect_ids "the group without it" "vfio_device_9_0=0000:03:00.0"
expect_write "remove the bridge, and the NIC below it" '1' \
	"$mnt/sys/bus/pci/devices/0000:02:00.0/remove" ok
expect_no_node "group 9 emptied" "$mnt/dev/vfio/9"
name "$mnt" /dev/vfio/9
expect_refused "the emptied group" "IOMMU group 9 does not exist: \
$mnt/sys/kernel/iommu_groups/9: No such file or directory"
expect_write "rescan" '1' "$mnt/sys/bus/pci/rescan" ok
expect_link "found again, 03:00.0" "$mnt/sys/bus/pci/devices/0000:03:00.0/driver" "drivers/r8169"
expect_link "found again, 03:01.0" "$mnt/sys/bus/pci/devices/0000:03:01.0/driver" "drivers/e1000"
name "$mnt" /dev/vfio/9
expect_refused "back on their host drivers" "$not_viable: 0000:03:00.0 is bound to r8169 \
($mnt/sys/kernel/iommu_groups/9/devices/0000:03:00.0/driver); $must"
"$fakesys" umount "$mnt" || fail "umount $mnt"

echo "== gpu-audio-shared-group: the audio function gone in the middle of an enumeration"
audio_entry=sys/kernel/iommu_groups/42/devices/0000:65:00.1
# with_fault RULE HOSTPATH MESSAGE: on a fresh mount with RULE (nothing cached before it),
# naming HOSTPATH is refused with MESSAGE ("$mnt" in it stands for the mount).
faults=0
with_fault() {
	faults=$((faults + 1))
	mnt=$work/mnt-fault$faults
	mount_scenario "$gpu_audio" "$mnt" --trace "$work/trace$faults" --fault "$1"
	name "$mnt" "$2"
	expect_refused "$1, $2" "${3//\$mnt/$mnt}"
	"$fakesys" umount "$mnt" || fail "umount $mnt"
}
# The device's directory vanishes: the group still lists its link, which leads nowhere.
gone="IOMMU group 42 lists 0000:65:00.1, which is gone: \$mnt/$audio_entry: No such file or directory"
with_fault 'sys/devices/**/0000:65:00.1 all vanish' /dev/vfio/42 "$gone"
if grep -q '"op":"readdir[a-z]*","path":"sys/kernel/iommu_groups/42/devices","result":[1-9]' \
	"$work/trace$faults" &&
	grep -q '"op":"lookup","path":"sys/devices/[^"]*/0000:65:00.1",.*"errno":"ENOENT"' \
		"$work/trace$faults"; then
	ok "listed by the group, then not found"
else
	fail "trace: $(grep -e 'iommu_groups/42/devices"' -e '0000:65:00.1"' "$work/trace$faults")"
fi
with_fault 'sys/devices/**/0000:65:00.1 all vanish' 0000:65:00.0 "$gone"
with_fault 'sys/devices/**/0000:65:00.1 all vanish' 0000:65:00.1 \
	"0000:65:00.1 has no IOMMU group: \$mnt/sys/bus/pci/devices/0000:65:00.1/iommu_group: No such file or directory"
# The group's own entry goes as it is followed: still listed, no longer there to look up.
with_fault "$audio_entry all vanish" /dev/vfio/42 "$gone"
with_fault 'sys/kernel/iommu_groups/42/devices readdir errno=EIO' /dev/vfio/42 \
	"cannot list IOMMU group 42: \$mnt/sys/kernel/iommu_groups/42/devices: Input/output error"
with_fault 'sys/devices/**/0000:65:00.1/driver readlink errno=EIO' /dev/vfio/42 \
	"cannot read the driver of 0000:65:00.1: \$mnt/$audio_entry/driver: Input/output error"
with_fault 'sys/devices/**/0000:65:00.1/class open errno=ENODEV' /dev/vfio/42 \
	"cannot read the class of 0000:65:00.1: \$mnt/$audio_entry/class: No such device"
with_fault 'sys/devices/**/0000:65:00.1/class read errno=EIO' /dev/vfio/42 \
	"cannot read the class of 0000:65:00.1: \$mnt/$audio_entry/class: Input/output error"
exit $status
