#!/usr/bin/env bash
# cpack's Debian packages: fakesys (the commands, manual pages, completions, scenarios), libvfionaming0
# and libvfionaming-dev hold what they should and depend on what they need; unpacked (never
# installed: the test changes nothing on this machine), the commands run, the pages render, and
# a program builds against the -dev package through pkg-config and runs on the runtime one.
# usage: package_test.sh BUILD_DIR SOURCE_DIR (CFLAGS: the build's own, e.g. its sanitizers)
# shellcheck disable=SC2015 # "A && ok || fail": ok never fails
set -u
build=$1
source=$2

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
setup_work package "$build/bin/fakesys"

if ! (cd "$build" && cpack -G DEB -B "$work/packages") >"$work/cpack.log" 2>&1; then
	cat "$work/cpack.log"
	echo "FAIL cpack -G DEB"
	exit 1
fi
version=$("$build/bin/fakesys" --version | awk '{ print $2 }')
arch=$(dpkg --print-architecture)

# package NAME: its .deb, or the test ends.
package() {
	local deb=$work/packages/${1}_${version}_$arch.deb
	[ -f "$deb" ] || {
		echo "FAIL no package $1 among: $(ls "$work/packages")"
		exit 1
	}
	echo "$deb"
}
tools=$(package fakesys)
runtime=$(package libvfionaming0)
dev=$(package libvfionaming-dev)

# expect_files DEB PATH...: exactly these files (directories aside), in any order.
expect_files() {
	local deb=$1 got want
	shift
	got=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | sort)
	want=$(printf '%s\n' "$@" | sort)
	if [ "$got" = "$want" ]; then
		ok "$(basename "$deb"): $# files"
	else
		fail "$(basename "$deb") holds:"
		diff <(echo "$want") <(echo "$got")
	fi
}
mapfile -t scenarios < <(cd "$source" && find scenarios -type f | sed 's|^|/usr/share/fakesys/|')
expect_files "$tools" /usr/bin/fakesys /usr/bin/vfio-naming /usr/share/man/man1/fakesys.1 \
	/usr/share/man/man1/vfio-naming.1 /usr/share/man/man5/fakesys-scenario.5 \
	/usr/share/bash-completion/completions/fakesys \
	/usr/share/bash-completion/completions/vfio-naming "${scenarios[@]}"
libdir=$(dpkg-deb -c "$runtime" | awk '$6 ~ /libvfionaming\.so\.[0-9]+$/ { print $6 }')
libdir=${libdir#.}
libdir=${libdir%/*}
expect_files "$runtime" "$libdir/libvfionaming.so.0" "$libdir/libvfionaming.so.$version"
expect_files "$dev" /usr/include/vfionaming.h "$libdir/libvfionaming.a" \
	"$libdir/libvfionaming.so" "$libdir/pkgconfig/vfionaming.pc"

# field DEB NAME
field() { dpkg-deb -f "$1" "$2"; }
depends=$(field "$tools" Depends)
for need in libfuse3-3 libyaml-0-2 fuse3; do
	[[ $depends == *"$need"* ]] && ok "fakesys depends on $need" ||
		fail "fakesys does not depend on $need: $depends"
done
[[ $(field "$dev" Depends) == *"libvfionaming0 (= $version)"* ]] &&
	ok "libvfionaming-dev depends on libvfionaming0 (= $version)" ||
	fail "libvfionaming-dev depends on: $(field "$dev" Depends)"
dpkg-deb --ctrl-tarfile "$runtime" | tar -tf - | grep -qx './shlibs' &&
	ok "libvfionaming0 carries a shlibs file (and runs ldconfig)" ||
	fail "libvfionaming0 has no shlibs file"

# Unpacked into a directory, as dpkg would lay them out.
root=$work/root
for deb in "$tools" "$runtime" "$dev"; do dpkg-deb -x "$deb" "$root"; done
[ "$("$root/usr/bin/fakesys" --version)" = "fakesys $version" ] &&
	ok "the packaged fakesys runs" || fail "the packaged fakesys does not run"
"$root/usr/bin/fakesys" render "$source/scenarios/kata-10576.yaml" "$work/tree" >/dev/null &&
	"$root/usr/bin/vfio-naming" --root "$work/tree" /dev/vfio/215 /dev/vfio/216 \
		>"$work/names" && grep -q '^vfio_device_216_0 ' "$work/names" &&
	ok "the packaged commands render and name the report's host" ||
	fail "the packaged commands: $(cat "$work/names")"
"$root/usr/bin/fakesys" check "$root"/usr/share/fakesys/scenarios/*.yaml >/dev/null &&
	ok "the packaged scenarios check" || fail "the packaged scenarios do not check"
for page in man1/fakesys.1 man1/vfio-naming.1 man5/fakesys-scenario.5; do
	MANWIDTH=80 man -l "$root/usr/share/man/$page" 2>&1 | grep -q '^NAME' &&
		ok "man -l $page" || fail "man -l $page does not render"
done

# Against the -dev package through its pkg-config file, which finds the unpacked prefix.
export PKG_CONFIG_PATH=$root$libdir/pkgconfig
# shellcheck disable=SC2046,SC2086 # the flags are words
cc -std=c11 -Wall -Wextra -Werror ${CFLAGS:-} $(pkg-config --cflags vfionaming) \
	"$source/tests/install/use_vfionaming.c" $(pkg-config --libs vfionaming) \
	-o "$work/use-shared" || fail "building against libvfionaming-dev"
LD_LIBRARY_PATH=$root$libdir ldd "$work/use-shared" | grep -q "=> $root$libdir/libvfionaming.so.0" &&
	ok "built against libvfionaming-dev, it loads libvfionaming0's library" ||
	fail "use-shared does not load the packaged library: $(ldd "$work/use-shared")"
LD_LIBRARY_PATH=$root$libdir "$work/use-shared" "$work/tree" group-index /dev/vfio/215 \
	/dev/vfio/216 >"$work/use.out" 2>&1 &&
	grep -q vfio_device_215_0 "$work/use.out" &&
	ok "it names the report's sandbox" || fail "use-shared: $(cat "$work/use.out")"
exit "$status"
