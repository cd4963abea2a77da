// SPDX-License-Identifier: MIT
// Reads another process's memory (process_vm_readv, /proc/PID/mem), records and replays it.
#define _GNU_SOURCE
#include "inspect/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/grow.h"
#include "lib/input.h"
#include "lib/sort.h"
#include "lib/workpool.h"

#include "lib/banned.h"

/*
 * Snapshot file (docs/snapshot-format.md): a fixed little-endian header, then nranges
 * records {addr u64, len u64, bytes[len]} sorted by address, not overlapping, and nothing
 * after the last one.
 */
#define SNAP_MAGIC	   "CWSNAP1\n"
#define SNAP_MAGIC_LEN	   8
#define SNAP_OFF_PID	   8
#define SNAP_OFF_ARCH	   12
#define SNAP_OFF_LOAD_BIAS 16
#define SNAP_OFF_ALLGS	   24
#define SNAP_OFF_ALLGLEN   32
#define SNAP_OFF_MONO	   40
#define SNAP_OFF_NRANGES   48
#define SNAP_OFF_GOVERSION 56
#define SNAP_GOVERSION_LEN 32
#define SNAP_OFF_EXE	   (SNAP_OFF_GOVERSION + SNAP_GOVERSION_LEN)
#define SNAP_EXE_LEN	   4096
#define SNAP_HDR_LEN	   (SNAP_OFF_EXE + SNAP_EXE_LEN)
#define SNAP_RANGE_HDR_LEN 16

/* What a recording may hold (distinct bytes), and the largest snapshot file replayed. */
#define REC_MAX_BYTES (4ULL << 30)
#define SNAP_MAX_FILE (REC_MAX_BYTES + (1ULL << 30))
/* Reads kept uncoalesced before they are merged into the sorted ranges. */
#define REC_LOG_MIN (16ULL << 20)

#define MEM_IOV_MAX	 1024
#define MEM_COALESCE_MIN 64 /* requests in one readv worth sorting and merging */
/* Bytes between two requests read along with them (into a sink). The kernel pays far more per
 * remote iovec than per byte. A 1M-goroutine snapshot, alternated on one fixture: gaps up to
 * 4096 bytes read 3.6 GB in 2.7-2.9 s; up to 1024, 2.0 GB in 2.9-3.5 s; none, 1.0 GB in
 * 4.2-4.9 s; up to 16 KiB, 4.1 GB in 2.6-2.8 s (no better than 4096). */
#define MEM_COALESCE_GAP  4096
#define MEM_COALESCE_MAX  (64u << 10) /* bytes of one merged read at most */
#define MEM_EINTR_RETRIES 16
/*
 * Threads a live read uses by default: two, but never every CPU online, which would leave
 * the target's own threads none. On a 2-CPU machine, 58 alternated windows each on a
 * 100k-goroutine target: two threads made the snapshot 8% faster (245 against 265 ms); the
 * target's probe was later than a control probe on the same CPU by more than 1 ms in two
 * windows with two threads (37.6, 8.9 ms) and in none with one. Not conclusive: such
 * one-sided pauses, the control's as often as the target's, also came in a bench run with
 * one thread (88.9 ms in one window of 18).
 */
#define MEM_THREADS	   2
#define MEM_PROBE_MAPPINGS 64
#define MEM_PROBE_READS	   8

_Static_assert(sizeof(((struct snapshot_meta *)0)->go_version) == SNAP_GOVERSION_LEN,
	       "snapshot go_version field");
_Static_assert(sizeof(((struct snapshot_meta *)0)->exe) == SNAP_EXE_LEN, "snapshot exe field");

enum mem_kind {
	MEM_LIVE,
	MEM_REPLAY,
};

/* A run of bytes at addr: recorded (owned) or replayed (pointing into the file image). */
struct mem_range {
	uint64_t addr;
	uint64_t len;
	unsigned char *bytes;
};

/*
 * Reads kept for a recording: ranges are sorted, disjoint and not adjacent; log holds the
 * reads since the last merge, in the order they were made (a later read of the same bytes
 * wins: it is what the target held last).
 */
struct recording {
	char *path;
	int fd;
	struct mem_range *ranges;
	size_t nranges, ranges_alloc;
	uint64_t range_bytes;
	struct mem_range *log;
	size_t nlog, log_alloc;
	uint64_t log_bytes;
	int error; /* latched: -ENOMEM, -E2BIG; the recording is dropped */
};

/* The process_vm_readv buffers (too big for the stack) and what the calls read. */
struct pvr_batch {
	struct iovec liov[MEM_IOV_MAX];
	struct iovec riov[MEM_IOV_MAX];
	size_t req_of[MEM_IOV_MAX];	      /* the request of liov[i]; SIZE_MAX: a gap */
	unsigned char sink[MEM_COALESCE_GAP]; /* where the gaps of a coalesced read go */
	uint64_t bytes, calls;
	bool record; /* keep what is read (a recording) */
};

struct remote_mem {
	enum mem_kind kind;
	pid_t pid;
	int mem_fd; /* /proc/PID/mem, opened on first use */
	bool procfs;
	int fatal;
	uint64_t bytes, calls;
	struct recording *rec;
	bool have_meta;
	struct snapshot_meta meta;
	/* replay */
	unsigned char *image;
	size_t image_len;
	struct mem_range *ranges;
	size_t nranges;
	struct pvr_batch *batch; /* the caller's process_vm_readv buffers */
	struct pvr_plan *plan;	 /* a coalesced batch's calls, built before any is made */
	struct work_pool *pool;	 /* which makes them on threads threads (made on first use) */
	unsigned threads;
};

static bool errno_is_fatal(int e)
{
	return e == EPERM || e == EACCES || e == ESRCH;
}

static int mem_latch(struct remote_mem *m, int neg)
{
	if (!m->fatal)
		m->fatal = neg;
	return m->fatal;
}

/* Sets err (may be NULL) and returns ret. */
__attribute__((format(printf, 3, 4))) static int mem_err(struct cw_error *err, int ret,
							 const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* ---- recording ---- */

static void rec_drop_data(struct recording *r)
{
	for (size_t i = 0; i < r->nranges; i++)
		free(r->ranges[i].bytes);
	for (size_t i = 0; i < r->nlog; i++)
		free(r->log[i].bytes);
	free(r->ranges);
	free(r->log);
	r->ranges = r->log = NULL;
	r->nranges = r->ranges_alloc = r->nlog = r->log_alloc = 0;
	r->range_bytes = r->log_bytes = 0;
}

static void rec_fail(struct recording *r, int neg)
{
	if (!r->error)
		r->error = neg;
	rec_drop_data(r);
}

struct span {
	uint64_t start, end; /* end exclusive; never wraps (checked when kept) */
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/* The index of the last range starting at or before addr, or n when there is none. */
static size_t range_find(const struct mem_range *r, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : n;
}

/* Paints src (inside one merged range of u) onto it; adopts src's buffer when it is exact. */
static int rec_paint(struct mem_range *u, size_t nu, struct mem_range *src)
{
	size_t i = range_find(u, nu, src->addr);
	struct mem_range *d;

	if (i == nu)
		return -EINVAL; /* cannot happen: every source lies in the union */
	d = &u[i];
	if (!d->bytes && d->addr == src->addr && d->len == src->len) {
		d->bytes = src->bytes;
		src->bytes = NULL;
		return 0;
	}
	if (!d->bytes) {
		d->bytes = malloc(d->len);
		if (!d->bytes)
			return -ENOMEM;
	}
	memcpy(d->bytes + (src->addr - d->addr), src->bytes, src->len);
	free(src->bytes);
	src->bytes = NULL;
	return 0;
}

/* Merges the log into the sorted ranges: older ranges first, then the log in read order. */
static int rec_compact(struct recording *r)
{
	size_t n = r->nranges + r->nlog, nu = 0;
	struct span *sp = NULL;
	struct mem_range *u = NULL;
	uint64_t total = 0;
	int ret = 0;

	if (r->error)
		return r->error;
	if (!r->nlog)
		return 0;
	sp = calloc(n, sizeof(*sp));
	u = calloc(n, sizeof(*u));
	if (!sp || !u) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < r->nranges; i++)
		sp[i] = (struct span){r->ranges[i].addr, r->ranges[i].addr + r->ranges[i].len};
	for (size_t i = 0; i < r->nlog; i++)
		sp[r->nranges + i] = (struct span){r->log[i].addr, r->log[i].addr + r->log[i].len};
	qsort(sp, n, sizeof(*sp), span_cmp);
	for (size_t i = 0; i < n; i++) {
		if (nu && sp[i].start <= u[nu - 1].addr + u[nu - 1].len) {
			uint64_t end = u[nu - 1].addr + u[nu - 1].len;
			if (sp[i].end > end)
				u[nu - 1].len = sp[i].end - u[nu - 1].addr;
			continue;
		}
		u[nu++] = (struct mem_range){sp[i].start, sp[i].end - sp[i].start, NULL};
	}
	for (size_t i = 0; i < nu; i++)
		total += u[i].len;
	if (total > REC_MAX_BYTES) {
		ret = -E2BIG;
		goto cleanup;
	}
	for (size_t i = 0; i < r->nranges && !ret; i++)
		ret = rec_paint(u, nu, &r->ranges[i]);
	for (size_t i = 0; i < r->nlog && !ret; i++)
		ret = rec_paint(u, nu, &r->log[i]);
	if (ret)
		goto cleanup;
	rec_drop_data(r);
	r->ranges = u;
	r->nranges = r->ranges_alloc = nu;
	r->range_bytes = total;
	u = NULL;
cleanup:
	if (u) {
		for (size_t i = 0; i < nu; i++)
			free(u[i].bytes);
		free(u);
	}
	free(sp);
	if (ret)
		rec_fail(r, ret);
	return ret;
}

static void rec_add(struct remote_mem *m, uint64_t addr, const void *buf, size_t len)
{
	struct recording *r = m->rec;
	unsigned char *copy;
	uint64_t limit;

	if (!r || r->error || !len)
		return;
	if (addr + len < addr)
		return; /* ends at 2^64: no user mapping does, and a span end could not say it */
	if (len > REC_MAX_BYTES) {
		rec_fail(r, -E2BIG);
		return;
	}
	copy = malloc(len);
	if (!copy) {
		rec_fail(r, -ENOMEM);
		return;
	}
	memcpy(copy, buf, len);
	r->log = grow_array(r->log, &r->log_alloc, r->nlog + 1, sizeof(*r->log));
	r->log[r->nlog++] = (struct mem_range){addr, len, copy};
	r->log_bytes += len;
	/* Merge once the log outgrows the ranges: amortised n log n, memory within 2x. */
	limit = r->range_bytes > REC_LOG_MIN ? r->range_bytes : REC_LOG_MIN;
	if (r->log_bytes > limit || r->range_bytes + r->log_bytes > REC_MAX_BYTES)
		rec_compact(r);
}

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len > (1u << 30) ? (1u << 30) : len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void snap_header(unsigned char *h, const struct snapshot_meta *meta, uint64_t nranges)
{
	size_t l;

	memset(h, 0, SNAP_HDR_LEN);
	memcpy(h, SNAP_MAGIC, SNAP_MAGIC_LEN);
	put_u32(h + SNAP_OFF_PID, (uint32_t)meta->pid);
	put_u32(h + SNAP_OFF_ARCH, meta->arch);
	put_u64(h + SNAP_OFF_LOAD_BIAS, meta->load_bias);
	put_u64(h + SNAP_OFF_ALLGS, meta->allgs_addr);
	put_u64(h + SNAP_OFF_ALLGLEN, meta->allglen_addr);
	put_u64(h + SNAP_OFF_MONO, (uint64_t)meta->mono_ns);
	put_u64(h + SNAP_OFF_NRANGES, nranges);
	l = strnlen(meta->go_version, SNAP_GOVERSION_LEN - 1);
	memcpy(h + SNAP_OFF_GOVERSION, meta->go_version, l);
	l = strnlen(meta->exe, SNAP_EXE_LEN - 1);
	memcpy(h + SNAP_OFF_EXE, meta->exe, l);
}

/* Writes the recording to its file and closes it. */
static int rec_write(struct remote_mem *m, struct cw_error *err)
{
	struct recording *r = m->rec;
	struct snapshot_meta meta = {0};
	unsigned char *hdr = NULL, rh[SNAP_RANGE_HDR_LEN];
	int ret;

	ret = rec_compact(r);
	if (ret)
		goto fail;
	if (m->have_meta)
		meta = m->meta;
	else
		meta.pid = m->pid;
	hdr = malloc(SNAP_HDR_LEN);
	if (!hdr) {
		ret = -ENOMEM;
		goto fail;
	}
	snap_header(hdr, &meta, r->nranges);
	ret = write_all(r->fd, hdr, SNAP_HDR_LEN);
	for (size_t i = 0; i < r->nranges && !ret; i++) {
		put_u64(rh, r->ranges[i].addr);
		put_u64(rh + 8, r->ranges[i].len);
		ret = write_all(r->fd, rh, sizeof(rh));
		if (!ret)
			ret = write_all(r->fd, r->ranges[i].bytes, r->ranges[i].len);
	}
	if (close(r->fd) && !ret)
		ret = -errno;
	r->fd = -1;
	if (ret)
		goto fail;
	free(hdr);
	return 0;
fail:
	free(hdr);
	if (ret == -E2BIG)
		cw_error_set(err, "cannot record to '%s': more than %llu GiB of memory read",
			     r->path, REC_MAX_BYTES >> 30);
	else
		cw_error_set(err, "cannot write snapshot '%s': %s", r->path, strerror(-ret));
	return ret;
}

static void rec_free(struct recording *r)
{
	if (!r)
		return;
	rec_drop_data(r);
	if (r->fd >= 0)
		close(r->fd);
	free(r->path);
	free(r);
}

/* ---- live reads ---- */

static int procfs_open(struct remote_mem *m)
{
	char path[64];

	if (m->mem_fd >= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)m->pid);
	m->mem_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (m->mem_fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	return 0;
}

/* One request by pread: 0, -EFAULT (not all mapped), or a negative errno (fatal ones too). */
static int procfs_read_one(struct remote_mem *m, struct mem_req *r)
{
	unsigned char *buf = r->buf;
	size_t done = 0;
	int retries = 0;

	if (r->addr > (uint64_t)INT64_MAX || r->len > (uint64_t)INT64_MAX - r->addr)
		return -EFAULT;
	while (done < r->len) {
		ssize_t n;

		m->calls++;
		n = pread(m->mem_fd, buf + done, r->len - done, (off_t)(r->addr + done));
		if (n < 0 && errno == EINTR && retries++ < MEM_EINTR_RETRIES)
			continue;
		if (n < 0) {
			int e = errno;
			if (errno_is_fatal(e))
				return -e;
			if (e == EIO || e == EFAULT)
				return -EFAULT; /* as process_vm_readv: partly mapped is unmapped */
			return -e;
		}
		if (n == 0) /* the kernel gives 0 once the target's memory is gone */
			return -ESRCH;
		m->bytes += (uint64_t)n;
		done += (size_t)n;
	}
	return 0;
}

static int procfs_readv(struct remote_mem *m, struct mem_req *reqs, size_t n)
{
	int ret = procfs_open(m);

	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++) {
		if (!reqs[i].len) {
			reqs[i].result = 0;
			continue;
		}
		reqs[i].result = procfs_read_one(m, &reqs[i]);
		if (errno_is_fatal(-reqs[i].result))
			return reqs[i].result;
		if (!reqs[i].result)
			rec_add(m, reqs[i].addr, reqs[i].buf, reqs[i].len);
	}
	return 0;
}

/*
 * Gathers requests from *next into one batch of at most MEM_IOV_MAX iovecs whose lengths
 * sum within SSIZE_MAX; empty and impossible requests are answered on the way.
 */
static size_t pvr_gather(struct pvr_batch *b, struct mem_req *reqs, size_t n, size_t *next)
{
	size_t k = 0, j = *next;
	uint64_t total = 0;

	for (; j < n && k < MEM_IOV_MAX; j++) {
		struct mem_req *r = &reqs[j];

		if (!r->len) {
			r->result = 0;
			continue;
		}
		if (r->len > (size_t)SSIZE_MAX || r->addr + r->len < r->addr) {
			r->result = -EFAULT;
			continue;
		}
		if (total + r->len > (uint64_t)SSIZE_MAX)
			break;
		total += r->len;
		b->liov[k] = (struct iovec){r->buf, r->len};
		b->riov[k] = (struct iovec){(void *)(uintptr_t)r->addr, r->len};
		b->req_of[k] = j;
		k++;
	}
	*next = j;
	return k;
}

/*
 * process_vm_readv stops at the first remote iovec it cannot read and returns the bytes
 * copied before it (or -1/EFAULT when that is the first). The requests wholly copied are
 * done, the one it stopped in gets -EFAULT, and the batch restarts after it.
 */
static int pvr_run(struct remote_mem *m, struct pvr_batch *b, struct mem_req *reqs, size_t n)
{
	size_t i = 0;
	int retries = 0;

	while (i < n) {
		size_t next = i, k, q = 0;
		ssize_t got;

		k = pvr_gather(b, reqs, n, &next);
		if (!k) {
			i = next;
			continue;
		}
		b->calls++;
		got = process_vm_readv(m->pid, b->liov, k, b->riov, k, 0);
		if (got < 0) {
			int e = errno;
			if (e == EINTR && retries++ < MEM_EINTR_RETRIES)
				continue;
			if (e == ENOSYS || errno_is_fatal(e))
				return -e;
			reqs[b->req_of[0]].result = -e;
			i = b->req_of[0] + 1;
			continue;
		}
		b->bytes += (uint64_t)got;
		for (uint64_t left = (uint64_t)got; q < k && left >= b->liov[q].iov_len; q++) {
			struct mem_req *r = &reqs[b->req_of[q]];
			left -= b->liov[q].iov_len;
			r->result = 0;
			if (b->record)
				rec_add(m, r->addr, r->buf, r->len);
		}
		if (q == k) {
			i = next;
			continue;
		}
		reqs[b->req_of[q]].result = -EFAULT;
		i = b->req_of[q] + 1;
	}
	return 0;
}

/* m's process_vm_readv buffers, allocated on first use; NULL when out of memory. */
static struct pvr_batch *pvr_batch_of(struct remote_mem *m)
{
	if (!m->batch)
		m->batch = calloc(1, sizeof(*m->batch));
	return m->batch;
}

/* process_vm_readv over every request, through the caller's buffers. */
static int pvr_readv(struct remote_mem *m, struct mem_req *reqs, size_t n)
{
	int ret;

	if (!pvr_batch_of(m))
		return -ENOMEM;
	m->batch->record = m->rec != NULL;
	ret = pvr_run(m, m->batch, reqs, n);
	m->bytes += m->batch->bytes;
	m->calls += m->batch->calls;
	m->batch->bytes = m->batch->calls = 0;
	if (ret == -ENOSYS) { /* no process_vm_readv here: /proc/PID/mem for good */
		m->procfs = true;
		return procfs_readv(m, reqs, n);
	}
	return ret;
}

/*
 * Many small reads close together (the gs of one span, the stacks of one span, the sudogs of
 * one page) are read as one remote range when the gaps between them are small: the kernel
 * pays for each remote iovec (a lock and a page walk) far more than for a byte. The range is
 * scattered straight into the requests' buffers, its gaps into one sink buffer, so nothing is
 * copied twice and no scratch memory is faulted in. Overlapping requests start a new range.
 * A call that stops short (a hole in a gap) leaves its unfinished requests to a plain batch,
 * which restarts after each request it cannot read.
 */
struct coalesce_key {
	uint64_t addr; /* first: the sort key */
	size_t req;
};

#define SINK SIZE_MAX /* req_of of a gap's iovec */

/*
 * The process_vm_readv calls of one coalesced batch, planned before any is made, so that
 * several threads can make them at once (remote_mem_set_threads): the kernel's copy is most
 * of a snapshot's time, and each call fills requests of its own. Call c reads remote iovecs
 * riov[call.r0, + call.nr) into local ones liov[call.l0, + call.nl); req_of[l] is liov[l]'s
 * request, or SINK for a gap.
 */
struct pvr_plan {
	struct iovec *liov, *riov;
	size_t *req_of;
	size_t nl, nr, l_alloc, r_alloc, req_alloc;
	struct pvr_call {
		size_t l0, nl, r0, nr;
	} * calls;
	size_t ncalls, calls_alloc;
	/* the run: its requests and what the calls read */
	pid_t pid;
	struct mem_req *reqs;
	uint64_t bytes, syscalls; /* added to atomically */
};

static void plan_close_call(struct pvr_plan *p, size_t l0, size_t r0)
{
	if (p->nl == l0)
		return;
	p->calls = grow_array(p->calls, &p->calls_alloc, p->ncalls + 1, sizeof(*p->calls));
	p->calls[p->ncalls++] = (struct pvr_call){l0, p->nl - l0, r0, p->nr - r0};
}

/* Plans the reads of reqs' keys (sorted by address) as calls of at most MEM_IOV_MAX local
 * and remote iovecs, each remote one a range of requests with gaps up to MEM_COALESCE_GAP. */
static void plan_build(struct pvr_plan *p, struct mem_req *reqs, const struct coalesce_key *keys,
		       size_t nkeys, void *sink)
{
	size_t l0 = 0, r0 = 0;
	uint64_t gend = 0;

	p->nl = p->nr = p->ncalls = 0;
	p->liov = grow_array(p->liov, &p->l_alloc, 2 * nkeys, sizeof(*p->liov));
	p->req_of = grow_array(p->req_of, &p->req_alloc, 2 * nkeys, sizeof(*p->req_of));
	p->riov = grow_array(p->riov, &p->r_alloc, nkeys, sizeof(*p->riov));
	for (size_t j = 0; j < nkeys; j++) {
		struct mem_req *r = &reqs[keys[j].req];
		bool extend = p->nr > r0 && r->addr >= gend && r->addr - gend <= MEM_COALESCE_GAP;

		if (p->nl - l0 + 2 > MEM_IOV_MAX || (!extend && p->nr - r0 == MEM_IOV_MAX)) {
			plan_close_call(p, l0, r0);
			l0 = p->nl, r0 = p->nr;
			extend = false;
		}
		if (extend && r->addr > gend) {
			p->liov[p->nl] = (struct iovec){sink, r->addr - gend};
			p->req_of[p->nl++] = SINK;
		}
		if (!extend)
			p->riov[p->nr++] = (struct iovec){(void *)(uintptr_t)r->addr, 0};
		p->liov[p->nl] = (struct iovec){r->buf, r->len};
		p->req_of[p->nl++] = keys[j].req;
		gend = r->addr + r->len;
		p->riov[p->nr - 1].iov_len =
		    gend - (uint64_t)(uintptr_t)p->riov[p->nr - 1].iov_base;
	}
	plan_close_call(p, l0, r0);
}

/*
 * Makes call c of the plan (a work_pool task): marks the requests it read whole 0 and
 * leaves the others 1. Returns 0, or a negative errno that ends the batch: -ENOSYS (the
 * caller reads it all again through /proc/PID/mem) or one that makes every read fail.
 */
static int plan_call(void *ctx, size_t c)
{
	struct pvr_plan *p = ctx;
	const struct pvr_call *call = &p->calls[c];
	const struct iovec *liov = p->liov + call->l0;
	ssize_t got;
	uint64_t left;
	int retries = 0;

	do {
		__atomic_fetch_add(&p->syscalls, 1, __ATOMIC_RELAXED);
		got = process_vm_readv(p->pid, liov, call->nl, p->riov + call->r0, call->nr, 0);
	} while (got < 0 && errno == EINTR && retries++ < MEM_EINTR_RETRIES);
	if (got < 0) {
		int e = errno;
		if (e == ENOSYS || errno_is_fatal(e))
			return -e;
		got = 0; /* the first range failed: its requests are read alone */
	}
	__atomic_fetch_add(&p->bytes, (uint64_t)got, __ATOMIC_RELAXED);
	left = (uint64_t)got;
	for (size_t q = 0; q < call->nl && left >= liov[q].iov_len; q++) {
		left -= liov[q].iov_len;
		if (p->req_of[call->l0 + q] != SINK)
			p->reqs[p->req_of[call->l0 + q]].result = 0;
	}
	return 0;
}

static void plan_free(struct pvr_plan *p)
{
	if (!p)
		return;
	free(p->liov);
	free(p->riov);
	free(p->req_of);
	free(p->calls);
	free(p);
}

/* Reads the requests still marked 1 (not read) as a plain batch, which restarts after each
 * request it cannot read. */
static int pvr_readv_unfinished(struct remote_mem *m, struct mem_req *reqs, size_t n)
{
	size_t nrest = 0, *from;
	struct mem_req *rest;
	int ret;

	for (size_t i = 0; i < n; i++)
		nrest += reqs[i].result == 1;
	if (!nrest)
		return 0;
	rest = malloc(nrest * sizeof(*rest));
	from = malloc(nrest * sizeof(*from));
	if (!rest || !from) {
		free(rest);
		free(from);
		return -ENOMEM;
	}
	nrest = 0;
	for (size_t i = 0; i < n; i++)
		if (reqs[i].result == 1) {
			from[nrest] = i;
			rest[nrest++] = reqs[i];
		}
	ret = pvr_readv(m, rest, nrest);
	for (size_t j = 0; j < nrest; j++)
		reqs[from[j]].result = rest[j].result;
	free(rest);
	free(from);
	return ret;
}

static int pvr_readv_coalesced(struct remote_mem *m, struct mem_req *reqs, size_t n)
{
	struct coalesce_key *keys = malloc(2 * n * sizeof(*keys)); /* and the sort's scratch */
	struct pvr_batch *b = pvr_batch_of(m);
	size_t nkeys = 0;
	int ret = 0;

	if (!m->plan)
		m->plan = calloc(1, sizeof(*m->plan));
	if (!keys || !b || !m->plan) {
		free(keys);
		return pvr_readv(m, reqs, n);
	}
	for (size_t i = 0; i < n; i++) {
		reqs[i].result = 1; /* not read yet */
		if (!reqs[i].len) {
			reqs[i].result = 0;
			continue;
		}
		if (reqs[i].len > MEM_COALESCE_MAX || reqs[i].addr + reqs[i].len < reqs[i].addr)
			continue; /* read alone, below */
		keys[nkeys++] = (struct coalesce_key){reqs[i].addr, i};
	}
	for (size_t j = 1; j < nkeys; j++)
		if (keys[j].addr < keys[j - 1].addr) { /* often already in address order */
			sort_by_u64_key(keys, keys + n, nkeys, sizeof(*keys));
			break;
		}
	plan_build(m->plan, reqs, keys, nkeys, b->sink);
	m->plan->pid = m->pid;
	m->plan->reqs = reqs;
	m->plan->bytes = m->plan->syscalls = 0;
	if (!m->pool && m->threads > 1)
		m->pool = work_pool_new(m->threads); /* NULL: the calling thread alone */
	ret = work_pool_run(m->pool, m->plan->ncalls, plan_call, m->plan);
	m->bytes += m->plan->bytes;
	m->calls += m->plan->syscalls;
	free(keys);
	if (ret == -ENOSYS) { /* no process_vm_readv here: /proc/PID/mem for good */
		m->procfs = true;
		return procfs_readv(m, reqs, n);
	}
	return ret ? ret : pvr_readv_unfinished(m, reqs, n);
}

/* ---- replay ---- */

static int replay_read_one(struct remote_mem *m, uint64_t addr, void *buf, size_t len)
{
	unsigned char *out = buf;
	uint64_t cur = addr;
	size_t i;

	if (!len)
		return 0;
	if (addr + len - 1 < addr)
		return -EFAULT;
	i = range_find(m->ranges, m->nranges, addr);
	if (i == m->nranges)
		return -EFAULT;
	while (len) {
		const struct mem_range *r;
		uint64_t off, take;

		if (i >= m->nranges || m->ranges[i].addr > cur)
			return -EFAULT;
		r = &m->ranges[i];
		off = cur - r->addr;
		if (off >= r->len)
			return -EFAULT;
		take = r->len - off < len ? r->len - off : len;
		memcpy(out, r->bytes + off, take);
		out += take;
		cur += take;
		len -= take;
		i++;
	}
	return 0;
}

static int replay_readv(struct remote_mem *m, struct mem_req *reqs, size_t n)
{
	m->calls++;
	for (size_t i = 0; i < n; i++) {
		reqs[i].result = replay_read_one(m, reqs[i].addr, reqs[i].buf, reqs[i].len);
		if (!reqs[i].result) {
			m->bytes += reqs[i].len;
			rec_add(m, reqs[i].addr, reqs[i].buf, reqs[i].len);
		}
	}
	return 0;
}

/* Sets err to "NAME: WHAT" and returns -EINVAL. */
__attribute__((format(printf, 3, 4))) static int
snap_invalid(struct cw_error *err, const char *name, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return -EINVAL;
	n = snprintf(err->msg, sizeof(err->msg), "%s: ", name);
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Checks the image and indexes its ranges. Errors name the file (-EINVAL). */
static int replay_parse(struct remote_mem *m, const char *name, struct cw_error *err)
{
	const unsigned char *p = m->image;
	size_t len = m->image_len, off = SNAP_HDR_LEN;
	struct snapshot_meta *meta = &m->meta;
	uint64_t nranges, prev_end = 0;

	if (len < SNAP_HDR_LEN)
		return snap_invalid(err, name, "truncated header (%zu of %d bytes)", len,
				    SNAP_HDR_LEN);
	if (memcmp(p, SNAP_MAGIC, SNAP_MAGIC_LEN))
		return snap_invalid(err, name, "not a chanwatch snapshot (bad magic)");
	if (!memchr(p + SNAP_OFF_GOVERSION, 0, SNAP_GOVERSION_LEN))
		return snap_invalid(err, name, "go version is not NUL-terminated");
	if (!memchr(p + SNAP_OFF_EXE, 0, SNAP_EXE_LEN))
		return snap_invalid(err, name, "executable path is not NUL-terminated");
	memset(meta, 0, sizeof(*meta));
	meta->pid = (int32_t)get_u32(p + SNAP_OFF_PID);
	meta->arch = get_u32(p + SNAP_OFF_ARCH);
	meta->load_bias = get_u64(p + SNAP_OFF_LOAD_BIAS);
	meta->allgs_addr = get_u64(p + SNAP_OFF_ALLGS);
	meta->allglen_addr = get_u64(p + SNAP_OFF_ALLGLEN);
	meta->mono_ns = (int64_t)get_u64(p + SNAP_OFF_MONO);
	memcpy(meta->go_version, p + SNAP_OFF_GOVERSION, SNAP_GOVERSION_LEN);
	memcpy(meta->exe, p + SNAP_OFF_EXE, SNAP_EXE_LEN);
	m->have_meta = true;

	nranges = get_u64(p + SNAP_OFF_NRANGES);
	if (nranges > (len - SNAP_HDR_LEN) / SNAP_RANGE_HDR_LEN)
		return snap_invalid(err, name, "%" PRIu64 " ranges cannot fit in %zu bytes",
				    nranges, len);
	m->ranges = calloc(nranges ? nranges : 1, sizeof(*m->ranges));
	if (!m->ranges)
		return mem_err(err, -ENOMEM, "%s: out of memory", name);
	for (uint64_t i = 0; i < nranges; i++) {
		uint64_t addr, rlen;

		if (len - off < SNAP_RANGE_HDR_LEN)
			return snap_invalid(
			    err, name, "range %" PRIu64 " header runs past the end of the file", i);
		addr = get_u64(p + off);
		rlen = get_u64(p + off + 8);
		off += SNAP_RANGE_HDR_LEN;
		if (!rlen)
			return snap_invalid(err, name, "range %" PRIu64 " is empty", i);
		if (rlen > len - off)
			return snap_invalid(err, name,
					    "range %" PRIu64 " runs past the end of the file", i);
		if (addr + rlen < addr)
			return snap_invalid(err, name,
					    "range %" PRIu64 " wraps around the address space", i);
		if (i && addr < m->ranges[i - 1].addr)
			return snap_invalid(err, name, "range %" PRIu64 " is out of address order",
					    i);
		if (i && addr < prev_end)
			return snap_invalid(err, name, "range %" PRIu64 " overlaps range %" PRIu64,
					    i, i - 1);
		m->ranges[i] = (struct mem_range){addr, rlen, m->image + off};
		prev_end = addr + rlen;
		off += rlen;
	}
	m->nranges = nranges;
	if (off != len)
		return snap_invalid(err, name, "%zu bytes after the last range", len - off);
	return 0;
}

/* Takes image (malloc'd) in every case. */
static int replay_open_image(struct remote_mem **out, unsigned char *image, size_t len,
			     const char *name, struct snapshot_meta *meta, struct cw_error *err)
{
	struct remote_mem *m;
	int ret;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		free(image);
		return mem_err(err, -ENOMEM, "out of memory");
	}
	m->kind = MEM_REPLAY;
	m->mem_fd = -1;
	m->image = image;
	m->image_len = len;
	ret = replay_parse(m, name ? name : "snapshot", err);
	if (ret) {
		remote_mem_close(m, NULL);
		return ret;
	}
	m->pid = m->meta.pid;
	if (meta)
		*meta = m->meta;
	*out = m;
	return 0;
}

int remote_mem_open_replay_mem(struct remote_mem **out, const void *data, size_t len,
			       const char *name, struct snapshot_meta *meta, struct cw_error *err)
{
	unsigned char *copy;

	*out = NULL;
	if (len > SNAP_MAX_FILE)
		return mem_err(err, -EINVAL, "%s: larger than %llu GiB", name ? name : "snapshot",
			       SNAP_MAX_FILE >> 30);
	copy = malloc(len ? len : 1);
	if (!copy)
		return mem_err(err, -ENOMEM, "out of memory");
	if (len)
		memcpy(copy, data, len);
	return replay_open_image(out, copy, len, name, meta, err);
}

int remote_mem_open_replay(struct remote_mem **out, const char *path, struct snapshot_meta *meta,
			   struct cw_error *err)
{
	struct input in;
	unsigned char *image = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	if (input_open(&in, path, NULL, err)) {
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		cw_error_set(err, "cannot open '%s': %s", path, why);
		return -ENOENT;
	}
	ret = input_slurp(&in, SNAP_MAX_FILE, &image, &len);
	input_close(&in);
	if (ret == -E2BIG)
		return mem_err(err, -EINVAL, "%s: larger than %llu GiB", path, SNAP_MAX_FILE >> 30);
	if (ret)
		return mem_err(err, ret, "cannot read '%s': %s", path, strerror(-ret));
	return replay_open_image(out, image, len, path, meta, err);
}

/* ---- opening a live process ---- */

static int mem_perm_error(pid_t pid, int ret, struct cw_error *err)
{
	return mem_err(err, ret,
		       "no permission to read process %d's memory: needs ptrace permission (run as "
		       "root, or as its user with kernel.yama.ptrace_scope=0)",
		       (int)pid);
}

/*
 * Reads a few bytes of the first readable mappings of /proc/PID/maps until one succeeds, so
 * a permission problem shows at open. Returns 0 or a fatal negative errno.
 */
static int mem_probe(struct remote_mem *m)
{
	char path[64], line[512];
	unsigned char byte[8];
	int tries = 0, lines = 0, ret = 0;
	bool any = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)m->pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (fgets(line, sizeof(line), f) && lines++ < MEM_PROBE_MAPPINGS &&
	       tries < MEM_PROBE_READS) {
		unsigned long start, end;
		char perms[5];

		if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) != 3 || perms[0] != 'r' ||
		    end <= start || strstr(line, "[vvar") || strstr(line, "[vsyscall]"))
			continue;
		any = true;
		tries++;
		ret =
		    remote_mem_read(m, start, byte, end - start < sizeof(byte) ? 1 : sizeof(byte));
		if (!ret || errno_is_fatal(-ret))
			break;
		ret = 0;
	}
	fclose(f);
	if (!ret && !any) {
		/* No mappings: a zombie or a kernel thread; the read tells which error. */
		ret = remote_mem_read(m, 0x10000, byte, 1);
		if (!errno_is_fatal(-ret))
			ret = 0;
	}
	return errno_is_fatal(-ret) ? ret : 0;
}

int remote_mem_open_pid(struct remote_mem **out, pid_t pid, struct cw_error *err)
{
	struct remote_mem *m;
	int ret;

	*out = NULL;
	if (pid <= 0)
		return mem_err(err, -EINVAL, "invalid process id %d", (int)pid);
	m = calloc(1, sizeof(*m));
	if (!m)
		return mem_err(err, -ENOMEM, "out of memory");
	m->kind = MEM_LIVE;
	m->pid = pid;
	m->mem_fd = -1;
	m->threads = sysconf(_SC_NPROCESSORS_ONLN) > MEM_THREADS ? MEM_THREADS : 1;
	ret = mem_probe(m);
	m->bytes = m->calls = 0; /* the stats count the caller's reads */
	if (ret == -ESRCH) {
		cw_error_set(err, "process %d does not exist", (int)pid);
	} else if (ret == -EPERM || ret == -EACCES) {
		mem_perm_error(pid, ret, err);
	} else if (ret) {
		cw_error_set(err, "cannot read process %d's memory: %s", (int)pid, strerror(-ret));
	}
	if (ret) {
		remote_mem_close(m, NULL);
		return ret;
	}
	*out = m;
	return 0;
}

int remote_mem_use_procfs(struct remote_mem *m, struct cw_error *err)
{
	int ret;

	if (m->kind != MEM_LIVE)
		return mem_err(err, -EINVAL, "not a live process");
	ret = procfs_open(m);
	if (ret == -ESRCH)
		return mem_err(err, ret, "process %d does not exist", (int)m->pid);
	if (ret == -EPERM || ret == -EACCES)
		return mem_perm_error(m->pid, ret, err);
	if (ret)
		return mem_err(err, ret, "cannot open /proc/%d/mem: %s", (int)m->pid,
			       strerror(-ret));
	m->procfs = true;
	return 0;
}

void remote_mem_set_threads(struct remote_mem *m, unsigned threads)
{
	threads = threads < 1 ? 1 : threads > WORK_POOL_MAX ? WORK_POOL_MAX : threads;
	if (!m || m->threads == threads)
		return;
	work_pool_free(m->pool);
	m->pool = NULL;
	m->threads = threads;
}

/* ---- the read operation ---- */

long remote_mem_readv(struct remote_mem *m, struct mem_req *reqs, size_t n)
{
	long ok = 0;
	int ret = 0;

	if (!m)
		return -EINVAL;
	if (m->fatal) {
		ret = m->fatal;
	} else if (m->kind == MEM_REPLAY) {
		ret = replay_readv(m, reqs, n);
	} else if (m->procfs) {
		ret = procfs_readv(m, reqs, n);
	} else if (!m->rec && n >= MEM_COALESCE_MIN) {
		ret = pvr_readv_coalesced(m, reqs, n);
	} else {
		ret = pvr_readv(m, reqs, n);
	}
	if (ret) {
		mem_latch(m, ret);
		/* What the fatal error cut short is not read either. */
		for (size_t i = 0; i < n; i++)
			reqs[i].result = m->fatal;
		return m->fatal;
	}
	for (size_t i = 0; i < n; i++)
		ok += !reqs[i].result;
	return ok;
}

int remote_mem_read(struct remote_mem *m, uint64_t addr, void *buf, size_t len)
{
	struct mem_req r = {.addr = addr, .buf = buf, .len = len, .result = -EFAULT};
	long n = remote_mem_readv(m, &r, 1);

	return n < 0 ? (int)n : r.result;
}

int remote_mem_fatal(const struct remote_mem *m)
{
	return m ? m->fatal : -EINVAL;
}

int remote_mem_record(struct remote_mem *m, const char *path, struct cw_error *err)
{
	struct recording *r;

	if (m->rec)
		return mem_err(err, -EBUSY, "already recording to '%s'", m->rec->path);
	r = calloc(1, sizeof(*r));
	if (!r)
		return mem_err(err, -ENOMEM, "out of memory");
	r->path = strdup(path);
	if (!r->path) {
		free(r);
		return mem_err(err, -ENOMEM, "out of memory");
	}
	r->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (r->fd < 0) {
		int e = errno;
		cw_error_set(err, "cannot create '%s': %s", path, strerror(e));
		rec_free(r);
		return -e;
	}
	m->rec = r;
	return 0;
}

void remote_mem_set_meta(struct remote_mem *m, const struct snapshot_meta *meta)
{
	m->meta = *meta;
	m->meta.go_version[sizeof(m->meta.go_version) - 1] = '\0';
	m->meta.exe[sizeof(m->meta.exe) - 1] = '\0';
	m->have_meta = true;
}

void remote_mem_stats(const struct remote_mem *m, uint64_t *bytes, uint64_t *calls)
{
	if (bytes)
		*bytes = m ? m->bytes : 0;
	if (calls)
		*calls = m ? m->calls : 0;
}

int remote_mem_close(struct remote_mem *m, struct cw_error *err)
{
	int ret = 0;

	if (!m)
		return 0;
	if (m->rec) {
		ret = m->rec->error;
		if (ret == -E2BIG)
			cw_error_set(err,
				     "cannot record to '%s': more than %llu GiB of memory read",
				     m->rec->path, REC_MAX_BYTES >> 30);
		else if (ret)
			cw_error_set(err, "cannot record to '%s': %s", m->rec->path,
				     strerror(-ret));
		else
			ret = rec_write(m, err);
		rec_free(m->rec);
	}
	if (m->mem_fd >= 0)
		close(m->mem_fd);
	free(m->ranges);
	free(m->image);
	free(m->batch);
	plan_free(m->plan);
	work_pool_free(m->pool);
	free(m);
	return ret;
}
