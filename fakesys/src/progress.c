/* SPDX-License-Identifier: MIT */
/*
 * The progress line. On a terminal it stays away for the first 250 ms, so that quick runs
 * print nothing, then redraws at most every 100 ms, so that a tight loop reporting every
 * function costs a clock read per call and not a write; at the end it is blanked out. Forced
 * (--progress, for logs and tests), it starts at once, and each phase's last state stays as a
 * line of its own, as git's progress does when not on a terminal.
 */
#define _GNU_SOURCE
#include "progress.h"

#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define QUIET_START_MS	250
#define REDRAW_EVERY_MS 100

static long long elapsed_ms(const struct timespec *from, const struct timespec *to)
{
	return (long long)(to->tv_sec - from->tv_sec) * 1000 +
	       (to->tv_nsec - from->tv_nsec) / 1000000;
}

/* Both the same terminal: what is written to one shows amid what is written to the other. */
static bool same_terminal(int a, int b)
{
	struct stat sa, sb;

	return isatty(a) && isatty(b) && fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_rdev == sb.st_rdev;
}

void progress_start(struct progress *p, const char *prefix, enum progress_mode mode,
		    bool output_on_stdout)
{
	bool terminal = isatty(STDERR_FILENO);
	struct winsize size;

	*p = (struct progress){ .prefix = prefix,
				.forced = mode == PROGRESS_FORCED,
				.messages = stderr };
	if (mode == PROGRESS_OFF ||
	    (mode == PROGRESS_AUTO &&
	     (!terminal || (output_on_stdout && same_terminal(STDOUT_FILENO, STDERR_FILENO)))))
		return;
	p->shown = true;
	/* A line longer than the terminal wraps, and "\r" then only goes back to its last row. */
	if (terminal && ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1)
		p->columns = size.ws_col;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
}

static void draw(struct progress *p, const struct timespec *now)
{
	char line[256];
	int n;

	if (p->total)
		n = snprintf(line, sizeof(line), "%s: %s %zu/%zu (%u%%)", p->prefix, p->phase,
			     p->done, p->total,
			     p->done >= p->total
				     ? 100u
				     : (unsigned)((double)p->done * 100 / (double)p->total));
	else if (p->done)
		n = snprintf(line, sizeof(line), "%s: %s %zu", p->prefix, p->phase, p->done);
	else
		n = snprintf(line, sizeof(line), "%s: %s", p->prefix, p->phase);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	if (p->columns && len >= p->columns)
		len = p->columns - 1;
	/* Blanks cover what a longer line before it left. */
	fprintf(stderr, "\r%.*s%*s", (int)len, line, p->width > len ? (int)(p->width - len) : 0,
		"");
	p->width = len;
	p->on_screen = true;
	p->undrawn = false;
	p->drawn = true;
	p->last_draw = *now;
}

/*
 * Takes the line off stderr's last row. Forced, the line is ended instead, with the latest
 * state first when keep_latest (the end of a phase or of the run; not before every message,
 * which would double a log of many messages).
 */
static void take_line_away(struct progress *p, bool keep_latest)
{
	if (p->forced) {
		if (keep_latest && p->undrawn && p->phase[0]) {
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			draw(p, &now);
		}
		if (p->on_screen)
			fputc('\n', stderr);
	} else if (p->on_screen) {
		fprintf(stderr, "\r%*s\r", (int)p->width, "");
	}
	p->on_screen = false;
	p->width = 0;
}

void progress_update(void *arg, const char *phase, size_t done, size_t total)
{
	struct progress *p = arg;
	struct timespec now;

	if (!p->shown)
		return;
	bool new_phase = strncmp(p->phase, phase, sizeof(p->phase) - 1) != 0;
	if (new_phase && p->forced)
		take_line_away(p, true);
	snprintf(p->phase, sizeof(p->phase), "%s", phase);
	p->done = done;
	p->total = total;
	p->undrawn = true;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!p->forced && elapsed_ms(&p->start, &now) < QUIET_START_MS)
		return;
	if (!new_phase && p->drawn && elapsed_ms(&p->last_draw, &now) < REDRAW_EVERY_MS)
		return;
	draw(p, &now);
}

static ssize_t write_message(void *cookie, const char *data, size_t size)
{
	struct progress *p = cookie;

	take_line_away(p, false);
	size_t written = fwrite(data, 1, size, stderr);
	return written ? (ssize_t)written : -1;
}

FILE *progress_messages(struct progress *p)
{
	if (!p->shown || p->messages != stderr)
		return p->messages;
	FILE *messages = fopencookie(p, "w", (cookie_io_functions_t){ .write = write_message });
	/* Line-buffered: a message reaches write_message whole, and before the next redraw. */
	if (!messages || setvbuf(messages, NULL, _IOLBF, 0) != 0) {
		if (messages)
			fclose(messages);
		p->shown = false; /* better no progress than messages cut into by it */
		return stderr;
	}
	p->messages = messages;
	return messages;
}

void progress_end(struct progress *p)
{
	if (p->messages != stderr) {
		fclose(p->messages);
		p->messages = stderr;
	}
	if (p->shown)
		take_line_away(p, true);
}
