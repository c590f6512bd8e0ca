/* SPDX-License-Identifier: MIT */
/* /sys/kernel/iommu_groups/<N>: the group's attributes (drivers/iommu/iommu.c). */
#ifndef FAKESYS_IOMMU_SYSFS_H
#define FAKESYS_IOMMU_SYSFS_H

#include "sysfs_tree.h"
#include "topology.h"

struct iommu_group_obj {
	const struct topology *topo;
	const struct topo_group *group;
	/* Only mediated devices in it: VFIO's emulated IOMMU, no default domain. */
	bool emulated;
};

extern const struct sysfs_attr_group *const iommu_group_groups[];

#endif
