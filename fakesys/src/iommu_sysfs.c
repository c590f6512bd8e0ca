/* SPDX-License-Identifier: MIT */
/* An IOMMU group's type, reserved_regions and name, in iommu.c's formats. */
#include "iommu_sysfs.h"

static const struct topo_group *group_of(const void *obj)
{
	return ((const struct iommu_group_obj *)obj)->group;
}

/* No IOMMU domain behind the group: no-IOMMU groups and mdev-only ones. */
static bool without_domain(const void *obj)
{
	return group_of(obj)->noiommu || ((const struct iommu_group_obj *)obj)->emulated;
}

/* A group without an IOMMU has no default domain, and then the kernel says "unknown". */
static ssize_t type_show(const void *obj, const struct sysfs_opener *opener, char *buf, size_t size)
{
	const struct topo_group *group = group_of(obj);

	(void)opener;
	return sysfs_emit(
		buf, size, "%s\n",
		iommu_group_type_name(without_domain(obj) ? IOMMU_TYPE_UNKNOWN : group->type));
}

/* Without regions from the scenario, the x86 interrupt-remapping window every group reserves
 * when an IOMMU translates; nothing at all without an IOMMU domain. */
static ssize_t reserved_regions_show(const void *obj, const struct sysfs_opener *opener, char *buf,
				     size_t size)
{
	static const struct topo_region x86_msi = { 0xfee00000ULL, 0xfeefffffULL, "msi" };
	const struct topo_group *group = group_of(obj);
	const struct topo_region *regions = group->n_regions ? group->regions : &x86_msi;
	size_t n = without_domain(obj) ? 0 : group->n_regions ? group->n_regions : 1;
	ssize_t len = 0;

	(void)opener;
	for (size_t i = 0; i < n; i++)
		len += sysfs_emit(buf + len, size - (size_t)len, "0x%016llx 0x%016llx %s\n",
				  (unsigned long long)regions[i].start,
				  (unsigned long long)regions[i].end, regions[i].type);
	return len;
}

static ssize_t name_show(const void *obj, const struct sysfs_opener *opener, char *buf, size_t size)
{
	(void)obj;
	(void)opener;
	return sysfs_emit(buf, size, "%s\n", "vfio-noiommu");
}

static const struct sysfs_attr attr_reserved_regions = { .name = "reserved_regions",
							 .mode = 0444,
							 .show = reserved_regions_show };
static const struct sysfs_attr attr_type = { .name = "type", .mode = 0644, .show = type_show };
static const struct sysfs_attr attr_name = { .name = "name", .mode = 0444, .show = name_show };

static const struct sysfs_attr *const iommu_group_attrs[] = {
	&attr_reserved_regions,
	&attr_type,
	&attr_name,
	NULL,
};

/* Only named groups have "name"; vfio names its no-IOMMU groups. */
static uint16_t iommu_group_attr_visible(const void *obj, const struct sysfs_attr *attr)
{
	return attr == &attr_name && !group_of(obj)->noiommu ? 0 : attr->mode;
}

static const struct sysfs_attr_group iommu_group_group = {
	.attrs = iommu_group_attrs,
	.is_visible = iommu_group_attr_visible,
};

const struct sysfs_attr_group *const iommu_group_groups[] = {
	&iommu_group_group,
	NULL,
};
