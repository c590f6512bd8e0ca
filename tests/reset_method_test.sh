#!/usr/bin/env bash
# A function's reset_method and reset through the mount, with plain shell writes: the list the
# kernel probes when it finds the device, the orders and subsets written into it, the errnos of
# reset_method_store() and pci_reset_function(), and a bus reset, which needs the function
# alone on its bus, as siblings and VFs come and go. At boot a function is probed before it
# joins its bus, after the functions with a lower address and before any VF.
# usage: reset_method_test.sh FAKESYS SCENARIO (sriov-vfs-own-groups.yaml: PF 3b:00.0 with VFs
# 3b:02.0-7 on its own bus, and its sibling port 3b:00.1, behind root port 3a:00.0)
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work reset-method "$1"
mnt=$work/mnt
mount_scenario "$2" "$mnt"
dev=$mnt/sys/bus/pci/devices
pf=$dev/0000:3b:00.0
sibling=$dev/0000:3b:00.1
f=$pf/reset_method

# expect_empty WHAT FILE: the file is there and reads as no bytes at all (not even "\n").
expect_empty() {
	local bytes
	bytes=$(wc -c <"$2" 2>&1)
	if [ "$bytes" = 0 ]; then ok "$1 reads nothing"; else fail "$1: read '$bytes' bytes"; fi
}

echo "== the list probed when the device was found"
expect_read "PF, probed at boot before its sibling and its VFs were on the bus" "$f" "flr bus"
expect_read "sibling, probed with the PF already on the bus: FLR only" \
	"$sibling/reset_method" "flr"
expect_read "VF" "$dev/0000:3b:02.0/reset_method" "flr"
expect_link "a root port (no FLR, no bridge above it)" "$dev/0000:3a:00.0/reset_method" absent
expect_link "nor reset there" "$dev/0000:3a:00.0/reset" absent

echo "== names the device cannot take (EINVAL, list unchanged)"
expect_write "bus with company on the bus" 'bus\n' "$f" "Invalid argument"
expect_write "the probed list written back: its bus has company now" 'flr bus' "$f" \
	"Invalid argument"
expect_write "pm (the device keeps its state in D3hot)" 'pm' "$f" "Invalid argument"
expect_write "a supported name after an unsupported one" 'pm flr' "$f" "Invalid argument"
expect_write "an unknown name" 'warm\n' "$f" "Invalid argument"
expect_write "names are case-sensitive" 'FLR' "$f" "Invalid argument"
expect_write "a tab does not separate" 'flr\tflr' "$f" "Invalid argument"
expect_write "default with another name" 'default flr' "$f" "Invalid argument"
expect_read "after the refusals" "$f" "flr bus"
expect_write "reset: FLR, first on the list" '1' "$pf/reset" ok

echo "== lists written"
expect_write "a name repeated" 'flr flr\n' "$f" ok
expect_read "repeats kept" "$f" "flr flr"
expect_write "seven names (a full list)" 'flr flr flr flr flr flr flr' "$f" ok
expect_read "full list" "$f" "flr flr flr flr flr flr flr"
expect_write "eight names" 'flr flr flr flr flr flr flr flr' "$f" "Invalid argument"
expect_read "after too many" "$f" "flr flr flr flr flr flr flr"
expect_write "spaces around the name" '  flr  \n' "$f" ok
expect_read "trimmed" "$f" "flr"
expect_write "text past a NUL is not read" 'flr flr\0warm' "$f" ok
expect_read "up to the NUL" "$f" "flr flr"
expect_write "two newlines" 'flr\n\n' "$f" ok
expect_read "trimmed of both" "$f" "flr"

echo "== empty list: reset is off"
expect_write "a bare newline" '\n' "$f" ok
expect_empty "emptied reset_method" "$f"
expect_write "reset with no method" '1' "$pf/reset" "Inappropriate ioctl for device"
if [ -f "$pf/reset" ] && [ -f "$f" ]; then
	ok "reset and reset_method stay with no method"
else
	fail "reset or reset_method went with the last method"
fi
expect_write "default" 'default\n' "$f" ok
expect_read "probed again, with the sibling and VFs on the bus" "$f" "flr"
expect_write "reset" '1\n' "$pf/reset" ok
expect_write "reset 0" '0' "$pf/reset" "Invalid argument"
expect_write "spaces only also empty it" '   ' "$f" ok
expect_empty "reset_method after spaces" "$f"
expect_write "default without a newline" 'default' "$f" ok
expect_read "probed again" "$f" "flr"

echo "== a list outlives a rebuild of the tree"
expect_write "PF: flr flr" 'flr flr' "$f" ok
expect_write "sibling: no method" '\n' "$sibling/reset_method" ok
expect_write "unbind a VF from vfio-pci (the tree is built again)" '0000:3b:02.0' \
	"$mnt/sys/bus/pci/drivers/vfio-pci/unbind" ok
expect_link "the VF went unbound" "$dev/0000:3b:02.0/driver" absent
expect_read "PF after the rebuild" "$f" "flr flr"
expect_empty "sibling after the rebuild" "$sibling/reset_method"

echo "== a bus reset once the PF is alone on its bus"
expect_write "remove the sibling" '1' "$sibling/remove" ok
expect_link "sibling gone" "$sibling" absent
expect_read "the probed list is kept (no probe since)" "$f" "flr flr"
expect_write "bus while the PF's VFs share the bus" 'bus' "$f" "Invalid argument"
expect_write "disable the VFs" '0' "$pf/sriov_numvfs" ok
expect_link "VFs gone" "$dev/0000:3b:02.0" absent
expect_write "bus, alone now" 'bus\n' "$f" ok
expect_read "bus" "$f" "bus"
expect_write "reset through the bridge" '1' "$pf/reset" ok
expect_write "default probes again" 'default' "$f" ok
expect_read "the bus joins the default list" "$f" "flr bus"
expect_write "reordered" 'bus flr\n' "$f" ok
expect_read "reordered" "$f" "bus flr"
expect_write "a subset" 'flr' "$f" ok
expect_read "subset" "$f" "flr"

echo "== company again: the bus reset stops working"
expect_write "bus first, then FLR" 'bus flr' "$f" ok
expect_write "enable VFs again" '8' "$pf/sriov_numvfs" ok
expect_read "a VF enabled again" "$dev/0000:3b:02.0/reset_method" "flr"
expect_read "the PF's list stays" "$f" "bus flr"
expect_write "reset falls through to FLR" '1' "$pf/reset" ok
expect_write "bus with the VFs back" 'bus' "$f" "Invalid argument"
expect_write "disable the VFs" '0' "$pf/sriov_numvfs" ok
expect_write "bus alone again" 'bus' "$f" ok
expect_write "rescan" '1' "$mnt/sys/bus/pci/rescan" ok
expect_read "sibling found again, with its list probed anew" "$sibling/reset_method" "flr"
expect_read "PF keeps what was written" "$f" "bus"
expect_write "reset with only the bus method" '1' "$pf/reset" "Inappropriate ioctl for device"
expect_write "bus with the sibling back" 'bus' "$f" "Invalid argument"
expect_write "default" 'default' "$f" ok
expect_read "default with the sibling back" "$f" "flr"
expect_write "reset" '1' "$pf/reset" ok

exit "$status"
