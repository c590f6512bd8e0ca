#!/usr/bin/env bash
# The manual pages: each lints clean with groff and mandoc, renders with man at 80 columns
# without an error or a line wider than that, and agrees with the commands' own --help, so
# that neither drifts from the other: every long option a command's help lists is in that
# command's part of its page (or in the options every command takes), every long option the
# page lists for a command is one its help lists, every long option of a usage line is in the
# page's SYNOPSIS, and every command fakesys --help lists has its SYNOPSIS line and its
# subsection in fakesys.1. The comparison is first run on made-up help texts and a made-up
# page, where it must find what is wrong.
# usage: man_pages_test.sh FAKESYS VFIO_NAMING SOURCE_DIR
set -u
fakesys=$1
vfio_naming=$2
source_dir=$3
fakesys_page=$source_dir/fakesys/man/fakesys.1
scenario_page=$source_dir/fakesys/man/fakesys-scenario.5
naming_page=$source_dir/naming/man/vfio-naming.1

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work man "$fakesys"

# Output as a reader's terminal shows it, but in plain ASCII: one byte is one column.
export LC_ALL=C
unset MANOPT MANPAGER PAGER MAN_KEEP_FORMATTING

for tool in groff man mandoc; do
	if ! command -v "$tool" >/dev/null; then
		echo "FAIL $tool is not installed (Debian: groff-base, man-db, mandoc)"
		exit 1
	fi
done

# ---- the help texts, and the pages as text ---------------------------------------------------

# An awk function for the programs below: prints each --long-option in text, one a line.
print_long_options='
	function print_long_options(text) {
		while (match(text, /--[A-Za-z0-9][A-Za-z0-9-]*/)) {
			print substr(text, RSTART, RLENGTH)
			text = substr(text, RSTART + RLENGTH)
		}
	}'

# help_options HELP: the long options of the option lines of a help text, one a line. Option
# lines follow an "options:" line (any case) up to a blank line or the next heading; each
# starts with 2 to 8 spaces and a '-', and its options end where two spaces start its text.
# Continuation lines are indented further, so an option named in a description is not one.
help_options() {
	awk "$print_long_options"'
		/^[A-Za-z][A-Za-z ]*:$/ { in_options = tolower($0) == "options:"; next }
		/^$/ { in_options = 0; next }
		in_options && match($0, /^ +-/) && RLENGTH >= 3 && RLENGTH <= 9 {
			spec = $0
			sub(/^ +/, "", spec)
			sub(/  .*/, "", spec)
			print_long_options(spec)
		}' "$1" | sort -u
}

# usage_options HELP: the long options of its usage line and the lines that continue it.
usage_options() {
	awk "$print_long_options"'
		tolower($0) ~ /^usage:/ { in_usage = 1 }
		in_usage && /^$/ { exit }
		in_usage {
			line = $0
			print_long_options(line)
		}' "$1" | sort -u
}

# help_commands HELP: the commands of fakesys --help, one a line: the first word of each line
# of its "commands:" part, or without one, what follows "fakesys" on its usage lines.
help_commands() {
	awk '
		/^[A-Za-z][A-Za-z ]*:/ { part = tolower($0) }
		part == "commands:" && /^ +[a-z][a-z0-9-]*( |$)/ { print $1; listed = 1; next }
		tolower($0) ~ /^usage:/ || (part ~ /^usage:/ && /^ /) {
			if (match($0, /fakesys [a-z][a-z0-9-]*/))
				usage[++n] = substr($0, RSTART + 8, RLENGTH - 8)
		}
		END { if (!listed) for (i = 1; i <= n; i++) print usage[i] }' "$1" | sort -u
}

# render PAGE OUT: PAGE as plain text with one line per paragraph, so that nothing is
# hyphenated or split: headings at column 0, subsections at 3, text and tags at 7.
render() {
	groff -man -Tascii -P-cbu -rLL=10000n "$1" >"$2" 2>"$2.err" && [ ! -s "$2.err" ]
}

# page_part TEXT SECTION [SUBSECTION]: the lines of a section, or of one of its subsections.
page_part() {
	awk -v section="$2" -v subsection="${3-}" '
		/^[^ ]/ { in_section = $0 == section; in_sub = 0; next }
		!in_section { next }
		subsection == "" { print; next }
		/^   [^ ]/ { title = $0; sub(/^ +/, "", title); sub(/ +$/, "", title)
			in_sub = title == subsection; next }
		in_sub { print }' "$1"
}

# tag_options LINES: the long options of the tags of option lists (".TP" at the section's
# indent, starting with '-'), up to where two spaces start the tag's text.
tag_options() {
	awk "$print_long_options"'/^       -/ {
			spec = $0
			sub(/^ +/, "", spec)
			sub(/  .*/, "", spec)
			print_long_options(spec)
		}' "$1" | sort -u
}

# mentions TEXT OPTION: the option appears in the text as a whole word.
mentions() {
	grep -qE -- "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|$)" "$1"
}

# ---- the comparisons -------------------------------------------------------------------------

# check_fakesys_page FAKESYS PAGE: the page against every command's help.
check_fakesys_page() {
	local binary=$1 page=$2 dir text commands cmd help option found=0
	dir=$(mktemp -d "$work/fakesys.XXXXXX")
	text=$dir/page.txt
	if ! render "$page" "$text"; then
		fail "$page: groff could not render it: $(cat "$text.err")"
		return
	fi
	page_part "$text" SYNOPSIS >"$dir/synopsis"
	page_part "$text" OPTIONS >"$dir/common"
	tag_options "$dir/common" >"$dir/common.tags"
	if ! "$binary" --help >"$dir/help" 2>"$dir/help.err" || [ -s "$dir/help.err" ]; then
		fail "fakesys --help: failed or wrote to stderr"
		return
	fi
	commands=$(help_commands "$dir/help")
	if [ -z "$commands" ]; then
		fail "fakesys --help lists no command"
		return
	fi
	for cmd in $commands; do
		found=$((found + 1))
		help=$dir/$cmd.help
		if ! "$binary" "$cmd" --help >"$help" 2>"$help.err" || [ -s "$help.err" ]; then
			fail "fakesys $cmd --help: failed or wrote to stderr"
			continue
		fi
		if ! head -n 1 "$help" | grep -q "^usage: fakesys $cmd\b"; then
			fail "fakesys $cmd --help: no usage line: $(head -n 1 "$help")"
		fi
		grep "^       fakesys $cmd\b" "$dir/synopsis" >"$dir/$cmd.synopsis"
		if [ -s "$dir/$cmd.synopsis" ]; then
			ok "fakesys $cmd: in the SYNOPSIS"
		else
			fail "fakesys $cmd: not in the SYNOPSIS of $page"
		fi
		page_part "$text" COMMANDS "fakesys $cmd" >"$dir/$cmd.section"
		if [ ! -s "$dir/$cmd.section" ]; then
			fail "fakesys $cmd: no subsection \"fakesys $cmd\" under COMMANDS in $page"
			continue
		fi
		help_options "$help" >"$dir/$cmd.options"
		if ! grep -qx -- --help "$dir/$cmd.options"; then
			fail "fakesys $cmd --help: its option lines were not found (no --help among them)"
		fi
		while read -r option; do
			if mentions "$dir/$cmd.section" "$option" ||
				grep -qx -- "$option" "$dir/common.tags"; then
				ok "fakesys $cmd $option: documented"
			else
				fail "fakesys $cmd $option: in its --help, not in its part of $page"
			fi
		done <"$dir/$cmd.options"
		tag_options "$dir/$cmd.section" | while read -r option; do
			grep -qx -- "$option" "$dir/$cmd.options" ||
				echo "FAIL fakesys $cmd $option: in $page, not in its --help"
		done >"$dir/$cmd.extra"
		if [ -s "$dir/$cmd.extra" ]; then
			cat "$dir/$cmd.extra"
			status=1
		fi
		usage_options "$help" | while read -r option; do
			mentions "$dir/$cmd.synopsis" "$option" ||
				echo "FAIL fakesys $cmd $option: in its usage line, not in its SYNOPSIS line"
		done >"$dir/$cmd.usage"
		if [ -s "$dir/$cmd.usage" ]; then
			cat "$dir/$cmd.usage"
			status=1
		fi
	done
	# The options every command takes are those of every help.
	while read -r option; do
		for cmd in $commands; do
			grep -qx -- "$option" "$dir/$cmd.options" ||
				fail "$option: under OPTIONS in $page, as every command's, not in fakesys $cmd --help"
		done
	done <"$dir/common.tags"
	ok "fakesys.1 compared with the help of $found commands"
}

# check_naming_page VFIO_NAMING PAGE
check_naming_page() {
	local binary=$1 page=$2 dir text option
	dir=$(mktemp -d "$work/naming.XXXXXX")
	text=$dir/page.txt
	if ! render "$page" "$text"; then
		fail "$page: groff could not render it: $(cat "$text.err")"
		return
	fi
	if ! "$binary" --help >"$dir/help" 2>"$dir/help.err" || [ -s "$dir/help.err" ]; then
		fail "vfio-naming --help: failed or wrote to stderr"
		return
	fi
	page_part "$text" OPTIONS >"$dir/options"
	page_part "$text" SYNOPSIS >"$dir/synopsis"
	help_options "$dir/help" >"$dir/help.options"
	if ! grep -qx -- --help "$dir/help.options"; then
		fail "vfio-naming --help: its option lines were not found (no --help among them)"
	fi
	while read -r option; do
		if mentions "$dir/options" "$option"; then
			ok "vfio-naming $option: documented"
		else
			fail "vfio-naming $option: in its --help, not under OPTIONS in $page"
		fi
	done <"$dir/help.options"
	while read -r option; do
		grep -qx -- "$option" "$dir/help.options" ||
			fail "vfio-naming $option: under OPTIONS in $page, not in its --help"
	done < <(tag_options "$dir/options")
	while read -r option; do
		mentions "$dir/synopsis" "$option" ||
			fail "vfio-naming $option: in its usage line, not in the SYNOPSIS of $page"
	done < <(usage_options "$dir/help")
}

# ---- the comparison must find what is wrong ----------------------------------------------------

# A made-up fakesys with two commands and a page that gets one of them wrong three ways.
make_fake() {
	local dir=$1
	mkdir -p "$dir"
	cat >"$dir/help.top" <<-'EOF'
		usage: fakesys COMMAND [OPTION...] [ARG...]
		       fakesys help [COMMAND] | --help | --version

		commands:
		  frob     frobnicate
		  twiddle  twiddle the knobs

		examples:
		  fakesys frob --alpha x
	EOF
	cat >"$dir/help.frob" <<-'EOF'
		usage: fakesys frob [--alpha] [--beta-gamma N]
		                    [--epsilon] THING

		Frobnicates THING, unlike --zeta, which is no option of frob.

		options:
		  -a, --alpha         the first
		      --beta-gamma N  the second, which
		                      --omega mentions only
		      --epsilon       the fifth
		  -h, --help          show this help
		  -V, --version       show the version

		exit status: 0 success
	EOF
	cat >"$dir/help.twiddle" <<-'EOF'
		usage: fakesys twiddle [--knob K]

		options:
		  -k, --knob K        which knob
		  -h, --help          show this help
		  -V, --version       show the version
	EOF
	cat >"$dir/fakesys" <<-EOF
		#!/bin/sh
		case "\$1" in
		--help) cat "$dir/help.top" ;;
		frob|twiddle) cat "$dir/help.\$1" ;;
		*) exit 2 ;;
		esac
	EOF
	chmod +x "$dir/fakesys"
	# frob: --beta-gamma only in another subsection, --delta not an option of frob, and
	# --epsilon missing from the SYNOPSIS line.
	cat >"$dir/good.1" <<-'EOF'
		.TH FAKE 1 2026-11-25 fake "User Commands"
		.SH NAME
		fake \- made up
		.SH SYNOPSIS
		.B fakesys frob
		.RB [ \-\-alpha ]
		.RB [ \-\-beta\-gamma
		.IR N ]
		.RB [ \-\-epsilon ]
		.I THING
		.br
		.B fakesys twiddle
		.RB [ \-\-knob
		.IR K ]
		.SH COMMANDS
		.SS "fakesys frob"
		.TP
		.BR \-a ", " \-\-alpha
		The first.
		.TP
		.BI \-\-beta\-gamma " N"
		The second.
		.TP
		.B \-\-epsilon
		The fifth.
		.SS "fakesys twiddle"
		.TP
		.BR \-k ", " \-\-knob " \fIK\fR"
		Which knob.
		.SH OPTIONS
		.TP
		.BR \-h ", " \-\-help
		Help.
		.TP
		.BR \-V ", " \-\-version
		Version.
	EOF
	sed -e '/^\.BI \\-\\-beta\\-gamma " N"$/,/^The second\.$/d' \
		-e 's/^Which knob\.$/Which knob, unlike \\-\\-beta\\-gamma./' \
		-e 's/^\.B \\-\\-epsilon$/.B \\-\\-delta/' \
		-e '/^\.RB \[ \\-\\-epsilon \]$/d' "$dir/good.1" >"$dir/bad.1"
}

# Runs first: the comparisons start from status 0, and their failures stay in their subshells.
self_test() {
	local dir=$work/fake out
	make_fake "$dir"
	status=0
	out=$(
		check_fakesys_page "$dir/fakesys" "$dir/good.1"
		echo "status $status"
	)
	if [[ $out == *"status 0" && $out != *FAIL* && $out == *"help of 2 commands"* ]]; then
		ok "comparison: a made-up page that agrees with its help passes"
	else
		fail "comparison: a made-up page that agrees with its help did not pass:"
		echo "$out"
	fi
	status=0
	out=$(
		check_fakesys_page "$dir/fakesys" "$dir/bad.1"
		echo "status $status"
	)
	local want
	for want in "FAIL fakesys frob --beta-gamma: in its --help, not in its part" \
		"FAIL fakesys frob --delta: in $dir/bad.1, not in its --help" \
		"FAIL fakesys frob --epsilon: in its usage line, not in its SYNOPSIS line" \
		"status 1"; do
		if [[ $out == *"$want"* ]]; then
			ok "comparison finds: ${want#FAIL }"
		else
			fail "comparison missed: ${want#FAIL }"
		fi
	done
	if [[ $out == *--omega* || $out == *--zeta* ]]; then
		fail "comparison took an option named in a description for one"
	else
		ok "comparison: options named in descriptions are not options"
	fi
}

# ---- the pages -----------------------------------------------------------------------------

lint_and_render() {
	local page=$1 name out
	name=$(basename "$page")
	if [ ! -f "$page" ]; then
		fail "$page: missing"
		return
	fi
	if out=$(groff -man -ww -z "$page" 2>&1) && [ -z "$out" ]; then
		ok "$name: groff -man -ww: no warning"
	else
		fail "$name: groff -man -ww:"
		echo "$out"
	fi
	if out=$(mandoc -T lint -W warning "$page" 2>&1) && [ -z "$out" ]; then
		ok "$name: mandoc -T lint -W warning: no warning"
	else
		fail "$name: mandoc -T lint -W warning:"
		echo "$out"
	fi
	if ! MANWIDTH=80 man -l "$page" >"$work/$name.txt" 2>"$work/$name.err" ||
		[ -s "$work/$name.err" ] || [ ! -s "$work/$name.txt" ]; then
		fail "$name: man -l at 80 columns:"
		cat "$work/$name.err"
		return
	fi
	# man leaves bold and underlining as overstrikes when it writes to a file.
	sed 's/.\x08//g' "$work/$name.txt" >"$work/$name.plain"
	out=$(awk 'length > 80 { printf "line %d: %d columns: %s\n", NR, length, $0 }' \
		"$work/$name.plain")
	if [ -z "$out" ]; then
		ok "$name: man -l renders it within 80 columns"
	else
		fail "$name: lines wider than 80 columns:"
		echo "$out"
	fi
}

self_test
for page in "$fakesys_page" "$scenario_page" "$naming_page"; do
	lint_and_render "$page"
done
check_fakesys_page "$fakesys" "$fakesys_page"
check_naming_page "$vfio_naming" "$naming_page"
exit $status
