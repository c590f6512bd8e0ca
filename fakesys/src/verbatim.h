/* SPDX-License-Identifier: MIT */
/*
 * Verbatim entries: files, links, directories and device nodes served exactly as a scenario
 * gives them, over the tree the model builds. A recording keeps in them whatever of a real
 * host the model does not reproduce by itself, so that replaying it loses nothing.
 */
#ifndef FAKESYS_VERBATIM_H
#define FAKESYS_VERBATIM_H

#include <stddef.h>
#include <stdint.h>

#include "sysfs_tree.h"
#include "topology.h"

enum verbatim_kind {
	VERBATIM_ABSENT, /* the model's node or attribute of that name is taken away */
	VERBATIM_FILE,
	VERBATIM_LINK,
	VERBATIM_DIR, /* made if missing; an existing directory only takes the mode */
	VERBATIM_CHAR,
};

struct verbatim_entry {
	char *path; /* relative to the root: "sys/..." or "dev/..." */
	uint8_t kind;
	uint16_t mode;	     /* permission bits of a file, directory or device node */
	unsigned char *data; /* a file's bytes, or a link's text (NUL-terminated) */
	size_t len;
	uint64_t size; /* what stat reports for a file */
	int error;     /* a file whose read fails with this errno; EACCES: cannot be opened */
	unsigned major, minor;
	struct src_pos pos;
};

/* The largest verbatim file, and the limits of a path and of one of its names. */
#define VERBATIM_DATA_MAX (1u << 20)
#define VERBATIM_PATH_MAX 4095
#define VERBATIM_NAME_MAX 255

/*
 * Lays the entries over tree, in order; each one's parent directory must exist by then (made by
 * the model or by an earlier entry). On failure returns -EINVAL (the entry does not fit) or
 * -ENOMEM, with the index of the entry in *failed and the reason in reason; nothing is undone
 * (drop the tree).
 */
int verbatim_tree_apply(struct sysfs_tree *tree, const struct verbatim_entry *entries, size_t n,
			size_t *failed, char *reason, size_t reason_size);

/* The errno names verbatim files use ("EIO"): the name of error, or NULL; the reverse. */
const char *verbatim_error_name(int error);
int verbatim_error_parse(const char *name);

void verbatim_free(struct verbatim_entry *entries, size_t n);

struct scenario;
struct host_tree;
/*
 * The tree a scenario serves: the model's, with its verbatim entries laid over. 0; or
 * -EINVAL with "FILE:LINE:COL: message" in error (SCENARIO_ERROR_MAX bytes) when an entry does
 * not fit, -ENOMEM; nothing to free then.
 */
int scenario_tree_build(struct scenario *sc, struct host_tree *out, char *error);

#endif
