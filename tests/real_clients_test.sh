#!/usr/bin/env bash
# Real clients of the driver-binding files, unchanged, inside `fakesys run`: driverctl
# (set-override, unset-override, list-devices, list-overrides) and DPDK's dpdk-devbind.py
# (--bind=vfio-pci, --status, --unbind, -b back to the kernel driver) move a NIC between i40e,
# vfio-pci and no driver. After each command the tree must be in the state the tool asked for,
# as a kernel would leave it (driver links, driver_override, /dev/vfio/<group>), and the tool's
# own listing, parsed, must agree with what sysfs says.
#
# Nothing on the host changes: driverctl runs with --nosave (else it writes /etc/driverctl.d),
# and its `/sbin/modprobe -q DRIVER` meets, inside the namespace only, a stand-in that loads
# nothing and answers as modprobe does on the scenario's host: success for a module that is
# loaded there (it has a /sys/module entry), failure for any other.
#
# dpdk-devbind lists /sys/module on every call and binds only to drivers with an entry there:
# the scenario runs as it is, with the entries the model gives its drivers' modules.
# usage: real_clients_test.sh FAKESYS SCENARIO   (SCENARIO: sriov-vfs-own-groups.yaml)
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

nic=0000:3b:00.1 # bound to i40e, alone in IOMMU group 53, no VFs enabled
nic_group=53
pf_with_vfs=0000:3b:00.0 # i40e, its 8 VFs on vfio-pci: must not be disturbed

# --- Inside the namespace: /sys and /dev/vfio are the scenario's ------------------------------

# client WHAT CMD...: CMD succeeds and says nothing on stderr (dpdk-devbind reports a failed
# bind on stderr and still exits 0). lspci's complaint that this kernel's modules.alias is
# missing (containers) is the host's, not the tool's. Its stdout is left in $work/out.
client() {
	local what=$1 rc
	shift
	"$@" >"$work/out" 2>"$work/err"
	rc=$?
	grep -v 'Unable to load libkmod resources' "$work/err" >"$work/err.tool"
	if [ "$rc" -eq 0 ] && ! [ -s "$work/err.tool" ]; then
		ok "$what"
	else
		fail "$what: exit status $rc"
		cat "$work/out" "$work/err.tool"
	fi
}

driver_of() {
	if [ -L "/sys/bus/pci/devices/$1/driver" ]; then
		basename "$(readlink "/sys/bus/pci/devices/$1/driver")"
	else
		echo "(none)"
	fi
}

# same WHAT GOT WANT: two listings, line for line.
same() {
	if [ "$2" = "$3" ]; then
		ok "$1: $(wc -l <<<"$3") lines"
	else
		fail "$1"
		diff <(echo "$3") <(echo "$2") | sed 's/^/     /'
	fi
}

# The network devices as `dpdk-devbind.py --status` must sort them: under DPDK-compatible
# drivers (the loaded ones of vfio-pci, igb_uio, uio_pci_generic), kernel drivers, or none.
network_from_sysfs() {
	local d bdf drv kind
	for d in /sys/bus/pci/devices/*; do
		[[ $(<"$d/class") == 0x02* ]] || continue
		bdf=$(basename "$d")
		drv=$(driver_of "$bdf")
		case $drv in
		"(none)") kind=other ;;
		vfio-pci) kind=dpdk ;;
		*) kind=kernel ;;
		esac
		echo "$bdf $drv $kind"
	done | sort
}

# `dpdk-devbind.py --status` output ($work/out) as "BDF DRIVER KIND" lines.
network_from_status() {
	awk '/^Network devices using DPDK-compatible driver$/ { kind = "dpdk"; next }
	     /^Network devices using kernel driver$/ { kind = "kernel"; next }
	     /^Other Network devices$/ { kind = "other"; next }
	     /^$/ { kind = ""; next }
	     kind != "" && /^[0-9a-f]+:[0-9a-f]+:[0-9a-f]+\.[0-7] / {
		drv = "(none)"
		for (i = 2; i <= NF; i++)
			if ($i ~ /^drv=/)
				drv = substr($i, 5)
		print $1, drv, kind
	     }' "$work/out" | sort
}

dpdk_status_agrees() {
	client "dpdk-devbind.py --status $1" dpdk-devbind.py --status
	same "dpdk-devbind --status lists each network device where sysfs has it ($1)" \
		"$(network_from_status)" "$(network_from_sysfs)"
}

# What `driverctl list-devices` must print: every device with driver_override, its driver,
# and [*] when an override is set.
devices_from_sysfs() {
	local d bdf line
	for d in /sys/bus/pci/devices/*; do
		[ -f "$d/driver_override" ] || continue
		bdf=$(basename "$d")
		line="$bdf $(driver_of "$bdf")"
		[ "$(<"$d/driver_override")" = "(null)" ] || line+=" [*]"
		echo "$line"
	done
}

overrides_from_sysfs() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(<"$d/driver_override")" = "(null)" ] && continue
		echo "$(basename "$d") $(driver_of "$(basename "$d")")"
	done
}

driverctl_lists_agree() {
	client "driverctl list-devices $1" driverctl list-devices
	same "driverctl list-devices matches sysfs ($1)" "$(<"$work/out")" "$(devices_from_sysfs)"
	local want got rc
	want=$(overrides_from_sysfs)
	got=$(driverctl list-overrides 2>&1)
	rc=$?
	if [ -z "$want" ]; then
		# driverctl's word for an empty list, as on a kernel.
		if [ "$rc" -eq 1 ] && [[ $got == *"No overridable devices found"* ]]; then
			ok "driverctl list-overrides: none, as sysfs has none ($1)"
		else
			fail "driverctl list-overrides with no override set: status $rc, '$got'"
		fi
	else
		same "driverctl list-overrides matches sysfs ($1)" "$got" "$want"
	fi
}

expect_vfio_node() {
	if [ "$2" = present ] && [ -c "/dev/vfio/$1" ]; then
		ok "/dev/vfio/$1 is there"
	elif [ "$2" = absent ] && ! [ -e "/dev/vfio/$1" ]; then
		ok "no /dev/vfio/$1"
	else
		fail "/dev/vfio/$1: wanted $2, $(ls -l "/dev/vfio/$1" 2>&1)"
	fi
}

# Every device's driver and override, and /dev/vfio: the state a run must leave as it found.
host_state() {
	local d
	for d in /sys/bus/pci/devices/*; do
		echo "$(basename "$d") $(driver_of "$(basename "$d")") $(<"$d/driver_override")"
	done
	ls /dev/vfio
}

# The stand-in for /sbin/modprobe, in a tmpfs over the directory /sbin leads to, with every
# other program there reachable as before. The mounts are the namespace's alone.
stand_in_modprobe() {
	local sbin
	sbin=$(realpath /sbin)
	mkdir -p "$work/host-sbin"
	if ! mount --bind "$sbin" "$work/host-sbin" || ! mount -t tmpfs -o mode=0755 tmpfs "$sbin"; then
		echo "FAIL: cannot set a stand-in for modprobe in the namespace"
		exit 1
	fi
	ln -s "$work/host-sbin"/* "$sbin"/
	rm -f "$sbin/modprobe"
	cat >"$sbin/modprobe" <<EOF
#!/bin/sh
for arg; do module=\$arg; done
echo "\$*" >>"$work/modprobe.log"
[ -d "/sys/module/\$(echo "\$module" | tr - _)" ] && exit 0
echo "modprobe: FATAL: Module \$module not found (not loaded on this scenario's host)" >&2
exit 1
EOF
	chmod 755 "$sbin/modprobe"
}

inside() {
	work=$1
	local dev=/sys/bus/pci/devices/$nic before
	stand_in_modprobe
	before=$(host_state)
	# The modules of the scenario's drivers, as dpdk-devbind and modprobe look for them.
	expect_names "/sys/module" /sys/module "i40e pcieportdrv vfio_pci"
	expect_link "vfio-pci's module" /sys/bus/pci/drivers/vfio-pci/module "../../../../module/vfio_pci"
	expect_link "i40e's module" /sys/module/i40e/drivers/pci:i40e "../../../bus/pci/drivers/i40e"
	expect_read "vfio_pci is loaded:" /sys/module/vfio_pci/initstate live
	expect_link "$nic starts on i40e" "$dev/driver" "drivers/i40e"
	expect_vfio_node "$nic_group" absent
	dpdk_status_agrees "at the start"
	driverctl_lists_agree "at the start"

	echo "== driverctl"
	client "driverctl set-override $nic vfio-pci" driverctl --nosave set-override "$nic" vfio-pci
	if grep -qx -- '-q vfio-pci' "$work/modprobe.log" 2>/dev/null; then
		ok "driverctl asked modprobe for vfio-pci (the stand-in, loaded by the scenario)"
	else
		fail "driverctl's modprobe calls: '$(cat "$work/modprobe.log" 2>&1)'"
	fi
	expect_link "set-override" "$dev/driver" "drivers/vfio-pci"
	expect_read "set-override" "$dev/driver_override" "vfio-pci"
	expect_link "i40e lets go" "/sys/bus/pci/drivers/i40e/$nic" absent
	expect_vfio_node "$nic_group" present
	driverctl_lists_agree "override set"
	if grep -qx "$nic vfio-pci \[\*\]" <<<"$(driverctl list-devices)"; then
		ok "list-devices marks $nic overridden"
	else
		fail "list-devices does not mark $nic vfio-pci [*]"
	fi
	dpdk_status_agrees "after set-override"

	client "driverctl unset-override $nic" driverctl --nosave unset-override "$nic"
	expect_link "unset-override: drivers_probe finds i40e by its ID table" "$dev/driver" "drivers/i40e"
	expect_read "unset-override" "$dev/driver_override" "(null)"
	expect_vfio_node "$nic_group" absent
	driverctl_lists_agree "override unset"

	echo "== dpdk-devbind.py"
	client "dpdk-devbind.py --bind=vfio-pci $nic" dpdk-devbind.py --bind=vfio-pci "$nic"
	expect_link "--bind=vfio-pci" "$dev/driver" "drivers/vfio-pci"
	# It binds through driver_override and then clears it with a lone NUL byte.
	expect_read "--bind=vfio-pci leaves no override" "$dev/driver_override" "(null)"
	expect_vfio_node "$nic_group" present
	dpdk_status_agrees "after --bind=vfio-pci"
	driverctl_lists_agree "after --bind=vfio-pci"

	client "dpdk-devbind.py --unbind $nic" dpdk-devbind.py --unbind "$nic"
	expect_link "--unbind" "$dev/driver" absent
	expect_link "vfio-pci lets go" "/sys/bus/pci/drivers/vfio-pci/$nic" absent
	expect_vfio_node "$nic_group" absent
	dpdk_status_agrees "after --unbind"

	# The short address form, resolved by the tool against /sys/bus/pci/devices.
	client "dpdk-devbind.py -b i40e ${nic#0000:}" dpdk-devbind.py -b i40e "${nic#0000:}"
	expect_link "-b i40e" "$dev/driver" "drivers/i40e"
	expect_read "-b i40e" "$dev/driver_override" "(null)"
	dpdk_status_agrees "after -b i40e"

	expect_link "the other port keeps i40e" "/sys/bus/pci/devices/$pf_with_vfs/driver" "drivers/i40e"
	expect_link "and its VFs" "/sys/bus/pci/devices/$pf_with_vfs/virtfn7" "0000:3b:02.7"
	same "every driver, override and /dev/vfio node as at the start" "$(host_state)" "$before"
	exit $status
}

if [ "${1:-}" = --inside ]; then
	inside "$2"
fi

# --- Outside: the scenario, the run, and the host left alone ----------------------------------

setup_work real-clients "$1"
scenario=$2
[ "$(id -u)" = 0 ] || {
	echo "FAIL: the clients write to sysfs as root, and the test mounts in the namespace; run as root"
	exit 1
}
if ! command -v driverctl >/dev/null || ! command -v dpdk-devbind.py >/dev/null; then
	echo "FAIL: driverctl and dpdk-devbind.py (Debian packages driverctl, dpdk) are needed: ci/setup"
	exit 1
fi

# What the host would show if a client reached it: driverctl's saved overrides, and modprobe.
host_files() {
	ls -la --time-style=full-iso /etc/driverctl.d 2>&1
	ls -l --time-style=full-iso "$(realpath /sbin)/modprobe" 2>&1
}
host_before=$(host_files)

"$fakesys" run "$scenario" -- bash "$(realpath "$0")" --inside "$work"
rc=$?
if [ "$rc" -ne 0 ]; then
	status=1
	echo "FAIL: the checks in the namespace (exit status $rc)"
fi

if [ "$(host_files)" = "$host_before" ]; then
	ok "the host's /etc/driverctl.d and modprobe are as they were"
else
	fail "the host changed:"
	diff <(echo "$host_before") <(host_files)
fi
if grep -q "$work" /proc/mounts; then
	fail "a mount of the namespace is left on the host: $(grep "$work" /proc/mounts)"
else
	ok "nothing of the namespace is mounted on the host"
fi
exit $status
