// SPDX-License-Identifier: GPL-2.0
/* The recording file format (record.h): writer and reader. */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/record.h"

#define OFF_FORMAT	8
#define OFF_EVVER	12
#define OFF_EVSIZE	16
#define OFF_HOOKS	20
#define OFF_COUNT	24
#define OFF_RELEASE	32
#define OFF_MECH	96

#define TR_SIZE		8
#define TR_FLAGS	12
#define TR_PID		16
#define TR_EXIT		20
#define TR_HOOKS	24
#define TR_LOST		32
#define TR_INVARIANT	(TR_LOST + 8 * RECORD_MAX_HOOKS)
#define TR_TARGET	(TR_INVARIANT + 8 * RECORD_MAX_HOOKS)
#define TR_NOTE		(TR_TARGET + RUN_TARGET_LEN * RECORD_MAX_HOOKS)

/* after the per-hook fields, in the trailer's zero padding: 0 in older files */
#define TR_WF_SEEN	RECORD_TRAILER_DATA
#define TR_WF_REPEATS	(TR_WF_SEEN + 8)
#define TR_LOST_CAUSE	(TR_WF_REPEATS + 8)
#define TR_PAGES_TO_VERIFY	(TR_LOST_CAUSE + 8 * LOST_CAUSE_MAX)

#define READ_BATCH	4096	/* records per read */

_Static_assert(HOOK_MAX <= RECORD_MAX_HOOKS, "mech[] in the header is too small");
_Static_assert(TR_NOTE + RUN_NOTE_LEN * RECORD_MAX_HOOKS == RECORD_TRAILER_DATA,
	       "trailer layout and RECORD_TRAILER_DATA disagree");
_Static_assert(TR_PAGES_TO_VERIFY + 8 <= RECORD_TRAILER_SIZE,
	       "no room for the write-fault counters, the losses by cause and the walks' pages");
_Static_assert(RUN_KERNEL_LEN == RECORD_RELEASE_LEN, "kernel release sizes disagree");

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

/* ---- writing ---- */

/* A string into a zeroed field of size bytes, always NUL-terminated there. */
static void put_str(unsigned char *dst, const char *src, size_t size)
{
	memcpy(dst, src, strnlen(src, size - 1));
}

struct recorder {
	FILE *f;
	uint64_t count;
};

/* The trailer fills whole record slots (record.h): a buffer of them, as bytes. */
static unsigned char *trailer_alloc(void)
{
	struct uffdwp_event *slots = malloc(RECORD_TRAILER_SLOTS * sizeof(*slots));

	return (unsigned char *)slots;
}

static void build_header(unsigned char *buf, const struct run_info *ri)
{
	memset(buf, 0, RECORD_HEADER_SIZE);
	/* the magic has no NUL in the file */
	memcpy(buf, RECORD_MAGIC, 8);	/* NOLINT(bugprone-not-null-terminated-result) */
	put32(buf + OFF_FORMAT, RECORD_FORMAT_VERSION);
	put32(buf + OFF_EVVER, UFFDWP_EVENT_VERSION);
	put32(buf + OFF_EVSIZE, sizeof(struct uffdwp_event));
	put32(buf + OFF_HOOKS, HOOK_MAX);
	if (!ri)
		return;
	put_str(buf + OFF_RELEASE, ri->kernel, RECORD_RELEASE_LEN);
	memcpy(buf + OFF_MECH, ri->mech, HOOK_MAX);
}

static void build_trailer(unsigned char *buf, const struct run_info *ri)
{
	memset(buf, 0, RECORD_TRAILER_SIZE);
	memcpy(buf, RECORD_TRAILER_MAGIC, 8);	/* NOLINT(bugprone-not-null-terminated-result) */
	put32(buf + TR_SIZE, RECORD_TRAILER_SIZE);
	put32(buf + TR_FLAGS, ri->strict ? RECORD_TRAILER_STRICT : 0);
	put32(buf + TR_PID, (uint32_t)ri->target_pid);
	put32(buf + TR_EXIT, (uint32_t)ri->target_exit);
	put32(buf + TR_HOOKS, HOOK_MAX);
	for (int h = 0; h < HOOK_MAX; h++) {
		put64(buf + TR_LOST + 8 * h, ri->lost[h]);
		put64(buf + TR_INVARIANT + 8 * h, ri->invariant[h]);
		put_str(buf + TR_TARGET + RUN_TARGET_LEN * h, ri->target[h], RUN_TARGET_LEN);
		put_str(buf + TR_NOTE + RUN_NOTE_LEN * h, ri->note[h], RUN_NOTE_LEN);
	}
	put64(buf + TR_WF_SEEN, ri->wf_seen);
	put64(buf + TR_WF_REPEATS, ri->wf_repeats);
	for (int c = 0; c < LOST_CAUSE_MAX; c++)
		put64(buf + TR_LOST_CAUSE + 8 * c, ri->lost_cause[c]);
	put64(buf + TR_PAGES_TO_VERIFY, ri->pages_to_verify);
}

struct recorder *recorder_open(const char *path, const struct run_info *ri)
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
	build_header(hdr, ri);
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

int recorder_close(struct recorder *r, const struct run_info *ri)
{
	unsigned char *trailer = NULL;
	int err = 0;

	if (!r)
		return 0;
	if (ri) {
		trailer = trailer_alloc();
		if (!trailer)
			err = -ENOMEM;
		else
			build_trailer(trailer, ri);
		if (trailer && fwrite(trailer, RECORD_TRAILER_SIZE, 1, r->f) != 1)
			err = -(errno ? errno : EIO);
		free(trailer);
	}
	/* the trailer first: a count in the header promises the trailer is there */
	if (!err)
		err = fflush(r->f) ? -errno : write_count(r);
	if (fclose(r->f) && !err)
		err = -(errno ? errno : EIO);
	free(r);
	return err;
}

/* ---- reading ---- */

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
	if (h->format_version < 1 || h->format_version > RECORD_FORMAT_VERSION)
		return "unsupported recording format version";
	if (h->event_version != UFFDWP_EVENT_VERSION || h->event_size != sizeof(struct uffdwp_event))
		return "recorded with a different event ABI (version or record size)";
	if (h->hook_count > RECORD_MAX_HOOKS || h->kernel_release[RECORD_RELEASE_LEN - 1])
		return "corrupt header";
	for (unsigned int i = 0; i < h->hook_count; i++)
		if (h->mech[i] >= MECH_MAX)
			return "corrupt header (hook mechanism out of range)";
	return NULL;
}

struct record_reader {
	FILE *f;
	struct record_header h;
	struct uffdwp_event *batch;
	uint64_t nread;
	bool done;
};

static bool event_valid(const struct uffdwp_event *ev)
{
	return ev->kind >= EV_UFFD_OPEN && ev->kind < EV_KIND_MAX &&
	       ev->hook < HOOK_MAX && ev->mech < MECH_MAX;
}

static bool is_trailer(const struct record_reader *r, const struct uffdwp_event *slot)
{
	return r->h.format_version >= 2 && !memcmp(slot, RECORD_TRAILER_MAGIC, 8);
}

/* Copies a NUL-terminated field of at most size bytes; false when unterminated. */
static bool get_str(char *dst, const unsigned char *src, size_t size)
{
	if (!memchr(src, '\0', size))
		return false;
	memcpy(dst, src, size);
	return true;
}

static const char *parse_trailer(const unsigned char *buf, struct run_info *ri)
{
	uint32_t hooks = get32(buf + TR_HOOKS);

	/* a writer from before a hook was added knows fewer (HOOK_ZAP_HUGETLB) */
	if (get32(buf + TR_SIZE) != RECORD_TRAILER_SIZE || hooks > HOOK_MAX)
		return "corrupt trailer (size or hook count)";
	ri->strict = get32(buf + TR_FLAGS) & RECORD_TRAILER_STRICT;
	ri->target_pid = (int32_t)get32(buf + TR_PID);
	ri->target_exit = (int32_t)get32(buf + TR_EXIT);
	for (int h = 0; h < (int)hooks; h++) {
		ri->lost[h] = get64(buf + TR_LOST + 8 * h);
		ri->invariant[h] = get64(buf + TR_INVARIANT + 8 * h);
		if (!get_str(ri->target[h], buf + TR_TARGET + RUN_TARGET_LEN * h, RUN_TARGET_LEN) ||
		    !get_str(ri->note[h], buf + TR_NOTE + RUN_NOTE_LEN * h, RUN_NOTE_LEN))
			return "corrupt trailer (unterminated name)";
	}
	ri->wf_seen = get64(buf + TR_WF_SEEN);
	ri->wf_repeats = get64(buf + TR_WF_REPEATS);
	for (int c = 0; c < LOST_CAUSE_MAX; c++)
		ri->lost_cause[c] = get64(buf + TR_LOST_CAUSE + 8 * c);
	ri->pages_to_verify = get64(buf + TR_PAGES_TO_VERIFY);
	ri->ended = true;
	return NULL;
}

/* The trailer begins at batch slot i, and have bytes of the file from there
 * are in the batch already; it must end the file. */
static const char *read_trailer(struct record_reader *r, size_t i, size_t have,
				struct run_info *ri)
{
	unsigned char *buf;
	const char *why = NULL;

	if (have > RECORD_TRAILER_SIZE)
		return "data after the end-of-run trailer";
	buf = trailer_alloc();
	if (!buf)
		return "out of memory";
	memcpy(buf, &r->batch[i], have);
	if (fread(buf + have, 1, RECORD_TRAILER_SIZE - have, r->f) != RECORD_TRAILER_SIZE - have)
		why = "truncated trailer";
	else if (fgetc(r->f) != EOF)
		why = "data after the end-of-run trailer";
	else
		why = parse_trailer(buf, ri);
	free(buf);
	return why;
}

struct record_reader *record_reader_open(const char *path, struct run_info *ri,
					 char *why, size_t len)
{
	unsigned char buf[RECORD_HEADER_SIZE];
	struct record_reader *r = calloc(1, sizeof(*r));
	const char *bad = NULL;

	memset(ri, 0, sizeof(*ri));
	ri->target_exit = -1;
	if (!r || !(r->batch = malloc(READ_BATCH * sizeof(*r->batch)))) {
		snprintf(why, len, "out of memory");
		goto fail;
	}
	r->f = fopen(path, "rb");
	if (!r->f) {
		snprintf(why, len, "%s", strerror(errno));
		goto fail;
	}
	if (fread(buf, 1, sizeof(buf), r->f) != sizeof(buf))
		bad = ferror(r->f) ? "read error" : "truncated header";
	else
		bad = record_parse_header(buf, &r->h);
	if (bad) {
		snprintf(why, len, "%s", bad);
		goto fail;
	}
	memcpy(ri->kernel, r->h.kernel_release, sizeof(ri->kernel));
	memcpy(ri->mech, r->h.mech, r->h.hook_count < HOOK_MAX ? r->h.hook_count : HOOK_MAX);
	return r;
fail:
	record_reader_close(r);
	return NULL;
}

/* At the end of the records: the count in the header, if any, must agree. */
static long check_end(struct record_reader *r, const struct run_info *ri, char *why, size_t len)
{
	r->done = true;
	if (ferror(r->f)) {
		snprintf(why, len, "read error");
		return -1;
	}
	if (r->h.event_count && r->h.event_count != r->nread) {
		snprintf(why, len, "truncated: header says %llu events, file holds %llu",
			 (unsigned long long)r->h.event_count, (unsigned long long)r->nread);
		return -1;
	}
	/* the writer puts the count in only after the trailer */
	if (r->h.format_version >= 2 && r->h.event_count && !ri->ended) {
		snprintf(why, len, "truncated: no end-of-run trailer after %llu events",
			 (unsigned long long)r->nread);
		return -1;
	}
	return 0;
}

long record_reader_next(struct record_reader *r, const struct uffdwp_event **batch,
			struct run_info *ri, char *why, size_t len)
{
	const size_t slot = sizeof(*r->batch), full = READ_BATCH * slot;
	size_t got, n, rest, i;
	const char *bad;

	if (r->done)
		return 0;
	got = fread(r->batch, 1, full, r->f);
	n = got / slot;
	rest = got % slot;
	for (i = 0; i < n; i++) {
		if (is_trailer(r, &r->batch[i]))
			goto trailer;
		if (!event_valid(&r->batch[i])) {
			snprintf(why, len, "corrupt record #%llu (kind %u hook %u)",
				 (unsigned long long)r->nread + i, r->batch[i].kind,
				 r->batch[i].hook);
			return -1;
		}
	}
	/* a partial slot at the end: a trailer's first bytes, else a cut record */
	if (rest >= 8 && is_trailer(r, &r->batch[n]))
		goto trailer;
	if (rest) {
		snprintf(why, len, "truncated record #%llu", (unsigned long long)r->nread + n);
		return -1;
	}
	r->nread += n;
	*batch = r->batch;
	if (got < full && check_end(r, ri, why, len))
		return -1;
	return (long)n;
trailer:
	bad = read_trailer(r, i, got - i * slot, ri);
	if (bad) {
		snprintf(why, len, "%s", bad);
		return -1;
	}
	r->nread += i;
	*batch = r->batch;
	return check_end(r, ri, why, len) ? -1 : (long)i;
}

void record_reader_close(struct record_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r->batch);
	free(r);
}
