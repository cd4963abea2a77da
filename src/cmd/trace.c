// SPDX-License-Identifier: MIT
// `chanwatch trace`: follow every channel's life in a running Go program with eBPF uprobes.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "cmd/cmds.h"
#include "gobin/gobin.h"
#include "gobin/layout.h"
#include "lib/jsonw.h"
#include "lib/num.h"
#include "lib/strbuf.h"
#include "lib/usage.h"
#include "output/pprof_write.h"
#include "output/report.h"
#include "trace/probes.h"
#include "trace/session.h"
#include "trace/trace.h"
#include "lib/banned.h"

static const char trace_usage[] =
    "usage: chanwatch trace [OPTIONS] -- PROGRAM [ARGS...]\n"
    "       chanwatch trace [OPTIONS] -p PID\n"
    "\n"
    "Follows every channel's life inside an unmodified Go program (Go 1.22 to 1.26,\n"
    "amd64; stripped, PIE and cgo builds) with eBPF uprobes on the runtime's slow\n"
    "paths: where each channel was made and closed, who blocks on it and for how\n"
    "long, close of a closed or nil channel and send on a closed channel (caught\n"
    "before the runtime panics), and the goroutines that never wake up. A channel\n"
    "operation that does not block costs nothing extra.\n"
    "\n"
    "With -- PROGRAM, starts it with the probes attached before its main runs and\n"
    "exits with its exit status; its standard streams are left alone. With -p,\n"
    "attaches to a running process until it exits or chanwatch gets SIGINT.\n"
    "\n"
    "options:\n"
    "  -p, --pid PID          trace a running process\n"
    "  --leak-after DUR       a goroutine blocked on a channel this long is a leak\n"
    "                         (default 10s; units ms, s, m, h)\n"
    "  --interval DUR         a one-line live summary this often (default 10s; 0: none)\n"
    "  --json FILE            JSON Lines events: make, close, block, wake, exit,\n"
    "                         misuse, leak, summary (docs/trace-events.md)\n"
    "  --pprof FILE           blocking time, waits and leaked goroutines by stack, for\n"
    "                         `go tool pprof`\n"
    "  --perfetto FILE        a timeline of channel lifetimes and blocked intervals\n"
    "                         (Chrome trace JSON; open it in ui.perfetto.dev)\n"
    "  -o, --output FILE      the report (default: standard error)\n"
    "  --color WHEN           auto (default), always, never\n"
    "  --empty-probes         attach every probe but record nothing: what the uprobe\n"
    "                         traps alone cost (for bench/trace)\n"
    "  -h, --help             this text\n"
    "\n"
    "examples:\n"
    "  chanwatch trace -- ./server -config prod.yaml\n"
    "  chanwatch trace --leak-after 30s --json events.jsonl -p $(pidof server)\n"
    "  chanwatch trace -o report.txt -- go-test-binary -test.run TestPipeline\n"
    "\n"
    "needs root, or CAP_BPF and CAP_PERFMON (and CAP_SYS_PTRACE for another user's\n"
    "process).\n"
    "exit status: with -- PROGRAM, the program's (128+N if killed by signal N);\n"
    "with -p, 0 no leak or misuse, 1 found; 2 usage or tracing error\n";

enum {
	OPT_LEAK_AFTER = 256,
	OPT_INTERVAL,
	OPT_JSON,
	OPT_COLOR,
	OPT_PPROF,
	OPT_PERFETTO,
	OPT_EMPTY_PROBES,
};

static const struct option trace_options[] = {
    {"pid", required_argument, NULL, 'p'},
    {"leak-after", required_argument, NULL, OPT_LEAK_AFTER},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"json", required_argument, NULL, OPT_JSON},
    {"pprof", required_argument, NULL, OPT_PPROF},
    {"perfetto", required_argument, NULL, OPT_PERFETTO},
    {"output", required_argument, NULL, 'o'},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"empty-probes", no_argument, NULL, OPT_EMPTY_PROBES},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct trace_cmd {
	pid_t pid;
	uint64_t leak_after_ns;
	uint64_t interval_ns;
	const char *json_path;
	const char *pprof_path;
	const char *perfetto_path;
	const char *out_path;
	const char *color;
	bool empty_probes;
	char **argv; /* PROGRAM ARGS... */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = sig;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t duration_arg(const char *opt, const char *val)
{
	uint64_t ns;
	if (parse_duration_ns(val, &ns))
		die("%s takes a duration such as 500ms, 10s or 2m, not '%s'", opt, val);
	return ns;
}

static void parse_options(struct trace_cmd *c, int argc, char **argv)
{
	int opt;

	c->leak_after_ns = 10000000000ull;
	c->interval_ns = 10000000000ull;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+p:o:h", trace_options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			c->pid = option_pid("--pid", optarg);
			break;
		case OPT_LEAK_AFTER:
			c->leak_after_ns = duration_arg("--leak-after", optarg);
			break;
		case OPT_INTERVAL:
			c->interval_ns = duration_arg("--interval", optarg);
			break;
		case OPT_JSON:
			c->json_path = optarg;
			break;
		case OPT_PPROF:
			c->pprof_path = optarg;
			break;
		case OPT_PERFETTO:
			c->perfetto_path = optarg;
			break;
		case 'o':
			c->out_path = optarg;
			break;
		case OPT_EMPTY_PROBES:
			c->empty_probes = true;
			break;
		case OPT_COLOR:
			c->color = optarg;
			want_color(optarg, STDERR_FILENO); /* validates */
			break;
		case 'h':
			fputs(trace_usage, stdout);
			exit(CW_EXIT_OK);
		default:
			fputs("see 'chanwatch trace --help'\n", stderr);
			exit(CW_EXIT_ERROR);
		}
	}
	if (optind < argc)
		c->argv = argv + optind;
	if (!c->pid == !c->argv)
		die("give either -p PID or -- PROGRAM [ARGS...] (see 'chanwatch trace --help')");
}

/* PROGRAM as execvp would find it. */
static char *resolve_program(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(prog, '/'))
		return realpath(prog, NULL);
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", prog);
		if (!access(buf, X_OK))
			return realpath(buf, NULL);
		path += n + (path[n] == ':');
	}
	return NULL;
}

static FILE *open_out(const char *path, FILE *dflt)
{
	FILE *f;
	if (!path)
		return dflt;
	f = fopen(path, "w");
	if (!f)
		die("cannot write '%s': %s", path, strerror(errno));
	return f;
}

/* Starts argv stopped at a pipe read; *go is the write end that lets it exec. */
static pid_t spawn_waiting(char **argv, const char *path, int *go)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		die("cannot create a pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("cannot fork: %s", strerror(errno));
	if (pid == 0) {
		char c;
		signal(SIGINT, SIG_DFL); /* the tracer ignores it; the program must not */
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(127); /* the tracer gave up */
		execv(path, argv);
		fprintf(stderr, "chanwatch: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	*go = fds[1];
	return pid;
}

static void write_profile(const char *path, struct trace_session *s)
{
	struct profile p;
	struct strbuf buf = STRBUF_INIT;
	FILE *f;

	profile_init(&p);
	trace_session_profile(s, &p);
	if (pprof_encode(&p, &buf))
		die("cannot encode the blocking profile");
	f = fopen(path, "wb");
	if (!f || fwrite(buf.buf, 1, buf.len, f) != buf.len || fclose(f))
		die("cannot write '%s': %s", path, strerror(errno));
	strbuf_release(&buf);
	profile_release(&p);
}

static void live_line(FILE *out, struct trace_session *s, uint64_t elapsed_ns)
{
	struct trace_session_counts c;
	trace_session_counts(s, &c);
	fprintf(out,
		"chanwatch: %.0fs: %llu events, %llu leaks, %llu misuses, %llu events dropped\n",
		(double)elapsed_ns / 1e9, (unsigned long long)c.events, (unsigned long long)c.leaks,
		(unsigned long long)c.misuses, (unsigned long long)c.dropped_events);
	fflush(out);
}

int cmd_trace(int argc, char **argv)
{
	struct trace_cmd c;
	struct runtime_layout dwarf_layout;
	const char *layout_source = NULL;
	const struct runtime_layout *layout;
	struct trace_probes probes;
	struct trace_options topt = {0};
	struct trace_session_options sopt = {0};
	struct trace_session *s;
	struct tracer *t = NULL;
	struct cw_error err = {""};
	/* Suspects are what the tracer measured, not counts: no count threshold. */
	struct analyzer_options aopt = {.min_count = UINT64_MAX};
	struct analyzer *a;
	struct analysis an;
	struct dump_info info = {.format = DUMP_FORMAT_TRACE};
	struct sigaction sa;
	struct gobin b;
	char *path, label[64], procexe[64];
	FILE *out, *json = NULL, *perfetto = NULL;
	uint64_t start, last_live;
	int go_fd = -1, status = 0, rc, exit_code;
	pid_t child = 0;
	bool child_done = false, forwarded = false;

	memset(&c, 0, sizeof(c));
	parse_options(&c, argc, argv);
	if (c.argv) {
		path = resolve_program(c.argv[0]);
		if (!path)
			die("cannot find program '%s'", c.argv[0]);
	} else {
		snprintf(procexe, sizeof(procexe), "/proc/%d/exe", (int)c.pid);
		path = realpath(procexe, NULL);
		if (!path)
			die("cannot trace process %d: %s", (int)c.pid, strerror(errno));
	}
	if (gobin_open(&b, path, &err))
		die("'%s': %s", path, err.msg);
	layout = runtime_layout_pick(&b, path, &dwarf_layout, &layout_source, &err);
	if (!layout)
		die("'%s': %s", path, err.msg);
	if (trace_find_probes(&b, &probes, &err))
		die("'%s': %s", path, err.msg);
	out = open_out(c.out_path, stderr);
	if (c.json_path)
		json = open_out(c.json_path, NULL);
	if (c.perfetto_path)
		perfetto = open_out(c.perfetto_path, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	if (c.argv) {
		/* Ctrl-C reaches the program too; the tracer reports when the program is done. */
		signal(SIGINT, SIG_IGN);
		child = spawn_waiting(c.argv, path, &go_fd);
	} else {
		sigaction(SIGINT, &sa, NULL);
	}
	topt.binary = path;
	topt.pid = c.argv ? child : c.pid;
	topt.layout = layout;
	topt.probes = &probes;
	topt.empty_probes = c.empty_probes;
	rc = tracer_open(&t, &topt, &err);
	if (rc) {
		if (child) {
			close(go_fd);
			waitpid(child, NULL, 0);
		}
		die("%s", err.msg);
	}
	sopt.bin = &b;
	sopt.binary_path = path;
	sopt.layout = layout;
	sopt.tracer = t;
	sopt.pid = topt.pid;
	sopt.leak_after_ns = c.leak_after_ns;
	sopt.json = json;
	sopt.probes = &probes;
	sopt.perfetto = perfetto;
	s = trace_session_new(&sopt);
	if (json) {
		struct jsonw w;
		jsonw_init(&w, json, false);
		jsonw_object_begin(&w);
		jsonw_key(&w, "event");
		jsonw_string(&w, "start");
		jsonw_key(&w, "ts_ns");
		jsonw_u64(&w, now_ns());
		jsonw_key(&w, "schema");
		jsonw_string(&w, "chanwatch.trace/v1");
		jsonw_key(&w, "pid");
		jsonw_u64(&w, (uint64_t)topt.pid);
		jsonw_key(&w, "binary");
		jsonw_string(&w, path);
		jsonw_key(&w, "go_version");
		jsonw_string(&w, b.info.go_version);
		jsonw_key(&w, "probes");
		jsonw_u64(&w,
			  5 + probes.nmakechan_rets + probes.nsend_panics + probes.nselect_panics);
		jsonw_object_end(&w);
		jsonw_finish(&w);
	}
	if (child && write(go_fd, "g", 1) != 1)
		die("cannot start '%s': %s", c.argv[0], strerror(errno));
	if (child)
		close(go_fd);

	start = last_live = now_ns();
	for (;;) {
		uint64_t now;
		rc = tracer_poll(t, 100, trace_session_event, s);
		if (rc < 0 && rc != -EINTR)
			die("reading trace events: %s", strerror(-rc));
		now = now_ns();
		trace_session_check(s, now);
		if (c.interval_ns && now - last_live >= c.interval_ns) {
			live_line(out, s, now - start);
			last_live = now;
		}
		if (child && waitpid(child, &status, WNOHANG) == child) {
			child_done = true;
			break;
		}
		if (!child && kill(c.pid, 0) && errno == ESRCH) {
			child_done = true; /* the traced process exited */
			break;
		}
		if (stop_requested && !child)
			break;
		if (stop_requested && child && !forwarded) {
			kill(child, stop_requested); /* SIGTERM to chanwatch ends the program too */
			forwarded = true;
		}
	}
	/* What the ring buffer still holds. */
	while (tracer_poll(t, 0, trace_session_event, s) > 0)
		;

	a = analyzer_new(&aopt);
	snprintf(label, sizeof(label), "pid %d", (int)topt.pid);
	analyzer_begin_input(a, 0, label);
	trace_session_finish(s, a, now_ns(), child_done);
	{
		struct trace_session_counts cnt;
		trace_session_counts(s, &cnt);
		info.goroutines = cnt.blocked_on_chans;
		info.records = cnt.events;
		if (cnt.dropped_events || cnt.dropped_stacks || cnt.dropped_state) {
			info.truncated = true;
			snprintf(info.truncated_why, sizeof(info.truncated_why),
				 "%llu events, %llu stacks and %llu channels or goroutines dropped",
				 (unsigned long long)cnt.dropped_events,
				 (unsigned long long)cnt.dropped_stacks,
				 (unsigned long long)cnt.dropped_state);
		}
	}
	analyzer_end_input(a, &info, 0);
	analyzer_finish(a, &an);
	{
		struct report_options ro = {.color = want_color(c.color, fileno(out))};
		report_text(out, &an, &ro);
	}
	exit_code = an.nsuspects || an.npanics ? CW_EXIT_FOUND : CW_EXIT_OK;
	if (c.pprof_path)
		write_profile(c.pprof_path, s);
	if (perfetto && fclose(perfetto))
		die("cannot write '%s': %s", c.perfetto_path, strerror(errno));
	analysis_release(&an);
	trace_session_free(s);
	tracer_close(t);
	if (json && fclose(json))
		die("cannot write '%s': %s", c.json_path, strerror(errno));
	if (out != stderr && fclose(out))
		die("cannot write '%s': %s", c.out_path, strerror(errno));
	gobin_close(&b);
	free(path);
	if (child) {
		if (!child_done)
			waitpid(child, &status, 0);
		if (WIFSIGNALED(status))
			return 128 + WTERMSIG(status);
		return WIFEXITED(status) ? WEXITSTATUS(status) : CW_EXIT_ERROR;
	}
	return exit_code;
}
