#!/usr/bin/env bash
# Writes that change the tree, through the mount with plain shell writes: binding and
# unbinding drivers (ID tables, new_id, driver_override), SR-IOV enabling, removal and rescans,
# /dev/vfio/<N> coming and going with vfio-pci bindings, and every errno the kernel gives. Each
# change must be seen at once by a process that had already looked (the kernel's caches).
# usage: hotplug_test.sh FAKESYS
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work hotplug "$1"
mnt=$work/mnt

cat >"$work/host.yaml" <<'YAML'
scenario: hotplug
host: {cpus: 8, numa_nodes: 2}
devices:
  0000:00:00.0: {id: 8086:2020, class: host-bridge}
  0000:00:01.0: {id: 8086:1572, class: ethernet, driver: i40e, group: 1, pcie: true,
                 sriov: {total: 4, num: 0, offset: 32, vf_id: 154c, vf_driver: iavf}}
  0000:00:02.0: {id: 8086:10fb, class: ethernet, driver: ixgbe, group: 2, pcie: true}
  0000:00:02.1: {id: 8086:10fb, class: ethernet, group: 2, pcie: true}
  0000:00:03.0: {id: 8086:2030, class: pci-bridge, driver: pcieport, group: 3, secondary: 0x10}
  0000:00:04.0: {id: 8086:1572, class: ethernet, driver: i40e, group: 5, pcie: true,
                 sriov: {total: 2, num: 0, offset: 1, vf_id: 154c}}
  0000:00:04.2: {id: 8086:1572, class: ethernet, group: 5, pcie: true}
  0000:00:0a.0: {id: 8086:1521, class: ethernet, group: 6, pcie: true}
  0000:10:00.0: {id: 15b3:1017, class: ethernet, driver: mlx5_core, group: 4}
YAML
mount_scenario "$work/host.yaml" "$mnt" -o allow_other
dev=$mnt/sys/bus/pci/devices
drv=$mnt/sys/bus/pci/drivers
groups=$mnt/sys/kernel/iommu_groups
vfio=$mnt/dev/vfio

# Look first, so that what follows must get past the kernel's caches.
ls -R "$mnt" >/dev/null 2>&1
ls "$dev/0000:00:02.1/driver" "$vfio/2" >/dev/null 2>&1

echo "== bind and unbind (bind_store, unbind_store)"
expect_write "unbind from a driver it is not bound to" '0000:00:02.0' "$drv/i40e/unbind" "No such device"
expect_write "unbind a device that is not there" '0000:00:09.0' "$drv/ixgbe/unbind" "No such device"
expect_write "unbind" '0000:00:02.0\n' "$drv/ixgbe/unbind" ok
expect_link "unbound" "$dev/0000:00:02.0/driver" absent
expect_link "the driver lets go" "$drv/ixgbe/0000:00:02.0" absent
expect_write "bind: the ID table matches" '0000:00:02.1' "$drv/ixgbe/bind" ok
expect_link "bound" "$dev/0000:00:02.1/driver" "drivers/ixgbe"
expect_link "the driver holds it" "$drv/ixgbe/0000:00:02.1" "0000:00:02.1"
expect_write "bind a bound device" '0000:00:02.1' "$drv/ixgbe/bind" "Device or resource busy"
expect_write "bind where the ID table does not match" '0000:00:02.0' "$drv/i40e/bind" "No such device"
expect_write "bind by a name the kernel would not know" '0000:00:02.0 ' "$drv/ixgbe/bind" "No such device"
expect_write "bind by the name exactly" '0000:00:02.0' "$drv/ixgbe/bind" ok
expect_write "a name in upper case is no device's" '0000:00:0A.0' "$mnt/sys/bus/pci/drivers_probe" "No such device"
expect_write "the same name in lower case" '0000:00:0a.0' "$mnt/sys/bus/pci/drivers_probe" ok
expect_write "unbind again" '0000:00:02.0' "$drv/ixgbe/unbind" ok

echo "== vfio-pci: driver_override, /dev/vfio/<N>"
expect_write "vfio-pci claims no ID of its own" '0000:00:02.0' "$drv/vfio-pci/bind" "No such device"
expect_write "driver_override" 'vfio-pci\n' "$dev/0000:00:02.0/driver_override" ok
expect_write "bind through driver_override" '0000:00:02.0' "$drv/vfio-pci/bind" ok
expect_link "bound to vfio-pci" "$dev/0000:00:02.0/driver" "drivers/vfio-pci"
if [ -c "$vfio/2" ]; then ok "/dev/vfio/2 appears with the first vfio-pci device of group 2"; else fail "no /dev/vfio/2"; fi
expect_names "/sys/class/vfio" "$mnt/sys/class/vfio" "2"
expect_write "driver_override keeps others off" '0000:00:02.0' "$drv/ixgbe/unbind" "No such device"
expect_write "unbind ixgbe's" '0000:00:02.1' "$drv/ixgbe/unbind" ok
expect_write "the other function's override" 'vfio-pci' "$dev/0000:00:02.1/driver_override" ok
expect_write "drivers_probe binds by override" '0000:00:02.1' "$mnt/sys/bus/pci/drivers_probe" ok
expect_names "both in vfio-pci" "$drv/vfio-pci" "0000:00:02.0 0000:00:02.1 bind module new_id remove_id uevent unbind"
expect_write "unbind one" '0000:00:02.0' "$drv/vfio-pci/unbind" ok
if [ -c "$vfio/2" ]; then ok "/dev/vfio/2 stays while a device of group 2 is bound"; else fail "/dev/vfio/2 went early"; fi
expect_write "unbind the last" '0000:00:02.1' "$drv/vfio-pci/unbind" ok
if [ -e "$vfio/2" ]; then fail "/dev/vfio/2 outlived its last vfio-pci device"; else ok "/dev/vfio/2 goes with the last"; fi
expect_write "vfio-pci refuses a bridge" 'vfio-pci' "$dev/0000:00:03.0/driver_override" ok
expect_write "unbind pcieport" '0000:00:03.0' "$drv/pcieport/unbind" ok
expect_write "bind the bridge" '0000:00:03.0' "$drv/vfio-pci/bind" "Invalid argument"
expect_write "drivers_probe of a device that is not there" '0000:00:1f.0' "$mnt/sys/bus/pci/drivers_probe" "No such device"
expect_write "drivers_probe: the override still holds" '0000:00:02.0\n' "$mnt/sys/bus/pci/drivers_probe" ok
expect_link "bound to vfio-pci again" "$dev/0000:00:02.0/driver" "drivers/vfio-pci"
expect_write "unbind" '0000:00:02.0' "$drv/vfio-pci/unbind" ok
expect_write "drivers_probe: the other by its override" '0000:00:02.1' "$mnt/sys/bus/pci/drivers_probe" ok
expect_link "bound" "$dev/0000:00:02.1/driver" "drivers/vfio-pci"
expect_write "drivers_probe of a bound device does nothing" '0000:00:02.1' "$mnt/sys/bus/pci/drivers_probe" ok

echo "== new_id and remove_id (pci-driver.c)"
expect_write "clear the overrides" '\n' "$dev/0000:00:02.0/driver_override" ok
expect_write "" '\n' "$dev/0000:00:02.1/driver_override" ok
expect_write "new_id with one field" '8086' "$drv/vfio-pci/new_id" "Invalid argument"
expect_write "new_id binds what it matches" '8086 10fb' "$drv/vfio-pci/new_id" ok
expect_names "vfio-pci took both" "$drv/vfio-pci" "0000:00:02.0 0000:00:02.1 bind module new_id remove_id uevent unbind"
expect_write "the same ID again" '8086 10fb\n' "$drv/vfio-pci/new_id" "File exists"
expect_write "all seven fields: no look for an ID claimed already" '8086 10fb ffffffff ffffffff 0 0 0' "$drv/vfio-pci/new_id" ok
expect_write "an ID already in the static table" '8086 10fb' "$drv/ixgbe/new_id" "File exists"
expect_write "driver_data the table lacks" '8086 1234 ffffffff ffffffff 0 0 5' "$drv/vfio-pci/new_id" "Invalid argument"
expect_write "remove_id with a subsystem no ID has" '8086 10fb 1234 5678' "$drv/vfio-pci/remove_id" "No such device"
expect_write "remove_id" '8086 10fb' "$drv/vfio-pci/remove_id" ok
expect_write "remove_id of the second" '8086 10fb ffffffff ffffffff 0 0' "$drv/vfio-pci/remove_id" ok
expect_write "remove_id of an ID not there" '8086 10fb' "$drv/vfio-pci/remove_id" "No such device"
expect_link "remove_id unbinds nothing" "$dev/0000:00:02.0/driver" "drivers/vfio-pci"
expect_write "unbind" '0000:00:02.0' "$drv/vfio-pci/unbind" ok
expect_write "drivers_probe: back to ixgbe by its table" '0000:00:02.0' "$mnt/sys/bus/pci/drivers_probe" ok
expect_link "rebound" "$dev/0000:00:02.0/driver" "drivers/ixgbe"

echo "== sriov_numvfs (sriov_numvfs_store)"
pf=$dev/0000:00:01.0
expect_write "past TotalVFs" '5' "$pf/sriov_numvfs" "Numerical result out of range"
expect_write "not a number" 'two' "$pf/sriov_numvfs" "Invalid argument"
expect_write "past u16: a parse error, not a count past TotalVFs" '65536' "$pf/sriov_numvfs" "Invalid argument"
expect_write "enable" '2\n' "$pf/sriov_numvfs" ok
expect_read "sriov_numvfs" "$pf/sriov_numvfs" "2"
expect_link "VF 0" "$pf/virtfn0" "0000:00:05.0"
expect_link "VF 1" "$pf/virtfn1" "0000:00:05.1"
expect_link "VF 1's physfn" "$dev/0000:00:05.1/physfn" "0000:00:01.0"
expect_link "VFs probe their PF's vf_driver by its table" "$dev/0000:00:05.0/driver" "drivers/iavf"
vf_group=$(basename "$(readlink "$dev/0000:00:05.0/iommu_group")")
if [ -d "$groups/$vf_group" ] && [ -L "$groups/$vf_group/devices/0000:00:05.0" ]; then
	ok "VF 0 in a group of its own, $vf_group"
else
	fail "VF 0's group '$vf_group'"
fi
expect_write "another count while enabled" '3' "$pf/sriov_numvfs" "Device or resource busy"
expect_write "the same count" '2' "$pf/sriov_numvfs" ok
expect_write "disable" '0' "$pf/sriov_numvfs" ok
expect_link "VFs gone" "$pf/virtfn0" absent
expect_link "from the bus" "$dev/0000:00:05.0" absent
if [ -e "$groups/$vf_group" ]; then fail "VF group $vf_group outlived its VF"; else ok "VF group $vf_group gone"; fi
expect_write "autoprobe off" '0' "$pf/sriov_drivers_autoprobe" ok
expect_write "enable all" '4' "$pf/sriov_numvfs" ok
expect_link "no autoprobe, no driver" "$dev/0000:00:05.3/driver" absent
expect_write "disable" '0' "$pf/sriov_numvfs" ok
expect_write "unbind the PF" '0000:00:01.0' "$drv/i40e/unbind" ok
expect_write "enable with no PF driver" '1' "$pf/sriov_numvfs" "No such file or directory"
expect_write "a VF whose address is taken" '2' "$dev/0000:00:04.0/sriov_numvfs" "Cannot allocate memory"
expect_write "the VFs before it" '1' "$dev/0000:00:04.0/sriov_numvfs" ok

echo "== remove and rescan (remove.c, probe.c)"
expect_write "remove: not a number" 'yes' "$dev/0000:00:03.0/remove" "Invalid argument"
expect_write "remove 0 does nothing" '0' "$dev/0000:00:03.0/remove" ok
expect_write "remove the bridge" '1' "$dev/0000:00:03.0/remove" ok
expect_link "the bridge" "$dev/0000:00:03.0" absent
expect_link "and what is below it" "$dev/0000:10:00.0" absent
expect_link "off its driver" "$drv/mlx5_core/0000:10:00.0" absent
if [ -e "$groups/4" ]; then fail "group 4 outlived its only device"; else ok "empty group 4 gone"; fi
expect_names "/sys/class/pci_bus" "$mnt/sys/class/pci_bus" "0000:00"
expect_write "rescan: not a number" 'x' "$mnt/sys/bus/pci/rescan" "Invalid argument"
expect_write "rescan" '1' "$mnt/sys/bus/pci/rescan" ok
expect_link "the bridge is back" "$dev/0000:00:03.0" "0000:00:03.0"
expect_link "with what is below it" "$dev/0000:10:00.0" "0000:10:00.0"
expect_link "probed again" "$dev/0000:10:00.0/driver" "drivers/mlx5_core"
expect_write "remove a leaf" '1' "$dev/0000:10:00.0/remove" ok
expect_write "the bridge's bus rescan" '1' "$mnt/sys/class/pci_bus/0000:10/rescan" ok
expect_link "back by its bus" "$dev/0000:10:00.0" "0000:10:00.0"
expect_write "remove it again" '1' "$dev/0000:10:00.0/remove" ok
expect_write "a device's rescan scans its own bus" '1' "$dev/0000:00:02.0/rescan" ok
expect_link "found from the bus above" "$dev/0000:10:00.0" "0000:10:00.0"
if [ -e "$dev/0000:00:04.0/remove" ]; then ok "a PF has remove"; else fail "no remove"; fi
if [ -e "$dev/0000:00:04.1/remove" ]; then fail "a VF has remove"; else ok "VFs have no remove"; fi
expect_write "remove a PF" '1' "$dev/0000:00:04.0/remove" ok
expect_link "its VFs go with it" "$dev/0000:00:04.1" absent
expect_write "rescan" '1' "$mnt/sys/bus/pci/rescan" ok
expect_read "a PF found again has no VFs" "$dev/0000:00:04.0/sriov_numvfs" "0"
expect_link "nor a VF" "$dev/0000:00:04.1" absent

echo "== an open file of a removed device"
exec 5<"$dev/0000:10:00.0/vendor"
expect_write "remove" '1' "$dev/0000:10:00.0/remove" ok
if err=$(cat <&5 2>&1); then fail "read after removal: '$err'"; elif [[ $err == *"No such device"* ]]; then ok "reads ENODEV"; else fail "read after removal: $err"; fi
exec 5<&-

exit $status
