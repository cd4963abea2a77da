// SPDX-License-Identifier: MIT
// `chanwatch top`: a live, refreshing view of where a running Go program's goroutines wait.
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "cmd/cmds.h"
#include "cmd/live.h"
#include "lib/usage.h"
#include "output/top_text.h"
#include "lib/banned.h"

static const char top_usage[] =
    "usage: chanwatch top [OPTIONS] PID\n"
    "\n"
    "A live view of a running Go program's goroutines, refreshed every --interval: each\n"
    "blocking site (the first frame outside the runtime) with how many goroutines wait\n"
    "there, how that changed since the last refresh, what they wait on and for how long.\n"
    "Leak suspects (as `chanwatch dump` ranks them) are marked '*'. Reads the process's\n"
    "memory like `chanwatch ps`, without stopping it. Press q or Ctrl-C to leave.\n"
    "\n"
    "options:\n"
    "  --interval SECONDS     time between refreshes (default 2)\n"
    "  -n, --iterations N     refresh N times, then exit (default: until q)\n"
    "  -j, --jobs N           read the process with N threads (default 2, or 1 where\n"
    "                         fewer than 3 CPUs are online: a reader on every CPU can\n"
    "                         delay the program's own threads)\n"
    "  --min-count N          goroutines at one site to make a suspect (default 10)\n"
    "  --include-std          also rank sites in the Go standard library\n"
    "  --no-source            do not read Go source files named by the frames\n"
    "  --source-dir DIR       where to find sources this machine lacks at their paths\n"
    "  --color WHEN           auto (default: only on a terminal), always, never\n"
    "  -h, --help             this text\n"
    "\n"
    "examples:\n"
    "  sudo chanwatch top $(pidof myserver)\n"
    "  chanwatch top --interval 10 4242\n"
    "  chanwatch top -n 3 --interval 1 4242 > growth.txt\n"
    "\n"
    "exit status: 0, or 2 when the process cannot be read\n";

enum { OPT_INTERVAL = 256, OPT_COLOR };

static const struct option top_options[] = {
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"iterations", required_argument, NULL, 'n'},
    {"jobs", required_argument, NULL, 'j'},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    ANALYZER_LONG_OPTIONS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static volatile sig_atomic_t stop_requested;
static struct termios saved_tty;
static bool tty_raw;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void tty_restore(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_raw = false;
}

/* Keys without Enter, no echo: only when both ends are a terminal. */
static void tty_keys(void)
{
	struct termios t;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	t = saved_tty;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &t)) {
		tty_raw = true;
		atexit(tty_restore);
	}
}

/* Waits up to ms for the next refresh; true when the user asked to leave. */
static bool wait_or_quit(long ms)
{
	struct timespec end, now;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	for (;;) {
		struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
		long left;
		char c;
		if (stop_requested)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0)
			return false;
		if (!tty_raw) {
			struct timespec ts = {left / 1000, (left % 1000) * 1000000};
			nanosleep(&ts, NULL);
			continue;
		}
		if (poll(&p, 1, (int)left) > 0 && read(STDIN_FILENO, &c, 1) == 1 &&
		    (c == 'q' || c == 'Q' || c == 3))
			return true;
	}
}

int cmd_top(int argc, char **argv)
{
	struct live_options lo = {0};
	struct analyzer_options aopt = {0};
	struct live_session ls;
	struct analysis an[2];
	bool have_prev = false;
	long interval_ms = 2000;
	uint64_t iterations = 0;
	const char *color = NULL;
	char title[sizeof(ls.target.meta.exe) + 128];
	struct sigaction sa;
	int opt, cur = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "hj:n:", top_options, NULL)) != -1) {
		if (analyzer_option(opt, optarg, &aopt))
			continue;
		switch (opt) {
		case OPT_INTERVAL:
			interval_ms = option_timeout_ms("--interval", optarg);
			break;
		case 'n':
			iterations = option_u64("--iterations", optarg);
			if (!iterations)
				die("--iterations must be at least 1");
			break;
		case 'j':
			lo.jobs = live_option_jobs(optarg);
			break;
		case OPT_COLOR:
			color = optarg;
			want_color(optarg, STDOUT_FILENO); /* validates */
			break;
		case 'h':
			fputs(top_usage, stdout);
			exit(CW_EXIT_OK);
		default:
			fputs("see 'chanwatch top --help'\n", stderr);
			exit(CW_EXIT_ERROR);
		}
	}
	if (optind + 1 != argc)
		die(optind == argc ? "which process? see 'chanwatch top --help'"
				   : "one PID at a time (got %d arguments)",
		    argc - optind);
	lo.pid = option_pid(NULL, argv[optind]);

	live_session_open(&ls, &lo);
	snprintf(title, sizeof(title), "chanwatch top: process %d (%s, %s)", (int)lo.pid,
		 ls.target.meta.exe, ls.target.meta.go_version);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	tty_keys();
	for (uint64_t i = 0; !stop_requested && (!iterations || i < iterations); i++) {
		struct analyzer *a = analyzer_new(&aopt);
		struct dump_sink sink;
		struct dump_info info = {.format = DUMP_FORMAT_LIVE};
		struct winsize ws = {0};
		struct top_frame f = {.title = title};
		int64_t prev_wall = ls.wall_ns;

		live_session_snapshot(&ls, &lo);
		analyzer_sink(a, 0, &sink);
		analyzer_begin_input(a, 0, ls.name);
		live_session_emit(&ls, &lo, &sink);
		info.goroutines = info.records = ls.emitted;
		analyzer_end_input(a, &info, ls.wall_ns);
		analyzer_finish(a, &an[cur]);

		f.snapshot_ms = (double)ls.snap.took_ns / 1e6;
		f.interval_s = have_prev ? (double)(ls.wall_ns - prev_wall) / 1e9 : 0;
		f.channels = ls.snap.nchans;
		f.color = want_color(color, STDOUT_FILENO);
		f.clear = isatty(STDOUT_FILENO);
		f.rows = 1000000;
		if (f.clear && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row > 8) {
			f.rows = ws.ws_row - 7u;
			f.width = ws.ws_col;
		}
		top_text_frame(stdout, &an[cur], have_prev ? &an[!cur] : NULL, &f);
		if (!f.clear)
			fputc('\n', stdout);
		if (fflush(stdout))
			die("cannot write standard output: %s", strerror(errno));
		if (have_prev)
			analysis_release(&an[!cur]);
		have_prev = true;
		cur = !cur;
		if ((iterations && i + 1 == iterations) || wait_or_quit(interval_ms))
			break;
	}
	tty_restore();
	if (have_prev)
		analysis_release(&an[!cur]);
	live_session_end(&ls);
	return CW_EXIT_OK;
}
