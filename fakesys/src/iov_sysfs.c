/* SPDX-License-Identifier: MIT */
/* SR-IOV files (drivers/pci/iov.c): on a physical function, and on its virtual functions. */
#include "pci_sysfs.h"

#include <errno.h>

#include "pci_core.h"
#include "sysfs_parse.h"

static const struct topo_sriov *sriov_of(const void *obj)
{
	return pci_fn(obj)->sriov;
}

SYSFS_SHOW(sriov_totalvfs)
{
	return sysfs_emit(buf, size, "%u\n", sriov_of(obj)->total);
}

SYSFS_SHOW(sriov_numvfs)
{
	return sysfs_emit(buf, size, "%u\n", sriov_of(obj)->num);
}

/* sriov_numvfs_store(): kstrtou16 (EINVAL for anything it refuses, past 65535 too), then
 * ERANGE past TotalVFs, ENOENT without a driver that can, EBUSY for a different nonzero count
 * while VFs are enabled. */
SYSFS_STORE(sriov_numvfs)
{
	struct pci_device *dev = obj;
	uint16_t num;

	if (sysfs_parse_u16(buf, len, 0, &num))
		return -EINVAL;
	int err = pci_core_set_numvfs(dev->host, (size_t)(dev->fn - dev->topo->functions), num);
	return err ? err : (ssize_t)len;
}

SYSFS_SHOW(sriov_offset)
{
	return sysfs_emit(buf, size, "%u\n", sriov_of(obj)->offset);
}

SYSFS_SHOW(sriov_stride)
{
	return sysfs_emit(buf, size, "%u\n", sriov_of(obj)->stride);
}

/* No 0x prefix here, unlike "device". */
SYSFS_SHOW(sriov_vf_device)
{
	return sysfs_emit(buf, size, "%x\n", sriov_of(obj)->vf_device);
}

SYSFS_SHOW(sriov_drivers_autoprobe)
{
	const struct pci_device *dev = obj;

	return sysfs_emit(buf, size, "%u\n", dev->sriov_drivers_autoprobe ? 1u : 0u);
}

/* sriov_drivers_autoprobe_store(): kstrtobool, else EINVAL. */
SYSFS_STORE(sriov_drivers_autoprobe)
{
	bool value;

	if (sysfs_parse_bool(buf, len, &value))
		return -EINVAL;
	((struct pci_device *)obj)->sriov_drivers_autoprobe = value;
	return (ssize_t)len;
}

SYSFS_SHOW(sriov_vf_total_msix)
{
	return sysfs_emit(buf, size, "%u\n", 0u);
}

static const struct sysfs_attr attr_sriov_totalvfs = { .name = "sriov_totalvfs",
						       .mode = 0444,
						       .show = sriov_totalvfs_show };
static const struct sysfs_attr attr_sriov_numvfs = {
	.store = sriov_numvfs_store, .name = "sriov_numvfs", .mode = 0644, .show = sriov_numvfs_show
};
static const struct sysfs_attr attr_sriov_offset = { .name = "sriov_offset",
						     .mode = 0444,
						     .show = sriov_offset_show };
static const struct sysfs_attr attr_sriov_stride = { .name = "sriov_stride",
						     .mode = 0444,
						     .show = sriov_stride_show };
static const struct sysfs_attr attr_sriov_vf_device = { .name = "sriov_vf_device",
							.mode = 0444,
							.show = sriov_vf_device_show };
static const struct sysfs_attr attr_sriov_drivers_autoprobe = {
	.name = "sriov_drivers_autoprobe",
	.mode = 0644,
	.show = sriov_drivers_autoprobe_show,
	.store = sriov_drivers_autoprobe_store,
};
static const struct sysfs_attr attr_sriov_vf_total_msix = { .name = "sriov_vf_total_msix",
							    .mode = 0444,
							    .show = sriov_vf_total_msix_show };

static const struct sysfs_attr *const sriov_pf_attrs[] = {
	&attr_sriov_totalvfs,	   &attr_sriov_numvfs,
	&attr_sriov_offset,	   &attr_sriov_stride,
	&attr_sriov_vf_device,	   &attr_sriov_drivers_autoprobe,
	&attr_sriov_vf_total_msix, NULL,
};

static uint16_t sriov_pf_attrs_are_visible(const void *obj, const struct sysfs_attr *attr)
{
	return pci_fn(obj)->sriov ? attr->mode : 0;
}

const struct sysfs_attr_group sriov_pf_attr_group = {
	.attrs = sriov_pf_attrs,
	.is_visible = sriov_pf_attrs_are_visible,
};

/* Write-only: how many MSI-X vectors the PF's driver should give this VF. */
static const struct sysfs_attr attr_sriov_vf_msix_count = { .name = "sriov_vf_msix_count",
							    .mode = 0200 };

static const struct sysfs_attr *const sriov_vf_attrs[] = {
	&attr_sriov_vf_msix_count,
	NULL,
};

static uint16_t sriov_vf_attrs_are_visible(const void *obj, const struct sysfs_attr *attr)
{
	return pci_fn(obj)->physfn != TOPO_NONE ? attr->mode : 0;
}

const struct sysfs_attr_group sriov_vf_attr_group = {
	.attrs = sriov_vf_attrs,
	.is_visible = sriov_vf_attrs_are_visible,
};
