/* SPDX-License-Identifier: MIT */
/*
 * /sys/module/<name>: the module each driver registers from (drivers/base/module.c,
 * kernel/module/sysfs.c, kernel/module/main.c, kernel/params.c), as a distribution kernel
 * (CONFIG_MODULES, CONFIG_MODULE_UNLOAD, CONFIG_KALLSYMS, v6.15 or later) shows it.
 *
 * A loadable module has uevent, srcversion, initstate, coresize, initsize, taint, refcnt, an
 * empty holders/, notes/ and sections/; a built-in one has uevent alone. Either has version
 * when it has a MODULE_VERSION, parameters/ when it has parameters, and drivers/, which the
 * tree builder fills with a pci:<driver> link per driver (the driver's directory links back as
 * module).
 *
 * Which module a driver comes from is its KBUILD_MODNAME: the driver's name with '-' as '_',
 * except for the drivers a small table knows; a driver it does not know is a loadable module.
 */
#ifndef FAKESYS_MODULE_SYSFS_H
#define FAKESYS_MODULE_SYSFS_H

#include <stdbool.h>
#include <stdint.h>

#include "sysfs_tree.h"

/* The kernel's MODULE_NAME_LEN on 64-bit hosts (64 - sizeof(unsigned long)), NUL included. */
#define MODULE_NAME_LEN 56

/* Boolean parameters a module may have (vfio_pci has the most). */
#define MODULE_MAX_PARAMS 8

struct module_facts;

/* The object behind /sys/module/<name>; made once, so parameter writes survive rebuilds. */
struct module_obj {
	char name[MODULE_NAME_LEN];
	const struct module_facts *facts;	/* what the table says of it, or the defaults */
	uint64_t base;				/* where its core sits in the module area */
	_Atomic bool params[MODULE_MAX_PARAMS]; /* in the order of its parameters/ table */
	/* Its attribute groups, NULL-terminated: named ones are holders/, notes/, sections/ and
	 * parameters/. */
	const struct sysfs_attr_group *groups[6];
};

/* The module drv registers from: KBUILD_MODNAME of its source, truncated to fit out. */
void module_name_of_driver(const char *driver, char out[MODULE_NAME_LEN]);

/*
 * Makes the module called name, its core placed at *next_base in the module area; moves
 * *next_base past it (0 starts at the area's beginning).
 */
void module_obj_init(struct module_obj *mod, const char *name, uint64_t *next_base);

#endif
