#!/usr/bin/env bash
# The progress line of fakesys gen and record: forced with --progress it is drawn anywhere and
# its last state kept; off a terminal it is never drawn; on a terminal (a pty from script(1))
# a long record shows it, keeps it out of the lines it reports and clears it at the end;
# --quiet shows none. Whatever is shown, the scenario written is the same bytes.
# usage: progress_test.sh FAKESYS SCENARIO_DIR
set -uo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work progress "$1"
scenario_dir=$2

if ! command -v script >/dev/null; then
	echo "FAIL: script(1) (util-linux) is needed to give fakesys a terminal"
	exit 1
fi

# on_terminal OUTPUT COMMAND...: COMMAND run on a pty, all it shows on it in OUTPUT (a pty
# turns each "\n" into "\r\n").
on_terminal() {
	local output=$1 line
	shift
	line=$(printf '%q ' "$@")
	script -qec "$line" /dev/null </dev/null >"$output"
}

# check_draws WHAT FILE PHASE TOTAL: FILE (stderr of a forced run) draws the phase with counts
# that increase up to TOTAL, and ends that line at TOTAL with a newline.
check_draws() {
	local what=$1 file=$2 phase=$3 total=$4 draw count last=-1 draws=0 pattern
	pattern="^fakesys [a-z]+: $phase ([0-9]+)/$total \(([0-9]+)%\)$"
	while IFS= read -r draw; do
		[[ $draw == *"$phase"* ]] || continue
		if ! [[ $draw =~ $pattern ]]; then
			fail "$what: a draw reads '$draw'"
			return
		fi
		count=${BASH_REMATCH[1]}
		if ((count <= last)); then
			fail "$what: $count drawn after $last"
			return
		fi
		last=$count draws=$((draws + 1))
	done < <(tr '\r' '\n' <"$file")
	if ((draws < 2 || last != total)); then
		fail "$what: $draws draws of '$phase', the last at $last of $total"
	elif ! grep -q $'\r'"fakesys [a-z]*: $phase $total/$total (100%)\$" "$file"; then
		fail "$what: the line of '$phase' does not end at $total/$total with a newline"
	else
		ok "$what: $draws draws of '$phase' up to $total/$total, then a newline"
	fi
}

# --- forced, off a terminal: gen ------------------------------------------------------------
"$fakesys" gen domain --functions 4096 -o "$work/forced.yaml" --progress 2>"$work/gen.err"
"$fakesys" gen domain --functions 4096 -o "$work/plain.yaml" 2>"$work/gen-plain.err"
"$fakesys" gen domain --functions 4096 --progress >"$work/stdout.yaml" 2>/dev/null
check_draws "gen --progress" "$work/gen.err" "writing functions" 4096
if [ "$(tr -cd '\r' <"$work/gen.err" | wc -c)" -ge 2 ]; then
	ok "gen --progress: redrawn with \\r"
else
	fail "gen --progress: no \\r-redraws: $(od -c "$work/gen.err" | head -3)"
fi
if cmp -s "$work/forced.yaml" "$work/plain.yaml" && cmp -s "$work/stdout.yaml" "$work/plain.yaml"; then
	ok "gen --progress writes the same bytes (file and stdout)"
else
	fail "gen --progress changed what gen writes"
fi
for shape in "sriov --pfs 3" "gpu --gpus 5"; do
	# shellcheck disable=SC2086 # the shape and its options are words
	"$fakesys" gen $shape --progress -o "$work/shape.yaml" 2>"$work/shape.err"
	case $shape in
	sriov*) check_draws "gen $shape --progress" "$work/shape.err" "writing PFs" 3 ;;
	gpu*) check_draws "gen $shape --progress" "$work/shape.err" "writing GPUs" 5 ;;
	esac
done

# --- off a terminal, not forced: nothing drawn ----------------------------------------------
if [ -s "$work/gen-plain.err" ]; then
	fail "gen off a terminal wrote to stderr: $(head -c 200 "$work/gen-plain.err")"
else
	ok "gen off a terminal: stderr empty"
fi
"$fakesys" gen domain --functions 65536 -o "$work/big.yaml" 2>"$work/gen-big.err"
if [ -s "$work/gen-big.err" ]; then fail "gen of 65536 functions wrote to stderr"; else ok "gen of 65536 functions off a terminal: stderr empty"; fi

# Every scenario rendered and recorded: no \r without --progress; with it, the same bytes.
recorded=0
for scenario in "$scenario_dir"/*.yaml; do
	name=$(basename "$scenario" .yaml)
	root=$work/scenario-root
	rm -rf "$root"
	if ! "$fakesys" render "$scenario" "$root" >/dev/null 2>&1; then
		fail "$name: render"
		continue
	fi
	"$fakesys" record --root "$root" --name "$name" -o "$work/a.yaml" 2>"$work/a.err"
	"$fakesys" record --root "$root" --name "$name" -o "$work/b.yaml" --progress 2>"$work/b.err"
	if grep -q $'\r' "$work/a.err"; then
		fail "$name: record off a terminal drew progress: $(od -c "$work/a.err" | head -3)"
	elif ! cmp -s "$work/a.yaml" "$work/b.yaml"; then
		fail "$name: record --progress recorded other bytes"
	elif ! grep -q $'\r'"fakesys record: comparing functions \([0-9]*\)/\1 (100%)\$" "$work/b.err"; then
		fail "$name: record --progress did not end its comparing line at 100%"
	else
		recorded=$((recorded + 1))
	fi
done
((recorded > 0)) && ok "$recorded scenarios recorded: no \\r off a terminal; --progress drew and recorded the same bytes"

# --quiet --progress: the progress asked for, the summary not.
"$fakesys" record --root "$root" -o "$work/c.yaml" --quiet --progress 2>"$work/c.err"
if grep -q 'fakesys record: comparing' "$work/c.err" && ! grep -q 'fakesys: recorded' "$work/c.err"; then
	ok "record --quiet --progress: progress, no summary"
else
	fail "record --quiet --progress: $(tr '\r' '|' <"$work/c.err" | head -c 300)"
fi

# --- on a terminal ---------------------------------------------------------------------------
# A host large enough that record takes about a second (here: 3072 functions, 0.9-1.2 s), with
# something to report half-way through the walk, when the line is shown: a device of another
# subsystem below a function.
"$fakesys" gen domain --functions 3072 -o "$work/host.yaml"
"$fakesys" render "$work/host.yaml" "$work/root" >/dev/null || {
	echo "FAIL: render of 3072 functions"
	exit 1
}
foreign=$work/root/sys/devices/pci0000:06/0000:06:10.0/net0
mkdir "$foreign" && echo "INTERFACE=eth0" >"$foreign/uevent"
record=("$fakesys" record --root "$work/root" --name host)
"${record[@]}" -o "$work/plain-record.yaml" 2>"$work/plain-record.err"

start=$EPOCHREALTIME
on_terminal "$work/tty.out" "${record[@]}" -o "$work/tty.yaml"
took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
echo "     record of 3072 functions on a terminal took $took s"

# clean_lines FILE: each reported line (and the summary) either starts its line or comes
# right after blanks that cover the progress drawn before it on that line.
clean_lines() {
	local what=$1 file=$2 line before text drawn blanks checked=0
	while IFS= read -r line; do
		line=${line%$'\r'}
		[[ $line == *"fakesys: recorded"* || $line == *"left out"* ]] || continue
		checked=$((checked + 1))
		text=${line##*$'\r'}
		before=${line%"$text"}
		[ -z "$before" ] && continue
		drawn=${before%$'\r'*$'\r'}
		drawn=${drawn##*$'\r'}
		blanks=${before%$'\r'}
		blanks=${blanks##*$'\r'}
		if [[ -n ${blanks//[ ]/} || ${#blanks} -lt ${#drawn} || $text == fakesys\ record:* ]]; then
			fail "$what: '$text' shares its line with progress: $(printf '%q' "$line" | head -c 300)"
			return
		fi
	done <"$file"
	if ((checked != 2)); then
		fail "$what: $checked reported lines, wanted the foreign device and the summary"
	else
		ok "$what: $checked reported lines, none cut into by the progress line"
	fi
}

tty=$(<"$work/tty.out")
if [[ $tty =~ $'\r'"fakesys record: "(reading|comparing)" functions "[0-9]+/3072\ \([0-9]+%\) ]]; then
	ok "record on a terminal shows progress (${BASH_REMATCH[0]#$'\r'})"
else
	fail "record on a terminal ($took s) showed no progress: $(printf '%q' "$tty" | head -c 300)"
fi
clean_lines "record on a terminal" "$work/tty.out"
# Cleared at the end: the last line drawn is blanked out, as long as it was, before anything
# else is written (the summary, or a line reported after it).
cr=$'\r'
last_draw=${tty##*"${cr}fakesys record: "}
cleared="^([^${cr}]*)${cr}( +)${cr}[^${cr}]"
if [[ $last_draw =~ $cleared ]] && ((${#BASH_REMATCH[2]} >= ${#BASH_REMATCH[1]} + 16)); then
	ok "record on a terminal clears its line at the end ('${BASH_REMATCH[1]}' blanked)"
else
	fail "record on a terminal left its line: $(printf '%q' "${last_draw:0:300}")"
fi

on_terminal "$work/quiet.out" "${record[@]}" -o "$work/quiet.yaml" --quiet
quiet=$(sed 's/\r$//' "$work/quiet.out")
if [[ $quiet == *$'\r'* || $quiet == *"fakesys record:"* || $quiet == *"fakesys: recorded"* ]]; then
	fail "record --quiet on a terminal: $(printf '%q' "$quiet" | head -c 300)"
elif [[ $quiet != *"net0: a device of another subsystem"* ]]; then
	fail "record --quiet on a terminal dropped what it reports: $(printf '%q' "$quiet" | head -c 300)"
else
	ok "record --quiet on a terminal: no progress, no summary, the reported lines still"
fi
on_terminal "$work/gen-quiet.out" "$fakesys" gen domain --functions 65536 -q -o "$work/gen-quiet.yaml"
if [ -s "$work/gen-quiet.out" ]; then fail "gen --quiet on a terminal: $(head -c 200 "$work/gen-quiet.out")"; else ok "gen --quiet on a terminal: nothing"; fi

# The scenario going to the terminal: no progress amid it.
on_terminal "$work/stdout.out" "${record[@]}"
if grep -q $'\r''fakesys record: ' "$work/stdout.out"; then
	fail "record to a terminal's stdout drew progress amid the scenario"
elif grep -q '^devices:' "$work/stdout.out"; then
	ok "record writing to the terminal it would draw on: no progress"
else
	fail "record to a terminal's stdout wrote no scenario: $(head -c 200 "$work/stdout.out")"
fi

# --- the same scenario whatever was shown ---------------------------------------------------
"${record[@]}" -o "$work/forced-record.yaml" --progress 2>"$work/forced-record.err"
check_draws "record --progress" "$work/forced-record.err" "comparing functions" 3072
for made in tty quiet forced-record; do
	if cmp -s "$work/$made.yaml" "$work/plain-record.yaml"; then
		ok "record ($made) recorded the same bytes as without progress"
	else
		fail "record ($made) recorded other bytes than without progress"
	fi
done
grep -v $'\r' "$work/forced-record.err" | grep -v 'left out\|fakesys: recorded' >"$work/stray" &&
	fail "record --progress: lines neither progress nor reports: $(head -3 "$work/stray")"
exit $status
