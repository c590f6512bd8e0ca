/* SPDX-License-Identifier: MIT */
/* The power/ directory every device has (drivers/base/power/sysfs.c, runtime PM part). */
#ifndef FAKESYS_POWER_SYSFS_H
#define FAKESYS_POWER_SYSFS_H

#include <stdbool.h>

#include "sysfs_tree.h"

/* Runtime PM state. Every object whose directory has power/ starts with one of these. */
struct dev_pm_info {
	bool runtime_enabled; /* false: runtime_status reads "unsupported" */
	bool runtime_auto;    /* control: "auto" or "on" (PCI forbids runtime PM: "on") */
	bool suspended;	      /* runtime_status "suspended" rather than "active" */
};

extern const struct sysfs_attr_group power_attr_group;

#endif
