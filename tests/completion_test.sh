#!/usr/bin/env bash
# Bash completion of fakesys and vfio-naming, loaded the way bash-completion's loader loads it and
# sourced without bash-completion: the commands, every option of every command's --help, option
# arguments, scenario files, and the mount points, PCI addresses and /dev/vfio nodes of live
# mounts. Each case sets COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT as bash would for a
# command line and checks what the completion function leaves in COMPREPLY.
# usage: completion_test.sh FAKESYS VFIO_NAMING SOURCE_DIR
set -uo pipefail
bash_completion=/usr/share/bash-completion/bash_completion

if [ "${1-}" != --cases ]; then
	# shellcheck source=tests/lib.sh
	. "$(dirname "$0")/lib.sh"
	setup_work completion "$1"
	trap 'exit 1' INT TERM HUP # through the EXIT trap, which unmounts
	vfio_naming=$2 source_dir=$3

	mount_scenario "$source_dir/scenarios/kata-10576.yaml" "$work/mnt"
	mount_scenario "$source_dir/scenarios/kata-10576.yaml" "$work/mnt 2"
	"$fakesys" render "$source_dir/scenarios/kata-10576.yaml" "$work/a tree" >/dev/null ||
		fail "fakesys render"
	mkdir -p "$work/scenarios/sub" "$work/user/completions" "$work/old"
	touch "$work/scenarios/"{a.yaml,b.yaml,'c d.yaml',notes.txt}
	ln -s "$source_dir/fakesys/completion/fakesys" "$work/user/completions/fakesys"
	ln -s "$source_dir/naming/completion/vfio-naming" "$work/user/completions/vfio-naming"
	# A fakesys whose list knows no --json: its tab-separated output is read instead.
	cat >"$work/old/fakesys" <<-EOF
		#!/bin/sh
		[ "\$1 \${2-}" = "list --json" ] && { echo "fakesys: no option --json" >&2; exit 2; }
		exec "$fakesys" "\$@"
	EOF
	chmod +x "$work/old/fakesys"

	if [ ! -r "$bash_completion" ]; then
		fail "$bash_completion is missing (apt-get install bash-completion)"
	fi
	for mode in plain bash-completion; do
		echo "== $mode"
		bash --norc --noprofile "$0" --cases "$mode" "$fakesys" "$vfio_naming" "$source_dir" \
			"$work" || status=1
	done
	exit "$status"
fi

mode=$2 fakesys=$3 vfio_naming=$4 source_dir=$5 work=$6
status=0
fail() {
	echo "FAIL $mode: $*"
	status=1
}
ok() { echo "ok   $mode: $*"; }

PATH=$(dirname "$fakesys"):$(dirname "$vfio_naming"):$PATH
if [ "$mode" = bash-completion ]; then
	export BASH_COMPLETION_USER_DIR=$work/user # where the loader looks first
	# shellcheck source=/dev/null
	. "$bash_completion"
	__load_completion fakesys || fail "bash-completion's loader finds no completions/fakesys"
else
	set -u # the scripts must not trip over an unset variable
	# shellcheck source=fakesys/completion/fakesys
	. "$source_dir/fakesys/completion/fakesys"
	# shellcheck source=naming/completion/vfio-naming
	. "$source_dir/naming/completion/vfio-naming"
	declare -F _init_completion >/dev/null && fail "bash-completion is loaded in the plain shell"
fi
# As in an interactive shell (bash-completion takes '@' out).
COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'

# complete_line LINE: COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT as bash sets them for LINE
# with the cursor at its end (blanks separate words, and so does a run of COMP_WORDBREAKS
# characters outside quotes, which is a word of its own), then the command's completion function,
# found as bash finds it (loaded on demand with bash-completion). COMPREPLY holds the result.
complete_line() {
	local line=$1 breaks=${COMP_WORDBREAKS//[$' \t\n\"\'']/} word='' quote='' c i in_breaks=false
	local spec function
	COMP_WORDS=()
	for ((i = 0; i < ${#line}; i++)); do
		c=${line:i:1}
		if [[ $quote ]]; then
			word+=$c
			[[ $c == "$quote" ]] && quote=''
			continue
		fi
		if [[ $c == [$' \t'] ]]; then
			[[ $word ]] && COMP_WORDS+=("$word")
			word='' in_breaks=false
			continue
		fi
		if [[ $breaks == *"$c"* ]]; then
			if ! $in_breaks && [[ $word ]]; then
				COMP_WORDS+=("$word")
				word=''
			fi
			in_breaks=true word+=$c
			continue
		fi
		if $in_breaks; then
			COMP_WORDS+=("$word")
			word='' in_breaks=false
		fi
		[[ $c == [\'\"] ]] && quote=$c
		word+=$c
		if [[ $c == "\\" ]]; then
			word+=${line:i+1:1}
			((i++))
		fi
	done
	if [[ $word ]]; then
		COMP_WORDS+=("$word")
	else
		COMP_WORDS+=("")
	fi
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$line COMP_POINT=${#line}
	COMPREPLY=()
	if ! spec=$(complete -p "${COMP_WORDS[0]}" 2>/dev/null) &&
		! spec=$(complete -p "${COMP_WORDS[0]##*/}" 2>/dev/null) &&
		[ "$mode" = bash-completion ]; then
		__load_completion "${COMP_WORDS[0]}"
		spec=$(complete -p "${COMP_WORDS[0]##*/}" 2>/dev/null)
	fi
	function=${spec#*-F }
	function=${function%% *}
	if [[ ! $spec || $function == "$spec" ]]; then
		echo "no completion function for ${COMP_WORDS[0]}" >"$work/stderr.$mode"
		return
	fi
	"$function" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
		"${COMP_WORDS[COMP_CWORD - 1]}" 2>"$work/stderr.$mode"
	# Outside a real completion compopt (which bash-completion's own functions call) can only
	# complain; anything else on stderr is a fault of the scripts.
	sed -i '/compopt: not currently executing completion function/d' "$work/stderr.$mode"
}

# check HOW WHAT LINE WORD...: complete LINE; HOW is "exactly" (COMPREPLY holds the WORDs and
# nothing else, in any order), "has" (every WORD among others) or "lacks" (none of them).
check() {
	local how=$1 what=$2 line=$3 got want missing='' word
	shift 3
	complete_line "$line"
	if [ -s "$work/stderr.$mode" ]; then
		fail "$what: '$line' wrote to stderr: $(head -c 300 "$work/stderr.$mode")"
		return
	fi
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort)
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	case $how in
	exactly) [ "$got" = "$want" ] || missing=wrong ;;
	has | lacks)
		for word; do
			if [[ $'\n'$got$'\n' == *$'\n'"$word"$'\n'* ]]; then
				[ "$how" = lacks ] && missing+=" $word"
			else
				[ "$how" = has ] && missing+=" $word"
			fi
		done
		;;
	esac
	if [ -z "$missing" ]; then
		ok "$what"
	else
		fail "$what: '$line' gave [$(echo "$got" | tr '\n' ' ')], wanted $how [$*]"
	fi
}

# Commands and options as the binaries' --help lists them, read here independently of the
# scripts: an option the scripts miss fails below.
mapfile -t commands < <("$fakesys" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9_-]*\) .*/\1/p')
[ "${#commands[@]}" -ge 10 ] || fail "fakesys --help lists ${#commands[@]} commands"
long_options() {
	"$@" --help | sed -nE 's/^  (-[[:alnum:]], )?(--[[:alnum:]-]+).*/\2/p
		s/^      (--[[:alnum:]-]+).*/\1/p'
}
short_options() { "$@" --help | sed -nE 's/^  (-[[:alnum:]])[, ].*/\1/p'; }

echo "-- commands"
check exactly "the commands and help" "fakesys " "${commands[@]}" help
check exactly "a command from its beginning" "fakesys ch" check
check exactly "help COMMAND" "fakesys help " "${commands[@]}"
check has "options before a command" "fakesys --" --help --version

echo "-- every option of every command's --help"
for command in "${commands[@]}"; do
	mapfile -t longs < <(long_options "$fakesys" "$command")
	mapfile -t shorts < <(short_options "$fakesys" "$command")
	[ "${#longs[@]}" -ge 2 ] || fail "fakesys $command --help lists ${#longs[@]} long options"
	check exactly "$command's long options" "fakesys $command --" "${longs[@]}"
	check has "$command's short options" "fakesys $command -" "${shorts[@]}" "${longs[@]}"
done

echo "-- option arguments"
order_values=(kernfs sorted reverse shuffle:)
check exactly "--order" "fakesys mount --order " "${order_values[@]}"
check exactly "--order after flags" "fakesys mount -f -d --order " "${order_values[@]}"
check exactly "--order=" "fakesys mount --order=" "${order_values[@]}"
check exactly "--order=s" "fakesys mount --order=s" sorted shuffle:
check exactly "nothing after shuffle:" "fakesys mount --order=shuffle:" 
check exactly "mount -o" "fakesys mount -o " allow_other ro rw
check exactly "mount -fo (flags bundled)" "fakesys mount -fo " allow_other ro rw
check exactly "mount -o, a word after a comma" "fakesys mount -o ro,a" ro,allow_other
check exactly "--trace FILE" "fakesys mount --trace $work/scenarios/n" "$work/scenarios/notes.txt"
check exactly "gen -o FILE" "fakesys gen sriov -o $work/scenarios/n" "$work/scenarios/notes.txt"
check exactly "gen --output=FILE" "fakesys gen sriov --output=$work/scenarios/n" \
	"$work/scenarios/notes.txt"
check exactly "record -qo FILE" "fakesys record -qo $work/scenarios/n" "$work/scenarios/notes.txt"
check exactly "record --root DIR" "fakesys record --root $work/scenarios/" "$work/scenarios/sub"
check exactly "record -r DIR" "fakesys record -r $work/scen" "$work/scenarios"
check exactly "no values for a count" "fakesys gen sriov --pfs " 
check exactly "gen's shapes" "fakesys gen " sriov gpu domain switch
check exactly "a gen shape from its beginning" "fakesys gen g" gpu
check exactly "no second shape" "fakesys gen sriov " 

echo "-- scenario files and directories"
scenario_files=("$work/scenarios/a.yaml" "$work/scenarios/b.yaml" "$work/scenarios/c d.yaml"
	"$work/scenarios/sub")
check exactly "check SCENARIO" "fakesys check $work/scenarios/" "${scenario_files[@]}"
check exactly "check SCENARIO..." "fakesys check -j $work/scenarios/a.yaml $work/scenarios/" \
	"${scenario_files[@]}"
# bash-completion's _filedir leaves the backslash to compgen, which removes it only inside a real
# completion (readline's dequoting); only the plain fallback can be called with one here.
if [ "$mode" = plain ]; then
	check exactly "check SCENARIO, backslash-quoted" "fakesys check $work/scenarios/c\\ " \
		"$work/scenarios/c d.yaml"
fi
check exactly "check SCENARIO, in quotes" "fakesys check '$work/scenarios/c" \
	"$work/scenarios/c d.yaml"
check exactly "graph SCENARIO" "fakesys graph $work/scenarios/" "${scenario_files[@]}"
check exactly "mount SCENARIO" "fakesys mount --order sorted $work/scenarios/" \
	"${scenario_files[@]}"
check exactly "mount MOUNTPOINT" "fakesys mount -f $work/scenarios/a.yaml $work/scenarios/" \
	"$work/scenarios/sub"
check exactly "render SCENARIO" "fakesys render $work/scenarios/" "${scenario_files[@]}"
check exactly "render DIR" "fakesys render $work/scenarios/a.yaml $work/scenarios/" \
	"$work/scenarios/sub"
check exactly "run SCENARIO" "fakesys run $work/scenarios/" "${scenario_files[@]}"
(
	cd "$work/scenarios" || exit 1
	check exactly "check SCENARIO, relative" "fakesys check " a.yaml b.yaml "c d.yaml" sub
	exit "$status"
) || status=1

echo "-- run's command"
mapfile -t run_options < <(short_options "$fakesys" run; long_options "$fakesys" run)
check exactly "run's options" "fakesys run -" "${run_options[@]}"
check has "run SCENARIO -- CMD" "fakesys run $work/scenarios/a.yaml -- bas" bash
check has "run SCENARIO CMD" "fakesys run $work/scenarios/a.yaml bas" bash
check exactly "run SCENARIO --" "fakesys run $work/scenarios/a.yaml --" --
if [ "$mode" = bash-completion ]; then
	# bash splits the scenario's name at ':' and '=', and _command_offset counts those pieces.
	check exactly "run's command's own completion" \
		"fakesys run $work/host:a=1.yaml -- fakesys ch" check
	check exactly "run's command's own completion, loaded on demand" \
		"fakesys run $work/scenarios/a.yaml -- vfio-naming --sch" --scheme
	check exactly "run's command's own completion, after a colon" \
		"fakesys run $work/scenarios/a.yaml -- vfio-naming --root $work/mnt 0000:5" \
		5d:00.0 5e:00.0
fi

echo "-- mounts"
addresses=()
for entry in "$work/mnt/sys/bus/pci/devices/"*; do addresses+=("${entry##*/}"); done
[ "${#addresses[@]}" -eq 5 ] || fail "the mount shows ${#addresses[@]} PCI functions, not 5"
colon3=()
for address in "${addresses[@]}"; do
	[[ $address == 0000:3* ]] && colon3+=("${address#0000:}")
done
check has "umount MOUNTPOINT" "fakesys umount " "$work/mnt" "$work/mnt\\ 2"
check exactly "umount MOUNTPOINT from its beginning" "fakesys umount -l $work/m" "$work/mnt" \
	"$work/mnt\\ 2"
check exactly "umount MOUNTPOINT with a blank" "fakesys umount $work/mnt\\ " "$work/mnt\\ 2"
check exactly "umount MOUNTPOINT in quotes" "fakesys umount \"$work/mnt " "$work/mnt 2"
check exactly "umount MOUNTPOINT of a fakesys without list --json" \
	"$work/old/fakesys umount $work/m" "$work/mnt" "$work/mnt\\ 2"
check has "ctl MOUNTPOINT" "fakesys ctl " "$work/mnt" "$work/mnt\\ 2"
check exactly "ctl's commands" "fakesys ctl $work/mnt " plug unplug reload fault faults
check exactly "ctl plug BDF" "fakesys ctl $work/mnt plug " "${addresses[@]}"
check exactly "ctl unplug BDF" "fakesys ctl $work/mnt\\ 2 unplug " "${addresses[@]}"
check exactly "ctl unplug 0000:3" "fakesys ctl $work/mnt unplug 0000:3" "${colon3[@]}"
check exactly "ctl reload SCENARIO" "fakesys ctl $work/mnt reload $work/scenarios/" \
	"${scenario_files[@]}"
check exactly "ctl faults clear" "fakesys ctl $work/mnt faults " clear
check exactly "no options after ctl's MOUNTPOINT" "fakesys ctl $work/mnt -" 

echo "-- vfio-naming"
mapfile -t longs < <(long_options "$vfio_naming")
[ "${#longs[@]}" -ge 5 ] || fail "vfio-naming --help lists ${#longs[@]} long options"
check exactly "vfio-naming's long options" "vfio-naming --" "${longs[@]}"
mapfile -t shorts < <(short_options "$vfio_naming")
check has "vfio-naming's short options" "vfio-naming -" "${shorts[@]}" "${longs[@]}"
check exactly "--scheme" "vfio-naming --scheme " index group-index
check exactly "--scheme=g" "vfio-naming --scheme=g" group-index
check exactly "-s i" "vfio-naming --json -s i" index
check exactly "--root DIR" "vfio-naming --root $work/scen" "$work/scenarios"
check exactly "-r DIR" "vfio-naming -r $work/scenarios/" "$work/scenarios/sub"
vfio_nodes=()
for entry in "$work/mnt/dev/vfio/"* "$work/mnt/dev/vfio/devices/"*; do
	case ${entry#"$work/mnt"} in
	/dev/vfio/vfio | /dev/vfio/devices) ;;
	*) vfio_nodes+=("${entry#"$work/mnt"}") ;;
	esac
done
[ "${#vfio_nodes[@]}" -eq 4 ] || fail "the mount has ${#vfio_nodes[@]} VFIO nodes, not 4"
check exactly "HOSTPATH under --root" "vfio-naming --root $work/mnt " "${vfio_nodes[@]}" \
	"${addresses[@]}"
check exactly "HOSTPATH 0000:3 under --root" "vfio-naming --root $work/mnt 0000:3" "${colon3[@]}"
check exactly "HOSTPATH 0000:3 under --root=" "vfio-naming --scheme index --root=$work/mnt 0000:3" \
	"${colon3[@]}"
check exactly "HOSTPATH /dev/vfio/ under -r" "vfio-naming -r$work/mnt /dev/vfio/" "${vfio_nodes[@]}"
check exactly "HOSTPATH BB:DD.F under -jr" "vfio-naming -jr $work/mnt 3" "${colon3[@]}"
check exactly "HOSTPATH under a --root with a blank" \
	"vfio-naming --root $work/a\\ tree /dev/vfio/2" /dev/vfio/215 /dev/vfio/216
check exactly "HOSTPATH under a quoted --root" "vfio-naming --root '$work/a tree' 0000:5" \
	5d:00.0 5e:00.0
check exactly "the last --root counts" \
	"vfio-naming --root $work/scenarios --root $work/mnt\\ 2 /dev/vfio/devices/" \
	/dev/vfio/devices/vfio0 /dev/vfio/devices/vfio1

exit "$status"
