// SPDX-License-Identifier: MIT
// The tracer's loader end to end: probes placed in a real Go binary, events from a real run.
// Needs BPF: skips with the reason when the kernel refuses, fails with CHANWATCH_REQUIRE_BPF=1.
// The binary comes from CHANWATCH_TRACE_FIXTURE (tests/t/trace.t builds it per toolchain).
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gobin/gobin.h"
#include "trace/chanwatch.h"
#include "trace/trace.h"

#define MAX_EVENTS 65536

struct collected {
	struct trace_event ev[MAX_EVENTS];
	size_t n;
};

static int collect(void *ctx, const struct trace_event *e)
{
	struct collected *c = ctx;
	if (c->n < MAX_EVENTS)
		c->ev[c->n++] = *e;
	return 0;
}

static bool require_bpf(void)
{
	const char *v = getenv("CHANWATCH_REQUIRE_BPF");
	return v && !strcmp(v, "1");
}

static void probes_sit_after_stack_checks(void **state)
{
	/* CMP RSP,16(R14); JBE +0x20; PUSH RBP */
	static const uint8_t small[] = {0x49, 0x3b, 0x66, 0x10, 0x76, 0x20, 0x55, 0x48, 0x89, 0xe5};
	/* LEA R12,-0x68(RSP); CMP R12,16(R14); JBE rel32; PUSH RBP */
	static const uint8_t big[] = {0x4c, 0x8d, 0x64, 0x24, 0x98, 0x4d, 0x3b, 0x66, 0x10, 0x0f,
				      0x86, 0x10, 0x00, 0x00, 0x00, 0x55, 0x48, 0x89, 0xe5};
	/* PUSH RBP first: no stack check (chansend1) */
	static const uint8_t none[] = {0x55, 0x48, 0x89, 0xe5, 0xc3};
	/* MOV; RET; XOR; RET */
	static const uint8_t rets[] = {0x48, 0x89, 0xc3, 0xc3, 0x31, 0xc0, 0xc3};
	size_t offs[4];

	assert_int_equal(probe_after_stack_check(small, sizeof(small)), 6);
	assert_int_equal(probe_after_stack_check(big, sizeof(big)), 15);
	assert_int_equal(probe_after_stack_check(none, sizeof(none)), 0);
	/* 0x48 0x89 0xc3 is MOV RBX,RAX: its 0xc3 byte is not a RET */
	assert_int_equal(probe_find_rets(rets, sizeof(rets), offs, 4), 2);
	assert_int_equal(offs[0], 3);
	assert_int_equal(offs[1], 6);
}

/* Runs the fixture (with arg, if any), returns its stdout's first line and exit status. */
static int run_fixture(const char *path, const char *arg, char *line, size_t len)
{
	int fds[2], status;
	pid_t pid;
	FILE *f;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(fds[1], 1);
		if (devnull >= 0)
			dup2(devnull, 2); /* the -sendclosed panic */
		close(fds[0]);
		execl(path, path, arg, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (!f || !fgets(line, (int)len, f))
		line[0] = '\0';
	while (f && fgetc(f) != EOF)
		;
	if (f)
		fclose(f);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const struct trace_event *find(const struct collected *c, uint32_t type, uint64_t chan)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->ev[i].type == type && c->ev[i].chan == chan)
			return &c->ev[i];
	return NULL;
}

static void traces_a_real_go_program(void **state)
{
	const char *path = getenv("CHANWATCH_TRACE_FIXTURE");
	static struct collected c;
	struct cw_error err = {""};
	struct trace_probes probes;
	const struct runtime_layout *layout;
	struct trace_options opt = {0};
	struct tracer *t = NULL;
	struct gobin b;
	unsigned long long a_chan, b_chan, forever_chan;
	int major = 0, minor = 0, rc;
	char line[256];
	const struct trace_event *e;

	if (!path)
		skip();
	assert_int_equal(gobin_open(&b, path, &err), 0);
	assert_int_equal(sscanf(b.info.go_version, "go%d.%d", &major, &minor), 2);
	layout = runtime_layout_for(major, minor, GO_ARCH_AMD64);
	assert_non_null(layout);
	rc = trace_find_probes(&b, &probes, &err);
	assert_int_equal(rc, 0);
	assert_true(probes.nmakechan_rets >= 1);

	opt.binary = path;
	opt.layout = layout;
	opt.probes = &probes;
	rc = tracer_open(&t, &opt, &err);
	if (rc && !require_bpf()) {
		fprintf(stderr, "# skip: %s\n", err.msg);
		gobin_close(&b);
		skip();
	}
	assert_int_equal(rc, 0);

	c.n = 0;
	assert_int_equal(run_fixture(path, NULL, line, sizeof(line)), 0);
	while (tracer_poll(t, 100, collect, &c) > 0)
		;
	assert_int_equal(
	    sscanf(line, "a=%llx b=%llx forever=%llx", &a_chan, &b_chan, &forever_chan), 3);

	/* make(chan int) and make(chan string, 3), seen returning their hchan */
	e = find(&c, CW_EV_MAKE, a_chan);
	assert_non_null(e);
	assert_int_equal(e->arg, 0);
	assert_true(e->aux != 0); /* the *chantype */
	assert_true(e->stack_id >= 0);
	e = find(&c, CW_EV_MAKE, b_chan);
	assert_non_null(e);
	assert_int_equal(e->arg, 3);
	/* close(b) on an open channel */
	e = find(&c, CW_EV_CLOSE, b_chan);
	assert_non_null(e);
	assert_int_equal(e->arg, 0);
	/* the receivers parked on a and on forever, with the channel known from &c.lock */
	e = find(&c, CW_EV_BLOCK, a_chan);
	assert_non_null(e);
	assert_int_equal(e->reason, (uint8_t)layout->wr_chan_receive.value);
	uint64_t parked = e->goid;
	assert_true(parked > 0);
	assert_non_null(find(&c, CW_EV_BLOCK, forever_chan));
	/* the one on a was woken and exited; the one on forever never was */
	bool woke = false, exited = false;
	for (size_t i = 0; i < c.n; i++) {
		woke |= c.ev[i].type == CW_EV_WAKE && c.ev[i].goid == parked;
		exited |= c.ev[i].type == CW_EV_EXIT && c.ev[i].goid == parked;
	}
	assert_true(woke);
	assert_true(exited);
	uint64_t stack[CW_STACK_DEPTH];
	e = find(&c, CW_EV_MAKE, b_chan);
	assert_true(tracer_stack(t, e->stack_id, stack, CW_STACK_DEPTH) >= 2);

	uint64_t lost_events, lost_stacks;
	tracer_dropped(t, &lost_events, &lost_stacks);
	assert_int_equal(lost_events, 0);

	/* send on a closed channel is caught at chansend's panic call, with the channel */
	unsigned long long c_chan;
	c.n = 0;
	assert_int_equal(run_fixture(path, "-sendclosed", line, sizeof(line)), 2);
	while (tracer_poll(t, 100, collect, &c) > 0)
		;
	assert_int_equal(sscanf(line, "c=%llx", &c_chan), 1);
	e = find(&c, CW_EV_CLOSE, c_chan);
	assert_non_null(e);
	assert_int_equal(e->arg, 0);
	assert_non_null(find(&c, CW_EV_SEND_CLOSED, c_chan));
	tracer_close(t);
	gobin_close(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(probes_sit_after_stack_checks),
	    cmocka_unit_test(traces_a_real_go_program),
	};
	return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
