/* SPDX-License-Identifier: MIT */
/* An IOMMU group's type, reserved_regions and name, in iommu.c's formats. */
#include "iommu_sysfs.h"

#include <errno.h>

#include "sysfs_parse.h"

void iommu_group_obj_init(struct iommu_group_obj *obj, const struct topology *topo,
			  const struct topo_group *group)
{
	obj->topo = topo;
	obj->group = group;
	obj->type = group->type;
}

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
	const struct iommu_group_obj *group = obj;

	(void)opener;
	return sysfs_emit(buf, size, "%s\n",
			  iommu_group_type_name(without_domain(obj)
							? IOMMU_TYPE_UNKNOWN
							: (enum iommu_group_type)group->type));
}

/*
 * The kernel's owner_cnt is not zero: a member is bound to a driver that uses the group's
 * default domain. Drivers that manage DMA themselves (vfio-pci, pci-stub, pcieport) take no
 * share; VFIO claims the group only when user space opens it, which no one does here.
 */
static bool group_is_owned(const struct iommu_group_obj *obj, bool *empty)
{
	const struct topology *topo = obj->topo;
	int32_t index = (int32_t)(obj->group - topo->groups);
	bool owned = false;

	*empty = true;
	for (size_t i = 0; i < topo->n_functions; i++) {
		if (topo->functions[i].group != index)
			continue;
		*empty = false;
		owned |= topo->functions[i].driver != TOPO_NONE &&
			 !topology_driver_manages_dma(topo, &topo->functions[i]);
	}
	return owned;
}

/* iommu_group_store_type(): DMA to DMA-FQ live; anything else only with no owner. */
static ssize_t type_store(void *obj, const struct sysfs_opener *opener, const char *buf, size_t len)
{
	static const struct {
		const char *name;
		enum iommu_group_type type;
	} requests[] = {
		{ "identity", IOMMU_TYPE_IDENTITY },
		{ "DMA", IOMMU_TYPE_DMA },
		{ "DMA-FQ", IOMMU_TYPE_DMA_FQ },
		{ "auto", IOMMU_TYPE_DMA_FQ }, /* x86's default, lazy invalidation */
	};
	struct iommu_group_obj *group = obj;
	size_t i = 0;
	bool empty;

	if (!opener->privileged)
		return -EACCES;
	if (without_domain(obj))
		return -EINVAL;
	while (i < sizeof(requests) / sizeof(requests[0]) &&
	       !sysfs_streq(buf, len, requests[i].name))
		i++;
	if (i == sizeof(requests) / sizeof(requests[0]))
		return -EINVAL;
	if (requests[i].type == IOMMU_TYPE_DMA_FQ && group->type == IOMMU_TYPE_DMA) {
		group->type = IOMMU_TYPE_DMA_FQ;
		return (ssize_t)len;
	}
	if (group_is_owned(group, &empty) || empty)
		return -EPERM;
	group->type = requests[i].type;
	return (ssize_t)len;
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
static const struct sysfs_attr attr_type = {
	.name = "type", .mode = 0644, .show = type_show, .store = type_store
};
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
