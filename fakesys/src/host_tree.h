/* SPDX-License-Identifier: MIT */
/*
 * The whole fake root built from a topology: sys/bus/pci, sys/devices/pci*, sys/class/pci_bus,
 * sys/kernel/iommu_groups and dev/vfio, linked together as the kernel links them.
 */
#ifndef FAKESYS_HOST_TREE_H
#define FAKESYS_HOST_TREE_H

#include "bus_sysfs.h"
#include "device_sysfs.h"
#include "iommu_sysfs.h"
#include "mdev_sysfs.h"
#include "pci_sysfs.h"
#include "sysfs_tree.h"
#include "topology.h"

struct host_tree {
	struct sysfs_tree *tree;
	struct bus_type_obj pci_bus_type, mdev_bus_type; /* /sys/bus/pci, /sys/bus/mdev */
	/* The objects the directories point at; they live as long as the tree. */
	struct pci_device *devices; /* one per topology function, same order */
	size_t n_devices;
	struct pci_bus *buses; /* root buses, then each bridge's secondary bus */
	size_t n_buses;
	struct iommu_group_obj *groups; /* one per topology group, same order */
	struct chardev_obj *chardevs;	/* the devices behind dev/ nodes */
	size_t n_chardevs;
	struct dev_pm_info *iommus; /* IOMMU instances: one per root bus that needs one */
	size_t n_iommus;
	struct mdev_type_obj *mdev_types; /* every parent's types, parents in address order */
	struct mdev_device_obj *mdevs;	  /* one per topology mdev, same order */
};

/* Dynamic char majors (the kernel picks them; these are typical): vfio groups, then vfio-dev. */
#define VFIO_GROUP_MAJOR     242
#define VFIO_CDEV_MAJOR	     241
#define VFIO_CONTAINER_MAJOR 10	 /* /dev/vfio/vfio is a misc device */
#define VFIO_CONTAINER_MINOR 196 /* VFIO_MINOR */
#define IOMMUFD_MINOR	     122 /* misc dynamic minor of /dev/iommu: a typical value */

/* Builds the tree for topo, which must outlive it. Returns 0 or -ENOMEM (nothing to free). */
int host_tree_build(const struct topology *topo, struct host_tree *out);
void host_tree_free(struct host_tree *ht);

#endif
