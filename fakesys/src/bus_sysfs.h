/* SPDX-License-Identifier: MIT */
/*
 * What the driver core gives every bus and every driver (drivers/base/bus.c): a bus's
 * drivers_autoprobe, drivers_probe and uevent; a driver's bind, unbind and uevent. Buses add
 * their own groups beside these (PCI: rescan, new_id, ...).
 */
#ifndef FAKESYS_BUS_SYSFS_H
#define FAKESYS_BUS_SYSFS_H

#include <stddef.h>
#include <stdint.h>

#include "sysfs_tree.h"

struct device_driver_obj;

/*
 * What a bus does when its files are written, as its bus_type's match and probe would. Device
 * names arrive as written, without one trailing newline. Each returns 0 or -errno; a NULL
 * operation makes the write fail with ENODEV, as a bus with no such device would.
 */
struct bus_type_ops {
	int (*probe)(void *bus, const char *device);
	int (*bind)(void *bus, const struct device_driver_obj *driver, const char *device);
	int (*unbind)(void *bus, const struct device_driver_obj *driver, const char *device);
};

/* The object behind /sys/bus/<name>: what its writable files change. */
struct bus_type_obj {
	_Atomic bool drivers_autoprobe;
	const struct bus_type_ops *ops;
	void *bus; /* handed to ops */
};

/* The object behind /sys/bus/<name>/drivers/<driver>. */
struct device_driver_obj {
	struct bus_type_obj *bus;
	int32_t index; /* the bus's own number for it */
};

extern const struct sysfs_attr_group bus_type_attr_group;
extern const struct sysfs_attr_group bus_driver_attr_group;

#endif
