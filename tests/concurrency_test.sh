#!/usr/bin/env bash
# Readers walking the whole tree while another process binds, unbinds and changes sriov_numvfs:
# no error a real kernel could not give (a name that vanished between listing and use:
# ENOENT, or ENODEV from a file whose device went), no crash, and no stale entry afterwards.
# usage: concurrency_test.sh FAKESYS
set -u
export LC_ALL=C # the messages compared below are the C locale's
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work concurrency "$1"
mnt=$work/mnt
cat >"$work/host.yaml" <<'YAML'
scenario: concurrency
devices:
  0000:00:00.0: {id: 8086:2020, class: host-bridge}
  0000:00:01.0: {id: 8086:1572, class: ethernet, driver: i40e, group: 1, pcie: true,
                 sriov: {total: 16, num: 0, offset: 32, vf_id: 154c, vf_driver: iavf}}
  0000:00:02.0: {id: 8086:10fb, class: ethernet, driver: ixgbe, group: 2, pcie: true}
YAML
mount_scenario "$work/host.yaml" "$mnt"
dev=$mnt/sys/bus/pci/devices
drv=$mnt/sys/bus/pci/drivers
rounds=300

# What a walk meets with nothing changing (autosuspend_delay_ms reads EIO, as on a real host):
# the baseline the walks under changes are held to.
# Errors are compared by file name and message, so a VF's write-only files count as the PF's
# do. The message is what follows the last ": " (strerror's texts hold no colon, but
# "Input/output error" holds a slash); the name is what precedes it after the last slash.
by_name() { sed -E "s|^.*/([^/]*): ([^:]*)\$|\1: \2|; s|'?: |: |" | sort -u; }
# The directories that stay: there before the rounds and halfway through one.
dirs() { find "$mnt" -type d -printf 'd %P\n' | sort; }
dirs >"$work/dirs.before"
echo 16 >"$dev/0000:00:01.0/sriov_numvfs"
find "$mnt/sys" "$mnt/dev" -type f -exec cat {} + 2>&1 >/dev/null | by_name >"$work/baseline.err"
echo 0000:00:02.0 >"$drv/ixgbe/unbind"
comm -12 "$work/dirs.before" <(dirs) >"$work/stable"
echo 0000:00:02.0 >"$drv/ixgbe/bind"
echo 0 >"$dev/0000:00:01.0/sriov_numvfs"

reader() {
	local n=0
	while [ ! -e "$work/stop" ]; do
		find "$mnt/sys" "$mnt/dev" -type f -exec cat {} + >/dev/null 2>>"$work/reader$1.err"
		find "$mnt/sys" -type l -exec readlink {} + >/dev/null 2>>"$work/reader$1.err"
		n=$((n + 1))
	done
	echo "$n" >"$work/reader$1.walks"
}
for r in 1 2 3; do reader "$r" & done

writes_failed=0
for _ in $(seq $rounds); do
	echo 16 >"$dev/0000:00:01.0/sriov_numvfs" || writes_failed=1
	echo 0000:00:02.0 >"$drv/ixgbe/unbind" || writes_failed=1
	echo 0 >"$dev/0000:00:01.0/sriov_numvfs" || writes_failed=1
	echo 0000:00:02.0 >"$drv/ixgbe/bind" || writes_failed=1
done
touch "$work/stop"
wait
if [ $writes_failed = 0 ]; then ok "$rounds rounds of enable, unbind, disable, bind"; else fail "a write failed"; fi

walks=$(cat "$work"/reader*.walks | paste -sd+ | bc)
if [ "$walks" -ge 3 ]; then ok "$walks walks of the whole tree meanwhile"; else fail "only $walks walks"; fi
cat "$work"/reader*.err >"$work/all.err"
# find re-stats each directory after opening it (gnulib's fts, for its cycle check); one that
# vanished in between gets a zeroed stat, and a directory that ends in an error is never taken
# off fts's set of those being walked, so the next one to vanish the same way "is part of the
# same file system loop". That is find's, not an errno, and comes on a kernel's sysfs the same
# way; it must name a directory that comes and goes, never one that stays.
loop='File system loop detected'
stable_loops=$(sed -n "s|^find: $loop; '$mnt/\([^']*\)'.*|d \1|p" "$work/all.err" | sort -u |
	comm -12 - "$work/stable" | head -5)
[ -z "$stable_loops" ] || fail "find saw a loop at a directory that stays: $stable_loops"
unexpected=$(grep -v "^find: $loop; " "$work/all.err" | by_name | comm -23 - "$work/baseline.err" |
	grep -v -e 'No such file or directory' -e 'No such device' | head -5)
if [ -z "$unexpected" ]; then
	ok "readers met only ENOENT and ENODEV ($(cat "$work"/reader*.err | wc -l) such)"
else
	fail "readers met: $unexpected"
fi
expect_names "no stale entry on the bus" "$dev" "0000:00:00.0 0000:00:01.0 0000:00:02.0"
expect_link "nor a stale link" "$dev/0000:00:01.0/virtfn0" absent
expect_link "the last bind holds" "$dev/0000:00:02.0/driver" "drivers/ixgbe"
if "$fakesys" list | grep -q dead; then fail "the daemon died"; else ok "the daemon lives"; fi
exit $status
