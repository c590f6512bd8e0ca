/* SPDX-License-Identifier: MIT */
/* The driver core's bus and driver files; writes come with the kernel-behaviour work. */
#include "bus_sysfs.h"

static const struct sysfs_attr attr_drivers_autoprobe = { .name = "drivers_autoprobe",
							  .mode = 0644,
							  .show = sysfs_show_one };
static const struct sysfs_attr attr_drivers_probe = { .name = "drivers_probe", .mode = 0200 };
static const struct sysfs_attr attr_uevent = { .name = "uevent", .mode = 0200 };
static const struct sysfs_attr attr_bind = { .name = "bind", .mode = 0200 };
static const struct sysfs_attr attr_unbind = { .name = "unbind", .mode = 0200 };

static const struct sysfs_attr *const bus_type_attrs[] = {
	&attr_drivers_autoprobe,
	&attr_drivers_probe,
	&attr_uevent,
	NULL,
};

const struct sysfs_attr_group bus_type_attr_group = { .attrs = bus_type_attrs };

static const struct sysfs_attr *const bus_driver_attrs[] = {
	&attr_bind,
	&attr_unbind,
	&attr_uevent,
	NULL,
};

const struct sysfs_attr_group bus_driver_attr_group = { .attrs = bus_driver_attrs };
