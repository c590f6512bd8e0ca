/* SPDX-License-Identifier: MIT */
/* The system's mount table as fakesys needs it: which mounts are fakesys's, and which died. */
#ifndef FAKESYS_MOUNT_TABLE_H
#define FAKESYS_MOUNT_TABLE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* The file system type fakesys mounts show in /proc/self/mounts. */
#define FAKESYS_FSTYPE "fuse.fakesys"
/* Their source field: this prefix and the scenario's absolute path. */
#define FAKESYS_SOURCE_PREFIX "fakesys:"

/*
 * The canonical path of a mount point, resolved through its parent only: a mount whose daemon
 * died answers ENOTCONN to every access, itself included. False (errno set) if the parent
 * cannot be resolved.
 */
bool mount_table_canonical(const char *path, char out[PATH_MAX]);

struct mount_entry {
	char source[PATH_MAX];
	char dir[PATH_MAX];
	char type[64];
};

/* The topmost mount at dir (canonical), if any. */
bool mount_table_find(const char *dir, struct mount_entry *out);

/* Calls each(entry, arg) for every fakesys mount, in mount order. */
void mount_table_each_fakesys(void (*each)(const struct mount_entry *entry, void *arg), void *arg);

/* A fakesys mount whose daemon is gone: the kernel answers ENOTCONN. */
bool mount_is_dead(const char *dir);

#endif
