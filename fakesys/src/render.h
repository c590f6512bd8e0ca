/* SPDX-License-Identifier: MIT */
/*
 * Writes a sysfs tree into a plain directory: directories, symlinks with the same text, files
 * with the bytes a privileged reader gets, character devices where mknod is allowed. The same
 * tree the FUSE layer serves, so no format is implemented twice.
 */
#ifndef FAKESYS_RENDER_H
#define FAKESYS_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "sysfs_tree.h"

struct render_stats {
	size_t dirs, files, links, chardevs;
	/* Files that exist but cannot be read (write-only, or reads fail like EIO): rendered
	 * empty, with their mode. */
	size_t unreadable;
	/* Character devices written as empty files because mknod was not permitted. */
	size_t chardev_placeholders;
};

/*
 * Renders tree into dir, which must not exist or be empty. Returns 0, or -1 with a message
 * naming the path at fault in error.
 */
int render_tree(const struct sysfs_tree *tree, const char *dir, struct render_stats *stats,
		char *error, size_t error_size);

#endif
