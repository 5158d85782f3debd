#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make setup`: install what a fresh Debian 12 needs to build and test uffdwp-trace, and
# fetch Debian's own kernel images (the guests of uffdwp-vmtest --debian 6.1|6.12).
#
#   vm/setup.sh [--with-source] [--kernels-only] [--no-selftests]
#
#   --with-source   also fetch linux-source-6.1 and linux-source-6.12 (the uffd selftests)
#   --kernels-only  skip apt-get install (the packages are already there)
#   --no-selftests  do not build the kernel's uffd selftests (vm/build-selftests.sh, which
#                   fetches the sources above when they are missing)
#
# Kernel images are fetched with apt by package name, never by URL: the ABI is resolved
# through the meta packages (linux-image-amd64, linux-image-6.12-amd64) and the matching
# "-unsigned" package is downloaded, so the script keeps working when Debian bumps the ABI.
# Layout (idempotent: anything already there is kept):
#   $UFFDWP_CACHE/debian-6.1/{vmlinuz,config,release}    (default /var/cache/uffdwp-trace/kernels)
#   $UFFDWP_CACHE/debian-6.12/{vmlinuz,config,release}
#   $UFFDWP_SRC_CACHE/x/usr/src/linux-source-{6.1,6.12}  (default /var/cache/uffdwp-trace/src)
#   $UFFDWP_SELFTESTS/{6.1,6.12}/...                      (default /var/cache/uffdwp-trace/selftests)
set -eu

CACHE=${UFFDWP_CACHE:-/var/cache/uffdwp-trace/kernels}
SRC_CACHE=${UFFDWP_SRC_CACHE:-/var/cache/uffdwp-trace/src}
PACKAGES="clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev pkg-config gcc make
	  qemu-system-x86 busybox-static cpio bpftrace jq valgrind clang-tidy clang-tools-14
	  clang-format libclang-rt-14-dev"

with_source=0
install_packages=1
selftests=1
for arg in "$@"; do
	case $arg in
	--with-source) with_source=1 ;;
	--kernels-only) install_packages=0 ;;
	--no-selftests) selftests=0 ;;
	-h|--help) sed -n '3,20p' "$0"; exit 0 ;;
	*) echo "setup.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
	esac
done

log() { echo "setup: $*"; }
die() { echo "setup: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get install, $CACHE)"

# The package a meta package depends on, e.g. linux-image-amd64 -> linux-image-6.1.0-56-amd64.
resolve_meta() {
	dep=$(apt-cache show --no-all-versions "$1" 2>/dev/null |
	      sed -n 's/^Depends: *\(linux-image-[^ ,]*\).*/\1/p' | head -n 1)
	[ -n "$dep" ] || die "cannot resolve $1 (no such package? run apt-get update)"
	echo "$dep"
}

# download_deb DIR PKG: path of PKG's .deb in DIR, fetched with apt-get download if absent.
download_deb() {
	deb=$(ls "$1/$2"_*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		(cd "$1" && apt-get download -q "$2" >&2) || die "apt-get download $2 failed"
		deb=$(ls "$1/$2"_*.deb | head -n 1)
	fi
	echo "$deb"
}

# fetch_kernel NAME META: $CACHE/NAME/vmlinuz from the -unsigned package behind META.
# The package is unpacked in $CACHE/x/RELEASE (kept, it holds the config and System.map).
fetch_kernel() {
	name=$1 meta=$2
	dest="$CACHE/$name"
	if [ -s "$dest/vmlinuz" ]; then
		log "$dest/vmlinuz already there ($(cat "$dest/release" 2>/dev/null || echo '?'))"
		return
	fi
	image=$(resolve_meta "$meta")
	release=${image#linux-image-}
	unpacked="$CACHE/x/$release"
	if [ ! -s "$unpacked/boot/vmlinuz-$release" ]; then
		log "$meta -> $image; fetching ${image}-unsigned"
		deb=$(download_deb "$CACHE" "${image}-unsigned")
		rm -rf "$unpacked" && mkdir -p "$unpacked"
		dpkg-deb -x "$deb" "$unpacked"
	fi
	mkdir -p "$dest"
	cp "$unpacked/boot/config-$release" "$dest/config"
	echo "$release" > "$dest/release"
	# vmlinuz last and by rename: a present vmlinuz always means a complete entry.
	cp "$unpacked/boot/vmlinuz-$release" "$dest/vmlinuz.tmp"
	mv "$dest/vmlinuz.tmp" "$dest/vmlinuz"
	log "$dest/vmlinuz = $release"
}

# fetch_source PKG: the unpacked kernel tree of linux-source-X in $SRC_CACHE/x/usr/src/PKG.
fetch_source() {
	pkg=$1
	dest="$SRC_CACHE/x/usr/src/$pkg"
	if [ -d "$dest/tools/testing/selftests" ]; then
		log "$dest already there"
		return
	fi
	deb=$(download_deb "$SRC_CACHE" "$pkg")
	dpkg-deb -x "$deb" "$SRC_CACHE/x"
	log "unpacking $pkg"
	tmp=$(mktemp -d "$SRC_CACHE/x/usr/src/.unpack.XXXXXX")
	tar -C "$tmp" -xf "$SRC_CACHE/x/usr/src/$pkg.tar.xz"
	rm -rf "$dest" && mv "$tmp/$pkg" "$dest" && rmdir "$tmp"
	log "$dest ready"
}

if [ $install_packages = 1 ]; then
	log "apt-get update && apt-get install"
	apt-get update -q
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $PACKAGES
fi

mkdir -p "$CACHE"
fetch_kernel debian-6.1 linux-image-amd64
fetch_kernel debian-6.12 linux-image-6.12-amd64

if [ $with_source = 1 ]; then
	mkdir -p "$SRC_CACHE"
	fetch_source linux-source-6.1
	fetch_source linux-source-6.12
fi
# Last: it calls back into this script (--with-source --kernels-only) for missing sources.
if [ $selftests = 1 ]; then
	"$(dirname "$0")/build-selftests.sh" || die "building the uffd selftests failed"
fi
log "done"
