/* SPDX-License-Identifier: MIT */
/*
 * What the driver core gives every bus and every driver (drivers/base/bus.c): a bus's
 * drivers_autoprobe, drivers_probe and uevent; a driver's bind, unbind and uevent. Buses add
 * their own groups beside these (PCI: rescan, new_id, ...).
 */
#ifndef FAKESYS_BUS_SYSFS_H
#define FAKESYS_BUS_SYSFS_H

#include "sysfs_tree.h"

/* The object behind /sys/bus/<name>: what its writable files change. */
struct bus_type_obj {
	_Atomic bool drivers_autoprobe;
};

extern const struct sysfs_attr_group bus_type_attr_group;
extern const struct sysfs_attr_group bus_driver_attr_group;

#endif
