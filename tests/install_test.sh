#!/usr/bin/env bash
# `cmake --install` of a build into a fresh prefix: the commands, libvfionaming static and
# shared, its header and pkg-config file, the man pages, the bash completions and the
# scenarios land there; man and bash-completion's loader find them; a program built against the installed library
# through pkg-config, linked either way, names the report's sandbox exactly as the installed
# vfio-naming does, and the installed fakesys renders the tree it reads.
# usage: install_test.sh BUILD_DIR SOURCE_DIR (CFLAGS: the build's own, e.g. its sanitizers)
# shellcheck disable=SC2015 # "A && ok || fail": ok never fails
set -u
build=$1
source=$2

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work install "$build/bin/fakesys"

prefix=$work/prefix
if ! cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1; then
	cat "$work/install.log"
	echo "FAIL cmake --install"
	exit 1
fi
libdir=$(dirname "$(find "$prefix" -name vfionaming.pc -path '*/pkgconfig/*')")
libdir=${libdir%/pkgconfig}
for file in bin/fakesys bin/vfio-naming include/vfionaming.h share/man/man1/fakesys.1 \
	share/man/man1/vfio-naming.1 share/man/man5/fakesys-scenario.5 \
	share/bash-completion/completions/fakesys share/bash-completion/completions/vfio-naming; do
	[ -e "$prefix/$file" ] && ok "installed $file" || fail "not installed: $file"
done
for file in libvfionaming.a libvfionaming.so "$libdir/pkgconfig/vfionaming.pc"; do
	[ -e "$libdir/${file#"$libdir"/}" ] && ok "installed ${file#"$prefix"/}" ||
		fail "not installed: $file in $libdir"
done

scenarios=("$source"/scenarios/*.yaml)
"$prefix/bin/fakesys" check "$prefix"/share/fakesys/scenarios/*.yaml >"$work/check" 2>&1 &&
	[ "$(grep -c ': ok (' "$work/check")" = "${#scenarios[@]}" ] &&
	ok "the installed scenarios check" || fail "the installed scenarios: $(cat "$work/check")"

# man finds the installed pages through the prefix, as it would in /usr/local.
for page in fakesys vfio-naming "5 fakesys-scenario"; do
	# shellcheck disable=SC2086 # "5 fakesys-scenario": section and name
	MANPATH=$prefix/share/man MANWIDTH=80 man $page 2>"$work/man.err" | grep -q "^NAME" &&
		ok "man $page" || fail "man $page: $(cat "$work/man.err")"
done

# bash-completion's loader finds the completions under the prefix's share/ (it looks in
# $XDG_DATA_DIRS, /usr/local/share:/usr/share by default).
for command in fakesys vfio-naming; do
	XDG_DATA_DIRS=$prefix/share PATH=$prefix/bin:$PATH bash -c '
		. /usr/share/bash-completion/bash_completion &&
		__load_completion "$1" && complete -p "$1"' sh "$command" >"$work/complete" 2>&1 &&
		ok "bash-completion loads $command's completion" ||
		fail "bash-completion does not load $command's: $(cat "$work/complete")"
done

# The pkg-config file finds the prefix it was installed to (and would, moved elsewhere).
export PKG_CONFIG_PATH=$libdir/pkgconfig
cflags=$(pkg-config --cflags vfionaming) libs=$(pkg-config --libs vfionaming)
include=$(pkg-config --variable=includedir vfionaming)
[ "$(realpath "$include")" = "$(realpath "$prefix/include")" ] &&
	ok "pkg-config: includedir $include" || fail "pkg-config: includedir '$include'"
# shellcheck disable=SC2086 # the flags are words
cc -std=c11 -Wall -Wextra -Werror ${CFLAGS:-} $cflags "$source/tests/install/use_vfionaming.c" $libs \
	-o "$work/use-shared" || fail "building against the shared library"
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror ${CFLAGS:-} $cflags "$source/tests/install/use_vfionaming.c" \
	-L"$libdir" -Wl,-Bstatic -lvfionaming -Wl,-Bdynamic -o "$work/use-static" ||
	fail "building against the static library"
LD_LIBRARY_PATH=$libdir ldd "$work/use-shared" | grep -q "libvfionaming.so.0 => $libdir" &&
	ok "use-shared loads the installed libvfionaming.so.0" ||
	fail "use-shared does not load the installed library: $(ldd "$work/use-shared")"
ldd "$work/use-static" | grep -q libvfionaming && fail "use-static links the shared library"

"$prefix/bin/fakesys" render "$source/scenarios/kata-10576.yaml" "$work/root" >/dev/null ||
	fail "the installed fakesys renders kata-10576"
for scheme in index group-index; do
	"$prefix/bin/vfio-naming" --root "$work/root" --scheme "$scheme" /dev/vfio/215 \
		/dev/vfio/216 >"$work/want" 2>/dev/null
	want_rc=$?
	want=$(awk '{ print $1, $2, $3 }' "$work/want")
	for program in use-shared use-static; do
		got=$(LD_LIBRARY_PATH=$libdir "$work/$program" "$work/root" "$scheme" \
			/dev/vfio/215 /dev/vfio/216 2>/dev/null)
		rc=$?
		if [ -n "$got" ] && [ "$got" = "$want" ] && [ "$rc" -eq "$want_rc" ]; then
			ok "$program, $scheme: exit $rc, $(echo "$got" | awk '{ print $1 }' | xargs)"
		else
			fail "$program, $scheme: exit $rc, '$got'; vfio-naming: exit $want_rc, '$want'"
		fi
	done
done
exit "$status"
