#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's own userfaultfd selftests, built static (they run in uffdwp-vmtest's bare
# initramfs) from Debian's linux-source packages, outside the kernel tree:
#
#   vm/build-selftests.sh [--force]
#
#   6.1:  tools/testing/selftests/vm/userfaultfd.c                 -> 6.1/userfaultfd
#   6.12: tools/testing/selftests/mm/uffd-unit-tests.c, uffd-stress.c, pagemap_ioctl.c
#         (+ uffd-common.c vm_util.c thp_settings.c)   -> 6.12/{uffd-unit-tests,uffd-stress,pagemap_ioctl}
#   7.3:  the same and uffd-wp-mremap.c (+ uffd-common.c vm_util.c hugepage_settings.c, which
#         replaced thp_settings.c; -I tools/testing/selftests for kselftest.h)
#                                 -> 7.3/{uffd-unit-tests,uffd-stress,uffd-wp-mremap,pagemap_ioctl}
#
# Fixes the selftests received upstream after a tree's release are applied from
# vm/selftest-patches/<ver>/*.patch, each to a copy of its file under <out>/<ver>/patched
# (the source tree stays untouched); each patch says which upstream version it is taken from.
#
# Output: $UFFDWP_SELFTESTS/<ver>/ (default /var/cache/uffdwp-trace/selftests), never the
# repository.  Each tree's uapi headers come from its own `make headers O=...` (generated
# in the output dir; the source tree stays untouched), so the host's older /usr/include
# does not matter.  Sources missing: fetched by `vm/setup.sh --with-source`.
# Idempotent: binaries already built are kept unless --force, or their flags or patches
# changed (<bin>.recipe).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
SRC_CACHE=${UFFDWP_SRC_CACHE:-/var/cache/uffdwp-trace/src}
PATCHES=$HERE/selftest-patches
OUT=${UFFDWP_SELFTESTS:-/var/cache/uffdwp-trace/selftests}
CC=${CC:-gcc}
# The selftests' own Makefile flags (tools/testing/selftests/mm/Makefile), plus -static.
CFLAGS="-Wall -O2 -U_FORTIFY_SOURCE -Wno-maybe-uninitialized"
LDLIBS="-lrt -lpthread -lm"

force=0
for arg in "$@"; do
	case $arg in
	--force) force=1 ;;
	-h|--help) sed -n '3,20p' "$0"; exit 0 ;;
	*) echo "build-selftests.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
	esac
done

log() { echo "selftests: $*"; }
die() { echo "selftests: $*" >&2; exit 1; }

tree() { echo "$SRC_CACHE/x/usr/src/linux-source-$1"; }

# Fetch both source trees through setup.sh (one copy of the apt/dpkg logic).
ensure_sources() {
	[ -d "$(tree 6.1)/tools/testing/selftests" ] &&
		[ -d "$(tree 6.12)/tools/testing/selftests" ] &&
		[ -d "$(tree 7.3)/tools/testing/selftests" ] && return
	log "kernel sources missing under $SRC_CACHE; fetching them"
	"$HERE/setup.sh" --with-source --kernels-only --no-selftests >&2 || die "fetching linux-source failed"
}

# headers VER: the uapi headers of VER's tree, generated once into $OUT/VER/obj/usr/include.
headers() {
	obj="$OUT/$1/obj"
	if [ ! -f "$obj/usr/include/linux/userfaultfd.h" ]; then
		log "$1: make headers (out of tree)"
		mkdir -p "$obj"
		make -s -C "$(tree "$1")" O="$obj" headers >&2 ||
			die "$1: make headers failed"
	fi
	echo "$obj/usr/include"
}

# patch_tree VER: VER's patches applied, each to a fresh copy of the files it changes, under
# $OUT/VER/patched/<path in the tree>.
patch_tree() {
	ver=$1
	rm -rf "$OUT/$ver/patched"
	for p in "$PATCHES/$ver"/*.patch; do
		[ -f "$p" ] || continue
		for f in $(sed -n 's#^+++ b/\([^[:space:]]*\).*#\1#p' "$p"); do
			mkdir -p "$OUT/$ver/patched/$(dirname "$f")"
			[ -f "$OUT/$ver/patched/$f" ] || cp "$(tree "$ver")/$f" "$OUT/$ver/patched/$f"
		done
		patch -s -p1 -d "$OUT/$ver/patched" < "$p" || die "$ver: $(basename "$p") does not apply"
		log "$ver: applied $(basename "$p")"
	done
}

# recipe VER: what a binary of VER is built from besides its tree (flags and patches); a
# binary built from another recipe is rebuilt.
recipe() {
	{ echo "$CC $CFLAGS $LDLIBS"; cat "$PATCHES/$1"/*.patch 2>/dev/null; } | sha256sum | cut -d' ' -f1
}

# build VER DIR NAME SOURCES...: $OUT/VER/NAME from DIR's SOURCES (a patched copy where
# there is one), linked static.
build() {
	ver=$1 dir=$2 name=$3
	shift 3
	bin="$OUT/$ver/$name"
	want=$(recipe "$ver")
	if [ -x "$bin" ] && [ $force = 0 ] && [ "$(cat "$bin.recipe" 2>/dev/null)" = "$want" ]; then
		log "$bin already built"
		return
	fi
	src=$(tree "$ver")
	inc=$(headers "$ver")
	files=
	for f in "$@"; do
		if [ -f "$OUT/$ver/patched/$dir/$f" ]; then
			files="$files $OUT/$ver/patched/$dir/$f"
		else
			files="$files $src/$dir/$f"
		fi
	done
	# -iquote DIR: a patched copy's "uffd-common.h" and "../../../../mm/gup_test.h" resolve
	# as from the original.  -I the tree root: uffd-unit-tests includes
	# "../../../../mm/gup_test.h"; -I the selftests root: 7.x's mm tests include
	# "kselftest.h" from there.
	# shellcheck disable=SC2086 # word splitting of the flag and file lists is intended
	$CC $CFLAGS -iquote "$src/$dir" -I "$src" -I "$src/tools/testing/selftests" \
		-isystem "$inc" -isystem "$src/tools/include/uapi" -static \
		-o "$bin.tmp" $files $LDLIBS || die "$ver: building $name failed"
	mv "$bin.tmp" "$bin"
	echo "$want" > "$bin.recipe"
	log "$bin"
}

ensure_sources
mkdir -p "$OUT/6.1" "$OUT/6.12" "$OUT/7.3"
for ver in 6.1 6.12 7.3; do patch_tree $ver; done
MM=tools/testing/selftests/mm
build 6.1 tools/testing/selftests/vm userfaultfd userfaultfd.c vm_util.c
for t in uffd-unit-tests uffd-stress; do
	build 6.12 $MM $t $t.c uffd-common.c vm_util.c thp_settings.c
done
build 6.12 $MM pagemap_ioctl pagemap_ioctl.c vm_util.c thp_settings.c
for t in uffd-unit-tests uffd-stress uffd-wp-mremap; do
	build 7.3 $MM $t $t.c uffd-common.c vm_util.c hugepage_settings.c
done
build 7.3 $MM pagemap_ioctl pagemap_ioctl.c vm_util.c hugepage_settings.c
