#!/usr/bin/env bash
# `fakesys render` writes the same tree the mount serves: every path with its type, mode, link
# text and (where readable) bytes; and lspci prints the same for every option set on both.
# usage: render_matches_mount.sh FAKESYS SCENARIO
set -u
fakesys=$1
scenario=$2

work=$(mktemp -d "${TMPDIR:-/tmp}/fakesys-render.XXXXXX")
cleanup() {
	mountpoint -q "$work/mnt" && { "$fakesys" umount "$work/mnt" || umount -l "$work/mnt"; }
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/mnt"
"$fakesys" mount "$scenario" "$work/mnt" || { echo "FAIL: mount"; exit 1; }
"$fakesys" render "$scenario" "$work/plain" >/dev/null || { echo "FAIL: render"; exit 1; }

# Structure: one line per path with type, permissions and link text. Sizes differ by nature
# (sysfs says 4096 for every attribute; a plain file has its length), so they are left out.
structure() { (cd "$1" && find . -printf '%y %m %p %l\n' | sort -k3); }
# Contents: digests of what the mount lets root read (write-only files and reads that fail,
# like EIO, are left out on both sides; a plain directory lets root read anything).
(cd "$work/mnt" && find . -type f | sort) >"$work/files"
digests() { (cd "$1" && xargs -d '\n' md5sum <"$work/files" 2>/dev/null); }
digests "$work/mnt" >"$work/mnt.sums"
digests "$work/plain" | grep -F -x -f "$work/mnt.sums" >"$work/plain.sums"

status=0
if ! diff <(structure "$work/mnt") <(structure "$work/plain") >"$work/diff"; then
	echo "FAIL: the rendered tree differs from the mount:"
	head -20 "$work/diff"
	status=1
else
	echo "ok   $(structure "$work/mnt" | wc -l) paths with the same type, mode and link text"
fi
if ! diff "$work/mnt.sums" "$work/plain.sums" >"$work/diff" || [ ! -s "$work/mnt.sums" ]; then
	echo "FAIL: file contents differ between mount and render:"
	head -20 "$work/diff"
	status=1
else
	echo "ok   $(wc -l <"$work/mnt.sums") readable files with the same bytes"
fi

for options in "-nn -vv" "-vvv -k" "-xxxx" "-tv" "-PP" "-vmm" "-D"; do
	# shellcheck disable=SC2086 # options are several words on purpose
	on_mount=$(lspci -A linux-sysfs -O sysfs.path="$work/mnt/sys/bus/pci" $options 2>&1)
	# shellcheck disable=SC2086
	on_plain=$(lspci -A linux-sysfs -O sysfs.path="$work/plain/sys/bus/pci" $options 2>&1)
	if [ "$on_mount" != "$on_plain" ] || [ -z "$on_mount" ]; then
		echo "FAIL: lspci $options differs between mount and render"
		diff <(echo "$on_mount") <(echo "$on_plain") | head -10
		status=1
	else
		echo "ok   lspci $options: same $(echo "$on_mount" | wc -l) lines"
	fi
done
# The loop everyone pastes to list IOMMU groups, run over both trees.
iommu_group_loop() {
	local root=$1 group device
	for group in "$root"/sys/kernel/iommu_groups/*; do
		[ -d "$group" ] || continue
		echo "IOMMU Group ${group##*/}:"
		for device in "$group"/devices/*; do
			printf '\t%s\n' "$(lspci -A linux-sysfs -O sysfs.path="$root/sys/bus/pci" \
				-nns "${device##*/}" 2>&1)"
		done
	done
}
on_mount=$(iommu_group_loop "$work/mnt")
on_plain=$(iommu_group_loop "$work/plain")
if [ "$on_mount" != "$on_plain" ]; then
	echo "FAIL: the IOMMU group loop differs between mount and render"
	diff <(echo "$on_mount") <(echo "$on_plain") | head -10
	status=1
else
	echo "ok   IOMMU group loop: same $(echo "$on_mount" | grep -c '^IOMMU Group') groups"
fi
exit "$status"
