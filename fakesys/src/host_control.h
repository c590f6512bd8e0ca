/* SPDX-License-Identifier: MIT */
/*
 * A mounted host taking commands from outside, as a test scripts hotplug and faults: the
 * scenario it was built from, the host built from it, and the mount's fault rules. The file
 * system hands each command over (see fuse_fs_control) with every other operation held off.
 *
 * Commands, one per write, a trailing newline allowed:
 *   plug BDF            the card at BDF (every function of its device number) goes into its
 *                       slot: it and everything declared below it are found and probed
 *   unplug BDF          the card is pulled: it and everything below it leave the bus, and no
 *                       rescan finds them until it is plugged again
 *   reload [SCENARIO]   the host becomes the scenario's (the one mounted when not given), as if
 *                       it had just booted: state set by writes is gone, paths that stay keep
 *                       their inodes; a scenario that does not load changes nothing
 *   fault RULE          adds a fault rule (mount --fault syntax)
 *   faults              replies with the rules in force, one per line
 *   faults clear        removes every rule
 */
#ifndef FAKESYS_HOST_CONTROL_H
#define FAKESYS_HOST_CONTROL_H

#include <stddef.h>

#include "fault_rules.h"
#include "host_tree.h"
#include "scenario.h"

/* Where the commands go: a file at the mount root, which no listing shows. */
#define HOST_CONTROL_FILE ".fakesys-control"

struct host_control {
	char *path; /* the scenario's, absolute: what reload reads again */
	struct scenario *sc;
	struct host_tree *ht;
	struct fault_rules *faults;
	/* Rules given when mounting (--fault): in force again after every reload, first. */
	char **mount_faults;
	size_t n_mount_faults;
};

/*
 * Loads the scenario at path, builds its host and puts the scenario's fault rules after the
 * mount_faults (n texts, copied, all valid) in a new rule set. 0; -EINVAL with
 * "FILE:LINE:COL: message" in error (SCENARIO_ERROR_MAX bytes); -ENOMEM. Nothing to free on
 * failure.
 */
int host_control_load(struct host_control *ctl, const char *path, char *const *mount_faults,
		      size_t n, char *error);
void host_control_free(struct host_control *ctl);

/* One command, for fuse_fs_control.run: 0 or -errno, and a reply (or an error message). */
int host_control_run(void *ctl, const char *command, size_t len, char **reply);

#endif
