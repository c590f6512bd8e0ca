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
};

/* Longest message scenario_load produces, including "FILE:LINE:COL: ". */
#define SCENARIO_ERROR_MAX 512

/*
 * Reads and validates the file at path. On success returns 0 and fills *out (free it with
 * scenario_free). On failure returns -1, leaves *out empty, and writes one line without a
 * trailing newline into error: "FILE:LINE:COL: message", or "FILE: message" where there is
 * no position (missing file, empty file).
 */
int scenario_load(const char *path, struct scenario *out, char error[SCENARIO_ERROR_MAX]);
void scenario_free(struct scenario *sc);

#endif
