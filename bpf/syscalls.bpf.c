// SPDX-License-Identifier: GPL-2.0
/*
 * Syscalls of traced processes: enter stashes the arguments (and the uffdio
 * struct, sys_stash.bpf.h), exit reports with the result.  The userfaultfd
 * ioctls, reads of uffd messages, and the mm syscalls that change protection
 * (mprotect, madvise, munmap, mremap, fallocate, and mmap over a mapping:
 * MAP_FIXED), from the per-syscall
 * tracepoints or, where the kernel refuses them, raw_syscalls.
 */
#include "uffdwp.bpf.h"
#include "pgtable.bpf.h"
#include "sys_stash.bpf.h"
#include "core_fixes.bpf.h"
#include "wp_ranges.bpf.h"
#include "pm_scan.bpf.h"

#define MAP_FIXED	0x10	/* uapi/asm-generic/mman-common.h */
#define UFFDIO 0xAA
#define _IOC_NR(cmd)	((cmd) & 0xff)
#define _IOC_TYPE(cmd)	(((cmd) >> 8) & 0xff)
#define _IOC_SIZE(cmd)	(((cmd) >> 16) & 0x3fff)
/* uapi/linux/userfaultfd.h ioctl numbers */
#define _UFFDIO_REGISTER	0x00	/* also USERFAULTFD_IOC_NEW, which has no argument */
#define _UFFDIO_UNREGISTER	0x01
#define _UFFDIO_COPY		0x03
#define _UFFDIO_ZEROPAGE	0x04
#define _UFFDIO_MOVE		0x05	/* 6.8+ */
#define _UFFDIO_WRITEPROTECT	0x06
#define _UFFDIO_CONTINUE	0x07
#define _UFFDIO_POISON		0x08
#define _UFFDIO_API		0x3F

#define UFFD_EVENT_PAGEFAULT	0x12
#define UFFD_EVENT_FORK		0x13
#define UFFD_PAGEFAULT_FLAG_WP	(1UL << 1)
#define UFFDIO_REGISTER_MODE_WP	(1UL << 1)


/*
 * userfaultfds open in traced processes: key tgid << 32 | fd.  Only a close removes an
 * entry, and most processes exit with their uffd open: an LRU map drops the dead ones'
 * entries when it fills (a plain hash refused new ones after 1024 uffds, so later
 * closes went unseen and their release unmodelled: false LOST_WP/DROPPED_MARKER after
 * ~1000 fuzz sequences).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} uffd_fds SEC(".maps");

static __always_inline __u64 fd_key(__u32 tgid, __u64 fd)
{
	return ((__u64)tgid << 32) | (__u32)fd;
}

static __always_inline void uffd_fd_add(__u32 tgid, __u64 fd)
{
	__u64 key = fd_key(tgid, fd);
	__u8 one = 1;

	bpf_map_update_elem(&uffd_fds, &key, &one, BPF_ANY);
}

static __always_inline bool is_uffd_ioctl(__u64 cmd)
{
	return _IOC_TYPE(cmd) == UFFDIO;
}

#define UFFDIO_COPY_MODE_WP	(1UL << 1)	/* also UFFDIO_CONTINUE_MODE_WP */

/* The request half of a range ioctl: { range { start, len }, mode, ... }
 * (uffdio_range alone has no mode: the stash reads 16 bytes, in[2] is 0). */
static __always_inline void set_range_request(struct uffdwp_event *e, __u64 fd, const __u64 *in)
{
	e->start = in[0];
	e->end = in[0] + in[1];
	e->u.range.fd = fd;
	e->u.range.mode = in[2];
}

/* copy and move { dst, src, len, mode, result }; the others { range { start, len },
 * mode, result } */
static __always_inline bool fill_has_src(__u64 nr)
{
	return nr == _UFFDIO_COPY || nr == _UFFDIO_MOVE;
}

static __always_inline __u64 fill_mode(__u64 nr, const __u64 *in)
{
	return fill_has_src(nr) ? in[3] : in[2];
}

static __always_inline void set_fill_request(struct uffdwp_event *e, __u64 nr, __u64 fd,
					     const __u64 *in)
{
	bool src = fill_has_src(nr);

	e->start = in[0];
	e->end = in[0] + (src ? in[2] : in[1]);
	e->u.fill.fd = fd;
	e->u.fill.op = nr == _UFFDIO_COPY ? FILL_COPY : nr == _UFFDIO_MOVE ? FILL_MOVE :
		       nr == _UFFDIO_ZEROPAGE ? FILL_ZEROPAGE :
		       nr == _UFFDIO_CONTINUE ? FILL_CONTINUE : FILL_POISON;
	e->u.fill.src = src ? in[1] : 0;
	e->u.fill.mode = fill_mode(nr, in);
}

/*
 * Ioctls whose effect other threads see before they return: a MODE_WP fill
 * installs protected PTEs that get faulted on and resolved meanwhile, and an
 * unprotect lets waiting faults go.  Their begin is reported too, so the
 * model can order them against other threads' records (struct
 * call_in_flight in src/model/model.h).
 */
static __always_inline void report_ioctl_begin(const struct sys_stash *s)
{
	__u64 nr = _IOC_NR(s->args[1]);
	const __u64 *in = s->uarg;
	struct uffdwp_event *e;

	if (nr == _UFFDIO_WRITEPROTECT) {
		e = event_reserve(HOOK_SYSCALLS, EV_UFFD_WRITEPROTECT);
		if (!e)
			return;
		set_range_request(e, s->args[0], in);
		e->u.range.begin = 1;
		event_submit(e);
		return;
	}
	if ((nr != _UFFDIO_COPY && nr != _UFFDIO_CONTINUE) ||
	    !(fill_mode(nr, in) & UFFDIO_COPY_MODE_WP))
		return;
	e = event_reserve(HOOK_SYSCALLS, EV_UFFD_COPY);
	if (!e)
		return;
	set_fill_request(e, nr, s->args[0], in);
	e->u.fill.begin = 1;
	event_submit(e);
}

/* The calls whose records sys_enter() stashes, of the arguments that decide
 * (fd, cmd/flags...): mmap only MAP_FIXED (it replaces what was mapped), ioctl
 * only userfaultfd's and PAGEMAP_SCAN, read only of a userfaultfd.  The exit
 * programs ask it too, of a call whose enter programs were both skipped. */
static __always_inline bool call_is_recorded(__u32 kind, __u64 arg0, __u64 arg1, __u64 arg3,
					     __u32 tgid)
{
	__u64 key;

	switch (kind) {
	case SYS_MMAP:
		return arg3 & MAP_FIXED;
	case SYS_IOCTL:
		return arg1 == PAGEMAP_SCAN || is_uffd_ioctl(arg1);
	case SYS_READ:
		key = fd_key(tgid, arg0);
		return bpf_map_lookup_elem(&uffd_fds, &key);
	}
	return true;
}

/* A traced thread enters a syscall: stash what its exit needs (@t: its
 * traced_tgids entry, the caller's traced_current(); @s: its call in flight,
 * the caller's sys_stash_current(), after copies_enter_stashed(); @copy:
 * which of the tracepoint's @copies programs this is, struct sys_stash). */
static __always_inline int sys_enter(struct traced_task *t, struct sys_stash *s, __u32 kind,
				     const __u64 args[6], __u32 copy, __u32 copies)
{
	__u32 tgid = current_tgid();
	bool recorded;

	if (!t)
		return 0;
	/* Still stashed, never reported: the kernel skipped every exit program
	 * of this thread's last call, and its records with them. */
	if (s && !s->copies.done && s->recorded)
		count_lost(HOOK_SYSCALLS, LOST_SKIPPED);
	/* any call of ours, recorded or not: attached to a running process, its
	 * mm is learnt from the first */
	note_mm(t, tgid, current_mm());
	recorded = call_is_recorded(kind, args[0], args[1], args[3], tgid);
	if (!s)
		s = sys_stash_slot();
	/* no slot: this call's records would go unseen, counted */
	if (!s) {
		if (recorded)
			count_lost(HOOK_SYSCALLS, LOST_TABLE);
		return 0;
	}
	s->copies = (struct stash_copies){ .enter_pending = copies_after(copy, copies) };
	s->kind = kind;
	s->recorded = recorded;
	__builtin_memcpy(s->args, args, sizeof(s->args));
	if (!recorded)
		return 0;
	if (kind == SYS_IOCTL && s->args[1] == PAGEMAP_SCAN) {
		if (!stash_pm_scan(s)) {
			sys_stash_free(s);	/* counted at exit (missed_enter()) */
			return 0;
		}
		report_pm_scan(s, true, 0, 0, 0);
	} else if (kind == SYS_IOCTL) {
		__u64 size = _IOC_SIZE(s->args[1]);

		/* the slot holds the last call's: a shorter struct reads as zeros */
		__builtin_memset(s->uarg, 0, sizeof(s->uarg));
		if (size > UFFDIO_ARG_MAX)
			size = UFFDIO_ARG_MAX;
		if (size)
			bpf_probe_read_user(s->uarg, size, (void *)s->args[2]);
		report_ioctl_begin(s);
	}
	return 0;
}

/* Without change_protection/zap hooks, the syscall's return is the first
 * point where the page tables can be confirmed. */
static __always_inline void walk_after_syscall(__u64 start, __u64 end, __u32 kind)
{
	if (walk_at_syscall_exit)
		pgtable_walk(current_mm(), start, end, kind, HOOK_SYSCALLS);
}

static __always_inline void report_uffd_ioctl(struct sys_stash *s, __s64 ret)
{
	__u64 cmd = s->args[1], nr = _IOC_NR(cmd), *in = s->uarg;
	__u64 out[UFFDIO_ARG_MAX / 8] = {};
	struct vma_info vi = {};
	struct uffdwp_event *e;
	__u32 kind;

	if (nr == _UFFDIO_REGISTER && _IOC_SIZE(cmd) == 0) {	/* USERFAULTFD_IOC_NEW */
		kind = EV_UFFD_OPEN;
	} else if (nr == _UFFDIO_API) {
		kind = EV_UFFD_API;
	} else if (nr == _UFFDIO_REGISTER) {
		kind = EV_UFFD_REGISTER;
	} else if (nr == _UFFDIO_UNREGISTER) {
		kind = EV_UFFD_UNREGISTER;
	} else if (nr == _UFFDIO_WRITEPROTECT) {
		kind = EV_UFFD_WRITEPROTECT;
	} else if (nr == _UFFDIO_COPY || nr == _UFFDIO_ZEROPAGE || nr == _UFFDIO_MOVE ||
		   nr == _UFFDIO_CONTINUE || nr == _UFFDIO_POISON) {
		kind = EV_UFFD_COPY;
	} else {
		return;		/* WAKE: no effect on protection */
	}
	/* map updates first: the verifier wants no helper calls with a reservation held */
	if (ret >= 0 && kind == EV_UFFD_OPEN)
		uffd_fd_add(current_tgid(), ret);
	/* no free slot: that range's write faults go unrecorded, a loss like a
	 * full ring (the run is inconclusive, never clean) */
	else if (ret == 0 && kind == EV_UFFD_REGISTER && (in[2] & UFFDIO_REGISTER_MODE_WP) &&
		 !wp_range_add(in[0], in[0] + in[1]))
		count_lost(HOOK_WRITE_FAULT, LOST_TABLE);
	else if (ret == 0 && kind == EV_UFFD_UNREGISTER &&
		 !wp_range_del(in[0], in[0] + in[1]))
		count_lost(HOOK_WRITE_FAULT, LOST_TABLE);
	/* The registered VMA's flags and backing are what the model needs (it
	 * tracks them from there); not on the hot ioctls: bpf_find_vma() takes
	 * mmap_lock, which the faulting writers want too. */
	if (kind == EV_UFFD_REGISTER)
		vma_info_at(&vi, in[0]);
	e = event_reserve(HOOK_SYSCALLS, kind);
	if (!e)
		return;
	e->ret = ret;
	event_set_vma_info(e, &vi);
	/* what the kernel wrote back (features, ioctls, bytes copied) */
	bpf_probe_read_user(out, sizeof(out), (void *)s->args[2]);
	switch (kind) {
	case EV_UFFD_OPEN:
		e->u.open.fd = ret;
		e->u.open.flags = s->args[2];
		break;
	case EV_UFFD_API:	/* struct uffdio_api { api, features, ioctls } */
		e->u.api.fd = s->args[0];
		e->u.api.api = in[0];
		e->u.api.features_req = in[1];
		e->u.api.features = ret == 0 ? out[1] : 0;
		e->u.api.ioctls = ret == 0 ? out[2] : 0;
		break;
	case EV_UFFD_REGISTER:	/* { range { start, len }, mode, ioctls } */
		set_range_request(e, s->args[0], in);
		e->u.range.ioctls = out[3];
		break;
	case EV_UFFD_UNREGISTER:
	case EV_UFFD_WRITEPROTECT:
		set_range_request(e, s->args[0], in);
		break;
	case EV_UFFD_COPY:	/* the result: copy.copy/move.move, else the struct's fourth word */
		set_fill_request(e, nr, s->args[0], in);
		e->u.fill.done = out[fill_has_src(nr) ? 4 : 3];
		break;
	}
	event_submit(e);
	/* No kernel hook sees move_pages() (static; it rewrites PTEs of dst and
	 * src without change_protection or zap): what it moved is observed here,
	 * dst and src, as far as the result says. */
	if (kind == EV_UFFD_COPY && nr == _UFFDIO_MOVE && (__s64)out[4] > 0) {
		pgtable_walk(current_mm(), in[0], in[0] + out[4], kind, HOOK_SYSCALLS);
		pgtable_walk(current_mm(), in[1], in[1] + out[4], kind, HOOK_SYSCALLS);
	}
	/* A registration is rare and its walk is the model's baseline: which
	 * pages are populated, and which are writable (exclusive anon). */
	if (kind == EV_UFFD_REGISTER && ret == 0)
		pgtable_walk(current_mm(), in[0], in[0] + in[1], kind, HOOK_SYSCALLS);
	else if (kind == EV_UFFD_WRITEPROTECT && ret == 0)
		walk_after_syscall(in[0], in[0] + in[1], kind);
}

struct uffd_msg_raw {
	__u8 event;
	__u8 reserved[7];
	__u64 arg[3];
};

/* The uffd_msg structs the target read from its userfaultfd. */
static __always_inline void report_uffd_msgs(struct sys_stash *s, __s64 ret)
{
	__u32 tgid = current_tgid();
	__u64 buf = s->args[1];
	__u32 n = ret > 0 ? ret / sizeof(struct uffd_msg_raw) : 0;

	for (__u32 i = 0; i < MAX_MSGS_PER_READ && i < n; i++) {
		struct uffd_msg_raw m = {};
		struct uffdwp_event *e;
		bool wp;

		if (bpf_probe_read_user(&m, sizeof(m), (void *)(buf + i * sizeof(m))))
			break;
		wp = m.event == UFFD_EVENT_PAGEFAULT && (m.arg[0] & UFFD_PAGEFAULT_FLAG_WP);
		if (m.event == UFFD_EVENT_FORK)	/* the child's uffd lands in our table */
			uffd_fd_add(tgid, (__u32)m.arg[0]);
		e = event_reserve(HOOK_SYSCALLS, wp ? EV_UFFD_WP_MESSAGE : EV_UFFD_MESSAGE);
		if (!e)
			break;
		e->u.msg.fd = s->args[0];
		e->u.msg.event = m.event;
		if (m.event == UFFD_EVENT_PAGEFAULT) {	/* pagefault { flags, address, ptid } */
			e->u.msg.flags = m.arg[0];
			e->start = m.arg[1] & ~4095UL;
			e->end = e->start + 4096;
		} else {
			e->u.msg.arg1 = m.arg[0];
			e->u.msg.arg2 = m.arg[1];
			e->u.msg.arg3 = m.arg[2];
		}
		event_submit(e);
	}
}

static __always_inline __u64 page_align_up(__u64 len)
{
	return (len + 4095) & ~4095UL;
}

static __always_inline __u32 mm_syscall_kind(__u32 sys)
{
	switch (sys) {
	case SYS_MPROTECT: return EV_MPROTECT;
	case SYS_MADVISE: return EV_MADVISE;
	case SYS_MUNMAP: return EV_MUNMAP;
	case SYS_MREMAP: return EV_MREMAP;
	case SYS_FALLOCATE: return EV_FALLOCATE;
	case SYS_MMAP: return EV_MMAP;
	}
	return 0;
}

#define MREMAP_DONTUNMAP	4
#define MADV_DONTNEED	4
#define MADV_REMOVE	9

static __always_inline void report_mm_syscall(struct sys_stash *s, __s64 ret)
{
	__u32 kind = mm_syscall_kind(s->kind);
	__u64 start = s->args[0], end = start + page_align_up(s->args[1]);
	struct vma_info vi = {};
	struct uffdwp_event *e;

	if (!kind)
		return;
	/* map updates first, as in report_uffd_ioctl(); a range with no slot
	 * left loses its write faults, counted as there */
	if (s->kind == SYS_MREMAP && (ret >= 0 || ret < -4095) &&
	    !wp_range_move(start, end - start, ret, page_align_up(s->args[2]),
			   s->args[3] & MREMAP_DONTUNMAP))
		count_lost(HOOK_WRITE_FAULT, LOST_TABLE);
	/* the VMA as the call left it (munmap and mremap leave none there) */
	if (kind == EV_MPROTECT || kind == EV_MADVISE)
		vma_info_at(&vi, start);
	e = event_reserve(HOOK_SYSCALLS, kind);
	if (!e)
		return;
	e->ret = ret;
	e->start = start;
	e->end = end;
	event_set_vma_info(e, &vi);
	switch (s->kind) {
	case SYS_MPROTECT:
		e->u.mprotect.prot = s->args[2];
		break;
	case SYS_MADVISE:
		e->u.madvise.advice = s->args[2];
		break;
	case SYS_MREMAP:
		e->u.mremap.new_len = s->args[2];
		e->u.mremap.flags = s->args[3];
		e->u.mremap.new_addr = s->args[4];
		break;
	case SYS_MMAP:		/* (addr, len, prot, flags, fd, offset) */
		e->u.mmap.prot = s->args[2];
		e->u.mmap.flags = s->args[3];
		e->u.mmap.fd = (__s32)s->args[4];
		break;
	case SYS_FALLOCATE:	/* (fd, mode, offset, len): a file range */
		e->start = s->args[2];
		e->end = s->args[2] + s->args[3];
		e->u.falloc.fd = s->args[0];
		e->u.falloc.mode = s->args[1];
		break;
	}
	event_submit(e);
	if (ret == 0 && kind == EV_MPROTECT)
		walk_after_syscall(start, end, kind);
	/* a zap's walk, as the zap hook's: none within one anonymous VMA no
	 * userfaultfd holds (zap_leaves_nothing_to_judge()); an unread VMA
	 * or a range past it is walked */
	if (ret == 0 && kind == EV_MADVISE &&
	    (s->args[2] == MADV_DONTNEED || s->args[2] == MADV_REMOVE) &&
	    !(vi.end && vi.zap_unjudged && start >= vi.start && end <= vi.end))
		walk_after_syscall(start, end, kind);
}

static __always_inline void report_uffd_open(__s64 fd, __u64 flags)
{
	struct uffdwp_event *e;

	uffd_fd_add(current_tgid(), fd);
	e = event_reserve(HOOK_SYSCALLS, EV_UFFD_OPEN);
	if (!e)
		return;
	e->ret = fd;
	e->u.open.fd = fd;
	e->u.open.flags = flags;
	event_submit(e);
}

/* A traced thread leaves a stashed syscall: report it (@s: its call in
 * flight, the caller's sys_stash_current(), NULL when none; @copy, @copies as
 * for sys_enter()). */
static __always_inline int sys_exit(struct sys_stash *s, __s64 ret, __u32 copy, __u32 copies)
{
	if (!s)
		return 0;
	if (s->copies.done) {	/* an earlier program reported it */
		if (copies_exit_done(&s->copies))
			sys_stash_free(s);
		return 0;
	}
	switch (s->recorded ? s->kind : 0) {
	case SYS_IOCTL:
		if (s->args[1] == PAGEMAP_SCAN)
			report_pm_scan_return(s, ret);
		else
			report_uffd_ioctl(s, ret);
		break;
	case SYS_READ:
		report_uffd_msgs(s, ret);
		break;
	case SYS_USERFAULTFD:
		if (ret >= 0)
			report_uffd_open(ret, s->args[0]);
		break;
	case 0:		/* nothing to record */
		break;
	default:
		report_mm_syscall(s, ret);
	}
	if (copies_exit_reported(&s->copies, copy, copies))
		sys_stash_free(s);
	return 0;
}

/* The file at fd in current's table, or NULL. */
static __always_inline const void *current_fd_file(__u64 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;

	if (!fds || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/*
 * close() of a uffd: the number is free again, and when this was the file's
 * last reference the context is released before the thread returns to user
 * space (fput()'s task work -> userfaultfd_release(): every range it
 * registered is unregistered, and since c88033efe9a3 its uffd-wp bits and
 * markers are cleared).  Another reference (a dup, a fork child's table, a
 * thread's fdget()) defers the release to its holder, which we do not see.
 */
static __always_inline void uffd_fd_close(__u64 fd)
{
	__u64 key = fd_key(current_tgid(), fd);
	struct uffdwp_event *e;
	const void *f;

	if (!traced_current() || !bpf_map_lookup_elem(&uffd_fds, &key))
		return;
	/* a closed uffd number may be reused by an ordinary file */
	bpf_map_delete_elem(&uffd_fds, &key);
	f = current_fd_file(fd);
	if (!f)
		return;
	e = event_reserve(HOOK_SYSCALLS, EV_UFFD_CLOSE);
	if (!e)
		return;
	e->u.close.fd = fd;
	e->u.close.released = file_one_reference(f);
	event_submit(e);
}

/*
 * Per-syscall tracepoints fire only for the syscalls we want; where the
 * kernel refuses them (perf-based attach), raw_syscalls below does the same.
 */
static __always_inline int tp_sys_enter(struct trace_event_raw_sys_enter *ctx, __u32 kind, int nargs)
{
	/*
	 * Only the syscall's own arguments: perf refuses (EACCES) a program that
	 * reads past the tracepoint record, and the record has nargs slots.
	 */
	__u64 args[6] = { ctx->args[0] };

	if (nargs > 1) args[1] = ctx->args[1];
	if (nargs > 2) args[2] = ctx->args[2];
	if (nargs > 3) args[3] = ctx->args[3];
	if (nargs > 4) args[4] = ctx->args[4];
	if (nargs > 5) args[5] = ctx->args[5];
	return sys_enter(traced_current(), sys_stash_current(), kind, args, 0, 1);
}

static __always_inline int tp_sys_exit(__s64 ret)
{
	return sys_exit(sys_stash_current(), ret, 0, 1);
}

#define SYSCALL_HOOK(name, kind, nargs)						\
SEC("tracepoint/syscalls/sys_enter_" #name)					\
int sys_enter_##name(struct trace_event_raw_sys_enter *ctx) { return tp_sys_enter(ctx, kind, nargs); } \
SEC("tracepoint/syscalls/sys_exit_" #name)					\
int sys_exit_##name(struct trace_event_raw_sys_exit *ctx) { return tp_sys_exit(ctx->ret); }

SYSCALL_HOOK(ioctl, SYS_IOCTL, 3)
SYSCALL_HOOK(read, SYS_READ, 3)
SYSCALL_HOOK(mprotect, SYS_MPROTECT, 3)
SYSCALL_HOOK(madvise, SYS_MADVISE, 3)
SYSCALL_HOOK(munmap, SYS_MUNMAP, 2)
SYSCALL_HOOK(mremap, SYS_MREMAP, 5)
SYSCALL_HOOK(fallocate, SYS_FALLOCATE, 4)
SYSCALL_HOOK(mmap, SYS_MMAP, 6)
SYSCALL_HOOK(userfaultfd, SYS_USERFAULTFD, 1)

SEC("tracepoint/syscalls/sys_enter_close")
int sys_enter_close(struct trace_event_raw_sys_enter *ctx)
{
	uffd_fd_close(ctx->args[0]);
	return 0;
}

static __always_inline __u32 sys_kind_of(long nr)
{
	switch (nr) {
	case SYSNR_ioctl: return SYS_IOCTL;
	case SYSNR_read: return SYS_READ;
	case SYSNR_mprotect: return SYS_MPROTECT;
	case SYSNR_madvise: return SYS_MADVISE;
	case SYSNR_munmap: return SYS_MUNMAP;
	case SYSNR_mremap: return SYS_MREMAP;
	case SYSNR_fallocate: return SYS_FALLOCATE;
	case SYSNR_mmap: return SYS_MMAP;
	case SYSNR_userfaultfd: return SYS_USERFAULTFD;
	}
	return 0;
}

/* Every syscall of the system comes to these programs (syscall_copies() per
 * tracepoint, struct sys_stash): its number first, before any map lookup. */
static __always_inline int on_raw_sys_enter(struct pt_regs *regs, long nr, __u32 copy)
{
	__u32 kind = sys_kind_of(nr);
	struct sys_stash *s = NULL;
	struct traced_task *t;

	/* uffd_fd_close() tests traced_current() itself; a later program's
	 * run finds the number already forgotten */
	if (nr == SYSNR_close) {
		uffd_fd_close(SYSCALL_ARG0(regs));
		return 0;
	}
	if (!kind)
		return 0;
	/* a later copy first asks the thread's own stash, which has its answer
	 * where an earlier copy ran: no traced_tgids lookup */
	if (copy) {
		s = sys_stash_current();
		if (s && copies_enter_stashed(&s->copies, copy))
			return 0;
	}
	t = traced_current();
	if (t) {
		__u64 args[6] = { SYSCALL_ARG0(regs), SYSCALL_ARG1(regs), SYSCALL_ARG2(regs),
				  SYSCALL_ARG3(regs), SYSCALL_ARG4(regs), SYSCALL_ARG5(regs) };

		if (!copy)
			s = sys_stash_current();
		sys_enter(t, s, kind, args, copy, syscall_copies());
	}
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(raw_sys_enter, struct pt_regs *regs, long nr)
{
	return on_raw_sys_enter(regs, nr, 0);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(raw_sys_enter_second, struct pt_regs *regs, long nr)
{
	return on_raw_sys_enter(regs, nr, 1);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(raw_sys_enter_third, struct pt_regs *regs, long nr)
{
	return on_raw_sys_enter(regs, nr, 2);
}

/*
 * A traced thread's call that sys_enter would have stashed, returning with no
 * stash: the kernel skipped every enter program (recursion_misses, struct
 * sys_stash), so its records are lost.  A PAGEMAP_SCAN whose argument could not
 * be read (stash_pm_scan(): -EFAULT, nothing to record) counts too.
 */
static __always_inline bool missed_enter(__u32 kind, struct pt_regs *regs)
{
	return traced_current() &&
	       call_is_recorded(kind, SYSCALL_ARG0(regs), SYSCALL_ARG1(regs), SYSCALL_ARG3(regs),
				current_tgid());
}

/* A done entry for the @pending later exit programs to find: this one
 * counted the call (no slot: they count it again, an overcount). */
static __always_inline void mark_exit_counted(__u32 kind, __u32 pending)
{
	struct sys_stash *s = sys_stash_slot();

	if (!s)
		return;
	s->kind = kind;
	s->copies = (struct stash_copies){ .done = 1, .exit_pending = pending };
}

/* Whether stash @s, not yet reported, is this call's (@kind, the saved
 * registers @regs): a call every exit program skipped leaves its stash to a
 * next call that every enter program skipped. */
static __always_inline bool stash_is_call(const struct sys_stash *s, __u32 kind,
					  struct pt_regs *regs)
{
	return s->kind == kind && s->args[0] == SYSCALL_ARG0(regs) &&
	       s->args[1] == SYSCALL_ARG1(regs);
}

static __always_inline int on_raw_sys_exit(struct pt_regs *regs, long ret, __u32 copy)
{
	__u32 kind = sys_kind_of(SYSCALL_NR(regs));
	struct sys_stash *s;

	if (!kind)
		return 0;
	s = sys_stash_current();
	/* the last call's, never reported: lost (this call is decided below) */
	if (s && !s->copies.done && !stash_is_call(s, kind, regs)) {
		if (s->recorded)
			count_lost(HOOK_SYSCALLS, LOST_SKIPPED);
		sys_stash_free(s);
		s = NULL;
	}
	/* Nothing stashed for this call (an entry that the first program finds
	 * done is the last call's, its later exit programs skipped).  Counted
	 * once: the copy that counts leaves a done entry that the later ones
	 * only count down; they count only where no earlier one ran. */
	if ((!s || (s->copies.done && copy == 0)) && missed_enter(kind, regs)) {
		count_lost(HOOK_SYSCALLS, LOST_SKIPPED);
		if (copies_after(copy, syscall_copies()))
			mark_exit_counted(kind, copies_after(copy, syscall_copies()));
		return 0;
	}
	return sys_exit(s, ret, copy, syscall_copies());
}

SEC("tp_btf/sys_exit")
int BPF_PROG(raw_sys_exit, struct pt_regs *regs, long ret)
{
	return on_raw_sys_exit(regs, ret, 0);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(raw_sys_exit_second, struct pt_regs *regs, long ret)
{
	return on_raw_sys_exit(regs, ret, 1);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(raw_sys_exit_third, struct pt_regs *regs, long ret)
{
	return on_raw_sys_exit(regs, ret, 2);
}
