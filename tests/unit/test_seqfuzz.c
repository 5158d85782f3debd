// SPDX-License-Identifier: GPL-2.0
/* uffdwp-fuzz's sequences: the generator is deterministic and valid, the file format
 * round-trips, and emit.c's program for a found one compiles as a scenario. */
#include <stdlib.h>
#include <unistd.h>

#include "seqfuzz/fuzz.h"
#include "tap.h"

static char *print_to_string(const struct seq *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	seq_print(f, s);
	fclose(f);
	return text;
}

static bool parse_string(const char *text, struct seq *s, char *err, size_t err_size)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	bool ok = seq_parse(f, s, err, err_size);

	fclose(f);
	return ok;
}

/* Same seed and index, same sequence, op for op; another index or seed, another one. */
static void same_seed_same_sequence(void)
{
	static struct seq a, b, c, d;
	char *ta, *tb, *tc, *td;

	seq_generate(&a, 1, 17);
	seq_generate(&b, 1, 17);
	seq_generate(&c, 1, 18);
	seq_generate(&d, 2, 17);
	ta = print_to_string(&a);
	tb = print_to_string(&b);
	tc = print_to_string(&c);
	td = print_to_string(&d);
	tap_ok(!strcmp(ta, tb), "seed 1 index 17 twice gives the same sequence");
	tap_ok(strcmp(ta, tc) != 0, "index 18 of the same seed differs");
	tap_ok(strcmp(ta, td) != 0, "seed 2 index 17 differs");
	free(ta);
	free(tb);
	free(tc);
	free(td);
}

/*
 * Sequence 0 of seed 1, pinned: the PRNG is our own (no rand()), so a saved seed names the
 * same sequence on every machine, and a change of the generator must be deliberate
 * (re-pinned when copy, munmap, move and poison joined the weights, and when mremap's
 * weight grew with its shrink and part moves, and again for continue and MINOR).
 */
static void seed_one_is_pinned(void)
{
	static const char head[] = "# uffdwp-fuzz sequence seed=1 index=0\n"
				   "vma 0 thp 512\nvma 1 shmem 12\n"
				   "op poison 0 0 512 0\nop mprotect 0 0 512 1\nop write 0 0 512 0\n";
	static struct seq s;
	char *text;

	seq_generate(&s, 1, 0);
	text = print_to_string(&s);
	tap_ok(!strncmp(text, head, strlen(head)) && s.n_ops == 39,
	       "sequence 0 of seed 1 is the pinned one (39 ops: %u)", s.n_ops);
	free(text);
}

/* Many generated sequences: every range inside its VMA, every op and backing drawn. */
static void generated_sequences_are_valid(void)
{
	unsigned int kinds = 0, backings = 0, invalid = 0;
	static struct seq s;
	char err[160];

	for (uint64_t i = 0; i < 2000; i++) {
		seq_generate(&s, 7, i);
		invalid += !seq_valid(&s, err, sizeof(err));
		for (unsigned int v = 0; v < s.n_vmas; v++)
			backings |= 1u << s.vmas[v].backing;
		for (unsigned int k = 0; k < s.n_ops; k++)
			kinds |= 1u << s.ops[k].kind;
	}
	tap_ok(!invalid, "2000 generated sequences are valid (%u invalid)", invalid);
	tap_ok(kinds == (1u << OP_KIND_MAX) - 1, "every op kind is drawn (mask 0x%x)", kinds);
	tap_ok(backings == (1u << SEQ_BACKING_MAX) - 1, "every backing is drawn (mask 0x%x)",
	       backings);
}

/* The new ops' args stay in range; an mremap move or grow takes its VMA whole (the ops
 * after it name the VMA's pages by index), a shrink at least two granules where it can. */
static void new_ops_args(void)
{
	unsigned int bad = 0, mremaps = 0, madvises = 0, by_arg[SEQ_MREMAP_MAX] = { 0 };
	unsigned int minors = 0, minor_wp = 0, continues = 0, continue_wp = 0, not_file = 0;
	static struct seq s;

	for (uint64_t i = 0; i < 2000; i++) {
		seq_generate(&s, 7, i);
		for (unsigned int k = 0; k < s.n_ops; k++) {
			const struct seq_op *o = &s.ops[k];

			if (o->kind == OP_MREMAP) {
				bool whole = o->arg == SEQ_MREMAP_MOVE || o->arg == SEQ_MREMAP_GROW;

				mremaps++;
				bad += o->arg >= SEQ_MREMAP_MAX ||
				       (whole && (o->first != 0 || o->count != s.vmas[o->vma].pages)) ||
				       (o->arg == SEQ_MREMAP_SHRINK && o->count < 2);
				by_arg[o->arg < SEQ_MREMAP_MAX ? o->arg : 0]++;
			}
			if (o->kind == OP_MADVISE) {
				madvises++;
				bad += o->arg >= SEQ_MADV_MAX;
			}
			if (o->kind == OP_MOVE_PAGES)
				bad += o->arg > SEQ_MOVE_OTHER_NODE;
			if (o->kind == OP_REGISTER && (o->arg & SEQ_MODE_MINOR)) {
				minors++;
				minor_wp += !!(o->arg & SEQ_MODE_WP);
				not_file += s.vmas[o->vma].backing != SEQ_SHMEM &&
					    s.vmas[o->vma].backing != SEQ_HUGETLB_SHARED;
			}
			if (o->kind == OP_CONTINUE) {
				continues++;
				continue_wp += o->arg == 1;
				bad += o->arg > 1;
			}
		}
	}
	tap_ok(mremaps && madvises && !bad, "%u mremap and %u madvise ops, %u out of range",
	       mremaps, madvises, bad);
	tap_ok(by_arg[SEQ_MREMAP_MOVE] && by_arg[SEQ_MREMAP_GROW] && by_arg[SEQ_MREMAP_SHRINK] &&
	       by_arg[SEQ_MREMAP_PART], "mremap moves %u, grows %u, shrinks %u, moves a part %u",
	       by_arg[SEQ_MREMAP_MOVE], by_arg[SEQ_MREMAP_GROW], by_arg[SEQ_MREMAP_SHRINK],
	       by_arg[SEQ_MREMAP_PART]);
	tap_ok(minors && minor_wp && !not_file, "%u MINOR registrations (%u MINOR|WP), %u of them "
	       "off shmem and hugetlb shared", minors, minor_wp, not_file);
	tap_ok(continues && continue_wp && continue_wp < continues,
	       "%u continue ops, %u of them UFFDIO_CONTINUE_MODE_WP", continues, continue_wp);
}

/* copy's mode is 0 or 1; a move's destination lies in a VMA, and stays there when the
 * minimiser cuts the op to its first or last granule or its first half. */
static void copy_and_move_args(void)
{
	unsigned int bad = 0, copies = 0, moves = 0, other_vma = 0, shrunk_invalid = 0;
	unsigned int overlapping = 0;
	static struct seq s, cut;
	char err[160];

	for (uint64_t i = 0; i < 2000; i++) {
		seq_generate(&s, 7, i);
		for (unsigned int k = 0; k < s.n_ops; k++) {
			const struct seq_op *o = &s.ops[k];

			if (o->kind == OP_COPY) {
				copies++;
				bad += o->arg > 1;
			}
			if (o->kind != OP_MOVE)
				continue;
			moves++;
			other_vma += seq_move_dst_vma(o) != o->vma;
			overlapping += seq_move_dst_vma(o) == o->vma &&
				       seq_move_dst_first(o) < o->first + o->count &&
				       o->first < seq_move_dst_first(o) + o->count;
			bad += seq_move_dst_vma(o) >= s.n_vmas ||
			       seq_move_dst_first(o) + o->count > s.vmas[seq_move_dst_vma(o)].pages;
			cut = s;
			seq_op_shrink(&cut.ops[k], o->first + o->count - 1, 1);
			shrunk_invalid += !seq_valid(&cut, err, sizeof(err)) ||
					  seq_move_dst_first(&cut.ops[k]) !=
						  seq_move_dst_first(o) + o->count - 1;
			cut = s;
			seq_op_shrink(&cut.ops[k], o->first, o->count / 2 ? o->count / 2 : 1);
			shrunk_invalid += !seq_valid(&cut, err, sizeof(err));
		}
	}
	tap_ok(copies && moves && other_vma && !bad,
	       "%u copy and %u move ops (%u to another vma), %u out of range", copies, moves,
	       other_vma, bad);
	tap_ok(!overlapping, "no move overlaps its destination (%u do)", overlapping);
	tap_ok(!shrunk_invalid, "cut moves keep their destination valid (%u invalid)",
	       shrunk_invalid);
}

/* print -> parse -> print gives the same text and the same sequence. */
static void file_round_trip(void)
{
	static struct seq a, b;
	char err[160] = "";
	char *ta, *tb;

	seq_generate(&a, 42, 99);
	ta = print_to_string(&a);
	tap_ok(parse_string(ta, &b, err, sizeof(err)), "a printed sequence parses (%s)", err);
	tb = print_to_string(&b);
	tap_ok(!strcmp(ta, tb), "and prints the same text");
	tap_ok(b.seed == 42 && b.index == 99 && b.n_ops == a.n_ops && b.n_vmas == a.n_vmas &&
	       !memcmp(a.ops, b.ops, a.n_ops * sizeof(a.ops[0])), "seed, index, vmas and ops survive");
	free(ta);
	free(tb);
}

/* Bad files: one clear reason each. */
static void bad_files_are_refused(void)
{
	static const struct { const char *text, *why; } cases[] = {
		{ "", "no vma line" },
		{ "vma 0 tmpfs 4\n", "bad vma" },
		{ "vma 1 anon 4\n", "want \"vma 0" },
		{ "vma 0 anon 4\nop write 0 3 2 0\n", "outside vma 0" },
		{ "vma 0 anon 4\nop frobnicate 0 0 1 0\n", "unknown op frobnicate" },
		{ "vma 0 anon 4\nop write 0 0\n", "want \"op NAME" },
		{ "vma 0 anon 4\nhello\n", "unknown line" },
		{ "vma 0 anon 4\nop move 0 0 2 3\n", "destination vma 0 page 3" },
		{ "vma 0 anon 4\nop move 0 0 2 512\n", "destination vma 1" },
	};
	static struct seq s;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[160] = "";
		bool ok = parse_string(cases[i].text, &s, err, sizeof(err));

		tap_ok(!ok && strstr(err, cases[i].why), "refused: \"%s\" (%s)", cases[i].why, err);
	}
}

/* Whether the "seqfuzz-file NAME.c: " lines of text are valid C against scenario.h
 * (SCENARIOS_DIR, from the Makefile); cmd receives the compiler's command line. */
static int emitted_compiles(char *text, const char *name, char *cmd, size_t cmd_size)
{
	char path[] = "/tmp/test_seqfuzz_emit_XXXXXX.c", prefix[96], *line, *next;
	int fd = mkstemps(path, 2), status;
	FILE *c = fd >= 0 ? fdopen(fd, "w") : NULL;

	snprintf(prefix, sizeof(prefix), "seqfuzz-file %s.c: ", name);
	for (line = text; c && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, prefix, strlen(prefix)))
			fprintf(c, "%s\n", line + strlen(prefix));
	}
	if (c)
		fclose(c);
	snprintf(cmd, cmd_size, "%s -fsyntax-only -Wall -Werror -D_GNU_SOURCE -I%s %s",
		 getenv("CC") ? getenv("CC") : "cc", SCENARIOS_DIR, path);
	status = c ? system(cmd) : -1;
	unlink(path);
	return status;
}

/*
 * emit.c's program for a sequence of every op kind, the oracle's check at its last op,
 * is valid C against scenario.h: every op's helper.
 */
static void emitted_scenario_compiles(void)
{
	char cmd[512], oracle[160];
	static struct seq s;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int status;

	s.n_vmas = 2;
	s.vmas[0] = (struct seq_vma){ SEQ_ANON, 16 };
	s.vmas[1] = (struct seq_vma){ SEQ_SHMEM, 8 };
	for (int k = 0; k < OP_KIND_MAX; k++)
		s.ops[s.n_ops++] = (struct seq_op){ .kind = k, .vma = 0, .first = 0, .count = 2,
						    .arg = k == OP_MOVE ? seq_move_arg(1, 4)
							 : k == OP_REGISTER ? SEQ_MODE_WP : 1 };
	s.ops[s.n_ops++] = (struct seq_op){ .kind = OP_READ, .vma = 1, .first = 4, .count = 2 };
	snprintf(oracle, sizeof(oracle), "seqfuzz: bug label=0 pid=1 op=%u (read 1 4 2 0) "
		 "kind=data vma=1 page=4: read 0x0, want 0x1", s.n_ops);
	f = open_memstream(&text, &len);
	emit_scenario(f, &s, "fuzz-every-op", oracle, NULL);
	fclose(f);
	tap_ok(text && strstr(text, "copy_range(") && strstr(text, "region_remap(&vma[0]") &&
	       strstr(text, "move_uffd(vma[1].addr + 4UL") && strstr(text, "poison_range("),
	       "with copy, munmap, move and poison in it");
	status = emitted_compiles(text, "fuzz-every-op", cmd, sizeof(cmd));
	tap_ok(status == 0, "emit.c's program of every op kind compiles (%s: %d)", cmd, status);
	free(text);
}

/*
 * mremap's shrink and part move: the file keeps the old args (0 move, 1 grow) as they
 * were, the new ones round-trip, and emit.c writes an op over a range that a part move
 * split once per piece (addresses from its at[][] table), as the executor runs it.
 */
static void mremap_part_and_shrink(void)
{
	static const char text[] = "vma 0 anon 8\nvma 1 shmem 8\n"
				   "op mremap 0 0 8 0\nop mremap 1 0 8 1\n"
				   "op mremap 0 2 3 3\nop mremap 1 4 4 2\n"
				   "op register 0 0 8 2\nop write 0 1 3 0\n"
				   "op register 1 0 4 6\nop continue 1 0 4 1\n";
	static struct seq s;
	char err[160] = "", cmd[512], *printed = NULL, *out = NULL;
	size_t len = 0;
	FILE *f;
	int status;

	tap_ok(parse_string(text, &s, err, sizeof(err)) && s.n_ops == 8 &&
	       s.ops[6].arg == (SEQ_MODE_MINOR | SEQ_MODE_WP) && s.ops[7].kind == OP_CONTINUE &&
	       s.ops[0].arg == SEQ_MREMAP_MOVE && s.ops[1].arg == SEQ_MREMAP_GROW &&
	       s.ops[2].arg == SEQ_MREMAP_PART && s.ops[3].arg == SEQ_MREMAP_SHRINK,
	       "mremap args 0 1 3 2 parse as move, grow, part, shrink (%s)", err);
	printed = print_to_string(&s);
	tap_ok(printed && strstr(printed, "op mremap 0 2 3 3\nop mremap 1 4 4 2\n") &&
	       strstr(printed, "op register 1 0 4 6\nop continue 1 0 4 1\n"),
	       "and print back the same, a MINOR|WP register and a continue too");
	f = open_memstream(&out, &len);
	emit_scenario(f, &s, "fuzz-mremap-part", NULL, NULL);
	fclose(f);
	tap_ok(out && strstr(out, "mremap_part(0, 2, 3, 4096UL);") &&
	       strstr(out, "region_shrink(&vma[1], at[1][4], 4UL * 4096UL, 4UL * 4096UL, "
			   "2UL * 4096UL);") &&
	       strstr(out, "range_ioctl(UFFDIO_REGISTER, at[0][0], 2UL * 4096UL, 2);") &&
	       strstr(out, "range_ioctl(UFFDIO_REGISTER, at[0][2], 3UL * 4096UL, 2);") &&
	       strstr(out, "range_ioctl(UFFDIO_REGISTER, at[0][5], 3UL * 4096UL, 2);"),
	       "a part move, a shrink, and a register cut at the moved part's edges");
	tap_ok(out && strstr(out, "continue_range(&vma[1], at[1][0], 0UL * 4096UL, 4UL * 4096UL, "
			   "0x8ULL << 32 | 0xc0a00000ULL, true);") &&
	       strstr(out, "uffd_new(uffd_supported_features() & (UFFD_FEATURE_MINOR_SHMEM"),
	       "a continue (MODE_WP), with the uffd's MINOR features");
	status = emitted_compiles(out, "fuzz-mremap-part", cmd, sizeof(cmd));
	tap_ok(status == 0, "emit.c's program with a part move compiles (%s: %d)", cmd, status);
	free(printed);
	free(out);
}

/* The program in emit.c's output: its "seqfuzz-file NAME.c: " lines without the prefix.
 * Free it. */
static char *program_of(const char *out, const char *name)
{
	char prefix[96], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	snprintf(prefix, sizeof(prefix), "seqfuzz-file %s.c: ", name);
	for (const char *line = out; line && *line; line = strchr(line, '\n') + 1) {
		const char *eol = strchr(line, '\n');

		if (!strncmp(line, prefix, strlen(prefix)))
			fprintf(f, "%.*s\n", (int)(eol - line - strlen(prefix)), line + strlen(prefix));
		if (!eol)
			break;
	}
	fclose(f);
	return text;
}

/* emit.c's output for the sequence in text, the oracle's line "op=OP (...) kind=KIND vma=V
 * page=P: WHAT"; NULL if the text does not parse.  Free it. */
static char *emit_for(const char *text, const char *name, const char *oracle)
{
	static struct seq s;
	char err[160] = "", *out = NULL;
	size_t len = 0;
	FILE *f;

	if (!parse_string(text, &s, err, sizeof(err))) {
		tap_diag("%s: %s", name, err);
		return NULL;
	}
	f = open_memstream(&out, &len);
	emit_scenario(f, &s, name, oracle, NULL);
	fclose(f);
	return out;
}

/*
 * A finding of each kind below: the program checks what the oracle saw (so it says bug
 * on the kernel that failed) and compiles.  A scan cut by a part move asks only the
 * piece holding the page.
 */
static void emitted_check_per_kind(void)
{
	static const struct {
		const char *name, *text, *oracle, *want[3];
	} cases[] = {
		{ "fuzz-scan-missed",
		  "uffd wp_async\nvma 0 anon 4\nop register 0 0 4 2\nop wp_on 0 0 4 0\n"
		  "op write 0 0 4 0\nop scan 0 0 4 0\n",
		  "seqfuzz: bug label=0 pid=1 op=4 (scan 0 0 4 0) kind=scan vma=0 page=2: "
		  "PAGEMAP_SCAN did not report a page written since it was last protected",
		  { "int scan_said = -1;\n",
		    "scan_said = scan_range(vma[0].addr + 0UL * 4096UL, 4, 4096UL, "
		    "vma[0].addr + 2UL * 4096UL);\n",
		    "if (scan_said == 0)\n\t\tscen_end(VERDICT_BUG, "
		    "\"pagemap_scan_missed_a_page_written_since_protected\");\n" } },
		{ "fuzz-scan-protected",
		  "uffd wp_async\nvma 0 anon 8\nop register 0 0 8 2\nop mremap 0 2 3 3\n"
		  "op wp_on 0 0 8 0\nop scan 0 0 8 0\n",
		  "seqfuzz: bug label=0 pid=1 op=4 (scan 0 0 8 0) kind=scan vma=0 page=6: "
		  "PAGEMAP_SCAN reported a protected page written",
		  { "scan_range(at[0][0], 2, 4096UL, NULL);\n\tscan_range(at[0][2], 3, 4096UL, NULL);\n",
		    "scan_said = scan_range(at[0][5], 3, 4096UL, at[0][6]);\n",
		    "if (scan_said == 1)\n\t\tscen_end(VERDICT_BUG, "
		    "\"pagemap_scan_reported_a_protected_page_written\");\n" } },
		/* another kind's finding at a scan op: the plain scan, and that kind's check */
		{ "fuzz-bit-lost-at-scan",
		  "uffd wp_async\nvma 0 anon 4\nop register 0 0 4 2\nop wp_on 0 0 4 0\n"
		  "op write 0 0 4 0\nop scan 0 0 4 0\n",
		  "seqfuzz: bug label=0 pid=1 op=4 (scan 0 0 4 0) kind=bit_lost vma=0 page=1: "
		  "a protected page lost its uffd-wp bit (pagemap 0x8080000000000001)",
		  { "scan_range(vma[0].addr + 0UL * 4096UL, 4, 4096UL, NULL);\n",
		    "\"protected_page_lost_uffd_wp_bit\"", NULL } },
		{ "fuzz-event",
		  "vma 0 anon 4\nop register 0 0 4 2\nop mremap 0 0 4 0\n",
		  "seqfuzz: bug label=0 pid=1 op=2 (mremap 0 0 4 0) kind=event vma=0 page=0: "
		  "the uffd got an event message 0x14 it never asked for",
		  { "region_mremap(&vma[0], false);\n\tmonitor_stop(&mon);\n"
		    "\tif (mon.event_count)\n\t\tscen_end(VERDICT_BUG, "
		    "\"uffd_event_0x%x_never_asked_for\",\n\t\t\t (unsigned int)mon.event[0].event);\n"
		    "\tscen_end(VERDICT_OK", NULL, NULL } },
		{ "fuzz-minor",
		  "vma 0 anon 4\nvma 1 shmem 4\nop register 1 0 4 2\nop read 1 0 4 0\n",
		  "seqfuzz: bug label=0 pid=1 op=2 (read 1 0 4 0) kind=minor_msgs vma=1 page=3: "
		  "a MINOR fault where no MODE_MINOR is registered",
		  { "unsigned int minor_before = monitor_minor_in(&mon, vma[1].addr + 3UL * 4096UL, "
		    "4096UL);\n",
		    "if (monitor_minor_in(&mon, vma[1].addr + 3UL * 4096UL, 4096UL) != minor_before)\n"
		    "\t\tscen_end(VERDICT_BUG, \"minor_fault_where_no_mode_minor\");\n", NULL } },
		/* --check-pool's kind: the sequence in a child, the pool read after its exit */
		{ "fuzz-rsvd-leak",
		  "uffd wp_async\nvma 0 hugetlb_shared 2\nvma 1 hugetlb_private 2\nop mremap 1 0 1 3\n",
		  "seqfuzz: bug label=0 pid=1 op=0 (exit) kind=rsvd_leak vma=0 page=0: HugePages_Rsvd "
		  "0 before the sequence, 1 after its processes exited",
		  { "long rsvd_before = meminfo_value(\"HugePages_Rsvd:\"), rsvd_after;\n",
		    "\tif (seq_pid == 0) {\n\t\twhy = region_map(&vma[0], BACKING_HUGETLB_SHARED, 2);\n"
		    "\t\tif (why)\n\t\t\tscen_end(VERDICT_SKIP, \"%s\", why);\n",
		    "\t\t_exit(CHILD_OK);\n\t}\n\tswitch (child_wait(seq_pid)) {" } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = emit_for(cases[i].text, cases[i].name, cases[i].oracle), cmd[512] = "";
		char *program = out ? program_of(out, cases[i].name) : NULL;
		unsigned int missing = 0;
		int status;

		for (size_t w = 0; w < 3 && cases[i].want[w]; w++)
			if (!program || !strstr(program, cases[i].want[w])) {
				tap_diag("%s lacks: %s", cases[i].name, cases[i].want[w]);
				missing++;
			}
		tap_ok(out && !missing, "%s: the program checks what the oracle saw (%u lines "
		       "missing)", cases[i].name, missing);
		status = out ? emitted_compiles(out, cases[i].name, cmd, sizeof(cmd)) : -1;
		tap_ok(status == 0, "%s: and compiles (%s: %d)", cases[i].name, cmd, status);
		free(program);
		free(out);
	}
}

/*
 * WP_ASYNC sequences: one in four or so, deterministic, with their scans; only they scan;
 * "uffd wp_async" round-trips, and a file without it (every older one) is sync.
 */
static void async_sequences(void)
{
	static const char sync_text[] = "vma 0 anon 4\nop write 0 0 4 0\n";
	unsigned int async = 0, scans = 0, stray = 0, differ = 0;
	static struct seq s, again, back;
	char err[160] = "", *a, *b;

	for (uint64_t i = 0; i < 2000; i++) {
		seq_generate(&s, 7, i);
		seq_generate(&again, 7, i);
		differ += s.wp_async != again.wp_async ||
			  memcmp(s.ops, again.ops, sizeof(s.ops[0]) * s.n_ops);
		async += s.wp_async;
		for (unsigned int k = 0; k < s.n_ops; k++) {
			scans += s.ops[k].kind == OP_SCAN;
			stray += s.ops[k].kind == OP_SCAN && !s.wp_async;
		}
	}
	tap_ok(async > 300 && async < 700 && scans && !stray && !differ,
	       "%u of 2000 sequences wp_async, %u scans (%u in sync ones), %u not deterministic",
	       async, scans, stray, differ);
	for (uint64_t i = 0; !s.wp_async; i++)
		seq_generate(&s, 7, i);
	a = print_to_string(&s);
	tap_ok(a && !strncmp(strchr(a, '\n') + 1, "uffd wp_async\n", 14) &&
	       parse_string(a, &back, err, sizeof(err)) && back.wp_async,
	       "an async sequence prints \"uffd wp_async\" and parses back async (%s)", err);
	b = print_to_string(&back);
	tap_ok(a && b && !strcmp(a, b), "and prints the same again");
	tap_ok(parse_string(sync_text, &back, err, sizeof(err)) && !back.wp_async,
	       "a file without a uffd line is sync");
	tap_ok(!parse_string("uffd wp_sync\nvma 0 anon 4\n", &back, err, sizeof(err)) &&
	       strstr(err, "want \"uffd wp_async\""), "an unknown uffd line is refused (%s)", err);
	free(a);
	free(b);
}

int main(void)
{
	same_seed_same_sequence();
	seed_one_is_pinned();
	generated_sequences_are_valid();
	new_ops_args();
	copy_and_move_args();
	file_round_trip();
	bad_files_are_refused();
	emitted_scenario_compiles();
	mremap_part_and_shrink();
	emitted_check_per_kind();
	async_sequences();
	return tap_done();
}
