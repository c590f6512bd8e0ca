#!/usr/bin/env bash
# scenario-test --junit: several scenarios in one run, each a testcase of a well-formed JUnit
# report; a failed step is a <failure> naming the step, a scenario that could not run (refused,
# not mounted) an <error>; names and output carrying XML metacharacters, control bytes or
# invalid UTF-8 come out escaped; the exit status is 0, 1 or 2 as the runner promises; no
# mount and no FILE.tmp is left behind.
# usage: junit_test.sh FAKESYS SCENARIO_TEST SOURCE_DIR
set -uo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work junit "$1"
scenario_test=$2
source_dir=$3
# The runner mounts under $TMPDIR: in the scratch directory, so that a leftover is seen.
export TMPDIR=$work

command -v xmllint >/dev/null || {
	echo "FAIL: xmllint is missing (Debian package libxml2-utils)"
	exit 1
}

# xpath REPORT EXPRESSION: the expression's value, as a string.
xpath() {
	xmllint --xpath "$2" "$1" 2>/dev/null
}

# expect_xpath WHAT REPORT EXPRESSION WANT
expect_xpath() {
	local got
	got=$(xpath "$2" "$3")
	if [ "$got" = "$4" ]; then ok "$1: $4"; else fail "$1: $3 is '$got', wanted '$4'"; fi
}

# run_junit NAME ARGS...: runs scenario-test with --junit $work/NAME.xml; $rc is its status,
# $work/NAME.out its output.
run_junit() {
	local name=$1
	shift
	"$scenario_test" --fakesys "$fakesys" --junit "$work/$name.xml" "$@" \
		>"$work/$name.out" 2>&1
	rc=$?
	[ -e "$work/$name.xml.tmp" ] && fail "$name: $name.xml.tmp left behind"
}

# well_formed NAME: the report is there and parses; otherwise the test ends here.
well_formed() {
	if [ ! -f "$work/$1.xml" ]; then
		fail "$1: no report written (exit $rc)"
		cat "$work/$1.out"
		exit 1
	fi
	if ! xmllint --noout "$work/$1.xml"; then
		fail "$1: the report is not well-formed XML"
		cat "$work/$1.xml"
		exit 1
	fi
	ok "$1: well-formed"
}

# Two good scenarios and one whose step 3 reads the wrong value.
good1=$source_dir/scenarios/kata-10576.yaml
good2=$source_dir/scenarios/noiommu.yaml
failing=$source_dir/tests/failing/step-reads-wrong.yaml
run_junit mixed "$good1" "$good2" "$failing"
if [ "$rc" -eq 1 ]; then ok "mixed: exit 1"; else fail "mixed: exit $rc, wanted 1"; fi
well_formed mixed
report=$work/mixed.xml
expect_xpath "mixed: root" "$report" 'name(/*)' testsuite
expect_xpath "mixed: suite name" "$report" 'string(/testsuite/@name)' "fakesys scenarios"
expect_xpath "mixed: testcases" "$report" 'count(/testsuite/testcase)' 3
expect_xpath "mixed: tests attribute" "$report" 'string(/testsuite/@tests)' 3
expect_xpath "mixed: failures" "$report" 'count(//failure)' 1
expect_xpath "mixed: failures attribute" "$report" 'string(/testsuite/@failures)' 1
expect_xpath "mixed: errors" "$report" 'count(//error)' 0
expect_xpath "mixed: errors attribute" "$report" 'string(/testsuite/@errors)' 0
expect_xpath "mixed: names in order" "$report" \
	'concat(/testsuite/testcase[1]/@name, " ", /testsuite/testcase[2]/@name, " ",
		/testsuite/testcase[3]/@name)' "kata-10576 noiommu step-reads-wrong"
expect_xpath "mixed: classname" "$report" 'count(//testcase[@classname="scenario"])' 3
expect_xpath "mixed: file" "$report" 'string(/testsuite/testcase[3]/@file)' "$failing"
expect_xpath "mixed: the failure is the failing scenario's" "$report" \
	'count(//testcase[@name="step-reads-wrong"]/failure)' 1
message=$(xpath "$report" 'string(//failure/@message)')
if [[ $message == "FAIL step 3 (line 10): read "*"'0x144d', wanted '0x8086'" ]]; then
	ok "mixed: failure message names step 3: $message"
else
	fail "mixed: failure message '$message', wanted FAIL step 3 (line 10): read ..."
fi
# The failure's text and its system-out are the scenario's whole output: the runner's lines.
for element in failure system-out; do
	text=$(xpath "$report" "string(//testcase[@name='step-reads-wrong']/$element)")
	if [[ $text == *"FAIL step 3 (line 10)"* && $text == *"FAIL $failing"* ]]; then
		ok "mixed: the failing scenario's $element holds its output"
	else
		fail "mixed: the failing scenario's $element is '$text'"
	fi
done
text=$(xpath "$report" "string(//testcase[@name='noiommu']/system-out)")
[[ $text == *"ok   lspci"*"PASS $good2"* ]] || fail "mixed: noiommu's system-out is '$text'"
[[ $text == *kata* || $text == *step-reads-wrong* ]] &&
	fail "mixed: noiommu's system-out holds another scenario's output"
for attribute in /testsuite/@time '/testsuite/testcase[1]/@time'; do
	value=$(xpath "$report" "string($attribute)")
	[[ $value =~ ^[0-9]+\.[0-9]{3}$ ]] || fail "mixed: $attribute is '$value'"
done
# Printed as without --junit: every scenario's lines, in order.
if grep -q "^PASS $good1\$" "$work/mixed.out" && grep -q "^PASS $good2\$" "$work/mixed.out" &&
	grep -q "^FAIL step 3 (line 10): " "$work/mixed.out" &&
	! grep -q "step 4" "$work/mixed.out"; then
	ok "mixed: the output is printed too"
else
	fail "mixed: the printed output lacks a scenario's lines:"
	cat "$work/mixed.out"
fi

# A name with every XML metacharacter; an all-passing run exits 0.
meta="$work/a&b<c>\"d'e.yaml"
cp "$good2" "$meta"
run_junit meta "$meta"
if [ "$rc" -eq 0 ]; then ok "meta: exit 0"; else fail "meta: exit $rc, wanted 0"; fi
well_formed meta
expect_xpath "meta: name" "$work/meta.xml" 'string(//testcase/@name)' "a&b<c>\"d'e"
expect_xpath "meta: file" "$work/meta.xml" 'string(//testcase/@file)' "$meta"
if grep -qF 'name="a&amp;b&lt;c&gt;&quot;d&apos;e"' "$work/meta.xml"; then
	ok "meta: escaped in the file"
else
	fail "meta: the name is not escaped as wanted:"
	grep testcase "$work/meta.xml"
fi

# A refused file whose name holds a control byte and a byte that is no UTF-8: an <error>, with
# the bytes as \xNN (XML 1.0 cannot carry them at all).
refused="$work/bad"$'\x01\xff'".yaml"
cp "$source_dir/tests/bad/alias.yaml" "$refused"
run_junit refused "$refused"
if [ "$rc" -eq 1 ]; then ok "refused: exit 1"; else fail "refused: exit $rc, wanted 1"; fi
well_formed refused
expect_xpath "refused: errors" "$work/refused.xml" 'count(//testcase/error)' 1
expect_xpath "refused: errors attribute" "$work/refused.xml" 'string(/testsuite/@errors)' 1
expect_xpath "refused: failures attribute" "$work/refused.xml" 'string(/testsuite/@failures)' 0
expect_xpath "refused: name" "$work/refused.xml" 'string(//testcase/@name)' 'bad\x01\xff'
message=$(xpath "$work/refused.xml" 'string(//error/@message)')
if [[ $message == "FAIL load: $work/bad\\x01\\xff.yaml"* ]]; then
	ok "refused: error message: $message"
else
	fail "refused: error message '$message', wanted FAIL load: ..."
fi

# A scenario that cannot be mounted (this "fakesys" fails at everything) is an <error> too.
"$scenario_test" --fakesys false --junit "$work/unmounted.xml" "$good2" >"$work/unmounted.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ]; then ok "unmounted: exit 1"; else fail "unmounted: exit $rc, wanted 1"; fi
well_formed unmounted
expect_xpath "unmounted: error" "$work/unmounted.xml" 'string(//error/@message)' \
	"FAIL mount: fakesys exited with 1"

# Usage errors exit 2; a report that cannot be created is one, found before any scenario runs.
"$scenario_test" --fakesys "$fakesys" --junit "$work/r.xml" >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 2 ]; then ok "no scenario: exit 2"; else fail "no scenario: exit $rc, wanted 2"; fi
"$scenario_test" --fakesys "$fakesys" --junit "$work/no/such/dir/r.xml" "$good2" \
	>"$work/nodir.out" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && ! grep -q "PASS" "$work/nodir.out"; then
	ok "report in a missing directory: exit 2, nothing run"
else
	fail "report in a missing directory: exit $rc, wanted 2 and no scenario run:"
	cat "$work/nodir.out"
fi

left=$(awk -v work="$work" 'index($2, work) == 1 { print $2 }' /proc/mounts)
[ -z "$left" ] || fail "mounts left behind: $left"
exit "$status"
