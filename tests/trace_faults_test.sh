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
	--fault 'sys/kernel/iommu_groups/216 lookup,getattr,opendir,open vanish'
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
if ls "$mnt/sys/kernel/iommu_groups" | grep -qx 216; then ok "a vanished group is still listed"; else fail "216 not listed"; fi
if ls "$mnt/sys/kernel/iommu_groups/216/" >/dev/null 2>&1; then fail "216 opened"; else ok "but cannot be entered"; fi

"$fakesys" umount "$mnt" || fail "umount"
if python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert all(set(l) >= {"time", "pid", "op", "path", "result"} for l in lines), "fields"
reads = [l for l in lines if l["op"] == "read" and l["path"].endswith("0000:3b:00.0/config")]
assert reads and all(l["result"] == -5 and l["errno"] == "EIO" for l in reads), reads
assert any(l["op"] == "read" and l["path"].endswith("0000:5e:00.0/vendor") and l["result"] == 3 for l in lines)
assert any(l["path"] == "sys/kernel/iommu_groups/216" and l.get("errno") == "ENOENT" for l in lines)
' "$trace"; then
	ok "the trace holds every operation above, as valid JSON lines"
else
	fail "trace: $(head -3 "$trace")"
fi
exit $status
