#!/usr/bin/env bash
# Writes to emulated sysfs through the mount, with plain shell redirections as scripts do them:
# each write's effect on what reads show, and each errno the kernel gives for it.
# usage: writes_test.sh FAKESYS
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work writes "$1"
mnt=$work/mnt
cat >"$work/host.yaml" <<'YAML'
scenario: writes
host: {cpus: 8, numa_nodes: 2}
devices:
  0000:00:00.0: {id: 8086:2020, class: host-bridge}
  0000:00:01.0: {id: 8086:1572, class: ethernet, driver: i40e, group: 1, numa_node: 0,
                 pcie: true, sriov: {total: 8, num: 0, offset: 16, vf_id: 154c}}
  0000:00:02.0: {id: 8086:1572, class: ethernet, group: 2, pcie: true}
  0000:00:03.0: {id: 8086:1572, class: ethernet, driver: vfio-pci, group: 3, pcie: true}
  0000:00:04.0: {id: 8086:1572, class: ethernet, driver: vfio-pci, group: 4,
                 d3cold_allowed: false}
groups:
  1: {type: DMA}
  4: {noiommu: true}
YAML
mount_scenario "$work/host.yaml" "$mnt" -o allow_other
dev=$mnt/sys/bus/pci/devices
groups=$mnt/sys/kernel/iommu_groups

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

echo "== driver_override (driver_set_override)"
f=$dev/0000:00:02.0/driver_override
expect_read "unset driver_override" "$f" "(null)"
expect_write "set" 'vfio-pci\n' "$f" ok
expect_read "driver_override" "$f" "vfio-pci"
expect_write "up to the first newline" 'a\nb' "$f" ok
expect_read "driver_override" "$f" "a"
expect_write "a bare newline clears" '\n' "$f" ok
expect_read "cleared driver_override" "$f" "(null)"
expect_write "a page or more" "$(head -c 4095 /dev/zero | tr '\0' x)" "$f" "Invalid argument"

echo "== enable"
f=$dev/0000:00:02.0/enable
expect_read "enable of an unbound device" "$f" 0
expect_write "disable what is not enabled" '0' "$f" "Input/output error"
expect_write "enable" '1\n' "$f" ok
expect_read "enable" "$f" 1
expect_write "enable again (counted)" '0x1' "$f" ok
expect_read "enable" "$f" 2
expect_write "disable once" '0' "$f" ok
expect_read "enable" "$f" 1
expect_write "enable junk" 'yes' "$f" "Invalid argument"
expect_write "enable past unsigned long (EINVAL, not ERANGE)" '18446744073709551616' "$f" "Invalid argument"
expect_write "enable with a driver bound" '1' "$dev/0000:00:01.0/enable" "Device or resource busy"

echo "== numa_node"
f=$dev/0000:00:02.0/numa_node
expect_write "numa_node 1" '1' "$f" ok
expect_read "numa_node" "$f" 1
expect_read "local_cpulist after it" "$dev/0000:00:02.0/local_cpulist" "4-7"
expect_write "numa_node -1" '-1\n' "$f" ok
expect_read "local_cpulist with no node" "$dev/0000:00:02.0/local_cpulist" "0-7"
expect_write "an offline node" '2' "$f" "Invalid argument"
expect_write "below -1" '-2' "$f" "Invalid argument"
expect_write "two newlines" '1\n\n' "$f" "Invalid argument"
expect_write "out of int range: a parse error" '4294967296' "$f" "Invalid argument"

echo "== msi_bus, broken_parity_status, d3cold_allowed"
d=$dev/0000:00:02.0
expect_write "msi_bus 0" '0' "$d/msi_bus" ok
expect_read "msi_bus" "$d/msi_bus" 0
expect_write "msi_bus junk" 'x' "$d/msi_bus" "Invalid argument"
expect_write "broken_parity_status 1" '1' "$d/broken_parity_status" ok
expect_read "broken_parity_status" "$d/broken_parity_status" 1
expect_write "d3cold_allowed 0" '0' "$d/d3cold_allowed" ok
expect_read "d3cold_allowed" "$d/d3cold_allowed" 0
expect_write "d3cold_allowed junk" 'no' "$d/d3cold_allowed" "Invalid argument"
# The scenario's d3cold_allowed: false is where the flag starts, and it stays writable.
expect_read "d3cold_allowed: false" "$dev/0000:00:04.0/d3cold_allowed" 0
expect_write "d3cold_allowed 1 over the scenario's word" '1' "$dev/0000:00:04.0/d3cold_allowed" ok
expect_read "d3cold_allowed" "$dev/0000:00:04.0/d3cold_allowed" 1

echo "== sriov_drivers_autoprobe (kstrtobool)"
f=$dev/0000:00:01.0/sriov_drivers_autoprobe
expect_write "n" 'n' "$f" ok
expect_read "sriov_drivers_autoprobe" "$f" 0
expect_write "on" 'on\n' "$f" ok
expect_read "sriov_drivers_autoprobe" "$f" 1
expect_write "maybe" 'maybe' "$f" "Invalid argument"

echo "== drivers_autoprobe, reset"
f=$mnt/sys/bus/pci/drivers_autoprobe
expect_read "drivers_autoprobe" "$f" 1
expect_write "drivers_autoprobe 0" '0\n' "$f" ok
expect_read "drivers_autoprobe" "$f" 0
expect_write "anything but 0 turns it on" 'x' "$f" ok
expect_read "drivers_autoprobe" "$f" 1
f=$dev/0000:00:02.0/reset
expect_write "reset 1" '1\n' "$f" ok
expect_write "reset 2" '2' "$f" "Invalid argument"
expect_write "reset junk" 'now' "$f" "Invalid argument"

echo "== uevent (kobject_synth_uevent), on every kind of object that has one"
uuid=2b5f2f55-4b1a-4f2e-9d6c-0123456789ab
for f in "$dev/0000:00:01.0/uevent" "$mnt/sys/bus/pci/uevent" \
	"$mnt/sys/bus/pci/drivers/vfio-pci/uevent" "$mnt/sys/devices/pci0000:00/pci_bus/0000:00/uevent" \
	"$mnt/sys/devices/virtual/vfio/3/uevent" "$mnt/sys/module/vfio_pci/uevent"; do
	what=${f#"$mnt"/sys/}
	expect_write "$what: change" 'change\n' "$f" ok
	expect_write "$what: add with a UUID and arguments" "add $uuid ACTION2=test\n" "$f" ok
	expect_write "$what: an unknown action" 'explode\n' "$f" "Invalid argument"
	expect_write "$what: an empty value" "add $uuid KEY=" "$f" "Invalid argument"
done
expect_read "a synthetic remove leaves the device" "$dev/0000:00:01.0/vendor" 0x8086
expect_write "remove, synthesized" 'remove' "$dev/0000:00:01.0/uevent" ok
expect_read "and the device is still there" "$dev/0000:00:01.0/vendor" 0x8086
err=$(as_nobody sh -c "echo change > $dev/0000:00:01.0/uevent" 2>&1)
if [[ $err == *"Permission denied"* ]]; then
	ok "nobody may not synthesize a uevent"
else
	fail "nobody writing uevent: '${err:-success}'"
fi

echo "== iommu_groups/N/type (iommu_group_store_type)"
expect_write "DMA -> DMA-FQ with a driver bound (live)" 'DMA-FQ' "$groups/1/type" ok
expect_read "group 1 type" "$groups/1/type" "DMA-FQ"
expect_write "DMA-FQ -> DMA with a driver bound" 'DMA' "$groups/1/type" "Operation not permitted"
expect_write "identity on a group with no driver" 'identity\n' "$groups/2/type" ok
expect_read "group 2 type" "$groups/2/type" "identity"
expect_write "auto" 'auto' "$groups/2/type" ok
expect_read "group 2 type" "$groups/2/type" "DMA-FQ"
expect_write "identity with vfio-pci bound (it manages DMA itself)" 'identity' "$groups/3/type" ok
expect_read "group 3 type" "$groups/3/type" "identity"
expect_write "an unknown type" 'fast' "$groups/2/type" "Invalid argument"
expect_write "a group without a default domain" 'DMA' "$groups/4/type" "Invalid argument"

echo "== who may write, and how much"
expect_write "over a page in one write" "$(head -c 5000 /dev/zero | tr '\0' 1)" \
	"$dev/0000:00:02.0/numa_node" "Argument list too long"
err=$(as_nobody sh -c "echo 1 > $dev/0000:00:02.0/broken_parity_status" 2>&1)
if [[ $err == *"Permission denied"* ]]; then
	ok "nobody may not write a 0644 attribute"
else
	fail "nobody writing a 0644 attribute: '${err:-success}'"
fi
# The shell's echo as scripts use it: one write per line.
if echo vfio-pci >"$dev/0000:00:03.0/driver_override" &&
	[ "$(cat "$dev/0000:00:03.0/driver_override")" = vfio-pci ]; then
	ok "echo into driver_override, as driverctl-like scripts do"
else
	fail "echo into driver_override"
fi
expect_write "a read-only attribute" '0x1234' "$dev/0000:00:02.0/vendor" "Permission denied"

exit $status
