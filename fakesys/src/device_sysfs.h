/* SPDX-License-Identifier: MIT */
/*
 * Devices that are not PCI functions (drivers/base/core.c): a class device with a device node
 * ("dev", "uevent" with MAJOR/MINOR/DEVNAME, power/), as behind /dev/vfio/<N>, /dev/vfio/vfio,
 * /dev/vfio/devices/vfio<X> and /dev/iommu; and a plain virtual device (an IOMMU instance).
 */
#ifndef FAKESYS_DEVICE_SYSFS_H
#define FAKESYS_DEVICE_SYSFS_H

#include "power_sysfs.h"
#include "sysfs_tree.h"

struct chardev_obj {
	struct dev_pm_info pm; /* first: power/ reads it */
	unsigned major;
	unsigned minor;
	char devname[64]; /* node path under /dev, e.g. "vfio/215" */
	uint16_t devmode; /* 0 unless the driver sets the node's mode (misc "vfio": 0666) */
	bool live;	  /* the device exists and holds its minor number */
};

extern const struct sysfs_attr_group *const chardev_groups[];

/* A device with nothing to say in uevent, and power/; the object is a struct dev_pm_info. */
extern const struct sysfs_attr_group *const virtual_device_groups[];

#endif
