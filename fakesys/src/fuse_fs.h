/* SPDX-License-Identifier: MIT */
/* Serves a sysfs tree through the libfuse3 low-level API. Knows nothing of PCI. */
#ifndef FAKESYS_FUSE_FS_H
#define FAKESYS_FUSE_FS_H

#include <stdbool.h>
#include <stddef.h>

#include "sysfs_tree.h"

struct fault_rules;
struct access_trace;

/*
 * A file at the mount root that the tree does not hold and no listing shows: each write() to
 * it is one command, run with every other operation held off, and a read of the same open file
 * then gives the command's reply. Changes the command makes to the tree are dropped from the
 * kernel's caches as a write's are.
 */
struct fuse_fs_control {
	const char *name;
	/* command holds len bytes and a NUL. Returns 0 or -errno (the write's result); *reply is
	 * NULL or text to read back (the caller frees it). */
	int (*run)(void *ctx, const char *command, size_t len, char **reply);
	void *ctx;
};

struct fuse_fs_options {
	const char *mountpoint;
	const char *source; /* what the mount table shows as the mount's source; NULL: "fakesys" */
	bool foreground;    /* false: detach once the mount is in place */
	bool debug;	    /* libfuse's -d: log every request; implies foreground */
	bool allow_other;   /* let users other than the mounting one in */
	bool read_only;	    /* the kernel refuses every write with EROFS, before it reaches us */
	unsigned max_threads;
	struct fault_rules *faults;	       /* may be NULL */
	struct access_trace *trace;	       /* may be NULL */
	const struct fuse_fs_control *control; /* may be NULL */
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
