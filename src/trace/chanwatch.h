// SPDX-License-Identifier: MIT
// Events and configuration shared by the BPF programs (chanwatch.bpf.c) and the loader.
// Fixed-width fields only, no pointers: this header is compiled for BPF and for the host.
#ifndef CW_TRACE_CHANWATCH_H
#define CW_TRACE_CHANWATCH_H

#include <linux/types.h>

#define CW_STACK_DEPTH	32
#define CW_SELECT_CHANS 4 /* channels of a blocking select recorded per park */

enum cw_event_type {
	CW_EV_MAKE = 1,	       /* makechan returned: chan, elem type, capacity */
	CW_EV_CLOSE = 2,       /* closechan entered: chan, whether it was already closed */
	CW_EV_BLOCK = 3,       /* gopark: goid parks for `reason`, on chan when known */
	CW_EV_WAKE = 4,	       /* ready: goid made runnable */
	CW_EV_EXIT = 5,	       /* goexit1: goid finished */
	CW_EV_SEND_CLOSED = 6, /* chansend is about to panic: send on a closed channel */
};

struct cw_event {
	__u64 ts_ns; /* bpf_ktime_get_ns() */
	__u64 goid;  /* goroutine the event is about */
	__u64 chan;  /* hchan address, 0 when none or unknown */
	__u64 arg;   /* MAKE: capacity; CLOSE: hchan.closed before; BLOCK: 0 */
	__u64 aux;   /* MAKE: *chantype; BLOCK: g.gopc (the go statement that made it) */
	__u32 type;  /* enum cw_event_type */
	__u32 tgid;
	__s32 stack_id; /* user stack in the stacks map, or negative */
	__u8 reason;	/* BLOCK: the runtime's waitReason */
	__u8 nsel;	/* BLOCK on select: how many of sel[] are set */
	__u8 pad[2];
	__u64 sel[CW_SELECT_CHANS]; /* BLOCK on select: its channels (g.waiting's sudogs) */
};
#endif
