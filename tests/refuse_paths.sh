#!/usr/bin/env bash
# Scenario paths that are no readable file: a directory, a symlink loop, a missing file, one
# its reader may not read. check and mount refuse each with exit 2 and "PATH: reason", and
# nothing gets mounted.
# usage: refuse_paths.sh FAKESYS SCENARIO
set -u
fakesys=$1
scenario=$2

work=$(mktemp -d "${TMPDIR:-/tmp}/fakesys-paths.XXXXXX")
chmod 755 "$work"
mkdir "$work/mnt" "$work/directory.yaml"
ln -s loop.yaml "$work/loop.yaml"
cp "$scenario" "$work/unreadable.yaml"
chmod 000 "$work/unreadable.yaml"
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	mountpoint -q "$work/mnt" && umount -l "$work/mnt"
	rm -rf "$work"
}
trap cleanup EXIT
status=0

# refuse PATH REASON [RUNNER...]: both commands, run by RUNNER (e.g. as another user).
refuse() {
	local path=$1 reason=$2 command out rc
	shift 2
	for command in check mount; do
		if [ "$command" = check ]; then
			out=$("$@" "$fakesys" check "$path" 2>&1 >/dev/null)
		else
			out=$("$@" "$fakesys" mount "$path" "$work/mnt" 2>&1 >/dev/null)
		fi
		rc=$?
		if [ "$rc" -ne 2 ] || [ "$out" != "$path: $reason" ]; then
			echo "FAIL $command $path: exit $rc, '$out' (want 2, '$path: $reason')"
			status=1
		elif mountpoint -q "$work/mnt"; then
			echo "FAIL $command $path: mounted"
			umount -l "$work/mnt"
			status=1
		else
			echo "ok   $command: $out"
		fi
	done
}

refuse "$work/directory.yaml" "Is a directory"
refuse "$work/loop.yaml" "Too many levels of symbolic links"
refuse "$work/missing.yaml" "No such file or directory"
# Root reads any file; the reader who may not is another user.
refuse "$work/unreadable.yaml" "Permission denied" setpriv --reuid=65534 --regid=65534 --clear-groups
exit "$status"
