#!/usr/bin/env bash
# What a mount lets others do, and what a scenario can make fakesys do:
# - a mount is open to the user who made it only, root included, unless -o allow_other; the
#   control file stays the owner's even then;
# - only the emulated attributes open for writing; every other file refuses with EACCES, even
#   for root, whatever its mode shows;
# - the tree cannot be reshaped: creating, removing, renaming and linking fail with the errnos
#   sysfs gives (measured on this kernel's /sys: EACCES for creating a file, EPERM for the
#   rest as root; EACCES for all as a user, from the directory's mode), and nothing changes;
# - names that could step out of a directory are refused by check, and render writes nothing
#   outside its directory wherever the scenario's links point;
# - scenario strings are bounded: each documented limit holds, and one byte more is refused.
# usage: security_test.sh FAKESYS SCENARIO
set -u
export LC_ALL=C # the messages matched below are the C locale's
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work security "$1"
scenario=$2
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
other=(setpriv --reuid=4244 --regid=4244 --clear-groups)

# Copies the users without root can reach, wherever the build and the sources are.
cp "$fakesys" "$work/fakesys"
cp "$scenario" "$work/scenario.yaml"
chmod 755 "$work/fakesys"
chmod 644 "$work/scenario.yaml"
fakesys=$work/fakesys

# expect_err WHAT ERRNO_TEXT COMMAND...: COMMAND fails and says ERRNO_TEXT ("ok": succeeds).
expect_err() {
	local what=$1 want=$2 err
	shift 2
	if err=$("$@" 2>&1 >/dev/null); then
		if [ "$want" = ok ]; then ok "$what"; else fail "$what: succeeded, wanted '$want'"; fi
	elif [ "$want" != ok ] && [[ $err == *": $want" ]]; then
		ok "$what: $want"
	else
		fail "$what: '$err', wanted '$want'"
	fi
}

echo "== who sees a mount"
mnt=$work/mnt
mount_scenario "$work/scenario.yaml" "$mnt"
expect_err "root, who mounted, stats sys" ok stat "$mnt/sys"
expect_err "nobody may not stat sys without allow_other" "Permission denied" \
	"${nobody[@]}" stat "$mnt/sys"
expect_err "nor list the root" "Permission denied" "${nobody[@]}" ls "$mnt"
expect_err "nor may uid 4244" "Permission denied" "${other[@]}" stat "$mnt/sys"
"$fakesys" umount "$mnt" || fail "umount"
mount_scenario "$work/scenario.yaml" "$mnt" -o allow_other
expect_err "with allow_other nobody stats sys" ok "${nobody[@]}" stat "$mnt/sys"
expect_err "and reads an attribute" ok \
	"${nobody[@]}" cat "$mnt/sys/bus/pci/devices/0000:3b:00.0/vendor"
expect_err "but not the control file" "Permission denied" \
	"${nobody[@]}" cat "$mnt/.fakesys-control"
expect_err "nor fakesys ctl" "Permission denied" "${nobody[@]}" "$fakesys" ctl "$mnt" faults
expect_err "nor write a 0644 attribute" "Permission denied" "${nobody[@]}" \
	sh -c "echo vfio-pci >'$mnt/sys/bus/pci/devices/0000:3b:00.0/driver_override'"
expect_read "the attribute as it was" "$mnt/sys/bus/pci/devices/0000:3b:00.0/driver_override" \
	"(null)"
"$fakesys" umount "$mnt" || fail "umount"

# A user's mount, through fusermount3: closed to root too.
user_mnt=$work/mnt-user
mkdir "$user_mnt"
chown 65534:65534 "$user_mnt"
if ! err=$("${nobody[@]}" "$fakesys" mount "$work/scenario.yaml" "$user_mnt" 2>&1); then
	fail "nobody cannot mount (fusermount3 from fuse3, setuid root, is needed): $err"
else
	expect_err "nobody, who mounted, reads" ok \
		"${nobody[@]}" cat "$user_mnt/sys/bus/pci/devices/0000:3b:00.0/vendor"
	expect_err "root may not stat sys of nobody's mount" "Permission denied" stat "$user_mnt/sys"
	expect_err "nor may uid 4244" "Permission denied" "${other[@]}" stat "$user_mnt/sys"
	expect_err "nobody unmounts it" ok "${nobody[@]}" "$fakesys" umount "$user_mnt"
fi

echo "== only the emulated attributes open for writing"
# Opened for appending and closed, nothing written: what accepts the open is what has a store.
emulated=" bind broken_parity_status create d3cold_allowed disable_idle_d3 driver_override
	drivers_autoprobe drivers_probe enable enable_sriov msi_bus new_id nointxmask numa_node
	remove remove_id rescan reset reset_method sriov_drivers_autoprobe sriov_numvfs type
	unbind uevent "
for name in kata-10576 sriov-vfs-own-groups mdev-vgpu pcie-switch; do
	mount_scenario "$(dirname "$scenario")/$name.yaml" "$mnt"
	opened=0 refused=0 wrong=()
	while IFS= read -r -d '' file; do
		base=${file##*/}
		if err=$({ : >>"$file"; } 2>&1); then
			opened=$((opened + 1))
			# Only an emulated attribute, and only with a write bit in its mode.
			if [[ ${emulated//[[:space:]]/ } != *" $base "* ]] ||
				[[ $(stat -c %a "$file") != *[2367]* ]]; then
				wrong+=("${file#"$mnt"/} opens")
			fi
		else
			refused=$((refused + 1))
			[[ $err == *": Permission denied" ]] || wrong+=("${file#"$mnt"/}: $err")
		fi
	done < <(find "$mnt" -type f -print0)
	if [ ${#wrong[@]} -eq 0 ] && [ "$opened" -gt 0 ] && [ "$refused" -gt 0 ]; then
		ok "$name: $opened emulated attributes open for writing, $refused other files refuse (EACCES)"
	else
		fail "$name: ${wrong[*]:0:5}"
	fi
	"$fakesys" umount "$mnt" || fail "umount"
done

echo "== the tree cannot be reshaped"
mount_scenario "$work/scenario.yaml" "$mnt" -o allow_other
pci=$mnt/sys/bus/pci
nic=$pci/devices/0000:3b:00.0
find "$mnt" -printf '%y %m %u %g %P\n' | sort >"$work/tree.before"
# reshape WHO [RUNNER...]: every change tried as WHO, with the errno sysfs gives that user.
reshape() {
	local who=$1 create=EACCES perm=EPERM
	shift
	# A user meets the directory's mode (0755, root's) before the missing operation.
	[ "$who" = root ] || perm=EACCES
	local -A text=([EACCES]="Permission denied" [EPERM]="Operation not permitted")
	expect_err "$who: create a file" "${text[$create]}" "$@" sh -c ": >'$pci/new'"
	expect_err "$who: mkdir" "${text[$perm]}" "$@" mkdir "$pci/newdir"
	expect_err "$who: mkfifo" "${text[$perm]}" "$@" mkfifo "$pci/fifo"
	expect_err "$who: rmdir" "${text[$perm]}" "$@" rmdir "$pci/drivers"
	expect_err "$who: unlink an attribute" "${text[$perm]}" "$@" rm -f "$nic/vendor"
	expect_err "$who: unlink a link" "${text[$perm]}" "$@" rm -f "$pci/devices/0000:3b:00.0"
	expect_err "$who: rename" "${text[$perm]}" "$@" mv -T "$nic/vendor" "$nic/vendor2"
	expect_err "$who: rename over another" "${text[$perm]}" "$@" mv -T "$nic/vendor" "$nic/device"
	expect_err "$who: symlink" "${text[$perm]}" "$@" ln -s vendor "$pci/newlink"
	expect_err "$who: write-open a read-only attribute" "Permission denied" \
		"$@" sh -c ": >'$nic/vendor'"
	expect_err "$who: read a write-only attribute" "Permission denied" "$@" cat "$pci/rescan"
	# Root may (below); a user is not the owner.
	if [ "$who" != root ]; then
		expect_err "$who: chmod" "Operation not permitted" "$@" chmod 0666 "$nic/vendor"
		expect_err "$who: chown" "Operation not permitted" "$@" chown 4244 "$nic/vendor"
	fi
}
reshape root
# Root's hard link reaches the daemon (a user's stops at fs.protected_hardlinks).
expect_err "root: hard link" "Operation not permitted" ln "$nic/vendor" "$pci/newhard"
expect_err "root: mknod" "Operation not permitted" mknod "$pci/null" c 1 3
expect_err "root: truncate(1) a read-only attribute" "Permission denied" \
	truncate -s 0 "$nic/vendor"
reshape nobody "${nobody[@]}"
expect_err "nobody: touch an attribute" "Permission denied" "${nobody[@]}" touch "$nic/vendor"
find "$mnt" -printf '%y %m %u %g %P\n' | sort >"$work/tree.after"
if cmp -s "$work/tree.before" "$work/tree.after"; then
	ok "every entry is there with its type, mode and owner, and nothing more"
else
	fail "the tree changed:"
	diff "$work/tree.before" "$work/tree.after" | head -5
fi
"$fakesys" umount "$mnt" || fail "umount"

echo "== modes, owners and times, as kernfs keeps them"
mount_scenario "$work/scenario.yaml" "$mnt" -o allow_other
nic=$mnt/sys/bus/pci/devices/0000:3b:00.0
vfio=$mnt/sys/bus/pci/drivers/vfio-pci
# expect_stat WHAT FILE FORMAT WANT: stat -c FORMAT of FILE reads WANT.
expect_stat() {
	local got
	got=$(stat -c "$3" "$2" 2>&1)
	if [ "$got" = "$4" ]; then ok "$1: $4"; else fail "$1: '$got', wanted '$4'"; fi
}
expect_err "root: chmod an attribute" ok chmod 0600 "$nic/vendor"
expect_err "root: chown it" ok chown 4244:4245 "$nic/vendor"
expect_err "root: set its times" ok touch -d @1577934245 "$nic/vendor"
expect_stat "the attribute" "$nic/vendor" '%a %u %g %Y' "600 4244 4245 1577934245"
expect_err "root: chown a directory" ok chown 4244 "$nic/power"
expect_stat "the directory" "$nic/power" '%a %u' "755 4244"
expect_err "root: chown /dev/vfio/215, as runtimes do for a VMM's user" ok \
	chown 4244 "$mnt/dev/vfio/215"
expect_stat "the group's node" "$mnt/dev/vfio/215" '%F %a %u' "character special file 600 4244"
expect_err "root: truncate(1) a writable attribute (the size is ignored)" ok \
	truncate -s 0 "$nic/driver_override"
expect_read "driver_override" "$nic/driver_override" "(null)"
# The owner, now uid 4244, may chmod; others may not.
expect_err "its owner: chmod" ok "${other[@]}" chmod 0640 "$nic/vendor"
expect_err "nobody: chmod" "Operation not permitted" "${nobody[@]}" chmod 0666 "$nic/vendor"
expect_err "nobody may not read it now" "Permission denied" "${nobody[@]}" cat "$nic/vendor"
expect_err "its owner may" ok "${other[@]}" cat "$nic/vendor"
# What was set stays while the node lives: through writes that change the tree around it.
expect_write "unbind" 0000:3b:00.0 "$vfio/unbind" ok
expect_write "bind" 0000:3b:00.0 "$vfio/bind" ok
expect_stat "after a rebind, the attribute" "$nic/vendor" '%a %u %g %Y' "640 4244 4245 1577934245"
# The group's node went with its last vfio-pci device and came back new, as from devtmpfs.
expect_stat "after a rebind, /dev/vfio/215, made anew" "$mnt/dev/vfio/215" '%a %u' "600 0"
# A device removed and found again is a new device, with sysfs's modes.
expect_write "remove" 1 "$nic/remove" ok
expect_write "rescan" 1 "$mnt/sys/bus/pci/rescan" ok
expect_stat "the device found again" "$nic/vendor" '%a %u %g' "444 0 0"
expect_err "root: chown dev/vfio/216" ok chown 4244 "$mnt/dev/vfio/216"
# A reload is a reboot.
"$fakesys" ctl "$mnt" reload >/dev/null || fail "reload"
expect_stat "after a reload, /dev/vfio/216" "$mnt/dev/vfio/216" '%a %u' "600 0"
"$fakesys" umount "$mnt" || fail "umount"

echo "== nothing outside the scenario's own files"
base='scenario: names
devices:
  0000:00:00.0: {id: 8086:2020, class: host-bridge}'
# refused WHAT YAML: check refuses it as input (exit 2).
refused() {
	local rc
	printf '%s\n' "$2" >"$work/t.yaml"
	"$fakesys" check "$work/t.yaml" >"$work/out" 2>&1
	rc=$?
	if [ "$rc" -eq 2 ]; then ok "$1: $(sed "s|^$work/||" "$work/out")"; else fail "$1: exit $rc, $(cat "$work/out")"; fi
}
accepted() {
	printf '%s\n' "$2" >"$work/t.yaml"
	if "$fakesys" check "$work/t.yaml" >"$work/out" 2>&1; then
		ok "$1: accepted"
	else
		fail "$1: refused, $(cat "$work/out")"
	fi
}
device() { printf '  0000:00:01.0: {id: 8086:1572, class: ethernet, group: 1%s}' "$1"; }
for name in a/b . ../x; do
	refused "driver name '$name'" "$base
$(device ", driver: \"$name\"")"
	refused "listed driver '$name'" "$base
drivers: [\"$name\"]"
	refused "mdev type id '$name'" "$base
  0000:00:02.0:
    id: 8086:3e92
    class: vga
    mdev_types:
      - {id: \"$name\", instances: 1}"
done
for path in sys//x sys/./x sys/x/ /sys/x sys/../../x; do
	refused "verbatim path '$path'" "$base
verbatim:
  \"$path\": {text: x}"
done

# Links that lead out, absolute and relative, in a rendered tree: written as links, never
# followed, and nothing is written where they point.
mkdir "$work/outside"
render_yaml="$base
verbatim:
  sys/out-abs: {link: \"$work/outside\"}
  sys/out-rel: {link: ../../outside}
  sys/dev-link: {link: ../../outside/vfio}
  sys/inside: {dir: 755}
  sys/inside/file: {text: x}"
printf '%s\n' "$render_yaml" >"$work/links.yaml"
if "$fakesys" render "$work/links.yaml" "$work/render" >/dev/null 2>"$work/err" &&
	[ "$(readlink "$work/render/sys/out-abs")" = "$work/outside" ] &&
	[ "$(readlink "$work/render/sys/out-rel")" = ../../outside ] &&
	[ -z "$(ls -A "$work/outside")" ]; then
	ok "render writes links out of its directory as links, and nothing through them"
else
	fail "render with links out: $(cat "$work/err"); outside holds: $(ls -A "$work/outside")"
fi

echo "== scenario strings are bounded"
x() { head -c "$1" /dev/zero | tr '\0' "${2:-a}"; }
accepted "a scenario name of 64" "scenario: $(x 64)
${base#*$'\n'}"
refused "a scenario name of 65" "scenario: $(x 65)
${base#*$'\n'}"
accepted "a driver name of 64" "$base
$(device ", driver: $(x 64)")"
refused "a driver name of 65" "$base
$(device ", driver: $(x 65)")"
refused "a listed driver name of 65" "$base
drivers: [$(x 65)]"
accepted "a description of 4096 bytes" "$base
description: $(x 4096)"
refused "a description of 4097" "$base
description: $(x 4097)"
accepted "a label of 64" "$base
$(device ", label: $(x 64)")"
mdev() {
	printf '%s\n  0000:00:02.0:\n    id: 8086:3e92\n    class: vga\n    mdev_types:\n' "$base"
	printf '      - {id: %s, name: %s, instances: 1}' "$1" "$2"
}
accepted "an mdev type id of 64 and name of 128" "$(mdev "$(x 64)" "$(x 128)")"
refused "an mdev type id of 65" "$(mdev "$(x 65)" n)"
refused "an mdev type name of 129" "$(mdev i915-x "$(x 129)")"
accepted "a verbatim name of 255" "$base
verbatim:
  sys/$(x 255): {text: x}"
refused "a verbatim name of 256" "$base
verbatim:
  sys/$(x 256): {text: x}"
long=sys/$(for _ in $(seq 20); do printf '%s/' "$(x 200)"; done)
long=$long$(x $((4096 - ${#long})))
refused "a verbatim path of 4096 bytes" "$base
verbatim:
  ? \"$long\"
  : {text: x}"
accepted "a verbatim file of 1 MiB" "$base
verbatim:
  sys/big: {text: $(x 1048576)}"
refused "a verbatim file of 1 MiB and a byte" "$base
verbatim:
  sys/big: {text: $(x 1048577)}"
refused "a verbatim link text of 4096 bytes" "$base
verbatim:
  sys/l: {link: $(x 4096)}"

exit "$status"
