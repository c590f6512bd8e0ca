#!/usr/bin/env bash
# fakesys gen: the same options and seed give the same bytes, the seed changes what it should,
# every shape at several sizes loads with the function count its layout implies, and names
# as its own expectations say through a real mount (scenario-test); bad options are refused
# with exit 2 and leave no file.
# usage: gen_test.sh FAKESYS SCENARIO_TEST
set -uo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work gen "$1"
scenario_test=$2

# gen_check WHAT FUNCTIONS GEN-ARGS...: generated twice alike, checked with that many functions
# on the bus, and passing its own expectations through the mount.
gen_check() {
	local what=$1 functions=$2 file=$work/$RANDOM.yaml summary
	shift 2
	if ! "$fakesys" gen "$@" -o "$file" || ! "$fakesys" gen "$@" >"$work/again.yaml"; then
		fail "$what: gen $*"
		return
	fi
	cmp -s "$file" "$work/again.yaml" || fail "$what: gen $* twice gave different bytes"
	summary=$("$fakesys" check "$file") || {
		fail "$what: check refused it"
		return
	}
	if [[ $summary != *": ok ($functions functions,"* ]]; then
		fail "$what: wanted $functions functions: $summary"
		return
	fi
	if "$scenario_test" --fakesys "$fakesys" "$file" >"$work/run.out" 2>&1; then
		ok "$what: $functions functions, its expectations hold through the mount"
	else
		fail "$what: scenario-test:"
		tail -5 "$work/run.out"
	fi
}

# sriov: host bridge + a root port and a PF per PF + the VFs.
gen_check "sriov 3x5" $((1 + 3 * 2 + 3 * 5)) sriov --pfs 3 --vfs 5
gen_check "sriov 1x1" 4 sriov --pfs 1 --vfs 1
gen_check "sriov 2x300 (VFs spill onto further buses)" $((1 + 2 * 2 + 600)) sriov --pfs 2 --vfs 300 --seed 7
gen_check "sriov 31x2 (every root port)" $((1 + 31 * 2 + 62)) sriov --pfs 31 --vfs 2 --seed 3
# gpu: per switch 1 root port + 1 upstream + 4 downstream + NIC + NVMe, plus the GPUs (with
# audio for the seed's model), plus a root port and a bridge per NVSwitch.
for seed in 1 2 3 4; do
	"$fakesys" gen gpu --gpus 3 --seed $seed -o "$work/gpu.yaml"
	audio=$(grep -c 'class: audio' "$work/gpu.yaml")
	gen_check "gpu 3, seed $seed" $((1 + 2 * 8 + 3 + audio + 2 * 2)) gpu --gpus 3 --seed $seed
done
# switch: per switch a root port, an upstream port, then M downstream ports and M endpoints.
gen_check "switch 2x3" $((1 + 2 * (2 + 3 + 3))) switch --switches 2 --ports 3
gen_check "switch 1x1 (one group in the sandbox)" $((1 + 2 + 1 + 1)) switch --switches 1 --ports 1
gen_check "switch 31x6 (every root port)" $((1 + 31 * (2 + 6 + 6))) switch --switches 31 --ports 6 --seed 9
gen_check "switch 7x32 (every device of the internal bus)" $((1 + 7 * (2 + 32 + 32))) switch --switches 7 --ports 32
gen_check "domain 1" 1 domain --functions 1
gen_check "domain 9 (one group in the sandbox)" 9 domain --functions 9
gen_check "domain 1000" 1000 domain --functions 1000 --seed 42
gen_check "domain 300 (across two root buses)" 300 domain --functions 300 --seed 5

# The defaults, loaded but not mounted (a full domain is for benchmarks, not for every CI run):
# the NFV host of 4 x 256 VFs, and every function a domain can hold.
check_only() {
	local what=$1 functions=$2 summary
	shift 2
	summary=$("$fakesys" gen "$@" | "$fakesys" check /dev/stdin)
	if [[ $summary == *": ok ($functions functions,"* ]]; then
		ok "$what: loads, $functions functions"
	else
		fail "$what: wanted $functions functions: $summary"
	fi
}
check_only "sriov, defaults" $((1 + 4 * 2 + 4 * 256)) sriov
check_only "domain, defaults" 65536 domain

# The seed picks models and the sandbox; the size alone fixes the layout.
"$fakesys" gen sriov --pfs 4 --vfs 16 --seed 1 >"$work/s1.yaml"
"$fakesys" gen sriov --pfs 4 --vfs 16 --seed 2 >"$work/s2.yaml"
if cmp -s "$work/s1.yaml" "$work/s2.yaml"; then
	fail "seeds 1 and 2 gave the same host"
elif [ "$(grep -c '^  0000:' "$work/s1.yaml")" != "$(grep -c '^  0000:' "$work/s2.yaml")" ]; then
	fail "seeds 1 and 2 gave different layouts"
else
	ok "another seed gives another host of the same layout"
fi

# refused OPTIONS... MESSAGE: exit 2, the message on stderr, no output file.
refused() {
	local message=${*: -1} got rc=0
	got=$("$fakesys" gen "${@:1:$#-1}" -o "$work/refused.yaml" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" != 2 ]; then
		fail "gen ${*:1:$#-1}: exit $rc, wanted 2"
	elif [[ $got != *"$message"* ]]; then
		fail "gen ${*:1:$#-1}: wanted '$message', got: $got"
	elif compgen -G "$work/refused.yaml*" >/dev/null; then
		fail "gen ${*:1:$#-1}: left a file behind"
	else
		ok "gen ${*:1:$#-1}: refused: $message"
	fi
}
refused sriov --pfs 0 "--pfs 0: 1 to 31"
refused sriov --pfs 32 "--pfs 32: 1 to 31"
refused sriov --vfs 0 "--vfs 0: 1 to 65535"
refused sriov --pfs 1 --vfs 65535 "need 257 buses"
refused gpu --gpus 33 "--gpus 33: 1 to 32"
refused domain --functions 65537 "--functions 65537: 1 to 65536"
refused domain --functions -3 "a number 0 to"
refused domain --functions 12x "a number 0 to"
refused gpu --vfs 3 "gen gpu takes no --vfs"
refused switch --switches 32 "--switches 32: 1 to 31"
refused switch --ports 0 "--ports 0: 1 to 32"
refused switch --ports 33 "--ports 33: 1 to 32"
refused switch --switches 8 --ports 30 "need 256 buses"
refused domain --ports 3 "gen domain takes no --ports"
refused tree "needs a shape"
refused sriov extra "no operands"
exit "$status"
