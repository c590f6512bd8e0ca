/* SPDX-License-Identifier: MIT */
/* The driver core's bus and driver files. */
#include "bus_sysfs.h"

SYSFS_SHOW(drivers_autoprobe)
{
	return sysfs_emit(buf, size, "%d\n", ((const struct bus_type_obj *)obj)->drivers_autoprobe);
}

/* drivers_autoprobe_store(): "0" turns it off, anything else on; never an error. */
SYSFS_STORE(drivers_autoprobe)
{
	((struct bus_type_obj *)obj)->drivers_autoprobe = buf[0] != '0';
	return (ssize_t)len;
}

static const struct sysfs_attr attr_drivers_autoprobe = { .name = "drivers_autoprobe",
							  .mode = 0644,
							  .show = drivers_autoprobe_show,
							  .store = drivers_autoprobe_store };
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
