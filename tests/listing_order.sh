#!/usr/bin/env bash
# The naming module's IDs do not depend on how directories list, while an index taken from
# readdir order (what Kata's runtime-rs did) does: mounted with every --order, the IDs stay
# the same and the readdir positions of a group's members do not.
# usage: listing_order.sh FAKESYS VFIO_NAMING SCENARIO GROUP...
set -u
fakesys=$1
naming=$2
scenario=$3
shift 3
groups=("$@")

work=$(mktemp -d "${TMPDIR:-/tmp}/fakesys-order.XXXXXX")
cleanup() {
	mountpoint -q "$work/mnt" && { "$fakesys" umount "$work/mnt" || umount -l "$work/mnt"; }
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/mnt"
paths=()
for group in "${groups[@]}"; do paths+=("/dev/vfio/$group"); done

status=0
first_ids=""
readdir_indices=()
for order in kernfs sorted reverse shuffle:1 shuffle:2 shuffle:3; do
	"$fakesys" mount --order "$order" "$scenario" "$work/mnt" || { echo "FAIL: mount --order $order"; exit 1; }
	ids=$("$naming" --root "$work/mnt" --scheme group-index "${paths[@]}" | awk '{ print $1, $3 }')
	listing=""
	for group in "${groups[@]}"; do
		# ls -f is the point: it keeps readdir order, where a glob would sort.
		# shellcheck disable=SC2010
		listing+="$group: $(ls -f "$work/mnt/sys/kernel/iommu_groups/$group/devices" | grep -v '^\.' | tr '\n' ' ')"$'\n'
	done
	"$fakesys" umount "$work/mnt"
	[ -n "$ids" ] || { echo "FAIL: no IDs with --order $order"; status=1; }
	if [ -z "$first_ids" ]; then
		first_ids=$ids
	elif [ "$ids" != "$first_ids" ]; then
		echo "FAIL: IDs changed with --order $order:"
		diff <(echo "$first_ids") <(echo "$ids")
		status=1
	fi
	readdir_indices+=("$listing")
	echo "ok   --order $order: IDs $(echo "$ids" | awk '{ print $1 }' | tr '\n' ' ')"
done

distinct=$(printf '%s\0' "${readdir_indices[@]}" | sort -zu | tr -cd '\0' | wc -c)
if [ "$distinct" -lt 2 ]; then
	echo "FAIL: every order listed the groups' members the same way; a readdir-order index"
	echo "      would not have been caught (pick groups with several members)"
	status=1
else
	echo "ok   readdir order of the members took $distinct different forms; an index from it would change"
fi
exit "$status"
