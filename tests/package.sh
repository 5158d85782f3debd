#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian package (debian/): built from a copy of this tree outside it
# (dpkg-buildpackage writes into the parent directory) with dpkg-buildpackage -b -us -uc,
# lintian clean, unpacked into a scratch root (dpkg -x) and run from there: the tracer's
# --probe on this kernel, uffdwp-vmtest's --help, the scenarios and the expected table
# it finds beside itself as installed, and the installed bash completion.
# About 50 s here (the build 26 s, lintian 8 s).
. "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT
SRC=$TMP/src/uffdwp-trace
PKGROOT=$TMP/root
LOG=$TMP/log

need=
for tool in dpkg-buildpackage dh lintian; do
	command -v "$tool" >/dev/null || need+=" $tool"
done
if [ -n "$need" ]; then
	tap_plan 1
	tap_skip "Debian package" "not installed:$need (packages dpkg-dev debhelper lintian; vm/setup.sh installs them)"
	tap_done
fi

# run NAME CMD...: ok when CMD succeeds; its output in $LOG, shown when it fails.
run() {
	local name=$1; shift
	if "$@" > "$LOG" 2>&1; then tap_ok "$name"; else TAP_LOG=$LOG tap_not_ok "$name (exit $?)"; fi
}

build() (
	mkdir -p "$SRC" && tar -C "$ROOT" --exclude=./build --exclude=./.git -cf - . | tar -C "$SRC" -xf - &&
		cd "$SRC" && dpkg-buildpackage -b -us -uc
)
run "dpkg-buildpackage -b -us -uc in a copy of the tree" build
deb=$(ls "$TMP"/src/uffdwp-trace_*_amd64.deb 2>/dev/null)
changes=$(ls "$TMP"/src/uffdwp-trace_*_amd64.changes 2>/dev/null)
if [ ! -f "$deb" ] || [ ! -f "$changes" ]; then
	tap_not_ok "it wrote uffdwp-trace_*_amd64.deb and .changes" "$(ls "$TMP/src")"
	tap_plan "$tap_n"
	tap_done
fi
tap_ok "it wrote ${deb##*/}"

# lintian exits non-zero on an error; warnings are counted too (overrides: debian/).
lintian "$changes" > "$LOG" 2>&1
status=$?
tags=$(grep -E '^[EW]: ' "$LOG")
if [ "$status" = 0 ] && [ -z "$tags" ]; then
	tap_ok "lintian: no error or warning"
else
	TAP_LOG=$LOG tap_not_ok "lintian: no error or warning (exit $status)"
fi

# What the package must hold: every path, and a program per tests/scenarios/*.c.
dpkg -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' > "$TMP/contents"
missing=
for f in /usr/bin/uffdwp-trace /usr/bin/uffdwp-vmtest /usr/share/man/man8/uffdwp-trace.8.gz \
	 /usr/share/man/man8/uffdwp-vmtest.8.gz /usr/share/bash-completion/completions/uffdwp-trace \
	 /usr/share/bash-completion/completions/uffdwp-vmtest /usr/share/uffdwp-trace/expected.tsv \
	 $(ls "$ROOT"/tests/scenarios/*.c | sed 's|.*/\(.*\)\.c$|/usr/libexec/uffdwp-trace/scenarios/\1|'); do
	grep -qxF "$f" "$TMP/contents" || missing+=" $f"
done
if [ -z "$missing" ]; then
	tap_ok "the package holds both tools, man pages, completions, the table and every scenario"
else
	tap_not_ok "the package holds both tools, man pages, completions, the table and every scenario" \
		"missing:$missing"
fi

run "dpkg -x into a scratch root" dpkg -x "$deb" "$PKGROOT"
PKGROOT=$(realpath "$PKGROOT")
bin=$PKGROOT/usr/bin

# On this project's hosts (6.18, tracepoints only) --probe attaches what it can and exits 0.
"$bin/uffdwp-trace" --probe > "$LOG" 2>&1
status=$?
if [ "$status" = 0 ] && grep -q '^finding classes possible:' "$LOG"; then
	tap_ok "the installed uffdwp-trace --probe (exit 0): $(grep -c ' tracepoint ' "$LOG") hooks by tracepoint"
else
	TAP_LOG=$LOG tap_not_ok "the installed uffdwp-trace --probe (exit $status, want 0)"
fi
"$bin/uffdwp-vmtest" --help > "$LOG" 2>&1
status=$?
if [ "$status" = 0 ] && grep -q '^Usage: uffdwp-vmtest' "$LOG"; then
	tap_ok "the installed uffdwp-vmtest --help (exit 0)"
else
	TAP_LOG=$LOG tap_not_ok "the installed uffdwp-vmtest --help (exit $status, want 0)"
fi

# uffdwp-vmtest finds what the package installed relative to itself, without options.
scenarios=$(ls "$PKGROOT/usr/libexec/uffdwp-trace/scenarios" | tr '\n' ' ')
listed=$("$bin/uffdwp-vmtest" --list-scenarios 2>&1 | tr '\n' ' ')
if [ -n "$scenarios" ] && [ "$listed" = "$scenarios" ]; then
	tap_ok "the installed uffdwp-vmtest finds its $(wc -w <<< "$scenarios") scenarios in the scratch root's /usr/libexec"
else
	tap_not_ok "the installed uffdwp-vmtest finds its scenarios" "listed '$listed', installed '$scenarios'"
fi
# A matrix whose one kernel is absent boots nothing: it names the table and exits 125.
"$bin/uffdwp-vmtest" --matrix --kernels bad-A --kernels-dir "$TMP/no-kernels" > "$LOG" 2>&1
status=$?
if [ "$status" = 125 ] && grep -qF "matrix of $PKGROOT/usr/share/uffdwp-trace/expected.tsv" "$LOG"; then
	tap_ok "the installed uffdwp-vmtest --matrix reads the scratch root's /usr/share/uffdwp-trace/expected.tsv"
else
	TAP_LOG=$LOG tap_not_ok "the installed uffdwp-vmtest --matrix reads its installed table (exit $status, want 125)"
fi

if [ -r "$BASH_COMPLETION" ]; then
	offered=$(complete_words "$PKGROOT/usr/share/bash-completion/completions/uffdwp-vmtest" \
		"$bin/uffdwp-vmtest" --scenario '' | tr '\n' ' ')
	check "the installed completion offers the installed scenarios" test "$offered" = "$scenarios"
else
	tap_skip "the installed completion" "no $BASH_COMPLETION (package bash-completion)"
fi

tap_plan "$tap_n"
tap_done
