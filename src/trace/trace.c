// SPDX-License-Identifier: MIT
// Loader: the skeleton of chanwatch.bpf.c, configured per Go version, attached as plain uprobes.
#include "trace/trace.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/chanwatch.h"
#include "chanwatch.skel.h"
#include "lib/banned.h"

struct tracer {
	struct chanwatch_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[8 + 3 * PROBE_MAX_RETS];
	size_t nlinks;
	int (*fn)(void *ctx, const struct trace_event *e);
	void *ctx;
	int stop;
};

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int attach(struct tracer *t, struct bpf_program *prog, const struct trace_options *o,
		  const struct probe_point *p, const char *what, struct cw_error *err)
{
	struct bpf_link *l =
	    bpf_program__attach_uprobe(prog, false, o->pid ? o->pid : -1, o->binary, p->offset);
	int e = -errno;

	if (!l) {
		if (e == 0)
			e = -EINVAL;
		cw_error_set(err, "cannot attach a uprobe to %s in '%s': %s", what, o->binary,
			     strerror(-e));
		return e;
	}
	t->links[t->nlinks++] = l;
	return 0;
}

static int need_const(const struct rl_const *c, const char *name, struct cw_error *err)
{
	if (!c->known || c->value < 0 || c->value > 255)
		return cw_error_set(err, "the runtime layout has no %s", name);
	return 0;
}

int tracer_open(struct tracer **out, const struct trace_options *o, struct cw_error *err)
{
	const struct runtime_layout *l = o->layout;
	struct tracer *t;
	int ret;

	*out = NULL;
	if (!l->g_goid.known || !l->hchan_lock.known || !l->hchan_closed.known)
		return cw_error_set(err, "the runtime layout lacks g.goid or hchan fields"),
		       -EINVAL;
	if (need_const(&l->wr_chan_send, "waitReasonChanSend", err) ||
	    need_const(&l->wr_chan_receive, "waitReasonChanReceive", err))
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return cw_error_set(err, "out of memory"), -ENOMEM;
	libbpf_set_print(silent_print);
	t->skel = chanwatch_bpf__open();
	if (!t->skel) {
		ret = -errno;
		cw_error_set(err, "cannot open the BPF programs: %s", strerror(errno));
		goto fail;
	}
	t->skel->rodata->goid_off = l->g_goid.off;
	t->skel->rodata->hchan_lock_off = l->hchan_lock.off;
	t->skel->rodata->hchan_closed_off = l->hchan_closed.off;
	t->skel->rodata->gopc_off = l->g_gopc.known ? l->g_gopc.off : 0;
	if (l->g_waiting.known && l->sudog_c.known && l->sudog_waitlink.known &&
	    l->wr_select.known) {
		t->skel->rodata->waiting_off = l->g_waiting.off;
		t->skel->rodata->sudog_c_off = l->sudog_c.off;
		t->skel->rodata->sudog_waitlink_off = l->sudog_waitlink.off;
	}
	if (l->wr_synctest_select.known)
		t->skel->rodata->wr_select_sync = (uint8_t)l->wr_synctest_select.value;
	t->skel->rodata->wr_chan_send = (uint8_t)l->wr_chan_send.value;
	t->skel->rodata->wr_chan_receive = (uint8_t)l->wr_chan_receive.value;
	/* 0 never matches a channel wait here: waitReasonZero is 0 in every version. */
	if (l->wr_select.known)
		t->skel->rodata->wr_select = (uint8_t)l->wr_select.value;
	if (l->wr_select_no_cases.known)
		t->skel->rodata->wr_select_no_cases = (uint8_t)l->wr_select_no_cases.value;
	if (l->wr_chan_receive_nil_chan.known)
		t->skel->rodata->wr_chan_recv_nil = (uint8_t)l->wr_chan_receive_nil_chan.value;
	if (l->wr_chan_send_nil_chan.known)
		t->skel->rodata->wr_chan_send_nil = (uint8_t)l->wr_chan_send_nil_chan.value;
	if (l->wr_synctest_chan_send.known)
		t->skel->rodata->wr_chan_send_sync = (uint8_t)l->wr_synctest_chan_send.value;
	if (l->wr_synctest_chan_receive.known)
		t->skel->rodata->wr_chan_recv_sync = (uint8_t)l->wr_synctest_chan_receive.value;
	t->skel->rodata->target_tgid = (uint32_t)o->pid;
	t->skel->rodata->empty_probes = o->empty_probes;
	ret = chanwatch_bpf__load(t->skel);
	if (ret) {
		if (ret == -EPERM || ret == -EACCES)
			cw_error_set(err,
				     "cannot load BPF programs: %s (needs root, or CAP_BPF and "
				     "CAP_PERFMON)",
				     strerror(-ret));
		else
			cw_error_set(err, "cannot load BPF programs: %s", strerror(-ret));
		goto fail;
	}
	if ((ret = attach(t, t->skel->progs.makechan_entry, o, &o->probes->makechan,
			  "runtime.makechan", err)) ||
	    (ret = attach(t, t->skel->progs.closechan_entry, o, &o->probes->closechan,
			  "runtime.closechan", err)) ||
	    (ret =
		 attach(t, t->skel->progs.gopark, o, &o->probes->gopark, "runtime.gopark", err)) ||
	    (ret = attach(t, t->skel->progs.ready, o, &o->probes->ready, "runtime.ready", err)) ||
	    (ret =
		 attach(t, t->skel->progs.goexit1, o, &o->probes->goexit1, "runtime.goexit1", err)))
		goto fail;
	for (size_t i = 0; i < o->probes->nmakechan_rets; i++)
		if ((ret = attach(t, t->skel->progs.makechan_ret, o, &o->probes->makechan_rets[i],
				  "a RET of runtime.makechan", err)))
			goto fail;
	for (size_t i = 0; i < o->probes->nselect_panics; i++)
		if ((ret = attach(t, t->skel->progs.select_panic, o, &o->probes->select_panics[i],
				  "a gopanic call in runtime.selectgo", err)))
			goto fail;
	for (size_t i = 0; i < o->probes->nsend_panics; i++)
		if ((ret = attach(t, t->skel->progs.chansend_panic, o, &o->probes->send_panics[i],
				  "a gopanic call in runtime.chansend", err)))
			goto fail;
	*out = t;
	return 0;
fail:
	tracer_close(t);
	return ret ? ret : -EINVAL;
}

static int on_sample(void *ctx, void *data, size_t len)
{
	struct tracer *t = ctx;
	const struct cw_event *e = data;
	struct trace_event te;
	int r;

	if (len < sizeof(*e))
		return 0;
	te.ts_ns = e->ts_ns;
	te.goid = e->goid;
	te.chan = e->chan;
	te.arg = e->arg;
	te.aux = e->aux;
	te.type = e->type;
	te.tgid = e->tgid;
	te.stack_id = e->stack_id;
	te.reason = e->reason;
	te.nsel = e->nsel > CW_SELECT_CHANS ? CW_SELECT_CHANS : e->nsel;
	memcpy(te.sel, e->sel, sizeof(te.sel));
	r = t->fn(t->ctx, &te);
	if (r < 0) {
		t->stop = r;
		return r;
	}
	return 0;
}

int tracer_poll(struct tracer *t, int timeout_ms, int (*fn)(void *ctx, const struct trace_event *e),
		void *ctx)
{
	int n;

	t->fn = fn;
	t->ctx = ctx;
	t->stop = 0;
	if (!t->rb) {
		t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_sample, t, NULL);
		if (!t->rb)
			return -errno;
	}
	/* The BPF side wakes us only past a threshold (a wakeup per event costs more than
	 * the probe): wait, then take whatever is there either way. */
	n = ring_buffer__poll(t->rb, timeout_ms);
	if (n == -EINTR)
		n = 0;
	if (n >= 0 && !t->stop) {
		int m = ring_buffer__consume(t->rb);
		n = m < 0 ? m : n + m;
	}
	if (t->stop)
		return t->stop;
	return n == -EINTR ? 0 : n;
}

size_t tracer_stack(struct tracer *t, int32_t stack_id, uint64_t *pcs, size_t max)
{
	uint64_t buf[CW_STACK_DEPTH];
	uint32_t key = (uint32_t)stack_id;
	size_t n = 0;

	if (stack_id < 0 || bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.stacks), &key, buf))
		return 0;
	while (n < CW_STACK_DEPTH && n < max && buf[n]) {
		pcs[n] = buf[n];
		n++;
	}
	return n;
}

void tracer_dropped(struct tracer *t, uint64_t *events, uint64_t *stacks)
{
	int ncpu = libbpf_num_possible_cpus();
	*events = *stacks = 0;
	if (ncpu <= 0)
		return;
	uint64_t *vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return;
	for (uint32_t which = 0; which < 3; which++) {
		uint64_t sum = 0;
		if (!bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.dropped), &which, vals))
			for (int i = 0; i < ncpu; i++)
				sum += vals[i];
		/* goroutines not followed lose their events: count them as dropped events */
		*(which == 1 ? stacks : events) += sum;
	}
	free(vals);
}

void tracer_close(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	for (size_t i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	chanwatch_bpf__destroy(t->skel);
	free(t);
}
