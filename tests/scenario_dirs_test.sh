#!/usr/bin/env bash
# FAKESYS_SCENARIO_DIRS: another project's scenario directories become scenario/, render/ and
# record/rendered/ tests named external/<directory>/<path>, configured in a build of their
# own; a missing directory, or two that would give the same names, stop the configuration.
# usage: scenario_dirs_test.sh FAKESYS SOURCE_DIR
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work scenario-dirs "$1"
source_dir=$2

mkdir -p "$work/theirs/hosts/sub" "$work/other/hosts"
cp "$source_dir/scenarios/noiommu.yaml" "$work/theirs/hosts/edge.yaml"
cp "$source_dir/scenarios/kata-10576.yaml" "$work/theirs/hosts/sub/report.yaml"
cp "$source_dir/scenarios/noiommu.yaml" "$work/other/hosts/edge.yaml"

# configure NAME DIRS: 0 if cmake configured a build with FAKESYS_SCENARIO_DIRS=DIRS; what it
# said is in $work/NAME.out, its lines joined (cmake wraps its messages).
configure() {
	local rc=0
	cmake -S "$source_dir" -B "$work/build-$1" -DFAKESYS_SCENARIO_DIRS="$2" \
		>"$work/$1.raw" 2>&1 || rc=$?
	tr -s ' \n' ' ' <"$work/$1.raw" >"$work/$1.out"
	return "$rc"
}

if configure good "$work/theirs/hosts"; then
	ctest --test-dir "$work/build-good" -N >"$work/tests" 2>&1
	for name in scenario/external/hosts/edge.yaml scenario/external/hosts/sub/report.yaml \
		render/external/hosts/edge.yaml record/rendered/external/hosts/sub/report.yaml; do
		if grep -q ": $name\$" "$work/tests"; then
			ok "a test $name"
		else
			fail "no test $name"
		fi
	done
	# Ours are all still there, once each.
	ours=$(cd "$source_dir/scenarios" && find . -name '*.yaml' | wc -l)
	got=$(grep ': scenario/' "$work/tests" | grep -vc ': scenario/external/')
	if [ "$got" = "$ours" ]; then
		ok "the $ours scenarios of scenarios/ too"
	else
		fail "scenario/ tests of ours: $got, wanted $ours"
	fi
else
	fail "configuring with one directory: $(tail -5 "$work/good.out")"
fi

if configure missing "$work/no-such-dir"; then
	fail "a missing directory was configured"
elif grep -q "no-such-dir is not a directory" "$work/missing.out"; then
	ok "a missing directory stops the configuration, named"
else
	fail "a missing directory: $(tail -5 "$work/missing.out")"
fi

if configure clash "$work/theirs/hosts;$work/other/hosts"; then
	fail "two directories giving the same test names were configured"
elif grep -q "two scenarios would be named external/hosts/edge.yaml" "$work/clash.out"; then
	ok "two directories that would give the same names stop it, named"
else
	fail "a clash: $(tail -5 "$work/clash.out")"
fi
exit "$status"
