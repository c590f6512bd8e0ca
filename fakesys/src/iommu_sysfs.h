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
	/* The default domain's type: the scenario's until a write to `type` changes it. */
	_Atomic int type; /* enum iommu_group_type */
};

void iommu_group_obj_init(struct iommu_group_obj *obj, const struct topology *topo,
			  const struct topo_group *group);

extern const struct sysfs_attr_group *const iommu_group_groups[];

#endif
