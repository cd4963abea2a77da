// SPDX-License-Identifier: GPL-2.0 OR MIT
// BPF side of `chanwatch trace`: plain uprobes on the Go runtime's channel slow paths.
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "chanwatch.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Set by the loader before load from the runtime layout of the traced binary's Go version. */
const volatile __u32 goid_off = 0;	     /* g.goid */
const volatile __u32 hchan_lock_off = 0;     /* hchan.lock: gopark's lock argument - this = hchan */
const volatile __u32 hchan_closed_off = 0;   /* hchan.closed */
const volatile __u32 gopc_off = 0;	     /* g.gopc */
const volatile __u32 waiting_off = 0;	     /* g.waiting: the select's sudog list */
const volatile __u32 sudog_c_off = 0;	     /* sudog.c (1.26: maybeTraceablePtr.vu) */
const volatile __u32 sudog_waitlink_off = 0; /* sudog.waitlink */
const volatile __u8 wr_select = 0;	     /* waitReasonSelect */
const volatile __u8 wr_select_no_cases = 0;  /* waitReasonSelectNoCases */
const volatile __u8 wr_chan_recv_nil = 0;    /* waitReasonChanReceiveNilChan */
const volatile __u8 wr_chan_send_nil = 0;    /* waitReasonChanSendNilChan */
const volatile __u8 wr_select_sync = 0;	     /* waitReasonSynctestSelect (0: none) */
const volatile __u8 wr_chan_send = 0;	     /* waitReasonChanSend */
const volatile __u8 wr_chan_receive = 0;     /* waitReasonChanReceive */
const volatile __u8 wr_chan_send_sync = 0;   /* ... synctest/durable variants (0: none) */
const volatile __u8 wr_chan_recv_sync = 0;
const volatile __u32 target_tgid = 0; /* 0: any process of the binary */
const volatile bool empty_probes = 0; /* every program returns at once (bench/trace's floor) */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, CW_STACK_DEPTH * sizeof(__u64));
	__uint(max_entries, 16384);
} stacks SEC(".maps");

/* makechan's arguments between its entry and RET probes, by g pointer. */
struct makechan_args {
	__u64 type;
	__u64 size;
	__s64 stack_id; /* taken at entry: at a RET the caller's frame is already popped */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct makechan_args);
} pending_make SEC(".maps");

/*
 * Goroutines the tracer follows: 1 while parked on a channel, 2 after it woke.
 * ready and goexit1 report only these, so the many parks that are not channel
 * waits (timers, network, GC) cost one map look-up and no event.
 */
struct gkey {
	__u32 tgid;
	__u32 pad;
	__u64 goid;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH); /* cheaper than LRU; full means not followed */
	__uint(max_entries, 1 << 18);
	__type(key, struct gkey);
	__type(value, __u8);
} followed SEC(".maps");

/*
 * bpf_get_stackid costs about 1 µs per call; a blocking ping-pong parks at the
 * same few call paths over and over. So the first CW_KEY_FRAMES return
 * addresses, read by walking frame pointers (Go keeps them on amd64), key a
 * cache of stack ids, and the full stack is captured once per call path.
 */
#define CW_KEY_FRAMES 5

struct stack_key {
	__u32 tgid;
	__u32 pad;
	__u64 ret[CW_KEY_FRAMES];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct stack_key);
	__type(value, __s32);
} stack_cache SEC(".maps");

/* Wake the consumer only when this much is waiting: a wakeup per event costs ~10 µs. */
#define CW_WAKEUP_BYTES (1 << 20)

static __always_inline void submit(struct cw_event *e)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(e, avail >= CW_WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

static __always_inline bool chan_reason(__u8 r)
{
	/* An unset (0) reason never matches: waitReasonZero is 0 in every Go version. */
	return r && (r == wr_chan_send || r == wr_chan_receive || r == wr_select ||
		     r == wr_select_no_cases || r == wr_chan_recv_nil || r == wr_chan_send_nil ||
		     r == wr_chan_send_sync || r == wr_chan_recv_sync || r == wr_select_sync);
}

/* [0] events dropped (ring buffer full), [1] stacks not captured, [2] goroutines not
 * followed (map full). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

static __always_inline void count_drop(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&dropped, &which);
	if (v)
		*v += 1;
}

static __always_inline bool wanted(void)
{
	return !empty_probes && (!target_tgid || (bpf_get_current_pid_tgid() >> 32) == target_tgid);
}

static __always_inline __u64 goid_of(__u64 g)
{
	__u64 goid = 0;
	if (g)
		bpf_probe_read_user(&goid, sizeof(goid), (void *)(g + goid_off));
	return goid;
}

/*
 * Each bpf_probe_read_user costs ~135 ns in a VM (measured with bpf_stats), more than
 * the copy: so the hot gopark probe reads in a few large pieces. Per-CPU scratch holds
 * them, as the BPF stack has only 512 bytes.
 */
/* Bytes read from RSP at once: the runtime frames, and often the user's blocking frame. */
#define CW_STACK_WINDOW 1024
/* Bytes of g read from g.goid at once: goid, gopc and waiting. */
#define CW_G_WINDOW 256

struct scratch {
	__u64 stack[CW_STACK_WINDOW / 8 + 1]; /* one spare slot keeps [i + 1] in bounds */
	__u8 g[CW_G_WINDOW];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/*
 * The stack id of the current user stack, from the cache when this call path was
 * seen before. Valid at a probe on the PUSH BP of a function (or its first
 * instruction): [RSP] is the return address, RBP still the caller's frame. The
 * frame-pointer chain is followed inside one read of CW_STACK_WINDOW bytes where
 * it stays there, with a 16-byte read per frame beyond it.
 */
static __always_inline __s32 cached_stack(struct pt_regs *ctx, struct scratch *s)
{
	struct stack_key k = {};
	__u64 sp = ctx->rsp, fp = ctx->rbp;
	bool window = false;
	__s32 *hit, id;

	k.tgid = bpf_get_current_pid_tgid() >> 32;
	if (!bpf_probe_read_user(s->stack, CW_STACK_WINDOW, (void *)sp)) {
		window = true;
		k.ret[0] = s->stack[0];
	} else {
		bpf_probe_read_user(&k.ret[0], sizeof(k.ret[0]), (void *)sp);
	}
	for (int i = 1; i < CW_KEY_FRAMES && fp; i++) {
		__u64 off = fp - sp, frame[2];

		if (window && off <= CW_STACK_WINDOW - 16 && !(off & 7)) {
			__u32 slot = (off / 8) & (CW_STACK_WINDOW / 8 - 1);
			k.ret[i] = s->stack[slot + 1];
			fp = s->stack[slot];
			continue;
		}
		if (bpf_probe_read_user(frame, sizeof(frame), (void *)fp))
			break;
		k.ret[i] = frame[1];
		fp = frame[0];
	}
	hit = bpf_map_lookup_elem(&stack_cache, &k);
	if (hit)
		return *hit;
	id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	if (id < 0)
		count_drop(1);
	else
		bpf_map_update_elem(&stack_cache, &k, &id, BPF_ANY);
	return id;
}

/* The 8-byte field of g at byte off, from the window read at g.goid when it lies there. */
static __always_inline __u64 g_field(__u64 g, const __u8 *window, __u32 off)
{
	__u64 v = 0;
	__u32 rel = off - goid_off;

	if (off >= goid_off && rel <= CW_G_WINDOW - 8)
		__builtin_memcpy(&v, window + (rel & (CW_G_WINDOW - 1)), sizeof(v));
	else
		bpf_probe_read_user(&v, sizeof(v), (void *)(g + off));
	return v;
}

static __always_inline struct cw_event *reserve(struct pt_regs *ctx, __u32 type, __u64 goid,
						bool stack)
{
	struct cw_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop(0);
		return NULL;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->type = type;
	e->tgid = bpf_get_current_pid_tgid() >> 32;
	e->goid = goid;
	e->chan = e->arg = e->aux = 0;
	e->reason = 0;
	e->nsel = 0;
	e->pad[0] = e->pad[1] = 0;
	for (int i = 0; i < CW_SELECT_CHANS; i++)
		e->sel[i] = 0;
	e->stack_id = -1;
	if (stack) {
		e->stack_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
		if (e->stack_id < 0)
			count_drop(1);
	}
	return e;
}

/* Go's ABIInternal on amd64: args in RAX, RBX, RCX, ...; the current g in R14. */
SEC("uprobe")
int BPF_KPROBE(makechan_entry)
{
	struct makechan_args a = {.type = ctx->rax, .size = ctx->rbx};
	__u64 g = ctx->r14;

	struct scratch *s;
	__u32 zero = 0;

	if (!wanted() || !(s = bpf_map_lookup_elem(&scratch, &zero)))
		return 0;
	a.stack_id = cached_stack(ctx, s);
	bpf_map_update_elem(&pending_make, &g, &a, BPF_ANY);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(makechan_ret)
{
	__u64 g = ctx->r14;
	struct makechan_args *a;
	struct cw_event *e;

	if (!wanted())
		return 0;
	a = bpf_map_lookup_elem(&pending_make, &g);
	if (!a)
		return 0;
	e = reserve(ctx, CW_EV_MAKE, goid_of(g), false);
	if (e) {
		e->stack_id = (__s32)a->stack_id;
		e->chan = ctx->rax;
		e->aux = a->type;
		e->arg = a->size;
		submit(e);
	}
	bpf_map_delete_elem(&pending_make, &g);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(closechan_entry)
{
	__u64 c = ctx->rax;
	__u32 closed = 0;
	struct cw_event *e;

	if (!wanted())
		return 0;
	if (c)
		bpf_probe_read_user(&closed, sizeof(closed), (void *)(c + hchan_closed_off));
	e = reserve(ctx, CW_EV_CLOSE, goid_of(ctx->r14), true);
	if (e) {
		e->chan = c;
		e->arg = closed;
		submit(e);
	}
	return 0;
}

/* gopark(unlockf, lock, reason, traceReason, traceskip): reason arrives in CL. */
SEC("uprobe")
int BPF_KPROBE(gopark)
{
	__u8 reason = ctx->rcx & 0xff, parked = 1, *state;
	__u64 lock = ctx->rbx, g = ctx->r14;
	struct cw_event *e;
	struct gkey k = {};
	struct scratch *s;
	__u32 zero = 0;

	if (!wanted() || !chan_reason(reason))
		return 0;
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s || bpf_probe_read_user(s->g, sizeof(s->g), (void *)(g + goid_off)))
		return 0;
	k.tgid = bpf_get_current_pid_tgid() >> 32;
	k.goid = g_field(g, s->g, goid_off);
	/* A goroutine that parks again has its slot already: a store, not an update call. */
	state = bpf_map_lookup_elem(&followed, &k);
	if (state) {
		*state = parked;
	} else if (bpf_map_update_elem(&followed, &k, &parked, BPF_ANY)) {
		count_drop(2); /* more followed goroutines than the map holds: its wake and */
		return 0;      /* exit would go unseen, so do not report the park either */
	}
	e = reserve(ctx, CW_EV_BLOCK, k.goid, false);
	if (!e)
		return 0;
	e->stack_id = cached_stack(ctx, s);
	e->reason = reason;
	if (gopc_off)
		e->aux = g_field(g, s->g, gopc_off);
	/* A blocking send or receive passes &c.lock; select and nil channels pass no lock. */
	if (lock && (reason == wr_chan_send || reason == wr_chan_receive ||
		     (wr_chan_send_sync && reason == wr_chan_send_sync) ||
		     (wr_chan_recv_sync && reason == wr_chan_recv_sync)))
		e->chan = lock - hchan_lock_off;
	/* A blocking select: selectgo set g.waiting to its sudogs, one per case. */
	if (waiting_off && (reason == wr_select || (wr_select_sync && reason == wr_select_sync))) {
		__u64 sg = g_field(g, s->g, waiting_off);
		for (int i = 0; i < CW_SELECT_CHANS && sg; i++) {
			bpf_probe_read_user(&e->sel[i], sizeof(e->sel[i]),
					    (void *)(sg + sudog_c_off));
			e->nsel = i + 1;
			bpf_probe_read_user(&sg, sizeof(sg), (void *)(sg + sudog_waitlink_off));
		}
	}
	submit(e);
	return 0;
}

/* ready(gp, traceskip, next) runs on g0: the goroutine is the argument, not R14. */
SEC("uprobe")
int BPF_KPROBE(ready)
{
	struct cw_event *e;
	struct gkey k = {};
	__u8 *state, woke = 2;

	if (!wanted())
		return 0;
	k.tgid = bpf_get_current_pid_tgid() >> 32;
	k.goid = goid_of(ctx->rax);
	state = bpf_map_lookup_elem(&followed, &k);
	if (!state || *state != 1)
		return 0; /* not parked on a channel */
	*state = woke;
	e = reserve(ctx, CW_EV_WAKE, k.goid, false);
	if (e)
		submit(e);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(goexit1)
{
	struct cw_event *e;
	struct gkey k = {};

	if (!wanted())
		return 0;
	k.tgid = bpf_get_current_pid_tgid() >> 32;
	k.goid = goid_of(ctx->r14);
	if (bpf_map_delete_elem(&followed, &k))
		return 0; /* never parked on a channel: nothing to forget */
	e = reserve(ctx, CW_EV_EXIT, k.goid, false);
	if (e)
		submit(e);
	return 0;
}

/*
 * A CALL runtime.gopanic inside runtime.chansend: the only panic there is "send on
 * closed channel". chansend spills its first argument (c) to its caller-allocated
 * spill slot at entry, which sits at 16(RBP) once the frame is set up.
 */
SEC("uprobe")
int BPF_KPROBE(chansend_panic)
{
	__u64 c = 0;
	struct cw_event *e;

	if (!wanted())
		return 0;
	bpf_probe_read_user(&c, sizeof(c), (void *)(ctx->rbp + 16));
	e = reserve(ctx, CW_EV_SEND_CLOSED, goid_of(ctx->r14), true);
	if (e) {
		e->chan = c;
		submit(e);
	}
	return 0;
}

/* A CALL runtime.gopanic in runtime.selectgo: a select's send case on a closed channel. The
 * channel is a local of selectgo, not at a fixed place: reported without it. */
SEC("uprobe")
int BPF_KPROBE(select_panic)
{
	struct cw_event *e;

	if (!wanted())
		return 0;
	e = reserve(ctx, CW_EV_SEND_CLOSED, goid_of(ctx->r14), true);
	if (e)
		submit(e);
	return 0;
}
