/* SPDX-License-Identifier: MIT */
/* An IOMMU group's type and reserved_regions, in iommu.c's formats. */
#include "iommu_sysfs.h"

static ssize_t type_show(const void *obj, const struct sysfs_opener *opener, char *buf, size_t size)
{
	const struct iommu_group_obj *group = obj;

	(void)opener;
	return sysfs_emit(buf, size, "%s\n", iommu_group_type_name(group->group->type));
}

/* The x86 interrupt-remapping window every group reserves when an IOMMU translates. */
static ssize_t reserved_regions_show(const void *obj, const struct sysfs_opener *opener, char *buf,
				     size_t size)
{
	(void)obj;
	(void)opener;
	return sysfs_emit(buf, size, "0x%016llx 0x%016llx %s\n", 0xfee00000ULL, 0xfeefffffULL,
			  "msi");
}

static const struct sysfs_attr attr_reserved_regions = { "reserved_regions", 0444,
							 reserved_regions_show, NULL, NULL };
static const struct sysfs_attr attr_type = { "type", 0644, type_show, NULL, NULL };

static const struct sysfs_attr *const iommu_group_attrs[] = {
	&attr_reserved_regions,
	&attr_type,
	NULL,
};
static const struct sysfs_attr_group iommu_group_group = { .attrs = iommu_group_attrs };

const struct sysfs_attr_group *const iommu_group_groups[] = {
	&iommu_group_group,
	NULL,
};
