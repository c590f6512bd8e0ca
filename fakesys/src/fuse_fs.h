/* SPDX-License-Identifier: MIT */
/* Serves a sysfs tree through the libfuse3 low-level API. Knows nothing of PCI. */
#ifndef FAKESYS_FUSE_FS_H
#define FAKESYS_FUSE_FS_H

#include <stdbool.h>
#include <stddef.h>

#include "sysfs_tree.h"

struct fault_rules;
struct access_trace;

struct fuse_fs_options {
	const char *mountpoint;
	const char *source; /* what the mount table shows as the mount's source; NULL: "fakesys" */
	bool foreground;    /* false: detach once the mount is in place */
	bool debug;	    /* libfuse's -d: log every request; implies foreground */
	bool allow_other;   /* let users other than the mounting one in */
	unsigned max_threads;
	struct fault_rules *faults; /* may be NULL */
	struct access_trace *trace; /* may be NULL */
};

/*
 * Mounts tree at options->mountpoint and serves it until unmounted or signalled (SIGTERM,
 * SIGINT, SIGHUP), then unmounts. Without foreground, the calling process returns 0 from here
 * in the parent as soon as the mount is in place, and the child goes on serving. Returns 0,
 * or 1 with a message in error (the mount failed: nothing is left mounted).
 */
int fuse_fs_serve(struct sysfs_tree *tree, const struct fuse_fs_options *options, char *error,
		  size_t error_size);

#endif
