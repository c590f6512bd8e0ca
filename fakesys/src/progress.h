/* SPDX-License-Identifier: MIT */
/*
 * The progress line of long commands: "fakesys record: reading functions 1234/4096 (30%)" on
 * stderr, redrawn in place. The libraries only report (phase, done, total) through a callback;
 * whether and how that shows is decided here, by what stderr is.
 */
#ifndef FAKESYS_PROGRESS_H
#define FAKESYS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

enum progress_mode {
	PROGRESS_AUTO,	 /* on a terminal only, and only once a run has taken a while */
	PROGRESS_FORCED, /* always and from the start, each phase's last state kept as a line */
	PROGRESS_OFF,
};

struct progress {
	const char *prefix; /* "fakesys record" */
	bool shown;	    /* this run draws at all */
	bool forced;
	bool drawn;	/* at least once: redraws wait for last_draw + 100 ms */
	bool on_screen; /* a progress line is on stderr, not yet cleared or ended */
	bool undrawn;	/* the latest state is not what is on stderr */
	size_t width;	/* of the line on stderr, to blank it */
	size_t columns; /* of the terminal; 0: unknown */
	char phase[64]; /* the latest state */
	size_t done, total;
	struct timespec start, last_draw;
	FILE *messages;
};

/*
 * Decides from mode and stderr whether this run shows progress. output_on_stdout: what the
 * command writes goes to stdout, so a terminal that is both stdout and stderr gets none in
 * the automatic mode (it would cut into the output).
 */
void progress_start(struct progress *p, const char *prefix, enum progress_mode mode,
		    bool output_on_stdout);

/* The callback the libraries take (arg: the struct progress). */
void progress_update(void *arg, const char *phase, size_t done, size_t total);

/*
 * Where to write lines to stderr while progress may be shown: each write first takes the
 * progress line away (or, forced, ends it), so the two never share a line. stderr itself
 * when no progress is shown.
 */
FILE *progress_messages(struct progress *p);

/* The run is over: the line cleared (forced: its last state ended with a newline). */
void progress_end(struct progress *p);

#endif
