#!/usr/bin/env bash
# fakesys run: commands that know only the real paths (plain lspci, a shell loop over
# /sys/kernel/iommu_groups, a Go program) see the scenario there; /dev keeps working with the
# scenario's /dev/vfio; the command's exit status comes back; and the host's mount table, /sys
# and /dev read the same before, during and after. The scenario rendered by `fakesys render`
# (no FUSE, no namespace) is what the commands must see.
# usage: run_test.sh FAKESYS SCENARIO GROUP...   (GROUP: every IOMMU group of the scenario)
# shellcheck disable=SC2016 # the single-quoted scripts are expanded by the shell inside
set -u
fakesys=$1
scenario=$2
shift 2
want_groups=$(printf '%s\n' "$@" | sort -n)

work=$(mktemp -d "${TMPDIR:-/tmp}/fakesys-run-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0
fail() {
	echo "FAIL $*"
	status=1
}
ok() { echo "ok   $*"; }
# Runs fakesys run with the rest of the arguments; sets rc, out (stdout) and err (stderr).
run() {
	out=$("$fakesys" run "$scenario" "$@" 2>"$work/stderr")
	rc=$?
	err=$(cat "$work/stderr")
}
# What the host shows of what run must leave alone (timestamps aside). Mounts that other tests
# running at the same time make under the scratch directory, fakesys's among them, are not ours.
host_state() {
	awk -v scratch="${TMPDIR:-/tmp}/" \
		'$3 != "fuse.fakesys" && index($2, scratch) != 1' /proc/mounts
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

# Exit statuses, as a shell reports them.
statuses_ok=true
for case in "exit 0:0" "exit 7:7" 'kill -9 $$:137' 'kill -TERM $$:143'; do
	run sh -c "${case%:*}"
	if [ "$rc" -ne "${case##*:}" ]; then
		fail "sh -c '${case%:*}': exit $rc, want ${case##*:}"
		statuses_ok=false
	fi
done
run fakesys-no-such-command
if [ "$rc" -ne 127 ] || [[ $err != *"fakesys-no-such-command: No such file or directory"* ]]; then
	fail "a missing command: exit $rc, want 127 with a message; stderr: $err"
	statuses_ok=false
fi
$statuses_ok && ok "exit statuses 0, 7, 137 (SIGKILL), 143 (SIGTERM), 127 (no such command)"

# While a command runs, the host sees nothing of its namespace.
"$fakesys" run "$scenario" sh -c 'touch "$0/running"; i=0
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
	"$fakesys" run "$scenario" sh -c 'trap "exit $1" "$2"; touch "$0/trapping"; i=0
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
"$fakesys" run "$scenario" sh -c 'touch "$0/running"; i=0
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
err=$("$fakesys" run "$bad" -- touch "$work/ran" 2>&1)
rc=$?
if [ "$rc" -ne 2 ] || [[ $err != "$bad:3:33: unknown key 'bogus'"* ]] || [ -e "$work/ran" ]; then
	fail "a bad scenario: exit $rc (want 2), message '$err'$([ -e "$work/ran" ] && echo ', ran')"
else
	ok "a bad scenario: exit 2, $err"
fi

# Not root: refused with the reason (the scenario copied where an ordinary user may read it).
if command -v setpriv >/dev/null; then
	chmod 711 "$work"
	cp "$scenario" "$work/readable.yaml"
	chmod 644 "$work/readable.yaml"
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$fakesys" run "$work/readable.yaml" -- touch "$work/ran" 2>&1)
	rc=$?
	if [ "$rc" -ne 1 ] || [[ $err != *"needs root (CAP_SYS_ADMIN)"*"user namespace"* ]] ||
		[ -e "$work/ran" ]; then
		fail "not root: exit $rc (want 1), message '$err'"
	else
		ok "not root: exit 1, $err"
	fi
else
	fail "setpriv (util-linux) is missing: cannot check the refusal as an ordinary user"
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
# run's mounts live in its namespace: none may show on the host's /sys or /dev.
awk '$3 == "fuse.fakesys" && ($2 ~ /^\/sys(\/|$)/ || $2 ~ /^\/dev(\/|$)/)' /proc/mounts |
	grep -q . && fail "a fakesys mount was left on the host's /sys or /dev"
exit "$status"
