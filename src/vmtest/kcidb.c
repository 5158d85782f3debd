// SPDX-License-Identifier: GPL-2.0
/* The KCIDB v4 report of a run or a matrix: see kcidb.h. */
#include "kcidb.h"
#include "accel.h"
#include "console_log.h"
#include "image.h"
#include "matrix_print.h"
#include "report/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ID_LEN 96

/* One kernel: its checkout (the source) and its build (the image). */
struct kcidb_build {
	const char *name;	/* table column, debian-VER, or the image's file name */
	bool is_tree;		/* name names a tree (a column or a Debian release) */
	const char *image, *image_hash, *release, *config, *log_base, *accel;
	bool valid;		/* a complete bzImage */
	char checkout_id[ID_LEN], build_id[ID_LEN];
};

/* One scenario run on one kernel. */
struct kcidb_test {
	const struct kcidb_build *build;
	const char *scenario;	/* or "command" */
	const char *status;
	double seconds;		/* < 0: not known */
	bool output_logged;
	bool is_command;	/* a guest command, not a scenario under the tracer */
	bool finished;		/* the tracer's (or command's) status is known */
	int exit_status;
	class_set classes;
	const char *self_check;
	long findings, lost;
	const char *expected, *cell_state;	/* --matrix only, else NULL */
	char comment[320];
};

static struct kcidb_build builds[EXPECT_MAX_KERNELS];
static struct kcidb_test tests[VMTEST_MAX_LIST * EXPECT_MAX_KERNELS];
static int n_builds, n_tests;
static char expected_text[VMTEST_MAX_LIST * EXPECT_MAX_KERNELS][EXPECT_CELL_LEN];

/* FNV-1a over strings, each with its terminating NUL so that ("ab","c") != ("a","bc"). */
static uint64_t hash_strings(const char *const *s, int n)
{
	uint64_t h = VMTEST_FNV_START;

	for (int i = 0; i < n; i++)
		h = vmtest_fnv1a(h, s[i] ? s[i] : "", strlen(s[i] ? s[i] : "") + 1);
	return h;
}

static void make_ids(struct kcidb_build *b, const struct vmtest_opts *o)
{
	const char *source[] = { "commit", o->git_commit, o->git_url };
	const char *image[] = { "image", b->release, b->image_hash[0] ? b->image_hash : b->image };
	const char *build[] = { b->checkout_id, b->image_hash[0] ? b->image_hash : b->image, b->name };
	uint64_t checkout = o->git_commit ? hash_strings(source, 3) : hash_strings(image, 3);

	snprintf(b->checkout_id, sizeof(b->checkout_id), "%s:checkout-%016llx", o->origin,
		 (unsigned long long)checkout);
	snprintf(b->build_id, sizeof(b->build_id), "%s:build-%016llx", o->origin,
		 (unsigned long long)hash_strings(build, 3));
}

/*
 * KCIDB's statuses (v04_05 "status"): the tested code faulty, unknown, or correct. A
 * clean tracer does not clear a kernel whose scenario saw the bug itself (self-check bug).
 */
static const char *status_of(enum run_state state, const char *self_check)
{
	switch (state) {
	case RUN_CLEAN:
		if (self_check && !strcmp(self_check, "bug"))
			return "FAIL";
		if (self_check && !strcmp(self_check, "error"))
			return "ERROR";	/* the scenario itself failed */
		return self_check && !strcmp(self_check, "skip") ? "SKIP" : "PASS";
	case RUN_FINDING:
		return "FAIL";
	case RUN_NOT_STARTED:
		return "MISS";	/* the harness never ran it: no boot, an earlier panic */
	default:
		return "ERROR";	/* the tracer could not decide, or the run did not end */
	}
}

/* file:///absolute/path, percent-encoded where a URI needs it. */
static void write_file_url(struct json *j, const char *key, const char *path)
{
	char cwd[4096], *abs, *url, *u;

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		abs = strdup(path);
	else
		abs = vmtest_path_join(cwd, path);
	url = abs ? malloc(strlen("file://") + 3 * strlen(abs) + 1) : NULL;
	if (!url) {
		free(abs);
		return;
	}
	u = url + sprintf(url, "file://");
	for (const char *p = abs; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (strchr("/._~-", c) || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z'))
			*u++ = (char)c;
		else
			u += sprintf(u, "%%%02X", c);
	}
	*u = '\0';
	json_str(j, key, url);
	free(url);
	free(abs);
}

/* A resource: {"name":NAME,"url":file://PATH}. */
static void write_resource(struct json *j, const char *name, const char *path)
{
	json_arr_obj_begin(j);
	json_str(j, "name", name);
	write_file_url(j, "url", path);
	json_obj_end(j);
}

static const char *file_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

static void write_checkout(struct json *j, const struct kcidb_build *b,
			   const struct vmtest_opts *o)
{
	char comment[160];

	json_arr_obj_begin(j);
	json_str(j, "id", b->checkout_id);
	json_str(j, "origin", o->origin);
	if (b->is_tree)
		json_str(j, "tree_name", b->name);
	if (o->git_url)
		json_str(j, "git_repository_url", o->git_url);
	if (o->git_commit)
		json_str(j, "git_commit_hash", o->git_commit);
	if (b->release[0])
		snprintf(comment, sizeof(comment), "Linux %s", b->release);
	else
		snprintf(comment, sizeof(comment), "%s (its release unknown: it did not boot)",
			 file_name(b->image));
	json_str(j, "comment", comment);
	json_obj_begin(j, "misc");
	json_str(j, "release", b->release);
	json_obj_end(j);
	json_obj_end(j);
}

static void write_build(struct json *j, const struct kcidb_build *b, const struct vmtest_opts *o)
{
	json_arr_obj_begin(j);
	json_str(j, "id", b->build_id);
	json_str(j, "checkout_id", b->checkout_id);
	json_str(j, "origin", o->origin);
	json_str(j, "comment", b->image);
	json_str(j, "architecture", "x86_64");
	if (b->config)
		write_file_url(j, "config_url", b->config);
	json_arr_begin(j, "output_files");
	write_resource(j, file_name(b->image), b->image);
	json_arr_end(j);
	json_bool(j, "valid", b->valid);
	json_obj_begin(j, "misc");
	json_str(j, "kernel", b->name);
	json_str(j, "image_fnv1a64", b->image_hash);
	json_obj_end(j);
	json_obj_end(j);
}

static void write_test(struct json *j, const struct kcidb_test *t, const struct vmtest_opts *o)
{
	const struct kcidb_build *b = t->build;
	const char *key[] = { b->build_id, b->name, t->scenario };
	char id[ID_LEN], path[96], text[EXPECT_CELL_LEN], *log;

	snprintf(id, sizeof(id), "%s:test-%016llx", o->origin,
		 (unsigned long long)hash_strings(key, 3));
	snprintf(path, sizeof(path), "uffdwp.%s", t->scenario);
	json_arr_obj_begin(j);
	json_str(j, "id", id);
	json_str(j, "build_id", b->build_id);
	json_str(j, "origin", o->origin);
	json_str(j, "path", path);
	json_str(j, "status", t->status);
	json_str(j, "comment", t->comment);
	if (t->seconds >= 0)
		json_f64(j, "duration", t->seconds);
	if (b->accel) {
		json_obj_begin(j, "environment");
		snprintf(text, sizeof(text), "QEMU x86_64, accel %s", b->accel);
		json_str(j, "comment", text);
		json_obj_end(j);
	}
	if (b->log_base && t->output_logged && (log = console_log_path(b->log_base, t->scenario))) {
		write_file_url(j, "log_url", log);
		free(log);
	}
	if (b->log_base && (log = console_log_path(b->log_base, NULL))) {
		json_arr_begin(j, "output_files");
		write_resource(j, "console.log", log);
		json_arr_end(j);
		free(log);
	}
	json_obj_begin(j, "misc");
	json_str(j, "kernel", b->name);
	if (t->finished && t->is_command) {
		json_i64(j, "command_exit", t->exit_status);
	} else if (t->finished) {
		json_i64(j, "tracer_exit", t->exit_status);
		class_set_format(t->classes, text, sizeof(text));
		json_str(j, "tracer_classes", text);
		json_str(j, "self_check", t->self_check ? t->self_check : "");
		json_i64(j, "findings", t->findings);
		json_i64(j, "lost", t->lost);
	}
	if (t->cell_state) {
		json_str(j, "expected", t->expected);
		json_str(j, "matrix_cell", t->cell_state);
	}
	json_obj_end(j);
	json_obj_end(j);
}

/* The report at path; false after one error line. */
static bool write_report(const struct vmtest_opts *o)
{
	FILE *f = fopen(o->kcidb, "w");
	struct json j;
	bool ok;

	if (!f) {
		vmtest_err("--kcidb: cannot write %s: %s", o->kcidb, strerror(errno));
		return false;
	}
	json_begin(&j, f);
	json_obj_begin(&j, "version");
	json_i64(&j, "major", KCIDB_MAJOR);
	json_i64(&j, "minor", KCIDB_MINOR);
	json_obj_end(&j);
	json_arr_begin(&j, "checkouts");
	for (int i = 0; i < n_builds; i++)
		write_checkout(&j, &builds[i], o);
	json_arr_end(&j);
	json_arr_begin(&j, "builds");
	for (int i = 0; i < n_builds; i++)
		write_build(&j, &builds[i], o);
	json_arr_end(&j);
	json_arr_begin(&j, "tests");
	for (int i = 0; i < n_tests; i++)
		write_test(&j, &tests[i], o);
	json_arr_end(&j);
	json_end(&j);
	ok = !ferror(f);
	if (fclose(f) || !ok) {
		vmtest_err("--kcidb: cannot write %s: %s", o->kcidb, strerror(errno));
		return false;
	}
	return true;
}

/* A matrix cell read as a run's state: the same reading report_run_state() gives. */
static enum run_state cell_run_state(const struct matrix_cell *c)
{
	if (!c->started)
		return RUN_NOT_STARTED;
	if (!c->finished)
		return RUN_NOT_FINISHED;
	return c->tracer_status == TRACER_CLEAN ? RUN_CLEAN
	       : c->tracer_status == TRACER_FINDINGS ? RUN_FINDING : RUN_UNDECIDED;
}

static void add_cell(const struct matrix *m, int r, int k, const struct kcidb_build *b)
{
	const struct matrix_cell *c = &m->cell[r][k];
	struct kcidb_test *t = &tests[n_tests];
	char classes[EXPECT_CELL_LEN];

	memset(t, 0, sizeof(*t));
	t->build = b;
	t->scenario = m->row[r].scenario;
	t->status = status_of(cell_run_state(c), c->verdict);
	t->seconds = c->finished ? c->seconds : -1;
	t->output_logged = c->output_logged;
	t->finished = c->finished;
	t->exit_status = c->tracer_status;
	t->classes = c->classes;
	t->self_check = c->verdict;
	t->findings = c->findings;
	t->lost = c->lost;
	if (c->expected)
		expect_cell_format(c->expected->classes, c->expected->verdict,
				   expected_text[n_tests], EXPECT_CELL_LEN);
	t->expected = expected_text[n_tests];
	t->cell_state = matrix_cell_state_name(c->state);
	class_set_format(c->classes, classes, sizeof(classes));
	if (c->finished)
		snprintf(t->comment, sizeof(t->comment), "tracer: %s (exit %d), self-check: %s; "
			 "table: %s", classes, c->tracer_status, c->verdict[0] ? c->verdict : "none",
			 c->expected ? t->expected : "no row");
	else
		snprintf(t->comment, sizeof(t->comment), "%s", c->why);
	n_tests++;
}

bool kcidb_write_matrix(const struct matrix *m, const struct vmtest_opts *o)
{
	n_builds = n_tests = 0;
	for (int k = 0; k < m->n_kernels; k++) {
		const struct matrix_kernel *kernel = &m->kernel[k];
		struct kcidb_build *b = &builds[n_builds];

		if (kernel->state == KERNEL_ABSENT)
			continue;	/* no image, no build to speak of */
		n_builds++;
		memset(b, 0, sizeof(*b));
		b->name = kernel->name;
		b->is_tree = true;
		b->image = kernel->image;
		b->image_hash = kernel->image_hash;
		b->release = kernel->release;
		b->config = kernel->config;
		b->log_base = kernel->log_base;
		b->accel = kernel->state == KERNEL_RAN ? kernel->accel : NULL;
		b->valid = kernel->booted;
		make_ids(b, o);
		for (int r = 0; r < m->n_rows; r++)
			add_cell(m, r, k, b);
	}
	return write_report(o);
}

const char *kcidb_kernel_name(const struct vmtest_opts *o)
{
	static char name[64];

	if (o->debian)
		snprintf(name, sizeof(name), "debian-%s", o->debian);
	else
		snprintf(name, sizeof(name), "%s", file_name(o->kernel));
	return name;
}

bool kcidb_write_run(const struct vmtest_opts *o, const struct payload *p,
		     const struct console *c, const struct vm_result *res,
		     const char *image_hash, const char *log_base)
{
	struct kcidb_build *b = &builds[0];
	char *config = image_config(o->kernel, c->release);
	bool ok;

	memset(b, 0, sizeof(*b));
	n_builds = 1;
	n_tests = 0;
	b->name = kcidb_kernel_name(o);
	b->is_tree = o->debian != NULL;
	b->image = o->kernel;
	b->image_hash = image_hash;
	b->release = c->release;
	b->config = config;
	b->log_base = log_base;
	b->accel = c->init_started ? accel_name(res->accel) : NULL;
	b->valid = true;	/* image_check() passed, or there would be no boot */
	make_ids(b, o);
	for (int i = 0; i < report_expected_runs(o, p); i++) {
		const char *name = report_expected_name(o, p, i);
		const struct guest_run *r = console_find_run(c, name);
		struct kcidb_test *t = &tests[n_tests++];

		memset(t, 0, sizeof(*t));
		t->build = b;
		t->scenario = name;
		t->is_command = o->guest_argv != NULL;
		t->status = status_of(report_run_state(r), r ? r->verdict : NULL);
		t->seconds = r && r->ended ? r->seconds : -1;
		t->output_logged = r && log_base;
		t->finished = r && r->ended;
		t->exit_status = r ? r->status : -1;
		t->classes = r ? r->classes : 0;
		t->self_check = r ? r->verdict : NULL;
		t->findings = r ? r->findings : -1;
		t->lost = r ? r->lost : -1;
		report_describe_run(r, t->comment, sizeof(t->comment));
	}
	ok = write_report(o);
	free(config);
	return ok;
}
