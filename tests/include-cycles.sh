#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# No #include cycle, between files or between folders, in src/, bpf/ and tests/.
#
# A quoted include resolves as the compiler resolves it: the including file's own
# directory first, then the Makefile's -I paths in order (-Isrc -Ibuild -Ibpf
# -Itests/unit -Itests/scenarios).  Includes that resolve outside src/, bpf/ and
# tests/ (the skeleton in build/, vmlinux.h) or nowhere are not edges.
# A file's folder is its directory (src/model, src/vmtest, bpf, tests/unit...);
# src/ itself holds only the headers every layer shares (event.h, run.h,
# bpf_config.h), the bottom layer; the tracer's top is src/cli.
#
#   tests/include-cycles.sh          self-tests on planted trees, then this tree
#   tests/include-cycles.sh DIR      only the tree at DIR; prints each cycle
. "$(dirname "$0")/lib.sh"

INCLUDE_PATH=(src build bpf tests/unit tests/scenarios)

# folder_of FILE: the node of FILE in the folder graph.
folder_of() {
	local dir=${1%/*}
	[ "$dir" = "$1" ] && dir=.
	echo "$dir"
}

# includes: "FILE INCLUDED" for each quoted include of each file (paths relative to .).
includes() {
	local file inc dir cand
	find src bpf tests \( -name '*.c' -o -name '*.h' \) -type f 2>/dev/null | sort |
	while IFS= read -r file; do
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file" |
		while IFS= read -r inc; do
			for dir in "${file%/*}" "${INCLUDE_PATH[@]}"; do
				[ -f "$dir/$inc" ] || continue
				cand=$(realpath -m --relative-to=. "$dir/$inc")
				case $cand in src/* | bpf/* | tests/*) echo "$file $cand" ;; esac
				break
			done
		done
	done
}

# find_cycles: reads "FROM TO" edges on stdin; prints each cycle a depth-first
# search closes, as "a -> b -> a", one a line.  Self-edges are not cycles here.
find_cycles() {
	declare -A succ=() color=()
	local from to
	local -a nodes=() stack=()
	while read -r from to; do
		[ "$from" = "$to" ] && continue
		[ -n "${succ[$from]+x}" ] || nodes+=("$from")
		succ[$from]+="$to"$'\n'
	done
	visit() {
		local node=$1 next i cycle
		color[$node]=grey
		stack+=("$node")
		while IFS= read -r next; do
			[ -n "$next" ] || continue
			case ${color[$next]:-white} in
			white) visit "$next" ;;
			grey)
				cycle=
				for ((i = ${#stack[@]} - 1; i >= 0; i--)); do
					cycle="${stack[i]} -> $cycle"
					[ "${stack[i]}" = "$next" ] && break
				done
				echo "$cycle$next" ;;
			esac
		done <<< "${succ[$node]:-}"
		unset 'stack[${#stack[@]}-1]'
		color[$node]=black
	}
	for from in "${nodes[@]}"; do
		[ "${color[$from]:-white}" = white ] && visit "$from"
	done
	return 0
}

# check_tree DIR: prints "file cycle: ..." and "folder cycle: ..." lines; false if any.
check_tree() {
	local edges out
	edges=$(cd "$1" && includes) || return 2
	out=$(find_cycles <<< "$edges" | sed 's/^/file cycle: /'
	      while read -r from to; do
		      [ -n "$from" ] && echo "$(folder_of "$from") $(folder_of "$to")"
	      done <<< "$edges" | sort -u | find_cycles | sed 's/^/folder cycle: /')
	[ -n "$out" ] && echo "$out"
	[ -z "$out" ]
}

if [ $# -gt 0 ]; then
	check_tree "$1"
	exit
fi

# --- self-tests: the check must find planted cycles and name them
planted=$(mktemp -d "${TMPDIR:-/tmp}/include-cycles.XXXXXX")
trap 'rm -rf "$planted"' EXIT
# plant NAME FILE:INCLUDE...: a tree in $planted/NAME; FILE includes "INCLUDE"
plant() {
	local tree=$planted/$1 spec; shift
	for spec in "$@"; do
		mkdir -p "$tree/$(dirname "${spec%%:*}")"
		[ -n "${spec#*:}" ] && echo "#include \"${spec#*:}\"" >> "$tree/${spec%%:*}"
		touch "$tree/${spec%%:*}"
	done
}
# expect_cycle NAME TREE WANT-LINE: the check fails on TREE and prints WANT-LINE
expect_cycle() {
	local out
	out=$(check_tree "$planted/$2")
	if [ $? = 1 ] && grep -qxF "$3" <<< "$out"; then
		tap_ok "$1"
	else
		tap_not_ok "$1" "want '$3', got: $(tr '\n' ';' <<< "$out")"
	fi
}

tap_plan 7
# a acyclic tree like ours: own-directory includes, -I paths, the build/ skeleton
plant acyclic src/event.h: src/cli/main.c:loader/hooks.h src/loader/hooks.h:event.h \
	src/loader/hooks.c:hooks.h src/loader/hooks.c:uffdwp.skel.h bpf/x.bpf.c:event.h \
	tests/unit/t.c:synth.h tests/unit/synth.h:model/m.h src/model/m.h:event.h
out=$(check_tree "$planted/acyclic")
check "an acyclic tree passes${out:+: $out}" [ -z "$out" ]
plant two-headers src/model/a.h:report/b.h src/report/b.h:model/a.h
expect_cycle "two headers including each other" two-headers \
	"file cycle: src/model/a.h -> src/report/b.h -> src/model/a.h"
plant own-dir src/vmtest/x.c:y.h src/vmtest/y.h:z.h src/vmtest/z.h:y.h
expect_cycle "a cycle through the including file's own directory" own-dir \
	"file cycle: src/vmtest/y.h -> src/vmtest/z.h -> src/vmtest/y.h"
plant include-path bpf/a.bpf.h:b.h tests/unit/b.h:a.bpf.h
expect_cycle "a cycle through the -I paths (bpf/ and tests/unit/)" include-path \
	"file cycle: bpf/a.bpf.h -> tests/unit/b.h -> bpf/a.bpf.h"
# no file includes back, yet model needs report and report needs model
plant folders src/model/m.c:report/r.h src/report/r.h: src/report/r.c:model/m.h src/model/m.h:
expect_cycle "a cycle between folders only" folders "folder cycle: src/model -> src/report -> src/model"
plant three src/a/x.c:b/y.h src/b/y.h: src/b/z.c:c/w.h src/c/w.h: src/c/v.c:a/u.h src/a/u.h:
expect_cycle "a cycle of three folders" three "folder cycle: src/a -> src/b -> src/c -> src/a"

# --- this tree
out=$(check_tree "$ROOT")
if [ $? = 0 ]; then
	tap_ok "no include cycle between files or folders in src/, bpf/ and tests/"
else
	tap_not_ok "no include cycle between files or folders in src/, bpf/ and tests/" \
		"$(sed '2,$s/^/# /' <<< "$out")"
fi
tap_done
