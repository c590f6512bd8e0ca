#!/usr/bin/env bash
# fakesys ctl against a live mount: cards plugged in and pulled out (with what sits below them),
# the scenario reloaded, fault rules added and cleared. Every change must be seen at once by a
# process that had already looked (the kernel's caches), and a command that is refused must
# change nothing.
# usage: control_test.sh FAKESYS
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work control "$1"
mnt=$work/mnt

# A card in slot 3b (two functions) and a switch with an NVMe drive below it, both out at start;
# a NIC in slot 5e, in.
cat >"$work/host.yaml" <<'YAML'
scenario: control
devices:
  0000:00:00.0: {id: 8086:2020, class: host-bridge}
  0000:00:01.0: {id: 8086:2030, class: pci-bridge, driver: pcieport, group: 1, secondary: 0x3b}
  0000:00:02.0: {id: 8086:2030, class: pci-bridge, driver: pcieport, group: 2, secondary: 0x40,
                 subordinate: 0x42}
  0000:00:03.0: {id: 8086:2030, class: pci-bridge, driver: pcieport, group: 3, secondary: 0x5e}
  0000:3b:00.0: {id: 8086:1572, class: ethernet, driver: vfio-pci, group: 20, pcie: true,
                 plugged: false}
  0000:3b:00.1: {id: 8086:1572, class: ethernet, driver: vfio-pci, group: 20, pcie: true}
  0000:40:00.0: {id: 10b5:8747, class: pci-bridge, driver: pcieport, group: 30,
                 secondary: 0x41, subordinate: 0x42, plugged: false}
  0000:41:00.0: {id: 10b5:8747, class: pci-bridge, driver: pcieport, group: 31, secondary: 0x42}
  0000:42:00.0: {id: 144d:a808, class: nvme, driver: nvme, group: 32}
  0000:5e:00.0: {id: 8086:1592, class: ethernet, driver: ice, group: 50, pcie: true,
                 sriov: {total: 4, num: 2, vf_id: 1889, vf_driver: iavf}}
faults:
  - "sys/devices/**/0000:5e:00.0/irq read errno=EIO"
YAML
mount_scenario "$work/host.yaml" "$mnt" --fault 'sys/devices/**/revision read errno=EPERM'
dev=$mnt/sys/bus/pci/devices
groups=$mnt/sys/kernel/iommu_groups
vfio=$mnt/dev/vfio

# expect_ctl WHAT STATUS OUT COMMAND...: fakesys ctl exits with STATUS and prints OUT (stdout
# and stderr together).
expect_ctl() {
	local what=$1 want_status=$2 want_out=$3 out rc
	shift 3
	out=$("$fakesys" ctl "$mnt" "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want_status" ]; then
		fail "$what: exit status $rc, wanted $want_status ($out)"
	elif [ "$out" != "$want_out" ]; then
		fail "$what: printed '$out', wanted '$want_out'"
	else
		ok "$what${out:+: $out}"
	fi
}

# Look first, so that what follows must get past the kernel's caches.
ls -R "$mnt" >/dev/null 2>&1
ls "$dev/0000:3b:00.0" "$vfio/20" "$dev/0000:42:00.0" >/dev/null 2>&1

# expect_eio WHAT FILE: a read of FILE fails with EIO.
expect_eio() {
	local got
	got=$(cat "$2" 2>&1)
	if [[ $got == *": Input/output error" ]]; then
		ok "$1: EIO"
	else
		fail "$1 read '$got', wanted EIO"
	fi
}

echo "== the start"
expect_eio "the scenario's rule is in force: the NIC's irq" "$dev/0000:5e:00.0/irq"
expect_names "cards out are not on the bus" "$dev" \
	"0000:00:00.0 0000:00:01.0 0000:00:02.0 0000:00:03.0 0000:5e:00.0 0000:5e:00.1 0000:5e:00.2"
expect_names "nor are their groups" "$groups" "1 2 3 50 51 52"
if [ -e "$mnt/.fakesys-control" ]; then
	ok "the control file answers a lookup"
else
	fail "no $mnt/.fakesys-control"
fi
case " $(find "$mnt" -mindepth 1 -maxdepth 1 -printf '%f ')" in
*fakesys-control*) fail "the mount root lists the control file" ;;
*) ok "no listing shows the control file" ;;
esac

echo "== plug"
expect_ctl "plug the two-function card" 0 "" plug 0000:3b:00.0
expect_link "function 0 came, probed" "$dev/0000:3b:00.0/driver" "drivers/vfio-pci"
expect_link "function 1 came with it" "$dev/0000:3b:00.1/driver" "drivers/vfio-pci"
expect_names "its group" "$groups/20/devices" "0000:3b:00.0 0000:3b:00.1"
expect_names "/dev/vfio/20 is there" "$vfio" "20 devices vfio"
expect_ctl "plug it again" 1 "fakesys: plug: 0000:3b:00.0 is plugged in already" \
	plug 0000:3b:00.0
expect_ctl "plug the switch" 0 "" plug 0000:40:00.0
expect_link "the drive below it came, probed" "$dev/0000:42:00.0/driver" "drivers/nvme"
expect_link "below the downstream port" "$dev/0000:42:00.0" \
	"devices/pci0000:00/0000:00:02.0/0000:40:00.0/0000:41:00.0/0000:42:00.0"

echo "== unplug"
expect_write "a rescan" 1 "$mnt/sys/bus/pci/rescan" ok
expect_ctl "pull the card" 0 "" unplug 0000:3b:00.1
expect_link "function 0 went" "$dev/0000:3b:00.0" absent
expect_link "function 1 went" "$dev/0000:3b:00.1" absent
expect_link "its group went" "$groups/20" absent
expect_names "/dev/vfio/20 went" "$vfio" "devices vfio"
expect_write "a rescan" 1 "$mnt/sys/bus/pci/rescan" ok
expect_link "a rescan does not find a card that is out" "$dev/0000:3b:00.0" absent
expect_ctl "pull it again" 1 "fakesys: unplug: 0000:3b:00.1 is not plugged in" unplug 0000:3b:00.1
expect_write "remove the drive through sysfs" 1 "$dev/0000:42:00.0/remove" ok
expect_ctl "pull the switch" 0 "" unplug 0000:40:00.0
expect_link "the switch went" "$dev/0000:41:00.0" absent
expect_ctl "put the switch back" 0 "" plug 0000:40:00.0
expect_link "a plug finds everything below, removed before or not" "$dev/0000:42:00.0/driver" \
	"drivers/nvme"
expect_ctl "pull the switch again" 0 "" unplug 0000:40:00.0
expect_write "remove its root port through sysfs" 1 "$dev/0000:00:02.0/remove" ok
expect_ctl "plug the switch behind a port that is gone" 0 "" plug 0000:40:00.0
expect_link "nothing shows while the port is gone" "$dev/0000:40:00.0" absent
expect_write "a rescan" 1 "$mnt/sys/bus/pci/rescan" ok
expect_link "the rescan finds the port, the switch and the drive" "$dev/0000:42:00.0/driver" \
	"drivers/nvme"

echo "== refused commands change nothing"
expect_ctl "a VF is in no slot" 2 \
	"fakesys: unplug: 0000:5e:00.1 is a VF, which sits in no slot of its own" unplug 0000:5e:00.1
expect_ctl "not an address" 2 "fakesys: plug: '3b:00.0' is not a PCI address (DDDD:BB:DD.F)" \
	plug 3b:00.0
expect_ctl "not in the scenario" 1 "fakesys: plug: 0000:77:00.0: no such device in the scenario" \
	plug 0000:77:00.0
expect_ctl "an unknown command" 2 \
	"fakesys: eject: unknown command 'eject' (plug BDF, unplug BDF, reload [SCENARIO], fault RULE, faults [clear])" \
	eject 0000:3b:00.0
out=$("$fakesys" ctl "$work" plug 0000:3b:00.0 2>&1)
rc=$?
if [ "$rc" -eq 2 ] && [ "$out" = "fakesys: $work: not a fakesys mount" ]; then
	ok "ctl on a directory that is no mount: $out"
else
	fail "ctl on no mount: $rc '$out'"
fi
expect_names "the devices as before" "$dev" \
	"0000:00:00.0 0000:00:01.0 0000:00:02.0 0000:00:03.0 0000:40:00.0 0000:41:00.0 0000:42:00.0 0000:5e:00.0 0000:5e:00.1 0000:5e:00.2"

echo "== faults"
nic=$dev/0000:5e:00.0
expect_ctl "the rules in force: --fault first, then the scenario's" 0 \
	"sys/devices/**/revision read errno=EPERM
sys/devices/**/0000:5e:00.0/irq read errno=EIO" faults
expect_read "the NIC's vendor" "$nic/vendor" 0x8086
stat "$nic/uevent" >/dev/null
expect_ctl "add an EIO rule" 0 "" fault 'sys/devices/**/0000:5e:00.0/vendor read errno=EIO'
expect_eio "the NIC's vendor at once" "$nic/vendor"
expect_read "the drive's vendor is not covered" "$dev/0000:42:00.0/vendor" 0x144d
expect_ctl "a listing fails" 0 "" fault 'sys/bus/pci/devices readdir errno=EIO'
# shellcheck disable=SC2012 # ls is the program whose listing must fail
expect_read "ls of a listing read before" <(ls "$dev" 2>&1 | sed 's/.*: //') \
	"Input/output error"
expect_ctl "the NIC vanishes" 0 "" fault 'sys/devices/**/0000:5e:00.0 all vanish'
if stat "$nic/uevent" >/dev/null 2>&1; then
	fail "a path looked up before is still there once it vanished"
else
	ok "a path looked up before vanished at once"
fi
expect_ctl "a rule that does not parse" 2 \
	"fakesys: fault: unknown operation 'reed' (lookup, getattr, readlink, opendir, readdir, open, read, write or all)" \
	fault 'sys/** reed errno=EIO'
expect_ctl "clear" 0 "" faults clear
expect_ctl "no rules" 0 "" faults
expect_read "the NIC's vendor again" "$nic/vendor" 0x8086
if cat "$dev/0000:5e:00.0/irq" >/dev/null 2>&1; then
	ok "the scenario's rule went with the clear"
else
	fail "the NIC's irq still fails after faults clear"
fi
expect_names "the listing again" "$dev" \
	"0000:00:00.0 0000:00:01.0 0000:00:02.0 0000:00:03.0 0000:40:00.0 0000:41:00.0 0000:42:00.0 0000:5e:00.0 0000:5e:00.1 0000:5e:00.2"

echo "== reload"
exec 7<"$dev/0000:42:00.0/vendor"
expect_write "disable the VFs" 0 "$nic/sriov_numvfs" ok
expect_ctl "reload the scenario" 0 "" reload
expect_names "the host as the file says, VFs back, cards out" "$dev" \
	"0000:00:00.0 0000:00:01.0 0000:00:02.0 0000:00:03.0 0000:5e:00.0 0000:5e:00.1 0000:5e:00.2"
if got=$(cat <&7 2>&1); then
	fail "a file of a device gone with the reload read '$got'"
else
	ok "a file of a device gone with the reload: ${got##*: }"
fi
exec 7<&-
expect_eio "the scenario's rule again" "$dev/0000:5e:00.0/irq"
expect_ctl "its rules back, not twice" 0 \
	"sys/devices/**/revision read errno=EPERM
sys/devices/**/0000:5e:00.0/irq read errno=EIO" faults
sed -e 's/, plugged: false}/}/' -e '/^faults:/,$d' "$work/host.yaml" >"$work/changed.yaml"
cd "$work" || exit 1
expect_ctl "reload a changed scenario, by a relative path" 0 "" reload changed.yaml
cd - >/dev/null || exit 1
expect_link "its cards are in" "$dev/0000:42:00.0/driver" "drivers/nvme"
expect_ctl "its rules (none) with the mount's" 0 "sys/devices/**/revision read errno=EPERM" faults
printf 'scenario: broken\ndevices:\n  0000:00:00.0: {id: 8086}\n' >"$work/broken.yaml"
expect_ctl "a scenario that does not load" 2 \
	"fakesys: reload: $work/broken.yaml:3:22: 'id' must be VVVV:DDDD (4 hex digits each), not '8086'" \
	reload "$work/broken.yaml"
expect_link "changes nothing" "$dev/0000:42:00.0/driver" "drivers/nvme"
expect_ctl "the mount's rules stay" 0 "sys/devices/**/revision read errno=EPERM" faults

"$fakesys" umount "$mnt" || fail "umount"

echo "== a mount that starts without rules or a trace does not see opendir"
mount_scenario "$work/changed.yaml" "$mnt"
ls -R "$mnt" >/dev/null 2>&1
expect_ctl "an opendir-only rule is refused" 2 \
	"fakesys: fault: pattern 'sys/bus/pci/devices': this mount does not see opendir: the kernel opens directories itself unless the mount starts with a fault rule or --trace" \
	fault 'sys/bus/pci/devices opendir errno=EIO'
expect_ctl "a rule on readdir too is taken" 0 "" fault 'sys/bus/pci/devices opendir,readdir errno=EIO'
got=$(ls "$mnt/sys/bus/pci/devices" 2>&1)
[[ $got == *"Input/output error"* ]] && ok "and fails the listing the kernel had cached" ||
	fail "the listing after an opendir,readdir rule: $got"
sed -e '/^faults:/,$d' "$work/host.yaml" >"$work/opendir.yaml"
printf 'faults:\n  - "sys/bus/pci/devices opendir errno=EIO"\n' >>"$work/opendir.yaml"
expect_ctl "a reload whose scenario has an opendir-only rule is refused" 2 \
	"fakesys: reload: $work/opendir.yaml: pattern 'sys/bus/pci/devices': this mount does not see opendir: the kernel opens directories itself unless the mount starts with a fault rule or --trace" \
	reload "$work/opendir.yaml"
expect_link "and changes nothing: the cards stay in" "$dev/0000:42:00.0/driver" "drivers/nvme"
expect_ctl "nor the rules" 0 "sys/bus/pci/devices opendir,readdir errno=EIO" faults
"$fakesys" umount "$mnt" || fail "umount"
exit "$status"
