#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make setup`: install what a fresh Debian 12 needs to build and test uffdwp-trace, and
# fetch Debian's own kernel images (the guests of uffdwp-vmtest --debian 6.1|6.12|7.3).
#
#   vm/setup.sh [--with-source] [--kernels-only] [--no-selftests]
#
#   --with-source   also fetch linux-source-6.1, -6.12 and -7.3 (the uffd selftests)
#   --kernels-only  skip apt-get install (the packages are already there)
#   --no-selftests  do not build the kernel's uffd selftests (vm/build-selftests.sh, which
#                   fetches the sources above when they are missing)
#
# Kernel images are fetched with apt by package name, never by URL: the ABI is resolved
# through the meta packages (linux-image-amd64, linux-image-6.12-amd64) and the matching
# "-unsigned" package is downloaded, so the script keeps working when Debian bumps the ABI.
# Debian 7.3 is not in bookworm: it comes from trixie-backports through a temporary apt
# source list (the archive the machine already uses, read from apt itself; the machine's
# own lists are never written), at the version and checksum pinned below.
# Layout (idempotent: anything already there is kept):
#   $UFFDWP_CACHE/debian-6.1/{vmlinuz,config,release}    (default /var/cache/uffdwp-trace/kernels)
#   $UFFDWP_CACHE/debian-6.12/{vmlinuz,config,release}
#   $UFFDWP_CACHE/debian-7.3/{vmlinuz,config,release}
#   $UFFDWP_CACHE/debian-VER/swap-modules/{load-order,*.ko}  (the guest's swap disk driver)
#   $UFFDWP_SRC_CACHE/x/usr/src/linux-source-{6.1,6.12,7.3}  (default /var/cache/uffdwp-trace/src)
#   $UFFDWP_SELFTESTS/{6.1,6.12,7.3}/...                      (default /var/cache/uffdwp-trace/selftests)
set -eu

CACHE=${UFFDWP_CACHE:-/var/cache/uffdwp-trace/kernels}
SRC_CACHE=${UFFDWP_SRC_CACHE:-/var/cache/uffdwp-trace/src}
PACKAGES="clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev pkg-config gcc make
	  qemu-system-x86 busybox-static cpio bpftrace jq valgrind clang-tidy clang-tools-14
	  clang-format libclang-rt-14-dev build-essential dpkg-dev debhelper lintian bash-completion
	  python3-jsonschema xz-utils patch"

# The one pin of Debian 7.3: suite, kernel ABI, package version and the image .deb's
# SHA256.  When the archive no longer has this version, the newest 7.3.x of the suite (else
# the newest 7.x) is taken instead, said in one line, its checksum then apt's alone.
DEBIAN_73_SUITE=trixie-backports
DEBIAN_73_ABI=7.3.4+deb13-amd64
DEBIAN_73_VERSION=7.3.4-1~bpo13+1
DEBIAN_73_SHA256=f7192653d0b077ddb7059842822a9f4dc28395ec9e5fd2fc31064cc3b1ed3edb
# 7.3's modules are a package of their own (linux-modules-ABI), same version.
DEBIAN_73_MODULES_SHA256=b3ea01922c9f133767a83cf6891c19b3693858ded617bf22d1e34f95382c08ea

# What the guest's swap disk (a virtio-blk PCI device, uffdwp-vmtest) needs where the
# kernel has it as a module: packed with their dependencies, in load order.
SWAP_MODULES="virtio_pci virtio_blk"

with_source=0
install_packages=1
selftests=1
for arg in "$@"; do
	case $arg in
	--with-source) with_source=1 ;;
	--kernels-only) install_packages=0 ;;
	--no-selftests) selftests=0 ;;
	-h|--help) sed -n '3,/^set -eu$/{/^set -eu$/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
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

# Options that point apt at the temporary source list of another suite (SUITE_OPTS, made
# by apt_suite), or none: the machine's own.  download_deb and apt-cache use APT_OPTS.
APT_OPTS=
SUITE_OPTS=
APT_TMP=

# download_deb DIR PKG[=VERSION]: path of PKG's .deb in DIR, fetched with apt-get download
# if absent.
download_deb() {
	pkg=${2%%=*}
	deb=$(ls "$1/$pkg"_*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		# shellcheck disable=SC2086 # APT_OPTS is a list of options
		(cd "$1" && apt-get $APT_OPTS download -q "$2" >&2) || die "apt-get download $2 failed"
		deb=$(ls "$1/$pkg"_*.deb | head -n 1)
	fi
	echo "$deb"
}

# apt_suite SUITE: SUITE_OPTS for a temporary source list of SUITE on the Debian archive this
# machine already uses (apt's own index targets name it), updated once.  Nothing of the
# machine's apt configuration is written.
apt_suite() {
	[ -n "$APT_TMP" ] && return
	. /etc/os-release
	uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' |
	      awk -v s="$VERSION_CODENAME" '$2 == s { print $1; exit }')
	[ -n "$uri" ] || die "no Debian archive for '$VERSION_CODENAME' in apt's sources (apt-get update?)"
	APT_TMP=$(mktemp -d /tmp/uffdwp-apt.XXXXXX)
	trap 'rm -rf "$APT_TMP"' EXIT
	mkdir -p "$APT_TMP/lists/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $1 main" \
		> "$APT_TMP/sources.list"
	# no pkgcache files either: the machine's caches stay those of its own lists
	SUITE_OPTS="-o Dir::Etc::SourceList=$APT_TMP/sources.list -o Dir::Etc::SourceParts=/dev/null"
	SUITE_OPTS="$SUITE_OPTS -o Dir::State::Lists=$APT_TMP/lists -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache="
	log "apt: temporary source list for $1 ($uri)"
	# shellcheck disable=SC2086
	apt-get $SUITE_OPTS update -q >&2 || die "apt-get update of $1 failed"
}

# The ABI of the pinned 7.3 image, or, when the archive has moved on, the newest 7.3.x
# (else 7.x) generic amd64 image of the suite: "ABI VERSION" for the pin, "ABI" otherwise.
debian_73_abi() {
	# shellcheck disable=SC2086
	# (apt-cache show exits 0 for a version it does not have: look for the record)
	if apt-cache $APT_OPTS show "linux-binary-unsigned-$DEBIAN_73_ABI=$DEBIAN_73_VERSION" 2>/dev/null |
	   grep -q '^Package:'; then
		echo "$DEBIAN_73_ABI $DEBIAN_73_VERSION"
		return
	fi
	# shellcheck disable=SC2086
	names=$(apt-cache $APT_OPTS pkgnames linux-binary-unsigned-7. |
		sed -n 's/^linux-binary-unsigned-\(7\.[0-9.]*+deb[0-9]*-amd64\)$/\1/p' | sort -V)
	abi=$(echo "$names" | grep '^7\.3\.' | tail -n 1)
	[ -n "$abi" ] || abi=$(echo "$names" | tail -n 1)
	[ -n "$abi" ] || die "$DEBIAN_73_SUITE has no linux-binary-unsigned-7.x-amd64"
	log "pinned $DEBIAN_73_ABI ($DEBIAN_73_VERSION) has left $DEBIAN_73_SUITE: taking $abi, checksum not pinned" >&2
	echo "$abi"
}

# check_sha256 DEB SUM: DEB has that SHA256, else it is removed and setup fails.
check_sha256() {
	sum=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$sum" = "$2" ] || { rm -f "$1"; die "$1: SHA256 $sum, pinned $2"; }
}

# fetch_debian_73: $CACHE/debian-7.3/vmlinuz from the pinned package of trixie-backports
# (its config from the matching linux-base package), and its swap-modules from the
# matching linux-modules package.
fetch_debian_73() {
	dest="$CACHE/debian-7.3"
	if [ -s "$dest/vmlinuz" ] && [ -f "$dest/swap-modules/load-order" ]; then
		log "$dest/vmlinuz already there ($(cat "$dest/release" 2>/dev/null || echo '?'))"
		return
	fi
	apt_suite "$DEBIAN_73_SUITE"
	APT_OPTS=$SUITE_OPTS
	if [ -s "$dest/vmlinuz" ]; then
		abi=$(cat "$dest/release") pin_version=
		[ "$abi" != "$DEBIAN_73_ABI" ] || pin_version=$DEBIAN_73_VERSION
	else
		# shellcheck disable=SC2046 # "ABI [VERSION]" split in two
		set -- $(debian_73_abi)
		abi=$1 pin_version=${2:-}
	fi
	unpacked="$CACHE/x/$abi"
	if [ ! -s "$dest/vmlinuz" ]; then
		deb=$(download_deb "$CACHE" "linux-binary-unsigned-$abi${pin_version:+=$pin_version}")
		[ -z "$pin_version" ] || check_sha256 "$deb" "$DEBIAN_73_SHA256"
		base=$(download_deb "$CACHE" "linux-base-$abi${pin_version:+=$pin_version}")
		rm -rf "$unpacked" && mkdir -p "$unpacked"
		dpkg-deb -x "$deb" "$unpacked"
		dpkg-deb -x "$base" "$unpacked"
		mkdir -p "$dest"
		cp "$unpacked/usr/lib/modules/$abi/config" "$dest/config"
		echo "$abi" > "$dest/release"
		cp "$unpacked/usr/lib/modules/$abi/vmlinuz.unsigned" "$dest/vmlinuz.tmp"
		mv "$dest/vmlinuz.tmp" "$dest/vmlinuz"
		log "$dest/vmlinuz = $abi"
	fi
	if [ ! -d "$unpacked/usr/lib/modules/$abi/kernel" ]; then
		mods=$(download_deb "$CACHE" "linux-modules-$abi${pin_version:+=$pin_version}")
		[ -z "$pin_version" ] || check_sha256 "$mods" "$DEBIAN_73_MODULES_SHA256"
		mkdir -p "$unpacked"
		dpkg-deb -x "$mods" "$unpacked"
	fi
	swap_modules debian-7.3 "$unpacked/usr/lib/modules/$abi"
	APT_OPTS=
}

# fetch_kernel NAME META: $CACHE/NAME/vmlinuz from the -unsigned package behind META, and
# its swap-modules.  The package is unpacked in $CACHE/x/RELEASE (kept, it holds the
# config, System.map and modules).
fetch_kernel() {
	name=$1 meta=$2
	dest="$CACHE/$name"
	if [ -s "$dest/vmlinuz" ] && [ -f "$dest/swap-modules/load-order" ]; then
		log "$dest/vmlinuz already there ($(cat "$dest/release" 2>/dev/null || echo '?'))"
		return
	fi
	if [ -s "$dest/vmlinuz" ]; then
		release=$(cat "$dest/release")
		image=linux-image-$release
	else
		image=$(resolve_meta "$meta")
		release=${image#linux-image-}
	fi
	unpacked="$CACHE/x/$release"
	if [ ! -s "$unpacked/boot/vmlinuz-$release" ]; then
		log "$meta -> $image; fetching ${image}-unsigned"
		deb=$(download_deb "$CACHE" "${image}-unsigned")
		rm -rf "$unpacked" && mkdir -p "$unpacked"
		dpkg-deb -x "$deb" "$unpacked"
	fi
	if [ ! -s "$dest/vmlinuz" ]; then
		mkdir -p "$dest"
		cp "$unpacked/boot/config-$release" "$dest/config"
		echo "$release" > "$dest/release"
		# vmlinuz last and by rename: a present vmlinuz always means a complete entry.
		cp "$unpacked/boot/vmlinuz-$release" "$dest/vmlinuz.tmp"
		mv "$dest/vmlinuz.tmp" "$dest/vmlinuz"
		log "$dest/vmlinuz = $release"
	fi
	swap_modules "$name" "$unpacked/lib/modules/$release"
}

# module_file MODDIR NAME: NAME's .ko, .ko.xz or .ko.zst under MODDIR/kernel ("" if none).
module_file() {
	find "$1/kernel" \( -name "$2.ko" -o -name "$2.ko.xz" -o -name "$2.ko.zst" \) | head -n 1
}

# module_deps KO: the modules KO needs loaded first (its .modinfo "depends=").
module_deps() {
	tr '\0' '\n' < "$1" | sed -n 's/^depends=//p' | tr , ' '
}

# pack_modules MODDIR OUT NAME...: each NAME that is not built in and the modules it
# depends on, decompressed into OUT (busybox insmod reads plain ELF), and OUT/load-order:
# their names, each after those it depends on.
pack_modules() {
	moddir=$1 out=$2
	shift 2
	todo="$*" all=
	while :; do
		# shellcheck disable=SC2086 # a list of names
		set -- $todo
		[ $# -gt 0 ] || break
		name=$1
		shift
		todo="$*"
		case " $all " in *" $name "*) continue ;; esac
		file=$(module_file "$moddir" "$name")
		if [ -z "$file" ]; then
			grep -q "/$name\.ko\$" "$moddir/modules.builtin" ||
				die "$moddir: no module $name, and it is not built in"
			continue
		fi
		case $file in
		*.xz) xz -dc "$file" ;;
		*.zst) zstd -qdc "$file" ;;
		*) cat "$file" ;;
		esac > "$out/$name.ko" || die "cannot decompress $file"
		all="$all $name"
		todo="$todo $(module_deps "$out/$name.ko")"
	done
	while [ -n "$all" ]; do
		rest=
		for name in $all; do
			ready=1
			for dep in $(module_deps "$out/$name.ko"); do
				grep -qx "$dep" "$out/load-order" || ready=0
			done
			if [ $ready = 1 ]; then
				echo "$name" >> "$out/load-order"
			else
				rest="$rest $name"
			fi
		done
		[ "$rest" != "$all" ] || die "$moddir: modules$all depend on each other"
		all=$rest
	done
}

# swap_modules NAME MODDIR: $CACHE/NAME/swap-modules from the unpacked MODDIR
# (lib/modules/RELEASE); an empty load-order when everything is built in.
swap_modules() {
	dest="$CACHE/$1/swap-modules"
	tmp="$dest.tmp"
	rm -rf "$tmp" && mkdir -p "$tmp" && : > "$tmp/load-order"
	# shellcheck disable=SC2086
	pack_modules "$2" "$tmp" $SWAP_MODULES
	rm -rf "$dest" && mv "$tmp" "$dest"
	log "$dest: $(tr '\n' ' ' < "$dest/load-order")"
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
fetch_debian_73

if [ $with_source = 1 ]; then
	mkdir -p "$SRC_CACHE"
	fetch_source linux-source-6.1
	fetch_source linux-source-6.12
	apt_suite "$DEBIAN_73_SUITE"
	APT_OPTS=$SUITE_OPTS
	fetch_source linux-source-7.3
	APT_OPTS=
fi
# Last: it calls back into this script (--with-source --kernels-only) for missing sources.
if [ $selftests = 1 ]; then
	"$(dirname "$0")/build-selftests.sh" || die "building the uffd selftests failed"
fi
log "done"
