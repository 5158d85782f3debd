// SPDX-License-Identifier: GPL-2.0
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/checker.h"
#include "model/record.h"
#include "report/events.h"
#include "report/findings.h"

#define OFF_FORMAT	8
#define OFF_EVVER	12
#define OFF_EVSIZE	16
#define OFF_HOOKS	20
#define OFF_COUNT	24
#define OFF_RELEASE	32
#define OFF_MECH	96
#define READ_BATCH	4096	/* events per read */

struct recorder {
	FILE *f;
	uint64_t count;
};

static void put32(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void put64(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static void build_header(unsigned char *buf, const char *release, const uint8_t mech[HOOK_MAX])
{
	memset(buf, 0, RECORD_HEADER_SIZE);
	memcpy(buf, RECORD_MAGIC, 8);
	put32(buf + OFF_FORMAT, RECORD_FORMAT_VERSION);
	put32(buf + OFF_EVVER, UFFDWP_EVENT_VERSION);
	put32(buf + OFF_EVSIZE, sizeof(struct uffdwp_event));
	put32(buf + OFF_HOOKS, HOOK_MAX);
	if (release)
		strncpy((char *)buf + OFF_RELEASE, release, RECORD_RELEASE_LEN - 1);
	if (mech)
		memcpy(buf + OFF_MECH, mech, HOOK_MAX);
}

_Static_assert(HOOK_MAX <= RECORD_MAX_HOOKS, "mech[] in the header is too small");

struct recorder *recorder_open(const char *path, const char *kernel_release,
			       const uint8_t mech[HOOK_MAX])
{
	unsigned char hdr[RECORD_HEADER_SIZE];
	struct recorder *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->f = fopen(path, "wb");
	if (!r->f) {
		free(r);
		return NULL;
	}
	build_header(hdr, kernel_release, mech);
	if (fwrite(hdr, sizeof(hdr), 1, r->f) != 1) {
		int err = errno;

		fclose(r->f);
		free(r);
		errno = err;
		return NULL;
	}
	return r;
}

int recorder_write(struct recorder *r, const struct uffdwp_event *ev)
{
	if (fwrite(ev, sizeof(*ev), 1, r->f) != 1)
		return -(errno ? errno : EIO);
	r->count++;
	return 0;
}

/* The count goes into the header when the file is seekable (not a pipe). */
static int write_count(struct recorder *r)
{
	unsigned char buf[8];

	if (fseek(r->f, OFF_COUNT, SEEK_SET) != 0)
		return errno == ESPIPE ? 0 : -errno;
	put64(buf, r->count);
	if (fwrite(buf, sizeof(buf), 1, r->f) != 1)
		return -(errno ? errno : EIO);
	return 0;
}

int recorder_close(struct recorder *r)
{
	int err;

	if (!r)
		return 0;
	err = fflush(r->f) ? -errno : write_count(r);
	if (fclose(r->f) && !err)
		err = -(errno ? errno : EIO);
	free(r);
	return err;
}

const char *record_parse_header(const unsigned char buf[RECORD_HEADER_SIZE],
				struct record_header *h)
{
	if (memcmp(buf, RECORD_MAGIC, 8) != 0)
		return "not a uffdwp-trace recording (bad magic)";
	h->format_version = get32(buf + OFF_FORMAT);
	h->event_version = get32(buf + OFF_EVVER);
	h->event_size = get32(buf + OFF_EVSIZE);
	h->hook_count = get32(buf + OFF_HOOKS);
	h->event_count = get64(buf + OFF_COUNT);
	memcpy(h->kernel_release, buf + OFF_RELEASE, RECORD_RELEASE_LEN);
	memcpy(h->mech, buf + OFF_MECH, RECORD_MAX_HOOKS);
	if (h->format_version != RECORD_FORMAT_VERSION)
		return "unsupported recording format version";
	if (h->event_version != UFFDWP_EVENT_VERSION || h->event_size != sizeof(struct uffdwp_event))
		return "recorded with a different event ABI (version or record size)";
	if (h->hook_count > RECORD_MAX_HOOKS || h->kernel_release[RECORD_RELEASE_LEN - 1])
		return "corrupt header";
	return NULL;
}

static bool event_valid(const struct uffdwp_event *ev)
{
	return ev->kind >= EV_UFFD_OPEN && ev->kind < EV_KIND_MAX &&
	       ev->hook < HOOK_MAX && ev->mech < MECH_MAX;
}

struct replay {
	const char *path;
	FILE *f;
	struct record_header h;
	struct checker *c;
	struct uffdwp_event *batch;
	uint64_t nread;
	unsigned flags;		/* REPLAY_* */
	FILE *out;
	__u64 t0_ns;
};

static int fail(const struct replay *rp, const char *why)
{
	fprintf(stderr, "uffdwp-trace: %s: %s\n", rp->path, why);
	return 2;
}

static int read_header(struct replay *rp)
{
	unsigned char buf[RECORD_HEADER_SIZE];
	const char *why;

	if (fread(buf, 1, sizeof(buf), rp->f) != sizeof(buf))
		return fail(rp, ferror(rp->f) ? "read error" : "truncated header");
	why = record_parse_header(buf, &rp->h);
	return why ? fail(rp, why) : 0;
}

static void print_event(struct replay *rp, const struct uffdwp_event *ev)
{
	if (!(rp->flags & REPLAY_EVENTS))
		return;
	if (!rp->t0_ns)
		rp->t0_ns = ev->ts_ns;
	if (rp->flags & REPLAY_JSON)
		event_print_json(rp->out, ev);
	else
		event_print_text(rp->out, ev, rp->t0_ns);
}

static int feed_records(struct replay *rp)
{
	char why[160];

	for (;;) {
		size_t got = fread(rp->batch, 1, READ_BATCH * sizeof(*rp->batch), rp->f);
		size_t n = got / sizeof(*rp->batch);

		for (size_t i = 0; i < n; i++, rp->nread++) {
			if (!event_valid(&rp->batch[i])) {
				snprintf(why, sizeof(why), "corrupt record #%llu (kind %u hook %u)",
					 (unsigned long long)rp->nread, rp->batch[i].kind,
					 rp->batch[i].hook);
				return fail(rp, why);
			}
			print_event(rp, &rp->batch[i]);
			checker_feed(rp->c, &rp->batch[i]);
		}
		if (got % sizeof(*rp->batch)) {
			snprintf(why, sizeof(why), "truncated record #%llu",
				 (unsigned long long)rp->nread);
			return fail(rp, why);
		}
		if (got < READ_BATCH * sizeof(*rp->batch))
			break;
	}
	if (ferror(rp->f))
		return fail(rp, "read error");
	if (rp->h.event_count && rp->h.event_count != rp->nread) {
		snprintf(why, sizeof(why), "truncated: header says %llu events, file holds %llu",
			 (unsigned long long)rp->h.event_count, (unsigned long long)rp->nread);
		return fail(rp, why);
	}
	return 0;
}

static void print_results(const struct replay *rp, FILE *out)
{
	bool json = rp->flags & REPLAY_JSON;

	if (json) {
		findings_print_json(out, rp->c);
	} else {
		fprintf(out, "replay of %s: kernel %s\n\n", rp->path,
			rp->h.kernel_release[0] ? rp->h.kernel_release : "(unknown)");
		findings_print_text(out, rp->c);
	}
	findings_print_summary(out, rp->c, json);
}

int uffdwp_replay(const char *path, unsigned flags, FILE *out)
{
	struct replay rp = { .path = path, .flags = flags, .out = out };
	int status;

	rp.f = fopen(path, "rb");
	if (!rp.f) {
		fprintf(stderr, "uffdwp-trace: %s: %s\n", path, strerror(errno));
		return 2;
	}
	rp.c = checker_new();
	rp.batch = malloc(READ_BATCH * sizeof(*rp.batch));
	if (!rp.c || !rp.batch)
		status = fail(&rp, "out of memory");
	else
		status = read_header(&rp);
	if (!status)
		status = feed_records(&rp);
	if (!status) {
		checker_finish(rp.c);
		print_results(&rp, out);
		status = checker_nfindings(rp.c) ? 1 : 0;
	}
	free(rp.batch);
	checker_free(rp.c);
	fclose(rp.f);
	return status;
}
