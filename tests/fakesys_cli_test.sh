#!/usr/bin/env bash
# The fakesys command line: every command's --help, --version and usage errors; check --json
# against the plain output for every scenario and every refused file; list --json against a
# live mount and a dead one.
#
# usage: fakesys_cli_test.sh FAKESYS VFIO_NAMING SOURCE_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
vfio_naming=$2 source_dir=$3
setup_work cli "$1"

# run_cli NAME ARGS...: exit status in $rc, stdout in $work/out, stderr in $work/err.
run_cli() {
	"$fakesys" "${@:2}" >"$work/out" 2>"$work/err"
	rc=$?
}

# --- help, version, usage --------------------------------------------------------------------
run_cli top --help
[ "$rc" = 0 ] || fail "--help: exit $rc"
mapfile -t commands < <(sed -n '/^commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p' "$work/out")
[ "${#commands[@]}" -ge 10 ] || fail "--help lists ${#commands[@]} commands: ${commands[*]}"
version=$("$fakesys" --version)
[[ $version =~ ^fakesys\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version: '$version'"
[ "$("$vfio_naming" --version)" = "vfio-naming ${version#fakesys }" ] ||
	fail "vfio-naming --version is not the project's version ${version#fakesys }"

for cmd in "${commands[@]}"; do
	run_cli "$cmd" "$cmd" --help
	help=$(cat "$work/out")
	if [ "$rc" != 0 ] || [ -s "$work/err" ]; then
		fail "$cmd --help: exit $rc, stderr $(head -c 200 "$work/err")"
		continue
	fi
	for part in "usage: fakesys $cmd" "options:" "  -h, --help" "  -V, --version" "examples:" \
		"exit status:"; do
		[[ $help == *"$part"* ]] || fail "$cmd --help has no '$part'"
	done
	# Every example runs this command.
	examples=$(sed -n '/^examples:/,/^$/p' "$work/out" | sed '1d;/^$/d')
	grep -q "fakesys $cmd" <<<"$examples" || fail "$cmd --help: no example of fakesys $cmd"
	# Lines fit a terminal.
	long=$(awk 'length > 100' "$work/out")
	[ -z "$long" ] || fail "$cmd --help: lines over 100 columns: $long"
	[ "$("$fakesys" help "$cmd")" = "$help" ] || fail "fakesys help $cmd differs from $cmd --help"
	run_cli "$cmd" "$cmd" -h
	if [ "$rc" != 0 ] || ! [ "$(cat "$work/out")" = "$help" ]; then fail "$cmd -h differs from --help"; fi
	run_cli "$cmd" "$cmd" --version
	if [ "$rc" != 0 ] || ! [ "$(cat "$work/out")" = "$version" ]; then fail "$cmd --version"; fi
	run_cli "$cmd" "$cmd" --no-such-option
	if [ "$rc" != 2 ] || [ -s "$work/out" ] ||
		! grep -q "^usage: fakesys $cmd" "$work/err" ||
		! grep -q "Try 'fakesys $cmd --help'" "$work/err"; then
		fail "$cmd --no-such-option: exit $rc, stderr $(cat "$work/err")"
	fi
	ok "$cmd: --help, -h, help $cmd, --version, an unknown option"
done

# Operands missing: exit 2 with the reason, the usage line and no output.
for args in "check" "mount" "mount $source_dir/scenarios/kata-10576.yaml" "umount" "ctl" \
	"render x.yaml" "graph" "run" "run x.yaml" "gen" "gen cube" "list extra" \
	"record extra"; do
	# shellcheck disable=SC2086 # the words are the arguments
	run_cli "$args" $args
	if [ "$rc" = 2 ] && [ ! -s "$work/out" ] && grep -q "^fakesys ${args%% *}: " "$work/err" &&
		grep -q "^usage: fakesys ${args%% *}" "$work/err"; then
		ok "fakesys $args: refused with a usage error"
	else
		fail "fakesys $args: exit $rc, stdout $(head -c 100 "$work/out"), stderr $(cat "$work/err")"
	fi
done
run_cli unknown frobnicate
if [ "$rc" != 2 ] || ! grep -q "unknown command 'frobnicate'" "$work/err"; then
	fail "unknown command"
fi
run_cli "help unknown" help frobnicate
[ "$rc" = 2 ] || fail "help frobnicate: exit $rc"
# What follows run's scenario belongs to the command run runs.
run_cli "run ... --help" run "$source_dir/scenarios/no-such.yaml" -- true --help
if [ "$rc" != 2 ] || ! grep -q 'no-such.yaml' "$work/err"; then
	fail "run took CMD's --help as its own"
fi

# --- check --json ----------------------------------------------------------------------------
# Each file's entry says what the plain output says: the same counts for a good one, the same
# FILE:LINE:COL: message for a refused one.
check_json_agrees() {
	local what=$1
	shift
	run_cli check-plain check "$@"
	local plain_rc=$rc
	sort "$work/out" "$work/err" >"$work/plain"
	run_cli check-json check --json "$@"
	if [ "$rc" != "$plain_rc" ] || [ -s "$work/err" ]; then
		fail "check --json $what: exit $rc (plain $plain_rc), stderr $(head -c 300 "$work/err")"
		return
	fi
	if ! jq -e . "$work/out" >/dev/null; then
		fail "check --json $what: not JSON"
		return
	fi
	local ok_field
	ok_field=$(jq -r .ok "$work/out")
	[ "$ok_field" = "$([ "$plain_rc" = 0 ] && echo true || echo false)" ] ||
		fail "check --json $what: ok is $ok_field with exit $plain_rc"
	[ "$(jq '.scenarios | length' "$work/out")" = "$#" ] ||
		fail "check --json $what: not one entry per file"
	# Rebuilt as the plain lines.
	jq -r '.scenarios[] | if .ok then
		"\(.file): ok (\(.functions) functions, \(.iommu_groups) IOMMU groups" +
		(if .vfs_to_enable > 0 then "; \(.vfs_to_enable) more VFs can be enabled" else "" end)
		+ ")"
	else
		.file + ":" + (if .error.line == null then "" else
			"\(.error.line):\(.error.column):" end) + " " + .error.message
	end' "$work/out" | sort >"$work/rebuilt"
	if cmp -s "$work/plain" "$work/rebuilt"; then
		ok "check --json $what: $# files agree with the plain output"
	else
		fail "check --json $what: differs from the plain output:"
		diff "$work/plain" "$work/rebuilt" | head -20
	fi
}
check_json_agrees "scenarios" "$source_dir"/scenarios/*.yaml
check_json_agrees "refused files" "$source_dir"/tests/bad/*.yaml "$work/missing.yaml" "$work"
# Every refused file with a position gave one to --json.
run_cli check-json check --json "$source_dir"/tests/bad/*.yaml
unplaced=$(jq -r '.scenarios[] | select(.ok | not) | select(.error.line == null) | .file' \
	"$work/out")
# (The expected error is the file's "# error:" line, or its FILE.error sidecar's.)
expected_unplaced=$(for f in "$source_dir"/tests/bad/*.yaml; do
	annotation=$f
	[ -e "$f.error" ] && annotation=$f.error
	grep -q '^# error: [0-9]\+:[0-9]\+:' "$annotation" || echo "$f"
done)
[ "$(sort <<<"$unplaced")" = "$(sort <<<"$expected_unplaced")" ] ||
	fail "check --json: errors without a line: $unplaced"
# A file name that is not UTF-8 or has quotes comes back byte for byte (\u00XX for each byte).
odd="$work/$(printf 'we\xffird "name".yaml')"
cp "$source_dir/scenarios/kata-10576.yaml" "$odd"
run_cli check-odd check --json "$odd"
[ "$(jq -j '.scenarios[0].file' "$work/out" | iconv -f utf-8 -t latin1)" = "$odd" ] ||
	fail "check --json: an odd file name did not come back"

# --- mount -o --------------------------------------------------------------------------------
# Options combine with commas; ro makes the kernel refuse writes; an unknown word is refused.
mount_scenario "$source_dir/scenarios/kata-10576.yaml" "$work/mnt-ro" -o allow_other,ro
if grep -q " $work/mnt-ro fuse.fakesys ro,.*allow_other" /proc/mounts; then
	ok "mount -o allow_other,ro: both in the mount's options"
else
	fail "mount -o allow_other,ro: $(grep " $work/mnt-ro " /proc/mounts)"
fi
expect_write "a write to a read-only mount" "0000:3b:00.0" \
	"$work/mnt-ro/sys/bus/pci/drivers/vfio-pci/unbind" "Read-only file system"
expect_link "0000:3b:00.0 still on vfio-pci:" "$work/mnt-ro/sys/bus/pci/devices/0000:3b:00.0/driver" \
	/vfio-pci
"$fakesys" umount "$work/mnt-ro"
mkdir "$work/mnt-bad"
run_cli "mount -o ro,nosuchoption" mount -o ro,nosuchoption \
	"$source_dir/scenarios/kata-10576.yaml" "$work/mnt-bad"
if [ "$rc" = 2 ] && grep -q "unsupported mount options 'ro,nosuchoption'" "$work/err" &&
	! grep -q " $work/mnt-bad " /proc/mounts; then
	ok "mount -o ro,nosuchoption: refused, nothing mounted"
else
	fail "mount -o ro,nosuchoption: exit $rc, $(cat "$work/err")"
fi

# --- list --json -----------------------------------------------------------------------------
run_cli list-empty list --json
before=$(jq -c '[.mounts[] | select(.mountpoint | startswith("'"$work"'"))]' "$work/out")
[ "$before" = "[]" ] || fail "list --json before mounting: $before"
mount_scenario "$source_dir/scenarios/kata-10576.yaml" "$work/mnt-live"
# A daemon in the foreground, to kill: its mount stays, dead.
mkdir "$work/mnt-dead"
"$fakesys" mount -f "$source_dir/scenarios/noiommu.yaml" "$work/mnt-dead" &
daemon=$!
for _ in $(seq 100); do
	[ -e "$work/mnt-dead/sys" ] && break
	sleep 0.05
done
kill -KILL "$daemon"
wait "$daemon" 2>/dev/null
run_cli list-json list --json
got=$(jq -c '[.mounts[] | select(.mountpoint | startswith("'"$work"'"))] | sort_by(.mountpoint)' \
	"$work/out")
want=$(jq -cn --arg live "$work/mnt-live" --arg dead "$work/mnt-dead" \
	--arg ls "$(realpath "$source_dir/scenarios/kata-10576.yaml")" \
	--arg ds "$(realpath "$source_dir/scenarios/noiommu.yaml")" \
	'[{mountpoint: $dead, scenario: $ds, alive: false},
	  {mountpoint: $live, scenario: $ls, alive: true}]')
if [ "$got" = "$want" ]; then
	ok "list --json: a live mount and a dead one"
else
	fail "list --json: got $got, wanted $want"
fi
# The plain listing says the same.
run_cli list list
if ! grep -q "^$work/mnt-live	$(realpath "$source_dir/scenarios/kata-10576.yaml")\$" \
	"$work/out" || ! grep -q "^$work/mnt-dead	.*(dead: " "$work/out"; then
	fail "list: $(cat "$work/out")"
fi
"$fakesys" umount -l "$work/mnt-dead"

exit "$status"
