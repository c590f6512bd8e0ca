/* SPDX-License-Identifier: MIT */
/*
 * Mediated devices (drivers/vfio/mdev): a parent's mdev_supported_types/<type>/, a created
 * mdev's directory, and /sys/bus/mdev with its vfio_mdev driver.
 */
#ifndef FAKESYS_MDEV_SYSFS_H
#define FAKESYS_MDEV_SYSFS_H

#include "power_sysfs.h"
#include "sysfs_tree.h"
#include "topology.h"

/* The driver every mdev here is bound to, which makes its group usable through VFIO. */
#define MDEV_DRIVER_VFIO "vfio_mdev"

/* mdev_supported_types/<id>/ of one parent. */
struct mdev_type_obj {
	const struct topo_mdev_type *type;
	uint32_t created; /* mdevs of this type on this parent */
};

/* <parent>/<uuid>/. */
struct mdev_device_obj {
	struct dev_pm_info pm; /* first: power/ reads it */
	const struct topology *topo;
	const struct topo_mdev *mdev;
};

extern const struct sysfs_attr_group *const mdev_type_groups[];
extern const struct sysfs_attr_group *const mdev_device_groups[];
extern const struct sysfs_attr_group *const mdev_bus_type_groups[];
extern const struct sysfs_attr_group *const mdev_driver_groups[];

#endif
