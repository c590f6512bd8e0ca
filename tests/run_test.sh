#!/usr/bin/env bash
# fakesys run: commands that know only the real paths (plain lspci, a shell loop over
# /sys/kernel/iommu_groups, a Go program) see the scenario there; /dev keeps working with the
# scenario's /dev/vfio; the command's exit status comes back; and the host's mount table, /sys
# and /dev read the same before, during and after. The scenario rendered by `fakesys render`
# (no FUSE, no namespace) is what the commands must see.
# With --as UID, fakesys runs as that uid and gid (no other groups), so through a user namespace:
# the same checks, and the command keeps its uid and gets no capabilities. Where /dev/fuse is not
# open to that user, as most distributions have it (mode 0666), run's refusal is checked, and the
# rest runs in a private mount namespace whose /dev/fuse is a mode 0666 node of the same device.
# usage: run_test.sh [--as UID] FAKESYS SCENARIO GROUP...  (GROUP: each IOMMU group of SCENARIO)
# shellcheck disable=SC2016 # the single-quoted scripts are expanded by the shell inside
set -u
arguments=("$@")
user=
if [ "${1:-}" = --as ]; then
	user=$2
	shift 2
fi
fakesys=$1
scenario=$2
shift 2
want_groups=$(printf '%s\n' "$@" | sort -n)

status=0
fail() {
	echo "FAIL $*"
	status=1
}
ok() { echo "ok   $*"; }
# The host's mounts, less those that other tests running at the same time make under the
# scratch directory, fakesys's among them: they are not ours.
host_mounts() {
	awk -v scratch="${TMPDIR:-/tmp}/" \
		'$3 != "fuse.fakesys" && index($2, scratch) != 1' /proc/mounts
}

as_user=()
if [ -n "$user" ]; then
	if ! command -v setpriv >/dev/null; then
		echo "FAIL setpriv (util-linux) is missing: cannot run fakesys as uid $user"
		exit 1
	fi
	as_user=(setpriv --reuid="$user" --regid="$user" --clear-groups)
	# A PATH directory the user may not search turns execvp's "not found" into EACCES.
	user_path=
	IFS=: read -ra path_dirs <<<"$PATH"
	for dir in "${path_dirs[@]}"; do
		"${as_user[@]}" test -x "$dir/." && user_path=${user_path:+$user_path:}$dir
	done
	as_user+=(env PATH="$user_path")
fi

if [ -n "$user" ] && [ -z "${FAKESYS_RUN_TEST_FUSE_NODE:-}" ]; then
	if ! "${as_user[@]}" test -x "$fakesys" || ! "${as_user[@]}" test -r "$scenario"; then
		echo "FAIL uid $user cannot execute $fakesys or cannot read $scenario"
		exit 1
	fi
	if ! userns_err=$("${as_user[@]}" unshare --user --map-root-user true 2>&1); then
		echo "FAIL uid $user cannot make a user namespace, which run needs without root:" \
			"$userns_err"
		for sysctl in kernel/unprivileged_userns_clone user/max_user_namespaces \
			kernel/apparmor_restrict_unprivileged_userns; do
			[ -e "/proc/sys/$sysctl" ] &&
				echo "     sysctl ${sysctl//\//.} = $(cat "/proc/sys/$sysctl")"
		done
		exit 1
	fi
	if ! "${as_user[@]}" sh -c '[ -r /dev/fuse ] && [ -w /dev/fuse ]'; then
		err=$("${as_user[@]}" "$fakesys" run "$scenario" -- true 2>&1)
		rc=$?
		if [ "$rc" -ne 1 ] || [[ $err != *"/dev/fuse: Permission denied"*"0666"* ]]; then
			fail "/dev/fuse closed to uid $user: exit $rc (want 1), message '$err'"
		else
			ok "/dev/fuse closed to uid $user: exit 1, $err"
		fi
		host_mounts >"${TMPDIR:-/tmp}/fakesys-run-test.$$.mounts"
		FAKESYS_RUN_TEST_FUSE_NODE=1 unshare --mount --propagation private \
			"$BASH" "$0" "${arguments[@]}" || status=1
		if host_mounts | cmp -s "${TMPDIR:-/tmp}/fakesys-run-test.$$.mounts" -; then
			ok "outside the test's mount namespace, the host's mount table is as it was"
		else
			fail "the host's mount table changed:"
			host_mounts | diff "${TMPDIR:-/tmp}/fakesys-run-test.$$.mounts" - | head -20
		fi
		rm -f "${TMPDIR:-/tmp}/fakesys-run-test.$$.mounts"
		exit "$status"
	fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/fakesys-run-test.XXXXXX")
trap 'umount -l "$work/fuse-node" 2>/dev/null; rm -rf "$work"' EXIT
if [ -n "${FAKESYS_RUN_TEST_FUSE_NODE:-}" ]; then
	read -r major minor < <(stat -c '%t %T' /dev/fuse)
	mkdir "$work/fuse-node"
	if ! mount -t tmpfs -o mode=0755 fakesys-test "$work/fuse-node" ||
		! mknod -m 0666 "$work/fuse-node/fuse" c $((0x$major)) $((0x$minor)) ||
		! mount --bind "$work/fuse-node/fuse" /dev/fuse; then
		echo "FAIL cannot put a mode 0666 /dev/fuse in this test's mount namespace"
		exit 1
	fi
fi
[ -n "$user" ] && chown "$user:$user" "$work"
# Runs fakesys run with the rest of the arguments; sets rc, out (stdout) and err (stderr).
run() {
	out=$("${as_user[@]}" "$fakesys" run "$scenario" "$@" 2>"$work/stderr")
	rc=$?
	err=$(cat "$work/stderr")
}
# What the host shows of what run must leave alone (timestamps aside).
host_state() {
	host_mounts
	echo "== /dev"
	find /dev -xdev -printf '%y %m %u %g %p %l\n' | sort
	echo "== /sys"
	ls -la /sys/kernel/iommu_groups /sys/bus/pci/devices 2>&1
}
same_host_state() { # when
	host_state >"$work/host.now"
	if cmp -s "$work/host.before" "$work/host.now"; then
		ok "$1: the host's mount table, /dev and /sys are as they were"
	else
		fail "$1: the host changed:"
		diff "$work/host.before" "$work/host.now" | head -20
	fi
}
# Without root, nothing of a run that returned may remain: no process of the user (the FUSE
# daemon would be one), so no namespace and none of its mounts either.
none_left() { # after
	[ -z "$user" ] && return
	for _ in $(seq 100); do
		if ! pgrep -u "$user" >/dev/null; then
			ok "$1: no process of uid $user is left, so no namespace of run's, nor its mounts"
			return
		fi
		sleep 0.05
	done
	fail "$1: processes of uid $user are left:"
	ps -o pid,stat,args -u "$user"
}
# Every IOMMU group's members under the root "$0" ("" for /), one "GROUP DEVICE" a line.
walk_groups='for g in "$0"/sys/kernel/iommu_groups/*; do
	for d in "$g"/devices/*; do echo "${g##*/} ${d##*/}"; done
done'

host_state >"$work/host.before"

# The reference: the same scenario as plain files.
if ! "$fakesys" render "$scenario" "$work/ref" >/dev/null; then
	echo "FAIL: fakesys render $scenario"
	exit 1
fi
functions=$("$fakesys" check "$scenario" | sed -n 's/.*ok (\([0-9]*\) functions.*/\1/p')
ref_lspci=$(lspci -A linux-sysfs -O sysfs.path="$work/ref/sys/bus/pci" -nn)
ref_groups=$(sh -c "$walk_groups" "$work/ref" | sort)

# Plain lspci, reading /sys itself.
run lspci -nn
lines=$(printf '%s\n' "$out" | grep -c .)
if [ "$rc" -ne 0 ]; then
	fail "lspci -nn: exit $rc: $err"
elif [ "$out" != "$ref_lspci" ] || [ "$lines" -ne "$functions" ]; then
	fail "lspci -nn lists $lines lines, want the scenario's $functions functions:"
	diff <(printf '%s\n' "$ref_lspci") <(printf '%s\n' "$out")
else
	ok "lspci -nn lists the scenario's $functions functions with their IDs"
fi

# A shell loop over the hard-coded path.
run sh -c "$walk_groups" ""
out=$(printf '%s\n' "$out" | sort)
groups=$(printf '%s\n' "$out" | cut -d' ' -f1 | sort -nu)
if [ "$rc" -ne 0 ] || [ "$out" != "$ref_groups" ] || [ "$groups" != "$want_groups" ]; then
	fail "the loop over /sys/kernel/iommu_groups (exit $rc) printed:"
	printf '%s\n' "$out" "$err"
else
	ok "the loop over /sys/kernel/iommu_groups finds groups $(tr '\n' ' ' <<<"$groups")and" \
		"their members"
fi

# /dev: the scenario's vfio (and iommu), the host's everything else, still working.
run sh -c 'ls /dev/vfio; echo ==; [ -c /dev/vfio/vfio ] && echo vfio-node
	[ -c /dev/iommu ] && echo iommu-node
	echo data >/dev/null && [ -c /dev/null ] && [ ! -s /dev/null ] && echo null-works
	head -c 4 /dev/zero | od -An -tx1 | tr -d " "
	mountpoint -q /dev/pts && echo pts-mounted
	echo ==; find /dev -mindepth 1 -maxdepth 1 -printf "%f\n" | grep -vx "vfio\|iommu" | sort'
want_vfio=$(ls "$work/ref/dev/vfio")
want_iommu=$([ -e "$work/ref/dev/iommu" ] && echo iommu-node)
host_dev=$(find /dev -mindepth 1 -maxdepth 1 -printf '%f\n' | grep -vx 'vfio\|iommu' | sort)
want_pts=$(mountpoint -q /dev/pts && echo pts-mounted)
want="$want_vfio
==
vfio-node
${want_iommu:+$want_iommu
}null-works
00000000
${want_pts:+$want_pts
}==
$host_dev"
if [ "$rc" -ne 0 ] || [ "$out" != "$want" ]; then
	fail "/dev inside (exit $rc):"
	diff <(printf '%s\n' "$want") <(printf '%s\n' "$out")
	printf '%s\n' "$err"
else
	ok "/dev/vfio holds $(tr '\n' ' ' <<<"$want_vfio")${want_iommu:+and /dev/iommu is there};" \
		"the host's other /dev entries work (null, zero, pts)"
fi

# Without root: the command is the user, with no capabilities (those of the namespace's maker
# end at exec).
if [ -n "$user" ]; then
	run sh -c 'id -u; id -g; id -G; sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status'
	want=$(printf '%s\n' "$user" "$user" "$user" 0000000000000000)
	if [ "$rc" -ne 0 ] || [ "$out" != "$want" ]; then
		fail "uid, gid, groups, effective capabilities inside (exit $rc):" \
			"$(tr '\n' ' ' <<<"$out")$err"
	else
		ok "inside, the command runs as uid and gid $user, with no capabilities"
	fi
fi

# fakesys ctl reaches the tree from inside, through the control file run names in FAKESYS_CONTROL.
run sh -c '"$0" ctl "$FAKESYS_CONTROL" fault "sys/devices/**/vendor read errno=EIO" &&
	"$0" ctl "$FAKESYS_CONTROL" faults && for f in /sys/bus/pci/devices/*/vendor; do
		cat "$f" 2>&1 | sed "s/.*: //"; done | sort -u' "$fakesys"
want='sys/devices/**/vendor read errno=EIO
Input/output error'
if [ "$rc" -ne 0 ] || [ "$out" != "$want" ]; then
	fail "fakesys ctl inside (exit $rc): $(tr '\n' ' ' <<<"$out")$err"
else
	ok "inside, fakesys ctl \$FAKESYS_CONTROL adds a fault rule that every vendor read meets"
fi

# Exit statuses, as a shell reports them.
statuses_ok=true
for case in "exit 0:0" "exit 7:7" 'kill -9 $$:137' 'kill -TERM $$:143'; do
	run sh -c "${case%:*}"
	if [ "$rc" -ne "${case##*:}" ]; then
		fail "sh -c '${case%:*}': exit $rc, want ${case##*:}"
		statuses_ok=false
	fi
	if [[ $case == "kill -9"* ]]; then
		same_host_state "after a command killed by SIGKILL"
		none_left "after a command killed by SIGKILL"
	fi
done
run fakesys-no-such-command
if [ "$rc" -ne 127 ] || [[ $err != *"fakesys-no-such-command: No such file or directory"* ]]; then
	fail "a missing command: exit $rc, want 127 with a message; stderr: $err"
	statuses_ok=false
fi
$statuses_ok && ok "exit statuses 0, 7, 137 (SIGKILL), 143 (SIGTERM), 127 (no such command)"

# While a command runs, the host sees nothing of its namespace.
"${as_user[@]}" "$fakesys" run "$scenario" sh -c 'touch "$0/running"; i=0
	while [ ! -e "$0/release" ] && [ $((i += 1)) -lt 200 ]; do sleep 0.05; done
	ls /sys/kernel/iommu_groups | sort -n' "$work" >"$work/during" &
pid=$!
for _ in $(seq 100); do [ -e "$work/running" ] && break; sleep 0.05; done
[ -e "$work/running" ] || fail "the command did not start"
same_host_state "while a command runs"
touch "$work/release"
wait "$pid"
rc=$?
if [ "$rc" -ne 0 ] || [ "$(cat "$work/during")" != "$want_groups" ]; then
	fail "the command run meanwhile: exit $rc, groups $(cat "$work/during")"
fi

# SIGTERM and SIGHUP sent to run reach the command (which gives up after 10 s, exit 99).
for case in TERM:42 HUP:43; do
	rm -f "$work/trapping"
	"${as_user[@]}" "$fakesys" run "$scenario" sh -c 'trap "exit $1" "$2"; touch "$0/trapping"; i=0
		while [ $((i += 1)) -lt 200 ]; do sleep 0.05; done; exit 99' \
		"$work" "${case#*:}" "${case%:*}" &
	pid=$!
	for _ in $(seq 100); do [ -e "$work/trapping" ] && break; sleep 0.05; done
	kill -"${case%:*}" "$pid"
	wait "$pid"
	rc=$?
	if [ "$rc" -eq "${case#*:}" ]; then
		ok "SIG${case%:*} to run reaches the command (its trap's exit ${case#*:} comes back)"
	else
		fail "SIG${case%:*} to run: exit $rc, want ${case#*:} from the command's trap"
	fi
done

# run itself killed: its FUSE daemon goes too (the command is left running, as a shell's would).
rm -f "$work/running"
"${as_user[@]}" "$fakesys" run "$scenario" sh -c 'touch "$0/running"; i=0
	while [ $((i += 1)) -lt 200 ]; do sleep 0.05; done' "$work" &
pid=$!
for _ in $(seq 100); do [ -e "$work/running" ] && break; sleep 0.05; done
mapfile -t children < <(pgrep -P "$pid")
kill -KILL "$pid"
wait "$pid" 2>/dev/null
all_gone=false
for _ in $(seq 100); do
	all_gone=true
	for child in "${children[@]}"; do
		[ "$(ps -o comm= -p "$child")" = sh ] && kill "$child" 2>/dev/null
		[[ $(ps -o stat= -p "$child") == [^Z]* ]] && all_gone=false
	done
	$all_gone && break
	sleep 0.05
done
if [ "${#children[@]}" -ne 2 ] || ! $all_gone; then
	fail "run killed: of its children ${children[*]} (daemon, command), some are still there"
	ps -o pid,stat,comm -p "$(tr ' ' , <<<"${children[*]}")"
else
	ok "run killed: its FUSE daemon ends with it"
fi

# A bad scenario: refused like everywhere else, and the command never runs.
bad=$work/bad.yaml
printf 'scenario: bad\ndevices:\n  0000:00:00.0: {id: 8086:2020, bogus: 1}\n' >"$bad"
err=$("${as_user[@]}" "$fakesys" run "$bad" -- touch "$work/ran" 2>&1)
rc=$?
if [ "$rc" -ne 2 ] || [[ $err != "$bad:3:33: unknown key 'bogus'"* ]] || [ -e "$work/ran" ]; then
	fail "a bad scenario: exit $rc (want 2), message '$err'$([ -e "$work/ran" ] && echo ', ran')"
else
	ok "a bad scenario: exit 2, $err"
fi

# A Go binary: no libc, its own directory reading.
if ! command -v go >/dev/null; then
	fail "go is missing (Debian: golang-go, installed by ci/setup); the Go check cannot run"
else
	mkdir "$work/go"
	cat >"$work/go/main.go" <<'EOF'
// Lists every IOMMU group's devices, one "GROUP DEVICE" a line.
package main

import (
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	const root = "/sys/kernel/iommu_groups"
	groups, err := os.ReadDir(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, group := range groups {
		devices, err := os.ReadDir(filepath.Join(root, group.Name(), "devices"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, device := range devices {
			fmt.Println(group.Name(), device.Name())
		}
	}
}
EOF
	if ! (cd "$work/go" && env GOCACHE="$work/go/cache" GOPATH="$work/go/path" GOFLAGS= \
		GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0 go build -o iommu-groups main.go); then
		fail "go build of the test program"
	else
		run "$work/go/iommu-groups"
		if [ "$rc" -ne 0 ] || [ "$(printf '%s\n' "$out" | sort)" != "$ref_groups" ]; then
			fail "the Go program (exit $rc) printed:"
			printf '%s\n' "$out" "$err"
		else
			ok "a Go program reading /sys/kernel/iommu_groups finds the scenario's groups"
		fi
	fi
fi

same_host_state "after every run"
none_left "after every run"
# run's mounts live in its namespace: none may show on the host's /sys or /dev.
awk '$3 == "fuse.fakesys" && ($2 ~ /^\/sys(\/|$)/ || $2 ~ /^\/dev(\/|$)/)' /proc/mounts |
	grep -q . && fail "a fakesys mount was left on the host's /sys or /dev"
exit "$status"
