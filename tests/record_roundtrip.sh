#!/usr/bin/env bash
# fakesys record, then replay: the replay must be indistinguishable from the source, file by
# file (bytes, mode, size where the source is sysfs), link by link, listing by listing, and
# through lspci with every common option set.
#
# usage: record_roundtrip.sh FAKESYS TREE_COMPARE live
#        record_roundtrip.sh FAKESYS TREE_COMPARE rendered SCENARIO
#   live:     this machine's /, recorded as root (plain and with --children) and as an
#             unprivileged user
#   rendered: SCENARIO rendered to a plain tree, that tree recorded with --root, the
#             recording replayed and compared with the rendered tree and with a mount of
#             SCENARIO itself
set -u
fakesys=$1
compare=("$2")
mode=$3
scenario=${4:-}

work=$(mktemp -d "${TMPDIR:-/tmp}/fakesys-record.XXXXXX")
mounts=()
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	for m in "${mounts[@]}"; do
		"$fakesys" umount "$m" >/dev/null 2>&1 || "$fakesys" umount -l "$m" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"
status=0
fail() {
	echo "FAIL $*"
	status=1
}
ok() { echo "ok   $*"; }

# mount_at SCENARIO DIR [OPTION...]
mount_at() {
	mkdir -p "$2"
	if ! "$fakesys" mount "${@:3}" "$1" "$2"; then
		echo "FAIL: fakesys mount $1 $2"
		exit 1
	fi
	mounts+=("$2")
}

# The recorded parts of a root that exist there (dev/ only when the root has one).
scope_of() {
	local root=$1
	echo sys/bus/pci sys/kernel/iommu_groups
	for d in "$root"/sys/devices/pci*; do
		[ -d "$d" ] && echo "sys/devices/${d##*/}"
	done
	for d in dev/vfio dev/iommu; do
		[ -e "$root/$d" ] && echo "$d"
	done
}

# compare_trees WHAT A B [OPTION...]: tree-compare over the scope both sides share.
compare_trees() {
	local what=$1 a=$2 b=$3
	shift 3
	local scope
	scope=$( (scope_of "$a"; scope_of "$b") | sort -u)
	# shellcheck disable=SC2086 # the scope is a list of words
	if "${compare[@]}" "$@" "$a" "$b" $scope >"$work/compare.out" 2>"$work/compare.err"; then
		ok "$what: $(tail -1 "$work/compare.out")"
	else
		fail "$what:"
		head -30 "$work/compare.out" "$work/compare.err"
	fi
}

# Every readable file of the scope under / with a digest of its content, one "PATH DIGEST" a
# line: taken before recording, it tells counters (which move on their own) from the rest.
snapshot_live() {
	local scope
	scope=$(scope_of /)
	# shellcheck disable=SC2086 # the scope is a list of words
	(cd / && find $scope -type f -readable 2>/dev/null | sort | while read -r f; do
		printf '%s %s\n' "$f" "$({ md5sum <"$f"; } 2>/dev/null | cut -c1-32)"
	done)
}

# is_live_statistic PATH: the kernel's running statistics, whose value is only a sample.
is_live_statistic() {
	case ${1##*/} in
	inflight | stat | runtime_active_time | runtime_suspended_time) return 0 ;;
	esac
	return 1
}

# compare_live WHAT SNAPSHOT REPLAY [OPTION...]: as compare_trees against /, but a content
# difference in a file that changed on the host since SNAPSHOT was taken is a counter moving
# on (the replay holds its value at recording), shown and not counted.
compare_live() {
	local what=$1 snapshot=$2 replay=$3
	shift 3
	local scope moved=0 wrong=0 path before now
	scope=$(scope_of /)
	# shellcheck disable=SC2086 # the scope is a list of words
	"${compare[@]}" --max-diffs 100000 "$@" / "$replay" $scope >"$work/compare.out" 2>/dev/null
	while IFS= read -r line; do
		case $line in
		"compared "*) continue ;;
		*": content differs"*)
			path=${line%%: content differs*}
			before=$(awk -v p="$path" '$1 == p { print $2 }' "$snapshot")
			now=$({ md5sum <"/$path"; } 2>/dev/null | cut -c1-32)
			# A statistic of I/O in flight can change and change back while the
			# recording reads it, between two snapshots that agree: it is live by
			# what it is, not by what the snapshots saw.
			if is_live_statistic "$path" || { [ -n "$before" ] && [ "$before" != "$now" ]; }; then
				moved=$((moved + 1))
				echo "     (live statistic or moved on since recording, not counted: $path)"
				continue
			fi
			;;
		esac
		wrong=$((wrong + 1))
		echo "     $line"
	done <"$work/compare.out"
	if [ "$wrong" = 0 ] && grep -q '^compared ' "$work/compare.out"; then
		ok "$what: $(tail -1 "$work/compare.out" | sed 's/: [0-9]* differences$//'): no difference but $moved counters"
	else
		fail "$what: $wrong differences"
	fi
}

# lspci with the option sets people use, against the sysfs at $1 and at $2.
compare_lspci() {
	local what=$1 a=$2 b=$3 opts
	for opts in "" "-nn" "-v" "-nn -vv -k" "-vvv -k" "-xxx" "-xxxx" "-tv" "-PP" "-vmm" \
		"-D -nn" "-b -v" "-n -vvv -xxxx -k -D"; do
		# shellcheck disable=SC2086 # opts is a list of options
		lspci -A linux-sysfs $opts -O sysfs.path="$a/sys/bus/pci" >"$work/lspci.a" 2>&1
		# shellcheck disable=SC2086
		lspci -A linux-sysfs $opts -O sysfs.path="$b/sys/bus/pci" >"$work/lspci.b" 2>&1
		if [ ! -s "$work/lspci.a" ] || ! cmp -s "$work/lspci.a" "$work/lspci.b"; then
			fail "$what: lspci $opts differs (or is empty)"
			diff "$work/lspci.a" "$work/lspci.b" | head -10
			return
		fi
	done
	ok "$what: lspci output is identical for 13 option sets"
}

# SCENARIO rendered into $work/src, the source of the recording.
render_source() {
	[ -n "$scenario" ] || {
		echo "usage: $0 FAKESYS TREE_COMPARE $mode SCENARIO"
		exit 2
	}
	"$fakesys" render "$scenario" "$work/src" >/dev/null || {
		echo "FAIL: fakesys render $scenario"
		exit 1
	}
}

# record OUT [OPTION...]: fakesys record into OUT, its report in OUT.report.
record() {
	local out=$1
	shift
	if ! "$fakesys" record "$@" -o "$out" 2>"$out.report"; then
		fail "fakesys record $*:"
		cat "$out.report"
		exit 1
	fi
	if ! "$fakesys" check "$out" >/dev/null; then
		fail "the recording $out does not load"
		exit 1
	fi
}

# The contents of devices of other subsystems a default recording leaves out.
left_out_excludes() {
	sed -n 's/^\(.*\): a device of another subsystem; contents left out.*/--exclude\n\1\/*/p' "$1"
}

case $mode in
live)
	[ "$(id -u)" = 0 ] || {
		echo "FAIL: the live round trip records as root (and as another user); run as root"
		exit 1
	}
	[ -d /sys/bus/pci/devices ] || {
		echo "FAIL: no /sys/bus/pci/devices on this machine"
		exit 1
	}
	host=/

	# Everything, devices of other subsystems too: no difference at all but counters.
	snapshot_live >"$work/before-full"
	record "$work/full.yaml" --children
	mount_at "$work/full.yaml" "$work/full"
	compare_live "live host, --children" "$work/before-full" "$work/full" --order --sizes
	compare_lspci "live host" "$host" "$work/full"
	out=$("$fakesys" run "$work/full.yaml" -- lspci -vvv -k 2>&1)
	if [ -n "$out" ] && [ "$out" = "$(lspci -vvv -k 2>&1)" ]; then
		ok "plain lspci -vvv -k inside fakesys run of the recording sees this host"
	else
		fail "plain lspci -vvv -k inside fakesys run differs from this host's"
	fi

	# The default: other subsystems' devices are empty directories, the rest exact.
	snapshot_live >"$work/before-host"
	record "$work/host.yaml"
	mount_at "$work/host.yaml" "$work/host"
	mapfile -t excludes < <(left_out_excludes "$work/host.yaml.report")
	compare_live "live host, default ($((${#excludes[@]} / 2)) devices of other subsystems left out)" \
		"$work/before-host" "$work/host" --order --sizes "${excludes[@]}"
	compare_lspci "live host, default" "$host" "$work/host"
	if grep -q -i -E "$(hostname)" "$work/host.yaml" 2>/dev/null && [ -n "$(hostname)" ]; then
		fail "the recording names this host ($(hostname))"
	else
		ok "the recording does not hold the host name"
	fi

	# Not root: what could not be read is reported, never fatal; the rest replays as the
	# same user sees the source.
	mkdir -m 1777 "$work/nobody-out"
	snapshot_live >"$work/before-nobody"
	if ! setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$fakesys" record -o "$work/nobody-out/nobody.yaml" 2>"$work/nobody.report"; then
		fail "fakesys record as nobody:"
		cat "$work/nobody.report"
	elif ! grep -q '(not root)' "$work/nobody.report"; then
		fail "fakesys record as nobody does not say what it could not read"
		cat "$work/nobody.report"
	else
		ok "record as nobody: $(grep -c '(not root)' "$work/nobody.report") unreadable files reported"
		mount_at "$work/nobody-out/nobody.yaml" "$work/nobody" -o allow_other
		mapfile -t excludes < <(left_out_excludes "$work/nobody.report")
		compare=(setpriv --reuid=65534 --regid=65534 --clear-groups "${compare[@]}")
		compare_live "record as nobody, compared as nobody" "$work/before-nobody" \
			"$work/nobody" --sizes "${excludes[@]}"
		compare=("${compare[@]:4}")
	fi
	;;
rendered)
	render_source
	record "$work/rec.yaml" --root "$work/src"
	entries=$(grep -c '^  "' "$work/rec.yaml")
	mount_at "$work/rec.yaml" "$work/replay"
	# The rendered tree's files are plain files: their sizes are their lengths, not sysfs's,
	# and an attribute that fails to read is an empty file there.
	compare_trees "replay against the rendered source ($entries verbatim entries)" \
		"$work/src" "$work/replay" --plain-a
	compare_lspci "replay against the rendered source" "$work/src" "$work/replay"
	# Against the scenario's own mount nothing may differ, sizes and listing order included.
	mount_at "$scenario" "$work/original"
	compare_trees "replay against a mount of the scenario" "$work/original" "$work/replay" \
		--order --sizes
	;;
escape)
	# A copied tree whose links lead out of it: record reads nothing outside the root.
	render_source
	secret="fakesys-secret-$$-$RANDOM"
	mkdir "$work/outside"
	echo "$secret" >"$work/outside/vendor"
	echo "$secret" >"$work/outside/$secret"
	devices="$work/src/sys/bus/pci/devices"
	first=$(find "$devices" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | head -1)
	second=$(find "$devices" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | sed -n 2p)
	first_dir=$(readlink -f "$devices/$first")
	# A device's attribute, a device link, and a whole directory of the scope lead outside.
	rm "$first_dir/vendor"
	ln -s "$work/outside/vendor" "$first_dir/vendor"
	rm "$devices/$second"
	ln -s "../../../../../outside" "$devices/$second"
	rm -rf "$work/src/sys/kernel/iommu_groups"
	ln -s "$work/outside" "$work/src/sys/kernel/iommu_groups"
	record "$work/rec.yaml" --root "$work/src"
	if grep -q "$secret" "$work/rec.yaml"; then
		fail "the recording holds a file from outside the root"
	else
		ok "nothing from outside the root was read into the recording"
	fi
	if grep -q "^sys/bus/pci/devices/$second: points outside the root" \
		"$work/rec.yaml.report"; then
		ok "a device link leading out of the root is reported and left out"
	else
		fail "a device link leading out of the root was not reported:"
		cat "$work/rec.yaml.report"
	fi
	if grep -q "\"sys/devices/.*/$first/vendor\": {link: \"$work/outside/vendor\"}" \
		"$work/rec.yaml"; then
		ok "an attribute that is a link out of the root is kept as a link, not followed"
	else
		fail "the vendor link out of the root is not kept as its text"
		grep -n "vendor" "$work/rec.yaml" | head -5
	fi
	;;
identifiers)
	# Serial numbers stay out unless asked for: the PCIe Device Serial Number in config space
	# and the VPD file, planted in a rendered tree.
	render_source
	secret="fakesys-vpd-$$-$RANDOM"
	config=$(find "$work/src/sys/devices" -name config -size 4096c | head -1)
	[ -n "$config" ] || {
		echo "FAIL: no PCI Express device in $scenario"
		exit 1
	}
	# DSN at 0x100, the end of the extended list: ID 0003, version 1, next 0; serial 11..88.
	printf '\x03\x00\x01\x00\x11\x22\x33\x44\x55\x66\x77\x88' |
		dd of="$config" bs=1 seek=256 conv=notrunc status=none
	echo "$secret" >"${config%/config}/vpd"
	chmod 600 "${config%/config}/vpd"
	record "$work/plain.yaml" --root "$work/src"
	record "$work/kept.yaml" --root "$work/src" --keep-identifiers
	dsn='100: 03 00 01 00 11 22 33 44 55 66 77 88'
	zeroed='100: 03 00 01 00 00 00 00 00 00 00 00 00'
	if grep -q "$zeroed" "$work/plain.yaml" && ! grep -q "$dsn" "$work/plain.yaml" &&
		grep -q "Device Serial Number zeroed" "$work/plain.yaml.report"; then
		ok "the Device Serial Number is zeroed, and the report says so"
	else
		fail "the Device Serial Number was not zeroed:"
		grep -n '^      100:' "$work/plain.yaml" | head -3
	fi
	if ! grep -q "$secret" "$work/plain.yaml" && grep -q "vpd: left out" "$work/plain.yaml.report"; then
		ok "VPD is left out, and the report says so"
	else
		fail "VPD went into the recording"
	fi
	if grep -q "$dsn" "$work/kept.yaml" && grep -q "$secret" "$work/kept.yaml"; then
		ok "--keep-identifiers keeps both"
	else
		fail "--keep-identifiers lost the serial number or the VPD"
	fi
	;;
*)
	echo "usage: $0 FAKESYS TREE_COMPARE live | rendered SCENARIO | escape SCENARIO | identifiers SCENARIO"
	exit 2
	;;
esac
exit $status
