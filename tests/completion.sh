#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bash completion (completion/) kept in step with the tools, as bpftool's
# test_bpftool_synctypes.py keeps bpftool's: for each tool, the options its --help
# lists, the options its completion offers and the options its man page's OPTIONS
# section documents are the same set, each difference named; uffdwp-vmtest's parser
# knows none that --help lacks.  Then what the completion offers where it matters:
# uffdwp-trace's subcommands (those of --help) and the options each takes (as the tool
# itself accepts them), --debian's and --accel's values (those of --help), scenario
# names (those --list-scenarios finds), files, PIDs and the traced command's options.
#
#   tests/completion.sh    self-tests on planted differences, then build/'s tools
. "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT

# option_specs: from lines of --help or man text on stdin whose first word is an
# option ("  -b, --buffer-mib=MIB  ...", "  --kernel IMAGE  ..."), that option and,
# after "-x, ", its long form; one a line.
option_specs() {
	sed -nE 's/^[[:space:]]+((-[^-[:space:]], )?--?[[:alnum:]?][[:alnum:]-]*).*/\1/p' |
		sed 's/, /\n/'
}

# help_options TOOL: every option of TOOL --help: option lines, and the usage lines
# (from "Usage:" to the first empty line).
help_options() {
	local help
	help=$("$1" --help) || return 1
	{
		option_specs <<< "$help"
		sed -n '/^Usage:/,/^$/p' <<< "$help" | grep -oE '(^|[[ (|])--?[[:alpha:]][[:alnum:]-]*' |
			sed 's/^[[ (|]//'
	} | sort -u
}

# man_options PAGE: the tag lines (after .TP) of the OPTIONS section, in plain text.
man_options() {
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$1" | sed -n '/^\.TP/{n;p}' |
		sed -e 's/^\.[BI]R* //' -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/^/  /' |
		option_specs | sort -u
}

# completion_options FILE PROG: the options FILE offers for PROG's first word "-".
completion_options() {
	complete_words "$1" "$2" - | grep -vx -- '--' | sort -u
}

# same_set WHAT A B: ok when the sorted sets in files A and B are equal, else names
# what only one of them has.
same_set() {
	local what=$1 only_a only_b
	only_a=$(comm -23 "$2" "$3" | tr '\n' ' ')
	only_b=$(comm -13 "$2" "$3" | tr '\n' ' ')
	if [ -z "$only_a$only_b" ]; then
		tap_ok "$what"
	else
		tap_not_ok "$what" "only in the first: ${only_a:-none}; only in the second: ${only_b:-none}"
	fi
}

# sync_check NAME PROG COMPLETION MANPAGE: --help, completion and man page agree.
sync_check() {
	local name=$1 prog=$2 dir=$TMP/$1
	mkdir -p "$dir"
	help_options "$prog" > "$dir/help"
	completion_options "$3" "$prog" > "$dir/completion"
	man_options "$4" > "$dir/man"
	if [ "$(wc -l < "$dir/help")" -lt 5 ]; then
		tap_not_ok "$name: --help lists its options" "found: $(tr '\n' ' ' < "$dir/help")"
		return
	fi
	same_set "$name: the options of --help and of the completion" "$dir/help" "$dir/completion"
	same_set "$name: the options of --help and of the man page" "$dir/help" "$dir/man"
}

# planted: a completion missing an option and a man page with one too many must fail,
# naming that option.
self_test() {
	local out
	sed 's/ --strict / /g' completion/uffdwp-trace > "$TMP/planted-completion"
	sed '/^\.SH OPTIONS/a .TP\n.B \\-\\-planted\\-opt \\fIX\\fR\nplanted.' man/uffdwp-vmtest.8 > "$TMP/planted.8"
	out=$(tap_n=0; sync_check planted-trace "$TRACER" "$TMP/planted-completion" man/uffdwp-trace.8
	      sync_check planted-vmtest "$VMTEST" completion/uffdwp-vmtest "$TMP/planted.8")
	if grep -q '^not ok.*trace: the options of --help and of the completion' <<< "$out" &&
	   grep -A1 'trace: the options of --help and of the completion' <<< "$out" |
		grep -q 'only in the first: \(.* \)\?--strict '; then
		tap_ok "self-test: a completion without --strict is caught, naming it"
	else
		tap_not_ok "self-test: a completion without --strict is caught, naming it" "$out"
	fi
	if grep -A1 '^not ok.*vmtest: the options of --help and of the man page' <<< "$out" |
		grep -q 'only in the second: \(.* \)\?--planted-opt '; then
		tap_ok "self-test: a man page option --help lacks is caught, naming it"
	else
		tap_not_ok "self-test: a man page option --help lacks is caught, naming it" "$out"
	fi
	if grep -q '^ok.*planted-trace: the options of --help and of the man page' <<< "$out"; then
		tap_ok "self-test: the untouched man page agrees"
	else
		tap_not_ok "self-test: the untouched man page agrees" "$out"
	fi
}

# uffdwp-vmtest's getopt table (src/vmtest/args.c): no option --help leaves out.
vmtest_parser_check() {
	sed -nE 's/^[[:space:]]*\{ "([a-z-]+)", .*/--\1/p' src/vmtest/args.c | sort -u > "$TMP/parser"
	if [ "$(wc -l < "$TMP/parser")" -lt 5 ]; then
		tap_not_ok "uffdwp-vmtest: its getopt table read" "$(cat "$TMP/parser")"
		return
	fi
	comm -23 "$TMP/parser" "$TMP/vmtest/help" > "$TMP/undocumented"
	if [ -s "$TMP/undocumented" ]; then
		tap_not_ok "uffdwp-vmtest: every option its parser takes is in --help" \
			"missing: $(tr '\n' ' ' < "$TMP/undocumented")"
	else
		tap_ok "uffdwp-vmtest: every option its parser takes is in --help"
	fi
}

# equal_lists NAME GOT WANT: two space-separated lists, order kept.
equal_lists() {
	if [ "$2" = "$3" ]; then tap_ok "$1: $2"; else tap_not_ok "$1" "got '$2', want '$3'"; fi
}
offered() { complete_words "$@" | tr '\n' ' ' | sed 's/ $//'; }

# Each option of --help that applies to SUB, as the tool decides it (an option that does
# not apply is "--X does not apply to SUB"), against what the completion offers there.
# replay runs on a missing file and trace on a PID and a command at once, so both stop at
# an error line after that decision; probe runs (0.3 s).
subcommand_options() {
	local sub=$1 opt arg out
	shift
	: > "$TMP/$sub.tool"
	while read -r opt; do
		case $opt in -\?|--help|--usage|-V|--version) continue ;; esac
		case $opt in -p|--pid|-d|--duration|-b|--buffer-mib) arg=1 ;;
			     --record) arg=$TMP/rec.uwt ;; *) arg= ;; esac
		out=$("$TRACER" "$sub" "$opt" ${arg:+"$arg"} "$@" 2>&1)
		grep -q "does not apply to $sub" <<< "$out" || echo "$opt" >> "$TMP/$sub.tool"
	done < "$TMP/trace/help"
	sort -u -o "$TMP/$sub.tool" "$TMP/$sub.tool"
	complete_words completion/uffdwp-trace uffdwp-trace "$sub" - | sort -u > "$TMP/$sub.completion"
	same_set "uffdwp-trace $sub: the options the tool takes there and those the completion offers" \
		"$TMP/$sub.tool" "$TMP/$sub.completion"
}

trace_checks() {
	local want got
	want=$("$TRACER" --help | sed -n '/^Subcommands:/,/^$/p' | sed -nE 's/^  \[?([a-z]+)\]? .*/\1/p' |
	       tr '\n' ' ' | sed 's/ $//')
	equal_lists "uffdwp-trace: the first word offers the subcommands of --help" \
		"$(offered completion/uffdwp-trace uffdwp-trace '')" "$want"
	subcommand_options replay "$TMP/no-such-recording.uwt"
	subcommand_options probe
	subcommand_options trace -p 1 -- true
	mkdir -p "$TMP/files" && touch "$TMP/files/run.uwt"
	equal_lists "uffdwp-trace: replay completes a file name" \
		"$(cd "$TMP/files" && offered "$ROOT/completion/uffdwp-trace" uffdwp-trace replay r)" "run.uwt"
	equal_lists "uffdwp-trace: --record= completes a file name" \
		"$(cd "$TMP/files" && offered "$ROOT/completion/uffdwp-trace" uffdwp-trace --record=r)" "run.uwt"
	check "uffdwp-trace: -p offers PIDs (1 among them)" \
		grep -qx 1 <(complete_words completion/uffdwp-trace uffdwp-trace -p '')
	check "uffdwp-trace: the traced command's own options after it (ls --al: --all)" \
		grep -qx -- --all <(complete_words completion/uffdwp-trace uffdwp-trace -v -- ls --al)
}

vmtest_checks() {
	local help
	help=$("$VMTEST" --help)
	equal_lists "uffdwp-vmtest: --debian offers the versions of --help" \
		"$(offered completion/uffdwp-vmtest uffdwp-vmtest --debian '')" \
		"$(sed -nE 's/^  --debian ([0-9.|]+)$/\1/p' <<< "$help" | tr '|' ' ')"
	equal_lists "uffdwp-vmtest: --accel offers the modes of --help" \
		"$(offered completion/uffdwp-vmtest uffdwp-vmtest --accel '')" \
		"$(sed -nE 's/^  --accel ([a-z|]+) .*/\1/p' <<< "$help" | tr '|' ' ')"
	# the program completed is the one on the line: build/'s here
	equal_lists "uffdwp-vmtest: --scenario offers build/scenarios' programs" \
		"$(offered completion/uffdwp-vmtest "$VMTEST" --scenario '')" \
		"$(cd "$BUILD/scenarios" && ls | tr '\n' ' ' | sed 's/ $//')"
	mkdir -p "$TMP/scen" && touch "$TMP/scen/one" "$TMP/scen/two" && chmod +x "$TMP/scen/"*
	equal_lists "uffdwp-vmtest: --scenario offers --scenarios-dir's programs when given" \
		"$(offered completion/uffdwp-vmtest "$VMTEST" --scenarios-dir "$TMP/scen" --scenario '')" \
		"one two"
	equal_lists "uffdwp-vmtest: the guest command after -- is uffdwp-trace or a scenario" \
		"$(offered completion/uffdwp-vmtest "$VMTEST" --scenarios-dir="$TMP/scen" -- '')" \
		"uffdwp-trace one two"
	equal_lists "uffdwp-vmtest: --kernel completes a file name" \
		"$(cd "$TMP/files" && offered "$ROOT/completion/uffdwp-vmtest" uffdwp-vmtest --kernel r)" \
		"run.uwt"
}

cd "$ROOT" || exit 2
if [ ! -r "$BASH_COMPLETION" ]; then
	tap_plan 1
	tap_skip "bash completion" "no $BASH_COMPLETION (package bash-completion; vm/setup.sh installs it)"
	tap_done
fi
if [ ! -x "$TRACER" ] || [ ! -x "$VMTEST" ]; then
	tap_plan 1
	tap_not_ok "bash completion" "build $TRACER and $VMTEST first (make)"
	tap_done
fi
self_test
sync_check trace "$TRACER" completion/uffdwp-trace man/uffdwp-trace.8
sync_check vmtest "$VMTEST" completion/uffdwp-vmtest man/uffdwp-vmtest.8
vmtest_parser_check
trace_checks
vmtest_checks
tap_plan "$tap_n"
tap_done
