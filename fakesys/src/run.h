/* SPDX-License-Identifier: MIT */
/* fakesys run: one command in a private mount namespace that shows a sysfs tree at /sys. */
#ifndef FAKESYS_RUN_H
#define FAKESYS_RUN_H

#include <stddef.h>

struct sysfs_tree;
struct fuse_fs_control;
struct fault_rules;

/*
 * Runs argv (looked up in PATH) in a private mount namespace where the tree's sys is mounted
 * at /sys, its dev/vfio at /dev/vfio and, when the tree has one, its dev/iommu at /dev/iommu;
 * the rest of /dev is the host's. Nothing is mounted or created on the host's /sys and /dev:
 * the calling process moves into the namespace for good and everything is taken down before
 * returning. SIGINT, SIGTERM and SIGHUP are passed on to the command. faults (may be NULL) are
 * in force; with a control (may be NULL), the command finds the path of the control file in
 * the environment variable FAKESYS_CONTROL.
 *
 * Without CAP_SYS_ADMIN, the mount namespace is made inside a new user namespace where the
 * caller keeps its uid and gid; that needs unprivileged user namespaces and a /dev/fuse the
 * caller may open. Returns the command's exit status (128 + the signal's number if a signal
 * killed it; 127 or 126 if it could not be executed, as shells do), or -1 with a message in
 * error if the namespace could not be set up (nothing is left mounted).
 */
int run_in_scenario(struct sysfs_tree *tree, const struct fuse_fs_control *control,
		    struct fault_rules *faults, char *const argv[], char *error, size_t error_size);

#endif
