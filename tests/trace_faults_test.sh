#!/usr/bin/env bash
# mount --trace and --fault through the mount: what a program read is in the trace, and
# faults strike the operations, paths and calls their rules name, and only those.
# usage: trace_faults_test.sh FAKESYS SCENARIO (kata-10576: NICs 0000:3b:00.0, 0000:5e:00.0)
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work trace "$1"
scenario=$2
mnt=$work/mnt
trace=$work/trace.jsonl
mount_scenario "$scenario" "$mnt" --trace "$trace" \
	--fault 'sys/devices/**/0000:3b:00.0/config read errno=EIO' \
	--fault 'sys/devices/**/0000:5e:00.0/vendor read short=3' \
	--fault 'sys/devices/**/0000:5e:00.0/device read errno=EAGAIN nth=2' \
	--fault 'sys/kernel/iommu_groups/216 lookup,getattr,opendir,open vanish' \
	--fault 'sys/kernel/iommu_groups/215/devices/0000:3b:00.0 all vanish' \
	--fault 'sys/devices/**/0000:5e:00.0/subsystem_device read delay=1500' \
	--fault 'sys/devices/**/0000:3b:00.0/class getattr errno=EIO nth=2' \
	--fault 'sys/devices/**/0000:3b:00.0/subsystem readlink errno=EIO nth=2' \
	--fault 'sys/bus/pci/drivers readdir delay=1'
dev=$mnt/sys/bus/pci/devices
# One read() per open, so that the calls a rule counts are the calls made here.
read_once() { dd if="$1" bs=4096 count=1 status=none; }

err=$(cat "$dev/0000:3b:00.0/config" 2>&1 >/dev/null)
if [[ $err == *"Input/output error"* ]]; then ok "config of 3b:00.0 reads EIO"; else fail "config: '$err'"; fi
if cat "$dev/0000:5e:00.0/config" >/dev/null; then ok "the other function's config reads"; else fail "5e:00.0 config"; fi
got=$(read_once "$dev/0000:5e:00.0/vendor")
if [ "$got" = 0x8 ]; then ok "a short read: $got"; else fail "short read: '$got'"; fi
got=$(read_once "$dev/0000:5e:00.0/device")
if [ "$got" = 0x1592 ]; then ok "the first read of device"; else fail "first read: '$got'"; fi
err=$(read_once "$dev/0000:5e:00.0/device" 2>&1 >/dev/null)
if [[ $err == *"Resource temporarily unavailable"* ]]; then ok "the second fails"; else fail "nth=2: '$err'"; fi
got=$(read_once "$dev/0000:5e:00.0/device")
if [ "$got" = 0x1592 ]; then ok "the third reads again"; else fail "third read: '$got'"; fi
# The kernel keeps no answer for a path a rule covers, so that the rule sees every call: of
# three, only the second fails.
expect_second_fails() { # COMMAND FILE
	local call err
	for call in 1 2 3; do
		err=$($1 "$2" 2>&1 >/dev/null)
		if { [ $call = 2 ] && [[ $err == *"Input/output error"* ]]; } ||
			{ [ $call != 2 ] && [ -z "$err" ]; }; then
			ok "$1 $(basename "$2"), call $call${err:+: EIO}"
		else
			fail "$1 $(basename "$2"), call $call: '$err'"
		fi
	done
}
expect_second_fails "stat -c %s" "$dev/0000:3b:00.0/class"
expect_second_fails "readlink -v" "$dev/0000:3b:00.0/subsystem"
for _ in 1 2; do ls "$mnt/sys/bus/pci/drivers" >/dev/null || fail "listing drivers"; done

if ls "$mnt/sys/kernel/iommu_groups" | grep -qx 216; then ok "a vanished group is still listed"; else fail "216 not listed"; fi
if ls "$mnt/sys/kernel/iommu_groups/216/" >/dev/null 2>&1; then fail "216 opened"; else ok "but cannot be entered"; fi

# A group's entry for its device vanishes: the listing (readdirplus, which hands the kernel
# whole entries) still shows it, and what follows it then finds nothing, though the device
# itself is still there.
members=$mnt/sys/kernel/iommu_groups/215/devices
if ls -l "$members" 2>/dev/null | grep -q ' 0000:3b:00.0\( ->\|$\)'; then
	ok "ls -l of group 215 lists 0000:3b:00.0"
else
	fail "ls -l $members: $(ls -l "$members" 2>&1)"
fi
err=$(readlink -v "$members/0000:3b:00.0" 2>&1)
if [[ $err == *"No such file or directory"* ]]; then ok "then its link reads ENOENT"; else fail "readlink: '$err'"; fi
err=$(stat "$members/0000:3b:00.0" 2>&1 >/dev/null)
if [[ $err == *"No such file or directory"* ]]; then ok "and stat finds nothing"; else fail "stat: '$err'"; fi
if ls "$members" | grep -qx 0000:3b:00.0; then ok "while the group still lists it"; else fail "not listed"; fi
expect_link "the device itself" "$dev/0000:3b:00.0/iommu_group" "kernel/iommu_groups/215"

# A delayed read holds nothing up: its device is removed while it waits, and it then meets the
# tree as it is, as a read racing a removal does (kernfs: ENODEV, the file is still open). The
# order is told by clock readings: when the removal was done, and when the read came back.
reader_opened=$work/reader-opened
python3 -c '
import errno, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
open(sys.argv[2], "w").close()
try:
	got = "read %r" % os.read(fd, 4096)
except OSError as e:
	got = errno.errorcode[e.errno]
print(time.time_ns(), got)
' "$dev/0000:5e:00.0/subsystem_device" "$reader_opened" >"$work/reader.out" 2>&1 &
reader=$!
for _ in $(seq 100); do [ -e "$reader_opened" ] && break; sleep 0.05; done
[ -e "$reader_opened" ] || fail "the reader never opened subsystem_device: $(cat "$work/reader.out")"
sleep 0.3 # from open() to read() is microseconds; the read then waits 1.5 s
expect_write "remove 0000:5e:00.0 while a read of its file waits" 1 "$dev/0000:5e:00.0/remove" ok
removed_at=$(date +%s%N)
wait "$reader"
read -r read_at got <"$work/reader.out"
if [ "$removed_at" -lt "${read_at:-0}" ]; then
	ok "the removal is done before the delayed read answers"
else
	fail "the read answered first ($read_at, removal $removed_at): $(cat "$work/reader.out")"
fi
if [ "$got" = ENODEV ]; then ok "the delayed read then fails ENODEV"; else fail "delayed read: '$got'"; fi
chmod 0755 "$mnt/sys/kernel/iommu_groups" || fail "chmod"

"$fakesys" umount "$mnt" || fail "umount"
if python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert all(set(l) >= {"time", "pid", "op", "path", "result"} for l in lines), "fields"
reads = [l for l in lines if l["op"] == "read" and l["path"].endswith("0000:3b:00.0/config")]
assert reads and all(l["result"] == -5 and l["errno"] == "EIO" for l in reads), reads
assert any(l["op"] == "read" and l["path"].endswith("0000:5e:00.0/vendor") and l["result"] == 3 for l in lines)
assert any(l["path"] == "sys/kernel/iommu_groups/216" and l.get("errno") == "ENOENT" for l in lines)
# The vanished entry was looked up after a listing of its group handed it out.
entry = "sys/kernel/iommu_groups/215/devices/0000:3b:00.0"
listed = next(i for i, l in enumerate(lines)
	      if l["op"].startswith("readdir") and l["path"] == entry.rsplit("/", 1)[0])
assert any(l["op"] == "lookup" and l["path"] == entry and l.get("errno") == "ENOENT"
	   for l in lines[listed:]), "no lookup of " + entry
# Both listings of a directory a rule covers reached the rule, not only the first.
listers = {l["pid"] for l in lines if l["op"].startswith("readdir") and l["path"] == "sys/bus/pci/drivers"}
assert len(listers) >= 2, listers
# The removal was answered first; the read is traced by the path it was made on.
removal = next(i for i, l in enumerate(lines) if l["op"] == "write" and l["path"].endswith("0000:5e:00.0/remove"))
read = next(i for i, l in enumerate(lines) if l["op"] == "read" and l["path"].endswith("0000:5e:00.0/subsystem_device"))
assert removal < read and lines[removal]["result"] == 1, (lines[removal], lines[read])
assert lines[read]["path"].startswith("sys/devices/") and lines[read].get("errno") == "ENODEV", lines[read]
assert any(l["op"] == "setattr" and l["path"] == "sys/kernel/iommu_groups" and l["result"] == 0
	   for l in lines), "no setattr"
' "$trace"; then
	ok "the trace holds every operation above, as valid JSON lines"
else
	fail "trace: $(head -3 "$trace")"
fi
exit $status
