/* SPDX-License-Identifier: MIT */
/*
 * A scenario file: one host layout (the topology), the host paths handed to one sandbox, and
 * the naming outcome expected for each scheme. Parsing validates everything; a scenario that
 * loads is one that can be served.
 */
#ifndef FAKESYS_SCENARIO_H
#define FAKESYS_SCENARIO_H

#include "topology.h"
#include "verbatim.h"

/* What one naming scheme is expected to produce for the sandbox: either IDs or an error. */
struct scenario_expect {
	char *scheme; /* "index" or "group-index" */
	char *prefix; /* NULL: the naming module's default */
	char **ids;   /* in sandbox order, then BDF order within a group; NULL when error is set */
	size_t n_ids;
	char *error; /* exact message expected instead of IDs, e.g. "Duplicate device ID '...'" */
	struct src_pos pos;
};

/*
 * One step of a scenario's script: a change made through the mount as a program would make it,
 * or a check of what the tree (or the naming) shows then. The runner executes them in order.
 */
enum scenario_step_kind {
	STEP_WRITE,    /* target: a path; value: what one write() carries */
	STEP_BIND,     /* target: a device; driver */
	STEP_UNBIND,   /* target: a device, from whatever driver it has */
	STEP_OVERRIDE, /* target: a device; driver ("" clears driver_override) */
	STEP_PROBE,    /* target: a device, through drivers_probe */
	STEP_NUMVFS,   /* target: a PF; count */
	STEP_REMOVE,   /* target: a device */
	STEP_RESCAN,   /* target: a device (its bus), or "all" */
	STEP_PLUG,     /* target: a card (fakesys ctl plug) */
	STEP_UNPLUG,   /* target: a card */
	STEP_EXISTS,   /* target: a path that must be there (a dangling link counts) */
	STEP_ABSENT,   /* target: a path that must not be there */
	STEP_READ,     /* target: a path; value: what it reads, one trailing newline aside */
	STEP_NAME,     /* outcome: naming the sandbox (the step's, else the scenario's) */
	STEP_KIND_COUNT
};

struct scenario_step {
	enum scenario_step_kind kind;
	/* "/sys/..." or "/dev/..." as a program inside fakesys run sees it, a BDF, or a scheme. */
	char *target;
	char *driver;
	char *value;
	unsigned count;
	int error; /* the errno a change (or read) must fail with; 0: it must succeed */
	struct scenario_expect outcome; /* STEP_NAME: scheme, ids or error, prefix */
	char **sandbox;			/* STEP_NAME: NULL for the scenario's */
	size_t n_sandbox;
	struct src_pos pos;
};

/* The step's verb as scenario files spell it ("bind", "numvfs", ...). */
const char *scenario_step_name(enum scenario_step_kind kind);

struct scenario {
	char *path; /* as given to scenario_load */
	char *name;
	char *description;
	struct topology topo;
	char **sandbox; /* host paths: "/dev/vfio/<N>" or a BDF */
	size_t n_sandbox;
	struct scenario_expect *expect;
	size_t n_expect;
	/* Served as given over the model's tree; sorted by path (see verbatim.h). */
	struct verbatim_entry *verbatim;
	size_t n_verbatim;
	/* Fault rules in force from the mount on, in the syntax of fault_rules_add_text. */
	char **faults;
	size_t n_faults;
	struct scenario_step *steps;
	size_t n_steps;
};

/* The longest scenario name. */
#define SCENARIO_NAME_MAX 64

/* Longest message scenario_load produces, including "FILE:LINE:COL: ". */
#define SCENARIO_ERROR_MAX 512

/*
 * Reads and validates the file at path. On success returns 0 and fills *out (free it with
 * scenario_free). On failure returns -1, leaves *out empty, and writes one line without a
 * trailing newline into error: "FILE:LINE:COL: message", or "FILE: message" where there is
 * no position (missing file, empty file).
 */
int scenario_load(const char *path, struct scenario *out, char error[SCENARIO_ERROR_MAX]);

/* Scenario text as messages quote it: at most this many bytes of it, then "...". */
#define SCENARIO_SHOWN_MAX 60

/*
 * len bytes of text as a message quotes them: cut after SCENARIO_SHOWN_MAX bytes (never inside
 * a UTF-8 sequence) with "..." added, control characters as '?', NUL-terminated in out.
 */
void scenario_shown_text(const char *text, size_t len, char out[SCENARIO_SHOWN_MAX + 4]);

/*
 * Takes apart an error that scenario_load (or the tree build) wrote for path: the message after
 * "FILE:LINE:COL: " or "FILE: ", with line and column, both 0 when there is no position. NULL
 * when error is not one of path's.
 */
const char *scenario_error_message(const char *error, const char *path, unsigned *line,
				   unsigned *column);
void scenario_free(struct scenario *sc);

#endif
